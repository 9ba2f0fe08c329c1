"""Stage 2: validate a loaded spec, reporting every problem at once.

Validation runs in two stages, like mkdocs' config validation:

1. the JSON Schema (:mod:`catalyst_gen.schema_check`) checks every key, type, enum
   and pattern, and remembers which spec paths failed (:class:`SchemaVerdict`);
2. the consistency rules a schema cannot express (the default model, JSON
   paths, status ranges, BPMN error codes, the payload being JSON once its
   placeholders are filled in, ...), here and in :mod:`catalyst_gen.readme_rules`,
   run only on the sections that passed, so they can trust the types the schema
   promised instead of guarding every access, and one mistake is not reported twice.

The characters and secrets scans read every key and value whatever its type
and run on everything.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Iterator
from pathlib import Path

from . import contract, grammar
from .errors import Location, Problem, ProblemList, SpecError
from .loader import SpecSource, spec_strings
from .readme_rules import check_readme
from .schema_check import SchemaVerdict, schema_problems, schema_validator, spec_schema
from .secrets import CREDENTIAL_HEADERS
from .suggest import closest, did_you_mean

# ---------------------------------------------- stage 2: the consistency rules


def _find_placeholders(value, path: tuple) -> Iterator[tuple[str, tuple]]:
    """Yield ``(name, path)`` for everything written like a ``${name}`` inside a payload structure."""
    if isinstance(value, str):
        for match in grammar.PLACEHOLDER_CANDIDATE.finditer(value):
            yield match.group(1), path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _find_placeholders(key, path + (key,))
            yield from _find_placeholders(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _find_placeholders(item, path + (index,))


def _payload_text_location(source: SpecSource, path: tuple, line: int, column: int) -> Location:
    """Map a position inside a JSON text payload to the YAML file.

    For a block scalar (``payload: |``) the text starts on the next line at
    the block's indentation; for other scalars the value's start is the best
    we can say.
    """
    start = source.locate(path)
    try:
        lines = Path(start.file).read_text("utf-8-sig").splitlines()
        head = lines[start.line - 1][start.column - 1 :]
    except (OSError, IndexError, UnicodeDecodeError):
        return start
    if head[:1] in ("|", ">"):
        target = start.line + line
        first = next((text for text in lines[start.line :] if text.strip()), "")
        indent = len(first) - len(first.lstrip(" "))
        if target - 1 < len(lines):
            return Location(start.file, target, indent + column)
    return start


def _check_payload(source: SpecSource, problems: ProblemList, verdict: SchemaVerdict) -> None:
    """Placeholders are process variable names; a JSON text payload parses once they are filled in."""
    base = ("request", "payload")
    if not verdict.passed(base) or "payload" not in source.data.get("request", {}):
        return
    payload = source.data["request"]["payload"]  # free-form JSON: the schema allows any mapping, list or text
    for name, path in _find_placeholders(payload, base):
        if not grammar.VARIABLE.matches(name):
            problems.add(
                f"placeholder `${{{name}}}` is not a valid process variable name",
                source.locate(path),
                path,
                "use letters, digits and underscores, starting with a letter, e.g. ${userMessage}",
                code="CG301",
            )
    for text, path, is_key in spec_strings(payload, base):
        if "${" in grammar.PLACEHOLDER_CANDIDATE.sub("", text):
            problems.add(
                f"the {'key' if is_key else 'value'} opens a placeholder with `${{` and never closes it",
                source.locate(path, key=is_key),
                path[:-1] if is_key else path,
                "close it: a placeholder is written ${name}, e.g. ${userMessage}",
                code="CG301",
            )
    if isinstance(payload, str):
        try:
            payload = grammar.load_json_text(grammar.PLACEHOLDER_CANDIDATE.sub("0", payload))
        except json.JSONDecodeError as exc:
            problems.add(
                f"the payload is not valid JSON once placeholders are filled in: {exc.msg}",
                _payload_text_location(source, base, exc.lineno, exc.colno),
                base,
                "write the payload as a YAML mapping, or check the JSON for missing commas, quotes or braces",
                code="CG302",
            )
            return
    if verdict.passed(("models",)):
        _check_models(source, problems)
        _check_payload_model(source, problems, payload)


def _check_placeholder_labels(source: SpecSource, problems: ProblemList, verdict: SchemaVerdict) -> None:
    """Each ``request.placeholders`` entry the connector writes labels a placeholder its request fills in.

    An entry for a name the payload, URL and headers never use does nothing: its
    label and default would be dropped without a word (usually a typo of the name).
    A preset's entries are shared by its family: a connector need not use them all."""
    base = ("request", "placeholders")
    if not (verdict.passed(("request",)) and verdict.passed(("endpoint",))):
        return
    used = _request_placeholder_names(source.data)
    own_request = (source.layers or (source,))[0].data.get("request")
    written = own_request.get("placeholders") if isinstance(own_request, dict) else None
    written = written if isinstance(written, dict) else {}
    for name in source.data["request"].get("placeholders", {}):
        if name in written and name not in used:
            problems.add(
                f"`{name}` is not a placeholder of this request (no `${{{name}}}` in the payload, URL or headers)",
                source.locate(base + (name,), key=True),
                base,
                did_you_mean(name, sorted(used)) or f"write `${{{name}}}` where the value goes, or remove the entry",
                code="CG309",
            )


