"""One table of a sweep: parameters, summary values and check values of every point.

``asymflat collect SWEEP.toml`` (or ``asymflat sweep SWEEP.toml --collect`` after the run) reads
the result file of every point and writes, beside the manifest,

    <name>.table.csv     one row per point (plain CSV: any spreadsheet, pandas.read_csv)
    <name>.table.nc      the same as an xarray Dataset along dimension ``point`` (netCDF4/HDF5
                         through h5netcdf; netCDF3 through scipy where h5netcdf is missing)

Columns / variables (docs/sweeps.md, "Collecting a sweep"):

* ``index``, ``status`` (done / failed / pending), ``result`` (path relative to the output
  directory), ``error``;
* every varied key under its dotted name (``G``, ``vacuum.mass``, ``grid.nx``): coordinates of
  the Dataset;
* ``summary.<name>`` for every numeric scalar of ``/summary`` (``wall_time_s`` included);
* ``check.<name>.value``, ``.tolerance``, ``.error_estimate``, ``.passed``, ``.vacuous`` (asymflat.data.Check.vacuous) for every stored check.

A point that has no result (failed or pending) has NaN (and ``passed`` = -1 in the file; the
Dataset uses a float with NaN) for everything read from results.  :meth:`SweepTable.to_xarray`
needs the ``table`` extra (``pip install -e ".[table]"``: xarray, h5netcdf).  A product sweep is
a flat list of points; ``ds.set_index(point=["G", "vacuum.mass"]).unstack("point")`` gives the
grid (docs/sweeps.md).
"""
from __future__ import annotations

import csv
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from asymflat.batch.spec import Sweep
from asymflat.batch.store import PointState, sweep_states

#: check fields tabulated per check, in this order
CHECK_FIELDS: tuple[str, ...] = ("value", "tolerance", "error_estimate", "passed")


@dataclass
class SweepTable:
    """Columns of one sweep's table: name -> list with one entry per point (in point order)."""

    name: str
    keys: tuple[str, ...]                      #: the varied keys (coordinates)
    columns: dict[str, list[Any]] = field(default_factory=dict)
    attrs: dict[str, Any] = field(default_factory=dict)

    @property
    def n_points(self) -> int:
        return len(self.columns.get("index", []))

    def column(self, name: str) -> np.ndarray:
        """One column as an array (float for numeric columns, object for text)."""
        values = self.columns[name]
        if all(isinstance(v, str) for v in values):
            return np.asarray(values, dtype=object)
        if values and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in values):
            return np.asarray(values, dtype=np.int64)
        return np.asarray(values, dtype=float)

    def write_csv(self, path: str | Path) -> Path:
        """One header row of column names, one row per point (NaN written as empty)."""
        path = Path(path)
        names = list(self.columns)
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(names)
            for i in range(self.n_points):
                w.writerow([_csv_cell(self.columns[n][i]) for n in names])
        return path

    def to_xarray(self) -> Any:
        """The table as an ``xarray.Dataset`` along dimension ``point``.

        The varied keys are coordinates (``ds["vacuum.mass"]``), every other column a data variable;
        text columns (status, result, error) are strings.  Requires the ``table`` extra.
        """
        try:
            import xarray as xr
        except ModuleNotFoundError as exc:  # one line naming the fix, not a traceback
            raise ModuleNotFoundError(
                "SweepTable.to_xarray needs xarray: pip install -e \".[table]\" (xarray, h5netcdf)",
                name=exc.name) from None
        coords = {"point": np.arange(self.n_points)}
        data = {}
        for name in self.columns:
            col = self.column(name)
            if col.dtype == object:
                col = col.astype(str)
            (coords if name in self.keys else data)[name] = ("point", col)
        coords.update({k: v for k, v in data.items() if k == "index"})
        data.pop("index", None)
        return xr.Dataset(data, coords=coords, attrs=dict(self.attrs))

    def write_netcdf(self, path: str | Path) -> Path:
        """The Dataset as netCDF4/HDF5 (h5netcdf) or, without h5netcdf, netCDF3 (scipy)."""
        path = Path(path)
        ds = self.to_xarray()
        try:
            import h5netcdf  # noqa: F401

            engine = "h5netcdf"
        except ModuleNotFoundError:
            engine = "scipy"
        tmp = path.with_name(f".{path.name}.tmp.{os.getpid()}")
        ds.to_netcdf(tmp, engine=engine)
        os.replace(tmp, path)
        return path


