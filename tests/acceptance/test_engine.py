"""Run the generated example BPMN in a BPMN engine (SpiffWorkflow 3.x) against the fake provider.

Every ``dist/*/*-example.bpmn`` whose connector is an OpenAI-compatible chat
completion (endpoint ``.../chat/completions``, a response mapping of
``choices[0].message.content``) is parsed with SpiffWorkflow's Camunda parser
and driven from start to end: Configure (user task) -> connector (service
task, executed by :mod:`catalyst_gen.runtime` against ``tests/fake_provider.py``)
-> Review (user task) -> end, or connector -> error boundary event -> Review;
both paths pass the merging exclusive gateway in front of Review.
Each example also runs in a derived *catch-all* form (one boundary event whose
``errorEventDefinition`` has no ``errorRef``) to cover that Camunda idiom too.

What SpiffWorkflow does not do, and how this module bridges it
--------------------------------------------------------------

1. **``camunda:class`` / ``camunda:inputOutput`` / ``camunda:field``.**
   Spiff parses a ``bpmn:serviceTask`` into a ``ServiceTask`` that does
   nothing and ignores Camunda's extension elements.  Bridge: the parser
   class for ``serviceTask`` is overridden by :class:`ConnectorTaskParser`,
   which hands the task's lxml element to ``runtime.read_task_config`` (so
   the payload field and input parameters are read exactly as the runtime
   reads them) and creates a :class:`ConnectorServiceTask`.  That spec runs
   ``runtime.resolve_secret`` + ``runtime.execute`` through the script engine
   (:class:`ConnectorScriptEngine`, which holds the fake's base URL, the test
   secrets and a recording no-op ``sleep``) and sets the outcome's variables
   on the task, as the JAR's ``execution.setVariable`` would.

2. **Throwing a BPMN error from a Java delegate.**  Spiff has no
   ``BpmnError`` exception for service tasks.  Bridge: the task throws an
   ``ErrorEventDefinition`` event with the outcome's code (payload = the task
   data *after* the variables were set, since Camunda keeps variables set
   before the throw) and returns ``None`` (task STARTED), so the interrupting
   boundary event fires and Spiff's ``BoundaryEventJoin`` cancels the task,
   exactly like an error end event inside a subprocess.  If nothing catches
   the error the test fails (Camunda 7 would silently end the execution).

3. **``camunda:errorCodeVariable`` / ``camunda:errorMessageVariable``.**
   Spiff's Camunda parser ignores both attributes of
   ``bpmn:errorEventDefinition`` (and a BPMN error in Spiff has no message).
   Bridge: the ``boundaryEvent`` parser is overridden by
   :class:`CamundaBoundaryParser`, which reads the two attributes into a
   :class:`CamundaErrorEventDefinition`; its ``catch`` stores the caught code
   and the thrown error's message under those variable names.  The tests then
   check them under ``contract.ERROR_CODE_VARIABLE`` / ``ERROR_MESSAGE_VARIABLE``,
   so a generator using other names fails here.

4. **``camunda:formData``.**  Spiff's Camunda ``UserTaskParser`` only reads
   form fields when the task has a ``camunda:formKey`` (Camunda 7 generated
   forms have none), so the forms come out empty.  Bridge: the tests read
   ``camunda:formField`` with lxml, complete Configure by setting one value
   per field (typed as Camunda's ``long``/``boolean``/``string`` form types
   would submit it) and check that Review's read-only fields are variables the
   process actually has.  Form validation (``required``/``readonly``) is not
   enforced by Spiff and is not simulated.
"""

from __future__ import annotations

import base64
import copy
import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fake_provider import FakeProvider, chat_completion, error_body
from helpers import REPO
from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.specs.defaults import BoundaryEvent, ServiceTask
from SpiffWorkflow.bpmn.specs.event_definitions import ErrorEventDefinition
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.camunda.parser.event_parsers import CamundaBoundaryEventParser
from SpiffWorkflow.camunda.parser.task_spec import CamundaTaskParser
from SpiffWorkflow.util.task import TaskState

from catalyst_gen import contract
from catalyst_gen import runtime as rt
from catalyst_gen.grammar import bound_placeholders, expand_url

DIST = REPO / "dist"
SECRET = "sk-engine-test-key-0000-DO-NOT-LEAK"
USER_MESSAGE = 'Explain "BPMN" in one line.\nUse a backslash \\ and an emoji 🚀.'


# --------------------------------------------------------------------------
# SpiffWorkflow bridges (see the module docstring)
# --------------------------------------------------------------------------


