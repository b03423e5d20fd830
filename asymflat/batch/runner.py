"""Running a sweep's pending points: in-process, or on Dask (docs/sweeps.md, docs/cluster.md).

One point is one call of :func:`execute_point`, in the driver or in a Dask worker: it validates
the configuration again, checks that it hashes to what the driver expects, runs the kind and
writes the result with the same atomic writer as ``asymflat run``.  The driver records every
outcome (``.failed`` marker, manifest) as it arrives, so an interrupted sweep resumes where it
stopped.

Dask (``pip install asymflat[dist]``) is imported only here and only when used.
"""
from __future__ import annotations

import contextlib
import logging
import os
import socket
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from asymflat.batch import resilience, store
from asymflat.batch.spec import Point, Sweep, config_hash
from asymflat.batch.store import PointState
from asymflat.config import ConfigError

log = logging.getLogger("asymflat.sweep")

#: Environment of every LocalCluster worker, set before the worker imports numba or numpy:
#: one run per worker and one thread per run, so N workers use N cores.
WORKER_ENV: dict[str, str] = {
    "NUMBA_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
}

Report = Callable[["PointOutcome", PointState], None]


@dataclass(frozen=True)
class PointTask:
    """What a worker needs to run one point (plain data: it is pickled to remote workers)."""

    index: int
    config: dict[str, Any]
    config_hash: str
    output: str
    single_thread: bool = False


@dataclass
class PointOutcome:
    """What running one point gave: ``status`` is ``"done"`` or ``"failed"`` (with ``error``)."""

    index: int
    config_hash: str
    status: str
    result: str
    wall_time_s: float
    error: str = ""
    traceback: str = ""
    host: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")


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


# -- one point --------------------------------------------------------------------------------------

def execute_point(task: PointTask) -> PointOutcome:
    """Run one point and write its result atomically; never raises for a failed run.

    Runs in a Dask worker or in-process.  With ``task.single_thread`` Numba's parallel regions
    use one thread (a second guard besides ``NUMBA_NUM_THREADS=1`` in the worker environment,
    for workers of an external scheduler whose environment the driver does not control).
    """
    t0 = time.perf_counter()
    try:
        if task.single_thread:
            _single_numba_thread()
        _run_and_write(task)
    except Exception as exc:  # every failure becomes a one-line error in the manifest
        return PointOutcome(task.index, task.config_hash, "failed", task.output, time.perf_counter() - t0,
                            error=one_line(exc), traceback=traceback.format_exc())
    return PointOutcome(task.index, task.config_hash, "done", task.output, time.perf_counter() - t0)


def _run_and_write(task: PointTask) -> None:
    from asymflat import api

    cfg, text = api.resolve_config(task.config)
    if config_hash(text) != task.config_hash:
        raise RuntimeError("this worker's asymflat validates the point differently from the driver's "
                           "(different versions installed?)")
    out = Path(task.output)
    store.remove_stale_temps(out)
    resilience.run_point(cfg, text, out)   # under RESULT.lock, resuming from RESULT.checkpoint


def _single_numba_thread() -> None:
    try:
        import numba
    except ImportError:  # pragma: no cover - numba is a core dependency
        return
    numba.set_num_threads(1)


def one_line(exc: BaseException) -> str:
    """``ExcType: first line of the message`` (a ConfigError's message alone)."""
    text = " ".join(str(exc).split()) if str(exc) else ""
    if isinstance(exc, ConfigError):
        return text or "invalid configuration"
    return f"{exc.__class__.__name__}: {text}" if text else exc.__class__.__name__


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
    _import_distributed()
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


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise ConfigError("--workers/--scheduler need Dask: pip install 'asymflat[dist]' (or use --serial)") from None
    return distributed


def usable_cores() -> int:
    """Cores this process may run on (affinity mask / cgroup-aware where the OS says so)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


@contextlib.contextmanager
def dask_client(workers: int, scheduler: str | None = None) -> Iterator[Any]:
    """A ``distributed.Client``: on an existing scheduler, or on a fresh LocalCluster.

    The LocalCluster has ``workers`` single-threaded worker processes whose environment
    (:data:`WORKER_ENV`) is set before they import numba; it is closed on exit.  A client of
    an external scheduler is closed on exit; the scheduler and its workers are left running.
    """
    distributed = _import_distributed()
    if scheduler is not None:
        # the client logs the traceback of every failed reconnect when the scheduler is lost; the
        # driver says it in one line (resilience.SchedulerLost)
        with _quiet("distributed.client", logging.CRITICAL), distributed.Client(scheduler) as client:
            yield client
        return
    env = {**WORKER_ENV, **_passthrough_env()}
    import dask

    with _quiet("distributed"), dask.config.set(resilience.SCHEDULER_CONFIG), distributed.LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, env=env,
        dashboard_address=":0", silence_logs=logging.WARNING,
    ) as cluster:
        with distributed.Client(cluster) as client:
            log.info("LocalCluster: %d workers x 1 thread; dashboard %s", workers, client.dashboard_link)
            yield client


@contextlib.contextmanager
def _quiet(logger_name: str, level: int = logging.WARNING) -> Iterator[None]:
    """Raise a logger's level for the duration (the CLI logs at INFO; Dask's INFO is noise)."""
    logger = logging.getLogger(logger_name)
    old = logger.level
    logger.setLevel(max(level, old))
    try:
        yield
    finally:
        logger.setLevel(old)


def _passthrough_env() -> dict[str, str]:
    """Numba cache settings of the driver, handed on explicitly (docs/cluster.md)."""
    keys = ("NUMBA_CACHE_DIR", "ASYMFLAT_NUMBA_CACHE")
    return {k: os.environ[k] for k in keys if k in os.environ}

