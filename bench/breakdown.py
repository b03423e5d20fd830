"""Where the time of one right-hand side goes: the pipelined kernel's sweeps timed one by one.

The serial right-hand side (:func:`solvers.characteristic.pipeline.rhs_pipelined`, one thread)
is four sweeps over the rows plus the projection P; each is a jitted function that runs alone on
the solver's own work arrays, in the order rhs_pipelined calls them (each sweep's input is left
by the previous one), so their times add up to the kernel's:

* sweep 1 (x up): chi_x, chi_phi, chi_phiphi (1 r2c + 2 c2r), the sources of (C1), (C2), forward
  elimination of b, q;
* sweep 2 (x down): back substitution of b, q; e^{2 beta}, b_phi, q_phi, U_xphi (3 r2c + 3 c2r),
  the slopes (C3), (C4);
* sweep 3 (x up): the quadratures U, calW, U_phi, the flux and S_chi / 2 of (C5), forward
  elimination of chi_u (no transform);
* sweep 4 + P: back substitution of chi_u, P's filter and slaving (1 r2c + 1 c2r).

The transforms' share is estimated from the fixed floor (one r2c + one c2r of the whole grid):
a sweep doing k r2c and k' c2r is charged (k + k') / 2 floors.  The de-aliased right-hand side
(:func:`solvers.characteristic.dealias.rhs_pad`, padded phi grid) is timed against the plain one.
"""
from __future__ import annotations

import time

import numpy as np

from solvers.characteristic import pipeline, right_hand_side
from solvers.characteristic.dealias import rhs_pad
from solvers.characteristic.rings import BLOCK, use_ring

#: (r2c, c2r) of whole-grid size in each stage of the serial pipelined rhs (G > 0)
STAGE_FFTS = {"sweep1_sources": (1, 2), "sweep2_slopes": (3, 3), "sweep3_wave": (0, 0),
              "sweep4_projection": (1, 1)}


def stage_times(s, chi, best_time, reps=5, inner=10):
    """Best time (s) of each stage of one serial rhs of solver ``s`` at ``chi`` and of the whole
    kernel called the same way (from Python: the call overhead is in both)."""
    ops, wk, hat = s.op.ops, s.ws.wk, s.ws.hat
    x, d1s, d1c, wc = ops[0], ops[1], ops[2], ops[14]
    n, m = chi.shape
    out = np.zeros_like(chi)
    G, R, nphi = s.G, s.R, s.nphi
    ring = bool(use_ring(n, m, d1s, d1c.shape[1]))
    blk = BLOCK if ring else n
    grav = G != 0.0

    def full():
        right_hand_side.rhs(chi, s.uc, G, R, nphi, s.filter, ops, wk, hat, out)

    full()  # the state every stage starts from (U_c rows of wk, fields of this chi)
    stages = {
        "sweep1_sources": lambda: pipeline._sweep_sources_up(x, chi, s.uc, wc, wk, hat, ops, G, R,
                                                             nphi, 0, n, 0, n, grav, ring, 0, blk),
        "sweep2_slopes": lambda: pipeline._sweep_slopes_down(x, wk, hat, ops, G, R, nphi, 0, n, True,
                                                             ring, 0, blk),
        "sweep3_wave": lambda: pipeline._sweep_wave_up(chi, wk, out, ops, G, R, 1, 0, ring, blk),
        "sweep4_projection": lambda: pipeline._sweep_solve_down_and_project(out, ops, hat, nphi, True,
                                                                            s.filter, blk),
    }
    # the stages in rhs_pipelined's order, each timed alone, the cycle repeated (each stage's
    # input is what the previous one left, as in the kernel); best of the repeats per stage
    res = {name: float("inf") for name in stages}
    for _ in range(reps * inner):
        for name, fn in stages.items():
            t = time.perf_counter()
            fn()
            res[name] = min(res[name], time.perf_counter() - t)
    res["rhs_total"] = best_time(full, reps=reps, inner=inner)
    return res


def dealias_ratio(s, sp, chi, best_time, reps=3, inner=5):
    """Time of the de-aliased rhs (padded grid of solver ``sp``) / the plain rhs, one thread."""
    out = np.zeros_like(chi)
    ops, wk, hat = s.op.ops, s.ws.wk, s.ws.hat

    def plain():
        right_hand_side.rhs(chi, s.uc, s.G, s.R, s.nphi, s.filter, ops, wk, hat, out)

    def padded():
        rhs_pad(chi, s.uc, s.G, s.R, s.nphi, s.filter, ops, wk, hat, out, sp.padws.pad)

    return best_time(padded, reps=reps, inner=inner) / best_time(plain, reps=reps, inner=inner)
