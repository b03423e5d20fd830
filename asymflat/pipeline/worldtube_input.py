"""Parameters of the ``worldtube`` kind (null dust from an inner worldtube, issue 6): :func:`parse_worldtube`
and the refusals of :func:`validate` (resolution of the bursts, energy budget, the closed form's range)."""
from __future__ import annotations

import math

import numpy as np

from asymflat.exact.null_dust import NullDustSolution, background_aspects, validate_bursts
from asymflat.pipeline.params import get, grid_parameters, output_cadence, time_range
from asymflat.scri._numerics import dphi


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


def parse_worldtube(config: dict) -> dict:
    G = float(config["G"])
    if not (math.isfinite(G) and G > 0):
        raise ValueError(f"G = {G!r}: must be > 0 for kind = 'worldtube' (the dust must gravitate; "
                         "charges scale as 1/G)")
    ev = config["evolution"]
    wt = config.get("worldtube") or {}
    npts, nphi, R = grid_parameters(config)
    cfl = float(get(ev, "cfl", 2.0))
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
    background = str(get(wt, "background", "minkowski"))
    mu = float(get(wt, "mu", 1.0))
    J = float(get(wt, "angular_momentum", 0.0))
    theta_i, xi_0 = background_aspects(background, G, mu, J)
    bursts = validate_bursts(get(wt, "bursts", []) or [])
    shadow = bool(get(wt, "shadow_grid", True))
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
    p = parse_worldtube(config)
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
    theta_guard(p)
    return p


def theta_guard(p: dict) -> None:
    """The exact solution on the run's cuts (at most 4097 in u): refuse a tube whose cancelling
    terms would swamp Theta in round-off, and Theta >= 0 anywhere (see :func:`validate`)."""
    nphi = p["nphi"]
    sol = dust_solution(p)
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


def dust_solution(p: dict) -> NullDustSolution:
    return NullDustSolution(p["G"], p["theta_i"], p["xi_0"], p["bursts"])
