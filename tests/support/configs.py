"""Configuration texts shared by the tests."""

#: The smallest valid run: Minkowski as a vacuum run (format with ``G=...``).
MINKOWSKI_VACUUM_TEMPLATE = """\
kind = "vacuum"
G = {G}
[grid]
nphi = 32
[evolution]
u_start = -5.0
u_end = 5.0
[vacuum]
spacetime = "minkowski"
"""

#: The same with G = 1.
MINKOWSKI_VACUUM = MINKOWSKI_VACUUM_TEMPLATE.format(G=1.0)

#: A one-cone scattering run with tabulated incoming radiation (format with ``G``, ``nx``, ``u0``,
#: ``extra`` (more [characteristic] lines) and ``source`` (the ``incoming`` / ``incoming_from`` line)).
SCATTERING_INCOMING_TEMPLATE = """kind = "scattering"
G = {G}
[grid]
nx = {nx}
nphi = 32
R = 8.0
[evolution]
u_start = {u0}
u_end = 20.0
cfl = 2.0
[output]
scri_every = 1
fields_every = 0
[characteristic]
shadow_grid = true
{extra}
[scattering]
first_cones = [{u0}]
{source}
"""
