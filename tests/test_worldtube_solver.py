"""solvers.worldtube: radial quadrature order, exterior vs closed form, RK4 order of the tube,
input validation before any numba kernel (reference bondi-equations.md sections 2 and 6 (b))."""
from __future__ import annotations

import math

import numpy as np
import pytest

from asymflat.exact.null_dust import DustBurst, NullDustSolution
from solvers.worldtube import WorldtubeSolver, quadrature_weights, rho_of_x


def _cumulative(nodes, g, order):
    s, w = quadrature_weights(nodes, order)
    out = np.zeros(len(nodes))
    for j in range(len(nodes) - 1):
        out[j + 1] = out[j] + w[j] @ g[s[j]:s[j] + order]
    return out


@pytest.mark.parametrize("order", [4, 6])
def test_quadrature_order_on_a_generic_integrand(order):
    """On the rho nodes of a uniform x grid the cumulative quadrature converges at its order for a
    non-polynomial integrand (exp(-rho) cos(2 rho)) and is exact for polynomials of degree < order."""
    errs = []
    for n in (64, 128, 256):
        x = 0.3 + 0.7 * np.arange(n + 1) / n
        t = rho_of_x(x)
        F = np.exp(-t) * (2 * np.sin(2 * t) - np.cos(2 * t)) / 5       # antiderivative of e^-t cos 2t
        got = _cumulative(t, np.exp(-t) * np.cos(2 * t), order)
        errs.append(np.max(np.abs(got - (F - F[0]))))
        poly = _cumulative(t, 1 + t + t**(order - 1), order)
        exact = (t - t[0]) + (t**2 - t[0]**2) / 2 + (t**order - t[0]**order) / order
        assert np.max(np.abs(poly - exact)) < 1e-12 * np.max(np.abs(exact))
    orders = np.log2(np.array(errs[:-1]) / np.array(errs[1:]))
    assert np.all(orders > order - 0.5), orders


def test_exterior_is_the_closed_form():
    """The exterior integrated from the tube values is U = -N/r^2, calW = Theta - 2N'/r - N^2/r^2 (to
    round-off, the integrands being polynomials in rho), so U(x=1) = 0 and calW(x=1) = Theta."""
    s = WorldtubeSolver(24, 16, 2.0, 0.7, 0.05)
    th = -0.9 + 0.1 * np.cos(2 * s.phi)
    N = 0.3 * np.sin(s.phi) - 0.1
    e = s.exterior(th, N)
    x = e["x"][:, None]
    inv_r = (1 - x) / (2.0 * x)
    assert np.max(np.abs(e["U"] + N * inv_r**2)) < 1e-14
    assert np.max(np.abs(e["calW"] - (th - 2 * 0.3 * np.cos(s.phi) * inv_r - N**2 * inv_r**2))) < 1e-13
    assert np.max(np.abs(e["Qbar"] - 2 * N)) == 0
    assert e["x"][0] == pytest.approx(0.7 / 2.7) and e["x"][-1] == 1.0


def test_tube_rk4_order_and_scri_readoff():
    """RK4 of the tube state: errors of Theta, Xi at scri+ against the exact solution fall at order 4."""
    sol = NullDustSolution(0.05, -1.0, 0.0, [DustBurst(0.3, 0.0, 0.5, 2, 0.5, 0.1)])
    errs = []
    for nsteps in (40, 80, 160):
        s = WorldtubeSolver(16, 16, 1.0, 1.0, 0.05)
        out = s.evolve(sol.mass_aspect(-2.0, s.phi), sol.N(-2.0, s.phi), sol.dust_flux, -2.0, 2.0, nsteps)
        U, P = np.meshgrid(out["u"], s.phi, indexing="ij")
        errs.append(max(np.max(np.abs(out["mass_aspect"] - sol.mass_aspect(U, P))),
                        np.max(np.abs(out["N"] - sol.N(U, P)))))
        assert np.max(np.abs(out["U_scri"])) < 1e-14
        assert np.array_equal(out["tube_mass_aspect"][0], sol.mass_aspect(-2.0, s.phi))
    orders = np.log2(np.array(errs[:-1]) / np.array(errs[1:]))
    assert np.all((orders > 3.8) & (orders < 4.3)), (errs, orders)


