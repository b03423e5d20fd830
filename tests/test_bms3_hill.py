"""Hill's equation y'' = (Theta/4) y: monodromy, winding, orbit classification, F and gamma recovery.

Tolerances: DOP853 at rtol = atol = 1e-12 over one period; the measured monodromy errors are
1e-13 .. 1e-12, the tests allow 1e-9 (also the error estimate the module reports, the
difference with a run at rtol 1e-10, is ~1e-11 .. 1e-10).
"""
from __future__ import annotations

import numpy as np
import pytest

from asymflat.bms3 import (
    BMS3Element,
    TrigSeries,
    boost,
    finite_action,
    from_fourier_terms,
    hill,
    make_spacetime,
    phi_grid,
    recover_frame,
    recover_superrotation,
    rotation,
)

N = 128


def random_superrotation(rng, amp=0.08):
    terms = [[k, amp * rng.normal() / k, amp * rng.normal() / k] for k in (2, 3, 4)]
    return rotation(rng.uniform(0, 6.3)).compose(boost(rng.uniform(-0.7, 0.7), rng.uniform(0, 6.3))).compose(
        from_fourier_terms(terms))


@pytest.mark.parametrize("seed", range(4))
def test_minkowski_orbit_random_superrotations(seed):
    F = random_superrotation(np.random.default_rng(seed))
    theta, _ = finite_action(-1.0, 0.0, F, 0.0, n=N)
    h = hill(theta)
    assert np.max(np.abs(h.monodromy + np.eye(2))) < 1e-9  # measured ~1e-12
    assert round(h.winding) == 1 and abs(h.winding - 1) < 1e-9
    assert h.classification == "minkowski"
    assert abs(h.bondi_rest_mass) < 1e-12 and abs(h.djth_mass) < 1e-12


def test_three_fold_cover_told_apart():
    rng = np.random.default_rng(1)
    F = random_superrotation(rng)
    for th_old in (-9.0,):
        theta, _ = finite_action(th_old, 0.0, F, 0.0, n=N)
        h = hill(theta)
        # same monodromy as Minkowski ...
        assert np.max(np.abs(h.monodromy + np.eye(2))) < 1e-9
        # ... but winding 3
        assert round(h.winding) == 3 and abs(h.winding - 3) < 1e-9
        assert h.classification == "3-fold cover of minkowski"
    # 2-fold cover: M = +1, winding 2
    h2 = hill(-4.0)
    assert np.max(np.abs(h2.monodromy - np.eye(2))) < 1e-9 and round(h2.winding) == 2
    with pytest.raises(ValueError, match="Minkowski orbit"):
        recover_superrotation(finite_action(-9.0, 0.0, F, 0.0, n=N)[0])


@pytest.mark.parametrize("mu", [0.2, 0.5, 0.83])
def test_conical_defect_trace_and_frame_invariance(mu):
    h = hill(-(mu**2))
    assert abs(h.trace - 2 * np.cos(np.pi * mu)) < 1e-10
    assert abs(h.mu - mu) < 1e-8
    G = 0.5
    st = make_spacetime("boosted_particle", G, mass=(1 - mu) / (4 * G), rapidity=0.9, direction=2.0,
                        frame_parameters={"superrotation": [[2, 0.04, -0.02]], "rotation": 0.3})
    hb = st.predicted_cut("scri_plus", N).hill()
    assert abs(hb.trace - 2 * np.cos(np.pi * mu)) < 1e-9
    assert abs(hb.djth_mass - (1 - mu) / (4 * G)) < 1e-7  # arccos amplification near tr = +-2
    assert abs(hb.bondi_rest_mass - (1 - mu**2) / (8 * G)) < 1e-7


@pytest.mark.parametrize("theta0", [0.05, 0.4, 2.0])
def test_flat_space_cosmology_trace(theta0):
    h = hill(theta0)
    expect = 2 * np.cosh(np.pi * np.sqrt(theta0))
    assert abs(h.trace - expect) < 1e-10 * expect
    assert h.classification.startswith("flat-space cosmology")
    hp = hill(0.0)
    assert abs(hp.trace - 2) < 1e-12 and abs(hp.monodromy[1, 0]) < 1e-12 and abs(hp.monodromy[0, 1] - 2 * np.pi) < 1e-10


@pytest.mark.parametrize("seed", range(3))
def test_recover_superrotation_and_supertranslation(seed):
    rng = np.random.default_rng(10 + seed)
    F = random_superrotation(rng, amp=0.05)
    gamma = TrigSeries.from_cos_sin([[k, rng.normal() / k**2, rng.normal() / k**2] for k in (2, 3, 4)])
    n = 256  # the frames reach F' ~ 0.5 .. 2: n = 128 leaves 1e-5 truncation in Xi, n = 256 ~1e-7
    theta, xi = BMS3Element(F, gamma).act(-1.0, 0.0, n=n)
    Frec, gam, info = recover_frame(theta, xi)
    # Theta = -F'^2 - 2 S[F] of the recovered F: the integrator noise (rtol 1e-13) in F' enters
    # S[F] through two more derivatives (~m^2 amplification); measured 9e-9 .. 4e-8
    assert info["theta_residual"] < 5e-7
    # the recovered frame reproduces the state (the third derivative of gamma adds one more
    # derivative of the noise: modes below 1e-11 are chopped); measured 2e-8 .. 3e-7
    th2, xi2 = BMS3Element(Frec, TrigSeries.from_grid(gam, chop=1e-11)).act(-1.0, 0.0, n=n)
    assert np.max(np.abs(th2 - theta)) < 5e-7
    assert np.max(np.abs(xi2 - xi)) < 5e-6 * max(1.0, np.max(np.abs(xi)))
    # obstruction modes (|m| <= 1 of Xi in the Minkowski frame) vanish on the orbit
    assert max(abs(v) for v in info["obstruction"].values()) < 1e-10
    # F normalised like the recovery (F(0) = 0, F'(0) = 1, F''(0) = 0) is recovered exactly
    x = phi_grid(n)
    assert abs(Frec(0.0)) < 1e-12 and abs(Frec.d(0.0, 1) - 1) < 1e-9 and abs(Frec.d(0.0, 2)) < 1e-8
    _ = x


def test_recover_minkowski_supertranslation_reports_obstruction():
    from asymflat.bms3 import solve_minkowski_supertranslation
    from asymflat.bms3.spectral import derivative

    x = phi_grid(64)
    alpha = 0.3 * np.cos(2 * x) - 0.1 * np.sin(5 * x)
    xi = derivative(alpha) + derivative(alpha, 3)
    sol = solve_minkowski_supertranslation(xi)
    # gamma = -alpha up to translations (|m| <= 1); measured 1e-16
    assert np.max(np.abs(sol.gamma + alpha)) < 1e-13
    sol2 = solve_minkowski_supertranslation(xi + 0.2 * np.cos(x))
    assert abs(abs(sol2.obstruction[1]) - 0.1) < 1e-14