def _check_endpoint(source: SpecSource, problems: ProblemList, verdict: SchemaVerdict) -> None:
    """The URL is one the runtime can send to, and no header value could split the request's headers."""
    if not verdict.passed(("endpoint",)):
        return
    endpoint = source.data["endpoint"]
    _check_url(source, problems, endpoint["url"])
    for name, value in endpoint.get("headers", {}).items():
        if CREDENTIAL_HEADERS.fullmatch(name):
            path = ("endpoint", "headers", name)
            problems.add(
                f"header `{name}` carries credentials; a spec must not give it a value",
                source.locate(path),
                path,
                "send credentials with the auth settings (auth.type, auth.header, auth.secret_name) and a secret source",
                code="CG304",
            )
            continue
        _check_header_placeholders(source, problems, ("endpoint", "headers", name), value)
        reason = grammar.header_value_problem(value)
        if reason:
            path = ("endpoint", "headers", name)
            problems.add(
                f"the value of header `{name}` {reason}",
                source.locate(path),
                path,
                "write it on one line",
                code="CG305",
            )


_REQUEST_PLACEHOLDER = re.compile(r"(?<!\\)" + grammar.PLACEHOLDER.pattern)
"""A ``${name}`` of the URL or a header value that the build binds as ``{name}`` (an escaped ``\\${`` is not one)."""


def _without_placeholders(text: str) -> str:
    """A URL or header value without its placeholders: whatever ``${``/``#{`` is left is an expression (CG361)."""
    return _REQUEST_PLACEHOLDER.sub("", text)


def _check_url(source: SpecSource, problems: ProblemList, url: str) -> None:
    """The URL, its ``${name}`` placeholders bound as ``{name}``, passes the runtime's own rule.

    :func:`grammar.url_template_problem` is the rule the runtime applies to the
    bound URL; a literal ``{``/``}`` in the spec is refused first, since the
    bound form would turn ``{name}`` into a placeholder nobody declared.
    """
    path = ("endpoint", "url")
    rest = _without_placeholders(url)
    if grammar.expression_opener(rest):
        return  # an expression, reported where it is (_check_expressions)
    if re.search("[{}]", rest):
        reason: str | None = "contains `{` or `}` outside a `${name}` placeholder (percent-encode them as %7B and %7D)"
    else:
        reason = grammar.url_template_problem(grammar.bound_form(url))
    if reason:
        problems.add(
            f"the URL {reason}",
            source.locate(path),
            path,
            "write an absolute URL such as https://api.example.com/v1/chat; a ${name} placeholder may stand "
            "in the host (one DNS label), the path or the query",
            code="CG303",
        )


def _check_header_placeholders(source: SpecSource, problems: ProblemList, path: tuple, value: str) -> None:
    """No literal ``{name}`` in a header value would become a placeholder at run time."""
    literal = grammar.BOUND_PLACEHOLDER.search(_without_placeholders(value))
    if literal:
        problems.add(
            f"the value of header `{path[-1]}` holds `{literal.group()}`, which the runtime would fill in "
            f"with the process variable {literal.group(1)!r}",
            source.locate(path),
            path,
            f"write `${literal.group()}` for a placeholder, or rephrase the value",
            code="CG307",
        )


def _check_console(source: SpecSource, problems: ProblemList, verdict: SchemaVerdict) -> None:
    """The console URL becomes a README link: it must be one that cannot break out of it."""
    if not verdict.passed(("auth",)) or "console" not in source.data.get("auth", {}):
        return
    reason = grammar.link_url_problem(source.data["auth"]["console"])
    if reason:
        path = ("auth", "console")
        problems.add(
            f"the console URL {reason}",
            source.locate(path),
            path,
            "write the plain https:// address of the console",
            code="CG306",
        )


def _default_models(source: SpecSource) -> list[int]:
    return [index for index, model in enumerate(source.data.get("models", [])) if model.get("default", False)]


def _check_models(source: SpecSource, problems: ProblemList) -> None:
    """At most one default model, and no model listed twice.

    A table without a default is a list of choices (the published READMEs of
    providers whose catalog changes often list models that way).
    """
    models = source.data.get("models", [])
    defaults = _default_models(source)
    for index in defaults[1:]:
        problems.add(
            "more than one model is marked default",
            source.locate(("models", index, "default")),
            ("models", index, "default"),
            "keep `default: true` on one model",
            code="CG310",
        )
    seen: set[str] = set()
    for index, model in enumerate(models):
        path = ("models", index, "id")
        if model["id"] in seen:
            problems.add(f"model `{model['id']}` is listed twice", source.locate(path), path, code="CG311")
        seen.add(model["id"])


