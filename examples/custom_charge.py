"""A custom BMS3 charge Q[T, Y] on every cut of scri+ and, with the linked generator, of scri-.

Uses runs/vacuum_supertranslated_minkowski_a.toml (Minkowski in a frame supertranslated by
|n| = 2, 3 modes, 1 s): there Q[cos 3phi, cos 2phi] is not zero by symmetry (on the circular
default run it is, ~1e-17), and it matches across i0.  Closed form for supertranslated Minkowski
(tests/test_result_api.py): Q[0, Y] = -(1/8 pi G) oint alpha (Y' + Y'''), with
alpha = 0.5 cos 2phi + 0.2 sin 2phi - 0.3 sin 3phi and Y = cos 2phi: -6 * 0.2 pi / (8 pi) = -0.15
(T = cos 3phi adds nothing: Theta = -1).  Runs from any directory.
"""
import os
from pathlib import Path

import numpy as np

import asymflat

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(os.environ.get("ASYMFLAT_RESULTS", ROOT / "results"))  # where results are read/written
RESULTS.mkdir(parents=True, exist_ok=True)  # asymflat.run refuses a missing output directory
CONFIG = ROOT / "runs" / "vacuum_supertranslated_minkowski_a.toml"
RESULT = RESULTS / "vacuum_supertranslated_minkowski_a.h5"

r = asymflat.load(RESULT) if RESULT.exists() else asymflat.run(CONFIG, RESULT)
with r:
    T = lambda phi: np.cos(3 * phi)            # a supertranslation (|n| = 3)
    Y = {2: 0.5, -2: 0.5}                       # the superrotation cos(2 phi), as Fourier coefficients
    q_plus = r.scri_plus.charge(T=T, Y=Y)
    # the generator linked across i0 is (T, Y) composed with phi -> phi + pi (docs/conventions.md §6)
    q_minus = r.scri_minus.charge(T=lambda phi: T(phi + np.pi), Y=lambda phi: np.cos(2 * (phi + np.pi)))
    print(f"{RESULT.name}: {r.config.get('title', '')}")
    print("Q+[cos 3phi, cos 2phi] at u =", r.scri_plus.u[0], ":", q_plus[0])
    print("Q-[linked]           at v =", r.scri_minus.v[-1], ":", q_minus[-1])
    print("difference (matching):", q_plus[0] - q_minus[-1], "  closed form: -0.15")
    for name, values in r.scri_plus.poincare_charges().items():
        print(f"{name:>4} = {values[0]: .6e}")
