"""Issue #11, capability 1: per-field template control (``template.fields``) and the spec's own
properties (``template.properties``), from the spec to the element template, the example BPMN and
the runtime reference, with located errors for every bad declaration."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from helpers import REPO, line_col

from catalyst_gen import api, contract
from catalyst_gen import runtime as rt
from catalyst_gen.errors import CatalystError

WEBHOOK = (REPO / "tests" / "data" / "template_fields" / "webhook.yaml").read_text("utf-8")
"""A webhook spec whose payload reads ``${eventType}`` and ``${message}``, kept here so that these tests
do not follow the live webhook's corrections to its published README."""
ANTHROPIC = (REPO / "connectors" / "anthropic" / "connector.yaml").read_text("utf-8")


def with_template(text: str, template: str) -> str:
    """The spec with a ``template:`` section before ``example:`` (replacing one it has)."""
    if "\ntemplate:\n" in text:
        head, rest = text.split("\ntemplate:\n", 1)
        text = head + "\n" + rest[rest.index("\nexample:") + 1 :]
    return text.replace("\nexample:", "\n" + template.strip("\n") + "\n\nexample:", 1)


def write(project: Path, cid: str, text: str) -> Path:
    path = project / "connectors" / cid / "connector.yaml"
    path.write_text(text, "utf-8")
    return path


def template_of(project: Path, cid: str) -> dict:
    preview = api.preview_connector(project, cid)
    return json.loads(preview.files[f"{cid}.element.json"])


def example_of(project: Path, cid: str) -> bytes:
    return api.preview_connector(project, cid).files[f"{cid}-example.bpmn"]


def by_binding(template: dict) -> dict[str, dict]:
    return {p["binding"]["name"]: p for p in template["properties"]}


def refused(project: Path, cid: str, text: str) -> list:
    write(project, cid, text)
    with pytest.raises(CatalystError) as caught:
        api.validate(project, [cid])
    return caught.value.problems


# ------------------------------------------------------------------ the published templates


def test_groups_are_named_and_ordered_as_published():
    for folder in sorted((REPO / "dist").iterdir()):
        template = json.loads((folder / f"{folder.name}.element.json").read_text("utf-8"))
        labels = [g["label"] for g in template["groups"]]
        expected = [label for _, label in contract.GROUPS]
        assert labels == [label for label in expected if label in labels], folder.name
        groups = [p.get("group") for p in template["properties"] if p.get("group")]
        order = [contract.GROUP_IDS.index(g) for g in groups]
        assert order == sorted(order), folder.name  # each group's properties together, in group order


def test_generic_rest_shows_every_field_with_the_published_labels():
    template = json.loads((REPO / "dist/generic-rest/generic-rest.element.json").read_text("utf-8"))
    shown = [(p["label"], p["group"]) for p in template["properties"] if p["type"] != "Hidden"]
    assert shown == [
        ("Auth Type", "authentication"),
        ("Auth Header Name", "authentication"),
        ("Auth Prefix", "authentication"),
        ("Secret Source", "authentication"),
        ("Credential / API Key", "authentication"),
        ("API Endpoint URL", "request"),
        ("HTTP Method", "request"),
        ("Extra Headers", "request"),
        ("Query Parameters", "request"),
        ("Request Payload", "request"),
        ("Response Mapping", "response"),
        ("Error Mapping", "response"),
        ("Timeout (seconds)", "connection"),
    ]
    hidden = {p["binding"]["name"] for p in template["properties"] if p["type"] == "Hidden"}
    assert hidden == {"camunda:class", "retryStatuses", "maxRetries", "retryBackoffMs", "retryMaxBackoffMs"}


@pytest.mark.parametrize(("cid", "key_label"), [("anthropic", "Anthropic API Key"), ("openai", "OpenAI API Key")])
def test_the_published_guide_readmes_template_fields_are_the_templates(cid, key_label):
    """Anthropic's and OpenAI's READMEs list the visible fields in a table of their own: it names
    the template's labels, in its order, and the hidden Retry on 429 it lists is there too."""
    template = json.loads((REPO / f"dist/{cid}/{cid}.element.json").read_text("utf-8"))
    shown = [p["label"] for p in template["properties"] if p["type"] != "Hidden"]
    assert shown == ["Secret Source", key_label, "Request Payload", "Response Mapping", "Error Mapping", "Timeout"]
    readme = (REPO / f"dist/{cid}/README.md").read_text("utf-8")
    table = readme.split("### Visible Fields", 1)[1].split("###", 1)[0]
    assert re.findall(r"^\| \*\*(.+?)\*\* \|", table, re.M) == shown
    retry = by_binding(template)["retryOn429"]
    assert (retry["type"], retry["value"], retry["label"], retry["group"]) == (
        "Hidden",
        "true",
        "Retry on 429",
        "response",
    )


# ------------------------------------------------------------------ template.fields


