"""Frames modulo Poincare: the canonical (F, gamma) of a vacuum on the Minkowski orbit and its recovery
from a final state (:func:`recover_memory`; package docstring, "Frames modulo Poincare")."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from asymflat.bms3 import diffeo as _diffeo
from asymflat.bms3.action import BMS3Element
from asymflat.bms3.charges import mode_charges, poincare_charges
from asymflat.bms3.diffeo import CircleDiffeo
from asymflat.bms3.hill import hill
from asymflat.bms3.recovery import inverse_on_grid, solve_minkowski_supertranslation
from asymflat.bms3.spectral import TrigSeries, fourier_modes, from_modes, mode_numbers, phi_grid


# --------------------------------------------------------------------------------------------
# frames modulo Poincare
# --------------------------------------------------------------------------------------------
def _strip_low(f: np.ndarray, mmax: int = 1) -> np.ndarray:
    """Grid data without its ``|m| <= mmax`` Fourier modes (and without the Nyquist mode)."""
    c = fourier_modes(f)
    m = np.abs(mode_numbers(f.shape[-1]))
    c[m <= mmax] = 0.0
    if f.shape[-1] % 2 == 0:
        c[f.shape[-1] // 2] = 0.0
    return from_modes(c)


def _normalised_from_hill_pair(y1, y2, dy1, dy2, x):
    """``F`` (values on ``x``) from a Hill pair, moved to the basis y1(0)=1, y1'(0)=0, y2(0)=0,
    y2'(0)=1/2 (an SL(2) change of basis = a Moebius map on F)."""
    P0 = np.array([[y1[0], y2[0]], [dy1[0], dy2[0]]])
    C = np.linalg.solve(P0, np.diag([1.0, 0.5]))
    Y1 = C[0, 0] * y1 + C[1, 0] * y2
    Y2 = C[0, 1] * y1 + C[1, 1] * y2
    F = 2.0 * np.unwrap(np.arctan2(Y2, Y1))
    return F - F[0] + x[0] * 0.0, 1.0 / (Y1**2 + Y2**2)


