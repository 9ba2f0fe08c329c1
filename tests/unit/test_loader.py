"""Presets: merge rules, and errors located in the file that wrote the value."""

from __future__ import annotations

import re

import pytest

from catalyst_gen.errors import SpecError
from catalyst_gen.loader import load_spec


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path


def test_merge_rules(tmp_path):
    presets = tmp_path / "connectors" / "_presets"
    write(presets / "base.yaml", "a: {x: 1, y: 2, z: {deep: 1}}\nitems: [1, 2, 3]\ngone: 1\nkept: base\n")
    write(presets / "middle.yaml", "extends: base\na: {y: 20}\nkept: middle\n")
    spec = write(
        tmp_path / "connectors" / "c" / "connector.yaml", "extends: middle\na: {z: {more: 2}}\nitems: [9]\ngone: ~\n"
    )
    source = load_spec(spec, presets)
    assert source.data == {
        "extends": "middle",
        "a": {"x": 1, "y": 20, "z": {"deep": 1, "more": 2}},  # mappings merge deeply
        "items": [9],  # lists replace
        "kept": "middle",  # scalars replace, nearest wins
    }  # `gone: ~` removed the inherited key
    assert source.locate(("a", "x")).file.name == "base.yaml"
    assert source.locate(("a", "y")).file.name == "middle.yaml"
    assert source.locate(("items", 0)).file.name == "connector.yaml"


def test_replace_tag_replaces_an_inherited_mapping_whole_in_its_own_order(tmp_path):
    presets = tmp_path / "connectors" / "_presets"
    write(presets / "base.yaml", "a: {x: 1, y: 2, z: 3}\nb: {p: 1, q: 2}\n")
    write(presets / "middle.yaml", "extends: base\na: !replace {z: 30, w: 4}\n")
    spec = write(
        tmp_path / "connectors" / "c" / "connector.yaml", "extends: middle\na: {v: 5}\nb: !replace {q: 9, p: 8}\n"
    )
    source = load_spec(spec, presets)
    assert source.data == {"extends": "middle", "a": {"z": 30, "w": 4, "v": 5}, "b": {"q": 9, "p": 8}}
    assert list(source.data["b"]) == ["q", "p"]  # the connector's order, not the inherited one
    assert list(source.data["a"]) == ["z", "w", "v"]  # replaced in the preset, then merged as usual
    assert source.locate(("a", "z")).file.name == "middle.yaml"
    assert source.locate(("b", "p")).file.name == "connector.yaml"
    # without the tag the same spec merges key by key, in the inherited order
    write(tmp_path / "connectors" / "c" / "connector.yaml", "extends: middle\nb: {q: 9, p: 8}\n")
    assert list(load_spec(spec, presets).data["b"]) == ["p", "q"]


@pytest.mark.parametrize(
    ("text", "code", "column"),
    [
        ("a: !replace [1]\n", "CG375", 4),
        ("a: !replace 3\n", "CG375", 4),
        ("a: !other {x: 1}\n", "CG108", 4),
        ("a: !!omap [{x: 1}]\n", "CG108", 4),
        ("a: !!set {x: null}\n", "CG108", 4),
    ],
)
def test_a_tag_other_than_replace_on_a_mapping_is_a_located_error(tmp_path, text, code, column):
    spec = write(tmp_path / "connectors" / "c" / "connector.yaml", "id: c\n" + text)
    with pytest.raises(SpecError) as caught:
        load_spec(spec, tmp_path / "connectors" / "_presets")
    (problem,) = caught.value.problems
    assert (problem.code, problem.location.line, problem.location.column) == (code, 2, column)
    assert problem.path == ("a",)


def test_error_in_a_preset_value_points_into_the_preset(project, cli):
    preset = project / "connectors" / "_presets" / "openai-chat.yaml"
    text = preset.read_text()
    assert "  timeout_seconds: 60" in text
    preset.write_text(text.replace("  timeout_seconds: 60", "  timeout_seconds: soon", 1))
    result = cli(project, "build", "openai")
    assert result.exit_code == 1
    line = preset.read_text().splitlines().index("  timeout_seconds: soon") + 1
    assert re.search(
        rf"_presets/openai-chat\.yaml:{line}:20: error: endpoint\.timeout_seconds: expected a whole number",
        result.output,
    ), result.output


