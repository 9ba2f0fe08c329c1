"""Stage 1: read a connector spec (and the presets it extends) from YAML.

The result is plain Python data (dicts, lists, str, int, float, bool) plus a
map from every spec path to the file, line and column where its key and value
were written.  Keeping positions beside the data, instead of inside it, lets
presets be merged with ordinary dict operations while errors still point at
the file that wrote the offending value, preset or connector.

Merge rules for ``extends`` (documented in the README):

* mappings merge key by key, recursively; the connector wins;
* lists and scalars replace the inherited value whole;
* a key set to ``null`` (``~``) removes the inherited key;
* a mapping tagged ``!replace`` replaces the inherited mapping whole (its keys, in its order).
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError

from .errors import Location, Problem, SpecError
from .grammar import DECIMAL_INTEGER, MAX_INT_DIGITS, PRESET_NAME

MAX_FILE_BYTES = 256 * 1024
"""A connector spec is a page of YAML; anything larger is a mistake or an attack."""

MAX_NODES = 20_000
"""Upper bound on values after alias expansion (stops "billion laughs")."""

MAX_DEPTH = 32
"""Deepest nesting accepted; real specs stay below 8."""

MAX_TEXT_BYTES = 512 * 1024
"""Upper bound on the UTF-8 bytes of every key and text value after alias expansion and
preset merging: twice a whole spec file.  Counting values alone would let a 1 KiB string
aliased 19,000 times through (19 MB that every template would then copy)."""

PRESETS_DIR = "_presets"


@dataclass
class SpecSource:
    """Data of one spec with the position of every key and value."""

    data: dict
    file: Path
    key_locs: dict[tuple, Location] = field(default_factory=dict)
    value_locs: dict[tuple, Location] = field(default_factory=dict)
    files: tuple[Path, ...] = ()
    """Every file the data was read from (the spec and its presets), for caching."""
    layers: tuple[SpecSource, ...] = ()
    """The unmerged sources (connector first, then its presets), for checks that
    must see what each file wrote, including values a merge removed."""
    replaced: frozenset[tuple] = frozenset()
    """Paths of the mappings this file tagged ``!replace``: merged onto a preset, each replaces
    the inherited mapping whole instead of merging key by key."""

    def locate(self, path: tuple, *, key: bool = False) -> Location:
        """Where ``path`` was written; falls back to the closest written parent."""
        path = tuple(path)
        while True:
            table = self.key_locs if key else self.value_locs
            if path in table:
                return table[path]
            if key and path in self.value_locs:
                return self.value_locs[path]
            if not path:  # the document itself: where its first key is written (not a comment above it)
                tops = [loc for where, loc in self.key_locs.items() if len(where) == 1]
                return min(tops, key=lambda loc: (loc.line, loc.column), default=Location(self.file, 1, 1))
            path = path[:-1]
            key = True


def read_yaml_text(path: Path, root: Path | None = None) -> str:
    """File contents as text: inside the library ``root`` (see :func:`~catalyst_gen.library.read_inside`),
    size-limited, UTF-8 (a byte-order mark is accepted)."""
    from .library import read_inside

    try:
        raw = read_inside(root, path, MAX_FILE_BYTES)
    except FileNotFoundError:
        raise SpecError(
            Problem(f"file not found: {path}", hint="check the connector id and the folder name", code="CG101")
        ) from None
    except OSError as exc:
        raise SpecError(Problem(f"cannot read {path}: {exc.strerror}", code="CG102")) from None
    if len(raw) > MAX_FILE_BYTES:
        raise SpecError(
            Problem(
                f"file is {len(raw):,} bytes; the limit is {MAX_FILE_BYTES:,}",
                Location(path, 1, 1),
                hint="a connector spec is a page of YAML: move large text out of it",
                code="CG103",
            )
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SpecError(
            Problem(
                f"byte 0x{raw[exc.start]:02x} is not valid UTF-8",
                Location(path, line, column),
                hint="save the file as UTF-8",
                code="CG104",
            )
        ) from None


def _position(text: str, index: int) -> tuple[int, int]:
    """Line and column (from 1) of character ``index`` in ``text``."""
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _yaml_problem(path: Path, exc: YAMLError, text: str = "") -> Problem:
    """Turn a ruamel.yaml error into a located problem with a plain-English hint."""
    if isinstance(exc, ReaderError):
        # Raised before any token exists, so there is no mark: locate it ourselves.
        char = exc.character
        code = f"U+{char:04X}" if isinstance(char, int) else repr(char)
        line, column = _position(text, exc.position) if text else (1, 1)
        return Problem(
            f"invalid YAML: the file contains the character {code}, which YAML does not allow",
            Location(path, line, column),
            hint="remove it: invisible control characters usually come from copy and paste",
            code="CG105",
        )
    source = text
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    context = str(getattr(exc, "context", None) or "")
    context_mark = getattr(exc, "context_mark", None)
    missing_colon = context.startswith("while scanning a simple key")  # `key value` without its colon
    if missing_colon and context_mark:
        mark = context_mark  # the line of the key, not the next one
    location = Location(path, mark.line + 1, mark.column + 1) if mark else Location(path, 1, 1)
    if isinstance(exc, MarkedYAMLError):
        text = " ".join(str(t) for t in (exc.context, exc.problem) if t)
    else:
        text = str(exc).splitlines()[0]
    text = re.sub(r"\s+", " ", text).strip()
    if "found duplicate key" in text:
        key = re.search(r'found duplicate key "?(.*?)"? with value', text)
        text = f"duplicate key {key.group(1)!r}" if key else "duplicate key"
        hint = "each key may appear once in a mapping: remove or merge the repeated one"
    elif "'\\t'" in text or "\t" in text or re.search(r"\btabs?\b", text, re.I) or _at(source, mark) == "\t":
        hint = "YAML indentation must use spaces, not tabs"
    elif missing_colon:
        hint = "write a colon and a space after the key: `key: value`"
    else:
        hint = "fix the YAML syntax at this position (indentation, quotes, colons)"
        opened = _opened_before(source, context, context_mark, mark)
        if opened:
            hint = f"{opened}; {hint}"
    return Problem(f"invalid YAML: {text}", location, hint=hint, code="CG105")


def _at(text: str, mark) -> str:
    """The character at a YAML error mark, or ''."""
    lines = text.splitlines()
    if not mark or mark.line >= len(lines):
        return ""
    return lines[mark.line][mark.column : mark.column + 1]


_QUOTED_VALUE = re.compile(r"""^\s*(?:-\s+)?[^\s#'"-][^#]*?:\s+(["'])""")
"""A line whose value starts with a quote (``key: "...``)."""


def _opened_before(text: str, context: str, context_mark, mark) -> str | None:
    """Where something opened before the error was never closed: a flow ``[``/``{`` (the parser's own
    context mark), or a quote that does not close on its line (a quoted value runs on to the next
    quote, so the parser fails far below it: the last such line before the error)."""
    if context.startswith(("while parsing a flow", "while scanning a quoted")) and context_mark:
        what = "quote" if "quoted" in context else context.removeprefix("while parsing a ")
        return f"the {what} opened at line {context_mark.line + 1}, column {context_mark.column + 1} is not closed"
    if not mark:
        return None
    for number in range(min(mark.line, len(lines := text.splitlines()) - 1), -1, -1):
        match = _QUOTED_VALUE.match(lines[number])
        if match and not _closes(lines[number][match.end() :], match.group(1)):
            return f"the quote opened at line {number + 1}, column {match.end()} is not closed on its line"
    return None


def _closes(rest: str, quote: str) -> bool:
    """Whether a quoted value whose text after the opening quote is ``rest`` ends on this line."""
    if quote == "'":
        return "'" in rest.replace("''", "")
    return bool(re.search(r'(?<!\\)(?:\\\\)*"', rest))


_OPENING_TOKENS = (
    "BlockMappingStartToken",
    "BlockSequenceStartToken",
    "FlowMappingStartToken",
    "FlowSequenceStartToken",
)
_CLOSING_TOKENS = ("BlockEndToken", "FlowMappingEndToken", "FlowSequenceEndToken")


def _check_depth(path: Path, yaml: YAML, text: str) -> None:
    """Refuse deep nesting from the token stream, before the (recursive) composer runs.

    The scanner is iterative, so a file of ten thousand ``[`` cannot exhaust
    the Python stack here, and the first token too deep gives the position.
    """
    depth = 0
    for token in yaml.scan(text):
        name = type(token).__name__
        if name in _OPENING_TOKENS:
            depth += 1
            if depth > MAX_DEPTH:
                mark = token.start_mark
                raise SpecError(
                    Problem(
                        f"nesting deeper than {MAX_DEPTH} levels",
                        Location(path, mark.line + 1, mark.column + 1),
                        hint="flatten the structure: real specs nest fewer than 8 levels",
                        code="CG106",
                    )
                )
        elif name in _CLOSING_TOKENS:
            depth -= 1


def _yaml() -> YAML:
    """ruamel.yaml with its C scanner and parser (libyaml, via ruamel.yaml.clib).

    We only *compose* nodes (which carry line and column) and build plain data
    from them ourselves, so the round-trip loader's comment bookkeeping, which
    made parsing ten times slower, is not needed.
    """
    return YAML(typ="safe", pure=False)


def _parse(path: Path, root: Path | None = None):
    """The document's node tree (``None`` for an empty file)."""
    text = read_yaml_text(path, root)
    yaml = _yaml()
    try:
        _check_depth(path, yaml, text)
        return yaml.compose(text), yaml
    except YAMLError as exc:
        raise SpecError(_yaml_problem(path, exc, text)) from None
    except RecursionError:
        raise SpecError(
            Problem(
                f"nesting deeper than {MAX_DEPTH} levels",
                Location(path, 1, 1),
                hint="flatten the structure",
                code="CG106",
            )
        ) from None


def spec_strings(value: object, path: tuple = ()) -> Iterator[tuple[str, tuple, bool]]:
    """Every key and string value of spec data, depth first: ``(text, path, is_key)``; a key's
    path ends with it.  The one walk behind the rules that read every text a spec writes."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key), path + (key,), True
            yield from spec_strings(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from spec_strings(item, path + (index,))
    elif isinstance(value, str):
        yield value, path, False


STR_TAG = "tag:yaml.org,2002:str"
INT_TAG = "tag:yaml.org,2002:int"
MERGE_TAG = "tag:yaml.org,2002:merge"
MAP_TAG = "tag:yaml.org,2002:map"
SEQ_TAG = "tag:yaml.org,2002:seq"
REPLACE_TAG = "!replace"
"""The one local tag a spec may write: on a mapping, replace the inherited mapping whole."""


class _Converter:
    """Walks the composed node tree into plain data, recording positions.

    Aliases are the same node object met again, so counting visits bounds
    what an anchor bomb can expand to.
    """

    def __init__(self, file: Path, yaml: YAML):
        self.file = file
        self.constructor = yaml.constructor
        self.key_locs: dict[tuple, Location] = {}
        self.value_locs: dict[tuple, Location] = {}
        self.nodes = 0
        self.text_bytes = 0
        self.problems: list[Problem] = []
        self.replaced: set[tuple] = set()

    def loc(self, node) -> Location:
        return Location(self.file, node.start_mark.line + 1, node.start_mark.column + 1)

    def count_text(self, node, path: tuple) -> None:
        """Add a scalar's bytes to the running total: an alias counts each time it is used."""
        self.text_bytes += len(node.value.encode("utf-8", "surrogatepass"))
        if self.text_bytes > MAX_TEXT_BYTES:
            raise SpecError(
                Problem(
                    f"the document expands to more than {MAX_TEXT_BYTES:,} bytes of text",
                    self.loc(node),
                    path,
                    "remove YAML anchors/aliases that repeat long text",
                    code="CG109",
                )
            )

    def scalar(self, node, path: tuple):
        self.count_text(node, path)
        if node.tag == STR_TAG:
            return node.value
        if node.tag == INT_TAG and len(node.value.lstrip("+-")) > MAX_INT_DIGITS:
            self.problems.append(
                Problem(
                    f"the number has {len(node.value.lstrip('+-')):,} digits; the limit is {MAX_INT_DIGITS}",
                    self.loc(node),
                    path,
                    "no setting or payload value needs more than a 64-bit integer; quote it to make it text",
                    code="CG107",
                )
            )
            return None
        try:
            value = self.constructor.construct_object(node)
        except (YAMLError, ValueError) as exc:
            self.problems.append(
                Problem(
                    f"cannot read this value: {getattr(exc, 'problem', exc)}",
                    self.loc(node),
                    path,
                    "quote it to make it a string",
                    code="CG108",
                )
            )
            return None
        if value is None or isinstance(value, (bool, int, float, str)):
            problem = _number_problem(value, node.value)
            if problem:
                self.problems.append(Problem(problem[0], self.loc(node), path, problem[1], code="CG107"))
                return None
            return _plain_number(value) if not isinstance(value, str) else value
        self.problems.append(
            Problem(
                f"unsupported YAML value of type {type(value).__name__}",
                self.loc(node),
                path,
                "quote it to make it a string",
                code="CG108",
            )
        )
        return None

    def convert(self, node, path: tuple, depth: int = 0):
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise SpecError(
                Problem(
                    f"the document expands to more than {MAX_NODES:,} values",
                    self.value_locs.get(path[:1], Location(self.file, 1, 1)),
                    hint="remove YAML anchors/aliases that multiply content",
                    code="CG109",
                )
            )
        if depth > MAX_DEPTH:
            raise SpecError(
                Problem(
                    f"nesting deeper than {MAX_DEPTH} levels",
                    self.loc(node),
                    path,
                    "flatten the structure",
                    code="CG106",
                )
            )
        if node.tag == REPLACE_TAG:
            if not isinstance(node, MappingNode):
                self.problems.append(
                    Problem(
                        "`!replace` only applies to a mapping",
                        self.loc(node),
                        path,
                        "remove the tag: a list or a single value already replaces the inherited one whole",
                        code="CG375",
                    )
                )
                return None
            self.replaced.add(path)
        elif isinstance(node, (MappingNode, SequenceNode)) and node.tag not in (MAP_TAG, SEQ_TAG):
            self.problems.append(
                Problem(
                    f"unsupported YAML tag {node.tag!r}",
                    self.loc(node),
                    path,
                    "remove the tag (`!replace` on a mapping is the only one a spec may use)",
                    code="CG108",
                )
            )
            return None
        if isinstance(node, MappingNode):
            return self.mapping(node, path, depth)
        if isinstance(node, SequenceNode):
            out = []
            for index, item in enumerate(node.value):
                child = path + (index,)
                self.value_locs[child] = self.loc(item)
                out.append(self.convert(item, child, depth + 1))
            return out
        return self.scalar(node, path)

    def mapping(self, node: MappingNode, path: tuple, depth: int) -> dict:
        """A mapping with string keys; merge keys, non-string keys and repeated keys are problems."""
        out = {}
        originals: dict[str, object] = {}
        for key_node, value_node in node.value:
            if key_node.tag == MERGE_TAG:
                self.problems.append(
                    Problem(
                        "YAML merge keys (<<) are not supported",
                        self.loc(key_node),
                        path,
                        "use `extends:` with a preset instead",
                        code="CG110",
                    )
                )
                continue
            reported = len(self.problems)
            key = self.scalar(key_node, path) if isinstance(key_node, ScalarNode) else key_node
            if len(self.problems) > reported:
                continue  # the key itself was refused (e.g. a number written in hexadecimal)
            if isinstance(key, bool) or not isinstance(key, (str, int)):
                self.problems.append(
                    Problem(
                        f"key {getattr(key_node, 'value', key)!r} must be a string",
                        self.loc(key_node),
                        path,
                        "quote the key",
                        code="CG111",
                    )
                )
                continue
            skey = str(key)
            child = path + (skey,)
            if skey in out:
                what = f"duplicate key {skey!r}"
                if type(originals[skey]) is not type(key):
                    what += f" ({originals[skey]!r} and {key!r} are the same key)"
                what += f", first written at line {self.key_locs[child].line}"
                self.problems.append(
                    Problem(
                        what,
                        self.loc(key_node),
                        path,
                        "each key may appear once in a mapping: remove or merge the repeated one",
                        code="CG112",
                    )
                )
                continue
            originals[skey] = key
            self.key_locs[child] = self.loc(key_node)
            self.value_locs[child] = self.loc(value_node)
            out[skey] = self.convert(value_node, child, depth + 1)
        return out


def _number_problem(value: object, written: str) -> tuple[str, str] | None:
    """``(message, hint)`` when a number is written in a way the runtime or another YAML reader would misread.

    Hexadecimal, octal, binary and ``_``-separated integers (``0x191`` for 401),
    leading zeros (YAML 1.1 reads ``060`` as octal 48; an unquoted ``0401:`` key
    would silently become status 401), and ``.nan``/``.inf``, which JSON cannot carry.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        if not DECIMAL_INTEGER.fullmatch(written):
            return (
                f"the number `{written}` is not written in plain decimal",
                f"write it as {value} (no 0x/0o/0b prefix, `_` separators or leading zeros)",
            )
    if isinstance(value, float) and not math.isfinite(value):
        return f"`{written}` is not a number JSON can carry", "use a finite number, or quote it to make it text"
    return None


def _plain_number(value):
    """Hand plain ints and floats on (never a subclass from the YAML library)."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    return float(value)


_RESTORE_HINT = (
    "restore the file from version control (e.g. `git checkout -- <file>`); a new connector starts "
    "from `catalyst-gen new <id>`"
)


def load_file(path: Path, root: Path | None = None) -> SpecSource:
    """Parse one YAML file (inside the library ``root``, when given) into a :class:`SpecSource` whose document is a mapping."""
    doc, yaml = _parse(path, root)
    if doc is None:
        raise SpecError(Problem("the file is empty", Location(path, 1, 1), hint=_RESTORE_HINT, code="CG113"))
    if not isinstance(doc, MappingNode):
        kind = "a list" if isinstance(doc, SequenceNode) else "a single value"
        raise SpecError(
            Problem(
                f"the document is {kind}; a spec must be a mapping of keys (id:, name:, ...)",
                Location(path, 1, 1),
                hint=_RESTORE_HINT,
                code="CG114",
            )
        )
    converter = _Converter(path, yaml)
    try:
        data = converter.convert(doc, ())
    except RecursionError:
        raise SpecError(Problem("YAML nesting is too deep", Location(path, 1, 1), code="CG106")) from None
    if converter.problems:
        raise SpecError(converter.problems)
    source = SpecSource(
        data, path, converter.key_locs, converter.value_locs, (path,), replaced=frozenset(converter.replaced)
    )
    source.layers = (source,)
    return source


def _merge(base: SpecSource, override: SpecSource) -> SpecSource:
    """Deep-merge ``override`` onto ``base`` (rules in the module docstring)."""
    key_locs = dict(base.key_locs)
    value_locs = dict(base.value_locs)

    def drop(path: tuple) -> None:
        for table in (key_locs, value_locs):
            for p in [p for p in table if p[: len(path)] == path]:
                del table[p]

    def take(path: tuple) -> None:
        for table, source in ((key_locs, override.key_locs), (value_locs, override.value_locs)):
            for p, loc in source.items():
                if p[: len(path)] == path:
                    table[p] = loc

    def merge(a, b, path: tuple):
        if isinstance(a, dict) and isinstance(b, dict) and path not in override.replaced:
            out = dict(a)
            for key, value in b.items():
                child = path + (key,)
                if value is None:
                    out.pop(key, None)
                    drop(child)
                elif key in out:
                    out[key] = merge(out[key], value, child)
                    key_locs[child] = override.key_locs.get(child, key_locs.get(child))
                else:
                    out[key] = value
                    take(child)
            return out
        drop(path)
        take(path)
        return b

    data = merge(base.data, override.data, ())
    return SpecSource(
        data, override.file, key_locs, value_locs, base.files + override.files, override.layers + base.layers
    )


_PRESETS: dict[tuple[Path, int, int], SpecSource] = {}
"""Presets parsed in this process, by file, modification time and size."""


def load_preset(path: Path, root: Path | None = None) -> SpecSource:
    """A preset, parsed once per process while the file is unchanged.

    A library build loads the same few presets for hundreds of connectors; the
    parsed preset is never changed in place (merging builds new mappings), and
    a new modification time or size reads the file again (``build --watch``).
    The data handed out is a deep copy all the same, so no caller can
    change what the next connector inherits.
    """
    stat = path.stat()
    key = (path.resolve(), stat.st_mtime_ns, stat.st_size)
    if key not in _PRESETS:
        _PRESETS[key] = load_file(path, root)
    cached = _PRESETS[key]
    source = SpecSource(
        copy.deepcopy(cached.data),
        cached.file,
        cached.key_locs,
        cached.value_locs,
        cached.files,
        replaced=cached.replaced,
    )
    source.layers = (source,)
    return source


def preset_names(presets_dir: Path) -> list[str]:
    """The presets a spec may extend (the ``*.yaml`` files of ``presets_dir``), sorted, for suggestions."""
    return sorted(p.stem for p in presets_dir.glob("*.yaml")) if presets_dir.is_dir() else []


def load_spec(path: Path, presets_dir: Path | None = None, root: Path | None = None) -> SpecSource:
    """Load a connector spec and resolve its ``extends`` chain of presets (every file inside ``root``, when given)."""
    presets_dir = presets_dir or path.parent.parent / PRESETS_DIR
    chain: list[SpecSource] = []
    seen: list[Path] = []
    current = load_file(path, root)
    while True:
        chain.append(current)
        seen.append(current.file.resolve())
        parent = current.data.get("extends")
        if parent is None:
            break
        where = current.locate(("extends",))
        if not PRESET_NAME.matches(parent):
            from .suggest import did_you_mean

            raise SpecError(
                Problem(
                    f"{parent!r} is not a preset name (lower-case kebab-case)",
                    where,
                    ("extends",),
                    did_you_mean(str(parent), preset_names(presets_dir))
                    or f"{PRESET_NAME.hint}: presets live in {presets_dir}/<name>.yaml",
                    code="CG120",
                )
            )
        preset_file = presets_dir / f"{parent}.yaml"
        if preset_file.resolve() in seen:
            names = " -> ".join(p.stem for p in seen) + f" -> {parent}"
            raise SpecError(
                Problem(f"extends loop: {names}", where, ("extends",), "remove one of the extends", code="CG121")
            )
        if not preset_file.is_file():
            available = preset_names(presets_dir)
            from .suggest import did_you_mean

            raise SpecError(
                Problem(
                    f"preset {parent!r} not found (looked for {preset_file})",
                    where,
                    ("extends",),
                    did_you_mean(parent, available) or f"available presets: {', '.join(available) or 'none'}",
                    code="CG122",
                )
            )
        current = load_preset(preset_file, root)
    merged = chain[-1]
    for source in reversed(chain[:-1]):
        merged = _merge(merged, source)
    # Only the connector's own ``extends`` names its preset; the presets' are spent.
    merged.data.pop("extends", None)
    if "extends" in chain[0].data:
        merged.data = {"extends": chain[0].data["extends"], **merged.data}
    if len(chain) > 1:
        _check_merged_size(merged)
    return merged


def _merged_size_problem(data: object) -> str | None:
    """Which cap of one file the merged data breaks: values, bytes of text or depth (no recursion)."""
    values = text_bytes = 0
    stack: list[tuple[object, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        values += 1
        if isinstance(value, dict):
            text_bytes += sum(len(str(key).encode("utf-8", "surrogatepass")) for key in value)
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str):
            text_bytes += len(value.encode("utf-8", "surrogatepass"))
        if values > MAX_NODES:
            return f"more than {MAX_NODES:,} values"
        if text_bytes > MAX_TEXT_BYTES:
            return f"more than {MAX_TEXT_BYTES:,} bytes of text"
        if depth > MAX_DEPTH:
            return f"nesting deeper than {MAX_DEPTH} levels"
    return None


def _check_merged_size(merged: SpecSource) -> None:
    """The caps of one file hold for the spec merged with its presets too.

    Each file is checked as it is read, but a connector and a chain of presets
    could together exceed them; the error points at the connector's
    ``extends``, where the chain starts.
    """
    what = _merged_size_problem(merged.data)
    if what:
        raise SpecError(
            Problem(
                f"the spec merged with its presets has {what}",
                merged.locate(("extends",)),
                ("extends",),
                "a connector and its presets together are a page of YAML: shorten the presets",
                code="CG123",
            )
        )
