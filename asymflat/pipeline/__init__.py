"""The pieces the run kinds (:mod:`asymflat.kinds`) are assembled from (docs/architecture.md)."""
