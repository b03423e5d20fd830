"""BMS3 action on (Theta, Xi): infinitesimal (T, Y), finite (F, gamma), bracket, group law.

Conventions of the reference §0.2: ``delta = L_xi``; primes are ``d/dphi``.

Infinitesimal (reference §2.3)::

    delta Theta = Y Theta' + 2 Y' Theta - 2 Y'''
    delta Xi    = Y Xi' + 2 Y' Xi + (1/2) T Theta' + T' Theta - T'''

Bracket (reference §2.2)::

    Y12 = Y1 Y2' - Y2 Y1',    T12 = Y1 T2' - Y2 T1' + T1 Y2' - T2 Y1'

Finite (reference §2.4), with ``phi_old = F(phi)``, ``u_old = F'(phi) (u + gamma(phi))``::

    Theta_new = F'^2 Theta_old(F) - 2 S[F]
    Xi_new    = F'^2 Xi_old(F) + D_{Theta_new} gamma,   D_Theta gamma = gamma' Theta + gamma Theta'/2 - gamma'''

Group law: applying ``(F1, g1)`` then ``(F2, g2)`` equals ``(F1 o F2, g2 + (g1 o F2)/F2')``.
The same laws hold at scri- with ``v`` for ``u``.  A pure supertranslation "new time = old time
+ alpha(phi)" is ``(F, gamma) = (id, -alpha)``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Union

import numpy as np

from . import diffeo as _diffeo
from .diffeo import CircleDiffeo
from .spectral import TWO_PI, TrigSeries, as_series, derivative, phi_grid

Field = Union[np.ndarray, TrigSeries, float]


def bracket(T1: np.ndarray, Y1: np.ndarray, T2: np.ndarray, Y2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """bms3 bracket ``[xi(T1,Y1), xi(T2,Y2)] = xi(T12, Y12)`` on grid data (reference §2.2)."""
    d = derivative
    Y12 = Y1 * d(Y2) - Y2 * d(Y1)
    T12 = Y1 * d(T2) - Y2 * d(T1) + T1 * d(Y2) - T2 * d(Y1)
    return T12, Y12


def infinitesimal_action(
    theta: np.ndarray, xi: np.ndarray, T: np.ndarray, Y: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``(delta Theta, delta Xi)`` of reference §2.3 on grid data (spectral derivatives)."""
    d = derivative
    dtheta = Y * d(theta) + 2.0 * d(Y) * theta - 2.0 * d(Y, 3)
    dxi = Y * d(xi) + 2.0 * d(Y) * xi + 0.5 * T * d(theta) + d(T) * theta - d(T, 3)
    return dtheta, dxi


