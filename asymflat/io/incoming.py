"""HDF5 files of incoming radiation psi0-(v, phi) (docs/format.md, "Incoming radiation"): the one
place that writes and reads them.

Layout::

    /            attrs: format = "asymflat-incoming", format_version = 1, software_version,
                        git_commit, created, conventions, description
    /incoming/   v (nv,), phi (nphi,), psi0 (nv, nphi)   [units, description attributes]
                 attrs: tail_tolerance (allowed tail-law residual / max|psi0|, >= TAIL_TOL)
    /incoming/tail_early, /incoming/tail_late   attrs: law ("none" | "power"), power, center;
                        dataset coefficients (K, nphi): psi0 = sum_k c_k |v - center|^-(power + k)

:func:`read` refuses, in one line naming the file, what is not of this layout and what
:func:`asymflat.incoming.table.check` refuses (grid, resolution, NaN, ends, energy with G > 0).
"""
from __future__ import annotations

import datetime as _dt
from pathlib import Path

import h5py
import numpy as np

from asymflat import __version__
from asymflat._provenance import git_commit
from asymflat.incoming.table import TAIL_TOL, IncomingData, IncomingDataError, check
from asymflat.incoming.tails import TailLaw
from asymflat.io import atomic as _atomic

FORMAT = "asymflat-incoming"
FORMAT_VERSION = 1
_ENDS = ("early", "late")


def write(path: str | Path, data: IncomingData, description: str = "", tail_tol: float = TAIL_TOL) -> Path:
    """Write ``data`` (checked first, without G) atomically to ``path``.

    ``tail_tol``: the tail-law residual the data support (reflected run output: the run's own error,
    asymflat/incoming/reverse.py); stored as the attribute ``tail_tolerance`` of ``/incoming`` and
    used by :func:`read` (TAIL_TOL when absent, older files).
    """
    check(data, tail_tol=tail_tol)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _atomic.hdf5_file(path) as f:  # built in memory, then temporary name, fsync, rename
        f.attrs.update(format=FORMAT, format_version=FORMAT_VERSION, software_version=__version__,
                       git_commit=git_commit(), description=str(description),
                       created=_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
                       conventions="docs/conventions.md: psi0- = lim sqrt(r) psi at fixed v = t + r "
                                   "(section 2), Fourier section 7")
        write_table(f.create_group("incoming"), data, tail_tol)
    return path


def write_table(g: h5py.Group, data: IncomingData, tail_tol: float = TAIL_TOL) -> None:
    """Fill the group ``g`` with the table of ``data`` in the incoming layout (module doc): datasets
    v, phi, psi0, the tail groups, attribute ``tail_tolerance``.  Used for incoming-data files and
    for the ``/incoming`` group of a scattering result (docs/format.md)."""
    g.attrs["tail_tolerance"] = max(float(tail_tol), TAIL_TOL)
    for name, arr, units, desc in (
            ("v", data.v, "length", "advanced time v = t + r at scri- (uniform)"),
            ("phi", data.phi, "rad", "uniform grid 2 pi k / nphi"),
            ("psi0", data.psi0, "length^1/2 psi", "radiation field psi0-(v, phi)")):
        d = g.create_dataset(name, data=np.asarray(arr, dtype=float))
        d.attrs.update(units=units, description=desc)
    for end, law in zip(_ENDS, (data.early, data.late)):
        t = g.create_group(f"tail_{end}")
        t.attrs["law"] = "none" if law is None else "power"
        if law is not None:
            t.attrs.update(power=law.power, center=law.center)
            t.create_dataset("coefficients", data=law.coefficients)


def read(path: str | Path, G: float | None = None) -> IncomingData:
    """Read and check an incoming-data file; with ``G > 0`` also the conical-defect bound.

    Raises :class:`asymflat.incoming.table.IncomingDataError` with a one-line message.
    """
    p = Path(path)
    if not p.is_file():
        raise IncomingDataError(f"{p}: no such file")
    try:
        with h5py.File(p, "r") as f:
            data = _read_open(f, p)
            tol = float(f["incoming"].attrs.get("tail_tolerance", TAIL_TOL))
    except IncomingDataError:
        raise
    except (OSError, KeyError, ValueError, TypeError) as exc:
        raise IncomingDataError(f"{p}: not an asymflat incoming-data file ({exc.__class__.__name__}: "
                                f"{str(exc).splitlines()[0] if str(exc) else ''})") from None
    check(data, G, tail_tol=tol)
    return data


def _read_open(f: h5py.File, p: Path) -> IncomingData:
    fmt = f.attrs.get("format")
    if isinstance(fmt, bytes):
        fmt = fmt.decode()
    if fmt != FORMAT:
        raise IncomingDataError(f"{p}: not an asymflat incoming-data file (format = {fmt!r}, "
                                f"needs {FORMAT!r})")
    ver = int(f.attrs.get("format_version", -1))
    if ver != FORMAT_VERSION:
        raise IncomingDataError(f"{p}: format_version = {ver}: this asymflat reads {FORMAT_VERSION}")
    missing = [k for k in ("incoming/v", "incoming/phi", "incoming/psi0") if k not in f]
    if missing:
        raise IncomingDataError(f"{p}: not of the incoming layout: missing {', '.join(missing)}")
    return read_table(f["incoming"], str(p))


def read_table(g: h5py.Group, source: str) -> IncomingData:
    """The table of a group in the incoming layout (an incoming-data file's ``/incoming``, or the
    ``/incoming`` group of a scattering result), not checked; ``source`` names it in messages."""
    laws = {}
    for end in _ENDS:
        t = g.get(f"tail_{end}")
        law = "none" if t is None else t.attrs.get("law", "none")
        law = law.decode() if isinstance(law, bytes) else str(law)
        if law == "none":
            laws[end] = None
        elif law == "power" and "coefficients" in t:
            laws[end] = TailLaw(end, float(t.attrs["power"]), float(t.attrs["center"]),
                                np.asarray(t["coefficients"][()], dtype=float))
        else:
            raise IncomingDataError(f"{source}: tail_{end}: law = {law!r} (allowed 'none', 'power' with "
                                    "coefficients)")
    return IncomingData(np.asarray(g["v"][()], dtype=float), np.asarray(g["phi"][()], dtype=float),
                        np.asarray(g["psi0"][()], dtype=float), laws["early"], laws["late"], source)
