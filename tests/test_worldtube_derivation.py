"""Symbolic derivation behind the worldtube kind (issue 6), from the Ricci tensor of the metric.

Reference: bondi-equations.md section 0 (null dust mu = f/r, k = -du), 1.1-1.4 (hypersurface and
supplementary equations, Bianchi identity), 2 ((C3), (C4)), 6 (b) (Vaidya-like dust with phi
dependence).  Nothing is taken from the reference scripts: E_ab = R_ab - 8 pi G mu k_a k_b is
recomputed by ``tests/support/bondi_sympy.py`` for the Bondi metric with beta = 0, psi = 0.

1. The general solution of the hypersurface equations outside the tube (psi = 0, beta = 0):
   U = U0 - q/(2 r^2), calW = C - q_phi/r - q^2/(4 r^2) (Qbar = q constant along rays).
2. The supplementary equations: r E_uphi is r-independent, and r E_uu too once E_uphi = 0
   (section 1.4: they need to hold at one radius only, so r = r_w is as good as scri+).
3. At r = r_w, in tube variables Theta_w := calW_w + 2 N_w'/r_w + N_w^2/r_w^2, N_w := -r_w^2 U_w
   (Bondi frame U0 = 0), E_uu = E_uphi = 0 solve to d_u Theta_w = -16 pi G f,
   d_u N_w = Theta_w'/2, and the coded right-hand side (solvers.worldtube.tube_rhs) is that
   solution; a wrong sign is rejected (control).
4. The radial integrands of the kernels: -x^2 (C3), -x^2 (C4) at beta = 0 are the polynomials in
   rho = R/r the kernels integrate, and the closed-form exterior solves them.
5. The closed forms of asymflat.exact.null_dust (erf) solve all six E_ab with mu = f/r.
"""
from __future__ import annotations

import functools

import numpy as np
import pytest
import sympy as sp

try:
    from support import bondi_sympy as B
except ImportError:  # pragma: no cover
    from tests.support import bondi_sympy as B

from asymflat.exact.null_dust import DustBurst, NullDustSolution
from solvers.worldtube import tube_rhs

D, G, is_zero, phi, pi, r, u = B.D, B.G, B.is_zero, B.phi, B.pi, B.r, B.u
x, R = B.x, B.R
rw = sp.symbols("r_w", positive=True)

U0 = sp.Function("U0")(u, phi)
q = sp.Function("q")(u, phi)
C = sp.Function("C")(u, phi)
f = sp.Function("f")(u, phi)
Th = sp.Function("Theta_w")(u, phi)
Nw = sp.Function("N_w")(u, phi)


def _family(U0_, q_, C_):
    """beta = 0, U = U0 - q/(2r^2), V = r (calW - 2 r U_phi), calW = C - q_phi/r - q^2/(4r^2)."""
    U = U0_ - q_ / (2 * r**2)
    calW = C_ - D(q_, phi) / r - q_**2 / (4 * r**2)
    V = r * (calW - 2 * r * D(U, phi))
    return U, V, calW


@pytest.fixture(scope="module")
def general():
    U, V, calW = _family(U0, q, C)
    return B.einstein_residuals(sp.Integer(0), U, V, sp.Integer(0), u, r, phi, G, mu=f / r), U, V, calW


def test_hypersurface_general_solution(general):
    """psi = 0, beta = 0: E_rr = E_rphi = E_phiphi = E_ur = 0 for the three-function family, and it
    is the general solution: (H2) r^3 U_r = Qbar = q and (H3) r calW_r = Qbar_phi/r + Qbar^2/(2r^2)."""
    E, U, V, calW = general
    for k in ("rr", "rphi", "phiphi", "ur"):
        assert is_zero(E[k]), k
    Qbar = r**3 * D(U, r)
    assert is_zero(Qbar - q)
    assert is_zero(r * D(calW, r) - (D(Qbar, phi) / r + Qbar**2 / (2 * r**2)))
    assert is_zero(calW - (V / r + 2 * r * D(U, phi)))


