"""``/scri_plus_final_frame`` of a scattering run: the outgoing data in the frame of the final vacuum
(docs/format.md; the frame-fixing rule: docs/conventions.md section 11.2).

The final vacuum near i+ is (F, gamma) . (-1, 0) in the run's scri+ Bondi frame (the frame of the
first cut, in which /matching is computed), with (F, gamma) the BMS3 map that /memory recovers
modulo Poincare.  Carried by it, i+ is standard Minkowski (Theta = -1, Xi = 0); this is the frame
``incoming_from`` and ``asymflat reverse`` reflect, so that the next run starts from a standard i-
vacuum.

* G = 0: Theta+ = -1 and Xi+ = 0 on every cut (the flux laws have no source), so the final vacuum
  is standard Minkowski in the first cut's frame: the map is the identity (F = phi, gamma = 0,
  checked: ``identity_residual`` = max |Theta+ + 1| + max |Xi+| on the last cut, and the Poincare
  freedom is fixed by the i0 link, which is the identity at G = 0) and the carried data are the
  /scri_plus data themselves.
* G > 0: /memory's map is stored (F - phi, gamma) and the vertex rule below fixes its Poincare part.
  In circular symmetry (the transport's B = phi) the data are relabelled by the rule's time
  translation; otherwise psi0, news, Theta, Xi are carried by the vertex element L
  (asymflat/scri/carry.py: old = the run's frame, new = the final frame; phi_run = F_L(phi),
  u_run = F_L'(phi)(u + gamma_L(phi))) onto a uniform grid with the run's step, and the group stores
  the checks of :func:`carried_checks` and the gates of :func:`final_frame_checks` (docs/format.md).

**Time-symmetric frame-fixing rule** (docs/conventions.md section 11.2): /memory fixes (F, gamma) only
modulo Poincare.  The Poincare part is fixed so that the final frame is the vertex's frame at late
times -- the mirror of the scri- convention v_B - v -> 0 at i- (the vertex frame near i-).  On the
last code cut the code coordinates (u, phi) of the late light cone of the vertex are a Bondi frame
of the final Minkowski vacuum; the transport there is the element L = (B, A / B' - u) (old = the
run's Bondi frame, new = the vertex frame; :func:`vertex_element`), so Q = M . L (M = /memory's map,
old = standard, new = run) is Poincare up to /memory's and the transport's errors.  Split
Q = P . R (asymflat/bms3/poincare.py): the final frame M^-1 . P = L . R^-1 is the vertex frame of the
last cut up to R, and the data are carried by L itself -- the small, smooth element of the transport
rather than the composite of /memory's canonical map (which carries its large Poincare part and its
Fourier noise floor, 3e-10 at the Nyquist mode, which the carry's S' amplifies by m^4 u) with P.  R
(``late_frame_remainder_F``, ``late_frame_remainder_gamma``) is the stored cross-check of /memory's
map against the transport; ``vertex_frame_drift_*`` the tail left at the last cut.  At G > 0 this removes the
time translation s = lim (A(u) - u) between the run's first-cut Bondi time and the vertex time
(16 pi G E_in (t_c - u0) in circular symmetry), so that the time reflection maps the output
convention onto the input one.  In circular symmetry P is a pure time translation and the data are
relabelled exactly (u_final = u_B - s; Xi + (s/2) d_phi Theta).

**Gate**: ``status = "ok"`` only when the carried checks hold (:func:`check_failures`); otherwise
the status names the failing checks and ``incoming_from`` / ``asymflat reverse`` refuse the group.
"""
from __future__ import annotations

import numpy as np

from asymflat.bms3.action import BMS3Element
from asymflat.bms3.poincare import PoincareSplit, poincare_part
from asymflat.bms3.spectral import as_series, phi_grid
from asymflat.data import SCRI_DATASETS, Check
from asymflat.pipeline.estimates import SAFETY, shadow_richardson
from asymflat.scri._numerics import dphi
from asymflat.scri.carry import carry, last_cut_against_vacuum, xi_flux_residual
from asymflat.scri.flux import flux_residuals_bondi

