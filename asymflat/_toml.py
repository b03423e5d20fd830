"""TOML reading on every supported Python: the standard ``tomllib`` (3.11+) or its backport ``tomli``.

``tomli`` is the package ``tomllib`` was taken from (same API, same ``TOMLDecodeError``); pyproject
requires it only where ``python_version < "3.11"``.
"""
from __future__ import annotations

import sys

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised by the Python-floor job of .ci/run
    import tomli as tomllib

__all__ = ["tomllib"]
