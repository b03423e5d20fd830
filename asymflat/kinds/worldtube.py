"""Run kind ``worldtube``: null dust emitted by an inner worldtube r = r_w (issue 6).

A smooth vertex forbids null dust (bondi-equations.md section 4), so the dust enters through a
worldtube r = r_w.  The tube takes from the exact Vaidya-type solution (b) of bondi-equations.md
section 6 (:mod:`asymflat.exact.null_dust`) only the initial values Theta_w(u_start, phi),
N_w(u_start, phi) and the dust flux f(u, phi); everything else is computed
(:class:`solvers.worldtube.WorldtubeSolver`, docs/conventions.md section 10):

1. Tube: the supplementary equations E_uu = E_uphi = 0 at r = r_w (section 1.3-1.4; derived in
   tests/test_worldtube_derivation.py) give d_u Theta_w = -16 pi G f, d_u N_w = (1/2) d_phi Theta_w,
   integrated with RK4 in u (spectral d_phi).
2. Exterior (scalar field zero): beta = 0, Qbar = 2 N_w along rays, U and calW by radial quadrature
   of (C3), (C4) on the uniform x grid of [x_w, 1], x_w = r_w/(R + r_w), from U_w = -N_w/r_w^2,
   calW_w = Theta_w - 2 N_w'/r_w - N_w^2/r_w^2 (so U -> 0 at scri+: a Bondi frame).
3. scri+: Theta = calW(x=1), N = Qbar(x=1)/2, Xi = N - (u/2) d_phi Theta, news = psi0 = 0.

Configuration keys used
-----------------------
``G`` (> 0); ``grid.{nx, nphi, R}`` (nx radial points on [x_w, 1], h = (1 - x_w)/(nx - 1));
``evolution.{u_start, u_end, cfl}`` (du = cfl R h, rounded down so the steps end on u_end);
``output.{scri_every, fields_every}`` (fields: the exterior U, calW, Qbar every fields_every steps);
``worldtube.{r_w, background, mu, angular_momentum, bursts, shadow_grid}``.  ``output.checkpoint_*``
are accepted and ignored (a run takes seconds: there is nothing worth resuming).

Checks
------
tolerance = SAFETY x estimate, SAFETY = 3, estimates from a half-resolution shadow grid (nx/2
intervals, du doubled) as in kind ``characteristic``, design order p = 4 (RK4 in u; the radial
quadrature is 6-point Lagrange in rho = R/r, order 6, and exact for this exterior), plus a
round-off floor ROUNDOFF = 100 eps times the size of the quantity (Theta: max|Theta| + sqrt(nx) x the
cancelling tube terms max|calW_w - Theta_w|; time derivatives: x sqrt(nsteps)/du, the measured growth
of the step-to-step noise; models and measurements in :func:`_checks`):

* quantities with exact values (Richardson |fine - coarse|/(2^p - 1)): ``Theta_vs_exact``,
  ``Xi_vs_exact`` (scri+ against the closed form (b)), ``bondi_frame_U0`` (max |U(x=1)|, exact 0),
  ``exterior_vs_exact`` (U and calW on the whole exterior of four cuts against
  U = -N/r^2, calW = Theta - 2 N'/r - N^2/r^2);
* residuals (coarse residual x 2^-p): ``mass_law`` (max |d_u Theta + 16 pi G f| at scri+, d_u by
  8th-order differences of the scri+ Theta on every step, f the exact dust flux),
  ``N_law`` (max |d_u N - Theta'/2|), ``energy_balance`` (max_u |E(u) - E(u_start) +
  oint int_{u_start}^u f|, the dust energy by 6-point quadrature of the exact flux),
  ``angular_momentum_conservation`` (max_u |J(u) - J(u_start)|: dust carries none);
* background only (no dust, round-off models): ``vacuum_Theta`` (max |Theta + mu^2|),
  ``vacuum_Xi`` (max |Xi + 4 G J|), ``bms3_charges_vs_vacuum`` (the Poincare charges of every cut
  against those of :func:`asymflat.bms3.spacetimes.make_spacetime` for the same vacuum).

Without the shadow grid the truncation checks have no estimate (NaN) and do not pass.
"""
from __future__ import annotations

import time
from typing import Callable

import numpy as np

from asymflat.data import RunData
from asymflat.pipeline.checks import CheckContext, run_checks
from asymflat.pipeline.worldtube_evolution import evolve_worldtube, worldtube_output
from asymflat.pipeline.worldtube_input import dust_solution, validate
from solvers.worldtube.solver import RADIAL_ORDER

__all__ = ["run", "validate"]


def run(config: dict, progress: Callable[[float], None] | None = None) -> RunData:
    """Run the ``worldtube`` kind on a validated configuration (see module docstring)."""
    t_wall = time.time()
    p = validate(config)
    sol = dust_solution(p)
    nsteps = p["nsteps"]
    if progress is not None:
        progress(0.0)
    A = evolve_worldtube(p, sol, p["nx"], nsteps)
    if progress is not None:
        progress(0.8 if p["shadow"] else 1.0)
    C = evolve_worldtube(p, sol, p["nx"] // 2, nsteps // 2) if p["shadow"] else None
    if progress is not None:
        progress(1.0)
    G = p["G"]
    summary: dict = {
        "kind": "worldtube", "nsteps": int(nsteps), "du": float(A["du"]), "nx_intervals": p["nx"],
        "tube_radius": p["r_w"], "x_tube": p["x_w"], "radial_order": RADIAL_ORDER, "shadow_grid": int(p["shadow"]),
        "background": p["background"], "mu": p["mu"], "angular_momentum": p["J"], "n_bursts": len(p["bursts"]),
        "bondi_frame": "beta = 0, U_w = -N_w/r_w^2 (U -> 0 at scri+); Bondi time u of the tube's exact solution",
    }
    checks = run_checks("worldtube", CheckContext(p, A, C, None, None, G, True, summary=summary))
    ch = A["charges"]
    summary.update(
        E_initial=float(ch["E"][0]), E_final=float(ch["E"][-1]), J_initial=float(ch["J"][0]),
        J_final=float(ch["J"][-1]), emitted_dust_energy=float(A["emitted"][-1]),
        emitted_dust_energy_exact=float(sol.emitted_energy(p["u0"], p["u1"])),
        E_minkowski=-1.0 / (8.0 * G), mass_aspect_min=float(np.min(A["theta"])),
        mass_aspect_max=float(np.max(A["theta"])),
        note_energy=("E_final < E_minkowski = -1/(8G): the tube ends below the Minkowski energy (Theta < -1 "
                     "somewhere; the source would have negative Deser-Jackiw-'t Hooft mass)"
                     if ch["E"][-1] < -1.0 / (8.0 * G) else "E_final >= E_minkowski"),
    )

    scri_plus, series, fields = worldtube_output(p, A, nsteps)
    summary["wall_time_s"] = time.time() - t_wall
    return RunData(scri_plus=scri_plus, series=series, checks=checks, fields=fields, summary=summary)
