"""Figures of a result file (the only module importing matplotlib, imported lazily).

Each figure is also a function drawing on a user-supplied axes, so it can go into a paper figure:
:func:`scri_map`, :func:`matching_profile`, :func:`charge_matching`, :func:`series`.
Colour maps are perceptually uniform and survive greyscale (cividis).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from asymflat.result import Result, ScriView

_LABELS = {
    "mass_aspect": r"mass aspect $\Theta$",
    "angular_momentum_aspect": r"angular-momentum aspect $\Xi$",
    "news": r"news $\partial_t\psi_0$",
    "psi0": r"radiation field $\psi_0$",
}


def _mpl():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def scri_map(ax: Any, view: ScriView, quantity: str = "mass_aspect") -> Any:
    """Colour map of a scri quantity against (phi, time); returns the mappable for a colour bar."""
    t, phi, z = view.time, view.phi, getattr(view, quantity)
    mesh = ax.pcolormesh(phi, t, z, shading="nearest", cmap="cividis")
    ax.set_xlabel(r"$\phi$ [rad]")
    ax.set_ylabel(f"${view.time_name}$ [length]")
    side = r"$\mathscr{I}^+$" if view.name == "scri_plus" else r"$\mathscr{I}^-$"
    ax.set_title(f"{_LABELS.get(quantity, quantity)} at {side}")
    return mesh


def matching_profile(ax: Any, matching: dict[str, np.ndarray], quantity: str = "mass_aspect") -> None:
    """Theta+ (u -> -inf) against antipodal Theta- (v -> +inf), and likewise for Xi; for scattering runs
    also Theta+ carried by the first cone's O(G) superrotation (docs/conventions.md §6.2)."""
    phi = matching["phi"]
    ax.plot(phi, matching[f"{quantity}_plus"], "-", color="k", label=r"$\mathscr{I}^+$, earliest cut ($u\to-\infty$)")
    ax.plot(phi, matching[f"{quantity}_minus_antipodal"], "o", mfc="none", color="0.45", ms=4,
            label=r"$\mathscr{I}^-$ at $\phi+\pi$, latest cut ($v\to+\infty$)")
    if f"{quantity}_plus_linked" in matching:  # scattering: after the first cone's O(G) superrotation
        ax.plot(phi, matching[f"{quantity}_plus_linked"], ":", color="C0",
                label=r"$\mathscr{I}^+$ after the first-cone superrotation")
    ax.set_xlabel(r"$\phi$ [rad]")
    ax.set_ylabel(_LABELS.get(quantity, quantity))
    ax.legend(frameon=False)


def charge_matching(ax: Any, matching: dict[str, np.ndarray], labels: list[str] | None = None) -> None:
    """|Q+| and |Q+ - Q-(linked)| per generator on a log axis (exact zeros are not drawn)."""
    res = np.abs(matching["charges_residual"])
    qp = np.abs(matching["charges_plus"])
    idx = np.arange(len(res))
    floor = np.finfo(float).eps * max(qp.max(), 1e-300) * 1e-3
    rows = [(qp, "s", "k", r"$|Q^+|$"), (res, "x", "0.4", r"$|Q^+ - Q^-\circ A|$")]
    if "limit/charges_residual" in matching:     # scattering ladder: the u0 -> -inf extrapolation
        rows.append((np.abs(matching["limit/charges_residual"]), "+", "C1", r"$|Q^+ - Q^-\circ A|$, $u_0\to-\infty$"))
    for values, marker, color, label in rows:
        keep = values > floor
        ax.semilogy(idx[keep], values[keep], marker, color=color, mfc="none", ls="none", label=label)
    if labels is not None and len(labels) == len(idx) and len(idx) > 6:
        ax.axvline(5.5, color="0.75", lw=0.8)
        ax.text(2.5, 1.0, "Poincaré", transform=ax.get_xaxis_transform(), ha="center", va="bottom", fontsize="small")
    ax.set_xlabel("generator index (Poincaré, then Re/Im of $P_n$, $J_n$)")
    ax.set_ylabel("charge [1/G]")
    ax.legend(frameon=False)


def series(ax: Any, time: np.ndarray, values: dict[str, np.ndarray], time_name: str = "u") -> None:
    """Diagnostics against time on a log axis (absolute values)."""
    for name, y in values.items():
        y = np.abs(np.asarray(y, dtype=float))
        keep = y > 0  # exact zeros (e.g. a balance at its first cut) have no place on a log axis
        ax.semilogy(np.asarray(time)[keep], y[keep], label=name)
    ax.set_xlabel(f"${time_name}$ [length]")
    ax.legend(frameon=False, fontsize="small")


