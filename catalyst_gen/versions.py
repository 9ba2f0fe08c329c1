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
import os
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import CatalystError, Location, Problem
from .library import Project

LOCK_FILE = "_versions.lock"


def lock_path(project: Project) -> Path:
    return project.connectors_dir / LOCK_FILE


def template_digest(template: bytes) -> str:
    return hashlib.sha256(template).hexdigest()


def read_lock(project: Project) -> dict[str, dict]:
    """The lock as written by :func:`write_lock`; a hand-broken lock is refused, located."""
    path = lock_path(project)
    if not path.is_file():
        return {}
    text = path.read_text("utf-8")
    try:
        data = json.loads(text)
    except ValueError as exc:
        line, column = (exc.lineno, exc.colno) if isinstance(exc, json.JSONDecodeError) else (1, 1)
        raise CatalystError(
            Problem(f"{LOCK_FILE} is not valid JSON: {exc}", Location(path, line, column), hint=RESTORE_LOCK)
        ) from None
    if not isinstance(data, dict):
        raise CatalystError(Problem(f"{LOCK_FILE} is not a JSON object", Location(path, 1, 1), hint=RESTORE_LOCK))
    problems = [
        Problem(f"{LOCK_FILE}: malformed entry for {cid!r}", _entry_location(path, text, cid), hint=RESTORE_LOCK)
        for cid, entry in data.items()
        if not _well_formed(entry)
    ]
    if problems:
        raise CatalystError(problems)
    return data


RESTORE_LOCK = "restore it from git; `catalyst-gen bump` writes it"
_DIGEST = re.compile(r"[0-9a-f]{64}")


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
    return isinstance(history, list) and all(_is_record(item) for item in history)


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
    path = lock_path(project)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(dict(sorted(lock.items())), indent=2, sort_keys=True) + "\n", "utf-8")
    os.replace(tmp, path)


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
        if rec is None:
            return Problem(
                f"{self.connector_id}: template version {self.version} is not recorded in {LOCK_FILE}", hint=fix
            )
        if self.version < rec["version"]:
            return Problem(
                f"{self.connector_id}: template version {self.version} is lower than the released {rec['version']}",
                hint=f"versions only go up: set `version: {rec['version'] + 1}` or {fix}",
            )
        if self.version == rec["version"] and self.digest != rec["sha256"]:
            return Problem(
                f"{self.connector_id}: the element template changed but its version is still {self.version}",
                hint=f"{fix} (Camunda Modeler treats same id + version as the same template)",
            )
        if self.version > rec["version"] or self.digest != rec["sha256"]:
            return Problem(f"{self.connector_id}: version {self.version} is not recorded in {LOCK_FILE} yet", hint=fix)
        return None


def raised_version(state: VersionState, *, force: bool = False) -> int | None:
    """The bump rule: the version ``catalyst-gen bump`` moves to, or None to keep it.

    A recorded connector whose template changed under the same version is
    raised past the higher of the two (``force`` raises it regardless).  A new
    connector, or one whose version was already raised by hand, keeps its
    version: the bump only records it.
    """
    recorded = state.recorded
    if recorded is None:
        return None
    changed_in_place = state.version == recorded["version"] and state.digest != recorded["sha256"]
    if force or changed_in_place:
        return max(state.version, recorded["version"]) + 1
    return None


def lock_entry(version: int, template: bytes, history: dict[int, str] | None = None) -> dict:
    """What ``_versions.lock`` records for one connector: its released template, and the
    sha256 of each superseded version kept in ``versions/`` (oldest first; omitted when none)."""
    entry: dict = {"version": version, "sha256": template_digest(template)}
    if history:
        entry["history"] = [{"version": v, "sha256": digest} for v, digest in sorted(history.items())]
    return entry


def states(project: Project, built: dict[str, tuple[int, bytes]]) -> list[VersionState]:
    """``built``: id -> (version, element template bytes)."""
    lock = read_lock(project)
    return [
        VersionState(cid, version, template_digest(t), lock.get(cid)) for cid, (version, t) in sorted(built.items())
    ]


_VERSION_LINE = re.compile(r"^version:[ \t]*(\d+)[ \t]*(#.*)?$", re.M)


def set_spec_version(spec: Path, version: int) -> None:
    """Write ``version: N`` into the spec, keeping everything else as the author wrote it."""
    text = spec.read_text("utf-8-sig")
    if _VERSION_LINE.search(text):
        text = _VERSION_LINE.sub(
            lambda m: f"version: {version}" + (f"  {m.group(2)}" if m.group(2) else ""), text, count=1
        )
    else:  # inherited from a preset: state it right after the name
        name = re.search(r"^name:.*$", text, re.M) or re.search(r"^id:.*$", text, re.M)
        if name is None:
            raise ValueError(f"{spec}: no top-level name: or id: line to put version: after")
        text = text[: name.end()] + f"\nversion: {version}" + text[name.end() :]
    tmp = spec.with_suffix(".tmp")
    tmp.write_text(text, "utf-8")
    os.replace(tmp, spec)


def version_location(spec: Path) -> Location:
    text = spec.read_text("utf-8-sig")
    match = _VERSION_LINE.search(text)
    if not match:
        return Location(spec, 1, 1)
    return Location(spec, text.count("\n", 0, match.start()) + 1, 1)
