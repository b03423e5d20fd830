"""The ``asymflat`` command: run, info, check, plot (and the extensions: sweep, collect, reverse, ...).

Every user error (a bad configuration, a broken result file, a bad parameter) is printed as one
line ``asymflat: error: ...`` with exit status 2, never as a traceback.  ``asymflat run``: a run that
became unstable is one line with exit status 3 (output so far in OUTPUT.partial); SIGINT/SIGTERM
stop it after writing a checkpoint, exit status 128 + signal (130, 143); ``--resume`` continues.
Storage faults (path and errno in the line, :mod:`asymflat.io.output_path`): 4 (read-only, full,
missing directory, ``-o`` a directory), 5 (the result exists, no ``--overwrite``), 6 (locked).
"""
from __future__ import annotations

import argparse
import importlib
import json
import logging
import sys
import time
from pathlib import Path
from typing import Callable, Sequence

from asymflat import config as _config
from asymflat.analysis.convergence import LadderError
from asymflat.io.output_path import StorageError, storage_message
from asymflat.io.results import ResultFileError

log = logging.getLogger("asymflat")

#: Modules adding subcommands: each has ``register(subparsers)`` setting ``func`` on its parser.
_EXTENSIONS: tuple[str, ...] = ("batch.sweep", "analysis.distinct_minkowski", "batch.collect_cli", "incoming.reverse")

EXIT_OK, EXIT_FAILED_CHECKS, EXIT_USAGE = 0, 1, 2


def _cmd_run(args: argparse.Namespace) -> int:
    from asymflat import api, runtime
    from asymflat.progress import RunProgress
    from solvers.characteristic import SolverError

    cfg, _ = api.resolve_config(args.config)
    api.validate_physics(cfg)
    if args.validate_only:
        print(f"{args.config}: valid ({cfg['kind']})")
        return EXIT_OK
    out = Path(args.output) if args.output else api.default_output(args.config)
    t0 = time.perf_counter()
    bar = RunProgress(Path(args.config).stem, args.quiet, resume=args.resume)
    try:
        with runtime.handle_signals(), bar.logging_through_bar():
            result = None
            try:
                result = api.run(args.config, out, progress=bar, resume=args.resume, checkpoint=args.checkpoint,
                                 overwrite=args.overwrite)
            finally:  # the bar ends with a newline before any message (at 100 % only when complete)
                bar.close(complete=result is not None)
    except StorageError as exc:
        print(f"asymflat: error: {storage_message(exc, out, args.checkpoint)}", file=sys.stderr)
        return exc.exit_status
    except runtime.RunInterrupted as exc:
        again = f"asymflat run {args.config}" + (f" -o {args.output}" if args.output else "") + (
            f" --checkpoint {args.checkpoint}" if args.checkpoint else "")
        hint = f"; continue with: {again} --resume" if exc.checkpoint else ""
        print(f"asymflat: {exc}{hint}", file=sys.stderr)
        return exc.exit_status
    except (runtime.RunUnstable, SolverError) as exc:
        msg = str(exc) if isinstance(exc, runtime.RunUnstable) else f"unstable evolution stopped: {exc}"
        print(f"asymflat: error: {' '.join(msg.split())}", file=sys.stderr)
        return runtime.EXIT_UNSTABLE
    from asymflat.data import check_tally

    tally = check_tally(result.checks)
    result.close()
    if not args.quiet:
        print(f"wrote {out} in {time.perf_counter() - t0:.1f} s; {tally}")
    if cfg.get("output", {}).get("figures", False) and not args.no_figures:
        _run_figures(out, args.quiet)
    return EXIT_OK


def _run_figures(out: Path, quiet: bool) -> None:
    """``[output] figures = true``: the PNG figures of the result (in place by now) into ``OUTPUT_stem/``,
    as ``asymflat plot OUTPUT -o OUTPUT_stem`` writes them (PNG only).  A figure that cannot be written
    is a warning, not a failed run: the result is complete."""
    from asymflat import plots
    from asymflat.api import load

    figdir = out.with_suffix("")
    if not quiet:   # a few seconds after the result: say what is happening
        log.info("writing the figures of %s to %s/ ([output] figures = true; --no-figures skips)", out.name, figdir)
    try:
        with load(out) as r:
            written = plots.plot_result(r, figdir, formats=("png",))
    except (OSError, ValueError, RuntimeError) as exc:
        print(f"asymflat: warning: figures of {out} not written to {figdir}/: {exc}", file=sys.stderr)
        return
    if not quiet:
        print(f"wrote {len(written)} figures to {figdir}/")


def _cmd_info(args: argparse.Namespace) -> int:
    from asymflat.api import load

    with load(args.result) as r:
        r.verify()
        print(r)
        for k, v in r.summary.items():
            print(f"  summary.{k} = {v}")
    return EXIT_OK


