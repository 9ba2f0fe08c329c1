"""Stage 5: check the rendered artifacts before anything is written.

These checks read the artifacts back with independent parsers (lxml, the OMG
BPMN 2.0 XSD, cairosvg) rather than trusting the templates: a template edit
that breaks routing, drops a shape or leaks a script into a logo fails the
build here.
"""

from __future__ import annotations

import io
import json
import re
from functools import lru_cache
from pathlib import Path

from lxml import etree

from .errors import CheckError, Problem, ProblemList
from .layout import Bounds

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "camunda": "http://camunda.org/schema/1.0/bpmn",
    "svg": "http://www.w3.org/2000/svg",
    "xlink": "http://www.w3.org/1999/xlink",
}
FLOW_NODES = ("startEvent", "endEvent", "userTask", "serviceTask", "boundaryEvent", "exclusiveGateway", "task")


def safe_parser() -> etree.XMLParser:
    """No DTD loading, no entity expansion, no network: hostile XML stays inert."""
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )


def parse_xml(data: bytes, name: str) -> etree._Element:
    try:
        root = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as exc:
        raise CheckError(Problem(f"{name}: not well-formed XML: {exc}")) from None
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.doctype or docinfo.system_url or b"<!ENTITY" in data:
        raise CheckError(
            Problem(
                f"{name}: DTDs and entity declarations are not allowed",
                hint="remove the <!DOCTYPE ...> line: entities are how XML files read local files (XXE) or expand to gigabytes",
            )
        )
    return root


# --------------------------------------------------------------------- BPMN


@lru_cache(maxsize=1)
def bpmn_schema() -> etree.XMLSchema:
    """The OMG BPMN 2.0 XSD as shipped by SpiffWorkflow; loaded once per process."""
    import SpiffWorkflow

    path = Path(SpiffWorkflow.__file__).parent / "bpmn" / "parser" / "schema" / "BPMN20.xsd"
    return etree.XMLSchema(etree.parse(str(path)))


def check_bpmn_schema(root: etree._Element, name: str) -> list[Problem]:
    schema = bpmn_schema()
    if schema.validate(root):
        return []
    return [
        Problem(
            f"{name}:{e.line}: BPMN 2.0 XSD: {e.message}",
            hint="the example template wrote XML the BPMN standard forbids",
        )
        for e in schema.error_log
    ]


def _by_id(root) -> dict[str, etree._Element]:
    return {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}


def check_bpmn(
    data: bytes,
    name: str,
    *,
    template_id: str,
    template_version: int,
    error_codes,
    connector_id: str = "Task_Connector",
    review_id: str = "Task_Review",
) -> list[Problem]:
    """Well-formed, references resolve, error routing exists, template id/version agree, diagram complete."""
    problems = ProblemList()
    try:
        root = parse_xml(data, name)
    except CheckError as exc:
        return exc.problems
    problems.problems.extend(check_bpmn_schema(root, name))
    ids = _by_id(root)
    processes = root.findall("bpmn:process", NS)
    if len(processes) != 1:
        problems.add(f"{name}: expected one process, found {len(processes)}")
        return problems.problems
    process = processes[0]
    if process.get("isExecutable") != "true":
        problems.add(f"{name}: the process is not executable")
    if not process.get(f"{{{NS['camunda']}}}historyTimeToLive"):
        problems.add(f"{name}: camunda:historyTimeToLive is missing (Camunda 7.20+ refuses to deploy)")

    flows = process.findall("bpmn:sequenceFlow", NS)
    outgoing: dict[str, list[str]] = {}
    for flow in flows:
        for attr in ("sourceRef", "targetRef"):
            if flow.get(attr) not in ids:
                problems.add(f"{name}: sequence flow {flow.get('id')} {attr} {flow.get(attr)!r} does not resolve")
        outgoing.setdefault(flow.get("sourceRef"), []).append(flow.get("targetRef"))
    for el in process.iter():
        if not isinstance(el.tag, str):
            continue
        local = etree.QName(el).localname
        if local in ("incoming", "outgoing") and (el.text or "").strip() not in ids:
            problems.add(f"{name}: {local} reference {el.text!r} does not resolve")
        for attr in ("attachedToRef", "errorRef"):
            if el.get(attr) is not None and el.get(attr) not in ids:
                problems.add(f"{name}: {attr} {el.get(attr)!r} of {el.get('id')} does not resolve")

    task = ids.get(connector_id)
    if task is None:
        problems.add(f"{name}: the connector task {connector_id} is missing")
        return problems.problems
    camunda = "{%s}" % NS["camunda"]
    if task.get(camunda + "modelerTemplate") != template_id:
        problems.add(
            f"{name}: camunda:modelerTemplate is {task.get(camunda + 'modelerTemplate')!r}, the element template's id is {template_id!r}"
        )
    if task.get(camunda + "modelerTemplateVersion") != str(template_version):
        problems.add(
            f"{name}: camunda:modelerTemplateVersion does not equal the element template's version {template_version}"
        )

    def reaches(start: str, goal) -> bool:
        seen, todo = set(), [start]
        while todo:
            node = todo.pop()
            if goal(node):
                return True
            if node not in seen:
                seen.add(node)
                todo.extend(outgoing.get(node, []))
        return False

    is_end = lambda node: node in ids and etree.QName(ids[node]).localname == "endEvent"  # noqa: E731
    caught: set[str] = set()
    catch_all = False
    for boundary in process.findall("bpmn:boundaryEvent", NS):
        definition = boundary.find("bpmn:errorEventDefinition", NS)
        if definition is None or boundary.get("attachedToRef") != connector_id:
            continue
        if definition.get("errorRef") is None:
            catch_all = True
        else:
            error = ids.get(definition.get("errorRef"))
            if error is not None:
                caught.add(error.get("errorCode"))
        if not reaches(boundary.get("id"), lambda node: node == review_id):
            problems.add(f"{name}: boundary event {boundary.get('id')} does not lead to {review_id}")
    for code in error_codes:
        if not catch_all and code not in caught:
            problems.add(f"{name}: BPMN error {code} is not caught by a boundary event on {connector_id}")
    if not reaches(connector_id, lambda node: node == review_id):
        problems.add(f"{name}: no path from {connector_id} to {review_id}")
    if not reaches(review_id, is_end):
        problems.add(f"{name}: {review_id} does not reach an end event")

    problems.problems.extend(check_diagram(root, process, name))
    return problems.problems


