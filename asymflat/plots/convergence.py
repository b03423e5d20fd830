"""Convergence over a resolution ladder (``asymflat converge``): differences of consecutive runs against
the radial spacing, with the design-order guide and the round-off floor.  :func:`convergence` draws on a
user-supplied axes; :func:`convergence_figure` writes one panel per quantity."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from asymflat.plots.common import mpl, write_png_pdf


def convergence(ax: Any, conv: Any, design_order: float | None = 4.0, floor: float | None = None) -> None:
    """Differences between consecutive runs against radial spacing (log-log), with a guide of slope
    ``design_order`` (the run's design order; None: none drawn) and the round-off ``floor``."""
    h = conv.spacings[:-1]
    ax.loglog(h, conv.differences, "o-", color="k", label=conv.quantity)
    if design_order is not None:
        ref = conv.differences[0] * (h / h[0]) ** design_order
        ax.loglog(h, ref, "--", color="0.5", label=f"design order {design_order:g}")
    if floor is not None:
        ax.axhline(floor, ls=":", color="C3", label=r"round-off ($10^3\,\epsilon\,\max|q|$)")
    ax.set_xlabel(r"radial spacing $h = 1/(n_x - 1)$ of the coarser run [dimensionless]")
    ax.set_ylabel(r"max $|q_h - q_{h/2}|$ [units of $q$]")
    ax.legend(frameon=False, fontsize="small")


def convergence_figure(convs: list[Any], path: str | Path, design_order: float | None = 4.0,
                       floors: list[float] | None = None) -> Path:
    """One panel per quantity; PNG (and PDF beside it)."""
    plt = mpl()
    fig, axes = plt.subplots(1, len(convs), figsize=(4.5 * len(convs), 4), squeeze=False)
    for i, (ax, conv) in enumerate(zip(axes[0], convs)):
        convergence(ax, conv, design_order, None if floors is None else floors[i])
    return write_png_pdf(plt, fig, path)
