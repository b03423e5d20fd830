"""The check registry: which checks each run kind makes, in the order it makes them.

A check plugin is a function ``plugin(ctx: CheckContext) -> None`` that appends
:class:`asymflat.data.Check` objects to ``ctx.checks`` (built with
:func:`asymflat.pipeline.estimates.make_check`) and may add numbers to ``ctx.summary``.  It is
registered for one or more kinds, with the condition under which it applies::

    @check_plugin("characteristic", "scattering", when=lambda ctx: ctx.G > 0 and ctx.scalar)
    def energy_conditions(ctx: CheckContext) -> None:
        ...
        ctx.checks.append(make_check("my_check", value, estimate, method, description))

Adding a check to a kind is that one decorated function in one of the modules of
:data:`PLUGIN_MODULES` (the family it belongs to: flux laws, vacuum, exact solutions, final
state, worldtube); a kind runs its plugins with :func:`run_checks`.  The order is that of
:data:`PLUGIN_MODULES`, then of the definitions within a module.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, Callable

#: modules holding check plugins, in the order their checks are made
PLUGIN_MODULES = ("asymflat.pipeline.law_checks", "asymflat.pipeline.final_state",
                  "asymflat.pipeline.vacuum_checks", "asymflat.pipeline.exact_checks",
                  "asymflat.pipeline.worldtube_checks", "asymflat.pipeline.incoming_checks")


@dataclass
class CheckContext:
    """What a check sees of a run: parameters ``p`` (the kind's parsed config), the evolutions
    (``main``, ``coarse``: the shadow grid or None) and their post-processed scri data (``B``,
    ``C``), the coupling ``G``, whether there is a scalar field, and ``extra`` (kind-specific:
    e.g. the BMS3 frame of the advanced kind).  Checks go to ``checks``, numbers to ``summary``."""

    p: dict
    main: Any
    coarse: Any
    B: Any
    C: Any
    G: float
    scalar: bool
    checks: list = field(default_factory=list)
    summary: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class _Plugin:
    kinds: tuple[str, ...]
    when: Callable[[CheckContext], bool]
    fn: Callable[[CheckContext], None]


_REGISTRY: list[_Plugin] = []


def check_plugin(*kinds: str, when: Callable[[CheckContext], bool] = lambda ctx: True):
    """Register the decorated ``fn(ctx)`` as a check of the run kinds ``kinds`` (module doc)."""
    def register(fn: Callable[[CheckContext], None]) -> Callable[[CheckContext], None]:
        _REGISTRY.append(_Plugin(tuple(kinds), when, fn))
        return fn
    return register


def _ordered(kind: str) -> list[_Plugin]:
    for name in PLUGIN_MODULES:
        importlib.import_module(name)
    rank = {name: i for i, name in enumerate(PLUGIN_MODULES)}
    mine = [pl for pl in _REGISTRY if kind in pl.kinds]
    return sorted(mine, key=lambda pl: rank.get(pl.fn.__module__, len(rank)))   # stable: definition order


def plugins(kind: str) -> list[Callable[[CheckContext], None]]:
    """The check plugins of ``kind`` in the order they run (conditions not evaluated)."""
    return [pl.fn for pl in _ordered(kind)]


def run_checks(kind: str, ctx: CheckContext) -> list:
    """Run every registered check of ``kind`` that applies to ``ctx``; returns ``ctx.checks``."""
    for pl in _ordered(kind):
        if pl.when(ctx):
            pl.fn(ctx)
    return ctx.checks
