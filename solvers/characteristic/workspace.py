"""Work arrays of the right-hand side and RK4, allocated once (on 2 MiB pages where worthwhile)."""
from __future__ import annotations

import numpy as np

from .layout import NW

#: work arrays of at least this many bytes in all are placed in memory backed by transparent huge
#: pages where the OS offers them (Linux, madvise): the right-hand side walks ~20 arrays of
#: 1 MiB at 513 x 256, beyond the reach of the 4 KiB-page TLB; 2 MiB pages make it 6-9% faster
#: (measured).  ASYMFLAT_HUGEPAGES=0 turns this off.
HUGEPAGE_MIN_BYTES = 8 << 20


def _arena(specs):
    """Zeroed arrays of the given (shape, dtype) specs, in one anonymous mapping advised to use
    transparent huge pages when that is possible and worthwhile, else ordinary numpy arrays.
    Returns (arrays, owner) -- keep ``owner`` alive as long as the arrays."""
    import mmap
    import os
    sizes = [int(np.prod(sh)) * np.dtype(dt).itemsize for sh, dt in specs]
    align = 4096
    offs, tot = [], 0
    for sz in sizes:
        offs.append(tot)
        tot += -(-sz // align) * align
    use = (tot >= HUGEPAGE_MIN_BYTES and hasattr(mmap, "MADV_HUGEPAGE")
           and os.environ.get("ASYMFLAT_HUGEPAGES", "1").strip().lower() not in ("0", "false", "no", "off"))
    if use:
        try:
            H = 2 << 20
            mm = mmap.mmap(-1, tot + H, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
            buf = np.frombuffer(mm, dtype=np.uint8)
            start = (-buf.ctypes.data) % H
            mm.madvise(mmap.MADV_HUGEPAGE, start, tot + H - start)
            out = [buf[start + o:start + o + sz].view(dt).reshape(sh)
                   for o, sz, (sh, dt) in zip(offs, sizes, specs)]
            return out, mm
        except (OSError, ValueError):  # pragma: no cover - no madvise on this system
            pass
    return [np.zeros(sh, dtype=dt) for sh, dt in specs], None


def ws_hugepages() -> bool:
    """Whether a 513 x 256 workspace gets transparent huge pages here (reported by bench/)."""
    w = Workspace(512, 256)
    if w._owner is None:
        return False
    w.wk[...] = 0.0
    addr = w.wk.ctypes.data
    try:
        with open("/proc/self/smaps") as f:
            lines = f.read().splitlines()
    except OSError:  # pragma: no cover
        return False
    inside = False
    for line in lines:
        head = line.split(" ", 1)[0]
        if "-" in head and ":" not in head:
            lo, hi = (int(v, 16) for v in head.split("-"))
            inside = lo <= addr < hi
        elif inside and line.startswith("AnonHugePages:"):
            return int(line.split()[1]) > 0
    return False


class Workspace:
    """Preallocated arrays for :func:`rhs` and :func:`rk4_finish` (see :func:`_arena`)."""

    _NAMES = ("wk", "hat", "k", "tmp")

    def __init__(self, nx: int, nphi: int):
        n = nx + 1
        self._alloc([((NW, n, nphi), np.float64), ((2, n, nphi // 2 + 1), np.complex128),
                     ((4, n, nphi), np.float64), ((n, nphi), np.float64)])

    def _alloc(self, specs):
        arrays, self._owner = _arena(specs)
        for name, a in zip(self._NAMES, arrays):
            setattr(self, name, a)

    # pickle / deepcopy: the arrays' values (the mapping itself cannot be pickled)
    def __getstate__(self):
        return {name: np.array(getattr(self, name)) for name in self._NAMES}

    def __setstate__(self, state):
        self._alloc([(state[name].shape, state[name].dtype) for name in self._NAMES])
        for name in self._NAMES:
            getattr(self, name)[...] = state[name]
