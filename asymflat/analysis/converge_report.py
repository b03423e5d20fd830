"""What ``asymflat converge`` prints and draws: measured orders, the design order, round-off warnings.

A ladder says nothing about an order when its differences are at round-off: for a quantity q the
floor is taken as ``ROUNDOFF_FACTOR * eps * max|q|`` (eps = 2.2e-16; the factor covers the
interpolation onto the coarse points and the sums in the charges), and a check value is at its
floor when its own error estimate is a round-off or integrator-tolerance model (``method``) and
the value lies below that estimate on every run.  Orders computed from such numbers (e.g. 22.3,
-9.5, -1.6 on the exact vacuum ladder runs/sweeps/vacuum_ladder.toml) are printed with a warning
instead of silently.

The design order of a run (the slope of the guide line): 4 for the evolution kinds (4th order in
x and u: RK4 at fixed cfl, 4th-order radial stencils / quadrature, docs/config.md), lowered to
min(4, 2/mu - 1) for a conical vertex with non-integer 1/mu (docs/conventions.md §9,
:func:`asymflat.pipeline.estimates.cone_order`); none for kind ``vacuum``, whose data are exact
embeddings sampled on the grid (only the spectral phi sampling and round-off differ).
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence, TextIO

import numpy as np

#: a difference below ROUNDOFF_FACTOR * eps * max|q| is taken as round-off
ROUNDOFF_FACTOR = 1.0e3
EPS = float(np.finfo(float).eps)


def design_order(cfg: dict[str, Any]) -> float | None:
    """The order the scheme of this configuration is built to converge at (None: exact data)."""
    if cfg.get("kind") == "vacuum":
        return None
    from asymflat.pipeline.estimates import RICHARDSON_ORDER, cone_order

    mu = float((cfg.get("vertex") or {}).get("mu", 1.0))
    return cone_order(mu) if mu != 1.0 else float(RICHARDSON_ORDER)


@dataclass
class Floor:
    """Round-off floor of one ladder quantity."""

    scale: float        #: max |q| on the coarse points
    floor: float        #: ROUNDOFF_FACTOR * eps * scale

    def at_roundoff(self, differences: np.ndarray) -> np.ndarray:
        return np.asarray(differences) <= self.floor


def quantity_floor(runs: Sequence[Any], quantity: str, side: str) -> Floor:
    """Round-off floor of ``side/quantity`` over a ladder (scale from the finest run)."""
    q = np.asarray(getattr(getattr(runs[-1], side), quantity), dtype=float)
    scale = float(np.max(np.abs(q[np.isfinite(q)]))) if np.any(np.isfinite(q)) else 0.0
    return Floor(scale, ROUNDOFF_FACTOR * EPS * max(scale, np.finfo(float).tiny))


def checks_at_floor(runs: Sequence[Any]) -> set[str]:
    """Check names whose value is below a round-off / tolerance error estimate on every run."""
    tables = [{c.name: c for c in r.checks} for r in runs]
    names = set.intersection(*(set(t) for t in tables)) if tables else set()
    out = set()
    for name in names:
        cs = [t[name] for t in tables]
        model = all(("round-off" in c.method or "tolerance" in c.method) for c in cs)
        if model and all(abs(c.value) <= c.error_estimate for c in cs):
            out.add(name)
    return out


def report(runs: Sequence[Any], quantities: Sequence[str], plot: str | None, out: TextIO | None = None,
           err: TextIO | None = None) -> None:
    """Print the ladder, per-quantity and per-check orders with warnings (default stdout / stderr);
    draw the figure (nothing measured: none)."""
    from asymflat.analysis import convergence

    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err

    h = convergence.check_ladder(runs)
    print(f"ladder: {len(runs)} runs, radial spacings " + ", ".join(f"{x:.4g}" for x in h), file=out)
    order = design_order(runs[0].config)
    kind = runs[0].config.get("kind")
    if order is None:
        print(f"design order: none (kind {kind}: exact data sampled on the grid; differences are phi "
              "sampling and round-off)", file=out)
    else:
        print(f"design order: {order:g} (kind {kind})", file=out)
    measured, floors = [], []
    for side in ("scri_plus", "scri_minus"):
        if not all(getattr(r, side) is not None for r in runs):
            continue
        for q in quantities:
            conv = convergence.self_convergence(runs, q, side)
            if not np.all(np.isfinite(conv.differences)):
                continue
            if conv.differences.max() == 0:
                if np.any(np.asarray(getattr(getattr(runs[-1], side), q)) != 0):
                    print(f"asymflat: warning: {conv.quantity}: identical on every run (exact data): "
                          "every difference is at round-off, no order to measure", file=err)
                continue
            measured.append(conv)
            fl = quantity_floor(runs, q, side)
            floors.append(fl)
            print(conv, file=out)
            low = fl.at_roundoff(conv.differences)
            if low.all():
                print(f"asymflat: warning: {conv.quantity}: every difference is at round-off "
                      f"(<= {fl.floor:.1e} = {ROUNDOFF_FACTOR:g} eps max|q|): these orders measure nothing",
                      file=err)
            elif low.any():
                print(f"asymflat: warning: {conv.quantity}: the finer difference(s) are at round-off "
                      f"(<= {fl.floor:.1e}): only the orders from differences above it count", file=err)
            elif order is None and conv.orders.size and np.any(conv.orders > 8):
                print(f"asymflat: warning: {conv.quantity}: measured order(s) above 8: spectral convergence in "
                      "phi (nphi grows along the ladder) of exact data, not an algebraic order", file=err)
            elif order is not None and conv.orders.size and np.all(np.abs(conv.orders - order) > 1.0):
                print(f"asymflat: warning: {conv.quantity}: measured order(s) far from the design order "
                      f"{order:g}: the ladder is not in the asymptotic regime (or phi is under-resolved)",
                      file=err)
    floored = checks_at_floor(runs)
    for name, orders in convergence.check_orders(runs).items():
        tag = "  [at round-off / tolerance: not an order]" if name in floored else ""
        print(f"diagnostics/checks/{name}: measured order(s) " + ", ".join(f"{p:.2f}" for p in orders) + tag,
              file=out)
    if floored:
        print(f"asymflat: warning: {len(floored)} check value(s) sit at their round-off / tolerance floor on "
              f"every run ({', '.join(sorted(floored))}): their 'orders' are noise", file=err)
    if plot and measured:
        from asymflat import plots

        print(plots.convergence_figure(measured, Path(plot), design_order=order,
                                       floors=[f.floor for f in floors]), file=out)
