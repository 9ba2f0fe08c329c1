"""The build cache: which changes make a connector stale, and why a broken cache file only means "rebuild"."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from helpers import LIBRARY_IDS, REPO  # noqa: E402

from catalyst_gen import cache as cache_module
from catalyst_gen.cache import BuildCache
from catalyst_gen.commands.build import UNCHANGED, WRITTEN, build_library
from catalyst_gen.commands.common import CommandFailed
from catalyst_gen.library import Project

ALL = LIBRARY_IDS
PRESET_USERS = sorted(
    cid for cid in LIBRARY_IDS if "extends: openai-chat" in (REPO / "connectors" / cid / "connector.yaml").read_text()
)


@pytest.fixture(scope="module")
def built_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A library built once (cache primed); ollama's logo comes from a file next to its spec."""
    from helpers import REPO

    root = tmp_path_factory.mktemp("built") / "lib"
    for name in ("connectors", "templates", "dist"):
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("release"))
    spec = root / "connectors" / "ollama" / "connector.yaml"
    spec.write_text(re.sub(r"logo:\n(  .*\n)+", "logo:\n  file: logo.svg\n", spec.read_text("utf-8")), "utf-8")
    shutil.copy(REPO / "dist" / "ollama" / "ollama.svg", spec.parent / "logo.svg")
    build_library(root, jobs=1)
    return root


@pytest.fixture
def library(built_library: Path, tmp_path: Path) -> Path:
    root = tmp_path / "lib"
    shutil.copytree(built_library, root, symlinks=True)
    return root


def stale(root: Path) -> list[str]:
    cache = BuildCache(Project(root.resolve()))
    return [cid for cid in ALL if not cache.is_fresh(cid)]


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text("utf-8") + text, "utf-8")


def test_a_fresh_build_is_fresh(library: Path):
    assert stale(library) == []


def test_a_spec_change_makes_only_that_connector_stale(library: Path):
    append(library / "connectors" / "webhook" / "connector.yaml", "\n# touched\n")
    assert stale(library) == ["webhook"]


def test_a_preset_change_makes_its_users_stale(library: Path):
    append(library / "connectors" / "_presets" / "openai-chat.yaml", "\n# touched\n")
    assert stale(library) == PRESET_USERS


def test_a_logo_file_change_makes_its_connector_stale(library: Path):
    logo = library / "connectors" / "ollama" / "logo.svg"
    logo.write_text(logo.read_text("utf-8").replace("#1F1F1F", "#202020"), "utf-8")
    assert stale(library) == ["ollama"]


def test_a_template_or_library_settings_change_makes_everything_stale(library: Path):
    template = next(p for p in (library / "templates").rglob("*") if p.is_file())
    append(template, "\n")
    assert stale(library) == ALL


def test_a_library_settings_change_makes_everything_stale(library: Path):
    append(library / "connectors" / "_library.yaml", "\n# touched\n")
    assert stale(library) == ALL


def test_a_new_tool_version_makes_everything_stale(library: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(cache_module, "__version__", "999.0.0")
    cache_module.tool_fingerprint.cache_clear()
    try:
        assert stale(library) == ALL
    finally:
        monkeypatch.undo()
        cache_module.tool_fingerprint.cache_clear()
    assert stale(library) == []


@pytest.mark.parametrize(
    "edit",
    [
        lambda folder: (folder / "README.md").write_text("hand edit"),
        lambda folder: (folder / "extra.txt").write_text("extra"),
        lambda folder: (folder / "README.md").unlink(),
        lambda folder: shutil.rmtree(folder),
    ],
    ids=["edited", "extra file", "missing file", "missing folder"],
)
def test_a_change_in_dist_makes_that_connector_stale(library: Path, edit):
    edit(library / "dist" / "anthropic")
    assert stale(library) == ["anthropic"]


@pytest.mark.parametrize(
    "content",
    [
        "",
        "not json {",
        "[]",
        "null",
        '{"format": 1}',
        '{"format": 1, "entries": []}',
        '{"format": 1, "entries": {"webhook": []}}',
        '{"format": 1, "entries": {"webhook": {"key": 1, "inputs": "x", "files": {}}}}',
        '{"format": 1, "entries": {"webhook": {"key": "k", "inputs": [1], "files": {"a": 2}}}}',
        '{"format": 0, "entries": {}}',
        "\udcff",
    ],
)
def test_a_corrupt_cache_file_means_rebuild_never_an_error(library: Path, content: str):
    path = library / ".catalyst-gen" / "cache.json"
    path.write_bytes(content.encode("utf-8", "surrogateescape"))
    assert stale(library) == ALL
    report = build_library(library, jobs=1)
    assert {r.state for r in report.results} == {UNCHANGED}  # rebuilt to the same bytes
    assert json.loads(path.read_text("utf-8"))["format"] == cache_module.CACHE_FORMAT
    assert stale(library) == []


def test_a_tampered_cache_key_is_not_followed_outside_dist(library: Path):
    path = library / ".catalyst-gen" / "cache.json"
    data = json.loads(path.read_text("utf-8"))
    data["entries"]["../connectors"] = data["entries"]["webhook"]
    path.write_text(json.dumps(data), "utf-8")
    cache = BuildCache(Project(library.resolve()))
    assert "../connectors" not in cache.entries
    assert not cache.is_fresh("../connectors")


def test_a_failed_connector_is_forgotten_and_rebuilt_next_time(library: Path):
    spec = library / "connectors" / "webhook" / "connector.yaml"
    original = spec.read_text("utf-8")
    spec.write_text(original.replace("name:", "name: [broken", 1), "utf-8")
    with pytest.raises(CommandFailed):
        build_library(library, jobs=1)
    assert "webhook" not in BuildCache(Project(library.resolve())).entries
    spec.write_text(original, "utf-8")
    report = build_library(library, ["webhook"], jobs=1)
    assert report.results[0].state in (WRITTEN, UNCHANGED) and report.results[0].connector is not None
    assert stale(library) == []