def _check_payload_model(source: SpecSource, problems: ProblemList, payload: object) -> None:
    """When a model is marked default, the model the payload names literally is listed and is that one.

    Without a default the table is a list of choices, not a description of the
    payload, so the payload may name any model (or none).
    """
    if not isinstance(payload, dict) or not isinstance(payload.get("model"), str) or not _default_models(source):
        return  # free-form payload, or a table of choices: nothing to compare
    named = payload["model"]
    if grammar.PLACEHOLDER_CANDIDATE.search(named):
        return  # chosen at run time
    ids = [model["id"] for model in source.data.get("models", [])]
    defaults = _default_models(source)
    written_as_mapping = isinstance(source.data["request"]["payload"], dict)
    path = ("request", "payload", "model") if written_as_mapping else ("request", "payload")
    if named not in ids:
        problems.add(
            f"the payload uses model `{named}`, which is not in `models`",
            source.locate(path),
            path,
            did_you_mean(named, ids) or "add it to `models` (with `default: true`) or use a listed model",
            code="CG312",
        )
    elif ids[defaults[0]] != named:
        problems.add(
            f"the payload uses model `{named}` but the default model is `{ids[defaults[0]]}`",
            source.locate(path),
            path,
            "mark the payload's model as `default: true`, or use the default model in the payload",
            code="CG313",
        )


_STATUS_RANGE = f"{grammar.HTTP_STATUS_RANGE.start}-{grammar.HTTP_STATUS_RANGE.stop - 1}"


def _check_error_statuses(source: SpecSource, problems: ProblemList, verdict: SchemaVerdict) -> None:
    """Each key of ``errors`` is a real status written plainly; each code is a BPMN error code."""
    if not verdict.intact(("errors",)):
        return
    for status, entry in source.data.get("errors", {}).items():
        path = ("errors", status)
        if verdict.passed(path) and not grammar.HTTP_STATUS.matches(status):
            if int(status) not in grammar.HTTP_STATUS_RANGE:
                message, hint = (
                    f"HTTP status {status} is outside {_STATUS_RANGE}",
                    "use a real HTTP status code, e.g. 401",
                )
            else:
                message, hint = (
                    f"HTTP status {status!r} has a leading zero",
                    f"write it as {int(status)} (each status may be listed once)",
                )
            problems.add(message, source.locate(path, key=True), ("errors",), hint, code="CG320")
        code_path = path + ("code",)
        if verdict.passed(code_path) and "code" in entry and not grammar.BPMN_ERROR_CODE.matches(entry["code"]):
            problems.add(
                f"BPMN error code `{entry['code']}` is not a valid identifier",
                source.locate(code_path),
                code_path,
                grammar.BPMN_ERROR_CODE.hint,
                code="CG321",
            )


def _check_retry(source: SpecSource, problems: ProblemList, verdict: SchemaVerdict) -> None:
    """Retried statuses are real statuses; the backoff cap is not below the first delay."""
    retry = source.data.get("retry", {})
    if verdict.passed(("retry", "statuses")) and "statuses" in retry:
        for index, status in enumerate(retry["statuses"]):
            if not grammar.is_http_status(status):
                problems.add(
                    f"HTTP status {status} is outside {_STATUS_RANGE}",
                    source.locate(("retry", "statuses", index)),
                    ("retry", "statuses", index),
                    "use a real HTTP status code, e.g. 429",
                    code="CG322",
                )
    backoff_paths = (("retry", "backoff_ms"), ("retry", "max_backoff_ms"))
    if all(verdict.passed(p) and p[1] in retry for p in backoff_paths):
        if retry["max_backoff_ms"] < retry["backoff_ms"]:
            problems.add(
                "max_backoff_ms is smaller than backoff_ms",
                source.locate(("retry", "max_backoff_ms")),
                ("retry", "max_backoff_ms"),
                f"use at least {retry['backoff_ms']}",
                code="CG323",
            )


def _check_response_mapping(source: SpecSource, problems: ProblemList, verdict: SchemaVerdict) -> None:
    """Variable names are not the runtime's own; every JSON path parses."""
    from .jsonpath import JsonPathError, parse_json_path

    if not verdict.intact(("response_mapping",)):
        return
    reserved = {v.name for v in contract.STANDARD_VARIABLES} | {
        contract.ERROR_CODE_VARIABLE,
        contract.ERROR_MESSAGE_VARIABLE,
    }
    for name, entry in source.data.get("response_mapping", {}).items():
        if name in reserved or name.startswith("catalyst_"):
            problems.add(
                f"`{name}` is reserved for the runtime's standard variables",
                source.locate(("response_mapping", name), key=True),
                ("response_mapping",),
                "choose another variable name",
                code="CG324",
            )
        path = ("response_mapping", name, "path")
        if not verdict.passed(path) or "path" not in entry:
            continue
        try:
            parse_json_path(entry["path"])
        except JsonPathError as exc:
            problems.add(
                f"JSON path {entry['path']!r} does not parse: {exc}",
                source.locate(path),
                path,
                "write paths like `choices[0].message.content`",
                code="CG325",
            )


