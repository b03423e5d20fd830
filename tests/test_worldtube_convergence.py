"""Convergence of the worldtube kind to the exact null-dust solution (b) at its design order 4.

Ladder nx = 33, 65, 129 at fixed cfl (du proportional to the radial spacing), runs/dust.toml
physics (phi-dependent bursts, m = 2 and 3, on Minkowski, G = 0.05).  Measured (2 cores, this
machine): max errors of Theta at scri+ 2.94e-9, 1.84e-10, 1.15e-11 and of Xi 3.98e-9, 2.48e-10,
1.56e-11, i.e. orders 4.001, 4.000 (Theta) and 4.001, 3.997 (Xi); N law 4.002, 4.001; mass-law
residual |d_u Theta + 16 pi G f| 1.41e-8, 8.83e-10, 7.79e-11 (orders 3.99, 3.50: round-off of the
9-point d_u enters on the finest rung).  The band asserted, [3.8, 4.2], holds these with room
for platform round-off while excluding order 3 or 5.  The RK4 in u sets the order: the radial
quadrature is exact for this exterior (tests/test_worldtube_solver.py), U(x=1) stays at round-off.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from asymflat import config
from asymflat.kinds import worldtube as W

ROOT = Path(__file__).parents[1]
BAND = (3.8, 4.2)
FLOOR = 1e-11


def _errors(text: str, nx: int) -> dict[str, float]:
    cfg = config.parse(text.replace("nx = 65", f"nx = {nx}").replace("shadow_grid = true", "shadow_grid = false"))
    d = W.run(cfg)
    s = d.summary
    return dict(theta=s["error_theta"], xi=s["error_xi"], mass_law=s["mass_law_residual"],
                N_law=s["N_law_residual"], E_balance=s["energy_balance_residual"],
                U0=float(np.max(d.series["max_abs_U0"][0])))


def _orders(errs: list[dict], key: str) -> np.ndarray:
    e = np.array([x[key] for x in errs])
    return np.log2(e[:-1] / e[1:])


def test_dust_run_converges_at_order_4():
    text = (ROOT / "runs" / "dust.toml").read_text()
    errs = [_errors(text, nx) for nx in (33, 65, 129)]
    for key in ("theta", "xi", "N_law"):
        o = _orders(errs, key)
        assert np.all((o > BAND[0]) & (o < BAND[1])), (key, o, errs)
    # mass law: 3.99 on (33, 65); 3.50 on (65, 129), where the round-off of the 9-point d_u (~1e-10 at
    # nx = 257, growing like du^-1.5) already shows: only the first pair is held to the band
    o = _orders(errs, "mass_law")
    assert BAND[0] < o[0] < BAND[1] and o[1] > 3.0, o
    assert errs[-1]["theta"] < 2e-11 and errs[-1]["xi"] < 3e-11
    assert max(e["U0"] for e in errs) < 1e-13               # a Bondi frame at scri+ to round-off


SLOW_CFG = """\
kind = "worldtube"
G = {G}
[grid]
nx = 65
nphi = 32
R = {R}
[evolution]
u_start = -3.0
u_end = 6.0
cfl = {cfl}
[worldtube]
r_w = {r_w}
background = "spinning_particle"
mu = 0.6
angular_momentum = 1.5
bursts = [
    {{ amplitude = {a1}, u_center = 0.0, width = 0.8, m = 1, modulation = 0.9, phase = 0.2 }},
    {{ amplitude = {a2}, u_center = 2.5, width = 0.5, m = 5, modulation = 0.7, phase = 2.0 }},
]
shadow_grid = true
"""


@pytest.mark.slow
@pytest.mark.parametrize("G, R, cfl, r_w, ladder", [(0.05, 1.0, 2.0, 0.25, (33, 65, 129, 257, 513)),
                                                     (0.2, 3.0, 4.0, 2.0, (65, 129, 257, 513, 1025))])
def test_spinning_particle_with_dust_ladder(G, R, cfl, r_w, ladder):
    """Spinning particle + two bursts (m = 1, 5), small and large tubes, five rungs each: Theta and Xi
    converge at order 4 down to round-off (pairs whose finer error is below FLOOR = 1e-11 are not
    used: measured floors 3e-12 .. 5e-12 for Xi = N - (u/2) Theta'), and every rung passes its own
    shadow-grid checks.  Measured (G = 0.05): Xi errors 3.9e-9, 2.4e-10, 1.5e-11, 3.2e-12, orders
    4.00, 4.00 above the floor."""
    # amplitudes within the particle's energy budget E + 1/(8G) = (1 - mu^2)/(8G) (0.4 at G = 0.2)
    scale = 1.0 if G <= 0.05 else 0.4
    text = SLOW_CFG.format(G=G, R=R, cfl=cfl, r_w=r_w, a1=0.05 * scale, a2=0.08 * scale)
    errs = []
    for nx in ladder:
        cfg = config.parse(text.replace("nx = 65", f"nx = {nx}"))
        d = W.run(cfg)
        assert all(c.passed for c in d.checks), (nx, [(c.name, c.value, c.tolerance) for c in d.checks if not c.passed])
        errs.append(dict(theta=d.summary["error_theta"], xi=d.summary["error_xi"]))
        assert abs(d.summary["J_final"] - 1.5) < 1e-12
    for key in ("theta", "xi"):
        e = np.array([x[key] for x in errs])
        usable = e[1:] > FLOOR
        o = np.log2(e[:-1] / e[1:])[usable]
        assert len(o) >= 2 and np.all((o > BAND[0]) & (o < BAND[1])), (key, e, o)
