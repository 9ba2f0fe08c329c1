"""Issue #13, parts 2 and 5: catalyst-gen as others install it, not as this checkout runs it.

* a real non-editable ``pip install`` (into a ``--target`` folder) carries the
  shipped templates and scaffolds, so ``init`` / ``build`` / ``new`` / ``check``
  work in a folder far from this repository;
* the hooks of ``.pre-commit-hooks.yaml`` run through ``pre-commit try-repo``
  (pre-commit builds its own environment from the repository, with ``pip``)
  against a git repository of a library.

Both build from a copy of the *working tree* (tracked and new files, not the
ignored ones) committed to a temporary git repository, so they test the code as
it is now, not an older commit.  Slow (a wheel build; a virtualenv with every
dependency): they run in CI, not with ``-m "not slow"``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO

pytestmark = pytest.mark.slow

GIT = ["git", "-c", "user.name=catalyst-gen tests", "-c", "user.email=tests@example.com", "-c", "commit.gpgsign=false"]


def working_tree_copy(target: Path) -> Path:
    """The working tree's files (``git ls-files``: tracked and untracked, not ignored), committed in a new repository."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():  # a tracked file deleted in the working tree is not copied
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    subprocess.run([*GIT, "init", "-q"], cwd=target, check=True)
    subprocess.run([*GIT, "add", "-A"], cwd=target, check=True)
    subprocess.run([*GIT, "commit", "-q", "-m", "working tree"], cwd=target, check=True)
    return target


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without this checkout on PYTHONPATH."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CATALYST_GEN_DEBUG")}
    return {**env, **extra}


def test_a_non_editable_install_has_the_templates_and_scaffolds(tmp_path):
    source = working_tree_copy(tmp_path / "source")
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(target), str(source)],
        check=True,
        capture_output=True,
        timeout=600,
        env=clean_env(),
    )
    shipped = target / "catalyst_gen" / "templates"
    assert sorted(p.relative_to(shipped).as_posix() for p in shipped.rglob("*") if p.is_file()) == sorted(
        p.relative_to(REPO / "templates").as_posix() for p in (REPO / "templates").rglob("*") if p.is_file()
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = clean_env(PYTHONPATH=str(target))

    def run(cwd: Path, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "catalyst_gen", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout + result.stderr

    where = subprocess.run(
        [sys.executable, "-c", "import catalyst_gen; print(catalyst_gen.__file__)"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert Path(where.strip()).is_relative_to(target), f"the test must run the installed copy, not {where}"
    run(elsewhere, "init", "lib")
    library = elsewhere / "lib"
    shutil.rmtree(library / "templates")  # the installed package's copies are the fallback
    assert "1 written" in run(library, "build")
    assert "TODO placeholder" in run(library / "connectors", "new", "acme")
    assert "dist/ is up to date" in run(library, "check", "echo")


def test_the_pre_commit_hooks_run_from_this_repository(tmp_path):
    pytest.importorskip("pre_commit", reason="pre-commit is in the test extras")
    hooks = working_tree_copy(tmp_path / "hooks")
    library = tmp_path / "lib"
    env = clean_env(PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"), PYTHONPATH=str(REPO))
    subprocess.run([sys.executable, "-m", "catalyst_gen", "init", str(library)], env=env, check=True, timeout=300)
    subprocess.run([sys.executable, "-m", "catalyst_gen", "build"], cwd=library, env=env, check=True, timeout=300)
    subprocess.run([*GIT, "init", "-q"], cwd=library, check=True)

    def try_repo(hook: str) -> subprocess.CompletedProcess:
        subprocess.run([*GIT, "add", "-A"], cwd=library, check=True)
        command = [sys.executable, "-m", "pre_commit", "try-repo", str(hooks), hook, "--all-files", "--verbose"]
        return subprocess.run(command, cwd=library, env=env, capture_output=True, text=True, timeout=1200)

    for hook in ("catalyst-gen-validate", "catalyst-gen-check"):
        result = try_repo(hook)
        assert result.returncode == 0 and "Passed" in result.stdout, result.stdout + result.stderr
    spec = library / "connectors" / "echo" / "connector.yaml"
    tip = "  - Replace the endpoint"
    spec.write_text(spec.read_text().replace(tip, "  - Then replace the endpoint"))  # README only; not rebuilt
    result = try_repo("catalyst-gen-check")
    assert result.returncode == 1 and "Failed" in result.stdout and "is stale" in result.stdout, result.stdout
    assert try_repo("catalyst-gen-validate").returncode == 0
    spec.write_text(spec.read_text().replace("  - Then replace", "  - TODO replace"))
    result = try_repo("catalyst-gen-validate")
    assert result.returncode == 0 and "warning: tips[0]: TODO placeholder" in result.stdout, result.stdout
    result = try_repo("catalyst-gen-check")
    assert result.returncode == 1 and "error: tips[0]: TODO placeholder" in result.stdout, result.stdout
