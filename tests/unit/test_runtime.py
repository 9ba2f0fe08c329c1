"""Unit tests of the Python reference runtime (catalyst_gen/runtime.py) against a fake provider.

Requests go over real loopback HTTP to ``tests/fake_provider.py``; retries use
a recording ``sleep`` so no test waits for a backoff.  Input names are taken
from the contract table (``contract.AUTH_TYPE.name``), never retyped.
"""

from __future__ import annotations

import base64
import json
import re
import time

import httpx
import pytest
from fake_provider import CHAT_PATH, FakeProvider, chat_completion, error_body
from lxml import etree

from catalyst_gen import contract
from catalyst_gen import runtime as rt
from catalyst_gen.runtime import RuntimeContractError

SECRET = "sk-test-0123456789abcdef-DO-NOT-LEAK"
PAYLOAD = (
    '{"model": "meta-llama/Llama-3.3-70B-Instruct-Turbo", '
    '"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "${userMessage}"}], '
    '"max_tokens": ${maxTokens}}'
)

TOGETHER_INPUTS = {
    contract.ENDPOINT_URL.name: "https://api.together.xyz/v1/chat/completions",
    contract.HTTP_METHOD.name: "POST",
    contract.TIMEOUT_SECONDS.name: "60",
    contract.AUTH_TYPE.name: "bearerToken",
    contract.AUTH_HEADER.name: "Authorization",
    contract.AUTH_PREFIX.name: "Bearer",
    contract.SECRET_SOURCE.name: "env",
    contract.SECRET_NAME.name: "together_api_key",
    contract.RESPONSE_MAPPING.name: json.dumps(
        {
            "aiReply": "choices[0].message.content",
            "modelUsed": "model",
            "promptTokens": "usage.prompt_tokens",
            "completionTokens": "usage.completion_tokens",
            "finishReason": "choices[0].finish_reason",
        }
    ),
    contract.ERROR_MAPPING.name: json.dumps({"401": "AUTH_FAILED", "429": "RATE_LIMITED", "400": "INVALID_REQUEST"}),
    contract.RETRY_STATUSES.name: "429",
    contract.MAX_RETRIES.name: "3",
    contract.RETRY_BACKOFF_MS.name: "1000",
    contract.RETRY_MAX_BACKOFF_MS.name: "30000",
}

VARIABLES = {"userMessage": "Hello", "maxTokens": 64}


def task_element(inputs: dict[str, str | None] | None = None, payload: str | None = PAYLOAD, **overrides):
    """A bpmn:serviceTask element as the element template configures it."""
    values = {**(TOGETHER_INPUTS if inputs is None else inputs), **overrides}
    B, C = rt.BPMN_NS, rt.CAMUNDA_NS
    task = etree.Element(f"{{{B}}}serviceTask", nsmap={"bpmn": B, "camunda": C}, id="Task_Connector")
    ext = etree.SubElement(task, f"{{{B}}}extensionElements")
    if payload is not None:
        fld = etree.SubElement(ext, f"{{{C}}}field", name=contract.PAYLOAD_FIELD)
        etree.SubElement(fld, f"{{{C}}}string").text = payload
    io = etree.SubElement(ext, f"{{{C}}}inputOutput")
    for name, value in values.items():
        if value is not ...:  # ``...`` leaves the parameter out entirely
            etree.SubElement(io, f"{{{C}}}inputParameter", name=name).text = value
    return task


def config(**overrides) -> rt.TaskConfig:
    return rt.read_task_config(task_element(**overrides))


