"""Geometry of the example process: BPMNDI shapes and edges, and the README's text diagram.

Every example has the same nodes in a row (Start, Configure, the connector
task, a merging gateway, Review, End) plus one boundary error event per mapped
code on the connector task, whose flow runs below the row into the gateway, so
the layout is computed, not drawn by hand: sizes follow Camunda Modeler's
defaults (events 36x36, gateways 50x50, tasks 100x80) so the diagram looks
native there.

Label boxes come from :func:`catalyst_gen.text_metrics.external_label`, i.e.
from Arial's real advance widths and bpmn-js's own line breaking, because
bpmn-js wraps an imported label at the width its DI gives it: a box too narrow
for a word makes the Modeler cut that word in two (``SERVER_ERR/OR``).
"""

from __future__ import annotations

from dataclasses import dataclass

from .bpmn import IDS, Rect, boundary_flow_id, boundary_id
from .text_metrics import external_label

EVENT = 36
GATEWAY = 50
TASK_W, TASK_H = 100, 80
ROW_Y = 80  # top of the task row
GAP = 60  # horizontal gap between shapes
START_X = 152
LABEL_BELOW = 7  # gap between an event and the label under it
BOUNDARY_SPACING = 46  # between the centres of neighbouring boundary events
STEP = 30  # vertical distance between the error flows below the row, at least
LABEL_INSET = 6  # a boundary label starts this far right of its flow's vertical
LABEL_RISE = 4  # and ends this far above its flow's horizontal run
CLEARANCE = 24  # free space between the widest label and the flows' shared riser


@dataclass(frozen=True)
class Shape:
    element_id: str
    bounds: Rect[int]
    label: Rect[int] | None = None
    marker_visible: bool = False  # DI flag: Modeler draws the X inside an exclusive gateway


@dataclass(frozen=True)
class Edge:
    element_id: str
    waypoints: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Diagram:
    shapes: tuple[Shape, ...]
    edges: tuple[Edge, ...]


def _event_label(event: Rect[int], text: str) -> Rect[int]:
    """Modeler puts an event's label centred under the event."""
    size = external_label(text)
    return Rect(event.pixel_cx - size.width // 2, event.bottom + LABEL_BELOW, size.width, size.height)


@dataclass(frozen=True)
class _Staircase:
    """Where the boundary events, their flows' horizontal runs and their labels go.

    The flows step down like stairs (the leftmost runs lowest); each label sits
    just above its own flow's run, right of its own flow's vertical, where no
    other line passes: the verticals further right stop at shallower runs, the
    runs further left are lower.  The steps grow with the tallest label.
    """

    centers: tuple[int, ...]
    levels: tuple[int, ...]
    labels: tuple[Rect[int], ...]


def _staircase(connector: Rect[int], error_codes: tuple[str, ...]) -> _Staircase:
    n = len(error_codes)
    sizes = [external_label(code) for code in error_codes]
    tallest = max((size.height for size in sizes), default=0)
    step = max(STEP, tallest + 16)
    first = connector.bottom + max(40, EVENT // 2 + LABEL_RISE + tallest + LABEL_RISE)
    span = (n - 1) * BOUNDARY_SPACING
    centers = tuple(connector.pixel_cx - span // 2 + i * BOUNDARY_SPACING for i in range(n))
    levels = tuple(first + (n - 1 - i) * step for i in range(n))
    labels = tuple(
        Rect(cx + LABEL_INSET, y - LABEL_RISE - size.height, size.width, size.height)
        for cx, y, size in zip(centers, levels, sizes, strict=True)
    )
    return _Staircase(centers, levels, labels)


def example_diagram(error_codes: tuple[str, ...]) -> Diagram:
    """Shapes and edges of the example: Start -> Configure -> Connector -> Merge -> Review -> End.

    One boundary error event per mapped code sits on the connector task's
    bottom edge; its flow runs down, right past every label, and up into the
    merging gateway's bottom corner, so Review has one incoming flow (no
    uncontrolled "fake join") and no flow crosses another or a label.
    """
    n = len(error_codes)
    event_y = ROW_Y + (TASK_H - EVENT) // 2
    start = Rect(START_X, event_y, EVENT, EVENT)
    configure = Rect(start.right + GAP - 8, ROW_Y, TASK_W, TASK_H)
    connector_w = max(TASK_W, (n - 1) * BOUNDARY_SPACING + EVENT + 24)
    connector = Rect(configure.right + GAP, ROW_Y, connector_w, TASK_H)
    stairs = _staircase(connector, error_codes)
    riser = max([connector.right + GAP + GATEWAY // 2] + [label.right + CLEARANCE for label in stairs.labels])
    merge = Rect(riser - GATEWAY // 2, ROW_Y + (TASK_H - GATEWAY) // 2, GATEWAY, GATEWAY)
    review = Rect(merge.right + GAP - 10, ROW_Y, TASK_W, TASK_H)
    end = Rect(review.right + GAP - 8, event_y, EVENT, EVENT)

    def row(a: Rect[int], b: Rect[int]) -> tuple[tuple[int, int], ...]:
        return ((a.right, a.pixel_cy), (b.x, b.pixel_cy))

    shapes = [
        Shape(IDS.start, start, _event_label(start, "Start")),
        Shape(IDS.configure, configure),
        Shape(IDS.connector, connector),
        Shape(IDS.merge, merge, marker_visible=True),
        Shape(IDS.review, review),
        Shape(IDS.end, end, _event_label(end, "End")),
    ]
    edges = [
        Edge(IDS.start_to_configure, row(start, configure)),
        Edge(IDS.configure_to_connector, row(configure, connector)),
        Edge(IDS.connector_to_merge, row(connector, merge)),
        Edge(IDS.merge_to_review, row(merge, review)),
        Edge(IDS.review_to_end, row(review, end)),
    ]
    for code, cx, level, label in zip(error_codes, stairs.centers, stairs.levels, stairs.labels, strict=True):
        event = Rect(cx - EVENT // 2, connector.bottom - EVENT // 2, EVENT, EVENT)
        shapes.append(Shape(boundary_id(code), event, label))
        waypoints = ((cx, event.bottom), (cx, level), (merge.pixel_cx, level), (merge.pixel_cx, merge.bottom))
        edges.append(Edge(boundary_flow_id(code), waypoints))
    return Diagram(tuple(shapes), tuple(edges))


TEXT_DIAGRAM_BRANCH = " " * 45 + "|\n" + " " * 39 + "[Boundary Error] " + "─" * 12 + "→ "
"""Lines 2-3 of the README's text picture, as every published README draws them: the same
fixed block whatever the task's name (the picture beside it, ``<id>-example.svg``, is exact)."""


def text_diagram(configure: str, task: str, review: str) -> str:
    """The README's plain-text picture of the example process: the five boxes, then the fixed
    boundary-error branch (:data:`TEXT_DIAGRAM_BRANCH`) ending at Review."""
    boxes = ["[Start]", f"[User Task: {configure}]", f"[Service Task: {task}]", f"[User Task: {review}]", "[End]"]
    return " → ".join(boxes) + "\n" + TEXT_DIAGRAM_BRANCH + f"[{review}]"
