"""``check`` and ``validate``: regenerate in memory, write nothing, report every problem.

Both (and ``package``) share one verification: build the connectors in
memory, compare template versions with ``_versions.lock`` (and the saved
versions in ``connectors/<id>/versions/`` with its history), and, for ``check``
and ``package``, compare the artifacts with ``dist/``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field

from .. import history, versions
from ..batch import Outcome, build_many
from ..drift import Drift, compare
from ..errors import CatalystError, Problem
from ..history import Released
from ..library import Project
from ..model import Connector
from ..todos import TODO_CODE, refused
from .common import CommandFailed, open_project, select_ids

REBUILD_HINT = "run `catalyst-gen build` and commit dist/"


@dataclass(frozen=True)
class Verification:
    """Everything ``check``, ``validate`` and ``package`` decide on, computed once."""

    outcomes: list[Outcome]
    drift: Drift
    problems: list[Problem]
    history: dict[str, list[Released]] = field(default_factory=dict)
    """Connector id -> its superseded versions kept in ``versions/``, oldest first."""

    @property
    def connectors(self) -> tuple[Connector, ...]:
        return tuple(o.built.connector for o in self.outcomes if o.built)


def verify(
    project: Project,
    ids: list[str],
    *,
    jobs: int | None = None,
    compare_dist: bool,
    all_connectors: bool,
    hint: str | None = None,
) -> Verification:
    """Regenerate ``ids`` in memory and collect every problem: spec/artifact failures,
    unrecorded or un-bumped template versions, saved versions that differ from
    the lock's record, and (with ``compare_dist``) drift from ``dist/``.

    ``all_connectors`` also reports folders in ``dist/`` that no connector produces.
    With ``compare_dist`` (``check``, ``package``: what ships) TODO placeholders
    are problems too.
    """
    outcomes = build_many(project, ids, jobs=jobs)
    problems = [p for o in outcomes for p in o.problems]
    if compare_dist:  # what ships may hold no placeholder: the warnings become errors
        todos = [refused(p) for p in problems if p.code == TODO_CODE]
        problems = [p for p in problems if p.code != TODO_CODE] + todos
    built = {o.connector_id: o.built for o in outcomes if o.built}
    templates = {
        cid: (b.connector.version, b.files[b.connector.file_names["element_template"]]) for cid, b in built.items()
    }
    problems += [state.problem for state in versions.states(project, templates) if state.problem]
    saved, history_problems = _histories(project, [b.connector for b in built.values()])
    problems += history_problems
    drift = Drift()
    if compare_dist and built:
        drift = compare(project.dist_dir, {cid: b.files for cid, b in built.items()}, all_connectors=all_connectors)
        rebuild = hint or REBUILD_HINT
        problems += [Problem(f"{p} is stale", hint=rebuild, code="CG501", file=project.root / p) for p in drift.stale]
        problems += [
            Problem(f"{p} is missing", hint=rebuild, code="CG502", file=project.root / p) for p in drift.missing
        ]
        problems += [
            Problem(
                f"{p} is produced by no connector",
                hint="delete it, or restore its connector spec",
                code="CG503",
                file=project.root / p,
            )
            for p in drift.extra
        ]
    return Verification(outcomes, drift, problems, saved)


def _histories(project: Project, connectors: list[Connector]) -> tuple[dict[str, list[Released]], list[Problem]]:
    """Every connector's saved versions, checked against the lock (see :mod:`catalyst_gen.history`)."""
    lock = versions.read_lock(project)
    saved, problems = {}, []
    for c in connectors:
        recorded = versions.recorded_history(lock.get(c.id))
        saved[c.id], found = history.read_history(project, c.id, c.template_id, c.version, recorded)
        problems += found
    return saved, problems


@dataclass(frozen=True)
class CheckReport:
    """The connectors regenerated, and how ``dist/`` differs from them (nothing, when it passed)."""

    connectors: tuple[Connector, ...]
    drift: Drift
    problems: tuple[Problem, ...] = ()


def check(root: str | os.PathLike[str] | Project, ids: Iterable[str] = (), *, jobs: int | None = None) -> CheckReport:
    """Is ``dist/`` exactly what the specs produce, with every template version recorded?

    Checks ``ids`` (every connector, and folders no connector produces, when
    empty).  On any difference raises :class:`CommandFailed`, whose report
    holds the unified diffs.
    """
    project = open_project(root)
    ids = list(ids)
    selected = select_ids(project, ids)
    result = verify(project, selected, jobs=jobs, compare_dist=True, all_connectors=not ids)
    report = CheckReport(result.connectors, result.drift, tuple(result.problems))
    if any(p.is_error for p in result.problems):
        raise CommandFailed(result.problems, report)
    return report


@dataclass(frozen=True)
class ValidationReport:
    """The connectors that passed every spec, artifact and version check (``problems``: their warnings)."""

    connectors: tuple[Connector, ...]
    problems: tuple[Problem, ...] = ()


def validate(
    root: str | os.PathLike[str] | Project, ids: Iterable[str] = (), *, jobs: int | None = None
) -> ValidationReport:
    """Run every spec and artifact check and the version record check on ``ids``; write nothing."""
    project = open_project(root)
    result = verify(project, select_ids(project, ids), jobs=jobs, compare_dist=False, all_connectors=False)
    if any(p.is_error for p in result.problems):
        raise CatalystError(result.problems)
    return ValidationReport(result.connectors, tuple(result.problems))