class CamundaErrorEventDefinition(ErrorEventDefinition):
    """An error event definition that knows Camunda's code/message variables."""

    def __init__(self, name, code=None, code_variable=None, message_variable=None, message=None, **kwargs):
        super().__init__(name, code, **kwargs)
        self.code_variable = code_variable
        self.message_variable = message_variable
        self.message = message

    def catch(self, my_task, event=None):
        super().catch(my_task, event)
        payload = dict(my_task.internal_data.get(self.name) or {})
        if self.code_variable:
            payload[self.code_variable] = event.event_definition.code
        if self.message_variable:
            payload[self.message_variable] = getattr(event.event_definition, "message", None)
        my_task.internal_data[self.name] = payload


class CamundaBoundaryParser(CamundaBoundaryEventParser):
    def parse_error_event(self, error_event):
        plain = super().parse_error_event(error_event)
        return CamundaErrorEventDefinition(
            plain.name,
            plain.code,
            code_variable=self.attribute("errorCodeVariable", "camunda", error_event),
            message_variable=self.attribute("errorMessageVariable", "camunda", error_event),
            description=plain.description,
        )


class ConnectorServiceTask(ServiceTask):
    """A service task executed by the Python reference runtime."""

    def __init__(self, wf_spec, bpmn_id, connector_config=None, **kwargs):
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.connector_config = connector_config

    def _execute(self, my_task):
        outcome = my_task.workflow.script_engine.run_connector(self.connector_config, dict(my_task.data))
        my_task.set_data(**outcome.variables)
        if outcome.bpmn_error is None:
            return True
        error = CamundaErrorEventDefinition(
            outcome.bpmn_error.code, outcome.bpmn_error.code, message=outcome.bpmn_error.message
        )
        top = my_task.workflow.top_workflow
        uncaught_before = len(top.bpmn_events)
        error.throw(my_task)
        if len(top.bpmn_events) > uncaught_before:
            raise AssertionError(f"BPMN error {outcome.bpmn_error.code} was not caught by any boundary event")
        return None  # STARTED: the interrupting boundary event's join cancels this task


class ConnectorTaskParser(CamundaTaskParser):
    def create_task(self):
        config = rt.read_task_config(self.node)
        return self.spec_class(self.spec, self.bpmn_id, connector_config=config, **self.bpmn_attributes)


class CatalystCamundaParser(CamundaParser):
    OVERRIDE_PARSER_CLASSES = {
        **CamundaParser.OVERRIDE_PARSER_CLASSES,
        full_tag("serviceTask"): (ConnectorTaskParser, ConnectorServiceTask),
        full_tag("boundaryEvent"): (CamundaBoundaryParser, BoundaryEvent),
    }


class ConnectorScriptEngine(PythonScriptEngine):
    """Carries what the JAR gets from its environment: secrets, network, clock."""

    def __init__(self, *, base_url, environ, secrets_dir, properties_path):
        super().__init__()
        self.base_url = base_url
        self.environ = environ
        self.secrets_dir = secrets_dir
        self.properties_path = properties_path
        self.sleeps: list[float] = []
        self.outcomes: list[rt.Outcome] = []

    def run_connector(self, config, data):
        secret = rt.resolve_secret(
            config, environ=self.environ, secrets_dir=self.secrets_dir, properties_path=self.properties_path
        )
        outcome = rt.execute(config, data, secret=secret, base_url=self.base_url, sleep=self.sleeps.append)
        self.outcomes.append(outcome)
        return outcome


# --------------------------------------------------------------------------
# The examples
# --------------------------------------------------------------------------

B = f"{{{rt.BPMN_NS}}}"
C = f"{{{rt.CAMUNDA_NS}}}"


def _connector_task(root: etree._Element) -> etree._Element:
    tasks = rt.find_connector_tasks(root)
    assert len(tasks) == 1, f"expected one connector service task, found {[t.get('id') for t in tasks]}"
    return tasks[0]


def _targets_past_merges(process: etree._Element, source: str) -> list[str]:
    """Where the flows leaving ``source`` arrive, looking through merging exclusive gateways.

    The example routes every path into Review through one merging gateway (so
    Review is no uncontrolled "fake join"); a gateway counts as a pass-through
    only if it has exactly one outgoing flow and that flow has no condition.
    """
    targets = []
    for flow in process.findall(f"{B}sequenceFlow[@sourceRef='{source}']"):
        target = flow.get("targetRef")
        node = process.find(f"*[@id='{target}']")
        if node is not None and node.tag == f"{B}exclusiveGateway":
            onward = process.findall(f"{B}sequenceFlow[@sourceRef='{target}']")
            assert len(onward) == 1, f"merging gateway {target} must have exactly one way out"
            assert onward[0].find(f"{B}conditionExpression") is None, f"merging gateway {target} must not branch"
            targets += _targets_past_merges(process, target)
        else:
            targets.append(target)
    return targets


