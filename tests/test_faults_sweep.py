"""Issue 19: sweeps under faults: a worker SIGKILLed mid-point (retried once, from its checkpoint),
killed twice (recorded as failed with the reason), the scheduler / driver killed (a re-run does only
what is missing); LocalCluster and a real ``dask scheduler`` + ``dask worker`` on 127.0.0.1.

The points are small checkpointed characteristic runs (nx 33, nphi 8, ~1.5 s each, checkpoint every
3 steps); a worker is found through the ``RESULT.lock`` it holds (``host:pid``).
"""
from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import asymflat
from asymflat import api
from asymflat.batch import spec, store

sys.path.insert(0, str(Path(__file__).parent))
from reliability_support import differences, pulse_config  # noqa: E402

pytest.importorskip("distributed")

ROOT = Path(__file__).parents[1]
ENV = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
           NUMBA_NUM_THREADS="1", PYTHONPATH=str(ROOT))
U_ENDS = (9.0, 10.0, 11.0)
SWEEP = '[sweep]\nname = "sw"\nbase = "base.toml"\n[sweep.vary]\n"evolution.u_end" = [9.0, 10.0, 11.0]\n'
DASK = Path(sys.executable).with_name("dask")
#: the client gives up reconnecting to a lost scheduler after 5 s instead of Dask's default 30 s
FAST_RECONNECT = dict(ENV, DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT="5s")


def _setup(d: Path) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    (d / "base.toml").write_text(pulse_config(0.5, 10.0, 3))
    (d / "sw.toml").write_text(SWEEP)
    return d / "sw.toml"


def _sweep(path: Path, out: Path, *extra: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "asymflat.cli", "sweep", str(path), "-o", str(out), *extra],
                            env=env or ENV, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)


