"""Near-miss suggestions ("did you mean ...?") for keys, enum values and names."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A hint naming the closest choice, or ``None`` when nothing is close."""
    choices = [str(c) for c in choices]
    lowered = {c.lower(): c for c in choices}
    if str(word).lower() in lowered:
        return f"did you mean `{lowered[str(word).lower()]}`?"
    match = difflib.get_close_matches(str(word), choices, n=1, cutoff=0.6)
    return f"did you mean `{match[0]}`?" if match else None
