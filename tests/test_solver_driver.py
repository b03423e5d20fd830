"""The multi-step driver and the pipelined right-hand side (issue 12).

* ``CharacteristicSolver.evolve`` runs the steps between two callbacks inside one nopython call
  (``timestepping.evolve_steps``); its results -- the per-step scri+ samples (``on_scri``), the outputs
  and the final state -- are bit-identical to the per-step reference loop (``stepwise=True``),
  serial, threaded and de-aliased, with RK4 substeps, on restart, and when it stops (non-finite
  values, ``chi_bound``).
* The pipelined right-hand side (``pipeline.rhs_pipelined``: sweeps, blocks and ring scratch on
  large grids) is bit-identical to the phase-by-phase kernel (``_rhs_core_phases`` +
  ``project_out``), on grids below and above ``PIPELINE_MIN_POINTS``, serial and threaded.
* The driver makes no numba runtime allocation per step (numba's own statistics).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import numba
import numpy as np
import pytest

from asymflat.exact.pulses import pulse_chi
from solvers.characteristic import CharacteristicSolver, SolverError, layout, phases, rings, scri, vertex, vertex_shift

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OFF = [dict(amplitude=1.0, a=1.0, t0=0.0, x0=0.5, y0=0.0)]
THREADS = numba.config.NUMBA_NUM_THREADS >= 2


@pytest.fixture
def threads():
    """Restore numba's thread count after a test that changes it."""
    n = numba.get_num_threads()
    yield
    numba.set_num_threads(n)


def _solver(nx=32, nphi=16, G=0.05, threaded=False, dealias=False, amp=1.0):
    numba.set_num_threads(2 if threaded else 1)
    s = CharacteristicSolver(nx, nphi, 1.0, G=G, dealias=dealias, uc=vertex_shift(nphi, 0.2, (0.1, -0.05)))
    s.threaded = threaded
    chi = amp * s.project(pulse_chi(-1.0, s.x[:, None], s.phi[None, :], 1.0, OFF))
    return s, chi


def _run_stepwise(s, chi, u0, u1, nsteps, **kw):
    rows, outs = {}, []

    def on_output(step, u, c, cu, sv):
        f = sv.fields()
        rows[step] = (u, np.array([c[-1], cu[-1], f["beta"][-1], f["U"][-1], f["calW"][-1], f["Qbar"][-1]]))
        outs.append((step, u, c.copy(), cu.copy(), f["U"], f["b"]))

    fin = s.evolve(chi, u0, u1, nsteps, on_output=on_output, stepwise=True, project_initial=False, **kw)
    return fin, rows, outs


def _run_fast(s, chi, u0, u1, nsteps, output_every=3, chunk=4, **kw):
    rows, outs, order = {}, [], []

    def on_scri(step0, u, smp, series):
        assert smp.shape == (len(u), 6, s.nphi) and series is None
        for i in range(len(u)):
            assert step0 + i not in rows
            rows[step0 + i] = (u[i], smp[i].copy())
            order.append(("scri", step0 + i))

    def on_output(step, u, c, cu, sv):
        f = sv.fields()
        outs.append((step, u, c.copy(), cu.copy(), f["U"], f["b"]))
        order.append(("out", step))

    fin = s.evolve(chi, u0, u1, nsteps, on_output=on_output, output_every=output_every, on_scri=on_scri,
                   chunk=chunk, project_initial=False, **kw)
    return fin, rows, outs, order


def _same(a, b):
    fa, ra, oa = a[:3]
    fb, rb, ob = b[:3]
    np.testing.assert_array_equal(fa, fb)
    assert sorted(ra) == sorted(rb)
    for k in ra:
        assert ra[k][0] == rb[k][0]
        np.testing.assert_array_equal(ra[k][1], rb[k][1])
    ref = {o[0]: o for o in oa}
    for o in ob:
        assert o[1] == ref[o[0]][1]
        for x, y in zip(o[2:], ref[o[0]][2:]):
            np.testing.assert_array_equal(x, y)


MODES = [(False, False), (False, True)] + ([(True, False), (True, True)] if THREADS else [])


