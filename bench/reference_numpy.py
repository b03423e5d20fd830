"""Plain-numpy reference of one characteristic RK4 step (the "obvious implementation").

Same discretisation as :mod:`solvers.characteristic` (same operator arrays from
:class:`~solvers.characteristic.operators.Operators`), written the way one would first write it in
numpy: every operation vectorised over phi and x (``np.fft.rfft``/``irfft`` along phi, stencils as
gathers along x, pointwise sources as array expressions), with a Python loop over x only where a
radial ODE is marched (the banded LU solves of (x d_x + k) y = s).  The cumulative quadratures are
``np.cumsum`` of per-interval weights.

With ``solver.dealias`` the pointwise stage runs on the padded phi grid of the solver's
:class:`~solvers.characteristic.dealias.PadWorkspace` (chi interpolated by zero-padding its Fourier
modes, chi_u truncated back before the projection), as :func:`~solvers.characteristic.dealias.rhs_pad`.

It allocates freely and makes no attempt at speed: it is the baseline the numba kernels are
measured against (``python -m bench``) and the oracle they are tested against to 1e-12
(tests/test_bench_reference.py).
"""
from __future__ import annotations

import numpy as np

from solvers.characteristic import CharacteristicSolver
from solvers.characteristic.layout import D2_MODE


