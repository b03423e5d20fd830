"""Sweep files: a base configuration plus the keys it varies (docs/sweeps.md).

A sweep file is TOML::

    [sweep]
    name = "ladder"                   # optional; default: the file's stem
    base = "../default.toml"          # a run configuration, relative to this file ...
    mode = "zip"                      # "product" (default) or "zip"
    zip = [["grid.nx", "grid.nphi"]]  # product mode: groups of keys varied together

    [sweep.vary]
    "grid.nx" = [33, 65, 129]
    "grid.nphi" = [16, 32, 64]
    G = {start = 0.5, stop = 2.0, num = 4}              # inclusive; scale = "log" for geometric
    "characteristic.pulses[0].amplitude" = [0.1, 0.2]   # an item of a list of tables

    [base]                            # ... and/or an inline base (merged over the file's)
    kind = "vacuum"

Everything is checked when the file is read: a structural problem raises
:class:`~asymflat.config.ConfigError` (one line naming the key, the value and what is allowed;
``asymflat sweep`` exits with status 2).  Every point's configuration is then validated with
:func:`asymflat.config.validate`; an invalid point keeps its one-line error in
:attr:`Point.error` and is reported, never run.
"""
from __future__ import annotations

import copy
import hashlib
import itertools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asymflat._toml import tomllib
from asymflat.suggest import did_you_mean
from asymflat import config as _config
from asymflat.batch.ranges import RANGE_KEYS, vary_values
from asymflat.config import ConfigError

MODES: tuple[str, ...] = ("product", "zip")
_SWEEP_KEYS = ("name", "base", "mode", "zip", "vary")
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$")
_PATH_RE = re.compile(r"^(?:(?P<section>[A-Za-z_]\w*)\.)?(?P<key>[A-Za-z_]\w*)"
                      r"(?:\[(?P<index>\d+)\]\.(?P<item>[A-Za-z_]\w*))?$")

#: A dotted key as a path into the configuration: ("grid", "nphi"), ("G",),
#: ("characteristic", "pulses", 0, "amplitude").
KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Point:
    """One point of a sweep: its index, the values it sets and its configuration.

    Attributes
    ----------
    index
        Position in the sweep (0-based; ``--point K`` and Slurm array ids use it).
    values
        Dotted key -> value for every varied key.
    raw
        The configuration before validation (base with ``values`` applied).
    config
        The validated configuration with defaults filled in, or ``None`` if invalid.
    error
        The one-line :class:`~asymflat.config.ConfigError` message of an invalid point, else ``""``.
    config_hash
        SHA-256 of the validated configuration's TOML text (:func:`asymflat.config.to_toml`),
        i.e. of exactly what the result file stores; for an invalid point, of the raw configuration.
    """

    index: int
    values: dict[str, Any]
    raw: dict[str, Any]
    config: dict[str, Any] | None
    error: str
    config_hash: str

    @property
    def valid(self) -> bool:
        """Whether the configuration passed validation."""
        return self.config is not None

    @property
    def config_text(self) -> str:
        """The TOML text stored in the result file (valid points only)."""
        if self.config is None:
            raise ConfigError(f"point {self.index}: {self.error}")
        return _config.to_toml(self.config)

    def describe(self) -> str:
        """``grid.nx=33, grid.nphi=16`` -- the varied values on one line."""
        return ", ".join(f"{k}={_short(v)}" for k, v in self.values.items())


@dataclass(frozen=True)
class Sweep:
    """A parsed sweep file: its name, mode, varied keys and expanded points."""

    name: str
    source: str
    mode: str
    keys: tuple[str, ...]
    points: tuple[Point, ...] = field(repr=False)

    @property
    def valid_points(self) -> tuple[Point, ...]:
        """The points whose configuration validated."""
        return tuple(p for p in self.points if p.valid)

    @property
    def invalid_points(self) -> tuple[Point, ...]:
        """The points whose configuration did not validate (reported, never run)."""
        return tuple(p for p in self.points if not p.valid)


def load_sweep(path: str | Path) -> Sweep:
    """Read a sweep file, expand it and validate every point (see :func:`parse_sweep`).

    Raises
    ------
    ConfigError
        The file is missing, not TOML, or structurally wrong (one line naming the problem).
    """
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"{p}: no such sweep file")
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{p}: cannot be read as UTF-8 text ({exc.__class__.__name__})") from None
    return parse_sweep(text, source=str(p), base_dir=p.parent, default_name=p.stem)


