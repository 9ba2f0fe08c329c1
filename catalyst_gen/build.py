"""The pipeline for one connector: load -> validate -> model -> render -> check.

It returns the artifacts in memory; writing them is :mod:`catalyst_gen.output`'s
job, so a connector that fails any stage never touches ``dist/``.  Many
connectors at once, across processes: :mod:`catalyst_gen.batch`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import bpmn
from .checks import check_artifacts
from .errors import Problem, SpecError
from .fields import check_fields
from .library import Project
from .loader import load_spec
from .model import Connector, build_model
from .render import TEMPLATE_FILES, Renderer
from .todos import TODO_CODE, todo_placeholders
from .validate import validate


@dataclass(frozen=True)
class Built:
    """A connector and its checked artifacts (file name -> bytes), and the warnings found on the way.

    Warnings (problems of severity ``"warning"``) do not stop a build: they
    travel with the artifacts so the commands can report them and still succeed.
    """

    connector: Connector
    files: dict[str, bytes]
    warnings: tuple[Problem, ...] = ()

    @property
    def todos(self) -> tuple[Problem, ...]:
        """The spec's TODO placeholders (:mod:`catalyst_gen.todos`): a warning for ``build``, refused by ``check``."""
        return tuple(w for w in self.warnings if w.code == TODO_CODE)


@lru_cache(maxsize=8)
def renderer_for(templates_dir: Path) -> Renderer:
    """One Jinja environment per templates folder per process (templates compile once)."""
    return Renderer(templates_dir)


def load_connector(project: Project, connector_id: str) -> Connector:
    """Read, validate and model one connector's spec."""
    return _load(project, connector_id)[0]


def _load(project: Project, connector_id: str) -> tuple[Connector, tuple[Problem, ...]]:
    """The connector's model and its TODO placeholders."""
    spec_path = project.spec_path(connector_id)  # refuses paths and `..` before anything is read
    if not (spec_path.exists() or spec_path.is_symlink()):
        from .suggest import did_you_mean

        known = project.connector_ids()
        raise SpecError(
            Problem(
                f"no connector {connector_id!r} (expected {spec_path})",
                hint=did_you_mean(connector_id, known) or f"known connectors: {', '.join(known) or 'none'}",
                code="CG601",
            )
        )
    source = validate(
        load_spec(spec_path, project.presets_dir, project.root),
        expected_id=connector_id,
        known_connectors=project.connector_ids,
    )
    connector = build_model(source.data, project.library, spec_path.parent, source.files)
    check_fields(connector, source)
    return connector, todo_placeholders(source)


def build_connector(project: Project, connector_id: str) -> Built:
    """Everything short of writing: the checked artifacts of one connector.

    render -> parse the example once -> check -> draw the example's picture:
    the checks and the picture share the one parsed tree.
    """
    connector, todos = _load(project, connector_id)
    renderer = renderer_for(project.templates_dir)
    files = renderer.render(connector)
    names = connector.file_names
    example = bpmn.parse_xml(files[names["example"]], f"{names['example']} (rendered from {TEMPLATE_FILES['example']})")
    check_artifacts(connector, files, example)
    files[names["diagram"]] = renderer.picture(example, names["example"])
    return Built(connector, dict(sorted(files.items())), todos)
