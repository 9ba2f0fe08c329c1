"""Validation: the schema first, then the consistency rules on what passed it.

One table per error class; each row edits the sample spec and names every
message the edit must produce (and nothing else: the list is compared whole).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import REPO, SAMPLE

from catalyst_gen import contract, grammar
from catalyst_gen.errors import SpecError
from catalyst_gen.loader import load_spec
from catalyst_gen.schema_check import (
    SCHEMA_RESOURCE,
    SchemaVerdict,
    schema_file_text,
    schema_with_grammar,
    spec_schema,
)
from catalyst_gen.validate import validate


def spec_at(tmp_path: Path, text: str, presets: dict[str, str] | None = None) -> Path:
    folder = tmp_path / "connectors"
    for name, preset in (presets or {}).items():
        (folder / "_presets").mkdir(parents=True, exist_ok=True)
        (folder / "_presets" / f"{name}.yaml").write_text(preset, "utf-8")
    path = folder / "sample" / "connector.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path


def messages(tmp_path: Path, text: str, presets: dict[str, str] | None = None) -> list[str]:
    """Every problem validation reports, as ``path: message``, in file order."""
    try:
        validate(load_spec(spec_at(tmp_path, text, presets)), "sample")
    except SpecError as error:
        return [f"{'.'.join(map(str, p.path))}: {p.message}" for p in error.problems]
    return []


def edited(old: str, new: str) -> str:
    assert old in SAMPLE, old
    return SAMPLE.replace(old, new, 1)


def test_the_sample_is_valid(tmp_path):
    assert messages(tmp_path, SAMPLE) == []


# --------------------------------------------------------------- staging

STAGING = [
    # (id, old, new, every message): a section the schema rejects gets no rule errors
    (
        "auth-enum-hides-auth-rules",
        "  type: bearerToken\n  header: Authorization\n",
        "  type: bearerTokn\n",
        ["auth.type: `bearerTokn` is not one of: bearerToken, apiKeyHeader, basicAuth, apiKeyQuery, none"],
    ),
    (
        "ill-typed-errors-entry-hides-its-code-rule",
        "  401:\n    code: AUTH_FAILED\n    cause: Invalid API key\n    action: Check key at api.together.ai\n",
        "  401: AUTH-FAILED\n",
        ["errors.401: expected a mapping, got a string"],
    ),
    (
        "other-entries-still-checked",
        "  401:\n    code: AUTH_FAILED\n    cause: Invalid API key\n",
        "  4x1:\n    code: AUTH-FAILED\n    cause: Invalid API key\n",
        ['errors: "4x1" is not valid here'],
    ),
    (
        "models-ill-typed-hides-the-model-rules",
        "    default: true\n",
        "    default: yes please\n",
        ["models.0.default: expected true or false, got a string"],
    ),
    (
        "retry-ill-typed-hides-the-backoff-rule",
        "statuses: [429",
        "statuses: [429, x",
        ["retry.statuses.1: expected a whole number, got a string"],
    ),
    (
        "logo-ill-typed-hides-the-logo-rules",
        "logo:\n",
        "logo:\n  file: 5\n",
        ["logo.file: expected a string, got a number"],
    ),
]


@pytest.mark.parametrize("name, old, new, expected", STAGING, ids=[row[0] for row in STAGING])
def test_rules_run_only_on_what_passed_the_schema(tmp_path, name, old, new, expected):
    assert messages(tmp_path, edited(old, new)) == expected


def test_every_pattern_of_the_schema_says_what_it_wants():
    """A pattern is refused with "is not valid here": its `x-hint` is the only place that says which
    form is wanted (README: CG205, "follow the form named in the hint")."""

    def patterns(node, where):
        if isinstance(node, dict):
            if "pattern" in node:
                yield where, node
            for key, value in node.items():
                yield from patterns(value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                yield from patterns(value, f"{where}/{index}")

    found = list(patterns(spec_schema(), ""))
    assert len(found) > 5
    assert [where for where, node in found if not node.get("x-hint")] == []


@pytest.mark.parametrize(
    "old, new, hint",
    [
        ("url: https://api.together.xyz", "url: api.together.xyz", "starts with https://"),
        ("text: T", "text: TOGETHER", "1 to 3 characters"),
        ("version: 1", 'version: "1"', "write the number without quotes"),
        ("timeout_seconds: 60", "timeout_seconds: sixty", "write a number in digits"),
        ("text: T", "text: 7", "put the value in quotes"),
        ('background: "#0F6FFF"', "background: #0F6FFF", "a `#` after a space starts a YAML comment"),
        ("statuses: [429]", "statuses: 429", "write a list"),
    ],
)
def test_a_value_of_the_wrong_form_gets_the_form_as_hint(tmp_path, old, new, hint):
    with pytest.raises(SpecError) as caught:
        validate(load_spec(spec_at(tmp_path, edited(old, new))), "sample")
    assert [p.hint and hint in p.hint for p in caught.value.problems] == [True], caught.value.format()


@pytest.mark.parametrize(
    "old, new, expected",
    [
        ("\nendpoint:\n", "\nendpont:\n", [": unknown key `endpont`"]),
        ("\nresponse_mapping:\n", "\nrespons_mapping:\n", [": unknown key `respons_mapping`"]),
        ("  timeout_seconds: 60", "  timeout_second: 60", ["endpoint: unknown key `timeout_second`"]),
    ],
)
def test_a_misspelt_required_key_is_one_problem(tmp_path, old, new, expected):
    """Not an unknown key *and* a missing one: the unknown key's hint names the key it was meant to be."""
    assert messages(tmp_path, edited(old, new)) == expected


