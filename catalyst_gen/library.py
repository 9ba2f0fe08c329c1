"""Where things live in a connector library checkout, and its shared settings.

A library is a folder with ``connectors/`` (one folder per connector, plus
``_presets/`` and ``_library.yaml``), ``templates/`` and ``dist/``.  Folders
under ``connectors/`` whose names start with ``_`` or ``.`` are not connectors.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import jsonschema

from .errors import Problem, ProblemList, SpecError
from .grammar import require_connector_id
from .loader import PRESETS_DIR, load_file
from .model import Library

LIBRARY_FILE = "_library.yaml"


SPEC_FILE = "connector.yaml"

_LIBRARY_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "library_name",
        "website",
        "tagline",
        "runtime_class",
        "template_id_prefix",
        "execution_platform_version",
        "history_time_to_live",
    ],
    "properties": {
        "library_name": {"type": "string", "minLength": 1},
        "website": {"type": "string", "pattern": "^https://"},
        "tagline": {"type": "string", "minLength": 1},
        "runtime_class": {
            "type": "string",
            "pattern": r"^[A-Za-z_$][A-Za-z0-9_$]*(\.[A-Za-z_$][A-Za-z0-9_$]*)+$",
            "x-hint": "a fully qualified Java class name, e.g. com.example.Delegate",
        },
        "template_id_prefix": {"type": "string", "pattern": r"^[a-z0-9]+(\.[a-z0-9-]+)*$"},
        "execution_platform_version": {
            "type": "string",
            "pattern": r"^7\.[0-9]+\.[0-9]+$",
            "x-hint": "a Camunda 7 version such as 7.24.0",
        },
        "history_time_to_live": {
            "type": "string",
            "pattern": r"^(P[0-9]+D|[0-9]+)$",
            "x-hint": "days as P30D or a number",
        },
    },
}


@dataclass(frozen=True)
class Project:
    """A checkout of the connector library."""

    root: Path

    @property
    def connectors_dir(self) -> Path:
        return self.root / "connectors"

    @property
    def presets_dir(self) -> Path:
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
        path = self.connectors_dir / LIBRARY_FILE
        if not path.is_file():
            raise SpecError(
                Problem(
                    f"library settings not found: {path}",
                    hint="is this the root of a connector library? use --project-dir",
                )
            )
        source = load_file(path)
        from .validate import schema_problems

        problems = ProblemList()
        schema_problems(source, problems, jsonschema.Draft202012Validator(_LIBRARY_SCHEMA))
        problems.raise_if_any(SpecError)
        d = source.data
        return Library(
            name=d["library_name"],
            website=d["website"],
            tagline=d["tagline"],
            runtime_class=d["runtime_class"],
            template_id_prefix=d["template_id_prefix"],
            execution_platform_version=d["execution_platform_version"],
            history_time_to_live=d["history_time_to_live"],
        )
