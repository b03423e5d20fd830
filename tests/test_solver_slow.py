"""Long characteristic runs and convergence studies (``pytest -m slow``); prints measured orders."""
from __future__ import annotations

import math

import numpy as np
import pytest

from asymflat.exact.pulses import compact_chi, pulse_chi
from solvers.characteristic import CharacteristicSolver

pytestmark = pytest.mark.slow

OFF = [dict(amplitude=1.0, a=1.0, t0=0.0, x0=0.5, y0=0.0)]


def test_convergence_study_prints_orders():
    import sys
    import os
    sys.path.insert(0, os.path.dirname(__file__))
    from test_solver_characteristic import scri_error
    for order, cfl in ((6, 3.5), (4, 4.0)):
        errs = [scri_error(nx, 32, OFF, cfl=cfl, order=order)[0] for nx in (32, 64, 128, 256)]
        orders = [math.log2(errs[i] / errs[i + 1]) for i in range(3)]
        print(f"radial order {order}, cfl {cfl}: rel errors {errs}, orders {orders}")
        assert orders[-1] > 3.5


def test_long_run_stable():
    """u from -2R to 100R at nx = 128 intervals, nphi = 32, G = 0.05, phi-dependent data."""
    comp = [dict(amplitude=0.1, r_center=1.0, width=0.8, m=2, phase=0.3)]
    s = CharacteristicSolver(128, 32, 1.0, G=0.05)
    X, P = s.x[:, None], s.phi[None, :]
    chi0 = pulse_chi(-2.0, X, P, 1.0, OFF) + compact_chi(X, P, 1.0, comp)
    rec = []

    def out(step, u, chi, chiu, sv):
        f = sv.fields()
        rec.append((u, np.abs(chi).max(), np.abs(chiu).max(), np.abs(f["U"]).max(),
                    np.abs(f["calW"] + 1).max()))

    n = math.ceil(102.0 * 128 / 3.5)
    s.evolve(chi0, -2.0, 100.0, n, on_output=out, output_every=50)
    rec = np.array(rec)
    print("u, max|chi|, max|chi_u|, max|U|, max|calW+1| (every 10th sample):\n", rec[::10])
    late = rec[rec[:, 0] > 50]
    assert np.all(np.isfinite(rec))
    # decaying tails: nothing grows over the second half
    for col in (1, 2, 3, 4):
        assert late[-1, col] <= 1.01 * late[0, col]
