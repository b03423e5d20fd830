"""Carrying time-dependent scri+ data with scalar radiation by a finite BMS3 map (issue 21).

Map (physics-bms3.md §2.4, docs/conventions.md §3 and §11.2): old and new Bondi coordinates at scri+
are related by

    phi_old = F(phi),      u_old = F'(phi) (u + gamma(phi)),

with ``(u, phi)`` the new coordinates.  The laws (derived and checked symbolically in
tests/test_carry_laws.py: L_xi g of the Bondi metric with a scalar at the orders that fix them, the
vacuum finite law of §2.4 as their u-independent case, their infinitesimal limit, the group law,
and that they map solutions of the scri+ flux laws to solutions), all old fields at
``(u_old, F(phi))``:

    psi0_new  = F'^{1/2} psi0_old                        (weight 1/2: r_new = F' r_old)
    news_new  = F'^{3/2} news_old                        (d u_old / d u = F')
    Theta_new = F'^2 Theta_old - 2 S[F]
    N_new     = F'^2 N_old + F' J Theta_old + C + pi G [ (J/F') d_u(psi0_new^2) - (F''/F') psi0_new^2 ]
    Xi_new    = N_new - (u/2) d_phi Theta_new            (d_phi at fixed new u: spectral on the new cut)

with ``J = d u_old / d phi |_u = F''(u + gamma) + F' gamma'`` and the field-independent cocycle

    C = -(u + gamma) S' - 2 gamma' S - gamma'''          (S = S[F] = F'''/F' - (3/2)(F''/F')^2),

i.e. ``C = Xi_new + (u/2) Theta_new'`` of §2.4 at Theta_old = Xi_old = 0.  ``N_old`` is
``Xi_old + (u_old/2) d_phi Theta_old`` (spectral on the old cuts).  Infinitesimally (F = phi + eps Y,
gamma = eps T, f = T + u Y'):

    delta N = f d_u N + Y N' + 2 Y' N + f' Theta - f''' + pi G ( f' d_u(psi0^2) - Y'' psi0^2 ),

the O(1) part of L_xi g_{u phi}: the matter term comes from the O(1/r^2) part of
``xi^phi = Y - f'/r + pi G psi0^2 f'/r^2`` and from ``e^{2 beta}`` in ``g_ur`` (beta = -pi G psi0^2/r).
Note: ``Nhat = N - pi G d_phi(psi0^2)`` does *not* obey the vacuum-form law; its finite law is the
vacuum form plus ``-2 pi G (F''/F') psi0_new^2`` (infinitesimally ``-2 pi G Y'' psi0^2``).

Numerics: the old data are evaluated at ``phi_old = F(phi_j)`` on every stored cut by Fourier
interpolation (spectral), then at ``u_old`` by local ``order``-point Lagrange interpolation in the
uniform old time (error ``O(du^order)``); no extrapolation: the new grid is uniform with the old step
over the range of ``u`` covered at every angle.  F and gamma enter with closed-form / spectral
derivatives (a :class:`~asymflat.bms3.diffeo.CircleDiffeo` and a TrigSeries).
"""
from __future__ import annotations

import numpy as np

from asymflat.bms3 import diffeo as _diffeo
from asymflat.bms3.diffeo import CircleDiffeo
from asymflat.bms3.recovery import inverse_diffeo
from asymflat.bms3.spectral import TrigSeries, as_series

from ._numerics import dphi, fourier_eval, phi_grid, sample_uniform

#: grid of the inverse map's Fourier interpolant (:func:`inverse_element`)
INVERSE_POINTS = 256

__all__ = ["carry", "final_frame_element", "inverse_element", "last_cut_against_vacuum", "N_from_xi",
           "xi_flux_residual"]


def N_from_xi(time: np.ndarray, theta: np.ndarray, xi: np.ndarray) -> np.ndarray:
    """``N = Xi + (u/2) d_phi Theta`` on every cut (conventions §2; spectral ``d_phi``)."""
    return np.asarray(xi, float) + 0.5 * np.asarray(time, float)[:, None] * dphi(theta)


