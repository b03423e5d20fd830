"""Sweep throughput on a LocalCluster: 2 workers against 1, measured in the same process.

Each point is a vacuum run of about 1-3 s of single-threaded compute (large ``grid.nphi`` and
``vacuum.n_cuts``), so Dask's per-task overhead (milliseconds) is small.  For each worker count
the cluster is started and every worker has imported the run kind *before* the clock starts;
the clock then covers submitting the points, running them and writing every result and the
manifest (:func:`asymflat.batch.runner.run_sweep` on that client).  Throughput = points / time.
1- and 2-worker trials alternate (``--repeats`` rounds) and the best of each counts, which damps
the effect of other load on a shared machine; every trial and the load average are recorded.

Usage::

    .venv/bin/python bench/sweep_throughput.py [--points 8] [--nphi 512] [--n-cuts 40] [--repeats 2]

Prints the ratio and writes ``bench/sweep_throughput.json`` (figure, target, pass, details).
As a control, the same points also run on a plain process pool of 1 and 2 single-threaded
processes without Dask: on a machine whose cores are busy with other work, that ratio shows how
much parallelism the machine itself allows, so Dask's share of any shortfall can be told apart.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

from asymflat.batch import runner, spec

TARGET = 1.7
OUT = Path(__file__).with_suffix(".json")

BASE = """\
kind = "vacuum"
G = 1.0
[grid]
nphi = {nphi}
[evolution]
u_start = -5.0
u_end = 5.0
[vacuum]
spacetime = "minkowski"
n_cuts = {n_cuts}
"""


def make_sweep(workdir: Path, points: int, nphi: int, n_cuts: int) -> spec.Sweep:
    """A sweep of ``points`` equally expensive vacuum runs (only ``G`` differs)."""
    (workdir / "base.toml").write_text(BASE.format(nphi=nphi, n_cuts=n_cuts))
    body = (f'[sweep]\nname = "bench"\nbase = "base.toml"\n[sweep.vary]\n'
            f"G = {{start = 1.0, stop = 2.0, num = {points}}}\n")
    (workdir / "bench.toml").write_text(body)
    return spec.load_sweep(workdir / "bench.toml")


def time_sweep(sweep: spec.Sweep, outdir: Path, workers: int) -> dict[str, Any]:
    """Seconds to run every point of ``sweep`` on a ready LocalCluster of ``workers`` workers."""
    t_start = time.perf_counter()
    with runner.dask_client(workers) as client:
        client.wait_for_workers(workers)
        client.run(__import__, "asymflat.kinds.vacuum")  # imports done before the clock starts
        startup = time.perf_counter() - t_start
        t0 = time.perf_counter()
        report = runner.run_sweep(sweep, outdir, client=client, warmup=False)
        seconds = time.perf_counter() - t0
    if not report.ok:
        raise RuntimeError(f"benchmark sweep failed: {[s.error for s in report.failed]}")
    walls = [s.wall_time_s for s in report.states if s.wall_time_s]
    return {"workers": workers, "seconds": seconds, "points_per_s": len(sweep.points) / seconds,
            "mean_point_s": sum(walls) / len(walls), "cluster_startup_s": startup}


def _preload(_: int) -> None:
    import asymflat.kinds.vacuum  # noqa: F401


def time_processes(sweep: spec.Sweep, outdir: Path, workers: int) -> dict[str, Any]:
    """Control without Dask: the same points on a plain pool of single-threaded processes."""
    import concurrent.futures as cf
    import multiprocessing as mp

    saved = {k: os.environ.get(k) for k in runner.WORKER_ENV}
    os.environ.update(runner.WORKER_ENV)  # inherited by the spawned children before any import
    try:
        with cf.ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn")) as pool:
            list(pool.map(_preload, range(workers)))
            tasks = [runner.PointTask(p.index, p.config, p.config_hash, str(outdir / f"p{p.index}.h5"))
                     for p in sweep.points]
            t0 = time.perf_counter()
            outcomes = list(pool.map(runner.execute_point, tasks))
            seconds = time.perf_counter() - t0
    finally:
        for k, v in saved.items():
            os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)
    if any(o.status != "done" for o in outcomes):
        raise RuntimeError(f"control runs failed: {[o.error for o in outcomes if o.error]}")
    return {"workers": workers, "seconds": seconds, "points_per_s": len(tasks) / seconds,
            "mean_point_s": sum(o.wall_time_s for o in outcomes) / len(outcomes)}


def _rounded(row: dict[str, Any]) -> dict[str, Any]:
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in row.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=8)
    ap.add_argument("--nphi", type=int, default=512)
    ap.add_argument("--n-cuts", type=int, default=40)
    ap.add_argument("--repeats", type=int, default=2, help="interleaved 1-/2-worker trials; best of each")
    ap.add_argument("--output", type=Path, default=OUT)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="asymflat-bench-") as tmp:
        work = Path(tmp)
        sweep = make_sweep(work, args.points, args.nphi, args.n_cuts)
        warm = runner.run_one(sweep, 0, work / "warm")  # imports, Numba cache: once, before timing
        trials = [time_sweep(sweep, work / f"r{r}w{w}", w) for r in range(args.repeats) for w in (1, 2)]
    one = max((t for t in trials if t["workers"] == 1), key=lambda t: t["points_per_s"])
    two = max((t for t in trials if t["workers"] == 2), key=lambda t: t["points_per_s"])
    ratio = two["points_per_s"] / one["points_per_s"]
    with tempfile.TemporaryDirectory(prefix="asymflat-bench-") as tmp:
        control = [time_processes(sweep, Path(tmp), w) for w in (1, 2)]
    control_ratio = control[1]["points_per_s"] / control[0]["points_per_s"]
    fragment = {
        "name": "sweep_throughput",
        "figure": round(ratio, 3),
        "target": TARGET,
        "pass": ratio >= TARGET,
        "unit": "throughput(2 workers) / throughput(1 worker)",
        "points": args.points,
        "point_config": {"kind": "vacuum", "spacetime": "minkowski", "nphi": args.nphi, "n_cuts": args.n_cuts},
        "driver_warmup_point_s": round(warm.wall_time_s or 0.0, 3),
        "best": [_rounded(r) for r in (one, two)],
        "control_without_dask": {"ratio": round(control_ratio, 3), "runs": [_rounded(r) for r in control],
                                 "note": "same points on a plain spawn process pool: what the machine allows"},
        "trials": [_rounded(r) for r in trials],
        "machine": {"cpus": runner.usable_cores(), "loadavg_1min_after": round(os.getloadavg()[0], 2),
                    "python": platform.python_version()},
    }
    args.output.write_text(json.dumps(fragment, indent=2) + "\n")
    print(f"sweep throughput: 1 worker {one['points_per_s']:.3f} points/s, 2 workers {two['points_per_s']:.3f} "
          f"points/s; ratio {ratio:.2f} (target >= {TARGET}): {'PASS' if fragment['pass'] else 'FAIL'}")
    print(f"control without Dask (plain process pool, same points): ratio {control_ratio:.2f}")
    print(f"wrote {args.output}")
    return 0 if fragment["pass"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
