"""The characteristic solver's facade: :class:`CharacteristicSolver` validates its input, owns the
operators and work arrays, and calls the allocation-free kernels.

Einstein + massless scalar in Bondi gauge on compactified cones u = const (x = r/(R+r)): the
hypersurface equations (C1)-(C4) and the wave equation (C5) of bondi-equations.md on every cone
(:mod:`.right_hand_side`), chi advanced with classical RK4 (:mod:`.timestepping`).

Accuracy: 4th order in x and u, spectral in phi (measured in tests/test_solver_*.py).

Strong fields (tests/test_solver_dealias.py): ``dealias=True`` runs the pointwise stage on a padded
phi grid (:mod:`.dealias`, alias-free products), and :meth:`CharacteristicSolver.evolve` substeps
when the angular Courant number max|U| (Nphi/2) dt exceeds :data:`.timestepping.COURANT_PHI`.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

from .dealias import PAD_FACTOR, PadWorkspace, resample_phi
from .layout import FIELD_NAMES, I_B, I_Q, I_U, I_W
from .operators import Operators
from .threaded import driver_kernel, kernels
from .timestepping import (CHUNK_STEPS, COURANT_PHI, MAX_SUBSTEPS, ST_BOUND, ST_NONFINITE, absmax,
                           first_nonfinite)
from .vertex import filter_slave
from .workspace import Workspace

#: default of CharacteristicSolver(dealias=...)
DEALIAS_DEFAULT = False


class SolverError(RuntimeError):
    """Raised when the evolution produces NaN/Inf (message names u, field and grid index)."""


def vertex_shift(nphi: int, angular_velocity: float = 0.0, acceleration=(0.0, 0.0)) -> np.ndarray:
    """U_c(phi) = omega + a1 sin(phi) - a2 cos(phi) (bondi-equations.md section 4; only |m| <= 1)."""
    phi = 2.0 * np.pi * np.arange(nphi) / nphi
    a1, a2 = acceleration
    return angular_velocity + a1 * np.sin(phi) - a2 * np.cos(phi)


class CharacteristicSolver:
    """Einstein + massless scalar in Bondi gauge on compactified cones (x = r/(R+r)).

    Parameters
    ----------
    nx, nphi : radial intervals (Nx+1 points, x = 1 is scri+) and phi points (even).
    R : compactification length.
    G : Newton constant (>= 0; G = 0 is a test field on Minkowski).
    uc : (nphi,) vertex value U_c(phi) of U (constant in u); default 0 (geodesic, non-rotating).
    filter : apply the exponential phi filter to chi_u (default True).
    order : radial finite-difference / quadrature order, 6 (default; RK4 stable for cfl <= 3.6)
        or 4 (cfl <= 4.4).
    cone_mu : conical parameter mu in (0, 1] of the vertex: calW(0) = -mu^2 (a static point
        particle, total angle 2 pi mu; Theta = -mu^2 in vacuum) and vertex regularity
        chi_m ~ x^{|m|/mu}; 1 (default) is a regular vertex.  A conical vertex moves
        geodesically, so uc must then be a constant (rotation of phi only).
    dealias : evaluate the right-hand side on a padded phi grid of ``pad_factor`` x Nphi points
        (:func:`rhs_pad`) and truncate back; removes the aliasing instability of strong fields
        (cost 2.1-2.7 x per step at pad_factor 2, 1.6-2.1 x at 1.5).  Default off (weak fields do
        not need it; see tests/test_solver_dealias.py for the measured thresholds).

    Strong fields also limit the time step through the angular advection U d_phi: :meth:`evolve`
    splits a step into RK4 substeps when max|U| (Nphi/2) dt > ``courant_limit`` (default
    :data:`COURANT_PHI`; None disables it), so dt = cfl R h stays the weak-field choice.
    """

    def __init__(self, nx: int, nphi: int, R: float, G: float = 0.0, uc=None, filter: bool = True,
                 order: int = 6, dealias: bool = DEALIAS_DEFAULT, pad_factor: float = PAD_FACTOR,
                 cone_mu: float = 1.0):
        if not (np.isfinite(G) and G >= 0):
            raise ValueError(f"G = {G}: must be a finite number >= 0")
        self.op = Operators(nx, nphi, R, order, cone_mu)
        self.cone_mu = float(cone_mu)
        self.ws = Workspace(nx, nphi)
        self.G = float(G)
        self.R = float(R)
        self.nx, self.nphi = int(nx), int(nphi)
        self.filter = bool(filter)
        #: use the threaded kernels (prange over x rows / independent solves) when numba runs more
        #: than one thread (numba.set_num_threads); off by default: compiled on first use (then
        #: loaded from numba's disk cache)
        self.threaded = False
        if uc is None:
            uc = np.zeros(nphi)
        uc = np.ascontiguousarray(uc, dtype=float)
        if uc.shape != (nphi,) or not np.all(np.isfinite(uc)):
            raise ValueError(f"uc: must be a finite array of shape ({nphi},), got {uc.shape}")
        if self.cone_mu != 1.0 and np.ptp(uc) > 0:
            raise ValueError("vertex.acceleration: a conical vertex (vertex.mu < 1) moves geodesically "
                             "(bondi-equations.md section 4); only a constant U_c (rotation) is allowed")
        self.uc = uc
        self.dealias = bool(dealias)
        #: angular Courant limit of :meth:`substeps` (None: never substep)
        self.courant_limit = COURANT_PHI
        self.padws = (PadWorkspace(nx, nphi, R, order, uc, pad_factor, cone_mu) if self.dealias else None)
        # scratch the driver needs besides the workspace, made once rather than at every rhs /
        # evolve call: the de-aliasing row buffers, and the one-row scri+ sample and series
        # buffers that an rhs call (the driver with no step) is handed
        self._pad_rows = ((np.zeros((1, self.padws.nphi // 2 + 1), dtype=complex),
                           np.zeros((1, self.nphi // 2 + 1), dtype=complex)) if self.dealias else ())
        self._rhs_samples = np.zeros((1, 6, self.nphi))
        self._rhs_series = np.zeros((1, 4))

    def _kargs(self):
        """Trailing kernel arguments (the padded workspace if de-aliasing)."""
        return (self.padws.pad,) if self.dealias else ()

    def sync_fields(self):
        """De-aliased mode: truncate the hypersurface fields b, q, U, calW of the last rhs call
        from the padded grid into ``ws.wk`` (no-op otherwise)."""
        if self.dealias:
            idx = [I_B, I_Q, I_U, I_W]
            self.ws.wk[idx] = resample_phi(self.padws.ws.wk[idx], self.nphi)

    @property
    def x(self) -> np.ndarray:
        return self.op.x

    @property
    def phi(self) -> np.ndarray:
        return self.op.phi

    # -- building blocks ----------------------------------------------------------------------
    def project(self, chi: np.ndarray) -> np.ndarray:
        """Return P chi (filter + regularity slaving); used on initial data."""
        out = np.ascontiguousarray(chi, dtype=float).copy()
        self._check_shape(out)
        filter_slave(out, self.ws.hat[0], self.op.ops[10], self.op.ops[11], self.op.ops[12],
                     self.op.ops[13], self.nphi, self.filter)
        return out

    def rhs(self, chi: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """chi_u on the cone of ``chi``; the hypersurface fields are left in the workspace."""
        chi = np.ascontiguousarray(chi, dtype=float)
        self._check_shape(chi)
        if out is None:
            out = np.empty_like(chi)
        # the driver with no step and need_k1 (out = rhs(chi)): the same compiled kernel as a run's
        # (a run then compiles no stand-alone right-hand side; solvers/_jit.py)
        drive, ka = self._driver()
        ws = self.ws
        drive(chi, out, 0, False, 0.0, math.inf, math.inf, self._rhs_samples, self._rhs_series,
              False, self.uc, self.G, self.R, self.nphi, self.filter, self.op.ops, ws.wk, ws.hat,
              ws.k[1], ws.k[2], ws.k[3], ws.tmp, True, *ka)
        self.sync_fields()
        return out

    def fields(self) -> dict[str, np.ndarray]:
        """Copies of the hypersurface fields of the last :meth:`rhs` call (physical variables)."""
        wk = self.ws.wk
        x = self.x[:, None]
        return {
            "beta": x**2 * wk[I_B],
            "Qbar": x**3 * wk[I_Q],
            "U": wk[I_U].copy(),
            "calW": wk[I_W].copy(),
            "b": wk[I_B].copy(),
            "q": wk[I_Q].copy(),
        }

    def _driver(self):
        """The multi-step driver (:func:`.timestepping.evolve_steps`, or ``evolve_steps_pad`` if
        de-aliasing) and its trailing arguments after ``need_k1`` (the padded workspace and two
        row buffers if de-aliasing, else none)."""
        return driver_kernel(self.threaded, self.dealias), self._kargs() + self._pad_rows

    def _check_shape(self, a):
        if a.shape != (self.nx + 1, self.nphi):
            raise ValueError(f"chi has shape {a.shape}, expected ({self.nx + 1}, {self.nphi})")

    # -- time loop ----------------------------------------------------------------------------
    def evolve(self, chi0: np.ndarray, u0: float, u_end: float, nsteps: int,
               on_output: Callable | None = None, output_every: int = 1,
               progress: Callable | None = None, progress_every: int = 100,
               project_initial: bool = True, start_step: int = 0,
               on_scri: Callable | None = None, scri_series: bool = False,
               chi_bound: float | None = None, chunk: int = CHUNK_STEPS,
               stepwise: bool = False) -> np.ndarray:
        """RK4 from u0 to u_end in ``nsteps`` equal steps; returns the final chi.

        ``start_step`` > 0 resumes the same (u0, u_end, nsteps) run at step ``start_step``: ``chi0``
        is then the state at u0 + start_step dt (taken as is, not projected), and dt and every u are
        bit-identical to those of the uninterrupted run (checkpoint restart).

        ``on_output(step, u, chi, chi_u, solver)`` is called at steps 0, output_every, ... and at
        the last step, with the hypersurface fields of (u, chi) in the workspace (they are the
        first RK stage, so output costs nothing extra except at the final time).
        ``progress(step, nsteps, u)`` every ``progress_every`` steps.
        Raises :class:`SolverError` naming u, field and grid index if anything becomes non-finite.

        The steps between two callbacks run inside one nopython call (:func:`evolve_steps`, at
        most ``chunk`` steps each), so a run whose callbacks are rare makes no per-step Python
        calls and no per-step allocations.  ``on_scri(step0, u, samples, series)`` receives the
        scri+ samples of every step: ``samples`` (k, 6, Nphi) are the x = 1 rows of chi, chi_u,
        beta, U, calW, Qbar (:data:`SAMPLE_NAMES`) of steps step0 .. step0+k-1 at the times ``u``
        (k,) (bit-identical to ``chi[-1]``, ``chi_u[-1]`` and ``fields()[...][-1]`` in on_output);
        ``series`` is None, or with ``scri_series`` (not with dealias) (k, 4): max|chi|,
        max|beta|, max|U - U_c|, max|calW + 1| of each step (:data:`SERIES_NAMES`, equal to
        np.abs(...).max() of chi and of fields()).  Both are views of reused buffers (copy what
        you keep).  Every sample of a step < s has been delivered before ``on_output(s, ...)`` is
        called, the sample of step s after it.
        ``chi_bound``: stop at the first step whose max|chi| exceeds it (or is not finite):
        ``on_output`` is then called for that step whatever its cadence (so it can raise its own
        error), and if it returns, :class:`SolverError` is raised.
        ``stepwise``: run the reference loop (one Python iteration and kernel calls per step, the
        implementation before issue #12; neither on_scri nor chi_bound); results are identical.
        """
        if int(nsteps) != nsteps or nsteps < 1:
            raise ValueError(f"nsteps = {nsteps}: must be an integer >= 1")
        if output_every < 1:
            raise ValueError(f"output_every = {output_every}: must be >= 1")
        if int(start_step) != start_step or not 0 <= start_step <= nsteps:
            raise ValueError(f"start_step = {start_step}: must be an integer in [0, nsteps]")
        if int(chunk) != chunk or chunk < 1:
            raise ValueError(f"chunk = {chunk}: must be an integer >= 1")
        if stepwise and (on_scri is not None or chi_bound is not None):
            raise ValueError("stepwise=True supports neither on_scri nor chi_bound")
        if scri_series and self.dealias:
            raise ValueError("scri_series: the grid series need the truncated fields; not with dealias")
        nsteps, start_step, chunk = int(nsteps), int(start_step), int(chunk)
        dt = (u_end - u0) / nsteps
        if start_step:
            project_initial = False
        chi = self.project(chi0) if project_initial else np.ascontiguousarray(chi0, float).copy()
        self._check_shape(chi)
        self._check_finite(chi, u0 + start_step * dt, "chi (initial data)")
        if stepwise:
            return self._evolve_stepwise(chi, u0, dt, nsteps, on_output, output_every, progress,
                                         progress_every, start_step)
        ws, op = self.ws, self.op
        k1, k2, k3, k4 = ws.k
        drive, ka = self._driver()
        climit = math.inf if self.courant_limit is None else float(self.courant_limit)
        bound = math.inf if chi_bound is None else float(chi_bound)
        if not bound >= 0:
            raise ValueError(f"chi_bound = {chi_bound}: must be a number >= 0")
        kmax = min(chunk, nsteps - start_step) + 1
        samples = np.zeros((kmax, 6, self.nphi))
        series = np.zeros((kmax, 4))
        want_series = bool(scri_series and on_scri is not None)
        # need_k1: the driver computes k1 = rhs(chi) of the initial state itself (its first call),
        # so a run compiles no right-hand side outside the driver (solvers/_jit.py)
        args = (series, want_series, self.uc, self.G, self.R, self.nphi, self.filter, op.ops, ws.wk,
                ws.hat, k2, k3, k4, ws.tmp)

        def deliver(step0, cnt):
            if on_scri is not None and cnt > 0:
                on_scri(step0, u0 + np.arange(step0, step0 + cnt) * dt, samples[:cnt],
                        series[:cnt] if want_series else None)

        # k1 = rhs(chi) of the initial state and its hypersurface fields (for on_output)
        drive(chi, k1, 0, False, dt, climit, bound, samples, *args, True, *ka)
        s = start_step
        while True:
            out_here = on_output is not None and (s % output_every == 0 or s == nsteps)
            if out_here and s < nsteps:
                self.sync_fields()
                on_output(s, u0 + s * dt, chi, k1, self)
            b = min(nsteps, s + chunk)
            if on_output is not None:
                b = min(b, (s // output_every + 1) * output_every)
            if progress is not None:
                b = min(b, (s // progress_every + 1) * progress_every)
            final = b == nsteps
            cnt, status = drive(chi, k1, b - s, final, dt, climit, bound, samples, *args, False, *ka)
            if status == ST_NONFINITE:
                deliver(s, cnt)
                self._diagnose(u0 + (s + cnt - 1) * dt + dt)
            if status == ST_BOUND:
                t = s + cnt
                deliver(s, cnt)
                if on_output is not None and not (t == s and out_here and s < nsteps):
                    self.sync_fields()
                    on_output(t, u0 + t * dt, chi, k1, self)
                self._raise_bound(chi, bound, u0 + t * dt)
            deliver(s, b - s)
            if progress is not None and b > s and b % progress_every == 0:
                progress(b, nsteps, u0 + (b - 1) * dt + dt)
            if final:
                if on_output is not None:
                    self.sync_fields()
                    on_output(nsteps, u0 + nsteps * dt, chi, k1, self)
                if on_scri is not None:
                    on_scri(nsteps, np.array([u0 + nsteps * dt]), samples[b - s:b - s + 1],
                            series[b - s:b - s + 1] if want_series else None)
                return chi
            s = b

    def _raise_bound(self, chi, bound, u):
        a = np.abs(chi)
        i = int(np.argmax(a)) if np.all(np.isfinite(a)) else int(np.argmax(~np.isfinite(a)))
        j, k = divmod(i, self.nphi)
        raise SolverError(
            f"max |chi| = {float(np.max(a)):.3g} exceeds chi_bound = {bound:.3g} at u = {u:.6g}, "
            f"grid index (j={j}, k={k}) (x = {self.x[j]:.4g}, phi = {self.phi[k]:.4g})")

    def _evolve_stepwise(self, chi, u0, dt, nsteps, on_output, output_every, progress,
                         progress_every, start_step):
        """The per-step reference loop of :meth:`evolve` (``stepwise=True``)."""
        ws, op = self.ws, self.op
        k1, k2, k3, k4 = ws.k
        rhs_k, rk4_k = kernels(self.threaded, self.dealias)
        ka = self._kargs()
        for step in range(int(start_step), nsteps + 1):
            u = u0 + step * dt
            rhs_k(chi, self.uc, self.G, self.R, self.nphi, self.filter, op.ops, ws.wk, ws.hat, k1,
                  *ka)
            if on_output is not None and (step % output_every == 0 or step == nsteps):
                self.sync_fields()
                on_output(step, u, chi, k1, self)
            if step == nsteps:
                break
            nsub = self.substeps(dt)
            bad = rk4_k(chi, k1, dt / nsub, self.uc, self.G, self.R, self.nphi, self.filter,
                        op.ops, ws.wk, ws.hat, k2, k3, k4, ws.tmp, *ka)
            for _ in range(nsub - 1):
                if bad:
                    break
                rhs_k(chi, self.uc, self.G, self.R, self.nphi, self.filter, op.ops, ws.wk, ws.hat,
                      k1, *ka)
                bad = rk4_k(chi, k1, dt / nsub, self.uc, self.G, self.R, self.nphi, self.filter,
                            op.ops, ws.wk, ws.hat, k2, k3, k4, ws.tmp, *ka)
            if bad:
                self._diagnose(u + dt)
            if progress is not None and (step + 1) % progress_every == 0:
                progress(step + 1, nsteps, u + dt)
        return chi

    def courant_phi(self, dt: float) -> float:
        """Angular Courant number max|U| (Nphi/2) dt of the last rhs call (its hypersurface U)."""
        wk = self.padws.ws.wk if self.dealias else self.ws.wk
        return absmax(wk[I_U]) * (self.nphi // 2) * abs(dt)

    def substeps(self, dt: float) -> int:
        """RK4 substeps for a step dt from the state of the last rhs call: 1 unless the angular
        Courant number exceeds :data:`COURANT_PHI` (strong fields: |U| ~ 10), then enough that each
        substep has courant_phi <= COURANT_PHI (capped at :data:`MAX_SUBSTEPS`)."""
        if self.courant_limit is None:
            return 1
        c = self.courant_phi(dt)
        if not c > self.courant_limit:  # also for NaN: left to the non-finite detector
            return 1
        return int(min(MAX_SUBSTEPS, math.ceil(c / self.courant_limit)))

    def _check_finite(self, a, u, name):
        i = first_nonfinite(a)
        if i >= 0:
            j, k = divmod(int(i), self.nphi)
            raise SolverError(
                f"non-finite {name} at u = {u:.6g}, grid index (j={j}, k={k}) "
                f"(x = {self.x[j]:.4g}, phi = {self.phi[k]:.4g})")

    def _diagnose(self, u):
        self.sync_fields()
        wk = self.ws.wk
        for idx in (I_B, I_Q, I_U, I_W):
            self._check_finite(wk[idx], u, FIELD_NAMES[idx])
        for s, k in enumerate(self.ws.k):
            self._check_finite(k, u, f"chi_u (RK stage {s + 1})")
        self._check_finite(self.ws.tmp, u, "chi (RK stage value)")
        raise SolverError(f"non-finite chi at u = {u:.6g}")
