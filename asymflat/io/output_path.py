"""Where a run may write: checks made before any work, and one-line storage errors.

``asymflat run`` calls :func:`preflight` before it starts the run kind, so that a path it cannot
write is refused in milliseconds instead of after the evolution; a storage fault that still
happens mid-run (the disk fills, the file system turns read-only) is an :class:`OSError` from
the atomic writers (:mod:`asymflat.io.results`, :mod:`asymflat.io.checkpoint`), which
:func:`describe` turns into one line naming the path and the errno.  Exit statuses
(docs/format.md, "Stops and failures"): :data:`EXIT_STORAGE` (4) for a storage fault (read-only,
full, missing directory, a directory given as the output), :data:`EXIT_EXISTS` (5) for an
existing result without ``--overwrite``, :data:`EXIT_LOCKED` (6) when another run holds the
output's lock (:mod:`asymflat.io.lock`).
"""
from __future__ import annotations

import errno as _errno
import os
from pathlib import Path

#: exit status of ``asymflat run`` for a storage fault (the path and errno are in the message)
EXIT_STORAGE = 4
#: exit status of ``asymflat run`` when the output exists and ``--overwrite`` was not given
EXIT_EXISTS = 5
#: exit status of ``asymflat run`` when another run holds the output's lock
EXIT_LOCKED = 6


class StorageError(OSError):
    """A path the run cannot write: ``path`` and ``errno`` are set, ``str()`` is one line."""

    def __init__(self, errno: int, path: str | Path, what: str = ""):
        self.path = Path(path)
        name = _errno.errorcode.get(errno, str(errno))
        why = what or os.strerror(errno)
        super().__init__(errno, f"{self.path}: {why} [errno {errno} {name}]")
        self.filename = str(self.path)

    def __str__(self) -> str:
        return str(self.strerror)

    @property
    def exit_status(self) -> int:
        return EXIT_STORAGE


class OutputExists(StorageError):
    """The output file exists and the caller did not ask to overwrite it."""

    def __init__(self, path: str | Path):
        super().__init__(_errno.EEXIST, path,
                         "a result already exists; pass --overwrite to replace it (or --resume to keep "
                         "a complete result of this configuration)")

    @property
    def exit_status(self) -> int:
        return EXIT_EXISTS


def preflight(output: str | Path, *others: str | Path, overwrite: bool = True) -> Path:
    """Check that ``output`` (and the sibling files ``others``: checkpoint, partial) can be written.

    Refuses, with a :class:`StorageError` naming the path and the errno: a missing parent
    directory (ENOENT; it is not created, a typing error in ``-o`` should not silently create a
    directory tree), a parent that is not a directory (ENOTDIR), an output that is a directory
    (EISDIR), a parent directory this process cannot write (EACCES, or EROFS on a read-only file
    system), and, unless ``overwrite``, an existing output file (:class:`OutputExists`).  A probe
    file is created and removed in the output's directory, so a read-only mount or a full disk
    (ENOSPC, EDQUOT) is found before any work.
    """
    out = Path(output)
    for p in (out, *map(Path, others)):
        parent = p.parent if str(p.parent) else Path(".")
        if not parent.exists():
            raise StorageError(_errno.ENOENT, parent, "output directory does not exist")
        if not parent.is_dir():
            raise StorageError(_errno.ENOTDIR, parent, "not a directory")
        if p.is_dir():
            raise StorageError(_errno.EISDIR, p, "is a directory, not a result file (give a file name)")
    if out.exists() and not overwrite:
        raise OutputExists(out)
    for parent in {(Path(p).parent if str(Path(p).parent) else Path(".")) for p in (out, *others)}:
        probe(parent)
    return out


def probe(directory: str | Path, nbytes: int = 4096) -> None:
    """Create, write ``nbytes``, fsync and remove a hidden file in ``directory``.

    Raises :class:`StorageError` with the errno the file system gave (EROFS, EACCES, ENOSPC, ...).
    """
    d = Path(directory)
    name = d / f".asymflat-probe.{os.getpid()}"
    try:
        fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise StorageError(exc.errno or _errno.EIO, d, reason(exc, "cannot create files here")) from None
    try:
        os.write(fd, b"\0" * nbytes)
        os.fsync(fd)
    except OSError as exc:
        raise StorageError(exc.errno or _errno.EIO, d, reason(exc, "cannot write here")) from None
    finally:
        os.close(fd)
        try:
            os.unlink(name)
        except OSError:
            pass


def reason(exc: OSError, default: str) -> str:
    """A short human reason for an errno (the strerror when none is listed here)."""
    what = {
        _errno.EROFS: "read-only file system",
        _errno.EACCES: "permission denied (output directory not writable)",
        _errno.EPERM: "operation not permitted",
        _errno.ENOSPC: "no space left on device",
        _errno.EDQUOT: "disk quota exceeded",
        _errno.EFBIG: "file too large (RLIMIT_FSIZE or file-system limit)",
    }
    return what.get(exc.errno or 0, exc.strerror or default)


def describe(exc: OSError, fallback: str | Path | None = None) -> StorageError:
    """An :class:`OSError` from a write (h5py's included) as a :class:`StorageError`.

    h5py reports a failed write as ``OSError`` whose text carries ``errno = 28`` etc. rather
    than setting ``errno``; both are recognised.  The path is the exception's ``filename`` when
    it has one, else ``fallback``.
    """
    if isinstance(exc, StorageError):
        return exc
    code = exc.errno
    if not code:
        code = _errno_from_text(str(exc))
    path = exc.filename or fallback or "?"
    return StorageError(code or _errno.EIO, path, reason(exc if exc.errno else _with(exc, code), "write failed"))


def _with(exc: OSError, code: int | None) -> OSError:
    e = OSError(code or _errno.EIO, os.strerror(code or _errno.EIO))
    return e


def _errno_from_text(text: str) -> int | None:
    import re

    m = re.search(r"errno\s*=\s*(\d+)", text)
    if m:
        return int(m.group(1))
    for code, words in ((_errno.ENOSPC, "no space left"), (_errno.EROFS, "read-only file system"),
                        (_errno.EDQUOT, "quota exceeded"), (_errno.EFBIG, "file too large"),
                        (_errno.EACCES, "permission denied")):
        if words in text.lower():
            return code
    return None


def storage_message(exc: StorageError, output: str | Path, checkpoint: str | Path | None = None) -> str:
    """The one line ``asymflat run`` prints for a storage fault: the error, and which checkpoint
    of the run (``OUTPUT.checkpoint`` or its ``.prev``) survived, if any, to ``--resume`` from."""
    from asymflat.io.checkpoint import previous  # late: checkpoint imports this module

    ck = Path(checkpoint) if checkpoint else Path(output).with_name(Path(output).name + ".checkpoint")
    kept = [c for c in (ck, previous(ck)) if c.is_file()]
    tail = f"; last good checkpoint kept: {kept[0]} (free space, then add --resume)" if kept else ""
    return f"{exc}{tail}"
