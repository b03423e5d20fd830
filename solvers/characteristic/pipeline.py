"""The cache-blocked, pipelined right-hand side chi_u (D2_MODE 2): four sweeps over the rows.

One engine, :func:`rhs_pipelined`, over the stages of :mod:`.pipeline_stages`: the sweeps
:func:`_sweep_sources_up` (sources of (C1), (C2), forward elimination of b, q),
:func:`_sweep_slopes_down` (back substitution of b, q; slopes (C3), (C4)), :func:`_sweep_wave_up`
(quadratures U, calW, U_phi; S_chi of (C5); forward elimination of chi_u), then
:func:`_sweep_solve_down_and_project` (back substitution of chi_u and the projection P,
:mod:`.vertex`).  Design and measurements below.
"""
from __future__ import annotations

from numba import prange

from .._jit import jit, jit_inline
from .grid import band_bwd3, band_fwd3, stencil_rows_to
from .layout import I_B, I_CHI_PP, I_CHI_X, I_CHI_XX, I_C_P, I_Q, chunk_start, nchunks
from .pipeline_stages import (_chi_derivatives_and_beta_source, _chi_xphi_and_qbar_source,
                              _half_wave_source_block, _hypersurface_slopes, _quadratures_and_flux,
                              _vertex_c_phi)
from .rings import BLOCK, NSLOT, stencil_reach, use_ring
from .spectral import dphi_rows
from .vertex import _filter_rows_invert_free, _slave_and_invert_rows, slave_gather, slave_top

# Phase by phase (phases.rhs_by_phases) the right-hand side streams ~90 full-grid arrays through the
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
# traffic (and the work arrays sit on 2 MiB pages, see workspace._arena).  Smaller grids run each
# sweep as one block over the full arrays ("flat": ring row = grid row): they stay in the caches anyway.
# 513 x 256, one thread: 0.85 x the time of the phase-by-phase kernel with 4 KiB pages (0.90 x
# flat), 257 x 128: 0.98 x (measured in one process, interleaved).
#
# The threaded kernels (``_PARALLEL``) run the same row-range functions in prange regions: sweeps 1,
# 2 and P's transforms over NCHUNK row chunks (one ring region per chunk), the b and q solves as
# two tasks, sweep 3 and the back substitution (no phi transforms: the columns are independent)
# over NCHUNK column blocks; the only serial parts left are a few rows of sweep 1 at the chunk
# boundary and the gathering of the slaving's fit values.  Every element goes through the same
# operations in the same order as in rhs_by_phases, whatever the blocking: results are
# bit-identical to it, serial and threaded (rocket-fft's transform of a row does not depend on the
# other rows of the call, measured).

#: set to True in the threaded copies of the kernels (threaded_kernels): a compile-time constant
_PARALLEL = False


@jit
def _sweep_sources_up(x, chi, uc, wc, wk, hat, ops, G, R, nphi, j0, j1, r0, r1, eliminate, ring,
                      base, blk):
    """Sweep 1 (x up): :func:`_chi_derivatives_and_beta_source` on rows j0..j1-1 in blocks,
    :func:`_chi_xphi_and_qbar_source` on rows r0..r1-1 (whose stencils read rows in j0..j1-1 only)
    following at the stencil's lag; ``eliminate`` (rows 0..n-1):
    the forward elimination of b and q follows too."""
    d1s, d1c = ops[1], ops[2]
    ab, piv, kl, ku = ops[5], ops[6], ops[15], ops[16]
    km, axes = ops[9], ops[13]
    n, m = chi.shape
    ahead = stencil_reach(d1s, d1c.shape[1], n)[0]
    b3 = wk[I_B].reshape(n, 1, m)
    q3 = wk[I_Q].reshape(n, 1, m)
    cx = wk[I_CHI_X]
    nfw = n - 1
    # the block starts d1, d2, d3 are int64 from the start: a literal 0 (or a literal j0, r0 of the
    # serial call) would be typed Literal[int](0) on numba's first typing pass and every callee
    # compiled twice, for the literal and for int64 (see solvers/_jit.py)
    d1 = j0 + 0
    d2 = r0 + 0
    d3 = n - n
    while True:
        if d1 < j1:
            e1 = min(j1, d1 + blk)
            _chi_derivatives_and_beta_source(x, chi, wk, hat, d1s, d1c, km, axes, nphi, G, R, d1, e1,
                                             ring, j0, base)
            d1 = e1
        e2 = r1 if d1 == n else min(r1, max(d2, d1 - ahead))
        if e2 > d2:
            _chi_xphi_and_qbar_source(x, chi, uc, wc, wk, cx, d1s, d1c, G, R, d2, e2, ring, j0, base)
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
def _sweep_slopes_down(x, wk, hat, ops, G, R, nphi, j0, j1, backsub, ring, base, blk):
    """Sweep 2 (x down): :func:`_hypersurface_slopes` (e^{2 beta}, slopes of (C3), (C4), U_xphi)
    on rows j0..j1-1 in blocks from the top; ``backsub`` (rows 0..n-1): the back substitution of
    b and q runs just ahead of it."""
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
        _hypersurface_slopes(x, wk, hat, km, axes, nphi, G, R, lo, top, ring, j0, base)


