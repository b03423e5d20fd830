"""`asymflat converge` on a three-level G = 0 exact-pulse ladder measures the design order.

With radial_order = 4 and du proportional to the radial spacing (fixed cfl), the scheme is 4th
order in x and in u (RK4). Measured on this ladder: 3.9 (nx = 65, 129, 257).
"""
from __future__ import annotations

import copy
import re

import asymflat
from asymflat import cli

BASE = {
    "kind": "characteristic", "G": 0.0,
    "grid": {"nphi": 16, "R": 1.0},
    "evolution": {"u_start": -1.0, "u_end": 1.0, "cfl": 2.0},
    "characteristic": {"pulses": [{"amplitude": 1.0, "a": 1.0, "x0": 0.5}], "shadow_grid": False,
                       "radial_order": 4},
}


def test_converge_reports_design_order_within_10_percent(tmp_path, capsys):
    paths = []
    for nx in (65, 129, 257):
        cfg = copy.deepcopy(BASE)
        cfg["grid"]["nx"] = nx
        asymflat.run(cfg, tmp_path / f"nx{nx}.h5").close()
        paths.append(str(tmp_path / f"nx{nx}.h5"))
    assert cli.main(["converge", *paths, "--quantity", "psi0", "--plot", str(tmp_path / "c.png")]) == 0
    out = capsys.readouterr().out
    m = re.search(r"scri_plus/psi0: .*measured order\(s\) \[([0-9.]+)\]", out)
    assert m, out
    order = float(m.group(1))
    assert abs(order - 4.0) <= 0.4, out
