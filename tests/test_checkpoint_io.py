"""Checkpoint files: atomic, two generations, corruption detected and skipped."""
from __future__ import annotations

import numpy as np
import pytest

from asymflat.io import checkpoint
from asymflat.io.checkpoint import CheckpointError


def _state(step: int) -> dict:
    rng = np.random.default_rng(step)
    return {"chi": rng.standard_normal((17, 8)), "u": np.float64(0.1 * step), "step": np.int64(step)}


def test_round_trip_bit_identical(tmp_path):
    s = _state(3)
    checkpoint.write(tmp_path / "c.h5", s, "cfg")
    back = checkpoint.read(tmp_path / "c.h5", "cfg")
    assert back["step"] == 3 and back["u"] == s["u"]
    assert np.array_equal(back["chi"], s["chi"])


def test_previous_generation_kept_and_used_when_newest_is_corrupt(tmp_path):
    p = tmp_path / "c.h5"
    checkpoint.write(p, _state(1), "cfg")
    checkpoint.write(p, _state(2), "cfg")
    assert checkpoint.previous(p).exists()
    state, source = checkpoint.read_latest(p, "cfg")
    assert state["step"] == 2 and source == p
    p.write_bytes(p.read_bytes()[:-50])  # truncate the newest generation
    state, source = checkpoint.read_latest(p, "cfg")
    assert state["step"] == 1 and source == checkpoint.previous(p)
    assert sorted(x.name for x in tmp_path.iterdir()) == ["c.h5", "c.h5.prev"]


def test_wrong_config_and_no_valid_generation(tmp_path):
    p = tmp_path / "c.h5"
    checkpoint.write(p, _state(1), "cfg")
    with pytest.raises(CheckpointError, match="different run configuration"):
        checkpoint.read(p, "other")
    p.write_text("garbage")
    with pytest.raises(CheckpointError, match="no valid checkpoint"):
        checkpoint.read_latest(p, "cfg")
