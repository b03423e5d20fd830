"""The vectorisable exp used for e^{2 beta} agrees with libm to about one ulp and keeps NaN/inf."""
from __future__ import annotations

import numpy as np

from solvers.characteristic.fastmath_exp import exp2x2b_rows


def test_exp_matches_libm_to_an_ulp():
    rng = np.random.default_rng(1)
    x = np.sqrt(0.5) * np.ones(4)  # 2 x^2 = 1: the argument is b itself
    b = np.concatenate([rng.uniform(-700, 700, 4000), rng.uniform(-1, 1, 4000),
                        rng.uniform(-1e-8, 1e-8, 4000), [0.0, 700.0, -700.0, 1e-300]]).reshape(4, -1)
    out = np.empty_like(b)
    exp2x2b_rows(x, b, out, 0, 4)
    expected = np.exp(2.0 * (x * x)[:, None] * b)
    rel = np.max(np.abs(out - expected) / expected)
    assert rel <= 4.5e-16, rel  # measured 2.2e-16 (one ulp)


def test_exp_out_of_range_and_non_finite_fall_back_to_libm():
    x = np.sqrt(0.5) * np.ones(1)
    b = np.array([[np.nan, np.inf, -np.inf, 800.0, -800.0, 709.0, -745.0, 0.5]])
    out = np.empty_like(b)
    exp2x2b_rows(x, b, out, 0, 1)
    import math

    def libm(a):
        try:
            return math.exp(a)
        except OverflowError:
            return math.inf

    x2 = x[0] * x[0]
    expected = [libm(2.0 * x2 * a) for a in b[0, 1:]]  # the kernel's own argument 2 x^2 b
    assert np.isnan(out[0, 0])
    np.testing.assert_array_equal(out[0, 1:-1], expected[:-1])  # out of range: the fallback is libm itself
    assert abs(out[0, -1] / expected[-1] - 1) <= 4.5e-16  # in range: the polynomial, within an ulp
