"""Checks of a scattering run with incoming data (issue 21): at G = 0 the outgoing radiation field
against the exact free scattering map of the table.

At G = 0 the Bondi frame of the first cut is the code frame (beta0 = U0 = 0) and

    psi0+(u, phi) = (S psi0-)(u, phi) = -(1/pi) p.v. int dv psi0-(v, phi + pi) / (u - v)

(asymflat/incoming/first_cone.py (5), asymflat/incoming/reflect.py ``free_map``; measured order ~6
in the table step against the exact pulses).  The evolution starts from the first cone of the same
data (first_cone_chi), so the difference is the evolution's truncation error plus the free map's
own (table step) error: gated by the shadow grid (Richardson, order 4) + the free map's error
estimate (the same map on the table at twice its step, difference / (2^6 - 1)) + round-off.
"""
from __future__ import annotations

import numpy as np

from asymflat.incoming.reflect import free_map
from asymflat.incoming.sampling import psi0_at
from asymflat.incoming.table import IncomingData
from asymflat.pipeline.checks import CheckContext, check_plugin
from asymflat.pipeline.estimates import RICH, ROUNDOFF, fine_at_coarse, make_check, richardson_estimate

#: design order of the free map's product integration (measured 5.85-6.02, test_incoming_reflect.py)
FREE_MAP_ORDER = 6


def free_map_on(data: IncomingData, u: np.ndarray) -> np.ndarray:
    """(S psi0-)(u_k, phi_j) at the run's times ``u`` (uniform): the free map on the table's lattice
    over [u_0 - 8h, u_end + 8h], interpolated in u by the table's 6-point interpolant."""
    lo, hi = float(u[0]) - 8 * data.h, float(u[-1]) + 8 * data.h
    uu, s = free_map(data, lo, hi)
    grid = IncomingData(uu, data.phi, s)
    return psi0_at(grid, np.broadcast_to(np.asarray(u, dtype=float)[:, None], (len(u), len(data.phi))))


def _half_table(data: IncomingData) -> IncomingData:
    return IncomingData(data.v[::2], data.phi, data.psi0[::2], data.early, data.late, data.source)


@check_plugin("scattering", when=lambda ctx: ctx.G == 0 and ctx.p.get("incoming") is not None)
def psi0_vs_free_map(ctx: CheckContext) -> None:
    """G = 0: max |psi0+ - S psi0-| on the Bondi grid (module doc)."""
    data = ctx.p["incoming"]
    bf = ctx.B["bf"]
    ex = free_map_on(data, bf.time)
    ex2 = free_map_on(_half_table(data), bf.time)
    f2, c2 = fine_at_coarse(bf.psi0, ctx.C["bf"].psi0 if ctx.C else None)
    scale = float(np.max(np.abs(ex)))
    est = (richardson_estimate(f2, c2) + float(np.max(np.abs(ex - ex2))) / (2 ** FREE_MAP_ORDER - 1)
           + ROUNDOFF * scale)
    ctx.checks.append(make_check("psi0_vs_free_map", np.max(np.abs(bf.psi0 - ex)), est,
                                 RICH + " + free map at 2h / (2^6 - 1)",
                                 "G = 0: max |psi0+ - S psi0-| (S: minus the antipodal Hilbert transform of "
                                 "the incoming table) on the Bondi grid (u_B, phi_B)"))
    ctx.summary["psi0_max_abs"] = scale
    ctx.summary["scri_minus_psi0_source"] = "the incoming table at v_B = v (G = 0)"
