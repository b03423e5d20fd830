"""Figures of a result file (matplotlib is imported only here, lazily, with the Agg backend).

One module per figure family; each figure is also a set of functions drawing on a user-supplied
axes, so a panel can go into a paper figure:

- :mod:`~asymflat.plots.scri`: :func:`scri_map`, :func:`scri_lines`, :func:`scri_panel` (``*_aspects``,
  ``*_radiation``);
- :mod:`~asymflat.plots.matching`: :func:`matching_profile`, :func:`charge_matching`, :func:`charge_ladder`,
  :func:`aspect_ladder`, :func:`check_table` (``matching``);
- :mod:`~asymflat.plots.series`: :func:`series`, :func:`charge_lines` (``diagnostics``, ``charges``);
- :mod:`~asymflat.plots.memory`: :func:`memory_figure` (``memory``);
- :mod:`~asymflat.plots.convergence`: :func:`convergence`, :func:`convergence_figure` (``asymflat converge``);
- :mod:`~asymflat.plots.closure`: :func:`closure_panels` (``closure``, run B of a closure pair).

Every figure written by :func:`plot_result` names the run and its key parameters in its title, labels
colour bars and axes with quantity and units (docs/conventions.md §1: units of G and length), does
not draw round-off at full scale (:data:`~asymflat.plots.common.ROUNDOFF_REL`) and replaces a field
that is identically zero by a text panel.  Colour maps are perceptually uniform and survive greyscale
(cividis).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from asymflat.plots.closure import closure_figure, closure_panels
from asymflat.plots.common import mpl, run_header, save, suptitle, write_png_pdf
from asymflat.plots.convergence import convergence, convergence_figure
from asymflat.plots.matching import (aspect_ladder, charge_ladder, charge_matching, check_table, matching_figure,
                                     matching_profile)
from asymflat.plots.memory import memory_figure
from asymflat.plots.scri import quantity_label, scri_figures, scri_lines, scri_map, scri_panel
from asymflat.plots.series import charge_lines, series, series_figures

__all__ = ["aspect_ladder", "charge_ladder", "charge_lines", "charge_matching", "check_table", "closure_panels",
           "convergence",
           "convergence_figure", "matching_profile", "memory_figure", "mpl", "plot_result", "quantity_label",
           "run_header", "scri_lines", "scri_map", "scri_panel", "series", "write_png_pdf"]


def plot_result(result: Any, outdir: str | Path, formats: tuple[str, ...] = ("png", "pdf")) -> list[Path]:
    """Write every figure the result supports into ``outdir`` (created), one file per format; return
    the paths of the first format (PNG by default): ``scri_plus_aspects``, ``scri_plus_radiation``,
    the scri- ones, ``matching``, ``diagnostics``, ``charges``, ``memory``, ``closure``."""
    plt = mpl()
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    scri_figures(result, plt, outdir, formats, written)
    matching_figure(result, plt, outdir, formats, written)
    series_figures(result, plt, outdir, formats, written)
    mem = result.memory
    if "F_minus_phi" in mem:
        fig, axs = plt.subplots(1, 2, figsize=(11, 4.6))
        memory_figure({**mem, **result.memory_attributes}, axes=axs, checks=result.checks)
        suptitle(fig, result, "memory of the scattering: BMS3 frame (F, γ) of the final vacuum "
                              "(error bars: F_error, gamma_error)")
        save(plt, fig, outdir, "memory", formats, written)
    closure_figure(result, plt, outdir, formats, written)
    return written