ALL_EXAMPLES = sorted(DIST.glob("*/*-example.bpmn"))


def _is_openai_chat(path: Path) -> bool:
    try:
        config = rt.read_task_config(_connector_task(etree.parse(str(path)).getroot()))
    except (AssertionError, rt.RuntimeContractError, etree.XMLSyntaxError):
        return False  # reported by test_every_example_has_one_valid_connector_task
    return config.endpoint_url.rstrip("/").endswith("/chat/completions") and (
        rt.parse_json_path("choices[0].message.content") in map(rt.parse_json_path, config.response_mapping.values())
    )


def _catch_all(xml: bytes) -> bytes:
    """The same process with one catch-all error boundary event (no ``errorRef``) instead of one per code."""
    root = etree.fromstring(xml)
    process = root.find(f"{B}process")
    connector = _connector_task(root)
    boundaries = [b for b in process.findall(f"{B}boundaryEvent") if b.get("attachedToRef") == connector.get("id")]
    keep, drop = boundaries[0], boundaries[1:]
    keep.find(f"{B}errorEventDefinition").attrib.pop("errorRef", None)
    for boundary in drop:
        for flow in process.findall(f"{B}sequenceFlow[@sourceRef='{boundary.get('id')}']"):
            target = process.find(f"*[@id='{flow.get('targetRef')}']")
            for incoming in target.findall(f"{B}incoming"):
                if incoming.text == flow.get("id"):
                    target.remove(incoming)
            process.remove(flow)
        process.remove(boundary)
    for shape in root.iter(
        "{http://www.omg.org/spec/BPMN/20100524/DI}BPMNShape", "{http://www.omg.org/spec/BPMN/20100524/DI}BPMNEdge"
    ):
        if process.find(f"*[@id='{shape.get('bpmnElement')}']") is None:
            shape.getparent().remove(shape)
    return etree.tostring(root)


EXAMPLES = [p for p in ALL_EXAMPLES if _is_openai_chat(p)]
CASES = [
    pytest.param(variant, path, id=f"{path.parent.name}{'' if variant == 'as-generated' else '-' + variant}")
    for path in EXAMPLES
    for variant in ("as-generated", "catch-all")
]


@pytest.mark.parametrize("path", ALL_EXAMPLES, ids=[p.parent.name for p in ALL_EXAMPLES])
def test_every_example_has_one_valid_connector_task(path):
    """Every example, chat or not, must satisfy the runtime contract (read_task_config raises otherwise)."""
    config = rt.read_task_config(_connector_task(etree.parse(str(path)).getroot()))
    assert config.task_id


def test_together_ai_example_is_generated_and_runnable():
    path = DIST / "together-ai" / "together-ai-example.bpmn"
    assert path.is_file(), f"{path.relative_to(REPO)} is missing: run the generator first"
    assert path in EXAMPLES, "the Together AI example is not recognised as an OpenAI-compatible chat connector"
    config = rt.read_task_config(_connector_task(etree.parse(str(path)).getroot()))
    assert (config.endpoint_url, config.http_method, config.timeout_seconds) == (
        "https://api.together.xyz/v1/chat/completions",
        "POST",
        60,
    )
    assert (config.auth_type, config.auth_header, config.auth_prefix) == ("bearerToken", "Authorization", "Bearer")
    assert (config.secret_source, config.secret_name) == ("env", "together_api_key")
    assert config.response_mapping == {
        "aiReply": "choices[0].message.content",
        "modelUsed": "model",
        "promptTokens": "usage.prompt_tokens",
        "completionTokens": "usage.completion_tokens",
        "finishReason": "choices[0].finish_reason",
    }
    assert config.error_mapping == {401: "AUTH_FAILED", 429: "RATE_LIMITED", 400: "INVALID_REQUEST"}
    assert (config.retry_statuses, config.max_retries, config.retry_backoff_ms, config.retry_max_backoff_ms) == (
        {429},
        3,
        1000,
        30000,
    )


# --------------------------------------------------------------------------
# Driving a process
# --------------------------------------------------------------------------


