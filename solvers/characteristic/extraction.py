"""Values at scri+ (x = 1) in the code (vertex) frame, read from the solver's workspace.

At x = 1 (bondi-equations.md section 2): psi0 = chi(x=1), news = chi_u(x=1), beta0 = beta(x=1)
= b(x=1), U0 = U(x=1), calW|scri = calW(x=1), Qbar|scri = q(x=1) (x^3 = 1 there).
"""
from __future__ import annotations

import numpy as np

from .stepper import I_B, I_Q, I_U, I_W

SCRI_NAMES = ("psi0", "news", "beta0", "U0", "calW", "Qbar")


def scri_values(chi: np.ndarray, chi_u: np.ndarray, wk: np.ndarray) -> dict[str, np.ndarray]:
    """Copies of the code-frame scri+ values, each of shape (Nphi,)."""
    return {
        "psi0": chi[-1].copy(),
        "news": chi_u[-1].copy(),
        "beta0": wk[I_B, -1].copy(),
        "U0": wk[I_U, -1].copy(),
        "calW": wk[I_W, -1].copy(),
        "Qbar": wk[I_Q, -1].copy(),
    }


def bulk_snapshot(x: np.ndarray, chi: np.ndarray, wk: np.ndarray) -> dict[str, np.ndarray]:
    """chi, beta = x^2 b, Qbar = x^3 q, U, calW on the whole (Nx+1, Nphi) grid (copies)."""
    xx = x[:, None]
    return {
        "chi": chi.copy(),
        "beta": xx**2 * wk[I_B],
        "Qbar": xx**3 * wk[I_Q],
        "U": wk[I_U].copy(),
        "calW": wk[I_W].copy(),
    }
