"""Flux-balance laws at scri+ in a Bondi frame, charges on Bondi cuts, radiated fluxes.

Reference: bondi-equations.md §3.3 (laws), §3.4 (chain rule along generators),
vertex-and-frame-notes.md §3 (angular derivative at fixed Bondi time), conventions.md §2-§4.

Bondi-frame laws (no dust), residuals pointwise in phi:

    R_Theta := d_u Theta + 16 pi G (d_u psi0)^2                                   = 0
    R_Nhat  := d_u Nhat - (1/2) d_phi Theta + 8 pi G d_u psi0 d_phi psi0             = 0,
               Nhat = N - pi G d_phi(psi0^2)
    R_N     := d_u N - (1/2) d_phi Theta + 8 pi G d_u psi0 d_phi psi0 - pi G d_u d_phi(psi0^2) = 0

Two evaluations are provided:

* :func:`flux_residuals_bondi` on the uniform Bondi grid: d_u by high-order finite differences
  in u_B (``fd_order``), d_phi spectral at fixed u_B.
* :func:`flux_residuals_code` along the code-frame generators, no resampling:
  ``d_{u_B} = (e^{2 beta0} B')^{-1}(d_u + U0 d_phi)`` (FD in code u, spectral in phi) and
  ``d_{phi_B}|_{u_B} = D - (A'/B') d_{u_B}`` with ``D = B'^{-1} d_phi|_u``.  With
  ``angular='code'`` the derivative ``D`` (fixed *code* time) is used instead: this is wrong and
  leaves a residual ``+16 pi G (A'/B') (d_u psi0)^2`` in R_Nhat that no resolution removes
  (O(G^2) in a vertex frame, where A' = O(G)).

scri- (advanced time v, conventions.md §5; bondi-equations.md §5, physics-bms3.md §5.2): every
matter term flips sign, ``Nhat^- := N^- + pi G d_phi(psi0^2)``:

    R^-_Theta := d_v Theta - 16 pi G (d_v psi0)^2                                   = 0
    R^-_Nhat  := d_v Nhat^- - (1/2) d_phi Theta - 8 pi G d_v psi0 d_phi psi0          = 0
    R^-_N     := d_v N - (1/2) d_phi Theta - 8 pi G d_v psi0 d_phi psi0 + pi G d_v d_phi(psi0^2) = 0

(:func:`flux_residuals_bondi_minus`); fluxes ``dE/dv = +oint (d_v psi0)^2`` (incoming energy
raises E), ``dJ/dv = -oint d_v psi0 d_phi psi0``; Poincare charges with the scri- generators
(conventions.md §4) in :func:`charges_on_cuts_minus`, balances in :func:`balance_minus`.

Charges (conventions.md §3): ``Q[T, Y] = (1/16 pi G) oint (T Theta + 2 Y Xi)``;
``E = Q[1, 0]``, physical ``J = -Q[0, 1] = -(1/8 pi G) oint Xi``.  Fluxes:
``dE/du = -oint (d_u psi0)^2``, ``dJ/du = +oint d_u psi0 d_phi psi0``.
"""
from __future__ import annotations

import numpy as np

from ._numerics import cumulative_integral_uniform, dphi, fd_time_derivative

__all__ = [
    "flux_residuals_bondi",
    "flux_residuals_bondi_minus",
    "charges_on_cuts_minus",
    "energy_flux_minus",
    "angular_momentum_flux_minus",
    "balance_minus",
    "flux_residuals_code",
    "charge",
    "charges_on_cuts",
    "energy_flux",
    "angular_momentum_flux",
    "balance",
]


def _uniform_step(t) -> float:
    t = np.asarray(t, dtype=float)
    dt = (t[-1] - t[0]) / (len(t) - 1)
    if np.max(np.abs(np.diff(t) - dt)) > 1e-9 * max(1.0, abs(dt)):
        raise ValueError("time axis must be uniform")
    return float(dt)


