"""Time reflection of outgoing data into incoming data, and the free scattering map at G = 0.

Time reflection T (docs/conventions.md section 5: t -> -t maps the retarded chart onto the advanced
one at the same spatial point, so the same angle phi, and u = -v):

    (T psi0+)(v, phi) = psi0+(-v, phi)                                                     (T)

(no antipode: the exact pulse with t0 reflects into the pulse with -t0 at the same x0, y0 -- checked
in tests/test_incoming_reflect.py, where phi -> phi + pi fails).  The table's u_B axis is reversed so
that v increases; the ends of the outgoing data do not vanish (1/u tails, tails.py law (a)), so a
tail law is fitted at each end and continues the data.

Free map S at G = 0 (asymflat/incoming/first_cone.py (5)): psi0+(u, phi) = -(1/pi) p.v. int dv
psi0-(v, phi + pi) / (u - v) = -(H psi0-(., phi + pi))(u): minus the standard Hilbert transform
H f(u) = (1/pi) p.v. int f(v) / (u - v) dv, composed with the antipodal map A (checked against the
exact pulses' closed forms at scri- and scri+).  In Fourier in time (f = (1/2 pi) int fhat e^{-i omega t})
H multiplies by +i sgn(omega), so S by -i sgn(omega) (and A); T maps fhat(omega) -> fhat(-omega).
Closure: T S T S has multiplier (-i sgn(-omega)) (-i sgn(omega)) A^2 = 1, so S T S = T^-1 = T.  The
same holds with T A in place of T (A commutes with S and T): the G = 0 closure alone cannot fix
the angle convention of T; the exact pulses can, and do (no antipode).
"""
from __future__ import annotations

import numpy as np
from scipy.signal import fftconvolve

from asymflat.incoming.first_cone import (OFFSETS, _pv_cell_weights, antipodal_minus_hilbert,
                                          extended, hilbert_tails)
from asymflat.incoming.table import IncomingData, with_tails
from asymflat.incoming.tails import TAIL_POWERS


def time_reflect(u: np.ndarray, phi: np.ndarray, psi0_plus: np.ndarray,
                 source: str = "<reflected>", powers=TAIL_POWERS) -> IncomingData:
    """Incoming data T psi0+ (equation (T)) from outgoing psi0+(u_j, phi_k) on a uniform u grid,
    with tail laws (leading power one of ``powers``) fitted at the ends that do not vanish."""
    u = np.asarray(u, dtype=float)
    return with_tails(-u[::-1], phi, np.asarray(psi0_plus, dtype=float)[::-1], source, powers)


def free_map(data: IncomingData, u_min: float | None = None, u_max: float | None = None):
    """psi0+ = S psi0- on the table's time lattice u_n = v_0 + n h in [u_min, u_max] (default: the
    table's own range): returns (u, psi0+ (len(u), nphi)).

    Product integration of (5) with the 6-point interpolant per cell (integer kappa = n - j: a
    Toeplitz convolution by FFT; the p.v. log terms of the two cells at u_n cancel) and the tails
    in closed form (:func:`asymflat.incoming.first_cone.hilbert_tails`).
    """
    u_min = data.v[0] if u_min is None else u_min
    u_max = data.v[-1] if u_max is None else u_max
    v, g = extended(data, u_min, u_max)
    N = len(v)
    kappa = np.arange(-(N - 1), N, dtype=float)
    mu = _pv_cell_weights(kappa)
    pv = np.zeros_like(g)
    for i, o in enumerate(OFFSETS):
        a = np.zeros_like(g)
        a[2:N - 3] = g[2 + o:N - 3 + o]
        pv += fftconvolve(a, mu[:, i:i + 1], axes=0)[N - 1:2 * N - 1]
    sel = (v >= u_min - 1e-9 * data.h) & (v <= u_max + 1e-9 * data.h)
    pv = pv[sel] + hilbert_tails(data, v[sel], v[2], v[N - 3])
    out = antipodal_minus_hilbert(data, pv)
    return v[sel], np.real(np.fft.ifft(out * len(data.phi), axis=1))
