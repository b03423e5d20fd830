"""Checkpoints of the scattering kind, one per finished ladder level (issue 19; docs/format.md,
"Checkpoints and restart").

A scattering run evolves one first cone per ladder level (:func:`asymflat.pipeline.ladder.run_level`),
then post-processes them all.  After each level's two evolutions (main and shadow grid) the run
writes a checkpoint holding what every finished level accumulated (the :class:`Buffers` of its
evolutions, bit for bit); ``--resume`` rebuilds those levels from it and runs the first unfinished
one from its first cone.  Everything after the evolutions is computed from the buffers, so the
resumed result is bit-identical to an uninterrupted run.  A stop request (SIGINT/SIGTERM) is
honoured at the next level boundary, with a checkpoint.

State: ``scattering_layout, levels_done, nlevels`` and ``level{j}.main.*``, ``level{j}.shadow.*``
(j < levels_done; :meth:`Buffers.state`).
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from asymflat import runtime
from asymflat.io.checkpoint import CheckpointError
from asymflat.pipeline.evolution import Buffers

#: layout of the scattering kind's checkpoints
LAYOUT = 1


def level_state(runs: list[dict], nlevels: int) -> dict:
    """Checkpoint state after ``len(runs)`` finished levels."""
    state = dict(scattering_layout=np.int64(LAYOUT), levels_done=np.int64(len(runs)), nlevels=np.int64(nlevels))
    for j, r in enumerate(runs):
        p = r["p"]
        state.update(r["main"]["buffers"].state(f"level{j}.main", p["nx"] + 1, p["nphi"]))
        if r["coarse"] is not None:
            state.update(r["coarse"]["buffers"].state(f"level{j}.shadow", p["nx"] // 2 + 1, p["nphi"]))
    return state


def finished_levels(sess: runtime.Session, nlevels: int) -> list[tuple]:
    """``(main buffers, shadow buffers or None)`` of each level finished in the checkpoint
    being resumed from (none when not resuming); a checkpoint of another layout is refused."""
    state = sess.load()
    if state is None:
        return []
    source = sess.restored_from
    try:
        layout, done, n = int(state["scattering_layout"]), int(state["levels_done"]), int(state["nlevels"])
    except KeyError as exc:
        raise CheckpointError(f"{source}: not a scattering-kind checkpoint (no {exc})") from None
    if layout != LAYOUT:
        raise CheckpointError(f"{source}: checkpoint layout {layout}, this version reads {LAYOUT}")
    if n != nlevels or not 0 <= done <= n:
        raise CheckpointError(f"{source}: checkpoint of {done} of {n} levels; this run has {nlevels} levels")
    return [(Buffers.from_state(f"level{j}.main", state),
             Buffers.from_state(f"level{j}.shadow", state) if f"level{j}.shadow.times" in state else None)
            for j in range(done)]


def run_levels(levels: list[dict], parts: list, run_level: Callable[..., dict]) -> list[dict]:
    """Every ladder level (``run_level(level, progress, evolved=...)``), resuming the finished
    ones from the checkpoint and writing one after each level that ran here."""
    sess = runtime.current()
    done = finished_levels(sess, len(levels))
    runs: list[dict] = []
    for i, lev in enumerate(levels):
        runs.append(run_level(lev, parts[i], evolved=done[i] if i < len(done) else None,
                              first_cut_only=not lev["main"]))
        if i >= len(done) and sess.periodic:
            sess.save(level_state(runs, len(levels)))
        sess.poll(lambda: level_state(runs, len(levels)), f"after ladder level {i + 1} of {len(levels)}")
    return runs
