"""The spec grammar: one table per rule, each row a name and whether the rule accepts it."""

from __future__ import annotations

import re

import pytest

from catalyst_gen import contract, grammar
from catalyst_gen.errors import SpecError

CONNECTOR_IDS = [
    ("together-ai", True),
    ("a", True),
    ("x1-2y", True),
    ("a" * 64, True),
    ("a" * 65, False),  # longer than MAX_ID_LENGTH
    ("together-ai\n", False),  # `$` would match before the final newline: fullmatch does not
    ("Together-AI", False),
    ("together_ai", False),
    ("together--ai", False),
    ("-together", False),
    ("together-", False),
    ("", False),
    ("../sample", False),
    ("a/b", False),
    ("a.b", False),
    ("..", False),
    (None, False),
    (42, False),
]


@pytest.mark.parametrize("text, ok", CONNECTOR_IDS)
def test_connector_id(text, ok):
    assert grammar.is_connector_id(text) is ok
    assert grammar.CONNECTOR_ID.matches(text) is ok


def test_require_connector_id_refuses_paths_with_the_hint():
    assert grammar.require_connector_id("together-ai") == "together-ai"
    with pytest.raises(grammar.SpecError) as caught:
        grammar.require_connector_id("../sample")
    assert caught.value.problems[0].hint == grammar.ID_HINT


@pytest.mark.parametrize(
    "text, ok", [("openai-chat", True), ("a" * 100, True), ("openai-chat\n", False), ("Openai_chat", False)]
)
def test_preset_name(text, ok):
    assert grammar.PRESET_NAME.matches(text) is ok


VARIABLES = [
    ("userMessage", True),
    ("_private", True),
    ("a1_B2", True),
    ("x" * 64, True),
    ("x" * 65, False),
    ("userMessage\n", False),
    ("1st", False),
    ("user message", False),
    ("user-message", False),
    ("", False),
    ("über", False),
]


@pytest.mark.parametrize("text, ok", VARIABLES)
def test_variable(text, ok):
    assert grammar.VARIABLE.matches(text) is ok


PLACEHOLDERS = [
    # payload text, names the runtime substitutes, everything validation looks at
    ('{"a": "${userMessage}"}', ["userMessage"], ["userMessage"]),
    ("${a}${b}${a}", ["a", "b", "a"], ["a", "b", "a"]),
    ("${user message}", [], ["user message"]),
    ("${}", [], [""]),
    ("$userMessage {x}", [], []),
    ("${1st}", [], ["1st"]),
    ("${a\n}", [], ["a\n"]),  # a newline is not the end of the name
]


@pytest.mark.parametrize("text, names, candidates", PLACEHOLDERS)
def test_placeholder(text, names, candidates):
    assert grammar.PLACEHOLDER.findall(text) == names
    assert grammar.PLACEHOLDER_CANDIDATE.findall(text) == candidates


def test_runtime_substitutes_the_grammar_placeholders():
    from catalyst_gen import runtime

    assert runtime.payload_placeholders('{"m": "${a}", "n": ${b}, "bad": "${c d}"}') == ["a", "b"]


BPMN_ERROR_CODES = [
    ("AUTH_FAILED", True),
    ("_x", True),
    ("rateLimited2", True),
    ("AUTH_FAILED\n", False),
    ("AUTH-FAILED", False),
    ("401_AUTH", False),
    ("", False),
    ("AUTH FAILED", False),
]


@pytest.mark.parametrize("text, ok", BPMN_ERROR_CODES)
def test_bpmn_error_code(text, ok):
    assert grammar.BPMN_ERROR_CODE.matches(text) is ok


STATUS_KEYS = [
    ("401", True),
    ("100", True),
    ("599", True),
    ("99", False),
    ("600", False),
    ("0401", False),  # a leading zero: the same status as 401 for the runtime, another key for YAML
    ("401\n", False),
    ("4²", False),
    ("", False),
]


@pytest.mark.parametrize("text, ok", STATUS_KEYS)
def test_http_status_as_written(text, ok):
    assert grammar.HTTP_STATUS.matches(text) is ok


@pytest.mark.parametrize(
    "value, ok", [(100, True), (599, True), (429, True), (99, False), (600, False), (True, False), ("429", False)]
)
def test_http_status_number(value, ok):
    assert grammar.is_http_status(value) is ok


def test_status_pattern_and_range_agree():
    """The written form and the number rule are one rule: every number 0-999 written plainly."""
    for number in range(1000):
        assert grammar.HTTP_STATUS.matches(str(number)) is (number in grammar.HTTP_STATUS_RANGE)


@pytest.mark.parametrize("text, ok", [("401", True), ("0401", True), ("4²", False), ("401\n", False), ("", False)])
def test_http_status_key_shape(text, ok):
    assert grammar.HTTP_STATUS_KEY.matches(text) is ok


def test_the_runtime_reads_statuses_with_the_grammars_pattern():
    assert contract.HTTP_STATUS is grammar.HTTP_STATUS.regex


RULES = [grammar.CONNECTOR_ID, grammar.PRESET_NAME, grammar.VARIABLE, grammar.BPMN_ERROR_CODE, grammar.HTTP_STATUS]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.regex.pattern)
def test_schema_pattern_is_the_rule_anchored(rule):
    """The JSON Schema pattern accepts what the rule accepts (read with JSON Schema's end-of-text `$`)."""
    anchored = re.compile(rule.schema_pattern.removesuffix("$") + r"\Z")
    assert rule.schema_pattern.startswith("^") and rule.schema_pattern.endswith("$")
    for text in ["together-ai", "userMessage", "AUTH_FAILED", "401", "a\n", "", "a b", "x" * 70]:
        assert bool(anchored.search(text)) == bool(rule.regex.fullmatch(text))
    assert rule.hint


@pytest.mark.parametrize("reserved", sorted(grammar.RESERVED_IDS))
def test_reserved_names_are_never_connector_ids(reserved):
    """`release` has the shape of an id but names dist/release/, where the release packages go."""
    assert grammar.CONNECTOR_ID.matches(reserved)
    assert not grammar.is_connector_id(reserved)
    with pytest.raises(SpecError, match="is reserved"):
        grammar.require_connector_id(reserved)
