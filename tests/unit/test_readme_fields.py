"""The README's Template Fields tables say what the element template does (issue #11).

The webhook and Microsoft Teams READMEs write their field tables as published (the Visible Fields
table of the webhook is ``show: visible_fields``; the others are authored tables, since the
published ones name a subset of the hidden settings in their own words). Every row must still be
true of the template users install: the label is a property's label, shown or hidden as the table
says, with the type and the value (a code span) the table gives.
"""

from __future__ import annotations

import json
import re

import pytest
from helpers import REPO

CONNECTORS = ["webhook", "microsoft-teams"]


def table_under(readme: str, heading: str) -> list[list[str]]:
    """The rows (cells, header and delimiter row left out) of the first table below ``### heading``."""
    lines = readme.split("\n### " + heading, 1)[1].splitlines()[1:]
    rows = []
    for line in lines:
        if line.startswith("#"):
            break
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split(" | ")])
        elif rows:
            break
    return rows[2:]


def code_span(cell: str) -> str | None:
    match = re.fullmatch(r"`([^`]*)`", cell)
    return match.group(1) if match else None


def holds(value: str, shown: str) -> bool:
    """The value the table shows is the property's value, or one value of a JSON object (a header)."""
    if value == shown:
        return True
    try:
        data = json.loads(value)
    except ValueError:
        return False
    return isinstance(data, dict) and shown in data.values()


def properties(cid: str) -> dict[str, dict]:
    template = json.loads((REPO / "dist" / cid / f"{cid}.element.json").read_text("utf-8"))
    return {p["label"]: p for p in template["properties"] if "label" in p}


def readme(cid: str) -> str:
    return (REPO / "dist" / cid / "README.md").read_text("utf-8")


@pytest.mark.parametrize("cid", CONNECTORS)
def test_every_visible_field_row_is_a_shown_property_with_its_type_and_default(cid):
    props = properties(cid)
    rows = table_under(readme(cid), "Visible Fields")
    assert rows
    for label, kind, default, _ in rows:
        assert label in props, (cid, label)
        prop = props[label]
        assert prop["type"] == kind != "Hidden", (cid, label)
        shown = code_span(default)
        assert shown is None or holds(prop.get("value", ""), shown), (cid, label, default)


@pytest.mark.parametrize("cid", CONNECTORS)
def test_every_hidden_field_row_is_a_hidden_property_with_its_value(cid):
    props = properties(cid)
    rows = table_under(readme(cid), "Hidden Fields")
    assert rows
    for label, value, _ in rows:
        assert label in props, (cid, label)
        prop = props[label]
        assert prop["type"] == "Hidden", (cid, label)
        shown = code_span(value)
        assert shown is not None and holds(prop["value"], shown), (cid, label, value)


def test_the_check_fails_on_a_table_that_contradicts_the_template():
    props = properties("microsoft-teams")
    assert not holds(props["Max Retries"]["value"], "5")
    assert not holds(props["Content-Type"]["value"], "text/plain")
    assert props["Message Format"]["type"] != "Hidden"  # a Hidden Fields row for it would fail
