"""Run a three-level G = 0 exact-pulse ladder (nx = 33, 65, 129) and measure its order.

Runs from any directory (results go to the repository's results/example_ladder/, or $ASYMFLAT_RESULTS/example_ladder/).
"""
import copy
import os
from pathlib import Path

import asymflat
from asymflat.analysis.convergence import self_convergence

base = {
    "kind": "characteristic", "G": 0.0,
    "grid": {"nphi": 16, "R": 1.0},
    "evolution": {"u_start": -1.0, "u_end": 1.0, "cfl": 2.0},
    "characteristic": {"pulses": [{"amplitude": 1.0, "a": 1.0, "x0": 0.5}], "shadow_grid": False},
}
out = Path(os.environ.get("ASYMFLAT_RESULTS", Path(__file__).resolve().parents[1] / "results")) / "example_ladder"
runs = []
for nx in (33, 65, 129):
    cfg = copy.deepcopy(base)
    cfg["grid"]["nx"] = nx
    runs.append(asymflat.run(cfg, out / f"nx{nx}.h5"))
print(self_convergence(runs, "psi0"))