def test_a_missing_top_level_key_is_located_at_the_first_key_not_a_comment_above_it(tmp_path):
    text = "# a comment\n# another\n\n" + SAMPLE.replace("name: Together AI\n", "", 1)
    with pytest.raises(SpecError) as caught:
        validate(load_spec(spec_at(tmp_path, text)), "sample")
    (problem,) = caught.value.problems
    first_key = next(n for n, line in enumerate(text.splitlines(), 1) if line and not line.startswith("#"))
    assert (problem.message, problem.location.line, problem.location.column) == (
        "missing required key `name`",
        first_key,
        1,
    )


@pytest.mark.parametrize(
    "first, second, ratio",
    [
        ("#000000", "#FFFFFF", 21.0),
        ("#FFFFFF", "#FFFFFF", 1.0),
        ("#10A37F", "#FFFFFF", 3.2),
        ("#777777", "#FFFFFF", 4.48),
    ],
)
def test_contrast_ratio_is_wcag_2s(first, second, ratio):
    from catalyst_gen.validate import contrast_ratio

    assert round(contrast_ratio(first, second), 2) == ratio
    assert contrast_ratio(first, second) == contrast_ratio(second, first)


@pytest.mark.parametrize("foreground", ['"#0F6FFF"', '"#1E6BF0"', '"#3F7FFF"'])
def test_a_drawn_logo_whose_letters_cannot_be_seen_is_refused(tmp_path, foreground):
    text = edited('foreground: "#FFFFFF"', f"foreground: {foreground}")
    with pytest.raises(SpecError) as caught:
        validate(load_spec(spec_at(tmp_path, text)), "sample")
    (problem,) = caught.value.problems
    assert problem.code == "CG346" and "at least 3:1 is needed" in problem.message, problem.format()
    assert problem.path == ("logo", "foreground")


def test_verdict_paths():
    verdict = SchemaVerdict(frozenset({("errors", "4x1"), ("auth", "secret_name")}))
    assert verdict.intact(("errors",)) and not verdict.passed(("errors",))
    assert verdict.passed(("errors", "401")) and not verdict.passed(("errors", "4x1", "code"))
    assert not verdict.passed(("auth",)) and verdict.passed(("retry",))


# ------------------------------------------------------------ misspelt extends

PRESET = {"openai-chat": SAMPLE.replace("id: sample\n", "")}
MINIMAL = "id: sample\nname: Sample\nextends: openai-chat\n"


def test_extends_fills_in_the_preset(tmp_path):
    assert messages(tmp_path, MINIMAL, PRESET) == []


@pytest.mark.parametrize("key", ["extnds", "extend", "Extends"])
def test_misspelt_extends_key_is_one_error(tmp_path, key):
    text = MINIMAL.replace("extends:", f"{key}:")
    try:
        validate(load_spec(spec_at(tmp_path, text, PRESET)), "sample")
    except SpecError as error:
        (problem,) = error.problems
    assert problem.message == f"unknown key `{key}`"
    assert problem.location and (problem.location.line, problem.location.column) == (3, 1)
    assert problem.hint and "did you mean `extends`?" in problem.hint


def test_misspelt_extends_value_is_one_error_at_the_value(tmp_path):
    with pytest.raises(SpecError) as caught:
        load_spec(spec_at(tmp_path, MINIMAL.replace("openai-chat", "opnai-chat"), PRESET))
    (problem,) = caught.value.problems
    assert problem.message.startswith("preset 'opnai-chat' not found")
    assert problem.location and (problem.location.line, problem.location.column) == (3, 10)
    assert problem.hint == "did you mean `openai-chat`?"


