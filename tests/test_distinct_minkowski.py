"""Distinct Minkowski spaces: the final-vacuum comparison of asymflat.analysis.distinct_minkowski (issue 9).

Fast: exact vacua.  Minkowski and a supertranslated Minkowski (Theta = -1, Xi = alpha' + alpha''',
physics-bms3.md §3.1) have equal Poincare charges and different |n| >= 2 superrotation charges; the
table must say so, and the error bound must bound the charge change of an aspect perturbation.
Slow: runs/distinct_minkowski_{a,b}.toml (strong-field scattering, G = 0.02, two vs four pulses),
final vacua in the matched frame (docs/conventions.md §6.3: the frame in which each run's i0 data equal
its antipodal scri- data, so both share the frame of their common i- vacuum).  Measured: both on the
Minkowski orbit (trace -2 to 1e-9, winding 1 to 1e-5); E + 1/(8G) = 2.7e-5 +- 6.5e-5 and 1.3e-4 +-
1.9e-3, p, J, K zero to 5e-8: every Poincare charge equal; |P_2| = 1.0e-2 vs 9e-10, |J_2| = 0.455 vs
7e-9, |J_4| = 0.123 vs 0.028, |J_6| = 0.021 vs 9e-9 (errors < 2e-3): distinct.  In the first cut's frame
the n = 2 vacuum showed E + 1/(8G) = 2.3e-2 +- 6.5e-5 (reported as superrotation energy by the second
session): that was the O(G) superrotation of the first cut's frame (§6.2), gone in the matched frame.
"""
import math
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from asymflat import cli, load
from asymflat.analysis.distinct_minkowski import compare, final_state, format_table

ROOT = Path(__file__).resolve().parents[1]
G = 0.05


def _fake(name, theta, xi, eth=None, exi=None):
    n = theta.size
    mem = {"mass_aspect_final": theta, "angular_momentum_aspect_final": xi,
           "mass_aspect_final_error": np.full(n, 1e-12) if eth is None else eth,
           "angular_momentum_aspect_final_error": np.full(n, 1e-12) if exi is None else exi,
           "F_minus_phi": np.zeros(n), "gamma": np.zeros(n)}
    return SimpleNamespace(memory=mem, memory_attributes={"G": G, "hill_trace": -2.0, "hill_winding": 1.0},
                           config={"G": G}, path=f"{name}.h5")


def _supertranslated(n, terms):
    phi = 2 * np.pi * np.arange(n) / n
    # alpha = sum a_k cos(k phi): Xi = alpha' + alpha''' = sum a_k (k^3 - k) sin(k phi)
    xi = sum(a * (k**3 - k) * np.sin(k * phi) for k, a in terms)
    return -np.ones(n), xi


def test_supertranslated_minkowski_is_distinct_with_equal_poincare_charges():
    n = 64
    a = final_state(_fake("minkowski", -np.ones(n), np.zeros(n)), frame="first_cut")
    b = final_state(_fake("supertranslated", *_supertranslated(n, [(2, 0.3), (3, -0.1)])), frame="first_cut")
    pair = compare([a, b])[0]
    verdict = {name: v for name, _, _, v in pair["rows"]}
    for name in ("E", "p_x", "p_y", "J", "K_x", "K_y"):
        assert verdict[name] == "equal", name
        assert abs(b["poincare"][name][0]) < 1e-12          # Minkowski's values (E + 1/8G = 0)
    assert verdict["J_2"] == "distinct" and verdict["J_3"] == "distinct" and verdict["J_4"] == "equal"
    # J_n = (1/16 pi G) oint e^{i n phi} 2 Xi: for Xi = c sin(n phi), |J_n| = c / (8 G) ... (2 pi c / 2i) x 2/(16 pi G)
    assert abs(abs(b["J"][0][1]) - 0.3 * 6 / (8 * G)) < 1e-10
    assert abs(abs(b["J"][1][1]) - 0.1 * 24 / (8 * G)) < 1e-10
    text = format_table([a, b])
    assert "distinct" in text and "E + 1/(8G)" in text
    # control: the same state twice is "equal" everywhere
    assert all(v == "equal" for *_, v in compare([b, b])[0]["rows"])


def test_error_bound_bounds_a_perturbation():
    n = 48
    phi = 2 * np.pi * np.arange(n) / n
    rng = np.random.default_rng(3)
    eth = 1e-3 * (1 + rng.random(n))
    exi = 2e-3 * (1 + rng.random(n))
    th0, xi0 = -1 + 0.1 * np.cos(2 * phi), 0.2 * np.sin(3 * phi)
    s0 = final_state(_fake("s0", th0, xi0, eth, exi), frame="first_cut")
    for _ in range(20):
        dth = eth * rng.uniform(-1, 1, n)
        dxi = exi * rng.uniform(-1, 1, n)
        s1 = final_state(_fake("s1", th0 + dth, xi0 + dxi, eth, exi), frame="first_cut")
        for name in s0["poincare"]:
            assert abs(s1["poincare"][name][0] - s0["poincare"][name][0]) <= s0["poincare"][name][1] * (1 + 1e-12)
        for key in ("P", "J"):
            for (m, v0, e0), (_, v1, _) in zip(s0[key], s1[key]):
                assert abs(v1 - v0) <= e0 * (1 + 1e-12), (key, m)
    # control: a perturbation 3x the error breaks the bound for E
    s2 = final_state(_fake("s2", th0 + 3 * eth, xi0, eth, exi), frame="first_cut")
    assert abs(s2["poincare"]["E"][0] - s0["poincare"]["E"][0]) > s0["poincare"]["E"][1]


@pytest.mark.slow
def test_two_scattering_runs_end_in_distinct_minkowski_spaces(tmp_path, capsys):
    paths = []
    for v in ("a", "b"):
        out = tmp_path / f"{v}.h5"
        assert cli.main(["run", str(ROOT / "runs" / f"distinct_minkowski_{v}.toml"), "-o", str(out), "--quiet"]) == 0
        paths.append(out)
    states = []
    for p in paths:
        with load(p) as r:
            assert all(c.passed for c in r.checks)
            states.append(final_state(r))
    for s in states:
        assert abs(s["hill_trace"] + 2) < 1e-6 and abs(s["hill_winding"] - 1) < 1e-3
    verdict = {name: (d, e, v) for name, d, e, v in compare(states)[0]["rows"]}
    for name in ("E", "p_x", "p_y", "J", "K_x", "K_y"):
        assert verdict[name][2] == "equal", (name, verdict[name])
    for name in ("J_2", "J_4", "P_2"):
        assert verdict[name][2] == "distinct", (name, verdict[name])
    Ea, ea = states[0]["poincare"]["E"]
    assert abs(Ea) < 3 * ea  # matched frame: a Lorentz-frame Minkowski vacuum (measured 2.7e-5 +- 6.5e-5)
    with load(paths[0]) as r:  # the first cut's frame carries the O(G) superrotation: E above the minimum
        E1, e1 = final_state(r, frame="first_cut")["poincare"]["E"]
    assert E1 > 10 * e1  # measured 2.3e-2 +- 6.5e-5
    assert cli.main(["distinct", *map(str, paths), "-o", str(tmp_path / "distinct")]) == 0
    assert (tmp_path / "distinct.png").exists() and (tmp_path / "distinct.pdf").exists()
    assert "distinct" in capsys.readouterr().out
    assert math.isfinite(Ea)
