"""The memory report of a run (a ``/memory`` group, docs/format.md "/memory"): final state predicted
from the fluxes, recovered frame, errors."""
from __future__ import annotations

import numpy as np

from asymflat.analysis.memory.fluxes import (flux_integrals, flux_rates, linear_superrotation,
                                             linear_supertranslation)
from asymflat.analysis.memory.frames import _strip_low, recover_memory
from asymflat.analysis.memory.tails import _xi_tail, flux_tail
from asymflat.bms3.spectral import phi_grid, shift


# --------------------------------------------------------------------------------------------
# the report (a /memory group)
# --------------------------------------------------------------------------------------------
def _arrays_from(source) -> dict:
    """u, phi, theta, xi, news, psi0, G (+ scri- last cut) from a Result, RunData or a dict."""
    if isinstance(source, dict):
        return dict(source)
    out = {}
    sp = source.scri_plus
    if hasattr(sp, "_g"):  # asymflat.result.ScriView
        out.update(u=sp.time, phi=sp.phi, theta=sp.mass_aspect, xi=sp.angular_momentum_aspect, news=sp.news,
                   psi0=sp.psi0, G=float(source.G))
        sm = source.scri_minus
        if sm is not None:
            out.update(theta_minus_last=sm.mass_aspect[-1], xi_minus_last=sm.angular_momentum_aspect[-1],
                       theta_minus_first=sm.mass_aspect[0], xi_minus_first=sm.angular_momentum_aspect[0])
    else:  # RunData
        out.update(u=sp.time, phi=sp.phi, theta=sp.mass_aspect, xi=sp.angular_momentum_aspect, news=sp.news,
                   psi0=sp.psi0, G=float(source.summary.get("G", np.nan)))
        sm = source.scri_minus
        if sm is not None:
            out.update(theta_minus_last=sm.mass_aspect[-1], xi_minus_last=sm.angular_momentum_aspect[-1],
                       theta_minus_first=sm.mass_aspect[0], xi_minus_first=sm.angular_momentum_aspect[0])
    return out


def memory_prediction(theta_i0, xi_i0, u, news, psi0, G, fraction=0.25, u_ref=0.0):
    """Predicted state at i+: first cut (or i0) + fluxes integrated over the cuts + the power-law flux
    tail after the last cut (:func:`flux_tail`).  Returns ``(theta, xi, theta_tail_err, xi_tail_err,
    q_theta, q_xi)``."""
    dth, dxi = flux_integrals(u, news, psi0, G)
    dth_rate, _ = flux_rates(u, news, psi0, G)
    tth, eth, qth, _ = flux_tail(u, dth_rate, u_ref, fraction)
    txi, exi, qxi, _ = _xi_tail(u, news, psi0, G, u_ref, fraction)
    return (np.asarray(theta_i0) + dth + tth, np.asarray(xi_i0) + dxi + txi, eth, exi, qth, qxi)


def _memory_error(eth, exi):
    """Linearised propagation of aspect errors into (F - phi, gamma): max|Y|, max|g| of
    -2 (Y' + Y''') = e_Theta and -(g' + g''') = e_Xi (|m| >= 2 modes; the |m| <= 1 part of an error
    moves the state off the orbit instead, see monodromy_residual)."""
    return (float(np.max(np.abs(linear_superrotation(-1.0 + np.asarray(eth, float))))),
            float(np.max(np.abs(linear_supertranslation(np.asarray(exi, float))))))


