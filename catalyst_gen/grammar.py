"""The spec grammar: the shape of every name a connector spec writes, defined once.

Connector ids, preset names, process variable names, ``${placeholders}``, BPMN
error codes and HTTP statuses are each one :class:`Rule` (or one predicate)
here, with the hint that tells an author how to write it.  The loader, the
validator, the model, the runtime and the JSON Schema (whose patterns and
enums are written from this module, see :func:`catalyst_gen.schema_check.schema_with_grammar`)
all read them from here, so a rule cannot be tightened in one place and
forgotten in another.

The names the runtime JAR reads (auth types, secret sources, HTTP methods)
are defined in :mod:`catalyst_gen.contract`, which describes the runtime and
reads HTTP statuses with this module's pattern.

This is the bottom layer: it imports only the standard library and
:mod:`~catalyst_gen.errors`, so an unchanged build can check ids with it
without loading the runtime contract.

Every pattern is matched with ``fullmatch``: ``re.match(r"...$", text)`` would
accept ``"together-ai\\n"``, because ``$`` also matches before a final newline,
and that id would name a folder with a newline in it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from .errors import Problem, SpecError

__all__ = [
    "BOUND_PLACEHOLDER",
    "BPMN_ERROR_CODE",
    "CONNECTOR_ID",
    "DNS_LABEL",
    "HTTP_STATUS",
    "HTTP_STATUS_KEY",
    "HTTP_STATUS_RANGE",
    "ID_HINT",
    "MAX_ID_LENGTH",
    "MAX_INT_DIGITS",
    "MAX_JSON_DEPTH",
    "PLACEHOLDER",
    "PLACEHOLDER_CANDIDATE",
    "PRESET_NAME",
    "VARIABLE",
    "Rule",
    "bound_form",
    "bound_placeholders",
    "expand_header",
    "expand_url",
    "is_connector_id",
    "is_http_status",
    "load_json_text",
    "require_connector_id",
    "url_template_problem",
]


@dataclass(frozen=True)
class Rule:
    """One kind of name: its pattern (unanchored), an optional length limit and the hint for authors.

    The pattern is written so that it means the same in Python and in the
    ECMA-262 dialect of JSON Schema (no lookbehind, no possessive quantifiers,
    no top-level ``|``), because :attr:`schema_pattern` puts it in the schema
    that editors check specs with.
    """

    regex: re.Pattern[str]
    hint: str
    max_length: int | None = None

    def matches(self, text: object) -> bool:
        """``text`` is a string of this shape, whole (``fullmatch``), and not too long."""
        return (
            isinstance(text, str)
            and self.regex.fullmatch(text) is not None
            and (self.max_length is None or len(text) <= self.max_length)
        )

    @property
    def schema_pattern(self) -> str:
        """The pattern anchored for JSON Schema, where ``$`` means the end of the text."""
        return f"^{self.regex.pattern}$"


# ---------------------------------------------------------------- connector ids

MAX_ID_LENGTH = 64
"""Ids name folders, files and template ids; 64 characters is plenty and fits every file system."""

ID_HINT = (
    "a connector id is lower-case kebab-case (letters, digits and single hyphens), e.g. together-ai "
    "(no slashes, dots or `..`): it names a folder and files, so paths, slashes and `..` are not accepted"
)

CONNECTOR_ID = Rule(re.compile(r"[a-z0-9]+(-[a-z0-9]+)*"), ID_HINT, MAX_ID_LENGTH)
"""Lower-case kebab-case: the only ids that may be joined to a path (no ``/``, ``\\``, ``.`` or ``..``)."""

PRESET_NAME = Rule(
    CONNECTOR_ID.regex,
    "the name of a preset in connectors/_presets/ (lower-case kebab-case)",
)
"""A preset is a file ``connectors/_presets/<name>.yaml``: the same safe shape as an id."""


RELEASE_FOLDER = "release"
"""``dist/release/``: where ``package`` writes the release files, beside the connectors' folders."""

