"""Validation of the non-axisymmetric flat field (c2) and its O(G) metric response.

Reference: ``bondi-equations.md`` §6 (c2), §1.1.
"""
import numpy as np
import sympy as sp
from scipy import integrate

from asymflat.exact import weak_field as WF

U_, A_, B_, EPS, GN, R_ = 0.3, 1.1, 0.6, 0.8, 1.0, 1.0
u, r, phi = sp.symbols("u r phi", real=True)


def _Sigma(a, b, conj=False):
    s = u + sp.I * a if conj else u - sp.I * a
    return b**2 - s**2 - 2 * r * (s + b * sp.cos(phi))


def _flat_box_of_power(Sig, k):
    """r Sigma^{2-k} box_flat(Sigma^k) as a polynomial: with F = f(Sigma), chain rule gives
    r box F = f''(Sigma) Q2 + f'(Sigma) Q1, Q2 = -2r Sig_u Sig_r + r Sig_r^2 + Sig_phi^2/r,
    Q1 = -2r Sig_ur - Sig_u + (r Sig_r)_r + Sig_phiphi/r  (box_flat as in (c1) plus d_phi^2/r^2)."""
    d = sp.diff
    Q2 = -2 * r * d(Sig, u) * d(Sig, r) + r * d(Sig, r) ** 2 + d(Sig, phi) ** 2 / r
    Q1 = -2 * r * d(Sig, u, r) - d(Sig, u) + d(r * d(Sig, r), r) + d(Sig, phi, 2) / r
    poly = r * (k * (k - 1) * Q2 + k * Sig * Q1)
    poly = sp.expand(sp.expand(poly).subs(sp.sin(phi) ** 2, 1 - sp.cos(phi) ** 2))
    return poly


def test_psi_solves_flat_wave_equation():
    """-2 r F_ur - F_u + d_r(r F_r) + F_phiphi / r = 0 for F = Sigma^{-1/2} (symbolic, exact
    polynomial identity (3/4) Q2 - (1/2) Sigma Q1 = 0); Sigma^{-1/3} fails (control).  A direct
    differentiation of Sigma^{-1/2} is compared at a numerical point."""
    a, b = sp.symbols("a b", positive=True)
    Sig = _Sigma(a, b)
    assert _flat_box_of_power(Sig, sp.Rational(-1, 2)) == 0
    assert _flat_box_of_power(Sig, sp.Rational(-1, 3)) != 0
    F = Sig ** sp.Rational(-1, 2)
    box = -2 * r * sp.diff(F, u, r) - sp.diff(F, u) + sp.diff(r * sp.diff(F, r), r) + sp.diff(F, phi, 2) / r
    val = sp.N(box.subs({u: sp.Rational(3, 10), r: sp.Rational(7, 4), phi: 1, a: sp.Rational(11, 10), b: sp.Rational(3, 5)}), 30)
    assert abs(val) < 1e-25


def test_numpy_derivatives_match_sympy():
    a, b, eps = sp.Rational(11, 10), sp.Rational(3, 5), sp.Rational(4, 5)
    F = eps * (_Sigma(a, b) ** sp.Rational(-1, 2) + _Sigma(a, b, True) ** sp.Rational(-1, 2)) / 2
    ders = {"psi": F, "r": sp.diff(F, r), "u": sp.diff(F, u), "phi": sp.diff(F, phi),
            "rphi": sp.diff(F, r, phi), "phiphi": sp.diff(F, phi, 2), "rphiphi": sp.diff(F, r, phi, 2)}
    for pt in ((-1.2, 0.7, 0.3), (0.4, 3.5, 2.0), (2.0, 11.0, 4.4)):
        d = WF.psi_derivatives(*pt, 0.8, 1.1, 0.6)
        for k, e in ders.items():
            ref = complex(sp.N(e.subs(dict(zip((u, r, phi), pt))), 20))
            assert abs(d[k] - ref.real) < 1e-13 * (1 + abs(ref)) and abs(ref.imag) < 1e-15, k
    assert abs(WF.psi(0.4, 3.5, 2.0, 0.8, 1.1, 0.6) - WF.psi_derivatives(0.4, 3.5, 2.0, 0.8, 1.1, 0.6)["psi"]) < 1e-15


