"""The right-hand side phase by phase: the plain kernel the pipelined one is checked against.

Each phase runs over the whole grid before the next (bondi-equations.md section 1.5, in the
regularised variables of vertex-and-frame-notes.md section 1): chi_x, chi_phi, chi_phiphi; c,
c_phi and the sources of (C1), (C2); the radial solves of b and q; e^{2 beta}, b_phi, q_phi, the
slopes (C3), (C4) and U_xphi; the quadratures U, calW, U_phi; the flux F and S_chi / 2 of (C5);
the radial solve of chi_u.  It is the kernel of D2_MODE 0 and 1, and the reference the pipelined
kernel (:func:`.pipeline.rhs_pipelined`) is bit-identical to (tests/test_solver_driver.py).
"""
from __future__ import annotations

from numba import prange

from .._jit import jit
from .fastmath_exp import exp2x2b_rows
from .grid import band_solve, cumint, stencil_rows
from .hypersurface import U_slope, beta_source, calW_slope, qbar_source
from .layout import (D2_MODE, I_B, I_B_P, I_C, I_CHI_P, I_CHI_PP, I_CHI_X, I_CHI_XP, I_CHI_XX,
                     I_C_P, I_E2B, I_Q, I_Q_P, I_TMP, I_U, I_U_P, I_U_X, I_U_XP, I_W, I_W_X,
                     chunk_start, nchunks)
from .spectral import dphi12_rows, dphi_rows
from .wave import half_wave_source_rows, wave_flux, wave_source

@jit
def rhs_by_phases(chi, uc, G, R, nphi, ops, wk, hat, out):
    """The phase-by-phase form of :func:`rhs_core` (the kernel before issue #12; kept for D2_MODE
    0 and 1, and as the reference the pipelined kernel is bit-identical to, see
    tests/test_solver_driver.py): hypersurface integration on the cone of ``chi`` followed by
    out = chi_u (C1)-(C5), before
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
    nr = nchunks(n)
    gravity = G != 0.0

    # U_c'(phi) into tmp[1] (tmp[0] = U_c): one row
    for p in range(m):
        tmp[0, p] = uc[p]
    dphi_rows(tmp[0:1], tmp[1:2], h0[0:1], km, axes, nphi)

    # rows: chi_x; chi_phi, chi_phiphi from one forward transform
    for ic in prange(nr):
        j0 = chunk_start(ic, nr, n, 1)
        j1 = chunk_start(ic + 1, nr, n, 1)
        stencil_rows(d1s, d1c, chi, chi_x, j0, j1)
        if D2_MODE == 0:
            stencil_rows(d2s, d2c, chi, chi_xx, j0, j1)
        dphi12_rows(chi[j0:j1], chi_p[j0:j1], chi_pp[j0:j1], h0[j0:j1], h1[j0:j1], km, axes, nphi)

    # rows: chi_xphi, c = chi_phi/x, c_phi; sources of (C1), (C2) (or the G = 0 fields)
    s0 = d1s[0]
    for ic in prange(nr):
        j0 = chunk_start(ic, nr, n, 1)
        j1 = chunk_start(ic + 1, nr, n, 1)
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
            beta_source(x[j0:j1], chi[j0:j1], chi_x[j0:j1], G, R, b[j0:j1])
            qbar_source(x[j0:j1], chi[j0:j1], chi_x[j0:j1], chi_xp[j0:j1], c[j0:j1], G, q[j0:j1])
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
            j0 = chunk_start(ic, nr, n, 1)
            j1 = chunk_start(ic + 1, nr, n, 1)
            exp2x2b_rows(x, b, e2b, j0, j1)
            dphi_rows(b[j0:j1], b_p[j0:j1], h0[j0:j1], km, axes, nphi)
            dphi_rows(q[j0:j1], q_p[j0:j1], h0[j0:j1], km, axes, nphi)
            U_slope(x[j0:j1], e2b[j0:j1], q[j0:j1], b_p[j0:j1], R, U_x[j0:j1])
            calW_slope(x[j0:j1], e2b[j0:j1], c[j0:j1], q[j0:j1], q_p[j0:j1], G, R, W_x[j0:j1])
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
            j0 = chunk_start(ic, nr, n, 1)
            j1 = chunk_start(ic + 1, nr, n, 1)
            wave_flux(x[j0:j1], chi_x[j0:j1], W[j0:j1], U_p[j0:j1], R, tmp[j0:j1])
    # rows: S_chi / 2
    for ic in prange(nr):
        j0 = chunk_start(ic, nr, n, 1)
        j1 = chunk_start(ic + 1, nr, n, 1)
        if D2_MODE == 2:
            half_wave_source_rows(x, chi, wk, d1s, d1c, R, out, j0, j1)
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
