"""The memory of a scattering (``/memory``, docs/format.md): the superrotation memory F(φ) − φ and the
supertranslation memory γ(φ) of the final vacuum, with the stored error estimate (``F_error``,
``gamma_error``) as error bars.  :func:`memory_figure` draws on two user-supplied axes or writes a file."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from asymflat.plots.common import ROUNDOFF_REL, mpl, text_panel, verdict, write_png_pdf


def _zero_memory_text(key: str, full: np.ndarray, err: float | None) -> str | None:
    """A text in place of a curve that is zero within its error bar and at round-off (circular runs:
    γ ≡ 0); None when the curve is to be drawn."""
    top = float(np.max(np.abs(full))) if full.size else 0.0
    if top > ROUNDOFF_REL or (err or 0.0) > 0.0:   # F - phi [rad] and gamma [length]: natural size 1
        return None
    name = "γ" if key == "gamma" else "F − φ"
    return f"{name} ≡ 0 to round-off (max {top:.1g})\nerror estimate {0.0 if err is None else err:.1g}: not drawn"


def memory_figure(report: Any, path: str | Path | None = None, axes: Any = None, checks: Any = None) -> Any:
    """The memory (F - phi, gamma) against phi: recovered from the final state (line, with the error
    bars of ``F_error``, ``gamma_error`` where given), predicted from the fluxes (circles), linearised
    formula (dashed), the scri- route where present (crosses), and the memory in the matched frame
    (dotted, kind scattering, conventions §6.3).

    ``report``: an :func:`asymflat.analysis.memory.memory_report` dict (its ``attributes`` carry the
    errors), or a ``/memory``-like mapping of arrays (``phi``, ``F_minus_phi``, ``gamma``, optional
    ``*_predicted``, ``*_linear``, ``*_predicted_minus``, ``*_matched``, and scalars ``F_error``,
    ``gamma_error``).  ``axes``: two axes to draw on; else a figure is made and, with ``path``, written
    as PNG and PDF (the PNG path is returned; without ``path`` the figure).  ``checks``: the result's
    checks; ``memory_F_recovered_vs_predicted`` (and the γ one) are then quoted in the panel, since the
    flux prediction carries the shadow-grid error of that check, not the final state's error bar.
    """
    by_name = {c.name: c for c in (checks or [])}
    ds = report.get("datasets", report)
    at = report.get("attributes", report)

    def arr(name):
        v = ds.get(name)
        if v is None:
            return None
        return np.asarray(v[0] if isinstance(v, tuple) else v)

    plt = mpl() if axes is None else None
    fig = None
    if axes is None:
        fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    phi = arr("phi")
    for ax, key, ylabel in ((axes[0], "F_minus_phi", r"superrotation memory $F(\phi) - \phi$ [rad]"),
                            (axes[1], "gamma", r"supertranslation memory $\gamma(\phi)$ [length]")):
        err = at.get("F_error" if key == "F_minus_phi" else "gamma_error")
        err = None if err is None or not np.isfinite(float(err)) else float(err)
        full = arr(key)
        note = _zero_memory_text(key, full, err)
        if note is not None:
            text_panel(ax, note, ylabel)
            continue
        if err is not None:
            ax.errorbar(phi, full, yerr=err, fmt="-", color="k", capsize=2, elinewidth=0.8,
                        label=f"final state (Hill / $\\Xi$ equation) ± {err:.2g}")
        else:
            ax.plot(phi, full, "-", color="k", label="final state (Hill / $\\Xi$ equation)")
        notes = []
        if err is not None and float(np.max(np.abs(full))) < err:
            notes.append(f"max |final state| = {float(np.max(np.abs(full))):.2g} < error {err:.2g}: no memory resolved")
        chk = by_name.get("memory_F_recovered_vs_predicted" if key == "F_minus_phi" else "memory_gamma_recovered_vs_predicted")
        if chk is not None:
            notes.append(f"recovered − predicted {chk.value:.2g} ± {chk.error_estimate:.2g} (tol {chk.tolerance:.2g}): "
                         f"{verdict(chk)}")
        if notes:
            ax.set_title("\n".join(notes), fontsize="x-small")
        if arr(f"{key}_predicted") is not None:
            ax.plot(phi, arr(f"{key}_predicted"), "o", mfc="none", color="0.35", ms=4, label="flux prediction")
        if arr(f"{key}_linear") is not None:
            lin = arr(f"{key}_linear")
            # the linear formula fixes only the |m| >= 2 part: add the |m| <= 1 part of the full curve
            c = np.fft.fft(full) / len(full)
            m = np.abs(np.fft.fftfreq(len(full), 1.0 / len(full)))
            c[m > 1] = 0.0
            ax.plot(phi, lin + np.real(np.fft.ifft(c * len(full))), "--", color="0.55", label="linearised")
        if arr(f"{key}_predicted_minus") is not None:
            ax.plot(phi, arr(f"{key}_predicted_minus"), "x", color="0.6", ms=4, label=r"via $\mathscr{I}^-$ (matched i$^0$)")
        if arr(f"{key}_matched") is not None:
            ax.plot(phi, arr(f"{key}_matched"), ":", color="C0", label=r"matched frame (i$^0$ data antipodal)")
        ax.set_xlabel(r"$\phi$ [rad]")
        ax.set_ylabel(ylabel)
        ax.legend(frameon=False, fontsize="small")
    if fig is None:
        return axes
    if path is None:
        fig.tight_layout()
        return fig
    return write_png_pdf(plt, fig, path)
