"""Numba JIT decorator shared by every kernel in :mod:`solvers`.

``jit`` is ``numba.njit(cache=True)``.  Set the environment variable ``ASYMFLAT_NUMBA_CACHE=0``
to compile without the on-disk cache (e.g. on read-only installs or when debugging).

Compile time (issue 22): numba compiles a jitted callee once per argument-type signature, and a
callee called with a literal constant (``f(..., 0)``, or a loop counter started at ``0``, which is
``Literal[int](0)`` on the first pass of type inference) gets a signature of its own besides the
int64 one -- and every compilation of a caller generates the machine code of all its callees
again: numba links their optimised LLVM modules into the caller's and runs the full optimisation
and code generation over the whole (measured: a two-line jitted function calling the compiled
right-hand side takes 5.3 s to compile, the same with one call site or five).  So:

* the kernels start block counters from int64 expressions (``n - n``, ``j0 + 0``), not literals;
* a right-hand side evaluation is compiled once per run: the multi-step driver
  (timestepping.evolve_steps) calls the right-hand side's body (right_hand_side.rhs_body) at one
  site and is the one compilation unit of the time loop; it also computes the initial k1 and
  CharacteristicSolver.rhs, so a run compiles no stand-alone ``rhs`` (before: ``rhs`` 29 s, then
  ``evolve_steps`` 11 s linking it again);
* one-caller bodies are :data:`jit_inline` (inlined into the caller's numba IR, not compiled on
  their own): rhs_body, pipeline.rhs_pipelined, and the stages of pipeline_stages inside their
  sweeps (-5 s).  Inlining the four sweeps into the right-hand side as well was measured slower
  (cold start 51 s against 39 s: LLVM's optimisation of one very large function costs more than
  that of its parts), and so was inlining the small row kernels used at several sites (46 s).

Cold start to the first step (bench ``startup_cold_compile_to_first_step``, 32 x 16, G > 0): 44-50 s
before these, 33.5 s after (same machine, idle).
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
