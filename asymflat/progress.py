"""Progress of a run that tells the truth: every phase reports, ETA from the remaining work.

The protocol between :func:`asymflat.api.run` and a run kind is a callback
``progress(fraction, phase=None)``: ``fraction`` in [0, 1] is the share of the run's *whole*
estimated work done so far (evolutions, post-processing, writing), ``phase`` a short name of
what runs now (``"level 2/3 (u0 = -8): evolution"``).  A kind splits its work into weighted
phases with :class:`Phases`; a kind that passes no phase is shown as ``evolution``.

:class:`RunProgress` displays it: a tqdm bar on a terminal (one line, rewritten; log lines and
warnings go through ``tqdm.write`` so nothing is glued onto the bar; closed with a newline at
100 % or where the run stopped), one log line per 10 % and per phase change otherwise.  The ETA
is the remaining work divided by the rate measured *in this process*: (f - f0) / elapsed, with f0
= 0 for a fresh run and, for ``--resume``, the first fraction reported (where the checkpoint left
off), so a resume that starts at 60 % does not count the 60 % done earlier as done in no time.  tqdm (a well-kept library) draws the bar; the
rate arithmetic is its own with ``initial`` = f0 and ``smoothing = 0`` (average rate).
"""
from __future__ import annotations

import contextlib
import io
import logging
import os
import sys
import time
from typing import Any, Callable, Iterator, Sequence, TextIO

log = logging.getLogger("asymflat")

#: units of the bar (the fraction is shown as a percentage of these)
_TOTAL = 1000


def report(progress: Callable[..., None] | None, fraction: float, phase: str | None = None) -> None:
    """Call ``progress(fraction, phase)``, or ``progress(fraction)`` for a one-argument callback."""
    if progress is None:
        return
    if phase is None:
        progress(fraction)
        return
    try:
        progress(fraction, phase)
    except TypeError:  # a user's progress(fraction) callback
        progress(fraction)


class Phases:
    """Split a run's [0, 1] progress over named phases with weights (estimated work).

    ``Phases(progress, [("level 1/3: evolution", 29.0), ("balance tables", 12.0), ...])``;
    :meth:`part` returns the callback of one phase, taking the fraction *within* that phase
    (and adapting to the solver's ``(step, nsteps, u)`` signature via :meth:`steps`).
    """

    def __init__(self, progress: Callable[..., None] | None, phases: Sequence[tuple[str, float]]):
        self.progress = progress
        self.names = [n for n, _ in phases]
        w = [max(float(x), 0.0) for _, x in phases]
        total = sum(w) or 1.0
        self.start = [sum(w[:i]) / total for i in range(len(w))]
        self.weight = [x / total for x in w]

    def _index(self, name: str) -> int:
        return self.names.index(name)

    def begin(self, name: str) -> None:
        """Report the start of phase ``name``."""
        i = self._index(name)
        report(self.progress, self.start[i], name)

    def part(self, name: str) -> Callable[[float], None] | None:
        """``f -> progress(start + weight * f, name)`` for phase ``name`` (None without progress)."""
        if self.progress is None:
            return None
        i = self._index(name)
        return lambda f: report(self.progress, self.start[i] + self.weight[i] * min(max(f, 0.0), 1.0), name)

    def steps(self, name: str, start: float = 0.0, weight: float = 1.0) -> Callable[[int, int, float], None] | None:
        """The solver's ``progress(step, nsteps, u)`` for the sub-range [start, start + weight] of a phase."""
        part = self.part(name)
        if part is None:
            return None
        return lambda step, n, u: part(start + weight * step / max(n, 1))

    def end(self) -> None:
        """Report the end of the last phase (fraction 1)."""
        report(self.progress, 1.0, self.names[-1] if self.names else None)


