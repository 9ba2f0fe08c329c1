"""JSON text as people read it in the Modeler and the README.

Two writers: :func:`canonical_json` for whole artifacts (2-space indent, keys
in the order the template wrote them, UTF-8, trailing newline), and
:func:`format_payload` for the request payload shown to users, which keeps
small flat objects inside lists on one line (``{"role": "user", ...}``) the
way people write chat messages by hand.
"""

from __future__ import annotations

import json


def canonical_json(value) -> str:
    """The one JSON layout of every generated ``.json`` file."""
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def _scalar(value) -> bool:
    return not isinstance(value, (dict, list))


def _format(value, indent: int, in_list: bool) -> str:
    if _scalar(value):
        return json.dumps(value, ensure_ascii=False)
    items = list(value.items()) if isinstance(value, dict) else list(value)
    if not items:
        return "{}" if isinstance(value, dict) else "[]"
    flat = all(_scalar(v) for v in (value.values() if isinstance(value, dict) else value))
    if in_list and flat:
        if isinstance(value, dict):
            return (
                "{" + ", ".join(f"{json.dumps(k, ensure_ascii=False)}: {_format(v, 0, False)}" for k, v in items) + "}"
            )
        return "[" + ", ".join(_format(v, 0, False) for v in items) + "]"
    pad = "  " * (indent + 1)
    if isinstance(value, dict):
        body = [f"{pad}{json.dumps(k, ensure_ascii=False)}: {_format(v, indent + 1, False)}" for k, v in items]
        return "{\n" + ",\n".join(body) + "\n" + "  " * indent + "}"
    body = [f"{pad}{_format(v, indent + 1, True)}" for v in items]
    return "[\n" + ",\n".join(body) + "\n" + "  " * indent + "]"


def format_payload(payload) -> str:
    """Payload as shown to users: a spec's JSON text verbatim, or a structure laid out."""
    if isinstance(payload, str):
        return payload.strip("\n").rstrip()
    if payload is None:
        return ""
    return _format(payload, 0, False)
