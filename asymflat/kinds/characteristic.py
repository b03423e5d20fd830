"""Run kind ``characteristic``: Einstein + massless scalar on outgoing cones from a regular vertex
or a conical one (a static point particle, ``vertex.mu``).

Evolves the 2+1 Bondi-gauge system with :class:`solvers.characteristic.stepper.CharacteristicSolver`
(compactified x = r/(R+r), x = 1 is scri+; bondi-equations.md (C1)-(C5)), transports a Bondi frame
along scri+ and returns the scri+ data in that Bondi frame, with charges, fluxes and checks.

Configuration keys used
-----------------------
``G``; ``grid.{nx, nphi, R}`` (nx = number of radial points, the solver uses nx-1 intervals,
h = 1/(nx-1)); ``evolution.{u_start, u_end, cfl}`` (du = cfl R h, rounded down so that the steps
end exactly on u_end); ``output.{scri_every, fields_every}``;
``characteristic.{pulses, compact, circular, shadow_grid}`` and, read with defaults,
``characteristic.radial_order`` (4 or 6, default 6) and ``characteristic.filter`` (default true);
``vertex.{angular_velocity, acceleration}`` (U_c = omega + a1 sin phi - a2 cos phi) and
``vertex.mu`` (conical vertex calW(0) = -mu^2, modes ~ r^{|m|/mu}; docs/conventions.md section 9:
centred exact pulses rescaled to the cone, checks at the order :func:`cone_order`, and
``final_hill_trace``: Theta+ at i+ on the orbit of the particle, Hill trace 2 cos(pi mu)).

Stability: the RK4 limit is cfl ~ 4.4 (radial_order 4) or ~ 3.7 (radial_order 6) for every nphi
(measured; larger values are refused).

Reliability (issue 13; docs/format.md, "Checkpoints and restart"): :func:`validate` refuses
unresolvable or irregular initial data up front; the evolutions checkpoint through
:mod:`asymflat.runtime` (fields, step, the per-step scri+ samples the frame transport is integrated
from, series, snapshots, which run -- main or shadow -- is in progress) and resume bit-identically
(:func:`_evolutions`); NaN/Inf or max |chi| > CHI_BOUND_FACTOR x its initial scale stops the run with
the output so far (:class:`asymflat.runtime.RunUnstable`).

Pipeline (every run, any G >= 0, any vertex frame)
--------------------------------------------------
1. The code-frame values at x = 1 (psi0, news, beta0, U0, calW, Qbar) are sampled at **every**
   time step (``on_output`` with ``output_every = 1``; 6 rows of length nphi per step).  Dense
   samples are needed: the frame transport (step 2) is integrated with RK4 whose half-step
   coefficients are 6-point Lagrange interpolants of the samples, so its error is O(du^4) like the
   solver's only when the sample spacing is du.
2. :func:`asymflat.scri.to_bondi_frame` (bondi-equations.md section 3.4): transport
   L B = 0, L A = e^{2 beta0} B' (A = u_start, B = phi on the first cut: the Bondi time origin is
   the vertex proper time of the first cone, conventions.md section 2), the map to the Bondi
   aspects, and the resampling along the generators onto uniform Bondi cuts u_B = u_start + k du
   and uniform phi_B.  RK4 substeps of the transport: the smallest integer with
   (du/substeps) max|U0| nphi/2 <= 1.4 (half the spectral-advection limit).
3. On this dense Bondi grid: the flux-balance residuals, charges and balances (below).  The cuts
   written to ``/scri_plus`` are every ``output.scri_every``-th dense cut (u_B step
   ``scri_every du``); the code-frame samples and the transport in the extras are thinned alike
   (every ``scri_every``-th step and the last one).

Output
------
``/scri_plus``: mass_aspect Theta_B, N, angular_momentum_aspect Xi = N - (u_B/2) d_phi Theta_B,
news = d_{u_B} psi~0, psi0 = psi~0 on uniform (u_B, phi_B).  Extras: ``Nhat`` (N - pi G
d_phi psi~0^2), ``frame/u_code``, ``frame/phi_code`` (code coordinates of every Bondi grid point),
``code_frame/{u, psi0, news, beta0, U0, calW, Qbar, A, B}`` (B = B - phi, the periodic part).
Series on the written Bondi cuts (``u_bondi``), G > 0: ``E, J, p_x, p_y, K_x, K_y``
(conventions.md sections 3-4), ``dE_du, dJ_du`` (fluxes), ``radiated_energy, radiated_J``
(cumulative), ``E_balance, J_balance``, ``flux_residual_Theta, flux_residual_Nhat`` (max over phi
of |R|), ``max_du_Theta`` (max over phi of d_u Theta).  Series on the code times (``u``):
max |chi|, |beta|, |U - U_c|, |calW + 1| over the grid.

Checks
------
tolerance = SAFETY x estimate, SAFETY = 3, the estimate from the run itself: a half-resolution
shadow grid (nx/2 intervals, same cfl, so du doubles; its own Bondi pipeline; its dense Bondi cuts
coincide with every other fine one).  Design order p = 4 (RK4 in u, the transport, radial order
>= 4; phi is spectral and the same on both grids).  Two kinds of estimates:

* a quantity with a known exact value (closed forms, Theta = -1): error of the fine run
  ~ |fine - coarse| / (2^p - 1) (Richardson).
* a residual that vanishes in the continuum (flux laws, balances, d_u Theta <= 0): the coarse
  residual scaled by 2^-p.  The check then passes iff the measured order log2(R_coarse/R_fine) is
  >= p - log2(SAFETY) = 2.4; the measured orders are in ``summary['order_*']``.

Each estimate has a round-off floor added, ROUNDOFF = 100 eps times the size of the quantity
(divided by the u_B step for time derivatives; Theta_B holds B''' and Xi also A''' and u_B Theta_B',
so their floors carry (nphi/2)^3 max|B - phi|, (nphi/2)^3 max|A| and (nphi/2) max|u_B|; measured
floors of the flat-space runs are 10-40 times below these models; the charges get
(1/8G)(nphi/2) (1 + max|Theta| + max|N|)(1 + max|u_B|) ROUNDOFF).  A law whose terms all vanish
to round-off (e.g. the N law in circular symmetry) is measured relative to that floor instead of
its largest term.

* G > 0 with a scalar field: ``flux_law_Theta`` (max over u_B, phi of
  |d_u Theta + 16 pi G news^2| relative to the largest term of the law), ``flux_law_Nhat``
  (|d_u Nhat - Theta'/2 + 8 pi G news psi0'|, relative likewise; bondi-equations.md section 3.3),
  ``energy_balance`` (max_u |E(u) - E(u_start) + radiated energy(u)|), ``angular_momentum_balance``
  (same for J), ``energy_monotonic`` (max(0, max d_u Theta): Theta non-increasing along every
  generator; estimate: that of the Theta law, since d_u Theta = -16 pi G news^2 + R_Theta).
  The total radiated energy is measured as E(first cut) - E(last cut) (``summary``); the final state
  is not assumed to be Minkowski.
* G = 0, or no scalar field (flat space, any vertex frame): ``vacuum_Theta`` (max |Theta_B + 1|),
  ``vacuum_Xi`` (max |Xi|): the transport must reach a Poincare frame of Minkowski.
* exact data: ``psi0_vs_exact`` (G = 0, U_c = omega: psi~0 on the Bondi grid against the closed
  form; circular data at G > 0: psi0 at scri+ in the code frame), ``beta0_vs_exact`` and
  ``Theta_vs_exact`` (one circular pulse, G > 0, U_c = omega: beta0 against (c1), and Theta_B against
  -exp(-2 beta0(u(u_B))) with u(u_B) the exact inverse of u_B = u_start + int e^{2 beta0} du),
  ``mass_loss_law`` (circular, code frame: d_u beta0 = -8 pi G news^2).
"""
from __future__ import annotations

