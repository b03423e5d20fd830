"""Matching scri+ (u -> -inf) with scri- (v -> +inf) across spatial infinity (reference §4).

In natural coordinates the link is antipodal, ``A(phi) = phi + pi``::

    Theta^+(phi) = Theta^-(phi + pi),    Xi^+(phi) = Xi^-(phi + pi),
    Q^+_{T,Y} = Q^-_{T o A, Y o A}  for every (T, Y).

Per Fourier mode: ``Theta^+_m = (-1)^m Theta^-_m`` (same for Xi); for the charges the linked
generator of ``e^{i n phi}`` is ``e^{i n (phi + pi)}``.

Charge table (``charge_labels``): the Poincare charges ``E, p_x, p_y, J, K_x, K_y`` (scri+
generators of :mod:`charges`; scri-: the same Killing vectors, i.e. the linked generators),
then ``Re P_n, Im P_n, Re J_n, Im J_n`` for ``n = 0..nmax`` (``P_{-n} = conj(P_n)`` for real data).

Flat-space cosmologies have no spatial infinity: :func:`match` raises
:class:`NoSpatialInfinityError` for them.  Conical defects: the antipodal link is the PSS
prescription, a choice there (reference §4.2 caveats); it is consistent for their data.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import charges as _charges
from .spectral import fourier_modes, mode_numbers, shift
from .state import ScriCut


class NoSpatialInfinityError(ValueError):
    """Matching across spatial infinity was asked for a spacetime that has none."""


@dataclass
class MatchingResult:
    """Both ends on a common grid, their residuals, and the charge table."""

    phi: np.ndarray
    mass_aspect_plus: np.ndarray
    mass_aspect_minus_antipodal: np.ndarray
    angular_momentum_aspect_plus: np.ndarray
    angular_momentum_aspect_minus_antipodal: np.ndarray
    modes_m: np.ndarray
    mass_aspect_mode_residual: np.ndarray  #: complex, Theta+_m - (e^{i m a}) Theta-_m
    angular_momentum_aspect_mode_residual: np.ndarray
    charge_labels: list
    charges_plus: np.ndarray
    charges_minus: np.ndarray
    link_shift: float
    scales: dict = field(default_factory=dict)

    @property
    def charges_residual(self) -> np.ndarray:
        return self.charges_plus - self.charges_minus

    @property
    def residuals(self) -> dict[str, float]:
        """Max-abs residuals: pointwise, per mode, charges."""
        return {
            "mass_aspect": float(np.max(np.abs(self.mass_aspect_plus - self.mass_aspect_minus_antipodal))),
            "angular_momentum_aspect": float(
                np.max(np.abs(self.angular_momentum_aspect_plus - self.angular_momentum_aspect_minus_antipodal))
            ),
            "mass_aspect_modes": float(np.max(np.abs(self.mass_aspect_mode_residual))),
            "angular_momentum_aspect_modes": float(np.max(np.abs(self.angular_momentum_aspect_mode_residual))),
            "charges": float(np.max(np.abs(self.charges_residual))),
        }

    @property
    def max_residual(self) -> float:
        return max(self.residuals.values())


def charge_table(cut: ScriCut, nmax: int = 10, link_shift: float = 0.0) -> tuple[list, np.ndarray]:
    """Charge table of one cut; ``link_shift = a`` evaluates each scri+ generator at ``phi + a``.

    Use ``link_shift = 0`` at scri+ and ``pi`` at scri- for the linked generators.
    """
    labels: list[str] = []
    vals: list[float] = []
    phi = cut.phi
    for name in _charges.POINCARE_NAMES:
        T, Y = _charges.poincare_generator(name, phi + link_shift, "scri_plus")
        sgn = _charges._POINCARE_PLUS[name][1]
        labels.append(name)
        vals.append(float(sgn * np.real(cut.charge(T, Y))))
    ns, P, J = cut.mode_charges(nmax)
    # linked generator e^{i n (phi + a)}: multiply by e^{i n a}
    for k, n in enumerate(ns):
        if n < 0:
            continue
        ph = np.exp(1j * n * link_shift)
        for lab, val in ((f"P_{n}", P[k] * ph), (f"J_{n}", J[k] * ph)):
            labels += [f"Re {lab}", f"Im {lab}"]
            vals += [float(val.real), float(val.imag)]
    return labels, np.array(vals)


def match(
    cut_plus: ScriCut,
    cut_minus: ScriCut,
    link_shift: float = np.pi,
    nmax: int = 10,
    has_spatial_infinity: bool = True,
    check_orbit: bool = True,
) -> MatchingResult:
    """Compare scri+ data at ``u -> -inf`` with scri- data at ``v -> +inf``.

    Parameters
    ----------
    cut_plus, cut_minus
        The earliest scri+ cut and the latest scri- cut (vacuum: any cut), same grid and G.
    link_shift
        The link ``phi -> phi + link_shift`` (``pi``: antipodal, reference §4.1; ``0`` is the
        deliberately wrong link used to test that the check has teeth).
    has_spatial_infinity
        ``False`` (flat-space cosmology) raises :class:`NoSpatialInfinityError`.
    check_orbit
        Also refuse when the scri+ mass aspect has hyperbolic Hill monodromy (the flat-space
        cosmology class, ``tr M > 2``).

    Raises
    ------
    NoSpatialInfinityError
        For flat-space cosmologies.
    """
    msg = ("matching refused: a flat-space cosmology has no spatial infinity i0, so scri+ and scri- "
           "cannot be linked across it (Theta > 0 orbit, hyperbolic Hill monodromy)")
    if not has_spatial_infinity:
        raise NoSpatialInfinityError(msg)
    if cut_plus.n != cut_minus.n:
        raise ValueError(f"matching: grids differ (scri+ n = {cut_plus.n}, scri- n = {cut_minus.n})")
    if cut_plus.chart != "scri_plus" or cut_minus.chart != "scri_minus":
        raise ValueError("matching: pass a scri_plus cut and a scri_minus cut, in that order")
    if check_orbit:
        h = cut_plus.hill()
        if h.trace > 2.0 + max(1e3 * h.error_estimate, 1e-8):
            raise NoSpatialInfinityError(msg + f"; Hill trace {h.trace:.6g} > 2")
    thm = shift(cut_minus.theta, link_shift)
    xim = shift(cut_minus.xi, link_shift)
    m = mode_numbers(cut_plus.n)
    ph = np.exp(1j * m * link_shift)
    res_th = fourier_modes(cut_plus.theta) - ph * fourier_modes(cut_minus.theta)
    res_xi = fourier_modes(cut_plus.xi) - ph * fourier_modes(cut_minus.xi)
    labels, qp = charge_table(cut_plus, nmax, 0.0)
    _, qm = charge_table(cut_minus, nmax, link_shift)
    scales = {
        "mass_aspect": float(max(np.max(np.abs(cut_plus.theta)), np.max(np.abs(cut_minus.theta)))),
        "angular_momentum_aspect": float(max(np.max(np.abs(cut_plus.xi)), np.max(np.abs(cut_minus.xi)), 1e-300)),
        "charges": float(max(np.max(np.abs(qp)), np.max(np.abs(qm)))),
    }
    order = np.argsort(m)
    return MatchingResult(
        cut_plus.phi, cut_plus.theta, thm, cut_plus.xi, xim, m[order], res_th[order], res_xi[order],
        labels, qp, qm, float(link_shift), scales,
    )
