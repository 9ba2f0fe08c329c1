"""Problems for machines: ``--format json`` and ``--format github``.

``text`` (the default) is :meth:`Problem.format`, for people.  CI wants the
same problems as data: ``json`` prints one document,
``{"version": 1, "problems": [...]}`` (an empty list on success), whose shape
``catalyst_gen/schema/diagnostics.schema.json`` fixes; ``github`` prints one
GitHub Actions workflow command per problem
(``::error file=...,line=...,col=...,endLine=...,endColumn=...,title=CG202::message``),
which GitHub shows as annotations on the pull request's diff.

The end of the offending text is derived here, cheaply, from the source line
(the loader records where a value starts, not where it ends): a quoted
scalar ends at its closing quote, a plain one before ``#`` or a flow
separator, a key before its colon.  The file is read as the text excerpt
reads it (:func:`catalyst_gen.errors.excerpt_source`: no links, regular
files of spec size only); otherwise the end equals the start.
"""

from __future__ import annotations

import json
from pathlib import Path

from .errors import Location, Problem, display_path, excerpt_source, format_spec_path

FORMATS = ("text", "json", "github")
FORMAT_VERSION = 1


class _Sources:
    """Each file's lines, read at most once per report."""

    def __init__(self) -> None:
        self.lines: dict[Path, list[str]] = {}

    def line(self, location: Location) -> str | None:
        path = Path(location.file)
        if path not in self.lines:
            text = excerpt_source(path)
            self.lines[path] = text.splitlines() if text is not None else []
        lines = self.lines[path]
        return lines[location.line - 1] if 0 < location.line <= len(lines) else None


def token_end(line: str, column: int) -> int:
    """The column just past the YAML token starting at ``column`` (1-based) of ``line``."""
    start = column - 1
    if start >= len(line) or start < 0:
        return column
    quote = line[start]
    if quote in "\"'":
        index = start + 1
        while index < len(line):
            char = line[index]
            if quote == '"' and char == "\\":
                index += 2
                continue
            if char == quote:
                if quote == "'" and line[index + 1 : index + 2] == "'":
                    index += 2
                    continue
                return index + 2
            index += 1
        return len(line) + 1
    index = start
    while index < len(line):
        rest = line[index:]
        if rest.startswith(" #") or rest[0] in ",]}" or rest.startswith(": ") or rest == ":":
            break
        index += 1
    end = len(line[:index].rstrip()) + 1
    return max(end, column + 1)


def end_of(problem: Problem, sources: _Sources) -> tuple[int, int] | None:
    """``(line, column)`` just past the offending text; the start when it cannot be told."""
    location = problem.location
    if location is None:
        return None
    if problem.end is not None:
        return problem.end
    line = sources.line(location)
    if line is None:
        return (location.line, location.column)
    return (location.line, token_end(line, location.column))


def record(problem: Problem, sources: _Sources | None = None) -> dict:
    """One problem as the JSON object the schema describes."""
    location = problem.location
    end = end_of(problem, sources or _Sources())
    file = location.file if location else problem.file
    return {
        "file": display_path(Path(file)) if file is not None else None,
        "line": location.line if location else None,
        "column": location.column if location else None,
        "end": {"line": end[0], "column": end[1]} if end else None,
        "severity": problem.severity,
        "code": problem.code,
        "message": problem.message,
        "path": format_spec_path(problem.path) if problem.path else None,
        "hint": problem.hint,
    }


def to_json(problems: list[Problem]) -> str:
    """The whole ``--format json`` document: stable key order, one line per problem is not promised."""
    sources = _Sources()
    document = {"version": FORMAT_VERSION, "problems": [record(p, sources) for p in problems]}
    return json.dumps(document, indent=2, ensure_ascii=False)


def escape_data(text: str) -> str:
    """GitHub's escaping of a workflow command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """GitHub's escaping of a workflow command's property value (``:`` and ``,`` separate properties)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(problem: Problem, sources: _Sources | None = None) -> str:
    """One ``::error ...::message`` (or ``::warning``) line; the hint follows the message on its own line."""
    item = record(problem, sources)
    props = []
    if item["file"] is not None:
        props.append(("file", item["file"]))
    if item["line"] is not None:
        props += [("line", item["line"]), ("col", item["column"])]
        props += [("endLine", item["end"]["line"]), ("endColumn", item["end"]["column"])]
    props.append(("title", item["code"]))
    message = f"{item['path']}: {item['message']}" if item["path"] else item["message"]
    if item["hint"]:
        message += f"\nhint: {item['hint']}"
    joined = ",".join(f"{key}={escape_property(str(value))}" for key, value in props)
    return f"::{item['severity']} {joined}::{escape_data(message)}"


def to_github(problems: list[Problem]) -> str:
    """Every problem as a workflow command, one per line ("" when there are none)."""
    sources = _Sources()
    return "".join(annotation(p, sources) + "\n" for p in problems)


def render(problems: list[Problem], output_format: str) -> str:
    """What ``--format json``/``github`` prints on stdout for ``problems`` (empty on success)."""
    if output_format == "json":
        return to_json(problems) + "\n"
    if output_format == "github":
        return to_github(problems)
    raise ValueError(f"not a machine format: {output_format!r}")
