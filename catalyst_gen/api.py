"""catalyst-gen's public Python API, in one place: ``from catalyst_gen.api import build_library``.

The names are re-exported lazily (PEP 562): importing this module costs
nothing, and each command's module (with the libraries it needs) is imported
on first use.  The functions live in :mod:`catalyst_gen.commands`; see the
README's "Python API" section.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import CatalystError, Problem  # cheap: the standard library only

_EXPORTS = {
    "build_library": "build",
    "BuildReport": "build",
    "ConnectorResult": "build",
    "check": "verify",
    "CheckReport": "verify",
    "validate": "verify",
    "ValidationReport": "verify",
    "package_release": "release",
    "PackageReport": "release",
    "bump": "release",
    "BumpReport": "release",
    "create_connector": "connector",
    "NewConnector": "connector",
    "init_library": "init",
    "NewLibrary": "init",
    "try_connector": "connector",
    "TryReport": "connector",
    "MissingVariables": "common",
    "render_diagram": "connector",
    "DiagramReport": "connector",
    "list_connectors": "info",
    "ConnectorList": "info",
    "spec_schema": "info",
    "SpecSchema": "info",
    "CommandFailed": "common",
    "preview_connector": "preview",
    "serve_preview": "preview",
    "PreviewStopped": "preview",
    "watch_library": "watch",
    "WatchStopped": "watch",
}

__all__ = [
    "BuildReport",
    "BumpReport",
    "CatalystError",
    "CheckReport",
    "CommandFailed",
    "ConnectorList",
    "ConnectorResult",
    "DiagramReport",
    "MissingVariables",
    "NewConnector",
    "NewLibrary",
    "PackageReport",
    "PreviewStopped",
    "Problem",
    "SpecSchema",
    "TryReport",
    "ValidationReport",
    "WatchStopped",
    "build_library",
    "bump",
    "check",
    "create_connector",
    "init_library",
    "list_connectors",
    "package_release",
    "preview_connector",
    "render_diagram",
    "serve_preview",
    "spec_schema",
    "try_connector",
    "validate",
    "watch_library",
]

if TYPE_CHECKING:
    from .commands.build import BuildReport, ConnectorResult, build_library
    from .commands.common import CommandFailed, MissingVariables
    from .commands.connector import (
        DiagramReport,
        NewConnector,
        TryReport,
        create_connector,
        render_diagram,
        try_connector,
    )
    from .commands.info import ConnectorList, SpecSchema, list_connectors, spec_schema
    from .commands.init import NewLibrary, init_library
    from .commands.preview import PreviewStopped, preview_connector, serve_preview
    from .commands.release import BumpReport, PackageReport, bump, package_release
    from .commands.verify import CheckReport, ValidationReport, check, validate
    from .commands.watch import WatchStopped, watch_library


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"catalyst_gen.commands.{module}"), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