class RunProgress:
    """The ``asymflat run`` display of ``progress(fraction, phase)`` (see the module docstring)."""

    def __init__(self, label: str, quiet: bool = False, stream: TextIO | None = None, tty: bool | None = None,
                 resume: bool = False):
        self.label, self.quiet, self.resume = label, quiet, resume
        self.stream = sys.stderr if stream is None else stream
        self.tty = bool(self.stream.isatty()) if tty is None else tty
        self.t0 = time.perf_counter()
        self.f0: float | None = None
        self.fraction = 0.0
        self.phase = ""
        self.next_log = 0.1
        self.bar: Any = None
        self.closed = False

    # -- the rate measured in this process -------------------------------------------------------
    def eta(self) -> float:
        """Seconds left: remaining work / rate of this process (NaN before any work is measured)."""
        if self.f0 is None or self.fraction <= self.f0:
            return float("nan")
        rate = (self.fraction - self.f0) / (time.perf_counter() - self.t0)
        return (1.0 - self.fraction) / rate

    def __call__(self, fraction: float, phase: str | None = None) -> None:
        if self.quiet or self.closed:
            return
        fraction = min(max(float(fraction), 0.0), 1.0)
        if self.f0 is None:  # a resumed run starts where its checkpoint was: that work took no time here
            self.f0 = fraction if self.resume else 0.0
            if self.resume:
                self.t0 = time.perf_counter()
                if fraction > 0:
                    log.info("%s: resumed at %.0f%% (ETA from the work done in this process)", self.label,
                             100 * fraction)
        changed = phase is not None and phase != self.phase
        self.fraction = max(fraction, self.fraction)
        if phase is not None:
            self.phase = phase
        if self.tty:
            self._draw()
        elif changed or self.fraction >= self.next_log or self.fraction >= 1:
            elapsed = time.perf_counter() - self.t0
            log.info("%s: %3.0f%% done (%s), %.1f s elapsed, ETA %.1f s", self.label, 100 * self.fraction,
                     self.phase or "evolution", elapsed, self.eta())
            while self.next_log <= self.fraction:
                self.next_log += 0.1

    def _draw(self) -> None:
        if self.bar is None:
            from tqdm import tqdm

            try:  # a terminal that reports no size (0 columns: some ptys) gets 100 columns
                sized = os.get_terminal_size(self.stream.fileno()).columns > 0
            except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
                sized = False
            self.bar = tqdm(total=_TOTAL, initial=int(round(_TOTAL * (self.f0 or 0.0))), desc=self.label,
                            file=self.stream, smoothing=0, dynamic_ncols=sized, ncols=None if sized else 100, nrows=None if sized else 24,
                            leave=True, mininterval=0.1, miniters=1,
                            bar_format="{desc}: {percentage:5.1f}%|{bar}| {elapsed}<{remaining}{postfix}")
            self.bar.start_t = time.time() - (time.perf_counter() - self.t0)
        self.bar.set_postfix_str(self.phase or "evolution", refresh=False)
        self.bar.update(int(round(_TOTAL * self.fraction)) - self.bar.n)

    def close(self, complete: bool = True) -> None:
        """End the display: a finished bar at 100 % (``complete``) or left where the run stopped,
        followed by a newline (nothing later is glued onto it)."""
        if self.closed:
            return
        self.closed = True
        if self.bar is not None:
            if complete:
                self.bar.set_postfix_str("done", refresh=False)
                self.bar.update(_TOTAL - self.bar.n)
            self.bar.close()
        elif complete and not self.quiet and not self.tty and self.f0 is not None and self.next_log <= 1.0:
            log.info("%s: 100%% done, %.1f s elapsed", self.label, time.perf_counter() - self.t0)

    @contextlib.contextmanager
    def logging_through_bar(self) -> Iterator["RunProgress"]:
        """Route asymflat's log lines through ``tqdm.write`` while the bar is shown (no glued lines)."""
        if self.quiet or not self.tty:
            yield self
            return
        from tqdm.contrib.logging import logging_redirect_tqdm

        with logging_redirect_tqdm(loggers=[log]):
            yield self
