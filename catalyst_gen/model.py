"""Stage 3: turn a validated spec into the typed model every artifact renders from.

Defaults are filled in here, once, so templates never guess.  Derived values
(template id, placeholders, the JSON texts shown in Modeler and README) are
computed here too, so the four artifacts are rendered from the same numbers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from . import contract
from .condition import SuccessCondition
from .grammar import PLACEHOLDER, bound_form, bound_placeholders
from .jsonfmt import format_payload
from .readme import Readme, build_readme, paragraphs
from .readme_rules import connector_links


@dataclass(frozen=True)
class Library:
    """Settings shared by every connector (``connectors/_library.yaml``)."""

    name: str
    website: str
    tagline: str
    runtime_class: str
    template_id_prefix: str
    execution_platform_version: str
    history_time_to_live: str


@dataclass(frozen=True)
class Auth:
    type: str
    header: str
    prefix: str
    console: str | None
    console_label: str | None
    key_prefix: str | None
    secret_name: str
    default_source: str
    editable: bool
    optional: bool
    types: tuple[str, ...] = ()
    """The auth types the Modeler offers (``auth.types``), the default ``type`` among them; ``(type,)`` when no choice."""
    show_key_settings: bool = False
    """``auth.show_key_settings``: a ``none`` connector's README still shows its declared key settings."""

    @property
    def shows_key_settings(self) -> bool:
        """The README's full Authentication table (header, prefix, console, secret sources) and the Quick Start
        step that sets a key: whenever a key type is on offer (:attr:`offers_key`), and for ``none`` alone when
        the spec asks (published Ollama)."""
        return self.offers_key or self.show_key_settings

    @property
    def sent_prefix(self) -> str:
        """The prefix the runtime writes before the key: none for an omitted ``prefix`` or for ``NONE``
        (:data:`contract.NO_PREFIX`), which a spec writes to show the published ``Auth Prefix | NONE`` row."""
        return contract.sent_prefix(self.prefix)

    @property
    def offers_key(self) -> bool:
        """The user may choose an auth type that sends a key: one is on offer, or the auth settings are
        editable (every type by its code); a default of ``none`` may still offer one."""
        return self.editable or any(t != "none" for t in self.types)

    @property
    def console_text(self) -> str | None:
        """The Console row's link text: the spec's label, else the host alone (``api.slack.com``),
        as every published README writes it, whatever path the link goes to."""
        if self.console is None:
            return None
        return self.console_label or (urlsplit(self.console).hostname or self.console)


@dataclass(frozen=True)
class Model:
    id: str
    description: str
    default: bool


@dataclass(frozen=True)
class Placeholder:
    """A ``${name}`` of the endpoint URL, a header or the payload: a process variable the Configure form asks for.

    ``used_in`` names where it is filled in (``URL``, ``header <name>``, ``payload``), for the README.
    """

    name: str
    label: str
    default: str
    used_in: tuple[str, ...] = ()


@dataclass(frozen=True)
class ResponseField:
    variable: str
    path: str
    description: str


@dataclass(frozen=True)
class ErrorRule:
    status: int
    code: str
    cause: str
    action: str
    fix: str = ""
    """The README's Fix column (``errors.<status>.fix``), when the spec writes one."""


@dataclass(frozen=True)
class BodyCheck:
    """``response:``: success decided by the body of a 2xx answer, and the README's row for it."""

    condition: SuccessCondition
    cause: str
    action: str

    @property
    def expected(self) -> str:
        """The literal the body must hold, written as JSON (``true``, ``"sent"``)."""
        return json.dumps(self.condition.equals, ensure_ascii=False)


@dataclass(frozen=True)
class Documentation:
    """What the task says about itself: the example task's ``bpmn:documentation`` and the template's link."""

    summary: str
    url: str


@dataclass(frozen=True)
class FieldSettings:
    """``template.fields.<key>``: how the Modeler shows one runtime input; ``None`` keeps the contract's default.

    ``visible`` wins over the block's ``editable`` flag (``endpoint.editable``, ``auth.editable``),
    which only sets the default of the fields it covers.
    """

    label: str | None = None
    description: str | None = None
    visible: bool | None = None
    group: str | None = None


