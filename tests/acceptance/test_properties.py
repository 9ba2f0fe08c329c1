"""Property-based tests: any spec either fails with located spec errors or builds artifacts that read back.

The pipeline runs in-process (``build_connector`` on a temporary library).
Profiles: ``default`` keeps the suite fast; ``CATALYST_HYPOTHESIS_PROFILE=long``
runs many more examples.
"""

from __future__ import annotations

import copy
import io
import json
import os
import shutil

import pytest
from helpers import REPO, table_problems
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from lxml import etree

from catalyst_gen.build import build_connector
from catalyst_gen.errors import CatalystError, CheckError, SpecError
from catalyst_gen.library import Project
from catalyst_gen.loader import load_file

settings.register_profile(
    "default", max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "long", max_examples=1500, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("CATALYST_HYPOTHESIS_PROFILE", "default"))

SAMPLE_PATH = REPO / "tests" / "data" / "sample.yaml"
BASE = load_file(SAMPLE_PATH).data
NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "camunda": "http://camunda.org/schema/1.0/bpmn",
    "svg": "http://www.w3.org/2000/svg",
}


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    root = tmp_path_factory.mktemp("prop") / "lib"
    for name in ("connectors", "templates"):
        shutil.copytree(REPO / name, root / name)
    (root / "connectors" / "sample").mkdir()
    return root


def dump(data) -> str:
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.allow_unicode = True
    yaml.width = 4096
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()


def _safe_load(text: str):
    from ruamel.yaml import YAML

    return YAML(typ="safe", pure=True).load(text)


def build(library, data):
    """Write ``data`` as the sample spec and run the pipeline; ``(built, None)`` or ``(None, error)``."""
    try:
        text = dump(data)
        faithful = _safe_load(text) == data
    except Exception:  # the YAML writer cannot express it (not the tool's business)
        faithful = False
    assume(faithful)  # ruamel's emitter mangles a few strings (e.g. U+0085): not what is under test
    (library / "connectors" / "sample" / "connector.yaml").write_text(text, "utf-8")
    project = Project(library)
    try:
        built = build_connector(project, "sample")
    except CatalystError as exc:
        event(f"refused: {exc.problems[0].message[:40]}")
        return None, exc
    event("built")
    return built, None


def assert_located(exc: CatalystError):
    assert isinstance(exc, SpecError) and not isinstance(exc, CheckError), (
        f"artifact check failed on a spec that passed validation:\n{exc.format()}"
    )
    for problem in exc.problems:
        assert problem.message
        assert problem.location is not None and problem.location.line >= 1 and problem.location.column >= 1, problem
    exc.format()  # printable (no surrogate or encoding trouble)


def assert_reads_back(built, data):
    files = built.files
    template = json.loads(files["sample.element.json"])
    assert template["name"] == f"Catalyst - {data['name']}"
    assert template["description"] == data["tagline"]
    bpmn = etree.fromstring(files["sample-example.bpmn"])
    by_id = {el.get("id"): el for el in bpmn.iter() if isinstance(el.tag, str) and el.get("id")}
    assert by_id["Task_Connector"].get("name") == data["example"]["task_name"]
    assert by_id["Task_Configure"].get("name") == data["example"].get("configure_name", "Configure")
    assert by_id["Task_Review"].get("name") == data["example"].get("review_name", "Review")
    assert bpmn.find("bpmn:process", NS).get("name") == f"{data['name']} example"
    payload = bpmn.find(".//camunda:field/camunda:string", NS).text or ""
    assert payload == next(p["value"] for p in template["properties"] if p["binding"]["type"] == "camunda:field")
    errors = json.loads(next(p["value"] for p in template["properties"] if p["binding"]["name"] == "errorMapping"))
    assert errors == {str(int(k)): v["code"] for k, v in data["errors"].items()}
    logo = etree.fromstring(files["sample.svg"])
    assert logo.findtext("svg:title", namespaces=NS) == data["name"]
    if "text" in data["logo"]:
        assert logo.findtext("svg:text", namespaces=NS) == data["logo"]["text"]
    readme = files["README.md"].decode("utf-8")
    table_text = [m["description"] for m in data.get("models", [])] + [
        e[k] for e in data["errors"].values() for k in ("cause", "action")
    ]
    table_text += [f["description"] for f in data["response_mapping"].values()]
    assert table_problems(readme) == [], table_text


# ------------------------------------------------------------- strategies