def test_psi0_plus_is_scri_limit():
    ph = np.linspace(0, 2 * np.pi, 7)
    r1, r2 = 1e5, 2e5
    lim = 2 * np.sqrt(r2) * WF.psi(U_, r2, ph, EPS, A_, B_) - np.sqrt(r1) * WF.psi(U_, r1, ph, EPS, A_, B_)
    assert np.allclose(lim, WF.psi0_plus(U_, ph, EPS, A_, B_), atol=1e-8)


def test_beta1_closed_form_vs_quadrature():
    """beta1 closed form = 4 pi G int_0^r s psi_s^2 ds (quad, 1e-12), including r = oo (scri)."""
    for (uu, rr, pp) in ((-1.2, 0.7, 0.3), (0.4, 3.5, 2.0), (2.0, 11.0, 4.4), (0.0, np.inf, 1.0), (-3.0, np.inf, 3.0)):
        f = lambda s: 4 * np.pi * GN * s * WF.psi_derivatives(uu, s, pp, EPS, A_, B_)["r"] ** 2  # noqa: E731
        q, _ = integrate.quad(f, 0, rr, epsabs=0, epsrel=1e-13, limit=400)
        c = WF.beta1(uu, rr, pp, GN, EPS, A_, B_)
        assert abs(c - q) < 1e-12 * abs(q), (uu, rr, pp, c, q)


def test_first_order_fields_vs_nested_quadrature():
    """Qbar1, U1 = int (Qbar - 2 r beta_phi)/r^3, W1 = int (8 pi G psi_phi^2/r + Qbar_phi/r^2): the
    grid routine (single integrals after exchanging the integration order, Gauss--Legendre in x)
    against the defining nested scipy quadratures."""
    x = np.array([0.0, 0.3, 0.5, 0.9, 1.0])
    ph = np.array([0.4, 2.0])
    F = WF.first_order_fields(U_, x, ph, R_, GN, EPS, A_, B_)
    assert np.all(F["U1"][0] == 0) and np.all(F["W1"][0] == 0)
    assert np.allclose(F["beta1"], F["beta1_closed"], atol=1e-13)
    assert np.allclose(F["chi"][-1], WF.psi0_plus(U_, ph, EPS, A_, B_), atol=1e-15)
    q = lambda f, lo, hi: integrate.quad(f, lo, hi, epsabs=1e-14, epsrel=1e-12, limit=200)[0]  # noqa: E731
    ig = lambda s, p: WF._integrands(U_, s, p, GN, EPS, A_, B_)  # noqa: E731
    j, k = 2, 1
    rr, pp = R_ * x[j] / (1 - x[j]), ph[k]
    Qb = lambda t, p=pp: q(lambda s: ig(s, p)["Qbar_s"], 0, t)  # noqa: E731
    bp = lambda t: q(lambda s: ig(s, pp)["betaphi_s"], 0, t)  # noqa: E731
    assert abs(Qb(rr) - F["Qbar1"][j, k]) < 1e-11
    U1 = q(lambda t: (Qb(t) - 2 * t * bp(t)) / t**3, 0, rr)
    assert abs(U1 - F["U1"][j, k]) < 1e-10
    h = 1e-4
    Qbp = lambda t: (Qb(t, pp + h) - Qb(t, pp - h)) / (2 * h)  # noqa: E731
    W1 = q(lambda t: 8 * np.pi * GN * WF.psi_derivatives(U_, t, pp, EPS, A_, B_)["phi"] ** 2 / t + Qbp(t) / t**2, 0, rr)
    assert abs(W1 - F["W1"][j, k]) < 1e-7
    # scri: x = 1 equals the r -> oo limit of the finite-x values (smooth in x)
    xs = np.array([1 - 4e-3, 1 - 2e-3, 1.0])
    Fs = WF.first_order_fields(U_, xs, ph, R_, GN, EPS, A_, B_)
    for key in ("Qbar1", "U1", "W1", "beta1"):
        extrap = 2 * Fs[key][1] - Fs[key][0]
        assert np.allclose(extrap, Fs[key][2], atol=1e-5), key
