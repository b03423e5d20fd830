"""Time stepping: classical RK4 with angular-Courant substeps, and the multi-step driver.

chi is advanced with classical RK4, dt = cfl R h (h = 1/Nx); the state is chi alone (restart
needs only chi and u).  A step whose angular Courant number max|U| (Nphi/2) dt exceeds
:data:`COURANT_PHI` is split into RK4 substeps (strong fields).  :func:`evolve_steps` runs K steps
in one nopython call, sampling scri+ (:mod:`.scri`) at every step, without allocating.
"""
from __future__ import annotations

import math

from numba import prange

from .._jit import jit
from .dealias import rhs_pad
from .layout import I_TMP, I_U, chunk_start, nchunks
from .right_hand_side import rhs, rhs_body
from .scri import grid_series, scri_sample, scri_sample_pad

#: angular Courant number max|U| (Nphi/2) dt above which evolve splits a step into RK4 substeps
#: (the pseudo-spectral U d_phi advection is stable for RK4 up to about 2-2.5, measured)
COURANT_PHI = 1.5
MAX_SUBSTEPS = 64

#: default number of steps per :func:`evolve_steps` call of :meth:`CharacteristicSolver.evolve`
CHUNK_STEPS = 256
#: statuses returned by :func:`evolve_steps`
ST_OK, ST_NONFINITE, ST_BOUND = 0, 1, 2


@jit
def _axpy(out, a, x, y):
    """out = a x + y."""
    n, m = out.shape
    for j in prange(n):
        for p in range(m):
            out[j, p] = y[j, p] + a * x[j, p]


@jit
def _rk4_update(chi, k1, k2, k3, k4, dt, flags):
    """chi += dt/6 (k1 + 2 k2 + 2 k3 + k4); returns True if anything became non-finite.

    Row chunks (threads in the threaded kernels) count their non-finite entries into
    ``flags[ic]`` (a scratch row: wk[I_TMP, 0]) -- not a prange reduction, whose per-thread
    array numba allocates at every call."""
    n, m = chi.shape
    s = dt / 6.0
    nr = nchunks(n)
    for ic in prange(nr):
        j0 = chunk_start(ic, nr, n, 1)
        j1 = chunk_start(ic + 1, nr, n, 1)
        nbad = 0
        for j in range(j0, j1):
            for p in range(m):
                v = chi[j, p] + s * (k1[j, p] + 2.0 * k2[j, p] + 2.0 * k3[j, p] + k4[j, p])
                chi[j, p] = v
                if not math.isfinite(v):
                    nbad += 1
        flags[ic] = nbad
    bad = False
    for ic in range(nr):
        if flags[ic] != 0.0:
            bad = True
    return bad


@jit
def rk4_finish_pad(chi, k1, dt, uc, G, R, nphi, do_filter, ops, wk, hat, k2, k3, k4, tmp, pad):
    """:func:`rk4_finish` with the de-aliased right-hand side :func:`rhs_pad`."""
    _axpy(tmp, 0.5 * dt, k1, chi)
    rhs_pad(tmp, uc, G, R, nphi, do_filter, ops, wk, hat, k2, pad)
    _axpy(tmp, 0.5 * dt, k2, chi)
    rhs_pad(tmp, uc, G, R, nphi, do_filter, ops, wk, hat, k3, pad)
    _axpy(tmp, dt, k3, chi)
    rhs_pad(tmp, uc, G, R, nphi, do_filter, ops, wk, hat, k4, pad)
    return _rk4_update(chi, k1, k2, k3, k4, dt, wk[I_TMP, 0])


@jit
def rk4_finish(chi, k1, dt, uc, G, R, nphi, do_filter, ops, wk, hat, k2, k3, k4, tmp):
    """Given k1 = rhs(chi), do RK4 stages 2-4 and update chi in place (classical RK4).

    The step of the per-step reference loop (``evolve(stepwise=True)``); :func:`evolve_steps`
    does the same operations in the same order with one right-hand-side call site."""
    n, m = chi.shape
    h2 = 0.5 * dt
    for j in prange(n):
        for p in range(m):
            tmp[j, p] = chi[j, p] + h2 * k1[j, p]
    rhs(tmp, uc, G, R, nphi, do_filter, ops, wk, hat, k2)
    for j in prange(n):
        for p in range(m):
            tmp[j, p] = chi[j, p] + h2 * k2[j, p]
    rhs(tmp, uc, G, R, nphi, do_filter, ops, wk, hat, k3)
    for j in prange(n):
        for p in range(m):
            tmp[j, p] = chi[j, p] + dt * k3[j, p]
    rhs(tmp, uc, G, R, nphi, do_filter, ops, wk, hat, k4)
    return _rk4_update(chi, k1, k2, k3, k4, dt, wk[I_TMP, 0])


@jit
def absmax(a):
    """max |a| of a 2D array (NaN propagates)."""
    n, m = a.shape
    r = 0.0
    for j in range(n):
        for p in range(m):
            v = abs(a[j, p])
            if not v <= r:
                r = v
    return r


@jit
def first_nonfinite(a):
    """Flat index of the first non-finite entry of a 2D array, or -1."""
    n, m = a.shape
    for j in range(n):
        for p in range(m):
            if not math.isfinite(a[j, p]):
                return j * m + p
    return -1


@jit
def _substeps(U, half, dt, climit):
    """RK4 substeps of a step dt (CharacteristicSolver.substeps): 1 unless the angular Courant
    number max|U| (Nphi/2) |dt| exceeds ``climit`` (math.inf: never)."""
    c = absmax(U) * half * abs(dt)
    if not c > climit:
        return 1
    if not c < math.inf:
        return MAX_SUBSTEPS
    return min(MAX_SUBSTEPS, math.ceil(c / climit))


