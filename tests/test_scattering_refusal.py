"""Incoming radiation beyond the conical-defect range is refused before any work (issue #13)."""
from __future__ import annotations

import numpy as np

from asymflat import cli
from asymflat.exact import circular
from asymflat.kinds.scattering import incoming_mass_aspect


def test_incoming_mass_aspect_is_exact_at_first_order_in_G():
    """(c1): Theta-(i0) = -exp(-2 pi G eps^2/a^2) exactly; the estimate -1 + 16 pi G E_in differs at O(G^2)."""
    diffs = []
    for G in (0.02, 0.01, 0.005):
        est = incoming_mass_aspect([{"amplitude": 1.0, "a": 1.0}], G, 8)
        exact = -np.exp(-2 * circular.beta0_minus_infinity(G, 1.0, 1.0))
        assert np.ptp(est) < 1e-14
        diffs.append(abs(est[0] - exact))
    ratios = np.array(diffs[:-1]) / np.array(diffs[1:])
    # measured 3.92, 3.96: O(G^2) with the O(G^3) correction (relative ~ beta0 = 0.06, 0.03)
    assert np.all(np.abs(ratios - 4.0) < 0.1) and ratios[1] > ratios[0], ratios


CFG = """kind = "scattering"
G = {G}
[grid]
nx = 129
nphi = 16
R = 4.0
[evolution]
u_start = -16.0
u_end = 12.0
[characteristic]
pulses = [{{ amplitude = {A}, a = 1.0, x0 = 0.3 }}]
[scattering]
first_cones = [-16.0, -8.0]
"""


def test_over_energetic_incoming_radiation_refused(tmp_path, capsys):
    ok = tmp_path / "ok.toml"
    ok.write_text(CFG.format(G=0.05, A=1.0))
    assert cli.main(["run", str(ok), "--validate-only"]) == 0
    bad = tmp_path / "bad.toml"
    bad.write_text(CFG.format(G=0.05, A=4.0))  # 16 pi G E_in ~ 1.2 at the peak: beyond a 2 pi deficit
    capsys.readouterr()
    assert cli.main(["run", str(bad), "--validate-only"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "conical-defect range" in err and "characteristic.pulses" in err
