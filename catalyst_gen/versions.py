"""Template versions that Camunda Modeler can rely on.

The Modeler identifies an element template by ``id`` and ``version`` and
offers users an upgrade when a higher version appears; two different
templates under the same id and version break every process that uses them.
``connectors/_versions.lock`` records, per connector, the version and the
sha256 of the element template released under it, and under ``history``
the sha256 of every superseded version kept in ``connectors/<id>/versions/``
(:mod:`catalyst_gen.history`).  ``check`` fails when the template changed but
its version did not; ``catalyst-gen bump <id>`` raises the version in the
spec and updates the record.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import CatalystError, Location, Problem, SpecError
from .library import Project

LOCK_FILE = "_versions.lock"


def lock_path(project: Project) -> Path:
    return project.connectors_dir / LOCK_FILE


def template_digest(template: bytes) -> str:
    return hashlib.sha256(template).hexdigest()


MAX_LOCK_BYTES = 1 << 20
"""A version record is a line per connector; a megabyte is tens of thousands of them."""


def read_lock(project: Project) -> dict[str, dict]:
    """The lock as written by :func:`write_lock`, or a located error saying how to restore it.

    The lock arrives in pull requests like any spec: it is read only inside the
    library and as a regular file (:func:`catalyst_gen.library.read_inside`),
    at most :data:`MAX_LOCK_BYTES`, and every entry (and its ``history``) must be
    ``{version >= 1, sha256 hex}``.
    """
    from .library import read_inside

    path = lock_path(project)
    if not path.exists() and not path.is_symlink():
        return {}
    try:
        raw = read_inside(project.root, path, MAX_LOCK_BYTES)
    except OSError as exc:
        raise _bad_lock(path, f"it cannot be read ({exc.strerror or exc})") from None
    if len(raw) > MAX_LOCK_BYTES:
        raise _bad_lock(path, f"it is larger than {MAX_LOCK_BYTES} bytes")
    text = raw.decode("utf-8", errors="replace")
    try:
        data = json.loads(text)
    except ValueError as exc:
        line, column = (exc.lineno, exc.colno) if isinstance(exc, json.JSONDecodeError) else (1, 1)
        raise _bad_lock(path, f"it is not valid JSON ({exc})", Location(path, line, column)) from None
    if not isinstance(data, dict):
        raise _bad_lock(path, "it is not a JSON object of connector ids")
    problems = [
        Problem(
            f"{LOCK_FILE}: malformed entry for {cid!r}",
            _entry_location(path, text, cid),
            hint=RESTORE_LOCK,
            code="CG513",
        )
        for cid, entry in data.items()
        if not _well_formed(entry)
    ]
    if problems:
        raise CatalystError(problems)
    return data


RESTORE_LOCK = (
    "restore it from git (git checkout -- connectors/_versions.lock), then run `catalyst-gen bump <id>` "
    "for connectors whose template changed"
)
_DIGEST = re.compile(r"[0-9a-f]{64}")


def _bad_lock(path: Path, why: str, where: Location | None = None) -> SpecError:
    return SpecError(
        Problem(
            f"{path} is not a version record catalyst-gen can use: {why}",
            where or Location(path, 1, 1),
            hint=RESTORE_LOCK,
            code="CG513",
        )
    )


def _is_record(item: object) -> bool:
    """``{"version": N, "sha256": "<hex>"}`` with N >= 1."""
    if not isinstance(item, dict):
        return False
    version, digest = item.get("version"), item.get("sha256")
    return (
        isinstance(version, int)
        and not isinstance(version, bool)
        and version >= 1
        and isinstance(digest, str)
        and _DIGEST.fullmatch(digest) is not None
    )


def _well_formed(entry: object) -> bool:
    if not _is_record(entry):
        return False
    assert isinstance(entry, dict)
    history = entry.get("history", [])
    draft_flag = isinstance(entry.get("draft", False), bool)
    return draft_flag and isinstance(history, list) and all(_is_record(item) for item in history)


def _entry_location(path: Path, text: str, connector_id: str) -> Location:
    index = text.find(json.dumps(connector_id))
    if index < 0:
        return Location(path, 1, 1)
    return Location(path, text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1)


def recorded_history(entry: dict | None) -> dict[int, str]:
    """Version -> sha256 of every superseded version saved in ``versions/`` (see :mod:`catalyst_gen.history`)."""
    if entry is None:
        return {}
    return {item["version"]: item["sha256"] for item in entry.get("history", [])}


def write_lock(project: Project, lock: dict[str, dict]) -> None:
    from .output import write_state_file

    write_state_file(lock_path(project), json.dumps(dict(sorted(lock.items())), indent=2, sort_keys=True) + "\n")


@dataclass(frozen=True)
class VersionState:
    connector_id: str
    version: int
    digest: str
    recorded: dict | None

    @property
    def problem(self) -> Problem | None:
        fix = f"run `catalyst-gen bump {self.connector_id}`"
        rec = self.recorded
        if rec is not None and rec.get("draft") and (self.version, self.digest) != (rec["version"], rec["sha256"]):
            return Problem(
                f"{self.connector_id}: the draft record of version {self.version} is out of date",
                hint=f"run `catalyst-gen build {self.connector_id}` (it updates a draft's record)",
                code="CG517",
            )
        if rec is None:
            return Problem(
                f"{self.connector_id}: template version {self.version} is not recorded in {LOCK_FILE}",
                hint=fix,
                code="CG510",
            )
        if self.version < rec["version"]:
            return Problem(
                f"{self.connector_id}: template version {self.version} is lower than the released {rec['version']}",
                hint=f"versions only go up: set `version: {rec['version'] + 1}` or {fix}",
                code="CG511",
            )
        if self.version == rec["version"] and self.digest != rec["sha256"]:
            return Problem(
                f"{self.connector_id}: the element template changed but its version is still {self.version}",
                hint=f"{fix} (Camunda Modeler treats same id + version as the same template)",
                code="CG512",
            )
        if self.version > rec["version"] or self.digest != rec["sha256"]:
            return Problem(
                f"{self.connector_id}: version {self.version} is not recorded in {LOCK_FILE} yet",
                hint=fix,
                code="CG510",
            )
        return None


def raised_version(state: VersionState, *, force: bool = False) -> int | None:
    """The bump rule: the version ``catalyst-gen bump`` moves to, or None to keep it.

    A recorded connector whose template changed under the same version is
    raised past the higher of the two (``force`` raises it regardless).  A new
    connector, or one whose version was already raised by hand, keeps its
    version: the bump only records it.
    """
    recorded = state.recorded
    if recorded is None or (recorded.get("draft") and not force):
        return None  # a draft is never released: its record follows the template (see refresh_drafts)
    changed_in_place = state.version == recorded["version"] and state.digest != recorded["sha256"]
    if force or changed_in_place:
        return max(state.version, recorded["version"]) + 1
    return None


def lock_entry(version: int, template: bytes, history: dict[int, str] | None = None, *, draft: bool = False) -> dict:
    """What ``_versions.lock`` records for one connector: its released template, the sha256 of
    each superseded version kept in ``versions/`` (oldest first; omitted when none), and
    ``draft`` for a scaffold's record (see :func:`refresh_drafts`)."""
    entry: dict = {"version": version, "sha256": template_digest(template)}
    if history:
        entry["history"] = [{"version": v, "sha256": digest} for v, digest in sorted(history.items())]
    if draft:
        entry["draft"] = True
    return entry


