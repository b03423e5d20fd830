"""The threaded kernels: the same code compiled with ``parallel=True``, on first use, disk-cached.

Compiled with :data:`solvers._jit.jit` the ``prange`` loops of the kernels are plain ranges (the
serial kernels).  :func:`threaded_kernels` compiles the same code objects again with
``parallel=True``, each in a copy of its module's globals in which the callees are the threaded
copies and ``_PARALLEL`` (:mod:`.pipeline`) is True.
"""
from __future__ import annotations

import types

from . import dealias as _dealias
from . import phases as _phases
from . import pipeline as _pipeline
from . import right_hand_side as _rhs
from . import timestepping as _ts
from . import vertex as _vertex

_THREADED = {}

#: kernels with ``prange`` loops (module, name), recompiled with ``parallel=True`` by
#: :func:`threaded_kernels` (callees before callers)
_PARALLEL_KERNELS = ((_phases, "rhs_by_phases"), (_pipeline, "rhs_pipelined"), (_rhs, "rhs_core"),
                     (_vertex, "project_out"), (_rhs, "rhs_body"), (_rhs, "rhs"), (_dealias, "rhs_pad"),
                     (_ts, "_axpy"), (_ts, "_rk4_update"), (_ts, "rk4_finish"),
                     (_ts, "rk4_finish_pad"), (_ts, "evolve_steps"), (_ts, "evolve_steps_pad"))


#: of those, the ones without prange loops of their own (compiled without parallel=True, calling
#: the threaded callees)
_SERIAL_CALLERS = ("rhs_core", "rhs_body", "rhs", "rk4_finish_pad", "evolve_steps", "evolve_steps_pad")


def threaded_kernels(dealias: bool = False):
    """(rhs, rk4_finish) (or, if ``dealias``, (rhs_pad, rk4_finish_pad)) compiled with
    ``parallel=True`` (same code; compiled on first use and cached on disk like the serial ones,
    under the names ``<kernel>__parallel``, so the two variants of one function do not share a
    cache entry), with ``_PARALLEL`` = True (the threaded layout of :func:`.pipeline.rhs_pipelined`).
    The prange regions make no numba runtime allocation (no prange reductions: _rk4_update counts
    into a scratch row), so neither variant allocates per call, or per step in evolve_steps."""
    if not _THREADED:
        import numba

        from .._jit import _CACHE
        copies = []
        for module, name in _PARALLEL_KERNELS:
            g = dict(vars(module))
            g["_PARALLEL"] = True
            g.update(_THREADED)
            fn = types.FunctionType(getattr(module, name).py_func.__code__, g, name)
            # distinct qualified name: numba's cache files and index are named after it (and its
            # index key does not include the parallel flag)
            fn.__qualname__ = name + "__parallel"
            f = numba.njit(parallel=name not in _SERIAL_CALLERS, cache=_CACHE)(fn)
            _THREADED[name] = f
            copies.append(g)
        # every copy sees every threaded kernel (compilation is lazy: at the first call)
        for g in copies:
            g.update(_THREADED)
    if dealias:
        return _THREADED["rhs_pad"], _THREADED["rk4_finish_pad"]
    return _THREADED["rhs"], _THREADED["rk4_finish"]


def driver_kernel(threaded: bool, dealias: bool = False):
    """The multi-step driver :func:`.timestepping.evolve_steps` (or ``evolve_steps_pad`` if
    ``dealias``), the one calling the threaded kernels if ``threaded`` and numba runs > 1 thread."""
    name = "evolve_steps_pad" if dealias else "evolve_steps"
    if threaded:
        import numba
        if numba.get_num_threads() > 1:
            threaded_kernels(dealias)
            return _THREADED[name]
    return getattr(_ts, name)


def kernels(threaded: bool, dealias: bool = False):
    """(rhs, rk4_finish) (or (rhs_pad, rk4_finish_pad) if ``dealias``): the threaded ones if
    ``threaded`` and numba runs > 1 thread."""
    if threaded:
        import numba
        if numba.get_num_threads() > 1:
            return threaded_kernels(dealias)
    return (_dealias.rhs_pad, _ts.rk4_finish_pad) if dealias else (_rhs.rhs, _ts.rk4_finish)
