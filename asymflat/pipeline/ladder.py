"""The first-cone ladder of the ``scattering`` kind: one characteristic evolution (main + shadow grid)
per first-cone time u0_k (:func:`ladder_levels`, :func:`run_level`), the scri- data of each level from
its relabelled first cone, the i0 cuts of both sides (:func:`i0_cuts`), and the up-front refusals
(:func:`validate`, :func:`incoming_mass_aspect`)."""
from __future__ import annotations

import copy
import warnings

import numpy as np

from asymflat import progress as _progress
from asymflat.bms3 import ScriCut
from asymflat.pipeline.bondi_frame import bondi_pipeline, has_scalar
from asymflat.pipeline.characteristic_input import first_cone_data, parse
from asymflat.pipeline.incoming_frame import scri_minus_fixed_point
from asymflat.pipeline.incoming_input import central_time, energy_width, incoming_table, support_start
from asymflat.pipeline.evolution import (evolution_result, evolve, has_shadow, make_solver,
                                         progress_fraction, step_count)
from asymflat.scri.minus import scri_minus_from_cone
from solvers.characteristic import CharacteristicSolver


def ladder_levels(config: dict) -> list[dict]:
    """The ladder's levels, earliest first cone first: ``u0``, ``D = t_c - u0``, ``R``, ``nx``, the
    level's characteristic ``cfg`` and ``main`` (the level evolved to ``u_end``: the one whose u0 is
    ``evolution.u_start``; the others are first-cut levels, :func:`run_level`)."""
    sc = config["scattering"]
    cones = [float(c) for c in sc["first_cones"]]
    ev = config["evolution"]
    if any(b <= a for a, b in zip(cones, cones[1:])):
        raise ValueError(f"scattering.first_cones = {cones}: must be strictly increasing")
    if float(ev["u_start"]) not in cones:
        raise ValueError(f"evolution.u_start = {ev['u_start']}: must be one of scattering.first_cones = "
                         f"{cones} (that level is evolved to u_end, the others only give their first cut)")
    ch = config.get("characteristic") or {}
    if ch.get("compact"):
        raise ValueError("characteristic.compact: not allowed for kind scattering (scri- needs the "
                         "closed-form exact pulses)")
    data = incoming_table(config)
    if data is None:
        pulses = list(ch.get("pulses") or []) + [dict(amplitude=c.get("amplitude", 1.0), a=c["a"])
                                                  for c in (ch.get("circular") or [])]
        if not pulses:
            raise ValueError("characteristic.pulses: kind scattering needs at least one exact pulse")
        tc = max(float(p.get("t0", 0.0)) for p in pulses)
        amax = max(float(p["a"]) for p in pulses)
        if cones[-1] > tc - 2 * amax:
            raise ValueError(f"scattering.first_cones[-1] = {cones[-1]}: must be <= t0 - 2a = {tc - 2 * amax} "
                             "(the first cone must lie before the incoming pulses)")
    else:
        tc, vs = central_time(data), support_start(data)
        if cones[-1] > vs + 1e-9 * max(1.0, abs(vs)):        # round-off of v = -u_B of reflected data
            raise ValueError(f"scattering.first_cones[-1] = {cones[-1]}: must be <= {vs:g}, the first advanced time "
                             f"at which the incoming data ({data.source}) do not vanish (the first cone must lie "
                             "before the incoming radiation)")
    if float(ev["u_end"]) <= cones[-1]:
        raise ValueError("evolution.u_end: must be > every first cone")
    grid = config["grid"]
    R = float(grid.get("R", 1.0))
    nint = int(grid["nx"]) - 1
    out = []
    for u0 in cones:
        D = tc - u0
        s = D / (tc - cones[-1]) if sc.get("scale_R", True) else 1.0
        n_k = max(16, 2 * int(round(nint * s / 2)))
        cfg = copy.deepcopy(config)
        cfg["kind"] = "characteristic"
        cfg["evolution"]["u_start"] = u0
        cfg["grid"]["R"] = R * s
        cfg["grid"]["nx"] = n_k + 1
        cfg.pop("scattering", None)
        out.append(dict(u0=u0, D=D, R=R * s, nx=n_k, cfg=cfg, main=u0 == float(ev["u_start"]), incoming=data,
                        t_c=tc, incoming_frame=sc.get("incoming_frame", "flat_cone")))
    return out


def main_index(levels: list[dict]) -> int:
    """Index of the evolved (main) level in :func:`ladder_levels`."""
    return next(i for i, lev in enumerate(levels) if lev["main"])


