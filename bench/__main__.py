"""``python -m bench`` (make bench): every benchmark figure of the characteristic solver.

``python -m bench`` runs the suite ``--repeat`` times (default 3), each run in a fresh interpreter
(:mod:`bench.repeat`), and writes bench/report.json with each figure's values of the runs, their
min / median / max and the verdict (a target holds only if it holds in every run);
``python -m bench --single OUT.json`` is one run (what each repeat does), ``--only a,b`` restricts
it to some sections.  Each figure is printed with its target and verdict.  Timings are noisy on a
shared 2-core machine: every comparison is a ratio of two rates measured in the same process, each
the best (minimum time) of a few repeats; the throughput figures are medians over interleaved
rounds (1 and 2 threads alternating, each ratio formed within a round) with their range in the
note.  No test depends on timings.
"""
from __future__ import annotations

import os

# threads that wait for work sleep instead of spinning (the machine is shared; spinning OpenMP
# threads under oversubscription make parallel regions pathologically slow)
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import json  # noqa: E402
import math  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numba  # noqa: E402
import numpy as np  # noqa: E402
from rocket_fft import c2r, r2c  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from asymflat.exact.pulses import pulse_chi, pulse_psi0  # noqa: E402
from bench import breakdown  # noqa: E402
from bench.reference_numpy import ReferenceStep, random_regular_chi  # noqa: E402
from solvers.characteristic import layout, rings, right_hand_side, timestepping, workspace  # noqa: E402
from solvers.characteristic import CharacteristicSolver, SAMPLE_NAMES, vertex_shift  # noqa: E402

OFF = [dict(amplitude=1.0, a=1.0, t0=0.0, x0=0.5, y0=0.0)]
G_ON = 0.05
CFL = 3.5
FIG: dict[str, dict] = {}


def fig(name, value, target=None, ok=None, unit="", note=""):
    ok = None if ok is None else bool(ok)  # numpy booleans would reach JSON as 1.0
    FIG[name] = dict(value=value, target=target, **{"pass": ok}, unit=unit, note=note)
    v = f"{value:.4g}" if isinstance(value, float) else str(value)
    verdict = "" if ok is None else ("PASS" if ok else "FAIL")
    print(f"  {name:<44s} {v:>12s} {unit:<10s} target {str(target):<16s} {verdict}", flush=True)


def best_time(fn, reps=5, inner=1):
    fn()
    best = float("inf")
    for _ in range(reps):
        t = time.perf_counter()
        for _ in range(inner):
            fn()
        best = min(best, (time.perf_counter() - t) / inner)
    return best


def make_solver(nx, nphi, G, u0=-1.0):
    s = CharacteristicSolver(nx, nphi, 1.0, G=G)
    chi = s.project(pulse_chi(u0, s.x[:, None], s.phi[None, :], 1.0, OFF))
    return s, chi


def step_runner(s, chi, nsteps=4):
    """A callable doing ``nsteps`` RK4 steps with extraction of the scri+ values at every step
    (evolve's ``on_scri``: the steps run in one nopython call, as in asymflat's characteristic
    kind)."""
    dt = CFL * s.R / s.nx
    sink = []

    def on_scri(step0, u, samples, series):
        sink.append(dict(zip(SAMPLE_NAMES, samples.transpose(1, 0, 2).copy())))
        if len(sink) > 8:
            sink.clear()

    def run():
        s.evolve(chi, 0.0, nsteps * dt, nsteps, on_scri=on_scri, project_initial=False)

    return run, nsteps


def time_per_step(s, chi, reps=5, nsteps=4):
    run, n = step_runner(s, chi, nsteps)
    return best_time(run, reps) / n  # (n steps + one final rhs: 4n + 1 rhs calls)


# ------------------------------------------------------------------------------------------------
# floors: the step's phi transforms alone; a 5-point stencil
# ------------------------------------------------------------------------------------------------


@numba.njit(cache=True)
def _fft_only(a, hat, axes, nphi, nfwd, ninv, nrhs, nthreads):
    """nrhs x (nfwd r2c + ninv c2r) of shape a: the transforms of nrhs rhs calls, nothing else."""
    for _ in range(nrhs):
        for _ in range(nfwd):
            r2c(a, hat, axes, True, 1.0, nthreads)
        for _ in range(ninv):
            c2r(hat, a, axes, False, 1.0 / nphi, nthreads)


