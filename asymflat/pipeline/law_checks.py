"""Flux-law checks at scri+ and scri- (G > 0 with a scalar field): the Bondi mass and angular-momentum
laws, the energy and angular-momentum balances, monotonicity of Theta (bondi-equations.md section 3.3;
estimates: :mod:`asymflat.pipeline.estimates`, coarse residual scaled by 2^-order + round-off)."""
from __future__ import annotations

import numpy as np

from asymflat.pipeline.checks import CheckContext, check_plugin
from asymflat.pipeline.estimates import RICHARDSON_ORDER, ROUNDOFF, SCALED, cone_order, make_check


def law_checks(B: dict, C: dict | None, G: float, checks: list, summary: dict,
                order: float = RICHARDSON_ORDER) -> None:
    """Flux laws, balances and monotonicity (G > 0 with a scalar field); the shadow-grid
    estimates scale the coarse residuals by 2^-order (design order, or :func:`cone_order`)."""
    r, dt = B["res"], B["dt"]
    scaled = f"shadow grid nx/2: coarse residual x 2^-{order:g} + round-off"
    th = B["bf"].mass_aspect
    for law, key in (("Theta", "R_Theta"), ("Nhat", "R_Nhat")):
        big = th if law == "Theta" else np.maximum(np.abs(B["bf"].Nhat), np.abs(th))
        rnd = ROUNDOFF * float(np.max(np.abs(big))) / dt
        scale = max(r[f"scale_{law}"], rnd)
        val = float(np.max(np.abs(r[key]))) / scale
        rnd = rnd / scale
        cval = float(np.max(np.abs(C["res"][key]))) / scale if C else np.nan
        est = cval * 2.0**-order + rnd
        desc = ("max over (u_B, phi) of |d_u Theta + 16 pi G news^2| / largest term"
                if law == "Theta" else
                "max over (u_B, phi) of |d_u Nhat - Theta'/2 + 8 pi G news psi0'| / largest term")
        checks.append(make_check(f"flux_law_{law}", val, est, scaled, desc))
        summary[f"flux_law_{law}_largest_term"] = float(scale)
        if C and val > 10 * rnd:
            summary[f"order_flux_law_{law}"] = float(np.log2(cval / val))
    E = B["charges"]["E"]
    bf = B["bf"]
    n = len(bf.phi)
    # round-off of a charge: (1/8G) x that of the aspects (measured: 5e-12 for E ~ 6, nphi = 48)
    rnd_q = (ROUNDOFF * (n / 2) * (1 + float(np.max(np.abs(th))) + float(np.max(np.abs(bf.N))))
             * (1 + float(np.max(np.abs(bf.time)))) / (8 * G))
    # J integrates Xi, whose round-off carries the third phi-derivatives of the transport (the Xi
    # floor of vacuum_checks).  Measured: reflection-symmetric data (J = 0 exactly) leave J ~ 8e-8 at
    # nphi = 96, G = 0.02, with the code-frame data symmetric to 1e-11
    rnd_j = rnd_q + theta_xi_roundoff(bf)[1] / (8 * G)
    for name, key, ch, rnd in (("energy_balance", "E_balance", "E", rnd_q),
                               ("angular_momentum_balance", "J_balance", "J", rnd_j)):
        val = float(np.max(np.abs(B["bal"][key])))
        cval = float(np.max(np.abs(C["bal"][key]))) if C else np.nan
        est = cval * 2.0**-order + rnd
        checks.append(make_check(name, val, est, scaled,
                             f"max over cuts of |{ch}(u_B) - {ch}(u_start) + radiated {ch}|"))
        if C and val > 10 * rnd:
            summary[f"order_{name}"] = float(np.log2(cval / val))
    dut = float(np.max(B["du_theta"]))
    cres = float(np.max(np.abs(C["res"]["R_Theta"]))) if C else np.nan
    est = cres * 2.0**-order + ROUNDOFF * float(np.max(np.abs(th))) / dt
    checks.append(make_check("energy_monotonic", max(0.0, dut), est,
                         scaled + " (residual of the Theta law)",
                         "max(0, max over (u_B, phi) of d_u Theta): Theta non-increasing on every generator"))
    summary["max_du_Theta"] = dut
    summary["E_initial"] = float(E[0])
    summary["E_final"] = float(E[-1])
    summary["radiated_energy"] = float(E[0] - E[-1])
    summary["radiated_energy_flux_integral"] = float(B["bal"]["total_radiated_energy"])
    summary["J_initial"] = float(B["charges"]["J"][0])
    summary["J_final"] = float(B["charges"]["J"][-1])
    summary["E_max_increase_between_cuts"] = float(max(0.0, np.max(np.diff(E), initial=0.0)))


