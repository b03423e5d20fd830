"""Method-of-lines RK4 time stepping of the characteristic system on compactified cones.

On every cone u = const (bondi-equations.md section 1.5, in the regularised variables of
vertex-and-frame-notes.md section 1):

1. b    <- (x d_x + 2) b = (pi G/R) A^2                 (C1), banded solve
2. q    <- (x d_x + 3) q = 8 pi G A (2 chi_xphi + c)     (C2), banded solve
3. U    <- U_c(phi) + int_0^x (C3)                       4th-order cumulative quadrature
4. calW <- -1 + int_0^x (C4)
5. chi_u <- (x d_x + 1/2) chi_u = S_chi / 2              (C5), banded solve
6. chi_u <- P chi_u: exponential filter in phi + per-mode regularity slaving (spectral.py)

and chi is advanced with classical RK4, dt = cfl * R * h (h = 1/Nx).  The state is chi alone
(restart needs only chi and u).  All work arrays live in a :class:`Workspace` allocated once; the
kernels do not allocate.

Accuracy: 4th order in x and u, spectral in phi (measured in tests/test_solver_*.py).

Strong fields (tests/test_solver_dealias.py): ``dealias=True`` runs the pointwise stage on a padded
phi grid (:func:`rhs_pad`, alias-free products), and :meth:`CharacteristicSolver.evolve` substeps
when the angular Courant number max|U| (Nphi/2) dt exceeds :data:`COURANT_PHI`.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np
from numba import prange
from rocket_fft import c2r, r2c

from .._jit import jit
from . import grid as _grid
from . import spectral as _spec
from .fastmath_exp import exp2x2b_rows
from .evolution import wave_flux, wave_source, wave_source_rest
from .grid import band_bwd3, band_fwd3, band_solve, cumint, stencil_rows, stencil_rows_to
from .hypersurface import h1_source, h2_source, u_slope, w_slope
from .spectral import (dphi12_rows, dphi_rows, filter_slave, forward_filter_rows, inverse_rows,
                       slave_gather, slave_modes, slave_rows, slave_top)

# indices into the real work array wk (NW, Nx+1, Nphi)
I_CHI_X, I_CHI_XX, I_CHI_P, I_CHI_PP, I_CHI_XP, I_C, I_C_P = 0, 1, 2, 3, 4, 5, 6
I_B, I_B_P, I_Q, I_Q_P, I_E2B = 7, 8, 9, 10, 11
I_U, I_U_X, I_U_P, I_U_XP, I_W, I_W_X, I_TMP = 12, 13, 14, 15, 16, 17, 18
NW = 19
D2_MODE = 2  # 1: chi_xx = D1(D1 chi) (consistent checkerboard symbol); 0: 5-point D2

#: (forward r2c, inverse c2r) transforms of shape (Nx+1, Nphi) per :func:`rhs` call, for G > 0 and
#: G = 0 (plus one row for U_c'); used by bench/ for the FFT-bound floor.  Keep in sync with rhs.
FFTS_PER_RHS = {True: (5, 6), False: (2, 3)}

#: default of CharacteristicSolver(dealias=...)
DEALIAS_DEFAULT = False

#: angular Courant number max|U| (Nphi/2) dt above which evolve splits a step into RK4 substeps
#: (the pseudo-spectral U d_phi advection is stable for RK4 up to about 2-2.5, measured)
COURANT_PHI = 1.5
MAX_SUBSTEPS = 64

FIELD_NAMES = {I_B: "b = beta/x^2", I_Q: "q = Qbar/x^3", I_U: "U", I_W: "calW"}


class SolverError(RuntimeError):
    """Raised when the evolution produces NaN/Inf (message names u, field and grid index)."""


@jit
def _chunk(i, nc, n, align):
    """Start of chunk i of nc over range(n), rounded down to a multiple of ``align``."""
    return (i * n // nc) // align * align if i < nc else n


#: chunks per threaded stage of :func:`rhs` (in the threaded kernels prange distributes them over
#: numba's threads; in the serial ones they run in turn).  A constant, not numba.get_num_threads():
#: reading the thread count in jitted code makes the function uncacheable.
NCHUNK = 2


@jit
def _nchunks(n):
    return max(1, min(NCHUNK, n))


@jit
def _half_source_rows(x, chi, wk, d1s, d1c, R, out, j0, j1):
    """Rows j0..j1-1 of out = S_chi / 2 = (d_x F + rest) / 2 in one pass (D2_MODE 2): the D1
    stencil of the flux F (in wk[I_TMP]) as :func:`grid.stencil_rows` and the rest as
    :func:`evolution.wave_source_rest`, same operations in the same order (bit-identical).
    The fields are read as wk[I_*, j, p] (one base array: the loop vectorises; with 15 separate
    arrays the run-time alias checks exceed LLVM's limit)."""
    n, m = chi.shape
    nc = d1c.shape[1]
    iR = 1.0 / R
    for j in range(j0, j1):
        s = d1s[j]
        if nc == 8 and s + 8 <= n:
            k0, k1, k2, k3 = d1c[j, 0], d1c[j, 1], d1c[j, 2], d1c[j, 3]
            k4, k5, k6, k7 = d1c[j, 4], d1c[j, 5], d1c[j, 6], d1c[j, 7]
        elif nc == 6 and s + 6 <= n:
            k0, k1, k2, k3, k4, k5 = d1c[j, 0], d1c[j, 1], d1c[j, 2], d1c[j, 3], d1c[j, 4], d1c[j, 5]
            k6 = k7 = 0.0
        else:
            # general path: flux derivative into wk[I_CHI_XX] first
            stencil_rows(d1s, d1c, wk[I_TMP], wk[I_CHI_XX], j, j + 1)
            k0 = k1 = k2 = k3 = k4 = k5 = k6 = k7 = 0.0
        general = not ((nc == 8 and s + 8 <= n) or (nc == 6 and s + 6 <= n))
        xj = x[j]
        om = 1.0 - xj
        x2 = xj * xj
        a2 = 0.25 * iR
        for p in range(m):
            if general:
                fx = wk[I_CHI_XX, j, p]
            elif nc == 8:
                fx = (0.0 + k0 * wk[I_TMP, s, p] + k1 * wk[I_TMP, s + 1, p]
                      + k2 * wk[I_TMP, s + 2, p] + k3 * wk[I_TMP, s + 3, p]
                      + k4 * wk[I_TMP, s + 4, p] + k5 * wk[I_TMP, s + 5, p]
                      + k6 * wk[I_TMP, s + 6, p] + k7 * wk[I_TMP, s + 7, p])
            else:
                fx = (0.0 + k0 * wk[I_TMP, s, p] + k1 * wk[I_TMP, s + 1, p]
                      + k2 * wk[I_TMP, s + 2, p] + k3 * wk[I_TMP, s + 3, p]
                      + k4 * wk[I_TMP, s + 4, p] + k5 * wk[I_TMP, s + 5, p])
            ch = chi[j, p]
            cx = wk[I_CHI_X, j, p]
            w = wk[I_W, j, p]
            up = wk[I_U_P, j, p]
            uu = wk[I_U, j, p]
            cp = wk[I_CHI_P, j, p]
            t2 = a2 * (2.0 * (1.0 - 2.0 * xj) * w + 2.0 * xj * om * wk[I_W_X, j, p] + xj * w) * ch
            t4 = -(2.0 * xj * up + x2 * wk[I_U_XP, j, p]) * ch + 0.5 * xj * up * ch
            t5 = (-uu * cp - xj * wk[I_U_X, j, p] * cp
                  - 2.0 * xj * uu * wk[I_CHI_XP, j, p] - xj * up * cx)
            t6 = iR * wk[I_E2B, j, p] * (2.0 * x2 * wk[I_B_P, j, p] * wk[I_C, j, p] + wk[I_C_P, j, p])
            out[j, p] = 0.5 * ((t2 + t4 + t5 + t6) + fx)


@jit
def _rhs_core_phases(chi, uc, G, R, nphi, ops, wk, hat, out):
    """The phase-by-phase form of :func:`rhs_core` (the kernel before issue #12; kept for D2_MODE
    0 and 1, and as the reference the pipelined kernel is bit-identical to, see
    tests/test_solver_driver.py): hypersurface integration on the cone of ``chi`` followed by out = chi_u (C1)-(C5), before
    the projection P (filter + slaving; :func:`rhs` = this + :func:`project_out`).

    ``ops`` = (x, d1s, d1c, d2s, d2c, ab, piv, qs, qw, km, sig, jm, sw, axes, wc, kl, ku) from
    :class:`Operators`; ``uc`` (Nphi,) is U_c(phi) at the vertex; ``hat`` (2, Nx+1, Nphi//2+1)
    complex work buffers; the hypersurface fields are left in ``wk`` (indices I_*).

    Serial as compiled here (``prange`` is ``range``); :func:`threaded_kernels` compiles the same
    code with ``parallel=True``, where the ``prange`` loops over :data:`NCHUNK` chunks run on
    numba's threads: pointwise sources, x stencils and phi transforms over chunks of
    rows x_j; the independent radial solves / quadratures of (C1)-(C4) as separate tasks.
    FFTs per call (:data:`FFTS_PER_RHS`): chi_phi and chi_phiphi share one forward transform; U_phi is the
    quadrature of U_{x phi} (U = U_c + int U_x, and d_phi commutes with the radial quadrature),
    U_c' is one row.
    """
    x, d1s, d1c, d2s, d2c, ab, piv, qs, qw, km, sig, jm, sw, axes, wc, kl, ku = ops[:17]
    n, m = chi.shape
    chi_x = wk[I_CHI_X]
    chi_xx = wk[I_CHI_XX]
    chi_p = wk[I_CHI_P]
    chi_pp = wk[I_CHI_PP]
    chi_xp = wk[I_CHI_XP]
    c = wk[I_C]
    c_p = wk[I_C_P]
    b = wk[I_B]
    b_p = wk[I_B_P]
    q = wk[I_Q]
    q_p = wk[I_Q_P]
    e2b = wk[I_E2B]
    U = wk[I_U]
    U_x = wk[I_U_X]
    U_p = wk[I_U_P]
    U_xp = wk[I_U_XP]
    W = wk[I_W]
    W_x = wk[I_W_X]
    tmp = wk[I_TMP]
    h0 = hat[0]
    h1 = hat[1]
    nr = _nchunks(n)
    gravity = G != 0.0

    # U_c'(phi) into tmp[1] (tmp[0] = U_c): one row
    for p in range(m):
        tmp[0, p] = uc[p]
    dphi_rows(tmp[0:1], tmp[1:2], h0[0:1], km, axes, nphi)

    # rows: chi_x; chi_phi, chi_phiphi from one forward transform
    for ic in prange(nr):
        j0 = _chunk(ic, nr, n, 1)
        j1 = _chunk(ic + 1, nr, n, 1)
        stencil_rows(d1s, d1c, chi, chi_x, j0, j1)
        if D2_MODE == 0:
            stencil_rows(d2s, d2c, chi, chi_xx, j0, j1)
        dphi12_rows(chi[j0:j1], chi_p[j0:j1], chi_pp[j0:j1], h0[j0:j1], h1[j0:j1], km, axes, nphi)

    # rows: chi_xphi, c = chi_phi/x, c_phi; sources of (C1), (C2) (or the G = 0 fields)
    s0 = d1s[0]
    for ic in prange(nr):
        j0 = _chunk(ic, nr, n, 1)
        j1 = _chunk(ic + 1, nr, n, 1)
        stencil_rows(d1s, d1c, chi_p, chi_xp, j0, j1)
        if D2_MODE == 1:
            stencil_rows(d1s, d1c, chi_x, chi_xx, j0, j1)
        for j in range(max(j0, 1), j1):
            ix = 1.0 / x[j]
            for p in range(m):
                c[j, p] = chi_p[j, p] * ix
                c_p[j, p] = chi_pp[j, p] * ix
        if j0 == 0:
            # at the vertex their x-derivatives (chi_phi(0) = 0)
            for p in range(m):
                c[0, p] = chi_xp[0, p]
                acc = 0.0
                for k in range(d1c.shape[1]):
                    acc += d1c[0, k] * chi_pp[s0 + k, p]
                c_p[0, p] = acc
        if gravity:
            h1_source(x[j0:j1], chi[j0:j1], chi_x[j0:j1], G, R, b[j0:j1])
            h2_source(x[j0:j1], chi[j0:j1], chi_x[j0:j1], chi_xp[j0:j1], c[j0:j1], G, q[j0:j1])
        else:
            for j in range(j0, j1):
                for p in range(m):
                    b[j, p] = 0.0
                    b_p[j, p] = 0.0
                    q[j, p] = 0.0
                    q_p[j, p] = 0.0
                    e2b[j, p] = 1.0
                    U[j, p] = uc[p]
                    U_x[j, p] = 0.0
                    U_xp[j, p] = 0.0
                    W[j, p] = wc[p]
                    W_x[j, p] = 0.0
                    U_p[j, p] = tmp[1, p]

    if gravity:
        # radial solves (x d_x + 2) b = ..., (x d_x + 3) q = ...: two independent tasks
        for t in prange(2):
            if t == 0:
                band_solve(ab[0], piv[0], kl, ku, b)
            else:
                band_solve(ab[1], piv[1], kl, ku, q)
        # rows: e^{2 beta}, b_phi, q_phi, slopes of (C3), (C4), U_xphi
        for ic in prange(nr):
            j0 = _chunk(ic, nr, n, 1)
            j1 = _chunk(ic + 1, nr, n, 1)
            exp2x2b_rows(x, b, e2b, j0, j1)
            dphi_rows(b[j0:j1], b_p[j0:j1], h0[j0:j1], km, axes, nphi)
            dphi_rows(q[j0:j1], q_p[j0:j1], h0[j0:j1], km, axes, nphi)
            u_slope(x[j0:j1], e2b[j0:j1], q[j0:j1], b_p[j0:j1], R, U_x[j0:j1])
            w_slope(x[j0:j1], e2b[j0:j1], c[j0:j1], q[j0:j1], q_p[j0:j1], G, R, W_x[j0:j1])
            dphi_rows(U_x[j0:j1], U_xp[j0:j1], h0[j0:j1], km, axes, nphi)
        # U, calW, U_phi by radial quadrature: three independent tasks
        for t in prange(3):
            if t == 0:
                cumint(qs, qw, U_x, uc, U)
            elif t == 1:
                cumint(qs, qw, W_x, wc, W)
            else:
                cumint(qs, qw, U_xp, tmp[1], U_p)

    if D2_MODE == 2:
        for ic in prange(nr):
            j0 = _chunk(ic, nr, n, 1)
            j1 = _chunk(ic + 1, nr, n, 1)
            wave_flux(x[j0:j1], chi_x[j0:j1], W[j0:j1], U_p[j0:j1], R, tmp[j0:j1])
    # rows: S_chi / 2
    for ic in prange(nr):
        j0 = _chunk(ic, nr, n, 1)
        j1 = _chunk(ic + 1, nr, n, 1)
        if D2_MODE == 2:
            _half_source_rows(x, chi, wk, d1s, d1c, R, out, j0, j1)
        else:
            wave_source(x[j0:j1], chi[j0:j1], chi_x[j0:j1], chi_xx[j0:j1], chi_p[j0:j1],
                        chi_xp[j0:j1], c[j0:j1], c_p[j0:j1], W[j0:j1], W_x[j0:j1], U[j0:j1],
                        U_x[j0:j1], U_p[j0:j1], U_xp[j0:j1], e2b[j0:j1], b_p[j0:j1], R,
                        out[j0:j1])
            for j in range(j0, j1):
                for p in range(m):
                    out[j, p] *= 0.5
    # (x d_x + 1/2) chi_u = S_chi / 2 (one full-width march: a column-chunked one does not
    # vectorise, see grid.band_solve_cols)
    band_solve(ab[2], piv[2], kl, ku, out)


# ------------------------------------------------------------------------------------------------
# pipelined right-hand side (D2_MODE 2)
# ------------------------------------------------------------------------------------------------
#
# Phase by phase (_rhs_core_phases) the right-hand side streams ~90 full-grid arrays through the
# memory per call; at 513 x 256 (1 MiB per array) its ~22 MiB of work arrays no longer stay in
# the last-level cache and the non-FFT cost per point is 60% above that at 257 x 128 (measured).
# Every phase is row-local (phi transforms, pointwise products), an x stencil (a few rows around)
# or a radial march (band solves, quadratures: sequential in x, independent per column).  So the
# kernel runs them as four sweeps over the rows, each phase following the previous one at the lag
# its stencil / march needs:
#
#   sweep 1 (x up):   chi_x, chi_phi, chi_phiphi, c_phi, source of (C1) | chi_xphi, source of
#                     (C2) | forward elimination of b, q
#   sweep 2 (x down): back substitution of b, q | e^{2 beta}, b_phi, q_phi, c, U_x, W_x, U_xphi
#                     and the last term of S_chi, T6 = e^{2 beta}(2 x^2 b_phi c + c_phi)/R
#   sweep 3 (x up):   quadratures U, calW, U_phi | chi_x (again), flux F | S_chi / 2 | forward
#                     elimination of chi_u
#   sweep 4 (x down): back substitution of chi_u | P's forward transform + filter (and inverse of
#                     the rows the slaving leaves alone); then slaving + inverse of the rest.
#
# On large grids (PIPELINE_MIN_POINTS) the sweeps go in blocks of BLOCK rows, and what a sweep
# uses only inside itself (chi_x, chi_phiphi, c, e^{2 beta}, b_phi, q_phi, U_phi, F and the
# transforms' complex buffers) lives in a ring of NSLOT blocks (rows 0..NSLOT*BLOCK of its work
# array) instead of a full-grid array: a call touches ~13 instead of ~22 arrays, a third of the
# traffic (and the work arrays sit on 2 MiB pages, see _arena).  Smaller grids run each sweep as
# one block over the full arrays ("flat": ring row = grid row): they stay in the caches anyway.
# 513 x 256, one thread: 0.85 x the time of the phase-by-phase kernel with 4 KiB pages (0.90 x
# flat), 257 x 128: 0.98 x (measured in one process, interleaved).
#
# The threaded kernels (``_PARALLEL``) run the same row-range functions in prange regions: sweeps 1,
# 2 and P's transforms over NCHUNK row chunks (one ring region per chunk), the b and q solves as
# two tasks, sweep 3 and the back substitution (no phi transforms: the columns are independent)
# over NCHUNK column blocks; the only serial parts left are a few rows of sweep 1 at the chunk
# boundary and the gathering of the slaving's fit values.  Every element goes through the same
# operations in the same order as in _rhs_core_phases, whatever the blocking: results are
# bit-identical to it, serial and threaded (rocket-fft's transform of a row does not depend on the
# other rows of the call, measured).

#: rows per block of the pipelined sweeps (each phi-transform call costs ~0.5 us of overhead, so
#: blocks should not be much smaller)
BLOCK = 64
#: blocks per scratch ring: a sweep reads rows of the current and the previous block only (the
#: stencils reach ahead + back < BLOCK rows, checked in _use_ring)
NSLOT = 2

#: grid points (Nx+1) Nphi from which the sweeps run in blocks with ring scratch (measured: below,
#: the work arrays fit in the last-level cache and the phases in turn are faster)
PIPELINE_MIN_POINTS = 96 * 1024

#: set to True in the threaded copies of the kernels (threaded_kernels): a compile-time constant
_PARALLEL = False


@jit
def _stencil_reach(d1s, nc, n):
    """(ahead, back) of the D1 stencils: max over rows j of (last row read) - j and j - (first
    row read)."""
    ahead = 0
    back = 0
    for j in range(n):
        a = min(n - 1, d1s[j] + nc - 1) - j
        if a > ahead:
            ahead = a
        if j - d1s[j] > back:
            back = j - d1s[j]
    return ahead, back


@jit
def _use_ring(n, m, d1s, nc):
    """Blocks of BLOCK rows with ring scratch (see above) for grids of at least
    :data:`PIPELINE_MIN_POINTS` points whose rings fit in the rows of a work array and whose
    stencils read no further back than the previous block; else one block per sweep (the phases
    in turn: smaller grids stay in the caches anyway and the blocks' extra calls would cost)."""
    ahead, back = _stencil_reach(d1s, nc, n)
    return n * m >= PIPELINE_MIN_POINTS and n >= NCHUNK * NSLOT * BLOCK and ahead + back < BLOCK


@jit
def _rr(r, ring, origin, base):
    """Row of the scratch holding grid row r (blocks start at ``origin``; ring region at ``base``)."""
    if not ring:
        return r
    d = r - origin
    return base + (d // BLOCK) % NSLOT * BLOCK + d % BLOCK


@jit
def _stencil_rows3_to(start, coef, f, out, j0, j1, h, ring, origin, base):
    """:func:`grid.stencil_rows_to` on column block h of (n, nb, w) views, out rows via :func:`_rr`."""
    n = f.shape[0]
    m = f.shape[2]
    nc = coef.shape[1]
    for j in range(j0, j1):
        s = start[j]
        o = _rr(j, ring, origin, base)
        if nc == 8 and s + 8 <= n:
            c0, c1, c2, c3 = coef[j, 0], coef[j, 1], coef[j, 2], coef[j, 3]
            c4, c5, c6, c7 = coef[j, 4], coef[j, 5], coef[j, 6], coef[j, 7]
            for p in range(m):
                out[o, h, p] = (0.0 + c0 * f[s, h, p] + c1 * f[s + 1, h, p] + c2 * f[s + 2, h, p]
                                + c3 * f[s + 3, h, p] + c4 * f[s + 4, h, p] + c5 * f[s + 5, h, p]
                                + c6 * f[s + 6, h, p] + c7 * f[s + 7, h, p])
        elif nc == 6 and s + 6 <= n:
            c0, c1, c2, c3, c4, c5 = coef[j, 0], coef[j, 1], coef[j, 2], coef[j, 3], coef[j, 4], coef[j, 5]
            for p in range(m):
                out[o, h, p] = (0.0 + c0 * f[s, h, p] + c1 * f[s + 1, h, p] + c2 * f[s + 2, h, p]
                                + c3 * f[s + 3, h, p] + c4 * f[s + 4, h, p] + c5 * f[s + 5, h, p])
        else:
            for p in range(m):
                out[o, h, p] = 0.0
            for k in range(nc):
                ck = coef[j, k]
                if ck != 0.0:
                    for p in range(m):
                        out[o, h, p] += ck * f[s + k, h, p]


@jit
def _stage1(x, chi, wk, hat, d1s, d1c, km, axes, nphi, G, R, j0, j1, ring, origin, base):
    """Block j0..j1-1 (starting a block of the ring): chi_x (ring), chi_phi and (ring)
    chi_phiphi from one forward transform, c_phi = chi_phiphi / x (at the vertex its x-derivative,
    if the block holds the stencil's rows), the source of (C1) into b."""
    if j1 <= j0:
        return
    m = chi.shape[1]
    o = _rr(j0, ring, origin, base)
    off = o - j0
    L = j1 - j0
    cx = wk[I_CHI_X]
    cpp = wk[I_CHI_PP]
    c_p = wk[I_C_P]
    stencil_rows_to(d1s, d1c, chi, cx, j0, j1, off)
    dphi12_rows(chi[j0:j1], wk[I_CHI_P, j0:j1], cpp[o:o + L], hat[0, o:o + L], hat[1, o:o + L],
                km, axes, nphi)
    # c_phi = chi_phiphi / x and the source of (C1) (hypersurface.h1_source), one pass per row
    k = math.pi * G / R
    for j in range(j0, j1):
        ix = 1.0 / x[j] if j > 0 else 0.0
        s = 2.0 * (1.0 - x[j])
        r = j + off
        for p in range(m):
            if j > 0:
                wk[I_C_P, j, p] = wk[I_CHI_PP, r, p] * ix
            if G != 0.0:
                a = s * wk[I_CHI_X, r, p] - chi[j, p]
                wk[I_B, j, p] = k * a * a
    nc = d1c.shape[1]
    s0 = d1s[0]
    if j0 == 0 and s0 + nc <= j1:
        _vertex_c_p(d1c, cpp, c_p, s0 + off)


@jit
def _vertex_c_p(d1c, cpp, c_p, r0):
    """c_phi at the vertex: the D1 stencil of row 0 applied to chi_phiphi (rows r0.. of cpp)."""
    m = c_p.shape[1]
    for p in range(m):
        acc = 0.0
        for k in range(d1c.shape[1]):
            acc += d1c[0, k] * cpp[r0 + k, p]
        c_p[0, p] = acc


@jit
def _stage2(x, chi, uc, wc, wk, cx, d1s, d1c, G, R, j0, j1, ring, origin, base):
    """Rows j0..j1-1: chi_xphi (D1 of chi_phi: needs chi_phi on the stencil rows), the source of
    (C2) into q (chi_x read from ``cx`` at rows _rr(j)); G = 0: the flat hypersurface fields and
    T6 (into c_phi) instead."""
    if j1 <= j0:
        return
    m = chi.shape[1]
    chi_p = wk[I_CHI_P]
    chi_xp = wk[I_CHI_XP]
    stencil_rows(d1s, d1c, chi_p, chi_xp, j0, j1)
    if G != 0.0:
        k = 8.0 * math.pi * G
        q = wk[I_Q]
        for j in range(j0, j1):
            s = 2.0 * (1.0 - x[j])
            o = _rr(j, ring, origin, base)
            if j == 0:
                for p in range(m):
                    a = s * cx[o, p] - chi[j, p]
                    q[j, p] = k * a * (2.0 * chi_xp[j, p] + chi_xp[0, p])
            else:
                ix = 1.0 / x[j]
                for p in range(m):
                    a = s * cx[o, p] - chi[j, p]
                    q[j, p] = k * a * (2.0 * chi_xp[j, p] + chi_p[j, p] * ix)
    else:
        iR = 1.0 / R
        c_p = wk[I_C_P]
        for j in range(j0, j1):
            x2 = x[j] * x[j]
            ix = 1.0 / x[j] if j > 0 else 0.0
            for p in range(m):
                wk[I_B, j, p] = 0.0
                wk[I_Q, j, p] = 0.0
                wk[I_U, j, p] = uc[p]
                wk[I_U_X, j, p] = 0.0
                wk[I_U_XP, j, p] = 0.0
                wk[I_W, j, p] = wc[p]
                wk[I_W_X, j, p] = 0.0
                c = chi_xp[0, p] if j == 0 else chi_p[j, p] * ix
                c_p[j, p] = iR * 1.0 * (2.0 * x2 * 0.0 * c + c_p[j, p])


@jit
def _stage4(x, wk, hat, km, axes, nphi, G, R, j0, j1, ring, origin, base):
    """Block j0..j1-1 (b, q final): e^{2 beta}, b_phi, q_phi (ring), then in one pass per row c,
    the slopes U_x, W_x of (C3), (C4) (the operations of hypersurface.u_slope / w_slope) and
    T6 = e^{2 beta}(2 x^2 b_phi c + c_phi)/R into c_phi, then U_xphi (three transforms in all).
    The fields are read through the one base array wk (see _half_source3)."""
    if j1 <= j0:
        return
    m = wk.shape[2]
    o = _rr(j0, ring, origin, base)
    L = j1 - j0
    b = wk[I_B, j0:j1]
    q = wk[I_Q, j0:j1]
    U_x = wk[I_U_X, j0:j1]
    hh = hat[0, o:o + L]
    exp2x2b_rows(x[j0:j1], b, wk[I_E2B, o:o + L], 0, L)
    dphi_rows(b, wk[I_B_P, o:o + L], hh, km, axes, nphi)
    dphi_rows(q, wk[I_Q_P, o:o + L], hh, km, axes, nphi)
    iR = 1.0 / R
    iR2 = 1.0 / (R * R)
    k = 8.0 * math.pi * G
    for j in range(j0, j1):
        r = o + j - j0
        xj = x[j]
        s = 1.0 - xj
        s3 = (1.0 - xj) * xj ** 3 / (2.0 * R)
        x2 = x[j] * x[j]
        ix = 1.0 / x[j] if j > 0 else 0.0
        for p in range(m):
            c = wk[I_CHI_XP, 0, p] if j == 0 else wk[I_CHI_P, j, p] * ix
            e = wk[I_E2B, r, p]
            bp = wk[I_B_P, r, p]
            qq = wk[I_Q, j, p]
            wk[I_U_X, j, p] = e * (s * qq - 2.0 * R * bp) * iR2
            wk[I_W_X, j, p] = e / R * (k * xj * c * c + xj * wk[I_Q_P, r, p] + s3 * qq * qq)
            wk[I_C_P, j, p] = iR * e * (2.0 * x2 * bp * c + wk[I_C_P, j, p])
    dphi_rows(U_x, wk[I_U_XP, j0:j1], hh, km, axes, nphi)


@jit
def _produce3(x, chi3, wk4, ucp2, uc2, wc2, d1s, d1c, qs, qw, G, R, j0, j1, h, ring, base):
    """Sweep 3, rows j0..j1-1 of column block h: chi_x again (ring; flat: kept from sweep 1), then
    per row in one pass U, calW (full) and U_phi (ring) by quadrature (G > 0; the operations of
    grid.cumint; U_phi = U_c' for G = 0) and the flux F (ring; as evolution.wave_flux)."""
    wd = chi3.shape[2]
    if ring:
        _stencil_rows3_to(d1s, d1c, chi3, wk4[I_CHI_X], j0, j1, h, ring, 0, base)
    iR = 1.0 / R
    nw = qw.shape[1]
    for r in range(j0, j1):
        o = _rr(r, ring, 0, base)
        xj = x[r]
        a = -iR * xj * (1.0 - xj) ** 2
        bb = 2.0 * xj * xj * (1.0 - xj)
        if G == 0.0 or r == 0:
            for p in range(wd):
                if G != 0.0:
                    wk4[I_U, 0, h, p] = uc2[h, p]
                    wk4[I_W, 0, h, p] = wc2[h, p]
                up = ucp2[h, p]
                wk4[I_U_P, o, h, p] = up
                wk4[I_TMP, o, h, p] = (a * wk4[I_W, r, h, p] + bb * up) * wk4[I_CHI_X, o, h, p]
            continue
        j = r - 1
        oj = _rr(j, ring, 0, base)
        s = qs[j]
        if nw == 6:
            w0, w1, w2, w3, w4, w5 = qw[j, 0], qw[j, 1], qw[j, 2], qw[j, 3], qw[j, 4], qw[j, 5]
            for p in range(wd):
                wk4[I_U, r, h, p] = (wk4[I_U, j, h, p] + w0 * wk4[I_U_X, s, h, p]
                                     + w1 * wk4[I_U_X, s + 1, h, p] + w2 * wk4[I_U_X, s + 2, h, p]
                                     + w3 * wk4[I_U_X, s + 3, h, p] + w4 * wk4[I_U_X, s + 4, h, p]
                                     + w5 * wk4[I_U_X, s + 5, h, p])
                wv = (wk4[I_W, j, h, p] + w0 * wk4[I_W_X, s, h, p] + w1 * wk4[I_W_X, s + 1, h, p]
                      + w2 * wk4[I_W_X, s + 2, h, p] + w3 * wk4[I_W_X, s + 3, h, p]
                      + w4 * wk4[I_W_X, s + 4, h, p] + w5 * wk4[I_W_X, s + 5, h, p])
                up = (wk4[I_U_P, oj, h, p] + w0 * wk4[I_U_XP, s, h, p] + w1 * wk4[I_U_XP, s + 1, h, p]
                      + w2 * wk4[I_U_XP, s + 2, h, p] + w3 * wk4[I_U_XP, s + 3, h, p]
                      + w4 * wk4[I_U_XP, s + 4, h, p] + w5 * wk4[I_U_XP, s + 5, h, p])
                wk4[I_W, r, h, p] = wv
                wk4[I_U_P, o, h, p] = up
                wk4[I_TMP, o, h, p] = (a * wv + bb * up) * wk4[I_CHI_X, o, h, p]
        elif nw == 4:
            w0, w1, w2, w3 = qw[j, 0], qw[j, 1], qw[j, 2], qw[j, 3]
            for p in range(wd):
                wk4[I_U, r, h, p] = (wk4[I_U, j, h, p] + w0 * wk4[I_U_X, s, h, p]
                                     + w1 * wk4[I_U_X, s + 1, h, p] + w2 * wk4[I_U_X, s + 2, h, p]
                                     + w3 * wk4[I_U_X, s + 3, h, p])
                wv = (wk4[I_W, j, h, p] + w0 * wk4[I_W_X, s, h, p] + w1 * wk4[I_W_X, s + 1, h, p]
                      + w2 * wk4[I_W_X, s + 2, h, p] + w3 * wk4[I_W_X, s + 3, h, p])
                up = (wk4[I_U_P, oj, h, p] + w0 * wk4[I_U_XP, s, h, p] + w1 * wk4[I_U_XP, s + 1, h, p]
                      + w2 * wk4[I_U_XP, s + 2, h, p] + w3 * wk4[I_U_XP, s + 3, h, p])
                wk4[I_W, r, h, p] = wv
                wk4[I_U_P, o, h, p] = up
                wk4[I_TMP, o, h, p] = (a * wv + bb * up) * wk4[I_CHI_X, o, h, p]
        else:
            for p in range(wd):
                wk4[I_U, r, h, p] = wk4[I_U, j, h, p]
                wk4[I_W, r, h, p] = wk4[I_W, j, h, p]
                wk4[I_U_P, o, h, p] = wk4[I_U_P, oj, h, p]
            for k in range(nw):
                wq = qw[j, k]
                for p in range(wd):
                    wk4[I_U, r, h, p] += wq * wk4[I_U_X, s + k, h, p]
                    wk4[I_W, r, h, p] += wq * wk4[I_W_X, s + k, h, p]
                    wk4[I_U_P, o, h, p] += wq * wk4[I_U_XP, s + k, h, p]
            for p in range(wd):
                wk4[I_TMP, o, h, p] = (a * wk4[I_W, r, h, p] + bb * wk4[I_U_P, o, h, p]) * wk4[I_CHI_X, o, h, p]


@jit
def _half_source3(x, chi, wk, d1s, d1c, R, out, j0, j1, h, ring, base):
    """Rows j0..j1-1 of out = S_chi / 2 = (d_x F + rest) / 2 on column block h (chi, out: (n, nb,
    w), wk: (NW, n, nb, w) views; F, chi_x, U_phi in the ring, T6 in c_phi): the D1 stencil of F as
    :func:`grid.stencil_rows` and the rest as :func:`evolution.wave_source_rest`, same operations
    in the same order.  The fields are read through the one base array wk (with separate arrays
    the run-time alias checks would exceed LLVM's limit and the loop would not vectorise)."""
    n = chi.shape[0]
    m = chi.shape[2]
    nc = d1c.shape[1]
    iR = 1.0 / R
    for j in range(j0, j1):
        s = d1s[j]
        o = _rr(j, ring, 0, base)
        full8 = nc == 8 and s + 8 <= n
        full6 = nc == 6 and s + 6 <= n
        general = not (full8 or full6)
        r0 = _rr(s, ring, 0, base)
        r1 = _rr(s + 1, ring, 0, base)
        r2 = _rr(s + 2, ring, 0, base)
        r3 = _rr(s + 3, ring, 0, base)
        r4 = _rr(s + 4, ring, 0, base)
        r5 = _rr(s + 5, ring, 0, base)
        r6 = r5
        r7 = r5
        if full8:
            r6 = _rr(s + 6, ring, 0, base)
            r7 = _rr(s + 7, ring, 0, base)
            k0, k1, k2, k3 = d1c[j, 0], d1c[j, 1], d1c[j, 2], d1c[j, 3]
            k4, k5, k6, k7 = d1c[j, 4], d1c[j, 5], d1c[j, 6], d1c[j, 7]
        elif full6:
            k0, k1, k2, k3, k4, k5 = d1c[j, 0], d1c[j, 1], d1c[j, 2], d1c[j, 3], d1c[j, 4], d1c[j, 5]
            k6 = k7 = 0.0
        else:
            # general path (rows near x = 1): the flux derivative into wk[I_CHI_XX] first
            for p in range(m):
                wk[I_CHI_XX, j, h, p] = 0.0
            for k in range(nc):
                ck = d1c[j, k]
                if ck != 0.0:
                    rk = _rr(s + k, ring, 0, base)
                    for p in range(m):
                        wk[I_CHI_XX, j, h, p] += ck * wk[I_TMP, rk, h, p]
            k0 = k1 = k2 = k3 = k4 = k5 = k6 = k7 = 0.0
        xj = x[j]
        om = 1.0 - xj
        x2 = xj * xj
        a2 = 0.25 * iR
        for p in range(m):
            if general:
                fx = wk[I_CHI_XX, j, h, p]
            elif full8:
                fx = (0.0 + k0 * wk[I_TMP, r0, h, p] + k1 * wk[I_TMP, r1, h, p]
                      + k2 * wk[I_TMP, r2, h, p] + k3 * wk[I_TMP, r3, h, p]
                      + k4 * wk[I_TMP, r4, h, p] + k5 * wk[I_TMP, r5, h, p]
                      + k6 * wk[I_TMP, r6, h, p] + k7 * wk[I_TMP, r7, h, p])
            else:
                fx = (0.0 + k0 * wk[I_TMP, r0, h, p] + k1 * wk[I_TMP, r1, h, p]
                      + k2 * wk[I_TMP, r2, h, p] + k3 * wk[I_TMP, r3, h, p]
                      + k4 * wk[I_TMP, r4, h, p] + k5 * wk[I_TMP, r5, h, p])
            ch = chi[j, h, p]
            cx = wk[I_CHI_X, o, h, p]
            w = wk[I_W, j, h, p]
            up = wk[I_U_P, o, h, p]
            uu = wk[I_U, j, h, p]
            cp = wk[I_CHI_P, j, h, p]
            t2 = a2 * (2.0 * (1.0 - 2.0 * xj) * w + 2.0 * xj * om * wk[I_W_X, j, h, p] + xj * w) * ch
            t4 = -(2.0 * xj * up + x2 * wk[I_U_XP, j, h, p]) * ch + 0.5 * xj * up * ch
            t5 = (-uu * cp - xj * wk[I_U_X, j, h, p] * cp
                  - 2.0 * xj * uu * wk[I_CHI_XP, j, h, p] - xj * up * cx)
            t6 = wk[I_C_P, j, h, p]
            out[j, h, p] = 0.5 * ((t2 + t4 + t5 + t6) + fx)


@jit
def _sweep1(x, chi, uc, wc, wk, hat, ops, G, R, nphi, j0, j1, r0, r1, eliminate, ring, base, blk):
    """Sweep 1: stage 1 on rows j0..j1-1 in blocks, stage 2 on rows r0..r1-1 (whose stencils read
    stage-1 rows in j0..j1-1 only) following at the stencil's lag; ``eliminate`` (rows 0..n-1):
    the forward elimination of b and q follows too."""
    d1s, d1c = ops[1], ops[2]
    ab, piv, kl, ku = ops[5], ops[6], ops[15], ops[16]
    km, axes = ops[9], ops[13]
    n, m = chi.shape
    ahead = _stencil_reach(d1s, d1c.shape[1], n)[0]
    b3 = wk[I_B].reshape(n, 1, m)
    q3 = wk[I_Q].reshape(n, 1, m)
    cx = wk[I_CHI_X]
    nfw = n - 1
    d1 = j0
    d2 = r0
    d3 = 0
    while True:
        if d1 < j1:
            e1 = min(j1, d1 + blk)
            _stage1(x, chi, wk, hat, d1s, d1c, km, axes, nphi, G, R, d1, e1, ring, j0, base)
            d1 = e1
        e2 = r1 if d1 == n else min(r1, max(d2, d1 - ahead))
        if e2 > d2:
            _stage2(x, chi, uc, wc, wk, cx, d1s, d1c, G, R, d2, e2, ring, j0, base)
            d2 = e2
        if eliminate:
            e3 = nfw if d2 == n else max(d3, min(nfw, d2 - kl))
            if e3 > d3:
                band_fwd3(ab[0], piv[0], kl, ku, b3, 0, d3, e3)
                band_fwd3(ab[1], piv[1], kl, ku, q3, 0, d3, e3)
                d3 = e3
            if d3 == nfw and d1 == j1 and d2 == r1:
                break
        elif d1 == j1 and d2 == r1:
            break


@jit
def _sweep2(x, wk, hat, ops, G, R, nphi, j0, j1, backsub, ring, base, blk):
    """Sweep 2: stage 4 on rows j0..j1-1 in blocks from the top; ``backsub`` (rows 0..n-1): the back
    substitution of b and q runs just ahead of it."""
    km, axes, ab, kl, ku = ops[9], ops[13], ops[5], ops[15], ops[16]
    n, m = wk.shape[1], wk.shape[2]
    b3 = wk[I_B].reshape(n, 1, m)
    q3 = wk[I_Q].reshape(n, 1, m)
    nb = (j1 - j0 + blk - 1) // blk
    for k in range(nb - 1, -1, -1):
        lo = j0 + k * blk
        top = min(j1, lo + blk)
        if backsub:
            band_bwd3(ab[0], kl, ku, b3, 0, lo, top)
            band_bwd3(ab[1], kl, ku, q3, 0, lo, top)
        _stage4(x, wk, hat, km, axes, nphi, G, R, lo, top, ring, j0, base)


@jit
def _sweep3(chi, wk, out, ops, G, R, nb, h, ring, blk):
    """Sweep 3 on column block h of nb: quadratures (G > 0), chi_x, flux, S_chi / 2 and the forward
    elimination of chi_u, each following the previous at its lag (ring region at row 0)."""
    x, d1s, d1c, ab, piv, qs, qw, kl, ku = (ops[0], ops[1], ops[2], ops[5], ops[6], ops[7], ops[8],
                                           ops[15], ops[16])
    n, m = chi.shape
    w = m // nb
    chi3 = chi.reshape(n, nb, w)
    out3 = out.reshape(n, nb, w)
    wk4 = wk.reshape(wk.shape[0], n, nb, w)
    # U_c, W_c, U_c' (rows 0, 1, 2 of wk[I_CHI_XX], set by _rhs_pipelined)
    vx = wk4[I_CHI_XX]
    uc2 = vx[0]
    wc2 = vx[1]
    ucp2 = vx[2]
    ahead = _stencil_reach(d1s, d1c.shape[1], n)[0]
    nfw = n - 1
    dc = 0
    dh = 0
    dv = 0
    while True:
        if dc < n:
            ec = min(n, dc + blk)
            _produce3(x, chi3, wk4, ucp2, uc2, wc2, d1s, d1c, qs, qw, G, R, dc, ec, h, ring, 0)
            dc = ec
        eh = n if dc == n else max(dh, dc - ahead)
        if eh > dh:
            _half_source3(x, chi3, wk4, d1s, d1c, R, out3, dh, eh, h, ring, 0)
            dh = eh
        ev = nfw if dh == n else max(dv, min(nfw, dh - kl))
        if ev > dv:
            band_fwd3(ab[2], piv[2], kl, ku, out3, h, dv, ev)
            dv = ev
        if dv == nfw and dh == n:
            break


@jit
def _proj_rows(out, hat, sig, axes, nphi, do_filter, jtop, j0, j1):
    """Rows j0..j1-1 of P's forward transform (+ filter) into hat; the inverse right away for the
    rows >= jtop (the slaving changes rows < jtop only and reads hat, which c2r leaves alone)."""
    if j1 <= j0:
        return
    forward_filter_rows(out[j0:j1], hat[j0:j1], sig, axes, do_filter)
    k0 = max(j0, jtop)
    if j1 > k0:
        inverse_rows(hat[k0:j1], out[k0:j1], axes, nphi)


@jit
def _slave_inverse_rows(out, hat, jm, swr, A, axes, nphi, j0, j1):
    """Rows j0..j1-1: slaving (fit values gathered in A) and P's inverse transform."""
    if j1 <= j0:
        return
    slave_rows(hat, jm, swr, A, j0, j1)
    inverse_rows(hat[j0:j1], out[j0:j1], axes, nphi)


@jit
def _rhs_pipelined(chi, uc, G, R, nphi, ops, wk, hat, out, project, do_filter):
    """rhs_core (and, if ``project``, the projection P) as the sweeps described above."""
    x, d1s, d1c, ab, kl, ku, km, sig, jm, axes, wc = (ops[0], ops[1], ops[2], ops[5], ops[15],
                                                      ops[16], ops[9], ops[10], ops[11], ops[13],
                                                      ops[14])
    swr = ops[17]
    n, m = chi.shape
    gravity = G != 0.0
    ring = _use_ring(n, m, d1s, d1c.shape[1])
    blk = BLOCK if ring else n
    # U_c, W_c, U_c' = d_phi U_c (one row transform) in rows 0..2 of wk[I_CHI_XX] (otherwise only
    # scratch of the last rows' flux derivative, _half_source3)
    vx = wk[I_CHI_XX]
    for p in range(m):
        vx[0, p] = uc[p]
        vx[1, p] = wc[p]
    dphi_rows(vx[0:1], vx[2:3], hat[0, 0:1], km, axes, nphi)
    jtop = slave_top(jm, n)
    A = hat[1, 0:3]
    h0 = hat[0]
    if not _PARALLEL:
        _sweep1(x, chi, uc, wc, wk, hat, ops, G, R, nphi, 0, n, 0, n, gravity, ring, 0, blk)
        if gravity:
            _sweep2(x, wk, hat, ops, G, R, nphi, 0, n, True, ring, 0, blk)
        _sweep3(chi, wk, out, ops, G, R, 1, 0, ring, blk)
        out3 = out.reshape(n, 1, m)
        nb = (n + blk - 1) // blk
        for k in range(nb - 1, -1, -1):
            lo = k * blk
            top = min(n, lo + blk)
            band_bwd3(ab[2], kl, ku, out3, 0, lo, top)
            if project:
                _proj_rows(out, h0, sig, axes, nphi, do_filter, jtop, lo, top)
        if project:
            slave_gather(h0, jm, A)
            lo = 0
            while lo < jtop:
                hi = min(jtop, lo + blk)
                _slave_inverse_rows(out, h0, jm, swr, A, axes, nphi, lo, hi)
                lo = hi
    else:
        nr = _nchunks(n)
        ahead, back = _stencil_reach(d1s, d1c.shape[1], n)
        # sweep 1 over row chunks (one ring region each); stage 2 of the rows whose stencils reach
        # into the neighbouring chunk afterwards, with chi_x computed again (into wk[I_CHI_XX])
        for ic in prange(nr):
            j0 = _chunk(ic, nr, n, 1)
            j1 = _chunk(ic + 1, nr, n, 1)
            r0 = 0 if j0 == 0 else min(j1, j0 + back)
            r1 = j1 if j1 == n else max(r0, j1 - ahead)
            if j0 == 0 and j1 < d1s[0] + d1c.shape[1]:
                r1 = 0  # the vertex's c_phi needs rows of the next chunk: row 0 waits too
            _sweep1(x, chi, uc, wc, wk, hat, ops, G, R, nphi, j0, j1, r0, r1, False, ring,
                    ic * NSLOT * BLOCK, blk)
        if _chunk(1, nr, n, 1) < d1s[0] + d1c.shape[1]:
            _vertex_c_p(d1c, wk[I_CHI_PP], wk[I_C_P], d1s[0])
        for ic in range(nr - 1):
            j1 = _chunk(ic + 1, nr, n, 1)
            r0 = max(_chunk(ic, nr, n, 1), j1 - ahead)
            if ic == 0 and j1 < d1s[0] + d1c.shape[1]:
                r0 = 0
            r1 = min(_chunk(ic + 2, nr, n, 1), j1 + back)
            if ring:
                # the chunks' chi_x rows may have left the rings: again, into wk[I_CHI_XX]
                # (rows > 2 here: n >= NCHUNK * NSLOT * BLOCK)
                stencil_rows_to(d1s, d1c, chi, vx, r0, r1, 0)
                _stage2(x, chi, uc, wc, wk, vx, d1s, d1c, G, R, r0, r1, False, 0, 0)
            else:
                _stage2(x, chi, uc, wc, wk, wk[I_CHI_X], d1s, d1c, G, R, r0, r1, False, 0, 0)
        if gravity:
            # radial solves of b and q: two tasks
            for t in prange(2):
                f3 = wk[I_B + 2 * t].reshape(n, 1, m)
                band_fwd3(ab[t], ops[6][t], kl, ku, f3, 0, 0, n - 1)
                band_bwd3(ab[t], kl, ku, f3, 0, 0, n)
            for ic in prange(nr):
                j0 = _chunk(ic, nr, n, 1)
                j1 = _chunk(ic + 1, nr, n, 1)
                _sweep2(x, wk, hat, ops, G, R, nphi, j0, j1, False, ring, ic * NSLOT * BLOCK,
                        blk)
        # sweep 3 and the back substitution over column blocks
        for h in prange(nr):
            _sweep3(chi, wk, out, ops, G, R, nr, h, ring, blk)
            band_bwd3(ab[2], kl, ku, out.reshape(n, nr, m // nr), h, 0, n)
        if project:
            for ic in prange(nr):
                j0 = _chunk(ic, nr, n, 1)
                j1 = _chunk(ic + 1, nr, n, 1)
                _proj_rows(out, h0, sig, axes, nphi, do_filter, jtop, j0, j1)
            slave_gather(h0, jm, A)
            for ic in prange(nr):
                j0 = _chunk(ic, nr, jtop, 1)
                j1 = _chunk(ic + 1, nr, jtop, 1)
                _slave_inverse_rows(out, h0, jm, swr, A, axes, nphi, j0, j1)


@jit
def rhs_core(chi, uc, G, R, nphi, ops, wk, hat, out):
    """Hypersurface integration on the cone of ``chi`` followed by out = chi_u (C1)-(C5), before
    the projection P (filter + slaving; :func:`rhs` = this + P).

    ``ops`` = (x, d1s, d1c, d2s, d2c, ab, piv, qs, qw, km, sig, jm, sw, axes, wc, kl, ku, swr)
    from :class:`Operators`; ``uc`` (Nphi,) is U_c(phi) at the vertex; ``hat`` (2, Nx+1,
    Nphi//2+1) complex work buffers; the hypersurface fields b, q, U, calW are left in ``wk``
    (I_B, I_Q, I_U, I_W; the other work arrays are scratch).
    D2_MODE 2: the pipelined sweeps (:func:`_rhs_pipelined`); else :func:`_rhs_core_phases`.
    """
    if D2_MODE == 2:
        _rhs_pipelined(chi, uc, G, R, nphi, ops, wk, hat, out, False, False)
    else:
        _rhs_core_phases(chi, uc, G, R, nphi, ops, wk, hat, out)


@jit
def project_out(out, hat, sig, jm, sw, axes, nphi, do_filter):
    """out <- P out: filter (rows), slaving (modes, serial: O(Nphi) work), inverse (rows);
    ``hat`` (n, Nphi//2+1) complex work buffer."""
    n = out.shape[0]
    nr = _nchunks(n)
    for ic in prange(nr):
        j0 = _chunk(ic, nr, n, 1)
        j1 = _chunk(ic + 1, nr, n, 1)
        forward_filter_rows(out[j0:j1], hat[j0:j1], sig, axes, do_filter)
    slave_modes(hat, jm, sw, 0, hat.shape[1])
    for ic in prange(nr):
        j0 = _chunk(ic, nr, n, 1)
        j1 = _chunk(ic + 1, nr, n, 1)
        inverse_rows(hat[j0:j1], out[j0:j1], axes, nphi)


@jit
def rhs(chi, uc, G, R, nphi, do_filter, ops, wk, hat, out):
    """out = chi_u = P S(chi): :func:`rhs_core` then the projection P (filter + slaving).

    ``ops`` = (x, d1s, d1c, d2s, d2c, ab, piv, qs, qw, km, sig, jm, sw, axes, wc, kl, ku, swr)
    from :class:`Operators`; ``uc`` (Nphi,) is U_c(phi) at the vertex; ``hat`` (2, Nx+1,
    Nphi//2+1) complex work buffers; the hypersurface fields b, q, U, calW are left in ``wk``.
    """
    if D2_MODE == 2:
        _rhs_pipelined(chi, uc, G, R, nphi, ops, wk, hat, out, True, do_filter)
    else:
        _rhs_core_phases(chi, uc, G, R, nphi, ops, wk, hat, out)
        project_out(out, hat[0], ops[10], ops[11], ops[12], ops[13], nphi, do_filter)


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
    nr = _nchunks(n)
    up = nf / nphi
    for ic in prange(nr):
        j0 = _chunk(ic, nr, n, 1)
        j1 = _chunk(ic + 1, nr, n, 1)
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
        j0 = _chunk(ic, nr, n, 1)
        j1 = _chunk(ic + 1, nr, n, 1)
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
        j0 = _chunk(ic, nr, n, 1)
        j1 = _chunk(ic + 1, nr, n, 1)
        slave_rows(h0, jm, ops[17], A, j0, min(j1, jtop))
        inverse_rows(h0[j0:j1], out[j0:j1], axes, nphi)


@jit
def _axpy(out, a, x, y):
    """out = a x + y."""
    n, m = out.shape
    for j in prange(n):
        for p in range(m):
            out[j, p] = y[j, p] + a * x[j, p]


@jit
def _rk4_update(chi, k1, k2, k3, k4, dt, flags):
    """chi += dt/6 (k1 + 2 k2 + 2 k3 + k4); returns True if anything became non-finite.

    Row chunks (threads in the threaded kernels) count their non-finite entries into
    ``flags[ic]`` (a scratch row: wk[I_TMP, 0]) -- not a prange reduction, whose per-thread
    array numba allocates at every call."""
    n, m = chi.shape
    s = dt / 6.0
    nr = _nchunks(n)
    for ic in prange(nr):
        j0 = _chunk(ic, nr, n, 1)
        j1 = _chunk(ic + 1, nr, n, 1)
        nbad = 0
        for j in range(j0, j1):
            for p in range(m):
                v = chi[j, p] + s * (k1[j, p] + 2.0 * k2[j, p] + 2.0 * k3[j, p] + k4[j, p])
                chi[j, p] = v
                if not math.isfinite(v):
                    nbad += 1
        flags[ic] = nbad
    bad = False
    for ic in range(nr):
        if flags[ic] != 0.0:
            bad = True
    return bad


@jit
def rk4_finish_pad(chi, k1, dt, uc, G, R, nphi, do_filter, ops, wk, hat, k2, k3, k4, tmp, pad):
    """:func:`rk4_finish` with the de-aliased right-hand side :func:`rhs_pad`."""
    _axpy(tmp, 0.5 * dt, k1, chi)
    rhs_pad(tmp, uc, G, R, nphi, do_filter, ops, wk, hat, k2, pad)
    _axpy(tmp, 0.5 * dt, k2, chi)
    rhs_pad(tmp, uc, G, R, nphi, do_filter, ops, wk, hat, k3, pad)
    _axpy(tmp, dt, k3, chi)
    rhs_pad(tmp, uc, G, R, nphi, do_filter, ops, wk, hat, k4, pad)
    return _rk4_update(chi, k1, k2, k3, k4, dt, wk[I_TMP, 0])


@jit
def rk4_finish(chi, k1, dt, uc, G, R, nphi, do_filter, ops, wk, hat, k2, k3, k4, tmp):
    """Given k1 = rhs(chi), do RK4 stages 2-4 and update chi in place (classical RK4)."""
    n, m = chi.shape
    h2 = 0.5 * dt
    for j in prange(n):
        for p in range(m):
            tmp[j, p] = chi[j, p] + h2 * k1[j, p]
    rhs(tmp, uc, G, R, nphi, do_filter, ops, wk, hat, k2)
    for j in prange(n):
        for p in range(m):
            tmp[j, p] = chi[j, p] + h2 * k2[j, p]
    rhs(tmp, uc, G, R, nphi, do_filter, ops, wk, hat, k3)
    for j in prange(n):
        for p in range(m):
            tmp[j, p] = chi[j, p] + dt * k3[j, p]
    rhs(tmp, uc, G, R, nphi, do_filter, ops, wk, hat, k4)
    return _rk4_update(chi, k1, k2, k3, k4, dt, wk[I_TMP, 0])


# ------------------------------------------------------------------------------------------------
# multi-step driver: K RK4 steps in one nopython call (issue #12: no per-step NRT allocations)
# ------------------------------------------------------------------------------------------------

#: rows of one scri+ sample (:func:`evolve_steps`): chi, chi_u, b = beta, U, calW, q = Qbar at x = 1
SAMPLE_NAMES = ("psi0", "news", "beta0", "U0", "calW", "Qbar")
#: default number of steps per :func:`evolve_steps` call of :meth:`CharacteristicSolver.evolve`
CHUNK_STEPS = 256
#: statuses returned by :func:`evolve_steps`
ST_OK, ST_NONFINITE, ST_BOUND = 0, 1, 2


@jit
def _scri_sample(chi, k1, wk, out):
    """out (6, Nphi) = x = 1 rows of chi, chi_u, b, U, calW, q (:data:`SAMPLE_NAMES`; at x = 1
    beta = x^2 b = b and Qbar = x^3 q = q exactly)."""
    j = chi.shape[0] - 1
    for p in range(chi.shape[1]):
        out[0, p] = chi[j, p]
        out[1, p] = k1[j, p]
        out[2, p] = wk[I_B, j, p]
        out[3, p] = wk[I_U, j, p]
        out[4, p] = wk[I_W, j, p]
        out[5, p] = wk[I_Q, j, p]


@jit
def _scri_sample_pad(chi, k1, pwk, out, nphi, axes, ghat, hrow):
    """:func:`_scri_sample` for the de-aliased solver: the hypersurface fields of the last rhs are
    on the padded grid (``pwk``); their x = 1 rows are truncated to Nphi points exactly as
    :func:`resample_phi` (CharacteristicSolver.sync_fields) does.  ``ghat`` (1, Nphi_f//2+1),
    ``hrow`` (1, Nphi//2+1) complex scratch."""
    n, m = chi.shape
    j = n - 1
    for p in range(m):
        out[0, p] = chi[j, p]
        out[1, p] = k1[j, p]
    nf = pwk.shape[2]
    kk = min(nf, nphi) // 2
    nh = nphi // 2 + 1
    sc = nphi / nf
    for r in range(4):
        idx = I_B if r == 0 else (I_U if r == 1 else (I_W if r == 2 else I_Q))
        r2c(pwk[idx, j:j + 1], ghat, axes, True, 1.0, 1)
        for k in range(nh):
            hrow[0, k] = ghat[0, k] if k < kk else 0.0
        c2r(hrow, out[2 + r:3 + r], axes, False, 1.0 / nphi, 1)
        for p in range(m):
            out[2 + r, p] = out[2 + r, p] * sc


#: per-step grid series of :func:`evolve_steps` (``scri_series``): the same numbers as numpy's
#: np.abs(a).max() of chi, beta = x^2 b, U - U_c, calW + 1 (the characteristic kind's series)
SERIES_NAMES = ("max_abs_chi", "max_abs_beta", "max_abs_U_minus_Uc", "max_abs_calW_plus_1")


@jit
def _series(chi, wk, x, uc, out):
    """out (4,) = max|chi|, max|x^2 b|, max|U - U_c|, max|calW + 1| (NaN if any is NaN)."""
    n, m = chi.shape
    r0 = r1 = r2 = r3 = 0.0
    nan = False
    for j in range(n):
        x2 = x[j] * x[j]
        for p in range(m):
            v0 = abs(chi[j, p])
            v1 = abs(x2 * wk[I_B, j, p])
            v2 = abs(wk[I_U, j, p] - uc[p])
            v3 = abs(wk[I_W, j, p] + 1.0)
            r0 = max(r0, v0)
            r1 = max(r1, v1)
            r2 = max(r2, v2)
            r3 = max(r3, v3)
            if v0 != v0 or v1 != v1 or v2 != v2 or v3 != v3:
                nan = True
    if nan:
        for i, a in enumerate((chi, wk[I_B], wk[I_U], wk[I_W])):
            for j in range(n):
                for p in range(m):
                    v = a[j, p]
                    if v != v:
                        out[i] = np.nan
        return
    out[0] = r0
    out[1] = r1
    out[2] = r2
    out[3] = r3


@jit
def _nsub(U, half, dt, climit):
    """RK4 substeps of a step dt (CharacteristicSolver.substeps): 1 unless the angular Courant
    number max|U| (Nphi/2) |dt| exceeds ``climit`` (math.inf: never)."""
    c = absmax(U) * half * abs(dt)
    if not c > climit:
        return 1
    if not c < math.inf:
        return MAX_SUBSTEPS
    return min(MAX_SUBSTEPS, math.ceil(c / climit))


@jit
def _over_bound(chi, bound):
    """True if some |chi| > bound or is not finite (``bound`` = inf: only non-finite)."""
    n, m = chi.shape
    for j in range(n):
        for p in range(m):
            if not abs(chi[j, p]) <= bound:
                return True
    return False


@jit
def evolve_steps(chi, k1, nadv, final, dt, climit, bound, samples, series, want_series, uc, G, R,
                 nphi, do_filter, ops, wk, hat, k2, k3, k4, tmp):
    """``nadv`` RK4 steps of size dt (each split into :func:`_nsub` substeps) in one call, recording
    the scri+ sample (:func:`_scri_sample`) of every step in ``samples[i]``.

    On entry k1 = rhs(chi) with its hypersurface fields in ``wk``; on a normal exit the same holds
    for the new chi.  ``final``: also record the sample of the state reached (the last step of the
    run), without advancing.  Per step i: if max|chi| > ``bound`` (or is not finite) stop with
    status ST_BOUND before recording it; record; advance; stop with ST_NONFINITE if the RK4
    update became non-finite (the workspace is left as it failed, for the diagnosis); rhs of the
    new chi.  Returns (samples recorded, status).  No allocation: the whole loop is nopython.
    """
    for i in range(nadv + 1):
        if i == nadv and not final:
            break
        if bound < math.inf:
            if _over_bound(chi, bound):
                return i, ST_BOUND
        _scri_sample(chi, k1, wk, samples[i])
        if want_series:
            _series(chi, wk, ops[0], uc, series[i])
        if i == nadv:
            break
        nsub = _nsub(wk[I_U], nphi // 2, dt, climit)
        h = dt / nsub
        bad = rk4_finish(chi, k1, h, uc, G, R, nphi, do_filter, ops, wk, hat, k2, k3, k4, tmp)
        for _ in range(nsub - 1):
            if bad:
                break
            rhs(chi, uc, G, R, nphi, do_filter, ops, wk, hat, k1)
            bad = rk4_finish(chi, k1, h, uc, G, R, nphi, do_filter, ops, wk, hat, k2, k3, k4, tmp)
        if bad:
            return i + 1, ST_NONFINITE
        rhs(chi, uc, G, R, nphi, do_filter, ops, wk, hat, k1)
    return nadv + (1 if final else 0), ST_OK


@jit
def evolve_steps_pad(chi, k1, nadv, final, dt, climit, bound, samples, series, want_series, uc, G,
                     R, nphi, do_filter, ops, wk, hat, k2, k3, k4, tmp, pad, ghat, hrow):
    """:func:`evolve_steps` with the de-aliased right-hand side (:func:`rhs_pad`); the samples'
    hypersurface rows are truncated from the padded grid (:func:`_scri_sample_pad`); no grid
    series (``series``, ``want_series`` unused: they would need the whole truncated fields)."""
    pwk = pad[2]
    axes = ops[13]
    for i in range(nadv + 1):
        if i == nadv and not final:
            break
        if bound < math.inf:
            if _over_bound(chi, bound):
                return i, ST_BOUND
        _scri_sample_pad(chi, k1, pwk, samples[i], nphi, axes, ghat, hrow)
        if i == nadv:
            break
        nsub = _nsub(pwk[I_U], nphi // 2, dt, climit)
        h = dt / nsub
        bad = rk4_finish_pad(chi, k1, h, uc, G, R, nphi, do_filter, ops, wk, hat, k2, k3, k4, tmp,
                             pad)
        for _ in range(nsub - 1):
            if bad:
                break
            rhs_pad(chi, uc, G, R, nphi, do_filter, ops, wk, hat, k1, pad)
            bad = rk4_finish_pad(chi, k1, h, uc, G, R, nphi, do_filter, ops, wk, hat, k2, k3, k4,
                                 tmp, pad)
        if bad:
            return i + 1, ST_NONFINITE
        rhs_pad(chi, uc, G, R, nphi, do_filter, ops, wk, hat, k1, pad)
    return nadv + (1 if final else 0), ST_OK


_THREADED = {}

#: kernels with ``prange`` loops, recompiled with ``parallel=True`` by :func:`threaded_kernels`
#: (callees before callers)
_PARALLEL_KERNELS = ("_rhs_core_phases", "_rhs_pipelined", "rhs_core", "project_out", "rhs", "rhs_pad",
                     "_axpy", "_rk4_update", "rk4_finish", "rk4_finish_pad", "evolve_steps",
                     "evolve_steps_pad")


#: of those, the ones without prange loops of their own (compiled without parallel=True, calling
#: the threaded callees)
_SERIAL_CALLERS = ("rhs_core", "rhs", "rk4_finish_pad", "evolve_steps", "evolve_steps_pad")


def threaded_kernels(dealias: bool = False):
    """(rhs, rk4_finish) (or, if ``dealias``, (rhs_pad, rk4_finish_pad)) compiled with
    ``parallel=True`` (same code; compiled on first use and cached on disk like the serial ones,
    under the names ``<kernel>__parallel``, so the two variants of one function do not share a
    cache entry), with ``_PARALLEL`` = True (the threaded layout of :func:`_rhs_pipelined`).  The
    prange regions make no numba runtime allocation (no prange reductions: _rk4_update counts
    into a scratch row), so neither variant allocates per call, or per step in evolve_steps."""
    if not _THREADED:
        import types

        import numba

        from .._jit import _CACHE
        g = dict(globals())
        g["_PARALLEL"] = True
        for name in _PARALLEL_KERNELS:
            fn = types.FunctionType(globals()[name].py_func.__code__, g, name)
            # distinct qualified name: numba's cache files and index are named after it (and its
            # index key does not include the parallel flag)
            fn.__qualname__ = name + "__parallel"
            f = numba.njit(parallel=name not in _SERIAL_CALLERS, cache=_CACHE)(fn)
            g[name] = f
            _THREADED[name] = f
    if dealias:
        return _THREADED["rhs_pad"], _THREADED["rk4_finish_pad"]
    return _THREADED["rhs"], _THREADED["rk4_finish"]


def driver_kernel(threaded: bool, dealias: bool = False):
    """The multi-step driver :func:`evolve_steps` (or :func:`evolve_steps_pad` if ``dealias``),
    the one calling the threaded kernels if ``threaded`` and numba runs > 1 thread."""
    name = "evolve_steps_pad" if dealias else "evolve_steps"
    if threaded:
        import numba
        if numba.get_num_threads() > 1:
            threaded_kernels(dealias)
            return _THREADED[name]
    return globals()[name]


def kernels(threaded: bool, dealias: bool = False):
    """(rhs, rk4_finish) (or (rhs_pad, rk4_finish_pad) if ``dealias``): the threaded ones if
    ``threaded`` and numba runs > 1 thread."""
    if threaded:
        import numba
        if numba.get_num_threads() > 1:
            return threaded_kernels(dealias)
    return (rhs_pad, rk4_finish_pad) if dealias else (rhs, rk4_finish)


@jit
def absmax(a):
    """max |a| of a 2D array (NaN propagates)."""
    n, m = a.shape
    r = 0.0
    for j in range(n):
        for p in range(m):
            v = abs(a[j, p])
            if not v <= r:
                r = v
    return r


@jit
def first_nonfinite(a):
    """Flat index of the first non-finite entry of a 2D array, or -1."""
    n, m = a.shape
    for j in range(n):
        for p in range(m):
            if not math.isfinite(a[j, p]):
                return j * m + p
    return -1


class Operators:
    """Constant operators of one (Nx, Nphi, R) grid (built once, in Python)."""

    def __init__(self, nx: int, nphi: int, R: float, order: int = 4, cone_mu: float = 1.0):
        if not (np.isfinite(R) and R > 0):
            raise ValueError(f"grid.R = {R}: must be a finite number > 0")
        self.nx, self.nphi, self.R = int(nx), int(nphi), float(R)
        self.x = _grid.x_grid(nx)
        self.h = 1.0 / nx
        self.phi = 2.0 * np.pi * np.arange(nphi) / nphi
        self.order = int(order)
        d1s, d1c = _grid.fd_stencils(nx, 1, order)
        d2s, d2c = _grid.fd_stencils(nx, 2, order)
        ab, piv = _grid.band_factor(nx, (2.0, 3.0, 0.5), order)
        qs, qw = _grid.cumint_weights(nx, order)
        kl, ku = _grid.bandwidths(order)
        km = _spec.wavenumbers(nphi)
        sig = _spec.filter_factors(nphi)
        jm, sw = _spec.slaving_weights(self.x, nphi, cone_mu=cone_mu)
        axes = np.array([1], dtype=np.int64)
        # calW(0) = -mu^2: a conical vertex of total angle 2 pi mu (mu = 1: regular), section 4
        self.cone_mu = float(cone_mu)
        wc = -self.cone_mu ** 2 * np.ones(nphi)
        self.jm = jm
        swr = _spec.slaving_weights_rows(sw)
        self.ops = (self.x, d1s, d1c, d2s, d2c, ab, piv, qs, qw, km, sig, jm, sw, axes, wc, kl, ku,
                    swr)


#: work arrays of at least this many bytes in all are placed in memory backed by transparent huge
#: pages where the OS offers them (Linux, madvise): the right-hand side walks ~20 arrays of
#: 1 MiB at 513 x 256, beyond the reach of the 4 KiB-page TLB; 2 MiB pages make it 6-9% faster
#: (measured).  ASYMFLAT_HUGEPAGES=0 turns this off.
HUGEPAGE_MIN_BYTES = 8 << 20


def _arena(specs):
    """Zeroed arrays of the given (shape, dtype) specs, in one anonymous mapping advised to use
    transparent huge pages when that is possible and worthwhile, else ordinary numpy arrays.
    Returns (arrays, owner) -- keep ``owner`` alive as long as the arrays."""
    import mmap
    import os
    sizes = [int(np.prod(sh)) * np.dtype(dt).itemsize for sh, dt in specs]
    align = 4096
    offs, tot = [], 0
    for sz in sizes:
        offs.append(tot)
        tot += -(-sz // align) * align
    use = (tot >= HUGEPAGE_MIN_BYTES and hasattr(mmap, "MADV_HUGEPAGE")
           and os.environ.get("ASYMFLAT_HUGEPAGES", "1").strip().lower() not in ("0", "false", "no", "off"))
    if use:
        try:
            H = 2 << 20
            mm = mmap.mmap(-1, tot + H, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
            buf = np.frombuffer(mm, dtype=np.uint8)
            start = (-buf.ctypes.data) % H
            mm.madvise(mmap.MADV_HUGEPAGE, start, tot + H - start)
            out = [buf[start + o:start + o + sz].view(dt).reshape(sh)
                   for o, sz, (sh, dt) in zip(offs, sizes, specs)]
            return out, mm
        except (OSError, ValueError):  # pragma: no cover - no madvise on this system
            pass
    return [np.zeros(sh, dtype=dt) for sh, dt in specs], None


def ws_hugepages() -> bool:
    """Whether a 513 x 256 workspace gets transparent huge pages here (reported by bench/)."""
    w = Workspace(512, 256)
    if w._owner is None:
        return False
    w.wk[...] = 0.0
    addr = w.wk.ctypes.data
    try:
        with open("/proc/self/smaps") as f:
            lines = f.read().splitlines()
    except OSError:  # pragma: no cover
        return False
    inside = False
    for line in lines:
        head = line.split(" ", 1)[0]
        if "-" in head and ":" not in head:
            lo, hi = (int(v, 16) for v in head.split("-"))
            inside = lo <= addr < hi
        elif inside and line.startswith("AnonHugePages:"):
            return int(line.split()[1]) > 0
    return False


class Workspace:
    """Preallocated arrays for :func:`rhs` and :func:`rk4_finish` (see :func:`_arena`)."""

    _NAMES = ("wk", "hat", "k", "tmp")

    def __init__(self, nx: int, nphi: int):
        n = nx + 1
        self._alloc([((NW, n, nphi), np.float64), ((2, n, nphi // 2 + 1), np.complex128),
                     ((4, n, nphi), np.float64), ((n, nphi), np.float64)])

    def _alloc(self, specs):
        arrays, self._owner = _arena(specs)
        for name, a in zip(self._NAMES, arrays):
            setattr(self, name, a)

    # pickle / deepcopy: the arrays' values (the mapping itself cannot be pickled)
    def __getstate__(self):
        return {name: np.array(getattr(self, name)) for name in self._NAMES}

    def __setstate__(self, state):
        self._alloc([(state[name].shape, state[name].dtype) for name in self._NAMES])
        for name in self._NAMES:
            getattr(self, name)[...] = state[name]


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


def vertex_shift(nphi: int, angular_velocity: float = 0.0, acceleration=(0.0, 0.0)) -> np.ndarray:
    """U_c(phi) = omega + a1 sin(phi) - a2 cos(phi) (bondi-equations.md section 4; only |m| <= 1)."""
    phi = 2.0 * np.pi * np.arange(nphi) / nphi
    a1, a2 = acceleration
    return angular_velocity + a1 * np.sin(phi) - a2 * np.cos(phi)


class CharacteristicSolver:
    """Einstein + massless scalar in Bondi gauge on compactified cones (x = r/(R+r)).

    Parameters
    ----------
    nx, nphi : radial intervals (Nx+1 points, x = 1 is scri+) and phi points (even).
    R : compactification length.
    G : Newton constant (>= 0; G = 0 is a test field on Minkowski).
    uc : (nphi,) vertex value U_c(phi) of U (constant in u); default 0 (geodesic, non-rotating).
    filter : apply the exponential phi filter to chi_u (default True).
    order : radial finite-difference / quadrature order, 6 (default; RK4 stable for cfl <= 3.6)
        or 4 (cfl <= 4.4).
    cone_mu : conical parameter mu in (0, 1] of the vertex: calW(0) = -mu^2 (a static point
        particle, total angle 2 pi mu; Theta = -mu^2 in vacuum) and vertex regularity
        chi_m ~ x^{|m|/mu}; 1 (default) is a regular vertex.  A conical vertex moves
        geodesically, so uc must then be a constant (rotation of phi only).
    dealias : evaluate the right-hand side on a padded phi grid of ``pad_factor`` x Nphi points
        (:func:`rhs_pad`) and truncate back; removes the aliasing instability of strong fields
        (cost 2.1-2.7 x per step at pad_factor 2, 1.6-2.1 x at 1.5).  Default off (weak fields do
        not need it; see tests/test_solver_dealias.py for the measured thresholds).

    Strong fields also limit the time step through the angular advection U d_phi: :meth:`evolve`
    splits a step into RK4 substeps when max|U| (Nphi/2) dt > ``courant_limit`` (default
    :data:`COURANT_PHI`; None disables it), so dt = cfl R h stays the weak-field choice.
    """

    def __init__(self, nx: int, nphi: int, R: float, G: float = 0.0, uc=None, filter: bool = True,
                 order: int = 6, dealias: bool = DEALIAS_DEFAULT, pad_factor: float = PAD_FACTOR,
                 cone_mu: float = 1.0):
        if not (np.isfinite(G) and G >= 0):
            raise ValueError(f"G = {G}: must be a finite number >= 0")
        self.op = Operators(nx, nphi, R, order, cone_mu)
        self.cone_mu = float(cone_mu)
        self.ws = Workspace(nx, nphi)
        self.G = float(G)
        self.R = float(R)
        self.nx, self.nphi = int(nx), int(nphi)
        self.filter = bool(filter)
        #: use the threaded kernels (prange over x rows / independent solves) when numba runs more
        #: than one thread (numba.set_num_threads); off by default: compiled on first use (then
        #: loaded from numba's disk cache)
        self.threaded = False
        if uc is None:
            uc = np.zeros(nphi)
        uc = np.ascontiguousarray(uc, dtype=float)
        if uc.shape != (nphi,) or not np.all(np.isfinite(uc)):
            raise ValueError(f"uc: must be a finite array of shape ({nphi},), got {uc.shape}")
        if self.cone_mu != 1.0 and np.ptp(uc) > 0:
            raise ValueError("vertex.acceleration: a conical vertex (vertex.mu < 1) moves geodesically "
                             "(bondi-equations.md section 4); only a constant U_c (rotation) is allowed")
        self.uc = uc
        self.dealias = bool(dealias)
        #: angular Courant limit of :meth:`substeps` (None: never substep)
        self.courant_limit = COURANT_PHI
        self.padws = (PadWorkspace(nx, nphi, R, order, uc, pad_factor, cone_mu) if self.dealias else None)

    def _kargs(self):
        """Trailing kernel arguments (the padded workspace if de-aliasing)."""
        return (self.padws.pad,) if self.dealias else ()

    def sync_fields(self):
        """De-aliased mode: truncate the hypersurface fields b, q, U, calW of the last rhs call
        from the padded grid into ``ws.wk`` (no-op otherwise)."""
        if self.dealias:
            idx = [I_B, I_Q, I_U, I_W]
            self.ws.wk[idx] = resample_phi(self.padws.ws.wk[idx], self.nphi)

    @property
    def x(self) -> np.ndarray:
        return self.op.x

    @property
    def phi(self) -> np.ndarray:
        return self.op.phi

    # -- building blocks ----------------------------------------------------------------------
    def project(self, chi: np.ndarray) -> np.ndarray:
        """Return P chi (filter + regularity slaving); used on initial data."""
        out = np.ascontiguousarray(chi, dtype=float).copy()
        self._check_shape(out)
        filter_slave(out, self.ws.hat[0], self.op.ops[10], self.op.ops[11], self.op.ops[12],
                     self.op.ops[13], self.nphi, self.filter)
        return out

    def rhs(self, chi: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """chi_u on the cone of ``chi``; the hypersurface fields are left in the workspace."""
        chi = np.ascontiguousarray(chi, dtype=float)
        self._check_shape(chi)
        if out is None:
            out = np.empty_like(chi)
        rhs_k = kernels(self.threaded, self.dealias)[0]
        rhs_k(chi, self.uc, self.G, self.R, self.nphi, self.filter, self.op.ops, self.ws.wk,
              self.ws.hat, out, *self._kargs())
        self.sync_fields()
        return out

    def fields(self) -> dict[str, np.ndarray]:
        """Copies of the hypersurface fields of the last :meth:`rhs` call (physical variables)."""
        wk = self.ws.wk
        x = self.x[:, None]
        return {
            "beta": x**2 * wk[I_B],
            "Qbar": x**3 * wk[I_Q],
            "U": wk[I_U].copy(),
            "calW": wk[I_W].copy(),
            "b": wk[I_B].copy(),
            "q": wk[I_Q].copy(),
        }

    def _check_shape(self, a):
        if a.shape != (self.nx + 1, self.nphi):
            raise ValueError(f"chi has shape {a.shape}, expected ({self.nx + 1}, {self.nphi})")

    # -- time loop ----------------------------------------------------------------------------
    def evolve(self, chi0: np.ndarray, u0: float, u_end: float, nsteps: int,
               on_output: Callable | None = None, output_every: int = 1,
               progress: Callable | None = None, progress_every: int = 100,
               project_initial: bool = True, start_step: int = 0,
               on_scri: Callable | None = None, scri_series: bool = False,
               chi_bound: float | None = None, chunk: int = CHUNK_STEPS,
               stepwise: bool = False) -> np.ndarray:
        """RK4 from u0 to u_end in ``nsteps`` equal steps; returns the final chi.

        ``start_step`` > 0 resumes the same (u0, u_end, nsteps) run at step ``start_step``: ``chi0``
        is then the state at u0 + start_step dt (taken as is, not projected), and dt and every u are
        bit-identical to those of the uninterrupted run (checkpoint restart).

        ``on_output(step, u, chi, chi_u, solver)`` is called at steps 0, output_every, ... and at
        the last step, with the hypersurface fields of (u, chi) in the workspace (they are the
        first RK stage, so output costs nothing extra except at the final time).
        ``progress(step, nsteps, u)`` every ``progress_every`` steps.
        Raises :class:`SolverError` naming u, field and grid index if anything becomes non-finite.

        The steps between two callbacks run inside one nopython call (:func:`evolve_steps`, at
        most ``chunk`` steps each), so a run whose callbacks are rare makes no per-step Python
        calls and no per-step allocations.  ``on_scri(step0, u, samples, series)`` receives the
        scri+ samples of every step: ``samples`` (k, 6, Nphi) are the x = 1 rows of chi, chi_u,
        beta, U, calW, Qbar (:data:`SAMPLE_NAMES`) of steps step0 .. step0+k-1 at the times ``u``
        (k,) (bit-identical to ``chi[-1]``, ``chi_u[-1]`` and ``fields()[...][-1]`` in on_output);
        ``series`` is None, or with ``scri_series`` (not with dealias) (k, 4): max|chi|,
        max|beta|, max|U - U_c|, max|calW + 1| of each step (:data:`SERIES_NAMES`, equal to
        np.abs(...).max() of chi and of fields()).  Both are views of reused buffers (copy what
        you keep).  Every sample of a step < s has been delivered before ``on_output(s, ...)`` is
        called, the sample of step s after it.
        ``chi_bound``: stop at the first step whose max|chi| exceeds it (or is not finite):
        ``on_output`` is then called for that step whatever its cadence (so it can raise its own
        error), and if it returns, :class:`SolverError` is raised.
        ``stepwise``: run the reference loop (one Python iteration and kernel calls per step, the
        implementation before issue #12; neither on_scri nor chi_bound); results are identical.
        """
        if int(nsteps) != nsteps or nsteps < 1:
            raise ValueError(f"nsteps = {nsteps}: must be an integer >= 1")
        if output_every < 1:
            raise ValueError(f"output_every = {output_every}: must be >= 1")
        if int(start_step) != start_step or not 0 <= start_step <= nsteps:
            raise ValueError(f"start_step = {start_step}: must be an integer in [0, nsteps]")
        if int(chunk) != chunk or chunk < 1:
            raise ValueError(f"chunk = {chunk}: must be an integer >= 1")
        if stepwise and (on_scri is not None or chi_bound is not None):
            raise ValueError("stepwise=True supports neither on_scri nor chi_bound")
        if scri_series and self.dealias:
            raise ValueError("scri_series: the grid series need the truncated fields; not with dealias")
        nsteps, start_step, chunk = int(nsteps), int(start_step), int(chunk)
        dt = (u_end - u0) / nsteps
        if start_step:
            project_initial = False
        chi = self.project(chi0) if project_initial else np.ascontiguousarray(chi0, float).copy()
        self._check_shape(chi)
        self._check_finite(chi, u0 + start_step * dt, "chi (initial data)")
        if stepwise:
            return self._evolve_stepwise(chi, u0, dt, nsteps, on_output, output_every, progress,
                                         progress_every, start_step)
        ws, op = self.ws, self.op
        k1, k2, k3, k4 = ws.k
        rhs_k = kernels(self.threaded, self.dealias)[0]
        drive = driver_kernel(self.threaded, self.dealias)
        ka = self._kargs()
        if self.dealias:
            nf = self.padws.nphi
            ka = ka + (np.zeros((1, nf // 2 + 1), dtype=complex),
                       np.zeros((1, self.nphi // 2 + 1), dtype=complex))
        climit = math.inf if self.courant_limit is None else float(self.courant_limit)
        bound = math.inf if chi_bound is None else float(chi_bound)
        if not bound >= 0:
            raise ValueError(f"chi_bound = {chi_bound}: must be a number >= 0")
        kmax = min(chunk, nsteps - start_step) + 1
        samples = np.zeros((kmax, 6, self.nphi))
        series = np.zeros((kmax, 4))
        want_series = bool(scri_series and on_scri is not None)
        args = (series, want_series, self.uc, self.G, self.R, self.nphi, self.filter, op.ops, ws.wk,
                ws.hat, k2, k3, k4, ws.tmp) + ka

        def deliver(step0, cnt):
            if on_scri is not None and cnt > 0:
                on_scri(step0, u0 + np.arange(step0, step0 + cnt) * dt, samples[:cnt],
                        series[:cnt] if want_series else None)

        rhs_k(chi, self.uc, self.G, self.R, self.nphi, self.filter, op.ops, ws.wk, ws.hat, k1,
              *self._kargs())
        s = start_step
        while True:
            out_here = on_output is not None and (s % output_every == 0 or s == nsteps)
            if out_here and s < nsteps:
                self.sync_fields()
                on_output(s, u0 + s * dt, chi, k1, self)
            b = min(nsteps, s + chunk)
            if on_output is not None:
                b = min(b, (s // output_every + 1) * output_every)
            if progress is not None:
                b = min(b, (s // progress_every + 1) * progress_every)
            final = b == nsteps
            cnt, status = drive(chi, k1, b - s, final, dt, climit, bound, samples, *args)
            if status == ST_NONFINITE:
                deliver(s, cnt)
                self._diagnose(u0 + (s + cnt - 1) * dt + dt)
            if status == ST_BOUND:
                t = s + cnt
                deliver(s, cnt)
                if on_output is not None and not (t == s and out_here and s < nsteps):
                    self.sync_fields()
                    on_output(t, u0 + t * dt, chi, k1, self)
                self._raise_bound(chi, bound, u0 + t * dt)
            deliver(s, b - s)
            if progress is not None and b > s and b % progress_every == 0:
                progress(b, nsteps, u0 + (b - 1) * dt + dt)
            if final:
                if on_output is not None:
                    self.sync_fields()
                    on_output(nsteps, u0 + nsteps * dt, chi, k1, self)
                if on_scri is not None:
                    on_scri(nsteps, np.array([u0 + nsteps * dt]), samples[b - s:b - s + 1],
                            series[b - s:b - s + 1] if want_series else None)
                return chi
            s = b

    def _raise_bound(self, chi, bound, u):
        a = np.abs(chi)
        i = int(np.argmax(a)) if np.all(np.isfinite(a)) else int(np.argmax(~np.isfinite(a)))
        j, k = divmod(i, self.nphi)
        raise SolverError(
            f"max |chi| = {float(np.max(a)):.3g} exceeds chi_bound = {bound:.3g} at u = {u:.6g}, "
            f"grid index (j={j}, k={k}) (x = {self.x[j]:.4g}, phi = {self.phi[k]:.4g})")

    def _evolve_stepwise(self, chi, u0, dt, nsteps, on_output, output_every, progress,
                         progress_every, start_step):
        """The per-step reference loop of :meth:`evolve` (``stepwise=True``)."""
        ws, op = self.ws, self.op
        k1, k2, k3, k4 = ws.k
        rhs_k, rk4_k = kernels(self.threaded, self.dealias)
        ka = self._kargs()
        for step in range(int(start_step), nsteps + 1):
            u = u0 + step * dt
            rhs_k(chi, self.uc, self.G, self.R, self.nphi, self.filter, op.ops, ws.wk, ws.hat, k1,
                  *ka)
            if on_output is not None and (step % output_every == 0 or step == nsteps):
                self.sync_fields()
                on_output(step, u, chi, k1, self)
            if step == nsteps:
                break
            nsub = self.substeps(dt)
            bad = rk4_k(chi, k1, dt / nsub, self.uc, self.G, self.R, self.nphi, self.filter,
                        op.ops, ws.wk, ws.hat, k2, k3, k4, ws.tmp, *ka)
            for _ in range(nsub - 1):
                if bad:
                    break
                rhs_k(chi, self.uc, self.G, self.R, self.nphi, self.filter, op.ops, ws.wk, ws.hat,
                      k1, *ka)
                bad = rk4_k(chi, k1, dt / nsub, self.uc, self.G, self.R, self.nphi, self.filter,
                            op.ops, ws.wk, ws.hat, k2, k3, k4, ws.tmp, *ka)
            if bad:
                self._diagnose(u + dt)
            if progress is not None and (step + 1) % progress_every == 0:
                progress(step + 1, nsteps, u + dt)
        return chi

    def courant_phi(self, dt: float) -> float:
        """Angular Courant number max|U| (Nphi/2) dt of the last rhs call (its hypersurface U)."""
        wk = self.padws.ws.wk if self.dealias else self.ws.wk
        return absmax(wk[I_U]) * (self.nphi // 2) * abs(dt)

    def substeps(self, dt: float) -> int:
        """RK4 substeps for a step dt from the state of the last rhs call: 1 unless the angular
        Courant number exceeds :data:`COURANT_PHI` (strong fields: |U| ~ 10), then enough that each
        substep has courant_phi <= COURANT_PHI (capped at :data:`MAX_SUBSTEPS`)."""
        if self.courant_limit is None:
            return 1
        c = self.courant_phi(dt)
        if not c > self.courant_limit:  # also for NaN: left to the non-finite detector
            return 1
        return int(min(MAX_SUBSTEPS, math.ceil(c / self.courant_limit)))

    def _check_finite(self, a, u, name):
        i = first_nonfinite(a)
        if i >= 0:
            j, k = divmod(int(i), self.nphi)
            raise SolverError(
                f"non-finite {name} at u = {u:.6g}, grid index (j={j}, k={k}) "
                f"(x = {self.x[j]:.4g}, phi = {self.phi[k]:.4g})")

    def _diagnose(self, u):
        self.sync_fields()
        wk = self.ws.wk
        for idx in (I_B, I_Q, I_U, I_W):
            self._check_finite(wk[idx], u, FIELD_NAMES[idx])
        for s, k in enumerate(self.ws.k):
            self._check_finite(k, u, f"chi_u (RK stage {s + 1})")
        self._check_finite(self.ws.tmp, u, "chi (RK stage value)")
        raise SolverError(f"non-finite chi at u = {u:.6g}")
