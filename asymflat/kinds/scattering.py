"""Run kind ``scattering``: incoming exact pulses (or tabulated radiation) from scri-, evolved to scri+,
matched across i0.

Configuration: the ``characteristic`` kind's keys (``G``, ``grid``, ``evolution.{u_end, cfl}``,
``characteristic.{pulses, circular, shadow_grid, radial_order, filter}``; ``compact`` pulses are
refused: scri- needs the closed form) and ``scattering.{first_cones, scale_R, incoming, incoming_from,
incoming_frame}`` (which spacetime is evolved: asymflat/pipeline/incoming_frame.py).

Incoming data (issue 21; docs/conventions.md section 11): ``incoming = "FILE"`` (docs/format.md,
"Incoming radiation") or ``incoming_from = "RESULT.h5"`` (that run's /scri_plus_final_frame psi0+,
time-reflected) instead of pulses (asymflat/pipeline/incoming_input.py).  Each level's first cone
carries the exact G = 0 field of the data (asymflat/incoming/first_cone.py); scri- is the table on
the relabelled rays; t_c is the data's energy centroid and ``ladder_points_per_a`` counts points per
rms energy width of the data.  G = 0 gate ``psi0_vs_free_map``
(asymflat/pipeline/incoming_checks.py).  Output also ``/scri_plus_final_frame``
(asymflat/pipeline/final_frame.py: identity at G = 0 and in circular symmetry; at G > 0 off
circular symmetry carried by the inverse of /memory's map, asymflat/scri/carry.py).
``evolution.u_start`` must be one of ``first_cones``: that level (the main run) is evolved to
``u_end``; the i0 matching reads only the first scri+ cut and the first cone of a level, so every
other level is a first-cut level (:data:`asymflat.pipeline.ladder.FIRST_CUT_STEPS` steps; its first
cut and first cone are bit-identical to those of a full evolution), and deep ladders cost little:
runs/scattering_strong.toml goes to u0 = -64 (nx 1834 there) for about 1.4 x the main level's time.

Ladder.  One characteristic evolution (main + half-resolution shadow grid) per first-cone time
``u0_k``; with ``scale_R`` the compactification ``R_k = grid.R D_k / D_last``, ``D = t_c - u0``
(``t_c`` = latest pulse time t0), and the radial intervals ``nx_k`` scale alike so that the time
step ``du = cfl R h`` is the same on every level (the incoming pulse sits at x ~ 1/3 on every first
cone; its points per width ``a`` along the cone are in ``summary['ladder_points_per_a']``).

scri+: :func:`asymflat.pipeline.bondi_frame.bondi_pipeline` (Bondi frame with A(u0) = u0, B = phi: the
inertial time of the first cut).  scri-: :func:`asymflat.scri.minus.scri_minus_from_cone` (the
relabelled first cone; its docstring has the derivation), on uniform v_B cuts of step du.

Checkpoints (issue 19): with ``[output] checkpoint_every_steps`` or ``checkpoint_every_minutes``
non-zero, one after each finished ladder level (:mod:`asymflat.pipeline.ladder_checkpoint`);
``--resume`` continues at the first unfinished level, bit-identical to an uninterrupted run.

Matching (conventions.md section 6; same layout as the vacuum kind, for the main level, plus
``ladder/...``, ``limit/...``, ``balance/...``): first scri+ cut (u = u0) against the last scri- cut
(v_B = v_max, the cone point at x = 0.8), per Fourier mode, for the Poincare and mode charges
``P_n, J_n`` (n <= 10).  Each level's residual vector is stored; the u0 -> -inf limit is extrapolated
per component by :func:`asymflat.pipeline.i0_matching.extrapolate` (three levels: q = q_inf + C D^-p with the exponent fitted per
component, error = spread against the integer model q_inf + C1/D + C2/D^2; two levels: p = 1, loose).
Global balance per generator: Q+(i+) - Q-(i-) - (F-_in - F+_out) with the fluxes integrated from the
news (docs: physics-bms3.md section 6.1).

Checks (gates only): the characteristic scri+ checks of the main level (flux laws, balances,
monotonicity or the G = 0 exact checks), the scri- construction against closed forms where they
exist (G = 0: psi0^-; (c1): Theta^-), the Hill invariants of the final scri+ cut (Minkowski orbit:
trace -2 within shadow grid + the second-order effect of the radiation tail after u_end, winding 1),
the two frame-free invariants of the i0 state from both sides (Hill trace, and the rest-frame angular
momentum J_rest of asymflat/bms3/invariants.py: ``rest_frame_J_i0_plus_vs_minus``), and -- in
circular symmetry, where the first cut's frame and the scri- frame are linked by the antipodal map
alone -- one Poincare matching gate per generator (``matching_limit_{E,p_x,p_y,J,K_x,K_y}``, G > 0):
the extrapolated residual against its extrapolation error + shadow grid/15 + round-off; a generator
whose ladder does not converge gets no extrapolation credit.  Reported quantities go to /summary and
/matching.

Scope, measured (tests/test_scattering_fields.py, tests/test_scattering_link.py have the tables).  In
circular symmetry every gate passes.  Off-centre, the i0 state is massive (conical: no global
translations, physics-bms3.md §4.2) and the scri+ frame of the first cut (the vertex's light cone)
differs from the antipodally linked frame by an O(G) BMS3 transformation that does not vanish as
u0 -> -inf (docs/conventions.md §6.1): Poincare residuals O(G) x E_rad (second order in G in the
aspects; the boosts grow ~ G |u0| |p| when the pulses carry net momentum) and |n| >= 2 aspect
residuals first order in G.  The frame-free invariants agree from both sides.  Its superrotation part
is derived at O(G) (asymflat/scri/first_cone_link.py): carried by it, E and p match to O(G^2) E_rad (``matching/ladder/linked_*``, reported); the translation part (J, K) is not modelled, so
the matching_limit_* values of off-centre runs are reported, not gated.  The memory (/memory) is also
given in the matched frame, where the first scri+ cut equals the antipodal scri- cut exactly
(docs/conventions.md §6.3): relative to the i0 vacuum transported from scri-, O(G^2) at weak field.
"""
from __future__ import annotations

