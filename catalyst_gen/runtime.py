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

Every name the JAR reads or writes comes from :mod:`catalyst_gen.contract`,
and so does the decoding of each input: :func:`read_task_config` is a loop
over the contract's decoders plus the few rules that span several inputs, so
the element template and this runtime cannot drift apart.

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
from urllib.parse import quote, urlsplit, urlunsplit

import httpx
from lxml import etree

from . import contract, exchange
from .bpmn import BPMN_NS, parse_xml
from .bpmn import CAMUNDA_NS as CAMUNDA_NS  # re-exported: namespaces are declared once, in bpmn.py
from .bpmn import NS as NSMAP
from .condition import SuccessCondition
from .contract import RuntimeContractError
from .errors import CheckError
from .grammar import PLACEHOLDER, expand_header, expand_url, expression_opener, http_url_problem, load_json_text
from .jsonpath import JsonPathError, parse_json_path  # noqa: F401  (JsonPathError is re-exported with the parser)
from .jsonpath import resolve as _resolve_parsed_path

log = logging.getLogger(__name__)


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
    success_condition: SuccessCondition | None
    retry_statuses: frozenset[int]
    retry_on_429: bool
    max_retries: int
    retry_backoff_ms: int
    retry_max_backoff_ms: int
    local_variables: Mapping[str, str | None] = field(default_factory=dict)
    """Every other input parameter: a task-local variable (``template.properties``), which the
    placeholders read before a process variable of the same name, as Camunda's scoping does."""

    @property
    def retried_statuses(self) -> frozenset[int]:
        """``retryStatuses``, without 429 when ``retryOn429`` is ``false``."""
        return self.retry_statuses if self.retry_on_429 else self.retry_statuses - {429}


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


def _bound_inputs(extension_elements: etree._Element) -> dict[str, str | None]:
    """Every ``camunda:inputParameter`` of the task's own ``camunda:inputOutput``, as Camunda binds it.

    An input containing ``${`` or ``#{`` is refused: Camunda would evaluate
    it as a JUEL expression, which is exactly what the contract avoids.
    """
    bound: dict[str, str | None] = {}
    for param in extension_elements.findall("camunda:inputOutput/camunda:inputParameter", NSMAP):
        name = param.get("name") or ""
        if name in bound:
            raise RuntimeContractError(f"input parameter {name!r} is defined twice")
        text = bound[name] = _bound_text(param)
        if text and expression_opener(text):
            raise RuntimeContractError(
                f"input parameter {name!r} contains an expression; Camunda would evaluate it as JUEL"
            )
    return bound


def _bound_payload(extension_elements: etree._Element) -> str | None:
    """The payload field's text, untouched (the runtime substitutes its placeholders itself)."""
    fields = [f for f in extension_elements.findall("camunda:field", NSMAP) if f.get("name") == contract.PAYLOAD_FIELD]
    if len(fields) > 1:
        raise RuntimeContractError(f"has {len(fields)} camunda:field named {contract.PAYLOAD_FIELD!r}")
    return _payload_text(fields[0]) if fields else None


def _check_required(bound: Mapping[str, str | None]) -> None:
    """Required inputs are bound and non-empty (told apart, so the message says which)."""
    for setting in contract.INPUTS:
        if setting.required and bound.get(setting.name) is None:
            state = "is empty" if setting.name in bound else "is missing"
            raise RuntimeContractError(f"required input parameter {setting.name!r} {state} ({setting.meaning})")


def _check_credentials(config: TaskConfig) -> None:
    """The rules that span several inputs: what each auth type needs besides itself."""
    if config.auth_type in contract.KEY_NAMED_AUTH_TYPES and not config.auth_header:
        raise RuntimeContractError(f"authType {config.auth_type!r} needs input parameter {contract.AUTH_HEADER.name!r}")
    if config.auth_type == "none":
        return
    if config.secret_source is None:
        raise RuntimeContractError(
            f"authType {config.auth_type!r} needs input parameter {contract.SECRET_SOURCE.name!r}"
        )
    if not config.secret_name:
        raise RuntimeContractError(f"authType {config.auth_type!r} needs input parameter {contract.SECRET_NAME.name!r}")


