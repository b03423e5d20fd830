"""3D gravitational memory: the BMS3 frame of the final vacuum near i+ (issue 9).

After the radiation has left, the state near i+ is vacuum on the Minkowski orbit (reference
physics-bms3.md §6.2), but in a BMS3 frame ``(F, gamma)`` different from the initial one::

    Theta_f = -F'^2 - 2 S[F],        Xi_f = D_{Theta_f} gamma = gamma' Theta_f + gamma Theta_f'/2 - gamma'''

(finite law of docs/conventions.md §3, acting on Minkowski ``(-1, 0)``).  ``F`` (superrotation,
"rotational displacement") is sourced by the angular redistribution of the energy flux, ``gamma``
(supertranslation, "time displacement") by the angular-momentum and u-weighted energy flux.  The
final state is one of Schoeller's distinct Minkowski spaces: its Poincare charges are those of
Minkowski, its ``|n| >= 2`` superrotation charges are not.

Frames modulo Poincare
----------------------
Applying a Poincare element ``(M, tau)`` (``M`` Moebius, ``tau`` in span{1, cos, sin}) before
``(F, gamma)`` gives ``(M o F, gamma + (tau o F)/F')`` and the same state.  The canonical
representative (:func:`canonical_frame`, also what :func:`recover_memory` returns):

* ``F`` normalised ``F(0) = 0, F'(0) = 1, F''(0) = 0`` (the Hill basis ``y1(0) = 1, y1'(0) = 0,
  y2(0) = 0, y2'(0) = 1/2`` of :func:`asymflat.bms3.recover_superrotation`);
* ``gamma = (g o F)/F'`` with ``g = (gamma F') o F^{-1}`` stripped of its ``|m| <= 1`` modes.

Flux laws at scri+ (conventions.md §5; scalar field)::

    d_u Theta = -16 pi G (d_u psi0)^2
    d_u N     = Theta'/2 - 8 pi G d_u psi0 d_phi psi0 + pi G d_u d_phi (psi0^2)
    Xi := N - (u/2) Theta'   =>   d_u Xi = -8 pi G [d_u psi0 d_phi psi0 - u d_phi (d_u psi0)^2]
                                           + pi G d_u d_phi (psi0^2)

(the Xi law: ``d_u Xi = d_u N - Theta'/2 - (u/2) d_phi d_u Theta``; the ``Theta'/2`` cancels and
``-(u/2) d_phi(-16 pi G news^2) = 8 pi G u d_phi news^2``; checked symbolically in
tests/test_memory.py).  Integrated from i0 to i+ they predict the final state (exact relation at
any amplitude); :func:`memory_prediction` then recovers ``(F, gamma)`` from it.

Linearised memory (reference §6.2), about ``Theta = -1``::

    Theta_f = -1 - 2 (Y' + Y'''),     F = phi + Y + O(Y^2);     Xi_f = -(gamma' + gamma''') + O(2)

i.e. ``Y' + Y''' = -8 pi G [E_in(phi + pi) - E_out(phi)]`` with ``E = int news^2``; the ``|m| <= 1``
modes drop out (they are Poincare charges).

Late-u tails (2+1 dimensions).  A radiation field with non-zero "charge" decays as
``psi0 ~ A(phi) u^{-1/2}`` (``news ~ u^{-3/2}``): then ``Theta - Theta(i+) ~ u^{-2}`` and, from the
Xi law, ``d_u Xi ~ 6 pi G A A' u^{-2}``, ``Xi - Xi(i+) ~ u^{-1}``.  The exact 2+1 pulses of
``asymflat.exact.pulses`` have ``psi0 ~ u^{-3/2}`` (their leading ``u^{-1/2}`` term is imaginary),
hence ``Theta ~ u^{-4}``, ``Xi ~ u^{-3}``.  :func:`extrapolate_to_i_plus` fits ``L + c u^{-p}``
(``p`` fitted unless given) over the late cuts.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from asymflat.bms3 import diffeo as _diffeo
from asymflat.bms3.action import BMS3Element, finite_action
from asymflat.bms3.charges import mode_charges, poincare_charges
from asymflat.bms3.diffeo import CircleDiffeo
from asymflat.bms3.hill import hill
from asymflat.bms3.recovery import inverse_on_grid, solve_minkowski_supertranslation
from asymflat.bms3.spectral import (
    TWO_PI,
    TrigSeries,
    derivative,
    fourier_modes,
    from_modes,
    mode_numbers,
    phi_grid,
    shift,
)

__all__ = [
    "Memory", "canonical_frame", "recover_memory", "memory_from_final_state", "flux_rates", "flux_integrals",
    "predicted_final_state", "orbit_completion", "linear_superrotation", "linear_supertranslation",
    "extrapolate_to_i_plus", "flux_tail", "memory_report", "write_memory_group",
]


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


# --------------------------------------------------------------------------------------------
# flux laws and the predicted final state
# --------------------------------------------------------------------------------------------
def flux_rates(u: np.ndarray, news: np.ndarray, psi0: np.ndarray, G: float) -> tuple[np.ndarray, np.ndarray]:
    """``d_u Theta`` and the non-total-derivative part of ``d_u Xi`` on each cut (shape (nu, nphi)):
    ``-16 pi G news^2`` and ``-8 pi G [news psi0' - u d_phi news^2]``."""
    u = np.asarray(u, float)
    news = np.asarray(news, float)
    dth = -16.0 * np.pi * G * news**2
    dxi = -8.0 * np.pi * G * (news * derivative(np.asarray(psi0, float)) - u[:, None] * derivative(news**2))
    return dth, dxi


def _cumulative(F: np.ndarray, u: np.ndarray, order: int = 6) -> np.ndarray:
    du = np.diff(u)
    if np.allclose(du, du[0], rtol=1e-10, atol=0.0):
        from asymflat.scri._numerics import cumulative_integral_uniform

        return cumulative_integral_uniform(F, float(du[0]), order)
    from scipy.integrate import cumulative_simpson

    return cumulative_simpson(F, x=u, axis=0, initial=0.0)


def flux_integrals(u: np.ndarray, news: np.ndarray, psi0: np.ndarray, G: float, weights: np.ndarray | None = None,
                   cumulative: bool = False, order: int = 6):
    """``(Delta Theta, Delta Xi)`` from the first to the last cut (``cumulative=True``: to every cut).

    Quadrature: ``weights`` (e.g. Gauss-Legendre, exact for polynomial news) if given, else the local
    ``order``-point Lagrange rule on uniform cuts (scipy's cumulative Simpson otherwise).  The total
    derivative ``pi G d_phi psi0^2`` enters as its values at the ends.
    """
    u = np.asarray(u, float)
    psi0 = np.asarray(psi0, float)
    dth, dxi = flux_rates(u, news, psi0, G)
    bnd = np.pi * G * derivative(psi0**2)
    if weights is not None:
        if cumulative:
            raise ValueError("flux_integrals: cumulative=True needs cut data, not quadrature weights")
        w = np.asarray(weights, float)
        return w @ dth, w @ dxi  # boundary term: psi0 at the ends of the quadrature interval is the caller's
    Th = _cumulative(dth, u, order)
    Xi = _cumulative(dxi, u, order) + (bnd - bnd[0])
    return (Th, Xi) if cumulative else (Th[-1], Xi[-1])


def predicted_final_state(theta_i0, xi_i0, u, news, psi0, G: float, weights=None, psi0_ends=None):
    """``(Theta_f, Xi_f)`` from the state at i0 (or the first cut) and the integrated scri+ fluxes.

    ``Theta_f = Theta_i0 - 16 pi G int news^2``, ``Xi_f = Xi_i0 + int (Xi-law)``; with ``weights`` the
    boundary term uses ``psi0_ends = (psi0(u_a), psi0(u_b))`` (default: zero, compact support).
    """
    dth, dxi = flux_integrals(u, news, psi0, G, weights=weights)
    if weights is not None and psi0_ends is not None:
        a, b = (np.asarray(p, float) for p in psi0_ends)
        dxi = dxi + np.pi * G * derivative(b**2 - a**2)
    return np.asarray(theta_i0, float) + dth, np.asarray(xi_i0, float) + dxi


def orbit_completion(theta_high: np.ndarray, tol: float = 1e-14, maxiter: int = 50):
    """The point ``Theta = -F'^2 - 2 S[F]`` of the Minkowski orbit whose ``|m| >= 2`` part is
    ``-1 + theta_high`` (``theta_high`` has no ``|m| <= 1`` modes); returns ``(F, Theta)``.

    Newton on ``Y`` (``F = phi + Y``, ``Y`` with ``|m| >= 2``): the linearisation is
    ``-2 (Y' + Y''')`` about ``-1``; used to build synthetic final states (tests).
    """
    n = theta_high.shape[-1]
    x = phi_grid(n)
    target = _strip_low(np.asarray(theta_high, float))
    Y = np.zeros(n)
    for _ in range(maxiter):
        F = _diffeo.from_grid(Y, "F")
        th = F.vacuum_mass_aspect(x)
        r = _strip_low(th + 1.0) - target
        if np.max(np.abs(r)) < tol:
            break
        Y = Y + linear_superrotation(-1.0 - r)  # -2(dY' + dY''') = -r
    F = _diffeo.from_grid(Y, "F (orbit completion)")
    return F, F.vacuum_mass_aspect(x)


def linear_superrotation(theta: np.ndarray) -> np.ndarray:
    """``Y`` (``|m| >= 2``) with ``-1 - 2 (Y' + Y''') = Theta`` in the ``|m| >= 2`` modes."""
    theta = np.asarray(theta, float)
    n = theta.shape[-1]
    c = fourier_modes(theta + 1.0)
    m = mode_numbers(n).astype(float)
    out = np.zeros_like(c)
    sel = np.abs(m) >= 2
    if n % 2 == 0:
        sel[n // 2] = False
    out[sel] = -c[sel] / (2j * m[sel] * (1.0 - m[sel] ** 2))
    return from_modes(out)


def linear_supertranslation(xi: np.ndarray) -> np.ndarray:
    """``gamma`` (``|m| >= 2``) with ``-(gamma' + gamma''') = Xi`` (linearised about ``Theta = -1``)."""
    return solve_minkowski_supertranslation(np.asarray(xi, float)).gamma


# --------------------------------------------------------------------------------------------
# late-u extrapolation to i+
# --------------------------------------------------------------------------------------------
def _lsq(x, V, powers):
    A = np.stack([np.ones_like(x)] + [x ** (-q) for q in powers], axis=1)
    coef, *_ = np.linalg.lstsq(A, V, rcond=None)
    return coef, float(np.sum((A @ coef - V) ** 2))


def extrapolate_to_i_plus(u, values, p: float | None = None, u_ref: float = 0.0, fraction: float = 0.5,
                          p_range: tuple[float, float] = (0.5, 6.0)):
    """Limit ``u -> +inf`` of ``values`` (axis 0 = cuts) by ``L + c x^{-p} + d x^{-p-1}``, ``x = u - u_ref``.

    The fit uses the last ``fraction`` of the cuts (those with ``x > 0``).  ``p``: given, or the
    least-squares best over ``p_range`` (one ``p`` for all components, each component scaled by its
    variation over the window).  Error estimate: the larger of the differences with (a) the
    one-term model ``L + c x^{-p1}`` (its own best ``p1``) and (b) the same two-term fit on the later
    half of the window.

    Returns ``(limit, error, p)`` with ``limit`` and ``error`` shaped like ``values[0]``.
    """
    u = np.asarray(u, float)
    V = np.asarray(values, float)
    shape = V.shape[1:]
    V = V.reshape(len(u), -1)
    x = u - u_ref
    k0 = int(np.searchsorted(u, u[0] + (1.0 - fraction) * (u[-1] - u[0])))
    sel = np.nonzero((np.arange(len(u)) >= k0) & (x > 0))[0]
    if len(sel) < 6:
        raise ValueError(f"extrapolate_to_i_plus: {len(sel)} late cuts with u > u_ref; need >= 6")
    xs, Vs = x[sel], V[sel]
    scale = np.max(np.abs(Vs - Vs[-1]), axis=0)
    keep = scale > 1e-6 * max(float(np.max(scale)), 1e-300)  # components that vary (fit p on those)
    Vw = Vs[:, keep] / scale[keep] if np.any(keep) else Vs[:, :1] * 0.0

    def best(nterms):
        if p is not None:
            return float(p)
        coarse = np.arange(p_range[0], p_range[1] + 1e-9, 0.05)
        pw = (lambda q: [q]) if nterms == 1 else (lambda q: [q, q + 1.0])
        q0 = coarse[int(np.argmin([_lsq(xs, Vw, pw(q))[1] for q in coarse]))]
        fine = np.arange(max(p_range[0], q0 - 0.05), min(p_range[1], q0 + 0.05) + 1e-9, 0.002)
        return float(fine[int(np.argmin([_lsq(xs, Vw, pw(q))[1] for q in fine]))])

    p2, p1 = best(2), best(1)
    c2, _ = _lsq(xs, Vs, [p2, p2 + 1.0])
    c1, _ = _lsq(xs, Vs, [p1])
    h = len(sel) // 2
    c3, _ = _lsq(xs[h:], Vs[h:], [p2, p2 + 1.0]) if len(sel) - h >= 6 else (c1, 0.0)
    lim = c2[0]
    err = np.maximum(np.abs(lim - c1[0]), np.abs(lim - c3[0]))
    return lim.reshape(shape), err.reshape(shape), p2


# --------------------------------------------------------------------------------------------
# the report (a /memory group)
# --------------------------------------------------------------------------------------------
def _arrays_from(source) -> dict:
    """u, phi, theta, xi, news, psi0, G (+ scri- last cut) from a Result, RunData or a dict."""
    if isinstance(source, dict):
        return dict(source)
    out = {}
    sp = source.scri_plus
    if hasattr(sp, "_g"):  # asymflat.result.ScriView
        out.update(u=sp.time, phi=sp.phi, theta=sp.mass_aspect, xi=sp.angular_momentum_aspect, news=sp.news,
                   psi0=sp.psi0, G=float(source.G))
        sm = source.scri_minus
        if sm is not None:
            out.update(theta_minus_last=sm.mass_aspect[-1], xi_minus_last=sm.angular_momentum_aspect[-1],
                       theta_minus_first=sm.mass_aspect[0], xi_minus_first=sm.angular_momentum_aspect[0])
    else:  # RunData
        out.update(u=sp.time, phi=sp.phi, theta=sp.mass_aspect, xi=sp.angular_momentum_aspect, news=sp.news,
                   psi0=sp.psi0, G=float(source.summary.get("G", np.nan)))
        sm = source.scri_minus
        if sm is not None:
            out.update(theta_minus_last=sm.mass_aspect[-1], xi_minus_last=sm.angular_momentum_aspect[-1],
                       theta_minus_first=sm.mass_aspect[0], xi_minus_first=sm.angular_momentum_aspect[0])
    return out


def flux_tail(u, rate, u_ref: float = 0.0, fraction: float = 0.25, min_cuts: int = 6):
    """``int_{u_last}^inf rate du`` per angle from the late-u power law of a flux density.

    ``rate`` (shape (nu, nphi)) is a flux density (``d_u Theta`` or the Xi-law density).  On the late
    window (the last ``fraction`` of the cuts with ``x = u - u_ref > 0``) the norm
    ``|rate|(u) = rms over phi`` is fitted by ``C x^{-q}`` (log-log least squares: the measured
    exponent); the amplitude per angle ``A(phi)`` by least squares with that ``q``; then
    ``tail = A x_L^{1 - q} / (q - 1)``.  Error estimate: the spread of the tail over the exponents
    fitted on the two halves of the window, plus the difference between the amplitude fit and the
    local value ``rate(u_last) x_L / (q - 1)`` (non-asymptotic corrections).

    Returns ``(tail, error, q, status)``; ``status`` is ``"power law"``, ``"zero"`` (no flux in the
    window: tail 0, error 0) or a sentence when the rate does not decay integrably (``q <= 1.2``):
    then the tail is 0 and the error ``|rate(u_L)| x_L`` (a crude bound).
    """
    u = np.asarray(u, float)
    R = np.asarray(rate, float)
    x = u - u_ref
    k0 = int(np.searchsorted(u, u[0] + (1.0 - fraction) * (u[-1] - u[0])))
    sel = np.nonzero((np.arange(len(u)) >= k0) & (x > 0))[0]
    zero = np.zeros(R.shape[-1])
    if len(sel) < min_cuts:
        raise ValueError(f"flux_tail: {len(sel)} late cuts with u > u_ref = {u_ref:g}; need >= {min_cuts}")
    xs, Rs = x[sel], R[sel]
    nrm = np.sqrt(np.mean(Rs**2, axis=1))
    if not np.any(nrm > 0):
        return zero, zero, float("nan"), "zero"
    xL = float(x[-1])
    if np.any(nrm <= 0):
        return zero, np.abs(R[-1]) * xL, float("nan"), "rate vanishes on part of the late window: no power law"

    def q_of(i):
        return float(-np.polyfit(np.log(xs[i]), np.log(nrm[i]), 1)[0])

    def tail_of(q):
        w = xs ** -q
        A = (w @ Rs) / float(w @ w)
        return A * xL ** (1.0 - q) / (q - 1.0)

    q = q_of(slice(None))
    h = len(sel) // 2
    qa, qb = q_of(slice(None, h)), q_of(slice(h, None))
    if min(q, qa, qb) <= 1.2:
        return zero, np.abs(R[-1]) * xL, q, (f"flux density does not decay integrably on the late window "
                                             f"(fitted exponent {q:.3g}, halves {qa:.3g}, {qb:.3g})")
    t = tail_of(q)
    err = np.maximum(np.abs(tail_of(qa) - t), np.abs(tail_of(qb) - t))
    err = err + np.abs(R[-1] * xL / (q - 1.0) - t)
    return t, err, q, "power law"


def _xi_tail(u, news, psi0, G, u_ref, fraction):
    """Xi-law tail beyond the last cut: power-law tail of the non-derivative density, and the total
    derivative ``pi G d_phi psi0^2`` (0 at i+) minus its value at the last cut."""
    _, dxi = flux_rates(u, news, psi0, G)
    t, e, q, st = flux_tail(u, dxi, u_ref, fraction)
    return t - np.pi * G * derivative(np.asarray(psi0, float)[-1] ** 2), e, q, st


def memory_prediction(theta_i0, xi_i0, u, news, psi0, G, fraction=0.25, u_ref=0.0):
    """Predicted state at i+: first cut (or i0) + fluxes integrated over the cuts + the power-law flux
    tail after the last cut (:func:`flux_tail`).  Returns ``(theta, xi, theta_tail_err, xi_tail_err,
    q_theta, q_xi)``."""
    dth, dxi = flux_integrals(u, news, psi0, G)
    dth_rate, _ = flux_rates(u, news, psi0, G)
    tth, eth, qth, _ = flux_tail(u, dth_rate, u_ref, fraction)
    txi, exi, qxi, _ = _xi_tail(u, news, psi0, G, u_ref, fraction)
    return (np.asarray(theta_i0) + dth + tth, np.asarray(xi_i0) + dxi + txi, eth, exi, qth, qxi)


def _memory_error(eth, exi):
    """Linearised propagation of aspect errors into (F - phi, gamma): max|Y|, max|g| of
    -2 (Y' + Y''') = e_Theta and -(g' + g''') = e_Xi (|m| >= 2 modes; the |m| <= 1 part of an error
    moves the state off the orbit instead, see monodromy_residual)."""
    return (float(np.max(np.abs(linear_superrotation(-1.0 + np.asarray(eth, float))))),
            float(np.max(np.abs(linear_supertranslation(np.asarray(exi, float))))))


def memory_report(source, G: float | None = None, nmax: int = 10, fraction: float = 0.25, u_ref: float = 0.0,
                  orbit_tol: float = 1e-3) -> dict:
    """Memory of a scattering result: recovered from the final state and predicted from the fluxes.

    ``source``: an ``asymflat.load`` Result, a RunData, or a dict with ``u, theta, xi, news, psi0``
    (shape (nu, nphi)) and ``G`` (optional ``theta_i0, xi_i0``: the state at i0; default the first
    scri+ cut; optional ``theta_minus_last, xi_minus_last``: the last scri- cut, for the scri- route).

    Final state: the last cut plus the flux after it, ``int_{u_L}^inf`` of the flux laws with the
    late-u power law of the news fitted on the last ``fraction`` of the cuts (:func:`flux_tail`;
    measured exponent, ``x = u - u_ref``).  If that state leaves the Minkowski orbit (monodromy
    ``> orbit_tol``) or the tail does not decay integrably, the last cut itself is used and the tail
    size counts as its error (attribute ``final_state_source`` says which).  Prediction: the first cut
    plus the fluxes over the cuts plus the same tail, so ``*_difference_predicted`` (recovered minus
    predicted) is the flux-law residual of the run, independent of the tail.  Error estimates:
    ``F_error``, ``gamma_error``: the final-state error propagated linearly (|m| >= 2) plus the
    distance from the orbit (``monodromy_residual``; for gamma times ``max|gamma|``, plus
    ``xi_residual``).  Reports; gates nothing.

    Returns ``{"datasets": {name: (array, units, description)}, "attributes": {name: scalar},
    "memory": Memory (from the final state), "memory_predicted": Memory, "memory_last_cut": Memory,
    ["memory_minus"]}`` (docs/format.md, "/memory").  Raises ``ValueError`` when the last cut or the
    predicted state is not near the Minkowski orbit.
    """
    a = _arrays_from(source)
    G = float(a.get("G") if G is None else G)
    u, th, xi = (np.asarray(a[k], float) for k in ("u", "theta", "xi"))
    nw, ps = np.asarray(a["news"], float), np.asarray(a["psi0"], float)
    n = th.shape[-1]
    phi = phi_grid(n)
    dth_rate, _ = flux_rates(u, nw, ps, G)
    tth, eth, p_th, st_th = flux_tail(u, dth_rate, u_ref, fraction)
    txi, exi, p_xi, st_xi = _xi_tail(u, nw, ps, G, u_ref, fraction)
    mem_last = recover_memory(th[-1], xi[-1], G, nmax=nmax, orbit_tol=orbit_tol)
    source_f = "last cut + power-law flux tail"
    th_f, xi_f = th[-1] + tth, xi[-1] + txi
    th_err, xi_err = eth, exi
    mem = None
    if st_th in ("power law", "zero") and st_xi in ("power law", "zero"):
        try:
            mem = recover_memory(th_f, xi_f, G, nmax=nmax, orbit_tol=orbit_tol)
        except ValueError as exc:
            source_f = f"last cut (tail-extrapolated state left the orbit: {exc})"
    else:
        source_f = f"last cut (tail: Theta {st_th}; Xi {st_xi})"
    if mem is None:
        mem = mem_last
        th_f, xi_f = th[-1], xi[-1]
        th_err, xi_err = np.abs(tth) + eth, np.abs(txi) + exi
    th_i0 = np.asarray(a.get("theta_i0", th[0]), float)
    xi_i0 = np.asarray(a.get("xi_i0", xi[0]), float)
    dth_run, dxi_run = flux_integrals(u, nw, ps, G)
    th_p, xi_p = th_i0 + dth_run + (th_f - th[-1]), xi_i0 + dxi_run + (xi_f - xi[-1])
    mem_p = recover_memory(th_p, xi_p, G, nmax=nmax, orbit_tol=orbit_tol)
    F_err, g_err = _memory_error(th_err, xi_err)
    # distance of the final state from the orbit (|m| <= 1 errors, truncation) moves F, gamma by that order
    F_err += mem.monodromy_residual
    g_err += mem.monodromy_residual * float(np.max(np.abs(mem.gamma))) + mem.xi_residual
    ds: dict = {}
    at: dict = {}
    ds["phi"] = (phi, "rad", "uniform grid 2 pi j / nphi")
    ds["mass_aspect_final"] = (th_f, "1", "Theta+ at i+: last cut + power-law tail of -16 pi G news^2 after it")
    ds["mass_aspect_final_error"] = (th_err, "1", "error estimate of Theta+(i+) (tail exponent spread)")
    ds["angular_momentum_aspect_final"] = (xi_f, "length", "Xi+ at i+: last cut + tail of the Xi flux law")
    ds["angular_momentum_aspect_final_error"] = (xi_err, "length", "error estimate of Xi+(i+)")
    ds["mass_aspect_predicted"] = (th_p, "1", "Theta+(first cut) - 16 pi G int news^2 du (cuts + the same tail)")
    ds["angular_momentum_aspect_predicted"] = (xi_p, "length", "Xi+(first cut) + int (Xi flux law) du (cuts + tail)")
    ds["F_minus_phi"] = (mem.F_minus_phi, "rad", "superrotation memory F - phi (canonical mod Moebius), final state")
    ds["gamma"] = (mem.gamma, "length", "supertranslation memory gamma (canonical mod translations), final state")
    ds["F_minus_phi_last_cut"] = (mem_last.F_minus_phi, "rad", "F - phi from the last cut (no tail)")
    ds["gamma_last_cut"] = (mem_last.gamma, "length", "gamma from the last cut (no tail)")
    ds["F_minus_phi_predicted"] = (mem_p.F_minus_phi, "rad", "F - phi from the flux-predicted final state")
    ds["gamma_predicted"] = (mem_p.gamma, "length", "gamma from the flux-predicted final state")
    ds["F_minus_phi_linear"] = (linear_superrotation(th_p), "rad",
                                "linearised Y: -1 - 2(Y' + Y''') = predicted Theta (|m| >= 2)")
    ds["gamma_linear"] = (linear_supertranslation(xi_p), "length", "linearised: -(gamma' + gamma''') = predicted Xi")
    ds["modes_n"] = (mem.modes_n.astype(float), "1", "mode numbers n = 0..nmax")
    for key, m in (("", mem), ("_predicted", mem_p)):
        ds[f"supermomentum{key}"] = (np.stack([m.supermomentum.real, m.supermomentum.imag], -1), "1/G",
                                     "P_n = Q[e^{i n phi}, 0] (Re, Im)")
        ds[f"superrotation_charges{key}"] = (np.stack([m.superrotation_charges.real, m.superrotation_charges.imag], -1),
                                             "1/G", "J_n = Q[0, e^{i n phi}] (Re, Im)")
    at.update(G=G, nmax=nmax, fit_fraction=fraction, u_ref=u_ref, u_last=float(u[-1]),
              final_state_source=source_f, tail_status_theta=st_th, tail_status_xi=st_xi,
              tail_exponent_theta=p_th, tail_exponent_xi=p_xi,
              tail_theta_max=float(np.max(np.abs(tth))), tail_xi_max=float(np.max(np.abs(txi))),
              hill_trace=mem.hill_trace, hill_winding=mem.hill_winding, monodromy_residual=mem.monodromy_residual,
              hill_error=mem.hill_error, theta_residual=mem.theta_residual, xi_residual=mem.xi_residual,
              obstruction_max=mem.obstruction_max, charges_frame_difference=mem.charges_difference,
              hill_trace_last_cut=mem_last.hill_trace, monodromy_residual_last_cut=mem_last.monodromy_residual,
              hill_trace_predicted=mem_p.hill_trace, monodromy_residual_predicted=mem_p.monodromy_residual,
              obstruction_max_predicted=mem_p.obstruction_max,
              F_max=float(np.max(np.abs(mem.F_minus_phi))), gamma_max=float(np.max(np.abs(mem.gamma))),
              F_error=F_err, gamma_error=g_err,
              F_difference_predicted=float(np.max(np.abs(mem.F_minus_phi - mem_p.F_minus_phi))),
              gamma_difference_predicted=float(np.max(np.abs(mem.gamma - mem_p.gamma))),
              F_difference_last_cut=float(np.max(np.abs(mem.F_minus_phi - mem_last.F_minus_phi))),
              gamma_difference_last_cut=float(np.max(np.abs(mem.gamma - mem_last.gamma))),
              theta_final_error_max=float(np.max(th_err)), xi_final_error_max=float(np.max(xi_err)),
              theta_predicted_difference_max=float(np.max(np.abs(th_p - th_f))),
              xi_predicted_difference_max=float(np.max(np.abs(xi_p - xi_f))),
              F_difference_linear=float(np.max(np.abs(_strip_low(mem.F_minus_phi) - ds["F_minus_phi_linear"][0]))),
              gamma_difference_linear=float(np.max(np.abs(mem.gamma - ds["gamma_linear"][0]))))
    for k, v in mem.poincare.items():
        at[f"final_{k}"] = float(v)
    out = dict(datasets=ds, attributes=at, memory=mem, memory_predicted=mem_p, memory_last_cut=mem_last)
    if "theta_minus_last" in a:
        # scri- route: i0 state = last scri- cut, antipodally mapped (conventions.md section 6)
        th0m, xi0m = shift(np.asarray(a["theta_minus_last"], float), np.pi), shift(np.asarray(a["xi_minus_last"], float), np.pi)
        th_m, xi_m = th0m + (th_p - th_i0), xi0m + (xi_p - xi_i0)
        ds["mass_aspect_predicted_minus"] = (th_m, "1", "Theta-(phi + pi, last scri- cut) - 16 pi G int news^2 du")
        ds["angular_momentum_aspect_predicted_minus"] = (xi_m, "length", "Xi-(phi + pi, last scri- cut) + int Xi law")
        at["i0_theta_mismatch"] = float(np.max(np.abs(th0m - th_i0)))
        at["i0_xi_mismatch"] = float(np.max(np.abs(xi0m - xi_i0)))
        try:
            mem_m = recover_memory(th_m, xi_m, G, nmax=nmax, orbit_tol=orbit_tol)
            ds["F_minus_phi_predicted_minus"] = (mem_m.F_minus_phi, "rad", "F - phi predicted via scri- (matched i0)")
            ds["gamma_predicted_minus"] = (mem_m.gamma, "length", "gamma predicted via scri- (matched i0)")
            at["F_difference_minus"] = float(np.max(np.abs(mem.F_minus_phi - mem_m.F_minus_phi)))
            at["gamma_difference_minus"] = float(np.max(np.abs(mem.gamma - mem_m.gamma)))
            at["monodromy_residual_minus"] = mem_m.monodromy_residual
            out["memory_minus"] = mem_m
        except ValueError as exc:
            at["scri_minus_route"] = f"not on the Minkowski orbit: {exc}"
    return out


def write_memory_group(group, report: dict) -> None:
    """Write a :func:`memory_report` into an h5py group (docs/format.md "/memory")."""
    for name, (arr, units, desc) in report["datasets"].items():
        d = group.create_dataset(name, data=np.asarray(arr))
        d.attrs["units"] = units
        d.attrs["description"] = desc
    for k, v in report["attributes"].items():
        group.attrs[k] = v


# --------------------------------------------------------------------------------------------
# synthetic data: compact news, exact quadrature, a final state on the Minkowski orbit
# --------------------------------------------------------------------------------------------
def synthetic_news(eps: float, n: int = 64):
    """``psi0(u, phi)`` and ``news`` as callables of (u, phi): compact support ``|u| <= 1``,
    polynomial in u (``(1 - u^2)^4`` times cubics), angular modes 0..3 with different time
    profiles (so that the angular-momentum flux is non-zero).  Gauss-Legendre with >= 20 nodes on
    [-1, 1] integrates every flux density exactly (degree <= 31)."""
    P = np.polynomial.Polynomial
    w = P([1.0, 0.0, -1.0]) ** 4
    profiles = [(0, "c", w * P([0.3, 0.5])), (1, "c", w * P([0.0, 0.4, 0.2])), (2, "c", w * P([1.0, 0.0, -0.8])),
                (2, "s", w * P([0.0, 1.2, 0.0, -0.5])), (3, "c", w * P([0.4, -0.3])), (3, "s", w * P([0.2, 0.0, 0.6]))]

    def _ang(m, kind, phi):
        return np.cos(m * phi) if kind == "c" else np.sin(m * phi)

    def psi0(u, phi):
        u = np.asarray(u, float)[..., None]
        out = sum(np.where(np.abs(u) <= 1, b(u), 0.0) * _ang(m, k, phi) for m, k, b in profiles)
        return eps * out

    def news(u, phi):
        u = np.asarray(u, float)[..., None]
        out = sum(np.where(np.abs(u) <= 1, b.deriv()(u), 0.0) * _ang(m, k, phi) for m, k, b in profiles)
        return eps * out

    return psi0, news


def synthetic_scattering(eps: float, G: float = 1.0, n: int = 64, n_gauss: int = 24):
    """An exact synthetic scattering at scri+: compact news (:func:`synthetic_news`), final state
    ``(F, gamma) . (-1, 0)`` on the Minkowski orbit, initial state ``Theta_i0 = Theta_f + 16 pi G E_out``,
    ``Xi_i0 = Xi_f - Delta Xi`` (Poincare charges only beyond the flux; ``F`` from
    :func:`orbit_completion` of the ``|m| >= 2`` energy flux, ``gamma`` the canonical
    supertranslation whose state has the ``|m| >= 2`` (Minkowski-frame) part of ``Delta Xi``).

    Returns dict ``theta_i0, xi_i0, theta_f, xi_f, F, gamma (grid), E_out, delta_theta, delta_xi,
    psi0, news`` (callables), ``u_gauss, w_gauss``.
    """
    psi0, news = synthetic_news(eps, n)
    x = phi_grid(n)
    xg, wg = np.polynomial.legendre.leggauss(n_gauss)
    nw, ps = news(xg, x), psi0(xg, x)
    dth, dxi = flux_integrals(xg, nw, ps, G, weights=wg)
    E_out = np.asarray(wg @ nw**2)
    F, th_f = orbit_completion(_strip_low(dth))
    xinv = inverse_on_grid(F, x)
    h = TrigSeries.from_grid(dxi)(xinv) / F.d(xinv, 1) ** 2
    g = solve_minkowski_supertranslation(_strip_low(h)).gamma
    gamma = TrigSeries.from_grid(g)(F(x)) / F.d(x, 1)
    th2, xi_f = finite_action(-1.0, 0.0, F, TrigSeries.from_grid(gamma), n=n)
    return dict(theta_i0=th_f - dth, xi_i0=xi_f - dxi, theta_f=th_f, xi_f=xi_f, F=F, gamma=gamma,
                E_out=E_out, delta_theta=dth, delta_xi=dxi, psi0=psi0, news=news, u_gauss=xg, w_gauss=wg,
                orbit_check=float(np.max(np.abs(th2 - th_f))))
