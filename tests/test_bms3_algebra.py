"""BMS3 charge algebra, central charges, finite action: group law and infinitesimal limit.

All identities are checked numerically with the module's own functions on a spectral grid.
Random data are trigonometric polynomials of degree <= K = 5 on n = 64 points, so every
product in the identities (degree <= 3K = 15 < n/2) is represented exactly on the grid and
the only error is round-off.  Round-off tolerance: a few hundred eps times the magnitude of
the terms (measured residuals are quoted next to each assertion).
"""
from __future__ import annotations

import numpy as np
import pytest

from asymflat.bms3 import (
    BMS3Element,
    TrigSeries,
    boost,
    bracket,
    central_term,
    charge,
    derivative,
    finite_action,
    from_fourier_terms,
    infinitesimal_action,
    infinitesimal_element,
    make_spacetime,
    phi_grid,
    poincare_charges,
    rotation,
)
from asymflat.bms3.spectral import integrate

EPS = np.finfo(float).eps
N = 64
K = 5


def rand_trig(rng, K=K, scale=1.0, n=N):
    phi = phi_grid(n)
    f = scale * rng.normal()
    for k in range(1, K + 1):
        f = f + scale * (rng.normal() * np.cos(k * phi) + rng.normal() * np.sin(k * phi)) / k
    return f


def variation_of_charge(theta, xi, T1, Y1, T2, Y2, G):
    """delta_{xi2} Q_{xi1} = (1/16 pi G) oint (T1 delta2 Theta + 2 Y1 delta2 Xi)."""
    dth, dxi = infinitesimal_action(theta, xi, T2, Y2)
    return charge(dth, dxi, T1, Y1, G)


@pytest.mark.parametrize("seed", range(5))
def test_charge_algebra_random(seed):
    rng = np.random.default_rng(seed)
    G = float(rng.uniform(0.3, 2.0))
    theta, xi = rand_trig(rng), rand_trig(rng)
    T1, Y1, T2, Y2 = (rand_trig(rng) for _ in range(4))
    lhs = variation_of_charge(theta, xi, T1, Y1, T2, Y2, G)
    T12, Y12 = bracket(T1, Y1, T2, Y2)
    rhs = charge(theta, xi, T12, Y12, G) + central_term(T1, Y1, T2, Y2, G)
    # magnitude of the terms: the integrand of the largest piece
    scale = (np.max(np.abs(T12 * theta)) + np.max(np.abs(Y12 * xi)) + np.max(np.abs(derivative(Y1, 3) * T2))) / G
    # measured |lhs - rhs| / scale <= 0.02 eps (scale is a generous bound on the integrands)
    assert abs(lhs - rhs) <= 200 * EPS * scale
    # the identity has teeth: without the central term or with the opposite bracket it fails
    assert abs(lhs - charge(theta, xi, T12, Y12, G)) > 1e-6 * scale
    assert abs(lhs - (-charge(theta, xi, T12, Y12, G) + central_term(T1, Y1, T2, Y2, G))) > 1e-6 * scale


def test_central_term_two_forms_and_example():
    rng = np.random.default_rng(7)
    T1, Y1, T2, Y2 = (rand_trig(rng) for _ in range(4))
    G = 0.8
    K1 = central_term(T1, Y1, T2, Y2, G)
    K2 = integrate(T2 * derivative(Y1, 3) - T1 * derivative(Y2, 3)) / (8 * np.pi * G)
    assert abs(K1 - K2) <= 100 * EPS * max(abs(K1), 1.0)
    # reference 2.6: T1 = cos, Y2 = sin on Minkowski: Q_[xi1,xi2] = -1/(8G), K = +1/(8G)
    phi = phi_grid(N)
    z = np.zeros(N)
    T12, Y12 = bracket(np.cos(phi), z, z, np.sin(phi))
    assert np.allclose(T12, 1.0, atol=1e-14) and np.allclose(Y12, 0.0, atol=1e-14)
    q = charge(-np.ones(N), z, T12, Y12, G)
    k = central_term(np.cos(phi), z, z, np.sin(phi), G)
    assert abs(q + 1 / (8 * G)) < 1e-14 and abs(k - 1 / (8 * G)) < 1e-14


