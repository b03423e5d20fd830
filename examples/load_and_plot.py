"""Load the default result (run `make run` first), print what it holds, draw Theta+ on your own axes."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

import asymflat
from asymflat import plots

with asymflat.load("results/default.h5") as r:
    print(r)
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
    fig.colorbar(plots.scri_map(a, r.scri_plus, "mass_aspect"), ax=a)
    plots.matching_profile(b, r.matching, "angular_momentum_aspect")
    fig.tight_layout()
    fig.savefig("results/example_load_and_plot.png", dpi=120)
    print("wrote results/example_load_and_plot.png")
