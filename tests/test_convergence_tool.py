"""asymflat converge on synthetic ladders with a known error model q_h = q + C h^p."""
from __future__ import annotations

import numpy as np
import pytest

import asymflat
from asymflat import cli, config
from asymflat.analysis.convergence import LadderError, self_convergence
from asymflat.data import RunData, ScriData
from asymflat.io import results

BASE = {"kind": "vacuum", "G": 1.0, "grid": {"nphi": 16, "nx": 33},
        "evolution": {"u_start": 0.0, "u_end": 2.0}, "vacuum": {}}


def _write(path, nx, nphi, p=4.0, G=1.0):
    raw = {**BASE, "G": G, "grid": {"nphi": nphi, "nx": nx}}
    cfg = config.validate(raw)
    h = 1.0 / (nx - 1)
    u = np.linspace(0.0, 2.0, 1 + int(round(2.0 / (4 * h))))  # du proportional to h (fixed cfl)
    phi = 2 * np.pi * np.arange(nphi) / nphi
    U, P = np.meshgrid(u, phi, indexing="ij")
    exact = np.exp(-U) * np.cos(2 * P) + 0.3 * np.sin(P)
    err = h**p * (1 + U**2) * np.cos(3 * P + U)
    z = np.zeros_like(U)
    scri = ScriData("scri_plus", u, phi, -1 + z, z, z, z, exact + err)
    return results.write(path, RunData(scri_plus=scri), cfg, config.to_toml(cfg))


def test_measured_order_matches_error_model(tmp_path):
    paths = [_write(tmp_path / f"r{i}.h5", nx, nphi) for i, (nx, nphi) in enumerate([(33, 16), (65, 32), (129, 64)])]
    runs = [asymflat.load(p) for p in paths]
    conv = self_convergence(runs, "psi0")
    assert conv.orders == pytest.approx([4.0], abs=0.02)


def test_cli_converge_prints_order_and_writes_plot(tmp_path, capsys):
    paths = [_write(tmp_path / f"r{i}.h5", nx, 16, p=2.0) for i, nx in enumerate([17, 33, 65])]
    plot = tmp_path / "conv.png"
    assert cli.main(["converge", *map(str, paths), "--quantity", "psi0", "--plot", str(plot)]) == 0
    out = capsys.readouterr().out
    assert "measured order(s) [2.00]" in out
    assert plot.exists() and plot.with_suffix(".pdf").exists()


def test_ladder_differing_in_physics_is_refused_naming_the_key(tmp_path, capsys):
    paths = [_write(tmp_path / "a.h5", 17, 16), _write(tmp_path / "b.h5", 33, 16, G=2.0),
             _write(tmp_path / "c.h5", 65, 16)]
    with pytest.raises(LadderError, match="G = 2.0"):
        self_convergence([asymflat.load(p) for p in paths])
    assert cli.main(["converge", *map(str, paths)]) == 2
    err = capsys.readouterr().err
    assert "G = 2.0" in err and "Traceback" not in err


def test_non_constant_ratio_refused(tmp_path):
    paths = [_write(tmp_path / f"r{i}.h5", nx, 16) for i, nx in enumerate([17, 33, 129])]
    with pytest.raises(LadderError, match="constant ratio"):
        self_convergence([asymflat.load(p) for p in paths])
