"""Non-axisymmetric exact flat-space scalar field and its O(G) metric response (solution (c2)).

Reference: ``bondi-equations.md`` §6 (c2), §1.1 (H1-H3), §1.5 (vertex-frame boundary values).

With s = u - i a (a > 0), b >= 0, p = s + b cos(phi), Sigma0 = b^2 - s^2 and
Sigma = Sigma0 - 2 r p,

    psi = eps Re[Sigma^{-1/2}]

solves the flat wave equation -2 r psi_ur - psi_u + d_r(r psi_r) + psi_phiphi / r = 0 exactly and
is smooth for real u, r >= 0.  At first order in G (psi = O(1), metric perturbation O(G)), with
the vertex-frame conditions beta(0) = Qbar(0) = U(0) = 0, calW(0) = -1:

    beta1(r)  = int_0^r 4 pi G s psi_s^2 ds                               (closed form below)
    Qbar1(r)  = int_0^r 16 pi G s psi_s (2 s psi_{s phi} + psi_phi) ds
    U1(r)     = int_0^r [Qbar - 2 r' beta_phi] / r'^3 dr'
              = int_0^r { Qbar_s [1/(2s^2) - 1/(2r^2)] - 2 beta_{phi s} [1/s - 1/r] } ds
    W1(r)     = calW + 1 = int_0^r { 8 pi G psi_phi^2 / s + (Qbar_s)_phi [1/s - 1/r] } ds

(the second forms follow by exchanging the order of integration; they are single integrals with
bounded integrands).  The quadratures are done in x = r/(R + r) with composite Gauss--Legendre
rules, vectorised over the (x, phi) grid; they are exact to ~1e-13 for moderate a.
"""
from __future__ import annotations

import numpy as np

__all__ = ["psi", "psi_derivatives", "psi0_plus", "beta1", "beta1_scri", "first_order_fields"]


def _setup(u, r, phi, a, b):
    s = np.asarray(u, dtype=float) - 1j * a
    p = s + b * np.cos(phi)
    S0 = b**2 - s**2
    Sig = S0 - 2.0 * np.asarray(r, dtype=float) * p
    return s, p, S0, Sig


def psi(u, r, phi, eps, a, b):
    """psi = eps Re[(b^2 - s^2 - 2 r (s + b cos phi))^{-1/2}],  s = u - i a  (§6 (c2))."""
    return eps * np.real(_setup(u, r, phi, a, b)[3] ** -0.5)


def psi_derivatives(u, r, phi, eps, a, b):
    """Analytic derivatives of psi as a dict with keys
    'psi', 'r', 'u', 'phi', 'rphi', 'phiphi', 'rphiphi'.

    With F = Sigma^{-1/2}: F_r = p Sigma^{-3/2}, F_u = (s + r) Sigma^{-3/2},
    F_phi = -r b sin(phi) Sigma^{-3/2},
    F_rphi = -b sin Sigma^{-3/2} - 3 r b p sin Sigma^{-5/2},
    F_phiphi = -r b cos Sigma^{-3/2} + 3 r^2 b^2 sin^2 Sigma^{-5/2},
    F_rphiphi = -b cos Sigma^{-3/2} + (6 r b^2 sin^2 - 3 r b p cos) Sigma^{-5/2}
                + 15 r^2 b^2 p sin^2 Sigma^{-7/2};   psi_* = eps Re F_*.
    """
    r = np.asarray(r, dtype=float)
    s, p, S0, Sig = _setup(u, r, phi, a, b)
    sn, cs = np.sin(phi), np.cos(phi)
    m1, m3, m5, m7 = Sig**-0.5, Sig**-1.5, Sig**-2.5, Sig**-3.5
    F = {
        "psi": m1,
        "r": p * m3,
        "u": (s + r) * m3,
        "phi": -r * b * sn * m3,
        "rphi": -b * sn * m3 - 3 * r * b * p * sn * m5,
        "phiphi": -r * b * cs * m3 + 3 * r**2 * b**2 * sn**2 * m5,
        "rphiphi": (-b * cs * m3 + (6 * r * b**2 * sn**2 - 3 * r * b * p * cs) * m5
                    + 15 * r**2 * b**2 * p * sn**2 * m7),
    }
    return {k: eps * np.real(v) for k, v in F.items()}


def psi0_plus(u, phi, eps, a, b):
    """Radiation field at scri+: psi0 = lim sqrt(r) psi = eps Re[(-2(u - ia + b cos phi))^{-1/2}]."""
    return eps * np.real((-2.0 * (np.asarray(u, float) - 1j * a + b * np.cos(phi))) ** -0.5)


def _J(rv, aq, bq, cq, dq):
    return -2.0 * (bq * rv + 2.0 * cq) / (dq * np.sqrt(aq * rv**2 + bq * rv + cq))


