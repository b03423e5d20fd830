"""The characteristic solver: Einstein + massless scalar in Bondi gauge on compactified cones.

One concept a module (kernels are ``@jit`` functions over plain arrays with explicit outputs;
the classes validate, allocate and call them):

* :mod:`.grid` radial grid, finite-difference stencils, band solves, quadrature;
  :mod:`.spectral` phi transforms and filter; :mod:`.vertex` regularity slaving and the
  projection P; :mod:`.operators` the constant operators of a grid
* :mod:`.hypersurface` the hypersurface equations (C1)-(C4) pointwise; :mod:`.wave` the source
  S_chi of the wave equation (C5); :mod:`.fastmath_exp` a vectorisable e^{2 beta}
* :mod:`.right_hand_side` chi_u = P S(chi), by :mod:`.phases` (phase by phase) or
  :mod:`.pipeline` (cache-blocked sweeps over :mod:`.pipeline_stages`, scratch in :mod:`.rings`);
  :mod:`.dealias` the padded-grid variant
* :mod:`.timestepping` RK4, substeps, the multi-step driver; :mod:`.scri` its per-step samples;
  :mod:`.threaded` the ``parallel=True`` copies of the kernels
* :mod:`.layout` the work-array layout; :mod:`.workspace` the work arrays
* :mod:`.solver` the facade :class:`CharacteristicSolver`
"""
from __future__ import annotations

from .dealias import PAD_FACTOR, padded_nphi, resample_phi
from .layout import FIELD_NAMES
from .operators import Operators
from .scri import SAMPLE_NAMES, SERIES_NAMES
from .solver import DEALIAS_DEFAULT, CharacteristicSolver, SolverError, vertex_shift
from .timestepping import COURANT_PHI

__all__ = ["COURANT_PHI", "DEALIAS_DEFAULT", "FIELD_NAMES", "PAD_FACTOR", "SAMPLE_NAMES",
           "SERIES_NAMES", "CharacteristicSolver", "Operators", "SolverError", "padded_nphi",
           "resample_phi", "vertex_shift"]
