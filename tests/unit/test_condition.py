"""Success decided by the response body (catalyst_gen/condition.py), from the spec to the runtime.

The spec's ``response:`` section is validated with located errors, becomes the
``successCondition`` input of the template and the example, a row and a
sentence of the README's Error Handling, a boundary event of the example, and
the runtime applies it with the same function the validator checks it with.
The task documentation (``documentation:``) is tested here too.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fake_provider import FakeProvider
from helpers import REPO, SAMPLE
from lxml import etree
from test_runtime import SECRET, TOGETHER_INPUTS, run, task_element

from catalyst_gen import contract
from catalyst_gen import runtime as rt
from catalyst_gen.condition import SuccessCondition, condition_problem, parse_condition, same_json_value
from catalyst_gen.errors import SpecError
from catalyst_gen.library import Project
from catalyst_gen.loader import load_spec
from catalyst_gen.model import Library, build_model
from catalyst_gen.render import Renderer
from catalyst_gen.validate import validate

SLACK_RESPONSE = """
response:
  success_when:
    path: ok
    equals: true
  error_path: error
  error_code: SLACK_API_ERROR
"""

# ------------------------------------------------------------------ the rule


@pytest.mark.parametrize(
    "a, b, same",
    [
        (True, True, True),
        (True, 1, False),
        (1, True, False),
        (False, 0, False),
        ("true", True, False),
        (1, 1.0, True),
        ("sent", "sent", True),
        (None, True, False),
        ([True], True, False),
    ],
)
def test_json_equality_keeps_booleans_apart_from_numbers(a, b, same):
    assert same_json_value(a, b) is same


def test_holds_and_error_text():
    condition = SuccessCondition("ok", True, "error", "SLACK_API_ERROR")
    assert condition.holds({"ok": True})
    assert not condition.holds({"ok": 1}) and not condition.holds({"ok": "true"}) and not condition.holds(None)
    assert condition.error_text({"ok": False, "error": "channel_not_found"}) == "channel_not_found"
    assert condition.error_text({"ok": False, "error": {"code": 7}}) == '{"code": 7}'
    assert condition.error_text({"ok": False}) == "response body: ok is false, expected true"
    assert condition.error_text(None) == "response body: ok is absent, expected true"
    assert condition.error_text({"ok": False, "error": "x" * 500}) == "x" * 200


def test_the_input_round_trips_and_keeps_key_order():
    condition = SuccessCondition('data["state"]', "done", None, "NOT_DONE")
    assert condition.to_json() == '{"path": "data[\\"state\\"]", "equals": "done", "errorCode": "NOT_DONE"}'
    assert parse_condition(condition.to_json()) == condition
    assert parse_condition(None) is None


@pytest.mark.parametrize(
    "field, value, problem",
    [
        ("path", "$.ok", "does not parse"),
        ("error_path", "a..b", "does not parse"),
        ("equals", None, "must be a JSON string, number or boolean"),
        ("equals", {"a": 1}, "must be a JSON string, number or boolean"),
        ("equals", float("nan"), "must be a JSON string, number or boolean"),
        ("error_code", "SLACK-ERROR", "is not an identifier"),
    ],
)
def test_condition_problems(field, value, problem):
    assert problem in (condition_problem(field, value) or "")


# ------------------------------------------------------------------ the spec


def spec_problems(tmp_path: Path, text: str) -> list[tuple[str, int, int, str, str]]:
    path = tmp_path / "connectors" / "sample" / "connector.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    try:
        validate(load_spec(path), "sample")
    except SpecError as error:
        return [
            (".".join(map(str, p.path)), p.location.line, p.location.column, p.code, p.message)
            for p in error.problems
            if p.location
        ]
    return []


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_a_valid_response_section_passes(tmp_path):
    assert spec_problems(tmp_path, SAMPLE + SLACK_RESPONSE) == []


@pytest.mark.parametrize(
    "old, new, path, code, message",
    [
        ("path: ok", "path: $.ok", "response.success_when.path", "CG326", "JSON path '$.ok' does not parse"),
        ("error_path: error", "error_path: error..x", "response.error_path", "CG326", "does not parse"),
        ("error_code: SLACK_API_ERROR", "error_code: slack-error", "response.error_code", "CG321", "identifier"),
        ("equals: true", "equals: [true]", "response.success_when.equals", "CG204", "expected"),
        ("equals: true", "equals: {a: 1}", "response.success_when.equals", "CG204", "expected"),
        ("    equals: true\n", "", "response.success_when", "CG201", "equals"),
        ("error_path: error", "error_paht: error", "response", "CG202", "error_paht"),
        ("equals: true", 'equals: "${reason}"', "response.success_when.equals", "CG361", "${"),
    ],
)
def test_bad_declarations_are_located(tmp_path, old, new, path, code, message):
    text = SAMPLE + SLACK_RESPONSE.replace(old, new)
    [(got_path, line, _column, got_code, got_message)] = spec_problems(tmp_path, text)
    assert (got_path, got_code) == (path, code)
    assert message in got_message
    needle = new.strip() or "success_when"
    assert line == line_of(text, needle.split(":")[0] if code == "CG202" else needle)


def test_a_response_without_success_when_is_refused(tmp_path):
    [(path, _, _, code, message)] = spec_problems(tmp_path, SAMPLE + "response:\n  error_code: X\n")
    assert (path, code) == ("response", "CG201") and "success_when" in message


@pytest.mark.parametrize(
    "addition, path, code",
    [
        ("documentation:\n  url: javascript:alert(1)\n", "documentation.url", "CG205"),
        ("documentation:\n  url: https://example.com/a)b\n", "documentation.url", "CG308"),
        ("documentation:\n  summary: Uses ${secret}\n", "documentation.summary", "CG361"),
        ("documentation:\n  summry: x\n", "documentation", "CG202"),
    ],
)
def test_bad_documentation_is_located(tmp_path, addition, path, code):
    problems = spec_problems(tmp_path, SAMPLE + addition)
    assert [(p[0], p[3]) for p in problems] == [(path, code)]
    assert problems[0][1] == SAMPLE.count("\n") + 2


# ------------------------------------------------------------------ the artifacts


def _build(tmp_path: Path, text: str):
    path = tmp_path / "connectors" / "sample" / "connector.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    library = Library("Lib", "https://lib.example.com", "Tag.", "com.example.Delegate", "com.example", "7.24.0", "P30D")
    connector = build_model(validate(load_spec(path), "sample").data, library, path.parent)
    return connector, Renderer(Project(REPO).templates_dir).render(connector)


def test_artifacts_carry_the_condition_and_the_documentation(tmp_path):
    summary = 'Asks <b>Together</b> & says "why"'
    documentation = f"documentation:\n  summary: '{summary}'\n  url: https://docs.example.com/sample\n"
    connector, files = _build(tmp_path, SAMPLE + SLACK_RESPONSE + documentation)
    template = json.loads(files["sample.element.json"])
    assert template["documentationRef"] == "https://docs.example.com/sample"
    [prop] = [p for p in template["properties"] if p["binding"]["name"] == contract.SUCCESS_CONDITION.name]
    assert json.loads(prop["value"]) == {
        "path": "ok",
        "equals": True,
        "errorPath": "error",
        "errorCode": "SLACK_API_ERROR",
    }
    assert prop["type"] == "Text" and prop["group"] == "response"

    root = etree.fromstring(files["sample-example.bpmn"])
    ns = {"bpmn": rt.BPMN_NS}
    [task] = root.findall(".//bpmn:serviceTask", ns)
    assert task.findtext("bpmn:documentation", namespaces=ns) == summary
    assert b"&lt;b&gt;Together&lt;/b&gt; &amp; says" in files["sample-example.bpmn"]
    assert rt.read_task_config(task).success_condition == connector.body_check.condition
    assert "SLACK_API_ERROR" in {e.get("errorCode") for e in root.iter(f"{{{rt.BPMN_NS}}}error")}

    readme = files["README.md"].decode()
    assert "| 2xx, `ok` ≠ `true` | `SLACK_API_ERROR` | The response body reports a failure |" in readme
    assert "only when the body's `ok` is `true`" in readme and "the body's `error`" in readme


def test_without_a_response_section_nothing_is_added(tmp_path):
    connector, files = _build(tmp_path, SAMPLE)
    template = json.loads(files["sample.element.json"])
    assert contract.SUCCESS_CONDITION.name not in {p["binding"]["name"] for p in template["properties"]}
    assert template["documentationRef"] == "https://lib.example.com"  # the library website by default
    assert connector.documentation.summary == connector.tagline
    assert "≠" not in files["README.md"].decode() and "counts as success only" not in files["README.md"].decode()


# ------------------------------------------------------------------ the runtime

SLACK_INPUTS = {
    **TOGETHER_INPUTS,
    contract.RESPONSE_MAPPING.name: json.dumps({"slackOk": "ok", "slackTs": "ts"}),
    contract.SUCCESS_CONDITION.name: SuccessCondition("ok", True, "error", "SLACK_API_ERROR").to_json(),
}


def slack_config(**overrides) -> rt.TaskConfig:
    return rt.read_task_config(task_element(inputs={**SLACK_INPUTS, **overrides}))


def test_http_200_with_ok_false_is_a_failure_with_the_body_error(fake_provider: FakeProvider):
    fake_provider.enqueue(200, {"ok": False, "error": "channel_not_found"})
    outcome = run(fake_provider, slack_config())
    assert outcome.variables[contract.SUCCESS.name] is False
    assert outcome.variables[contract.ERROR.name] == "channel_not_found"
    assert outcome.variables[contract.STATUS_CODE.name] == 200
    assert outcome.variables["slackOk"] is False and outcome.variables["slackTs"] is None
    assert outcome.bpmn_error == rt.BpmnError("SLACK_API_ERROR", "channel_not_found")


def test_http_200_with_ok_true_succeeds(fake_provider):
    fake_provider.enqueue(200, {"ok": True, "ts": "1.2"})
    outcome = run(fake_provider, slack_config())
    assert outcome.variables[contract.SUCCESS.name] is True and outcome.variables[contract.ERROR.name] is None
    assert outcome.variables["slackTs"] == "1.2" and outcome.bpmn_error is None


@pytest.mark.parametrize(
    "body, error",
    [
        ({"ok": 1}, "response body: ok is 1, expected true"),
        ({"ok": "true"}, 'response body: ok is "true", expected true'),
        ("<html>gateway</html>", "response body: ok is absent, expected true"),
    ],
)
def test_anything_but_the_literal_fails(fake_provider, body, error):
    fake_provider.enqueue(200, body)
    outcome = run(fake_provider, slack_config())
    assert outcome.variables[contract.SUCCESS.name] is False
    assert outcome.variables[contract.ERROR.name] == error
    assert outcome.bpmn_error == rt.BpmnError("SLACK_API_ERROR", error)


def test_without_an_error_code_the_task_completes_without_a_bpmn_error(fake_provider):
    fake_provider.enqueue(200, {"ok": False, "error": "not_in_channel"})
    outcome = run(fake_provider, slack_config(successCondition='{"path": "ok", "equals": true, "errorPath": "error"}'))
    assert outcome.variables[contract.SUCCESS.name] is False
    assert outcome.variables[contract.ERROR.name] == "not_in_channel" and outcome.bpmn_error is None


def test_an_http_error_is_still_decided_by_the_status(fake_provider):
    fake_provider.enqueue(401, {"ok": True})
    outcome = run(fake_provider, slack_config())
    assert outcome.bpmn_error is not None and outcome.bpmn_error.code == "AUTH_FAILED"
    assert "slackOk" not in outcome.variables  # no mapping for a non-2xx answer, as before


def test_the_body_error_text_is_scrubbed_of_the_secret(fake_provider):
    fake_provider.enqueue(200, {"ok": False, "error": f"bad token {SECRET}"})
    outcome = run(fake_provider, slack_config())
    assert SECRET not in json.dumps(outcome.variables) and SECRET not in outcome.bpmn_error.message


def test_a_cleared_condition_lets_the_status_decide(fake_provider):
    fake_provider.enqueue(200, {"ok": False})
    outcome = run(fake_provider, slack_config(successCondition=""))
    assert outcome.variables[contract.SUCCESS.name] is True and outcome.bpmn_error is None


def test_a_malformed_condition_is_a_contract_error_naming_the_task():
    with pytest.raises(rt.RuntimeContractError, match=r"'Task_Connector'.*'successCondition'.*errorCode"):
        slack_config(successCondition='{"path": "ok", "equals": true, "errorCode": "not valid"}')


@pytest.mark.parametrize(
    "addition, path",
    [
        ("response:\n  success_when: [1]\n  error_path: error\n", "response.success_when"),
        ("response: [1]\n", "response"),
        ("response:\n  success_when: {path: 1, equals: true}\n", "response.success_when.path"),
        ("documentation: x\n", "documentation"),
    ],
)
def test_wrong_shapes_are_one_schema_error_each(tmp_path, addition, path):
    assert [(p[0], p[3]) for p in spec_problems(tmp_path, SAMPLE + addition)] == [(path, "CG204")]
