"""Run kind ``advanced``: data on a past light cone, evolved toward the past; Bondi-frame scri- data.

The advanced chart (bondi-equations.md section 5, conventions.md section 5)

    ds^2 = e^{2 beta} (V/r) dv^2 + 2 e^{2 beta} dv dr + r^2 (dphi - U dv)^2

is the time reflection t -> -t (u = -v) of the retarded one, an exact map of all field equations:

    (beta, U, V, psi)_adv(v, r, phi) = (beta, -U, V, psi)_ret(-v, r, phi).

So an advanced evolution *is* a retarded one of the reflected data.  This kind

1. reads the advanced problem: advanced time v in [v_start, v_end], data on the past light cone
   v = v_end of the vertex point (t = v_end, r = 0), evolution toward v_start;
2. reflects it: retarded evolution on u in [-v_end, -v_start] from the future cone u = -v_end, with
   * exact pulses ``psi = Re A[-(t - t0 - i a)^2 + |x - x0|^2]^(-1/2)``: t0 -> -t0 (a, x0, y0, A
     unchanged; psi(-t) is the pulse with t0 -> -t0 because [-(-t - t0 - ia)^2 + ...] is the complex
     conjugate of [-(t + t0 - ia)^2 + ...] and Re z^(-1/2) = Re conj(z)^(-1/2) off the branch
     cut, which sigma never meets; tests/test_advanced_kind.py checks it numerically);
   * compact pulses: the profile given on the past cone is the same profile on the future cone;
   * circular (c1): time symmetric (t0 = 0), unchanged;
   * vertex: ``vertex.angular_velocity`` omega is the rotation rate of the advanced angular frame,
     ``vertex.acceleration`` (a1, a2) the (time-even) acceleration of the central worldline; the
     advanced chart then has U_c = omega - a1 sin phi + a2 cos phi and
     V = -r - 2 r^2 (a1 cos phi + a2 sin phi), and the reflected retarded run has
     U_c = -omega + a1 sin phi - a2 cos phi (angular velocity -omega, acceleration (a1, a2));
3. runs the characteristic pipeline on the reflected problem, reusing
   :mod:`asymflat.kinds.characteristic` (``parse``, ``evolve``: every-step code-frame samples
   at scri+, main grid and half-resolution shadow grid) and :func:`asymflat.scri.to_bondi_frame`
   (frame transport starting at the data cone);
4. maps every scri+ quantity back to scri- (conventions.md section 5) and reverses the time axis
   so that v increases:  v = -u_B, Theta^-(v) = Theta(-v), N^-(v) = -N(-v),
   Xi^-(v) = -Xi(-v), Nhat^-(v) = -Nhat(-v), psi0^-(v) = psi0(-v), news^-(v) = -news(-v);
5. evaluates the scri- flux laws, balances and exact comparisons on the *written* scri- data with
   the scri- formulas (:func:`asymflat.scri.flux_residuals_bondi_minus`, ...).

Bondi frame at scri-: the transport's initial cut is the data cone (v = v_end), with the inertial
time origin there: Bondi time v_B = v_end and Bondi angle = code angle on the data cone (cuts
v_B = v_end - k dv).  Optionally a BMS3 frame ``(F, gamma)`` at scri- (finite law of
conventions.md section 3 at scri-: phi_old = F(phi), v_old = F'(phi)(v + gamma(phi)), old = the
code frame on the data cone) sets the initial cut instead: in the reflected run
(F, gamma_ret = -gamma), i.e. u_B = -v_end/F'(B) + gamma(B), B = F^{-1}(phi)
(:func:`asymflat.scri.initial_cut_from_frame`).  Read from an optional ``[frame]`` table with the
keys of kind ``vacuum`` (superrotation, rotation, boost_rapidity, boost_direction,
supertranslation; :func:`asymflat.bms3.make_frame`); the config schema does not yet allow
``[frame]`` for kind ``advanced`` (call :func:`run` with a dict meanwhile).

Configuration keys used
-----------------------
``G``; ``grid.{nx, nphi, R}``; ``evolution.{u_start, u_end, cfl}`` read as **v_start, v_end**
(data on the past cone v = v_end, evolution toward v_start; dv = cfl R h); ``output.{scri_every,
fields_every}``; ``characteristic.{pulses, compact, circular, shadow_grid, radial_order, filter}``
(pulses: the physical field of the advanced problem, t0 as given); ``vertex.{angular_velocity,
acceleration}`` (meaning above); optional ``frame.*`` (above).

Output
------
``/scri_minus`` on uniform (v_B, phi_B), v increasing, last cut = data cone: ``mass_aspect``
Theta^-, ``N`` N^-, ``angular_momentum_aspect`` Xi^- = N^- - (v/2) d_phi Theta^-, ``news``
d_v psi0^-, ``psi0`` psi0^-.  Extras: ``Nhat`` (N^- + pi G d_phi psi0^2), ``frame/v_code``,
``frame/phi_code``, ``code_frame/{v, psi0, news, beta0, U0, calW, Qbar, A, B}`` in the advanced
code frame (v = -u, U0 -> -U0, news -> -news, Qbar -> -Qbar, A = v_B of the code point -> -A;
beta0, calW = V/r - 2 r U_phi, psi0, B unchanged).  Series on the written cuts (``v_bondi``),
G > 0: Poincare charges with the scri- generators (conventions.md section 4), ``dE_dv, dJ_dv``,
``incoming_energy, incoming_J``, ``E_balance, J_balance``, flux-law residuals, ``min_dv_Theta``.
Grid series against the advanced code time ``v``.

Checks (tolerances from the shadow grid exactly as in kind ``characteristic``: Richardson
|fine - coarse|/(2^4 - 1) for quantities with a known value, the coarse residual x 2^-4 for
residuals, plus round-off floors):

* G > 0 with a scalar field: ``flux_law_Theta_minus`` (|d_v Theta - 16 pi G news^2| relative to the
  largest term), ``flux_law_Nhat_minus`` (|d_v Nhat^- - Theta'/2 - 8 pi G news psi0'|),
  ``energy_balance_minus``, ``angular_momentum_balance_minus``, ``energy_monotonic_minus``
  (max(0, -min d_v Theta^-): incoming radiation only raises Theta^-).
* flat space (G = 0 or no field): ``vacuum_Theta_minus``, ``vacuum_Xi_minus`` against the finite
  law of the frame on Minkowski ((-1, 0) without ``[frame]``).
* exact: ``psi0_vs_exact`` (G = 0 exact pulses, no acceleration: psi~0 on the Bondi grid against
  sqrt(F') psi0^-(F'(v + gamma), F) with psi0^- the scri- limit of the pulses,
  :func:`asymflat.exact.pulses.pulse_psi0_scri_minus`; G > 0 circular: the code-frame psi0^- against
  :func:`asymflat.exact.circular.psi0_minus`), and for one circular pulse at G > 0 (no frame, no
  acceleration): ``beta0_vs_exact`` (beta0^-(v) = beta0(-v)), ``Theta_vs_exact``
  (Theta^-(v_B) = -exp(-2 beta0^-(v)), v_B = v_end - int_v^{v_end} e^{2 beta0^-}) and
  ``mass_gain_law`` (code frame: d_v beta0^- = +8 pi G news^-2).
"""
from __future__ import annotations