def inverse_element(F: CircleDiffeo, gamma, n: int = INVERSE_POINTS) -> tuple[CircleDiffeo, TrigSeries]:
    """The inverse BMS3 element ``(F^{-1}, -(gamma F') o F^{-1})``.

    If ``(F, gamma)`` maps old to new coordinates (module doc), the inverse maps new to old:
    ``phi_new = F^{-1}(phi_old)``, ``u_new = (F^{-1})'(phi_old) (u_old + gamma_inv(phi_old))`` with
    ``gamma_inv(phi_old) = -gamma(x) F'(x)``, ``x = F^{-1}(phi_old)`` (the group law of action.py
    gives the identity for the composite).  ``F^{-1}``: :func:`inverse_diffeo`; ``gamma_inv``: the
    Fourier interpolant of its values on ``phi_grid(n)`` (n = INVERSE_POINTS = 256), coefficients
    below 1e-14 of the largest dropped (its third derivative enters Xi)."""
    g = as_series(gamma)
    Finv = inverse_diffeo(F)
    x = Finv(phi_grid(n))
    return Finv, TrigSeries.from_grid(-g(x) * F.d(x, 1), chop=1e-14)


def final_frame_element(F_minus_phi: np.ndarray, gamma: np.ndarray) -> tuple[CircleDiffeo, TrigSeries]:
    """The carry from the run's scri+ frame into the final-vacuum frame (docs/conventions.md §11.2).

    /memory stores ``(F, gamma)`` (grid values ``F - phi``, ``gamma``) with the final vacuum
    ``(Theta_f, Xi_f) = (F, gamma) . (-1, 0)`` in the run's frame: old = standard frame,
    new = run frame, ``phi_std = F(phi_run)``, ``u_std = F'(phi_run)(u_run + gamma(phi_run))``.
    The carry run -> standard is its inverse (:func:`inverse_element`): old = run, new = standard."""
    Fm = _diffeo.from_grid(np.asarray(F_minus_phi, float), "F (memory)")
    return inverse_element(Fm, TrigSeries.from_grid(np.asarray(gamma, float)))


