"""Oracle tests: judge generated artifacts with the real bpmn.io / Camunda 7 toolchain.

The harness lives in ``tests/oracle`` (``judge.mjs``, pinned by ``package-lock.json``)
and runs five independent judges:

* ``element-templates`` - @bpmn-io/element-templates-validator, Camunda 7 schema
* ``moddle``            - bpmn-moddle + camunda-bpmn-moddle import warnings
* ``bpmnlint``          - bpmnlint:recommended (errors and warnings alike)
* ``camunda-compat``    - bpmnlint-plugin-camunda-compat, newest camunda-platform-7-* config
* ``camunda-lint``      - @camunda/linting, Camunda Modeler's own linting (desktop, Camunda 7),
  with the config the diagram's execution platform version selects (camunda-platform-7-24)

The module fixture installs the harness with ``npm ci`` when ``node_modules`` is
missing or stale. Without node/npm the tests are skipped locally and fail in CI.

Besides judging every ``dist/<id>/`` directory, the tests below prove that each
judge can fail, using small self-contained samples (no dependency on dist/).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers import REPO, Oracle, Verdict

DIST = REPO / "dist"

# --------------------------------------------------------------------------- dist/


def _connector_dirs() -> list[Path]:
    if not DIST.is_dir():
        return []
    return sorted(d for d in DIST.iterdir() if d.is_dir() and d.name != "release")


def _connector_params():
    dirs = _connector_dirs()
    if not dirs:
        return [
            pytest.param(
                None, id="no-dist", marks=pytest.mark.skip(reason="no dist/<id>/ connector directories generated yet")
            )
        ]
    return [pytest.param(d, id=d.name) for d in dirs]


@pytest.mark.parametrize("connector_dir", _connector_params())
def test_dist_connector_passes_all_judges(oracle: Oracle, connector_dir: Path) -> None:
    cid = connector_dir.name
    template = connector_dir / f"{cid}.element.json"
    example = connector_dir / f"{cid}-example.bpmn"
    assert template.is_file(), f"missing {template.relative_to(REPO)}"
    assert example.is_file(), f"missing {example.relative_to(REPO)}"

    files = sorted({*connector_dir.glob("*.element.json"), *connector_dir.glob("*-example.bpmn")})
    verdict = oracle.run(*(f.relative_to(REPO) for f in files))
    assert verdict.returncode == 0, str(verdict)
    assert verdict.summary and verdict.summary["ok"], str(verdict)
    assert verdict.summary["templates"] >= 1 and verdict.summary["diagrams"] >= 1


# --------------------------------------------------------------------------- samples

VALID_TEMPLATE = {
    "$schema": "https://unpkg.com/@camunda/element-templates-json-schema/resources/schema.json",
    "name": "Catalyst - Oracle Sample",
    "id": "com.catalystconnector.oracle-sample",
    "version": 1,
    "appliesTo": ["bpmn:ServiceTask"],
    "icon": {"contents": "data:image/svg+xml;base64,PHN2ZyB4bWxucz0naHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmcnLz4="},
    "groups": [
        {"id": "authentication", "label": "Authentication"},
        {"id": "request", "label": "Request"},
    ],
    "properties": [
        {
            "type": "Hidden",
            "value": "com.catalystconnector.runtime.CatalystConnectorDelegate",
            "binding": {"type": "property", "name": "camunda:class"},
        },
        {
            "label": "Secret Source",
            "type": "Dropdown",
            "value": "env",
            "choices": [
                {"name": "Environment variable", "value": "env"},
                {"name": "Process variable", "value": "variable"},
            ],
            "binding": {"type": "camunda:inputParameter", "name": "secretSource"},
            "group": "authentication",
        },
        {
            "label": "Request Payload",
            "type": "Text",
            "value": '{"model": "m"}',
            "binding": {"type": "camunda:field", "name": "requestPayload"},
            "group": "request",
        },
        {
            "label": "Result Variable",
            "type": "String",
            "value": "result",
            "binding": {"type": "camunda:outputParameter", "source": "${response}"},
            "group": "request",
        },
    ],
}

VALID_BPMN = """\
<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" \
xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" \
xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" \
xmlns:di="http://www.omg.org/spec/DD/20100524/DI" \
xmlns:camunda="http://camunda.org/schema/1.0/bpmn" \
xmlns:modeler="http://camunda.org/schema/modeler/1.0" \
id="Definitions_sample" targetNamespace="http://bpmn.io/schema/bpmn" \
exporter="catalyst-gen" exporterVersion="0.1.0" \
modeler:executionPlatform="Camunda Platform" modeler:executionPlatformVersion="7.24.0">
  <bpmn:error id="Error_connector" name="Connector error" errorCode="CONNECTOR_ERROR" \
