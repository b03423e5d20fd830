"""Vacuum checks: flat space (G = 0 or no scalar field) must come out as Minkowski in the transported
Bondi frame (Theta_B = -1, Xi = 0 at scri+; at scri- the finite-law image of a given BMS3 frame)."""
from __future__ import annotations

import numpy as np

from asymflat.pipeline.checks import CheckContext, check_plugin
from asymflat.pipeline.estimates import (RICH, ROUNDOFF, fine_at_coarse, fine_at_coarse_from_end,
                                         make_check, richardson_estimate)
from asymflat.pipeline.law_checks import theta_xi_roundoff


def vacuum_checks(B: dict, C: dict | None, checks: list, mu: float = 1.0) -> None:
    """Flat space (G = 0 or psi = 0) in any vertex frame: Theta_B = -1, Xi = 0; on a conical
    vertex (calW(0) = -mu^2) the static particle Theta_B = -mu^2, Xi = 0."""
    bf = B["bf"]
    rth, rxi = theta_xi_roundoff(bf)
    for name, arr, target, rnd, desc in (
            ("vacuum_Theta", bf.mass_aspect, -mu * mu, rth,
             "max |Theta_B + 1| (flat space in a Poincare frame)" if mu == 1 else
             f"max |Theta_B + mu^2| (static conical defect, mu = {mu:g})"),
            ("vacuum_Xi", bf.angular_momentum_aspect, 0.0, rxi,
             "max |Xi| (flat space, first cut = light cone of a point)")):
        cb = getattr(C["bf"], "mass_aspect" if name == "vacuum_Theta" else "angular_momentum_aspect") if C else None
        f2, c2 = fine_at_coarse(arr, cb)
        est = (richardson_estimate(f2, c2) if C else np.nan) + rnd
        checks.append(make_check(name, np.max(np.abs(arr - target)), est, RICH, desc))


def predicted_vacuum(frame, n: int):
    """(Theta^-, Xi^-) of Minkowski in the frame (F, gamma) at scri- (finite law on (-1, 0))."""
    if frame is None:
        return np.full(n, -1.0), np.zeros(n)
    return frame.act(-1.0, 0.0, n=n)


def phi_tail(f: np.ndarray, k: int = 3) -> float:
    """phi-truncation estimate of the k-th spectral derivative of the grid row(s) ``f``: the
    omitted tail sum_{m >= n/2} m^k 2|c_m| of a geometric spectrum |c_m| ~ c rho^m fitted (least
    squares in log|c_m|) to the modes n/4 <= m < n/2, rho clamped to <= 0.9, with the amplitude
    at m = n/2 - 1 taken as the larger of the fit and the data:
    (n/2)^k 2 c_{n/2-1} rho / (1 - rho)."""
    f = np.atleast_2d(np.asarray(f, dtype=float))
    n = f.shape[-1]
    c = np.max(np.abs(np.fft.rfft(f, axis=-1)), axis=0) / n
    m = np.arange(max(1, n // 4), n // 2)
    y = np.log(np.maximum(c[m], 1e-300))
    slope, icpt = np.polyfit(m, y, 1)
    rho = float(min(np.exp(slope), 0.9))
    last = max(float(c[n // 2 - 1]), float(np.exp(icpt + slope * (n // 2 - 1))))
    return float((n / 2) ** k * 2 * last * rho / (1 - rho))


def vacuum_checks_minus(B: dict, C: dict | None, frame, checks: list) -> None:
    S, code = B["S"], B["code"]
    n = len(S["phi"])
    th_x, xi_x = predicted_vacuum(frame, n)
    bper = float(np.max(np.abs(code["B"])))
    aspan = float(np.max(np.abs(code["A"])))
    big = 1 + float(np.max(np.abs(th_x))) + float(np.max(np.abs(xi_x)))
    rth = ROUNDOFF * big * (1 + bper * (n / 2) ** 3)
    rxi = ROUNDOFF * big * (1 + aspan) * (n / 2) ** 3 + rth * float(np.max(np.abs(S["v"]))) * n / 4
    method = RICH
    if frame is not None:
        # the initial cut (B0 = F^-1, A0 = v_end/F' - gamma) is sampled on the phi grid: its
        # truncation enters Theta through the third derivative of B and Xi through that of A
        # (the shadow grid has the same phi grid and does not see it)
        b0 = code["B"][-1]
        bp = 1.0 + np.fft.irfft(np.fft.rfft(b0) * 1j * np.arange(n // 2 + 1), n=n)
        w = float(np.max(1.0 / bp)) ** 3
        tth = 2 * w * phi_tail(b0)
        rth += tth
        rxi += 2 * w * phi_tail(code["A"][-1]) + tth * float(np.max(np.abs(S["v"]))) * n / 4
        method = RICH + " + phi truncation of the initial cut"
    what = "Minkowski in the frame (F, gamma) (finite law)" if frame is not None else "-1"
    for name, key, target, rnd, desc in (
            ("vacuum_Theta_minus", "Theta", th_x, rth, f"scri-: max |Theta^- - ({what})|"),
            ("vacuum_Xi_minus", "Xi", xi_x, rxi,
             "scri-: max |Xi^- - " + ("finite-law Xi^-|" if frame is not None else "0| (data cone = light cone of a point)"))):
        f2, c2 = fine_at_coarse_from_end(S[key], C["S"][key] if C else None)
        est = (richardson_estimate(f2, c2) if C else np.nan) + rnd
        checks.append(make_check(name, np.max(np.abs(S[key] - target[None, :])), est, method, desc))


# --- plugins (asymflat.pipeline.checks) ---------------------------------------------------------
@check_plugin("characteristic", when=lambda ctx: ctx.G == 0 or not ctx.scalar)
def retarded_vacuum(ctx: CheckContext) -> None:
    """Minkowski (or the static conical defect of ``vertex.mu``) at scri+."""
    vacuum_checks(ctx.B, ctx.C, ctx.checks, ctx.p["mu"])


@check_plugin("scattering", when=lambda ctx: not (ctx.G > 0 and ctx.scalar))
def scattering_vacuum(ctx: CheckContext) -> None:
    """Minkowski at scri+ of the main ladder level."""
    vacuum_checks(ctx.B, ctx.C, ctx.checks)


@check_plugin("advanced", when=lambda ctx: ctx.G == 0 or not ctx.scalar)
def advanced_vacuum(ctx: CheckContext) -> None:
    """Minkowski in the frame (F, gamma) of ``[frame]`` at scri-."""
    vacuum_checks_minus(ctx.B, ctx.C, ctx.extra["frame"], ctx.checks)
