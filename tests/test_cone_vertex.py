"""Conical vertex: a static point particle at the centre (issue 6; docs/conventions.md section 9).

calW(0) = -mu^2 (total angle 2 pi mu), vertex modes ~ r^{|m|/mu} (tests/test_derivation_cone.py).
Measured here (G, grids in each test):

* vacuum (no scalar): Theta_B = -mu^2 and Xi = 0 to round-off, the conical defect of the BMS3 module;
* the circular exact solution (c1) rescaled to the cone, mu = 0.7, G = 0.1: psi0 errors 8.3e-6,
  1.5e-7, 2.7e-9 and Theta_B errors 6.8e-6, 1.3e-7, 2.4e-9 at nx = 33, 65, 129 (order 5.8);
* a scalar pulse (m = 0, 1, 2) scattering off the particle, mu = 1/2 (integer vertex powers), G = 0.02:
  flux laws close at design order; the final Theta+ (extrapolated to i+) has Hill trace 2 cos(pi mu)
  (runs/particle_scattering.toml: -6.9e-5 from 0 with tolerance 4.2e-4 at nx = 129);
* generic mu: order 2/mu - 1 (slow study: 1.51 at mu = 0.8, 1.86 at mu = 0.7, 2.2-2.3 at mu = 0.6).
"""
import math

import numpy as np
import pytest

from asymflat import api
from asymflat.bms3.hill import hill
from asymflat.bms3.spacetimes import make_spacetime
from asymflat.config import ConfigError, validate
from asymflat.pipeline.estimates import cone_order

CIRC = dict(amplitude=0.5, a=1.0)
M1 = dict(amplitude=0.1, r_center=1.5, width=1.0, m=1, phase=0.3)
M2 = dict(amplitude=0.1, r_center=1.0, width=0.8, m=2)


def _cfg(mu, G=0.02, nx=65, nphi=64, u=(0.0, 12.0), circular=(CIRC,), compact=(M1, M2), pulses=(),
         shadow=True, acc=(0.0, 0.0)):
    return dict(kind="characteristic", G=G, grid=dict(nx=nx, nphi=nphi, R=1.0),
                evolution=dict(u_start=u[0], u_end=u[1], cfl=2.0), output=dict(scri_every=4),
                characteristic=dict(circular=[dict(c) for c in circular], compact=[dict(c) for c in compact],
                                    pulses=[dict(p) for p in pulses], shadow_grid=shadow),
                vertex=dict(mu=mu, acceleration=list(acc)))


def _run(cfg):
    c = validate(cfg)
    api.validate_physics(c)
    return api.execute(c)


def _checks(rd):
    return {c.name: c for c in rd.checks}


def test_vacuum_cone_is_the_conical_defect_of_the_bms3_module():
    mu, G = 0.6, 0.05
    rd = _run(_cfg(mu, G=G, nx=33, nphi=16, u=(0.0, 1.0), circular=(dict(amplitude=0.0, a=1.0),), compact=()))
    ch = _checks(rd)
    assert ch["vacuum_Theta"].passed and ch["vacuum_Xi"].passed
    st = make_spacetime("conical_defect", G=G, mass=(1 - mu) / (4 * G))
    assert abs(st.theta0 + mu**2) < 1e-15 and st.xi0 == 0
    assert np.max(np.abs(rd.scri_plus.mass_aspect - st.theta0)) < 1e-13
    assert np.max(np.abs(rd.scri_plus.angular_momentum_aspect)) < 1e-13
    assert abs(hill(rd.scri_plus.mass_aspect[-1], G).trace - 2 * math.cos(math.pi * mu)) < 1e-10
    # control: the same run with a regular vertex is Minkowski, not the defect
    rd1 = _run(_cfg(1.0, G=G, nx=33, nphi=16, u=(0.0, 1.0), circular=(dict(amplitude=0.0, a=1.0),), compact=()))
    assert np.max(np.abs(rd1.scri_plus.mass_aspect + mu**2)) > 0.5


