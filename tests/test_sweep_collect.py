"""One table of a sweep (asymflat collect / sweep --collect): parameters, summaries, checks."""
from __future__ import annotations

import csv
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import asymflat
from asymflat.batch import collect, spec

try:
    from support.configs import MINKOWSKI_VACUUM
except ImportError:  # pragma: no cover
    from tests.support.configs import MINKOWSKI_VACUUM

_EXE = Path(sys.executable).parent / "asymflat"
CMD = [str(_EXE)] if _EXE.exists() else [sys.executable, "-m", "asymflat.cli"]
#: 6 points; (G = 1, mass = 0.3) has 4 G mass = 1.2 >= 1: an invalid point, recorded as failed
SIX = ('[sweep]\nname = "scan"\nbase = "base.toml"\nmode = "product"\n[sweep.vary]\nG = [0.5, 1.0]\n'
       '"vacuum.mass" = [0.0, 0.1, 0.3]\n')


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*CMD, *args], capture_output=True, text=True, cwd=cwd, timeout=300, env=os.environ)


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    d = tmp_path_factory.mktemp("collect")
    (d / "base.toml").write_text(MINKOWSKI_VACUUM)
    (d / "scan.toml").write_text(SIX)
    p = _run("sweep", "scan.toml", "-o", "out", "--serial", "--collect", "--show", "summary.scri_plus_E", cwd=d)
    assert p.returncode == 1, p.stderr          # one point is invalid
    return d, p


def test_sweep_collect_writes_csv_and_netcdf_and_prints_the_table(swept):
    d, p = swept
    out = d / "out"
    assert f"wrote out{os.sep}scan.table.csv" in p.stdout and f"wrote out{os.sep}scan.table.nc" in p.stdout
    lines = [ln for ln in p.stdout.splitlines() if ln[:1].isdigit()]
    assert len(lines) == 6 and lines[5].split()[:2] == ["5", "failed"]
    head = next(ln for ln in p.stdout.splitlines() if ln.startswith("point"))
    assert "G" in head and "vacuum.mass" in head and "summary.scri_plus_E" in head
    rows = list(csv.DictReader(open(out / "scan.table.csv", newline="")))
    assert len(rows) == 6
    assert [r["status"] for r in rows] == ["done"] * 5 + ["failed"]
    assert rows[5]["G"] == "1.0" and rows[5]["vacuum.mass"] == "0.3" and "4 G mass < 1" in rows[5]["error"]
    assert rows[5]["summary.scri_plus_E"] == ""          # nothing read for a failed point


def test_table_values_are_the_result_files_values(swept):
    xr = pytest.importorskip("xarray")
    d, _ = swept
    out = d / "out"
    ds = xr.open_dataset(out / "scan.table.nc")
    assert ds.sizes["point"] == 6 and set(ds.coords) >= {"G", "vacuum.mass", "index"}
    assert ds.attrs["varied_keys"] == "G, vacuum.mass"
    for i in range(5):
        with asymflat.load(out / str(ds["result"].values[i])) as r:
            assert float(ds["G"][i]) == r.config["G"]
            assert float(ds["vacuum.mass"][i]) == r.config["vacuum"]["mass"]
            for k in ("scri_plus_E", "hill_trace", "wall_time_s"):
                assert float(ds[f"summary.{k}"][i]) == r.summary[k]        # bit-equal, not approx
            for c in r.checks:
                assert float(ds[f"check.{c.name}.value"][i]) == c.value
                assert float(ds[f"check.{c.name}.tolerance"][i]) == c.tolerance
                assert float(ds[f"check.{c.name}.passed"][i]) == float(c.passed)
    assert math.isnan(float(ds["summary.scri_plus_E"][5]))
    # the base is Minkowski (Theta = -1): E = -1/(8 G) at every point, whatever vacuum.mass
    G = ds["G"].values[:5]
    assert np.allclose(ds["summary.scri_plus_E"].values[:5], -1 / (8 * G), rtol=1e-12)
    # a product sweep unstacks into its grid
    grid = ds.isel(point=slice(0, 5)).set_index(point=["G", "vacuum.mass"]).unstack("point")
    assert grid["summary.scri_plus_E"].shape == (2, 3)


def test_collect_command_alone_and_python_api(swept):
    d, _ = swept
    p = _run("collect", "scan.toml", "-o", "out", "--no-netcdf", cwd=d)
    assert p.returncode == 1 and "wrote" in p.stdout and ".nc" not in p.stdout, p.stderr
    sweep = spec.load_sweep(d / "scan.toml")
    table = collect.collect(sweep, d / "out")
    assert table.n_points == 6 and table.keys == ("G", "vacuum.mass")
    assert table.column("index").dtype == np.int64
    bad = _run("collect", "scan.toml", "-o", "out", "--show", "summary.scri_plus_EE", cwd=d)
    assert bad.returncode == 2 and "did you mean 'summary.scri_plus_E'" in bad.stderr
    missing = _run("collect", "scan.toml", "-o", "nowhere", cwd=d)
    assert missing.returncode == 2 and "no such sweep output directory" in missing.stderr


def test_to_xarray_without_xarray_names_the_extra(swept, monkeypatch):
    d, _ = swept
    table = collect.collect(spec.load_sweep(d / "scan.toml"), d / "out")
    monkeypatch.setitem(sys.modules, "xarray", None)
    with pytest.raises(ModuleNotFoundError, match=r'pip install -e "\.\[table\]"'):
        table.to_xarray()
