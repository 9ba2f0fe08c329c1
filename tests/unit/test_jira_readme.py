"""The Jira connectors' READMEs write their Template Fields tables by hand (as published): they must
still say what the element template does, so an edit of the preset or the spec cannot leave them behind."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
JIRA = sorted(p.name for p in (REPO / "dist").glob("jira-*") if (p / "README.md").is_file())


def _table(readme: str, heading: str) -> list[list[str]]:
    """The rows (cells, stripped) of the first table after ``heading``."""
    section = readme.split(heading + "\n", 1)[1].split("\n#", 1)[0]
    rows = re.findall(r"^\| (.*) \|$", section, flags=re.M)
    return [[cell.strip() for cell in row.split(" | ")] for row in rows[1:]]


def _headers_cell(cell: str) -> dict[str, str]:
    """``Content-Type: application/json``, ``Accept: application/json`` as a mapping."""
    spans = re.findall(r"`([^`]*)`", cell)
    assert cell == ", ".join(f"`{s}`" for s in spans), cell
    return dict(span.split(": ", 1) for span in spans)  # type: ignore[misc]


def test_the_suite_is_in_the_library():
    assert JIRA == ["jira-add-comment", "jira-create-issue", "jira-transition-issue", "jira-update-issue"]


@pytest.mark.parametrize("connector_id", JIRA)
def test_the_template_fields_tables_say_what_the_template_does(connector_id):
    dist = REPO / "dist" / connector_id
    readme = (dist / "README.md").read_text("utf-8")
    template = json.loads((dist / f"{connector_id}.element.json").read_text("utf-8"))
    properties = [p for p in template["properties"] if p.get("label")]
    visible = [p for p in properties if p["type"] != "Hidden"]
    hidden = {p["label"]: p for p in properties if p["type"] == "Hidden"}
    rows = _table(readme, "### Visible Fields")
    assert [r[0] for r in rows] == [p["label"] for p in visible]
    for (_, kind, default, _), p in zip(rows, visible, strict=True):
        assert kind == p["type"], p["label"]
        if "\n" not in p["value"]:
            assert default == f"`{p['value']}`", p["label"]
    for label, value in _table(readme, "### Hidden Fields (auto-configured)"):
        if label == "Headers":  # what is sent: the template's headers and the runtime's Content-Type
            sent = {"Content-Type": "application/json", **json.loads(hidden[label]["value"])}
            assert _headers_cell(value) == sent
        else:  # the value, then at most a remark: `{}` (204 No Content — no body)
            assert value.split(" (", 1)[0] == f"`{hidden[label]['value']}`", label


def test_a_wrong_hidden_headers_row_is_found():
    with pytest.raises(AssertionError):
        _headers_cell("Content-Type: application/json")
    assert _headers_cell("`Content-Type: application/json`, `Accept: application/json`") != {
        "Content-Type": "application/json"
    }
