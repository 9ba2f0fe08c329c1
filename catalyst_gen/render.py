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
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2

from . import contract, grammar
from .bpmn import IDS, boundary_flow_id, boundary_id, error_id
from .errors import CheckError, Problem
from .jsonfmt import canonical_json
from .layout import example_diagram, text_diagram
from .model import Connector, ExtraProperty, FieldSettings

if TYPE_CHECKING:
    from lxml import etree

ELEMENT_TEMPLATES_SCHEMA_VERSION = "0.22.1"
"""The ``@camunda/element-templates-json-schema`` release the templates are written for: the one the
oracle's ``@bpmn-io/element-templates-validator`` validates against (``tests/oracle/package-lock.json``;
a test keeps the two equal).  Pinned, so a new schema release never changes what a template claims."""
ELEMENT_TEMPLATES_SCHEMA = (
    f"https://unpkg.com/@camunda/element-templates-json-schema@{ELEMENT_TEMPLATES_SCHEMA_VERSION}/resources/schema.json"
)

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


_BLOCK_START = re.compile(
    r"^([ \t]*)([#>=~]|[*+-](?=[ \t]|$)|[0-9]+[.)]|(?=([*_-])(?:[ \t]*\3){2,}[ \t]*$)[*_-])", re.M
)
"""What makes a line a heading, quote, list, fence, setext underline or thematic break.

A ``*``, ``+`` or ``-`` starts a list only when a space or the line's end follows it, and
``***``/``---``/``___`` (spaces allowed between) is a thematic break; anything else
(``**Groq is FAST**``, ``-1``) is text, so emphasis at the start of a tip stays emphasis."""


def md_text(value) -> str:
    """Prose shown as written: it can add no Markdown structure to the README.

    HTML is shown as text (``&``, ``<``, ``>`` as entities); ``[`` and ``]`` are
    escaped, so a spec value can make no link and load no image (``javascript:``,
    ``data:`` and remote images included); a value cannot start a heading, a quote,
    a list or a code fence (its first marker is escaped); a backslash stays a
    backslash.  Ordinary punctuation stays readable in the Markdown source.
    """
    return _BLOCK_START.sub(_escape_block_start, _inline_text(value))


_BACKTICKS = re.compile(r"`+")


def _segments(text: str) -> list[tuple[bool, str]]:
    """``(is_code, text)`` pieces of a text: code spans (with their backticks) and the text between.

    A code span is a run of one or two backticks closed by the next run of the same length, as
    CommonMark pairs them.  Every other backtick is written as ``&#96;`` by :func:`_escaped`, so the
    README's only backticks are these spans' own and the Markdown parser pairs exactly these runs
    (a run of three or more could start a fence: it is never a span)."""
    runs = list(_BACKTICKS.finditer(text))
    pieces: list[tuple[bool, str]] = []
    last = i = 0
    while i < len(runs):
        width = len(runs[i].group())
        closer = next((j for j in range(i + 1, len(runs)) if len(runs[j].group()) == width), None)
        if width > 2 or closer is None:
            i += 1
            continue
        pieces.append((False, text[last : runs[i].start()]))
        pieces.append((True, text[runs[i].start() : runs[closer].end()]))
        last = runs[closer].end()
        i = closer + 1
    pieces.append((False, text[last:]))
    return [(code, piece) for code, piece in pieces if piece]


def _inline_text(value) -> str:
    """Text that can make no link, image or HTML where it stands (see :func:`md_text`).

    A code span is written as it is (:func:`_segments`): inside one nothing is Markdown, so
    ``items[0]`` or ``a<b`` shows as written instead of with the escapes."""
    return "".join(piece if code else _escaped(piece) for code, piece in _segments(str(value)))


def _escaped(text: str) -> str:
    """Text outside code spans: HTML as entities, brackets and backslashes escaped, backticks as ``&#96;``."""
    text = text.replace("\\", "\\\\").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("[", "\\[").replace("]", "\\]").replace("`", "&#96;")


def _escape_block_start(match: re.Match[str]) -> str:
    """A backslash before the marker (``\\#``); an ordered list's is after its number (``1\\.``),
    since a backslash before a digit would show."""
    marker = match.group(2)
    if marker[0].isdigit():
        return match.group(1) + marker[:-1] + "\\" + marker[-1]
    return match.group(1) + "\\" + marker


