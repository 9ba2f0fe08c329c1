"""``--format json`` and ``--format github``: the records, the escaping, the end of the offending text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import DIAGNOSTICS_SCHEMA, diagnostics, parse_annotations

from catalyst_gen.diagnostics import annotation, escape_data, escape_property, record, render, to_json, token_end
from catalyst_gen.errors import Location, Problem


@pytest.mark.parametrize(
    ("line", "column", "end"),
    [
        ("  method: FETCH", 11, 16),  # a plain value runs to the end of the line
        ("  method: FETCH   # not a method", 11, 16),  # ... but not into a comment
        ("  methd: POST", 3, 8),  # a key ends before its colon
        ('  name: "a \\" b" # x', 9, 17),  # a double-quoted value ends at its closing quote
        ("  name: 'it''s'", 9, 16),  # '' is a quote inside single quotes
        ("  statuses: [429, 5x3]", 19, 22),  # a flow item ends before ] or ,
        ("  statuses: [42x, 503]", 14, 17),
        ('  name: "never closed', 9, 22),
        ("short", 9, 9),  # past the end of the line: the start
        ("  url: http://a:8/x", 8, 20),  # a colon inside a value does not end it
    ],
)
def test_token_end(line, column, end):
    assert token_end(line, column) == end


def test_escaping_follows_github():
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("C:\\a,b%") == "C%3A\\a%2Cb%25"


def test_end_is_derived_from_the_source_or_given(tmp_path: Path):
    spec = tmp_path / "connector.yaml"
    spec.write_text("endpoint:\n  methd: POST\n", "utf-8")
    derived = record(Problem("unknown key", Location(spec, 2, 3), ("endpoint",), code="CG202"))
    assert derived["end"] == {"line": 2, "column": 8}
    assert derived["path"] == "endpoint"
    given = record(Problem("x", Location(spec, 2, 3), end=(2, 5), code="CG202"))
    assert given["end"] == {"line": 2, "column": 5}
    missing = record(Problem("x", Location(tmp_path / "gone.yaml", 4, 2), code="CG202"))
    assert missing["end"] == {"line": 4, "column": 2}  # unknown: equal to the start


def test_a_linked_source_is_not_read_for_the_end(tmp_path: Path):
    """The end is derived only from files the text excerpt may quote (no links): the same trust rule."""
    target = tmp_path / "outside.yaml"
    target.write_text("key: a-long-secret-value\n", "utf-8")
    link = tmp_path / "connector.yaml"
    link.symlink_to(target)
    assert record(Problem("x", Location(link, 1, 6), code="CG105"))["end"] == {"line": 1, "column": 6}


def _problems(tmp_path: Path) -> list[Problem]:
    spec = tmp_path / "odd, dir: name" / "connector.yaml"
    spec.parent.mkdir()
    spec.write_text("id: x\nname: 100%\n", "utf-8")
    return [
        Problem("bad value: 100%\nsecond line", Location(spec, 2, 7), ("name",), "fix it, then: rerun", code="CG205"),
        Problem("cannot use /x: No space left on device", hint="free disk space", code="CG901"),
        Problem("dist/x/README.md is stale", file=tmp_path / "dist" / "x" / "README.md", code="CG501"),
        Problem("keep an eye on this", Location(spec, 1, 1), code="CG900", severity="warning"),
    ]


def test_json_is_valid_against_its_schema(tmp_path: Path):
    document = diagnostics(to_json(_problems(tmp_path)))
    first, environment, stale, warning = document["problems"]
    assert first["line"] == 2 and first["column"] == 7 and first["end"] == {"line": 2, "column": 11}
    assert first["message"] == "bad value: 100%\nsecond line" and first["code"] == "CG205"
    assert environment["file"] is None and environment["line"] is None and environment["end"] is None
    assert stale["file"].endswith("dist/x/README.md") and stale["line"] is None
    assert warning["severity"] == "warning"
    assert json.loads(render([], "json")) == {"version": 1, "problems": []}


def test_the_schema_rejects_what_the_format_does_not_promise():
    import jsonschema

    validator = jsonschema.Draft202012Validator(json.loads(DIAGNOSTICS_SCHEMA.read_text("utf-8")))
    good = {"file": "a", "line": 1, "column": 1, "end": {"line": 1, "column": 2}, "severity": "error"}
    good |= {"code": "CG105", "message": "m", "path": None, "hint": None}
    assert validator.is_valid({"version": 1, "problems": [good]})
    for bad in ({"code": "E1"}, {"severity": "fatal"}, {"end": None}, {"line": 0}, {"extra": 1}):
        assert not validator.is_valid({"version": 1, "problems": [good | bad]}), bad
    assert not validator.is_valid([good])


def test_github_annotations_parse_back(tmp_path: Path):
    problems = _problems(tmp_path)
    output = render(problems, "github")
    assert output.count("\n") == len(problems)
    first, environment, stale, warning = parse_annotations(output)
    assert first["severity"] == "error" and first["title"] == "CG205"
    assert first["file"].endswith("odd, dir: name/connector.yaml")
    assert (first["line"], first["col"], first["endLine"], first["endColumn"]) == ("2", "7", "2", "11")
    assert first["message"] == "name: bad value: 100%\nsecond line\nhint: fix it, then: rerun"
    assert "file" not in environment and "line" not in environment and environment["title"] == "CG901"
    assert stale["file"].endswith("dist/x/README.md") and "line" not in stale
    assert warning["severity"] == "warning"
    assert render([], "github") == ""
    assert (
        annotation(problems[1]) == "::error title=CG901::cannot use /x: No space left on device%0Ahint: free disk space"
    )


def test_render_refuses_text():
    with pytest.raises(ValueError):
        render([], "text")
