"""Stage 2: validate a loaded spec, reporting every problem at once.

First the JSON Schema shipped in ``catalyst_gen/schema/connector.schema.json``
(the same file `catalyst-gen schema` prints for editors), then the checks a
schema cannot express: the default model, JSON paths, status ranges, BPMN
error codes and the payload being JSON once its placeholders are filled in.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

import jsonschema

from . import contract
from .errors import Location, ProblemList, SpecError
from .loader import ID_HINT, SpecSource, is_connector_id
from .suggest import did_you_mean

PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")
VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
BPMN_ERROR_CODE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

_TYPE_NAMES = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "nothing (null)",
}


@lru_cache(maxsize=1)
def spec_schema() -> dict:
    """The connector JSON Schema, read once per process."""
    return json.loads(resources.files(__package__).joinpath("schema/connector.schema.json").read_text("utf-8"))


@lru_cache(maxsize=1)
def _validator() -> jsonschema.protocols.Validator:
    schema = spec_schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _kind(value) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int):
        return "a number"
    if isinstance(value, float):
        return "a decimal number"
    if value is None:
        return "nothing (null)"
    return "a string"


def schema_problems(source: SpecSource, problems: ProblemList, validator=None) -> None:
    """Translate jsonschema errors into located problems with suggestions."""
    for error in (validator or _validator()).iter_errors(source.data):
        path = tuple(error.absolute_path)
        schema = error.schema if isinstance(error.schema, dict) else {}
        if error.validator == "additionalProperties":
            allowed = list(schema.get("properties", {}))
            for key in error.instance:
                if key not in allowed:
                    hint = did_you_mean(key, allowed) or f"allowed keys here: {', '.join(allowed)}"
                    problems.add(f"unknown key `{key}`", source.locate(path + (key,), key=True), path, hint)
        elif error.validator == "required":
            missing = re.search(r"'(.*?)' is a required property", error.message)
            name = missing.group(1) if missing else error.message
            problems.add(
                f"missing required key `{name}`",
                source.locate(path, key=True),
                path,
                f"add `{name}:` here (see `catalyst-gen schema` for its format)",
            )
        elif error.validator == "enum":
            choices = [str(c) for c in error.validator_value]
            problems.add(
                f"`{error.instance}` is not one of: {', '.join(choices)}",
                source.locate(path),
                path,
                did_you_mean(str(error.instance), choices),
            )
        elif error.validator == "type":
            expected = error.validator_value
            expected = [expected] if isinstance(expected, str) else expected
            want = " or ".join(_TYPE_NAMES.get(t, t) for t in expected)
            problems.add(f"expected {want}, got {_kind(error.instance)}", source.locate(path), path)
        elif error.validator == "propertyNames":
            for sub in error.context or [error]:
                name = sub.instance
                sub_schema = sub.schema if isinstance(sub.schema, dict) else {}
                problems.add(
                    f"`{name}` is not allowed as a key here",
                    source.locate(path + (str(name),), key=True),
                    path,
                    sub_schema.get("x-hint") or schema.get("x-hint"),
                )
        elif error.validator in ("minimum", "maximum"):
            word = "at least" if error.validator == "minimum" else "at most"
            problems.add(
                f"{error.instance} is too {'small' if word == 'at least' else 'large'}",
                source.locate(path),
                path,
                f"use a value {word} {error.validator_value}",
            )
        elif error.validator in ("minLength", "maxLength"):
            if error.validator == "minLength":
                problems.add("must not be empty", source.locate(path), path)
            else:
                problems.add(
                    f"is longer than {error.validator_value} characters", source.locate(path), path, "shorten it"
                )
        elif error.validator == "pattern":
            if isinstance(error.instance, str) and _BAD_CHAR.search(error.instance):
                continue  # _check_characters names the character, at the key or value
            problems.add(
                f"{json.dumps(error.instance, ensure_ascii=False)[:80]} is not valid here",
                source.locate(path),
                path,
                schema.get("x-hint"),
            )
        else:
            problems.add(error.message, source.locate(path), path)


def _find_placeholders(value, path: tuple):
    """Yield ``(name, path)`` for every ``${name}`` inside a payload structure."""
    if isinstance(value, str):
        for match in PLACEHOLDER.finditer(value):
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
        first = next((l for l in lines[start.line :] if l.strip()), "")
        indent = len(first) - len(first.lstrip(" "))
        if target - 1 < len(lines):
            return Location(start.file, target, indent + column)
    return start


def _check_payload(source: SpecSource, problems: ProblemList) -> None:
    request = source.data.get("request")
    if not isinstance(request, dict) or "payload" not in request:
        return
    payload = request["payload"]
    base = ("request", "payload")
    for name, path in _find_placeholders(payload, base):
        if not VARIABLE.fullmatch(name):
            problems.add(
                f"placeholder `${{{name}}}` is not a valid process variable name",
                source.locate(path),
                path,
                "use letters, digits and underscores, starting with a letter, e.g. ${userMessage}",
            )
    if isinstance(payload, str):
        filled = PLACEHOLDER.sub("0", payload)
        try:
            parsed = json.loads(filled)
        except json.JSONDecodeError as exc:
            problems.add(
                f"the payload is not valid JSON once placeholders are filled in: {exc.msg}",
                _payload_text_location(source, base, exc.lineno, exc.colno),
                base,
                "write the payload as a YAML mapping, or check the JSON for missing commas, quotes or braces",
            )
            return
    else:
        parsed = payload
    _check_model(source, problems, parsed)


def _check_model(source: SpecSource, problems: ProblemList, payload) -> None:
    models = source.data.get("models")
    if not isinstance(models, list):
        models = []
    ids = [m.get("id") for m in models if isinstance(m, dict)]
    defaults = [i for i, m in enumerate(models) if isinstance(m, dict) and m.get("default") is True]
    if len(defaults) > 1:
        for index in defaults[1:]:
            problems.add(
                "more than one model is marked default",
                source.locate(("models", index, "default")),
                ("models", index, "default"),
                "keep `default: true` on one model",
            )
    if models and not defaults:
        problems.add(
            "no model is marked default",
            source.locate(("models",), key=True),
            ("models",),
            "add `default: true` to the model the payload uses",
        )
    seen: set = set()
    for index, model_id in enumerate(ids):
        if not isinstance(model_id, str):
            continue  # the schema reports it
        if model_id in seen:
            problems.add(
                f"model `{model_id}` is listed twice", source.locate(("models", index, "id")), ("models", index, "id")
            )
        seen.add(model_id)
    if (
        isinstance(payload, dict)
        and "model" in payload
        and isinstance(payload["model"], str)
        and not PLACEHOLDER.search(payload["model"])
    ):
        named = payload["model"]
        path = (
            ("request", "payload", "model")
            if isinstance(source.data["request"]["payload"], dict)
            else ("request", "payload")
        )
        if named not in ids:
            problems.add(
                f"the payload uses model `{named}`, which is not in `models`",
                source.locate(path),
                path,
                did_you_mean(named, ids) or "add it to `models` (with `default: true`) or use a listed model",
            )
        elif defaults and ids[defaults[0]] != named:
            problems.add(
                f"the payload uses model `{named}` but the default model is `{ids[defaults[0]]}`",
                source.locate(path),
                path,
                "mark the payload's model as `default: true`, or use the default model in the payload",
            )


def _check_statuses(source: SpecSource, problems: ProblemList) -> None:
    errors = source.data.get("errors")
    if isinstance(errors, dict):
        for status, entry in errors.items():
            path = ("errors", status)
            if re.fullmatch(r"[0-9]+", status):
                if not 100 <= int(status) <= 599:
                    problems.add(
                        f"HTTP status {status} is outside 100-599",
                        source.locate(path, key=True),
                        ("errors",),
                        "use a real HTTP status code, e.g. 401",
                    )
                elif status != str(int(status)):
                    problems.add(
                        f"HTTP status {status!r} has a leading zero",
                        source.locate(path, key=True),
                        ("errors",),
                        f"write it as {int(status)} (each status may be listed once)",
                    )
            code = entry.get("code") if isinstance(entry, dict) else None
            if isinstance(code, str) and not BPMN_ERROR_CODE.fullmatch(code):
                problems.add(
                    f"BPMN error code `{code}` is not a valid identifier",
                    source.locate(path + ("code",)),
                    path + ("code",),
                    "use letters, digits and underscores, starting with a letter, e.g. AUTH_FAILED",
                )
    retry = source.data.get("retry")
    if isinstance(retry, dict) and isinstance(retry.get("statuses"), list):
        for index, status in enumerate(retry["statuses"]):
            if isinstance(status, int) and not isinstance(status, bool) and not 100 <= status <= 599:
                problems.add(
                    f"HTTP status {status} is outside 100-599",
                    source.locate(("retry", "statuses", index)),
                    ("retry", "statuses", index),
                    "use a real HTTP status code, e.g. 429",
                )
        backoff, cap = retry.get("backoff_ms"), retry.get("max_backoff_ms")
        if isinstance(backoff, int) and isinstance(cap, int) and cap < backoff:
            problems.add(
                "max_backoff_ms is smaller than backoff_ms",
                source.locate(("retry", "max_backoff_ms")),
                ("retry", "max_backoff_ms"),
                f"use at least {backoff}",
            )


def _check_response_mapping(source: SpecSource, problems: ProblemList) -> None:
    from .jsonpath import JsonPathError, parse_json_path

    mapping = source.data.get("response_mapping")
    if not isinstance(mapping, dict):
        return
    reserved = {v.name for v in contract.STANDARD_VARIABLES} | {
        contract.ERROR_CODE_VARIABLE,
        contract.ERROR_MESSAGE_VARIABLE,
    }
    for name, entry in mapping.items():
        if name in reserved or name.startswith("catalyst_"):
            problems.add(
                f"`{name}` is reserved for the runtime's standard variables",
                source.locate(("response_mapping", name), key=True),
                ("response_mapping",),
                "choose another variable name",
            )
        if isinstance(entry, dict) and isinstance(entry.get("path"), str):
            try:
                parse_json_path(entry["path"])
            except JsonPathError as exc:
                problems.add(
                    f"JSON path {entry['path']!r} does not parse: {exc}",
                    source.locate(("response_mapping", name, "path")),
                    ("response_mapping", name, "path"),
                    "write paths like `choices[0].message.content`",
                )


def _check_auth(source: SpecSource, problems: ProblemList) -> None:
    auth = source.data.get("auth")
    if not isinstance(auth, dict) or not isinstance(auth.get("type"), str):
        return
    if auth["type"] == "none":
        for key in ("header", "prefix", "secret_name", "default_source", "key_prefix", "optional"):
            if key in auth:
                problems.add(
                    f"`{key}` has no meaning with auth type `none`",
                    source.locate(("auth", key), key=True),
                    ("auth", key),
                    "remove it, or choose an auth type that sends a key",
                )
        return
    if "secret_name" not in auth:
        problems.add(
            "missing required key `secret_name`",
            source.locate(("auth",), key=True),
            ("auth",),
            "name the secret, e.g. `secret_name: together_api_key`",
        )
    if auth["type"] in ("bearerToken", "apiKeyHeader", "apiKeyQuery") and "header" not in auth:
        what = "query parameter" if auth["type"] == "apiKeyQuery" else "header"
        problems.add(
            f"missing required key `header` (the {what} that carries the key)",
            source.locate(("auth",), key=True),
            ("auth",),
            "e.g. `header: Authorization`",
        )


MAX_LOGO_BYTES = 64 * 1024
"""A 64x64 logo is a few kilobytes; more is embedded bitmaps or an attack."""


def _check_logo(source: SpecSource, problems: ProblemList) -> None:
    logo = source.data.get("logo")
    if not isinstance(logo, dict):
        return
    drawn = [k for k in ("text", "background", "foreground") if k in logo]
    if "file" in logo:
        if drawn:
            problems.add(
                "a logo is either a `file` or drawn (`text`, `background`, `foreground`), not both",
                source.locate(("logo",), key=True),
                ("logo",),
                f"remove {', '.join(drawn)} or file",
            )
        elif isinstance(logo["file"], str):
            _check_logo_file(source, problems, logo["file"])
    elif len(drawn) != 3:
        missing = [k for k in ("text", "background", "foreground") if k not in logo]
        problems.add(
            f"the drawn logo needs {', '.join(missing)}",
            source.locate(("logo",), key=True),
            ("logo",),
            "or give `file: logo.svg`",
        )


def _check_logo_file(source: SpecSource, problems: ProblemList, name: str) -> None:
    """The supplied SVG passes the artifact's own SVG check; problems point at ``logo.file``."""
    from .checks.svg import check_svg

    path = ("logo", "file")
    where = source.locate(path)
    folder = source.file.parent
    if "/" in name or "\\" in name or name in (".", ".."):
        return  # the schema pattern reports it
    file = folder / name
    if not file.is_file():
        problems.add(f"logo file {name!r} not found next to the spec", where, path, f"put it in {folder}/")
        return
    if not file.resolve().is_relative_to(folder.resolve()):
        problems.add(
            f"logo file {name!r} is a link to a file outside the connector's folder",
            where,
            path,
            f"copy the SVG into {folder}/",
        )
        return
    try:
        data = file.read_bytes()
    except OSError as exc:
        problems.add(f"cannot read logo file {name!r}: {exc.strerror}", where, path)
        return
    if len(data) > MAX_LOGO_BYTES:
        problems.add(
            f"logo file {name!r} is {len(data):,} bytes; the limit is {MAX_LOGO_BYTES:,}",
            where,
            path,
            "simplify the drawing; do not embed bitmaps",
        )
        return
    for problem in check_svg(data, name):
        message = problem.message.removeprefix(f"{name}: ")
        hint = problem.hint or "fix the SVG; a logo is shown inside Camunda Modeler and must be inert"
        problems.add(f"logo file {name!r}: {message}", where, path, hint)


