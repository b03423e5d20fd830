"""A tabulated profile that is not of the exact family runs through (issue 21): the compact m = 3
bump of examples/incoming_bump.py is accepted by the reader and its first cone self-converges.

Measured (u0 = -6, R = 2, x = j/32, nphi = 32): max |chi_h - chi_h/2| = 5.03e-5, 1.88e-6, 6.38e-8
for h = 0.1, 0.05, 0.025, 0.0125 (orders 4.74, 4.88: the design order 5 of the half-derivative);
at h = 0.025, |chi(nphi) - chi(48)| = 2.4e-3, 5.5e-4, 8.6e-5 for nphi = 16, 24, 32 (the reader
refuses 16 and 24: spectral tail 1.0e-2, 1.6e-3 > 1e-3; 32: 4.1e-4).
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from asymflat.incoming.first_cone import first_cone_chi
from asymflat.io import incoming as io

_spec = importlib.util.spec_from_file_location(
    "incoming_bump", Path(__file__).resolve().parents[1] / "examples" / "incoming_bump.py")
bump = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bump)

X = np.arange(33) / 32
PHI = 2 * np.pi * np.arange(32) / 32    # as many angles as the table: no aliasing of its modes


def test_example_file_is_accepted(tmp_path, capsys):
    out = tmp_path / "bump.h5"
    bump.main([str(out)])
    d = io.read(out, G=0.05)
    assert d.early is None and d.late is None          # compact: both ends vanish
    assert d.psi0.shape == (321, 32)


def test_bump_first_cone_self_converges():
    chi = [first_cone_chi(bump.bump_table(h, 32), -6.0, X, PHI, 2.0) for h in (0.1, 0.05, 0.025)]
    d1, d2 = np.abs(chi[0] - chi[1]).max(), np.abs(chi[1] - chi[2]).max()
    assert d2 < 3e-6 and np.log2(d1 / d2) > 4.4, (d1, d2)      # measured 5.03e-5, 1.88e-6: 4.74
    # the m = 3 pattern reaches the cone (|chi_3|max / |chi_0|max measured 0.089); modes 1, 2 only
    # by the table's aliasing of its modes 3k >= 30 (measured 1.6e-6)
    c = np.abs(np.fft.rfft(chi[2], axis=1))
    assert c[:, 3].max() > 0.05 * c[:, 0].max() and c[:, 1:3].max() < 1e-5 * c[:, 0].max()
