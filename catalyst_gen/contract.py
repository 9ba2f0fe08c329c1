"""The runtime contract between our artifacts and the Catalyst runtime JAR.

The element template, the example BPMN, the README and the Python reference
runtime (:mod:`catalyst_gen.runtime`) all take their names from here, so the
four artifacts cannot disagree about what the JAR reads and writes.

How the JAR is wired into a Camunda 7 service task:

* ``camunda:class`` names the runtime delegate (configured once for the whole
  library in ``connectors/_library.yaml``).
* The request payload is a ``camunda:field`` injected as a plain string
  (``<camunda:string>``).  It is *not* an input parameter on purpose: Camunda 7
  evaluates ``${...}`` in input parameters as JUEL before the delegate runs,
  without JSON escaping, so a user message containing a quote would break the
  JSON.  As a field string the placeholders reach the JAR untouched and the JAR
  substitutes them with JSON-safe escaping.
* Every other setting is a ``camunda:inputParameter`` (a local variable of the
  task), listed in :data:`INPUTS`.

Each setting is one :class:`RuntimeInput` entry of :data:`BINDINGS`, the codec
of that setting in both directions: how the element template shows it (label,
type, group, visibility, choices, constraint), how a connector is *encoded*
into the text written into the template and the example BPMN, and how the
runtime *decodes* the text Camunda binds back into a typed value.  The render
stage and the runtime both loop over this one table, so adding an input is
adding one entry here (and its row in the README's contract table).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import grammar
from .jsonpath import JsonPathError, parse_json_path

if TYPE_CHECKING:  # encoders read the typed model; the model module is not imported at run time
    from .model import Connector


class RuntimeContractError(Exception):
    """The task or its environment breaks the runtime contract.

    Raised for what would be an *incident* in Camunda (the delegate throws):
    a missing or malformed input parameter, a secret that cannot be found, a
    payload placeholder without a process variable.  Messages name the input,
    source or variable at fault and where the runtime looked, never a secret.
    """


# --------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------

SECRET_SOURCES = ("env", "file", "properties", "variable")
SECRET_SOURCE_LABELS = {
    "env": "Environment Variable",
    "file": "Docker Secret File",
    "properties": "Properties File",
    "variable": "Process Variable (dev)",
}
AUTH_TYPES = ("bearerToken", "apiKeyHeader", "basicAuth", "apiKeyQuery", "none")
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

AUTH_TYPE_LABELS = {
    "bearerToken": "Bearer Token",
    "apiKeyHeader": "API Key Header",
    "basicAuth": "Basic Auth (user:password)",
    "apiKeyQuery": "API Key Query Parameter",
    "none": "None",
}
"""What the Auth Type dropdown shows for each type, when a connector offers a choice (``auth.types``)."""

AUTH_TYPE_SECRETS = {
    "bearerToken": "the token; sent in the auth header after the prefix and a space",
    "apiKeyHeader": "the API key; sent in the auth header, after the prefix when there is one",
    "basicAuth": "`user:password`, e.g. `email:api_token` (split at the first colon); "
    "the runtime Base64-encodes it and sends `Authorization: Basic ...`",
    "apiKeyQuery": "the API key; sent as the query parameter named by the auth header setting",
    "none": "no secret; nothing is sent",
}
"""What each auth type's secret is and how the runtime sends it (the README's Auth Types table)."""

KEY_NAMED_AUTH_TYPES = ("bearerToken", "apiKeyHeader", "apiKeyQuery")
"""Auth types that send the key under a name, so they need ``authHeader``."""

METHODS_WITH_BODY = ("POST", "PUT", "PATCH")
"""HTTP methods whose requests carry the payload (the Modeler asks for one)."""

SECRETS_DIR = "/run/secrets"
"""Default directory of Docker secret files (``file`` source)."""

PROPERTIES_FILE = "catalyst-secrets.properties"
"""Properties file the ``properties`` source reads keys from."""


def env_var_name(secret_name: str) -> str:
    """Environment variable the ``env`` source reads: ``together_api_key`` -> ``TOGETHER_API_KEY``."""
    return "".join(c if c.isalnum() else "_" for c in secret_name).upper()


# Element-template property types (Camunda 7 element templates).
STRING = "String"
TEXT = "Text"
DROPDOWN = "Dropdown"
HIDDEN = "Hidden"

# How a setting is bound to the service task.
INPUT_PARAMETER = "camunda:inputParameter"
FIELD = "camunda:field"

BOOLEAN = "Boolean"
"""A spec property type (``template.properties``): written as a Dropdown of :data:`BOOLEAN_CHOICES`.

