"""Load the default result, print what it holds, draw Theta+ on your own axes.

Runs from any directory: reads results/default.h5 of the repository (runs runs/default.toml first,
~20 s, if `make run` has not made it).
"""
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

import asymflat
from asymflat import plots

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(os.environ.get("ASYMFLAT_RESULTS", ROOT / "results"))  # where results are read/written
RESULTS.mkdir(parents=True, exist_ok=True)  # asymflat.run refuses a missing output directory
RESULT = RESULTS / "default.h5"
FIGURE = RESULTS / "example_load_and_plot.png"

r = asymflat.load(RESULT) if RESULT.exists() else asymflat.run(ROOT / "runs" / "default.toml", RESULT)
with r:
    print(r)
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
    fig.colorbar(plots.scri_map(a, r.scri_plus, "mass_aspect"), ax=a)
    plots.matching_profile(b, r.matching, "angular_momentum_aspect")
    fig.tight_layout()
    fig.savefig(FIGURE, dpi=120)
    print(f"wrote {FIGURE}")
