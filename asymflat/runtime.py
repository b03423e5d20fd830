"""Run-time reliability: checkpoint cadence and restart, clean stops on signals, instability reports.

A :class:`Session` is what a run kind sees of the world outside the numerics: where checkpoints go
(default ``OUTPUT.checkpoint``, previous generation ``OUTPUT.checkpoint.prev``), how often
(``[output] checkpoint_every_steps`` / ``checkpoint_every_minutes``), whether to resume from one,
and whether SIGINT/SIGTERM asked the run to stop.  :func:`asymflat.api.run` makes one active
(:func:`active`) around the kind's ``run``; a kind reads it with :func:`current` (a disabled session
when none is active, so kinds stay usable without any of this).

Kinds that checkpoint (``characteristic``) call, at every time step, :meth:`Session.at_step`
with a function building their complete state; it writes a checkpoint when one is due
(:mod:`asymflat.io.checkpoint`: atomic, two generations) and, when a stop was requested, writes one
and raises :class:`RunInterrupted`.  A run that becomes unstable raises :class:`RunUnstable`
carrying the output so far, which :func:`asymflat.api.run` writes as ``OUTPUT.partial``
(``complete = false``, ``stop_reason``).  docs/format.md, section "Checkpoints and restart".

Bit-identical restart: the state saved is exact (float64 arrays), the resumed evolution uses the
step count and dt of the uninterrupted run (``CharacteristicSolver.evolve(start_step=...)``), and
the solver's default path is serial; keep the thread settings of numpy's BLAS
(``OMP_NUM_THREADS`` / ``OPENBLAS_NUM_THREADS``) the same for the two runs.
"""
from __future__ import annotations

import contextlib
import contextvars
import logging
import signal
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np

from asymflat.io import checkpoint as _ckpt
from asymflat.io.checkpoint import CheckpointError

log = logging.getLogger("asymflat")

#: exit status of a run stopped because it became unstable (asymflat run)
EXIT_UNSTABLE = 3


class RunInterrupted(Exception):
    """A run stopped on SIGINT/SIGTERM after writing a checkpoint (``checkpoint``; None if none)."""

    def __init__(self, signum: int, checkpoint: Path | None, where: str):
        self.signum, self.checkpoint, self.where = int(signum), checkpoint, where
        name = signal.Signals(self.signum).name
        ck = f"checkpoint written to {checkpoint}" if checkpoint else "no checkpoint written"
        super().__init__(f"interrupted by {name} {where}; {ck}")

    @property
    def exit_status(self) -> int:
        return 128 + self.signum


class RunUnstable(RuntimeError):
    """The evolution became unstable (NaN/Inf or a norm beyond its bound).

    ``reason`` is the detector's one-line message (u, field, grid point); ``partial`` the output
    so far (a :class:`asymflat.data.RunData`) that :func:`asymflat.api.run` writes to
    ``partial_path``; ``checkpoint`` the last good checkpoint, if any.
    """

    def __init__(self, reason: str, partial: Any = None):
        self.reason = " ".join(str(reason).split())
        self.partial = partial
        self.partial_path: Path | None = None
        self.checkpoint: Path | None = None
        super().__init__(self.reason)

    def __str__(self) -> str:
        parts = [f"unstable evolution stopped: {self.reason}"]
        if self.partial_path is not None:
            parts.append(f"output so far in {self.partial_path} (complete = false)")
        if self.checkpoint is not None:
            parts.append(f"last good checkpoint {self.checkpoint}")
        return "; ".join(parts)


# ------------------------------------------------------------------------------------------------
# paths


def default_checkpoint(output: str | Path) -> Path:
    """``results/NAME.h5`` -> ``results/NAME.h5.checkpoint``."""
    p = Path(output)
    return p.with_name(p.name + ".checkpoint")


def partial_path(output: str | Path) -> Path:
    """Where the output of a run stopped by an instability goes: ``results/NAME.h5.partial``."""
    p = Path(output)
    return p.with_name(p.name + ".partial")


