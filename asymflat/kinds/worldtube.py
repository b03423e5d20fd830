"""Run kind ``worldtube``: null dust emitted by an inner worldtube r = r_w (issue 6).

A smooth vertex forbids null dust (bondi-equations.md section 4), so the dust enters through a
worldtube r = r_w.  The tube takes from the exact Vaidya-type solution (b) of bondi-equations.md
section 6 (:mod:`asymflat.exact.null_dust`) only the initial values Theta_w(u_start, phi),
N_w(u_start, phi) and the dust flux f(u, phi); everything else is computed
(:class:`solvers.worldtube.WorldtubeSolver`, docs/conventions.md section 10):

1. Tube: the supplementary equations E_uu = E_uphi = 0 at r = r_w (section 1.3-1.4; derived in
   tests/test_worldtube_derivation.py) give d_u Theta_w = -16 pi G f, d_u N_w = (1/2) d_phi Theta_w,
   integrated with RK4 in u (spectral d_phi).
2. Exterior (scalar field zero): beta = 0, Qbar = 2 N_w along rays, U and calW by radial quadrature
   of (C3), (C4) on the uniform x grid of [x_w, 1], x_w = r_w/(R + r_w), from U_w = -N_w/r_w^2,
   calW_w = Theta_w - 2 N_w'/r_w - N_w^2/r_w^2 (so U -> 0 at scri+: a Bondi frame).
3. scri+: Theta = calW(x=1), N = Qbar(x=1)/2, Xi = N - (u/2) d_phi Theta, news = psi0 = 0.

Configuration keys used
-----------------------
``G`` (> 0); ``grid.{nx, nphi, R}`` (nx radial points on [x_w, 1], h = (1 - x_w)/(nx - 1));
``evolution.{u_start, u_end, cfl}`` (du = cfl R h, rounded down so the steps end on u_end);
``output.{scri_every, fields_every}`` (fields: the exterior U, calW, Qbar every fields_every steps);
``worldtube.{r_w, background, mu, angular_momentum, bursts, shadow_grid}``.  ``output.checkpoint_*``
are accepted and ignored (a run takes seconds: there is nothing worth resuming).

Checks
------
tolerance = SAFETY x estimate, SAFETY = 3, estimates from a half-resolution shadow grid (nx/2
intervals, du doubled) as in kind ``characteristic``, design order p = 4 (RK4 in u; the radial
quadrature is 6-point Lagrange in rho = R/r, order 6, and exact for this exterior), plus a
round-off floor ROUNDOFF = 100 eps times the size of the quantity (Theta: max|Theta| + sqrt(nx) x the
cancelling tube terms max|calW_w - Theta_w|; time derivatives: x sqrt(nsteps)/du, the measured growth
of the step-to-step noise; models and measurements in :func:`_checks`):

* quantities with exact values (Richardson |fine - coarse|/(2^p - 1)): ``Theta_vs_exact``,
  ``Xi_vs_exact`` (scri+ against the closed form (b)), ``bondi_frame_U0`` (max |U(x=1)|, exact 0),
  ``exterior_vs_exact`` (U and calW on the whole exterior of four cuts against
  U = -N/r^2, calW = Theta - 2 N'/r - N^2/r^2);
* residuals (coarse residual x 2^-p): ``mass_law`` (max |d_u Theta + 16 pi G f| at scri+, d_u by
  8th-order differences of the scri+ Theta on every step, f the exact dust flux),
  ``N_law`` (max |d_u N - Theta'/2|), ``energy_balance`` (max_u |E(u) - E(u_start) +
  oint int_{u_start}^u f|, the dust energy by 6-point quadrature of the exact flux),
  ``angular_momentum_conservation`` (max_u |J(u) - J(u_start)|: dust carries none);
* background only (no dust, round-off models): ``vacuum_Theta`` (max |Theta + mu^2|),
  ``vacuum_Xi`` (max |Xi + 4 G J|), ``bms3_charges_vs_vacuum`` (the Poincare charges of every cut
  against those of :func:`asymflat.bms3.spacetimes.make_spacetime` for the same vacuum).

Without the shadow grid the truncation checks have no estimate (NaN) and do not pass.
"""
from __future__ import annotations

