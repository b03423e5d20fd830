"""asymflat: 2+1 asymptotically flat spacetimes in Bondi gauge, BMS3 charges at scri+ and scri-.

Public API
----------
run(config_or_path, output=None)  -> Result    run a configuration, write its HDF5 file, load it
load(path)                        -> Result    open a result file lazily

Conventions: docs/conventions.md.  Configuration schema: docs/config.md.  File format: docs/format.md.
"""
__version__ = "0.1.0"

from asymflat.api import load, run  # noqa: E402

__all__ = ["run", "load", "__version__"]