@jit
def _sweep_wave_up(chi, wk, out, ops, G, R, nb, h, ring, blk):
    """Sweep 3 (x up) on column block h of nb: quadratures U, calW, U_phi (G > 0), chi_x and the
    flux F (:func:`_quadratures_and_flux`), S_chi / 2 (:func:`_half_wave_source_block`) and the
    forward elimination of chi_u, each following the previous at its lag (ring region at row 0)."""
    x, d1s, d1c, ab, piv, qs, qw, kl, ku = (ops[0], ops[1], ops[2], ops[5], ops[6], ops[7], ops[8],
                                           ops[15], ops[16])
    n, m = chi.shape
    w = m // nb
    chi3 = chi.reshape(n, nb, w)
    out3 = out.reshape(n, nb, w)
    wk4 = wk.reshape(wk.shape[0], n, nb, w)
    # U_c, W_c, U_c' (rows 0, 1, 2 of wk[I_CHI_XX], set by rhs_pipelined)
    vx = wk4[I_CHI_XX]
    uc2 = vx[0]
    wc2 = vx[1]
    ucp2 = vx[2]
    ahead = stencil_reach(d1s, d1c.shape[1], n)[0]
    nfw = n - 1
    dc = n - n  # int64, not Literal[int](0) (see _sweep_sources_up)
    dh = n - n
    dv = n - n
    while True:
        if dc < n:
            ec = min(n, dc + blk)
            _quadratures_and_flux(x, chi3, wk4, ucp2, uc2, wc2, d1s, d1c, qs, qw, G, R, dc, ec, h, ring, 0)
            dc = ec
        eh = n if dc == n else max(dh, dc - ahead)
        if eh > dh:
            _half_wave_source_block(x, chi3, wk4, d1s, d1c, R, out3, dh, eh, h, ring, 0)
            dh = eh
        ev = nfw if dh == n else max(dv, min(nfw, dh - kl))
        if ev > dv:
            band_fwd3(ab[2], piv[2], kl, ku, out3, h, dv, ev)
            dv = ev
        if dv == nfw and dh == n:
            break


@jit
def _sweep_solve_down_and_project(out, ops, hat, nphi, project, do_filter, blk):
    """Sweep 4 (x down, serial): back substitution of chi_u in blocks from the top, each block
    followed (if ``project``) by P's forward transform + filter (and the inverse of the rows the
    slaving leaves alone); then the slaving and inverse of the rest (:mod:`.vertex`)."""
    ab, kl, ku, sig, jm, axes, swr = ops[5], ops[15], ops[16], ops[10], ops[11], ops[13], ops[17]
    n, m = out.shape
    jtop = slave_top(jm, n)
    A = hat[1, 0:3]
    h0 = hat[0]
    out3 = out.reshape(n, 1, m)
    nb = (n + blk - 1) // blk
    for k in range(nb - 1, -1, -1):
        lo = k * blk
        top = min(n, lo + blk)
        band_bwd3(ab[2], kl, ku, out3, 0, lo, top)
        if project:
            _filter_rows_invert_free(out, h0, sig, axes, nphi, do_filter, jtop, lo, top)
    if project:
        slave_gather(h0, jm, A)
        lo = n - n  # int64, not Literal[int](0) (see _sweep_sources_up)
        while lo < jtop:
            hi = min(jtop, lo + blk)
            _slave_and_invert_rows(out, h0, jm, swr, A, axes, nphi, lo, hi)
            lo = hi


