"""Python entry points: ``asymflat.run`` and ``asymflat.load``."""
from __future__ import annotations

import importlib
import inspect
import time
from pathlib import Path
from typing import Any, Callable

from asymflat import config as _config
from asymflat import progress as _progress
from asymflat import runtime as _runtime
from asymflat.data import RunData
from asymflat.io import lock as _lock
from asymflat.io import output_path as _paths
from asymflat.io import results as _io
from asymflat.result import Result

#: ``progress(fraction)`` or ``progress(fraction, phase)`` (asymflat.progress)
Progress = Callable[..., None]


def _kind_module(kind: str):
    try:
        return importlib.import_module(f"asymflat.kinds.{kind}")
    except ModuleNotFoundError as exc:
        if exc.name == f"asymflat.kinds.{kind}":
            raise _config.ConfigError(f"kind = {kind!r}: not available in this version of asymflat") from None
        raise


def validate_physics(cfg: dict[str, Any]) -> None:
    """Kind-level checks that need no computation (the kind module's ``validate(cfg)``, if any).

    Raises ValueError naming the parameter, before any work starts.
    """
    mod = _kind_module(cfg["kind"])
    check = getattr(mod, "validate", None)
    if check is not None:
        check(cfg)


def execute(cfg: dict[str, Any], progress: Progress | None = None) -> RunData:
    """Run a validated configuration in memory and return its :class:`RunData`.

    ``progress(fraction)`` is called as the run advances, if the run kind reports progress.
    """
    mod = _kind_module(cfg["kind"])
    t0 = time.perf_counter()
    if progress is not None and "progress" in inspect.signature(mod.run).parameters:
        data = mod.run(cfg, progress=progress)
    else:
        data = mod.run(cfg)
    data.summary.setdefault("wall_time_s", time.perf_counter() - t0)
    return data


def resolve_config(config_or_path: str | Path | dict[str, Any]) -> tuple[dict[str, Any], str]:
    """Validated configuration and the TOML text stored in the result file."""
    if isinstance(config_or_path, dict):
        cfg = _config.validate(config_or_path)
    else:
        cfg = _config.load(config_or_path)
    return cfg, _config.to_toml(cfg)


def default_output(config_or_path: str | Path | dict[str, Any]) -> Path:
    """``results/<config stem>.h5`` for a file, ``results/run.h5`` for a dict."""
    if isinstance(config_or_path, dict):
        return Path("results") / "run.h5"
    return Path("results") / (Path(config_or_path).stem + ".h5")


def run(
    config_or_path: str | Path | dict[str, Any],
    output: str | Path | None = None,
    progress: Progress | None = None,
    *,
    resume: bool = False,
    checkpoint: str | Path | None = None,
    overwrite: bool = True,
) -> Result:
    """Run a configuration, write its result file atomically, and return it loaded.

    Parameters
    ----------
    config_or_path
        A path to a TOML run configuration (docs/config.md) or the equivalent dict.
    output
        Result file; default ``results/<config stem>.h5``.
    progress
        Optional callback receiving the completed fraction in [0, 1].
    resume
        Continue from the newest valid checkpoint (none: start from the beginning; a damaged one
        is reported, never read).  A complete result of the same configuration already at
        ``output`` is returned as is.
    checkpoint
        Checkpoint file (default ``OUTPUT.checkpoint``); written every
        ``[output] checkpoint_every_steps`` steps / ``checkpoint_every_minutes`` minutes and on a
        stop request (:mod:`asymflat.runtime`), removed once the result is written.
    overwrite
        Replace an existing file at ``output`` (``asymflat run`` passes False unless
        ``--overwrite``).

    Raises
    ------
    asymflat.io.output_path.StorageError
        Before any work: ``output``'s directory is missing (an explicit ``output`` is never
        created), not writable, read-only or full, or ``output`` is a directory;
        :class:`~asymflat.io.output_path.OutputExists` without ``overwrite``;
        :class:`~asymflat.io.lock.OutputLocked` while another run holds ``OUTPUT.lock``.
        During the run: a checkpoint or the result could not be written (the previous checkpoint
        and any previous result are kept).
    asymflat.runtime.RunUnstable
        The evolution became unstable; the output so far is in ``OUTPUT.partial``
        (``complete = false``), the last good checkpoint is kept.
    asymflat.runtime.RunInterrupted
        SIGINT/SIGTERM (under :func:`asymflat.runtime.handle_signals`): a checkpoint was written.
    """
    cfg, text = resolve_config(config_or_path)
    out = Path(output) if output is not None else default_output(config_or_path)
    if output is None:
        _make_default_dir(out)
    ck = Path(checkpoint) if checkpoint is not None else _runtime.default_checkpoint(out)
    _paths.preflight(out, ck)
    with _lock.exclusive(out):
        if resume and _finished(out, text):
            return Result(out)
        if not overwrite and out.exists():
            raise _paths.OutputExists(out)
        return _run_locked(cfg, text, out, ck, progress, resume)


def _make_default_dir(out: Path) -> None:
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _paths.StorageError(exc.errno or 5, out.parent, _paths.reason(exc, "cannot create")) from None


def _run_locked(cfg: dict[str, Any], text: str, out: Path, ck: Path, progress: Progress | None,
                resume: bool) -> Result:
    _runtime.remove_stale_temporaries(out, ck, _runtime.partial_path(out))
    session = _runtime.Session.from_config(cfg, text, ck, resume)
    try:
        with _runtime.active(session):
            data = execute(cfg, progress)
    except _runtime.RunUnstable as exc:
        if exc.partial is not None:
            exc.partial_path = _io.write(_runtime.partial_path(out), exc.partial, cfg, text,
                                         complete=False, stop_reason=exc.reason)
        exc.checkpoint = session.newest()
        raise
    _progress.report(progress, 1.0, "writing the result")
    _io.write(out, data, cfg, text)
    session.finish()
    stale = _runtime.partial_path(out)
    if stale.exists():
        stale.unlink()
    return Result(out)


def _finished(out: Path, config_text: str) -> bool:
    """``out`` holds a complete, verified result of this configuration."""
    try:
        with Result(out) as r:
            r.verify()
            return r.config_text == config_text
    except _io.ResultFileError:
        return False


def load(path: str | Path, allow_incomplete: bool = False) -> Result:
    """Open a result file lazily (raises ResultFileError for a non-asymflat, newer or broken file,
    and for the output of a run that stopped early unless ``allow_incomplete``)."""
    return Result(path, allow_incomplete=allow_incomplete)
