"""bench/repeat.py: the figures of several bench runs combined (issue 22: a target holds only if it
holds in every run; min / median / max over the runs)."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))

from bench.repeat import combine  # noqa: E402


def _run(**figs):
    return {"figures": {k: dict(value=v, target=t, unit="", note="", **{"pass": p})
                        for k, (v, t, p) in figs.items()}, "context": {}}


def test_statistics_and_all_runs_verdict():
    runs = [_run(speedup=(1.8, ">= 1.7", True), info=(3.0, None, None), plot=("a.png", None, None)),
            _run(speedup=(1.6, ">= 1.7", False), info=(1.0, None, None), plot=("b.png", None, None)),
            _run(speedup=(1.9, ">= 1.7", True), info=(2.0, None, None), plot=("c.png", None, None))]
    f = combine(runs)
    s = f["speedup"]
    assert (s["min"], s["median"], s["max"], s["value"]) == (1.6, 1.8, 1.9, 1.8)
    assert s["runs"] == [1.8, 1.6, 1.9] and s["passes"] == [True, False, True]
    assert s["pass"] is False  # failed in one run of three
    assert f["info"]["pass"] is None and f["info"]["median"] == 2.0
    assert f["plot"]["value"] == "c.png" and "min" not in f["plot"]


def test_a_figure_missing_from_a_run_fails_there():
    runs = [_run(cold=(8.0, "<= 10", True)), _run(), _run(cold=(9.0, "<= 10", True))]
    f = combine(runs)["cold"]
    assert f["runs"] == [8.0, None, 9.0] and f["passes"] == [True, False, True]
    assert f["pass"] is False and "min" not in f
