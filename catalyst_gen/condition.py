"""Success decided by the response body: the one rule the build and the runtime both apply.

Some APIs answer every call with HTTP 200 and say in the body whether it
worked (Slack: ``{"ok": false, "error": "channel_not_found"}``).  A connector
declares that with a :class:`SuccessCondition`: a JSON path into the body
(the dialect of :mod:`catalyst_gen.jsonpath`) and the JSON literal found
there on success.  A 2xx answer whose body does not hold that literal is a
failure: ``catalyst_success`` is false, ``catalyst_error`` is the text at
``error_path``, and ``error_code``, when given, is thrown as a BPMN error.

The condition travels to the runtime as one input parameter holding a JSON
object (:meth:`SuccessCondition.to_json`); :func:`parse_condition` reads it
back with the same checks the spec validator applies (:func:`condition_problem`),
so a value the build accepts is exactly a value the runtime accepts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from . import grammar
from .jsonpath import JsonPathError, parse_json_path, resolve

Literal = str | int | float | bool
"""What a condition compares with: a JSON string, number or boolean (``null`` is not offered:
in a spec, ``key: null`` removes an inherited key)."""

JSON_KEYS = {"path": "path", "equals": "equals", "error_path": "errorPath", "error_code": "errorCode"}
"""Field of :class:`SuccessCondition` -> its key in the input parameter's JSON object."""

MAX_ERROR_CHARS = 200
"""How much of the body's error text goes into ``catalyst_error`` (as for an HTTP error body)."""


@dataclass(frozen=True)
class SuccessCondition:
    """A 2xx answer succeeds only when the body holds ``equals`` at ``path``."""

    path: str
    equals: Literal
    error_path: str | None = None
    error_code: str | None = None

    def to_json(self) -> str:
        """The text written into the element template and the example (keys in a fixed order)."""
        values = {JSON_KEYS[name]: getattr(self, name) for name in JSON_KEYS}
        return json.dumps({k: v for k, v in values.items() if v is not None}, ensure_ascii=False)

    def holds(self, document: Any) -> bool:
        """The body (parsed JSON, ``None`` when it is not JSON) holds ``equals`` at ``path``.

        Equality is JSON equality: ``true`` is not ``1`` and ``"true"`` is not ``true``.
        """
        return same_json_value(resolve(document, self.path), self.equals)

    def error_text(self, document: Any) -> str:
        """What ``catalyst_error`` says: the body's error text, else which value the condition found."""
        found = resolve(document, self.error_path) if self.error_path else None
        if isinstance(found, str) and found.strip():
            return found[:MAX_ERROR_CHARS]
        if found is not None:
            return json.dumps(found, ensure_ascii=False)[:MAX_ERROR_CHARS]
        actual = resolve(document, self.path)
        shown = "absent" if actual is None else json.dumps(actual, ensure_ascii=False)[:MAX_ERROR_CHARS]
        return f"response body: {self.path} is {shown}, expected {json.dumps(self.equals, ensure_ascii=False)}"


def same_json_value(a: Any, b: Any) -> bool:
    """Equal as JSON values: a boolean equals only a boolean (Python's ``True == 1`` does not count)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    return type(a) is type(b) and a == b


def is_literal(value: object) -> bool:
    """A JSON string, boolean or finite number: what ``equals`` may be."""
    if isinstance(value, float):
        return value == value and value not in (float("inf"), float("-inf"))
    return isinstance(value, (str, int, bool))


def condition_problem(field: str, value: object) -> str | None:
    """Why ``value`` cannot be the condition's ``field`` (a :class:`SuccessCondition` attribute), or ``None``."""
    if field in ("path", "error_path"):
        try:
            parse_json_path(value)  # type: ignore[arg-type]
        except JsonPathError as exc:
            return f"JSON path {value!r} does not parse: {exc}"
        return None
    if field == "equals":
        return None if is_literal(value) else "must be a JSON string, number or boolean"
    if field == "error_code":
        return None if grammar.BPMN_ERROR_CODE.matches(value) else f"BPMN error code {value!r} is not an identifier"
    return f"unknown key {field!r}"


def parse_condition(text: str | None) -> SuccessCondition | None:
    """Read the input parameter (absent: the status alone decides); ``ValueError`` says what is wrong."""
    if text is None:
        return None
    try:
        data = grammar.load_json_text(text)
    except ValueError as exc:
        raise ValueError(f"is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError(f"must be a JSON object, got {type(data).__name__}")
    unknown = sorted(set(data) - set(JSON_KEYS.values()))
    if unknown:
        raise ValueError(f"has unknown key {unknown[0]!r} (allowed: {', '.join(JSON_KEYS.values())})")
    for name in ("path", "equals"):
        if JSON_KEYS[name] not in data:
            raise ValueError(f"needs the key {JSON_KEYS[name]!r}")
    values = {name: data[key] for name, key in JSON_KEYS.items() if key in data}
    for name, value in values.items():
        problem = condition_problem(name, value)
        if problem:
            raise ValueError(f"{JSON_KEYS[name]}: {problem}")
    return SuccessCondition(**values)