def _check_response(source: SpecSource, problems: ProblemList, verdict: SchemaVerdict) -> None:
    """The body condition's paths parse and its error code is a BPMN error code: the runtime's own rule
    (:func:`catalyst_gen.condition.condition_problem`), so the build refuses what the runtime would."""
    from .condition import condition_problem

    response = source.data.get("response")
    if not isinstance(response, dict) or not verdict.intact(("response",)):
        return
    when = response.get("success_when")
    values = {
        ("response", "success_when", "path"): ("path", when.get("path") if isinstance(when, dict) else None),
        ("response", "error_path"): ("error_path", response.get("error_path")),
        ("response", "error_code"): ("error_code", response.get("error_code")),
    }
    for path, (name, value) in values.items():
        problem = None if value is None or not verdict.passed(path) else condition_problem(name, value)
        if problem:
            code, hint = ("CG321", grammar.BPMN_ERROR_CODE.hint) if name == "error_code" else ("CG326", _PATH_HINT)
            problems.add(problem, source.locate(path), path, hint, code=code)


_PATH_HINT = "write paths like `ok` or `data.items[0].status` (no `$` root marker)"


def _request_placeholder_names(data: dict) -> set[str]:
    """Every ``${name}`` the request fills in: the payload's, the endpoint URL's and the header values'."""
    endpoint = data.get("endpoint", {}) if isinstance(data.get("endpoint"), dict) else {}
    names = {name for name, _ in _find_placeholders(data.get("request", {}).get("payload"), ())}
    texts = [endpoint.get("url")] + list((endpoint.get("headers") or {}).values())
    for text in texts:
        if isinstance(text, str):
            names.update(grammar.PLACEHOLDER.findall(text))
    return names


_PROPERTY_HINT = "name an optional runtime input (retryOn429), or use ${name} in the payload so the value is sent"


def _check_template(source: SpecSource, problems: ProblemList, verdict: SchemaVerdict) -> None:
    """``template.properties``: each is bound to a runtime input that uses it, with values its grammar takes."""
    base = ("template", "properties")
    if not verdict.passed(base) or not isinstance(source.data.get("request"), dict):
        return
    used = _request_placeholder_names(source.data)
    for name, entry in source.data.get("template", {}).get("properties", {}).items():
        path = base + (name,)
        if name in contract.INPUT_NAMES and name not in contract.OPTIONAL_INPUTS or name == contract.PAYLOAD_FIELD:
            problems.add(
                f"`{name}` is already a runtime input of every template",
                source.locate(path, key=True),
                base,
                "set its label or visibility under template.fields instead, or rename the variable",
                code="CG385",
            )
        elif name not in contract.OPTIONAL_INPUTS and name not in used:
            problems.add(
                f"property `{name}` is not used: no runtime input reads it",
                source.locate(path, key=True),
                base,
                _PROPERTY_HINT,
                code="CG382",
            )
        _check_property_values(source, problems, path, entry)


def _property_values(entry: dict) -> tuple[list[tuple[str, tuple]], str | None]:
    """``(text, relative path)`` of each value the property can bind, and why the declaration is inconsistent."""
    kind, value, choices = entry["type"], entry["value"], entry.get("choices")
    if kind == contract.BOOLEAN:
        if not isinstance(value, bool) or choices is not None:
            return [], "a Boolean takes `value: true` or `false` and no choices"
        return [("true" if value else "false", ("value",))], None
    if not isinstance(value, str):
        return [], f"a {kind} takes a string value"
    if kind == contract.DROPDOWN and choices is None:
        return [], "a Dropdown needs `choices`"
    if kind != contract.DROPDOWN and choices is not None:
        return [], f"a {kind} has no choices; use type Dropdown"
    listed = [(c["value"], ("choices", i, "value")) for i, c in enumerate(choices or [])]
    if choices is not None and value not in [c["value"] for c in choices]:
        return listed, f"the value {value!r} is not one of the choices"
    return [(value, ("value",))] + listed, None


def _check_property_values(source: SpecSource, problems: ProblemList, path: tuple, entry: dict) -> None:
    """One type, one default among the choices, each choice once, every value one the runtime input takes."""
    values, wrong = _property_values(entry)
    if wrong:
        problems.add(
            wrong, source.locate(path + ("value",)), path, "see `template.properties` in the README", code="CG383"
        )
    setting = contract.OPTIONAL_INPUTS.get(path[-1])
    for text, relative in values:
        try:
            if setting is not None:
                setting.read(text)
            elif "\n" in text or not text.strip():
                raise contract.RuntimeContractError("must be one non-empty line of text")
        except contract.RuntimeContractError as exc:
            problems.add(
                f"{exc}", source.locate(path + relative), path + relative, "use a value the input takes", code="CG383"
            )
    for what in ("label", "value"):
        seen = [c[what] for c in entry.get("choices", [])]
        for index, item in enumerate(seen):
            if item in seen[:index]:
                where = path + ("choices", index, what)
                problems.add(
                    f"choice {what} {item!r} is listed twice",
                    source.locate(where),
                    where,
                    "list each choice once",
                    code="CG384",
                )