import math
import time
from typing import Callable

import numpy as np

from asymflat.data import Check, RunData, ScriData
from asymflat.exact.null_dust import NullDustSolution, background_aspects, validate_bursts
from asymflat.scri import charges_on_cuts
from asymflat.scri._numerics import cumulative_integral_uniform, dphi, fd_time_derivative
from asymflat.pipeline.params import fine_at_coarse, grid_parameters, output_cadence, time_range
from solvers.worldtube import WorldtubeSolver
from solvers.worldtube.solver import RADIAL_ORDER

RICHARDSON_ORDER = 4
SAFETY = 3.0
EPS = float(np.finfo(float).eps)
ROUNDOFF = 100 * EPS
#: order of the finite differences in u of the flux-law checks (9 points: their O(du^8) error stays
#: below the RK4 error O(du^4), so the law residuals converge at the design order)
FD_ORDER = 8
#: minimum number of time steps (9-point time derivatives, 6-point quadrature in u)
MIN_STEPS = 8
#: the main grid's step must resolve every burst that is active during the run (|u - u_center| <
#: BURST_SUPPORT width somewhere in [u_start, u_end]; beyond, exp(-36) ~ 2e-16): du <= width / 4
BURST_SUPPORT = 6.0
BURST_STEPS_PER_WIDTH = 4.0
#: fractions of the run at whose cuts the whole exterior is compared with the closed form
EXTERIOR_CUTS = (0.25, 0.5, 0.75, 1.0)
#: largest (time steps x nphi) of one stored (u, phi) array
MAX_SAMPLES = 2e7
#: largest admissible ratio of the tube's cancelling terms 2 N_w'/r_w + N_w^2/r_w^2 to max(1, |Theta|)
#: (scri+ Theta = calW_w + their cancelling quadrature: round-off grows with it)
MAX_CANCELLATION = 1e8
#: radial intervals of the shadow grid at least (6-point quadrature)
MIN_SHADOW_INTERVALS = 8

RICH = f"shadow grid nx/2: |fine - coarse|/(2^{RICHARDSON_ORDER} - 1) + round-off"
SCALED = f"shadow grid nx/2: coarse residual x 2^-{RICHARDSON_ORDER} + round-off"
ROUND = "round-off model"


def _get(section: dict | None, key: str, default):
    v = section.get(key, default) if section else default
    return default if v is None else v


