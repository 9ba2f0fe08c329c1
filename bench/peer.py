"""The TypeScript peer: Catalyst's own connector generator, built and timed beside catalyst-gen.

Its source lives outside the project (``shared/peers/ts-connector-generator/``
next to the repository, read-only; see its ``ORIGIN.md``).  The benchmark copies
it into its temporary directory, builds it there (``npm ci && npx tsc -p .``)
and runs ``node dist/cli.js generate slack -d OUT_DIR``: one connector.  Nothing
of it is copied into the project.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

PEER_PATH = Path("shared") / "peers" / "ts-connector-generator"
PEER_CONNECTOR = "slack"


class PeerUnavailable(Exception):
    """The peer cannot be found or built (the benchmark exits 2: a usage problem, not a catalyst-gen failure)."""


@dataclass(frozen=True)
class Peer:
    """A built copy of the peer, ready to time."""

    source: Path  # where it was copied from
    root: Path  # the built copy
    node: str

    def generate_argv(self, out_dir: Path) -> list[str]:
        """Generate one connector into ``out_dir`` (absolute: the peer resolves it against its own dist/)."""
        return [self.node, str(self.root / "dist" / "cli.js"), "generate", PEER_CONNECTOR, "-d", str(out_dir.resolve())]


def find_peer(repo: Path) -> Path | None:
    """``shared/peers/ts-connector-generator`` beside the repository or one of its parents.

    From the main checkout it is ``../shared/...``; from a worktree under
    ``wt/`` it is one level further up.
    """
    for parent in [repo, *repo.parents]:
        candidate = parent / PEER_PATH
        if (candidate / "package.json").is_file():
            return candidate
    return None


def _writable_copy(source: Path, dest: Path) -> None:
    """Copy the peer's source (not its node_modules or build) and make the copy writable."""
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns("node_modules", "dist"))
    for folder, _dirs, files in os.walk(dest):
        for name in [folder, *(os.path.join(folder, f) for f in files)]:
            os.chmod(name, os.stat(name).st_mode | stat.S_IWUSR)


def _run(argv: list[str], cwd: Path, what: str) -> None:
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise PeerUnavailable(f"{what} failed (exit {proc.returncode}):\n{(proc.stdout + proc.stderr)[-3000:]}")


def build_peer(source: Path, workdir: Path) -> Peer:
    """Copy ``source`` into ``workdir`` and build it with npm and tsc (the steps of its ORIGIN.md)."""
    node, npm, npx = shutil.which("node"), shutil.which("npm"), shutil.which("npx")
    if not (node and npm and npx):
        raise PeerUnavailable("--peer needs node, npm and npx on PATH (Node 20)")
    root = workdir / "ts-peer"
    _writable_copy(source, root)
    _run([npm, "ci", "--no-audit", "--no-fund"], root, "npm ci")
    _run([npx, "tsc", "-p", "."], root, "npx tsc -p .")
    if not (root / "dist" / "cli.js").is_file():
        raise PeerUnavailable(f"the build produced no {root / 'dist' / 'cli.js'}")
    return Peer(source, root, node)


def node_version(node: str) -> str:
    proc = subprocess.run([node, "--version"], capture_output=True, text=True, check=False)
    return proc.stdout.strip()


def generated_files(out_dir: Path) -> list[str]:
    """What one peer run wrote (to check it really generated a connector)."""
    return sorted(str(p.relative_to(out_dir)) for p in out_dir.rglob("*") if p.is_file())
