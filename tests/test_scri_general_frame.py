"""Non-circular test of the frame layer: code-frame data that satisfy the *general-frame* flux laws.

The general-frame laws are the 1/r coefficients of E_uphi and E_uu at scri+ for arbitrary
beta0(u,phi), U0(u,phi) (bondi-equations.md §3.2), as derived by the reference script
``derive/02_asymptotics.py`` from the field equations (copied verbatim below from its pickle
``asymptotics_general.pkl``, run on this machine; dust f set to 0).  They relate W0 (V/r =
-2 r U0_phi + W0 + ...) and U2 (U = U0 + 2 e^{2 beta0} beta0_phi / r + U2 / r^2 + ...), i.e.
calW|scri = W0 + 2 d_phi^2 e^{2 beta0} and Qbar|scri = -2 e^{-2 beta0}[U2 + pi G d_phi(e^{2 beta0} psi0^2)].

We pick closed-form beta0, U0, psi0, integrate the two laws in u (DOP853, rtol 1e-12, spectral
phi), hand calW, Qbar to :func:`asymflat.scri.to_bondi_frame`, and require the *Bondi-frame* laws
(§3.3) to hold at design order.  Nothing of the §3.4 map is used to build the data, so this
tests the map, the transport and the resampling together against the field equations.
"""
from __future__ import annotations

import functools

import numpy as np
import pytest
import sympy as sp
from scipy.integrate import solve_ivp

from asymflat.scri import balance, flux_residuals_bondi, flux_residuals_code, to_bondi_frame
from asymflat.scri._numerics import dphi