@dataclass
class Run:
    config: rt.TaskConfig
    engine: ConnectorScriptEngine
    workflow: BpmnWorkflow
    review_data: dict
    configure_fields: list[etree._Element]
    review_fields: list[str]
    task_inputs: dict[str, str]
    """The connector task's input parameters by name (its task-local variables among them)."""


def _form_fields(root: etree._Element, task_id: str) -> list[etree._Element]:
    task = root.find(f".//{B}userTask[@id='{task_id}']")
    return task.findall(f"{B}extensionElements/{C}formData/{C}formField")


def _submitted_value(field: etree._Element):
    """What a Camunda generated form submits for a field the user fills in."""
    kind, default = field.get("type"), field.get("defaultValue")
    if kind == "long":
        return int(default) if default is not None else 1
    if kind == "boolean":
        return default == "true"
    return default if default is not None else USER_MESSAGE


def _secrets(config: rt.TaskConfig, tmp_path: Path, secret: str = SECRET) -> dict:
    """Provide the key in every source, so the connector's own ``secretSource`` decides."""
    secrets_dir = tmp_path / "secrets"
    secrets_dir.mkdir()
    properties = tmp_path / contract.PROPERTIES_FILE
    name = config.secret_name or "unused"
    (secrets_dir / name).write_text(secret + "\n")
    properties.write_text(f"{name}={secret}\n")
    return {
        "environ": {contract.env_var_name(name): secret},
        "secrets_dir": secrets_dir,
        "properties_path": properties,
    }


def run_example(
    variant: str,
    path: Path,
    fake: FakeProvider,
    tmp_path: Path,
    *,
    values: dict | None = None,
    secret: str = SECRET,
) -> Run:
    """Drive the example from start to end; ``values`` overrides what the user types into Configure."""
    xml = path.read_bytes() if variant == "as-generated" else _catch_all(path.read_bytes())
    root = etree.fromstring(xml)
    connector = _connector_task(root)
    config = rt.read_task_config(connector)
    process = connector.getparent()
    assert process.get("isExecutable") == "true"

    parser = CatalystCamundaParser()
    parser.add_bpmn_str(xml, filename=path.name)
    spec = parser.get_spec(process.get("id"))
    engine = ConnectorScriptEngine(base_url=fake.base_url, **_secrets(config, tmp_path, secret))
    workflow = BpmnWorkflow(spec, parser.get_subprocess_specs(process.get("id")), script_engine=engine)
    workflow.do_engine_steps()

    # Configure: the only user task before the connector.
    ready = workflow.get_tasks(state=TaskState.READY, manual=True)
    assert len(ready) == 1, [t.task_spec.bpmn_id for t in ready]
    configure = ready[0]
    flows_in = process.findall(f"{B}sequenceFlow[@targetRef='{connector.get('id')}']")
    assert [f.get("sourceRef") for f in flows_in] == [configure.task_spec.bpmn_id]
    fields = _form_fields(root, configure.task_spec.bpmn_id)
    placeholders = set(rt.payload_placeholders(config.payload or "")) | set(bound_placeholders(config.endpoint_url))
    for header in config.extra_headers.values():
        placeholders |= set(bound_placeholders(header))
    # a task-local variable (template.properties) is an input parameter of the task itself, not asked for
    task_inputs = {p.get("name"): p.text or "" for p in connector.iter(f"{C}inputParameter")}
    needed = placeholders - set(task_inputs)
    assert needed <= {f.get("id") for f in fields}, "every placeholder needs a Configure form field"
    configure.set_data(**{f.get("id"): _submitted_value(f) for f in fields} | (values or {}))
    configure.run()
    workflow.do_engine_steps()

    # Review: the user task after the connector.
    ready = workflow.get_tasks(state=TaskState.READY, manual=True)
    assert len(ready) == 1, f"expected exactly one token at Review, found {[t.task_spec.bpmn_id for t in ready]}"
    review = ready[0]
    assert _targets_past_merges(process, connector.get("id")) == [review.task_spec.bpmn_id]
    review_data = copy.deepcopy(review.data)
    review.run()
    workflow.do_engine_steps()
    assert workflow.is_completed(), "the process did not reach its end event after Review"
    review_fields = [f.get("id") for f in _form_fields(root, review.task_spec.bpmn_id)]
    return Run(config, engine, workflow, review_data, fields, review_fields, task_inputs)


def _connector_state(run: Run) -> TaskState:
    [task] = run.workflow.get_tasks(spec_class=ConnectorServiceTask)
    return task.state


