"""scri+ post-processing: code (vertex) frame -> Bondi frame, flux-balance laws, charges.

See :mod:`asymflat.scri.frame` (bondi-equations.md §3.4) and :mod:`asymflat.scri.flux` (§3.3).
"""
from .frame import (
    BondiFrameData,
    bondi_aspects_code_grid,
    initial_cut_from_frame,
    integrate_transport,
    to_bondi_frame,
    transport_rhs,
)
from .resample import invert_angle_map, resample_to_bondi_cuts
from .flux import (
    angular_momentum_flux,
    balance,
    charge,
    charges_on_cuts,
    energy_flux,
    flux_residuals_bondi,
    flux_residuals_code,
    angular_momentum_flux_minus,
    balance_minus,
    charges_on_cuts_minus,
    energy_flux_minus,
    flux_residuals_bondi_minus,
)

__all__ = [
    "BondiFrameData", "bondi_aspects_code_grid", "initial_cut_from_frame", "integrate_transport", "invert_angle_map",
    "resample_to_bondi_cuts", "to_bondi_frame", "transport_rhs",
    "angular_momentum_flux", "balance", "charge", "charges_on_cuts", "energy_flux",
    "flux_residuals_bondi", "flux_residuals_code",
    "angular_momentum_flux_minus", "balance_minus", "charges_on_cuts_minus", "energy_flux_minus",
    "flux_residuals_bondi_minus",
]
