"""The superrotation between the scri+ frame of the first cut and the frame matched at i0.

Run kind ``scattering`` reads Theta+, Xi+ at i0 in the Bondi frame of its first cone's cut
(``A(u0) = u0, B = phi``: the light-cone frame of the vertex near i-, asymflat/scri/frame.py).  The
scri- data come from the same cone relabelled (asymflat/scri/minus.py).  In circular symmetry the
two frames are linked by the antipodal map alone (docs/conventions.md §6.1).  Off circular symmetry
they differ at O(G) by a superrotation, derived here to first order in G (docs/conventions.md §6.2).

Derivation (first order in G, first cone u0 -> -inf; bondi-equations.md §1.1 H1-H3, §3.4).  The
incoming radiation crosses the cone at r_k ~ |u0|/2 with Phi = sqrt(r) psi ~ Phi0(v, phi),
v = u0 + 2r (the ray with scri- label phi sits at position angle phi: conventions.md §5).  With
E(phi) = int dv (d_v Phi0)^2:

* H1: beta0 = 4 pi G int r psi_r^2 dr = 8 pi G E(phi)     (psi_r = 2 d_v Phi0 / sqrt(r));
* H2: Qbar_r = 16 pi G (2 r Phi_r - Phi) Phi_{r phi}, so behind the pulse Qbar = 32 pi G r_k E'
  (plus a total derivative that vanishes behind the pulse);
* H3: r calW_r = e^{2 beta}[8 pi G psi_phi^2 + Qbar_phi/r + Qbar^2/(2 r^2)], so at scri+
  calW + 1 = int_{r_k} dr Qbar_phi / r^2 = 32 pi G E'' = 4 beta0'' (the psi_phi^2 term is O(1/r_k));
* first cut (B = phi): Theta+_lc = e^{-2 beta0} calW = -1 + 2 beta0 + 4 beta0'';
* scri- flux law: Theta-(phi) = -1 + 16 pi G E(phi) = -1 + 2 beta0(phi).

Hence Theta+_lc - Theta-(phi + pi) = 2 (beta0 - beta0 o A) + 4 beta0'', whose modes n = 0, +-1 vanish
(energy and momentum match at O(G)) and whose |n| >= 2 part is the infinitesimal superrotation of
Theta = -1, delta_Y Theta = -2 (Y' + Y'''), with

    Y' + Y''' = 2 beta0'' + beta0 - beta0 o A,   i.e.   Y'_m = 2 beta0_m r(m),
    r(m) = 1 (odd m),   r(m) = m^2 / (m^2 - 1) (even |m| >= 2).

The link is the finite superrotation phi_old = F(phi_new), F' = exp(Y') / <exp(Y')> (exact at O(G);
the exponential is a choice beyond).  Checked on the evolved first cone (calW + 1 - 4 beta0'' and
Theta- + 1 - 2 beta0 are O(G^2) while calW + 1 and Theta- + 1 are O(G)) and on the matching residuals
(three- and two-pulse data: needed/predicted per mode 1.006, 1.019, 1.003 for n = 3, 5, 7 and 1.345,
1.063, 1.035 against the law's 1.333, 1.067, 1.029 for n = 2, 4, 6), tests/test_scattering_link.py.
The supertranslation part of the link (time origin, translations; hence J and K) is second order in
the aspects and not modelled: the boost charges in this frame are not meaningful.

Measured effect (three off-centre pulses, G = 0.02 / 0.01 / 0.005, u0 = -32, residual / E_rad):
E 6.5e-2 / 3.1e-2 / 1.5e-2 -> -1.9e-3 / -1.5e-3 / -9.6e-4, p_y -7.4e-2 / -3.7e-2 / -1.9e-2 ->
9.7e-3 / 3.1e-3 / 1.1e-3; |n| >= 2 Theta residuals from first to second order in G.
"""
from __future__ import annotations

import numpy as np

from asymflat.bms3.action import finite_action
from asymflat.bms3.diffeo import CircleDiffeo, from_derivative, from_grid
from asymflat.bms3.spectral import mode_numbers

__all__ = ["stretch_rate", "first_cone_superrotation", "to_linked_frame"]


def stretch_rate(beta0: np.ndarray) -> np.ndarray:
    """``Y'`` of the link on the grid, the solution of ``Y' + Y''' = 2 beta0'' + beta0 - beta0(phi + pi)``:
    ``Y'_m = 2 beta0_m r(m)`` (module doc), mean removed."""
    b = np.asarray(beta0, dtype=float)
    if b.ndim != 1 or b.size < 4 or not np.all(np.isfinite(b)):
        raise ValueError(f"beta0: a finite 1D grid array of size >= 4 is needed (got shape {b.shape})")
    n = b.size
    m = np.abs(mode_numbers(n)).astype(float)
    r = np.ones(n)
    even = (m % 2 == 0) & (m >= 2)
    r[even] = m[even] ** 2 / (m[even] ** 2 - 1.0)
    c = np.fft.fft(2.0 * b) * r
    c[0] = 0.0
    return np.real(np.fft.ifft(c))