import math
import time

import numpy as np

from asymflat.data import Check, RunData, ScriData
from asymflat.exact.pulses import pulse_psi0_scri_minus
from asymflat.kinds import characteristic as _ch
from asymflat.scri import (balance_minus, charges_on_cuts_minus, flux_residuals_bondi_minus,
                           initial_cut_from_frame, to_bondi_frame)
from asymflat.scri._numerics import fd_time_derivative

SAFETY = _ch.SAFETY
ROUNDOFF = _ch.ROUNDOFF
P = _ch.RICHARDSON_ORDER
RICH = _ch.RICH
SCALED = _ch.SCALED

_UNITS = {"psi0": "length^0 G^-1/2", "news": "length^-1/2 G^-1/2", "beta0": "1", "U0": "length^-1",
          "calW": "1", "Qbar": "length"}
_DESC = {
    "psi0": "lim sqrt(r) psi at scri- (x = 1), advanced code (vertex) frame",
    "news": "d_v psi0 at fixed code phi",
    "beta0": "beta at scri- (beta = 0 at the vertex)",
    "U0": "U at scri- (advanced chart)",
    "calW": "calW = V/r - 2 r U_phi at scri- (advanced chart)",
    "Qbar": "Qbar = r^3 e^{-2 beta} U_r - 2 r beta_phi at scri- (advanced chart)",
}
#: sign of each code-frame sample under the reflection (retarded -> advanced)
_CODE_SIGN = {"psi0": 1.0, "news": -1.0, "beta0": 1.0, "U0": -1.0, "calW": 1.0, "Qbar": -1.0}


