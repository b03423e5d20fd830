"""Where a sweep's results live and what state each point is in; the JSON manifest.

Layout of an output directory (default ``results/<sweep name>/``)::

    <name>_<index>_<label><value>....h5     one result per point (atomic write, docs/format.md)
    <name>_<index>_....failed                one line: why that point failed (removed on success)
    <name>.manifest.json                     config hash -> result, status, error, wall time, values

A point is *done* when its result file is complete (:func:`asymflat.io.results.open_result`) and
the configuration stored in it hashes to the point's :attr:`~asymflat.batch.spec.Point.config_hash`.
The result files and ``.failed`` markers are the ground truth; the manifest is an index of them,
rewritten atomically by the one process that drives a sweep (or by ``asymflat sweep --status``).
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import re
import socket
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterable

from asymflat.batch.spec import Point, Sweep, config_hash
from asymflat.io import results as _io

MANIFEST_FORMAT = "asymflat-sweep-manifest"
MANIFEST_VERSION = 1
STATUSES: tuple[str, ...] = ("done", "failed", "pending")
_MAX_STEM = 120
_UNSAFE = re.compile(r"[^A-Za-z0-9_.+-]+")


@dataclass
class PointState:
    """What is known about one point: its status, result file, error line and wall time.

    ``status`` is ``"done"``, ``"failed"`` (invalid configuration or failed run; ``error`` says
    why) or ``"pending"`` (not run yet).
    """

    index: int
    config_hash: str
    status: str
    result: Path
    error: str = ""
    wall_time_s: float | None = None
    values: dict[str, Any] | None = None

    def manifest_entry(self, root: Path) -> dict[str, Any]:
        """The manifest's JSON object for this point (result path relative to ``root``)."""
        entry = asdict(self)
        entry.pop("config_hash")
        entry["result"] = os.path.relpath(self.result, root)
        return entry


# -- names ------------------------------------------------------------------------------------------

def result_path(sweep: Sweep, point: Point, outdir: str | Path) -> Path:
    """``<outdir>/<name>_<index>_<label><value>...h5`` (index zero-padded; labels are key tails)."""
    return Path(outdir) / (point_stem(sweep, point) + ".h5")


def point_stem(sweep: Sweep, point: Point) -> str:
    """File stem of a point's result: the sweep name, the index and the varied values."""
    width = max(3, len(str(len(sweep.points) - 1)))
    head = f"{sweep.name}_{point.index:0{width}d}"
    labels = _labels(sweep.keys)
    tail = "".join(f"_{labels[k]}{_slug(v)}" for k, v in point.values.items())
    return head + tail if len(head + tail) <= _MAX_STEM else head


def _labels(keys: Iterable[str]) -> dict[str, str]:
    """A short label per key: its last component (``grid.nphi`` -> ``nphi``); if two keys share
    it, the key without its section (``pulses0.amplitude``); failing that, the whole key."""
    keys = list(keys)
    for shorten in (lambda k: re.split(r"[.\]]", k)[-1], lambda k: k.split(".", 1)[-1], lambda k: k):
        labels = {k: _slug(shorten(k).replace("[", "").replace("]", "")) for k in keys}
        if len(set(labels.values())) == len(keys):
            return labels
    return labels


def _slug(value: Any) -> str:
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float):
        text = f"{value:g}"
    else:
        text = str(value) if not isinstance(value, (list, dict)) else json.dumps(value)
    return _UNSAFE.sub("~", text).strip("~") or "x"


def failed_marker(result: Path) -> Path:
    """``NAME.failed`` next to ``NAME.h5``: the one-line error of a failed point."""
    return result.with_suffix(".failed")


def manifest_path(sweep: Sweep, outdir: str | Path) -> Path:
    """``<outdir>/<name>.manifest.json``."""
    return Path(outdir) / f"{sweep.name}.manifest.json"


# -- state of a point -------------------------------------------------------------------------------

def stored_hash(path: Path) -> str | None:
    """Hash of the configuration stored in a complete result file, ``None`` if there is none."""
    try:
        f = _io.open_result(path)
    except _io.ResultFileError:
        return None
    try:
        return config_hash(str(f.attrs["config"]))
    except Exception:  # a file that opens but lacks the attribute is not ours to trust
        return None
    finally:
        f.close()


def stored_wall_time(path: Path) -> float | None:
    """``/summary`` attribute ``wall_time_s`` of a result file, if present."""
    try:
        with _io.open_result(path) as f:
            value = f["summary"].attrs.get("wall_time_s") if "summary" in f else None
    except _io.ResultFileError:
        return None
    return float(value) if value is not None else None