class Sleeps(list):
    """A ``sleep`` that records instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def run(fake: FakeProvider, cfg: rt.TaskConfig | None = None, variables=None, *, secret=SECRET, sleep=None):
    return rt.execute(
        cfg or config(),
        VARIABLES if variables is None else variables,
        secret=secret,
        base_url=fake.base_url,
        sleep=sleep if sleep is not None else Sleeps(),
    )


# --------------------------------------------------------------------------
# read_task_config
# --------------------------------------------------------------------------


def test_reads_payload_untouched_and_parses_inputs():
    cfg = config()
    assert cfg.task_id == "Task_Connector"
    assert cfg.payload == PAYLOAD  # placeholders reach the runtime as written
    assert cfg.http_method == "POST" and cfg.timeout_seconds == 60
    assert cfg.retry_statuses == {429} and cfg.max_retries == 3
    assert cfg.retry_backoff_ms == 1000 and cfg.retry_max_backoff_ms == 30000
    assert cfg.error_mapping == {401: "AUTH_FAILED", 429: "RATE_LIMITED", 400: "INVALID_REQUEST"}
    assert cfg.response_mapping["aiReply"] == "choices[0].message.content"
    assert cfg.extra_headers == {} and cfg.query_parameters == {}


def test_input_text_is_trimmed_and_empty_means_null_like_camunda():
    cfg = config(**{contract.TIMEOUT_SECONDS.name: "\n   30  \n", contract.AUTH_PREFIX.name: "   "})
    assert cfg.timeout_seconds == 30
    assert cfg.raw[contract.AUTH_PREFIX.name] is None and cfg.auth_prefix == ""


@pytest.mark.parametrize("name", [i.name for i in contract.INPUTS if i.required and i.name != "retryStatuses"])
def test_every_required_input_is_checked(name):
    with pytest.raises(RuntimeContractError, match=rf"'{name}' is missing"):
        config(**{name: ...})
    with pytest.raises(RuntimeContractError, match=rf"'{name}' is empty"):
        config(**{name: ""})


def test_empty_retry_statuses_means_no_retries():
    assert config(**{contract.RETRY_STATUSES.name: ""}).retry_statuses == frozenset()
    assert config(**{contract.RETRY_STATUSES.name: "429, 503"}).retry_statuses == {429, 503}


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({contract.MAX_RETRIES.name: "three"}, r"'maxRetries' must be a whole number"),
        ({contract.TIMEOUT_SECONDS.name: "1.5"}, r"'timeoutSeconds' must be a whole number"),
        ({contract.RETRY_BACKOFF_MS.name: "-1"}, r"'retryBackoffMs' must be at least 0"),
        ({contract.RETRY_STATUSES.name: "429,abc"}, r"'abc' is not an HTTP status"),
        ({contract.RESPONSE_MAPPING.name: "{not json"}, r"'responseMapping' is not valid JSON"),
        ({contract.RESPONSE_MAPPING.name: "[1]"}, r"'responseMapping' must be a JSON object"),
        ({contract.RESPONSE_MAPPING.name: '{"x": "a..b"}'}, r"variable 'x'.*position"),
        ({contract.ERROR_MAPPING.name: '{"4xx": "E"}'}, r"'4xx' is not an HTTP status"),
        ({contract.EXTRA_HEADERS.name: '{"X": {"nested": 1}}'}, r"'extraHeaders'.*string or number"),
        ({contract.HTTP_METHOD.name: "FETCH"}, r"'httpMethod' must be one of GET, POST"),
        ({contract.AUTH_TYPE.name: "oauth"}, r"'authType' must be one of"),
        ({contract.SECRET_SOURCE.name: "vault"}, r"'secretSource' must be one of"),
        ({contract.ENDPOINT_URL.name: "api.together.xyz/v1"}, r"absolute http\(s\) URL"),
        ({contract.AUTH_HEADER.name: ...}, r"needs input parameter 'authHeader'"),
        ({contract.EXTRA_HEADERS.name: '{"X-Model": "${model}"}'}, r"'extraHeaders' contains an expression"),
    ],
)
def test_invalid_inputs_are_refused_with_a_clear_message(overrides, message):
    with pytest.raises(RuntimeContractError, match=message) as info:
        config(**overrides)
    assert "Task_Connector" in str(info.value)


def test_payload_must_be_a_string_field():
    task = task_element()
    fld = task.find("bpmn:extensionElements/camunda:field", rt.NSMAP)
    fld.remove(fld[0])
    etree.SubElement(fld, f"{{{rt.CAMUNDA_NS}}}expression").text = PAYLOAD
    with pytest.raises(RuntimeContractError, match="camunda:string"):
        rt.read_task_config(task)


def test_payload_field_may_use_string_value_attribute_and_may_be_absent():
    task = task_element(payload=None)
    assert rt.read_task_config(task).payload is None
    ext = task.find("bpmn:extensionElements", rt.NSMAP)
    etree.SubElement(ext, f"{{{rt.CAMUNDA_NS}}}field", name=contract.PAYLOAD_FIELD, stringValue='{"a": 1}')
    assert rt.read_task_config(task).payload == '{"a": 1}'


# --------------------------------------------------------------------------
# Auth
# --------------------------------------------------------------------------


def test_bearer_token_header_with_prefix(fake_provider):
    outcome = run(fake_provider)
    assert outcome.success
    assert fake_provider.requests[0].headers["authorization"] == f"Bearer {SECRET}"
    assert fake_provider.requests[0].headers["content-type"] == "application/json"


@pytest.mark.parametrize("prefix", ["", "NONE"])
def test_api_key_header_without_prefix_sends_the_bare_key(fake_provider, prefix):
    cfg = config(
        **{
            contract.AUTH_TYPE.name: "apiKeyHeader",
            contract.AUTH_HEADER.name: "X-Api-Key",
            contract.AUTH_PREFIX.name: prefix,
        }
    )
    run(fake_provider, cfg)
    headers = fake_provider.requests[0].headers
    assert headers["x-api-key"] == SECRET
    assert "authorization" not in headers


def test_api_key_header_with_custom_prefix(fake_provider):
    cfg = config(
        **{
            contract.AUTH_TYPE.name: "apiKeyHeader",
            contract.AUTH_HEADER.name: "Authorization",
            contract.AUTH_PREFIX.name: "Token",
        }
    )
    run(fake_provider, cfg)
    assert fake_provider.requests[0].headers["authorization"] == f"Token {SECRET}"


def test_basic_auth_sends_user_and_password(fake_provider):
    cfg = config(
        **{contract.AUTH_TYPE.name: "basicAuth", contract.AUTH_HEADER.name: None, contract.AUTH_PREFIX.name: None}
    )
    run(fake_provider, cfg, secret="alice:s3cr3t:with-colon")
    expected = base64.b64encode(b"alice:s3cr3t:with-colon").decode()
    assert fake_provider.requests[0].headers["authorization"] == f"Basic {expected}"


def test_basic_auth_secret_without_colon_is_a_contract_error(fake_provider):
    cfg = config(**{contract.AUTH_TYPE.name: "basicAuth"})
    with pytest.raises(RuntimeContractError, match="user:password") as info:
        run(fake_provider, cfg, secret="no-colon-here")
    assert "no-colon-here" not in str(info.value)
    assert fake_provider.requests == []


def test_api_key_query_parameter_and_extra_headers_and_query_parameters(fake_provider):
    cfg = config(
        **{
            contract.AUTH_TYPE.name: "apiKeyQuery",
            contract.AUTH_HEADER.name: "key",
            contract.AUTH_PREFIX.name: None,
            contract.EXTRA_HEADERS.name: '{"X-Client": "catalyst", "Authorization": "overridden?"}',
            contract.QUERY_PARAMETERS.name: '{"alt": "json", "n": 2, "stream": false}',
        }
    )
    run(fake_provider, cfg)
    request = fake_provider.requests[0]
    path, _, query = request.path.partition("?")
    assert path == CHAT_PATH
    assert dict(httpx.QueryParams(query)) == {"alt": "json", "n": "2", "stream": "false", "key": SECRET}
    assert request.headers["x-client"] == "catalyst"
    assert request.headers["authorization"] == "overridden?"  # apiKeyQuery sends no auth header


def test_auth_type_none_sends_no_credentials_and_needs_no_secret(fake_provider):
    cfg = config(
        **{
            contract.AUTH_TYPE.name: "none",
            contract.SECRET_SOURCE.name: ...,
            contract.SECRET_NAME.name: ...,
            contract.AUTH_HEADER.name: None,
        }
    )
    assert cfg.secret_source is None  # no secret, so secretSource may be left out
    assert rt.resolve_secret(cfg, environ={}) is None
    outcome = run(fake_provider, cfg, secret=None)
    assert outcome.success
    assert "authorization" not in fake_provider.requests[0].headers


def test_auth_type_none_sends_nothing_whatever_else_is_bound(fake_provider):
    """A task bound with a header, prefix and secret (e.g. edited in the Modeler) still sends no credential
    while its authType is none: the runtime reads no secret at all."""
    cfg = config(**{contract.AUTH_TYPE.name: "none"})
    assert (cfg.auth_header, cfg.auth_prefix, cfg.secret_name) == ("Authorization", "Bearer", "together_api_key")
    assert rt.resolve_secret(cfg, environ={"TOGETHER_API_KEY": SECRET}) is None
    outcome = run(fake_provider, cfg, secret=None)
    assert outcome.success
    assert "authorization" not in fake_provider.requests[0].headers


def test_base_url_keeps_the_endpoint_path(fake_provider):
    run(fake_provider)
    assert fake_provider.requests[0].path == "/v1/chat/completions"
    assert rt._target_url("https://api.together.xyz/v1/chat/completions?x=1", "http://127.0.0.1:8123") == (
        "http://127.0.0.1:8123/v1/chat/completions?x=1"
    )


# --------------------------------------------------------------------------
# Secrets
# --------------------------------------------------------------------------


def test_secret_from_env_uses_the_contract_variable_name():
    cfg = config()
    env = {contract.env_var_name("together_api_key"): SECRET, "together_api_key": "wrong"}
    assert rt.resolve_secret(cfg, environ=env) == SECRET
    with pytest.raises(RuntimeContractError, match="'env'.*environment variable TOGETHER_API_KEY"):
        rt.resolve_secret(cfg, environ={"together_api_key": "wrong"})


def test_secret_from_file_strips_the_trailing_newline(tmp_path):
    (tmp_path / "together_api_key").write_text(SECRET + " \n")
    cfg = config(**{contract.SECRET_SOURCE.name: "file"})
    assert rt.resolve_secret(cfg, environ={}, secrets_dir=tmp_path) == SECRET
    with pytest.raises(RuntimeContractError, match=re.escape(str(tmp_path / "elsewhere" / "together_api_key"))):
        rt.resolve_secret(cfg, environ={}, secrets_dir=tmp_path / "elsewhere")


def test_secret_file_name_cannot_escape_the_secrets_dir(tmp_path):
    cfg = config(**{contract.SECRET_SOURCE.name: "file", contract.SECRET_NAME.name: "../etc/passwd"})
    with pytest.raises(RuntimeContractError, match="plain file name"):
        rt.resolve_secret(cfg, environ={}, secrets_dir=tmp_path)


def test_secret_from_properties_file(tmp_path):
    props = tmp_path / contract.PROPERTIES_FILE
    props.write_text(
        "# comment\n! other comment\nother.key = nope\n"
        f"  together_api_key : {SECRET}\n"
        "with\\ space=a\\tb\\u00e9\\\n    continued\n"
    )
    cfg = config(**{contract.SECRET_SOURCE.name: "properties"})
    assert rt.resolve_secret(cfg, environ={}, properties_path=props) == SECRET
    other = config(**{contract.SECRET_SOURCE.name: "properties", contract.SECRET_NAME.name: "with space"})
    assert rt.resolve_secret(other, environ={}, properties_path=props) == "a\tbécontinued"
    missing = config(**{contract.SECRET_SOURCE.name: "properties", contract.SECRET_NAME.name: "absent"})
    with pytest.raises(RuntimeContractError, match=rf"key 'absent' in {re.escape(str(props))}"):
        rt.resolve_secret(missing, environ={}, properties_path=props)


def test_properties_default_path_is_in_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / contract.PROPERTIES_FILE).write_text(f"together_api_key={SECRET}\n")
    assert rt.resolve_secret(config(**{contract.SECRET_SOURCE.name: "properties"}), environ={}) == SECRET
    (tmp_path / contract.PROPERTIES_FILE).unlink()
    with pytest.raises(RuntimeContractError, match="does not exist"):
        rt.resolve_secret(config(**{contract.SECRET_SOURCE.name: "properties"}), environ={})


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a=1\nb: 2\nc 3\n", {"a": "1", "b": "2", "c": "3"}),
        ("# x=1\n! y=2\n\n   \nz=3", {"z": "3"}),
        ("k\\=ey=v\\:al\\\\ue", {"k=ey": "v:al\\ue"}),
        ("k = a \\\n   b \\\n c", {"k": "a b c"}),
        ("#comment \\\nk=v", {"k": "v"}),  # a comment line does not continue
        ("k=\\u0041\\uD83D\\uDE00", {"k": "A😀"}),
        ("k=1\nk=2\r\nj=3\rl", {"k": "2", "j": "3", "l": ""}),
    ],
)
def test_java_properties_parser(text, expected):
    assert rt.load_java_properties(text) == expected


def test_java_properties_parser_refuses_a_malformed_unicode_escape():
    with pytest.raises(ValueError, match="uXXXX"):
        rt.load_java_properties("k=\\u12G4")


def test_secret_from_variable_is_the_literal_name():
    cfg = config(**{contract.SECRET_SOURCE.name: "variable", contract.SECRET_NAME.name: "dev-key-123"})
    assert rt.resolve_secret(cfg, environ={}) == "dev-key-123"


# --------------------------------------------------------------------------
# Placeholders
# --------------------------------------------------------------------------

TRICKY = 'He said "hi" \\ then left.\nNew line\ttab, emoji 😀, ${notAPlaceholder}, </script>'


def test_json_safe_substitution_reaches_the_provider_intact(fake_provider):
    outcome = run(fake_provider, variables={"userMessage": TRICKY, "maxTokens": 64})
    sent = fake_provider.requests[0].json
    assert sent["messages"][1]["content"] == TRICKY
    assert sent["max_tokens"] == 64  # outside a string: a JSON number
    assert outcome.variables["aiReply"] == f"echo: {TRICKY}"


def test_substitution_inside_and_outside_strings():
    template = '{"s": "n=${n} b=${b} x=${x} o=${o}", "n": ${n}, "b": ${b}, "x": ${x}, "o": ${o}, "t": ${t}}'
    values = {"n": 3, "b": True, "x": None, "o": {"k": ["v"]}, "t": 'q"'}
    result = json.loads(rt.substitute_placeholders(template, values))
    assert result == {
        "s": 'n=3 b=true x=null o={"k": ["v"]}',
        "n": 3,
        "b": True,
        "x": None,
        "o": {"k": ["v"]},
        "t": 'q"',
    }


def test_escaped_quote_in_template_string_keeps_string_state():
    template = '{"s": "say \\"${m}\\" now", "n": ${n}}'
    assert json.loads(rt.substitute_placeholders(template, {"m": 'a"b', "n": 1})) == {"s": 'say "a"b" now', "n": 1}


def test_missing_variable_is_a_contract_error(fake_provider):
    with pytest.raises(RuntimeContractError, match=r"\$\{userMessage\}"):
        run(fake_provider, variables={"maxTokens": 1})
    assert fake_provider.requests == []


def test_result_must_be_valid_json():
    with pytest.raises(RuntimeContractError, match="not valid JSON"):
        rt.substitute_placeholders('{"a": ${x} ${x}}', {"x": 1})


def test_malformed_placeholders_are_left_alone():
    assert json.loads(rt.substitute_placeholders('{"a": "${ x} ${1x} $x"}', {})) == {"a": "${ x} ${1x} $x"}


# --------------------------------------------------------------------------
# Responses, mapping, retries, errors
# --------------------------------------------------------------------------


def test_success_sets_standard_and_mapped_variables(fake_provider):
    fake_provider.enqueue(
        200, chat_completion("Hi there", model="m-1", finish_reason="length", prompt_tokens=5, completion_tokens=9)
    )
    outcome = run(fake_provider)
    v = outcome.variables
    assert v[contract.SUCCESS.name] is True and v[contract.STATUS_CODE.name] == 200 and v[contract.ERROR.name] is None
    assert json.loads(v[contract.RESPONSE_BODY.name])["id"] == "fake-chatcmpl-0001"
    assert (v["aiReply"], v["modelUsed"], v["promptTokens"], v["completionTokens"], v["finishReason"]) == (
        "Hi there",
        "m-1",
        5,
        9,
        "length",
    )
    assert outcome.bpmn_error is None and outcome.attempts == 1


def test_absent_mapping_path_sets_null(fake_provider):
    fake_provider.enqueue(200, {"model": "m", "choices": []})
    v = run(fake_provider).variables
    assert v["modelUsed"] == "m"
    assert v["aiReply"] is None and v["promptTokens"] is None


def test_non_json_success_body_maps_to_null(fake_provider):
    fake_provider.enqueue(200, "plain text")
    v = run(fake_provider).variables
    assert v[contract.SUCCESS.name] is True and v[contract.RESPONSE_BODY.name] == "plain text" and v["aiReply"] is None


ACCEPTED_EMPTY = {"Content-Type": "application/json"}
"""A 202 whose (empty) body is labelled JSON: only a runtime that parses it anyway would stumble."""


@pytest.mark.parametrize("headers", [ACCEPTED_EMPTY, {"Content-Type": "text/plain; charset=utf-8"}])
def test_accepted_with_an_empty_body_and_no_mapping_is_a_success(fake_provider, headers):
    """SendGrid's v3 Mail API: 202 Accepted, no body, nothing to map (issue #11)."""
    fake_provider.enqueue(202, b"", headers=headers)
    cfg = config(**{contract.RESPONSE_MAPPING.name: "{}"})
    assert cfg.response_mapping == {}
    outcome = run(fake_provider, cfg)
    assert outcome.variables == {
        contract.RESPONSE_BODY.name: "",
        contract.STATUS_CODE.name: 202,
        contract.SUCCESS.name: True,
        contract.ERROR.name: None,
    }
    assert outcome.success and outcome.bpmn_error is None and outcome.attempts == 1
    text = rt.format_outcome(outcome)
    assert re.search(r"catalyst_statusCode\s+= 202", text) and "No BPMN error" in text


