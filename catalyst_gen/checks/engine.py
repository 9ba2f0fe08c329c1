"""What reaches the engine: no expression opener in any value the example or the template hands to Camunda.

Validation refuses ``${``/``#{`` in the spec (see :data:`catalyst_gen.grammar.EXPRESSION_OPENER`);
this check is the second line: it reads the *rendered* artifacts and looks at
every attribute and text of the example process and every value the template
makes the Modeler write into a diagram (property values, choice values, binding
names), so a template change or a model bug cannot smuggle an expression into
other people's engines either.  The runtime's payload field is the one place
placeholders belong: a ``<camunda:string>`` the engine does not evaluate.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from lxml import etree

from .. import contract
from ..bpmn import qname
from ..errors import Problem
from ..grammar import EXPRESSION_HINT, expression_opener

_PAYLOAD_STRING = qname("camunda", "string")
_FIELD = qname("camunda", "field")


def _is_payload(element: etree._Element) -> bool:
    """The payload field itself, or the ``<camunda:string>`` inside it."""
    field = element if element.tag == _FIELD else element.getparent() if element.tag == _PAYLOAD_STRING else None
    return field is not None and field.tag == _FIELD and field.get("name") == contract.PAYLOAD_FIELD


def _bpmn_values(root: etree._Element) -> Iterator[tuple[etree._Element, str, str]]:
    """``(element, where, text)`` for every attribute value and text in the document, but the payload's."""
    for element in root.iter():
        if not isinstance(element.tag, str) or _is_payload(element):
            continue
        for attribute, value in element.attrib.items():
            yield element, f"attribute {etree.QName(attribute).localname}", str(value)
        if element.text and element.text.strip():
            yield element, "text", element.text


def check_example_expressions(root: etree._Element, name: str) -> list[Problem]:
    """Every value of the example process, but the payload field, is free of ``${``/``#{``."""
    problems = []
    for element, where, text in _bpmn_values(root):
        opener = expression_opener(text)
        if opener:
            tag = etree.QName(element).localname
            problems.append(
                Problem(
                    f"{name}:{element.sourceline}: <{tag}> {where} contains `{opener}`, an expression Camunda 7 would evaluate",
                    hint=EXPRESSION_HINT,
                    code="CG417",
                )
            )
    return problems


def _template_values(template: dict) -> Iterator[tuple[str, str]]:
    """``(property, text)`` for every value the Modeler writes into a diagram, but the payload's."""
    for prop in template.get("properties", []):
        binding = prop.get("binding", {})
        label = str(binding.get("name", "?"))
        if binding.get("type") == contract.FIELD and binding.get("name") == contract.PAYLOAD_FIELD:
            continue
        for key in ("name", "source", "target", "key"):
            if isinstance(binding.get(key), str):
                yield label, binding[key]
        if isinstance(prop.get("value"), str):
            yield label, prop["value"]
        for choice in prop.get("choices", []):
            if isinstance(choice.get("value"), str):
                yield label, choice["value"]


def check_template_expressions(data: bytes, name: str) -> list[Problem]:
    """The template's bound values, but the payload's, are free of ``${``/``#{``."""
    try:
        template = json.loads(data)
    except json.JSONDecodeError:
        return []  # the element-template check reports it
    problems = []
    for label, text in _template_values(template):
        opener = expression_opener(text)
        if opener:
            problems.append(
                Problem(
                    f"{name}: property {label} writes `{opener}` into the diagram, an expression Camunda 7 would evaluate",
                    hint=EXPRESSION_HINT,
                    code="CG417",
                )
            )
    return problems
