"""Issue #10, class 2: CI logs never show what is outside the library.

Specs, presets, logos, ``_library.yaml``, ``_versions.lock`` and the ``dist/``
files that ``check`` compares are read only when they are regular files inside
the library.  A link to a "secret" file outside is refused before it is parsed,
and no error excerpt, diff or hint ever contains a line of it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

SECRET_LINE = "aws_secret_access_key = TOP-SECRET-VALUE-1234"
SECRET_FILE = f"[default]\n{SECRET_LINE}\n\tbroken: [yaml\n"


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A credentials-like file outside the library; its text must never appear in any output."""
    path = tmp_path / "outside" / "credentials"
    path.parent.mkdir()
    path.write_text(SECRET_FILE)
    return path


def link(path: Path, target: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, path)


def assert_nothing_leaked(result) -> None:
    assert "TOP-SECRET" not in result.output and "aws_secret" not in result.output, result.output
    assert "internal error" not in result.output and "Traceback" not in result.output, result.output


# (case id, file replaced by a link to the secret, command, expected message)
CASES = [
    ("spec", "connectors/openai/connector.yaml", ["build", "openai"], "is a link to a file outside the library"),
    ("spec-validate", "connectors/openai/connector.yaml", ["validate", "openai"], "is a link to a file outside"),
    ("spec-check", "connectors/openai/connector.yaml", ["check", "openai"], "is a link to a file outside"),
    ("spec-list", "connectors/openai/connector.yaml", ["list"], "is a link to a file outside"),
    ("preset", "connectors/_presets/openai-chat.yaml", ["build", "openai"], "is a link to a file outside"),
    ("library", "connectors/_library.yaml", ["build", "--force"], "is a link to a file outside"),
    ("versions-lock", "connectors/_versions.lock", ["check"], "is a link to a file outside"),
    ("versions-lock-validate", "connectors/_versions.lock", ["validate"], "is a link to a file outside"),
    ("template", "templates/README.md.j2", ["build", "--force", "openai"], "is a link to a file outside the library"),
    ("scaffold-template", "templates/scaffold/connector.yaml.j2", ["new", "acme-ai"], "is a link to a file outside"),
    ("dist-readme", "dist/openai/README.md", ["check", "openai"], "is a symbolic link"),
    ("dist-template", "dist/openai/openai.element.json", ["check"], "is a symbolic link"),
    ("dist-folder", "dist/openai", ["check"], "is a symbolic link"),
]


@pytest.mark.parametrize(("where", "args", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_link_to_a_file_outside_is_never_read_or_shown(project, cli, secret, where, args, message):
    target = secret.parent if where == "dist/openai" else secret
    link(project / where, target)
    result = cli(project, *args)
    assert result.exit_code == 1, result.output
    assert message in result.output, result.output
    assert_nothing_leaked(result)


@pytest.mark.parametrize("target", ["/proc/self/environ", "/etc/passwd", "/dev/zero"])
def test_system_files_are_not_read_through_a_spec_link(project, cli, target):
    if not Path(target).exists():
        pytest.skip(f"{target} does not exist here")
    link(project / "connectors" / "openai" / "connector.yaml", Path(target))
    result = cli(project, "build", "openai")
    assert result.exit_code == 1 and "outside the library" in result.output
    assert "root:" not in result.output and "PATH=" not in result.output
    assert_nothing_leaked(result)


def test_a_logo_linked_outside_is_refused_without_reading_it(project, cli, secret):
    spec = project / "connectors" / "openai" / "connector.yaml"
    text = spec.read_text()
    start = text.index("logo:")
    spec.write_text(text[:start] + "logo: {file: logo.svg}\n")
    link(project / "connectors" / "openai" / "logo.svg", secret)
    result = cli(project, "build", "openai")
    assert result.exit_code == 1 and "outside the connector's folder" in result.output, result.output
    assert_nothing_leaked(result)


@pytest.mark.parametrize("kind", ["fifo", "directory"])
def test_a_spec_that_is_not_a_regular_file_is_refused_without_blocking(project, cli, kind):
    spec = project / "connectors" / "openai" / "connector.yaml"
    spec.unlink()
    if kind == "fifo":
        os.mkfifo(spec)
    else:
        spec.mkdir()
    result = cli(project, "build", "openai")
    assert result.exit_code == 1 and "internal error" not in result.output, result.output


def test_a_link_inside_the_library_is_allowed(project, cli):
    """A spec may be a link to another file of the library (e.g. a shared copy)."""
    shared = project / "connectors" / "_presets" / "shared-openai.yaml.txt"
    spec = project / "connectors" / "openai" / "connector.yaml"
    shared.write_bytes(spec.read_bytes())
    link(spec, shared)
    result = cli(project, "build", "openai")
    assert result.exit_code == 0, result.output


def test_an_error_excerpt_is_not_taken_from_a_linked_file(project, cli):
    """Even inside the library, an excerpt re-reads the file: it is only shown for a file reached without links."""
    bad = project / "connectors" / "_presets" / "broken.yaml.txt"
    bad.write_text("id: openai\nname: [unclosed\n")
    link(project / "connectors" / "openai" / "connector.yaml", bad)
    result = cli(project, "build", "openai")
    assert result.exit_code == 1 and "invalid YAML" in result.output
    assert " | " not in result.output  # no excerpt lines
