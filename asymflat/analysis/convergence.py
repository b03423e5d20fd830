"""Self-convergence of a ladder of runs that differ only in resolution (docs/config.md).

For three runs with radial spacings h_c > h_m > h_f, a quantity q converging as q_h = q + C h^p
gives the measured order

    p = log(|q_c - q_m| / |q_m - q_f|) / log(h_c / h_m)        (h_c/h_m = h_m/h_f),

evaluated in the max norm over the common (time, phi) points of the coarsest run. Finer data are
brought to those points by 6-point Lagrange interpolation in time (exact for the sample points
when the grids nest) and trigonometric (Fourier) interpolation in phi, so the comparison adds
no error of lower order than the scheme's.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from asymflat import config as _config
from asymflat.result import Result


class LadderError(ValueError):
    """Runs that cannot form a convergence ladder; the message names the offending key."""


@dataclass
class Convergence:
    """Measured self-convergence of one quantity over a ladder (coarse to fine)."""

    quantity: str
    spacings: np.ndarray        #: radial spacing h = 1/(nx - 1) of each run
    differences: np.ndarray     #: max |q_i - q_{i+1}| on the common points
    orders: np.ndarray          #: measured order from each consecutive triple

    def __str__(self) -> str:
        diffs = ", ".join(f"{d:.3e}" for d in self.differences)
        orders = ", ".join(f"{p:.2f}" for p in self.orders)
        return f"{self.quantity}: differences [{diffs}], measured order(s) [{orders}]"


def check_ladder(results: Sequence[Result]) -> list[float]:
    """Refuse runs whose configurations differ in anything but the resolution keys.

    Returns the radial spacings h = 1/(nx-1), which must decrease by a constant ratio.
    """
    if len(results) < 3:
        raise LadderError(f"a convergence ladder needs at least 3 runs, got {len(results)}")
    cfgs = [r.config for r in results]
    for r, c in zip(results[1:], cfgs[1:]):
        diff = [k for k in _config.differing_keys(cfgs[0], c) if k not in _config.RESOLUTION_KEYS]
        if diff:
            k = diff[0]
            raise LadderError(
                f"{r.path}: {k} = {_config.get(c, k)!r} differs from {results[0].path} "
                f"({_config.get(cfgs[0], k)!r}); only {', '.join(_config.RESOLUTION_KEYS)} may vary"
            )
    h = [1.0 / (c["grid"]["nx"] - 1) for c in cfgs]
    ratios = [h[i] / h[i + 1] for i in range(len(h) - 1)]
    if any(q <= 1 for q in ratios) or max(ratios) - min(ratios) > 1e-9 * max(ratios):
        raise LadderError(f"grid.nx must increase by a constant ratio from run to run; spacings {h}")
    return h


def _fourier_resample(values: np.ndarray, n_out: int) -> np.ndarray:
    """Trigonometric interpolation of periodic rows (last axis) onto n_out uniform points."""
    n_in = values.shape[-1]
    if n_in == n_out:
        return values
    spec = np.fft.rfft(values, axis=-1)
    keep = min(n_in, n_out) // 2
    out = np.zeros(values.shape[:-1] + (n_out // 2 + 1,), dtype=complex)
    out[..., :keep] = spec[..., :keep]
    return np.fft.irfft(out, n=n_out, axis=-1) * (n_out / n_in)


def _lagrange_in_time(t_src: np.ndarray, values: np.ndarray, t_dst: np.ndarray, npts: int = 6) -> np.ndarray:
    """Local Lagrange interpolation of rows ``values[k]`` at times ``t_src`` onto ``t_dst``."""
    out = np.empty((len(t_dst),) + values.shape[1:])
    n = len(t_src)
    for i, t in enumerate(t_dst):
        k = int(np.clip(np.searchsorted(t_src, t) - npts // 2, 0, max(n - npts, 0)))
        nodes = t_src[k:k + npts]
        w = np.array([np.prod([(t - nodes[m]) / (nodes[l] - nodes[m]) for m in range(len(nodes)) if m != l])
                      for l in range(len(nodes))])
        out[i] = np.tensordot(w, values[k:k + npts], axes=1)
    return out


def on_common_points(results: Sequence[Result], quantity: str, side: str = "scri_plus") -> list[np.ndarray]:
    """``quantity`` of each run at the (time, phi) points of the coarsest run."""
    views = [getattr(r, side) for r in results]
    if any(v is None for v in views):
        raise LadderError(f"every run of the ladder needs /{side}")
    t0 = views[0].time
    nphi0 = views[0].phi.size
    out = []
    for v in views:
        t = v.time
        if t[0] > t0[0] + 1e-12 or t[-1] < t0[-1] - 1e-12:
            raise LadderError(f"{side}: time ranges differ between runs; cannot compare")
        data = _fourier_resample(np.asarray(getattr(v, quantity), dtype=float), nphi0)
        out.append(_lagrange_in_time(t, data, t0))
    return out


def self_convergence(results: Sequence[Result], quantity: str = "psi0", side: str = "scri_plus") -> Convergence:
    """Measured self-convergence order of ``side/quantity`` over a resolution ladder."""
    h = np.array(check_ladder(results))
    data = on_common_points(results, quantity, side)
    diffs = np.array([np.max(np.abs(data[i] - data[i + 1])) for i in range(len(data) - 1)])
    ratio = h[0] / h[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        orders = np.log(diffs[:-1] / diffs[1:]) / np.log(ratio)
    return Convergence(f"{side}/{quantity}", h, diffs, orders)


def check_orders(results: Sequence[Result]) -> dict[str, np.ndarray]:
    """Measured order of every stored check value that behaves like an error (-> 0 with h).

    p = log(|v_c| / |v_m|) / log(h_c / h_m) for each consecutive pair.
    """
    h = np.array(check_ladder(results))
    tables = [{c.name: c.value for c in r.checks} for r in results]
    names = sorted(set.intersection(*(set(t) for t in tables)))
    out = {}
    for name in names:
        v = np.abs(np.array([t[name] for t in tables]))
        if np.all(v > 0) and np.all(np.isfinite(v)):
            out[name] = np.log(v[:-1] / v[1:]) / np.log(h[:-1] / h[1:])
    return out
