"""Fixtures shared by the unit and acceptance tests (helpers are in ``helpers.py``)."""

from __future__ import annotations

import shutil
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