def _boundary_outgoing_reach_review(path: Path) -> None:
    root = etree.parse(str(path)).getroot()
    connector = _connector_task(root)
    process = connector.getparent()
    [review] = _targets_past_merges(process, connector.get("id"))
    assert process.find(f"{B}userTask[@id='{review}']") is not None, "the connector's flow should lead to Review"
    for boundary in process.findall(f"{B}boundaryEvent[@attachedToRef='{connector.get('id')}']"):
        targets = _targets_past_merges(process, boundary.get("id"))
        assert targets == [review], f"boundary event {boundary.get('id')} should lead to Review"
        definition = boundary.find(f"{B}errorEventDefinition")
        assert definition.get(f"{C}errorCodeVariable") == contract.ERROR_CODE_VARIABLE
        assert definition.get(f"{C}errorMessageVariable") == contract.ERROR_MESSAGE_VARIABLE


# --------------------------------------------------------------------------
# Scenarios
# --------------------------------------------------------------------------


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.parent.name for p in EXAMPLES])
def test_error_boundary_events_lead_to_review_and_record_the_error(path):
    _boundary_outgoing_reach_review(path)


@pytest.mark.parametrize("variant, path", CASES)
def test_happy_path_reaches_review_with_mapped_variables(variant, path, fake_provider, tmp_path):
    reply = chat_completion(
        "BPMN is a flowchart standard.", model="test-model", finish_reason="stop", prompt_tokens=21, completion_tokens=8
    )
    fake_provider.enqueue(200, reply)
    run = run_example(variant, path, fake_provider, tmp_path)
    data = run.review_data

    for variable, json_path in run.config.response_mapping.items():
        assert data[variable] == rt.resolve_json_path(reply, json_path), variable
    if path.parent.name == "together-ai":
        assert (
            data["aiReply"],
            data["modelUsed"],
            data["promptTokens"],
            data["completionTokens"],
            data["finishReason"],
        ) == (
            "BPMN is a flowchart standard.",
            "test-model",
            21,
            8,
            "stop",
        )
    assert (
        data[contract.SUCCESS.name] is True
        and data[contract.STATUS_CODE.name] == 200
        and data[contract.ERROR.name] is None
    )
    assert json.loads(data[contract.RESPONSE_BODY.name]) == reply
    assert contract.ERROR_CODE_VARIABLE not in data
    assert _connector_state(run) == TaskState.COMPLETED

    # The request: one call, JSON-safe user message, the key sent as configured.
    [request] = fake_provider.requests
    sent_url = expand_url(run.config.endpoint_url, run.task_inputs)  # azure-openai: task-local resource/deployment
    assert request.path.split("?")[0] == urlsplit(sent_url).path
    user_contents = [m["content"] for m in request.json["messages"] if m.get("role") == "user"]
    assert USER_MESSAGE in user_contents
    if run.config.auth_type in ("bearerToken", "apiKeyHeader"):
        prefix = f"{run.config.auth_prefix} " if run.config.auth_prefix else ""
        assert request.headers[run.config.auth_header.lower()] == prefix + SECRET
    if run.config.auth_type == "none":  # Ollama: its README shows key settings, the task sends none
        assert "authorization" not in request.headers and SECRET not in json.dumps(request.headers)
    assert SECRET not in json.dumps(data, default=str)

    # Review shows variables the process has (the error variables only exist after an error).
    optional = {contract.ERROR_CODE_VARIABLE, contract.ERROR_MESSAGE_VARIABLE}
    assert set(run.review_fields) - optional <= set(data), "Review shows variables the process never sets"
    assert {v.name for v in contract.STANDARD_VARIABLES} <= set(run.review_fields)


def _expect_caught(run: Run, status: int, code: str) -> None:
    data = run.review_data
    assert data[contract.ERROR_CODE_VARIABLE] == code
    assert data[contract.ERROR_MESSAGE_VARIABLE].startswith(f"HTTP {status}")
    assert data[contract.SUCCESS.name] is False and data[contract.STATUS_CODE.name] == status
    assert data[contract.ERROR.name] == data[contract.ERROR_MESSAGE_VARIABLE]
    assert _connector_state(run) == TaskState.CANCELLED  # interrupted by the boundary event
    assert SECRET not in json.dumps(data, default=str)


def _mapped_code(config: rt.TaskConfig, status: int) -> str:
    if status not in config.error_mapping:
        pytest.skip(f"this connector does not map HTTP {status} to a BPMN error")
    return config.error_mapping[status]


def _config_of(path: Path) -> rt.TaskConfig:
    return rt.read_task_config(_connector_task(etree.parse(str(path)).getroot()))