def test_a_field_is_relabelled_shown_or_hidden_and_visible_wins_over_editable(project):
    text = with_template(
        WEBHOOK,
        """
template:
  fields:
    endpoint_url: {label: Webhook URL, description: Where the event is posted.}
    http_method: {visible: false}
    max_retries: {visible: true, group: connection}
""",
    )
    write(project, "webhook", text)
    props = by_binding(template_of(project, "webhook"))
    url = props["endpointUrl"]
    assert (url["label"], url["description"], url["type"]) == ("Webhook URL", "Where the event is posted.", "String")
    method = props["httpMethod"]
    assert (method["type"], method["value"]) == ("Hidden", "POST")  # hidden despite endpoint.editable, value kept
    assert "choices" not in method
    retries = props["maxRetries"]
    assert (retries["type"], retries["value"], retries["group"]) == ("String", "3", "connection")
    assert retries["constraints"]["pattern"]["value"] == contract.WHOLE_NUMBER.regex


def test_an_unknown_field_key_is_located_with_a_suggestion(project):
    text = with_template(WEBHOOK, "template:\n  fields:\n    endpoint_ulr: {label: URL}\n")
    [problem] = refused(project, "webhook", text)
    assert problem.code == "CG202" and "endpoint_ulr" in problem.message and "endpoint_url" in problem.hint
    assert (problem.location.line, problem.location.column) == line_col(text, "endpoint_ulr")


@pytest.mark.parametrize(
    "entry, code",
    [
        ("endpoint_url: {label: '   '}", "CG363"),
        ("endpoint_url: {label: " + "x" * 61 + "}", "CG207"),
        ("endpoint_url: {group: errors}", "CG203"),
        ("endpoint_url: {}", "CG200"),
        ("success_condition: {label: Success}", "CG380"),
        ("endpoint_url: {label: HTTP Method}", "CG385"),
    ],
)
def test_bad_field_settings_are_located_errors(project, entry, code):
    text = with_template(WEBHOOK, "template:\n  fields:\n    " + entry + "\n")
    problems = refused(project, "webhook", text)
    assert [p.code for p in problems] == [code], [p.message for p in problems]
    assert problems[0].location.line == line_col(text, entry)[0]


def test_a_field_the_connector_does_not_have_is_refused(project):
    text = with_template(ANTHROPIC, "template:\n  fields:\n    secret_optional: {visible: true}\n")
    [problem] = refused(project, "anthropic", text)
    assert problem.code == "CG380" and problem.location.line == line_col(text, "secret_optional")[0]


def test_hiding_the_secret_of_an_editable_none_auth_is_refused_before_the_field_rule(project):
    """An editable auth with a default of ``none`` keeps its secret settings (CG331), so the spec never
    reaches the field rule with an empty secret name."""
    text = ANTHROPIC.replace("  secret_name: anthropic_api_key\n", "").replace(
        "  type: apiKeyHeader\n", "  type: none\n  editable: true\n"
    )
    text = with_template(text, "template:\n  fields:\n    secret_name: {visible: false}\n")
    assert "CG331" in [p.code for p in refused(project, "anthropic", text)]


def test_the_field_rule_refuses_hiding_a_needed_input_the_model_leaves_empty(project):
    """CG381 guards the template behind validation: a model whose needed input is empty (here the
    secret name) may not hide it, and the problem points at the spec's ``visible: false``."""
    import dataclasses

    from catalyst_gen.fields import check_fields
    from catalyst_gen.library import Project
    from catalyst_gen.loader import load_spec
    from catalyst_gen.model import build_model
    from catalyst_gen.validate import validate

    text = with_template(ANTHROPIC, "template:\n  fields:\n    secret_name: {visible: false}\n")
    spec = write(project, "anthropic", text)
    lib = Project(project)
    source = validate(load_spec(spec, lib.presets_dir, lib.root), expected_id="anthropic")
    connector = build_model(source.data, lib.library, spec.parent, source.files)
    check_fields(connector, source)  # the secret name is set: hiding it is fine
    empty = dataclasses.replace(connector, auth=dataclasses.replace(connector.auth, secret_name=""))
    with pytest.raises(CatalystError) as caught:
        check_fields(empty, source)
    [problem] = caught.value.problems
    assert problem.code == "CG381" and "secret_name" in problem.message
    assert problem.location.line == line_col(text, "visible: false")[0]


# ------------------------------------------------------------------ template.properties

FORMAT = """
template:
  properties:
    eventType:
      label: Event Type
      description: The kind of event the receiver routes on.
      type: Dropdown
      value: order.approved
      choices:
        - {label: Order approved, value: order.approved}
        - {label: Order rejected, value: order.rejected}
"""


