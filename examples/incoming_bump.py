"""Write an incoming-data file: a smooth compact bump in v with an m = 3 angular pattern.

    psi0-(v, phi) = A b((v - v1 - delta cos 3 phi) / w) (1 + eps sin 3 phi),
    b(s) = exp(1 - 1 / (1 - s^2)) for |s| < 1, else 0            (C-infinity, compact)

Not of the exact pulse family: no closed form for the field inside.  The data vanish at both
ends of the v range, so no tail law is stored.  ``--shape gaussian`` replaces b by the Gaussian
exp(-(s / s_g)^2), s_g = GAUSS_WIDTH / w (below 1e-10 of its peak beyond |v - v1| > 4.8 s_g w): the
same pattern with an analytic profile, whose spectrum decays like a Gaussian, so that a characteristic
evolution reaches its design order at small grids (the compact bump's edges, where every derivative
is large, need du << 0.1 before they do; measured in tests/test_scattering_incoming.py).  Usage::

    python examples/incoming_bump.py [OUT.h5] [--h 0.05] [--nphi 32] [--shape bump|gaussian]

(default OUT: results/incoming_bump.h5; the file layout: docs/format.md, "Incoming radiation").
"""
from __future__ import annotations

import argparse

import numpy as np

from asymflat.incoming.table import IncomingData, with_tails

AMPLITUDE, V1, WIDTH, DELTA, EPS = 0.5, 0.0, 4.0, 0.25, 0.3
GAUSS_WIDTH = 1.5
SHAPES = ("bump", "gaussian")


def bump(s: np.ndarray) -> np.ndarray:
    """b(s) = exp(1 - 1/(1 - s^2)) on |s| < 1, 0 elsewhere."""
    out = np.zeros_like(s)
    inside = np.abs(s) < 1
    out[inside] = np.exp(1.0 - 1.0 / (1.0 - s[inside] ** 2))
    return out


def bump_table(h: float = 0.05, nphi: int = 32, v_range: tuple[float, float] = (-8.0, 8.0),
               shape: str = "bump") -> IncomingData:
    """The table psi0-(v_j, phi_k) on v_j = v_range[0] + j h, phi_k = 2 pi k / nphi."""
    if shape not in SHAPES:
        raise ValueError(f"shape = {shape!r}: allowed are {', '.join(SHAPES)}")
    n = int(round((v_range[1] - v_range[0]) / h))
    v = v_range[0] + h * np.arange(n + 1)
    phi = 2 * np.pi * np.arange(nphi) / nphi
    s = (v[:, None] - V1 - DELTA * np.cos(3 * phi[None, :])) / WIDTH
    prof = bump(s) if shape == "bump" else np.exp(-(s * WIDTH / GAUSS_WIDTH) ** 2)
    return with_tails(v, phi, AMPLITUDE * prof * (1 + EPS * np.sin(3 * phi[None, :])), f"incoming_{shape}")


def main(argv=None) -> None:
    from asymflat.io import incoming

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", nargs="?", default="results/incoming_bump.h5")
    ap.add_argument("--h", type=float, default=0.05)
    ap.add_argument("--nphi", type=int, default=32)
    ap.add_argument("--shape", choices=SHAPES, default="bump")
    ap.add_argument("--v-range", type=float, nargs=2, default=(-8.0, 8.0), metavar=("V0", "V1"))
    a = ap.parse_args(argv)
    what = "smooth compact bump" if a.shape == "bump" else "Gaussian"
    path = incoming.write(a.out, bump_table(a.h, a.nphi, tuple(a.v_range), a.shape),
                          f"{what} in v, m = 3 pattern (examples/incoming_bump.py --shape {a.shape})")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