def test_accepted_with_an_empty_body_sets_mapped_variables_to_null(fake_provider):
    fake_provider.enqueue(202, b"", headers=ACCEPTED_EMPTY)
    outcome = run(fake_provider)
    assert outcome.success and outcome.variables["aiReply"] is None


def test_retry_with_exponential_backoff_then_success(fake_provider):
    fake_provider.enqueue(429, times=2)
    sleeps = Sleeps()
    outcome = run(fake_provider, sleep=sleeps)
    assert sleeps == [1.0, 2.0]  # retryBackoffMs * 2**attempt
    assert outcome.delays == sleeps and outcome.attempts == 3 and len(fake_provider.requests) == 3
    assert outcome.success and outcome.bpmn_error is None


def test_retry_after_header_takes_precedence(fake_provider):
    fake_provider.enqueue(429, headers={"Retry-After": "7"})
    fake_provider.enqueue(429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})  # not seconds: backoff
    fake_provider.enqueue(429, headers={"Retry-After": "120"})  # capped at retryMaxBackoffMs
    sleeps = Sleeps()
    outcome = run(fake_provider, sleep=sleeps)
    assert sleeps == [7.0, 2.0, 30.0]
    assert outcome.success


def test_backoff_is_capped(fake_provider):
    fake_provider.enqueue(429, times=3)
    sleeps = Sleeps()
    run(
        fake_provider,
        config(**{contract.RETRY_BACKOFF_MS.name: "400", contract.RETRY_MAX_BACKOFF_MS.name: "1000"}),
        sleep=sleeps,
    )
    assert sleeps == [0.4, 0.8, 1.0]