@pytest.mark.parametrize("variant, path", CASES)
def test_unauthorized_is_caught_by_the_boundary_event(variant, path, fake_provider, tmp_path):
    code = _mapped_code(_config_of(path), 401)
    fake_provider.enqueue(401, error_body("Invalid API key provided", type_="invalid_api_key"))
    run = run_example(variant, path, fake_provider, tmp_path)
    _expect_caught(run, 401, code)
    assert "Invalid API key provided" in run.review_data[contract.ERROR_MESSAGE_VARIABLE]
    assert run.engine.sleeps == [] and len(fake_provider.requests) == 1
    if path.parent.name == "together-ai":
        assert code == "AUTH_FAILED"


@pytest.mark.parametrize("variant, path", CASES)
def test_rate_limited_twice_then_success_backs_off(variant, path, fake_provider, tmp_path):
    config = _config_of(path)
    if 429 not in config.retry_statuses or config.max_retries < 2:
        pytest.skip("this connector does not retry 429 at least twice")
    fake_provider.enqueue(429, error_body("rate limited", type_="rate_limit"), times=2)
    fake_provider.enqueue(200, chat_completion("after the wait"))
    run = run_example(variant, path, fake_provider, tmp_path)
    expected = [min(config.retry_backoff_ms * 2**i, config.retry_max_backoff_ms) / 1000 for i in range(2)]
    assert run.engine.sleeps == expected
    assert len(fake_provider.requests) == 3
    assert run.review_data[contract.SUCCESS.name] is True and run.review_data[contract.STATUS_CODE.name] == 200
    assert contract.ERROR_CODE_VARIABLE not in run.review_data
    if path.parent.name == "together-ai":
        assert run.engine.sleeps == [1.0, 2.0] and run.review_data["aiReply"] == "after the wait"


@pytest.mark.parametrize("variant, path", CASES)
def test_rate_limited_beyond_max_retries_is_caught(variant, path, fake_provider, tmp_path):
    config = _config_of(path)
    code = _mapped_code(config, 429)
    if 429 not in config.retry_statuses:
        pytest.skip("this connector does not retry 429")
    fake_provider.enqueue(
        429, error_body("rate limited", type_="rate_limit"), headers={"Retry-After": "2"}, times=config.max_retries + 1
    )
    run = run_example(variant, path, fake_provider, tmp_path)
    assert len(fake_provider.requests) == config.max_retries + 1
    assert run.engine.sleeps == [min(2000, config.retry_max_backoff_ms) / 1000] * config.max_retries
    _expect_caught(run, 429, code)
    if path.parent.name == "together-ai":
        assert code == "RATE_LIMITED"


@pytest.mark.parametrize("variant, path", CASES)
def test_bad_request_is_caught(variant, path, fake_provider, tmp_path):
    code = _mapped_code(_config_of(path), 400)
    fake_provider.enqueue(400, error_body("max_tokens is too large"))
    run = run_example(variant, path, fake_provider, tmp_path)
    _expect_caught(run, 400, code)
    if path.parent.name == "together-ai":
        assert code == "INVALID_REQUEST"


@pytest.mark.parametrize("variant, path", CASES)
def test_unmapped_server_error_completes_the_task(variant, path, fake_provider, tmp_path):
    config = _config_of(path)
    # 500 when the connector neither maps nor retries it (Together AI), else the next such status.
    status = next(s for s in (500, 502, 504, 418) if s not in config.error_mapping and s not in config.retry_statuses)
    fake_provider.enqueue(status, error_body("internal error", type_="server_error"))
    run = run_example(variant, path, fake_provider, tmp_path)
    data = run.review_data
    assert data[contract.SUCCESS.name] is False and data[contract.STATUS_CODE.name] == status
    assert data[contract.ERROR.name].startswith(f"HTTP {status}: ") and "internal error" in data[contract.ERROR.name]
    assert len(fake_provider.requests) == 1 and run.engine.sleeps == []
    if path.parent.name == "together-ai":
        assert status == 500
    assert contract.ERROR_CODE_VARIABLE not in data
    assert _connector_state(run) == TaskState.COMPLETED  # normal flow, no boundary event
    for variable in config.response_mapping:
        assert variable not in data  # mapping only on 2xx


# --------------------------------------------------------------------------
# Jira: placeholders in the URL, Basic auth with e-mail:API token
# --------------------------------------------------------------------------

JIRA = DIST / "jira-add-comment" / "jira-add-comment-example.bpmn"
JIRA_SECRET = "you@example.com:jira-api-token-example-0000"