@pytest.mark.parametrize("threaded,dealias", MODES)
def test_fast_path_matches_stepwise(threads, threaded, dealias):
    s, chi = _solver(threaded=threaded, dealias=dealias)
    ref = _run_stepwise(s, chi, -1.0, -0.3, 9)
    new = _run_fast(s, chi, -1.0, -0.3, 9)
    _same(ref, new)
    assert sorted(new[1]) == list(range(10))
    assert [o[0] for o in new[2]] == [0, 3, 6, 9]
    # every sample of a step < s is delivered before on_output(s), the sample of s after it
    order = new[3]
    for i, (kind, step) in enumerate(order):
        if kind == "out":
            seen = {st_ for k, st_ in order[:i] if k == "scri"}
            assert seen == set(range(step))


def test_fast_path_substeps_and_restart(threads):
    # a low angular Courant limit splits every step into RK4 substeps (de-aliased solver)
    s, chi = _solver(nx=32, nphi=16, G=0.05, dealias=True)
    s.courant_limit = 0.05
    s.rhs(chi)
    assert s.substeps(0.4 / 6) > 1
    ref = _run_stepwise(s, chi, -1.0, -0.6, 6)
    new = _run_fast(s, chi, -1.0, -0.6, 6, output_every=2, chunk=5)
    _same(ref, new)
    # restart at step 4 from the state there: bit-identical to the uninterrupted run
    state = {}

    def grab(step, u, c, cu, sv):
        if step == 4:
            state["chi"] = c.copy()

    full = s.evolve(chi, -1.0, -0.6, 6, on_output=grab, output_every=2, project_initial=False)
    np.testing.assert_array_equal(full, new[0])
    rest = _run_fast(s, state["chi"], -1.0, -0.6, 6, output_every=2, start_step=4)
    np.testing.assert_array_equal(full, rest[0])
    assert sorted(rest[1]) == [4, 5, 6]
    for k in (4, 5, 6):
        assert rest[1][k][0] == new[1][k][0]
        np.testing.assert_array_equal(rest[1][k][1], new[1][k][1])
    # start_step == nsteps: only the final output and sample
    last = _run_fast(s, full, -1.0, -0.6, 6, start_step=6)
    assert sorted(last[1]) == [6] and [o[0] for o in last[2]] == [6]
    np.testing.assert_array_equal(last[1][6][1], new[1][6][1])


def test_progress_and_no_callbacks(threads):
    s, chi = _solver()
    calls = []
    fin = s.evolve(chi, 0.0, 0.2, 7, progress=lambda *a: calls.append(a), progress_every=3, chunk=2,
                   project_initial=False)
    ref = s.evolve(chi, 0.0, 0.2, 7, stepwise=True, project_initial=False)
    np.testing.assert_array_equal(fin, ref)
    assert [c[0] for c in calls] == [3, 6]
    assert calls[0][2] == 0.0 + 2 * (0.2 / 7) + 0.2 / 7


def test_scri_series_equal_numpy(threads):
    s, chi = _solver()
    got, ref = {}, {}

    def on_scri(step0, u, smp, series):
        for i in range(len(u)):
            got[step0 + i] = series[i].copy()

    def on_output(step, u, c, cu, sv):
        f = sv.fields()
        ref[step] = [np.abs(c).max(), np.abs(f["beta"]).max(), np.abs(f["U"] - sv.uc[None, :]).max(),
                     np.abs(f["calW"] + 1).max()]

    s.evolve(chi, 0.0, 0.2, 5, on_scri=on_scri, scri_series=True, project_initial=False)
    s.evolve(chi, 0.0, 0.2, 5, on_output=on_output, stepwise=True, project_initial=False)
    assert sorted(got) == sorted(ref) == list(range(6))
    for k in ref:
        np.testing.assert_array_equal(got[k], ref[k])
        assert got[k][1] > 0 and got[k][2] > 0 and got[k][3] > 0
    assert scri.SERIES_NAMES == ("max_abs_chi", "max_abs_beta", "max_abs_U_minus_Uc", "max_abs_calW_plus_1")
    sd, chid = _solver(dealias=True)
    with pytest.raises(ValueError, match="scri_series"):
        sd.evolve(chid, 0.0, 0.2, 5, on_scri=on_scri, scri_series=True)


