"""Issue #11: every generated README is structurally equal to the one the library publishes.

The published READMEs (``src/components/studio/readmes/`` of the public repository
``AlainJaques22/get-catalyst-dev-website``) are not redistributed here: the repository keeps their
structure fingerprints (``tests/data/published/<name>.structure.json``, one sha256 per heading,
table row, code block, paragraph or list item; see ``tests/readme_structure.py``), so any
difference in headings, tables, code blocks or prose fails, while escaping, wrapping and blank
lines do not.  The documented additions (README: "Deliberate additions to the published format")
are left out of the generated README first.

When ``CATALYST_PUBLISHED_DIR`` names a directory holding the published ``<name>.md`` files, the
failure message is the full readable diff instead of published line numbers.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from helpers import REPO

sys.path.insert(0, str(REPO / "tests"))
from readme_structure import diff, diff_fingerprint, read_record  # noqa: E402

PUBLISHED_AS = {
    "anthropic": "anthropic-claude",
    "deepseek": "deepseek",
    "generic-rest": "generic-rest",
    "google-gemini": "google-gemini",
    "groq": "groq",
    "jira-add-comment": "jira-add-comment",
    "microsoft-teams": "microsoft-teams",
    "mistral": "mistral",
    "ollama": "ollama",
    "openai": "openai-chat",
    "sendgrid": "sendgrid",
    "slack": "slack",
    "together-ai": "together-ai",
    "webhook": "webhook",
}
"""The issue's 14 connectors: our id -> the published README's name."""

NOT_YET_EQUAL: dict[str, str] = {
    "anthropic": "not yet corrected to its published README (issue #11)",
    "generic-rest": "not yet corrected to its published README (issue #11)",
    "jira-add-comment": "not yet corrected to its published README (issue #11)",
    "microsoft-teams": "not yet in the library (issue #11)",
    "openai": "not yet corrected to its published README (issue #11)",
    "webhook": "not yet corrected to its published README (issue #11)",
}
"""Connectors whose README still differs, with why.  Strict: one that becomes equal fails until removed."""

RECORDS = REPO / "tests" / "data" / "published"


def _cases():
    for cid, name in sorted(PUBLISHED_AS.items()):
        marks = [pytest.mark.xfail(strict=True, reason=NOT_YET_EQUAL[cid])] if cid in NOT_YET_EQUAL else []
        yield pytest.param(cid, name, marks=marks, id=cid)


@pytest.mark.parametrize(("connector_id", "published_name"), list(_cases()))
def test_the_generated_readme_is_structurally_the_published_one(connector_id, published_name):
    readme = REPO / "dist" / connector_id / "README.md"
    assert readme.is_file(), f"{connector_id} is not built in dist/"
    generated = readme.read_text("utf-8")
    readable = Path(os.environ.get("CATALYST_PUBLISHED_DIR", "/nonexistent")) / f"{published_name}.md"
    if readable.is_file():
        found = diff(generated, readable.read_text("utf-8"))
    else:
        found = diff_fingerprint(generated, read_record(RECORDS / f"{published_name}.structure.json"))
    assert found == [], "\n".join(found)


def test_every_record_is_a_fingerprint_of_the_issue_catalog():
    """The records the test reads exist, and hold digests only (never the published text)."""
    for name in PUBLISHED_AS.values():
        record = read_record(RECORDS / f"{name}.structure.json")
        assert record and all(len(d) == 64 and set(d) <= set("0123456789abcdef") for d in record), name
