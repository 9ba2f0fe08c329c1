"""``catalyst-gen check``: is ``dist/`` exactly what the specs produce?

Regenerates every connector in memory (never trusting the cache) and
compares file by file.  Reports stale files as unified diffs, and files that
are missing or that no connector produces, so CI can say precisely what a
pull request forgot to rebuild.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from .output import read_tree

IGNORED_DIST_ENTRIES = {"release"}
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


@dataclass
class Verification:
    """Everything `check`, `validate` and `package` decide on, computed once."""

    outcomes: list
    drift: Drift
    problems: list


def verify(
    project, ids, *, jobs=None, compare_dist: bool, all_connectors: bool, hint: str | None = None
) -> Verification:
    """Regenerate ``ids`` in memory and collect every problem: spec/artifact failures,
    unrecorded or un-bumped template versions, and (with ``compare_dist``) drift from ``dist/``."""
    import json

    from . import versions
    from .build import build_many
    from .errors import Problem

    outcomes = build_many(project, ids, jobs=jobs)
    problems = [p for o in outcomes if o.problems for p in o.problems]
    built = {}
    for o in outcomes:
        if o.files is not None:
            template = o.files[f"{o.connector_id}.element.json"]
            built[o.connector_id] = (json.loads(template)["version"], template)
    problems += [state.problem for state in versions.states(project, built) if state.problem]
    drift = Drift()
    if compare_dist and built:
        drift = compare(
            project.dist_dir,
            {o.connector_id: o.files for o in outcomes if o.files is not None},
            all_connectors=all_connectors,
        )
        rebuild = hint or "run `catalyst-gen build` and commit dist/"
        problems += [Problem(f"{p} is stale", hint=rebuild) for p in drift.stale]
        problems += [Problem(f"{p} is missing", hint=rebuild) for p in drift.missing]
        problems += [
            Problem(f"{p} is produced by no connector", hint="delete it, or restore its connector spec")
            for p in drift.extra
        ]
    return Verification(outcomes, drift, problems)
