"""The /memory group of a scattering run: written by the scattering kind, checksummed, readable via
asymflat.load, drawn by asymflat.plots.plot_result (tiny grid: nx 65, nphi 16, two first cones)."""
from __future__ import annotations

import numpy as np
import pytest

OFF = dict(amplitude=1.0, a=1.0, t0=0.0, x0=0.5, y0=0.0)


def _cfg():
    return dict(kind="scattering", G=0.005, grid=dict(nx=65, nphi=16, R=4.0),
                evolution=dict(u_start=-8.0, u_end=10.0, cfl=3.5), output=dict(scri_every=1, fields_every=0),
                characteristic=dict(pulses=[OFF], shadow_grid=True),
                scattering=dict(first_cones=[-8.0, -4.0], scale_R=True))


def test_memory_group_written_loaded_and_plotted(tmp_path):
    import asymflat
    from asymflat.io import results as _io

    asymflat.run(_cfg(), tmp_path / "m.h5")
    res = asymflat.load(tmp_path / "m.h5")
    with _io.open_result(tmp_path / "m.h5", verify_checksum=True) as f:   # /memory is in the checksum
        assert "memory" in f
        assert f.attrs["checksum"] == _io.checksum(f)
    g = res._f["memory"]
    at = dict(g.attrs)
    assert at["status"] == "ok", at["status"]
    for name in ("phi", "F_minus_phi", "gamma", "F_minus_phi_predicted", "gamma_predicted", "mass_aspect_final",
                 "mass_aspect_final_error", "supermomentum", "superrotation_charges"):
        assert name in g, name
        assert "units" in g[name].attrs and "description" in g[name].attrs
    n = len(g["phi"][()])
    assert g["F_minus_phi"].shape == (n,) and np.all(np.isfinite(g["gamma"][()]))
    assert abs(at["hill_winding"] - 1) < 1e-3 and at["monodromy_residual"] < 1e-3
    for k in ("F_error", "gamma_error", "F_difference_predicted", "gamma_difference_predicted"):
        assert np.isfinite(at[k])
    names = {c.name for c in res.checks}
    assert {"memory_F_recovered_vs_predicted", "memory_gamma_recovered_vs_predicted"} <= names
    pytest.importorskip("matplotlib")
    from asymflat.plots import plot_result

    written = plot_result(res, tmp_path / "fig")
    assert tmp_path / "fig" / "memory.png" in written
    assert (tmp_path / "fig" / "memory.pdf").exists()