def _check_id(source: SpecSource, problems: ProblemList, expected_id: str | None) -> None:
    """The id is kebab-case (no ``/``, ``\\`` or ``..``: it names folders and files) and equals the folder."""
    spec_id = source.data.get("id")
    if expected_id is not None and not is_connector_id(expected_id):
        problems.add(f"{expected_id!r} is not a connector id", None, (), ID_HINT)
        return
    if not is_connector_id(spec_id):
        return  # the schema reports it (with its hint); comparing with the folder would only repeat it
    if expected_id and spec_id != expected_id:
        problems.add(
            f"id `{spec_id}` does not match its folder `{expected_id}`",
            source.locate(("id",)),
            ("id",),
            f"rename the folder or set `id: {expected_id}`",
        )


# Characters refused in every key and value: not allowed in XML 1.0 (C0 controls
# but tab/newline/return, surrogates, U+FFFE/U+FFFF), invisible C1 controls and
# DEL, and the bidirectional embedding/override/isolate controls that make text
# display differently from what it says ("Trojan Source").  Right-to-left text
# itself and the U+200E/U+200F marks are fine.
_BAD_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069]")


def _char_name(char: str) -> str:
    import unicodedata

    return unicodedata.name(
        char,
        "a control character" if ord(char) < 0xA0 else "a surrogate" if 0xD800 <= ord(char) <= 0xDFFF else "unnamed",
    )


