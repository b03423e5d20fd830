"""Series of /diagnostics against time: the residuals and norms on a log axis (``diagnostics``) and the
Poincare charges on linear axes (``charges``), with human labels and the units stored in the file.

Series that a log axis cannot show (identically zero, or not positive) and charges at round-off are
not drawn: the panel says so.  Every time axis says whether it is the code time u (vertex proper time)
or the Bondi time u_B (:func:`asymflat.plots.common.time_label`)."""
from __future__ import annotations

from typing import Any

import numpy as np

from asymflat.plots.common import (CHARGE_LABELS, CHARGE_UNITS, is_roundoff, max_abs, roundoff_note, save, suptitle,
                                   text_panel, time_label, units_text)

#: human labels of the diagnostic series (docs/format.md; the descriptions stored with each dataset)
DIAGNOSTIC_LABELS = {
    "max_abs_U_minus_Uc": r"max $|U - U_c|$ over the grid",
    "max_abs_beta": r"max $|\beta|$ over the grid",
    "max_abs_calW_plus_1": r"max $|\mathcal{W} + 1|$ over the grid",
    "max_abs_chi": r"max $|\chi|$ over the grid",
    "max_abs_U0": r"max $|U|$ at $\mathscr{I}^+$",
    "E_balance": r"energy balance $|E - E_0 \pm E_{\rm rad}|$",
    "J_balance": r"angular-momentum balance $|J - J_0 \pm J_{\rm rad}|$",
    "J_change": r"$|J - J_0|$",
    "flux_residual_Theta": r"mass-loss law: max$_\phi|\partial_t\Theta \pm 16\pi G\,\dot\psi_0^2|$",
    "flux_residual_Nhat": r"$\hat N$ law: max$_\phi$ of its residual",
    "max_du_Theta": r"$-$max$_\phi\,\partial_u\Theta$ (Bondi mass loss: $\partial_u\Theta \leq 0$)",
    "min_dv_Theta": r"min$_\phi\,\partial_v\Theta$ (mass gain: $\partial_v\Theta \geq 0$)",
    "mass_law_residual": "mass-law residual",
    "N_law_residual": "N-law residual",
    "Theta_error": r"$|\Theta - \Theta_{\rm exact}|$",
    "Xi_error": r"$|\Xi - \Xi_{\rm exact}|$",
    "emitted_dust_energy": "emitted dust energy",
}

#: signed series and the sign they must have: drawn as sign x value, cuts of the wrong sign counted
EXPECTED_SIGN = {"max_du_Theta": -1.0, "min_dv_Theta": 1.0}

_CHARGES = ("E", "J", "p_x", "p_y", "K_x", "K_y", "radiated_energy", "radiated_J", "incoming_energy", "incoming_J")
_ENERGIES = ("E", "radiated_energy", "incoming_energy")


def series(ax: Any, time: np.ndarray, values: dict[str, np.ndarray], time_name: str = "u",
           units: dict[str, str] | None = None) -> list[str]:
    """Diagnostics against time on a log axis (absolute values; the signed series of
    :data:`EXPECTED_SIGN` as sign x value, the cuts of the wrong sign counted in the legend), labelled
    by :data:`DIAGNOSTIC_LABELS` and ``units``.  A series with no positive value cannot be seen on a log axis: it is not drawn
    and named in a note at the bottom of the panel; non-positive points of a drawn series are gaps.
    Returns the names left out."""
    units = units or {}
    left_out = []
    for name, y in values.items():
        y = np.asarray(y, dtype=float)
        sign = EXPECTED_SIGN.get(name)
        y = sign * y if sign is not None else np.abs(y)
        keep = y > 0  # exact zeros (e.g. a balance at its first cut) have no place on a log axis
        if not np.any(keep):
            left_out.append(name)
            continue
        label = f"{DIAGNOSTIC_LABELS.get(name, name.replace('_', ' '))} {units_text(units.get(name, ''))}"
        wrong = int(np.sum(y < 0))
        if sign is not None:
            label += f"; wrong sign on {wrong} cuts (not drawn)" if wrong else "; right sign on every cut"
        ax.semilogy(np.asarray(time)[keep], y[keep], label=label)
    ax.set_xlabel(time_label(time_name))
    ax.set_ylabel("absolute value (units in the legend)")
    if ax.get_lines():
        ax.legend(frameon=False, fontsize="x-small")
    if left_out:
        ax.text(0.01, 0.01, "≡ 0, not drawn on the log axis: " + ", ".join(DIAGNOSTIC_LABELS.get(n, n) for n in left_out),
                transform=ax.transAxes, fontsize="x-small", va="bottom", wrap=True)
    return left_out


