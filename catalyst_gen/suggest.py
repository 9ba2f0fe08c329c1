"""Near-miss suggestions ("did you mean ...?") for keys, enum values and names."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice ``word`` was most likely meant to be (same letters in another case first), or ``None``."""
    options = [str(c) for c in choices]
    lowered = {c.lower(): c for c in options}
    if str(word).lower() in lowered:
        return lowered[str(word).lower()]
    match = difflib.get_close_matches(
        str(word).lower(), list(lowered), n=1, cutoff=0.6
    )  # `OpenAI` is near `openai-chat`
    return lowered[match[0]] if match else None


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A hint naming the closest choice, or ``None`` when nothing is close."""
    match = closest(word, choices)
    return f"did you mean `{match}`?" if match is not None else None
