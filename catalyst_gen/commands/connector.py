"""``new``, ``try`` and ``diagram``: the commands a connector author runs on one connector."""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .. import versions
from ..build import build_connector
from ..errors import WARNING, CatalystError, Problem
from ..library import Project
from ..model import Connector
from ..output import exclusive, write_connectors
from ..suggest import did_you_mean
from .common import MissingVariables, open_project

if TYPE_CHECKING:
    from .. import runtime


@dataclass(frozen=True)
class NewConnector:
    """The connector ``create_connector`` scaffolded, where its spec is, and the TODO placeholders left in it."""

    connector: Connector
    spec_path: Path
    root: Path
    todos: tuple[Problem, ...] = ()


def create_connector(
    root: str | os.PathLike[str] | Project,
    connector_id: str,
    *,
    name: str | None = None,
    preset: str | None = None,
    url: str | None = None,
    auth: str | None = None,
) -> NewConnector:
    """Scaffold ``connectors/<id>/connector.yaml`` from ``templates/scaffold/``, build it and record its version.

    The new connector passes ``validate`` at once: ``dist/<id>/`` is written and
    its first version is recorded in ``_versions.lock`` as a draft, which each
    build keeps up to date until no TODO placeholder is left
    (:func:`catalyst_gen.versions.refresh_drafts`), so no ``bump`` is needed.
    Nothing is left behind when the scaffold does not build (a bug in the
    scaffold template): the new folder is removed and the problems raised.
    """
    from ..scaffold import render_spec, write_new_connector

    project = open_project(root)
    with exclusive(project.state_dir):
        text = render_spec(project, connector_id, name=name, preset=preset, url=url, auth=auth)
        _refuse_released_id(project, connector_id)
        path = write_new_connector(project, connector_id, text)
        try:
            built = build_connector(project, connector_id)
            lock = versions.read_lock(project)
        except CatalystError as exc:
            shutil.rmtree(path.parent)
            options = {"name": name, "preset": preset, "url": url, "auth": auth}
            raise _scaffold_failure(project, connector_id, exc, options) from None
        template = built.files[built.connector.file_names["element_template"]]
        lock[connector_id] = versions.lock_entry(built.connector.version, template, draft=bool(built.todos))
        write_connectors(project.dist_dir, project.state_dir, {connector_id: built.files})
        versions.write_lock(project, lock)
    return NewConnector(built.connector, path, project.root, built.todos)


def _scaffold_failure(project: Project, connector_id: str, failure: CatalystError, options: dict) -> CatalystError:
    """The scaffold did not build: name the option that made it fail, else it is the scaffold's fault.

    A value given with ``--name`` or ``--url`` is copied into the spec (the name into several
    places), and the spec's own rules judge it there.  So the scaffold is built once more
    without each given option: the one without which it builds is the one to blame, with the
    problem the spec check found in it."""
    from ..scaffold import render_spec, write_new_connector

    for option in ("name", "url"):
        if options[option] is None:
            continue
        path = write_new_connector(
            project, connector_id, render_spec(project, connector_id, **{**options, option: None})
        )
        try:
            build_connector(project, connector_id)
        except CatalystError:
            continue
        finally:
            shutil.rmtree(path.parent)
        first = failure.problems[0]
        return CatalystError(Problem(f"--{option} {options[option]!r}: {first.message}", hint=first.hint, code="CG612"))
    return CatalystError(
        [Problem("the scaffold does not build (a bug in templates/scaffold/)", code="CG605"), *failure.problems]
    )


def _refuse_released_id(project: Project, connector_id: str) -> None:
    """An id the version record knows was in the library before: a new connector must not reuse its versions."""
    recorded = versions.read_lock(project).get(connector_id)
    if recorded is not None:
        raise CatalystError(
            Problem(
                f"connector id {connector_id!r} is recorded in {versions.LOCK_FILE} (version {recorded['version']}): "
                "it was in this library before",
                hint="choose another id, or restore the old connector from git and edit it",
                code="CG610",
            )
        )


@dataclass(frozen=True)
class TryReport:
    """The connector and what one call of it left behind (variables, maybe a BPMN error)."""

    connector: Connector
    outcome: runtime.Outcome
    warnings: tuple[Problem, ...] = ()
    """A ``--var`` that is no placeholder of the connector: its value was not used."""

    @property
    def success(self) -> bool:
        return self.outcome.success


def try_connector(
    root: str | os.PathLike[str] | Project,
    connector_id: str,
    variables: Mapping[str, str],
    *,
    base_url: str | None = None,
    secrets_dir: str | os.PathLike[str] | None = None,
    properties_path: str | os.PathLike[str] | None = None,
) -> TryReport:
    """Call the connector once, as the Catalyst runtime would, with ``variables`` as process variables.

    Uses the connector's example task, freshly generated from the spec, and
    the Python reference of the runtime (:mod:`catalyst_gen.runtime`).  A
    failed call is a result (``report.success`` is False); a missing secret or
    a broken contract raises :class:`CatalystError`, missing variables
    :class:`MissingVariables`.
    """
    from .. import contract, runtime

    project = open_project(root)
    built = build_connector(project, connector_id)
    names = [p.name for p in built.connector.placeholders]
    missing = [name for name in names if name not in variables]
    unused = [name for name in variables if name not in names]
    if missing:
        raise MissingVariables(connector_id, missing, unused)
    warnings = tuple(
        Problem(
            f"--var {name}: {connector_id} has no placeholder `${{{name}}}`, so the value is not used",
            hint=did_you_mean(name, names) or f"its placeholders: {', '.join(names) or 'none'}",
            code="CG613",
            severity=WARNING,
        )
        for name in unused
    )
    example = built.files[built.connector.file_names["example"]]
    try:
        outcome = runtime.try_connector(
            example,
            dict(variables),
            base_url=base_url,
            secrets_dir=secrets_dir or contract.SECRETS_DIR,
            properties_path=properties_path,
        )
    except runtime.RuntimeContractError as exc:
        raise CatalystError(Problem(str(exc), hint=_try_hint(str(exc)), code="CG608")) from None
    return TryReport(built.connector, outcome, warnings)


def _try_hint(message: str) -> str:
    """What to change for a ``try`` the runtime refused, by what its message is about."""
    if "base URL" in message:
        return "give --base-url as scheme://host:port, e.g. http://127.0.0.1:8080"
    if "secret" in message:
        return (
            "set the secret where its source looks (the environment, --secrets-dir or --properties; "
            "see the connector README's Secret Sources)"
        )
    if "process variable" in message:
        return "give the variable a value the rule in the message takes: --var name=value"
    return "fix the connector's spec (the task's inputs come from it), then try again"


@dataclass(frozen=True)
class DiagramReport:
    """The connector whose example process was drawn, and the PNG written."""

    connector: Connector
    png_path: Path


def render_diagram(
    root: str | os.PathLike[str] | Project,
    connector_id: str,
    png_path: str | os.PathLike[str],
    *,
    scale: float = 2.0,
) -> DiagramReport:
    """Render the example process picture to a PNG at ``png_path`` (the SVG is in ``dist/<id>/``)."""
    from ..diagram import render_diagram_png

    project = open_project(root)
    built = build_connector(project, connector_id)
    svg = built.files[built.connector.file_names["diagram"]]
    Path(png_path).write_bytes(render_diagram_png(svg, scale=scale))
    return DiagramReport(built.connector, Path(png_path))
