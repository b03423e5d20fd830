"""The check registry (asymflat/pipeline/checks.py; docs/architecture.md "Adding a check"): each kind
runs its plugins in the order the kinds made their checks before the registry (result files
bit-identical, tests/digests/runs.json), and a new decorated plugin is picked up with no other edit."""
from __future__ import annotations

import numpy as np
import pytest

from asymflat.data import Check
from asymflat.pipeline import checks as registry
from asymflat.pipeline.checks import CheckContext, check_plugin, plugins, run_checks
from asymflat.pipeline.estimates import make_check

EXPECTED = {
    "characteristic": ["retarded_laws", "retarded_final_state", "retarded_vacuum", "retarded_exact"],
    "advanced": ["advanced_laws", "advanced_vacuum", "advanced_exact"],
    "scattering": ["scattering_laws", "scattering_vacuum", "retarded_exact", "scri_minus_construction",
                   "psi0_vs_free_map"],   # the last only with incoming data at G = 0 (issue 21)
    "worldtube": ["worldtube_plugin"],
}


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_plugins_of_each_kind_in_the_pre_registry_order(kind):
    assert [f.__name__ for f in plugins(kind)] == EXPECTED[kind]


def test_new_plugin_runs_for_its_kind_when_it_applies(monkeypatch):
    monkeypatch.setattr(registry, "_REGISTRY", list(registry._REGISTRY))

    @check_plugin("toy_kind", when=lambda ctx: ctx.G > 0)
    def toy(ctx: CheckContext) -> None:
        th = ctx.B["theta"]
        ctx.checks.append(make_check("toy_theta_negative", max(0.0, float(np.max(th))), 1e-14,
                                     "round-off model", "max(0, max Theta)"))
        ctx.summary["toy_seen"] = True

    def ctx(G):
        return CheckContext(p={}, main=None, coarse=None, B={"theta": -np.ones(4)}, C=None, G=G, scalar=True)

    on = ctx(0.1)
    out = run_checks("toy_kind", on)
    assert [c.name for c in out] == ["toy_theta_negative"] and out[0].passed and on.summary["toy_seen"]
    assert isinstance(out[0], Check) and out[0].safety_factor == 3.0
    off = ctx(0.0)
    assert run_checks("toy_kind", off) == [] and "toy_seen" not in off.summary
    # registered for toy_kind only: the real kinds are untouched
    assert [f.__name__ for f in plugins("characteristic")] == EXPECTED["characteristic"]
    # a plugin from a module outside PLUGIN_MODULES runs after the listed ones
    assert plugins("toy_kind")[-1] is toy
