"""Frame-free invariants of a state (Theta, Xi): the stabiliser of Theta and the rest-frame spin.

A state on a cut of scri is a point of the BMS3 coadjoint orbit (reference physics-bms3.md §2.4,
§2.6).  Two frame-free numbers label the massive (elliptic, conical-defect) and the hyperbolic orbits:

* the Hill trace of Theta (:func:`asymflat.bms3.hill`), i.e. the rest mass;
* the rest-frame angular momentum, defined here.

Stabiliser.  The infinitesimal superrotation ``Y`` acts on Theta by (docs/conventions.md §3)

    delta_Y Theta = Y Theta' + 2 Y' Theta - 2 Y''' .

For an elliptic or hyperbolic Theta its kernel is one-dimensional: the vector field ``Y0`` that
generates the rotations (time translations) of the state's rest frame.  In the rest frame
``Theta = -mu^2`` it is ``Y0 = 1``; under a superrotation ``phi_old = F(phi)`` it is carried as a
vector field, ``Y0_new = Y0_old(F)/F'``.  The normalisation

    (1/2 pi) oint dphi / Y0 = 1

is therefore frame independent (``oint dphi/Y0`` is the period of the flow of Y0).

Rest-frame angular momentum.  With that normalisation

    J_rest = -Q[T = 0, Y = Y0] = -(1/8 pi G) oint Xi Y0 dphi

(the sign of the reported J = -Q[0, 1], docs/conventions.md §4 and §8) is invariant under the whole
BMS3 group: under ``(F, gamma)`` (finite law of :func:`asymflat.bms3.finite_action`) the
superrotation part is the pushforward above, and the supertranslation part ``D_Theta gamma = gamma' Theta + gamma Theta'/2 - gamma'''`` integrates to
zero against any stabiliser, ``oint Y D_Theta gamma = -(1/2) oint gamma delta_Y Theta = 0``.  In the
rest frame ``J_rest`` is the reported J charge (:func:`asymflat.bms3.poincare_charges`).  For the
Minkowski orbit the stabiliser is three-dimensional (sl(2)) and ``J_rest`` is not defined: refused.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .hill import hill
from .spectral import TWO_PI, derivative, phi_grid

__all__ = ["Stabiliser", "stabiliser", "rest_frame_angular_momentum", "orbit_invariants"]


@dataclass
class Stabiliser:
    """The stabiliser vector field of a mass aspect on the grid."""

    Y0: np.ndarray  #: normalised, positive: (1/2 pi) oint dphi / Y0 = 1
    residual: float  #: max |delta_{Y0} Theta| / max |Y0| on the grid (a null-vector check)
    gap: float  #: smallest over second-smallest singular value: small when the kernel is one-dimensional


def _trig_basis(n: int) -> np.ndarray:
    """Real Fourier basis 1, cos(k phi), sin(k phi), k < n/2, on the grid (Nyquist excluded)."""
    phi = phi_grid(n)
    cols = [np.ones(n)]
    for k in range(1, (n - 1) // 2 + 1):
        cols += [np.cos(k * phi), np.sin(k * phi)]
    return np.column_stack(cols)


def stabiliser(theta: np.ndarray) -> Stabiliser:
    """Kernel of ``Y -> Y Theta' + 2 Y' Theta - 2 Y'''`` on trigonometric polynomials.

    The operator is applied to the real Fourier basis (modes below Nyquist; spectral derivatives)
    and its null vector is the right singular vector of the smallest singular value.  Refused
    (``ValueError``) when the kernel is not one-dimensional (the Minkowski orbit and its covers, where
    the stabiliser is sl(2)) or when the null vector changes sign.
    """
    theta = np.asarray(theta, dtype=float)
    if theta.ndim != 1 or theta.size < 5 or not np.all(np.isfinite(theta)):
        raise ValueError(f"stabiliser: theta must be a finite 1D grid array of size >= 5 (got shape {theta.shape})")
    n = theta.size
    B = _trig_basis(n)
    dB = [derivative(B.T, k).T for k in (1, 3)]
    L = derivative(theta)[:, None] * B + 2.0 * theta[:, None] * dB[0] - 2.0 * dB[1]
    _, s, vt = np.linalg.svd(L, full_matrices=False)
    gap = float(s[-1] / s[-2]) if s[-2] > 0 else float("inf")
    if not gap < 1e-3:
        h = hill(theta)
        raise ValueError(
            f"stabiliser: the kernel of the coadjoint action on theta is not one-dimensional (singular values "
            f"{s[-1]:.3g}, {s[-2]:.3g}; Hill trace {h.trace:.6g}): allowed are elliptic (|trace| < 2, conical "
            "defects) and hyperbolic (trace > 2) mass aspects, not the Minkowski orbit (trace -2, stabiliser sl(2))")
    Y = B @ vt[-1]
    Y = Y * np.sign(np.mean(Y))
    if np.min(Y) <= 0:
        raise ValueError("stabiliser: the stabiliser vector field of theta vanishes somewhere (min "
                         f"{np.min(Y):.3g}); allowed are mass aspects whose rest-frame rotation has no fixed point")
    Y = Y * np.mean(1.0 / Y)
    res = float(np.max(np.abs(Y * derivative(theta) + 2 * derivative(Y) * theta - 2 * derivative(Y, 3))) / np.max(Y))
    return Stabiliser(Y0=Y, residual=res, gap=gap)


def _j_rest(xi: np.ndarray, Y0: np.ndarray, G: float) -> float:
    if not G > 0:
        raise ValueError(f"G = {G!r}: allowed are G > 0")
    xi = np.asarray(xi, dtype=float)
    if xi.shape != Y0.shape:
        raise ValueError(f"rest_frame_angular_momentum: xi has shape {xi.shape}, theta {Y0.shape}: give one grid")
    return float(-TWO_PI * np.mean(xi * Y0) / (8.0 * np.pi * G))


def rest_frame_angular_momentum(theta: np.ndarray, xi: np.ndarray, G: float) -> float:
    """``J_rest = -(1/8 pi G) oint Xi Y0 dphi`` with the normalised stabiliser ``Y0`` (module doc)."""
    if not G > 0:
        raise ValueError(f"G = {G!r}: allowed are G > 0")
    return _j_rest(xi, stabiliser(theta).Y0, G)


def orbit_invariants(theta: np.ndarray, xi: np.ndarray, G: float) -> dict[str, float]:
    """Hill trace (rest mass) and rest-frame angular momentum of a state: both BMS3 invariant."""
    h = hill(np.asarray(theta, dtype=float), G=G)
    st = stabiliser(theta)
    return {"hill_trace": float(h.trace), "hill_error": float(h.error_estimate),
            "rest_frame_J": _j_rest(xi, st.Y0, G),
            "stabiliser_residual": st.residual, "stabiliser_gap": st.gap}
