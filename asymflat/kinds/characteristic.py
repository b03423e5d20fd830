"""Run kind ``characteristic``: Einstein + massless scalar on outgoing cones from a regular vertex.

Evolves the 2+1 Bondi-gauge system with :class:`solvers.characteristic.stepper.CharacteristicSolver`
(compactified x = r/(R+r), x = 1 is scri+; bondi-equations.md (C1)-(C5)) and returns the data at
scri+.

Configuration keys used
-----------------------
``G``; ``grid.{nx, nphi, R}`` (nx = number of radial points, the solver uses nx-1 intervals,
h = 1/(nx-1)); ``evolution.{u_start, u_end, cfl}`` (du = cfl R h, rounded down so that the steps
end exactly on u_end); ``output.{scri_every, fields_every}``;
``characteristic.{pulses, compact, circular, shadow_grid}`` and, read with defaults,
``characteristic.radial_order`` (4 or 6, default 6) and ``characteristic.filter`` (default true);
``vertex.{angular_velocity, acceleration}`` (U_c = omega + a1 sin phi - a2 cos phi).

Stability: the RK4 limit is cfl ~ 4.4 (radial_order 4) or ~ 3.7 (radial_order 6) for every nphi
(measured; larger values are refused).

Output
------
``scri_plus.extra['code_frame/<name>']`` for psi0, news, beta0, U0, calW, Qbar (vertex frame, on
the code times u).  The main Bondi-frame datasets are filled where the code frame is (trivially
related to) a Bondi frame:

* G = 0 and U_c = 0: Theta = calW(x=1) (= -1), N = Qbar/2, Xi = N - (u/2) Theta', psi0, news.
* G > 0, circular symmetry, U_c = 0: Bondi time u_B = u_start + int e^{2 beta0} du, Theta_B =
  -e^{-2 beta0}, psi0_B = psi0, news_B = e^{-2 beta0} news, N = Xi = 0, resampled on uniform u_B
  (bondi-equations.md section 3.4, example).

Otherwise the main arrays are NaN and ``summary['note']`` says the Bondi frame transport is not
implemented.

Checks (tolerance = safety x an estimate from the run itself: a half-resolution shadow grid with
the same cfl, Richardson factor 1/(2^4 - 1)): ``psi0_vs_exact`` (exact pulses with a closed form in
the code frame: G = 0 with U_c = omega, or circular data at any G), ``beta0_vs_exact`` (one circular
pulse, G > 0, closed form of bondi-equations.md section 6 (c1)) and ``mass_loss_law`` (circular
G > 0: d_u beta0 = -8 pi G news^2, bondi-equations.md section 3.4).
"""
from __future__ import annotations

import math
import time

import numpy as np

from asymflat.data import Check, RunData, ScriData
from asymflat.exact.pulses import (compact_chi, pulse_chi, pulse_psi0, validate_compact,
                                   validate_pulses)
from solvers.characteristic.extraction import SCRI_NAMES, bulk_snapshot, scri_values
from solvers.characteristic.stepper import CharacteristicSolver, vertex_shift

#: largest stable cfl (du = cfl R h) per radial order, with a margin (measured eigenvalues).
CFL_MAX = {4: 4.4, 6: 3.6}
RICHARDSON_ORDER = 4
SAFETY = 3.0

_UNITS = {"psi0": "length^0 G^-1/2", "news": "length^-1/2 G^-1/2", "beta0": "1", "U0": "length^-1",
          "calW": "1", "Qbar": "length"}
_DESC = {
    "psi0": "chi(x=1) = lim sqrt(r) psi, code (vertex) frame",
    "news": "chi_u(x=1) = d_u psi0 at fixed code phi",
    "beta0": "beta(x=1) (beta = 0 at the vertex)",
    "U0": "U(x=1)",
    "calW": "calW = V/r + 2 r U_phi at x = 1",
    "Qbar": "Qbar = r^3 e^{-2 beta} U_r + 2 r beta_phi at x = 1",
}


def _get(section: dict, key: str, default):
    v = section.get(key, default) if section else default
    return default if v is None else v


def _fourier_dphi(f: np.ndarray) -> np.ndarray:
    n = f.shape[-1]
    m = np.fft.rfftfreq(n, 1.0 / n)
    fh = np.fft.rfft(f, axis=-1) * 1j * m
    if n % 2 == 0:
        fh[..., -1] = 0
    return np.fft.irfft(fh, n, axis=-1)


