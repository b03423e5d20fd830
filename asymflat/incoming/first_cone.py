"""The first cone u = u0 of the flat 2+1 wave equation whose radiation field at scri- is given.

Derivation (G = 0; checked against the exact pulse family in tests/test_incoming_first_cone.py).
Every smooth finite-energy solution of the flat wave equation in 2+1 is a superposition of plane
waves arriving from all directions,

    psi(t, X) = int_0^{2 pi} d theta F(t + n_theta . X, theta),     n_theta = (cos theta, sin theta)    (1)

(a wave F(t + n . X) moves towards -n; in Fourier, F(v, theta) = (1/2 pi) int d omega Fhat e^{-i omega v}
and (1) is int d omega Fhat_m (-i)^m J_m(omega r) e^{-i omega t} per mode: the Bessel representation).
At scri- (t = v - r, X = r n_phi, r -> inf) the phase t + n_theta . X = v - r (1 - cos(theta - phi)) is
stationary at theta = phi; with s = r (theta - phi)^2 / 2 on both sides of it,

    psi0-(v, phi) = lim sqrt(r) psi = sqrt(2) int_0^inf ds F(v - s, phi) / sqrt(s)
                  = sqrt(2 pi) (I^{1/2} F)(v, phi)                                                    (2)

(I^{1/2}: Riemann-Liouville half-integral from v = -inf; the antipodal point theta = phi + pi gives
F(v - 2r) -> 0).  Inverting (2), the plane-wave profile is the half-derivative of the data,

    F(v, phi) = (1/sqrt(2 pi)) D^{1/2} psi0- = (1/(pi sqrt 2)) int_{-inf}^v dv' d_v' psi0-(v', phi) / sqrt(v - v'),   (3)

which depends on all earlier v (the 2+1 tail); in Fourier Fhat = (-i omega)^{1/2} psihat0- / sqrt(2 pi),
i.e. the Bessel representation with a_m(omega) = psihat0-_m sqrt(|omega|/2pi) e^{-i m pi/2 - i pi sgn(omega)/4}.
On the cone t = u0 + r, X = r n_phi, per Fourier mode psi = sum_m psi_m(r) e^{i m phi}:

    psi_m(u0, r) = int_0^{2 pi} d alpha F_m(u0 + r (1 + cos alpha)) e^{i m alpha}                    (4)

(F at advanced times v in [u0, u0 + 2r] only: causality).  At scri+ (t = u + r, r -> inf) the phase is
stationary at theta = phi + pi, which gives psi0+ = sqrt(2 pi) (right half-integral of F(., phi + pi));
with (3) the multiplier is (i omega)^{-1/2} (-i omega)^{1/2} = -i sgn(omega): the free scattering map

    psi0+(u, phi) = -(1/pi) p.v. int dv psi0-(v, phi + pi) / (u - v)                                 (5)

(minus the Hilbert transform, antipodal in angle), which is chi at x = 1 on the cone u0.

Variables of the solver's initial data (asymflat/kinds/characteristic.py ``initial_chi``):
chi = sqrt(r + R) psi on x = r / (R + r) in [0, 1], chi(x = 1) = psi0+(u0, phi); Fourier convention
docs/conventions.md section 7.

Numerics.  The table is extended on its own uniform grid (tails or zeros beyond its ends) over
[min(v_0, u0), max(v_end, u0 + 2 r_max)] plus 8 steps.  (3) by product integration: on each cell the
6-point Lagrange interpolant of psi0- (nodes j-2..j+3) is differentiated and integrated against
(v - v')^{-1/2} exactly (Gauss-Jacobi on the first cell, Gauss-Legendre beyond), a causal convolution
done by FFT; the part of (3) from beyond the extended grid is the tail law's, in closed form
(hypergeometric 2F1).  (4) by the trapezoid rule in alpha (spectral: periodic integrand) with
F interpolated by 6-point Lagrange, spacing in v below h / points_per_step.  (5) likewise by product
integration with the p.v. log terms of the singular cell, and the tails in closed form.
Expected order ~6 in h (measured: the test module); spectral in the angular resolution.
"""
from __future__ import annotations

import numpy as np
from scipy.signal import fftconvolve
from scipy.special import hyp2f1, roots_jacobi

from asymflat.incoming.table import IncomingData

OFFSETS = np.arange(-2, 4)
PAD = 8
_P = [np.polynomial.Polynomial.fromroots([o for o in OFFSETS if o != i]) for i in OFFSETS]
LAGRANGE = [p / p(i) for p, i in zip(_P, OFFSETS)]
LAGRANGE_D = [p.deriv() for p in LAGRANGE]