E_UPHI = (
    "2*pi*G*U0(u, phi)*psi0(u, phi)**2*Derivative(beta0(u, phi), (phi, 2)) + 4*pi*G*U0(u, phi)*psi0(u"
    ", phi)*Derivative(beta0(u, phi), phi)*Derivative(psi0(u, phi), phi) + 2*pi*G*U0(u, phi)*psi0(u, "
    "phi)*Derivative(psi0(u, phi), (phi, 2)) - 6*pi*G*U0(u, phi)*Derivative(psi0(u, phi), phi)**2 + 4"
    "*pi*G*psi0(u, phi)**2*Derivative(U0(u, phi), phi)*Derivative(beta0(u, phi), phi) + 2*pi*G*psi0(u"
    ", phi)**2*Derivative(U0(u, phi), (phi, 2)) + 2*pi*G*psi0(u, phi)**2*Derivative(beta0(u, phi), ph"
    "i, u) + 4*pi*G*psi0(u, phi)*Derivative(beta0(u, phi), phi)*Derivative(psi0(u, phi), u) + 2*pi*G*"
    "psi0(u, phi)*Derivative(psi0(u, phi), phi, u) - 6*pi*G*Derivative(psi0(u, phi), phi)*Derivative("
    "psi0(u, phi), u) - 2*U0(u, phi)*U2(u, phi)*exp(-2*beta0(u, phi))*Derivative(beta0(u, phi), phi) "
    "+ U0(u, phi)*exp(-2*beta0(u, phi))*Derivative(U2(u, phi), phi) + 2*U2(u, phi)*exp(-2*beta0(u, ph"
    "i))*Derivative(U0(u, phi), phi) - 2*U2(u, phi)*exp(-2*beta0(u, phi))*Derivative(beta0(u, phi), u"
    ") + W0(u, phi)*Derivative(beta0(u, phi), phi) + 8*exp(2*beta0(u, phi))*Derivative(beta0(u, phi),"
    " phi)**3 + 4*exp(2*beta0(u, phi))*Derivative(beta0(u, phi), phi)*Derivative(beta0(u, phi), (phi,"
    " 2)) + Derivative(W0(u, phi), phi)/2 + exp(-2*beta0(u, phi))*Derivative(U2(u, phi), u)"
)
E_UU = (
    "-4*pi*G*U0(u, phi)**2*psi0(u, phi)**2*Derivative(beta0(u, phi), (phi, 2)) - 8*pi*G*U0(u, phi)**2"
    "*psi0(u, phi)*Derivative(beta0(u, phi), phi)*Derivative(psi0(u, phi), phi) - 4*pi*G*U0(u, phi)**"
    "2*psi0(u, phi)*Derivative(psi0(u, phi), (phi, 2)) + 4*pi*G*U0(u, phi)**2*Derivative(psi0(u, phi)"
    ", phi)**2 - 8*pi*G*U0(u, phi)*psi0(u, phi)**2*Derivative(U0(u, phi), phi)*Derivative(beta0(u, ph"
    "i), phi) - 4*pi*G*U0(u, phi)*psi0(u, phi)**2*Derivative(U0(u, phi), (phi, 2)) - 4*pi*G*U0(u, phi"
    ")*psi0(u, phi)**2*Derivative(beta0(u, phi), phi, u) - 8*pi*G*U0(u, phi)*psi0(u, phi)*Derivative("
    "U0(u, phi), phi)*Derivative(psi0(u, phi), phi) - 8*pi*G*U0(u, phi)*psi0(u, phi)*Derivative(beta0"
    "(u, phi), phi)*Derivative(psi0(u, phi), u) - 4*pi*G*U0(u, phi)*psi0(u, phi)*Derivative(psi0(u, p"
    "hi), phi, u) - 4*pi*G*U0(u, phi)*Derivative(psi0(u, phi), phi)*Derivative(psi0(u, phi), u) - 8*p"
    "i*G*f(u, phi) - 2*pi*G*psi0(u, phi)**2*Derivative(U0(u, phi), phi)**2 - 8*pi*G*psi0(u, phi)*Deri"
    "vative(U0(u, phi), phi)*Derivative(psi0(u, phi), u) - 8*pi*G*Derivative(psi0(u, phi), u)**2 + 4*"
    "U0(u, phi)**2*U2(u, phi)*exp(-2*beta0(u, phi))*Derivative(beta0(u, phi), phi) - 2*U0(u, phi)**2*"
    "exp(-2*beta0(u, phi))*Derivative(U2(u, phi), phi) - 4*U0(u, phi)*U2(u, phi)*exp(-2*beta0(u, phi)"
    ")*Derivative(U0(u, phi), phi) + 4*U0(u, phi)*U2(u, phi)*exp(-2*beta0(u, phi))*Derivative(beta0(u"
    ", phi), u) - U0(u, phi)*W0(u, phi)*Derivative(beta0(u, phi), phi) - 16*U0(u, phi)*exp(2*beta0(u,"
    " phi))*Derivative(beta0(u, phi), phi)**3 - 16*U0(u, phi)*exp(2*beta0(u, phi))*Derivative(beta0(u"
    ", phi), phi)*Derivative(beta0(u, phi), (phi, 2)) - 2*U0(u, phi)*exp(2*beta0(u, phi))*Derivative("
    "beta0(u, phi), (phi, 3)) - 3*U0(u, phi)*Derivative(W0(u, phi), phi)/2 - 2*U0(u, phi)*exp(-2*beta"
    "0(u, phi))*Derivative(U2(u, phi), u) - W0(u, phi)*Derivative(U0(u, phi), phi) + W0(u, phi)*Deriv"
    "ative(beta0(u, phi), u) - 8*exp(2*beta0(u, phi))*Derivative(U0(u, phi), phi)*Derivative(beta0(u,"
    " phi), phi)**2 - 4*exp(2*beta0(u, phi))*Derivative(U0(u, phi), phi)*Derivative(beta0(u, phi), (p"
    "hi, 2)) + exp(2*beta0(u, phi))*Derivative(U0(u, phi), (phi, 3)) - 8*exp(2*beta0(u, phi))*Derivat"
    "ive(beta0(u, phi), phi)*Derivative(beta0(u, phi), phi, u) - 2*exp(2*beta0(u, phi))*Derivative(be"
    "ta0(u, phi), (phi, 2), u) - Derivative(W0(u, phi), u)/2"
)