def _bounds(el) -> Bounds | None:
    b = el.find("dc:Bounds", NS)
    if b is None:
        return None
    return Bounds(*(float(b.get(k)) for k in ("x", "y", "width", "height")))


def check_diagram(root, process, name: str) -> list[Problem]:
    """Every flow node has a shape, every flow an edge; shapes and labels do not overlap."""
    problems = ProblemList()
    shapes = {s.get("bpmnElement"): s for s in root.iter(f"{{{NS['bpmndi']}}}BPMNShape")}
    edges = {e.get("bpmnElement"): e for e in root.iter(f"{{{NS['bpmndi']}}}BPMNEdge")}
    attached = {}
    for el in process:
        if not isinstance(el.tag, str):
            continue
        local = etree.QName(el).localname
        el_id = el.get("id")
        if local in FLOW_NODES and el_id not in shapes:
            problems.add(f"{name}: {local} {el_id} has no diagram shape")
        if local == "sequenceFlow":
            edge = edges.get(el_id)
            if edge is None:
                problems.add(f"{name}: sequence flow {el_id} has no diagram edge")
            elif len(edge.findall("di:waypoint", NS)) < 2:
                problems.add(f"{name}: edge of {el_id} has fewer than two waypoints")
        if local == "boundaryEvent":
            attached[el_id] = el.get("attachedToRef")
    boxes = []
    for element, shape in shapes.items():
        bounds = _bounds(shape)
        if bounds is None:
            problems.add(f"{name}: shape of {element} has no bounds")
            continue
        boxes.append((element, bounds))
        label = shape.find("bpmndi:BPMNLabel", NS)
        if label is not None and _bounds(label) is not None:
            boxes.append((f"label of {element}", _bounds(label)))
    for i, (a, ba) in enumerate(boxes):
        for b, bb in boxes[i + 1 :]:
            pair = {a, b}
            if any(attached.get(x) in pair for x in pair):
                continue  # a boundary event sits on its host's border by design
            if ba.overlaps(bb):
                problems.add(f"{name}: diagram elements overlap: {a} and {b}")
    return problems.problems


# ---------------------------------------------------------------------- SVG

_EXTERNAL = re.compile(r"^\s*(?!#)(?:[a-z][a-z0-9+.-]*:|//)", re.I)
_LOCAL_HREF = re.compile(r"^\s*(?:#[^\s]*|data:image/(?:png|jpeg|gif|webp)[;,][^\s]*)\s*$", re.I)
_URL_FUNCTION = re.compile(r"url\(\s*(?![\s'\"]*#)", re.I)
FORBIDDEN_ELEMENTS = {"script", "foreignObject", "iframe", "embed", "object", "audio", "video", "handler", "listener"}
ANIMATIONS = {"set", "animate", "animateMotion", "animateTransform", "animateColor"}
MAX_SVG_ELEMENTS = 5_000
"""Elements after expanding ``<use>`` references; a logo needs a few dozen."""


