"""``asymflat collect SWEEP.toml``: the table of a sweep (:mod:`asymflat.batch.collect`).

::

    asymflat collect SWEEP.toml [-o DIR] [--no-netcdf] [--show summary.hill_trace ...]

Writes ``DIR/<name>.table.csv`` and ``DIR/<name>.table.nc`` and prints one line per point: index,
status, the varied values, the checks passed and the worst check (value / tolerance), and any
``--show`` columns.  ``asymflat sweep SWEEP.toml --collect`` does the same after running.
Exit status 0 when every point is done, 1 otherwise.
"""
from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

from asymflat.batch.collect import SweepTable, write_tables

__all__ = ["register", "cmd_collect", "print_table"]


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``collect`` subcommand to the ``asymflat`` parser (``asymflat.cli._EXTENSIONS``)."""
    p = subparsers.add_parser("collect", help="one table (CSV + netCDF) of a sweep's parameters, summaries, checks",
                              description=__doc__.splitlines()[0])
    p.add_argument("sweep", help="sweep file (TOML, docs/sweeps.md)")
    p.add_argument("-o", "--output", metavar="DIR", help="the sweep's output directory (default results/<sweep name>)")
    add_options(p)
    p.set_defaults(func=cmd_collect)
    return p


def add_options(p: argparse.ArgumentParser) -> None:
    """Options shared by ``asymflat collect`` and ``asymflat sweep --collect``."""
    p.add_argument("--no-netcdf", action="store_true", help="write only the CSV (no xarray needed)")
    p.add_argument("--show", action="append", default=[], metavar="COLUMN",
                   help="also print this column (repeatable), e.g. summary.hill_trace")


def cmd_collect(args: argparse.Namespace) -> int:
    from asymflat.batch.runner import default_outdir
    from asymflat.batch.spec import load_sweep

    sweep = load_sweep(args.sweep)
    outdir = Path(args.output) if args.output else default_outdir(sweep)
    return collect_and_print(sweep, outdir, args)


def collect_and_print(sweep: Any, outdir: Path, args: argparse.Namespace) -> int:
    from asymflat.config import ConfigError
    from asymflat.suggest import did_you_mean

    if not outdir.is_dir():
        raise ConfigError(f"{outdir}: no such sweep output directory (run asymflat sweep {sweep.source} first, "
                          "or give -o DIR)")
    netcdf = not args.no_netcdf
    if netcdf:
        try:
            import xarray  # noqa: F401
        except ModuleNotFoundError:
            print("asymflat: warning: xarray is not installed (pip install -e \".[table]\"): writing only the CSV",
                  file=sys.stderr)
            netcdf = False
    table, written = write_tables(sweep, outdir, netcdf=netcdf)
    for name in args.show:
        if name not in table.columns:
            raise ConfigError(f"--show {name}: no such column{did_you_mean(name, table.columns)}; "
                              f"columns: index, status, the varied keys, summary.*, check.*.value|tolerance|passed")
    print_table(table, args.show)
    for p in written:
        print(f"wrote {p}")
    return 0 if all(s == "done" for s in table.columns["status"]) else 1


def _fmt(v: Any) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, float) and math.isnan(v):
        return "-"
    if float(v).is_integer() and abs(v) < 1e6:
        return str(int(v))
    return f"{v:.4g}"


def print_table(table: SweepTable, show: list[str] | None = None, out: Any = None) -> None:
    """One aligned text line per point (see the module docstring)."""
    out = sys.stdout if out is None else out
    checks = sorted({k[len("check."):-len(".value")] for k in table.columns if k.endswith(".value")})
    head = ["point", "status", *table.keys, "checks", "worst check (value/tol)", *(show or [])]
    rows = []
    for i in range(table.n_points):
        ratios = []
        npass = ntot = 0
        for c in checks:
            v, tol, ok = (table.columns[f"check.{c}.{f}"][i] for f in ("value", "tolerance", "passed"))
            if isinstance(ok, float) and math.isnan(ok):
                continue
            ntot += 1
            npass += int(ok)
            ratios.append((abs(v) / tol if tol > 0 else math.inf, c))
        worst = max(ratios) if ratios else None
        rows.append([str(table.columns["index"][i]), table.columns["status"][i],
                     *(_fmt(table.columns[k][i]) for k in table.keys),
                     f"{npass}/{ntot}" if ntot else "-",
                     f"{worst[1]} {worst[0]:.2g}" if worst else "-",
                     *(_fmt(table.columns[s][i]) for s in (show or []))])
    widths = [max(len(h), *(len(r[j]) for r in rows)) if rows else len(h) for j, h in enumerate(head)]
    print("  ".join(h.ljust(w) for h, w in zip(head, widths)).rstrip(), file=out)
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip(), file=out)