def flux_residuals_bondi(time, theta, nhat, psi0, news, G, fd_order: int = 6, N=None):
    """Pointwise residuals of the Bondi-frame laws on the uniform Bondi grid (§3.3).

    ``d_u`` by ``fd_order``-th order finite differences in the Bondi time (one-sided stencils
    at the first/last cuts), ``d_phi`` spectral at fixed Bondi time.  ``news`` is the
    separately computed ``d_u psi0`` (e.g. from the map, not differentiated numerically).

    Returns
    -------
    dict with ``R_Theta``, ``R_Nhat`` (arrays like ``theta``), and the scales used for relative
    residuals: ``scale_Theta = max(|d_u Theta|, |16 pi G news^2|)``,
    ``scale_Nhat = max(|d_u Nhat|, |Theta'/2|, |8 pi G news psi0'|)``; ``rel_Theta``,
    ``rel_Nhat`` = max|R| / scale; ``R_news``: ``d_u psi0 - news`` (FD consistency).
    If ``N`` is given, also ``R_N`` (the law for N with ``+ pi G d_u d_phi(psi0^2)``, the last term
    evaluated as ``pi G d_phi(2 psi0 news)``) and ``rel_N``.
    """
    dt = _uniform_step(time)
    dth = fd_time_derivative(theta, dt, fd_order)
    dnh = fd_time_derivative(nhat, dt, fd_order)
    dps = fd_time_derivative(psi0, dt, fd_order)
    src = 16 * np.pi * G * news ** 2
    tp = 0.5 * dphi(theta)
    jf = 8 * np.pi * G * news * dphi(psi0)
    RT = dth + src
    RN = dnh - tp + jf
    sT = max(np.max(np.abs(dth)), np.max(np.abs(src)), 1e-300)
    sN = max(np.max(np.abs(dnh)), np.max(np.abs(tp)), np.max(np.abs(jf)), 1e-300)
    out = dict(R_Theta=RT, R_Nhat=RN, R_news=dps - news, scale_Theta=sT, scale_Nhat=sN,
               rel_Theta=float(np.max(np.abs(RT)) / sT), rel_Nhat=float(np.max(np.abs(RN)) / sN))
    if N is not None:
        dN = fd_time_derivative(N, dt, fd_order)
        tt = np.pi * G * dphi(2.0 * psi0 * news)
        RNN = dN - tp + jf - tt
        sNN = max(np.max(np.abs(dN)), np.max(np.abs(tp)), np.max(np.abs(jf)), np.max(np.abs(tt)), 1e-300)
        out.update(R_N=RNN, scale_N=sNN, rel_N=float(np.max(np.abs(RNN)) / sNN))
    return out


def flux_residuals_code(u, U0, on_code_grid: dict, G, angular: str = "bondi", fd_order: int = 6):
    """Residuals of the Bondi-frame laws evaluated along the code-frame generators.

    ``on_code_grid`` is the dict of :func:`asymflat.scri.frame.bondi_aspects_code_grid`
    (Theta, Nhat, psi0, news, Bp, ell, jac).  Time derivative along the generators
    ``d_{u_B} X = (e^{2 beta0} B')^{-1}(d_u + U0 d_phi) X`` (FD of order ``fd_order`` in code u);
    angular derivative ``angular='bondi'``: ``d_{phi_B}|_{u_B} = D - ell d_{u_B}`` (correct,
    vertex-and-frame-notes.md §3); ``angular='code'``: ``D = B'^{-1} d_phi|_u`` (wrong).
    Returns the same keys as :func:`flux_residuals_bondi` (``R_news`` omitted).
    """
    if angular not in ("bondi", "code"):
        raise ValueError(f"angular = {angular!r}: allowed are 'bondi', 'code'")
    du = _uniform_step(u)
    c = on_code_grid
    Bp, ell, jac = c["Bp"], c["ell"], c["jac"]

    def d_uB(X):
        return (fd_time_derivative(X, du, fd_order) + U0 * dphi(X)) / jac

    def d_phiB(X, X_uB):
        D = dphi(X) / Bp
        return D - ell * X_uB if angular == "bondi" else D

    th, nh, ps, nw = c["Theta"], c["Nhat"], c["psi0"], c["news"]
    dth = d_uB(th)
    dnh = d_uB(nh)
    src = 16 * np.pi * G * nw ** 2
    tp = 0.5 * d_phiB(th, dth)
    jf = 8 * np.pi * G * nw * d_phiB(ps, nw)
    RT = dth + src
    RN = dnh - tp + jf
    sT = max(np.max(np.abs(dth)), np.max(np.abs(src)), 1e-300)
    sN = max(np.max(np.abs(dnh)), np.max(np.abs(tp)), np.max(np.abs(jf)), 1e-300)
    return dict(R_Theta=RT, R_Nhat=RN, scale_Theta=sT, scale_Nhat=sN,
                rel_Theta=float(np.max(np.abs(RT)) / sT), rel_Nhat=float(np.max(np.abs(RN)) / sN))


