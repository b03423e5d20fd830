"""Which spacetime a ``scattering`` run with incoming data evolves: ``[scattering] incoming_frame``
(docs/conventions.md section 11.1).

``"flat_cone"`` (default): every ladder level's first cone u = u0 carries the flat (G = 0) field of
the table D (asymflat/incoming/first_cone.py).  The evolved spacetime's scri- data are then the
relabelled ones of asymflat/scri/minus.py: psi0- on the ray through a cone point is D at the ray's
flat advanced time v = u0 + 2r, placed at its Bondi time

    v_B(v, phi) = v + int_0^{r(v)} 2 (e^{2 beta(u0, r', phi)} - 1) dr',      r(v) = (v - u0) / 2,     (1)

so they are D(v(v_B)), not D: at G > 0 a dilation by e^{2 beta} behind the radiation, O(8 pi G E_in).

``"scri_minus"``: the first cone carries the flat field of the table D~ for which those relabelled
data *are* D, i.e. D~(v, phi) = D(v_B(v, phi), phi), where v_B is (1) with the beta of the first cone
of D~ itself.  Solved by the fixed-point iteration

    D~_0 = D,     D~_{k+1}(v_j, phi) = D(v_B[D~_k](v_j, phi), phi)     on the table's own nodes v_j,   (2)

with beta from the solver's hypersurface equations on the level's own grid (the main grid: the
shadow grid evolves the same D~).  The map is a contraction of rate O(8 pi G E_in) (measured:
tests/test_incoming_frame.py).  D(v_B) between the table's nodes is the table's 6-point
interpolant, beyond its ends its tail laws (asymflat/incoming/sampling.py); D~ keeps D's early law
(beta = 0 before the radiation) and refits the late one with D's leading power and centre.  What is
not corrected: the O(G) superrotation between the cone's angles and the scri- Bondi angles off
circular symmetry (docs/conventions.md section 6.2), and the O(G) bending of the ingoing rays the
relabelling neglects (asymflat/scri/minus.py).
"""
from __future__ import annotations

import numpy as np

from asymflat.incoming.sampling import psi0_at
from asymflat.incoming.table import IncomingData
from asymflat.incoming.tails import fit
from asymflat.scri._numerics import cumulative_integral_uniform, sample_uniform

#: the values of ``scattering.incoming_frame``
INCOMING_FRAMES = ("flat_cone", "scri_minus")
#: stop (2) when max |D~_{k+1} - D~_k| <= FIXED_POINT_TOL max |D| (round-off of the map: measured
#: 1e-15..1e-14 of max |D| once converged, tests/test_incoming_frame.py)
FIXED_POINT_TOL = 1e-13
#: refuse when (2) has not converged after this many iterations (rate O(8 pi G E_in) < 1/2 for
#: any data below the conical-defect bound that a run resolves)
MAX_ITERATIONS = 40
#: nodes kept between the last table node on the cone and x = 1 (the 6-point stencils of (1))
_MARGIN = 4


def bondi_time_on_rays(x: np.ndarray, R: float, u0: float, beta: np.ndarray, v: np.ndarray) -> np.ndarray:
    """v_B of (1) on the rays with flat advanced times ``v`` (>= u0) of the first cone u0: (len(v), nphi).

    ``x`` the cone's compactified radii (uniform, x = r / (R + r)), ``beta`` on them (len(x), nphi).
    The excess v_B - v = int 2 (e^{2 beta} - 1) R / (1 - x)^2 dx is integrated on the nodes (6-point
    local quadrature; exactly 0 where beta = 0) and interpolated to x(v) (6-point Lagrange).
    """
    x = np.asarray(x, dtype=float)
    v = np.asarray(v, dtype=float)
    r = 0.5 * (v - u0)
    if np.any(r < -1e-12 * max(1.0, abs(u0))):
        raise ValueError(f"bondi_time_on_rays: advanced times before the cone's vertex u0 = {u0:g}")
    h = float(x[1] - x[0])
    pos = np.maximum(r, 0.0) / (R + np.maximum(r, 0.0)) / h
    ic = int(np.ceil(float(np.max(pos, initial=0.0)))) + _MARGIN
    if ic > len(x) - 2:
        raise ValueError(f"bondi_time_on_rays: the table reaches x = {float(np.max(pos)) * h:.3f} on the first cone, "
                         f"too close to scri+ for the grid (nx = {len(x) - 1})")
    xs = x[:ic + 1, None]
    excess = cumulative_integral_uniform(2.0 * np.expm1(2.0 * np.asarray(beta, dtype=float)[:ic + 1]) * R
                                         / (1.0 - xs) ** 2, h, 6)
    out = np.empty((len(v), excess.shape[1]))
    for j in range(excess.shape[1]):
        out[:, j] = v + sample_uniform(excess[:, j], pos, 6)
    return out


