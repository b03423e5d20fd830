"""Ring scratch of the cache-blocked right-hand side (:mod:`.pipeline`).

On large grids the sweeps of the pipelined right-hand side go in blocks of BLOCK rows, and a field
used only inside one sweep lives in a ring of NSLOT blocks (rows base .. base + NSLOT BLOCK of its
work array) instead of a full-grid array: grid row r of a sweep whose blocks start at ``origin``
sits in scratch row base + ((r - origin) // BLOCK mod NSLOT) BLOCK + (r - origin) mod BLOCK
(:func:`ring_row`).  Smaller grids run flat (ring row = grid row).
"""
from __future__ import annotations

from .._jit import jit
from .layout import NCHUNK

#: rows per block of the pipelined sweeps (each phi-transform call costs ~0.5 us of overhead, so
#: blocks should not be much smaller)
BLOCK = 64
#: blocks per scratch ring: a sweep reads rows of the current and the previous block only (the
#: stencils reach ahead + back < BLOCK rows, checked in use_ring)
NSLOT = 2

#: grid points (Nx+1) Nphi from which the sweeps run in blocks with ring scratch (measured: below,
#: the work arrays fit in the last-level cache and the phases in turn are faster)
PIPELINE_MIN_POINTS = 96 * 1024


@jit
def stencil_reach(d1s, nc, n):
    """(ahead, back) of the D1 stencils: max over rows j of (last row read) - j and j - (first
    row read)."""
    ahead = 0
    back = 0
    for j in range(n):
        a = min(n - 1, d1s[j] + nc - 1) - j
        if a > ahead:
            ahead = a
        if j - d1s[j] > back:
            back = j - d1s[j]
    return ahead, back


@jit
def use_ring(n, m, d1s, nc):
    """Blocks of BLOCK rows with ring scratch (see above) for grids of at least
    :data:`PIPELINE_MIN_POINTS` points whose rings fit in the rows of a work array and whose
    stencils read no further back than the previous block; else one block per sweep (the phases
    in turn: smaller grids stay in the caches anyway and the blocks' extra calls would cost)."""
    ahead, back = stencil_reach(d1s, nc, n)
    return n * m >= PIPELINE_MIN_POINTS and n >= NCHUNK * NSLOT * BLOCK and ahead + back < BLOCK


@jit
def ring_row(r, ring, origin, base):
    """Row of the scratch holding grid row r (blocks start at ``origin``; ring region at ``base``)."""
    if not ring:
        return r
    d = r - origin
    return base + (d // BLOCK) % NSLOT * BLOCK + d % BLOCK


@jit
def stencil_rows_ring(start, coef, f, out, j0, j1, h, ring, origin, base):
    """:func:`grid.stencil_rows_to` on column block h of (n, nb, w) views, out rows via :func:`ring_row`."""
    n = f.shape[0]
    m = f.shape[2]
    nc = coef.shape[1]
    for j in range(j0, j1):
        s = start[j]
        o = ring_row(j, ring, origin, base)
        if nc == 8 and s + 8 <= n:
            c0, c1, c2, c3 = coef[j, 0], coef[j, 1], coef[j, 2], coef[j, 3]
            c4, c5, c6, c7 = coef[j, 4], coef[j, 5], coef[j, 6], coef[j, 7]
            for p in range(m):
                out[o, h, p] = (0.0 + c0 * f[s, h, p] + c1 * f[s + 1, h, p] + c2 * f[s + 2, h, p]
                                + c3 * f[s + 3, h, p] + c4 * f[s + 4, h, p] + c5 * f[s + 5, h, p]
                                + c6 * f[s + 6, h, p] + c7 * f[s + 7, h, p])
        elif nc == 6 and s + 6 <= n:
            c0, c1, c2, c3, c4, c5 = coef[j, 0], coef[j, 1], coef[j, 2], coef[j, 3], coef[j, 4], coef[j, 5]
            for p in range(m):
                out[o, h, p] = (0.0 + c0 * f[s, h, p] + c1 * f[s + 1, h, p] + c2 * f[s + 2, h, p]
                                + c3 * f[s + 3, h, p] + c4 * f[s + 4, h, p] + c5 * f[s + 5, h, p])
        else:
            for p in range(m):
                out[o, h, p] = 0.0
            for k in range(nc):
                ck = coef[j, k]
                if ck != 0.0:
                    for p in range(m):
                        out[o, h, p] += ck * f[s + k, h, p]
