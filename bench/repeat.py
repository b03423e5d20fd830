"""The benchmark suite run several times, each in a fresh interpreter, and its combined report.

Issue 22: each target must hold in three consecutive runs, and the report gives min / median / max
over them.  :func:`run_and_report` runs ``python -m bench --single`` ``repeat`` times in turn
(a fresh process each: the cold-compile and warm-start figures and the caches are those of a real
start), then writes bench/report.json::

    {"figures": {name: {"value": median, "min", "median", "max", "runs": [...], "target",
                        "pass": every run passed, "passes": [...], "unit", "note"}},
     "runs": [{"context": ...}, ...], "summary": {...}}

``value`` is the median over the runs (a string figure: the last run's); ``pass`` is null for
informational figures, else True only if the target held in every run.
"""
from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def combine(reports: list[dict]) -> dict:
    """The figures of several single-run reports combined: per figure the values of the runs, their
    min / median / max, and the verdict over all runs (a figure missing in a run fails it)."""
    names = []
    for r in reports:
        names += [k for k in r["figures"] if k not in names]
    out = {}
    for name in names:
        got = [r["figures"].get(name) for r in reports]
        have = [g for g in got if g is not None]
        last = have[-1]
        values = [g["value"] if g is not None else None for g in got]
        passes = [g["pass"] if g is not None else False for g in got]
        entry = dict(target=last["target"], unit=last["unit"], note=last["note"], runs=values)
        num = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if len(num) == len(values):
            entry.update(value=statistics.median(num), min=min(num), median=statistics.median(num),
                         max=max(num))
        else:
            entry["value"] = last["value"]
        if last["target"] is None:
            entry.update({"pass": None, "passes": None})
        else:
            entry.update({"pass": all(p is True for p in passes), "passes": passes})
        out[name] = entry
    return out


def _fmt(v):
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def print_table(figs: dict, nruns: int):
    """Each figure with target and verdict: median [min, max] over the runs."""
    print(f"\nover {nruns} run(s): median [min - max]   target   verdict (in every run)")
    for name, f in figs.items():
        if "min" in f:
            v = f"{_fmt(f['median'])} [{_fmt(f['min'])} - {_fmt(f['max'])}]"
        else:
            v = _fmt(f["value"])[:40]
        verdict = "" if f["pass"] is None else ("PASS" if f["pass"] else "FAIL")
        print(f"  {name:<44s} {v:>30s} {f['unit']:<10s} {str(f['target'] or ''):<16s} {verdict}")


def run_and_report(repeat: int, only: list[str], report_path: Path) -> dict:
    """Run the suite ``repeat`` times (fresh interpreters, one after the other) and write the
    combined report to ``report_path`` (atomically: a temporary file renamed)."""
    t0 = time.perf_counter()
    reports = []
    with tempfile.TemporaryDirectory() as d:
        for i in range(repeat):
            print(f"=== bench run {i + 1} of {repeat} ===", flush=True)
            one = Path(d) / f"run{i}.json"
            cmd = [sys.executable, "-m", "bench", "--single", str(one)]
            if only:
                cmd += ["--only", ",".join(only)]
            p = subprocess.run(cmd, cwd=str(ROOT))
            if p.returncode != 0 or not one.exists():
                raise SystemExit(f"bench run {i + 1}: exit status {p.returncode}")
            reports.append(json.loads(one.read_text()))
    figs = combine(reports)
    print_table(figs, repeat)
    failed = [k for k, v in figs.items() if v["pass"] is False]
    report = dict(figures=figs, runs=[dict(context=r["context"]) for r in reports],
                  summary=dict(n_runs=repeat, n_figures=len(figs),
                               n_targets=sum(v["pass"] is not None for v in figs.values()),
                               failed=failed, seconds=time.perf_counter() - t0))
    extra = [r["sweep_throughput"] for r in reports if "sweep_throughput" in r]
    if extra:
        report["sweep_throughput"] = extra[-1]
    tmp = report_path.with_name(f".{report_path.name}.tmp")
    tmp.write_text(json.dumps(report, indent=1, default=float))
    tmp.replace(report_path)
    print(f"wrote {report_path} ({len(figs)} figures over {repeat} run(s), failed: "
          f"{failed or 'none'}; {report['summary']['seconds']:.0f} s)")
    return report
