"""Incoming data from a previous scattering result: its outgoing psi0+ time-reflected (issue 21).

The outgoing radiation field is read from ``/scri_plus_final_frame`` (docs/format.md: psi0+ on the
Bondi cuts of the frame in which i+ is standard Minkowski, docs/conventions.md section 11) and
reflected by :func:`asymflat.incoming.reflect.time_reflect` (v = -u_B, same angle, conventions
section 5), with the tail laws fitted at both ends (the 1/u tails of 2+1 radiation) -- so a run
started from it starts from a standard i- vacuum.  One code path for ``scattering.incoming_from``
and ``asymflat reverse``.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from asymflat.incoming.reflect import time_reflect
from asymflat.incoming.table import IncomingData, IncomingDataError

#: safety factor on the source run's error estimate (asymflat.pipeline.estimates.SAFETY)
SAFETY = 3.0
#: the tail law of outgoing radiation: law (a), p = 1, at both ends (asymflat/incoming/tails.py: the
#: free map turns integrable incoming data into -(1/pi) sum_k u^-k moments).  Fitting both powers
#: let a run's truncation error pick p = 1/2 at late u (measured: nx = 129, 193 chose 1/2 with
#: residual 4.8e-4, 9.2e-7; nx = 257 chose 1), and the wrong law leaves a spurious offset in the
#: reflected data (tests/test_scattering_incoming.py has the closure with both)
OUTGOING_TAIL_POWERS = (1.0,)

GROUP = "scri_plus_final_frame"


def reflected_result(path: str | Path) -> tuple[IncomingData, float]:
    """T psi0+ of the result at ``path`` (module doc) and the tail-law tolerance it supports.

    The tolerance is SAFETY x the run's own shadow-grid estimate of its psi0+ error
    (``psi0_error_estimate`` of the group) relative to max |psi0+|: the fitted tail cannot be asked
    to reproduce the data better than they are known (asymflat.incoming.table.check ``tail_tol``).
    Raises IncomingDataError, one line naming the file: not a complete result, no
    /scri_plus_final_frame group, or a group whose data are not carried (status other than 'ok')."""
    from asymflat.io.results import ResultFileError, open_result

    p = Path(path)
    try:
        f = open_result(p)
    except ResultFileError as exc:
        raise IncomingDataError(str(exc)) from None
    with f:
        g = f.get(GROUP)
        if g is None:
            raise IncomingDataError(f"{p}: no /{GROUP} group (kind = {f.attrs.get('kind')!r}): only scattering "
                                    "results written by this asymflat carry the outgoing data in the final-vacuum "
                                    "frame")
        status = str(g.attrs.get("status", "ok"))
        if status != "ok" or "psi0" not in g:
            raise IncomingDataError(f"{p}: /{GROUP} has no carried data ({status})")
        u = np.asarray(g["u"][()], dtype=float)
        phi = np.asarray(g["phi"][()], dtype=float)
        psi0 = np.asarray(g["psi0"][()], dtype=float)
        est = float(g.attrs.get("psi0_error_estimate", np.nan))
    tol = SAFETY * est / max(float(np.max(np.abs(psi0))), 1e-300) if np.isfinite(est) else 0.0
    return time_reflect(u, phi, psi0, f"{p} (reflected /{GROUP}/psi0)", powers=OUTGOING_TAIL_POWERS), tol


def register(sub) -> None:
    """``asymflat reverse RESULT.h5 -o incoming.h5`` (asymflat.cli extension)."""
    r = sub.add_parser("reverse", help="write a scattering result's outgoing data, time-reflected, as incoming data")
    r.add_argument("result", help="scattering result with /scri_plus_final_frame")
    r.add_argument("-o", "--output", required=True, help="incoming-data file to write (docs/format.md)")
    r.set_defaults(func=_cmd_reverse)


def _cmd_reverse(args) -> int:
    from asymflat.incoming.table import check
    from asymflat.io import incoming

    data, tol = reflected_result(args.result)
    check(data, tail_tol=tol)
    law = ", ".join(f"{end}: {'none' if l is None else f'power {l.power:g}'}"
                    for end, l in (("early", data.early), ("late", data.late)))
    path = incoming.write(args.output, data, f"time-reflected /{GROUP}/psi0 of {args.result} (v = -u_B; "
                          f"tails {law})", tail_tol=tol)
    print(f"wrote {path} (v in [{data.v[0]:g}, {data.v[-1]:g}], {len(data.phi)} angles; tails {law})")
    return 0
