"""Sweeps under faults: a killed worker, a killed scheduler or driver (issue 19; docs/cluster.md).

* **A worker dies in the middle of a point** (SIGKILL, OOM killer, node lost).  The scheduler
  notices and the future fails with ``KilledWorker`` (a LocalCluster's scheduler is configured
  with ``distributed.scheduler.allowed-failures = 0``, :data:`SCHEDULER_CONFIG`, so that this
  driver decides; an external scheduler applies its own setting first, default 3).  The driver
  submits the point once more (:data:`RETRIES`); the new attempt resumes from the point's
  checkpoint ``RESULT.checkpoint`` when its configuration writes checkpoints
  (``[output] checkpoint_every_steps`` / ``checkpoint_every_minutes``: bit-identical to an
  uninterrupted run), else starts again.  A second loss records the point as failed, with
  ``worker lost twice (...)`` as the reason, in its ``.failed`` marker and the manifest.
* **The scheduler dies** (or the client loses it): every outstanding future is cancelled; the
  driver records nothing for those points (they stay *pending*: no ``.failed`` marker, no
  manifest entry changed) and raises :class:`SchedulerLost`; ``asymflat sweep`` prints one line
  and exits 1.  Re-running the same command runs only the points without a valid result.
* **The driver dies** (a LocalCluster's scheduler lives in it): the manifest was rewritten after
  every outcome; results are the ground truth anyway, so a re-run skips every point whose result
  is complete and runs the rest.

In a worker a point holds ``RESULT.lock`` (:mod:`asymflat.io.lock`) while it runs, so that an
attempt the scheduler believes lost but which still runs (a network partition) cannot race the
retry on one file: the second is refused and the first one's result stands.
"""
from __future__ import annotations

import logging
import traceback
import uuid
from pathlib import Path
from typing import Any, Callable

log = logging.getLogger("asymflat.sweep")

#: how many times a point whose worker died is submitted again before it is recorded as failed
RETRIES = 1
#: Dask configuration of a LocalCluster's scheduler: no silent re-runs behind the driver's back
SCHEDULER_CONFIG: dict[str, Any] = {"distributed.scheduler.allowed-failures": 0}


class SchedulerLost(RuntimeError):
    """The Dask scheduler went away: ``pending`` points were not run (and not marked failed)."""

    def __init__(self, pending: list[int], reason: str):
        self.pending = sorted(pending)
        head = ", ".join(map(str, self.pending[:10])) + (" ..." if len(self.pending) > 10 else "")
        super().__init__(f"lost the Dask scheduler ({reason}); {len(self.pending)} point(s) not run "
                         f"({head}), left pending: run the same command again to continue")


def run_point(cfg: dict[str, Any], text: str, out: Path) -> None:
    """Run one point under a lock, resuming from its checkpoint if a previous attempt left one,
    and write its result atomically (the checkpoints are removed once it is written)."""
    from asymflat import api, runtime
    from asymflat.io import checkpoint, lock
    from asymflat.io import results as _io

    out.parent.mkdir(parents=True, exist_ok=True)       # a sweep's output directory is created
    ck = runtime.default_checkpoint(out)
    left = ck.exists() or checkpoint.previous(ck).exists()   # by an attempt that was killed
    session = runtime.Session.from_config(cfg, text, ck, resume=left)
    if left:
        log.warning("point %s: resuming from the checkpoint of a lost attempt", out.name)
    with lock.exclusive(out):
        runtime.remove_stale_temporaries(out, session.checkpoint)
        if session.periodic:
            with runtime.active(session):
                data = api.execute(cfg)
        else:
            data = api.execute(cfg)
        _io.write(out, data, cfg, text)
        session.finish()


def _scheduler_gone(client: Any, exc: BaseException) -> bool:
    import asyncio
    import concurrent.futures

    from distributed.comm.core import CommClosedError

    if isinstance(exc, (asyncio.CancelledError, concurrent.futures.CancelledError, CommClosedError,
                        ConnectionError, TimeoutError)):
        return True   # the connection to the scheduler, not a worker (a lost worker is KilledWorker)
    return getattr(client, "status", "running") not in ("running", "connecting")


def submit_all(points: list[Any], book: Any, client: Any, execute: Callable[[Any], Any],
               lost: Callable[[Any, BaseException, int], Any]) -> None:
    """Submit every point; record outcomes in completion order; retry a point whose worker died.

    ``execute(task)`` runs a point in a worker; ``lost(point, exc, attempts)`` builds the failed
    outcome of a point lost ``attempts`` times.  Raises :class:`SchedulerLost` when the
    scheduler goes away (after recording every outcome that arrived, and rebuilding the manifest
    from the result files: a point whose worker wrote its result before the scheduler went, with
    the outcome lost on the way, is done).
    """
    from distributed import as_completed

    attempts: dict[int, int] = {}

    def submit(p: Any) -> Any:
        attempts[p.index] = attempts.get(p.index, 0) + 1
        key = f"asymflat-{book.sweep.name}-{p.index}-{uuid.uuid4().hex[:12]}"
        return client.submit(execute, book.task(p, single_thread=True), pure=False, key=key)

    futures = {submit(p): p for p in points}
    queue = as_completed(list(futures))
    gone: list[int] = []
    reason = ""
    for future in queue:
        point = futures.pop(future)
        try:
            outcome = future.result()
        except BaseException as exc:  # noqa: BLE001 - KilledWorker, CancelledError, comm errors
            if _scheduler_gone(client, exc):
                gone.append(point.index)
                reason = reason or _one(exc)
                continue
            if attempts[point.index] <= RETRIES:
                log.warning("point %d: worker lost (%s); retrying (attempt %d of %d)", point.index, _one(exc),
                            attempts[point.index] + 1, RETRIES + 1)
                retry = submit(point)
                futures[retry] = point
                queue.add(retry)
                continue
            log.debug("point %d lost:\n%s", point.index, traceback.format_exc())
            outcome = lost(point, exc, attempts[point.index])
        book.record(outcome)
    if gone:
        book.refresh()   # results a worker wrote before the scheduler went are done: the manifest says so
        raise SchedulerLost([i for i in gone if book.states[i].status != "done"], reason)


def _one(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{exc.__class__.__name__}: {text}" if text else exc.__class__.__name__
