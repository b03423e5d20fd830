"""An incoming table on another angular grid, and psi0-(v, phi) between its time nodes.

The run's solver has its own number of angles ``nphi``; the table is carried onto it by its
Fourier series (docs/conventions.md section 7): modes |m| < min(nphi_table, nphi)/2 are kept, the
rest dropped, so for nphi >= nphi_table the resampling is exact trigonometric interpolation, and
for nphi < nphi_table it is the projection (the truncation error is bounded by the table's own
angular tail, asymflat.incoming.table.PHI_TOL).  The tail laws' coefficients c_k(phi) are carried
alike.  Between the time nodes psi0- is the 6-point Lagrange interpolant (nodes j-2..j+3, the
stencil of asymflat/incoming/first_cone.py), with the tail laws (or zeros) beyond the ends.
"""
from __future__ import annotations

import numpy as np

from asymflat.incoming.first_cone import LAGRANGE, OFFSETS, PAD
from asymflat.incoming.table import IncomingData
from asymflat.incoming.tails import TailLaw


def fourier_resample(values: np.ndarray, nphi: int) -> np.ndarray:
    """Real periodic samples ``values`` (..., n) on 2 pi k / n carried onto 2 pi k / nphi by their
    Fourier modes |m| < min(n, nphi) / 2 (the Nyquist mode of an even grid dropped)."""
    values = np.asarray(values, dtype=float)
    n = values.shape[-1]
    if n == nphi:
        return values.copy()
    c = np.fft.rfft(values, axis=-1) / n
    keep = (min(n, nphi) + 1) // 2                  # modes 0 .. keep-1 (no Nyquist)
    out = np.zeros(values.shape[:-1] + (nphi // 2 + 1,), dtype=complex)
    out[..., :keep] = c[..., :keep]
    return np.fft.irfft(out * nphi, n=nphi, axis=-1)


def resample_phi(data: IncomingData, nphi: int) -> IncomingData:
    """The table (and its tail laws) on the angles 2 pi k / nphi (module doc)."""
    if len(data.phi) == nphi:
        return data
    laws = [None if law is None else TailLaw(law.end, law.power, law.center,
                                             fourier_resample(law.coefficients, nphi))
            for law in (data.early, data.late)]
    return IncomingData(data.v, 2 * np.pi * np.arange(nphi) / nphi, fourier_resample(data.psi0, nphi),
                        laws[0], laws[1], data.source)


def psi0_at(data: IncomingData, vq: np.ndarray) -> np.ndarray:
    """psi0-(vq[i, k], phi_k): the 6-point interpolant in v per angle column (module doc).

    ``vq`` has shape (n, nphi_table); returns the same shape.
    """
    vq = np.asarray(vq, dtype=float)
    h = data.h
    lo = int(np.floor((min(float(vq.min()), data.v[0]) - data.v[0]) / h)) - PAD
    hi = int(np.ceil((max(float(vq.max()), data.v[-1]) - data.v[0]) / h)) + PAD
    v = data.v[0] + h * np.arange(lo, hi + 1)
    g = data.at(v)
    s = (vq - v[0]) / h
    j = np.clip(np.floor(s).astype(int), 2, len(v) - 5)
    xi = s - j
    col = np.broadcast_to(np.arange(vq.shape[1])[None, :], vq.shape)
    return sum(L(xi) * g[j + o, col] for L, o in zip(LAGRANGE, OFFSETS))