WINDOWS_DEVICE_NAMES = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{n}" for n in range(1, 10)), *(f"lpt{n}" for n in range(1, 10))}
)
"""Names Windows gives devices: a folder ``connectors/nul/`` or a file ``nul.svg`` cannot be checked
out there (the library is a git repository; its users are on every platform)."""

RESERVED_IDS = frozenset({RELEASE_FOLDER}) | WINDOWS_DEVICE_NAMES
"""Names a connector id cannot take: ``release`` (the tool writes ``dist/release/``, a connector with
that id would overwrite, or be overwritten by, the release packages) and the Windows device names."""

RESERVED_HINT = (
    "choose another id: `release` names dist/release/, where `catalyst-gen package` writes the release, "
    "and Windows device names (con, prn, aux, nul, com1-9, lpt1-9) cannot name files or folders on Windows"
)


def is_connector_id(text: object) -> bool:
    """Lower-case kebab-case of at most 64 characters, not reserved: the only ids that may be joined to a path."""
    return CONNECTOR_ID.matches(text) and text not in RESERVED_IDS


def require_connector_id(text: str) -> str:
    """``text`` unchanged if it is a connector id; otherwise a :class:`SpecError` saying how to write one.

    Called before an id from the command line touches a path, so ``../x`` is
    refused as an id rather than reported as a missing folder.
    """
    if text in RESERVED_IDS:
        raise SpecError(Problem(f"{text!r} is reserved and cannot be a connector id", hint=RESERVED_HINT, code="CG350"))
    if not is_connector_id(text):
        raise SpecError(Problem(f"{text!r} is not a connector id", hint=ID_HINT, code="CG350"))
    return text


# ----------------------------------------------------- variables and placeholders

VARIABLE = Rule(
    re.compile(r"[A-Za-z_][A-Za-z0-9_]*"),
    "a process variable name: letters, digits and underscores, starting with a letter or underscore",
    64,
)
"""A Camunda process variable name (also used for secret names): it must be a JUEL identifier
so the example process can read it as ``${name}``."""

PLACEHOLDER = re.compile(r"\$\{(" + VARIABLE.regex.pattern + r")\}")
"""``${name}`` in a request payload: the runtime replaces it by the process variable ``name``.

Anything else that starts with ``${`` is left as it is by the runtime, so
validation looks for :data:`PLACEHOLDER_CANDIDATE` and reports the names that
do not follow :data:`VARIABLE`."""

PLACEHOLDER_CANDIDATE = re.compile(r"\$\{([^}]*)\}")
"""Everything an author may have meant as a placeholder (``${user message}``, ``${}``)."""


# ------------------------------------------ placeholders in the endpoint URL and headers

BOUND_PLACEHOLDER = re.compile(r"\{(" + VARIABLE.regex.pattern + r")\}")
"""``{name}``: a placeholder of the endpoint URL or a header value *as bound* in the artifacts.

A spec writes ``${name}`` there, like in the payload, but the URL and the
headers are ``camunda:inputParameter``s, whose ``${...}`` Camunda 7 evaluates
as JUEL before the runtime runs (unescaped, unencoded, and in every engine
that runs the connector).  So the build writes each placeholder as
``{name}`` (:func:`bound_form`), the RFC 6570 "simple string expansion"
syntax, which Camunda leaves alone, and the runtime fills it in as data
(:func:`expand_url`, :func:`expand_header`).  A URL cannot carry a raw ``{``
or ``}`` (RFC 3986), so in a URL the form is unambiguous."""

DNS_LABEL = Rule(
    re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"),
    "a host placeholder is filled with one DNS label: 1-63 letters, digits and hyphens, "
    "not starting or ending with a hyphen (no dots, so it cannot move the request to another domain)",
)
"""What a placeholder in the host may become: one label (RFC 1035/1123), never a dot, slash or port."""

PLACEHOLDER_SAMPLE = "x"
"""The value a placeholder takes when the build checks the shape of a URL template."""


def bound_form(text: str) -> str:
    """Spec text -> bound text: each ``${name}`` becomes ``{name}`` (see :data:`BOUND_PLACEHOLDER`)."""
    return PLACEHOLDER.sub(r"{\1}", text)


