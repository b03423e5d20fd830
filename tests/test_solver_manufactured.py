"""Manufactured-solution test of the characteristic kernels against sympy's E_ab and box(psi).

Smooth analytic beta, U, V, psi of (u, r, phi) -- NOT solutions -- are fed (with their analytic
derivatives) to the pointwise kernels of solvers.characteristic; the residuals the kernels imply
must equal the exact identities of bondi-equations.md sections 1-2, term by term, to round-off:

    x [ (x d_x + 2) b - beta_source ]          = (dr/dx) (r/2) E_rr                        (C1)/(H1)
    x^2 [ (x d_x + 3) q - qbar_source ]        = (dr/dx) [2 r E_rphi + 2 r^2 d_phi E_rr]   (C2)/(H2)
    U_slope                                  = d_x U   (definition of Qbar)              (C3)
    d_x calW - calW_slope                       = (dr/dx) e^{2 beta} E_phiphi / r           (C4)/(H3)
    (2x d_x + 1) chi_u - S_chi               = -(r (r+R)^{3/2} e^{2 beta} / R) box psi   (C5)

with S_chi = d_x F + rest from wave_flux / wave_source_rest (and the expanded wave_source).
E_ab and box come from tests/support/bondi_sympy.py (an independent Ricci computation).
"""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from solvers.characteristic.wave import wave_flux, wave_source, wave_source_rest
from solvers.characteristic.hypersurface import U_slope, beta_source, calW_slope, qbar_source
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from support.bondi_sympy import box, einstein_residuals  # noqa: E402

uu, rr, pp = sp.symbols("u r phi", real=True)
xs = sp.symbols("x", positive=True)
Rv, Gv = sp.Rational(13, 10), sp.Rational(7, 10)


def _fields():
    beta = sp.Rational(1, 5) * rr**2 * (1 + sp.Rational(3, 10) * sp.sin(pp)) / (1 + rr**2) \
        + sp.Rational(1, 10) * uu * rr / (1 + rr)
    U = sp.Rational(1, 10) * sp.cos(pp) / (1 + rr) + sp.Rational(1, 20) * uu * sp.sin(2 * pp) * rr / (1 + rr**2)
    V = -rr + sp.Rational(3, 10) * rr**2 * sp.sin(pp) / (1 + rr) + sp.Rational(1, 10) * uu * rr
    psi = sp.Rational(1, 2) * sp.cos(pp) * rr / (1 + rr**2) + sp.Rational(1, 5) * sp.sin(uu + pp) / sp.sqrt(1 + rr)
    return beta, U, V, psi


@pytest.fixture(scope="module")
def data():
    beta, U, V, psi = _fields()
    E = einstein_residuals(beta, U, V, psi, uu, rr, pp, Gv)
    bx = box(psi, beta, U, V, uu, rr, pp)
    rx = Rv * xs / (1 - xs)
    sub = {rr: rx}
    # fields as functions of (u, x, phi)
    B = beta.subs(sub)
    Ux = U.subs(sub)
    Wc = (V / rr + 2 * rr * sp.diff(U, pp)).subs(sub)
    chi = (sp.sqrt(rr + Rv) * psi).subs(sub)
    Qbar = (rr**3 * sp.exp(-2 * beta) * sp.diff(U, rr) + 2 * rr * sp.diff(beta, pp)).subs(sub)
    b = B / xs**2
    q = Qbar / xs**3
    c = sp.diff(chi, pp) / xs
    drdx = Rv / (1 - xs) ** 2
    exprs = {
        "chi": chi, "chi_x": sp.diff(chi, xs), "chi_xx": sp.diff(chi, xs, 2), "chi_p": sp.diff(chi, pp),
        "chi_xp": sp.diff(chi, xs, pp), "c": c, "c_p": sp.diff(c, pp), "b": b, "b_x": sp.diff(b, xs),
        "b_p": sp.diff(b, pp), "q": q, "q_x": sp.diff(q, xs), "q_p": sp.diff(q, pp), "e2b": sp.exp(2 * B),
        "U": Ux, "U_x": sp.diff(Ux, xs), "U_p": sp.diff(Ux, pp), "U_xp": sp.diff(Ux, xs, pp),
        "W": Wc, "W_x": sp.diff(Wc, xs), "chi_u": sp.diff(chi, uu), "chi_ux": sp.diff(chi, uu, xs),
        "Err": (E["rr"]).subs(sub), "Erp": E["rphi"].subs(sub), "Erp_rr_p": sp.diff(E["rr"], pp).subs(sub),
        "Epp": E["phiphi"].subs(sub), "box": bx.subs(sub), "r": rx, "drdx": drdx,
    }
    # F = -(1/R) x(1-x)^2 W chi_x + 2 x^2 (1-x) U_phi chi_x  and its analytic x-derivative
    F = -xs * (1 - xs) ** 2 * Wc * sp.diff(chi, xs) / Rv + 2 * xs**2 * (1 - xs) * sp.diff(Ux, pp) * sp.diff(chi, xs)
    exprs["F"] = F
    exprs["F_x"] = sp.diff(F, xs)
    # sample points: x in (0.05, 0.95), several phi, u = 0.37
    xv = np.linspace(0.05, 0.95, 7)
    pv = np.linspace(0, 2 * np.pi, 6, endpoint=False) + 0.1
    X, P = np.meshgrid(xv, pv, indexing="ij")
    out = {}
    for k, e in exprs.items():
        f = sp.lambdify((uu, xs, pp), e, "numpy")
        out[k] = np.ascontiguousarray(np.broadcast_to(np.asarray(f(0.37, X, P), dtype=float), X.shape))
    out["x"] = xv
    return out


