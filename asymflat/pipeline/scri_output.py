"""What the retarded and advanced kinds write: every ``output.scri_every``-th dense Bondi cut as
``/scri_plus`` (``/scri_minus``, counted from the data cone), the code-frame samples and the frame
transport on the same cuts, the charge, flux and balance series, and the bulk snapshots
(docs/format.md)."""
from __future__ import annotations

import numpy as np

from asymflat.data import CHARGE_UNITS, ScriData
from asymflat.pipeline.bondi_frame import CODE_SIGN
from asymflat.pipeline.evolution import CODE_DESC, CODE_NAMES, CODE_UNITS

#: the code-frame samples at scri- (advanced chart)
CODE_DESC_MINUS = {
    "psi0": "lim sqrt(r) psi at scri- (x = 1), advanced code (vertex) frame",
    "news": "d_v psi0 at fixed code phi",
    "beta0": "beta at scri- (beta = 0 at the vertex)",
    "U0": "U at scri- (advanced chart)",
    "calW": "calW = V/r - 2 r U_phi at scri- (advanced chart)",
    "Qbar": "Qbar = r^3 e^{-2 beta} U_r - 2 r beta_phi at scri- (advanced chart)",
}




def law_series(series: dict, B: dict, sel: np.ndarray, charge_desc: str, fluxes, residual_descs) -> None:
    """Into ``series``, on the written cuts ``sel``: the charges of the Bondi data ``B``
    (``charge_desc.format(k=name)``), the flux / balance series ``fluxes`` = (key of ``B['bal']``, units,
    description) each, and the max over phi of the Theta and Nhat flux-law residuals."""
    ch, bal, res = B["charges"], B["bal"], B["res"]
    for k, un in CHARGE_UNITS.items():
        series[k] = (ch[k][sel], un, charge_desc.format(k=k))
    for k, un, d in fluxes:
        series[k] = (bal[k][sel], un, d)
    series["flux_residual_Theta"] = (np.max(np.abs(res["R_Theta"]), axis=1)[sel], "1/length", residual_descs[0])
    series["flux_residual_Nhat"] = (np.max(np.abs(res["R_Nhat"]), axis=1)[sel], "1", residual_descs[1])


def retarded_output(p: dict, main: dict, B: dict, nsteps: int) -> tuple[ScriData, dict, dict]:
    """``(scri_plus, series, fields)`` of a retarded run: the Bondi data of :func:`bondi_pipeline` ``B``
    on every ``scri_every``-th dense cut, the series of the evolution ``main``, its snapshots."""
    bf = B["bf"]
    every = p["scri_every"]
    sel = np.arange(0, len(bf.time), every)
    cstep = np.unique(np.r_[np.arange(0, nsteps + 1, every), nsteps])
    code = bf.code
    extra = {f"code_frame/{k}": (code[k][cstep], CODE_UNITS[k], CODE_DESC[k])
             for k in CODE_NAMES}
    extra["code_frame/u"] = (main["u"][cstep], "length", "code retarded time (vertex proper time) of the samples")
    extra["code_frame/A"] = (code["A"][cstep], "length",
                             "Bondi time u_B = A(u, phi) of the code point (frame transport, A(u_start) = u_start)")
    extra["code_frame/B"] = (code["B_minus_phi"][cstep], "1",
                             "B(u, phi) - phi: periodic part of the Bondi angle phi_B = B(u, phi) (B(u_start) = phi)")
    extra["Nhat"] = (bf.Nhat[sel], "length", "Nhat = N - pi G d_phi(psi0^2) in the Bondi frame")
    extra["frame/u_code"] = (bf.u_code[sel], "length", "code time u of each Bondi grid point")
    extra["frame/phi_code"] = (bf.phi_code[sel], "rad", "code angle phi of each Bondi grid point")
    scri_plus = ScriData(name="scri_plus", time=bf.time[sel], phi=bf.phi,
                         mass_aspect=bf.mass_aspect[sel], angular_momentum_aspect=bf.angular_momentum_aspect[sel],
                         N=bf.N[sel], news=bf.news[sel], psi0=bf.psi0[sel], extra=extra)

    series = {"u": (main["series"]["u"], "length", "code retarded time (vertex proper time)")}
    for k, v in main["series"].items():
        if k != "u":
            series[k] = (v, "1", k.replace("_", " ") + " over the grid")
    if "charges" in B:
        series["u_bondi"] = (bf.time[sel], "length", "Bondi time of the written cuts")
        fluxes = (("dE_du", "1/(G length)", "energy flux -oint news^2"),
                  ("dJ_du", "1/G", "angular momentum flux +oint news psi0'"),
                  ("radiated_energy", "1/G", "int_{u_start}^{u_B} oint news^2"),
                  ("radiated_J", "length/G", "int_{u_start}^{u_B} (-dJ/du)"),
                  ("E_balance", "1/G", "E - E(u_start) + radiated energy"),
                  ("J_balance", "length/G", "J - J(u_start) + radiated J"))
        residuals = ("max over phi of |d_u Theta + 16 pi G news^2|",
                     "max over phi of |d_u Nhat - Theta'/2 + 8 pi G news psi0'|")
        law_series(series, B, sel, "charge {k} on the Bondi cut (conventions.md sections 3-4)", fluxes, residuals)
        series["max_du_Theta"] = (np.max(B["du_theta"], axis=1)[sel], "1/length",
                                  "max over phi of d_u Theta (<= 0 up to truncation)")

    fields = {}
    if main["snaps"] is not None:
        for k, v in main["snaps"].items():
            units = "length" if k in ("u", "Qbar") else "1"
            fields[k] = (v, units, f"bulk snapshot: {k} on (u, x, phi)" if k != "u" else "snapshot times")
        fields["x"] = (main["solver"].x, "1", "compactified radius x = r/(R+r)")
    return scri_plus, series, fields