def test_retries_exhausted_throws_the_mapped_error(fake_provider):
    fake_provider.enqueue(429, error_body("slow down", type_="rate_limit"), times=4)
    sleeps = Sleeps()
    outcome = run(fake_provider, sleep=sleeps)
    assert len(fake_provider.requests) == 4 and sleeps == [1.0, 2.0, 4.0]
    assert outcome.bpmn_error == rt.BpmnError("RATE_LIMITED", outcome.variables[contract.ERROR.name])
    assert outcome.variables[contract.STATUS_CODE.name] == 429 and outcome.variables[contract.SUCCESS.name] is False
    assert (
        outcome.variables[contract.ERROR.name].startswith("HTTP 429: ")
        and "slow down" in outcome.variables[contract.ERROR.name]
    )
    assert "aiReply" not in outcome.variables  # mapping only on 2xx


def test_non_retryable_status_is_not_retried(fake_provider):
    fake_provider.enqueue(400, error_body("bad messages"))
    sleeps = Sleeps()
    outcome = run(fake_provider, sleep=sleeps)
    assert sleeps == [] and len(fake_provider.requests) == 1
    assert outcome.bpmn_error.code == "INVALID_REQUEST"


def test_unauthorized_is_mapped_and_error_message_is_short(fake_provider):
    fake_provider.enqueue(401, error_body("Invalid API key " + "x" * 1000))
    outcome = run(fake_provider)
    assert outcome.bpmn_error.code == "AUTH_FAILED"
    message = outcome.variables[contract.ERROR.name]
    assert message.startswith("HTTP 401: ") and "Invalid API key" in message
    assert len(message) <= len("HTTP 401: ") + rt.ERROR_EXCERPT_CHARS
    assert outcome.bpmn_error.message == message


