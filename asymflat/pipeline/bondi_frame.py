"""The Bondi frame at scri+ (and, reflected, at scri-): frame transport of the code-frame samples
(:func:`asymflat.scri.to_bondi_frame`, bondi-equations.md section 3.4), then the flux-law residuals,
charges and balances on the dense Bondi cuts."""
from __future__ import annotations

import math

import numpy as np

from asymflat.scri import (balance, balance_minus, charges_on_cuts, charges_on_cuts_minus,
                           flux_residuals_bondi, flux_residuals_bondi_minus, initial_cut_from_frame,
                           to_bondi_frame)
from asymflat.scri._numerics import fd_time_derivative


def transport_substeps(du: float, U0: np.ndarray) -> int:
    """RK4 substeps of the frame transport: (du/s) max|U0| nphi/2 <= 1.4 (limit 2.8)."""
    n = U0.shape[-1]
    return max(1, int(math.ceil(du * float(np.max(np.abs(U0))) * n / 2 / 1.4)))


def bondi_pipeline(ev: dict, G: float, scalar: bool) -> dict:
    """Bondi-frame data on the dense cuts (step du) and the laws, charges, balances there."""
    u, sc = ev["u"], ev["scri"]
    du = u[1] - u[0]
    sub = transport_substeps(du, sc["U0"])
    bf = to_bondi_frame(u, sc["beta0"], sc["U0"], sc["calW"], sc["Qbar"], sc["psi0"], sc["news"],
                        G, substeps=sub, dtime=du)
    out = dict(bf=bf, substeps=sub, dt=du)
    if G > 0 and scalar:
        out["res"] = flux_residuals_bondi(bf.time, bf.mass_aspect, bf.Nhat, bf.psi0, bf.news, G,
                                          N=bf.N)
        out["bal"] = balance(bf.time, bf.mass_aspect, bf.angular_momentum_aspect, bf.news,
                             bf.psi0, G)
        out["charges"] = charges_on_cuts(bf.mass_aspect, bf.angular_momentum_aspect, G, bf.phi)
        out["du_theta"] = fd_time_derivative(bf.mass_aspect, du, 6)
    return out


#: sign of each code-frame sample under the reflection (retarded -> advanced)
CODE_SIGN = {"psi0": 1.0, "news": -1.0, "beta0": 1.0, "U0": -1.0, "calW": 1.0, "Qbar": -1.0}


def bondi_pipeline_minus(ev: dict, G: float, scalar: bool, frame, v_end: float) -> dict:
    """Bondi-frame data of the reflected run mapped to scri- (v increasing) + laws, charges."""
    u, sc = ev["u"], ev["scri"]
    du = u[1] - u[0]
    n = sc["psi0"].shape[1]
    initial = None
    if frame is not None:
        g = frame.gamma
        initial = initial_cut_from_frame(frame.F, lambda x, k: -g(x, k), u[0], n)
    sub = transport_substeps(du, sc["U0"])
    bf = to_bondi_frame(u, sc["beta0"], sc["U0"], sc["calW"], sc["Qbar"], sc["psi0"], sc["news"],
                        G, substeps=sub, dtime=du, initial=initial)
    r = slice(None, None, -1)
    S = dict(v=-bf.time[r], phi=bf.phi, Theta=bf.mass_aspect[r], N=-bf.N[r],
             Xi=-bf.angular_momentum_aspect[r], Nhat=-bf.Nhat[r], psi0=bf.psi0[r], news=-bf.news[r],
             v_code=-bf.u_code[r], phi_code=bf.phi_code[r])
    code = {k: CODE_SIGN[k] * bf.code[k][r] for k in CODE_SIGN}
    code["v"] = -u[r]
    code["A"] = -bf.code["A"][r]
    code["B"] = bf.code["B_minus_phi"][r]
    out = dict(bf=bf, S=S, code=code, substeps=sub, dt=du)
    if G > 0 and scalar:
        out["res"] = flux_residuals_bondi_minus(S["v"], S["Theta"], S["Nhat"], S["psi0"], S["news"], G,
                                                N=S["N"])
        out["bal"] = balance_minus(S["v"], S["Theta"], S["Xi"], S["news"], S["psi0"], G)
        out["charges"] = charges_on_cuts_minus(S["Theta"], S["Xi"], G)
        out["dv_theta"] = fd_time_derivative(S["Theta"], du, 6)
    return out


def is_circular(p: dict) -> bool:
    return (all(float(q.get("x0", 0.0)) == 0 and float(q.get("y0", 0.0)) == 0 for q in p["pulses"])
            and all(c[3] == 0 for c in p["comp"])
            and (p.get("incoming") is None or _axisymmetric(p.get("incoming_table", p["incoming"]).psi0)))


def _axisymmetric(psi0: np.ndarray) -> bool:
    """An incoming table without phi dependence (to round-off)."""
    return float(np.max(np.ptp(psi0, axis=1))) <= 1e-14 * max(float(np.max(np.abs(psi0))), 1e-300)


def has_scalar(p: dict) -> bool:
    return (any(float(q.get("amplitude", 1.0)) != 0 for q in p["pulses"])
            or any(c[0] != 0 for c in p["comp"])
            or (p.get("incoming") is not None and bool(np.any(p["incoming"].psi0 != 0))))
