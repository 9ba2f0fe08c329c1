"""The element template is complete, and the example process applies it exactly.

The template is what users see in the Modeler's properties panel; the example
is what they run.  If the two disagree about a single binding, the example
teaches something the template does not do.
"""

from __future__ import annotations

import base64
import json

from lxml import etree

from ..bpmn import NS, qname
from ..errors import Problem, ProblemList


def check_element_template(data: bytes, name: str, *, svg: bytes) -> list[Problem]:
    """The template parses, binds the runtime, embeds the logo and labels what users see."""
    problems = ProblemList()
    try:
        template = json.loads(data)
    except json.JSONDecodeError as exc:
        return [Problem(f"{name}: not valid JSON: {exc}", code="CG403")]
    for key in ("$schema", "name", "id", "version", "appliesTo", "properties"):
        if key not in template:
            problems.add(f"{name}: missing {key}", code="CG430")
    if template.get("appliesTo") != ["bpmn:ServiceTask"]:
        problems.add(f'{name}: appliesTo must be ["bpmn:ServiceTask"]', code="CG430")
    icon = template.get("icon", {}).get("contents", "")
    prefix = "data:image/svg+xml;base64,"
    if not icon.startswith(prefix) or base64.b64decode(icon[len(prefix) :]) != svg:
        problems.add(f"{name}: icon.contents is not the connector's SVG", code="CG430")
    groups = {g["id"] for g in template.get("groups", [])}
    for prop in template.get("properties", []):
        binding = prop.get("binding", {})
        if prop.get("type") != "Hidden":
            for key in ("label", "description"):
                if not prop.get(key):
                    problems.add(f"{name}: visible property {binding.get('name')} has no {key}", code="CG430")
        if prop.get("group") and prop["group"] not in groups:
            problems.add(f"{name}: property {binding.get('name')} is in unknown group {prop['group']}", code="CG430")
    return problems.problems


def check_agreement(template_data: bytes, example: etree._Element, name: str) -> list[Problem]:
    """The example's service task carries every template binding at the template's value.

    ``example`` is the tree the build parsed once; run this only after
    :func:`check_element_template` passed, so the template is valid JSON.
    """
    template = json.loads(template_data)
    task = example.find(".//bpmn:serviceTask", NS)
    if task is None:
        return [Problem(f"{name}: no service task", code="CG431")]
    inputs = {
        p.get("name", ""): p.text or ""
        for p in task.iterfind("bpmn:extensionElements/camunda:inputOutput/camunda:inputParameter", NS)
    }
    fields = {
        f.get("name", ""): f.findtext("camunda:string", default="", namespaces=NS)
        for f in task.iterfind("bpmn:extensionElements/camunda:field", NS)
    }
    problems = ProblemList()
    bound: set[str] = set()
    for prop in template["properties"]:
        binding = prop["binding"]
        kind, key, value = binding["type"], binding["name"], prop.get("value", "")
        if kind == "property":
            attribute = qname("camunda", key.removeprefix("camunda:")) if key.startswith("camunda:") else key
            actual = task.get(attribute)
        elif kind == "camunda:inputParameter":
            actual = inputs.get(key)
            bound.add(key)
        elif kind == "camunda:field":
            actual = fields.get(key)
        else:
            continue
        if actual != value:
            problems.add(
                f"{name}: {kind} {key} is {actual!r} in the example but {value!r} in the element template", code="CG431"
            )
    for key in sorted(set(inputs) - bound):
        problems.add(f"{name}: input parameter {key} is not bound by the element template", code="CG431")
    return problems.problems
