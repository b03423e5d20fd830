"""Batch runs: sweep files, their points, result bookkeeping and the runners (``asymflat sweep``).

``spec``
    The sweep file format (docs/sweeps.md): a base configuration plus the keys it varies, expanded
    into :class:`~asymflat.batch.spec.Point` objects, each validated before anything runs.
``store``
    Where each point's result lives, whether it is done (complete, and its stored configuration
    hashes to the point's), failure markers and the JSON manifest.
``point``
    One point run where it lands (driver or worker): validated again, run, written atomically;
    a failure becomes a one-line outcome.
``runner``
    Running the pending points: in-process (``--serial``, ``--point K``) or on Dask (a
    ``LocalCluster`` by default, or an existing scheduler), after warming the Numba cache.
``dask_cluster``
    The Dask client, its LocalCluster and the workers' environment.

Dask is imported only by ``dask_cluster``, and only when used, so the core package does not
depend on it.
"""
from asymflat.batch.runner import PointOutcome, SweepReport, run_one, run_sweep
from asymflat.batch.spec import Point, Sweep, load_sweep, parse_sweep
from asymflat.batch.store import PointState, read_manifest, refresh_manifest, sweep_states

__all__ = [
    "Point", "Sweep", "load_sweep", "parse_sweep",
    "PointState", "sweep_states", "read_manifest", "refresh_manifest",
    "PointOutcome", "SweepReport", "run_sweep", "run_one",
]