def test_supplementary_equations_hold_at_one_radius(general):
    """Section 1.4: r E_uphi does not depend on r; once it vanishes, r E_uu does not either."""
    E, *_ = general
    assert is_zero(D(r * E["uphi"], r))
    ruu = sp.expand(r * E["uu"])
    # the r-dependence of r E_uu is proportional to E_uphi and its phi derivative
    euphi = sp.expand(r * E["uphi"])
    sol = sp.solve(sp.Eq(euphi, 0), D(q, u))[0]
    assert is_zero(D(ruu.subs(D(q, u, phi), D(sol, phi)).subs(D(q, u), sol), r))


@functools.lru_cache(maxsize=None)
def _tube_equations():
    """E_uu, E_uphi at r = r_w in tube variables (Bondi frame U0 = 0, q = 2 N_w, C = Theta_w):
    E_ab is computed for undetermined U(u, r, phi), V(u, r, phi) (beta = 0, psi = 0, mu = f/r) and
    the hypersurface solution is substituted afterwards."""
    Ug, Vg = sp.Function("U")(u, r, phi), sp.Function("V")(u, r, phi)
    Eg = B.einstein_residuals(sp.Integer(0), Ug, Vg, sp.Integer(0), u, r, phi, G, mu=f / r)
    U, V, _ = _family(sp.Integer(0), 2 * Nw, Th)
    E = {k: Eg[k].subs({Ug: U, Vg: V}).doit() for k in ("uu", "uphi")}
    # the tube values of the metric functions are those of the tube variables
    Uw = U.subs(r, rw)
    calWw = (V / r + 2 * r * D(U, phi)).subs(r, rw)
    assert is_zero(Uw + Nw / rw**2)
    assert is_zero(calWw - (Th - 2 * D(Nw, phi) / rw - Nw**2 / rw**2))
    return E["uu"].subs(r, rw), E["uphi"].subs(r, rw)


def test_tube_equations_reduce_to_mass_and_N_laws():
    """E_uphi(r_w) = -(d_u N_w - Theta_w'/2)/r_w; with it, E_uu(r_w) = -(d_u Theta_w + 16 pi G f)/(2 r_w)."""
    Euu, Euphi = _tube_equations()
    assert is_zero(Euphi + (D(Nw, u) - D(Th, phi) / 2) / rw)
    on = Euu.subs(D(Nw, u, phi), D(Th, phi, 2) / 2).subs(D(Nw, u), D(Th, phi) / 2)
    assert is_zero(on + (D(Th, u) + 16 * pi * G * f) / (2 * rw))