def _close(a, b, scale):
    assert np.all(np.isfinite(a)) and np.all(np.isfinite(b))
    err = np.abs(a - b).max()
    assert err <= 1e-11 * max(1.0, scale), (err, scale)


def test_h1_matches_Err(data):
    d = data
    G, R = float(Gv), float(Rv)
    src = np.empty_like(d["chi"])
    beta_source(d["x"], d["chi"], d["chi_x"], G, R, src)
    x = d["x"][:, None]
    lhs = x * (x * d["b_x"] + 2 * d["b"] - src)
    rhs = d["drdx"] * d["r"] / 2 * d["Err"]
    assert np.abs(rhs).max() > 1e-3  # the fields are not a solution
    _close(lhs, rhs, np.abs(rhs).max())


def test_h2_matches_Erphi(data):
    d = data
    G = float(Gv)
    src = np.empty_like(d["chi"])
    qbar_source(d["x"], d["chi"], d["chi_x"], d["chi_xp"], d["c"], G, src)
    x = d["x"][:, None]
    lhs = x**2 * (x * d["q_x"] + 3 * d["q"] - src)
    rhs = d["drdx"] * (2 * d["r"] * d["Erp"] + 2 * d["r"] ** 2 * d["Erp_rr_p"])
    assert np.abs(rhs).max() > 1e-3
    _close(lhs, rhs, np.abs(rhs).max())


def test_u_slope_is_definition_of_Qbar(data):
    d = data
    out = np.empty_like(d["chi"])
    U_slope(d["x"], d["e2b"], d["q"], d["b_p"], float(Rv), out)
    _close(out, d["U_x"], np.abs(d["U_x"]).max())


def test_w_slope_matches_Ephiphi(data):
    d = data
    out = np.empty_like(d["chi"])
    calW_slope(d["x"], d["e2b"], d["c"], d["q"], d["q_p"], float(Gv), float(Rv), out)
    lhs = d["W_x"] - out
    rhs = d["drdx"] * d["e2b"] * d["Epp"] / d["r"]
    assert np.abs(rhs).max() > 1e-3
    _close(lhs, rhs, np.abs(rhs).max())


def test_wave_source_matches_box(data):
    d = data
    R = float(Rv)
    rest = np.empty_like(d["chi"])
    wave_source_rest(d["x"], d["chi"], d["chi_x"], d["chi_p"], d["chi_xp"], d["c"], d["c_p"], d["W"],
                     d["W_x"], d["U"], d["U_x"], d["U_p"], d["U_xp"], d["e2b"], d["b_p"], R, rest)
    F = np.empty_like(d["chi"])
    wave_flux(d["x"], d["chi_x"], d["W"], d["U_p"], R, F)
    _close(F, d["F"], np.abs(d["F"]).max())
    full = np.empty_like(d["chi"])
    wave_source(d["x"], d["chi"], d["chi_x"], d["chi_xx"], d["chi_p"], d["chi_xp"], d["c"], d["c_p"],
                d["W"], d["W_x"], d["U"], d["U_x"], d["U_p"], d["U_xp"], d["e2b"], d["b_p"], R, full)
    x = d["x"][:, None]
    lhs_op = 2 * x * d["chi_ux"] + d["chi_u"]
    r = d["r"]
    rhs = -(r * (r + R) ** 1.5 * d["e2b"] / R) * d["box"]
    assert np.abs(rhs).max() > 1e-3
    _close(lhs_op - (d["F_x"] + rest), rhs, np.abs(rhs).max())
    _close(lhs_op - full, rhs, np.abs(rhs).max())
