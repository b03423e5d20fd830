"""Run kind ``scattering``: incoming exact pulses from scri-, evolved to scri+, matched across i0.

Configuration: the ``characteristic`` kind's keys (``G``, ``grid``, ``evolution.{u_end, cfl}``,
``characteristic.{pulses, circular, shadow_grid, radial_order, filter}``; ``compact`` pulses are
refused: scri- needs the closed form) and ``scattering.{first_cones, scale_R}``.
``evolution.u_start`` must equal ``first_cones[0]`` (the earliest cone: the main run).

Ladder.  One characteristic evolution (main + half-resolution shadow grid) per first-cone time
``u0_k``; with ``scale_R`` the compactification ``R_k = grid.R D_k / D_last``, ``D = t_c - u0``
(``t_c`` = latest pulse time t0), and the radial intervals ``nx_k`` scale alike so that the time
step ``du = cfl R h`` is the same on every level (the incoming pulse sits at x ~ 1/3 on every first
cone; its points per width ``a`` along the cone are in ``summary['ladder_points_per_a']``).

scri+: :func:`asymflat.kinds.characteristic._bondi` (Bondi frame with A(u0) = u0, B = phi: the
inertial time of the first cut).  scri-: :func:`asymflat.scri.minus.scri_minus_from_cone` (the
relabelled first cone; its docstring has the derivation), on uniform v_B cuts of step du.

Matching (conventions.md section 6; same layout as the vacuum kind, for the main level, plus
``ladder/...``): first scri+ cut (u = u0) against the last scri- cut (v_B = v_max, the cone point at
x = 0.8), per Fourier mode, for the Poincare and mode charges ``P_n, J_n`` (n <= 10).  Each level's
residual vector is stored; the u0 -> -inf limit is extrapolated from the last three (two) levels
with q = q_inf + C D^-p (p fitted from the largest component, clipped to [0.5, 4]; two levels:
p = 1).  Global balance per generator: Q+(i+) - Q-(i-) - (F-_in - F+_out) with the fluxes
integrated from the news (docs: physics-bms3.md section 6.1).

Checks (gates only): the characteristic scri+ checks of the main level (flux laws, balances,
monotonicity or the G = 0 exact checks), the scri- construction against closed forms where they
exist (G = 0: psi0^-; (c1): Theta^-), the Hill invariants of the final scri+ cut (Minkowski orbit:
trace -2 and winding 1) and of the i0 cuts from both sides, Poincare-charge matching of the
extrapolated ladder (G > 0).  Reported quantities go to /summary and /matching.
"""
from __future__ import annotations

import copy
import math
import time

import numpy as np

from asymflat.bms3 import ScriCut, hill, match
from asymflat.bms3.charges import poincare_charges
from asymflat.data import Check, RunData, ScriData
from asymflat.exact.pulses import pulse_psi0_scri_minus
from asymflat.kinds import characteristic as _ch
from asymflat.scri._numerics import cumulative_integral_uniform, dphi
from asymflat.scri.minus import scri_minus_from_cone
from solvers.characteristic.stepper import CharacteristicSolver

NMAX = 10
SAFETY = 3.0
EPS = float(np.finfo(float).eps)


def _levels(config: dict) -> list[dict]:
    sc = config["scattering"]
    cones = [float(c) for c in sc["first_cones"]]
    ev = config["evolution"]
    if float(ev["u_start"]) != cones[0]:
        raise ValueError(f"evolution.u_start = {ev['u_start']}: must equal scattering.first_cones[0] = "
                         f"{cones[0]} (the earliest first cone is the main run)")
    ch = config.get("characteristic") or {}
    if ch.get("compact"):
        raise ValueError("characteristic.compact: not allowed for kind scattering (scri- needs the "
                         "closed-form exact pulses)")
    pulses = list(ch.get("pulses") or []) + [dict(amplitude=c.get("amplitude", 1.0), a=c["a"])
                                              for c in (ch.get("circular") or [])]
    if not pulses:
        raise ValueError("characteristic.pulses: kind scattering needs at least one exact pulse")
    tc = max(float(p.get("t0", 0.0)) for p in pulses)
    amax = max(float(p["a"]) for p in pulses)
    if cones[-1] > tc - 2 * amax:
        raise ValueError(f"scattering.first_cones[-1] = {cones[-1]}: must be <= t0 - 2a = {tc - 2 * amax} "
                         "(the first cone must lie before the incoming pulses)")
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
        out.append(dict(u0=u0, D=D, R=R * s, nx=n_k, cfg=cfg))
    return out


