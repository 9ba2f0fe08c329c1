"""``preview``: one connector, live, in the Camunda 7 Modeler on a local web page.

:func:`preview_connector` is the in-memory build the page shows (the Python
API's way to get it without a server); :func:`serve_preview` runs the page
until Ctrl-C.  Nothing is written: not ``dist/``, not the build cache.  The
web stack (Starlette, uvicorn, watchfiles) is imported only here, inside the
functions, so other commands never pay for it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import CatalystError, Problem
from ..library import Project
from .common import open_project

if TYPE_CHECKING:
    import socket

    from ..preview.snapshot import Preview

DEFAULT_PORT = 8717
"""The preview's port when none is given (a free one is used when it is taken)."""


@dataclass(frozen=True)
class PreviewStopped:
    """The preview ran at ``url`` and was stopped with Ctrl-C."""

    connector_id: str
    url: str


def preview_connector(root: str | os.PathLike[str] | Project, connector_id: str) -> Preview:
    """The connector built in memory, with its README as HTML (what the preview page shows).

    Raises :class:`CatalystError` with the located problems when it does not build.
    """
    from ..preview.snapshot import build_preview

    project = open_project(root)
    project.spec_path(connector_id)  # the id rule, before the id becomes a path
    return build_preview(project.root, connector_id)


def serve_preview(
    root: str | os.PathLike[str] | Project,
    connector_id: str,
    *,
    port: int | None = None,
    on_ready: Callable[[str], object] | None = None,
) -> PreviewStopped:
    """Serve the preview of ``connector_id`` on 127.0.0.1 until Ctrl-C.

    ``port`` None tries :data:`DEFAULT_PORT`, then any free port; 0 is any free
    port; a given port that is taken is an error.  ``on_ready(url)`` is called
    once the server listens.  The page follows every change to the spec, the
    presets, the logo, ``_library.yaml`` and ``templates/``; a spec that does
    not build shows its located problems until it is fixed.
    """
    project = open_project(root)
    project.spec_path(connector_id)
    if connector_id not in project.connector_ids():
        from ..build import load_connector

        load_connector(project, connector_id)  # raises the "no connector" problem with its suggestion
    from ..preview import server
    from ..preview.snapshot import take_snapshot

    sock = _listen(port)
    url = f"http://{server.HOST}:{sock.getsockname()[1]}/"
    live = server.LivePreview(
        lambda: take_snapshot(project.root, connector_id), [project.connectors_dir, project.templates_dir]
    )
    if on_ready:
        on_ready(url)
    try:
        server.serve(live, sock)
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
    return PreviewStopped(connector_id, url)


def _listen(port: int | None) -> socket.socket:
    from ..preview.server import bind

    try:
        return bind(DEFAULT_PORT if port is None else port)
    except OSError as exc:
        if port is None:
            return bind(0)
        raise CatalystError(
            Problem(
                f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}",
                hint="choose another --port, or --port 0 for any free port",
                code="CG609",
            )
        ) from None
