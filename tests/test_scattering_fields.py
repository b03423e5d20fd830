"""Kind ``scattering``: weak-field G scaling and the strong-field study (slow; they print tables).

All numbers below: nx 129 at R 4 on the last level, cfl 2, ladder u0 = -16, -8, -4 (D = t_c - u0),
every residual divided by the radiated energy E_rad (the charges are G^0: E = -1/8G + E_pulse).

Weak field, one off-centre pulse (A = 1, a = 1, x0 = 0.5; nphi = 64), measured:

    G       E_rad   dp_x(D=16)/E_rad  p_x limit/E_rad   dK_x limit/E_rad     dE limit/E_rad
    0.02    0.737   -7.6e-3           +2.5e-3 +- 4e-2   -6.16e-2 +- 7e-4     -5e-5
    0.01    0.760   -3.8e-3           +2.4e-4           -3.07e-2             +1.5e-4
    0.005   0.772   -1.9e-3           -3.4e-4 +- 3e-4   -1.51e-2 +- 7e-4     +2.6e-4 +- 8e-4

p_x and K_x residuals / E_rad are proportional to G (second order in G in the aspects): the scri+
first-cut (light-cone) frame differs from the antipodally linked one by an O(G) BMS3 transformation
(docs/conventions.md §6.1; the K_x limit follows -(1/mu - mu) K_x^-, tests/test_scattering_link.py).  K_x extrapolates to a non-zero O(G) E_rad limit: the matching_limit_K_x
gate of runs/scattering_weak.toml fails (value 1.16e-2, tolerance 1.5e-3).  |n| >= 2 modes:
|dTheta_2| / (16 pi G E_rad) = 1.5e-2, 4.2e-3, 1.1e-3 at D = 4, 8, 16 (~ D^-1.9, the same for every G),
|dXi_2| / (16 pi G E_rad) = 4.6e-2, 2.6e-2, 1.3e-2 (~ D^-0.9): they vanish as u0 -> -inf.

Strong field, three off-centre pulses (nphi = 96), measured:

    G       E_rad   dE/E_rad   dp_x/E_rad  dp_y/E_rad  dJ/E_rad   dK_x/E_rad (D=16.5, 8.5, 4.5)
    0.02    1.068   +6.5e-2    -5.28e-2    -6.9e-2     -6.0e-3    -0.224, -0.105, -0.050
    0.01    1.108   +3.2e-2    -2.75e-2    -3.7e-2     -3.2e-3    -0.125, -0.060, -0.032
    0.005   1.131   +1.6e-2    -1.40e-2    -1.9e-2     -1.7e-3    -0.066, -0.033, -0.020

(E, p: u0 -> -inf limits; J: no u0 dependence.)  Every Poincare residual / E_rad is proportional to G;
nx 65 instead of 129 changes them by < 1.5 % (not truncation).  The boost residuals grow like G |u0|:
a translation-like (n = 1 supertranslation) frame offset that grows with the distance to the pulses.
The E, p residuals are the boost in the first cone's superrotation: removed by it, they fall
to O(G^2) E_rad (tests/test_scattering_link.py; conventions §6.2).
|n| >= 2: |dTheta_2| / (16 pi G E_rad) = 0.168, 0.161, 0.158 (G = 0.02, 0.01, 0.005; D = 16.5) and
0.139, 0.158, 0.168 at D = 4.5, 8.5, 16.5: first order in G and not decreasing with |u0| -- an O(G)
superrotation between the scri+ first-cut frame (B = phi) and the scri- frame (derived at O(G) in
asymflat/scri/first_cone_link.py, checked in tests/test_scattering_link.py); it is not a nonlinear effect (same ratio at
G = 0.005).  |dXi_2|, |dXi_3| / (16 pi G E_rad) ~ 0.42, 0.98, 2.1 at D = 4.5,
8.5, 16.5 (grow ~ D).  The Hill traces at i0 agree from both sides: differences -3.3e-3, -1.2e-3,
-4.2e-4 (G = 0.02) -> 5e-5 extrapolated (tr = -1.9315): the two cuts are one coadjoint orbit seen in
two BMS3 frames.
"""
from __future__ import annotations

import numpy as np
import pytest

from asymflat.kinds import scattering as sc

OFF = dict(amplitude=1.0, a=1.0, t0=0.0, x0=0.5, y0=0.0)
STRONG = [OFF, dict(amplitude=0.8, a=1.2, t0=0.5, x0=-0.3, y0=0.6),
          dict(amplitude=-0.6, a=0.9, t0=-0.5, x0=0.0, y0=-0.7)]
POINCARE = ("E", "p_x", "p_y", "J", "K_x", "K_y")
SCRI_PLUS = ("flux_law_Theta", "flux_law_Nhat", "energy_balance", "angular_momentum_balance", "energy_monotonic")
ORBIT = ("final_state_hill_trace", "final_state_hill_winding", "hill_trace_i0_plus_vs_minus")