def parse_sweep(
    text: str,
    source: str = "<string>",
    base_dir: str | Path = ".",
    default_name: str = "sweep",
) -> Sweep:
    """Parse sweep TOML text into a :class:`Sweep` with every point validated.

    Parameters
    ----------
    text
        The sweep file's content.
    source
        Name used in error messages.
    base_dir
        Directory that a relative ``sweep.base`` path is resolved against.
    default_name
        Sweep name when ``sweep.name`` is absent.
    """
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML ({exc})") from None
    table = _sweep_table(doc)
    name = _name(table, default_name)
    mode = _mode(table)
    base = _base(doc, table, Path(base_dir))
    vary = _vary(table)
    groups = _groups(table, vary, mode)
    for key in vary:
        _check_settable(base, key)
    combos = _combinations(vary, groups)
    points = tuple(_point(i, values, base) for i, values in enumerate(combos))
    _check_distinct(points)
    return Sweep(name=name, source=source, mode=mode, keys=tuple(vary), points=points)


# -- the [sweep] table ------------------------------------------------------------------------------

def _sweep_table(doc: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(doc) - {"sweep", "base"})
    if unknown:
        raise ConfigError(f"{unknown[0]}: unknown top-level key in a sweep file; allowed: [sweep], [base]")
    table = doc.get("sweep")
    if not isinstance(table, dict):
        raise ConfigError("[sweep]: missing table; a sweep file needs [sweep] with [sweep.vary]")
    unknown = sorted(set(table) - set(_SWEEP_KEYS))
    if unknown:
        raise ConfigError(f"sweep.{unknown[0]}: unknown key in [sweep]{did_you_mean(unknown[0], _SWEEP_KEYS)}; "
                          f"allowed: {', '.join(_SWEEP_KEYS)}")
    return table


def _name(table: dict[str, Any], default: str) -> str:
    name = table.get("name", default)
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise ConfigError(f"sweep.name = {name!r}: must be a non-empty string of letters, digits and _ . + -")
    return name


def _mode(table: dict[str, Any]) -> str:
    mode = table.get("mode", "product")
    if mode not in MODES:
        raise ConfigError(f"sweep.mode = {mode!r}: must be one of {', '.join(MODES)}")
    return mode


def _base(doc: dict[str, Any], table: dict[str, Any], base_dir: Path) -> dict[str, Any]:
    inline = doc.get("base", {})
    if not isinstance(inline, dict):
        raise ConfigError(f"base = {inline!r}: must be a table [base] (an inline run configuration)")
    if "base" not in table:
        if not inline:
            raise ConfigError("sweep.base: missing; give a run configuration path or an inline [base] table")
        return copy.deepcopy(inline)
    ref = table["base"]
    if not isinstance(ref, str) or not ref:
        raise ConfigError(f"sweep.base = {ref!r}: must be a path to a run configuration (TOML)")
    path = Path(ref) if Path(ref).is_absolute() else base_dir / ref
    return _deep_merge(_read_raw(path, ref), inline)


def _read_raw(path: Path, ref: str) -> dict[str, Any]:
    if not path.is_file():
        raise ConfigError(f"sweep.base = {ref!r}: no such file ({path})")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"sweep.base = {ref!r}: not a readable TOML file ({exc.__class__.__name__})") from None


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


# -- [sweep.vary] -----------------------------------------------------------------------------------

def _vary(table: dict[str, Any]) -> dict[str, list[Any]]:
    vary = table.get("vary")
    if not isinstance(vary, dict) or not vary:
        raise ConfigError("sweep.vary: missing or empty; it must be a table of key = [values] or {start, stop, num}")
    out: dict[str, list[Any]] = {}
    for key, spec in _flatten_vary(vary).items():
        key_path(key)  # raises for an unknown key
        out[key] = vary_values(key, spec)
    return out