def incoming_mass_aspect(pulses, G: float, nphi: int, nodes: int = 4001) -> np.ndarray:
    """Estimate of Theta-(v -> +inf, phi) from the incoming exact pulses, before any evolution.

    Theta-_inf(phi) = -1 + 16 pi G E_in(phi),  E_in(phi) = int dv (d_v psi0-)^2  (scri- flux law,
    docs/conventions.md section 5, integrated from the Minkowski vacuum at i-), with the flat-space
    psi0- of the pulses and v in place of the scri- Bondi time: exact at O(G), off at O(G^2)
    (bondi-equations / README "Subtleties").  d_v psi0- = -Re sum A (2 w)^(-3/2); the integral runs
    over v = t_c + a sinh(s), |s| <= 14 (tail below 1e-11 of the total), by the trapezoid rule in s.
    """
    from asymflat.exact.pulses import pulse_news_scri_minus, validate_pulses

    phi = 2 * np.pi * np.arange(nphi) / nphi
    ps = validate_pulses(pulses)
    if not ps:
        return -np.ones(nphi)
    a_min = min(p[1] for p in ps)
    tc = float(np.mean([p[2] for p in ps]))
    s = np.linspace(-14.0, 14.0, nodes)
    v = tc + a_min * np.sinh(s)
    dv_ds = a_min * np.cosh(s)
    news = pulse_news_scri_minus(v[:, None], phi[None, :], pulses)
    e_in = np.trapezoid(news**2 * dv_ds[:, None], s, axis=0)
    return -1.0 + 16 * np.pi * G * e_in


def validate(config: dict) -> None:
    """Refusals before any work: every ladder level's characteristic parameters, and incoming
    radiation whose energy would take i0 beyond the conical-defect range (the Hill monodromy of
    Theta- at v -> +inf must be elliptic, |tr M| < 2: deficit angle below 2 pi; physics-bms3.md
    section 2.6).  The i0 estimate is :func:`incoming_mass_aspect` (exact at O(G))."""
    for lev in ladder_levels(config):
        parse(lev["cfg"])
    refuse_beyond_conical_defect(config["characteristic"]["pulses"], float(config["G"]),
                                 int(config["grid"]["nphi"]))


def refuse_beyond_conical_defect(pulses, G: float, nphi: int) -> None:
    """Refuse exact pulses whose energy takes i0 beyond the conical-defect range: the Hill
    monodromy of Theta- at v -> +inf (:func:`incoming_mass_aspect`, exact at O(G)) must be
    elliptic, |tr M| < 2 (deficit angle below 2 pi; physics-bms3.md section 2.6), or Minkowski itself
    (tr M = -2: no incoming energy).  The same
    refusal for every kind taking pulses (scattering, characteristic, advanced): such data has
    no asymptotically flat evolution, and a characteristic run of it dies "unstable" (exit 3)."""
    from asymflat.bms3 import hill

    if not (G > 0 and pulses):
        return
    theta = incoming_mass_aspect(pulses, G, nphi)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)     # scipy's overflow on the way to failing
            h = hill(theta)
        t = float(h.trace)
        trace = f"{t:.4g}"
        # elliptic, or Minkowski itself (tr M = -2 within the integrator's error: no incoming energy,
        # e.g. amplitude 0); positive incoming energy raises the trace from -2 towards +2
        inside = -2.0 - float(h.error_estimate) <= t < 2.0
    except (RuntimeError, FloatingPointError, OverflowError):  # the monodromy overflows: far outside
        trace, inside = f"inf (the monodromy overflows; max Theta- = {float(np.max(theta)):.3g})", False
    if not inside:
        raise ValueError(
            f"characteristic.pulses: the incoming energy takes spatial infinity beyond the conical-defect "
            f"range (Hill trace of Theta- at v -> +inf = {trace}, estimated at O(G); a deficit angle "
            f"below 2 pi needs |trace| < 2): lower the amplitudes or G = {G:g}")


def first_cone(p: dict, nx: int):
    sv = CharacteristicSolver(nx, p["nphi"], p["R"], p["G"], filter=p["filter"], order=p["order"])
    chi = sv.project(first_cone_data(sv.x, sv.phi, p))
    sv.rhs(chi)
    return sv.x, sv.phi, chi, sv.fields()["beta"]


def _cone_beta(p: dict, nx: int):
    """(x, R, beta) on the first cone of ``p`` (asymflat.pipeline.incoming_frame)."""
    x, _, _, beta = first_cone(p, nx)
    return x, p["R"], beta


