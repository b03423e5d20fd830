"""Issue 13: real instabilities are stopped with one line naming u, field and grid point; the output
so far (complete = false) and the last good checkpoint are kept; refusals up front."""
from __future__ import annotations

import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

import asymflat
from asymflat import api, cli, config, runtime
from asymflat.data import RunData
from asymflat.io import checkpoint, results
from asymflat.io.results import ResultFileError
from asymflat.kinds import characteristic
from asymflat.pipeline import characteristic_input

sys.path.insert(0, str(Path(__file__).parent))
from reliability_support import pulse_config  # noqa: E402

# strong field: amplitude 2 at G = 0.05 drives e^{2 beta} up until RK4 at cfl = 1 is no longer
# stable on the grid (a genuine nonlinear instability: NaN/Inf in U within ~50 steps)
UNSTABLE = pulse_config(2.0, 6.0, 10)


def test_unstable_run_stops_with_one_line_and_keeps_output_and_checkpoint(tmp_path, capsys, monkeypatch):
    # amplitude 2 is beyond the conical-defect range (Hill trace 5.1) and refused up front since
    # issue 19 (tests/test_faults_refusals.py); every amplitude inside it (<= 1.7) runs stably, so
    # the stopping path is exercised by lifting that one refusal
    from asymflat.pipeline import ladder
    monkeypatch.setattr(ladder, "refuse_beyond_conical_defect", lambda *a: None)
    cfg = tmp_path / "unstable.toml"
    cfg.write_text(UNSTABLE)
    out = tmp_path / "unstable.h5"
    assert cli.main(["run", str(cfg), "-o", str(out), "--quiet"]) == runtime.EXIT_UNSTABLE
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert err.startswith("asymflat: error: unstable evolution stopped: non-finite ")
    for part in ("at u = ", "grid index (j=", "x = ", "phi = ", str(runtime.partial_path(out)),
                 "complete = false", str(runtime.default_checkpoint(out))):
        assert part in err, part
    assert not out.exists()                                   # no result: only complete ones there
    partial = runtime.partial_path(out)
    with pytest.raises(ResultFileError, match="incomplete result .*stopped: non-finite"):
        asymflat.load(partial)
    assert cli.main(["info", str(partial)]) == 2
    with asymflat.load(partial, allow_incomplete=True) as r:
        r.verify()
        assert not r.complete and "at u = " in r.stop_reason and r.scri_plus is None
        s = r.series
        n = r.summary["steps_completed"]
        assert 5 < n < r.summary["nsteps"] and len(s["u"]) == n
        assert r.dataset("diagnostics/scri_code_frame/psi0").shape == (n, 8)
        assert np.all(np.isfinite(r.dataset("diagnostics/scri_code_frame/beta0")))
        u_fail = float(r.stop_reason.split("at u = ")[1].split(",")[0])
        assert s["u"][-1] < u_fail
    state, _ = checkpoint.read_latest(runtime.default_checkpoint(out))   # last good checkpoint valid
    assert np.all(np.isfinite(state["chi"])) and float(state["u0"]) == -2.0


def test_norm_bound_catches_a_real_cfl_instability(tmp_path, monkeypatch):
    """cfl = 4.2 is beyond the measured RK4 limit of radial order 6 (3.7): round-off grows
    exponentially; the max |chi| bound stops it before any overflow."""
    monkeypatch.setitem(characteristic_input.CFL_MAX, 6, 10.0)   # lift the up-front refusal only
    cfg = config.parse(UNSTABLE.replace("amplitude = 2.0", "amplitude = 0.5"))
    cfg["evolution"]["cfl"] = 4.2
    cfg["characteristic"]["shadow_grid"] = False
    with pytest.raises(runtime.RunUnstable) as exc:
        with runtime.active(runtime.Session(None)):
            characteristic.run(cfg)
    msg = exc.value.reason
    assert msg.startswith("max |chi| = ") and "exceeds the bound" in msg and "grid index (j=" in msg
    u = float(msg.split("at u = ")[1].split(",")[0])
    assert 0.0 < u < 6.0                                      # grew over many steps, not at once
    part = exc.value.partial
    assert isinstance(part, RunData) and np.all(np.isfinite(part.series["max_abs_chi"][0]))


def test_the_stable_limit_is_refused_up_front(tmp_path, capsys):
    cfg = tmp_path / "c.toml"
    cfg.write_text(UNSTABLE.replace("cfl = 1.0", "cfl = 4.2"))
    assert cli.main(["run", str(cfg), "--validate-only"]) == 2
    assert "evolution.cfl = 4.2" in capsys.readouterr().err


@pytest.mark.parametrize("data, key, needed", [
    ('pulses = [{ amplitude = 1.0, a = 0.05 }]', "characteristic.pulses[0]", "need grid.nx >= 257"),
    ('pulses = [{ amplitude = 1.0, a = 1.0, t0 = 20.0 }]', "characteristic.pulses[0]", "need grid.nx >= "),
    ('compact = [{ amplitude = 1.0, r_center = 1.0, width = 0.05 }]', "characteristic.compact[0]",
     "need grid.nx >= "),
    ('circular = [{ amplitude = 1.0, a = 0.05 }]', "characteristic.circular[0]", "need grid.nx >= "),
    ('pulses = [{ amplitude = 1.0, a = 0.3, x0 = 2.0 }]', "characteristic.pulses[0]", "need grid.nphi >= 64"),
    ('compact = [{ amplitude = 1.0, r_center = 0.3, width = 0.5, m = 2 }]', "characteristic.compact[0]",
     "regular"),
])
def test_unresolvable_or_irregular_data_refused_naming_key_and_need(tmp_path, capsys, data, key, needed):
    text = UNSTABLE.replace('pulses = [{ amplitude = 2.0, a = 1.0, t0 = 0.0, x0 = 0.3, y0 = 0.0 }]', data)
    if "x0 = 2.0" in data:
        text = text.replace("nx = 33", "nx = 257").replace("nphi = 8", "nphi = 16")
    cfg = tmp_path / "c.toml"
    cfg.write_text(text)
    assert cli.main(["run", str(cfg), "--validate-only"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and key in err and needed in err, err
    assert not list(tmp_path.glob("*.h5*"))


def test_resolved_data_and_shipped_configs_pass_validation():
    from pathlib import Path
    for f in sorted((Path(__file__).parents[1] / "runs").glob("characteristic_*.toml")):
        characteristic.validate(config.load(f))
    characteristic.validate(config.parse(UNSTABLE.replace("amplitude = 2.0", "amplitude = 0.5")))


def test_incomplete_write_option(tmp_path):
    cfg = config.parse(UNSTABLE)
    p = results.write(tmp_path / "x.h5", RunData(series={"u": (np.arange(3.0), "length", "t")}), cfg,
                      config.to_toml(cfg), complete=False, stop_reason="because")
    with h5py.File(p) as f:
        assert not f.attrs["complete"] and f.attrs["stop_reason"] == "because"
    with pytest.raises(ResultFileError, match="incomplete result \\(stopped: because"):
        api.load(p)
    with api.load(p, allow_incomplete=True) as r:
        r.verify()
        assert r.stop_reason == "because" and not r.complete