def _csv_cell(v: Any) -> Any:
    if isinstance(v, float) and math.isnan(v):
        return ""
    return v


def _scalar(v: Any) -> float | None:
    """A finite-or-NaN float for numeric scalars (bool -> 0/1), None for anything else."""
    if isinstance(v, (bool, np.bool_)):
        return float(v)
    if isinstance(v, (int, float, np.integer, np.floating)):
        return float(v)
    return None


def _read_point(path: Path) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    from asymflat.api import load

    with load(path) as r:
        summary = {k: s for k, v in r.summary.items() if (s := _scalar(v)) is not None}
        checks = {c.name: {"value": float(c.value), "tolerance": float(c.tolerance),
                           "error_estimate": float(c.error_estimate), "passed": float(bool(c.passed)),
                           "vacuous": float(bool(c.vacuous))}
                  for c in r.checks}
    return summary, checks


def collect(sweep: Sweep, outdir: str | Path) -> SweepTable:
    """Read every point's result (done points) and return the sweep's :class:`SweepTable`."""
    outdir = Path(outdir)
    states: list[PointState] = sweep_states(sweep, outdir)
    rows = []
    for st in states:
        summary, checks = ({}, {})
        error = st.error
        if st.status == "done":
            try:
                summary, checks = _read_point(st.result)
            except Exception as exc:  # noqa: BLE001 - an unreadable result is a row with its error
                error = f"unreadable result: {' '.join(str(exc).split())}"
        rows.append((st, summary, checks, error))
    summary_names = sorted({k for _, s, _, _ in rows for k in s})
    check_names = sorted({k for _, _, c, _ in rows for k in c})
    table = SweepTable(sweep.name, tuple(sweep.keys), attrs={
        "sweep": sweep.name, "source": str(sweep.source), "mode": sweep.mode,
        "varied_keys": ", ".join(sweep.keys), "format": "asymflat-sweep-table"})
    cols = table.columns
    for name in ("index", "status", "result", "error", *sweep.keys):
        cols[name] = []
    for name in summary_names:
        cols[f"summary.{name}"] = []
    for name in check_names:
        for f in CHECK_FIELDS:
            cols[f"check.{name}.{f}"] = []
    for st, summary, checks, error in rows:
        point = sweep.points[st.index]
        cols["index"].append(st.index)
        cols["status"].append(st.status)
        cols["result"].append(os.path.relpath(st.result, outdir))
        cols["error"].append(error)
        for k in sweep.keys:
            v = point.values.get(k)
            cols[k].append(v if isinstance(v, (str, int)) and not isinstance(v, bool)
                           else (float("nan") if v is None else float(v)))
        for name in summary_names:
            cols[f"summary.{name}"].append(summary.get(name, float("nan")))
        for name in check_names:
            c = checks.get(name, {})
            for f in CHECK_FIELDS:
                cols[f"check.{name}.{f}"].append(c.get(f, float("nan")))
    return table


def table_paths(sweep: Sweep, outdir: str | Path) -> tuple[Path, Path]:
    """``(<outdir>/<name>.table.csv, <outdir>/<name>.table.nc)``."""
    outdir = Path(outdir)
    return outdir / f"{sweep.name}.table.csv", outdir / f"{sweep.name}.table.nc"


def write_tables(sweep: Sweep, outdir: str | Path, netcdf: bool = True) -> tuple[SweepTable, list[Path]]:
    """Collect and write the CSV and (with xarray installed and ``netcdf``) the netCDF table."""
    table = collect(sweep, outdir)
    csv_path, nc_path = table_paths(sweep, outdir)
    written = [table.write_csv(csv_path)]
    if netcdf:
        written.append(table.write_netcdf(nc_path))
    return table, written
