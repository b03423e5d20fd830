"""Every runs/*.toml reproduces its stored result digest bit for bit (issue 18: refactors change
no result). Slow: it runs every configuration (~4 min on the 2-core machine).

The digests (tests/digests/runs.json, made by ``python tests/support/digest.py make``) depend on
the floating-point platform; on another CPU or numpy/numba version the test skips with the reason.
Regenerate them only for a change that is *meant* to change results, and say so in the commit.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from support.digest import compare, file_digest, platform_tag  # tests/ is on sys.path under pytest

ROOT = Path(__file__).resolve().parents[1]
STORED = ROOT / "tests" / "digests" / "runs.json"


@pytest.mark.slow
def test_every_run_reproduces_its_digest(tmp_path):
    stored = json.loads(STORED.read_text())
    if stored["platform"] != platform_tag():
        pytest.skip(f"digests made on {stored['platform']}, this is {platform_tag()}")
    # the layout `make runs` uses (runs/, results/, results/incoming/), in tmp_path: configs that read
    # a file name it relative to their own directory (the incoming table, run A of the closure pair)
    runs, results = tmp_path / "runs", tmp_path / "results"
    runs.mkdir()
    (results / "incoming").mkdir(parents=True)
    subprocess.run([sys.executable, str(ROOT / "examples" / "incoming_bump.py"),
                    str(results / "incoming" / "gaussian_m3.h5"), "--shape", "gaussian", "--v-range", "-10", "10"],
                   check=True, capture_output=True, cwd=ROOT)
    found = {}
    for name in sorted(stored["runs"]):          # scattering_incoming before scattering_incoming_closure
        cfg = runs / f"{name}.toml"
        cfg.write_text((ROOT / "runs" / f"{name}.toml").read_text())
        out = results / f"{name}.h5"
        proc = subprocess.run([sys.executable, "-m", "asymflat.cli", "run", str(cfg), "-o", str(out), "--quiet",
                               "--no-figures"], capture_output=True, text=True, cwd=ROOT)
        assert proc.returncode == 0, f"{name}: {proc.stderr[-400:]}"
        found[name] = file_digest(out)
    assert compare(found, stored["runs"]) == []


def test_digest_sees_a_changed_bit(tmp_path):
    """Control: flipping one bit of one dataset changes the digest of its group and the total."""
    import h5py
    import numpy as np

    path = tmp_path / "r.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("scri_plus/mass_aspect", data=np.linspace(-1, 0, 7))
        f.create_group("summary").attrs["wall_time_s"] = 1.0
    a = file_digest(path)
    with h5py.File(path, "r+") as f:
        f["summary"].attrs["wall_time_s"] = 2.0          # volatile: ignored
    assert file_digest(path) == a
    with h5py.File(path, "r+") as f:
        d = f["scri_plus/mass_aspect"]
        x = d[()]
        x.view(np.int64)[3] ^= 1
        d[...] = x
    b = file_digest(path)
    assert b["scri_plus"] != a["scri_plus"] and b["total"] != a["total"]
    assert compare({"r": b}, {"r": a}) == ["r: differs in scri_plus"]