# ----------------------------------------------------------------------------------------------
# configuration: the advanced problem and its reflection
# ----------------------------------------------------------------------------------------------
def reflect_pulses(pulses) -> list[dict]:
    """Exact pulses of the reflected (retarded) problem: t0 -> -t0, the rest unchanged."""
    out = []
    for q in pulses or []:
        q = dict(q)
        q["t0"] = -float(q.get("t0", 0.0) or 0.0)
        out.append(q)
    return out


def reflected_config(config: dict) -> dict:
    """The retarded (kind ``characteristic``) configuration of the time-reflected problem.

    u in [-v_end, -v_start]; pulses t0 -> -t0; compact and circular data unchanged; vertex
    angular velocity -omega, acceleration unchanged (module docstring).
    """
    ev = dict(config["evolution"])
    v0, v1 = float(ev["u_start"]), float(ev["u_end"])
    if not (math.isfinite(v0) and math.isfinite(v1) and v1 > v0):
        raise ValueError(f"evolution.u_end = {v1}: must be a finite number > evolution.u_start = {v0} "
                         "(kind advanced: the advanced-time range [v_start, v_end])")
    ev["u_start"], ev["u_end"] = -v1, -v0
    ch = dict(config.get("characteristic") or {})
    ch["pulses"] = reflect_pulses(ch.get("pulses"))
    vx = dict(config.get("vertex") or {})
    om = vx.get("angular_velocity", 0.0)
    vx["angular_velocity"] = -float(0.0 if om is None else om)
    out = {k: v for k, v in config.items() if k != "frame"}
    out.update(kind="characteristic", evolution=ev, characteristic=ch, vertex=vx)
    return out


def _frame(config: dict):
    """The BMS3 frame (F, gamma) at scri- from an optional ``[frame]`` table, or None."""
    fr = config.get("frame") or {}
    keys = ("superrotation", "rotation", "boost_rapidity", "boost_direction", "supertranslation")
    unknown = sorted(set(fr) - set(keys))
    if unknown:
        raise ValueError(f"frame.{unknown[0]}: unknown key; allowed: {', '.join(keys)}")
    if not any(fr.get(k) for k in keys):
        return None
    from asymflat.bms3.spacetimes import make_frame

    el = make_frame(**{k: fr[k] for k in keys if k in fr})
    el.F.check_orientation("frame.superrotation")
    return el


def _parse(config: dict):
    p = _ch.parse(reflected_config(config))
    if p["mu"] != 1.0:
        raise ValueError(f"vertex.mu = {p['mu']:g}: a conical vertex runs in kind = \"characteristic\" "
                         "(retarded chart); the advanced kind's checks assume a regular vertex (mu = 1)")
    v0, v1 = float(config["evolution"]["u_start"]), float(config["evolution"]["u_end"])
    ch = config.get("characteristic") or {}
    phys = [dict(q) for q in ch.get("pulses", []) or []]
    phys += [{"amplitude": float(c.get("amplitude", 1.0)), "a": float(c["a"]), "t0": 0.0, "x0": 0.0,
              "y0": 0.0} for c in ch.get("circular", []) or []]
    return p, v0, v1, phys, _frame(config)


def validate(cfg: dict) -> None:
    """Kind-level checks before any work (raises ValueError naming the key)."""
    _parse(cfg)


