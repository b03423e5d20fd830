"""Error estimates of the checks: the shadow grid (Richardson), round-off floors, measured orders.

Every check of an evolution kind is ``Check(name, value, estimate, SAFETY, method, description)``
(:func:`make_check`) and passes iff ``|value| <= SAFETY x estimate``.  The estimate comes from the
run itself: a half-resolution shadow grid (nx/2 intervals, same cfl, so du doubles) whose samples
coincide with every other fine one (:func:`fine_at_coarse`).  Design order p = RICHARDSON_ORDER = 4
(RK4 in u, the frame transport, radial order >= 4; phi is spectral and the same on both grids):

* a quantity with a known exact value: error of the fine run ~ |fine - coarse| / (2^p - 1)
  (:func:`richardson_estimate`, method RICH);
* a residual that vanishes in the continuum: the coarse residual scaled by 2^-p (method SCALED);
  the check then passes iff the measured order log2(R_coarse/R_fine) >= p - log2(SAFETY).

Each estimate has a round-off floor added, ROUNDOFF = 100 eps times the size of the quantity.
"""
from __future__ import annotations

import numpy as np

from asymflat.data import Check

RICHARDSON_ORDER = 4
SAFETY = 3.0
EPS = float(np.finfo(float).eps)
ROUNDOFF = 100 * EPS

RICH = f"shadow grid nx/2: |fine - coarse|/(2^{RICHARDSON_ORDER} - 1) + round-off"
SCALED = f"shadow grid nx/2: coarse residual x 2^-{RICHARDSON_ORDER} + round-off"
ROUND = "round-off model"


def make_check(name, value, est, method, desc, scale: float = float("nan")) -> Check:
    """``Check(name, value, estimate, SAFETY, method, desc, scale)`` with the values as floats;
    ``scale`` is the size of the compared quantities (a check with ``scale <= tolerance`` is
    vacuous: :attr:`asymflat.data.Check.vacuous`)."""
    return Check(name, float(value), float(est), SAFETY, method, desc, float(scale))


def fine_at_coarse(fine, coarse):
    """Shadow-grid pairing: the fine samples at the coarse times (every other fine sample, the
    shadow grid having twice the step) and the coarse ones, cut to a common length; ``coarse``
    None gives ``(fine, None)``."""
    if coarse is None:
        return fine, None
    f2 = fine[::2]
    m = min(len(f2), len(coarse))
    return f2[:m], coarse[:m]


def fine_at_coarse_from_end(f: np.ndarray, c: np.ndarray | None):
    """Fine dense cuts at the coarse cut times and the coarse ones, aligned at the last cut (the
    data cone of the advanced kind; the coarse cuts are every other fine one counted from there)."""
    if c is None:
        return f, None
    f2 = f[::-1][::2]
    c2 = c[::-1]
    m = min(len(f2), len(c2))
    return f2[:m][::-1], c2[:m][::-1]


def richardson_estimate(fine, coarse):
    """Richardson estimate |fine - coarse| / (2^p - 1) (max over the common samples)."""
    if coarse is None:
        return np.nan
    return float(np.max(np.abs(fine - coarse))) / (2**RICHARDSON_ORDER - 1)


def shadow_richardson(fine: np.ndarray, coarse: np.ndarray | None) -> float:
    """:func:`richardson_estimate` of the samples paired by :func:`fine_at_coarse` (nan without a
    shadow grid)."""
    if coarse is None:
        return float("nan")
    f2, c2 = fine_at_coarse(fine, coarse)
    return float(np.max(np.abs(f2 - c2))) / (2**RICHARDSON_ORDER - 1)


def measured_order(fine_err: float, coarse_err: float) -> float:
    """Convergence order log2(coarse_err / fine_err) of a nx/2 -> nx pair (nan unless both > 0)."""
    if not (fine_err > 0 and coarse_err > 0):
        return float("nan")
    return float(np.log2(coarse_err / fine_err))


def cone_order(mu: float) -> float:
    """Convergence order of the scri+ laws with a conical vertex of parameter ``mu``.

    Regular modes at the tip go like x^{nu}, nu = |m|/mu (tests/test_derivation_cone.py).  For
    integer 1/mu every vertex power is an integer and the design order 4 holds; otherwise the
    non-smooth powers limit it.  Measured on the scri+ flux laws and balances (nx = 129 -> 257, an
    m = 0, 1, 2 scattering run, tests/test_cone_vertex.py): 1.51 (mu = 0.8), 1.86 (0.7),
    2.22-2.33 (0.6), i.e. 2/mu - 1 = 2 nu_1 - 1 (the quadratic terms |chi_1|^2 ~ x^{2 nu_1} in
    beta and Qbar), so the check estimate uses min(4, 2/mu - 1).
    """
    k = 1.0 / mu
    if abs(k - round(k)) < 1e-9:
        return float(RICHARDSON_ORDER)
    return float(min(RICHARDSON_ORDER, 2.0 * k - 1.0))
