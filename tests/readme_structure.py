"""The structure of a Markdown README, and the differences between two: for tests and by hand.

``structure(text)`` parses with markdown-it-py (CommonMark plus GFM tables, the parser
``tests/acceptance/test_trust_readme.py`` uses) and lists, one line each: headings with
their level, tables (header, then each row), code blocks (info string and content),
paragraphs, list items (bulleted or numbered) and thematic breaks.  Inline text is
written back canonically (``**bold**``, `` `code` ``, ``[text](url)``, ``![alt](src)``)
with its whitespace folded, so two READMEs that say the same thing the same way
compare equal whatever their escaping, line wrapping or blank lines.

``diff(generated, published)`` compares the two, leaving out of the generated one the
documented additions to the published format (:data:`ALLOWED_ADDITIONS`: the example's
picture line and its row in "Files", and a body condition's row and sentence under "Error
Handling").

    python3 tests/readme_structure.py dist/webhook/README.md /tmp/webhook.md

prints the differences as a unified diff of the two structures (exit 1), or says there
are none (exit 0).

The published READMEs are public material the project may read but not redistribute, so the
repository keeps only their *fingerprints* (``tests/data/published/<name>.structure.json``: the
sha256 of each structure line, :func:`fingerprint`), written by

    python3 tests/readme_structure.py --record tests/data/published DIR_OF_PUBLISHED_READMES

``python3 tests/readme_structure.py --update-known`` (from the project root) rewrites the
differences recorded in ``tests/data/published/catalog.json`` from ``dist/``, for review in git's diff.

``diff_fingerprint(generated, recorded)`` compares a generated README with such a record: any
line that differs, is missing or is extra is a difference, shown with our text and the position
of the published line (whose text the record does not hold).  Passing a ``.structure.json`` as
the second argument of the command compares against the record.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import re
import sys
from pathlib import Path

ALLOWED_ADDITIONS = (
    re.compile(r"^paragraph: !\[Example process: [^\]]*\]\([a-z0-9-]+-example\.svg\)$"),
    re.compile(r"^row: `[a-z0-9-]+-example\.svg` \| Picture of the example process$"),
    re.compile(r"^row: 2xx, `[^`]+` ≠ `[^`]*` \| "),
    re.compile(r"^paragraph: A 2xx response counts as success only when the body's `[^`]+` is `[^`]*`: otherwise "),
)
"""Lines of a generated README's structure that the published READMEs do not have, on purpose
(the project README's "Deliberate additions to the published format")."""


def _parser():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table")


def _fold(text: str) -> str:
    return " ".join(text.split())


def _inline(token) -> str:
    """An inline token written back canonically (escapes resolved, whitespace folded)."""
    out: list[str] = []
    hrefs: list[str] = []
    children = token.children or []
    for index, child in enumerate(children):
        kind = child.type
        if kind == "text" or kind == "html_inline":
            before_link = index + 1 < len(children) and children[index + 1].type == "link_open"
            text = child.content
            out.append(text[:-1] + "\\!" if before_link and text.endswith("!") else text)  # not an image
        elif kind == "code_inline":
            out.append(f"`{child.content}`")
        elif kind in ("softbreak", "hardbreak"):
            out.append(" ")
        elif kind in ("strong_open", "strong_close"):
            out.append("**")
        elif kind in ("em_open", "em_close"):
            out.append("*")
        elif kind == "link_open":
            hrefs.append(str(child.attrs.get("href", "")))
            out.append("[")
        elif kind == "link_close":
            out.append(f"]({hrefs.pop() if hrefs else ''})")
        elif kind == "image":
            out.append(f"![{child.content}]({child.attrs.get('src', '')})")
        else:
            out.append(child.content)
    return _fold("".join(out))


def structure(text: str) -> list[str]:
    """The README's structure, one line per element (see the module's docstring)."""
    lines: list[str] = []
    tokens = _parser().parse(text)
    lists: list[str] = []  # "bullet" or "ordered", innermost last
    cells: list[str] = []
    for index, token in enumerate(tokens):
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            lists.append("item" if kind == "bullet_list_open" else "step")
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "heading_open":
            lines.append(f"h{token.tag[1:]}: {_inline(tokens[index + 1])}")
        elif kind == "inline" and tokens[index - 1].type == "paragraph_open":
            lines.append(f"{lists[-1] if lists else 'paragraph'}: {_inline(token)}")
        elif kind == "inline" and tokens[index - 1].type in ("th_open", "td_open"):
            cells.append(_inline(token))
        elif kind == "tr_close":
            lines.append(("header: " if tokens[index - 1].type == "th_close" else "row: ") + " | ".join(cells))
            cells = []
        elif kind in ("fence", "code_block"):
            content = "\\n".join(line.rstrip() for line in token.content.strip("\n").split("\n"))
            lines.append(f"code {token.info.strip() or '-'}: {content}")
        elif kind == "hr":
            lines.append("break")
    return lines


def _allowed(line: str) -> bool:
    return any(pattern.match(line) for pattern in ALLOWED_ADDITIONS)


def diff(generated: str, published: str, *, allow: bool = True) -> list[str]:
    """The unified diff of the two structures (``-`` generated, ``+`` published); empty when equal.

    With ``allow``, the generated README's documented additions are left out first."""
    ours = [line for line in structure(generated) if not (allow and _allowed(line))]
    theirs = structure(published)
    return list(difflib.unified_diff(ours, theirs, "generated", "published", n=1, lineterm=""))


def _digest(line: str) -> str:
    return hashlib.sha256(line.encode("utf-8")).hexdigest()


def fingerprint(text: str) -> list[str]:
    """The sha256 of each line of the README's structure, in order: equal iff the structures are equal."""
    return [_digest(line) for line in structure(text)]


def diff_fingerprint(generated: str, recorded: list[str], *, allow: bool = True) -> list[str]:
    """The differences between a generated README and a recorded fingerprint; empty when equal.

    ``-`` lines are ours (with their text), ``+`` lines name the published line by its position
    and digest: the record does not hold the published text."""
    ours = [line for line in structure(generated) if not (allow and _allowed(line))]
    digests = [_digest(line) for line in ours]
    found: list[str] = []
    matcher = difflib.SequenceMatcher(a=digests, b=recorded, autojunk=False)
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        found.append(f"@@ generated lines {a1 + 1}-{a2}, published lines {b1 + 1}-{b2} ({tag})")
        found.extend(f"-{line}" for line in ours[a1:a2])
        found.extend(f"+published line {index + 1} (sha256 {recorded[index][:12]}…)" for index in range(b1, b2))
    return found


def read_record(path: Path) -> list[str]:
    """The fingerprint kept in a ``.structure.json`` record."""
    return list(json.loads(path.read_text("utf-8"))["structure_sha256"])


def record(out_dir: Path, published_dir: Path) -> list[Path]:
    """Write ``<name>.structure.json`` in ``out_dir`` for every ``<name>.md`` of ``published_dir``."""
    written = []
    out_dir.mkdir(parents=True, exist_ok=True)
    for readme in sorted(published_dir.glob("*.md")):
        target = out_dir / f"{readme.stem}.structure.json"
        data = {"readme": readme.name, "structure_sha256": fingerprint(readme.read_text("utf-8"))}
        target.write_text(json.dumps(data, indent=1) + "\n", "utf-8")
        written.append(target)
    return written


CATALOG = Path("tests") / "data" / "published" / "catalog.json"
"""Our connector id -> ``published`` (the published README's name) and, where ours still differs on
purpose, ``reason`` and ``known_differences`` (the :func:`diff_fingerprint` lines)."""


def update_known(root: Path) -> list[str]:
    """Rewrite the recorded differences of the catalog's connectors that have a reason, from ``dist/``.

    A connector without a reason must be equal: it is left as it is, and the test says what differs."""
    path = root / CATALOG
    catalog = json.loads(path.read_text("utf-8"))
    changed = []
    for cid, entry in catalog.items():
        if "reason" not in entry:
            continue
        generated = (root / "dist" / cid / "README.md").read_text("utf-8")
        found = diff_fingerprint(generated, read_record(path.parent / f"{entry['published']}.structure.json"))
        if found != entry.get("known_differences"):
            changed.append(cid)
        if found:
            entry["known_differences"] = found
        else:
            del entry["reason"]
            entry.pop("known_differences", None)
    path.write_text(json.dumps(catalog, indent=1, ensure_ascii=False) + "\n", "utf-8")
    return changed


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    if argv == ["--update-known"]:
        print("rewrote:", ", ".join(update_known(Path.cwd())) or "nothing changed")
        return 0
    parser = argparse.ArgumentParser(description="Structural differences between two Markdown READMEs.")
    parser.add_argument("generated", type=Path, help="a generated README (with --record: the output directory)")
    parser.add_argument("published", type=Path, help="a published README or its .structure.json record")
    parser.add_argument("--no-allow", action="store_true", help="keep the documented additions in the comparison")
    parser.add_argument("--record", action="store_true", help="fingerprint every README of PUBLISHED (a directory)")
    args = parser.parse_args(argv)
    if args.record:
        for path in record(args.generated, args.published):
            print(path)
        return 0
    generated = args.generated.read_text("utf-8")
    if args.published.name.endswith(".structure.json"):
        found = diff_fingerprint(generated, read_record(args.published), allow=not args.no_allow)
    else:
        found = diff(generated, args.published.read_text("utf-8"), allow=not args.no_allow)
    if not found:
        print("no structural differences")
        return 0
    print("\n".join(found))
    return 1


if __name__ == "__main__":
    sys.exit(main())
