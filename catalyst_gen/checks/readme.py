"""The README as a Markdown reader sees it: only the structure the templates meant to make.

Spec text reaches the README through the templates' filters (``md_text``, ``md_code``,
``md_rich`` in prose, ``md_cell``, ``md_code_cell``, ``md_rich_cell`` in table cells), which
escape it.  This check reads the rendered README
back with an independent parser, markdown-it-py (CommonMark with GFM tables), and with
the row splitting of cmark-gfm (GitHub), so that a template edit that forgets a filter,
or a filter that misses a case, fails the build instead of reaching readers:

* no HTML, block or inline: spec text is shown as text and the templates write none;
* no image but the connector's own example picture;
* every link passes the README link rule (:func:`catalyst_gen.grammar.readme_link_problem`):
  a plain https address, or ``../<id>/`` to another connector;
* every table row has as many cells as its header, as GitHub splits rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

from ..errors import Problem
from ..grammar import readme_link_problem

HINT = (
    "fix templates/readme/: write spec text with the md_* filters "
    "(md_text, md_code, md_rich in prose; md_cell, md_code_cell, md_rich_cell in table cells)"
)


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    """CommonMark with GFM tables, keeping every link: markdown-it drops ``javascript:`` and most
    ``data:`` links by itself, but the README is shown by other readers too, so each is judged here."""
    parser = MarkdownIt("commonmark").enable("table")
    parser.validateLink = lambda url: True  # type: ignore[method-assign]
    return parser


def gfm_cells(row: str) -> int:
    """The cells of a GFM table row as cmark-gfm splits it: a backslash escapes the next
    character (inside code spans too), any other ``|`` ends a cell; outer pipes are optional."""
    body = row.strip()
    body = body[1:] if body.startswith("|") else body
    cells, escaped = 1, False
    for index, char in enumerate(body):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "|" and index != len(body) - 1:
            cells += 1
    return cells


def _inline(tokens: list[Token]) -> Iterator[tuple[Token, Token]]:
    """``(block token, inline child)`` of every inline token, with the block that holds it (for its line)."""
    for token in tokens:
        for child in token.children or ():
            yield token, child


def _line(token: Token) -> int:
    return token.map[0] + 1 if token.map else 0


def _table_rows(text: str, tokens: list[Token]) -> list[str]:
    """Rows of the README's tables (the lines markdown-it reads as one) whose cell count, as
    GitHub splits them, is not their header's."""
    lines, found = text.splitlines(), []
    for table in tokens:
        if table.type != "table_open" or not table.map:
            continue
        start, end = table.map
        header = gfm_cells(lines[start])
        for number in range(start + 1, end):
            cells = gfm_cells(lines[number])
            if cells != header:
                found.append(f"line {number + 1}: a table row of {cells} cells under a header of {header}")
    return found


def check_readme(text: str, name: str, picture: str) -> list[Problem]:
    """Every structure of the rendered README ``name`` that its templates must not make.

    ``picture`` is the file name of the connector's example picture, the one image allowed.
    """
    tokens = _parser().parse(text)
    found: list[str] = []
    for token in tokens:
        if token.type == "html_block":
            found.append(f"line {_line(token)}: an HTML block")
    for block, child in _inline(tokens):
        where = f"line {_line(block)}"
        if child.type == "html_inline":
            found.append(f"{where}: inline HTML {child.content!r}")
        elif child.type == "image" and child.attrs.get("src") != picture:
            found.append(f"{where}: an image of {child.attrs.get('src')!r} (only {picture} may be shown)")
        elif child.type == "link_open":
            href = str(child.attrs.get("href", ""))
            reason = readme_link_problem(href)
            if reason:
                found.append(f"{where}: a link to {href!r}, whose address {reason}")
    found += _table_rows(text, tokens)
    return [Problem(f"{name} {what}", hint=HINT, code="CG440") for what in found]