u, phi, G = sp.symbols("u phi G", real=True)


def _closed_forms(eps):
    """A non-circular strong-ish code frame: phi-dependent beta0 and U0 (not only m <= 1)."""
    beta0 = sp.Rational(3, 20) * sp.sin(phi) * sp.tanh(u) + sp.Rational(1, 20) * sp.cos(2 * phi - u / 2) * sp.exp(-u ** 2 / 4)
    U0 = sp.Rational(1, 10) * sp.sin(phi) * sp.cos(7 * u / 10) + sp.Rational(1, 50) * sp.cos(2 * phi) * sp.exp(-u ** 2 / 2) + sp.Rational(1, 20)
    psi0 = eps * sp.exp(-u ** 2) * (1 + sp.cos(phi - u) / 2 + sp.sin(2 * phi) / 5)
    return beta0, U0, psi0


@functools.lru_cache(maxsize=None)
def _system(Gv, eps):
    """Solve the general-frame laws for d_u U2 and d_u W0 and lambdify them."""
    F = {n: sp.Function(n) for n in ("W0", "U2", "U0", "beta0", "psi0", "f")}
    loc = dict(F, u=u, phi=phi, G=G, Derivative=sp.Derivative, exp=sp.exp, pi=sp.pi)
    Ep = sp.sympify(E_UPHI, locals=loc)
    Eu = sp.sympify(E_UU, locals=loc)
    W0, U2 = F["W0"](u, phi), F["U2"](u, phi)
    dU2 = sp.solve(Ep, sp.Derivative(U2, u))[0]
    dW0 = sp.solve(Eu.subs(sp.Derivative(U2, u), dU2), sp.Derivative(W0, u))[0]
    b0, U0, p0 = _closed_forms(sp.Rational(eps))
    known = {F["beta0"](u, phi): b0, F["U0"](u, phi): U0, F["psi0"](u, phi): p0, F["f"](u, phi): 0}
    syms = sp.symbols("W W_p U2s U2_p")
    rep = {sp.Derivative(W0, phi): syms[1], sp.Derivative(U2, phi): syms[3]}

    def prep(e):
        e = e.subs(rep).subs({W0: syms[0], U2: syms[2]}).subs(G, Gv)
        e = e.subs(known).doit()
        return sp.lambdify((u, phi) + tuple(syms), e, "numpy")

    def lam(e):
        f = sp.lambdify((u, phi), e, "numpy")
        return lambda a, b: np.broadcast_to(f(a, b), np.broadcast(a, b).shape).astype(float)

    e2b = sp.exp(2 * b0)
    return dict(dU2=prep(dU2), dW0=prep(dW0), beta0=lam(b0), U0=lam(U0), psi0=lam(p0),
                news=lam(sp.diff(p0, u)), d2e2b=lam(sp.diff(e2b, phi, 2)),
                dmatter=lam(sp.pi * Gv * sp.diff(e2b * p0 ** 2, phi)))


@functools.lru_cache(maxsize=None)
def general_frame_data(du, n=48, Gv=0.05, eps=0.4, u_start=-2.5, u_end=3.5):
    s = _system(Gv, eps)
    K = int(round((u_end - u_start) / du))
    uu = u_start + du * np.arange(K + 1)
    ph = 2 * np.pi * np.arange(n) / n

    def rhs(t, y):
        W, U2 = y[:n], y[n:]
        Wp, U2p = dphi(W), dphi(U2)
        return np.concatenate([s["dW0"](t, ph, W, Wp, U2, U2p) + 0 * ph, s["dU2"](t, ph, W, Wp, U2, U2p) + 0 * ph])

    b0s = s["beta0"](u_start, ph)
    calW0 = -1 + 0.1 * np.cos(ph)
    Qbar0 = 0.05 * np.sin(ph)
    W_init = calW0 - 2 * s["d2e2b"](u_start, ph)
    U2_init = -0.5 * np.exp(2 * b0s) * Qbar0 - s["dmatter"](u_start, ph)
    sol = solve_ivp(rhs, (u_start, uu[-1]), np.concatenate([W_init, U2_init]), method="DOP853",
                    t_eval=uu, rtol=1e-12, atol=1e-13)
    assert sol.success
    W, U2 = sol.y[:n].T, sol.y[n:].T
    Uu, P = np.meshgrid(uu, ph, indexing="ij")
    b0 = s["beta0"](Uu, P)
    calW = W + 2 * s["d2e2b"](Uu, P)
    Qbar = -2 * np.exp(-2 * b0) * (U2 + s["dmatter"](Uu, P))
    return dict(u=uu, beta0=b0, U0=s["U0"](Uu, P), calW=calW, Qbar=Qbar, psi0=s["psi0"](Uu, P),
                news_code=s["news"](Uu, P), G=Gv)


