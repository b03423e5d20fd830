"""The matching across spatial infinity (docs/conventions.md §6): the raw i0 cuts Θ⁺, Ξ⁺ of the first
scri+ cut against Θ⁻, Ξ⁻ of the last scri- cut at φ + π, the charge table, and for kind ``scattering``
the first-cone ladder with its u0 -> -inf limit and error bars (``/matching/ladder``, ``/matching/limit``;
the extrapolation is :func:`asymflat.pipeline.i0_matching.extrapolate`), which is what the matching
checks compare.  The raw cuts of a scattering run differ at finite u0 by O(1/|u0|): the figure says so.

Drawing functions take a user-supplied axes: :func:`matching_profile`, :func:`charge_matching`,
:func:`charge_ladder`, :func:`aspect_ladder`, :func:`check_table`; :func:`matching_figure` writes
``matching``."""
from __future__ import annotations

from typing import Any

import numpy as np

from asymflat.plots.common import (ROUNDOFF_REL, is_roundoff, max_abs, roundoff_note, save, suptitle, text_panel,
                                   units_text, verdict)

_POINCARE = ("E", "p_x", "p_y", "J", "K_x", "K_y")

#: at most this many aspect modes in the ladder panel (the largest residuals)
MAX_MODES = 4
_ASPECT = {"mass_aspect": (r"$\Theta$", "1"), "angular_momentum_aspect": (r"$\Xi$", "length")}


def matching_profile(ax: Any, matching: dict[str, np.ndarray], quantity: str = "mass_aspect",
                     u0: float | None = None) -> str:
    """Θ⁺ on the first scri+ cut against antipodal Θ⁻ on the last scri- cut (likewise Ξ) against φ;
    for scattering runs also Θ⁺ carried by the first cone's O(G) superrotation (conventions §6.2).
    ``u0``: the first-cone time of these cuts (a finite-u0 gap is then named as such).  When both
    sides are zero to round-off (Ξ in circular symmetry) a text panel says so.  Returns ``'zero'``
    or ``'lines'``."""
    phi = matching["phi"]
    plus, minus = matching[f"{quantity}_plus"], matching[f"{quantity}_minus_antipodal"]
    sym, units = _ASPECT.get(quantity, (quantity, ""))
    scale = 1.0 if quantity == "mass_aspect" else max(max_abs(matching["mass_aspect_plus"]), 1.0)
    if is_roundoff(plus, scale) and is_roundoff(minus, scale):
        text_panel(ax, f"{sym}⁺ ≡ {sym}⁻∘A ≡ 0 to round-off\n(max |{sym}| = {max(max_abs(plus), max_abs(minus)):.1g})"
                       "\nmatched trivially: not drawn", f"raw i$^0$ cuts: {sym}")
        return "zero"
    at = "" if u0 is None else f" at $u_0$ = {u0:g}"
    ax.plot(phi, plus, "-", color="k", label=r"$\mathscr{I}^+$, first cut" + at)
    ax.plot(phi, minus, "o", mfc="none", color="0.45", ms=4, label=r"$\mathscr{I}^-$ at $\phi+\pi$, last cut")
    if f"{quantity}_plus_linked" in matching:  # scattering: after the first cone's O(G) superrotation
        ax.plot(phi, matching[f"{quantity}_plus_linked"], ":", color="C0",
                label=r"$\mathscr{I}^+$ after the first-cone superrotation")
    gap = plus - minus
    kgap = int(np.argmax(np.abs(gap)))
    title = f"raw i$^0$ cuts: {sym}; max |{sym}⁺ − {sym}⁻∘A| = {abs(gap[kgap]):.2g}"
    if u0 is not None:
        title += f"\nat finite $u_0$ = {u0:g}: O(1/|$u_0$|), extrapolated below"
    ax.set_xlabel(r"$\phi$ [rad]")
    ax.set_ylabel(f"{sym} {units_text(units)}")
    ax.set_title(title, fontsize="medium")
    ax.legend(frameon=False, fontsize="x-small", loc="best")
    return "lines"


