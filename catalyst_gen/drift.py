"""Is ``dist/`` exactly what the specs produce?  A file-by-file comparison.

Given the artifacts regenerated in memory (never trusting the cache), lists
stale files with unified diffs, and files that are missing or that no
connector produces, so CI can say precisely what a pull request forgot to
rebuild.  Regenerating, and turning drift into problems, is
:mod:`catalyst_gen.commands.verify`'s job; this module only compares.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from .library import RELEASE_FOLDER
from .output import read_tree

IGNORED_DIST_ENTRIES = {RELEASE_FOLDER}
"""Release packaging output (git-ignored), not generated per connector."""


@dataclass
class Drift:
    stale: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    diffs: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.stale or self.missing or self.extra)


def _diff(path: str, old: bytes, new: bytes) -> str:
    try:
        a, b = old.decode("utf-8").splitlines(keepends=True), new.decode("utf-8").splitlines(keepends=True)
    except UnicodeDecodeError:
        return f"Binary files {path} differ\n"
    lines = difflib.unified_diff(a, b, f"a/{path} (dist)", f"b/{path} (generated)")
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def compare(dist_dir: Path, generated: dict[str, dict[str, bytes]], *, all_connectors: bool) -> Drift:
    """Compare ``generated`` (id -> files) with ``dist_dir``; extra folders only when checking all."""
    drift = Drift()
    for cid in sorted(generated):
        current = read_tree(dist_dir / cid)
        for name in sorted(set(current) | set(generated[cid])):
            rel = f"dist/{cid}/{name}"
            if name not in current:
                drift.missing.append(rel)
            elif name not in generated[cid]:
                drift.extra.append(rel)
            elif current[name] != generated[cid][name]:
                drift.stale.append(rel)
                drift.diffs.append(_diff(rel, current[name], generated[cid][name]))
    if all_connectors and dist_dir.is_dir():
        for entry in sorted(dist_dir.iterdir()):
            if entry.name in IGNORED_DIST_ENTRIES or entry.name in generated or entry.name.startswith("."):
                continue
            drift.extra.append(f"dist/{entry.name}" + ("/" if entry.is_dir() else ""))
    return drift
