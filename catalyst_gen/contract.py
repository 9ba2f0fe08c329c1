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
"""

from __future__ import annotations

from dataclasses import dataclass

PAYLOAD_FIELD = "requestPayload"
"""Name of the ``camunda:field`` that carries the request payload template."""


@dataclass(frozen=True)
class Input:
    """One input parameter the runtime reads from the service task."""

    name: str
    meaning: str
    required: bool = True


INPUTS: tuple[Input, ...] = (
    Input("endpointUrl", "Absolute URL the request is sent to."),
    Input("httpMethod", "HTTP method: GET, POST, PUT, PATCH or DELETE."),
    Input("timeoutSeconds", "Whole seconds before the request is abandoned."),
    Input(
        "authType",
        "How the secret is sent: `bearerToken` or `apiKeyHeader` (header "
        "`authHeader` = `authPrefix` + space + key, or the bare key without a "
        "prefix), `basicAuth` (secret is `user:password`, sent as HTTP Basic), "
        "`apiKeyQuery` (query parameter named `authHeader`), `none`.",
    ),
    Input("authHeader", "Header (or, for `apiKeyQuery`, query parameter) that carries the key.", False),
    Input("authPrefix", "Prefix written before the key, separated by one space; empty for none.", False),
    Input(
        "secretSource",
        "Where the key comes from: `env`, `file`, `properties` or `variable` (absent with authType `none`).",
        False,
    ),
    Input(
        "secretName",
        "Name of the secret for `env`/`file`/`properties`; for `variable` the key itself (development only).",
        False,
    ),
    Input(
        "secretOptional",
        "`true`: when the secret is not found, the request is sent without credentials "
        "(e.g. a webhook's optional shared secret). Absent means `false`.",
        False,
    ),
    Input("extraHeaders", "JSON object of fixed headers sent with every request.", False),
    Input("queryParameters", "JSON object of query parameters added to the URL.", False),
    Input(
        "responseMapping",
        "JSON object: process variable name -> JSON path into the response body "
        "(`a.b[0].c`). A path that is absent sets the variable to null.",
    ),
    Input(
        "errorMapping",
        "JSON object: HTTP status -> BPMN error code thrown for that status (after retries are exhausted).",
    ),
    Input("retryStatuses", "Comma-separated HTTP statuses that are retried (e.g. `429`)."),
    Input("maxRetries", "How many times a retryable response is retried."),
    Input(
        "retryBackoffMs",
        "First retry delay in milliseconds; doubled on each further retry. A "
        "`Retry-After` header in seconds takes precedence.",
    ),
    Input("retryMaxBackoffMs", "Upper bound for a single retry delay in milliseconds."),
)

INPUT_NAMES = tuple(i.name for i in INPUTS)

SECRET_SOURCES = ("env", "file", "properties", "variable")
SECRET_SOURCE_LABELS = {
    "env": "Environment Variable",
    "file": "Docker Secret File",
    "properties": "Properties File",
    "variable": "Process Variable (dev)",
}
AUTH_TYPES = ("bearerToken", "apiKeyHeader", "basicAuth", "apiKeyQuery", "none")
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

SECRETS_DIR = "/run/secrets"
"""Default directory of Docker secret files (``file`` source)."""

PROPERTIES_FILE = "catalyst-secrets.properties"
"""Properties file the ``properties`` source reads keys from."""


def env_var_name(secret_name: str) -> str:
    """Environment variable the ``env`` source reads: ``together_api_key`` -> ``TOGETHER_API_KEY``."""
    return "".join(c if c.isalnum() else "_" for c in secret_name).upper()


@dataclass(frozen=True)
class StandardVariable:
    """A process variable the runtime sets after every call."""

    name: str
    type: str
    description: str
    form_type: str


STANDARD_VARIABLES: tuple[StandardVariable, ...] = (
    StandardVariable("catalyst_responseBody", "String", "Full JSON response body", "string"),
    StandardVariable("catalyst_statusCode", "Integer", "HTTP status code", "long"),
    StandardVariable("catalyst_success", "Boolean", "`true` if 2xx response", "boolean"),
    StandardVariable("catalyst_error", "String", "Error message on failure", "string"),
)

ERROR_CODE_VARIABLE = "catalystErrorCode"
"""Variable the example's boundary error event stores the caught BPMN error code in."""

ERROR_MESSAGE_VARIABLE = "catalystErrorMessage"
"""Variable the example's boundary error event stores the caught error message in."""