def carry(u: np.ndarray, phi: np.ndarray, psi0: np.ndarray, news: np.ndarray, theta: np.ndarray,
          xi: np.ndarray, F: CircleDiffeo, gamma, G: float, order: int = 6,
          times: np.ndarray | None = None) -> dict:
    """Scri+ data on a uniform old grid ``(u_k, phi_j)`` carried by ``(F, gamma)`` (module doc).

    Parameters
    ----------
    u : (K+1,) uniform old Bondi times;  phi : (n,) the uniform grid ``2 pi j / n``.
    psi0, news, theta, xi : (K+1, n) old radiation field, news, mass and angular-momentum aspects.
    F : circle diffeomorphism, ``phi_old = F(phi_new)``;  gamma : supertranslation (TrigSeries,
        grid data or constant), ``u_old = F'(u_new + gamma)``.
    G : Newton's constant (the matter term of N).
    order : points of the Lagrange interpolation in u.
    times : new times of the output cuts (default: uniform with the old step from the first new time
        covered at every angle to the last); they must lie in the covered range.

    Returns
    -------
    dict with ``u`` (M+1,) new uniform times (the old step, the range covered at every angle),
    ``phi`` (n,), and (M+1, n) arrays ``psi0, news, mass_aspect, N, angular_momentum_aspect``,
    ``u_old`` (M+1, n), ``phi_old`` (n,) (the old coordinates of each new grid point), and ``old``:
    the old fields there (``psi0, news, mass_aspect, N, angular_momentum_aspect,
    dphi_mass_aspect``; the last at fixed old time).
    """
    u = np.asarray(u, dtype=float)
    n = len(phi)
    if np.max(np.abs(np.asarray(phi, float) - phi_grid(n))) > 1e-12:
        raise ValueError("carry: phi must be the uniform grid 2 pi j / n")
    K1 = len(u)
    du = (u[-1] - u[0]) / (K1 - 1)
    if np.max(np.abs(np.diff(u) - du)) > 1e-9 * max(1.0, abs(du)):
        raise ValueError("carry: u must be uniform")
    x = phi_grid(n)
    f0, f1, f2, f3, f4 = F.all_derivs(x, 4)
    if np.min(f1) <= 0:
        raise ValueError(f"carry: F' = {np.min(f1):.3g} <= 0 somewhere; allowed are orientation-preserving maps")
    S = f3 / f1 - 1.5 * (f2 / f1) ** 2
    dS = F.schwarzian_prime(x)
    g = as_series(gamma)
    g0, g1, g3 = g(x, 0), g(x, 1), g(x, 3)
    # new times covered at every angle: u_old in [u_0, u_K]  <=>  u in [u_0/F' - gamma, u_K/F' - gamma]
    lo, hi = float(np.max(u[0] / f1 - g0)), float(np.min(u[-1] / f1 - g0))
    if times is None:
        M = int(np.floor((hi - lo) / du * (1.0 + 1e-12)))
        if M + 1 < order:
            raise ValueError(f"carry: the map leaves {M + 1} new cuts inside the old time range (need >= {order})")
        t = lo + du * np.arange(M + 1)
    else:
        t = np.asarray(times, dtype=float)
        if t.min() < lo - 1e-9 * du or t.max() > hi + 1e-9 * du:
            raise ValueError(f"carry: times [{t.min():.6g}, {t.max():.6g}] outside the range covered at every "
                             f"angle [{lo:.6g}, {hi:.6g}] (no extrapolation)")
        M = len(t) - 1
    N_old = N_from_xi(u, theta, xi)
    names = ("psi0", "news", "mass_aspect", "N", "angular_momentum_aspect", "dphi_mass_aspect")
    stack = np.stack([np.asarray(a, float) for a in (psi0, news, theta, N_old, xi, dphi(theta))], axis=0)
    xo = np.mod(f0, 2.0 * np.pi)
    at_angle = fourier_eval(stack.reshape(-1, n), np.broadcast_to(xo, (stack.shape[0] * K1, n)))
    at_angle = at_angle.reshape(stack.shape)
    uo = f1[None, :] * (t[:, None] + g0[None, :])                  # (M+1, n) old times
    pos = np.clip((uo - u[0]) / du, 0.0, K1 - 1.0)                  # clip: round-off at the range ends only
    old = np.empty((len(names), M + 1, n))
    for j in range(n):
        old[:, :, j] = sample_uniform(at_angle[:, :, j].T, pos[:, j], p=order).T
    ps_o, nw_o, th_o, N_o = old[:4]
    sq = np.sqrt(f1)
    psi_n = sq * ps_o
    news_n = f1 * sq * nw_o
    th_n = f1**2 * th_o - 2.0 * S
    Jm = f2 * (t[:, None] + g0) + f1 * g1
    C = -(t[:, None] + g0) * dS - 2.0 * g1 * S - g3
    N_n = f1**2 * N_o + f1 * Jm * th_o + C + np.pi * G * ((Jm / f1) * 2.0 * psi_n * news_n - (f2 / f1) * psi_n**2)
    xi_n = N_n - 0.5 * t[:, None] * dphi(th_n)
    return dict(u=t, phi=x, psi0=psi_n, news=news_n, mass_aspect=th_n, N=N_n, angular_momentum_aspect=xi_n,
                u_old=uo, phi_old=xo, old=dict(zip(names, old)))


