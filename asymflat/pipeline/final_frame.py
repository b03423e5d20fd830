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
* G > 0: the map is stored (F - phi, gamma from /memory); carrying psi0, news, Theta, Xi by a
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


def final_frame_output(data, G: float, scalar: bool, B: dict, C: dict | None) -> None:
    """Fill ``data.final_frame`` / ``data.final_frame_attrs`` from ``data.scri_plus`` and
    ``data.memory`` (module doc); ``psi0_error_estimate``: the shadow-grid Richardson estimate of
    psi0+ (main level ``B``, shadow ``C``; nan without one)."""
    sp = data.scri_plus
    n = len(sp.phi)
    attrs = dict(G=float(G), frame_rule=FRAME_RULE, matching_frame="/scri_plus (Bondi frame of the first cut)")
    ds: dict = {"phi": (sp.phi, "rad", "uniform grid 2 pi j / nphi (Bondi angle of the final frame)")}
    if G == 0 or not scalar:
        ds["F_minus_phi"] = (np.zeros(n), "rad", "F - phi of the map to the final frame (identity at G = 0)")
        ds["gamma"] = (np.zeros(n), "length", "supertranslation gamma of the map (0 at G = 0)")
        ds["u"] = (sp.time, "length", "Bondi retarded time of the final frame (= /scri_plus/u)")
        for key in ("psi0", "news", "mass_aspect", "angular_momentum_aspect"):
            units, desc = SCRI_DATASETS[key]
            ds[key] = (getattr(sp, key), units, f"{desc.replace('(t,', '(u,')}, final-vacuum frame")
        attrs["identity_residual"] = float(np.max(np.abs(sp.mass_aspect[-1] + 1.0))
                                           + np.max(np.abs(sp.angular_momentum_aspect[-1])))
        attrs["map"] = "identity (G = 0: Theta+ = -1, Xi+ = 0 on every cut)"
        attrs["status"] = "ok"
        attrs["psi0_error_estimate"] = shadow_richardson(B["bf"].psi0, C["bf"].psi0 if C else None)
    else:
        mem = data.memory or {}
        if "F_minus_phi" in mem and "gamma" in mem:
            ds["F_minus_phi"] = (mem["F_minus_phi"][0], "rad", "F - phi of the final vacuum (from /memory)")
            ds["gamma"] = (mem["gamma"][0], "length", "gamma of the final vacuum (from /memory)")
            attrs["map"] = "(F, gamma) of /memory"
        else:
            attrs["map"] = f"not available: /memory {data.memory_attrs.get('status', 'not computed')}"
        attrs["status"] = ("map only: carrying the scri+ data by a non-trivial BMS3 map (G > 0) is not "
                           "implemented (issue 21)")
    data.final_frame = ds
    data.final_frame_attrs = attrs
