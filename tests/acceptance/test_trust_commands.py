"""Issue #10, class 10: no internal errors, whatever the library or the environment looks like.

Every command runs against a table of broken libraries and failing
environments; each must end with a one-line cause and fix (exit 1), a usage
error (exit 2) or success, and never print "internal error" or a traceback.
"""

from __future__ import annotations

import errno
import json
import shutil
from pathlib import Path

import pytest


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _replace_with_folder(path: Path) -> None:
    path.unlink()
    path.mkdir()


BROKEN = {
    "empty-folder": lambda root: [shutil.rmtree(root / name) for name in ("connectors", "templates", "dist")],
    "no-library-settings": lambda root: (root / "connectors" / "_library.yaml").unlink(),
    "library-settings-not-yaml": lambda root: _write(root / "connectors" / "_library.yaml", "a: [b\n"),
    "library-settings-a-list": lambda root: _write(root / "connectors" / "_library.yaml", "- 1\n"),
    "spec-not-yaml": lambda root: _write(root / "connectors" / "together-ai" / "connector.yaml", "id: [x\n"),
    "spec-a-folder": lambda root: _replace_with_folder(root / "connectors" / "together-ai" / "connector.yaml"),
    "no-templates": lambda root: shutil.rmtree(root / "templates"),
    "template-syntax-error": lambda root: _write(root / "templates" / "README.md.j2", "{% if %}\n"),
    "journal-garbage": lambda root: _write(root / ".catalyst-gen" / "journal.json", "\x00garbage"),
    "cache-garbage": lambda root: _write(root / ".catalyst-gen" / "cache.json", "[1, 2"),
    "versions-lock-a-list": lambda root: _write(root / "connectors" / "_versions.lock", json.dumps([1, 2])),
    "versions-lock-bad-entry": lambda root: _write(
        root / "connectors" / "_versions.lock", json.dumps({"together-ai": {"version": "one"}})
    ),
}


def commands(tmp: Path) -> dict[str, list[str]]:
    return {
        "build": ["build", "--force"],
        "check": ["check"],
        "validate": ["validate"],
        "list": ["list"],
        "new": ["new", "acme-ai"],
        "bump": ["bump", "together-ai"],
        "package": ["package"],
        "try": ["try", "together-ai", "--var", "userMessage=hi", "--base-url", "http://127.0.0.1:9"],
        "diagram": ["diagram", "together-ai", "--png", str(tmp / "picture.png")],
    }


def assert_no_internal_error(result) -> None:
    assert result.exit_code in (0, 1, 2), result.output
    assert "internal error" not in result.output, result.output
    assert "Traceback" not in result.output, result.output


@pytest.mark.parametrize("command", list(commands(Path("/x"))))
@pytest.mark.parametrize("broken", list(BROKEN))
def test_every_command_on_a_broken_library_ends_with_a_message(project, cli, tmp_path, broken, command):
    BROKEN[broken](project)
    result = cli(project, *commands(tmp_path)[command])
    assert_no_internal_error(result)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_template_syntax_error_is_each_connectors_message_in_one_process_or_many(project, cli, jobs):
    """With several workers the parent loads the templates first (warm-up): a broken one must still
    come back as each connector's CG402, not as an internal error of the warm-up."""
    _write(project / "templates" / "README.md.j2", "{% if %}\n")
    result = cli(project, "build", "--force", "--jobs", jobs, "together-ai", "groq")
    assert_no_internal_error(result)
    assert result.exit_code == 1 and result.output.count("template syntax error") == 2, result.output


@pytest.mark.parametrize(
    ("code", "fix"),
    [
        (errno.ENOSPC, "free disk space"),
        (errno.EROFS, "read-only"),
        (errno.EACCES, "fix the permissions"),
        (errno.EDQUOT, "quota"),
    ],
    ids=["disk-full", "read-only", "no-permission", "quota"],
)
def test_a_write_the_environment_refuses_is_one_message_with_the_fix(project, cli, monkeypatch, code, fix):
    import os

    shutil.rmtree(project / "dist" / "openai")  # something to write
    real_write = Path.write_bytes

    def refuse(self: Path, data: bytes) -> int:
        if "staging-" in str(self):
            raise OSError(code, os.strerror(code), str(self))
        return real_write(self, data)

    monkeypatch.setattr(Path, "write_bytes", refuse)
    result = cli(project, "build", "openai")
    assert_no_internal_error(result)
    assert result.exit_code == 1 and fix in result.output, result.output
    assert not list((project / ".catalyst-gen").glob("staging-*")), "a failed write left a staging folder"
    assert not (project / "dist" / "openai").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["diagram", "together-ai", "--png", "/nonexistent-folder/x.png"],
        ["try", "together-ai", "--var", "userMessage=hi", "--base-url", "not a url"],
        ["try", "together-ai", "--var", "userMessage=hi", "--base-url", "ftp://127.0.0.1:21"],
        ["try", "together-ai", "--var", "broken"],
        ["build", "../escape"],
        ["build", "release"],
        ["new", "Acme"],
        ["bump", "no-such-connector"],
    ],
    ids=[
        "png-folder",
        "base-url-word",
        "base-url-scheme",
        "var-without-value",
        "id-path",
        "id-reserved",
        "new-bad-id",
        "bump-unknown",
    ],
)
def test_bad_arguments_end_with_a_message(project, cli, args, monkeypatch):
    monkeypatch.setenv("TOGETHER_API_KEY", "test-key-not-real")
    result = cli(project, *args)
    assert_no_internal_error(result)
    assert result.exit_code in (1, 2)
