"""Numba JIT decorator shared by every kernel in :mod:`solvers`.

``jit`` is ``numba.njit(cache=True)``.  Set the environment variable ``ASYMFLAT_NUMBA_CACHE=0``
to compile without the on-disk cache (e.g. on read-only installs or when debugging).
"""
from __future__ import annotations

import functools
import os

import numba

_CACHE = os.environ.get("ASYMFLAT_NUMBA_CACHE", "1").strip().lower() not in ("0", "false", "no", "off")

#: ``numba.njit`` with ``cache=True`` unless ``ASYMFLAT_NUMBA_CACHE=0``.
jit = functools.partial(numba.njit, cache=_CACHE)

__all__ = ["jit"]
