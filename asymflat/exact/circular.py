"""Exact nonlinear circularly symmetric Einstein--scalar solutions (solution (c1)).

Reference: ``bondi-equations.md`` §6 (c1) and §3.4 (Bondi-frame example).

In the vertex frame (beta(u, 0) = 0, U = 0) the metric

    ds^2 = -e^{2 beta} du^2 - 2 e^{2 beta} du dr + r^2 dphi^2      (U = 0, V = -r)

solves E_ab = 0 for *any* solution psi(u, r) of the flat equation

    -2 r psi_ur - psi_u + d_r(r psi_r) = 0,

with beta(u, r) = 4 pi G int_0^r r' psi_r^2 dr'.  The family used here is, with s = u - i a (a > 0),

    sigma = -s (s + 2 r),      psi = eps Re[sigma^{-1/2}]      (principal branch).

sigma never lies on the closed negative real axis for real u and r >= 0 (Im sigma = 2a(u + r) = 0
forces Re sigma = a^2 + r^2 > 0), so psi is smooth for all u and r >= 0.

All functions accept numpy arrays (broadcasting) or scalars.
"""
from __future__ import annotations

import numpy as np
from scipy import integrate

__all__ = [
    "psi", "psi_r", "psi_u", "psi0_plus", "psi0_plus_u", "psi0_minus", "beta", "beta0",
    "beta0_minus_infinity", "bondi_time", "mass_aspect_bondi", "bondi_energy", "radiated_energy",
]


def _s(u, a):
    return np.asarray(u, dtype=float) - 1j * a


def _sigma(u, r, a):
    s = _s(u, a)
    return -s * (s + 2.0 * np.asarray(r, dtype=float))


def psi(u, r, eps, a):
    """Scalar field psi = eps Re[sigma^{-1/2}], sigma = -(u - ia)(u - ia + 2r)  (§6 (c1)).

    Parameters
    ----------
    u, r : array_like
        Retarded time u = t - r and areal radius r >= 0 (vertex frame, flat (u, r) block).
    eps, a : float
        Amplitude and width (a > 0).
    """
    return eps * np.real(_sigma(u, r, a) ** -0.5)


def psi_r(u, r, eps, a):
    """d_r psi = eps Re[s sigma^{-3/2}]."""
    return eps * np.real(_s(u, a) * _sigma(u, r, a) ** -1.5)


def psi_u(u, r, eps, a):
    """d_u psi = eps Re[(s + r) sigma^{-3/2}]   (d_u sigma = -2(s + r))."""
    return eps * np.real((_s(u, a) + np.asarray(r, float)) * _sigma(u, r, a) ** -1.5)


def psi0_plus(u, eps, a):
    """Radiation field at scri+: psi0(u) = lim_{r->oo, u fixed} sqrt(r) psi = eps Re[(-2(u - ia))^{-1/2}]."""
    return eps * np.real((-2.0 * _s(u, a)) ** -0.5)


def psi0_plus_u(u, eps, a):
    """News d_u psi0 = eps Re[(-2(u - ia))^{-3/2}]."""
    return eps * np.real((-2.0 * _s(u, a)) ** -1.5)


def psi0_minus(v, eps, a):
    """Radiation field at scri-: lim_{r->oo, v fixed} sqrt(r) psi with v = t + r = u + 2r.

    With u = v - 2r, sigma = (2r - v + ia)(v - ia) ~ 2r (v - ia), hence

        psi0^-(v) = eps Re[(2(v - ia))^{-1/2}]      (principal branch; Im(v - ia) < 0).
    """
    return eps * np.real((2.0 * (np.asarray(v, dtype=float) - 1j * a)) ** -0.5)