def _parse(config: dict) -> dict:
    G = float(config["G"])
    if not (math.isfinite(G) and G >= 0):
        raise ValueError(f"G = {G}: must be a finite number >= 0")
    grid = config["grid"]
    ev = config["evolution"]
    out = config.get("output") or {}
    ch = config.get("characteristic") or {}
    vx = config.get("vertex") or {}
    npts = int(grid["nx"])
    nphi = int(grid["nphi"])
    R = float(_get(grid, "R", 1.0))
    if npts < 9:
        raise ValueError(f"grid.nx = {npts}: must be an integer >= 9")
    if nphi < 8 or nphi % 2:
        raise ValueError(f"grid.nphi = {nphi}: must be an even integer >= 8")
    if not (math.isfinite(R) and R > 0):
        raise ValueError(f"grid.R = {R}: must be a finite number > 0")
    order = _get(ch, "radial_order", 6)
    if order not in (4, 6):
        raise ValueError(f"characteristic.radial_order = {order!r}: must be 4 or 6")
    cfl = float(_get(ev, "cfl", 2.0))
    if not (0 < cfl <= CFL_MAX[order]):
        raise ValueError(f"evolution.cfl = {cfl}: must be in (0, {CFL_MAX[order]}] for "
                         f"characteristic.radial_order = {order} (RK4 stability limit)")
    u0, u1 = float(ev["u_start"]), float(ev["u_end"])
    if not (math.isfinite(u0) and math.isfinite(u1) and u1 > u0):
        raise ValueError(f"evolution.u_end = {u1}: must be a finite number > evolution.u_start = {u0}")
    pulses = [dict(p) for p in (_get(ch, "pulses", []) or [])]
    validate_pulses(pulses)
    for i, c in enumerate(_get(ch, "circular", []) or []):
        c = dict(c)
        a = c.get("a", None)
        if a is None or not (float(a) > 0):
            raise ValueError(f"characteristic.circular[{i}].a = {a}: must be > 0")
        pulses.append({"amplitude": float(c.get("amplitude", 1.0)), "a": float(a),
                       "t0": 0.0, "x0": 0.0, "y0": 0.0})
    compact = [dict(c) for c in (_get(ch, "compact", []) or [])]
    comp = validate_compact(compact)
    for i, (_, _, _, m, _) in enumerate(comp):
        if m >= nphi // 3:
            raise ValueError(f"characteristic.compact[{i}].m = {m}: must be < nphi/3 = {nphi / 3:.3g} "
                             "(resolved below the phi filter)")
    omega = float(_get(vx, "angular_velocity", 0.0))
    acc = list(_get(vx, "acceleration", [0.0, 0.0]))
    if len(acc) != 2 or not all(math.isfinite(float(a)) for a in acc):
        raise ValueError(f"vertex.acceleration = {acc!r}: must be a list of two finite numbers")
    acc = [float(a) for a in acc]
    scri_every = int(_get(out, "scri_every", 1))
    fields_every = int(_get(out, "fields_every", 0))
    if scri_every < 1:
        raise ValueError(f"output.scri_every = {scri_every}: must be an integer >= 1")
    if fields_every < 0:
        raise ValueError(f"output.fields_every = {fields_every}: must be an integer >= 0")
    shadow = bool(_get(ch, "shadow_grid", True))
    filt = bool(_get(ch, "filter", True))
    return dict(G=G, nx=npts - 1, nphi=nphi, R=R, order=order, cfl=cfl, u0=u0, u1=u1,
                pulses=pulses, compact=compact, comp=comp, omega=omega, acc=acc,
                scri_every=scri_every, fields_every=fields_every, shadow=shadow, filter=filt)


def initial_chi(x: np.ndarray, phi: np.ndarray, u0: float, R: float, pulses, compact) -> np.ndarray:
    """chi = sqrt(r+R) psi on the first cone from exact and compact pulses."""
    X = x[:, None]
    P = phi[None, :]
    chi = np.zeros((len(x), len(phi)))
    if pulses:
        chi += pulse_chi(u0, X, P, R, pulses)
    if compact:
        chi += compact_chi(X, P, R, compact)
    return chi


