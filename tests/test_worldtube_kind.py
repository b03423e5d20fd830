"""Kind ``worldtube`` (issue 6): null dust from an inner worldtube, end to end.

* runs/dust.toml and runs/spinning_particle_tube.toml pass ``asymflat check`` (CLI, exit 0);
* the phi-dependent Vaidya solution (b) is reproduced from f and the initial data alone, with
  d_u Theta = -16 pi G f at scri+; a tube evolved with a wrong sign fails the checks (control);
* BMS3 vacua through the tube (no dust): Theta = -mu^2, Xi = -4 G J to round-off and the Poincare
  charges of asymflat.bms3.spacetimes;
* every bad configuration value: one line naming the key, exit status 2, no traceback.
"""
from __future__ import annotations

import math
from pathlib import Path

import h5py
import numpy as np
import pytest

import asymflat
from asymflat import cli, config
from asymflat.exact import null_dust
from asymflat.kinds import worldtube as W
from asymflat.pipeline import worldtube_input

ROOT = Path(__file__).parents[1]
RUNS = ("dust.toml", "spinning_particle_tube.toml")

VACUUM = """\
kind = "worldtube"
G = {G}
[grid]
nx = 33
nphi = 16
[evolution]
u_start = -4.0
u_end = 4.0
[worldtube]
r_w = {r_w}
background = "{background}"
mu = {mu}
angular_momentum = {J}
"""


@pytest.mark.parametrize("name", RUNS)
def test_runs_pass_asymflat_check(name, tmp_path, capsys):
    out = tmp_path / "r.h5"
    assert cli.main(["run", str(ROOT / "runs" / name), "-o", str(out), "--quiet"]) == 0
    assert cli.main(["check", str(out)]) == 0, capsys.readouterr().out
    with asymflat.load(out) as r:
        names = {c.name for c in r.checks}
        assert {"Theta_vs_exact", "Xi_vs_exact", "mass_law", "N_law", "energy_balance", "bondi_frame_U0",
                "exterior_vs_exact", "angular_momentum_conservation"} <= names
        s = r.summary
        # the measured convergence order of the scri+ data against the exact solution (b)
        assert 3.8 < s["order_theta"] < 4.2 and 3.8 < s["order_xi"] < 4.2, s
        assert s["J_initial"] == pytest.approx(s["J_final"], abs=1e-12)
    with h5py.File(out) as f:
        g = f["scri_plus"]
        for ds in ("dust_flux", "U0", "tube/mass_aspect", "tube/N", "tube/U", "tube/calW",
                   "exact/mass_aspect", "exact/angular_momentum_aspect"):
            assert ds in g and "units" in g[ds].attrs, ds
        assert np.all(g["dust_flux"][()] >= 0) and np.max(g["dust_flux"][()]) > 0
        assert np.max(np.abs(g["news"][()])) == 0 and np.max(np.abs(g["psi0"][()])) == 0


def test_dust_run_reproduces_solution_b_and_the_mass_law():
    """From f and the initial data alone: Theta, N, Xi at scri+ within 1e-9 of (b), Theta decreasing
    by the dust, d_u Theta + 16 pi G f small against 16 pi G f."""
    cfg = config.load(ROOT / "runs" / "dust.toml")
    d = W.run(cfg)
    assert all(c.passed for c in d.checks), [(c.name, c.value, c.tolerance) for c in d.checks if not c.passed]
    sp = d.scri_plus
    G = cfg["G"]
    wt = cfg["worldtube"]
    sol = null_dust.NullDustSolution.from_background(wt["background"], G, mu=wt["mu"], bursts=wt["bursts"])
    U, P = np.meshgrid(sp.time, sp.phi, indexing="ij")
    assert np.max(np.abs(sp.mass_aspect - sol.mass_aspect(U, P))) < 1e-9
    assert np.max(np.abs(sp.N - sol.N(U, P))) < 1e-9
    assert np.max(np.abs(sp.angular_momentum_aspect - sol.angular_momentum_aspect(U, P))) < 1e-9
    assert np.ptp(sp.mass_aspect[-1]) > 0.1                       # phi dependence
    big = 16 * math.pi * G * np.max(sp.extra["dust_flux"][0])
    assert d.summary["mass_law_residual"] < 1e-8 * big
    assert np.all(np.diff(sp.mass_aspect, axis=0) <= 1e-12)       # f >= 0: Theta non-increasing
    assert d.summary["emitted_dust_energy"] == pytest.approx(d.summary["emitted_dust_energy_exact"], rel=1e-9)


