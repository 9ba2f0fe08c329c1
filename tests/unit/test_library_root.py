"""library.py: where a library's root is (found as git finds .git) and where the shipped templates are."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import REPO

from catalyst_gen.errors import CatalystError
from catalyst_gen.library import default_templates_dir, discover_root, find_root, is_library


def make_library(folder: Path) -> Path:
    (folder / "connectors").mkdir(parents=True)
    (folder / "connectors" / "_library.yaml").write_text("library_name: Test\n")
    return folder


def test_the_root_is_found_from_any_folder_below_it(tmp_path):
    root = make_library(tmp_path / "lib")
    deep = root / "connectors" / "acme" / "logos"
    deep.mkdir(parents=True)
    for start in (root, root / "connectors", deep):
        assert find_root(start) == root.resolve()


def test_the_nearest_library_wins(tmp_path):
    outer = make_library(tmp_path / "outer")
    inner = make_library(outer / "dist" / "inner")
    assert find_root(inner / "connectors") == inner.resolve()
    assert find_root(outer / "dist") == outer.resolve()


def test_a_connectors_folder_without_library_settings_is_not_a_root(tmp_path):
    (tmp_path / "connectors" / "acme").mkdir(parents=True)
    assert not is_library(tmp_path)
    assert find_root(tmp_path / "connectors" / "acme") is None


def test_discovery_walks_up_from_the_current_directory(tmp_path, monkeypatch):
    root = make_library(tmp_path / "lib")
    monkeypatch.chdir(root / "connectors")
    assert discover_root(None) == root.resolve()


def test_outside_a_library_the_error_names_init(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CatalystError, match="not inside a connector library") as caught:
        discover_root(None)
    assert "catalyst-gen init" in caught.value.format()


def test_an_explicit_root_is_taken_exactly_and_not_walked_up_from(tmp_path):
    root = make_library(tmp_path / "lib")
    assert discover_root(str(root)) == root.resolve()
    with pytest.raises(CatalystError, match="is inside a connector library, not its root") as caught:
        discover_root(str(root / "connectors"))
    assert f"give the library's root: -C {root.resolve()}" in caught.value.format()
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    with pytest.raises(CatalystError, match="is not a connector library") as caught:
        discover_root(str(outside))
    assert f"catalyst-gen init {outside}" in caught.value.format()
    with pytest.raises(CatalystError, match="does not exist"):
        discover_root(str(tmp_path / "missing"))


def test_the_shipped_templates_are_this_repositorys_in_a_source_checkout():
    assert default_templates_dir().resolve() == (REPO / "templates").resolve()
    assert (default_templates_dir() / "scaffold" / "connector.yaml.j2").is_file()