@dataclass(frozen=True)
class ExtraProperty:
    """``template.properties.<name>``: a property the spec adds, bound to a documented runtime input.

    ``name`` is either an optional input of the contract (:data:`contract.OPTIONAL_INPUTS`, e.g.
    ``retryOn429``) or a task-local variable that the payload's ``${name}`` placeholder reads
    (a ``camunda:inputParameter`` of that name; Camunda resolves a task's local variable before
    a process variable of the same name, and so does the runtime).  ``value`` is the text bound
    (``true``/``false`` for a Boolean).
    """

    name: str
    label: str
    description: str
    type: str
    value: str
    choices: tuple[tuple[str, str], ...]
    group: str
    visible: bool

    @property
    def is_local_variable(self) -> bool:
        return self.name not in contract.OPTIONAL_INPUTS

    @property
    def modeler_type(self) -> str:
        """Boolean is written as a Dropdown of two readable choices (see :data:`contract.BOOLEAN`)."""
        return contract.DROPDOWN if self.type == contract.BOOLEAN else self.type

    @property
    def modeler_choices(self) -> tuple[tuple[str, str], ...]:
        return contract.BOOLEAN_CHOICES if self.type == contract.BOOLEAN else self.choices


@dataclass(frozen=True)
class Retry:
    statuses: tuple[int, ...]
    max_retries: int
    backoff_ms: int
    max_backoff_ms: int


@dataclass(frozen=True)
class Example:
    task_name: str
    configure_name: str
    review_name: str


@dataclass(frozen=True)
class Logo:
    text: str | None
    background: str | None
    foreground: str | None
    file: Path | None


@dataclass(frozen=True)
class Connector:
    """Everything the artifacts say about one connector."""

    library: Library
    id: str
    name: str
    version: int
    category: str
    tagline: str
    about: str
    """Its paragraphs (blank lines in the spec) separated by one blank line, each on one line; empty
    when the README shows no About section (the spec then has no `about`)."""
    preset: str | None
    endpoint_url: str
    """As bound: each ``${name}`` of the spec written ``{name}`` (:func:`~catalyst_gen.grammar.bound_form`)."""
    method: str
    timeout_seconds: int
    headers: dict[str, str]
    """As bound, like :attr:`endpoint_url`."""
    query: dict[str, str]
    endpoint_editable: bool
    auth: Auth
    models: tuple[Model, ...]
    models_note: str | None
    payload_text: str
    placeholders: tuple[Placeholder, ...]
    response_fields: tuple[ResponseField, ...]
    errors: tuple[ErrorRule, ...]
    body_check: BodyCheck | None
    documentation: Documentation
    retry: Retry
    example: Example
    tips: tuple[str, ...]
    logo: Logo
    readme: Readme = field(default_factory=lambda: build_readme(None, ""))
    """Sections, order and titles of the README (``readme:``)."""
    fields: dict[str, FieldSettings] = field(default_factory=dict)
    """``template.fields``: per runtime input (by its spec key, :data:`contract.FIELD_KEYS`)."""
    extra_properties: tuple[ExtraProperty, ...] = ()
    source_files: tuple[Path, ...] = field(default=(), compare=False)
    linked_connectors: tuple[str, ...] = ()
    """The other connectors its README links to: that they exist is checked when the spec is
    validated, so their specs are inputs of the build (the cache rebuilds when one goes)."""

    def extra_property(self, name: str) -> ExtraProperty | None:
        """The property the spec declares under ``template.properties.<name>``, if any."""
        return next((p for p in self.extra_properties if p.name == name), None)

    @property
    def local_variables(self) -> tuple[ExtraProperty, ...]:
        """The spec's properties that set a task-local variable (read by a payload placeholder)."""
        return tuple(p for p in self.extra_properties if p.is_local_variable)

    @property
    def request_placeholders(self) -> tuple[Placeholder, ...]:
        """The placeholders of the URL and headers (not only the payload): the README lists them."""
        return tuple(p for p in self.placeholders if p.used_in != ("payload",))

    @property
    def about_paragraphs(self) -> tuple[str, ...]:
        return tuple(self.about.split("\n\n"))

    @property
    def template_name(self) -> str:
        return f"Catalyst - {self.name}"

    @property
    def template_id(self) -> str:
        return f"{self.library.template_id_prefix}.{self.id}"

    @property
    def process_id(self) -> str:
        """The example process's id (``Process_<id>``, ``-`` as ``_``); its definitions' id is built from it."""
        return "Process_" + self.id.replace("-", "_")

    @property
    def response_mapping_json(self) -> str:
        return json.dumps({f.variable: f.path for f in self.response_fields}, indent=2, ensure_ascii=False)

    @property
    def error_mapping_json(self) -> str:
        return _error_mapping_json(self.errors)

    @property
    def readme_error_mapping_json(self) -> str:
        """The README's error-mapping block: 429 (rate limited) first, then the table's order, as every
        published README writes it (anthropic's retried 529 stays in its table place, after 400)."""
        limited = [e for e in self.errors if e.status == 429]
        rest = [e for e in self.errors if e.status != 429]
        return _error_mapping_json(limited + rest)

    @property
    def error_codes(self) -> tuple[str, ...]:
        """Distinct BPMN error codes, in spec order (two statuses may share one), then the body check's."""
        body_code = self.body_check.condition.error_code if self.body_check else None
        return tuple(dict.fromkeys([e.code for e in self.errors] + ([body_code] if body_code else [])))

    @property
    def default_model(self) -> Model | None:
        return next((m for m in self.models if m.default), None)

    @property
    def file_names(self) -> dict[str, str]:
        """Artifact role -> file name inside ``dist/<id>/``."""
        return {
            "element_template": f"{self.id}.element.json",
            "example": f"{self.id}-example.bpmn",
            "diagram": f"{self.id}-example.svg",
            "logo": f"{self.id}.svg",
            "readme": "README.md",
        }