# The vertex element L is a pure time translation (circular symmetry: the transport's B = phi,
# exactly in the continuum) when its F - phi is zero and its gamma constant to round-off: both are
# sums of O(1) terms computed in double precision, so deviations below these are rounding.
TIME_TRANSLATION_F_TOL = 1e-14        # max|F_L - phi| (rad)
TIME_TRANSLATION_GAMMA_RTOL = 1e-13   # ptp(gamma_L) relative to max(1, |gamma_L|)
#: the frame-fixing rule, stored with the map
FRAME_RULE = ("(F, gamma) of /memory (canonical mod Poincare: F(0) = 0, F'(0) = 1, F''(0) = 0, gamma free "
              "of |m| <= 1) followed by the Poincare element P that makes the vertex's last code cut the "
              "identity (time-symmetric rule: u_final - u_vertex -> 0 at i+, as v_B - v -> 0 at i-; "
              "docs/conventions.md 11.2)")



def _carry_identity(ds: dict, attrs: dict, sp, B: dict, C: dict | None, map_text: str, shift: float = 0.0) -> None:
    """The identity map, or a pure time translation by ``shift`` (u_final = u_B - shift): the carried
    data are the /scri_plus cuts themselves, relabelled (Xi_final = Xi + (shift/2) d_phi Theta)."""
    desc_u = "Bondi retarded time of the final frame (= /scri_plus/u" + (f" - {shift:.17g})" if shift else ")")
    ds["u"] = (sp.time - shift if shift else sp.time, "length", desc_u)
    for key in ("psi0", "news", "mass_aspect", "angular_momentum_aspect"):
        units, desc = SCRI_DATASETS[key]
        val = getattr(sp, key)
        if key == "angular_momentum_aspect" and shift:
            val = val + 0.5 * shift * dphi(sp.mass_aspect)
        ds[key] = (val, units, f"{desc.replace('(t,', '(u,')}, final-vacuum frame")
    attrs["map"] = map_text
    attrs["status"] = "ok"
    attrs["psi0_error_estimate"] = shadow_richardson(B["bf"].psi0, C["bf"].psi0 if C else None)


def vertex_element(code: dict, i: int = -1) -> BMS3Element:
    """The vertex frame on code cut ``i`` as a BMS3 element L (old = the run's scri+ Bondi frame,
    new = the code coordinates of that cut): phi_B = B(u_i, phi) = F_L(phi) and
    u_B = A(u_i, phi) = F_L'(phi)(u_i + gamma_L(phi)), so gamma_L = A / F_L' - u_i (module doc;
    exact where the cut's light cone is a cone of Minkowski space, i.e. after the radiation)."""
    from asymflat.bms3 import diffeo
    from asymflat.bms3.spectral import TrigSeries

    bper, A, u = np.asarray(code["B_minus_phi"][i], float), np.asarray(code["A"][i], float), float(code["u"][i])
    FL = diffeo.from_grid(bper, "B (code cut)")
    x = phi_grid(len(bper))
    return BMS3Element(FL, TrigSeries.from_grid(A / FL.d(x, 1) - u))


def vertex_split(M: BMS3Element, code: dict) -> tuple[BMS3Element, PoincareSplit, dict, dict]:
    """L of the last code cut, Q = M . L and its split Q = P . R (module doc), with the attributes
    that report it and the datasets of L; ``vertex_frame_drift_*``: the change of P's time translation
    and rotation from the cut at three quarters of the code range to the last (the late-time tail)."""
    n = np.asarray(code["A"]).shape[1]
    L = vertex_element(code)
    sp = poincare_part(M.then(L))
    k = int(0.75 * (len(code["u"]) - 1))
    sk = poincare_part(M.then(vertex_element(code, k)))
    a0, a1, b1 = sp.translation
    at = dict(vertex_u=float(code["u"][-1]), time_origin_shift=a0, poincare_rotation=sp.theta,
              poincare_rapidity=sp.rapidity, poincare_direction=sp.direction, poincare_translation_cos=a1,
              poincare_translation_sin=b1, late_frame_remainder_F=sp.remainder_F,
              late_frame_remainder_gamma=sp.remainder_gamma, vertex_frame_drift_u=float(code["u"][k]),
              vertex_frame_drift_time=abs(a0 - sk.translation[0]),
              vertex_frame_drift_angle=abs(sp.theta - sk.theta))
    x = phi_grid(n)
    ds = {"vertex_F_minus_phi": (np.asarray(code["B_minus_phi"][-1], float), "rad",
                                 "F_L - phi: Bondi angle of the vertex's last code cut (transport B - phi)"),
          "vertex_gamma": (L.gamma(x), "length", "gamma_L = A / F_L' - u of the vertex's last code cut")}
    return L, sp, at, ds


