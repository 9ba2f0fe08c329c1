"""Stage 2a: the spec's JSON Schema, and its errors as located problems.

The schema shipped in ``catalyst_gen/schema/connector.schema.json`` (the same file
``catalyst-gen schema`` prints for editors) checks every key, type, enum and pattern of
a spec.  :func:`schema_problems` turns each jsonschema error into one located problem
with a suggestion, and returns the :class:`SchemaVerdict`: the spec paths that failed,
so that the consistency rules (:mod:`catalyst_gen.validate`) read only what the schema
vouched for.

The schema's patterns and enums for ids, presets, variable names, statuses, auth types,
secret sources and HTTP methods are written into the committed file from
:mod:`catalyst_gen.grammar` (:func:`schema_with_grammar`); a unit test fails when the file
is stale and ``python3 -m catalyst_gen.schema_check`` rewrites it.  The file stays on
disk, complete, because editors read it through the ``# yaml-language-server: $schema=``
line of every spec; generating it (rather than filling the values in at load time) keeps
what editors check and what the build checks the same bytes.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from . import contract, grammar
from .codes import schema_code
from .errors import ProblemList
from .loader import SpecSource
from .suggest import closest, did_you_mean

SCHEMA_RESOURCE = "schema/connector.schema.json"

_TYPE_NAMES = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "nothing (null)",
}


# ------------------------------------------------------------ the schema file


def grammar_keywords() -> dict[str, dict[str, Any]]:
    """JSON pointer into the connector schema -> the keywords :mod:`~catalyst_gen.grammar` defines there."""
    return {
        "/$defs/variable": {
            "pattern": grammar.VARIABLE.schema_pattern,
            "maxLength": grammar.VARIABLE.max_length,
            "x-hint": grammar.VARIABLE.hint,
        },
        "/properties/extends": {"pattern": grammar.PRESET_NAME.schema_pattern, "x-hint": grammar.PRESET_NAME.hint},
        "/properties/id": {
            "pattern": grammar.CONNECTOR_ID.schema_pattern,
            "maxLength": grammar.CONNECTOR_ID.max_length,
            "x-hint": grammar.CONNECTOR_ID.hint,
        },
        "/properties/readme/properties/suite/properties/members/items/properties/id": {
            "pattern": grammar.CONNECTOR_ID.schema_pattern,
            "maxLength": grammar.CONNECTOR_ID.max_length,
            "x-hint": grammar.CONNECTOR_ID.hint,
        },
        "/properties/endpoint/properties/method": {"enum": list(contract.HTTP_METHODS)},
        "/properties/auth/properties/type": {"enum": list(contract.AUTH_TYPES)},
        "/properties/auth/properties/types/items": {"enum": list(contract.AUTH_TYPES)},
        "/properties/auth/properties/default_source": {"enum": list(contract.SECRET_SOURCES)},
        "/properties/version": {"maximum": grammar.MAX_TEMPLATE_VERSION},
        "/properties/auth/properties/header": {
            "pattern": grammar.HTTP_TOKEN.schema_pattern,
            "x-hint": grammar.HTTP_TOKEN.hint,
        },
        "/$defs/stringMap/propertyNames": {
            "pattern": grammar.HTTP_TOKEN.schema_pattern,
            "x-hint": grammar.HTTP_TOKEN.hint,
        },
        "/properties/template/properties/fields": {
            "properties": {key: {"$ref": "#/$defs/fieldSettings"} for key in contract.FIELD_KEYS},
        },
        "/$defs/group": {"enum": list(contract.GROUP_IDS)},
        "/$defs/extraProperty/properties/type": {"enum": list(contract.PROPERTY_TYPES)},
        "/properties/errors/propertyNames": {
            "pattern": grammar.HTTP_STATUS_KEY.schema_pattern,
            "x-hint": grammar.HTTP_STATUS_KEY.hint,
        },
    }


def schema_with_grammar(schema: dict) -> dict:
    """A copy of ``schema`` with every grammar-owned keyword set from the grammar."""
    out = copy.deepcopy(schema)
    for pointer, keywords in grammar_keywords().items():
        node = out
        for part in pointer.split("/")[1:]:
            node = node[part]  # a KeyError here means the schema was restructured: update grammar_keywords
        node.update(keywords)
    return out


SCHEMA_LINE_WIDTH = 120
"""A mapping that holds mappings is written on one line when it fits this width."""


def schema_file_text(schema: dict) -> str:
    """The schema as the committed file spells it: ASCII only, final newline, and a mapping of
    plain values (one keyword's settings) on one line, so each rule reads as one line in a diff."""

    def dump(value: Any, indent: int, prefix: int) -> str:
        flat = json.dumps(value)
        is_leaf = not any(isinstance(v, dict) for v in value.values()) if isinstance(value, dict) else True
        if is_leaf or not value or indent + prefix + len(flat) <= SCHEMA_LINE_WIDTH:
            return flat
        pad = " " * (indent + 2)
        items = [f"{pad}{json.dumps(k)}: {dump(v, indent + 2, len(json.dumps(k)) + 2)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"

    return dump(schema, 0, 0) + "\n"


def write_schema_file() -> Path:
    """Rewrite the committed schema file with the grammar's current rules (run after editing the grammar)."""
    path = Path(__file__).with_name("schema") / "connector.schema.json"
    current = json.loads(path.read_text("utf-8"))
    path.write_text(schema_file_text(schema_with_grammar(current)), "utf-8")
    return path


@lru_cache(maxsize=1)
def spec_schema() -> dict:
    """The connector JSON Schema, read once per process."""
    return json.loads(resources.files(__package__).joinpath(SCHEMA_RESOURCE).read_text("utf-8"))


@lru_cache(maxsize=256)
def _end_anchored(pattern: str) -> re.Pattern[str]:
    """``pattern`` with a final ``$`` read as JSON Schema (ECMA-262) reads it: the end of the text.

    Python's ``$`` also matches before a final newline, so ``"openai\\n"``
    would pass ``^[a-z]+$``: an id with a newline would name a folder.
    """
    body = pattern[:-1]
    escaped = (len(body) - len(body.rstrip("\\"))) % 2 == 1
    if pattern.endswith("$") and not escaped:
        return re.compile(body + r"\Z")
    return re.compile(pattern)


def _pattern_keyword(validator, pattern: str, instance, schema) -> Iterator[jsonschema.ValidationError]:
    """The ``pattern`` keyword with JSON Schema's end-of-text ``$`` (see :func:`_end_anchored`)."""
    if validator.is_type(instance, "string") and not _end_anchored(pattern).search(instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


def _is_whole_number(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def schema_validator(schema: dict) -> jsonschema.protocols.Validator:
    """A validator for ``schema`` whose patterns end where the text ends.

    The schemas are the package's own (the spec schema, the ``_library.yaml``
    schema); ``tests/unit/test_validate.py`` checks them against their
    metaschema once, instead of every process paying for it on every start.
    """
    cls = jsonschema.validators.validator_for(schema)
    # JSON Schema counts 60.0 as an integer; a spec that writes `6e1` or `3.0` where a whole
    # number is meant is refused instead (Camunda and the runtime read these as Java ints).
    whole_numbers = cls.TYPE_CHECKER.redefine("integer", lambda _checker, value: _is_whole_number(value))
    strict = jsonschema.validators.extend(cls, {"pattern": _pattern_keyword}, type_checker=whole_numbers)
    return strict(schema)


@lru_cache(maxsize=1)
def spec_validator() -> jsonschema.protocols.Validator:
    """The validator of the shipped schema, built once per process (a parallel build builds
    it before forking its workers, :mod:`catalyst_gen.batch`)."""
    return schema_validator(spec_schema())


# ------------------------------------------------ checking a spec against it


@dataclass(frozen=True)
class SchemaVerdict:
    """The spec paths the JSON Schema rejected, so rules read only what it vouched for.

    A missing key is recorded at the path it would have had, an unknown or
    badly spelt key at its own path: ``required`` at the top level does not
    make every section untrustworthy.
    """

    failed: frozenset[tuple] = frozenset()

    def intact(self, path: tuple) -> bool:
        """The value at ``path`` has the type the schema asks for (nothing at it or above it failed).

        Parts below it may still be wrong: iterate and ask :meth:`passed` per entry.
        """
        return not any(path[: len(f)] == f for f in self.failed)

    def passed(self, path: tuple) -> bool:
        """Nothing at, above or below ``path`` failed: every type and pattern in it can be trusted."""
        return not any(path[: len(f)] == f or f[: len(path)] == path for f in self.failed)


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


# Each describes one kind of jsonschema error: (message, spec path to locate, located at its key?, hint).
_Found = tuple[str, tuple, bool, str | None]


def _additional_properties(error, path: tuple, schema: dict) -> Iterator[_Found]:
    allowed = list(schema.get("properties", {}))
    for key in error.instance:
        if key not in allowed:
            hint = did_you_mean(key, allowed) or f"allowed keys here: {', '.join(allowed)}"
            yield f"unknown key `{key}`", path + (key,), True, hint


def _required_name(error) -> str | None:
    """The key a ``required`` error says is missing (None if jsonschema words it otherwise)."""
    missing = re.search(r"'(.*?)' is a required property", error.message)
    return missing.group(1) if missing else None


def _required(error, path: tuple, schema: dict) -> Iterator[_Found]:
    name = _required_name(error) or error.message
    yield f"missing required key `{name}`", path, True, f"add `{name}:` here (see `catalyst-gen schema` for its format)"


def _misspelt_keys(errors: list) -> set[tuple[tuple, str]]:
    """``(path, key)`` of each allowed key an unknown key of the same mapping was most likely meant
    to be: ``endpont:`` is one mistake, not an unknown key and a missing ``endpoint``."""
    found = set()
    for error in errors:
        if error.validator == "additionalProperties" and isinstance(error.schema, dict):
            allowed = list(error.schema.get("properties", {}))
            for key in error.instance:
                meant = closest(key, allowed) if key not in allowed else None
                if meant:
                    found.add((tuple(error.absolute_path), meant))
    return found


def _enum(error, path: tuple, schema: dict) -> Iterator[_Found]:
    choices = [str(c) for c in error.validator_value]
    yield (
        f"`{error.instance}` is not one of: {', '.join(choices)}",
        path,
        False,
        did_you_mean(str(error.instance), choices),
    )


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _type_hint(expected: list[str], instance: Any) -> str | None:
    """How YAML writes what was expected, for the mistakes that give the wrong type."""
    if instance is None:
        return "write a value after the colon (a `#` after a space starts a YAML comment: put such a value in quotes)"
    if "string" in expected and isinstance(instance, (bool, int, float)):
        return "put the value in quotes, so YAML reads it as text"
    if {"integer", "number"} & set(expected) and isinstance(instance, str):
        return "write the number without quotes" if _is_number(instance) else "write a number in digits, e.g. 30"
    if "boolean" in expected and isinstance(instance, str):
        return "write true or false without quotes"
    if "array" in expected and not isinstance(instance, (list, dict)):
        return "write a list, e.g. [a, b], even for one item"
    return None


def _type(error, path: tuple, schema: dict) -> Iterator[_Found]:
    expected = error.validator_value
    expected = [expected] if isinstance(expected, str) else expected
    want = " or ".join(_TYPE_NAMES.get(t, t) for t in expected)
    yield f"expected {want}, got {_kind(error.instance)}", path, False, _type_hint(expected, error.instance)


def _bounds(error, path: tuple, schema: dict) -> Iterator[_Found]:
    word = "at least" if error.validator == "minimum" else "at most"
    size = "small" if error.validator == "minimum" else "large"
    yield f"{error.instance} is too {size}", path, False, f"use a value {word} {error.validator_value}"


def _length(error, path: tuple, schema: dict) -> Iterator[_Found]:
    if error.validator == "minLength":
        yield "must not be empty", path, False, None
    else:
        yield f"is longer than {error.validator_value} characters", path, False, "shorten it"


def _pattern(error, path: tuple, schema: dict) -> Iterator[_Found]:
    if isinstance(error.instance, str) and grammar.INVISIBLE_CHARACTER.search(error.instance):
        return  # validate's character check names the character, at the key or value
    text = json.dumps(error.instance, ensure_ascii=False)[:80]
    yield f"{text} is not valid here", path, False, schema.get("x-hint")


_DESCRIBE: dict[str, Callable[[Any, tuple, dict], Iterator[_Found]]] = {
    "additionalProperties": _additional_properties,
    "required": _required,
    "enum": _enum,
    "type": _type,
    "minimum": _bounds,
    "maximum": _bounds,
    "minLength": _length,
    "maxLength": _length,
    "pattern": _pattern,
}


def _is_about_a_key(error) -> bool:
    """The error comes from ``propertyNames``: ``error.instance`` is a key of the mapping at the error's path."""
    return "propertyNames" in error.schema_path


def _failed_paths(error, path: tuple) -> list[tuple]:
    """Where an error makes the spec untrustworthy: the missing, unknown or misspelt key itself, else the value."""
    if error.validator == "required":
        name = _required_name(error)
        return [path + (name,)] if name else [path]
    if error.validator == "additionalProperties":
        allowed = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        return [path + (key,) for key in error.instance if key not in allowed]
    if _is_about_a_key(error):
        return [path + (str(error.instance),)]
    return [path]


def schema_problems(source: SpecSource, problems: ProblemList, validator=None) -> SchemaVerdict:
    """Translate jsonschema errors into located problems with suggestions; say which paths failed."""
    failed: set[tuple] = set()
    errors = list((validator or spec_validator()).iter_errors(source.data))
    misspelt = _misspelt_keys(errors)
    for error in errors:
        path = tuple(error.absolute_path)
        failed.update(_failed_paths(error, path))
        if error.validator == "required" and (path, _required_name(error)) in misspelt:
            continue  # one problem: the unknown key, whose hint names this one
        schema = error.schema if isinstance(error.schema, dict) else {}
        describe = _DESCRIBE.get(str(error.validator))
        if describe is None:
            problems.add(error.message, source.locate(path), path, code=schema_code(error.validator))
            continue
        for message, where, at_key, hint in describe(error, path, schema):
            if _is_about_a_key(error) and where == path:
                where, at_key = path + (str(error.instance),), True
            problems.add(message, source.locate(where, key=at_key), path, hint, code=schema_code(error.validator))
    return SchemaVerdict(frozenset(failed))


if __name__ == "__main__":
    print(f"wrote {write_schema_file()}")
