"""Stage 4: render the four artifacts of a connector through the Jinja templates.

Python decides *what* goes into an artifact (which properties the element
template has, where shapes sit, which rows a table has); the templates in
``templates/`` decide *how it is laid out*.  Escaping is per target: XML
(autoescape plus attribute-safe newlines), JSON (``tojson``, then parsed back
and rewritten canonically) and Markdown (table cells and code spans).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2

from . import contract
from .bpmn import IDS, boundary_flow_id, boundary_id, error_id
from .errors import CheckError, Problem
from .jsonfmt import canonical_json
from .layout import example_diagram, text_diagram
from .model import Connector

if TYPE_CHECKING:
    from lxml import etree

ELEMENT_TEMPLATES_SCHEMA = "https://unpkg.com/@camunda/element-templates-json-schema/resources/schema.json"

TEMPLATE_FILES = {
    "element_template": "element-template.json.j2",
    "example": "example.bpmn.j2",
    "logo": "logo.svg.j2",
    "readme": "README.md.j2",
}


def xml_attr(value) -> str:
    """Escape for a double-quoted XML attribute, keeping newlines and tabs (parsers fold them otherwise)."""
    text = str(jinja2.utils.markupsafe.escape(value))
    return jinja2.utils.markupsafe.Markup(text.replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;"))


def md_text(value) -> str:
    """Prose shown as written: HTML in a name or tip is displayed, never interpreted.

    Only the characters that start HTML are escaped (as entities), so the
    ordinary punctuation of prose stays readable in the Markdown source.
    """
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def md_cell(value) -> str:
    """Text safe inside a Markdown table cell: backslashes and pipes escaped, line breaks folded."""
    return md_text(" ".join(str(value).split()).replace("\\", "\\\\").replace("|", "\\|"))


def md_code(value) -> str:
    """An inline code span that survives backticks and pipes in the value."""
    text = " ".join(str(value).split())
    fence = "`"
    while fence in text:
        fence += "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}".replace("\\", "\\\\").replace("|", "\\|")


@dataclass(frozen=True)
class Property:
    """One element-template property (see Camunda 7 element templates)."""

    binding_type: str
    binding_name: str
    type: str
    value: str | None = None
    label: str | None = None
    description: str | None = None
    group: str | None = None
    choices: tuple[tuple[str, str], ...] = ()
    not_empty: bool = False
    pattern: tuple[str, str] | None = None
    editable: bool = True


GROUPS = (
    ("authentication", "Authentication"),
    ("request", "Request"),
    ("response", "Response Mapping"),
    ("errors", "Error Handling"),
    ("connection", "Connection"),
)


def _maybe_hidden(visible: bool, **kwargs) -> Property:
    if not visible:
        kwargs.update(type="Hidden", not_empty=False, pattern=None, choices=())
    return Property(**kwargs)


def template_properties(c: Connector) -> list[Property]:
    """The element template's properties, in the order the Modeler shows them."""
    p = [Property("property", "camunda:class", "Hidden", c.library.runtime_class)]
    if c.auth.type != "none" or c.auth.editable:
        p.append(
            Property(
                "camunda:inputParameter",
                "secretSource",
                "Dropdown",
                c.auth.default_source,
                "Secret Source",
                "Where the runtime reads the API key: an environment variable, a Docker secret file, "
                f"{contract.PROPERTIES_FILE}, or (development only) the value below itself.",
                "authentication",
                tuple((contract.SECRET_SOURCE_LABELS[s], s) for s in contract.SECRET_SOURCES),
            )
        )
        p.append(
            Property(
                "camunda:inputParameter",
                "secretName",
                "String",
                c.auth.secret_name,
                "API Key / Secret Name",
                f"Name of the secret (env: {contract.env_var_name(c.auth.secret_name or 'name')}, file: "
                f"{contract.SECRETS_DIR}/{c.auth.secret_name or 'name'}); with Secret Source "
                "'Process Variable (dev)' the API key itself.",
                "authentication",
                not_empty=True,
            )
        )
    if c.auth.optional:
        p.append(Property("camunda:inputParameter", "secretOptional", "Hidden", "true", group="authentication"))
    p += [
        _maybe_hidden(
            c.auth.editable,
            binding_type="camunda:inputParameter",
            binding_name="authType",
            type="Dropdown",
            value=c.auth.type,
            label="Auth Type",
            description="How the key is sent to the API.",
            group="authentication",
            choices=tuple((a, a) for a in contract.AUTH_TYPES),
        ),
        _maybe_hidden(
            c.auth.editable,
            binding_type="camunda:inputParameter",
            binding_name="authHeader",
            type="String",
            value=c.auth.header,
            label="Auth Header",
            description="Header (or query parameter for apiKeyQuery) that carries the key.",
            group="authentication",
        ),
        _maybe_hidden(
            c.auth.editable,
            binding_type="camunda:inputParameter",
            binding_name="authPrefix",
            type="String",
            value=c.auth.prefix,
            label="Auth Prefix",
            description="Written before the key with one space, e.g. Bearer. Empty for none.",
            group="authentication",
        ),
        Property(
            "camunda:field",
            contract.PAYLOAD_FIELD,
            "Text",
            c.payload_text,
            "Request Payload",
            "JSON body of the request. ${name} is replaced by the process variable name, JSON-escaped.",
            "request",
            not_empty=c.method in ("POST", "PUT", "PATCH"),
        ),
        Property(
            "camunda:inputParameter",
            "responseMapping",
            "Text",
            c.response_mapping_json,
            "Response Mapping",
            "JSON object: process variable -> JSON path in the response (e.g. choices[0].message.content).",
            "response",
        ),
        Property(
            "camunda:inputParameter",
            "errorMapping",
            "Text",
            c.error_mapping_json,
            "Error Mapping",
            "JSON object: HTTP status -> BPMN error code thrown to a boundary error event.",
            "errors",
        ),
        Property(
            "camunda:inputParameter", "retryStatuses", "Hidden", ",".join(map(str, c.retry.statuses)), group="errors"
        ),
        Property("camunda:inputParameter", "maxRetries", "Hidden", str(c.retry.max_retries), group="errors"),
        Property("camunda:inputParameter", "retryBackoffMs", "Hidden", str(c.retry.backoff_ms), group="errors"),
        Property("camunda:inputParameter", "retryMaxBackoffMs", "Hidden", str(c.retry.max_backoff_ms), group="errors"),
        _maybe_hidden(
            c.endpoint_editable,
            binding_type="camunda:inputParameter",
            binding_name="endpointUrl",
            type="String",
            value=c.endpoint_url,
            label="Endpoint URL",
            description="Absolute URL of the API endpoint.",
            group="connection",
            not_empty=True,
            pattern=(r"^https?://\S+$", "Must be an http(s) URL."),
        ),
        _maybe_hidden(
            c.endpoint_editable,
            binding_type="camunda:inputParameter",
            binding_name="httpMethod",
            type="Dropdown",
            value=c.method,
            label="HTTP Method",
            description="HTTP method of the request.",
            group="connection",
            choices=tuple((m, m) for m in contract.HTTP_METHODS),
        ),
    ]
    if c.headers or c.endpoint_editable:
        p.append(
            _maybe_hidden(
                c.endpoint_editable,
                binding_type="camunda:inputParameter",
                binding_name="extraHeaders",
                type="Text",
                value=json.dumps(c.headers, ensure_ascii=False),
                label="Headers",
                description="JSON object of extra headers sent with every request.",
                group="connection",
            )
        )
    if c.query or c.endpoint_editable:
        p.append(
            _maybe_hidden(
                c.endpoint_editable,
                binding_type="camunda:inputParameter",
                binding_name="queryParameters",
                type="Text",
                value=json.dumps(c.query, ensure_ascii=False),
                label="Query Parameters",
                description="JSON object of query parameters added to the URL.",
                group="connection",
            )
        )
    p.append(
        Property(
            "camunda:inputParameter",
            "timeoutSeconds",
            "String",
            str(c.timeout_seconds),
            "Timeout (seconds)",
            "Seconds to wait for the API before the call fails.",
            "connection",
            not_empty=True,
            pattern=(r"^[1-9][0-9]*$", "Must be a whole number of seconds."),
        )
    )
    return p


