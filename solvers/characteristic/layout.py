"""Layout of the characteristic solver's work arrays, and the row chunks of its threaded kernels.

The real work array ``wk`` (NW, Nx+1, Nphi) holds, per grid point, the derivatives of chi and the
hypersurface fields of the last right-hand side, in the regularised variables of
vertex-and-frame-notes.md section 1 (b = beta/x^2, q = Qbar/x^3, c = chi_phi/x); the indices I_*
name its rows: chi_x, chi_xx, chi_phi, chi_phiphi, chi_xphi, c, c_phi, b, b_phi, q, q_phi,
e^{2 beta}, U, U_x, U_phi, U_xphi, calW, calW_x and one scratch row (I_TMP).
"""
from __future__ import annotations

from .._jit import jit

# indices into the real work array wk (NW, Nx+1, Nphi)
I_CHI_X, I_CHI_XX, I_CHI_P, I_CHI_PP, I_CHI_XP, I_C, I_C_P = 0, 1, 2, 3, 4, 5, 6
I_B, I_B_P, I_Q, I_Q_P, I_E2B = 7, 8, 9, 10, 11
I_U, I_U_X, I_U_P, I_U_XP, I_W, I_W_X, I_TMP = 12, 13, 14, 15, 16, 17, 18
NW = 19
D2_MODE = 2  # 1: chi_xx = D1(D1 chi) (consistent checkerboard symbol); 0: 5-point D2

FIELD_NAMES = {I_B: "b = beta/x^2", I_Q: "q = Qbar/x^3", I_U: "U", I_W: "calW"}


@jit
def chunk_start(i, nc, n, align):
    """Start of chunk i of nc over range(n), rounded down to a multiple of ``align``."""
    return (i * n // nc) // align * align if i < nc else n


#: chunks per threaded stage of :func:`rhs` (in the threaded kernels prange distributes them over
#: numba's threads; in the serial ones they run in turn).  A constant, not numba.get_num_threads():
#: reading the thread count in jitted code makes the function uncacheable.
NCHUNK = 2


@jit
def nchunks(n):
    return max(1, min(NCHUNK, n))
