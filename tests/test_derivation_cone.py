"""Conical vertex (issue 6; docs/conventions.md section 9): the facts the code uses, derived.

The static point particle in Bondi gauge is beta = 0, U = 0, V = -mu^2 r:

* it is vacuum (all E_ab = 0) and flat: ds^2 = -mu^2 du^2 - 2 du dr + r^2 dphi^2 becomes the
  Minkowski form -dU^2 - 2 dU dR + R^2 dPhi^2 under U = mu u, R = r/mu, Phi = mu phi, so the total
  angle is 2 pi mu; the vertex value calW(0) = V/r + 2 r U_phi at r = 0 is -mu^2 (the solver's
  ``wc``), and at scri+ Theta = lim V/r = -mu^2 (the conical defect of the BMS3 module);
* the regular modes of the wave equation at the tip go like r^{|m|/mu} (indicial roots +-|m|/mu
  of the wave operator on mode e^{i m phi}): the solver's slaving exponents;
* every circular solution of the regular-vertex problem rescales to one on the cone:
  (beta, psi)(u, r) -> (beta, psi)(mu u, r/mu), U = 0, V = -mu^2 r (the exact test (c1) on a cone);
  then d_u beta0 = -8 pi G news^2 / mu^2 at scri+ (the code-frame mass-loss law).

Each statement has a control that must fail.
"""
import sympy as sp

try:
    from support import bondi_sympy as B
except ImportError:  # pragma: no cover
    from tests.support import bondi_sympy as B

import numpy as np

from solvers.characteristic import Operators
from solvers.characteristic.vertex import slaving_weights, vertex_exponents

G, phi, pi, r, u, D = B.G, B.phi, B.pi, B.r, B.u, B.D
mu = sp.symbols("mu", positive=True)


def _residuals(beta, U, V, psi):
    return B.einstein_residuals(beta, U, V, psi, u, r, phi, G)


def test_static_particle_is_flat_vacuum_with_total_angle_2_pi_mu():
    E = _residuals(sp.Integer(0), sp.Integer(0), -mu**2 * r, sp.Integer(0))
    assert all(B.is_zero(e) for e in E.values())
    # explicit flat map: pull back -dU^2 - 2 dU dR + R^2 dPhi^2 with U = mu u, R = r/mu, Phi = mu phi
    du, dr, dp = sp.symbols("du dr dphi")
    U_, R_, P_ = mu * u, r / mu, mu * phi
    dU = D(U_, u) * du
    dR = D(R_, r) * dr
    dP = D(P_, phi) * dp
    flat = -dU**2 - 2 * dU * dR + R_**2 * dP**2
    cone = -mu**2 * du**2 - 2 * du * dr + r**2 * dp**2
    assert sp.expand(flat - cone) == 0
    # control: calW(0) = -1 with the same angle map is not the same metric
    assert sp.expand(flat - (-du**2 - 2 * du * dr + r**2 * dp**2)) != 0


def test_vertex_value_and_scri_value_of_calW():
    V, U = -mu**2 * r, sp.Integer(0)
    calW = V / r + 2 * r * D(U, phi)
    assert sp.simplify(calW.subs(r, 0) + mu**2) == 0
    assert sp.limit(V / r, r, sp.oo) == -mu**2
    ops = Operators(16, 8, 1.0, 4, cone_mu=0.6)
    assert np.allclose(ops.ops[14], -0.36)


def test_regular_modes_go_like_r_to_the_m_over_mu():
    """psi = r^s e^{i m phi} in the wave operator of the static cone: leading power r^{s-2} with
    coefficient mu^2 s^2 - m^2 (u-independent part), so s = +-|m|/mu."""
    s, m = sp.symbols("s m", positive=True)
    psi = r**s * sp.exp(sp.I * m * phi)
    box = B.box(psi, sp.Integer(0), sp.Integer(0), -mu**2 * r, u, r, phi)
    lead = sp.simplify(box / (r**(s - 2) * sp.exp(sp.I * m * phi)))
    assert sp.simplify(lead - (mu**2 * s**2 - m**2)) == 0
    assert set(sp.solve(lead, s)) == {m / mu}
    # control: the regular vertex (mu = 1) has s = m, not m/mu
    assert sp.simplify(lead.subs(s, m)) != 0
    # the solver's slaving uses these exponents
    nu = vertex_exponents(12, 0.7)
    assert np.allclose(nu, np.arange(7) / 0.7)
    x = np.linspace(0, 1, 33)
    jm, w = slaving_weights(x, 12, cone_mu=0.7)
    k = 1
    j0 = jm[k]
    f = x ** nu[k] * (1 + 0.3 * x - 0.2 * x**2)          # x^nu p(x), p quadratic: reproduced exactly
    for j in range(j0):
        assert abs(sum(w[k, j, i] * f[j0 + i] for i in range(3)) - f[j]) < 1e-14
    jm1, w1 = slaving_weights(x, 12, cone_mu=1.0)
    assert abs(sum(w1[k, 0, i] * f[jm1[k] + i] for i in range(3)) - f[0]) < 1e-14  # x = 0 -> 0
    assert abs(sum(w1[k, j0 - 1, i] * f[jm1[k] + i] for i in range(3)) - f[j0 - 1]) > 1e-6  # control


