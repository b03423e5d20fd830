"""The time-reversal closure S T S = T of two scattering runs (issue 21): run A with incoming D, run B
with ``incoming_from = A``; B's outgoing data reflected must equal D.

:func:`closed_loop` follows B's stored configuration to A (``scattering.incoming_from``, the path as
resolved when B was made, i.e. relative to the directory it was run from, docs/conventions.md
section 11.1), checks that A is the file B was made from (the SHA-256 in B's ``/incoming`` group),
takes D from A's ``/incoming`` group (the table A used; results made before that group existed:
A's ``scattering.incoming`` file) and returns D and T psi0+_B on D's nodes (B's
/scri_plus_final_frame, reflected, carried onto D's angles, 6-point interpolant in v).
The residual max |T psi0+_B - D| / max |D| is measured in tests/test_scattering_incoming.py.
"""
from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np

from asymflat._toml import tomllib
from asymflat.incoming.reverse import reflected_result
from asymflat.incoming.sampling import psi0_at, resample_phi
from asymflat.incoming.table import IncomingData, IncomingDataError


def _scattering_key(result: str | Path, key: str) -> str:
    with h5py.File(result, "r") as f:
        cfg = tomllib.loads(str(f.attrs.get("config", "")))
    value = (cfg.get("scattering") or {}).get(key, "")
    if not value:
        raise IncomingDataError(f"{result}: not a scattering run with scattering.{key}")
    return value


def loop_output(D: IncomingData, B: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """(v, T psi0+_B) on the nodes of D inside the range of B's reflected output."""
    back = resample_phi(reflected_result(B)[0], len(D.phi))
    sel = (D.v >= back.v[0]) & (D.v <= back.v[-1])
    return D.v[sel], psi0_at(back, np.broadcast_to(D.v[sel, None], (int(sel.sum()), len(D.phi))))


def stored_incoming(result: str | Path) -> tuple[IncomingData | None, dict]:
    """The ``/incoming`` table of a scattering result and its attributes ((None, {}) without one)."""
    from asymflat.io.incoming import read_table

    with h5py.File(result, "r") as f:
        g = f.get("incoming")
        if g is None:
            return None, {}
        return read_table(g, f"{result}:/incoming"), dict(g.attrs)


def closed_loop(B: str | Path) -> tuple[IncomingData, np.ndarray, np.ndarray]:
    """(D, v, T psi0+_B) for the closure run ``B`` (module doc); IncomingDataError when B is not
    the second run of a closure pair, a file on the way is missing, or A is not the file B was
    made from."""
    from asymflat.io import incoming
    from asymflat.pipeline.incoming_input import file_sha256

    A = _scattering_key(B, "incoming_from")
    if not Path(A).is_file():
        raise IncomingDataError(f"{B}: scattering.incoming_from = {A}: no such file")
    _, b_attrs = stored_incoming(B)
    want = b_attrs.get("source_sha256")
    if want is not None and file_sha256(A) != want:
        raise IncomingDataError(f"{B}: scattering.incoming_from = {A}: not the file this run was made from "
                                f"(SHA-256 {file_sha256(A)[:12]}..., the run's /incoming says {str(want)[:12]}...)")
    D, _ = stored_incoming(A)
    if D is None:
        D = incoming.read(_scattering_key(A, "incoming"))
    v, loop = loop_output(D, B)
    return D, v, loop


def closure_residual(D: IncomingData, v: np.ndarray, loop: np.ndarray) -> float:
    """max |T psi0+_B - D| / max |D| on the common nodes ``v``."""
    sel = np.isin(D.v, v)
    return float(np.abs(loop - D.psi0[sel]).max() / np.abs(D.psi0).max())
