"""The consistency rules of the ``readme:`` key (and ``errors.<status>.fix``) beyond the schema.

Run by :func:`catalyst_gen.validate.validate` on what the schema vouched for.  Each
rule is about something the schema cannot say: names that refer to each other
(``order`` and ``sections``), one kind per block, table rows as wide as their
header, links that the README can make (one rule, :func:`grammar.readme_link_problems`,
which the renderer applies again), a Fix column for errors that have a fix.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from typing import TYPE_CHECKING

from . import grammar
from .errors import ProblemList
from .readme import BLOCK_KINDS, SECTION_BREAK, STANDARD_SECTIONS, UNTITLED
from .suggest import did_you_mean

if TYPE_CHECKING:
    from .loader import SpecSource
    from .schema_check import SchemaVerdict

README = ("readme",)
BLOCK_LISTS = ("before", "after", "blocks")


def check_readme(
    source: SpecSource,
    problems: ProblemList,
    verdict: SchemaVerdict,
    known_connectors: Callable[[], Collection[str]] | None = None,
) -> None:
    """Every rule of this module, on the parts of the spec that passed the schema.

    ``known_connectors`` lists the library's connectors; it is called only when the README
    links to another connector, which must be one of them (no list: not checked).
    """
    if not verdict.passed(README):
        return
    written = source.data.get("readme")
    readme: dict = written if isinstance(written, dict) else {}
    _check_order(source, problems, readme)
    _check_sections(source, problems, readme)
    for path, block in readme_blocks(readme):
        _check_block(source, problems, path, block)
    if "suite" in readme:
        _check_suite(source, problems, readme["suite"])
    _check_about(source, problems, readme)
    errors = source.data.get("errors", {}) if verdict.passed(("errors",)) else {}
    if errors:
        _check_fix_column(source, problems, readme)
        _check_error_order(source, problems, readme)
    for text, path in _prose(readme, errors):
        _check_links(source, problems, path, text)
    if known_connectors is not None:
        _check_connector_links(source, problems, known_connectors, readme, errors)


def _check_order(source: SpecSource, problems: ProblemList, readme: dict) -> None:
    """Each name of ``order`` is a section, listed once; each authored section is placed."""
    sections = readme.get("sections", {})
    known = list(STANDARD_SECTIONS) + [name for name in sections if name not in STANDARD_SECTIONS]
    order = readme.get("order")
    seen: set[str] = set()
    for index, name in enumerate(order or []):
        path = README + ("order", index)
        if name == SECTION_BREAK:
            continue
        if name not in known:
            hint = did_you_mean(name, known) or f"sections here: {', '.join(known)}"
            problems.add(f"no README section `{name}`", source.locate(path), path, hint, code="CG390")
        elif name in seen:
            hint = "list each section once (`---` may repeat)"
            problems.add(f"README section `{name}` is listed twice", source.locate(path), path, hint, code="CG391")
        seen.add(name)
    placed = set(order) if order else set(STANDARD_SECTIONS)
    for name in sections:
        if name not in STANDARD_SECTIONS and name not in placed:
            path = README + ("sections", name)
            problems.add(
                f"the README section `{name}` is not placed",
                source.locate(path, key=True),
                path,
                "add its name to `readme.order` where it goes (the order lists every section, standard ones too)",
                code="CG391",
            )


def _check_sections(source: SpecSource, problems: ProblemList, readme: dict) -> None:
    """An authored section has a title and blocks (and nothing else); the footer has no title."""
    for name, settings in readme.get("sections", {}).items():
        path = README + ("sections", name)
        if name in STANDARD_SECTIONS:
            if name in UNTITLED and "title" in settings:
                _misfit(source, problems, path + ("title",), f"the `{name}` section has no heading", "remove `title`")
            continue
        for key in ("before", "after"):
            if key in settings:
                hint = "write all of an authored section's blocks under `blocks`"
                _misfit(source, problems, path + (key,), f"`{key}` is only for standard sections", hint)
        for key in ("title", "blocks"):
            if key not in settings:
                what = "a heading" if key == "title" else "content"
                _misfit(source, problems, path, f"the authored section `{name}` has no `{key}`", f"give it {what}")


def _check_about(source: SpecSource, problems: ProblemList, readme: dict) -> None:
    """``about`` is the text of the About section: needed where the README shows it, and refused
    where it does not (text no artifact shows would only mislead the next author)."""
    about = readme.get("sections", {}).get("about", {})
    shown = "about" in readme.get("order", STANDARD_SECTIONS) and "blocks" not in about
    if shown and "about" not in source.data:
        where = README + ("order",) if "order" in readme else ()
        problems.add(
            "the README shows the About section, and the spec has no `about`",
            source.locate(where, key=True),
            where,
            "write `about:` (the About text; a blank line starts a new paragraph), or leave `about` out of `readme.order`",
            code="CG397",
        )
    elif not shown and "about" in source.data:
        why = "`readme.sections.about.blocks` replaces it" if "blocks" in about else "`readme.order` leaves it out"
        problems.add(
            f"the README does not show the About section ({why}), so `about` is shown nowhere",
            source.locate(("about",), key=True),
            ("about",),
            "remove `about`, or add `about` to `readme.order` to show it",
            code="CG397",
        )


def _check_suite(source: SpecSource, problems: ProblemList, suite: dict) -> None:
    """Each member id once, and the connector itself among them (else its footer would name itself
    nowhere and a wrong id would silently list the connector as its own "see also")."""
    path = README + ("suite", "members")
    seen: set[str] = set()
    for index, member in enumerate(suite["members"]):
        member_id = member.get("id")
        if member_id is None:
            continue
        if member_id in seen:
            where = path + (index, "id")
            hint = "list each connector once"
            problems.add(f"suite member `{member_id}` is listed twice", source.locate(where), where, hint, code="CG353")
        seen.add(member_id)
    connector_id = source.data.get("id")
    if isinstance(connector_id, str) and connector_id not in seen:
        problems.add(
            f"this connector (`{connector_id}`) is not a member of its suite {suite['name']!r}",
            source.locate(path, key=True),
            path,
            f"add `{{id: {connector_id}, title: ...}}` to `readme.suite.members`, or remove `readme.suite`",
            code="CG352",
        )


def _misfit(source: SpecSource, problems: ProblemList, path: tuple, message: str, hint: str) -> None:
    problems.add(message, source.locate(path, key=True), path, hint, code="CG395")


def readme_blocks(readme: dict) -> Iterator[tuple[tuple, dict]]:
    """``(path, block)`` of every block of the lead and of every section, subsections' blocks included."""
    yield from _walk(readme.get("lead", []), README + ("lead",))
    for name, settings in readme.get("sections", {}).items():
        for key in BLOCK_LISTS:
            yield from _walk(settings.get(key, []), README + ("sections", name, key))