def _parse(config: dict) -> dict:
    G = float(config["G"])
    if not (math.isfinite(G) and G > 0):
        raise ValueError(f"G = {G!r}: must be > 0 for kind = 'worldtube' (the dust must gravitate; "
                         "charges scale as 1/G)")
    ev = config["evolution"]
    wt = config.get("worldtube") or {}
    npts, nphi, R = grid_parameters(config)
    cfl = float(_get(ev, "cfl", 2.0))
    if not (math.isfinite(cfl) and cfl > 0):
        raise ValueError(f"evolution.cfl = {cfl}: must be a number > 0")
    u0, u1 = time_range(config)
    if "r_w" not in wt:
        raise ValueError("worldtube.r_w: missing; it must be a finite number > 0")
    r_w = float(wt["r_w"])
    if not (math.isfinite(r_w) and r_w > 0):
        raise ValueError(f"worldtube.r_w = {r_w!r}: must be a finite number > 0")
    x_w = r_w / (R + r_w)
    if not 1e-6 <= r_w / R <= 1e6:
        raise ValueError(f"worldtube.r_w = {r_w!r}: must be between 1e-6 grid.R and 1e6 grid.R (grid.R = {R!r}; "
                         "x_w = r_w/(R + r_w) must stay away from 0 and 1)")
    background = str(_get(wt, "background", "minkowski"))
    mu = float(_get(wt, "mu", 1.0))
    J = float(_get(wt, "angular_momentum", 0.0))
    theta_i, xi_0 = background_aspects(background, G, mu, J)
    bursts = validate_bursts(_get(wt, "bursts", []) or [])
    shadow = bool(_get(wt, "shadow_grid", True))
    nx = npts - 1
    if shadow and nx % 2:
        raise ValueError(f"grid.nx = {npts}: nx - 1 must be even for the half-resolution shadow grid "
                         "(or set worldtube.shadow_grid = false)")
    if shadow and nx // 2 < MIN_SHADOW_INTERVALS:
        raise ValueError(f"grid.nx = {npts}: must be >= {2 * MIN_SHADOW_INTERVALS + 1} with worldtube.shadow_grid = true "
                         f"(the shadow grid needs {MIN_SHADOW_INTERVALS} radial intervals)")
    scri_every, fields_every = output_cadence(config)
    h = (1.0 - x_w) / nx
    L = u1 - u0
    steps = L / (cfl * R * h)                 # float: may be inf for absurd spans
    if not (math.isfinite(steps) and steps * nphi <= MAX_SAMPLES):
        raise ValueError(f"evolution.u_end = {u1!r}: about {steps:.3g} time steps x grid.nphi = {nphi} exceed "
                         f"{MAX_SAMPLES:.0e} samples per stored array (memory); shorten [u_start, u_end] or lower "
                         "grid.nx / grid.nphi")
    if shadow:
        nsteps = 2 * max(MIN_STEPS, math.ceil(steps / 2 - 1e-9))
    else:
        nsteps = max(MIN_STEPS, math.ceil(steps - 1e-9))
    return dict(G=G, nx=nx, nphi=nphi, R=R, cfl=cfl, u0=u0, u1=u1, r_w=r_w, x_w=x_w, h=h,
                background=background, mu=mu, J=J, theta_i=theta_i, xi_0=xi_0, bursts=bursts,
                shadow=shadow, scri_every=scri_every, fields_every=fields_every, nsteps=nsteps,
                du=L / nsteps)


def validate(config: dict) -> dict:
    """Refusals before any work, each naming the key (``asymflat run`` / ``--validate-only``):

    * G <= 0, parameters out of range, mu / angular_momentum not allowed for the background
      (:func:`asymflat.exact.null_dust.background_aspects`), a grid the shadow grid cannot halve,
      r_w outside [1e-6 R, 1e6 R], more than MAX_SAMPLES (time steps x nphi) per stored array;
    * a tube so small for its N that 2 N'/r_w + N^2/r_w^2 exceeds MAX_CANCELLATION x max(1, |Theta|)
      (the scri+ Theta is calW_w plus a quadrature that cancels those terms: round-off);
    * a burst harmonic m >= nphi/2 (not representable on the phi grid);
    * a burst active during the run that the time step does not resolve: du > width / 4 (the
      message gives the grid.nx that resolves it);
    * an energy budget the source cannot pay: outgoing dust lowers E, and the tube must not end below
      the Minkowski energy -1/(8G) (a conical excess: negative Deser-Jackiw-'t Hooft mass), so the
      emitted energy oint int f must not exceed E_initial + 1/(8G) (zero for a Minkowski background);
    * an exact mass aspect Theta >= 0 anywhere on the run's cuts (no spatial infinity: a flat-space
      cosmology).  With f >= 0 Theta is non-increasing from Theta_i = -mu^2 < 0, so this cannot
      happen for admissible bursts; it guards the closed form.

    Returns the parsed parameters.
    """
    p = _parse(config)
    nphi = p["nphi"]
    for i, b in enumerate(p["bursts"]):
        if b.m >= nphi // 2:
            raise ValueError(f"worldtube.bursts[{i}].m = {b.m}: must be < nphi/2 = {nphi // 2} "
                             "(representable on the phi grid)")
        active = b.u_center + BURST_SUPPORT * b.width > p["u0"] and b.u_center - BURST_SUPPORT * b.width < p["u1"]
        if b.amplitude > 0 and active and p["du"] > b.width / BURST_STEPS_PER_WIDTH:
            need_f = BURST_STEPS_PER_WIDTH * p["cfl"] * p["R"] * (1 - p["x_w"]) / b.width
            if math.isfinite(need_f) and need_f < 1e12:
                need = math.ceil(need_f)
                need += need % 2 if p["shadow"] else 0
                hint = f"need grid.nx >= {max(need, 8) + 1} or a smaller evolution.cfl"
            else:
                hint = "no practical grid.nx resolves it (widen the burst)"
            raise ValueError(
                f"worldtube.bursts[{i}].width = {b.width:g}: the time step du = {p['du']:.3g} does not resolve "
                f"it (need du <= width/{BURST_STEPS_PER_WIDTH:g}); {hint}")
    _theta_guard(p)
    return p


