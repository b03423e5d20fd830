"""Asymptotic solution at scri+ / scri- in a Bondi frame and the flux-balance laws.

Reference: ``bondi-equations.md`` §3.1, §3.3 and §5.  Truncated expansions in y = 1/r are
inserted into the Ricci-based E_ab (``tests/support/bondi_sympy.py``); the hypersurface
equations and the wave equation are solved order by order from the E_ab / box psi coefficients
themselves, and the flux laws are read from the 1/r coefficients of E_uphi and E_uu.  The
series arithmetic (``TSeries``) tracks precision, and the tests assert that every coefficient
used is exact for the truncated data.
"""
import functools

import pytest
import sympy as sp

try:
    from support import bondi_sympy as B
except ImportError:  # pragma: no cover
    from tests.support import bondi_sympy as B

D, G, is_zero, phi, pi, r, u = B.D, B.G, B.is_zero, B.phi, B.pi, B.r, B.u


@functools.lru_cache(maxsize=None)
def scri_expansion(advanced):
    """Bondi-frame (beta_0 = U_0 = 0) expansion in z = r^{-1/2}, solved order by order.

    Ansatz (each exact to the stated order; the series arithmetic tracks which coefficients of
    E_ab are then exact): Phi = sqrt(r) psi = psi0 + psi1/r + psi2/r^2,
    beta = b1/r + b2/r^2, U = U1/r - N/r^2 + U3/r^3, V/r = Wm1 r + Theta + W1/r.
    """
    fk = lambda n: sp.Function(n)(u, phi)  # noqa: E731
    p0, p1, p2 = fk("psi0"), fk("psi1"), fk("psi2")
    b1, b2 = fk("b1"), fk("b2")
    U1, U3 = fk("U1"), fk("U3")
    Wm1, W1 = fk("Wm1"), fk("W1")
    Th, N = fk("Theta"), fk("N")
    T = B.TSeries
    beta, U, V, psi = B.generic_fields()
    flds = {beta: T({2: b1, 4: b2}, 5), U: T({2: U1, 4: -N, 6: U3}, 7),
            V: T({-4: Wm1, -2: Th, 0: W1}, 1), psi: T({1: p0, 3: p1, 5: p2}, 6)}
    E = B.generic_residuals(advanced)
    ser = lambda e: B.series_of(e, flds, r, "scri", cap=12)  # noqa: E731

    def coeffs(e):
        s_ = ser(e)
        return {n: s_.c.get(n, 0) for n in range(-6, s_.prec + 1)}, s_.prec

    sol = {}
    res = {}
    for key, targets in (("rr", [b1, b2]), ("rphi", [U1, U3]), ("phiphi", [Wm1, W1])):
        c, prec = coeffs(E[key])
        res[key] = B.solve_orders(c, targets, sol)
        assert all(t in sol for t in targets), (key, prec)
    bx = B.box(psi, beta, U, V, u, r, phi, advanced=advanced)
    c, prec = coeffs(r * sp.exp(2 * beta) * bx)
    res["wave"] = B.solve_orders(c, [D(p1, u)], sol, free=(D(p2, u),))
    assert D(p1, u) in sol
    flux = {}
    for k in ("uphi", "uu"):
        c, prec = coeffs(E[k])
        assert prec >= 2
        flux[k] = {n // 2: sp.expand(sp.sympify(v).subs(sol).doit()) for n, v in c.items() if n <= 2}
    names = dict(p0=p0, p1=p1, N=N, Th=Th, b1=b1, b2=b2, U1=U1, U3=U3, Wm1=Wm1, W1=W1)
    return names, sol, res, flux


@pytest.mark.parametrize("advanced", [False, True])
def test_scri_hypersurface_orders(advanced):
    """beta = -pi G psi0^2/r - 3 pi G psi0 psi1/r^2 + ..., U1 = 0, no O(r) term in V/r,
    W1 = 4 pi G (psi0 psi0'' - psi0'^2), U3 = (2piG/3)(2N psi0^2 + s(5 psi0 psi1' - 3 psi1 psi0'))
    with s = +1 at scri+ and s = -1 at scri- (consistent with the time-reflection map
    U -> -U, N -> -N, psi_k unchanged),
    and the resonant orders (log terms) vanish identically (§3.1)."""
    nm, sol, res, flux = scri_expansion(advanced)
    p0, p1, N = nm["p0"], nm["p1"], nm["N"]
    assert is_zero(sol[nm["b1"]] + pi * G * p0**2)
    assert is_zero(sol[nm["b2"]] + 3 * pi * G * p0 * p1)
    assert sol[nm["U1"]] == 0 and sol[nm["Wm1"]] == 0
    sgn = -1 if advanced else 1
    Dp = lambda f: D(f, phi)  # noqa: E731
    assert is_zero(sol[nm["U3"]] - 2 * pi * G / 3 * (2 * N * p0**2 + sgn * (5 * p0 * Dp(p1) - 3 * p1 * Dp(p0))))
    assert is_zero(sol[nm["W1"]] - 4 * pi * G * (p0 * D(p0, phi, 2) - Dp(p0) ** 2))
    # resonances: H2 at O(1/r) (first nontrivial order of E_rphi) and H3 at O(r^0)
    assert res["rphi"] and res["phiphi"]


@pytest.mark.parametrize("advanced", [False, True])
def test_scri_news_evolution(advanced):
    """d_u psi1 = (Theta/8) psi0 - (1/2) psi0''  (scri+);  d_v psi1 = -(Theta/8) psi0 + (1/2) psi0'' (scri-)."""
    nm, sol, res, flux = scri_expansion(advanced)
    p0, p1, Th = nm["p0"], nm["p1"], nm["Th"]
    sgn = -1 if advanced else 1
    assert is_zero(sol[D(p1, u)] - sgn * (Th * p0 / 8 - D(p0, phi, 2) / 2))


@pytest.mark.parametrize("advanced", [False, True])
def test_flux_laws(advanced):
    """1/r coefficients of the supplementary equations (§3.3, §5): with s = +1 at scri+, -1 at scri-,
    E_uphi: d_u N = Theta'/2 - s 8 pi G psi0_u psi0' + s pi G d_u d_phi(psi0^2),
    E_uu:   d_u Theta = -s 16 pi G (d_u psi0)^2;
    no r^0 or growing terms remain."""
    nm, sol, res, flux = scri_expansion(advanced)
    p0, N, Th = nm["p0"], nm["N"], nm["Th"]
    s = -1 if advanced else 1
    for k in ("uphi", "uu"):
        assert all(flux[k][n] == 0 for n in flux[k] if n < 1)
    cphi = flux["uphi"][1]
    Nu = sp.solve(cphi, D(N, u))
    assert len(Nu) == 1
    assert is_zero(Nu[0] - (D(Th, phi) / 2 - s * 8 * pi * G * D(p0, u) * D(p0, phi)
                            + s * pi * G * D(p0**2, u, phi)))
    cuu = sp.expand(flux["uu"][1].subs(D(N, u), Nu[0]).doit())
    Thu = sp.solve(cuu, D(Th, u))
    assert len(Thu) == 1
    assert is_zero(Thu[0] + s * 16 * pi * G * D(p0, u) ** 2)
    # the Qbar-adapted aspect  N^ = N - s pi G (psi0^2)'  has the simpler law
    Nhat_u = Nu[0] - s * pi * G * D(p0**2, u, phi)
    assert is_zero(Nhat_u - (D(Th, phi) / 2 - s * 8 * pi * G * D(p0, u) * D(p0, phi)))