class Renderer:
    """Renders artifacts from one templates folder; build it once per process."""

    def __init__(self, templates_dir: Path):
        self.templates_dir = templates_dir
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(templates_dir)),
            autoescape=jinja2.select_autoescape(enabled_extensions=("bpmn.j2", "svg.j2"), default_for_string=False),
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters.update(xml_attr=xml_attr, md_text=md_text, md_cell=md_cell, md_code=md_code)

    def _render(self, role: str, **context) -> str:
        name = TEMPLATE_FILES[role]
        try:
            return self.env.get_template(name).render(**context)
        except jinja2.TemplateSyntaxError as exc:
            raise CheckError(
                Problem(f"template syntax error: {exc.message}", hint=f"fix {exc.filename}:{exc.lineno}")
            ) from None
        except jinja2.TemplateNotFound:
            raise CheckError(Problem(f"template {name} not found in {self.templates_dir}")) from None
        except jinja2.UndefinedError as exc:
            raise CheckError(
                Problem(f"template {name}: {exc.message}", hint="the template uses a value the model does not have")
            ) from None

    def logo(self, c: Connector) -> bytes:
        if c.logo.file is not None:
            return c.logo.file.read_bytes()
        size = {1: 34, 2: 26}.get(len(c.logo.text), 20)
        return self._render("logo", c=c, font_size=size).encode("utf-8")

    def element_template(self, c: Connector, logo: bytes) -> bytes:
        properties = template_properties(c)
        used = {p.group for p in properties}
        icon = "data:image/svg+xml;base64," + base64.b64encode(logo).decode("ascii")
        text = self._render(
            "element_template",
            c=c,
            schema_url=ELEMENT_TEMPLATES_SCHEMA,
            icon=icon,
            groups=[g for g in GROUPS if g[0] in used],
            properties=properties,
        )
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CheckError(
                Problem(f"{TEMPLATE_FILES['element_template']} rendered invalid JSON: {exc.msg} at line {exc.lineno}")
            ) from None
        return canonical_json(document).encode("utf-8")

    def example(self, c: Connector) -> bytes:
        """The example process as text; the build parses it once and hands the tree to checks and picture."""
        properties = template_properties(c)
        text = self._render(
            "example",
            c=c,
            ids=IDS,
            diagram=example_diagram(c.error_codes),
            boundaries=[(code, boundary_id(code), boundary_flow_id(code), error_id(code)) for code in c.error_codes],
            runtime_class=c.library.runtime_class,
            payload=next(p for p in properties if p.binding_type == "camunda:field"),
            inputs=[p for p in properties if p.binding_type == "camunda:inputParameter"],
            standard_variables=contract.STANDARD_VARIABLES,
            error_code_variable=contract.ERROR_CODE_VARIABLE,
            error_message_variable=contract.ERROR_MESSAGE_VARIABLE,
            process_id="Process_" + c.id.replace("-", "_"),
        )
        return text.encode("utf-8")

    def readme(self, c: Connector) -> bytes:
        names = c.file_names
        files = [
            (names["element_template"], "Element Template"),
            (names["example"], "Example BPMN process"),
            (names["diagram"], "Picture of the example process"),
            (names["logo"], "Connector logo (64×64)"),
            (names["readme"], "This documentation"),
        ]
        text = self._render(
            "readme",
            c=c,
            contract=contract,
            env_var=contract.env_var_name(c.auth.secret_name),
            diagram=text_diagram(c.example.configure_name, c.example.task_name, c.example.review_name),
            picture=names["diagram"],
            files=files,
        )
        return text.encode("utf-8")

    def render(self, c: Connector) -> dict[str, bytes]:
        """The four artifacts of the library, file name -> bytes."""
        names = c.file_names
        logo = self.logo(c)
        return {
            names["element_template"]: self.element_template(c, logo),
            names["example"]: self.example(c),
            names["logo"]: logo,
            names["readme"]: self.readme(c),
        }

    @staticmethod
    def picture(example: etree._Element, name: str) -> bytes:
        """The example process (its parsed tree) drawn from its own BPMNDI (what the Modeler will show).

        Only the SVG is an artifact: PNG bytes depend on a machine's cairo and
        fonts, so ``catalyst-gen diagram --png`` renders one on demand instead.
        """
        from .diagram import render_diagram_svg

        try:
            return render_diagram_svg(example)
        except ValueError as exc:
            raise CheckError(Problem(f"{name}: cannot draw the example process: {exc}")) from None