@functools.lru_cache(maxsize=None)
def _res(du, n=48):
    d = general_frame_data(du, n=n)
    r = to_bondi_frame(d["u"], d["beta0"], d["U0"], d["calW"], d["Qbar"], d["psi0"], d["news_code"], d["G"])
    fb = flux_residuals_bondi(r.time, r.mass_aspect, r.Nhat, r.psi0, r.news, d["G"], N=r.N)
    fc = flux_residuals_code(d["u"], d["U0"], r.on_code_grid, d["G"])
    fw = flux_residuals_code(d["u"], d["U0"], r.on_code_grid, d["G"], angular="code")
    bal = balance(r.time, r.mass_aspect, r.angular_momentum_aspect, r.news, r.psi0, d["G"])
    return dict(fb=fb, fc=fc, fw=fw, bal=bal, r=r, d=d)


def test_general_frame_data_satisfy_bondi_laws_after_the_map():
    """G = 0.05, eps = 0.4, n = 48, u in [-2.5, 3.5]; beta0 in [-0.16, 0.15], |U0| <= 0.13
    (m = 0, 1, 2), |A'/B'| <= 1.6; Theta_B from -0.72 down to -2.57, radiated energy 1.66.
    Relative residuals (largest terms 1.2 and 0.86), du = 0.1, 0.05, 0.025:
      Bondi grid   Theta 4.6e-4, 9.0e-6, 1.6e-7    Nhat 1.3e-4, 2.2e-6, 4.8e-8   (N alike)
      generators   Theta 6.1e-5, 1.1e-6, 1.7e-8    Nhat 4.3e-5, 7.4e-7, 1.9e-8
      fixed-code-time angular derivative (wrong): Nhat 0.77 at every du.
    Energy balance 9.5e-6, 1.6e-7, 2.6e-9; J balance 1.4e-6, 1.8e-8, 2.6e-10.
    At n = 32 the Nhat law floors at 8e-5 (calW has spectral tail 4e-4 at n = 32, 4e-6 at n = 48).
    """
    a, b = _res(0.1), _res(0.05)
    for src in ("fb", "fc"):
        for k in ("rel_Theta", "rel_Nhat"):
            assert b[src][k] < 3e-5, (src, k, b[src][k])
            assert np.log2(a[src][k] / b[src][k]) > 3.5, (src, k, a[src][k], b[src][k])
    assert b["fb"]["rel_N"] < 3e-5
    assert np.max(np.abs(b["bal"]["E_balance"])) < 1e-6
    assert np.max(np.abs(b["bal"]["J_balance"])) < 1e-6
    # the fixed-code-time angular derivative does not converge
    assert b["fw"]["rel_Nhat"] > 0.3 and abs(np.log2(a["fw"]["rel_Nhat"] / b["fw"]["rel_Nhat"])) < 0.2


@pytest.mark.slow
def test_general_frame_fine():
    a, b = _res(0.05), _res(0.025)
    for src in ("fb", "fc"):
        for k in ("rel_Theta", "rel_Nhat"):
            assert b[src][k] < 3e-7 and np.log2(a[src][k] / b[src][k]) > 3.5, (src, k)
