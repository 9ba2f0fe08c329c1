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
import stat
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from . import grammar
from .errors import Problem, SpecError
from .grammar import require_connector_id  # the one id rule: checked before an id becomes a path

if TYPE_CHECKING:
    from .model import Library

LIBRARY_FILE = "_library.yaml"
SPEC_FILE = "connector.yaml"
RELEASE_FOLDER = grammar.RELEASE_FOLDER
"""``dist/release/``: release packaging output (git-ignored), not a connector (its name is reserved)."""


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
        return self.connectors_dir / require_connector_id(connector_id) / SPEC_FILE

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
