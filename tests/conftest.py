"""Shared fixtures: a throw-away copy of the library to build in, and CLI runners."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent
SEED_README = REPO.parent / "shared" / "seed" / "together-ai.README.md"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of connectors/, templates/ and dist/ in a temporary library root."""
    root = tmp_path / "lib"
    for name in ("connectors", "templates", "dist"):
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("release"))
    return root


def snapshot(folder: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file below ``folder`` (to prove it did not change)."""
    if not folder.exists():
        return {}
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def cli():
    """Run the CLI in-process: ``cli(root, "build", "together-ai") -> Result``."""
    from catalyst_gen.cli import main

    def run(root: Path, *args: str):
        runner = CliRunner()
        return runner.invoke(main, [*args, "--project-dir", str(root)] if args and args[0] not in ("--help", "--version") else list(args), catch_exceptions=False)

    return run


def run_process(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``python -m catalyst_gen`` as users do (real exit codes, real stderr)."""
    return subprocess.run(
        [sys.executable, "-m", "catalyst_gen", *args],
        cwd=cwd or REPO,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
