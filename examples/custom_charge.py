"""A custom BMS3 charge Q[T, Y] on every cut of scri+ and, with the linked generator, of scri-."""
import numpy as np

import asymflat

with asymflat.load("results/default.h5") as r:
    T = lambda phi: np.cos(3 * phi)            # a supertranslation (|n| = 3)
    Y = {2: 0.5, -2: 0.5}                       # the superrotation cos(2 phi), as Fourier coefficients
    q_plus = r.scri_plus.charge(T=T, Y=Y)
    # the generator linked across i0 is (T, Y) composed with phi -> phi + pi (docs/conventions.md §6)
    q_minus = r.scri_minus.charge(T=lambda phi: T(phi + np.pi), Y=lambda phi: np.cos(2 * (phi + np.pi)))
    print("Q+[cos 3phi, cos 2phi] at u =", r.scri_plus.u[0], ":", q_plus[0])
    print("Q-[linked]           at v =", r.scri_minus.v[-1], ":", q_minus[-1])
    print("difference (matching):", q_plus[0] - q_minus[-1])
    for name, values in r.scri_plus.poincare_charges().items():
        print(f"{name:>4} = {values[0]: .6e}")