def _theta_guard(p: dict) -> None:
    """The exact solution on the run's cuts (at most 4097 in u): refuse a tube whose cancelling
    terms would swamp Theta in round-off, and Theta >= 0 anywhere (see :func:`validate`)."""
    nphi = p["nphi"]
    sol = _solution(p)
    u = np.linspace(p["u0"], p["u1"], min(p["nsteps"] + 1, 4097))
    phi = 2 * np.pi * np.arange(nphi) / nphi
    with np.errstate(all="ignore"):
        th = sol.mass_aspect(u[:, None], phi[None, :])
        n_ex = sol.N(u[:, None], phi[None, :])
        cancel = float(np.max(2 * np.abs(dphi(n_ex)) / p["r_w"] + n_ex**2 / p["r_w"] ** 2))
    if not (np.all(np.isfinite(th)) and np.all(np.isfinite(n_ex)) and math.isfinite(cancel)):
        raise ValueError("worldtube.bursts: the exact solution overflows on the run's cuts (Theta or N not finite): "
                         "amplitude, width, u_center or worldtube.angular_momentum too large for G = "
                         f"{p['G']:g}")
    if cancel > MAX_CANCELLATION * max(1.0, float(np.max(np.abs(th)))):
        raise ValueError(f"worldtube.r_w = {p['r_w']:g}: too small for this N (the tube terms 2N'/r_w + N^2/r_w^2 reach "
                         f"{cancel:.3g}, more than {MAX_CANCELLATION:.0e} x max(1, |Theta|): round-off would swamp "
                         "Theta at scri+); use a larger tube")
    # energy budget: outgoing dust lowers E = (1/16 pi G) oint Theta; below Minkowski's -1/(8G) the tube
    # would end as a conical excess (negative Deser-Jackiw-'t Hooft mass), not a physical source
    E_i = float(np.mean(th[0])) / (8.0 * p["G"])
    emitted = float(sol.emitted_energy(p["u0"], p["u1"]))
    if E_i - emitted < -1.0 / (8.0 * p["G"]) * (1.0 + 1e-12):
        raise ValueError(
            f"worldtube.bursts: the dust carries energy {emitted:.4g} but the tube has only E + 1/(8G) = "
            f"{E_i + 1.0 / (8.0 * p['G']):.4g} above the Minkowski vacuum (worldtube.background = "
            f"{p.get('background', '?')!r}); the tube would end below the Minkowski energy (a conical excess, "
            "negative Deser-Jackiw-'t Hooft mass): lower the burst amplitudes or start from a heavier particle "
            "(smaller worldtube.mu)")
    if not np.max(th) < 0:
        k, j = np.unravel_index(int(np.argmax(th)), th.shape)
        raise ValueError(f"worldtube.bursts: the exact mass aspect reaches Theta = {th[k, j]:.3g} >= 0 at "
                         f"u = {u[k]:.3g}, phi = {phi[j]:.3g} (must stay < 0: the energy must not exceed the "
                         "flat-cosmology threshold)")


def _solution(p: dict) -> NullDustSolution:
    return NullDustSolution(p["G"], p["theta_i"], p["xi_0"], p["bursts"])


