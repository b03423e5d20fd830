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
  estimate (circular symmetry) the data are carried as at G = 0; carrying psi0, news, Theta, Xi by a
  non-trivial map is not implemented, so the group has ``status`` saying so and no carried data
  (``incoming_from`` refuses it).
"""
from __future__ import annotations

import numpy as np

from asymflat.data import SCRI_DATASETS
from asymflat.pipeline.estimates import shadow_richardson

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
    attrs["status"] = ("map only: carrying the scri+ data by a non-trivial BMS3 map (G > 0) is not "
                       "implemented (issue 21)")
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
        attrs["map"] = f"not available: /memory {ma.get('status', 'not computed')}"
    data.final_frame, data.final_frame_attrs = ds, attrs
