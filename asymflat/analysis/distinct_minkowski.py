"""Distinct Minkowski spaces made by scattering: the final vacua of several runs compared (issue 9).

After the radiation has left, the state near i+ is on the Minkowski orbit in a BMS3 frame
``(F, gamma)`` (:mod:`asymflat.analysis.memory`; reference physics-bms3.md §6.2).  Two such vacua are
*distinct Minkowski spaces* (Schoeller) when their Poincare charges agree -- both are Minkowski --
while their ``|n| >= 2`` supermomenta ``P_n = Q[e^{i n phi}, 0]`` or superrotation charges
``J_n = Q[0, e^{i n phi}]`` differ (conventions.md section 3: ``Q[T, Y] = (1/16 pi G) oint (T Theta
+ 2 Y Xi)``).  This module reads the ``/memory`` group of scattering results (the final state
``Theta+(i+)``, ``Xi+(i+)`` extrapolated with the late-u flux tail, and its error arrays) and
tabulates, per run:

* the final Poincare charges relative to Minkowski's, ``E + 1/(8G), p_x, p_y, J, K_x, K_y``;
* ``|P_n|`` and ``|J_n|`` for ``n = 2..nmax``;
* the Hill trace and winding of the final state (Minkowski orbit: ``-2`` and ``1``);

each charge with an error bound linear in the aspect errors,
``|dQ[T, Y]| <= (1/16 pi G) oint (|T| dTheta + 2 |Y| dXi) dphi`` (``dTheta, dXi`` = the stored
``*_final_error`` arrays: tail-extrapolation spread), and for every pair of runs the differences
with the verdict ``equal`` (``|diff| <= SAFETY x combined error``) or ``distinct``.
"""
from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from asymflat.bms3.charges import poincare_charges

__all__ = ["final_state", "compare", "format_table", "figure", "register"]

#: a difference counts as resolved when it exceeds SAFETY x the combined error bound
SAFETY = 3.0
POINCARE = ("E", "p_x", "p_y", "J", "K_x", "K_y")


def _phi(n: int) -> np.ndarray:
    return 2.0 * np.pi * np.arange(n) / n


def final_state(result: Any, nmax: int = 6, frame: str = "matched") -> dict:
    """Charges of the final vacuum of one scattering result (module doc).

    ``result``: an :class:`asymflat.result.Result` (``asymflat.load``) with a ``/memory`` group.
    ``frame``: ``"matched"`` (default; the scri+ frame in which the i0 data equal the antipodal scri-
    data, docs/conventions.md §6.3, so that runs share the frame of their common i- vacuum; the error
    arrays of the first-cut frame are used, the map being O(G) from the identity) or ``"first_cut"``
    (the Bondi frame of the first scri+ cut: it differs between runs by an O(G) BMS3 map).
    Returns ``{"name", "G", "poincare": {k: (value, error)}, "P": [(n, |P_n|, err)], "J": [...],
    "hill_trace", "hill_winding", "F_minus_phi", "gamma", "phi"}``; ``poincare['E']`` is
    ``E + 1/(8G)`` (zero for Minkowski).
    """
    mem = result.memory
    if "mass_aspect_final" not in mem:
        raise ValueError(f"{getattr(result, 'path', result)}: no /memory group (a scattering result is needed)")
    at = result.memory_attributes
    G = float(at.get("G", result.config["G"]))
    if frame not in ("matched", "first_cut"):
        raise ValueError(f"frame = {frame!r}: allowed are 'matched', 'first_cut'")
    if frame == "matched" and "mass_aspect_final_matched" not in mem:
        raise ValueError(f"{getattr(result, 'path', result)}: no matched-frame final state in /memory (written by "
                         "kind scattering since the matched frame exists); use frame='first_cut'")
    suffix = "_matched" if frame == "matched" else ""
    th, xi = mem["mass_aspect_final" + suffix], mem["angular_momentum_aspect_final" + suffix]
    eth = mem.get("mass_aspect_final_error", np.zeros_like(th))
    exi = mem.get("angular_momentum_aspect_final_error", np.zeros_like(xi))
    n = th.shape[-1]
    phi = _phi(n)
    dphi = 2.0 * np.pi / n
    k = 1.0 / (16.0 * math.pi * G)

    def err(T, Y):
        return k * float(np.sum(np.abs(T) * eth + 2.0 * np.abs(Y) * exi) * dphi)

    pc = poincare_charges(th, xi, G)
    one, zero = np.ones(n), np.zeros(n)
    gens = {"E": (one, zero), "p_x": (np.cos(phi), zero), "p_y": (np.sin(phi), zero), "J": (zero, one),
            "K_x": (zero, np.cos(phi)), "K_y": (zero, np.sin(phi))}
    poin = {}
    for name in POINCARE:
        v = float(pc[name]) + (1.0 / (8.0 * G) if name == "E" else 0.0)
        poin[name] = (v, err(*gens[name]))
    P, J = [], []
    for m in range(2, nmax + 1):
        e = np.exp(1j * m * phi)
        Pm = k * np.sum(e * th) * dphi
        Jm = k * np.sum(e * 2.0 * xi) * dphi
        P.append((m, complex(Pm), err(np.abs(e), zero)))
        J.append((m, complex(Jm), err(zero, np.abs(e))))
    return dict(name=Path(str(getattr(result, "path", "run"))).stem, G=G, poincare=poin, P=P, J=J,
                hill_trace=float(at.get("hill_trace", np.nan)), hill_winding=float(at.get("hill_winding", np.nan)),
                F_minus_phi=mem.get("F_minus_phi" + suffix), gamma=mem.get("gamma" + suffix), phi=phi, frame=frame)


