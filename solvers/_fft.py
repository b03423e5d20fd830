"""rocket-fft's low-level real transforms for the numba kernels, imported without scipy.fft.

The kernels call ``rocket_fft.r2c`` / ``c2r`` (PocketFFT/DUCC0 from nopython mode, into
preallocated buffers).  Importing :mod:`rocket_fft` also imports :mod:`scipy.fft` (with
scipy.special and scipy's array-API layer) only to register numba overloads of the scipy.fft
functions, which no kernel calls: about 0.2 s of every start (issue 22, warm start <= 1 s;
measured with ``python -X importtime``).  The import below hides scipy.fft from rocket-fft for
the duration of its import (rocket-fft then skips that registration, as it does when SciPy is
absent) and restores it at once, so a later ``import scipy.fft`` anywhere works as usual.
"""
from __future__ import annotations

import sys

if "rocket_fft" in sys.modules:
    from rocket_fft import c2r, r2c
else:
    _had = "scipy.fft" in sys.modules
    if not _had:
        sys.modules["scipy.fft"] = None  # an import of it raises ImportError meanwhile
    try:
        from rocket_fft import c2r, r2c
    finally:
        if not _had:
            del sys.modules["scipy.fft"]

__all__ = ["c2r", "r2c"]
