"""Synthetic scattering data with a known memory: compact news, exact quadrature, a final state on the
Minkowski orbit (the fixtures of tests/test_memory.py)."""
from __future__ import annotations

import numpy as np

from asymflat.analysis.memory.fluxes import flux_integrals, orbit_completion
from asymflat.analysis.memory.frames import _strip_low
from asymflat.bms3.action import finite_action
from asymflat.bms3.recovery import inverse_on_grid, solve_minkowski_supertranslation
from asymflat.bms3.spectral import TrigSeries, phi_grid


# --------------------------------------------------------------------------------------------
# synthetic data: compact news, exact quadrature, a final state on the Minkowski orbit
# --------------------------------------------------------------------------------------------
def synthetic_news(eps: float, n: int = 64):
    """``psi0(u, phi)`` and ``news`` as callables of (u, phi): compact support ``|u| <= 1``,
    polynomial in u (``(1 - u^2)^4`` times cubics), angular modes 0..3 with different time
    profiles (so that the angular-momentum flux is non-zero).  Gauss-Legendre with >= 20 nodes on
    [-1, 1] integrates every flux density exactly (degree <= 31)."""
    P = np.polynomial.Polynomial
    w = P([1.0, 0.0, -1.0]) ** 4
    profiles = [(0, "c", w * P([0.3, 0.5])), (1, "c", w * P([0.0, 0.4, 0.2])), (2, "c", w * P([1.0, 0.0, -0.8])),
                (2, "s", w * P([0.0, 1.2, 0.0, -0.5])), (3, "c", w * P([0.4, -0.3])), (3, "s", w * P([0.2, 0.0, 0.6]))]

    def _ang(m, kind, phi):
        return np.cos(m * phi) if kind == "c" else np.sin(m * phi)

    def psi0(u, phi):
        u = np.asarray(u, float)[..., None]
        out = sum(np.where(np.abs(u) <= 1, b(u), 0.0) * _ang(m, k, phi) for m, k, b in profiles)
        return eps * out

    def news(u, phi):
        u = np.asarray(u, float)[..., None]
        out = sum(np.where(np.abs(u) <= 1, b.deriv()(u), 0.0) * _ang(m, k, phi) for m, k, b in profiles)
        return eps * out

    return psi0, news


def synthetic_scattering(eps: float, G: float = 1.0, n: int = 64, n_gauss: int = 24):
    """An exact synthetic scattering at scri+: compact news (:func:`synthetic_news`), final state
    ``(F, gamma) . (-1, 0)`` on the Minkowski orbit, initial state ``Theta_i0 = Theta_f + 16 pi G E_out``,
    ``Xi_i0 = Xi_f - Delta Xi`` (Poincare charges only beyond the flux; ``F`` from
    :func:`orbit_completion` of the ``|m| >= 2`` energy flux, ``gamma`` the canonical
    supertranslation whose state has the ``|m| >= 2`` (Minkowski-frame) part of ``Delta Xi``).

    Returns dict ``theta_i0, xi_i0, theta_f, xi_f, F, gamma (grid), E_out, delta_theta, delta_xi,
    psi0, news`` (callables), ``u_gauss, w_gauss``.
    """
    psi0, news = synthetic_news(eps, n)
    x = phi_grid(n)
    xg, wg = np.polynomial.legendre.leggauss(n_gauss)
    nw, ps = news(xg, x), psi0(xg, x)
    dth, dxi = flux_integrals(xg, nw, ps, G, weights=wg)
    E_out = np.asarray(wg @ nw**2)
    F, th_f = orbit_completion(_strip_low(dth))
    xinv = inverse_on_grid(F, x)
    h = TrigSeries.from_grid(dxi)(xinv) / F.d(xinv, 1) ** 2
    g = solve_minkowski_supertranslation(_strip_low(h)).gamma
    gamma = TrigSeries.from_grid(g)(F(x)) / F.d(x, 1)
    th2, xi_f = finite_action(-1.0, 0.0, F, TrigSeries.from_grid(gamma), n=n)
    return dict(theta_i0=th_f - dth, xi_i0=xi_f - dxi, theta_f=th_f, xi_f=xi_f, F=F, gamma=gamma,
                E_out=E_out, delta_theta=dth, delta_xi=dxi, psi0=psi0, news=news, u_gauss=xg, w_gauss=wg,
                orbit_check=float(np.max(np.abs(th2 - th_f))))