def test_mode_algebra_central_charges():
    """i{J_m,J_n} = (m-n) J_{m+n} + c1/12 m^3 delta; i{J_m,P_n} = (m-n) P_{m+n} + c2/12 m^3 delta.

    The central terms are extracted from the computed brackets (random state), not hard-coded.
    """
    rng = np.random.default_rng(11)
    G = 0.7
    theta, xi = rand_trig(rng, K=4), rand_trig(rng, K=4)
    phi = phi_grid(N)
    z = np.zeros(N, dtype=complex)
    e = lambda k: np.exp(1j * k * phi)  # noqa: E731
    P = lambda k: charge(theta, xi, e(k), z, G)  # noqa: E731
    J = lambda k: charge(theta, xi, z, e(k), G)  # noqa: E731
    c1_vals, c2_vals, max_off = [], [], 0.0
    for m in range(-4, 5):
        for n in range(-4, 5):
            jj = 1j * variation_of_charge(theta, xi, z, e(m), z, e(n), G)
            jp = 1j * variation_of_charge(theta, xi, z, e(m), e(n), z, G)
            pp = 1j * variation_of_charge(theta, xi, e(m), z, e(n), z, G)
            cjj = jj - (m - n) * J(m + n)
            cjp = jp - (m - n) * P(m + n)
            max_off = max(max_off, abs(pp))  # {P_m, P_n} = 0
            if m + n == 0 and m != 0:
                c1_vals.append(12 * cjj / m**3)
                c2_vals.append(12 * cjp / m**3)
            else:
                max_off = max(max_off, abs(cjj), abs(cjp))
    c1 = np.array(c1_vals)
    c2 = np.array(c2_vals)
    # measured: |c1| < 1e-13, |c2 G - 3| < 1e-14, off-diagonal central parts < 1e-13
    assert np.max(np.abs(c1)) < 1e-11
    assert np.max(np.abs(c2 * G - 3.0)) < 1e-12
    assert max_off < 1e-11


@pytest.mark.parametrize("seed", range(3))
def test_infinitesimal_limit_of_finite_law(seed):
    """F = phi + eps Y, gamma = eps T: (finite - identity)/eps -> infinitesimal law, error O(eps)."""
    rng = np.random.default_rng(100 + seed)
    theta, xi = rand_trig(rng, K=3), rand_trig(rng, K=3)
    Y = TrigSeries.from_grid(rand_trig(rng, K=3, scale=0.5))
    T = TrigSeries.from_grid(rand_trig(rng, K=3, scale=0.5))
    dth, dxi = infinitesimal_action(theta, xi, T.on_grid(N), Y.on_grid(N))
    errs = []
    for eps in (1e-3, 1e-4):
        th_e, xi_e = infinitesimal_element(T, Y, eps).act(theta, xi, n=N)
        errs.append(max(np.max(np.abs((th_e - theta) / eps - dth)), np.max(np.abs((xi_e - xi) / eps - dxi))))
    # O(eps): the error drops by ~10 per factor 10 in eps (measured ratios 9.9-10.0)
    assert 7.0 < errs[0] / errs[1] < 13.0
    assert errs[1] < 1e-2 * max(np.max(np.abs(dth)), np.max(np.abs(dxi)))


def _random_element(rng, amp=0.06, K=3):
    terms = [[k, amp * rng.normal() / k, amp * rng.normal() / k] for k in range(2, K + 1)]
    F = rotation(rng.uniform(0, 2 * np.pi)).compose(boost(rng.uniform(-0.5, 0.5), rng.uniform(0, 6.3))).compose(
        from_fourier_terms(terms))
    gamma = TrigSeries.from_cos_sin([[k, rng.normal() / k**2, rng.normal() / k**2] for k in range(1, K + 1)],
                                    constant=rng.normal())
    return BMS3Element(F, gamma)


@pytest.mark.parametrize("seed", range(3))
def test_group_law(seed):
    """Applying (F1,g1) then (F2,g2) equals the composite (F1 o F2, g2 + g1 o F2 / F2')."""
    n = 256
    rng = np.random.default_rng(200 + seed)
    theta, xi = rand_trig(rng, K=3, n=n), rand_trig(rng, K=3, n=n)
    E1, E2 = _random_element(rng), _random_element(rng)
    th1, xi1 = E1.act(theta, xi, n=n)
    th12, xi12 = E2.act(th1, xi1, n=n)
    thc, xic = E1.then(E2, n=n).act(theta, xi, n=n)
    scale = max(np.max(np.abs(th12)), np.max(np.abs(xi12)))
    # error: Fourier interpolation of the intermediate state (resolved at n = 256) + round-off,
    # for Xi amplified by the third derivative of the sampled composite gamma;
    # measured relative 2e-16 .. 3e-16 (Theta), 9e-13 .. 5e-12 (Xi)
    assert np.max(np.abs(th12 - thc)) < 1e-13 * scale
    assert np.max(np.abs(xi12 - xic)) < 5e-11 * scale
    # a wrong composite (order swapped) is far off
    thw, _ = E2.then(E1, n=n).act(theta, xi, n=n)
    assert np.max(np.abs(th12 - thw)) > 1e-3 * scale