The Camunda 7 Modeler's checkbox reads an input parameter's text back as a JavaScript
string, so an imported ``false`` shows checked; two readable choices round-trip exactly."""
BOOLEAN_CHOICES = (("Yes", "true"), ("No", "false"))
PROPERTY_TYPES = ("String", "Dropdown", BOOLEAN)
"""The types a spec's own property (``template.properties``) may have."""

GROUPS = (
    ("authentication", "Authentication"),
    ("request", "Request Configuration"),
    ("response", "Response Mapping"),
    ("connection", "Connection"),
)
"""The element template's property groups (id, label), in the order the Modeler shows them.

As the published templates group them: the Error Mapping (and the retry settings) sit under
Response Mapping, the endpoint, method, headers and query under Request Configuration."""
GROUP_IDS = tuple(group for group, _ in GROUPS)


# --------------------------------------------------------------------------
# One entry per setting
# --------------------------------------------------------------------------

Encoder = Callable[["Connector"], str]
"""Connector -> the text written into the element template and the example BPMN."""

Decoder = Callable[[str | None], Any]
"""Bound text (trimmed, ``None`` when empty) -> typed value; ``ValueError`` says what is wrong."""

Rule = Callable[["Connector"], bool]
"""A yes/no question about a connector (is the property there, shown, required)."""


@dataclass(frozen=True)
class Pattern:
    """A regular-expression constraint the Modeler checks while the user types."""

    regex: str
    message: str


WHOLE_NUMBER = Pattern(r"^(0|[1-9][0-9]*)$", "Must be a whole number.")


@dataclass(frozen=True)
class RuntimeInput:
    """One setting the runtime reads from a service task, and how it travels there and back.

    ``meaning`` is the README's text; ``label`` and ``description`` are the
    Modeler's.  ``type`` is the property type while the property is
    ``visible``; an invisible property is written as ``Hidden`` (same value,
    no choices or constraint).  ``present`` says whether the template has the
    property at all.  ``required`` inputs must be bound and non-empty; every
    other input means something when absent, and its decoder says what.
    ``field`` names the :class:`~catalyst_gen.runtime.TaskConfig` attribute
    that holds the decoded value.
    """

    name: str
    meaning: str
    field: str
    encode: Encoder
    decode: Decoder
    group: str
    type: str = HIDDEN
    label: str | None = None
    description: str | Callable[[Connector], str] | None = None
    choices: tuple[tuple[str, str], ...] | Callable[[Connector], tuple[tuple[str, str], ...]] = ()
    not_empty: bool | Rule = False
    pattern: Pattern | None = None
    present: bool | Rule = True
    visible: bool | Rule = True
    required: bool = False
    binding: str = INPUT_PARAMETER

    def is_present(self, c: Connector) -> bool:
        return self.present if isinstance(self.present, bool) else self.present(c)

    def is_visible(self, c: Connector) -> bool:
        """Shown in the Modeler: the spec's ``template.fields.<key>.visible`` wins over the contract's default."""
        settings = c.fields.get(self.field) if self.field else None
        if settings is not None and settings.visible is not None:
            return settings.visible
        return self.visible if isinstance(self.visible, bool) else self.visible(c)

    def is_not_empty(self, c: Connector) -> bool:
        return self.not_empty if isinstance(self.not_empty, bool) else self.not_empty(c)

    def choices_for(self, c: Connector) -> tuple[tuple[str, str], ...]:
        return self.choices(c) if callable(self.choices) else self.choices

    def description_for(self, c: Connector) -> str | None:
        return self.description(c) if callable(self.description) else self.description

    def read(self, text: str | None) -> Any:
        """Decode the bound text; a malformed value raises :class:`RuntimeContractError` naming this input."""
        try:
            return self.decode(text)
        except ValueError as exc:
            raise RuntimeContractError(f"input parameter {self.name!r} {exc}") from None


# --------------------------------------------------------------------------
# Rules: when a property is there, shown, required
# --------------------------------------------------------------------------


