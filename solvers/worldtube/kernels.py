"""Numba kernels of the worldtube solver (called only through :mod:`solvers.worldtube.solver`,
which validates every input first).

Physics (bondi-equations.md section 0, 1.1-1.4, 2 and 6 (b); docs/conventions.md section 10):
outside the tube r >= r_w the scalar field vanishes, so the hypersurface equations (C1), (C2) have
no source: beta = 0 (Bondi frame choice beta_w = 0) and Qbar = 2 N_w(u, phi) along every ray.
(C3), (C4) with beta = 0,

    d_x U    = (1 - x) Qbar / (R^2 x^3),
    d_x calW = (1/(R x)) [ Qbar_phi / x + (1 - x) Qbar^2 / (2 R x^2) ],

are integrated outward from the tube values

    U_w = -N_w / r_w^2,        calW_w = Theta_w - 2 N_w' / r_w - N_w^2 / r_w^2,

in the variable rho = R/r = (1 - x)/x (d_rho = -x^2 d_x), where both right-hand sides are
polynomials: d_rho U = -rho Qbar / R^2, d_rho calW = -Qbar_phi / R - rho Qbar^2 / (2 R^2), so the
p-point Lagrange quadrature in rho (order p for general smooth integrands) adds only round-off for
this vacuum-exterior structure.
The tube state (Theta_w, N_w) evolves by the supplementary equations at r = r_w
(E_uu = E_uphi = 0, section 1.3-1.4):

    d_u Theta_w = -16 pi G f(u, phi),        d_u N_w = (1/2) d_phi Theta_w,

with RK4 in u and a spectral d_phi (rocket-fft r2c/c2r into preallocated buffers).

Array conventions: phi is the last (contiguous) axis; ``axes = np.array([0])`` for 1D rows.
"""
from __future__ import annotations

from .._fft import c2r, r2c

from .._jit import jit


@jit
def dphi_row(f, out, hat, km, axes, nphi):
    """out = d_phi f for one row of ``nphi`` samples (Fourier; Nyquist mode dropped)."""
    r2c(f, hat, axes, True, 1.0, 1)
    nh = hat.shape[0]
    for m in range(nh - 1):
        hat[m] = hat[m] * (1j * km[m])
    hat[nh - 1] = 0.0
    c2r(hat, out, axes, False, 1.0 / nphi, 1)


@jit
def tube_rhs_kernel(theta, flux, sixteen_pi_G, dtheta, dN, hat, km, axes, nphi):
    """Supplementary equations at r = r_w: dtheta = -16 pi G f, dN = (1/2) d_phi theta."""
    dphi_row(theta, dN, hat, km, axes, nphi)
    for k in range(nphi):
        dtheta[k] = -sixteen_pi_G * flux[k]
        dN[k] = 0.5 * dN[k]


@jit
def evolve_tube(theta_out, N_out, flux_stages, dt, sixteen_pi_G, kt, kn, st, sn, hat, km, axes):
    """Classical RK4 of (Theta_w, N_w) over ``nsteps = theta_out.shape[0] - 1`` steps.

    ``theta_out[0]``, ``N_out[0]`` hold the initial state on entry; every step's state is written to
    the following rows.  ``flux_stages[i]`` is f at u_0 + i dt/2 (i = 0..2 nsteps): stage 1 reads
    row 2n, stages 2-3 row 2n+1, stage 4 row 2n+2.  ``kt, kn``: (4, nphi) stage derivatives;
    ``st, sn``: (nphi,) stage states; ``hat``: (nphi//2+1,) complex.  Nothing is allocated.
    """
    nsteps = theta_out.shape[0] - 1
    nphi = theta_out.shape[1]
    for n in range(nsteps):
        # stage 1
        tube_rhs_kernel(theta_out[n], flux_stages[2 * n], sixteen_pi_G, kt[0], kn[0], hat, km, axes, nphi)
        for k in range(nphi):
            st[k] = theta_out[n, k] + 0.5 * dt * kt[0, k]
            sn[k] = N_out[n, k] + 0.5 * dt * kn[0, k]
        tube_rhs_kernel(st, flux_stages[2 * n + 1], sixteen_pi_G, kt[1], kn[1], hat, km, axes, nphi)
        for k in range(nphi):
            st[k] = theta_out[n, k] + 0.5 * dt * kt[1, k]
            sn[k] = N_out[n, k] + 0.5 * dt * kn[1, k]
        tube_rhs_kernel(st, flux_stages[2 * n + 1], sixteen_pi_G, kt[2], kn[2], hat, km, axes, nphi)
        for k in range(nphi):
            st[k] = theta_out[n, k] + dt * kt[2, k]
            sn[k] = N_out[n, k] + dt * kn[2, k]
        tube_rhs_kernel(st, flux_stages[2 * n + 2], sixteen_pi_G, kt[3], kn[3], hat, km, axes, nphi)
        c = dt / 6.0
        for k in range(nphi):
            theta_out[n + 1, k] = theta_out[n, k] + c * (kt[0, k] + 2.0 * kt[1, k] + 2.0 * kt[2, k] + kt[3, k])
            N_out[n + 1, k] = N_out[n, k] + c * (kn[0, k] + 2.0 * kn[1, k] + 2.0 * kn[2, k] + kn[3, k])


