"""Minkowski space seen from an accelerated and/or rotating vertex worldline (solution (a')).

Reference: ``bondi-equations.md`` §4 (U_c = omega + a sin phi - b cos phi) and §6 (a').

    beta = 0,   U = omega(u) + a1(u) sin(phi) - a2(u) cos(phi),
    V = -r - 2 r^2 (a1(u) cos(phi) + a2(u) sin(phi)),

is exactly flat (all E_ab = 0, verified symbolically in ``tests/test_exact_flat_frames.py``) for
arbitrary functions a1(u), a2(u), omega(u): (a1, a2) is the acceleration of the central worldline
in the angular frame, omega the angular velocity of that frame.  In code variables

    calW = V/r + 2 r U_phi = -1,     Qbar = r^3 e^{-2 beta} U_r + 2 r beta_phi = 0,

everywhere, so the scri+ values in the code frame are beta0 = 0, U0 = U (r-independent),
calW|scri = -1, Qbar|scri = 0: a non-Bondi frame (U0 != 0) with trivial calW.

Parameters a1, a2, omega may be floats or callables of u (vectorised).
"""
from __future__ import annotations

import numpy as np

__all__ = ["fields", "code_frame_fields", "scri_code_frame"]


def _val(f, u):
    return f(u) if callable(f) else f


def fields(u, r, phi, a1=0.0, a2=0.0, omega=0.0):
    """beta, U, V on (u, r, phi) (numpy broadcasting).

    Returns
    -------
    dict with 'beta', 'U', 'V', 'W' (= V/r), 'Wc' (= calW), 'Qbar'.
    """
    u = np.asarray(u, dtype=float)
    r = np.asarray(r, dtype=float)
    phi = np.asarray(phi, dtype=float)
    A1, A2, Om = _val(a1, u), _val(a2, u), _val(omega, u)
    U = Om + A1 * np.sin(phi) - A2 * np.cos(phi)
    shape = np.broadcast(u, r, phi).shape
    U = np.broadcast_to(U, shape).copy()
    W = np.broadcast_to(-1.0 - 2.0 * r * (A1 * np.cos(phi) + A2 * np.sin(phi)), shape).copy()
    return {"beta": np.zeros(shape), "U": U, "V": r * W, "W": W,
            "Wc": -np.ones(shape), "Qbar": np.zeros(shape)}


def code_frame_fields(u, x, phi, R, a1=0.0, a2=0.0, omega=0.0):
    """The hierarchy variables on a compactified grid x = r/(R + r) (x = 1 allowed).

    Parameters
    ----------
    u : float
    x : array_like (Nx,), phi : array_like (Nphi,)
    R : float

    Returns
    -------
    dict of (Nx, Nphi) arrays: 'beta' (0), 'U', 'Wc' (-1), 'Qbar' (0), 'b' = beta/x^2 (0),
    'q' = Qbar/x^3 (0).  All are finite at x = 1.
    """
    x = np.asarray(x, dtype=float)[:, None]
    phi = np.asarray(phi, dtype=float)[None, :]
    A1, A2, Om = _val(a1, u), _val(a2, u), _val(omega, u)
    shape = (x.shape[0], phi.shape[1])
    U = np.broadcast_to(Om + A1 * np.sin(phi) - A2 * np.cos(phi), shape).copy()
    z = np.zeros(shape)
    return {"beta": z, "U": U, "Wc": -np.ones(shape), "Qbar": z.copy(), "b": z.copy(), "q": z.copy()}


def scri_code_frame(u, phi, a1=0.0, a2=0.0, omega=0.0):
    """Code-frame values at scri+: dict 'beta0' (0), 'U0' = omega + a1 sin - a2 cos,
    'Wc' (calW|scri = -1), 'Qbar' (Qbar|scri = 0)."""
    u = np.asarray(u, dtype=float)
    phi = np.asarray(phi, dtype=float)
    A1, A2, Om = _val(a1, u), _val(a2, u), _val(omega, u)
    U0 = Om + A1 * np.sin(phi) - A2 * np.cos(phi)
    shape = np.broadcast(u, phi).shape
    return {"beta0": np.zeros(shape), "U0": np.broadcast_to(U0, shape).copy(),
            "Wc": -np.ones(shape), "Qbar": np.zeros(shape)}
