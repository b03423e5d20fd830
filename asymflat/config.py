"""Run configuration: one TOML file per run, validated against one declarative schema.

The schema below is the single source of truth for every key a run accepts; ``docs/config.md``
documents it and a test checks that the two agree.  Validation happens before any work starts and
fails with :class:`ConfigError`, whose message names the key, the value and what is allowed; the
CLI prints it on one line and exits with status 2.

The resolution keys -- the only keys a convergence ladder may vary -- are :data:`RESOLUTION_KEYS`.
"""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from asymflat._toml import tomllib
from asymflat.suggest import did_you_mean

#: Keys a convergence ladder may vary (evolution.cfl is held fixed): docs/config.md.
RESOLUTION_KEYS: tuple[str, ...] = ("grid.nx", "grid.nphi")

KINDS: tuple[str, ...] = ("vacuum", "characteristic", "advanced", "scattering", "worldtube")

#: backgrounds of kind worldtube (asymflat.exact.null_dust.BACKGROUNDS)
TUBE_BACKGROUNDS: tuple[str, ...] = ("minkowski", "conical_defect", "spinning_particle")

SPACETIMES: tuple[str, ...] = (
    "minkowski",
    "conical_defect",
    "spinning_particle",
    "flat_space_cosmology",
    "boosted_particle",
    "supertranslated_minkowski",
    "superrotated_minkowski",
)


class ConfigError(ValueError):
    """A run configuration that cannot be run; the message is one line for the user."""


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


def _type_name(t: type | tuple[type, ...]) -> str:
    names = {int: "an integer", float: "a number", str: "a string", list: "a list", bool: "true/false"}
    if isinstance(t, tuple):
        return "a number"
    return names.get(t, t.__name__)


def _check_type(value: Any, t: type | tuple[type, ...]) -> bool:
    if isinstance(value, bool):
        return t is bool
    return isinstance(value, t)


def _validate_section(name: str, given: Any, spec: dict[str, Key]) -> dict[str, Any]:
    where = f"[{name}]" if name else "top level"
    if not isinstance(given, dict):
        raise ConfigError(f"{name} = {given!r}: must be a table [{name}]")
    unknown = sorted(set(given) - set(spec))
    if unknown:
        known = ", ".join(spec)
        hint = did_you_mean(unknown[0], spec)
        raise ConfigError(f"{_dotted(name, unknown[0])}: unknown key in {where}{hint}; allowed: {known}")
    out: dict[str, Any] = {}
    for key, k in spec.items():
        dotted = _dotted(name, key)
        if key not in given:
            if k.default is REQUIRED:
                raise ConfigError(f"{dotted}: missing; it must be {k.allowed}")
            out[key] = copy.deepcopy(k.default)
            continue
        value = given[key]
        if not _check_type(value, k.type):
            raise ConfigError(f"{dotted} = {value!r}: wrong type, must be {k.allowed}")
        if k.check is not None and not k.check(value):
            raise ConfigError(f"{dotted} = {value!r}: out of range, must be {k.allowed}")
        if k.items is not None:
            value = [_validate_section(f"{dotted}[{i}]", item, k.items) for i, item in enumerate(value)]
        out[key] = float(value) if k.type == _NUM else value
    return out


def _dotted(section: str, key: str) -> str:
    return f"{section}.{key}" if section else key


def validate(raw: dict[str, Any]) -> dict[str, Any]:
    """Validate a parsed TOML table and return it with every default filled in.

    Raises
    ------
    ConfigError
        For an unknown key or section, a wrong type, an out-of-range value or a missing key or
        section; the message names the key, the value and what is allowed.
    """
    if not isinstance(raw, dict):
        raise ConfigError("configuration must be a TOML table")
    for name, value in raw.items():
        if name in SCHEMA and name and not isinstance(value, dict):
            raise ConfigError(f"{name} = {value!r}: must be a table [{name}]")
    top = {k: v for k, v in raw.items() if not isinstance(v, dict)}
    cfg = _validate_section("", top, SCHEMA[""])
    required, optional = _KIND_SECTIONS[cfg["kind"]]
    for section in raw:
        if isinstance(raw[section], dict) and section not in required + optional:
            allowed = ", ".join(f"[{s}]" for s in required + optional)
            hint = did_you_mean(section, required + optional)
            raise ConfigError(f"[{section}]: unknown section for kind = {cfg['kind']!r}{hint}; allowed: {allowed}")
    for section in required + optional:
        if section not in raw:
            if section in required:
                raise ConfigError(f"[{section}]: missing section, required for kind = {cfg['kind']!r}")
            cfg[section] = _validate_section(section, {}, SCHEMA[section])
        else:
            cfg[section] = _validate_section(section, raw[section], SCHEMA[section])
    _cross_checks(cfg)
    return cfg


