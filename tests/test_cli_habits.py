"""CLI habits, by running the installed command: --version, -v, "did you mean", converge warnings,
examples from any directory."""
from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

import asymflat
from asymflat.analysis import converge_report

ROOT = Path(__file__).resolve().parents[1]
_EXE = Path(sys.executable).parent / "asymflat"
CMD = [str(_EXE)] if _EXE.exists() else [sys.executable, "-m", "asymflat.cli"]

VACUUM = """kind = "vacuum"
G = 1.0
[grid]
nphi = {nphi}
nx = {nx}
[evolution]
u_start = -2.0
u_end = 2.0
[vacuum]
spacetime = "supertranslated_minkowski"
n_cuts = 5
[frame]
supertranslation = [[2, 0.3, 0.0]]
"""


def asymflat_cmd(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*CMD, *args], capture_output=True, text=True, cwd=cwd, timeout=300,
                          env={**os.environ, **(env or {})})


def test_version():
    p = asymflat_cmd("--version")
    assert p.returncode == 0, p.stderr
    line = p.stdout.strip()
    assert line.startswith(f"asymflat {asymflat.__version__} (git ") and "\n" not in line
    assert f"Python {platform.python_version()}" in line


def test_verbose_before_and_after_the_subcommand(tmp_path):
    cfg = tmp_path / "v.toml"
    cfg.write_text(VACUUM.format(nphi=16, nx=33))
    for args in (("-v", "run", str(cfg), "--validate-only"), ("run", str(cfg), "--validate-only", "-v")):
        p = asymflat_cmd(*args)
        assert p.returncode == 0 and "valid (vacuum)" in p.stdout, (args, p.stderr)


def test_very_verbose_shows_the_traceback_of_a_user_error(tmp_path):
    cfg = tmp_path / "bad.toml"
    cfg.write_text(VACUUM.format(nphi=16, nx=33).replace("nphi", "nphii"))
    plain, very = asymflat_cmd("run", str(cfg)), asymflat_cmd("-vv", "run", str(cfg))
    assert plain.returncode == very.returncode == 2
    assert "Traceback" not in plain.stderr and len(plain.stderr.strip().splitlines()) == 1
    assert "Traceback" in very.stderr


def test_typo_in_a_run_key_suggests_the_key(tmp_path):
    cfg = tmp_path / "typo.toml"
    cfg.write_text(VACUUM.format(nphi=16, nx=33).replace("nphi", "nphii"))
    p = asymflat_cmd("run", str(cfg), "--validate-only")
    assert p.returncode == 2
    assert p.stderr.startswith("asymflat: error: grid.nphii: unknown key in [grid]; did you mean 'nphi'?")


@pytest.mark.parametrize("typo, meant", [("vacuum.mas", "vacuum.mass"), ("vaccum.mass", "vacuum.mass"),
                                         ("grid.nphii", "grid.nphi"), ("evolution.u_strat", "evolution.u_start")])
def test_typo_in_a_sweep_key_suggests_the_key_not_all_80(tmp_path, typo, meant):
    sweep = tmp_path / "s.toml"
    sweep.write_text(f'[sweep]\nname = "s"\n[sweep.vary]\n"{typo}" = [0.1]\n[base]\n'
                     + VACUUM.format(nphi=16, nx=33).replace("\n[", "\n[base."))
    p = asymflat_cmd("sweep", str(sweep), "--list")
    assert p.returncode == 2
    msg = p.stderr.strip()
    assert len(msg.splitlines()) == 1 and f"did you mean '{meant}'" in msg, msg
    assert len(msg) < 300, msg          # not the ~80 keys of the whole schema (~1500 characters)


def test_design_orders():
    assert converge_report.design_order({"kind": "vacuum"}) is None
    assert converge_report.design_order({"kind": "characteristic", "vertex": {"mu": 1.0}}) == 4.0
    assert converge_report.design_order({"kind": "scattering"}) == 4.0
    # conical vertex with non-integer 1/mu: 2/mu - 1 (docs/conventions.md §9)
    assert converge_report.design_order({"kind": "characteristic", "vertex": {"mu": 0.7}}) == pytest.approx(2 / 0.7 - 1)


def test_converge_warns_on_an_exact_vacuum_ladder(tmp_path):
    """Exact data: every check sits at round-off, so its 'orders' are noise, and the command says so."""
    paths = []
    for nx in (17, 33, 65):
        cfg = tmp_path / f"nx{nx}.toml"
        cfg.write_text(VACUUM.format(nphi=16, nx=nx))
        asymflat.run(cfg, tmp_path / f"nx{nx}.h5").close()
        paths.append(str(tmp_path / f"nx{nx}.h5"))
    png = tmp_path / "conv.png"
    p = asymflat_cmd("converge", *paths, "--plot", str(png))
    assert p.returncode == 0, p.stderr
    assert "design order: none (kind vacuum" in p.stdout
    assert "asymflat: warning:" in p.stderr and "round-off" in p.stderr, p.stderr
    assert "[at round-off / tolerance: not an order]" in p.stdout
    # the band-limited supertranslated Minkowski is exact at every nphi: differences at round-off
    assert "every difference is at round-off" in p.stderr, p.stderr
    assert not png.exists()             # nothing measured, nothing drawn


def test_examples_run_from_any_directory(tmp_path):
    """custom_charge.py from an unrelated directory: a non-zero charge that matches across i0."""
    env = {"ASYMFLAT_RESULTS": str(tmp_path / "results")}
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    p = subprocess.run([sys.executable, str(ROOT / "examples" / "custom_charge.py")], capture_output=True,
                       text=True, cwd=elsewhere, env={**os.environ, **env}, timeout=300)
    assert p.returncode == 0, p.stderr
    lines = {ln.split(":")[0].strip(): ln for ln in p.stdout.splitlines()}
    q_plus = float(lines["Q+[cos 3phi, cos 2phi] at u = -10.0"].split(":")[1])
    diff = float(lines["difference (matching)"].split(":")[1].split()[0])
    assert q_plus == pytest.approx(-0.15, abs=1e-12)      # closed form (docstring of the example)
    assert abs(diff) < 1e-14
    assert (tmp_path / "results" / "vacuum_supertranslated_minkowski_a.h5").exists()
