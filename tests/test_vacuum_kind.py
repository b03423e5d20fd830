"""The ``vacuum`` run kind: every runs/vacuum_*.toml runs, its checks pass, and the physics holds."""
from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest

from asymflat import config as _config
from asymflat.bms3 import NoSpatialInfinityError
from asymflat.data import RunData
from asymflat.kinds import vacuum

RUNS = sorted((Path(__file__).resolve().parents[1] / "runs").glob("vacuum_*.toml"))


def _run(path):
    return vacuum.run(_config.load(path))


@pytest.mark.parametrize("path", RUNS, ids=[p.stem for p in RUNS])
def test_config_runs_and_checks_pass(path):
    data = _run(path)
    assert isinstance(data, RunData)
    n = data.scri_plus.phi.size
    ncut = data.scri_plus.time.size
    assert data.scri_plus.mass_aspect.shape == (ncut, n) and data.scri_minus.mass_aspect.shape == (ncut, n)
    assert np.allclose(data.scri_minus.time, -data.scri_plus.time[::-1])
    # N = Xi + (t/2) Theta'
    from asymflat.bms3.spectral import derivative

    for sd in (data.scri_plus, data.scri_minus):
        N = sd.angular_momentum_aspect + 0.5 * sd.time[:, None] * derivative(sd.mass_aspect)
        assert np.max(np.abs(N - sd.N)) < 1e-12 * max(1.0, np.max(np.abs(sd.N)))
        assert not np.any(sd.news) and not np.any(sd.psi0)
    failed = [(c.name, c.value, c.tolerance) for c in data.checks if not c.passed]
    assert not failed, failed
    names = {c.name for c in data.checks}
    assert "charge_conservation_scri_plus" in names
    s = data.summary
    for key in ("hill_trace", "hill_winding", "bondi_rest_mass", "scri_plus_E", "scri_minus_E", "charge_labels"):
        assert key in s
    if s["spacetime"] == "flat_space_cosmology":
        assert s["matching"].startswith("refused") and not data.matching
    else:
        for key in ("phi", "mass_aspect_plus", "mass_aspect_minus_antipodal", "angular_momentum_aspect_plus",
                    "angular_momentum_aspect_minus_antipodal", "modes_m", "mass_aspect_mode_residual",
                    "angular_momentum_aspect_mode_residual", "charges_plus", "charges_minus", "charges_residual"):
            assert key in data.matching, key
        assert {"matching_mass_aspect", "matching_charges"} <= names


def test_two_distinct_minkowski_spaces():
    """Equal Poincare charges (= Minkowski's), different superrotation charges."""
    runs = {p.stem: _run(p) for p in RUNS if "supertranslated_minkowski" in p.stem or p.stem == "vacuum_minkowski"}
    assert len(runs) == 3
    a, b, m = (runs["vacuum_supertranslated_minkowski_a"], runs["vacuum_supertranslated_minkowski_b"],
               runs["vacuum_minkowski"])
    for k in ("E", "p_x", "p_y", "J", "K_x", "K_y"):
        assert abs(a.summary[f"scri_plus_{k}"] - m.summary[f"scri_plus_{k}"]) < 1e-14
        assert abs(b.summary[f"scri_plus_{k}"] - m.summary[f"scri_plus_{k}"]) < 1e-14
    labels = a.summary["charge_labels"].split(", ")
    idx = [i for i, lab in enumerate(labels) if lab.split(" ")[-1] in ("J_2", "J_3", "J_5")]
    qa = a.matching["charges_plus"][0][idx]
    qb = b.matching["charges_plus"][0][idx]
    qm = m.matching["charges_plus"][0][idx]
    assert np.max(np.abs(qa - qb)) > 1e-2 and np.max(np.abs(qa - qm)) > 1e-2 and np.max(np.abs(qb - qm)) > 1e-2
    for d in (a, b, m):
        assert d.summary["hill_orbit"] == "minkowski"


def test_summary_physics():
    d = _run(next(p for p in RUNS if p.stem == "vacuum_boosted_particle"))
    G, m = 1.0, 0.05
    mu = 1 - 4 * G * m
    assert abs(d.summary["hill_trace"] - 2 * np.cos(np.pi * mu)) < 1e-10
    assert abs(d.summary["djth_mass"] - m) < 1e-7
    assert abs(d.summary["bondi_rest_mass"] - (1 - mu**2) / (8 * G)) < 1e-8
    e = d.summary["scri_plus_E"] + 1 / (8 * G)
    p2 = d.summary["scri_plus_p_x"] ** 2 + d.summary["scri_plus_p_y"] ** 2
    assert abs(np.sqrt(e**2 - p2) - (1 - mu**2) / (8 * G)) < 1e-13
    f = _run(next(p for p in RUNS if p.stem == "vacuum_flat_space_cosmology"))
    assert abs(f.summary["hill_trace"] - 2 * np.cosh(np.pi * np.sqrt(0.8))) < 1e-8 * f.summary["hill_trace"]
    assert "no spatial infinity" in f.summary["matching"]
    assert issubclass(NoSpatialInfinityError, ValueError)


BASE = {"kind": "vacuum", "G": 1.0, "grid": {"nphi": 32}, "evolution": {"u_start": -5.0, "u_end": 5.0},
        "vacuum": {"spacetime": "minkowski"}}


@pytest.mark.parametrize("patch, words", [
    ({"vacuum": {"spacetime": "supertranslated_minkowski"}}, ["frame.supertranslation"]),
    ({"vacuum": {"spacetime": "superrotated_minkowski"}}, ["frame.superrotation"]),
    ({"vacuum": {"spacetime": "flat_space_cosmology", "energy": -1.0}}, ["vacuum.energy", "-1.0", "M > 0"]),
    ({"vacuum": {"spacetime": "superrotated_minkowski"}, "frame": {"superrotation": [[2, 0.6, 0.0]]}},
     ["frame.superrotation", "F'"]),
])
def test_parameter_errors_name_the_key(patch, words):
    cfg = copy.deepcopy(BASE)
    for sec, vals in patch.items():
        cfg.setdefault(sec, {}).update(vals)
    cfg = _config.validate(cfg)
    with pytest.raises(ValueError) as exc:
        vacuum.run(cfg)
    msg = str(exc.value)
    for w in words:
        assert w in msg, (w, msg)


def test_mass_error_message_from_bms3():
    from asymflat.bms3 import make_spacetime

    with pytest.raises(ValueError, match=r"vacuum.mass = -1.0: allowed"):
        make_spacetime("conical_defect", 1.0, mass=-1.0)
    with pytest.raises(ValueError, match=r"vacuum.mass = 0.3"):
        make_spacetime("boosted_particle", 1.0, mass=0.3)


def test_spinning_particle_reports_the_configured_physical_angular_momentum(tmp_path):
    """docs/conventions.md §4: J = -Q[0, 1] = -(1/8 pi G) oint Xi equals [vacuum] angular_momentum."""
    import asymflat

    cfg = {"kind": "vacuum", "G": 0.5, "grid": {"nphi": 32}, "evolution": {"u_start": -1.0, "u_end": 1.0},
           "vacuum": {"spacetime": "spinning_particle", "mass": 0.1, "angular_momentum": 0.37}}
    with asymflat.run(cfg, tmp_path / "sp.h5") as r:
        s = r.summary
        assert abs(s["scri_plus_J"] - 0.37) < 1e-13 and abs(s["scri_minus_J"] - 0.37) < 1e-13
        xi = r.scri_plus.angular_momentum_aspect
        assert np.allclose(xi, -4 * 0.5 * 0.37, atol=1e-14)  # Xi0 = -4 G J