def final_frame_checks(at: dict) -> list[Check]:
    """The gates of a carried group as run checks (docs/conventions.md 11.2; ``asymflat check`` lists
    them): i+ standard, ``final_frame_i_plus_theta`` / ``_xi`` (max|Theta + 1|, max|Xi| on the last
    carried cut against the final state + scale), and the carried Theta and N laws,
    ``final_frame_flux_theta`` / ``_N`` (absolute, against the run's own residuals transported by the
    map, ``flux_*_bound`` of :func:`carried_checks`); tolerance SAFETY x estimate.  The Xi law is not
    gated separately: R_Xi = R_N - (u/2) d_phi R_Theta in either frame (Xi = N - (u/2) Theta').
    Also ``final_frame_reaches_i_plus`` (the radiation not yet gone at the last carried cut within
    SAFETY x that at the run's own last cut, weighted by max F_L'^2: a carried range that stops short of
    i+ makes the i+ gates vacuous), ``final_frame_memory_map_determined`` (/memory's error estimate of
    gamma below max|gamma|, safety 1) and ``final_frame_poincare_remainder_F`` / ``_gamma`` (R within
    /memory's error estimate of its map).  Scales (what is compared): the run's own last cut,
    max|Theta + 1|, max|Xi| (what the map removes), the map itself, and the largest term of each law
    in the carried frame."""
    out = []
    for q, what in (("theta", "max|Theta + 1|"), ("xi", "max|Xi|")):
        out.append(Check(f"final_frame_i_plus_{q}", float(at[f"i_plus_{q}_residual"]),
                         float(at[f"final_state_{q}_residual"] + at[f"i_plus_{q}_scale"]), SAFETY,
                         "final state carried + radiation not yet gone at the last cut",
                         f"/scri_plus_final_frame: {what} on the last carried cut (i+ standard Minkowski)",
                         float(at.get(f"i_plus_{q}_run", np.nan))))
    out.append(Check("final_frame_reaches_i_plus", float(at["i_plus_theta_scale"]),
                     float(at["i_plus_theta_run_tail"] * at["carry_F1_squared_max"]), SAFETY,
                     "the run's own last cut against /memory's final state, x max F_L'^2",
                     "/scri_plus_final_frame: radiation not yet gone at the last carried cut (Theta, "
                     "i_plus_theta_scale): the carried range must reach i+ as near as the run's own",
                     float(at.get("i_plus_theta_run", np.nan))))
    out.append(Check("final_frame_memory_map_determined", float(at["memory_gamma_error"]),
                     float(at.get("map_deviation_gamma", np.nan)), 1.0, "the map itself (max|gamma|)",
                     "/memory's error estimate of gamma below gamma itself: else its final state, on which "
                     "the i+ gates and R rest, is not determined"))      # scale: the tolerance itself (nan)
    for q, key in (("F", "late_frame_remainder_F"), ("gamma", "late_frame_remainder_gamma")):
        out.append(Check(f"final_frame_poincare_remainder_{q}", float(at[key]), float(at[f"memory_{q}_error"]),
                         SAFETY, "/memory's own error estimate of its map",
                         f"/scri_plus_final_frame: R of Q = M . L = P . R ({q}): /memory's map against the "
                         "vertex transport, Poincare within their errors",
                         float(at.get(f"map_deviation_{q}", np.nan))))
    for q, law in (("theta", "d_u Theta = -16 pi G news^2"), ("N", "the N law")):
        out.append(Check(f"final_frame_flux_{q}", float(at[f"flux_{q}_abs_carried"]),
                         float(at[f"flux_{q}_bound"]) + 1e-14 / SAFETY, SAFETY,
                         "the run's own residual transported by the map",
                         f"/scri_plus_final_frame: max|residual| of {law} in the carried frame",
                         float(at.get(f"flux_{q}_scale_carried", np.nan))))
    return out


def check_failures(at: dict) -> list[str]:
    """The failed gates of :func:`final_frame_checks`, one line each (value > tolerance)."""
    return [f"{c.name} {c.value:.3g} > {c.tolerance:.3g}" for c in final_frame_checks(at) if not c.passed]


