"""The ``asymflat`` command: run, info, check, plot.

Every user error (a bad configuration, a broken result file, a bad parameter) is printed as one
line ``asymflat: error: ...`` with exit status 2, never as a traceback.  ``asymflat run``: a run that
became unstable is one line with exit status 3 (output so far in OUTPUT.partial); SIGINT/SIGTERM
stop it after writing a checkpoint, exit status 128 + signal (130, 143); ``--resume`` continues.
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

import numpy as np

from asymflat import config as _config
from asymflat.convergence import LadderError
from asymflat.io.results import ResultFileError

log = logging.getLogger("asymflat")

#: Modules adding subcommands: each has ``register(subparsers)`` setting ``func`` on its parser.
_EXTENSIONS: tuple[str, ...] = ("sweep", "distinct_minkowski")

EXIT_OK, EXIT_FAILED_CHECKS, EXIT_USAGE = 0, 1, 2


class _Progress:
    """A progress bar with ETA on a terminal, one log line per 10 % otherwise."""

    def __init__(self, label: str, quiet: bool):
        self.label, self.quiet = label, quiet
        self.tty = sys.stderr.isatty()
        self.t0 = time.perf_counter()
        self.next_log = 0.1

    def __call__(self, fraction: float) -> None:
        if self.quiet:
            return
        fraction = min(max(fraction, 0.0), 1.0)
        elapsed = time.perf_counter() - self.t0
        eta = elapsed * (1 - fraction) / fraction if fraction > 0 else float("nan")
        if self.tty:
            bar = "#" * int(30 * fraction)
            sys.stderr.write(f"\r{self.label} [{bar:<30}] {100 * fraction:5.1f}%  ETA {eta:6.1f} s")
            if fraction >= 1:
                sys.stderr.write("\n")
            sys.stderr.flush()
        elif fraction >= self.next_log or fraction >= 1:
            log.info("%s: %3.0f%% done, %.1f s elapsed, ETA %.1f s", self.label, 100 * fraction, elapsed, eta)
            while self.next_log <= fraction:
                self.next_log += 0.1


def _cmd_run(args: argparse.Namespace) -> int:
    from asymflat import api, runtime
    from solvers.characteristic import SolverError

    cfg, _ = api.resolve_config(args.config)
    api.validate_physics(cfg)
    if args.validate_only:
        print(f"{args.config}: valid ({cfg['kind']})")
        return EXIT_OK
    out = Path(args.output) if args.output else api.default_output(args.config)
    t0 = time.perf_counter()
    try:
        with runtime.handle_signals():
            result = api.run(args.config, out, progress=_Progress(Path(args.config).stem, args.quiet),
                             resume=args.resume, checkpoint=args.checkpoint)
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
    checks = result.checks
    n_ok = sum(c.passed for c in checks)
    result.close()
    if not args.quiet:
        print(f"wrote {out} in {time.perf_counter() - t0:.1f} s; checks: {n_ok}/{len(checks)} pass")
    return EXIT_OK


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

    with load(args.result) as r:
        r.verify()
        checks = r.checks
    rows = [
        {"name": c.name, "value": c.value, "tolerance": c.tolerance, "error_estimate": c.error_estimate,
         "safety_factor": c.safety_factor, "method": c.method, "passed": c.passed, "description": c.description}
        for c in checks
    ]
    ok = bool(rows) and all(r["passed"] for r in rows)
    if args.json:
        print(json.dumps({"result": str(args.result), "passed": ok, "checks": rows}, indent=2))
    else:
        if not rows:
            print(f"{args.result}: no checks stored")
        for row in rows:
            verdict = "PASS" if row["passed"] else "FAIL"
            print(f"{verdict}  {row['name']:<44} value {row['value']:.3e}  tolerance {row['tolerance']:.3e}"
                  f"  ({row['method']})")
        print(f"{sum(r['passed'] for r in rows)}/{len(rows)} checks pass")
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
    from asymflat import convergence
    from asymflat.api import load

    runs = [load(p) for p in args.results]
    try:
        h = convergence.check_ladder(runs)
        print(f"ladder: {len(runs)} runs, radial spacings " + ", ".join(f"{x:.4g}" for x in h))
        measured = []
        for side in ("scri_plus", "scri_minus"):
            if all(getattr(r, side) is not None for r in runs):
                for q in args.quantity:
                    conv = convergence.self_convergence(runs, q, side)
                    if np.all(np.isfinite(conv.differences)) and conv.differences.max() > 0:
                        measured.append(conv)
                        print(conv)
        for name, orders in convergence.check_orders(runs).items():
            print(f"diagnostics/checks/{name}: measured order(s) " + ", ".join(f"{p:.2f}" for p in orders))
        if args.plot and measured:
            from asymflat import plots

            print(plots.convergence_figure(measured, Path(args.plot)))
    finally:
        for r in runs:
            r.close()
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="asymflat", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="run a configuration and write its HDF5 result")
    r.add_argument("config", help="TOML run configuration (docs/config.md)")
    r.add_argument("-o", "--output", help="result file (default results/<config stem>.h5)")
    r.add_argument("--quiet", action="store_true", help="no progress output")
    r.add_argument("--validate-only", action="store_true", help="check the configuration and exit")
    r.add_argument("--resume", action="store_true",
                   help="continue from the newest valid checkpoint (bit-identical to an uninterrupted run)")
    r.add_argument("--checkpoint", help="checkpoint file (default <output>.checkpoint)")
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
    return p


def _user_error(msg: str) -> int:
    print(f"asymflat: error: {msg}", file=sys.stderr)
    return EXIT_USAGE


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr)
    log.setLevel(logging.INFO)
    args = build_parser().parse_args(argv)
    if getattr(args, "command", None) == "converge" and args.quantity is None:
        args.quantity = ["psi0", "mass_aspect", "angular_momentum_aspect"]
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except (_config.ConfigError, ResultFileError, LadderError) as exc:
        return _user_error(str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__)
    except ValueError as exc:  # parameter errors raised by the physics layer before any work
        return _user_error(" ".join(str(exc).split()))
    except KeyboardInterrupt:
        return _user_error("interrupted")


if __name__ == "__main__":
    sys.exit(main())
