"""One point of a sweep, run where it lands (the driver or a Dask worker; docs/sweeps.md).

:func:`execute_point` validates the configuration again, checks that it hashes to what the
driver expects, runs the kind and writes the result with the same atomic writer as
``asymflat run`` (:func:`asymflat.batch.resilience.run_point`).  A failed run becomes a
:class:`PointOutcome` with a one-line error, never an exception.
"""
from __future__ import annotations

import os
import socket
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asymflat.batch import resilience, store
from asymflat.batch.spec import config_hash
from asymflat.config import ConfigError


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


# -- running it --------------------------------------------------------------------------------------

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
