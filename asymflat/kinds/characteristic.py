"""Run kind ``characteristic``: Einstein + massless scalar on outgoing cones from a regular vertex
or a conical one (a static point particle, ``vertex.mu``).

Evolves the 2+1 Bondi-gauge system with :class:`solvers.characteristic.solver.CharacteristicSolver`
(compactified x = r/(R+r), x = 1 is scri+; bondi-equations.md (C1)-(C5)), transports a Bondi frame
along scri+ and returns the scri+ data in that Bondi frame, with charges, fluxes and checks.

Configuration keys used
-----------------------
``G``; ``grid.{nx, nphi, R}`` (nx = number of radial points, the solver uses nx-1 intervals,
h = 1/(nx-1)); ``evolution.{u_start, u_end, cfl}`` (du = cfl R h, rounded down so that the steps
end exactly on u_end); ``output.{scri_every, fields_every}``;
``characteristic.{pulses, compact, circular, shadow_grid}`` and, read with defaults,
``characteristic.radial_order`` (4 or 6, default 6) and ``characteristic.filter`` (default true);
``vertex.{angular_velocity, acceleration}`` (U_c = omega + a1 sin phi - a2 cos phi) and
``vertex.mu`` (conical vertex calW(0) = -mu^2, modes ~ r^{|m|/mu}; docs/conventions.md section 9:
centred exact pulses rescaled to the cone, checks at the order :func:`asymflat.pipeline.estimates.cone_order`, and
``final_hill_trace``: Theta+ at i+ on the orbit of the particle, Hill trace 2 cos(pi mu)).

Stability: the RK4 limit is cfl ~ 4.4 (radial_order 4) or ~ 3.7 (radial_order 6) for every nphi
(measured; larger values are refused).

Reliability (issue 13; docs/format.md, "Checkpoints and restart"): :func:`validate` refuses
unresolvable or irregular initial data up front; the evolutions checkpoint through
:mod:`asymflat.runtime` (fields, step, the per-step scri+ samples the frame transport is integrated
from, series, snapshots, which run -- main or shadow -- is in progress) and resume bit-identically
(:func:`asymflat.pipeline.sessions.evolve_with_checkpoints`); NaN/Inf or max |chi| > CHI_BOUND_FACTOR x its initial scale stops the run with
the output so far (:class:`asymflat.runtime.RunUnstable`).

Pipeline (every run, any G >= 0, any vertex frame)
--------------------------------------------------
1. The code-frame values at x = 1 (psi0, news, beta0, U0, calW, Qbar) are sampled at **every**
   time step (``on_output`` with ``output_every = 1``; 6 rows of length nphi per step).  Dense
   samples are needed: the frame transport (step 2) is integrated with RK4 whose half-step
   coefficients are 6-point Lagrange interpolants of the samples, so its error is O(du^4) like the
   solver's only when the sample spacing is du.
2. :func:`asymflat.scri.to_bondi_frame` (bondi-equations.md section 3.4): transport
   L B = 0, L A = e^{2 beta0} B' (A = u_start, B = phi on the first cut: the Bondi time origin is
   the vertex proper time of the first cone, conventions.md section 2), the map to the Bondi
   aspects, and the resampling along the generators onto uniform Bondi cuts u_B = u_start + k du
   and uniform phi_B.  RK4 substeps of the transport: the smallest integer with
   (du/substeps) max|U0| nphi/2 <= 1.4 (half the spectral-advection limit).
3. On this dense Bondi grid: the flux-balance residuals, charges and balances (below).  The cuts
   written to ``/scri_plus`` are every ``output.scri_every``-th dense cut (u_B step
   ``scri_every du``); the code-frame samples and the transport in the extras are thinned alike
   (every ``scri_every``-th step and the last one).

Output
------
``/scri_plus``: mass_aspect Theta_B, N, angular_momentum_aspect Xi = N - (u_B/2) d_phi Theta_B,
news = d_{u_B} psi~0, psi0 = psi~0 on uniform (u_B, phi_B).  Extras: ``Nhat`` (N - pi G
d_phi psi~0^2), ``frame/u_code``, ``frame/phi_code`` (code coordinates of every Bondi grid point),
``code_frame/{u, psi0, news, beta0, U0, calW, Qbar, A, B}`` (B = B - phi, the periodic part).
Series on the written Bondi cuts (``u_bondi``), G > 0: ``E, J, p_x, p_y, K_x, K_y``
(conventions.md sections 3-4), ``dE_du, dJ_du`` (fluxes), ``radiated_energy, radiated_J``
(cumulative), ``E_balance, J_balance``, ``flux_residual_Theta, flux_residual_Nhat`` (max over phi
of |R|), ``max_du_Theta`` (max over phi of d_u Theta).  Series on the code times (``u``):
max |chi|, |beta|, |U - U_c|, |calW + 1| over the grid.

Checks
------
tolerance = SAFETY x estimate, SAFETY = 3, the estimate from the run itself: a half-resolution
shadow grid (nx/2 intervals, same cfl, so du doubles; its own Bondi pipeline; its dense Bondi cuts
coincide with every other fine one).  Design order p = 4 (RK4 in u, the transport, radial order
>= 4; phi is spectral and the same on both grids).  Two kinds of estimates:

* a quantity with a known exact value (closed forms, Theta = -1): error of the fine run
  ~ |fine - coarse| / (2^p - 1) (Richardson).
* a residual that vanishes in the continuum (flux laws, balances, d_u Theta <= 0): the coarse
  residual scaled by 2^-p.  The check then passes iff the measured order log2(R_coarse/R_fine) is
  >= p - log2(SAFETY) = 2.4; the measured orders are in ``summary['order_*']``.

Each estimate has a round-off floor added, ROUNDOFF = 100 eps times the size of the quantity
(divided by the u_B step for time derivatives; Theta_B holds B''' and Xi also A''' and u_B Theta_B',
so their floors carry (nphi/2)^3 max|B - phi|, (nphi/2)^3 max|A| and (nphi/2) max|u_B|; measured
floors of the flat-space runs are 10-40 times below these models; the charges get
(1/8G)(nphi/2) (1 + max|Theta| + max|N|)(1 + max|u_B|) ROUNDOFF).  A law whose terms all vanish
to round-off (e.g. the N law in circular symmetry) is measured relative to that floor instead of
its largest term.

* G > 0 with a scalar field: ``flux_law_Theta`` (max over u_B, phi of
  |d_u Theta + 16 pi G news^2| relative to the largest term of the law), ``flux_law_Nhat``
  (|d_u Nhat - Theta'/2 + 8 pi G news psi0'|, relative likewise; bondi-equations.md section 3.3),
  ``energy_balance`` (max_u |E(u) - E(u_start) + radiated energy(u)|), ``angular_momentum_balance``
  (same for J), ``energy_monotonic`` (max(0, max d_u Theta): Theta non-increasing along every
  generator; estimate: that of the Theta law, since d_u Theta = -16 pi G news^2 + R_Theta).
  The total radiated energy is measured as E(first cut) - E(last cut) (``summary``); the final state
  is not assumed to be Minkowski.
* G = 0, or no scalar field (flat space, any vertex frame): ``vacuum_Theta`` (max |Theta_B + 1|),
  ``vacuum_Xi`` (max |Xi|): the transport must reach a Poincare frame of Minkowski.
* exact data: ``psi0_vs_exact`` (G = 0, U_c = omega: psi~0 on the Bondi grid against the closed
  form; circular data at G > 0: psi0 at scri+ in the code frame), ``beta0_vs_exact`` and
  ``Theta_vs_exact`` (one circular pulse, G > 0, U_c = omega: beta0 against (c1), and Theta_B against
  -exp(-2 beta0(u(u_B))) with u(u_B) the exact inverse of u_B = u_start + int e^{2 beta0} du),
  ``mass_loss_law`` (circular, code frame: d_u beta0 = -8 pi G news^2).
Assembly (docs/architecture.md): :mod:`asymflat.pipeline.characteristic_input` (parse, validate,
initial data) -> :mod:`asymflat.pipeline.sessions` (main + shadow evolutions, checkpoints) ->
:mod:`asymflat.pipeline.bondi_frame` -> the check plugins of kind ``characteristic``
(:mod:`asymflat.pipeline.checks`) -> :mod:`asymflat.pipeline.scri_output`.
"""
from __future__ import annotations

