"""Broken specs give one located message per problem, exit 1, no traceback, dist/ untouched."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import SAMPLE, snapshot


def write_spec(project: Path, text: str, cid: str = "sample") -> Path:
    path = project / "connectors" / cid / "connector.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path


def line_of(text: str, needle: str) -> int:
    return text.splitlines().index(next(line for line in text.splitlines() if needle in line)) + 1


def test_sample_spec_builds(project, cli):
    write_spec(project, SAMPLE)
    result = cli(project, "build", "sample")
    assert result.exit_code == 0, result.output
    assert (project / "dist" / "sample" / "sample.element.json").is_file()


CASES = [
    # (name, old, new, needle for the line, expected message fragment, expected hint fragment)
    (
        "misspelt key",
        "response_mapping:",
        "respone_mapping:",
        "respone_mapping:",
        "unknown key `respone_mapping`",
        "did you mean `response_mapping`?",
    ),
    ("bad status", "  401:\n", "  999:\n", "  999:", "HTTP status 999 is outside 100-599", "real HTTP status"),
    (
        "bad error code",
        "code: AUTH_FAILED",
        "code: AUTH-FAILED!",
        "AUTH-FAILED!",
        "BPMN error code `AUTH-FAILED!` is not a valid identifier",
        "letters, digits",
    ),
    (
        "bad json path",
        "path: choices[0].message.content",
        "path: choices[0.message",
        "choices[0.message",
        "does not parse",
        "choices[0].message.content",
    ),
    (
        "enum near miss",
        "type: bearerToken",
        "type: bearerTokn",
        "bearerTokn",
        "`bearerTokn` is not one of",
        "did you mean `bearerToken`?",
    ),
    (
        "secret source near miss",
        "default_source: env",
        "default_source: envv",
        "envv",
        "`envv` is not one of",
        "did you mean `env`?",
    ),
    (
        "wrong type",
        "timeout_seconds: 60",
        "timeout_seconds: sixty",
        "sixty",
        "expected a whole number, got a string",
        None,
    ),
    (
        "model not listed",
        "    model: meta-llama/Llama-3.3-70B-Instruct-Turbo",
        "    model: meta-llama/Llama-3.3-70B",
        "model: meta-llama/Llama-3.3-70B",
        "not in `models`",
        "did you mean",
    ),
    (
        "placeholder name",
        '"${userMessage}"',
        '"${user message}"',
        "${user message}",
        "placeholder `${user message}` is not a valid process variable name",
        None,
    ),
    (
        "real-looking secret",
        'key_prefix: "..."',
        "key_prefix: sk-abcdefghijklmnopqrstuvwxyz012345",
        "sk-abcdef",
        "looks like an OpenAI-style key",
        "example",
    ),
]


@pytest.mark.parametrize("name, old, new, needle, message, hint", CASES, ids=[c[0] for c in CASES])
def test_broken_spec_is_located(project, cli, name, old, new, needle, message, hint):
    assert old in SAMPLE
    text = SAMPLE.replace(old, new, 1)
    spec = write_spec(project, text)
    before = snapshot(project / "dist")
    result = cli(project, "build", "sample")
    assert result.exit_code == 1
    out = result.output
    assert "Traceback" not in out
    assert message in out, out
    if hint:
        assert hint in out, out
    line = line_of(text, needle.rstrip("\n"))
    assert re.search(rf"connector\.yaml:{line}:\d+: error", out), out
    assert snapshot(project / "dist") == before
    assert str(spec.name) in out


def test_text_payload_that_is_not_json_points_into_the_block(project, cli):
    text = re.sub(
        r"request:\n  payload:\n(    .*\n|      .*\n)+",
        'request:\n  payload: |\n    {\n      "model": "meta-llama/Llama-3.3-70B-Instruct-Turbo",\n      "messages": [{"role": "user", "content": "${userMessage}"}]\n      "max_tokens": 10\n    }\n',
        SAMPLE,
    )
    assert "payload: |" in text
    write_spec(project, text)
    result = cli(project, "build", "sample")
    assert result.exit_code == 1
    assert "the payload is not valid JSON once placeholders are filled in" in result.output
    line = line_of(text, '"max_tokens": 10')
    assert f"connector.yaml:{line}:7: error" in result.output, result.output


def test_text_payload_with_unquoted_placeholder_is_valid(project, cli):
    text = re.sub(
        r"request:\n  payload:\n(    .*\n|      .*\n)+",
        'request:\n  payload: |\n    {"model": "meta-llama/Llama-3.3-70B-Instruct-Turbo", "max_tokens": ${maxTokens},\n     "messages": [{"role": "user", "content": "${userMessage}"}]}\n',
        SAMPLE,
    )
    write_spec(project, text)
    result = cli(project, "build", "sample")
    assert result.exit_code == 0, result.output
    bpmn = (project / "dist" / "sample" / "sample-example.bpmn").read_text("utf-8")
    assert 'camunda:formField id="maxTokens"' in bpmn and 'camunda:formField id="userMessage"' in bpmn


def test_all_problems_are_reported_at_once(project, cli):
    text = SAMPLE.replace("response_mapping:", "respone_mapping:\nresponse_mapping:", 1)
    text = text.replace("  401:\n", "  999:\n", 1).replace("type: bearerToken", "type: bearer", 1)
    write_spec(project, text)
    result = cli(project, "build", "sample")
    assert result.exit_code == 1
    assert result.output.count(": error: ") == 3, result.output
    assert "3 problems found" in result.output
    # each with the offending line and a caret under it
    assert result.output.count("^") >= 3


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "the file is empty"),
        ("- a\n- b\n", "the document is a list"),
        ("just a string\n", "the document is a single value"),
        ("id: sample\nname: [unclosed\n", "invalid YAML"),
        ("id: sample\n\tname: x\n", "invalid YAML"),
        ("id: sample\nid: other\n", "duplicate key"),
    ],
    ids=["empty", "list", "scalar", "syntax", "tab", "duplicate-key"],
)
def test_unreadable_yaml(project, cli, text, message):
    write_spec(project, text)
    before = snapshot(project / "dist")
    result = cli(project, "build", "sample")
    assert result.exit_code == 1
    assert message in result.output
    assert "connector.yaml:" in result.output
    assert snapshot(project / "dist") == before


def test_id_must_match_folder(project, cli):
    write_spec(project, SAMPLE, cid="other")
    result = cli(project, "build", "other")
    assert result.exit_code == 1
    assert "does not match its folder" in result.output


def test_unknown_connector_suggests_a_near_one(project, cli):
    result = cli(project, "build", "togther-ai")
    assert result.exit_code == 1
    assert "did you mean `together-ai`?" in result.output
