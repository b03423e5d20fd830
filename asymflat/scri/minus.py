"""scri- data of an evolved spacetime from its first retarded cone (run kind ``scattering``).

Relabelling (derivation; conventions.md sections 2 and 5)
---------------------------------------------------------
The first cone ``u = u0`` starts at a vertex in the flat region near i-; in that region the vertex
frame is inertial (``t = u0`` at the vertex, angle phi).  Ingoing null rays label the points of the
cone: in the flat region ahead of the incoming pulse the ray through the cone point ``(u0, r, phi)``
is ``v = u0 + 2r``, ``phi = const``.  In the exact circular solution (c1) this holds everywhere:
``U = 0, V = -r`` and ``e^{2 beta}(-du^2 - 2 du dr)`` is conformally flat, so ``v = u + 2r`` is an
exact advanced null coordinate and

    ds^2 = e^{2 beta_adv}(-dv^2 + 2 dv dr) + r^2 dphi^2,     beta_adv(v, r) = beta(v - 2r, r),

i.e. the advanced chart of conventions.md section 2 with ``V/r = -1``; at scri- ``beta_adv -> beta0^-(v)``.
The Bondi frame at scri- (``beta -> 0``) is ``dv_B = e^{2 beta0^-} dv``, which turns
``-e^{2 beta0^-} dv^2 + 2 e^{2 beta0^-} dv dr`` into ``Theta^- dv_B^2 + 2 dv_B dr`` with

    Theta^- = -e^{-2 beta0^-},        v_B = v + int_{-inf}^{v} (e^{2 beta0^-} - 1) dv'

(the time origin: ``v_B = v`` of the inertial frame of the vertex near i-, where beta0^- -> 0).
As ``u0 -> -inf`` the far part of the cone (``r ~ (t0 - u0)/2``) approaches scri- at fixed v, and
``beta(u0, r, phi) -> beta0^-(v, phi)`` with ``O(1/r)`` corrections.  The construction used here
(exact in the limit for (c1); for phi-dependent fields it neglects the O(G) bending of the ingoing
rays in angle and the O(G) change of V/r behind the pulse.  What the scattering kind measures off
circular symmetry: the frame-free invariants of the i0 state -- Hill trace and rest-frame angular
momentum -- agree from both sides within the u0 ladder's extrapolation error; the Poincare residuals
are dominated by the O(G) offset of the scri+ first-cut frame, docs/conventions.md §6.1-6.2):

    v_B(x, phi) = u0 + int_0^x 2 e^{2 beta(u0, x', phi)} (dr/dx') dx',      dr/dx = R/(1-x)^2,

inverted on a uniform v_B grid (step ``dv``) by Newton iteration on 6-point Lagrange interpolants.

psi0^- along the ray.  On the cone ``sqrt(r) psi = psi0^-(v) + psi1^-(v)/r + ...`` at fixed v
(``d_v psi1^- = psi0^-/8 + psi0^-''/2`` in flat space), so the raw cone value carries an O(1/r) =
O(1/|u0|) error.  The cone data are the exact flat pulse (``pulse_chi``), whose 1/r expansion at
fixed v is known in closed form: the corrected value is ``psi0^-_flat(v(v_B, phi), phi)``
(``psi_source='closed_form'``, default), i.e. the flat solution's radiation field evaluated on the
ray that the cone point lies on, in the spacetime's Bondi time.  ``psi_source='cone'`` keeps the raw
``sqrt(r) psi`` (first order in 1/|u0|).  Using the flat ``psi0^-(v)`` *at v_B = v* instead (vertex
time for Bondi time) is wrong at O(G^2) in the charges.

Charges at scri-.  Theta^-, N^- by the scri- flux laws (conventions.md section 5) from the Minkowski
vacuum at i- (Theta^- = -1, N^- = 0 on the first cut ``v_B = u0``):

    Theta^- = -1 + 16 pi G int (d_v psi0^-)^2,
    Nhat^-  = pi G d_phi(psi0^-^2)|_{first} + int (Theta^-'/2 + 8 pi G d_v psi0^- d_phi psi0^-),
    N^- = Nhat^- - pi G d_phi(psi0^-^2),      Xi^- = N^- - (v_B/2) Theta^-',

with 6-point local quadrature in v_B and spectral d_phi at fixed v_B.
"""
from __future__ import annotations

import math

import numpy as np

from asymflat.exact.pulses import pulse_psi0_scri_minus
from ._numerics import cumulative_integral_uniform, dphi, fd_time_derivative, sample_uniform

__all__ = ["relabel_cone", "integrate_scri_minus", "scri_minus_from_cone"]


