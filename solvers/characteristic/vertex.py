"""Vertex treatment: per-mode regularity slaving, and the projection P = slaving o filter of chi_u.

Regularity slaving (vertex-and-frame-notes.md section 2): a regular field has Fourier modes
chi_m(x) = O(x^|m|) at the vertex.  Below the grid index j_m (j_0 = 0, j_1 = 1,
j_m = ceil(kappa m) for m >= 2, kappa = 2) mode m is not a free unknown: it is set to
x^m p(x), p the quadratic through chi_m(x_i)/x_i^m at i = j_m, j_m+1, j_m+2.  Modes whose three
fit points do not fit on the grid are zeroed.  The map is linear and idempotent (a projection).
Applied to chi_u at every stage it keeps the state in the regular subspace; with it, the RK4
limit is dt ~ 5.6 R h independent of Nphi.

P acts on chi_u at every RK stage: :func:`project_out` on the whole grid (phase-by-phase
right-hand side), or row block by row block in the pipelined one (:func:`_filter_rows_invert_free`,
:func:`slave_gather`, :func:`_slave_and_invert_rows`); :func:`filter_slave` on initial data.
"""
from __future__ import annotations

import math

import numpy as np
from numba import prange

from .._jit import jit
from .layout import chunk_start, nchunks
from .spectral import forward_filter_rows, inverse_rows, wavenumbers

SLAVE_KAPPA = 2.0


def slave_index(m: float, kappa: float = SLAVE_KAPPA) -> int:
    """First free grid index j_m of a Fourier mode with vertex exponent m (|m|/mu on a cone)."""
    if m == 0:
        return 0
    if m <= 1.0 + 1e-12:
        return 1
    return int(math.ceil(kappa * m - 1e-12))


def vertex_exponents(nphi: int, cone_mu: float = 1.0) -> np.ndarray:
    """Exponents nu_m = m / mu of the vertex behaviour chi_m ~ x^{nu_m}, m = 0..Nphi/2.

    mu = 1 is a regular vertex (nu_m = m).  At a conical vertex (calW(0) = -mu^2, total angle
    2 pi mu) the flat-cone wave operator mu^2 (d_r^2 + d_r/r) + d_phi^2/r^2 has the indicial roots
    +-|m|/mu on mode e^{i m phi}; regularity keeps the + root (docs/conventions.md section 9,
    tests/test_derivation_cone.py).
    """
    if not (0.0 < cone_mu <= 1.0):
        raise ValueError(f"vertex.mu = {cone_mu}: must be in (0, 1]")
    return wavenumbers(nphi) / float(cone_mu)


