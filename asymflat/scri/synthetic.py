"""Exact and manufactured code-frame scri+ data for testing the frame layer (no solver needed).

Each generator returns a dict with the code-frame samples that the solver will provide
(``u, beta0, U0, calW, Qbar, psi0, news_code``, arrays ``(K+1, n)``) plus what is known exactly.

* :func:`accelerated_vertex_minkowski` -- bondi-equations.md §6 (a'): flat space seen from a
  rotating, accelerated vertex.  ``beta = 0``, ``U = omega(u) + a1(u) sin phi - a2(u) cos phi``,
  ``V = -r - 2 r^2 (a1 cos phi + a2 sin phi)`` is vacuum for arbitrary functions of u
  (tests/test_scri_sympy.py checks all six E_ab); hence ``U0 = U``, ``calW = V/r + 2 r U_phi = -1``,
  ``Q = r^3 e^{-2beta} U_r = 0``, ``Qbar = Q + 2 r beta_phi = 0``, ``psi0 = 0``.
  Exact Bondi frame: Theta_B = -1, Xi = 0 (the transport B is a Moebius map of the circle and
  the first cut is the light cone of a point).
* :func:`circular_c1` -- §6 (c1): ``beta0(u)`` closed form, ``U0 = 0``, ``calW = -1``,
  ``Qbar = 0``, ``psi0 = eps Re[(-2(u - i a))^{-1/2}]``; exact ``Theta_B = -e^{-2 beta0}``,
  ``A = u_start + int e^{2 beta0} du``.
* :func:`manufactured_strong_field` -- Bondi-frame data that satisfy the Bondi laws (§3.3)
  exactly (Theta and Nhat integrated from the laws by Gauss-Legendre quadrature to round-off),
  a non-trivial frame ``(A, B)`` in closed form with ``A(u_start) = u_start``, ``B(u_start) = phi``,
  and the code-frame data obtained by inverting §3.4:

      U0 = -B_u / B',    e^{2 beta0} = (A_u + U0 A') / B',
      psi0 = sqrt(B') psi~0(A, B),   news_code = sqrt(B')(psi~_u A_u + psi~_phi B_u) + psi~0 B'_u / (2 sqrt(B')),
      calW = e^{2 beta0} [ B'^2 Theta_B(A, B) - 2 {B; phi} ],
      Qbar = 2 B'^2 [ Nhat_B(A, B) + (A'/B') Theta_B - D^2(A'/B') - 2 pi G psi~0^2 D ln B' ].

  (Requires sympy at call time for the closed-form derivatives of the frame.)
"""
from __future__ import annotations

import numpy as np

from ._numerics import phi_grid

__all__ = ["accelerated_vertex_minkowski", "circular_c1", "c1_beta0", "manufactured_strong_field"]


def _grid(u_start, u_end, du, n):
    K = int(round((u_end - u_start) / du))
    u = u_start + du * np.arange(K + 1)
    phi = phi_grid(n)
    U, P = np.meshgrid(u, phi, indexing="ij")
    return u, phi, U, P


def accelerated_vertex_minkowski(du, n=48, u_start=0.0, u_end=4.0, omega=None, a1=None, a2=None):
    """(a') data; ``omega, a1, a2`` are callables of u (defaults: bounded oscillations)."""
    omega = omega or (lambda t: 0.3 * np.sin(t))
    a1 = a1 or (lambda t: 0.2 * np.cos(0.9 * t))
    a2 = a2 or (lambda t: 0.15 * np.sin(1.3 * t))
    u, phi, U, P = _grid(u_start, u_end, du, n)
    U0 = omega(U) + a1(U) * np.sin(P) - a2(U) * np.cos(P)
    z = np.zeros_like(U)
    return dict(u=u, phi=phi, beta0=z, U0=U0, calW=z - 1.0, Qbar=z.copy(), psi0=z.copy(),
                news_code=z.copy())


def c1_beta0(u, G, eps, a):
    """``beta0(u) = (pi G eps^2/2a^2)(1 - u/sqrt(u^2+a^2)) - (pi G eps^2/4)(u^2-a^2)/(u^2+a^2)^2`` (§6 (c1))."""
    u = np.asarray(u, dtype=float)
    return (np.pi * G * eps ** 2 / (2 * a ** 2)) * (1 - u / np.sqrt(u ** 2 + a ** 2)) \
        - (np.pi * G * eps ** 2 / 4) * (u ** 2 - a ** 2) / (u ** 2 + a ** 2) ** 2


