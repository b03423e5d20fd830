"""Issue 19: storage faults of ``asymflat run``: one line naming the path and the errno, a
documented exit status (4 storage, 5 exists, 6 locked), nothing lost, no temporary litter.

Full and read-only file systems are real tmpfs mounts when the tests run as root (else the
read-only case uses a mode-0555 directory, the full-disk cases RLIMIT_FSIZE only).
"""
from __future__ import annotations

import contextlib
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import h5py
import pytest

import asymflat
from asymflat import cli, runtime
from asymflat.io import checkpoint, lock
from asymflat.io.output_path import EXIT_EXISTS, EXIT_LOCKED, EXIT_STORAGE

sys.path.insert(0, str(Path(__file__).parent))
from reliability_support import differences, pulse_config  # noqa: E402

ROOT = Path(__file__).parents[1]
VACUUM = ROOT / "runs" / "vacuum_minkowski.toml"          # 1 s, a 124 kB result
ENV = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
           NUMBA_NUM_THREADS="1", PYTHONPATH=str(ROOT))
IS_ROOT = os.geteuid() == 0


def _run(*args: str, preexec=None, timeout: float = 300) -> subprocess.CompletedProcess:
    # --no-figures: what these tests count in the output directory is the result and its litter
    return subprocess.run([sys.executable, "-m", "asymflat.cli", "run", *map(str, args), "--quiet", "--no-figures"],
                          env=ENV,
                          capture_output=True, text=True, preexec_fn=preexec, timeout=timeout)


def _one_line(res: subprocess.CompletedProcess, *words: str) -> str:
    err = res.stderr.strip()
    assert "Traceback" not in err, err
    assert len(err.splitlines()) == 1, err
    assert err.startswith("asymflat: error: "), err
    for w in words:
        assert w in err, (w, err)
    return err


def _litter(d: Path) -> list[str]:
    return sorted(p.name for p in d.iterdir() if ".tmp." in p.name or p.name.endswith(".lock")
                  or p.name.startswith(".asymflat-probe"))


def _verified(path: Path) -> str:
    with asymflat.load(path) as r:
        r.verify()
    with h5py.File(path, "r") as f:
        return str(f.attrs["checksum"])


@contextlib.contextmanager
def _tmpfs(path: Path, size: str, ro: bool = False):
    path.mkdir(parents=True, exist_ok=True)
    opts = f"size={size}" + (",ro" if ro else "")
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(path)], capture_output=True, text=True)
    if res.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {res.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def test_missing_output_directory(tmp_path):
    res = _run(VACUUM, "-o", tmp_path / "no" / "such" / "x.h5")
    assert res.returncode == EXIT_STORAGE
    _one_line(res, str(tmp_path / "no" / "such"), "errno 2 ENOENT", "does not exist")
    assert not (tmp_path / "no").exists()                     # never created silently


def test_output_is_a_directory(tmp_path):
    res = _run(VACUUM, "-o", tmp_path)
    assert res.returncode == EXIT_STORAGE
    _one_line(res, str(tmp_path), "errno 21 EISDIR")


def test_existing_result_is_refused_unless_overwrite(tmp_path):
    out = tmp_path / "m.h5"
    assert _run(VACUUM, "-o", out).returncode == 0
    before, mtime = _verified(out), out.stat().st_mtime_ns
    res = _run(VACUUM, "-o", out)
    assert res.returncode == EXIT_EXISTS
    _one_line(res, str(out), "errno 17 EEXIST", "--overwrite")
    assert out.stat().st_mtime_ns == mtime and _verified(out) == before
    res = _run(VACUUM, "-o", out, "--overwrite")
    assert res.returncode == 0, res.stderr
    assert out.stat().st_mtime_ns != mtime
    _verified(out)
    assert _litter(tmp_path) == []


def test_read_only_output_directory(tmp_path):
    if IS_ROOT:
        ctx = _tmpfs(tmp_path / "ro", "1m", ro=True)
        expect = "errno 30 EROFS"
    else:
        (tmp_path / "ro").mkdir()
        (tmp_path / "ro").chmod(0o555)
        ctx = contextlib.nullcontext(tmp_path / "ro")
        expect = "errno 13 EACCES"
    with ctx as d:
        t0 = time.perf_counter()
        res = _run(VACUUM, "-o", d / "x.h5")
        assert res.returncode == EXIT_STORAGE
        _one_line(res, str(d), expect)
        assert time.perf_counter() - t0 < 60                  # refused before the run, not after
        assert list(d.iterdir()) == []


def _fsize_limit(nbytes: int):
    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)         # write(2) then fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (nbytes, nbytes))
    return limit


