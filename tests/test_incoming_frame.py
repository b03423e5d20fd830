"""``[scattering] incoming_frame``: which spacetime a scattering run with incoming data evolves
(asymflat/pipeline/incoming_frame.py; docs/conventions.md section 11.1).

The fixed point D~ = D o v_B on a small grid (circular Gaussian table, amplitude 0.5, width 1.5, G = 0.005,
first cone u0 = -20, R = 8, nx = 64 intervals, nphi = 32), measured: increments 3.5e-2, 6.3e-4, 1.8e-5,
4.1e-7, 9.9e-9, 2.3e-10, 5.5e-12, 1.3e-13, 3.6e-15 (9 iterations, rate 0.018..0.028 ~ 8 pi G E_in / 1.1);
the relabelled scri- psi0 of the evolved cone against D: 3.53e-2 (flat_cone) and 3.30e-5 (scri_minus;
1.63e-5 at nx = 128: the cone's interpolation of the excess v_B - v, the pulse spans ~1.3 cells of x at
nx = 64).  About 13 s.
"""
from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import quad

from asymflat import config as _config
from asymflat.incoming.table import with_tails
from asymflat.pipeline import ladder
from asymflat.pipeline.characteristic_input import parse
from asymflat.pipeline.incoming_frame import (FIXED_POINT_TOL, bondi_time_on_rays, reported_vs_table,
                                              scri_minus_fixed_point)
from asymflat.scri.minus import scri_minus_from_cone

BASE = """kind = "scattering"
G = 0.005
[grid]
nx = 65
nphi = 32
R = 8.0
[evolution]
u_start = -20.0
u_end = 20.0
[characteristic]
{characteristic}
[scattering]
first_cones = [-20.0]
{scattering}
"""


def _cfg_text(scattering: str, characteristic: str = "") -> str:
    return BASE.format(scattering=scattering, characteristic=characteristic)


def test_bad_values_are_refused_in_one_line():
    with pytest.raises(_config.ConfigError) as exc:
        _config.parse(_cfg_text('incoming = "d.h5"\nincoming_frame = "bondi"'))
    msg = str(exc.value)
    assert "\n" not in msg and "scattering.incoming_frame = 'bondi'" in msg and '"scri_minus"' in msg
    with pytest.raises(_config.ConfigError) as exc:
        _config.parse(_cfg_text('incoming_frame = "scri_minus"',
                                "pulses = [{ amplitude = 0.1, a = 1.0, t0 = 0.0 }]"))
    msg = str(exc.value)
    assert "\n" not in msg and msg.startswith("scattering.incoming_frame = 'scri_minus': needs scattering.incoming")


def test_the_default_is_left_out_of_the_stored_configuration():
    """Result digests: a configuration without the key is stored as before the key existed."""
    default = _config.to_toml(_config.parse(_cfg_text('incoming = "d.h5"')))
    assert "incoming_frame" not in default
    assert _config.to_toml(_config.parse(_cfg_text('incoming = "d.h5"\nincoming_frame = "flat_cone"'))) == default
    chosen = _config.to_toml(_config.parse(_cfg_text('incoming = "d.h5"\nincoming_frame = "scri_minus"')))
    assert 'incoming_frame = "scri_minus"' in chosen


def test_bondi_time_on_rays_against_quadrature():
    """(1) of the module: beta = 0 gives v itself (exactly); beta = b x^2 against scipy's quad of
    2 (e^{2 beta} - 1) R / (1 - x)^2 (measured 9.2e-10 at nx = 128, 6-point local quadrature)."""
    R, u0, b, nx = 8.0, -20.0, 0.02, 128
    x = np.arange(nx + 1) / nx
    v = np.linspace(-19.5, 10.0, 40)
    assert np.array_equal(bondi_time_on_rays(x, R, u0, np.zeros((nx + 1, 3)), v), np.repeat(v[:, None], 3, axis=1))
    beta = np.repeat((b * x ** 2)[:, None], 2, axis=1)
    got = bondi_time_on_rays(x, R, u0, beta, v)[:, 0]
    xs = 0.5 * (v - u0) / (R + 0.5 * (v - u0))
    exact = v + np.array([quad(lambda y: 2 * np.expm1(2 * b * y * y) * R / (1 - y) ** 2, 0, xe, epsabs=1e-14)[0]
                          for xe in xs])
    assert np.max(np.abs(got - exact)) < 1e-8, np.max(np.abs(got - exact))
    with pytest.raises(ValueError, match="too close to scri"):
        bondi_time_on_rays(x, R, u0, beta, np.array([u0 + 2 * R * 200]))


def test_fixed_point_converges_and_makes_the_scri_minus_data_the_table():
    v = -10 + 0.05 * np.arange(401)
    phi = 2 * np.pi * np.arange(32) / 32
    D = with_tails(v, phi, 0.5 * np.exp(-(v[:, None] / 1.5) ** 2) * np.ones(32))
    cfg = _config.parse(_cfg_text('incoming = "d.h5"'))
    cfg["kind"] = "characteristic"
    cfg.pop("scattering")
    p = parse(cfg)
    cones = []

    def cone_beta(table):
        q = dict(p, incoming=table, _first_cone_cache={})
        cones.append((q, ladder.first_cone(q, p["nx"])))
        return cones[-1][1][0], p["R"], cones[-1][1][3]

    Dt, info = scri_minus_fixed_point(D, -20.0, cone_beta)
    inc = np.array(info["increments"])
    assert info["residual"] <= FIXED_POINT_TOL and info["iterations"] <= 12, info       # measured 9
    assert np.all(inc[1:-1] / inc[:-2] < 0.05), inc                                      # measured 0.018..0.028
    reported = {}
    for name, (q, (x, ph, chi, beta)), table in (("flat_cone", cones[0], D), ("scri_minus", cones[-1], Dt)):
        q = dict(q, incoming=table)
        M = scri_minus_from_cone(x, ph, p["R"], -20.0, chi, beta, p["G"], 40.0 / 320, None,
                                 psi0_minus=ladder.scri_minus_table(q))
        reported[name] = reported_vs_table(M, D)
    assert reported["flat_cone"] > 2e-2, reported                  # measured 3.53e-2: O(8 pi G E_in)
    assert reported["scri_minus"] < 1e-4, reported                 # measured 3.30e-5