_PIPE = re.compile(r"(\\*)\|")


def _cell_pipes(text: str) -> str:
    """``text`` with every ``|`` escaped the way GFM's row splitter reads a table row.

    cmark-gfm (GitHub) splits a row at each ``|`` that no backslash escapes, reading the
    row from the left with a backslash escaping the next character, inside code spans too.
    So a pipe after an even run of backslashes (none, or a code span's ``\\``) gets one
    more, and a pipe after an odd run is already escaped: it stays one cell either way.
    """
    return _PIPE.sub(lambda m: m.group(1) + ("|" if len(m.group(1)) % 2 else "\\|"), text)


def md_cell(value) -> str:
    """Text safe inside a Markdown table cell: one line, pipes escaped, no link, image or HTML.

    A cell is inline content of its row, so a leading ``#``, ``-`` or ``~`` starts
    nothing there and is written as it is (``~1 msg/sec``)."""
    return _cell_pipes(_inline_text(" ".join(str(value).split())))


def md_code(value) -> str:
    """An inline code span of the value, in prose: a fence longer than any run of backticks in it.

    Inside a code span Markdown has no escapes, so every character, backslash and pipe included,
    is shown as written.  In a table cell use :func:`md_code_cell`."""
    text = " ".join(str(value).split())
    fence = "`"
    while fence in text:
        fence += "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def md_code_cell(value) -> str:
    """:func:`md_code` inside a table cell: GitHub splits the row before it reads code spans, so a
    pipe gets a backslash (:func:`_cell_pipes`), which GFM removes again inside the span."""
    return _cell_pipes(md_code(value))


def md_rich(value) -> str:
    """Authored README prose (``readme:`` blocks): :func:`md_text`, except that a link written
    ``[text](https://...)`` whose address passes :func:`~catalyst_gen.grammar.readme_link_problem`
    stays a link (the loader refused every other one; here it would be shown as text)."""
    return _BLOCK_START.sub(_escape_block_start, _rich_inline(str(value)))


def md_rich_cell(value) -> str:
    """An authored table cell: :func:`md_cell` with the links of :func:`md_rich`."""
    return _cell_pipes(_rich_inline(" ".join(str(value).split())))


def _rich_inline(text: str) -> str:
    """Escaped text in which only links that pass the grammar's rule are written as links.

    Links are looked for outside code spans only (:func:`_segments`); a ``!`` right before a link
    is escaped, so no link becomes an image."""
    return "".join(piece if code else _linked(piece) for code, piece in _segments(text))


def _linked(text: str) -> str:
    out, last = [], 0
    for match in grammar.README_LINK.finditer(text):
        if grammar.readme_link_problem(match.group(2)):
            continue
        before = _escaped(text[last : match.start()])
        out.append(before[:-1] + "\\!" if before.endswith("!") else before)
        out.append(f"[{_escaped(match.group(1))}]({match.group(2)})")
        last = match.end()
    out.append(_escaped(text[last:]))
    return "".join(out)


def md_link(item) -> str:
    """``[title](link)`` of an item with a ``title`` and a ``link`` (a suite member), the title as
    :func:`md_text`; the title alone when the link is empty or breaks the grammar's rule."""
    title = md_text(item.title)
    if not item.link or grammar.readme_link_problem(item.link):
        return title
    return f"[{title}]({item.link})"


def md_fence(code, language: str = "") -> str:
    """A fenced code block that no backtick run inside it can close early (the fence is longer)."""
    text = str(code)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{text}\n{fence}"


def md_rule(title) -> str:
    """The delimiter-row cell under a header cell, as wide as the header (``|-------|``)."""
    return "-" * max(3, len(md_rich_cell(title)) + 2)


def _visible_row(p: Property) -> tuple[str, ...]:
    """``(label, type, default, description)`` of a property the Modeler shows, escaped for a README table."""
    value = p.value or ""
    default = "*(see below)*" if "\n" in value else md_code_cell(value) if value else ""
    return (md_cell(p.label or p.binding_name), p.type, default, md_cell(p.description or ""))


