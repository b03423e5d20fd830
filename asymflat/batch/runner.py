"""Running a sweep's pending points: in-process, or on Dask (docs/sweeps.md, docs/cluster.md).

One point is one call of :func:`asymflat.batch.point.execute_point`, in the driver or in a Dask
worker (:mod:`asymflat.batch.dask_cluster` makes the client).  The driver records every outcome
(``.failed`` marker, manifest) as it arrives, so an interrupted sweep resumes where it stopped.
"""
from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from asymflat.batch import resilience, store
from asymflat.batch.dask_cluster import WORKER_ENV, dask_client, import_distributed, usable_cores
from asymflat.batch.point import PointOutcome, PointTask, execute_point, one_line
from asymflat.batch.spec import Point, Sweep
from asymflat.batch.store import PointState
from asymflat.config import ConfigError

log = logging.getLogger("asymflat.sweep")

__all__ = ["PointOutcome", "PointTask", "SweepReport", "WORKER_ENV", "compile_class", "dask_client",
           "default_outdir", "execute_point", "one_line", "run_one", "run_sweep", "usable_cores"]

Report = Callable[["PointOutcome", PointState], None]


@dataclass
class SweepReport:
    """The end state of every point after a sweep invocation, and what this invocation did."""

    states: list[PointState]
    ran: int
    skipped: int
    manifest: Path

    @property
    def failed(self) -> list[PointState]:
        """Points that failed (invalid configuration or failed run)."""
        return [s for s in self.states if s.status == "failed"]

    @property
    def done(self) -> list[PointState]:
        """Points with a valid result."""
        return [s for s in self.states if s.status == "done"]

    @property
    def ok(self) -> bool:
        """Whether every point is done."""
        return all(s.status == "done" for s in self.states)


# -- bookkeeping ------------------------------------------------------------------------------------

class _Book:
    """The driver's record of a sweep: states, ``.failed`` markers and the manifest on disk."""

    def __init__(self, sweep: Sweep, outdir: Path, report: Report | None):
        self.sweep, self.outdir, self.report = sweep, outdir, report
        self.states = store.sweep_states(sweep, outdir)
        self.ran = 0

    def pending(self) -> list[Point]:
        return [p for p, s in zip(self.sweep.points, self.states) if p.valid and s.status != "done"]

    def task(self, point: Point, single_thread: bool) -> PointTask:
        out = store.result_path(self.sweep, point, self.outdir)
        assert point.config is not None
        return PointTask(point.index, point.config, point.config_hash, str(out.resolve()), single_thread)

    def record(self, outcome: PointOutcome) -> None:
        state = self.states[outcome.index]
        state.status, state.result = outcome.status, Path(outcome.result)
        state.error, state.wall_time_s = outcome.error, round(outcome.wall_time_s, 6)
        if outcome.status == "done":
            store.clear_failed(state.result)
        else:
            store.mark_failed(state.result, outcome.error)
        self.ran += 1
        self.save()
        if self.report is not None:
            self.report(outcome, state)

    def tidy_done(self) -> None:
        """Remove what a point killed between writing its result and removing its checkpoints
        left behind (the checkpoints, dead writers' temporaries): its complete result stands."""
        from asymflat import runtime
        from asymflat.io import checkpoint

        for s in self.states:
            if s.status == "done":
                ck = runtime.default_checkpoint(s.result)
                runtime.remove_stale_temporaries(s.result, ck)
                for c in (ck, checkpoint.previous(ck)):
                    c.unlink(missing_ok=True)

    def refresh(self) -> None:
        """Rebuild the states and the manifest from the files (results are the ground truth)."""
        self.states = store.refresh_manifest(self.sweep, self.outdir)

    def save(self) -> Path:
        return store.write_manifest(self.sweep, self.outdir, self.states)


# -- drivers ----------------------------------------------------------------------------------------

def default_outdir(sweep: Sweep) -> Path:
    """``results/<sweep name>`` (relative to the working directory)."""
    return Path("results") / sweep.name


