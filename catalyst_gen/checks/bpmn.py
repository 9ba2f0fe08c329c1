"""The example process is deployable and does what the README says.

Read back with lxml and the OMG BPMN 2.0 XSD rather than trusted from the
template: a template edit that breaks routing, drops a shape or points a flow
nowhere fails the build here.  Every check takes the tree the build parsed
once (:func:`catalyst_gen.bpmn.parse_xml`).

Routing is checked strictly: a boundary event "leads to" Review only if its
flow arrives there, passing at most through merging gateways that have a
single way out (so no condition can send the token elsewhere), and no
activity or event may have several incoming flows (an uncontrolled merge,
bpmnlint's "fake join").  The diagram is checked the way the Modeler will
draw it: label bounds wide enough that bpmn-js cuts no word in two (see
:mod:`catalyst_gen.text_metrics`), and no overlap between shapes, labels and
flow lines.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

from lxml import etree

from ..bpmn import IDS, NS, Rect, qname, read_bounds
from ..errors import CheckError, Problem, ProblemList
from ..text_metrics import LABEL_FONT_SIZE, LINE_HEIGHT, bpmnjs_lines

FLOW_NODES = ("startEvent", "endEvent", "userTask", "serviceTask", "boundaryEvent", "exclusiveGateway", "task")


@lru_cache(maxsize=1)
def bpmn_schema() -> etree.XMLSchema:
    """The OMG BPMN 2.0 XSD as shipped by SpiffWorkflow; loaded once per process.

    Found with ``find_spec`` rather than by importing SpiffWorkflow: the build
    needs the file, not the engine (importing it costs more than parsing the XSD).
    """
    spec = importlib.util.find_spec("SpiffWorkflow")
    if spec is None or not spec.submodule_search_locations:
        raise CheckError(
            Problem(
                "the BPMN 2.0 XSD ships with SpiffWorkflow, which is not installed",
                hint="pip install SpiffWorkflow",
                code="CG902",
            )
        )
    path = Path(spec.submodule_search_locations[0]) / "bpmn" / "parser" / "schema" / "BPMN20.xsd"
    return etree.XMLSchema(etree.parse(str(path)))


def check_bpmn_schema(root: etree._Element, name: str) -> list[Problem]:
    """Every violation of the BPMN 2.0 XSD, with its line."""
    schema = bpmn_schema()
    if schema.validate(root):
        return []
    return [
        Problem(
            f"{name}:{e.line}: BPMN 2.0 XSD: {e.message}",
            hint="the example template wrote XML the BPMN standard forbids",
            code="CG411",
        )
        for e in schema.error_log  # type: ignore[attr-defined]  # lxml-stubs: _ErrorLog is iterable
    ]


def check_bpmn(
    root: etree._Element,
    name: str,
    *,
    template_id: str,
    template_version: int,
    error_codes: Iterable[str],
    connector_id: str = IDS.connector,
    review_id: str = IDS.review,
) -> list[Problem]:
    """Schema-valid, one executable process, references resolve, template id/version agree,
    every error code routed to review, review reaches an end, diagram complete."""
    problems = check_bpmn_schema(root, name)
    processes = root.findall("bpmn:process", NS)
    if len(processes) != 1:
        return problems + [Problem(f"{name}: expected one process, found {len(processes)}", code="CG412")]
    process = processes[0]
    ids = _by_id(root)
    problems += _check_deployable(process, name)
    problems += _check_references(process, ids, name)
    task = ids.get(connector_id)
    if task is None:
        return problems + [Problem(f"{name}: the connector task {connector_id} is missing", code="CG412")]
    problems += _check_template_binding(task, name, template_id, template_version)
    routes = _Routes(process, ids)
    problems += _check_merges(process, routes, name)
    problems += _check_error_routing(process, routes, name, error_codes, connector_id, review_id)
    problems += _check_main_path(routes, name, connector_id, review_id)
    problems += check_diagram(root, process, name)
    return problems


def _by_id(root: etree._Element) -> dict[str, etree._Element]:
    return {el.get("id", ""): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}


def _check_deployable(process: etree._Element, name: str) -> list[Problem]:
    """What Camunda 7 needs to deploy and start the process."""
    problems = ProblemList()
    if process.get("isExecutable") != "true":
        problems.add(f"{name}: the process is not executable", code="CG412")
    if not process.get(qname("camunda", "historyTimeToLive")):
        problems.add(f"{name}: camunda:historyTimeToLive is missing (Camunda 7.20+ refuses to deploy)", code="CG412")
    return problems.problems


def _check_references(process: etree._Element, ids: dict[str, etree._Element], name: str) -> list[Problem]:
    """Flows, incoming/outgoing, attachedToRef and errorRef all name existing elements."""
    problems = ProblemList()
    for flow in process.findall("bpmn:sequenceFlow", NS):
        for attr in ("sourceRef", "targetRef"):
            if flow.get(attr) not in ids:
                problems.add(
                    f"{name}: sequence flow {flow.get('id')} {attr} {flow.get(attr)!r} does not resolve", code="CG413"
                )
    for el in process.iter():
        if not isinstance(el.tag, str):
            continue
        local = etree.QName(el).localname
        if local in ("incoming", "outgoing") and (el.text or "").strip() not in ids:
            problems.add(f"{name}: {local} reference {el.text!r} does not resolve", code="CG413")
        for attr in ("attachedToRef", "errorRef"):
            if el.get(attr) is not None and el.get(attr) not in ids:
                problems.add(f"{name}: {attr} {el.get(attr)!r} of {el.get('id')} does not resolve", code="CG413")
    return problems.problems


def _check_template_binding(task: etree._Element, name: str, template_id: str, version: int) -> list[Problem]:
    """The connector task names the element template (id and version) the Modeler should apply."""
    problems = ProblemList()
    applied = task.get(qname("camunda", "modelerTemplate"))
    if applied != template_id:
        problems.add(
            f"{name}: camunda:modelerTemplate is {applied!r}, the element template's id is {template_id!r}",
            code="CG414",
        )
    if task.get(qname("camunda", "modelerTemplateVersion")) != str(version):
        problems.add(
            f"{name}: camunda:modelerTemplateVersion does not equal the element template's version {version}",
            code="CG414",
        )
    return problems.problems


class _Routes:
    """The sequence-flow graph of one process, for "can this node reach that one" questions."""

    def __init__(self, process: etree._Element, ids: dict[str, etree._Element]):
        self.ids = ids
        self.outgoing: dict[str, list[str]] = {}
        self.incoming: dict[str, list[str]] = {}
        for flow in process.findall("bpmn:sequenceFlow", NS):
            source, target = flow.get("sourceRef", ""), flow.get("targetRef", "")
            self.outgoing.setdefault(source, []).append(target)
            self.incoming.setdefault(target, []).append(source)

    def kind(self, node: str) -> str:
        return etree.QName(self.ids[node]).localname if node in self.ids else ""

    def leads_to(self, start: str, goal: str) -> bool:
        """Every token leaving ``start`` arrives at ``goal``: one outgoing flow, through pass-through gateways only."""
        node, seen = start, set()
        while node not in seen:
            seen.add(node)
            targets = self.outgoing.get(node, [])
            if len(targets) != 1:
                return False
            node = targets[0]
            if node == goal:
                return True
            if self.kind(node) != "exclusiveGateway":
                return False
        return False

    def reaches(self, start: str, goal: Callable[[str], bool]) -> bool:
        seen: set[str] = set()
        todo = [start]
        while todo:
            node = todo.pop()
            if goal(node):
                return True
            if node not in seen:
                seen.add(node)
                todo.extend(self.outgoing.get(node, []))
        return False

    def is_end(self, node: str) -> bool:
        return self.kind(node) == "endEvent"


def _check_merges(process: etree._Element, routes: _Routes, name: str) -> list[Problem]:
    """Flows join only in gateways; a merging exclusive gateway passes every token on, unconditionally."""
    problems = ProblemList()
    for node, sources in routes.incoming.items():
        kind = routes.kind(node)
        if len(sources) > 1 and not kind.endswith("Gateway"):
            problems.add(
                f"{name}: {node} has {len(sources)} incoming flows (an uncontrolled merge, bpmnlint's fake-join)",
                hint="route the flows into it through one exclusive gateway",
                code="CG415",
            )
        if len(sources) > 1 and kind == "exclusiveGateway":
            outgoing = process.findall(f"bpmn:sequenceFlow[@sourceRef='{node}']", NS)
            if len(outgoing) != 1 or outgoing[0].find("bpmn:conditionExpression", NS) is not None:
                problems.add(f"{name}: merging gateway {node} must have one unconditional outgoing flow", code="CG415")
    return problems.problems


def _check_error_routing(
    process: etree._Element,
    routes: _Routes,
    name: str,
    error_codes: Iterable[str],
    connector_id: str,
    review_id: str,
) -> list[Problem]:
    """Every mapped error code is caught on the connector task by a boundary event that leads to review."""
    problems = ProblemList()
    caught: set[str | None] = set()
    catch_all = False
    for boundary in process.findall("bpmn:boundaryEvent", NS):
        definition = boundary.find("bpmn:errorEventDefinition", NS)
        if definition is None or boundary.get("attachedToRef") != connector_id:
            continue
        error_ref = definition.get("errorRef")
        if error_ref is None:
            catch_all = True
        elif (error := routes.ids.get(error_ref)) is not None:
            caught.add(error.get("errorCode"))
        if not routes.leads_to(boundary.get("id", ""), review_id):
            problems.add(f"{name}: boundary event {boundary.get('id')} does not lead to {review_id}", code="CG415")
    for code in error_codes:
        if not catch_all and code not in caught:
            problems.add(f"{name}: BPMN error {code} is not caught by a boundary event on {connector_id}", code="CG415")
    return problems.problems


def _check_main_path(routes: _Routes, name: str, connector_id: str, review_id: str) -> list[Problem]:
    """The happy path: connector -> (merge) -> review -> an end event."""
    problems = ProblemList()
    if not routes.leads_to(connector_id, review_id):
        problems.add(f"{name}: no path from {connector_id} to {review_id}", code="CG415")
    if not routes.reaches(review_id, routes.is_end):
        problems.add(f"{name}: {review_id} does not reach an end event", code="CG415")
    return problems.problems


# ----------------------------------------------------------------- diagram


def check_diagram(root: etree._Element, process: etree._Element, name: str) -> list[Problem]:
    """Every flow node has a shape, every flow an edge; labels fit their words; nothing overlaps."""
    shapes = {s.get("bpmnElement", ""): s for s in root.iter(qname("bpmndi", "BPMNShape"))}
    edges = {e.get("bpmnElement", ""): e for e in root.iter(qname("bpmndi", "BPMNEdge"))}
    problems = _check_diagram_complete(process, shapes, edges, name)
    boxes, box_problems = _diagram_boxes(shapes, name)
    attached = {el.get("id", ""): el.get("attachedToRef", "") for el in process.iterfind("bpmn:boundaryEvent", NS)}
    for i, (a, ba) in enumerate(boxes):
        for b, bb in boxes[i + 1 :]:
            pair = {a, b}
            if any(attached.get(x) in pair for x in pair):
                continue  # a boundary event sits on its host's border by design
            if ba.overlaps(bb):
                problems.append(Problem(f"{name}: diagram elements overlap: {a} and {b}", code="CG416"))
    names = {el.get("id", ""): el.get("name", "") for el in process if isinstance(el.tag, str)}
    labels = [(what, box) for what, box in boxes if what.startswith(LABEL_OF)]
    problems += _check_label_text(labels, names, name)
    problems += _check_labels_clear_of_flows(labels, edges, name)
    return problems + box_problems


LABEL_OF = "label of "


def _check_label_text(labels: list[tuple[str, Rect[float]]], names: dict[str, str], name: str) -> list[Problem]:
    """bpmn-js wraps a label at its DI width: no word may be cut, and the box must hold every line."""
    problems = ProblemList()
    for what, box in labels:
        text = names.get(what.removeprefix(LABEL_OF), "")
        if not text.strip():
            continue
        lines = bpmnjs_lines(text, box.width, LABEL_FONT_SIZE)
        if " ".join(lines).split() != text.split():
            problems.add(
                f"{name}: the {what} is {box.width:g}px wide, so bpmn-js breaks a word of {text!r} in two: {lines}",
                hint="the layout must size labels with catalyst_gen.text_metrics.external_label",
                code="CG416",
            )
        needed = len(lines) * LABEL_FONT_SIZE * LINE_HEIGHT
        if box.height < needed:
            problems.add(
                f"{name}: the {what} is {box.height:g}px high, its {len(lines)} line(s) need {needed:g}px", code="CG416"
            )
    return problems.problems


def _check_labels_clear_of_flows(
    labels: list[tuple[str, Rect[float]]], edges: dict[str, etree._Element], name: str
) -> list[Problem]:
    """No flow line runs through a label."""
    problems = ProblemList()
    for flow, edge in edges.items():
        try:
            points = [(float(p.get("x", "")), float(p.get("y", ""))) for p in edge.findall("di:waypoint", NS)]
        except ValueError:
            problems.add(f"{name}: edge of {flow} has a non-numeric waypoint", code="CG416")
            continue
        for what, box in labels:
            if any(_crosses(box, a, b) for a, b in zip(points, points[1:], strict=False)):
                problems.add(f"{name}: sequence flow {flow} runs through the {what}", code="CG416")
    return problems.problems


def _crosses(box: Rect[float], a: tuple[float, float], b: tuple[float, float]) -> bool:
    """The segment a-b passes through the inside of ``box`` (Liang-Barsky clipping; touching the border is fine)."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    t0, t1 = 0.0, 1.0
    for p, q in ((-dx, a[0] - box.x), (dx, box.right - a[0]), (-dy, a[1] - box.y), (dy, box.bottom - a[1])):
        if p == 0:
            if q <= 0:
                return False
        elif p < 0:
            t0 = max(t0, q / p)
        else:
            t1 = min(t1, q / p)
    return t0 < t1


