"""Validation of the exact circularly symmetric solution (c1) in ``asymflat.exact.circular``.

Reference: ``bondi-equations.md`` §6 (c1), §3.4.
"""
import mpmath as mp
import numpy as np
import sympy as sp
from scipy import integrate

from asymflat.exact import circular as C

try:
    from support import bondi_sympy as B
except ImportError:  # pragma: no cover
    from tests.support import bondi_sympy as B

EPS, A, GN = 0.8, 1.3, 0.05
u_, r_ = sp.symbols("u r", real=True)


def _sym_solution(eps, a):
    """psi, beta as sympy expressions in (u, r) (u, r real), branch-free conjugate pair."""
    s, sc = u_ - sp.I * a, u_ + sp.I * a
    sig, sigc = -s * (s + 2 * r_), -sc * (sc + 2 * r_)
    psi = eps * (sig ** sp.Rational(-1, 2) + sigc ** sp.Rational(-1, 2)) / 2
    k = sp.pi * B.G * eps**2
    beta = (k / (2 * a**2) * (1 - (a**2 + u_**2 + 2 * u_ * r_)
                              / (sp.sqrt(u_**2 + a**2) * sp.sqrt((u_ + 2 * r_) ** 2 + a**2)))
            - k * (r_**2 / (s**2 * (s + 2 * r_) ** 2) + r_**2 / (sc**2 * (sc + 2 * r_) ** 2)) / 2)
    return psi, beta


def test_sigma_power_solves_flat_equation():
    """sigma^{-1/2} solves -2 r F_ur - F_u + d_r(r F_r) = 0 (symbolic); Re of it is real."""
    a = sp.Symbol("a", positive=True)
    s = u_ - sp.I * a
    F = (-s * (s + 2 * r_)) ** sp.Rational(-1, 2)
    res = -2 * r_ * sp.diff(F, u_, r_) - sp.diff(F, u_) + sp.diff(r_ * sp.diff(F, r_), r_)
    assert sp.simplify(res) == 0
    # control: sigma^{-1/3} does not
    F3 = (-s * (s + 2 * r_)) ** sp.Rational(-1, 3)
    res3 = -2 * r_ * sp.diff(F3, u_, r_) - sp.diff(F3, u_) + sp.diff(r_ * sp.diff(F3, r_), r_)
    assert sp.simplify(res3) != 0


def test_numpy_psi_matches_mpmath_and_fd_wave_equation():
    """numpy psi = eps Re[sigma^{-1/2}] (mpmath, 30 digits); 4th-order FD residual of the flat
    equation is at truncation level (checks the branch along u = -r, where Im sigma = 0)."""
    rng = np.random.default_rng(0)
    uu = rng.uniform(-6, 6, 40)
    rr = rng.uniform(0, 8, 40)
    mp.mp.dps = 30
    ref = [EPS * mp.re((-(mp.mpc(a_, -A)) * (mp.mpc(a_, -A) + 2 * b_)) ** mp.mpf(-0.5)) for a_, b_ in zip(uu, rr)]
    assert np.allclose(C.psi(uu, rr, EPS, A), np.array(ref, float), rtol=1e-13, atol=0)
    h = 1e-3
    rr = rr + 0.01
    d = lambda f, x, k: (-f(x + 2 * k) + 8 * f(x + k) - 8 * f(x - k) + f(x - 2 * k)) / (12 * h)  # noqa: E731
    p = lambda U_, R_: C.psi(U_, R_, EPS, A)  # noqa: E731
    pu = lambda U_, R_: d(lambda q: p(q, R_), U_, h)  # noqa: E731
    pr = lambda U_, R_: d(lambda q: p(U_, q), R_, h)  # noqa: E731
    assert np.allclose(pr(uu, rr), C.psi_r(uu, rr, EPS, A), atol=1e-9)
    assert np.allclose(pu(uu, rr), C.psi_u(uu, rr, EPS, A), atol=1e-9)
    pur = d(lambda q: C.psi_u(uu, q, EPS, A), rr, h)
    d_rpr = d(lambda q: q * C.psi_r(uu, q, EPS, A), rr, h)
    res = -2 * rr * pur - C.psi_u(uu, rr, EPS, A) + d_rpr
    assert np.max(np.abs(res)) < 1e-8