def test_connector_override_of_a_preset_value_is_located_in_the_connector(project, cli):
    spec = project / "connectors" / "together-ai" / "connector.yaml"
    assert "\nretry:" not in spec.read_text()
    spec.write_text(spec.read_text() + "\nretry:\n  max_retries: 99\n")
    result = cli(project, "build", "together-ai")
    assert result.exit_code == 1
    assert re.search(
        r"together-ai/connector\.yaml:\d+:16: error: retry\.max_retries: 99 is too large", result.output
    ), result.output


# ------------------------------------------------------------ positions


def test_positions_of_keys_and_values(tmp_path):
    from catalyst_gen.errors import Location
    from catalyst_gen.loader import load_file

    path = write(tmp_path / "spec.yaml", "a: 1\nb:\n  c: [x, y]\n  d:\n    - e: true\n")
    source = load_file(path)
    assert source.data == {"a": 1, "b": {"c": ["x", "y"], "d": [{"e": True}]}}
    assert source.locate(("b", "c"), key=True) == Location(path, 3, 3)
    assert source.locate(("b", "c")) == Location(path, 3, 6)
    assert source.locate(("b", "c", 1)) == Location(path, 3, 10)
    assert source.locate(("b", "d", 0, "e"), key=True) == Location(path, 5, 7)
    assert source.locate(("b", "d", 0, "e")) == Location(path, 5, 10)
    # an unwritten path falls back to the closest written parent's key
    assert source.locate(("b", "missing")) == Location(path, 2, 1)


def test_keys_are_strings_and_numbers_plain(tmp_path):
    from catalyst_gen.loader import load_file

    source = load_file(write(tmp_path / "spec.yaml", "errors:\n  401: {code: X}\nratio: 0.5\n"))
    assert source.data == {"errors": {"401": {"code": "X"}}, "ratio": 0.5}
    assert type(source.data["ratio"]) is float


# ----------------------------------------------------------- extends errors


def _extends_problem(tmp_path, value: str, presets: dict[str, str]):
    import pytest

    from catalyst_gen.errors import SpecError

    for name, text in presets.items():
        write(tmp_path / "connectors" / "_presets" / f"{name}.yaml", text)
    spec = write(tmp_path / "connectors" / "c" / "connector.yaml", f"id: c\nextends: {value}\n")
    with pytest.raises(SpecError) as caught:
        load_spec(spec)
    (problem,) = caught.value.problems  # one error, never a cascade
    return problem


def test_misspelt_preset_is_one_error_with_a_suggestion(tmp_path):
    problem = _extends_problem(tmp_path, "opnai-chat", {"openai-chat": "tips: [x]\n"})
    assert problem.message.startswith("preset 'opnai-chat' not found")
    assert (problem.location.line, problem.location.column) == (2, 10)
    assert problem.hint == "did you mean `openai-chat`?"


def test_extends_that_is_not_a_preset_name_is_one_error(tmp_path):
    problem = _extends_problem(tmp_path, '"../openai-chat"', {"openai-chat": "tips: [x]\n"})
    assert problem.message == "'../openai-chat' is not a preset name (lower-case kebab-case)"
    assert problem.hint == "did you mean `openai-chat`?"
    problem = _extends_problem(tmp_path, "OpenAI", {"openai-chat": "tips: [x]\n"})
    assert problem.hint == "did you mean `openai-chat`?"
    problem = _extends_problem(tmp_path, '"x/y"', {"openai-chat": "tips: [x]\n"})
    assert problem.hint and "connectors/_presets/" in problem.hint


def test_a_duplicate_key_says_where_the_first_one_is(tmp_path):
    path = write(tmp_path / "connectors" / "sample" / "connector.yaml", "id: sample\nname: A\ntagline: t\nname: B\n")
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    (problem,) = caught.value.problems
    assert problem.message == "duplicate key 'name', first written at line 2"
    assert problem.location.line == 4


def test_extends_loop_is_one_error_at_the_extends_that_closes_it(tmp_path):
    problem = _extends_problem(tmp_path, "loop-a", {"loop-a": "extends: loop-b\n", "loop-b": "\nextends: loop-a\n"})
    assert problem.message == "extends loop: connector -> loop-a -> loop-b -> loop-a"
    assert problem.location.file.name == "loop-b.yaml" and problem.location.line == 2


