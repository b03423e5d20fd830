"""HDF5 result format v1: the one place that writes and reads result files.

Layout (docs/format.md is the user-facing description; a test checks the two agree)::

    /                      attrs: format, format_version, software_version, git_commit, created,
                                  G, kind, config (TOML text), checksum, complete (set last)
    /scri_plus/            u, phi, mass_aspect, angular_momentum_aspect, N, news, psi0 [+ extras]
    /scri_minus/           the same with v
    /matching/             i0 data from both sides and residuals
    /diagnostics/          series against time; /diagnostics/checks/<name> (attrs: value,
                           error_estimate, safety_factor, tolerance, method, passed, description)
    /fields/               optional bulk snapshots
    /scri_plus_final_frame/  optional (kind scattering): scri+ data in the final vacuum's frame + the map
    /incoming/             optional (kind scattering with incoming data): the table the run used
                           (incoming layout, asymflat/io/incoming.py) + its source and SHA-256
    /summary               attrs: scalar facts (charges, invariants, wall time)

A file is built in memory and written under a temporary name in the target directory, fsynced and
renamed (:mod:`asymflat.io.atomic`), so a killed run leaves either no result or a complete one and
a full or read-only disk is one :class:`~asymflat.io.output_path.StorageError`, never a crash.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
from pathlib import Path
from typing import Any, Iterator

import h5py
import numpy as np

from asymflat import __version__
from asymflat._provenance import git_commit
from asymflat.data import SCRI_DATASETS, Check, RunData, ScriData
from asymflat.io import atomic as _atomic

FORMAT = "asymflat-run"
FORMAT_VERSION = 1
#: Arrays with more elements than this are chunked and compressed (gzip + shuffle).
_COMPRESS_ABOVE = 4096


class ResultFileError(ValueError):
    """A file that is not a readable, complete asymflat result of a supported version."""


def write(path: str | Path, run: RunData, cfg: dict[str, Any], config_text: str,
          complete: bool = True, stop_reason: str | None = None) -> Path:
    """Write ``run`` atomically to ``path`` (in memory, then temporary name, fsync, rename).

    The root attribute ``complete`` is written last; ``checksum`` is the SHA-256 of every dataset
    (name, dtype, shape and bytes, in sorted order), recomputed by :func:`verify`.
    ``complete = False`` writes the output of a run that stopped early (``stop_reason`` says why):
    readers refuse it unless asked for incomplete files.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _atomic.hdf5_file(path) as f:  # built in memory; a full disk cannot crash HDF5
        _write_root(f, cfg, config_text)
        for scri in (run.scri_plus, run.scri_minus):
            if scri is not None:
                _write_scri(f, scri)
        _write_group(f.require_group("matching"), run.matching)
        diag = f.require_group("diagnostics")
        _write_group(diag, run.series)
        _write_checks(diag.require_group("checks"), run.checks)
        if run.fields:
            _write_group(f.require_group("fields"), run.fields)
        if run.memory or run.memory_attrs:
            mem = f.require_group("memory")
            _write_group(mem, run.memory)
            for k, v in run.memory_attrs.items():
                mem.attrs[k] = v
        if run.final_frame or run.final_frame_attrs:
            ff = f.require_group("scri_plus_final_frame")
            _write_group(ff, run.final_frame)
            for k, v in run.final_frame_attrs.items():
                ff.attrs[k] = v
        if run.incoming is not None:
            from asymflat.io.incoming import write_table
            g = f.require_group("incoming")
            write_table(g, run.incoming, float(run.incoming_attrs.get("tail_tolerance", 0.0)))
            for k, v in run.incoming_attrs.items():
                g.attrs[k] = v
        summary = f.require_group("summary")
        for k, v in run.summary.items():
            summary.attrs[k] = v
        if stop_reason is not None:
            f.attrs["stop_reason"] = str(stop_reason)
        f.attrs["checksum"] = checksum(f)
        f.flush()
        f.attrs["complete"] = bool(complete)
    return path


def _write_root(f: h5py.File, cfg: dict[str, Any], config_text: str) -> None:
    f.attrs["format"] = FORMAT
    f.attrs["format_version"] = FORMAT_VERSION
    f.attrs["software_version"] = __version__
    f.attrs["git_commit"] = git_commit()
    f.attrs["created"] = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    f.attrs["G"] = float(cfg["G"])
    f.attrs["kind"] = cfg["kind"]
    f.attrs["config"] = config_text
    f.attrs["conventions"] = "docs/conventions.md (Theta = -1 for Minkowski; Q = (1/16 pi G) int(T Theta + 2 Y Xi))"
    f.attrs["complete"] = False


def _write_scri(f: h5py.File, scri: ScriData) -> None:
    g = f.require_group(scri.name)
    tname = scri.time_name
    t = _dataset(g, tname, scri.time, "length", f"Bondi {'retarded' if tname == 'u' else 'advanced'} time")
    p = _dataset(g, "phi", scri.phi, "rad", "uniform angle grid 2 pi j / nphi")
    t.make_scale(tname)
    p.make_scale("phi")
    for key, (units, desc) in SCRI_DATASETS.items():
        d = _dataset(g, key, getattr(scri, key), units, desc.replace("(t,", f"({tname},"))
        d.dims[0].attach_scale(t)
        d.dims[1].attach_scale(p)
    _write_group(g, scri.extra)