def carried_checks(out: dict, sp, Fi, gi, Fm, gm, mem: dict, ma: dict, G: float) -> dict:
    """The checks of a carried /scri_plus_final_frame (attributes; docs/conventions.md §11.2).

    1. i+ standard: ``i_plus_theta_residual`` = max|Theta + 1|, ``i_plus_xi_residual`` = max|Xi| on
       the last carried cut.  They split exactly into the vacuum law's carry of /memory's final state
       (``final_state_theta_residual``, ``final_state_xi_residual``: max|Theta + 1|, max|Xi| of
       bms3.action.finite_action(Theta_f, Xi_f) by the same map: the map's recovery residual) and the
       radiation not yet gone at that cut, carried (the identity in the code; its size
       ``i_plus_theta_scale``, ``i_plus_xi_scale``: the sum of the moduli of its terms plus /memory's
       ``theta_final_error_max``, ``xi_final_error_max``), so residual <= final_state + scale;
       ``i_plus_xi_identity``: max deviation of the carried Xi from that identity (the carry with
       radiation against the u-independent finite law; spectral and interpolation error).
    2. flux laws in the carried frame (``flux_*_carried``) beside the same in the run's frame
       (``flux_*_run``): relative residuals of d_u Theta = -16 pi G news^2, the N law and the Xi law
       of physics-bms3.md §6.2 (asymflat/scri/flux.py ``flux_residuals_bondi``, carry.py
       ``xi_flux_residual``; 6th-order differences in u), and the absolute maxima
       ``flux_theta_abs_*``, ``flux_N_abs_*`` with the bounds the run's own residuals give when
       transported by the map (``flux_theta_bound`` = max F'^3 |R_Theta|_run, ``flux_N_bound`` =
       max F'^3 |R_N|_run + max F'^2 |J| |R_Theta|_run / 2, J = F''(u + gamma) + F' gamma'; the relative
       residuals are not comparable: the final frame removes the boost's Theta' from the N law's scale).
    3. round trip: the carried data carried back by the inverse element (``Fm``, ``gm``) onto the
       run's own cuts (``round_trip_*``: max difference from /scri_plus, relative to max|.|).

    ``x`` = ``sp.phi`` is the uniform grid (asymflat/scri/carry.py refuses any other)."""
    at: dict = {}
    x = sp.phi
    tl = out["u"][-1]
    th_f = np.asarray(mem["mass_aspect_final"][0], float)
    xi_f = np.asarray(mem["angular_momentum_aspect_final"][0], float)
    at["i_plus_u"] = float(tl)
    at["i_plus_theta_residual"] = float(np.max(np.abs(out["mass_aspect"][-1] + 1.0)))
    at["i_plus_xi_residual"] = float(np.max(np.abs(out["angular_momentum_aspect"][-1])))
    at["i_plus_theta_run"] = float(np.max(np.abs(sp.mass_aspect[-1] + 1.0)))
    # how near i+ the run's own last cut is (its Theta against /memory's final state), and the largest
    # F'^2 by which the carry can weight it: the carried last cut should be as near (gate below)
    at["i_plus_theta_run_tail"] = float(np.max(np.abs(sp.mass_aspect[-1] - th_f))) + float(ma.get("theta_final_error_max", 0.0))
    at["carry_F1_squared_max"] = float(np.max(Fi.d(x, 1) ** 2))
    at["memory_F_error"] = float(ma.get("F_error", np.nan))
    at["memory_gamma_error"] = float(ma.get("gamma_error", np.nan))
    at["i_plus_xi_run"] = float(np.max(np.abs(sp.angular_momentum_aspect[-1])))
    e_th, e_xi = float(ma.get("theta_final_error_max", 0.0)), float(ma.get("xi_final_error_max", 0.0))
    dec = last_cut_against_vacuum(out, Fi, gi, th_f, xi_f, G, e_th, e_xi)
    at["final_state_theta_residual"] = float(np.max(np.abs(dec["theta_vacuum"] + 1.0)))
    at["final_state_xi_residual"] = float(np.max(np.abs(dec["xi_vacuum"])))
    at["i_plus_theta_scale"] = float(np.max(dec["theta_scale"]))
    at["i_plus_xi_scale"] = float(np.max(dec["xi_scale"]))
    at["i_plus_xi_identity"] = float(np.max(np.abs(out["angular_momentum_aspect"][-1] - dec["xi_vacuum"]
                                                   - dec["xi_radiation"])))
    # flux laws; the bounds transport the run's residuals: R_Theta_new = F'^3 R_Theta_old and
    # R_N_new = F'^3 R_N_old + (1/2) F'^2 J R_Theta_old at the old points (the laws are affine in Theta, N
    # at given psi0; tests/test_carry_laws.py), bounded by their maxima over the carried range
    gs = as_series(gi)
    f1, f2, g0, g1 = Fi.d(x, 1), Fi.d(x, 2), gs(x), gs(x, 1)
    J = np.abs(f2[None, :] * (np.asarray(out["u"])[:, None] + g0[None, :]) + f1 * g1)
    k3, kJ = float(np.max(f1**3)), float(np.max(f1**2 * J))
    absR: dict = {}
    for tag, d in (("carried", dict(t=out["u"], th=out["mass_aspect"], xi=out["angular_momentum_aspect"],
                                    ps=out["psi0"], nw=out["news"], N=out["N"])),
                   ("run", dict(t=sp.time, th=sp.mass_aspect, xi=sp.angular_momentum_aspect, ps=sp.psi0,
                                nw=sp.news, N=sp.N))):
        nhat = d["N"] - np.pi * G * dphi(d["ps"] ** 2)
        r = flux_residuals_bondi(d["t"], d["th"], nhat, d["ps"], d["nw"], G, N=d["N"])
        R, sc = xi_flux_residual(d["t"], d["xi"], d["ps"], d["nw"], G)
        absR[tag] = (float(np.max(np.abs(r["R_Theta"]))), float(np.max(np.abs(r["R_N"]))))
        at[f"flux_theta_scale_{tag}"], at[f"flux_N_scale_{tag}"] = float(r["scale_Theta"]), float(r["scale_N"])
        at[f"flux_theta_abs_{tag}"], at[f"flux_N_abs_{tag}"] = absR[tag]
        at[f"flux_theta_{tag}"] = r["rel_Theta"]
        at[f"flux_N_{tag}"] = r["rel_N"]
        at[f"flux_xi_{tag}"] = float(np.max(np.abs(R)) / sc)
    at["flux_theta_bound"] = k3 * absR["run"][0]
    at["flux_N_bound"] = k3 * absR["run"][1] + 0.5 * kJ * absR["run"][0]
    # round trip onto the run's own cuts inside the carried range
    f1m, gm0 = Fm.d(x, 1), gm(x)
    lo, hi = np.max(out["u"][0] / f1m - gm0), np.min(out["u"][-1] / f1m - gm0)
    k = np.nonzero((sp.time >= lo) & (sp.time <= hi))[0]
    back = carry(out["u"], x, out["psi0"], out["news"], out["mass_aspect"], out["angular_momentum_aspect"],
                 Fm, gm, G, times=sp.time[k])
    for key in ("psi0", "news", "mass_aspect", "angular_momentum_aspect"):
        ref = getattr(sp, key)[k]
        at[f"round_trip_{key}"] = float(np.max(np.abs(back[key] - ref)) / max(float(np.max(np.abs(ref))), 1e-300))
    return at


