"""The ``/incoming`` group of a scattering result (docs/format.md): the table the run used, with its
source and SHA-256, read back exactly; the closure of a pair found from the files alone, and refused
when the source result is not the file the second run was made from.  Also the units of a
scattering result's charge series (J and K are lengths / G; they were stored as 1/G).

Runs: nx = 65, nphi = 32, one first cone (about 3 s each; G = 0, and one at G = 0.005).
"""
from __future__ import annotations

import shutil

import h5py
import numpy as np
import pytest

from asymflat import api
from asymflat.incoming import closure as _closure
from asymflat.incoming.reverse import reflected_result
from asymflat.incoming.table import IncomingDataError
from asymflat.io import incoming as incoming_io
from asymflat.pipeline.incoming_input import file_sha256

try:
    from support.configs import SCATTERING_INCOMING_TEMPLATE
    from support.examples import example
except ImportError:  # pragma: no cover
    from tests.support.configs import SCATTERING_INCOMING_TEMPLATE
    from tests.support.examples import example

bump = example("incoming_bump")



@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("prov")
    incoming_io.write(tmp / "gauss.h5", bump.bump_table(0.05, 32, (-10.0, 10.0), "gaussian"))
    for name, src in (("a", 'incoming = "gauss.h5"'), ("b", 'incoming_from = "a.h5"')):
        (tmp / f"{name}.toml").write_text(SCATTERING_INCOMING_TEMPLATE.format(G=0.0, nx=65, u0=-20.0, extra="", source=src))
        api.run(tmp / f"{name}.toml", tmp / f"{name}.h5").close()
    (tmp / "c.toml").write_text(SCATTERING_INCOMING_TEMPLATE.format(G=0.005, nx=65, u0=-20.0, extra="",
                                                                    source='incoming = "gauss.h5"'))
    api.run(tmp / "c.toml", tmp / "c.h5").close()                      # G > 0: charges are written
    return tmp


def test_the_table_and_its_source_are_stored(pair):
    D = incoming_io.read(pair / "gauss.h5")
    stored, attrs = _closure.stored_incoming(pair / "a.h5")
    assert attrs["key"] == "incoming" and attrs["source"].endswith("gauss.h5")
    assert attrs["source_sha256"] == file_sha256(pair / "gauss.h5")
    assert np.array_equal(stored.psi0, D.psi0) and np.array_equal(stored.v, D.v)
    assert stored.early is None and stored.late is None          # the Gaussian vanishes at both ends
    # B stores T psi0+_A, the reflected table with its fitted 1/u tails, exactly as incoming_from built it
    T, tol = reflected_result(pair / "a.h5")
    back, battrs = _closure.stored_incoming(pair / "b.h5")
    assert battrs["key"] == "incoming_from" and battrs["source_sha256"] == file_sha256(pair / "a.h5")
    with h5py.File(pair / "a.h5", "r") as f:
        assert battrs["source_checksum"] == f.attrs["checksum"]
    assert np.array_equal(back.psi0, T.psi0) and np.array_equal(back.late.coefficients, T.late.coefficients)
    assert battrs["tail_tolerance"] == max(tol, 1e-6)


def test_closure_from_the_files_alone(pair):
    """The loop D -> A -> B -> T psi0+_B: D read from A's /incoming (the gauss.h5 file removed)."""
    D, v, loop = _closure.closed_loop(pair / "b.h5")
    ref = _closure.closure_residual(D, v, loop)
    moved = pair / "moved"
    moved.mkdir()
    shutil.copy(pair / "gauss.h5", moved / "gauss.h5")
    (pair / "gauss.h5").unlink()
    try:
        D2, v2, loop2 = _closure.closed_loop(pair / "b.h5")
    finally:
        shutil.move(moved / "gauss.h5", pair / "gauss.h5")
    assert np.array_equal(D2.psi0, D.psi0) and _closure.closure_residual(D2, v2, loop2) == ref
    # (its size at nx = 65, 1.5, is unresolved; the closure's convergence: tests/test_scattering_incoming.py)


def test_closure_refuses_a_changed_source(pair, tmp_path):
    """B's /incoming records the SHA-256 of A; a B whose record does not match A is refused."""
    shutil.copy(pair / "b.h5", tmp_path / "b.h5")
    with h5py.File(tmp_path / "b.h5", "r+") as f:
        f["incoming"].attrs["source_sha256"] = "0" * 64
    with pytest.raises(IncomingDataError, match="not the file this run was made from"):
        _closure.closed_loop(tmp_path / "b.h5")


def test_charge_series_units(pair):
    from asymflat.data import CHARGE_UNITS

    with h5py.File(pair / "c.h5", "r") as f:
        assert f["incoming"].attrs["key"] == "incoming"
        units = {k: f[f"diagnostics/{k}"].attrs["units"] for k in CHARGE_UNITS}
    assert units == CHARGE_UNITS and units["J"] == "length/G" and units["E"] == "1/G"
