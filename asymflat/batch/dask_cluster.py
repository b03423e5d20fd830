"""The Dask side of a sweep (docs/cluster.md): the client, its LocalCluster and worker environment.

Dask (``pip install asymflat[dist]``) is imported only here and only when used.
"""
from __future__ import annotations

import contextlib
import logging
import os
from typing import Any, Iterator

from asymflat.batch import resilience
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


def import_distributed() -> Any:
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
    distributed = import_distributed()
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
