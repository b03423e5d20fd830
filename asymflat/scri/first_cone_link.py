"""The superrotation between the scri+ frame of the first cut and the frame matched at i0.

Run kind ``scattering`` reads Theta+, Xi+ at i0 in the Bondi frame of its first cone's cut
(``A(u0) = u0, B = phi``: the light-cone frame of the vertex near i-, asymflat/scri/frame.py).  The
scri- data come from the same cone relabelled (asymflat/scri/minus.py).  Off circular symmetry the
two frames are not linked by the antipodal map alone: the first cone crosses the incoming radiation,
and behind it the cone's generators reach scri+ with the code time stretched by ``e^{2 beta0(phi)}``
(``beta0`` = beta at scri+ on the first cone, the same for every u0 in the limit u0 -> -inf:
``beta0 = 4 pi G x`` the incoming energy crossed per angle).  In circular symmetry the stretch is a
constant, ``e^{2 beta0} = 1/mu^2``, which only rescales time (docs/conventions.md §6.1).  With an anisotropic
stretch the frame in which early cones are equally spaced in time is the light-cone frame carried by
the superrotation with ``F'`` proportional to the stretch (docs/conventions.md §6.2):

    phi_old = F(phi_new),   F' = exp(Y') / <exp(Y')>,   Y'_m = 2 beta0_m r(m),
    r(m) = 1 (odd m),   r(m) = m^2 / (m^2 - 1) (even |m| >= 2).

The odd-mode rule (the boost part included) is the equal-spacing argument above; the even-mode
factor m^2/(m^2 - 1) is *measured*, not derived: with ``r = 1`` for every mode the |n| = 2, 4, 6
residuals of Theta+ - Theta-(phi + pi) keep an O(G) part, and the factor that removes it was found
the same in three configurations (1.345, 1.328, 1.341 for m = 2; 1.06-1.07 for m = 4; 1.02-1.05 for
m = 6 at G = 0.005, u0 = -32; tests/test_scattering_link.py).  The supertranslation part of the link
(the time origin and the translations, hence J and K) is not modelled: the boost charges in this
frame are not meaningful.

Measured effect (three off-centre pulses, G = 0.02 / 0.01 / 0.005, u0 = -32, residual / E_rad):
E 6.5e-2 / 3.1e-2 / 1.5e-2 -> -1.9e-3 / -1.5e-3 / -9.6e-4, p_y -7.4e-2 / -3.7e-2 / -1.9e-2 ->
9.7e-3 / 3.1e-3 / 1.1e-3; |n| >= 2 Theta residuals from first to second order in G.
"""
from __future__ import annotations

import numpy as np

from asymflat.bms3.action import finite_action
from asymflat.bms3.diffeo import CircleDiffeo, from_grid

__all__ = ["stretch_rate", "first_cone_superrotation", "to_matched_frame"]


def stretch_rate(beta0: np.ndarray) -> np.ndarray:
    """``Y'`` of the link on the grid: ``Y'_m = 2 beta0_m r(m)`` (module doc), mean removed."""
    b = np.asarray(beta0, dtype=float)
    if b.ndim != 1 or b.size < 4 or not np.all(np.isfinite(b)):
        raise ValueError(f"beta0: a finite 1D grid array of size >= 4 is needed (got shape {b.shape})")
    n = b.size
    m = np.abs(np.rint(np.fft.fftfreq(n, 1.0 / n)))
    r = np.ones(n)
    even = (m % 2 == 0) & (m >= 2)
    r[even] = m[even] ** 2 / (m[even] ** 2 - 1.0)
    c = np.fft.fft(2.0 * b) * r
    c[0] = 0.0
    return np.real(np.fft.ifft(c))


def first_cone_superrotation(beta0: np.ndarray) -> CircleDiffeo:
    """``F`` with ``F' = exp(Y')/<exp(Y')>`` and ``F(0) - 0`` the mean-free integral (module doc)."""
    fp = np.exp(stretch_rate(beta0))
    fp = fp / np.mean(fp)
    n = fp.size
    k = np.fft.fftfreq(n, 1.0 / n)
    c = np.fft.fft(fp - 1.0) / n
    a = np.zeros(n, dtype=complex)
    a[1:] = c[1:] / (1j * k[1:])
    if n % 2 == 0:
        a[n // 2] = 0.0
    return from_grid(np.real(np.fft.ifft(a) * n), "first-cone stretch superrotation")


def to_matched_frame(theta: np.ndarray, xi: np.ndarray, beta0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(Theta, Xi) of the first scri+ cut carried by :func:`first_cone_superrotation` (no supertranslation)."""
    theta = np.asarray(theta, dtype=float)
    if np.shape(beta0) != theta.shape:
        raise ValueError(f"beta0 has shape {np.shape(beta0)}, theta {theta.shape}: give one grid")
    return finite_action(theta, xi, first_cone_superrotation(beta0))
