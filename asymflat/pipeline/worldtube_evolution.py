"""One worldtube evolution and its scri+ post-processing (:func:`evolve_worldtube`: charges, emitted
dust energy, flux-law residuals, the exterior against the closed form), and what the kind writes
(:func:`worldtube_output`)."""
from __future__ import annotations

import numpy as np

from asymflat.data import CHARGE_UNITS, ScriData
from asymflat.exact.null_dust import NullDustSolution
from asymflat.pipeline.worldtube_input import EXTERIOR_CUTS, FD_ORDER
from asymflat.scri import charges_on_cuts
from asymflat.scri._numerics import cumulative_integral_uniform, dphi, fd_time_derivative
from solvers.worldtube import WorldtubeSolver


def evolve_worldtube(p: dict, sol: NullDustSolution, nx: int, nsteps: int) -> dict:
    """One evolution (nx radial intervals, nsteps RK4 steps) and its scri+ post-processing."""
    solver = WorldtubeSolver(nx, p["nphi"], p["R"], p["r_w"], p["G"])
    phi = solver.phi
    u0 = p["u0"]
    th0 = sol.mass_aspect(u0, phi)
    n0 = sol.N(u0, phi)
    ev = solver.evolve(th0, n0, sol.dust_flux, u0, p["u1"], nsteps)
    u = ev["u"]
    du = (p["u1"] - u0) / nsteps
    G = p["G"]
    theta, N = ev["mass_aspect"], ev["N"]
    xi = N - 0.5 * u[:, None] * dphi(theta)
    f = ev["dust_flux"]
    U, P = np.meshgrid(u, phi, indexing="ij")
    ex = dict(theta=sol.mass_aspect(U, P), N=sol.N(U, P), xi=sol.angular_momentum_aspect(U, P))
    ch = charges_on_cuts(theta, xi, G, phi)
    emitted = cumulative_integral_uniform(2 * np.pi * np.mean(f, axis=1), du, 6)
    res_mass = fd_time_derivative(theta, du, FD_ORDER) + 16 * np.pi * G * f
    res_N = fd_time_derivative(N, du, FD_ORDER) - 0.5 * dphi(theta)
    # exterior on EXTERIOR_CUTS of the run (even steps: shared with the shadow grid) against the
    # closed form U = -N/r^2, calW = Theta - 2N'/r - N^2/r^2 of (b)
    x = ev["x"][:, None]
    inv_r = (1.0 - x) / (p["R"] * x)
    ext = {"U": [], "calW": [], "U_err": [], "calW_err": []}
    for q in EXTERIOR_CUTS:
        k = 2 * int(round(q * p["nsteps"] / 2)) * nsteps // p["nsteps"]     # same u on the shadow grid
        e = solver.exterior(ev["tube_mass_aspect"][k], ev["tube_N"][k])
        n1, t1 = ex["N"][k][None, :], ex["theta"][k][None, :]
        n1p = dphi(ex["N"][k])[None, :]
        ext["U"].append(e["U"])
        ext["calW"].append(e["calW"])
        ext["U_err"].append(e["U"] + n1 * inv_r**2)
        ext["calW_err"].append(e["calW"] - (t1 - 2 * n1p * inv_r - n1**2 * inv_r**2))
    ext = {k: np.array(v) for k, v in ext.items()}
    return dict(solver=solver, ev=ev, u=u, du=du, phi=phi, theta=theta, N=N, xi=xi, f=f, exact=ex,
                charges=ch, emitted=emitted, E_balance=ch["E"] - ch["E"][0] + emitted,
                J_change=ch["J"] - ch["J"][0], res_mass=res_mass, res_N=res_N, U0=ev["U_scri"],
                ext=ext)