def _evolve(p: dict, nx: int, nsteps: int, scri_every: int, fields_every: int, progress=None):
    uc = vertex_shift(p["nphi"], p["omega"], p["acc"])
    solver = CharacteristicSolver(nx, p["nphi"], p["R"], p["G"], uc=uc, filter=p["filter"],
                                  order=p["order"])
    chi0 = initial_chi(solver.x, solver.phi, p["u0"], p["R"], p["pulses"], p["compact"])
    times, scri, steps = [], {k: [] for k in SCRI_NAMES}, []
    series = {"max_abs_chi": [], "max_abs_beta": [], "max_abs_U_minus_Uc": [],
              "max_abs_calW_plus_1": []}
    snaps = {"u": []}

    every = scri_every if fields_every == 0 else math.gcd(scri_every, fields_every)

    def on_output(step, u, chi, chi_u, sv):
        wk = sv.ws.wk
        if step % scri_every == 0 or step == nsteps:
            times.append(u)
            steps.append(step)
            for k, v in scri_values(chi, chi_u, wk).items():
                scri[k].append(v)
            f = sv.fields()
            series["max_abs_chi"].append(np.abs(chi).max())
            series["max_abs_beta"].append(np.abs(f["beta"]).max())
            series["max_abs_U_minus_Uc"].append(np.abs(f["U"] - sv.uc[None, :]).max())
            series["max_abs_calW_plus_1"].append(np.abs(f["calW"] + 1).max())
        if fields_every and (step % fields_every == 0 or step == nsteps):
            snaps["u"].append(u)
            for k, v in bulk_snapshot(sv.x, chi, wk).items():
                snaps.setdefault(k, []).append(v)

    solver.evolve(chi0, p["u0"], p["u1"], nsteps, on_output=on_output, output_every=every,
                  progress=progress)
    return dict(solver=solver, u=np.array(times), steps=np.array(steps),
                scri={k: np.array(v) for k, v in scri.items()},
                series={k: np.array(v) for k, v in series.items()},
                snaps={k: np.array(v) for k, v in snaps.items()} if fields_every else None)


def _is_circular(p: dict) -> bool:
    return (all(float(q.get("x0", 0.0)) == 0 and float(q.get("y0", 0.0)) == 0 for q in p["pulses"])
            and all(c[3] == 0 for c in p["comp"]))


def beta0_circular(u, eps: float, a: float, G: float) -> np.ndarray:
    """beta0(u) of the exact circular solution (c1), bondi-equations.md section 6."""
    u = np.asarray(u, dtype=float)
    k = math.pi * G * eps**2
    return k / (2 * a * a) * (1 - u / np.sqrt(u * u + a * a)) - k / 4 * (u * u - a * a) / (u * u + a * a) ** 2


def _ddu(f: np.ndarray, u: np.ndarray) -> np.ndarray:
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