def _relabelled_table(D: IncomingData, vB: np.ndarray) -> IncomingData:
    """D~(v_j) = D(v_B(v_j)) on D's nodes, D's early law, the late law refitted (module doc)."""
    psi = psi0_at(D, vB)
    late = None
    if D.late is not None:
        late = fit(D.v, psi, "late", powers=(D.late.power,), nterms=len(D.late.coefficients),
                   center=D.late.center)[0]
    return IncomingData(D.v, D.phi, psi, D.early, late, D.source + " (relabelled to scri- Bondi time)")


def scri_minus_fixed_point(D: IncomingData, u0: float, cone_beta) -> tuple[IncomingData, dict]:
    """The fixed point D~ of (2) for the first cone ``u0`` and its iteration record.

    ``cone_beta(table) -> (x, R, beta)``: the first cone's compactified radii, compactification
    scale and beta on the level's grid when the cone carries the flat field of ``table``.
    Returns (D~, dict(iterations, increments: max |D~_{k+1} - D~_k| / max |D| per iteration,
    residual: the last increment)).  Raises ValueError (one line) when (2) does not converge.
    """
    scale = float(np.max(np.abs(D.psi0))) or 1.0
    cur, incs = D, []
    for _ in range(MAX_ITERATIONS):
        x, R, beta = cone_beta(cur)
        vB = bondi_time_on_rays(x, R, u0, beta, D.v)
        new = _relabelled_table(D, vB)
        incs.append(float(np.max(np.abs(new.psi0 - cur.psi0))) / scale)
        cur = new
        if incs[-1] <= FIXED_POINT_TOL:
            break
    else:
        raise ValueError(f"scattering.incoming_frame = 'scri_minus': the relabelling fixed point did not converge in "
                         f"{MAX_ITERATIONS} iterations (last increments {incs[-3:]}; first cone u0 = {u0:g})")
    return cur, dict(iterations=len(incs), increments=incs, residual=incs[-1])


def reported_vs_table(M: dict, D: IncomingData) -> float:
    """max |psi0-_reported(v_B) - D(v_B)| / max |D| on a level's scri- cuts ``M`` (asymflat/scri/minus.py
    ``scri_minus_from_cone``): what the relabelling leaves of "the scri- data are D"."""
    t = np.asarray(M["times"], dtype=float)
    ex = psi0_at(D, np.broadcast_to(t[:, None], M["psi0"].shape))
    return float(np.max(np.abs(M["psi0"] - ex))) / (float(np.max(np.abs(D.psi0))) or 1.0)


def frame_summary(runs: list[dict], main: int) -> dict:
    """/summary entries of a ``scri_minus`` run: the fixed point's iterations and last increment per
    level, and the main level's :func:`reported_vs_table` (main and shadow grid)."""
    fp = [r["p"]["incoming_fixed_point"] for r in runs]
    L0 = runs[main]
    D = L0["p"]["incoming_table"]
    out = {"incoming_frame": "scri_minus",
           "incoming_frame_iterations": ", ".join(str(f["iterations"]) for f in fp),
           "incoming_frame_residual": max(f["residual"] for f in fp),
           "scri_minus_psi0_vs_table": reported_vs_table(L0["M"], D)}
    if L0.get("Mc") is not None:
        out["scri_minus_psi0_vs_table_shadow"] = reported_vs_table(L0["Mc"], D)
    return out
