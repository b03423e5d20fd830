"""Radial grid of the characteristic solver: compactified x, finite differences, banded solves.

The radial coordinate is x = r/(R + r) in [0, 1] (bondi-equations.md section 2), sampled uniformly,
x_j = j h, h = 1/Nx, j = 0..Nx; x = 0 is the vertex and x = 1 is scri+.

Operators (order 4, the default, or 6):

* ``D1``: first derivative, order+1-point stencils (centred inside, one-sided at the two ends).
* ``D2``: second derivative (unused by the solver; kept for tests).
* ``cumint``: cumulative integral F_j = F_0 + int_0^{x_j} f dx, each interval integrated exactly
  for the cubic through the 4 nearest points (local error O(h^5)).
* ``band_solve``: solves (k I + X D1) y = s with X = diag(x_j).  These are the discrete forms of the
  operators x d_x + k of vertex-and-frame-notes.md section 1; they need no boundary row (the row at
  x = 0 reads k y_0 = s_0), and are factorised once (LAPACK dgbtrf, partial pivoting) and applied
  with an allocation-free port of dgbtrs.  Cost O(Nx * Nphi * bandwidth).

Python functions build the constant operator arrays; ``@jit`` kernels apply them along axis 0 of
C-ordered (Nx+1, Nphi) arrays (phi contiguous).
"""
from __future__ import annotations

import math

import numpy as np
import scipy.linalg.lapack as _lapack

from .._jit import jit



def x_grid(nx: int) -> np.ndarray:
    """Uniform compactified grid x_j = j/nx, j = 0..nx (x = r/(R+r))."""
    if int(nx) != nx or nx < 8:
        raise ValueError(f"grid.nx = {nx}: must be an integer >= 8")
    return np.arange(nx + 1, dtype=float) / nx


def _fd_weights(offsets: np.ndarray, deriv: int) -> np.ndarray:
    """Weights w with sum_k w_k f(offsets_k) = f^(deriv)(0) exact for polynomials of degree < len."""
    n = len(offsets)
    V = np.vander(offsets.astype(float), n, increasing=True).T  # V[p, k] = o_k^p
    rhs = np.zeros(n)
    rhs[deriv] = math.factorial(deriv)
    return np.linalg.solve(V, rhs)