def read_task_config(service_task_element: etree._Element) -> TaskConfig:
    """Read and validate the payload field and input parameters of a service task.

    Reads what Camunda 7 binds for the delegate: the ``camunda:field`` named
    :data:`contract.PAYLOAD_FIELD` (its ``<camunda:string>`` text, untouched,
    because the runtime substitutes placeholders itself) and every
    ``camunda:inputParameter`` of the task's own ``camunda:inputOutput`` (trimmed
    text, empty -> ``None``).  Then checks the contract: required inputs present
    and non-empty, each input decoded by its entry in :data:`contract.INPUTS`
    (enumerations known, numbers and JSON parse, mapping paths valid), and the
    auth settings complete for the auth type.

    Raises :class:`RuntimeContractError` naming the task and the input at fault.
    """
    task_id = service_task_element.get("id")
    try:
        ext = service_task_element.find("bpmn:extensionElements", NSMAP)
        if ext is None:
            raise RuntimeContractError("has no bpmn:extensionElements (not configured by a Catalyst template?)")
        payload = contract.PAYLOAD.read(_bound_payload(ext))
        bound = _bound_inputs(ext)
        _check_required(bound)
        decoded = {setting.field: setting.read(bound.get(setting.name)) for setting in contract.INPUTS}
        local = {name: text for name, text in bound.items() if name not in contract.INPUT_NAMES}
        config = TaskConfig(task_id=task_id, payload=payload, raw=bound, local_variables=local, **decoded)
        _check_credentials(config)
    except RuntimeContractError as exc:
        where = f"service task {task_id!r}" if task_id else "service task"
        raise RuntimeContractError(f"{where}: {exc}") from None
    return config


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


def _read_secret_file(secrets_dir: Path, name: str) -> tuple[str | None, str]:
    """The ``file`` source: ``<secrets_dir>/<name>`` without trailing whitespace; (secret, where it looked)."""
    if not name or name in (".", "..") or "/" in name or "\\" in name:
        raise RuntimeContractError(f"secret source 'file': secretName {name!r} is not a plain file name")
    path = secrets_dir / name
    try:
        return path.read_text(encoding="utf-8").rstrip(), f"file {path}"
    except FileNotFoundError:
        return None, f"file {path}"
    except OSError as exc:
        raise RuntimeContractError(f"secret source 'file': cannot read {path}: {exc.strerror}") from None


