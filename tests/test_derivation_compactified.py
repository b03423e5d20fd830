"""The compactified hierarchy (C1)-(C5) and its regularised form follow from H1-H3 and box psi = 0.

Reference: ``bondi-equations.md`` §2 and ``vertex-and-frame-notes.md`` §1.  The r-form
equations (``rform_equations``) are proven equal to E_ab in ``test_derivation_field_equations``;
here they are rewritten with x = r/(R+r) (d_r = (1-x)^2/R d_x), chi = sqrt(r+R) psi, and compared
with the independently typed compactified right-hand sides of ``hierarchy_rhs``.
"""
import numpy as np
import sympy as sp

try:
    from support import bondi_sympy as B
except ImportError:  # pragma: no cover
    from tests.support import bondi_sympy as B

D, G, R, is_zero, phi, pi, u, x = B.D, B.G, B.R, B.is_zero, B.phi, B.pi, B.u, B.x

fn = lambda n: sp.Function(n)(u, x, phi)  # noqa: E731
beta, Qbar, U, Wc, chi = fn("beta"), fn("Qbar"), fn("U"), fn("Wc"), fn("chi")
rx = R * x / (1 - x)
dxdr = (1 - x) ** 2 / R
psi = chi * sp.sqrt((1 - x) / R)
Dr = lambda f: dxdr * D(f, x)  # noqa: E731
Dp = lambda f: D(f, phi)  # noqa: E731
Du = lambda f: D(f, u)  # noqa: E731
F = B.rform_equations(beta, U, Wc, psi, rx, Dr, Dp, Du, G, Qbar=Qbar)
H = B.hierarchy_rhs(chi, beta, Qbar, U, Wc, u, x, phi, G, R)


def test_C1_from_H1():
    """(C1) d_x beta = (pi G/R) x [2(1-x)chi_x - chi]^2  <=>  (H1), factor dx/dr."""
    assert is_zero(F["H1"] / dxdr - (D(beta, x) - H["C1"]))
    assert not is_zero(F["H1"] / dxdr - (D(beta, x) - 2 * H["C1"]))


def test_C2_from_H2():
    """(C2) d_x Qbar = 8 pi G x calA (2x chi_{x phi} + chi_phi)  <=>  Qbar-form of (H2)."""
    assert is_zero(F["H2"] / dxdr - (D(Qbar, x) - H["C2"]))


def test_C3_from_Qbar_definition():
    """(C3) d_x U = e^{2b}[(1-x)Qbar - 2Rx beta_phi]/(R^2 x^3) with Qbar = r^3 e^{-2b}U_r + 2r beta_phi."""
    h = B.hierarchy_rhs(chi, beta, F["Qbar"], U, Wc, u, x, phi, G, R)
    assert is_zero(D(U, x) - h["C3"])


def test_C4_from_H3():
    """(C4) d_x calW = (e^{2b}/(Rx))[8 pi G chi_phi^2 + Qbar_phi/x + (1-x)Qbar^2/(2Rx^2)]
    <=> calW-form of (H3)  (r d_r = x(1-x) d_x)."""
    assert is_zero(F["H3"] / (rx * dxdr) - (D(Wc, x) - H["C4"]))


def test_C5_from_wave_equation():
    """(C5): r e^{2b} box psi = (1-x)^{3/2} R^{-1/2} [S_chi - (2x d_x + 1) chi_u]   (calW form)."""
    assert is_zero(F["wave"] - (1 - x) ** sp.Rational(3, 2) / sp.sqrt(R) * (H["S_chi"] - H["C5_lhs"]))


def test_C5_sqrt_form():
    """(2x d_x + 1) chi_u = 2 sqrt(x) d_x(sqrt(x) chi_u)."""
    assert is_zero(H["C5_lhs"] - 2 * sp.sqrt(x) * D(sp.sqrt(x) * D(chi, u), x))