def _evolve(p: dict, sol: NullDustSolution, nx: int, nsteps: int) -> dict:
    """One evolution (nx radial intervals, nsteps RK4 steps) and its scri+ post-processing."""
    solver = WorldtubeSolver(nx, p["nphi"], p["R"], p["r_w"], p["G"])
    phi = solver.phi
    u0 = p["u0"]
    th0 = sol.mass_aspect(u0, phi)
    n0 = sol.N(u0, phi)
    ev = solver.evolve(th0, n0, sol.dust_flux, u0, p["u1"], nsteps)
    u = ev["u"]
    du = (p["u1"] - u0) / nsteps
    G = p["G"]
    theta, N = ev["mass_aspect"], ev["N"]
    xi = N - 0.5 * u[:, None] * dphi(theta)
    f = ev["dust_flux"]
    U, P = np.meshgrid(u, phi, indexing="ij")
    ex = dict(theta=sol.mass_aspect(U, P), N=sol.N(U, P), xi=sol.angular_momentum_aspect(U, P))
    ch = charges_on_cuts(theta, xi, G, phi)
    emitted = cumulative_integral_uniform(2 * np.pi * np.mean(f, axis=1), du, 6)
    res_mass = fd_time_derivative(theta, du, FD_ORDER) + 16 * np.pi * G * f
    res_N = fd_time_derivative(N, du, FD_ORDER) - 0.5 * dphi(theta)
    # exterior on EXTERIOR_CUTS of the run (even steps: shared with the shadow grid) against the
    # closed form U = -N/r^2, calW = Theta - 2N'/r - N^2/r^2 of (b)
    x = ev["x"][:, None]
    inv_r = (1.0 - x) / (p["R"] * x)
    ext = {"U": [], "calW": [], "U_err": [], "calW_err": []}
    for q in EXTERIOR_CUTS:
        k = 2 * int(round(q * p["nsteps"] / 2)) * nsteps // p["nsteps"]     # same u on the shadow grid
        e = solver.exterior(ev["tube_mass_aspect"][k], ev["tube_N"][k])
        n1, t1 = ex["N"][k][None, :], ex["theta"][k][None, :]
        n1p = dphi(ex["N"][k])[None, :]
        ext["U"].append(e["U"])
        ext["calW"].append(e["calW"])
        ext["U_err"].append(e["U"] + n1 * inv_r**2)
        ext["calW_err"].append(e["calW"] - (t1 - 2 * n1p * inv_r - n1**2 * inv_r**2))
    ext = {k: np.array(v) for k, v in ext.items()}
    return dict(solver=solver, ev=ev, u=u, du=du, phi=phi, theta=theta, N=N, xi=xi, f=f, exact=ex,
                charges=ch, emitted=emitted, E_balance=ch["E"] - ch["E"][0] + emitted,
                J_change=ch["J"] - ch["J"][0], res_mass=res_mass, res_N=res_N, U0=ev["U_scri"],
                ext=ext)


#: fine samples at the coarse times (every other step) and the coarse ones
_every_other = fine_at_coarse


def _rich(fine: np.ndarray, coarse: np.ndarray | None) -> float:
    if coarse is None:
        return float("nan")
    f2, c2 = _every_other(fine, coarse)
    return float(np.max(np.abs(f2 - c2))) / (2**RICHARDSON_ORDER - 1)


def _order(fine_err: float, coarse_err: float) -> float:
    if not (fine_err > 0 and coarse_err > 0):
        return float("nan")
    return float(np.log2(coarse_err / fine_err))


