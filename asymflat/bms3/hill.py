"""Orbit invariants of the mass aspect: Hill's equation, monodromy, winding, rest mass.

Hill's equation (reference §2.6, check8)::

    y'' = (Theta(phi)/4) y,       phi in [0, 2 pi]

Under a superrotation ``F`` solutions transform as ``y -> y(F)/sqrt(F')``, so the conjugacy class
of the monodromy ``M = Phi(0)^{-1} Phi(2 pi)`` (``Phi`` the fundamental matrix) and the number
of half-turns of the curve ``(y1, y2)`` are frame invariants.

* Minkowski orbit: ``M = -1`` and winding 1 (``tan(F/2) = y2/y1`` winds ``F`` once).
* ``n``-fold cover ``Theta = -n^2``: ``M = (-1)^n``, winding ``n``.
* conical defect ``Theta = -mu^2``: ``tr M = 2 cos(pi mu)`` (elliptic).
* flat-space cosmology ``Theta = Theta0 > 0``: ``tr M = 2 cosh(pi sqrt(Theta0))`` (hyperbolic).
* null orbifold ``Theta = 0``: ``tr M = 2``, ``M != 1`` (parabolic).

Winding: with the basis ``y1(0)=1, y1'(0)=0, y2(0)=0, y2'(0)=1/2`` (so that ``Theta = -1`` gives
``y = (cos(phi/2), sin(phi/2))`` and ``F = phi``), the winding is ``Delta arg(y1 + i y2)/pi``
over ``[0, 2 pi]``; an integer when ``M = +-1``.

Rest mass.  For an elliptic orbit ``mu = arccos(tr M / 2)/pi`` (branch chosen next to the
winding), and we report both

* ``djth_mass`` ``m = (1 - mu)/(4G)``: the Deser-Jackiw-'t Hooft mass (deficit ``8 pi G m``);
* ``bondi_rest_mass`` ``(1 - mu^2)/(8G) = m - 2 G m^2``: the Lorentz norm of
  ``(E + 1/8G, p)`` in the Bondi normalisation of the charges (reference §3.1).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

import numpy as np
from scipy.integrate import solve_ivp

from . import diffeo as _diffeo
from .spectral import TWO_PI, TrigSeries, as_series, derivative, phi_grid


@dataclass
class HillResult:
    """Monodromy and winding of Hill's equation for one mass aspect."""

    monodromy: np.ndarray  #: 2x2, in the basis Phi(0) = identity
    trace: float
    winding: float  #: half-turns of (y1, y2) over [0, 2 pi]
    phi: np.ndarray  #: sample points of the solutions
    y1: np.ndarray
    y2: np.ndarray  #: normalised y2(0) = 0, y2'(0) = 1/2
    error_estimate: float  #: |M(rtol) - M(rtol*100)|, a measured integrator error
    G: float = 1.0
    extra: dict = field(default_factory=dict)

    @property
    def classification(self) -> str:
        tr = self.trace
        tol = max(1e3 * self.error_estimate, 1e-8)
        w = int(round(self.winding))
        if abs(tr + 2) < tol and np.max(np.abs(self.monodromy + np.eye(2))) < tol:
            return "minkowski" if w == 1 else f"{w}-fold cover of minkowski"
        if abs(tr - 2) < tol and np.max(np.abs(self.monodromy - np.eye(2))) < tol:
            return f"{w}-fold cover of minkowski"
        if abs(tr) < 2 - tol:
            return "conical defect (elliptic)"
        if tr > 2 + tol:
            return "flat-space cosmology (hyperbolic)"
        return "parabolic (null orbifold class)" if tr > 0 else "parabolic (twisted)"

    @property
    def minkowski_residual(self) -> float:
        """``max |M + 1|``: zero on the Minkowski orbit (and on odd covers)."""
        return float(np.max(np.abs(self.monodromy + np.eye(2))))

    @property
    def mu(self) -> float:
        """Elliptic orbit parameter ``mu`` with ``tr M = 2 cos(pi mu)``; NaN if not elliptic."""
        t = self.trace / 2.0
        if "cover" in self.classification or self.classification == "minkowski":
            return float(round(self.winding))
        if abs(t) > 1.0 + 1e-12:
            return float("nan")
        a = float(np.arccos(np.clip(t, -1.0, 1.0)) / np.pi)  # in [0, 1]
        cands = []
        for k in range(0, int(abs(self.winding)) + 3):
            cands += [2 * k + a, 2 * k - a]
        cands = [c for c in cands if c >= 0]
        return float(min(cands, key=lambda c: abs(c - self.winding)))

    @property
    def djth_mass(self) -> float:
        """Deser-Jackiw-'t Hooft mass ``m = (1 - mu)/(4G)``."""
        return (1.0 - self.mu) / (4.0 * self.G)

    @property
    def bondi_rest_mass(self) -> float:
        """``(1 - mu^2)/(8G)`` for elliptic orbits and the Minkowski orbit (0); NaN otherwise."""
        mu = self.mu
        return (1.0 - mu**2) / (8.0 * self.G) if np.isfinite(mu) else float("nan")

    def summary(self) -> dict[str, float | str]:
        return {
            "hill_trace": float(self.trace),
            "hill_winding": float(self.winding),
            "hill_orbit": self.classification,
            "hill_mu": float(self.mu),
            "djth_mass": float(self.djth_mass) if np.isfinite(self.mu) else float("nan"),
            "bondi_rest_mass": float(self.bondi_rest_mass),
        }


