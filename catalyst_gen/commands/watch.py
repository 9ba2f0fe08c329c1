"""``build --watch``: rebuild on save until Ctrl-C.

After a first build, every batch of changes under ``connectors/`` (specs,
presets, logos, ``_library.yaml``) and ``templates/`` starts another
:func:`~catalyst_gen.commands.build.build_library` of the same selection; its
cache decides which connectors changed, so only those are rebuilt.  Nothing
under ``dist/`` or the state folder is watched, so the build's own writes
never trigger another build.  File watching is ``watchfiles``, imported
only here.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import CatalystError
from ..library import Project
from .build import BuildReport, build_library
from .common import open_project

if TYPE_CHECKING:
    import threading


@dataclass(frozen=True)
class WatchStopped:
    """``build --watch`` ended (Ctrl-C or ``stop``) after ``builds`` builds."""

    builds: int


BuildCallback = Callable[[BuildReport | CatalystError], object]
"""``on_build(report or error)``, after every build: a :class:`CommandFailed` carries the partial report."""


def watched_paths(project: Project) -> list[Path]:
    """The folders whose changes can change a connector's artifacts (those that exist)."""
    return [p for p in (project.connectors_dir, project.templates_dir) if p.is_dir()]


def watch_library(
    root: str | os.PathLike[str] | Project,
    ids: Iterable[str] = (),
    *,
    force: bool = False,
    jobs: int | None = None,
    on_build: BuildCallback,
    on_watching: Callable[[list[Path]], object] | None = None,
    stop: threading.Event | None = None,
) -> WatchStopped:
    """Build ``ids`` (every connector when empty), then again after every change, until Ctrl-C or ``stop``.

    A build that fails is reported through ``on_build`` like any other and
    the watch goes on: the next save may fix it.  ``force`` applies to the
    first build only.  ``on_watching(paths)`` is called each time the watch
    (re)starts waiting.
    """
    import watchfiles

    project = open_project(root)
    selected = tuple(ids)
    builds = 0
    try:
        _build_and_report(project, selected, force, jobs, on_build)
        builds += 1
        paths = watched_paths(project)
        if on_watching:
            on_watching(paths)
        for _changes in watchfiles.watch(*paths, stop_event=stop, raise_interrupt=True, debounce=150, step=50):
            _build_and_report(project, selected, False, jobs, on_build)
            builds += 1
            if on_watching:
                on_watching(paths)
    except KeyboardInterrupt:
        pass  # Ctrl-C is how a watch ends; every write is atomic, so dist/ is consistent
    return WatchStopped(builds)


def _build_and_report(
    project: Project, ids: tuple[str, ...], force: bool, jobs: int | None, on_build: BuildCallback
) -> None:
    try:
        report = build_library(Project(project.root), ids, force=force, jobs=jobs)
    except CatalystError as exc:
        on_build(exc)
    else:
        on_build(report)
