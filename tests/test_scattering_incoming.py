"""Incoming radiation from data through the ``scattering`` kind, and the G = 0 time-reversal closure
S T S = T through the kind (issue 21).

Run A: incoming D = the Gaussian m = 3 table of examples/incoming_bump.py (``--shape gaussian``,
v in [-10, 10], h = 0.05, nphi = 32), G = 0, one first cone u0 = -20, u_end = 20, R = 8, cfl = 2,
nphi = 32.  Run B: ``incoming_from = A``.  Closure residual: max |T psi0+_B - D| / max |D| on D's
nodes.  Measured (2 shared cores):

    nx                               129      193      257      385      513
    A: psi0_vs_free_map (|psi0+ - S D|, max|S D| = 0.52)
                                   1.25e-2      -      3.30e-4
    closure (tail law p = 1)       3.66e-2  2.27e-3  4.86e-4  5.35e-5  1.51e-5
        local orders (in nx - 1)        6.9      5.4      5.4      4.4
    closure (p = 1/2 or 1 fitted)  0.112    3.90e-3  4.86e-4    local orders 8.3, 7.2

(design order 4: RK4 in u; the local order falls to it at the finest pair.)  The reflected data's tail law is fixed to p = 1
(asymflat/incoming/reverse.py OUTGOING_TAIL_POWERS): fitting both powers let A's truncation error at
late u pick p = 1/2 at nx = 129, 193 (the second row; at 129 it leaves an offset of ~3e-2 in v,
m = 3 in phi, the largest part of that residual).  (nx = 385 used to stop in the Bondi-frame
resampling, "requested Bondi times outside the range": the output step du = u[1] - u[0] carries
ulp(u[0]), and 960 of them put the cut at u_end 1.1e-12 beyond A(u_end); the cut count now keeps the
cuts inside the range, tests/test_scri_frame.py.)  Wall time per run: 6 s (129), 14 s (257), 22 s
(385), 45 s (513).

Dependence on u_end, with and without the tail model (nx = 193, D's table, A: u0 = -20, u_end = U;
B: u0 = -U, u_end = U, R and nx scaled by U / 20 so the pulse is as resolved on B's first cone and du
is the same; "off": the reflected data truncated, zero beyond their ends):

    U                        20       30       40
    closure, tails p = 1   2.27e-3  2.65e-3  3.38e-3
    closure, no tails      2.57e-2  2.39e-2  2.27e-2

The tail model gains a factor 7..11; without it the truncated 1/u tail leaves ~2.4e-2, falling only
slowly with U (the tail's weight in the first cone's field, the 2+1 half-derivative of all earlier v,
decays like U^-1/2 or slower).  With B at fixed R = 8, nx = 257 the residual grew with U instead
(4.9e-4, 8.8e-3, 5.9e-2 with tails): the pulse then sits further out on B's cone, fewer points per width.  The compact bump (examples/incoming_bump.py default) converges slower at
these grids (psi0_vs_free_map 8.9e-2, 3.8e-2, 1.6e-2 at nx = 65, 129, 257, the largest error at the
bump's edge v ~ 4, where every derivative is large): it runs through, but its gate fails below
nx ~ 257.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

from asymflat import api
from asymflat import config as _config
from asymflat.incoming import closure as _closure
from asymflat.incoming.reverse import reflected_result
from asymflat.incoming.sampling import psi0_at
from asymflat.io import incoming as incoming_io

try:
    from support.configs import SCATTERING_INCOMING_TEMPLATE
    from support.examples import example
except ImportError:  # pragma: no cover
    from tests.support.configs import SCATTERING_INCOMING_TEMPLATE
    from tests.support.examples import example

ROOT = Path(__file__).resolve().parents[1]
bump = example("incoming_bump")

CONFIG = SCATTERING_INCOMING_TEMPLATE


def _config_file(tmp: Path, name: str, source: str, nx: int = 129, G: float = 0.0, u0: float = -20.0,
                 extra: str = "") -> Path:
    p = tmp / f"{name}.toml"
    p.write_text(CONFIG.format(G=G, nx=nx, u0=u0, source=source, extra=extra))
    return p


def _gaussian(tmp: Path) -> Path:
    return incoming_io.write(tmp / "gauss.h5", bump.bump_table(0.05, 32, (-10.0, 10.0), "gaussian"))


def _check(path: Path, name: str) -> tuple[float, float, bool]:
    with h5py.File(path, "r") as f:
        a = f[f"diagnostics/checks/{name}"].attrs
        return float(a["value"]), float(a["error_estimate"]), bool(a["passed"])


def closure_residual(D_path: Path, B_path: Path) -> float:
    """max |T psi0+_B - D| / max |D| on D's nodes (B's /scri_plus_final_frame, reflected)."""
    D = incoming_io.read(D_path)
    return _closure.closure_residual(D, *_closure.loop_output(D, B_path))


def _refusal(cfg_path: Path) -> str:
    with pytest.raises(ValueError) as exc:
        cfg = _config.load(cfg_path)
        api.validate_physics(cfg)
    msg = str(exc.value)
    assert "\n" not in msg
    return msg


# --- configuration and refusals ------------------------------------------------------------------

def test_incoming_path_is_relative_to_the_config_directory(tmp_path):
    sub = tmp_path / "deep"
    sub.mkdir()
    _gaussian(tmp_path)
    cfg = _config.load(_config_file(sub, "a", 'incoming = "../gauss.h5"'))
    assert Path(cfg["scattering"]["incoming"]).resolve() == (tmp_path / "gauss.h5").resolve()
    api.validate_physics(cfg)                       # readable, checked, first cone before the data


def test_refusals_name_the_file_and_the_fault(tmp_path):
    _gaussian(tmp_path)
    assert "no such file" in _refusal(_config_file(tmp_path, "m", 'incoming = "missing.h5"'))
    with pytest.raises(_config.ConfigError, match="characteristic.pulses: not allowed with scattering.incoming"):
        _config.load(_config_file(tmp_path, "p", 'incoming = "gauss.h5"',
                                  extra="pulses = [{ amplitude = 1.0, a = 1.0 }]"))
    with pytest.raises(_config.ConfigError, match="either scattering.incoming or scattering.incoming_from"):
        _config.load(_config_file(tmp_path, "b", 'incoming = "gauss.h5"\nincoming_from = "x.h5"'))
    # a file not of the layout (an HDF5 file without the format attribute)
    with h5py.File(tmp_path / "other.h5", "w") as f:
        f["x"] = np.zeros(3)
    msg = _refusal(_config_file(tmp_path, "o", 'incoming = "other.h5"'))
    assert msg.startswith("scattering.incoming: ") and "other.h5: not an asymflat incoming-data file" in msg
    # NaN in the table
    D = bump.bump_table(0.05, 32, (-10.0, 10.0), "gaussian")
    bad = D.psi0.copy()
    bad[5, 3] = np.nan
    with h5py.File(tmp_path / "gauss.h5", "r") as f:
        attrs = dict(f.attrs)
    with h5py.File(tmp_path / "nan.h5", "w") as f:
        f.attrs.update(attrs)
        g = f.create_group("incoming")
        g["v"], g["phi"], g["psi0"] = D.v, D.phi, bad
    assert "psi0 contains 1 NaN" in _refusal(_config_file(tmp_path, "n", 'incoming = "nan.h5"'))
    # energy beyond the conical-defect bound at G > 0 (E_in ~ 0.1 per angle: 16 pi G E > 2 at G = 2)
    assert "conical-defect range" in _refusal(_config_file(tmp_path, "e", 'incoming = "gauss.h5"', G=2.0))
    # the first cone after the start of the data
    msg = _refusal(_config_file(tmp_path, "c", 'incoming = "gauss.h5"', u0=-5.0))
    assert "scattering.first_cones[-1] = -5.0: must be <=" in msg and "gauss.h5" in msg


def test_incoming_from_a_result_without_the_final_frame_group(tmp_path):
    # a scattering result written before /scri_plus_final_frame existed: the group removed by hand
    src = tmp_path / "old.h5"
    with h5py.File(src, "w") as f:
        f.attrs.update(format="asymflat-run", format_version=1, complete=True, kind="scattering")
    msg = _refusal(_config_file(tmp_path, "f", 'incoming_from = "old.h5"'))
    assert msg.startswith("scattering.incoming_from: ") and "no /scri_plus_final_frame group" in msg
    proc = subprocess.run([sys.executable, "-m", "asymflat.cli", "reverse", str(src), "-o", str(tmp_path / "r.h5")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert "no /scri_plus_final_frame group" in proc.stderr and not (tmp_path / "r.h5").exists()


# --- runs through the kind -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def closure_pair(tmp_path_factory):
    """Runs A (incoming D) and B (incoming_from = A) at nx = 129 (about 6 s each)."""
    tmp = tmp_path_factory.mktemp("closure")
    _gaussian(tmp)
    a = api.run(_config_file(tmp, "a", 'incoming = "gauss.h5"'), tmp / "a.h5")
    a.close()
    b = api.run(_config_file(tmp, "b", 'incoming_from = "a.h5"'), tmp / "b.h5")
    b.close()
    return tmp


def test_free_map_gate_and_identity_final_frame(closure_pair):
    val, est, ok = _check(closure_pair / "a.h5", "psi0_vs_free_map")
    assert ok and val < 1.6e-2, (val, est)            # measured 1.25e-2 (estimate 7.5e-3)
    with h5py.File(closure_pair / "a.h5", "r") as f:
        g = f["scri_plus_final_frame"]
        assert g.attrs["status"] == "ok" and g.attrs["identity_residual"] == 0.0
        assert not np.any(g["F_minus_phi"][()]) and not np.any(g["gamma"][()])
        for k in ("psi0", "news", "mass_aspect", "angular_momentum_aspect"):
            assert np.array_equal(g[k][()], f[f"scri_plus/{k}"][()]), k
        assert np.array_equal(g["u"][()], f["scri_plus/u"][()])
        # scri- of the run is D itself at G = 0 (v_B = v): interpolated onto the run's step, at the rays'
        # v found by the relabelling's Newton inversion (measured 2.6e-9: |v - v_B| x |news|)
        D = incoming_io.read(closure_pair / "gauss.h5")
        v = f["scri_minus/v"][()]
        ex = psi0_at(D, np.broadcast_to(v[:, None], (len(v), 32)))
        assert np.abs(f["scri_minus/psi0"][()] - ex).max() < 1e-8
        assert np.all(f["scri_minus/mass_aspect"][()] == -1.0)


def test_closure_through_the_kind(closure_pair):
    res = closure_residual(closure_pair / "gauss.h5", closure_pair / "b.h5")
    assert res < 5e-2, res                            # measured 3.66e-2 at nx = 129 (module table)
    # the same loop found by following the stored configurations (B -> A -> D), and drawn
    D, v, loop = _closure.closed_loop(closure_pair / "b.h5")
    assert _closure.closure_residual(D, v, loop) == res
    with api.load(closure_pair / "b.h5") as r:
        from asymflat import plots
        written = plots.plot_result(r, closure_pair / "figs")
    assert closure_pair / "figs" / "closure.png" in written
    data, tol = reflected_result(closure_pair / "a.h5")
    # the 1/u tail of outgoing 2+1 radiation (law p = 1, fixed for reflected output), accepted at the
    # run's own accuracy: 3 x shadow estimate / max, measured 3.5e-2
    assert data.early.power == 1.0 and data.late.power == 1.0
    assert 1e-6 < tol < 0.1, tol


def test_reverse_cli_writes_the_incoming_layout(closure_pair):
    out = closure_pair / "rev.h5"
    proc = subprocess.run([sys.executable, "-m", "asymflat.cli", "reverse", str(closure_pair / "a.h5"), "-o", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    back = incoming_io.read(out)
    same, _ = reflected_result(closure_pair / "a.h5")        # the code path of incoming_from
    assert np.array_equal(back.psi0, same.psi0) and np.array_equal(back.v, same.v)
    assert np.array_equal(back.early.coefficients, same.early.coefficients)


def test_compact_m3_bump_runs_through(tmp_path):
    incoming_io.write(tmp_path / "bump.h5", bump.bump_table(0.05, 32))
    r = api.run(_config_file(tmp_path, "bump", 'incoming = "bump.h5"', nx=65), tmp_path / "bump_run.h5")
    r.close()
    val, est, _ = _check(tmp_path / "bump_run.h5", "psi0_vs_free_map")
    assert val < 0.1, (val, est)                      # measured 8.9e-2 (unresolved edges, module doc)


@pytest.mark.slow
def test_closure_order_in_resolution(tmp_path):
    _gaussian(tmp_path)
    res = []
    for nx in (129, 193, 257, 385):
        a = api.run(_config_file(tmp_path, f"a{nx}", 'incoming = "gauss.h5"', nx=nx), tmp_path / f"a{nx}.h5")
        a.close()
        b = api.run(_config_file(tmp_path, f"b{nx}", f'incoming_from = "a{nx}.h5"', nx=nx), tmp_path / f"b{nx}.h5")
        b.close()
        res.append(closure_residual(tmp_path / "gauss.h5", tmp_path / f"b{nx}.h5"))
    n = np.array([128, 192, 256, 384])
    orders = np.log(np.array(res[:-1]) / np.array(res[1:])) / np.log(n[1:] / n[:-1])
    # measured 3.66e-2, 2.27e-3, 4.86e-4, 5.35e-5; orders 6.9, 5.4, 5.4 (513: 1.51e-5, order 4.4)
    assert res[-1] < 7e-5 and np.all(orders > 4.0), (res, orders)


@pytest.mark.slow
def test_circular_closure_at_g_positive_does_not_close_to_truncation(tmp_path):
    """G > 0, circular Gaussian (amplitude 0.5, width 1.5, E_in = 0.209 per angle, one first cone),
    ``incoming_frame = "flat_cone"``: the final frame is a time translation (the vertex rule,
    docs/conventions.md section 11.2: B = phi, u_final = u_B - s), so B can start from A (B's first cone
    u0 = -22).  Measured closure residual (a result, not a gate of correctness), before the vertex rule
    (output time origin fixed on the first cut):

        G        nx = 129   nx = 193   nx = 257
        0        3.6e-2     3.9e-3     8.3e-4
        0.0025      -       3.8e-2        -
        0.005    5.1e-2     4.7e-2        -

    and with it 4.12e-2 at G = 0.005, nx = 193 (s_A = 1.077, s_B = 1.152; the best further time shift,
    +4e-3, leaves 3.9e-2).  At G > 0 it does not fall with resolution: a plateau of a few percent
    (16 pi G E_in = 2.6e-2, 5.2e-2 at the two G), which is what the flat first cone of
    docs/conventions.md section 11.1 leaves uncorrected: the first cones of A and B carry the flat
    propagation of their data, not the scri- data of the spacetime evolved (each run's relabelled
    scri- data differ from its table by ~0.74 x 16 pi G E_in: A 1.95e-2, 3.88e-2, 7.70e-2 at
    G = 0.0025, 0.005, 0.01).  With incoming_frame = "scri_minus" it goes
    (test_circular_closure_in_the_scri_minus_frame)."""
    from asymflat.incoming.table import with_tails

    v = -10 + 0.05 * np.arange(401)
    phi = 2 * np.pi * np.arange(32) / 32
    incoming_io.write(tmp_path / "circ.h5", with_tails(v, phi, 0.5 * np.exp(-(v[:, None] / 1.5) ** 2) * np.ones(32)))
    G = 0.005
    api.run(_config_file(tmp_path, "a", 'incoming = "circ.h5"', nx=193, G=G), tmp_path / "a.h5").close()
    with h5py.File(tmp_path / "a.h5", "r") as f:
        assert f["scri_plus_final_frame"].attrs["status"] == "ok"
    api.run(_config_file(tmp_path, "b", 'incoming_from = "a.h5"', nx=193, G=G, u0=-22.0), tmp_path / "b.h5").close()
    res = closure_residual(tmp_path / "circ.h5", tmp_path / "b.h5")
    assert 0.035 < res < 0.05, res                    # measured 4.12e-2 (G = 0 at this grid: 2.3e-3)


@pytest.mark.slow
def test_circular_closure_in_the_scri_minus_frame(tmp_path):
    """``incoming_frame = "scri_minus"`` (docs/conventions.md section 11.1), circular Gaussian, G = 0.005,
    nx = 193: the relabelled scri- data are D (measured 7.3e-6), and the output is in the vertex frame at
    i+ (the time-symmetric rule of section 11.2: u_final = u_B - s, s = lim (A - u) = int (1 + Theta+) du_B
    in circular symmetry; measured s_A = 1.1052 against the integral to 4e-8).  Measured closure, no
    shift applied: 5.37e-3 (G = 0 at this grid: 2.27e-3; at nx = 129, 257: 2.46e-2, 1.47e-3, orders
    3.7, 4.5); the best further time shift, -2e-3, leaves 4.5e-3.  Before the rule (time origin of
    the first cut) the raw residual was 3.24e-2, 4.07e-3 after shifting by the measured
    s_A - s_B = -0.0495 by hand.  About 90 s."""
    from asymflat.incoming.table import with_tails

    v = -10 + 0.05 * np.arange(401)
    phi = 2 * np.pi * np.arange(32) / 32
    incoming_io.write(tmp_path / "circ.h5", with_tails(v, phi, 0.5 * np.exp(-(v[:, None] / 1.5) ** 2) * np.ones(32)))
    frame = 'incoming_frame = "scri_minus"'
    api.run(_config_file(tmp_path, "a", 'incoming = "circ.h5"\n' + frame, nx=193, G=0.005), tmp_path / "a.h5").close()
    with h5py.File(tmp_path / "a.h5", "r") as f:
        assert f["summary"].attrs["scri_minus_psi0_vs_table"] < 2e-5       # measured 7.3e-6
        assert int(f["summary"].attrs["incoming_frame_iterations"]) <= 12   # measured 8
        s_a = float(f["scri_plus_final_frame"].attrs["time_origin_shift"])
        integral = float(np.trapezoid(1 + f["scri_plus/mass_aspect"][()].mean(axis=1), f["scri_plus/u"][()]))
        assert np.allclose(f["scri_plus_final_frame/u"][()], f["scri_plus/u"][()] - s_a, rtol=0, atol=1e-9)
    assert abs(s_a - integral) < 1e-6 and 1.0 < s_a < 1.2, (s_a, integral)   # measured 1.1052, 3.7e-8
    api.run(_config_file(tmp_path, "b", 'incoming_from = "a.h5"\n' + frame, nx=193, G=0.005, u0=-22.0),
            tmp_path / "b.h5").close()
    D = incoming_io.read(tmp_path / "circ.h5")
    vv, loop = _closure.loop_output(D, tmp_path / "b.h5")
    res = _closure.closure_residual(D, vv, loop)
    assert res < 7e-3, res                            # measured 5.37e-3 (G = 0: 2.27e-3)


@pytest.mark.slow
def test_off_centre_closure_at_g_positive_is_limited_in_the_m3_part(tmp_path):
    """The finding of docs/conventions.md section 11.1 (off circular symmetry): the m = 3 Gaussian table,
    G = 0.005, ``scri_minus``, nx = 193, nphi = 64 (at 32 the run refuses its own transport as
    unresolved).  Both runs pass the final-frame gates (status ok).  Measured closure 6.13e-2 (G = 0:
    3.98e-3; at nx = 129, 257: 0.111, 5.59e-2, a plateau); per Fourier mode of the closed loop against
    D at its peak: m = 0 ratio 0.997 (1.0006 at 257: converges), m = 3 ratio 0.898 - 0.042i (0.906 -
    0.037i at 257: does not), m = 6 content 1.57e-2 against D's 8.2e-3 (of max|D|).  A result, not a
    gate of correctness: the test fails if the loss goes (the closure then closes: rewrite section 11.1)
    or grows.  About 140 s."""
    frame = 'incoming_frame = "scri_minus"'
    _gaussian(tmp_path)

    def cfg(name, src, u0):
        p = _config_file(tmp_path, name, src + "\n" + frame, nx=193, G=0.005, u0=u0)
        p.write_text(p.read_text().replace("nphi = 32", "nphi = 64"))
        return p

    api.run(cfg("a", 'incoming = "gauss.h5"', -20.0), tmp_path / "a.h5").close()
    api.run(cfg("b", 'incoming_from = "a.h5"', -22.0), tmp_path / "b.h5").close()
    for r in ("a", "b"):
        with h5py.File(tmp_path / f"{r}.h5", "r") as f:
            assert f["scri_plus_final_frame"].attrs["status"] == "ok", r
    D = incoming_io.read(tmp_path / "gauss.h5")
    vv, loop = _closure.loop_output(D, tmp_path / "b.h5")
    res = _closure.closure_residual(D, vv, loop)
    Dv = psi0_at(D, np.broadcast_to(vv[:, None], (len(vv), D.psi0.shape[1])))
    cL = np.fft.rfft(loop, axis=1) / loop.shape[1]
    cD = np.fft.rfft(Dv, axis=1) / Dv.shape[1]
    r0 = cL[np.argmax(np.abs(cD[:, 0])), 0] / cD[np.argmax(np.abs(cD[:, 0])), 0]
    j3 = np.argmax(np.abs(cD[:, 3]))
    r3 = cL[j3, 3] / cD[j3, 3]
    assert 0.05 < res < 0.075, res                                  # measured 6.13e-2
    assert abs(r0 - 1.0) < 6e-3, r0                                  # measured 0.997
    assert 0.87 < abs(r3) < 0.93 and -0.07 < np.angle(r3) < -0.02, r3   # measured 0.899, -0.047 rad
