"""The state on a cut of scri: mass aspect Theta(phi) and angular-momentum aspect Xi(phi).

Grid: ``phi_j = 2 pi j / n``; Fourier convention of :mod:`spectral`.  ``chart`` is
``'scri_plus'`` (retarded, time ``u``) or ``'scri_minus'`` (advanced, time ``v``).  In vacuum
``Theta`` and ``Xi`` do not depend on the cut; ``N(t) = Xi + (t/2) Theta'`` (reference §1.1-1.2).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from . import action as _action
from . import charges as _charges
from .hill import HillResult, hill as _hill_fn
from .spectral import derivative, fourier_modes, mode_numbers, phi_grid, shift


@dataclass
class ScriCut:
    """Bondi data ``(Theta, Xi)`` on a cut of scri+ or scri-.

    Attributes
    ----------
    mass_aspect
        ``Theta(phi_j)`` (Minkowski: -1).
    angular_momentum_aspect
        ``Xi(phi_j)``.
    chart
        ``'scri_plus'`` or ``'scri_minus'``.
    G
        Newton's constant.
    label
        Free text (what the state is).
    """

    mass_aspect: np.ndarray
    angular_momentum_aspect: np.ndarray
    chart: str = "scri_plus"
    G: float = 1.0
    label: str = ""

    def __post_init__(self) -> None:
        self.mass_aspect = np.asarray(self.mass_aspect, dtype=float)
        self.angular_momentum_aspect = np.asarray(self.angular_momentum_aspect, dtype=float)
        if self.mass_aspect.shape != self.angular_momentum_aspect.shape or self.mass_aspect.ndim != 1:
            raise ValueError("ScriCut: mass_aspect and angular_momentum_aspect must be 1D arrays of equal length")
        if self.chart not in ("scri_plus", "scri_minus"):
            raise ValueError(f"chart = {self.chart!r}: allowed are 'scri_plus', 'scri_minus'")
        if not self.G > 0:
            raise ValueError(f"G = {self.G}: allowed is G > 0")

    # -- basic views --------------------------------------------------------------------
    @property
    def n(self) -> int:
        return self.mass_aspect.shape[0]

    @property
    def phi(self) -> np.ndarray:
        return phi_grid(self.n)

    @property
    def theta(self) -> np.ndarray:
        return self.mass_aspect

    @property
    def xi(self) -> np.ndarray:
        return self.angular_momentum_aspect

    @property
    def time_name(self) -> str:
        return "u" if self.chart == "scri_plus" else "v"

    def N(self, t: float) -> np.ndarray:
        """``N(t, phi) = Xi + (t/2) Theta'`` on the cut ``u = t`` (or ``v = t``)."""
        return self.xi + 0.5 * t * derivative(self.theta)

    @classmethod
    def from_N(cls, theta, N, t: float, chart: str = "scri_plus", G: float = 1.0, label: str = "") -> "ScriCut":
        """Build from ``(Theta, N)`` on the cut ``t``: ``Xi = N - (t/2) Theta'``."""
        theta = np.asarray(theta, dtype=float)
        return cls(theta, np.asarray(N, dtype=float) - 0.5 * t * derivative(theta), chart, G, label)

    def modes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(m, Theta_m, Xi_m)`` in numpy FFT order."""
        return mode_numbers(self.n), fourier_modes(self.theta), fourier_modes(self.xi)

    # -- charges ------------------------------------------------------------------------
    def charge(self, T, Y) -> complex | float:
        """``Q_{T,Y}`` for grid generators (reference §2.5)."""
        return _charges.charge(self.theta, self.xi, np.asarray(T), np.asarray(Y), self.G)

    def poincare_charges(self) -> dict[str, float]:
        return _charges.poincare_charges(self.theta, self.xi, self.G, self.chart)

    def mode_charges(self, nmax: int = 10, linked: bool = False):
        """``(n, P_n, J_n)``; ``linked=True`` at scri- uses the generators ``e^{i n (phi+pi)}``."""
        return _charges.mode_charges(self.theta, self.xi, self.G, nmax, np.pi if linked else 0.0)

    # -- BMS3 action --------------------------------------------------------------------
    def transformed(self, element: "_action.BMS3Element", label: str | None = None) -> "ScriCut":
        """Finite BMS3 transformation (reference §2.4), output on the same grid."""
        th, xi = element.act(self.theta, self.xi, n=self.n)
        return replace(self, mass_aspect=th, angular_momentum_aspect=xi, label=label or self.label)

    def variation(self, T, Y) -> tuple[np.ndarray, np.ndarray]:
        """Infinitesimal ``(delta Theta, delta Xi)`` (reference §2.3)."""
        return _action.infinitesimal_action(self.theta, self.xi, np.asarray(T), np.asarray(Y))

    def shifted(self, a: float) -> "ScriCut":
        """The state ``phi -> (Theta, Xi)(phi + a)`` (``a = pi``: the antipodal pull-back)."""
        return replace(self, mass_aspect=shift(self.theta, a), angular_momentum_aspect=shift(self.xi, a))

    def hill(self, rtol: float = 1e-12) -> HillResult:
        """Hill monodromy/winding of the mass aspect (:func:`hill.hill`)."""
        return _hill_fn(self.theta, G=self.G, rtol=rtol)