import time

from asymflat import progress as _progress
from asymflat.data import RunData
from asymflat.pipeline.bondi_frame import has_scalar, is_circular
from asymflat.pipeline.checks import CheckContext, run_checks
from asymflat.pipeline.final_frame import final_frame_checks, final_frame_output
from asymflat.pipeline.final_state import final_state_hill_checks
from asymflat.pipeline.global_balance import global_balance, global_balance_checks
from asymflat.pipeline.i0_matching import extrapolate, match_across_i0, matching_summary
from asymflat.pipeline.incoming_frame import frame_summary
from asymflat.pipeline.incoming_input import incoming_provenance
from asymflat.pipeline.ladder import incoming_mass_aspect, ladder_levels, main_index, run_level, validate
from asymflat.pipeline.ladder_checkpoint import run_levels
from asymflat.pipeline.memory_checks import memory_checks
from asymflat.pipeline.scri_output import scattering_output

__all__ = ["run", "validate", "incoming_mass_aspect", "extrapolate"]


def _phase_plan(levels: list[dict]) -> list[tuple[str, float]]:
    """Phases of a scattering run and their estimated work (asymflat.progress), for progress only.

    The main level costs ~ nx * nsteps ~ nx^2 (u_end - u0) / R (fixed cfl); the post-processing after
    the ladder (i0 matching, the flux tables of the global balance and its gates, the memory) was
    measured on runs/default.toml (five levels) at 1.2 x the ladder (3.7 s ladder, 0.5 s matching,
    3.7 s global balance, 0.3 s memory; 2 shared cores), split 0.11 / 0.82 / 0.07.
    """
    main = levels[main_index(levels)]
    main_work = main["nx"] ** 2 * (float(main["cfg"]["evolution"]["u_end"]) - main["u0"]) / main["R"]
    plan = []
    for i, lev in enumerate(levels):
        # a first-cut level (set-up, 32 steps, the scri- relabelling): measured on the strong run
        # (nphi 96) 0.26 x the main level's time at nx 128 to 0.52 x at nx 1834 (main: nx 470)
        work = main_work if lev["main"] else main_work * (0.25 + 0.07 * lev["nx"] / main["nx"])
        plan.append((f"level {i + 1}/{len(levels)} (u0 = {lev['u0']:g}{'' if lev['main'] else ', first cut'})", work))
    post = 1.2 * sum(w for _, w in plan)
    return plan + [("i0 matching over the ladder", 0.11 * post),
                   ("global balance: scri+ and scri- flux tables", 0.82 * post), ("memory", 0.07 * post)]


