"""Exact embeddings of Bondi charts into global Minkowski space, any BMS3 frame (reference §3.2).

Retarded (scri+).  ``l(psi) = (1, cos psi, sin psi)``, ``l_hat = l(F)/F'``,
``kappa = F'^2 + 2 S[F]``, ``c = u + gamma``::

    X(u, r, phi) = (r + c kappa + c'') l_hat - c' l_hat' + c l_hat''

pulls the flat metric back to ``Theta du^2 - 2 du dr + 2 (Xi + u Theta'/2) du dphi + r^2 dphi^2``
with ``Theta = -kappa`` and ``Xi = gamma' Theta + gamma Theta'/2 - gamma'''``.

Advanced (scri-).  ``m(psi) = (-1, cos psi, sin psi)``, ``m_hat = m(F_bar)/F_bar'``,
``c = -v + gamma_bar``::

    X(v, r, phi) = (r + c kappa_bar + c'') m_hat - c' m_hat' + c m_hat''

gives ``Theta^- dv^2 + 2 dv dr + 2 (Xi^- + v Theta^-'/2) dv dphi + r^2 dphi^2`` with
``Theta^- = -kappa_bar`` and ``Xi^- = -(gamma_bar' Theta^- + gamma_bar Theta^-'/2 - gamma_bar''')``.
So the finite-law supertranslation at scri- is ``gamma^- = -gamma_bar`` (``v_Mink = F_bar'(v -
gamma_bar)`` at scri-), and the antipodally linked frame of ``(F, gamma)`` is
``F_bar = F(. + pi) - pi``, ``gamma_bar = -gamma(. + pi)`` (reference §4.2).

Useful identities (used by :func:`bondi_data_from_embedding` only through the spectral
derivative, and checked in the tests): ``l_hat.l_hat = l_hat.l_hat' = 0``,
``l_hat'.l_hat' = 1``, ``l_hat.l_hat'' = -1``, ``l_hat''.l_hat'' = kappa``, and
``d_phi X = -N l_hat + r l_hat'`` (retarded).

Quotients.  The formula is local in ``phi``: with a *developing map* ``F`` (not a circle
diffeomorphism, see :func:`diffeo.developing_map`) and a quasi-periodic ``gamma`` it embeds the
universal cover of the chart of a conical defect (``F = mu phi``), spinning particle
(``gamma = -Xi0 phi / mu^2``), null orbifold and flat-space cosmology
(``F = 2 atan(tanh(sqrt(Theta0) phi/2))``, ``gamma = Xi0 phi/Theta0``); ``phi -> phi + 2 pi`` acts
as a Poincare transformation ``X -> Lambda X + a`` (the holonomy, :func:`holonomy`).
"""
from __future__ import annotations

from typing import Callable, Union

import numpy as np

from .diffeo import CircleDiffeo
from .spectral import TWO_PI, TrigSeries, as_series, derivative, phi_grid

ETA = np.diag([-1.0, 1.0, 1.0])

Gamma = Union[TrigSeries, Callable, float, np.ndarray]


def _chart_sign(chart: str) -> int:
    if chart in ("retarded", "scri_plus", "+"):
        return 1
    if chart in ("advanced", "scri_minus", "-"):
        return -1
    raise ValueError(f"chart = {chart!r}: allowed are 'scri_plus' (retarded) and 'scri_minus' (advanced)")


def _gamma_derivs(gamma: Gamma, phi: np.ndarray, kmax: int) -> list:
    if np.isscalar(gamma):
        z = np.zeros_like(phi)
        return [np.full_like(phi, float(gamma))] + [z] * kmax
    if isinstance(gamma, (TrigSeries, np.ndarray)):
        s = as_series(gamma)
        return [s(phi, k) for k in range(kmax + 1)]
    return [np.asarray(gamma(phi, k), dtype=float) for k in range(kmax + 1)]


def composed_supertranslation(a: Gamma, F: CircleDiffeo) -> Callable:
    """``h = (a o F)/F'`` with derivatives to order 3 (the group-law term ``gamma1 o F2 / F2'``)."""

    def h(phi, k):
        phi = np.asarray(phi, dtype=float)
        f = F.all_derivs(phi, 4)
        A = _gamma_derivs(a, f[0], 3)
        f1, f2, f3 = f[1], f[2], f[3]
        aF = [A[0], A[1] * f1, A[2] * f1**2 + A[1] * f2, A[3] * f1**3 + 3 * A[2] * f1 * f2 + A[1] * f3]
        w = [1 / f1, -f2 / f1**2, -f3 / f1**2 + 2 * f2**2 / f1**3,
             -f[4] / f1**2 + 6 * f2 * f3 / f1**3 - 6 * f2**3 / f1**4]
        binom = [[1], [1, 1], [1, 2, 1], [1, 3, 3, 1]]
        return sum(binom[k][j] * aF[j] * w[k - j] for j in range(k + 1))

    return h


