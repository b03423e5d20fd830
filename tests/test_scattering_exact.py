"""Kind ``scattering``: the exact gates (circular (c1) at G > 0, G = 0 test field) and the closed-form
Hilbert-transform statement for 2+1 exact pulses.  Small grids (fast); measured numbers in the docstrings.

G = 0, closed forms (derived): with w = tau - t0 - i a + x0 cos phi + y0 sin phi (Im w = -a < 0),
psi0^+(u, phi) = Re A(-2w)^{-1/2} and psi0^-(v, phi + pi) = Re A(2w)^{-1/2}; since (-2w)^{1/2} =
i (2w)^{1/2} for Im w < 0, psi0^+ = Im g and psi0^- o A = Re g with g(tau) = A(2w)^{-1/2} analytic in
the lower half tau-plane, hence

    psi0^+(u, phi) = -H[psi0^-(., phi + pi)](u),     H f(t) = (1/pi) p.v. int f(s)/(t - s) ds,

and (H is unitary on news, |i sgn omega| = 1) E_out(phi) = int (d_u psi0^+)^2 du = E_in(phi + pi).
"""
from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate

from asymflat.exact.pulses import pulse_news, pulse_psi0, pulse_psi0_scri_minus
from asymflat.kinds import scattering as sc

PULSES = [dict(amplitude=1.0, a=1.0, t0=0.5, x0=0.7, y0=-0.4), dict(amplitude=-0.6, a=0.7, t0=-1.0, x0=-0.3, y0=0.2)]


def _cfg(G, pulses, cones=(-8.0, -4.0), nx=129, nphi=8, R=4.0, u_end=12.0):
    return dict(kind="scattering", G=G, grid=dict(nx=nx, nphi=nphi, R=R),
                evolution=dict(u_start=cones[0], u_end=u_end, cfl=3.5),
                output=dict(scri_every=1, fields_every=0),
                characteristic=dict(pulses=pulses, shadow_grid=True),
                scattering=dict(first_cones=list(cones), scale_R=True))


def _hilbert(f, t, lo=-4e3, hi=4e3):
    """(1/pi) p.v. int f(s)/(t - s) ds by QUADPACK's Cauchy weight, tails beyond [lo, hi] dropped."""
    val, _ = integrate.quad(f, lo, hi, weight="cauchy", wvar=t, limit=4000, epsabs=1e-13)
    return -val / np.pi


@pytest.mark.parametrize("phi", [0.0, 1.3, 3.0])
def test_closed_form_hilbert_and_energy(phi):
    """psi0^+ = -H[psi0^- o A] for the closed forms.  Measured |diff| <= 2e-3 with the window
    [-4e3, 4e3] (the dropped tails of the |v|^-1/2 field are ~ (2 * 4e3)^-1/2 * ...); the news form
    (H commutes with d/dt, decay |v|^-3/2) agrees to 2e-6.  E_out(phi) = E_in(phi + pi) to 1e-12."""
    def nm(s):  # d_v psi0^-(s, phi + pi)
        d = [p["x0"] * np.cos(phi + np.pi) + p["y0"] * np.sin(phi + np.pi) for p in PULSES]
        return float(np.real(sum(-p["amplitude"] * (2 * (s - p["t0"] - 1j * p["a"] - dk)) ** -1.5
                                 for p, dk in zip(PULSES, d))))

    def fm(s):
        return float(pulse_psi0_scri_minus(s, phi + np.pi, PULSES))

    for t in (-3.0, 0.2, 2.5):
        assert abs(-_hilbert(nm, t) - float(pulse_news(t, phi, PULSES))) < 2e-5
        assert abs(-_hilbert(fm, t) - float(pulse_psi0(t, phi, PULSES))) < 5e-3
    e_out = integrate.quad(lambda u: float(pulse_news(u, phi, PULSES)) ** 2, -np.inf, np.inf, limit=400)[0]
    e_in = integrate.quad(lambda s: nm(s) ** 2, -np.inf, np.inf, limit=400)[0]
    assert abs(e_out - e_in) < 1e-10 * e_in