def test_circular_solutions_rescale_to_the_cone():
    """(beta, psi) of any circular solution on the regular vertex, composed with (mu u, r/mu), with
    U = 0, V = -mu^2 r, solves every E_ab on the cone: the identities E_ab[cone](u, r) =
    (scaling) x E_ab[regular](mu u, r/mu) for generic profiles (free coefficients), evaluated to 40
    digits at random points."""
    T, rho = sp.symbols("T rho", positive=True)
    a1, a2, a3, c1, c2 = sp.symbols("a1 a2 a3 c1 c2")
    # generic smooth (non-polynomial) profiles; sympy's Subs of undetermined two-argument functions
    # does not canonicalise mixed derivatives, so explicit functions with free coefficients are used
    b = lambda X, Y: a1 * Y**2 * sp.exp(a2 * X) + a3 * sp.sin(X * Y) * Y**2  # noqa: E731
    p = lambda X, Y: c1 * sp.cos(X + c2 * Y) / (1 + Y**2) + sp.atan(X * Y)  # noqa: E731
    to_flat = {u: T / mu, r: mu * rho}

    def cone(bb, pp):
        E = _residuals(bb, sp.Integer(0), -mu**2 * r, pp)
        return {k: e.subs(to_flat, simultaneous=True) for k, e in E.items()}

    rng = np.random.default_rng(6)
    points = [{T: sp.Rational(int(rng.integers(-90, 90)), 37), rho: sp.Rational(int(rng.integers(1, 90)), 31),
               phi: sp.Rational(1, 3), G: sp.Rational(1, 7), mu: sp.Rational(int(rng.integers(20, 99)), 100),
               a1: sp.Rational(2, 3), a2: sp.Rational(-1, 5), a3: sp.Rational(3, 11), c1: sp.Rational(5, 4),
               c2: sp.Rational(1, 6)} for _ in range(3)]

    def vanishes(expr):
        return all(abs(sp.N(expr.subs(pt), 40)) < sp.Float(1e-30) for pt in points)

    Ec = cone(b(mu * u, r / mu), p(mu * u, r / mu))
    Er = B.einstein_residuals(b(T, rho), sp.Integer(0), -rho, p(T, rho), T, rho, phi, G)
    ratio = {"rr": 1 / mu**2, "ur": sp.Integer(1), "uu": mu**2, "phiphi": sp.Integer(1)}
    for k, c in ratio.items():
        assert vanishes(Ec[k] - c * Er[k]), k
    for k in ("uphi", "rphi"):
        assert vanishes(Ec[k]), k
    # control: rescaling r but not u (b(u, r/mu)) is not a solution map
    Ebad = cone(b(u, r / mu), p(u, r / mu))
    assert not vanishes(Ebad["uu"] - mu**2 * Er["uu"])


def test_mass_loss_law_on_the_cone():
    """Theta_B = -mu^2 e^{-2 beta0}, d u_B = e^{2 beta0} du and the Bondi law
    d_{u_B} Theta_B = -16 pi G (d_{u_B} psi0)^2 give d_u beta0 = -8 pi G (d_u psi0)^2 / mu^2."""
    b0 = sp.Function("beta0")(u)
    p0 = sp.Function("psi0")(u)
    theta = -mu**2 * sp.exp(-2 * b0)
    d_uB = lambda f: sp.exp(-2 * b0) * D(f, u)  # noqa: E731
    law = d_uB(theta) + 16 * pi * G * d_uB(p0)**2
    sol = sp.solve(law, D(b0, u))[0]
    assert sp.simplify(sol + 8 * pi * G * D(p0, u)**2 / mu**2) == 0
    assert sp.simplify(sol + 8 * pi * G * D(p0, u)**2) != 0  # control: the regular-vertex law