import time

from asymflat.data import RunData
from asymflat.pipeline.bondi_frame import bondi_pipeline, has_scalar
from asymflat.pipeline.characteristic_input import parse, validate
from asymflat.pipeline.checks import CheckContext, run_checks
from asymflat.pipeline.evolution import has_shadow, step_count
from asymflat.pipeline.scri_output import retarded_output
from asymflat.pipeline.sessions import evolve_with_checkpoints

__all__ = ["run", "validate"]


def run(config: dict, progress=None) -> RunData:
    """Run one characteristic evolution described by a validated config (see module doc)."""
    t_wall = time.time()
    p = parse(config)
    nx, G = p["nx"], p["G"]
    L = p["u1"] - p["u0"]
    shadow = has_shadow(p)
    nsteps = step_count(L, nx, p["cfl"], p["R"], shadow)
    main, coarse = evolve_with_checkpoints(p, nx, nsteps, shadow, progress)
    scalar = has_scalar(p)
    B = bondi_pipeline(main, G, scalar)
    C = bondi_pipeline(coarse, G, scalar) if coarse else None

    summary: dict = {"kind": "characteristic", "nsteps": int(nsteps), "du": L / nsteps,
                     "nx_intervals": nx, "radial_order": p["order"], "shadow_grid": int(shadow),
                     "transport_substeps": B["substeps"], "scri_every": p["scri_every"],
                     "bondi_frame": "transported along scri+ from A = u_start, B = phi on the first "
                                    "cut (bondi-equations.md section 3.4); cuts u_B = u_start + k du"}
    checks = run_checks("characteristic", CheckContext(p, main, coarse, B, C, G, scalar, summary=summary))
    scri_plus, series, fields = retarded_output(p, main, B, nsteps)
    summary["wall_time_s"] = time.time() - t_wall
    return RunData(scri_plus=scri_plus, series=series, checks=checks, fields=fields, summary=summary)
