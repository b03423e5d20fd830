"""The time-reversal closure figure of a closure pair (run B from run A from incoming data D):
D against T S T S D at two angles, and the residual over (v, phi) (issue 21; conventions §5, §11)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from asymflat.plots.common import save, suptitle, units_text


def closure_data(result: Any):
    """(D, v, T psi0+_B) when ``result`` is run B of a closure pair whose files are found, else None
    (:func:`asymflat.incoming.closure.closed_loop`)."""
    if "scri_plus_final_frame" not in result._f or "incoming_from" not in str(result._f.attrs.get("config", "")):
        return None
    from asymflat.incoming.closure import closed_loop
    from asymflat.incoming.table import IncomingDataError

    try:
        return closed_loop(result.path)
    except (IncomingDataError, OSError):
        return None


def closure_panels(axs: Any, D: Any, v: np.ndarray, loop: np.ndarray) -> None:
    """D and T S T S D against v at phi = 0 and pi/2 (left), T S T S D - D over (phi, v) (right)."""
    sel = np.isin(D.v, v)
    n = len(D.phi)
    unit = units_text("G^-1/2")
    for k, ls in ((0, "-"), (n // 4, "--")):
        axs[0].plot(D.v, D.psi0[:, k], ls=ls, color="0.6", lw=3, label=f"D, φ = {D.phi[k]:.2f}")
        axs[0].plot(v, loop[:, k], ls=ls, color="C0", label=f"T S T S D, φ = {D.phi[k]:.2f}")
    axs[0].set_xlabel("advanced time $v$ [length]")
    axs[0].set_ylabel(rf"incoming radiation field $\psi_0^-$ {unit}")
    axs[0].legend(frameon=False, fontsize="small")
    res = loop - D.psi0[sel]
    im = axs[1].pcolormesh(D.phi, v, res, shading="auto", cmap="RdBu_r")
    axs[1].set_xlabel(r"$\phi$ [rad]")
    axs[1].set_ylabel("advanced time $v$ [length]")
    axs[1].set_title(f"closure residual, max {float(np.max(np.abs(res))):.2e} "
                     f"({float(np.max(np.abs(res)) / np.max(np.abs(D.psi0))):.1e} of max |D|)")
    axs[0].figure.colorbar(im, ax=axs[1], label=rf"T S T S D $-$ D {unit}")


def closure_figure(result: Any, plt: Any, outdir: Path, formats: tuple[str, ...], written: list[Path]) -> None:
    """``closure`` of a closure pair's run B (nothing otherwise)."""
    loop = closure_data(result)
    if loop is None:
        return
    fig, axs = plt.subplots(1, 2, figsize=(11, 4.6))
    closure_panels(axs, *loop)
    suptitle(fig, result, "time-reversal closure S∘T∘S = T: incoming data D against the loop's output, reflected")
    save(plt, fig, outdir, "closure", formats, written)
