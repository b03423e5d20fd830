"""Result file format v1: every dataset and attribute docs/format.md lists, atomic writes, refusals."""
from __future__ import annotations

import re
from pathlib import Path

import h5py
import numpy as np
import pytest

import asymflat
from asymflat import cli, config
from asymflat.data import SCRI_DATASETS, Check, RunData, ScriData
from asymflat.io import results
from asymflat.io.results import ResultFileError

DOC = (Path(__file__).parents[1] / "docs" / "format.md").read_text()

CFG_TEXT = """kind = "vacuum"\nG = 1.0\n[grid]\nnphi = 8\n[evolution]\nu_start = 0.0\nu_end = 1.0\n[vacuum]\n"""


def _section(title: str) -> str:
    return DOC.split(f"## {title}")[1].split("\n## ")[0]


def _first_column_names(text: str) -> set[str]:
    names = set()
    for line in text.splitlines():
        m = re.match(r"\|\s*(.+?)\s*\|", line)
        if m:
            names.update(re.findall(r"`([A-Za-z_0-9]+)`", m.group(1)))
    return names


def _scri(name: str, nt: int = 5, nphi: int = 8) -> ScriData:
    t = np.linspace(0, 1, nt)
    phi = 2 * np.pi * np.arange(nphi) / nphi
    z = np.zeros((nt, nphi))
    return ScriData(name, t, phi, z - 1, z, z, z, z)


def _rundata() -> RunData:
    phi = 2 * np.pi * np.arange(8) / 8
    return RunData(
        scri_plus=_scri("scri_plus"),
        scri_minus=_scri("scri_minus"),
        matching={"phi": (phi, "rad", "angle"), "charges_residual": (np.zeros(3), "1/G", "Q+ - Q-")},
        series={"u": (np.linspace(0, 1, 5), "length", "time"), "residual": (np.zeros(5), "1", "a residual")},
        checks=[Check("exact_zero", 0.0, 1e-16, 10.0, "roundoff", "a check that passes")],
        fields={"chi": (np.zeros((100, 64)), "1", "big array, compressed")},
        summary={"energy_plus": -0.125},
    )


@pytest.fixture()
def written(tmp_path) -> Path:
    cfg = config.parse(CFG_TEXT)
    return results.write(tmp_path / "r.h5", _rundata(), cfg, config.to_toml(cfg))


def test_root_attributes_listed_in_docs_are_written(written):
    listed = _first_column_names(_section("Root attributes"))
    assert {"format", "format_version", "complete", "checksum", "git_commit", "config"} <= listed
    with h5py.File(written) as f:
        assert listed <= set(f.attrs), listed - set(f.attrs)
        assert f.attrs["format"] == "asymflat-run" and f.attrs["complete"]
        assert config.parse(f.attrs["config"]) == config.parse(CFG_TEXT)


def test_scri_datasets_listed_in_docs_are_written_with_units_and_scales(written):
    listed = _first_column_names(_section("`/scri_plus` and `/scri_minus`"))
    assert set(SCRI_DATASETS) <= listed
    with h5py.File(written) as f:
        for group, tname in (("scri_plus", "u"), ("scri_minus", "v")):
            g = f[group]
            expected = (listed - {"u", "v"}) | {tname}
            assert expected <= set(g), expected - set(g)
            for name in expected:
                assert "units" in g[name].attrs and "description" in g[name].attrs
            assert g["mass_aspect"].dims[0][0].name.endswith("/" + tname)
            assert g["mass_aspect"].dims[1][0].name.endswith("/phi")


def test_checks_carry_every_documented_attribute(written):
    listed = _first_column_names(_section("`/diagnostics`"))
    with h5py.File(written) as f:
        attrs = set(f["diagnostics/checks/exact_zero"].attrs)
        optional = {"scale", "vacuous"}      # only a check that states its scale (test_check_vacuous.py)
        assert optional <= listed and listed - optional <= attrs, listed - attrs
        assert f["fields/chi"].compression == "gzip" and f["fields/chi"].shuffle


def test_load_round_trip_and_repr(written):
    with asymflat.load(written) as r:
        assert r.kind == "vacuum" and r.G == 1.0
        np.testing.assert_array_equal(r.scri_plus.mass_aspect, -np.ones((5, 8)))
        np.testing.assert_array_equal(r.scri_minus.v, np.linspace(0, 1, 5))
        assert r.checks[0].passed and r.summary["energy_plus"] == -0.125
        text = repr(r)
        assert "scri_plus" in text and "1/1 checks pass" in text
        r.verify()


def test_no_temporary_file_left(written):
    assert [p.name for p in written.parent.iterdir()] == ["r.h5"]


def test_truncated_file_is_refused(written, capsys):
    data = written.read_bytes()
    written.write_bytes(data[:-7])
    with pytest.raises(ResultFileError):
        asymflat.load(written).verify()
    assert cli.main(["info", str(written)]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_modified_dataset_fails_checksum(written):
    with h5py.File(written, "r+") as f:
        f["scri_plus/mass_aspect"][0, 0] = 5.0
    with asymflat.load(written) as r, pytest.raises(ResultFileError, match="checksum"):
        r.verify()


def test_newer_version_incomplete_and_foreign_files_refused(written, tmp_path):
    with h5py.File(written, "r+") as f:
        f.attrs["format_version"] = 99
    with pytest.raises(ResultFileError, match="newer"):
        asymflat.load(written)
    with h5py.File(written, "r+") as f:
        f.attrs["format_version"] = 1
        f.attrs["complete"] = False
    with pytest.raises(ResultFileError, match="incomplete"):
        asymflat.load(written)
    foreign = tmp_path / "foreign.h5"
    with h5py.File(foreign, "w") as f:
        f["x"] = np.arange(3)
    with pytest.raises(ResultFileError, match="not an asymflat result"):
        asymflat.load(foreign)
    text = tmp_path / "text.h5"
    text.write_text("hello")
    with pytest.raises(ResultFileError, match="not a readable HDF5"):
        asymflat.load(text)


def test_failed_write_leaves_nothing(tmp_path):
    cfg = config.parse(CFG_TEXT)
    bad = _rundata()
    bad.matching["bad"] = (object(), "1", "not storable")
    with pytest.raises(Exception):
        results.write(tmp_path / "r.h5", bad, cfg, config.to_toml(cfg))
    assert list(tmp_path.iterdir()) == []
