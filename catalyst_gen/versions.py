"""Template versions that Camunda Modeler can rely on.

The Modeler identifies an element template by ``id`` and ``version`` and
offers users an upgrade when a higher version appears; two different
templates under the same id and version break every process that uses them.
``connectors/_versions.lock`` records, per connector, the version and the
sha256 of the element template released under it.  ``check`` fails when the
template changed but its version did not; ``catalyst-gen bump <id>`` raises
the version in the spec and updates the record.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import Location, Problem, SpecError
from .library import Project

LOCK_FILE = "_versions.lock"


def lock_path(project: Project) -> Path:
    return project.connectors_dir / LOCK_FILE


def template_digest(template: bytes) -> str:
    return hashlib.sha256(template).hexdigest()


MAX_LOCK_BYTES = 1 << 20
"""A version record is a line per connector; a megabyte is tens of thousands of them."""


def read_lock(project: Project) -> dict[str, dict]:
    """The recorded versions: ``{id: {"version": int, "sha256": hex}}``, or a clear error saying how to restore it."""
    from .library import read_inside

    path = lock_path(project)
    if not path.exists() and not path.is_symlink():
        return {}
    try:
        raw = read_inside(project.root, path, MAX_LOCK_BYTES)
        data = json.loads(raw) if len(raw) <= MAX_LOCK_BYTES else None
    except (OSError, ValueError) as exc:
        raise _bad_lock(path, f"it cannot be read as JSON ({exc})") from None
    if not isinstance(data, dict):
        raise _bad_lock(path, "it is not a JSON object of connector ids")
    for cid, entry in data.items():
        if not (
            isinstance(cid, str)
            and isinstance(entry, dict)
            and _is_whole(entry.get("version"))
            and isinstance(entry.get("sha256"), str)
            and len(entry["sha256"]) == 64
        ):
            raise _bad_lock(path, f"the entry for {json.dumps(cid)[:80]} is not {{version, sha256}}")
    return data


def _is_whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _bad_lock(path: Path, why: str) -> SpecError:
    return SpecError(
        Problem(
            f"{path} is not a version record catalyst-gen can use: {why}",
            hint="restore it from git (git checkout -- connectors/_versions.lock), then run `catalyst-gen bump <id>` "
            "for connectors whose template changed",
        )
    )


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


def lock_entry(version: int, template: bytes) -> dict:
    """What ``_versions.lock`` records for one connector's released template."""
    return {"version": version, "sha256": template_digest(template)}


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
