"""TODO placeholders: the text ``catalyst-gen new`` leaves for the author to replace.

A *TODO placeholder* is a string value of a spec (the connector's file or a
preset it extends, after the merge) whose text begins with the upper-case word
``TODO``: ``TODO`` alone or followed by anything but a letter, digit or ``_``
(``TODO category``, ``TODO-model-id``, ``TODO: the tagline``).  Keys, comments
and a ``todo``/``TODOS`` elsewhere in a text are not placeholders, so a
description that mentions a to-do list is never flagged.

A scaffold builds (so the author sees it at once), but it must not ship:
``build`` and ``validate`` print each placeholder as a located warning (exit 0),
``check`` and ``package`` refuse them (exit 1).  Those located problems are
made here, from the spec's own value positions.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .errors import ERROR, WARNING, Problem, format_spec_path
from .loader import SpecSource, spec_strings

TODO_CODE = "CG370"
"""The code of a TODO placeholder (a warning for ``build``/``validate``, an error for ``check``/``package``)."""

TODO_MARKER = re.compile(r"TODO(?![A-Za-z0-9_])")
"""The marker, matched at the start of a value only."""


def is_placeholder(text: str) -> bool:
    """Does ``text`` begin with the ``TODO`` marker (leading spaces ignored)?"""
    return TODO_MARKER.match(text.lstrip()) is not None


def todo_placeholders(source: SpecSource) -> tuple[Problem, ...]:
    """Every TODO placeholder of a loaded spec, located where it was written, in file order."""
    found = [
        Problem(
            f"TODO placeholder: {text.strip()[:60]!r}",
            source.locate(path),
            path,
            f"replace it with the connector's real {format_spec_path(path)} "
            "(a value starting with TODO is text `catalyst-gen new` left for you)",
            code=TODO_CODE,
            severity=WARNING,
        )
        for text, path, is_key in spec_strings(source.data)
        if not is_key and is_placeholder(text)
    ]
    return tuple(sorted(found, key=Problem.sort_key))


def refused(placeholder: Problem) -> Problem:
    """The same placeholder as an error: what ``check`` and ``package`` report, since it must not ship."""
    return replace(placeholder, severity=ERROR)
