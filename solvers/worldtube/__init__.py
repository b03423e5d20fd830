"""Inner worldtube r = r_w for null dust (issue 6): tube ODEs in u and the vacuum exterior to scri+.

:mod:`solvers.worldtube.kernels` holds the numba kernels (allocation-free in the time loop),
:mod:`solvers.worldtube.solver` the validating Python wrapper :class:`WorldtubeSolver`.
"""
from .solver import WorldtubeSolver, quadrature_weights, rho_of_x, tube_rhs  # noqa: F401
