"""Symbolic checks of the formulas used by asymflat.scri (bondi-equations.md §3.4, §6;
vertex-and-frame-notes.md §3; conventions.md §3), independent of the reference scripts.
"""
from __future__ import annotations

import os
import sys

import sympy as sp

sys.path.insert(0, os.path.dirname(__file__))
from support.bondi_sympy import einstein_residuals  # noqa: E402

D = sp.diff
pi = sp.pi
u, phi, y, G, ut = sp.symbols("u phi y G ut", real=True)


def schwarzian(f, x):
    return D(f, x, 3) / D(f, x) - sp.Rational(3, 2) * (D(f, x, 2) / D(f, x)) ** 2


def test_accelerated_rotating_vertex_is_vacuum_for_time_dependent_functions():
    """(a') beta = 0, U = omega(u) + a1(u) sin phi - a2(u) cos phi, V = -r - 2 r^2 U_phi:
    all six E_ab vanish for arbitrary functions omega, a1, a2 of u (the reference states
    constant-in-form a1(u), a2(u); omega(u) is a rotation of the angle).  At scri: calW = -1,
    Q = Qbar = 0."""
    r = sp.symbols("r", positive=True)
    a1, a2, om = (sp.Function(n)(u) for n in ("a1", "a2", "om"))
    U = om + a1 * sp.sin(phi) - a2 * sp.cos(phi)
    V = -r - 2 * r ** 2 * D(U, phi)
    E = einstein_residuals(sp.Integer(0), U, V, sp.Integer(0), u, r, phi, G)
    assert all(sp.simplify(v) == 0 for v in E.values())
    assert sp.simplify(V / r + 2 * r * D(U, phi)) == -1
    assert sp.simplify(r ** 3 * D(U, r)) == 0


def test_jacobian_and_derivatives_at_fixed_bondi_time():
    """d(A,B)/d(u,phi) = e^{2 beta0} B'^2 on the transport; d_uB = (e^{2b}B')^{-1} L,
    d_phiB|_uB = B'^{-1} d_phi - (A'/B') d_uB (vertex-and-frame-notes.md §3); L B' = -U0' B'."""
    A, B, U0, b0 = (sp.Function(n)(u, phi) for n in ("A", "B", "U0", "beta0"))
    Au = sp.exp(2 * b0) * D(B, phi) - U0 * D(A, phi)
    Bu = -U0 * D(B, phi)
    J = sp.Matrix([[Au, D(A, phi)], [Bu, D(B, phi)]])
    assert sp.simplify(J.det() - sp.exp(2 * b0) * D(B, phi) ** 2) == 0
    Jinv = J.inv()     # rows: (du, dphi) as functions of (duB, dphiB)
    # d/duB = Jinv[0,0] d_u + Jinv[1,0] d_phi ; d/dphiB = Jinv[0,1] d_u + Jinv[1,1] d_phi
    X = sp.Function("X")(u, phi)
    duB = Jinv[0, 0] * D(X, u) + Jinv[1, 0] * D(X, phi)
    dpB = Jinv[0, 1] * D(X, u) + Jinv[1, 1] * D(X, phi)
    L = D(X, u) + U0 * D(X, phi)
    assert sp.simplify(duB - L / (sp.exp(2 * b0) * D(B, phi))) == 0
    ell = D(A, phi) / D(B, phi)
    assert sp.simplify(dpB - (D(X, phi) / D(B, phi) - ell * L / (sp.exp(2 * b0) * D(B, phi)))) == 0
    # L B' = -U0' B'   (d_phi of L B = 0)
    assert sp.simplify(D(Bu, phi) + U0 * D(B, phi, 2) + D(U0, phi) * D(B, phi)) == 0


def test_moebius_transport_keeps_theta_minus_one():
    """For a boost-like circle Moebius map B = 2 atan(lam tan(phi/2)):
    B'^{-2}[-1 + 2{B;phi}] = -1, i.e. {B;phi} = (1 - B'^2)/2."""
    lam = sp.symbols("lam", positive=True)
    B = 2 * sp.atan(lam * sp.tan(phi / 2))
    expr = (-1 + 2 * schwarzian(B, phi)) / D(B, phi) ** 2 + 1
    assert sp.simplify(sp.expand_trig(sp.simplify(expr))) == 0


