"""Final-state checks: the vacuum a run ends in lies on the orbit of the central particle (Hill
monodromy trace of Theta+ at i+; physics-bms3.md section 2.4)."""
from __future__ import annotations

import math

import numpy as np

from asymflat.bms3.hill import hill
from asymflat.data import Check
from asymflat.pipeline.checks import CheckContext, check_plugin
from asymflat.pipeline.estimates import cone_order, make_check, SAFETY


def final_state_checks(B: dict, C: dict | None, mu: float, G: float, checks: list, summary: dict) -> None:  # noqa: E501
    """The final vacuum lies on the orbit of the central particle (issue 6; physics-bms3.md §2.4).

    The conical parameter of the vertex is conserved (e^{-2 beta_c} calW_c = -mu^2 without dust,
    bondi-equations.md section 4), so once the radiation has left, Theta+ is a conical defect of
    the same mu in some BMS3 frame: Hill monodromy trace 2 cos(pi mu) (Minkowski: -2).  Theta at
    i+ = Theta(last cut) + int_{u_last}^inf d_u Theta, the tail from the late-u power law of
    d_u Theta (:func:`asymflat.analysis.memory.flux_tail`).  Estimate: shadow-grid difference of the
    traces + the trace's response to the tail's error + the Hill integrator's error.
    """
    from asymflat.bms3.hill import hill
    from asymflat.analysis.memory import flux_tail

    def final(b):
        bf = b["bf"]
        try:
            tail, terr, q, status = flux_tail(bf.time, b["du_theta"], u_ref=float(bf.time[0]))
        except ValueError:
            return None
        th = bf.mass_aspect[-1] + tail
        h = hill(th, G)
        sens = abs(hill(th + terr, G).trace - h.trace)
        return h, sens, q, status, float(np.max(np.abs(tail)))

    fm = final(B)
    if fm is None:
        return
    h, sens, q, status, tail = fm
    fc = final(C) if C else None
    p = cone_order(mu)
    est = (abs(h.trace - fc[0].trace) / (2**p - 1) if fc else np.nan) + sens + h.error_estimate
    target = 2.0 * math.cos(math.pi * mu)
    checks.append(make_check("final_hill_trace", h.trace - target, est,
                             "shadow grid (Richardson) + response to the late-u tail error + Hill integrator",
                             f"Hill trace of Theta+ at i+ minus 2 cos(pi mu) = {target:.6g} (final state on the "
                             "orbit of the central particle; Theta+ extrapolated with the flux tail)"))
    summary.update(final_hill_trace=float(h.trace), final_hill_winding=float(h.winding),
                   final_hill_orbit=h.classification, final_tail_exponent=float(q),
                   final_tail_status=status, final_tail_max=tail)


# --- plugins (asymflat.pipeline.checks) ---------------------------------------------------------
@check_plugin("characteristic", when=lambda ctx: ctx.G > 0 and ctx.scalar)
def retarded_final_state(ctx: CheckContext) -> None:
    """Hill trace of the final state against the particle's orbit, 2 cos(pi mu)."""
    final_state_checks(ctx.B, ctx.C, ctx.p["mu"], ctx.G, ctx.checks, ctx.summary)


def final_state_hill_checks(p: dict, B: dict, C: dict | None, G: float, summ: dict, checks: list) -> None:
    """The Hill invariants of the last scri+ cut of a scattering: trace -2 and winding 1 (Minkowski
    orbit), the trace estimate with the second-order effect of the radiation tail after u_end."""
    bf = B["bf"]
    hf = hill(bf.mass_aspect[-1], G=G)
    hfc = hill(C["bf"].mass_aspect[-1], G=G) if C else None
    est = abs(hf.trace - hfc.trace) / 15 if hfc else np.nan
    # radiation after u_end (news ~ (u - t_c)^-3/2): Theta still drops by 16 pi G news^2 (u - t_c)/2;
    # tr M is stationary on the orbit, so the trace moves at second order: (pi^2/4) max|dTheta|^2
    tc = p["t_c"]
    dth = 16 * np.pi * G * float(np.max(bf.news[-1] ** 2)) * max(bf.time[-1] - tc, 0.0) / 2
    tail = np.pi ** 2 / 4 * dth ** 2
    summ["final_state_tail_dTheta"] = dth
    summ["hill_trace_i_plus"] = float(hf.trace)
    summ["hill_winding_i_plus"] = float(hf.winding)
    checks.append(Check("final_state_hill_trace", hf.trace + 2.0, est + tail + hf.error_estimate + 1e-12, SAFETY,
                        "shadow grid /15 + radiation tail after u_end (second order) + integrator tolerance",
                        "tr M + 2 of Theta+ on the last cut (final state on the Minkowski orbit)"))
    checks.append(Check("final_state_hill_winding", abs(hf.winding - 1.0), 0.05, 1.0, "integer invariant",
                        "|winding - 1| of the final Hill solution curve (Minkowski, not a cover)"))
