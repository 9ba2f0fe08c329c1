"""``package`` and ``bump``: what a release pipeline runs.

Both hold the library's write lock for their whole run: ``package`` from the
verification of ``dist/`` to the last byte of ``dist/release/`` (so no build
can slip in between and make the release differ from what was verified),
``bump`` from reading the version record to writing it back.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .. import versions
from ..build import Built, build_connector
from ..errors import CatalystError, Problem
from ..library import RELEASE_FOLDER, Project
from ..model import Connector
from ..output import exclusive, write_connectors
from ..package import release_files
from .common import open_project, select_ids
from .verify import verify

PACKAGE_HINT = "run `catalyst-gen build` (and commit) before packaging"


@dataclass(frozen=True)
class PackageReport:
    """``dist/release/`` as written: its folder, its file names (sorted) and the connectors in it."""

    folder: Path
    files: tuple[str, ...]
    connectors: tuple[Connector, ...]


def package_release(root: str | os.PathLike[str] | Project, *, jobs: int | None = None) -> PackageReport:
    """Write ``dist/release/``: a zip per connector, the Modeler bundle, ``catalog.json``, ``SHA256SUMS``.

    Refuses (:class:`CatalystError`) when ``dist/`` is not exactly what the
    specs produce or a template version is not recorded: the same
    verification as :func:`catalyst_gen.commands.verify.check`.
    """
    project = open_project(root)
    ids = select_ids(project)
    with exclusive(project.state_dir):
        result = verify(project, ids, jobs=jobs, compare_dist=True, all_connectors=True, hint=PACKAGE_HINT)
        if any(p.is_error for p in result.problems):
            raise CatalystError(result.problems)
        built = [(o.built.connector, o.built.files) for o in result.outcomes if o.built]
        files = release_files(built)  # the bytes just verified equal to dist/<id>/
        write_connectors(project.dist_dir, project.state_dir, {RELEASE_FOLDER: files})
    return PackageReport(project.dist_dir / RELEASE_FOLDER, tuple(sorted(files)), result.connectors)


RAISED, RECORDED, CURRENT = "raised", "recorded", "current"


@dataclass(frozen=True)
class BumpReport:
    """What ``bump`` did to one connector.

    ``action`` is ``"raised"`` (version went from ``previous_version`` to
    ``connector.version`` and was recorded), ``"recorded"`` (a new or hand-raised
    version was recorded as it is) or ``"current"`` (nothing to do; nothing written).
    """

    connector: Connector
    previous_version: int
    action: str


def _raise_version(project: Project, connector_id: str, version: int) -> Built:
    """Edit the spec's version and build it; a spec the edit would break is put back as it was."""
    spec = project.spec_path(connector_id)
    original = versions.set_spec_version(spec, version, project.root)
    try:
        return build_connector(project, connector_id)
    except CatalystError as exc:
        from ..output import write_state_file

        write_state_file(spec, original)
        raise CatalystError(
            [
                Problem(
                    f"raising {connector_id} to version {version} would break its spec; it was left as it was",
                    code="CG606",
                ),
                *exc.problems,
            ]
        ) from None


def bump(root: str | os.PathLike[str] | Project, connector_id: str, *, force: bool = False) -> BumpReport:
    """Raise a connector's template version when its template changed, and record it.

    The rule is :func:`catalyst_gen.versions.raised_version`; ``force`` raises
    the version even if the template did not change.  Rebuilds ``dist/<id>/``.
    """
    project = open_project(root)
    with exclusive(project.state_dir):
        built = build_connector(project, connector_id)
        previous = built.connector.version
        template = built.files[built.connector.file_names["element_template"]]
        state = versions.states(project, {connector_id: (previous, template)})[0]
        new_version = versions.raised_version(state, force=force)
        if new_version is not None:
            built = _raise_version(project, connector_id, new_version)
            template = built.files[built.connector.file_names["element_template"]]
            action = RAISED
        elif state.problem is None:
            return BumpReport(built.connector, previous, CURRENT)
        else:
            action = RECORDED
        lock = versions.read_lock(project)
        lock[connector_id] = versions.lock_entry(built.connector.version, template)
        write_connectors(project.dist_dir, project.state_dir, {connector_id: built.files})
        versions.write_lock(project, lock)
    return BumpReport(built.connector, previous, action)