def _theta_callable(theta):
    if callable(theta) and not isinstance(theta, TrigSeries):
        return theta
    s = as_series(theta)
    return lambda x: s(x)


def _integrate(theta_fn, rtol: float, n_samples: int):
    def rhs(p, y):
        q = theta_fn(np.asarray(p)) / 4.0
        return [y[1], q * y[0], y[3], q * y[2]]

    ts = np.linspace(0.0, TWO_PI, n_samples + 1)
    sol = solve_ivp(rhs, (0.0, TWO_PI), [1.0, 0.0, 0.0, 1.0], method="DOP853", rtol=rtol,
                    atol=rtol, t_eval=ts)
    if not sol.success:
        raise RuntimeError(f"Hill integration failed: {sol.message}")
    return sol


def hill(
    theta: Union[np.ndarray, TrigSeries, float],
    G: float = 1.0,
    rtol: float = 1e-12,
    n_samples: int | None = None,
) -> HillResult:
    """Integrate Hill's equation ``y'' = (Theta/4) y`` over one period (DOP853).

    Parameters
    ----------
    theta
        Mass aspect: grid data (Fourier interpolated), TrigSeries, constant, or callable.
    rtol
        Integrator tolerance; the error estimate is the difference with a run at ``100 rtol``.
    n_samples
        Number of sample points of ``(y1, y2)`` (for the winding and ``F`` recovery); defaults to
        the grid size of ``theta`` times 8 (at least 512).
    """
    if np.isscalar(theta):
        c = float(theta)
        fn = lambda x: np.full_like(np.asarray(x, dtype=float), c)  # noqa: E731
        n0 = 64
    else:
        fn = _theta_callable(theta)
        n0 = np.size(theta) if isinstance(theta, np.ndarray) else 64
    ns = n_samples or max(512, 8 * n0)
    sol = _integrate(fn, rtol, ns)
    sol2 = _integrate(fn, rtol * 100.0, 16)
    Y = sol.y
    M = np.array([[Y[0, -1], Y[2, -1]], [Y[1, -1], Y[3, -1]]])
    M2 = np.array([[sol2.y[0, -1], sol2.y[2, -1]], [sol2.y[1, -1], sol2.y[3, -1]]])
    y1 = Y[0]
    y2 = 0.5 * Y[2]
    ang = np.unwrap(np.arctan2(y2, y1))
    winding = float((ang[-1] - ang[0]) / np.pi)
    err = float(np.max(np.abs(M - M2)))
    return HillResult(M, float(np.trace(M)), winding, sol.t, y1, y2, err, G,
                      extra={"dy1": Y[1], "dy2": 0.5 * Y[3]})