def test_unmapped_server_error_completes_without_bpmn_error(fake_provider):
    fake_provider.enqueue(500, "upstream exploded")
    outcome = run(fake_provider)
    assert outcome.bpmn_error is None
    assert outcome.variables[contract.SUCCESS.name] is False and outcome.variables[contract.STATUS_CODE.name] == 500
    assert outcome.variables[contract.ERROR.name] == "HTTP 500: upstream exploded"
    assert outcome.variables[contract.RESPONSE_BODY.name] == "upstream exploded"


def test_timeout_completes_with_null_status(fake_provider):
    fake_provider.enqueue(200, delay=3)
    started = time.monotonic()
    outcome = run(fake_provider, config(**{contract.TIMEOUT_SECONDS.name: "1"}))
    assert time.monotonic() - started < 2.5  # the 1 s timeout was applied, not httpx's default
    assert outcome.variables[contract.STATUS_CODE.name] is None and outcome.variables[contract.SUCCESS.name] is False
    assert outcome.variables[contract.RESPONSE_BODY.name] is None
    assert "timed out after 1 s" in outcome.variables[contract.ERROR.name]
    assert outcome.bpmn_error is None


def test_transport_error_completes_with_the_message():
    def refuse(request):
        raise httpx.ConnectError("connection refused")

    outcome = rt.execute(config(), VARIABLES, secret=SECRET, client=httpx.MockTransport(refuse), sleep=Sleeps())
    assert outcome.variables == {
        contract.RESPONSE_BODY.name: None,
        contract.STATUS_CODE.name: None,
        contract.SUCCESS.name: False,
        contract.ERROR.name: "ConnectError: connection refused",
    }