def _has_secret(c: Connector) -> bool:
    """A connector without auth shows no secret settings, unless its auth may be edited or another
    auth type on offer sends a key (a webhook that defaults to ``none`` but offers ``apiKeyHeader``)."""
    return c.auth.offers_key


def _secret_is_optional(c: Connector) -> bool:
    return c.auth.optional


def _auth_editable(c: Connector) -> bool:
    return c.auth.editable


def _auth_choosable(c: Connector) -> bool:
    """The Auth Type (and its prefix) is shown when it may be edited freely or the spec offers choices."""
    return c.auth.editable or len(c.auth.types) > 1


def _auth_type_choices(c: Connector) -> tuple[tuple[str, str], ...]:
    """The connector's offered types with readable labels; every type, by its code, when edited freely.

    Free editing keeps the codes as names: templates released with them stay byte for byte the same.
    """
    if len(c.auth.types) > 1:
        return tuple((AUTH_TYPE_LABELS[t], t) for t in c.auth.types)
    return tuple((a, a) for a in AUTH_TYPES)


def _endpoint_editable(c: Connector) -> bool:
    return c.endpoint_editable


def _declares_property(name: str) -> Rule:
    """A rule: the spec declares the optional input ``name`` under ``template.properties``."""

    def declared(c: Connector) -> bool:
        return c.extra_property(name) is not None

    return declared


def _has_body_check(c: Connector) -> bool:
    return c.body_check is not None


def _has_headers(c: Connector) -> bool:
    return bool(c.headers) or c.endpoint_editable


def _has_query(c: Connector) -> bool:
    return bool(c.query) or c.endpoint_editable


def _sends_body(c: Connector) -> bool:
    """The payload must not be empty when the task always sends a body: its method has one and the user
    cannot pick another (with the HTTP Method shown, a GET with an empty payload, sent without a body, is valid)."""
    return c.method in METHODS_WITH_BODY and not HTTP_METHOD.is_visible(c)


def _describe_secret_name(c: Connector) -> str:
    name = c.auth.secret_name or "name"
    return (
        f"Name of the secret (env: {env_var_name(name)}, file: {SECRETS_DIR}/{name}); with Secret Source "
        f"'{SECRET_SOURCE_LABELS['variable']}' the API key itself."
    )


PLACEHOLDER_HELP = (
    " {name} is replaced by the process variable name (in the host: one DNS label; elsewhere percent-encoded)."
)


def _describe_endpoint_url(c: Connector) -> str:
    """The help names the ``{name}`` syntax only where the URL uses it (other templates stay as released)."""
    text = "Absolute URL of the API endpoint."
    return text + PLACEHOLDER_HELP if grammar.bound_placeholders(c.endpoint_url) else text


def _describe_headers(c: Connector) -> str:
    text = "JSON object of extra headers sent with every request."
    uses = any(grammar.bound_placeholders(value) for value in c.headers.values())
    return text + " {name} in a value is replaced by the process variable name." if uses else text


NEUTRAL_RESPONSE_EXAMPLE = {"resultId": "data.id"}
"""The example a connector that maps nothing shows (a webhook must not suggest an LLM's reply path)."""


def _describe_response_mapping(c: Connector) -> str:
    """The help names the connector's own first mapping, written as users would type it.

    A fixed example (an LLM reply path) misleads on every other kind of API;
    a connector without mappings gets a neutral one and learns that ``{}`` maps nothing.
    """
    first = c.response_fields[:1]
    example = {first[0].variable: first[0].path} if first else NEUTRAL_RESPONSE_EXAMPLE
    text = (
        f"JSON object: process variable -> JSON path in the response, e.g. {json.dumps(example, ensure_ascii=False)}."
    )
    return text if first else text + " {} maps nothing."


# --------------------------------------------------------------------------
# Encoders: connector -> text
# --------------------------------------------------------------------------


def _encode_secret_source(c: Connector) -> str:
    return c.auth.default_source


def _encode_secret_name(c: Connector) -> str:
    return c.auth.secret_name


def _encode_secret_optional(c: Connector) -> str:
    return "true" if c.auth.optional else "false"


def _encode_auth_type(c: Connector) -> str:
    return c.auth.type


def _encode_auth_header(c: Connector) -> str:
    """Empty where the task binds no key settings (auth type ``none``): a header declared only for the
    README (``show_key_settings``) is not bound, so the task says what the runtime does, which is send nothing."""
    return c.auth.header if c.auth.offers_key else ""