def charge(theta, xi, T, Y, G):
    """``Q[T, Y] = (1/16 pi G) oint (T Theta + 2 Y Xi)`` on each cut (last axis = phi).

    Delegates to ``asymflat.bms3.charges.charge`` when that module is importable (the project's
    single definition); otherwise the same trapezoid sum locally.
    """
    try:
        from asymflat.bms3.charges import charge as _charge
    except Exception:  # pragma: no cover - fallback while bms3 is being written
        _charge = None
    theta = np.asarray(theta)
    xi = np.asarray(xi)
    if _charge is not None:
        return _charge(theta, xi, T, Y, G)
    n = theta.shape[-1]
    return 2 * np.pi / n * np.sum(T * theta + 2 * Y * xi, axis=-1) / (16 * np.pi * G)


def charges_on_cuts(theta, xi, G, phi=None):
    """Poincare-type charges on every cut (conventions.md §3-§4, scri+ generators).

    Returns dict of arrays over cuts: ``E = Q[1,0]``, ``p_x = -Q[-cos, 0]``, ``p_y = -Q[-sin, 0]``,
    ``Q01 = Q[0, 1]`` (the literature's "J"), physical ``J = -Q[0, 1]``,
    ``K_x = Q[0, -sin]``, ``K_y = Q[0, cos]``.
    """
    theta = np.asarray(theta, dtype=float)
    n = theta.shape[-1]
    phi = 2 * np.pi * np.arange(n) / n if phi is None else phi
    one, zero = np.ones(n), np.zeros(n)
    c, s = np.cos(phi), np.sin(phi)
    q = lambda T, Y: np.real(charge(theta, xi, T, Y, G))  # noqa: E731
    Q01 = q(zero, one)
    return dict(E=q(one, zero), p_x=-q(-c, zero), p_y=-q(-s, zero), Q01=Q01, J=-Q01,
                K_x=q(zero, -s), K_y=q(zero, c))


def energy_flux(news):
    """``dE/du = -oint (d_u psi0)^2 dphi`` per cut (§3.3; no dust)."""
    news = np.asarray(news, dtype=float)
    return -2 * np.pi * np.mean(news ** 2, axis=-1)


def angular_momentum_flux(news, psi0):
    """``dJ/du = +oint d_u psi0 d_phi psi0 dphi`` per cut (physical J, conventions.md §4)."""
    news = np.asarray(news, dtype=float)
    return 2 * np.pi * np.mean(news * dphi(psi0), axis=-1)


def balance(time, theta, xi, news, psi0, G, order: int = 6):
    """Integrated balance of energy and angular momentum on uniform Bondi cuts.

    Returns dict: ``E``, ``J`` per cut; ``radiated_energy`` = ``int (-dE/du) du`` cumulative from
    the first cut (``order``-point local quadrature); ``radiated_J`` likewise of ``-dJ/du``;
    ``E_balance = E - E[0] + radiated_energy`` and ``J_balance`` (both should vanish);
    ``total_radiated_energy`` (scalar, up to the last cut).
    """
    dt = _uniform_step(time)
    ch = charges_on_cuts(theta, xi, G)
    fe = energy_flux(news)
    fj = angular_momentum_flux(news, psi0)
    rad_E = cumulative_integral_uniform(-fe, dt, order)
    rad_J = cumulative_integral_uniform(-fj, dt, order)
    return dict(E=ch["E"], J=ch["J"], radiated_energy=rad_E, radiated_J=rad_J,
                E_balance=ch["E"] - ch["E"][0] + rad_E, J_balance=ch["J"] - ch["J"][0] + rad_J,
                total_radiated_energy=float(rad_E[-1]), dE_du=fe, dJ_du=fj)


