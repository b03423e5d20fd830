"""The scalar wave equation on a cone: source S_chi of (C5) in expanded, pointwise form.

bondi-equations.md (C5):  (2 x d_x + 1) chi_u = S_chi  with

    S_chi = -(1/R) d_x[x(1-x)^2 W chi_x] + (1/4R)[2 d_x(x(1-x) W) + x W] chi
            + 2 d_x[x^2 (1-x) U_phi chi_x] - d_x(x^2 U_phi) chi + (x/2) U_phi chi
            - d_x(x U chi_phi) - d_phi(x U chi_x) + (1/(R x)) d_phi(e^{2 beta} chi_phi)

(W = calW).  Expanded with the product rule, and with the last term written through
c = chi_phi/x, beta_phi = x^2 b_phi (vertex-and-frame-notes.md section 1):

    T1 = -(1/R)[(1-x)(1-3x) W chi_x + x(1-x)^2 W_x chi_x + x(1-x)^2 W chi_xx]
    T2 = (1/4R)[2(1-2x) W + 2x(1-x) W_x + x W] chi
    T3 = 2[(2x - 3x^2) U_phi chi_x + x^2(1-x) U_{x phi} chi_x + x^2(1-x) U_phi chi_xx]
    T4 = -(2x U_phi + x^2 U_{x phi}) chi + (x/2) U_phi chi
    T5 = -U chi_phi - x U_x chi_phi - 2x U chi_{x phi} - x U_phi chi_x
    T6 = (1/R) e^{2 beta} [2 x^2 b_phi c + c_phi]

W_x and U_x are the hypersurface right-hand sides (C3), (C4), not differences.
The left side (2x d_x + 1) chi_u, i.e. (x d_x + 1/2) chi_u = S/2, is solved by the banded LU of
:mod:`.grid` (no boundary row; sqrt(x) chi_u -> 0 at the vertex is built in).

:func:`half_wave_source_rows` is S_chi / 2 = (d_x F + rest) / 2 in one pass over the work array
(the phase-by-phase right-hand side, D2_MODE 2).
"""
from __future__ import annotations

from .._jit import jit
from .grid import stencil_rows
from .layout import (I_B_P, I_C, I_C_P, I_CHI_P, I_CHI_X, I_CHI_XP, I_CHI_XX, I_E2B, I_TMP, I_U,
                     I_U_P, I_U_X, I_U_XP, I_W, I_W_X)


@jit
def wave_source(x, chi, chi_x, chi_xx, chi_p, chi_xp, c, c_p, W, W_x, U, U_x, U_p, U_xp,
                e2b, b_p, R, out):
    """out = S_chi of (C5), pointwise from the given fields and derivatives (see module doc)."""
    n, m = chi.shape
    iR = 1.0 / R
    for j in range(n):
        xj = x[j]
        om = 1.0 - xj
        a1 = om * (1.0 - 3.0 * xj)
        a2 = xj * om * om
        a3 = 2.0 * xj - 3.0 * xj * xj
        a4 = xj * xj * om
        x2 = xj * xj
        for p in range(m):
            ch = chi[j, p]
            cx = chi_x[j, p]
            cxx = chi_xx[j, p]
            w = W[j, p]
            wx = W_x[j, p]
            up = U_p[j, p]
            uxp = U_xp[j, p]
            uu = U[j, p]
            t1 = -iR * (a1 * w * cx + a2 * wx * cx + a2 * w * cxx)
            t2 = 0.25 * iR * (2.0 * (1.0 - 2.0 * xj) * w + 2.0 * xj * om * wx + xj * w) * ch
            t3 = 2.0 * (a3 * up * cx + a4 * uxp * cx + a4 * up * cxx)
            t4 = -(2.0 * xj * up + x2 * uxp) * ch + 0.5 * xj * up * ch
            t5 = (-uu * chi_p[j, p] - xj * U_x[j, p] * chi_p[j, p]
                  - 2.0 * xj * uu * chi_xp[j, p] - xj * up * cx)
            t6 = iR * e2b[j, p] * (2.0 * x2 * b_p[j, p] * c[j, p] + c_p[j, p])
            out[j, p] = t1 + t2 + t3 + t4 + t5 + t6


@jit
def wave_flux(x, chi_x, W, U_p, R, out):
    """out = F = -(1/R) x (1-x)^2 W chi_x + 2 x^2 (1-x) U_phi chi_x  (the flux of (C5)).

    The second-derivative terms of S_chi are d_x F; the solver applies the D1 stencil to F
    (conservative form; its Nyquist symbol is consistent with the D1 of the left side).
    """
    n, m = chi_x.shape
    iR = 1.0 / R
    for j in range(n):
        xj = x[j]
        a = -iR * xj * (1.0 - xj) ** 2
        bb = 2.0 * xj * xj * (1.0 - xj)
        for p in range(m):
            out[j, p] = (a * W[j, p] + bb * U_p[j, p]) * chi_x[j, p]


@jit
def wave_source_rest(x, chi, chi_x, chi_p, chi_xp, c, c_p, W, W_x, U, U_x, U_p, U_xp,
                     e2b, b_p, R, out):
    """out = S_chi - d_x F: the terms of (C5) without second radial derivatives (T2, T4-T6)."""
    n, m = chi.shape
    iR = 1.0 / R
    for j in range(n):
        xj = x[j]
        om = 1.0 - xj
        x2 = xj * xj
        for p in range(m):
            ch = chi[j, p]
            cx = chi_x[j, p]
            w = W[j, p]
            up = U_p[j, p]
            uu = U[j, p]
            t2 = 0.25 * iR * (2.0 * (1.0 - 2.0 * xj) * w + 2.0 * xj * om * W_x[j, p] + xj * w) * ch
            t4 = -(2.0 * xj * up + x2 * U_xp[j, p]) * ch + 0.5 * xj * up * ch
            t5 = (-uu * chi_p[j, p] - xj * U_x[j, p] * chi_p[j, p]
                  - 2.0 * xj * uu * chi_xp[j, p] - xj * up * cx)
            t6 = iR * e2b[j, p] * (2.0 * x2 * b_p[j, p] * c[j, p] + c_p[j, p])
            out[j, p] = t2 + t4 + t5 + t6


@jit
def half_wave_source_rows(x, chi, wk, d1s, d1c, R, out, j0, j1):
    """Rows j0..j1-1 of out = S_chi / 2 = (d_x F + rest) / 2 in one pass (D2_MODE 2): the D1
    stencil of the flux F (in wk[I_TMP]) as :func:`grid.stencil_rows` and the rest as
    :func:`wave.wave_source_rest`, same operations in the same order (bit-identical).
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