def _read_secret_property(path: Path, name: str) -> tuple[str | None, str]:
    """The ``properties`` source: key ``name`` of a Java properties file; (secret, where it looked)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise RuntimeContractError(f"secret source 'properties': {path} does not exist") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:  # java.util.Properties.load(InputStream) reads ISO-8859-1
        text = data.decode("iso-8859-1")
    try:
        return load_java_properties(text).get(name), f"key {name!r} in {path}"
    except ValueError as exc:
        raise RuntimeContractError(f"secret source 'properties': {path} is malformed: {exc}") from None


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
    if config.auth_type == "none":
        return None
    name = config.secret_name or ""
    source = config.secret_source
    secret: str | None
    if source == "variable":
        secret, where = name, f"input parameter {contract.SECRET_NAME.name!r}"
    elif source == "env":
        variable = contract.env_var_name(name)
        secret, where = environ.get(variable), f"environment variable {variable}"
    elif source == "file":
        secret, where = _read_secret_file(Path(secrets_dir), name)
    elif source == "properties":
        path = Path(properties_path) if properties_path is not None else Path.cwd() / contract.PROPERTIES_FILE
        secret, where = _read_secret_property(path, name)
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
            out.append(_placeholder_json(name, variables[name], in_string))
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
        load_json_text(result)
    except json.JSONDecodeError as exc:
        raise RuntimeContractError(
            f"payload is not valid JSON after substitution: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    return result


def _placeholder_json(name: str, value: Any, in_string: bool) -> str:
    """The JSON text that replaces ``${name}``: escaped string content inside a string, a JSON value outside."""
    try:
        if in_string:
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            return json.dumps(text, ensure_ascii=False)[1:-1]
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError) as exc:  # a cycle, deep nesting, an object JSON cannot write
        reason = str(exc).split(";")[0]
        raise RuntimeContractError(f"process variable {name!r} cannot be written as JSON: {reason}") from None


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
        return bool(self.variables.get(contract.SUCCESS.name))


def _target_url(endpoint_url: str, base_url: str | None) -> str:
    """``endpoint_url`` with scheme, host and port taken from ``base_url`` when given.

    ``https://api.together.xyz/v1/chat/completions`` with base
    ``http://127.0.0.1:8123`` becomes ``http://127.0.0.1:8123/v1/chat/completions``;
    a path in ``base_url`` is put in front of the endpoint path.
    """
    if not base_url:
        return endpoint_url
    reason = http_url_problem(base_url)
    if reason:
        raise RuntimeContractError(f"base URL {base_url!r} {reason}")
    base = urlsplit(base_url)
    endpoint = urlsplit(endpoint_url)
    path = base.path.rstrip("/") + endpoint.path
    return urlunsplit((base.scheme, base.netloc, path, endpoint.query, endpoint.fragment))


def _retry_delay(config: TaskConfig, headers: httpx.Headers, attempt: int) -> float:
    """Seconds to wait before retry number ``attempt + 1``.

    ``Retry-After`` in whole seconds wins when present and valid (the server
    knows best); otherwise ``retryBackoffMs * 2**attempt``.  Either is capped
    at ``retryMaxBackoffMs`` so a task never sleeps longer than configured.
    An HTTP-date ``Retry-After`` is treated as absent.
    """
    retry_after = (headers.get("Retry-After") or "").strip()
    if retry_after.isascii() and retry_after.isdigit():
        # 10 digits already exceed any cap; int() of a 5,000-digit header would raise ValueError.
        delay_ms = int(retry_after) * 1000 if len(retry_after) <= 10 else config.retry_max_backoff_ms
    else:
        delay_ms = config.retry_backoff_ms * 2**attempt
    return min(delay_ms, config.retry_max_backoff_ms) / 1000


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= ERROR_EXCERPT_CHARS else text[: ERROR_EXCERPT_CHARS - 1] + "…"


MIN_SECRET_FRAGMENT = 8
"""Any run of this many characters of the secret is masked: a server that echoes part of a key, or
an excerpt cut in the middle of one, must not show a prefix that narrows it down."""


def _secret_fragments(config: TaskConfig, secret: str | None) -> list[str]:
    """Every text that would reveal the secret, or part of it, if it showed up in an outcome.

    The secret as sent and as a server may echo it back: JSON-escaped (``\\/``,
    ``\\uXXXX``), percent-encoded (either case), base64 (Basic auth, both
    alphabets, whatever the auth type), and every run of :data:`MIN_SECRET_FRAGMENT` characters of each.
    """
    if not secret:
        return []
    forms = {secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=True)[1:-1].replace("/", "\\/")}
    quoted = quote(secret, safe="")
    forms |= {quoted, re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), quoted)}
    forms |= {base64.b64encode(secret.encode()).decode(), base64.urlsafe_b64encode(secret.encode()).decode()}
    if config.auth_type == "basicAuth":
        password = secret.partition(":")[2]
        if len(password) >= 4:
            forms.add(password)
    fragments = set(forms)
    for form in forms:
        if len(form) > MIN_SECRET_FRAGMENT:
            fragments |= {form[i : i + MIN_SECRET_FRAGMENT] for i in range(len(form) - MIN_SECRET_FRAGMENT + 1)}
    return sorted(fragments, key=len, reverse=True)


def refuse_unsafe_secret(secret: str) -> None:
    """A secret with a control or non-ASCII character cannot travel in a header as it is, and a server
    would strip or mangle it, echoing a form no mask recognises: refuse it before anything is sent."""
    if any(not (0x20 <= ord(char) < 0x7F) for char in secret):
        raise RuntimeContractError(
            "the secret contains a control character (a line break, a tab) or a non-ASCII character; "
            "keys are printable ASCII: check the secret file or variable for a stray newline or a pasted quote"
        )


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


@dataclass(frozen=True)
class _Request:
    """One HTTP request as configured, ready to be sent (and sent again on a retry)."""

    method: str
    url: str
    headers: dict[str, str]
    params: dict[str, str]
    body: bytes | None
    auth: httpx.Auth | None
    timeout_seconds: int

    def send_arguments(self) -> dict[str, Any]:
        """Keyword arguments of ``httpx.Client.stream`` for this request (redirects are not followed)."""
        return {
            "method": self.method,
            "url": self.url,
            "params": self.params or None,
            "headers": self.headers,
            "content": self.body,
            "auth": self.auth,
            "timeout": httpx.Timeout(self.timeout_seconds),
            "follow_redirects": False,
        }


def _send_key_in_header(config: TaskConfig, secret: str, headers: dict[str, str], params: dict[str, str]) -> None:
    name = config.auth_header or ""
    for existing in [h for h in headers if h.lower() == name.lower()]:
        del headers[existing]
    headers[name] = f"{config.auth_prefix} {secret}" if config.auth_prefix else secret


def _send_basic_auth(config: TaskConfig, secret: str, headers: dict[str, str], params: dict[str, str]) -> httpx.Auth:
    user, colon, password = secret.partition(":")
    if not colon or not user:
        raise RuntimeContractError(
            "authType 'basicAuth' needs a secret of the form user:password (e.g. email:api_token), "
            "split at the first colon"
        )
    return httpx.BasicAuth(user, password)


def _send_key_in_query(config: TaskConfig, secret: str, headers: dict[str, str], params: dict[str, str]) -> None:
    params[config.auth_header or ""] = secret


def _send_no_key(config: TaskConfig, secret: str, headers: dict[str, str], params: dict[str, str]) -> None:
    pass


SendKey = Callable[[TaskConfig, str, dict[str, str], dict[str, str]], httpx.Auth | None]

SEND_KEY: dict[str, SendKey] = {
    "bearerToken": _send_key_in_header,
    "apiKeyHeader": _send_key_in_header,
    "basicAuth": _send_basic_auth,
    "apiKeyQuery": _send_key_in_query,
    "none": _send_no_key,
}
"""How each of :data:`contract.AUTH_TYPES` sends the key: into the headers or the query, or as an ``httpx.Auth``."""


def _credentials(
    config: TaskConfig, secret: str | None, headers: dict[str, str], params: dict[str, str]
) -> httpx.Auth | None:
    """Put the key where ``authType`` says (auth wins a clash with ``extraHeaders``)."""
    if config.auth_type != "none" and not secret and not config.secret_optional:
        raise RuntimeContractError(f"authType {config.auth_type!r} needs a secret")
    if not secret:
        return None  # authType none, or an optional secret that is not configured
    return SEND_KEY[config.auth_type](config, secret, headers, params)


def fill_request_placeholders(config: TaskConfig, variables: Mapping[str, Any]) -> tuple[str, dict[str, str]]:
    """The endpoint URL and the extra headers with their ``{name}`` placeholders filled in.

    One rule for the build and the runtime: :func:`~catalyst_gen.grammar.expand_url`
    (a host placeholder is one DNS label, any other is percent-encoded) and
    :func:`~catalyst_gen.grammar.expand_header` (the value as is, on one line).
    A missing variable or a value the rule refuses is a configuration fault.
    """
    try:
        url = expand_url(config.endpoint_url, variables)
        headers = {name: expand_header(name, value, variables) for name, value in config.extra_headers.items()}
    except KeyError as exc:
        name = exc.args[0]
        raise RuntimeContractError(f"URL or header placeholder {{{name}}} has no process variable {name!r}") from None
    except ValueError as exc:
        raise RuntimeContractError(str(exc)) from None
    return url, headers


def _build_request(
    config: TaskConfig, variables: Mapping[str, Any], secret: str | None, base_url: str | None
) -> _Request:
    """Substitute the payload, add headers, query and credentials, and aim at ``base_url`` if given."""
    # An empty payload (a GET, or a user who cleared the field) means no body at all.
    has_body = config.payload is not None and config.payload.strip() != ""
    body = substitute_placeholders(config.payload or "", variables) if has_body else None
    url, headers = fill_request_placeholders(config, variables)
    params = dict(config.query_parameters)
    if body is not None:
        headers["Content-Type"] = "application/json"
    auth = _credentials(config, secret, headers, params)
    return _Request(
        method=config.http_method,
        url=_target_url(url, base_url),
        headers=headers,
        params=params,
        body=body.encode("utf-8") if body is not None else None,
        auth=auth,
        timeout_seconds=config.timeout_seconds,
    )


def _send_with_retries(
    http: httpx.Client,
    config: TaskConfig,
    request: _Request,
    fragments: list[str],
    sleep: Callable[[float], Any],
    deadline: exchange.Deadline,
) -> Outcome:
    """Send, sleep and resend while the status is retryable, then turn the last answer into an outcome.

    Each attempt must be over within ``timeoutSeconds`` and read at most
    :data:`~catalyst_gen.exchange.MAX_RESPONSE_BYTES` (:mod:`catalyst_gen.exchange`);
    the sleeps between attempts are bounded by ``retryMaxBackoffMs`` instead.
    """
    outcome = Outcome(variables={})
    while True:
        outcome.attempts += 1
        log.debug("%s %s (attempt %d)", request.method, urlsplit(request.url).path, outcome.attempts)
        retry = config.retried_statuses if outcome.attempts - 1 < config.max_retries else frozenset()
        try:
            answer = exchange.exchange(http, deadline, frozenset(retry), **request.send_arguments())
        except httpx.TimeoutException as exc:
            message = f"Request timed out after {request.timeout_seconds} s ({type(exc).__name__})"
            return _finish_transport_error(outcome, config, message, fragments)
        except httpx.TransportError as exc:
            return _finish_transport_error(outcome, config, f"{type(exc).__name__}: {exc}", fragments)
        except exchange.ExchangeFailed as exc:
            return _finish_transport_error(outcome, config, str(exc), fragments)
        if answer.body is not None:
            return _finish_response(outcome, config, answer, fragments)
        delay = _retry_delay(config, answer.headers, outcome.attempts - 1)
        log.debug("status %d is retryable; sleeping %.3f s", answer.status, delay)
        outcome.delays.append(delay)
        sleep(delay)


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
      and is sent with ``Content-Type: application/json``; the ``{name}``
      placeholders of the URL and headers are filled in by
      :func:`fill_request_placeholders`.
    * Auth per ``authType``: ``bearerToken``/``apiKeyHeader`` -> header
      ``authHeader`` = ``authPrefix + " " + secret`` (the bare secret without a
      prefix); ``basicAuth`` -> ``secret`` is ``user:password``, sent as HTTP
      Basic; ``apiKeyQuery`` -> query parameter ``authHeader``; ``none``.
      ``extraHeaders`` and ``queryParameters`` are added; auth wins a clash.
    * ``base_url`` (tests, ``try --base-url``) replaces scheme, host and port.
    * A status in ``retryStatuses`` is retried up to ``maxRetries`` times,
      sleeping :func:`_retry_delay` seconds via the injectable ``sleep``;
      ``retryOn429`` ``false`` takes 429 out of them.
    * The task's other input parameters (``template.properties``) are task-local
      variables: the placeholders read them before the process variables.
    * Then the standard variables are set; on 2xx the ``responseMapping`` too
      (absent path or non-JSON body -> ``None``).  A status in
      ``errorMapping`` adds a :class:`BpmnError`; any other failure just
      completes with ``catalyst_success`` false.  With a ``successCondition``
      a 2xx answer whose body fails it completes like a failure (its mapped
      values still set), with the body's error text and the condition's
      ``errorCode`` (:mod:`catalyst_gen.condition`).  A transport error or timeout
      completes with ``catalyst_statusCode`` ``None`` and the error message.

    ``client`` may be an ``httpx.Client`` (used as is, not closed) or an
    ``httpx`` transport (wrapped in a client).  Redirects are not followed.
    Raises :class:`RuntimeContractError` for configuration faults (a missing
    placeholder variable, a basicAuth secret without ``:``).
    """
    if secret:
        refuse_unsafe_secret(secret)
    variables = {**variables, **config.local_variables}  # a task-local variable hides a process variable
    request = _build_request(config, variables, secret, base_url)
    fragments = _secret_fragments(config, secret)
    deadline = exchange.Deadline(request.timeout_seconds)
    if isinstance(client, httpx.Client):
        return _send_with_retries(client, config, request, fragments, sleep, deadline)
    with httpx.Client(transport=client or exchange.DeadlineTransport(deadline)) as http:
        return _send_with_retries(http, config, request, fragments, sleep, deadline)


