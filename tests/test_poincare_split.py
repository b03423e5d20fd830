"""The Poincare part of a BMS3 element (asymflat/bms3/poincare.py) and the gate of a carried
/scri_plus_final_frame (asymflat/pipeline/final_frame.py ``check_failures``; issue 21)."""
from __future__ import annotations

import numpy as np
import pytest

from asymflat.bms3 import diffeo
from asymflat.bms3.action import BMS3Element
from asymflat.bms3.poincare import lorentz, poincare_part
from asymflat.bms3.spectral import TrigSeries, phi_grid
from asymflat.pipeline.final_frame import check_failures

X = phi_grid(256)


def _poincare(theta=0.3, eta=0.4, direction=1.1, a=(1.2, -0.3, 0.25)) -> BMS3Element:
    g = TrigSeries.from_grid(a[0] + a[1] * np.cos(X) + a[2] * np.sin(X), chop=4 * np.finfo(float).eps)
    return BMS3Element(lorentz(theta, eta, direction), g)


def test_minkowski_is_invariant_under_the_fitted_family():
    """The family of the fit is the stabiliser of Minkowski: (Theta, Xi) = (-1, 0) is mapped to itself."""
    th, xi = _poincare().act(-np.ones(64), np.zeros(64), n=64)
    assert np.max(np.abs(th + 1)) < 1e-12 and np.max(np.abs(xi)) < 1e-11


def test_a_poincare_element_is_recovered_with_identity_remainder():
    P0 = _poincare()
    s = poincare_part(P0)
    assert s.theta == pytest.approx(0.3, abs=1e-12) and s.rapidity == pytest.approx(0.4, abs=1e-12)
    assert s.direction == pytest.approx(1.1, abs=1e-12)
    assert np.allclose(s.translation, (1.2, -0.3, 0.25), atol=1e-12)
    assert s.remainder_F < 1e-12 and s.remainder_gamma < 1e-12


def test_split_recomposes_and_measures_a_non_poincare_part():
    """Q = P0 . R0 with R0 a superrotation + supertranslation of |m| = 2, 3: P . R = Q, and the
    remainder is of R0's size (not absorbed into P)."""
    R0 = BMS3Element(diffeo.from_grid(1e-3 * np.sin(2 * X) + 5e-4 * np.cos(3 * X)),
                     TrigSeries.from_grid(2e-3 * np.cos(2 * X)))
    Q = _poincare().then(R0)
    s = poincare_part(Q)
    back = s.P.then(s.R)
    assert np.max(np.abs(back.F(X) - Q.F(X))) < 1e-12 and np.max(np.abs(back.gamma(X) - Q.gamma(X))) < 1e-12
    assert 3e-4 < s.remainder_F < 3e-3 and 1e-3 < s.remainder_gamma < 5e-3


def test_gate_names_each_failing_check():
    ok = dict(final_state_theta_residual=1e-5, i_plus_theta_scale=1e-6, i_plus_theta_residual=1.1e-5,
              final_state_xi_residual=1e-6, i_plus_xi_scale=1e-6, i_plus_xi_residual=1e-6,
              flux_theta_abs_carried=1e-3, flux_theta_bound=1e-3, flux_N_abs_carried=2.9e-4, flux_N_bound=1e-4,
              i_plus_theta_run_tail=1e-6, carry_F1_squared_max=1.0, late_frame_remainder_F=1e-8,
              late_frame_remainder_gamma=1e-7, memory_F_error=1e-7, memory_gamma_error=1e-6,
              map_deviation_gamma=1e-3)
    assert check_failures(ok) == []
    # a carried range that stops short of i+ (the m = 3 table at G = 0.02, nx = 257: the radiation not yet
    # gone at the last carried cut 6.1e-3 against the run's own 1.4e-4 x max F_L'^2 1.35; there the i+
    # gates themselves passed, their tolerance growing with it: Theta + 1 = 0.30)
    f = check_failures(dict(ok, i_plus_theta_scale=6.13e-3, i_plus_theta_run_tail=1.41e-4, carry_F1_squared_max=1.35))
    assert len(f) == 1 and f[0].startswith("final_frame_reaches_i_plus"), f
    # /memory's map undetermined (the m = 3 table at G = 0.02, nx = 257, u_end = 40: gamma_error 23 against
    # max|gamma| 4.0; every other carried run measured: at most 4.1e-2 of it)
    f = check_failures(dict(ok, memory_gamma_error=23.2, map_deviation_gamma=3.97, late_frame_remainder_gamma=4.8e-2))
    assert len(f) == 1 and f[0].startswith("final_frame_memory_map_determined"), f
    # /memory's map and the vertex transport not Poincare-related within /memory's error
    f = check_failures(dict(ok, late_frame_remainder_gamma=4e-6))
    assert len(f) == 1 and f[0].startswith("final_frame_poincare_remainder_gamma"), f
    # the carried N law beyond SAFETY x the run's residual transported by the map
    f = check_failures(dict(ok, flux_N_abs_carried=3.1e-4))
    assert len(f) == 1 and f[0].startswith("final_frame_flux_N 0.00031 > 0.0003")
    # Xi at i+ beyond SAFETY x (final state + scale), and the Theta flux law
    f = check_failures(dict(ok, i_plus_xi_residual=1e-5, flux_theta_abs_carried=4e-3))
    assert len(f) == 2 and f[0].startswith("final_frame_i_plus_xi 1e-05 > 6e-06") and f[1].startswith("final_frame_flux_theta")
    # a NaN never passes
    assert len(check_failures(dict(ok, flux_N_abs_carried=float("nan")))) == 1
