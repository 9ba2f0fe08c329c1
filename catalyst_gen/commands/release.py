"""``package`` and ``bump``: what a release pipeline runs.

Both hold the library's write lock for their whole run: ``package`` from the
verification of ``dist/`` to the last byte of ``dist/release/`` (so no build
can slip in between and make the release differ from what was verified),
``bump`` from reading the version record to writing it back.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from .. import compatibility, history, versions
from ..build import Built, build_connector
from ..compatibility import Change
from ..errors import CatalystError, Location, Problem
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
    """Write ``dist/release/``: a zip per connector, the Modeler bundle (every released version
    of every template), ``catalog.json``, ``SHA256SUMS``.

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
        older = {cid: [(r.version, r.data) for r in saved] for cid, saved in result.history.items()}
        files = release_files(built, older)  # the bytes just verified equal to dist/<id>/ and the lock
        write_connectors(project.dist_dir, project.state_dir, {RELEASE_FOLDER: files})
    return PackageReport(project.dist_dir / RELEASE_FOLDER, tuple(sorted(files)), result.connectors)


RAISED, RECORDED, CURRENT = "raised", "recorded", "current"
BREAKING_HINT = "keep the property as it was released, or pass --breaking to release the change anyway"


@dataclass(frozen=True)
class BumpReport:
    """What ``bump`` did to one connector.

    ``action`` is ``"raised"`` (version went from ``previous_version`` to
    ``connector.version`` and was recorded), ``"recorded"`` (a new or hand-raised
    version was recorded as it is) or ``"current"`` (nothing to do; nothing written).
    ``changes`` compares the new template with the one it supersedes, which
    was saved to ``saved`` (``connectors/<id>/versions/``); both are empty for
    a connector recorded for the first time.
    """

    connector: Connector
    previous_version: int
    action: str
    changes: tuple[Change, ...] = ()
    saved: Path | None = None


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


def _template(built: Built) -> bytes:
    return built.files[built.connector.file_names["element_template"]]


def _released_bytes(project: Project, built: Built, record: dict, released: Path | None) -> bytes:
    """The template released as ``record`` (version, sha256), byte for byte.

    Looked for in ``released`` (when given), then ``dist/`` (unless rebuilt
    since), then git ``HEAD``; the lock's sha256 proves which bytes are right.
    """
    connector = built.connector
    name = connector.file_names["element_template"]
    dist_copy = project.dist_dir / connector.id / name
    if released is not None:
        data, problem = history.read_capped(released, str(released))
        if data is None or versions.template_digest(data) != record["sha256"]:
            raise CatalystError(
                problem
                or Problem(
                    f"{released} is not the released template of {connector.id} version {record['version']}"
                    f" (its sha256 differs from {versions.LOCK_FILE})",
                    Location(released, 1, 1),
                    hint=f"pass the {name} that was released as version {record['version']}",
                    code="CG515",
                )
            )
        return data
    candidates = [history.versions_dir(project, connector.id) / history.file_name(connector.id, record["version"])]
    candidates.append(dist_copy)
    for path in candidates:
        data, _ = history.read_capped(path, str(path), project.root) if path.exists() else (None, None)
        if data is not None and versions.template_digest(data) == record["sha256"]:
            return data
    for data in (
        _from_release_zip(project, connector.id, record["version"], name),
        history.committed_copy(project, f"{project.dist_dir.name}/{connector.id}/{name}"),
    ):
        if data is not None and versions.template_digest(data) == record["sha256"]:
            return data
    raise CatalystError(
        Problem(
            f"{connector.id}: the template released as version {record['version']} is neither in "
            f"{project.dist_dir.name}/{connector.id}/{name} (rebuilt since), nor in a release zip in "
            f"{project.dist_dir.name}/release/, nor in git HEAD",
            Location(dist_copy, 1, 1),
            hint=f"restore it (`git checkout <released commit> -- dist/{connector.id}/{name}`) and run bump again,"
            " or pass --released FILE",
            code="CG515",
        )
    )