# ------------------------------------------------------------------------------------------
# scri- (advanced chart): the laws with every matter term sign-flipped
# ------------------------------------------------------------------------------------------
def flux_residuals_bondi_minus(time, theta, nhat, psi0, news, G, fd_order: int = 6, N=None):
    """Pointwise residuals of the scri- Bondi-frame laws on a uniform grid of advanced time v.

    ``theta`` = Theta^-, ``nhat`` = Nhat^- = N^- + pi G d_phi(psi0^2), ``news`` = d_v psi0 (given,
    not differentiated).  Same numerics and return keys as :func:`flux_residuals_bondi`:
    ``R_Theta = d_v Theta - 16 pi G news^2``, ``R_Nhat = d_v Nhat^- - Theta'/2 - 8 pi G news psi0'``,
    with ``N``: ``R_N = d_v N - Theta'/2 - 8 pi G news psi0' + pi G d_phi(2 psi0 news)``; the
    scales are the largest terms of each law.
    """
    dt = _uniform_step(time)
    dth = fd_time_derivative(theta, dt, fd_order)
    dnh = fd_time_derivative(nhat, dt, fd_order)
    dps = fd_time_derivative(psi0, dt, fd_order)
    src = 16 * np.pi * G * news ** 2
    tp = 0.5 * dphi(theta)
    jf = 8 * np.pi * G * news * dphi(psi0)
    RT = dth - src
    RN = dnh - tp - jf
    sT = max(np.max(np.abs(dth)), np.max(np.abs(src)), 1e-300)
    sN = max(np.max(np.abs(dnh)), np.max(np.abs(tp)), np.max(np.abs(jf)), 1e-300)
    out = dict(R_Theta=RT, R_Nhat=RN, R_news=dps - news, scale_Theta=sT, scale_Nhat=sN,
               rel_Theta=float(np.max(np.abs(RT)) / sT), rel_Nhat=float(np.max(np.abs(RN)) / sN))
    if N is not None:
        dN = fd_time_derivative(N, dt, fd_order)
        tt = np.pi * G * dphi(2.0 * psi0 * news)
        RNN = dN - tp - jf + tt
        sNN = max(np.max(np.abs(dN)), np.max(np.abs(tp)), np.max(np.abs(jf)), np.max(np.abs(tt)), 1e-300)
        out.update(R_N=RNN, scale_N=sNN, rel_N=float(np.max(np.abs(RNN)) / sNN))
    return out


def charges_on_cuts_minus(theta, xi, G, phi=None):
    """Poincare-type charges on every cut of scri- (the scri- generators of conventions.md §4).

    ``E = Q[1, 0]``, ``p_x = -Q[cos, 0]``, ``p_y = -Q[sin, 0]``, ``Q01 = Q[0, 1]``,
    ``J = -Q[0, 1]``, ``K_x = Q[0, sin]``, ``K_y = Q[0, -cos]``.
    """
    theta = np.asarray(theta, dtype=float)
    n = theta.shape[-1]
    phi = 2 * np.pi * np.arange(n) / n if phi is None else phi
    one, zero = np.ones(n), np.zeros(n)
    c, s = np.cos(phi), np.sin(phi)
    q = lambda T, Y: np.real(charge(theta, xi, T, Y, G))  # noqa: E731
    Q01 = q(zero, one)
    return dict(E=q(one, zero), p_x=-q(c, zero), p_y=-q(s, zero), Q01=Q01, J=-Q01,
                K_x=q(zero, s), K_y=q(zero, -c))


def energy_flux_minus(news):
    """``dE/dv = +oint (d_v psi0)^2 dphi`` per cut of scri- (incoming energy; no dust)."""
    news = np.asarray(news, dtype=float)
    return 2 * np.pi * np.mean(news ** 2, axis=-1)


def angular_momentum_flux_minus(news, psi0):
    """``dJ/dv = -oint d_v psi0 d_phi psi0 dphi`` per cut of scri- (physical J)."""
    news = np.asarray(news, dtype=float)
    return -2 * np.pi * np.mean(news * dphi(psi0), axis=-1)


def balance_minus(time, theta, xi, news, psi0, G, order: int = 6):
    """Integrated balance of energy and angular momentum on uniform cuts of scri- (v increasing).

    Returns dict: ``E``, ``J`` per cut; ``incoming_energy`` = ``int dE/dv dv`` cumulative from the
    first cut; ``incoming_J`` likewise of ``dJ/dv``; ``E_balance = E - E[0] - incoming_energy``,
    ``J_balance = J - J[0] - incoming_J`` (both should vanish); ``total_incoming_energy``;
    ``dE_dv``, ``dJ_dv``.
    """
    dt = _uniform_step(time)
    ch = charges_on_cuts_minus(theta, xi, G)
    fe = energy_flux_minus(news)
    fj = angular_momentum_flux_minus(news, psi0)
    inc_E = cumulative_integral_uniform(fe, dt, order)
    inc_J = cumulative_integral_uniform(fj, dt, order)
    return dict(E=ch["E"], J=ch["J"], incoming_energy=inc_E, incoming_J=inc_J,
                E_balance=ch["E"] - ch["E"][0] - inc_E, J_balance=ch["J"] - ch["J"][0] - inc_J,
                total_incoming_energy=float(inc_E[-1]), dE_dv=fe, dJ_dv=fj)
