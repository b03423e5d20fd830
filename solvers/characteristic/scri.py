"""Values at scri+ (x = 1) recorded every step by the driver, and the per-step grid series.

At x = 1 (bondi-equations.md section 2): psi0 = chi, news = chi_u, beta0 = beta = b, U0 = U,
calW|scri = calW, Qbar|scri = Qbar = q (x^2 = x^3 = 1 there), all in the code (vertex) frame.
"""
from __future__ import annotations

import numpy as np
from .._fft import c2r, r2c

from .._jit import jit
from .layout import I_B, I_Q, I_U, I_W

#: rows of one scri+ sample (:func:`evolve_steps`): chi, chi_u, b = beta, U, calW, q = Qbar at x = 1
SAMPLE_NAMES = ("psi0", "news", "beta0", "U0", "calW", "Qbar")


#: per-step grid series of :func:`evolve_steps` (``scri_series``): the same numbers as numpy's
#: np.abs(a).max() of chi, beta = x^2 b, U - U_c, calW + 1 (the characteristic kind's series)
SERIES_NAMES = ("max_abs_chi", "max_abs_beta", "max_abs_U_minus_Uc", "max_abs_calW_plus_1")


@jit
def scri_sample(chi, k1, wk, out):
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
def scri_sample_pad(chi, k1, pwk, out, nphi, axes, ghat, hrow):
    """:func:`scri_sample` for the de-aliased solver: the hypersurface fields of the last rhs are
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


@jit
def grid_series(chi, wk, x, uc, out):
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