def _from_release_zip(project: Project, connector_id: str, version: int, name: str) -> bytes | None:
    """The template inside ``dist/release/<id>-<version>.zip`` (what ``package`` shipped), if it is there.

    An author who packaged a release without committing it still has the
    released bytes; the caller checks them against the lock's sha256.
    """
    import zipfile

    path = project.dist_dir / "release" / f"{connector_id}-{version}.zip"
    if path.is_symlink() or not path.is_file():
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo(f"{connector_id}/{name}")
            if info.file_size > history.MAX_TEMPLATE_BYTES:
                return None
            return archive.read(info)  # zipfile reads no more than the declared size
    except (OSError, KeyError, zipfile.BadZipFile, RuntimeError, ValueError):
        return None


def _compatible(project: Project, built: Built, old: bytes, breaking: bool) -> tuple[Change, ...]:
    """The changes from the released template to the new one; refuses breaking ones unless ``breaking``."""
    changes = compatibility.compare_templates(json.loads(old), json.loads(_template(built)))
    refused = [] if breaking else compatibility.breaking(changes)
    if refused:
        cid = built.connector.id
        where = versions.version_location(project.spec_path(cid), project.root)
        raise CatalystError(
            [Problem(f"{cid}: breaking change: {c}", where, hint=BREAKING_HINT, code="CG516") for c in refused]
        )
    return tuple(changes)


def _verified_history(project: Project, built: Built, record: dict | None) -> dict[int, str]:
    """The lock's history of superseded versions, after checking ``versions/`` against it."""
    recorded = versions.recorded_history(record)
    current = record["version"] if record else built.connector.version
    _, problems = history.read_history(project, built.connector.id, built.connector.template_id, current, recorded)
    if problems:
        raise CatalystError(problems)
    return recorded


def bump(
    root: str | os.PathLike[str] | Project,
    connector_id: str,
    *,
    force: bool = False,
    breaking: bool = False,
    released: str | os.PathLike[str] | None = None,
) -> BumpReport:
    """Raise a connector's template version when its template changed, and record it.

    The rule is :func:`catalyst_gen.versions.raised_version`; ``force`` raises
    the version even if the template did not change.  The template being
    superseded is saved to ``versions/`` and compared with the new one
    (:mod:`catalyst_gen.compatibility`): a change that drops users' values is
    refused unless ``breaking``.  ``released`` names a file holding the
    superseded template when ``dist/`` and git ``HEAD`` no longer do.
    Rebuilds ``dist/<id>/``.
    """
    project = open_project(root)
    with exclusive(project.state_dir):
        built = build_connector(project, connector_id)
        previous = built.connector.version
        state = versions.states(project, {connector_id: (previous, _template(built))})[0]
        new_version = versions.raised_version(state, force=force)
        record = state.recorded
        if new_version is None and state.problem is None:
            return BumpReport(built.connector, previous, CURRENT)
        if new_version is None and record is not None and previous < record["version"]:
            raise CatalystError(state.problem or [])  # versions only go up: never record a lower one
        recorded = _verified_history(project, built, record)
        changes: tuple[Change, ...] = ()
        if record is not None:
            old = _released_bytes(project, built, record, Path(released) if released is not None else None)
            changes = _compatible(project, built, old, breaking)
        if new_version is not None:
            built = _raise_version(project, connector_id, new_version)
        saved = None
        if record is not None:
            saved = history.save(project, connector_id, record["version"], old)
            recorded = {**recorded, record["version"]: record["sha256"]}
        lock = versions.read_lock(project)
        lock[connector_id] = versions.lock_entry(built.connector.version, _template(built), recorded)
        write_connectors(project.dist_dir, project.state_dir, {connector_id: built.files})
        versions.write_lock(project, lock)
    return BumpReport(built.connector, previous, RAISED if new_version else RECORDED, changes, saved)