def _cross_checks(cfg: dict[str, Any]) -> None:
    ev = cfg["evolution"]
    if ev["u_end"] <= ev["u_start"]:
        raise ConfigError(
            f"evolution.u_end = {ev['u_end']!r}: must be > evolution.u_start = {ev['u_start']!r}"
        )
    ch = cfg.get("characteristic")
    if ch is not None:
        if ch["radial_order"] == 6 and ev["cfl"] > 3.6:
            raise ConfigError(f"evolution.cfl = {ev['cfl']!r}: must be <= 3.6 with characteristic.radial_order = 6 "
                              "(measured RK4 stability limit 3.7)")
        if ch["shadow_grid"] and (cfg["grid"]["nx"] - 1) % 2:
            raise ConfigError(f"grid.nx = {cfg['grid']['nx']!r}: nx - 1 must be even for the half-resolution shadow grid "
                              "(or set characteristic.shadow_grid = false)")
        sc = cfg.get("scattering") or {}
        table = [k for k in ("incoming", "incoming_from") if sc.get(k)]
        if len(table) > 1:
            raise ConfigError("scattering.incoming_from: give either scattering.incoming or scattering.incoming_from, "
                              "not both")
        if sc.get("incoming_frame", "flat_cone") != "flat_cone" and not table:
            raise ConfigError(f"scattering.incoming_frame = {sc['incoming_frame']!r}: needs scattering.incoming or "
                              "scattering.incoming_from (exact pulses are evolved on their flat first cone)")
        given = [k for k in ("pulses", "compact", "circular") if ch[k]]
        if table and given:
            raise ConfigError(f"characteristic.{given[0]}: not allowed with scattering.{table[0]} (the incoming "
                              "radiation is the table's; remove one of the two)")
        if not (given or table):
            raise ConfigError("[characteristic]: no initial data; give at least one of pulses, compact, circular"
                              + (" (or scattering.incoming / incoming_from)" if cfg["kind"] == "scattering" else ""))
    wt = cfg.get("worldtube")
    if wt is not None and wt["shadow_grid"] and (cfg["grid"]["nx"] - 1) % 2:
        raise ConfigError(f"grid.nx = {cfg['grid']['nx']!r}: nx - 1 must be even for the half-resolution shadow grid "
                          "(or set worldtube.shadow_grid = false)")
    if cfg["kind"] == "vacuum":
        if cfg["G"] <= 0:
            raise ConfigError(f"G = {cfg['G']!r}: must be > 0 for kind = 'vacuum' (charges scale as 1/G)")
        mass = cfg["vacuum"]["mass"]
        if 4 * cfg["G"] * mass >= 1:
            raise ConfigError(f"vacuum.mass = {mass!r}: must satisfy 0 <= 4 G mass < 1 (G = {cfg['G']!r})")


def parse(text: str, source: str = "<string>") -> dict[str, Any]:
    """Parse TOML text and validate it (see :func:`validate`)."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML ({exc})") from None
    return validate(raw)


def load(path: str | Path) -> dict[str, Any]:
    """Read and validate a run configuration file."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"{p}: no such configuration file")
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{p}: cannot be read as UTF-8 text ({exc.__class__.__name__})") from None
    return resolve_paths(parse(text, str(p)), p.parent)


#: keys holding file paths, read relative to the configuration file's directory
PATH_KEYS: tuple[str, ...] = ("scattering.incoming", "scattering.incoming_from")
#: keys left out of the stored configuration text at these values: the text of configurations without
#: them stays what it was before the keys existed (result digests, tests/support/digest.py)
OMITTED_AT: dict[str, Any] = {"scattering.incoming": "", "scattering.incoming_from": "",
                              "scattering.incoming_frame": "flat_cone"}


def resolve_paths(cfg: dict[str, Any], base: Path) -> dict[str, Any]:
    """Paths of :data:`PATH_KEYS` relative to ``base`` (the configuration file's directory), in place."""
    for dotted in PATH_KEYS:
        section, key = dotted.split(".")
        table = cfg.get(section)
        if table and table.get(key) and not Path(table[key]).is_absolute():
            table[key] = str(base / table[key])
    return cfg


def to_toml(cfg: dict[str, Any]) -> str:
    """Serialise a validated configuration back to TOML (stored in every result file)."""
    lines = [f"{k} = {_toml_value(v)}" for k, v in cfg.items() if not isinstance(v, dict)]
    for section, table in cfg.items():
        if isinstance(table, dict):
            lines.append(f"\n[{section}]")
            lines.extend(f"{k} = {_toml_value(v)}" for k, v in table.items()
                         if not (f"{section}.{k}" in OMITTED_AT and v == OMITTED_AT[f"{section}.{k}"]))
    return "\n".join(lines) + "\n"


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(f"cannot write {v!r} as TOML")


def get(cfg: dict[str, Any], dotted: str) -> Any:
    """Value of a dotted key such as ``'grid.nx'``."""
    node: Any = cfg
    for part in dotted.split("."):
        node = node[part]
    return node


def differing_keys(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """Dotted keys whose values differ between two validated configurations."""
    keys = set(_flatten(a)) | set(_flatten(b))
    fa, fb = _flatten(a), _flatten(b)
    return sorted(k for k in keys if fa.get(k) != fb.get(k))


def _flatten(cfg: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in cfg.items():
        if isinstance(v, dict) and not prefix:
            out.update(_flatten(v, k + "."))
        else:
            out[prefix + k] = v
    return out


def markdown() -> str:
    """The schema as the key tables of docs/config.md (generated; a test keeps them equal)."""
    out = []
    for section, keys in SCHEMA.items():
        title = "top level" if not section else f"[{section}]"
        kinds = [k for k, (req, opt) in _KIND_SECTIONS.items() if section in req + opt]
        where = "all kinds" if section in ("", "grid", "evolution", "output") else ", ".join(kinds)
        out.append(f"### {title}  ({where})\n")
        out.append("| key | type / allowed | default | meaning |")
        out.append("|---|---|---|---|")
        for key, k in keys.items():
            default = "**required**" if k.default is REQUIRED else f"`{_toml_value(k.default)}`"
            out.append(f"| `{key}` | {k.allowed} | {default} | {k.doc} |")
            for sub, sk in (k.items or {}).items():
                sd = "**required**" if sk.default is REQUIRED else f"`{_toml_value(sk.default)}`"
                out.append(f"| `{key}[i].{sub}` | {sk.allowed} | {sd} | |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    print(markdown())