def validate(config: dict) -> None:
    for lev in _levels(config):
        _ch._parse(lev["cfg"])


def _first_cone(p: dict, nx: int):
    sv = CharacteristicSolver(nx, p["nphi"], p["R"], p["G"], filter=p["filter"], order=p["order"])
    chi = sv.project(_ch.initial_chi(sv.x, sv.phi, p["u0"], p["R"], p["pulses"], p["compact"]))
    sv.rhs(chi)
    return sv.x, sv.phi, chi, sv.fields()["beta"]


def _run_level(lev: dict, progress=None) -> dict:
    p = _ch._parse(lev["cfg"])
    nx, R, cfl, G = p["nx"], p["R"], p["cfl"], p["G"]
    L = p["u1"] - p["u0"]
    shadow = p["shadow"] and nx % 2 == 0 and nx // 2 >= 16
    nsteps = (2 * max(_ch.MIN_STEPS, math.ceil(L * (nx // 2) / (cfl * R) - 1e-9)) if shadow
              else max(_ch.MIN_STEPS, math.ceil(L * nx / (cfl * R) - 1e-9)))
    main = _ch._evolve(p, nx, nsteps, 1, 0)
    coarse = _ch._evolve(p, nx // 2, nsteps // 2, 1, 0) if shadow else None
    scalar = _ch._has_scalar(p)
    B = _ch._bondi(main, G, scalar)
    C = _ch._bondi(coarse, G, scalar) if coarse else None
    out = dict(p=p, main=main, coarse=coarse, B=B, C=C, nsteps=nsteps, shadow=shadow)
    for key, n, bb in (("M", nx, B), ("Mc", nx // 2, C)):
        if bb is None:
            out[key] = None
            continue
        x, phi, chi, beta = _first_cone(p, n)
        out[key] = scri_minus_from_cone(x, phi, R, p["u0"], chi, beta, G, bb["dt"], p["pulses"])
        out[key]["beta_cone"] = beta
    # points per pulse width a along the first cone at the pulse: dv/dx = 2R/(1-x)^2
    a = min(float(q["a"]) for q in p["pulses"])
    rp = max(0.0, (max(float(q.get("t0", 0.0)) for q in p["pulses"]) - p["u0"]) / 2)
    out["points_per_a"] = a * nx / (2 * R / (1 - rp / (R + rp)) ** 2)
    return out


def _cuts(lv: dict, G: float):
    bf = lv["B"]["bf"]
    M = lv["M"]
    cp = ScriCut(bf.mass_aspect[0], bf.angular_momentum_aspect[0], "scri_plus", G)
    cm = ScriCut(M["theta"][-1], M["xi"][-1], "scri_minus", G)
    return cp, cm


def _resvec(res) -> np.ndarray:
    """Residual vector of a MatchingResult: charges, then |Theta_m|, |Xi_m| residual moduli."""
    return np.concatenate([res.charges_residual, np.abs(res.mass_aspect_mode_residual),
                           np.abs(res.angular_momentum_aspect_mode_residual)])


def extrapolate(D, Q) -> tuple[np.ndarray, float, np.ndarray]:
    """q(D) = q_inf + C D^-p from the last three levels (p from the largest component, clipped to
    [0.5, 4]) or two (p = 1).  Returns (q_inf, p, error estimate |q_inf(p) - q_inf(p/2 or p = 1)|)."""
    D = np.asarray(D, float)
    Q = np.asarray(Q, float)
    if len(D) == 1:
        return Q[0], float("nan"), np.full_like(Q[0], np.nan)

    def lim(p, i, j):
        hi, hj = D[i] ** -p, D[j] ** -p
        return (Q[j] * hi - Q[i] * hj) / (hi - hj)

    if len(D) == 2:
        q = lim(1.0, 0, 1)
        return q, 1.0, np.abs(q - Q[0])
    d1, d2 = Q[-3] - Q[-2], Q[-2] - Q[-1]
    k = int(np.argmax(np.abs(d1)))
    ratio = d1[k] / d2[k] if d2[k] != 0 else np.nan
    ps = np.linspace(0.5, 4.0, 3501)
    f = [(D[-3] ** -pp - D[-2] ** -pp) / (D[-2] ** -pp - D[-1] ** -pp) for pp in ps]
    p = float(ps[np.argmin(np.abs(np.array(f) - ratio))]) if np.isfinite(ratio) and ratio > 0 else 1.0
    q = lim(p, -3, -1)
    est = np.abs(q - lim(p, -2, -1)) + np.abs(q - lim(max(0.5, p - 1), -3, -1))
    return q, p, est


def _fluxes_plus(bf, G):
    """F+_{T,Y} for the charge table generators (scri+ news), incl. the total-derivative term."""
    t, phi = bf.time, bf.phi
    dt = t[1] - t[0]
    nw, ps = bf.news, bf.psi0
    return _flux_table(t, phi, nw, ps, dt, +1)


def _flux_table(t, phi, nw, ps, dt, sign):
    """sum over the charge table: int dt oint [(T + tY')news^2 + Y news psi0'] - (1/8) oint Y d_phi psi0^2 |ends.
    Generators of the scri+ table (sign=+1) or the linked ones at scri- (sign=-1: phi -> phi + pi)."""
    from asymflat.bms3.charges import POINCARE_NAMES, _POINCARE_PLUS, poincare_generator
    shift = 0.0 if sign > 0 else np.pi
    gens = []
    for name in POINCARE_NAMES:
        T, Y = poincare_generator(name, phi + shift, "scri_plus")
        gens.append((np.asarray(T, float) + 0j, np.asarray(Y, float) + 0j, _POINCARE_PLUS[name][1], True))
    for n in range(NMAX + 1):
        e = np.exp(1j * n * (phi + shift))
        gens.append((e, 0 * e, 1.0, False))
        gens.append((0 * e, e, 1.0, False))
    n2 = nw ** 2
    j = nw * dphi(ps)
    bnd = dphi(ps ** 2)
    vals = []
    for T, Y, sgn, real in gens:
        Yp = np.fft.ifft(1j * np.fft.fftfreq(len(phi), 1.0 / len(phi)) * np.fft.fft(Y))
        dens = 2 * np.pi * np.mean((T[None] + t[:, None] * Yp[None]) * n2 + Y[None] * j, axis=1)
        tot = cumulative_integral_uniform(dens.real, dt)[-1] + 1j * cumulative_integral_uniform(dens.imag, dt)[-1]
        b = 2 * np.pi * np.mean(Y * (bnd[-1] - bnd[0])) / 8
        v = sgn * (tot - b)
        if real:
            vals.append(float(np.real(v)))
        else:
            vals += [float(np.real(v)), float(np.imag(v))]
    return np.array(vals)


def run(config: dict, progress=None) -> RunData:
    """Run the scattering kind on a validated config (module doc)."""
    t_wall = time.time()
    levels = _levels(config)
    G = float(config["G"])
    runs = []
    for i, lev in enumerate(levels):
        runs.append(_run_level(lev))
        if progress is not None:
            progress((i + 1) / len(levels))
    L0 = runs[0]
    p, B, C = L0["p"], L0["B"], L0["C"]
    bf = B["bf"]
    checks: list[Check] = []
    summ: dict = {"kind": "scattering", "first_cones": ", ".join(f"{lv['u0']:g}" for lv in levels),
                  "ladder_R": ", ".join(f"{lv['R']:g}" for lv in levels),
                  "ladder_nx_intervals": ", ".join(str(lv["nx"]) for lv in levels),
                  "ladder_points_per_a": ", ".join(f"{r['points_per_a']:.3g}" for r in runs),
                  "du": float(B["dt"]), "nsteps_main": int(L0["nsteps"]), "shadow_grid": int(L0["shadow"]),
                  "bondi_frame_plus": "A(u0) = u0, B = phi on the first cut (inertial time of the first cut)",
                  "bondi_frame_minus": "v_B = u0 + int 2 e^{2 beta} dr along the first cone (vertex frame near i-)"}
    scalar = _ch._has_scalar(p)
    if G > 0 and scalar:
        _ch._law_checks(B, C, G, checks, summ)
    else:
        _ch._vacuum_checks(B, C, checks)
    _ch._exact_checks(p, L0["main"], L0["coarse"], B, C, checks, summ)
    summ["kind"] = "scattering"

    M, Mc = L0["M"], L0["Mc"]
    # --- scri- construction against closed forms ---------------------------------------------
    if G == 0:
        ex = pulse_psi0_scri_minus(M["times"][:, None], bf.phi[None, :], p["pulses"])
        val = float(np.max(np.abs(M["psi0"] - ex)))
        checks.append(Check("scri_minus_psi0_vs_exact", val, EPS * 100 * (1 + float(np.max(np.abs(ex)))) +
                            (float(np.max(np.abs(M["times"][:, None] - M["v"]))) * float(np.max(np.abs(M["news"])))),
                            SAFETY, "round-off + |v_B - v| x max|news| (G = 0: v_B = v exactly)",
                            "max |psi0^- - closed form| on the scri- grid"))
    if G > 0 and _ch._is_circular(p) and len(p["pulses"]) == 1:
        q = p["pulses"][0]
        eps, a, t0 = float(q["amplitude"]), float(q["a"]), float(q.get("t0", 0.0))
        # exact: beta0^-(v) = beta0^+(-(v - t0)) (c1 is time symmetric about t0), Theta^- = -e^{-2 beta0^-}
        thx = -np.exp(-2 * _ch.beta0_circular(-(M["v"] - t0), eps, a, G))
        val = float(np.max(np.abs(M["theta"] - thx)))
        cv = np.nan
        if Mc is not None:
            thc = -np.exp(-2 * _ch.beta0_circular(-(Mc["v"] - t0), eps, a, G))
            cv = float(np.max(np.abs(Mc["theta"] - thc)))
        summ["scri_minus_Theta_vs_exact"] = val
        summ["scri_minus_Theta_vs_exact_shadow"] = cv
        if len(runs) > 1:
            M2 = runs[1]["M"]
            th2 = -np.exp(-2 * _ch.beta0_circular(-(M2["v"] - t0), eps, a, G))
            v2 = float(np.max(np.abs(M2["theta"] - th2)))
            summ["scri_minus_Theta_vs_exact_level2"] = v2
            # error model: finite-u0 error C/D^p (p >= 1 measured over the ladder) + truncation
            est = v2 * levels[1]["D"] / levels[0]["D"] + cv / 15
            checks.append(Check("scri_minus_Theta_vs_exact_c1", val, est, SAFETY,
                                "ladder: level-2 value x D2/D1 (O(1/|u0|)) + shadow/15",
                                "max |Theta^- (relabelled first cone + scri- flux law) + exp(-2 beta0^-(v))| (c1)"))

    # --- matching per level, ladder, extrapolation ---------------------------------------------
    data = RunData()
    mt = data.matching
    lad_res, lad_qp, lad_qm, hills = [], [], [], []
    res0 = None
    for lv, r in zip(levels, runs):
        if G <= 0 or not scalar:
            break
        cp, cm = _cuts(r, G)
        res = match(cp, cm, np.pi, NMAX, check_orbit=False)
        res0 = res0 or res
        lad_res.append(_resvec(res))
        lad_qp.append(res.charges_plus)
        lad_qm.append(res.charges_minus)
        hills.append((hill(cp.theta, G=G), hill(cm.theta, G=G)))
    if res0 is not None:
        res = res0
        labels = res.charge_labels
        mt["phi"] = (res.phi, "1", "uniform grid 2 pi j / nphi")
        mt["mass_aspect_plus"] = (res.mass_aspect_plus, "1", f"Theta+ on the first cut u = {levels[0]['u0']}")
        mt["mass_aspect_minus_antipodal"] = (res.mass_aspect_minus_antipodal, "1",
                                             "Theta-(phi + pi) on the last scri- cut of the relabelled first cone")
        mt["angular_momentum_aspect_plus"] = (res.angular_momentum_aspect_plus, "length", "Xi+ on the same cut")
        mt["angular_momentum_aspect_minus_antipodal"] = (res.angular_momentum_aspect_minus_antipodal, "length",
                                                         "Xi-(phi + pi) on the same scri- cut")
        mt["modes_m"] = (res.modes_m.astype(float), "1", "Fourier mode numbers m")
        mt["mass_aspect_mode_residual"] = (np.abs(res.mass_aspect_mode_residual), "1", "|Theta+_m - (-1)^m Theta-_m|")
        mt["angular_momentum_aspect_mode_residual"] = (np.abs(res.angular_momentum_aspect_mode_residual), "length",
                                                       "|Xi+_m - (-1)^m Xi-_m|")
        mt["charge_generators"] = (np.arange(len(labels), dtype=float), "1", "index into summary charge_labels")
        mt["charges_plus"] = (res.charges_plus, "1/G", "Q+ on the first scri+ cut (main level)")
        mt["charges_minus"] = (res.charges_minus, "1/G", "Q- (linked generators) on the last scri- cut")
        mt["charges_residual"] = (res.charges_residual, "1/G", "charges_plus - charges_minus")
        D = np.array([lv["D"] for lv in levels])
        mt["ladder/u0"] = (np.array([lv["u0"] for lv in levels]), "length", "first-cone times")
        mt["ladder/D"] = (D, "length", "t_c - u0")
        mt["ladder/charges_plus"] = (np.array(lad_qp), "1/G", "charge table on the first scri+ cut per level")
        mt["ladder/charges_minus"] = (np.array(lad_qm), "1/G", "charge table on the last scri- cut per level")
        mt["ladder/charges_residual"] = (np.array(lad_qp) - np.array(lad_qm), "1/G", "per level")
        nm = len(res.modes_m)
        Rm = np.array(lad_res)
        mt["ladder/mass_aspect_mode_residual"] = (Rm[:, len(labels):len(labels) + nm], "1", "per level")
        mt["ladder/angular_momentum_aspect_mode_residual"] = (Rm[:, len(labels) + nm:], "length", "per level")
        qinf, pfit, qest = extrapolate(D, np.array(lad_qp) - np.array(lad_qm))
        mt["limit/charges_residual"] = (qinf, "1/G", "u0 -> -inf extrapolation of the charge residual")
        mt["limit/charges_residual_error"] = (qest, "1/G", "error estimate of that extrapolation")
        summ["ladder_fitted_exponent"] = pfit
        # per-mode residual limits (complex: extrapolate real/imag parts)
        for nmk, key in (("mass_aspect", "theta"), ("angular_momentum_aspect", "xi")):
            vals = []
            for lv, r in zip(levels, runs):
                cp, cm = _cuts(r, G)
                rr = match(cp, cm, np.pi, NMAX, check_orbit=False)
                z = getattr(rr, f"{nmk}_mode_residual")
                vals.append(np.concatenate([z.real, z.imag]))
            lim, _, _ = extrapolate(D, np.array(vals))
            mt[f"limit/{nmk}_mode_residual"] = (np.abs(lim[:nm] + 1j * lim[nm:]), "1" if key == "theta" else "length",
                                                "|u0 -> -inf limit of the mode residual|")
        # Poincare charge matching in the linked frames (gate, G > 0)
        npc = 6
        scale = float(np.max(np.abs(qinf[:npc]))) if np.all(np.isfinite(qinf)) else np.nan
        summ["matching_poincare_limit_max"] = float(np.max(np.abs(qinf[:npc])))
        summ["matching_poincare_level_max"] = ", ".join(f"{float(np.max(np.abs(q[:npc]))):.4g}"
                                                        for q in np.array(lad_qp) - np.array(lad_qm))
        if len(levels) >= 2:
            ep = float(np.max(qest[:npc]))
            # shadow-grid truncation of the main-level charges
            cpc, cmc = None, None
            if L0["C"] is not None and Mc is not None:
                cb = L0["C"]["bf"]
                cpc = ScriCut(cb.mass_aspect[0], cb.angular_momentum_aspect[0], "scri_plus", G)
                cmc = ScriCut(Mc["theta"][-1], Mc["xi"][-1], "scri_minus", G)
                rc = match(cpc, cmc, np.pi, NMAX, check_orbit=False)
                ep += float(np.max(np.abs(rc.charges_residual[:npc] - res.charges_residual[:npc]))) / 15
            checks.append(Check("matching_poincare_charges_limit", float(np.max(np.abs(qinf[:npc]))), ep + EPS / G,
                                SAFETY, "ladder extrapolation spread + shadow grid/15",
                                "max over E, p, J, K of |Q+(u0 -> -inf) - Q-(v -> +inf)| (extrapolated)"))
        # Hill invariants at i0 (both sides, main level) and at i+ (last scri+ cut)
        hp, hm = hills[0]
        summ["hill_trace_i0_plus"] = float(hp.trace)
        summ["hill_trace_i0_minus"] = float(hm.trace)
        summ["hill_winding_i0_plus"] = float(hp.winding)
        summ["hill_winding_i0_minus"] = float(hm.winding)
        trl = np.array([[h[0].trace - h[1].trace] for h in hills])
        tlim, _, test = extrapolate(D, trl)
        summ["hill_trace_i0_difference_levels"] = ", ".join(f"{float(t[0]):.3e}" for t in trl)
        checks.append(Check("hill_trace_i0_plus_vs_minus", float(tlim[0]),
                            float(test[0]) + hp.error_estimate + hm.error_estimate, SAFETY,
                            "ladder extrapolation spread + integrator tolerance",
                            "tr M(Theta+ first cut) - tr M(Theta- last cut), extrapolated to u0 -> -inf"))
        # (the i0 state is a conical-defect-like orbit: its winding is mu, not an integer: reported)
        summ["hill_winding_i0_difference"] = float(hp.winding - hm.winding)
        hf = hill(bf.mass_aspect[-1], G=G)
        hfc = hill(C["bf"].mass_aspect[-1], G=G) if C else None
        est = abs(hf.trace - hfc.trace) / 15 if hfc else np.nan
        summ["hill_trace_i_plus"] = float(hf.trace)
        summ["hill_winding_i_plus"] = float(hf.winding)
        checks.append(Check("final_state_hill_trace", hf.trace + 2.0, est + hf.error_estimate + 1e-12, SAFETY,
                            "shadow grid /15 + integrator tolerance",
                            "tr M + 2 of Theta+ on the last cut (final state on the Minkowski orbit)"))
        checks.append(Check("final_state_hill_winding", abs(hf.winding - 1.0), 0.05, 1.0, "integer invariant",
                            "|winding - 1| of the final Hill solution curve (Minkowski, not a cover)"))
        # global balance, generator by generator (main level)
        Fp = _flux_table(bf.time, bf.phi, bf.news, bf.psi0, B["dt"], +1)
        Fm = _flux_table(M["times"], bf.phi, M["news"], M["psi0"], B["dt"], -1)
        _, qend = _table(bf.mass_aspect[-1], bf.angular_momentum_aspect[-1], G, "scri_plus")
        _, qi = _table(M["theta"][0], M["xi"][0], G, "scri_minus")
        # dQ-/dv = +flux: F- has the scri+ integrand with the linked generators (phi -> phi + pi)
        gb = (qend - qi) - (Fm - Fp)
        mt["balance/flux_plus"] = (Fp, "1/G", "F+_{T,Y}: outgoing flux per generator (scri+ news)")
        mt["balance/flux_minus"] = (Fm, "1/G", "F-_{T o A, Y o A}: incoming flux per generator")
        mt["balance/Q_i_plus"] = (qend, "1/G", "charges on the last scri+ cut")
        mt["balance/Q_i_minus"] = (qi, "1/G", "charges on the first scri- cut (vacuum)")
        mt["balance/residual"] = (gb, "1/G", "Q+(i+) - Q-(i-) - (F- - F+) per generator")
        summ["global_balance_max_poincare"] = float(np.max(np.abs(gb[:6])))
        summ["global_balance_max"] = float(np.max(np.abs(gb)))
        summ["charge_labels"] = ", ".join(labels)
        for k, v in poincare_charges(bf.mass_aspect[-1], bf.angular_momentum_aspect[-1], G).items():
            summ[f"i_plus_{k}"] = float(v)
        for k, v in zip(labels[:6], qinf[:6]):
            summ[f"matching_limit_{k}"] = float(v)
        summ["matching"] = "antipodal phi -> phi + pi; first scri+ cut vs last scri- cut; ladder u0 -> -inf"

    # --- scri- and scri+ data ----------------------------------------------------------------
    every = p["scri_every"]
    sel = np.arange(0, len(bf.time), every)
    data.scri_plus = ScriData(name="scri_plus", time=bf.time[sel], phi=bf.phi, mass_aspect=bf.mass_aspect[sel],
                              angular_momentum_aspect=bf.angular_momentum_aspect[sel], N=bf.N[sel],
                              news=bf.news[sel], psi0=bf.psi0[sel],
                              extra={"Nhat": (bf.Nhat[sel], "length", "N - pi G d_phi psi0^2")})
    ms = np.arange(0, len(M["times"]), every)
    data.scri_minus = ScriData(
        name="scri_minus", time=M["times"][ms], phi=bf.phi, mass_aspect=M["theta"][ms],
        angular_momentum_aspect=M["xi"][ms], N=M["N"][ms], news=M["news"][ms], psi0=M["psi0"][ms],
        extra={"cone/v_flat": (M["v"][ms], "length", "u0 + 2r of the cone point on each ray (vertex inertial frame)"),
               "cone/r": (M["r"][ms], "length", "areal radius of the first-cone point"),
               "cone/beta": (M["beta"][ms], "1", "beta on the first cone at that point (-> beta0^-)"),
               "cone/psi0_raw": (M["psi0_cone"][ms], "length^0 G^-1/2", "sqrt(r) psi on the cone (uncorrected)"),
               "Nhat": (M["nhat"][ms], "length", "N^- + pi G d_phi psi0^2")})
    summ["scri_minus_psi0_raw_minus_corrected_max"] = float(np.max(np.abs(M["psi0_cone"] - M["psi0"])))
    summ["scri_minus_v_end"] = float(M["times"][-1])
    if G > 0 and scalar:
        summ["scri_minus_E_final"] = float(np.real(np.mean(M["theta"][-1])) * 2 * np.pi / (16 * np.pi * G))
    data.series["u_bondi"] = (bf.time[sel], "length", "Bondi time of the scri+ cuts")
    if "charges" in B:
        for k in ("E", "J", "p_x", "p_y", "K_x", "K_y"):
            data.series[k] = (B["charges"][k][sel], "1/G", f"scri+ charge {k}")
    summ["wall_time_s"] = time.time() - t_wall
    data.checks = checks
    data.summary = summ
    return data


def _table(theta, xi, G, chart):
    from asymflat.bms3.matching import charge_table
    return charge_table(ScriCut(theta, xi, chart, G), NMAX, np.pi if chart == "scri_minus" else 0.0)

