"""Matching across spatial infinity (``scattering``; conventions.md section 6): the charge and mode
residuals of the first scri+ cut against the antipodal last scri- cut per ladder level, their
u0 -> -inf extrapolation (:func:`extrapolate`), the frame-free invariants of the i0 state from both
sides and the first-cone superrotation link."""
from __future__ import annotations

import numpy as np

from asymflat.bms3 import ScriCut, hill, match, rest_frame_angular_momentum
from asymflat.bms3.charges import poincare_charges
from asymflat.bms3.spectral import shift
from asymflat.data import Check
from asymflat.pipeline.bondi_frame import is_circular
from asymflat.pipeline.estimates import EPS, SAFETY
from asymflat.pipeline.ladder import i0_cuts, main_index
from asymflat.pipeline.law_checks import theta_xi_roundoff
from asymflat.scri.first_cone_link import first_cone_superrotation, matched_frame, to_linked_frame

#: largest Fourier mode n of the matched mode charges P_n, J_n
NMAX = 10


def _resvec(res) -> np.ndarray:
    """Residual vector of a MatchingResult: charges, then |Theta_m|, |Xi_m| residual moduli."""
    return np.concatenate([res.charges_residual, np.abs(res.mass_aspect_mode_residual),
                           np.abs(res.angular_momentum_aspect_mode_residual)])


def _lim(D, Q, p, i, j):
    """q_inf of q = q_inf + C D^-p through levels i and j (p scalar or per component)."""
    hi, hj = D[i] ** -p, D[j] ** -p
    return (Q[j] * hi - Q[i] * hj) / (hi - hj)


def extrapolate(D, Q) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """u0 -> -inf limit of ladder values ``Q[level, component]`` at ``D = t_c - u0`` (levels ordered
    earliest first cone first, i.e. D decreasing).

    Three levels: per component, the model q = q_inf + C D^-p with p from the ratio of successive
    differences (p in [0.5, 4]), exact through the three levels.  Error model: the spread between two
    models that both fit the three levels exactly, the free exponent and the integer two-term
    expansion q_inf + C1/D + C2/D^2 (the 1/|u0| expansion of the cone data and of the relabelling;
    measured exponents 1.2 - 1.7 are mixtures of the two), i.e. est = |q_inf(p) - q_inf(1, 2)|.  A
    component whose differences change sign or do not decrease with D (round-off, or no convergence)
    gets p = nan, q_inf = the earliest-cone level and the level spread as its estimate (callers that
    gate must not credit that spread, see :func:`run`).  Four or more levels: the same through the
    three earliest cones (largest D, nearest the asymptotic regime), and the estimate also covers
    the extrapolation's own convergence, max(est, |q_inf(levels 1-3) - q_inf(levels 2-4)|).  Two
    levels: p = 1 and the estimate |q_inf - Q[0]| (loose).  Returns (q_inf, p, estimate), each per
    component.
    """
    D = np.asarray(D, float)
    Q = np.asarray(Q, float)
    nc = Q.shape[1]
    if len(D) == 1:
        return Q[0], np.full(nc, np.nan), np.full(nc, np.nan)
    if len(D) == 2:
        q = _lim(D, Q, 1.0, 0, 1)
        return q, np.ones(nc), np.abs(q - Q[0])
    if len(D) == 3:
        return _extrapolate3(D, Q, Q)
    q, p, est = _extrapolate3(D[:3], Q[:3], Q)
    q2, p2, _ = _extrapolate3(D[1:4], Q[1:4], Q)
    both = np.isfinite(p) & np.isfinite(p2)
    est[both] = np.maximum(est[both], np.abs(q[both] - q2[both]))
    return q, p, est