def _cmd_check(args: argparse.Namespace) -> int:
    from asymflat.api import load
    from asymflat.data import check_tally

    with load(args.result) as r:
        r.verify()
        checks = r.checks
    rows = [
        {"name": c.name, "value": c.value, "tolerance": c.tolerance, "error_estimate": c.error_estimate,
         "safety_factor": c.safety_factor, "method": c.method, "passed": c.passed, "status": c.status,
         "scale": c.scale if c.scale == c.scale else None, "description": c.description}
        for c in checks
    ]
    ok = bool(rows) and all(r["passed"] for r in rows)
    if args.json:
        print(json.dumps({"result": str(args.result), "passed": ok, "checks": rows}, indent=2))
    else:
        if not rows:
            print(f"{args.result}: no checks stored")
        for row in rows:
            zero = f"; compared quantities {row['scale']:.1e} <= tolerance" if row["status"] == "ZERO" else ""
            print(f"{row['status']}  {row['name']:<44} value {row['value']:.3e}  tolerance {row['tolerance']:.3e}"
                  f"  ({row['method']}{zero})")
        print(check_tally(checks))
    return EXIT_OK if ok else EXIT_FAILED_CHECKS


def _cmd_plot(args: argparse.Namespace) -> int:
    from asymflat import plots
    from asymflat.api import load

    out = Path(args.output) if args.output else Path(args.result).with_suffix("")
    with load(args.result) as r:
        written = plots.plot_result(r, out)
    for p in written:
        print(p)
    return EXIT_OK


def _cmd_converge(args: argparse.Namespace) -> int:
    from asymflat.analysis import converge_report
    from asymflat.api import load

    runs = [load(p) for p in args.results]
    try:
        converge_report.report(runs, args.quantity, args.plot)
    finally:
        for r in runs:
            r.close()
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="asymflat", description=__doc__.splitlines()[0])
    p.add_argument("--version", action="version", version=_version_text())
    p.add_argument("-v", "--verbose", action="count", default=0,
                   help="more log output (-v: every phase and its timing; -vv: also tracebacks of errors)")
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="run a configuration and write its HDF5 result")
    r.add_argument("config", help="TOML run configuration (docs/config.md)")
    r.add_argument("-o", "--output", help="result file (default results/<config stem>.h5)")
    r.add_argument("--quiet", action="store_true", help="no progress output")
    r.add_argument("--validate-only", action="store_true", help="check the configuration and exit")
    r.add_argument("--resume", action="store_true",
                   help="continue from the newest valid checkpoint (bit-identical to an uninterrupted run)")
    r.add_argument("--checkpoint", help="checkpoint file (default <output>.checkpoint)")
    r.add_argument("--overwrite", action="store_true", help="replace an existing result file (default: refuse, exit 5)")
    r.add_argument("--no-figures", action="store_true",
                   help="do not write the PNG figures of [output] figures = true (OUTPUT_stem/)")
    r.set_defaults(func=_cmd_run)
    i = sub.add_parser("info", help="summarise a result file")
    i.add_argument("result")
    i.set_defaults(func=_cmd_info)
    c = sub.add_parser("check", help="every diagnostic with value, tolerance and verdict (exit 0 if all pass)")
    c.add_argument("result")
    c.add_argument("--json", action="store_true", help="machine-readable output")
    c.set_defaults(func=_cmd_check)
    pl = sub.add_parser("plot", help="write the figures of a result file (PNG and PDF)")
    pl.add_argument("result")
    pl.add_argument("-o", "--output", help="directory (default: next to the result, without .h5)")
    pl.set_defaults(func=_cmd_plot)
    cv = sub.add_parser("converge", help="measured self-convergence order over a resolution ladder")
    cv.add_argument("results", nargs="+", help="result files, coarse to fine, differing only in grid.nx, grid.nphi")
    cv.add_argument("--quantity", action="append", default=None,
                    help="scri dataset to compare (repeatable; default psi0, mass_aspect, angular_momentum_aspect)")
    cv.add_argument("--plot", default="convergence.png", help="convergence plot (PNG; '' for none)")
    cv.set_defaults(func=_cmd_converge)
    for name in _EXTENSIONS:
        importlib.import_module(f"asymflat.{name}").register(sub)
    for name, sp in sub.choices.items():  # -v also after the subcommand: asymflat run X -v
        if not any("-v" in a.option_strings for a in sp._actions):
            sp.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS,
                            help="more log output (as before the subcommand)")
    return p


def _version_text() -> str:
    """``asymflat 0.1.0 (git <12-digit commit>[-dirty], Python 3.x.y)``."""
    import platform

    from asymflat import __version__
    from asymflat._provenance import git_commit

    commit = git_commit()
    short = commit[:12] + ("-dirty" if commit.endswith("-dirty") else "") if commit != "unknown" else commit
    return f"asymflat {__version__} (git {short}, Python {platform.python_version()})"


def _user_error(msg: str) -> int:
    print(f"asymflat: error: {msg}", file=sys.stderr)
    return EXIT_USAGE


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr)
    args = build_parser().parse_args(argv)
    verbose = int(getattr(args, "verbose", 0) or 0)
    log.setLevel(logging.DEBUG if verbose else logging.INFO)
    if getattr(args, "command", None) == "converge" and args.quantity is None:
        args.quantity = ["psi0", "mass_aspect", "angular_momentum_aspect"]
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except (_config.ConfigError, ResultFileError, LadderError) as exc:
        if verbose >= 2:
            log.exception("traceback (-vv)")
        return _user_error(str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__)
    except ValueError as exc:  # parameter errors raised by the physics layer before any work
        if verbose >= 2:
            log.exception("traceback (-vv)")
        return _user_error(" ".join(str(exc).split()))
    except KeyboardInterrupt:
        return _user_error("interrupted")


if __name__ == "__main__":
    sys.exit(main())
