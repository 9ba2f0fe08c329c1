"""What every command needs: the library checkout, the ids to work on, and the API's own errors."""

from __future__ import annotations

import os
from collections.abc import Iterable

from ..errors import CatalystError, Problem
from ..library import Project, discover_root


class CommandFailed(CatalystError):
    """Problems, plus the partial report a command produced before it failed.

    ``build`` still built the connectors that were fine and ``check`` still
    has its diffs: callers show ``report`` and then the problems.
    """

    def __init__(self, problems: list[Problem], report: object):
        super().__init__(problems)
        self.report = report


class MissingVariables(CatalystError):
    """``try_connector`` was not given a value for every ``${placeholder}`` of the URL, headers or payload."""

    def __init__(self, connector_id: str, names: list[str], unused: list[str] | None = None):
        super().__init__(
            Problem(f"{connector_id}: no value for the process variables {', '.join(names)}", code="CG607")
        )
        self.names = names
        self.unused = unused or []
        """The ``--var`` names given that are no placeholder of the connector (often the missing ones, misspelt)."""

    def usage(self) -> str:
        """The command-line message: each missing ``--var``, and what the unused ones were likely meant to be."""
        from ..suggest import closest

        notes = [
            f"--var {name}: did you mean {meant}?"
            if (meant := closest(name, self.names))
            else f"--var {name} is unused"
            for name in self.unused
        ]
        return (
            "missing "
            + ", ".join(f"--var {name}=..." for name in self.names)
            + (f" ({'; '.join(notes)})" if notes else "")
        )


def open_project(root: str | os.PathLike[str] | Project) -> Project:
    """The library checkout rooted at ``root`` (absolute, so cache keys do not depend on the cwd).

    A path must be a library root (it holds ``connectors/_library.yaml``): a
    command given any other folder says so and writes nothing there, not even
    its ``.catalyst-gen/`` state folder.
    """
    if isinstance(root, Project):
        return root
    return Project(discover_root(root))


def select_ids(project: Project, ids: Iterable[str] = ()) -> list[str]:
    """``ids`` without repeats, in the order given; every connector when none is given."""
    selected = list(dict.fromkeys(ids))
    if not selected:
        selected = project.connector_ids()
        if not selected:
            raise CatalystError(Problem(f"no connectors found in {project.connectors_dir}", code="CG602"))
    return selected