def _extrapolate3(D3, Q3, Q) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`extrapolate` through the three levels ``D3``, ``Q3``; ``Q`` (all levels) gives the
    fallback of a component that is not fitted (earliest cone, level spread)."""
    nc = Q3.shape[1]
    d1, d2 = Q3[0] - Q3[1], Q3[1] - Q3[2]
    ps = np.linspace(0.5, 4.0, 3501)
    f = (D3[0] ** -ps - D3[1] ** -ps) / (D3[1] ** -ps - D3[2] ** -ps)      # monotone in p
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = d1 / d2
    ok = np.isfinite(ratio) & (ratio > f.min()) & (ratio < f.max())
    p = np.full(nc, np.nan)
    p[ok] = ps[np.argmin(np.abs(f[None, :] - ratio[ok, None]), axis=1)]
    q = Q[0].copy()
    est = np.max(Q, axis=0) - np.min(Q, axis=0)
    if np.any(ok):
        q[ok] = _lim(D3, Q3[:, ok], p[ok], 0, 2)
        A = np.stack([np.ones(3), 1.0 / D3, 1.0 / D3 ** 2], axis=1)
        q12 = np.linalg.solve(A, Q3[:, ok])[0]
        est[ok] = np.abs(q[ok] - q12)
    return q, p, est


def match_across_i0(levels: list, runs: list, G: float, p: dict, mt: dict, summ: dict, checks: list):
    """Matching of the first scri+ cut against the last scri- cut on every ladder level (G > 0 with a
    scalar field): the main level's residuals into ``mt`` (``/matching``), the ladder and its u0 -> -inf
    limits (:func:`extrapolate`), the Poincare matching gates (circular symmetry), the Hill invariants
    at i0 and :func:`i0_invariants_and_link`.  Returns ``(matched, labels, q_inf)``: the main level's
    matched frame and status (for the memory), the charge labels and the limits of the charge residuals."""
    im = main_index(levels)
    L0 = runs[im]
    Mc = L0["Mc"]
    bf = L0["B"]["bf"]
    lad_res, lad_qp, lad_qm, hills = [], [], [], []
    res0 = None
    for k, (lv, r) in enumerate(zip(levels, runs)):
        cp, cm = i0_cuts(r, G)
        res = match(cp, cm, np.pi, NMAX, check_orbit=False)
        res0 = res if k == im else res0
        lad_res.append(_resvec(res))
        lad_qp.append(res.charges_plus)
        lad_qm.append(res.charges_minus)
        hills.append((hill(cp.theta, G=G), hill(cm.theta, G=G)))
    res = res0
    labels = res.charge_labels
    mt["phi"] = (res.phi, "1", "uniform grid 2 pi j / nphi")
    mt["mass_aspect_plus"] = (res.mass_aspect_plus, "1", f"Theta+ on the first cut u = {levels[im]['u0']}")
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
    npc = 6
    pp = pfit[:npc]
    kbig = int(np.argmax(np.abs(qinf[:npc])))
    summ["ladder_fitted_exponent"] = float(pp[kbig])
    summ["ladder_exponents_poincare"] = ", ".join(f"{lab}:{x:.2f}" for lab, x in zip(labels[:npc], pp))
    mt["limit/charges_residual_exponent"] = (pfit, "1", "fitted exponent p of q = q_inf + C D^-p (nan: not fitted)")
    # per-mode residual limits (complex: extrapolate real/imag parts)
    for nmk, key in (("mass_aspect", "theta"), ("angular_momentum_aspect", "xi")):
        vals = []
        for lv, r in zip(levels, runs):
            cp, cm = i0_cuts(r, G)
            rr = match(cp, cm, np.pi, NMAX, check_orbit=False)
            z = getattr(rr, f"{nmk}_mode_residual")
            vals.append(np.concatenate([z.real, z.imag]))
        lim, _, lest = extrapolate(D, np.array(vals))
        unit = "1" if key == "theta" else "length"
        mt[f"limit/{nmk}_mode_residual"] = (np.abs(lim[:nm] + 1j * lim[nm:]), unit,
                                            "|u0 -> -inf limit of the mode residual|")
        mt[f"limit/{nmk}_mode_residual_error"] = (np.hypot(lest[:nm], lest[nm:]), unit,
                                                  "error estimate of that limit (extrapolate)")
    # Poincare charge matching in the linked frames (G > 0): one check per generator where the
    # scri- relabelling is exact (circular symmetry), reported values otherwise
    exact_relabelling = is_circular(p)
    summ["matching_poincare_limit_max"] = float(np.max(np.abs(qinf[:npc])))
    summ["matching_poincare_level_max"] = ", ".join(f"{float(np.max(np.abs(q[:npc]))):.4g}"
                                                    for q in np.array(lad_qp) - np.array(lad_qm))
    if len(levels) >= 2:
        # shadow-grid truncation of the main-level charges, per generator
        tr = np.zeros(npc)
        if L0["C"] is not None and Mc is not None:
            cb = L0["C"]["bf"]
            cpc = ScriCut(cb.mass_aspect[0], cb.angular_momentum_aspect[0], "scri_plus", G)
            cmc = ScriCut(Mc["theta"][-1], Mc["xi"][-1], "scri_minus", G)
            rc = match(cpc, cmc, np.pi, NMAX, check_orbit=False)
            tr = np.abs(rc.charges_residual[:npc] - res.charges_residual[:npc]) / 15
        # round-off of a charge at the first cut: ROUNDOFF x nphi/2 x (1 + |u0|) x max aspect / (8G)
        amax = 1.0 + float(np.max(np.abs(res.mass_aspect_plus))) + float(np.max(np.abs(res.angular_momentum_aspect_plus)))
        rnd = 100 * EPS * (len(bf.phi) / 2) * (1 + abs(levels[im]["u0"])) * amax / (8 * G)
        meth = ("ladder: |q_inf(fitted p) - q_inf(1/D + 1/D^2)| + shadow grid/15 + round-off"
                if len(levels) >= 3 else "2-level ladder (p = 1): |limit - earliest level| + shadow grid/15 + round-off")
        # size of what each generator's check compares: the charges themselves, on every level
        qscale = np.max(np.maximum(np.abs(np.array(lad_qp)), np.abs(np.array(lad_qm))), axis=0)
        # the gate's error per generator: a generator whose ladder does not converge (differences not
        # decreasing: p = nan) gets no extrapolation credit, only truncation + round-off
        err = np.where(np.isfinite(pp) | (len(levels) < 3), qest[:npc], 0.0) + tr + rnd
        for k in range(npc):
            if exact_relabelling:
                checks.append(Check(f"matching_limit_{labels[k]}", float(qinf[k]), float(err[k]),
                                    SAFETY, meth, f"Q+ - Q-(linked) of {labels[k]}: first scri+ cut vs last scri- cut, "
                                    "extrapolated to u0 -> -inf", float(qscale[k])))
            else:  # reported, not gated: the frame link is exact only in circular symmetry (conventions 6.1)
                summ[f"matching_limit_{labels[k]}"] = float(qinf[k])
                summ[f"matching_limit_{labels[k]}_error_estimate"] = SAFETY * float(err[k])
        # what the extrapolation buys: |earliest-cone residual| / tolerance (< 1: the gate would also
        # accept the un-extrapolated residual, so it hardly tests the extrapolation)
        r0 = np.abs(np.asarray(lad_qp[0]) - np.asarray(lad_qm[0]))[:npc]
        summ["matching_limit_extrapolation_gain"] = ", ".join(
            f"{lab}:{float(a / (SAFETY * e)):.3g}" for lab, a, e, sc in zip(labels[:npc], r0, err, qscale)
            if sc > SAFETY * e)
        if not exact_relabelling:
            summ["matching_poincare_gate"] = (
                "reported, not gated: off circular symmetry the first cut's light-cone frame and the antipodally "
                "linked frame differ by an O(G) BMS3 transformation (docs/conventions.md 6.1); Poincare residuals "
                "O(G) x E_rad, E and p O(G^2) E_rad after the first-cone superrotation "
                "(matching/ladder/linked_*); frame-free invariants gated")
        summ["matching_poincare_limit_error"] = ", ".join(f"{lab}:{float(e):.3g}" for lab, e in zip(labels[:npc], err))
    # Hill invariants at i0 (both sides, main level) and at i+ (last scri+ cut)
    hp, hm = hills[im]
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
    matched0 = i0_invariants_and_link(levels, runs, G, D, mt, summ, checks, theta_xi_roundoff(bf)[1])
    return matched0, labels, qinf


def i0_invariants_and_link(levels, runs, G: float, D: np.ndarray, mt, summ: dict, checks: list,
                           xi_roundoff: float) -> tuple[dict | None, str]:
    """The rest-frame angular momentum of the i0 state from both sides (frame free,
    asymflat/bms3/invariants.py; gated like the Hill trace: ladder extrapolation + round-off) and,
    reported only, the matching in the frame carried by the first cone's superrotation
    (asymflat/scri/first_cone_link.py), per level and extrapolated in u0.  Returns the main level's
    :func:`matched_frame` (or None) and a status line, for :func:`_memory`."""
    im = main_index(levels)
    jp, jm, b0s, lres, lmod, gdiff, lth, mfs, lmax = [], [], [], [], [], [], [], [], []
    for r in runs:
        cp, cm = i0_cuts(r, G)
        try:
            jp.append(rest_frame_angular_momentum(cp.theta, cp.xi, G))
            jm.append(rest_frame_angular_momentum(cm.theta, cm.xi, G))
        except (ValueError, np.linalg.LinAlgError):  # Minkowski-like orbit (G E_rad below round-off): undefined
            jp.append(np.nan)
            jm.append(np.nan)
        b0 = np.asarray(r["M"]["beta_cone"][-1], dtype=float)
        b0s.append(b0)
        th, xi = to_linked_frame(cp.theta, cp.xi, b0)
        lth.append(th)
        rl = match(ScriCut(th, xi, "scri_plus", G), cm, np.pi, NMAX, check_orbit=False)
        lres.append(rl.charges_residual[:3])
        lmod.append(np.abs(rl.mass_aspect_mode_residual))
        lmax.append(float(np.max(np.abs(rl.mass_aspect_plus - rl.mass_aspect_minus_antipodal))))
        try:  # the exact matched frame against the first-order link: second order in G
            x = 2 * np.pi * np.arange(len(b0)) / len(b0)
            mf = matched_frame(cp.theta, cp.xi, shift(cm.theta, np.pi), shift(cm.xi, np.pi))
            dg = mf["G"](x) - first_cone_superrotation(b0)(x)
            gdiff.append(float(np.max(np.abs(dg - np.angle(np.mean(np.exp(1j * dg)))))))
            mfs.append((mf, "ok"))
        except (ValueError, RuntimeError, np.linalg.LinAlgError) as exc:  # not elliptic, or Hill failed
            gdiff.append(np.nan)
            mfs.append((None, f"not computed: {exc}"))
    jp, jm = np.array(jp), np.array(jm)
    mt["ladder/rest_frame_J_plus"] = (jp, "1/G", "J_rest of Theta+, Xi+ on the first scri+ cut (BMS3 invariant)")
    mt["ladder/rest_frame_J_minus"] = (jm, "1/G", "J_rest of Theta-, Xi- on the last scri- cut (BMS3 invariant)")
    mt["mass_aspect_plus_linked"] = (lth[im], "1", "Theta+ of the first cut (main level) after the first cone's "
                                     "superrotation (conventions 6.2)")
    mt["ladder/first_cone_beta0"] = (np.array(b0s), "1", "beta at scri+ on the first cone (sets the "
                                     "superrotation link, conventions 6.2)")
    mt["ladder/linked_charges_residual"] = (np.array(lres), "1/G", "E, p_x, p_y residual after the first-cone "
                                            "superrotation of the scri+ cut")
    mt["ladder/linked_mass_aspect_mode_residual"] = (np.array(lmod), "1", "|Theta+_m - (-1)^m Theta-_m| after "
                                                     "the first-cone superrotation")
    mt["ladder/matched_minus_linked_superrotation"] = (np.array(gdiff), "1", "max |G - F_link| (mod rotation): the "
                                                       "exact matched frame against the first-order link")
    mt["ladder/linked_mass_aspect_max_residual"] = (np.array(lmax), "1", "max over phi |Theta+(linked) - "
                                                    "Theta-(phi + pi)| per level (reported: O(G) off circular symmetry)")
    summ["linked_mass_aspect_max_residual"] = lmax[im]
    summ["matched_minus_linked_superrotation"] = float(gdiff[im])
    summ["i0_rest_frame_J_plus"] = float(jp[im])
    summ["i0_rest_frame_J_minus"] = float(jm[im])
    if np.all(np.isfinite(jp - jm)):
        jl, _, je = extrapolate(D, (jp - jm)[:, None])
        summ["i0_rest_frame_J_difference_limit"] = float(jl[0])
        summ["i0_rest_frame_J_difference_error"] = float(je[0])
        mt["limit/rest_frame_J_difference"] = (np.array([jl[0], je[0]]), "1/G", "u0 -> -inf limit, error estimate")
        # round-off: the Xi floor of the Bondi map (third phi-derivatives) / (4G), on both sides
        rnd = 2.0 * xi_roundoff / (4.0 * G)
        checks.append(Check("rest_frame_J_i0_plus_vs_minus", float(jl[0]), float(je[0]) + rnd, SAFETY,
                            "ladder extrapolation spread + Xi round-off / 4G",
                            "J_rest(Theta+, Xi+ first cut) - J_rest(Theta-, Xi- last cut), extrapolated to "
                            "u0 -> -inf (BMS3 invariant: the rest-frame spin of the i0 state)",
                            float(np.max(np.maximum(np.abs(jp), np.abs(jm))))))
    ll, _, le = extrapolate(D, np.array(lres))
    mt["limit/linked_charges_residual"] = (ll, "1/G", "u0 -> -inf limit of ladder/linked_charges_residual")
    mt["limit/linked_charges_residual_error"] = (le, "1/G", "error estimate of that limit")
    summ["matching_linked_limit"] = ", ".join(f"{k}:{float(v):.3g}" for k, v in zip(("E", "p_x", "p_y"), ll))
    return mfs[im]


def matching_summary(summ: dict, bf, G: float, labels, qinf) -> None:
    """The matching's summary lines: charge labels, Poincare charges at i+ (last scri+ cut), the
    extrapolated Poincare residuals."""
    summ["charge_labels"] = ", ".join(labels)
    for k, v in poincare_charges(bf.mass_aspect[-1], bf.angular_momentum_aspect[-1], G).items():
        summ[f"i_plus_{k}"] = float(v)
    for k, v in zip(labels[:6], qinf[:6]):
        summ[f"matching_limit_{k}"] = float(v)
    summ["matching"] = "antipodal phi -> phi + pi; first scri+ cut vs last scri- cut; ladder u0 -> -inf"
