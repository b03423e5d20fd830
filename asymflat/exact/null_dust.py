"""Vaidya-type null dust with phi dependence: the exact solution (b) of bondi-equations.md section 6.

Metric (retarded Bondi gauge, Bondi frame, beta = 0, U = -N/r^2, V = r Theta - N^2/r):

    ds^2 = Theta du^2 - 2 du dr + 2 N du dphi + r^2 dphi^2,      mu = f(u, phi)/r,  k = -du,

with, for any Bondi potential H(u, phi) and Xi(phi),

    Theta = d_u H,        N = Xi + (1/2) d_phi H,        f = -d_u Theta / (16 pi G)

(all six E_ab vanish; tests/test_worldtube_derivation.py re-derives it).  Before the dust the state
is a BMS3 vacuum in its rest frame (physics-bms3.md section 3; asymflat.bms3.spacetimes):

    minkowski           Theta_i = -1,      Xi_0 = 0
    conical_defect      Theta_i = -mu^2,   Xi_0 = 0           (total angle 2 pi mu, 0 < mu <= 1)
    spinning_particle   Theta_i = -mu^2,   Xi_0 = -4 G J      (J = -Q[0,1], docs/conventions.md section 4)

The dust is a sum of Gaussian bursts (smooth; negligible, e^{-36}, beyond 6 widths):

    f(u, phi) = sum_k A_k(phi) exp(-s_k^2),   s_k = (u - u_k)/w_k,
    A_k(phi)  = a_k [1 + eps_k cos(m_k (phi - phi_k))],   a_k >= 0, 0 <= eps_k < 1  (so f >= 0),

and in closed form (erf), with F := int_{-inf}^u f du' and P := int_{-inf}^u F du',

    F = sum_k A_k w_k (sqrt(pi)/2) [1 + erf s_k]
    P = sum_k A_k w_k^2 (sqrt(pi)/2) [s_k (1 + erf s_k) + e^{-s_k^2}/sqrt(pi)]
    H = Theta_i u - 16 pi G P
    Theta = Theta_i - 16 pi G F
    N     = Xi_0 - 8 pi G d_phi P
    Xi    = N - (u/2) d_phi Theta = Xi_0 - 8 pi G (d_phi P - u d_phi F)

(Theta_i, Xi_0 constant, so d_phi Theta_i = 0).  The dust carries energy, no angular momentum:
E = (1/16 pi G) oint Theta decreases by oint int f, J = -(1/8 pi G) oint Xi is constant.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import erf

BACKGROUNDS: tuple[str, ...] = ("minkowski", "conical_defect", "spinning_particle")
_SQRT_PI = math.sqrt(math.pi)


@dataclass(frozen=True)
class DustBurst:
    """One Gaussian dust burst: f = amplitude [1 + modulation cos(m (phi - phase))] exp(-((u - u_center)/width)^2)."""

    amplitude: float
    u_center: float
    width: float
    m: int = 0
    modulation: float = 0.0
    phase: float = 0.0

    def angular_profile(self, phi: ArrayLike) -> np.ndarray:
        """A(phi) = amplitude [1 + modulation cos(m (phi - phase))]."""
        return self.amplitude * (1.0 + self.modulation * np.cos(self.m * (np.asarray(phi) - self.phase)))

    def angular_profile_dphi(self, phi: ArrayLike) -> np.ndarray:
        """d_phi A."""
        return -self.amplitude * self.modulation * self.m * np.sin(self.m * (np.asarray(phi) - self.phase))

    def s(self, u: ArrayLike) -> np.ndarray:
        """s = (u - u_center)/width."""
        return (np.asarray(u, dtype=float) - self.u_center) / self.width

    def time_profile(self, u: ArrayLike) -> np.ndarray:
        """g = exp(-s^2)."""
        s = self.s(u)
        return np.exp(-s * s)

    def time_integral(self, u: ArrayLike) -> np.ndarray:
        """int_{-inf}^u g du' = w (sqrt(pi)/2)(1 + erf s)."""
        return np.float64(self.width) * 0.5 * _SQRT_PI * (1.0 + erf(self.s(u)))

    def double_time_integral(self, u: ArrayLike) -> np.ndarray:
        """int_{-inf}^u int_{-inf}^{u'} g = w^2 (sqrt(pi)/2)[s (1 + erf s) + e^{-s^2}/sqrt(pi)]."""
        s = self.s(u)
        return np.square(np.float64(self.width)) * 0.5 * _SQRT_PI * (s * (1.0 + erf(s)) + np.exp(-s * s) / _SQRT_PI)


