"""Run kind ``advanced``: data on a past light cone, evolved toward the past; Bondi-frame scri- data.

The advanced chart (bondi-equations.md section 5, conventions.md section 5)

    ds^2 = e^{2 beta} (V/r) dv^2 + 2 e^{2 beta} dv dr + r^2 (dphi - U dv)^2

is the time reflection t -> -t (u = -v) of the retarded one, an exact map of all field equations:

    (beta, U, V, psi)_adv(v, r, phi) = (beta, -U, V, psi)_ret(-v, r, phi).

So an advanced evolution *is* a retarded one of the reflected data.  This kind

1. reads the advanced problem: advanced time v in [v_start, v_end], data on the past light cone
   v = v_end of the vertex point (t = v_end, r = 0), evolution toward v_start;
2. reflects it: retarded evolution on u in [-v_end, -v_start] from the future cone u = -v_end, with
   * exact pulses ``psi = Re A[-(t - t0 - i a)^2 + |x - x0|^2]^(-1/2)``: t0 -> -t0 (a, x0, y0, A
     unchanged; psi(-t) is the pulse with t0 -> -t0 because [-(-t - t0 - ia)^2 + ...] is the complex
     conjugate of [-(t + t0 - ia)^2 + ...] and Re z^(-1/2) = Re conj(z)^(-1/2) off the branch
     cut, which sigma never meets; tests/test_advanced_kind.py checks it numerically);
   * compact pulses: the profile given on the past cone is the same profile on the future cone;
   * circular (c1): time symmetric (t0 = 0), unchanged;
   * vertex: ``vertex.angular_velocity`` omega is the rotation rate of the advanced angular frame,
     ``vertex.acceleration`` (a1, a2) the (time-even) acceleration of the central worldline; the
     advanced chart then has U_c = omega - a1 sin phi + a2 cos phi and
     V = -r - 2 r^2 (a1 cos phi + a2 sin phi), and the reflected retarded run has
     U_c = -omega + a1 sin phi - a2 cos phi (angular velocity -omega, acceleration (a1, a2));
3. runs the characteristic pipeline on the reflected problem, reusing
   :mod:`asymflat.pipeline` (``characteristic_input.parse``, ``evolution.evolve``: every-step code-frame samples
   at scri+, main grid and half-resolution shadow grid) and :func:`asymflat.scri.to_bondi_frame`
   (frame transport starting at the data cone);
4. maps every scri+ quantity back to scri- (conventions.md section 5) and reverses the time axis
   so that v increases:  v = -u_B, Theta^-(v) = Theta(-v), N^-(v) = -N(-v),
   Xi^-(v) = -Xi(-v), Nhat^-(v) = -Nhat(-v), psi0^-(v) = psi0(-v), news^-(v) = -news(-v);
5. evaluates the scri- flux laws, balances and exact comparisons on the *written* scri- data with
   the scri- formulas (:func:`asymflat.scri.flux_residuals_bondi_minus`, ...).

Bondi frame at scri-: the transport's initial cut is the data cone (v = v_end), with the inertial
time origin there: Bondi time v_B = v_end and Bondi angle = code angle on the data cone (cuts
v_B = v_end - k dv).  Optionally a BMS3 frame ``(F, gamma)`` at scri- (finite law of
conventions.md section 3 at scri-: phi_old = F(phi), v_old = F'(phi)(v + gamma(phi)), old = the
code frame on the data cone) sets the initial cut instead: in the reflected run
(F, gamma_ret = -gamma), i.e. u_B = -v_end/F'(B) + gamma(B), B = F^{-1}(phi)
(:func:`asymflat.scri.initial_cut_from_frame`).  Read from an optional ``[frame]`` table with the
keys of kind ``vacuum`` (superrotation, rotation, boost_rapidity, boost_direction,
supertranslation; :func:`asymflat.bms3.make_frame`); the config schema does not yet allow
``[frame]`` for kind ``advanced`` (call :func:`run` with a dict meanwhile).

Configuration keys used
-----------------------
``G``; ``grid.{nx, nphi, R}``; ``evolution.{u_start, u_end, cfl}`` read as **v_start, v_end**
(data on the past cone v = v_end, evolution toward v_start; dv = cfl R h); ``output.{scri_every,
fields_every}``; ``characteristic.{pulses, compact, circular, shadow_grid, radial_order, filter}``
(pulses: the physical field of the advanced problem, t0 as given); ``vertex.{angular_velocity,
acceleration}`` (meaning above); optional ``frame.*`` (above).

Output
------
``/scri_minus`` on uniform (v_B, phi_B), v increasing, last cut = data cone: ``mass_aspect``
Theta^-, ``N`` N^-, ``angular_momentum_aspect`` Xi^- = N^- - (v/2) d_phi Theta^-, ``news``
d_v psi0^-, ``psi0`` psi0^-.  Extras: ``Nhat`` (N^- + pi G d_phi psi0^2), ``frame/v_code``,
``frame/phi_code``, ``code_frame/{v, psi0, news, beta0, U0, calW, Qbar, A, B}`` in the advanced
code frame (v = -u, U0 -> -U0, news -> -news, Qbar -> -Qbar, A = v_B of the code point -> -A;
beta0, calW = V/r - 2 r U_phi, psi0, B unchanged).  Series on the written cuts (``v_bondi``),
G > 0: Poincare charges with the scri- generators (conventions.md section 4), ``dE_dv, dJ_dv``,
``incoming_energy, incoming_J``, ``E_balance, J_balance``, flux-law residuals, ``min_dv_Theta``.
Grid series against the advanced code time ``v``.

Checks (tolerances from the shadow grid exactly as in kind ``characteristic``: Richardson
|fine - coarse|/(2^4 - 1) for quantities with a known value, the coarse residual x 2^-4 for
residuals, plus round-off floors):

* G > 0 with a scalar field: ``flux_law_Theta_minus`` (|d_v Theta - 16 pi G news^2| relative to the
  largest term), ``flux_law_Nhat_minus`` (|d_v Nhat^- - Theta'/2 - 8 pi G news psi0'|),
  ``energy_balance_minus``, ``angular_momentum_balance_minus``, ``energy_monotonic_minus``
  (max(0, -min d_v Theta^-): incoming radiation only raises Theta^-).
* flat space (G = 0 or no field): ``vacuum_Theta_minus``, ``vacuum_Xi_minus`` against the finite
  law of the frame on Minkowski ((-1, 0) without ``[frame]``).
* exact: ``psi0_vs_exact`` (G = 0 exact pulses, no acceleration: psi~0 on the Bondi grid against
  sqrt(F') psi0^-(F'(v + gamma), F) with psi0^- the scri- limit of the pulses,
  :func:`asymflat.exact.pulses.pulse_psi0_scri_minus`; G > 0 circular: the code-frame psi0^- against
  :func:`asymflat.exact.circular.psi0_minus`), and for one circular pulse at G > 0 (no frame, no
  acceleration): ``beta0_vs_exact`` (beta0^-(v) = beta0(-v)), ``Theta_vs_exact``
  (Theta^-(v_B) = -exp(-2 beta0^-(v)), v_B = v_end - int_v^{v_end} e^{2 beta0^-}) and
  ``mass_gain_law`` (code frame: d_v beta0^- = +8 pi G news^-2).
"""
from __future__ import annotations