def charge_matching(ax: Any, matching: dict[str, np.ndarray], labels: list[str] | None = None) -> None:
    """|Q⁺| and |Q⁺ − Q⁻∘A| per generator on a log axis; for a ladder also the u0 -> -inf limit with its
    error bar.  Values below round-off (ROUNDOFF_REL x max |Q⁺|) are the grey band, not points."""
    res = np.abs(matching["charges_residual"])
    qp = np.abs(matching["charges_plus"])
    idx = np.arange(len(res))
    floor = ROUNDOFF_REL * max(qp.max(), 1e-300)
    ax.axhspan(floor * 1e-6, floor, color="0.9", zorder=0)
    ax.text(0.99, 0.02, f"round-off (< {ROUNDOFF_REL:.0e} max|Q⁺|)", transform=ax.transAxes, ha="right",
            fontsize="x-small", color="0.4")
    for values, marker, color, label in ((qp, "s", "k", r"$|Q^+|$"), (res, "x", "0.4", r"$|Q^+ - Q^-\circ A|$, raw cuts")):
        keep = values > floor
        ax.semilogy(idx[keep], values[keep], marker, color=color, mfc="none", ls="none", label=label)
    if "limit/charges_residual" in matching:     # scattering ladder: the u0 -> -inf extrapolation
        q = np.abs(matching["limit/charges_residual"])
        err = np.asarray(matching.get("limit/charges_residual_error", np.zeros_like(q)))
        keep = (q > floor) | (err > floor)
        top = np.maximum(q, floor)[keep]
        lower = np.minimum(err[keep], top * (1 - 1e-3))
        ax.errorbar(idx[keep], top, yerr=[lower, err[keep]], fmt="+", color="C1", capsize=2,
                    label=r"$|Q^+ - Q^-\circ A|$, $u_0\to-\infty$ ± extrapolation error")
    ax.set_ylim(floor * 1e-2, None)
    if labels is not None and len(labels) == len(idx) and len(idx) > 6:
        ax.axvline(5.5, color="0.75", lw=0.8)
        ax.text(2.5, 1.0, "Poincaré", transform=ax.get_xaxis_transform(), ha="center", va="bottom", fontsize="small")
    ax.set_xlabel("generator index (Poincaré, then Re/Im of $P_n$, $J_n$)")
    ax.set_ylabel("charge [1/G] (J, K: [length/G])")
    ax.set_title("charge table at i$^0$")
    ax.legend(frameon=False, fontsize="x-small")


def _checks_by_name(checks) -> dict:
    return {c.name: c for c in (checks or [])}


def _ladder_series(ax, D, values, q_inf, err, p, label, style, tol=None, zoom=None) -> None:
    """Per-level values against 1/D, the model q_inf + C D^-p through them (if p is finite) and the
    limit at 1/D = 0 with its error bar (and the check's tolerance as a shaded bar, if gated).
    ``zoom``: an inset axes drawn the same way (no legend entry), for the cones near the limit."""
    x = 1.0 / np.asarray(D, float)
    for k, a in enumerate([ax] if zoom is None else [ax, zoom]):
        line = a.plot(x, values, style, mfc="none")[0]
        c = line.get_color() if k == 0 else c
        line.set_color(c)
        if p is not None and np.isfinite(p):
            C = (values[0] - q_inf) / D[0] ** -p   # the fit runs through the three earliest cones
            xs = np.linspace(0.0, x.max(), 200)
            a.plot(xs, q_inf + C * xs ** p, "--", color=c, lw=0.8)
        # one legend entry per series, on the limit: what is compared is the u0 -> -inf value
        a.errorbar([0.0], [q_inf], yerr=[[err], [err]], fmt="D", color=c, ms=5, capsize=4,
                   label=None if k else f"{label}: $u_0\\to-\\infty$ {q_inf:.2g} ± {err:.2g}"
                   + ("" if tol is None else f" (tol {tol:.2g})"))
        if tol is not None:
            a.fill_between([-0.012 * x.max(), 0.012 * x.max()], -tol, tol, color=c, alpha=0.15, lw=0)