NO_PREFIX = "NONE"
"""The ``authPrefix`` that sends the key bare, as the library's published READMEs document it (an empty
value means the same to the runtime, and is what templates before version 4 carried)."""


def _encode_auth_prefix(c: Connector) -> str:
    """:data:`NO_PREFIX` for a bare key; empty where the task binds no key settings, like :func:`_encode_auth_header`."""
    return (c.auth.prefix or NO_PREFIX) if c.auth.offers_key else ""


def _encode_payload(c: Connector) -> str:
    return c.payload_text


def _encode_response_mapping(c: Connector) -> str:
    return c.response_mapping_json


def _encode_error_mapping(c: Connector) -> str:
    return c.error_mapping_json


def _encode_success_condition(c: Connector) -> str:
    return c.body_check.condition.to_json() if c.body_check else ""


def _encode_declared(name: str) -> Encoder:
    """An optional input's text is the value the spec declares for it (``template.properties``)."""

    def encode(c: Connector) -> str:
        declared = c.extra_property(name)
        return declared.value if declared else ""

    return encode


def _encode_retry_statuses(c: Connector) -> str:
    return ",".join(str(status) for status in c.retry.statuses)


def _encode_max_retries(c: Connector) -> str:
    return str(c.retry.max_retries)


def _encode_retry_backoff(c: Connector) -> str:
    return str(c.retry.backoff_ms)


def _encode_retry_max_backoff(c: Connector) -> str:
    return str(c.retry.max_backoff_ms)


def _encode_endpoint_url(c: Connector) -> str:
    return c.endpoint_url


def _encode_http_method(c: Connector) -> str:
    return c.method


def _encode_headers(c: Connector) -> str:
    return json.dumps(c.headers, ensure_ascii=False)


def _encode_query(c: Connector) -> str:
    return json.dumps(c.query, ensure_ascii=False)


def _encode_timeout(c: Connector) -> str:
    return str(c.timeout_seconds)


# --------------------------------------------------------------------------
# Decoders: bound text -> typed value (ValueError says what is wrong)
# --------------------------------------------------------------------------

HTTP_STATUS = grammar.HTTP_STATUS.regex
"""An HTTP status as the runtime reads it: the spec grammar's (three digits, 100-599, no leading zero)."""


def _as_is(text: str | None) -> str | None:
    return text


def _text_or_empty(text: str | None) -> str:
    return text or ""


def sent_prefix(text: str | None) -> str:
    """The prefix to write before the key: none for an empty value or :data:`NO_PREFIX` (the one rule,
    for the runtime's decoder and the model's :attr:`~catalyst_gen.model.Auth.sent_prefix`)."""
    return "" if not text or text == NO_PREFIX else text


def _one_of(allowed: tuple[str, ...]) -> Decoder:
    """A decoder that accepts exactly the ``allowed`` values."""

    def decode(text: str | None) -> str:
        if text not in allowed:
            raise ValueError(f"must be one of {', '.join(allowed)}; got {text!r}")
        return text

    return decode


def _secret_source(text: str | None) -> str | None:
    """Absent is allowed here; whether the auth type needs a source is a cross-field rule."""
    return None if text is None else _one_of(SECRET_SOURCES)(text)


def _flag(text: str | None) -> bool:
    """``true`` or ``false``; absent means ``false``."""
    return text is not None and _one_of(("true", "false"))(text) == "true"


def _flag_default_true(text: str | None) -> bool:
    """``true`` or ``false``; absent means ``true``."""
    return text is None or _one_of(("true", "false"))(text) == "true"


def _whole_number(minimum: int) -> Decoder:
    """A decoder of a base-10 whole number not below ``minimum``."""

    def decode(text: str | None) -> int:
        try:
            number = int(text or "", 10)
        except ValueError:
            raise ValueError(f"must be a whole number, got {text!r}") from None
        if number < minimum:
            raise ValueError(f"must be at least {minimum}, got {number}")
        return number

    return decode


def _http_url(text: str | None) -> str:
    """An absolute http(s) URL, maybe with ``{name}`` placeholders where :func:`grammar.url_template_problem` allows them."""
    reason = grammar.url_template_problem(text or "")
    if reason:
        raise ValueError(f"must be an absolute http(s) URL the runtime can send to: {text!r} {reason}")
    return text or ""


