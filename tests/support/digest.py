"""Digests of result files: what "bit-identical" means for a refactor (issue 18).

A result's digest is the SHA-256 of every dataset (name, dtype, shape, bytes) and of every
attribute of ``/diagnostics/checks/*``, ``/summary`` and ``/memory``, except the attributes that
record *when* or *how fast* a run ran (``wall_time_s`` and friends, see :data:`VOLATILE`) and the
root provenance (``git_commit``, ``created``, ``checksum``), and of ``/incoming``'s provenance only the
source's file name (its directory says where the run was made) and not ``source_sha256`` (the bytes of
the source file: for ``incoming_from`` a result carrying its own creation time; the table the run used
is hashed as the group's datasets, and ``source_checksum`` is the source result's content). Per-group digests are kept beside the
total so a mismatch says where it is.

Digests depend on the platform (CPU, numpy/numba versions: the floating-point round-off of the
kernels), so ``tests/digests/runs.json`` records the platform it was made on and the slow test that
compares against it skips elsewhere.

Usage::

    python tests/support/digest.py make RESULTS_DIR -o tests/digests/runs.json   # store
    python tests/support/digest.py compare RESULTS_DIR tests/digests/runs.json  # compare
"""
from __future__ import annotations

import argparse
import hashlib
import json
import platform
import re
import sys
from pathlib import Path

import h5py
import numpy as np

#: Attribute names that say when or how fast a run ran: never part of a digest.
VOLATILE = ("wall_time", "elapsed", "seconds", "_time_s", "timing", "threads_used", "compile")


def _volatile(name: str) -> bool:
    return any(v in name for v in VOLATILE)


#: HDF5 dimension-scale attributes hold object references (file addresses, which move with the
#: layout of unrelated data): they are hashed by the names they point to.
_SCALE_BOOKKEEPING = ("REFERENCE_LIST", "DIMENSION_LIST")


def _scale_links(f: h5py.File, obj, key: str) -> list:
    if key == "DIMENSION_LIST":
        return [[d.name for d in obj.dims[i].values()] for i in range(len(obj.dims))]
    return sorted((f[ref].name, int(axis)) for ref, axis in obj.attrs[key])


def _hash_value(h, value) -> None:
    a = np.asarray(value)
    h.update(str(a.dtype).encode())
    h.update(str(a.shape).encode())
    if a.dtype.kind in "OSU":
        h.update(repr(a.tolist()).encode())
    else:
        h.update(np.ascontiguousarray(a).tobytes())


#: ``incoming = "DIR/FILE"`` / ``incoming_from = "DIR/FILE"`` in a stored configuration: the directory is
#: where the input lay when the run was made (the configuration's directory joined to the path written in it,
#: asymflat/config.py ``resolve_paths``), provenance like ``git_commit``; the input's content is in the file
_INPUT_PATH = re.compile(r'^(incoming(?:_from)? = ")[^"\n]*/', re.MULTILINE)


def _without_input_dirs(config) -> str:
    """The stored configuration text with the directories of its input-file paths removed."""
    text = config.decode() if isinstance(config, bytes) else str(config)
    return _INPUT_PATH.sub(r"\1", text)


def _file_name(value) -> str:
    """A path attribute reduced to its file name (the directory says where the run was made)."""
    return Path(str(value)).name


#: Provenance attributes, by (object name, attribute; "" is the file's root): ``None`` leaves one out of
#: the digest, a function hashes what it returns.  The root's ``git_commit``, ``created`` and
#: ``checksum`` say which code made the file and when; ``config``'s input paths lose their directories;
#: ``/incoming``'s ``source`` is hashed by file name and its ``source_sha256`` left out (module doc).
PROVENANCE = {("", "git_commit"): None, ("", "created"): None, ("", "checksum"): None,
              ("", "config"): _without_input_dirs,
              ("incoming", "source"): _file_name, ("incoming", "source_sha256"): None}