def _walk(blocks: list, path: tuple) -> Iterator[tuple[tuple, dict]]:
    for index, block in enumerate(blocks):
        yield path + (index,), block
        section = block.get("section")
        if isinstance(section, dict):
            yield from _walk(section.get("blocks", []), path + (index, "section", "blocks"))


def _check_block(source: SpecSource, problems: ProblemList, path: tuple, block: dict) -> None:
    """One kind per block; a subsection holds no subsection; table rows as wide as the header; links."""
    if len(block) != 1:
        found = ", ".join(f"`{k}`" for k in block) or "none"
        problems.add(
            f"a README block has exactly one kind, this one has {found}",
            source.locate(path),
            path,
            f"write one of {', '.join(BLOCK_KINDS)} per block (one list item each)",
            code="CG394",
        )
        return
    kind, value = next(iter(block.items()))
    if kind == "section" and any(part == "section" for part in path):
        hint = "write it as its own section in `readme.sections` and `readme.order`"
        _misfit(source, problems, path + (kind,), "a subsection cannot hold another subsection", hint)
    if kind == "table":
        _check_table(source, problems, path + (kind,), value)


def _block_texts(kind: str, value: object, path: tuple) -> Iterator[tuple[str, tuple]]:
    """The texts of a block that are shown as prose (and may hold links)."""
    if kind == "text" and isinstance(value, str):
        yield value, path
    elif kind in ("list", "steps") and isinstance(value, list):
        yield from ((item, path + (i,)) for i, item in enumerate(value))
    elif kind == "table" and isinstance(value, dict):
        yield from ((str(cell), path + ("header", i)) for i, cell in enumerate(value.get("header", [])))
        for r, row in enumerate(value.get("rows", [])):
            yield from ((str(cell), path + ("rows", r, i)) for i, cell in enumerate(row))


def _check_table(source: SpecSource, problems: ProblemList, path: tuple, table: dict) -> None:
    width = len(table["header"])
    for index, row in enumerate(table["rows"]):
        if len(row) != width:
            where = path + ("rows", index)
            problems.add(
                f"the table row has {len(row)} cells, its header {width}",
                source.locate(where),
                where,
                'write one cell per column (an empty cell is "")',
                code="CG393",
            )


