"""``list`` and ``schema``: what a library holds, and the spec format editors check against."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

from ..build import load_connector
from ..library import Project
from ..model import Connector
from .common import open_project


@dataclass(frozen=True)
class ConnectorList:
    """Every connector of the library, loaded and validated, sorted by id."""

    connectors: tuple[Connector, ...]


def list_connectors(root: str | os.PathLike[str] | Project) -> ConnectorList:
    """Load every connector's spec (no rendering); a broken spec raises :class:`CatalystError`."""
    project = open_project(root)
    return ConnectorList(tuple(load_connector(project, cid) for cid in project.connector_ids()))


@dataclass(frozen=True)
class SpecSchema:
    """The JSON Schema of connector specs, as shipped in ``catalyst_gen/schema/``."""

    schema: dict[str, Any]

    @property
    def text(self) -> str:
        """The schema as a JSON document (what ``catalyst-gen schema`` prints)."""
        return json.dumps(self.schema, indent=2, ensure_ascii=False) + "\n"


def spec_schema() -> SpecSchema:
    """The JSON Schema of connector specs (for editors and the YAML language server)."""
    from ..schema_check import spec_schema as shipped_schema

    return SpecSchema(shipped_schema())