def _check_documentation(source: SpecSource, problems: ProblemList, verdict: SchemaVerdict) -> None:
    """The documentation URL becomes the template's link: a plain https:// address, like the console's."""
    documentation = source.data.get("documentation")
    path = ("documentation", "url")
    if not isinstance(documentation, dict) or "url" not in documentation or not verdict.passed(path):
        return
    reason = grammar.link_url_problem(documentation["url"])
    if reason:
        problems.add(
            f"the documentation URL {reason}",
            source.locate(path),
            path,
            "write the plain https:// address of the connector's documentation",
            code="CG308",
        )


_KEY_SETTINGS = ("header", "prefix", "secret_name", "default_source", "key_prefix", "optional")
"""Auth settings that only mean something when a key is sent."""

_SHOWN_KEY_SETTINGS = ("header", "prefix", "secret_name", "key_prefix")
"""The key settings auth type ``none`` may still declare with ``show_key_settings: true``: the README's
Authentication table shows them (as the published Ollama README does) while nothing is sent."""


def _check_auth(source: SpecSource, problems: ProblemList, verdict: SchemaVerdict) -> None:
    """``none`` takes no key settings (unless shown); the other types name their secret, header types their header.

    With ``types`` the rules cover every type offered: the user may pick any of them in the Modeler.
    """
    if not verdict.passed(("auth",)):
        return
    auth = source.data["auth"]
    types = auth.get("types", [auth["type"]])
    if auth["type"] not in types:
        problems.add(
            f"`type: {auth['type']}` is not one of `types` ({', '.join(types)})",
            source.locate(("auth", "type")),
            ("auth", "type"),
            "the default auth type must be one the dropdown offers: add it to `types`, or choose one of them",
            code="CG333",
        )
    if all(t == "none" for t in types) and not auth.get("editable"):  # editable: the user may pick a key type
        _check_no_auth(source, problems, auth)
        return
    if "show_key_settings" in auth:
        problems.add(
            "`show_key_settings` only applies to auth type `none`: the types that send a key always show their settings",
            source.locate(("auth", "show_key_settings"), key=True),
            ("auth", "show_key_settings"),
            "remove it",
            code="CG335",
        )
    if "secret_name" not in auth:
        problems.add(
            "missing required key `secret_name`",
            source.locate(("auth",), key=True),
            ("auth",),
            "name the secret, e.g. `secret_name: together_api_key`",
            code="CG331",
        )
    named = [t for t in types if t in contract.KEY_NAMED_AUTH_TYPES]
    if named and "header" not in auth:
        what = "query parameter" if named == ["apiKeyQuery"] else "header"
        problems.add(
            f"missing required key `header` (the {what} that carries the key)",
            source.locate(("auth",), key=True),
            ("auth",),
            "e.g. `header: Authorization`",
            code="CG332",
        )
    if set(types) <= {"basicAuth", "none"} and not auth.get("editable"):
        _check_basic_auth(source, problems, auth)


def _check_no_auth(source: SpecSource, problems: ProblemList, auth: dict) -> None:
    """``none`` sends nothing: key settings are refused, except those ``show_key_settings`` shows in the README,
    and then the two rows the table cannot do without (header and secret name) are required."""
    shown = auth.get("show_key_settings", False)
    allowed = _SHOWN_KEY_SETTINGS if shown else ()
    for key in (k for k in _KEY_SETTINGS if k in auth and k not in allowed):
        problems.add(
            f"`{key}` has no meaning with auth type `none`",
            source.locate(("auth", key), key=True),
            ("auth", key),
            "remove it: auth type `none` reads no secret and sends nothing"
            if shown
            else "remove it, or choose an auth type that sends a key",
            code="CG330",
        )
    if not shown:
        return
    for key, code, example in (
        ("header", "CG332", "header: Authorization"),
        ("secret_name", "CG331", "secret_name: not_required"),
    ):
        if key not in auth:
            problems.add(
                f"missing required key `{key}` (`show_key_settings: true` shows it in the README)",
                source.locate(("auth",), key=True),
                ("auth",),
                f"e.g. `{example}`, or remove `show_key_settings`",
                code=code,
            )


def _check_basic_auth(source: SpecSource, problems: ProblemList, auth: dict) -> None:
    """basicAuth sends ``Authorization: Basic <base64 of user:password>`` itself: a prefix or another header
    would be shown in the README and the Modeler without doing anything."""
    unused = {"prefix": "a prefix"} if "prefix" in auth else {}
    if auth.get("header", "Authorization").lower() != "authorization":
        unused["header"] = f"the header `{auth['header']}`"
    for key, what in unused.items():
        problems.add(
            f"basicAuth does not use {what}: it always sends `Authorization: Basic` and the Base64 of the secret",
            source.locate(("auth", key)),
            ("auth", key),
            "remove it (the secret is `user:password`, e.g. `email:api_token`; the runtime encodes it)",
            code="CG334",
        )


MAX_LOGO_BYTES = 64 * 1024
"""A 64x64 logo is a few kilobytes; more is embedded bitmaps or an attack."""

