"""Analyses of finished runs: the 3D memory (:mod:`.memory`), distinct Minkowski spaces
(:mod:`.distinct_minkowski`, ``asymflat distinct``) and self-convergence across a resolution ladder
(:mod:`.convergence`, ``asymflat converge``).  They read RunData or result files; no evolution."""
