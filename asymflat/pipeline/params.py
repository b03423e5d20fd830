"""Parameter parsing shared by the run kinds (one-line errors naming the key)."""
from __future__ import annotations

import math


def get(section: dict, key: str, default):
    """``section[key]``, or ``default`` when the section or the key is missing or None."""
    v = section.get(key, default) if section else default
    return default if v is None else v


def grid_parameters(config: dict) -> tuple[int, int, float]:
    """``(grid.nx, grid.nphi, grid.R)`` checked: nx >= 9 points, nphi even >= 8, R finite > 0."""
    grid = config["grid"]
    npts = int(grid["nx"])
    nphi = int(grid["nphi"])
    R = float(get(grid, "R", 1.0))
    if npts < 9:
        raise ValueError(f"grid.nx = {npts}: must be an integer >= 9")
    if nphi < 8 or nphi % 2:
        raise ValueError(f"grid.nphi = {nphi}: must be an even integer >= 8")
    if not (math.isfinite(R) and R > 0):
        raise ValueError(f"grid.R = {R}: must be a finite number > 0")
    return npts, nphi, R


def time_range(config: dict) -> tuple[float, float]:
    """``(evolution.u_start, evolution.u_end)`` checked: finite, u_end > u_start."""
    ev = config["evolution"]
    u0, u1 = float(ev["u_start"]), float(ev["u_end"])
    if not (math.isfinite(u0) and math.isfinite(u1) and u1 > u0):
        raise ValueError(f"evolution.u_end = {u1}: must be a finite number > evolution.u_start = {u0}")
    return u0, u1


def output_cadence(config: dict) -> tuple[int, int]:
    """``(output.scri_every, output.fields_every)`` checked: >= 1 and >= 0."""
    out = config.get("output") or {}
    scri_every = int(get(out, "scri_every", 1))
    fields_every = int(get(out, "fields_every", 0))
    if scri_every < 1:
        raise ValueError(f"output.scri_every = {scri_every}: must be an integer >= 1")
    if fields_every < 0:
        raise ValueError(f"output.fields_every = {fields_every}: must be an integer >= 0")
    return scri_every, fields_every
