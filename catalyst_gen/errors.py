"""Problems the tool reports to people, with where they are and how to fix them.

Every stage raises :class:`CatalystError` (or a subclass) carrying one or more
:class:`Problem` objects; the CLI prints them and exits 1.  Nothing else is
allowed to escape to the user as a traceback.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

ERROR, WARNING = "error", "warning"
SEVERITIES = (ERROR, WARNING)
GENERIC_CODE, ENVIRONMENT_CODE = "CG900", "CG901"
"""Codes this module gives itself (registered in :mod:`catalyst_gen.codes` like all others)."""


@dataclass(frozen=True, order=True)
class Location:
    """A place in a source file; line and column count from 1, like editors do."""

    file: Path
    line: int
    column: int

    def __str__(self) -> str:
        return f"{display_path(self.file)}:{self.line}:{self.column}"


def display_path(path: Path) -> str:
    """Path relative to the working directory when it is inside it (shorter, clickable)."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def format_spec_path(path: tuple) -> str:
    """``('errors', '401', 'code')`` -> ``errors.401.code``; list indexes as ``[0]``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(document)"


@dataclass(frozen=True)
class Problem:
    """One thing wrong: what, where (file position and spec path) and how to fix it.

    ``code`` is the problem's stable id (:mod:`catalyst_gen.codes`; machine
    output and the README's table use it), required so no problem goes
    without one.  ``severity`` is ``"error"`` (the command fails) or
    ``"warning"`` (printed, the command still succeeds).  ``end`` is the
    ``(line, column)`` just past the offending text when the stage knows it;
    machine output otherwise derives it from the source (:mod:`catalyst_gen.diagnostics`).
    ``file`` names the file a problem is about when there is no position in
    it (a stale ``dist/`` file): machine output reports it, the text form is
    unchanged.
    """

    message: str
    location: Location | None = None
    path: tuple = ()
    hint: str | None = None
    code: str = field(kw_only=True)
    severity: str = field(default=ERROR, kw_only=True)
    end: tuple[int, int] | None = field(default=None, kw_only=True)
    file: Path | None = field(default=None, kw_only=True)

    def __post_init__(self) -> None:
        from . import codes  # the registry is only needed once a problem exists (not on an unchanged build)

        if not codes.is_registered(self.code):
            raise ValueError(f"problem code {self.code!r} is not registered in catalyst_gen/codes.py")
        if self.severity not in SEVERITIES:
            raise ValueError(f"problem severity {self.severity!r} is not one of {SEVERITIES}")

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def sort_key(self):
        loc = self.location
        return (str(loc.file) if loc else "", loc.line if loc else 0, loc.column if loc else 0, self.message)

    def format(self) -> str:
        where = f"{self.location}: " if self.location else ""
        spec_path = f"{format_spec_path(self.path)}: " if self.path else ""
        lines = [f"{where}{self.severity}: {spec_path}{self.message}"]
        snippet = _snippet(self.location)
        if snippet:
            lines.extend(snippet)
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(lines)


def _snippet(location: Location | None) -> list[str]:
    """The offending source line with a caret under the column.

    The file is read again here, so only when it is reached without any link
    and is a regular file of spec size: an excerpt must never show a line of a
    file outside the library (CI logs are public; its environment is not).
    """
    if location is None or location.line < 1:
        return []
    text = excerpt_source(Path(location.file))
    if text is None:
        return []
    source_lines = text.splitlines()
    if location.line > len(source_lines):
        return []
    line = source_lines[location.line - 1].replace("\t", " ")
    if len(line) > 160:
        line = line[:157] + "..."
    gutter = f"{location.line:>5} | "
    caret = " " * (len(gutter) - 2) + "| " + " " * max(location.column - 1, 0) + "^"
    return [gutter + line, caret]


def excerpt_source(path: Path, limit: int = 1 << 20) -> str | None:
    try:
        if path.resolve() != path.absolute():
            return None  # reached through a link: do not quote it
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None
            data = handle.read(limit + 1)
    except OSError:
        return None
    return None if len(data) > limit else data.decode("utf-8-sig", errors="replace")


class CatalystError(Exception):
    """A failure meant for the user: one or more problems, no traceback."""

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):  # prefer a Problem with its own code
            problems = [Problem(problems, code=GENERIC_CODE)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems = sorted(problems, key=Problem.sort_key)
        super().__init__("\n".join(p.format() for p in self.problems))

    def format(self) -> str:
        return "\n".join(p.format() for p in self.problems)


class SpecError(CatalystError):
    """The connector spec (or a preset, or the library config) is wrong."""


class CheckError(CatalystError):
    """A generated artifact failed one of the checks run on every build."""


@dataclass
class ProblemList:
    """Collects problems so a stage can report all of them at once."""

    problems: list[Problem] = field(default_factory=list)

    def add(
        self,
        message: str,
        location: Location | None = None,
        path: tuple = (),
        hint: str | None = None,
        *,
        code: str,
        severity: str = ERROR,
    ) -> None:
        self.problems.append(Problem(message, location, tuple(path), hint, code=code, severity=severity))

    def raise_if_any(self, error_class: type[CatalystError] = SpecError) -> None:
        """Raise with every problem (warnings included) when any is an error; warnings alone do not stop a stage."""
        if any(p.is_error for p in self.problems):
            raise error_class(self.problems)

    def __bool__(self) -> bool:
        return bool(self.problems)


_ENVIRONMENT_HINTS = {
    errno.ENOSPC: "free disk space, then run the command again (dist/ was left as it was)",
    errno.EDQUOT: "free space within your disk quota, then run the command again",
    errno.EROFS: "the file system is read-only: run from a writable copy of the library",
    errno.EACCES: "you may not write or read here: fix the permissions, or run from a copy you own",
    errno.EPERM: "the operation is not permitted here: fix the permissions, or run from a copy you own",
    errno.ENOENT: "check that the path exists (create the folder first)",
    errno.ENOTDIR: "a part of the path is a file, not a folder: check the path",
    errno.EISDIR: "give a file path, not a folder",
    errno.ELOOP: "the path is a symbolic link or a loop of links: replace it with a real file or folder",
}


def environment_problem(exc: OSError) -> Problem:
    """An operating-system failure (full disk, read-only checkout, missing folder) as one message and a fix.

    These are not bugs: the environment refused something, and the person running
    the command can fix it.  The command-line handler turns every uncaught
    :class:`OSError` into this problem instead of an "internal error".
    """
    where = f" {exc.filename}" if exc.filename else ""
    what = exc.strerror or str(exc) or type(exc).__name__
    hint = _ENVIRONMENT_HINTS.get(exc.errno or 0, "check the path and the file system, then run the command again")
    return Problem(f"cannot use{where}: {what}", hint=hint, code=ENVIRONMENT_CODE)