def test_finite_law_moebius_and_supertranslation():
    n = 64
    phi = phi_grid(n)
    # boosts leave Minkowski invariant: S[F] = (1 - F'^2)/2 exactly
    B = boost(0.9, 1.3)
    th, xi = finite_action(-1.0, 0.0, B, 0.0, n=n)
    assert np.max(np.abs(th + 1)) < 1e-13 and np.max(np.abs(xi)) < 1e-13
    # pure supertranslation u_new = u_old + alpha on a general state (reference 2.4)
    rng = np.random.default_rng(3)
    theta, xiold = rand_trig(rng, K=3), rand_trig(rng, K=3)
    alpha = TrigSeries.from_grid(rand_trig(rng, K=3))
    th2, xi2 = BMS3Element.supertranslation(alpha).act(theta, xiold, n=n)
    a = alpha.on_grid(n)
    expect = xiold - derivative(a) * theta - 0.5 * a * derivative(theta) + derivative(a, 3)
    assert np.max(np.abs(th2 - theta)) < 1e-13
    # round-off of a spectral third derivative: eps (n/2)^3 |alpha| (measured 7e-12 = 0.4 of it)
    assert np.max(np.abs(xi2 - expect)) < 10 * EPS * (n / 2) ** 3 * np.max(np.abs(a))
    _ = phi


def test_supertranslated_minkowski_distinct():
    """Theta = -1, Xi = alpha' + alpha''' ; same Poincare charges, different |n| >= 2 J_n."""
    n = 64
    G = 1.3
    alpha_terms = [[1, 0.4, -0.2], [2, 0.5, 0.2], [3, 0.0, -0.3], [5, 0.1, 0.1]]
    st = make_spacetime("supertranslated_minkowski", G, frame_parameters={"supertranslation": alpha_terms})
    mk = make_spacetime("minkowski", G)
    cut = st.cuts("scri_plus", n, [0.0])[0][0]
    cut0 = mk.cuts("scri_plus", n, [0.0])[0][0]
    alpha = TrigSeries.from_cos_sin(alpha_terms).on_grid(n)
    assert np.max(np.abs(cut.theta + 1)) < 1e-13
    # embedding vs spectral alpha' + alpha^(3): the round-off eps (n/2)^3 |alpha| of the spectral
    # third derivative dominates (measured 2.3e-12 = 0.3 of it)
    tol = 10 * EPS * (n / 2) ** 3 * np.max(np.abs(alpha))
    assert np.max(np.abs(cut.xi - (derivative(alpha) + derivative(alpha, 3)))) < tol
    pa, pb = poincare_charges(cut.theta, cut.xi, G), poincare_charges(cut0.theta, cut0.xi, G)
    for k in pa:
        assert abs(pa[k] - pb[k]) < 1e-14, k
    assert abs(pa["E"] + 1 / (8 * G)) < 1e-15
    ns, _, Ja = cut.mode_charges(6)
    _, _, Jb = cut0.mode_charges(6)
    for k, nn in enumerate(ns):
        phi = phi_grid(n)
        Y = np.exp(1j * nn * phi)
        expect = -integrate(alpha * (derivative(Y) + derivative(Y, 3))) / (8 * np.pi * G)
        assert abs(Ja[k] - expect) < 1e-13
        if abs(nn) in (2, 3, 5):
            assert abs(Ja[k] - Jb[k]) > 1e-3
        if abs(nn) <= 1:
            assert abs(Ja[k] - Jb[k]) < 1e-14
    # a second supertranslation gives a third distinct Minkowski space
    st2 = make_spacetime("supertranslated_minkowski", G, frame_parameters={"supertranslation": [[2, -0.5, 0.0]]})
    c2 = st2.cuts("scri_plus", n, [0.0])[0][0]
    assert np.max(np.abs(c2.mode_charges(3)[2] - Ja[3:10])) > 1e-3
