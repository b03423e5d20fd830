"""Flux-law checks at scri+ and scri- (G > 0 with a scalar field): the Bondi mass and angular-momentum
laws, the energy and angular-momentum balances, monotonicity of Theta (bondi-equations.md section 3.3;
estimates: :mod:`asymflat.pipeline.estimates`, coarse residual scaled by 2^-order + round-off)."""
from __future__ import annotations

import numpy as np

from asymflat.pipeline.checks import CheckContext, check_plugin
from asymflat.pipeline.estimates import RICHARDSON_ORDER, ROUNDOFF, SCALED, cone_order, make_check


#: the two flux laws: (law, residual key of :func:`asymflat.scri.flux_residuals_bondi`)
_LAWS = (("Theta", "R_Theta"), ("Nhat", "R_Nhat"))


def flux_law_checks(res: dict, coarse_res: dict | None, th: np.ndarray, nhat: np.ndarray, dt: float, order: float,
                    method: str, laws, checks: list, summary: dict) -> None:
    """The Theta and Nhat flux laws: max |R| over (time, phi) relative to the largest term of the law
    (``res['scale_*']``, or the law's round-off floor ROUNDOFF max|big| / dt if larger), estimate the
    coarse value x 2^-order + the floor; ``laws`` = ((check name, description) of Theta, of Nhat).
    ``summary``: ``<name>_largest_term`` and the measured ``order_<name>`` (where above round-off)."""
    for (law, key), (name, desc) in zip(_LAWS, laws):
        big = th if law == "Theta" else np.maximum(np.abs(nhat), np.abs(th))
        rnd = ROUNDOFF * float(np.max(np.abs(big))) / dt
        scale = max(res[f"scale_{law}"], rnd)
        val = float(np.max(np.abs(res[key]))) / scale
        rnd = rnd / scale
        cval = float(np.max(np.abs(coarse_res[key]))) / scale if coarse_res is not None else np.nan
        est = cval * 2.0**-order + rnd
        # compared: the law's largest term in units of the normalisation (0 when every term vanishes,
        # e.g. the Nhat law in circular symmetry: the check is then vacuous)
        checks.append(make_check(name, val, est, method, desc, scale=res[f"scale_{law}"] / scale))
        summary[f"{name}_largest_term"] = float(scale)
        if coarse_res is not None and val > 10 * rnd:
            summary[f"order_{name}"] = float(np.log2(cval / val))


def charge_roundoff(th: np.ndarray, N: np.ndarray, time: np.ndarray, n: int, G: float) -> float:
    """Round-off of a charge on a cut: (1/8G) x that of the aspects, ROUNDOFF (n/2)(1 + max|Theta| +
    max|N|)(1 + max|time|) (measured: 5e-12 for E ~ 6, nphi = 48)."""
    return (ROUNDOFF * (n / 2) * (1 + float(np.max(np.abs(th))) + float(np.max(np.abs(N))))
            * (1 + float(np.max(np.abs(time)))) / (8 * G))


def balance_checks(bal: dict, coarse_bal: dict | None, balances, order: float, method: str, checks: list,
                   summary: dict, charges: dict | None = None) -> None:
    """Energy and angular-momentum balances: max over cuts of |balance|, estimate the coarse value x
    2^-order + round-off; ``balances`` = (check name, key of ``bal``, round-off, description) each;
    the measured ``order_<name>`` into ``summary`` where above round-off.  With ``charges`` (the
    series ``E``, ``J`` on the cuts) each check states its scale, max |Q(t) - Q(first cut)| (the
    change the balance compares with the flux: below the tolerance, e.g. J of a circular run, the
    check is vacuous)."""
    for name, key, rnd, desc in balances:
        val = float(np.max(np.abs(bal[key])))
        cval = float(np.max(np.abs(coarse_bal[key]))) if coarse_bal is not None else np.nan
        est = cval * 2.0**-order + rnd
        q = None if charges is None else np.asarray(charges[key.split("_")[0]], float)
        scale = float(np.max(np.abs(q - q[0]))) if q is not None else float("nan")
        checks.append(make_check(name, val, est, method, desc, scale=scale))
        if coarse_bal is not None and val > 10 * rnd:
            summary[f"order_{name}"] = float(np.log2(cval / val))


