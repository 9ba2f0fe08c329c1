"""The library's shared settings, ``connectors/_library.yaml``, read and validated.

Kept apart from :mod:`catalyst_gen.library` (paths only) because reading them
needs the YAML loader and JSON Schema, which an unchanged build never loads.
"""

from __future__ import annotations

from pathlib import Path

from .errors import Problem, SpecError
from .loader import load_file
from .model import Library
from .validate import validate_settings

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


def load_settings(path: Path) -> Library:
    """Read ``_library.yaml``; every problem located, raised as :class:`SpecError`."""
    if not path.is_file():
        raise SpecError(
            Problem(
                f"library settings not found: {path}",
                hint="is this the root of a connector library? use --project-dir",
                code="CG140",
            )
        )
    source = load_file(path, path.parent.parent)  # the library root: connectors/_library.yaml
    validate_settings(source, _LIBRARY_SCHEMA)
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