def last_cut_against_vacuum(out: dict, F: CircleDiffeo, gamma, theta_f: np.ndarray, xi_f: np.ndarray, G: float,
                            theta_error: float = 0.0, xi_error: float = 0.0) -> dict:
    """The last cut of a :func:`carry` output split into the vacuum law's carry of a u-independent
    state ``(theta_f, xi_f)`` (old grid data, e.g. the final state at i+) and the rest.

    With ``dTheta = Theta_old - theta_f``, ``dXi = Xi_old - xi_f``, ``dTheta'`` (at fixed old time),
    all at the old points of the cut, and ``(Theta_vac, Xi_vac) = finite_action(theta_f, xi_f, F,
    gamma)`` (physics-bms3.md §2.4), the laws of this module give exactly

        Theta - Theta_vac = F'^2 dTheta,
        Xi - Xi_vac = F'^2 dXi + (gamma/2) F'^3 dTheta' + F'(F'' gamma + F' gamma') dTheta
                      - (u/2) F'^2 J d_u Theta_old + pi G [ (J/F') d_u(psi0^2) - (F''/F') psi0^2 ]

    (d_u Theta_old = -16 pi G news_old^2).  Returns ``theta_vacuum``, ``xi_vacuum``, ``xi_radiation``
    (the right-hand side for Xi), ``theta_scale``, ``xi_scale`` (the sums of the moduli of the terms,
    with ``theta_error``, ``xi_error`` added to |dTheta|, |dXi|), per angle."""
    from asymflat.bms3.action import finite_action

    x = phi_grid(len(theta_f))
    t = float(out["u"][-1])
    g = as_series(gamma)
    f1, f2, g0, g1 = F.d(x, 1), F.d(x, 2), g(x), g(x, 1)
    old = {k: v[-1] for k, v in out["old"].items()}
    xo = np.broadcast_to(out["phi_old"], (3, len(x)))
    thf, xif, dthf = fourier_eval(np.stack([theta_f, xi_f, dphi(theta_f)]), xo)
    dth, dxi = old["mass_aspect"] - thf, old["angular_momentum_aspect"] - xif
    ddth = old["dphi_mass_aspect"] - dthf
    J = f2 * (t + g0) + f1 * g1
    ps, nw = out["psi0"][-1], out["news"][-1]
    terms = (f1**2 * dxi, 0.5 * g0 * f1**3 * ddth, f1 * (f2 * g0 + f1 * g1) * dth,
             -0.5 * t * f1**2 * J * (-16.0 * np.pi * G * old["news"] ** 2),
             np.pi * G * ((J / f1) * 2.0 * ps * nw - (f2 / f1) * ps**2))
    th_v, xi_v = finite_action(theta_f, xi_f, F, g, n=len(x))
    xi_scale = sum(np.abs(a) for a in terms) + f1**2 * xi_error + f1 * np.abs(f2 * g0 + f1 * g1) * theta_error
    return dict(theta_vacuum=th_v, xi_vacuum=xi_v, xi_radiation=sum(terms),
                theta_scale=f1**2 * (np.abs(dth) + theta_error), xi_scale=xi_scale)


def xi_flux_residual(time: np.ndarray, xi: np.ndarray, psi0: np.ndarray, news: np.ndarray, G: float,
                     fd_order: int = 6) -> tuple[np.ndarray, float]:
    """Residual of the Xi law (physics-bms3.md §6.2) on a uniform Bondi grid, and its scale:

        d_u Xi = -8 pi G [ news psi0' - u d_phi(news^2) ] + pi G d_phi(2 psi0 news)

    (``d_u`` by ``fd_order``-th order differences, ``d_phi`` spectral at fixed u)."""
    from ._numerics import fd_time_derivative

    t = np.asarray(time, float)
    dt = (t[-1] - t[0]) / (len(t) - 1)
    dxi = fd_time_derivative(xi, dt, fd_order)
    a = -8.0 * np.pi * G * news * dphi(psi0)
    b = 8.0 * np.pi * G * t[:, None] * dphi(news**2)
    c = np.pi * G * dphi(2.0 * psi0 * news)
    R = dxi - a - b - c
    scale = max(float(np.max(np.abs(x))) for x in (dxi, a, b, c))
    return R, max(scale, 1e-300)