def monotonic_check(name: str, violation: float, C: dict | None, th: np.ndarray, dt: float, order: float,
                    method: str, desc: str, checks: list) -> None:
    """Monotonicity of Theta along the generators: ``max(0, violation)`` (the largest step the wrong
    way); estimate that of the Theta law, d_u Theta = -16 pi G news^2 + R_Theta: the coarse residual
    x 2^-order + ROUNDOFF max|Theta| / dt."""
    cres = float(np.max(np.abs(C["res"]["R_Theta"]))) if C else np.nan
    est = cres * 2.0**-order + ROUNDOFF * float(np.max(np.abs(th))) / dt
    checks.append(make_check(name, max(0.0, violation), est, method + " (residual of the Theta law)", desc))


def law_checks(B: dict, C: dict | None, G: float, checks: list, summary: dict,
               order: float = RICHARDSON_ORDER) -> None:
    """Flux laws, balances and monotonicity at scri+ (G > 0 with a scalar field); the shadow-grid
    estimates scale the coarse residuals by 2^-order (design order, or :func:`cone_order`)."""
    dt, bf = B["dt"], B["bf"]
    scaled = f"shadow grid nx/2: coarse residual x 2^-{order:g} + round-off"
    th = bf.mass_aspect
    laws = (("flux_law_Theta", "max over (u_B, phi) of |d_u Theta + 16 pi G news^2| / largest term"),
            ("flux_law_Nhat", "max over (u_B, phi) of |d_u Nhat - Theta'/2 + 8 pi G news psi0'| / largest term"))
    flux_law_checks(B["res"], C["res"] if C else None, th, bf.Nhat, dt, order, scaled, laws, checks, summary)
    E = B["charges"]["E"]
    rnd_q = charge_roundoff(th, bf.N, bf.time, len(bf.phi), G)
    # J integrates Xi, whose round-off carries the third phi-derivatives of the transport (the Xi
    # floor of vacuum_checks).  Measured: reflection-symmetric data (J = 0 exactly) leave J ~ 8e-8 at
    # nphi = 96, G = 0.02, with the code-frame data symmetric to 1e-11
    rnd_j = rnd_q + theta_xi_roundoff(bf)[1] / (8 * G)
    balances = (("energy_balance", "E_balance", rnd_q, "max over cuts of |E(u_B) - E(u_start) + radiated E|"),
                ("angular_momentum_balance", "J_balance", rnd_j,
                 "max over cuts of |J(u_B) - J(u_start) + radiated J|"))
    balance_checks(B["bal"], C["bal"] if C else None, balances, order, scaled, checks, summary, B["charges"])
    dut = float(np.max(B["du_theta"]))
    monotonic_check("energy_monotonic", dut, C, th, dt, order, scaled,
                    "max(0, max over (u_B, phi) of d_u Theta): Theta non-increasing on every generator", checks)
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
    """Flux laws, balances and monotonicity at scri- (advanced kind; incoming radiation raises Theta^-)."""
    dt, S = B["dt"], B["S"]
    th = S["Theta"]
    laws = (("flux_law_Theta_minus", "scri-: max over (v_B, phi) of |d_v Theta - 16 pi G news^2| / largest term"),
            ("flux_law_Nhat_minus", "scri-: max over (v_B, phi) of |d_v Nhat - Theta'/2 - 8 pi G news psi0'| / "
                                    "largest term, Nhat = N + pi G d_phi psi0^2"))
    flux_law_checks(B["res"], C["res"] if C else None, th, S["Nhat"], dt, RICHARDSON_ORDER, SCALED, laws, checks,
                    summary)
    rnd_q = charge_roundoff(th, S["N"], S["v"], len(S["phi"]), G)
    balances = (("energy_balance_minus", "E_balance", rnd_q,
                 "scri-: max over cuts of |E(v_B) - E(first cut) - incoming E|"),
                ("angular_momentum_balance_minus", "J_balance", rnd_q,
                 "scri-: max over cuts of |J(v_B) - J(first cut) - incoming J|"))
    balance_checks(B["bal"], C["bal"] if C else None, balances, RICHARDSON_ORDER, SCALED, checks, summary,
                   B["charges"])
    dvt = float(np.min(B["dv_theta"]))
    monotonic_check("energy_monotonic_minus", -dvt, C, th, dt, RICHARDSON_ORDER, SCALED,
                    "scri-: max(0, -min over (v_B, phi) of d_v Theta): Theta^- non-decreasing in v", checks)
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
