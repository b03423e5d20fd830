"""Recover the BMS3 frame (F, gamma) of a vacuum state on the Minkowski orbit (reference §6.2).

``F`` (mod Moebius) from Hill's equation (:func:`hill.recover_superrotation`); ``gamma`` from

    Xi = D_Theta gamma = gamma' Theta + gamma Theta'/2 - gamma'''.

On ``Theta = -1`` this is ``gamma' + gamma''' = -Xi``, solved per Fourier mode:
``gamma_m = i Xi_m / (m (1 - m^2))`` for ``|m| >= 2``; the ``|m| <= 1`` modes of Xi are the
obstruction (angular momentum and boost charges; they must vanish on the orbit) and are reported;
the ``|m| <= 1`` modes of gamma (translations) are set to zero.

General ``Theta`` on the Minkowski orbit: by equivariance (reference §2.4, check4)
``D_{Theta_F}(g o F / F') = F'^2 (D_{-1} g) o F``, so ``g`` solves
``D_{-1} g = (Xi / F'^2) o F^{-1}`` on the Minkowski frame and ``gamma = (g o F)/F'``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .diffeo import CircleDiffeo
from .hill import recover_superrotation
from .spectral import TWO_PI, TrigSeries, fourier_modes, from_modes, mode_numbers, phi_grid


@dataclass
class SupertranslationRecovery:
    gamma: np.ndarray  #: on the grid
    obstruction: dict  #: Xi-modes m = -1, 0, 1 (in the Minkowski frame) that must vanish


def solve_minkowski_supertranslation(xi: np.ndarray) -> SupertranslationRecovery:
    """Solve ``gamma' + gamma''' = -Xi`` (``Theta = -1``) per Fourier mode."""
    xi = np.asarray(xi, dtype=float)
    n = xi.shape[-1]
    c = fourier_modes(xi)
    m = mode_numbers(n).astype(float)
    g = np.zeros_like(c)
    sel = np.abs(m) >= 2
    if n % 2 == 0:
        sel[n // 2] = False  # Nyquist: no unambiguous odd-derivative inverse
    g[sel] = 1j * c[sel] / (m[sel] * (1.0 - m[sel] ** 2))
    obstruction = {int(k): complex(c[int(k) % n]) for k in (-1, 0, 1)}
    return SupertranslationRecovery(from_modes(g), obstruction)


def inverse_on_grid(F: CircleDiffeo, psi: np.ndarray, tol: float = 1e-15, maxiter: int = 60) -> np.ndarray:
    """``F^{-1}(psi)`` by safeguarded Newton iteration (F a circle diffeomorphism)."""
    psi = np.asarray(psi, dtype=float)
    x = psi - (F(psi) - psi)  # first guess
    for _ in range(maxiter):
        dx = (F(x) - psi) / F.d(x, 1)
        x = x - dx
        if np.max(np.abs(dx)) < tol * TWO_PI:
            break
    return x


def inverse_diffeo(F: CircleDiffeo) -> CircleDiffeo:
    """``F^{-1}`` with closed-form derivatives: ``x = F^{-1}(y)`` by Newton
    :func:`inverse_on_grid`, then, with ``a, b, c, d = F', F'', F''', F''''``
    at x,

        (F^-1)' = 1/a,  (F^-1)'' = -b/a^3,  (F^-1)''' = 3 b^2/a^5 - c/a^4,
        (F^-1)'''' = -d/a^5 + 10 b c/a^6 - 15 b^3/a^7

    (round-off accurate; a Fourier interpolant of ``F^{-1}`` on a grid amplifies the round-off of
    its values by ``(n/2)^3`` in S[F^{-1}]: 1.9e-9 on 512 points, measured)."""

    def derivs(y: np.ndarray, kmax: int) -> list:
        x = inverse_on_grid(F, y)
        fx = F.all_derivs(x, max(kmax, 1))
        a = fx[1]
        out = [x, 1.0 / a]
        if kmax >= 2:
            out.append(-fx[2] / a**3)
        if kmax >= 3:
            out.append(3.0 * fx[2] ** 2 / a**5 - fx[3] / a**4)
        if kmax >= 4:
            out.append(-fx[4] / a**5 + 10.0 * fx[2] * fx[3] / a**6 - 15.0 * fx[2] ** 3 / a**7)
        return out[: kmax + 1]

    return CircleDiffeo(derivs, F.period_shift, f"({F.label})^-1")


def recover_frame(theta: np.ndarray, xi: np.ndarray):
    """``(F, gamma, info)`` with ``(Theta, Xi) = (F, gamma) . (-1, 0)`` (F mod Moebius).

    ``info`` holds the Hill result, ``theta_residual = max |-F'^2 - 2S[F] - Theta|`` and the
    obstruction modes of Xi in the Minkowski frame.
    """
    theta = np.asarray(theta, dtype=float)
    xi = np.asarray(xi, dtype=float)
    n = theta.shape[-1]
    F, theta_check, res = recover_superrotation(theta)
    x = phi_grid(n)
    xinv = inverse_on_grid(F, x)
    xi_s = TrigSeries.from_grid(xi)
    h = xi_s(xinv) / F.d(xinv, 1) ** 2  # (Xi / F'^2) o F^{-1} on the grid
    # D_{-1} g = -(g' + g''') = h  ->  g' + g''' = -h
    sol = solve_minkowski_supertranslation(h)
    g = TrigSeries.from_grid(sol.gamma)
    gamma = g(F(x)) / F.d(x, 1)
    info = {
        "hill": res,
        "theta_residual": float(np.max(np.abs(theta_check - theta))),
        "obstruction": sol.obstruction,
    }
    return F, gamma, info