def beta(u, r, G, eps, a):
    """Closed form of beta(u, r) = 4 pi G int_0^r r' psi_r^2 dr'  (§6 (c1)).

        beta = (pi G eps^2 / 2a^2) [1 - (a^2 + u^2 + 2ur)/(sqrt(u^2+a^2) sqrt((u+2r)^2+a^2))]
               - pi G eps^2 Re[r^2 / (s^2 (s+2r)^2)].
    """
    u = np.asarray(u, dtype=float)
    r = np.asarray(r, dtype=float)
    s = _s(u, a)
    k = np.pi * G * eps**2
    X = a**2 + u**2 + 2 * u * r
    YZ = np.sqrt(u**2 + a**2) * np.sqrt((u + 2 * r) ** 2 + a**2)
    # 1 - X/YZ = 4 a^2 r^2 / (YZ (YZ + X))  (exact; Y^2 Z^2 - X^2 = 4 a^2 r^2): no cancellation
    # at small r.  Where X < 0 the direct form is already cancellation-free.
    with np.errstate(divide="ignore", invalid="ignore"):
        stable = 4 * a**2 * r**2 / (YZ * (YZ + X))
    one_minus = np.where(X > 0, stable, 1.0 - X / YZ)
    t1 = (k / (2 * a**2)) * one_minus
    t2 = k * np.real(r**2 / (s**2 * (s + 2 * r) ** 2))
    return t1 - t2


def beta0(u, G, eps, a):
    """beta at scri+: beta0(u) = (pi G eps^2/2a^2)(1 - u/sqrt(u^2+a^2)) - (pi G eps^2/4)(u^2-a^2)/(u^2+a^2)^2.

    It obeys d_u beta0 = -8 pi G (d_u psi0)^2 (§3.4) and decreases from pi G eps^2/a^2 (u -> -oo) to 0.
    """
    u = np.asarray(u, dtype=float)
    k = np.pi * G * eps**2
    return (k / (2 * a**2)) * (1.0 - u / np.sqrt(u**2 + a**2)) - (k / 4) * (u**2 - a**2) / (u**2 + a**2) ** 2


def beta0_minus_infinity(G, eps, a):
    """lim_{u -> -oo} beta0 = pi G eps^2 / a^2."""
    return np.pi * G * eps**2 / a**2


def bondi_time(u, G, eps, a, u_start=0.0, ubar_start=0.0):
    """Bondi time ubar(u) = ubar_start + int_{u_start}^u e^{2 beta0(u')} du'  (§3.4).

    No elementary closed form is known (exp of an algebraic function); evaluated by adaptive
    Gauss--Kronrod quadrature (relative accuracy ~1e-13) for each element of ``u``.
    """
    uu = np.asarray(u, dtype=float)
    f = lambda t: np.exp(2.0 * beta0(t, G, eps, a))  # noqa: E731
    out = np.empty(uu.shape)
    for idx, val in np.ndenumerate(uu):
        q, _ = integrate.quad(f, u_start, val, epsabs=0.0, epsrel=1e-13, limit=400)
        out[idx] = ubar_start + q
    return out if out.ndim else float(out)


def mass_aspect_bondi(u, G, eps, a):
    """Bondi-frame mass aspect Theta_B = -e^{-2 beta0(u)} (evaluated at Bondi time ubar(u))."""
    return -np.exp(-2.0 * beta0(u, G, eps, a))


def bondi_energy(u, G, eps, a):
    """Bondi energy E = (1/16 pi G) oint Theta_B dphi = -e^{-2 beta0(u)} / (8G)."""
    return mass_aspect_bondi(u, G, eps, a) / (8.0 * G)


def radiated_energy(G, eps, a, u=None):
    """Energy radiated to scri+.

    Total (u=None): (1 - e^{-2 pi G eps^2/a^2}) / (8G) = oint int (d_ubar psi0)^2 dubar dphi.
    Up to retarded time u: E(-oo) - E(u) = (e^{-2 beta0(u)} - e^{-2 pi G eps^2/a^2}) / (8G).
    """
    e_inf = np.exp(-2.0 * beta0_minus_infinity(G, eps, a))
    if u is None:
        return (1.0 - e_inf) / (8.0 * G)
    return (np.exp(-2.0 * beta0(u, G, eps, a)) - e_inf) / (8.0 * G)
