"""The run-configuration schema: every key a run accepts, its type, default and allowed values.

Declarative data only (the single source of truth for the keys; ``docs/config.md`` is generated from
it by :func:`asymflat.config.markdown` and a test keeps the two equal).  Validation against it, TOML
reading and writing: :mod:`asymflat.config`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

from asymflat.bms3.spacetimes import SPACETIMES  # the named vacua (one list: physics-bms3.md section 3)

#: Keys a convergence ladder may vary (evolution.cfl is held fixed): docs/config.md.
RESOLUTION_KEYS: tuple[str, ...] = ("grid.nx", "grid.nphi")

KINDS: tuple[str, ...] = ("vacuum", "characteristic", "advanced", "scattering", "worldtube")

#: backgrounds of kind worldtube (asymflat.exact.null_dust.BACKGROUNDS)
TUBE_BACKGROUNDS: tuple[str, ...] = ("minkowski", "conical_defect", "spinning_particle")


@dataclass(frozen=True)
class Key:
    """One configuration key: its type, default (``REQUIRED`` if none) and allowed values."""

    type: type | tuple[type, ...]
    default: Any
    allowed: str
    check: Callable[[Any], bool] | None = None
    doc: str = ""
    items: dict[str, "Key"] | None = None  # schema of each table in a list of tables


REQUIRED = object()
_NUM = (int, float)


def _positive(v: Any) -> bool:
    return v > 0


def _nonneg(v: Any) -> bool:
    return v >= 0


def _finite(v: Any) -> bool:
    return math.isfinite(v)


def _modes(v: Any) -> bool:
    """A list of ``[n, a_n, b_n]`` triples with integer n >= 1 and finite coefficients."""
    return all(
        isinstance(t, list)
        and len(t) == 3
        and isinstance(t[0], int)
        and not isinstance(t[0], bool)
        and t[0] >= 1
        and all(isinstance(c, _NUM) and not isinstance(c, bool) and math.isfinite(c) for c in t[1:])
        for t in v
    )


def _tables(v: Any) -> bool:
    return all(isinstance(p, dict) for p in v)


def _item(t: type | tuple[type, ...], default: Any, allowed: str, check: Callable[[Any], bool] | None) -> "Key":
    return Key(t, default, allowed, check)


_FIN = "a finite number"
_PULSE_ITEMS = {
    "amplitude": _item((int, float), REQUIRED, _FIN, lambda v: math.isfinite(v)),
    "a": _item((int, float), REQUIRED, "a finite number > 0 (pulse width)", lambda v: math.isfinite(v) and v > 0),
    "t0": _item((int, float), 0.0, _FIN, lambda v: math.isfinite(v)),
    "x0": _item((int, float), 0.0, _FIN, lambda v: math.isfinite(v)),
    "y0": _item((int, float), 0.0, _FIN, lambda v: math.isfinite(v)),
}
_COMPACT_ITEMS = {
    "amplitude": _item((int, float), REQUIRED, _FIN, lambda v: math.isfinite(v)),
    "r_center": _item((int, float), REQUIRED, "a finite number > 0", lambda v: math.isfinite(v) and v > 0),
    "width": _item((int, float), REQUIRED, "a finite number > 0", lambda v: math.isfinite(v) and v > 0),
    "m": _item(int, 0, "an integer >= 0 (phi harmonic)", lambda v: v >= 0),
    "phase": _item((int, float), 0.0, _FIN, lambda v: math.isfinite(v)),
}
_CIRCULAR_ITEMS = {
    "amplitude": _item((int, float), REQUIRED, _FIN, lambda v: math.isfinite(v)),
    "a": _item((int, float), REQUIRED, "a finite number > 0 (pulse width)", lambda v: math.isfinite(v) and v > 0),
}


_MODES_ALLOWED = "a list of [n, a_n, b_n] with integer n >= 1 and finite numbers a_n, b_n"
_BURST_ITEMS = {  # kind worldtube: f = amplitude [1 + modulation cos(m (phi - phase))] exp(-((u - u_center)/width)^2)
    "amplitude": _item((int, float), REQUIRED, "a finite number >= 0 (peak dust flux f)", lambda v: math.isfinite(v) and v >= 0),
    "u_center": _item((int, float), REQUIRED, _FIN, lambda v: math.isfinite(v)),
    "width": _item((int, float), REQUIRED, "a finite number > 0 (Gaussian width in u)", lambda v: math.isfinite(v) and v > 0),
    "m": _item(int, 0, "an integer >= 0 (phi harmonic)", lambda v: v >= 0),
    "modulation": _item((int, float), 0.0, "a number in [0, 1) (keeps f >= 0)", lambda v: math.isfinite(v) and 0 <= v < 1),
    "phase": _item((int, float), 0.0, _FIN, lambda v: math.isfinite(v)),
}

# Section name -> key -> Key.  Sections marked in _SECTION_KINDS belong to those kinds only.
SCHEMA: dict[str, dict[str, Key]] = {
    "": {
        "kind": Key(str, REQUIRED, "one of " + ", ".join(KINDS), lambda v: v in KINDS,
                    "what is run: an exact vacuum, a characteristic evolution, ..."),
        "G": Key(_NUM, REQUIRED, "a finite number >= 0 (G = 0: test field on Minkowski)",
                 lambda v: _finite(v) and v >= 0, "Newton's constant in 2+1 dimensions"),
        "title": Key(str, "", "a string", None, "free text stored in the result file"),
    },
    "grid": {
        "nx": Key(int, 129, "an integer >= 9", lambda v: v >= 9,
                  "radial points on x = r/(R+r) in [0, 1]; the last point is scri+"),
        "nphi": Key(int, REQUIRED, "an even integer >= 8", lambda v: v >= 8 and v % 2 == 0,
                    "uniform points in phi (Fourier modes m with abs(m) < nphi/2)"),
        "R": Key(_NUM, 1.0, "a finite number > 0", lambda v: _finite(v) and v > 0,
                 "compactification scale: x = r/(R+r)"),
    },
    "evolution": {
        "u_start": Key(_NUM, REQUIRED, "a finite number", _finite, "first retarded time"),
        "u_end": Key(_NUM, REQUIRED, "a finite number > evolution.u_start", _finite, "last retarded time"),
        "cfl": Key(_NUM, 2.0, "a number in (0, 4.4] (<= 3.6 with characteristic.radial_order = 6)",
                   lambda v: 0 < v <= 4.4,
                   "time step du = cfl R h, h = 1/(nx-1); measured RK4 limits 4.4 (order 4), 3.7 (order 6)"),
    },
    "output": {
        "scri_every": Key(int, 1, "an integer >= 1", lambda v: v >= 1, "steps between scri samples"),
        "fields_every": Key(int, 0, "an integer >= 0 (0: no bulk snapshots)", _nonneg,
                            "steps between bulk snapshots written to /fields"),
        "checkpoint_every_steps": Key(int, 0, "an integer >= 0 (0: none)", _nonneg,
                                      "steps between checkpoints"),
        "checkpoint_every_minutes": Key(_NUM, 0.0, "a number >= 0 (0: none)", lambda v: _finite(v) and v >= 0,
                                        "wall-clock minutes between checkpoints"),
        "figures": Key(bool, True, "true or false", None, "write PNG figures next to the result"),
    },
    "vacuum": {
        "spacetime": Key(str, "minkowski", "one of " + ", ".join(SPACETIMES), lambda v: v in SPACETIMES,
                         "named exact vacuum (physics-bms3.md section 3)"),
        "mass": Key(_NUM, 0.0, "a number with 0 <= 4 G mass < 1", lambda v: _finite(v) and v >= 0,
                    "Deser-Jackiw-'t Hooft mass m of a particle"),
        "angular_momentum": Key(_NUM, 0.0, "a finite number", _finite, "angular momentum J"),
        "energy": Key(_NUM, 0.0, "a finite number (> 0 for a flat-space cosmology)", _finite,
                      "flat-space-cosmology mass parameter M"),
        "rapidity": Key(_NUM, 0.0, "a finite number", _finite, "boost rapidity of a boosted particle"),
        "direction": Key(_NUM, 0.0, "a finite number (an angle)", _finite, "direction of motion"),
        "n_cuts": Key(int, 11, "an integer >= 2", lambda v: v >= 2, "number of cuts written"),
    },
    "frame": {
        "superrotation": Key(list, [], _MODES_ALLOWED, _modes,
                             "F(phi) = phi + sum a_n cos(n phi) + b_n sin(n phi)"),
        "rotation": Key(_NUM, 0.0, "a finite number (an angle)", _finite, "F -> F + rotation"),
        "boost_rapidity": Key(_NUM, 0.0, "a finite number", _finite, "Lorentz (Moebius) part of F"),
        "boost_direction": Key(_NUM, 0.0, "a finite number (an angle)", _finite, "direction of that boost"),
        "supertranslation": Key(list, [], _MODES_ALLOWED, _modes,
                                "alpha(phi): new Bondi time = old + alpha(phi)"),
    },
    "characteristic": {
        "pulses": Key(list, [], "a list of tables {amplitude, a, t0, x0, y0}", _tables,
                      "exact 2+1 pulses psi = Re A[-(t-t0-ia)^2+(x-x0)^2+(y-y0)^2]^(-1/2)", _PULSE_ITEMS),
        "compact": Key(list, [], "a list of tables {amplitude, r_center, width, m, phase}", _tables,
                       "compactly supported pulses in r with a phi harmonic", _COMPACT_ITEMS),
        "circular": Key(list, [], "a list of tables {amplitude, a}", _tables,
                        "the exact circular nonlinear solution (c1)", _CIRCULAR_ITEMS),
        "shadow_grid": Key(bool, True, "true or false", None,
                           "run a half-resolution shadow grid for error estimates"),
        "radial_order": Key(int, 6, "4 or 6", lambda v: v in (4, 6), "order of the radial finite differences"),
        "filter": Key(bool, True, "true or false", None, "exponential filter of high phi modes"),
        "dealias": Key(bool, False, "true or false", None,
                       "evaluate the right-hand side on a 2x phi grid (needed at strong field; about 2x cost)"),
    },
    "scattering": {
        "first_cones": Key(list, REQUIRED, "a list of at least one finite number, increasing (retarded times u0 of the first cones)",
                           lambda v: len(v) >= 1 and all(isinstance(c, _NUM) and not isinstance(c, bool) and math.isfinite(c) for c in v)
                           and all(a < b for a, b in zip(v, v[1:])),
                           "ladder of first-cone times u0 -> -inf (the limit is extrapolated); the cone at evolution.u_start is "
                           "evolved to u_end, every other one gives only its first cut (cheap: go deep)"),
        "scale_R": Key(bool, True, "true or false", None,
                       "scale the compactification R with |u0| so the incoming pulse stays resolved"),
        "incoming": Key(str, "", "a path to an incoming-data file (docs/format.md \"Incoming radiation\"), "
                        "relative to the configuration file's directory; \"\": none", None,
                        "incoming radiation psi0-(v, phi) from a table instead of exact pulses"),
        "incoming_from": Key(str, "", "a path to a scattering result with /scri_plus_final_frame, relative "
                             "to the configuration file's directory; \"\": none", None,
                             "incoming radiation: that run's outgoing psi0+ time-reflected (v = -u_B, "
                             "conventions.md section 5), tails fitted"),
        "incoming_frame": Key(str, "flat_cone", "\"flat_cone\" or \"scri_minus\"",
                              lambda v: v in ("flat_cone", "scri_minus"),
                              "which spacetime is evolved (docs/conventions.md section 11.1): the one whose first "
                              "cone carries the flat field of the incoming table (flat_cone), or the one whose scri- "
                              "data are the table (scri_minus: the first cone's data relabelled by a fixed point)"),
    },
    "vertex": {
        "angular_velocity": Key(_NUM, 0.0, "a finite number", _finite, "omega in U_c = omega + a1 sin phi - a2 cos phi"),
        "acceleration": Key(list, [0.0, 0.0], "a list of two finite numbers [a1, a2]",
                            lambda v: len(v) == 2 and all(isinstance(c, _NUM) and math.isfinite(c) for c in v),
                            "acceleration of the central worldline"),
        "mu": Key(_NUM, 1.0, "a number in (0, 1]", lambda v: 0 < v <= 1,
                  "conical vertex: calW(0) = -mu^2, a static point particle of total angle 2 pi mu (1: regular)"),
    },
    "worldtube": {
        "r_w": Key(_NUM, REQUIRED, "a finite number > 0", lambda v: _finite(v) and v > 0,
                   "tube radius r_w; the exterior grid is grid.nx points uniform in x on [r_w/(R+r_w), 1]"),
        "background": Key(str, "minkowski", "one of " + ", ".join(TUBE_BACKGROUNDS), lambda v: v in TUBE_BACKGROUNDS,
                          "BMS3 vacuum before the dust: Theta = -1 / -mu^2 / -mu^2 with Xi = -4 G J"),
        "mu": Key(_NUM, 1.0, "a number in (0, 1] (1 for minkowski)", lambda v: 0 < v <= 1,
                  "conical_defect / spinning_particle: Theta = -mu^2 (total angle 2 pi mu)"),
        "angular_momentum": Key(_NUM, 0.0, "a finite number (0 unless spinning_particle)", _finite,
                                "physical J = -Q[0,1] of the spinning particle: Xi = -4 G J"),
        "bursts": Key(list, [], "a list of tables {amplitude, u_center, width, m, modulation, phase}", _tables,
                      "Gaussian null-dust bursts f = amplitude [1 + modulation cos(m (phi - phase))] "
                      "exp(-((u - u_center)/width)^2) emitted by the tube", _BURST_ITEMS),
        "shadow_grid": Key(bool, True, "true or false", None,
                           "run a half-resolution shadow grid for error estimates"),
    },
}

#: Sections each kind requires / accepts (the top level and grid/evolution/output are common).
_KIND_SECTIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "vacuum": (("grid", "evolution", "vacuum"), ("output", "frame")),
    "characteristic": (("grid", "evolution", "characteristic"), ("output", "vertex")),
    "advanced": (("grid", "evolution", "characteristic"), ("output", "vertex", "frame")),
    "scattering": (("grid", "evolution", "characteristic", "scattering"), ("output",)),
    "worldtube": (("grid", "evolution", "worldtube"), ("output",)),
}