def half_derivative_weights(nk: int) -> np.ndarray:
    """omega_i(k) = int_0^1 L_i'(xi) (k - xi)^{-1/2} d xi, k = 0..nk-1 (0 for k = 0): (nk, 6)."""
    w = np.zeros((nk, len(OFFSETS)))
    xj, wj = roots_jacobi(8, -0.5, 0.0)
    xi1, w1 = 0.5 * (xj + 1), wj / np.sqrt(2.0)
    xg, wg = np.polynomial.legendre.leggauss(24)
    xg, wg = 0.5 * (xg + 1), 0.5 * wg
    k = np.arange(2, nk, dtype=float)
    for i, d in enumerate(LAGRANGE_D):
        if nk > 1:
            w[1, i] = np.sum(w1 * d(xi1))
        if nk > 2:
            w[2:, i] = ((k[:, None] - xg[None, :]) ** -0.5 * (wg * d(xg))[None, :]).sum(axis=1)
    return w


def _pv_cell_weights(kappa: np.ndarray) -> np.ndarray:
    """mu_i(kappa) = p.v. int_0^1 L_i(xi) / (kappa - xi) d xi for each cell: (len(kappa), 6)."""
    xg, wg = np.polynomial.legendre.leggauss(24)
    xg, wg = 0.5 * (xg + 1), 0.5 * wg
    out = np.empty((len(kappa), len(OFFSETS)))
    near = (kappa > -1.0) & (kappa < 2.0)
    kf = kappa[~near]
    for i, L in enumerate(LAGRANGE):
        out[~near, i] = (L(xg)[None, :] * wg[None, :] / (kf[:, None] - xg[None, :])).sum(axis=1)
        for c in np.nonzero(near)[0]:
            kc = kappa[c]
            q = (L - L(kc)) // np.polynomial.Polynomial([kc, -1.0])   # (L(xi) - L(kc)) / (kc - xi)
            lg = (np.log(abs(kc)) if kc != 0 else 0.0) - (np.log(abs(kc - 1)) if kc != 1 else 0.0)
            out[c, i] = L(kc) * lg + np.sum(wg * q(xg))
    return out


