"""Issue 19: up-front refusals consistent with the run's own gates and across kinds (CLI, exit 2).

* G = 0 exact pulses: the angular truncation error of psi0 at scri+ that the psi0_vs_exact gate
  would see (``psi0_angular_error``) against the gate's tolerance.  Measured on main (one pulse,
  a = 1, grid.nx = 257, u in [-2, 2]; check value / tolerance; estimate):

  ====  =====  =====================  ========  =========
  x0    nphi   check value / tol      passed    estimate
  ====  =====  =====================  ========  =========
  0.5   16     1.62e-5 / 1.43e-7      no        5.44e-5
  0.5   24     1.37e-7 / 1.42e-7      yes       5.96e-7
  0.5   32     2.07e-8 / 1.42e-7      yes       3.03e-8
  0.8   16     2.58e-4 / 2.77e-7      no        6.06e-4
  0.8   24     6.34e-6 / 2.75e-7      no        2.18e-5
  0.8   32     1.47e-7 / 2.75e-7      yes       2.44e-6
  0.8   48     3.26e-8 / 2.75e-7      yes       3.71e-9
  1.2   32     7.28e-6 / 6.71e-7      no        6.21e-5
  1.2   48     7.17e-8 / 6.71e-7      yes       5.35e-7
  1.2   64     6.81e-8 / 6.71e-7      yes       1.07e-8
  ====  =====  =====================  ========  =========

  (max |psi0| = 0.57): every failing grid has estimate > 1e-5 max|psi0| = 5.7e-6 and every
  passing one below, so the validator refuses exactly the failing ones (PSI0_ANGULAR_TOL).  The
  gate tightens with grid.nx (the threshold scales as (256/nx)^4): x0 = 0.8, nphi = 32 at
  grid.nx = 513 fails (1.5e-7 / 6.3e-9) and is refused (2.4e-6 > 3.6e-7).
* a characteristic (or advanced) run with pulses beyond the conical-defect range: refused as the
  scattering kind refuses it (same message); before, amplitude 1e3 at G = 0.05 started and died
  "unstable" (exit 3) at u = -1.97.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from reliability_support import pulse_config  # noqa: E402

from asymflat import api, config  # noqa: E402
from asymflat.pipeline.characteristic_input import psi0_angular_error  # noqa: E402

G0 = """kind = "characteristic"
G = 0.0
[grid]
nx = {nx}
nphi = {nphi}
R = 1.0
[evolution]
u_start = -2.0
u_end = 2.0
cfl = 3.5
[output]
scri_every = 2
fields_every = 0
[characteristic]
pulses = [{{ amplitude = 1.0, a = 1.0, t0 = 0.0, x0 = {x0}, y0 = 0.0 }}]
shadow_grid = true
"""
CONICAL = ("asymflat: error: characteristic.pulses: the incoming energy takes spatial infinity beyond the "
           "conical-defect range (Hill trace of Theta- at v -> +inf = {trace}, estimated at O(G); a deficit "
           "angle below 2 pi needs |trace| < 2): lower the amplitudes or G = 0.05")


def _run(tmp_path: Path, text: str, *extra: str) -> subprocess.CompletedProcess:
    (tmp_path / "c.toml").write_text(text)
    out = tmp_path / "c.h5"
    return subprocess.run([sys.executable, "-m", "asymflat.cli", "run", str(tmp_path / "c.toml"), "-o", str(out),
                           *extra], capture_output=True, text=True, timeout=120)


def test_g0_pulse_at_nphi_32_is_refused_naming_nphi_error_tolerance_and_need(tmp_path):
    r = _run(tmp_path, G0.format(nphi=32, x0=1.2, nx=257))
    assert r.returncode == 2, r.stderr
    assert r.stderr == ("asymflat: error: grid.nphi = 32: the angular truncation error of psi0 at scri+ is about "
                        "6.2e-05 (closed form of the pulses, modes |m| > nphi/3), above the 5.7e-06 the run's "
                        "psi0_vs_exact check tolerates at grid.nx = 257 (1e-05 x max |psi0|); need grid.nphi >= 48\n")
    assert not list(tmp_path.glob("c.h5*"))                    # nothing written, nothing locked


@pytest.mark.parametrize("x0,nphi,nx,refused", [(0.5, 16, 257, True), (0.5, 24, 257, False), (0.8, 24, 257, True),
                                                (0.8, 32, 257, False), (1.2, 32, 257, True), (1.2, 48, 257, False),
                                                (0.8, 32, 513, True)])
def test_refusal_agrees_with_the_measured_gate(x0, nphi, nx, refused):
    """The table of the module doc: refused exactly where the run's psi0_vs_exact check fails."""
    cfg = config.parse(G0.format(nphi=nphi, x0=x0, nx=nx))
    if refused:
        with pytest.raises(ValueError, match=rf"grid.nphi = {nphi}: the angular truncation error"):
            api.validate_physics(cfg)
    else:
        api.validate_physics(cfg)


def test_angular_estimate_converges_spectrally():
    """psi0 is analytic in phi: the truncation estimate falls geometrically with nphi (measured
    x0 = 1.2: 3.6e-3, 3.1e-4, 6.2e-5, 5.4e-7, 1.1e-8 at nphi = 16, 24, 32, 48, 64)."""
    pulses = [dict(amplitude=1.0, a=1.0, t0=0.0, x0=1.2, y0=0.0)]
    e = [psi0_angular_error(n, -2.0, 2.0, pulses)[0] for n in (16, 32, 64)]
    assert e[0] > 10 * e[1] > 100 * e[2]


def test_g0_pulse_at_nphi_48_runs_and_passes_its_gate(tmp_path):
    """The nphi the refusal asks for passes the run's own check (measured 7.2e-8 < 6.7e-7)."""
    r = _run(tmp_path, G0.format(nphi=48, x0=1.2, nx=257), "--quiet")
    assert r.returncode == 0, r.stderr
    with __import__("asymflat").load(tmp_path / "c.h5") as res:
        res.verify()
        chk = {c.name: c for c in res.checks}["psi0_vs_exact"]
        assert chk.passed and chk.value < 1e-7


@pytest.mark.parametrize("kind", ["characteristic", "advanced"])
def test_pulses_beyond_the_conical_defect_range_refused_like_scattering(tmp_path, kind):
    text = pulse_config(1e3, 10.0, 3).replace('kind = "characteristic"', f'kind = "{kind}"')
    r = _run(tmp_path, text)
    assert r.returncode == 2, r.stderr
    assert r.stderr == CONICAL.format(trace="inf (the monodromy overflows; max Theta- = 3.14e+05)") + "\n"
    assert not list(tmp_path.glob("c.h5*"))
    r = _run(tmp_path, pulse_config(2.0, 10.0, 3).replace('kind = "characteristic"', f'kind = "{kind}"'))
    assert r.returncode == 2 and r.stderr == CONICAL.format(trace="5.115") + "\n"


def test_scattering_refuses_with_the_same_message():
    from asymflat.pipeline import ladder

    with pytest.raises(ValueError) as exc:
        ladder.refuse_beyond_conical_defect([dict(amplitude=2.0, a=1.0, t0=0.0, x0=0.3, y0=0.0)], 0.05, 8)
    assert "asymflat: error: " + str(exc.value) == CONICAL.format(trace="5.115")
