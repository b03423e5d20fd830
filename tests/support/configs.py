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
