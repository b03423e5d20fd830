"""Issue 13: checkpoints, SIGKILL at random moments, clean stops on SIGINT/SIGTERM, bit-identical resume.

Every run here is a tiny G > 0 characteristic evolution with an off-centre pulse, a shadow grid and
many steps (nx 33, nphi 8, 384 + 192 steps), checkpointed every 3 steps, so that kills land in
the main run, the shadow run, the post-processing, checkpoint writes and the result write.
"""
from __future__ import annotations

import collections
import concurrent.futures as cf
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import asymflat
from asymflat import api, cli, runtime
from asymflat.io import checkpoint
from asymflat.io.checkpoint import CheckpointError

sys.path.insert(0, str(Path(__file__).parent))
from reliability_support import differences, pulse_config  # noqa: E402

CFG = pulse_config(0.5, 10.0, 3)
#: fixed thread counts: bit-identical restart needs the same (the solver itself is serial)
ENV = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
           NUMBA_NUM_THREADS="1", PYTHONPATH=str(Path(__file__).parents[1]))
N_TRIALS = 20


def _cmd(cfg: Path, out: Path, *extra: str) -> list[str]:
    # --no-figures: the leftovers counted here are the run's own (figures are written after the result)
    return [sys.executable, "-m", "asymflat.cli", "run", str(cfg), "-o", str(out), "--quiet", "--no-figures", *extra]