def remove_stale_temporaries(*paths: str | Path) -> list[Path]:
    """Remove ``.NAME.tmp.PID`` files (atomic writes of ``paths`` cut short by a kill) whose
    process no longer exists; returns what was removed."""
    import os

    removed = []
    for path in paths:
        p = Path(path)
        if not p.parent.is_dir():
            continue
        for tmp in p.parent.glob(f".{p.name}.tmp.*"):
            try:
                pid = int(tmp.name.rsplit(".", 1)[1])
            except ValueError:
                continue
            if pid == os.getpid():
                continue
            try:
                os.kill(pid, 0)
                continue                      # still running: not ours to remove
            except ProcessLookupError:
                pass
            except PermissionError:
                continue
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
                removed.append(tmp)
    return removed


# ------------------------------------------------------------------------------------------------
# signals


class StopFlag:
    """Set by the signal handlers; polled by the time loop."""

    def __init__(self) -> None:
        self.signum: int | None = None

    def set(self, signum: int) -> None:
        self.signum = int(signum)

    def clear(self) -> None:
        self.signum = None

    def __bool__(self) -> bool:
        return self.signum is not None


#: the process-wide stop request (SIGINT / SIGTERM under :func:`handle_signals`)
STOP = StopFlag()


@contextlib.contextmanager
def handle_signals(signals: tuple[int, ...] = (signal.SIGINT, signal.SIGTERM)) -> Iterator[StopFlag]:
    """Turn SIGINT/SIGTERM into a stop request (:data:`STOP`) for the duration of the block.

    The running kind then writes a checkpoint at its next step and raises :class:`RunInterrupted`.
    A second signal while the first is pending raises KeyboardInterrupt at once.  Only in the main
    thread (elsewhere the block runs without handlers).
    """
    STOP.clear()
    old: dict[int, Any] = {}

    def handler(signum, frame):  # noqa: ARG001
        if STOP:
            raise KeyboardInterrupt
        STOP.set(signum)
        log.warning("received %s: stopping at the next time step after writing a checkpoint",
                    signal.Signals(signum).name)

    try:
        for s in signals:
            try:
                old[s] = signal.signal(s, handler)
            except ValueError:  # not the main thread
                break
        yield STOP
    finally:
        for s, h in old.items():
            signal.signal(s, h)
        STOP.clear()


# ------------------------------------------------------------------------------------------------
# sessions