def _zoom(ax, D, values_and_limits) -> Any:
    """An inset of ``ax`` over the three earliest cones and the limit (deep ladders crowd 1/D -> 0);
    ``values_and_limits``: (values, q_inf, err, tol) of each series drawn, to fit the y range."""
    x3 = 1.0 / D[2]
    lo, hi = [], []
    for values, q, e, tol in values_and_limits:
        near = np.asarray(values)[1.0 / np.asarray(D) <= 1.15 * x3]
        b = max(e, tol or 0.0)
        lo.append(min(np.min(near), q - b))
        hi.append(max(np.max(near), q + b))
    zoom = ax.inset_axes([0.2, 0.08, 0.4, 0.38])
    pad = 0.1 * (max(hi) - min(lo) or 1.0)
    zoom.set_xlim(-0.12 * x3, 1.15 * x3)
    zoom.set_ylim(min(lo) - pad, max(hi) + pad)
    zoom.set_title("three earliest cones and the limit", fontsize="x-small")
    zoom.tick_params(labelsize="x-small")
    zoom.axhline(0.0, color="0.6", lw=0.6)
    return zoom


def charge_ladder(ax: Any, matching: dict[str, np.ndarray], labels: list[str], checks=None) -> None:
    """The Poincaré charge residual Q⁺ − Q⁻∘A [1/G] of each first cone against 1/D (D = t_c − u0),
    its fitted model (dashed) and the u0 -> -inf limit at 1/D = 0 with error bars: the check's error
    estimate where the matching is gated (shaded: its tolerance), else the extrapolation error.  Also
    the rest-frame angular momentum J⁺ − J⁻ (a BMS3 invariant, 1/G).  Generators whose residual is
    round-off (ROUNDOFF_REL x |E|) are named in the legend, not drawn."""
    D = matching["ladder/D"]
    R = matching["ladder/charges_residual"]
    lim, lerr = matching["limit/charges_residual"], matching["limit/charges_residual_error"]
    pexp = matching.get("limit/charges_residual_exponent", np.full(len(lim), np.nan))
    by = _checks_by_name(checks)
    scale = max(max_abs(matching["ladder/charges_plus"][:, 0]), 1.0)
    zero, zmax, rows = [], [], []
    for k, lab in enumerate(labels[:6]):
        if is_roundoff(R[:, k], scale) and is_roundoff(lim[k], scale):
            zero.append(lab)
            zmax.append(max(max_abs(R[:, k]), max_abs(lim[k])))
            continue
        chk = by.get(f"matching_limit_{lab}")
        err = chk.error_estimate if chk is not None else float(lerr[k])
        rows.append((R[:, k], float(lim[k]), float(err), pexp[k], f"{lab}: $Q^+ - Q^-\\circ A$",
                     None if chk is None else chk.tolerance))
    if "ladder/rest_frame_J_plus" in matching:
        dj = matching["ladder/rest_frame_J_plus"] - matching["ladder/rest_frame_J_minus"]
        lj = matching.get("limit/rest_frame_J_difference")
        if np.all(np.isfinite(dj)) and lj is not None:
            if is_roundoff(dj, scale) and is_roundoff(lj[0], scale):
                zero.append("rest-frame $J^+ - J^-$")
                zmax.append(max_abs(dj))
            else:
                chk = by.get("rest_frame_J_i0_plus_vs_minus")
                rows.append((dj, float(lj[0]), chk.error_estimate if chk else float(lj[1]), None,
                             "rest-frame $J^+ - J^-$", None if chk is None else chk.tolerance))
    zoom = _zoom(ax, D, [(v, q, e, t) for v, q, e, _, _, t in rows]) if len(D) >= 4 and rows else None
    styles = iter(["o-", "s-", "^-", "v-", "<-", ">-", "*-"])
    for values, q, e, pk, label, tol in rows:
        _ladder_series(ax, D, values, q, e, pk, label, next(styles), tol, zoom)
    if zero:
        ax.plot([], [], " ", label=roundoff_note(zero, zmax))
    ax.axhline(0.0, color="0.6", lw=0.6)
    ax.set_xlabel(r"$1/D = 1/(t_c - u_0)$ [1/length] (first-cone ladder; $u_0\to-\infty$ at 0)")
    ax.set_ylabel("charge residual [1/G]")
    ax.set_title("Poincaré charges: ladder and $u_0\\to-\\infty$ limit\n(dashed: $q_\\infty + C D^{-p}$ through the "
                 "three earliest cones)", fontsize="medium")
    ax.legend(frameon=False, fontsize="x-small", loc="best" if zoom is None else "upper right")   # the inset: lower left