def _check_diagram_complete(
    process: etree._Element, shapes: dict[str, etree._Element], edges: dict[str, etree._Element], name: str
) -> list[Problem]:
    problems = ProblemList()
    for el in process:
        if not isinstance(el.tag, str):
            continue
        local = etree.QName(el).localname
        el_id = el.get("id", "")
        if local in FLOW_NODES and el_id not in shapes:
            problems.add(f"{name}: {local} {el_id} has no diagram shape", code="CG416")
        if local == "sequenceFlow":
            edge = edges.get(el_id)
            if edge is None:
                problems.add(f"{name}: sequence flow {el_id} has no diagram edge", code="CG416")
            elif len(edge.findall("di:waypoint", NS)) < 2:
                problems.add(f"{name}: edge of {el_id} has fewer than two waypoints", code="CG416")
    return problems.problems


def _diagram_boxes(shapes: dict[str, etree._Element], name: str) -> tuple[list[tuple[str, Rect[float]]], list[Problem]]:
    """(what, rectangle) for every shape and shape label, and the shapes whose bounds are missing or broken."""
    boxes: list[tuple[str, Rect[float]]] = []
    problems = ProblemList()
    for element, shape in shapes.items():
        try:
            bounds = read_bounds(shape.find("dc:Bounds", NS))
            label = read_bounds(shape.find("bpmndi:BPMNLabel/dc:Bounds", NS))
        except ValueError:
            problems.add(f"{name}: shape of {element} has dc:Bounds without numeric x/y/width/height", code="CG416")
            continue
        if bounds is None:
            problems.add(f"{name}: shape of {element} has no bounds", code="CG416")
            continue
        boxes.append((element, bounds))
        if label is not None:
            boxes.append((f"{LABEL_OF}{element}", label))
    return boxes, problems.problems