def series_groups(s: dict[str, np.ndarray], axes_names: list[str]) -> dict[str, dict]:
    """Series grouped by the time axis they share: log-scale diagnostics and linear charges (the
    derivatives ``dE_du``, ``dJ_du`` are left to the charges they integrate to)."""
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


def charge_lines(ax: Any, time: np.ndarray, values: dict[str, np.ndarray], scale: float, time_name: str,
                 units: dict[str, str] | None = None) -> list[str]:
    """Charges against time on a linear axis; those at round-off against ``scale`` (the energy) are not
    drawn at full scale but named in the legend (``"J, p_x ≡ 0 to round-off (max 1e-16)"``).
    Returns the names left out."""
    units = units or {}
    styles = iter(["-", "--", ":", "-.", (0, (5, 1)), (0, (1, 3)), (0, (3, 1, 1, 1)), (0, (5, 2, 1, 2))])
    zero, zmax = [], []
    for name, y in values.items():
        if is_roundoff(y, scale):
            zero.append(name)
            zmax.append(max_abs(y))
            continue
        ax.plot(time, y, ls=next(styles), label=f"{CHARGE_LABELS.get(name, name)} {units_text(units.get(name, ''))}")
    if not ax.get_lines():   # everything at round-off: say so instead of an empty frame
        text_panel(ax, roundoff_note([CHARGE_LABELS.get(n, n) for n in zero], zmax).replace(" ≡", "\n≡")
                   + "\n(against |E|): not drawn")
        return zero
    if zero:  # an invisible handle carries the note into the legend
        ax.plot([], [], " ", label=roundoff_note([CHARGE_LABELS.get(n, n) for n in zero], zmax))
    ax.set_xlabel(time_label(time_name))
    ax.legend(frameon=False, fontsize="small")
    return zero


def series_figures(result: Any, plt: Any, outdir, formats, written: list) -> None:
    """``diagnostics`` (log axes, one panel per time axis) and ``charges`` (energy; the other charges)."""
    s = result.series
    g = result._f["diagnostics"]
    units = {k: str(g[k].attrs.get("units", "")) for k in s}
    units.update({k: v for k, v in CHARGE_UNITS.items() if k in units})
    axes_names = [t for t in ("u", "u_bondi", "v", "v_bondi") if t in s]
    groups = series_groups(s, axes_names)
    if groups["log"]:
        n = len(groups["log"])
        fig, axs = plt.subplots(1, n, figsize=(6.8 * n, 4.8), squeeze=False)
        for ax, (t, ys) in zip(axs[0], groups["log"].items()):
            series(ax, s[t], ys, t, units)
        suptitle(fig, result, "diagnostics: grid norms (code time) and scri laws (Bondi time)")
        save(plt, fig, outdir, "diagnostics", formats, written)
    if groups["charges"]:
        t, ys = next(iter(groups["charges"].items()))
        energy = {k: v for k, v in ys.items() if k in _ENERGIES}
        others = {k: v for k, v in ys.items() if k not in energy}
        scale = max([max_abs(v) for v in energy.values()] + [1.0])
        fig, axs = plt.subplots(1, 2, figsize=(12, 4.6))
        charge_lines(axs[0], s[t], energy, scale, t, units)
        axs[0].set_ylabel(f"energy [{units.get('E', '1/G')}]")
        charge_lines(axs[1], s[t], others, scale, t, units)
        axs[1].set_ylabel("momenta [1/G], J and boosts [length/G]")
        suptitle(fig, result, "Poincaré charges on the Bondi cuts (docs/conventions.md §3-4)")
        save(plt, fig, outdir, "charges", formats, written)