def memory_report(source, G: float | None = None, nmax: int = 10, fraction: float = 0.25, u_ref: float = 0.0,
                  orbit_tol: float = 1e-3) -> dict:
    """Memory of a scattering result: recovered from the final state and predicted from the fluxes.

    ``source``: an ``asymflat.load`` Result, a RunData, or a dict with ``u, theta, xi, news, psi0``
    (shape (nu, nphi)) and ``G`` (optional ``theta_i0, xi_i0``: the state at i0; default the first
    scri+ cut; optional ``theta_minus_last, xi_minus_last``: the last scri- cut, for the scri- route).

    Final state: the last cut plus the flux after it, ``int_{u_L}^inf`` of the flux laws with the
    late-u power law of the news fitted on the last ``fraction`` of the cuts (:func:`flux_tail`;
    measured exponent, ``x = u - u_ref``).  If that state leaves the Minkowski orbit (monodromy
    ``> orbit_tol``) or the tail does not decay integrably, the last cut itself is used and the tail
    size counts as its error (attribute ``final_state_source`` says which).  Prediction: the first cut
    plus the fluxes over the cuts plus the same tail, so ``*_difference_predicted`` (recovered minus
    predicted) is the flux-law residual of the run, independent of the tail.  Error estimates:
    ``F_error``, ``gamma_error``: the final-state error propagated linearly (|m| >= 2) plus the
    distance from the orbit (``monodromy_residual``; for gamma times ``max|gamma|``, plus
    ``xi_residual``).  Reports; gates nothing.

    Returns ``{"datasets": {name: (array, units, description)}, "attributes": {name: scalar},
    "memory": Memory (from the final state), "memory_predicted": Memory, "memory_last_cut": Memory,
    ["memory_minus"]}`` (docs/format.md, "/memory").  Raises ``ValueError`` when the last cut or the
    predicted state is not near the Minkowski orbit.
    """
    a = _arrays_from(source)
    G = float(a.get("G") if G is None else G)
    u, th, xi = (np.asarray(a[k], float) for k in ("u", "theta", "xi"))
    nw, ps = np.asarray(a["news"], float), np.asarray(a["psi0"], float)
    n = th.shape[-1]
    phi = phi_grid(n)
    dth_rate, _ = flux_rates(u, nw, ps, G)
    tth, eth, p_th, st_th = flux_tail(u, dth_rate, u_ref, fraction)
    txi, exi, p_xi, st_xi = _xi_tail(u, nw, ps, G, u_ref, fraction)
    mem_last = recover_memory(th[-1], xi[-1], G, nmax=nmax, orbit_tol=orbit_tol)
    source_f = "last cut + power-law flux tail"
    th_f, xi_f = th[-1] + tth, xi[-1] + txi
    th_err, xi_err = eth, exi
    mem = None
    if st_th in ("power law", "zero") and st_xi in ("power law", "zero"):
        try:
            mem = recover_memory(th_f, xi_f, G, nmax=nmax, orbit_tol=orbit_tol)
        except ValueError as exc:
            source_f = f"last cut (tail-extrapolated state left the orbit: {exc})"
    else:
        source_f = f"last cut (tail: Theta {st_th}; Xi {st_xi})"
    if mem is None:
        mem = mem_last
        th_f, xi_f = th[-1], xi[-1]
        th_err, xi_err = np.abs(tth) + eth, np.abs(txi) + exi
    th_i0 = np.asarray(a.get("theta_i0", th[0]), float)
    xi_i0 = np.asarray(a.get("xi_i0", xi[0]), float)
    dth_run, dxi_run = flux_integrals(u, nw, ps, G)
    th_p, xi_p = th_i0 + dth_run + (th_f - th[-1]), xi_i0 + dxi_run + (xi_f - xi[-1])
    mem_p = recover_memory(th_p, xi_p, G, nmax=nmax, orbit_tol=orbit_tol)
    F_err, g_err = _memory_error(th_err, xi_err)
    # distance of the final state from the orbit (|m| <= 1 errors, truncation) moves F, gamma by that order
    F_err += mem.monodromy_residual
    g_err += mem.monodromy_residual * float(np.max(np.abs(mem.gamma))) + mem.xi_residual
    ds: dict = {}
    at: dict = {}
    ds["phi"] = (phi, "rad", "uniform grid 2 pi j / nphi")
    ds["mass_aspect_final"] = (th_f, "1", "Theta+ at i+: last cut + power-law tail of -16 pi G news^2 after it")
    ds["mass_aspect_final_error"] = (th_err, "1", "error estimate of Theta+(i+) (tail exponent spread)")
    ds["angular_momentum_aspect_final"] = (xi_f, "length", "Xi+ at i+: last cut + tail of the Xi flux law")
    ds["angular_momentum_aspect_final_error"] = (xi_err, "length", "error estimate of Xi+(i+)")
    ds["mass_aspect_predicted"] = (th_p, "1", "Theta+(first cut) - 16 pi G int news^2 du (cuts + the same tail)")
    ds["angular_momentum_aspect_predicted"] = (xi_p, "length", "Xi+(first cut) + int (Xi flux law) du (cuts + tail)")
    ds["F_minus_phi"] = (mem.F_minus_phi, "rad", "superrotation memory F - phi (canonical mod Moebius), final state")
    ds["gamma"] = (mem.gamma, "length", "supertranslation memory gamma (canonical mod translations), final state")
    ds["F_minus_phi_last_cut"] = (mem_last.F_minus_phi, "rad", "F - phi from the last cut (no tail)")
    ds["gamma_last_cut"] = (mem_last.gamma, "length", "gamma from the last cut (no tail)")
    ds["F_minus_phi_predicted"] = (mem_p.F_minus_phi, "rad", "F - phi from the flux-predicted final state")
    ds["gamma_predicted"] = (mem_p.gamma, "length", "gamma from the flux-predicted final state")
    ds["F_minus_phi_linear"] = (linear_superrotation(th_p), "rad",
                                "linearised Y: -1 - 2(Y' + Y''') = predicted Theta (|m| >= 2)")
    ds["gamma_linear"] = (linear_supertranslation(xi_p), "length", "linearised: -(gamma' + gamma''') = predicted Xi")
    ds["modes_n"] = (mem.modes_n.astype(float), "1", "mode numbers n = 0..nmax")
    for key, m in (("", mem), ("_predicted", mem_p)):
        ds[f"supermomentum{key}"] = (np.stack([m.supermomentum.real, m.supermomentum.imag], -1), "1/G",
                                     "P_n = Q[e^{i n phi}, 0] (Re, Im)")
        ds[f"superrotation_charges{key}"] = (np.stack([m.superrotation_charges.real, m.superrotation_charges.imag], -1),
                                             "1/G", "J_n = Q[0, e^{i n phi}] (Re, Im)")
    at.update(G=G, nmax=nmax, fit_fraction=fraction, u_ref=u_ref, u_last=float(u[-1]),
              final_state_source=source_f, tail_status_theta=st_th, tail_status_xi=st_xi,
              tail_exponent_theta=p_th, tail_exponent_xi=p_xi,
              tail_theta_max=float(np.max(np.abs(tth))), tail_xi_max=float(np.max(np.abs(txi))),
              hill_trace=mem.hill_trace, hill_winding=mem.hill_winding, monodromy_residual=mem.monodromy_residual,
              hill_error=mem.hill_error, theta_residual=mem.theta_residual, xi_residual=mem.xi_residual,
              obstruction_max=mem.obstruction_max, charges_frame_difference=mem.charges_difference,
              hill_trace_last_cut=mem_last.hill_trace, monodromy_residual_last_cut=mem_last.monodromy_residual,
              hill_trace_predicted=mem_p.hill_trace, monodromy_residual_predicted=mem_p.monodromy_residual,
              obstruction_max_predicted=mem_p.obstruction_max,
              F_max=float(np.max(np.abs(mem.F_minus_phi))), gamma_max=float(np.max(np.abs(mem.gamma))),
              F_error=F_err, gamma_error=g_err,
              F_difference_predicted=float(np.max(np.abs(mem.F_minus_phi - mem_p.F_minus_phi))),
              gamma_difference_predicted=float(np.max(np.abs(mem.gamma - mem_p.gamma))),
              F_difference_last_cut=float(np.max(np.abs(mem.F_minus_phi - mem_last.F_minus_phi))),
              gamma_difference_last_cut=float(np.max(np.abs(mem.gamma - mem_last.gamma))),
              theta_final_error_max=float(np.max(th_err)), xi_final_error_max=float(np.max(xi_err)),
              theta_predicted_difference_max=float(np.max(np.abs(th_p - th_f))),
              xi_predicted_difference_max=float(np.max(np.abs(xi_p - xi_f))),
              F_difference_linear=float(np.max(np.abs(_strip_low(mem.F_minus_phi) - ds["F_minus_phi_linear"][0]))),
              gamma_difference_linear=float(np.max(np.abs(mem.gamma - ds["gamma_linear"][0]))))
    for k, v in mem.poincare.items():
        at[f"final_{k}"] = float(v)
    out = dict(datasets=ds, attributes=at, memory=mem, memory_predicted=mem_p, memory_last_cut=mem_last)
    if "theta_minus_last" in a:
        # scri- route: i0 state = last scri- cut, antipodally mapped (conventions.md section 6)
        th0m, xi0m = shift(np.asarray(a["theta_minus_last"], float), np.pi), shift(np.asarray(a["xi_minus_last"], float), np.pi)
        th_m, xi_m = th0m + (th_p - th_i0), xi0m + (xi_p - xi_i0)
        ds["mass_aspect_predicted_minus"] = (th_m, "1", "Theta-(phi + pi, last scri- cut) - 16 pi G int news^2 du")
        ds["angular_momentum_aspect_predicted_minus"] = (xi_m, "length", "Xi-(phi + pi, last scri- cut) + int Xi law")
        at["i0_theta_mismatch"] = float(np.max(np.abs(th0m - th_i0)))
        at["i0_xi_mismatch"] = float(np.max(np.abs(xi0m - xi_i0)))
        try:
            mem_m = recover_memory(th_m, xi_m, G, nmax=nmax, orbit_tol=orbit_tol)
            ds["F_minus_phi_predicted_minus"] = (mem_m.F_minus_phi, "rad", "F - phi predicted via scri- (matched i0)")
            ds["gamma_predicted_minus"] = (mem_m.gamma, "length", "gamma predicted via scri- (matched i0)")
            at["F_difference_minus"] = float(np.max(np.abs(mem.F_minus_phi - mem_m.F_minus_phi)))
            at["gamma_difference_minus"] = float(np.max(np.abs(mem.gamma - mem_m.gamma)))
            at["monodromy_residual_minus"] = mem_m.monodromy_residual
            out["memory_minus"] = mem_m
        except ValueError as exc:
            at["scri_minus_route"] = f"not on the Minkowski orbit: {exc}"
    return out


def write_memory_group(group, report: dict) -> None:
    """Write a :func:`memory_report` into an h5py group (docs/format.md "/memory")."""
    for name, (arr, units, desc) in report["datasets"].items():
        d = group.create_dataset(name, data=np.asarray(arr))
        d.attrs["units"] = units
        d.attrs["description"] = desc
    for k, v in report["attributes"].items():
        group.attrs[k] = v