def test_circular_exact_solution_on_a_cone_converges_at_the_radial_order():
    errs = {}
    for nx in (33, 65):
        rd = _run(_cfg(0.7, G=0.1, nx=nx, nphi=16, u=(-1.0, 2.0), compact=()))
        ch = _checks(rd)
        for name in ("psi0_vs_exact", "beta0_vs_exact", "Theta_vs_exact", "mass_loss_law", "flux_law_Theta"):
            assert ch[name].passed, (nx, name, ch[name].value, ch[name].tolerance)
        errs[nx] = (ch["psi0_vs_exact"].value, ch["Theta_vs_exact"].value)
    # measured 8.3e-6 -> 1.5e-7 (psi0) and 6.8e-6 -> 1.3e-7 (Theta): order 5.8 with radial order 6
    for k in range(2):
        order = math.log2(errs[33][k] / errs[65][k])
        assert order > 5.0, order


@pytest.fixture(scope="module")
def scattering_half():
    return _run(_cfg(0.5, nx=129, u=(0.0, 16.0)))


def test_scattering_off_a_cone_closes_the_flux_laws_at_design_order(scattering_half):
    rd = scattering_half
    ch = _checks(rd)
    assert all(c.passed for c in rd.checks), [(c.name, c.value, c.tolerance) for c in rd.checks if not c.passed]
    assert rd.summary["design_order"] == 4.0
    # measured orders (nx 33 -> 65): Theta law 8.0, Nhat law 6.9 at mu = 0.7 ... here mu = 1/2
    assert rd.summary["order_flux_law_Theta"] > 4.0 - math.log2(3)
    assert ch["flux_law_Theta"].value < 1e-2


def test_final_state_lies_on_the_orbit_of_the_particle(scattering_half):
    rd = scattering_half
    ch = _checks(rd)["final_hill_trace"]
    assert ch.passed
    # the initial cut carries the scalar's energy: its trace is off the particle's orbit by far more
    first = hill(rd.scri_plus.mass_aspect[0], 0.02).trace
    assert abs(first - 2 * math.cos(math.pi * 0.5)) > 20 * ch.tolerance
    assert abs(rd.summary["final_hill_trace"]) < 1e-3


def test_generic_mu_uses_the_measured_order_and_passes():
    assert cone_order(1.0) == 4 and cone_order(0.5) == 4 and cone_order(1 / 3) == 4
    assert abs(cone_order(0.7) - (2 / 0.7 - 1)) < 1e-12
    rd = _run(_cfg(0.7, nx=65, u=(0.0, 8.0)))
    assert all(c.passed for c in rd.checks), [(c.name, c.value, c.tolerance) for c in rd.checks if not c.passed]


@pytest.mark.parametrize("cfg, key", [
    (_cfg(0.7, pulses=[dict(amplitude=1.0, a=1.0, x0=0.5)], circular=(), compact=()), "characteristic.pulses[0]"),
    (_cfg(0.7, acc=(0.1, 0.0), compact=()), "vertex.acceleration"),
    (_cfg(0.7, circular=(), compact=[dict(amplitude=0.1, r_center=0.5, width=0.5, m=1)]),
     "characteristic.compact[0]"),
])
def test_cone_refuses_data_it_cannot_evolve(cfg, key):
    with pytest.raises(ValueError) as e:
        api.validate_physics(validate(cfg))
    assert key in str(e.value) and "mu" in str(e.value)


@pytest.mark.parametrize("mu", [0.0, 1.2, -0.5])
def test_mu_out_of_range_is_a_config_error(mu):
    with pytest.raises(ConfigError, match="vertex.mu"):
        validate(_cfg(mu))


@pytest.mark.slow
@pytest.mark.parametrize("mu", [0.8, 0.7, 0.6])
def test_generic_mu_order_is_two_over_mu_minus_one(mu):
    """nx = 129 -> 257 (shadow grids 65 -> 129 inside each run), u in [0, 12]: the flux-law and
    balance residuals converge at 2/mu - 1 (measured 1.51, 1.86, 2.2-2.3), not 4: the tip's
    non-integer powers x^{|m|/mu}."""
    vals = {}
    for nx in (129, 257):
        ch = _checks(_run(_cfg(mu, nx=nx)))
        vals[nx] = ch["flux_law_Theta"].value
    order = math.log2(vals[129] / vals[257])
    assert abs(order - (2 / mu - 1)) < 0.35, order