def _flatten_vary(vary: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Accept both ``"grid.nx" = [...]`` and ``[sweep.vary.grid] nx = [...]``."""
    out: dict[str, Any] = {}
    for key, spec in vary.items():
        dotted = prefix + key
        if isinstance(spec, dict) and not (set(spec) & set(RANGE_KEYS)):
            out.update(_flatten_vary(spec, dotted + "."))
        else:
            out[dotted] = spec
    return out


def key_path(key: str) -> KeyPath:
    """Parse and check a varied key such as ``grid.nphi``, ``G`` or ``characteristic.pulses[0].a``.

    Raises
    ------
    ConfigError
        If the key is not in the configuration schema (docs/config.md).
    """
    m = _PATH_RE.match(key)
    if m is None:
        raise ConfigError(f'sweep.vary."{key}": not a key; use section.key, a top-level key or section.key[i].item')
    section, name, index, item = m.group("section") or "", m.group("key"), m.group("index"), m.group("item")
    schema = _config.SCHEMA.get(section)
    if schema is None or name not in schema:
        hint = did_you_mean(key, _all_keys())
        where = (f"allowed in [{section}]: {', '.join(f'{section}.{k}' for k in schema)}" if schema is not None and section
                 else f"top-level keys: {', '.join(_config.SCHEMA[''])}; sections: "
                      f"{', '.join(s for s in _config.SCHEMA if s)} (every key: docs/config.md)")
        raise ConfigError(f'sweep.vary."{key}": unknown configuration key{hint}; {where}')
    spec = schema[name]
    if index is None:
        return (name,) if not section else (section, name)
    if spec.items is None or item not in spec.items:
        subs = ", ".join(spec.items or {}) or "none (not a list of tables)"
        raise ConfigError(f'sweep.vary."{key}": unknown item key; {section}.{name}[i] has: {subs}')
    return (section, name, int(index), item)


def _all_keys() -> list[str]:
    return [f"{s}.{k}" if s else k for s, keys in _config.SCHEMA.items() for k in keys]


def _groups(table: dict[str, Any], vary: dict[str, list[Any]], mode: str) -> list[list[str]]:
    """Keys grouped into zipped blocks; the blocks are combined as a Cartesian product."""
    keys = list(vary)
    if mode == "zip":
        if "zip" in table:
            raise ConfigError("sweep.zip: only for mode = 'product' (mode = 'zip' zips every key already)")
        groups = [keys]
    else:
        groups = _zip_groups(table.get("zip", []), keys)
    for group in groups:
        lengths = {k: len(vary[k]) for k in group}
        if len(set(lengths.values())) > 1:
            sizes = ", ".join(f"{k} has {n}" for k, n in lengths.items())
            raise ConfigError(f"sweep.vary: zipped keys need equal numbers of values ({sizes})")
    return groups


def _zip_groups(spec: Any, keys: list[str]) -> list[list[str]]:
    if not isinstance(spec, list) or not all(isinstance(g, list) and g for g in spec):
        raise ConfigError(f"sweep.zip = {spec!r}: must be a list of lists of varied keys, e.g. [[\"grid.nx\", \"grid.nphi\"]]")
    seen: set[str] = set()
    for group in spec:
        for key in group:
            if key not in keys:
                raise ConfigError(f"sweep.zip: {key!r} is not a key of [sweep.vary]; varied keys: {', '.join(keys)}")
            if key in seen:
                raise ConfigError(f"sweep.zip: {key!r} appears in more than one group")
            seen.add(key)
    groups: list[list[str]] = []
    for key in keys:  # blocks in the order their first key appears in [sweep.vary]
        group = next((list(g) for g in spec if key in g), [key])
        if group not in groups:
            groups.append(group)
    return groups


def _combinations(vary: dict[str, list[Any]], groups: list[list[str]]) -> list[dict[str, Any]]:
    blocks = [[{k: vary[k][i] for k in group} for i in range(len(vary[group[0]]))] for group in groups]
    combos = []
    for parts in itertools.product(*blocks):
        values: dict[str, Any] = {}
        for part in parts:
            values.update(part)
        combos.append({k: values[k] for k in vary})  # keys in [sweep.vary] order
    return combos


# -- points -----------------------------------------------------------------------------------------

def _check_settable(base: dict[str, Any], key: str) -> None:
    path = key_path(key)
    if len(path) == 4:
        section, name, index, _ = path
        items = base.get(section, {}).get(name) if isinstance(base.get(section), dict) else None
        if not isinstance(items, list) or index >= len(items) or not isinstance(items[index], dict):  # type: ignore[operator]
            raise ConfigError(f'sweep.vary."{key}": the base configuration has no {section}.{name}[{index}] table')


def set_value(cfg: dict[str, Any], key: str, value: Any) -> None:
    """Set a dotted key (``grid.nx``, ``G``, ``characteristic.pulses[0].amplitude``) in a raw config."""
    path = key_path(key)
    node: Any = cfg
    for part in path[:-1]:
        if isinstance(part, int):
            node = node[part]
        else:
            node = node.setdefault(part, {})
    node[path[-1]] = copy.deepcopy(value)


def _point(index: int, values: dict[str, Any], base: dict[str, Any]) -> Point:
    raw = copy.deepcopy(base)
    for key, value in values.items():
        set_value(raw, key, value)
    try:
        cfg = _config.validate(copy.deepcopy(raw))
    except ConfigError as exc:
        digest = hashlib.sha256(json.dumps(raw, sort_keys=True, default=str).encode()).hexdigest()
        return Point(index, values, raw, None, str(exc).splitlines()[0], digest)
    return Point(index, values, raw, cfg, "", config_hash(_config.to_toml(cfg)))


def config_hash(config_text: str) -> str:
    """SHA-256 (hex) of a configuration's TOML text -- the key of the manifest."""
    return hashlib.sha256(config_text.encode("utf-8")).hexdigest()


def _check_distinct(points: tuple[Point, ...]) -> None:
    first: dict[str, int] = {}
    for p in points:
        if p.config_hash in first:
            raise ConfigError(
                f"sweep.vary: points {first[p.config_hash]} and {p.index} give the same configuration ({p.describe()})"
            )
        first[p.config_hash] = p.index


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, str):
        return value
    return json.dumps(value)