def _prose(readme: dict, errors: dict) -> Iterator[tuple[str, tuple]]:
    """``(text, path)`` of every authored text the README shows as prose, where a link may be
    written: the Quick Start steps, the texts of every block (of one kind) and the errors' fixes."""
    for index, step in enumerate(readme.get("quick_start", [])):
        yield step, README + ("quick_start", index)
    for path, block in readme_blocks(readme):
        if len(block) == 1:
            kind, value = next(iter(block.items()))
            yield from _block_texts(kind, value, path + (kind,))
    for status, entry in errors.items():
        if "fix" in entry:
            yield entry["fix"], ("errors", status, "fix")


def connector_links(data: dict) -> Iterator[tuple[str, tuple]]:
    """``(id, path)`` of every connector a valid spec's README links to: the members of
    ``readme.suite`` and each ``[text](../<id>/)`` of its prose (:func:`grammar.linked_connectors`)."""
    return _links(data.get("readme") or {}, data.get("errors", {}))


def _links(readme: dict, errors: dict) -> Iterator[tuple[str, tuple]]:
    for index, member in enumerate((readme.get("suite") or {}).get("members", [])):
        if member.get("id") is not None:
            yield member["id"], README + ("suite", "members", index, "id")
    for text, path in _prose(readme, errors):
        for connector_id in grammar.linked_connectors(text):
            yield connector_id, path


def _check_connector_links(
    source: SpecSource,
    problems: ProblemList,
    known_connectors: Callable[[], Collection[str]],
    readme: dict,
    errors: dict,
) -> None:
    """A README links only to connectors of the library: a link to a missing one would lead nowhere."""
    links = list(_links(readme, errors))
    if not links:
        return
    known = sorted(set(known_connectors()))
    for connector_id, path in links:
        if connector_id not in known:
            nearest = did_you_mean(connector_id, known) or f"connectors here: {', '.join(known)}."
            problems.add(
                f"the README links to the connector `{connector_id}`, which is not in the library",
                source.locate(path),
                path,
                f"{nearest} Otherwise create it (`catalyst-gen new {connector_id}`) or remove the link",
                code="CG354",
            )


def _check_links(source: SpecSource, problems: ProblemList, path: tuple, text: str) -> None:
    for link, reason in grammar.readme_link_problems(text):
        problems.add(
            f"the README link {link!r}: {reason}", source.locate(path), path, grammar.README_LINK_HINT, code="CG392"
        )


def _check_fix_column(source: SpecSource, problems: ProblemList, readme: dict) -> None:
    """The error table shows a Fix column only when every error has a fix (the links of a fix are
    checked with the other prose, :func:`_prose`)."""
    errors = source.data.get("errors", {})
    columns = readme.get("error_table", {}).get("columns")
    with_fix = [status for status, entry in errors.items() if "fix" in entry]
    shows_fix = "fix" in columns if columns is not None else bool(with_fix)
    for status, entry in errors.items():
        path = ("errors", status)
        if shows_fix and "fix" not in entry:
            hint = "add `fix:` to it, or leave `fix` out of `readme.error_table.columns`"
            problems.add(
                "the README's error table has a Fix column, this error has no `fix`",
                source.locate(path, key=True),
                path,
                hint,
                code="CG396",
            )
        elif not shows_fix and "fix" in entry:
            hint = "add `fix` to `readme.error_table.columns`, or remove it"
            where = path + ("fix",)
            problems.add(
                "the README's error table shows no Fix column",
                source.locate(where, key=True),
                where,
                hint,
                code="CG396",
            )


def _check_error_order(source: SpecSource, problems: ProblemList, readme: dict) -> None:
    """``error_table.order`` lists every status of ``errors`` once (the schema refuses repeats), and only
    those; it and ``sort`` are not both given."""
    table = readme.get("error_table", {})
    order = table.get("order")
    if order is None:
        return
    where = README + ("error_table", "order")
    if "sort" in table:
        problems.add(
            "the README's error table has both `sort` and `order`",
            source.locate(README + ("error_table", "sort"), key=True),
            README + ("error_table", "sort"),
            "keep one: `sort: status` orders the rows by status, `order` lists them",
            code="CG389",
        )
    statuses = [int(status) for status in source.data.get("errors", {})]
    for index, status in enumerate(order):
        if status not in statuses:
            problems.add(
                f"`readme.error_table.order` lists HTTP status {status}, which `errors` does not have",
                source.locate(where + (index,)),
                where + (index,),
                "list only the statuses of `errors`: " + ", ".join(str(s) for s in statuses),
                code="CG387",
            )
    for status in statuses:
        if status not in order:
            problems.add(
                f"the error for HTTP status {status} is missing from `readme.error_table.order`",
                source.locate(where, key=True),
                where,
                f"add {status} where its row goes",
                code="CG388",
            )
