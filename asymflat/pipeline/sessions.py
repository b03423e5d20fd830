"""Evolution sessions with checkpoints (issue 13; docs/format.md, "Checkpoints and restart"): the main
evolution and its shadow grid run through an :mod:`asymflat.runtime` session, checkpoint and resume
bit-identically; an instability stops the run with the output so far (:func:`partial_run_data`)."""
from __future__ import annotations

import numpy as np

from asymflat import runtime
from asymflat.data import RunData
from asymflat.io.checkpoint import CheckpointError
from asymflat.pipeline.evolution import (CODE_DESC, CODE_NAMES, CODE_UNITS, Buffers, evolution_result,
                                         callback_every, evolve, make_solver, progress_fraction)
from solvers.characteristic import SolverError


#: layout of this kind's checkpoints (docs/format.md, "Checkpoints and restart")
CHECKPOINT_LAYOUT = 1
#: checkpoint phases: main run, shadow run, both evolutions done (post-processing next)
PHASE_MAIN, PHASE_SHADOW, PHASE_EVOLVED = 0, 1, 2


def evolve_with_checkpoints(p: dict, nx: int, nsteps: int, shadow: bool, progress=None, session=None):
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
    nphi = p["nphi"]
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
            buf = Buffers.from_state(name, state)
            results[name] = evolution_result(p, make_solver(p, n), ns, buf, f_every)
            done_state.update(buf.state(name, n + 1, nphi))
            continue
        resume = None
        if phase == phase0 and state is not None:
            resume = (int(state["step"]), state["chi"], Buffers.from_state(name, state))
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
                                   output_every=callback_every(f_every, sess))
        except SolverError as exc:
            main_buf = results["main"]["buffers"] if "main" in results else getattr(exc, "buffers", Buffers())
            where = "" if name == "main" else "shadow grid (nx/2): "
            raise runtime.RunUnstable(where + str(exc), partial_run_data(p, nx, nsteps, main_buf, where + str(exc))) from None
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


def partial_run_data(p: dict, nx: int, nsteps: int, buf: Buffers, reason: str) -> RunData:
    """The output so far of a run stopped by an instability (written with complete = false)."""
    series = {"u": (np.array(buf.series["u"]), "length", "code retarded time (vertex proper time)")}
    for k, v in buf.series.items():
        if k != "u":
            series[k] = (np.array(v), "1", k.replace("_", " ") + " over the grid")
    nphi = p["nphi"]
    series["scri_code_frame/u"] = (np.array(buf.times), "length", "code time of every completed step")
    for k in CODE_NAMES:
        series[f"scri_code_frame/{k}"] = (runtime.stack(buf.scri[k], (nphi,)), CODE_UNITS[k], CODE_DESC[k])
    fields = {}
    if len(buf.snaps.get("u", [])):
        for k, v in buf.snaps.items():
            fields[k] = (np.array(v), "length" if k in ("u", "Qbar") else "1",
                         f"bulk snapshot: {k} on (u, x, phi)" if k != "u" else "snapshot times")
        fields["x"] = (make_solver(p, nx).x, "1", "compactified radius x = r/(R+r)")
    summary = {"kind": "characteristic", "nsteps": int(nsteps), "du": (p["u1"] - p["u0"]) / nsteps,
               "nx_intervals": nx, "radial_order": p["order"], "steps_completed": len(buf.times),
               "stop_reason": reason}
    return RunData(series=series, fields=fields, summary=summary)