def first_cone_superrotation(beta0: np.ndarray) -> CircleDiffeo:
    """``F`` with ``F' = exp(Y')/<exp(Y')>`` and ``F(0) - 0`` the mean-free integral (module doc)."""
    fp = np.exp(stretch_rate(beta0))
    return from_derivative(fp / np.mean(fp), anchor="mean", label="first-cone superrotation")


def to_linked_frame(theta: np.ndarray, xi: np.ndarray, beta0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(Theta, Xi) of the first scri+ cut carried by :func:`first_cone_superrotation` (no supertranslation)."""
    theta = np.asarray(theta, dtype=float)
    if np.shape(beta0) != theta.shape:
        raise ValueError(f"beta0 has shape {np.shape(beta0)}, theta {theta.shape}: give one grid")
    return finite_action(theta, xi, first_cone_superrotation(beta0))


def matched_frame(theta_plus: np.ndarray, xi_plus: np.ndarray, theta_target: np.ndarray,
                  xi_target: np.ndarray) -> dict:
    """The BMS3 map ``(G, alpha)`` that carries the first scri+ cut onto the antipodally mapped scri- cut.

    Both cuts are one massive (elliptic) coadjoint orbit seen in two frames (their Hill traces and rest-frame
    angular momenta agree, asymflat/bms3/invariants.py).  With ``Theta+ = F+ . (-mu^2)`` and
    ``Theta_target = F- . (-mu^2)`` (:func:`asymflat.bms3.hill.recover_elliptic_superrotation`), the
    superrotation is ``G = F+^{-1} o R o F-`` with ``R`` the rest-frame rotation that makes ``G`` closest to
    the identity (the stabiliser is the only freedom); the supertranslation ``alpha`` solves
    ``D_{Theta_target} alpha = Xi_target - Xi(G)``, solved in the rest frame where the operator is diagonal
    (``alpha = beta(F-)/F-'``, ``(D_{-mu^2} beta)_k = i k (k^2 - mu^2) beta_k``; the k = 0 part of the right
    side is the J_rest mismatch, left in ``xi_residual``; beta_0, the rest-frame time translation, is 0).

    This is the frame in which the i0 data match antipodally *exactly* (the prescription of
    physics-bms3.md §4.1, a choice for a massive i0 state): memory measured relative to it is defined at
    every order in G.  At first order in G its superrotation is :func:`first_cone_superrotation` (derived;
    ``G_minus_link`` reports the difference, second order).

    Returns a dict with ``G`` (CircleDiffeo), ``alpha`` (grid), ``theta_residual``, ``xi_residual``
    (max abs after the map), ``mu_plus``, ``mu_minus``.
    """
    from asymflat.bms3.hill import recover_elliptic_superrotation
    from asymflat.bms3.recovery import inverse_on_grid
    tp, xp = np.asarray(theta_plus, float), np.asarray(xi_plus, float)
    tt, xt = np.asarray(theta_target, float), np.asarray(xi_target, float)
    n = tp.size
    x = 2.0 * np.pi * np.arange(n) / n
    Fp, mup, _, _ = recover_elliptic_superrotation(tp)
    Fm, mum, _, _ = recover_elliptic_superrotation(tt)
    d = Fp(x) - Fm(x)
    rot = float(np.angle(np.mean(np.exp(1j * d))))  # circular mean: G closest to the identity
    xf = 2.0 * np.pi * np.arange(4 * n) / (4 * n)  # G = Fp^-1 o Fm decays slower than either: sample finer
    G = from_grid(inverse_on_grid(Fp, Fm(xf) + rot) - xf, "matched-frame superrotation")
    th1, xi1 = finite_action(tp, xp, G)
    # supertranslation: D_{Fm.Theta0} alpha = Fm'^2 (D_{Theta0} beta)(Fm) with alpha = beta(Fm)/Fm' (alpha
    # is a vector field), and D_{-mu^2} is diagonal: (D beta)_k = i k (k^2 - mu^2) beta_k
    from asymflat.bms3.spectral import TrigSeries

    r = TrigSeries.from_grid(xt - xi1)
    psi = x
    ph = inverse_on_grid(Fm, psi)
    rhs = r(ph) / Fm.d(ph, 1) ** 2
    c = np.fft.fft(rhs) / n
    k = mode_numbers(n).astype(float)
    b = np.zeros(n, dtype=complex)
    sel = (k != 0) & (np.abs(k) < n / 2)
    b[sel] = c[sel] / (1j * k[sel] * (k[sel] ** 2 - mum ** 2))
    beta = TrigSeries.from_grid(np.real(np.fft.ifft(b) * n))
    alpha = beta(Fm(x)) / Fm.d(x, 1)
    th2, xi2 = finite_action(tp, xp, G, gamma=alpha)
    return {"G": G, "alpha": alpha, "theta_residual": float(np.max(np.abs(th2 - tt))),
            "xi_residual": float(np.max(np.abs(xi2 - xt))), "mu_plus": mup, "mu_minus": mum}
