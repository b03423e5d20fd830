"""Circle diffeomorphisms (superrotations), Lorentz (Moebius) boosts, Schwarzian derivative.

A superrotation is an orientation-preserving diffeomorphism ``F`` of the circle, written as
``F(phi) = phi + p(phi)`` with ``p`` periodic (reference §2.4), composed with closed-form Moebius
(Lorentz) maps.  Every map here carries its derivatives ``F, F', F'', F''', F''''`` in closed
form (chain rule for compositions), so that the Schwarzian

    S[F] = F'''/F' - (3/2) (F''/F')^2                         (reference §0.2)

and the vacuum-orbit mass aspect ``Theta = -F'^2 - 2 S[F]`` (reference §3.1) are analytic.

The same class also holds *developing maps* that are not circle diffeomorphisms,
``F(phi + 2 pi) != F(phi) + 2 pi``: the scaling ``F = mu phi`` (conical defect) and the
hyperbolic map ``F = 2 atan(tanh(sqrt(Theta0) phi / 2))`` (flat-space cosmology).  They are
local embeddings of the quotient spacetimes into Minkowski space (see :mod:`embeddings`);
``period_shift`` records ``F(phi+2pi) - F(phi)`` where constant (``None`` otherwise).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from .spectral import TWO_PI, ArrayLike, TrigSeries, as_series

#: derivative callable: (phi, kmax) -> [F, F', ..., F^(kmax)] with kmax <= 4
DerivFn = Callable[[np.ndarray, int], list]


@dataclass
class CircleDiffeo:
    """An orientation-preserving map ``phi -> F(phi)`` with closed-form derivatives up to 4.

    Attributes
    ----------
    derivs
        ``derivs(phi, kmax)`` returns ``[F, F', ..., F^(kmax)]`` evaluated at ``phi``.
    period_shift
        ``F(phi + 2 pi) - F(phi)`` (``2 pi`` for a circle diffeomorphism, ``2 pi mu`` for the
        conical developing map, ``None`` if not constant).
    label
        Human-readable description.
    """

    derivs: DerivFn
    period_shift: float | None = TWO_PI
    label: str = "F"
    parts: tuple = field(default_factory=tuple)

    # -- evaluation ---------------------------------------------------------------------
    def __call__(self, phi: ArrayLike) -> np.ndarray:
        return self.derivs(np.asarray(phi, dtype=float), 0)[0]

    def d(self, phi: ArrayLike, k: int) -> np.ndarray:
        """``d^k F / dphi^k`` at ``phi`` (``k <= 4``)."""
        return self.derivs(np.asarray(phi, dtype=float), k)[k]

    def all_derivs(self, phi: ArrayLike, kmax: int = 4) -> list:
        return self.derivs(np.asarray(phi, dtype=float), kmax)

    def schwarzian(self, phi: ArrayLike) -> np.ndarray:
        """``S[F] = F'''/F' - 3/2 (F''/F')^2`` (reference §0.2)."""
        _, f1, f2, f3 = self.all_derivs(phi, 3)
        return f3 / f1 - 1.5 * (f2 / f1) ** 2

    def schwarzian_prime(self, phi: ArrayLike) -> np.ndarray:
        """``d S[F] / dphi`` in closed form (needs ``F''''``)."""
        _, f1, f2, f3, f4 = self.all_derivs(phi, 4)
        return f4 / f1 - f3 * f2 / f1**2 - 3.0 * (f2 / f1) * (f3 / f1 - (f2 / f1) ** 2)

    def kappa(self, phi: ArrayLike) -> np.ndarray:
        """``kappa = F'^2 + 2 S[F]`` (reference §3.2); the vacuum-orbit ``Theta = -kappa``."""
        return self.d(phi, 1) ** 2 + 2.0 * self.schwarzian(phi)

    def vacuum_mass_aspect(self, phi: ArrayLike) -> np.ndarray:
        """``Theta = -F'^2 - 2 S[F]``: the Minkowski mass aspect ``-1`` transformed by ``F``."""
        return -self.kappa(phi)

    def vacuum_mass_aspect_prime(self, phi: ArrayLike) -> np.ndarray:
        """``Theta' = -2 F' F'' - 2 S[F]'`` in closed form."""
        _, f1, f2 = self.all_derivs(phi, 2)
        return -2.0 * f1 * f2 - 2.0 * self.schwarzian_prime(phi)

    @property
    def is_circle_diffeo(self) -> bool:
        return self.period_shift is not None and abs(self.period_shift - TWO_PI) < 1e-12

    def check_orientation(self, name: str = "F", n: int = 2048) -> float:
        """Raise ``ValueError`` naming ``name`` unless ``F' > 0`` on a fine grid; return min F'."""
        x = TWO_PI * np.arange(n) / n
        f1 = self.d(x, 1)
        mn = float(np.min(f1))
        if not np.all(np.isfinite(f1)) or mn <= 0.0:
            raise ValueError(
                f"{name}: the circle map has min F'(phi) = {mn:.6g} <= 0 (at phi = "
                f"{x[int(np.argmin(f1))]:.4f}); allowed are orientation-preserving diffeomorphisms, "
                "F' > 0 everywhere (reduce the amplitudes)"
            )
        return mn

    # -- group operations ---------------------------------------------------------------
    def compose(self, inner: "CircleDiffeo") -> "CircleDiffeo":
        """``(self o inner)(phi) = self(inner(phi))`` with Faa di Bruno derivatives to order 4."""
        outer = self

        def derivs(phi: np.ndarray, kmax: int) -> list:
            g = inner.derivs(phi, kmax)
            f = outer.derivs(g[0], kmax)
            out = [f[0]]
            if kmax >= 1:
                out.append(f[1] * g[1])
            if kmax >= 2:
                out.append(f[2] * g[1] ** 2 + f[1] * g[2])
            if kmax >= 3:
                out.append(f[3] * g[1] ** 3 + 3 * f[2] * g[1] * g[2] + f[1] * g[3])
            if kmax >= 4:
                out.append(
                    f[4] * g[1] ** 4 + 6 * f[3] * g[1] ** 2 * g[2] + 3 * f[2] * g[2] ** 2
                    + 4 * f[2] * g[1] * g[3] + f[1] * g[4]
                )
            return out

        ps = None
        if outer.is_circle_diffeo and inner.is_circle_diffeo:
            ps = TWO_PI
        elif inner.is_circle_diffeo and outer.period_shift is not None:
            ps = outer.period_shift
        elif outer.is_circle_diffeo and inner.period_shift is not None:
            ps = inner.period_shift
        return CircleDiffeo(derivs, ps, f"({outer.label}) o ({inner.label})", (outer, inner))

    def __matmul__(self, inner: "CircleDiffeo") -> "CircleDiffeo":
        return self.compose(inner)

    def antipodal_conjugate(self) -> "CircleDiffeo":
        """The linked map at scri-: ``F_bar(phi) = F(phi + pi) - pi`` (reference §4.2)."""
        return rotation(-np.pi).compose(self.compose(rotation(np.pi))).relabel(f"A^-1 o {self.label} o A")

    def relabel(self, label: str) -> "CircleDiffeo":
        return CircleDiffeo(self.derivs, self.period_shift, label, self.parts)

    def periodic_part_on_grid(self, n: int) -> np.ndarray:
        """``F(phi_j) - phi_j`` on the uniform grid (for a circle diffeomorphism)."""
        x = TWO_PI * np.arange(n) / n
        return self(x) - x


# -- constructors -------------------------------------------------------------------------
def identity() -> CircleDiffeo:
    """``F(phi) = phi``."""

    def derivs(phi, kmax):
        z = np.zeros_like(phi)
        return [phi.copy(), np.ones_like(phi), z, z, z][: kmax + 1]

    return CircleDiffeo(derivs, TWO_PI, "id")


def rotation(angle: float) -> CircleDiffeo:
    """``F(phi) = phi + angle`` (a rotation; Schwarzian 0)."""
    a = float(angle)

    def derivs(phi, kmax):
        z = np.zeros_like(phi)
        return [phi + a, np.ones_like(phi), z, z, z][: kmax + 1]

    return CircleDiffeo(derivs, TWO_PI, f"rot({a:g})")


def from_series(periodic: TrigSeries, label: str = "phi + p(phi)") -> CircleDiffeo:
    """``F(phi) = phi + p(phi)`` with ``p`` a (periodic) :class:`TrigSeries`."""
    p = as_series(periodic)
    if p.slope != 0.0:
        raise ValueError("the periodic part of a circle diffeomorphism must have no linear term")

    def derivs(phi, kmax):
        out = [phi + p(phi, 0)]
        for k in range(1, kmax + 1):
            out.append(p(phi, k) + (1.0 if k == 1 else 0.0))
        return out

    return CircleDiffeo(derivs, TWO_PI, label)


def from_fourier_terms(terms: Sequence[Sequence[float]], name: str = "superrotation") -> CircleDiffeo:
    """``F(phi) = phi + sum_n a_n cos(n phi) + b_n sin(n phi)`` from ``[[n, a_n, b_n], ...]``.

    Raises ``ValueError`` naming ``name`` if ``F' > 0`` fails.
    """
    for t in terms:
        if len(t) != 3 or int(t[0]) != t[0] or int(t[0]) < 1:
            raise ValueError(
                f"{name} = {list(map(list, terms))!r}: allowed are lists of [n, a_n, b_n] with integer n >= 1"
            )
    F = from_series(TrigSeries.from_cos_sin(terms), f"phi + sum a_n cos + b_n sin ({name})")
    F.check_orientation(name)
    return F


def from_grid(periodic_values: np.ndarray, label: str = "F(grid)") -> CircleDiffeo:
    """``F = phi + p`` with ``p`` the exact Fourier interpolant of ``F(phi_j) - phi_j``."""
    return from_series(TrigSeries.from_grid(periodic_values), label)


def from_derivative(fprime: np.ndarray, floor: float = 0.0, anchor: str = "origin",
                    label: str = "F from F'") -> CircleDiffeo:
    """``F = phi + p`` from grid samples of ``F'`` (mean 1): ``p_m = (F' - 1)_m / (i m)``.

    Modes of ``F' - 1`` below ``floor`` (a noise floor) are dropped, and so are the mean and the Nyquist
    mode (the inverse of an odd derivative is ambiguous there).  ``anchor``: ``"origin"`` gives
    ``F(0) = 0``, ``"mean"`` a mean-free ``p`` (the rotation closest to the identity).
    """
    if anchor not in ("origin", "mean"):
        raise ValueError(f"anchor = {anchor!r}: allowed are 'origin', 'mean'")
    fp = np.asarray(fprime, dtype=float)
    n = fp.shape[-1]
    c = np.fft.fft(fp - 1.0) / n
    c[np.abs(c) < floor] = 0.0
    M = n // 2
    m = np.arange(M + 1, dtype=float)
    a = np.zeros(M + 1, dtype=complex)
    a[1:M] = c[1:M] / (1j * m[1:M])
    p = TrigSeries(a)
    if anchor == "origin":
        p = p + TrigSeries.constant(-float(p(0.0)))
    return from_series(p, label)


def boost(rapidity: float, direction: float = 0.0) -> CircleDiffeo:
    """Lorentz boost as a Moebius circle map (aberration), reference §3.2 / §4.2.

    ``F(phi) = phi + 2 atan( t sin x / (1 - t cos x) )`` with ``x = phi - direction`` and
    ``t = tanh(rapidity/2)``; equivalently ``tan((F - direction)/2) = e^rapidity tan(x/2)`` and

        F'(phi) = 1 / (cosh(rapidity) - sinh(rapidity) cos(phi - direction)),
        S[F] = (1 - F'^2)/2,    so  -F'^2 - 2 S[F] = -1  (Minkowski is invariant).

    Acting with this ``F`` on a state at rest gives the state seen moving with ``rapidity``
    towards ``direction``: the boosted conical defect
    ``Theta = -1 + (1 - mu^2) F'^2`` peaks at ``phi = direction`` (reference §3.1).
    The reference's "boost along x" of §3.2 (``1/F' = cosh b + sinh b cos phi``) is
    ``boost(b, pi)``: the Bondi observer moves along +x, the old rest frame is seen moving to -x.
    """
    eta = float(rapidity)
    p0 = float(direction)
    ch, sh = np.cosh(eta), np.sinh(eta)
    t = np.tanh(eta / 2.0)

    def derivs(phi, kmax):
        x = phi - p0
        s, c = np.sin(x), np.cos(x)
        out = [phi + 2.0 * np.arctan2(t * s, 1.0 - t * c)]
        if kmax >= 1:
            f1 = 1.0 / (ch - sh * c)
            out.append(f1)
        if kmax >= 2:
            f2 = -sh * s * f1**2
            out.append(f2)
        if kmax >= 3:
            f3 = -sh * c * f1**2 - 2.0 * sh * s * f1 * f2
            out.append(f3)
        if kmax >= 4:
            f4 = sh * s * f1**2 - 2.0 * sh * c * f1 * f2 - 2.0 * sh * c * f1 * f2 - 2.0 * sh * s * (f2**2 + f1 * f3)
            out.append(f4)
        return out

    return CircleDiffeo(derivs, TWO_PI, f"boost(rapidity={eta:g}, direction={p0:g})")


def scaling(mu: float) -> CircleDiffeo:
    """Developing map ``F = mu phi`` of the conical defect ``Theta = -mu^2`` (not a diffeo)."""
    mu = float(mu)
    if not mu > 0:
        raise ValueError(f"mu = {mu}: allowed is mu > 0")

    def derivs(phi, kmax):
        z = np.zeros_like(phi)
        return [mu * phi, np.full_like(phi, mu), z, z, z][: kmax + 1]

    return CircleDiffeo(derivs, TWO_PI * mu, f"{mu:g} phi")


def hyperbolic(theta0: float) -> CircleDiffeo:
    """Developing map of the flat-space cosmology ``Theta = theta0 > 0`` (not a diffeo).

    ``F = 2 atan(tanh(k phi))``, ``k = sqrt(theta0)/2``: ``-F'^2 - 2 S[F] = theta0``, from
    Hill's solutions ``y1 = cosh(k phi)``, ``y2 = sinh(k phi)``, ``tan(F/2) = y2/y1``.
    """
    th = float(theta0)
    if not th > 0:
        raise ValueError(f"theta0 = {th}: allowed is theta0 > 0")
    k = np.sqrt(th) / 2.0

    def derivs(phi, kmax):
        # F = 2 atan(tanh(k phi)) = gd(2 k phi) (Gudermannian): F' = 2k sech(2k phi)
        z = 2.0 * k * phi
        sech = 1.0 / np.cosh(z)
        th_ = np.tanh(z)
        out = [2.0 * np.arctan(np.tanh(k * phi))]
        a = 2.0 * k
        if kmax >= 1:
            out.append(a * sech)
        if kmax >= 2:
            out.append(-(a**2) * sech * th_)
        if kmax >= 3:
            out.append(a**3 * sech * (th_**2 - sech**2))
        if kmax >= 4:
            out.append(a**4 * sech * (-th_**3 + 5.0 * th_ * sech**2))
        return out

    return CircleDiffeo(derivs, None, f"gd(sqrt({th:g}) phi)")


def parabolic() -> CircleDiffeo:
    """Developing map of the null orbifold ``Theta = 0``: ``F = 2 atan(phi/2)``."""

    def derivs(phi, kmax):
        q = 1.0 + phi**2 / 4.0
        out = [2.0 * np.arctan(phi / 2.0)]
        if kmax >= 1:
            out.append(1.0 / q)
        if kmax >= 2:
            out.append(-phi / 2.0 / q**2)
        if kmax >= 3:
            out.append((-0.5 + 3.0 * phi**2 / 8.0) / q**3)
        if kmax >= 4:
            # d/dphi [(-1/2 + 3 phi^2/8) q^-3] = (3 phi/4) q^-3 - 3 (-1/2 + 3 phi^2/8) (phi/2) q^-4
            out.append((3.0 * phi / 4.0) / q**3 - 1.5 * phi * (-0.5 + 3.0 * phi**2 / 8.0) / q**4)
        return out

    return CircleDiffeo(derivs, None, "2 atan(phi/2)")


def developing_map(theta0: float) -> CircleDiffeo:
    """A map ``F`` with ``-F'^2 - 2 S[F] = theta0`` for constant ``theta0`` (reference §2.6, §3.1).

    ``theta0 < 0``: ``F = mu phi``, ``mu = sqrt(-theta0)`` (cones, Minkowski, covers);
    ``theta0 = 0``: ``2 atan(phi/2)``;  ``theta0 > 0``: ``2 atan(tanh(sqrt(theta0) phi/2))``.
    """
    if theta0 < 0:
        return scaling(np.sqrt(-theta0))
    if theta0 == 0:
        return parabolic()
    return hyperbolic(theta0)