@pytest.mark.parametrize("wrong", [False, True])
def test_coded_tube_rhs_is_the_derived_one(wrong):
    """solvers.worldtube.tube_rhs against the solution of E_uu = E_uphi = 0 at r = r_w, evaluated for
    trigonometric Theta_w, N_w, f on the grid; control: a flipped sign of the dust term is rejected."""
    Euu, Euphi = _tube_equations()
    dth, dn = sp.symbols("dTheta dN")
    sub = {D(Th, u): dth, D(Nw, u): dn}
    # E_uu contains d_u d_phi N_w: use E_uphi = 0 differentiated in phi to remove it first
    dNphi = sp.solve(sp.Eq(D(Euphi * rw, phi), 0), D(Nw, u, phi))[0]
    eqs = [Euu.subs(D(Nw, u, phi), dNphi).subs(sub), Euphi.subs(sub)]
    sol = sp.solve(eqs, [dth, dn], dict=True)[0]
    nphi = 16
    grid = 2 * np.pi * np.arange(nphi) / nphi
    th_expr = -0.8 + 0.1 * sp.cos(2 * phi) + 0.05 * sp.sin(3 * phi)
    n_expr = 0.3 + 0.2 * sp.sin(phi) - 0.07 * sp.cos(4 * phi)
    f_expr = 0.4 * (1 + 0.5 * sp.cos(2 * (phi - 0.3)))
    Gv, rwv = 0.07, 0.6
    concrete = {G: Gv, rw: rwv}

    def ev(e):
        e = e.subs({D(Th, phi, 2): D(th_expr, phi, 2), D(Th, phi): D(th_expr, phi), Th: th_expr,
                    D(Nw, phi, 2): D(n_expr, phi, 2), D(Nw, phi): D(n_expr, phi), Nw: n_expr,
                    f: f_expr}).subs(concrete)
        return sp.lambdify(phi, e, "numpy")(grid) * np.ones(nphi)

    exp_th, exp_n = ev(sol[dth]), ev(sol[dn])
    th_num = sp.lambdify(phi, th_expr, "numpy")(grid)
    f_num = sp.lambdify(phi, f_expr, "numpy")(grid)
    got_th, got_n = tube_rhs(th_num, f_num, Gv)
    if wrong:
        got_th = -got_th        # the control: a coded +16 pi G f
    ok = np.allclose(got_th, exp_th, rtol=0, atol=1e-13) and np.allclose(got_n, exp_n, rtol=0, atol=1e-13)
    assert ok is (not wrong)
    # and the derived values are the stated laws
    assert np.allclose(exp_th, -16 * np.pi * Gv * f_num, atol=1e-13)


def test_kernel_integrands_are_polynomials_in_rho():
    """-x^2 (C3) and -x^2 (C4) at beta = 0, chi = 0 are d_rho U = -rho Qbar/R^2 and
    d_rho calW = -Qbar_phi/R - rho Qbar^2/(2R^2) with rho = R/r = (1-x)/x; the closed-form exterior
    U = -N/r^2, calW = Theta - 2N'/r - N^2/r^2 solves them and is reached from the tube values."""
    Qb = sp.Function("Qbar")(phi)
    rho = (1 - x) / x
    C3 = (1 - x) * Qb / (R**2 * x**3)
    C4 = (1 / (R * x)) * (D(Qb, phi) / x + (1 - x) * Qb**2 / (2 * R * x**2))
    assert sp.simplify(-x**2 * C3 - (-rho * Qb / R**2)) == 0
    assert sp.simplify(-x**2 * C4 - (-D(Qb, phi) / R - rho * Qb**2 / (2 * R**2))) == 0
    # the compactified forms against the r-form with x = r/(R+r)
    N = sp.Function("N")(phi)
    Tt = sp.Function("Theta")(phi)
    rr = R * x / (1 - x)
    Uex = -N / rr**2
    Wex = Tt - 2 * D(N, phi) / rr - N**2 / rr**2
    assert sp.simplify(D(Uex, x) - C3.subs(Qb, 2 * N).doit()) == 0
    assert sp.simplify(D(Wex, x) - C4.subs(Qb, 2 * N).doit()) == 0
    assert sp.limit(Uex, x, 1) == 0 and sp.simplify(sp.limit(Wex, x, 1) - Tt) == 0


# --------------------------------------------------------------------------------------------
# 5. the exact solution (b) in closed form
# --------------------------------------------------------------------------------------------
a_, uc, w, eps, ph = sp.symbols("a u_c w epsilon phi_k", real=True)
m_ = sp.Integer(2)
Thi, Xi0 = sp.symbols("Theta_i Xi_0", real=True)


def _closed_form():
    s = (u - uc) / w
    A = a_ * (1 + eps * sp.cos(m_ * (phi - ph)))
    fx = A * sp.exp(-s**2)
    F = A * w * sp.sqrt(pi) / 2 * (1 + sp.erf(s))
    P = A * w**2 * sp.sqrt(pi) / 2 * (s * (1 + sp.erf(s)) + sp.exp(-s**2) / sp.sqrt(pi))
    H = Thi * u - 16 * pi * G * P
    Theta = Thi - 16 * pi * G * F
    N = Xi0 - 8 * pi * G * D(P, phi)
    return fx, F, P, H, Theta, N