def test_jira_add_comment_fills_the_url_encoded_and_sends_basic_auth(fake_provider, tmp_path):
    """The issue key reaches the path percent-encoded (a space, `/`, `?`, `#`, `%` stay inside one segment)."""
    comment = {"id": "10501", "self": "https://yourcompany.atlassian.net/rest/api/3/issue/10042/comment/10501"}
    fake_provider.enqueue(201, comment)
    key = "PROJ 12/x?y#z%"
    run = run_example(
        "as-generated",
        JIRA,
        fake_provider,
        tmp_path,
        values={"jiraInstance": "acme-test", "jiraIssueKey": key, "commentText": USER_MESSAGE},
        secret=JIRA_SECRET,
    )
    [request] = fake_provider.requests
    assert request.method == "POST"
    assert request.path == "/rest/api/3/issue/PROJ%2012%2Fx%3Fy%23z%25/comment"
    assert request.headers["authorization"] == "Basic " + base64.b64encode(JIRA_SECRET.encode()).decode()
    assert request.headers["accept"] == "application/json"
    assert request.json["body"]["content"][0]["content"][0]["text"] == USER_MESSAGE
    data = run.review_data
    assert (data["jiraCommentId"], data["jiraCommentSelf"]) == (comment["id"], comment["self"])
    assert data[contract.STATUS_CODE.name] == 201 and data[contract.SUCCESS.name] is True
    assert "jira-api-token-example-0000" not in json.dumps(data, default=str)


@pytest.mark.parametrize(
    "values, message",
    [
        ({"jiraInstance": "evil.example.com/x"}, "is not a host name label"),
        ({"jiraIssueKey": ".."}, "would change the path"),
        ({"jiraIssueKey": ""}, "is empty"),
    ],
)
def test_jira_add_comment_refuses_a_value_the_url_rule_refuses(values, message, fake_provider, tmp_path):
    """A host value that is not one DNS label, or a path value that would climb, is an incident: nothing is sent."""
    with pytest.raises(Exception) as caught:
        run_example("as-generated", JIRA, fake_provider, tmp_path, values=values, secret=JIRA_SECRET)
    assert message in str(caught.value)
    assert fake_provider.requests == []


# --------------------------------------------------------------------------
# Success decided by the body: the Slack example (HTTP 200 with "ok": false)
# --------------------------------------------------------------------------

SLACK = REPO / "dist" / "slack" / "slack-example.bpmn"


def _slack_request(fake: FakeProvider) -> dict:
    [request] = fake.requests
    assert request.method == "POST" and request.path == urlsplit(_config_of(SLACK).endpoint_url).path
    assert request.headers["authorization"] == f"Bearer {SECRET}"
    return request.json


@pytest.mark.parametrize("variant", ["as-generated", "catch-all"])
def test_slack_ok_false_with_http_200_is_caught_by_the_declared_boundary_event(variant, fake_provider, tmp_path):
    condition = _config_of(SLACK).success_condition
    assert condition is not None and condition.error_code == "SLACK_API_ERROR"
    fake_provider.enqueue(200, {"ok": False, "error": "channel_not_found"})
    run = run_example(variant, SLACK, fake_provider, tmp_path)
    data = run.review_data

    assert data[contract.ERROR_CODE_VARIABLE] == "SLACK_API_ERROR"
    assert data[contract.ERROR_MESSAGE_VARIABLE] == "channel_not_found"  # why, in Slack's own words
    assert data[contract.SUCCESS.name] is False and data[contract.STATUS_CODE.name] == 200
    assert data[contract.ERROR.name] == "channel_not_found"
    assert data["slackOk"] is False  # the body is still mapped: the published README's tip holds
    assert json.loads(data[contract.RESPONSE_BODY.name]) == {"ok": False, "error": "channel_not_found"}
    assert _connector_state(run) == TaskState.CANCELLED  # interrupted by the boundary event
    assert run.engine.sleeps == [] and SECRET not in json.dumps(data, default=str)
    assert set(_slack_request(fake_provider)) == {"channel", "text"}


def test_slack_boundary_event_for_the_body_error_leads_to_review():
    root = etree.parse(str(SLACK)).getroot()
    codes = {e.get("errorCode") for e in root.iter(f"{B}error")}
    assert codes == {"AUTH_FAILED", "RATE_LIMITED", "INVALID_REQUEST", "SLACK_API_ERROR"}
    _boundary_outgoing_reach_review(SLACK)


