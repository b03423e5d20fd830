"""Progress that tells the truth (asymflat.progress): every phase reports, ETA from this process's rate,
the bar ends with a newline."""
from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import asymflat
from asymflat.progress import Phases, RunProgress, report

_EXE = Path(sys.executable).parent / "asymflat"
CMD = [str(_EXE)] if _EXE.exists() else [sys.executable, "-m", "asymflat.cli"]
#: a 2-level scattering ladder at low resolution (~4 s): every phase of the kind is passed through
SMALL = """kind = "scattering"
G = 0.05
[grid]
nx = 33
nphi = 8
R = 4.0
[evolution]
u_start = -8.0
u_end = 6.0
cfl = 3.5
[characteristic]
pulses = [{ amplitude = 1.0, a = 1.0 }]
shadow_grid = true
[scattering]
first_cones = [-8.0, -4.0]
"""
PHASES = ["level 1/2 (u0 = -8)", "level 2/2 (u0 = -4, first cut)", "i0 matching over the ladder",
          "global balance: scri+ and scri- flux tables", "memory", "writing the result"]


def test_phases_split_the_unit_interval_by_weight():
    seen = []
    ph = Phases(lambda f, name=None: seen.append((f, name)), [("a", 1.0), ("b", 3.0)])
    assert ph.start == [0.0, 0.25] and ph.weight == [0.25, 0.75]
    ph.part("a")(0.5)
    ph.begin("b")
    ph.steps("b", 0.0, 1.0)(2, 4, 0.0)
    ph.end()
    assert seen == [(0.125, "a"), (0.25, "b"), (0.625, "b"), (1.0, "b")]
    # a one-argument callback still works
    one = []
    report(one.append, 0.5, "a phase")
    assert one == [0.5]


def test_a_scattering_run_reports_every_phase_in_order(tmp_path):
    calls = []
    cfg = tmp_path / "small.toml"
    cfg.write_text(SMALL)
    asymflat.run(cfg, tmp_path / "small.h5", progress=lambda f, phase=None: calls.append((f, phase))).close()
    names = [p for _, p in calls]
    assert [n for i, n in enumerate(names) if n not in names[:i]] == PHASES
    fractions = [f for f, _ in calls]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    # a level reports inside itself (first cones at 60 % / 85 % of it; the evolutions every 100 steps,
    # more than this small run has), not once when it is over
    inside = [f for f, n in calls if n == PHASES[0]]
    assert len(inside) >= 2 and inside[0] > 0


def test_eta_after_resume_uses_the_rate_of_this_process(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(time, "perf_counter", lambda: clock[0])
    fresh, resumed = RunProgress("x", tty=False), RunProgress("x", tty=False, resume=True)
    fresh(0.0)
    clock[0] = 101.0
    fresh(0.25)                         # 25 % in 1 s: 3 s left
    assert fresh.eta() == pytest.approx(3.0)
    resumed(0.6)                        # the checkpoint was at 60 %: that took no time here
    clock[0] = 102.0
    resumed(0.7)                        # 10 % in 1 s: 3 s left, not 0.43 s (elapsed x 0.3 / 0.7)
    assert resumed.eta() == pytest.approx(3.0)


def test_bar_on_a_terminal_ends_with_a_newline_at_100_percent_or_where_it_stopped():
    for complete, last in ((True, "100.0%"), (False, " 40.0%")):
        s = io.StringIO()
        bar = RunProgress("run", stream=s, tty=True)
        bar(0.1, "level 1/3")
        bar(0.4, "memory")
        bar.close(complete=complete)
        out = s.getvalue()
        assert out.endswith("\n") and out.count("\n") == 1
        final = out.rstrip("\n").split("\r")[-1]
        assert final.startswith(f"run: {last}"), final
        assert ("done" in final) == complete and ("memory" in final) == (not complete)


def test_cli_run_logs_every_phase_off_a_terminal(tmp_path):
    cfg = tmp_path / "small.toml"
    cfg.write_text(SMALL)
    # --no-figures: the phases of the run are under test, not its figures (tests/test_plots.py)
    p = subprocess.run([*CMD, "run", str(cfg), "-o", str(tmp_path / "s.h5"), "--no-figures"], capture_output=True,
                       text=True, timeout=300, env=os.environ)
    assert p.returncode == 0, p.stderr
    for name in PHASES:
        assert f"({name})" in p.stderr, (name, p.stderr)
    assert "100% done" in p.stderr and "ETA nan" not in p.stderr.split("100% done")[-1]
