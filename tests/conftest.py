"""Fixtures shared by the unit and acceptance tests (helpers are in ``helpers.py``)."""

from __future__ import annotations

import shutil
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import REPO, Oracle, install_oracle

pytest_plugins = ["fake_provider"]  # the local fake provider fixture (tests/fake_provider.py)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of connectors/, templates/ and dist/ in a temporary library root."""
    root = tmp_path / "lib"
    for name in ("connectors", "templates", "dist"):
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("release"))
    return root


@pytest.fixture
def cli():
    """Run the CLI in-process: ``cli(root, "build", "together-ai") -> Result``."""
    from catalyst_gen.cli import main

    def run(root: Path, *args: str):
        runner = CliRunner()
        return runner.invoke(
            main,
            [*args, "--project-dir", str(root)] if args and args[0] not in ("--help", "--version") else list(args),
            catch_exceptions=False,
        )

    return run


@pytest.fixture(scope="session")
def oracle() -> Oracle:
    """The Node judges, installed with ``npm ci`` on first use."""
    return install_oracle()


@pytest.fixture
def listener():
    """A local HTTP server that records every request (to prove nothing was fetched)."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b'<!ENTITY x "fetched">')

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()
