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
* G > 0: the map is stored (F - phi, gamma from /memory); when it is the identity within its error
  estimate (circular symmetry) the data are carried as at G = 0 (bit-identical to /scri_plus).
  Otherwise psi0, news, Theta, Xi are carried by the inverse of /memory's map
  (asymflat/scri/carry.py: old = the run's frame, new = the final frame; phi_run = F^{-1}(phi),
  u_run = u / F'(phi_run) - gamma(phi_run)) onto a uniform grid with the run's step, and the group
  stores the checks of :func:`carried_checks` (docs/format.md).
"""
from __future__ import annotations

import numpy as np

from asymflat.data import SCRI_DATASETS
from asymflat.pipeline.estimates import shadow_richardson
from asymflat.scri._numerics import dphi
from asymflat.scri.carry import carry, final_frame_element, last_cut_against_vacuum, xi_flux_residual
from asymflat.scri.flux import flux_residuals_bondi

#: the frame-fixing rule, stored with the map
FRAME_RULE = ("(F, gamma) of /memory (canonical mod Poincare: F(0) = 0, F'(0) = 1, F''(0) = 0, gamma free "
              "of |m| <= 1); the Poincare part fixed by the i0 link to scri- (docs/conventions.md 11.2)")


def _carry_identity(ds: dict, attrs: dict, sp, B: dict, C: dict | None, map_text: str) -> None:
    """The identity map: the carried data are the /scri_plus cuts themselves."""
    ds["u"] = (sp.time, "length", "Bondi retarded time of the final frame (= /scri_plus/u)")
    for key in ("psi0", "news", "mass_aspect", "angular_momentum_aspect"):
        units, desc = SCRI_DATASETS[key]
        ds[key] = (getattr(sp, key), units, f"{desc.replace('(t,', '(u,')}, final-vacuum frame")
    attrs["map"] = map_text
    attrs["status"] = "ok"
    attrs["psi0_error_estimate"] = shadow_richardson(B["bf"].psi0, C["bf"].psi0 if C else None)


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
       ``xi_flux_residual``; 6th-order differences in u).
    3. round trip: the carried data carried back by /memory's map onto the run's own cuts
       (``round_trip_*``: max difference from /scri_plus, relative to max|.|)."""
    at: dict = {}
    x = sp.phi
    tl = out["u"][-1]
    th_f = np.asarray(mem["mass_aspect_final"][0], float)
    xi_f = np.asarray(mem["angular_momentum_aspect_final"][0], float)
    at["i_plus_u"] = float(tl)
    at["i_plus_theta_residual"] = float(np.max(np.abs(out["mass_aspect"][-1] + 1.0)))
    at["i_plus_xi_residual"] = float(np.max(np.abs(out["angular_momentum_aspect"][-1])))
    e_th, e_xi = float(ma.get("theta_final_error_max", 0.0)), float(ma.get("xi_final_error_max", 0.0))
    dec = last_cut_against_vacuum(out, Fi, gi, th_f, xi_f, G, e_th, e_xi)
    at["final_state_theta_residual"] = float(np.max(np.abs(dec["theta_vacuum"] + 1.0)))
    at["final_state_xi_residual"] = float(np.max(np.abs(dec["xi_vacuum"])))
    at["i_plus_theta_scale"] = float(np.max(dec["theta_scale"]))
    at["i_plus_xi_scale"] = float(np.max(dec["xi_scale"]))
    at["i_plus_xi_identity"] = float(np.max(np.abs(out["angular_momentum_aspect"][-1] - dec["xi_vacuum"]
                                                   - dec["xi_radiation"])))
    # flux laws
    for tag, d in (("carried", dict(t=out["u"], th=out["mass_aspect"], xi=out["angular_momentum_aspect"],
                                    ps=out["psi0"], nw=out["news"], N=out["N"])),
                   ("run", dict(t=sp.time, th=sp.mass_aspect, xi=sp.angular_momentum_aspect, ps=sp.psi0,
                                nw=sp.news, N=sp.N))):
        nhat = d["N"] - np.pi * G * dphi(d["ps"] ** 2)
        r = flux_residuals_bondi(d["t"], d["th"], nhat, d["ps"], d["nw"], G, N=d["N"])
        R, sc = xi_flux_residual(d["t"], d["xi"], d["ps"], d["nw"], G)
        at[f"flux_theta_{tag}"] = r["rel_Theta"]
        at[f"flux_N_{tag}"] = r["rel_N"]
        at[f"flux_xi_{tag}"] = float(np.max(np.abs(R)) / sc)
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


def _carry_by_memory_map(ds: dict, attrs: dict, sp, B: dict, C: dict | None, mem: dict, ma: dict, G: float) -> None:
    """A non-trivial map: the data carried by the inverse of /memory's map (module doc)."""
    from asymflat.bms3 import diffeo
    from asymflat.bms3.spectral import TrigSeries

    Fm_minus, gam = np.asarray(mem["F_minus_phi"][0], float), np.asarray(mem["gamma"][0], float)
    Fi, gi = final_frame_element(Fm_minus, gam)
    out = carry(sp.time, sp.phi, sp.psi0, sp.news, sp.mass_aspect, sp.angular_momentum_aspect, Fi, gi, G)
    ds["u"] = (out["u"], "length", "Bondi retarded time of the final frame: uniform with the run's step over "
               "the range covered at every angle")
    for key in ("psi0", "news", "mass_aspect", "angular_momentum_aspect"):
        units, desc = SCRI_DATASETS[key]
        ds[key] = (out[key], units, f"{desc.replace('(t,', '(u,')}, final-vacuum frame (carried, "
                   "asymflat/scri/carry.py)")
    attrs["map"] = ("carried by the inverse of (F, gamma) of /memory: phi_run = F^-1(phi), u_run = u / F'(phi_run) "
                    "- gamma(phi_run) (asymflat/scri/carry.py; docs/conventions.md 11.2)")
    attrs["status"] = "ok"
    Fm = diffeo.from_grid(Fm_minus, "F (memory)")
    attrs.update(carried_checks(out, sp, Fi, gi, Fm, TrigSeries.from_grid(gam), mem, ma, G))
    # the run's shadow-grid estimate of psi0+, weighted by F_inv'^(1/2), plus the carry's interpolation
    # error (half the round trip's)
    est = shadow_richardson(B["bf"].psi0, C["bf"].psi0 if C else None)
    attrs["psi0_error_estimate"] = float(est * np.sqrt(np.max(Fi.d(sp.phi, 1)))
                                         + 0.5 * attrs["round_trip_psi0"] * np.max(np.abs(sp.psi0)))


def final_frame_output(data, G: float, scalar: bool, B: dict, C: dict | None) -> None:
    """Fill ``data.final_frame`` / ``data.final_frame_attrs`` from ``data.scri_plus`` and
    ``data.memory`` (module doc); ``psi0_error_estimate``: the shadow-grid Richardson estimate of
    psi0+ (main level ``B``, shadow ``C``; nan without one).

    At G > 0 a map that /memory finds equal to the identity within its own error estimate
    (max|F - phi| <= F_error and max|gamma| <= gamma_error, e.g. in circular symmetry, where both
    vanish by symmetry) is the identity: the data are carried (``map_deviation_F``,
    ``map_deviation_gamma`` stored)."""
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
        return
    mem, ma = data.memory or {}, data.memory_attrs or {}
    attrs["status"] = "not carried: /memory has no map"
    if "F_minus_phi" in mem and "gamma" in mem:
        Fm, ga = np.asarray(mem["F_minus_phi"][0]), np.asarray(mem["gamma"][0])
        ds["F_minus_phi"] = (Fm, "rad", "F - phi of the final vacuum (from /memory)")
        ds["gamma"] = (ga, "length", "gamma of the final vacuum (from /memory)")
        attrs["map"] = "(F, gamma) of /memory"
        dF, dg = float(np.max(np.abs(Fm))), float(np.max(np.abs(ga)))
        attrs["map_deviation_F"], attrs["map_deviation_gamma"] = dF, dg
        fe, ge = float(ma.get("F_error", np.nan)), float(ma.get("gamma_error", np.nan))
        if dF <= max(fe, 1e-12) and dg <= max(ge, 1e-12):
            _carry_identity(ds, attrs, sp, B, C, "identity within the /memory error estimate "
                            f"(max|F - phi| = {dF:.3g} <= F_error = {fe:.3g}, max|gamma| = {dg:.3g} <= "
                            f"gamma_error = {ge:.3g})")
        else:
            _carry_by_memory_map(ds, attrs, sp, B, C, mem, ma, G)
    else:
        attrs["map"] = f"not available: /memory {ma.get('status', 'not computed')}"
    data.final_frame, data.final_frame_attrs = ds, attrs
