"""A vectorisable exp for the e^{2 beta} pass of the right-hand side.

``math.exp`` compiles to a scalar libm call (no SVML here), ~3 ns per point: 15% of an rhs
evaluation.  :func:`exp_rows` computes exp in a form LLVM vectorises (Cody-Waite reduction
a = k ln2 + r, |r| <= ln2/2, degree-13 Taylor polynomial in Horner form, 2^k built from its bits);
the error is about one ulp (measured max relative difference to ``math.exp`` 2.2e-16 for
|a| up to 700).  Arguments outside [-700, 700] and non-finite ones (NaN propagates, the NaN
detector relies on it) are recomputed with ``math.exp``.
"""
from __future__ import annotations

import math

from llvmlite import ir
from numba.core import types
from numba.extending import intrinsic

from .._jit import jit

LOG2E = 1.4426950408889634
LN2_HI = 6.93147180369123816490e-01  # fdlibm: trailing zero bits, k * LN2_HI exact for |k| < 2^11
LN2_LO = 1.90821492927058770002e-10
AMAX = 700.0


#: 1.5 * 2^52: an integral double k with |k| < 2^51 plus this has k in the low bits of its mantissa
_ROUND_MAGIC = 6755399441055744.0


@intrinsic
def _pow2_integral(typingctx, kf):
    """2.0 ** k for an integral float64 k in [-1022, 1023], from its bits, with no float-to-int
    conversion: t = k + 1.5 * 2^52 is exact and its low 12 mantissa bits are k mod 2^12, so
    (bits(t) + 1023) << 52 are the bits of 2^k.  Same value as building it from int64(k), but a
    packed double-to-int64 conversion exists only with AVX-512 (on an AVX2 host, e.g. znver3, the
    int64 version kept the loop of :func:`exp2x2b_rows` scalar: no ymm register in its code,
    measured), while a bit cast, a 64-bit add and a shift vectorise everywhere."""
    sig = types.float64(types.float64)

    def codegen(context, builder, sig, args):
        i64 = ir.IntType(64)
        t = builder.fadd(args[0], ir.Constant(ir.DoubleType(), _ROUND_MAGIC))
        bits = builder.bitcast(t, i64)
        bits = builder.shl(builder.add(bits, ir.Constant(i64, 1023)), ir.Constant(i64, 52))
        return builder.bitcast(bits, ir.DoubleType())

    return sig, codegen


@jit
def _exp_core(a):
    """exp(a) for a in [-AMAX, AMAX] (no range checks)."""
    kf = math.floor(a * LOG2E + 0.5)
    r = (a - kf * LN2_HI) - kf * LN2_LO
    p = 1.0 / 6227020800.0
    p = p * r + 1.0 / 479001600.0
    p = p * r + 1.0 / 39916800.0
    p = p * r + 1.0 / 3628800.0
    p = p * r + 1.0 / 362880.0
    p = p * r + 1.0 / 40320.0
    p = p * r + 1.0 / 5040.0
    p = p * r + 1.0 / 720.0
    p = p * r + 1.0 / 120.0
    p = p * r + 1.0 / 24.0
    p = p * r + 1.0 / 6.0
    p = p * r + 0.5
    p = p * r + 1.0
    p = p * r + 1.0
    return p * _pow2_integral(kf)


@jit
def exp2x2b_rows(x, b, e2b, j0, j1):
    """e2b[j, p] = exp(2 x_j^2 b[j, p]) for rows j0..j1-1 (as ``math.exp`` to a few ulp)."""
    m = b.shape[1]
    for j in range(j0, j1):
        x2 = x[j] * x[j]
        nbad = 0
        for p in range(m):
            a = 2.0 * x2 * b[j, p]
            ok = abs(a) <= AMAX
            ac = a if ok else 0.0
            e2b[j, p] = _exp_core(ac)
            nbad += 0 if ok else 1
        if nbad:
            for p in range(m):
                a = 2.0 * x2 * b[j, p]
                if not abs(a) <= AMAX:
                    e2b[j, p] = math.exp(a)