def bound_placeholders(text: str) -> list[str]:
    """Names of the ``{name}`` placeholders of a bound URL or header value, in order, without repeats."""
    return list(dict.fromkeys(BOUND_PLACEHOLDER.findall(text)))


def _authority_span(template: str) -> tuple[int, int]:
    """Where the authority (``host:port``) of a URL template starts and ends (``(0, 0)`` without ``//``)."""
    start = template.find("://")
    if start < 0:
        return 0, 0
    start += 3
    ends = [i for i in (template.find(c, start) for c in "/?#") if i >= 0]
    return start, min(ends, default=len(template))


def _placement_problem(template: str, match: re.Match[str]) -> str | None:
    """Why a placeholder cannot stand where ``match`` is: the scheme, user info and port are fixed."""
    start, end = _authority_span(template)
    name = match.group(1)
    if match.start() < start:
        return f"has the placeholder {name!r} in its scheme; the scheme is fixed (https://)"
    if match.end() <= end:
        authority = template[start:end]
        offset = match.start() - start
        if "@" in authority[:offset]:
            return f"has the placeholder {name!r} after user info; credentials do not belong in a URL"
        if ":" in authority[:offset].rsplit("]", 1)[-1]:
            return f"has the placeholder {name!r} in its port; a port is a fixed number"
    return None


def url_template_problem(template: str) -> str | None:
    """Why ``template`` (a bound endpoint URL, ``{name}`` placeholders) cannot be sent to, or None.

    The one rule of the shape of a URL, applied by the build to the spec's URL
    and by the runtime to the bound one: placeholders stand only in host labels,
    the path, the query or the fragment; no ``{``/``}`` outside a placeholder;
    no ``.`` or ``..`` path segment; and filled with a sample value it is a
    URL :func:`http_url_problem` accepts.
    """
    for match in BOUND_PLACEHOLDER.finditer(template):
        reason = _placement_problem(template, match)
        if reason:
            return reason
    filled = BOUND_PLACEHOLDER.sub(PLACEHOLDER_SAMPLE, template)
    if "{" in filled or "}" in filled:
        return "contains `{` or `}` outside a placeholder (percent-encode them as %7B and %7D)"
    reason = http_url_problem(filled)
    if reason:
        return reason
    path = filled[_authority_span(filled)[1] :].split("?")[0].split("#")[0]
    if any(segment in (".", "..") for segment in path.split("/")):
        return "has a `.` or `..` path segment; write the path it means"
    return None


def placeholder_text(name: str, value: object) -> str:
    """A process variable as the text a URL or header placeholder is filled with.

    Strings as they are, whole numbers and booleans as JSON writes them; anything
    else (null, a list, an object, a fraction) has no one spelling: ``ValueError``.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value
    what = "null" if value is None else type(value).__name__
    raise ValueError(
        f"process variable {name!r} is {what}; a URL or header placeholder takes a string or a whole number"
    )


def _fill_url_part(name: str, text: str, in_host: bool) -> str:
    """One placeholder's text in the host (a DNS label, as is) or elsewhere (percent-encoded)."""
    if in_host:
        if not DNS_LABEL.matches(text):
            raise ValueError(f"process variable {name!r} = {text!r} is not a host name label ({DNS_LABEL.hint})")
        return text
    if text in ("", ".", ".."):
        what = "empty" if not text else f"{text!r}, which would change the path"
        raise ValueError(f"process variable {name!r} is {what}; a URL placeholder needs a value")
    from urllib.parse import quote

    return quote(text, safe="")  # every character outside RFC 3986 "unreserved" is percent-encoded


def expand_url(template: str, variables: Mapping[str, object]) -> str:
    """The bound endpoint URL with each ``{name}`` filled in from ``variables``: the runtime's one rule.

    A host placeholder must become one DNS label; a path, query or fragment
    placeholder is percent-encoded (``/`` -> ``%2F``, space -> ``%20``) and may
    not be empty, ``.`` or ``..``.  ``ValueError`` names the placeholder at
    fault: a missing variable, a value without one spelling, a bad label.
    """
    reason = url_template_problem(template)
    if reason:
        raise ValueError(f"the endpoint URL {reason}")
    host_end = _authority_span(template)[1]
    out, last = [], 0
    for match in BOUND_PLACEHOLDER.finditer(template):
        name = match.group(1)
        if name not in variables:
            raise KeyError(name)
        text = placeholder_text(name, variables[name])
        out += [template[last : match.start()], _fill_url_part(name, text, match.end() <= host_end)]
        last = match.end()
    return "".join(out) + template[last:]


