"""3D gravitational memory: the BMS3 frame of the final vacuum near i+ (issue 9).

After the radiation has left, the state near i+ is vacuum on the Minkowski orbit (reference
physics-bms3.md §6.2), but in a BMS3 frame ``(F, gamma)`` different from the initial one::

    Theta_f = -F'^2 - 2 S[F],        Xi_f = D_{Theta_f} gamma = gamma' Theta_f + gamma Theta_f'/2 - gamma'''

(finite law of docs/conventions.md §3, acting on Minkowski ``(-1, 0)``).  ``F`` (superrotation,
"rotational displacement") is sourced by the angular redistribution of the energy flux, ``gamma``
(supertranslation, "time displacement") by the angular-momentum and u-weighted energy flux.  The
final state is one of Schoeller's distinct Minkowski spaces: its Poincare charges are those of
Minkowski, its ``|n| >= 2`` superrotation charges are not.

Frames modulo Poincare
----------------------
Applying a Poincare element ``(M, tau)`` (``M`` Moebius, ``tau`` in span{1, cos, sin}) before
``(F, gamma)`` gives ``(M o F, gamma + (tau o F)/F')`` and the same state.  The canonical
representative (:func:`canonical_frame`, also what :func:`recover_memory` returns):

* ``F`` normalised ``F(0) = 0, F'(0) = 1, F''(0) = 0`` (the Hill basis ``y1(0) = 1, y1'(0) = 0,
  y2(0) = 0, y2'(0) = 1/2`` of :func:`asymflat.bms3.recover_superrotation`);
* ``gamma = (g o F)/F'`` with ``g = (gamma F') o F^{-1}`` stripped of its ``|m| <= 1`` modes.

Flux laws at scri+ (conventions.md §5; scalar field)::

    d_u Theta = -16 pi G (d_u psi0)^2
    d_u N     = Theta'/2 - 8 pi G d_u psi0 d_phi psi0 + pi G d_u d_phi (psi0^2)
    Xi := N - (u/2) Theta'   =>   d_u Xi = -8 pi G [d_u psi0 d_phi psi0 - u d_phi (d_u psi0)^2]
                                           + pi G d_u d_phi (psi0^2)

(the Xi law: ``d_u Xi = d_u N - Theta'/2 - (u/2) d_phi d_u Theta``; the ``Theta'/2`` cancels and
``-(u/2) d_phi(-16 pi G news^2) = 8 pi G u d_phi news^2``; checked symbolically in
tests/test_memory.py).  Integrated from i0 to i+ they predict the final state (exact relation at
any amplitude); :func:`memory_prediction` then recovers ``(F, gamma)`` from it.

Linearised memory (reference §6.2), about ``Theta = -1``::

    Theta_f = -1 - 2 (Y' + Y'''),     F = phi + Y + O(Y^2);     Xi_f = -(gamma' + gamma''') + O(2)

i.e. ``Y' + Y''' = -8 pi G [E_in(phi + pi) - E_out(phi)]`` with ``E = int news^2``; the ``|m| <= 1``
modes drop out (they are Poincare charges).

Late-u tails (2+1 dimensions).  A radiation field with non-zero "charge" decays as
``psi0 ~ A(phi) u^{-1/2}`` (``news ~ u^{-3/2}``): then ``Theta - Theta(i+) ~ u^{-2}`` and, from the
Xi law, ``d_u Xi ~ 6 pi G A A' u^{-2}``, ``Xi - Xi(i+) ~ u^{-1}``.  The exact 2+1 pulses of
``asymflat.exact.pulses`` have ``psi0 ~ u^{-3/2}`` (their leading ``u^{-1/2}`` term is imaginary),
hence ``Theta ~ u^{-4}``, ``Xi ~ u^{-3}``.  :func:`extrapolate_to_i_plus` fits ``L + c u^{-p}``
(``p`` fitted unless given) over the late cuts.

The package, by concept: :mod:`.frames` (the canonical frame, :func:`recover_memory`),
:mod:`.fluxes` (flux laws integrated from i0, the predicted final state, linearised memory),
:mod:`.tails` (late-u extrapolation to i+), :mod:`.report` (:func:`memory_report`, the ``/memory``
group), :mod:`.synthetic` (synthetic data with a known memory).
"""
from __future__ import annotations

from asymflat.analysis.memory.fluxes import (flux_integrals, flux_rates, linear_superrotation,
                                             linear_supertranslation, orbit_completion,
                                             predicted_final_state)
from asymflat.analysis.memory.frames import Memory, canonical_frame, memory_from_final_state, recover_memory
from asymflat.analysis.memory.report import memory_prediction, memory_report, write_memory_group
from asymflat.analysis.memory.synthetic import synthetic_news, synthetic_scattering
from asymflat.analysis.memory.tails import extrapolate_to_i_plus, flux_tail

__all__ = [
    "Memory", "canonical_frame", "recover_memory", "memory_from_final_state", "flux_rates", "flux_integrals",
    "predicted_final_state", "orbit_completion", "linear_superrotation", "linear_supertranslation",
    "extrapolate_to_i_plus", "flux_tail", "memory_report", "write_memory_group",
]