def _header_name(text: str | None) -> str | None:
    if text is not None and not grammar.HTTP_TOKEN.matches(text):
        raise ValueError(f"{text!r} is not an HTTP header name ({grammar.HTTP_TOKEN.hint})")
    return text


def _header_map(text: str | None) -> dict[str, str]:
    """Fixed headers: names are HTTP tokens, values stay on one line (the spec grammar's rules)."""
    headers = _string_map(text)
    for name, value in headers.items():
        _header_name(name)
        reason = grammar.header_value_problem(value)
        if reason:
            raise ValueError(f"header {name!r}: the value {reason}")
    return headers


def _json_object(text: str | None) -> dict[str, Any]:
    """A JSON object; absent means ``{}``."""
    if text is None:
        return {}
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"is not valid JSON: {exc}") from None
    if not isinstance(parsed, dict):
        raise ValueError(f"must be a JSON object, got {type(parsed).__name__}")
    return parsed


def _string_map(text: str | None) -> dict[str, str]:
    """Headers or query parameters: strings, with numbers and booleans written as JSON writes them."""
    result = {}
    for key, value in _json_object(text).items():
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, (int, float)):
            value = json.dumps(value)
        elif not isinstance(value, str):
            raise ValueError(f"maps {key!r} to a {type(value).__name__}; the value must be a string or number")
        result[key] = value
    return result


def _response_mapping(text: str | None) -> dict[str, str]:
    """Process variable -> JSON path, every path valid in the one path dialect."""
    mapping = _json_object(text)
    for variable, path in mapping.items():
        if not isinstance(path, str):
            raise ValueError(f"must map variables to JSON paths: the path for {variable!r} is not a string")
        try:
            parse_json_path(path)
        except JsonPathError as exc:
            raise ValueError(f"must map variables to JSON paths: variable {variable!r}: {exc}") from None
    return mapping


def _error_mapping(text: str | None) -> dict[int, str]:
    """HTTP status -> BPMN error code."""
    result = {}
    for status, code in _json_object(text).items():
        if not HTTP_STATUS.fullmatch(status):
            raise ValueError(f"must map HTTP statuses to error codes: key {status!r} is not an HTTP status")
        if not isinstance(code, str) or not code:
            raise ValueError(f"must map HTTP statuses to error codes: the code for {status} is not a non-empty string")
        result[int(status)] = code
    return result


def _success_condition(text: str | None) -> Any:
    """The body condition (:mod:`catalyst_gen.condition`, imported here so ``--help`` does not load it)."""
    from .condition import parse_condition

    return parse_condition(text)


def _status_list(text: str | None) -> frozenset[int]:
    """Comma-separated HTTP statuses; absent or empty means none."""
    statuses = set()
    for item in (text or "").split(","):
        item = item.strip()
        if item and not HTTP_STATUS.fullmatch(item):
            raise ValueError(f"must list HTTP statuses: {item!r} is not an HTTP status")
        if item:
            statuses.add(int(item))
    return frozenset(statuses)


# --------------------------------------------------------------------------
# The table, in the order the Modeler shows the properties
# --------------------------------------------------------------------------