def aspect_ladder(ax: Any, matching: dict[str, np.ndarray], summary: dict | None = None, checks=None) -> None:
    """Per first cone, against 1/D: the mode residuals |Θ⁺_m − (−1)^m Θ⁻_m| (and Ξ) not at round-off,
    with their u0 -> -inf limits and error bars, and the Hill trace difference tr M⁺ − tr M⁻ (gated:
    the check's error estimate and tolerance).  All dimensionless but Ξ [length]."""
    D = matching["ladder/D"]
    m = matching["modes_m"]
    styles = iter(["o-", "s-", "^-", "v-", "<-", ">-", "*-", "h-"])
    zero, zmax, drawn = [], [], []
    for q, sym in (("mass_aspect", r"\Theta"), ("angular_momentum_aspect", r"\Xi")):
        lad = matching[f"ladder/{q}_mode_residual"]
        lim, err = matching[f"limit/{q}_mode_residual"], matching[f"limit/{q}_mode_residual_error"]
        for j, mj in enumerate(m):
            if is_roundoff(lad[:, j], 1.0) and is_roundoff(lim[j], 1.0):
                zero.append(f"${sym}_{{{int(mj)}}}$")
                zmax.append(max_abs(lad[:, j]))
            else:
                drawn.append((max_abs(lad[:, j]), sym, int(mj), lad[:, j], float(lim[j]), float(err[j])))
    drawn.sort(key=lambda row: -row[0])
    for _, sym, mj, values, lim, err in drawn[:MAX_MODES]:
        _ladder_series(ax, D, values, lim, err, None, f"$|{sym}^+_{{{mj}}} - (-1)^m {sym}^-_{{{mj}}}|$", next(styles))
    if len(drawn) > MAX_MODES:
        ax.plot([], [], " ", label=f"{len(drawn) - MAX_MODES} smaller modes not drawn (max {drawn[MAX_MODES][0]:.1g})")
    chk = _checks_by_name(checks).get("hill_trace_i0_plus_vs_minus")
    levels = (summary or {}).get("hill_trace_i0_difference_levels")
    if chk is not None and isinstance(levels, str):
        tr = np.array([float(x) for x in levels.split(",")])
        if len(tr) == len(D):
            _ladder_series(ax, D, tr, chk.value, chk.error_estimate, None, r"Hill trace tr$M^+$ − tr$M^-$",
                           next(styles), chk.tolerance)
    if zero:
        ax.plot([], [], " ", label=roundoff_note(zero if len(zero) <= 4 else [f"{len(zero)} other modes"], zmax))
    ax.axhline(0.0, color="0.6", lw=0.6)
    ax.set_xlabel(r"$1/D = 1/(t_c - u_0)$ [1/length]")
    ax.set_ylabel(r"residual [dimensionless] ($\Xi$: [length])")
    ax.set_title("aspect modes and Hill trace: ladder and limit")
    ax.legend(frameon=False, fontsize="x-small")