# --------------------------------------------------------------------------
# JSON paths
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, steps",
    [
        ("model", ("model",)),
        ("usage.prompt_tokens", ("usage", "prompt_tokens")),
        ("choices[0].message.content", ("choices", 0, "message", "content")),
        ("[0].id", (0, "id")),
        ("data[12][3]", ("data", 12, 3)),
        ('headers["x-request.id"]', ("headers", "x-request.id")),
    ],
)
def test_parse_valid_json_paths(path, steps):
    assert rt.parse_json_path(path) == steps


@pytest.mark.parametrize(
    "path, position",
    [("a.", 3), ("a..b", 3), ("a b", 2), ("a[01]", 2), ("a[-1]", 2), ("1a", 1), ("a]", 2), ("a[0", 2)],
)
def test_parse_invalid_json_paths_names_the_position(path, position):
    with pytest.raises(ValueError, match=rf"position {position}\b"):
        rt.parse_json_path(path)


def test_empty_json_path_is_invalid():
    with pytest.raises(ValueError):
        rt.parse_json_path("")


def test_resolve_json_path():
    doc = {"choices": [{"message": {"content": "x"}}], "a": {"0": 1}}
    assert rt.resolve_json_path(doc, "choices[0].message.content") == "x"
    assert rt.resolve_json_path(doc, "choices[1].message") is None
    assert rt.resolve_json_path(doc, "a[0]") is None  # an index never enters an object
    assert rt.resolve_json_path([{"id": 7}], "[0].id") == 7


