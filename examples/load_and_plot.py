"""Load the default result, print what it holds, draw Theta+ and the i0 matching ladder on your own axes.

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
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4.5))
    # Theta at scri+: a map with a labelled colour bar, or lines for nphi <= 8 (the default run)
    plots.scri_panel(fig, a, r.scri_plus, "mass_aspect", scale=1.0)
    # the i0 matching: per first cone against 1/D, and the u0 -> -inf limit with its error bar
    plots.charge_ladder(b, r.matching, r.summary["charge_labels"].split(", "), r.checks)
    fig.suptitle(plots.run_header(r), fontsize="medium")
    fig.tight_layout()
    fig.savefig(FIGURE, dpi=120)
    print(f"wrote {FIGURE}")
