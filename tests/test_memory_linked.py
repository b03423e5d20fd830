"""Superrotation memory at weak field: first order in G in the first cut's frame, second order in the
linked frame (slow, ~20 s).  Issue 9, reference physics-bms3.md §6.2.

Three off-centre exact pulses (runs/scattering_strong.toml's), first cone u0 = -32 (grid scaled as in
the kind), nphi 48, u_end 24; final state = last scri+ cut + the late-u flux tail (asymflat.memory).
|F - phi|_n of the final vacuum, measured:

    G       light-cone frame /G (n = 2, 3)    linked frame /G^2 (n = 3, 4, 5)      n = 2 linked /G^2
    0.02    1.403  0.227                      6.73  1.76  0.611                     1.16
    0.01    1.452  0.224                      6.83  1.72  0.597                     1.83
    0.005   1.484  0.235                      6.88  1.71  0.586                     3.86

In the first cut's (light-cone) frame the memory is O(G): it is the first cone's superrotation
(docs/conventions.md §6.2), since free propagation conserves the per-angle energy antipodally (the
memory vanishes at O(G) in the antipodally linked frame, §6.2 of the reference).  Carried to the
linked frame (asymflat/scri/first_cone_link.py) the n >= 3 modes are second order, with coefficients
6.9, 1.7, 0.59 converging to 1 - 2 % as G halves.  n = 2 keeps an O(G) remnant ~1 % of the
light-cone value (the O(G) link is derived for u0 -> -inf; at u0 = -32 the n = 2 ratio is 0.9 % off
the law; at u0 = -64 the n = 2 column reads 0.48, 0.66, 1.50): its O(G^2) coefficient is not resolved.
Tolerances: 5 % for the O(G) ratio between G = 0.01 and 0.005 (measured 2.2 %), 3 % for the O(G^2)
coefficients (measured 0.4 - 1.8 %).
"""
from __future__ import annotations

import numpy as np
import pytest

from asymflat.bms3 import finite_action
from asymflat.kinds import scattering as sc
from asymflat.memory import memory_report, recover_memory
from asymflat.scri.first_cone_link import first_cone_superrotation

THREE = [dict(amplitude=1.0, a=1.0, t0=0.0, x0=0.5, y0=0.0), dict(amplitude=0.8, a=1.2, t0=0.5, x0=-0.3, y0=0.6),
         dict(amplitude=-0.6, a=0.9, t0=-0.5, x0=0.0, y0=-0.7)]


def _memory_modes(G: float, u0: float = -32.0):
    cfg = dict(kind="scattering", G=G, grid=dict(nx=129, nphi=48, R=4.0),
               evolution=dict(u_start=u0, u_end=24.0, cfl=2.0), output=dict(scri_every=1, fields_every=0),
               characteristic=dict(pulses=THREE, shadow_grid=False),
               scattering=dict(first_cones=[u0, -4.0], scale_R=True))
    r = sc._run_level(sc._levels(cfg)[0])
    bf = r["B"]["bf"]
    rep = memory_report(dict(u=bf.time, phi=bf.phi, theta=bf.mass_aspect, xi=bf.angular_momentum_aspect,
                             news=bf.news, psi0=bf.psi0, G=G), fraction=0.4)
    assert "tail" in rep["attributes"]["final_state_source"]
    thf = rep["datasets"]["mass_aspect_final"][0]
    xif = rep["datasets"]["angular_momentum_aspect_final"][0]
    thl, xil = finite_action(thf, xif, first_cone_superrotation(np.asarray(r["M"]["beta_cone"][-1], float)))

    def modes(f):
        return np.abs(np.fft.rfft(f))[:6] * 2 / len(f)

    return modes(rep["memory"].F_minus_phi), modes(recover_memory(thl, xil, G).F_minus_phi)


@pytest.mark.slow
def test_superrotation_memory_orders_in_G():
    lc, li = {}, {}
    for G in (0.01, 0.005):
        lc[G], li[G] = _memory_modes(G)
        print(f"G = {G}: light-cone |F - phi|_n/G (n = 2, 3) {np.round(lc[G][2:4] / G, 4)}, "
              f"linked /G^2 (n = 2..5) {np.round(li[G][2:6] / G ** 2, 3)}")
    r1 = lc[0.01][2] / 0.01
    r2 = lc[0.005][2] / 0.005
    assert abs(r1 / r2 - 1) < 0.05  # O(G) in the first cut's frame
    c1 = li[0.01][3:6] / 0.01 ** 2
    c2 = li[0.005][3:6] / 0.005 ** 2
    assert np.all(np.abs(c1 / c2 - 1) < 0.03)  # O(G^2) in the linked frame, n = 3, 4, 5
    assert li[0.005][3] < 0.3 * lc[0.005][3]  # n = 3: the O(G) part is gone (measured 0.15)
