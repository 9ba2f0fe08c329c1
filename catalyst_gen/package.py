"""``catalyst-gen package``: the release artifacts Camunda users install.

Writes ``dist/release/`` from the built (and verified current) ``dist/``:
one zip per connector, a bundle of every element template for the Modeler's
``resources/element-templates/`` folder, a catalog for websites, and
``SHA256SUMS``.  Zips are reproducible on any machine: entries sorted, fixed
timestamps and permissions, and stored (not deflated), because deflate output
may differ between zlib builds.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from typing import TYPE_CHECKING

from .jsonfmt import canonical_json

if TYPE_CHECKING:
    from .model import Connector

BUNDLE = "catalyst-connectors.element-templates.json"
CATALOG = "catalog.json"
SUMS = "SHA256SUMS"
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def connector_zip(connector_id: str, files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(f"{connector_id}/{name}", date_time=ZIP_EPOCH)
            info.create_system = 3  # unix, so the permissions below mean the same everywhere
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_STORED
            archive.writestr(info, files[name])
    return buffer.getvalue()


def release_files(built: list[tuple[Connector, dict[str, bytes]]]) -> dict[str, bytes]:
    """File name -> bytes of everything in ``dist/release/``."""
    out: dict[str, bytes] = {}
    templates, catalog = [], []
    for connector, files in sorted(built, key=lambda item: item[0].id):
        names = connector.file_names
        zip_name = f"{connector.id}-{connector.version}.zip"
        out[zip_name] = connector_zip(connector.id, files)
        templates.append(json.loads(files[names["element_template"]]))
        catalog.append(
            {
                "id": connector.id,
                "name": connector.name,
                "tagline": connector.tagline,
                "category": connector.category,
                "template": {
                    "id": connector.template_id,
                    "version": connector.version,
                    "name": connector.template_name,
                },
                "authType": connector.auth.type,
                "preset": connector.preset,
                "archive": zip_name,
                "files": {name: {"sha256": sha256(data), "bytes": len(data)} for name, data in sorted(files.items())},
            }
        )
    out[BUNDLE] = canonical_json(templates).encode("utf-8")
    out[CATALOG] = canonical_json({"connectors": catalog}).encode("utf-8")
    out[SUMS] = "".join(f"{sha256(data)}  {name}\n" for name, data in sorted(out.items())).encode("ascii")
    return out