def _kill_holder(out: Path, name: str | None = None, limit: float = 120.0, after_checkpoint: bool = True,
                 not_pid: int | None = None):
    """SIGKILL the process holding a point's lock once it has a checkpoint; return (result, pid).

    ``not_pid``: skip a lock still naming that (killed) process -- a SIGKILLed holder leaves its
    lock file behind (``flock`` is released, the file stays), until the retry takes it over."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < limit:
        for lk in out.glob(f"{name or '*'}.h5.lock"):
            res = lk.with_name(lk.name[:-len(".lock")])
            ck = res.with_name(res.name + ".checkpoint")
            if after_checkpoint and not ck.exists():
                continue
            with contextlib.suppress(ValueError, OSError, IndexError):
                pid = int(lk.read_text().strip().rsplit(":", 1)[1])
                if pid == not_pid:
                    continue
                os.kill(pid, signal.SIGKILL)
                return res, pid
        time.sleep(0.005)
    raise AssertionError(f"no point of {out} got a checkpoint within {limit} s")


@pytest.fixture(scope="module")
def references(tmp_path_factory):
    """Uninterrupted results of the three points (Python API, in-process)."""
    d = tmp_path_factory.mktemp("ref")
    refs = {}
    for u in U_ENDS:
        text = pulse_config(0.5, u, 3)
        (d / "c.toml").write_text(text)
        refs[u] = d / f"ref{u}.h5"
        api.run(d / "c.toml", refs[u]).close()
    return refs


def _check_consistent(out: Path, refs: dict, n_done: int, between: bool = False) -> dict:
    """Manifest entries agree with the result files; every done result is bit-identical to its
    uninterrupted reference; no checkpoints of done points remain, and no temporaries or locks
    (``between``: of done points only -- a point killed mid-write keeps its temporary and lock
    file until it is run again, which removes them)."""
    manifest = json.loads((out / "sw.manifest.json").read_text())
    done = {h: e for h, e in manifest["points"].items() if e["status"] == "done"}
    assert len(done) == n_done, manifest
    for h, e in manifest["points"].items():
        res = out / e["result"]
        if e["status"] == "done":
            with asymflat.load(res) as r:
                r.verify()
                assert spec.config_hash(r.config_text) == h
            assert differences(refs[e["values"]["evolution.u_end"]], res) == []
            assert not store.failed_marker(res).exists()
            assert not res.with_name(res.name + ".checkpoint").exists()
        else:
            assert not res.exists()
    litter = [p.name for p in out.iterdir() if ".tmp." in p.name or p.name.endswith(".lock")]
    if between:
        litter = [n for n in litter if any(e["result"] in n for e in done.values())]
    assert litter == []
    return manifest


def test_local_cluster_worker_killed_mid_point_is_retried_from_its_checkpoint(tmp_path, references):
    path = _setup(tmp_path)
    out = tmp_path / "out"
    proc = _sweep(path, out, "--workers", "2", "--no-warmup")
    res, _ = _kill_holder(out)
    text, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, text
    assert f"point {spec_index(res)}: worker lost (KilledWorker" in text and "retrying (attempt 2 of 2)" in text
    assert "resuming from the checkpoint of a lost attempt" in text
    assert "Traceback" not in text
    _check_consistent(out, references, 3)


def spec_index(result: Path) -> int:
    return int(result.name.split("_")[1])


@pytest.mark.slow
def test_local_cluster_driver_killed_then_rerun_picks_up(tmp_path, references):
    path = _setup(tmp_path)
    out = tmp_path / "out"
    proc = _sweep(path, out, "--workers", "1", "--no-warmup")
    t0 = time.perf_counter()
    while not list(out.glob("*.h5")) and time.perf_counter() - t0 < 120:
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)                    # driver, its scheduler and its workers
    proc.communicate()
    done_before = {p.name for p in out.glob("*.h5")}
    assert 1 <= len(done_before) < 3
    proc = _sweep(path, out, "--workers", "1", "--no-warmup")
    text, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, text
    assert f"{3 - len(done_before)} run now, {len(done_before)} already done" in text
    _check_consistent(out, references, 3)


def test_point_lost_twice_is_failed_with_the_reason_and_a_rerun_does_only_it(tmp_path, references):
    path = _setup(tmp_path)
    out = tmp_path / "out"
    victim = "sw_001_u_end10"
    proc = _sweep(path, out, "--workers", "2", "--no-warmup")
    _, first = _kill_holder(out, victim)
    _, second = _kill_holder(out, victim, not_pid=first)   # the retry, which resumed from the checkpoint
    assert second != first
    text, _ = proc.communicate(timeout=300)
    assert proc.returncode == 1, text
    assert "retrying (attempt 2 of 2)" in text and "Traceback" not in text
    assert "2 done (3 run now, 0 already done), 1 failed" in text
    assert "  1 (evolution.u_end=10): worker lost twice: KilledWorker" in text
    manifest = json.loads((out / "sw.manifest.json").read_text())
    failed = [e for e in manifest["points"].values() if e["status"] == "failed"]
    assert [e["index"] for e in failed] == [1] and failed[0]["error"].startswith("worker lost twice: KilledWorker")
    assert (out / f"{victim}.failed").read_text().startswith("worker lost twice: KilledWorker")
    assert not (out / f"{victim}.h5").exists()
    from asymflat.io import checkpoint
    ck = out / f"{victim}.h5.checkpoint"
    checkpoint.read(ck)                                    # the last good checkpoint: readable, checksummed
    mtimes = {p.name: p.stat().st_mtime_ns for p in out.glob("*.h5")}
    assert len(mtimes) == 2
    proc = _sweep(path, out, "--serial")                   # a re-run does only what is missing
    text, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, text
    assert "3 done (1 run now, 2 already done), 0 failed" in text
    assert "resuming from the checkpoint of a lost attempt" in text
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*.h5") if p.name in mtimes} == mtimes
    _check_consistent(out, references, 3)                  # the resumed point bit-identical too


class _DaskCluster:
    """A real ``dask scheduler`` (127.0.0.1, a free port chosen by the OS) and ``dask worker``
    processes without nanny (a SIGKILLed worker stays dead), each in its own session; everything
    started is SIGKILLed and reaped on exit.  Worker output goes to ``worker-K.log``."""

    def __init__(self, d: Path):
        self.d, self.procs, self.workers = d, [], []
        d.mkdir(parents=True, exist_ok=True)

    def __enter__(self) -> "_DaskCluster":
        sched_file = self.d / "scheduler.json"
        self.scheduler = self._start([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0",
                                      "--no-dashboard", "--scheduler-file", str(sched_file)], self.d / "scheduler.log")
        t0 = time.perf_counter()
        while not sched_file.exists() and time.perf_counter() - t0 < 60:
            assert self.scheduler.poll() is None, (self.d / "scheduler.log").read_text()
            time.sleep(0.05)
        self.address = json.loads(sched_file.read_text())["address"]
        assert self.address.startswith("tcp://127.0.0.1:")
        return self

    def worker(self) -> subprocess.Popen:
        log_file = self.d / f"worker-{len(self.workers)}.log"
        w = self._start([str(DASK), "worker", self.address, "--nthreads", "1", "--no-nanny", "--host", "127.0.0.1",
                         "--no-dashboard", "--death-timeout", "30"], log_file)
        w.log = log_file
        self.workers.append(w)
        return w

    def _start(self, argv: list[str], log_file: Path) -> subprocess.Popen:
        with open(log_file, "w") as fh:
            p = subprocess.Popen(argv, env=ENV, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append(p)
        return p

    def __exit__(self, *exc) -> None:
        for p in self.procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGKILL)
            p.wait(timeout=30)


def test_external_scheduler_worker_killed_mid_point_then_another_worker_finishes_it(tmp_path, references):
    path = _setup(tmp_path)
    out = tmp_path / "out"
    with _DaskCluster(tmp_path / "cluster") as cluster:
        first = cluster.worker()
        proc = _sweep(path, out, "--scheduler", cluster.address)
        try:
            res, pid = _kill_holder(out)                       # the only worker, mid-point, after a checkpoint
            assert pid == first.pid
            assert first.wait(timeout=30) == -signal.SIGKILL
            second = cluster.worker()                          # another worker joins; the scheduler reschedules
            text, _ = proc.communicate(timeout=300)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        log_text = second.log.read_text()
    assert proc.returncode == 0, text
    assert "3 done (3 run now, 0 already done), 0 failed" in text and "Traceback" not in text
    assert f"point {res.name}: resuming from the checkpoint of a lost attempt" in log_text
    _check_consistent(out, references, 3)                     # the retried point bit-identical too


@pytest.mark.slow                       # ~25 s: the client's reconnect timeout (5 s here) and two clusters
def test_external_scheduler_killed_then_rerun_picks_up(tmp_path, references):
    path = _setup(tmp_path)
    out = tmp_path / "out"
    with _DaskCluster(tmp_path / "c1") as cluster:
        cluster.worker()
        proc = _sweep(path, out, "--scheduler", cluster.address, env=FAST_RECONNECT)
        try:
            t0 = time.perf_counter()
            while not list(out.glob("*.h5")) and time.perf_counter() - t0 < 120:
                time.sleep(0.01)
            os.killpg(cluster.scheduler.pid, signal.SIGKILL)
            text, _ = proc.communicate(timeout=180)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
    # the worker is gone too (killed on leaving the block): what it was running stays unfinished
    assert proc.returncode == 1, text
    assert "lost the Dask scheduler" in text and "left pending: run the same command again to continue" in text
    assert "Traceback" not in text
    n_done = len(list(out.glob("*.h5")))
    assert 1 <= n_done < 3
    assert not list(out.glob("*.failed"))                      # lost points are pending, not failed
    _check_consistent(out, references, n_done, between=True)
    with _DaskCluster(tmp_path / "c2") as cluster:
        cluster.worker()
        proc = _sweep(path, out, "--scheduler", cluster.address)
        text, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, text
    assert f"3 done ({3 - n_done} run now, {n_done} already done), 0 failed" in text
    _check_consistent(out, references, 3)
