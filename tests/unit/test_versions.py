"""The version record and the saved versions: the pinned schema, lock entries, history files."""

from __future__ import annotations

import hashlib
import json

import pytest
from helpers import REPO

from catalyst_gen import history, versions
from catalyst_gen.errors import CatalystError
from catalyst_gen.library import Project
from catalyst_gen.render import ELEMENT_TEMPLATES_SCHEMA, ELEMENT_TEMPLATES_SCHEMA_VERSION


def test_the_pinned_schema_is_the_one_the_oracle_validates_against():
    lock = json.loads((REPO / "tests" / "oracle" / "package-lock.json").read_text())
    installed = lock["packages"]["node_modules/@camunda/element-templates-json-schema"]["version"]
    assert ELEMENT_TEMPLATES_SCHEMA_VERSION == installed
    assert f"/element-templates-json-schema@{installed}/" in ELEMENT_TEMPLATES_SCHEMA
    for path in sorted(REPO.glob("dist/*/*.element.json")):
        assert json.loads(path.read_text())["$schema"] == ELEMENT_TEMPLATES_SCHEMA, path


def test_a_lock_entry_records_the_history_oldest_first():
    digest = hashlib.sha256(b"v3").hexdigest()
    entry = versions.lock_entry(3, b"v3", {2: "b" * 64, 1: "a" * 64})
    assert entry == {
        "version": 3,
        "sha256": digest,
        "history": [{"version": 1, "sha256": "a" * 64}, {"version": 2, "sha256": "b" * 64}],
    }
    assert versions.recorded_history(entry) == {1: "a" * 64, 2: "b" * 64}
    assert versions.lock_entry(1, b"v1") == {"version": 1, "sha256": hashlib.sha256(b"v1").hexdigest()}
    assert versions.recorded_history(None) == {}


@pytest.mark.parametrize(
    "entry",
    [
        {"version": 0, "sha256": "a" * 64},
        {"version": True, "sha256": "a" * 64},
        {"version": 1, "sha256": "A" * 64},
        {"version": 1, "sha256": "a" * 64, "history": {"1": "a" * 64}},
        {"version": 2, "sha256": "a" * 64, "history": [{"version": 1}]},
        "1",
    ],
)
def test_a_malformed_lock_entry_is_refused_located(tmp_path, entry):
    project = Project(tmp_path)
    (tmp_path / "connectors").mkdir()
    versions.write_lock(project, {"alpha": {"version": 1, "sha256": "a" * 64}, "beta": entry})
    with pytest.raises(CatalystError) as caught:
        versions.read_lock(project)
    (problem,) = caught.value.problems
    assert problem.message == "_versions.lock: malformed entry for 'beta'"
    assert problem.location is not None and problem.location.line == 6


def test_save_writes_the_exact_bytes_once(tmp_path):
    project = Project(tmp_path)
    (tmp_path / "connectors" / "alpha").mkdir(parents=True)
    path = history.save(project, "alpha", 1, b"{}\n")
    assert path == tmp_path / "connectors/alpha/versions/alpha-1.element.json"
    mtime = path.stat().st_mtime_ns
    assert history.save(project, "alpha", 1, b"{}\n") == path and path.stat().st_mtime_ns == mtime
    assert [p.name for p in path.parent.iterdir()] == ["alpha-1.element.json"]


def test_the_library_history_matches_the_lock():
    project = Project(REPO)
    lock = versions.read_lock(project)
    for cid in project.connector_ids():
        kept, problems = history.read_history(
            project, cid, f"com.catalystconnector.{cid}", lock[cid]["version"], versions.recorded_history(lock[cid])
        )
        assert problems == [] and [r.version for r in kept] == list(range(1, lock[cid]["version"]))
