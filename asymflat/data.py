"""In-memory data model of one run: what every run kind produces and the writer stores.

A run kind (``asymflat.kinds.<kind>``) returns a :class:`RunData`; :mod:`asymflat.io.results`
writes it to HDF5 (layout in ``docs/format.md``) and reads it back.  Nothing here touches files.

Conventions (signs, normalisations, Fourier convention) are those of ``docs/conventions.md``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

#: Units of the Poincare charges on a cut (docs/conventions.md sections 3-4: Q = (1/16 pi G) oint
#: (T Theta + 2 Y Xi), Xi a length): energy and momenta 1/G, angular momentum and boosts length/G.
CHARGE_UNITS: dict[str, str] = dict(E="1/G", J="length/G", p_x="1/G", p_y="1/G", K_x="length/G", K_y="length/G")

#: Datasets every scri group carries, with units and description (docs/format.md).
SCRI_DATASETS: dict[str, tuple[str, str]] = {
    "mass_aspect": ("1", "Theta(t, phi): O(r^0) part of g_tt-coefficient in a Bondi frame; Minkowski = -1"),
    "angular_momentum_aspect": (
        "length",
        "Xi = N - (t/2) d_phi Theta (Barnich-Troessaert); t = u at scri+, v at scri-",
    ),
    "N": ("length", "O(r^0) part of g_{t phi} in a Bondi frame (t = u or v)"),
    "news": ("length^-1/2 G^-1/2", "d_t psi0: the scalar news"),
    "psi0": ("length^0 G^-1/2", "psi0 = lim r^(1/2) psi: the scalar radiation field"),
}

ScriName = Literal["scri_plus", "scri_minus"]


@dataclass
class ScriData:
    """Bondi-frame data on a stack of cuts of scri+ (time = u) or scri- (time = v).

    Every 2D array has shape ``(len(time), len(phi))``; ``phi`` is the uniform grid
    ``2 pi j / nphi``.  ``extra`` holds additional named arrays (e.g. the code-frame data and
    the frame transport), each as ``(array, units, description)``; a name containing ``/`` is
    written into a subgroup.
    """

    name: ScriName
    time: np.ndarray
    phi: np.ndarray
    mass_aspect: np.ndarray
    angular_momentum_aspect: np.ndarray
    N: np.ndarray
    news: np.ndarray
    psi0: np.ndarray
    extra: dict[str, tuple[np.ndarray, str, str]] = field(default_factory=dict)

    @property
    def time_name(self) -> str:
        """``'u'`` at scri+, ``'v'`` at scri-."""
        return "u" if self.name == "scri_plus" else "v"

    def __post_init__(self) -> None:
        shape = (len(self.time), len(self.phi))
        for key in SCRI_DATASETS:
            arr = np.asarray(getattr(self, key), dtype=float)
            if arr.shape != shape:
                raise ValueError(f"{self.name}.{key} has shape {arr.shape}, expected {shape}")
            setattr(self, key, arr)


@dataclass
class Check:
    """One diagnostic with its tolerance and how the tolerance was obtained.

    ``tolerance = safety_factor * error_estimate``; the estimate comes from the run itself
    (round-off model, shadow grid, embedded scheme), never from a hand-set number
    (docs/format.md, section "diagnostics").
    """

    name: str
    value: float
    error_estimate: float
    safety_factor: float
    method: str
    description: str
    #: size of the quantities the check compares, in the units of ``value`` (nan: not stated)
    scale: float = float("nan")

    @property
    def tolerance(self) -> float:
        return float(self.safety_factor * self.error_estimate)

    @property
    def passed(self) -> bool:
        return bool(np.isfinite(self.value) and abs(self.value) <= self.tolerance)

    @property
    def vacuous(self) -> bool:
        """True when the compared quantities are themselves within the tolerance (``scale <=
        tolerance``): the check could not fail whatever the code computed, typically because
        both sides vanish by symmetry (J, p, K and Xi of circular runs).  Such a check is reported
        as ``ZERO`` and not counted as evidence (docs/format.md, section "diagnostics")."""
        return bool(np.isfinite(self.scale) and abs(self.scale) <= self.tolerance)

    @property
    def status(self) -> str:
        """``"FAIL"``, ``"ZERO"`` (passes, but :attr:`vacuous`) or ``"PASS"``."""
        if not self.passed:
            return "FAIL"
        return "ZERO" if self.vacuous else "PASS"


def check_tally(checks: list[Check]) -> str:
    """One line on a list of checks: ``"14/14 checks pass (+ 8 ZERO: compared quantities within the
    tolerance, e.g. zero by symmetry; not counted)"``, or ``"3/4 checks pass"``; vacuous checks
    (:attr:`Check.vacuous`) are counted apart from the passes that are evidence."""
    zero = [c for c in checks if c.status == "ZERO"]
    real = [c for c in checks if c.status != "ZERO"]
    line = f"{sum(c.passed for c in real)}/{len(real)} checks pass"
    if zero:
        line += (f" (+ {len(zero)} ZERO: compared quantities within the tolerance, e.g. zero by symmetry;"
                 " not counted)")
    return line


@dataclass
class RunData:
    """Everything one run produced.

    Attributes
    ----------
    scri_plus, scri_minus
        Bondi-frame data at future / past null infinity, or ``None``.
    matching
        i0 data from both sides and residuals: name -> (array, units, description).
    series
        Diagnostics against time: name -> (array, units, description); includes the time axis.
    checks
        Scalar verdicts reported by ``asymflat check``.
    fields
        Optional bulk snapshots: name -> (array, units, description).
    summary
        Scalar facts written as attributes of ``/summary`` (charges, invariants, wall time).
    memory, memory_attrs
        The BMS3 frame of the final vacuum and its prediction (``/memory``, docs/format.md).
    final_frame, final_frame_attrs
        The outgoing data in the frame of the final vacuum, with the map (``/scri_plus_final_frame``).
    incoming, incoming_attrs
        The incoming-radiation table a scattering run used (asymflat.incoming.table.IncomingData on the
        run's angles) and its provenance (``/incoming``, docs/format.md); None for exact pulses.
    """

    scri_plus: ScriData | None = None
    scri_minus: ScriData | None = None
    matching: dict[str, tuple[np.ndarray, str, str]] = field(default_factory=dict)
    series: dict[str, tuple[np.ndarray, str, str]] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    fields: dict[str, tuple[np.ndarray, str, str]] = field(default_factory=dict)
    summary: dict[str, float | int | str] = field(default_factory=dict)
    memory: dict[str, tuple[np.ndarray, str, str]] = field(default_factory=dict)
    memory_attrs: dict[str, float | int | str] = field(default_factory=dict)
    final_frame: dict[str, tuple[np.ndarray, str, str]] = field(default_factory=dict)
    final_frame_attrs: dict[str, float | int | str] = field(default_factory=dict)
    incoming: Any = None
    incoming_attrs: dict[str, float | int | str] = field(default_factory=dict)
