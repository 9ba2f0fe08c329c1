"""jira-add-comment's README writes its Template Fields tables by hand (as published): they must
still say what the element template does, so an edit of the preset or the spec cannot leave them behind."""

from __future__ import annotations

import json
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DIST = REPO / "dist" / "jira-add-comment"


def _table(readme: str, heading: str) -> list[list[str]]:
    """The rows (cells, stripped) of the first table after ``heading``."""
    section = readme.split(heading + "\n", 1)[1].split("\n#", 1)[0]
    rows = re.findall(r"^\| (.*) \|$", section, flags=re.M)
    return [[cell.strip() for cell in row.split(" | ")] for row in rows[1:]]


def test_the_template_fields_tables_say_what_the_template_does():
    readme = (DIST / "README.md").read_text("utf-8")
    template = json.loads((DIST / "jira-add-comment.element.json").read_text("utf-8"))
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
        assert value == f"`{hidden[label]['value']}`", label