# ----------------------------------------------------------------------------------------------
# Bondi frame, reflection to scri-
# ----------------------------------------------------------------------------------------------
def _scri_minus(ev: dict, G: float, scalar: bool, frame, v_end: float) -> dict:
    """Bondi-frame data of the reflected run mapped to scri- (v increasing) + laws, charges."""
    u, sc = ev["u"], ev["scri"]
    du = u[1] - u[0]
    n = sc["psi0"].shape[1]
    initial = None
    if frame is not None:
        g = frame.gamma
        initial = initial_cut_from_frame(frame.F, lambda x, k: -g(x, k), u[0], n)
    sub = _ch.transport_substeps(du, sc["U0"])
    bf = to_bondi_frame(u, sc["beta0"], sc["U0"], sc["calW"], sc["Qbar"], sc["psi0"], sc["news"],
                        G, substeps=sub, dtime=du, initial=initial)
    r = slice(None, None, -1)
    S = dict(v=-bf.time[r], phi=bf.phi, Theta=bf.mass_aspect[r], N=-bf.N[r],
             Xi=-bf.angular_momentum_aspect[r], Nhat=-bf.Nhat[r], psi0=bf.psi0[r], news=-bf.news[r],
             v_code=-bf.u_code[r], phi_code=bf.phi_code[r])
    code = {k: _CODE_SIGN[k] * bf.code[k][r] for k in _CODE_SIGN}
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


def _pair_end(f: np.ndarray, c: np.ndarray | None):
    """Fine dense cuts at the coarse cut times and the coarse ones, aligned at the data cone (the
    last cut; the coarse cuts are every other fine one counted from there)."""
    if c is None:
        return f, None
    f2 = f[::-1][::2]
    c2 = c[::-1]
    m = min(len(f2), len(c2))
    return f2[:m][::-1], c2[:m][::-1]


def _check(name, value, est, method, desc):
    return Check(name, float(value), float(est), SAFETY, method, desc)


def _rich(fine, coarse):
    return _ch.richardson_estimate(fine, coarse)


# ----------------------------------------------------------------------------------------------
# checks
# ----------------------------------------------------------------------------------------------
def _law_checks(B: dict, C: dict | None, G: float, checks: list, summary: dict) -> None:
    r, dt, S = B["res"], B["dt"], B["S"]
    th = S["Theta"]
    for law, key in (("Theta", "R_Theta"), ("Nhat", "R_Nhat")):
        big = th if law == "Theta" else np.maximum(np.abs(S["Nhat"]), np.abs(th))
        rnd = ROUNDOFF * float(np.max(np.abs(big))) / dt
        scale = max(r[f"scale_{law}"], rnd)
        val = float(np.max(np.abs(r[key]))) / scale
        rnd = rnd / scale
        cval = float(np.max(np.abs(C["res"][key]))) / scale if C else np.nan
        est = cval * 2.0**-P + rnd
        desc = ("scri-: max over (v_B, phi) of |d_v Theta - 16 pi G news^2| / largest term"
                if law == "Theta" else
                "scri-: max over (v_B, phi) of |d_v Nhat - Theta'/2 - 8 pi G news psi0'| / largest term, "
                "Nhat = N + pi G d_phi psi0^2")
        checks.append(_check(f"flux_law_{law}_minus", val, est, SCALED, desc))
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
        est = cval * 2.0**-P + rnd_q
        checks.append(_check(name, val, est, SCALED,
                             f"scri-: max over cuts of |{ch}(v_B) - {ch}(first cut) - incoming {ch}|"))
        if C and val > 10 * rnd_q:
            summary[f"order_{name}"] = float(np.log2(cval / val))
    dvt = float(np.min(B["dv_theta"]))
    cres = float(np.max(np.abs(C["res"]["R_Theta"]))) if C else np.nan
    est = cres * 2.0**-P + ROUNDOFF * float(np.max(np.abs(th))) / dt
    checks.append(_check("energy_monotonic_minus", max(0.0, -dvt), est, SCALED + " (residual of the Theta law)",
                         "scri-: max(0, -min over (v_B, phi) of d_v Theta): Theta^- non-decreasing in v"))
    E = B["charges"]["E"]
    summary["min_dv_Theta"] = dvt
    summary["E_first_cut"] = float(E[0])
    summary["E_data_cone"] = float(E[-1])
    summary["incoming_energy"] = float(E[-1] - E[0])
    summary["incoming_energy_flux_integral"] = float(B["bal"]["total_incoming_energy"])
    summary["J_first_cut"] = float(B["charges"]["J"][0])
    summary["J_data_cone"] = float(B["charges"]["J"][-1])


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


def _vacuum_checks(B: dict, C: dict | None, frame, checks: list) -> None:
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
        f2, c2 = _pair_end(S[key], C["S"][key] if C else None)
        est = (_rich(f2, c2) if C else np.nan) + rnd
        checks.append(_check(name, np.max(np.abs(S[key] - target[None, :])), est, method, desc))


