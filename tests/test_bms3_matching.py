"""scri+ (u -> -inf) vs scri- (v -> +inf) matching across i0, antipodal link (reference §4).

Minkowski-orbit data come from the retarded and advanced embeddings independently; boosted
defects from the Lorentz (Moebius) transform of the static one with the linked frame at scri-.
Tolerance: the embedding read-off has round-off ~ eps * n * |X|^2 (|X| ~ |u| kappa) and, for Xi,
the subtraction of (u/2) Theta' adds a factor |u|; at n = 128, |u| = 10 the measured residuals are
2e-15 .. 3e-15 (Theta), 7e-11 .. 2e-10 (Xi, |Xi| ~ 1 .. 10), 2e-15 .. 7e-15 (charges).
"""
from __future__ import annotations

import numpy as np
import pytest

from asymflat.bms3 import NoSpatialInfinityError, make_spacetime, match

N = 128


def random_frame_parameters(rng, superrotation=True):
    fp = {
        "rotation": float(rng.uniform(0, 6.3)),
        "boost_rapidity": float(rng.uniform(-0.5, 0.5)),
        "boost_direction": float(rng.uniform(0, 6.3)),
        "supertranslation": [[k, float(rng.normal() / k**2), float(rng.normal() / k**2)] for k in (1, 2, 3, 5)],
    }
    if superrotation:
        fp["superrotation"] = [[k, float(0.03 * rng.normal() / k), float(0.03 * rng.normal() / k)] for k in (2, 3)]
    return fp


def ends(st, u=-10.0):
    cp = st.cuts("scri_plus", N, [u])[0][0]
    cm = st.cuts("scri_minus", N, [-u])[0][0]
    return cp, cm


@pytest.mark.parametrize("seed", range(4))
def test_minkowski_orbit_random_frames_match(seed):
    rng = np.random.default_rng(seed)
    st = make_spacetime("superrotated_minkowski", 1.0, frame_parameters=random_frame_parameters(rng))
    cp, cm = ends(st)
    res = match(cp, cm)
    r = res.residuals
    xi_scale = max(np.max(np.abs(cp.xi)), 1.0)
    X2 = 100.0 * (1 + 10) ** 2  # |X|^2 ~ (r + |u| kappa + ...)^2, kappa <~ 10 here
    assert r["mass_aspect"] < 100 * np.finfo(float).eps * N * X2
    assert r["angular_momentum_aspect"] < 1e-9 * xi_scale
    assert r["angular_momentum_aspect_modes"] < 1e-9 * xi_scale
    assert r["charges"] < 1e-12
    # the antipodal check has teeth: no shift fails (odd modes present)
    wrong = match(cp, cm, link_shift=0.0).residuals
    assert wrong["mass_aspect"] > 1e-4 and wrong["angular_momentum_aspect"] > 1e-3 and wrong["charges"] > 1e-4


@pytest.mark.parametrize("seed", range(4))
def test_boosted_defects_match(seed):
    rng = np.random.default_rng(50 + seed)
    G = float(rng.uniform(0.5, 2))
    st = make_spacetime("boosted_particle", G, mass=float(rng.uniform(0, 0.2)) / G,
                        rapidity=float(rng.uniform(0, 1.5)), direction=float(rng.uniform(0, 6.3)),
                        frame_parameters=random_frame_parameters(rng, superrotation=bool(seed % 2)))
    cp, cm = ends(st)
    r = match(cp, cm).residuals
    # finite law at both ends: measured 1e-15 .. 1e-13
    assert r["mass_aspect"] < 1e-11 and r["angular_momentum_aspect"] < 1e-11 * max(1, np.max(np.abs(cp.xi)))
    assert r["charges"] < 1e-12
    wrong = match(cp, cm, link_shift=0.0).residuals
    assert wrong["mass_aspect"] > 1e-4


def test_boosted_defect_reference_form_and_momentum():
    """Theta+ = -1 + (1-mu^2)/[cosh b - sinh b cos(phi-phi0)]^2; Theta- peaks at phi0 + pi; p along n(phi0)."""
    G, mu, b, p0 = 1.0, 0.7, 0.8, 1.2
    st = make_spacetime("boosted_particle", G, mass=(1 - mu) / (4 * G), rapidity=b, direction=p0)
    cp, cm = ends(st, 0.0)
    x = cp.phi
    assert np.max(np.abs(cp.theta - (-1 + (1 - mu**2) / (np.cosh(b) - np.sinh(b) * np.cos(x - p0)) ** 2))) < 1e-13
    assert np.max(np.abs(cm.theta - (-1 + (1 - mu**2) / (np.cosh(b) + np.sinh(b) * np.cos(x - p0)) ** 2))) < 1e-13
    pp, pm = cp.poincare_charges(), cm.poincare_charges()
    m_rest = (1 - mu**2) / (8 * G)
    for P in (pp, pm):
        assert abs(P["E"] - (-1 / (8 * G) + m_rest * np.cosh(b))) < 1e-14
        assert abs(P["p_x"] - m_rest * np.sinh(b) * np.cos(p0)) < 1e-14
        assert abs(P["p_y"] - m_rest * np.sinh(b) * np.sin(p0)) < 1e-14


def test_even_modes_do_not_see_the_link():
    """With only even modes the wrong link passes: the check is blind exactly there (as expected)."""
    st = make_spacetime("supertranslated_minkowski", 1.0, frame_parameters={"supertranslation": [[2, 0.3, 0.1]]})
    cp, cm = ends(st)
    assert match(cp, cm, link_shift=0.0).max_residual < 1e-9
    st = make_spacetime("supertranslated_minkowski", 1.0, frame_parameters={"supertranslation": [[3, 0.3, 0.1]]})
    cp, cm = ends(st)
    assert match(cp, cm, link_shift=0.0).residuals["angular_momentum_aspect"] > 1.0


def test_flat_space_cosmology_refused():
    st = make_spacetime("flat_space_cosmology", 1.0, energy=0.1, angular_momentum=0.2)
    cp, cm = ends(st)
    with pytest.raises(NoSpatialInfinityError, match="no spatial infinity"):
        match(cp, cm, has_spatial_infinity=st.has_spatial_infinity)
    # also recognised from the data alone (hyperbolic Hill monodromy)
    with pytest.raises(ValueError, match="flat-space cosmology"):
        match(cp, cm)