def compare(states: Sequence[dict]) -> list[dict]:
    """Pairwise differences of :func:`final_state` dicts: per Poincare charge and per |n| >= 2
    mode (complex difference), its combined error and ``equal`` / ``distinct``."""
    out = []
    for i in range(len(states)):
        for j in range(i + 1, len(states)):
            a, b = states[i], states[j]
            rows = []
            for name in POINCARE:
                (va, ea), (vb, eb) = a["poincare"][name], b["poincare"][name]
                d, e = va - vb, ea + eb
                rows.append((name, d, e, "equal" if abs(d) <= SAFETY * e else "distinct"))
            for key in ("P", "J"):
                for (m, va, ea), (_, vb, eb) in zip(a[key], b[key]):
                    d, e = abs(va - vb), ea + eb
                    rows.append((f"{key}_{m}", d, e, "equal" if d <= SAFETY * e else "distinct"))
            out.append(dict(pair=(a["name"], b["name"]), rows=rows))
    return out


def format_table(states: Sequence[dict], pairs: Sequence[dict] | None = None) -> str:
    """Plain-text table: one column per run (value +- error), then the pairwise verdicts."""
    pairs = compare(states) if pairs is None else pairs
    w = 26
    lines = ["final vacuum (i+)".ljust(18) + "".join(s["name"][:w - 1].ljust(w) for s in states)]

    def cell(v, e):
        return f"{v: .4e} +- {e:.1e}".ljust(w)

    labels = {"E": "E + 1/(8G)"}
    for name in POINCARE:
        lines.append(labels.get(name, name).ljust(18) + "".join(cell(*s["poincare"][name]) for s in states))
    for key in ("P", "J"):
        for idx in range(len(states[0][key])):
            m = states[0][key][idx][0]
            lines.append(f"|{key}_{m}|".ljust(18) + "".join(cell(abs(s[key][idx][1]), s[key][idx][2]) for s in states))
    lines.append("Hill trace".ljust(18) + "".join(f"{s['hill_trace']: .10f}".ljust(w) for s in states))
    lines.append("Hill winding".ljust(18) + "".join(f"{s['hill_winding']: .6f}".ljust(w) for s in states))
    for p in pairs:
        lines.append("")
        lines.append(f"{p['pair'][0]} vs {p['pair'][1]}: |difference| (combined error) verdict at {SAFETY:g} x error")
        for name, d, e, verdict in p["rows"]:
            lines.append(f"  {name:14s} {abs(d):.4e} ({e:.1e})  {verdict}")
    return "\n".join(lines)


def figure(states: Sequence[dict], path: str | Path) -> Path:
    """F - phi and gamma of each final vacuum against phi, and |J_n|, |P_n| (n >= 2) with error bars;
    PNG and PDF."""
    from asymflat.plots import mpl, write_png_pdf
    plt = mpl()
    fig, axs = plt.subplots(1, 3, figsize=(15, 4))
    styles = ["-", "--", ":", "-."]
    for i, s in enumerate(states):
        st = styles[i % len(styles)]
        if s["F_minus_phi"] is not None:
            axs[0].plot(s["phi"], s["F_minus_phi"], st, color="k", label=s["name"])
        if s["gamma"] is not None:
            axs[1].plot(s["phi"], s["gamma"], st, color="k", label=s["name"])
        for key, marker, shift in (("J", "o", -0.12), ("P", "s", 0.12)):
            m = np.array([r[0] for r in s[key]], float)
            v = np.array([abs(r[1]) for r in s[key]])
            e = np.array([r[2] for r in s[key]])
            axs[2].errorbar(m + shift + 0.05 * i, v, yerr=e, fmt=marker, mfc="none" if i else None,
                            color=f"{0.5 * i / max(1, len(states) - 1):.2f}",
                            label=f"|{key}_n| {s['name']}")
    axs[0].set_ylabel(r"superrotation memory $F - \phi$ [rad]")
    axs[1].set_ylabel(r"supertranslation memory $\gamma$ [length]")
    for ax in axs[:2]:
        ax.set_xlabel(r"$\phi$ [rad]")
        ax.legend(frameon=False, fontsize="small")
    axs[2].set_xlabel("mode n")
    axs[2].set_ylabel("final-vacuum charge [1/G]")
    axs[2].set_yscale("log")
    axs[2].legend(frameon=False, fontsize="x-small")
    return write_png_pdf(plt, fig, Path(path).with_suffix(".png"))


def register(subparsers: Any) -> argparse.ArgumentParser:
    """``asymflat distinct A.h5 B.h5 ... [-o PREFIX] [--nmax N]``: table (stdout) and figure."""
    p = subparsers.add_parser("distinct", help="compare the final vacua (memory) of scattering results: "
                                               "Poincare charges and |n| >= 2 charges with errors")
    p.add_argument("results", nargs="+", help="scattering result files (HDF5)")
    p.add_argument("-o", "--output", default=None, help="figure prefix (writes PREFIX.png and PREFIX.pdf)")
    p.add_argument("--nmax", type=int, default=6, help="largest mode n tabulated (default 6)")
    p.add_argument("--frame", choices=("matched", "first_cut"), default="matched",
                   help="scri+ frame of the final vacua: matched at i0 to scri- (default) or the first cut's")
    p.set_defaults(func=_main)
    return p


def _main(args: argparse.Namespace) -> int:
    from asymflat import load
    if args.nmax < 2:
        raise ValueError(f"--nmax = {args.nmax}: must be an integer >= 2")
    states = []
    for path in args.results:
        with load(path) as r:
            states.append(final_state(r, args.nmax, args.frame))
    print(format_table(states))
    if args.output:
        print(f"figure: {figure(states, args.output)}")
    return 0