def _expanded_size(root) -> int | None:
    """How many elements the SVG draws once every ``<use>`` is expanded; ``None`` on a reference cycle.

    ``<use>`` is SVG's alias: ten ``<use>`` of a group of ten ``<use>`` ... grow
    like "billion laughs", so renderers can hang on a few hundred bytes.
    """
    alive = list(root.iter())  # keeps every element proxy alive, so id() below is stable
    by_id = {el.get("id"): el for el in alive if isinstance(el.tag, str) and el.get("id")}
    memo: dict = {}
    active: set = set()

    def href(el):
        return el.get("href") or el.get(f"{{{NS['xlink']}}}href") or ""

    def size(el) -> int:
        key = id(el)
        if key in memo:
            return memo[key]
        if key in active:
            raise RecursionError
        active.add(key)
        total = 1
        for child in el:
            if isinstance(child.tag, str):
                total += size(child)
                if total > MAX_SVG_ELEMENTS:
                    break
        if isinstance(el.tag, str) and etree.QName(el).localname == "use":
            target = by_id.get(href(el).strip().lstrip("#"))
            if target is not None and href(el).strip().startswith("#"):
                total += size(target)
        active.discard(key)
        memo[key] = min(total, MAX_SVG_ELEMENTS + 1)
        return memo[key]

    try:
        return size(root)
    except RecursionError:
        return None


def check_svg(data: bytes, name: str, *, render: bool = True) -> list[Problem]:
    """A 64x64 SVG without scripts, event handlers or external references that renders non-blank.

    Size: ``width="64" height="64"`` with any square ``viewBox`` (``0 0 128 128``
    scales cleanly and is accepted); ``width="128"`` is refused, since the
    artifact is shipped as it is and must be 64x64.
    """
    problems = ProblemList()
    try:
        root = parse_xml(data, name)
    except CheckError as exc:
        return exc.problems
    if root.tag != f"{{{NS['svg']}}}svg":
        return [Problem(f"{name}: the root element is not an SVG <svg> in the SVG namespace")]
    view_box = (root.get("viewBox") or "").replace(",", " ").split()
    width, height = root.get("width"), root.get("height")
    if len(view_box) != 4:
        problems.add(f"{name}: the logo has no viewBox", hint='add viewBox="0 0 64 64"')
    else:
        try:
            vb_w, vb_h = float(view_box[2]), float(view_box[3])
        except ValueError:
            vb_w = vb_h = 0
        if vb_w <= 0 or vb_w != vb_h:
            problems.add(
                f"{name}: the viewBox {root.get('viewBox')!r} is not square", hint="a logo must scale cleanly to 64x64"
            )
    if (width, height) != ("64", "64"):
        problems.add(
            f"{name}: the logo is {width}x{height}, not 64x64",
            hint='set width="64" height="64" (keep the viewBox: any square viewBox scales cleanly)',
        )
    for sibling in root.itersiblings(preceding=True):
        if isinstance(sibling, etree._ProcessingInstruction) and "stylesheet" in (sibling.target or ""):
            problems.add(
                f"{name}: external stylesheet processing instruction <?{sibling.target} ...?>",
                hint="put styles inline in the SVG",
            )
    for el in root.iter():
        if not isinstance(el.tag, str):
            if isinstance(el, etree._ProcessingInstruction) and "stylesheet" in (el.target or ""):
                problems.add(f"{name}: external stylesheet processing instruction")
            continue
        local = etree.QName(el).localname
        if local in FORBIDDEN_ELEMENTS:
            problems.add(
                f"{name}: <{local}> is not allowed in a logo",
                hint="logos are rendered inside Camunda Modeler: no active content",
            )
        if local in ANIMATIONS and (el.get("attributeName") or "").split(":")[-1].lower() == "href":
            problems.add(
                f"{name}: <{local}> changes a link (attributeName={el.get('attributeName')!r})",
                hint="logos are rendered inside Camunda Modeler: no active content",
            )
        for attr, value in el.attrib.items():
            attr_local = etree.QName(attr).localname
            if attr_local.lower().startswith("on"):
                problems.add(f"{name}: event handler attribute {attr_local} on <{local}>")
            if attr_local == "href" and not _LOCAL_HREF.match(value):
                what = (
                    "external reference"
                    if _EXTERNAL.match(value) or value.strip().startswith("/")
                    else "external reference (a file path)"
                )
                if "javascript:" not in value.lower().replace(" ", ""):
                    problems.add(
                        f"{name}: {what} {value[:60]!r} on <{local}>",
                        hint="embed everything; only #fragment links and data:image/png|jpeg|gif|webp are allowed",
                    )
            if "javascript:" in value.lower().replace(" ", ""):
                problems.add(f"{name}: javascript: URL in {attr_local} on <{local}>")
            if attr_local != "href" and (_URL_FUNCTION.search(value) or "@import" in value):
                problems.add(
                    f"{name}: external resource in {attr_local} on <{local}>: {value[:60]!r}",
                    hint="only url(#id) references inside the SVG are allowed",
                )
        if local == "style" and el.text and ("@import" in el.text or _URL_FUNCTION.search(el.text)):
            problems.add(
                f"{name}: external stylesheet or font in <style>",
                hint="only url(#id) references inside the SVG are allowed",
            )
    size = _expanded_size(root)
    if size is None:
        problems.add(
            f"{name}: <use> references form a cycle",
            hint="a <use> must not refer to itself or to a group containing it",
        )
    elif size > MAX_SVG_ELEMENTS:
        problems.add(
            f"{name}: the logo expands to more than {MAX_SVG_ELEMENTS:,} elements through <use> references",
            hint="draw the logo without nesting <use> of <use> (this is how SVG 'billion laughs' hang renderers)",
        )
    if problems or not render:
        return problems.problems
    return _check_render(data, name)


