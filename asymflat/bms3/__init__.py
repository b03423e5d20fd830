"""Exact BMS3 layer: states on cuts of scri, the BMS3 action, charges, Hill invariants,
named spacetimes, exact Minkowski embeddings, and the scri+/scri- matching.

Conventions: reference physics-bms3.md §0.2 (Theta = -1 Minkowski, delta = L_xi,
Q_{T,Y} = (1/16 pi G) oint (T Theta + 2 Y Xi), J = Q[0, 1]) and docs/conventions.md (Fourier
convention ``f_m = fft(f)/n``).

Modules
-------
spectral     grid, spectral derivative, Fourier interpolation (TrigSeries)
diffeo       circle diffeomorphisms, Moebius boosts, Schwarzian, developing maps
action       infinitesimal/finite BMS3 action, bracket, group law (BMS3Element)
charges      Q[T, Y], Poincare charges, mode charges P_n, J_n, central term
state        ScriCut: (Theta, Xi) on a cut of scri+ / scri-
hill         Hill monodromy, winding, rest mass, F recovery
invariants   stabiliser of Theta, rest-frame angular momentum (frame-free)
recovery     (F, gamma) of a state on the Minkowski orbit
embeddings   exact retarded/advanced embeddings X into global Minkowski, metric pull-back
spacetimes   named spacetimes and frames
matching     scri+ <-> scri- matching across i0 (antipodal), NoSpatialInfinityError
"""
from .action import BMS3Element, bracket, finite_action, infinitesimal_action, infinitesimal_element, supertranslation_operator
from .charges import (
    POINCARE_NAMES,
    central_term,
    charge,
    charge_on_cut,
    mode_charges,
    poincare_charges,
    poincare_generator,
    rest_mass_from_charges,
)
from .diffeo import CircleDiffeo, boost, developing_map, from_fourier_terms, from_grid, from_series, identity, rotation
from .embeddings import (
    bondi_data_from_embedding,
    embedding,
    holonomy,
    jacobian_fd,
    predicted_bondi_data,
    pullback_metric,
    pullback_residual,
)
from .hill import HillResult, hill, recover_elliptic_superrotation, recover_superrotation
from .invariants import Stabiliser, orbit_invariants, rest_frame_angular_momentum, stabiliser
from .matching import MatchingResult, NoSpatialInfinityError, charge_table, match
from .recovery import recover_frame, solve_minkowski_supertranslation
from .spacetimes import SPACETIMES, Spacetime, distinct_minkowski_pair, make_frame, make_spacetime
from .spectral import TrigSeries, derivative, fourier_modes, integrate, phi_grid
from .state import ScriCut

__all__ = [
    "BMS3Element", "bracket", "finite_action", "infinitesimal_action", "infinitesimal_element",
    "supertranslation_operator", "POINCARE_NAMES", "central_term", "charge", "charge_on_cut", "mode_charges",
    "poincare_charges", "poincare_generator", "rest_mass_from_charges", "CircleDiffeo", "boost",
    "developing_map", "from_fourier_terms", "from_grid", "from_series", "identity", "rotation",
    "bondi_data_from_embedding", "embedding", "holonomy", "jacobian_fd", "predicted_bondi_data",
    "pullback_metric", "pullback_residual", "HillResult", "hill", "recover_superrotation", "MatchingResult",
    "NoSpatialInfinityError", "charge_table", "match", "recover_elliptic_superrotation", "recover_frame", "solve_minkowski_supertranslation",
    "SPACETIMES", "Spacetime", "distinct_minkowski_pair", "make_frame", "make_spacetime", "TrigSeries",
    "derivative", "fourier_modes", "integrate", "phi_grid", "ScriCut", "Stabiliser", "orbit_invariants",
    "rest_frame_angular_momentum", "stabiliser",
]
