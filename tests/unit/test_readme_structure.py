"""The structural comparator of READMEs (tests/readme_structure.py), on small inline texts."""

from __future__ import annotations

import sys

from helpers import REPO

sys.path.insert(0, str(REPO / "tests"))
from readme_structure import diff, main, structure  # noqa: E402


def test_the_structure_lists_headings_tables_code_paragraphs_items_and_breaks():
    text = (
        "# Title\nA *tagline*\n\n## Part\n\n| A | B |\n|---|---|\n| `x` | [y](https://y.example) |\n\n"
        '```json\n{\n  "a": 1\n}\n```\n\n- one\n- **two**\n\n1. first\n\n---\n'
    )
    assert structure(text) == [
        "h1: Title",
        "paragraph: A *tagline*",
        "h2: Part",
        "header: A | B",
        "row: `x` | [y](https://y.example)",
        'code json: {\\n  "a": 1\\n}',
        "item: one",
        "item: **two**",
        "step: first",
        "break",
    ]


def test_escaping_wrapping_and_blank_lines_are_not_differences():
    ours = "Some \\[text\\]\nwrapped   here\n\n\n**Bold:**\n\n```sh\nx\n```\n"
    theirs = "Some [text] wrapped here\n\n**Bold:**\n```sh\nx\n```\n"
    assert diff(ours, theirs) == []


def test_a_changed_cell_heading_level_or_code_info_is_a_difference():
    base = "## A\n\n| H |\n|---|\n| 1 |\n\n```json\n{}\n```\n"
    assert diff(base, base.replace("| 1 |", "| 2 |")) != []
    assert diff(base, base.replace("## A", "### A")) != []
    assert diff(base, base.replace("```json", "```js")) != []
    found = "\n".join(diff(base, base.replace("| 1 |", "| 2 |")))
    assert "-row: 1" in found and "+row: 2" in found


def test_the_documented_additions_are_allowed_and_only_them():
    published = "## Example Process\n\n```\npic\n```\n\n## Files\n\n| File | Description |\n|---|---|\n| `README.md` | This documentation |\n"
    generated = published.replace(
        "## Example Process\n\n", "## Example Process\n\n![Example process: Fire Webhook](webhook-example.svg)\n\n"
    ).replace("| `README.md` |", "| `webhook-example.svg` | Picture of the example process |\n| `README.md` |")
    assert diff(generated, published) == []
    assert len([line for line in diff(generated, published, allow=False) if line.startswith("-")]) == 3
    other_picture = generated.replace("webhook-example.svg)", "https://evil.example/x.svg)")
    assert diff(other_picture, published) != []


def test_the_command_line_prints_the_differences(tmp_path, capsys):
    a, b = tmp_path / "a.md", tmp_path / "b.md"
    a.write_text("## One\n")
    b.write_text("## Two\n")
    assert main([str(a), str(b)]) == 1
    assert "-h2: One" in capsys.readouterr().out
    assert main([str(a), str(a)]) == 0
    assert "no structural differences" in capsys.readouterr().out