# ------------------------------------------------------ one table per error class

STATUSES = [
    ("  401:\n", "  99:\n", ["errors: HTTP status 99 is outside 100-599"]),
    ("  401:\n", "  600:\n", ["errors: HTTP status 600 is outside 100-599"]),
    ("  401:\n", '  "0401":\n', ["errors: HTTP status '0401' has a leading zero"]),
    ("  401:\n", "  unauthorized:\n", ['errors: "unauthorized" is not valid here']),
    ("statuses: [429", "statuses: [1000, 429", ["retry.statuses.0: HTTP status 1000 is outside 100-599"]),
]


@pytest.mark.parametrize("old, new, expected", STATUSES)
def test_statuses(tmp_path, old, new, expected):
    assert messages(tmp_path, edited(old, new)) == expected


CODES_AND_NAMES = [
    ("code: AUTH_FAILED", "code: 401-AUTH", ["errors.401.code: BPMN error code `401-AUTH` is not a valid identifier"]),
    (
        '"${userMessage}"',
        '"${user message}"',
        ["request.payload.messages.1.content: placeholder `${user message}` is not a valid process variable name"],
    ),
    (
        '"${userMessage}"',
        '"${}"',
        ["request.payload.messages.1.content: placeholder `${}` is not a valid process variable name"],
    ),
    (
        "  aiReply:\n",
        "  catalyst_success:\n",
        ["response_mapping: `catalyst_success` is reserved for the runtime's standard variables"],
    ),
    ("  aiReply:\n", "  ai-reply:\n", ['response_mapping: "ai-reply" is not valid here']),
    (
        "secret_name: together_api_key",
        "secret_name: together-key",
        ['auth.secret_name: "together-key" is not valid here'],
    ),
]


@pytest.mark.parametrize("old, new, expected", CODES_AND_NAMES)
def test_codes_and_names(tmp_path, old, new, expected):
    assert messages(tmp_path, edited(old, new)) == expected


IDS = [
    ("id: sample", "id: other", ["id: id `other` does not match its folder `sample`"]),
    ("id: sample", "id: ../sample", ['id: "../sample" is not valid here']),
    ("id: sample", 'id: "sample\\n"', ['id: "sample\\n" is not valid here']),  # `$` before a final newline
    ("name: Together AI", 'name: "Together AI\\n"', ['name: "Together AI\\n" is not valid here']),
]


@pytest.mark.parametrize("old, new, expected", IDS)
def test_ids_and_lines_end_where_the_text_ends(tmp_path, old, new, expected):
    assert messages(tmp_path, edited(old, new)) == expected


AUTH = [
    ("  secret_name: together_api_key\n", "", ["auth: missing required key `secret_name`"]),
    ("  header: Authorization\n", "", ["auth: missing required key `header` (the header that carries the key)"]),
    (
        "  type: bearerToken\n",
        "  type: none\n",
        [
            f"auth.{k}: `{k}` has no meaning with auth type `none`"
            for k in ("header", "prefix", "key_prefix", "secret_name", "default_source")
        ],
    ),
]


@pytest.mark.parametrize("old, new, expected", AUTH)
def test_auth(tmp_path, old, new, expected):
    assert messages(tmp_path, edited(old, new)) == expected


SAMPLE_AUTH = (
    "auth:\n  type: bearerToken\n  header: Authorization\n  prefix: Bearer\n  console: https://api.together.ai\n"
    '  key_prefix: "..."\n  secret_name: together_api_key\n  default_source: env\n'
)


def with_auth(lines: str) -> str:
    """The sample spec with its auth section replaced by ``auth:`` and ``lines``."""
    return edited(SAMPLE_AUTH, "auth:\n" + lines)


SHOWN = "  type: none\n  show_key_settings: true\n"
"""Auth type ``none`` whose README still shows the key settings (the published Ollama README)."""