SECRET_SOURCE = RuntimeInput(
    "secretSource",
    "Where the key comes from: `env`, `file`, `properties` or `variable` (absent with authType `none`).",
    field="secret_source",
    encode=_encode_secret_source,
    decode=_secret_source,
    group="authentication",
    type=DROPDOWN,
    label="Secret Source",
    description="Where the runtime reads the API key: an environment variable, a Docker secret file, "
    f"{PROPERTIES_FILE}, or (development only) the value below itself.",
    choices=tuple((SECRET_SOURCE_LABELS[s], s) for s in SECRET_SOURCES),
    present=_has_secret,
)
SECRET_NAME = RuntimeInput(
    "secretName",
    "Name of the secret for `env`/`file`/`properties`; for `variable` the key itself (development only).",
    field="secret_name",
    encode=_encode_secret_name,
    decode=_as_is,
    group="authentication",
    type=STRING,
    label="API Key / Secret Name",
    description=_describe_secret_name,
    not_empty=True,
    present=_has_secret,
)
SECRET_OPTIONAL = RuntimeInput(
    "secretOptional",
    "`true`: when the secret is not found, the request is sent without credentials "
    "(e.g. a webhook's optional shared secret). Absent means `false`.",
    field="secret_optional",
    encode=_encode_secret_optional,
    decode=_flag,
    group="authentication",
    type=DROPDOWN,
    label="Secret Optional",
    description="Yes: when the secret is not configured, the request is sent without credentials.",
    choices=BOOLEAN_CHOICES,
    present=_secret_is_optional,
    visible=False,
)
AUTH_TYPE = RuntimeInput(
    "authType",
    "`bearerToken` / `apiKeyHeader`: header `authHeader` = `authPrefix` + space + key (bare key without a "
    "prefix); `basicAuth`: secret is `user:password`, sent as HTTP Basic; `apiKeyQuery`: query parameter "
    "named `authHeader`; `none`.",
    field="auth_type",
    encode=_encode_auth_type,
    decode=_one_of(AUTH_TYPES),
    group="authentication",
    type=DROPDOWN,
    label="Auth Type",
    description="How the key is sent to the API.",
    choices=_auth_type_choices,
    visible=_auth_choosable,
    required=True,
)
AUTH_HEADER = RuntimeInput(
    "authHeader",
    "Header (or, for `apiKeyQuery`, query parameter) that carries the key.",
    field="auth_header",
    encode=_encode_auth_header,
    decode=_header_name,
    group="authentication",
    type=STRING,
    label="Auth Header",
    description="Header (or query parameter for apiKeyQuery) that carries the key.",
    visible=_auth_editable,
)
AUTH_PREFIX = RuntimeInput(
    "authPrefix",
    "Prefix written before the key, separated by one space; `NONE` (or empty) sends the key bare.",
    field="auth_prefix",
    encode=_encode_auth_prefix,
    decode=sent_prefix,
    group="authentication",
    type=STRING,
    label="Auth Prefix",
    description="Written before the key with one space, e.g. Bearer. NONE sends the key bare.",
    visible=_auth_choosable,
)
PAYLOAD = RuntimeInput(
    "requestPayload",
    "JSON body of the request; each `${name}` is replaced by the process variable `name`, JSON-escaped.",
    field="payload",
    encode=_encode_payload,
    decode=_as_is,
    group="request",
    type=TEXT,
    label="Request Payload",
    description="JSON body of the request. ${name} is replaced by the process variable name, JSON-escaped.",
    not_empty=_sends_body,
    binding=FIELD,
)
RESPONSE_MAPPING = RuntimeInput(
    "responseMapping",
    "JSON object: process variable → JSON path into the response body. An absent path sets the variable to null.",
    field="response_mapping",
    encode=_encode_response_mapping,
    decode=_response_mapping,
    group="response",
    type=TEXT,
    label="Response Mapping",
    description=_describe_response_mapping,
    required=True,
)
ERROR_MAPPING = RuntimeInput(
    "errorMapping",
    "JSON object: HTTP status → BPMN error code thrown for that status (after retries are exhausted).",
    field="error_mapping",
    encode=_encode_error_mapping,
    decode=_error_mapping,
    group="response",
    type=TEXT,
    label="Error Mapping",
    description="JSON object: HTTP status -> BPMN error code thrown to a boundary error event.",
    required=True,
)
SUCCESS_CONDITION = RuntimeInput(
    "successCondition",
    "JSON object: a 2xx answer succeeds only when the body holds `equals` at JSON path `path`; otherwise "
    "`catalyst_success` is false, `catalyst_error` is the text at `errorPath`, and `errorCode` (if given) is "
    "thrown as a BPMN error. Absent means the status alone decides.",
    field="success_condition",
    encode=_encode_success_condition,
    decode=_success_condition,
    group="response",
    type=TEXT,
    label="Success Condition",
    description='JSON object: a 2xx answer succeeds only when the response body holds "equals" at "path"; '
    'otherwise "errorCode" is thrown with the text at "errorPath". Empty: the HTTP status alone decides.',
    present=_has_body_check,
)
RETRY_STATUSES = RuntimeInput(
    "retryStatuses",
    "Comma-separated HTTP statuses that are retried (e.g. `429`); empty retries nothing.",
    field="retry_statuses",
    encode=_encode_retry_statuses,
    decode=_status_list,
    group="response",
    type=STRING,
    label="Retry Statuses",
    description="Comma-separated HTTP statuses that are retried with backoff, e.g. 429,503.",
    pattern=Pattern(r"^ *([1-5][0-9][0-9] *(, *[1-5][0-9][0-9] *)*)?$", "Must list HTTP statuses, e.g. 429,503."),
    visible=False,
)
RETRY_ON_429 = RuntimeInput(
    "retryOn429",
    "`false`: a 429 answer is not retried, even when `retryStatuses` lists it. Absent means `true`.",
    field="retry_on_429",
    encode=_encode_declared("retryOn429"),
    decode=_flag_default_true,
    group="response",
    type=DROPDOWN,
    label="Retry on 429",
    description="Yes: a 429 (rate limited) answer is retried with backoff; No: it fails at once.",
    choices=BOOLEAN_CHOICES,
    present=_declares_property("retryOn429"),
)
MAX_RETRIES = RuntimeInput(
    "maxRetries",
    "How many times a retryable response is retried.",
    field="max_retries",
    encode=_encode_max_retries,
    decode=_whole_number(0),
    group="response",
    type=STRING,
    label="Max Retries",
    description="How many times a retryable answer is retried.",
    not_empty=True,
    pattern=WHOLE_NUMBER,
    visible=False,
    required=True,
)
RETRY_BACKOFF_MS = RuntimeInput(
    "retryBackoffMs",
    "First retry delay in ms, doubled on each further retry; a `Retry-After` header (seconds) takes precedence.",
    field="retry_backoff_ms",
    encode=_encode_retry_backoff,
    decode=_whole_number(0),
    group="response",
    type=STRING,
    label="Retry Backoff (ms)",
    description="First retry delay in milliseconds, doubled on each further retry.",
    not_empty=True,
    pattern=WHOLE_NUMBER,
    visible=False,
    required=True,
)
RETRY_MAX_BACKOFF_MS = RuntimeInput(
    "retryMaxBackoffMs",
    "Upper bound for a single retry delay in ms.",
    field="retry_max_backoff_ms",
    encode=_encode_retry_max_backoff,
    decode=_whole_number(0),
    group="response",
    type=STRING,
    label="Max Retry Backoff (ms)",
    description="Upper bound of a single retry delay in milliseconds.",
    not_empty=True,
    pattern=WHOLE_NUMBER,
    visible=False,
    required=True,
)
ENDPOINT_URL = RuntimeInput(
    "endpointUrl",
    "Absolute URL the request is sent to; each `{name}` is replaced by the process variable `name` "
    "(in the host: one DNS label; elsewhere: percent-encoded).",
    field="endpoint_url",
    encode=_encode_endpoint_url,
    decode=_http_url,
    group="request",
    type=STRING,
    label="Endpoint URL",
    description=_describe_endpoint_url,
    not_empty=True,
    pattern=Pattern(r"^https?://\S+$", "Must be an http(s) URL."),
    visible=_endpoint_editable,
    required=True,
)
HTTP_METHOD = RuntimeInput(
    "httpMethod",
    "HTTP method: GET, POST, PUT, PATCH or DELETE.",
    field="http_method",
    encode=_encode_http_method,
    decode=_one_of(HTTP_METHODS),
    group="request",
    type=DROPDOWN,
    label="HTTP Method",
    description="HTTP method of the request.",
    choices=tuple((m, m) for m in HTTP_METHODS),
    visible=_endpoint_editable,
    required=True,
)
EXTRA_HEADERS = RuntimeInput(
    "extraHeaders",
    "JSON object of fixed headers sent with every request (optional); each `{name}` in a value is "
    "replaced by the process variable `name`.",
    field="extra_headers",
    encode=_encode_headers,
    decode=_header_map,
    group="request",
    type=TEXT,
    label="Headers",
    description=_describe_headers,
    present=_has_headers,
    visible=_endpoint_editable,
)
QUERY_PARAMETERS = RuntimeInput(
    "queryParameters",
    "JSON object of query parameters added to the URL (optional).",
    field="query_parameters",
    encode=_encode_query,
    decode=_string_map,
    group="request",
    type=TEXT,
    label="Query Parameters",
    description="JSON object of query parameters added to the URL.",
    present=_has_query,
    visible=_endpoint_editable,
)
TIMEOUT_SECONDS = RuntimeInput(
    "timeoutSeconds",
    "Whole seconds before the request is abandoned.",
    field="timeout_seconds",
    encode=_encode_timeout,
    decode=_whole_number(1),
    group="connection",
    type=STRING,
    label="Timeout (seconds)",
    description="Seconds to wait for the API before the call fails.",
    not_empty=True,
    pattern=Pattern(r"^[1-9][0-9]*$", "Must be a whole number of seconds."),
    required=True,
)

