"""Incremental builds: skip a connector whose inputs and outputs are unchanged.

A connector's *input key* hashes everything its artifacts depend on: its spec,
the presets and logo file it read (recorded at its last build), the shared
inputs (templates, ``_library.yaml``, the spec schema) and the tool itself
(version and source).  Its entry also records the hashes of the files it
wrote, so a hand edit in ``dist/`` is noticed and repaired by the next build.
No YAML is parsed to decide that nothing changed, which keeps a no-op
rebuild of a thousand connectors well under a second.

The cache lives in ``.catalyst-gen/cache.json`` (ignored by git); deleting it,
or ``--force``, rebuilds everything.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path

from . import __version__

CACHE_FORMAT = 1


def _hash_files(paths, base: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(str(Path(path).relative_to(base) if Path(path).is_relative_to(base) else path).encode())
        try:
            digest.update(hashlib.sha256(Path(path).read_bytes()).digest())
        except OSError:
            digest.update(b"<missing>")
    return digest.hexdigest()


@lru_cache(maxsize=1)
def tool_fingerprint() -> str:
    """Version plus the package's own sources: a code change invalidates every entry."""
    package = Path(__file__).parent
    files = list(package.glob("*.py")) + list(package.glob("schema/*.json"))
    return __version__ + ":" + _hash_files(files, package)


def shared_fingerprint(project) -> str:
    """Inputs every connector depends on: templates and the library settings."""
    files = [p for p in project.templates_dir.rglob("*") if p.is_file()]
    files.append(project.connectors_dir / "_library.yaml")
    return tool_fingerprint() + ":" + _hash_files(files, project.root)


def file_digests(files: dict[str, bytes]) -> dict[str, str]:
    return {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())}


class BuildCache:
    """Read once, updated in memory, written once at the end of a build."""

    def __init__(self, project):
        self.project = project
        self.path = project.state_dir / "cache.json"
        self.shared = shared_fingerprint(project)
        try:
            data = json.loads(self.path.read_text("utf-8"))
            self.entries = data["entries"] if data.get("format") == CACHE_FORMAT else {}
        except (OSError, ValueError, KeyError, TypeError):
            self.entries = {}

    def input_key(self, inputs) -> str:
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
        except OSError:
            return False
        if present != sorted(entry["files"]):
            return False
        return all(
            hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
            for name, digest in entry["files"].items()
        )

    def record(self, connector_id: str, inputs, files: dict[str, bytes]) -> None:
        inputs = sorted({Path(p).resolve() for p in inputs})
        root = self.project.root.resolve()
        self.entries[connector_id] = {
            "key": self.input_key(inputs),
            "inputs": [str(p.relative_to(root)) if p.is_relative_to(root) else str(p) for p in inputs],
            "files": file_digests(files),
        }

    def forget(self, connector_id: str) -> None:
        self.entries.pop(connector_id, None)

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"format": CACHE_FORMAT, "entries": self.entries}, sort_keys=True), "utf-8")
        os.replace(tmp, self.path)