def test_a_task_local_dropdown_feeds_the_payload_placeholder(project):
    write(project, "webhook", with_template(WEBHOOK, FORMAT))
    template = template_of(project, "webhook")
    names = [p["binding"]["name"] for p in template["properties"]]
    prop = by_binding(template)["eventType"]
    assert prop["type"] == "Dropdown" and prop["group"] == "request"
    assert prop["choices"] == [
        {"name": "Order approved", "value": "order.approved"},
        {"name": "Order rejected", "value": "order.rejected"},
    ]
    assert names.index("eventType") == names.index("requestPayload") - 1  # just before the payload it feeds
    example = example_of(project, "webhook")
    assert b'<camunda:inputParameter name="eventType">order.approved</camunda:inputParameter>' in example
    assert b'id="eventType"' not in example  # the Configure form no longer asks for it
    sent = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        return httpx.Response(200, json={})

    outcome = rt.try_connector(
        example, {"message": "hi", "eventType": "from the process"}, environ={}, client=httpx.MockTransport(answer)
    )
    assert outcome.success and sent == [{"event": "order.approved", "message": "hi"}]  # the task's value wins
    changed = example.replace(b">order.approved<", b">order.rejected<")
    rt.try_connector(changed, {"message": "hi"}, environ={}, client=httpx.MockTransport(answer))
    assert sent[-1] == {"event": "order.rejected", "message": "hi"}


def test_retry_on_429_is_honoured_by_the_runtime(project):
    example = (REPO / "dist/anthropic/anthropic-example.bpmn").read_bytes()
    assert b'<camunda:inputParameter name="retryOn429">true</camunda:inputParameter>' in example
    env = {"ANTHROPIC_API_KEY": "test-key-example"}

    def calls(bpmn: bytes) -> int:
        seen = []

        def answer(request: httpx.Request) -> httpx.Response:
            seen.append(request)
            return httpx.Response(429, json={"error": "slow down"})

        rt.try_connector(
            bpmn, {"userMessage": "hi"}, environ=env, client=httpx.MockTransport(answer), sleep=lambda s: None
        )
        return len(seen)

    assert calls(example) == 4  # the first attempt and maxRetries 3
    off = example.replace(b'name="retryOn429">true<', b'name="retryOn429">false<')
    assert calls(off) == 1
    with pytest.raises(contract.RuntimeContractError, match="retryOn429"):
        calls(example.replace(b'name="retryOn429">true<', b'name="retryOn429">yes<'))


@pytest.mark.parametrize(
    "template, code, needle",
    [
        (FORMAT.replace("eventType:", "unusedThing:"), "CG382", "unusedThing"),
        (FORMAT.replace("value: order.approved\n", "value: order.shipped\n", 1), "CG383", "value: order.shipped"),
        (FORMAT.replace("type: Dropdown", "type: String"), "CG383", "value: order.approved"),
        (
            FORMAT.replace("Order rejected, value: order.rejected", "Order rejected, value: order.approved"),
            "CG384",
            "Order rejected",
        ),
        (
            FORMAT.replace("label: Order rejected", "label: Order approved"),
            "CG384",
            "{label: Order approved, value: order.rejected",
        ),
        (FORMAT.replace("eventType:", "authType:"), "CG385", "authType"),
        (FORMAT.replace("label: Event Type", "label: Request Payload"), "CG385", "label: Request Payload"),
        (FORMAT.replace("type: Dropdown", "type: Checkbox"), "CG203", "Checkbox"),
        (FORMAT.replace("value: order.approved\n", "value: ${order}\n", 1), "CG361", "${order}"),
        (
            "template:\n  properties:\n    retryOn429: {label: Retry, description: d, type: String, value: 'yes'}\n",
            "CG383",
            "value: 'yes'",
        ),
        (
            "template:\n  properties:\n    retryOn429: {label: Retry, description: d, type: Boolean, value: 'true'}\n",
            "CG383",
            "value: 'true'",
        ),
    ],
)
def test_bad_properties_are_located_errors(project, template, code, needle):
    text = with_template(WEBHOOK, template)
    problems = refused(project, "webhook", text)
    assert code in [p.code for p in problems], [(p.code, p.message) for p in problems]
    problem = next(p for p in problems if p.code == code)
    assert problem.location.line == line_col(text, needle)[0], problem.message


def test_the_oracle_free_checks_accept_a_template_with_every_kind_of_property(project):
    text = with_template(
        WEBHOOK,
        FORMAT
        + """    retryOn429:
      label: Retry on 429
      description: "Yes: retried with backoff."
      type: Boolean
      value: false
      visible: true
  fields:
    retry_statuses: {visible: true}
""",
    )
    write(project, "webhook", text)
    report = api.build_library(project, ["webhook"], force=True)
    assert report.results[0].state == "written"
    props = by_binding(json.loads((project / "dist/webhook/webhook.element.json").read_text("utf-8")))
    assert props["retryOn429"]["choices"] == [{"name": "Yes", "value": "true"}, {"name": "No", "value": "false"}]
    assert props["retryOn429"]["value"] == "false"
    assert props["retryStatuses"]["type"] == "String"
