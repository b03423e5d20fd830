"""The incoming-data layout and its refusals (issue 21): one line naming the file and the fault.

Measured thresholds (asymflat/incoming/table.py): for the three off-centre exact pulses of
test_incoming_first_cone.py the first-cone error is 0.08, 0.04, 0.025, 0.026, 0.038 times the
v-sampling indicator (6-point interpolation at 2h: 3.1e-2, 1.9e-3, 8.1e-5, 1.7e-6, 2.9e-8 at
h = 0.4 .. 0.025) and 0.5 to 0.1 times the angular spectral-tail ratio; a tail fit residual r gives
an error of about 3 r (4 terms on [-20, 40]: residual 2.8e-6, error 9.3e-6).
"""
from __future__ import annotations

import h5py
import numpy as np
import pytest

from asymflat.exact.pulses import pulse_psi0_scri_minus
from asymflat.incoming import tails
from asymflat.incoming.table import IncomingData, IncomingDataError, incoming_energy, with_tails
from asymflat.io import incoming as io
from asymflat.kinds.scattering import incoming_mass_aspect

PULSES = [dict(amplitude=1.0, a=1.0, x0=0.3)]


def _pulse_table(h=0.1, nphi=16, v0=-60.0, v1=60.0, pulses=PULSES, name="<array>"):
    v = v0 + h * np.arange(int(round((v1 - v0) / h)) + 1)
    phi = 2 * np.pi * np.arange(nphi) / nphi
    return with_tails(v, phi, pulse_psi0_scri_minus(v[:, None], phi[None, :], pulses), name)


def _refusal(path, G=None) -> str:
    with pytest.raises(IncomingDataError) as exc:
        io.read(path, G)
    msg = str(exc.value)
    assert "\n" not in msg and str(path) in msg, msg
    return msg


def test_roundtrip(tmp_path):
    d = _pulse_table()
    p = io.write(tmp_path / "in.h5", d, "one exact pulse")
    back = io.read(p, G=0.05)
    assert np.array_equal(back.psi0, d.psi0) and np.array_equal(back.v, d.v)
    assert back.late.power == d.late.power and np.array_equal(back.late.coefficients, d.late.coefficients)


def test_not_this_layout(tmp_path):
    p = tmp_path / "other.h5"
    with h5py.File(p, "w") as f:
        f.attrs["format"] = "asymflat-run"
    assert "not an asymflat incoming-data file" in _refusal(p)
    with h5py.File(p, "w") as f:
        f.attrs.update(format="asymflat-incoming", format_version=1)
        f.create_dataset("incoming/v", data=np.arange(40.0))
    assert "missing incoming/phi, incoming/psi0" in _refusal(p)
    p.write_text("not hdf5")
    assert "not an asymflat incoming-data file" in _refusal(p)


def _write_raw(path, d: IncomingData):
    """Write without the writer's check (what a third-party tool might produce)."""
    good = io.write(path, _pulse_table())
    with h5py.File(good, "r+") as f:
        for k in ("v", "phi", "psi0"):
            del f[f"incoming/{k}"]
            f[f"incoming/{k}"] = getattr(d, k)
        for end, law in (("early", d.early), ("late", d.late)):
            del f[f"incoming/tail_{end}"]
            t = f.create_group(f"incoming/tail_{end}")
            t.attrs["law"] = "none" if law is None else "power"
            if law is not None:
                t.attrs.update(power=law.power, center=law.center)
                t["coefficients"] = law.coefficients
    return path


def test_refusals(tmp_path):
    d = _pulse_table()
    p = tmp_path / "bad.h5"
    v = d.v.copy()
    v[100] += 0.01 * d.h
    assert "not uniform" in _refusal(_write_raw(p, IncomingData(v, d.phi, d.psi0, d.early, d.late)))
    g = d.psi0.copy()
    g[7, 3] = np.nan
    assert "psi0 contains 1 NaN" in _refusal(_write_raw(p, IncomingData(d.v, d.phi, g, d.early, d.late)))
    assert "phi grid" in _refusal(_write_raw(p, IncomingData(d.v, d.phi + 0.1, d.psi0, d.early, d.late)))
    coarse = _pulse_table(h=0.4)                   # indicator 2.3e-2 > V_TOL = 1e-3
    assert "v sampling unresolved" in _refusal(_write_raw(p, coarse))
    few = _pulse_table(nphi=6, pulses=[dict(amplitude=1.0, a=1.0, x0=0.8)])
    assert "angular spectrum unresolved" in _refusal(_write_raw(p, few))
    assert "late end of v" in _refusal(_write_raw(p, IncomingData(d.v, d.phi, d.psi0, d.early, None)))
    # a Gaussian cut at 3 widths: neither vanishes nor follows a power law
    vv = -12 + 0.05 * np.arange(481)
    gauss = np.exp(-(vv[:, None] / 4) ** 2) * np.ones((1, 8))
    gd = with_tails(vv, 2 * np.pi * np.arange(8) / 8, gauss)
    msg = _refusal(_write_raw(p, gd))
    assert "early end of v" in msg and "neither vanishes nor follows its tail law" in msg


def test_energy_matches_the_scattering_estimate_and_refuses_beyond_the_conical_range(tmp_path):
    """E_in from the table equals incoming_mass_aspect's (closed-form news): measured 1.7e-8 relative."""
    d = _pulse_table(h=0.05, v0=-200, v1=200)
    G = 0.05
    est = (incoming_mass_aspect(PULSES, G, 16) + 1) / (16 * np.pi * G)
    assert np.max(np.abs(incoming_energy(d) - est)) / np.max(est) < 1e-7
    assert io.read(io.write(tmp_path / "ok.h5", d), G=G) is not None
    big = _pulse_table(h=0.05, v0=-200, v1=200, pulses=[dict(amplitude=4.0, a=1.0, x0=0.3)])
    msg = _refusal(io.write(tmp_path / "big.h5", big), G=G)
    assert "conical-defect range" in msg


def test_tail_law_of_exact_pulses():
    """Law (b): psi0- = Re A (2v)^-1/2 sum binom(-1/2, k)(-tau/v)^k; at v -> -inf it starts at |v|^-3/2."""
    d = _pulse_table()
    assert d.early.power == 0.5 and d.late.power == 0.5
    assert abs(d.late.coefficients[0].mean() - 1 / np.sqrt(2)) < 1e-6
    assert np.max(np.abs(d.early.coefficients[0])) < 1e-4
    _, res = tails.fit(d.v, d.psi0, "late", powers=(1.0,))
    assert res > 1e3 * tails.residual(d.late, d.v, d.psi0)
