"""The values of one ``sweep.vary`` key: an explicit list or a range ``{start, stop, num, scale}``.

A range is inclusive; ``scale = "log"`` spaces the values geometrically.  Integer end points give
integers (``grid.nphi`` ranges); float values are rounded to 12 significant digits so that a range
reproduces the numbers a person would type.  Every refusal is one :class:`ConfigError` line naming
``sweep.vary."KEY"`` and what is allowed.
"""
from __future__ import annotations

import math
from typing import Any

from asymflat.config import ConfigError

SCALES: tuple[str, ...] = ("linear", "log")
RANGE_KEYS = ("start", "stop", "num", "scale")


def vary_values(key: str, spec: Any) -> list[Any]:
    """The values of one ``sweep.vary`` entry: a non-empty list, or an inclusive range
    ``{start, stop, num[, scale = "linear" | "log"]}`` (docs/sweeps.md)."""
    where = f'sweep.vary."{key}"'
    if isinstance(spec, list):
        if not spec:
            raise ConfigError(f"{where} = []: must be a non-empty list of values or {{start, stop, num}}")
        return list(spec)
    if isinstance(spec, dict):
        return _range(where, spec)
    raise ConfigError(f"{where} = {spec!r}: must be a non-empty list of values or a range {{start, stop, num}}")


def _range(where: str, spec: dict[str, Any]) -> list[Any]:
    unknown = sorted(set(spec) - set(RANGE_KEYS))
    if unknown:
        raise ConfigError(f"{where}.{unknown[0]}: unknown range key; allowed: {', '.join(RANGE_KEYS)}")
    for k in ("start", "stop", "num"):
        if k not in spec:
            raise ConfigError(f"{where}.{k}: missing; a range is {{start, stop, num}} (inclusive)")
    start, stop, num, scale = spec["start"], spec["stop"], spec["num"], spec.get("scale", "linear")
    for k, v in (("start", start), ("stop", stop)):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise ConfigError(f"{where}.{k} = {v!r}: must be a finite number")
    if isinstance(num, bool) or not isinstance(num, int) or num < 1:
        raise ConfigError(f"{where}.num = {num!r}: must be an integer >= 1")
    if scale not in SCALES:
        raise ConfigError(f"{where}.scale = {scale!r}: must be one of {', '.join(SCALES)}")
    if scale == "log" and (start <= 0 or stop <= 0):
        raise ConfigError(f"{where}: scale = 'log' needs start > 0 and stop > 0 (got {start!r}, {stop!r})")
    values = _spaced(float(start), float(stop), num, scale)
    integral = isinstance(start, int) and isinstance(stop, int)
    return [_tidy(v, integral) for v in values]


def _spaced(start: float, stop: float, num: int, scale: str) -> list[float]:
    if num == 1:
        return [start]
    fractions = [i / (num - 1) for i in range(num)]
    if scale == "log":
        a, b = math.log(start), math.log(stop)
        return [math.exp(a + f * (b - a)) for f in fractions]
    return [start + f * (stop - start) for f in fractions]


def _tidy(v: float, integral: bool) -> int | float:
    """Integers stay integers (``grid.nphi`` ranges); floats lose round-off digits (12 significant)."""
    if integral and abs(v - round(v)) <= 1e-9 * max(1.0, abs(v)):
        return int(round(v))
    return float(f"{v:.12g}")
