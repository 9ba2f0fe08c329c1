"""Build many connectors at once, across processes, turning failures into data.

:func:`build_many` runs the one-connector pipeline (:func:`catalyst_gen.build.build_connector`)
for each id and returns one :class:`Outcome` per id, in the order asked for.
A connector that fails does not stop the others: its problems travel back
from the worker as data.  Nothing here writes to disk.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import build
from .errors import CatalystError, Problem

if TYPE_CHECKING:
    import multiprocessing.context

    from .library import Project
    from .model import Connector

PARALLEL_THRESHOLD = 16
"""Below this many connectors, starting worker processes costs more than it saves
(unless ``jobs`` asks for them explicitly)."""


@dataclass(frozen=True)
class Outcome:
    """What happened to one connector: its checked artifacts (and their warnings), or the problems that stopped it."""

    connector_id: str
    built: build.Built | None = None
    problems: tuple[Problem, ...] = ()

    @property
    def connector(self) -> Connector | None:
        return self.built.connector if self.built else None

    @property
    def files(self) -> dict[str, bytes] | None:
        return self.built.files if self.built else None


def build_one(project: Project, connector_id: str) -> Outcome:
    """Build one connector in memory; a :class:`CatalystError` becomes the outcome's problems."""
    try:
        built = build.build_connector(project, connector_id)
        return Outcome(connector_id, built=built, problems=built.warnings)
    except CatalystError as exc:
        return Outcome(connector_id, problems=tuple(exc.problems))


def _build_chunk(project: Project, ids: list[str]) -> list[Outcome]:
    return [build_one(project, cid) for cid in ids]


def build_many(
    project: Project,
    ids: Iterable[str],
    *,
    jobs: int | None = None,
    on_done: Callable[[Outcome], object] | None = None,
) -> list[Outcome]:
    """Build ``ids`` using every core; calls ``on_done(outcome)`` as each finishes.

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
        return [outcomes[cid] for cid in ids]
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
    import jinja2

    from .checks.bpmn import bpmn_schema
    from .render import TEMPLATE_FILES
    from .schema_check import spec_validator

    spec_validator()
    bpmn_schema()
    renderer = build.renderer_for(project.templates_dir)
    for name in TEMPLATE_FILES.values():
        try:
            renderer.env.get_template(name)
        except jinja2.TemplateError:
            pass  # not loaded here: each connector's build reports it (CG401, CG402) as one outcome
    project.library  # noqa: B018  (cached property: read _library.yaml once)


def _mp_context() -> multiprocessing.context.BaseContext:
    """``fork`` where available: workers inherit the imported modules instead of re-importing."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")
