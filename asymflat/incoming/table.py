"""Incoming radiation psi0-(v, phi) on a uniform (v, phi) grid, and the checks a run needs of it.

The table holds the radiation field at scri- (docs/conventions.md section 2: psi0- = lim sqrt(r) psi
at fixed advanced time v = t + r in direction phi) on v_j = v_0 + j h, phi_k = 2 pi k / nphi.
Beyond each end of the v range the data either vanish or follow a stored tail law
(:mod:`asymflat.incoming.tails`).  The file layout is docs/format.md, "Incoming radiation"; files
are read and written by asymflat/io/incoming.py, which calls :func:`check`.

Measured criteria (thresholds below; the numbers behind them: tests/test_incoming_table.py):

- uniform grid: |v_j - v_0 - j h| <= UNIFORM_TOL h, phi_k = 2 pi k / nphi to UNIFORM_TOL;
- v sampling: the 6-point interpolation of the odd samples from the even ones (spacing 2h) misses
  by at most V_TOL of max |psi0|; the first-cone construction (order ~6 in h) is then resolved to
  about V_TOL / 2^6;
- angular spectrum: the largest Fourier mode above nphi/3, relative to the largest mode, <= PHI_TOL
  (the spectral truncation error of the construction is of that size);
- ends: max |psi0| on the 4 end samples <= VANISH_TOL max |psi0|, or a stored tail law reproducing
  the last quarter of the table to TAIL_TOL max |psi0|;
- energy (with G > 0): the Hill trace of Theta-(i0) = -1 + 16 pi G E_in(phi),
  E_in(phi) = int (d_v psi0-)^2 dv (scri- flux law, conventions.md section 5; exact at O(G), as
  asymflat.kinds.scattering.incoming_mass_aspect) must satisfy |trace| < 2 (conical-defect range).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from asymflat.incoming import tails as _tails

UNIFORM_TOL = 1e-9
V_TOL = 1e-3
PHI_TOL = 1e-3
VANISH_TOL = 1e-10
TAIL_TOL = 1e-6
#: 6-point midpoint interpolation weights (Lagrange, nodes -5/2..5/2 at 0)
MID6 = np.array([3.0, -25.0, 150.0, 150.0, -25.0, 3.0]) / 256.0


class IncomingDataError(ValueError):
    """Incoming data that a scattering run cannot use; the message is one line naming the file."""


@dataclass(frozen=True)
class IncomingData:
    """psi0-(v_j, phi_k) on a uniform grid with its tail laws (None: the data vanish there)."""

    v: np.ndarray
    phi: np.ndarray
    psi0: np.ndarray
    early: _tails.TailLaw | None = None
    late: _tails.TailLaw | None = None
    source: str = "<array>"

    @property
    def h(self) -> float:
        """Step of the v grid."""
        return float(self.v[1] - self.v[0])

    def at(self, v: np.ndarray) -> np.ndarray:
        """psi0- at times ``v`` on the table's own grid points or beyond its ends (tails or 0).

        Inside the table ``v`` must be table nodes (indices are rounded); outside, the tail laws.
        """
        v = np.asarray(v, dtype=float)
        out = np.zeros((len(v), len(self.phi)))
        j = np.rint((v - self.v[0]) / self.h).astype(int)
        inside = (j >= 0) & (j < len(self.v))
        out[inside] = self.psi0[j[inside]]
        for law, sel in ((self.early, j < 0), (self.late, j >= len(self.v))):
            if law is not None and np.any(sel):
                out[sel] = law(v[sel])
        return out


def with_tails(v, phi, psi0, source: str = "<array>", powers=_tails.TAIL_POWERS) -> IncomingData:
    """Build the table, fitting a tail law (:func:`asymflat.incoming.tails.fit`, leading power one
    of ``powers``) at each end that does not vanish (max |psi0| on the end samples > VANISH_TOL
    max |psi0|)."""
    v = np.asarray(v, dtype=float)
    psi0 = np.asarray(psi0, dtype=float)
    laws = {}
    center = _tails.energy_centroid(v, psi0)
    for end in ("early", "late"):
        laws[end] = None if _end_vanishes(psi0, end) else _tails.fit(v, psi0, end, powers, center=center)[0]
    return IncomingData(v, np.asarray(phi, dtype=float), psi0, laws["early"], laws["late"], source)


def _end_vanishes(psi0: np.ndarray, end: str) -> bool:
    edge = psi0[:4] if end == "early" else psi0[-4:]
    return float(np.max(np.abs(edge))) <= VANISH_TOL * max(float(np.max(np.abs(psi0))), 1e-300)


def sampling_error_v(psi0: np.ndarray) -> float:
    """max |psi0_odd - I6(psi0_even)| / max |psi0|: the 6-point interpolation error at spacing 2h."""
    even = psi0[0::2]
    if len(even) < 6:
        return np.inf
    pred = sum(MID6[i] * even[i:len(even) - 5 + i] for i in range(6))
    odd = psi0[5:2 * (len(even) - 5) + 5:2][:len(pred)]
    return float(np.max(np.abs(odd - pred[:len(odd)]))) / max(float(np.max(np.abs(psi0))), 1e-300)


def spectral_tail_phi(psi0: np.ndarray) -> float:
    """Largest |Fourier mode| with |m| > nphi/3 over all v, relative to the largest mode."""
    n = psi0.shape[1]
    c = np.abs(np.fft.rfft(psi0, axis=1))
    m = np.arange(c.shape[1])
    top = float(np.max(c))
    if top == 0:
        return 0.0
    return float(np.max(c[:, m > n / 3], initial=0.0)) / top


def incoming_energy(data: IncomingData) -> np.ndarray:
    """E_in(phi) = int (d_v psi0-)^2 dv over the table (6th-order differences, trapezoid) and the
    tails beyond it (the law's derivative, Gauss-Legendre in t = Y/|v - v_c|)."""
    h = data.h
    g = data.psi0
    d = np.gradient(g, h, axis=0, edge_order=2)
    c6 = np.array([-1.0, 9.0, -45.0, 0.0, 45.0, -9.0, 1.0]) / (60.0 * h)
    d[3:-3] = sum(c6[i] * g[i:len(g) - 6 + i] for i in range(7))
    e = np.trapezoid(d * d, dx=h, axis=0)
    t, wt = np.polynomial.legendre.leggauss(64)
    t, wt = 0.5 * (t + 1), 0.5 * wt
    for law, v_end in ((data.early, data.v[0]), (data.late, data.v[-1])):
        if law is None:
            continue
        Y = abs(v_end - law.center)
        vv = law.center + np.sign(v_end - law.center) * Y / t
        e = e + (law.derivative(vv) ** 2 * (Y / t**2)[:, None] * wt[:, None]).sum(axis=0)
    return e


def check(data: IncomingData, G: float | None = None, tail_tol: float = TAIL_TOL) -> None:
    """Raise :class:`IncomingDataError` (one line: the file and what is wrong) or return None.

    ``tail_tol``: the allowed tail-law residual (relative to max |psi0|); data that carry their own
    truncation error (a run's reflected output, asymflat/incoming/reverse.py) pass that error
    instead of TAIL_TOL (never less).
    """
    name = data.source
    v, phi, g = data.v, data.phi, data.psi0

    def bad(msg: str):
        raise IncomingDataError(f"{name}: {msg}")

    if v.ndim != 1 or phi.ndim != 1 or g.shape != (len(v), len(phi)):
        bad(f"psi0 has shape {g.shape}, needs (len(v), len(phi)) = ({len(v)}, {len(phi)})")
    if len(v) < 32 or len(phi) < 4:
        bad(f"grid of {len(v)} x {len(phi)} points: needs at least 32 times v and 4 angles phi")
    for what, arr in (("v", v), ("phi", phi), ("psi0", g)):
        if not np.all(np.isfinite(arr)):
            bad(f"{what} contains {int(np.sum(~np.isfinite(arr)))} NaN or inf entries")
    h = (v[-1] - v[0]) / (len(v) - 1)
    dev = float(np.max(np.abs(v - v[0] - h * np.arange(len(v))))) / h if h > 0 else np.inf
    if not h > 0 or dev > UNIFORM_TOL:
        bad(f"v grid not uniform and increasing (max deviation {dev:.3g} steps; allowed {UNIFORM_TOL:g})")
    dphi = float(np.max(np.abs(phi - 2 * np.pi * np.arange(len(phi)) / len(phi))))
    if dphi > UNIFORM_TOL:
        bad(f"phi grid is not 2 pi k / {len(phi)} (max deviation {dphi:.3g} rad)")
    ev = sampling_error_v(g)
    if ev > V_TOL:
        bad(f"v sampling unresolved: 6-point interpolation at spacing 2h = {2 * h:g} misses by "
            f"{ev:.3g} of max|psi0| (allowed {V_TOL:g}): use a finer v grid")
    ep = spectral_tail_phi(g)
    if ep > PHI_TOL:
        bad(f"angular spectrum unresolved: modes |m| > nphi/3 = {len(phi) / 3:.3g} reach {ep:.3g} of "
            f"the largest mode (allowed {PHI_TOL:g}): use more angles phi")
    for end, law in (("early", data.early), ("late", data.late)):
        _check_end(bad, v, g, end, law, max(tail_tol, TAIL_TOL))
    if G is not None and G > 0:
        _check_energy(bad, data, G)


def _check_end(bad, v, g, end: str, law, tail_tol: float = TAIL_TOL) -> None:
    if _end_vanishes(g, end):
        return
    edge = g[:4] if end == "early" else g[-4:]
    amp = float(np.max(np.abs(edge))) / float(np.max(np.abs(g)))
    if law is None:
        bad(f"psi0 at the {end} end of v (|psi0| = {amp:.3g} of max) neither vanishes (allowed "
            f"{VANISH_TOL:g}) nor has a tail law stored")
    res = _tails.residual(law, v, g)
    if res > tail_tol:
        bad(f"psi0 at the {end} end of v (|psi0| = {amp:.3g} of max) neither vanishes nor follows "
            f"its tail law (power {law.power:g}: residual {res:.3g} of max, allowed {tail_tol:.3g})")


def _check_energy(bad, data: IncomingData, G: float) -> None:
    from asymflat.bms3 import hill

    theta = -1.0 + 16 * np.pi * G * incoming_energy(data)
    tr = hill(theta).trace
    if not abs(tr) < 2.0:
        bad(f"the incoming energy takes spatial infinity beyond the conical-defect range (Hill trace "
            f"of Theta- at v -> +inf = {tr:.4g}, estimated at O(G); a deficit angle below 2 pi needs "
            f"|trace| < 2): lower the amplitude or G = {G:g}")
