"""Issue #11: every generated README is structurally equal to the one the library publishes, or
differs from it by exactly the differences recorded, each with its reason.

The published READMEs (``src/components/studio/readmes/`` of the public repository
``AlainJaques22/get-catalyst-dev-website``) are not redistributed here: the repository keeps their
structure fingerprints (``tests/data/published/<name>.structure.json``, one sha256 per heading,
table row, code block, paragraph or list item; see ``tests/readme_structure.py``), so any
difference in headings, tables, code blocks or prose fails, while escaping, wrapping and blank
lines do not.  The documented additions (README: "Deliberate additions to the published format")
are left out of the generated README first.

``tests/data/published/catalog.json`` maps each of the issue's 14 connectors to its published
README and, where ours still differs on purpose, holds the reason and the exact differences
(README: "Where a generated README still differs").  A new difference, or one that went away,
fails until the record is rewritten (``python3 tests/readme_structure.py --update-known``) and
reviewed in the diff.

When ``CATALYST_PUBLISHED_DIR`` names a directory holding the published ``<name>.md`` files, an
equal README's failure message is the full readable diff instead of published line numbers.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from helpers import REPO

sys.path.insert(0, str(REPO / "tests"))
from readme_structure import CATALOG, diff, diff_fingerprint, read_record  # noqa: E402

RECORDS = REPO / "tests" / "data" / "published"
ENTRIES = json.loads((REPO / CATALOG).read_text("utf-8"))


ISSUE_11 = {
    "anthropic", "deepseek", "generic-rest", "google-gemini", "groq", "jira-add-comment", "microsoft-teams",
    "mistral", "ollama", "openai", "sendgrid", "slack", "together-ai", "webhook",
}  # fmt: skip
"""The fourteen connectors issue #11 names; the catalog may hold more of the published ones."""


def test_the_catalog_holds_the_issues_connectors_and_all_are_built():
    assert ISSUE_11 <= set(ENTRIES)
    assert all((REPO / "dist" / cid / "README.md").is_file() for cid in ENTRIES)
    assert all(entry.get("reason") for entry in ENTRIES.values() if "known_differences" in entry)


@pytest.mark.parametrize("connector_id", sorted(ENTRIES))
def test_the_generated_readme_is_the_published_one_but_for_the_recorded_differences(connector_id):
    entry = ENTRIES[connector_id]
    generated = (REPO / "dist" / connector_id / "README.md").read_text("utf-8")
    found = diff_fingerprint(generated, read_record(RECORDS / f"{entry['published']}.structure.json"))
    expected = entry.get("known_differences", [])
    if found != expected and not expected:
        readable = Path(os.environ.get("CATALYST_PUBLISHED_DIR", "/nonexistent")) / f"{entry['published']}.md"
        if readable.is_file():
            found = diff(generated, readable.read_text("utf-8"))
    assert found == expected, "\n".join(["differences now:", *found, "", "recorded:", *expected])


def test_every_record_is_a_fingerprint_only():
    """The records hold digests only (never the published text)."""
    for entry in ENTRIES.values():
        record = read_record(RECORDS / f"{entry['published']}.structure.json")
        assert record and all(len(d) == 64 and set(d) <= set("0123456789abcdef") for d in record), entry