def beta1(u, r, phi, G, eps, a, b):
    """O(G) closed form of beta = 4 pi G int_0^r r' psi_r^2 dr'  (§6 (c2)):

        beta1 = 2 pi G eps^2 { |p|^2 J(r) + Re[ r^2 p^2 / (2 Sigma^2 Sigma0) ] },
        J(r) = [ -2(b_q r' + 2 c_q) / (Delta sqrt(a_q r'^2 + b_q r' + c_q)) ]_{r'=0}^{r'=r},
        a_q = 4|p|^2, b_q = -4 Re(Sigma0 conj(p)), c_q = |Sigma0|^2, Delta = 4 a_q c_q - b_q^2.

    ``r = np.inf`` gives the scri value (see :func:`beta1_scri`).
    """
    r = np.asarray(r, dtype=float)
    s, p, S0, Sig = _setup(u, np.where(np.isinf(r), 0.0, r), phi, a, b)
    aq = 4 * np.abs(p) ** 2
    bq = -4 * np.real(S0 * np.conj(p))
    cq = np.abs(S0) ** 2
    dq = 4 * aq * cq - bq**2
    rf = np.where(np.isinf(r), 1.0, r)
    J_r = np.where(np.isinf(r), -2.0 * bq / (dq * np.sqrt(aq)), _J(rf, aq, bq, cq, dq))
    J = J_r - _J(0.0, aq, bq, cq, dq)
    Sig = S0 - 2 * rf * p
    second = np.where(np.isinf(r), np.real(1.0 / (8.0 * S0)), np.real(rf**2 * p**2 / (2 * Sig**2 * S0)))
    return 2 * np.pi * G * eps**2 * (np.abs(p) ** 2 * J + second)


def beta1_scri(u, phi, G, eps, a, b):
    """beta0 at O(G): lim_{r->oo} beta1 = 2 pi G eps^2 {|p|^2 J(oo) + Re[1/(8 Sigma0)]}."""
    return beta1(u, np.inf, phi, G, eps, a, b)


def _integrands(u, s, phi, G, eps, a, b):
    d = psi_derivatives(u, s, phi, eps, a, b)
    ps, pp, psp, ppp, pspp = d["r"], d["phi"], d["rphi"], d["phiphi"], d["rphiphi"]
    k = np.pi * G
    return {
        "beta_s": 4 * k * s * ps**2,
        "Qbar_s": 16 * k * s * ps * (2 * s * psp + pp),
        "betaphi_s": 8 * k * s * ps * psp,
        "Qbarphi_s": 16 * k * s * (psp * (2 * s * psp + pp) + ps * (2 * s * pspp + ppp)),
        "psiphi2_over_s": 8 * k * pp**2 / s,
    }


def first_order_fields(u, x, phi, R, G, eps, a, b, n=32, panels=6):
    """O(G) metric functions on an (x, phi) grid, vertex frame, x = r/(R + r) (x = 1 is scri+).

    Parameters
    ----------
    u : float
        Retarded time of the cone.
    x : array_like, shape (Nx,)
        Compactified radial nodes in [0, 1] (x = 1 allowed: scri values).
    phi : array_like, shape (Nphi,)
    R, G, eps, a, b : float
    n, panels : int
        Gauss--Legendre nodes per panel and number of equal panels on [0, x_j].

    Returns
    -------
    dict of arrays of shape (Nx, Nphi):
        'beta1' (quadrature), 'beta1_closed' (closed form), 'Qbar1', 'U1', 'W1' (= calW + 1),
        'psi', 'chi' (= sqrt(r + R) psi, at x = 1 the radiation field psi0).
        All metric entries are the O(G) parts (linear in G), with beta = Qbar = U = 0 and
        calW = -1 at the vertex.
    """
    x = np.atleast_1d(np.asarray(x, dtype=float))
    phi = np.atleast_1d(np.asarray(phi, dtype=float))
    xi, wi = np.polynomial.legendre.leggauss(n)
    # panel nodes on [0, 1], then scaled to [0, x_j]
    edges = np.linspace(0.0, 1.0, panels + 1)
    t = np.concatenate([(edges[k] + edges[k + 1]) / 2 + (edges[k + 1] - edges[k]) / 2 * xi for k in range(panels)])
    w = np.concatenate([(edges[k + 1] - edges[k]) / 2 * wi for k in range(panels)])
    vertex = x == 0.0
    xq = np.where(vertex, 1.0, x)                      # rows at the vertex are zeroed below
    xs = xq[:, None] * t[None, :]                      # (Nx, M)
    ws = xq[:, None] * w[None, :]
    s = R * xs / (1.0 - xs)
    drdx = R / (1.0 - xs) ** 2
    S = s[:, None, :]                                  # (Nx, 1, M)
    P = phi[None, :, None]                             # (1, Nphi, 1)
    f = _integrands(u, S, P, G, eps, a, b)
    W = (ws * drdx)[:, None, :]
    inv_r = ((1.0 - xq) / (R * xq))[:, None, None]
    beta_q = np.sum(W * f["beta_s"], axis=-1)
    Qbar = np.sum(W * f["Qbar_s"], axis=-1)
    U1 = np.sum(W * (f["Qbar_s"] * (0.5 / S**2 - 0.5 * inv_r**2)
                     - 2 * f["betaphi_s"] * (1.0 / S - inv_r)), axis=-1)
    W1 = np.sum(W * (f["psiphi2_over_s"] + f["Qbarphi_s"] * (1.0 / S - inv_r)), axis=-1)
    for arr in (beta_q, Qbar, U1, W1):
        arr[vertex] = 0.0
    r = np.where(x < 1, R * x / np.where(x < 1, 1.0 - x, 1.0), np.inf)[:, None]
    rr = np.broadcast_to(r, (x.size, phi.size))
    PP = np.broadcast_to(phi[None, :], rr.shape)
    with np.errstate(invalid="ignore"):
        ps = psi(u, np.where(np.isinf(rr), 1.0, rr), PP, eps, a, b)
        chi = np.where(np.isinf(rr), psi0_plus(u, PP, eps, a, b), np.sqrt(np.where(np.isinf(rr), 1.0, rr) + R) * ps)
        ps = np.where(np.isinf(rr), 0.0, ps)
    return {"beta1": beta_q, "beta1_closed": beta1(u, rr, PP, G, eps, a, b), "Qbar1": Qbar,
            "U1": U1, "W1": W1, "psi": ps, "chi": chi}
