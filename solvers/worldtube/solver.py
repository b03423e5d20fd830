"""Validating Python wrapper of the worldtube kernels (:mod:`solvers.worldtube.kernels`).

Geometry: the tube r = r_w sits at x_w = r_w/(R + r_w) (bondi-equations.md section 2,
x = r/(R + r)); the exterior grid is uniform in x, x_j = x_w + j (1 - x_w)/nx, j = 0..nx, the last
node is scri+ (x = 1).  The exterior quantities are integrated in rho = R/r = (1 - x)/x with
p-point Lagrange interpolants (p = ``order``, 4 or 6) centred on each interval: error O(h^p) for a
smooth integrand, exact (round-off) for polynomials of degree < p in rho, which the vacuum
exterior's (C3), (C4) right-hand sides are (degree 1; see the kernels module).

Every input is checked here (types, shapes, finiteness, ranges) and refused with a ValueError
naming it, so no bad value reaches a numba kernel.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

from . import kernels as _k

#: default order of the radial quadrature (Lagrange points per interval)
RADIAL_ORDER = 6


def rho_of_x(x: np.ndarray) -> np.ndarray:
    """rho = R/r = (1 - x)/x (in units of R)."""
    x = np.asarray(x, dtype=float)
    return (1.0 - x) / x


def quadrature_weights(nodes: np.ndarray, order: int = RADIAL_ORDER) -> tuple[np.ndarray, np.ndarray]:
    """Weights of the cumulative integral on arbitrary increasing or decreasing ``nodes`` t_j.

    ``int_{t_j}^{t_{j+1}} g dt ~= sum_k w[j, k] g[start[j] + k]`` with the Lagrange interpolant
    through ``order`` nodes centred on the interval (shifted at the ends), integrated exactly by
    Gauss-Legendre: exact for polynomials of degree < order, local error O(h^(order+1)).
    """
    t = np.asarray(nodes, dtype=float)
    n = len(t)
    if order not in (4, 6):
        raise ValueError(f"order = {order!r}: must be 4 or 6")
    if n < order:
        raise ValueError(f"need at least {order} nodes for the order-{order} quadrature, got {n}")
    gx, gw = np.polynomial.legendre.leggauss(order // 2 + 1)
    start = np.zeros(n - 1, dtype=np.int64)
    w = np.zeros((n - 1, order))
    for j in range(n - 1):
        s = min(max(j - (order // 2 - 1), 0), n - order)
        nd = t[s:s + order]
        a, b = t[j], t[j + 1]
        tq = 0.5 * (a + b) + 0.5 * (b - a) * gx
        for k in range(order):
            lk = np.ones_like(tq)
            for i in range(order):
                if i != k:
                    lk *= (tq - nd[i]) / (nd[k] - nd[i])
            w[j, k] = 0.5 * (b - a) * np.dot(gw, lk)
        start[j] = s
    return start, w


def tube_rhs(mass_aspect: np.ndarray, dust_flux: np.ndarray, G: float) -> tuple[np.ndarray, np.ndarray]:
    """Right-hand side of the tube evolution, the supplementary equations at r = r_w
    (bondi-equations.md section 1.3-1.4, section 6):

        d_u Theta_w = -16 pi G f,        d_u N_w = (1/2) d_phi Theta_w

    (N_w does not enter).  ``mass_aspect``, ``dust_flux``: rows of samples on the uniform phi grid.
    Returns ``(d_u Theta_w, d_u N_w)``; the same kernel as the time loop.
    """
    th = _row(mass_aspect, "mass_aspect")
    fl = _row(dust_flux, "dust_flux")
    if th.shape != fl.shape:
        raise ValueError(f"dust_flux has shape {fl.shape}, mass_aspect {th.shape}: must agree")
    _finite_number(G, "G")
    n = th.shape[0]
    _check_nphi(n)
    dth = np.empty(n)
    dN = np.empty(n)
    _k.tube_rhs_kernel(th, fl, 16.0 * math.pi * float(G), dth, dN, np.zeros(n // 2 + 1, complex),
                       np.arange(n // 2 + 1, dtype=float), np.array([0], dtype=np.int64), n)
    return dth, dN


def _row(a, name: str) -> np.ndarray:
    try:
        arr = np.ascontiguousarray(a, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: must be an array of real numbers") from None
    if arr.ndim != 1:
        raise ValueError(f"{name} has shape {arr.shape}: must be one row of nphi samples")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name}: contains NaN or Inf")
    return arr


def _finite_number(v, name: str, positive: bool = False) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} = {v!r}: must be a real number")
    v = float(v)
    if not math.isfinite(v) or (positive and v <= 0):
        raise ValueError(f"{name} = {v!r}: must be a finite number" + (" > 0" if positive else ""))
    return v


def _check_nphi(n: int) -> None:
    if n < 8 or n % 2:
        raise ValueError(f"grid.nphi = {n}: must be an even integer >= 8")


class WorldtubeSolver:
    """Tube evolution in u plus the vacuum exterior out to scri+.

    Parameters
    ----------
    nx : int
        Radial intervals between the tube (x_w) and scri+ (x = 1); nx + 1 nodes.
    nphi : int
        Uniform angles phi_k = 2 pi k / nphi (even).
    R : float
        Compactification scale, x = r/(R + r).
    tube_radius : float
        r_w > 0.
    G : float
        Newton's constant (>= 0).
    order : int
        Points of the radial quadrature (4 or 6).
    """

    def __init__(self, nx: int, nphi: int, R: float, tube_radius: float, G: float, order: int = RADIAL_ORDER):
        if isinstance(nx, bool) or not isinstance(nx, (int, np.integer)) or nx < 8:
            raise ValueError(f"grid.nx = {nx!r}: must give at least 8 radial intervals")
        if isinstance(nphi, bool) or not isinstance(nphi, (int, np.integer)):
            raise ValueError(f"grid.nphi = {nphi!r}: must be an even integer >= 8")
        _check_nphi(int(nphi))
        self.R = _finite_number(R, "grid.R", positive=True)
        self.tube_radius = _finite_number(tube_radius, "worldtube.r_w", positive=True)
        self.G = _finite_number(G, "G")
        if self.G < 0:
            raise ValueError(f"G = {G!r}: must be >= 0")
        if order not in (4, 6):
            raise ValueError(f"order = {order!r}: must be 4 or 6")
        self.nx, self.nphi, self.order = int(nx), int(nphi), int(order)
        self.x_tube = self.tube_radius / (self.R + self.tube_radius)
        if not self.x_tube < 1.0:
            raise ValueError(f"worldtube.r_w = {tube_radius!r}: too large for grid.R = {R!r} "
                             "(x_w = r_w/(R + r_w) rounds to 1)")
        self.h = (1.0 - self.x_tube) / self.nx
        self.x = self.x_tube + self.h * np.arange(self.nx + 1)
        self.x[-1] = 1.0
        self.rho = rho_of_x(self.x)
        self.qs, self.qw = quadrature_weights(self.rho, self.order)
        self.phi = 2.0 * np.pi * np.arange(self.nphi) / self.nphi
        self._km = np.arange(self.nphi // 2 + 1, dtype=float)
        self._axes = np.array([0], dtype=np.int64)

    # -------------------------------------------------------------------------------------
    def _work(self):
        n, m = self.nx + 1, self.nphi
        return dict(Qbar=np.zeros((n, m)), U=np.zeros((n, m)), calW=np.zeros((n, m)),
                    gU=np.zeros((n, m)), gW=np.zeros((n, m)), Np=np.zeros(m),
                    hat=np.zeros(m // 2 + 1, dtype=complex))

    def _state(self, a, name: str) -> np.ndarray:
        arr = _row(a, name)
        if arr.shape != (self.nphi,):
            raise ValueError(f"{name} has shape {arr.shape}: must be ({self.nphi},) (one value per phi)")
        return arr

    def exterior(self, mass_aspect_tube, N_tube) -> dict[str, np.ndarray]:
        """The exterior (x, U, calW, Qbar on (nx+1, nphi)) of one tube state (Theta_w, N_w)."""
        th = self._state(mass_aspect_tube, "mass_aspect_tube")
        nn = self._state(N_tube, "N_tube")
        w = self._work()
        _k.exterior_kernel(th, nn, self.x, self.R, self.tube_radius, self.qs, self.qw, w["Qbar"], w["U"],
                           w["calW"], w["gU"], w["gW"], w["Np"], w["hat"], self._km, self._axes)
        return dict(x=self.x.copy(), U=w["U"], calW=w["calW"], Qbar=w["Qbar"])

    def evolve(self, mass_aspect0, N0, dust_flux: Callable[[np.ndarray, np.ndarray], np.ndarray] | np.ndarray,
               u_start: float, u_end: float, nsteps: int) -> dict[str, np.ndarray]:
        """RK4 of the tube state from u_start to u_end in ``nsteps`` equal steps; exterior and scri+
        read-off after every step.

        ``dust_flux``: f(u, phi) as a callable ``f(u[:, None], phi[None, :])`` or the array of its
        values at the 2 nsteps + 1 stage times u_start + i du/2.  Returns arrays over the steps
        (shape (nsteps+1, nphi) unless stated): ``u`` (nsteps+1,), ``tube_mass_aspect``,
        ``tube_N``, ``tube_U`` (U_w), ``tube_calW`` (calW_w), ``mass_aspect`` (calW at x = 1),
        ``N`` (Qbar/2 at x = 1), ``U_scri`` (U at x = 1), ``dust_flux`` (f at the steps), and the
        exterior of the last state ``x``, ``U``, ``calW``, ``Qbar`` ((nx+1, nphi)).
        """
        th0 = self._state(mass_aspect0, "mass_aspect0")
        n0 = self._state(N0, "N0")
        u0 = _finite_number(u_start, "evolution.u_start")
        u1 = _finite_number(u_end, "evolution.u_end")
        if not u1 > u0:
            raise ValueError(f"evolution.u_end = {u1!r}: must be > evolution.u_start = {u0!r}")
        if isinstance(nsteps, bool) or not isinstance(nsteps, (int, np.integer)) or nsteps < 1:
            raise ValueError(f"nsteps = {nsteps!r}: must be an integer >= 1")
        nsteps = int(nsteps)
        du = (u1 - u0) / nsteps
        ustage = u0 + 0.5 * du * np.arange(2 * nsteps + 1)
        if callable(dust_flux):
            flux = dust_flux(ustage[:, None], self.phi[None, :])
        else:
            flux = dust_flux
        try:
            flux = np.ascontiguousarray(np.broadcast_to(np.asarray(flux, dtype=float),
                                                        (2 * nsteps + 1, self.nphi)))
        except (TypeError, ValueError):
            raise ValueError(f"dust_flux: must give an array of shape ({2 * nsteps + 1}, {self.nphi}) "
                             "(the 2 nsteps + 1 RK4 stage times x phi)") from None
        if not np.all(np.isfinite(flux)):
            raise ValueError("dust_flux: contains NaN or Inf")
        m = self.nphi
        theta = np.zeros((nsteps + 1, m))
        NN = np.zeros((nsteps + 1, m))
        theta[0] = th0
        NN[0] = n0
        _k.evolve_tube(theta, NN, flux, du, 16.0 * math.pi * self.G, np.zeros((4, m)), np.zeros((4, m)),
                       np.zeros(m), np.zeros(m), np.zeros(m // 2 + 1, dtype=complex), self._km, self._axes)
        w = self._work()
        out = {k: np.zeros((nsteps + 1, m)) for k in ("mass_aspect", "N", "U_scri", "tube_U", "tube_calW")}
        _k.exterior_history(theta, NN, self.x, self.R, self.tube_radius, self.qs, self.qw, w["Qbar"], w["U"],
                            w["calW"], w["gU"], w["gW"], w["Np"], w["hat"], self._km, self._axes,
                            out["mass_aspect"], out["N"], out["U_scri"], out["tube_U"], out["tube_calW"])
        out.update(u=u0 + du * np.arange(nsteps + 1), tube_mass_aspect=theta, tube_N=NN,
                   dust_flux=flux[::2].copy(), x=self.x.copy(), U=w["U"], calW=w["calW"], Qbar=w["Qbar"])
        out["u"][-1] = u1
        return out
