"""Atomic HDF5 writes that a full or read-only disk cannot crash.

Why not ``h5py.File(tmp, "w")``: when the disk fills while HDF5 flushes its metadata cache, the
failed ``write(2)`` surfaces inside h5py object deallocation ("Exception ignored in
ObjectID.__dealloc__", one traceback per open object), ``File.close`` then fails with "Can't
destroy cache (slist already enabled?)", and the file stays half-open inside the HDF5 library;
h5py's close-everything at interpreter exit walks that broken cache and the process dies of
SIGSEGV (measured on main: 200 lines of traceback, exit 139, on a 256 kB tmpfs).

Here HDF5 never touches the disk: the file is built in memory (``driver="core"``,
``backing_store=False``), its image is taken with ``H5Fget_file_image`` and written by Python to
``.NAME.tmp.PID`` in the target directory, fsynced and renamed into place.  A storage fault is
then an ordinary :class:`OSError` from ``os.write`` / ``os.open``, raised as
:class:`asymflat.io.output_path.StorageError` (one line: path, errno) after the temporary file
is removed; whatever was at ``path`` before (a result, the previous checkpoint) is untouched.
The datasets and attributes are those a disk-backed file would hold (the result digests of
``tests/digests/runs.json`` are unchanged).
"""
from __future__ import annotations

import contextlib
import errno
import itertools
import os
from pathlib import Path
from typing import Callable, Iterator

import h5py

from asymflat.io.output_path import StorageError, reason

_counter = itertools.count()


def temporary(path: str | Path) -> Path:
    """``DIR/.NAME.tmp.PID``: the name an atomic write of ``DIR/NAME`` goes through."""
    p = Path(path)
    return p.with_name(f".{p.name}.tmp.{os.getpid()}")


@contextlib.contextmanager
def hdf5_file(path: str | Path) -> Iterator[h5py.File]:
    """Yield an in-memory HDF5 file; on a clean exit write it atomically to ``path``.

    Raises
    ------
    StorageError
        The image could not be written (ENOSPC, EROFS, EACCES, EFBIG, ENOENT, ...); no temporary
        file is left and ``path`` keeps what it held before.
    """
    f = _memory_file()
    try:
        yield f
        f.flush()
        image = f.id.get_file_image()
    finally:
        f.close()
    write_bytes(path, image)


def hdf5_image(fill: Callable[[h5py.File], None]) -> bytes:
    """The bytes of an HDF5 file built in memory by ``fill(file)``."""
    f = _memory_file()
    try:
        fill(f)
        f.flush()
        return f.id.get_file_image()
    finally:
        f.close()


def _memory_file() -> h5py.File:
    name = f"asymflat-image-{os.getpid()}-{next(_counter)}.h5"
    return h5py.File(name, "w", driver="core", backing_store=False)


def write_bytes(path: str | Path, data: bytes, rename: bool = True) -> Path:
    """Write ``data`` to ``path`` atomically: temporary name, fsync, rename, fsync of the directory.

    ``rename=False`` writes and fsyncs ``path`` itself (the caller's temporary name) and leaves
    the rename to the caller.  On an error the file written is removed and
    :class:`StorageError` names ``path`` (or, for ``rename=False``, the file it stands for).
    """
    path = Path(path)
    tmp = temporary(path) if rename else path
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            view = memoryview(data)
            while view:
                n = os.write(fd, view)
                view = view[n:]
            os.fsync(fd)
        finally:
            os.close(fd)
        if rename:
            os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise StorageError(exc.errno or errno.EIO, path if rename else _target(path),
                           reason(exc, "write failed")) from None
    if rename:
        _fsync_dir(path.parent)
    return path


def _target(tmp: Path) -> Path:
    """``DIR/.NAME.tmp.PID`` -> ``DIR/NAME`` (for messages)."""
    name = tmp.name
    if name.startswith(".") and ".tmp." in name:
        return tmp.with_name(name[1:name.rindex(".tmp.")])
    return tmp


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems refuse fsync on directories
        pass
    finally:
        os.close(fd)
