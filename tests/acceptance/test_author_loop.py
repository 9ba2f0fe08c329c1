"""Issue #13, parts 1-3: the connector author's loop, as a new author runs it.

Root discovery (every command from a subdirectory, one error outside a
library, nothing written outside the root), ``init`` from an empty folder,
``new`` that passes ``validate`` at once, TODO placeholders (warned by
``build``, refused by ``check`` and ``package``), through to a release.
Every command runs as a process, as users run it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO, snapshot

ENV = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def run(cwd: Path, *args: str, entry: bool = False, env: dict | None = None) -> subprocess.CompletedProcess:
    """``python -m catalyst_gen ARGS`` in ``cwd``; ``entry``: through the console script's function instead."""
    command = (
        [sys.executable, "-c", "import sys; from catalyst_gen.entry import main; main(sys.argv[1:])", *args]
        if entry
        else [sys.executable, "-m", "catalyst_gen", *args]
    )
    return subprocess.run(command, cwd=cwd, env={**ENV, **(env or {})}, capture_output=True, text=True, timeout=300)


def ok(result: subprocess.CompletedProcess) -> str:
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "Traceback" not in out and "internal error" not in out, out
    return out


def refused(result: subprocess.CompletedProcess, *needles: str) -> str:
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert "Traceback" not in out and "internal error" not in out, out
    for needle in needles:
        assert needle in out, out
    return out


def library_commands(tmp: Path) -> dict[str, list[str]]:
    """Every command that works on a library, with arguments that succeed on a copy of this repository's."""
    return {
        "build": ["build", "together-ai"],
        "build-all": ["build"],
        "check": ["check"],
        "validate": ["validate", "openai"],
        "list": ["list"],
        "new": ["new", "acme-ai"],
        "bump": ["bump", "webhook"],
        "package": ["package"],
        "diagram": ["diagram", "ollama", "--png", str(tmp / "ollama.png")],
    }


@pytest.fixture
def library(project: Path) -> Path:
    """A built copy of this repository's library (``dist/`` is committed, so it is up to date)."""
    return project


# ---------------------------------------------------------------------------------------- part 1: root discovery


@pytest.mark.parametrize("command", list(library_commands(Path("/x"))))
def test_every_command_works_from_a_connector_folder(library, tmp_path, command):
    cwd = library / "connectors" / "together-ai"
    before = sorted(p.name for p in cwd.iterdir())
    out = ok(run(cwd, *library_commands(tmp_path)[command]))
    assert "not inside a connector library" not in out
    assert sorted(p.name for p in cwd.iterdir()) == before, f"{command} wrote into the connector folder"
    if command == "new":
        assert (library / "connectors" / "acme-ai" / "connector.yaml").is_file()
    if command == "package":
        assert (library / "dist" / "release" / "SHA256SUMS").is_file()


@pytest.mark.parametrize("where", ["dist/openai", "templates/scaffold", "connectors/_presets"])
@pytest.mark.parametrize("args", [["list"], ["build", "openai"]], ids=lambda a: a[0])
def test_commands_work_from_any_folder_of_the_library(library, where, args):
    cwd = library / where
    before = sorted(p.name for p in cwd.iterdir())
    out = ok(run(cwd, *args))
    assert "openai" in out
    assert sorted(p.name for p in cwd.iterdir()) == before and not (cwd / ".catalyst-gen").exists()


def test_try_finds_the_library_from_a_connector_folder(library, fake_provider):
    fake_provider.enqueue(200)
    cwd = library / "connectors" / "together-ai"
    args = ("try", "together-ai", "--var", "userMessage=hi", "--base-url", fake_provider.base_url)
    out = ok(run(cwd, *args, env={"TOGETHER_API_KEY": "k"}))
    assert "aiReply" in out, out
    assert len(fake_provider.requests) == 1


def test_the_fast_path_finds_the_same_root_from_a_subdirectory(library):
    cwd = library / "connectors" / "together-ai"
    ok(run(library, "build", "together-ai"))
    before = sorted(p.name for p in cwd.iterdir())
    out = ok(run(cwd, "build", "together-ai", entry=True))
    assert out.splitlines()[0].split() == ["unchanged", "together-ai"], out
    assert sorted(p.name for p in cwd.iterdir()) == before


@pytest.mark.parametrize("entry", [False, True], ids=["python-m", "console-entry"])
@pytest.mark.parametrize(
    "args",
    [["build"], ["build", "together-ai"], ["check"], ["validate"], ["list"], ["new", "acme"], ["package"]],
    ids=lambda a: "-".join(a),
)
def test_outside_a_library_one_error_names_init_and_nothing_is_written(tmp_path, args, entry):
    empty = tmp_path / "empty"
    empty.mkdir()
    out = refused(run(empty, *args, entry=entry), "not inside a connector library", "catalyst-gen init")
    assert out.count("error:") == 1, out
    assert list(empty.iterdir()) == [], "a command wrote into a folder that is not a library"