def run_sweep(
    sweep: Sweep,
    outdir: str | Path | None = None,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    serial: bool = False,
    warmup: bool | None = None,
    report: Report | None = None,
    client: Any = None,
) -> SweepReport:
    """Run every valid point of ``sweep`` that is not done yet; record all outcomes.

    Parameters
    ----------
    sweep
        From :func:`~asymflat.batch.spec.load_sweep`; invalid points are reported, never run.
    outdir
        Directory of results and manifest (default ``results/<sweep name>``).
    workers
        LocalCluster size (default: the number of usable cores); ignored with ``scheduler``.
    scheduler
        Address of an existing Dask scheduler (e.g. one started by dask-jobqueue).
    serial
        Run in this process, one point after the other, without Dask.
    warmup
        Run the first pending point of each kind in this process before fanning out, so Numba
        compiles once and every worker loads the cached machine code.  Default: on for a
        LocalCluster, off for an external scheduler (whose workers may have other caches/CPUs).
    report
        Called with each outcome and the point's new state as results arrive.
    client
        An existing ``distributed.Client`` to use (e.g. on a ``dask_jobqueue.SLURMCluster``);
        it is left open.  Overrides ``workers`` and ``scheduler``.

    Returns
    -------
    SweepReport
        Final state of every point; a failed run never stops the others.
    """
    out = Path(outdir if outdir is not None else default_outdir(sweep)).resolve()
    out.mkdir(parents=True, exist_ok=True)
    book = _Book(sweep, out, report)
    manifest = book.save()
    book.tidy_done()
    pending = book.pending()
    skipped = sum(s.status == "done" for s in book.states)
    if pending and serial:
        _run_serial(pending, book)
    elif pending:
        local = scheduler is None and client is None
        _run_dask(pending, book, workers, scheduler, local if warmup is None else warmup, client)
    return SweepReport(book.states, book.ran, skipped, manifest)


def run_one(sweep: Sweep, index: int, outdir: str | Path | None = None) -> PointState:
    """Run point ``index`` in this process (a Slurm array task); skip it if already done.

    Writes the result (or the ``.failed`` marker) but not the manifest, so that array tasks
    never write one file concurrently; ``asymflat sweep SWEEP --status`` rebuilds it afterwards.

    Raises
    ------
    ConfigError
        ``index`` is out of range, or the point's configuration is invalid.
    """
    if not 0 <= index < len(sweep.points):
        raise ConfigError(f"--point {index}: out of range, must be 0..{len(sweep.points) - 1}")
    point = sweep.points[index]
    out = Path(outdir if outdir is not None else default_outdir(sweep)).resolve()
    state = store.sweep_states(sweep, out)[index]
    if not point.valid:
        store.mark_failed(state.result, state.error)
        raise ConfigError(f"point {index}: {point.error}")
    if state.status == "done":
        return state
    assert point.config is not None
    outcome = execute_point(PointTask(index, point.config, point.config_hash, str(state.result)))
    state.status, state.error, state.wall_time_s = outcome.status, outcome.error, outcome.wall_time_s
    if outcome.status == "done":
        store.clear_failed(state.result)
    else:
        store.mark_failed(state.result, outcome.error)
        log.debug("point %d failed:\n%s", index, outcome.traceback)
    return state


def _run_serial(points: list[Point], book: _Book) -> None:
    for point in points:
        book.record(execute_point(book.task(point, single_thread=False)))


def compile_class(config: dict[str, Any]) -> tuple:
    """What selects the compiled kernels a point uses: its kind, G = 0 (the test field: no
    hypersurface sources) against G > 0, a conical vertex (``vertex.mu`` != 1: the cone's slaving
    and quadrature kernels) and de-aliasing.  Grid sizes, ``radial_order`` and ``filter`` compile
    nothing new (measured: tests/test_faults_numba_cache.py), so they are not part of it."""
    vertex = config.get("vertex") or {}
    ch = config.get("characteristic") or {}
    return (config["kind"], float(config.get("G", 0.0)) == 0.0, float(vertex.get("mu", 1.0)) != 1.0,
            bool(ch.get("dealias", False)))


def _warm_up(points: list[Point], book: _Book) -> list[Point]:
    """Run the first point of each :func:`compile_class` here (Numba compiles and caches every kernel
    the sweep's points use); return the rest."""
    first: dict[tuple, Point] = {}
    for p in points:
        assert p.config is not None
        first.setdefault(compile_class(p.config), p)
    for point in first.values():
        log.info("warm-up: point %d (%s) in the driver", point.index, point.config["kind"] if point.config else "")
        book.record(execute_point(book.task(point, single_thread=False)))
    return [p for p in points if p not in first.values()]


def _run_dask(points: list[Point], book: _Book, workers: int | None, scheduler: str | None, warmup: bool,
              client: Any = None) -> None:
    import_distributed()
    if warmup:
        points = _warm_up(points, book)
    if not points:
        return
    if client is not None:
        _submit_all(points, book, client)
        return
    with dask_client(workers or min(len(points), usable_cores()), scheduler) as own:
        _submit_all(points, book, own)


def _submit_all(points: list[Point], book: _Book, client: Any) -> None:
    """Submit every point, then record outcomes in completion order (a point whose worker died
    is retried once; a lost scheduler leaves the rest pending: :mod:`asymflat.batch.resilience`)."""
    resilience.submit_all(points, book, client, execute_point, lambda p, exc, n: _outcome_lost(p, exc, n, book))


def _outcome_lost(point: Point, exc: BaseException, attempts: int, book: _Book) -> PointOutcome:
    task = book.task(point, single_thread=True)
    times = "twice" if attempts == 2 else f"{attempts} times"
    return PointOutcome(point.index, point.config_hash, "failed", task.output, 0.0,
                        error=f"worker lost {times}: {one_line(exc)}", traceback=traceback.format_exc())