def advanced_output(p: dict, main: dict, B: dict, nsteps: int) -> tuple[ScriData, dict, dict]:
    """``(scri_minus, series, fields)`` of an advanced run (``B`` from :func:`bondi_pipeline_minus`),
    cuts counted from the data cone, series and snapshots reflected to advanced time."""
    S, code = B["S"], B["code"]
    every = p["scri_every"]
    M = len(S["v"])
    sel = np.arange(M - 1, -1, -every)[::-1]
    K = nsteps + 1
    cstep = np.unique(np.r_[np.arange(K - 1, -1, -every), 0])
    extra = {f"code_frame/{k}": (code[k][cstep], CODE_UNITS[k], CODE_DESC_MINUS[k]) for k in CODE_SIGN}
    extra["code_frame/v"] = (code["v"][cstep], "length",
                             "advanced code time (vertex proper time) of the samples")
    extra["code_frame/A"] = (code["A"][cstep], "length",
                             "Bondi advanced time v_B = A(v, phi) of the code point (A = v_end on the data cone)")
    extra["code_frame/B"] = (code["B"][cstep], "1",
                             "B(v, phi) - phi: periodic part of the Bondi angle phi_B = B(v, phi)")
    extra["Nhat"] = (S["Nhat"][sel], "length", "Nhat^- = N + pi G d_phi(psi0^2) in the Bondi frame (scri-)")
    extra["frame/v_code"] = (S["v_code"][sel], "length", "advanced code time v of each Bondi grid point")
    extra["frame/phi_code"] = (S["phi_code"][sel], "rad", "code angle phi of each Bondi grid point")
    scri_minus = ScriData(name="scri_minus", time=S["v"][sel], phi=S["phi"], mass_aspect=S["Theta"][sel],
                          angular_momentum_aspect=S["Xi"][sel], N=S["N"][sel], news=S["news"][sel],
                          psi0=S["psi0"][sel], extra=extra)

    gs = main["series"]
    rr = slice(None, None, -1)
    series = {"v": (-gs["u"][rr], "length", "advanced code time (vertex proper time)")}
    for k, val in gs.items():
        if k != "u":
            series[k] = (val[rr], "1", k.replace("_", " ") + " over the grid")
    if "charges" in B:
        series["v_bondi"] = (S["v"][sel], "length", "Bondi advanced time of the written cuts")
        fluxes = (("dE_dv", "1/(G length)", "incoming energy flux +oint news^2"),
                  ("dJ_dv", "1/G", "angular momentum flux -oint news psi0'"),
                  ("incoming_energy", "1/G", "int_{first cut}^{v_B} oint news^2"),
                  ("incoming_J", "length/G", "int_{first cut}^{v_B} dJ/dv"),
                  ("E_balance", "1/G", "E - E(first cut) - incoming energy"),
                  ("J_balance", "length/G", "J - J(first cut) - incoming J"))
        residuals = ("max over phi of |d_v Theta - 16 pi G news^2|",
                     "max over phi of |d_v Nhat - Theta'/2 - 8 pi G news psi0'|")
        law_series(series, B, sel, "charge {k} on the scri- cut (scri- generators, conventions.md section 4)", fluxes,
                   residuals)
        series["min_dv_Theta"] = (np.min(B["dv_theta"], axis=1)[sel], "1/length",
                                  "min over phi of d_v Theta (>= 0 up to truncation)")

    fields = {}
    if main["snaps"] is not None:
        sign = {"U": -1.0, "Qbar": -1.0}
        for k, val in main["snaps"].items():
            if k == "u":
                fields["v"] = (-val[rr], "length", "snapshot advanced times")
                continue
            units = "length" if k == "Qbar" else "1"
            fields[k] = (sign.get(k, 1.0) * val[rr], units, f"bulk snapshot: {k} on (v, x, phi), advanced chart")
        fields["x"] = (main["solver"].x, "1", "compactified radius x = r/(R+r)")
    return scri_minus, series, fields


def scattering_output(data, p: dict, B: dict, M: dict, G: float, scalar: bool, summ: dict) -> None:
    """``/scri_plus`` (every ``scri_every``-th Bondi cut of the main level) and ``/scri_minus`` (the
    relabelled first cone, ``cone/...`` extras) of a scattering run, with the charge series, into
    ``data`` (a RunData)."""
    bf = B["bf"]
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
            data.series[k] = (B["charges"][k][sel], CHARGE_UNITS[k], f"scri+ charge {k}")
