"""Periodic grids, spectral derivatives, exact Fourier interpolation on the circle.

Fourier convention (docs/conventions.md): on the uniform grid ``phi_j = 2 pi j / n``,

    f(phi) = sum_m f_m e^{i m phi},        f_m = (1/n) sum_j f(phi_j) e^{-i m phi_j}

i.e. ``f_m = numpy.fft.fft(f)[m] / n`` with ``m`` read by ``numpy.fft.fftfreq(n, 1/n)``.
For even ``n`` the Nyquist mode ``m = n/2`` is interpreted as ``f_{n/2} cos(n phi / 2)``
(the real, symmetric choice); odd derivatives drop it on the grid.

Contour integrals ``oint dphi f`` are the trapezoid sum ``(2 pi / n) sum_j f(phi_j)``, exact for
trigonometric polynomials of degree < n and spectrally accurate for smooth periodic f.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Union

import numpy as np

ArrayLike = Union[np.ndarray, float]

TWO_PI = 2.0 * np.pi


def phi_grid(n: int) -> np.ndarray:
    """Uniform grid ``phi_j = 2 pi j / n``, ``j = 0..n-1``."""
    if int(n) != n or n < 1:
        raise ValueError(f"grid size n = {n!r}: allowed are positive integers")
    return TWO_PI * np.arange(int(n)) / int(n)


def mode_numbers(n: int) -> np.ndarray:
    """Integer mode numbers ``m`` in numpy FFT order (``0, 1, .., -1``)."""
    return np.rint(np.fft.fftfreq(n, 1.0 / n)).astype(int)


def fourier_modes(f: np.ndarray) -> np.ndarray:
    """Fourier coefficients ``f_m = fft(f)/n`` along the last axis (numpy FFT order)."""
    f = np.asarray(f)
    return np.fft.fft(f, axis=-1) / f.shape[-1]


def from_modes(c: np.ndarray, real: bool = True) -> np.ndarray:
    """Inverse of :func:`fourier_modes`."""
    c = np.asarray(c)
    f = np.fft.ifft(c * c.shape[-1], axis=-1)
    return f.real if real else f


def mode(f: np.ndarray, m: int) -> complex:
    """The single Fourier coefficient ``f_m`` of grid data ``f`` (any integer ``|m| <= n/2``)."""
    f = np.asarray(f)
    n = f.shape[-1]
    return complex(np.sum(f * np.exp(-1j * m * phi_grid(n))) / n)


def _ipow(k: int) -> complex:
    """``i^k`` exactly."""
    return (1.0, 1j, -1.0, -1j)[k % 4]


def derivative(f: np.ndarray, k: int = 1) -> np.ndarray:
    """Spectral ``k``-th derivative ``d^k f / dphi^k`` of grid data along the last axis.

    Multiplies ``f_m`` by ``(i m)^k``; for even ``n`` and odd ``k`` the Nyquist mode is dropped.
    Real input gives real output.
    """
    f = np.asarray(f)
    if k == 0:
        return f.copy()
    n = f.shape[-1]
    m = mode_numbers(n).astype(float)
    fac = _ipow(k) * m**k  # exact i^k times m^k (complex pow is not exact)
    if n % 2 == 0 and k % 2 == 1:
        fac[n // 2] = 0.0
    if n % 2 == 0 and k % 2 == 0:
        # (i N)^k with the Nyquist mode read as cos(N phi): d^k cos = (-N^2)^(k/2) cos
        fac[n // 2] = (-(n / 2) ** 2) ** (k // 2)
    out = np.fft.ifft(np.fft.fft(f, axis=-1) * fac, axis=-1)
    return out.real if np.isrealobj(f) else out


def integrate(f: np.ndarray) -> np.ndarray | float:
    """``oint_0^{2 pi} f dphi`` as the trapezoid sum ``(2 pi/n) sum_j f_j`` (last axis)."""
    f = np.asarray(f)
    return TWO_PI * np.sum(f, axis=-1) / f.shape[-1]


def shift(f: np.ndarray, a: float) -> np.ndarray:
    """Grid data of ``phi -> f(phi + a)`` (exact: a roll when ``a`` is a grid multiple)."""
    f = np.asarray(f)
    n = f.shape[-1]
    s = a * n / TWO_PI
    if abs(s - round(s)) < 1e-12:
        return np.roll(f, -int(round(s)), axis=-1)
    m = mode_numbers(n).astype(float)
    fac = np.exp(1j * m * a)
    if n % 2 == 0:
        fac[n // 2] = np.cos(n / 2 * a)  # cos(N(phi+a)) = cos(Na)cos(N phi) - ...; sin part lost
    out = np.fft.ifft(np.fft.fft(f, axis=-1) * fac, axis=-1)
    return out.real if np.isrealobj(f) else out


def spectral_tail(f: np.ndarray, k: int = 0) -> float:
    """Truncation estimate for grid data: ``sum |f_m| |m|^k`` over the top modes ``|m| >= n/2 - 3``.

    For a resolved (geometrically decaying) spectrum the modes next to the Nyquist mode measure
    the first neglected / aliased modes, hence the error of a ``k``-th spectral derivative.
    """
    f = np.asarray(f)
    n = f.shape[-1]
    c = np.abs(fourier_modes(f))
    m = np.abs(mode_numbers(n))
    sel = m >= n // 2 - 3
    return float(np.max(np.sum(c[..., sel] * np.maximum(m[sel], 1) ** k, axis=-1)))


@dataclass
class TrigSeries:
    """Real function ``f(phi) = slope*phi + Re[a_0 + 2 sum_{m>=1} a_m e^{i m phi}]``.

    A trigonometric polynomial (plus an optional linear part, used for the quasi-periodic
    supertranslations of spinning quotients), evaluable with any derivative at any point.
    ``coeffs[m] = a_m`` is the Fourier coefficient ``f_m`` of :mod:`spectral` (``m >= 0``);
    an even-``n`` Nyquist coefficient is stored halved so that it reads ``f_N cos(N phi)``.
    """

    coeffs: np.ndarray
    slope: float = 0.0

    def __post_init__(self) -> None:
        self.coeffs = np.atleast_1d(np.asarray(self.coeffs, dtype=complex))

    # -- constructors -------------------------------------------------------------------
    @classmethod
    def constant(cls, c: float) -> "TrigSeries":
        return cls(np.array([c], dtype=complex))

    @classmethod
    def from_grid(cls, values: np.ndarray, chop: float = 0.0) -> "TrigSeries":
        """Exact trigonometric interpolant of real grid data on ``phi_grid(n)``.

        ``chop > 0`` zeroes the coefficients below ``chop * max|f_m|`` (e.g. ``chop = 4 eps``
        drops the round-off floor, which derivatives of order k would amplify by ``(n/2)^k``).
        """
        v = np.asarray(values, dtype=float)
        n = v.shape[-1]
        c = np.fft.fft(v) / n
        M = n // 2
        a = c[: M + 1].copy()
        if n % 2 == 0:
            a[M] = 0.5 * c[M].real
        if chop > 0:
            a[np.abs(a) < chop * np.max(np.abs(a))] = 0.0
        return cls(a)

    @classmethod
    def from_cos_sin(cls, terms, constant: float = 0.0, slope: float = 0.0) -> "TrigSeries":
        """``constant + sum_n a_n cos(n phi) + b_n sin(n phi)`` from ``[(n, a_n, b_n), ...]``."""
        terms = [tuple(t) for t in terms]
        nmax = max([int(t[0]) for t in terms], default=0)
        a = np.zeros(nmax + 1, dtype=complex)
        a[0] = constant
        for t in terms:
            if len(t) != 3 or int(t[0]) != t[0] or t[0] < 0:
                raise ValueError(f"Fourier term {t!r}: allowed are triples [n, a_n, b_n] with integer n >= 0")
            n, an, bn = int(t[0]), float(t[1]), float(t[2])
            if n == 0:
                a[0] += an
            else:
                a[n] += 0.5 * (an - 1j * bn)
        return cls(a, slope)

    # -- evaluation ---------------------------------------------------------------------
    def __call__(self, phi: ArrayLike, k: int = 0) -> np.ndarray:
        """``d^k f/dphi^k`` at the points ``phi`` (any shape)."""
        x = np.asarray(phi, dtype=float)
        m = np.arange(len(self.coeffs), dtype=float)
        w = np.full(len(m), 2.0)
        w[0] = 1.0
        fac = w * self.coeffs * (_ipow(k) * m**k)
        if k > 0:
            fac[0] = 0.0
        out = np.real(np.exp(1j * np.multiply.outer(x, m)) @ fac)
        if k == 0:
            out = out + self.slope * x
        elif k == 1:
            out = out + self.slope
        return out

    def derivative_series(self, k: int = 1) -> "TrigSeries":
        m = np.arange(len(self.coeffs), dtype=float)
        a = self.coeffs * (_ipow(k) * m**k)
        if k == 1:
            a[0] = self.slope
        elif k > 1:
            a[0] = 0.0
        return TrigSeries(a)

    def on_grid(self, n: int, k: int = 0) -> np.ndarray:
        return self(phi_grid(n), k)

    @property
    def bandwidth(self) -> int:
        nz = np.nonzero(np.abs(self.coeffs) > 0)[0]
        return int(nz[-1]) if len(nz) else 0

    def __neg__(self) -> "TrigSeries":
        return TrigSeries(-self.coeffs, -self.slope)

    def __add__(self, other: "TrigSeries") -> "TrigSeries":
        L = max(len(self.coeffs), len(other.coeffs))
        a = np.zeros(L, dtype=complex)
        a[: len(self.coeffs)] += self.coeffs
        a[: len(other.coeffs)] += other.coeffs
        return TrigSeries(a, self.slope + other.slope)

    def scaled(self, s: float) -> "TrigSeries":
        return TrigSeries(s * self.coeffs, s * self.slope)

    def shifted(self, a: float) -> "TrigSeries":
        """``phi -> f(phi + a)``."""
        m = np.arange(len(self.coeffs))
        return TrigSeries(self.coeffs * np.exp(1j * m * a) + 0.0, self.slope) + TrigSeries.constant(self.slope * a)


def as_series(f: Union[TrigSeries, np.ndarray, float, int]) -> TrigSeries:
    """Turn grid data (uniform grid), a constant or a :class:`TrigSeries` into a TrigSeries."""
    if isinstance(f, TrigSeries):
        return f
    if np.isscalar(f):
        return TrigSeries.constant(float(f))
    return TrigSeries.from_grid(np.asarray(f, dtype=float))


def evaluate(f: Union[TrigSeries, np.ndarray, float, Callable], phi: ArrayLike, k: int = 0) -> np.ndarray:
    """Evaluate ``d^k f`` at ``phi`` for grid data / series / constant / callable ``f(phi, k)``."""
    if isinstance(f, TrigSeries):
        return f(phi, k)
    if callable(f):
        return np.asarray(f(phi, k), dtype=float)
    return as_series(f)(phi, k)
