"""Issue #10, class 3: the tool's state files cannot be used to write or delete outside the project.

The journal, cache, lock and temporary files in ``.catalyst-gen/`` are input
like any other file in a pull request.  A journal that names paths outside
``dist/`` is refused with how to recover, before anything is moved; links planted
where the tool writes are never written through; malformed state never causes
an internal error.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from helpers import snapshot

STATE = ".catalyst-gen"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder outside the library with a file in it, which must survive every case untouched."""
    folder = tmp_path / "outside"
    (folder / "victim").mkdir(parents=True)
    (folder / "victim" / "keep.txt").write_text("precious")
    (folder / "file.txt").write_text("precious")
    return folder


def journal(project: Path, entries: object) -> None:
    (project / STATE).mkdir(exist_ok=True)
    (project / STATE / "journal.json").write_text(json.dumps(entries))


def entry(project: Path, staged: str, target: str, old: str) -> dict[str, str]:
    state, dist = project / STATE, project / "dist"
    return {
        "staged": staged.format(state=state, dist=dist),
        "target": target.format(state=state, dist=dist),
        "old": old.format(state=state, dist=dist),
    }


def hostile_journals(project: Path, outside: Path) -> dict[str, object]:
    out = str(outside)
    return {
        "target-outside": [entry(project, "{state}/staging-1/openai", out + "/victim", "{state}/old-1/openai")],
        "target-dotdot": [
            entry(project, "{state}/staging-1/openai", "{dist}/../../outside/victim", "{state}/old-1/openai")
        ],
        "staged-outside": [entry(project, out + "/victim", "{dist}/openai", "{state}/old-1/openai")],
        "old-outside": [entry(project, "{state}/staging-1/openai", "{dist}/openai", out + "/victim")],
        "target-not-an-id": [entry(project, "{state}/staging-1/x", "{dist}/../outside", "{state}/old-1/x")],
        "state-not-staging": [entry(project, "{state}/other/openai", "{dist}/openai", "{state}/old-1/openai")],
        "not-a-list": {"staged": "x"},
        "not-paths": [{"staged": 1, "target": 2, "old": 3}],
        "missing-keys": [{"target": "{dist}/openai"}],
        "truncated": "[{",
    }


CASE_IDS = [
    "target-outside",
    "target-dotdot",
    "staged-outside",
    "old-outside",
    "target-not-an-id",
    "state-not-staging",
    "not-a-list",
    "not-paths",
    "missing-keys",
    "truncated",
]


@pytest.mark.parametrize("case", CASE_IDS)
@pytest.mark.parametrize("command", ["build", "bump", "package"])
def test_a_journal_naming_paths_elsewhere_is_refused_before_anything_moves(project, cli, outside, case, command):
    journals = hostile_journals(project, outside)
    if case == "truncated":
        (project / STATE).mkdir(exist_ok=True)
        (project / STATE / "journal.json").write_text("[{")
    else:
        journal(project, journals[case])
    before_outside, before_dist = snapshot(outside), snapshot(project / "dist")
    args = {"build": ["build", "--force"], "bump": ["bump", "openai"], "package": ["package"]}[command]
    result = cli(project, *args)
    assert result.exit_code == 1, result.output
    assert "is not a journal catalyst-gen can trust" in result.output
    assert "delete" in result.output and "internal error" not in result.output
    assert snapshot(outside) == before_outside and snapshot(project / "dist") == before_dist


@pytest.mark.parametrize("name", ["cache.json.tmp", "journal.json.tmp"])
def test_a_planted_temporary_file_is_never_written_through(project, cli, outside, name):
    import shutil

    shutil.rmtree(project / "dist" / "openai")  # so the build has a folder to swap in (and a journal to write)
    (project / STATE).mkdir()
    os.symlink(outside / "file.txt", project / STATE / name)
    assert cli(project, "build", "--force").exit_code == 0
    assert (outside / "file.txt").read_text() == "precious"
    assert not (project / STATE / name).exists()


@pytest.mark.parametrize("name", ["lock", "cache.json", "journal.json"])
def test_a_linked_state_file_is_refused_or_ignored_never_followed(project, cli, outside, name):
    (project / STATE).mkdir()
    os.symlink(outside / "file.txt", project / STATE / name)
    result = cli(project, "build", "--force")
    assert "internal error" not in result.output and "precious" not in result.output
    assert (outside / "file.txt").read_text() == "precious"
    if name == "cache.json":  # a cache is only ever a hint: a link is read as "no cache" and replaced
        assert result.exit_code == 0 and not (project / STATE / name).is_symlink()
    else:
        assert result.exit_code == 1 and ("link" in result.output or "cannot" in result.output), result.output


@pytest.mark.parametrize("link", [STATE, "dist", "dist/openai"])
def test_a_linked_state_or_artifact_folder_is_not_written_through(project, cli, outside, link):
    path = project / link
    if path.exists():
        import shutil

        shutil.rmtree(path)
    os.symlink(outside / "victim", path)
    result = cli(project, "build", "--force")
    assert result.exit_code == 1, result.output
    assert "is a symbolic link" in result.output and "internal error" not in result.output
    assert (outside / "victim" / "keep.txt").read_text() == "precious"
    assert sorted(p.name for p in (outside / "victim").iterdir()) == ["keep.txt"]


@pytest.mark.parametrize("content", ["{not json", "[]", '{"format": 1, "entries": {"../x": {}}}', "\x00\x01", ""])
def test_a_malformed_cache_means_rebuild(project, cli, content):
    (project / STATE).mkdir()
    (project / STATE / "cache.json").write_text(content)
    result = cli(project, "build")
    assert result.exit_code == 0 and "internal error" not in result.output


def test_a_fifo_in_place_of_the_cache_does_not_block(project, cli):
    (project / STATE).mkdir()
    os.mkfifo(project / STATE / "cache.json")
    result = cli(project, "build")
    assert result.exit_code == 0, result.output