SHOW_KEY_SETTINGS = [
    (SHOWN + "  header: Authorization\n  prefix: Bearer\n  key_prefix: (none)\n  secret_name: not_required\n", []),
    (SHOWN + "  header: Authorization\n  secret_name: not_required\n", []),
    (
        SHOWN + "  header: Authorization\n  secret_name: x\n  default_source: env\n  optional: true\n",
        [
            "auth.default_source: `default_source` has no meaning with auth type `none`",
            "auth.optional: `optional` has no meaning with auth type `none`",
        ],
    ),
    (
        SHOWN + "  prefix: Bearer\n",
        [
            "auth: missing required key `header` (`show_key_settings: true` shows it in the README)",
            "auth: missing required key `secret_name` (`show_key_settings: true` shows it in the README)",
        ],
    ),
    # without show_key_settings (or with false) auth type none refuses every key setting, as before
    (
        "  type: none\n  show_key_settings: false\n  header: Authorization\n",
        ["auth.header: `header` has no meaning with auth type `none`"],
    ),
    (
        "  type: bearerToken\n  show_key_settings: true\n  header: Authorization\n  secret_name: k\n",
        [
            "auth.show_key_settings: `show_key_settings` only applies to auth type `none`: "
            "the types that send a key always show their settings"
        ],
    ),
    (
        "  type: none\n  types: [none, bearerToken]\n  show_key_settings: true\n  header: Authorization\n"
        "  secret_name: k\n",
        [
            "auth.show_key_settings: `show_key_settings` only applies to auth type `none`: "
            "the types that send a key always show their settings"
        ],
    ),
    (
        "  type: none\n  show_key_settings: yes please\n",
        ["auth.show_key_settings: expected true or false, got a string"],
    ),
]


@pytest.mark.parametrize("auth, expected", SHOW_KEY_SETTINGS)
def test_show_key_settings_with_auth_type_none(tmp_path, auth, expected):
    assert messages(tmp_path, with_auth(auth)) == expected


def test_show_key_settings_problems_are_located_with_their_codes(tmp_path):
    text = edited("  type: bearerToken\n", "  type: bearerToken\n  show_key_settings: true\n")
    with pytest.raises(SpecError) as caught:
        validate(load_spec(spec_at(tmp_path, text)), "sample")
    [problem] = caught.value.problems
    assert problem.code == "CG335"
    assert (problem.location.line, problem.location.column) == (18, 3)
    text = with_auth(SHOWN + "  header: Authorization\n  secret_name: x\n  optional: true\n")
    with pytest.raises(SpecError) as caught:
        validate(load_spec(spec_at(tmp_path, text)), "sample")
    [problem] = caught.value.problems
    assert problem.code == "CG330" and (problem.location.line, problem.location.column) == (21, 3)


def test_an_extends_loop_is_one_error(tmp_path):
    presets = {"loop-a": "extends: loop-b\n", "loop-b": "extends: loop-a\n"}
    with pytest.raises(SpecError) as caught:
        load_spec(spec_at(tmp_path, "id: sample\nextends: loop-a\n", presets))
    (problem,) = caught.value.problems
    assert problem.message == "extends loop: connector -> loop-a -> loop-b -> loop-a"


# ------------------------------------------------------------ the schema file


def test_schema_file_is_generated_from_the_grammar():
    """The committed schema carries the grammar's rules; rewrite it with `python3 -m catalyst_gen.schema_check`."""
    path = REPO / "catalyst_gen" / SCHEMA_RESOURCE
    text = path.read_text("utf-8")
    assert text == schema_file_text(schema_with_grammar(json.loads(text))), (
        "catalyst_gen/schema/connector.schema.json is stale: run `python3 -m catalyst_gen.schema_check`"
    )


def test_schema_enums_and_patterns_are_the_grammars():
    schema = spec_schema()
    props = schema["properties"]
    assert props["auth"]["properties"]["type"]["enum"] == list(contract.AUTH_TYPES)
    assert props["auth"]["properties"]["default_source"]["enum"] == list(contract.SECRET_SOURCES)
    assert props["endpoint"]["properties"]["method"]["enum"] == list(contract.HTTP_METHODS)
    assert props["id"]["pattern"] == grammar.CONNECTOR_ID.schema_pattern
    assert schema["$defs"]["variable"]["pattern"] == grammar.VARIABLE.schema_pattern


def test_a_changed_grammar_makes_the_file_stale(monkeypatch):
    """The staleness test can fail: a grammar change shows up in the generated text."""
    text = (REPO / "catalyst_gen" / SCHEMA_RESOURCE).read_text("utf-8")
    monkeypatch.setattr(contract, "AUTH_TYPES", (*contract.AUTH_TYPES, "oauth2"))
    assert text != schema_file_text(schema_with_grammar(json.loads(text)))


def test_the_shipped_schemas_are_valid_json_schemas():
    """The build trusts its own schemas (no metaschema check per process); this is where they are checked."""
    import jsonschema

    from catalyst_gen.schema_check import spec_schema
    from catalyst_gen.settings import _LIBRARY_SCHEMA

    for schema in (spec_schema(), _LIBRARY_SCHEMA):
        jsonschema.validators.validator_for(schema).check_schema(schema)