def _cfg(G, pulses, cones=(-16.0, -8.0, -4.0), nx=129, nphi=64, R=4.0, u_end=10.0, cfl=2.0):
    return dict(kind="scattering", G=G, grid=dict(nx=nx, nphi=nphi, R=R),
                evolution=dict(u_start=cones[0], u_end=u_end, cfl=cfl),
                output=dict(scri_every=1, fields_every=0),
                characteristic=dict(pulses=pulses, shadow_grid=True),
                scattering=dict(first_cones=list(cones), scale_R=True))


def _table(d, G):
    """Per-level and extrapolated Poincare residuals / E_rad, |n| = 2, 3 mode residuals / (16 pi G E_rad)."""
    m, s = d.matching, d.summary
    erad = s["radiated_energy"]
    lad = m["ladder/charges_residual"][0][:, :6] / erad
    lim = m["limit/charges_residual"][0][:6] / erad
    err = m["limit/charges_residual_error"][0][:6] / erad
    mm = list(m["modes_m"][0])
    sel = [mm.index(2), mm.index(3)]
    th = m["ladder/mass_aspect_mode_residual"][0][:, sel] / (16 * np.pi * G * erad)
    xi = m["ladder/angular_momentum_aspect_mode_residual"][0][:, sel] / (16 * np.pi * G * erad)
    print(f"G = {G}: E_rad {erad:.4f}, D = {m['ladder/D'][0]}, exponents {s['ladder_exponents_poincare']}")
    for k, name in enumerate(POINCARE):
        print(f"  {name:4s} levels/E_rad {lad[:, k]}  limit/E_rad {lim[k]:+.3e} +- {err[k]:.1e}")
    print("  |dTheta_2,3| / (16 pi G E_rad) per level:", th.tolist())
    print("  |dXi_2,3|    / (16 pi G E_rad) per level:", xi.tolist())
    print("  Hill trace i0 difference per level:", s["hill_trace_i0_difference_levels"])
    print("  failed:", [(c.name, c.value, c.tolerance) for c in d.checks if not c.passed])
    reported = {k: (s[k], s[k + "_error_estimate"]) for k in s
                if k.startswith("matching_limit_") and k + "_error_estimate" in s}
    return dict(lad=lad, lim=lim, err=err, th=th, xi=xi, checks={c.name: c for c in d.checks},
                reported=reported)


def _assert_gates(t, names):
    """Gates of the run, or -- for the off-centre Poincare matching, which the kind reports rather than
    gates (the relabelling is exact only in circular symmetry) -- the reported value against its
    reported error estimate."""
    for n in names:
        if n in t["checks"]:
            c = t["checks"][n]
            assert c.passed, (n, c.value, c.tolerance)
        else:
            value, tol = t["reported"][n]
            assert abs(value) <= tol, (n, value, tol)


@pytest.mark.slow
def test_weak_field_g_scaling():
    """One off-centre pulse, G = 0.02, 0.01, 0.005 (about 3 min): the scri+ and orbit gates pass; the
    p_x (earliest level) and K_x (limit) matching residuals / E_rad are proportional to G; E extrapolates
    to zero within its error; the |n| = 2 residuals decrease with |u0| at every G."""
    np.set_printoptions(precision=3, linewidth=160)
    out = {G: _table(sc.run(_cfg(G, [OFF])), G) for G in (0.02, 0.01, 0.005)}
    for t in out.values():
        _assert_gates(t, SCRI_PLUS + ORBIT + ("matching_limit_E", "matching_limit_p_y", "matching_limit_J",
                                              "matching_limit_K_y"))
        assert np.all(np.diff(t["th"][:, 0]) > 0) and np.all(np.diff(t["xi"][:, 0]) > 0)   # D decreasing
    for k, use in ((1, "lad"), (4, "lim")):
        v = [abs(out[G][use][0, k] if use == "lad" else out[G][use][k]) for G in (0.02, 0.01, 0.005)]
        assert 0.4 < v[1] / v[0] < 0.6 and 0.4 < v[2] / v[1] < 0.6, (POINCARE[k], v)


@pytest.mark.slow
def test_strong_field_study():
    """Three off-centre pulses at G = 0.02 and 0.01 (about 1.5 min): the scri+ balance laws, the final
    state on the Minkowski orbit and the Hill traces at i0 from both sides pass; the Poincare matching
    residuals / E_rad halve with G (O(G) frame offset of the construction, not truncation); the |n| = 2
    Theta residual / (16 pi G E_rad) is the same at both G (first-order frame change, reported)."""
    np.set_printoptions(precision=3, linewidth=160)
    out = {G: _table(sc.run(_cfg(G, STRONG, nphi=96, u_end=12.0)), G) for G in (0.02, 0.01)}
    for t in out.values():
        _assert_gates(t, SCRI_PLUS + ORBIT)
    a, b = out[0.02], out[0.01]
    for k in range(6):
        ratio = abs(b["lad"][0, k]) / abs(a["lad"][0, k])
        assert 0.4 < ratio < 0.65, (POINCARE[k], ratio)
    assert abs(b["th"][0, 0] / a["th"][0, 0] - 1) < 0.1
