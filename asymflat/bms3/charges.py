"""BMS3 surface charges, Poincare charges, mode charges, central term (reference §2.5-2.6).

    Q_{T,Y} = (1/16 pi G) oint dphi [ T Theta + 2 Y Xi ]
            = (1/16 pi G) oint dphi [ (T + t Y') Theta + 2 Y N ]      (any cut t = u or v)

``oint`` is the trapezoid sum on the uniform grid (spectrally accurate).

Poincare generators (reference §4.2 table; ``(T, Y)`` at scri+ and at scri-, related by
``(T-, Y-)(phi) = (T+, Y+)(phi + pi)``):

============  ===================  ====================
Killing v.    scri+ (T, Y)         scri- (T, Y)
============  ===================  ====================
d_t           (1, 0)               (1, 0)
d_x           (-cos, 0)            (+cos, 0)
d_y           (-sin, 0)            (+sin, 0)
x d_y-y d_x   (0, 1)               (0, 1)
x d_t+t d_x   (0, -sin)            (0, +sin)
y d_t+t d_y   (0, +cos)            (0, -cos)
============  ===================  ====================

Reported Poincare charges: ``E = Q[d_t]``, ``p_x = -Q[d_x]``, ``p_y = -Q[d_y]`` (mostly-plus
signature: ``p^i = -Q[d_i]``), ``J = -Q[x d_y - y d_x]`` (docs/conventions.md §4: p_mu = -Q[d_mu], so J > 0 for matter
rotating towards +phi; the BMS3 literature's "J" is Q[0, 1] = -J), ``K_x = Q[x d_t + t d_x]``,
``K_y = Q[y d_t + t d_y]``.  At scri+ ``p^i = (1/16 pi G) oint Theta n^i``; at scri- the same
Killing vector has ``T = +n^i``, so ``p^i = -(1/16 pi G) oint Theta^- n^i`` (the momentum of a
particle that came *from* ``phi0 + pi``, where ``Theta^-`` peaks, points to ``phi0``).

Mode charges: ``P_n = Q[e^{i n phi}, 0]``, ``J_n = Q[0, e^{i n phi}]`` (complex;
``P_n = Theta_{-n}/(8G)``, ``J_n = Xi_{-n}/(4G)`` in the Fourier convention of :mod:`spectral`).
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from .spectral import derivative, integrate, phi_grid

POINCARE_NAMES = ("E", "p_x", "p_y", "J", "K_x", "K_y")

#: name -> (Killing vector, sign s of the reported charge = s * Q, generator at scri+ as
#: functions of phi returning (T, Y))
_POINCARE_PLUS: dict[str, tuple[str, float, Callable]] = {
    "E": ("d_t", 1.0, lambda p: (np.ones_like(p), np.zeros_like(p))),
    "p_x": ("d_x", -1.0, lambda p: (-np.cos(p), np.zeros_like(p))),
    "p_y": ("d_y", -1.0, lambda p: (-np.sin(p), np.zeros_like(p))),
    "J": ("x d_y - y d_x", -1.0, lambda p: (np.zeros_like(p), np.ones_like(p))),
    "K_x": ("x d_t + t d_x", 1.0, lambda p: (np.zeros_like(p), -np.sin(p))),
    "K_y": ("y d_t + t d_y", 1.0, lambda p: (np.zeros_like(p), np.cos(p))),
}


def charge(theta: np.ndarray, xi: np.ndarray, T: np.ndarray, Y: np.ndarray, G: float) -> complex | float:
    """``Q_{T,Y} = (1/16 pi G) oint (T Theta + 2 Y Xi)`` (reference §2.5); complex T, Y allowed."""
    return integrate(T * theta + 2.0 * Y * xi) / (16.0 * np.pi * G)


def charge_on_cut(theta: np.ndarray, N: np.ndarray, T: np.ndarray, Y: np.ndarray, t: float, G: float):
    """``Q = (1/16 pi G) oint [(T + t Y') Theta + 2 Y N]`` on the cut ``u = t`` (or ``v = t``)."""
    return integrate((T + t * derivative(Y)) * theta + 2.0 * Y * N) / (16.0 * np.pi * G)


def central_term(T1, Y1, T2, Y2, G: float):
    """``K_{xi1,xi2} = (1/8 pi G) oint (Y1' T2'' - Y2' T1'')`` (reference §2.6)."""
    d = derivative
    return integrate(d(Y1) * d(T2, 2) - d(Y2) * d(T1, 2)) / (8.0 * np.pi * G)


def poincare_generator(name: str, phi: np.ndarray, chart: str = "scri_plus") -> tuple[np.ndarray, np.ndarray]:
    """``(T, Y)`` of the Killing vector behind charge ``name`` at ``chart`` (table above)."""
    if name not in _POINCARE_PLUS:
        raise ValueError(f"Poincare charge {name!r}: allowed are {POINCARE_NAMES}")
    gen = _POINCARE_PLUS[name][2]
    if chart == "scri_plus":
        return gen(phi)
    if chart == "scri_minus":
        return gen(phi + np.pi)
    raise ValueError(f"chart = {chart!r}: allowed are 'scri_plus', 'scri_minus'")


def poincare_charges(theta: np.ndarray, xi: np.ndarray, G: float, chart: str = "scri_plus") -> dict[str, float]:
    """``{E, p_x, p_y, J, K_x, K_y}`` from (Theta, Xi) at ``chart`` (see module docstring).

    ``theta`` and ``xi`` may be one cut (1D: floats returned) or a stack of cuts (last axis phi:
    arrays over the cuts returned).
    """
    phi = phi_grid(np.shape(theta)[-1])
    out = {}
    for name in POINCARE_NAMES:
        T, Y = poincare_generator(name, phi, chart)
        value = _POINCARE_PLUS[name][1] * np.real(charge(theta, xi, T, Y, G))
        out[name] = float(value) if np.ndim(value) == 0 else value
    return out


def poincare_killing_vector(name: str) -> str:
    return _POINCARE_PLUS[name][0]


def mode_charges(theta: np.ndarray, xi: np.ndarray, G: float, nmax: int = 10, shift: float = 0.0):
    """``(n, P_n, J_n)`` for ``n = -nmax..nmax``; with ``shift = a`` the generators are
    ``e^{i n (phi + a)}`` (``a = pi``: the generators linked to scri+'s ``e^{i n phi}``)."""
    phi = phi_grid(np.shape(theta)[-1])
    ns = np.arange(-nmax, nmax + 1)
    P = np.empty(len(ns), dtype=complex)
    J = np.empty(len(ns), dtype=complex)
    zero = np.zeros_like(phi)
    for i, k in enumerate(ns):
        e = np.exp(1j * k * (phi + shift))
        P[i] = charge(theta, xi, e, zero, G)
        J[i] = charge(theta, xi, zero, e, G)
    return ns, P, J


def rest_mass_from_charges(E: float, px: float, py: float, G: float) -> float:
    """``sqrt((E + 1/8G)^2 - p^2)``: the Lorentz norm of the vacuum-shifted momentum.

    For a (boosted) conical defect this is ``(1 - mu^2)/(8G) = m - 2 G m^2`` (reference §3.1).
    """
    e = E + 1.0 / (8.0 * G)
    s = e * e - px * px - py * py
    return float(np.sign(s) * np.sqrt(abs(s)))
