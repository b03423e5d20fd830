"""Scri data against (time, phi): colour maps with labelled colour bars, lines against time where a map
says nothing (nphi <= 8, or angle-independent data), a text panel for a field that is zero to round-off.

Drawing functions take a user-supplied axes (:func:`scri_map`, :func:`scri_lines`, :func:`scri_panel`);
:func:`scri_figures` writes ``scri_plus_aspects``, ``scri_plus_radiation`` and the scri- ones."""
from __future__ import annotations

from typing import Any

import numpy as np

from asymflat.plots.common import (ROUNDOFF_REL, SCRI_QUANTITIES, is_roundoff, max_abs, mpl, save, scri_time_label,
                                   suptitle, text_panel, units_text)
from asymflat.result import ScriView

#: at most this many angles: lines against time instead of a colour map (a map of 8 columns is a bar code)
MAX_PHI_FOR_LINES = 8


def _side(view: ScriView) -> str:
    return r"$\mathscr{I}^+$" if view.name == "scri_plus" else r"$\mathscr{I}^-$"


def quantity_label(quantity: str) -> str:
    """``'angular-momentum aspect Ξ [length]'``: the label of a colour bar or axis."""
    label, units = SCRI_QUANTITIES.get(quantity, (quantity, ""))
    return f"{label} {units_text(units)}"


def scri_map(ax: Any, view: ScriView, quantity: str = "mass_aspect") -> Any:
    """Colour map of a scri quantity against (phi, Bondi time); returns the mappable for a colour bar
    (label it with :func:`quantity_label`, as :func:`scri_panel` does)."""
    t, phi, z = view.time, view.phi, getattr(view, quantity)
    mesh = ax.pcolormesh(phi, t, z, shading="nearest", cmap="cividis")
    ax.set_xlabel(r"$\phi$ [rad]")
    ax.set_ylabel(scri_time_label(view.name))
    ax.set_title(f"{SCRI_QUANTITIES.get(quantity, (quantity,))[0]} at {_side(view)}")
    return mesh


def angle_spread(z: np.ndarray) -> float:
    """max over cuts of (max_phi - min_phi): zero for data independent of the angle."""
    z = np.asarray(z, dtype=float)
    return float(np.nanmax(np.max(z, axis=1) - np.min(z, axis=1))) if z.size else 0.0


def scri_lines(ax: Any, view: ScriView, quantity: str = "mass_aspect") -> None:
    """A scri quantity against Bondi time: one line when it does not depend on phi (circular symmetry;
    the spread over phi is named in the legend), else one line per angle of the grid."""
    t, phi, z = view.time, view.phi, np.asarray(getattr(view, quantity), dtype=float)
    spread = angle_spread(z)
    if spread <= ROUNDOFF_REL * max(max_abs(z), 1.0):
        ax.plot(t, np.mean(z, axis=1), "-", color="k",
                label=f"independent of $\\phi$ (spread over $\\phi$ {spread:.1g})")
    else:
        colours = mpl().get_cmap("cividis")(np.linspace(0.0, 0.9, len(phi)))
        for j in range(len(phi)):
            ax.plot(t, z[:, j], "-", color=colours[j], lw=1.0, label=f"$\\phi$ = {phi[j]:.3g}")
    ax.set_xlabel(scri_time_label(view.name))
    ax.set_ylabel(quantity_label(quantity))
    ax.set_title(f"{SCRI_QUANTITIES.get(quantity, (quantity,))[0]} at {_side(view)}")
    ax.legend(frameon=False, fontsize="small", ncol=2 if len(ax.get_lines()) > 4 else 1)


def scri_panel(fig: Any, ax: Any, view: ScriView, quantity: str, scale: float) -> str:
    """The panel a quantity deserves: ``'zero'`` (a text panel, the field is zero to round-off
    against ``scale``, its natural size), ``'lines'`` (:func:`scri_lines`: nphi <= 8 or independent of
    phi) or ``'map'`` (:func:`scri_map` with a labelled colour bar).  Returns which was drawn."""
    z = np.asarray(getattr(view, quantity), dtype=float)
    label = SCRI_QUANTITIES.get(quantity, (quantity,))[0]
    if is_roundoff(z, scale):
        text_panel(ax, f"{label} ≡ 0 to round-off\n(max |value| = {max_abs(z):.1g},\n"
                       f"natural scale {scale:.3g}): not drawn", f"{label} at {_side(view)}")
        return "zero"
    if len(view.phi) <= MAX_PHI_FOR_LINES or angle_spread(z) <= ROUNDOFF_REL * max(max_abs(z), 1.0):
        scri_lines(ax, view, quantity)
        return "lines"
    fig.colorbar(scri_map(ax, view, quantity), ax=ax, label=quantity_label(quantity))
    return "map"


def scri_figures(result: Any, plt: Any, outdir, formats, written: list) -> None:
    """``<side>_aspects`` (Θ, Ξ) and, where there is radiation, ``<side>_radiation`` (ψ0, news)."""
    for view in (result.scri_plus, result.scri_minus):
        if view is None or np.all(np.isnan(view.mass_aspect)):
            continue
        side = r"future null infinity $\mathscr{I}^+$" if view.name == "scri_plus" else r"past null infinity $\mathscr{I}^-$"
        theta = view.mass_aspect
        # Xi's natural size: Xi = N - (t/2) d_phi Theta, so |Theta| x the time span
        xi_scale = max(max_abs(theta), 1.0) * max(max_abs(view.time), 1.0)
        fig, axes = plt.subplots(1, 2, figsize=(11, 4.6))
        scri_panel(fig, axes[0], view, "mass_aspect", 1.0)
        scri_panel(fig, axes[1], view, "angular_momentum_aspect", xi_scale)
        suptitle(fig, result, f"mass and angular-momentum aspects at {side} (Bondi frame)")
        save(plt, fig, outdir, f"{view.name}_aspects", formats, written)
        news = view.news
        if np.any(news != 0) and np.all(np.isfinite(news)):
            scale = max(max_abs(news), max_abs(view.psi0))
            fig, axes = plt.subplots(1, 2, figsize=(11, 4.6))
            for ax, q in zip(axes, ("psi0", "news")):
                scri_panel(fig, ax, view, q, scale)
            suptitle(fig, result, f"scalar radiation at {side} (Bondi frame)")
            save(plt, fig, outdir, f"{view.name}_radiation", formats, written)