any_text = st.text(max_size=90)
printable = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=60)
TEXT_FIELDS = [
    ("name",),
    ("tagline",),
    ("about",),
    ("category",),
    ("example", "task_name"),
    ("example", "configure_name"),
    ("example", "review_name"),
    ("models", 1, "description"),
    ("errors", "401", "cause"),
    ("errors", "429", "action"),
    ("response_mapping", "aiReply", "description"),
    ("tips", 0),
    ("logo", "text"),
]


def put(data, path, value):
    target = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value


@given(st.lists(st.tuples(st.sampled_from(TEXT_FIELDS), st.one_of(printable, any_text)), min_size=1, max_size=6))
def test_any_text_in_any_field(library, edits):
    """Arbitrary Unicode (emoji, RTL, markup, controls) in text fields: located error or faithful artifacts."""
    data = copy.deepcopy(BASE)
    for path, value in edits:
        put(data, path, value)
    built, error = build(library, data)
    if error is not None:
        assert_located(error)
    else:
        assert_reads_back(built, data)


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False),
    any_text,
    st.just([]),
    st.just({}),
)
STRUCTURE_PATHS = [
    ("id",),
    ("version",),
    ("endpoint", "url"),
    ("endpoint", "method"),
    ("endpoint", "timeout_seconds"),
    ("endpoint",),
    ("auth", "type"),
    ("auth", "default_source"),
    ("auth", "secret_name"),
    ("auth", "prefix"),
    ("auth",),
    ("models",),
    ("models", 0, "default"),
    ("models", 0, "id"),
    ("request", "payload"),
    ("request", "payload", "model"),
    ("request", "payload", "messages"),
    ("response_mapping", "aiReply", "path"),
    ("response_mapping",),
    ("errors",),
    ("errors", "401", "code"),
    ("retry", "statuses"),
    ("retry", "max_retries"),
    ("retry",),
    ("example",),
    ("tips",),
    ("logo",),
    ("logo", "background"),
    ("logo", "file"),
]


@st.composite
def broken_specs(draw):
    data = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["scalar", "status", "code", "path", "placeholder", "payload-text", "delete"]))
        if kind == "scalar":
            path, value = draw(st.sampled_from(STRUCTURE_PATHS)), draw(scalars)
            try:
                put(data, path, value)
            except (KeyError, IndexError, TypeError):
                pass  # an earlier edit removed the parent
        elif kind == "status" and isinstance(data.get("errors"), dict):
            status = draw(st.one_of(st.integers(-1000, 100_000), st.text(max_size=5)))
            data["errors"][status] = {"code": "SOME_ERROR", "cause": "c", "action": "a"}
        elif kind == "code" and isinstance(data.get("errors"), dict) and isinstance(data["errors"].get("401"), dict):
            data["errors"]["401"]["code"] = draw(
                st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,10}", fullmatch=True) | any_text
            )
        elif kind == "path" and isinstance(data.get("response_mapping"), dict):
            name = draw(st.from_regex(r"[a-z][A-Za-z0-9_]{0,8}", fullmatch=True))
            path = draw(
                st.from_regex(r"[a-z_]{1,5}(\[[0-9]\]|\.[a-z_$-]{1,4}|\[\"[^\"]{1,4}\"\]){0,3}", fullmatch=True)
                | any_text
            )
            data["response_mapping"][name] = {"path": path, "description": "d"}
        elif (
            kind == "placeholder"
            and isinstance(data.get("request"), dict)
            and isinstance(data["request"].get("payload"), dict)
        ):
            data["request"]["payload"]["extra"] = (
                "${" + draw(st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True) | any_text) + "}"
            )
        elif kind == "payload-text" and isinstance(data.get("request"), dict):
            body = draw(
                st.sampled_from(
                    [
                        '{"model": "meta-llama/Llama-3.3-70B-Instruct-Turbo", "n": ${n}}',
                        '{"a": "${x}"}',
                        "[${a}, ${b}]",
                        '{"a": }',
                        "{",
                        '"${x}"',
                    ]
                )
            )
            data["request"]["payload"] = body + draw(st.sampled_from(["", " ", "\n", "}", ","]))
        elif kind == "delete" and isinstance(data, dict):
            key = draw(st.sampled_from(sorted(data)))
            del data[key]
    return data


@given(broken_specs())
def test_slightly_broken_specs(library, data):
    """Wrong types, statuses, codes, paths, placeholders, payloads: located error or artifacts that pass every check."""
    built, error = build(library, data)
    if error is not None:
        assert_located(error)
    else:
        assert_reads_back(built, data)
