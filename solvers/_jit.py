"""Numba JIT decorator shared by every kernel in :mod:`solvers`.

``jit`` is ``numba.njit(cache=True)``.  Set the environment variable ``ASYMFLAT_NUMBA_CACHE=0``
to compile without the on-disk cache (e.g. on read-only installs or when debugging).

Compile time (issue 22): numba compiles a jitted callee once per argument-type signature, and a
callee called with a literal constant (``f(..., 0)``, or a loop counter started at ``0``, which is
``Literal[int](0)`` on the first pass of type inference) gets a signature of its own besides the
int64 one -- and every compilation of a callee also generates the machine code of all its own
callees again (numba links their LLVM modules into the caller's and optimises the whole).  So the
kernels start block counters from int64 expressions (``n - n``, ``j0 + 0``) rather than literals.
The one-caller wrappers of the serial path (pipeline.rhs_pipelined in right_hand_side.rhs,
timestepping.rk4_finish in evolve_steps) are :data:`jit_inline`: their bodies are inlined into the
caller's numba IR, so a cold start does not generate the whole right-hand side's machine code once
more for each of them (measured: cold compile to the first step 0.85 x the CPU time).
"""
from __future__ import annotations

import functools
import os

#: Bounded spin of idle OpenMP worker threads (the threaded kernels of characteristic/threaded.py use numba's
#: 'omp' layer = libgomp).  Under OMP_WAIT_POLICY=PASSIVE (what bench/ sets for the shared machine)
#: libgomp's spin count is 0: a worker sleeps at the end of every parallel region and waking it
#: costs ~50 us per region (measured on the 2-core VM: empty prange(2) region 50-55 us passive,
#: 0.85 us with this setting) -- an rhs has 9 regions, a step ~40, i.e. ~2 ms of a ~10 ms step at
#: 513x256.  GOMP_SPINCOUNT=10000 (libgomp estimates ~100000 spins per ms, so ~0.1 ms) lets a worker
#: spin across the short serial gaps (band solve of chi_u, slaving) and then still sleep, so the
#: wasted CPU per wait stays bounded (unlike ACTIVE, which spins for minutes); libgomp throttles it
#: further when there are more threads than CPUs.  libgomp reads it once, when it is loaded (numba
#: loads its thread pool on the first parallel launch or numba.set_num_threads call, i.e. after
#: this import); a value set by the user is kept.
os.environ.setdefault("GOMP_SPINCOUNT", "10000")

import numba  # noqa: E402

_CACHE = os.environ.get("ASYMFLAT_NUMBA_CACHE", "1").strip().lower() not in ("0", "false", "no", "off")

#: ``numba.njit`` with ``cache=True`` unless ``ASYMFLAT_NUMBA_CACHE=0``.
jit = functools.partial(numba.njit, cache=_CACHE)

#: ``jit`` whose body numba inlines into its jitted callers (``inline='always'``, numba IR level):
#: the callee is then not compiled on its own for them (see above)
jit_inline = functools.partial(numba.njit, cache=_CACHE, inline="always")

__all__ = ["jit", "jit_inline"]
