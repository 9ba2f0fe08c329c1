"""Issue #10, class 1: no expression injection into the engine.

Camunda 7 evaluates ``${...}``/``#{...}`` (JUEL) in input parameters, form
labels and defaults, task names and many attributes.  A spec value may hold
one only inside the request payload, where ``${name}`` is a declared
placeholder the runtime fills in as data.  Every other value is refused at
build time, located at the value, in the connector or in the preset that wrote
it; the rendered artifacts are checked again (``checks/engine.py``) and the
runtime reference refuses a bound input that holds one.
"""

from __future__ import annotations

import json

import pytest
from helpers import SAMPLE, build_refused, write_spec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from catalyst_gen import contract
from catalyst_gen.bpmn import parse_xml
from catalyst_gen.checks.engine import check_example_expressions, check_template_expressions
from catalyst_gen.runtime import RuntimeContractError, read_task_config

MESSAGE = "which starts an expression in Camunda 7"

OPENERS = {
    "dollar": "${execution.getProcessEngine()}",
    "hash": "#{runtime.startProcessInstanceByKey('x')}",
    "escaped": "\\${x}",
    "bare": "text ${",
}

# (case id, text in the sample spec, its replacement with {x} where the opener goes)
PLACES = [
    ("name", "name: Together AI", 'name: "Together {x}"'),
    (
        "tagline",
        "tagline: Access 200+ open-source models through Together AI's fast inference platform",
        'tagline: "{x} Access 200+"',
    ),
    ("about", "  Together AI hosts 200+", "  Together {x} hosts 200+"),
    ("category", "category: AI / LLM", 'category: "{x}"'),
    ("url", "url: https://api.together.xyz/v1/chat/completions", 'url: "https://api.together.xyz/{x}"'),
    ("auth-header", "header: Authorization", 'header: "X-{x}"'),
    ("auth-prefix", "prefix: Bearer", 'prefix: "{x}"'),
    ("console", "console: https://api.together.ai", 'console: "https://api.together.ai/{x}"'),
    ("key-prefix", 'key_prefix: "..."', 'key_prefix: "{x}"'),
    ("secret-name", "secret_name: together_api_key", 'secret_name: "{x}"'),
    ("model-description", "description: Llama 3.3 70B Turbo", 'description: "{x}"'),
    ("mapping-description", "description: The model's response text", 'description: "{x}"'),
    ("error-cause", "cause: Invalid API key", 'cause: "{x}"'),
    ("error-action", "action: Auto-retried with backoff", 'action: "{x}"'),
    ("task-name", "task_name: Ask Together AI", 'task_name: "{x}"'),
    ("tip", "  - Free credits on signup for development.", '  - "{x}"'),
]


def _case(place: tuple[str, str, str], opener: str) -> tuple[str, tuple[str, int]]:
    """The spec with the opener in place, and where its value starts (a quoted scalar: at the quote)."""
    case_id, old, new = place
    assert old in SAMPLE, old
    quoted = '"' in new
    line = new.format(x=json.dumps(opener)[1:-1] if quoted else opener)
    if case_id == "about":  # a folded block: located where the block starts, at ">-"
        return SAMPLE.replace(old, line, 1), ("about: ", len("about: "))
    return SAMPLE.replace(old, line, 1), (line, line.index('"') if quoted else new.index("{x}"))


@pytest.mark.parametrize("opener", OPENERS.values(), ids=OPENERS.keys())
@pytest.mark.parametrize("place", PLACES, ids=[p[0] for p in PLACES])
def test_an_expression_in_any_value_is_refused_where_it_was_written(project, cli, place, opener):
    text, needle = _case(place, opener)
    build_refused(project, cli, text, MESSAGE, needle=needle, hint="only the request payload may hold")


EXTRA_PLACES = {
    "example-names": (
        "  task_name: Ask Together AI",
        '  task_name: Ask Together AI\n  configure_name: "Set ${x}"\n  review_name: Review',
        '"Set ${x}"',
    ),
    "placeholder-label": (
        "response_mapping:",
        '  placeholders:\n    userMessage: {label: "#{x}"}\n\nresponse_mapping:',
        '"#{x}"',
    ),
    "placeholder-default": (
        "response_mapping:",
        '  placeholders:\n    userMessage: {default: "${x}"}\n\nresponse_mapping:',
        '"${x}"}',
    ),
    "header-value": (
        "  timeout_seconds: 60",
        '  timeout_seconds: 60\n  headers: {X-Trace: "${execution.id}"}',
        '"${execution.id}"',
    ),
    "query-value": (
        "  timeout_seconds: 60",
        '  timeout_seconds: 60\n  query: {q: "#{x}"}',
        '"#{x}"}',
    ),
    "mapping-variable-key": ("  aiReply:\n", '  "${aiReply}":\n', '"${aiReply}"'),
}


@pytest.mark.parametrize(("old", "new", "needle"), EXTRA_PLACES.values(), ids=EXTRA_PLACES.keys())
def test_expressions_in_forms_headers_and_keys_are_refused(project, cli, old, new, needle):
    assert old in SAMPLE
    build_refused(project, cli, SAMPLE.replace(old, new, 1), MESSAGE, needle=needle)


