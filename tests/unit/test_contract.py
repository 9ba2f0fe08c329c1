"""Unit tests of the runtime contract table (catalyst_gen/contract.py).

Every setting is encoded from a real connector model, bound the way Camunda
binds it, decoded by the runtime's decoder and compared with the model value
read here independently; malformed text is refused with the contract error;
and the template properties of a few connectors equal the committed
``dist/<id>/<id>.element.json``.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from collections.abc import Callable
from functools import cache
from typing import Any

import pytest
from helpers import REPO

from catalyst_gen import contract, runtime
from catalyst_gen.build import load_connector
from catalyst_gen.condition import SuccessCondition
from catalyst_gen.contract import RuntimeContractError
from catalyst_gen.library import Project
from catalyst_gen.model import BodyCheck, Connector
from catalyst_gen.render import Property, modeler_properties

CONNECTOR_IDS = sorted(p.parent.name for p in (REPO / "connectors").glob("*/connector.yaml"))


@cache
def connector(connector_id: str) -> Connector:
    return load_connector(Project(REPO), connector_id)


def variants() -> list[tuple[str, Connector]]:
    """Every connector of the library, plus the auth types and settings no connector uses yet."""
    generic = connector("generic-rest")
    cases = [(cid, connector(cid)) for cid in CONNECTOR_IDS]
    for auth_type in contract.AUTH_TYPES:
        auth = dataclasses.replace(generic.auth, type=auth_type, header="X-Key", prefix="Token", optional=True)
        cases.append((f"generic-rest/{auth_type}", dataclasses.replace(generic, auth=auth)))
    ollama = connector("ollama")  # auth type none with key settings shown; editable, it binds them
    cases.append(("ollama/editable", dataclasses.replace(ollama, auth=dataclasses.replace(ollama.auth, editable=True))))
    for prefix in ("", contract.NO_PREFIX):  # a bare key, the prefix omitted or written `NONE` (shown in the README)
        auth = dataclasses.replace(generic.auth, type="apiKeyHeader", header="api-key", prefix=prefix)
        cases.append((f"generic-rest/bare-key-{prefix or 'omitted'}", dataclasses.replace(generic, auth=auth)))
    condition = SuccessCondition("data.state", "done ä", error_path='["x-err"]', error_code="NOT_DONE")
    check = BodyCheck(condition, "cause", "action")
    cases.append(("generic-rest/success-condition", dataclasses.replace(generic, body_check=check)))
    cases.append(
        (
            "generic-rest/GET-with-query",
            dataclasses.replace(generic, method="GET", payload_text="", query={"alt": "json", "q": 'ä|"x"'}),
        )
    )
    return cases


# The model value each setting stands for, read from the model here and not through the encoder.
MODEL_VALUE: dict[str, Callable[[Connector], Any]] = {
    "secretSource": lambda c: c.auth.default_source,
    "secretName": lambda c: c.auth.secret_name or None,
    "secretOptional": lambda c: c.auth.optional,
    "authType": lambda c: c.auth.type,
    # a `none` connector's header and prefix may be declared for its README only: then nothing is bound
    "authHeader": lambda c: (c.auth.header if c.auth.offers_key else "") or None,
    "authPrefix": lambda c: c.auth.sent_prefix if c.auth.offers_key else "",
    "requestPayload": lambda c: c.payload_text,
    "responseMapping": lambda c: {f.variable: f.path for f in c.response_fields},
    "errorMapping": lambda c: {e.status: e.code for e in c.errors},
    "successCondition": lambda c: c.body_check.condition if c.body_check else None,
    "retryStatuses": lambda c: frozenset(c.retry.statuses),
    "retryOn429": lambda c: c.extra_property("retryOn429") is None or c.extra_property("retryOn429").value == "true",
    "maxRetries": lambda c: c.retry.max_retries,
    "retryBackoffMs": lambda c: c.retry.backoff_ms,
    "retryMaxBackoffMs": lambda c: c.retry.max_backoff_ms,
    "endpointUrl": lambda c: c.endpoint_url,
    "httpMethod": lambda c: c.method,
    "extraHeaders": lambda c: c.headers,
    "queryParameters": lambda c: c.query,
    "timeoutSeconds": lambda c: c.timeout_seconds,
}


def bind(setting: contract.RuntimeInput, text: str) -> str | None:
    """What Camunda hands the delegate: an input parameter trimmed (empty -> null), a field string as is."""
    if setting.binding == contract.FIELD:
        return text
    return text.strip() or None


def test_model_values_cover_exactly_the_table():
    assert set(MODEL_VALUE) == {s.name for s in contract.BINDINGS}


@pytest.mark.parametrize("name, c", variants(), ids=[name for name, _ in variants()])
def test_every_setting_round_trips_through_its_encoder_and_decoder(name, c):
    for setting in contract.BINDINGS:
        decoded = setting.read(bind(setting, setting.encode(c)))
        assert decoded == MODEL_VALUE[setting.name](c), setting.name


MALFORMED = [
    (contract.TIMEOUT_SECONDS, "1.5", r"must be a whole number, got '1.5'"),
    (contract.TIMEOUT_SECONDS, "0", r"must be at least 1, got 0"),
    (contract.TIMEOUT_SECONDS, None, r"must be a whole number, got None"),
    (contract.MAX_RETRIES, "three", r"must be a whole number"),
    (contract.RETRY_BACKOFF_MS, "-1", r"must be at least 0"),
    (contract.RETRY_MAX_BACKOFF_MS, "0x10", r"must be a whole number"),
    (
        contract.AUTH_TYPE,
        "oauth",
        r"must be one of bearerToken, apiKeyHeader, basicAuth, apiKeyQuery, none; got 'oauth'",
    ),
    (contract.AUTH_TYPE, None, r"must be one of .*got None"),
    (contract.HTTP_METHOD, "get", r"must be one of GET, POST, PUT, PATCH, DELETE; got 'get'"),
    (contract.SECRET_SOURCE, "vault", r"must be one of env, file, properties, variable"),
    (contract.SECRET_OPTIONAL, "yes", r"must be one of true, false; got 'yes'"),
    (contract.ENDPOINT_URL, "api.example.com/v1", r"must be an absolute http\(s\) URL"),
    (contract.ENDPOINT_URL, "ftp://example.com/x", r"must be an absolute http\(s\) URL"),
    (contract.ENDPOINT_URL, "https:///path-only", r"must be an absolute http\(s\) URL"),
    (contract.EXTRA_HEADERS, "{not json", r"is not valid JSON"),
    (contract.EXTRA_HEADERS, '["X"]', r"must be a JSON object, got list"),
    (contract.EXTRA_HEADERS, '{"X": {"nested": 1}}', r"maps 'X' to a dict; the value must be a string or number"),
    (contract.QUERY_PARAMETERS, '{"q": null}', r"maps 'q' to a NoneType"),
    (contract.RESPONSE_MAPPING, '{"x": 1}', r"the path for 'x' is not a string"),
    (contract.RESPONSE_MAPPING, '{"x": "a..b"}', r"variable 'x': .*position"),
    (contract.ERROR_MAPPING, '{"4xx": "E"}', r"key '4xx' is not an HTTP status"),
    (contract.ERROR_MAPPING, '{"404": ""}', r"the code for 404 is not a non-empty string"),
    (contract.ERROR_MAPPING, '{"600": "E"}', r"key '600' is not an HTTP status"),
    (contract.SUCCESS_CONDITION, "{ok", r"is not valid JSON"),
    (contract.SUCCESS_CONDITION, '["ok"]', r"must be a JSON object, got list"),
    (contract.SUCCESS_CONDITION, '{"equals": true}', r"needs the key 'path'"),
    (contract.SUCCESS_CONDITION, '{"path": "ok"}', r"needs the key 'equals'"),
    (contract.SUCCESS_CONDITION, '{"path": "ok", "equals": true, "when": 1}', r"has unknown key 'when'"),
    (contract.SUCCESS_CONDITION, '{"path": "$.ok", "equals": true}', r"path: JSON path '\$\.ok' does not parse"),
    (contract.SUCCESS_CONDITION, '{"path": "ok", "equals": null}', r"equals: must be a JSON string, number or boolean"),
    (contract.SUCCESS_CONDITION, '{"path": "ok", "equals": [true]}', r"equals: must be a JSON string"),
    (contract.SUCCESS_CONDITION, '{"path": "ok", "equals": 1, "errorPath": "a..b"}', r"errorPath: JSON path"),
    (contract.SUCCESS_CONDITION, '{"path": "ok", "equals": 1, "errorCode": "2BAD"}', r"errorCode: BPMN error code"),
    (contract.SUCCESS_CONDITION, '{"path": "ok", "equals": NaN}', r"is not valid JSON"),
    (contract.RETRY_STATUSES, "429,abc", r"'abc' is not an HTTP status"),
    (contract.RETRY_STATUSES, "99", r"'99' is not an HTTP status"),
]


@pytest.mark.parametrize("setting, text, message", MALFORMED, ids=[f"{s.name}={t!r}" for s, t, _ in MALFORMED])
def test_decoders_refuse_malformed_text_with_the_contract_error(setting, text, message):
    with pytest.raises(RuntimeContractError, match=rf"^input parameter '{setting.name}' (.*: )?{message}"):
        setting.read(text)


@pytest.mark.parametrize(
    "setting, text, value",
    [
        (contract.RETRY_STATUSES, None, frozenset()),
        (contract.RETRY_STATUSES, " 429 , ,503", frozenset({429, 503})),
        (contract.SECRET_OPTIONAL, None, False),
        (contract.SECRET_SOURCE, None, None),
        (contract.AUTH_PREFIX, None, ""),
        (contract.AUTH_PREFIX, "NONE", ""),  # the published "no prefix": the key is sent bare
        (contract.AUTH_PREFIX, "Bearer", "Bearer"),
        (contract.EXTRA_HEADERS, None, {}),
        (contract.QUERY_PARAMETERS, '{"n": 2, "f": 1.5, "b": false}', {"n": "2", "f": "1.5", "b": "false"}),
        (contract.ENDPOINT_URL, "HTTPS://api.example.com", "HTTPS://api.example.com"),
    ],
)
def test_decoders_fill_in_what_absent_means(setting, text, value):
    assert setting.read(text) == value


def test_table_entries_are_complete():
    groups = {group for group, _ in contract.GROUPS}
    assert len({s.name for s in contract.BINDINGS}) == len(contract.BINDINGS)
    assert [s for s in contract.BINDINGS if s.binding == contract.FIELD] == [contract.PAYLOAD]
    assert contract.INPUT_NAMES == tuple(s.name for s in contract.INPUTS)
    for setting in contract.BINDINGS:
        assert setting.group in groups, setting.name
        assert setting.meaning.strip(), setting.name
        if setting.type != contract.HIDDEN:  # shown to users: the Modeler needs words
            assert setting.label and setting.description, setting.name
        if setting.type == contract.DROPDOWN:  # the Modeler offers exactly what the runtime accepts
            offered = {value for _, c in variants() for _, value in setting.choices_for(c)}
            assert offered, setting.name
            for value in offered:  # a Yes/No dropdown offers the texts of the runtime's flag
                expected = value == "true" if offered == {"true", "false"} else value
                assert setting.read(value) == expected
            with pytest.raises(RuntimeContractError):
                setting.read("not-a-choice")


def test_every_input_fills_one_field_of_the_runtime_task_config():
    fields = {f.name for f in dataclasses.fields(runtime.TaskConfig)}
    assert {s.field for s in contract.BINDINGS} | {"task_id", "raw", "local_variables"} == fields


def test_runtime_sends_the_key_for_exactly_the_contract_auth_types():
    assert set(runtime.SEND_KEY) == set(contract.AUTH_TYPES)
    assert set(contract.KEY_NAMED_AUTH_TYPES) <= set(contract.AUTH_TYPES)


def test_contract_stays_a_bottom_layer_module():
    code = (
        "import sys, catalyst_gen.contract; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('jinja2', 'lxml', 'httpx') or m in ('catalyst_gen.model', 'catalyst_gen.render', 'catalyst_gen.runtime')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert result.stdout.strip() == "[]"


# --------------------------------------------------------------------------
# The template properties of real connectors equal the committed artifacts
# --------------------------------------------------------------------------


def as_template_json(p: Property) -> dict[str, Any]:
    """A property as the element template writes it (Camunda 7 element-template keys)."""
    entry: dict[str, Any] = {"label": p.label, "description": p.description, "type": p.type, "value": p.value}
    entry = {key: value for key, value in entry.items() if value is not None}
    if p.choices:
        entry["choices"] = [{"name": name, "value": value} for name, value in p.choices]
    if p.group:
        entry["group"] = p.group
    constraints: dict[str, Any] = {"notEmpty": True} if p.not_empty else {}
    if p.pattern:
        constraints["pattern"] = {"value": p.pattern.regex, "message": p.pattern.message}
    if constraints:
        entry["constraints"] = constraints
    entry["binding"] = {"type": p.binding_type, "name": p.binding_name}
    if p.binding_type == contract.FIELD:
        entry["binding"]["expression"] = False
    return entry


@pytest.mark.parametrize("connector_id", ["together-ai", "webhook", "generic-rest", "ollama", "anthropic"])
def test_template_properties_equal_the_committed_element_template(connector_id):
    committed = json.loads((REPO / "dist" / connector_id / f"{connector_id}.element.json").read_text("utf-8"))
    properties = [as_template_json(p) for p in modeler_properties(connector(connector_id))]
    assert properties == committed["properties"]
    assert [list(p) for p in properties] == [list(p) for p in committed["properties"]]  # key order too
