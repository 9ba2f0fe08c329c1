"""Where things live in a connector library checkout.

A library is a folder with ``connectors/`` (one folder per connector, plus
``_presets/`` and ``_library.yaml``), ``templates/`` and ``dist/``.  Folders
under ``connectors/`` whose names start with ``_`` or ``.`` are not connectors.

This module is paths only and imports nothing heavy: an unchanged build
decides "nothing to do" with it and the cache alone.  The shared settings in
``_library.yaml`` are read by :mod:`catalyst_gen.settings` on first use.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from . import grammar
from .grammar import require_connector_id  # the one id rule: checked before an id becomes a path

if TYPE_CHECKING:
    from .model import Library

LIBRARY_FILE = "_library.yaml"
SPEC_FILE = "connector.yaml"
RELEASE_FOLDER = grammar.RELEASE_FOLDER
"""``dist/release/``: release packaging output (git-ignored), not a connector (its name is reserved)."""


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
