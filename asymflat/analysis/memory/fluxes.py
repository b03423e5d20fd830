"""Flux laws at scri+ integrated from i0: the predicted final state, its completion onto the Minkowski
orbit, and the linearised memory (package docstring, "Flux laws at scri+")."""
from __future__ import annotations

import numpy as np

from asymflat.analysis.memory.frames import _strip_low
from asymflat.bms3 import diffeo as _diffeo
from asymflat.bms3.recovery import solve_minkowski_supertranslation
from asymflat.bms3.spectral import derivative, fourier_modes, from_modes, mode_numbers, phi_grid


# --------------------------------------------------------------------------------------------
# flux laws and the predicted final state
# --------------------------------------------------------------------------------------------
def flux_rates(u: np.ndarray, news: np.ndarray, psi0: np.ndarray, G: float) -> tuple[np.ndarray, np.ndarray]:
    """``d_u Theta`` and the non-total-derivative part of ``d_u Xi`` on each cut (shape (nu, nphi)):
    ``-16 pi G news^2`` and ``-8 pi G [news psi0' - u d_phi news^2]``."""
    u = np.asarray(u, float)
    news = np.asarray(news, float)
    dth = -16.0 * np.pi * G * news**2
    dxi = -8.0 * np.pi * G * (news * derivative(np.asarray(psi0, float)) - u[:, None] * derivative(news**2))
    return dth, dxi


def _cumulative(F: np.ndarray, u: np.ndarray, order: int = 6) -> np.ndarray:
    du = np.diff(u)
    if np.allclose(du, du[0], rtol=1e-10, atol=0.0):
        from asymflat.scri._numerics import cumulative_integral_uniform

        return cumulative_integral_uniform(F, float(du[0]), order)
    from scipy.integrate import cumulative_simpson

    return cumulative_simpson(F, x=u, axis=0, initial=0.0)


def flux_integrals(u: np.ndarray, news: np.ndarray, psi0: np.ndarray, G: float, weights: np.ndarray | None = None,
                   cumulative: bool = False, order: int = 6):
    """``(Delta Theta, Delta Xi)`` from the first to the last cut (``cumulative=True``: to every cut).

    Quadrature: ``weights`` (e.g. Gauss-Legendre, exact for polynomial news) if given, else the local
    ``order``-point Lagrange rule on uniform cuts (scipy's cumulative Simpson otherwise).  The total
    derivative ``pi G d_phi psi0^2`` enters as its values at the ends.
    """
    u = np.asarray(u, float)
    psi0 = np.asarray(psi0, float)
    dth, dxi = flux_rates(u, news, psi0, G)
    bnd = np.pi * G * derivative(psi0**2)
    if weights is not None:
        if cumulative:
            raise ValueError("flux_integrals: cumulative=True needs cut data, not quadrature weights")
        w = np.asarray(weights, float)
        return w @ dth, w @ dxi  # boundary term: psi0 at the ends of the quadrature interval is the caller's
    Th = _cumulative(dth, u, order)
    Xi = _cumulative(dxi, u, order) + (bnd - bnd[0])
    return (Th, Xi) if cumulative else (Th[-1], Xi[-1])


def predicted_final_state(theta_i0, xi_i0, u, news, psi0, G: float, weights=None, psi0_ends=None):
    """``(Theta_f, Xi_f)`` from the state at i0 (or the first cut) and the integrated scri+ fluxes.

    ``Theta_f = Theta_i0 - 16 pi G int news^2``, ``Xi_f = Xi_i0 + int (Xi-law)``; with ``weights`` the
    boundary term uses ``psi0_ends = (psi0(u_a), psi0(u_b))`` (default: zero, compact support).
    """
    dth, dxi = flux_integrals(u, news, psi0, G, weights=weights)
    if weights is not None and psi0_ends is not None:
        a, b = (np.asarray(p, float) for p in psi0_ends)
        dxi = dxi + np.pi * G * derivative(b**2 - a**2)
    return np.asarray(theta_i0, float) + dth, np.asarray(xi_i0, float) + dxi


def orbit_completion(theta_high: np.ndarray, tol: float = 1e-14, maxiter: int = 50):
    """The point ``Theta = -F'^2 - 2 S[F]`` of the Minkowski orbit whose ``|m| >= 2`` part is
    ``-1 + theta_high`` (``theta_high`` has no ``|m| <= 1`` modes); returns ``(F, Theta)``.

    Newton on ``Y`` (``F = phi + Y``, ``Y`` with ``|m| >= 2``): the linearisation is
    ``-2 (Y' + Y''')`` about ``-1``; used to build synthetic final states (tests).
    """
    n = theta_high.shape[-1]
    x = phi_grid(n)
    target = _strip_low(np.asarray(theta_high, float))
    Y = np.zeros(n)
    for _ in range(maxiter):
        F = _diffeo.from_grid(Y, "F")
        th = F.vacuum_mass_aspect(x)
        r = _strip_low(th + 1.0) - target
        if np.max(np.abs(r)) < tol:
            break
        Y = Y + linear_superrotation(-1.0 - r)  # -2(dY' + dY''') = -r
    F = _diffeo.from_grid(Y, "F (orbit completion)")
    return F, F.vacuum_mass_aspect(x)


def linear_superrotation(theta: np.ndarray) -> np.ndarray:
    """``Y`` (``|m| >= 2``) with ``-1 - 2 (Y' + Y''') = Theta`` in the ``|m| >= 2`` modes."""
    theta = np.asarray(theta, float)
    n = theta.shape[-1]
    c = fourier_modes(theta + 1.0)
    m = mode_numbers(n).astype(float)
    out = np.zeros_like(c)
    sel = np.abs(m) >= 2
    if n % 2 == 0:
        sel[n // 2] = False
    out[sel] = -c[sel] / (2j * m[sel] * (1.0 - m[sel] ** 2))
    return from_modes(out)


def linear_supertranslation(xi: np.ndarray) -> np.ndarray:
    """``gamma`` (``|m| >= 2``) with ``-(gamma' + gamma''') = Xi`` (linearised about ``Theta = -1``)."""
    return solve_minkowski_supertranslation(np.asarray(xi, float)).gamma