def test_beta_closed_form_vs_quadrature():
    """beta closed form = 4 pi G int_0^r r' psi_r^2 dr' (quad, 1e-12 relative), beta(u, 0) = 0."""
    for uu in (-4.0, -1.3, -0.2, 0.0, 0.7, 3.5):
        for rr in (0.3, 1.0, 5.0, 40.0):
            q, _ = integrate.quad(lambda s: 4 * np.pi * GN * s * C.psi_r(uu, s, EPS, A) ** 2, 0, rr,
                                  epsabs=0, epsrel=1e-13, limit=200)
            assert abs(C.beta(uu, rr, GN, EPS, A) - q) <= 1e-12 * abs(q) + 1e-16
        assert C.beta(uu, 0.0, GN, EPS, A) == 0.0
        # small r: beta = 2 pi G r^2 psi_r(u, 0)^2 + O(r^3), to relative accuracy (no cancellation)
        rr = 1e-5
        lead = 2 * np.pi * GN * rr**2 * C.psi_r(uu, 0.0, EPS, A) ** 2
        if uu != 0.0:  # psi_r(0, 0) = 0
            assert abs(C.beta(uu, rr, GN, EPS, A) / lead - 1) < 1e-4


def test_scri_limits():
    """beta -> beta0, sqrt(r) psi -> psi0_plus at fixed u; sqrt(r) psi -> psi0_minus at fixed v = u + 2r.
    The remainders are O(1/r); two radii give a Richardson-extrapolated limit."""
    uu = np.linspace(-5, 5, 21)
    r1, r2 = 1e5, 2e5
    lim = lambda f1, f2: 2 * f2 - f1  # noqa: E731
    b = lim(C.beta(uu, r1, GN, EPS, A), C.beta(uu, r2, GN, EPS, A))
    assert np.allclose(b, C.beta0(uu, GN, EPS, A), atol=1e-9)
    p = lim(np.sqrt(r1) * C.psi(uu, r1, EPS, A), np.sqrt(r2) * C.psi(uu, r2, EPS, A))
    assert np.allclose(p, C.psi0_plus(uu, EPS, A), atol=1e-8)
    vv = uu
    pm = lim(np.sqrt(r1) * C.psi(vv - 2 * r1, r1, EPS, A), np.sqrt(r2) * C.psi(vv - 2 * r2, r2, EPS, A))
    assert np.allclose(pm, C.psi0_minus(vv, EPS, A), atol=1e-8)
    assert not np.allclose(pm, C.psi0_plus(vv, EPS, A), atol=1e-3)


def test_beta0_flux_law():
    """d_u beta0 = -8 pi G (d_u psi0)^2 (30-digit numerical derivative of the closed forms)."""
    mp.mp.dps = 30
    a, eps, Gm = mp.mpf("1.3"), mp.mpf("0.8"), mp.mpf("0.05")
    k = mp.pi * Gm * eps**2
    b0 = lambda u: k / (2 * a**2) * (1 - u / mp.sqrt(u**2 + a**2)) - k / 4 * (u**2 - a**2) / (u**2 + a**2) ** 2  # noqa: E731
    p0 = lambda u: eps * mp.re((-2 * mp.mpc(u, -a)) ** mp.mpf(-0.5))  # noqa: E731
    for u in ("-3.1", "-0.4", "0", "0.9", "5"):
        u = mp.mpf(u)
        lhs = mp.diff(b0, u)
        rhs = -8 * mp.pi * Gm * mp.diff(p0, u) ** 2
        assert abs(lhs - rhs) < mp.mpf(10) ** -25
        assert abs(b0(u) - C.beta0(float(u), 0.05, 0.8, 1.3)) < 1e-15
        assert abs(mp.diff(p0, u) - C.psi0_plus_u(float(u), 0.8, 1.3)) < 1e-15
    assert abs(C.beta0(-1e8, GN, EPS, A) - C.beta0_minus_infinity(GN, EPS, A)) < 1e-12


