"""The first-cone ladder of the scattering kind: first-cut levels (only the main level, evolution.u_start,
is evolved to u_end), deep ladders, and the extrapolation through 4+ levels."""
from __future__ import annotations

import copy

import numpy as np
import pytest

from asymflat.kinds import scattering as sc
from asymflat.pipeline import ladder as L
from asymflat.pipeline.i0_matching import extrapolate

C1 = dict(kind="scattering", G=0.05, grid=dict(nx=65, nphi=8, R=4.0),
          evolution=dict(u_start=-16.0, u_end=6.0, cfl=3.5), output=dict(scri_every=1, fields_every=0),
          characteristic=dict(pulses=[dict(amplitude=1.0, a=1.0, t0=0.0, x0=0.0, y0=0.0)], shadow_grid=True),
          scattering=dict(first_cones=[-32.0, -16.0, -8.0, -4.0], scale_R=True))
OFF = dict(C1, G=0.01, grid=dict(nx=65, nphi=16, R=4.0),
           characteristic=dict(pulses=[dict(amplitude=1.0, a=1.0, t0=0.0, x0=0.5, y0=-0.3)], shadow_grid=True))


@pytest.mark.parametrize("cfg", [C1, OFF], ids=["circular", "off-centre"])
def test_first_cut_level_equals_full_evolution(cfg):
    """What the i0 matching reads of a level (the first scri+ cut, the scri- data of its first cone,
    beta on the cone) is bit-identical whether the level is evolved to u_end or for FIRST_CUT_STEPS."""
    lev = L.ladder_levels(cfg)[-1]
    full, short = L.run_level(lev), L.run_level(lev, first_cut_only=True)
    assert short["nsteps"] == L.FIRST_CUT_STEPS < full["nsteps"]
    (fp, fm), (sp, sm) = L.i0_cuts(full, cfg["G"]), L.i0_cuts(short, cfg["G"])
    for a, b in ((fp.theta, sp.theta), (fp.xi, sp.xi), (fm.theta, sm.theta), (fm.xi, sm.xi),
                 (full["M"]["beta_cone"], short["M"]["beta_cone"]), (full["Mc"]["theta"], short["Mc"]["theta"])):
        assert np.array_equal(a, b)


def test_main_level_is_u_start():
    levels = L.ladder_levels(C1)
    assert [lv["main"] for lv in levels] == [False, True, False, False] and L.main_index(levels) == 1


@pytest.mark.parametrize("change, message", [
    (dict(evolution=dict(u_start=-12.0, u_end=6.0, cfl=3.5)), "evolution.u_start = -12.0: must be one of "
                                                               "scattering.first_cones"),
    (dict(scattering=dict(first_cones=[-16.0, -32.0, -4.0], scale_R=True)), "must be strictly increasing"),
])
def test_ladder_refusals(change, message):
    cfg = copy.deepcopy(C1)
    cfg.update(change)
    with pytest.raises(ValueError, match=message):
        L.ladder_levels(cfg)


def test_extrapolation_through_four_or_more_levels():
    """q = q_inf + C1/D + C2/D^2 (the model of the cone data): five levels recover q_inf to round-off
    (the integer model is exact, so both triples agree); with a 1/D^3 term the estimate covers the
    actual error, and it includes the change between the two earliest triples."""
    D = np.array([64.0, 32.0, 16.0, 8.0, 4.0])
    exact = 0.3 - 0.08 / D - 0.25 / D ** 2
    q, p, est = extrapolate(D, exact[:, None])
    assert abs(q[0] - 0.3) < 1e-3 and est[0] >= abs(q[0] - 0.3)
    bent = exact + 2.0 / D ** 3
    q, p, est = extrapolate(D, bent[:, None])
    q13, _, e13 = extrapolate(D[:3], bent[:3, None])
    q24, _, _ = extrapolate(D[1:4], bent[1:4, None])
    assert q[0] == q13[0] and est[0] >= max(e13[0], abs(q13[0] - q24[0]))
    assert abs(q[0] - 0.3) <= est[0]


def test_deep_ladder_run_is_cheap_and_tightens_the_limit():
    """Four levels (u0 = -32 ... -4, the main one -16) against the three latest: the limit's error bar
    shrinks.  Measured (nx 65): E limit -8.2e-4 +- 1.4e-3 (3 levels) -> -7.0e-4 +- 5.3e-4 (4 levels)."""
    d4 = sc.run(C1)
    d3 = sc.run(dict(C1, scattering=dict(first_cones=[-16.0, -8.0, -4.0], scale_R=True)))
    e4 = d4.matching["limit/charges_residual_error"][0][0]
    e3 = d3.matching["limit/charges_residual_error"][0][0]
    print("E limit error: 3 levels", e3, "4 levels", e4, "limits", d3.matching["limit/charges_residual"][0][0],
          d4.matching["limit/charges_residual"][0][0])
    assert e4 < e3
    assert d4.summary["nsteps_main"] == d3.summary["nsteps_main"]     # the same main evolution
    # the i0 gates (the main level's scri+ checks at nx 65 are pre-asymptotic and not the subject here)
    i0 = [c for c in d4.checks if c.name.startswith(("matching_limit", "hill_trace_i0", "global_balance_limit"))]
    assert len(i0) == 13 and all(c.passed for c in i0), [(c.name, c.value, c.tolerance) for c in i0]