_CHARGES = ("E", "J", "p_x", "p_y", "K_x", "K_y", "radiated_energy", "radiated_J")


def _series_groups(s: dict[str, np.ndarray], axes_names: list[str]) -> dict[str, dict]:
    """Series grouped by the time axis they share: log-scale diagnostics and linear charges."""
    out: dict[str, dict] = {"log": {}, "charges": {}}
    for t in axes_names:
        same = {k: v for k, v in s.items() if k not in axes_names and np.shape(v) == np.shape(s[t])}
        charges = {k: v for k, v in same.items() if k in _CHARGES}
        logs = {k: v for k, v in same.items() if k not in _CHARGES and not k.startswith("d")}
        if logs:
            out["log"][t] = logs
        if charges:
            out["charges"][t] = charges
    return out


def plot_result(result: Result, outdir: str | Path) -> list[Path]:
    """Write every figure the result supports as PNG and PDF into ``outdir``; return the PNG paths."""
    plt = _mpl()
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def save(fig: Any, name: str) -> None:
        fig.tight_layout()
        for ext in ("png", "pdf"):
            fig.savefig(outdir / f"{name}.{ext}", dpi=130)
        plt.close(fig)
        written.append(outdir / f"{name}.png")

    for view in (result.scri_plus, result.scri_minus):
        if view is None or np.all(np.isnan(view.mass_aspect)):
            continue
        fig, axes = plt.subplots(1, 2, figsize=(10, 4))
        for ax, q in zip(axes, ("mass_aspect", "angular_momentum_aspect")):
            fig.colorbar(scri_map(ax, view, q), ax=ax)
        save(fig, f"{view.name}_aspects")
        news = view.news
        if np.any(news != 0) and np.all(np.isfinite(news)):
            fig, axes = plt.subplots(1, 2, figsize=(10, 4))
            for ax, q in zip(axes, ("psi0", "news")):
                fig.colorbar(scri_map(ax, view, q), ax=ax)
            save(fig, f"{view.name}_radiation")
    m = result.matching
    if "mass_aspect_plus" in m and "mass_aspect_minus_antipodal" in m:
        fig, axes = plt.subplots(1, 3, figsize=(14, 4))
        matching_profile(axes[0], m, "mass_aspect")
        matching_profile(axes[1], m, "angular_momentum_aspect")
        if "charges_residual" in m:
            labels = result.summary.get("charge_labels")
            charge_matching(axes[2], m, labels.split(", ") if isinstance(labels, str) else None)
        else:
            axes[2].axis("off")
        save(fig, "matching")
    s = result.series
    axes_names = [t for t in ("u", "u_bondi", "v", "v_bondi") if t in s]
    groups = _series_groups(s, axes_names)
    if groups["log"]:
        fig, axs = plt.subplots(1, len(groups["log"]), figsize=(6.5 * len(groups["log"]), 4), squeeze=False)
        for ax, (t, ys) in zip(axs[0], groups["log"].items()):
            series(ax, s[t], ys, t.replace("_bondi", "_B"))
            ax.set_ylabel("residual / norm (absolute)")
        save(fig, "diagnostics")
    if groups["charges"]:
        t, ys = next(iter(groups["charges"].items()))
        fig, axs = plt.subplots(1, 2, figsize=(12, 4))
        energy = {k: v for k, v in ys.items() if k in ("E", "radiated_energy")}
        others = {k: v for k, v in ys.items() if k not in energy}
        for ax, group, ylabel in ((axs[0], energy, "energy E(u) and radiated energy"),
                                  (axs[1], others, "momenta, angular momentum, boost charges")):
            styles = iter(["-", "--", ":", "-.", (0, (5, 1)), (0, (1, 3)), (0, (3, 1, 1, 1))])
            for name, y in group.items():
                ax.plot(s[t], y, ls=next(styles), label=name)
            ax.set_xlabel(f"${t.replace('_bondi', '_B')}$ [length]")
            ax.set_ylabel(ylabel)
            ax.legend(frameon=False, fontsize="small", ncol=2)
        save(fig, "charges")
    if "memory" in result._f and "F_minus_phi" in result._f["memory"]:
        g = result._f["memory"]
        fig, axs = plt.subplots(1, 2, figsize=(11, 4))
        memory_figure({k: g[k][()] for k in g if isinstance(g[k], type(g["phi"]))}, axes=axs)
        save(fig, "memory")
    loop = _closure_data(result)
    if loop is not None:
        fig, axs = plt.subplots(1, 2, figsize=(11, 4))
        closure_figure(axs, *loop)
        save(fig, "closure")
    return written


