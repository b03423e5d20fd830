"""The 3D memory of a scattering run (:mod:`asymflat.analysis.memory`) into its RunData, with the
recovered-vs-predicted gates from the shadow grid and the memory in the matched frame."""
from __future__ import annotations

import numpy as np

from asymflat.bms3 import finite_action
from asymflat.data import Check, RunData
from asymflat.pipeline.estimates import RICHARDSON_ORDER, ROUNDOFF, SAFETY


def memory_checks(data: RunData, bf, cbf, G: float, u_ref: float, checks: list,
                  matched: tuple[dict | None, str] = (None, "not computed")) -> None:
    """The 3D memory (asymflat.analysis.memory.memory_report) from the RunData's own scri+ (and scri-) data into
    ``data.memory`` / ``data.memory_attrs`` (docs/format.md "/memory"); a failure (state not near the
    Minkowski orbit, too few late cuts) is recorded in ``memory_attrs["status"]``.

    Gates (where the shadow grid exists): recovered-minus-predicted memory, max over phi of
    |F_rec - F_pred| and |gamma_rec - gamma_pred| on the full-resolution scri+ data of the main grid.
    In the continuum the two agree (the flux laws are exact and the tail after the last cut enters both
    alike), so the difference is a truncation error: estimate = the same difference on the nx/2 shadow
    grid x 2^-4 + round-off.

    Reported: the memory in the matched frame (``F_minus_phi_matched``, ``gamma_matched``): the final state
    carried by the BMS3 map under which the first scri+ cut equals the antipodal last scri- cut
    (asymflat/scri/first_cone_link.py ``matched_frame``; docs/conventions.md §6.3), i.e. the memory
    relative to the i0 vacuum transported from scri-.  Second order in G at weak field
    (tests/test_memory_matched_frame.py)."""
    from asymflat.analysis.memory import memory_report, recover_memory

    try:
        rep = memory_report(data, G=G, u_ref=u_ref)
    except ValueError as exc:
        data.memory_attrs = {"status": f"not computed: {exc}", "G": G}
        return
    data.memory = rep["datasets"]
    data.memory_attrs = dict(rep["attributes"], status="ok")
    mf, status = matched
    if mf is None:
        data.memory_attrs["matched_status"] = status
    else:
        try:
            th, xi = finite_action(rep["datasets"]["mass_aspect_final"][0],
                                   rep["datasets"]["angular_momentum_aspect_final"][0], mf["G"], gamma=mf["alpha"])
            mm = recover_memory(th, xi, G)
            data.memory["mass_aspect_final_matched"] = (th, "1", "final-state Theta in the matched frame")
            data.memory["angular_momentum_aspect_final_matched"] = (xi, "length", "final-state Xi in the matched frame")
            data.memory["F_minus_phi_matched"] = (mm.F_minus_phi, "1", "F - phi of the final state in the scri+ frame "
                                                  "where the i0 data equal the antipodal scri- data (matched frame)")
            data.memory["gamma_matched"] = (mm.gamma, "length", "gamma of the final state in the matched frame")
            data.memory_attrs["matched_frame_theta_residual"] = mf["theta_residual"]
            data.memory_attrs["matched_frame_xi_residual"] = mf["xi_residual"]
        except (ValueError, RuntimeError, np.linalg.LinAlgError) as exc:
            data.memory_attrs["matched_status"] = f"not computed: {exc}"
    if cbf is None:
        return

    def arrays(b):
        return dict(u=b.time, theta=b.mass_aspect, xi=b.angular_momentum_aspect, news=b.news, psi0=b.psi0, G=G)

    try:
        full = memory_report(arrays(bf), G=G, u_ref=u_ref)["attributes"]
        # the shadow grid's flux-law residual is ~2^4 larger: its predicted state may sit further off the orbit
        coarse = memory_report(arrays(cbf), G=G, u_ref=u_ref, orbit_tol=5e-2)["attributes"]
    except ValueError as exc:
        data.memory_attrs["shadow_status"] = f"no shadow-grid memory: {exc}"
        return
    rnd = ROUNDOFF * len(bf.phi) * (1.0 + float(np.max(np.abs(bf.time)))) * (
        1.0 + float(np.max(np.abs(bf.mass_aspect))) + float(np.max(np.abs(bf.angular_momentum_aspect))))
    meth = f"shadow grid nx/2: coarse difference x 2^-{RICHARDSON_ORDER} + round-off"
    for key, what in (("F", "F - phi"), ("gamma", "gamma")):
        name = f"{key}_difference_predicted"
        val, cval = float(full[name]), float(coarse[name])
        data.memory_attrs[f"{name}_shadow"] = cval
        checks.append(Check(f"memory_{key}_recovered_vs_predicted", val, cval * 2.0 ** -RICHARDSON_ORDER + rnd,
                            SAFETY, meth, f"max over phi |{what} (final state) - {what} (first cut + scri+ fluxes)|",
                            # compared: the memory itself, recovered (max) + the difference >= predicted
                            float(full[f"{key}_max"]) + abs(val)))
