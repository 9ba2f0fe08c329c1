"""What the preview shows at one moment: the connector built in memory, or why it is not.

A snapshot is taken by running the same pipeline as ``build`` (without
writing ``dist/``).  Its ``version`` is a hash of what the page shows, so the
browser reloads only when something it shows changed, not on every save of
an unrelated file.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import CatalystError
from ..library import Project

if TYPE_CHECKING:
    from ..model import Connector


@dataclass(frozen=True)
class Preview:
    """A connector that built: its checked artifacts and its README as HTML."""

    connector: Connector
    files: dict[str, bytes]
    readme_html: str

    def artifact(self, role: str) -> bytes:
        """One artifact by role (``element_template``, ``example``, ``logo``, ``readme``, ``diagram``)."""
        return self.files[self.connector.file_names[role]]


@dataclass(frozen=True)
class Snapshot:
    """Either ``preview`` or ``problems`` (the text the CLI prints for them), and its version."""

    connector_id: str
    preview: Preview | None
    problems: str
    version: str


def render_markdown(text: str) -> str:
    """Markdown to HTML as GitHub shows a README: tables, no raw HTML (it is escaped), safe links."""
    from markdown_it import MarkdownIt

    markdown = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    return markdown.render(text)


def build_preview(root: Path, connector_id: str) -> Preview:
    """Build one connector in memory, as ``build`` would, and render its README.

    A fresh :class:`Project` each time: ``_library.yaml`` is read anew.
    """
    from ..build import build_connector

    built = build_connector(Project(root), connector_id)
    readme = built.files[built.connector.file_names["readme"]].decode("utf-8")
    return Preview(built.connector, built.files, render_markdown(readme))


def take_snapshot(root: Path, connector_id: str) -> Snapshot:
    """The preview, or the located problems (the CLI's text) when the connector does not build."""
    try:
        preview = build_preview(root, connector_id)
    except CatalystError as exc:
        count = len(exc.problems)
        return _problems(
            connector_id, f"{exc.format()}\ncatalyst-gen: {count} problem{'s' if count != 1 else ''} found"
        )
    except Exception as exc:  # a bug in catalyst-gen: shown like the CLI shows it, and the preview keeps running
        return _problems(
            connector_id,
            f"catalyst-gen: internal error: {type(exc).__name__}: {exc}\n"
            "  hint: this is a bug in catalyst-gen; rerun with CATALYST_GEN_DEBUG=1 for the traceback and report it",
        )
    parts = [b"preview", preview.readme_html.encode()] + [
        name.encode() + b"\0" + data for name, data in preview.files.items()
    ]
    return Snapshot(connector_id, preview, "", _digest(parts))


def _problems(connector_id: str, text: str) -> Snapshot:
    return Snapshot(connector_id, None, text, _digest([b"problems", text.encode()]))


def _digest(parts: list[bytes]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()[:16]
