"""Run kind ``vacuum``: a named exact vacuum in a BMS3 frame, its data at scri+ and scri-,
the matching across spatial infinity, and the checks.

Configuration keys used: ``G``, ``grid.nphi``, ``evolution.u_start``, ``evolution.u_end``,
``vacuum.{spacetime, mass, angular_momentum, energy, rapidity, direction, n_cuts}`` and the
optional ``[frame]`` table ``{superrotation, rotation, boost_rapidity, boost_direction,
supertranslation}`` (see :mod:`asymflat.bms3.spacetimes`).

Cuts: scri+ at ``u_k = linspace(u_start, u_end, n_cuts)``; scri- at the mirrored
``v_k = linspace(-u_end, -u_start, n_cuts)``.  The matching compares the earliest scri+ cut
(``u -> -inf`` side) with the latest scri- cut (``v -> +inf`` side) under ``phi -> phi + pi``.

Data construction: on the Minkowski orbit (minkowski, supertranslated_minkowski,
superrotated_minkowski, and massless particles) the data at both ends are read off the exact
retarded / advanced embeddings into global Minkowski space (reference §3.2) independently at every
cut; the other quotients use the finite BMS3 law on their stationary forms with the linked frame
at scri- (reference §2.4, §4.2).

Charge table (matching and series): ``E, p_x, p_y, J, K_x, K_y``, then ``Re/Im P_n`` and
``Re/Im J_n`` for ``n = 0..10`` (scri- with the linked generators ``e^{i n (phi + pi)}``);
labels in ``summary['charge_labels']``.

Rest mass reported: both the Deser-Jackiw-'t Hooft mass ``m = (1 - mu)/(4G)`` and the Bondi
rest mass ``(1 - mu^2)/(8G)`` (the Lorentz norm of ``(E + 1/8G, p)``), from the Hill trace
``2 cos(pi mu)``.
"""
from __future__ import annotations

import numpy as np

from asymflat.bms3 import charges as _charges
from asymflat.bms3.matching import NoSpatialInfinityError, match
from asymflat.bms3.spacetimes import make_spacetime
from asymflat.bms3.spectral import phi_grid
from asymflat.data import Check, RunData, ScriData

EPS = float(np.finfo(float).eps)
NMAX_MODES = 10
SAFETY = 10.0


def _frame_parameters(config: dict) -> dict:
    fr = config.get("frame") or {}
    return {
        "superrotation": list(fr.get("superrotation", []) or []),
        "rotation": float(fr.get("rotation", 0.0)),
        "boost_rapidity": float(fr.get("boost_rapidity", 0.0)),
        "boost_direction": float(fr.get("boost_direction", 0.0)),
        "supertranslation": list(fr.get("supertranslation", []) or []),
    }


def _charge_series(cuts, times, G: float) -> tuple[list, np.ndarray, float]:
    """Charge table on every cut from ``(Theta, N)`` on that cut (second form of reference §2.5)."""
    rows = []
    scale = 0.0
    labels = None
    for cut, t in zip(cuts, times):
        N = cut.N(t)
        th = cut.theta
        phi = cut.phi
        labs, vals = [], []
        for name in _charges.POINCARE_NAMES:
            T, Y = _charges.poincare_generator(name, phi, cut.chart)
            sgn = _charges._POINCARE_PLUS[name][1]
            labs.append(name)
            vals.append(float(sgn * np.real(_charges.charge_on_cut(th, N, T, Y, t, G))))
        zero = np.zeros_like(phi)
        link = np.pi if cut.chart == "scri_minus" else 0.0
        for n in range(0, NMAX_MODES + 1):
            e = np.exp(1j * n * (phi + link))
            P = _charges.charge_on_cut(th, N, e, zero, t, G)
            J = _charges.charge_on_cut(th, N, zero, e, t, G)
            for lab, v in ((f"P_{n}", P), (f"J_{n}", J)):
                labs += [f"Re {lab}", f"Im {lab}"]
                vals += [float(np.real(v)), float(np.imag(v))]
        labels = labs
        rows.append(vals)
        # magnitude of the integrand terms for |T|, |Y| <= 1, |Y'| <= NMAX_MODES
        term = (1.0 + abs(t) * NMAX_MODES) * np.max(np.abs(th)) + 2.0 * np.max(np.abs(N))
        scale = max(scale, term / (8.0 * G))
    return labels, np.array(rows), scale