def template_fields(properties: list[Property]) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """The element template's fields for the README (``show: visible_fields``/``hidden_fields``), escaped:
    ``(label, type, default, description)`` of each field the Modeler shows, ``(name, value)`` of each hidden one.

    Read from ``properties`` (:func:`modeler_properties`, the properties the template is written from, in
    the order the Modeler shows them), so the table cannot drift from the template; a default over
    several lines is shown below the table, not in it."""
    visible: list[tuple[str, ...]] = []
    hidden: list[tuple[str, ...]] = []
    for p in properties:
        value = p.value or ""
        if p.type == contract.HIDDEN:
            hidden.append((md_code_cell(p.binding_name), md_code_cell(value) if value else ""))
            continue
        visible.append(_visible_row(p))
    return visible, hidden


def group_fields(properties: list[Property]) -> dict[str, list[tuple[str, ...]]]:
    """The rows of :func:`template_fields`' visible fields, per template group (a README ``fields:`` block),
    in the order the Modeler shows them (``properties``: :func:`modeler_properties`).

    Every group of :data:`contract.GROUP_IDS` is a key; one the Modeler shows nothing in has no rows
    (the spec check refuses a ``fields:`` block for it, CG386)."""
    groups: dict[str, list[tuple[str, ...]]] = {group: [] for group in contract.GROUP_IDS}
    for p in properties:
        if p.type != contract.HIDDEN and p.group in groups:
            groups[p.group].append(_visible_row(p))
    return groups


@dataclass(frozen=True)
class ErrorTable:
    """The Error Handling table: escaped header titles, delimiter cells and row cells, in column order."""

    header: tuple[str, ...]
    rule: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def error_table(c: Connector) -> ErrorTable:
    """One row per ``errors`` entry (by HTTP status with ``sort: status``, in the listed order with
    ``order:``), then the body check's; columns and titles from ``readme.error_table``."""
    keys = [key for key, _ in c.readme.error_columns]
    errors = sorted(c.errors, key=lambda e: e.status) if c.readme.errors_by_status else c.errors
    if c.readme.error_order:  # validated: every status of `errors`, each once
        rank = {status: index for index, status in enumerate(c.readme.error_order)}
        errors = sorted(errors, key=lambda e: rank[e.status])
    rows = [
        {
            "status": str(e.status),
            "code": md_code_cell(e.code),
            "cause": md_cell(e.cause),
            "action": md_cell(e.action),
            "fix": md_rich_cell(e.fix),
        }
        for e in errors
    ]
    check = c.body_check
    if check:
        code = check.condition.error_code
        status = f"2xx, {md_code_cell(check.condition.path)} ≠ {md_code_cell(check.expected)}"
        rows.append(
            {
                "status": status,
                "code": md_code_cell(code) if code else "—",
                "cause": md_cell(check.cause),
                "action": md_cell(check.action),
                "fix": "—",
            }
        )
    titles = tuple(md_cell(title) for _, title in c.readme.error_columns)
    return ErrorTable(
        header=titles,
        rule=tuple("-" * (len(t) + 2) for t in titles),
        rows=tuple(tuple(row[k] for k in keys) for row in rows),
    )


@dataclass(frozen=True)
class Property:
    """One element-template property (see Camunda 7 element templates), as the template writes it."""

    binding_type: str
    binding_name: str
    type: str
    value: str | None = None
    label: str | None = None
    description: str | None = None
    group: str | None = None
    choices: tuple[tuple[str, str], ...] = ()
    not_empty: bool = False
    pattern: contract.Pattern | None = None


def _property(setting: contract.RuntimeInput, c: Connector) -> Property:
    """The property of one runtime setting; a setting the user may not edit is written as Hidden.

    ``template.fields`` (:class:`~catalyst_gen.model.FieldSettings`) overrides the contract's label,
    description, group and visibility; an optional input is written as the spec declares it.
    """
    declared = c.extra_property(setting.name)
    if declared is not None:
        return _declared_property(declared)
    settings = c.fields.get(setting.field, FieldSettings())
    shown = setting.is_visible(c)
    return Property(
        binding_type=setting.binding,
        binding_name=setting.name,
        type=setting.type if shown else contract.HIDDEN,
        value=setting.encode(c),
        label=settings.label or setting.label,
        description=settings.description or setting.description_for(c),
        group=settings.group or setting.group,
        choices=setting.choices_for(c) if shown else (),
        not_empty=shown and setting.is_not_empty(c),
        pattern=setting.pattern if shown else None,
    )


