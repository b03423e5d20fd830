"""bench/sweep_throughput.py runs end to end and writes its JSON fragment (the ratio itself is
a property of the machine and its load: see bench/sweep_throughput.json)."""
from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).parents[1] / "bench" / "sweep_throughput.py"


@pytest.mark.slow
def test_benchmark_writes_its_fragment(tmp_path):
    # its worker functions are pickled by module name: child processes must import it too
    sys.path.insert(0, str(BENCH.parent))
    mod = importlib.import_module("sweep_throughput")
    out = tmp_path / "frag.json"
    mod.main(["--points", "4", "--nphi", "32", "--n-cuts", "11", "--repeats", "1", "--output", str(out)])
    frag = json.loads(out.read_text())
    assert {"figure", "target", "pass"} <= set(frag) and frag["target"] == 1.7
    assert frag["figure"] > 0 and isinstance(frag["pass"], bool)
