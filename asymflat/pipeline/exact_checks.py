"""Exact-solution checks: psi0 against the closed forms of the pulses, and the nonlinear circular
solution (c1) (bondi-equations.md section 6): beta0, Theta_B with the exact u(u_B), the mass-loss
law in the code frame; at scri+ (retarded) and scri- (advanced)."""
from __future__ import annotations

import math

import numpy as np

from asymflat.data import Check
from asymflat.exact.pulses import pulse_psi0, pulse_psi0_scri_minus
from asymflat.pipeline.bondi_frame import is_circular
from asymflat.pipeline.checks import CheckContext, check_plugin
from asymflat.pipeline.estimates import (RICH, RICHARDSON_ORDER, ROUNDOFF, fine_at_coarse,
                                         fine_at_coarse_from_end, make_check, richardson_estimate, EPS,
                                         SAFETY)


def beta0_circular(u, eps: float, a: float, G: float) -> np.ndarray:
    """beta0(u) of the exact circular solution (c1), bondi-equations.md section 6."""
    u = np.asarray(u, dtype=float)
    k = math.pi * G * eps**2
    return k / (2 * a * a) * (1 - u / np.sqrt(u * u + a * a)) - k / 4 * (u * u - a * a) / (u * u + a * a) ** 2


def ddu(f: np.ndarray, u: np.ndarray) -> np.ndarray:
    """d/du of samples on a uniform u grid along axis 0 (4th-order FD, one-sided at the ends)."""
    from solvers.characteristic.grid import fd_stencils
    n = len(u)
    if n < 6:
        return np.gradient(f, u, axis=0)
    start, coef = fd_stencils(n - 1, 1, 4)
    du = (u[-1] - u[0]) / (n - 1)
    out = np.zeros_like(f)
    for j in range(n):
        for k in range(coef.shape[1]):
            if coef[j, k] != 0:
                out[j] += coef[j, k] * f[start[j] + k]
    return out * (1.0 / (n - 1)) / du


def circular_code_time(uB, u_start: float, eps: float, a: float, G: float, t0: float = 0.0,
                       mu: float = 1.0):
    """Exact code time u(u_B) of the circular solution (c1): the inverse of
    u_B = u_start + int_{u_start}^u e^{2 beta0(mu u' - t0)} du' (bondi-equations.md section 3.4,
    example; mu < 1: the solution rescaled to a conical vertex, conventions.md section 9).
    Composite 24-point Gauss-Legendre on a fine grid, then Newton (round-off accurate)."""
    uB = np.asarray(uB, dtype=float)
    f = lambda t: np.exp(2 * beta0_circular(mu * t - t0, eps, a, G))  # noqa: E731
    xg, wg = np.polynomial.legendre.leggauss(24)
    span = float(np.max(uB) - u_start) + 1.0
    nodes = u_start + np.linspace(0.0, span, int(span / 0.05) + 2)

    def integral(lo, hi):                       # int_lo^hi f, |hi - lo| small, vectorised
        m, h = 0.5 * (hi + lo), 0.5 * (hi - lo)
        return h * (f(m[..., None] + h[..., None] * xg) @ wg)

    An = u_start + np.concatenate([[0.0], np.cumsum(integral(nodes[:-1], nodes[1:]))])
    k = np.clip(np.searchsorted(An, uB) - 1, 0, len(nodes) - 2)
    u = nodes[k] + (uB - An[k]) / f(nodes[k])
    for _ in range(30):
        du = (An[k] + integral(nodes[k], u) - uB) / f(u)
        u = u - du
        if np.max(np.abs(du), initial=0.0) < 1e-15 * max(1.0, float(np.max(np.abs(u)))):
            break
    return u


def circular_bondi_to_code_v(vB, v_end: float, eps: float, a: float, G: float):
    """Exact advanced code time v(v_B) of (c1) at scri-: the inverse of
    v_B = v_end - int_v^{v_end} e^{2 beta0(-v')} dv' (Bondi time origin at the data cone)."""
    return -circular_code_time(-np.asarray(vB, dtype=float), -v_end, eps, a, G)


