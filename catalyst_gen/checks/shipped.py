"""No credential in anything shipped: the README, the template, the example and the logo, as rendered.

Validation looks for credentials in the spec and its presets; this check reads
what users actually receive, so a key that reaches an artifact another way (a
supplied logo's comment or attribute, a template change, ``_library.yaml``) is
caught too.  Each text unit is judged by :func:`catalyst_gen.secrets.shipped_text_secrets`:
JSON strings decoded (so ``\\u0073k-`` is ``sk-``), XML attributes, text and
comments with their entities resolved.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from lxml import etree

from ..bpmn import parse_xml
from ..errors import CheckError, Problem
from ..secrets import HINT, shipped_text_secrets


def _json_strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)


def _xml_strings(root: etree._Element) -> Iterator[str]:
    for node in root.iter():
        if isinstance(node, etree._Comment):
            yield node.text or ""
            continue
        if not isinstance(node.tag, str):
            continue
        yield from (str(value) for value in node.attrib.values())
        if node.text:
            yield node.text


def _units(name: str, data: bytes, example: etree._Element | None) -> Iterator[str]:
    if name.endswith(".json"):
        try:
            yield from _json_strings(json.loads(data))
        except ValueError:
            yield data.decode("utf-8", "replace")
    elif name.endswith(".bpmn") and example is not None:
        yield from _xml_strings(example)
    elif name.endswith(".svg"):
        try:
            yield from _xml_strings(parse_xml(data, name))
        except CheckError:
            yield data.decode("utf-8", "replace")  # the SVG check reports the XML itself
    else:
        yield from data.decode("utf-8", "replace").splitlines()


def check_shipped_secrets(
    files: dict[str, bytes], example: etree._Element | None, vetted: tuple[str, ...] = ()
) -> list[Problem]:
    """One problem per artifact that carries something credential-like (the token is not repeated).

    ``vetted``: the connector id and the names the templates build from it (the example's process
    id): the id was judged in the spec, so they are not tokens (:func:`shipped_text_secrets`)."""
    problems = []
    for name, data in sorted(files.items()):
        for kind, token in shipped_text_secrets(_units(name, data, example), vetted):
            problems.append(
                Problem(
                    f"{name} would ship {kind} ({token[:4]}... {len(token)} characters) to every user",
                    hint=HINT + "; look for it in the spec, its presets, a supplied logo and connectors/_library.yaml",
                    code="CG418",
                )
            )
    return problems