#: time steps of a first-cut level (the code-frame scri+ stencils of the Bondi frame at the first cut
#: reach a few steps in; the shadow grid takes half)
FIRST_CUT_STEPS = 32


def run_level(lev: dict, progress=None, evolved: tuple | None = None, first_cut_only: bool = False) -> dict:
    """One ladder level: the main and shadow evolutions, then their Bondi frames and first cones.

    ``first_cut_only``: the level serves only the i0 matching, which reads the first scri+ cut and the
    first cone (module doc of asymflat.kinds.scattering): evolve FIRST_CUT_STEPS steps of the full
    run's du instead of to u_end.  ``evolved = (main buffers, shadow buffers or None)`` from a checkpoint
    (:mod:`asymflat.pipeline.ladder_checkpoint`): the evolutions are not run again but rebuilt
    from what they accumulated (bit-identical; the rest is computed from them as in a fresh run).
    """
    p = parse(lev["cfg"])
    p["incoming"], p["t_c"] = lev.get("incoming"), lev["t_c"]
    nx, R, cfl, G = p["nx"], p["R"], p["cfl"], p["G"]
    if lev.get("incoming_frame", "flat_cone") == "scri_minus" and p["incoming"] is not None and G > 0:
        p["incoming_table"] = p["incoming"]
        p["incoming"], p["incoming_fixed_point"] = scri_minus_fixed_point(
            p["incoming"], p["u0"], lambda table: _cone_beta(dict(p, incoming=table, _first_cone_cache={}), nx))
    L = p["u1"] - p["u0"]
    shadow = has_shadow(p)
    nsteps = step_count(L, nx, cfl, R, shadow)
    if first_cut_only and nsteps > FIRST_CUT_STEPS:
        p = dict(p, u1=p["u0"] + FIRST_CUT_STEPS * (L / nsteps))
        nsteps = FIRST_CUT_STEPS
    if evolved is not None:
        main = evolution_result(p, make_solver(p, nx), nsteps, evolved[0], 0)
        coarse = evolution_result(p, make_solver(p, nx // 2), nsteps // 2, evolved[1], 0) if shadow else None
    else:
        main = evolve(p, nx, nsteps, 1, 0, progress_fraction(progress, 0.0, 0.4))
        coarse = evolve(p, nx // 2, nsteps // 2, 1, 0, progress_fraction(progress, 0.4, 0.15)) if shadow else None
    scalar = has_scalar(p)
    B = bondi_pipeline(main, G, scalar)
    C = bondi_pipeline(coarse, G, scalar) if coarse else None
    out = dict(p=p, main=main, coarse=coarse, B=B, C=C, nsteps=nsteps, shadow=shadow)
    for key, n, bb in (("M", nx, B), ("Mc", nx // 2, C)):
        if bb is None:
            out[key] = None
            continue
        _progress.report(progress, 0.6 if key == "M" else 0.85)
        x, phi, chi, beta = first_cone(p, n)
        out[key] = scri_minus_from_cone(x, phi, R, p["u0"], chi, beta, G, bb["dt"], p["pulses"],
                                        psi0_minus=scri_minus_table(p))
        out[key]["beta_cone"] = beta
    # points per pulse width a (data: energy width) along the first cone at the pulse: dv/dx = 2R/(1-x)^2
    data = p["incoming"]
    a = min(float(q["a"]) for q in p["pulses"]) if data is None else energy_width(data)
    rp = max(0.0, (p["t_c"] - p["u0"]) / 2)
    out["points_per_a"] = a * nx / (2 * R / (1 - rp / (R + rp)) ** 2)
    return out


def scri_minus_table(p: dict):
    """psi0-(v) on the rays of the relabelled first cone from the incoming table (None for exact
    pulses, whose closed form is used): the table's own values at the flat advanced time v of each
    cone point, interpolated (asymflat.incoming.sampling.psi0_at).  At G = 0, v_B = v and this is
    the data D itself; at G > 0 it is the scri- radiation field of the spacetime evolved (the flat
    first cone of D), read on the relabelled rays, with the same approximation as the pulses'
    closed form (asymflat/scri/minus.py; docs/conventions.md section 11)."""
    from asymflat.incoming.sampling import psi0_at

    data = p.get("incoming")
    return None if data is None else (lambda v: psi0_at(data, v))


def i0_cuts(lv: dict, G: float):
    bf = lv["B"]["bf"]
    M = lv["M"]
    cp = ScriCut(bf.mass_aspect[0], bf.angular_momentum_aspect[0], "scri_plus", G)
    cm = ScriCut(M["theta"][-1], M["xi"][-1], "scri_minus", G)
    return cp, cm