import time

from asymflat.data import RunData
from asymflat.pipeline.bondi_frame import bondi_pipeline_minus, has_scalar
from asymflat.pipeline.checks import CheckContext, run_checks
from asymflat.pipeline.evolution import evolve, has_shadow, progress_fraction, step_count
from asymflat.pipeline.reflection import parse_advanced, reflect_pulses, reflected_config, validate
from asymflat.pipeline.scri_output import advanced_output

__all__ = ["run", "validate", "reflected_config", "reflect_pulses"]


def run(config: dict, progress=None) -> RunData:
    """Run one advanced evolution (module docstring)."""
    t_wall = time.time()
    p, v0, v1, phys, frame = parse_advanced(config)
    nx, G = p["nx"], p["G"]
    L = v1 - v0
    shadow = has_shadow(p)
    nsteps = step_count(L, nx, p["cfl"], p["R"], shadow)
    every = p["scri_every"]
    main = evolve(p, nx, nsteps, every, p["fields_every"], progress_fraction(progress, 0.0, 0.8 if shadow else 1.0))
    coarse = evolve(p, nx // 2, nsteps // 2, 1, 0, progress_fraction(progress, 0.8, 0.2)) if shadow else None
    scalar = has_scalar(p)
    B = bondi_pipeline_minus(main, G, scalar, frame, v1)
    C = bondi_pipeline_minus(coarse, G, scalar, frame, v1) if coarse else None

    summary: dict = {"kind": "advanced", "nsteps": int(nsteps), "dv": L / nsteps, "v_start": v0,
                     "v_end": v1, "nx_intervals": nx, "radial_order": p["order"],
                     "shadow_grid": int(shadow), "transport_substeps": B["substeps"], "scri_every": every,
                     "reflection": "retarded evolution of the time-reflected data on u in [-v_end, -v_start] "
                                   "(conventions.md section 5), mapped back to scri-",
                     "bondi_frame": ("transported along scri- from the data cone v = v_end: v_B = v_end, "
                                     "B = phi there" if frame is None else
                                     "transported along scri- from the BMS3 frame (F, gamma) on the data cone")
                     + "; cuts v_B = v_B(data cone) - k dv"}
    ctx = CheckContext(p, main, coarse, B, C, G, scalar, summary=summary,
                       extra=dict(frame=frame, phys=phys, v_end=v1))
    checks = run_checks("advanced", ctx)
    scri_minus, series, fields = advanced_output(p, main, B, nsteps)
    summary["wall_time_s"] = time.time() - t_wall
    return RunData(scri_minus=scri_minus, series=series, checks=checks, fields=fields, summary=summary)