def expand_header(header: str, template: str, variables: Mapping[str, object]) -> str:
    """A bound header value with each ``{name}`` filled in as is; it must stay one line (``ValueError``)."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in variables:
            raise KeyError(name)
        text = placeholder_text(name, variables[name])
        reason = header_value_problem(text)
        if reason:
            raise ValueError(f"process variable {name!r} for header {header!r} {reason}")
        return text

    return BOUND_PLACEHOLDER.sub(fill, template)


# ----------------------------------------------------------- BPMN error codes

BPMN_ERROR_CODE = Rule(
    re.compile(r"[A-Za-z_][A-Za-z0-9_]*"),
    "use letters, digits and underscores, starting with a letter or underscore, e.g. AUTH_FAILED",
)
"""The code a mapped HTTP status throws: it becomes part of the ``bpmn:error`` id (an XML NCName)
and is matched by ``errorCode`` on boundary events, so it stays an identifier."""


# -------------------------------------------------------------- HTTP statuses

HTTP_STATUS_RANGE = range(100, 600)
"""Statuses a server can send (RFC 9110 defines 1xx to 5xx)."""

HTTP_STATUS = Rule(
    re.compile(r"[1-5][0-9][0-9]"),
    "use a real HTTP status code (100-599) written without leading zeros, e.g. 401",
)
"""A status as written in a key of ``errors``: three digits, 100-599, no leading zero.

``0401`` and ``401`` would be one status for the runtime (it reads numbers) but two
keys for YAML, so only the plain spelling is accepted."""

HTTP_STATUS_KEY = Rule(re.compile(r"[0-9]+"), "keys are HTTP statuses such as 401")
"""What the schema accepts as a key of ``errors``: digits.  Whether they are a real status
(:data:`HTTP_STATUS`) is a consistency rule, which can say "outside 100-599" or
"leading zero" instead of only "not valid here"."""


def is_http_status(value: object) -> bool:
    """A whole number from 100 to 599 (``True`` is not a status, though Python counts it as 1)."""
    return isinstance(value, int) and not isinstance(value, bool) and value in HTTP_STATUS_RANGE


# ---------------------------------------------------------- engine expressions

EXPRESSION_OPENER = re.compile(r"[$#]\{")
"""Where Camunda 7 starts a JUEL expression: ``${...}`` or ``#{...}``.

