"""Small numerical kernels for the scri+ frame layer: spectral phi-calculus on the uniform grid,
Fourier evaluation at arbitrary angles, Lagrange/Fornberg weights in time.

Fourier convention of ``docs/conventions.md`` §7: on ``phi_j = 2 pi j / n`` (``n`` even)

    f(phi) = c_0 + 2 Re sum_{m=1}^{n/2-1} c_m e^{i m phi} + c_{n/2} cos(n phi / 2),
    c_m = rfft(f)[m] / n.

Derivatives on the grid drop the Nyquist mode for odd order (as ``asymflat.bms3.spectral``).
Everything acts on the last axis; time is axis 0.
"""
from __future__ import annotations

import numpy as np

TWO_PI = 2.0 * np.pi


def phi_grid(n: int) -> np.ndarray:
    """Uniform grid ``phi_j = 2 pi j / n``."""
    return TWO_PI * np.arange(int(n)) / int(n)


def dphi(f: np.ndarray, k: int = 1) -> np.ndarray:
    """Spectral ``d^k f / dphi^k`` of real grid data along the last axis (Nyquist dropped for odd k)."""
    f = np.asarray(f, dtype=float)
    if k == 0:
        return f.copy()
    n = f.shape[-1]
    m = np.arange(n // 2 + 1, dtype=float)
    fac = (1j * m) ** k
    if n % 2 == 0 and k % 2 == 1:
        fac[-1] = 0.0
    return np.fft.irfft(np.fft.rfft(f, axis=-1) * fac, n=n, axis=-1)


def fourier_eval(f: np.ndarray, x: np.ndarray, k=0):
    """Evaluate the trigonometric interpolant of grid rows ``f[..., :]`` (or its ``k``-th derivative)
    at angles ``x[..., p]`` (one row of points per row of ``f``; leading shapes must agree).

    ``k`` may be a tuple of derivative orders: a list of arrays is returned then (the basis
    ``e^{i m x}`` is built once, by powers of ``e^{i x}``).  The even-``n`` Nyquist coefficient is
    read as ``c_{n/2} cos(n phi/2)`` (real, symmetric choice).  Cost ``O(rows * points * n)``,
    evaluated in row chunks to bound memory.
    """
    f = np.asarray(f, dtype=float)
    x = np.asarray(x, dtype=float)
    ks = tuple(k) if isinstance(k, (tuple, list)) else (k,)
    n = f.shape[-1]
    lead = f.shape[:-1]
    fr = f.reshape(-1, n)
    xr = x.reshape(-1, x.shape[-1])
    if fr.shape[0] != xr.shape[0]:
        raise ValueError(f"fourier_eval: {fr.shape[0]} rows of data but {xr.shape[0]} rows of points")
    c = np.fft.rfft(fr, axis=-1) / n
    M = c.shape[-1]
    m = np.arange(M, dtype=float)
    w = np.full(M, 2.0)
    w[0] = 1.0
    if n % 2 == 0:
        w[-1] = 1.0
        c[:, -1] = c[:, -1].real
    cs = [c * w * (1j * m) ** kk for kk in ks]
    outs = [np.empty(xr.shape) for _ in ks]
    chunk = max(1, int(1_000_000 // max(1, xr.shape[1] * M)))
    for s in range(0, xr.shape[0], chunk):
        xs = xr[s:s + chunk]
        e = np.empty(xs.shape + (M,), dtype=complex)
        e[..., 0] = 1.0
        if M > 1:
            z = np.exp(1j * xs)
            e[..., 1] = z
            # powers by repeated squaring blocks keep the round-off at O(log m) eps
            for mm in range(2, M):
                e[..., mm] = e[..., mm // 2] * e[..., mm - mm // 2]
        for o, cc in zip(outs, cs):
            o[s:s + chunk] = np.real(np.einsum("rpm,rm->rp", e, cc[s:s + chunk]))
    res = [o.reshape(lead + (x.shape[-1],)) for o in outs]
    return res if isinstance(k, (tuple, list)) else res[0]


def lagrange_weights(nodes: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Lagrange interpolation weights: ``nodes[..., p]``, ``x[...]`` -> ``w[..., p]`` with
    ``f(x) ~ sum_i w_i f(nodes_i)`` (exact for polynomials of degree ``p - 1``)."""
    nodes = np.asarray(nodes, dtype=float)
    x = np.asarray(x, dtype=float)[..., None]
    p = nodes.shape[-1]
    w = np.ones(np.broadcast_shapes(nodes.shape, x.shape))
    for i in range(p):
        for j in range(p):
            if i != j:
                w[..., i] *= (x[..., 0] - nodes[..., j]) / (nodes[..., i] - nodes[..., j])
    return w


def fornberg_weights(z: float, x: np.ndarray, m: int) -> np.ndarray:
    """Finite-difference weights for derivatives 0..m at ``z`` from nodes ``x`` (Fornberg 1988).

    Returns ``c[k, i]``: ``f^(k)(z) ~ sum_i c[k, i] f(x_i)``.
    """
    x = np.asarray(x, dtype=float)
    n = len(x)
    c = np.zeros((m + 1, n))
    c1, c4 = 1.0, x[0] - z
    c[0, 0] = 1.0
    for i in range(1, n):
        mn = min(i, m)
        c2, c5, c4 = 1.0, c4, x[i] - z
        for j in range(i):
            c3 = x[i] - x[j]
            c2 *= c3
            if j == i - 1:
                for k in range(mn, 0, -1):
                    c[k, i] = c1 * (k * c[k - 1, i - 1] - c5 * c[k, i - 1]) / c2
                c[0, i] = -c1 * c5 * c[0, i - 1] / c2
            for k in range(mn, 0, -1):
                c[k, j] = (c4 * c[k, j] - k * c[k - 1, j]) / c3
            c[0, j] = c4 * c[0, j] / c3
        c1 = c2
    return c


def uniform_stencil_start(pos: np.ndarray, npts: int, p: int) -> np.ndarray:
    """First node of the ``p``-point stencil most centred on fractional index ``pos`` in ``0..npts-1``."""
    pos = np.asarray(pos, dtype=float)
    s = np.floor(pos - (p - 1) / 2.0 + 1e-12).astype(int)
    return np.clip(s, 0, npts - p)


def sample_uniform(F: np.ndarray, pos: np.ndarray, p: int = 6) -> np.ndarray:
    """Values of samples ``F[k, ...]`` (uniform in ``k``) at fractional indices ``pos`` by local
    ``p``-point Lagrange interpolation (centred where possible, one-sided at the ends; error
    ``O(dt^p)``).  Integer positions return the sample exactly."""
    F = np.asarray(F, dtype=float)
    pos = np.atleast_1d(np.asarray(pos, dtype=float))
    npts = F.shape[0]
    if p > npts:
        raise ValueError(f"need at least {p} time samples for {p}-point interpolation, got {npts}")
    if np.any(pos < -1e-12) or np.any(pos > npts - 1 + 1e-12):
        raise ValueError("sample_uniform: position outside the sampled range (no extrapolation)")
    s = uniform_stencil_start(pos, npts, p)
    idx = s[:, None] + np.arange(p)
    w = lagrange_weights(idx.astype(float), pos)
    exact = np.abs(pos - np.rint(pos)) < 1e-12
    w[exact] = (idx[exact] == np.rint(pos[exact])[:, None]).astype(float)
    return np.einsum("pi,pi...->p...", w, F[idx])


def fd_time_derivative(F: np.ndarray, dt: float, order: int = 6) -> np.ndarray:
    """``dF/dt`` along axis 0 of samples on a uniform grid of step ``dt``: centred ``order``-th
    order differences (``order + 1`` points) in the interior, one-sided stencils of the same
    number of points at the ends (error ``O(dt^order)`` everywhere)."""
    F = np.asarray(F, dtype=float)
    npts = F.shape[0]
    p = order + 1
    if npts < p:
        raise ValueError(f"fd_time_derivative: need at least {p} samples, got {npts}")
    out = np.empty_like(F)
    half = order // 2
    wc = fornberg_weights(0.0, np.arange(-half, half + 1, dtype=float), 1)[1]
    inner = slice(half, npts - half)
    acc = np.zeros_like(F[inner])
    for i, wi in enumerate(wc):
        acc += wi * F[i: npts - 2 * half + i]
    out[inner] = acc / dt
    for k in list(range(half)) + list(range(npts - half, npts)):
        s = int(np.clip(k - half, 0, npts - p))
        w = fornberg_weights(float(k), np.arange(s, s + p, dtype=float), 1)[1]
        out[k] = np.tensordot(w, F[s:s + p], axes=(0, 0)) / dt
    return out


def cumulative_integral_uniform(F: np.ndarray, dt: float, p: int = 6) -> np.ndarray:
    """``I[k] = int_{t_0}^{t_k} F dt`` along axis 0 (uniform samples): each interval integrates
    the local ``p``-point Lagrange interpolant (error ``O(dt^p)`` per unit time)."""
    F = np.asarray(F, dtype=float)
    npts = F.shape[0]
    p = min(p, npts)
    gl_x, gl_w = np.polynomial.legendre.leggauss((p + 1) // 2 + 1)
    out = np.zeros_like(F)
    k = np.arange(npts - 1)
    starts = uniform_stencil_start(k + 0.5, npts, p)
    # the Lagrange weights at every interval's quadrature nodes in one call (elementwise the same
    # arithmetic as interval by interval)
    nodes = (starts[:, None] + np.arange(p)).astype(float)
    xq = k[:, None] + 0.5 * (gl_x + 1.0)
    L = lagrange_weights(np.broadcast_to(nodes[:, None, :], (npts - 1, len(gl_x), p)), xq)
    wq = 0.5 * gl_w
    for k, s in enumerate(starts):
        w = wq @ L[k]
        out[k + 1] = out[k] + dt * np.tensordot(w, F[s:s + p], axes=(0, 0))
    return out