def exact_checks(p: dict, main: dict, coarse: dict | None, B: dict, C: dict | None,
                  checks: list, summary: dict) -> None:
    G, u, sc = p["G"], main["u"], main["scri"]
    circular = is_circular(p)
    no_acc = p["acc"] == [0.0, 0.0]
    closed = bool(p["pulses"]) and not p["compact"] and no_acc
    mu = p.get("mu", 1.0)
    bf = B["bf"]
    if closed and G == 0:
        T, P = np.meshgrid(bf.time, bf.phi, indexing="ij")
        ex = math.sqrt(mu) * pulse_psi0(mu * T, P, p["pulses"])
        f2, c2 = fine_at_coarse(bf.psi0, C["bf"].psi0 if C else None)
        est = richardson_estimate(f2, c2) + ROUNDOFF * float(np.max(np.abs(ex)))
        checks.append(make_check("psi0_vs_exact", np.max(np.abs(bf.psi0 - ex)), est, RICH,
                                 "max |psi~0 - closed form| on the Bondi grid (u_B, phi_B)"))
        summary["psi0_max_abs"] = float(np.max(np.abs(ex)))
    elif closed and circular:
        ex = np.array([math.sqrt(mu) * pulse_psi0(mu * t, main["solver"].phi, p["pulses"]) for t in u])
        cs = coarse["scri"]["psi0"] if coarse else None
        est = richardson_estimate(sc["psi0"][::2][:len(cs)], cs) if coarse else np.nan
        checks.append(make_check("psi0_vs_exact", np.max(np.abs(sc["psi0"] - ex)),
                                 est + ROUNDOFF * float(np.max(np.abs(ex))), RICH,
                                 "max |psi0 - closed form| at scri+ (code frame) over all steps"))
        summary["psi0_max_abs"] = float(np.max(np.abs(ex)))
    if not (G > 0 and circular and closed and len(p["pulses"]) == 1):
        return
    q = p["pulses"][0]
    eps, a, t0 = float(q["amplitude"]), float(q["a"]), float(q.get("t0", 0.0))
    ex = beta0_circular(mu * u - t0, eps, a, G)
    cb = coarse["scri"]["beta0"] if coarse else None
    est = richardson_estimate(sc["beta0"][::2][:len(cb)], cb) if coarse else np.nan
    checks.append(make_check("beta0_vs_exact", np.max(np.abs(sc["beta0"] - ex[:, None])),
                             est + ROUNDOFF, RICH, "max |beta0 - closed form (c1)| at scri+ (code frame)"))
    uex = circular_code_time(bf.time, p["u0"], eps, a, G, t0, mu)
    thx = -mu * mu * np.exp(-2 * beta0_circular(mu * uex - t0, eps, a, G))
    f2, c2 = fine_at_coarse(bf.mass_aspect, C["bf"].mass_aspect if C else None)
    checks.append(make_check("Theta_vs_exact", np.max(np.abs(bf.mass_aspect - thx[:, None])),
                             richardson_estimate(f2, c2) + ROUNDOFF, RICH,
                             "max |Theta_B(u_B) + mu^2 exp(-2 beta0(u(u_B)))| on the Bondi grid, exact u(u_B)"))
    # the code-frame mass-loss law d_u beta0 = -8 pi G news^2 / mu^2 (4th-order differences in u;
    # from Theta_B = -mu^2 e^{-2 beta0}, d u_B = e^{2 beta0} du and the Bondi mass law)
    lhs = ddu(sc["beta0"], u)
    k8 = 8 * math.pi * G / (mu * mu)
    resid = np.abs(lhs + k8 * sc["news"] ** 2).max()
    est = np.abs(np.gradient(sc["beta0"], u, axis=0) - lhs).max() / (2**2 - 1)
    if coarse is not None:
        cl = ddu(coarse["scri"]["beta0"], coarse["u"])
        est += np.abs(cl + k8 * coarse["scri"]["news"] ** 2).max() / (2**RICHARDSON_ORDER - 1)
    checks.append(make_check("mass_loss_law", resid, est + ROUNDOFF,
                             "shadow grid + 2nd/4th-order sampling-derivative comparison",
                             "max |d_u beta0 + 8 pi G news^2 / mu^2| at scri+ (code frame)"))


