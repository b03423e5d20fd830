"""Pointwise right-hand sides of the hypersurface equations in regularised variables.

With A := 2(1-x) chi_x - chi, b = beta/x^2, q = Qbar/x^3, c = chi_phi/x
(vertex-and-frame-notes.md section 1, exact algebra from bondi-equations.md (C1)-(C4)):

    (x d_x + 2) b = (pi G/R) A^2                                      (C1)
    (x d_x + 3) q = 8 pi G A (2 chi_{x phi} + c)                        (C2)
    d_x U        = e^{2 beta} [ (1-x) q - 2 R b_phi ] / R^2              (C3)
    d_x calW     = (e^{2 beta}/R) [ 8 pi G x c^2 + x q_phi + (1-x) x^3 q^2/(2R) ]   (C4)

with b(0), q(0) implied by the equations, U(0) = U_c(u, phi), calW(0) = -1 (section 4).
The kernels only evaluate right-hand sides from given arrays (fields and their derivatives), so
they can be fed analytic data (manufactured-solution test); :mod:`.phases` and :mod:`.pipeline`
do the solves (the pipelined stages inline the same operations).
All arrays are (Nx+1, Nphi) except x (Nx+1,).
"""
from __future__ import annotations

import math

from .._jit import jit


@jit
def beta_source(x, chi, chi_x, G, R, out):
    """out = (pi G / R) [2(1-x) chi_x - chi]^2 : right side of (x d_x + 2) b, (C1)."""
    n, m = chi.shape
    k = math.pi * G / R
    for j in range(n):
        s = 2.0 * (1.0 - x[j])
        for p in range(m):
            a = s * chi_x[j, p] - chi[j, p]
            out[j, p] = k * a * a


@jit
def qbar_source(x, chi, chi_x, chi_xp, c, G, out):
    """out = 8 pi G [2(1-x) chi_x - chi] (2 chi_{x phi} + c) : right side of (x d_x + 3) q, (C2)."""
    n, m = chi.shape
    k = 8.0 * math.pi * G
    for j in range(n):
        s = 2.0 * (1.0 - x[j])
        for p in range(m):
            a = s * chi_x[j, p] - chi[j, p]
            out[j, p] = k * a * (2.0 * chi_xp[j, p] + c[j, p])


@jit
def U_slope(x, e2b, q, b_p, R, out):
    """out = d_x U = e^{2 beta} [(1-x) q - 2 R b_phi] / R^2, (C3) with Qbar = x^3 q, beta = x^2 b."""
    n, m = q.shape
    iR2 = 1.0 / (R * R)
    for j in range(n):
        s = 1.0 - x[j]
        for p in range(m):
            out[j, p] = e2b[j, p] * (s * q[j, p] - 2.0 * R * b_p[j, p]) * iR2


@jit
def calW_slope(x, e2b, c, q, q_p, G, R, out):
    """out = d_x calW = (e^{2beta}/R)[8 pi G x c^2 + x q_phi + (1-x) x^3 q^2 / (2R)], (C4)."""
    n, m = q.shape
    k = 8.0 * math.pi * G
    for j in range(n):
        xj = x[j]
        s = (1.0 - xj) * xj ** 3 / (2.0 * R)
        for p in range(m):
            qq = q[j, p]
            out[j, p] = e2b[j, p] / R * (k * xj * c[j, p] * c[j, p] + xj * q_p[j, p] + s * qq * qq)