def slaving_weights(x: np.ndarray, nphi: int, kappa: float = SLAVE_KAPPA,
                    cone_mu: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Weights of the slaving projection.

    Returns ``jm`` (nh,) first free index per mode (= n if the mode is zeroed entirely) and
    ``w`` (nh, jmax, 3): for j < jm[m], chi_m(x_j) = sum_i w[m, j, i] chi_m(x_{jm+i}), i.e.
    chi_m = x^{nu_m} p(x) with p the quadratic through the three fit points and
    nu_m = m / mu (:func:`vertex_exponents`).
    """
    n = len(x)
    nh = nphi // 2 + 1
    nu = vertex_exponents(nphi, cone_mu)
    jm = np.zeros(nh, dtype=np.int64)
    for m in range(nh):
        j = slave_index(nu[m], kappa)
        jm[m] = j if j + 2 <= n - 1 else n
    jmax = max(1, int(min(jm.max(), n)))
    w = np.zeros((nh, jmax, 3))
    for m in range(nh):
        j0 = jm[m]
        if j0 == 0 or j0 >= n:
            continue
        nodes = x[j0:j0 + 3]
        for j in range(j0):
            xj = x[j]
            for i in range(3):
                others = [nodes[k] for k in range(3) if k != i]
                L = (xj - others[0]) * (xj - others[1]) / ((nodes[i] - others[0]) * (nodes[i] - others[1]))
                w[m, j, i] = (xj / nodes[i]) ** nu[m] * L
    return jm, w


@jit
def filter_slave(f, hat, sig, jm, sw, axes, nphi, do_filter):
    """In place: f <- P f, with P the filter (if ``do_filter``) followed by regularity slaving:
    :func:`forward_filter_rows`, :func:`slave_modes`, :func:`inverse_rows` on all rows."""
    forward_filter_rows(f, hat, sig, axes, do_filter)
    slave_modes(hat, jm, sw, 0, hat.shape[1])
    inverse_rows(hat, f, axes, nphi)


@jit
def slave_modes(hat, jm, sw, m0, m1):
    """Regularity slaving of modes m0..m1-1 of the whole (n, nh) ``hat`` (see :func:`filter_slave`)."""
    n = hat.shape[0]
    for m in range(m0, m1):
        j0 = jm[m]
        if j0 == 0:
            continue
        if j0 >= n:
            for j in range(n):
                hat[j, m] = 0.0
            continue
        a0 = hat[j0, m]
        a1 = hat[j0 + 1, m]
        a2 = hat[j0 + 2, m]
        for j in range(j0):
            hat[j, m] = sw[m, j, 0] * a0 + sw[m, j, 1] * a1 + sw[m, j, 2] * a2


# Row-wise slaving (the pipelined projection): slave_modes walks each mode down the
# rows (one cache line per element touched: ~16k scattered accesses at 513 x 256); these gather the
# three fit values of every mode once and then slave row by row, with the weights transposed to
# (row, mode, 3).  Same operations per element as slave_modes (bit-identical).


def slaving_weights_rows(sw: np.ndarray) -> np.ndarray:
    """The weights of :func:`slaving_weights` as (jmax, nh, 3) (row-major for :func:`slave_rows`)."""
    return np.ascontiguousarray(np.transpose(sw, (1, 0, 2)))


@jit
def slave_top(jm, n):
    """Rows 0..top-1 are changed by the slaving (top = n if a mode is zeroed entirely)."""
    t = 0
    for m in range(jm.shape[0]):
        if jm[m] > t:
            t = jm[m]
    return min(t, n)


@jit
def slave_gather(hat, jm, A):
    """A[i, m] = hat[jm[m] + i, m], i = 0, 1, 2: the fit values of every slaved mode."""
    n, nh = hat.shape
    for m in range(nh):
        j0 = jm[m]
        if 0 < j0 < n:
            A[0, m] = hat[j0, m]
            A[1, m] = hat[j0 + 1, m]
            A[2, m] = hat[j0 + 2, m]


@jit
def slave_rows(hat, jm, swr, A, j0, j1):
    """Rows j0..j1-1 of :func:`slave_modes` (all modes) from the gathered fit values ``A``
    (:func:`slave_gather`) and the row-major weights ``swr`` (:func:`slaving_weights_rows`)."""
    n, nh = hat.shape
    for j in range(j0, j1):
        for m in range(nh):
            jj = jm[m]
            if j < jj:
                if jj >= n:
                    hat[j, m] = 0.0
                else:
                    hat[j, m] = swr[j, m, 0] * A[0, m] + swr[j, m, 1] * A[1, m] + swr[j, m, 2] * A[2, m]


@jit
def project_out(out, hat, sig, jm, sw, axes, nphi, do_filter):
    """out <- P out: filter (rows), slaving (modes, serial: O(Nphi) work), inverse (rows);
    ``hat`` (n, Nphi//2+1) complex work buffer."""
    n = out.shape[0]
    nr = nchunks(n)
    for ic in prange(nr):
        j0 = chunk_start(ic, nr, n, 1)
        j1 = chunk_start(ic + 1, nr, n, 1)
        forward_filter_rows(out[j0:j1], hat[j0:j1], sig, axes, do_filter)
    slave_modes(hat, jm, sw, 0, hat.shape[1])
    for ic in prange(nr):
        j0 = chunk_start(ic, nr, n, 1)
        j1 = chunk_start(ic + 1, nr, n, 1)
        inverse_rows(hat[j0:j1], out[j0:j1], axes, nphi)


@jit
def _filter_rows_invert_free(out, hat, sig, axes, nphi, do_filter, jtop, j0, j1):
    """Rows j0..j1-1 of P's forward transform (+ filter) into hat; the inverse right away for the
    rows >= jtop (the slaving changes rows < jtop only and reads hat, which c2r leaves alone)."""
    if j1 <= j0:
        return
    forward_filter_rows(out[j0:j1], hat[j0:j1], sig, axes, do_filter)
    k0 = max(j0, jtop)
    if j1 > k0:
        inverse_rows(hat[k0:j1], out[k0:j1], axes, nphi)


@jit
def _slave_and_invert_rows(out, hat, jm, swr, A, axes, nphi, j0, j1):
    """Rows j0..j1-1: slaving (fit values gathered in A) and P's inverse transform."""
    if j1 <= j0:
        return
    slave_rows(hat, jm, swr, A, j0, j1)
    inverse_rows(hat[j0:j1], out[j0:j1], axes, nphi)
