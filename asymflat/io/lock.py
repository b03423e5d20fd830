"""An exclusive lock per output file, so two runs never write one result.

``asymflat run`` (:func:`asymflat.api.run`) holds ``OUTPUT.lock`` for the whole run: a second run
started on the same output is refused at once with :class:`OutputLocked` (one line naming the
lock, the errno EWOULDBLOCK and the PID/host of the holder; exit status
:data:`asymflat.io.output_path.EXIT_LOCKED`), instead of both evolving and racing to rename their
results and checkpoints over each other.

The lock is ``flock(2)`` on the file (released by the kernel when the holder dies, so a SIGKILLed
run never leaves a stale lock; the file itself is removed on a clean release).  ``flock`` is
honoured across processes of one host, and across hosts on NFSv4 and on Lustre/GPFS mounted with
locking (``-o flock``); docs/cluster.md.
"""
from __future__ import annotations

import contextlib
import errno as _errno
import fcntl
import os
import socket
from pathlib import Path
from typing import Iterator

from asymflat.io.output_path import EXIT_LOCKED, StorageError, reason


class OutputLocked(StorageError):
    """Another process holds the output's lock."""

    def __init__(self, lock: Path, output: Path, holder: str):
        who = f" by {holder}" if holder else ""
        super().__init__(_errno.EWOULDBLOCK, lock,
                         f"locked{who}: another run is writing {output}; wait for it or choose another -o")

    @property
    def exit_status(self) -> int:
        return EXIT_LOCKED


def lock_path(output: str | Path) -> Path:
    """``results/NAME.h5`` -> ``results/NAME.h5.lock``."""
    p = Path(output)
    return p.with_name(p.name + ".lock")


@contextlib.contextmanager
def exclusive(output: str | Path) -> Iterator[Path]:
    """Hold ``OUTPUT.lock`` for the block (non-blocking: :class:`OutputLocked` if taken).

    Raises :class:`StorageError` when the lock file cannot be created (read-only or missing
    directory, full disk), naming the path and the errno.
    """
    out = Path(output)
    path = lock_path(out)
    fd = _acquire(path, out)
    try:
        yield path
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
        os.close(fd)


def _acquire(path: Path, out: Path) -> int:
    for _ in range(10):  # retry if the holder removed the file between our open and our flock
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StorageError(exc.errno or _errno.EIO, path, reason(exc, "cannot create the lock file")) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            raise OutputLocked(path, out, holder) from None
        except OSError as exc:
            os.close(fd)
            raise StorageError(exc.errno or _errno.EIO, path, reason(exc, "cannot lock")) from None
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if not same:  # we locked a file that its previous holder had already unlinked
            os.close(fd)
            continue
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.write(fd, f"{socket.gethostname()}:{os.getpid()}\n".encode())
        return fd
    raise OutputLocked(path, out, "")  # pragma: no cover - ten lost races in a row


def _holder(fd: int) -> str:
    with contextlib.suppress(OSError):
        return os.pread(fd, 200, 0).decode(errors="replace").strip()
    return ""
