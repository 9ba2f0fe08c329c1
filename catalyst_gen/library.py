"""Where things live in a connector library checkout.

A library is a folder with ``connectors/`` (one folder per connector, plus
``_presets/`` and ``_library.yaml``), ``templates/`` and ``dist/``.  Folders
under ``connectors/`` whose names start with ``_`` or ``.`` are not connectors.

This module is paths only and imports nothing heavy: an unchanged build
decides "nothing to do" with it and the cache alone.  The shared settings in
``_library.yaml`` are read by :mod:`catalyst_gen.settings` on first use.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from . import grammar
from .errors import Location, Problem, SpecError
from .grammar import require_connector_id  # the one id rule: checked before an id becomes a path

if TYPE_CHECKING:
    from .model import Library

LIBRARY_FILE = "_library.yaml"
SPEC_FILE = "connector.yaml"
RELEASE_FOLDER = grammar.RELEASE_FOLDER
"""``dist/release/``: release packaging output (git-ignored), not a connector (its name is reserved)."""

INIT_HINT = "run `catalyst-gen init` to start a new connector library here, or run the command inside one"


def is_library(folder: Path) -> bool:
    """Does ``folder`` hold ``connectors/_library.yaml``, the mark of a library root?"""
    return (folder / "connectors" / LIBRARY_FILE).is_file()


def _kebab_example(name: str) -> str:
    """``, e.g. bad-one`` for ``BadOne`` (nothing when no id comes out of it)."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", name).lower()
    guess = re.sub(r"[^a-z0-9]+", "-", words).strip("-")
    return f", e.g. {guess}" if grammar.is_connector_id(guess) else ""


def find_root(start: Path) -> Path | None:
    """The library root at or above ``start``, found as git finds ``.git``: the nearest folder that is a library.

    So every command works from anywhere inside a library (``connectors/acme/``,
    ``dist/``, ``templates/``), and none ever writes outside the root it found.
    """
    start = start.resolve()
    for folder in (start, *start.parents):
        if is_library(folder):
            return folder
    return None


def _not_a_library(root: Path, project_dir: str | os.PathLike[str]) -> Problem:
    """Why ``-C root`` is no library, and the ``-C`` that would be one: a folder that does not exist,
    one inside a library (its root is above it), or a folder where ``init`` could start one."""
    if not root.exists():
        what, hint = "does not exist", "check the path given with -C/--project-dir"
    elif (above := find_root(root)) is not None:
        what, hint = "is inside a connector library, not its root", f"give the library's root: -C {above}"
    else:
        what = f"is not a connector library (it has no connectors/{LIBRARY_FILE})"
        hint = (
            f"give the library's root folder (the one holding connectors/{LIBRARY_FILE}), "
            f"or run `catalyst-gen init {project_dir}` to start a library there"
        )
    return Problem(f"{root} {what}", hint=hint, code="CG141")


def discover_root(project_dir: str | os.PathLike[str] | None) -> Path:
    """The root a command works on: ``project_dir`` itself when given, else the one :func:`find_root` finds.

    An explicit ``-C``/``--project-dir`` names the root exactly and is not
    walked up from: a script that names a folder gets that folder or an error,
    never a library somewhere above it.  Outside a library (or a ``-C`` folder
    that is not one) the error names ``catalyst-gen init``; nothing is written.
    """
    if project_dir is not None:
        root = Path(project_dir).resolve()
        if not is_library(root):
            raise SpecError(_not_a_library(root, project_dir))
        return root
    found = find_root(Path.cwd())
    if found is None:
        raise SpecError(
            Problem(
                f"not inside a connector library: no connectors/{LIBRARY_FILE} in {Path.cwd().resolve()} "
                "or any folder above it",
                hint=INIT_HINT,
                code="CG141",
            )
        )
    return found


def read_inside(root: Path | None, path: Path, max_bytes: int) -> bytes:
    """The bytes of a library input file (spec, preset, logo, ``_library.yaml``, ``_versions.lock``).

    Specs arrive in pull requests and CI runs the tool with secrets in its
    environment, and error messages quote the offending line of a file: so a
    file is read only when its real path stays inside the library ``root`` (a
    link to another file of the library is fine; one to ``/proc/self/environ`` or
    a credentials file is not) and it is a regular file (a FIFO would block, a
    device would never end).  At most ``max_bytes + 1`` bytes are read, so the
    caller can tell "too large" without reading a huge file.  ``OSError`` (a
    missing or unreadable file) is left to the caller, which knows what to say.
    """
    if root is not None and not path.resolve().is_relative_to(root.resolve()):
        raise SpecError(
            Problem(
                f"{path} is a link to a file outside the library; it is not read",
                hint="replace the link with the file itself, inside the library",
                code="CG130",
            )
        )
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise SpecError(
                Problem(f"{path} is not a regular file; it is not read", hint="replace it with a file", code="CG131")
            )
        return handle.read(max_bytes + 1)


def default_templates_dir() -> Path:
    """The templates that come with catalyst-gen: a library's ``templates/`` overrides them file by file.

    In an installed package they are package data (``catalyst_gen/templates/``,
    copied from the repository's ``templates/`` when the wheel is built; see
    ``pyproject.toml``); in a source checkout they are that ``templates/`` itself.
    """
    package = Path(__file__).parent
    installed = package / "templates"
    return installed if installed.is_dir() else package.parent / "templates"


@dataclass(frozen=True)
class Project:
    """A checkout of the connector library."""

    root: Path

    @property
    def connectors_dir(self) -> Path:
        return self.root / "connectors"

    @property
    def presets_dir(self) -> Path:
        from .loader import PRESETS_DIR  # the loader owns the name; only specs being loaded need it

        return self.connectors_dir / PRESETS_DIR

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def dist_dir(self) -> Path:
        return self.root / "dist"

    @property
    def state_dir(self) -> Path:
        """Cache, lock and staging area; outside ``dist/`` and ignored by git."""
        return self.root / ".catalyst-gen"

    @property
    def settings_path(self) -> Path:
        return self.connectors_dir / LIBRARY_FILE

    def spec_path(self, connector_id: str) -> Path:
        try:
            return self.connectors_dir / require_connector_id(connector_id) / SPEC_FILE
        except SpecError as exc:
            raise self._named_folder(connector_id, exc) from None

    def _named_folder(self, name: str, refused: SpecError) -> SpecError:
        """A refused id that is the name of a folder of the library holding a spec (``connectors/BadOne/``):
        the problem names the folder, so the author sees which one to rename."""
        plain = name not in (".", "..") and not any(sep in name for sep in ("/", "\\", "\0"))
        spec = self.connectors_dir / name / SPEC_FILE
        if not (plain and spec.is_file()):
            return refused
        problem = refused.problems[0]
        return SpecError(
            Problem(
                f"the folder connectors/{name}/ holds a spec, but {problem.message}",
                Location(spec, 1, 1),
                hint=f"{problem.hint}; rename the folder (and the spec's `id`){_kebab_example(name)}",
                code=problem.code,
            )
        )

    def connector_ids(self) -> list[str]:
        """Every connector in the library, sorted (the build order does not matter)."""
        if not self.connectors_dir.is_dir():
            return []
        return sorted(
            p.name
            for p in self.connectors_dir.iterdir()
            if p.is_dir() and not p.name.startswith(("_", ".")) and (p / SPEC_FILE).is_file()
        )

    @cached_property
    def library(self) -> Library:
        """The shared settings of ``_library.yaml``, validated (read once per process)."""
        from .settings import load_settings

        return load_settings(self.settings_path)