BINDINGS: tuple[RuntimeInput, ...] = (
    SECRET_SOURCE,
    SECRET_NAME,
    SECRET_OPTIONAL,
    AUTH_TYPE,
    AUTH_HEADER,
    AUTH_PREFIX,
    PAYLOAD,
    RESPONSE_MAPPING,
    ERROR_MAPPING,
    SUCCESS_CONDITION,
    RETRY_STATUSES,
    RETRY_ON_429,
    MAX_RETRIES,
    RETRY_BACKOFF_MS,
    RETRY_MAX_BACKOFF_MS,
    ENDPOINT_URL,
    HTTP_METHOD,
    EXTRA_HEADERS,
    QUERY_PARAMETERS,
    TIMEOUT_SECONDS,
)
"""Everything the runtime reads from a service task, in the order the element template lists it."""

MODELER_ORDER: tuple[str, ...] = (
    AUTH_TYPE.name,
    AUTH_HEADER.name,
    AUTH_PREFIX.name,
    SECRET_SOURCE.name,
    SECRET_NAME.name,
    SECRET_OPTIONAL.name,
    ENDPOINT_URL.name,
    HTTP_METHOD.name,
    EXTRA_HEADERS.name,
    QUERY_PARAMETERS.name,
    PAYLOAD.name,
    RESPONSE_MAPPING.name,
    ERROR_MAPPING.name,
    SUCCESS_CONDITION.name,
    RETRY_ON_429.name,
    RETRY_STATUSES.name,
    MAX_RETRIES.name,
    RETRY_BACKOFF_MS.name,
    RETRY_MAX_BACKOFF_MS.name,
    TIMEOUT_SECONDS.name,
)
"""Where the element template lists each input inside its group, as the published templates do
(Auth Type first; URL, method, headers and query before the payload).  :data:`BINDINGS` keeps
the order of the example BPMN and the README's contract table.  A spec's own properties
(``template.properties``) bound to task-local variables stand just before the payload they feed."""

