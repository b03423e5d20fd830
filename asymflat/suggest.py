""""Did you mean ...?" for a mistyped key, section or name (difflib's close matches).

Used by the configuration and sweep-file checks so that a typo is answered with the one or two
keys it was probably meant to be, instead of every allowed key.
"""
from __future__ import annotations

import difflib
from typing import Iterable


def close_matches(word: str, choices: Iterable[str], n: int = 2, cutoff: float = 0.75) -> list[str]:
    """The ``choices`` closest to ``word`` (difflib ratio >= ``cutoff``), best first.

    When nothing is close as a whole, the last dotted part is compared alone within the same
    section (``grid.nphii`` against ``nphi``), so a typo in the key of a known section is found.
    """
    choices = list(dict.fromkeys(choices))
    found = difflib.get_close_matches(word, choices, n=n, cutoff=cutoff)
    if not found and "." in word:
        head, _, tail = word.rpartition(".")
        same = [c.rpartition(".")[2] for c in choices if c.rpartition(".")[0] == head]
        found = [f"{head}.{t}" for t in difflib.get_close_matches(tail, same, n=n, cutoff=cutoff)]
    return found


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` (or ``'x' or 'y'``), or ``""`` when nothing is close."""
    found = close_matches(word, choices)
    if not found:
        return ""
    return "; did you mean " + " or ".join(repr(f) for f in found) + "?"
