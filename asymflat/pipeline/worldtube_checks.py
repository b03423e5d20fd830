"""Checks of the ``worldtube`` kind: flux laws, balances, the exact solution (b) at scri+ and in the
exterior, the BMS3 charges of the vacuum (module docstring of :mod:`asymflat.kinds.worldtube`)."""
from __future__ import annotations

import math

import numpy as np

from asymflat.data import Check
from asymflat.pipeline.checks import CheckContext, check_plugin
from asymflat.pipeline.estimates import (RICH, RICHARDSON_ORDER, ROUND, ROUNDOFF, SAFETY, SCALED,
                                         measured_order, shadow_richardson)
from asymflat.scri import charges_on_cuts
from asymflat.scri._numerics import dphi


def worldtube_checks(p: dict, A: dict, C: dict | None, summary: dict) -> list[Check]:
    """Every check of the run (module docstring)."""
    G, nphi, nx = p["G"], p["nphi"], p["nx"]
    u, du = A["u"], A["du"]
    th, xi, N = A["theta"], A["xi"], A["N"]
    umax = float(np.max(np.abs(u)))
    th_s = float(np.max(np.abs(th)))
    n_s = float(np.max(np.abs(N)))
    # Round-off models (pointwise noise bounds; 100 eps per operation chain, ROUNDOFF):
    # * Theta = calW(x=1) = calW_w + a quadrature sum of ~nx terms that cancels 2 N_w'/r_w + N_w^2/r_w^2:
    #   ROUNDOFF (max|Theta| + sqrt(nx) max|calW_w - Theta_w|) (measured 10-600x below, r_w = 0.02..5);
    # * N = N_w (RK4 sums): ROUNDOFF max|N|;  Xi also carries (u/2) Theta' with the spectral
    #   derivative of the Theta noise (<= (nphi/2) x noise);
    # * d_u by the 9-point differences of samples whose step-to-step noise grows like sqrt(nsteps)
    #   (measured on runs/dust.toml, nx = 257..2049: the mass-law floor ~ du^-1.5, 18-37x below
    #   ROUNDOFF (max|Theta| + max|calW_w - Theta_w|) sqrt(nsteps) / du);
    # * charges (1/16 pi G) oint (T Theta + 2 Y Xi) pass the pointwise noise through: E <- Theta
    #   noise / 8G; J <- mean of N and of (u/2) Theta' (zero mean up to ROUNDOFF max|Theta'|) / 4G.
    ev = A["ev"]
    cancel = float(np.max(np.abs(ev["tube_calW"] - ev["tube_mass_aspect"])))
    thp_s = float(np.max(np.abs(dphi(th))))
    rnd_th = ROUNDOFF * (th_s + cancel * math.sqrt(nx))
    rnd_n = ROUNDOFF * n_s
    rnd_xi = rnd_n + ROUNDOFF * (1 + umax) * thp_s + rnd_th * (1 + umax) * nphi / 4
    rnd_E = (rnd_th + ROUNDOFF * th_s) / (8 * G) + ROUNDOFF * float(np.max(np.abs(A["emitted"])))
    rnd_J = (rnd_n + ROUNDOFF * (1 + umax) * thp_s) / (4 * G)
    rnd_q = (rnd_th + 2 * rnd_xi + ROUNDOFF * (1 + umax) * (th_s + 2 * n_s)) / (8 * G)
    rnd_U = ROUNDOFF * float(np.max(np.abs(ev["tube_U"]))) * math.sqrt(nx)
    walk = math.sqrt(len(u) - 1) / du
    rnd_dth = ROUNDOFF * (th_s + cancel) * walk
    rnd_dn = ROUNDOFF * n_s * walk + rnd_th * nphi / 4
    checks: list[Check] = []

    def add(name, value, est, method, desc, safety=SAFETY):
        checks.append(Check(name, float(value), float(est), safety, method, desc))

    # --- against the exact solution (b) -----------------------------------------------------
    for name, key, rnd, what in (
            ("Theta_vs_exact", "theta", rnd_th, "max over (u, phi) of |Theta - Theta_exact| at scri+ "
             "(Theta = calW(x=1) of the computed exterior; exact solution (b), bondi-equations.md section 6)"),
            ("Xi_vs_exact", "xi", rnd_xi, "max over (u, phi) of |Xi - Xi_exact| at scri+, Xi = N - (u/2) Theta', "
             "N = Qbar(x=1)/2")):
        err = A[key] - A["exact"][key]
        cerr = (C[key] - C["exact"][key]) if C else None
        est = shadow_richardson(A[key], C[key] if C else None) + rnd
        add(name, np.max(np.abs(err)), est, RICH, what)
        summary[f"error_{key}"] = float(np.max(np.abs(err)))
        if C is not None:
            summary[f"error_{key}_shadow"] = float(np.max(np.abs(cerr)))
            summary[f"order_{key}"] = measured_order(summary[f"error_{key}"], summary[f"error_{key}_shadow"])
    add("bondi_frame_U0", np.max(np.abs(A["U0"])), shadow_richardson(A["U0"], C["U0"] if C else None) + rnd_U, RICH,
        "max over (u, phi) of |U(x=1)| (exact 0: the exterior from U_w = -N_w/r_w^2 is in a Bondi frame)")
    ea = max(float(np.max(np.abs(A["ext"]["U_err"]))), float(np.max(np.abs(A["ext"]["calW_err"]))))
    if C is not None:     # coarse radial nodes are every other fine node, the cuts coincide
        est = max(float(np.max(np.abs(A["ext"][k][:, ::2] - C["ext"][k]))) for k in ("U", "calW"))
        est /= 2**RICHARDSON_ORDER - 1
    else:
        est = float("nan")
    rnd_ext = rnd_th + ROUNDOFF * float(np.max(np.abs(A["ext"]["calW"]))) * math.sqrt(nx) + rnd_U
    add("exterior_vs_exact", ea, est + rnd_ext, RICH,
        "max over the exterior (x, phi) of the cuts u_start + (1/4, 1/2, 3/4, 1)(u_end - u_start) of |U + N/r^2| "
        "and |calW - (Theta - 2N'/r - N^2/r^2)| (exact N, Theta of (b))")
    summary["error_exterior"] = ea

    # --- flux laws and balances at scri+ -------------------------------------------------------
    for name, key, rnd, what in (
            ("mass_law", "res_mass", rnd_dth,
             "max over (u, phi) of |d_u Theta + 16 pi G f| at scri+ (bondi-equations.md section 3.3; 8th-order d_u "
             "of the scri+ Theta on every step, f the exact dust flux)"),
            ("N_law", "res_N", rnd_dn,
             "max over (u, phi) of |d_u N - Theta'/2| at scri+ (bondi-equations.md section 3.3, no scalar field)"),
            ("energy_balance", "E_balance", rnd_E,
             "max over u of |E(u) - E(u_start) + oint int_{u_start}^u f du'| (E = Q[1,0]; dust energy by 6-point "
             "quadrature in u of the exact flux)"),
            ("angular_momentum_conservation", "J_change", rnd_J,
             "max over u of |J(u) - J(u_start)| (J = -Q[0,1]; null dust carries no angular momentum)")):
        val = float(np.max(np.abs(A[key])))
        cval = float(np.max(np.abs(C[key]))) if C else float("nan")
        add(name, val, cval * 2.0**-RICHARDSON_ORDER + rnd, SCALED, what)
        summary[f"{name}_residual"] = val
        if C is not None and val > 10 * rnd:
            summary[f"order_{name}"] = measured_order(val, cval)

    # --- background only: the BMS3 vacuum through the tube, exactly -----------------------
    if not any(b.amplitude > 0 for b in p["bursts"]):
        add("vacuum_Theta", np.max(np.abs(th - p["theta_i"])), rnd_th, ROUND,
            "max |Theta + mu^2| at scri+ (no dust: the vacuum must come through the tube exactly); estimate "
            "100 eps (max|Theta| + sqrt(nx) max|calW_w - Theta_w|)")
        add("vacuum_Xi", np.max(np.abs(xi - p["xi_0"])), rnd_xi, ROUND,
            "max |Xi + 4 G J| at scri+ (no dust); estimate 100 eps (max|N| + (1 + max|u|)(nphi/2) max|Theta|)")
        vac = vacuum_charges(p)
        dev = max(float(np.max(np.abs(A["charges"][k] - vac[k]))) for k in vac)
        add("bms3_charges_vs_vacuum", dev, rnd_q, ROUND,
            "max over cuts of |Q - Q_vacuum| for E, p_x, p_y, J, K_x, K_y against asymflat.bms3.spacetimes "
            f"({p['background']}, mu = {p['mu']:g}, J = {p['J']:g})")
        summary["vacuum_E"] = float(vac["E"])
        summary["vacuum_J"] = float(vac["J"])
    return checks


def vacuum_charges(p: dict) -> dict:
    """Poincare charges of the same BMS3 vacuum from the vacuum kind's module (rest frame)."""
    from asymflat.bms3.spacetimes import make_spacetime

    G = p["G"]
    if p["background"] == "minkowski":
        st = make_spacetime("minkowski", G)
    else:
        st = make_spacetime(p["background"], G, mass=(1.0 - p["mu"]) / (4.0 * G), angular_momentum=p["J"])
    cut = st.predicted_cut("scri_plus", p["nphi"])
    ch = charges_on_cuts(cut.mass_aspect[None, :], cut.angular_momentum_aspect[None, :], G)
    return {k: float(ch[k][0]) for k in ("E", "p_x", "p_y", "J", "K_x", "K_y")}


# --- plugin (asymflat.pipeline.checks) ----------------------------------------------------------
@check_plugin("worldtube")
def worldtube_plugin(ctx: CheckContext) -> None:
    """Every check of the worldtube run ``ctx.main`` against its shadow grid ``ctx.coarse``."""
    ctx.checks.extend(worldtube_checks(ctx.p, ctx.main, ctx.coarse, ctx.summary))
