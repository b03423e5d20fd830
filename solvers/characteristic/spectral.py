"""Fourier operations in phi: derivatives, filter, per-mode vertex regularity slaving.

phi_k = 2 pi k / Nphi.  Transforms use rocket-fft's low-level ``r2c``/``c2r`` (PocketFFT) called
from nopython mode into a preallocated complex buffer of shape (Nx+1, Nphi//2+1): no allocation
inside the time loop.  The Nyquist mode is always set to zero (it is not differentiable in a real
basis and the filter removes it anyway).

Filter: sigma_m = exp(-36 (m/m_N)^36), m_N = Nphi/2 (Hou & Li 2007); it acts as de-aliasing of the
quadratic products and is applied to the time derivative chi_u at every RK stage.

Regularity slaving at the vertex and the projection P (filter + slaving): :mod:`.vertex`.
"""
from __future__ import annotations

import numpy as np
from .._fft import c2r, r2c

from .._jit import jit

FILTER_ALPHA = 36.0
FILTER_ORDER = 36


def wavenumbers(nphi: int) -> np.ndarray:
    """m = 0..Nphi/2 as floats (rfft ordering)."""
    if int(nphi) != nphi or nphi < 4 or nphi % 2:
        raise ValueError(f"grid.nphi = {nphi}: must be an even integer >= 4")
    return np.arange(nphi // 2 + 1, dtype=float)


def filter_factors(nphi: int) -> np.ndarray:
    """sigma_m = exp(-alpha (m/m_N)^p) with the Nyquist mode zeroed."""
    m = wavenumbers(nphi)
    mn = nphi / 2
    s = np.exp(-FILTER_ALPHA * (m / mn) ** FILTER_ORDER)
    s[-1] = 0.0
    return s


# Row-chunk variants used by the threaded right-hand side (right_hand_side.rhs): the phi transforms are
# independent across rows x_j, so each thread transforms its own rows (``nthreads`` = 1 inside a
# chunk).  ``f``, ``out``, ``hat`` are the same row slice of their arrays.

@jit
def dphi_rows(f, out, hat, km, axes, nphi):
    """out = d_phi f (Fourier, Nyquist mode dropped) on a row slice; ``hat`` is the same rows of
    a (n, Nphi//2+1) complex work buffer."""
    r2c(f, hat, axes, True, 1.0, 1)
    n, nh = hat.shape
    for j in range(n):
        for m in range(nh - 1):
            hat[j, m] = hat[j, m] * (1j * km[m])
        hat[j, nh - 1] = 0.0
    c2r(hat, out, axes, False, 1.0 / nphi, 1)


@jit
def dphi12_rows(f, out1, out2, hat, hat2, km, axes, nphi):
    """out1 = d_phi f, out2 = d_phi^2 f from one forward transform (hat2: second buffer)."""
    r2c(f, hat, axes, True, 1.0, 1)
    n, nh = hat.shape
    for j in range(n):
        for m in range(nh - 1):
            v = hat[j, m]
            hat2[j, m] = v * (-km[m] * km[m])
            hat[j, m] = v * (1j * km[m])
        hat[j, nh - 1] = 0.0
        hat2[j, nh - 1] = 0.0
    c2r(hat, out1, axes, False, 1.0 / nphi, 1)
    c2r(hat2, out2, axes, False, 1.0 / nphi, 1)


@jit
def forward_filter_rows(f, hat, sig, axes, do_filter):
    """hat = r2c(f), times the filter factors if ``do_filter`` (first half of :func:`filter_slave`)."""
    r2c(f, hat, axes, True, 1.0, 1)
    if do_filter:
        n, nh = hat.shape
        for j in range(n):
            for m in range(nh):
                hat[j, m] = hat[j, m] * sig[m]


@jit
def inverse_rows(hat, f, axes, nphi):
    """f = c2r(hat) / Nphi on a row slice."""
    c2r(hat, f, axes, False, 1.0 / nphi, 1)