The engine evaluates expressions in input and output parameter values, form
field labels and default values, user task names, conditions, listeners and
many other attributes.  The runtime's payload field is the one place our
artifacts carry ``${name}`` on purpose: a ``<camunda:string>`` the engine does
not evaluate, whose placeholders the runtime fills in as JSON-escaped data.
(The ``${name}`` a spec writes in the endpoint URL or a header value reaches the
artifacts as ``{name}``, :data:`BOUND_PLACEHOLDER`, which is no opener.)
Everywhere else an opener -- escaped (``\\${``) or not -- is refused: in the
spec (validation), in every value of the rendered example and template (the
artifact check), and in a bound input parameter (the runtime reference).
"""

EXPRESSION_HINT = (
    "Camunda 7 would evaluate it as an expression inside every engine that runs the connector; "
    "remove the `${`/`#{` (only the request payload may hold `${name}` placeholders, which the runtime "
    "fills in as data, and so may the endpoint URL and header values, with a plain variable name: "
    "letters, digits and `_`)"
)


def expression_opener(text: str) -> str | None:
    """The first ``${`` or ``#{`` in ``text``, or None."""
    match = EXPRESSION_OPENER.search(text)
    return match.group() if match else None


# ------------------------------------------------------ what HTTP can carry

HTTP_TOKEN = Rule(
    re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"),
    "a header name is an HTTP token (RFC 9110): letters, digits and !#$%&'*+-.^_`|~, no spaces or colons",
)
"""A header (or auth query parameter) name the runtime can send as it is written."""

_HEADER_VALUE_BREAK = re.compile(r"[\r\n\x00]")


def header_value_problem(text: str) -> str | None:
    """Why ``text`` cannot be a header value (a CR, LF or NUL would split or end the header), or None."""
    match = _HEADER_VALUE_BREAK.search(text)
    return f"contains {match.group()!r}, which would end the header and start another one" if match else None


def http_url_problem(text: str) -> str | None:
    """Why ``text`` is not an absolute http(s) URL the runtime can send to as written, or None.

    Credentials in the URL (``https://user:pass@host``) are refused too: the spec
    is committed and shipped, and secrets belong in the secret sources.
    """
    from urllib.parse import urlsplit

    if not text or any(c.isspace() or ord(c) < 0x20 or c == "\x7f" for c in text):
        return "contains spaces or control characters (percent-encode them)"
    try:
        parts = urlsplit(text)
    except ValueError:  # e.g. brackets that are not an IPv6 address
        return "does not parse as a URL"
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return "is not an absolute http(s) URL"
    if "@" in parts.netloc:
        return "carries credentials before the host (user:password@): use the auth settings and a secret instead"
    try:
        parts.port  # noqa: B018  (raises ValueError for a port outside 0-65535 or not a number)
    except ValueError:
        return "has a port that is not a number from 1 to 65535"
    if not parts.hostname:
        return "has no host name"
    return None


INVISIBLE_CHARACTER = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069]"
)
"""Characters refused in every key and value of a spec: not allowed in XML 1.0 (C0 controls
but tab/newline/return, surrogates, U+FFFE/U+FFFF), invisible C1 controls and DEL, and the
bidirectional embedding/override/isolate controls that make text display differently from what
it says ("Trojan Source").  Right-to-left text itself and the U+200E/U+200F marks are fine."""


DECIMAL_INTEGER = re.compile(r"[-+]?(0|[1-9][0-9]*)")
"""How a whole number is written in a spec: decimal, no leading zero (YAML 1.1 tools read ``060``
as octal 48), no ``0x``/``0o``/``0b`` prefix and no ``_`` separators."""

MAX_TEMPLATE_VERSION = 2**31 - 1
"""Camunda stores an element template's version as a Java ``int``."""


_LINK_BREAKERS = set("()<>[]`\\\"' ")


def link_url_problem(text: str) -> str | None:
    """Why ``text`` cannot be the target of a README link (see :func:`http_url_problem`), or None.

    The README writes it as ``[host](url)``: a ``)`` would end the link early and
    let the rest of the value add an image or another link.
    """
    reason = http_url_problem(text)
    if reason:
        return reason
    breakers = sorted(set(text) & _LINK_BREAKERS)
    if breakers:
        return f"contains {' '.join(repr(c) for c in breakers)}, which would end the README's link (percent-encode it)"
    return None


README_LINK = re.compile(r"\[([^\[\]\n]+)\]\(([^()\n]*)\)")
"""A link an authored README text may write: ``[text](url)``, its text without brackets.

Every match must have a URL that passes :func:`readme_link_problem` (the loader
reports the others at the value, with the reason); the renderer makes a link of a
match that passes and shows anything else, a ``[`` of a bad link included, as text.
"""

README_LINK_HINT = (
    "write a link as [text](https://host/path), a plain https:// address, "
    "or as [text](../<id>/) to another connector of the library"
)


def connector_link(connector_id: str) -> str:
    """The README link to another connector of the library: its folder, next to this one.

    The published READMEs link a suite's members this way, and so do ``dist/`` (each
    connector's folder holds its README) and the library's website.
    """
    return f"../{connector_id}/"


def linked_connector(url: str) -> str | None:
    """The connector id ``url`` links to when it is written ``../<id>/`` (:func:`connector_link`), or None.

    Only that exact shape, with an id of :data:`CONNECTOR_ID`, is a relative link a README
    may write: nothing else can lead out of the library or into another folder.
    """
    match = re.fullmatch(r"\.\./([^/]+)/", url)
    return match.group(1) if match and is_connector_id(match.group(1)) else None