def _scri_data(name: str, cuts, times, frame_el) -> ScriData:
    n = cuts[0].n
    phi = phi_grid(n)
    th = np.array([c.theta for c in cuts])
    xi = np.array([c.xi for c in cuts])
    N = np.array([c.N(t) for c, t in zip(cuts, times)])
    z = np.zeros_like(th)
    extra = {
        "frame/F_minus_phi": (frame_el.F(phi) - phi, "1",
                              "periodic part F(phi) - phi of the finite-law superrotation at this end "
                              "(phi_old = F(phi); scri-: the antipodally linked F(phi+pi)-pi)"),
        "frame/gamma": (frame_el.gamma(phi), "length",
                        "finite-law supertranslation gamma (t_old = F'(t + gamma)) at this end"),
    }
    return ScriData(name, np.asarray(times, float), phi, th, xi, N, z, z.copy(), extra)


def validate(config: dict):
    """Build the spacetime and its frame without computing data: raises ValueError naming the
    parameter for physically inadmissible input (F' <= 0, missing frame, ...)."""
    vac = config["vacuum"]
    ncut = int(vac.get("n_cuts", 11))
    if ncut < 2:
        raise ValueError(f"vacuum.n_cuts = {ncut}: allowed are integers >= 2")
    return make_spacetime(
        vac.get("spacetime", "minkowski"), float(config["G"]),
        mass=float(vac.get("mass", 0.0)), angular_momentum=float(vac.get("angular_momentum", 0.0)),
        energy=float(vac.get("energy", 0.0)), rapidity=float(vac.get("rapidity", 0.0)),
        direction=float(vac.get("direction", 0.0)), frame_parameters=_frame_parameters(config),
    )