camunda:errorMessage="Connector call failed" />
  <bpmn:process id="Process_sample" name="Oracle sample" isExecutable="true" \
camunda:historyTimeToLive="180">
    <bpmn:startEvent id="StartEvent_1" name="Request received">
      <bpmn:outgoing>Flow_1</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:userTask id="UserTask_input" name="Enter request">
      <bpmn:extensionElements>
        <camunda:formData>
          <camunda:formField id="prompt" label="Prompt" type="string" defaultValue="Hello" />
        </camunda:formData>
      </bpmn:extensionElements>
      <bpmn:incoming>Flow_1</bpmn:incoming>
      <bpmn:outgoing>Flow_2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:serviceTask id="ServiceTask_call" name="Call connector" \
camunda:class="com.catalystconnector.runtime.CatalystConnectorDelegate" \
camunda:modelerTemplate="com.catalystconnector.oracle-sample" camunda:modelerTemplateVersion="1">
      <bpmn:extensionElements>
        <camunda:field name="requestPayload">
          <camunda:string>{"model": "m"}</camunda:string>
        </camunda:field>
        <camunda:inputOutput>
          <camunda:inputParameter name="secretSource">env</camunda:inputParameter>
          <camunda:outputParameter name="result">${response}</camunda:outputParameter>
        </camunda:inputOutput>
      </bpmn:extensionElements>
      <bpmn:incoming>Flow_2</bpmn:incoming>
      <bpmn:outgoing>Flow_3</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:userTask id="UserTask_review" name="Review result">
      <bpmn:incoming>Flow_5</bpmn:incoming>
      <bpmn:outgoing>Flow_4</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:exclusiveGateway id="Gateway_merge">
      <bpmn:incoming>Flow_3</bpmn:incoming>
      <bpmn:incoming>Flow_error</bpmn:incoming>
      <bpmn:outgoing>Flow_5</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:endEvent id="EndEvent_1" name="Done">
      <bpmn:incoming>Flow_4</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:boundaryEvent id="BoundaryEvent_error" name="Connector failed" attachedToRef="ServiceTask_call">
      <bpmn:outgoing>Flow_error</bpmn:outgoing>
      <bpmn:errorEventDefinition id="ErrorEventDefinition_1" errorRef="Error_connector" \
