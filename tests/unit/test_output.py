"""The writer: folders swapped in whole, a half-done swap rolled forward, one writer at a time, no paths as ids."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from catalyst_gen.errors import CatalystError
from catalyst_gen.output import exclusive, read_tree, recover, write_connectors


@pytest.fixture
def lib(tmp_path: Path) -> tuple[Path, Path]:
    dist, state = tmp_path / "lib" / "dist", tmp_path / "lib" / ".catalyst-gen"
    dist.mkdir(parents=True)
    return dist, state


def test_folders_are_replaced_whole_and_only_changed_ones_reported(lib):
    dist, state = lib
    assert write_connectors(dist, state, {"a": {"x.txt": b"1", "y.txt": b"2"}, "b": {"z.txt": b"3"}}) == ["a", "b"]
    assert read_tree(dist / "a") == {"x.txt": b"1", "y.txt": b"2"}
    # a file the new result does not have disappears with the old folder
    assert write_connectors(dist, state, {"a": {"x.txt": b"new"}, "b": {"z.txt": b"3"}}) == ["a"]
    assert read_tree(dist / "a") == {"x.txt": b"new"}
    assert write_connectors(dist, state, {"a": {"x.txt": b"new"}}) == []
    assert write_connectors(dist, state, {}) == []
    assert not list(state.glob("staging-*")) and not list(state.glob("old-*")) and not (state / "journal.json").exists()


def test_an_unchanged_folder_is_not_touched(lib):
    dist, state = lib
    write_connectors(dist, state, {"a": {"x.txt": b"1"}})
    before = os.stat(dist / "a").st_ino
    write_connectors(dist, state, {"a": {"x.txt": b"1"}, "b": {"y.txt": b"2"}})
    assert os.stat(dist / "a").st_ino == before


def half_done_swap(dist: Path, state: Path, moved: bool) -> None:
    """What a process killed during the swap leaves: staged folders and the journal (maybe one rename done)."""
    for cid in ("a", "b"):
        (dist / cid).mkdir()
        (dist / cid / "f").write_text("old")
        (state / "staging-1" / cid).mkdir(parents=True)
        (state / "staging-1" / cid / "f").write_text("new")
    if moved:  # the first target was already moved aside
        (state / "old-1").mkdir()
        os.replace(dist / "a", state / "old-1" / "a")
    entries = [
        {"staged": str(state / "staging-1" / cid), "target": str(dist / cid), "old": str(state / "old-1" / cid)}
        for cid in ("a", "b")
    ]
    (state / "journal.json").write_text(json.dumps(entries))


@pytest.mark.parametrize("moved", [False, True], ids=["before any rename", "after one rename"])
def test_a_half_done_swap_is_rolled_forward_by_the_next_writer(lib, moved):
    dist, state = lib
    half_done_swap(dist, state, moved)
    with exclusive(state):
        pass
    assert read_tree(dist / "a") == {"f": b"new"} and read_tree(dist / "b") == {"f": b"new"}
    assert sorted(p.name for p in state.iterdir()) == ["lock"]


def test_staging_leftovers_without_a_journal_are_discarded(lib):
    dist, state = lib
    (state / "staging-9" / "a").mkdir(parents=True)
    (state / "old-9" / "a").mkdir(parents=True)
    recover(state)
    assert not (dist / "a").exists() and not list(state.iterdir())


def test_an_unreadable_journal_is_refused_with_how_to_recover(lib):
    """Issue #10: a malformed journal gets a clear message, never a silent guess or an internal error."""
    dist, state = lib
    state.mkdir()
    (state / "journal.json").write_text("{not json")
    with pytest.raises(CatalystError, match="not a journal catalyst-gen can trust") as caught:
        recover(state)
    assert "delete" in caught.value.format() and "build --force" in caught.value.format()
    assert (state / "journal.json").exists()


def test_a_second_writer_waits_then_refuses_with_a_clear_message(lib):
    _, state = lib
    with exclusive(state):
        with pytest.raises(CatalystError) as caught:
            with exclusive(state, timeout=0.2):
                pytest.fail("two writers held the lock at once")
    assert "another catalyst-gen is writing this library" in str(caught.value)
    with exclusive(state, timeout=0.2):  # released: the next writer gets it
        pass


@pytest.mark.parametrize(
    "outputs",
    [
        {"../escaped": {"x": b""}},
        {"/abs": {"x": b""}},
        {"a/b": {"x": b""}},
        {"..": {"x": b""}},
        {"": {"x": b""}},
        {"Upper": {"x": b""}},
        {"a": {"../x": b""}},
        {"a": {"sub/x": b""}},
        {"a": {"..": b""}},
        {"a": {"": b""}},
    ],
)
def test_ids_and_file_names_that_are_paths_are_refused_before_anything_is_written(lib, outputs):
    dist, state = lib
    with pytest.raises(CatalystError, match="refusing to write"):
        write_connectors(dist, state, {"ok": {"x": b"1"}, **outputs})
    assert list(dist.iterdir()) == [] and not (dist.parent / "escaped").exists()


def test_the_release_folder_is_the_one_non_connector_name_written(lib):
    dist, state = lib
    assert write_connectors(dist, state, {"release": {"SHA256SUMS": b""}}) == ["release"]


def test_read_tree_of_a_missing_folder_is_empty(tmp_path: Path):
    assert read_tree(tmp_path / "nope") == {}
