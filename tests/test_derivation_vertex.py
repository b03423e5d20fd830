"""Regular vertex r = 0 (reference ``bondi-equations.md`` §4): series of the Ricci-based E_ab.

Ansatz psi = psic(u) + psi1 r + psi2 r^2, beta = b2 r^2 + b3 r^3 (beta(0) = 0, no linear term),
U = Uc + U1 r + U2 r^2, V/r = Wc + W1 r + W2 r^2 (coefficients functions of (u, phi)).
"""
import functools

import sympy as sp

try:
    from support import bondi_sympy as B
except ImportError:  # pragma: no cover
    from tests.support import bondi_sympy as B

G, phi, pi, r, u, D = B.G, B.phi, B.pi, B.r, B.u, B.D


@functools.lru_cache(maxsize=None)
def vertex_series():
    T = B.TSeries
    fk = lambda n: sp.Function(n)(u, phi)  # noqa: E731
    pc = sp.Function("psic")(u)
    p1, p2 = fk("psi1"), fk("psi2")
    b2, b3 = fk("b2"), fk("b3")
    Uc, U1, U2 = fk("Uc"), fk("U1"), fk("U2")
    Wc, W1, W2 = fk("Wc"), fk("W1"), fk("W2")
    beta, U, V, psi = B.generic_fields()
    E = B.generic_residuals()
    fl = {beta: T({2: b2, 3: b3}, 3), U: T({0: Uc, 1: U1, 2: U2}, 2),
          V: T({1: Wc, 2: W1, 3: W2}, 3), psi: T({0: pc, 1: p1, 2: p2}, 2)}
    ser = {k: B.series_of(E[k], fl, r, "vertex", cap=6) for k in ("rr", "rphi", "phiphi", "uphi", "uu")}
    bx = B.box(psi, beta, U, V, u, r, phi)
    ser["wave"] = B.series_of(r * sp.exp(2 * beta) * bx, fl, r, "vertex", cap=6)
    names = dict(pc=pc, p1=p1, b2=b2, Uc=Uc, U1=U1, Wc=Wc, W1=W1)
    return ser, names


def _c(s, n):
    assert n <= s.prec
    return sp.expand(s.c.get(n, 0))


def test_vertex_hypersurface_orders():
    """H1 at lowest order: beta = 2 pi G psi1^2 r^2 + ...;  H3: W1 = -2 d_phi Uc, i.e.
    V/r = Wc - 2 r Uc_phi + O(r^2)."""
    ser, nm = vertex_series()
    p1, Uc = nm["p1"], nm["Uc"]
    b2 = sp.solve(_c(ser["rr"], 0), nm["b2"])
    assert len(b2) == 1 and B.is_zero(b2[0] - 2 * pi * G * p1**2)
    sol = {nm["b2"]: b2[0]}
    c = [_c(ser["phiphi"], n).subs(sol).doit() for n in (0, 1)]
    W1 = [sp.solve(cc, nm["W1"]) for cc in c if cc.has(nm["W1"])][0]
    assert len(W1) == 1 and B.is_zero(W1[0] + 2 * D(Uc, phi))


def test_vertex_supplementary_obstructions():
    """E_uphi = Wc_phi/(2r) + O(1): Wc must be phi-independent.  With Wc = -1 (regular vertex)
    the 1/r part of E_uu is Uc_phi + Uc_phiphiphi (after H3), so Uc has only modes |m| <= 1;
    the 1/r^2 part of E_uu is -Wc_phiphi/2."""
    ser, nm = vertex_series()
    Uc, Wc, W1 = nm["Uc"], nm["Wc"], nm["W1"]
    assert B.is_zero(_c(ser["uphi"], -1) - D(Wc, phi) / 2)
    assert B.is_zero(_c(ser["uu"], -2) + D(Wc, phi, 2) / 2)
    cuu = _c(ser["uu"], -1).subs(W1, -2 * D(Uc, phi)).subs(Wc, -1).doit()
    assert B.is_zero(cuu - (D(Uc, phi) + D(Uc, phi, 3)))
    # U_c = omega + a sin(phi) - b cos(phi) removes it; a cos(2 phi) mode does not
    om, a, b, c2 = sp.symbols("omega a b c2")
    assert B.is_zero(cuu.subs(Uc, om + a * sp.sin(phi) - b * sp.cos(phi)).doit())
    assert not B.is_zero(cuu.subs(Uc, c2 * sp.cos(2 * phi)).doit())


def test_vertex_wave_equation_mode_restriction():
    """Lowest order of r e^{2b} box psi with Wc = -1: psi1 + psi1_phiphi = d_u psic (only |m| <= 1
    in psi1, m = 0 part fixed)."""
    ser, nm = vertex_series()
    c0 = _c(ser["wave"], 0).subs(nm["Wc"], -1).doit()
    p1, pc = nm["p1"], nm["pc"]
    # ratio with the claimed combination is a nonzero constant
    claim = p1 + D(p1, phi, 2) - D(pc, u)
    q = sp.simplify(c0 / claim)
    assert q.is_number and q != 0
