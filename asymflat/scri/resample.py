"""Resampling scri+ data onto uniform Bondi cuts u_B = const, along the generators of scri+.

Reference: ``shared/reference/bondi-equations.md`` §3.4 (the map to a Bondi frame). On a generator
B is constant, so each generator is labelled by its Bondi angle, which is chosen on the uniform grid;
along it A increases strictly (L A = e^{2 beta0} B' > 0), so the cut u_B = const meets it once.
Used by :func:`asymflat.scri.frame.to_bondi_frame`.
"""
from __future__ import annotations

import numpy as np

from ._numerics import fourier_eval, lagrange_weights, phi_grid

__all__ = ["invert_angle_map", "resample_to_bondi_cuts"]


def invert_angle_map(Bper: np.ndarray, targets: np.ndarray, tol: float = 1e-12, maxit: int = 60):
    """Code angles ``phi`` with ``phi + Bper(phi) = target`` on each row of ``Bper`` (K+1, n).

    Newton iteration on the trigonometric interpolant of ``Bper`` (B' > 0 makes the root unique
    mod 2 pi).  ``targets`` is a 1D array of Bondi angles (the same for every row).
    """
    Bper = np.atleast_2d(np.asarray(Bper, dtype=float))
    t = np.broadcast_to(np.asarray(targets, dtype=float), (Bper.shape[0], len(targets)))
    x = t - fourier_eval(Bper, t)
    for _ in range(maxit):
        b, bp = fourier_eval(Bper, x, (0, 1))
        dx = (x + b - t) / (1.0 + bp)
        x = x - dx
        if np.max(np.abs(dx)) < tol:
            # one more step: quadratic convergence puts the error at round-off
            x = x - (x + fourier_eval(Bper, x) - t) / (1.0 + fourier_eval(Bper, x, 1))
            break
    else:
        raise RuntimeError("invert_angle_map: Newton did not converge")
    return x


def resample_to_bondi_cuts(u, A, Bper, fields: dict, n_out: int | None = None, times=None,
                           dtime: float | None = None, order: int = 6):
    """Fields given on the code grid -> the uniform Bondi grid ``(u_B_i, phi_B_j)``.

    Method (documented choice; the reference suggests code-phi rays, which need ``d_u A > 0`` at
    fixed code phi, not guaranteed when ``U0 A' `` is large):

    1. For each code cut ``u_k`` and each uniform Bondi angle ``phi_B_j`` find the code angle of
       the generator, ``phi + Bper(u_k, phi) = phi_B_j`` (:func:`invert_angle_map`; Fourier
       interpolation, spectral), and evaluate every field and ``A`` there (spectral).
       This gives each field along the generator ``phi_B = phi_B_j`` at the code times ``u_k``.
    2. Along a generator ``A`` increases strictly; every field is a smooth function of ``A``.
       Interpolate it to the target Bondi times with local ``order``-point Lagrange
       interpolation in the non-uniform nodes ``A_k`` (centred where possible; error
       ``O(du^order)``).  No extrapolation: the targets stop at ``min_j A(u_end)``.

    Parameters
    ----------
    u : (K+1,) uniform code times;  A, Bper : (K+1, n) from :func:`integrate_transport`.
    fields : name -> (K+1, n) arrays on the code grid.
    n_out : number of Bondi angles (default: n).
    times : Bondi times of the output cuts (default: uniform from ``A[0,0]`` with step ``dtime``,
        default ``du``, up to the last complete cut).

    Returns
    -------
    uB : (M+1,) Bondi times;  phiB : (n_out,) uniform Bondi angles;  out : name -> (M+1, n_out);
    and ``out['u_code']``, ``out['phi_code']``: the code coordinates of each Bondi grid point.
    """
    u = np.asarray(u, dtype=float)
    du = (u[-1] - u[0]) / (len(u) - 1)
    A = np.asarray(A, dtype=float)
    K1, n = A.shape
    n_out = n if n_out is None else int(n_out)
    phiB = phi_grid(n_out)
    xg = invert_angle_map(Bper, phiB)                       # (K+1, n_out) code angle of generators
    names = list(fields)
    stack = np.stack([np.asarray(fields[k], dtype=float) for k in names] + [A], axis=0)
    vals = np.stack([fourier_eval(fld, xg) for fld in stack], axis=0)
    if n_out == n:
        # cuts on which the angle map is the identity (B = phi exactly, e.g. U0 = 0): the
        # generators pass through the grid points, take the samples themselves (no round-off)
        ident = np.all(np.asarray(Bper) == 0.0, axis=1)
        xg[ident] = phiB
        vals[:, ident] = stack[:, ident]
    Ag = vals[-1]
    if np.any(np.diff(Ag, axis=0) <= 0):
        raise ValueError("Bondi time is not increasing along a generator (unresolved transport?)")
    t0 = float(np.max(Ag[0]))
    tend = float(np.min(Ag[-1]))
    if times is None:
        dt = du if dtime is None else float(dtime)
        M = int(np.floor((tend - t0) / dt * (1 + 1e-12)))
        # the step is the caller's du = u[1] - u[0], exact only to ulp(u[0]), so cut M lies up to
        # M ulp(u[0]) from its nominal time: at G = 0 (A = u, tend = u_end) the cut at u_end fell
        # 1.1e-12 beyond the covered range at nx = 385 (M = 960, du = 1/24 + 1.2e-15).  The count
        # keeps only cuts inside the range that the check below admits.
        while M > 0 and t0 + dt * M > tend + 1e-12:
            M -= 1
        times = t0 + dt * np.arange(M + 1)
    times = np.asarray(times, dtype=float)
    if times.min() < np.min(Ag[0]) - 1e-12 or times.max() > tend + 1e-12:
        raise ValueError("requested Bondi times outside the range covered on every generator")
    p = min(order, K1)
    uk = np.broadcast_to(u[:, None], (K1, n_out))
    allv = np.concatenate([vals[:-1], uk[None], xg[None]], axis=0)
    out = np.empty((allv.shape[0], len(times), n_out))
    for j in range(n_out):
        a = Ag[:, j]
        idx = np.searchsorted(a, times)                     # a[idx-1] < t <= a[idx]
        s = np.clip(idx - p // 2, 0, K1 - p)
        nodes_i = s[:, None] + np.arange(p)
        w = lagrange_weights(a[nodes_i], times)
        # a target that coincides with a node (to 1e-11 of the node spacing, e.g. Bondi time =
        # code time when beta0 = U0 = 0) takes the sample itself: no round-off from the weights
        hit = np.abs(a[nodes_i] - times[:, None]) <= 1e-11 * (a[1] - a[0])
        rows = np.any(hit, axis=1)
        w[rows] = hit[rows] & (np.cumsum(hit[rows], axis=1) == 1)
        out[:, :, j] = np.einsum("ip,fip->fi", w, allv[:, nodes_i, j])
    res = {k: out[i] for i, k in enumerate(names)}
    res["u_code"] = out[len(names)]
    res["phi_code"] = np.mod(out[len(names) + 1], 2 * np.pi)
    return times, phiB, res