def _check_characters(source: SpecSource, problems: ProblemList) -> None:
    """Refuse control, surrogate and bidi-override characters anywhere (keys too), located."""

    def report(text: str, path: tuple, key: bool) -> None:
        match = _BAD_CHAR.search(text)
        if match:
            char = match.group()
            what = "key" if key else "value"
            problems.add(
                f"the {what} contains the invisible character U+{ord(char):04X} ({_char_name(char).lower()})",
                source.locate(path, key=key),
                path[:-1] if key else path,
                "remove it: generated XML, JSON and Markdown cannot carry it safely "
                "(right-to-left text is fine without direction controls)",
            )

    def walk(value, path: tuple) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                report(str(key), path + (key,), True)
                walk(item, path + (key,))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, path + (index,))
        elif isinstance(value, str):
            report(value, path, False)

    walk(source.data, ())


def _check_secrets(source: SpecSource, problems: ProblemList) -> None:
    """No credential in any value, key or comment of the spec or of a preset it extends."""
    from .secrets import find_comment_secrets, find_secrets

    reported: set[str] = set()
    for layer in source.layers or (source,):
        for message, path, hint, token, is_key in find_secrets(layer.data):
            if token in reported:
                continue
            reported.add(token)
            problems.add(message, layer.locate(path, key=is_key), path[:-1] if is_key else path, hint)
    for file in dict.fromkeys(layer.file for layer in (source.layers or (source,))):
        try:
            text = Path(file).read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError):
            continue
        for message, line, column, token in find_comment_secrets(text):
            if token not in reported:
                reported.add(token)
                problems.add(message, Location(file, line, column), (), HINT_COMMENT)


HINT_COMMENT = "delete the key from the comment (and revoke it: it may already be in the history)"


def validate(source: SpecSource, expected_id: str | None = None) -> SpecSource:
    """Check ``source`` against the schema and the consistency rules.

    Raises :class:`SpecError` with every problem found; returns ``source``.
    """
    problems = ProblemList()
    schema_problems(source, problems)
    _check_characters(source, problems)
    _check_id(source, problems, expected_id)
    _check_auth(source, problems)
    _check_payload(source, problems)
    _check_statuses(source, problems)
    _check_response_mapping(source, problems)
    _check_logo(source, problems)
    _check_secrets(source, problems)
    # One mistake can trip the schema and a consistency rule at the same spot: say it once.
    unique = {(p.location, p.message): p for p in problems.problems}
    problems.problems = list(unique.values())
    problems.raise_if_any(SpecError)
    return source
