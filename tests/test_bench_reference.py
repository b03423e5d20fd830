"""The plain-numpy reference step of bench/ agrees with the numba kernels to 1e-12 (issue 12).

Random smooth-ish chi projected onto the vertex-regular subspace; compared: the full rhs output
chi_u, the hypersurface fields b, q, U, calW, and one whole RK4 step.  Errors are relative to the
max norm of the kernel's array.  Measured ~1e-15.  Both modes: plain and de-aliased (dealias=True,
the pointwise stage on the padded phi grid).
"""
from __future__ import annotations

import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench.reference_numpy import ReferenceStep, random_regular_chi  # noqa: E402
from solvers.characteristic import CharacteristicSolver, vertex_shift  # noqa: E402

TOL = 1e-12


def _rel(a, b):
    s = np.abs(a).max()
    return np.abs(a - b).max() / s if s > 0 else np.abs(b).max()


@pytest.mark.parametrize("G,nx,nphi,order,filt", [
    (0.0, 32, 16, 6, True),
    (0.05, 32, 16, 6, True),
    (0.05, 48, 24, 4, False),
    (0.1, 40, 32, 6, True),
])
@pytest.mark.parametrize("dealias", [False, True])
def test_reference_agrees_with_kernels(G, nx, nphi, order, filt, dealias):
    uc = vertex_shift(nphi, 0.2, (0.1, -0.05))
    s = CharacteristicSolver(nx, nphi, 1.3, G=G, uc=uc, filter=filt, order=order, dealias=dealias)
    ref = ReferenceStep(s)
    for seed in (1, 2):
        chi = 0.3 * random_regular_chi(s, seed)
        out = s.rhs(chi)
        f = s.fields()
        out_ref = ref.rhs(chi)
        assert np.abs(out).max() > 0.1
        assert _rel(out, out_ref) < TOL
        for k in ("b", "q", "U", "calW"):
            if G == 0 and k in ("b", "q"):
                assert np.abs(f[k]).max() == 0 and np.abs(ref.fields[k]).max() == 0
            else:
                assert _rel(f[k], ref.fields[k]) < TOL, k
        if G > 0:
            assert np.abs(f["q"]).max() > 1e-3  # the phi-dependent hypersurface terms are exercised
    # one full RK4 step through the time loop
    dt = 2.0 * s.R / nx
    chi = 0.1 * random_regular_chi(s, 3)
    new = s.evolve(chi, 0.0, dt, 1, project_initial=False)
    assert np.abs(new).max() < 2.0 * np.abs(chi).max()  # a tame step (no blow-up amplifying round-off)
    assert _rel(new, ref.step(chi, dt)) < TOL