def worldtube_output(p: dict, A: dict, nsteps: int) -> tuple[ScriData, dict, dict]:
    """``(scri_plus, series, fields)`` of a worldtube run ``A`` (:func:`evolve_worldtube`): every
    ``scri_every``-th cut, the charge and residual series, the exterior snapshots."""
    ch = A["charges"]
    sel = np.unique(np.r_[np.arange(0, nsteps + 1, p["scri_every"]), nsteps])
    ev = A["ev"]
    z = np.zeros((len(sel), p["nphi"]))
    extra = {
        "dust_flux": (A["f"][sel], "1/(G length)", "null-dust flux f(u, phi) of the tube (exact, input): mu = f/r"),
        "tube/mass_aspect": (ev["tube_mass_aspect"][sel], "1", "Theta_w evolved at r = r_w (d_u Theta_w = -16 pi G f)"),
        "tube/N": (ev["tube_N"][sel], "length", "N_w evolved at r = r_w (d_u N_w = Theta_w'/2); Qbar = 2 N_w"),
        "tube/U": (ev["tube_U"][sel], "1/length", "U at the tube, U_w = -N_w/r_w^2"),
        "tube/calW": (ev["tube_calW"][sel], "1", "calW at the tube, Theta_w - 2 N_w'/r_w - N_w^2/r_w^2"),
        "U0": (A["U0"][sel], "1/length", "U at x = 1 from the radial quadrature (Bondi frame: 0 up to truncation)"),
        "exact/mass_aspect": (A["exact"]["theta"][sel], "1", "Theta of the exact solution (b) (reference only)"),
        "exact/angular_momentum_aspect": (A["exact"]["xi"][sel], "length",
                                          "Xi of the exact solution (b) (reference only)"),
    }
    scri_plus = ScriData("scri_plus", A["u"][sel], A["phi"], A["theta"][sel], A["xi"][sel], A["N"][sel], z, z.copy(),
                         extra)
    series = {"u": (A["u"][sel], "length", "Bondi retarded time of the written cuts")}
    for k, un in CHARGE_UNITS.items():
        series[k] = (ch[k][sel], un, f"charge {k} on the cut (conventions.md sections 3-4)")
    for k, un, d in (
            ("emitted", "1/G", "emitted_dust_energy: oint int_{u_start}^u f (6-point quadrature)"),
            ("E_balance", "1/G", "E - E(u_start) + emitted dust energy"),
            ("J_change", "length/G", "J - J(u_start)")):
        series["emitted_dust_energy" if k == "emitted" else k] = (A[k][sel], un, d)
    series["mass_law_residual"] = (np.max(np.abs(A["res_mass"]), axis=1)[sel], "1/length",
                                   "max over phi of |d_u Theta + 16 pi G f|")
    series["N_law_residual"] = (np.max(np.abs(A["res_N"]), axis=1)[sel], "1", "max over phi of |d_u N - Theta'/2|")
    series["Theta_error"] = (np.max(np.abs(A["theta"] - A["exact"]["theta"]), axis=1)[sel], "1",
                             "max over phi of |Theta - Theta_exact|")
    series["Xi_error"] = (np.max(np.abs(A["xi"] - A["exact"]["xi"]), axis=1)[sel], "length",
                          "max over phi of |Xi - Xi_exact|")
    series["max_abs_U0"] = (np.max(np.abs(A["U0"]), axis=1)[sel], "1/length", "max over phi of |U(x=1)|")

    fields = {}
    if p["fields_every"]:
        snaps = np.unique(np.r_[np.arange(0, nsteps + 1, p["fields_every"]), nsteps])
        exts = [A["solver"].exterior(ev["tube_mass_aspect"][k], ev["tube_N"][k]) for k in snaps]
        fields["u"] = (A["u"][snaps], "length", "snapshot times")
        fields["x"] = (A["solver"].x, "1", "compactified radius x = r/(R+r) on [x_w, 1]")
        for name, un in (("U", "1/length"), ("calW", "1"), ("Qbar", "length")):
            fields[name] = (np.array([e[name] for e in exts]), un, f"exterior snapshot: {name} on (u, x, phi)")
    return scri_plus, series, fields