def refresh_drafts(project: Project, built: dict[str, tuple[int, bytes, bool]]) -> None:
    """Keep draft records equal to the templates just built; a build without TODO placeholders ends the draft.

    ``catalyst-gen new`` records its scaffold's version as a *draft* (``"draft": true``),
    so ``validate`` and ``check`` pass without a ``bump`` while the author fills it in.
    A draft is never released (``check`` and ``package`` refuse TODO placeholders),
    so each build may move its record along; the first build with no placeholder
    left (``built``: id -> (version, template, has_todos)) records it as final, and
    from then on a template change needs ``bump`` like any other.
    """
    lock = read_lock(project)
    changed = False
    for cid, (version, template, has_todos) in built.items():
        if cid in lock and lock[cid].get("draft"):
            entry = lock_entry(version, template, draft=has_todos)
            changed |= entry != lock[cid]
            lock[cid] = entry
    if changed:
        write_lock(project, lock)


def states(project: Project, built: dict[str, tuple[int, bytes]]) -> list[VersionState]:
    """``built``: id -> (version, element template bytes)."""
    lock = read_lock(project)
    return [
        VersionState(cid, version, template_digest(t), lock.get(cid)) for cid, (version, t) in sorted(built.items())
    ]


def set_spec_version(spec: Path, version: int, root: Path | None = None) -> bytes:
    """Write ``version`` into the spec where the YAML parser says the value is; return the old bytes.

    Only the characters of the ``version`` value change (the author's layout and
    comments stay).  The edit is YAML-aware: the loader locates the key in this
    file, so a ``version:`` inside a block of text, a comment or a quoted key is
    never mistaken for it.  A version written other than as a plain number, or a
    layout where a new line cannot be placed safely, is refused with what to do.
    The caller restores the returned bytes if the edited spec does not build.
    """
    from .library import read_inside
    from .loader import MAX_FILE_BYTES, load_file

    original = read_inside(root, spec, MAX_FILE_BYTES)
    text = original.decode("utf-8-sig")
    source = load_file(spec, root)
    if ("version",) in source.key_locs:
        edited = _replace_version(text, source.value_locs[("version",)], version, spec)
    else:
        edited = _insert_version(text, source.key_locs.get(("id",)), version, spec)
    from .output import write_state_file

    bom = b"\xef\xbb\xbf" if original.startswith(b"\xef\xbb\xbf") else b""
    write_state_file(spec, bom + edited.encode("utf-8"))
    return original