def _standard_variables(body: str | None, status: int | None, success: bool, error: str | None) -> dict[str, Any]:
    return {
        contract.RESPONSE_BODY.name: body,
        contract.STATUS_CODE.name: status,
        contract.SUCCESS.name: success,
        contract.ERROR.name: error,
    }


def _finish_transport_error(outcome: Outcome, config: TaskConfig, message: str, fragments: list[str]) -> Outcome:
    log.debug("transport error: %s", _redact(message, fragments))
    outcome.variables = _redact(_standard_variables(None, None, False, message), fragments)
    return outcome


def _finish_response(outcome: Outcome, config: TaskConfig, answer: exchange.Answer, fragments: list[str]) -> Outcome:
    status = answer.status
    text = answer.text
    success = 200 <= status < 300
    error = None if success else f"HTTP {status}: {_excerpt(text)}" if text.strip() else f"HTTP {status}"
    document = _parse_body(text) if success and (config.response_mapping or config.success_condition) else None
    body_code = None
    condition = config.success_condition
    if success and condition is not None and not condition.holds(document):
        success, error, body_code = False, condition.error_text(document), condition.error_code
    variables = _standard_variables(text, status, success, error)
    if 200 <= status < 300:  # a body that says "failed" is still a body: its mapped values say why
        for variable, path in config.response_mapping.items():
            variables[variable] = resolve_json_path(document, path)
    outcome.variables = _redact(variables, fragments)
    code = config.error_mapping.get(status) or body_code
    if code:
        outcome.bpmn_error = BpmnError(code, outcome.variables[contract.ERROR.name] or f"HTTP {status}")
    log.debug("final status %d after %d attempt(s)", status, outcome.attempts)
    return outcome