def check_table(ax: Any, checks, summary: dict | None = None) -> None:
    """A text panel listing the checks made at i0 (value, error estimate, tolerance, verdict) and the
    limits that are reported but not gated (``summary``: ``matching_limit_<generator>[_error_estimate]``)."""
    rows = [c for c in (checks or []) if c.name.startswith(("matching", "hill_trace_i0", "rest_frame_J_i0"))]
    names = {c.name for c in rows}
    lines = ["what the checks compare (u$_0\\to-\\infty$ limits; ZERO: passes vacuously, not evidence):", ""]
    for c in rows:
        lines.append(f"{verdict(c)}  {c.name}: {c.value:.2e} ± {c.error_estimate:.1e} "
                     f"(tol {c.tolerance:.1e})")
    for lab in _POINCARE:
        if f"matching_limit_{lab}_error_estimate" in (summary or {}) and f"matching_limit_{lab}" not in names:
            lines.append(f"reported  matching_limit_{lab}: {summary[f'matching_limit_{lab}']:.2e} "
                         f"(± {summary[f'matching_limit_{lab}_error_estimate']:.1e} incl. safety)")
    if (summary or {}).get("matching_poincare_gate"):
        lines += ["", "Poincaré limits reported, not gated: off circular", "symmetry the linked frames differ at O(G)",
                  "(docs/conventions.md §6.1)"]
    if len(lines) == 2:
        lines.append("(no i$^0$ checks stored)")
    ax.set_axis_off()
    ax.text(0.0, 1.0, "\n".join(lines), transform=ax.transAxes, va="top", ha="left", family="monospace",
            fontsize="x-small")


def _main_level_u0(result: Any, m: dict) -> float:
    """First-cone time of the raw cuts in /matching: the main level, evolution.u_start (any of the
    ladder's cones), else the earliest cone."""
    try:
        u0 = float(result.config["evolution"]["u_start"])
    except (KeyError, TypeError, ValueError):
        return float(m["ladder/u0"][0])
    return u0 if np.any(np.isclose(m["ladder/u0"], u0)) else float(m["ladder/u0"][0])


def matching_figure(result: Any, plt: Any, outdir, formats, written: list) -> None:
    """``matching``: raw cuts and charge table; with a first-cone ladder also its limits (second row)."""
    m = result.matching
    if not ("mass_aspect_plus" in m and "mass_aspect_minus_antipodal" in m):
        return
    labels = result.summary.get("charge_labels")
    labels = labels.split(", ") if isinstance(labels, str) else None
    ladder = "ladder/D" in m and "limit/charges_residual" in m and labels is not None
    fig, axes = plt.subplots(2 if ladder else 1, 3, figsize=(16, 9.5 if ladder else 4.8), squeeze=False)
    u0 = _main_level_u0(result, m) if ladder else None
    matching_profile(axes[0, 0], m, "mass_aspect", u0)
    matching_profile(axes[0, 1], m, "angular_momentum_aspect", u0)
    if "charges_residual" in m:
        charge_matching(axes[0, 2], m, labels)
    else:
        axes[0, 2].axis("off")
    checks = result.checks
    if ladder:
        charge_ladder(axes[1, 0], m, labels, checks)
        aspect_ladder(axes[1, 1], m, result.summary, checks)
        check_table(axes[1, 2], checks, result.summary)
        n = len(m["ladder/D"])
        cones = ", ".join(f"{u:g}" for u in m["ladder/u0"])
        what = (f"matching across i$^0$: Θ⁺(u→−∞) vs Θ⁻(v→+∞)∘antipode (Ξ likewise), extrapolated over {n} first-cone "
                f"levels (u$_0$ = {cones}); top: raw cuts of the main level u$_0$ = {u0:g}, bottom: ladder and limit")
    else:
        what = "matching across i$^0$: Θ⁺(u→−∞) vs Θ⁻(v→+∞)∘antipode (Ξ likewise), exact i$^0$ cuts (no extrapolation)"
    suptitle(fig, result, what)
    save(plt, fig, outdir, "matching", formats, written)