def _num(v: Any, key: str) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
        raise ValueError(f"{key} = {v!r}: must be a real number")
    v = float(v)
    if not math.isfinite(v):
        raise ValueError(f"{key} = {v!r}: must be a finite number")
    return v


def validate_bursts(bursts: Iterable[Mapping[str, Any]], key: str = "worldtube.bursts") -> list[DustBurst]:
    """Dust bursts from tables {amplitude, u_center, width, m, modulation, phase}; ValueError naming
    the key for a value outside amplitude >= 0, width > 0, integer m >= 0, 0 <= modulation < 1."""
    out = []
    for i, b in enumerate(bursts):
        k = f"{key}[{i}]"
        if not isinstance(b, Mapping):
            raise ValueError(f"{k} = {b!r}: must be a table {{amplitude, u_center, width, m, modulation, phase}}")
        unknown = sorted(set(b) - {"amplitude", "u_center", "width", "m", "modulation", "phase"})
        if unknown:
            raise ValueError(f"{k}.{unknown[0]}: unknown key; allowed: amplitude, u_center, width, m, modulation, phase")
        for req in ("amplitude", "u_center", "width"):
            if req not in b:
                raise ValueError(f"{k}.{req}: missing")
        a = _num(b["amplitude"], f"{k}.amplitude")
        if a < 0:
            raise ValueError(f"{k}.amplitude = {a!r}: must be >= 0 (dust flux f >= 0)")
        uc = _num(b["u_center"], f"{k}.u_center")
        w = _num(b["width"], f"{k}.width")
        if w <= 0:
            raise ValueError(f"{k}.width = {w!r}: must be > 0")
        m = b.get("m", 0)
        if isinstance(m, bool) or not isinstance(m, (int, np.integer)) or m < 0:
            raise ValueError(f"{k}.m = {m!r}: must be an integer >= 0")
        eps = _num(b.get("modulation", 0.0), f"{k}.modulation")
        if not 0 <= eps < 1:
            raise ValueError(f"{k}.modulation = {eps!r}: must be in [0, 1) (keeps f >= 0)")
        ph = _num(b.get("phase", 0.0), f"{k}.phase")
        out.append(DustBurst(a, uc, w, int(m), eps, ph))
    return out


def background_aspects(background: str, G: float, mu: float = 1.0,
                       angular_momentum: float = 0.0) -> tuple[float, float]:
    """(Theta_i, Xi_0) of a BMS3 vacuum in its rest frame (module docstring); ValueError naming the
    ``worldtube.*`` key for an inadmissible combination."""
    if background not in BACKGROUNDS:
        raise ValueError(f"worldtube.background = {background!r}: must be one of {', '.join(BACKGROUNDS)}")
    mu = _num(mu, "worldtube.mu")
    J = _num(angular_momentum, "worldtube.angular_momentum")
    G = _num(G, "G")
    if not 0 < mu <= 1:
        raise ValueError(f"worldtube.mu = {mu!r}: must be in (0, 1] (total angle 2 pi mu)")
    if background == "minkowski":
        if mu != 1.0:
            raise ValueError(f"worldtube.mu = {mu!r}: must be 1 for background = 'minkowski' "
                             "(use background = 'conical_defect')")
        if J != 0.0:
            raise ValueError(f"worldtube.angular_momentum = {J!r}: must be 0 for background = 'minkowski' "
                             "(use background = 'spinning_particle')")
        return -1.0, 0.0
    if background == "conical_defect":
        if J != 0.0:
            raise ValueError(f"worldtube.angular_momentum = {J!r}: must be 0 for background = 'conical_defect' "
                             "(use background = 'spinning_particle')")
        return -mu * mu, 0.0
    xi = -4.0 * G * J
    if not math.isfinite(xi):
        raise ValueError(f"worldtube.angular_momentum = {J!r}: 4 G J overflows (G = {G!r})")
    return -mu * mu, xi


