"""Issue 19: many processes starting at once on a fresh, empty NUMBA_CACHE_DIR (numba issue 10128:
cache races on shared storage) -- no crash, equal results, a usable cache afterwards: a later start
loads every kernel and compiles none (NUMBA_DEBUG_CACHE prints ``[cache] data saved`` for each
kernel it compiles and writes, ``[cache] data loaded`` for each it loads).  And the sweep's
warm-up (the first point of each kind, run by the driver) covers every kernel a point of the sweep
uses: a point with another grid, started after it, compiles nothing either.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from reliability_support import differences, pulse_config  # noqa: E402

ROOT = Path(__file__).parents[1]
N_AT_ONCE = 6


def _env(cache: Path, debug: bool = False) -> dict:
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache), NUMBA_NUM_THREADS="1", OMP_NUM_THREADS="1",
               OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1", PYTHONPATH=str(ROOT))
    env.pop("ASYMFLAT_NUMBA_CACHE", None)
    if debug:
        env["NUMBA_DEBUG_CACHE"] = "1"
    return env


def _start(cfg: Path, out: Path, env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "asymflat.cli", "run", str(cfg), "-o", str(out), "--quiet"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _cache_files(cache: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(cache)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in cache.rglob("*") if p.suffix in (".nbi", ".nbc")}


@pytest.mark.slow
def test_many_cold_starts_at_once_then_a_warm_start_compiles_nothing(tmp_path):
    cache = tmp_path / "numba-cache"
    cache.mkdir()
    cfg = tmp_path / "c.toml"
    cfg.write_text(pulse_config(0.5, -1.0, 0).replace("checkpoint_every_steps = 0", ""))
    t0 = time.perf_counter()
    procs = [_start(cfg, tmp_path / f"r{k}.h5", _env(cache)) for k in range(N_AT_ONCE)]
    texts = [p.communicate(timeout=1200)[0] for p in procs]
    cold = time.perf_counter() - t0
    assert [p.returncode for p in procs] == [0] * N_AT_ONCE, texts
    assert all("Traceback" not in t and "Error" not in t for t in texts), texts
    for k in range(1, N_AT_ONCE):
        assert differences(tmp_path / "r0.h5", tmp_path / f"r{k}.h5") == []
    files = _cache_files(cache)
    assert any(f.endswith(".nbi") for f in files) and any(f.endswith(".nbc") for f in files)
    t0 = time.perf_counter()
    warm = _start(cfg, tmp_path / "warm.h5", _env(cache, debug=True))
    text = warm.communicate(timeout=600)[0]
    took = time.perf_counter() - t0
    assert warm.returncode == 0, text
    # measured: 4 dispatchers loaded (the top-level kernels of a run; the others are inlined), 0 saved
    assert "[cache] data saved" not in text and "[cache] data loaded" in text, text[-2000:]
    assert _cache_files(cache) == files                        # nothing rewritten: the cache was whole
    assert differences(tmp_path / "r0.h5", tmp_path / "warm.h5") == []
    print(f"{N_AT_ONCE} cold starts at once: {cold:.1f} s; warm start {took:.1f} s; "
          f"{text.count('[cache] data loaded')} kernels loaded; {len(files)} cache files")


@pytest.mark.slow
def test_after_the_warmup_point_another_point_of_the_sweep_compiles_nothing(tmp_path):
    """What ``asymflat sweep --warmup`` does (the driver runs the first point of each kind on the
    fresh cache), then points of the same kind with another grid (nx 65, nphi 16), another radial
    order (4: the stencils are data, not code) and without the phi filter."""
    cache = tmp_path / "numba-cache"
    cache.mkdir()
    base = pulse_config(0.5, -1.0, 3)
    first = tmp_path / "p0.toml"
    first.write_text(base)
    p = _start(first, tmp_path / "p0.h5", _env(cache))
    assert p.wait(timeout=1200) == 0
    files = _cache_files(cache)
    others = [base.replace("nx = 33", "nx = 65").replace("nphi = 8", "nphi = 16"),
              base.replace("shadow_grid = true", "shadow_grid = true\nradial_order = 4\nfilter = false")]
    for k, text in enumerate(others, 1):
        (tmp_path / f"p{k}.toml").write_text(text)
        p = _start(tmp_path / f"p{k}.toml", tmp_path / f"p{k}.h5", _env(cache, debug=True))
        log = p.communicate(timeout=600)[0]
        assert p.returncode == 0, log
        assert "[cache] data saved" not in log and "[cache] data loaded" in log, log[-2000:]
        assert _cache_files(cache) == files


def test_warmup_runs_one_point_per_compile_class(monkeypatch):
    """The warm-up takes the first point of each compile class (kind, G = 0 / G > 0, conical vertex,
    de-aliasing) and leaves every other point to the workers; grid and radial order are not a class
    (the test above: they compile nothing new)."""
    from asymflat.batch import runner
    from asymflat.batch.spec import Point

    def point(i, **cfg):
        base = dict(kind="characteristic", G=0.02, grid=dict(nx=33), characteristic=dict(dealias=False))
        base.update(cfg)
        return Point(i, {}, base, base, "", f"h{i}")

    pts = [point(0), point(1, grid=dict(nx=65)), point(2, G=0.0), point(3, vertex=dict(mu=0.5)),
           point(4, characteristic=dict(dealias=True)), point(5, kind="scattering"), point(6, G=0.0)]
    ran = []

    class Book:
        def task(self, p, single_thread):
            return p

        def record(self, outcome):
            ran.append(outcome.index)

    monkeypatch.setattr(runner, "execute_point", lambda task: task)
    rest = runner._warm_up(pts, Book())
    assert ran == [0, 2, 3, 4, 5] and [p.index for p in rest] == [1, 6]
    assert runner.compile_class(pts[1].config) == runner.compile_class(pts[0].config)