def exact_checks_minus(p: dict, phys: list, frame, main: dict, coarse: dict | None, B: dict, C: dict | None,
                       v_end: float, checks: list, summary: dict) -> None:
    G, S, code = p["G"], B["S"], B["code"]
    circular = is_circular(p)
    no_acc = p["acc"] == [0.0, 0.0]
    closed = bool(phys) and not p["compact"] and no_acc
    if closed and G == 0:
        V, Ph = np.meshgrid(S["v"], S["phi"], indexing="ij")
        if frame is None:
            ex = pulse_psi0_scri_minus(V, Ph, phys)
        else:
            F, g = frame.F, frame.gamma
            f1 = F.d(Ph, 1)
            ex = np.sqrt(f1) * pulse_psi0_scri_minus(f1 * (V + g(Ph, 0)), F(Ph), phys)
        f2, c2 = fine_at_coarse_from_end(S["psi0"], C["S"]["psi0"] if C else None)
        est = richardson_estimate(f2, c2) + ROUNDOFF * float(np.max(np.abs(ex)))
        checks.append(make_check("psi0_vs_exact", np.max(np.abs(S["psi0"] - ex)), est, RICH,
                                 "scri-: max |psi~0 - closed form of the pulses at scri-| on the Bondi grid (v_B, phi_B)"))
        summary["psi0_max_abs"] = float(np.max(np.abs(ex)))
    elif closed and circular:
        from asymflat.exact.circular import psi0_minus

        ex = sum(psi0_minus(code["v"], float(q["amplitude"]), float(q["a"])) for q in phys)[:, None]
        cs = C["code"]["psi0"] if C else None
        f2, c2 = fine_at_coarse_from_end(code["psi0"], cs)
        checks.append(make_check("psi0_vs_exact", np.max(np.abs(code["psi0"] - ex)),
                                 richardson_estimate(f2, c2) + ROUNDOFF * float(np.max(np.abs(ex))), RICH,
                                 "scri-: max |psi0 - eps Re[(2(v - ia))^(-1/2)]| (code frame) over all steps"))
        summary["psi0_max_abs"] = float(np.max(np.abs(ex)))
    if not (G > 0 and circular and closed and len(phys) == 1 and frame is None):
        return
    q = phys[0]
    eps, a = float(q["amplitude"]), float(q["a"])
    bx = beta0_circular(-code["v"], eps, a, G)
    f2, c2 = fine_at_coarse_from_end(code["beta0"], C["code"]["beta0"] if C else None)
    checks.append(make_check("beta0_vs_exact", np.max(np.abs(code["beta0"] - bx[:, None])),
                             richardson_estimate(f2, c2) + ROUNDOFF, RICH,
                             "scri-: max |beta0^-(v) - beta0(-v)| of (c1) (code frame)"))
    vex = circular_bondi_to_code_v(S["v"], v_end, eps, a, G)
    thx = -np.exp(-2 * beta0_circular(-vex, eps, a, G))
    f2, c2 = fine_at_coarse_from_end(S["Theta"], C["S"]["Theta"] if C else None)
    checks.append(make_check("Theta_vs_exact", np.max(np.abs(S["Theta"] - thx[:, None])),
                             richardson_estimate(f2, c2) + ROUNDOFF, RICH,
                             "scri-: max |Theta^-(v_B) + exp(-2 beta0^-(v(v_B)))| on the Bondi grid, exact v(v_B)"))
    # code-frame mass-gain law at scri-: d_v beta0^- = +8 pi G news^-2
    v = code["v"]
    lhs = ddu(code["beta0"], v)
    resid = np.abs(lhs - 8 * math.pi * G * code["news"] ** 2).max()
    est = np.abs(np.gradient(code["beta0"], v, axis=0) - lhs).max() / (2**2 - 1)
    if C is not None:
        cl = ddu(C["code"]["beta0"], C["code"]["v"])
        est += np.abs(cl - 8 * math.pi * G * C["code"]["news"] ** 2).max() / (2**RICHARDSON_ORDER - 1)
    checks.append(make_check("mass_gain_law", resid, est + ROUNDOFF,
                             "shadow grid + 2nd/4th-order sampling-derivative comparison",
                             "scri-: max |d_v beta0 - 8 pi G news^2| (code frame)"))