@numba.njit(cache=True)
def _stencil5(f, out, nrep):
    """out = 5-point (4th-order) second difference along x, nrep times."""
    n, m = f.shape
    for _ in range(nrep):
        for j in range(2, n - 2):
            for p in range(m):
                out[j, p] = (-f[j - 2, p] + 16.0 * f[j - 1, p] - 30.0 * f[j, p]
                             + 16.0 * f[j + 1, p] - f[j + 2, p]) * (1.0 / 12.0)


@numba.njit(parallel=True, cache=True)
def _stencil5_par(f, out, nrep):
    n, m = f.shape
    for _ in range(nrep):
        for j in numba.prange(2, n - 2):
            for p in range(m):
                out[j, p] = (-f[j - 2, p] + 16.0 * f[j - 1, p] - 30.0 * f[j, p]
                             + 16.0 * f[j + 1, p] - f[j + 2, p]) * (1.0 / 12.0)


@numba.njit(parallel=True, cache=True)
def _horner_par(a, out, nrep):
    """out = a degree-13 Horner polynomial of a, nrep times, rows in prange: compute-bound (a few
    registers per element, no memory traffic beyond one read and one write), the machine's own
    two-thread ceiling for the solver's kind of arithmetic (timed with 1 and with 2 numba threads)."""
    n, m = a.shape
    for _ in range(nrep):
        for j in numba.prange(n):
            for p in range(m):
                r = a[j, p]
                q = 1.0 / 6227020800.0
                for _k in range(13):
                    q = q * r + 0.5
                out[j, p] = q


#: rounds of the throughput measurement; in each round the 1- and 2-thread timings (and the
#: floors) are taken one after the other, so that ratios are formed within a round
ROUNDS = 11


def _spread(v):
    v = np.asarray(v, dtype=float)
    return f"median of {len(v)} interleaved rounds, range {v.min():.3g}-{v.max():.3g}"


#: targets of issue 22 (ratios measured in one process)
RHS_OVER_PAIR_MAX = 8.0
SPEEDUP_MIN = {"513x256": 1.7, "257x128": 1.5}