class ReferenceStep:
    """rhs and RK4 step of the characteristic system in plain numpy, for one solver's grid."""

    def __init__(self, solver: "CharacteristicSolver"):
        op = solver.op
        (self.x, self.d1s, self.d1c, self.d2s, self.d2c, self.ab, self.piv, self.qs, self.qw,
         self.km, self.sig, self.jm, self.sw, _axes, self.wc, self.kl, self.ku) = op.ops[:17]
        self.n = solver.nx + 1
        self.nphi = solver.nphi
        self.G, self.R, self.uc, self.filter = solver.G, solver.R, solver.uc, solver.filter
        self.dealias = getattr(solver, "dealias", False)
        if self.dealias:
            pw = solver.padws
            self.nphi_f, self.uc_f = pw.nphi, pw.uc
            self.km_f = pw.op.ops[9]
        n = self.n
        # gather indices of the x stencils / quadrature (entries with zero weight are clipped)
        self._d1i = np.minimum(self.d1s[:, None] + np.arange(self.d1c.shape[1]), n - 1)
        self._d2i = np.minimum(self.d2s[:, None] + np.arange(self.d2c.shape[1]), n - 1)
        self._qi = self.qs[:, None] + np.arange(self.qw.shape[1])
        self.X = self.x[:, None]
        self.fields: dict[str, np.ndarray] = {}

    # -- operators --------------------------------------------------------------------------
    def d1(self, f):
        return np.einsum("jk,jkp->jp", self.d1c, f[self._d1i])

    def d2(self, f):
        return np.einsum("jk,jkp->jp", self.d2c, f[self._d2i])

    def dphi(self, f, order=1):
        nphi = f.shape[1]
        km = np.arange(nphi // 2 + 1, dtype=float)
        hat = np.fft.rfft(f, axis=1)
        hat *= (1j * km) ** order
        hat[:, -1] = 0.0
        return np.fft.irfft(hat, n=nphi, axis=1)

    @staticmethod
    def resample(f, nphi_new):
        """Zero-padding / truncation of the Fourier modes |m| < min(Nphi, nphi_new)/2."""
        nphi = f.shape[1]
        hat = np.fft.rfft(f, axis=1)
        k = min(nphi, nphi_new) // 2
        out = np.zeros((f.shape[0], nphi_new // 2 + 1), dtype=complex)
        out[:, :k] = hat[:, :k]
        return np.fft.irfft(out, n=nphi_new, axis=1) * (nphi_new / nphi)

    def cumint(self, f, f0):
        inc = np.einsum("jk,jkp->jp", self.qw, f[self._qi])
        return f0[None, :] + np.concatenate([np.zeros((1, f.shape[1])), np.cumsum(inc, axis=0)])

    def band_solve(self, i, s):
        """(k I + X D1) y = s (LAPACK dgbtrs on the factors), marched over x, vectorised in phi."""
        ab, piv, kl, ku = self.ab[i], self.piv[i], self.kl, self.ku
        b = s.copy()
        n = b.shape[0]
        kv = kl + ku
        for j in range(n - 1):
            lm = min(kl, n - 1 - j)
            l = piv[j]
            if l != j:
                b[[j, l]] = b[[l, j]]
            b[j + 1:j + 1 + lm] -= ab[kv + 1:kv + 1 + lm, j, None] * b[j]
        for j in range(n - 1, -1, -1):
            b[j] /= ab[kv, j]
            i0 = max(0, j - kv)
            b[i0:j] -= ab[kv + i0 - j:kv, j, None] * b[j]
        return b

    def project(self, f):
        """Filter (if on) + per-mode regularity slaving, vectorised over modes."""
        hat = np.fft.rfft(f, axis=1)
        if self.filter:
            hat *= self.sig
        n, nh = hat.shape
        jm = self.jm
        jmax = self.sw.shape[1]
        modes = np.arange(nh)
        live = (jm > 0) & (jm < n)
        j0 = np.where(live, jm, 0)
        a = np.stack([hat[np.minimum(j0 + i, n - 1), modes] for i in range(3)])  # (3, nh)
        slaved = np.einsum("mji,im->jm", self.sw, a)  # (jmax, nh)
        rows = np.arange(jmax)[:, None]
        mask = live[None, :] & (rows < jm[None, :])
        top = hat[:jmax]
        top[mask] = slaved[mask]
        hat[:, jm >= n] = 0.0
        return np.fft.irfft(hat, n=self.nphi, axis=1)

    # -- the step ---------------------------------------------------------------------------
    def rhs(self, chi):
        """chi_u on the cone of ``chi``; hypersurface fields left in ``self.fields``."""
        if self.dealias:
            out = self.resample(self.rhs_core(self.resample(chi, self.nphi_f), self.uc_f),
                                self.nphi)
            self.fields = {k: self.resample(v, self.nphi) for k, v in self.fields.items()}
            return self.project(out)
        return self.project(self.rhs_core(chi, self.uc))

    def rhs_core(self, chi, uc):
        """S/2 solved for chi_u, before the projection (on chi's phi grid; ``uc`` on it)."""
        X, R, G = self.X, self.R, self.G
        n, m = chi.shape
        wc = -np.ones(m)
        chi_x = self.d1(chi)
        chi_p = self.dphi(chi)
        chi_pp = self.dphi(chi, 2)
        chi_xp = self.d1(chi_p)
        c = np.empty_like(chi)
        c_p = np.empty_like(chi)
        c[1:] = chi_p[1:] / X[1:]
        c_p[1:] = chi_pp[1:] / X[1:]
        c[0] = chi_xp[0]
        c_p[0] = self.d1c[0] @ chi_pp[self._d1i[0]]
        if G != 0.0:
            A = 2.0 * (1.0 - X) * chi_x - chi
            b = self.band_solve(0, (np.pi * G / R) * A * A)
            e2b = np.exp(2.0 * X * X * b)
            b_p = self.dphi(b)
            q = self.band_solve(1, 8.0 * np.pi * G * A * (2.0 * chi_xp + c))
            q_p = self.dphi(q)
            U_x = e2b * ((1.0 - X) * q - 2.0 * R * b_p) / (R * R)
            U = self.cumint(U_x, uc)
            W_x = e2b / R * (8.0 * np.pi * G * X * c * c + X * q_p
                             + (1.0 - X) * X**3 / (2.0 * R) * q * q)
            W = self.cumint(W_x, wc)
            U_xp = self.dphi(U_x)
        else:
            z = np.zeros_like(chi)
            b, b_p, q, q_p, U_x, U_xp, W_x = z, z, z, z, z, z, z
            e2b = np.ones_like(chi)
            U = np.broadcast_to(uc, chi.shape).copy()
            W = -np.ones_like(chi)
        U_p = self.dphi(U)
        xj, om, x2 = X, 1.0 - X, X * X
        rest = (0.25 / R * (2.0 * (1.0 - 2.0 * xj) * W + 2.0 * xj * om * W_x + xj * W) * chi
                - (2.0 * xj * U_p + x2 * U_xp) * chi + 0.5 * xj * U_p * chi
                - U * chi_p - xj * U_x * chi_p - 2.0 * xj * U * chi_xp - xj * U_p * chi_x
                + e2b / R * (2.0 * x2 * b_p * c + c_p))
        if D2_MODE == 2:
            flux = (-xj * om**2 / R * W + 2.0 * x2 * om * U_p) * chi_x
            S = rest + self.d1(flux)
        else:
            chi_xx = self.d1(chi_x) if D2_MODE == 1 else self.d2(chi)
            S = (rest - (om * (1.0 - 3.0 * xj) * W * chi_x + xj * om**2 * W_x * chi_x
                         + xj * om**2 * W * chi_xx) / R
                 + 2.0 * ((2.0 * xj - 3.0 * x2) * U_p * chi_x + x2 * om * U_xp * chi_x
                          + x2 * om * U_p * chi_xx))
        out = self.band_solve(2, 0.5 * S)
        self.fields = {"b": b, "q": q, "U": U, "calW": W, "b_phi": b_p, "q_phi": q_p,
                       "U_x": U_x, "calW_x": W_x}
        return out

    def step(self, chi, dt):
        """One classical RK4 step; returns the new chi (and leaves the last stage's fields)."""
        k1 = self.rhs(chi)
        k2 = self.rhs(chi + 0.5 * dt * k1)
        k3 = self.rhs(chi + 0.5 * dt * k2)
        k4 = self.rhs(chi + dt * k3)
        return chi + dt / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)


def random_regular_chi(solver, seed: int = 0, kx: int = 6, kphi: int | None = None) -> np.ndarray:
    """Random smooth-ish chi on the solver's grid, projected onto the vertex-regular subspace.

    Random coefficients of cos/sin(k pi x) x Fourier modes in phi with geometrically decaying
    amplitudes, then ``solver.project`` (filter + regularity slaving).
    """
    rng = np.random.default_rng(seed)
    x, phi = solver.x, solver.phi
    kphi = kphi if kphi is not None else max(2, solver.nphi // 4)
    chi = np.zeros((len(x), len(phi)))
    for k in range(kx):
        fx = np.cos(k * np.pi * x) if k % 2 == 0 else np.sin(k * np.pi * x)
        for mm in range(kphi + 1):
            a, b = rng.standard_normal(2) * 0.6 ** (k + mm)
            chi += fx[:, None] * (a * np.cos(mm * phi) + b * np.sin(mm * phi))[None, :]
    return solver.project(chi)