def null_frame(F: CircleDiffeo, phi: np.ndarray, chart: str = "scri_plus") -> tuple[np.ndarray, ...]:
    """``(l_hat, l_hat', l_hat'', kappa)`` (retarded) or ``(m_hat, ...)`` (advanced), shape (3, ...)."""
    s = _chart_sign(chart)
    f0, f1, f2, f3 = F.all_derivs(np.asarray(phi, dtype=float), 3)
    c, sn = np.cos(f0), np.sin(f0)
    one = np.ones_like(f0)
    L = np.array([s * one, c, sn])
    E = np.array([0 * one, -sn, c])
    Nn = np.array([0 * one, c, sn])
    w0 = 1.0 / f1
    w1 = -f2 / f1**2
    w2 = -f3 / f1**2 + 2.0 * f2**2 / f1**3
    lh = w0 * L
    lh1 = w1 * L + E
    lh2 = w2 * L + w1 * f1 * E - f1 * Nn
    kappa = f1**2 + 2.0 * (f3 / f1 - 1.5 * (f2 / f1) ** 2)
    return lh, lh1, lh2, kappa


def embedding(F: CircleDiffeo, gamma: Gamma, t, r, phi, chart: str = "scri_plus") -> np.ndarray:
    """Global Minkowski coordinates ``X = (t_M, x, y)`` of the Bondi point ``(t, r, phi)``.

    ``t`` is ``u`` (retarded) or ``v`` (advanced); ``(F, gamma)`` are ``(F, gamma)`` resp.
    ``(F_bar, gamma_bar)`` of reference §3.2.  Broadcasts over ``t, r, phi``; returns shape (3, ...).
    """
    s = _chart_sign(chart)
    t, r, phi = np.broadcast_arrays(np.asarray(t, float), np.asarray(r, float), np.asarray(phi, float))
    lh, lh1, lh2, kappa = null_frame(F, phi, chart)
    g0, g1, g2 = _gamma_derivs(gamma, phi, 2)
    c = s * t + g0
    return (r + c * kappa + g2) * lh - g1 * lh1 + c * lh2


def predicted_bondi_data(F: CircleDiffeo, gamma: Gamma, phi, chart: str = "scri_plus"):
    """``(Theta, Xi, Theta')`` predicted for the embedding (closed form, reference §3.2)."""
    s = _chart_sign(chart)
    phi = np.asarray(phi, dtype=float)
    theta = F.vacuum_mass_aspect(phi)
    dtheta = F.vacuum_mass_aspect_prime(phi)
    g0, g1, _, g3 = _gamma_derivs(gamma, phi, 3)
    xi = s * (g1 * theta + 0.5 * g0 * dtheta - g3)
    return theta, xi, dtheta


def bondi_metric(theta, N, r, chart: str = "scri_plus") -> np.ndarray:
    """Bondi metric components in the order ``(t, r, phi)``, shape (3, 3, ...)."""
    s = _chart_sign(chart)
    theta, N, r = np.broadcast_arrays(np.asarray(theta, float), np.asarray(N, float), np.asarray(r, float))
    z = np.zeros_like(theta)
    return np.array([[theta, -s + z, N], [-s + z, z, z], [N, z, r**2]])


def jacobian_fd(F: CircleDiffeo, gamma: Gamma, t, r, phi, chart: str = "scri_plus", h: float = 2e-2):
    """``dX/d(t, r, phi)`` by 8th-order central differences, shape (3, 3, ...) as ``J[a, mu]``.

    Truncation ``~ h^8 |X^(9)|/630``; round-off ``~ eps |X| / h``.  With ``h = 0.02`` both are
    ~1e-14 relative for the smooth frames of the tests.
    """
    cs = np.array([1 / 280, -4 / 105, 1 / 5, -4 / 5, 0.0, 4 / 5, -1 / 5, 4 / 105, -1 / 280])
    ks = np.arange(-4, 5)
    args = [np.asarray(a, float) for a in np.broadcast_arrays(t, r, phi)]
    cols = []
    for i in range(3):
        acc = 0.0
        for c_, k in zip(cs, ks):
            if c_ == 0:
                continue
            a = [x.copy() for x in args]
            a[i] = a[i] + k * h
            acc = acc + c_ * embedding(F, gamma, *a, chart=chart)
        cols.append(acc / h)
    return np.stack(cols, axis=1)


def pullback_metric(J: np.ndarray) -> np.ndarray:
    """``g_{mu nu} = J^a_mu eta_ab J^b_nu`` for ``J`` of shape (3, 3, ...)."""
    return np.einsum("am...,ab,bn...->mn...", J, ETA, J)


def pullback_residual(F: CircleDiffeo, gamma: Gamma, t, r, phi, chart: str = "scri_plus", h: float = 2e-2):
    """Max |pulled-back metric - Bondi metric| at the given points (FD Jacobian), and the scale.

    Returns ``(residual, scale)`` where ``scale`` is the max magnitude of the metric components.
    """
    J = jacobian_fd(F, gamma, t, r, phi, chart, h)
    g = pullback_metric(J)
    theta, xi, dtheta = predicted_bondi_data(F, gamma, phi, chart)
    N = xi + 0.5 * np.asarray(t) * dtheta
    gb = bondi_metric(theta, N, r, chart)
    return float(np.max(np.abs(g - gb))), float(np.max(np.abs(gb)))


