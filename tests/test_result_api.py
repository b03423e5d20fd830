"""Python API over result files: charges for user generators, Poincare and mode charges."""
from __future__ import annotations

import numpy as np
import pytest

import asymflat

CFG = {"kind": "vacuum", "G": 0.5, "grid": {"nphi": 32}, "evolution": {"u_start": -2.0, "u_end": 2.0},
       "vacuum": {"spacetime": "supertranslated_minkowski", "n_cuts": 5},
       "frame": {"supertranslation": [[2, 0.3, 0.0], [3, 0.0, 0.1]]}}


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    r = asymflat.run(CFG, tmp_path_factory.mktemp("api") / "st.h5")
    yield r
    r.close()


def test_charge_accepts_callables_arrays_and_fourier_coefficients(result):
    sp = result.scri_plus
    G = 0.5
    # energy of Minkowski on every cut
    assert np.allclose(sp.charge(T=1.0), -1 / (8 * G), atol=1e-14)
    # superrotation charge Q[0, sin 2phi] of supertranslated Minkowski: -(1/8 pi G) oint alpha (Y' + Y''')
    phi = sp.phi
    alpha = 0.3 * np.cos(2 * phi) + 0.1 * np.sin(3 * phi)
    Y = np.sin(2 * phi)
    Yp, Yppp = 2 * np.cos(2 * phi), -8 * np.cos(2 * phi)
    expected = -(2 * np.pi / phi.size) * np.sum(alpha * (Yp + Yppp)) / (8 * np.pi * G)
    q_callable = sp.charge(Y=lambda p: np.sin(2 * p))
    q_array = sp.charge(Y=Y)
    q_fourier = sp.charge(Y={2: -0.5j, -2: 0.5j})
    assert abs(expected) > 0.1
    for q in (q_callable, q_array, q_fourier):
        assert q.shape == (5,) and np.allclose(q, expected, rtol=1e-11)


def test_poincare_and_mode_charges(result):
    pc = result.scri_plus.poincare_charges()
    assert np.allclose(pc["E"], -0.25, atol=1e-14)
    for k in ("p_x", "p_y", "J", "K_x", "K_y"):
        assert np.allclose(pc[k], 0.0, atol=1e-12), k
    ns, P, J = result.scri_plus.mode_charges(nmax=4)
    assert P.shape == (5, 9)
    assert np.allclose(J[:, ns == 2], result.scri_plus.charge(Y={2: 1.0})[:, None])
    assert np.abs(J[:, ns == 2]).min() > 1e-3 and np.allclose(J[:, ns == 1], 0, atol=1e-12)


def test_charge_table_and_bad_generator(result):
    table = result.charge_table()
    assert table[0][0] == "E" and abs(table[0][3]) < 1e-14
    with pytest.raises(ValueError, match="phi grid"):
        result.scri_plus.charge(T=np.ones(7))
