"""``build``: render, check and write ``dist/<id>/``, skipping what did not change.

An unchanged build must stay cheap: this module imports only the cache, the
writer and the library paths at the top.  The pipeline (YAML, JSON Schema,
Jinja, lxml, cairosvg) is imported only when a connector actually has to be
built.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..cache import BuildCache, connector_inputs
from ..errors import CatalystError, Problem
from ..grammar import require_connector_id
from ..library import Project
from ..output import exclusive, write_connectors
from .common import CommandFailed, open_project, select_ids

if TYPE_CHECKING:
    from ..batch import Outcome
    from ..build import Built
    from ..model import Connector

WRITTEN, UNCHANGED, FAILED = "written", "unchanged", "failed"

ProgressCallback = Callable[[str, int, int], object]
"""``on_progress(connector_id, done, total)``, called as each connector that needs building finishes."""


@dataclass(frozen=True)
class ConnectorResult:
    """One connector of a build.

    ``state`` is ``"written"`` (its folder changed), ``"unchanged"`` (skipped by
    the cache, or rebuilt to the same bytes) or ``"failed"``.  ``connector`` is
    the model when it was built, None when the cache skipped it or it failed.
    ``problems`` are the errors that failed it, or the warnings of a connector that built.
    """

    connector_id: str
    state: str
    connector: Connector | None = None
    problems: tuple[Problem, ...] = ()

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """The warnings of a connector that built (TODO placeholders, :mod:`catalyst_gen.todos`)."""
        return tuple(p for p in self.problems if not p.is_error)


@dataclass(frozen=True)
class BuildReport:
    """Every selected connector, in the order asked for."""

    results: tuple[ConnectorResult, ...]

    def ids(self, state: str) -> list[str]:
        return [r.connector_id for r in self.results if r.state == state]

    def lines(self) -> list[tuple[str, bool]]:
        """What the command line prints: ``(text, is_error)`` per line, the summary last.

        Kept here, free of click, so the console entry point's fast path for an
        unchanged build prints exactly what the full CLI prints.
        """
        labels = {WRITTEN: "built", FAILED: "FAILED"}
        out = [(f"{labels.get(r.state, r.state):9} {r.connector_id}", r.state == FAILED) for r in self.results]
        written, failed, total = len(self.ids(WRITTEN)), len(self.ids(FAILED)), len(self.results)
        noun = "connector" if total == 1 else "connectors"
        out.append((f"{total} {noun}: {written} written, {total - written - failed} unchanged, {failed} failed", False))
        return out

    @property
    def problems(self) -> list[Problem]:
        return [p for r in self.results for p in r.problems]

    @property
    def warnings(self) -> list[Problem]:
        return [w for r in self.results for w in r.warnings]


def build_library(
    root: str | os.PathLike[str] | Project,
    ids: Iterable[str] = (),
    *,
    force: bool = False,
    jobs: int | None = None,
    on_progress: ProgressCallback | None = None,
) -> BuildReport:
    """Build ``ids`` (every connector when empty) into ``dist/``; write each folder whole.

    Connectors whose inputs and outputs did not change are skipped unless
    ``force``.  A connector that fails keeps its ``dist/`` folder as it was
    and does not stop the others; when any failed, raises
    :class:`CommandFailed` with every problem and the report.
    """
    project = open_project(root)
    selected = select_ids(project, ids)
    with exclusive(project.state_dir):
        cache = BuildCache(project)
        todo = [cid for cid in selected if force or not cache.is_fresh(cid)]
        outcomes = _build(project, todo, jobs, on_progress)
        written = _write(project, cache, outcomes)
    report = _report(selected, outcomes, written)
    if any(p.is_error for p in report.problems):
        raise CommandFailed(report.problems, report)
    return report


def unchanged_report(root: str | os.PathLike[str] | Project, ids: Iterable[str] = ()) -> BuildReport | None:
    """The report of a build in which nothing needs doing, or None when anything does.

    Decided by the cache alone, under the library lock (so a half-done swap is
    rolled forward first, as before any build); problems of any kind (an
    unknown id, a broken library) also answer None, leaving them to
    :func:`build_library`, which reports them.
    """
    try:
        project = open_project(root)
        selected = [require_connector_id(cid) for cid in select_ids(project, ids)]
        with exclusive(project.state_dir):
            cache = BuildCache(project)
            if not all(cache.is_fresh(cid) for cid in selected):
                return None
    except CatalystError:
        return None
    return BuildReport(tuple(ConnectorResult(cid, UNCHANGED) for cid in selected))


def _build(project: Project, todo: list[str], jobs: int | None, on_progress: ProgressCallback | None) -> list[Outcome]:
    if not todo:
        return []  # nothing changed: the pipeline is never imported
    from ..batch import build_many

    done = 0

    def tick(outcome: Outcome) -> None:
        nonlocal done
        done += 1
        if on_progress:
            on_progress(outcome.connector_id, done, len(todo))

    return build_many(project, todo, jobs=jobs, on_done=tick)


def _write(project: Project, cache: BuildCache, outcomes: list[Outcome]) -> set[str]:
    """Swap in every connector that built; record it in the cache (forget the ones that failed)."""
    if not outcomes:
        return set()
    good = {o.connector_id: o.built.files for o in outcomes if o.built}
    written = write_connectors(project.dist_dir, project.state_dir, good)
    _refresh_drafts(project, [o.built for o in outcomes if o.built])
    for outcome in outcomes:
        if outcome.built:
            cache.record(outcome.connector_id, connector_inputs(outcome.built.connector, project), outcome.built.files)
        else:
            cache.forget(outcome.connector_id)
    cache.save()
    return set(written)


def _refresh_drafts(project: Project, built: list[Built]) -> None:
    """Move the version records ``catalyst-gen new`` left as drafts along with what was built."""
    from .. import versions

    versions.refresh_drafts(
        project,
        {
            b.connector.id: (b.connector.version, b.files[b.connector.file_names["element_template"]], bool(b.todos))
            for b in built
        },
    )


def _report(selected: list[str], outcomes: list[Outcome], written: set[str]) -> BuildReport:
    by_id = {o.connector_id: o for o in outcomes}
    results = []
    for cid in selected:
        outcome = by_id.get(cid)
        if outcome is None:
            results.append(ConnectorResult(cid, UNCHANGED))
        elif not outcome.built:
            results.append(ConnectorResult(cid, FAILED, problems=outcome.problems))
        else:
            state = WRITTEN if cid in written else UNCHANGED
            results.append(ConnectorResult(cid, state, outcome.connector, problems=outcome.problems))
    return BuildReport(tuple(results))
