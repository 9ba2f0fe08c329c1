"""Every released element template, kept so Modeler users can upgrade through it.

A diagram made with version 1 of a template names ``modelerTemplate`` and
``modelerTemplateVersion="1"``.  The Modeler offers "Update available" only
when it still knows version 1; without it the task shows "Not found".  So
``bump`` saves the template it supersedes, byte for byte as released, to
``connectors/<id>/versions/<id>-<version>.element.json`` and records its
sha256 in ``_versions.lock``; the release bundle ships every version.

The files are checked like any other input: they must be regular files
inside the library (no symlinks), at most :data:`MAX_TEMPLATE_BYTES`, valid
JSON, a template of their connector with the version their name says, and
exactly the bytes recorded in the lock.  A version released before history
was kept is simply absent: the lock lists only the versions saved here.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .errors import Location, Problem, display_path
from .library import Project
from .versions import LOCK_FILE, lock_path, template_digest

VERSIONS_FOLDER = "versions"
MAX_TEMPLATE_BYTES = 1024 * 1024
"""Far above any real template (a few kB plus the logo); refuses a file that would only waste memory."""


def restore_hint(path: Path) -> str:
    return f"restore it from git (`git checkout -- {display_path(path)}`): released versions never change"


@dataclass(frozen=True)
class Released:
    """One saved version of a connector's element template."""

    version: int
    path: Path
    data: bytes


def versions_dir(project: Project, connector_id: str) -> Path:
    return project.spec_path(connector_id).parent / VERSIONS_FOLDER


def file_name(connector_id: str, version: int) -> str:
    return f"{connector_id}-{version}.element.json"


def _name_version(connector_id: str, name: str) -> int | None:
    match = re.fullmatch(re.escape(connector_id) + r"-([1-9][0-9]{0,8})\.element\.json", name)
    return int(match.group(1)) if match else None


def key_location(path: Path, text: str, key: str) -> Location:
    """Where ``"key":`` first appears in a JSON text (line 1 when it does not)."""
    index = text.find(f'"{key}"')
    if index < 0:
        return Location(path, 1, 1)
    line_start = text.rfind("\n", 0, index) + 1
    return Location(path, text.count("\n", 0, index) + 1, index - line_start + 1)


def read_capped(path: Path, what: str, root: Path | None = None) -> tuple[bytes | None, Problem | None]:
    """The bytes of a regular, non-symlinked file of at most :data:`MAX_TEMPLATE_BYTES`, or why not.

    With ``root`` (files of the library, which arrive in pull requests) the file
    is read through :func:`catalyst_gen.library.read_inside`, so a symlinked
    folder above it cannot lead outside the library either.
    """
    from .errors import CatalystError
    from .library import read_inside

    where = Location(path, 1, 1)
    if path.is_symlink() or not path.is_file():
        kind = "a symbolic link" if path.is_symlink() else "not a regular file"
        return None, Problem(f"{what} is {kind}", where, hint="replace it with the file itself", code="CG530")
    try:
        data = read_inside(root, path, MAX_TEMPLATE_BYTES)
    except CatalystError as exc:
        return None, exc.problems[0]
    except OSError as exc:
        return None, Problem(
            f"{what} cannot be read ({exc.strerror or exc})", where, hint=restore_hint(path), code="CG530"
        )
    if len(data) > MAX_TEMPLATE_BYTES:
        return None, Problem(
            f"{what} is larger than {MAX_TEMPLATE_BYTES} bytes",
            where,
            hint="an element template is a few kB",
            code="CG530",
        )
    return data, None


def template_problem(path: Path, data: bytes, template_id: str, version: int) -> Problem | None:
    """Is ``data`` an element template of ``template_id`` at ``version``?  Located when not."""
    try:
        text = data.decode("utf-8")
        template = json.loads(text)
    except UnicodeDecodeError as exc:
        return Problem(
            f"not UTF-8 text (byte {exc.start})", Location(path, 1, 1), hint=restore_hint(path), code="CG530"
        )
    except json.JSONDecodeError as exc:
        return Problem(
            f"not valid JSON: {exc.msg}", Location(path, exc.lineno, exc.colno), hint=restore_hint(path), code="CG530"
        )
    if not isinstance(template, dict) or not isinstance(template.get("properties"), list):
        return Problem(
            "not an element template (no properties list)", Location(path, 1, 1), hint=restore_hint(path), code="CG530"
        )
    if template.get("id") != template_id:
        return Problem(
            f"template id is {template.get('id')!r}, expected {template_id!r}",
            key_location(path, text, "id"),
            hint="a connector's versions/ folder holds only that connector's templates",
            code="CG531",
        )
    if template.get("version") != version:
        return Problem(
            f"template version is {template.get('version')!r} but the file name says {version}",
            key_location(path, text, "version"),
            hint=restore_hint(path),
            code="CG531",
        )
    return None


