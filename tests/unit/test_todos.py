"""todos.py: what a TODO placeholder is, where it is reported; versions.refresh_drafts: the draft record of `new`."""

from __future__ import annotations

import json

import pytest
from helpers import SAMPLE, write_spec

from catalyst_gen import versions
from catalyst_gen.library import Project
from catalyst_gen.loader import load_spec
from catalyst_gen.todos import TODO_CODE, is_placeholder, refused, todo_placeholders


@pytest.mark.parametrize("text", ["TODO", "TODO category", "TODO-model-id", "TODO: the tagline", "  TODO later"])
def test_placeholders(text):
    assert is_placeholder(text)


@pytest.mark.parametrize("text", ["TODOS", "Todo list", "todo", "Post a TODO list", "TODO_ID", "TODO2", ""])
def test_not_placeholders(text):
    assert not is_placeholder(text)


def test_placeholders_are_located_where_written_in_the_spec_or_its_preset(project):
    preset = project / "connectors" / "_presets" / "openai-chat.yaml"
    preset.write_text(preset.read_text().replace("category: AI / LLM", "category: TODO pick one"))
    text = "extends: openai-chat\n" + SAMPLE.replace("category: AI / LLM\n", "").replace(
        "tagline: ", "tagline: TODO ", 1
    )
    spec = write_spec(project, text)
    found = todo_placeholders(load_spec(spec, project / "connectors" / "_presets", project))
    where = {
        (p.path, p.location.file.name if p.location else None, p.location.line if p.location else 0) for p in found
    }
    tagline_line = text.splitlines().index(next(line for line in text.splitlines() if line.startswith("tagline:"))) + 1
    assert where == {(("tagline",), "connector.yaml", tagline_line), (("category",), "openai-chat.yaml", 7)}
    assert all("replace it with the connector's real" in (p.hint or "") for p in found)
    tagline = next(p for p in found if p.path == ("tagline",))
    assert tagline.code == TODO_CODE and not tagline.is_error
    assert ": warning: tagline: TODO placeholder" in tagline.format()
    assert ": error: tagline: TODO placeholder" in refused(tagline).format()


def _lock(project) -> dict:
    return json.loads((project / "connectors" / "_versions.lock").read_text())


def test_a_draft_follows_the_template_and_ends_with_the_last_todo(project):
    lib = Project(project)
    versions.write_lock(lib, {**_lock(project), "acme": versions.lock_entry(1, b"first", draft=True)})
    versions.refresh_drafts(lib, {"acme": (1, b"second", True), "openai": (9, b"not a draft", False)})
    assert _lock(project)["acme"] == versions.lock_entry(1, b"second", draft=True)
    assert _lock(project)["openai"]["version"] != 9, "a final record is never moved by a build"
    versions.refresh_drafts(lib, {"acme": (1, b"third", False)})
    assert _lock(project)["acme"] == {"version": 1, "sha256": versions.template_digest(b"third")}
    versions.refresh_drafts(lib, {"acme": (1, b"fourth", False)})
    assert _lock(project)["acme"]["sha256"] == versions.template_digest(b"third"), "after the draft: bump"


def test_a_stale_draft_asks_for_a_build_not_a_bump(project):
    lib = Project(project)
    versions.write_lock(lib, {"acme": versions.lock_entry(1, b"first", draft=True)})
    state = versions.states(lib, {"acme": (1, b"second")})[0]
    assert state.problem is not None and "catalyst-gen build acme" in (state.problem.hint or "")
    assert versions.raised_version(state) is None


def test_a_draft_flag_that_is_not_a_boolean_is_a_broken_record(project):
    (project / "connectors" / "_versions.lock").write_text(
        json.dumps({"acme": {"version": 1, "sha256": "0" * 64, "draft": "yes"}})
    )
    with pytest.raises(Exception, match="malformed entry for 'acme'"):
        versions.read_lock(Project(project))