def _launch(cfg: Path, out: Path, stderr=subprocess.PIPE):
    """Start a run; return the process, its start time and the time its first checkpoint appeared
    (None if it ended first)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(_cmd(cfg, out), env=ENV, stdout=subprocess.DEVNULL, stderr=stderr)
    return proc, t0


def _wait_for_checkpoint(proc, out: Path, limit: float = 120.0) -> bool:
    ck = runtime.default_checkpoint(out)
    t0 = time.perf_counter()
    while proc.poll() is None and time.perf_counter() - t0 < limit:
        if ck.exists():
            return True
        time.sleep(0.002)
    return False


#: issue 19: a strong-field, phi-dependent run (runs/characteristic_strong_multiharmonic.toml's
#: data -- off-centre exact pulse + m = 2, 3 compact pulses at G = 0.02 -- on a small grid: 65 x 16,
#: 320 + 160 steps, u in [-2, 3]), checkpointed every 3 steps
STRONG = """kind = "characteristic"
G = 0.02
[grid]
nx = 65
nphi = 16
R = 1.0
[evolution]
u_start = -2.0
u_end = 3.0
cfl = 1.0
[output]
checkpoint_every_steps = 3
[characteristic]
pulses = [{ amplitude = 1.0, a = 1.0, t0 = 0.0, x0 = 0.5, y0 = 0.0 }]
compact = [
  { amplitude = 0.1, r_center = 1.0, width = 0.8, m = 2, phase = 0.3 },
  { amplitude = 0.05, r_center = 1.5, width = 0.8, m = 3, phase = 0.0 },
]
shadow_grid = true
"""


#: issue 19: a small scattering run (the default run's data -- circular exact pulse (c1) at G = 0.05
#: -- on 33 x 8, ladder u0 = -8, -4, -2), checkpointed after each finished level
#: (asymflat/pipeline/ladder_checkpoint.py)
SCATTER = """kind = "scattering"
G = 0.05
[grid]
nx = 33
nphi = 8
R = 2.0
[evolution]
u_start = -8.0
u_end = 4.0
cfl = 3.5
[output]
checkpoint_every_steps = 1
[characteristic]
pulses = [{ amplitude = 1.0, a = 1.0, t0 = 0.0, x0 = 0.0, y0 = 0.0 }]
shadow_grid = true
[scattering]
first_cones = [-8.0, -4.0, -2.0]
scale_R = true
"""


def _reference(d: Path, text: str):
    """The uninterrupted run: its result, its start-up time (to the first checkpoint) and the
    duration of the rest (evolutions, post-processing, result)."""
    cfg = d / "run.toml"
    cfg.write_text(text)
    out = d / "out.h5"
    proc, t0 = _launch(cfg, out)
    assert _wait_for_checkpoint(proc, out)
    t1 = time.perf_counter()
    _, err = proc.communicate()
    t2 = time.perf_counter()
    assert proc.returncode == 0, err
    assert not runtime.default_checkpoint(out).exists()     # removed once the result is written
    return out, t1 - t0, t2 - t1


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    return _reference(tmp_path_factory.mktemp("ref"), CFG)


@pytest.fixture(scope="module")
def strong_reference(tmp_path_factory):
    return _reference(tmp_path_factory.mktemp("strong"), STRONG)


@pytest.fixture(scope="module")
def scatter_reference(tmp_path_factory):
    return _reference(tmp_path_factory.mktemp("scatter"), SCATTER)


def _checkpoint_state(out: Path):
    """("phase", phase) of the newest characteristic checkpoint, ("after level", levels done) of a
    scattering one; every generation on disk must be valid."""
    ck = runtime.default_checkpoint(out)
    found = None
    for c in (ck, checkpoint.previous(ck)):
        if c.exists():
            s = checkpoint.read(c)                          # raises if truncated / corrupted
            found = found or (("phase", int(s["phase"])) if "phase" in s else ("after level", int(s["levels_done"])))
    return found


def _trial(i: int, kill_at: float, anchored: bool, root: Path, ref: Path, text: str = CFG) -> tuple[str, str]:
    """SIGKILL ``kill_at`` seconds after the start (``anchored``: after the first checkpoint)."""
    d = root / f"trial{i:02d}"
    d.mkdir()
    cfg = d / "run.toml"
    cfg.write_text(text)
    out = d / "out.h5"
    proc, _ = _launch(cfg, out, stderr=subprocess.DEVNULL)
    if anchored:
        _wait_for_checkpoint(proc, out)
    time.sleep(kill_at)
    finished = proc.poll() is not None
    if not finished:
        proc.send_signal(signal.SIGKILL)
    proc.wait()
    # 1. no result or a complete, verified one
    if out.exists():
        with asymflat.load(out) as r:
            r.verify()
        state = "complete result"
    else:
        ck = _checkpoint_state(out)
        state = "no checkpoint yet" if ck is None else f"checkpoint {ck[0]} {ck[1]}"
    if finished:
        state = "finished before the kill"
    # 2. --resume finishes bit-identical to the uninterrupted run
    res = subprocess.run(_cmd(cfg, out, "--resume"), env=ENV, capture_output=True, text=True)
    assert res.returncode == 0, f"trial {i} ({state}): {res.stderr}"
    diff = differences(ref, out)
    assert diff == [], f"trial {i} ({state}), killed at {kill_at:.2f} s: {diff}"
    leftovers = sorted(p.name for p in d.iterdir() if p.name not in ("run.toml", "out.h5"))
    assert leftovers == [], f"trial {i}: {leftovers}"
    return state, f"{kill_at:.2f}"


def _campaign(reference, root: Path, n: int, seed: int, text: str = CFG, n_start: int | None = None,
              label: str = "", fractions: tuple[float, ...] | None = None) -> collections.Counter:
    """``n_start`` kills (default n/5) at random moments of the start-up (import, validation,
    before the first checkpoint), the rest at random moments of the rest of the run (evolutions,
    checkpoint writes, post-processing, result write, clean-up, or just after the end), 2 at a
    time; every trial resumed and compared bit for bit (:func:`_trial`).  Returns the counts."""
    ref, t_start, t_rest = reference
    rng = np.random.default_rng(seed)
    n_start = n // 5 if n_start is None else n_start
    plan = [(float(t), False) for t in rng.uniform(0.0, 1.2 * t_start, n_start)]
    plan += [(float(t), True) for t in rng.uniform(0.0, 1.1 * t_rest, n - n_start)]
    if fractions is not None:     # fixed moments after the first checkpoint, as fractions of the rest
        plan = [(f * t_rest, True) for f in fractions]
    with cf.ThreadPoolExecutor(max_workers=2) as ex:
        outcomes = list(ex.map(lambda a: _trial(a[0], *a[1], root, ref, text), enumerate(plan)))
    counts = collections.Counter(s for s, _ in outcomes)
    print(f"\n{label}SIGKILL trials ({n}; uninterrupted run: start-up {t_start:.2f} s, rest {t_rest:.2f} s): "
          f"{dict(counts)}; injected {n}, survived {sum(counts.values())} (resumed bit-identical), lost 0")
    assert sum(counts.values()) == n
    return counts


def test_sigkill_at_random_moments_then_resume_is_bit_identical(reference, tmp_path):
    counts = _campaign(reference, tmp_path, N_TRIALS, 13)
    # the kills must actually have hit running evolutions
    assert sum(v for k, v in counts.items() if k.startswith("checkpoint")) >= N_TRIALS // 4


@pytest.mark.slow
def test_strong_field_sigkill_campaign_resumes_bit_identical(strong_reference, tmp_path):
    """Issue 19: 20 random SIGKILLs across the strong-field run STRONG."""
    counts = _campaign(strong_reference, tmp_path, N_TRIALS, 19, STRONG, label="strong field: ")
    assert sum(v for k, v in counts.items() if k.startswith("checkpoint")) >= N_TRIALS // 4


def test_strong_field_sigkill_few_resume_bit_identical(strong_reference, tmp_path):
    """The fast variant: 2 kills in the evolution (10 % and 25 % of the time after the first
    checkpoint: random moments landed after the evolution once the set-up got faster), resumed
    bit-identical."""
    counts = _campaign(strong_reference, tmp_path, 2, 191, STRONG, n_start=0, label="strong field: ",
                       fractions=(0.1, 0.25))
    assert sum(v for k, v in counts.items() if k.startswith("checkpoint")) >= 1


@pytest.mark.parametrize("sig, status, text, ref_fixture", [
    (signal.SIGTERM, 143, CFG, "reference"), (signal.SIGINT, 130, CFG, "reference"),
    (signal.SIGTERM, 143, SCATTER, "scatter_reference"),   # acted on at the next ladder level's end
])
def test_signal_stops_cleanly_with_checkpoint_then_resume(request, tmp_path, sig, status, text, ref_fixture):
    ref = request.getfixturevalue(ref_fixture)[0]
    cfg = tmp_path / "run.toml"
    cfg.write_text(text)
    out = tmp_path / "out.h5"
    ck = runtime.default_checkpoint(out)
    proc = subprocess.Popen(_cmd(cfg, out), env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert _wait_for_checkpoint(proc, out)
    time.sleep(0.05)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == status, err
    last = err.strip().splitlines()[-1]
    assert last.startswith("asymflat: interrupted by " + sig.name) and str(ck) in last and "--resume" in last
    assert "Traceback" not in err and not out.exists()
    checkpoint.read(ck)
    res = subprocess.run(_cmd(cfg, out, "--resume"), env=ENV, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert differences(ref, out) == []


# -- in-process restarts: damaged checkpoints are reported, never read silently ----------------


def _interrupted_run(tmp_path: Path, at: float = 0.5) -> tuple[Path, Path]:
    """Run in-process until ``at`` of the progress, then stop as on SIGTERM (checkpoint written)."""
    cfg = tmp_path / "run.toml"
    cfg.write_text(CFG)
    out = tmp_path / "out.h5"

    def progress(f):
        if f >= at:
            runtime.STOP.set(signal.SIGTERM)

    try:
        with pytest.raises(runtime.RunInterrupted) as exc:
            api.run(cfg, out, progress=progress)
    finally:
        runtime.STOP.clear()
    assert exc.value.checkpoint == runtime.default_checkpoint(out) and exc.value.exit_status == 143
    assert checkpoint.previous(exc.value.checkpoint).exists()
    return cfg, out


def test_truncated_newest_checkpoint_is_reported_and_previous_used(reference, tmp_path, caplog):
    ref = reference[0]
    cfg, out = _interrupted_run(tmp_path)
    ck = runtime.default_checkpoint(out)
    ck.write_bytes(ck.read_bytes()[:-5])
    with pytest.raises(CheckpointError):
        checkpoint.read(ck)
    assert cli.main(["run", str(cfg), "-o", str(out), "--resume", "--quiet"]) == 0
    assert any("skipping checkpoint" in r.getMessage() and str(ck) in r.getMessage() for r in caplog.records)
    assert differences(ref, out) == []


def test_no_valid_checkpoint_refuses_resume(tmp_path, capsys):
    cfg, out = _interrupted_run(tmp_path, at=0.3)
    ck = runtime.default_checkpoint(out)
    for c in (ck, checkpoint.previous(ck)):
        c.write_bytes(c.read_bytes()[:-3])
    assert cli.main(["run", str(cfg), "-o", str(out), "--resume", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "no valid checkpoint" in err and str(ck) in err and "Traceback" not in err
    assert not out.exists()


def test_checkpoint_of_another_configuration_is_refused(tmp_path, capsys):
    cfg, out = _interrupted_run(tmp_path, at=0.3)
    cfg.write_text(CFG.replace("u_end = 10.0", "u_end = 9.0"))
    assert cli.main(["run", str(cfg), "-o", str(out), "--resume", "--quiet"]) == 2
    assert "different run configuration" in capsys.readouterr().err


def test_resume_of_a_finished_run_returns_it(reference, tmp_path):
    ref = reference[0]
    cfg = tmp_path / "run.toml"
    cfg.write_text(CFG)
    out = tmp_path / "out.h5"
    out.write_bytes(ref.read_bytes())
    mtime = out.stat().st_mtime_ns
    with api.run(cfg, out, resume=True) as r:
        assert r.complete
    assert out.stat().st_mtime_ns == mtime


def test_minutes_cadence_and_stale_temporaries(tmp_path):
    s = runtime.Session(tmp_path / "c.h5", "cfg", every_minutes=1e-9)
    assert s.periodic and s.due(7)
    s.save({"x": np.arange(3)})
    assert runtime.Session(tmp_path / "c.h5", "cfg", every_minutes=10.0).due(7) is False
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    stale = tmp_path / f".out.h5.tmp.{dead}"
    stale.write_text("partial write of a killed run")
    mine = tmp_path / f".out.h5.tmp.{os.getpid() + 0}"
    mine.write_text("ours")
    assert runtime.remove_stale_temporaries(tmp_path / "out.h5") == [stale]
    assert mine.exists()


@pytest.mark.slow
def test_scattering_sigkill_campaign_resumes_bit_identical(scatter_reference, tmp_path):
    """Issue 19: 20 random SIGKILLs across the scattering run SCATTER (checkpoint per ladder level)."""
    counts = _campaign(scatter_reference, tmp_path, N_TRIALS, 23, SCATTER, label="scattering: ")
    assert sum(v for k, v in counts.items() if k.startswith("checkpoint")) >= N_TRIALS // 4


def test_scattering_sigkill_few_resume_bit_identical(scatter_reference, tmp_path):
    """The fast variant: 1 kill after the first level's checkpoint, resumed bit-identical (one kill:
    a trial costs a whole run, ~6 s of CPU; 2 kills took 42 s on the shared 2-core machine), at 15 %
    of the time after that checkpoint (a random moment landed after the run once first-cut levels
    made the ladder cheap)."""
    counts = _campaign(scatter_reference, tmp_path, 1, 231, SCATTER, n_start=0, label="scattering: ",
                       fractions=(0.15,))
    assert sum(v for k, v in counts.items() if k.startswith("checkpoint")) >= 1