def test_nhat_map_bms_with_matter_preserves_bondi_laws():
    """§3.4 on a Bondi-frame code frame (beta0 = U0 = 0, calW = Theta, Qbar = 2 Nhat) transformed
    by a general BMS3 frame B = f(phi), A = T(phi) + u f'(phi), with matter: the mapped Theta_B,
    Nhat_B (including the term 2 pi G psi~0^2 D ln B'), psi~0 = psi0/sqrt(B') satisfy the Bondi
    laws with d_phiB at fixed Bondi time.  With D alone the N-law fails by +16 pi G (A'/B') psi~_u^2."""
    f, T = sp.Function("f")(phi), sp.Function("T")(phi)
    Th, Nh, ps = (sp.Function(n)(u, phi) for n in ("Th", "Nh", "ps"))
    laws = {D(Th, u): -16 * pi * G * D(ps, u) ** 2,
            D(Nh, u): D(Th, phi) / 2 - 8 * pi * G * D(ps, u) * D(ps, phi)}
    Bp = D(f, phi)
    A = T + u * D(f, phi)
    Dd = lambda e: D(e, phi) / Bp  # noqa: E731
    ell = D(A, phi) / Bp
    ThB = (Th + 2 * schwarzian(f, phi)) / Bp ** 2
    pst = ps / sp.sqrt(Bp)
    NhB = (2 * Nh) / (2 * Bp ** 2) - ell * ThB + Dd(Dd(ell)) + 2 * pi * G * pst ** 2 * Dd(sp.log(Bp))

    def duB(e):  # jac = e^{0} B' = f'
        return (D(e, u) / Bp).subs(laws)

    def dpB(e, fixed_bondi_time=True):
        return Dd(e) - (ell * duB(e) if fixed_bondi_time else 0)

    RT = duB(ThB) + 16 * pi * G * duB(pst) ** 2
    assert sp.simplify(RT) == 0
    RN = duB(NhB) - dpB(ThB) / 2 + 8 * pi * G * duB(pst) * dpB(pst)
    assert sp.simplify(sp.expand(RN.subs(laws).doit().subs(laws))) == 0
    RNw = duB(NhB) - dpB(ThB, False) / 2 + 8 * pi * G * duB(pst) * dpB(pst, False)
    assert sp.simplify(sp.expand((RNw - 16 * pi * G * ell * duB(pst) ** 2).subs(laws).doit().subs(laws))) == 0
    # and a wrong coefficient of the matter term is detected
    RNbad = RN + pi * G * pst ** 2 * Dd(sp.log(Bp))
    assert sp.simplify(sp.expand(RNbad.subs(laws).doit().subs(laws))) != 0


def test_nhat_map_vacuum_equals_conventions_bms3_law():
    """§3.4 (vacuum, Bondi -> Bondi) agrees with conventions.md §3:
    phi_old = F(y), u_old = F'(y)(u_new + gamma(y)):
    Theta_new = F'^2 Theta_old∘F - 2 S[F],
    Xi_new = F'^2 Xi_old∘F + gamma' Theta_new + (1/2) gamma Theta_new' - gamma'''."""
    F, gam = sp.Function("F")(y), sp.Function("gamma")(y)
    Tho, Xio = sp.Function("Tho"), sp.Function("Xio")
    uo = sp.symbols("uo", real=True)
    Fp = D(F, y)
    # B = F^{-1}:  B' = 1/F'(y);  D = B'^{-1} d_phi = d_y (at fixed u_old);  {B;phi} = -S[F]/F'^2
    Bp = 1 / Fp
    ThB = (Tho(F) - 2 * schwarzian(F, y) / Fp ** 2) / Bp ** 2
    assert sp.simplify(ThB - (Fp ** 2 * Tho(F) - 2 * schwarzian(F, y))) == 0
    A = uo / Fp - gam                                # u_new as function of (u_old, y)
    ell = D(A, y)                                    # A'/B' = F' * (1/F') d_y A
    Nold = Xio(F) + uo / 2 * D(Tho(phi), phi).subs(phi, F)
    NhB = Nold / Bp ** 2 - ell * ThB + D(ell, y, 2)  # Qbar/2 = N_old in the old Bondi frame, psi = 0
    XiB = NhB - ut / 2 * D(ThB, y)
    XiB = XiB.subs(uo, Fp * (ut + gam))
    conv = Fp ** 2 * Xio(F) + D(gam, y) * ThB + gam / 2 * D(ThB, y) - D(gam, y, 3)
    assert sp.simplify(sp.expand(XiB - conv)) == 0


def test_circular_c1_beta0_obeys_mass_law():
    """§6 (c1): d_u beta0 = -8 pi G (d_u psi0)^2 for the closed forms of beta0 and psi0, and
    beta0 -> 0 at u -> +infinity; hence Theta_B = -e^{-2 beta0} obeys the Bondi mass law in
    u_B = int e^{2 beta0} du with news_B = e^{-2beta0} d_u psi0."""
    eps, a = sp.symbols("epsilon a", positive=True)
    b0 = (pi * G * eps ** 2 / (2 * a ** 2)) * (1 - u / sp.sqrt(u ** 2 + a ** 2)) \
        - (pi * G * eps ** 2 / 4) * (u ** 2 - a ** 2) / (u ** 2 + a ** 2) ** 2
    # psi0 = eps Re[(-2(u - i a))^{-1/2}];  news = eps Re[(-2(u - i a))^{-3/2}]
    # |.|: (-2(u - i a)) = 2 rho e^{i(pi - th)}, rho = sqrt(u^2+a^2), th = atan2(a, u)
    rho = sp.sqrt(u ** 2 + a ** 2)
    news = eps * (2 * rho) ** sp.Rational(-3, 2) * sp.cos(sp.Rational(3, 2) * (sp.acos(-u / rho)))
    lhs = D(b0, u) + 8 * pi * G * news ** 2
    num = {eps: sp.Rational(13, 10), a: sp.Rational(4, 5), G: sp.Rational(7, 100)}
    for val in ("-3.7", "-0.4", "0", "0.9", "5.2"):
        v = lhs.subs(num).subs(u, sp.Rational(val)).evalf(40)
        assert abs(v) < 1e-25
    assert sp.limit(b0, u, sp.oo) == 0
    ThB = -sp.exp(-2 * b0)
    # d_uB Theta_B = e^{-2b0} d_u Theta_B = -16 pi G (e^{-2 b0} news)^2
    expr = sp.exp(-2 * b0) * D(ThB, u) + 16 * pi * G * (sp.exp(-2 * b0) * news) ** 2
    for val in ("-2", "0.3", "4"):
        assert abs(expr.subs(num).subs(u, sp.Rational(val)).evalf(40)) < 1e-25