import math
import time

import numpy as np

from asymflat.data import Check, RunData, ScriData
from asymflat.exact.pulses import (compact_chi, pulse_chi, pulse_psi0, validate_compact,
                                   validate_pulses)
from asymflat.scri import balance, charges_on_cuts, flux_residuals_bondi, to_bondi_frame
from asymflat.scri._numerics import fd_time_derivative
from asymflat import runtime
from asymflat.io.checkpoint import CheckpointError
from asymflat.kinds._common import fine_at_coarse, grid_parameters, output_cadence, time_range
from solvers.characteristic import (SAMPLE_NAMES, SERIES_NAMES, CharacteristicSolver, SolverError,
                                    vertex_shift)

#: largest stable cfl (du = cfl R h) per radial order, with a margin (measured eigenvalues).
CFL_MAX = {4: 4.4, 6: 3.6}
RICHARDSON_ORDER = 4
SAFETY = 3.0
EPS = float(np.finfo(float).eps)
ROUNDOFF = 100 * EPS
#: minimum number of time steps: 7-point time derivatives and 6-point interpolation in u
MIN_STEPS = 8
CODE_NAMES = ("psi0", "news", "beta0", "U0", "calW", "Qbar")

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


def parse(config: dict) -> dict:
    G = float(config["G"])
    if not (math.isfinite(G) and G >= 0):
        raise ValueError(f"G = {G}: must be a finite number >= 0")
    ev = config["evolution"]
    ch = config.get("characteristic") or {}
    vx = config.get("vertex") or {}
    npts, nphi, R = grid_parameters(config)
    order = _get(ch, "radial_order", 6)
    if order not in (4, 6):
        raise ValueError(f"characteristic.radial_order = {order!r}: must be 4 or 6")
    cfl = float(_get(ev, "cfl", 2.0))
    if not (0 < cfl <= CFL_MAX[order]):
        raise ValueError(f"evolution.cfl = {cfl}: must be in (0, {CFL_MAX[order]}] for "
                         f"characteristic.radial_order = {order} (RK4 stability limit)")
    u0, u1 = time_range(config)
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
    mu = float(_get(vx, "mu", 1.0))
    if not (0.0 < mu <= 1.0):
        raise ValueError(f"vertex.mu = {mu}: must be in (0, 1] (calW(0) = -mu^2; 1 is a regular vertex)")
    if mu != 1.0:
        _validate_cone(mu, acc, pulses, compact, comp, len(_get(ch, "pulses", []) or []))
    scri_every, fields_every = output_cadence(config)
    shadow = bool(_get(ch, "shadow_grid", True))
    filt = bool(_get(ch, "filter", True))
    return dict(G=G, nx=npts - 1, nphi=nphi, R=R, order=order, cfl=cfl, u0=u0, u1=u1,
                pulses=pulses, compact=compact, comp=comp, omega=omega, acc=acc, mu=mu,
                scri_every=scri_every, fields_every=fields_every, shadow=shadow, filter=filt)


def _validate_cone(mu: float, acc, pulses, compact, comp, n_pul: int) -> None:
    """Data a conical vertex (vertex.mu < 1) can evolve, each refusal naming the key.

    * the particle moves geodesically (bondi-equations.md section 4: alpha != 1 forces a = b = 0);
    * exact pulses only centred ones (the circular solution (c1) rescaled to the cone,
      :func:`initial_chi`): an off-centre flat-space pulse has modes ~ r^|m| at the vertex, not the
      cone's r^{|m|/mu};
    * compact pulses with m != 0 must vanish on a neighbourhood of the vertex (r_center > width).
    """
    if acc != [0.0, 0.0]:
        raise ValueError(f"vertex.acceleration = {acc}: a conical vertex (vertex.mu = {mu:g} < 1) "
                         "moves geodesically (bondi-equations.md section 4); it must be [0, 0]")
    for i, q in enumerate(pulses):
        key = f"characteristic.pulses[{i}]" if i < n_pul else f"characteristic.circular[{i - n_pul}]"
        if float(q.get("x0", 0.0)) != 0 or float(q.get("y0", 0.0)) != 0:
            raise ValueError(
                f"{key}: an off-centre exact pulse is a flat-space solution, not regular at a conical "
                f"vertex (vertex.mu = {mu:g}: modes go like r^(|m|/mu)); use characteristic.compact "
                "(away from the vertex) or a centred pulse")
    for i, (_, rc, w, m, _) in enumerate(comp):
        if m != 0 and not rc > w:
            raise ValueError(
                f"characteristic.compact[{i}]: r_center - width = {rc - w:g} with m = {m}: at a conical "
                f"vertex (vertex.mu = {mu:g}) a pulse with m != 0 must vanish near the vertex "
                "(r_center > width), since regular modes go like r^(|m|/mu)")


