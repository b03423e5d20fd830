"""First-cone data from a scri- table at G = 0 against the exact pulses' closed form (issue 21).

Three off-centre exact pulses, table psi0-(v, phi) on v in [-60, 60] with fitted tails (law p = 1/2
at both ends), cone u0 = -6, R = 2, x = j/32, 16 output angles; errors relative to max |chi|.
Measured (nphi = 48): h = 0.4, 0.2, 0.1, 0.05, 0.025 -> 2.55e-3, 7.31e-5, 2.04e-6, 4.36e-8,
1.08e-9 (orders 5.12, 5.16, 5.55, 5.33: the product integration of the 6-point interpolant's
derivative in (3) is order 5); at x = 1 (scri+, by the p.v. formula (5)) 5.5e-11 from h = 0.1 on
(the tail fit).  Angular resolution at h = 0.05, table [-40, 80]: nphi = 8, 16, 24, 32 ->
4.3e-3, 1.8e-5, 1.2e-6, 3.9e-8 (exponential; 48: 4.3e-8, the h floor), each below the table's
spectral-tail ratio (8.0e-3, 3.1e-4, 1.5e-5, 1.9e-6) that table.PHI_TOL bounds.
"""
from __future__ import annotations

import numpy as np
import pytest

from asymflat.exact.pulses import pulse_chi, pulse_psi0_scri_minus
from asymflat.incoming.first_cone import first_cone_chi
from asymflat.incoming.table import IncomingData, with_tails

PULSES = [dict(amplitude=1.0, a=1.0, x0=0.5, t0=0.0),
          dict(amplitude=0.6, a=1.3, y0=-0.7, t0=1.0),
          dict(amplitude=-0.4, a=0.8, x0=-0.6, y0=0.4, t0=-1.0)]
U0, R = -6.0, 2.0
X = np.arange(33) / 32
PHI = 2 * np.pi * np.arange(16) / 16


def _table(h: float, nphi: int, v0: float = -60.0, v1: float = 60.0) -> IncomingData:
    v = v0 + h * np.arange(int(round((v1 - v0) / h)) + 1)
    phi = 2 * np.pi * np.arange(nphi) / nphi
    return with_tails(v, phi, pulse_psi0_scri_minus(v[:, None], phi[None, :], PULSES))


def _errors(data: IncomingData) -> tuple[float, float]:
    exact = pulse_chi(U0, X[:, None], PHI[None, :], R, PULSES)
    err = np.abs(first_cone_chi(data, U0, X, PHI, R) - exact) / np.max(np.abs(exact))
    return float(err[:-1].max()), float(err[-1].max())


def test_first_cone_matches_exact_pulses():
    d = _table(0.1, 48)
    assert d.early.power == 0.5 and d.late.power == 0.5
    # the late law's leading coefficient is sum_k A_k / sqrt(2) (tails.py, law (b))
    assert abs(d.late.coefficients[0].mean() - 1.2 / np.sqrt(2)) < 1e-6
    e_cone, e_scri = _errors(d)
    assert e_cone < 3e-6, e_cone          # measured 2.04e-6
    assert e_scri < 1e-9, e_scri          # measured 5.8e-11


def test_early_tail_is_needed():
    """Dropping the fitted early tail (|v|^-3/2 from v = -40 down) spoils the cone: measured 5.9e-4."""
    d = _table(0.1, 48, -40.0, 80.0)
    e_with, _ = _errors(d)
    e_without, _ = _errors(IncomingData(d.v, d.phi, d.psi0, None, d.late))
    assert e_with < 3e-6 and e_without > 1e-4, (e_with, e_without)


@pytest.mark.slow
def test_first_cone_convergence_order_in_v_and_phi():
    errs = [_errors(_table(h, 48))[0] for h in (0.4, 0.2, 0.1, 0.05, 0.025)]
    orders = np.log2(np.array(errs[:-1]) / np.array(errs[1:]))
    assert np.all(orders > 4.8), (errs, orders)            # measured 5.12, 5.16, 5.55, 5.33
    eph = [_errors(_table(0.05, n, -40.0, 80.0))[0] for n in (8, 16, 24, 32)]
    assert np.all(np.array(eph[:-1]) / np.array(eph[1:]) > 10), eph   # measured 240, 15, 30