def _closure_data(result: Result):
    """(D, v, T psi0+_B) when ``result`` is run B of a closure pair whose files are found, else None."""
    if "scri_plus_final_frame" not in result._f or "incoming_from" not in str(result._f.attrs.get("config", "")):
        return None
    from asymflat.incoming.closure import closed_loop
    from asymflat.incoming.table import IncomingDataError

    try:
        return closed_loop(result.path)
    except (IncomingDataError, OSError):
        return None


def closure_figure(axs: Any, D: Any, v: np.ndarray, loop: np.ndarray) -> None:
    """The time-reversal closure: D and T S T S D at two angles, and the difference over (v, phi)."""
    sel = np.isin(D.v, v)
    n = len(D.phi)
    for k, ls in ((0, "-"), (n // 4, "--")):
        axs[0].plot(D.v, D.psi0[:, k], ls=ls, color="0.6", lw=3, label=f"D, phi = {D.phi[k]:.2f}")
        axs[0].plot(v, loop[:, k], ls=ls, color="C0", label=f"T S T S D, phi = {D.phi[k]:.2f}")
    axs[0].set_xlabel("$v$ [length]")
    axs[0].set_ylabel(r"$\psi_0^-$")
    axs[0].legend(frameon=False, fontsize="small")
    im = axs[1].pcolormesh(D.phi, v, loop - D.psi0[sel], shading="auto", cmap="RdBu_r")
    axs[1].set_xlabel(r"$\phi$")
    axs[1].set_ylabel("$v$ [length]")
    axs[1].set_title("T S T S D - D (closure residual)")
    axs[0].figure.colorbar(im, ax=axs[1])


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
    ax.set_xlabel(r"radial spacing $h$ of the coarser run")
    ax.set_ylabel(r"max $|q_h - q_{h/2}|$")
    ax.legend(frameon=False, fontsize="small")


def convergence_figure(convs: list[Any], path: str | Path, design_order: float | None = 4.0,
                       floors: list[float] | None = None) -> Path:
    """One panel per quantity; PNG (and PDF beside it)."""
    plt = _mpl()
    fig, axes = plt.subplots(1, len(convs), figsize=(4.5 * len(convs), 4), squeeze=False)
    for i, (ax, conv) in enumerate(zip(axes[0], convs)):
        convergence(ax, conv, design_order, None if floors is None else floors[i])
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=130)
    fig.savefig(path.with_suffix(".pdf"))
    plt.close(fig)
    return path


def memory_figure(report: Any, path: str | Path | None = None, axes: Any = None) -> Any:
    """The memory (F - phi, gamma) against phi: recovered from the final state (line), predicted from
    the fluxes (circles), linearised formula (dashed), the scri- route where present (crosses), and
    the memory in the matched frame (dotted, kind scattering, conventions §6.3).

    ``report``: an :func:`asymflat.analysis.memory.memory_report` dict, or a ``/memory``-like mapping of
    arrays (``phi``, ``F_minus_phi``, ``gamma``, optional ``*_predicted``, ``*_linear``,
    ``*_predicted_minus``, ``*_matched``).  ``axes``: two axes to draw on; else a figure is made and, with
    ``path``, written as PNG and PDF (the PNG path is returned; without ``path`` the figure).
    """
    ds = report.get("datasets", report)

    def arr(name):
        v = ds.get(name)
        if v is None:
            return None
        return np.asarray(v[0] if isinstance(v, tuple) else v)

    plt = _mpl() if axes is None else None
    fig = None
    if axes is None:
        fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    phi = arr("phi")
    for ax, key, ylabel in ((axes[0], "F_minus_phi", r"superrotation memory $F(\phi) - \phi$ [rad]"),
                            (axes[1], "gamma", r"supertranslation memory $\gamma(\phi)$ [length]")):
        ax.plot(phi, arr(key), "-", color="k", label="final state (Hill / $\\Xi$ equation)")
        if arr(f"{key}_predicted") is not None:
            ax.plot(phi, arr(f"{key}_predicted"), "o", mfc="none", color="0.35", ms=4, label="flux prediction")
        if arr(f"{key}_linear") is not None:
            lin = arr(f"{key}_linear")
            # the linear formula fixes only the |m| >= 2 part: add the |m| <= 1 part of the full curve
            full = arr(key)
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
    fig.tight_layout()
    if path is None:
        return fig
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=130)
    fig.savefig(path.with_suffix(".pdf"))
    plt.close(fig)
    return path