def _parse_body(text: str) -> Any:
    """The response as JSON; ``None`` when it is not JSON or beyond the nesting limit (every path is then absent)."""
    try:
        return load_json_text(text, bounded_integers=False)
    except ValueError:
        return None


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
        if contract.PAYLOAD_FIELD in fields or contract.ENDPOINT_URL.name in names:
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
        root = parse_xml(data, source)
    except CheckError as exc:
        raise RuntimeContractError("; ".join(p.message for p in exc.problems)) from None
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


_TERMINAL_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""Characters JSON leaves as they are that a terminal would act on (DEL, C1 controls, line and
direction overrides); C0 controls such as ESC are already escaped by ``json.dumps``."""


def _show(value: Any, limit: int = 400) -> str:
    text = json.dumps(value, ensure_ascii=False)
    text = _TERMINAL_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} chars)"


def format_outcome(outcome: Outcome) -> str:
    """Human-readable summary: the variables the task would set, then the BPMN error if any.

    The outcome is already scrubbed of the secret by :func:`execute`; this
    adds nothing that could hold it (no headers, no URL).
    """
    times = f"{outcome.attempts} time{'' if outcome.attempts == 1 else 's'}"
    answered = outcome.variables.get(contract.STATUS_CODE.name) is not None
    lines = [
        (f"Request sent {times}" if answered else f"No answer (tried {times})")
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