# --------------------------------------------------------------------------
# The secret never leaks; try_connector / format_outcome
# --------------------------------------------------------------------------


def _bpmn_bytes(task: etree._Element) -> bytes:
    B = rt.BPMN_NS
    defs = etree.Element(f"{{{B}}}definitions", nsmap={"bpmn": B, "camunda": rt.CAMUNDA_NS})
    process = etree.SubElement(defs, f"{{{B}}}process", id="P", isExecutable="true")
    process.append(task)
    return etree.tostring(defs)


def test_secret_echoed_by_the_provider_never_reaches_variables_or_output(fake_provider):
    fake_provider.enqueue(401, error_body(f"Invalid API key {SECRET} for Bearer {SECRET}"))
    outcome = rt.try_connector(
        _bpmn_bytes(task_element()),
        dict(VARIABLES),
        base_url=fake_provider.base_url,
        environ={"TOGETHER_API_KEY": SECRET},
    )
    assert fake_provider.requests[0].headers["authorization"] == f"Bearer {SECRET}"  # it was really sent
    text = rt.format_outcome(outcome)
    assert (
        SECRET not in text and SECRET not in json.dumps(outcome.variables) and SECRET not in outcome.bpmn_error.message
    )
    assert "***" in outcome.variables[contract.ERROR.name]
    assert "AUTH_FAILED" in text and "catalyst_statusCode" in text and "401" in text