def _label(name: str) -> str:
    """``userMessage`` -> ``User Message`` for form labels."""
    out = ""
    for index, char in enumerate(name.replace("_", " ")):
        if char.isupper() and index and name[index - 1].islower():
            out += " "
        out += char
    return " ".join(w[:1].upper() + w[1:] for w in out.split())


def _placeholders(url: str, headers: dict[str, str], payload_text: str, declared: dict) -> tuple[Placeholder, ...]:
    """Every placeholder, in the order a reader meets them: the URL (bound form), the headers, the payload."""
    uses: dict[str, list[str]] = {}
    for name in bound_placeholders(url):
        uses.setdefault(name, []).append("URL")
    for header, value in headers.items():
        for name in bound_placeholders(value):
            uses.setdefault(name, []).append(f"header {header}")
    for name in dict.fromkeys(PLACEHOLDER.findall(payload_text)):
        uses.setdefault(name, []).append("payload")
    return tuple(
        Placeholder(
            name,
            declared.get(name, {}).get("label", _label(name)),
            declared.get(name, {}).get("default", ""),
            tuple(where),
        )
        for name, where in uses.items()
    )


def _fields(template: dict) -> dict[str, FieldSettings]:
    return {
        key: FieldSettings(entry.get("label"), entry.get("description"), entry.get("visible"), entry.get("group"))
        for key, entry in template.get("fields", {}).items()
    }


def _bound_text(value: str | bool) -> str:
    """A declared value as the input parameter's text (a Boolean as ``true``/``false``)."""
    return ("true" if value else "false") if isinstance(value, bool) else value


def _extra_properties(template: dict) -> tuple[ExtraProperty, ...]:
    """The spec's own properties; a task-local one defaults to the Request Configuration group."""
    return tuple(
        ExtraProperty(
            name=name,
            label=entry["label"],
            description=entry["description"],
            type=entry["type"],
            value=_bound_text(entry["value"]),
            choices=tuple((choice["label"], choice["value"]) for choice in entry.get("choices", [])),
            group=entry.get(
                "group", contract.OPTIONAL_INPUTS[name].group if name in contract.OPTIONAL_INPUTS else "request"
            ),
            visible=entry.get("visible", True),
        )
        for name, entry in template.get("properties", {}).items()
    )


def _auth(auth: dict) -> Auth:
    """Auth settings with their defaults (bearer and basic auth travel in ``Authorization``)."""
    header_default = "Authorization" if auth["type"] in ("bearerToken", "basicAuth") else ""
    return Auth(
        type=auth["type"],
        header=auth.get("header", header_default),
        prefix=auth.get("prefix", ""),
        console=auth.get("console"),
        console_label=auth.get("console_label"),
        key_prefix=auth.get("key_prefix"),
        secret_name=auth.get("secret_name", ""),
        default_source=auth.get("default_source", "env"),
        editable=auth.get("editable", False),
        optional=auth.get("optional", False),
        types=tuple(auth.get("types", [auth["type"]])),
        show_key_settings=auth.get("show_key_settings", False),
    )


DEFAULT_BODY_CAUSE = "The response body reports a failure"
DEFAULT_BODY_ACTION = "Read catalyst_error for the reason"