@pytest.mark.parametrize("kwargs, words", [
    (dict(nx=4), "grid.nx"), (dict(nphi=7), "grid.nphi"), (dict(R=-1.0), "grid.R"),
    (dict(tube_radius=0.0), "worldtube.r_w"), (dict(tube_radius=float("nan")), "worldtube.r_w"),
    (dict(G=float("inf")), "G"), (dict(nx=True), "grid.nx"),
])
def test_bad_solver_parameters_are_refused(kwargs, words):
    base = dict(nx=16, nphi=16, R=1.0, tube_radius=1.0, G=0.1)
    base.update(kwargs)
    with pytest.raises(ValueError, match=words.replace(".", r"\.")):
        WorldtubeSolver(**base)


def test_bad_evolution_input_is_refused_before_the_kernels():
    s = WorldtubeSolver(16, 8, 1.0, 1.0, 0.1)
    th, N = -np.ones(8), np.zeros(8)
    with pytest.raises(ValueError, match="mass_aspect0 has shape"):
        s.evolve(np.ones(9), N, 0.0, 0.0, 1.0, 10)
    with pytest.raises(ValueError, match="NaN"):
        s.evolve(th, N, np.full((21, 8), np.nan), 0.0, 1.0, 10)
    with pytest.raises(ValueError, match="dust_flux: must give an array of shape"):
        s.evolve(th, N, np.zeros((5, 8)), 0.0, 1.0, 10)
    with pytest.raises(ValueError, match="u_end"):
        s.evolve(th, N, 0.0, 1.0, 1.0, 10)
    with pytest.raises(ValueError, match="nsteps"):
        s.evolve(th, N, 0.0, 0.0, 1.0, 0)
    with pytest.raises(ValueError, match="N_tube"):
        s.exterior(th, [1.0, "a"])
    # a scalar flux broadcasts: Theta_w drops linearly, N_w stays (no phi dependence)
    out = s.evolve(th, N, 0.5, 0.0, 1.0, 10)
    assert np.allclose(out["tube_mass_aspect"][-1], -1 - 16 * math.pi * 0.1 * 0.5, atol=1e-14)
    assert np.max(np.abs(out["tube_N"])) < 1e-15


_ALLOC_SCRIPT = """
import numpy as np
from numba.core.runtime import rtsys
from solvers.worldtube import WorldtubeSolver
from solvers.worldtube import kernels as K
s = WorldtubeSolver(16, 16, 1.0, 1.0, 0.05)
counts = []
for n in (4, 400):
    th = np.zeros((n + 1, 16)); th[0] = -1.0; N = np.zeros((n + 1, 16))
    args = (th, N, np.ones((2 * n + 1, 16)), 0.01, 0.1, np.zeros((4, 16)), np.zeros((4, 16)), np.zeros(16),
            np.zeros(16), np.zeros(9, complex), s._km, s._axes)
    w = s._work()
    ext = (th, N, s.x, s.R, s.tube_radius, s.qs, s.qw, w["Qbar"], w["U"], w["calW"], w["gU"], w["gW"], w["Np"],
           w["hat"], s._km, s._axes) + tuple(np.zeros((n + 1, 16)) for _ in range(5))
    K.evolve_tube(*args); K.exterior_history(*ext)          # compiled
    a = rtsys.get_allocation_stats().alloc
    K.evolve_tube(*args)
    b = rtsys.get_allocation_stats().alloc
    K.exterior_history(*ext)
    c = rtsys.get_allocation_stats().alloc
    counts.append((b - a, c - b))
print(counts)
assert counts[0] == counts[1], counts
"""


def test_time_loop_allocates_nothing():
    """numba's allocation counter (NUMBA_NRT_STATS) does not grow with the number of steps: the RK4
    loop and the per-step exterior use only the preallocated buffers."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = dict(os.environ, NUMBA_NRT_STATS="1", ASYMFLAT_NUMBA_CACHE="0")
    res = subprocess.run([sys.executable, "-c", _ALLOC_SCRIPT], cwd=Path(__file__).parents[1], env=env,
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