def test_wrong_tube_equation_fails_the_checks(monkeypatch):
    """Control: the tube evolved with d_u Theta_w = +16 pi G f (wrong sign) fails the exact-solution
    and mass-law checks."""
    from solvers.worldtube import kernels

    real = kernels.evolve_tube

    def wrong(theta_out, N_out, flux_stages, dt, sixteen_pi_G, *rest):
        return real(theta_out, N_out, flux_stages, dt, -sixteen_pi_G, *rest)

    monkeypatch.setattr(kernels, "evolve_tube", wrong)
    d = W.run(config.load(ROOT / "runs" / "dust.toml"))
    failed = {c.name for c in d.checks if not c.passed}
    assert {"Theta_vs_exact", "Xi_vs_exact", "mass_law", "energy_balance"} <= failed, failed


@pytest.mark.parametrize("background, mu, J, G, r_w", [
    ("minkowski", 1.0, 0.0, 0.1, 1.0),
    ("conical_defect", 0.6, 0.0, 0.2, 0.5),
    ("spinning_particle", 0.7, 2.5, 0.05, 0.3),
    ("spinning_particle", 0.9, -1.0, 1.0, 2.0),
])
def test_bms3_vacuum_through_the_tube_is_exact(background, mu, J, G, r_w):
    cfg = config.parse(VACUUM.format(background=background, mu=mu, J=J, G=G, r_w=r_w))
    d = W.run(cfg)
    assert all(c.passed for c in d.checks), [(c.name, c.value, c.tolerance) for c in d.checks if not c.passed]
    names = {c.name for c in d.checks}
    assert {"vacuum_Theta", "vacuum_Xi", "bms3_charges_vs_vacuum"} <= names
    sp = d.scri_plus
    assert np.max(np.abs(sp.mass_aspect + mu**2)) < 1e-13
    assert np.max(np.abs(sp.angular_momentum_aspect + 4 * G * J)) < 1e-13
    assert d.series["J"][0][-1] == pytest.approx(J, abs=1e-12)          # physical J = -Q[0,1]
    assert d.series["E"][0][0] == pytest.approx(-mu**2 / (8 * G), rel=1e-13)
    assert d.summary["vacuum_J"] == pytest.approx(J, abs=1e-12)


def _cfg(extra_tube: str = "", **repl) -> str:
    text = VACUUM.format(background="minkowski", mu=1.0, J=0.0, G=0.05, r_w=1.0) + extra_tube
    for k, v in repl.items():
        text = text.replace(k, v)
    return text


BURST = 'bursts = [{ amplitude = 0.1, u_center = 0.0, width = 1.0, m = 2, modulation = 0.5 }]\n'

