"""Late-u tails: extrapolation of scri+ data and flux densities to i+ (package docstring,
"Late-u tails (2+1 dimensions)")."""
from __future__ import annotations

import numpy as np

from asymflat.analysis.memory.fluxes import flux_rates
from asymflat.bms3.spectral import derivative


# --------------------------------------------------------------------------------------------
# late-u extrapolation to i+
# --------------------------------------------------------------------------------------------
def _lsq(x, V, powers):
    A = np.stack([np.ones_like(x)] + [x ** (-q) for q in powers], axis=1)
    coef, *_ = np.linalg.lstsq(A, V, rcond=None)
    return coef, float(np.sum((A @ coef - V) ** 2))


def extrapolate_to_i_plus(u, values, p: float | None = None, u_ref: float = 0.0, fraction: float = 0.5,
                          p_range: tuple[float, float] = (0.5, 6.0)):
    """Limit ``u -> +inf`` of ``values`` (axis 0 = cuts) by ``L + c x^{-p} + d x^{-p-1}``, ``x = u - u_ref``.

    The fit uses the last ``fraction`` of the cuts (those with ``x > 0``).  ``p``: given, or the
    least-squares best over ``p_range`` (one ``p`` for all components, each component scaled by its
    variation over the window).  Error estimate: the larger of the differences with (a) the
    one-term model ``L + c x^{-p1}`` (its own best ``p1``) and (b) the same two-term fit on the later
    half of the window.

    Returns ``(limit, error, p)`` with ``limit`` and ``error`` shaped like ``values[0]``.
    """
    u = np.asarray(u, float)
    V = np.asarray(values, float)
    shape = V.shape[1:]
    V = V.reshape(len(u), -1)
    x = u - u_ref
    k0 = int(np.searchsorted(u, u[0] + (1.0 - fraction) * (u[-1] - u[0])))
    sel = np.nonzero((np.arange(len(u)) >= k0) & (x > 0))[0]
    if len(sel) < 6:
        raise ValueError(f"extrapolate_to_i_plus: {len(sel)} late cuts with u > u_ref; need >= 6")
    xs, Vs = x[sel], V[sel]
    scale = np.max(np.abs(Vs - Vs[-1]), axis=0)
    keep = scale > 1e-6 * max(float(np.max(scale)), 1e-300)  # components that vary (fit p on those)
    Vw = Vs[:, keep] / scale[keep] if np.any(keep) else Vs[:, :1] * 0.0

    def best(nterms):
        if p is not None:
            return float(p)
        coarse = np.arange(p_range[0], p_range[1] + 1e-9, 0.05)
        pw = (lambda q: [q]) if nterms == 1 else (lambda q: [q, q + 1.0])
        q0 = coarse[int(np.argmin([_lsq(xs, Vw, pw(q))[1] for q in coarse]))]
        fine = np.arange(max(p_range[0], q0 - 0.05), min(p_range[1], q0 + 0.05) + 1e-9, 0.002)
        return float(fine[int(np.argmin([_lsq(xs, Vw, pw(q))[1] for q in fine]))])

    p2, p1 = best(2), best(1)
    c2, _ = _lsq(xs, Vs, [p2, p2 + 1.0])
    c1, _ = _lsq(xs, Vs, [p1])
    h = len(sel) // 2
    c3, _ = _lsq(xs[h:], Vs[h:], [p2, p2 + 1.0]) if len(sel) - h >= 6 else (c1, 0.0)
    lim = c2[0]
    err = np.maximum(np.abs(lim - c1[0]), np.abs(lim - c3[0]))
    return lim.reshape(shape), err.reshape(shape), p2


# --------------------------------------------------------------------------------------------
# flux tails after the last cut
# --------------------------------------------------------------------------------------------
def flux_tail(u, rate, u_ref: float = 0.0, fraction: float = 0.25, min_cuts: int = 6):
    """``int_{u_last}^inf rate du`` per angle from the late-u power law of a flux density.

    ``rate`` (shape (nu, nphi)) is a flux density (``d_u Theta`` or the Xi-law density).  On the late
    window (the last ``fraction`` of the cuts with ``x = u - u_ref > 0``) the norm
    ``|rate|(u) = rms over phi`` is fitted by ``C x^{-q}`` (log-log least squares: the measured
    exponent); the amplitude per angle ``A(phi)`` by least squares with that ``q``; then
    ``tail = A x_L^{1 - q} / (q - 1)``.  Error estimate: the spread of the tail over the exponents
    fitted on the two halves of the window, plus the difference between the amplitude fit and the
    local value ``rate(u_last) x_L / (q - 1)`` (non-asymptotic corrections).

    Returns ``(tail, error, q, status)``; ``status`` is ``"power law"``, ``"zero"`` (no flux in the
    window: tail 0, error 0) or a sentence when the rate does not decay integrably (``q <= 1.2``):
    then the tail is 0 and the error ``|rate(u_L)| x_L`` (a crude bound).
    """
    u = np.asarray(u, float)
    R = np.asarray(rate, float)
    x = u - u_ref
    k0 = int(np.searchsorted(u, u[0] + (1.0 - fraction) * (u[-1] - u[0])))
    sel = np.nonzero((np.arange(len(u)) >= k0) & (x > 0))[0]
    zero = np.zeros(R.shape[-1])
    if len(sel) < min_cuts:
        raise ValueError(f"flux_tail: {len(sel)} late cuts with u > u_ref = {u_ref:g}; need >= {min_cuts}")
    xs, Rs = x[sel], R[sel]
    nrm = np.sqrt(np.mean(Rs**2, axis=1))
    if not np.any(nrm > 0):
        return zero, zero, float("nan"), "zero"
    xL = float(x[-1])
    if np.any(nrm <= 0):
        return zero, np.abs(R[-1]) * xL, float("nan"), "rate vanishes on part of the late window: no power law"

    def q_of(i):
        return float(-np.polyfit(np.log(xs[i]), np.log(nrm[i]), 1)[0])

    def tail_of(q):
        w = xs ** -q
        A = (w @ Rs) / float(w @ w)
        return A * xL ** (1.0 - q) / (q - 1.0)

    q = q_of(slice(None))
    h = len(sel) // 2
    qa, qb = q_of(slice(None, h)), q_of(slice(h, None))
    if min(q, qa, qb) <= 1.2:
        return zero, np.abs(R[-1]) * xL, q, (f"flux density does not decay integrably on the late window "
                                             f"(fitted exponent {q:.3g}, halves {qa:.3g}, {qb:.3g})")
    t = tail_of(q)
    err = np.maximum(np.abs(tail_of(qa) - t), np.abs(tail_of(qb) - t))
    err = err + np.abs(R[-1] * xL / (q - 1.0) - t)
    return t, err, q, "power law"


def _xi_tail(u, news, psi0, G, u_ref, fraction):
    """Xi-law tail beyond the last cut: power-law tail of the non-derivative density, and the total
    derivative ``pi G d_phi psi0^2`` (0 at i+) minus its value at the last cut."""
    _, dxi = flux_rates(u, news, psi0, G)
    t, e, q, st = flux_tail(u, dxi, u_ref, fraction)
    return t - np.pi * G * derivative(np.asarray(psi0, float)[-1] ** 2), e, q, st