def relabel_cone(x, R: float, u0: float, beta, dv: float, x_cut: float = 0.8, order: int = 6):
    """Bondi time of the cone points and the inverse map on a uniform v_B grid.

    Returns dict ``times`` (uniform v_B from u0, step dv), ``pos`` (fractional x-index of each
    (v_B, phi) sample), ``x``, ``r``, ``v`` (flat advanced time u0 + 2r of the ray) and ``beta``
    (beta along the cone at that point) on the (v_B, phi) grid, and ``vB_cone`` (v_B of the cone
    points up to ``x_cut``).
    """
    x = np.asarray(x, dtype=float)
    beta = np.asarray(beta, dtype=float)
    h = float(x[1] - x[0])
    ic = int(np.searchsorted(x, x_cut, side="right") - 1)
    xs = x[:ic + 1, None]
    jac = 2.0 * np.exp(2.0 * beta[:ic + 1]) * R / (1.0 - xs) ** 2          # d v_B / dx
    vB = u0 + cumulative_integral_uniform(jac, h, order)
    vmax = float(np.min(vB[-1]))
    nv = int(math.floor((vmax - u0) / dv + 1e-9))
    times = u0 + dv * np.arange(nv + 1)
    nphi = beta.shape[1]
    pos = np.empty((nv + 1, nphi))
    idx = np.arange(ic + 1, dtype=float)
    for j in range(nphi):
        p = np.interp(times, vB[:, j], idx)
        for _ in range(30):
            f = sample_uniform(vB[:, j], np.clip(p, 0, ic), order) - times
            fp = sample_uniform(jac[:, j], np.clip(p, 0, ic), order) * h
            dp = f / fp
            p = np.clip(p - dp, 0.0, ic)
            if np.max(np.abs(dp)) < 1e-13 * ic:
                break
        pos[:, j] = p
    xv = pos * h
    r = R * xv / (1.0 - xv)
    bet = np.empty_like(pos)
    for j in range(nphi):
        bet[:, j] = sample_uniform(beta[:ic + 1, j], pos[:, j], order)
    return dict(times=times, pos=pos, x=xv, r=r, v=u0 + 2.0 * r, beta=bet, vB_cone=vB, x_cut=float(x[ic]))


def integrate_scri_minus(times, psi0, news, G: float, order: int = 6) -> dict:
    """Theta^-, N^-, Nhat^-, Xi^- on uniform cuts of scri- from the flux laws, vacuum at the first cut."""
    dt = float(times[1] - times[0])
    theta = -1.0 + 16 * math.pi * G * cumulative_integral_uniform(news ** 2, dt, order)
    src = 0.5 * dphi(theta) + 8 * math.pi * G * news * dphi(psi0)
    tot = math.pi * G * dphi(psi0 ** 2)
    nhat = tot[0][None, :] + cumulative_integral_uniform(src, dt, order)
    N = nhat - tot
    xi = N - 0.5 * np.asarray(times)[:, None] * dphi(theta)
    return dict(theta=theta, nhat=nhat, N=N, xi=xi)


def scri_minus_from_cone(x, phi, R: float, u0: float, chi, beta, G: float, dv: float, pulses=None,
                         psi_source: str = "closed_form", x_cut: float = 0.8, psi0_minus=None) -> dict:
    """The scri- Bondi data of the spacetime whose first cone ``u0`` carries ``chi`` (module doc).

    ``chi`` = sqrt(r + R) psi and ``beta`` on the cone (shape (nx+1, nphi)); returns the dict of
    :func:`relabel_cone` plus ``psi0``, ``news`` (d_{v_B} psi0^-), ``psi0_cone`` (raw sqrt(r) psi on
    the rays) and ``theta, N, nhat, xi`` of :func:`integrate_scri_minus`.
    ``psi0_minus(v)``, if given, replaces the pulses' closed form: the radiation field of incoming
    data at the flat advanced times ``v`` (shape (n, nphi)) of the rays.
    """
    if psi_source not in ("closed_form", "cone"):
        raise ValueError(f"psi_source = {psi_source!r}: allowed are 'closed_form', 'cone'")
    rl = relabel_cone(x, R, u0, beta, dv, x_cut)
    x = np.asarray(x, dtype=float)
    psi_c = np.asarray(chi) * np.sqrt(x)[:, None]            # sqrt(r) psi on the cone
    ic = int(np.searchsorted(x, rl["x_cut"] + 1e-14) - 1)
    raw = np.empty_like(rl["pos"])
    for j in range(raw.shape[1]):
        raw[:, j] = sample_uniform(psi_c[:ic + 1, j], rl["pos"][:, j], 6)
    if psi_source == "closed_form" and psi0_minus is not None:
        psi0 = psi0_minus(rl["v"])
    elif psi_source == "closed_form":
        if not pulses:
            raise ValueError("psi_source = 'closed_form' needs the exact pulses of the cone data")
        psi0 = pulse_psi0_scri_minus(rl["v"], np.asarray(phi)[None, :], pulses)
    else:
        psi0 = raw
    news = fd_time_derivative(psi0, dv, 6)
    out = dict(rl)
    out.update(psi0=psi0, news=news, psi0_cone=raw)
    out.update(integrate_scri_minus(rl["times"], psi0, news, G) if G > 0 else
               dict(theta=-np.ones_like(psi0), N=np.zeros_like(psi0), nhat=np.zeros_like(psi0),
                    xi=np.zeros_like(psi0)))
    return out
