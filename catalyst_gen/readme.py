"""What a connector's README shows and in which order: the ``readme:`` key of a spec.

The README is a sequence of sections.  The standard ones (:data:`STANDARD_SECTIONS`)
show the spec's own facts; authored ones hold blocks of text the spec writes.  The
order, the titles and the extra blocks are decided here, in Python, so the templates
in ``templates/readme/`` only lay each section and block kind out.  Without a
``readme:`` key the order is :data:`STANDARD_SECTIONS`, which renders the README every
connector had before the key existed, byte for byte.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass

from .grammar import connector_link

STANDARD_SECTIONS = (
    "about",
    "quick_start",
    "authentication",
    "process_variables",
    "request_payload",
    "models",
    "response_mapping",
    "error_handling",
    "example_process",
    "tips",
    "files",
    "footer",
)
"""The sections every README has (some only when the spec has something to show), in their default order."""

SECTION_BREAK = "---"
"""An entry of ``readme.order`` that is a thematic break between two sections (it may repeat)."""

DEFAULT_TITLES = {
    "quick_start": "Quick Start",
    "authentication": "Authentication",
    "process_variables": "Process Variables",
    "request_payload": "Request Payload (Default)",
    "models": "Available Models",
    "response_mapping": "Response Mapping (Default)",
    "error_handling": "Error Handling",
    "example_process": "Example Process",
    "tips": "Tips",
    "files": "Files",
}
"""Heading of each standard section (``about`` is "About <name>"; ``footer`` has none)."""

UNTITLED = ("footer",)

SHOW = (
    "payload",
    "response_mapping",
    "response_fields",
    "error_mapping",
    "error_table",
    "standard_variables",
    "secret_sources",
    "files",
    "visible_fields",
    "hidden_fields",
)
"""What a ``show:`` block can put into an authored section: the spec's own truth, the same
partial the standard section uses, so authored text cannot drift from the artifacts."""

BLOCK_KINDS = ("text", "list", "steps", "table", "code", "json", "section", "break", "show", "fields")
"""The one key of each block mapping."""

ERROR_COLUMNS = {"status": "HTTP Status", "code": "BPMN Error", "cause": "Cause", "action": "Action", "fix": "Fix"}
"""The columns the Error Handling table can show, with their default titles."""


@dataclass(frozen=True)
class Block:
    """One authored block.  ``kind`` says which fields mean something:

    ``text``: ``paragraphs``; ``list``/``steps``: ``items``; ``table``: ``header``, ``rows``;
    ``code``/``json``: ``language``, ``code``; ``section``: ``title``, ``blocks``;
    ``show``: ``show``; ``fields``: ``group`` (the visible fields of one template group); ``break``: nothing.
    """

    kind: str
    paragraphs: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    header: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    language: str = ""
    code: str = ""
    title: str = ""
    blocks: tuple[Block, ...] = ()
    show: str = ""
    group: str = ""
    start: int = 1
    """``steps``: the number of its first item (see :func:`build_blocks`)."""


@dataclass(frozen=True)
class Section:
    """One ``##`` section: a standard one (its facts, plus authored blocks ``before`` and ``after``
    them, or authored ``blocks`` instead of them), an authored one, or a break between two."""

    name: str
    title: str
    standard: bool
    before: tuple[Block, ...] = ()
    after: tuple[Block, ...] = ()
    blocks: tuple[Block, ...] = ()
    replaced: bool = False

    @property
    def partial(self) -> str:
        """The template that lays the section out: ``templates/readme/section/<partial>.md.j2``."""
        if self.name == SECTION_BREAK:
            return "break"
        return self.name if self.standard else "custom"


@dataclass(frozen=True)
class SuiteMember:
    """One member of a suite as the footer names it."""

    title: str
    link: str = ""
    """``../<id>/`` (:func:`grammar.connector_link`) for a member that is a connector of the
    library; empty for one that is not (its title is written as text)."""


@dataclass(frozen=True)
class Suite:
    """The family a connector belongs to (``readme.suite``): the footer names it and the other members."""

    name: str
    others: tuple[SuiteMember, ...]
    """The members other than this connector, in the suite's order."""


@dataclass(frozen=True)
class Readme:
    sections: tuple[Section, ...]
    lead: tuple[Block, ...] = ()
    """Authored blocks right under the tagline, before the first section (``readme.lead``)."""
    quick_start: tuple[str, ...] = ()
    """Authored Quick Start steps; empty: the default steps."""
    error_columns: tuple[tuple[str, str], ...] = tuple(
        (k, ERROR_COLUMNS[k]) for k in ("status", "code", "cause", "action")
    )
    """``(column, title)`` of the Error Handling table, in order."""
    suite: Suite | None = None
    """The suite the footer names (``readme.suite``), without this connector among the others."""
    errors_by_status: bool = False
    """The Error Handling table's rows by HTTP status (``error_table.sort: status``), not in the order of ``errors``."""
    error_order: tuple[int, ...] = ()
    """The Error Handling table's rows in this order of HTTP statuses (``error_table.order``); empty: not given."""