def run(config: dict, progress=None) -> RunData:
    """Run the scattering kind on a validated config (module doc)."""
    t_wall = time.time()
    levels = ladder_levels(config)
    G = float(config["G"])
    ph = _progress.Phases(progress, _phase_plan(levels))
    runs = run_levels(levels, [ph.part(ph.names[i]) for i in range(len(levels))], run_level)
    ph.begin("i0 matching over the ladder")
    im = main_index(levels)
    L0 = runs[im]
    p, B, C = L0["p"], L0["B"], L0["C"]
    bf = B["bf"]
    summ: dict = {"kind": "scattering", "first_cones": ", ".join(f"{lv['u0']:g}" for lv in levels),
                  "ladder_R": ", ".join(f"{lv['R']:g}" for lv in levels),
                  "ladder_nx_intervals": ", ".join(str(lv["nx"]) for lv in levels),
                  "ladder_points_per_a": ", ".join(f"{r['points_per_a']:.3g}" for r in runs),
                  "du": float(B["dt"]), "nsteps_main": int(L0["nsteps"]), "shadow_grid": int(L0["shadow"]),
                  "bondi_frame_plus": "A(u0) = u0, B = phi on the first cut (inertial time of the first cut)",
                  "bondi_frame_minus": "v_B = u0 + int 2 e^{2 beta} dr along the first cone (vertex frame near i-)"}
    if "incoming_fixed_point" in p:
        summ.update(frame_summary(runs, im))
    scalar = has_scalar(p)
    ctx = CheckContext(p, L0["main"], L0["coarse"], B, C, G, scalar, summary=summ,
                       extra=dict(levels=levels, runs=runs, main=im))
    checks = run_checks("scattering", ctx)

    data = RunData()
    matched0 = (None, "not computed: no scalar radiation at G > 0")
    if G > 0 and scalar:
        matched0, labels, qinf = match_across_i0(levels, runs, G, p, data.matching, summ, checks)
        final_state_hill_checks(p, B, C, G, summ, checks)
        ph.begin("global balance: scri+ and scri- flux tables")
        global_balance(data.matching, summ, B, L0["M"], G)
        matching_summary(summ, bf, G, labels, qinf)
        global_balance_checks(data.matching, summ, checks, L0, G, is_circular(p))
    scattering_output(data, p, B, L0["M"], G, scalar, summ)
    if G > 0 and scalar:
        ph.begin("memory")
        memory_checks(data, bf, C["bf"] if C else None, G, p["t_c"],
                      checks, matched0)
    if final_frame_output(data, G, scalar, B, C):      # carried: its gates are run checks too
        checks.extend(final_frame_checks(data.final_frame_attrs))
    if levels[im]["incoming"] is not None:        # the table as the run used it, with its provenance
        tol, attrs = incoming_provenance(config)
        data.incoming, data.incoming_attrs = levels[im]["incoming"], dict(attrs, tail_tolerance=tol)
    ph.end()
    summ["wall_time_s"] = time.time() - t_wall
    data.checks = checks
    data.summary = summ
    return data
