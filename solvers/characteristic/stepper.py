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
from .grid import band_solve, cumint, stencil_rows
from .hypersurface import h1_source, h2_source, u_slope, w_slope
from .spectral import (dphi12_rows, dphi_rows, filter_slave, forward_filter_rows, inverse_rows,
                       slave_modes)

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
def rhs_core(chi, uc, G, R, nphi, ops, wk, hat, out):
    """Hypersurface integration on the cone of ``chi`` followed by out = chi_u (C1)-(C5), before
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
    x, d1s, d1c, d2s, d2c, ab, piv, qs, qw, km, sig, jm, sw, axes, wc, kl, ku = ops
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

    ``ops`` = (x, d1s, d1c, d2s, d2c, ab, piv, qs, qw, km, sig, jm, sw, axes, wc, kl, ku) from
    :class:`Operators`; ``uc`` (Nphi,) is U_c(phi) at the vertex; ``hat`` (2, Nx+1, Nphi//2+1)
    complex work buffers; the hypersurface fields are left in ``wk`` (indices I_*).
    """
    rhs_core(chi, uc, G, R, nphi, ops, wk, hat, out)
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
    slave_modes(h0, jm, sw, 0, nh)
    for ic in prange(nr):
        j0 = _chunk(ic, nr, n, 1)
        j1 = _chunk(ic + 1, nr, n, 1)
        inverse_rows(h0[j0:j1], out[j0:j1], axes, nphi)


@jit
def _axpy(out, a, x, y):
    """out = a x + y."""
    n, m = out.shape
    for j in prange(n):
        for p in range(m):
            out[j, p] = y[j, p] + a * x[j, p]


@jit
def _rk4_update(chi, k1, k2, k3, k4, dt):
    """chi += dt/6 (k1 + 2 k2 + 2 k3 + k4); returns True if anything became non-finite."""
    n, m = chi.shape
    s = dt / 6.0
    nbad = 0
    for j in prange(n):
        for p in range(m):
            v = chi[j, p] + s * (k1[j, p] + 2.0 * k2[j, p] + 2.0 * k3[j, p] + k4[j, p])
            chi[j, p] = v
            if not math.isfinite(v):
                nbad += 1
    return nbad > 0


@jit
def rk4_finish_pad(chi, k1, dt, uc, G, R, nphi, do_filter, ops, wk, hat, k2, k3, k4, tmp, pad):
    """:func:`rk4_finish` with the de-aliased right-hand side :func:`rhs_pad`."""
    _axpy(tmp, 0.5 * dt, k1, chi)
    rhs_pad(tmp, uc, G, R, nphi, do_filter, ops, wk, hat, k2, pad)
    _axpy(tmp, 0.5 * dt, k2, chi)
    rhs_pad(tmp, uc, G, R, nphi, do_filter, ops, wk, hat, k3, pad)
    _axpy(tmp, dt, k3, chi)
    rhs_pad(tmp, uc, G, R, nphi, do_filter, ops, wk, hat, k4, pad)
    return _rk4_update(chi, k1, k2, k3, k4, dt)


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
    s = dt / 6.0
    nbad = 0
    for j in prange(n):
        for p in range(m):
            v = chi[j, p] + s * (k1[j, p] + 2.0 * k2[j, p] + 2.0 * k3[j, p] + k4[j, p])
            chi[j, p] = v
            if not math.isfinite(v):
                nbad += 1
    return nbad > 0


_THREADED = {}

#: kernels with ``prange`` loops, recompiled with ``parallel=True`` by :func:`threaded_kernels`
#: (callees before callers)
_PARALLEL_KERNELS = ("rhs_core", "project_out", "rhs", "rhs_pad", "_axpy", "_rk4_update",
                     "rk4_finish", "rk4_finish_pad")


def threaded_kernels(dealias: bool = False):
    """(rhs, rk4_finish) (or, if ``dealias``, (rhs_pad, rk4_finish_pad)) compiled with
    ``parallel=True`` (same code; compiled on first use and cached on disk like the serial ones,
    under the names ``<kernel>__parallel``, so the two variants of one function do not share a
    cache entry).  Each ``prange`` region allocates numba's small schedule array, so the threaded
    kernels make a few runtime allocations per call; the serial ones make none."""
    if not _THREADED:
        import types

        import numba

        from .._jit import _CACHE
        g = dict(globals())
        for name in _PARALLEL_KERNELS:
            fn = types.FunctionType(globals()[name].py_func.__code__, g, name)
            # distinct qualified name: numba's cache files and index are named after it (and its
            # index key does not include the parallel flag)
            fn.__qualname__ = name + "__parallel"
            f = numba.njit(parallel=True, cache=_CACHE)(fn)
            g[name] = f
            _THREADED[name] = f
    if dealias:
        return _THREADED["rhs_pad"], _THREADED["rk4_finish_pad"]
    return _THREADED["rhs"], _THREADED["rk4_finish"]


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
        self.ops = (self.x, d1s, d1c, d2s, d2c, ab, piv, qs, qw, km, sig, jm, sw, axes, wc, kl, ku)


class Workspace:
    """Preallocated arrays for :func:`rhs` and :func:`rk4_finish`."""

    def __init__(self, nx: int, nphi: int):
        n = nx + 1
        self.wk = np.zeros((NW, n, nphi))
        self.hat = np.zeros((2, n, nphi // 2 + 1), dtype=complex)
        self.k = np.zeros((4, n, nphi))
        self.tmp = np.zeros((n, nphi))


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
               project_initial: bool = True, start_step: int = 0) -> np.ndarray:
        """RK4 from u0 to u_end in ``nsteps`` equal steps; returns the final chi.

        ``start_step`` > 0 resumes the same (u0, u_end, nsteps) run at step ``start_step``: ``chi0``
        is then the state at u0 + start_step dt (taken as is, not projected), and dt and every u are
        bit-identical to those of the uninterrupted run (checkpoint restart).

        ``on_output(step, u, chi, chi_u, solver)`` is called at steps 0, output_every, ... and at
        the last step, with the hypersurface fields of (u, chi) in the workspace (they are the
        first RK stage, so output costs nothing extra except at the final time).
        ``progress(step, nsteps, u)`` every ``progress_every`` steps.
        Raises :class:`SolverError` naming u, field and grid index if anything becomes non-finite.
        """
        if int(nsteps) != nsteps or nsteps < 1:
            raise ValueError(f"nsteps = {nsteps}: must be an integer >= 1")
        if output_every < 1:
            raise ValueError(f"output_every = {output_every}: must be >= 1")
        if int(start_step) != start_step or not 0 <= start_step <= nsteps:
            raise ValueError(f"start_step = {start_step}: must be an integer in [0, nsteps]")
        dt = (u_end - u0) / nsteps
        if start_step:
            project_initial = False
        chi = self.project(chi0) if project_initial else np.ascontiguousarray(chi0, float).copy()
        self._check_shape(chi)
        self._check_finite(chi, u0 + start_step * dt, "chi (initial data)")
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
