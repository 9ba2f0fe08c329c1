"""``catalyst-gen package``: the release artifacts Camunda users install.

Writes ``dist/release/`` from the built (and verified current) ``dist/``:
one zip per connector, a bundle of every element template for the Modeler's
``resources/element-templates/`` folder (every released version of each,
sorted by template id then version), a catalog for websites, and
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


def release_files(
    built: list[tuple[Connector, dict[str, bytes]]], superseded: dict[str, list[tuple[int, bytes]]] | None = None
) -> dict[str, bytes]:
    """File name -> bytes of everything in ``dist/release/``.

    ``superseded``: connector id -> its older released templates (version,
    bytes) from ``connectors/<id>/versions/``.  They go into the bundle (so a
    diagram made with an old version shows "Update available" in the Modeler,
    not "Not found"), into the connector's zip under ``versions/``, and into
    the catalog's ``versions`` list.
    """
    out: dict[str, bytes] = {}
    templates: list[tuple[str, int, dict]] = []
    catalog = []
    for connector, files in sorted(built, key=lambda item: item[0].id):
        older = sorted((superseded or {}).get(connector.id, []))
        current = files[connector.file_names["element_template"]]
        archived = {**files, **{f"versions/{connector.id}-{v}.element.json": data for v, data in older}}
        zip_name = f"{connector.id}-{connector.version}.zip"
        out[zip_name] = connector_zip(connector.id, archived)
        every = [*older, (connector.version, current)]
        templates += [(connector.template_id, version, json.loads(data)) for version, data in every]
        catalog.append(_catalog_entry(connector, zip_name, archived, every))
    out[BUNDLE] = canonical_json([t for _, _, t in sorted(templates, key=lambda t: t[:2])]).encode("utf-8")
    out[CATALOG] = canonical_json({"connectors": catalog}).encode("utf-8")
    out[SUMS] = "".join(f"{sha256(data)}  {name}\n" for name, data in sorted(out.items())).encode("ascii")
    return out


def _catalog_entry(
    connector: Connector, zip_name: str, archived: dict[str, bytes], every: list[tuple[int, bytes]]
) -> dict:
    """What ``catalog.json`` says about one connector (its zip's files, every template version)."""
    return {
        "id": connector.id,
        "name": connector.name,
        "tagline": connector.tagline,
        "category": connector.category,
        "template": {
            "id": connector.template_id,
            "version": connector.version,
            "name": connector.template_name,
        },
        "versions": [{"version": version, "sha256": sha256(data)} for version, data in every],
        "authType": connector.auth.type,
        "preset": connector.preset,
        "archive": zip_name,
        "files": {name: {"sha256": sha256(data), "bytes": len(data)} for name, data in sorted(archived.items())},
    }