_DRAWN = ("text", "background", "foreground")

MIN_LOGO_CONTRAST = 3.0
"""WCAG 2's minimum contrast for large text and graphics: below it the badge's letters are hard to see."""


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2 contrast ratio of two ``#RRGGBB`` colours, from 1 (the same) to 21 (black on white)."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _check_logo(source: SpecSource, problems: ProblemList, verdict: SchemaVerdict) -> None:
    """A logo is a file or a drawn badge with all three of its settings."""
    if not verdict.passed(("logo",)):
        return
    logo = source.data["logo"]
    drawn = [k for k in _DRAWN if k in logo]
    if "file" in logo:
        if drawn:
            problems.add(
                "a logo is either a `file` or drawn (`text`, `background`, `foreground`), not both",
                source.locate(("logo",), key=True),
                ("logo",),
                f"remove {', '.join(drawn)} or file",
                code="CG340",
            )
        else:
            _check_logo_file(source, problems, logo["file"])
    elif len(drawn) != len(_DRAWN):
        missing = [k for k in _DRAWN if k not in logo]
        problems.add(
            f"the drawn logo needs {', '.join(missing)}",
            source.locate(("logo",), key=True),
            ("logo",),
            "or give `file: logo.svg`",
            code="CG341",
        )
    elif (ratio := contrast_ratio(logo["background"], logo["foreground"])) < MIN_LOGO_CONTRAST:
        problems.add(
            f"the logo's text ({logo['foreground']}) on its background ({logo['background']}) has a contrast of "
            f"{ratio:.1f}:1; at least {MIN_LOGO_CONTRAST:.0f}:1 is needed to read it",
            source.locate(("logo", "foreground")),
            ("logo", "foreground"),
            'use a lighter or darker foreground, e.g. "#FFFFFF" or "#111111"',
            code="CG346",
        )


def _check_logo_file(source: SpecSource, problems: ProblemList, name: str) -> None:
    """The supplied SVG passes the artifact's own SVG check; problems point at ``logo.file``.

    ``name`` passed the schema's pattern: a plain ``*.svg`` file name, never a path.
    """
    from .checks.svg import check_svg

    path = ("logo", "file")
    where = source.locate(path)
    folder = source.file.parent
    file = folder / name
    if not file.is_file():
        problems.add(
            f"logo file {name!r} not found next to the spec", where, path, f"put it in {folder}/", code="CG342"
        )
        return
    if not file.resolve().is_relative_to(folder.resolve()):
        problems.add(
            f"logo file {name!r} is a link to a file outside the connector's folder",
            where,
            path,
            f"copy the SVG into {folder}/",
            code="CG343",
        )
        return
    try:
        data = file.read_bytes()
    except OSError as exc:
        problems.add(f"cannot read logo file {name!r}: {exc.strerror}", where, path, code="CG344")
        return
    if len(data) > MAX_LOGO_BYTES:
        problems.add(
            f"logo file {name!r} is {len(data):,} bytes; the limit is {MAX_LOGO_BYTES:,}",
            where,
            path,
            "simplify the drawing; do not embed bitmaps",
            code="CG345",
        )
        return
    for problem in check_svg(data, name):
        message = problem.message.removeprefix(f"{name}: ")
        hint = problem.hint or "fix the SVG; a logo is shown inside Camunda Modeler and must be inert"
        problems.add(f"logo file {name!r}: {message}", where, path, hint, code=problem.code)


def _check_id(source: SpecSource, problems: ProblemList, verdict: SchemaVerdict, expected_id: str | None) -> None:
    """The id equals its folder (its shape, which keeps it a safe file name, is the schema's)."""
    if expected_id is not None and not grammar.is_connector_id(expected_id):
        reserved = expected_id in grammar.RESERVED_IDS
        what = "is reserved and cannot be a connector id" if reserved else "is not a connector id"
        problems.add(
            f"{expected_id!r} {what}", None, (), grammar.RESERVED_HINT if reserved else grammar.ID_HINT, code="CG350"
        )
        return
    if not verdict.passed(("id",)) or "id" not in source.data:
        return
    spec_id = source.data["id"]
    if spec_id in grammar.RESERVED_IDS:
        problems.add(
            f"`{spec_id}` is reserved and cannot be a connector id",
            source.locate(("id",)),
            ("id",),
            grammar.RESERVED_HINT,
            code="CG350",
        )
        return
    if expected_id and spec_id != expected_id:
        problems.add(
            f"id `{spec_id}` does not match its folder `{expected_id}`",
            source.locate(("id",)),
            ("id",),
            f"rename the folder or set `id: {expected_id}`",
            code="CG351",
        )


def _char_name(char: str) -> str:
    import unicodedata

    return unicodedata.name(
        char,
        "a control character" if ord(char) < 0xA0 else "a surrogate" if 0xD800 <= ord(char) <= 0xDFFF else "unnamed",
    )


