"""``asymflat sweep``: many runs from one sweep file (docs/sweeps.md; clusters: docs/cluster.md).

::

    asymflat sweep SWEEP.toml [-o DIR] [--workers N | --scheduler ADDRESS | --serial | --cluster slurm]
    asymflat sweep SWEEP.toml --list          # one line per point: index, status, result, values
    asymflat sweep SWEEP.toml --point K       # run point K here (a Slurm array task)
    asymflat sweep SWEEP.toml --status        # rebuild the manifest from the results; summary

The sweep file and every point's configuration are validated before anything runs.  A
structural error in the sweep file is one line and exit status 2; an invalid point is reported
and recorded as failed while the others run (``--strict``: refuse to run anything, exit 2).
Points already done (complete result whose stored configuration has the point's hash) are
skipped.  Exit status: 0 when every point is done, 1 when some failed, 2 for a usage error.

Python API: :func:`load_sweep`, :func:`run_sweep`, :func:`run_one`, :func:`sweep_states`.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import Any

from asymflat.batch import store
from asymflat.batch.resilience import SchedulerLost
from asymflat.batch.runner import PointOutcome, SweepReport, default_outdir, run_one, run_sweep
from asymflat.batch.spec import Point, Sweep, load_sweep, parse_sweep
from asymflat.batch.store import PointState, refresh_manifest, sweep_states
from asymflat.config import ConfigError

__all__ = [
    "load_sweep", "parse_sweep", "run_sweep", "run_one", "sweep_states", "refresh_manifest",
    "Sweep", "Point", "PointState", "SweepReport", "register",
]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``sweep`` subcommand to the ``asymflat`` parser (``asymflat.cli._EXTENSIONS``)."""
    p = subparsers.add_parser("sweep", help="run every point of a sweep file (product/zip of key values)",
                              description=__doc__.splitlines()[0])
    p.add_argument("sweep", help="sweep file (TOML, docs/sweeps.md)")
    p.add_argument("-o", "--output", metavar="DIR", help="results and manifest (default results/<sweep name>)")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--workers", type=_positive_int, metavar="N",
                     help="LocalCluster worker processes, one single-threaded run each (default: cores)")
    how.add_argument("--scheduler", metavar="ADDRESS",
                     help="submit to an existing Dask scheduler, e.g. tcp://host:8786 (dask-jobqueue)")
    how.add_argument("--serial", action="store_true", help="run in this process, without Dask")
    how.add_argument("--cluster", choices=("slurm",), help="start workers as Slurm jobs (dask-jobqueue; --slurm-*)")
    what = p.add_mutually_exclusive_group()
    what.add_argument("--list", action="store_true", help="print the points (index, status, result, values)")
    what.add_argument("--point", type=int, metavar="K", help="run only point K, in this process (array jobs)")
    what.add_argument("--status", action="store_true", help="rebuild the manifest from the result files")
    p.add_argument("--warmup", action=argparse.BooleanOptionalAction, default=None,
                   help="run the first point of each kind, G = 0 / G > 0, vertex and de-aliasing choice in this "
                        "process before fanning out "
                        "(default: on with a LocalCluster, off with --scheduler)")
    p.add_argument("--strict", action="store_true", help="run nothing if any point's configuration is invalid")
    p.add_argument("--quiet", action="store_true", help="only the summary and the failures")
    p.add_argument("--collect", action="store_true",
                   help="afterwards write the sweep's table (CSV + netCDF; as asymflat collect)")
    from asymflat.batch.collect_cli import add_options

    add_options(p)
    from asymflat.batch import slurm

    slurm.add_options(p)
    p.set_defaults(func=cmd_sweep)
    return p


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text}: must be an integer >= 1")
    return value