def test_basic_auth_password_is_redacted_too(fake_provider):
    fake_provider.enqueue(500, "user alice with password hunter2hunter2 rejected")
    cfg = config(**{contract.AUTH_TYPE.name: "basicAuth"})
    outcome = run(fake_provider, cfg, secret="alice:hunter2hunter2")
    assert "hunter2hunter2" not in rt.format_outcome(outcome)


def test_try_connector_happy_path_and_format(fake_provider):
    outcome = rt.try_connector(
        _bpmn_bytes(task_element()),
        {"userMessage": "Ping", "maxTokens": 8},
        base_url=fake_provider.base_url,
        environ={"TOGETHER_API_KEY": SECRET},
    )
    text = rt.format_outcome(outcome)
    assert outcome.variables["aiReply"] == "echo: Ping"
    assert re.search(r'aiReply\s+= "echo: Ping"', text)
    assert "No BPMN error" in text and SECRET not in text


def test_try_connector_reports_missing_secret_without_calling(fake_provider):
    with pytest.raises(RuntimeContractError, match="TOGETHER_API_KEY"):
        rt.try_connector(_bpmn_bytes(task_element()), dict(VARIABLES), base_url=fake_provider.base_url, environ={})
    assert fake_provider.requests == []


def test_try_connector_needs_exactly_one_connector_task():
    B = rt.BPMN_NS
    defs = etree.fromstring(_bpmn_bytes(task_element()))
    second = task_element()
    second.set("id", "Task_Other")
    defs.find(f"{{{B}}}process").append(second)
    with pytest.raises(RuntimeContractError, match="'Task_Connector', 'Task_Other'"):
        rt.try_connector(etree.tostring(defs), {}, environ={})


# --------------------------------------------------------------------------
# Optional secrets and requests without a body
# --------------------------------------------------------------------------


def test_optional_secret_that_is_missing_sends_no_credentials(fake_provider):
    cfg = config(**{contract.SECRET_OPTIONAL.name: "true"})
    assert rt.resolve_secret(cfg, environ={}) is None
    outcome = run(fake_provider, cfg, secret=None)
    assert outcome.success
    assert "authorization" not in fake_provider.requests[0].headers


def test_optional_secret_that_is_present_is_sent(fake_provider):
    cfg = config(**{contract.SECRET_OPTIONAL.name: "true"})
    secret = rt.resolve_secret(cfg, environ={"TOGETHER_API_KEY": "k-1"})
    run(fake_provider, cfg, secret=secret)
    assert fake_provider.requests[0].headers["authorization"] == "Bearer k-1"


def test_required_secret_that_is_missing_is_still_an_error():
    with pytest.raises(rt.RuntimeContractError, match="TOGETHER_API_KEY"):
        rt.resolve_secret(config(), environ={})
    with pytest.raises(rt.RuntimeContractError, match="secretOptional"):
        config(**{contract.SECRET_OPTIONAL.name: "yes"})


def test_empty_payload_sends_no_body(fake_provider):
    cfg = config(payload="", **{contract.HTTP_METHOD.name: "GET"})
    run(fake_provider, cfg)
    request = fake_provider.requests[0]
    assert request.method == "GET" and request.body == b""
    assert "content-type" not in request.headers
