"""The stages of the cache-blocked right-hand side (:mod:`.pipeline`), named by what they compute.

Each stage works on a block of rows (and, in sweep 3, a column block); the fields a sweep uses only
inside itself are read and written through :func:`.rings.ring_row`.  Every element goes through
the operations of the phase-by-phase kernel (:func:`.phases.rhs_by_phases`) in the same order.  Each stage has one caller (its sweep) and is
:data:`solvers._jit.jit_inline`: inlined into the sweep's numba IR instead of compiled on its own
(cold compile; see solvers/_jit.py).

* :func:`_chi_derivatives_and_beta_source`: chi_x, chi_phi, chi_phiphi, c_phi, source of (C1)
* :func:`_chi_xphi_and_qbar_source`: chi_xphi and the source of (C2) (G = 0: the flat fields)
* :func:`_hypersurface_slopes`: e^{2 beta}, b_phi, q_phi, slopes U_x (C3), calW_x (C4), U_xphi and
  T6 of S_chi
* :func:`_quadratures_and_flux`: U, calW, U_phi by radial quadrature and the flux F of (C5)
* :func:`_half_wave_source_block`: S_chi / 2 = (d_x F + rest) / 2 of (C5)
"""
from __future__ import annotations

import math

from .._jit import jit, jit_inline
from .fastmath_exp import exp2x2b_rows
from .grid import stencil_rows, stencil_rows_to
from .layout import (I_B, I_B_P, I_CHI_P, I_CHI_PP, I_CHI_X, I_CHI_XP, I_CHI_XX, I_C_P, I_E2B, I_Q,
                     I_Q_P, I_TMP, I_U, I_U_P, I_U_X, I_U_XP, I_W, I_W_X)
from .rings import ring_row, stencil_rows_ring
from .spectral import dphi12_rows, dphi_rows

@jit_inline
def _chi_derivatives_and_beta_source(x, chi, wk, hat, d1s, d1c, km, axes, nphi, G, R, j0, j1, ring,
                                     origin, base):
    """Block j0..j1-1 (starting a block of the ring): chi_x (ring), chi_phi and (ring)
    chi_phiphi from one forward transform, c_phi = chi_phiphi / x (at the vertex its x-derivative,
    if the block holds the stencil's rows), the source of (C1) into b."""
    if j1 <= j0:
        return
    m = chi.shape[1]
    o = ring_row(j0, ring, origin, base)
    off = o - j0
    L = j1 - j0
    cx = wk[I_CHI_X]
    cpp = wk[I_CHI_PP]
    c_p = wk[I_C_P]
    stencil_rows_to(d1s, d1c, chi, cx, j0, j1, off)
    dphi12_rows(chi[j0:j1], wk[I_CHI_P, j0:j1], cpp[o:o + L], hat[0, o:o + L], hat[1, o:o + L],
                km, axes, nphi)
    # c_phi = chi_phiphi / x and the source of (C1) (hypersurface.beta_source), one pass per row
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
        _vertex_c_phi(d1c, cpp, c_p, s0 + off)


@jit
def _vertex_c_phi(d1c, cpp, c_p, r0):
    """c_phi at the vertex: the D1 stencil of row 0 applied to chi_phiphi (rows r0.. of cpp)."""
    m = c_p.shape[1]
    for p in range(m):
        acc = 0.0
        for k in range(d1c.shape[1]):
            acc += d1c[0, k] * cpp[r0 + k, p]
        c_p[0, p] = acc


@jit_inline
def _chi_xphi_and_qbar_source(x, chi, uc, wc, wk, cx, d1s, d1c, G, R, j0, j1, ring, origin, base):
    """Rows j0..j1-1: chi_xphi (D1 of chi_phi: needs chi_phi on the stencil rows), the source of
    (C2) into q (chi_x read from ``cx`` at rows ring_row(j)); G = 0: the flat hypersurface fields and
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
            o = ring_row(j, ring, origin, base)
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


@jit_inline
def _hypersurface_slopes(x, wk, hat, km, axes, nphi, G, R, j0, j1, ring, origin, base):
    """Block j0..j1-1 (b, q final): e^{2 beta}, b_phi, q_phi (ring), then in one pass per row c,
    the slopes U_x, W_x of (C3), (C4) (the operations of hypersurface.U_slope / calW_slope) and
    T6 = e^{2 beta}(2 x^2 b_phi c + c_phi)/R into c_phi, then U_xphi (three transforms in all).
    The fields are read through the one base array wk (see _half_wave_source_block)."""
    if j1 <= j0:
        return
    m = wk.shape[2]
    o = ring_row(j0, ring, origin, base)
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


@jit_inline
def _quadratures_and_flux(x, chi3, wk4, ucp2, uc2, wc2, d1s, d1c, qs, qw, G, R, j0, j1, h, ring,
                          base):
    """Sweep 3, rows j0..j1-1 of column block h: chi_x again (ring; flat: kept from sweep 1), then
    per row in one pass U, calW (full) and U_phi (ring) by quadrature (G > 0; the operations of
    grid.cumint; U_phi = U_c' for G = 0) and the flux F (ring; as wave.wave_flux).

    The quadrature has 4 or 6 weights per interval (``qw``: radial order 4 or 6, the only orders
    :class:`.operators.Operators` builds, grid.fd_stencils refusing others)."""
    wd = chi3.shape[2]
    if ring:
        stencil_rows_ring(d1s, d1c, chi3, wk4[I_CHI_X], j0, j1, h, ring, 0, base)
    iR = 1.0 / R
    nw = qw.shape[1]
    for r in range(j0, j1):
        o = ring_row(r, ring, 0, base)
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
        oj = ring_row(j, ring, 0, base)
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
        else:  # nw == 4
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


@jit_inline
def _half_wave_source_block(x, chi, wk, d1s, d1c, R, out, j0, j1, h, ring, base):
    """Rows j0..j1-1 of out = S_chi / 2 = (d_x F + rest) / 2 on column block h (chi, out: (n, nb,
    w), wk: (NW, n, nb, w) views; F, chi_x, U_phi in the ring, T6 in c_phi): the D1 stencil of F as
    :func:`grid.stencil_rows` and the rest as :func:`wave.wave_source_rest`, same operations
    in the same order.  The fields are read through the one base array wk (with separate arrays
    the run-time alias checks would exceed LLVM's limit and the loop would not vectorise)."""
    n = chi.shape[0]
    m = chi.shape[2]
    nc = d1c.shape[1]
    iR = 1.0 / R
    for j in range(j0, j1):
        s = d1s[j]
        o = ring_row(j, ring, 0, base)
        full8 = nc == 8 and s + 8 <= n
        full6 = nc == 6 and s + 6 <= n
        general = not (full8 or full6)
        r0 = ring_row(s, ring, 0, base)
        r1 = ring_row(s + 1, ring, 0, base)
        r2 = ring_row(s + 2, ring, 0, base)
        r3 = ring_row(s + 3, ring, 0, base)
        r4 = ring_row(s + 4, ring, 0, base)
        r5 = ring_row(s + 5, ring, 0, base)
        r6 = r5
        r7 = r5
        if full8:
            r6 = ring_row(s + 6, ring, 0, base)
            r7 = ring_row(s + 7, ring, 0, base)
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
                    rk = ring_row(s + k, ring, 0, base)
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
