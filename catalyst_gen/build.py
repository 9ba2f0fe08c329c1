"""The pipeline for one connector: load -> validate -> model -> render -> check.

It returns the artifacts in memory; writing them is :mod:`catalyst_gen.output`'s
job, so a connector that fails any stage never touches ``dist/``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import bpmn
from .checks import check_artifacts
from .errors import Problem, SpecError
from .library import Project
from .loader import load_spec
from .model import Connector, build_model
from .render import TEMPLATE_FILES, Renderer
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


def build_connector(project: Project, connector_id: str) -> Built:
    """Everything short of writing: the checked artifacts of one connector.

    render -> parse the example once -> check -> draw the example's picture:
    the checks and the picture share the one parsed tree.
    """
    connector = load_connector(project, connector_id)
    renderer = renderer_for(project.templates_dir)
    files = renderer.render(connector)
    names = connector.file_names
    example = bpmn.parse_xml(files[names["example"]], f"{names['example']} (rendered from {TEMPLATE_FILES['example']})")
    check_artifacts(connector, files, example)
    files[names["diagram"]] = renderer.picture(example, names["example"])
    return Built(connector, dict(sorted(files.items())))


# ------------------------------------------------------------ many connectors


@dataclass
class Outcome:
    """What happened to one connector in a library build."""

    connector_id: str
    files: dict[str, bytes] | None = None
    problems: list[Problem] | None = None
    inputs: tuple[Path, ...] = ()
    fresh: bool = False


def connector_inputs(connector: Connector) -> tuple[Path, ...]:
    """Files the connector was built from (spec, presets, logo file) for the cache."""
    extra = (connector.logo.file,) if connector.logo.file else ()
    return tuple(connector.source_files) + extra


def build_one(project: Project, connector_id: str) -> Outcome:
    """Build one connector, turning failures into data (so worker processes can return them)."""
    from .errors import CatalystError

    try:
        built = build_connector(project, connector_id)
    except CatalystError as exc:
        return Outcome(connector_id, problems=exc.problems)
    return Outcome(connector_id, files=built.files, inputs=connector_inputs(built.connector))


def _build_chunk(project: Project, ids: list[str]) -> list[Outcome]:
    return [build_one(project, cid) for cid in ids]


PARALLEL_THRESHOLD = 16
"""Below this many connectors, starting worker processes costs more than it saves
(unless ``--jobs`` asks for them explicitly)."""


def build_many(project: Project, ids, *, jobs: int | None = None, on_done=None):
    """Build ``ids`` using every core; yields nothing, calls ``on_done(outcome)`` as each finishes.

    Work is cut into chunks so each worker loads the schema, the XSD and the
    templates once and then builds many connectors with them.
    """
    ids = list(ids)
    if jobs is None:
        jobs = (os.cpu_count() or 1) if len(ids) >= PARALLEL_THRESHOLD else 1
    jobs = min(jobs, len(ids))
    outcomes: dict[str, Outcome] = {}
    if jobs <= 1:
        for cid in ids:
            outcomes[cid] = build_one(project, cid)
            if on_done:
                on_done(outcomes[cid])
    else:
        from concurrent.futures import ProcessPoolExecutor, as_completed

        warm_up(project)  # forked workers inherit what is loaded here instead of each loading it

        size = max(1, min(50, len(ids) // (jobs * 4) or 1))
        chunks = [ids[i : i + size] for i in range(0, len(ids), size)]
        with ProcessPoolExecutor(max_workers=jobs, mp_context=_mp_context()) as pool:
            futures = [pool.submit(_build_chunk, project, chunk) for chunk in chunks]
            for future in as_completed(futures):
                for outcome in future.result():
                    outcomes[outcome.connector_id] = outcome
                    if on_done:
                        on_done(outcome)
    return [outcomes[cid] for cid in ids]


def warm_up(project: Project) -> None:
    """Load the per-process singletons once: schema validator, XSD, templates, cairosvg."""
    import cairosvg  # noqa: F401  (its cffi set-up runs compilers to find libcairo: do it once)

    from .checks.bpmn import bpmn_schema
    from .validate import _validator

    _validator()
    bpmn_schema()
    renderer = renderer_for(project.templates_dir)
    from .render import TEMPLATE_FILES

    for name in TEMPLATE_FILES.values():
        renderer.env.get_template(name)
    project.library  # noqa: B018  (cached property: read _library.yaml once)


def _mp_context():
    """``fork`` where available: workers inherit the imported modules instead of re-importing."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")