camunda:errorCodeVariable="errorCode" camunda:errorMessageVariable="errorMessage" />
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="UserTask_input" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="UserTask_input" targetRef="ServiceTask_call" />
    <bpmn:sequenceFlow id="Flow_3" sourceRef="ServiceTask_call" targetRef="Gateway_merge" />
    <bpmn:sequenceFlow id="Flow_5" sourceRef="Gateway_merge" targetRef="UserTask_review" />
    <bpmn:sequenceFlow id="Flow_4" sourceRef="UserTask_review" targetRef="EndEvent_1" />
    <bpmn:sequenceFlow id="Flow_error" sourceRef="BoundaryEvent_error" targetRef="Gateway_merge" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_1">
    <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="Process_sample">
      <bpmndi:BPMNShape id="StartEvent_1_di" bpmnElement="StartEvent_1">
        <dc:Bounds x="152" y="102" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="UserTask_input_di" bpmnElement="UserTask_input">
        <dc:Bounds x="240" y="80" width="100" height="80" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="ServiceTask_call_di" bpmnElement="ServiceTask_call">
        <dc:Bounds x="400" y="80" width="100" height="80" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Gateway_merge_di" bpmnElement="Gateway_merge" isMarkerVisible="true">
        <dc:Bounds x="560" y="95" width="50" height="50" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="UserTask_review_di" bpmnElement="UserTask_review">
        <dc:Bounds x="660" y="80" width="100" height="80" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="EndEvent_1_di" bpmnElement="EndEvent_1">
        <dc:Bounds x="822" y="102" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="BoundaryEvent_error_di" bpmnElement="BoundaryEvent_error">
        <dc:Bounds x="432" y="142" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="Flow_1_di" bpmnElement="Flow_1">
        <di:waypoint x="188" y="120" />
        <di:waypoint x="240" y="120" />
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_2_di" bpmnElement="Flow_2">
        <di:waypoint x="340" y="120" />
        <di:waypoint x="400" y="120" />
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_3_di" bpmnElement="Flow_3">
        <di:waypoint x="500" y="120" />
        <di:waypoint x="560" y="120" />
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_5_di" bpmnElement="Flow_5">
        <di:waypoint x="610" y="120" />
        <di:waypoint x="660" y="120" />
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_4_di" bpmnElement="Flow_4">
        <di:waypoint x="760" y="120" />
        <di:waypoint x="822" y="120" />
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_error_di" bpmnElement="Flow_error">
        <di:waypoint x="450" y="178" />
        <di:waypoint x="450" y="220" />
        <di:waypoint x="585" y="220" />
        <di:waypoint x="585" y="145" />
      </bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def _mutate(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"sample mutation anchor not unique/present: {old!r}"
    return text.replace(old, new)


def _write_template(tmp_path: Path, name: str, template: dict) -> Path:
    path = tmp_path / f"{name}.element.json"
    path.write_text(json.dumps(template, indent=2) + "\n", encoding="utf-8")
    return path


def _write_bpmn(tmp_path: Path, name: str, xml: str) -> Path:
    path = tmp_path / f"{name}-example.bpmn"
    path.write_text(xml, encoding="utf-8")
    return path


def _template_copy() -> dict:
    return json.loads(json.dumps(VALID_TEMPLATE))


# The Modeler's linting runs bpmnlint's correctness rules and the camunda-compat
# config, so it rightly repeats some findings of those two judges.
MODELER_REPEATS = frozenset({"camunda-lint"})


def _assert_fails(
    verdict: Verdict,
    judge: str,
    file: Path,
    where: str,
    pattern: str,
    only: bool = True,
    also: frozenset[str] = frozenset(),
) -> None:
    """``judge`` reports ``pattern`` at ``where``; with ``only`` no judge but those in ``also`` complains too."""
    assert verdict.returncode == 1, str(verdict)
    assert verdict.has(judge, file, where, pattern), (
        f"expected a '{judge} {file} {where}: /{pattern}/' finding\n{verdict}"
    )
    if only:
        assert verdict.judges() - also == {judge}, f"other judges complained too\n{verdict}"
    assert verdict.summary and verdict.summary["ok"] is False, str(verdict)


# --------------------------------------------------------------------------- baseline


def test_valid_samples_pass_all_judges(oracle: Oracle, tmp_path: Path) -> None:
    template = _write_template(tmp_path, "sample", VALID_TEMPLATE)
    bpmn = _write_bpmn(tmp_path, "sample", VALID_BPMN)
    verdict = oracle.run(template, bpmn)
    assert verdict.returncode == 0, str(verdict)
    assert verdict.findings == [], str(verdict)
    summary = verdict.summary
    assert summary["ok"] is True and summary["templates"] == 1 and summary["diagrams"] == 1
    # the C7 (not the C8/zeebe) template schema and a camunda-platform-7 lint config
    assert summary["templateSchema"].startswith("@camunda/element-templates-json-schema@")
    assert re.fullmatch(r"camunda-platform-7-\d+", summary["camundaCompatConfig"])
    # the Modeler's linting ran with the config the diagram's platform version (7.24.0) selects
    assert summary["camundaLintConfigs"] == ["camunda-platform-7-24"]


def test_usage_errors_exit_2(oracle: Oracle, tmp_path: Path) -> None:
    assert oracle.run().returncode == 2
    other = tmp_path / "notes.txt"
    other.write_text("x", encoding="utf-8")
    assert oracle.run(other).returncode == 2
    assert oracle.run(tmp_path / "missing.bpmn").returncode == 2


# --------------------------------------------------------------------------- judge 1


def test_template_judge_fails_on_missing_applies_to(oracle: Oracle, tmp_path: Path) -> None:
    broken = _template_copy()
    del broken["appliesTo"]
    path = _write_template(tmp_path, "no-applies-to", broken)
    _assert_fails(oracle.run(path), "element-templates", path, "/appliesTo", r"appliesTo")


def test_template_judge_fails_on_invalid_binding_type(oracle: Oracle, tmp_path: Path) -> None:
    broken = _template_copy()
    broken["properties"][2]["binding"]["type"] = "camunda:bogusBinding"
    path = _write_template(tmp_path, "bad-binding", broken)
    _assert_fails(
        oracle.run(path), "element-templates", path, "/properties/2/binding/type", r"invalid property\.binding type"
    )


def test_template_judge_uses_camunda7_schema(oracle: Oracle, tmp_path: Path) -> None:
    # zeebe:input is valid in the Camunda 8 schema only
    broken = _template_copy()
    broken["properties"][1]["binding"] = {"type": "zeebe:input", "name": "secretSource"}
    path = _write_template(tmp_path, "c8-binding", broken)
    _assert_fails(oracle.run(path), "element-templates", path, "/properties/1/binding/type", r"zeebe:input")


def test_template_judge_fails_on_unparsable_json(oracle: Oracle, tmp_path: Path) -> None:
    path = tmp_path / "truncated.element.json"
    path.write_text('{"name": ', encoding="utf-8")
    verdict = oracle.run(path)
    assert verdict.returncode == 1, str(verdict)
    assert verdict.judges() == {"element-templates"}, str(verdict)


# --------------------------------------------------------------------------- judge 2


def test_moddle_judge_fails_on_unknown_camunda_attribute(oracle: Oracle, tmp_path: Path) -> None:
    xml = _mutate(VALID_BPMN, 'camunda:class="', 'camunda:fooBar="x" camunda:class="')
    path = _write_bpmn(tmp_path, "unknown-attr", xml)
    _assert_fails(oracle.run(path), "moddle", path, "ServiceTask_call", r"unknown attribute <camunda:fooBar>")


def test_moddle_judge_fails_on_unknown_camunda_element(oracle: Oracle, tmp_path: Path) -> None:
    xml = _mutate(VALID_BPMN, "<camunda:formData>", "<camunda:bogus />\n        <camunda:formData>")
    path = _write_bpmn(tmp_path, "unknown-element", xml)
    _assert_fails(oracle.run(path), "moddle", path, "line:9", r"camunda:bogus")


def test_moddle_judge_fails_on_unresolved_reference(oracle: Oracle, tmp_path: Path) -> None:
    xml = _mutate(VALID_BPMN, 'errorRef="Error_connector"', 'errorRef="Error_missing"')
    path = _write_bpmn(tmp_path, "unresolved-ref", xml)
    # bpmnlint then also reports the now-unused bpmn:error; only moddle is asserted
    _assert_fails(
        oracle.run(path), "moddle", path, "ErrorEventDefinition_1", r"unresolved reference <Error_missing>", only=False
    )


def test_moddle_judge_fails_on_misspelt_camunda_namespace(oracle: Oracle, tmp_path: Path) -> None:
    xml = _mutate(
        VALID_BPMN,
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn"',
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn/"',
    )
    path = _write_bpmn(tmp_path, "bad-namespace", xml)
    # camunda-compat then also misses historyTimeToLive; only moddle is asserted
    _assert_fails(
        oracle.run(path),
        "moddle",
        path,
        "Definitions_sample",
        r"xmlns:camunda is <http://camunda\.org/schema/1\.0/bpmn/>",
        only=False,
    )


# --------------------------------------------------------------------------- judge 3


def test_bpmnlint_judge_fails_on_disconnected_start_event(oracle: Oracle, tmp_path: Path) -> None:
    xml = _mutate(
        VALID_BPMN,
        '    <bpmn:userTask id="UserTask_input"',
        '    <bpmn:startEvent id="StartEvent_orphan" name="Orphan" />\n    <bpmn:userTask id="UserTask_input"',
    )
    xml = _mutate(
        xml,
        '      <bpmndi:BPMNShape id="UserTask_input_di"',
        '      <bpmndi:BPMNShape id="StartEvent_orphan_di" bpmnElement="StartEvent_orphan">\n'
        '        <dc:Bounds x="152" y="302" width="36" height="36" />\n'
        "      </bpmndi:BPMNShape>\n"
        '      <bpmndi:BPMNShape id="UserTask_input_di"',
    )
    path = _write_bpmn(tmp_path, "disconnected-start", xml)
    _assert_fails(
        oracle.run(path),
        "bpmnlint",
        path,
        "StartEvent_orphan",
        r"not connected.*\(no-disconnected, error\)",
        also=MODELER_REPEATS,
    )


def test_bpmnlint_judge_fails_on_missing_end_event(oracle: Oracle, tmp_path: Path) -> None:
    xml = _mutate(VALID_BPMN, "      <bpmn:outgoing>Flow_4</bpmn:outgoing>\n", "")
    xml = _mutate(
        xml,
        '    <bpmn:endEvent id="EndEvent_1" name="Done">\n'
        "      <bpmn:incoming>Flow_4</bpmn:incoming>\n"
        "    </bpmn:endEvent>\n",
        "",
    )
    xml = _mutate(
        xml,
        '    <bpmn:sequenceFlow id="Flow_4" sourceRef="UserTask_review" targetRef="EndEvent_1" />\n',
        "",
    )
    xml = re.sub(r' *<bpmndi:BPMNShape id="EndEvent_1_di".*?</bpmndi:BPMNShape>\n', "", xml, flags=re.S)
    xml = re.sub(r' *<bpmndi:BPMNEdge id="Flow_4_di".*?</bpmndi:BPMNEdge>\n', "", xml, flags=re.S)
    path = _write_bpmn(tmp_path, "no-end", xml)
    _assert_fails(oracle.run(path), "bpmnlint", path, "Process_sample", r"\(end-event-required, error\)")


def test_bpmnlint_judge_fails_on_unaccepted_warning(oracle: Oracle, tmp_path: Path) -> None:
    xml = _mutate(
        VALID_BPMN,
        "  <bpmn:process ",
        '  <bpmn:error id="Error_unused" name="Unused" errorCode="UNUSED" />\n  <bpmn:process ',
    )
    path = _write_bpmn(tmp_path, "unused-global", xml)
    _assert_fails(oracle.run(path), "bpmnlint", path, "Error_unused", r"\(global, warn\)")


# --------------------------------------------------------------------------- judge 4


def test_camunda_compat_judge_fails_on_missing_history_ttl(oracle: Oracle, tmp_path: Path) -> None:
    xml = _mutate(VALID_BPMN, ' camunda:historyTimeToLive="180"', "")
    path = _write_bpmn(tmp_path, "no-history-ttl", xml)
    _assert_fails(
        oracle.run(path),
        "camunda-compat",
        path,
        "Process_sample#historyTimeToLive",
        r"historyTimeToLive.*camunda-platform-7-\d+",
        also=MODELER_REPEATS,
    )


def test_bpmnlint_judge_fails_on_fake_join(oracle: Oracle, tmp_path: Path) -> None:
    """No bpmnlint warning is accepted: two flows straight into a task are an uncontrolled merge."""
    xml = _mutate(
        VALID_BPMN,
        'sourceRef="BoundaryEvent_error" targetRef="Gateway_merge"',
        'sourceRef="BoundaryEvent_error" targetRef="UserTask_review"',
    )
    xml = _mutate(xml, "      <bpmn:incoming>Flow_error</bpmn:incoming>\n", "")
    xml = _mutate(
        xml,
        "      <bpmn:incoming>Flow_5</bpmn:incoming>\n",
        "      <bpmn:incoming>Flow_5</bpmn:incoming>\n      <bpmn:incoming>Flow_error</bpmn:incoming>\n",
    )
    path = _write_bpmn(tmp_path, "fake-join", xml)
    _assert_fails(oracle.run(path), "bpmnlint", path, "UserTask_review", r"\(fake-join, warn\)")


# --------------------------------------------------------------------------- judge 5


def test_camunda_lint_judge_reports_what_the_modeler_reports(oracle: Oracle, tmp_path: Path) -> None:
    xml = _mutate(VALID_BPMN, ' camunda:historyTimeToLive="180"', "")
    path = _write_bpmn(tmp_path, "modeler-no-history-ttl", xml)
    # camunda-compat reports the same rule; the Modeler's linting must report it too
    _assert_fails(
        oracle.run(path),
        "camunda-lint",
        path,
        "Process_sample#historyTimeToLive",
        r"historyTimeToLive.*\(camunda-compat/history-time-to-live, info, camunda-platform-7-24\)",
        only=False,
    )


def test_camunda_lint_judge_fails_when_the_modeler_would_not_lint(oracle: Oracle, tmp_path: Path) -> None:
    """Without an execution platform (or with a version no config exists for) the Modeler checks nothing."""
    no_platform = _mutate(VALID_BPMN, ' modeler:executionPlatformVersion="7.24.0"', "")
    path = _write_bpmn(tmp_path, "no-platform-version", no_platform)
    _assert_fails(oracle.run(path), "camunda-lint", path, "Definitions_sample", r"would not lint this diagram")
    future = _mutate(
        VALID_BPMN, 'modeler:executionPlatformVersion="7.24.0"', 'modeler:executionPlatformVersion="7.99.0"'
    )
    path = _write_bpmn(tmp_path, "unknown-platform-version", future)
    _assert_fails(oracle.run(path), "camunda-lint", path, "Definitions_sample", r"no camunda-platform-7-99 config")