def theta_xi_roundoff(bf) -> tuple[float, float]:
    """Round-off floors of Theta_B and Xi on the Bondi grid (module doc, "Checks"): Theta_B holds the
    third phi-derivative of B, Xi also that of A and u_B Theta_B'."""
    n = len(bf.phi)
    bper = float(np.max(np.abs(bf.code["B_minus_phi"])))
    aspan = float(np.max(np.abs(bf.code["A"])))
    rth = ROUNDOFF * (1 + bper * (n / 2) ** 3)
    rxi = ROUNDOFF * (1 + aspan) * (n / 2) ** 3 + rth * float(np.max(np.abs(bf.time))) * n / 4
    return rth, rxi


def law_checks_minus(B: dict, C: dict | None, G: float, checks: list, summary: dict) -> None:
    r, dt, S = B["res"], B["dt"], B["S"]
    th = S["Theta"]
    for law, key in (("Theta", "R_Theta"), ("Nhat", "R_Nhat")):
        big = th if law == "Theta" else np.maximum(np.abs(S["Nhat"]), np.abs(th))
        rnd = ROUNDOFF * float(np.max(np.abs(big))) / dt
        scale = max(r[f"scale_{law}"], rnd)
        val = float(np.max(np.abs(r[key]))) / scale
        rnd = rnd / scale
        cval = float(np.max(np.abs(C["res"][key]))) / scale if C else np.nan
        est = cval * 2.0**-RICHARDSON_ORDER + rnd
        desc = ("scri-: max over (v_B, phi) of |d_v Theta - 16 pi G news^2| / largest term"
                if law == "Theta" else
                "scri-: max over (v_B, phi) of |d_v Nhat - Theta'/2 - 8 pi G news psi0'| / largest term, "
                "Nhat = N + pi G d_phi psi0^2")
        checks.append(make_check(f"flux_law_{law}_minus", val, est, SCALED, desc))
        summary[f"flux_law_{law}_minus_largest_term"] = float(scale)
        if C and val > 10 * rnd:
            summary[f"order_flux_law_{law}_minus"] = float(np.log2(cval / val))
    n = len(S["phi"])
    rnd_q = (ROUNDOFF * (n / 2) * (1 + float(np.max(np.abs(th))) + float(np.max(np.abs(S["N"]))))
             * (1 + float(np.max(np.abs(S["v"])))) / (8 * G))
    for name, key, ch in (("energy_balance_minus", "E_balance", "E"),
                          ("angular_momentum_balance_minus", "J_balance", "J")):
        val = float(np.max(np.abs(B["bal"][key])))
        cval = float(np.max(np.abs(C["bal"][key]))) if C else np.nan
        est = cval * 2.0**-RICHARDSON_ORDER + rnd_q
        checks.append(make_check(name, val, est, SCALED,
                             f"scri-: max over cuts of |{ch}(v_B) - {ch}(first cut) - incoming {ch}|"))
        if C and val > 10 * rnd_q:
            summary[f"order_{name}"] = float(np.log2(cval / val))
    dvt = float(np.min(B["dv_theta"]))
    cres = float(np.max(np.abs(C["res"]["R_Theta"]))) if C else np.nan
    est = cres * 2.0**-RICHARDSON_ORDER + ROUNDOFF * float(np.max(np.abs(th))) / dt
    checks.append(make_check("energy_monotonic_minus", max(0.0, -dvt), est, SCALED + " (residual of the Theta law)",
                         "scri-: max(0, -min over (v_B, phi) of d_v Theta): Theta^- non-decreasing in v"))
    E = B["charges"]["E"]
    summary["min_dv_Theta"] = dvt
    summary["E_first_cut"] = float(E[0])
    summary["E_data_cone"] = float(E[-1])
    summary["incoming_energy"] = float(E[-1] - E[0])
    summary["incoming_energy_flux_integral"] = float(B["bal"]["total_incoming_energy"])
    summary["J_first_cut"] = float(B["charges"]["J"][0])
    summary["J_data_cone"] = float(B["charges"]["J"][-1])


# --- plugins (asymflat.pipeline.checks) ---------------------------------------------------------
@check_plugin("characteristic", when=lambda ctx: ctx.G > 0 and ctx.scalar)
def retarded_laws(ctx: CheckContext) -> None:
    """scri+ laws at the design order of the vertex (:func:`cone_order`), recorded as ``design_order``."""
    law_checks(ctx.B, ctx.C, ctx.G, ctx.checks, ctx.summary, cone_order(ctx.p["mu"]))
    ctx.summary["design_order"] = cone_order(ctx.p["mu"])


@check_plugin("scattering", when=lambda ctx: ctx.G > 0 and ctx.scalar)
def scattering_laws(ctx: CheckContext) -> None:
    """scri+ laws of the main ladder level at the design order."""
    law_checks(ctx.B, ctx.C, ctx.G, ctx.checks, ctx.summary)


@check_plugin("advanced", when=lambda ctx: ctx.G > 0 and ctx.scalar)
def advanced_laws(ctx: CheckContext) -> None:
    """scri- laws of the advanced kind."""
    law_checks_minus(ctx.B, ctx.C, ctx.G, ctx.checks, ctx.summary)