@pytest.mark.parametrize("variant", ["as-generated", "catch-all"])
def test_slack_ok_true_reaches_review_with_the_mapped_message(variant, fake_provider, tmp_path):
    fake_provider.enqueue(200, {"ok": True, "channel": "C0123456789", "ts": "1503435956.000247", "message": {}})
    run = run_example(variant, SLACK, fake_provider, tmp_path)
    data = run.review_data

    assert data[contract.SUCCESS.name] is True and data[contract.ERROR.name] is None
    assert (data["slackOk"], data["slackTs"], data["slackChannel"]) == (True, "1503435956.000247", "C0123456789")
    assert contract.ERROR_CODE_VARIABLE not in data
    assert _connector_state(run) == TaskState.COMPLETED
    sent = _slack_request(fake_provider)
    assert sent == {"channel": "C0123456789", "text": "Hello from Camunda!"}  # the Configure form's defaults
    assert set(run.review_fields) >= {"slackOk", "slackTs", "slackChannel", contract.ERROR_CODE_VARIABLE}


def test_slack_http_401_is_still_decided_by_the_status(fake_provider, tmp_path):
    fake_provider.enqueue(401, {"ok": False, "error": "invalid_auth"})
    run = run_example("as-generated", SLACK, fake_provider, tmp_path)
    assert run.review_data[contract.ERROR_CODE_VARIABLE] == "AUTH_FAILED"
    assert run.review_data[contract.ERROR_MESSAGE_VARIABLE].startswith("HTTP 401")


# --------------------------------------------------------------------------
# SendGrid: 202 Accepted with an empty body, nothing mapped (issue #11)
# --------------------------------------------------------------------------

SENDGRID = DIST / "sendgrid" / "sendgrid-example.bpmn"


def _sendgrid_request(fake: FakeProvider) -> dict:
    request = fake.requests[-1]
    assert (request.method, request.path) == ("POST", urlsplit(_config_of(SENDGRID).endpoint_url).path)
    assert request.headers["authorization"] == f"Bearer {SECRET}"
    return request.json


@pytest.mark.parametrize("variant", ["as-generated", "catch-all"])
def test_sendgrid_202_with_an_empty_body_reaches_review_as_a_success(variant, fake_provider, tmp_path):
    assert _config_of(SENDGRID).response_mapping == {}
    fake_provider.enqueue(202, b"", headers={"Content-Type": "application/json"})
    run = run_example(variant, SENDGRID, fake_provider, tmp_path, values={"emailBody": USER_MESSAGE})
    data = run.review_data

    assert data[contract.SUCCESS.name] is True and data[contract.STATUS_CODE.name] == 202
    assert data[contract.RESPONSE_BODY.name] == "" and data[contract.ERROR.name] is None
    assert contract.ERROR_CODE_VARIABLE not in data
    assert _connector_state(run) == TaskState.COMPLETED
    assert run.engine.sleeps == [] and SECRET not in json.dumps(data, default=str)
    sent = _sendgrid_request(fake_provider)
    assert sent == {  # the Configure form's defaults, and the typed body JSON-escaped intact
        "personalizations": [{"to": [{"email": "recipient@example.com"}]}],
        "from": {"email": "sender@example.com"},
        "subject": "Hello from Camunda",
        "content": [{"type": "text/plain", "value": USER_MESSAGE}],
    }
    optional = {contract.ERROR_CODE_VARIABLE, contract.ERROR_MESSAGE_VARIABLE}
    assert set(run.review_fields) - optional <= set(data)


@pytest.mark.parametrize("variant", ["as-generated", "catch-all"])
def test_sendgrid_unverified_sender_is_caught_by_the_boundary_event(variant, fake_provider, tmp_path):
    fake_provider.enqueue(403, {"errors": [{"message": "The from address does not match a verified Sender Identity."}]})
    run = run_example(variant, SENDGRID, fake_provider, tmp_path)
    _expect_caught(run, 403, "SENDER_NOT_VERIFIED")
    assert "verified Sender Identity" in run.review_data[contract.ERROR_MESSAGE_VARIABLE]


def test_sendgrid_rate_limited_then_accepted_backs_off(fake_provider, tmp_path):
    fake_provider.enqueue(429, {"errors": [{"message": "too many requests"}]}, times=2)
    fake_provider.enqueue(202, b"")
    run = run_example("as-generated", SENDGRID, fake_provider, tmp_path)
    assert run.engine.sleeps == [1.0, 2.0] and len(fake_provider.requests) == 3
    assert run.review_data[contract.STATUS_CODE.name] == 202 and run.review_data[contract.SUCCESS.name] is True
    assert _connector_state(run) == TaskState.COMPLETED
