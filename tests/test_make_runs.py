"""``make -j2 runs``: every missing/stale result in parallel; failures listed; no partial results.

A throw-away project directory holds ``runs/`` and links to the real Makefile and pyproject.toml;
``VENV`` points at this checkout's virtual environment and ``STAMP`` at a fresh file, so make
neither creates nor reinstalls a virtual environment.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from asymflat.io.results import ResultFileError, open_result
try:
    from support.configs import MINKOWSKI_VACUUM_TEMPLATE
except ImportError:  # pragma: no cover
    from tests.support.configs import MINKOWSKI_VACUUM_TEMPLATE

ROOT = Path(__file__).parents[1]
VENV = Path(sys.executable).parents[1]

FAST = MINKOWSKI_VACUUM_TEMPLATE
#: Minutes of compute: it is killed long before it could finish.
SLOW = FAST.format(G=1.0).replace("nphi = 32", "nphi = 2048") + "n_cuts = 200\n"
BAD = FAST.format(G=1.0) + "mass = 0.3\n"  # 4 G mass >= 1: refused before any work

pytestmark = pytest.mark.skipif(shutil.which("make") is None or not (VENV / "bin" / "asymflat").exists(),
                                reason="needs make and an installed asymflat")


def _project(tmp_path: Path) -> Path:
    proj = tmp_path / "proj"
    (proj / "runs").mkdir(parents=True)
    for name in ("Makefile", "pyproject.toml"):
        (proj / name).symlink_to(ROOT / name)
    (proj / "stamp").touch()
    (proj / "runs" / "aaa_slow.toml").write_text(SLOW)  # first in make's order: runs beside the others
    for i, G in enumerate((0.5, 1.0, 2.0)):
        (proj / "runs" / f"fast{i}.toml").write_text(FAST.format(G=G))
    (proj / "runs" / "bad.toml").write_text(BAD)
    return proj


def _make(proj: Path) -> subprocess.Popen:
    return subprocess.Popen(["make", "-j2", "runs", f"VENV={VENV}", "STAMP=stamp"], cwd=proj,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _find_run(proj: Path, config: str, timeout: float = 60.0) -> int:
    """Pid of ``asymflat run runs/<config>`` started by make in ``proj`` (our own child only)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                argv = (entry / "cmdline").read_bytes().split(b"\0")
                cwd = os.readlink(entry / "cwd")
            except OSError:
                continue
            if cwd == str(proj) and f"runs/{config}".encode() in argv and b"run" in argv:
                return int(entry.name)
        time.sleep(0.05)
    raise AssertionError(f"asymflat run runs/{config} never started")


def _results(proj: Path) -> dict[str, bool]:
    """Every *.h5 under results/ -> whether it is a complete, checksum-valid result."""
    out = {}
    for p in (proj / "results").glob("*.h5"):
        try:
            open_result(p, verify_checksum=True).close()
            out[p.name] = True
        except ResultFileError:
            out[p.name] = False
    return out


@pytest.mark.skipif(sys.platform != "linux", reason="finds the run through /proc")
def test_make_j2_runs_with_a_killed_run(tmp_path):
    proj = _project(tmp_path)
    make = _make(proj)
    pid = _find_run(proj, "aaa_slow.toml")
    time.sleep(2.0)  # well inside its compute
    os.kill(pid, signal.SIGKILL)
    out, _ = make.communicate(timeout=300)

    assert make.returncode != 0, out  # failed runs make `make runs` fail, after all ran
    listing = out.split("failed runs:")[1]
    assert "aaa_slow" in listing and "bad: " in listing and "vacuum.mass = 0.3" in listing, out
    results = _results(proj)
    assert results == {"fast0.h5": True, "fast1.h5": True, "fast2.h5": True}, (results, out)  # no partial files
    leftovers = [p.name for p in (proj / "results").iterdir() if ".tmp." in p.name]
    # The writer creates its temporary file only when the run is written; a kill during the
    # compute leaves none.  (A kill during the write leaves ".NAME.h5.tmp.PID", never NAME.h5.)
    assert all(name.startswith(".aaa_slow.h5.tmp.") for name in leftovers), leftovers

    # Second pass: only the missing/stale results run again.
    mtimes = {p.name: p.stat().st_mtime_ns for p in (proj / "results").glob("*.h5")}
    (proj / "runs" / "aaa_slow.toml").write_text(FAST.format(G=3.0))
    again = subprocess.run(["make", "-j2", "runs", f"VENV={VENV}", "STAMP=stamp"], cwd=proj,
                           capture_output=True, text=True, timeout=300)
    assert "ran runs/aaa_slow.toml" in again.stdout and "fast" not in again.stdout.split("failed runs:")[0], again.stdout
    assert _results(proj)["aaa_slow.h5"] is True
    assert all(mtimes[n] == (proj / "results" / n).stat().st_mtime_ns for n in mtimes)
    (proj / "runs" / "bad.toml").unlink()
    (proj / "results" / "bad.failed").unlink()
    final = subprocess.run(["make", "-j2", "runs", f"VENV={VENV}", "STAMP=stamp"], cwd=proj,
                           capture_output=True, text=True, timeout=300)
    assert final.returncode == 0 and "all 4 results up to date" in final.stdout, final.stdout


def test_incoming_table_and_closure_pair_are_ordered(tmp_path):
    """runs/scattering_incoming.toml needs its table (made by examples/incoming_bump.py) and
    runs/scattering_incoming_closure.toml reads that run's result: make must order the three
    (dry run of the closure's result alone: it must pull in the table and run A first)."""
    proj = tmp_path / "proj"
    (proj / "runs").mkdir(parents=True)
    for name in ("Makefile", "pyproject.toml", "examples"):
        (proj / name).symlink_to(ROOT / name)
    for name in ("scattering_incoming.toml", "scattering_incoming_closure.toml"):
        (proj / "runs" / name).symlink_to(ROOT / "runs" / name)
    (proj / "stamp").touch()
    out = subprocess.run(["make", "-n", "results/scattering_incoming_closure.h5", f"VENV={VENV}", "STAMP=stamp"],
                         cwd=proj, capture_output=True,
                         text=True, timeout=60).stdout
    pos = [out.find(s) for s in ("incoming_bump.py results/incoming/gaussian_m3.h5",
                                 "run runs/scattering_incoming.toml", "run runs/scattering_incoming_closure.toml")]
    assert -1 not in pos and pos == sorted(pos), out