def circular_c1(du, n=8, G=0.1, eps=1.0, a=1.0, u_start=-6.0, u_end=6.0):
    """(c1) data; also returns exact callables ``beta0_of_u``, ``psi0_of_u``, ``news_of_u``."""
    u, phi, U, P = _grid(u_start, u_end, du, n)
    s = -2.0 * (U - 1j * a)
    z = np.zeros_like(U)
    return dict(u=u, phi=phi, beta0=c1_beta0(U, G, eps, a), U0=z, calW=z - 1.0, Qbar=z.copy(),
                psi0=eps * np.real(s ** -0.5), news_code=eps * np.real(s ** -1.5),
                beta0_of_u=lambda t: c1_beta0(t, G, eps, a),
                psi0_of_u=lambda t: eps * np.real((-2.0 * (np.asarray(t) - 1j * a)) ** -0.5),
                news_of_u=lambda t: eps * np.real((-2.0 * (np.asarray(t) - 1j * a)) ** -1.5))


class _StrongField:
    """Closed-form ingredients of :func:`manufactured_strong_field` (sympy -> numpy)."""

    def __init__(self, G, eps, u_start, frame_amp, omega, uc, w):
        import sympy as sp

        self.G, self.u_start = G, u_start
        ut, pt, u, p = sp.symbols("ut pt u p", real=True)
        # Bondi-frame radiation field psi~0(ut, pt): a rotating, non-symmetric pulse
        g = sp.exp(-((ut - uc) / w) ** 2)
        psi = eps * g * (1 + sp.Rational(3, 5) * sp.cos(pt - omega * ut) + sp.Rational(3, 10) * sp.sin(2 * pt + sp.Rational(2, 5)))
        th0 = -1 + sp.Rational(3, 20) * sp.cos(pt) + sp.Rational(1, 20) * sp.sin(2 * pt)
        nh0 = sp.Rational(1, 10) * sp.sin(pt) - sp.Rational(1, 25) * sp.cos(2 * pt)
        psi_u, psi_p = sp.diff(psi, ut), sp.diff(psi, pt)
        L = lambda e: sp.lambdify((ut, pt), e, "numpy")  # noqa: E731
        self.psi, self.psi_u, self.psi_p = L(psi), L(psi_u), L(psi_p)
        self.q1 = L(psi_u ** 2)                       # Theta integrand
        self.q1p = L(sp.diff(psi_u ** 2, pt))         # its phi derivative
        self.q2 = L(psi_u * psi_p)
        self.q1pp = L(sp.diff(psi_u ** 2, pt, 2))
        self.th0 = L(th0 + 0 * ut)
        self.th0p = L(sp.diff(th0, pt) + 0 * ut)
        self.th0pp = L(sp.diff(th0, pt, 2) + 0 * ut)
        self.nh0 = L(nh0 + 0 * ut)
        self.nh0p = L(sp.diff(nh0, pt) + 0 * ut)
        # the frame: B = p + s(u) b(p), A = u + s(u) alpha(p), s = frame_amp * tanh((u - u_start)/2)
        s = frame_amp * sp.tanh((u - u_start) / 2)
        b = sp.Rational(1, 4) * sp.sin(p) + sp.Rational(2, 25) * sp.cos(2 * p)
        al = sp.Rational(3, 10) * sp.cos(p) + sp.Rational(1, 10) * sp.sin(2 * p) + sp.Rational(1, 5)
        B = p + s * b
        A = u + s * al
        Bp = sp.diff(B, p)
        U0 = -sp.diff(B, u) / Bp
        e2b = (sp.diff(A, u) + U0 * sp.diff(A, p)) / Bp
        ell = sp.diff(A, p) / Bp
        Dl = lambda e: sp.diff(e, p) / Bp  # noqa: E731
        schw = sp.diff(B, p, 3) / Bp - sp.Rational(3, 2) * (sp.diff(B, p, 2) / Bp) ** 2
        F = lambda e: sp.lambdify((u, p), e + 0 * u, "numpy")  # noqa: E731
        self.A, self.B, self.Bp, self.U0, self.e2b = F(A), F(B), F(Bp), F(U0), F(e2b)
        self.A_u, self.B_u, self.Bp_u = F(sp.diff(A, u)), F(sp.diff(B, u)), F(sp.diff(Bp, u))
        self.ell, self.DDell, self.schw = F(ell), F(Dl(Dl(ell))), F(schw)
        self.DlnBp = F(Dl(sp.log(Bp)))
        self.x, self.wq = np.polynomial.legendre.leggauss(96)

    def _quad(self, f, ut, pt, kernel=None):
        ut = np.asarray(ut, dtype=float)[..., None]
        pt = np.asarray(pt, dtype=float)[..., None]
        h = 0.5 * (ut - self.u_start)
        s = self.u_start + h * (self.x + 1.0)
        val = f(s, pt)
        if kernel is not None:
            val = val * (ut - s)
        return np.sum(self.wq * val * h, axis=-1)

    def bondi(self, ut, pt):
        """Exact Bondi-frame data at (ut, pt): Theta, Theta', Nhat, psi~0, news, psi~0', N, Xi."""
        c = 16 * np.pi * self.G
        th = self.th0(ut, pt) - c * self._quad(self.q1, ut, pt)
        thp = self.th0p(ut, pt) - c * self._quad(self.q1p, ut, pt)
        nh = (self.nh0(ut, pt) + 0.5 * (ut - self.u_start) * self.th0p(ut, pt)
              - 8 * np.pi * self.G * self._quad(self.q1p, ut, pt, kernel=True)
              - 8 * np.pi * self.G * self._quad(self.q2, ut, pt))
        ps, pu, pp = self.psi(ut, pt), self.psi_u(ut, pt), self.psi_p(ut, pt)
        N = nh + 2 * np.pi * self.G * ps * pp
        return dict(Theta=th, Theta_p=thp, Nhat=nh, psi0=ps, news=pu, psi0_p=pp, N=N,
                    Xi=N - 0.5 * ut * thp)


