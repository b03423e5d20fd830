"""Lazy reads of an open result file's groups: the h5py side of :class:`asymflat.result.Result`.

:mod:`asymflat.result` holds the public lazy views (``asymflat.load``); the tests of what is a
dataset and the walks over a group live here, so that :mod:`asymflat.io` stays the only h5py user.
"""
from __future__ import annotations

from typing import Any

import h5py
import numpy as np

#: an open HDF5 group (``h5py.Group``; the file itself is one)
Group = h5py.Group


def dataset_names(group: Group) -> list[str]:
    """Paths (relative to ``group``) of every dataset below it, nested ones included, unsorted."""
    names: list[str] = []
    group.visit(lambda n: names.append(n) if isinstance(group[n], h5py.Dataset) else None)
    return names


def nested_datasets(group: Group) -> dict[str, np.ndarray]:
    """Every dataset below ``group``, read, keyed by relative path (e.g. ``'limit/charges_residual'``)."""
    out: dict[str, np.ndarray] = {}
    group.visititems(lambda name, obj: out.__setitem__(name, obj[()]) if isinstance(obj, h5py.Dataset) else None)
    return out


def child_datasets(group: Group) -> dict[str, Any]:
    """The datasets directly in ``group`` (not in its sub-groups), read, keyed by name."""
    return {k: group[k][()] for k in group if isinstance(group[k], h5py.Dataset)}