def _check_characters(source: SpecSource, problems: ProblemList) -> None:
    """Refuse control, surrogate and bidi-override characters anywhere (keys too), located."""
    for text, path, key in spec_strings(source.data):
        match = grammar.INVISIBLE_CHARACTER.search(text)
        if match:
            char = match.group()
            what = "key" if key else "value"
            problems.add(
                f"the {what} contains the invisible character U+{ord(char):04X} ({_char_name(char).lower()})",
                source.locate(path, key=key),
                path[:-1] if key else path,
                "remove it: generated XML, JSON and Markdown cannot carry it safely "
                "(right-to-left text is fine without direction controls)",
                code="CG360",
            )


PAYLOAD_PATH = ("request", "payload")
"""The one part of a spec whose ``${name}`` placeholders are declared data (checked by ``_check_payload``)."""


def _check_blank_text(source: SpecSource, problems: ProblemList) -> None:
    """A value of spaces only says nothing and renders as nothing (an empty README line, a blank label)."""
    for text, path, key in spec_strings(source.data):
        if not key and text and not text.strip():
            problems.add(
                "the value is blank (only spaces)",
                source.locate(path),
                path,
                "write the text, or remove the key to use its default",
                code="CG363",
            )


def _holds_request_placeholders(path: tuple) -> bool:
    """The endpoint URL and the header values: the build writes their ``${name}`` as ``{name}``."""
    return path == ("endpoint", "url") or (len(path) == 3 and path[:2] == ("endpoint", "headers"))


def _shows_a_payload(path: tuple) -> bool:
    """Inside a ``code`` or ``json`` block of ``readme:``: a payload example the README shows as code.

    Only the README shows it, and a user copies it into the payload field, whose ``${name}``
    the runtime fills in as data; an expression (``${now()}``) is still refused."""
    return (
        bool(path)
        and path[0] == "readme"
        and any(part in ("code", "json") and isinstance(path[i - 1], int) for i, part in enumerate(path) if i)
    )


_CODE_SPAN = re.compile(r"`[^`]*`")
"""An inline code span of README text (single backticks, as ``md_rich`` keeps them)."""


def _without_shown_placeholders(text: str) -> str:
    """README text without the ``${name}`` placeholders it shows inside inline code spans.

    ``readme:`` text reaches only the README; a `` `${customerQuery}` `` there shows the form a
    payload placeholder takes, like a ``code`` block does.  Outside a code span, and anything but a
    plain variable name (`` `${now()}` ``), is still an expression (CG361)."""
    return _CODE_SPAN.sub(lambda span: _without_placeholders(span.group()), text)


_GLUED_OPENER = re.compile(r"([$#])" + _REQUEST_PLACEHOLDER.pattern)
"""A ``$`` or ``#`` right before a URL or header placeholder: bound, ``#${x}`` is ``#{x}``, an expression."""


_GLUED_HINTS = {
    (True, "#"): "a URL's fragment (from `#` on) is never sent to the server: remove it",
    (True, "$"): "percent-encode the `$` as `%24`",
    (False, "#"): "put the `#` into the process variable's value",
    (False, "$"): "put the `$` into the process variable's value",
}


def _check_glued_opener(source: SpecSource, problems: ProblemList, path: tuple, text: str) -> None:
    """The bound form of a URL or header value (``${name}`` written ``{name}``) starts no expression."""
    match = _GLUED_OPENER.search(text)
    if match:
        glued, name = match.groups()
        problems.add(
            f"the `{glued}` right before `${{{name}}}` would make `{glued}{{{name}}}` "
            "once the placeholder is bound as `{" + name + "}`, which starts an expression in Camunda 7",
            source.locate(path),
            path,
            _GLUED_HINTS[(path[-1] == "url", glued)],
            code="CG361",
        )


_README_EXPRESSION_HINT = "to show a payload placeholder in README text, write it in backticks (`${userMessage}`); "


def _check_expressions(source: SpecSource, problems: ProblemList) -> None:
    """No ``${``/``#{`` outside the payload and the request's placeholders, in any key or value (walked).

    Every other value can end up somewhere Camunda evaluates expressions (a
    form label, an input parameter, a task name), whether a template puts it
    there today or not.  The payload is a ``<camunda:string>`` the engine never
    evaluates; the runtime substitutes its placeholders as JSON data.  The
    ``${name}`` placeholders of the URL and header values are written ``{name}``
    into the artifacts (:func:`grammar.bound_form`), which Camunda does not evaluate.
    """
    for text, path, key in spec_strings(source.data):
        if path[: len(PAYLOAD_PATH)] == PAYLOAD_PATH:
            continue
        request = not key and _holds_request_placeholders(path)
        readme = not key and path[0] == "readme"
        if request:
            _check_glued_opener(source, problems, path, text)
        if request or _shows_a_payload(path):
            text = _without_placeholders(text)  # ${name} placeholders: bound as {name}, or shown as data
        elif readme:
            text = _without_shown_placeholders(text)
        opener = grammar.expression_opener(text)
        if opener:
            what = "key" if key else "value"
            problems.add(
                f"the {what} contains `{opener}`, which starts an expression in Camunda 7",
                source.locate(path, key=key),
                path[:-1] if key else path,
                (_README_EXPRESSION_HINT if readme else "") + grammar.EXPRESSION_HINT,
                code="CG361",
            )


