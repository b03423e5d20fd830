"""Exact scalar pulses on Minkowski space and compact pulses: initial data for kind ``characteristic``.

Exact pulses (complex-shifted point sources, smooth everywhere for a > 0):

    psi = Re sum_k A_k [ -(t - t_k - i a_k)^2 + (X - x_k)^2 + (Y - y_k)^2 ]^(-1/2)

solve the flat wave equation in 2+1 dimensions.  On the retarded cone u = t - r, X = r cos(phi),
Y = r sin(phi), with s = u - t_k - i a, d = x_k cos(phi) + y_k sin(phi), rho^2 = x_k^2 + y_k^2:

    sigma = -(s^2 - rho^2) - 2 r (s + d).

Im sigma = 2 a (t - t_k) vanishes only where Re sigma = a^2 + |X - X_k|^2 > 0, so the principal
square root is continuous everywhere.  With x = r/(R + r) and chi = sqrt(r + R) psi
(bondi-equations.md section 2):

    chi = Re sum A [ ((1-x)/R) sigma ]^(-1/2),   ((1-x)/R) sigma = -(1-x)(s^2 - rho^2)/R - 2 x (s + d),

regular up to and including x = 1, where it gives the radiation field at scri+

    psi0(u, phi) = lim sqrt(r) psi = Re sum A [ -2 (u - t_k - i a + x_k cos phi + y_k sin phi) ]^(-1/2),
    news         = d_u psi0         = Re sum A [ -2 (u - t_k - i a + x_k cos phi + y_k sin phi) ]^(-3/2).

At scri- (advanced time v = t + r fixed, r -> infinity, direction phi):
sigma = -(w^2 - rho^2) + 2 r (w - d), w = v - t_k - i a, so

    psi0^-(v, phi) = lim sqrt(r) psi = Re sum A [ 2 (v - t_k - i a - x_k cos phi - y_k sin phi) ]^(-1/2)

(Im of the bracket = -2a < 0: again no branch crossing).  For x_k = y_k = t_k = 0 and one pulse this
is the circular solution (c1) of bondi-equations.md section 6 with epsilon = A.

Compact pulses: psi = A B((r - r_c)/w) cos(m phi + phase) with B(s) = (1 - s^2)^8 for |s| < 1,
0 otherwise (C^7).  Regularity at the vertex (r^n coefficient holds only modes |m| <= n) requires
either m = 0 or support away from the vertex, r_c - w >= 0 (then psi = O(r^8) there, which is
regular for |m| <= 8); larger |m| need r_c - w > 0.
"""
from __future__ import annotations

import math
from typing import Iterable, Mapping

import numpy as np

BUMP_POWER = 8


def _pulse_params(p: Mapping, i: int, key: str = "characteristic.pulses"):
    def get(name, default):
        v = p.get(name, default)
        try:
            v = float(v)
        except (TypeError, ValueError):
            raise ValueError(f"{key}[{i}].{name} = {v!r}: must be a real number") from None
        if not math.isfinite(v):
            raise ValueError(f"{key}[{i}].{name} = {v}: must be finite")
        return v

    A = get("amplitude", 1.0)
    a = get("a", 1.0)
    if a <= 0:
        raise ValueError(f"{key}[{i}].a = {a}: must be > 0")
    return A, a, get("t0", 0.0), get("x0", 0.0), get("y0", 0.0)


def validate_pulses(pulses: Iterable[Mapping]) -> list[tuple[float, float, float, float, float]]:
    """Check a list of pulse dicts {amplitude, a, t0, x0, y0}; return tuples (A, a, t0, x0, y0)."""
    return [_pulse_params(p, i) for i, p in enumerate(pulses)]


def pulse_psi(t, X, Y, pulses) -> np.ndarray:
    """psi(t, X, Y) in Cartesian Minkowski coordinates."""
    out = 0.0
    for A, a, t0, x0, y0 in validate_pulses(pulses):
        sig = -(np.asarray(t) - t0 - 1j * a) ** 2 + (np.asarray(X) - x0) ** 2 + (np.asarray(Y) - y0) ** 2
        out = out + A * np.real(sig ** -0.5)
    return np.asarray(out, dtype=float)


def pulse_chi(u: float, x, phi, R: float, pulses) -> np.ndarray:
    """chi = sqrt(r + R) psi on the cone u, at compactified x (0 <= x <= 1) and phi (broadcast)."""
    x = np.asarray(x, dtype=float)
    phi = np.asarray(phi, dtype=float)
    out = np.zeros(np.broadcast(x, phi).shape)
    for A, a, t0, x0, y0 in validate_pulses(pulses):
        s = u - t0 - 1j * a
        d = x0 * np.cos(phi) + y0 * np.sin(phi)
        rho2 = x0 * x0 + y0 * y0
        z = -(1.0 - x) * (s * s - rho2) / R - 2.0 * x * (s + d)
        out = out + A * np.real(z ** -0.5)
    return out