def initial_chi(x: np.ndarray, phi: np.ndarray, u0: float, R: float, pulses, compact,
                mu: float = 1.0) -> np.ndarray:
    """chi = sqrt(r+R) psi on the first cone from exact and compact pulses.

    On a conical vertex (``mu < 1``, calW(0) = -mu^2) the centred exact pulses are the flat ones
    in the cone's flat coordinates: psi(u, r) = psi_flat(mu u, r/mu) (conventions.md section 9),
    i.e. chi(x) = sqrt(mu) chi_flat(x; u -> mu u, R -> R/mu) at the same x.
    """
    X = x[:, None]
    P = phi[None, :]
    chi = np.zeros((len(x), len(phi)))
    if pulses:
        chi += math.sqrt(mu) * pulse_chi(mu * u0, X, P, R / mu, pulses)
    if compact:
        chi += compact_chi(X, P, R, compact)
    return chi


#: refusal thresholds of :func:`validate`: the initial chi of each data item must be resolved to
#: this relative accuracy in x (6-point interpolation error at the cell midpoints) and in phi
#: (largest Fourier coefficient above nphi/3, the filtered band, relative to the largest one)
RESOLVE_TOL_X = 2e-2
RESOLVE_TOL_PHI = 2e-2
_MID6 = np.array([3.0, -25.0, 150.0, 150.0, -25.0, 3.0]) / 256.0
_MAX_POINTS = 1 << 15


def _radial_error(nx: int, nphi: int, u0: float, R: float, pulses, compact) -> tuple[float, float]:
    """Relative 6-point interpolation error of chi(u0) at the midpoints of the nx-interval grid,
    and the x where it is largest."""
    x = np.arange(nx + 1) / nx
    xm = (np.arange(nx) + 0.5) / nx
    phi = 2 * np.pi * np.arange(nphi) / nphi
    f = initial_chi(x, phi, u0, R, pulses, compact)
    fm = initial_chi(xm, phi, u0, R, pulses, compact)
    scale = max(float(np.max(np.abs(f))), float(np.max(np.abs(fm))))
    if scale == 0 or nx < 6:
        return 0.0, 0.0
    interp = sum(_MID6[k] * f[k:nx - 4 + k] for k in range(6))     # midpoints j + 1/2, j = 2..nx-3
    err = np.abs(interp - fm[2:nx - 2])
    jj = int(np.argmax(np.max(err, axis=1)))
    return float(np.max(err)) / scale, float(xm[2 + jj])


def _angular_tail(nx: int, nphi: int, u0: float, R: float, pulses, compact) -> float:
    """Largest Fourier coefficient of chi(u0) with |m| > nphi/3 (evaluated on 4 nphi angles)
    relative to the largest one."""
    x = np.arange(nx + 1) / nx
    M = 4 * nphi
    phi = 2 * np.pi * np.arange(M) / M
    c = np.abs(np.fft.rfft(initial_chi(x, phi, u0, R, pulses, compact), axis=1))
    top = float(np.max(c))
    if top == 0:
        return 0.0
    return float(np.max(c[:, np.arange(c.shape[1]) > nphi / 3])) / top


def _data_items(config: dict, p: dict):
    """(config key, pulses, compact) of every initial-data item, for resolution messages."""
    ch = config.get("characteristic") or {}
    n_pul = len(_get(ch, "pulses", []) or [])
    for i, q in enumerate(p["pulses"]):
        key = f"characteristic.pulses[{i}]" if i < n_pul else f"characteristic.circular[{i - n_pul}]"
        yield key, [q], []
    for i, c in enumerate(p["compact"]):
        yield f"characteristic.compact[{i}]", [], [c]


def validate(config: dict) -> dict:
    """Refusals before any work, each naming the key and the reason (``asymflat run`` and
    ``--validate-only`` call it through :func:`asymflat.api.validate_physics`):

    * parameters out of range, a cfl beyond the RK4 stability limit of the radial order
      (:func:`parse`, CFL_MAX);
    * compact data violating vertex regularity (the r^n Taylor coefficient may hold only modes
      |m| <= n: :func:`asymflat.exact.pulses.validate_compact`) or with m >= nphi/3;
    * initial data the grid cannot resolve: for each data item, the first-cone chi interpolated
      with 6 points to the radial midpoints must be within RESOLVE_TOL_X of the exact values
      (relative to its maximum), and its Fourier coefficients with |m| > nphi/3 below
      RESOLVE_TOL_PHI; otherwise the message names the item, the error and the grid.nx /
      grid.nphi that resolves it (found by doubling).

    Returns the parsed parameters.
    """
    p = parse(config)
    nx, nphi, u0, R = p["nx"], p["nphi"], p["u0"], p["R"]
    for key, pulses, compact in _data_items(config, p):
        err, xw = _radial_error(nx, nphi, u0, R, pulses, compact)
        if err > RESOLVE_TOL_X:
            need = nx
            while need < _MAX_POINTS and _radial_error(need, nphi, u0, R, pulses, compact)[0] > RESOLVE_TOL_X:
                need *= 2
            r = R * xw / (1 - xw)
            raise ValueError(
                f"{key}: the initial data varies faster in r than grid.nx = {nx + 1} resolves (relative "
                f"interpolation error {err:.2g} > {RESOLVE_TOL_X:g} near x = {xw:.3g}, r = {r:.3g}, on the "
                f"first cone u = {u0:g}); need grid.nx >= {need + 1}"
                + ("" if need < _MAX_POINTS else " (or wider / nearer data)"))
        tail = _angular_tail(nx, nphi, u0, R, pulses, compact)
        if tail > RESOLVE_TOL_PHI:
            need = nphi
            while need < _MAX_POINTS and _angular_tail(nx, need, u0, R, pulses, compact) > RESOLVE_TOL_PHI:
                need *= 2
            raise ValueError(
                f"{key}: the initial data has angular structure grid.nphi = {nphi} cannot resolve (Fourier "
                f"modes |m| > nphi/3 hold {tail:.2g} > {RESOLVE_TOL_PHI:g} of the largest); need grid.nphi >= {need}")
    return p


