"""Incoming radiation of a ``scattering`` run given as data (issue 21): ``scattering.incoming`` (a file
of the incoming layout, docs/format.md) or ``scattering.incoming_from`` (a previous result's outgoing
psi0+ in the final-vacuum frame, time-reflected: :func:`asymflat.incoming.reverse.reflected_result`).

The table is checked (asymflat.incoming.table.check, with the conical-defect bound at G > 0) and
carried onto the run's angular grid (asymflat.incoming.sampling.resample_phi).  Its times for the
ladder: the centre t_c (the energy centroid of the data, the analogue of the latest pulse time) and
the start of its support (the first node where |psi0-| exceeds VANISH_TOL max|psi0-|, or the
table's first node when an early tail law continues it).
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from asymflat.incoming.sampling import resample_phi
from asymflat.incoming.table import VANISH_TOL, IncomingData, IncomingDataError, check
from asymflat.incoming.tails import energy_centroid


def incoming_key(config: dict) -> str | None:
    """``'incoming'`` or ``'incoming_from'`` when the run's radiation is a table, else None."""
    sc = config.get("scattering") or {}
    for key in ("incoming", "incoming_from"):
        if sc.get(key):
            return key
    return None


def incoming_table(config: dict) -> IncomingData | None:
    """The checked table of a run on its ``grid.nphi`` angles, or None (exact pulses).

    Raises ValueError, one line: ``scattering.<key>: <file>: what is wrong``.
    """
    from asymflat.incoming.reverse import reflected_result
    from asymflat.io import incoming as _io

    key = incoming_key(config)
    if key is None:
        return None
    path = config["scattering"][key]
    G = float(config["G"])
    try:
        if key == "incoming":
            data = _io.read(path, G)
        else:
            data, tol = reflected_result(path)
            check(data, G, tail_tol=tol)
    except IncomingDataError as exc:
        raise ValueError(f"scattering.{key}: {exc}") from None
    return resample_phi(data, int(config["grid"]["nphi"]))


def file_sha256(path: str | Path) -> str:
    """SHA-256 (hex) of the bytes of the file at ``path``."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def incoming_provenance(config: dict) -> tuple[float, dict[str, str]]:
    """What a result stores with the table it used (``/incoming``, docs/format.md): the tail-law
    tolerance the table was checked with, and the attributes ``key`` (``incoming`` or
    ``incoming_from``), ``source`` (the path as resolved), ``source_sha256`` (of that file's bytes)
    and, for ``incoming_from``, ``source_checksum`` (the source result's own dataset checksum).
    Called after :func:`incoming_table` has accepted the file."""
    from asymflat.incoming.reverse import reflected_result
    from asymflat.io.results import open_result

    key = incoming_key(config)
    path = config["scattering"][key]
    attrs = {"key": key, "source": str(path), "source_sha256": file_sha256(path)}
    if key == "incoming":
        import h5py
        with h5py.File(path, "r") as f:
            tol = float(f["incoming"].attrs.get("tail_tolerance", 0.0))
    else:
        tol = reflected_result(path)[1]
        with open_result(path) as f:
            attrs["source_checksum"] = str(f.attrs.get("checksum", ""))
    return tol, attrs


def central_time(data: IncomingData) -> float:
    """t_c: the energy centroid int v (d_v psi0)^2 / int (d_v psi0)^2 of the table."""
    return energy_centroid(data.v, data.psi0)


def support_start(data: IncomingData) -> float:
    """The earliest advanced time at which the data do not vanish (module doc)."""
    if data.early is not None:
        return float(data.v[0])
    amp = np.max(np.abs(data.psi0), axis=1)
    first = int(np.argmax(amp > VANISH_TOL * float(np.max(amp))))
    return float(data.v[first])


def energy_width(data: IncomingData) -> float:
    """rms width of the energy distribution in v about t_c (the analogue of a pulse width a)."""
    e = np.sum(np.gradient(data.psi0, data.v, axis=0) ** 2, axis=1)
    tc = central_time(data)
    return float(np.sqrt(np.sum((data.v - tc) ** 2 * e) / np.sum(e)))
