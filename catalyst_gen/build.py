"""The pipeline for one connector: load -> validate -> model -> render -> check.

It returns the artifacts in memory; writing them is :mod:`catalyst_gen.output`'s
job, so a connector that fails any stage never touches ``dist/``.  Many
connectors at once, across processes: :mod:`catalyst_gen.batch`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import checks
from .errors import CheckError, Problem, SpecError
from .library import Project
from .loader import load_spec
from .model import Connector, build_model
from .render import Renderer
from .validate import validate


@dataclass(frozen=True)
class Built:
    """A connector and its checked artifacts (file name -> bytes)."""

    connector: Connector
    files: dict[str, bytes]


@lru_cache(maxsize=8)
def renderer_for(templates_dir: Path) -> Renderer:
    """One Jinja environment per templates folder per process (templates compile once)."""
    return Renderer(templates_dir)


def load_connector(project: Project, connector_id: str) -> Connector:
    """Read, validate and model one connector's spec."""
    spec_path = project.spec_path(connector_id)  # refuses paths and `..` before anything is read
    if not spec_path.is_file():
        from .suggest import did_you_mean

        known = project.connector_ids()
        raise SpecError(
            Problem(
                f"no connector {connector_id!r} (expected {spec_path})",
                hint=did_you_mean(connector_id, known) or f"known connectors: {', '.join(known) or 'none'}",
            )
        )
    source = validate(load_spec(spec_path, project.presets_dir), expected_id=connector_id)
    return build_model(source.data, project.library, spec_path.parent, source.files)


def check_artifacts(connector: Connector, files: dict[str, bytes]) -> None:
    """Run every artifact check; raise :class:`CheckError` with all failures."""
    names = connector.file_names
    template, example, logo = files[names["element_template"]], files[names["example"]], files[names["logo"]]
    problems = []
    problems += checks.check_svg(logo, names["logo"])
    problems += checks.check_element_template(template, names["element_template"], svg=logo)
    problems += checks.check_bpmn(
        example,
        names["example"],
        template_id=connector.template_id,
        template_version=connector.version,
        error_codes=connector.error_codes,
    )
    if not problems:
        problems += checks.check_agreement(template, example, names["example"])
    if problems:
        raise CheckError(problems)


def build_connector(project: Project, connector_id: str) -> Built:
    """Everything short of writing: the checked artifacts of one connector."""
    connector = load_connector(project, connector_id)
    renderer = renderer_for(project.templates_dir)
    files = renderer.render(connector)
    check_artifacts(connector, files)
    names = connector.file_names
    files[names["diagram"]] = renderer.picture(files[names["example"]], names["example"])
    return Built(connector, dict(sorted(files.items())))