def _body_check(response: dict | None) -> BodyCheck | None:
    """The ``response`` section (absent: the HTTP status alone decides success)."""
    if not response:
        return None
    when = response["success_when"]
    condition = SuccessCondition(when["path"], when["equals"], response.get("error_path"), response.get("error_code"))
    return BodyCheck(condition, response.get("cause", DEFAULT_BODY_CAUSE), response.get("action", DEFAULT_BODY_ACTION))


def _documentation(data: dict, library: Library) -> Documentation:
    """The summary defaults to the tagline, the link to the library's website."""
    documentation = data.get("documentation", {})
    summary = " ".join(documentation.get("summary", data["tagline"]).split())
    return Documentation(summary=summary, url=documentation.get("url", library.website))


def _retry(retry: dict) -> Retry:
    """The retry settings; the backoff cap defaults to 30 s (or the first delay, when longer)."""
    return Retry(
        statuses=tuple(retry["statuses"]),
        max_retries=retry["max_retries"],
        backoff_ms=retry["backoff_ms"],
        max_backoff_ms=retry.get("max_backoff_ms", max(30000, retry["backoff_ms"])),
    )


def build_model(data: dict, library: Library, source_dir: Path, source_files: tuple[Path, ...] = ()) -> Connector:
    """Build the :class:`Connector` from validated spec data (defaults filled in here)."""
    endpoint = data["endpoint"]
    payload = data["request"]["payload"]
    payload_text = format_payload(payload)
    url = bound_form(endpoint["url"])
    headers = {name: bound_form(value) for name, value in endpoint.get("headers", {}).items()}
    template = data.get("template", {})
    local = {name for name in template.get("properties", {}) if name not in contract.OPTIONAL_INPUTS}
    return Connector(
        library=library,
        id=data["id"],
        name=data["name"],
        version=data["version"],
        category=data["category"],
        tagline=data["tagline"],
        about="\n\n".join(paragraphs(data.get("about", ""))),
        preset=data.get("extends"),
        endpoint_url=url,
        method=endpoint["method"],
        timeout_seconds=endpoint["timeout_seconds"],
        headers=headers,
        query=dict(endpoint.get("query", {})),
        endpoint_editable=endpoint.get("editable", False),
        auth=_auth(data["auth"]),
        models=tuple(Model(m["id"], m["description"], m.get("default", False)) for m in data.get("models", [])),
        models_note=data.get("models_note"),
        payload_text=payload_text,
        placeholders=tuple(
            p
            for p in _placeholders(url, headers, payload_text, data["request"].get("placeholders", {}))
            if p.name not in local  # set by the task itself, not asked of the process
        ),
        response_fields=tuple(
            ResponseField(name, entry["path"], entry["description"]) for name, entry in data["response_mapping"].items()
        ),
        errors=tuple(
            ErrorRule(int(status), e["code"], e["cause"], e["action"], " ".join(e.get("fix", "").split()))
            for status, e in data["errors"].items()
        ),
        body_check=_body_check(data.get("response")),
        documentation=_documentation(data, library),
        retry=_retry(data["retry"]),
        example=_example(data["example"]),
        tips=tuple(data.get("tips", [])),
        logo=_logo(data["logo"], source_dir),
        readme=build_readme(
            data.get("readme"), data["name"], any("fix" in e for e in data["errors"].values()), data["id"]
        ),
        fields=_fields(template),
        extra_properties=_extra_properties(template),
        source_files=source_files,
        linked_connectors=tuple(sorted({cid for cid, _ in connector_links(data)} - {data["id"]})),
    )


def _example(example: dict) -> Example:
    return Example(
        task_name=example["task_name"],
        configure_name=example.get("configure_name", "Configure"),
        review_name=example.get("review_name", "Review"),
    )


def _logo(logo: dict, source_dir: Path) -> Logo:
    """A logo file is named relative to the spec's folder."""
    return Logo(
        text=logo.get("text"),
        background=logo.get("background"),
        foreground=logo.get("foreground"),
        file=(source_dir / logo["file"]) if "file" in logo else None,
    )


def _error_mapping_json(errors: Iterable[ErrorRule]) -> str:
    """The ``errorMapping`` JSON (status -> BPMN error code) of ``errors``, in their order."""
    return json.dumps({str(e.status): e.code for e in errors}, indent=2, ensure_ascii=False)
