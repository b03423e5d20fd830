"""The right-hand side chi_u = P S(chi) of the characteristic system on one cone u = const.

bondi-equations.md section 1.5, in the regularised variables of vertex-and-frame-notes.md
section 1:

1. b    <- (x d_x + 2) b = (pi G/R) A^2                 (C1), banded solve
2. q    <- (x d_x + 3) q = 8 pi G A (2 chi_xphi + c)     (C2), banded solve
3. U    <- U_c(phi) + int_0^x (C3)                       4th-order cumulative quadrature
4. calW <- -1 + int_0^x (C4)
5. chi_u <- (x d_x + 1/2) chi_u = S_chi / 2              (C5), banded solve
6. chi_u <- P chi_u: exponential filter in phi + per-mode regularity slaving (:mod:`.vertex`)

D2_MODE 2 (default): the pipelined kernel (:mod:`.pipeline`); else the phases in turn
(:mod:`.phases`).  The kernels do not allocate (work arrays: :mod:`.workspace`).
"""
from __future__ import annotations

from .._jit import jit, jit_inline
from .layout import D2_MODE
from .phases import rhs_by_phases
from .pipeline import rhs_pipelined
from .vertex import project_out

#: (forward r2c, inverse c2r) transforms of shape (Nx+1, Nphi) per :func:`rhs` call, for G > 0 and
#: G = 0 (plus one row for U_c'); used by bench/ for the FFT-bound floor.  Keep in sync with rhs.
FFTS_PER_RHS = {True: (5, 6), False: (2, 3)}


@jit
def rhs_core(chi, uc, G, R, nphi, ops, wk, hat, out):
    """Hypersurface integration on the cone of ``chi`` followed by out = chi_u (C1)-(C5), before
    the projection P (filter + slaving; :func:`rhs` = this + P).

    ``ops`` = (x, d1s, d1c, d2s, d2c, ab, piv, qs, qw, km, sig, jm, sw, axes, wc, kl, ku, swr)
    from :class:`Operators`; ``uc`` (Nphi,) is U_c(phi) at the vertex; ``hat`` (2, Nx+1,
    Nphi//2+1) complex work buffers; the hypersurface fields b, q, U, calW are left in ``wk``
    (I_B, I_Q, I_U, I_W; the other work arrays are scratch).
    D2_MODE 2: the pipelined sweeps (:func:`rhs_pipelined`); else :func:`rhs_by_phases`.
    """
    if D2_MODE == 2:
        rhs_pipelined(chi, uc, G, R, nphi, ops, wk, hat, out, False, False)
    else:
        rhs_by_phases(chi, uc, G, R, nphi, ops, wk, hat, out)


@jit_inline
def rhs_body(chi, uc, G, R, nphi, do_filter, ops, wk, hat, out):
    """out = chi_u = P S(chi): :func:`rhs_core` then the projection P (filter + slaving).

    ``ops`` = (x, d1s, d1c, d2s, d2c, ab, piv, qs, qw, km, sig, jm, sw, axes, wc, kl, ku, swr)
    from :class:`Operators`; ``uc`` (Nphi,) is U_c(phi) at the vertex; ``hat`` (2, Nx+1,
    Nphi//2+1) complex work buffers; the hypersurface fields b, q, U, calW are left in ``wk``.

    Inlined into its jitted callers (numba IR): the multi-step driver
    :func:`.timestepping.evolve_steps` calls it at one site, so the driver is the one compilation
    unit of the time loop (``rhs``'s machine code is not generated a second time in it; see
    solvers/_jit.py).  :func:`rhs` is the same body as a function of its own.
    """
    if D2_MODE == 2:
        rhs_pipelined(chi, uc, G, R, nphi, ops, wk, hat, out, True, do_filter)
    else:
        rhs_by_phases(chi, uc, G, R, nphi, ops, wk, hat, out)
        project_out(out, hat[0], ops[10], ops[11], ops[12], ops[13], nphi, do_filter)


@jit
def rhs(chi, uc, G, R, nphi, do_filter, ops, wk, hat, out):
    """out = chi_u = P S(chi) (:func:`rhs_body`), compiled on its own: the kernel called from Python
    and by :func:`.timestepping.rk4_finish` (the per-step reference loop)."""
    rhs_body(chi, uc, G, R, nphi, do_filter, ops, wk, hat, out)