def test_flat_scri_check():
    """Flat (W=-1, U=0, beta=0) at x=1: 2chi_ux + chi_u = (chi/4 + chi_pp)/R, and for
    chi = x^{-1/2}(psi0 + psi1 (1-x)/(R x)) this is d_u psi1 = -(1/2)(1/4 + d_phi^2) psi0."""
    h = B.hierarchy_rhs(chi, 0, 0, 0, -1, u, x, phi, G, R)
    assert is_zero(h["S_chi"].subs(x, 1) - (chi / 4 + D(chi, phi, 2)).subs(x, 1) / R)
    p0, p1 = sp.Function("psi0")(u, phi), sp.Function("psi1")(u, phi)
    c = (p0 + p1 * (1 - x) / (R * x)) / sp.sqrt(x)
    h = B.hierarchy_rhs(c, 0, 0, 0, -1, u, x, phi, G, R)
    res = (h["C5_lhs"] - h["S_chi"]).subs(x, 1)
    dup1 = sp.solve(res, D(p1, u))[0]
    assert is_zero(dup1 + (p0 / 4 + D(p0, phi, 2)) / 2)


def test_regularised_forms():
    """b = beta/x^2, q = Qbar/x^3, c = chi_phi/x, calA = 2(1-x)chi_x - chi (frame notes §1):
    (x d_x + 2) b - (pi G/R) calA^2 = [d_x beta - (C1)]/x,
    (x d_x + 3) q - 8 pi G calA (2 chi_{x phi} + c) = [d_x Qbar - (C2)]/x^2,
    e^{2b}[(1-x)q - 2R b_phi]/R^2 = (C3),
    (e^{2b}/R)[8 pi G x c^2 + x q_phi + (1-x)x^3 q^2/(2R)] = (C4),
    (1/R) d_phi(e^{2b} c) = (1/(Rx)) d_phi(e^{2b} chi_phi)."""
    bf, qf = fn("b"), fn("q")
    h = B.hierarchy_rhs(chi, x**2 * bf, x**3 * qf, U, Wc, u, x, phi, G, R)
    assert is_zero((h["lhs_b"] - h["reg_b"]) - (D(x**2 * bf, x) - h["C1"]) / x)
    assert is_zero((h["lhs_q"] - h["reg_q"]) - (D(x**3 * qf, x) - h["C2"]) / x**2)
    assert is_zero(h["reg_U"] - h["C3"])
    assert is_zero(h["reg_W"] - h["C4"])
    assert is_zero(h["reg_ang"] - D(sp.exp(2 * x**2 * bf) * D(chi, phi), phi) / (R * x))
    assert is_zero(h["lhs_b"] - (x * D(bf, x) + 2 * bf))


def _flat_chi():
    """chi = sqrt(r+R) * Re[Sigma^{-1/2}] for the exact flat field (c2), as a sympy expression."""
    a, bb = sp.Rational(11, 10), sp.Rational(3, 5)
    s, sc = u - sp.I * a, u + sp.I * a
    rr = R * x / (1 - x)
    Sig = bb**2 - s**2 - 2 * rr * (s + bb * sp.cos(phi))
    Sigc = bb**2 - sc**2 - 2 * rr * (sc + bb * sp.cos(phi))
    return sp.sqrt(R / (1 - x)) * (Sig ** sp.Rational(-1, 2) + Sigc ** sp.Rational(-1, 2)) / 2


def test_lambdify_hierarchy_flat_exact_solution():
    """Numeric: the exact flat field (c2) satisfies (C5) with calW = -1, U = beta = Qbar = 0,
    through the numpy callables of ``lambdify_hierarchy`` (used by the kernel tests)."""
    fns = B.lambdify_hierarchy({"chi": _flat_chi()}, keys=["C5_lhs", "S_chi", "C1", "reg_b"])
    rng = np.random.default_rng(1)
    uu = rng.uniform(-2, 2, 50)
    xx = rng.uniform(0.05, 0.95, 50)
    pp = rng.uniform(0, 2 * np.pi, 50)
    lhs = fns["C5_lhs"](uu, xx, pp, 0.0, 1.3)
    rhs = fns["S_chi"](uu, xx, pp, 0.0, 1.3)
    assert np.max(np.abs(lhs - rhs)) < 1e-10 * np.max(np.abs(lhs))
    assert np.max(np.abs(lhs)) > 1e-3
    # C1 = x * reg_b
    c1 = fns["C1"](uu, xx, pp, 0.7, 1.3)
    assert np.allclose(c1, xx * fns["reg_b"](uu, xx, pp, 0.7, 1.3), rtol=1e-13, atol=0)