@jit
def exterior_kernel(theta_w, N_w, x, R, r_w, qs, qw, Qbar, U, calW, gU, gW, Np, hat, km, axes):
    """Vacuum exterior on the nodes x_j (j = 0 at the tube, last = scri+) from the tube state.

    Qbar = 2 N_w on every node ((C2) without source); U and calW by the cumulative quadrature
    ``F[j+1] = F[j] + sum_k qw[j, k] g[qs[j] + k]`` in rho = (1-x)/x of g = d_rho F = -x^2 d_x F with
    d_x F the right-hand sides of (C3), (C4) at beta = 0 (polynomials in rho: -rho Qbar / R^2 and
    -Qbar_phi / R - rho Qbar^2 / (2 R^2)).
    Work arrays: gU, gW (n, nphi); Np (nphi,); hat (nphi//2+1,) complex.
    """
    n, nphi = Qbar.shape
    dphi_row(N_w, Np, hat, km, axes, nphi)                  # N_w'
    inv_r = 1.0 / r_w
    for k in range(nphi):
        U[0, k] = -N_w[k] * inv_r * inv_r
        calW[0, k] = theta_w[k] - 2.0 * Np[k] * inv_r - N_w[k] * N_w[k] * inv_r * inv_r
    R2 = R * R
    for j in range(n):
        xj = x[j]
        jac = -xj * xj                                     # d x / d rho
        for k in range(nphi):
            q = 2.0 * N_w[k]                               # (C2), no source: Qbar = 2 N_w
            qp = 2.0 * Np[k]
            Qbar[j, k] = q
            gU[j, k] = jac * (1.0 - xj) * q / (R2 * xj * xj * xj)                          # (C3)
            gW[j, k] = jac * (qp / xj + (1.0 - xj) * q * q / (2.0 * R * xj * xj)) / (R * xj)  # (C4)
    nw = qw.shape[1]
    for j in range(n - 1):
        s = qs[j]
        for k in range(nphi):
            aU = U[j, k]
            aW = calW[j, k]
            for i in range(nw):
                aU += qw[j, i] * gU[s + i, k]
                aW += qw[j, i] * gW[s + i, k]
            U[j + 1, k] = aU
            calW[j + 1, k] = aW


@jit
def exterior_history(theta_hist, N_hist, x, R, r_w, qs, qw, Qbar, U, calW, gU, gW, Np, hat, km, axes,
                     scri_theta, scri_N, scri_U, tube_U, tube_calW):
    """:func:`exterior_kernel` on every stored tube state; keeps the values at scri+ (last node):
    Theta = calW(x=1), N = Qbar(x=1)/2, U(x=1), and the tube values U_w, calW_w.  After the call
    Qbar, U, calW hold the exterior of the last state."""
    nt = theta_hist.shape[0]
    nphi = theta_hist.shape[1]
    last = Qbar.shape[0] - 1
    for t in range(nt):
        exterior_kernel(theta_hist[t], N_hist[t], x, R, r_w, qs, qw, Qbar, U, calW, gU, gW, Np, hat, km, axes)
        for k in range(nphi):
            scri_theta[t, k] = calW[last, k]
            scri_N[t, k] = 0.5 * Qbar[last, k]
            scri_U[t, k] = U[last, k]
            tube_U[t, k] = U[0, k]
            tube_calW[t, k] = calW[0, k]