class Session:
    """Checkpoint policy and restart state of one run (see the module docstring).

    Parameters
    ----------
    checkpoint : checkpoint file, or None (never write one, not even on a signal).
    config_text : the run's TOML text (stored in and checked against every checkpoint).
    every_steps, every_minutes : cadence; both 0 writes checkpoints only on a stop request.
    resume : read the newest valid checkpoint (:meth:`load`).
    """

    def __init__(self, checkpoint: str | Path | None = None, config_text: str = "",
                 every_steps: int = 0, every_minutes: float = 0.0, resume: bool = False,
                 stop: StopFlag | None = None):
        self.checkpoint = Path(checkpoint) if checkpoint is not None else None
        self.config_text = config_text
        self.every_steps = int(every_steps)
        self.every_minutes = float(every_minutes)
        self.resume = bool(resume)
        self.stop = STOP if stop is None else stop
        self.restored_from: Path | None = None
        self.written = 0
        self.last_written: Path | None = None
        self._last = time.monotonic()

    @classmethod
    def from_config(cls, cfg: dict[str, Any], config_text: str, checkpoint: str | Path | None,
                    resume: bool = False) -> "Session":
        out = cfg.get("output") or {}
        return cls(checkpoint, config_text, int(out.get("checkpoint_every_steps", 0) or 0),
                   float(out.get("checkpoint_every_minutes", 0.0) or 0.0), resume)

    @property
    def periodic(self) -> bool:
        """True when checkpoints are written on a cadence (and at phase boundaries)."""
        return self.checkpoint is not None and (self.every_steps > 0 or self.every_minutes > 0)

    # -- restart ---------------------------------------------------------------------------------
    def load(self) -> dict[str, np.ndarray] | None:
        """The newest valid checkpoint's state when resuming, else None.

        No checkpoint at all (the run was stopped before its first one): None, with a log line.
        A damaged newest generation is reported and the previous one used; when no generation is
        valid, :class:`CheckpointError` names every file and its defect (never read silently).
        """
        if not self.resume or self.checkpoint is None:
            return None
        cands = [self.checkpoint, _ckpt.previous(self.checkpoint)]
        if not any(c.exists() for c in cands):
            log.warning("no checkpoint at %s: starting from the beginning", self.checkpoint)
            return None
        errors = []
        for c in cands:
            if not c.exists():
                errors.append(f"{c}: missing")
                continue
            try:
                state = _ckpt.read(c, self.config_text)
            except CheckpointError as exc:
                errors.append(str(exc))
                log.warning("skipping checkpoint %s", exc)
                continue
            self.restored_from = c
            log.info("resuming from checkpoint %s", c)
            return state
        raise CheckpointError("no valid checkpoint: " + "; ".join(errors))

    # -- writing ---------------------------------------------------------------------------------
    def due(self, step: int) -> bool:
        """A periodic checkpoint is due at ``step`` (steps cadence or wall-clock minutes)."""
        if not self.periodic:
            return False
        if self.every_steps > 0 and step % self.every_steps == 0:
            return True
        return self.every_minutes > 0 and time.monotonic() - self._last >= 60.0 * self.every_minutes

    def save(self, state: dict[str, Any]) -> Path | None:
        """Write a checkpoint now (atomic; the previous one becomes ``.prev``)."""
        if self.checkpoint is None:
            return None
        path = _ckpt.write(self.checkpoint, state, self.config_text)
        self._last = time.monotonic()
        self.written += 1
        self.last_written = path
        return path

    def poll(self, state: Callable[[], dict[str, Any]], where: str) -> None:
        """On a pending stop request: write a checkpoint and raise :class:`RunInterrupted`."""
        if self.stop:
            path = self.save(state())
            raise RunInterrupted(self.stop.signum or signal.SIGTERM, path, where)

    def at_step(self, step: int, state: Callable[[], dict[str, Any]], where: str,
                force: bool = False) -> None:
        """Call at every step: stop if asked (checkpoint first), else checkpoint when due/forced."""
        self.poll(state, where)
        if (force and self.periodic) or self.due(step):
            self.save(state())

    def newest(self) -> Path | None:
        """The newest checkpoint file on disk (for messages), or None."""
        if self.checkpoint is None:
            return None
        for c in (self.checkpoint, _ckpt.previous(self.checkpoint)):
            if c.exists():
                return c
        return None

    def finish(self) -> None:
        """The complete result is written: the checkpoints are no longer needed."""
        if self.checkpoint is None:
            return
        for c in (self.checkpoint, _ckpt.previous(self.checkpoint)):
            with contextlib.suppress(FileNotFoundError):
                c.unlink()


_CURRENT: contextvars.ContextVar[Session | None] = contextvars.ContextVar("asymflat_session", default=None)


def current() -> Session:
    """The active session, or a disabled one (no checkpoints, no resume)."""
    s = _CURRENT.get()
    return s if s is not None else Session(None, stop=StopFlag())


@contextlib.contextmanager
def active(session: Session) -> Iterator[Session]:
    """Make ``session`` the one :func:`current` returns inside the block."""
    token = _CURRENT.set(session)
    try:
        yield session
    finally:
        _CURRENT.reset(token)


# ------------------------------------------------------------------------------------------------
# state (de)serialisation helpers for kinds


def stack(rows: list, row_shape: tuple[int, ...] = ()) -> np.ndarray:
    """A list of equal-shaped rows (arrays or scalars) as one float array, shape (n, *row_shape)."""
    if not rows:
        return np.zeros((0,) + tuple(row_shape))
    return np.asarray(rows, dtype=float)


def unstack(arr: np.ndarray) -> list:
    """Inverse of :func:`stack`: the list of rows."""
    return list(np.asarray(arr))


def pack(prefix: str, lists: dict[str, list], row_shapes: dict[str, tuple[int, ...]]) -> dict[str, np.ndarray]:
    """``{prefix.key: stack(list)}`` for a dict of growing lists."""
    return {f"{prefix}.{k}": stack(v, row_shapes.get(k, ())) for k, v in lists.items()}


def unpack(prefix: str, state: dict[str, np.ndarray]) -> dict[str, list]:
    """Inverse of :func:`pack` (every key starting with ``prefix.``)."""
    n = len(prefix) + 1
    return {k[n:]: unstack(v) for k, v in state.items() if k.startswith(prefix + ".") and "." not in k[n:]}