def throughput():
    print("throughput (grid points x rhs evaluations per second; G = %g, RK4 = 4 rhs/step)" % G_ON,
          flush=True)
    out = {}
    for nx, nphi in ((256, 128), (512, 256)):
        n = nx + 1
        pts = n * nphi
        tag = f"{n}x{nphi}"
        s, chi = make_solver(nx, nphi, G_ON)
        s0, chi0 = make_solver(nx, nphi, 0.0)
        a = np.random.default_rng(0).standard_normal((n, nphi))
        hat = np.zeros((n, nphi // 2 + 1), dtype=complex)
        axes = np.array([1], dtype=np.int64)
        nf, ni = right_hand_side.FFTS_PER_RHS[True]
        f5 = np.random.default_rng(1).standard_normal((n, nphi))
        o5 = np.zeros_like(f5)
        nsteps = 4
        m = {nt: dict(ts=[], t0s=[], tf=[], tp=[], t5=[], th=[]) for nt in (1, 2)}
        for nt in (1, 2):  # compile / load and warm up both variants first
            numba.set_num_threads(nt)
            s.threaded = s0.threaded = nt > 1
            time_per_step(s, chi, reps=1)
            time_per_step(s0, chi0, reps=1)
        for _ in range(ROUNDS):
            for nt in (1, 2):
                numba.set_num_threads(nt)
                s.threaded = s0.threaded = nt > 1  # serial kernels on 1 thread, threaded ones on 2
                r = m[nt]
                r["ts"].append(time_per_step(s, chi, reps=3, nsteps=nsteps))
                r["t0s"].append(time_per_step(s0, chi0, reps=2, nsteps=nsteps))
                r["tf"].append(best_time(lambda: _fft_only(a, hat, axes, nphi, nf, ni, 4, nt), reps=3) / 4)
                # the fixed floor: one r2c + one c2r of the whole grid, through the solver's FFT
                # (rocket-fft's r2c / c2r called from nopython code), on one thread
                r["tp"].append(best_time(lambda: _fft_only(a, hat, axes, nphi, 1, 1, 8, 1), reps=3) / 8)
                st5 = _stencil5 if nt == 1 else _stencil5_par
                r["t5"].append(best_time(lambda: st5(f5, o5, 20), reps=3) / 20)
                r["th"].append(best_time(lambda: _horner_par(f5, o5, 4), reps=3) / 4)
        res = {}
        for nt in (1, 2):
            r = {k: np.array(v) for k, v in m[nt].items()}
            ts, t0s, tf, t5 = (float(np.median(r[k])) for k in ("ts", "t0s", "tf", "t5"))
            rate = 4 * pts / ts
            res[nt] = dict(step=ts, rate=rate)
            fig(f"throughput_{tag}_{nt}t", rate, unit="pts*rhs/s",
                note=f"{ts * 1e3:.2f} ms/step at G > 0 ({t0s * 1e3:.2f} ms/step at G = 0); "
                     f"step times: {_spread(r['ts'] * 1e3)} ms")
            fig(f"step_ms_G0_{tag}_{nt}t", t0s * 1e3, unit="ms", note=_spread(r["t0s"] * 1e3))
            fig(f"step_ms_G>0_{tag}_{nt}t", ts * 1e3, unit="ms", note=_spread(r["ts"] * 1e3))
            fft_rate = 4 * pts / (4 * tf)
            fig(f"fft_floor_rate_{tag}_{nt}t", fft_rate, unit="pts*rhs/s",
                note=f"{nf} r2c + {ni} c2r of {n}x{nphi} per rhs ({tf * 1e6:.0f} us)")
            # time per right-hand side: an evolve of nsteps RK4 steps makes 4 nsteps + 1 rhs calls
            # (the RK4 combinations and the scri+ sample of every step are counted in: an upper
            # bound on the rhs alone); over the fixed floor of the same round
            t_rhs = r["ts"] * nsteps / (4 * nsteps + 1)
            over_pair = t_rhs / r["tp"]
            if nt == 1:
                fig(f"fft_pair_us_{tag}", float(np.median(r["tp"])) * 1e6, unit="us",
                    note=f"one r2c + one c2r of the whole {n}x{nphi} grid, one thread (the floor); "
                         + _spread(r["tp"] * 1e6))
                fig(f"rhs_us_{tag}_1t", float(np.median(t_rhs)) * 1e6, unit="us",
                    note=f"step time x {nsteps} / {4 * nsteps + 1} (RK4 combinations and scri+ "
                         "sampling included); " + _spread(t_rhs * 1e6))
                v = float(np.median(over_pair))
                fig(f"rhs_over_fft_pair_{tag}_1t", v, f"<= {RHS_OVER_PAIR_MAX:g}",
                    v <= RHS_OVER_PAIR_MAX,
                    note=f"time per rhs / (one r2c + one c2r of the grid), {_spread(over_pair)}")
            else:
                fig(f"rhs_over_fft_pair_{tag}_2t", float(np.median(over_pair)),
                    note="2-thread time per rhs / the 1-thread floor; " + _spread(over_pair))
            # the old ratio: the rate of the step's own transforms (FFTS_PER_RHS) over the solver's
            ratios = 4 * r["tf"] / r["ts"]
            ratio = float(np.median(ratios))
            fig(f"solver_over_fft_floor_{tag}_{nt}t", ratio,
                note=f"old figure (target was >= 1/3): rate / rate of {nf} r2c + {ni} c2r per rhs; "
                     + _spread(ratios))
            fig(f"solver_over_5pt_stencil_{tag}_{nt}t", float(np.median(4 * pts / r["ts"] / (pts / r["t5"]))),
                note="rhs-evaluation rate / rate of one numba 5-point stencil pass (for scale)")
        speedups = np.array(m[1]["ts"]) / np.array(m[2]["ts"])
        sp = float(np.median(speedups))
        note = (f"1-thread / 2-thread step time, {_spread(speedups)}; 1 and 2 threads alternate "
                "within each round")
        lim = SPEEDUP_MIN[tag]
        fig(f"two_thread_speedup_{tag}", sp, f">= {lim:g}", sp >= lim, note=note)
        # what two threads of this machine give at all, in the same rounds: a compute-bound and a
        # memory-bound (5-point stencil) kernel with the same prange layout (row chunks)
        for name, key in (("compute_bound", "th"), ("5pt_stencil", "t5")):
            c = np.array(m[1][key]) / np.array(m[2][key])
            fig(f"two_thread_ceiling_{name}_{tag}", float(np.median(c)),
                note=f"1-thread / 2-thread time of a {name.replace('_', ' ')} prange kernel on the "
                     f"same grid, {_spread(c)}; the solver's speedup over it: {sp / float(np.median(c)):.3g}")
        out[tag] = res
    numba.set_num_threads(1)
    return out


def rhs_breakdown():
    print("where one right-hand side's time goes (1 thread, G > 0; bench/breakdown.py)", flush=True)
    numba.set_num_threads(1)
    for nx, nphi in ((256, 128), (512, 256)):
        n = nx + 1
        tag = f"{n}x{nphi}"
        s, chi = make_solver(nx, nphi, G_ON)
        s.threaded = False
        a = np.random.default_rng(0).standard_normal((n, nphi))
        hat = np.zeros((n, nphi // 2 + 1), dtype=complex)
        axes = np.array([1], dtype=np.int64)
        tp = best_time(lambda: _fft_only(a, hat, axes, nphi, 1, 1, 8, 1), reps=5) / 8
        st = breakdown.stage_times(s, chi, best_time)
        tot = st.pop("rhs_total")
        parts = []
        fft_all = 0.0
        for name, t in st.items():
            k = sum(breakdown.STAGE_FFTS[name]) / 2.0
            fft_all += k * tp
            parts.append(f"{name} {t * 1e6:.0f} us ({t / tot:.0%}; transforms ~{k * tp / t:.0%} of it)")
        fig(f"rhs_stages_us_{tag}", tot * 1e6, unit="us",
            note=f"rhs {tot * 1e6:.0f} us = " + "; ".join(parts)
                 + f"; stages sum {sum(st.values()) * 1e6:.0f} us; floor pair {tp * 1e6:.0f} us")
        fig(f"rhs_fft_share_{tag}", fft_all / tot,
            note="share of the transforms in one rhs, (r2c + c2r) / 2 x the floor per transform")
        fig(f"rhs_non_fft_over_fft_pair_{tag}", (tot - fft_all) / tp,
            note="non-transform time per rhs in floors (stencils, band solves, quadratures, pointwise)")
        sp = CharacteristicSolver(nx, nphi, 1.0, G=G_ON, dealias=True)
        fig(f"dealias_rhs_over_plain_{tag}", breakdown.dealias_ratio(s, sp, chi, best_time),
            note="time of the de-aliased rhs (padded phi grid, pad factor 2) / the plain rhs")


# ------------------------------------------------------------------------------------------------
# plain numpy reference
# ------------------------------------------------------------------------------------------------


def reference():
    print("plain-numpy reference step", flush=True)
    numba.set_num_threads(1)
    # agreement on random vertex-regular data
    worst = 0.0
    for G in (0.0, G_ON):
        s = CharacteristicSolver(48, 24, 1.3, G=G, uc=vertex_shift(24, 0.2, (0.1, -0.05)))
        ref = ReferenceStep(s)
        chi = 0.3 * random_regular_chi(s, 7)
        o = s.rhs(chi)
        f = s.fields()
        o2 = ref.rhs(chi)
        pairs = [(o, o2)] + [(f[k], ref.fields[k]) for k in ("b", "q", "U", "calW")]
        for a, b in pairs:
            sc = np.abs(a).max()
            if sc > 0:
                worst = max(worst, np.abs(a - b).max() / sc)
    fig("reference_max_rel_difference", worst, "<= 1e-12", worst <= 1e-12)
    for nx, nphi in ((256, 128),):
        s, chi = make_solver(nx, nphi, G_ON)
        ref = ReferenceStep(s)
        dt = CFL / nx
        tk = tr = float("inf")
        k = np.zeros((4, nx + 1, nphi))
        for _ in range(3):
            tk = min(tk, best_time(lambda: _kernel_step(s, chi, dt, k), reps=3))
            tr = min(tr, best_time(lambda: ref.step(chi, dt), reps=1))
        fig(f"numpy_reference_step_ms_{nx + 1}x{nphi}", tr * 1e3, unit="ms")
        fig(f"kernel_speedup_over_numpy_{nx + 1}x{nphi}_1t", tr / tk, ">= 20", tr / tk >= 20)


def _kernel_step(s, chi, dt, k):
    c = chi.copy()
    right_hand_side.rhs(c, s.uc, s.G, s.R, s.nphi, s.filter, s.op.ops, s.ws.wk, s.ws.hat, k[0])
    timestepping.rk4_finish(c, k[0], dt, s.uc, s.G, s.R, s.nphi, s.filter, s.op.ops, s.ws.wk, s.ws.hat,
                  k[1], k[2], k[3], s.ws.tmp)


# ------------------------------------------------------------------------------------------------
# vertex: no step-size collapse with Nphi; accuracy per cost
# ------------------------------------------------------------------------------------------------


def scri_error(nx, nphi, u0=-2.0, u1=2.0):
    """G = 0 exact pulse: max |psi0 - closed form| / max |closed form|; (err, nsteps, seconds)."""
    s = CharacteristicSolver(nx, nphi, 1.0)
    chi0 = pulse_chi(u0, s.x[:, None], s.phi[None, :], 1.0, OFF)
    # the driver's step count (asymflat.kinds.characteristic: du = cfl R h, h = 1/nx)
    nsteps = math.ceil((u1 - u0) * nx / (CFL * 1.0) - 1e-9)
    acc = [0.0, 0.0]

    def out(step, u, chi, chiu, sv):
        ex = pulse_psi0(u, sv.phi, OFF)
        acc[0] = max(acc[0], np.abs(chi[-1] - ex).max())
        acc[1] = max(acc[1], np.abs(ex).max())

    t = time.perf_counter()
    s.evolve(chi0, u0, u1, nsteps, on_output=out)
    return acc[0] / acc[1], nsteps, time.perf_counter() - t


def vertex_nphi():
    print("vertex: steps and error vs Nphi at Nx = 128 (G = 0 exact pulse, u in [-2, 0])", flush=True)
    numba.set_num_threads(1)
    rows = {n: scri_error(128, n, u1=0.0) for n in (32, 64, 128, 256)}
    steps = [r[1] for r in rows.values()]
    errs = [r[0] for r in rows.values()]
    ch = (max(steps) - min(steps)) / steps[0]
    fig("steps_change_nphi_32_to_256", ch, "< 0.10", ch < 0.10,
        note="steps: " + ", ".join(f"{n}: {r[1]}" for n, r in rows.items()))
    g = max(errs) / errs[0]
    fig("error_growth_nphi_32_to_256", g, "<= 1.05", g <= 1.05,
        note="rel. errors: " + ", ".join(f"{n}: {r[0]:.3g}" for n, r in rows.items()))


def accuracy_per_cost():
    print("accuracy per cost (G = 0 exact pulse ladder, Nphi = 32, u in [-2, 2])", flush=True)
    numba.set_num_threads(1)
    nxs = (32, 64, 128, 256)
    rows = [scri_error(nx, 32) for nx in nxs]
    errs = np.array([r[0] for r in rows])
    secs = np.array([r[2] for r in rows])
    slope = float(np.polyfit(np.log(secs[1:]), np.log(errs[1:]), 1)[0])
    for nx, (e, n, t) in zip(nxs, rows):
        fig(f"ladder_Nx{nx}_rel_error", float(e), note=f"{n} steps, {t:.3f} s")
    fig("ladder_error_vs_time_slope", slope, note="d log err / d log wall time (Nx 64..256)")
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        f, ax = plt.subplots(figsize=(5, 4))
        ax.loglog(secs, errs, "o-")
        for nx, t, e in zip(nxs, secs, errs):
            ax.annotate(f"Nx={nx}", (t, e), textcoords="offset points", xytext=(5, 5))
        ax.set_xlabel("wall time [s] (1 thread)")
        ax.set_ylabel("max rel. error of psi0 at scri+")
        ax.set_title("G = 0 exact pulse, Nphi = 32, u in [-2, 2]")
        ax.grid(True, which="both", alpha=0.3)
        f.tight_layout()
        f.savefig(HERE / "accuracy_per_cost.png", dpi=100)
        plt.close(f)
        fig("accuracy_per_cost_plot", "bench/accuracy_per_cost.png")
    except Exception as exc:  # pragma: no cover
        fig("accuracy_per_cost_plot", f"failed: {exc}")


# ------------------------------------------------------------------------------------------------
# cost growth
# ------------------------------------------------------------------------------------------------


def cost_growth():
    print("cost growth (1 thread, G > 0)", flush=True)
    numba.set_num_threads(1)
    nxs = (128, 256, 512, 1024)
    tx = []
    for nx in nxs:
        s, chi = make_solver(nx, 64, G_ON)
        tx.append(time_per_step(s, chi, reps=3, nsteps=3))
    px = float(np.polyfit(np.log(nxs), np.log(tx), 1)[0])
    fig("cost_exponent_vs_Nx", px, "in [0.9, 1.15]", 0.9 <= px <= 1.15,
        note="Nphi = 64; ms/step: " + ", ".join(f"{n}: {t * 1e3:.2f}" for n, t in zip(nxs, tx)))
    nps = (64, 128, 256, 512)
    tp = []
    for nphi in nps:
        s, chi = make_solver(128, nphi, G_ON)
        tp.append(time_per_step(s, chi, reps=3, nsteps=3))
    nl = np.array([n * math.log2(n) for n in nps])
    pp = float(np.polyfit(np.log(nps), np.log(tp), 1)[0])
    pl = float(np.polyfit(np.log(nl), np.log(tp), 1)[0])
    # issue 12: cost growing no faster than the grid, and against Nphi "consistent with Nphi log Nphi"
    # (the FFTs' growth) -- an upper bound: at these sizes the radial work (O(Nphi)) dominates and
    # the fit against Nphi log2 Nphi comes out below 1 (0.82-0.89 measured, old and new kernels)
    fig("cost_exponent_vs_Nphi", pp, "in [0.9, 1.15]", 0.9 <= pp <= 1.15, note="Nx = 128; ms/step: "
        + ", ".join(f"{n}: {t * 1e3:.2f}" for n, t in zip(nps, tp)))
    fig("cost_exponent_vs_Nphi_log_Nphi", pl, "<= 1.15 (no faster than Nphi log Nphi)", pl <= 1.15,
        note="fit of time/step against Nphi log2 Nphi (1 = exactly that growth)")


# ------------------------------------------------------------------------------------------------
# subprocesses: allocation, memory, start-up
# ------------------------------------------------------------------------------------------------

_ALLOC = r"""
import json, numba, numpy as np, sys
from numba.core.runtime import rtsys
sys.path.insert(0, {root!r})
from solvers.characteristic import CharacteristicSolver
from asymflat.exact.pulses import pulse_chi
OFF = [dict(amplitude=1.0, a=1.0, t0=0.0, x0=0.5, y0=0.0)]
s = CharacteristicSolver(64, 32, 1.0, G=0.05)
chi = s.project(pulse_chi(-1.0, s.x[:, None], s.phi[None, :], 1.0, OFF))
N = {nsteps}
dt = 0.05 / 2
kept = []
def on_scri(step0, u, samples, series):  # the scri+ samples of every step, kept as the kind does
    kept.append(samples.copy())
res = {{}}
for nt in (1, 2):
    numba.set_num_threads(nt)
    s.threaded = nt > 1
    s.evolve(chi, 0, N * dt, N, on_scri=on_scri, scri_series=True, project_initial=False)  # compile / load
    a0 = rtsys.get_allocation_stats()
    s.evolve(chi, 0, N * dt, N, on_scri=on_scri, scri_series=True, project_initial=False)
    a1 = rtsys.get_allocation_stats()
    s.evolve(chi, 0, 2 * N * dt, 2 * N, on_scri=on_scri, scri_series=True, project_initial=False)
    a2 = rtsys.get_allocation_stats()
    d1 = a1.alloc - a0.alloc
    d2 = a2.alloc - a1.alloc
    # the per-step loop (stepwise=True: kernels called from Python at every step), for comparison
    s.evolve(chi, 0, N * dt, N, stepwise=True, project_initial=False)
    a3 = rtsys.get_allocation_stats()
    s.evolve(chi, 0, 2 * N * dt, 2 * N, stepwise=True, project_initial=False)
    a4 = rtsys.get_allocation_stats()
    res[nt] = dict(per_step=(d2 - d1) / N, allocs_N=d1, allocs_2N=d2,
                   stepwise_per_step=((a4.alloc - a3.alloc) - (a3.alloc - a2.alloc)) / N,
                   live=a4.alloc - a4.free)
print(json.dumps(res))
"""

_MEM = r"""
import resource, sys, numba
sys.path.insert(0, {root!r})
from solvers.characteristic import CharacteristicSolver
from asymflat.exact.pulses import pulse_chi
OFF = [dict(amplitude=1.0, a=1.0, t0=0.0, x0=0.5, y0=0.0)]
numba.set_num_threads({nt})
s = CharacteristicSolver(1024, 512, 1.0, G=0.05)
s.threaded = {nt} > 1
chi0 = pulse_chi(-1.0, s.x[:, None], s.phi[None, :], 1.0, OFF)
s.evolve(chi0, -1.0, -1.0 + 3 * 3.5 / 1024, 3)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

_START = r"""
import sys, time
sys.path.insert(0, {root!r})
from numba.core import event
compiled = []  # (depth, dispatcher, seconds) of every compilation (numba's compile events)
stack = []
class _Record(event.Listener):
    def on_start(self, ev):
        stack.append((ev.data["dispatcher"].py_func.__qualname__, time.perf_counter()))
    def on_end(self, ev):
        name, t0 = stack.pop()
        compiled.append((len(stack), name, time.perf_counter() - t0))
event.register("numba:compile", _Record())
from solvers.characteristic import CharacteristicSolver
from asymflat.exact.pulses import pulse_chi
s = CharacteristicSolver(32, 16, 1.0, G=0.05)
chi0 = pulse_chi(-1.0, s.x[:, None], s.phi[None, :], 1.0,
                 [dict(amplitude=1.0, a=1.0, t0=0.0, x0=0.5, y0=0.0)])
s.evolve(chi0, -1.0, -1.0 + 3.5 / 32, 1)
print("FIRST_STEP_DONE", flush=True)
import json
print(json.dumps(compiled))
"""


def _compiled_summary(out):
    """What the cold start compiled: signatures in all, the top-level compilations and their
    seconds (a top-level one includes its callees' compilation), names compiled more than once."""
    rec = json.loads(out.strip().splitlines()[-1])
    top = ", ".join(f"{n} {t:.1f} s" for d, n, t in rec if d == 0)
    count = {}
    for d, n, t in rec:
        count[n] = count.get(n, 0) + 1
    multi = ", ".join(f"{n} x{c}" for n, c in count.items() if c > 1) or "none"
    return (f"{len(rec)} signatures of {len(count)} functions compiled; top level: {top}; "
            f"more than one signature: {multi}")


def _py(code, env=None, timeout=600):
    e = dict(os.environ)
    e.update(env or {})
    t = time.perf_counter()
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=e,
                       timeout=timeout, cwd=str(ROOT))
    dt = time.perf_counter() - t
    if p.returncode != 0:
        raise RuntimeError(p.stderr[-2000:])
    return p.stdout, dt


def subprocess_figures():
    print("allocation, memory, start-up (subprocesses)", flush=True)
    nst = 8
    out, _ = _py(_ALLOC.format(root=str(ROOT), nsteps=nst), env={"NUMBA_NRT_STATS": "1"})
    a = json.loads(out.strip().splitlines()[-1])
    for nt, r in a.items():
        note = (f"numba NRT allocation statistics of evolve runs with on_scri (the scri+ samples of "
                f"every step): {nst} steps: {r['allocs_N']}, {2 * nst} steps: {r['allocs_2N']} "
                f"allocations (per evolve call: unboxing the driver's array arguments, the initial "
                f"copy of chi); per step = difference / {nst}.  The steps between callbacks run in "
                f"one nopython call (timestepping.evolve_steps).  The per-step loop (stepwise=True) "
                f"makes {r['stepwise_per_step']:g} per step")
        if nt == "1":
            fig("nrt_allocations_per_step_serial", r["per_step"], "== 0", r["per_step"] == 0,
                note=note)
        else:
            fig("nrt_allocations_per_step_threaded_2t", r["per_step"], "== 0", r["per_step"] == 0,
                note=note)
    for nt in (1,):
        out, _ = _py(_MEM.format(root=str(ROOT), nt=nt))
        mb = int(out.strip().splitlines()[-1]) / 1024.0
        fig(f"peak_rss_1025x512_{nt}t", mb, "< 2048", mb < 2048, unit="MiB")
    code = _START.format(root=str(ROOT))
    _py(code)  # make sure the cache is warm
    warm = min(_py(code)[1] for _ in range(2))
    fig("startup_warm_cache_to_first_step", warm, "<= 1", warm <= 1.0, unit="s",
        note="interpreter start to first step done (32x16, G > 0; imports + numba cache load)")
    with tempfile.TemporaryDirectory() as d:
        out, cold = _py(code, env={"NUMBA_CACHE_DIR": d})
    fig("startup_cold_compile_to_first_step", cold, "<= 10", cold <= 10.0, unit="s",
        note="NUMBA_CACHE_DIR empty; " + _compiled_summary(out))


def default_run():
    cfg = ROOT / "runs" / "default.toml"
    if not cfg.exists():
        fig("default_run_seconds", "skipped", "< 60", None, note="runs/default.toml does not exist")
        return
    import asymflat
    with tempfile.TemporaryDirectory() as d:
        t = time.perf_counter()
        asymflat.run(str(cfg), output=str(Path(d) / "default.h5"))
        dt = time.perf_counter() - t
    fig("default_run_seconds", dt, "< 60", dt < 60, unit="s", note="asymflat.run(runs/default.toml)")


def scattering_ladder_run():
    """The strong-field off-centre scattering run with its ladder of first cones (issue 22: five
    levels or more, under 10 minutes on this machine), its checks, and the wall time."""
    cfg = ROOT / "runs" / "scattering_strong.toml"
    if not cfg.exists():
        fig("scattering_strong_run_seconds", "skipped", "< 600", None,
            note="runs/scattering_strong.toml does not exist")
        return
    import asymflat
    from asymflat import config as _config
    from asymflat.data import check_tally
    levels = len(_config.load(cfg)["scattering"]["first_cones"])
    with tempfile.TemporaryDirectory() as d:
        t = time.perf_counter()
        res = asymflat.run(str(cfg), output=str(Path(d) / "scattering_strong.h5"))
        dt = time.perf_counter() - t
        tally = check_tally(res.checks)
        res.close()
    fig("scattering_strong_run_seconds", dt, "< 600", dt < 600 and levels >= 5, unit="s",
        note=f"asymflat.run(runs/scattering_strong.toml): G = 0.02, three off-centre pulses, a ladder "
             f"of {levels} first cones (target: >= 5 levels); {tally}")


SECTIONS = ("throughput", "rhs_breakdown", "reference", "vertex_nphi", "cost_growth",
            "accuracy_per_cost", "subprocess_figures", "default_run",
            "scattering_ladder_run")


def single(out_path: Path, only=None):
    """One run of the suite (the sections named in ``only``, or all); writes its report (figures,
    context) to ``out_path``."""
    t_all = time.perf_counter()
    try:
        load = os.getloadavg()
    except OSError:  # pragma: no cover
        load = None
    numba.set_num_threads(1)
    s, chi = make_solver(32, 16, G_ON)  # compile / load the kernels
    s.evolve(chi, 0, 0.1, 1)
    ctx = dict(numba=numba.__version__, numpy=np.__version__, cpus=os.cpu_count(),
               numba_threads=numba.config.NUMBA_NUM_THREADS, threading_layer=numba.threading_layer(),
               omp_wait_policy=os.environ.get("OMP_WAIT_POLICY"), load_average_start=load,
               d2_mode=layout.D2_MODE, nchunk=layout.NCHUNK, pipeline_block=rings.BLOCK,
               pipeline_min_points=rings.PIPELINE_MIN_POINTS, hugepages=workspace.ws_hugepages(),
               ffts_per_rhs={"G>0": right_hand_side.FFTS_PER_RHS[True],
                             "G=0": right_hand_side.FFTS_PER_RHS[False]})
    print(f"context: {ctx}", flush=True)
    for name in SECTIONS:
        if only and name not in only:
            continue
        try:
            globals()[name]()
        except Exception as exc:  # report and go on
            fig(f"{name}_error", f"{type(exc).__name__}: {exc}"[:300], "no error", False)
    sweep = HERE / "sweep_throughput.json"
    extra = None
    if sweep.exists():
        try:
            extra = json.loads(sweep.read_text())
            print(f"included {sweep.name}", flush=True)
        except Exception as exc:
            extra = {"error": str(exc)}
    try:
        ctx["load_average_end"] = os.getloadavg()
    except OSError:  # pragma: no cover
        pass
    ctx["bench_seconds"] = time.perf_counter() - t_all
    report = dict(figures=FIG, context=ctx)
    if extra is not None:
        report["sweep_throughput"] = extra
    Path(out_path).write_text(json.dumps(report, indent=1, default=float))


def main(argv=None):
    import argparse
    from bench import repeat
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3,
                    help="runs of the suite, each in a fresh interpreter (default 3)")
    ap.add_argument("--only", default="", help="comma-separated sections: " + ", ".join(SECTIONS))
    ap.add_argument("--single", metavar="OUT.json", help="one run in this process, report to OUT.json")
    ap.add_argument("--report", default=str(HERE / "report.json"), help="the combined report")
    a = ap.parse_args(argv)
    only = [x for x in a.only.split(",") if x]
    bad = [x for x in only if x not in SECTIONS]
    if bad:
        ap.error(f"--only {','.join(bad)}: unknown section; allowed: {', '.join(SECTIONS)}")
    if a.repeat < 1:
        ap.error(f"--repeat {a.repeat}: must be >= 1")
    if a.single:
        single(Path(a.single), only)
        return
    repeat.run_and_report(a.repeat, only, Path(a.report))


if __name__ == "__main__":
    main()
