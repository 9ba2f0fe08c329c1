"""Python reference of the Catalyst runtime JAR.

The JAR (Java, not ours) is the ``camunda:class`` delegate that executes a
Camunda 7 service task configured by one of our element templates.  This
module says, in small readable Python, what that delegate does with the task,
so that

* the tests can run the generated example BPMN end to end against a fake
  provider (``tests/test_engine.py``),
* ``catalyst-gen try <id>`` can show what a connector would set, and
* the response-mapping paths mean here what the spec validator accepted
  (:func:`parse_json_path` is re-exported from :mod:`catalyst_gen.jsonpath`,
  the one parser both use).

Every name the JAR reads or writes comes from :mod:`catalyst_gen.contract`;
the constants below are looked up there at import time (:func:`_input`,
:func:`_standard`, :func:`_member`), so renaming something in the contract
breaks this module at import instead of silently drifting.

The flow of one task execution::

    read_task_config(element)          # what Camunda binds from the BPMN
    resolve_secret(config, ...)        # env / file / properties / variable
    execute(config, variables, ...)    # substitute, send, retry, map
      -> Outcome(variables, bpmn_error)

Errors of *configuration* (a missing input, an unparsable number, a missing
secret or process variable) raise :class:`RuntimeContractError`: in Camunda the
delegate throws and the job becomes an incident.  Errors of the *call* (an HTTP
error status, a timeout) are not exceptions: they complete the task with
``catalyst_success = false`` and, when the status is mapped, a BPMN error.

The secret never leaves :func:`resolve_secret` except into the request: any
text the outcome carries (response body, error message, mapped values) is
scrubbed of it, and nothing here logs it.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from lxml import etree

from . import contract
from .grammar import PLACEHOLDER
from .jsonpath import JsonPathError, parse_json_path  # noqa: F401  (JsonPathError is re-exported with the parser)
from .jsonpath import resolve as _resolve_parsed_path

log = logging.getLogger(__name__)

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
NSMAP = {"bpmn": BPMN_NS, "camunda": CAMUNDA_NS}


class RuntimeContractError(Exception):
    """The task or its environment breaks the runtime contract.

    Raised for what would be an *incident* in Camunda (the delegate throws):
    a missing or malformed input parameter, a secret that cannot be found, a
    payload placeholder without a process variable.  Messages name the input,
    source or variable at fault and where the runtime looked, never a secret.
    """


# --------------------------------------------------------------------------
# Names, checked against the contract at import time
# --------------------------------------------------------------------------


def _member(value: str, allowed: tuple[str, ...]) -> str:
    """Return ``value`` after checking the contract lists it (fails at import otherwise)."""
    if value not in allowed:
        raise ImportError(f"{value!r} is not in the runtime contract {allowed!r}")
    return value


def _input(name: str) -> str:
    return _member(name, contract.INPUT_NAMES)


def _standard(name: str) -> str:
    return _member(name, tuple(v.name for v in contract.STANDARD_VARIABLES))


ENDPOINT_URL = _input("endpointUrl")
HTTP_METHOD = _input("httpMethod")
TIMEOUT_SECONDS = _input("timeoutSeconds")
AUTH_TYPE = _input("authType")
AUTH_HEADER = _input("authHeader")
AUTH_PREFIX = _input("authPrefix")
SECRET_SOURCE = _input("secretSource")
SECRET_NAME = _input("secretName")
SECRET_OPTIONAL = _input("secretOptional")
EXTRA_HEADERS = _input("extraHeaders")
QUERY_PARAMETERS = _input("queryParameters")
RESPONSE_MAPPING = _input("responseMapping")
ERROR_MAPPING = _input("errorMapping")
RETRY_STATUSES = _input("retryStatuses")
MAX_RETRIES = _input("maxRetries")
RETRY_BACKOFF_MS = _input("retryBackoffMs")
RETRY_MAX_BACKOFF_MS = _input("retryMaxBackoffMs")

RESPONSE_BODY = _standard("catalyst_responseBody")
STATUS_CODE = _standard("catalyst_statusCode")
SUCCESS = _standard("catalyst_success")
ERROR = _standard("catalyst_error")

AUTH_BEARER = _member("bearerToken", contract.AUTH_TYPES)
AUTH_API_KEY_HEADER = _member("apiKeyHeader", contract.AUTH_TYPES)
AUTH_BASIC = _member("basicAuth", contract.AUTH_TYPES)
AUTH_API_KEY_QUERY = _member("apiKeyQuery", contract.AUTH_TYPES)
AUTH_NONE = _member("none", contract.AUTH_TYPES)

SOURCE_ENV = _member("env", contract.SECRET_SOURCES)
SOURCE_FILE = _member("file", contract.SECRET_SOURCES)
SOURCE_PROPERTIES = _member("properties", contract.SECRET_SOURCES)
SOURCE_VARIABLE = _member("variable", contract.SECRET_SOURCES)

ERROR_EXCERPT_CHARS = 200
"""How much of an error response body goes into ``catalyst_error``."""


# --------------------------------------------------------------------------
# JSON paths (one grammar, shared with the generator's validator)
# --------------------------------------------------------------------------

# The dialect lives in catalyst_gen.jsonpath so the spec validator and this
# runtime cannot disagree on what a path means; ``parse_json_path`` and
# ``JsonPathError`` are re-exported from there (grammar: that module's docstring).


def resolve_json_path(document: Any, path: str) -> Any:
    """Follow a response-mapping ``path`` into a parsed JSON document; ``None`` when any step is absent.

    A key step only enters an object and an index step only enters an array,
    so ``a[0]`` on ``{"a": {"0": 1}}`` is absent.
    """
    return _resolve_parsed_path(document, path)


# --------------------------------------------------------------------------
# Reading the task as Camunda binds it
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskConfig:
    """What the delegate sees of one service task, validated and parsed.

    ``raw`` keeps the input parameters exactly as bound (``None`` for an empty
    parameter); the other fields are their parsed forms.
    """

    task_id: str | None
    payload: str | None
    raw: Mapping[str, str | None]
    endpoint_url: str
    http_method: str
    timeout_seconds: int
    auth_type: str
    auth_header: str | None
    auth_prefix: str
    secret_source: str | None
    secret_name: str | None
    secret_optional: bool
    extra_headers: Mapping[str, str]
    query_parameters: Mapping[str, str]
    response_mapping: Mapping[str, str]
    error_mapping: Mapping[int, str]
    retry_statuses: frozenset[int]
    max_retries: int
    retry_backoff_ms: int
    retry_max_backoff_ms: int


def _bound_text(element: etree._Element) -> str | None:
    """The value Camunda binds for a text-only parameter: trimmed text, ``None`` when empty.

    Camunda 7 (``BpmnParseUtil.parseParamValueProvider``) trims the text and
    binds ``null`` for an empty parameter; child elements (``camunda:list``,
    ``camunda:map``, ``camunda:script``) are other value providers that the
    runtime contract does not use.
    """
    children = [c for c in element if isinstance(c.tag, str)]
    if children:
        raise RuntimeContractError(
            f"input parameter {element.get('name')!r} has a <{etree.QName(children[0]).localname}> child; "
            "the runtime reads plain text only"
        )
    text = (element.text or "").strip()
    return text or None


def _payload_text(field_element: etree._Element) -> str | None:
    """Text of a string field: the ``stringValue`` attribute or the ``<camunda:string>`` child."""
    if field_element.get("stringValue") is not None:
        return field_element.get("stringValue")
    string = field_element.find("camunda:string", NSMAP)
    if string is None:
        raise RuntimeContractError(
            f"camunda:field {contract.PAYLOAD_FIELD!r} must be a <camunda:string> (an <expression> "
            "would be evaluated by Camunda before the runtime can escape it)"
        )
    return string.text or ""


def read_task_config(service_task_element: etree._Element) -> TaskConfig:
    """Read and validate the payload field and input parameters of a service task.

    Reads what Camunda 7 binds for the delegate: the ``camunda:field`` named
    :data:`contract.PAYLOAD_FIELD` (its ``<camunda:string>`` text, untouched,
    because the runtime substitutes placeholders itself) and every
    ``camunda:inputParameter`` of the task's own ``camunda:inputOutput`` (trimmed
    text, empty -> ``None``).  Then checks the contract: required inputs present
    and non-empty, enumerations known, numbers and JSON parse, mapping paths
    valid.  An input containing ``${`` or ``#{`` is refused: Camunda would
    evaluate it as a JUEL expression, which is exactly what the contract avoids.

    Raises :class:`RuntimeContractError` naming the task and the input at fault.
    """
    task_id = service_task_element.get("id")
    where = f"service task {task_id!r}" if task_id else "service task"

    def fail(message: str) -> RuntimeContractError:
        return RuntimeContractError(f"{where}: {message}")

    ext = service_task_element.find("bpmn:extensionElements", NSMAP)
    if ext is None:
        raise fail("has no bpmn:extensionElements (not configured by a Catalyst template?)")

    payload = None
    fields = [f for f in ext.findall("camunda:field", NSMAP) if f.get("name") == contract.PAYLOAD_FIELD]
    if len(fields) > 1:
        raise fail(f"has {len(fields)} camunda:field named {contract.PAYLOAD_FIELD!r}")
    if fields:
        try:
            payload = _payload_text(fields[0])
        except RuntimeContractError as exc:
            raise fail(str(exc)) from None

    raw: dict[str, str | None] = {}
    for param in ext.findall("camunda:inputOutput/camunda:inputParameter", NSMAP):
        name = param.get("name")
        if name in raw:
            raise fail(f"input parameter {name!r} is defined twice")
        try:
            raw[name] = _bound_text(param)
        except RuntimeContractError as exc:
            raise fail(str(exc)) from None
        if raw[name] and ("${" in raw[name] or "#{" in raw[name]):
            raise fail(f"input parameter {name!r} contains an expression; Camunda would evaluate it as JUEL")

    # Exceptions to "required": an empty retryStatuses means "retry nothing", and
    # with authType none there is no secret, so no secretSource to name.
    optional = {RETRY_STATUSES} | ({SECRET_SOURCE} if raw.get(AUTH_TYPE) == AUTH_NONE else set())
    for spec in contract.INPUTS:
        if spec.required and raw.get(spec.name) is None and spec.name not in optional:
            state = "is empty" if spec.name in raw else "is missing"
            raise fail(f"required input parameter {spec.name!r} {state} ({spec.meaning})")

    def text(name: str) -> str | None:
        return raw.get(name)

    def integer(name: str, minimum: int) -> int:
        value = text(name)
        try:
            number = int(value, 10)
        except (TypeError, ValueError):
            raise fail(f"input parameter {name!r} must be a whole number, got {value!r}") from None
        if number < minimum:
            raise fail(f"input parameter {name!r} must be at least {minimum}, got {number}")
        return number

    def json_object(name: str) -> dict:
        value = text(name)
        if value is None:
            return {}
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError as exc:
            raise fail(f"input parameter {name!r} is not valid JSON: {exc}") from None
        if not isinstance(parsed, dict):
            raise fail(f"input parameter {name!r} must be a JSON object, got {type(parsed).__name__}")
        return parsed

    def choice(name: str, allowed: tuple[str, ...]) -> str:
        value = text(name)
        if value not in allowed:
            raise fail(f"input parameter {name!r} must be one of {', '.join(allowed)}; got {value!r}")
        return value

    endpoint_url = text(ENDPOINT_URL)
    parts = urlsplit(endpoint_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise fail(f"input parameter {ENDPOINT_URL!r} must be an absolute http(s) URL, got {endpoint_url!r}")

    auth_type = choice(AUTH_TYPE, contract.AUTH_TYPES)
    auth_header = text(AUTH_HEADER)
    if auth_type in (AUTH_BEARER, AUTH_API_KEY_HEADER, AUTH_API_KEY_QUERY) and not auth_header:
        raise fail(f"authType {auth_type!r} needs input parameter {AUTH_HEADER!r}")
    secret_source = (
        None
        if auth_type == AUTH_NONE and text(SECRET_SOURCE) is None
        else choice(SECRET_SOURCE, contract.SECRET_SOURCES)
    )
    secret_name = text(SECRET_NAME)
    if auth_type != AUTH_NONE and not secret_name:
        raise fail(f"authType {auth_type!r} needs input parameter {SECRET_NAME!r}")

    def scalar_strings(name: str) -> dict[str, str]:
        result = {}
        for key, value in json_object(name).items():
            if isinstance(value, bool):
                value = "true" if value else "false"
            elif isinstance(value, (int, float)):
                value = json.dumps(value)
            elif not isinstance(value, str):
                raise fail(f"input parameter {name!r}: value of {key!r} must be a string or number")
            result[key] = value
        return result

    response_mapping = json_object(RESPONSE_MAPPING)
    for variable, path in response_mapping.items():
        if not isinstance(path, str):
            raise fail(f"{RESPONSE_MAPPING!r}: path for {variable!r} must be a string")
        try:
            parse_json_path(path)
        except ValueError as exc:
            raise fail(f"{RESPONSE_MAPPING!r}: variable {variable!r}: {exc}") from None

    error_mapping: dict[int, str] = {}
    for status, code in json_object(ERROR_MAPPING).items():
        if not re.fullmatch(r"[1-5][0-9][0-9]", status):
            raise fail(f"{ERROR_MAPPING!r}: key {status!r} is not an HTTP status")
        if not isinstance(code, str) or not code:
            raise fail(f"{ERROR_MAPPING!r}: BPMN error code for {status} must be a non-empty string")
        error_mapping[int(status)] = code

    retry_statuses = set()
    for item in (text(RETRY_STATUSES) or "").split(","):
        item = item.strip()
        if not item:
            continue
        if not re.fullmatch(r"[1-5][0-9][0-9]", item):
            raise fail(f"input parameter {RETRY_STATUSES!r}: {item!r} is not an HTTP status")
        retry_statuses.add(int(item))

    return TaskConfig(
        task_id=task_id,
        payload=payload,
        raw=dict(raw),
        endpoint_url=endpoint_url,
        http_method=choice(HTTP_METHOD, contract.HTTP_METHODS),
        timeout_seconds=integer(TIMEOUT_SECONDS, 1),
        auth_type=auth_type,
        auth_header=auth_header,
        auth_prefix=text(AUTH_PREFIX) or "",
        secret_source=secret_source,
        secret_name=secret_name,
        secret_optional=choice(SECRET_OPTIONAL, ("true", "false")) == "true" if text(SECRET_OPTIONAL) else False,
        extra_headers=scalar_strings(EXTRA_HEADERS),
        query_parameters=scalar_strings(QUERY_PARAMETERS),
        response_mapping=dict(response_mapping),
        error_mapping=error_mapping,
        retry_statuses=frozenset(retry_statuses),
        max_retries=integer(MAX_RETRIES, 0),
        retry_backoff_ms=integer(RETRY_BACKOFF_MS, 0),
        retry_max_backoff_ms=integer(RETRY_MAX_BACKOFF_MS, 0),
    )


# --------------------------------------------------------------------------
# Secrets
# --------------------------------------------------------------------------


def load_java_properties(text: str) -> dict[str, str]:
    """Parse the text of a Java ``.properties`` file as ``java.util.Properties.load`` does.

    Supported: ``key=value``, ``key: value`` and ``key value``; leading
    whitespace; ``#`` and ``!`` comment lines; blank lines; a line ending in an
    odd number of backslashes continues on the next line (whose leading
    whitespace is dropped); escapes ``\\t \\n \\r \\f \\uXXXX`` and backslash
    before any other character (``\\=``, ``\\:``, ``\\ ``, ``\\\\``) meaning that
    character.  Later keys win.  A malformed ``\\u`` escape raises ``ValueError``.
    """
    result: dict[str, str] = {}
    lines = re.split(r"\r\n|\r|\n", text)
    i = 0
    while i < len(lines):
        line = lines[i].lstrip(" \t\f")
        i += 1
        if not line or line[0] in "#!":
            continue
        while _ends_with_odd_backslashes(line) and i < len(lines):
            line = line[:-1] + lines[i].lstrip(" \t\f")
            i += 1
        if _ends_with_odd_backslashes(line):  # continuation at end of file
            line = line[:-1]
        key_end = 0
        while key_end < len(line):
            char = line[key_end]
            if char == "\\":
                key_end += 2
                continue
            if char in "=: \t\f":
                break
            key_end += 1
        key_end = min(key_end, len(line))
        rest = line[key_end:].lstrip(" \t\f")
        if rest[:1] in ("=", ":"):
            rest = rest[1:].lstrip(" \t\f")
        result[_unescape_properties(line[:key_end])] = _unescape_properties(rest)
    return result


def _ends_with_odd_backslashes(line: str) -> bool:
    return (len(line) - len(line.rstrip("\\"))) % 2 == 1


_PROPERTIES_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "f": "\f"}


def _unescape_properties(text: str) -> str:
    out = []
    i = 0
    while i < len(text):
        char = text[i]
        if char != "\\" or i + 1 >= len(text):
            out.append(char)
            i += 1
            continue
        nxt = text[i + 1]
        if nxt == "u":
            digits = text[i + 2 : i + 6]
            if not re.fullmatch(r"[0-9A-Fa-f]{4}", digits):
                raise ValueError(f"malformed \\uXXXX escape at {text[i : i + 6]!r}")
            out.append(chr(int(digits, 16)))
            i += 6
        else:
            out.append(_PROPERTIES_ESCAPES.get(nxt, nxt))
            i += 2
    # Java combines \\uD83D\\uDE00 pairs into one character; so do we.
    return "".join(out).encode("utf-16", "surrogatepass").decode("utf-16")


def resolve_secret(
    config: TaskConfig,
    *,
    environ: Mapping[str, str],
    secrets_dir: str | os.PathLike = contract.SECRETS_DIR,
    properties_path: str | os.PathLike | None = None,
) -> str | None:
    """Return the key the request is authenticated with (``None`` for ``authType`` ``none``).

    Sources, chosen by ``secretSource``:

    * ``env``: the environment variable :func:`contract.env_var_name` of ``secretName``
      (``together_api_key`` -> ``TOGETHER_API_KEY``); ``environ`` is explicit so
      tests and ``try`` do not depend on the real environment.
    * ``file``: ``<secrets_dir>/<secretName>`` (Docker secrets), trailing
      whitespace and newline stripped because editors and ``echo`` add one.
    * ``properties``: key ``secretName`` in ``properties_path`` (default
      ``<cwd>/catalyst-secrets.properties``), a Java properties file.
    * ``variable``: ``secretName`` is the key itself (development only).

    A missing or empty secret raises :class:`RuntimeContractError` naming the
    source and where it looked, never a value.
    """
    if config.auth_type == AUTH_NONE:
        return None
    name = config.secret_name or ""
    source = config.secret_source
    if source == SOURCE_VARIABLE:
        secret = name
        where = f"input parameter {SECRET_NAME!r}"
    elif source == SOURCE_ENV:
        where = f"environment variable {contract.env_var_name(name)}"
        secret = environ.get(contract.env_var_name(name))
    elif source == SOURCE_FILE:
        if not name or name in (".", "..") or "/" in name or "\\" in name:
            raise RuntimeContractError(f"secret source 'file': secretName {name!r} is not a plain file name")
        path = Path(secrets_dir) / name
        where = f"file {path}"
        try:
            secret = path.read_text(encoding="utf-8").rstrip()
        except FileNotFoundError:
            secret = None
        except OSError as exc:
            raise RuntimeContractError(f"secret source 'file': cannot read {path}: {exc.strerror}") from None
    elif source == SOURCE_PROPERTIES:
        path = Path(properties_path) if properties_path is not None else Path.cwd() / contract.PROPERTIES_FILE
        where = f"key {name!r} in {path}"
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise RuntimeContractError(f"secret source 'properties': {path} does not exist") from None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:  # java.util.Properties.load(InputStream) reads ISO-8859-1
            text = data.decode("iso-8859-1")
        try:
            secret = load_java_properties(text).get(name)
        except ValueError as exc:
            raise RuntimeContractError(f"secret source 'properties': {path} is malformed: {exc}") from None
    else:  # read_task_config already refuses unknown sources
        raise RuntimeContractError(f"unknown secret source {source!r}")
    if not secret:
        if config.secret_optional:
            return None  # optional credentials: the request goes out without them
        raise RuntimeContractError(f"secret source {source!r}: no secret found ({where} is missing or empty)")
    return secret


# --------------------------------------------------------------------------
# Payload placeholders
# --------------------------------------------------------------------------


def payload_placeholders(payload: str) -> list[str]:
    """Names of the ``${name}`` placeholders in a payload, in order of first use, without repeats."""
    return list(dict.fromkeys(PLACEHOLDER.findall(payload)))


def substitute_placeholders(payload: str, variables: Mapping[str, Any]) -> str:
    """Replace each ``${name}`` in the payload by a process variable, JSON-safely.

    The payload is scanned as JSON text so the runtime knows, for each
    placeholder, whether it sits inside a string literal:

    * inside a string, the value's text is inserted JSON-escaped (quotes,
      backslashes, newlines, control characters): a string as its content,
      anything else as its JSON text (``3``, ``true``, ``null``, ``{"a": 1}``);
    * outside a string, ``json.dumps(value)`` is inserted (a JSON value).

    ``${`` not followed by a valid name and ``}`` is left as it is.  A
    placeholder without a variable raises :class:`RuntimeContractError`, and so
    does a result that is not valid JSON: the request would be rejected anyway
    and the incident points at the template.
    """
    out: list[str] = []
    in_string = False
    i = 0
    while i < len(payload):
        match = PLACEHOLDER.match(payload, i) if payload[i] == "$" else None
        if match:
            name = match.group(1)
            if name not in variables:
                raise RuntimeContractError(f"payload placeholder ${{{name}}} has no process variable {name!r}")
            value = variables[name]
            if in_string:
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                out.append(json.dumps(text, ensure_ascii=False)[1:-1])
            else:
                out.append(json.dumps(value, ensure_ascii=False))
            i = match.end()
            continue
        char = payload[i]
        out.append(char)
        if in_string and char == "\\" and i + 1 < len(payload):
            out.append(payload[i + 1])
            i += 2
            continue
        if char == '"':
            in_string = not in_string
        i += 1
    result = "".join(out)
    try:
        json.loads(result)
    except json.JSONDecodeError as exc:
        raise RuntimeContractError(
            f"payload is not valid JSON after substitution: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    return result


# --------------------------------------------------------------------------
# Execution
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class BpmnError:
    """A BPMN error the delegate throws (after setting the variables) for a mapped status."""

    code: str
    message: str


@dataclass
class Outcome:
    """What one execution leaves behind: variables to set and, maybe, a BPMN error to throw.

    ``attempts`` counts the requests sent (1 + retries) and ``delays`` the
    seconds slept between them; both are for people and tests, not variables.
    """

    variables: dict[str, Any]
    bpmn_error: BpmnError | None = None
    attempts: int = 0
    delays: list[float] = field(default_factory=list)

    @property
    def success(self) -> bool:
        return bool(self.variables.get(SUCCESS))


def _target_url(endpoint_url: str, base_url: str | None) -> str:
    """``endpoint_url`` with scheme, host and port taken from ``base_url`` when given.

    ``https://api.together.xyz/v1/chat/completions`` with base
    ``http://127.0.0.1:8123`` becomes ``http://127.0.0.1:8123/v1/chat/completions``;
    a path in ``base_url`` is put in front of the endpoint path.
    """
    if not base_url:
        return endpoint_url
    base = urlsplit(base_url)
    if base.scheme not in ("http", "https") or not base.netloc:
        raise RuntimeContractError(f"base URL {base_url!r} must be an absolute http(s) URL")
    endpoint = urlsplit(endpoint_url)
    path = base.path.rstrip("/") + endpoint.path
    return urlunsplit((base.scheme, base.netloc, path, endpoint.query, endpoint.fragment))


def _retry_delay(config: TaskConfig, response: httpx.Response, attempt: int) -> float:
    """Seconds to wait before retry number ``attempt + 1``.

    ``Retry-After`` in whole seconds wins when present and valid (the server
    knows best); otherwise ``retryBackoffMs * 2**attempt``.  Either is capped
    at ``retryMaxBackoffMs`` so a task never sleeps longer than configured.
    An HTTP-date ``Retry-After`` is treated as absent.
    """
    retry_after = (response.headers.get("Retry-After") or "").strip()
    if retry_after.isascii() and retry_after.isdigit():
        delay_ms = int(retry_after) * 1000
    else:
        delay_ms = config.retry_backoff_ms * 2**attempt
    return min(delay_ms, config.retry_max_backoff_ms) / 1000


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= ERROR_EXCERPT_CHARS else text[: ERROR_EXCERPT_CHARS - 1] + "…"


def _secret_fragments(config: TaskConfig, secret: str | None) -> list[str]:
    """Every text that would reveal the secret if it showed up in an outcome."""
    if not secret:
        return []
    fragments = [secret]
    if config.auth_type == AUTH_BASIC:
        fragments.append(base64.b64encode(secret.encode()).decode())
        password = secret.partition(":")[2]
        if len(password) >= 4:
            fragments.append(password)
    return sorted(fragments, key=len, reverse=True)


def _redact(value: Any, fragments: list[str]) -> Any:
    """Replace any secret fragment in strings (recursively) by ``***``."""
    if not fragments:
        return value
    if isinstance(value, str):
        for fragment in fragments:
            value = value.replace(fragment, "***")
        return value
    if isinstance(value, list):
        return [_redact(v, fragments) for v in value]
    if isinstance(value, dict):
        return {_redact(k, fragments): _redact(v, fragments) for k, v in value.items()}
    return value


def execute(
    config: TaskConfig,
    variables: Mapping[str, Any],
    *,
    secret: str | None,
    client: httpx.Client | httpx.BaseTransport | None = None,
    base_url: str | None = None,
    sleep: Callable[[float], Any] = time.sleep,
) -> Outcome:
    """Send the configured request, retry, and say which variables to set.

    * The payload (if any) gets its placeholders substituted from ``variables``
      and is sent with ``Content-Type: application/json``.
    * Auth per ``authType``: ``bearerToken``/``apiKeyHeader`` -> header
      ``authHeader`` = ``authPrefix + " " + secret`` (the bare secret without a
      prefix); ``basicAuth`` -> ``secret`` is ``user:password``, sent as HTTP
      Basic; ``apiKeyQuery`` -> query parameter ``authHeader``; ``none``.
      ``extraHeaders`` and ``queryParameters`` are added; auth wins a clash.
    * ``base_url`` (tests, ``try --base-url``) replaces scheme, host and port.
    * A status in ``retryStatuses`` is retried up to ``maxRetries`` times,
      sleeping :func:`_retry_delay` seconds via the injectable ``sleep``.
    * Then the standard variables are set; on 2xx the ``responseMapping`` too
      (absent path or non-JSON body -> ``None``).  A status in
      ``errorMapping`` adds a :class:`BpmnError`; any other failure just
      completes with ``catalyst_success`` false.  A transport error or timeout
      completes with ``catalyst_statusCode`` ``None`` and the error message.

    ``client`` may be an ``httpx.Client`` (used as is, not closed) or an
    ``httpx`` transport (wrapped in a client).  Redirects are not followed.
    Raises :class:`RuntimeContractError` for configuration faults (a missing
    placeholder variable, a basicAuth secret without ``:``).
    """
    # An empty payload (a GET, or a user who cleared the field) means no body at all.
    has_body = config.payload is not None and config.payload.strip() != ""
    body = substitute_placeholders(config.payload, variables) if has_body else None

    headers = dict(config.extra_headers)
    params = dict(config.query_parameters)
    auth = None
    if body is not None:
        headers["Content-Type"] = "application/json"
    if config.auth_type != AUTH_NONE and not secret and not config.secret_optional:
        raise RuntimeContractError(f"authType {config.auth_type!r} needs a secret")
    if not secret:
        pass  # authType none, or an optional secret that is not configured
    elif config.auth_type in (AUTH_BEARER, AUTH_API_KEY_HEADER):
        for existing in [h for h in headers if h.lower() == config.auth_header.lower()]:
            del headers[existing]
        headers[config.auth_header] = f"{config.auth_prefix} {secret}" if config.auth_prefix else secret
    elif config.auth_type == AUTH_BASIC:
        user, colon, password = secret.partition(":")
        if not colon:
            raise RuntimeContractError("authType 'basicAuth' needs a secret of the form user:password")
        auth = httpx.BasicAuth(user, password)
    elif config.auth_type == AUTH_API_KEY_QUERY:
        params[config.auth_header] = secret

    url = _target_url(config.endpoint_url, base_url)
    fragments = _secret_fragments(config, secret)
    outcome = Outcome(variables={})

    own_client = not isinstance(client, httpx.Client)
    http = httpx.Client(transport=client) if own_client else client
    try:
        attempt = 0
        while True:
            outcome.attempts += 1
            log.debug("%s %s (attempt %d)", config.http_method, urlsplit(url).path, outcome.attempts)
            try:
                response = http.request(
                    config.http_method,
                    url,
                    params=params or None,
                    headers=headers,
                    content=body.encode("utf-8") if body is not None else None,
                    auth=auth,
                    timeout=httpx.Timeout(config.timeout_seconds),
                    follow_redirects=False,
                )
            except httpx.TimeoutException as exc:
                return _finish_transport_error(
                    outcome,
                    config,
                    f"Request timed out after {config.timeout_seconds} s ({type(exc).__name__})",
                    fragments,
                )
            except httpx.TransportError as exc:
                return _finish_transport_error(outcome, config, f"{type(exc).__name__}: {exc}", fragments)
            if response.status_code in config.retry_statuses and attempt < config.max_retries:
                delay = _retry_delay(config, response, attempt)
                log.debug("status %d is retryable; sleeping %.3f s", response.status_code, delay)
                outcome.delays.append(delay)
                sleep(delay)
                attempt += 1
                continue
            return _finish_response(outcome, config, response, fragments)
    finally:
        if own_client:
            http.close()


def _standard_variables(body: str | None, status: int | None, success: bool, error: str | None) -> dict[str, Any]:
    return {RESPONSE_BODY: body, STATUS_CODE: status, SUCCESS: success, ERROR: error}


def _finish_transport_error(outcome: Outcome, config: TaskConfig, message: str, fragments: list[str]) -> Outcome:
    log.debug("transport error: %s", _redact(message, fragments))
    outcome.variables = _redact(_standard_variables(None, None, False, message), fragments)
    return outcome


def _finish_response(outcome: Outcome, config: TaskConfig, response: httpx.Response, fragments: list[str]) -> Outcome:
    status = response.status_code
    text = response.text
    success = 200 <= status < 300
    error = None if success else f"HTTP {status}: {_excerpt(text)}" if text.strip() else f"HTTP {status}"
    variables = _standard_variables(text, status, success, error)
    if success and config.response_mapping:
        try:
            document = json.loads(text)
        except ValueError:
            document = None
        for variable, path in config.response_mapping.items():
            variables[variable] = resolve_json_path(document, path)
    outcome.variables = _redact(variables, fragments)
    if status in config.error_mapping:
        outcome.bpmn_error = BpmnError(config.error_mapping[status], outcome.variables[ERROR] or f"HTTP {status}")
    log.debug("final status %d after %d attempt(s)", status, outcome.attempts)
    return outcome


# --------------------------------------------------------------------------
# catalyst-gen try
# --------------------------------------------------------------------------


def find_connector_tasks(root: etree._Element) -> list[etree._Element]:
    """Service tasks that carry the payload field or the runtime's input parameters."""
    tasks = []
    for task in root.iter(f"{{{BPMN_NS}}}serviceTask"):
        names = {
            p.get("name")
            for p in task.findall("bpmn:extensionElements/camunda:inputOutput/camunda:inputParameter", NSMAP)
        }
        fields = {f.get("name") for f in task.findall("bpmn:extensionElements/camunda:field", NSMAP)}
        if contract.PAYLOAD_FIELD in fields or ENDPOINT_URL in names:
            tasks.append(task)
    return tasks