def file_digest(path: str | Path) -> dict[str, str]:
    """Per-top-level-group SHA-256 digests of a result file, plus ``"total"``."""
    groups: dict[str, hashlib._Hash] = {}

    def group_of(name: str) -> hashlib._Hash:
        top = name.split("/", 1)[0]
        return groups.setdefault(top, hashlib.sha256())

    with h5py.File(path, "r") as f:
        items: list[tuple[str, object]] = []
        f.visititems(lambda n, o: items.append((n, o)))
        for name, obj in sorted(items, key=lambda t: t[0]):
            h = group_of(name)
            if isinstance(obj, h5py.Dataset):
                h.update(b"D" + name.encode())
                _hash_value(h, obj[()])
            for key in sorted(obj.attrs):
                if key in ("units", "description") and isinstance(obj, h5py.Dataset):
                    continue
                how = PROVENANCE.get((name, key), _hash_value)
                if _volatile(key) or how is None:
                    continue
                h.update(b"A" + f"{name}@{key}".encode())
                if how is not _hash_value:
                    _hash_value(h, how(obj.attrs[key]))
                elif key in _SCALE_BOOKKEEPING:
                    h.update(repr(_scale_links(f, obj, key)).encode())
                else:
                    _hash_value(h, obj.attrs[key])
        root = hashlib.sha256()
        for key in sorted(f.attrs):
            how = PROVENANCE.get(("", key), _hash_value)
            if _volatile(key) or how is None:
                continue
            root.update(key.encode())
            _hash_value(root, f.attrs[key] if how is _hash_value else how(f.attrs[key]))
        groups["/"] = root
    out = {k: v.hexdigest() for k, v in sorted(groups.items())}
    total = hashlib.sha256("".join(f"{k}={v}" for k, v in out.items()).encode())
    out["total"] = total.hexdigest()
    return out


def platform_tag() -> dict[str, str]:
    """What the stored digests depend on."""
    import numba

    from llvmlite import binding

    # the CPU model name alone is not enough: two "AMD EPYC" machines of other microarchitectures
    # (measured: session 8's digests against this znver3 host) differ in every run, since numba
    # compiles for the host's instruction set (LLVM's host CPU name: znver3, znver4, ...)
    return {"machine": platform.machine(), "processor": _cpu_model(), "llvm_cpu": binding.get_host_cpu_name(),
            "python": platform.python_version(), "numpy": np.__version__, "numba": numba.__version__}


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def directory_digests(results: Path) -> dict[str, dict[str, str]]:
    return {p.stem: file_digest(p) for p in sorted(Path(results).glob("*.h5"))}


def compare(found: dict[str, dict[str, str]], stored: dict[str, dict[str, str]]) -> list[str]:
    """Lines naming each run (and group) whose digest differs, or that is missing."""
    bad = []
    for run, want in stored.items():
        got = found.get(run)
        if got is None:
            bad.append(f"{run}: no result")
            continue
        diff = [g for g in want if got.get(g) != want[g] and g != "total"]
        if diff or got.get("total") != want.get("total"):
            bad.append(f"{run}: differs in {', '.join(diff) or 'total'}")
    return bad


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    mk = sub.add_parser("make")
    mk.add_argument("results", type=Path)
    mk.add_argument("-o", "--output", type=Path, required=True)
    cp = sub.add_parser("compare")
    cp.add_argument("results", type=Path)
    cp.add_argument("stored", type=Path)
    a = ap.parse_args(argv)
    found = directory_digests(a.results)
    if a.cmd == "make":
        a.output.write_text(json.dumps({"platform": platform_tag(), "runs": found}, indent=1) + "\n")
        print(f"{len(found)} digests -> {a.output}")
        return 0
    stored = json.loads(a.stored.read_text())
    bad = compare(found, stored["runs"])
    for line in bad:
        print(line)
    print(f"{len(stored['runs']) - len(bad)} of {len(stored['runs'])} runs bit-identical")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
