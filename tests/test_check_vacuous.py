"""Vacuous checks: a check whose compared quantities are themselves within its tolerance (``scale <=
tolerance``, typically both sides zero by symmetry) cannot fail, so it is reported as ZERO and not
counted as evidence (asymflat.data.Check.vacuous, docs/format.md "diagnostics")."""
from __future__ import annotations

import json

import numpy as np
import pytest

from asymflat import cli, config
from asymflat.api import load
from asymflat.data import Check, RunData, check_tally
from asymflat.io import results

CFG_TEXT = """kind = "vacuum"\nG = 1.0\n[grid]\nnphi = 8\n[evolution]\nu_start = 0.0\nu_end = 1.0\n[vacuum]\n"""


def _checks() -> list[Check]:
    return [Check("J_matching", 0.0, 1e-11, 3.0, "round-off", "both sides zero by symmetry", 2e-16),
            Check("E_matching", 5e-4, 1e-3, 3.0, "ladder", "compares E ~ 6", 6.25),
            Check("monotonic", 0.0, 1e-4, 3.0, "shadow", "no scale stated"),
            Check("broken", 1.0, 1e-3, 3.0, "shadow", "fails", 5.0)]


def test_status_and_tally():
    j, e, m, b = _checks()
    assert (j.status, e.status, m.status, b.status) == ("ZERO", "PASS", "PASS", "FAIL")
    assert j.passed and j.vacuous and not e.vacuous and not m.vacuous
    # a failing check is FAIL even if its scale is small: vacuity never hides a failure
    assert Check("x", 1.0, 1e-3, 3.0, "m", "d", 1e-9).status == "FAIL"
    assert check_tally([j, e, m]) == ("2/2 checks pass (+ 1 ZERO: compared quantities within the tolerance, "
                                      "e.g. zero by symmetry; not counted)")
    assert check_tally([e, b]) == "1/2 checks pass"


@pytest.fixture()
def written(tmp_path):
    cfg = config.parse(CFG_TEXT)
    return results.write(tmp_path / "r.h5", RunData(checks=_checks()[:3]), cfg, config.to_toml(cfg))


def test_scale_round_trip(written):
    """The scale and the verdict are stored (attrs ``scale``, ``vacuous``) where a check states one,
    and read back; checks without a scale keep their attributes unchanged (no ``scale``)."""
    import h5py

    with h5py.File(written) as f:
        g = f["diagnostics/checks"]
        assert g["J_matching"].attrs["scale"] == 2e-16 and bool(g["J_matching"].attrs["vacuous"])
        assert not bool(g["E_matching"].attrs["vacuous"])
        assert "scale" not in g["monotonic"].attrs and "vacuous" not in g["monotonic"].attrs
    with load(written) as r:
        got = {c.name: c.status for c in r.checks}
        assert got == {"J_matching": "ZERO", "E_matching": "PASS", "monotonic": "PASS"}
        assert "2/2 checks pass (+ 1 ZERO" in repr(r)


def test_cli_check_reports_zero(written, capsys):
    assert cli.main(["check", str(written)]) == 0
    out = capsys.readouterr().out
    line = next(ln for ln in out.splitlines() if "J_matching" in ln)
    assert line.startswith("ZERO") and "compared quantities 2.0e-16 <= tolerance" in line
    assert next(ln for ln in out.splitlines() if "E_matching" in ln).startswith("PASS")
    assert out.strip().splitlines()[-1].startswith("2/2 checks pass (+ 1 ZERO")
    assert cli.main(["check", str(written), "--json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)["checks"]}
    assert rows["J_matching"]["status"] == "ZERO" and rows["monotonic"]["scale"] is None