@pytest.mark.parametrize("args", [["build", "together-ai"], ["check"], ["list"]], ids=lambda a: a[0])
def test_project_dir_names_the_root_exactly_and_is_not_walked_up_from(library, tmp_path, args):
    inside = library / "connectors"
    out = refused(
        run(tmp_path, *args, "-C", str(inside)), "is inside a connector library, not its root", f"-C {library}"
    )
    assert str(inside) in out
    assert not (inside / ".catalyst-gen").exists()
    ok(run(tmp_path, *args, "-C", str(library)))


def test_the_nearest_library_wins(library, tmp_path):
    """A library inside another folder tree is found before any library further up (as git finds .git)."""
    inner = library / "dist" / "nested"
    (inner / "connectors").mkdir(parents=True)
    (inner / "connectors" / "_library.yaml").write_text((library / "connectors" / "_library.yaml").read_text())
    out = refused(run(inner / "connectors", "build"), "no connectors found")
    assert str(inner / "connectors") in out


# ---------------------------------------------------------------------------------------- part 2: init


def test_init_makes_a_library_whose_first_build_and_check_pass(tmp_path):
    out = ok(run(tmp_path, "init", "my-library"))
    root = tmp_path / "my-library"
    assert "created a connector library" in out and "catalyst-gen build" in out
    for name in (
        "connectors/_library.yaml",
        "connectors/_presets/json-post.yaml",
        "connectors/echo/connector.yaml",
        "connectors/_versions.lock",
        "connectors/_schema.json",
        "templates/element-template.json.j2",
        "templates/example.bpmn.j2",
        "templates/README.md.j2",
        "templates/logo.svg.j2",
        "templates/scaffold/connector.yaml.j2",
        ".gitignore",
        ".pre-commit-config.yaml",
        ".github/workflows/catalyst-gen.yml",
    ):
        assert (root / name).is_file(), name
    assert not (root / "templates" / "scaffold" / "library").exists(), "init's own scaffold is not a library template"
    assert "/.catalyst-gen/" in (root / ".gitignore").read_text()
    assert "catalyst-gen check" in (root / ".github" / "workflows" / "catalyst-gen.yml").read_text()
    assert json.loads((root / "connectors" / "_schema.json").read_text()) == json.loads(ok(run(root, "schema")))
    assert ok(run(root, "build")).splitlines()[-1] == "1 connector: 1 written, 0 unchanged, 0 failed"
    assert "dist/ is up to date" in ok(run(root, "check"))
    assert (root / "dist" / "echo" / "echo.element.json").is_file()


def test_init_uses_this_repositorys_hooks(tmp_path):
    ok(run(tmp_path, "init", "lib"))
    config = (tmp_path / "lib" / ".pre-commit-config.yaml").read_text()
    offered = re.findall(r"^- id: (\S+)", (REPO / ".pre-commit-hooks.yaml").read_text(), re.M)
    used = re.findall(r"^\s+- id: (\S+)", config, re.M)
    assert used and set(used) <= set(offered), (used, offered)


def test_init_in_the_current_folder_keeps_unrelated_files(tmp_path):
    (tmp_path / "README.md").write_text("my notes\n")
    ok(run(tmp_path, "init"))
    assert (tmp_path / "README.md").read_text() == "my notes\n"
    assert (tmp_path / "connectors" / "_library.yaml").is_file()


def test_init_refuses_a_library(library):
    before = snapshot(library)
    refused(run(library, "init", str(library)), "already a connector library", "nothing was written")
    assert snapshot(library) == before


def test_init_refuses_a_folder_inside_a_library(library):
    refused(run(library / "connectors", "init", "inner"), "is inside the connector library")
    assert not (library / "connectors" / "inner").exists()


@pytest.mark.parametrize("existing", [".gitignore", "connectors/_library.yaml", "templates/logo.svg.j2", "dist/x/y"])
def test_init_never_overwrites(tmp_path, existing):
    path = tmp_path / existing
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("mine\n")
    before = snapshot(tmp_path)
    out = refused(run(tmp_path, "init"), "nothing was written")
    assert snapshot(tmp_path) == before, out
    assert path.read_text() == "mine\n"


