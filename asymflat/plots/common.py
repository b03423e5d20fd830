"""What every figure of :mod:`asymflat.plots` shares: the lazy matplotlib import, quantity labels
with units (docs/format.md, units of G and length as in docs/conventions.md §1), the run header
(suptitle), the round-off test that keeps round-off series from being drawn at full scale, and the
text panel that stands in for a field that is identically zero."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from asymflat.data import CHARGE_UNITS as _CHARGE_UNITS

#: relative size below which a series counts as round-off: max |y| <= ROUNDOFF_REL * (natural scale).
#: Double precision leaves ~1e-16 relative; the stored charges of exact circular runs reach 1.4e-16
#: of E (measured, default run: p_x, p_y at 1.4e-16 with |E| = 2.5); 1e-12 leaves four decades of
#: margin and stays far below any truncation error the runs resolve (>= 1e-10 relative).
ROUNDOFF_REL = 1e-12

#: (label, units) of the scri datasets (docs/format.md, "/scri_plus and /scri_minus")
SCRI_QUANTITIES = {
    "mass_aspect": (r"mass aspect $\Theta$", "1"),
    "angular_momentum_aspect": (r"angular-momentum aspect $\Xi$", "length"),
    "news": (r"news $\partial_t\psi_0$", r"length$^{-1/2}$ G$^{-1/2}$"),
    "psi0": (r"radiation field $\psi_0$", r"G$^{-1/2}$"),
    "N": (r"$N$ ($O(r^0)$ of $g_{u\phi}$)", "length"),
}

#: labels of the Poincare charges and balances in /diagnostics (units come from the file)
CHARGE_LABELS = {
    "E": "energy $E$", "J": "angular momentum $J$", "p_x": "$p_x$", "p_y": "$p_y$",
    "K_x": "boost charge $K_x$", "K_y": "boost charge $K_y$",
    "radiated_energy": "radiated energy", "radiated_J": "radiated $J$",
    "incoming_energy": "incoming energy", "incoming_J": "incoming $J$",
}


#: units of the Poincare charges (asymflat.data.CHARGE_UNITS) and the J balances, used in place of the
#: units stored with the series: results of kind scattering made before 2026-12 store "1/G" for J and K.
CHARGE_UNITS = dict(_CHARGE_UNITS, radiated_J="length/G", incoming_J="length/G")


def mpl():
    """matplotlib.pyplot with the non-interactive Agg backend (imported only when a figure is drawn)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def units_text(units: str) -> str:
    """``[units]`` for an axis label; dimensionless quantities say so."""
    return "[dimensionless]" if units in ("1", "") else f"[{units}]"


def time_label(name: str) -> str:
    """Axis label of a time axis by dataset name: code time u (vertex proper time) or Bondi time u_B."""
    return {"u": r"code time $u$ (vertex proper time) [length]",
            "v": r"code time $v$ (vertex proper time) [length]",
            "u_bondi": r"Bondi time $u_B$ [length]",
            "v_bondi": r"Bondi time $v_B$ [length]"}.get(name, f"${name}$ [length]")


def scri_time_label(view_name: str) -> str:
    """The time axis of /scri_plus, /scri_minus: the cuts are in the Bondi frame (docs/format.md)."""
    return time_label("u_bondi" if view_name == "scri_plus" else "v_bondi")


def run_header(result: Any) -> str:
    """One line naming the run: config name, title, kind, G, grid and time span (for a suptitle)."""
    try:
        cfg = result.config
    except Exception:  # a file whose config does not parse still gets a header
        cfg = {}
    grid = cfg.get("grid", {})
    ev = cfg.get("evolution", {})
    parts = [f"{Path(result.path).stem}", f"kind {result.kind}", f"G = {result.G:g}"]
    keys = ("nphi",) if result.kind == "vacuum" else ("nx", "nphi", "R")   # a vacuum has no radial grid
    g = ", ".join(f"{k} = {grid[k]:g}" for k in keys if k in grid)
    if g:
        parts.append(g)
    if "u_start" in ev and "u_end" in ev:
        parts.append(f"u ∈ [{ev['u_start']:g}, {ev['u_end']:g}]")
    cones = cfg.get("scattering", {}).get("first_cones")
    if cones:
        parts.append("first cones u0 = " + ", ".join(f"{c:g}" for c in cones))
    title = cfg.get("title")
    head = " · ".join(parts)
    return f"{head}\n{title}" if title else head


def suptitle(fig: Any, result: Any, what: str) -> None:
    """The figure's title: what it shows, then the run and its key parameters."""
    fig.suptitle(f"{what}\n{run_header(result)}", fontsize="medium")


def max_abs(y: Any) -> float:
    y = np.asarray(y, dtype=float)
    return float(np.nanmax(np.abs(y))) if y.size and np.any(np.isfinite(y)) else 0.0


def is_roundoff(y: Any, scale: float, rel: float = ROUNDOFF_REL) -> bool:
    """True when ``max |y| <= rel * scale``: the series is zero to round-off against its natural
    ``scale`` (e.g. the energy for a charge; 1 for a dimensionless aspect)."""
    return max_abs(y) <= rel * max(float(scale), np.finfo(float).tiny)


def roundoff_note(names: list[str], maxima: list[float]) -> str:
    """``"J, K_x ≡ 0 to round-off (max 3e-17)"``; empty when no names."""
    if not names:
        return ""
    return f"{', '.join(names)} ≡ 0 to round-off (max {max(maxima):.1g})"


def verdict(check: Any) -> str:
    """PASS, FAIL or ZERO (passes vacuously: the compared quantities are within the tolerance, e.g. zero
    by symmetry; :attr:`asymflat.data.Check.status`)."""
    return getattr(check, "status", None) or ("PASS" if check.passed else "FAIL")


def text_panel(ax: Any, text: str, title: str | None = None) -> None:
    """A panel that states a fact instead of drawing a flat map or curve (e.g. Ξ ≡ 0)."""
    ax.set_axis_off()
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", wrap=True,
            bbox=dict(boxstyle="round", fc="0.95", ec="0.6"))
    if title:
        ax.set_title(title)


def save(plt: Any, fig: Any, outdir: Path, name: str, formats: tuple[str, ...], written: list[Path]) -> None:
    """Write ``fig`` as ``outdir/name.<ext>`` for each format; record the first path in ``written``."""
    fig.tight_layout()
    for ext in formats:
        fig.savefig(outdir / f"{name}.{ext}", dpi=130)
    plt.close(fig)
    written.append(outdir / f"{name}.{formats[0]}")


def write_png_pdf(plt: Any, fig: Any, path: str | Path) -> Path:
    """Write ``fig`` as the PNG ``path`` and a PDF beside it (directories created); return the PNG path."""
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=130)
    fig.savefig(path.with_suffix(".pdf"))
    plt.close(fig)
    return path