def _check_secrets(source: SpecSource, problems: ProblemList) -> None:
    """No credential in any value, key or comment of the spec or of a preset it extends."""
    from .secrets import find_comment_secrets, find_secrets

    reported: set[str] = set()
    for layer in source.layers or (source,):
        for message, path, hint, token, is_key in find_secrets(layer.data):
            if token in reported:
                continue
            reported.add(token)
            problems.add(message, layer.locate(path, key=is_key), path[:-1] if is_key else path, hint, code="CG362")
    for file in dict.fromkeys(layer.file for layer in (source.layers or (source,))):
        try:
            text = Path(file).read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError):
            continue
        for message, line, column, token in find_comment_secrets(text):
            if token not in reported:
                reported.add(token)
                problems.add(message, Location(file, line, column), (), HINT_COMMENT, code="CG362")


HINT_COMMENT = "delete the key from the comment (and revoke it: it may already be in the history)"


def _misspelt_extends(source: SpecSource) -> Problem | None:
    """An unknown top-level key that was meant to be ``extends``.

    Without it the preset is never read, so every key the preset supplies
    would be reported missing: this one problem is the only one worth saying.
    """
    known = spec_schema()["properties"]
    for key in source.data:
        if key not in known and closest(key, known) == "extends":
            return Problem(
                f"unknown key `{key}`",
                source.locate((key,), key=True),
                (),
                "did you mean `extends`? (the keys the preset supplies are not checked until it is read)",
                code="CG202",
            )
    return None


def validate(
    source: SpecSource,
    expected_id: str | None = None,
    known_connectors: Callable[[], Collection[str]] | None = None,
) -> SpecSource:
    """Check ``source`` against the schema, then the consistency rules on what passed it.

    ``known_connectors`` lists the library's connectors, for a README that links to
    another one (called only then: most specs never list the library's folder).
    Raises :class:`SpecError` with every problem found; returns ``source``.
    """
    misspelt = _misspelt_extends(source)
    if misspelt:
        raise SpecError(misspelt)
    problems = ProblemList()
    verdict = schema_problems(source, problems)
    _check_characters(source, problems)
    _check_blank_text(source, problems)
    _check_expressions(source, problems)
    _check_id(source, problems, verdict, expected_id)
    _check_auth(source, problems, verdict)
    _check_endpoint(source, problems, verdict)
    _check_console(source, problems, verdict)
    _check_payload(source, problems, verdict)
    _check_placeholder_labels(source, problems, verdict)
    _check_error_statuses(source, problems, verdict)
    _check_retry(source, problems, verdict)
    _check_response_mapping(source, problems, verdict)
    _check_response(source, problems, verdict)
    _check_documentation(source, problems, verdict)
    _check_template(source, problems, verdict)
    _check_logo(source, problems, verdict)
    check_readme(source, problems, verdict, known_connectors)
    _check_secrets(source, problems)
    _raise_once_each(problems)
    return source


def _raise_once_each(problems: ProblemList) -> None:
    """Raise every problem found, each once: a bad character trips the schema pattern and
    ``_check_characters`` at one spot, and an author should read it once."""
    unique = {(p.location, p.message): p for p in problems.problems}
    problems.problems = list(unique.values())
    problems.raise_if_any(SpecError)


SETTINGS_PROSE = ("library_name", "tagline")
"""Settings every README shows as text (its footer): one line each, not blank."""


def validate_settings(source: SpecSource, schema: dict) -> SpecSource:
    """``_library.yaml`` gets the spec's rules: it arrives in pull requests too.

    Its schema first, then the rules every spec value obeys (no invisible
    characters, no expression opener, no credential), then what its use in
    every README needs: one-line prose and a website that stays a plain link.
    """
    problems = ProblemList()
    verdict = schema_problems(source, problems, schema_validator(schema))
    _check_characters(source, problems)
    _check_expressions(source, problems)
    _check_settings_text(source, problems, verdict)
    _check_secrets(source, problems)
    _raise_once_each(problems)
    return source


def _check_settings_text(source: SpecSource, problems: ProblemList, verdict: SchemaVerdict) -> None:
    for key in SETTINGS_PROSE:
        text = source.data.get(key)
        if not verdict.passed((key,)) or not isinstance(text, str):
            continue
        if not text.strip():
            problems.add(
                "the text is blank", source.locate((key,)), (key,), "write the text every README shows", code="CG363"
            )
        elif "\n" in text or "\r" in text:
            problems.add(
                "the text spans several lines; every README shows it in its one-line footer",
                source.locate((key,)),
                (key,),
                "write it on one line",
                code="CG364",
            )
    website = source.data.get("website")
    reason = grammar.link_url_problem(website) if verdict.passed(("website",)) and isinstance(website, str) else None
    if reason:
        problems.add(
            f"the website URL {reason}",
            source.locate(("website",)),
            ("website",),
            "write the plain https:// address of the library's website",
            code="CG365",
        )
