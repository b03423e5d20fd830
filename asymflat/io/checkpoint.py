"""Checkpoints: the complete state of a run, written atomically, two generations kept.

A checkpoint is an HDF5 file holding named arrays and scalars (the solver's fields, time, step,
frame transport, accumulated fluxes, output buffers), the run configuration text, and a SHA-256
checksum written last.  ``write`` builds the file in memory (:mod:`asymflat.io.atomic`: a full disk
is a :class:`~asymflat.io.output_path.StorageError`, never a crash), writes it to a temporary file
with fsync and renames it; before the
rename the previous checkpoint is moved to ``NAME.prev``, so at every instant at least one valid
generation exists.  ``read_latest`` returns the newest generation whose checksum verifies.
"""
from __future__ import annotations

import contextlib
import errno
import hashlib
import os
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from asymflat.io import atomic as _atomic
from asymflat.io.output_path import StorageError, reason

FORMAT = "asymflat-checkpoint"
FORMAT_VERSION = 1


class CheckpointError(ValueError):
    """No valid checkpoint could be read (missing, truncated, corrupted, other config)."""


def _digest(state: dict[str, Any], config_text: str) -> str:
    h = hashlib.sha256(config_text.encode())
    for name in sorted(state):
        arr = np.ascontiguousarray(np.asarray(state[name]))
        h.update(name.encode())
        h.update(str(arr.dtype).encode())
        h.update(str(arr.shape).encode())
        h.update(arr.tobytes())
    return h.hexdigest()


def previous(path: str | Path) -> Path:
    """Path of the previous generation of a checkpoint."""
    p = Path(path)
    return p.with_name(p.name + ".prev")


def write(path: str | Path, state: dict[str, Any], config_text: str) -> Path:
    """Write ``state`` atomically to ``path``; the old checkpoint becomes ``path.prev``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    image = _atomic.hdf5_image(lambda f: _fill(f, state, config_text))   # in memory: see asymflat.io.atomic
    tmp = _atomic.write_bytes(_atomic.temporary(path), image, rename=False)
    try:
        if path.exists():
            os.replace(path, previous(path))
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise StorageError(exc.errno or errno.EIO, path, reason(exc, "rename failed")) from None
    return path


def _fill(f: h5py.File, state: dict[str, Any], config_text: str) -> None:
    f.attrs["format"] = FORMAT
    f.attrs["format_version"] = FORMAT_VERSION
    f.attrs["config"] = config_text
    g = f.create_group("state")
    for name, value in state.items():
        g.create_dataset(name, data=np.asarray(value))
    f.attrs["checksum"] = _digest(state, config_text)


def read(path: str | Path, config_text: str | None = None) -> dict[str, np.ndarray]:
    """Read one checkpoint file, verifying format, checksum and (optionally) the run config."""
    p = Path(path)
    try:
        with h5py.File(p, "r") as f:
            if f.attrs.get("format") != FORMAT:
                raise CheckpointError(f"{p}: not an asymflat checkpoint")
            if int(f.attrs.get("format_version", -1)) != FORMAT_VERSION:
                raise CheckpointError(f"{p}: unsupported checkpoint version {f.attrs.get('format_version')}")
            state = {k: f["state"][k][()] for k in f["state"]}
            stored_config = str(f.attrs["config"])
            stored_sum = f.attrs.get("checksum")
    except CheckpointError:
        raise
    except Exception as exc:  # truncated or corrupted HDF5 surfaces as assorted errors
        raise CheckpointError(f"{p}: unreadable checkpoint ({exc.__class__.__name__})") from None
    if stored_sum != _digest(state, stored_config):
        raise CheckpointError(f"{p}: checksum mismatch (corrupted checkpoint)")
    if config_text is not None and stored_config != config_text:
        raise CheckpointError(f"{p}: checkpoint belongs to a different run configuration")
    return state


def read_latest(path: str | Path, config_text: str | None = None) -> tuple[dict[str, np.ndarray], Path]:
    """The newest valid generation (``path``, else ``path.prev``) and the file it came from."""
    errors = []
    for candidate in (Path(path), previous(path)):
        if not candidate.exists():
            errors.append(f"{candidate}: missing")
            continue
        try:
            return read(candidate, config_text), candidate
        except CheckpointError as exc:
            errors.append(str(exc))
    raise CheckpointError("no valid checkpoint: " + "; ".join(errors))