def test_closed_form_identities():
    """Theta = d_u H, N = Xi_0 + H_phi/2, d_u Theta = -16 pi G f, d_u N = Theta'/2; before the burst
    (u -> -inf) the background (Theta_i, Xi_0)."""
    fx, F, P, H, Theta, N = _closed_form()
    assert sp.simplify(D(H, u) - Theta) == 0
    assert sp.simplify(Xi0 + D(H, phi) / 2 - N) == 0
    assert sp.simplify(D(Theta, u) + 16 * pi * G * fx) == 0
    assert sp.simplify(D(N, u) - D(Theta, phi) / 2) == 0
    vals = {a_: sp.Rational(3, 10), uc: 1, w: sp.Rational(1, 2), eps: sp.Rational(1, 2), ph: sp.Rational(1, 3),
            G: sp.Rational(1, 20), Thi: -1, Xi0: sp.Rational(1, 5), phi: sp.Rational(7, 10)}
    assert sp.limit(Theta.subs(vals), u, -sp.oo) == -1
    assert sp.limit(N.subs(vals), u, -sp.oo) == sp.Rational(1, 5)


def test_closed_form_solves_einstein_null_dust():
    """All six E_ab = R_ab - 8 pi G (f/r) k_a k_b vanish for beta = 0, U = -N/r^2, V = r Theta - N^2/r."""
    fx, F, P, H, Theta, N = _closed_form()
    E = B.einstein_residuals(sp.Integer(0), -N / r**2, r * Theta - N**2 / r, sp.Integer(0), u, r, phi, G,
                             mu=fx / r)
    for k in B.COMPONENTS:
        assert sp.simplify(E[k]) == 0, k


def test_module_matches_closed_form():
    """asymflat.exact.null_dust against the sympy closed form at random points (two bursts)."""
    fx, F, P, H, Theta, N = _closed_form()
    bursts = [dict(a=0.3, uc=0.5, w=0.7, eps=0.4, ph=0.2), dict(a=0.15, uc=2.0, w=0.4, eps=0.9, ph=1.3)]
    Gv, thi, xi0 = 0.05, -0.64, -0.2
    sol = NullDustSolution(Gv, thi, xi0, [DustBurst(b["a"], b["uc"], b["w"], 2, b["eps"], b["ph"]) for b in bursts])
    rng = np.random.default_rng(1)
    U = rng.uniform(-3, 5, 40)
    Pp = rng.uniform(0, 2 * np.pi, 40)
    Xi = N - u / 2 * D(Theta, phi)
    for name, e, got in (("f", fx, sol.dust_flux(U, Pp)), ("Theta", Theta, sol.mass_aspect(U, Pp)),
                         ("N", N, sol.N(U, Pp)), ("Xi", Xi, sol.angular_momentum_aspect(U, Pp)),
                         ("H", H, sol.bondi_potential(U, Pp))):
        total = 0
        for k, b in enumerate(bursts):
            # background terms once, burst terms per burst
            sub = {a_: b["a"], uc: b["uc"], w: b["w"], eps: b["eps"], ph: b["ph"], G: Gv,
                   Thi: thi if k == 0 else 0, Xi0: xi0 if k == 0 else 0}
            total = total + sp.lambdify((u, phi), e.subs(sub), modules=["numpy", "scipy"])(U, Pp)
        assert np.allclose(got, total, rtol=1e-13, atol=1e-13), name
    assert np.allclose(sol.mass_aspect_final(Pp), sol.mass_aspect(60.0, Pp), atol=1e-14)
    e_num = 2 * np.pi * np.mean(sol.emitted_flux_integral(5.0, 2 * np.pi * np.arange(64) / 64)
                                - sol.emitted_flux_integral(-3.0, 2 * np.pi * np.arange(64) / 64))
    assert abs(sol.emitted_energy(-3.0, 5.0) - e_num) < 1e-13
