"""A loaded result file: lazy, read-only views of what a run wrote (docs/format.md).

``asymflat.load(path)`` returns a :class:`Result`; printing it shows what the file holds.
Datasets are read from disk only when accessed, so opening a large file is instant.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from asymflat._toml import tomllib
from asymflat.data import SCRI_DATASETS, Check
from asymflat.io import results as _io
from asymflat.io.lazy import Group, child_datasets, dataset_names, nested_datasets

Generator = "Callable[[np.ndarray], np.ndarray] | np.ndarray | dict[int, complex] | float"


def generator_on_grid(g: Any, phi: np.ndarray) -> np.ndarray:
    """A supertranslation T or superrotation Y as values on the phi grid.

    Accepts a callable ``g(phi)``, an array of values on the grid, a number (constant), or a dict
    ``{m: c_m}`` of Fourier coefficients meaning ``sum_m c_m e^{i m phi}`` (docs/conventions.md §7).
    """
    if callable(g):
        return np.asarray(g(phi))
    if isinstance(g, dict):
        out = np.zeros_like(phi, dtype=complex)
        for m, c in g.items():
            out = out + c * np.exp(1j * int(m) * phi)
        return out.real if np.allclose(out.imag, 0.0) else out
    arr = np.asarray(g)
    if arr.ndim == 0:
        return np.full_like(phi, float(arr))
    if arr.shape != phi.shape:
        raise ValueError(f"generator has shape {arr.shape}; expected values on the {phi.size}-point phi grid")
    return arr


class ScriView:
    """Lazy view of ``/scri_plus`` or ``/scri_minus``.

    Attributes ``time`` (``u`` or ``v``), ``phi`` and every dataset of
    :data:`asymflat.data.SCRI_DATASETS` are read on access; ``extra(name)`` reads any other one.
    """

    def __init__(self, group: Group):
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

    @property
    def G(self) -> float:
        return float(self._g.file.attrs["G"])

    def charge(self, T: Any = 0.0, Y: Any = 0.0) -> np.ndarray:
        """Q[T, Y] = (1/16 pi G) oint (T Theta + 2 Y Xi) on every cut (docs/conventions.md §3).

        ``T`` and ``Y`` as in :func:`generator_on_grid`.  At scri- the generator is applied as
        given (pass ``Y(phi + pi)`` to get the one linked to a scri+ generator).
        """
        from asymflat.bms3.charges import charge

        phi = self.phi
        return charge(self.mass_aspect, self.angular_momentum_aspect,
                      generator_on_grid(T, phi), generator_on_grid(Y, phi), self.G)

    def poincare_charges(self) -> dict[str, np.ndarray]:
        """E, p_x, p_y, J, K_x, K_y on every cut (p_mu = -Q[d_mu], J = -Q[0,1]; conventions §4)."""
        from asymflat.bms3.charges import poincare_charges

        return poincare_charges(self.mass_aspect, self.angular_momentum_aspect, self.G, self.name)

    def mode_charges(self, nmax: int = 10) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(n, P_n(t), J_n(t))``: P_n = Q[e^{i n phi}, 0], J_n = Q[0, e^{i n phi}], shape (cuts, 2 nmax + 1)."""
        ns = np.arange(-nmax, nmax + 1)
        e = np.exp(1j * ns[:, None] * self.phi[None, :])
        P = np.stack([self.charge(T=e[i]) for i in range(len(ns))], axis=-1)
        J = np.stack([self.charge(Y=e[i]) for i in range(len(ns))], axis=-1)
        return ns, P, J

    def energy_flux(self) -> np.ndarray:
        """Scalar energy flux per cut, oint (d_t psi0)^2 dphi (dE/du = -flux at scri+, +flux at scri-)."""
        from asymflat.bms3.spectral import integrate

        return integrate(self.news**2)

    def keys(self) -> list[str]:
        return sorted(dataset_names(self._g))

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

    def __init__(self, path: str | Path, allow_incomplete: bool = False):
        self.path = Path(path)
        self._f = _io.open_result(self.path, allow_incomplete=allow_incomplete)
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
    def complete(self) -> bool:
        """False for the output of a run that stopped early (opened with allow_incomplete)."""
        return bool(self._f.attrs.get("complete", False))

    @property
    def stop_reason(self) -> str | None:
        """Why an incomplete run stopped (None for a complete one)."""
        v = self._f.attrs.get("stop_reason")
        return None if v is None else str(v)

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
        """Every dataset under /matching, nested ones by relative path (e.g. ``'limit/charges_residual'``)."""
        g = self._f.get("matching")
        if g is None:
            return {}
        return nested_datasets(g)

    @property
    def memory(self) -> dict[str, np.ndarray]:
        """Every dataset under /memory (docs/format.md, "/memory"); empty if the run has none."""
        g = self._f.get("memory")
        if g is None:
            return {}
        return child_datasets(g)

    @property
    def memory_attributes(self) -> dict[str, Any]:
        """The attributes of /memory (final-state Poincare charges, Hill invariants, error sizes)."""
        g = self._f.get("memory")
        if g is None:
            return {}
        return {k: v.decode() if isinstance(v, bytes) else (v.item() if isinstance(v, np.generic) else v)
                for k, v in g.attrs.items()}

    @property
    def series(self) -> dict[str, np.ndarray]:
        g = self._f["diagnostics"]
        return child_datasets(g)

    def charge_table(self) -> list[tuple[str, float, float, float]]:
        """Rows (generator, Q+, Q- of the linked generator, residual) from /matching."""
        m = self.matching
        if "charges_plus" not in m:
            return []
        labels = str(self.summary.get("charge_labels", "")).split(", ")
        if len(labels) != len(m["charges_plus"]):
            labels = [str(i) for i in range(len(m["charges_plus"]))]
        return list(zip(labels, m["charges_plus"].tolist(), m["charges_minus"].tolist(),
                        m["charges_residual"].tolist()))

    def to_xarray(self, side: str = "scri_plus"):
        """The scri data of ``side`` as an ``xarray.Dataset`` over (time, phi), with units and descriptions.

        Needs the ``table`` extra (``pip install -e ".[table]"``); without it, a ModuleNotFoundError
        saying so.  A sweep's table: :func:`asymflat.batch.collect.collect`.
        """
        try:
            import xarray as xr
        except ModuleNotFoundError as exc:
            raise ModuleNotFoundError('Result.to_xarray needs xarray: pip install -e ".[table]"',
                                      name=exc.name) from None

        view = getattr(self, side)
        if view is None:
            raise ValueError(f"{self.path} has no /{side}")
        coords = {view.time_name: view.time, "phi": view.phi}
        data = {k: ((view.time_name, "phi"), getattr(view, k),
                    {"units": self._f[side][k].attrs["units"], "description": self._f[side][k].attrs["description"]})
                for k in SCRI_DATASETS}
        return xr.Dataset(data, coords=coords, attrs={"G": self.G, "kind": self.kind, "source": str(self.path)})

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
        if not self.complete:
            lines.append(f"  INCOMPLETE (complete = false): {self.stop_reason}")
        for view in (self.scri_plus, self.scri_minus):
            if view is not None:
                lines.append(f"  {view!r}")
        if "matching" in self._f and len(self._f["matching"]):
            lines.append(f"  matching: {', '.join(sorted(self._f['matching']))}")
        checks = self.checks
        if checks:
            from asymflat.data import check_tally

            lines.append(f"  {check_tally(checks)}")
        return "\n".join(lines)


def _plain(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, bytes):
        return v.decode()
    return v