#: the run stops when max |chi| exceeds CHI_BOUND_FACTOR x max(1, max |chi| on the first cone)
#: (a norm bound of the instability detector, next to the solver's NaN/Inf check)
CHI_BOUND_FACTOR = 1.0e3
#: layout of this kind's checkpoints (docs/format.md, "Checkpoints and restart")
CHECKPOINT_LAYOUT = 1
#: checkpoint phases: main run, shadow run, both evolutions done (post-processing next)
PHASE_MAIN, PHASE_SHADOW, PHASE_EVOLVED = 0, 1, 2
_SNAP_ORDER = ("u", "chi", "beta", "Qbar", "U", "calW")


class _Buffers:
    """What a time loop accumulates: the code-frame scri+ samples (every step), the grid series,
    the bulk snapshots.  Packed into / restored from checkpoints bit for bit."""

    def __init__(self):
        self.times: list = []
        self.scri: dict = {k: [] for k in CODE_NAMES}
        self.series: dict = {"u": [], "max_abs_chi": [], "max_abs_beta": [], "max_abs_U_minus_Uc": [],
                             "max_abs_calW_plus_1": []}
        self.snaps: dict = {"u": []}

    def state(self, prefix: str, npts: int, nphi: int) -> dict:
        out = {f"{prefix}.times": runtime.stack(self.times)}
        out.update(runtime.pack(f"{prefix}.scri", self.scri, {k: (nphi,) for k in CODE_NAMES}))
        out.update(runtime.pack(f"{prefix}.series", self.series, {}))
        out.update(runtime.pack(f"{prefix}.snaps", self.snaps,
                                {k: () if k == "u" else (npts, nphi) for k in self.snaps}))
        return out

    @classmethod
    def from_state(cls, prefix: str, state: dict) -> "_Buffers":
        b = cls()
        b.times = runtime.unstack(state[f"{prefix}.times"])
        b.scri.update(runtime.unpack(f"{prefix}.scri", state))
        b.series.update(runtime.unpack(f"{prefix}.series", state))
        snaps = runtime.unpack(f"{prefix}.snaps", state)
        b.snaps = {k: snaps[k] for k in _SNAP_ORDER if k in snaps} or {"u": []}
        return b


def _solver(p: dict, nx: int) -> CharacteristicSolver:
    uc = vertex_shift(p["nphi"], p["omega"], p["acc"])
    return CharacteristicSolver(nx, p["nphi"], p["R"], p["G"], uc=uc, filter=p["filter"], order=p["order"],
                                cone_mu=p.get("mu", 1.0))


def _evolution_result(p: dict, solver, nsteps: int, buf: _Buffers, fields_every: int) -> dict:
    u = p["u0"] + (p["u1"] - p["u0"]) / nsteps * np.arange(nsteps + 1)   # exactly uniform
    return dict(solver=solver, u=u, scri={k: np.array(v) for k, v in buf.scri.items()},
                series={k: np.array(v) for k, v in buf.series.items()},
                snaps={k: np.array(v) for k, v in buf.snaps.items()} if fields_every else None,
                buffers=buf)


def evolve(p: dict, nx: int, nsteps: int, series_every: int, fields_every: int, progress=None,
            *, hook=None, resume=None, output_every: int = 16):
    """Evolve; code-frame scri+ samples at every step, grid series / snapshots at their cadence.

    ``hook(step, chi, buffers)`` runs first in every step's output callback (after the norm check;
    checkpoints and stop requests, see :func:`_evolutions`); ``resume = (step, chi, buffers)``
    continues an interrupted evolution at ``step`` with the dt and steps of the uninterrupted one.
    A :class:`SolverError` (NaN/Inf, or max |chi| beyond the bound, CHI_BOUND_FACTOR) carries the
    buffers so far as ``exc.buffers``.
    """
    solver = _solver(p, nx)
    chi0 = initial_chi(solver.x, solver.phi, p["u0"], p["R"], p["pulses"], p["compact"], p.get("mu", 1.0))
    bound = CHI_BOUND_FACTOR * max(1.0, float(np.max(np.abs(chi0))))
    start, buf = 0, _Buffers()
    if resume is not None:
        start, chi0, buf = int(resume[0]), np.asarray(resume[1], dtype=float), resume[2]
    scri, series, snaps = buf.scri, buf.series, buf.snaps

    def on_scri(step0, u, samples, ser):
        # the code-frame scri+ samples and grid series of steps step0, step0+1, ... (views of the
        # solver's buffers); the same numbers as on_output used to take from the fields
        buf.times.extend(u.tolist())
        for i, k in enumerate(SAMPLE_NAMES):
            scri[k].extend(samples[:, i].copy())
        for i in range(len(u)):
            step = step0 + i
            if step % series_every == 0 or step == nsteps:
                series["u"].append(float(u[i]))
                for k, v in zip(SERIES_NAMES, ser[i]):
                    series[k].append(float(v))

    def on_output(step, u, chi, chi_u, sv):
        amax = float(np.max(np.abs(chi)))
        if not amax <= bound:
            j, k = divmod(int(np.argmax(np.abs(chi))), p["nphi"])
            raise SolverError(
                f"max |chi| = {amax:.3g} exceeds the bound {bound:.3g} ({CHI_BOUND_FACTOR:g} x max(1, "
                f"max |chi| on the first cone)) at u = {u:.6g}, grid index (j={j}, k={k}) "
                f"(x = {sv.x[j]:.4g}, phi = {sv.phi[k]:.4g})")
        if hook is not None:
            hook(step, chi, buf)
        if fields_every and (step % fields_every == 0 or step == nsteps):
            f = sv.fields()
            snaps["u"].append(u)
            for k, v in dict(chi=chi, beta=f["beta"], Qbar=f["Qbar"], U=f["U"],
                             calW=f["calW"]).items():
                snaps.setdefault(k, []).append(np.array(v, copy=True))

    try:
        solver.evolve(chi0, p["u0"], p["u1"], nsteps, on_output=on_output, output_every=output_every,
                      on_scri=on_scri, scri_series=True, chi_bound=bound,
                      progress=progress, start_step=start, project_initial=resume is None)
    except SolverError as exc:
        exc.buffers = buf
        raise
    return _evolution_result(p, solver, nsteps, buf, fields_every)