def readme_link_problem(url: str) -> str | None:
    """Why ``url`` cannot be the target of a link in an authored README text, or None.

    Either another connector of the library (:func:`linked_connector`; that it exists is
    checked where the library is known), or the rule of the library's ``website``
    (:func:`link_url_problem`) and https only: no ``javascript:``/``data:``/other relative
    targets, nothing that ends the link early.
    """
    if linked_connector(url):
        return None
    if not url.startswith("https://"):
        return "is neither a plain https:// address nor ../<id>/ (another connector of the library)"
    return link_url_problem(url)


def linked_connectors(text: str) -> list[str]:
    """The connector ids that ``text`` links to (``[text](../<id>/)``), in order, each once."""
    found = (linked_connector(match.group(2)) for match in README_LINK.finditer(text))
    return list(dict.fromkeys(cid for cid in found if cid))


def readme_link_problems(text: str) -> list[tuple[str, str]]:
    """``(link, reason)`` for every link ``text`` writes (every ``](``) that the README cannot make.

    A link whose URL breaks :func:`readme_link_problem` is reported with that reason, and so
    is a ``](`` that starts no ``[text](url)`` at all (``[x](javascript:f(1))``): the author
    meant a link, and the README would show the brackets as text.
    """
    found, links = [], set()
    for match in README_LINK.finditer(text):
        links.add(match.start(2) - 2)
        reason = readme_link_problem(match.group(2))
        if reason:
            found.append((match.group(), f"its address {reason}"))
    for opener in re.finditer(r"\]\(", text):
        if opener.start() not in links:
            start = max(0, text.rfind("[", 0, opener.start()))
            found.append((text[start : opener.end() + 24], "is not written [text](https://...)"))
    return found


# ------------------------------------------------------------ numbers and JSON text

MAX_INT_DIGITS = 18
"""Whole numbers of at most 18 digits: every one fits a signed 64-bit integer (Java's ``long``).

The runtime is Java; Python itself refuses to convert more than 4,300 digits."""

MAX_JSON_DEPTH = 32
"""Deepest nesting of JSON text the tool parses: payloads written as JSON text, provider responses.

As deep as a YAML spec may nest; Python's ``json`` recurses once per level and
would raise ``RecursionError`` near 1,000, real payloads and responses stay below 10."""


def json_depth(text: str) -> int:
    """How deep ``[``/``{`` nest in ``text``, measured without recursion (strings skipped)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            escaped, in_string = (False, True) if escaped else (char == "\\", char != '"')
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def load_json_text(text: str, *, bounded_integers: bool = True) -> object:
    """JSON text parsed within the limits: nesting, integer size, no ``NaN``/``Infinity``.

    Every violation is a :class:`json.JSONDecodeError` (a ``ValueError``), so a
    caller handles bad and oversized JSON alike and nothing crashes.  Payloads
    are read with ``bounded_integers`` (the runtime sends them to Java); a
    provider's response may carry bigger ids, which only Python's own
    4,300-digit limit bounds.
    """
    if json_depth(text) > MAX_JSON_DEPTH:
        raise json.JSONDecodeError(f"nesting deeper than {MAX_JSON_DEPTH} levels", text, 0)
    try:
        return json.loads(text, parse_constant=_no_constant, parse_int=_bounded_int if bounded_integers else None)
    except json.JSONDecodeError:
        raise
    except (ValueError, RecursionError) as exc:
        raise json.JSONDecodeError(str(exc).split(";")[0], text, 0) from None


def _bounded_int(digits: str) -> int:
    size = len(digits.lstrip("-"))
    if size > MAX_INT_DIGITS:
        raise ValueError(f"a number with {size:,} digits is larger than a 64-bit integer")
    return int(digits)


def _no_constant(name: str) -> object:
    """``NaN``, ``Infinity`` and ``-Infinity`` are not JSON: many servers and the runtime refuse them."""
    raise ValueError(f"{name} is not a JSON number (JSON has no NaN or Infinity)")
