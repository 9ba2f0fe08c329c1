"""The JSON path dialect of response mappings: ``choices[0].message.content``.

Grammar (whitespace is not allowed anywhere)::

    path    := first ( "." key | "[" index "]" | "[" quoted "]" )*
    first   := key | "[" index "]" | "[" quoted "]"
    key     := [A-Za-z_][A-Za-z0-9_$-]*   (a leading "$" is refused: it is not a root marker here)
    index   := "0" | [1-9][0-9]*
    quoted  := '"' any characters but '"' '"'   (for keys such as "x-request-id")

The same parser serves the spec validator (so a bad path fails the build)
and the reference runtime (so the build and the runtime agree on what a path means).
"""

from __future__ import annotations

import re

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_$-]*")
_INDEX = re.compile(r"\[(0|[1-9][0-9]*)\]")
_QUOTED = re.compile(r'\["([^"]+)"\]')


MAX_INDEX_DIGITS = 9
"""An array index of at most 9 digits; a longer one names no element of any real response
(and a 5,000-digit one would not even convert to a number)."""


class JsonPathError(ValueError):
    """A path that does not parse; the message names the character position (from 1)."""


def parse_json_path(text: str) -> tuple[str | int, ...]:
    """Split a path into keys (str) and list indexes (int), or raise :class:`JsonPathError`."""
    if not isinstance(text, str) or not text:
        raise JsonPathError("the path is empty")
    parts: list[str | int] = []
    pos = 0
    while pos < len(text):
        if pos == 0 or text[pos] == "[":
            pass
        elif text[pos] == ".":
            pos += 1
            match = _KEY.match(text, pos)
            if not match:
                raise JsonPathError(f"expected a key after '.' at position {pos + 1}")
            parts.append(match.group())
            pos = match.end()
            continue
        else:
            raise JsonPathError(f"unexpected {text[pos]!r} at position {pos + 1}")
        if match := _INDEX.match(text, pos):
            if len(match.group(1)) > MAX_INDEX_DIGITS:
                raise JsonPathError(f"index [{match.group(1)[:12]}...] is larger than any array (position {pos + 1})")
            parts.append(int(match.group(1)))
        elif match := _QUOTED.match(text, pos):
            parts.append(match.group(1))
        elif pos == 0 and (match := _KEY.match(text, pos)):
            parts.append(match.group())
        else:
            what = "an index like [0]" if text[pos] == "[" else "a key"
            raise JsonPathError(f"expected {what} at position {pos + 1}")
        pos = match.end()
    return tuple(parts)


def resolve(document, path: str):
    """Value at ``path`` inside parsed JSON, or ``None`` when any step is missing."""
    value = document
    for part in parse_json_path(path):
        if isinstance(part, int):
            if not isinstance(value, list) or part >= len(value):
                return None
        elif not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value