def cmd_sweep(args: argparse.Namespace) -> int:
    """Entry point of ``asymflat sweep`` (returns the exit status)."""
    if args.quiet:
        logging.getLogger("asymflat.sweep").setLevel(logging.WARNING)
    sweep = load_sweep(args.sweep)
    outdir = Path(args.output) if args.output else default_outdir(sweep)
    if args.list:
        return _cmd_list(sweep, outdir)
    if args.status:
        return _cmd_status(sweep, outdir)
    _check_points(sweep, strict=args.strict, quiet=args.quiet or args.point is not None)
    if args.point is not None:
        return _cmd_point(sweep, args.point, outdir, args.quiet)
    if args.cluster == "slurm":
        return _cmd_slurm(sweep, outdir, args)
    if args.print_job_script:
        raise ConfigError("--print-job-script: needs --cluster slurm")
    try:
        report = run_sweep(sweep, outdir, workers=args.workers, scheduler=args.scheduler, serial=args.serial,
                           warmup=args.warmup, report=None if args.quiet else _Printer(sweep))
    except SchedulerLost as exc:
        print(f"asymflat: sweep {sweep.name}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    _print_summary(sweep, report)
    if args.collect:
        from asymflat.batch.collect_cli import collect_and_print

        collect_and_print(sweep, outdir, args)
    return EXIT_OK if report.ok else EXIT_FAILED


def _cmd_slurm(sweep: Sweep, outdir: Path, args: argparse.Namespace) -> int:
    """``--cluster slurm``: a dask-jobqueue SLURMCluster from the --slurm-* options (asymflat.batch.slurm)."""
    from asymflat.batch import slurm

    opts = slurm.options_from_args(args)
    if args.print_job_script:
        print(slurm.job_script(opts), end="")
        return EXIT_OK
    from distributed import Client

    with slurm.slurm_cluster(opts) as cluster, Client(cluster) as client:
        report = run_sweep(sweep, outdir, client=client, warmup=args.warmup,
                           report=None if args.quiet else _Printer(sweep))
    _print_summary(sweep, report)
    if args.collect:
        from asymflat.batch.collect_cli import collect_and_print

        collect_and_print(sweep, outdir, args)
    return EXIT_OK if report.ok else EXIT_FAILED


def _check_points(sweep: Sweep, strict: bool, quiet: bool) -> None:
    bad = sweep.invalid_points
    if strict and bad:
        p = bad[0]
        more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
        raise ConfigError(f"point {p.index} ({p.describe()}): {p.error}{more}")
    if not quiet:
        for p in bad:
            print(f"asymflat: sweep {sweep.name}: point {p.index} ({p.describe()}) is invalid, not run: {p.error}",
                  file=sys.stderr)


def _cmd_list(sweep: Sweep, outdir: Path) -> int:
    for st in sweep_states(sweep, outdir):
        point = sweep.points[st.index]
        row = [str(st.index), st.status, _rel(st.result), point.describe()]
        if st.error:
            row.append(st.error)
        print("\t".join(row))
    return EXIT_OK


def _cmd_status(sweep: Sweep, outdir: Path) -> int:
    states = refresh_manifest(sweep, outdir)
    counts = {s: sum(st.status == s for st in states) for s in store.STATUSES}
    print(f"{sweep.name}: {len(states)} points: " + ", ".join(f"{n} {s}" for s, n in counts.items())
          + f"; manifest {_rel(store.manifest_path(sweep, outdir))}")
    _print_failures(sweep, states)
    return EXIT_OK if counts["done"] == len(states) else EXIT_FAILED


def _cmd_point(sweep: Sweep, index: int, outdir: Path, quiet: bool) -> int:
    state = run_one(sweep, index, outdir)
    point = sweep.points[index]
    if state.status == "done":
        if not quiet:
            took = f" in {state.wall_time_s:.1f} s" if state.wall_time_s is not None else ""
            print(f"point {index} ({point.describe()}): done{took} -> {_rel(state.result)}")
        return EXIT_OK
    print(f"asymflat: sweep {sweep.name}: point {index} ({point.describe()}) failed: {state.error}", file=sys.stderr)
    return EXIT_FAILED


class _Printer:
    """One line per finished point: ``[k/n] done point 3 (grid.nx=65) 1.2 s -> path``."""

    def __init__(self, sweep: Sweep):
        self.sweep, self.count = sweep, 0

    def __call__(self, outcome: PointOutcome, state: PointState) -> None:
        self.count += 1
        point = self.sweep.points[outcome.index]
        head = f"[{self.count}] point {outcome.index} ({point.describe()})"
        if outcome.status == "done":
            print(f"{head}: done in {outcome.wall_time_s:.1f} s -> {_rel(state.result)}", flush=True)
        else:
            print(f"{head}: FAILED: {outcome.error}", flush=True)


def _print_summary(sweep: Sweep, report: SweepReport) -> None:
    n = len(report.states)
    print(f"{sweep.name}: {n} points: {len(report.done)} done ({report.ran} run now, {report.skipped} already done), "
          f"{len(report.failed)} failed; manifest {_rel(report.manifest)}")
    _print_failures(sweep, report.states)


def _print_failures(sweep: Sweep, states: list[PointState]) -> None:
    failed = [st for st in states if st.status == "failed"]
    if failed:
        print("failed points:")
    for st in failed:
        print(f"  {st.index} ({sweep.points[st.index].describe()}): {st.error}")


def _rel(path: Path) -> str:
    """``path`` relative to the working directory if it lies below it, else absolute."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # pragma: no cover - other drive on Windows
        return str(path)
    return str(Path(path).resolve()) if rel.startswith("..") else rel
