"""The de-aliased right-hand side: the pointwise stage on a padded phi grid (strong fields).

chi is interpolated exactly to Nphi_f >= PAD_FACTOR Nphi points, the right-hand side is computed
there and truncated back to |m| < Nphi/2 before the projection P (tests/test_solver_dealias.py).
"""
from __future__ import annotations

import math

import numpy as np
from numba import prange
from .._fft import c2r, r2c

from .._jit import jit
from .layout import chunk_start, nchunks
from .operators import Operators
from .right_hand_side import rhs_core
from .spectral import inverse_rows
from .vertex import slave_gather, slave_rows, slave_top
from .workspace import Workspace

#: padded phi grid of the de-aliased right-hand side: Nphi_f >= PAD_FACTOR * Nphi.  1.5 (the 3/2
#: rule) is exact for quadratic products only; the right-hand side is far beyond quadratic (e^{2 beta},
#: U chi_phi, calW chi_x, q^2) and 1.5 did not stabilise the strong-field test (compact pulse of
#: amplitude 0.3, G = 0.05: blow-up at u ~ -0.6 at 96x48, 128x48, 128x64, 256x48), 2 does.
PAD_FACTOR = 2.0


def padded_nphi(nphi: int, factor: float = PAD_FACTOR) -> int:
    """Smallest even Nphi_f >= factor * Nphi."""
    nf = int(math.ceil(factor * nphi - 1e-9))
    return nf + (nf % 2)


def resample_phi(f: np.ndarray, nphi_new: int) -> np.ndarray:
    """Fourier interpolation / truncation of f (..., Nphi) along the last axis to ``nphi_new``
    points, keeping the modes |m| < min(Nphi, nphi_new)/2 (the Nyquist modes are dropped)."""
    f = np.asarray(f, dtype=float)
    nphi = f.shape[-1]
    hat = np.fft.rfft(f, axis=-1)
    k = min(nphi, nphi_new) // 2
    out = np.zeros(f.shape[:-1] + (nphi_new // 2 + 1,), dtype=complex)
    out[..., :k] = hat[..., :k]
    return np.fft.irfft(out, n=nphi_new, axis=-1) * (nphi_new / nphi)


class PadWorkspace:
    """Padded-grid operators and work arrays of :func:`rhs_pad` (allocated once)."""

    def __init__(self, nx: int, nphi: int, R: float, order: int, uc: np.ndarray,
                 factor: float = PAD_FACTOR, cone_mu: float = 1.0):
        n = nx + 1
        self.nphi = padded_nphi(nphi, factor)
        if self.nphi <= nphi:
            raise ValueError(f"dealias pad factor {factor}: the padded grid must be finer")
        self.op = Operators(nx, self.nphi, R, order, cone_mu)
        self.ws = Workspace(nx, self.nphi)
        self.uc = np.ascontiguousarray(resample_phi(uc, self.nphi))
        self.chi = np.zeros((n, self.nphi))
        self.out = np.zeros((n, self.nphi))
        self.pad = (self.nphi, self.op.ops, self.ws.wk, self.ws.hat, self.uc, self.chi, self.out)


@jit
def rhs_pad(chi, uc, G, R, nphi, do_filter, ops, wk, hat, out, pad):
    """De-aliased out = chi_u: the whole pointwise stage on a padded phi grid.

    ``pad`` = (nf, pops, pwk, phat, puc, pchi, pout) from :class:`PadWorkspace`: Nphi_f >= 3 Nphi/2
    points (:data:`PAD_FACTOR`), its Operators' ops, work arrays, U_c on the padded grid,
    (n, Nphi_f) buffers.
    chi (band-limited: modes |m| < Nphi/2, the Nyquist mode is dropped as in every phi derivative)
    is interpolated exactly (zero padding of its Fourier modes) to the padded grid, :func:`rhs_core`
    runs there (products of two resolved fields are alias-free for Nphi_f >= 3/2 Nphi; the
    higher-order nonlinearities are much less aliased), and the result is
    truncated back to |m| < Nphi/2 before P.  ``uc``, ``wk`` are unused (the hypersurface fields
    are left in ``pwk``, on the padded grid; CharacteristicSolver.sync_fields truncates them into
    ``wk``).  FFTs: those of rhs_core at Nphi_f + one forward (Nphi) + one inverse (Nphi_f)
    for the interpolation + one forward (Nphi_f) for the truncation + P's inverse (Nphi).
    """
    nf, pops, pwk, phat, puc, pchi, pout = pad
    sig, jm, sw, axes = ops[10], ops[11], ops[12], ops[13]
    n = chi.shape[0]
    nh = nphi // 2 + 1
    nhf = nf // 2 + 1
    h0 = hat[0]
    g0 = phat[0]
    nr = nchunks(n)
    up = nf / nphi
    for ic in prange(nr):
        j0 = chunk_start(ic, nr, n, 1)
        j1 = chunk_start(ic + 1, nr, n, 1)
        r2c(chi[j0:j1], h0[j0:j1], axes, True, 1.0, 1)
        for j in range(j0, j1):
            for k in range(nh - 1):
                g0[j, k] = h0[j, k] * up
            for k in range(nh - 1, nhf):
                g0[j, k] = 0.0
        c2r(g0[j0:j1], pchi[j0:j1], axes, False, 1.0 / nf, 1)
    rhs_core(pchi, puc, G, R, nf, pops, pwk, phat, pout)
    down = nphi / nf
    for ic in prange(nr):
        j0 = chunk_start(ic, nr, n, 1)
        j1 = chunk_start(ic + 1, nr, n, 1)
        r2c(pout[j0:j1], g0[j0:j1], axes, True, 1.0, 1)
        for j in range(j0, j1):
            if do_filter:
                for k in range(nh - 1):
                    h0[j, k] = g0[j, k] * (down * sig[k])
            else:
                for k in range(nh - 1):
                    h0[j, k] = g0[j, k] * down
            h0[j, nh - 1] = 0.0
    # slaving row by row (fit values gathered first; see spectral.slave_rows), then the inverse
    jtop = slave_top(jm, n)
    A = hat[1, 0:3]
    slave_gather(h0, jm, A)
    for ic in prange(nr):
        j0 = chunk_start(ic, nr, n, 1)
        j1 = chunk_start(ic + 1, nr, n, 1)
        slave_rows(h0, jm, ops[17], A, j0, min(j1, jtop))
        inverse_rows(h0[j0:j1], out[j0:j1], axes, nphi)