def _carry_by_element(ds: dict, attrs: dict, sp, B: dict, C: dict | None, mem: dict, ma: dict, G: float,
                      E: BMS3Element) -> bool:
    """Carry by E (the vertex element L: old = the run's frame, new = the final frame; module doc), with the
    checks of :func:`carried_checks` and the gate :func:`check_failures`; returns True (carried)."""
    from asymflat.scri.carry import inverse_element

    out = carry(sp.time, sp.phi, sp.psi0, sp.news, sp.mass_aspect, sp.angular_momentum_aspect, E.F, E.gamma, G)
    ds["u"] = (out["u"], "length", "Bondi retarded time of the final frame: uniform with the run's step over "
               "the range covered at every angle")
    for key in ("psi0", "news", "mass_aspect", "angular_momentum_aspect"):
        units, desc = SCRI_DATASETS[key]
        ds[key] = (out[key], units, f"{desc.replace('(t,', '(u,')}, final-vacuum frame (carried, "
                   "asymflat/scri/carry.py)")
    attrs["map"] = ("carried by the vertex element L of the last code cut (= (F, gamma)^-1 of /memory "
                    "followed by the Poincare element P of the vertex rule, up to the remainder R): "
                    "phi_run = F_L(phi), u_run = F_L'(phi)(u + gamma_L(phi)) (asymflat/scri/carry.py; "
                    "docs/conventions.md 11.2)")
    Fb, gb = inverse_element(E.F, E.gamma)
    attrs.update(carried_checks(out, sp, E.F, E.gamma, Fb, gb, mem, ma, G))
    bad = check_failures(attrs)
    attrs["status"] = "ok" if not bad else "carried, checks fail: " + "; ".join(bad)
    # the run's shadow-grid estimate of psi0+, weighted by the carry's F'^(1/2), plus the carry's
    # interpolation error (half the round trip's)
    est = shadow_richardson(B["bf"].psi0, C["bf"].psi0 if C else None)
    attrs["psi0_error_estimate"] = float(est * np.sqrt(np.max(E.F.d(sp.phi, 1)))
                                         + 0.5 * attrs["round_trip_psi0"] * np.max(np.abs(sp.psi0)))
    return True


