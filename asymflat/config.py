"""Run configuration: one TOML file per run, validated against one declarative schema.

The schema (:mod:`asymflat.config_schema`) is the single source of truth for every key a run
accepts; ``docs/config.md`` documents it (:func:`markdown`) and a test checks that the two agree.  Validation happens before any work starts and
fails with :class:`ConfigError`, whose message names the key, the value and what is allowed; the
CLI prints it on one line and exits with status 2.

The resolution keys -- the only keys a convergence ladder may vary -- are :data:`RESOLUTION_KEYS`.
"""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from asymflat._toml import tomllib
from asymflat.config_schema import (  # noqa: F401  (the schema's names, re-exported)
    _KIND_SECTIONS,
    _NUM,
    KINDS,
    REQUIRED,
    RESOLUTION_KEYS,
    SCHEMA,
    SPACETIMES,
    TUBE_BACKGROUNDS,
    Key,
)
from asymflat.suggest import did_you_mean


class ConfigError(ValueError):
    """A run configuration that cannot be run; the message is one line for the user."""


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
