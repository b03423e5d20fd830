"""One characteristic evolution (:func:`evolve`): the solver, the first-cone data, the code-frame
scri+ samples at every step, grid series and bulk snapshots (:class:`Buffers`), the norm bound of
the instability detector; :func:`step_count` (the steps of a main + shadow-grid pair)."""
from __future__ import annotations

import math

import numpy as np

from asymflat import runtime
from asymflat.pipeline.characteristic_input import first_cone_data
from solvers.characteristic import SAMPLE_NAMES, SERIES_NAMES, CharacteristicSolver, SolverError, vertex_shift


#: minimum number of time steps: 7-point time derivatives and 6-point interpolation in u
MIN_STEPS = 8
CODE_NAMES = ("psi0", "news", "beta0", "U0", "calW", "Qbar")

CODE_UNITS = {"psi0": "length^0 G^-1/2", "news": "length^-1/2 G^-1/2", "beta0": "1", "U0": "length^-1",
              "calW": "1", "Qbar": "length"}
CODE_DESC = {
    "psi0": "chi(x=1) = lim sqrt(r) psi, code (vertex) frame",
    "news": "chi_u(x=1) = d_u psi0 at fixed code phi",
    "beta0": "beta(x=1) (beta = 0 at the vertex)",
    "U0": "U(x=1)",
    "calW": "calW = V/r + 2 r U_phi at x = 1",
    "Qbar": "Qbar = r^3 e^{-2 beta} U_r + 2 r beta_phi at x = 1",
}

#: the run stops when max |chi| exceeds CHI_BOUND_FACTOR x max(1, max |chi| on the first cone)
#: (a norm bound of the instability detector, next to the solver's NaN/Inf check)
CHI_BOUND_FACTOR = 1.0e3
_SNAP_ORDER = ("u", "chi", "beta", "Qbar", "U", "calW")


class Buffers:
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
    def from_state(cls, prefix: str, state: dict) -> "Buffers":
        b = cls()
        b.times = runtime.unstack(state[f"{prefix}.times"])
        b.scri.update(runtime.unpack(f"{prefix}.scri", state))
        b.series.update(runtime.unpack(f"{prefix}.series", state))
        snaps = runtime.unpack(f"{prefix}.snaps", state)
        b.snaps = {k: snaps[k] for k in _SNAP_ORDER if k in snaps} or {"u": []}
        return b


def make_solver(p: dict, nx: int) -> CharacteristicSolver:
    uc = vertex_shift(p["nphi"], p["omega"], p["acc"])
    return CharacteristicSolver(nx, p["nphi"], p["R"], p["G"], uc=uc, filter=p["filter"], order=p["order"],
                                cone_mu=p.get("mu", 1.0))


def evolution_result(p: dict, solver, nsteps: int, buf: Buffers, fields_every: int) -> dict:
    u = p["u0"] + (p["u1"] - p["u0"]) / nsteps * np.arange(nsteps + 1)   # exactly uniform
    return dict(solver=solver, u=u, scri={k: np.array(v) for k, v in buf.scri.items()},
                series={k: np.array(v) for k, v in buf.series.items()},
                snaps={k: np.array(v) for k, v in buf.snaps.items()} if fields_every else None,
                buffers=buf)


def evolve(p: dict, nx: int, nsteps: int, series_every: int, fields_every: int, progress=None,
            *, hook=None, resume=None, output_every: int = 16):
    """Evolve; code-frame scri+ samples at every step, grid series / snapshots at their cadence.

    ``hook(step, chi, buffers)`` runs first in every step's output callback (after the norm check;
    checkpoints and stop requests, see :func:`evolve_with_checkpoints`); ``resume = (step, chi, buffers)``
    continues an interrupted evolution at ``step`` with the dt and steps of the uninterrupted one.
    A :class:`SolverError` (NaN/Inf, or max |chi| beyond the bound, CHI_BOUND_FACTOR) carries the
    buffers so far as ``exc.buffers``.
    """
    solver = make_solver(p, nx)
    chi0 = first_cone_data(solver.x, solver.phi, p)
    bound = CHI_BOUND_FACTOR * max(1.0, float(np.max(np.abs(chi0))))
    start, buf = 0, Buffers()
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
    return evolution_result(p, solver, nsteps, buf, fields_every)


def callback_every(fields_every: int, sess) -> int:
    """Steps between the solver's full-field callbacks (snapshots, checkpoints, stop requests);
    the steps in between run inside one nopython call of the solver."""
    g = math.gcd(int(fields_every), int(sess.every_steps) if sess.periodic else 0)
    return g if g > 0 else 16


def progress_fraction(progress, start: float, weight: float):
    """Adapt ``progress(fraction)`` (asymflat.api) to the solver's ``progress(step, nsteps, u)``."""
    if progress is None:
        return None
    return lambda step, n, u: progress(start + weight * step / n)


def step_count(L: float, nx: int, cfl: float, R: float, shadow: bool) -> int:
    """Time steps of a run of length L on nx intervals, du = cfl R h rounded down so that the steps
    end exactly on u_end; with a shadow grid (nx/2 intervals, twice the step) an even number of at
    least 2 MIN_STEPS, every other step shared."""
    if shadow:
        return 2 * max(MIN_STEPS, math.ceil(L * (nx // 2) / (cfl * R) - 1e-9))
    return max(MIN_STEPS, math.ceil(L * nx / (cfl * R) - 1e-9))


def has_shadow(p: dict) -> bool:
    """Whether the run gets a half-resolution shadow grid: asked for, nx even and nx/2 >= 16."""
    return p["shadow"] and p["nx"] % 2 == 0 and p["nx"] // 2 >= 16