def test_a_library_without_templates_builds_with_the_shipped_ones(tmp_path):
    ok(run(tmp_path, "init", "lib"))
    root = tmp_path / "lib"
    ok(run(root, "build"))
    shipped = snapshot(root / "dist")
    for path in sorted((root / "templates").rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    (root / "templates").rmdir()
    assert "dist/ is up to date" in ok(run(root, "check"))
    ok(run(root, "build", "--force"))
    assert snapshot(root / "dist") == shipped


def test_a_library_template_overrides_the_shipped_one(tmp_path):
    ok(run(tmp_path, "init", "lib"))
    root = tmp_path / "lib"
    readme = root / "templates" / "README.md.j2"
    readme.write_text(readme.read_text() + "\nMade in-house.\n")
    ok(run(root, "build"))
    assert (root / "dist" / "echo" / "README.md").read_text().rstrip().endswith("Made in-house.")


# ---------------------------------------------------------------------------------------- part 3: new and TODOs


def _todo_lines(out: str) -> list[tuple[str, int]]:
    return [(m[0], int(m[1])) for m in re.findall(r"^\s+(\S+connector\.yaml):(\d+):\d+: ", out, re.M)]


def test_new_passes_validate_at_once_and_lists_its_todos(library):
    out = ok(run(library, "new", "acme-ai"))
    spec = library / "connectors" / "acme-ai" / "connector.yaml"
    lines = spec.read_text().splitlines()
    listed = _todo_lines(out)
    expected = [n for n, line in enumerate(lines, 1) if re.search(r":\s+\"?TODO|^\s+- TODO", line)]
    assert listed and [n for _, n in listed] == expected, out
    assert all(file.endswith("connectors/acme-ai/connector.yaml") for file, _ in listed)
    assert all("TODO" in lines[n - 1] for _, n in listed)
    out = ok(run(library, "validate", "acme-ai"))
    assert "1 connector valid" in out and "warning: " in out
    record = json.loads((library / "connectors" / "_versions.lock").read_text())["acme-ai"]
    assert record["version"] == 1 and record["draft"] is True


def test_new_refuses_an_id_the_version_record_knows(library):
    lock = library / "connectors" / "_versions.lock"
    record = json.loads(lock.read_text())
    record["retired-ai"] = {"version": 3, "sha256": "0" * 64}
    lock.write_text(json.dumps(record))
    refused(run(library, "new", "retired-ai"), "is recorded in _versions.lock (version 3)")
    assert not (library / "connectors" / "retired-ai").exists()


def test_todos_are_warnings_for_build_and_refused_by_check_and_package(library):
    ok(run(library, "new", "acme-ai"))
    spec = library / "connectors" / "acme-ai" / "connector.yaml"
    tagline = next(n for n, line in enumerate(spec.read_text().splitlines(), 1) if line.startswith("tagline:"))
    built = ok(run(library, "build", "acme-ai", "--force"))
    assert re.search(rf"connectors/acme-ai/connector.yaml:{tagline}:\d+: warning: tagline: TODO placeholder", built)
    for command in ("check", "package"):
        out = refused(run(library, command), "TODO placeholder")
        assert re.search(rf"connectors/acme-ai/connector.yaml:{tagline}:\d+: error: tagline: TODO placeholder", out)
        assert "hint: replace it with the connector's real tagline" in out
    assert not (library / "dist" / "release").exists()


def test_a_word_todo_inside_a_text_is_not_a_placeholder(library):
    spec = library / "connectors" / "webhook" / "connector.yaml"
    text = spec.read_text()
    spec.write_text(re.sub(r"^tagline: .*$", "tagline: Post a TODO list to a webhook", text, count=1, flags=re.M))
    out = ok(run(library, "build", "webhook"))
    assert "warning" not in out, out


# ---------------------------------------------------------------------------------------- the whole loop


def _fill_in(spec: Path) -> None:
    """What the author does: every TODO replaced with real text (the model id in both places)."""
    text = spec.read_text()
    text = text.replace('"TODO one line about Acme"', "Ask Acme's API a question")
    text = text.replace('"TODO a paragraph about Acme for the README."', "Acme answers questions over HTTP.")
    text = text.replace("TODO category", "Integration")
    text = text.replace("TODO what the result is", "The answer")
    text = text.replace("TODO a tip for people using Acme", "Keep the key in the ACME_API_KEY variable.")
    assert not [line for line in text.splitlines() if "TODO" in line and not line.startswith("#")], text
    spec.write_text(text)


def test_the_authors_loop_from_an_empty_folder_to_a_release(tmp_path):
    ok(run(tmp_path, "init", "lib"))
    root = tmp_path / "lib"
    ok(run(root, "build"))
    here = root / "connectors"
    out = ok(run(here, "new", "acme"))
    spec = root / "connectors" / "acme" / "connector.yaml"
    assert len(_todo_lines(out)) == 5, out
    assert "warning: " in ok(run(here, "build", "acme", "--force"))
    refused(run(here, "check"), "TODO placeholder")
    _fill_in(spec)
    out = ok(run(here / "acme", "build"))
    assert "warning" not in out and "built     acme" in out, out
    assert "dist/ is up to date and every template version is recorded (2 connectors)" in ok(run(here, "check"))
    record = json.loads((root / "connectors" / "_versions.lock").read_text())["acme"]
    assert record == {"version": 1, "sha256": record["sha256"]}, "the TODO-free build ends the draft"
    released = ok(run(here / "acme", "package"))
    assert "dist/release/acme-1.zip" in released, released
    assert (root / "dist" / "release" / "acme-1.zip").is_file()
    assert sorted(p.name for p in (root / "connectors" / "acme").iterdir()) == ["connector.yaml"]
    # from now on the version record protects the released template: a change needs `bump`
    spec.write_text(spec.read_text().replace('name: "Acme"', 'name: "Acme Answers"'))
    ok(run(here, "build"))
    refused(run(here, "check"), "catalyst-gen bump acme")
    assert "version 1 -> 2" in ok(run(here, "bump", "acme"))
    ok(run(here, "check"))
