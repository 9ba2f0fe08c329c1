"""Incremental builds: skip a connector whose inputs and outputs are unchanged.

A connector's *input key* hashes everything its artifacts depend on: its spec,
the presets and logo file it read (recorded at its last build), the shared
inputs (templates, ``_library.yaml``, the spec schema) and the tool itself
(version and source).  Its entry also records the hashes of the files it
wrote, so a hand edit in ``dist/`` is noticed and repaired by the next build.
No YAML is parsed to decide that nothing changed, which keeps a no-op
rebuild of a thousand connectors well under a second; this module therefore
imports nothing beyond the standard library and :mod:`catalyst_gen.library`.

The cache lives in ``.catalyst-gen/cache.json`` (ignored by git); deleting it,
or ``--force``, rebuilds everything.  A cache file that cannot be read, or an
entry of the wrong shape, only means "rebuild": it is never an error.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .library import LIBRARY_FILE, Project, default_templates_dir

if TYPE_CHECKING:
    from .model import Connector

CACHE_FORMAT = 1
CACHE_FILE = "cache.json"


def _hash_files(paths: Iterable[Path], base: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(str(path.relative_to(base) if path.is_relative_to(base) else path).encode())
        try:
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        except OSError:
            digest.update(b"<missing>")
    return digest.hexdigest()


@lru_cache(maxsize=1)
def tool_fingerprint() -> str:
    """Version plus the package's own sources and shipped templates: a code change invalidates every entry.

    ``preview/js/node_modules`` (present only where the preview bundle is rebuilt) is
    not the tool's code: hashing it would be slow and would differ between machines.
    """
    package = Path(__file__).parent
    files = _python_sources(package) + list(package.glob("schema/*.json"))
    shipped = [p for p in default_templates_dir().rglob("*") if p.is_file()]  # a library's fallback templates
    return __version__ + ":" + _hash_files(files, package) + ":" + _hash_files(shipped, package)


def _python_sources(package: Path) -> list[Path]:
    """Every ``.py`` file of the package; ``node_modules`` folders are not entered at all."""
    found = []
    for folder, dirs, names in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "node_modules")
        found += [Path(folder) / name for name in names if name.endswith(".py")]
    return found


def shared_fingerprint(project: Project) -> str:
    """Inputs every connector depends on: templates and the library settings."""
    files = [p for p in project.templates_dir.rglob("*") if p.is_file()]
    files.append(project.connectors_dir / LIBRARY_FILE)
    return tool_fingerprint() + ":" + _hash_files(files, project.root)


def connector_inputs(connector: Connector, project: Project) -> tuple[Path, ...]:
    """Files one connector was built from (spec, the presets it extends, its logo file), and the
    specs of the connectors its README links to (a link to one that was removed must fail)."""
    extra = (connector.logo.file,) if connector.logo.file else ()
    linked = tuple(project.spec_path(other) for other in connector.linked_connectors)
    return tuple(connector.source_files) + extra + linked


def file_digests(files: dict[str, bytes]) -> dict[str, str]:
    return {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())}


def _is_entry(entry: Any) -> bool:
    """An entry as :meth:`BuildCache.record` writes it (anything else is ignored, so rebuilt)."""
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("key"), str)
        and isinstance(entry.get("inputs"), list)
        and all(isinstance(p, str) for p in entry["inputs"])
        and isinstance(entry.get("files"), dict)
        and all(isinstance(n, str) and isinstance(d, str) for n, d in entry["files"].items())
    )


def _is_plain_name(name: str) -> bool:
    """A single folder name (no separators, not ``.``/``..``): safe to join to ``dist/``.

    Only ids recorded by a successful build are in the cache, but the file is
    outside version control; a tampered key must not make us read elsewhere.
    """
    return bool(name) and "/" not in name and "\\" not in name and not name.startswith(".")


def _read_entries(path: Path) -> dict[str, dict]:
    """The recorded entries; a missing, unreadable, planted (a link, a FIFO) or malformed cache means "rebuild"."""
    from .output import read_state_file

    try:
        data = json.loads(read_state_file(path, limit=64 << 20))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT or not isinstance(data.get("entries"), dict):
        return {}
    return {cid: entry for cid, entry in data["entries"].items() if _is_plain_name(cid) and _is_entry(entry)}


class BuildCache:
    """Read once, updated in memory, written once at the end of a build."""

    def __init__(self, project: Project):
        self.project = project
        self.path = project.state_dir / CACHE_FILE
        self.shared = shared_fingerprint(project)
        self.entries = _read_entries(self.path)

    def input_key(self, inputs: Iterable[Path]) -> str:
        return self.shared + ":" + _hash_files(inputs, self.project.root)

    def is_fresh(self, connector_id: str) -> bool:
        """True when neither the inputs nor ``dist/<id>/`` changed since the last build."""
        entry = self.entries.get(connector_id)
        if not entry:
            return False
        inputs = [self.project.root / p for p in entry["inputs"]]
        if entry["key"] != self.input_key(inputs):
            return False
        folder = self.project.dist_dir / connector_id
        try:
            present = sorted(os.listdir(folder))
            return present == sorted(entry["files"]) and all(
                hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
                for name, digest in entry["files"].items()
            )
        except OSError:
            return False

    def record(self, connector_id: str, inputs: Iterable[Path], files: dict[str, bytes]) -> None:
        resolved = sorted({Path(p).resolve() for p in inputs})
        root = self.project.root.resolve()
        self.entries[connector_id] = {
            "key": self.input_key(resolved),
            "inputs": [str(p.relative_to(root)) if p.is_relative_to(root) else str(p) for p in resolved],
            "files": file_digests(files),
        }

    def forget(self, connector_id: str) -> None:
        self.entries.pop(connector_id, None)

    def save(self) -> None:
        from .output import write_state_file

        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_state_file(self.path, json.dumps({"format": CACHE_FORMAT, "entries": self.entries}, sort_keys=True))