@jit_inline
def rhs_pipelined(chi, uc, G, R, nphi, ops, wk, hat, out, project, do_filter):
    """right_hand_side.rhs_core (and, if ``project``, the projection P) as the sweeps described
    above: out = chi_u of (C5) after the hypersurface solves (C1)-(C4), fields left in ``wk``."""
    x, d1s, d1c, ab, kl, ku, km, sig, jm, axes, wc = (ops[0], ops[1], ops[2], ops[5], ops[15],
                                                      ops[16], ops[9], ops[10], ops[11], ops[13],
                                                      ops[14])
    swr = ops[17]
    n, m = chi.shape
    gravity = G != 0.0
    ring = use_ring(n, m, d1s, d1c.shape[1])
    blk = BLOCK if ring else n
    # U_c, W_c, U_c' = d_phi U_c (one row transform) in rows 0..2 of wk[I_CHI_XX] (otherwise only
    # scratch of the last rows' flux derivative, _half_wave_source_block)
    vx = wk[I_CHI_XX]
    for p in range(m):
        vx[0, p] = uc[p]
        vx[1, p] = wc[p]
    dphi_rows(vx[0:1], vx[2:3], hat[0, 0:1], km, axes, nphi)
    jtop = slave_top(jm, n)
    A = hat[1, 0:3]
    h0 = hat[0]
    # _PARALLEL first: numba prunes the branch of a constant global condition (one spelt `not
    # _PARALLEL` it does not), so each variant compiles its own layout only
    if _PARALLEL:
        z = n - n  # int64 zero for the row arguments (see _sweep_sources_up)
        nr = nchunks(n)
        ahead, back = stencil_reach(d1s, d1c.shape[1], n)
        # sweep 1 over row chunks (one ring region each); _chi_xphi_and_qbar_source of the rows whose
        # stencils reach into the neighbouring chunk afterwards, with chi_x computed again (into wk[I_CHI_XX])
        for ic in prange(nr):
            j0 = chunk_start(ic, nr, n, 1)
            j1 = chunk_start(ic + 1, nr, n, 1)
            r0 = z if j0 == 0 else min(j1, j0 + back)
            r1 = j1 if j1 == n else max(r0, j1 - ahead)
            if j0 == 0 and j1 < d1s[0] + d1c.shape[1]:
                r1 = z  # the vertex's c_phi needs rows of the next chunk: row 0 waits too
            _sweep_sources_up(x, chi, uc, wc, wk, hat, ops, G, R, nphi, j0, j1, r0, r1, False, ring,
                    ic * NSLOT * BLOCK, blk)
        if chunk_start(1, nr, n, 1) < d1s[0] + d1c.shape[1]:
            _vertex_c_phi(d1c, wk[I_CHI_PP], wk[I_C_P], d1s[0])
        for ic in range(nr - 1):
            j1 = chunk_start(ic + 1, nr, n, 1)
            r0 = max(chunk_start(ic, nr, n, 1), j1 - ahead)
            if ic == 0 and j1 < d1s[0] + d1c.shape[1]:
                r0 = z
            r1 = min(chunk_start(ic + 2, nr, n, 1), j1 + back)
            if ring:
                # the chunks' chi_x rows may have left the rings: again, into wk[I_CHI_XX]
                # (rows > 2 here: n >= NCHUNK * NSLOT * BLOCK)
                stencil_rows_to(d1s, d1c, chi, vx, r0, r1, z)
                _chi_xphi_and_qbar_source(x, chi, uc, wc, wk, vx, d1s, d1c, G, R, r0, r1, False, z, z)
            else:
                _chi_xphi_and_qbar_source(x, chi, uc, wc, wk, wk[I_CHI_X], d1s, d1c, G, R, r0, r1,
                                          False, z, z)
        if gravity:
            # radial solves of b and q: two tasks
            for t in prange(2):
                f3 = wk[I_B + 2 * t].reshape(n, 1, m)
                band_fwd3(ab[t], ops[6][t], kl, ku, f3, z, z, n - 1)
                band_bwd3(ab[t], kl, ku, f3, z, z, n)
            for ic in prange(nr):
                j0 = chunk_start(ic, nr, n, 1)
                j1 = chunk_start(ic + 1, nr, n, 1)
                _sweep_slopes_down(x, wk, hat, ops, G, R, nphi, j0, j1, False, ring, ic * NSLOT * BLOCK,
                        blk)
        # sweep 3 and the back substitution over column blocks
        for h in prange(nr):
            _sweep_wave_up(chi, wk, out, ops, G, R, nr, h, ring, blk)
            band_bwd3(ab[2], kl, ku, out.reshape(n, nr, m // nr), h, z, n)
        if project:
            for ic in prange(nr):
                j0 = chunk_start(ic, nr, n, 1)
                j1 = chunk_start(ic + 1, nr, n, 1)
                _filter_rows_invert_free(out, h0, sig, axes, nphi, do_filter, jtop, j0, j1)
            slave_gather(h0, jm, A)
            for ic in prange(nr):
                j0 = chunk_start(ic, nr, jtop, 1)
                j1 = chunk_start(ic + 1, nr, jtop, 1)
                _slave_and_invert_rows(out, h0, jm, swr, A, axes, nphi, j0, j1)
    else:
        _sweep_sources_up(x, chi, uc, wc, wk, hat, ops, G, R, nphi, 0, n, 0, n, gravity, ring, 0, blk)
        if gravity:
            _sweep_slopes_down(x, wk, hat, ops, G, R, nphi, 0, n, True, ring, 0, blk)
        _sweep_wave_up(chi, wk, out, ops, G, R, 1, 0, ring, blk)
        _sweep_solve_down_and_project(out, ops, hat, nphi, project, do_filter, blk)
