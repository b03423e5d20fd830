"""Tail laws of a radiation field at the ends of its time range (2+1 flat wave equation).

In 2+1 dimensions Huygens' principle fails, and radiation fields decay by powers of the time,
not exponentially.  Two laws occur for the flat wave equation (derivation below; checked in
tests/test_incoming_tails.py):

(a) **integer law, p = 1** -- the radiation field produced by *integrable* radiation.  The free
    scattering map at G = 0 (asymflat/incoming/first_cone.py, Notes) is

        psi0+(u, phi) = -(1/pi) p.v. int dv psi0-(v, phi + pi) / (u - v),

    so for incoming data psi0- of compact support (or decaying faster than 1/|v|)

        psi0+(u, phi) = -(1/pi) sum_{k>=1} u^-k int dv v^(k-1) psi0-(v, phi + pi)      (|u| -> inf),

    at *both* ends of u: a 1/u tail with coefficient -(1/pi) int psi0- dv (zero-frequency content)
    and higher integer powers with the moments.  A run's outgoing psi0+ therefore does not vanish at
    u_end, and time-reflected outgoing data (asymflat/incoming/reflect.py) carry this law at early v.

(b) **half-integer law, p = 1/2** -- the field of localised sources and of Cauchy data of compact
    support: the retarded Green function theta(t - r) / (2 pi sqrt(t^2 - r^2)) gives at fixed u,
    r -> inf, psi0+ ~ (int psi_t d^2x) / (2 pi sqrt(2 u)), and so a series in u^-(1/2 + k).  The exact
    pulse family (asymflat/exact/pulses.py) has it at both ends of scri-:
    psi0- = Re A [2 (v - tau)]^-1/2 = Re A (2 v)^-1/2 sum_k binom(-1/2, k) (-tau/v)^k, with
    tau = t_k + i a_k + x_k cos phi + y_k sin phi; at v -> -inf the leading term is imaginary, so
    there the series starts at |v|^-3/2.

A tail law is stored as

    psi0(v, phi) = sum_{k=0}^{K-1} c_k(phi) |v - v_c|^-(p + k)        (v beyond the table's end),

with p in {1/2, 1}, the centre v_c (the centroid of the incoming energy, int v (d_v psi0)^2 / int
(d_v psi0)^2 over the table and the angles: the series in 1/|v - v_c| converges fastest about
the radiation's own time; measured on the exact pulses, a table centre 20 away from it left a fit
residual of 1.4e-4 instead of 6e-9) and the coefficients fitted
by least squares on the last quarter of the table at that end; the fit keeps the law whose
residual is smaller.  The residual is the measured criterion of :mod:`asymflat.incoming.table`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: the admissible leading powers: (b) half-integer law, (a) integer law
TAIL_POWERS = (0.5, 1.0)
#: default number of terms of the fitted series
TAIL_TERMS = 6
#: fraction of the table, at the end in question, on which a law is fitted and checked
TAIL_WINDOW = 0.25


@dataclass(frozen=True)
class TailLaw:
    """psi0 = sum_k c_k(phi) |v - center|^-(power + k) beyond one end ("early" or "late")."""

    end: str
    power: float
    center: float
    coefficients: np.ndarray  # (K, nphi), real

    def __call__(self, v: np.ndarray) -> np.ndarray:
        """The law at times ``v`` (shape (len(v),)): array (len(v), nphi)."""
        y = np.abs(np.asarray(v, dtype=float) - self.center)
        q = self.power + np.arange(len(self.coefficients))
        return (y[:, None] ** -q[None, :]) @ self.coefficients

    def derivative(self, v: np.ndarray) -> np.ndarray:
        """d psi0/dv of the law at ``v``: sum_k -s (p + k) c_k |v - v_c|^-(p+k+1), s = sign(v - v_c)."""
        v = np.asarray(v, dtype=float)
        y = np.abs(v - self.center)
        q = self.power + np.arange(len(self.coefficients))
        d = -(q[None, :] * y[:, None] ** (-q[None, :] - 1.0)) @ self.coefficients
        return np.sign(v - self.center)[:, None] * d


def window(nv: int, end: str) -> slice:
    """Indices of the fit/check window: the last TAIL_WINDOW of the table at ``end`` (>= 8 points)."""
    n = max(8, int(round(TAIL_WINDOW * nv)))
    return slice(0, n) if end == "early" else slice(nv - n, nv)


def residual(law: TailLaw, v: np.ndarray, psi0: np.ndarray) -> float:
    """max |psi0 - law| over the window, relative to max |psi0| over the whole table."""
    w = window(len(v), law.end)
    scale = float(np.max(np.abs(psi0))) or 1.0
    return float(np.max(np.abs(psi0[w] - law(v[w])))) / scale


def energy_centroid(v: np.ndarray, psi0: np.ndarray) -> float:
    """v_c = int v (d_v psi0)^2 dv dphi / int (d_v psi0)^2 dv dphi on the table."""
    e = np.sum(np.gradient(psi0, v, axis=0) ** 2, axis=1)
    return float(np.sum(v * e) / np.sum(e)) if np.sum(e) > 0 else 0.5 * float(v[0] + v[-1])


def fit(v: np.ndarray, psi0: np.ndarray, end: str, powers=TAIL_POWERS,
        nterms: int = TAIL_TERMS, center: float | None = None) -> tuple[TailLaw, float]:
    """Least-squares fit of the tail law at ``end`` for each power; return the best and its residual.

    The basis is scaled by Y = |v_end - v_c| ((Y/|v - v_c|)^(p+k)) for conditioning.
    """
    v = np.asarray(v, dtype=float)
    center = energy_centroid(v, psi0) if center is None else float(center)
    w = window(len(v), end)
    y = np.abs(v[w] - center)
    Y = float(np.max(y))
    best = None
    for p in powers:
        q = p + np.arange(nterms)
        basis = (Y / y[:, None]) ** q[None, :]
        coef, *_ = np.linalg.lstsq(basis, psi0[w], rcond=None)
        law = TailLaw(end, float(p), float(center), coef * (Y ** q)[:, None])
        res = residual(law, v, psi0)
        if best is None or res < best[1]:
            best = (law, res)
    return best