def recover_superrotation(theta: np.ndarray, rtol: float = 1e-13):
    """Recover ``F`` (mod Moebius) from a mass aspect on the Minkowski orbit.

    Solves Hill's equation sampled at the grid points of ``theta`` (``phi_grid(n)``) with the basis
    ``y1(0)=1, y1'(0)=0, y2(0)=0, y2'(0)=1/2`` (Wronskian 1/2) and sets ``tan(F/2) = y2/y1``, so
    ``F' = 1/(y1^2 + y2^2)``.  ``F - phi`` is built spectrally from the samples of ``F'`` (modes
    below ``100 rtol max F'`` -- the integrator noise floor -- are dropped, so that derivatives do
    not amplify it), normalised by ``F(0) = 0``; then ``F'(0) = 1, F''(0) = 0``.  A given ``F`` is
    recovered exactly when it has that normalisation, otherwise up to a Moebius map.

    Returns
    -------
    F : CircleDiffeo
        ``phi + p(phi)`` with ``p`` a trigonometric series.
    theta_check : ndarray
        ``-F'^2 - 2 S[F]`` on the grid (closed form from the series) for comparison with ``theta``.
    hill_result : HillResult
    Raises ``ValueError`` if the monodromy is not ``-1`` with winding 1.
    """
    theta = np.asarray(theta, dtype=float)
    n = theta.shape[-1]
    res = hill(theta, rtol=rtol, n_samples=n)
    if res.classification != "minkowski":
        raise ValueError(
            f"recover_superrotation: Theta is not on the Minkowski orbit (monodromy trace "
            f"{res.trace:.6g}, winding {res.winding:.4g}, class '{res.classification}'); "
            "allowed are mass aspects with monodromy -1 and winding 1"
        )
    y1, y2 = res.y1[:n], res.y2[:n]
    Fp = 1.0 / (y1**2 + y2**2)
    F = _diffeo.from_derivative(Fp, floor=100.0 * rtol * np.max(Fp), anchor="origin", label="F recovered from Hill")
    theta_check = F.vacuum_mass_aspect(phi_grid(n))
    return F, theta_check, res


def recover_elliptic_superrotation(theta: np.ndarray, rtol: float = 1e-13):
    """``F`` with ``Theta = F'^2 (-mu^2) - 2 S[F]`` for a mass aspect on an elliptic (conical) orbit.

    Hill's solutions at the grid points, ``(y1, y2)`` with Wronskian 1, have monodromy ``M`` conjugate to
    the rotation ``R(pi mu)`` of the rest-frame basis ``(cos(mu F/2), sin(mu F/2)) / sqrt(F')``.  With
    ``w`` the eigenvector of ``M`` for ``e^{i pi mu}`` and ``P = c [Re w, Im w]`` (``det P = mu/2``,
    the rest-frame Wronskian), ``(y~1, y~2) = (y1, y2) P`` is that basis, so
    ``tan(mu F/2) = y~2/y~1`` and ``F' = 1/(y~1^2 + y~2^2)``.  ``F`` is fixed up to the rest-frame
    rotations (its stabiliser), normalised by ``F(0) = 0``.  ``mu`` is read from the trace and the winding
    (:attr:`HillResult.mu`).

    Returns ``(F, mu, theta_check, hill_result)``; raises ``ValueError`` unless ``|tr M| < 2``.
    """
    theta = np.asarray(theta, dtype=float)
    n = theta.shape[-1]
    res = hill(theta, rtol=rtol, n_samples=n)
    tol = max(1e3 * res.error_estimate, 1e-8)
    if not abs(res.trace) < 2.0 - tol:
        raise ValueError(f"recover_elliptic_superrotation: Hill trace {res.trace:.8g} is not elliptic (|trace| < 2 "
                         "is needed: conical-defect orbits)")
    mu = float(res.mu)
    lam, vec = np.linalg.eig(res.monodromy)
    w = vec[:, int(np.argmin(np.abs(lam - np.exp(1j * np.pi * mu))))]
    P = np.column_stack([w.real, w.imag])
    det = float(np.linalg.det(P))
    if not det > 0:
        raise ValueError("recover_elliptic_superrotation: the Hill solution curve winds backwards (det P <= 0): "
                         "the mass aspect is not an orientation-preserving image of a conical defect")
    P = P * np.sqrt(mu / (2.0 * det))
    Y = np.column_stack([res.y1[:n], 2.0 * res.y2[:n]]) @ P
    ang = np.unwrap(np.arctan2(Y[:, 1], Y[:, 0]))
    x = phi_grid(n)
    p = 2.0 * (ang - ang[0]) / mu - x
    F = _diffeo.from_grid(p, "F recovered from Hill (elliptic orbit)")
    theta_check = F.d(x, 1) ** 2 * (-mu * mu) - 2.0 * F.schwarzian(x)
    return F, mu, theta_check, res