def _listing(folder: Path, connector_id: str) -> tuple[dict[int, Path], list[Problem]]:
    """The version files in ``folder`` by version; anything else there is a problem."""
    if folder.is_symlink():
        return {}, [
            Problem(f"{folder} is a symbolic link", Location(folder, 1, 1), hint="make it a real folder", code="CG532")
        ]
    if not folder.is_dir():
        return {}, []
    files: dict[int, Path] = {}
    problems = []
    for path in sorted(folder.iterdir()):
        version = _name_version(connector_id, path.name)
        if version is None:
            problems.append(
                Problem(
                    f"unexpected {'folder' if path.is_dir() else 'file'} {path.name!r} in {VERSIONS_FOLDER}/",
                    Location(path, 1, 1),
                    hint=f"{VERSIONS_FOLDER}/ holds only {file_name(connector_id, 1)}, "
                    f"{file_name(connector_id, 2)}, ... written by `catalyst-gen bump`; remove it",
                    code="CG532",
                )
            )
        else:
            files[version] = path
    return files, problems


def _verified(
    project: Project, path: Path, version: int, template_id: str, current: int, digest: str | None
) -> Released | Problem:
    data, problem = read_capped(path, f"{VERSIONS_FOLDER}/{path.name}", project.root)
    if data is None:
        return problem or Problem(f"cannot read {path}", code="CG530")
    problem = template_problem(path, data, template_id, version)
    if problem is not None:
        return problem
    where = Location(path, 1, 1)
    if version >= current:
        return Problem(
            f"version {version} is not older than the current version {current}",
            where,
            hint="versions/ keeps superseded versions only; remove it",
            code="CG533",
        )
    if digest is None:
        return Problem(
            f"version {version} is not recorded in {LOCK_FILE}",
            where,
            hint=f"only `catalyst-gen bump` writes {VERSIONS_FOLDER}/; remove the file or restore {LOCK_FILE} from git",
            code="CG533",
        )
    if template_digest(data) != digest:
        return Problem(
            f"version {version} was changed after its release (its sha256 differs from {LOCK_FILE})",
            where,
            hint=restore_hint(path),
            code="CG534",
        )
    return Released(version, path, data)


def read_history(
    project: Project, connector_id: str, template_id: str, current: int, recorded: dict[int, str]
) -> tuple[list[Released], list[Problem]]:
    """The saved versions of one connector, oldest first, each verified against ``recorded``
    (version -> sha256 from the lock); a recorded version without its file is a problem too."""
    folder = versions_dir(project, connector_id)
    files, problems = _listing(folder, connector_id)
    released = []
    for version, path in sorted(files.items()):
        outcome = _verified(project, path, version, template_id, current, recorded.get(version))
        if isinstance(outcome, Released):
            released.append(outcome)
        else:
            problems.append(outcome)
    for version in sorted(set(recorded) - set(files)):
        path = folder / file_name(connector_id, version)
        problems.append(
            Problem(
                f"{connector_id}: released version {version} is recorded but {VERSIONS_FOLDER}/{path.name} is missing",
                key_location(lock_path(project), lock_path(project).read_text("utf-8"), connector_id),
                hint=restore_hint(path),
                code="CG535",
            )
        )
    return released, problems


def save(project: Project, connector_id: str, version: int, data: bytes) -> Path:
    """Write a superseded template to ``versions/`` (whole, never through a planted link); the same bytes again is a no-op."""
    from .output import write_state_file

    folder = versions_dir(project, connector_id)
    folder.mkdir(exist_ok=True)
    path = folder / file_name(connector_id, version)
    if path.is_file() and not path.is_symlink() and path.read_bytes() == data:
        return path
    write_state_file(path, data)
    return path


def committed_copy(project: Project, relative: str) -> bytes | None:
    """``relative`` (a path in the library) as committed at git ``HEAD``, or None outside git."""
    try:
        result = subprocess.run(
            ["git", "-C", str(project.root), "show", f"HEAD:./{relative}"],
            capture_output=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout if result.returncode == 0 else None
