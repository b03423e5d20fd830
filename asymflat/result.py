"""A loaded result file: lazy, read-only views of what a run wrote (docs/format.md).

``asymflat.load(path)`` returns a :class:`Result`; printing it shows what the file holds.
Datasets are read from disk only when accessed, so opening a large file is instant.
"""
from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from asymflat.data import SCRI_DATASETS, Check
from asymflat.io import results as _io


class ScriView:
    """Lazy view of ``/scri_plus`` or ``/scri_minus``.

    Attributes ``time`` (``u`` or ``v``), ``phi`` and every dataset of
    :data:`asymflat.data.SCRI_DATASETS` are read on access; ``extra(name)`` reads any other one.
    """

    def __init__(self, group: h5py.Group):
        self._g = group
        self.name = group.name.strip("/")
        self.time_name = "u" if self.name == "scri_plus" else "v"

    def __getattr__(self, key: str) -> np.ndarray:
        if key in SCRI_DATASETS or key in ("phi", "u", "v"):
            if key in ("u", "v") and key != self.time_name:
                raise AttributeError(f"{self.name} has no {key!r}; its time is {self.time_name!r}")
            return self._g[key][()]
        raise AttributeError(key)

    @property
    def time(self) -> np.ndarray:
        """Bondi time of the cuts: ``u`` at scri+, ``v`` at scri-."""
        return self._g[self.time_name][()]

    def extra(self, name: str) -> np.ndarray:
        """Any other dataset of the group, e.g. ``'code_frame/beta0'``."""
        return self._g[name][()]

    def keys(self) -> list[str]:
        names: list[str] = []
        self._g.visit(lambda n: names.append(n) if isinstance(self._g[n], h5py.Dataset) else None)
        return sorted(names)

    def __repr__(self) -> str:
        shape = self._g["mass_aspect"].shape
        t = self._g[self.time_name]
        span = f"{t[0]:.4g}..{t[-1]:.4g}" if t.shape[0] else "empty"
        return f"<{self.name}: {shape[0]} cuts, {self.time_name} in [{span}], nphi = {shape[1]}>"


class Result:
    """An opened asymflat result file (read-only, lazy).

    Attributes
    ----------
    path, kind, G, config (validated dict), config_text, scri_plus, scri_minus (ScriView or None),
    summary (dict), checks (list of Check).
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._f = _io.open_result(self.path)
        a = self._f.attrs
        self.kind: str = str(a["kind"])
        self.G: float = float(a["G"])
        self.config_text: str = str(a["config"])
        self.format_version: int = int(a["format_version"])
        self.software_version: str = str(a["software_version"])
        self.git_commit: str = str(a["git_commit"])
        self.scri_plus = ScriView(self._f["scri_plus"]) if "scri_plus" in self._f else None
        self.scri_minus = ScriView(self._f["scri_minus"]) if "scri_minus" in self._f else None

    @property
    def config(self) -> dict[str, Any]:
        """The run configuration as stored in the file (validated, defaults filled)."""
        return tomllib.loads(self.config_text)

    @property
    def summary(self) -> dict[str, Any]:
        return {k: _plain(v) for k, v in self._f["summary"].attrs.items()} if "summary" in self._f else {}

    @property
    def checks(self) -> list[Check]:
        return _io.read_checks(self._f)

    @property
    def matching(self) -> dict[str, np.ndarray]:
        g = self._f.get("matching")
        return {k: g[k][()] for k in g} if g is not None else {}

    @property
    def series(self) -> dict[str, np.ndarray]:
        g = self._f["diagnostics"]
        return {k: g[k][()] for k in g if isinstance(g[k], h5py.Dataset)}

    def dataset(self, name: str) -> np.ndarray:
        """Read any dataset by its path in the file, e.g. ``'matching/charges_residual'``."""
        return self._f[name][()]

    def verify(self) -> None:
        """Recompute the checksum of every dataset; raise ResultFileError on mismatch."""
        if self._f.attrs.get("checksum") != _io.checksum(self._f):
            raise _io.ResultFileError(f"{self.path}: checksum mismatch: datasets modified or corrupted")

    def close(self) -> None:
        self._f.close()

    def __enter__(self) -> "Result":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        lines = [f"asymflat result {self.path} (format v{self.format_version}, asymflat {self.software_version})",
                 f"  kind = {self.kind!r}, G = {self.G:g}"]
        for view in (self.scri_plus, self.scri_minus):
            if view is not None:
                lines.append(f"  {view!r}")
        if "matching" in self._f and len(self._f["matching"]):
            lines.append(f"  matching: {', '.join(sorted(self._f['matching']))}")
        checks = self.checks
        if checks:
            n_ok = sum(c.passed for c in checks)
            lines.append(f"  checks: {n_ok}/{len(checks)} pass")
        return "\n".join(lines)


def _plain(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, bytes):
        return v.decode()
    return v