def try_connector(
    bpmn_path_or_bytes: str | os.PathLike | bytes,
    variables: dict,
    *,
    base_url: str | None = None,
    environ: Mapping[str, str] = os.environ,
    secrets_dir: str | os.PathLike = contract.SECRETS_DIR,
    properties_path: str | os.PathLike | None = None,
    task_id: str | None = None,
    client: httpx.Client | httpx.BaseTransport | None = None,
    sleep: Callable[[float], Any] = time.sleep,
) -> Outcome:
    """Run the connector task of an example BPMN once, as the JAR would (``catalyst-gen try``).

    Reads the single Catalyst service task (or the one with ``task_id``),
    resolves its secret, and executes it with ``variables`` as the process
    variables.  Raises :class:`RuntimeContractError` when the BPMN has no or
    several connector tasks, or for any configuration fault.
    """
    if isinstance(bpmn_path_or_bytes, bytes):
        source = "BPMN bytes"
        data = bpmn_path_or_bytes
    else:
        source = str(bpmn_path_or_bytes)
        data = Path(bpmn_path_or_bytes).read_bytes()
    try:
        root = etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise RuntimeContractError(f"{source} is not well-formed XML: {exc}") from None
    tasks = find_connector_tasks(root)
    if task_id is not None:
        tasks = [t for t in tasks if t.get("id") == task_id]
    if len(tasks) != 1:
        ids = ", ".join(repr(t.get("id")) for t in find_connector_tasks(root)) or "none"
        wanted = f"connector task {task_id!r}" if task_id else "exactly one connector service task"
        raise RuntimeContractError(f"{source}: expected {wanted}; found {ids}")
    config = read_task_config(tasks[0])
    secret = resolve_secret(config, environ=environ, secrets_dir=secrets_dir, properties_path=properties_path)
    return execute(config, variables, secret=secret, client=client, base_url=base_url, sleep=sleep)


def _show(value: Any, limit: int = 400) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} chars)"


def format_outcome(outcome: Outcome) -> str:
    """Human-readable summary: the variables the task would set, then the BPMN error if any.

    The outcome is already scrubbed of the secret by :func:`execute`; this
    adds nothing that could hold it (no headers, no URL).
    """
    lines = [
        f"Request sent {outcome.attempts} time(s)"
        + (f"; waited {', '.join(f'{d:g} s' for d in outcome.delays)} between retries" if outcome.delays else "")
    ]
    lines.append("Variables the task would set:")
    width = max((len(name) for name in outcome.variables), default=0)
    for name, value in outcome.variables.items():
        lines.append(f"  {name.ljust(width)} = {_show(value)}")
    if outcome.bpmn_error:
        lines.append(f"BPMN error thrown: {outcome.bpmn_error.code} ({outcome.bpmn_error.message})")
    else:
        lines.append("No BPMN error: the task completes normally.")
    return "\n".join(lines)
