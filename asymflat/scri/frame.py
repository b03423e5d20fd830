"""From raw scri+ data in the code (vertex) frame to a Bondi frame.

Reference: ``shared/reference/bondi-equations.md`` §3.2 (general-frame asymptotics), §3.4 (the map
to a Bondi frame), ``vertex-and-frame-notes.md`` §3 (derivatives at fixed Bondi time);
names and signs: ``docs/conventions.md`` §2.

Input (what the characteristic solver samples at x = 1), on a uniform code-time grid
``u_k = u_start + k du`` and the uniform angle grid ``phi_j = 2 pi j / n``:

    beta0 = beta|scri,  U0 = U|scri,  calW = (V/r + 2 r U_phi)|scri,  Qbar = (r^3 e^{-2 beta} U_r + 2 r beta_phi)|scri,
    psi0 = chi|_{x=1},  news_code = d_u psi0 at fixed code phi.

Frame transport along scri+ (§3.4), with ``L := d_u + U0 d_phi`` (the generators of scri+):

    L B = 0,        L A = e^{2 beta0} B',        A(u_start, phi) = u_start,  B(u_start, phi) = phi,

(' = d_phi at fixed code u).  The Bondi coordinates of the code point (u, phi) are
``(u_B, phi_B) = (A, B)(u, phi)``; ``B - phi`` is periodic and is what is stored and integrated.
The Jacobian is ``d(A, B)/d(u, phi) = e^{2 beta0} B'^2``, so (vertex-and-frame-notes.md §3)

    d/du_B |_{phi_B} = (e^{2 beta0} B')^{-1} L                       (along the generators)
    d/dphi_B |_{u_B} = D - (A'/B') d/du_B,       D := B'^{-1} d_phi|_u .

Bondi-frame aspects at (A, B)(u, phi) (§3.4; re-derived and checked in tests/test_scri_sympy.py):

    Theta_B  = B'^{-2} [ e^{-2 beta0} calW + 2 {B; phi} ],     {B; phi} = B'''/B' - (3/2)(B''/B')^2
    psi~0    = psi0 / sqrt(B')
    Nhat_B   = B'^{-2} Qbar/2 - (A'/B') Theta_B + D^2(A'/B') + 2 pi G psi~0^2 D ln B'
    news_B   = d_{u_B} psi~0 = (e^{2 beta0} B')^{-1} B'^{-1/2} [ news_code + U0 psi0' + (1/2) U0' psi0 ]

(the last line uses ``L B' = -U0' B'``).  On the uniform Bondi grid
``N = Nhat_B + pi G d_{phi_B}(psi~0^2)`` and ``Xi = N - (u_B/2) d_{phi_B} Theta_B``.

Resampling to cuts u_B = const (:mod:`asymflat.scri.resample`) runs along the
generators of scri+: on a generator B is constant, so each generator is labelled by its Bondi
angle, which is chosen on the uniform grid; along it A increases strictly (L A = e^{2 beta0} B' > 0).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._numerics import (
    dphi,
    phi_grid,
    sample_uniform,
)
from .resample import resample_to_bondi_cuts

__all__ = [
    "transport_rhs",
    "integrate_transport",
    "bondi_aspects_code_grid",
    "initial_cut_from_frame",
    "BondiFrameData",
    "to_bondi_frame",
]


# ------------------------------------------------------------------------------------------
# frame transport
# ------------------------------------------------------------------------------------------
def transport_rhs(A, B, U0, beta0, out_dA, out_dB):
    """Right-hand side of the frame transport along scri+ (bondi-equations.md §3.4).

    ``d_u B = -U0 B'`` and ``d_u A = e^{2 beta0} B' - U0 A'`` (i.e. ``L B = 0``,
    ``L A = e^{2 beta0} B'``), with ``' = d_phi`` at fixed code time, spectral on the uniform grid.

    Parameters
    ----------
    A : ndarray (..., n)
        Bondi time of the code points on the current code cut.
    B : ndarray (..., n)
        The *periodic part* ``B - phi`` of the Bondi angle (``d_u`` of ``B`` and of ``B - phi``
        coincide, so the same ``out_dB`` serves both).
    U0, beta0 : ndarray (..., n)
        ``U`` and ``beta`` at scri+ on the same cut.
    out_dA, out_dB : ndarray (..., n)
        Written in place with ``d_u A`` and ``d_u B``.  Pure numpy; no other side effects.
    """
    Bp = 1.0 + dphi(B)
    out_dB[...] = -U0 * Bp
    out_dA[...] = np.exp(2.0 * beta0) * Bp - U0 * dphi(A)
    return out_dA, out_dB


def _check_uniform(u: np.ndarray) -> float:
    u = np.asarray(u, dtype=float)
    if u.ndim != 1 or len(u) < 2:
        raise ValueError("code time axis u: need a 1D array of at least 2 times")
    du = (u[-1] - u[0]) / (len(u) - 1)
    if not du > 0 or np.max(np.abs(np.diff(u) - du)) > 1e-9 * max(1.0, abs(du)):
        raise ValueError("code time axis u: must be uniform and increasing (u_k = u_start + k du)")
    return float(du)


def initial_cut_from_frame(F, gamma, u0: float, n: int, tol: float = 1e-14):
    """Initial values ``(A0, B0 - phi)`` of the frame transport for a BMS3 frame ``(F, gamma)``.

    ``(F, gamma)`` is a finite BMS3 transformation (conventions.md section 3; e.g.
    :class:`asymflat.bms3.BMS3Element`) from the *old* frame, the code frame on the first code
    cut ``u = u0`` (Bondi time ``u0``, angle = code phi), to the new Bondi frame:

        phi_old = F(phi_new),      u_old = F'(phi_new) (u_new + gamma(phi_new)).

    On the code cut ``u_old = u0`` the new coordinates of the code point ``phi`` are therefore
    ``B0 = F^{-1}(phi)`` and ``A0 = u0 / F'(B0) - gamma(B0)``.  ``F`` needs ``F(x)`` and
    ``F.d(x, 1)`` (closed form); ``gamma`` is a callable ``gamma(x, k)`` (a TrigSeries), a
    float or ``None``.  ``F^{-1}`` on the grid ``phi_grid(n)``: bisection on the monotone ``F``
    then Newton, to ``tol``.  With ``F = id, gamma = 0`` this is the default ``A0 = u0, B0 = phi``.

    Returns ``(A0, Bper0)``, each of shape ``(n,)``.
    """
    phi = phi_grid(n)
    xs = np.linspace(0.0, 2 * np.pi, 4 * n + 1)
    span = float(np.max(np.abs(np.asarray(F(xs)) - xs))) + 1e-12
    lo, hi = phi - span - 1e-9, phi + span + 1e-9
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        below = np.asarray(F(mid)) < phi
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
        if np.max(hi - lo) < 1e-6:
            break
    x = 0.5 * (lo + hi)
    for _ in range(20):
        dx = (np.asarray(F(x)) - phi) / np.asarray(F.d(x, 1))
        x = x - dx
        if np.max(np.abs(dx)) < tol:
            break
    f1 = np.asarray(F.d(x, 1), dtype=float)
    if gamma is None:
        g = 0.0
    elif np.isscalar(gamma):
        g = float(gamma)
    else:
        g = np.asarray(gamma(x, 0), dtype=float)
    A0 = u0 / f1 - g
    return np.asarray(A0, dtype=float) * np.ones(n), x - phi


def integrate_transport(u, U0, beta0, substeps: int = 1, interp_points: int = 6, initial=None):
    """Integrate the frame transport (:func:`transport_rhs`) from the samples alone.

    Classical RK4 with ``substeps`` steps per sample interval; the coefficients ``U0, beta0``
    at the intermediate stage times are obtained by local ``interp_points``-point Lagrange
    interpolation of the samples in ``u`` (centred, one-sided near the ends; error
    ``O(du^interp_points)``), so the result is 4th order in ``du`` (for smooth data).
    Stability of the spectral advection requires ``(du/substeps) max|U0| n/2 < 2.8``.

    ``initial = (A0, Bper0)`` (arrays of shape ``(n,)``) sets the first cut instead of the
    default ``A0 = u_start``, ``Bper0 = 0``: a BMS3 frame on that cut
    (:func:`initial_cut_from_frame`).

    Returns
    -------
    A, Bper : ndarray (K+1, n)
        Bondi time ``A(u_k, phi_j)`` and the periodic part ``B - phi`` of the Bondi angle;
        ``A[0] = u_start``, ``Bper[0] = 0`` by default (the Bondi time origin is the inertial time
        of the first cut; conventions.md §2), else ``(A0, Bper0)``.
    """
    du = _check_uniform(u)
    u = np.asarray(u, dtype=float)
    U0 = np.asarray(U0, dtype=float)
    beta0 = np.asarray(beta0, dtype=float)
    K1, n = U0.shape
    if beta0.shape != U0.shape or len(u) != K1:
        raise ValueError("U0, beta0 must have shape (len(u), nphi)")
    substeps = int(substeps)
    # stage times as fractional indices: k + s/substeps and the half points
    fr = np.arange(2 * substeps + 1) / (2.0 * substeps)
    pos = (np.arange(K1 - 1)[:, None] + fr[None, :]).ravel()
    pos = np.unique(np.concatenate([pos, [K1 - 1.0]]))
    key = {round(p * 2 * substeps): i for i, p in enumerate(pos)}
    p = min(interp_points, K1)
    Uq = sample_uniform(U0, pos, p)
    bq = sample_uniform(beta0, pos, p)
    if initial is None:
        A = np.full(n, u[0])
        B = np.zeros(n)
    else:
        A, B = (np.array(np.broadcast_to(np.asarray(x, dtype=float), (n,))) for x in initial)
        if np.any(1.0 + dphi(B) <= 0):
            raise ValueError("initial cut: B' <= 0 somewhere (not an orientation-preserving angle map)")
    outA = np.empty((K1, n))
    outB = np.empty((K1, n))
    outA[0], outB[0] = A, B
    h = du / substeps
    k1A, k1B, k2A, k2B, k3A, k3B, k4A, k4B = (np.empty(n) for _ in range(8))
    for k in range(K1 - 1):
        for s in range(substeps):
            i0 = key[2 * substeps * k + 2 * s]
            ih = key[2 * substeps * k + 2 * s + 1]
            i1 = key[2 * substeps * k + 2 * s + 2]
            transport_rhs(A, B, Uq[i0], bq[i0], k1A, k1B)
            transport_rhs(A + 0.5 * h * k1A, B + 0.5 * h * k1B, Uq[ih], bq[ih], k2A, k2B)
            transport_rhs(A + 0.5 * h * k2A, B + 0.5 * h * k2B, Uq[ih], bq[ih], k3A, k3B)
            transport_rhs(A + h * k3A, B + h * k3B, Uq[i1], bq[i1], k4A, k4B)
            A = A + h / 6.0 * (k1A + 2 * k2A + 2 * k3A + k4A)
            B = B + h / 6.0 * (k1B + 2 * k2B + 2 * k3B + k4B)
        outA[k + 1], outB[k + 1] = A, B
    return outA, outB


# ------------------------------------------------------------------------------------------
# the map of bondi-equations.md §3.4 on the code grid
# ------------------------------------------------------------------------------------------
def bondi_aspects_code_grid(beta0, U0, calW, Qbar, psi0, news_code, A, Bper, G):
    """Bondi-frame aspects at the code points, ``(u_B, phi_B) = (A, B)(u_k, phi_j)``.

    Formulas: module docstring (bondi-equations.md §3.4).  All angular derivatives are
    spectral at fixed code time; no time derivative is taken (``news_code`` enters instead).

    Returns
    -------
    dict of ndarray (K+1, n)
        ``Theta`` (Theta_B), ``Nhat`` (Nhat_B = N_B - pi G d_{phi_B}|_{u_B} psi~0^2), ``psi0``
        (psi~0), ``news`` (d_{u_B} psi~0 at fixed phi_B), ``N`` (Nhat + pi G d_{phi_B}|_{u_B}
        psi~0^2, derivative at fixed Bondi time), ``Bp`` (B'), ``ell`` (A'/B'), ``jac``
        (e^{2 beta0} B' = d u_B / d u along a generator).
    """
    beta0, U0, calW, Qbar, psi0, news_code, A, Bper = (
        np.asarray(x, dtype=float) for x in (beta0, U0, calW, Qbar, psi0, news_code, A, Bper))
    Bp = 1.0 + dphi(Bper)
    if np.any(Bp <= 0):
        raise ValueError("frame transport: B' <= 0 somewhere (the angle map folded; resolution too low?)")
    Bpp = dphi(Bper, 2)
    Bppp = dphi(Bper, 3)
    schw = Bppp / Bp - 1.5 * (Bpp / Bp) ** 2
    e2b = np.exp(2.0 * beta0)
    theta = (calW / e2b + 2.0 * schw) / Bp ** 2
    ell = dphi(A) / Bp
    Dell = dphi(ell) / Bp
    DDell = dphi(Dell) / Bp
    psit = psi0 / np.sqrt(Bp)
    nhat = Qbar / (2.0 * Bp ** 2) - ell * theta + DDell + 2.0 * np.pi * G * psit ** 2 * Bpp / Bp ** 2
    jac = e2b * Bp
    news = (news_code + U0 * dphi(psi0) + 0.5 * dphi(U0) * psi0) / (jac * np.sqrt(Bp))
    dpsit = dphi(psit) / Bp - ell * news
    N = nhat + 2.0 * np.pi * G * psit * dpsit
    return dict(Theta=theta, Nhat=nhat, psi0=psit, news=news, N=N, Bp=Bp, ell=ell, jac=jac)


# ------------------------------------------------------------------------------------------
# driver
# ------------------------------------------------------------------------------------------
@dataclass
class BondiFrameData:
    """Bondi-frame scri+ data on uniform cuts ``u_B = time[i]`` and uniform ``phi_B``, plus the
    code-frame data and the frame transport.

    Attributes (2D arrays have shape ``(len(time), len(phi))`` or ``(len(u), n)`` for code data)
    ----------
    time, phi : Bondi time of the cuts (origin: the inertial time of the first code cut) and
        Bondi angle grid.
    mass_aspect : Theta_B.   N : N_B.   Nhat : N_B - pi G d_phi(psi~0^2) (= Qbar/2 in a Bondi frame).
    angular_momentum_aspect : Xi = N - (u_B/2) d_phi Theta_B.
    news : d_{u_B} psi~0.   psi0 : psi~0 = psi0/sqrt(B').
    u_code, phi_code : code coordinates of each Bondi grid point.
    code : dict of the code-frame inputs (u, beta0, U0, calW, Qbar, psi0, news) and the transport
        ``A`` and ``B_minus_phi`` on the code grid.
    on_code_grid : the Bondi aspects at the code points (:func:`bondi_aspects_code_grid`).
    G : Newton's constant of the run.
    """

    time: np.ndarray
    phi: np.ndarray
    mass_aspect: np.ndarray
    N: np.ndarray
    Nhat: np.ndarray
    angular_momentum_aspect: np.ndarray
    news: np.ndarray
    psi0: np.ndarray
    u_code: np.ndarray
    phi_code: np.ndarray
    G: float
    code: dict = field(default_factory=dict)
    on_code_grid: dict = field(default_factory=dict)

    def to_scri_data(self):
        """:class:`asymflat.data.ScriData` for ``/scri_plus`` with the code frame under
        ``extra['code_frame/...']`` (docs/format.md)."""
        from asymflat.data import ScriData

        c = self.code
        desc = {
            "u": ("length", "code (vertex proper) time of the code cuts"),
            "beta0": ("1", "beta at scri+ (x = 1) in the code frame"),
            "U0": ("length^-1", "U at scri+ in the code frame"),
            "calW": ("1", "calW = V/r + 2 r U_phi at scri+ in the code frame"),
            "Qbar": ("length", "Qbar = r^3 e^{-2beta} U_r + 2 r beta_phi at scri+ in the code frame"),
            "psi0": ("length^0 G^-1/2", "chi at x = 1 in the code frame"),
            "news": ("length^-1/2 G^-1/2", "d_u psi0 at fixed code phi"),
            "A": ("length", "Bondi time u_B = A(u, phi) of the code point (frame transport, A(u_start) = u_start)"),
            "B": ("1", "B(u, phi) - phi: periodic part of the Bondi angle phi_B = B(u, phi) (B(u_start) = phi)"),
        }
        extra = {}
        for k, (units, d) in desc.items():
            key = "B_minus_phi" if k == "B" else k
            if key in c:
                extra[f"code_frame/{k}"] = (np.asarray(c[key]), units, d)
        return ScriData(
            name="scri_plus", time=self.time, phi=self.phi, mass_aspect=self.mass_aspect,
            angular_momentum_aspect=self.angular_momentum_aspect, N=self.N, news=self.news,
            psi0=self.psi0, extra=extra)


def to_bondi_frame(u, beta0, U0, calW, Qbar, psi0, news_code, G, *, substeps: int = 1,
                   interp_points: int = 6, resample_order: int = 6, n_out: int | None = None,
                   times=None, dtime: float | None = None, transport=None,
                   initial=None) -> BondiFrameData:
    """Post-process raw code-frame scri+ samples into Bondi-frame data (bondi-equations.md §3.4).

    Steps: (1) frame transport :func:`integrate_transport` (RK4, 4th order in du) unless
    ``transport = (A, Bper)`` is given (e.g. integrated by the solver with
    :func:`transport_rhs`); (2) the map :func:`bondi_aspects_code_grid` at the code points;
    (3) :func:`resample_to_bondi_cuts` along the generators; (4) on the uniform Bondi grid,
    spectrally at fixed u_B: ``N = Nhat + pi G d_phi(psi~0^2)``, ``Xi = N - (u_B/2) d_phi Theta``.
    ``initial = (A0, Bper0)``: the transport's first cut (default ``A0 = u_start``, ``B0 = phi``);
    see :func:`initial_cut_from_frame` for a BMS3 frame ``(F, gamma)`` there.
    """
    u = np.asarray(u, dtype=float)
    if transport is None:
        A, Bper = integrate_transport(u, U0, beta0, substeps=substeps, interp_points=interp_points,
                                      initial=initial)
    else:
        A, Bper = (np.asarray(x, dtype=float) for x in transport)
    cg = bondi_aspects_code_grid(beta0, U0, calW, Qbar, psi0, news_code, A, Bper, G)
    flds = {k: cg[k] for k in ("Theta", "Nhat", "psi0", "news")}
    tB, phiB, r = resample_to_bondi_cuts(u, A, Bper, flds, n_out=n_out, times=times, dtime=dtime,
                                         order=resample_order)
    theta, nhat, psit = r["Theta"], r["Nhat"], r["psi0"]
    N = nhat + np.pi * G * dphi(psit ** 2)
    xi = N - 0.5 * tB[:, None] * dphi(theta)
    code = dict(u=u, beta0=np.asarray(beta0), U0=np.asarray(U0), calW=np.asarray(calW),
                Qbar=np.asarray(Qbar), psi0=np.asarray(psi0), news=np.asarray(news_code),
                A=A, B_minus_phi=Bper)
    return BondiFrameData(time=tB, phi=phiB, mass_aspect=theta, N=N, Nhat=nhat,
                          angular_momentum_aspect=xi, news=r["news"], psi0=psit,
                          u_code=r["u_code"], phi_code=r["phi_code"], G=float(G), code=code,
                          on_code_grid=cg)
