"""The global BMS3 balance of a scattering: charges at i+ and i- against the fluxes through scri+ and
scri-, generator by generator (the Poincare table and the modes n <= NMAX)."""
from __future__ import annotations

import numpy as np

from asymflat.bms3 import ScriCut
from asymflat.pipeline.i0_matching import NMAX
from asymflat.scri._numerics import cumulative_integral_uniform, dphi


def _flux_table(t, phi, nw, ps, dt, sign):
    """sum over the charge table: int dt oint [(T + tY')news^2 + Y news psi0'] - (1/8) oint Y d_phi psi0^2 |ends.
    Generators of the scri+ table (sign=+1) or the linked ones at scri- (sign=-1: phi -> phi + pi)."""
    from asymflat.bms3.charges import POINCARE_NAMES, _POINCARE_PLUS, poincare_generator
    shift = 0.0 if sign > 0 else np.pi
    gens = []
    for name in POINCARE_NAMES:
        T, Y = poincare_generator(name, phi + shift, "scri_plus")
        gens.append((np.asarray(T, float) + 0j, np.asarray(Y, float) + 0j, _POINCARE_PLUS[name][1], True))
    for n in range(NMAX + 1):
        e = np.exp(1j * n * (phi + shift))
        gens.append((e, 0 * e, 1.0, False))
        gens.append((0 * e, e, 1.0, False))
    n2 = nw ** 2
    j = nw * dphi(ps)
    bnd = dphi(ps ** 2)
    vals = []
    for T, Y, sgn, real in gens:
        Yp = np.fft.ifft(1j * np.fft.fftfreq(len(phi), 1.0 / len(phi)) * np.fft.fft(Y))
        dens = 2 * np.pi * np.mean((T[None] + t[:, None] * Yp[None]) * n2 + Y[None] * j, axis=1)
        tot = cumulative_integral_uniform(dens.real, dt)[-1] + 1j * cumulative_integral_uniform(dens.imag, dt)[-1]
        b = 2 * np.pi * np.mean(Y * (bnd[-1] - bnd[0])) / 8
        v = sgn * (tot - b)
        if real:
            vals.append(float(np.real(v)))
        else:
            vals += [float(np.real(v)), float(np.imag(v))]
    return np.array(vals)


def _table(theta, xi, G, chart):
    from asymflat.bms3.matching import charge_table
    return charge_table(ScriCut(theta, xi, chart, G), NMAX, np.pi if chart == "scri_minus" else 0.0)


def global_balance(mt: dict, summ: dict, B: dict, M: dict, G: float) -> None:
    """Q+(i+) - Q-(i-) - (F-_in - F+_out) per generator of the charge table, the fluxes integrated from
    the news (physics-bms3.md section 6.1), into ``mt`` (``/matching/balance``) and ``summ``."""
    bf = B["bf"]
    Fp = _flux_table(bf.time, bf.phi, bf.news, bf.psi0, B["dt"], +1)
    Fm = _flux_table(M["times"], bf.phi, M["news"], M["psi0"], B["dt"], -1)
    _, qend = _table(bf.mass_aspect[-1], bf.angular_momentum_aspect[-1], G, "scri_plus")
    _, qi = _table(M["theta"][0], M["xi"][0], G, "scri_minus")
    # dQ-/dv = +flux: F- has the scri+ integrand with the linked generators (phi -> phi + pi)
    gb = (qend - qi) - (Fm - Fp)
    mt["balance/flux_plus"] = (Fp, "1/G", "F+_{T,Y}: outgoing flux per generator (scri+ news)")
    mt["balance/flux_minus"] = (Fm, "1/G", "F-_{T o A, Y o A}: incoming flux per generator")
    mt["balance/Q_i_plus"] = (qend, "1/G", "charges on the last scri+ cut")
    mt["balance/Q_i_minus"] = (qi, "1/G", "charges on the first scri- cut (vacuum)")
    mt["balance/residual"] = (gb, "1/G", "Q+(i+) - Q-(i-) - (F- - F+) per generator")
    summ["global_balance_max_poincare"] = float(np.max(np.abs(gb[:6])))
    summ["global_balance_max"] = float(np.max(np.abs(gb)))
