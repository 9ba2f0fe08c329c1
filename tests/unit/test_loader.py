"""Presets: merge rules, and errors located in the file that wrote the value."""

from __future__ import annotations

import re

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