def test_self_extends_is_a_loop(tmp_path):
    problem = _extends_problem(tmp_path, "me", {"me": "extends: me\n"})
    assert problem.message == "extends loop: connector -> me -> me"


# ------------------------------------------------------------------ limits


def test_limits(tmp_path):
    import pytest

    from catalyst_gen.errors import SpecError
    from catalyst_gen.loader import MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES, load_file

    cases = {
        "big.yaml": ("a: " + "x" * MAX_FILE_BYTES + "\n", "the limit is"),
        "deep.yaml": ("a: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n", f"nesting deeper than {MAX_DEPTH}"),
        "bomb.yaml": (
            "a: &a [" + ", ".join(["x"] * 200) + "]\nb: &b [" + ", ".join(["*a"] * 200) + "]\n",
            f"more than {MAX_NODES:,} values",
        ),
        "list.yaml": ("- a\n", "a spec must be a mapping"),
        "empty.yaml": ("", "the file is empty"),
    }
    for name, (text, message) in cases.items():
        with pytest.raises(SpecError) as caught:
            load_file(write(tmp_path / name, text))
        assert message in caught.value.problems[0].message, name
    # the top-level mapping is one level: MAX_DEPTH - 1 lists inside it are accepted
    ok = "a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n"
    assert load_file(write(tmp_path / "ok.yaml", ok)).data


def test_a_preset_is_parsed_once_per_process_while_unchanged(tmp_path, monkeypatch):
    from catalyst_gen import loader

    presets = tmp_path / "connectors" / "_presets"
    write(presets / "base.yaml", "a: {x: 1}\n")
    one = write(tmp_path / "connectors" / "one" / "connector.yaml", "extends: base\nb: 1\n")
    two = write(tmp_path / "connectors" / "two" / "connector.yaml", "extends: base\nb: 2\n")
    parsed = []
    real = loader.load_file
    monkeypatch.setattr(loader, "load_file", lambda path, root=None: parsed.append(path.name) or real(path, root))
    monkeypatch.setattr(loader, "_PRESETS", {})

    first = load_spec(one, presets)
    first.data["a"]["x"] = 99  # a caller changing its copy changes nothing for the next connector
    assert load_spec(two, presets).data == {"extends": "base", "a": {"x": 1}, "b": 2}
    assert parsed.count("base.yaml") == 1

    write(presets / "base.yaml", "a: {x: 10, y: 2}\n")  # a changed preset is read again
    assert load_spec(one, presets).data["a"] == {"x": 10, "y": 2}
    assert parsed.count("base.yaml") == 2


SYNTAX = "id: sample\nname: Sample\ntagline: One line\nendpoint:\n  url: https://api.example.com/v1\n  method: POST\nretry:\n  statuses: [429]\nabout: It's here.\n"


@pytest.mark.parametrize(
    "old, new, line, hint",
    [
        # a quote runs on to the next quote, so the parser fails far below the line that opened it
        ("name: Sample", 'name: "Sample', None, "the quote opened at line 2, column 7 is not closed"),
        ("name: Sample", "name: 'Sample", None, "the quote opened at line 2, column 7 is not closed"),
        ("  statuses: [429]", "  statuses: [429", None, "the flow sequence opened at line 8, column 13 is not closed"),
        ("  method: POST", "  method POST", 6, "write a colon and a space after the key"),
        ("  method: POST", "\tmethod: POST", None, "YAML indentation must use spaces, not tabs"),
    ],
    ids=["double-quote", "single-quote", "flow-sequence", "missing-colon", "tab"],
)
def test_a_yaml_syntax_error_says_where_what_broke_it_was_opened(tmp_path, old, new, line, hint):
    assert old in SYNTAX
    path = write(tmp_path / "connectors" / "sample" / "connector.yaml", SYNTAX.replace(old, new, 1))
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    (problem,) = caught.value.problems
    assert problem.code == "CG105" and hint in (problem.hint or ""), problem.format()
    if line is not None:
        assert problem.location.line == line, problem.format()