def _declared_property(declared: ExtraProperty) -> Property:
    """A property of ``template.properties``: an input parameter with the spec's type, value and choices."""
    return Property(
        binding_type=contract.INPUT_PARAMETER,
        binding_name=declared.name,
        type=declared.modeler_type if declared.visible else contract.HIDDEN,
        value=declared.value,
        label=declared.label,
        description=declared.description,
        group=declared.group,
        choices=declared.modeler_choices if declared.visible else (),
    )


def template_properties(c: Connector) -> list[Property]:
    """The properties of the connector task, in the example BPMN's order.

    The runtime delegate class comes first; then one property per setting of
    the runtime contract (:data:`contract.BINDINGS`) that this connector has,
    then the task-local variables the spec declares (``template.properties``).
    """
    delegate = Property("property", "camunda:class", contract.HIDDEN, c.library.runtime_class)
    settings = [_property(setting, c) for setting in contract.BINDINGS if setting.is_present(c)]
    return [delegate] + settings + [_declared_property(p) for p in c.local_variables]


_PAYLOAD_RANK = contract.MODELER_ORDER.index(contract.PAYLOAD.name)


def _modeler_position(p: Property) -> tuple[int, float]:
    """Group (in :data:`contract.GROUPS` order), then :data:`contract.MODELER_ORDER`; the delegate first,
    a task-local variable just before the payload."""
    if p.group is None:
        return (-1, 0)
    rank = (
        contract.MODELER_ORDER.index(p.binding_name)
        if p.binding_name in contract.MODELER_ORDER
        else _PAYLOAD_RANK - 0.5
    )
    return (contract.GROUP_IDS.index(p.group), rank)


def modeler_properties(c: Connector) -> list[Property]:
    """The element template's properties, in the order the Modeler shows them (grouped as published)."""
    return sorted(template_properties(c), key=_modeler_position)


def auth_type_rows(c: Connector) -> list[tuple[str, str, str]]:
    """``(code, Modeler label, what the secret is)`` per offered auth type, for the README.

    Empty for a connector with one auth type other than basicAuth: its README stays as it was.
    basicAuth alone gets its row, since its secret (``user:password``) is not an API key.
    """
    if len(c.auth.types) < 2 and c.auth.type != "basicAuth":
        return []
    return [(t, contract.AUTH_TYPE_LABELS[t], contract.AUTH_TYPE_SECRETS[t]) for t in c.auth.types]


MAX_TEMPLATE_BYTES = 1 << 20


class LibraryTemplateLoader(jinja2.BaseLoader):
    """Jinja templates read like every other library input (:func:`~catalyst_gen.library.read_inside`).

    ``templates/`` arrives in pull requests too, and a template's text ends up
    in the artifacts: a template that is a link to a file outside the library
    (a credentials file, ``/proc/self/environ``) is refused, not rendered.
    Jinja's ``FileSystemLoader`` would follow the link.
    """

    def __init__(self, folder: Path):
        self.folder = folder
        self.root = folder.parent  # the library root: templates/ sits beside connectors/

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        from .library import read_inside

        path = self.folder.joinpath(*template.split("/"))
        if ".." in template.split("/") or not (path.exists() or path.is_symlink()):
            raise jinja2.TemplateNotFound(template)
        data = read_inside(self.root, path, MAX_TEMPLATE_BYTES)
        if len(data) > MAX_TEMPLATE_BYTES:
            raise CheckError(
                Problem(
                    f"template {path} is over {MAX_TEMPLATE_BYTES:,} bytes",
                    hint="a template is a page of text",
                    code="CG401",
                )
            )
        mtime = path.stat().st_mtime_ns
        return data.decode("utf-8"), str(path), lambda: path.exists() and path.stat().st_mtime_ns == mtime