def _blowing_up():
    s, chi = _solver(nx=32, nphi=16, G=0.05)
    s.courant_limit = None
    return s, chi, (-1.0, 3.0, 8)   # cfl 16: unstable


def test_nonfinite_stops_like_stepwise(threads):
    s, chi, (u0, u1, n) = _blowing_up()
    with pytest.raises(SolverError) as e1:
        _run_stepwise(s, chi, u0, u1, n)
    rows = {}

    def on_scri(step0, u, smp, series):
        rows.update({step0 + i: smp[i].copy() for i in range(len(u))})

    with pytest.raises(SolverError) as e2:
        s.evolve(chi, u0, u1, n, on_scri=on_scri, project_initial=False)
    assert str(e1.value) == str(e2.value)
    assert "non-finite" in str(e2.value) and "u = " in str(e2.value)
    # the samples up to the failing step were delivered, as the per-step loop's outputs
    ref = {}
    with pytest.raises(SolverError):
        s.evolve(chi, u0, u1, n, stepwise=True, project_initial=False,
                 on_output=lambda step, u, c, cu, sv: ref.update({step: c[-1].copy()}))
    assert sorted(rows) == sorted(ref)
    for k in ref:
        np.testing.assert_array_equal(rows[k][0], ref[k])


def test_chi_bound_stops_like_a_per_step_check(threads):
    """chi_bound: the driver checks max|chi| at every step and calls on_output at the first step
    beyond it, whatever the cadence -- the per-step check of asymflat.kinds.characteristic."""
    s, chi, (u0, u1, n) = _blowing_up()
    bound = 20.0 * np.abs(chi).max()

    def checker(log):
        def on_output(step, u, c, cu, sv):
            log.append(step)
            if not np.abs(c).max() <= bound:
                raise SolverError(f"max |chi| beyond the bound at step {step}, u = {u}")
        return on_output

    a, b = [], []
    with pytest.raises(SolverError) as e1:
        s.evolve(chi, u0, u1, n, on_output=checker(a), stepwise=True, project_initial=False)
    with pytest.raises(SolverError) as e2:
        s.evolve(chi, u0, u1, n, on_output=checker(b), output_every=100, chi_bound=bound,
                 on_scri=lambda *args: None, project_initial=False)
    assert str(e1.value) == str(e2.value) and "beyond the bound" in str(e2.value)
    assert b == [0, a[-1]] and a[-1] > 0
    # an on_output that does not raise: evolve raises, naming the bound and the grid point
    with pytest.raises(SolverError, match="exceeds chi_bound"):
        s.evolve(chi, u0, u1, n, chi_bound=bound, project_initial=False)
    # a bound that holds changes nothing
    s2, chi2 = _solver()
    big = 10 * np.abs(chi2).max()
    np.testing.assert_array_equal(s2.evolve(chi2, 0.0, 0.2, 5, chi_bound=big, project_initial=False),
                                  s2.evolve(chi2, 0.0, 0.2, 5, stepwise=True, project_initial=False))


def _phases_rhs(s, chi):
    """The phase-by-phase reference kernel (the solver before the pipelining)."""
    op, ws = s.op.ops, s.ws
    out = np.empty_like(chi)
    phases.rhs_by_phases(chi, s.uc, s.G, s.R, s.nphi, op, ws.wk, ws.hat, out)
    vertex.project_out(out, ws.hat[0], op[10], op[11], op[12], op[13], s.nphi, s.filter)
    return out, {k: ws.wk[i].copy() for k, i in (("b", layout.I_B), ("q", layout.I_Q), ("U", layout.I_U), ("W", layout.I_W))}