def _write_group(g: h5py.Group, items: dict[str, tuple[np.ndarray, str, str]]) -> None:
    for name, (arr, units, desc) in items.items():
        _dataset(g, name, arr, units, desc)


def _dataset(g: h5py.Group, name: str, arr: Any, units: str, desc: str) -> h5py.Dataset:
    data = np.asarray(arr)
    kw: dict[str, Any] = {}
    if data.size > _COMPRESS_ABOVE and data.ndim >= 1:
        kw = {"compression": "gzip", "shuffle": True, "chunks": True}
    if data.dtype.kind == "U":
        data = data.astype(h5py.string_dtype())
        kw = {}
    d = g.create_dataset(name, data=data, **kw)
    d.attrs["units"] = units
    d.attrs["description"] = desc
    return d


def _write_checks(g: h5py.Group, checks: list[Check]) -> None:
    for c in checks:
        h = g.require_group(c.name)
        h.attrs["value"] = float(c.value)
        h.attrs["error_estimate"] = float(c.error_estimate)
        h.attrs["safety_factor"] = float(c.safety_factor)
        h.attrs["tolerance"] = c.tolerance
        h.attrs["method"] = c.method
        h.attrs["passed"] = c.passed
        h.attrs["description"] = c.description
        if np.isfinite(c.scale):   # stated only by checks that can be vacuous (Check.vacuous)
            h.attrs["scale"] = float(c.scale)
            h.attrs["vacuous"] = c.vacuous


def _datasets(f: h5py.File) -> Iterator[tuple[str, h5py.Dataset]]:
    found: list[tuple[str, h5py.Dataset]] = []
    f.visititems(lambda name, obj: found.append((name, obj)) if isinstance(obj, h5py.Dataset) else None)
    return iter(sorted(found, key=lambda t: t[0]))


def checksum(f: h5py.File) -> str:
    """SHA-256 over every dataset's name, dtype, shape and raw bytes (sorted by name)."""
    h = hashlib.sha256()
    for name, d in _datasets(f):
        data = d[()]
        h.update(name.encode())
        h.update(str(d.dtype).encode())
        h.update(str(d.shape).encode())
        h.update(np.ascontiguousarray(data).tobytes() if d.dtype.kind != "O" else repr(data).encode())
    return h.hexdigest()


def open_result(path: str | Path, verify_checksum: bool = False, allow_incomplete: bool = False) -> h5py.File:
    """Open a result file read-only after checking that it is a complete, supported result
    (``allow_incomplete``: also the output of a run that stopped early, ``complete = false``).

    Raises
    ------
    ResultFileError
        Missing file, not HDF5 (e.g. truncated), not an asymflat result, a newer format version
        than this reader, an incomplete run, or (with ``verify_checksum``) a checksum mismatch.
    """
    p = Path(path)
    if not p.is_file():
        raise ResultFileError(f"{p}: no such file")
    try:
        f = h5py.File(p, "r")
    except OSError as exc:
        raise ResultFileError(f"{p}: not a readable HDF5 file (truncated or corrupted?): {exc}") from None
    try:
        _check_header(f, p, allow_incomplete)
        if verify_checksum and f.attrs.get("checksum") != checksum(f):
            raise ResultFileError(f"{p}: checksum mismatch: the datasets were modified or corrupted")
    except ResultFileError:
        f.close()
        raise
    except Exception as exc:  # corrupted internals surface as assorted h5py errors
        f.close()
        raise ResultFileError(f"{p}: corrupted result file ({exc.__class__.__name__}: {exc})") from None
    return f


def _check_header(f: h5py.File, p: Path, allow_incomplete: bool = False) -> None:
    if f.attrs.get("format") != FORMAT:
        raise ResultFileError(f"{p}: not an asymflat result (root attribute format != {FORMAT!r})")
    version = int(f.attrs.get("format_version", -1))
    if version > FORMAT_VERSION:
        raise ResultFileError(
            f"{p}: format_version {version} is newer than this reader ({FORMAT_VERSION}); upgrade asymflat"
        )
    if version < 1:
        raise ResultFileError(f"{p}: format_version {version} is not supported")
    if not allow_incomplete and not bool(f.attrs.get("complete", False)):
        why = f.attrs.get("stop_reason")
        why = f"stopped: {why}" if why is not None else "the run did not finish"
        raise ResultFileError(f"{p}: incomplete result ({why}; attribute complete = false; "
                              "asymflat.load(path, allow_incomplete=True) reads it)")


def read_checks(f: h5py.File) -> list[Check]:
    """The scalar checks stored under /diagnostics/checks."""
    out = []
    g = f.get("diagnostics/checks")
    if g is None:
        return out
    for name in g:
        a = g[name].attrs
        out.append(
            Check(name, float(a["value"]), float(a["error_estimate"]), float(a["safety_factor"]),
                  str(a["method"]), str(a["description"]), float(a.get("scale", np.nan)))
        )
    return out