def final_frame_output(data, G: float, scalar: bool, B: dict, C: dict | None) -> bool:
    """Fill ``data.final_frame`` / ``data.final_frame_attrs`` from ``data.scri_plus``,
    ``data.memory`` and the main level's frame transport ``B["bf"].code`` (module doc);
    ``psi0_error_estimate``: the shadow-grid Richardson estimate of psi0+ (main level ``B``, shadow
    ``C``; nan without one).

    At G > 0 a map that /memory finds equal to the identity within its own error estimate
    (max|F - phi| <= F_error and max|gamma| <= gamma_error, e.g. in circular symmetry, where both
    vanish by symmetry) is the identity (``map_deviation_F``, ``map_deviation_gamma`` stored); then,
    when the vertex rule's P is a time translation (circular symmetry), the data are relabelled.

    Returns True if the data were carried by a map (then :func:`carried_checks` has run and the gates
    of :func:`final_frame_checks` apply to ``data.final_frame_attrs``); False if they are the
    /scri_plus cuts relabelled (identity or time translation: nothing carried, nothing to gate) or
    not in the final frame at all (no map)."""
    from asymflat.bms3 import diffeo
    from asymflat.bms3.spectral import TrigSeries

    sp = data.scri_plus
    n = len(sp.phi)
    attrs = dict(G=float(G), frame_rule=FRAME_RULE, matching_frame="/scri_plus (Bondi frame of the first cut)")
    ds: dict = {"phi": (sp.phi, "rad", "uniform grid 2 pi j / nphi (Bondi angle of the final frame)")}
    if G == 0 or not scalar:
        ds["F_minus_phi"] = (np.zeros(n), "rad", "F - phi of the map to the final frame (identity at G = 0)")
        ds["gamma"] = (np.zeros(n), "length", "supertranslation gamma of the map (0 at G = 0)")
        attrs["identity_residual"] = float(np.max(np.abs(sp.mass_aspect[-1] + 1.0))
                                           + np.max(np.abs(sp.angular_momentum_aspect[-1])))
        _carry_identity(ds, attrs, sp, B, C, "identity (G = 0: Theta+ = -1, Xi+ = 0 on every cut)")
        data.final_frame, data.final_frame_attrs = ds, attrs
        return False
    mem, ma = data.memory or {}, data.memory_attrs or {}
    attrs["status"] = "not carried: /memory has no map"
    carried = False
    if "F_minus_phi" in mem and "gamma" in mem:
        Fm, ga = np.asarray(mem["F_minus_phi"][0]), np.asarray(mem["gamma"][0])
        ds["F_minus_phi"] = (Fm, "rad", "F - phi of the final vacuum (from /memory)")
        ds["gamma"] = (ga, "length", "gamma of the final vacuum (from /memory)")
        dF, dg = float(np.max(np.abs(Fm))), float(np.max(np.abs(ga)))
        attrs["map_deviation_F"], attrs["map_deviation_gamma"] = dF, dg
        fe, ge = float(ma.get("F_error", np.nan)), float(ma.get("gamma_error", np.nan))
        identity = dF <= max(fe, 1e-12) and dg <= max(ge, 1e-12)
        attrs["map_identity_within_error"] = int(identity)
        M = (BMS3Element.identity() if identity
             else BMS3Element(diffeo.from_grid(Fm, "F (memory)"), TrigSeries.from_grid(ga)))
        L, _, at, vds = vertex_split(M, B["bf"].code)
        attrs.update(at)
        ds.update(vds)
        gl = L.gamma(sp.phi)
        if (float(np.max(np.abs(vds["vertex_F_minus_phi"][0]))) <= TIME_TRANSLATION_F_TOL
                and float(np.ptp(gl)) <= TIME_TRANSLATION_GAMMA_RTOL * max(1.0, abs(float(gl[0])))):
            s = float(np.mean(gl))
            _carry_identity(ds, attrs, sp, B, C, "time translation by the vertex rule: u = u_B - s, "
                            f"s = A(u_last) - u_last = {s:.6g} (circular symmetry: the transport's B = phi)",
                            shift=s)
        else:
            carried = _carry_by_element(ds, attrs, sp, B, C, mem, ma, G, L)
    else:
        attrs["map"] = f"not available: /memory {ma.get('status', 'not computed')}"
    data.final_frame, data.final_frame_attrs = ds, attrs
    return carried