def supertranslation_operator(gamma: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """``D_Theta gamma = gamma' Theta + (1/2) gamma Theta' - gamma'''`` on grid data."""
    d = derivative
    return d(gamma) * theta + 0.5 * gamma * d(theta) - d(gamma, 3)


def _values(f: Field, x: np.ndarray, k: int) -> np.ndarray:
    if np.isscalar(f):
        return np.full_like(x, float(f)) if k == 0 else np.zeros_like(x)
    return as_series(f)(x, k)


def finite_action(
    theta: Field,
    xi: Field,
    F: CircleDiffeo,
    gamma: Field = 0.0,
    n: int | None = None,
    phi: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Finite BMS3 transformation of (Theta, Xi) (reference §2.4), evaluated at ``phi``.

    Parameters
    ----------
    theta, xi
        Old mass aspect and angular-momentum aspect: grid data on ``phi_grid(n)`` (composed
        with ``F`` by exact Fourier interpolation), a :class:`TrigSeries`, or a constant.
    F
        Superrotation (``phi_old = F(phi)``); its derivatives are used in closed form.
    gamma
        Supertranslation (``u_old = F'(u + gamma)``): grid data, TrigSeries or constant.
    n, phi
        Output points: ``phi`` if given, else ``phi_grid(n)`` (``n`` defaults to the grid size
        of the input data).

    Returns
    -------
    theta_new, xi_new
        ``F'^2 Theta(F) - 2 S[F]`` and ``F'^2 Xi(F) + gamma' Theta_new + gamma Theta_new'/2
        - gamma'''``, with ``Theta_new'`` in closed form (``2F'F''Theta(F) + F'^3 Theta'(F) - 2S'``).
    """
    if phi is None:
        if n is None:
            sizes = [np.size(a) for a in (theta, xi, gamma) if isinstance(a, np.ndarray)]
            if not sizes:
                raise ValueError("finite_action: give n or phi when no grid data are passed")
            n = sizes[0]
        phi = phi_grid(n)
    x = np.asarray(phi, dtype=float)
    f0, f1, f2, f3, f4 = F.all_derivs(x, 4)
    S = f3 / f1 - 1.5 * (f2 / f1) ** 2
    dS = F.schwarzian_prime(x)
    th_F = _values(theta, f0, 0)
    dth_F = _values(theta, f0, 1)
    xi_F = _values(xi, f0, 0)
    theta_new = f1**2 * th_F - 2.0 * S
    dtheta_new = 2.0 * f1 * f2 * th_F + f1**3 * dth_F - 2.0 * dS
    g0, g1, g3 = (_values(gamma, x, k) for k in (0, 1, 3))
    xi_new = f1**2 * xi_F + g1 * theta_new + 0.5 * g0 * dtheta_new - g3
    return theta_new, xi_new


@dataclass
class BMS3Element:
    """A finite BMS3 transformation ``(F, gamma)``: ``phi_old = F(phi)``, ``u_old = F'(u + gamma)``.

    ``gamma`` is a :class:`TrigSeries` (periodic supertranslation; a linear part is allowed
    for the developing maps of spinning quotients).
    """

    F: CircleDiffeo
    gamma: TrigSeries

    def __post_init__(self) -> None:
        self.gamma = as_series(self.gamma)

    @classmethod
    def identity(cls) -> "BMS3Element":
        return cls(_diffeo.identity(), TrigSeries.constant(0.0))

    @classmethod
    def supertranslation(cls, alpha: Field) -> "BMS3Element":
        """"New time = old time + alpha(phi)": ``(id, -alpha)`` (reference §2.4)."""
        return cls(_diffeo.identity(), -as_series(alpha))

    def act(self, theta: Field, xi: Field, n: int | None = None, phi: np.ndarray | None = None):
        """Apply to ``(Theta, Xi)``; see :func:`finite_action`."""
        return finite_action(theta, xi, self.F, self.gamma, n=n, phi=phi)

    def then(self, second: "BMS3Element", n: int = 256) -> "BMS3Element":
        """The element "apply ``self``, then ``second``" = ``(F1 o F2, g2 + (g1 o F2)/F2')``.

        The new supertranslation is sampled on ``phi_grid(n)`` and Fourier interpolated
        (spectrally accurate for smooth data); modes below ``4 eps`` of the largest are dropped so
        that its third derivative does not amplify the round-off floor by ``(n/2)^3``.
        """
        x = phi_grid(n)
        F2 = second.F
        g = second.gamma(x) + self.gamma(F2(x)) / F2.d(x, 1)
        return BMS3Element(self.F.compose(F2), TrigSeries.from_grid(g, chop=4 * np.finfo(float).eps))

    def linked(self) -> "BMS3Element":
        """Diagonal (antipodally linked) element at the other end: ``(F(.+pi) - pi, gamma(.+pi))``.

        In the embedding notation of reference §3.2 this is ``F_bar(phi) = F(phi+pi) - pi``
        and ``gamma_bar = -gamma(phi + pi)`` (the advanced embedding's ``gamma_bar`` is minus the
        finite-law ``gamma`` at scri-, because ``v_old = F_bar'(v - gamma_bar)`` there).
        """
        return BMS3Element(self.F.antipodal_conjugate(), self.gamma.shifted(np.pi))


def infinitesimal_element(T: TrigSeries, Y: TrigSeries, eps: float) -> BMS3Element:
    """``(F, gamma) = (phi + eps Y, eps T)``; reproduces reference §2.3 to O(eps^2)."""
    F = _diffeo.from_series(as_series(Y).scaled(eps), f"phi + {eps:g} Y")
    return BMS3Element(F, as_series(T).scaled(eps))


__all__ = [
    "bracket",
    "infinitesimal_action",
    "supertranslation_operator",
    "finite_action",
    "BMS3Element",
    "infinitesimal_element",
    "TWO_PI",
]