def manufactured_strong_field(du, n=48, G=0.05, eps=0.3, u_start=-3.0, u_end=5.0,
                              frame_amp=1.0, omega=0.8, uc=0.5, w=1.0):
    """Manufactured code-frame data (module docstring); returns the samples and ``exact``, a
    callable ``exact(ut, pt) -> dict`` of the Bondi-frame data (Theta, Nhat, N, Xi, psi0, news,
    Theta_p, psi0_p) at arbitrary Bondi points, plus ``frame(u, phi) -> (A, B)``."""
    sf = _StrongField(G, eps, u_start, frame_amp, omega, uc, w)
    u, phi, U, P = _grid(u_start, u_end, du, n)
    A, B, Bp = sf.A(U, P), sf.B(U, P), sf.Bp(U, P)
    e2b = sf.e2b(U, P)
    if np.any(e2b <= 0) or np.any(Bp <= 0):
        raise ValueError("manufactured frame is not admissible (e^{2 beta0} or B' <= 0)")
    ex = sf.bondi(A, B)
    ps, pu, pp = ex["psi0"], ex["news"], ex["psi0_p"]
    sq = np.sqrt(Bp)
    psi0 = sq * ps
    news_code = sq * (pu * sf.A_u(U, P) + pp * sf.B_u(U, P)) + ps * sf.Bp_u(U, P) / (2 * sq)
    calW = e2b * (Bp ** 2 * ex["Theta"] - 2 * sf.schw(U, P))
    ell = sf.ell(U, P)
    Qbar = 2 * Bp ** 2 * (ex["Nhat"] + ell * ex["Theta"] - sf.DDell(U, P)
                          - 2 * np.pi * G * ps ** 2 * sf.DlnBp(U, P))
    return dict(u=u, phi=phi, beta0=0.5 * np.log(e2b), U0=sf.U0(U, P), calW=calW, Qbar=Qbar,
                psi0=psi0, news_code=news_code, exact=sf.bondi,
                frame=lambda uu, pp_: (sf.A(uu, pp_), sf.B(uu, pp_)))
