"""bench/sweep_throughput.py runs end to end and writes its JSON fragment (the ratio itself is
a property of the machine and its load: see bench/sweep_throughput.json)."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

BENCH = Path(__file__).parents[1] / "bench" / "sweep_throughput.py"


@pytest.mark.slow
def test_benchmark_writes_its_fragment(tmp_path):
    spec = importlib.util.spec_from_file_location("sweep_throughput", BENCH)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    out = tmp_path / "frag.json"
    mod.main(["--points", "4", "--nphi", "32", "--n-cuts", "11", "--repeats", "1", "--output", str(out)])
    frag = json.loads(out.read_text())
    assert {"figure", "target", "pass"} <= set(frag) and frag["target"] == 1.7
    assert frag["figure"] > 0 and isinstance(frag["pass"], bool)