def test_full_metric_solves_all_einstein_equations():
    """U = 0, V = -r, closed-form beta, psi: all six E_ab vanish (sympy, 30 digits at random points)."""
    eps, a = sp.Rational(4, 5), sp.Rational(13, 10)
    psi, beta = _sym_solution(eps, a)
    E = B.einstein_residuals(beta, sp.Integer(0), -r_, psi, u_, r_, B.phi, B.G)
    rng = np.random.default_rng(3)
    Gv = sp.Rational(1, 20)
    for _ in range(3):
        uv = sp.Rational(int(rng.integers(-300, 300)), 100)
        rv = sp.Rational(int(rng.integers(1, 500)), 100)
        scale = abs(sp.N((sp.diff(beta, r_) / r_).subs({u_: uv, r_: rv, B.G: Gv}), 30))
        for k, e in E.items():
            val = sp.N(e.subs({u_: uv, r_: rv, B.G: Gv}), 30)
            assert abs(val) < 1e-22 * (1 + scale), (k, val)
    # control: doubling beta breaks E_rr and E_uu
    E2 = B.einstein_residuals(2 * beta, sp.Integer(0), -r_, psi, u_, r_, B.phi, B.G)
    assert abs(sp.N(E2["rr"].subs({u_: 1, r_: 1, B.G: Gv}), 30)) > 1e-6


def test_numpy_beta_matches_sympy_closed_form():
    psi, beta = _sym_solution(sp.Rational(4, 5), sp.Rational(13, 10))
    for uv, rv in ((-2.5, 0.5), (0.3, 3.0), (4.0, 11.0)):
        sub = {u_: uv, r_: rv, B.G: 0.05}
        assert abs(complex(sp.N(beta.subs(sub), 20)) - C.beta(uv, rv, 0.05, 0.8, 1.3)) < 1e-14
        assert abs(complex(sp.N(psi.subs(sub), 20)) - C.psi(uv, rv, 0.8, 1.3)) < 1e-14


def test_bondi_time_mass_aspect_and_radiated_energy():
    """d ubar/du = e^{2 beta0}; Theta_B = -e^{-2 beta0} obeys d_ubar Theta_B = -16 pi G (d_ubar psi0)^2;
    total radiated energy (1 - e^{-2 pi G eps^2/a^2})/(8G) = 2 pi int (d_u psi0)^2 e^{-2 beta0} du."""
    uu = np.linspace(-3, 3, 601)
    ub = C.bondi_time(uu, GN, EPS, A)
    assert abs(C.bondi_time(0.0, GN, EPS, A)) < 1e-15
    h = uu[1] - uu[0]
    dub = np.gradient(ub, h, edge_order=2)
    assert np.allclose(dub[1:-1], np.exp(2 * C.beta0(uu, GN, EPS, A))[1:-1], rtol=5e-4)
    # flux law in Bondi time, by finite differences on the ubar grid (2nd order)
    Th = C.mass_aspect_bondi(uu, GN, EPS, A)
    dTh = np.gradient(Th, ub, edge_order=2)
    news_bar = C.psi0_plus_u(uu, EPS, A) * np.exp(-2 * C.beta0(uu, GN, EPS, A))
    rhs = -16 * np.pi * GN * news_bar**2
    assert np.max(np.abs(dTh - rhs)[2:-2]) < 2e-3 * np.max(np.abs(rhs))
    tot, _ = integrate.quad(lambda t: 2 * np.pi * C.psi0_plus_u(t, EPS, A) ** 2
                            * np.exp(-2 * C.beta0(t, GN, EPS, A)), -np.inf, np.inf,
                            epsabs=0, epsrel=1e-12, limit=400)
    assert abs(tot - C.radiated_energy(GN, EPS, A)) < 1e-10 * tot
    assert abs(C.radiated_energy(GN, EPS, A, u=1e9) - C.radiated_energy(GN, EPS, A)) < 1e-12
    # energy balance: E(u) = E(-oo) - radiated(u)
    assert np.allclose(C.bondi_energy(uu, GN, EPS, A),
                       C.bondi_energy(-1e12, GN, EPS, A) - C.radiated_energy(GN, EPS, A, u=uu), atol=1e-13)