def fd_stencils(nx: int, deriv: int, order: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """Stencils of truncation order ``order`` (4 or 6) for d/dx (deriv=1) or d^2/dx^2 (deriv=2).

    Returns ``(start, coef)``: ``(D f)_j = sum_k coef[j, k] f[start[j] + k]``; coef has order+2
    columns (unused ones are zero).  Interior rows are centred (order+1 points); rows near the ends
    are one-sided with order+1 (D1) or order+2 (D2) points, all with truncation error O(h^order).
    """
    if order not in (4, 6):
        raise ValueError(f"order = {order}: must be 4 or 6")
    n = nx + 1
    h = 1.0 / nx
    half = order // 2
    start = np.zeros(n, dtype=np.int64)
    coef = np.zeros((n, order + 2))
    for j in range(n):
        npts = order + 1 if (deriv == 1 or half <= j <= nx - half) else order + 2
        s = min(max(j - half, 0), n - npts)
        offs = np.arange(s, s + npts) - j
        start[j] = s
        coef[j, :npts] = _fd_weights(offs, deriv) / h**deriv
    return start, coef


def bandwidths(order: int = 4) -> tuple[int, int]:
    """(KL, KU) of k I + X D1 for the D1 of :func:`fd_stencils` (row 0 is diagonal since x_0 = 0)."""
    return (4, 3) if order == 4 else (6, 5)


def dense_d1(nx: int, order: int = 4) -> np.ndarray:
    """Dense matrix of the D1 stencil (for setup and tests only)."""
    start, coef = fd_stencils(nx, 1, order)
    n = nx + 1
    M = np.zeros((n, n))
    w = coef.shape[1]
    for j in range(n):
        k = min(w, n - start[j])
        M[j, start[j]:start[j] + k] = coef[j, :k]
    return M


def band_factor(nx: int, ks: tuple[float, ...], order: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """LU factors (LAPACK band storage) of k I + X D1 for each k in ``ks``.

    Returns ``ab`` of shape (len(ks), 2*KL+KU+1, nx+1) and 0-based pivots ``piv`` (len(ks), nx+1).
    """
    KL, KU = bandwidths(order)
    n = nx + 1
    x = x_grid(nx)
    start, coef = fd_stencils(nx, 1, order)
    # the entries of X D1 straight into band storage (no dense (n, n) matrix: 0.5 GB at nx = 8192)
    rows = np.repeat(np.arange(n), coef.shape[1])
    cols = (start[:, None] + np.arange(coef.shape[1])).ravel()
    keep = cols < n
    rows, cols = rows[keep], cols[keep]
    xd = (x[:, None] * coef).ravel()[keep]
    if np.any((xd != 0) & ((cols - rows > KU) | (rows - cols > KL))):  # pragma: no cover - construction error
        raise RuntimeError("k I + X D1 is not within the assumed band")
    inband = (cols - rows <= KU) & (rows - cols <= KL)
    rows, cols, xd = rows[inband], cols[inband], xd[inband]
    diag = rows == cols
    ldab = 2 * KL + KU + 1
    abs_ = np.zeros((len(ks), ldab, n))
    pivs = np.zeros((len(ks), n), dtype=np.int64)
    for i, k in enumerate(ks):
        ab = np.zeros((ldab, n))
        ab[KL + KU, :] = k                      # k I + X D1, entry by entry as the dense sum was
        ab[KL + KU + rows - cols, cols] = np.where(diag, k + xd, 0.0 + xd)   # 0 + (-0) = +0, as before
        lu, piv, info = _lapack.dgbtrf(ab, KL, KU)
        if info != 0:  # pragma: no cover
            raise RuntimeError(f"dgbtrf failed for k = {k}: info = {info}")
        abs_[i] = lu
        pivs[i] = piv
    return abs_, pivs


def cumint_weights(nx: int, order: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """Weights of the cumulative integral of order ``order`` (4: cubic, 6: quintic interpolant).

    ``int_{x_j}^{x_{j+1}} f dx ~= sum_k w[j, k] f[start[j] + k]`` using the polynomial through
    ``order`` points centred on the interval (j-1..j+2 for order 4; shifted at the ends).
    """
    n = nx + 1
    h = 1.0 / nx
    npt = order
    start = np.zeros(n - 1, dtype=np.int64)
    w = np.zeros((n - 1, npt))
    unit: dict[int, np.ndarray] = {}   # weights in units of h by the interval's place in its stencil
    for j in range(n - 1):
        s = min(max(j - (npt // 2 - 1), 0), n - npt)
        if j - s not in unit:          # only npt - 1 distinct stencils: the interior one and the ends
            unit[j - s] = _interval_weights(np.arange(s, s + npt) - j)
        w[j] = unit[j - s] * h
        start[j] = s
    return start, w


def _interval_weights(offs: np.ndarray) -> np.ndarray:
    """int_0^1 of each Lagrange basis polynomial through the nodes ``offs`` (units of h, relative to
    the interval's left end)."""
    out = np.zeros(len(offs))
    for k in range(len(offs)):
        poly = np.poly1d([1.0])
        for o in np.delete(offs, k):
            poly = poly * np.poly1d([1.0, -o]) / (offs[k] - o)
        ip = poly.integ()
        out[k] = ip(1.0) - ip(0.0)
    return out


# ----------------------------------------------------------------------------------------------
# kernels
# ----------------------------------------------------------------------------------------------


@jit
def apply_stencil(start, coef, f, out):
    """out[j, :] = sum_k coef[j, k] f[start[j] + k, :]  (D1 or D2 along axis 0)."""
    n, m = f.shape
    nc = coef.shape[1]
    for j in range(n):
        s = start[j]
        for p in range(m):
            out[j, p] = 0.0
        for k in range(nc):
            ck = coef[j, k]
            if ck != 0.0:
                for p in range(m):
                    out[j, p] += ck * f[s + k, p]


@jit
def band_solve(ab, piv, kl, ku, b):
    """Solve (k I + X D1) y = b in place (b: (n, m), every column one right-hand side).

    Port of LAPACK dgbtrs ('N') for the factors of :func:`band_factor`.
    """
    n, m = b.shape
    kv = kl + ku
    for j in range(n - 1):
        lm = min(kl, n - 1 - j)
        l = piv[j]
        if l != j:
            for p in range(m):
                t = b[l, p]
                b[l, p] = b[j, p]
                b[j, p] = t
        for i in range(1, lm + 1):
            f = ab[kv + i, j]
            if f != 0.0:
                for p in range(m):
                    b[j + i, p] -= f * b[j, p]
    for j in range(n - 1, -1, -1):
        d = 1.0 / ab[kv, j]
        for p in range(m):
            b[j, p] *= d
        for i in range(max(0, j - kv), j):
            f = ab[kv + i - j, j]
            if f != 0.0:
                for p in range(m):
                    b[i, p] -= f * b[j, p]


@jit
def cumint(start, w, f, f0, out):
    """out[j] = f0 + int_0^{x_j} f dx (4th order); f0: (m,) value at x = 0.

    One pass per row for 4 or 6 weights (summed in registers in the same order as the general
    path, so the results are identical)."""
    n, m = f.shape
    for p in range(m):
        out[0, p] = f0[p]
    nw = w.shape[1]
    for j in range(n - 1):
        s = start[j]
        if nw == 6:
            w0, w1, w2, w3, w4, w5 = w[j, 0], w[j, 1], w[j, 2], w[j, 3], w[j, 4], w[j, 5]
            for p in range(m):
                out[j + 1, p] = (out[j, p] + w0 * f[s, p] + w1 * f[s + 1, p] + w2 * f[s + 2, p]
                                 + w3 * f[s + 3, p] + w4 * f[s + 4, p] + w5 * f[s + 5, p])
        elif nw == 4:
            w0, w1, w2, w3 = w[j, 0], w[j, 1], w[j, 2], w[j, 3]
            for p in range(m):
                out[j + 1, p] = (out[j, p] + w0 * f[s, p] + w1 * f[s + 1, p] + w2 * f[s + 2, p]
                                 + w3 * f[s + 3, p])
        else:
            for p in range(m):
                out[j + 1, p] = out[j, p]
            for k in range(nw):
                wk = w[j, k]
                for p in range(m):
                    out[j + 1, p] += wk * f[s + k, p]


# Row-range variant used by the threaded right-hand side (right_hand_side.rhs splits the rows into chunks).
# (Column-range variants of band_solve / cumint were tried: indexing a column range of the full
# array does not vectorise, 3-4x slower, and copying the block out costs as much as the solve.)


@jit
def stencil_rows_to(start, coef, f, out, j0, j1, off):
    """Rows j0..j1-1 of :func:`apply_stencil` (reads f on the whole grid), written to out[j + off].

    One pass per row: the (zero-padded) stencil of width 6 or 8 is summed in registers, in the
    order k = 0, 1, ... of :func:`apply_stencil` (its zero coefficients add exact zeros for finite
    data, so the result is bit-identical; a non-finite neighbour now propagates, which the NaN
    detector only welcomes).  Rows whose padded stencil would run past the grid, and other widths,
    take the general path."""
    n, m = f.shape
    nc = coef.shape[1]
    for j in range(j0, j1):
        s = start[j]
        o = j + off
        if nc == 8 and s + 8 <= n:
            c0, c1, c2, c3 = coef[j, 0], coef[j, 1], coef[j, 2], coef[j, 3]
            c4, c5, c6, c7 = coef[j, 4], coef[j, 5], coef[j, 6], coef[j, 7]
            for p in range(m):
                out[o, p] = (0.0 + c0 * f[s, p] + c1 * f[s + 1, p] + c2 * f[s + 2, p]
                             + c3 * f[s + 3, p] + c4 * f[s + 4, p] + c5 * f[s + 5, p]
                             + c6 * f[s + 6, p] + c7 * f[s + 7, p])
        elif nc == 6 and s + 6 <= n:
            c0, c1, c2, c3, c4, c5 = coef[j, 0], coef[j, 1], coef[j, 2], coef[j, 3], coef[j, 4], coef[j, 5]
            for p in range(m):
                out[o, p] = (0.0 + c0 * f[s, p] + c1 * f[s + 1, p] + c2 * f[s + 2, p]
                             + c3 * f[s + 3, p] + c4 * f[s + 4, p] + c5 * f[s + 5, p])
        else:
            for p in range(m):
                out[o, p] = 0.0
            for k in range(nc):
                ck = coef[j, k]
                if ck != 0.0:
                    for p in range(m):
                        out[o, p] += ck * f[s + k, p]


@jit
def stencil_rows(start, coef, f, out, j0, j1):
    """Rows j0..j1-1 of :func:`apply_stencil` into the same rows of ``out``
    (:func:`stencil_rows_to` with offset 0)."""
    # offset j0 - j0: int64 like the offsets of the other callers (a literal 0 would compile
    # stencil_rows_to a second time, for Literal[int](0))
    stencil_rows_to(start, coef, f, out, j0, j1, j0 - j0)


# Row-range / column-block variants used by the pipelined right-hand side (pipeline.rhs_pipelined): the
# radial march is split into ranges of steps so that it can follow the rows as they are produced
# (cache-resident), and the columns into ``nb`` blocks (one per thread).  The arrays are 3D views
# (n, nb, w) of the C-ordered (n, nb * w) arrays (``a.reshape(n, nb, w)``): the inner loop then runs
# over a whole last axis, which LLVM vectorises (a column range p0..p1 of the 2D array does not:
# it cannot exclude the overlap of rows j and j+1 for an unknown range length).  Each element goes
# through the same operations in the same order as in band_solve / cumint: bit-identical.


@jit
def band_fwd3(ab, piv, kl, ku, b, h, j0, j1):
    """Forward-elimination steps j = j0..j1-1 of :func:`band_solve` on column block ``h`` of the
    (n, nb, w) view ``b``.  Step j reads and writes rows j..j+KL only."""
    n = b.shape[0]
    w = b.shape[2]
    kv = kl + ku
    for j in range(j0, min(j1, n - 1)):
        lm = min(kl, n - 1 - j)
        l = piv[j]
        if l != j:
            for p in range(w):
                t = b[l, h, p]
                b[l, h, p] = b[j, h, p]
                b[j, h, p] = t
        for i in range(1, lm + 1):
            f = ab[kv + i, j]
            if f != 0.0:
                for p in range(w):
                    b[j + i, h, p] -= f * b[j, h, p]


@jit
def band_bwd3(ab, kl, ku, b, h, j0, j1):
    """Back-substitution steps j = j1-1 down to j0 of :func:`band_solve` (after all forward steps)
    on column block ``h`` of ``b`` (n, nb, w): row j is final after its step; the step also
    updates rows j-KL-KU..j-1."""
    w = b.shape[2]
    kv = kl + ku
    for j in range(j1 - 1, j0 - 1, -1):
        d = 1.0 / ab[kv, j]
        for p in range(w):
            b[j, h, p] *= d
        for i in range(max(0, j - kv), j):
            f = ab[kv + i - j, j]
            if f != 0.0:
                for p in range(w):
                    b[i, h, p] -= f * b[j, h, p]