def canonical_frame(F: CircleDiffeo, gamma: Any, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``(F - phi, gamma)`` on ``phi_grid(n)`` of the canonical representative of ``(F, gamma)``
    modulo Poincare (module docstring).  ``gamma``: TrigSeries, grid data or constant."""
    x = phi_grid(n)
    f0, f1, f2 = F.all_derivs(x, 2)
    s = 1.0 / np.sqrt(f1)
    y1, y2 = np.cos(f0 / 2) * s, np.sin(f0 / 2) * s
    dy1 = -0.5 * np.sin(f0 / 2) * f1 * s - 0.5 * np.cos(f0 / 2) * f2 * s**3
    dy2 = 0.5 * np.cos(f0 / 2) * f1 * s - 0.5 * np.sin(f0 / 2) * f2 * s**3
    Fn, Fnp = _normalised_from_hill_pair(y1, y2, dy1, dy2, x)
    Fn_d = _diffeo.from_grid(Fn - x, "canonical F")
    g_vals = gamma(x) if isinstance(gamma, TrigSeries) else np.broadcast_to(np.asarray(gamma, float), x.shape)
    # g = (gamma F_n') o F_n^{-1}, |m| <= 1 stripped, back: gamma_n = (g o F_n)/F_n'
    xinv = inverse_on_grid(Fn_d, x)
    gF = TrigSeries.from_grid(g_vals * Fnp)
    g = _strip_low(gF(xinv))
    gam = TrigSeries.from_grid(g)(Fn_d(x)) / Fn_d.d(x, 1)
    return Fn - x, gam


@dataclass
class Memory:
    """The BMS3 frame of a vacuum state on the Minkowski orbit, modulo Poincare."""

    phi: np.ndarray
    F_minus_phi: np.ndarray  #: canonical F(phi) - phi
    gamma: np.ndarray  #: canonical supertranslation gamma(phi)
    F: CircleDiffeo
    hill_trace: float
    hill_winding: float
    monodromy_residual: float  #: max |M + 1| (0 on the Minkowski orbit)
    hill_error: float  #: integrator error estimate of M
    theta_residual: float  #: max |-F'^2 - 2S[F] - Theta| (recovery + distance from the orbit)
    xi_residual: float  #: max |D_Theta(F) gamma - Xi|
    obstruction: dict  #: Xi modes m = -1, 0, 1 in the Minkowski frame (must vanish on the orbit)
    G: float
    nmax: int
    modes_n: np.ndarray  #: n = 0..nmax
    supermomentum: np.ndarray  #: P_n = Q[e^{i n phi}, 0] of the state (complex)
    superrotation_charges: np.ndarray  #: J_n = Q[0, e^{i n phi}] of the state (complex)
    frame_supermomentum: np.ndarray  #: the same of (F, gamma) . (-1, 0)
    frame_superrotation_charges: np.ndarray
    poincare: dict  #: E, p, J, K of the state
    extra: dict = field(default_factory=dict)

    @property
    def obstruction_max(self) -> float:
        return float(max(abs(v) for v in self.obstruction.values()))

    @property
    def charges_difference(self) -> float:
        """max over n of |P_n, J_n (state) - P_n, J_n (recovered frame)|."""
        return float(max(np.max(np.abs(self.supermomentum - self.frame_supermomentum)),
                         np.max(np.abs(self.superrotation_charges - self.frame_superrotation_charges))))


def _recover_F(theta: np.ndarray, rtol: float, orbit_tol: float):
    n = theta.shape[-1]
    res = hill(theta, rtol=rtol, n_samples=n)
    mres = float(np.max(np.abs(res.monodromy + np.eye(2))))
    if round(res.winding) != 1 or mres > orbit_tol:
        raise ValueError(f"memory: Theta is not on (or near) the Minkowski orbit: monodromy trace {res.trace:.8g}, "
                         f"max|M + 1| = {mres:.3g} (allowed <= orbit_tol = {orbit_tol:g}), winding "
                         f"{res.winding:.4g} (allowed 1)")
    y1, y2 = res.y1[:n], res.y2[:n]
    Fp = 1.0 / (y1**2 + y2**2)
    c = np.fft.fft(Fp - 1.0) / n
    c[np.abs(c) < 100.0 * rtol * np.max(Fp)] = 0.0
    M = n // 2
    m = np.arange(M + 1, dtype=float)
    a = np.zeros(M + 1, dtype=complex)
    a[1:M] = c[1:M] / (1j * m[1:M])
    p = TrigSeries(a)
    p = p + TrigSeries.constant(-float(p(0.0)))
    return _diffeo.from_series(p, "F (memory)"), res, mres


def recover_memory(theta: np.ndarray, xi: np.ndarray, G: float, nmax: int = 10, rtol: float = 1e-13,
                   orbit_tol: float = 1e-3) -> Memory:
    """``(F, gamma)`` modulo Poincare of a state ``(Theta, Xi)`` on (or, within truncation, near)
    the Minkowski orbit, with its charges.

    ``F``: Hill's equation ``y'' = (Theta/4) y``, ``tan(F/2) = y2/y1`` (monodromy -1, winding 1;
    a state with ``max|M + 1| > orbit_tol`` or another winding raises ``ValueError``).
    ``gamma``: ``D_{-1} g = (Xi/F'^2) o F^{-1}`` per Fourier mode, ``gamma = (g o F)/F'``.
    """
    theta = np.asarray(theta, dtype=float)
    xi = np.asarray(xi, dtype=float)
    n = theta.shape[-1]
    x = phi_grid(n)
    F, res, mres = _recover_F(theta, rtol, orbit_tol)
    xinv = inverse_on_grid(F, x)
    h = TrigSeries.from_grid(xi)(xinv) / F.d(xinv, 1) ** 2
    sol = solve_minkowski_supertranslation(h)
    gamma = TrigSeries.from_grid(sol.gamma)(F(x)) / F.d(x, 1)
    th_chk, xi_chk = BMS3Element(F, TrigSeries.from_grid(gamma, chop=1e-12)).act(-1.0, 0.0, n=n)
    _, P, J = mode_charges(theta, xi, G, nmax)
    _, Pf, Jf = mode_charges(th_chk, xi_chk, G, nmax)
    sel = slice(nmax, 2 * nmax + 1)
    return Memory(
        phi=x, F_minus_phi=F(x) - x, gamma=gamma, F=F, hill_trace=float(res.trace), hill_winding=float(res.winding),
        monodromy_residual=mres, hill_error=float(res.error_estimate),
        theta_residual=float(np.max(np.abs(th_chk - theta))), xi_residual=float(np.max(np.abs(xi_chk - xi))),
        obstruction=sol.obstruction, G=float(G), nmax=int(nmax), modes_n=np.arange(nmax + 1),
        supermomentum=P[sel], superrotation_charges=J[sel], frame_supermomentum=Pf[sel],
        frame_superrotation_charges=Jf[sel], poincare=poincare_charges(theta, xi, G))


def memory_from_final_state(theta_f: np.ndarray, xi_f: np.ndarray, G: float, **kw) -> Memory:
    """Alias of :func:`recover_memory` (the state near i+ against the initial vacuum in the standard
    frame, the i- vacuum ``(-1, 0)`` transported by the antipodal map)."""
    return recover_memory(theta_f, xi_f, G, **kw)
