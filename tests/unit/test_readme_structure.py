"""The structural comparator of READMEs (tests/readme_structure.py), on small inline texts."""

from __future__ import annotations

import sys

from helpers import REPO

sys.path.insert(0, str(REPO / "tests"))
from readme_structure import (  # noqa: E402
    CATALOG,
    diff,
    diff_fingerprint,
    fingerprint,
    main,
    read_record,
    structure,
    update_known,
)


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


def test_a_body_condition_row_and_sentence_are_allowed_additions():
    published = "## Error Handling\n\n| HTTP Status | BPMN Error |\n|---|---|\n| 400 | `BAD` |\n"
    generated = published + (
        "| 2xx, `ok` ≠ `true` | `API_ERROR` |\n\nA 2xx response counts as success only when the body's `ok` is"
        " `true`: otherwise `catalyst_success` is `false`.\n"
    )
    assert diff(generated, published) == []
    assert diff(generated.replace("| 2xx,", "| 3xx,"), published) != []


def test_a_fingerprint_finds_every_difference_and_only_differences():
    published = "# T\n\n## A\n\n| H |\n|---|\n| 1 |\n\n```json\n{}\n```\n\nSome prose.\n"
    record = fingerprint(published)
    assert len(record) == len(structure(published))
    assert diff_fingerprint(published.replace("Some prose.", "Some\nprose."), record) == []
    for changed in ("| 2 |", "### A", "```js", "Other prose."):
        original = {"| 2 |": "| 1 |", "### A": "## A", "```js": "```json", "Other prose.": "Some prose."}[changed]
        found = diff_fingerprint(published.replace(original, changed), record)
        assert found and any(line.startswith("-") for line in found), changed
    missing = diff_fingerprint(published.replace("Some prose.\n", ""), record)
    assert missing[-1].startswith("+published line 6 (sha256 ")


def test_the_command_line_records_fingerprints_and_compares_with_them(tmp_path, capsys):
    published, records = tmp_path / "published", tmp_path / "records"
    published.mkdir()
    (published / "x.md").write_text("## One\n\nText.\n")
    assert main(["--record", str(records), str(published)]) == 0
    record_file = records / "x.structure.json"
    assert "One" not in record_file.read_text() and len(read_record(record_file)) == 2
    ours = tmp_path / "ours.md"
    ours.write_text("## One\n\nText.\n")
    assert main([str(ours), str(record_file)]) == 0
    ours.write_text("## One\n\nOther text.\n")
    capsys.readouterr()
    assert main([str(ours), str(record_file)]) == 1
    assert "-paragraph: Other text." in capsys.readouterr().out


def test_update_known_rewrites_the_recorded_differences_and_drops_those_that_went_away(tmp_path):
    import json

    records = tmp_path / CATALOG.parent
    records.mkdir(parents=True)
    published = "## One\n\nText.\n"
    (records / "x.structure.json").write_text(json.dumps({"structure_sha256": fingerprint(published)}))
    (tmp_path / "dist" / "a").mkdir(parents=True)
    (tmp_path / "dist" / "b").mkdir(parents=True)
    (tmp_path / "dist" / "a" / "README.md").write_text("## One\n\nOther.\n")
    (tmp_path / "dist" / "b" / "README.md").write_text(published)
    catalog = {
        "a": {"published": "x", "reason": "on purpose", "known_differences": []},
        "b": {"published": "x", "reason": "was different", "known_differences": ["-old"]},
        "c": {"published": "x"},
    }
    (tmp_path / CATALOG).write_text(json.dumps(catalog))
    assert update_known(tmp_path) == ["a", "b"]
    after = json.loads((tmp_path / CATALOG).read_text())
    assert "-paragraph: Other." in after["a"]["known_differences"]
    assert after["b"] == {"published": "x"} and after["c"] == {"published": "x"}