@pytest.mark.parametrize("nx,nphi,G,order", [
    (32, 16, 0.05, 6), (40, 24, 0.0, 4), (8, 64, 0.05, 6),
    (256, 384, 0.05, 6), (256, 400, 0.0, 4),      # >= PIPELINE_MIN_POINTS: blocks + ring scratch
])
def test_pipelined_rhs_is_bit_identical_to_phases(threads, nx, nphi, G, order):
    big = (nx + 1) * nphi >= rings.PIPELINE_MIN_POINTS
    modes = [False, True] if THREADS else [False]
    for threaded in modes:
        numba.set_num_threads(2 if threaded else 1)
        s = CharacteristicSolver(nx, nphi, 1.3, G=G, order=order, uc=vertex_shift(nphi, 0.2, (0.1, -0.05)))
        s.threaded = threaded
        chi = 0.5 * s.project(pulse_chi(-1.0, s.x[:, None], s.phi[None, :], 1.0, OFF))
        if big:
            assert rings.use_ring(nx + 1, nphi, s.op.ops[1], s.op.ops[2].shape[1])
        ref, f = _phases_rhs(s, chi)
        new = s.rhs(chi)
        np.testing.assert_array_equal(new, ref)
        for k, i in (("b", layout.I_B), ("q", layout.I_Q), ("U", layout.I_U), ("W", layout.I_W)):
            np.testing.assert_array_equal(s.ws.wk[i], f[k])


_ALLOC = r"""
import json, sys, numba
from numba.core.runtime import rtsys
sys.path.insert(0, {root!r})
from solvers.characteristic import CharacteristicSolver
from asymflat.exact.pulses import pulse_chi
s = CharacteristicSolver(32, 16, 1.0, G=0.05)
OFF = [dict(amplitude=1.0, a=1.0, t0=0.0, x0=0.5, y0=0.0)]
chi = s.project(pulse_chi(-1.0, s.x[:, None], s.phi[None, :], 1.0, OFF))
out = {{}}
for nt in {nts}:
    numba.set_num_threads(nt)
    s.threaded = nt > 1
    sink = lambda step0, u, smp, series: None
    s.evolve(chi, 0, 0.05, 4, on_scri=sink, project_initial=False)
    a0 = rtsys.get_allocation_stats().alloc
    s.evolve(chi, 0, 0.05, 8, on_scri=sink, project_initial=False)
    a1 = rtsys.get_allocation_stats().alloc
    s.evolve(chi, 0, 0.1, 16, on_scri=sink, project_initial=False)
    a2 = rtsys.get_allocation_stats().alloc
    out[nt] = (a1 - a0, a2 - a1)
print(json.dumps(out))
"""


def test_driver_makes_no_allocation_per_step():
    nts = (1, 2) if THREADS else (1,)
    env = dict(os.environ, NUMBA_NRT_STATS="1")
    p = subprocess.run([sys.executable, "-c", _ALLOC.format(root=ROOT, nts=nts)], capture_output=True,
                       text=True, env=env, timeout=600)
    assert p.returncode == 0, p.stderr[-2000:]
    res = json.loads(p.stdout.strip().splitlines()[-1])
    for nt, (d8, d16) in res.items():
        assert d8 == d16, (nt, d8, d16)  # 8 and 16 steps: the same allocations (per evolve call)


_ONE_UNIT = r"""
import json, sys
sys.path.insert(0, {root!r})
from solvers.characteristic import CharacteristicSolver, right_hand_side, timestepping
from asymflat.exact.pulses import pulse_chi
s = CharacteristicSolver(32, 16, 1.0, G=0.05)
chi = s.project(pulse_chi(-1.0, s.x[:, None], s.phi[None, :], 1.0,
                          [dict(amplitude=1.0, a=1.0, t0=0.0, x0=0.5, y0=0.0)]))
s.evolve(chi, 0.0, 0.05, 4, on_scri=lambda *a: None, project_initial=False)
s.rhs(chi)
print(json.dumps(dict(rhs=len(right_hand_side.rhs.signatures),
                      driver=len(timestepping.evolve_steps.signatures))))
"""


def test_a_run_compiles_one_right_hand_side_the_drivers():
    """evolve (its initial k1 included) and CharacteristicSolver.rhs go through one compiled kernel,
    the driver evolve_steps, which inlines the right-hand side at one call site: the stand-alone
    ``rhs`` is neither compiled nor loaded (solvers/_jit.py: every caller of a compiled rhs would
    generate its machine code again, 5 s of a cold start).  Fails if a Python-level rhs call or a
    second signature of the driver comes back."""
    p = subprocess.run([sys.executable, "-c", _ONE_UNIT.format(root=ROOT)], capture_output=True,
                       text=True, timeout=600)
    assert p.returncode == 0, p.stderr[-2000:]
    assert json.loads(p.stdout.strip().splitlines()[-1]) == dict(rhs=0, driver=1)