class NullDustSolution:
    """The exact solution (b) with a BMS3-vacuum background and Gaussian bursts (module docstring).

    Every method broadcasts ``u`` against ``phi`` (numpy rules).
    """

    def __init__(self, G: float, mass_aspect_initial: float, xi_initial: float, bursts: Sequence[DustBurst] = ()):
        self.G = _num(G, "G")
        self.mass_aspect_initial = _num(mass_aspect_initial, "mass_aspect_initial")
        self.xi_initial = _num(xi_initial, "xi_initial")
        self.bursts = tuple(bursts)

    @classmethod
    def from_background(cls, background: str, G: float, mu: float = 1.0, angular_momentum: float = 0.0,
                        bursts: Iterable[Mapping[str, Any]] | Sequence[DustBurst] = ()) -> "NullDustSolution":
        th, xi = background_aspects(background, G, mu, angular_momentum)
        bl = list(bursts)
        if bl and not isinstance(bl[0], DustBurst):
            bl = validate_bursts(bl)
        return cls(G, th, xi, bl)

    def _sum(self, u: ArrayLike, phi: ArrayLike, time_fn: str, ang_fn: str = "angular_profile") -> np.ndarray:
        u = np.asarray(u, dtype=float)
        phi = np.asarray(phi, dtype=float)
        out = np.zeros(np.broadcast_shapes(u.shape, phi.shape))
        for b in self.bursts:
            out = out + getattr(b, ang_fn)(phi) * getattr(b, time_fn)(u)
        return out

    def dust_flux(self, u: ArrayLike, phi: ArrayLike) -> np.ndarray:
        """f(u, phi) = sum_k A_k(phi) exp(-s_k^2) (>= 0); mu = f/r."""
        return self._sum(u, phi, "time_profile")

    def emitted_flux_integral(self, u: ArrayLike, phi: ArrayLike) -> np.ndarray:
        """F = int_{-inf}^u f du'."""
        return self._sum(u, phi, "time_integral")

    def bondi_potential(self, u: ArrayLike, phi: ArrayLike) -> np.ndarray:
        """H = Theta_i u - 16 pi G P (Theta = d_u H, N = Xi_0 + (1/2) d_phi H)."""
        u = np.asarray(u, dtype=float)
        return self.mass_aspect_initial * u - 16 * math.pi * self.G * self._sum(u, phi, "double_time_integral")

    def mass_aspect(self, u: ArrayLike, phi: ArrayLike) -> np.ndarray:
        """Theta = Theta_i - 16 pi G F."""
        return self.mass_aspect_initial - 16 * math.pi * self.G * self.emitted_flux_integral(u, phi)

    def mass_aspect_dphi(self, u: ArrayLike, phi: ArrayLike) -> np.ndarray:
        """d_phi Theta = -16 pi G d_phi F."""
        return -16 * math.pi * self.G * self._sum(u, phi, "time_integral", "angular_profile_dphi")

    def N(self, u: ArrayLike, phi: ArrayLike) -> np.ndarray:
        """N = Xi_0 - 8 pi G d_phi P."""
        return self.xi_initial - 8 * math.pi * self.G * self._sum(u, phi, "double_time_integral",
                                                                  "angular_profile_dphi")

    def angular_momentum_aspect(self, u: ArrayLike, phi: ArrayLike) -> np.ndarray:
        """Xi = N - (u/2) d_phi Theta."""
        return self.N(u, phi) - 0.5 * np.asarray(u, dtype=float) * self.mass_aspect_dphi(u, phi)

    def mass_aspect_final(self, phi: ArrayLike) -> np.ndarray:
        """Theta(u -> +inf) = Theta_i - 16 pi G sum_k A_k w_k sqrt(pi)."""
        phi = np.asarray(phi, dtype=float)
        out = np.full(phi.shape, self.mass_aspect_initial)
        for b in self.bursts:
            out = out - 16 * math.pi * self.G * b.angular_profile(phi) * b.width * _SQRT_PI
        return out

    def emitted_energy(self, u_a: float, u_b: float) -> float:
        """oint int_{u_a}^{u_b} f du dphi (closed form: the cos modes integrate to zero unless m = 0)."""
        tot = 0.0
        for b in self.bursts:
            ang = 2 * math.pi * b.amplitude * (1.0 + (b.modulation if b.m == 0 else 0.0))
            tot += ang * float(b.time_integral(u_b) - b.time_integral(u_a))
        return tot