def run(config: dict) -> RunData:
    """Run the ``vacuum`` kind on a validated configuration (see module docstring)."""
    G = float(config["G"])
    n = int(config["grid"]["nphi"])
    ev = config["evolution"]
    u0, u1 = float(ev["u_start"]), float(ev["u_end"])
    ncut = int(config["vacuum"].get("n_cuts", 11))
    st = validate(config)
    tu = np.linspace(u0, u1, ncut)
    tv = np.linspace(-u1, -u0, ncut)
    cuts_p, diag_p = st.cuts("scri_plus", n, tu)
    cuts_m, diag_m = st.cuts("scri_minus", n, tv)

    data = RunData()
    data.scri_plus = _scri_data("scri_plus", cuts_p, tu, st.frame_at("scri_plus"))
    data.scri_minus = _scri_data("scri_minus", cuts_m, tv, st.frame_at("scri_minus"))

    # data error model: round-off of the embedding read-off (|X|^2 terms) + spectral tail
    def data_err(d):
        return EPS * n * d["scale"] + d["truncation"] * np.sqrt(d["scale"])

    err_data = max(data_err(diag_p), data_err(diag_m)) if st.on_minkowski_orbit else 0.0
    th_scale = max(np.max(np.abs(c.theta)) for c in cuts_p + cuts_m)
    xi_scale = max(max(np.max(np.abs(c.xi)) for c in cuts_p + cuts_m), 1.0)

    # --- series and charge conservation ------------------------------------------------
    labels, qp_series, sc_p = _charge_series(cuts_p, tu, G)
    _, qm_series, sc_m = _charge_series(cuts_m, tv, G)
    data.series["u"] = (tu, "length", "retarded time of the scri+ cuts")
    data.series["v"] = (tv, "length", "advanced time of the scri- cuts")
    data.series["charges_plus"] = (qp_series, "1/G", "charge table (summary charge_labels) on each scri+ cut, "
                                   "Q = (1/16 pi G) oint[(T + u Y') Theta + 2 Y N]")
    data.series["charges_minus"] = (qm_series, "1/G", "charge table on each scri- cut with the linked generators")
    checks: list[Check] = []
    for name, ser, sc, d in (("scri_plus", qp_series, sc_p, diag_p), ("scri_minus", qm_series, sc_m, diag_m)):
        val = float(np.max(np.abs(ser - ser[0])))
        est = EPS * n * sc + (err_data * (1.0 + max(abs(u0), abs(u1)) * NMAX_MODES) / G if st.on_minkowski_orbit else 0.0)
        checks.append(Check(
            f"charge_conservation_{name}", val, max(est, EPS * sc), SAFETY, "round-off model",
            "max over cuts and charges of |Q(t_k) - Q(t_0)| (vacuum: dQ/dt = 0); estimate eps * nphi * "
            "max|integrand| (+ data error of the embedding read-off times (1 + |t| nmax)/G)",
        ))

    # --- embedding diagnostics ---------------------------------------------------------
    if st.on_minkowski_orbit:
        gres = max(diag_p["gauge_residual"], diag_m["gauge_residual"])
        checks.append(Check(
            "embedding_gauge_residual", gres, err_data, SAFETY, "round-off model + spectral tail",
            "max |g_tr -+ 1|, |g_rr|, |g_rphi|, |g_phiphi - r^2| of the flat metric pulled back through the "
            "exact retarded/advanced embeddings (r = 1, every cut); estimate eps * nphi * max|X|^2 + "
            "spectral tail of X (sum |m| |X_m| over |m| >= nphi/2 - 3) * max|X|",
        ))
        dev = max(diag_p["embedding_vs_finite_law"], diag_m["embedding_vs_finite_law"])
        checks.append(Check(
            "embedding_vs_finite_law", dev, err_data, SAFETY, "round-off model + spectral tail",
            "max |(Theta, Xi) from the embedding - finite BMS3 law (closed form in F, gamma)| at both ends",
        ))

    # --- Hill invariants ---------------------------------------------------------------
    h = cuts_p[0].hill()
    hm = cuts_m[-1].hill()
    summ = h.summary()
    if st.on_minkowski_orbit:
        checks.append(Check(
            "hill_monodromy_minkowski", max(h.minkowski_residual, hm.minkowski_residual),
            max(h.error_estimate, hm.error_estimate, EPS), SAFETY, "integrator tolerance comparison",
            "max |M + 1| of Hill's equation y'' = Theta y/4 at both ends (Minkowski orbit: M = -1); estimate "
            "|M(rtol=1e-12) - M(rtol=1e-10)| (DOP853)",
        ))
    checks.append(Check(
        "hill_trace_scri_plus_vs_scri_minus", abs(h.trace - hm.trace),
        max(h.error_estimate + hm.error_estimate, EPS), SAFETY, "integrator tolerance comparison",
        "|tr M(scri+) - tr M(scri-)|: the orbit invariant is the same at both ends",
    ))

    # --- matching ----------------------------------------------------------------------
    cp, cm = cuts_p[0], cuts_m[-1]
    if not st.has_spatial_infinity:
        try:
            match(cp, cm, has_spatial_infinity=False)
        except NoSpatialInfinityError as exc:
            data.summary["matching"] = "refused: flat-space cosmology has no spatial infinity"
            data.summary["matching_message"] = str(exc)
    else:
        res = match(cp, cm, np.pi, NMAX_MODES, check_orbit=False)
        mt = data.matching
        mt["phi"] = (res.phi, "1", "uniform grid 2 pi j / nphi")
        mt["mass_aspect_plus"] = (res.mass_aspect_plus, "1", f"Theta+ at u = {u0} (u -> -inf side)")
        mt["mass_aspect_minus_antipodal"] = (res.mass_aspect_minus_antipodal, "1",
                                             f"Theta-(phi + pi) at v = {-u0} (v -> +inf side)")
        mt["angular_momentum_aspect_plus"] = (res.angular_momentum_aspect_plus, "length", "Xi+ at the same cut")
        mt["angular_momentum_aspect_minus_antipodal"] = (res.angular_momentum_aspect_minus_antipodal, "length",
                                                         "Xi-(phi + pi) at the same cut")
        mt["modes_m"] = (res.modes_m.astype(float), "1", "Fourier mode numbers m (f_m = fft(f)/n)")
        mt["mass_aspect_mode_residual"] = (np.abs(res.mass_aspect_mode_residual), "1",
                                           "|Theta+_m - (-1)^m Theta-_m|")
        mt["angular_momentum_aspect_mode_residual"] = (np.abs(res.angular_momentum_aspect_mode_residual), "length",
                                                       "|Xi+_m - (-1)^m Xi-_m|")
        mt["charge_generators"] = (np.arange(len(res.charge_labels), dtype=float), "1",
                                   "index into summary charge_labels: " + ", ".join(res.charge_labels[:8]) + ", ...")
        mt["charges_plus"] = (res.charges_plus, "1/G", "Q+_{T,Y} at u -> -inf")
        mt["charges_minus"] = (res.charges_minus, "1/G", "Q-_{T o A, Y o A} at v -> +inf (linked generators)")
        mt["charges_residual"] = (res.charges_residual, "1/G", "charges_plus - charges_minus")
        r = res.residuals
        e_th = EPS * n * th_scale + err_data
        e_xi = EPS * n * xi_scale + err_data * (1.0 + abs(u0))
        e_q = EPS * n * max(res.scales["charges"], th_scale / G) + 2 * e_xi / G
        for key, val, est, what in (
            ("matching_mass_aspect", r["mass_aspect"], e_th, "max |Theta+(phi) - Theta-(phi+pi)|"),
            ("matching_angular_momentum_aspect", r["angular_momentum_aspect"], e_xi, "max |Xi+(phi) - Xi-(phi+pi)|"),
            ("matching_modes", max(r["mass_aspect_modes"], r["angular_momentum_aspect_modes"]), max(e_th, e_xi),
             "max over m of |Theta+_m - (-1)^m Theta-_m| and the same for Xi"),
            ("matching_charges", r["charges"], e_q, "max |Q+_{T,Y} - Q-_{T o A, Y o A}| over the charge table"),
        ):
            checks.append(Check(key, val, est, SAFETY, "round-off model",
                                what + "; estimate eps * nphi * max|term| (+ embedding data error, "
                                "times (1 + |u|) for Xi = N - u Theta'/2)"))
        data.summary["matching"] = "antipodal phi -> phi + pi (reference 4.1)"

    # --- rest mass from charges vs Hill (Lorentz frames only) ----------------------------
    pp = cp.poincare_charges()
    pm = cm.poincare_charges()
    lorentz_frame = not _frame_parameters(config)["superrotation"]
    if lorentz_frame and np.isfinite(h.mu):
        from asymflat.bms3.charges import rest_mass_from_charges

        mq = rest_mass_from_charges(pp["E"], pp["p_x"], pp["p_y"], G)
        checks.append(Check(
            "rest_mass_charges_vs_hill", mq - h.bondi_rest_mass,
            max(EPS * n * max(abs(pp["E"]), 1.0 / (8 * G)), h.error_estimate / G, EPS / G), SAFETY * 100,
            "round-off model + integrator tolerance",
            "sqrt((E + 1/8G)^2 - p^2) from the scri+ charges minus (1 - mu^2)/(8G) from the Hill trace "
            "(Lorentz frames only; safety 1000 because mu = arccos(tr/2)/pi amplifies errors near tr = -2)",
        ))

    # --- summary ---------------------------------------------------------------------
    s = data.summary
    s["spacetime"] = st.name
    s["construction"] = st.construction
    for k, v in summ.items():
        s[k] = v
    s["hill_trace_scri_minus"] = float(hm.trace)
    s["hill_winding_scri_minus"] = float(hm.winding)
    s["rest_mass_convention"] = ("djth_mass = Deser-Jackiw-'t Hooft m = (1-mu)/(4G); bondi_rest_mass = (1-mu^2)/(8G) "
                                 "= Lorentz norm of (E + 1/8G, p); tr M = 2 cos(pi mu)")
    for k, v in pp.items():
        s[f"scri_plus_{k}"] = float(v)
    for k, v in pm.items():
        s[f"scri_minus_{k}"] = float(v)
    s["charge_labels"] = ", ".join(labels)
    s["charge_normalisation"] = "Q_{T,Y} = (1/16 pi G) oint (T Theta + 2 Y Xi); p^i = -Q[d_i]; J = -Q[0,1] (docs/conventions.md §4)"
    for k, v in st.parameters.items():
        s[f"parameter_{k}"] = float(v)
    data.checks = checks
    return data