def is_done(path: Path, digest: str) -> bool:
    """Whether ``path`` is a complete result whose stored configuration hashes to ``digest``."""
    return path.is_file() and stored_hash(path) == digest


def sweep_states(sweep: Sweep, outdir: str | Path, manifest: dict[str, Any] | None = None) -> list[PointState]:
    """The state of every point, read from the result files, ``.failed`` markers and the manifest.

    A result found through the manifest under another name (e.g. after points were inserted
    into the sweep and the indices shifted) counts as done when its stored hash matches.
    """
    outdir = Path(outdir)
    if manifest is None:
        manifest = read_manifest(manifest_path(sweep, outdir))
    entries = manifest.get("points", {}) if isinstance(manifest, dict) else {}
    return [_state(sweep, p, outdir, entries.get(p.config_hash) or {}) for p in sweep.points]


def _state(sweep: Sweep, point: Point, outdir: Path, entry: dict[str, Any]) -> PointState:
    path = result_path(sweep, point, outdir)
    state = PointState(point.index, point.config_hash, "pending", path, values=dict(point.values))
    if not point.valid:
        state.status, state.error = "failed", f"invalid configuration: {point.error}"
        return state
    for candidate in _candidates(path, outdir, entry):
        if is_done(candidate, point.config_hash):
            state.status, state.result = "done", candidate
            state.wall_time_s = entry.get("wall_time_s") or stored_wall_time(candidate)
            return state
    marker = failed_marker(path)
    if marker.is_file():
        lines = marker.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        state.status = "failed"
        state.error = lines[0] if lines else "failed (no error recorded)"
        state.wall_time_s = entry.get("wall_time_s")
    return state


def _candidates(path: Path, outdir: Path, entry: dict[str, Any]) -> list[Path]:
    out = [path]
    recorded = entry.get("result")
    if isinstance(recorded, str):
        other = (outdir / recorded).resolve()
        if other != path.resolve():
            out.append(other)
    return out


def mark_failed(result: Path, error: str) -> None:
    """Write the one-line error of a failed point next to its result path."""
    result.parent.mkdir(parents=True, exist_ok=True)
    failed_marker(result).write_text(error.strip().splitlines()[0] + "\n" if error.strip() else "failed\n",
                                     encoding="utf-8")


def clear_failed(result: Path) -> None:
    """Remove a stale ``.failed`` marker (the point is being run again or has succeeded)."""
    failed_marker(result).unlink(missing_ok=True)


def remove_stale_temps(result: Path) -> list[Path]:
    """Remove ``.NAME.h5.tmp.PID`` files left by killed writers of ``result`` on this host.

    A temporary file is removed only if no process with its pid exists here; run this only
    when no other host can be writing the same result (one sweep driver, or one array task).
    """
    removed = []
    for tmp in result.parent.glob(f".{result.name}.tmp.*"):
        pid = tmp.name.rsplit(".", 1)[-1]
        if pid.isdigit() and not _pid_alive(int(pid)):
            tmp.unlink(missing_ok=True)
            removed.append(tmp)
    return removed


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# -- the manifest -----------------------------------------------------------------------------------

def read_manifest(path: str | Path) -> dict[str, Any]:
    """A manifest as a dict (``{}`` if missing or unreadable: it is rebuilt from the results)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) and data.get("format") == MANIFEST_FORMAT else {}


def write_manifest(sweep: Sweep, outdir: str | Path, states: list[PointState]) -> Path:
    """Write the manifest atomically (temporary file, fsync, rename); return its path."""
    path = manifest_path(sweep, outdir)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {
        "format": MANIFEST_FORMAT,
        "version": MANIFEST_VERSION,
        "sweep": sweep.name,
        "sweep_file": str(Path(sweep.source).resolve()) if sweep.source != "<string>" else sweep.source,
        "mode": sweep.mode,
        "varied": list(sweep.keys),
        "updated": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "counts": {s: sum(st.status == s for st in states) for s in STATUSES},
        "points": {st.config_hash: st.manifest_entry(path.parent) for st in states},
    }
    tmp = path.with_name(f".{path.name}.tmp.{socket.gethostname()}.{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=2, default=str)
        fh.write("\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return path


def refresh_manifest(sweep: Sweep, outdir: str | Path) -> list[PointState]:
    """Rebuild the manifest from the result files and ``.failed`` markers; return the states."""
    states = sweep_states(sweep, outdir)
    write_manifest(sweep, outdir, states)
    return states