def circular_bondi_to_code_v(vB, v_end: float, eps: float, a: float, G: float):
    """Exact advanced code time v(v_B) of (c1) at scri-: the inverse of
    v_B = v_end - int_v^{v_end} e^{2 beta0(-v')} dv' (Bondi time origin at the data cone)."""
    return -_ch.circular_code_time(-np.asarray(vB, dtype=float), -v_end, eps, a, G)


def _exact_checks(p: dict, phys: list, frame, main: dict, coarse: dict | None, B: dict, C: dict | None,
                  v_end: float, checks: list, summary: dict) -> None:
    G, S, code = p["G"], B["S"], B["code"]
    circular = _ch.is_circular(p)
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
        f2, c2 = _pair_end(S["psi0"], C["S"]["psi0"] if C else None)
        est = _rich(f2, c2) + ROUNDOFF * float(np.max(np.abs(ex)))
        checks.append(_check("psi0_vs_exact", np.max(np.abs(S["psi0"] - ex)), est, RICH,
                             "scri-: max |psi~0 - closed form of the pulses at scri-| on the Bondi grid (v_B, phi_B)"))
        summary["psi0_max_abs"] = float(np.max(np.abs(ex)))
    elif closed and circular:
        from asymflat.exact.circular import psi0_minus

        ex = sum(psi0_minus(code["v"], float(q["amplitude"]), float(q["a"])) for q in phys)[:, None]
        cs = C["code"]["psi0"] if C else None
        f2, c2 = _pair_end(code["psi0"], cs)
        checks.append(_check("psi0_vs_exact", np.max(np.abs(code["psi0"] - ex)),
                             _rich(f2, c2) + ROUNDOFF * float(np.max(np.abs(ex))), RICH,
                             "scri-: max |psi0 - eps Re[(2(v - ia))^(-1/2)]| (code frame) over all steps"))
        summary["psi0_max_abs"] = float(np.max(np.abs(ex)))
    if not (G > 0 and circular and closed and len(phys) == 1 and frame is None):
        return
    q = phys[0]
    eps, a = float(q["amplitude"]), float(q["a"])
    bx = _ch.beta0_circular(-code["v"], eps, a, G)
    f2, c2 = _pair_end(code["beta0"], C["code"]["beta0"] if C else None)
    checks.append(_check("beta0_vs_exact", np.max(np.abs(code["beta0"] - bx[:, None])),
                         _rich(f2, c2) + ROUNDOFF, RICH,
                         "scri-: max |beta0^-(v) - beta0(-v)| of (c1) (code frame)"))
    vex = circular_bondi_to_code_v(S["v"], v_end, eps, a, G)
    thx = -np.exp(-2 * _ch.beta0_circular(-vex, eps, a, G))
    f2, c2 = _pair_end(S["Theta"], C["S"]["Theta"] if C else None)
    checks.append(_check("Theta_vs_exact", np.max(np.abs(S["Theta"] - thx[:, None])),
                         _rich(f2, c2) + ROUNDOFF, RICH,
                         "scri-: max |Theta^-(v_B) + exp(-2 beta0^-(v(v_B)))| on the Bondi grid, exact v(v_B)"))
    # code-frame mass-gain law at scri-: d_v beta0^- = +8 pi G news^-2
    v = code["v"]
    lhs = _ch.ddu(code["beta0"], v)
    resid = np.abs(lhs - 8 * math.pi * G * code["news"] ** 2).max()
    est = np.abs(np.gradient(code["beta0"], v, axis=0) - lhs).max() / (2**2 - 1)
    if C is not None:
        cl = _ch.ddu(C["code"]["beta0"], C["code"]["v"])
        est += np.abs(cl - 8 * math.pi * G * C["code"]["news"] ** 2).max() / (2**P - 1)
    checks.append(_check("mass_gain_law", resid, est + ROUNDOFF,
                         "shadow grid + 2nd/4th-order sampling-derivative comparison",
                         "scri-: max |d_v beta0 - 8 pi G news^2| (code frame)"))


