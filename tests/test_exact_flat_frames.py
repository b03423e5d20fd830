"""Accelerated / rotating-vertex Minkowski (solution (a'), ``asymflat.exact.flat_frames``).

Reference: ``bondi-equations.md`` §4, §6 (a').  In 2+1 dimensions R_ab = 0 implies the Riemann
tensor vanishes, so E_ab = 0 with psi = 0 proves the metric is flat.
"""
import numpy as np
import sympy as sp

from asymflat.exact import flat_frames as FF

try:
    from support import bondi_sympy as B
except ImportError:  # pragma: no cover
    from tests.support import bondi_sympy as B

u, r, phi, G = B.u, B.r, B.phi, B.G


def _metric(a1, a2, om, cV=2):
    U = om + a1 * sp.sin(phi) - a2 * sp.cos(phi)
    V = -r - cV * r**2 * (a1 * sp.cos(phi) + a2 * sp.sin(phi))
    return U, V


def test_vacuum_constant_parameters():
    a1, a2, om = sp.symbols("a1 a2 omega", real=True)
    U, V = _metric(a1, a2, om)
    E = B.einstein_residuals(sp.Integer(0), U, V, sp.Integer(0), u, r, phi, G)
    assert all(B.is_zero(e) for e in E.values())


def test_vacuum_time_dependent_parameters():
    """Also vacuum for arbitrary a1(u), a2(u), omega(u) (checked: true)."""
    a1, a2, om = [sp.Function(n)(u) for n in ("a1", "a2", "omega")]
    U, V = _metric(a1, a2, om)
    E = B.einstein_residuals(sp.Integer(0), U, V, sp.Integer(0), u, r, phi, G)
    assert all(B.is_zero(e) for e in E.values())
    # control: a wrong r^2 coefficient in V is not vacuum
    U, V = _metric(a1, a2, om, cV=1)
    E = B.einstein_residuals(sp.Integer(0), U, V, sp.Integer(0), u, r, phi, G)
    assert not all(B.is_zero(e) for e in E.values())


def test_code_variables_and_scri_values():
    """calW = V/r + 2 r U_phi = -1 and Qbar = r^3 U_r = 0 (sympy), and the numpy functions."""
    a1, a2, om = [sp.Function(n)(u) for n in ("a1", "a2", "omega")]
    U, V = _metric(a1, a2, om)
    assert sp.simplify(V / r + 2 * r * sp.diff(U, phi) + 1) == 0
    assert sp.diff(U, r) == 0
    f1 = lambda t: 0.3 * np.cos(t)  # noqa: E731
    f2 = lambda t: -0.2 + 0.1 * t  # noqa: E731
    uu, rr, pp = 0.7, np.array([0.0, 0.5, 3.0])[:, None], np.linspace(0, 2 * np.pi, 9)[None, :]
    F = FF.fields(uu, rr, pp, f1, f2, 0.4)
    lam = sp.lambdify((u, r, phi), [U.subs({a1: 0.3 * sp.cos(u), a2: -0.2 + 0.1 * u, om: 0.4}),
                                    V.subs({a1: 0.3 * sp.cos(u), a2: -0.2 + 0.1 * u, om: 0.4})])
    Us, Vs = lam(uu, rr, pp)
    assert np.allclose(F["U"], Us, atol=1e-15) and np.allclose(F["V"], Vs, atol=1e-15)
    assert np.allclose(F["W"][1:] + 2 * rr[1:] * (0.3 * np.cos(uu) * np.cos(pp) + (-0.2 + 0.1 * uu) * np.sin(pp)), -1.0)
    x = np.linspace(0, 1, 5)
    C = FF.code_frame_fields(uu, x, pp[0], 2.0, f1, f2, 0.4)
    S = FF.scri_code_frame(uu, pp[0], f1, f2, 0.4)
    assert np.allclose(C["U"][-1], S["U0"]) and np.allclose(C["U"][0], F["U"][0])
    assert np.all(C["Wc"] == -1) and np.all(S["Qbar"] == 0) and np.all(S["beta0"] == 0)