# --- plugins (asymflat.pipeline.checks) ---------------------------------------------------------
@check_plugin("characteristic", "scattering")
def retarded_exact(ctx: CheckContext) -> None:
    """Closed forms at scri+ (G = 0 pulses, circular data, solution (c1))."""
    exact_checks(ctx.p, ctx.main, ctx.coarse, ctx.B, ctx.C, ctx.checks, ctx.summary)


@check_plugin("advanced")
def advanced_exact(ctx: CheckContext) -> None:
    """Closed forms at scri- (reflected pulses, solution (c1))."""
    x = ctx.extra
    exact_checks_minus(ctx.p, x["phys"], x["frame"], ctx.main, ctx.coarse, ctx.B, ctx.C, x["v_end"], ctx.checks,
                       ctx.summary)


@check_plugin("scattering")
def scri_minus_construction(ctx: CheckContext) -> None:
    """The scri- data of the relabelled first cone (main level) against closed forms: G = 0 psi0^-,
    and (c1) Theta^- with the ladder's level-2 error model."""
    p, G, checks, summ = ctx.p, ctx.G, ctx.checks, ctx.summary
    levels, runs = ctx.extra["levels"], ctx.extra["runs"]
    bf = ctx.B["bf"]
    im = ctx.extra["main"]
    M, Mc = runs[im]["M"], runs[im]["Mc"]
    if G == 0:
        ex = pulse_psi0_scri_minus(M["times"][:, None], bf.phi[None, :], p["pulses"])
        val = float(np.max(np.abs(M["psi0"] - ex)))
        checks.append(Check("scri_minus_psi0_vs_exact", val, EPS * 100 * (1 + float(np.max(np.abs(ex)))) +
                            (float(np.max(np.abs(M["times"][:, None] - M["v"]))) * float(np.max(np.abs(M["news"])))),
                            SAFETY, "round-off + |v_B - v| x max|news| (G = 0: v_B = v exactly)",
                            "max |psi0^- - closed form| on the scri- grid"))
    if G > 0 and is_circular(p) and len(p["pulses"]) == 1:
        q = p["pulses"][0]
        eps, a, t0 = float(q["amplitude"]), float(q["a"]), float(q.get("t0", 0.0))
        # exact: beta0^-(v) = beta0^+(-(v - t0)) (c1 is time symmetric about t0), Theta^- = -e^{-2 beta0^-}
        thx = -np.exp(-2 * beta0_circular(-(M["v"] - t0), eps, a, G))
        val = float(np.max(np.abs(M["theta"] - thx)))
        cv = np.nan
        if Mc is not None:
            thc = -np.exp(-2 * beta0_circular(-(Mc["v"] - t0), eps, a, G))
            cv = float(np.max(np.abs(Mc["theta"] - thc)))
        summ["scri_minus_Theta_vs_exact"] = val
        summ["scri_minus_Theta_vs_exact_shadow"] = cv
        if len(runs) > im + 1:       # the next later first cone
            M2 = runs[im + 1]["M"]
            th2 = -np.exp(-2 * beta0_circular(-(M2["v"] - t0), eps, a, G))
            v2 = float(np.max(np.abs(M2["theta"] - th2)))
            summ["scri_minus_Theta_vs_exact_level2"] = v2
            # error model: finite-u0 error C/D^p (p >= 1 measured over the ladder) + truncation
            est = v2 * levels[im + 1]["D"] / levels[im]["D"] + cv / 15
            checks.append(Check("scri_minus_Theta_vs_exact_c1", val, est, SAFETY,
                                "ladder: level-2 value x D2/D1 (O(1/|u0|)) + shadow/15",
                                "max |Theta^- (relabelled first cone + scri- flux law) + exp(-2 beta0^-(v))| (c1)"))