def _check_render(data: bytes, name: str) -> list[Problem]:
    import cairosvg
    from PIL import Image

    try:
        png = cairosvg.svg2png(bytestring=data, output_width=64, output_height=64, unsafe=False)
    except Exception as exc:  # cairosvg raises many types for bad input
        return [Problem(f"{name}: the logo does not render: {exc}")]
    image = Image.open(io.BytesIO(png)).convert("RGBA")
    if image.size != (64, 64):
        return [Problem(f"{name}: renders at {image.size}, not 64x64")]
    colors = image.getcolors(maxcolors=64 * 64 + 1) or []
    visible = [c for c in colors if c[1][3] > 0]
    if not visible:
        return [Problem(f"{name}: the logo renders blank (fully transparent)", hint="draw something visible")]
    if len(colors) < 2:
        return [
            Problem(
                f"{name}: the logo renders blank (one flat colour, nothing drawn on it)", hint="draw something visible"
            )
        ]
    return []


# ---------------------------------------------------------- element template


def check_element_template(data: bytes, name: str, *, svg: bytes) -> list[Problem]:
    """The template parses, binds the runtime, embeds the logo and labels what users see."""
    import base64

    problems = ProblemList()
    try:
        template = json.loads(data)
    except json.JSONDecodeError as exc:
        return [Problem(f"{name}: not valid JSON: {exc}")]
    for key in ("$schema", "name", "id", "version", "appliesTo", "properties"):
        if key not in template:
            problems.add(f"{name}: missing {key}")
    if template.get("appliesTo") != ["bpmn:ServiceTask"]:
        problems.add(f'{name}: appliesTo must be ["bpmn:ServiceTask"]')
    icon = template.get("icon", {}).get("contents", "")
    prefix = "data:image/svg+xml;base64,"
    if not icon.startswith(prefix) or base64.b64decode(icon[len(prefix) :]) != svg:
        problems.add(f"{name}: icon.contents is not the connector's SVG")
    groups = {g["id"] for g in template.get("groups", [])}
    for prop in template.get("properties", []):
        binding = prop.get("binding", {})
        if prop.get("type") != "Hidden":
            for key in ("label", "description"):
                if not prop.get(key):
                    problems.add(f"{name}: visible property {binding.get('name')} has no {key}")
        if prop.get("group") and prop["group"] not in groups:
            problems.add(f"{name}: property {binding.get('name')} is in unknown group {prop['group']}")
    return problems.problems


def check_agreement(template_data: bytes, bpmn_data: bytes, name: str) -> list[Problem]:
    """The example's service task carries every template binding at the template's value."""
    template = json.loads(template_data)
    root = etree.fromstring(bpmn_data, safe_parser())
    task = root.find(".//bpmn:serviceTask", NS)
    if task is None:
        return [Problem(f"{name}: no service task")]
    inputs = {
        p.get("name"): p.text or ""
        for p in task.iterfind("bpmn:extensionElements/camunda:inputOutput/camunda:inputParameter", NS)
    }
    fields = {
        f.get("name"): (f.findtext("camunda:string", default="", namespaces=NS))
        for f in task.iterfind("bpmn:extensionElements/camunda:field", NS)
    }
    problems = ProblemList()
    bound = set()
    for prop in template["properties"]:
        binding = prop["binding"]
        kind, key, value = binding["type"], binding["name"], prop.get("value", "")
        if kind == "property":
            actual = task.get(key.replace("camunda:", f"{{{NS['camunda']}}}"))
        elif kind == "camunda:inputParameter":
            actual = inputs.get(key)
            bound.add(key)
        elif kind == "camunda:field":
            actual = fields.get(key)
        else:
            continue
        if actual != value:
            problems.add(f"{name}: {kind} {key} is {actual!r} in the example but {value!r} in the element template")
    for key in sorted(set(inputs) - bound):
        problems.add(f"{name}: input parameter {key} is not bound by the element template")
    return problems.problems