def test_g0_scattering_run():
    """G = 0, two off-centre pulses: scri+ is Minkowski, psi0^+ matches the closed form (characteristic
    checks), scri- from the first cone equals the closed form psi0^- (v_B = v at G = 0), and the evolved
    per-angle energies satisfy E_out(phi) = E_in(phi + pi) up to the truncated tails.
    Measured: E_out vs E_in relative 1.1e-3 (tails beyond the windows ~ t^-2)."""
    d = sc.run(_cfg(0.0, PULSES, nphi=16))
    bad = [(c.name, c.value, c.tolerance) for c in d.checks if not c.passed]
    assert not bad, bad
    sp, sm = d.scri_plus, d.scri_minus
    du, dv = sp.time[1] - sp.time[0], sm.time[1] - sm.time[0]
    e_out = np.sum(sp.news ** 2, axis=0) * du
    e_in = np.roll(np.sum(sm.news ** 2, axis=0) * dv, -len(sp.phi) // 2)    # E_in(phi + pi)
    rel = np.max(np.abs(e_out - e_in)) / np.max(e_in)
    print("G=0 E_out vs E_in(phi+pi) relative:", rel)
    assert rel < 2e-2


def test_circular_c1_scattering():
    """(c1) at G = 0.05, three-level ladder u0 = -16, -8, -4 (nx 97 at R 4 on the last level): every
    characteristic gate of the main level, scri- Theta^- against -exp(-2 beta0^-(v)), the per-generator
    Poincare matching of the extrapolated ladder, Hill traces at i0 from both sides, the final state on
    the Minkowski orbit.  Measured (nx 129, the default candidate run): E matching residual per level
    -5.26e-3, -1.33e-2, -3.53e-2 (D = 16, 8, 4); fitted exponent 1.44; limit -5.6e-4 +- 1.4e-3 (the
    spread against the 1/D + 1/D^2 model); the 2-level (p = 1) limit of the last two levels was 8.6e-3."""
    d = sc.run(_cfg(0.05, [dict(amplitude=1.0, a=1.0, t0=0.0, x0=0.0, y0=0.0)], cones=(-16.0, -8.0, -4.0), nx=97))
    bad = [(c.name, c.value, c.tolerance) for c in d.checks if not c.passed]
    print({c.name: (c.value, c.tolerance) for c in d.checks})
    assert not bad, bad
    names = {c.name for c in d.checks}
    assert {"scri_minus_Theta_vs_exact_c1", "matching_limit_E", "matching_limit_K_x", "hill_trace_i0_plus_vs_minus",
            "final_state_hill_trace", "flux_law_Theta", "energy_balance"} <= names
    lad = d.matching["ladder/charges_residual"][0][:, 0]
    lim = d.matching["limit/charges_residual"][0][0]
    err = d.matching["limit/charges_residual_error"][0][0]
    p = d.matching["limit/charges_residual_exponent"][0][0]
    print("c1 E residual per level", lad, "limit", lim, "+-", err, "exponent", p,
          "Theta^- vs exact", d.summary["scri_minus_Theta_vs_exact"], d.summary["scri_minus_Theta_vs_exact_level2"])
    assert abs(lad[0]) < abs(lad[1]) < abs(lad[2])      # converges as u0 -> -inf
    assert 1.0 < p < 2.0                                 # between the 1/|u0| and 1/|u0|^2 terms
    assert abs(lim) < 0.2 * abs(lad[0])                  # the extrapolation removes most of the finite-u0 part
    # global balance with the matching at i0: recomputable from the stored datasets alone, gated on E
    # (evidence), and the p, J, K gates reported ZERO (both sides vanish by circular symmetry).
    # Measured (nx 129, runs/default.toml): E -6.9e-4 against 4.9e-3 (raw balance 5.4e-3).
    mt = d.matching
    recomputed = mt["balance/residual"][0] - mt["charges_residual"][0] + mt["limit/charges_residual"][0]
    assert np.array_equal(recomputed, mt["balance/residual_limit"][0])
    gb = {c.name: c for c in d.checks if c.name.startswith("global_balance_limit_")}
    assert set(gb) == {f"global_balance_limit_{k}" for k in ("E", "p_x", "p_y", "J", "K_x", "K_y")}
    assert gb["global_balance_limit_E"].status == "PASS"
    assert abs(gb["global_balance_limit_E"].value) < abs(mt["balance/residual"][0][0])
    assert all(gb[f"global_balance_limit_{k}"].status == "ZERO" for k in ("p_x", "p_y", "J", "K_x", "K_y"))
    zero = {c.name for c in d.checks if c.status == "ZERO"}
    assert {"matching_limit_J", "angular_momentum_balance", "flux_law_Nhat"} <= zero
    assert "matching_limit_E" not in zero and "energy_balance" not in zero


def test_off_centre_global_balance_reported_not_gated():
    """Off circular symmetry the global balance residual measures the O(G) frame offset between the
    first cut's light-cone frame and the linked frame (conventions 6.1), not truncation: no
    global_balance_limit gate, the reason in the summary, the relative size reported."""
    d = sc.run(_cfg(0.005, PULSES, nx=65, nphi=16))
    assert not [c.name for c in d.checks if c.name.startswith("global_balance_limit_")]
    assert d.summary["global_balance_gate"].startswith("reported, not gated")
    rel = d.summary["global_balance_max_poincare_relative"]
    gb = d.matching["balance/residual"][0][:6]
    assert rel == pytest.approx(np.max(np.abs(gb)) / d.summary["radiated_energy"])
    print("off-centre G=0.005: global balance max Poincare / E_rad", rel)
