"""Batch runs: sweep files, their points, result bookkeeping and the runners (``asymflat sweep``).

``spec``
    The sweep file format (docs/sweeps.md): a base configuration plus the keys it varies, expanded
    into :class:`~asymflat.batch.spec.Point` objects, each validated before anything runs.
``store``
    Where each point's result lives, whether it is done (complete, and its stored configuration
    hashes to the point's), failure markers and the JSON manifest.
``runner``
    Running the pending points: in-process (``--serial``, ``--point K``) or on Dask (a
    ``LocalCluster`` by default, or an existing scheduler), after warming the Numba cache.

Dask is imported only by the Dask runner, so the core package does not depend on it.
"""
from asymflat.batch.runner import PointOutcome, SweepReport, run_one, run_sweep
from asymflat.batch.spec import Point, Sweep, load_sweep, parse_sweep
from asymflat.batch.store import PointState, read_manifest, refresh_manifest, sweep_states

__all__ = [
    "Point", "Sweep", "load_sweep", "parse_sweep",
    "PointState", "sweep_states", "read_manifest", "refresh_manifest",
    "PointOutcome", "SweepReport", "run_sweep", "run_one",
]