def template_loader(templates_dir: Path) -> jinja2.BaseLoader:
    """A library's own templates first, then the ones catalyst-gen ships (:func:`~catalyst_gen.library.default_templates_dir`).

    So a library only keeps the templates it changes, and a library made with
    ``catalyst-gen init`` still builds after its ``templates/`` is deleted.
    """
    from .library import default_templates_dir

    shipped = default_templates_dir()
    if shipped.resolve() == templates_dir.resolve():
        return LibraryTemplateLoader(templates_dir)
    return jinja2.ChoiceLoader([LibraryTemplateLoader(templates_dir), LibraryTemplateLoader(shipped)])


class Renderer:
    """Renders artifacts from one templates folder; build it once per process."""

    def __init__(self, templates_dir: Path):
        self.templates_dir = templates_dir
        self.env = jinja2.Environment(
            loader=template_loader(templates_dir),
            autoescape=jinja2.select_autoescape(enabled_extensions=("bpmn.j2", "svg.j2"), default_for_string=False),
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters.update(
            xml_attr=xml_attr,
            md_text=md_text,
            md_cell=md_cell,
            md_code=md_code,
            md_code_cell=md_code_cell,
            md_rich=md_rich,
            md_rich_cell=md_rich_cell,
            md_link=md_link,
            md_fence=md_fence,
            md_rule=md_rule,
        )

    def _render(self, role: str, **context) -> str:
        name = TEMPLATE_FILES[role]
        try:
            return self.env.get_template(name).render(**context)
        except jinja2.TemplateSyntaxError as exc:
            raise CheckError(
                Problem(f"template syntax error: {exc.message}", hint=f"fix {exc.filename}:{exc.lineno}", code="CG402")
            ) from None
        except jinja2.TemplateNotFound:
            raise CheckError(Problem(f"template {name} not found in {self.templates_dir}", code="CG401")) from None
        except jinja2.UndefinedError as exc:
            raise CheckError(
                Problem(
                    f"template {name}: {exc.message}",
                    hint="the template uses a value the model does not have",
                    code="CG402",
                )
            ) from None

    def logo(self, c: Connector) -> bytes:
        if c.logo.file is not None:
            return c.logo.file.read_bytes()
        size = {1: 34, 2: 26}.get(len(c.logo.text or ""), 20)
        return self._render("logo", c=c, font_size=size).encode("utf-8")

    def element_template(self, c: Connector, logo: bytes) -> bytes:
        properties = modeler_properties(c)
        used = {p.group for p in properties}
        icon = "data:image/svg+xml;base64," + base64.b64encode(logo).decode("ascii")
        text = self._render(
            "element_template",
            c=c,
            schema_url=ELEMENT_TEMPLATES_SCHEMA,
            icon=icon,
            groups=[g for g in contract.GROUPS if g[0] in used],
            properties=properties,
        )
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CheckError(
                Problem(
                    f"{TEMPLATE_FILES['element_template']} rendered invalid JSON: {exc.msg} at line {exc.lineno}",
                    code="CG403",
                )
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
            payload=next(p for p in properties if p.binding_type == contract.FIELD),
            inputs=[p for p in properties if p.binding_type == contract.INPUT_PARAMETER],
            standard_variables=contract.STANDARD_VARIABLES,
            error_code_variable=contract.ERROR_CODE_VARIABLE,
            error_message_variable=contract.ERROR_MESSAGE_VARIABLE,
            process_id=c.process_id,
        )
        return text.encode("utf-8")

    def readme(self, c: Connector) -> bytes:
        """The README; its Auth Types table only for a connector that offers a choice or sends Basic auth."""
        names = c.file_names
        files = [
            (names["element_template"], "Element Template"),
            (names["example"], "Example BPMN process"),
            (names["diagram"], "Picture of the example process"),
            (names["logo"], "Connector logo (64×64)"),
            (names["readme"], "This documentation"),
        ]
        properties = modeler_properties(c)
        text = self._render(
            "readme",
            c=c,
            contract=contract,
            env_var=contract.env_var_name(c.auth.secret_name),
            auth_types=auth_type_rows(c),
            error_table=error_table(c),
            template_fields=template_fields(properties),
            group_fields=group_fields(properties),
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
            raise CheckError(Problem(f"{name}: cannot draw the example process: {exc}", code="CG404")) from None