def run(config: dict, progress=None) -> RunData:
    """Run one characteristic evolution described by a validated config (see module doc)."""
    t_wall = time.time()
    p = _parse(config)
    nx, R, cfl = p["nx"], p["R"], p["cfl"]
    L = p["u1"] - p["u0"]
    shadow = p["shadow"] and nx % 2 == 0 and nx // 2 >= 16
    if shadow:
        nsteps_c = max(1, math.ceil(L * (nx // 2) / (cfl * R) - 1e-9))
        nsteps = 2 * nsteps_c
    else:
        nsteps = max(1, math.ceil(L * nx / (cfl * R) - 1e-9))
    main = _evolve(p, nx, nsteps, p["scri_every"], p["fields_every"], progress)
    coarse = _evolve(p, nx // 2, nsteps // 2, 1, 0) if shadow else None

    u = main["u"]
    sc = main["scri"]
    nphi = p["nphi"]
    phi = main["solver"].phi
    G = p["G"]
    uc_zero = p["omega"] == 0 and p["acc"] == [0.0, 0.0]
    circular = _is_circular(p)

    # coarse samples at the fine output times (fine steps that are even)
    def coarse_at(name):
        if coarse is None:
            return None, None
        sel = main["steps"] % 2 == 0
        idx = main["steps"][sel] // 2
        return sel, coarse["scri"][name][idx]

    checks: list[Check] = []
    series = {"u": (u, "length", "code retarded time (vertex proper time)")}
    for k, v in main["series"].items():
        series[k] = (v, "1", k.replace("_", " ") + " over the grid")
    summary: dict = {"kind": "characteristic", "nsteps": int(nsteps), "du": L / nsteps,
                     "nx_intervals": nx, "radial_order": p["order"], "shadow_grid": int(shadow)}

    # --- checks against closed forms --------------------------------------------------------
    closed_psi0 = bool(p["pulses"]) and not p["compact"] and p["acc"] == [0.0, 0.0] and (
        G == 0 or (circular and p["omega"] == 0))
    if closed_psi0:
        ex = np.array([pulse_psi0(t, phi - p["omega"] * (t - p["u0"]), p["pulses"])
                       for t in u])
        err = np.abs(sc["psi0"] - ex).max()
        sel, cpsi = coarse_at("psi0")
        est = (np.abs(sc["psi0"][sel] - cpsi).max() / (2**RICHARDSON_ORDER - 1)) if coarse else np.nan
        checks.append(Check("psi0_vs_exact", float(err), float(est), SAFETY,
                            "shadow grid nx/2, Richardson 1/(2^4-1)",
                            "max |psi0 - closed form| at scri+ over all samples"))
        summary["psi0_max_abs"] = float(np.abs(ex).max())
    if G > 0 and circular and uc_zero and len(p["pulses"]) == 1 and not p["compact"]:
        q = p["pulses"][0]
        ex = beta0_circular(u - float(q.get("t0", 0.0)), float(q["amplitude"]), float(q["a"]), G)
        err = np.abs(sc["beta0"] - ex[:, None]).max()
        sel, cb = coarse_at("beta0")
        est = (np.abs(sc["beta0"][sel] - cb).max() / (2**RICHARDSON_ORDER - 1)) if coarse else np.nan
        checks.append(Check("beta0_vs_exact", float(err), float(est), SAFETY,
                            "shadow grid nx/2, Richardson 1/(2^4-1)",
                            "max |beta0 - closed form (c1)| at scri+"))

    # --- Bondi-frame data ----------------------------------------------------------------------
    nan = np.full((len(u), nphi), np.nan)
    time_B = u
    extra = {f"code_frame/{k}": (v, _UNITS[k], _DESC[k]) for k, v in sc.items()}
    extra["code_frame/u"] = (u, "length", "code retarded time of the samples")
    if G == 0 and uc_zero:
        theta = sc["calW"]
        N = sc["Qbar"] / 2
        xi = N - 0.5 * u[:, None] * _fourier_dphi(theta)
        main_arrays = dict(mass_aspect=theta, angular_momentum_aspect=xi, N=N, news=sc["news"],
                           psi0=sc["psi0"])
        summary["bondi_frame"] = "code frame (G = 0, U_c = 0)"
    elif circular and uc_zero:
        from scipy.interpolate import CubicSpline
        b0 = sc["beta0"].mean(axis=1)
        if len(u) >= 4:
            uB = p["u0"] + CubicSpline(u, np.exp(2 * b0)).antiderivative()(u)
        else:
            uB = p["u0"] + np.concatenate([[0], np.cumsum(np.diff(u) * 0.5 * (np.exp(2 * b0[1:]) + np.exp(2 * b0[:-1])))])
        time_B = np.linspace(uB[0], uB[-1], len(u))

        def res(f):
            if len(u) < 4:
                return np.array([np.interp(time_B, uB, f[:, k]) for k in range(f.shape[1])]).T
            return CubicSpline(uB, f, axis=0)(time_B)
        theta = res(-np.exp(-2 * sc["beta0"]))
        main_arrays = dict(mass_aspect=theta, angular_momentum_aspect=np.zeros_like(theta),
                           N=np.zeros_like(theta), news=res(np.exp(-2 * sc["beta0"]) * sc["news"]),
                           psi0=res(sc["psi0"]))
        extra["code_frame/u_Bondi"] = (uB, "length", "Bondi time u_B(u) = u_start + int e^{2 beta0} du")
        summary["bondi_frame"] = "circular symmetry: u_B = u_start + int e^{2 beta0} du, Theta = -e^{-2 beta0}"
        if G > 0 and len(u) >= 6:
            lhs = _ddu(sc["beta0"], u)
            rhs = -8 * math.pi * G * sc["news"] ** 2
            resid = np.abs(lhs - rhs).max()
            # sampling error of the u-derivative: compare with 2nd-order differences
            samp = np.abs(np.gradient(sc["beta0"], u, axis=0) - lhs).max() / (2**2 - 1)
            est = samp
            if coarse is not None:
                cu = coarse["u"]
                cl = _ddu(coarse["scri"]["beta0"], cu)
                cr = -8 * math.pi * G * coarse["scri"]["news"] ** 2
                cres = np.interp(u, cu, np.abs(cl - cr).max(axis=1))
                est += np.abs(cres).max() / (2**RICHARDSON_ORDER - 1)
            checks.append(Check("mass_loss_law", float(resid), float(est + 1e-14), SAFETY,
                                "shadow grid + 2nd/4th-order sampling-derivative comparison",
                                "max |d_u beta0 + 8 pi G news^2| at scri+ (code frame)"))
    else:
        main_arrays = dict(mass_aspect=nan, angular_momentum_aspect=nan.copy(), N=nan.copy(),
                           news=nan.copy(), psi0=nan.copy())
        summary["note"] = "Bondi frame transport: not implemented"
    scri_plus = ScriData(name="scri_plus", time=np.asarray(time_B), phi=phi, extra=extra, **main_arrays)

    fields = {}
    if main["snaps"] is not None:
        for k, v in main["snaps"].items():
            units = "length" if k in ("u", "Qbar") else "1"
            fields[k] = (v, units, f"bulk snapshot: {k} on (u, x, phi)" if k != "u" else "snapshot times")
        fields["x"] = (main["solver"].x, "1", "compactified radius x = r/(R+r)")
    summary["wall_time_s"] = time.time() - t_wall
    return RunData(scri_plus=scri_plus, series=series, checks=checks, fields=fields, summary=summary)
