"""The constant operators of one (Nx, Nphi, R) grid: radial stencils, band factors, quadrature
weights, phi wavenumbers and filter, slaving weights (built once, in Python)."""
from __future__ import annotations

import numpy as np

from . import grid as _grid
from . import spectral as _spec
from . import vertex as _vertex

class Operators:
    """Constant operators of one (Nx, Nphi, R) grid (built once, in Python)."""

    def __init__(self, nx: int, nphi: int, R: float, order: int = 4, cone_mu: float = 1.0):
        if not (np.isfinite(R) and R > 0):
            raise ValueError(f"grid.R = {R}: must be a finite number > 0")
        self.nx, self.nphi, self.R = int(nx), int(nphi), float(R)
        self.x = _grid.x_grid(nx)
        self.h = 1.0 / nx
        self.phi = 2.0 * np.pi * np.arange(nphi) / nphi
        self.order = int(order)
        d1s, d1c = _grid.fd_stencils(nx, 1, order)
        d2s, d2c = _grid.fd_stencils(nx, 2, order)
        ab, piv = _grid.band_factor(nx, (2.0, 3.0, 0.5), order)
        qs, qw = _grid.cumint_weights(nx, order)
        kl, ku = _grid.bandwidths(order)
        km = _spec.wavenumbers(nphi)
        sig = _spec.filter_factors(nphi)
        jm, sw = _vertex.slaving_weights(self.x, nphi, cone_mu=cone_mu)
        axes = np.array([1], dtype=np.int64)
        # calW(0) = -mu^2: a conical vertex of total angle 2 pi mu (mu = 1: regular), section 4
        self.cone_mu = float(cone_mu)
        wc = -self.cone_mu ** 2 * np.ones(nphi)
        self.jm = jm
        swr = _vertex.slaving_weights_rows(sw)
        self.ops = (self.x, d1s, d1c, d2s, d2c, ab, piv, qs, qw, km, sig, jm, sw, axes, wc, kl, ku,
                    swr)