def extended(data: IncomingData, v_min: float, v_max: float):
    """The table's grid extended to cover [v_min, v_max] + PAD steps (tails or zeros beyond the
    ends) and the Fourier modes of psi0- on it (Nyquist mode zeroed): (v, g (N, nphi))."""
    h = data.h
    n_lo = int(np.floor((min(data.v[0], v_min) - data.v[0]) / h)) - PAD
    n_hi = int(np.ceil((max(data.v[-1], v_max) - data.v[0]) / h)) + PAD
    v = data.v[0] + h * np.arange(n_lo, n_hi + 1)
    g = np.fft.fft(data.at(v), axis=1) / len(data.phi)
    g[:, len(data.phi) // 2] = 0.0 if len(data.phi) % 2 == 0 else g[:, len(data.phi) // 2]
    return v, g


def _law_modes(law) -> tuple[np.ndarray, np.ndarray]:
    """(q_k, c_{k,m}): powers and Fourier modes of the tail coefficients."""
    c = np.fft.fft(law.coefficients, axis=1) / law.coefficients.shape[1]
    return law.power + np.arange(len(c)), c


def plane_wave_profile(data: IncomingData, v: np.ndarray, g: np.ndarray) -> np.ndarray:
    """F_m(v_n) of (3) on the extended grid ``v`` with mode values ``g`` (N, nm); valid for
    2 <= n <= N - 4 (cells 2..N-4 carry the 6-point stencils)."""
    N, h = len(v), float(v[1] - v[0])
    w = half_derivative_weights(N)
    F = np.zeros_like(g)
    for i, o in enumerate(OFFSETS):
        a = np.zeros_like(g)
        a[2:N - 3] = g[2 + o:N - 3 + o]
        F += fftconvolve(a, w[:, i:i + 1], axes=0)[:N]
    F *= h ** -0.5
    if data.early is not None:
        q, c = _law_modes(data.early)
        Y0 = data.early.center - v[2]
        s = v[2:] - data.early.center          # -s / Y0 <= 1 from n = 2 on
        for qk, ck in zip(q, c):
            T = qk * Y0 ** (-qk - 0.5) / (qk + 0.5) * hyp2f1(0.5, qk + 0.5, qk + 1.5, -s / Y0)
            F[2:] += T[:, None] * ck[None, :]
    return F / (np.pi * np.sqrt(2.0))


def hilbert_tails(data: IncomingData, u: np.ndarray, v_lo: float, v_hi: float) -> np.ndarray:
    """Modes of int g(v) / (u - v) dv over v < v_lo and v > v_hi from the tail laws: (len(u), nm).

    early: int_{-inf}^{v_lo} c (v_c - v)^-q / (u - v) dv = + c Y^-q / q 2F1(1, q; q+1; b/Y),
    late:  int_{v_hi}^{inf}  c (v - v_c)^-q / (u - v) dv = - c Y^-q / q 2F1(1, q; q+1; -b/Y),
    b = v_c - u, Y = v_c - v_lo or v_hi - v_c (y = Y/t in Euler's integral); needs v_lo < u < v_hi.
    """
    u = np.atleast_1d(np.asarray(u, dtype=float))
    out = np.zeros((len(u), len(data.phi)), dtype=complex)
    for law, side in ((data.early, -1), (data.late, +1)):
        if law is None:
            continue
        q, c = _law_modes(law)
        b = law.center - u
        Y = law.center - v_lo if side < 0 else v_hi - law.center
        for qk, ck in zip(q, c):
            out -= side * (Y ** -qk / qk * hyp2f1(1.0, qk, qk + 1.0, -side * b / Y))[:, None] * ck[None, :]
    return out


def antipodal_minus_hilbert(data: IncomingData, pv: np.ndarray) -> np.ndarray:
    """psi0+ modes from p.v. int g_m / (u - v) dv: (-1)^m (-1/pi) pv, i.e. (5)."""
    m = np.fft.fftfreq(len(data.phi), 1.0 / len(data.phi))
    return (-1.0) ** m * (-pv / np.pi)


def scri_plus_at(data: IncomingData, u0: float, v: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Modes of psi0+(u0) by (5): (-1)^m (-1/pi) p.v. int g_m(v) / (u0 - v) dv."""
    N, h = len(v), float(v[1] - v[0])
    j = np.arange(2, N - 3)
    mu = _pv_cell_weights((u0 - v[j]) / h)
    pv = sum(mu[:, i:i + 1] * g[j + o] for i, o in enumerate(OFFSETS)).sum(axis=0)
    pv = pv + hilbert_tails(data, np.array([u0]), v[2], v[N - 3])[0]
    return antipodal_minus_hilbert(data, pv)


def _interp(F: np.ndarray, v: np.ndarray, vq: np.ndarray) -> np.ndarray:
    h = float(v[1] - v[0])
    s = (vq - v[0]) / h
    j = np.clip(np.floor(s).astype(int), 2, len(v) - 5)
    xi = s - j
    return sum(L(xi)[:, None] * F[j + o] for L, o in zip(LAGRANGE, OFFSETS))


def cone_modes(data: IncomingData, u0: float, r: np.ndarray, points_per_step: float = 2.0):
    """psi_m(u0, r) of (4) for finite radii ``r``: (len(r), nphi) complex, numpy FFT mode order."""
    r = np.asarray(r, dtype=float)
    v, g = extended(data, u0, u0 + 2 * float(np.max(r, initial=0.0)))
    F = plane_wave_profile(data, v, g)
    m = np.fft.fftfreq(len(data.phi), 1.0 / len(data.phi))
    out = np.zeros((len(r), len(m)), dtype=complex)
    for ir, rr in enumerate(r):
        n_a = max(16, 2 * int(np.ceil(np.pi * rr * points_per_step / data.h)))
        alpha = 2 * np.pi * np.arange(n_a // 2 + 1) / n_a
        wts = np.full(len(alpha), 2.0)
        wts[0] = wts[-1] = 1.0
        Fa = _interp(F, v, u0 + rr * (1 + np.cos(alpha)))
        out[ir] = (2 * np.pi / n_a) * ((wts[:, None] * np.cos(np.outer(alpha, m))) * Fa).sum(axis=0)
    return out, (v, g)


def first_cone_chi(data: IncomingData, u0: float, x: np.ndarray, phi: np.ndarray, R: float,
                   points_per_step: float = 2.0) -> np.ndarray:
    """chi = sqrt(r + R) psi on the first cone u = u0 at compactified x (r = R x / (1 - x)) and
    angles ``phi``: array (len(x), len(phi)); chi(x = 1) = psi0+(u0, phi) by (5).

    Parameters
    ----------
    data : the incoming table (checked by :func:`asymflat.incoming.table.check`).
    u0 : the cone's retarded time.  x : compactified radii in [0, 1].  phi : output angles.
    R : compactification scale.  points_per_step : alpha nodes per table step h along the cone.
    """
    x = np.asarray(x, dtype=float)
    finite = x < 1.0
    r = R * x[finite] / (1.0 - x[finite])
    modes, (v, g) = cone_modes(data, u0, r, points_per_step)
    m = np.fft.fftfreq(len(data.phi), 1.0 / len(data.phi))
    E = np.exp(1j * np.outer(m, np.asarray(phi, dtype=float)))
    chi = np.empty((len(x), len(phi)))
    chi[finite] = np.sqrt(R / (1.0 - x[finite]))[:, None] * np.real(modes @ E)
    if np.any(~finite):
        chi[~finite] = np.real(scri_plus_at(data, u0, v, g) @ E)[None, :]
    return chi