def paragraphs(text: str) -> tuple[str, ...]:
    """Paragraphs of a text: split at blank lines, each folded onto one line (YAML ``|`` keeps its breaks)."""
    blocks = [" ".join(part.split()) for part in text.replace("\r\n", "\n").split("\n\n")]
    return tuple(b for b in blocks if b)


def json_block_text(data: object) -> str:
    """A ``json:`` block's data as JSON text, laid out like every JSON of the README (2-space indent)."""
    return json.dumps(data, indent=2, ensure_ascii=False)


def build_block(data: dict) -> Block:
    """A validated block mapping (exactly one key of :data:`BLOCK_KINDS`) as a :class:`Block`."""
    kind, value = next(iter(data.items()))
    if kind == "text":
        return Block(kind, paragraphs=paragraphs(value))
    if kind in ("list", "steps"):
        return Block(kind, items=tuple(" ".join(item.split()) for item in value))
    if kind == "table":
        rows = tuple(tuple(" ".join(str(c).split()) for c in row) for row in value["rows"])
        return Block(kind, header=tuple(" ".join(h.split()) for h in value["header"]), rows=rows)
    if kind == "code":
        return Block(kind, language=value.get("language", ""), code=value["text"].strip("\n").rstrip())
    if kind == "json":
        return Block("code", language="json", code=json_block_text(value))
    if kind == "section":
        return Block(kind, title=value["title"], blocks=build_blocks(value["blocks"]))
    if kind == "show":
        return Block(kind, show=value)
    if kind == "fields":
        return Block(kind, group=value)
    return Block("break")


def build_blocks(data: list | None) -> tuple[Block, ...]:
    """The blocks of one section or subsection.  A ``steps`` block that follows another with only
    ``code``/``json`` blocks between them continues its numbering: a code block shown under a step,
    as the published READMEs write "2. ... with payload:", a JSON block, "3. ..."."""
    blocks: list[Block] = []
    next_step = 1
    for block in (build_block(b) for b in data or ()):
        if block.kind == "steps":
            block = dataclasses.replace(block, start=next_step)
            next_step += len(block.items)
        elif block.kind != "code":
            next_step = 1
        blocks.append(block)
    return tuple(blocks)


def _section(name: str, settings: dict, about_title: str) -> Section:
    """A section of ``readme.order`` with its settings from ``readme.sections``."""
    if name == SECTION_BREAK:
        return Section(name, "", standard=False)
    standard = name in STANDARD_SECTIONS
    default_title = about_title if name == "about" else DEFAULT_TITLES.get(name, "")
    return Section(
        name,
        settings.get("title", default_title),
        standard=standard,
        before=build_blocks(settings.get("before")),
        after=build_blocks(settings.get("after")),
        blocks=build_blocks(settings.get("blocks")),
        replaced=standard and "blocks" in settings,
    )


def _error_columns(readme: dict, has_fix: bool) -> tuple[tuple[str, str], ...]:
    table = readme.get("error_table", {})
    default = ("status", "code", "cause", "action") + (("fix",) if has_fix else ())
    titles = {**ERROR_COLUMNS, **table.get("titles", {})}
    return tuple((key, titles[key]) for key in table.get("columns", default))


def _suite(suite: dict | None, connector_id: str) -> Suite | None:
    if not suite:
        return None
    others = tuple(
        SuiteMember(m["title"], connector_link(m["id"]) if "id" in m else "")
        for m in suite["members"]
        if m.get("id") != connector_id
    )
    return Suite(suite["name"], others)


def build_readme(readme: dict | None, name: str, has_fix: bool = False, connector_id: str = "") -> Readme:
    """The README's sections from a validated ``readme:`` key (absent: the standard README)."""
    readme = readme or {}
    sections = readme.get("sections", {})
    order = readme.get("order", STANDARD_SECTIONS)
    about_title = f"About {name}"
    return Readme(
        sections=tuple(_section(n, sections.get(n, {}), about_title) for n in order),
        lead=build_blocks(readme.get("lead")),
        quick_start=tuple(" ".join(step.split()) for step in readme.get("quick_start", ())),
        error_columns=_error_columns(readme, has_fix),
        errors_by_status=readme.get("error_table", {}).get("sort") == "status",
        error_order=tuple(readme.get("error_table", {}).get("order", ())),
        suite=_suite(readme.get("suite"), connector_id),
    )