FIELD_KEYS: dict[str, RuntimeInput] = {b.field: b for b in BINDINGS if b not in (RETRY_ON_429,)}
"""The spec's name of each runtime input under ``template.fields`` (the :class:`RuntimeInput`'s
``field``, which is also its :class:`~catalyst_gen.runtime.TaskConfig` attribute): stable, snake_case."""

OPTIONAL_INPUTS: dict[str, RuntimeInput] = {RETRY_ON_429.name: RETRY_ON_429}
"""Runtime inputs a template has only when the spec declares them under ``template.properties``
(by the input's name), with the Modeler type and value the spec gives."""

PAYLOAD_FIELD = PAYLOAD.name
"""Name of the ``camunda:field`` that carries the request payload template."""

INPUTS: tuple[RuntimeInput, ...] = tuple(b for b in BINDINGS if b.binding == INPUT_PARAMETER)
"""The ``camunda:inputParameter``s the runtime reads (the README's contract table)."""

INPUT_NAMES = tuple(i.name for i in INPUTS)


# --------------------------------------------------------------------------
# What the runtime writes back
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class StandardVariable:
    """A process variable the runtime sets after every call."""

    name: str
    type: str
    description: str
    form_type: str


RESPONSE_BODY = StandardVariable("catalyst_responseBody", "String", "Full JSON response body", "string")
STATUS_CODE = StandardVariable("catalyst_statusCode", "Integer", "HTTP status code", "long")
SUCCESS = StandardVariable("catalyst_success", "Boolean", "`true` if 2xx response", "boolean")
ERROR = StandardVariable("catalyst_error", "String", "Error message on failure", "string")

STANDARD_VARIABLES: tuple[StandardVariable, ...] = (RESPONSE_BODY, STATUS_CODE, SUCCESS, ERROR)

ERROR_CODE_VARIABLE = "catalystErrorCode"
"""Variable the example's boundary error event stores the caught BPMN error code in."""

ERROR_MESSAGE_VARIABLE = "catalystErrorMessage"
"""Variable the example's boundary error event stores the caught error message in."""