def _at_scri(t, phi, pulses, side: int, power: float) -> np.ndarray:
    """Re sum_k A_k [2 s w_k]^power with w_k = t - t_k - i a_k - s (x_k cos phi + y_k sin phi),
    s = -1 at scri+ (t = u) and s = +1 at scri- (t = v): the limits of sqrt(r) psi and their
    t-derivatives (power -1/2 and -3/2 up to the factor of the derivative)."""
    out = 0.0
    for A, a, t0, x0, y0 in validate_pulses(pulses):
        w = np.asarray(t) - t0 - 1j * a - side * (x0 * np.cos(phi) + y0 * np.sin(phi))
        out = out + A * np.real((2.0 * side * w) ** power)
    return np.asarray(out, dtype=float)


def pulse_psi0(u, phi, pulses) -> np.ndarray:
    """Radiation field at scri+: psi0(u, phi) = lim sqrt(r) psi at fixed u."""
    return _at_scri(u, phi, pulses, -1, -0.5)


def pulse_news(u, phi, pulses) -> np.ndarray:
    """News at scri+: d_u psi0 = Re sum A [-2 (u - t_k - i a + d)]^(-3/2)."""
    return _at_scri(u, phi, pulses, -1, -1.5)


def pulse_psi0_scri_minus(v, phi, pulses) -> np.ndarray:
    """Radiation field at scri-: lim sqrt(r) psi at fixed v = t + r in direction phi."""
    return _at_scri(v, phi, pulses, +1, -0.5)


def pulse_news_scri_minus(v, phi, pulses) -> np.ndarray:
    """News at scri-: d_v psi0- = -Re sum A [2 (v - t_k - i a - d)]^(-3/2)."""
    return -_at_scri(v, phi, pulses, +1, -1.5)


# -------------------------------------------------------------------------------------------------
# compact pulses
# -------------------------------------------------------------------------------------------------


def validate_compact(compact: Iterable[Mapping]) -> list[tuple[float, float, float, int, float]]:
    """Check compact-pulse dicts {amplitude, r_center, width, m, phase}; return tuples."""
    out = []
    key = "characteristic.compact"
    for i, p in enumerate(compact):
        vals = {}
        for name, default in (("amplitude", 1.0), ("r_center", 1.0), ("width", 0.5), ("phase", 0.0)):
            v = p.get(name, default)
            try:
                v = float(v)
            except (TypeError, ValueError):
                raise ValueError(f"{key}[{i}].{name} = {v!r}: must be a real number") from None
            if not math.isfinite(v):
                raise ValueError(f"{key}[{i}].{name} = {v}: must be finite")
            vals[name] = v
        m = p.get("m", 0)
        if isinstance(m, bool) or not isinstance(m, (int, np.integer)) and not (
                isinstance(m, float) and m.is_integer()):
            raise ValueError(f"{key}[{i}].m = {m!r}: must be an integer")
        m = abs(int(m))
        if vals["width"] <= 0:
            raise ValueError(f"{key}[{i}].width = {vals['width']}: must be > 0")
        if vals["r_center"] < 0:
            raise ValueError(f"{key}[{i}].r_center = {vals['r_center']}: must be >= 0")
        gap = vals["r_center"] - vals["width"]
        if m != 0 and (gap < 0 or (gap == 0 and m > BUMP_POWER)):
            raise ValueError(
                f"{key}[{i}]: r_center - width = {gap:g} with m = {m}: a pulse with m != 0 must "
                f"vanish near the vertex (need r_center - width >= 0, > 0 for |m| > {BUMP_POWER}) "
                "to be regular (the r^n Taylor coefficient may hold only modes |m| <= n)")
        out.append((vals["amplitude"], vals["r_center"], vals["width"], m, vals["phase"]))
    return out


def compact_psi(r, phi, compact) -> np.ndarray:
    """psi = sum A (1 - s^2)^8 cos(m phi + phase), s = (r - r_c)/w, |s| < 1."""
    r = np.asarray(r, dtype=float)
    phi = np.asarray(phi, dtype=float)
    out = np.zeros(np.broadcast(r, phi).shape)
    for A, rc, w, m, ph in validate_compact(compact):
        s = (r - rc) / w
        bump = np.where(np.abs(s) < 1, np.clip(1 - s * s, 0, None) ** BUMP_POWER, 0.0)
        out = out + A * bump * np.cos(m * phi + ph)
    return out


def compact_chi(x, phi, R: float, compact) -> np.ndarray:
    """chi = sqrt(r + R) psi for compact pulses; 0 at x = 1 (compact support)."""
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(x < 1, R * x / np.where(x < 1, 1 - x, 1.0), np.inf)
        fac = np.where(x < 1, np.sqrt(R / np.where(x < 1, 1 - x, 1.0)), 0.0)
    rr = np.where(np.isfinite(r), r, 0.0)
    psi = compact_psi(rr, phi, compact)
    psi = np.where(np.isfinite(r), psi, 0.0)
    return fac * psi