@jit
def _over_bound(chi, bound):
    """True if some |chi| > bound or is not finite (``bound`` = inf: only non-finite)."""
    n, m = chi.shape
    for j in range(n):
        for p in range(m):
            if not abs(chi[j, p]) <= bound:
                return True
    return False


# ------------------------------------------------------------------------------------------------
# multi-step driver: K RK4 steps in one nopython call (issue #12: no per-step NRT allocations)
# ------------------------------------------------------------------------------------------------

@jit
def evolve_steps(chi, k1, nadv, final, dt, climit, bound, samples, series, want_series, uc, G, R,
                 nphi, do_filter, ops, wk, hat, k2, k3, k4, tmp, need_k1):
    """``nadv`` RK4 steps of size dt (each split into :func:`_substeps` substeps) in one call, recording
    the scri+ sample (:func:`scri_sample`) of every step in ``samples[i]``.

    On entry k1 = rhs(chi) with its hypersurface fields in ``wk``, or, if ``need_k1``, it is
    computed first; on a normal exit the same holds for the new chi (``nadv`` = 0, ``final`` False,
    ``need_k1``: only k1 = rhs(chi), what :meth:`CharacteristicSolver.rhs` uses).  ``final``: also
    record the sample of the state reached (the last step of the run), without advancing.  Per
    step i: if max|chi| > ``bound`` (or is not finite) stop with status ST_BOUND before recording
    it; record; advance; stop with ST_NONFINITE if the RK4 update became non-finite (the workspace
    is left as it failed, for the diagnosis); rhs of the new chi.  Returns (samples recorded,
    status).  No allocation: the whole loop is nopython.

    The right-hand side (:func:`rhs_body`, inlined) is called at one site: each pass of the loop
    prepares one evaluation -- the RK4 stage values chi + (h/2) k1, chi + (h/2) k2, chi + h k3
    (:func:`_axpy`, as rk4_finish), or after the update (:func:`_rk4_update`) the new chi for k1
    -- and then evaluates it; ``c`` counts the evaluations of the current step (4 per substep; the
    k1 of its first substep is the previous step's last).  Same operations in the same order as
    :func:`rk4_finish`: bit-identical to the per-step loop.
    """
    i = nadv - nadv  # int64 (not Literal[int](0), see solvers/_jit.py)
    c = i
    nsub = i + 1
    h = dt
    pending = need_k1
    while True:
        if pending:
            pending = False
            src = chi
            dst = k1
        else:
            if c == 0:
                # state of step i: chi, k1 = rhs(chi) and its hypersurface fields in wk
                if i == nadv and not final:
                    return nadv, ST_OK
                if bound < math.inf:
                    if _over_bound(chi, bound):
                        return i, ST_BOUND
                scri_sample(chi, k1, wk, samples[i])
                if want_series:
                    grid_series(chi, wk, ops[0], uc, series[i])
                if i == nadv:
                    return nadv + 1, ST_OK
                nsub = _substeps(wk[I_U], nphi // 2, dt, climit)
                h = dt / nsub
            c += 1
            st = c % 4
            src = tmp
            if st == 1:
                _axpy(tmp, 0.5 * h, k1, chi)
                dst = k2
            elif st == 2:
                _axpy(tmp, 0.5 * h, k2, chi)
                dst = k3
            elif st == 3:
                _axpy(tmp, h, k3, chi)
                dst = k4
            else:
                if _rk4_update(chi, k1, k2, k3, k4, h, wk[I_TMP, 0]):
                    return i + 1, ST_NONFINITE
                src = chi
                dst = k1
                if c == 4 * nsub:
                    c = 0
                    i += 1
        rhs_body(src, uc, G, R, nphi, do_filter, ops, wk, hat, dst)


@jit
def evolve_steps_pad(chi, k1, nadv, final, dt, climit, bound, samples, series, want_series, uc, G,
                     R, nphi, do_filter, ops, wk, hat, k2, k3, k4, tmp, need_k1, pad, ghat, hrow):
    """:func:`evolve_steps` with the de-aliased right-hand side (:func:`rhs_pad`); the samples'
    hypersurface rows are truncated from the padded grid (:func:`scri_sample_pad`); no grid
    series (``series``, ``want_series`` unused: they would need the whole truncated fields)."""
    pwk = pad[2]
    axes = ops[13]
    if need_k1:
        rhs_pad(chi, uc, G, R, nphi, do_filter, ops, wk, hat, k1, pad)
    for i in range(nadv + 1):
        if i == nadv and not final:
            break
        if bound < math.inf:
            if _over_bound(chi, bound):
                return i, ST_BOUND
        scri_sample_pad(chi, k1, pwk, samples[i], nphi, axes, ghat, hrow)
        if i == nadv:
            break
        nsub = _substeps(pwk[I_U], nphi // 2, dt, climit)
        h = dt / nsub
        bad = rk4_finish_pad(chi, k1, h, uc, G, R, nphi, do_filter, ops, wk, hat, k2, k3, k4, tmp,
                             pad)
        for _ in range(nsub - 1):
            if bad:
                break
            rhs_pad(chi, uc, G, R, nphi, do_filter, ops, wk, hat, k1, pad)
            bad = rk4_finish_pad(chi, k1, h, uc, G, R, nphi, do_filter, ops, wk, hat, k2, k3, k4,
                                 tmp, pad)
        if bad:
            return i + 1, ST_NONFINITE
        rhs_pad(chi, uc, G, R, nphi, do_filter, ops, wk, hat, k1, pad)
    return nadv + (1 if final else 0), ST_OK
