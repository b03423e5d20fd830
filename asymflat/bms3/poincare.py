"""The Poincare part of a BMS3 element: ``Q = P . R`` with ``P`` Poincare and ``R`` as close to the
identity as a least-squares fit makes it (docs/conventions.md section 11.2, the time-symmetric
frame-fixing rule of ``/scri_plus_final_frame``).

Convention of asymflat.bms3.action: ``(F, gamma)`` maps new to old coordinates,
``phi_old = F(phi)``, ``u_old = F'(phi)(u + gamma(phi))``; "``P`` then ``R``" is
``(F_P o F_R, gamma_R + (gamma_P o F_R) / F_R')`` (:meth:`BMS3Element.then`).  The Poincare subgroup
(the stabiliser of Minkowski, Theta = -1, Xi = 0; physics-bms3.md section 2.4) is

    F_P = rotation(theta) o boost(rapidity, direction)      (PSL(2, R) acting on the circle),
    gamma_P = a0 + a1 cos(phi) + b1 sin(phi)                 (translations),

so ``(F_P, gamma_P) = (F_P, 0) . (id, gamma_P)`` is a Lorentz transformation followed by a
translation.  :func:`poincare_part` fits ``F_P`` to ``F_Q`` (three parameters, nonlinear least
squares on the grid), then ``gamma_P`` to ``gamma_Q`` (linear least squares for
``gamma_R = gamma_Q - (gamma_P o F_R) / F_R'``, with ``F_R = F_P^{-1} o F_Q``).  When ``Q`` is
Poincare, ``R`` is the identity to the fit's round-off; otherwise ``max|F_R - phi|`` and
``max|gamma_R|`` measure how far ``Q`` is from the Poincare subgroup.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from asymflat.bms3 import diffeo as _diffeo
from asymflat.bms3.action import BMS3Element
from asymflat.bms3.recovery import inverse_diffeo
from asymflat.bms3.spectral import TrigSeries, phi_grid


def lorentz(theta: float, rapidity: float, direction: float) -> _diffeo.CircleDiffeo:
    """``rotation(theta) o boost(rapidity, direction)`` (asymflat.bms3.diffeo)."""
    return _diffeo.rotation(theta).compose(_diffeo.boost(rapidity, direction))


@dataclass
class PoincareSplit:
    """``Q = P . R``: ``P`` Poincare (its six parameters), ``R`` the remainder.

    Attributes
    ----------
    P, R : BMS3Element
    theta, rapidity, direction : the Lorentz part ``F_P`` (:func:`lorentz`).
    translation : (a0, a1, b1) of ``gamma_P = a0 + a1 cos phi + b1 sin phi``.
    remainder_F, remainder_gamma : max|F_R - phi| and max|gamma_R| on the grid.
    """

    P: BMS3Element
    R: BMS3Element
    theta: float
    rapidity: float
    direction: float
    translation: tuple[float, float, float]
    remainder_F: float
    remainder_gamma: float


def _wrap(a: np.ndarray) -> np.ndarray:
    return (a + np.pi) % (2.0 * np.pi) - np.pi


def _fit_lorentz(FQ: np.ndarray, x: np.ndarray) -> tuple[float, float, float]:
    """(theta, rapidity, direction) of the Moebius map nearest ``FQ`` (values on ``x``)."""
    from scipy.optimize import least_squares

    d = _wrap(FQ - x)
    if float(np.max(np.abs(d))) == 0.0:
        return 0.0, 0.0, 0.0
    # first guess from the m = 0, 1 modes: boost(eta, alpha) - phi ~ eta sin(phi - alpha)
    c0 = float(np.mean(d))
    c1 = 2.0 * np.mean((d - c0) * np.exp(-1j * x))          # d ~ c0 + Re(c1 e^{i x})
    eta0 = abs(c1)
    alpha0 = float(np.angle(c1)) + np.pi / 2 if eta0 > 0 else 0.0

    def res(p):
        # the boost's own rotation at phi = direction is zero; fit in (theta, eta cos, eta sin)
        th, ec, es = p
        eta, al = float(np.hypot(ec, es)), float(np.arctan2(es, ec))
        return _wrap(lorentz(th, eta, al)(x) - FQ)

    sol = least_squares(res, [c0, eta0 * np.cos(alpha0), eta0 * np.sin(alpha0)], xtol=1e-15, ftol=1e-15,
                        gtol=1e-15, method="lm")
    th, ec, es = (float(v) for v in sol.x)
    return th, float(np.hypot(ec, es)), float(np.arctan2(es, ec))


def poincare_part(Q: BMS3Element, n: int = 256) -> PoincareSplit:
    """Split ``Q = P . R`` (module doc) on ``phi_grid(n)``."""
    x = phi_grid(n)
    th, eta, al = _fit_lorentz(Q.F(x), x)
    FP = lorentz(th, eta, al)
    FR = inverse_diffeo(FP).compose(Q.F)
    fr, fr1 = FR(x), FR.d(x, 1)
    basis = np.stack([np.ones_like(x), np.cos(fr), np.sin(fr)], axis=1) / fr1[:, None]
    gq = Q.gamma(x)
    coef, *_ = np.linalg.lstsq(basis, gq, rcond=None)
    gR = gq - basis @ coef
    a0, a1, b1 = (float(c) for c in coef)
    gP = TrigSeries.from_grid(a0 + a1 * np.cos(x) + b1 * np.sin(x), chop=4 * np.finfo(float).eps)
    P = BMS3Element(FP, gP)
    R = BMS3Element(FR, TrigSeries.from_grid(gR, chop=4 * np.finfo(float).eps))
    return PoincareSplit(P, R, th, eta, al, (a0, a1, b1), float(np.max(np.abs(_wrap(fr - x)))),
                         float(np.max(np.abs(gR))))