# ----------------------------------------------------------------------------------------------
# run
# ----------------------------------------------------------------------------------------------
def run(config: dict, progress=None) -> RunData:
    """Run one advanced evolution (module docstring)."""
    t_wall = time.time()
    p, v0, v1, phys, frame = _parse(config)
    nx, R, cfl, G = p["nx"], p["R"], p["cfl"], p["G"]
    L = v1 - v0
    shadow = p["shadow"] and nx % 2 == 0 and nx // 2 >= 16
    if shadow:
        nsteps = 2 * max(_ch.MIN_STEPS, math.ceil(L * (nx // 2) / (cfl * R) - 1e-9))
    else:
        nsteps = max(_ch.MIN_STEPS, math.ceil(L * nx / (cfl * R) - 1e-9))
    every = p["scri_every"]
    main = _ch.evolve(p, nx, nsteps, every, p["fields_every"],
                       _ch.progress_fraction(progress, 0.0, 0.8 if shadow else 1.0))
    coarse = _ch.evolve(p, nx // 2, nsteps // 2, 1, 0, _ch.progress_fraction(progress, 0.8, 0.2)) if shadow else None
    scalar = _ch.has_scalar(p)
    B = _scri_minus(main, G, scalar, frame, v1)
    C = _scri_minus(coarse, G, scalar, frame, v1) if coarse else None
    S, code = B["S"], B["code"]

    checks: list[Check] = []
    summary: dict = {"kind": "advanced", "nsteps": int(nsteps), "dv": L / nsteps, "v_start": v0,
                     "v_end": v1, "nx_intervals": nx, "radial_order": p["order"],
                     "shadow_grid": int(shadow), "transport_substeps": B["substeps"], "scri_every": every,
                     "reflection": "retarded evolution of the time-reflected data on u in [-v_end, -v_start] "
                                   "(conventions.md section 5), mapped back to scri-",
                     "bondi_frame": ("transported along scri- from the data cone v = v_end: v_B = v_end, "
                                     "B = phi there" if frame is None else
                                     "transported along scri- from the BMS3 frame (F, gamma) on the data cone")
                     + "; cuts v_B = v_B(data cone) - k dv"}
    if G > 0 and scalar:
        _law_checks(B, C, G, checks, summary)
    if G == 0 or not scalar:
        _vacuum_checks(B, C, frame, checks)
    _exact_checks(p, phys, frame, main, coarse, B, C, v1, checks, summary)

    # --- written data: every scri_every-th dense cut counted from the data cone ------------------
    M = len(S["v"])
    sel = np.arange(M - 1, -1, -every)[::-1]
    K = nsteps + 1
    cstep = np.unique(np.r_[np.arange(K - 1, -1, -every), 0])
    extra = {f"code_frame/{k}": (code[k][cstep], _UNITS[k], _DESC[k]) for k in _CODE_SIGN}
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
        ch, bal, res = B["charges"], B["bal"], B["res"]
        units = dict(E="1/G", J="length/G", p_x="1/G", p_y="1/G", K_x="length/G", K_y="length/G")
        for k, un in units.items():
            series[k] = (ch[k][sel], un, f"charge {k} on the scri- cut (scri- generators, conventions.md section 4)")
        for k, un, d in (("dE_dv", "1/(G length)", "incoming energy flux +oint news^2"),
                         ("dJ_dv", "1/G", "angular momentum flux -oint news psi0'"),
                         ("incoming_energy", "1/G", "int_{first cut}^{v_B} oint news^2"),
                         ("incoming_J", "length/G", "int_{first cut}^{v_B} dJ/dv"),
                         ("E_balance", "1/G", "E - E(first cut) - incoming energy"),
                         ("J_balance", "length/G", "J - J(first cut) - incoming J")):
            series[k] = (bal[k][sel], un, d)
        series["flux_residual_Theta"] = (np.max(np.abs(res["R_Theta"]), axis=1)[sel], "1/length",
                                         "max over phi of |d_v Theta - 16 pi G news^2|")
        series["flux_residual_Nhat"] = (np.max(np.abs(res["R_Nhat"]), axis=1)[sel], "1",
                                        "max over phi of |d_v Nhat - Theta'/2 - 8 pi G news psi0'|")
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
    summary["wall_time_s"] = time.time() - t_wall
    return RunData(scri_minus=scri_minus, series=series, checks=checks, fields=fields, summary=summary)