def bondi_data_from_embedding(F: CircleDiffeo, gamma: Gamma, t: float, n: int, chart: str = "scri_plus",
                              r: float = 1.0) -> dict[str, np.ndarray | float]:
    """Read the Bondi data off the embedding on the grid ``phi_grid(n)`` at the cut ``t``.

    ``d_t X`` and ``d_r X`` are exact (X is affine in ``t`` and ``r``), ``d_phi X`` is the spectral
    derivative of the grid samples (X is periodic for a circle diffeomorphism and periodic gamma).
    Returns ``theta = g_tt``, ``N = g_tphi`` and the gauge residuals ``g_tr -+ 1``, ``g_rr``,
    ``g_rphi``, ``g_phiphi - r^2`` (all should vanish), plus a truncation estimate of the spectral
    derivative (``spectral_tail`` of X).
    """
    s = _chart_sign(chart)
    phi = phi_grid(n)
    lh, lh1, lh2, kappa = null_frame(F, phi, chart)
    X = embedding(F, gamma, t, r, phi, chart)
    Xt = s * (kappa * lh + lh2)
    Xr = lh
    Xp = derivative(X, 1)
    dot = lambda a, b: np.einsum("a...,ab,b...->...", a, ETA, b)  # noqa: E731
    from .spectral import spectral_tail

    out = {
        "theta": dot(Xt, Xt),
        "N": dot(Xt, Xp),
        "g_tr_residual": dot(Xt, Xr) + s,
        "g_rr": dot(Xr, Xr),
        "g_rphi": dot(Xr, Xp),
        "g_phiphi_residual": dot(Xp, Xp) - r**2,
        "truncation": spectral_tail(X, 1),
        "scale": float(np.max(np.abs(X))),
    }
    return out


def holonomy(F: CircleDiffeo, gamma: Gamma, chart: str = "scri_plus", t0: float = 0.3, r0: float = 2.0):
    """The Poincare map ``(Lambda, a)`` with ``X(t, r, phi + 2pi) = Lambda X(t, r, phi) + a``.

    Fitted by least squares from 12 points; returns ``(Lambda, a, fit_residual, lorentz_residual)``
    with ``lorentz_residual = max |Lambda^T eta Lambda - eta|``.
    """
    rng = np.random.default_rng(12345)
    t = t0 + rng.uniform(-1, 1, 12)
    r = r0 + rng.uniform(0, 2, 12)
    p = rng.uniform(0, TWO_PI, 12)
    X0 = embedding(F, gamma, t, r, p, chart)
    X1 = embedding(F, gamma, t, r, p + TWO_PI, chart)
    A = np.concatenate([X0.T, np.ones((12, 1))], axis=1)
    sol, *_ = np.linalg.lstsq(A, X1.T, rcond=None)
    Lam = sol[:3].T
    a = sol[3]
    fit = float(np.max(np.abs(A @ sol - X1.T)))
    lor = float(np.max(np.abs(Lam.T @ ETA @ Lam - ETA)))
    return Lam, a, fit, lor


# -- sympy version ------------------------------------------------------------------------
def symbolic_embedding(F_expr, gamma_expr, phi, t, r, chart: str = "scri_plus"):
    """Sympy ``X(t, r, phi)`` for expressions ``F_expr(phi)``, ``gamma_expr(phi)`` (same formula)."""
    import sympy as sp

    s = _chart_sign(chart)
    F1 = sp.diff(F_expr, phi)
    lh = sp.Matrix([s, sp.cos(F_expr), sp.sin(F_expr)]) / F1
    l1, l2 = lh.diff(phi), lh.diff(phi, 2)
    S = sp.diff(F_expr, phi, 3) / F1 - sp.Rational(3, 2) * (sp.diff(F_expr, phi, 2) / F1) ** 2
    kappa = F1**2 + 2 * S
    c = s * t + gamma_expr
    return (r + c * kappa + sp.diff(c, phi, 2)) * lh - sp.diff(c, phi) * l1 + c * l2


def symbolic_bondi_metric(F_expr, gamma_expr, phi, t, r, chart: str = "scri_plus"):
    """Sympy Bondi metric (order t, r, phi) with ``Theta = -F'^2 - 2S[F]``, ``Xi = +-D_Theta gamma``."""
    import sympy as sp

    s = _chart_sign(chart)
    F1 = sp.diff(F_expr, phi)
    S = sp.diff(F_expr, phi, 3) / F1 - sp.Rational(3, 2) * (sp.diff(F_expr, phi, 2) / F1) ** 2
    Th = -(F1**2) - 2 * S
    g = gamma_expr
    Xi = s * (sp.diff(g, phi) * Th + g * sp.diff(Th, phi) / 2 - sp.diff(g, phi, 3))
    N = Xi + t / 2 * sp.diff(Th, phi)
    return sp.Matrix([[Th, -s, N], [-s, 0, 0], [N, 0, r**2]])