def _checks(p: dict, A: dict, C: dict | None, summary: dict) -> list[Check]:
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
        est = _rich(A[key], C[key] if C else None) + rnd
        add(name, np.max(np.abs(err)), est, RICH, what)
        summary[f"error_{key}"] = float(np.max(np.abs(err)))
        if C is not None:
            summary[f"error_{key}_shadow"] = float(np.max(np.abs(cerr)))
            summary[f"order_{key}"] = _order(summary[f"error_{key}"], summary[f"error_{key}_shadow"])
    add("bondi_frame_U0", np.max(np.abs(A["U0"])), _rich(A["U0"], C["U0"] if C else None) + rnd_U, RICH,
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
            summary[f"order_{name}"] = _order(val, cval)

    # --- background only: the BMS3 vacuum through the tube, exactly -----------------------
    if not any(b.amplitude > 0 for b in p["bursts"]):
        add("vacuum_Theta", np.max(np.abs(th - p["theta_i"])), rnd_th, ROUND,
            "max |Theta + mu^2| at scri+ (no dust: the vacuum must come through the tube exactly); estimate "
            "100 eps (max|Theta| + sqrt(nx) max|calW_w - Theta_w|)")
        add("vacuum_Xi", np.max(np.abs(xi - p["xi_0"])), rnd_xi, ROUND,
            "max |Xi + 4 G J| at scri+ (no dust); estimate 100 eps (max|N| + (1 + max|u|)(nphi/2) max|Theta|)")
        vac = _vacuum_charges(p)
        dev = max(float(np.max(np.abs(A["charges"][k] - vac[k]))) for k in vac)
        add("bms3_charges_vs_vacuum", dev, rnd_q, ROUND,
            "max over cuts of |Q - Q_vacuum| for E, p_x, p_y, J, K_x, K_y against asymflat.bms3.spacetimes "
            f"({p['background']}, mu = {p['mu']:g}, J = {p['J']:g})")
        summary["vacuum_E"] = float(vac["E"])
        summary["vacuum_J"] = float(vac["J"])
    return checks


def _vacuum_charges(p: dict) -> dict:
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


def run(config: dict, progress: Callable[[float], None] | None = None) -> RunData:
    """Run the ``worldtube`` kind on a validated configuration (see module docstring)."""
    t_wall = time.time()
    p = validate(config)
    sol = _solution(p)
    nsteps = p["nsteps"]
    if progress is not None:
        progress(0.0)
    A = _evolve(p, sol, p["nx"], nsteps)
    if progress is not None:
        progress(0.8 if p["shadow"] else 1.0)
    C = _evolve(p, sol, p["nx"] // 2, nsteps // 2) if p["shadow"] else None
    if progress is not None:
        progress(1.0)
    G = p["G"]
    summary: dict = {
        "kind": "worldtube", "nsteps": int(nsteps), "du": float(A["du"]), "nx_intervals": p["nx"],
        "tube_radius": p["r_w"], "x_tube": p["x_w"], "radial_order": RADIAL_ORDER, "shadow_grid": int(p["shadow"]),
        "background": p["background"], "mu": p["mu"], "angular_momentum": p["J"], "n_bursts": len(p["bursts"]),
        "bondi_frame": "beta = 0, U_w = -N_w/r_w^2 (U -> 0 at scri+); Bondi time u of the tube's exact solution",
    }
    checks = _checks(p, A, C, summary)
    ch = A["charges"]
    summary.update(
        E_initial=float(ch["E"][0]), E_final=float(ch["E"][-1]), J_initial=float(ch["J"][0]),
        J_final=float(ch["J"][-1]), emitted_dust_energy=float(A["emitted"][-1]),
        emitted_dust_energy_exact=float(sol.emitted_energy(p["u0"], p["u1"])),
        E_minkowski=-1.0 / (8.0 * G), mass_aspect_min=float(np.min(A["theta"])),
        mass_aspect_max=float(np.max(A["theta"])),
        note_energy=("E_final < E_minkowski = -1/(8G): the tube ends below the Minkowski energy (Theta < -1 "
                     "somewhere; the source would have negative Deser-Jackiw-'t Hooft mass)"
                     if ch["E"][-1] < -1.0 / (8.0 * G) else "E_final >= E_minkowski"),
    )

    sel = np.unique(np.r_[np.arange(0, nsteps + 1, p["scri_every"]), nsteps])
    ev = A["ev"]
    z = np.zeros((len(sel), p["nphi"]))
    extra = {
        "dust_flux": (A["f"][sel], "1/(G length)", "null-dust flux f(u, phi) of the tube (exact, input): mu = f/r"),
        "tube/mass_aspect": (ev["tube_mass_aspect"][sel], "1", "Theta_w evolved at r = r_w (d_u Theta_w = -16 pi G f)"),
        "tube/N": (ev["tube_N"][sel], "length", "N_w evolved at r = r_w (d_u N_w = Theta_w'/2); Qbar = 2 N_w"),
        "tube/U": (ev["tube_U"][sel], "1/length", "U at the tube, U_w = -N_w/r_w^2"),
        "tube/calW": (ev["tube_calW"][sel], "1", "calW at the tube, Theta_w - 2 N_w'/r_w - N_w^2/r_w^2"),
        "U0": (A["U0"][sel], "1/length", "U at x = 1 from the radial quadrature (Bondi frame: 0 up to truncation)"),
        "exact/mass_aspect": (A["exact"]["theta"][sel], "1", "Theta of the exact solution (b) (reference only)"),
        "exact/angular_momentum_aspect": (A["exact"]["xi"][sel], "length",
                                          "Xi of the exact solution (b) (reference only)"),
    }
    scri_plus = ScriData("scri_plus", A["u"][sel], A["phi"], A["theta"][sel], A["xi"][sel], A["N"][sel], z, z.copy(),
                         extra)
    series = {"u": (A["u"][sel], "length", "Bondi retarded time of the written cuts")}
    units = dict(E="1/G", J="length/G", p_x="1/G", p_y="1/G", K_x="length/G", K_y="length/G")
    for k, un in units.items():
        series[k] = (ch[k][sel], un, f"charge {k} on the cut (conventions.md sections 3-4)")
    for k, un, d in (
            ("emitted", "1/G", "emitted_dust_energy: oint int_{u_start}^u f (6-point quadrature)"),
            ("E_balance", "1/G", "E - E(u_start) + emitted dust energy"),
            ("J_change", "length/G", "J - J(u_start)")):
        series["emitted_dust_energy" if k == "emitted" else k] = (A[k][sel], un, d)
    series["mass_law_residual"] = (np.max(np.abs(A["res_mass"]), axis=1)[sel], "1/length",
                                   "max over phi of |d_u Theta + 16 pi G f|")
    series["N_law_residual"] = (np.max(np.abs(A["res_N"]), axis=1)[sel], "1", "max over phi of |d_u N - Theta'/2|")
    series["Theta_error"] = (np.max(np.abs(A["theta"] - A["exact"]["theta"]), axis=1)[sel], "1",
                             "max over phi of |Theta - Theta_exact|")
    series["Xi_error"] = (np.max(np.abs(A["xi"] - A["exact"]["xi"]), axis=1)[sel], "length",
                          "max over phi of |Xi - Xi_exact|")
    series["max_abs_U0"] = (np.max(np.abs(A["U0"]), axis=1)[sel], "1/length", "max over phi of |U(x=1)|")

    fields = {}
    if p["fields_every"]:
        snaps = np.unique(np.r_[np.arange(0, nsteps + 1, p["fields_every"]), nsteps])
        exts = [A["solver"].exterior(ev["tube_mass_aspect"][k], ev["tube_N"][k]) for k in snaps]
        fields["u"] = (A["u"][snaps], "length", "snapshot times")
        fields["x"] = (A["solver"].x, "1", "compactified radius x = r/(R+r) on [x_w, 1]")
        for name, un in (("U", "1/length"), ("calW", "1"), ("Qbar", "length")):
            fields[name] = (np.array([e[name] for e in exts]), un, f"exterior snapshot: {name} on (u, x, phi)")
    summary["wall_time_s"] = time.time() - t_wall
    return RunData(scri_plus=scri_plus, series=series, checks=checks, fields=fields, summary=summary)