def _output_every(fields_every: int, sess) -> int:
    """Steps between the solver's full-field callbacks (snapshots, checkpoints, stop requests);
    the steps in between run inside one nopython call of the solver."""
    g = math.gcd(int(fields_every), int(sess.every_steps) if sess.periodic else 0)
    return g if g > 0 else 16


def _evolutions(p: dict, nx: int, nsteps: int, shadow: bool, progress=None, session=None):
    """The main evolution and (``shadow``) the half-resolution one, with checkpoints and restart.

    Checkpoint state (``session``, :mod:`asymflat.runtime`): ``layout, phase, step, nsteps, u0,
    u1`` (phase: PHASE_MAIN / PHASE_SHADOW / PHASE_EVOLVED), ``chi`` (the state of the running
    evolution at ``step``), and the buffers of every evolution so far (``main.*``, ``shadow.*``).
    A checkpoint at ``step`` holds the samples of the steps before it; the resumed run recomputes
    step ``step`` from ``chi`` exactly as the uninterrupted one did.
    Returns ``(main, coarse)`` as :func:`evolve`; raises :class:`runtime.RunUnstable` with the
    output so far, or :class:`runtime.RunInterrupted` after writing a checkpoint.
    """
    sess = session if session is not None else runtime.current()
    state = sess.load()
    phase0 = PHASE_MAIN
    if state is not None:
        phase0 = _check_checkpoint(state, p, nsteps, sess.restored_from)
    npts, nphi = nx + 1, p["nphi"]
    specs = [("main", nx, nsteps, p["scri_every"], p["fields_every"],
              progress_fraction(progress, 0.0, 0.8 if shadow else 1.0))]
    if shadow:
        specs.append(("shadow", nx // 2, nsteps // 2, 1, 0, progress_fraction(progress, 0.8, 0.2)))

    def meta(phase, step):
        return dict(layout=np.int64(CHECKPOINT_LAYOUT), phase=np.int64(phase), step=np.int64(step),
                    nsteps=np.int64(nsteps), u0=np.float64(p["u0"]), u1=np.float64(p["u1"]))

    done_state: dict = {}
    results: dict = {}
    for phase, (name, n, ns, s_every, f_every, prog) in enumerate(specs):
        if phase < phase0:          # finished before the checkpoint was written
            buf = _Buffers.from_state(name, state)
            results[name] = _evolution_result(p, _solver(p, n), ns, buf, f_every)
            done_state.update(buf.state(name, n + 1, nphi))
            continue
        resume = None
        if phase == phase0 and state is not None:
            resume = (int(state["step"]), state["chi"], _Buffers.from_state(name, state))
        first = resume[0] if resume else 0
        dt = (p["u1"] - p["u0"]) / ns

        def hook(step, chi, buf, phase=phase, name=name, n=n, ns=ns, first=first, dt=dt):
            def snapshot():
                s = meta(phase, step)
                s["chi"] = chi
                s.update(done_state)
                s.update(buf.state(name, n + 1, nphi))
                return s
            sess.at_step(step, snapshot, f"at u = {p['u0'] + step * dt:.6g} (step {step} of {ns}, {name} run)",
                         force=(step == first and resume is None))

        try:
            results[name] = evolve(p, n, ns, s_every, f_every, prog, hook=hook, resume=resume,
                                   output_every=_output_every(f_every, sess))
        except SolverError as exc:
            main_buf = results["main"]["buffers"] if "main" in results else getattr(exc, "buffers", _Buffers())
            where = "" if name == "main" else "shadow grid (nx/2): "
            raise runtime.RunUnstable(where + str(exc), _partial(p, nx, nsteps, main_buf, where + str(exc))) from None
        done_state.update(results[name]["buffers"].state(name, n + 1, nphi))

    if phase0 < PHASE_EVOLVED:
        evolved = meta(PHASE_EVOLVED, 0)
        evolved.update(done_state)
        if sess.periodic:
            sess.save(evolved)
        sess.poll(lambda: evolved, "after the evolution (before the Bondi-frame post-processing)")
    return results["main"], results.get("shadow")


def _check_checkpoint(state: dict, p: dict, nsteps: int, source) -> int:
    """Refuse a checkpoint this run cannot continue bit for bit; return its phase."""
    try:
        layout, phase, ck_steps = int(state["layout"]), int(state["phase"]), int(state["nsteps"])
        u0, u1 = float(state["u0"]), float(state["u1"])
    except KeyError as exc:
        raise CheckpointError(f"{source}: not a characteristic-kind checkpoint (no {exc})") from None
    if layout != CHECKPOINT_LAYOUT:
        raise CheckpointError(f"{source}: checkpoint layout {layout}, this version reads {CHECKPOINT_LAYOUT}")
    if (ck_steps, u0, u1) != (nsteps, p["u0"], p["u1"]):
        raise CheckpointError(f"{source}: checkpoint made with nsteps = {ck_steps} on [{u0}, {u1}]; this run "
                              f"has nsteps = {nsteps} on [{p['u0']}, {p['u1']}]")
    if phase not in (PHASE_MAIN, PHASE_SHADOW, PHASE_EVOLVED) or (phase != PHASE_EVOLVED and "chi" not in state):
        raise CheckpointError(f"{source}: inconsistent checkpoint (phase {phase})")
    return phase


def _partial(p: dict, nx: int, nsteps: int, buf: _Buffers, reason: str) -> RunData:
    """The output so far of a run stopped by an instability (written with complete = false)."""
    series = {"u": (np.array(buf.series["u"]), "length", "code retarded time (vertex proper time)")}
    for k, v in buf.series.items():
        if k != "u":
            series[k] = (np.array(v), "1", k.replace("_", " ") + " over the grid")
    nphi = p["nphi"]
    series["scri_code_frame/u"] = (np.array(buf.times), "length", "code time of every completed step")
    for k in CODE_NAMES:
        series[f"scri_code_frame/{k}"] = (runtime.stack(buf.scri[k], (nphi,)), _UNITS[k], _DESC[k])
    fields = {}
    if len(buf.snaps.get("u", [])):
        for k, v in buf.snaps.items():
            fields[k] = (np.array(v), "length" if k in ("u", "Qbar") else "1",
                         f"bulk snapshot: {k} on (u, x, phi)" if k != "u" else "snapshot times")
        fields["x"] = (_solver(p, nx).x, "1", "compactified radius x = r/(R+r)")
    summary = {"kind": "characteristic", "nsteps": int(nsteps), "du": (p["u1"] - p["u0"]) / nsteps,
               "nx_intervals": nx, "radial_order": p["order"], "steps_completed": len(buf.times),
               "stop_reason": reason}
    return RunData(series=series, fields=fields, summary=summary)


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


def is_circular(p: dict) -> bool:
    return (all(float(q.get("x0", 0.0)) == 0 and float(q.get("y0", 0.0)) == 0 for q in p["pulses"])
            and all(c[3] == 0 for c in p["comp"]))


def has_scalar(p: dict) -> bool:
    return (any(float(q.get("amplitude", 1.0)) != 0 for q in p["pulses"])
            or any(c[0] != 0 for c in p["comp"]))


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


def _check(name, value, est, method, desc):
    return Check(name, float(value), float(est), SAFETY, method, desc)


def richardson_estimate(fine, coarse):
    """Richardson estimate |fine - coarse| / (2^p - 1) (max over the common samples)."""
    if coarse is None:
        return np.nan
    return float(np.max(np.abs(fine - coarse))) / (2**RICHARDSON_ORDER - 1)


#: fine dense-cut array at the coarse cut times (every other fine cut) and the coarse one
_pair = fine_at_coarse


RICH = f"shadow grid nx/2: |fine - coarse|/(2^{RICHARDSON_ORDER} - 1) + round-off"
SCALED = f"shadow grid nx/2: coarse residual x 2^-{RICHARDSON_ORDER} + round-off"


def cone_order(mu: float) -> float:
    """Convergence order of the scri+ laws with a conical vertex of parameter ``mu``.

    Regular modes at the tip go like x^{nu}, nu = |m|/mu (tests/test_derivation_cone.py).  For
    integer 1/mu every vertex power is an integer and the design order 4 holds; otherwise the
    non-smooth powers limit it.  Measured on the scri+ flux laws and balances (nx = 129 -> 257, an
    m = 0, 1, 2 scattering run, tests/test_cone_vertex.py): 1.51 (mu = 0.8), 1.86 (0.7),
    2.22-2.33 (0.6), i.e. 2/mu - 1 = 2 nu_1 - 1 (the quadratic terms |chi_1|^2 ~ x^{2 nu_1} in
    beta and Qbar), so the check estimate uses min(4, 2/mu - 1).
    """
    k = 1.0 / mu
    if abs(k - round(k)) < 1e-9:
        return float(RICHARDSON_ORDER)
    return float(min(RICHARDSON_ORDER, 2.0 * k - 1.0))


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
        checks.append(_check(f"flux_law_{law}", val, est, scaled, desc))
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
    rnd_j = rnd_q + _theta_xi_roundoff(bf)[1] / (8 * G)
    for name, key, ch, rnd in (("energy_balance", "E_balance", "E", rnd_q),
                               ("angular_momentum_balance", "J_balance", "J", rnd_j)):
        val = float(np.max(np.abs(B["bal"][key])))
        cval = float(np.max(np.abs(C["bal"][key]))) if C else np.nan
        est = cval * 2.0**-order + rnd
        checks.append(_check(name, val, est, scaled,
                             f"max over cuts of |{ch}(u_B) - {ch}(u_start) + radiated {ch}|"))
        if C and val > 10 * rnd:
            summary[f"order_{name}"] = float(np.log2(cval / val))
    dut = float(np.max(B["du_theta"]))
    cres = float(np.max(np.abs(C["res"]["R_Theta"]))) if C else np.nan
    est = cres * 2.0**-order + ROUNDOFF * float(np.max(np.abs(th))) / dt
    checks.append(_check("energy_monotonic", max(0.0, dut), est,
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


def _theta_xi_roundoff(bf) -> tuple[float, float]:
    """Round-off floors of Theta_B and Xi on the Bondi grid (module doc, "Checks"): Theta_B holds the
    third phi-derivative of B, Xi also that of A and u_B Theta_B'."""
    n = len(bf.phi)
    bper = float(np.max(np.abs(bf.code["B_minus_phi"])))
    aspan = float(np.max(np.abs(bf.code["A"])))
    rth = ROUNDOFF * (1 + bper * (n / 2) ** 3)
    rxi = ROUNDOFF * (1 + aspan) * (n / 2) ** 3 + rth * float(np.max(np.abs(bf.time))) * n / 4
    return rth, rxi


def vacuum_checks(B: dict, C: dict | None, checks: list, mu: float = 1.0) -> None:
    """Flat space (G = 0 or psi = 0) in any vertex frame: Theta_B = -1, Xi = 0; on a conical
    vertex (calW(0) = -mu^2) the static particle Theta_B = -mu^2, Xi = 0."""
    bf = B["bf"]
    rth, rxi = _theta_xi_roundoff(bf)
    for name, arr, target, rnd, desc in (
            ("vacuum_Theta", bf.mass_aspect, -mu * mu, rth,
             "max |Theta_B + 1| (flat space in a Poincare frame)" if mu == 1 else
             f"max |Theta_B + mu^2| (static conical defect, mu = {mu:g})"),
            ("vacuum_Xi", bf.angular_momentum_aspect, 0.0, rxi,
             "max |Xi| (flat space, first cut = light cone of a point)")):
        cb = getattr(C["bf"], "mass_aspect" if name == "vacuum_Theta" else "angular_momentum_aspect") if C else None
        f2, c2 = _pair(arr, cb)
        est = (richardson_estimate(f2, c2) if C else np.nan) + rnd
        checks.append(_check(name, np.max(np.abs(arr - target)), est, RICH, desc))


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
        f2, c2 = _pair(bf.psi0, C["bf"].psi0 if C else None)
        est = richardson_estimate(f2, c2) + ROUNDOFF * float(np.max(np.abs(ex)))
        checks.append(_check("psi0_vs_exact", np.max(np.abs(bf.psi0 - ex)), est, RICH,
                             "max |psi~0 - closed form| on the Bondi grid (u_B, phi_B)"))
        summary["psi0_max_abs"] = float(np.max(np.abs(ex)))
    elif closed and circular:
        ex = np.array([math.sqrt(mu) * pulse_psi0(mu * t, main["solver"].phi, p["pulses"]) for t in u])
        cs = coarse["scri"]["psi0"] if coarse else None
        est = richardson_estimate(sc["psi0"][::2][:len(cs)], cs) if coarse else np.nan
        checks.append(_check("psi0_vs_exact", np.max(np.abs(sc["psi0"] - ex)),
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
    checks.append(_check("beta0_vs_exact", np.max(np.abs(sc["beta0"] - ex[:, None])),
                         est + ROUNDOFF, RICH, "max |beta0 - closed form (c1)| at scri+ (code frame)"))
    uex = circular_code_time(bf.time, p["u0"], eps, a, G, t0, mu)
    thx = -mu * mu * np.exp(-2 * beta0_circular(mu * uex - t0, eps, a, G))
    f2, c2 = _pair(bf.mass_aspect, C["bf"].mass_aspect if C else None)
    checks.append(_check("Theta_vs_exact", np.max(np.abs(bf.mass_aspect - thx[:, None])),
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
    checks.append(_check("mass_loss_law", resid, est + ROUNDOFF,
                         "shadow grid + 2nd/4th-order sampling-derivative comparison",
                         "max |d_u beta0 + 8 pi G news^2 / mu^2| at scri+ (code frame)"))


def _final_state_checks(B: dict, C: dict | None, mu: float, G: float, checks: list, summary: dict) -> None:  # noqa: E501
    """The final vacuum lies on the orbit of the central particle (issue 6; physics-bms3.md §2.4).

    The conical parameter of the vertex is conserved (e^{-2 beta_c} calW_c = -mu^2 without dust,
    bondi-equations.md section 4), so once the radiation has left, Theta+ is a conical defect of
    the same mu in some BMS3 frame: Hill monodromy trace 2 cos(pi mu) (Minkowski: -2).  Theta at
    i+ = Theta(last cut) + int_{u_last}^inf d_u Theta, the tail from the late-u power law of
    d_u Theta (:func:`asymflat.memory.flux_tail`).  Estimate: shadow-grid difference of the
    traces + the trace's response to the tail's error + the Hill integrator's error.
    """
    from asymflat.bms3.hill import hill
    from asymflat.memory import flux_tail

    def final(b):
        bf = b["bf"]
        try:
            tail, terr, q, status = flux_tail(bf.time, b["du_theta"], u_ref=float(bf.time[0]))
        except ValueError:
            return None
        th = bf.mass_aspect[-1] + tail
        h = hill(th, G)
        sens = abs(hill(th + terr, G).trace - h.trace)
        return h, sens, q, status, float(np.max(np.abs(tail)))

    fm = final(B)
    if fm is None:
        return
    h, sens, q, status, tail = fm
    fc = final(C) if C else None
    p = cone_order(mu)
    est = (abs(h.trace - fc[0].trace) / (2**p - 1) if fc else np.nan) + sens + h.error_estimate
    target = 2.0 * math.cos(math.pi * mu)
    checks.append(_check("final_hill_trace", h.trace - target, est,
                         "shadow grid (Richardson) + response to the late-u tail error + Hill integrator",
                         f"Hill trace of Theta+ at i+ minus 2 cos(pi mu) = {target:.6g} (final state on the "
                         "orbit of the central particle; Theta+ extrapolated with the flux tail)"))
    summary.update(final_hill_trace=float(h.trace), final_hill_winding=float(h.winding),
                   final_hill_orbit=h.classification, final_tail_exponent=float(q),
                   final_tail_status=status, final_tail_max=tail)


def progress_fraction(progress, start: float, weight: float):
    """Adapt ``progress(fraction)`` (asymflat.api) to the solver's ``progress(step, nsteps, u)``."""
    if progress is None:
        return None
    return lambda step, n, u: progress(start + weight * step / n)


def run(config: dict, progress=None) -> RunData:
    """Run one characteristic evolution described by a validated config (see module doc)."""
    t_wall = time.time()
    p = parse(config)
    nx, R, cfl, G = p["nx"], p["R"], p["cfl"], p["G"]
    L = p["u1"] - p["u0"]
    shadow = p["shadow"] and nx % 2 == 0 and nx // 2 >= 16
    if shadow:
        nsteps = 2 * max(MIN_STEPS, math.ceil(L * (nx // 2) / (cfl * R) - 1e-9))
    else:
        nsteps = max(MIN_STEPS, math.ceil(L * nx / (cfl * R) - 1e-9))
    every = p["scri_every"]
    main, coarse = _evolutions(p, nx, nsteps, shadow, progress)
    scalar = has_scalar(p)
    B = bondi_pipeline(main, G, scalar)
    C = bondi_pipeline(coarse, G, scalar) if coarse else None
    bf = B["bf"]

    checks: list[Check] = []
    summary: dict = {"kind": "characteristic", "nsteps": int(nsteps), "du": L / nsteps,
                     "nx_intervals": nx, "radial_order": p["order"], "shadow_grid": int(shadow),
                     "transport_substeps": B["substeps"], "scri_every": every,
                     "bondi_frame": "transported along scri+ from A = u_start, B = phi on the first "
                                    "cut (bondi-equations.md section 3.4); cuts u_B = u_start + k du"}
    if G > 0 and scalar:
        law_checks(B, C, G, checks, summary, cone_order(p["mu"]))
        summary["design_order"] = cone_order(p["mu"])
        _final_state_checks(B, C, p["mu"], G, checks, summary)
    if G == 0 or not scalar:
        vacuum_checks(B, C, checks, p["mu"])
    exact_checks(p, main, coarse, B, C, checks, summary)

    # --- written data: every scri_every-th dense Bondi cut -------------------------------------
    sel = np.arange(0, len(bf.time), every)
    cstep = np.unique(np.r_[np.arange(0, nsteps + 1, every), nsteps])
    code = bf.code
    extra = {f"code_frame/{k}": (code[k][cstep], _UNITS[k], _DESC[k])
             for k in CODE_NAMES}
    extra["code_frame/u"] = (main["u"][cstep], "length", "code retarded time (vertex proper time) of the samples")
    extra["code_frame/A"] = (code["A"][cstep], "length",
                             "Bondi time u_B = A(u, phi) of the code point (frame transport, A(u_start) = u_start)")
    extra["code_frame/B"] = (code["B_minus_phi"][cstep], "1",
                             "B(u, phi) - phi: periodic part of the Bondi angle phi_B = B(u, phi) (B(u_start) = phi)")
    extra["Nhat"] = (bf.Nhat[sel], "length", "Nhat = N - pi G d_phi(psi0^2) in the Bondi frame")
    extra["frame/u_code"] = (bf.u_code[sel], "length", "code time u of each Bondi grid point")
    extra["frame/phi_code"] = (bf.phi_code[sel], "rad", "code angle phi of each Bondi grid point")
    scri_plus = ScriData(name="scri_plus", time=bf.time[sel], phi=bf.phi,
                         mass_aspect=bf.mass_aspect[sel], angular_momentum_aspect=bf.angular_momentum_aspect[sel],
                         N=bf.N[sel], news=bf.news[sel], psi0=bf.psi0[sel], extra=extra)

    series = {"u": (main["series"]["u"], "length", "code retarded time (vertex proper time)")}
    for k, v in main["series"].items():
        if k != "u":
            series[k] = (v, "1", k.replace("_", " ") + " over the grid")
    if "charges" in B:
        series["u_bondi"] = (bf.time[sel], "length", "Bondi time of the written cuts")
        ch, bal, res = B["charges"], B["bal"], B["res"]
        units = dict(E="1/G", J="length/G", p_x="1/G", p_y="1/G", K_x="length/G", K_y="length/G")
        for k, un in units.items():
            series[k] = (ch[k][sel], un, f"charge {k} on the Bondi cut (conventions.md sections 3-4)")
        for k, un, d in (("dE_du", "1/(G length)", "energy flux -oint news^2"),
                         ("dJ_du", "1/G", "angular momentum flux +oint news psi0'"),
                         ("radiated_energy", "1/G", "int_{u_start}^{u_B} oint news^2"),
                         ("radiated_J", "length/G", "int_{u_start}^{u_B} (-dJ/du)"),
                         ("E_balance", "1/G", "E - E(u_start) + radiated energy"),
                         ("J_balance", "length/G", "J - J(u_start) + radiated J")):
            series[k] = (bal[k][sel], un, d)
        series["flux_residual_Theta"] = (np.max(np.abs(res["R_Theta"]), axis=1)[sel], "1/length",
                                         "max over phi of |d_u Theta + 16 pi G news^2|")
        series["flux_residual_Nhat"] = (np.max(np.abs(res["R_Nhat"]), axis=1)[sel], "1",
                                        "max over phi of |d_u Nhat - Theta'/2 + 8 pi G news psi0'|")
        series["max_du_Theta"] = (np.max(B["du_theta"], axis=1)[sel], "1/length",
                                  "max over phi of d_u Theta (<= 0 up to truncation)")

    fields = {}
    if main["snaps"] is not None:
        for k, v in main["snaps"].items():
            units = "length" if k in ("u", "Qbar") else "1"
            fields[k] = (v, units, f"bulk snapshot: {k} on (u, x, phi)" if k != "u" else "snapshot times")
        fields["x"] = (main["solver"].x, "1", "compactified radius x = r/(R+r)")
    summary["wall_time_s"] = time.time() - t_wall
    return RunData(scri_plus=scri_plus, series=series, checks=checks, fields=fields, summary=summary)