def test_file_size_limit_mid_write_is_one_line_and_keeps_the_old_result(tmp_path):
    out = tmp_path / "m.h5"
    assert _run(VACUUM, "-o", out).returncode == 0
    before = _verified(out)
    res = _run(VACUUM, "-o", out, "--overwrite", preexec=_fsize_limit(64 * 1024))
    assert res.returncode == EXIT_STORAGE, res.stderr
    _one_line(res, str(out), "errno 27 EFBIG")
    assert _verified(out) == before                           # the previous result is intact
    assert _litter(tmp_path) == []


def test_second_run_on_the_same_output_is_refused_by_the_lock(tmp_path):
    out = tmp_path / "m.h5"
    with lock.exclusive(out) as held:
        assert cli.main(["run", str(VACUUM), "-o", str(out), "--quiet"]) == EXIT_LOCKED
        res = _run(VACUUM, "-o", out)
        assert res.returncode == EXIT_LOCKED
        _one_line(res, str(held), "errno 11 EAGAIN", f":{os.getpid()}", str(out))
        assert not out.exists()
    assert not held.exists()                                  # removed on release
    assert _run(VACUUM, "-o", out).returncode == 0
    _verified(out)


def test_two_concurrent_runs_one_refused_one_complete(tmp_path):
    cfg = tmp_path / "p.toml"
    # u_end = 40: the first run must outlast the second's start-up (measured: u_end = 10 takes 3.5 s in
    # all, and once finished first the second was refused as an existing result, exit 5; 40 takes ~9 s)
    cfg.write_text(pulse_config(0.5, 40.0, 3))
    out = tmp_path / "p.h5"
    first = subprocess.Popen([sys.executable, "-m", "asymflat.cli", "run", str(cfg), "-o", str(out), "--quiet",
                              "--no-figures"],
                             env=ENV, stderr=subprocess.PIPE, text=True)
    ck = runtime.default_checkpoint(out)
    t0 = time.perf_counter()
    while not ck.exists() and first.poll() is None and time.perf_counter() - t0 < 120:
        time.sleep(0.01)
    assert first.poll() is None, "the first run ended before the second started"
    second = _run(cfg, "-o", out)
    assert second.returncode == EXIT_LOCKED
    _one_line(second, "p.h5.lock", "another run is writing")
    assert first.wait(timeout=300) == 0, first.stderr.read()
    _verified(out)
    assert _litter(tmp_path) == [] and not ck.exists()


@pytest.mark.skipif(not IS_ROOT, reason="needs a tmpfs mount (root)")
def test_full_disk_result_write_is_one_line_not_a_segfault(tmp_path):
    """On main: 200 lines of h5py tracebacks, then SIGSEGV (exit 139)."""
    with _tmpfs(tmp_path / "full", "64k") as d:
        res = _run(VACUUM, "-o", d / "m.h5")
        assert res.returncode == EXIT_STORAGE, (res.returncode, res.stderr[-2000:])
        _one_line(res, str(d / "m.h5"), "errno 28 ENOSPC", "no space left")
        assert list(d.iterdir()) == []


@pytest.mark.skipif(not IS_ROOT, reason="needs a tmpfs mount (root)")
def test_full_disk_keeps_the_last_checkpoint_and_resume_is_bit_identical(tmp_path):
    cfg = tmp_path / "p.toml"
    cfg.write_text(pulse_config(0.5, 10.0, 3))
    ref = tmp_path / "ref.h5"
    assert _run(cfg, "-o", ref).returncode == 0
    with _tmpfs(tmp_path / "full", "300k") as d:
        out = d / "p.h5"
        res = _run(cfg, "-o", out)
        assert res.returncode == EXIT_STORAGE, res.stderr
        err = _one_line(res, "errno 28 ENOSPC", "last good checkpoint kept", "--resume")
        ck = runtime.default_checkpoint(out)
        kept = [c for c in (ck, checkpoint.previous(ck)) if c.exists()]
        assert kept and str(kept[0]) in err
        for c in kept:
            checkpoint.read(c)                                # checksummed, readable
        assert not out.exists() and _litter(d) == []
        subprocess.run(["mount", "-o", "remount,size=4m", str(d)], check=True)
        res = _run(cfg, "-o", out, "--resume")
        assert res.returncode == 0, res.stderr
        assert differences(ref, out) == []
        assert sorted(p.name for p in d.iterdir()) == ["p.h5"]