BROKEN = {
    "r_w_zero": (_cfg().replace("r_w = 1.0", "r_w = 0.0"), ["worldtube.r_w", "0.0", "> 0"]),
    "r_w_missing": (_cfg().replace("r_w = 1.0\n", ""), ["worldtube.r_w", "missing"]),
    "r_w_tiny": (_cfg().replace("r_w = 1.0", "r_w = 1e-9"), ["worldtube.r_w", "1e-09", "1e-6 grid.R"]),
    "background": (_cfg().replace('"minkowski"', '"kerr"'), ["worldtube.background", "'kerr'", "spinning_particle"]),
    "mu_range": (_cfg().replace("mu = 1.0", "mu = 1.5"), ["worldtube.mu", "1.5", "(0, 1]"]),
    "mu_minkowski": (_cfg().replace("mu = 1.0", "mu = 0.5"), ["worldtube.mu", "0.5", "minkowski"]),
    "J_minkowski": (_cfg().replace("angular_momentum = 0.0", "angular_momentum = 1.0"),
                    ["worldtube.angular_momentum", "1.0", "spinning_particle"]),
    "J_nan": (_cfg().replace("angular_momentum = 0.0", "angular_momentum = nan"), ["worldtube.angular_momentum", "nan"]),
    "modulation_one": (_cfg(BURST.replace("modulation = 0.5", "modulation = 1.0")),
                       ["worldtube.bursts[0].modulation", "1.0", "[0, 1)"]),
    "negative_amplitude": (_cfg(BURST.replace("amplitude = 0.1", "amplitude = -0.1")),
                           ["worldtube.bursts[0].amplitude", "-0.1", ">= 0"]),
    "zero_width": (_cfg(BURST.replace("width = 1.0", "width = 0.0")), ["worldtube.bursts[0].width", "0.0", "> 0"]),
    "narrow_width": (_cfg(BURST.replace("width = 1.0", "width = 0.01")),
                     ["worldtube.bursts[0].width", "0.01", "need grid.nx >="]),
    "m_float": (_cfg(BURST.replace("m = 2", "m = 2.5")), ["worldtube.bursts[0].m", "2.5", "integer"]),
    "m_unresolved": (_cfg(BURST.replace("m = 2", "m = 9")), ["worldtube.bursts[0].m", "9", "nphi/2"]),
    "burst_unknown_key": (_cfg(BURST.replace("m = 2", "n = 2")), ["worldtube.bursts[0].n", "unknown key"]),
    "burst_missing_key": (_cfg(BURST.replace("u_center = 0.0, ", "")), ["worldtube.bursts[0].u_center", "missing"]),
    "bursts_not_tables": (_cfg("bursts = [1, 2]\n"), ["worldtube.bursts", "list of tables"]),
    "G_zero": (_cfg().replace("G = 0.05", "G = 0.0"), ["G = 0.0", "> 0", "worldtube"]),
    "odd_intervals": (_cfg().replace("nx = 33", "nx = 34"), ["grid.nx", "34", "shadow"]),
    "shadow_too_coarse": (_cfg().replace("nx = 33", "nx = 13"), ["grid.nx", "13", "shadow"]),
    "unknown_key": (_cfg("radius = 3.0\n"), ["worldtube.radius", "unknown key"]),
    "unknown_section": (_cfg() + "[vacuum]\nspacetime = \"minkowski\"\n", ["[vacuum]", "unknown section"]),
    "missing_section": (_cfg().split("[worldtube]")[0], ["[worldtube]", "missing section"]),
    "too_many_samples": (_cfg().replace("u_end = 4.0", "u_end = 1e9"), ["evolution.u_end", "samples"]),
    "small_tube_large_N": (_cfg().replace('"minkowski"', '"spinning_particle"').replace("mu = 1.0", "mu = 0.5")
                           .replace("angular_momentum = 0.0", "angular_momentum = 1e6").replace("r_w = 1.0", "r_w = 0.001"),
                           ["worldtube.r_w", "too small"]),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_config_one_line_exit_2(name, tmp_path, capsys):
    text, words = BROKEN[name]
    path = tmp_path / "c.toml"
    path.write_text(text)
    code = cli.main(["run", str(path), "--validate-only"])
    out, err = capsys.readouterr()
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert code == 2 and len(lines) == 1 and "Traceback" not in err, err
    for w in words:
        assert w in lines[0], (w, lines[0])


def test_schema_backgrounds_match_the_exact_module():
    assert config.TUBE_BACKGROUNDS == null_dust.BACKGROUNDS
    assert "worldtube" in config.KINDS


def test_energy_budget_is_refused_below_minkowski():
    """Outgoing dust from a Minkowski tube would leave E < -1/(8G) (a conical excess): refused naming
    the bursts; the same burst around a particle with enough energy (mu = 0.5) is accepted."""
    with pytest.raises(ValueError, match="worldtube.bursts: the dust carries energy .* below the Minkowski"):
        W.validate(config.parse(_cfg(BURST)))
    W.validate(config.parse(_cfg(BURST).replace('"minkowski"', '"conical_defect"').replace("mu = 1.0", "mu = 0.5")))


def test_theta_bound_guard():
    """Theta >= 0 (no spatial infinity) is refused naming the bursts; with f >= 0 Theta only decreases
    from -mu^2, so only an inadmissible (negative) flux reaches it -- here injected directly."""
    cfg = config.parse(_cfg(BURST).replace('"minkowski"', '"conical_defect"').replace("mu = 1.0", "mu = 0.5"))
    p = W.validate(cfg)
    bad = [null_dust.DustBurst(-2.0, 0.0, 1.0)]
    p2 = dict(p, bursts=bad)
    with pytest.raises(ValueError, match="Theta"):
        worldtube_input.theta_guard(p2)
