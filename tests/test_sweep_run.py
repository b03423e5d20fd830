"""Running sweeps: LocalCluster (2 workers), serial, --point/--list/--status, skipping, failures."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


from asymflat import cli
from asymflat.batch import runner, spec, store
from asymflat.io.results import open_result

try:
    from support.configs import MINKOWSKI_VACUUM
except ImportError:  # pragma: no cover
    from tests.support.configs import MINKOWSKI_VACUUM

BASE = MINKOWSKI_VACUUM
#: 6 points; (G = 1, mass = 0.3) has 4 G mass = 1.2 >= 1: a deliberately broken point.
SIX = '[sweep]\nname = "scan"\nbase = "base.toml"\n[sweep.vary]\nG = [0.5, 1.0]\n"vacuum.mass" = [0.0, 0.1, 0.3]\n'
BROKEN_INDEX = 5


def _write(tmp_path: Path, body: str = SIX, name: str = "scan") -> Path:
    (tmp_path / "base.toml").write_text(BASE)
    path = tmp_path / f"{name}.toml"
    path.write_text(body)
    return path


def _assert_valid_results(manifest: dict, outdir: Path, n_done: int) -> None:
    done = [e for e in manifest["points"].values() if e["status"] == "done"]
    assert len(done) == n_done
    for h, entry in manifest["points"].items():
        if entry["status"] != "done":
            continue
        with open_result(outdir / entry["result"], verify_checksum=True) as f:
            assert spec.config_hash(str(f.attrs["config"])) == h
        assert entry["wall_time_s"] > 0 and entry["values"]


def _mtimes(outdir: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in outdir.glob("*.h5")}


def test_six_points_on_a_two_worker_local_cluster(tmp_path, capsys):
    path, out = _write(tmp_path), tmp_path / "out"
    assert cli.main(["sweep", str(path), "-o", str(out), "--workers", "2"]) == 1  # one point is broken
    text = capsys.readouterr()
    manifest = json.loads((out / "scan.manifest.json").read_text())
    assert len(manifest["points"]) == 6 and manifest["counts"] == {"done": 5, "failed": 1, "pending": 0}
    _assert_valid_results(manifest, out, 5)
    assert len(list(out.glob("*.h5"))) == 5
    broken = next(e for e in manifest["points"].values() if e["status"] == "failed")
    assert broken["index"] == BROKEN_INDEX and broken["values"] == {"G": 1.0, "vacuum.mass": 0.3}
    assert "vacuum.mass = 0.3" in broken["error"] and "4 G mass < 1" in broken["error"]
    assert "failed points:" in text.out and f"  {BROKEN_INDEX} (G=1, vacuum.mass=0.3)" in text.out
    assert "5 done (5 run now, 0 already done), 1 failed" in text.out

    before = _mtimes(out)
    assert cli.main(["sweep", str(path), "-o", str(out), "--workers", "2"]) == 1
    assert "5 done (0 run now, 5 already done), 1 failed" in capsys.readouterr().out
    assert _mtimes(out) == before  # rerunning does no work


def test_worker_environment_is_single_threaded():
    with runner.dask_client(1) as client:
        env = client.submit(eval, "__import__('os').environ.get('NUMBA_NUM_THREADS')", pure=False).result()
        numba_threads = client.submit(eval, "__import__('numba').config.NUMBA_NUM_THREADS", pure=False).result()
        nthreads = client.nthreads()
    assert env == "1" and numba_threads == 1
    assert list(nthreads.values()) == [1]


def test_serial_runtime_failure_is_reported_and_retried(tmp_path, capsys):
    body = ('[sweep]\nbase = "base.toml"\n[sweep.vary]\n"vacuum.spacetime" = ["minkowski", "flat_space_cosmology"]\n')
    path, out = _write(tmp_path, body, "fsc"), tmp_path / "out"
    report = runner.run_sweep(spec.load_sweep(path), out, serial=True)
    assert [s.status for s in report.states] == ["done", "failed"]
    err = report.states[1].error
    assert "energy" in err and "\n" not in err  # valid configuration, fails at run time (M > 0 needed)
    assert store.failed_marker(report.states[1].result).read_text().strip() == err
    assert report.ran == 2
    again = runner.run_sweep(spec.load_sweep(path), out, serial=True)
    assert again.ran == 1 and again.skipped == 1  # the failed point is retried, the done one skipped


def test_array_job_emulation_point_list_status(tmp_path, capsys):
    path, out = _write(tmp_path), tmp_path / "out"
    assert cli.main(["sweep", str(path), "-o", str(out), "--list"]) == 0
    rows = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 6 and [r[0] for r in rows] == [str(i) for i in range(6)]
    assert [r[1] for r in rows] == ["pending"] * 5 + ["failed"]
    codes = [cli.main(["sweep", str(path), "-o", str(out), "--point", str(k), "--quiet"]) for k in range(6)]
    assert codes == [0] * 5 + [2]
    assert not (out / "scan.manifest.json").exists()  # array tasks never write the manifest
    assert store.failed_marker(out / "scan_005_G1_mass0.3.h5").is_file()
    assert cli.main(["sweep", str(path), "-o", str(out), "--status"]) == 1
    assert "6 points: 5 done, 1 failed, 0 pending" in capsys.readouterr().out
    manifest = json.loads((out / "scan.manifest.json").read_text())
    _assert_valid_results(manifest, out, 5)
    assert cli.main(["sweep", str(path), "-o", str(out), "--point", "0"]) == 0  # already done: skipped
    assert cli.main(["sweep", str(path), "-o", str(out), "--point", "6"]) == 2
    assert "--point 6: out of range" in capsys.readouterr().err


def test_results_are_found_by_hash_after_the_indices_shift(tmp_path):
    path, out = _write(tmp_path, '[sweep]\nbase = "base.toml"\n[sweep.vary]\nG = [1.0, 2.0]\n', "g"), tmp_path / "out"
    first = runner.run_sweep(spec.load_sweep(path), out, serial=True)
    assert first.ran == 2
    path.write_text('[sweep]\nbase = "base.toml"\n[sweep.vary]\nG = [0.5, 1.0, 2.0]\n')
    second = runner.run_sweep(spec.load_sweep(path), out, serial=True)
    assert second.ran == 1 and second.ok
    assert second.states[1].result.name == "g_000_G1.h5"  # the old file, reused through the manifest


def test_stale_temp_file_of_a_dead_writer_is_removed(tmp_path):
    path, out = _write(tmp_path, '[sweep]\nbase = "base.toml"\n[sweep.vary]\nG = [1.0]\n', "t"), tmp_path / "out"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    out.mkdir()
    stale = out / f".t_000_G1.h5.tmp.{dead.pid}"
    stale.write_bytes(b"partial")
    ours = out / f".t_000_G1.h5.tmp.{os.getpid()}x"  # not a pid: left alone
    ours.write_bytes(b"")
    assert runner.run_sweep(spec.load_sweep(path), out, serial=True).ok
    assert not stale.exists() and ours.exists()


def test_dask_is_imported_lazily_and_serial_runs_without_it(tmp_path):
    path = _write(tmp_path, '[sweep]\nbase = "base.toml"\n[sweep.vary]\nG = [1.0]\n', "lazy")
    code = f"""
import sys
sys.modules["distributed"] = None  # as if dask were not installed
from asymflat import cli
cli.build_parser()
assert "dask" not in sys.modules
assert cli.main(["sweep", {str(path)!r}, "--serial", "--quiet", "-o", {str(tmp_path / 'o')!r}]) == 0
assert cli.main(["sweep", {str(path)!r}, "--workers", "2", "-o", {str(tmp_path / 'p')!r}]) == 2
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "pip install 'asymflat[dist]'" in proc.stderr