def test_an_expression_written_by_a_preset_is_located_in_the_preset(project, cli):
    preset = project / "connectors" / "_presets" / "openai-chat.yaml"
    text = preset.read_text("utf-8")
    assert "  timeout_seconds: 60" in text
    # `${x}` alone would be a header placeholder (bound as `{x}`); a JUEL expression is refused
    preset.write_text(text.replace("  timeout_seconds: 60", '  timeout_seconds: 60\n  headers: {X-Run: "${x.y}"}', 1))
    result = cli(project, "build", "openai")
    assert result.exit_code == 1
    assert "connectors/_presets/openai-chat.yaml:" in result.output and MESSAGE in result.output


@pytest.mark.parametrize(
    "payload",
    [
        '    messages:\n      - {role: user, content: "${userMessage}"}',
        '    messages:\n      - {role: user, content: "#{not evaluated: the payload is data}"}',
    ],
    ids=["placeholder", "hash-in-payload"],
)
def test_the_payload_is_the_one_place_placeholders_belong(project, cli, payload):
    text = SAMPLE.replace(
        '    messages:\n      - {role: system, content: You are a helpful assistant.}\n      - {role: user, content: "${userMessage}"}',
        payload + '\n      - {role: user, content: "${userMessage}"}',
    )
    write_spec(project, text)
    result = cli(project, "build", "sample")
    assert result.exit_code == 0, result.output


# ------------------------------------------------------------- the artifact check


def _example(project, cli) -> tuple[bytes, bytes]:
    assert cli(project, "build", "together-ai").exit_code == 0
    folder = project / "dist" / "together-ai"
    return (folder / "together-ai-example.bpmn").read_bytes(), (folder / "together-ai.element.json").read_bytes()


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('name="Ask Together AI"', 'name="Ask ${x}"'),
        ('camunda:errorCodeVariable="catalystErrorCode"', 'camunda:errorCodeVariable="#{x}"'),
        ('<camunda:inputParameter name="authType">bearerToken', '<camunda:inputParameter name="authType">${x}'),
    ],
    ids=["task-name", "attribute", "input-parameter"],
)
def test_the_artifact_check_reads_every_value_of_the_example(project, cli, old, new):
    bpmn, _ = _example(project, cli)
    text = bpmn.decode()
    assert old in text, old
    problems = check_example_expressions(parse_xml(text.replace(old, new, 1).encode(), "x.bpmn"), "x.bpmn")
    assert len(problems) == 1 and "an expression Camunda 7 would evaluate" in problems[0].message


def test_the_artifact_check_leaves_the_payload_alone_and_passes_the_real_artifacts(project, cli):
    bpmn, template = _example(project, cli)
    assert b"${userMessage}" in bpmn
    assert check_example_expressions(parse_xml(bpmn, "x.bpmn"), "x.bpmn") == []
    assert check_template_expressions(template, "x.json") == []


@pytest.mark.parametrize("where", ["value", "choice", "binding"])
def test_the_artifact_check_reads_every_bound_value_of_the_template(project, cli, where):
    _, data = _example(project, cli)
    template = json.loads(data)
    prop = next(p for p in template["properties"] if p["binding"].get("name") == "authType")
    if where == "value":
        prop["value"] = "${x}"
    elif where == "choice":
        prop.setdefault("choices", [{"name": "a", "value": "a"}])[0]["value"] = "#{x}"
    else:
        prop["binding"]["name"] = "${x}"
    problems = check_template_expressions(json.dumps(template).encode(), "x.json")
    assert problems and "writes `" in problems[0].message


# ------------------------------------------------------------- the runtime reference


@pytest.mark.parametrize("opener", OPENERS.values(), ids=OPENERS.keys())
def test_the_runtime_refuses_a_bound_input_that_holds_an_expression(project, cli, opener):
    bpmn, _ = _example(project, cli)
    root = etree.fromstring(bpmn)
    task = root.find(".//{http://www.omg.org/spec/BPMN/20100524/MODEL}serviceTask")
    param = next(
        p
        for p in task.iter("{http://camunda.org/schema/1.0/bpmn}inputParameter")
        if p.get("name") == contract.AUTH_PREFIX.name
    )
    param.text = opener
    with pytest.raises(RuntimeContractError, match="contains an expression"):
        read_task_config(task)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.sampled_from("${}#\\ax "), min_size=1, max_size=12))
def test_no_text_in_a_name_reaches_the_engine_as_an_expression(tmp_path_factory, text):
    """Whatever a name holds, the build either refuses it or the artifacts carry no opener outside the payload."""
    import shutil

    from helpers import REPO

    from catalyst_gen.build import build_connector
    from catalyst_gen.errors import CatalystError
    from catalyst_gen.library import Project

    root = tmp_path_factory.mktemp("lib")
    for name in ("connectors", "templates"):
        shutil.copytree(REPO / name, root / name)
    write_spec(root, SAMPLE.replace("task_name: Ask Together AI", f"task_name: {json.dumps('Ask ' + text)}"))
    try:
        built = build_connector(Project(root), "sample")
    except CatalystError as exc:
        assert "${" in text or "#{" in text, exc.format()
        return
    assert "${" not in text and "#{" not in text
    example = parse_xml(built.files["sample-example.bpmn"], "x")
    assert check_example_expressions(example, "x") == []