def _lines_offset(text: str, line: int) -> int:
    """Index of the first character of ``line`` (from 1) in ``text``."""
    offset = 0
    for _ in range(line - 1):
        offset = text.index("\n", offset) + 1
    return offset


def _replace_version(text: str, where: Location, version: int, spec: Path) -> str:
    start = _lines_offset(text, where.line) + where.column - 1
    match = re.compile(r"[0-9]+(?=[ \t]*(#.*)?$)", re.M).match(text, start)
    if match is None:
        raise SpecError(
            Problem(
                "catalyst-gen can only raise a version written as a plain number",
                where,
                ("version",),
                f"write `version: {version - 1}` (no quotes, anchors or flow style), then run bump again",
                code="CG514",
            )
        )
    return text[:start] + str(version) + text[match.end() :]


def _insert_version(text: str, id_key: Location | None, version: int, spec: Path) -> str:
    """The version is inherited from a preset: state it on its own line after ``id:``."""
    if id_key is None or id_key.column != 1:
        raise SpecError(
            Problem(
                "the version is inherited and the spec has no top-level `id:` line to put `version:` after",
                Location(spec, 1, 1),
                hint=f"add `version: {version}` to the spec yourself",
                code="CG514",
            )
        )
    line_end = text.find("\n", _lines_offset(text, id_key.line))
    if line_end < 0:
        return text + f"\nversion: {version}\n"
    return text[: line_end + 1] + f"version: {version}\n" + text[line_end + 1 :]


def version_location(spec: Path, root: Path | None = None) -> Location:
    """Where the spec states its ``version`` (as the YAML parser locates it), else its first line.

    Findings of ``bump`` point here: the version is what the author changes
    (or not) about them.
    """
    from .loader import load_file

    try:
        source = load_file(spec, root)
    except (CatalystError, OSError):
        return Location(spec, 1, 1)
    return source.value_locs.get(("version",)) or Location(spec, 1, 1)
