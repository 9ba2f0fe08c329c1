"""``catalyst-gen init [DIR]``: a new connector library whose first ``build`` and ``check`` pass.

Everything it writes comes from the templates catalyst-gen ships
(:func:`catalyst_gen.library.default_templates_dir`, package data in an
install): the artifact templates and the ``new`` scaffold are copied to the
library's ``templates/`` (where the author may change them),
``templates/scaffold/library/`` provides the rest (table below), and the spec
schema goes to ``connectors/_schema.json`` for editors (``catalyst-gen schema``
prints the current one).  The example
connector is built in memory and its version recorded, so ``build`` then
``check`` pass with no further step.

It never overwrites: every file it would write is checked first, and a folder
that already holds a library, or any of those files, is refused with the list.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..errors import CatalystError, Problem
from ..library import Project, default_templates_dir, find_root, is_library
from ..scaffold import LIBRARY_SCHEMA
from .info import spec_schema

HOOKS_REPO = "https://github.com/catalyst-connector/catalyst-gen"
"""The catalyst-gen repository, whose ``.pre-commit-hooks.yaml`` the new library's pre-commit config and CI use."""

LIBRARY_SCAFFOLD = "scaffold/library"
"""Inside the shipped templates: the files of a new library other than its templates."""

EXAMPLE_ID = "echo"

LIBRARY_FILES = {
    "connectors/_library.yaml": "library.yaml",
    "connectors/_presets/json-post.yaml": "preset.yaml",
    f"connectors/{EXAMPLE_ID}/connector.yaml": "connector.yaml",
    ".gitignore": "gitignore",
    ".pre-commit-config.yaml": "pre-commit-config.yaml.j2",
    ".github/workflows/catalyst-gen.yml": "workflow.yml.j2",
}
"""Where each file of ``templates/scaffold/library/`` goes in the new library (``.j2``: rendered)."""


@dataclass(frozen=True)
class NewLibrary:
    """The library ``init_library`` made: its root, the files written (relative, sorted) and the example's id."""

    root: Path
    files: tuple[str, ...]
    example_id: str


def library_files(templates: Path | None = None) -> dict[str, str]:
    """The new library's files: relative path -> text (the shipped templates, then the table above)."""
    templates = templates or default_templates_dir()
    files = {
        f"templates/{path.relative_to(templates).as_posix()}": path.read_text("utf-8")
        for path in sorted(templates.rglob("*"))
        if path.is_file() and not path.relative_to(templates).as_posix().startswith(LIBRARY_SCAFFOLD + "/")
    }
    context = {"hooks_repo": HOOKS_REPO, "version": __version__}
    for target, source in LIBRARY_FILES.items():
        text = (templates / LIBRARY_SCAFFOLD / source).read_text("utf-8")
        files[target] = _fill(text, context) if source.endswith(".j2") else text
    files[f"connectors/{LIBRARY_SCHEMA}"] = spec_schema().text  # for editors: the modeline of every spec names it
    return files


def _fill(text: str, context: dict[str, str]) -> str:
    """``{{ name }}`` replaced by its value: these files need no more of Jinja than that."""
    for name, value in context.items():
        text = text.replace("{{ " + name + " }}", value)
    return text


def _refuse_existing(root: Path, names: list[str]) -> None:
    if is_library(root):
        raise CatalystError(
            Problem(
                f"{root} is already a connector library (it has connectors/_library.yaml); nothing was written",
                hint="add a connector with `catalyst-gen new <id>`, or init a new, empty folder",
                code="CG611",
            )
        )
    enclosing = find_root(root)
    if enclosing is not None:
        raise CatalystError(
            Problem(
                f"{root} is inside the connector library {enclosing}; nothing was written",
                hint="init a folder outside it (a library inside another one would be mistaken for part of it)",
                code="CG611",
            )
        )
    taken = [name for name in names if (root / name).exists() or (root / name).is_symlink()]
    taken += [f"{d}/" for d in ("connectors", "templates", "dist") if (root / d).is_dir() and any((root / d).iterdir())]
    if taken:
        raise CatalystError(
            Problem(
                f"{root} already has files a new library would use: {', '.join(sorted(set(taken))[:10])}; "
                "nothing was written (init never overwrites)",
                hint="init an empty folder (or one without connectors/, templates/ and dist/), e.g. `catalyst-gen init my-library`",
                code="CG611",
            )
        )


def init_library(folder: str | os.PathLike[str] = ".") -> NewLibrary:
    """Start a connector library in ``folder`` (created if missing): settings, templates, a preset,
    an example connector with its version recorded, ``.gitignore``, a CI workflow and a pre-commit config.

    Raises :class:`CatalystError`, writing nothing, when ``folder`` is already
    a library or holds any of those files; removes what it wrote if the example
    does not build (a bug in the shipped scaffold).
    """
    root = Path(folder).resolve()
    if root.exists() and not root.is_dir():
        raise CatalystError(
            Problem(f"{root} is a file, not a folder", hint="give a folder for the new library", code="CG611")
        )
    files = library_files()
    _refuse_existing(root, list(files))
    written: list[Path] = []
    try:
        for name, text in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "x", encoding="utf-8") as handle:
                handle.write(text)
            written.append(path)
        _record_example(Project(root))
    except BaseException:
        for path in reversed(written):
            path.unlink(missing_ok=True)
        raise
    return NewLibrary(root, tuple(sorted(files)), EXAMPLE_ID)


def _record_example(project: Project) -> None:
    """Build the example in memory and record its version, so the first ``check`` after ``build`` passes."""
    from .. import versions
    from ..build import build_connector
    from ..output import exclusive

    with exclusive(project.state_dir):
        built = build_connector(project, EXAMPLE_ID)
        template = built.files[built.connector.file_names["element_template"]]
        versions.write_lock(project, {EXAMPLE_ID: versions.lock_entry(built.connector.version, template)})
