"""Geometry of the example process: BPMNDI shapes and edges, and the README's text diagram.

Every example has the same five nodes in a row plus a boundary error event
under the connector task whose flow runs below the row into Review, so the
layout is computed, not drawn by hand: sizes follow Camunda Modeler's
defaults (events 36x36, tasks 100x80) so the diagram looks native there.
"""

from __future__ import annotations

from dataclasses import dataclass

from .bpmn import IDS, Rect, boundary_flow_id, boundary_id

EVENT = 36
TASK_W, TASK_H = 100, 80
ROW_Y = 80  # top of the task row
GAP = 60  # horizontal gap between shapes
START_X = 152
BELOW = 100  # how far below the row the error flow runs


@dataclass(frozen=True)
class Shape:
    element_id: str
    bounds: Rect[int]
    label: Rect[int] | None = None


@dataclass(frozen=True)
class Edge:
    element_id: str
    waypoints: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Diagram:
    shapes: tuple[Shape, ...]
    edges: tuple[Edge, ...]


def _event_label(event: Rect[int], text: str) -> Rect[int]:
    """Modeler puts event labels centred under the event, about 7px per character."""
    width = label_width(text)
    return Rect(event.pixel_cx - width // 2, event.bottom + 7, width, 14)


def label_width(text: str) -> int:
    return max(24, min(len(text) * 7, 140))


BOUNDARY_SPACING = 46
STEP = 30  # vertical distance between the error flows below the row


def example_diagram(error_codes: tuple[str, ...]) -> Diagram:
    """Shapes and edges of the example: Start -> Configure -> Connector -> Review -> End.

    One boundary error event per mapped code sits on the connector task's
    bottom edge.  Their flows step down like stairs (the leftmost runs
    lowest) and enter Review from below in mirrored order, so no two flows
    cross; each event's label sits just above its own flow's horizontal run,
    where no other line passes.
    """
    n = len(error_codes)
    event_y = ROW_Y + (TASK_H - EVENT) // 2
    start = Rect(START_X, event_y, EVENT, EVENT)
    configure = Rect(start.right + GAP - 8, ROW_Y, TASK_W, TASK_H)
    connector_w = max(TASK_W, (n - 1) * BOUNDARY_SPACING + EVENT + 24)
    connector = Rect(configure.right + GAP, ROW_Y, connector_w, TASK_H)
    span = (n - 1) * BOUNDARY_SPACING
    centers = [connector.pixel_cx - span // 2 + i * BOUNDARY_SPACING for i in range(n)]
    levels = [connector.bottom + 40 + (n - 1 - i) * STEP for i in range(n)]
    labels = [
        Rect(cx + 6, y - 18, label_width(code), 14) for cx, y, code in zip(centers, levels, error_codes, strict=True)
    ]
    review_x = max([connector.right + GAP + 40] + [label.right + 24 for label in labels])
    review = Rect(review_x, ROW_Y, TASK_W, TASK_H)
    end = Rect(review.right + GAP - 8, event_y, EVENT, EVENT)

    def row(a: Rect[int], b: Rect[int]) -> tuple[tuple[int, int], ...]:
        return ((a.right, a.pixel_cy), (b.x, b.pixel_cy))

    shapes = [
        Shape(IDS.start, start, _event_label(start, "Start")),
        Shape(IDS.configure, configure),
        Shape(IDS.connector, connector),
        Shape(IDS.review, review),
        Shape(IDS.end, end, _event_label(end, "End")),
    ]
    edges = [
        Edge(IDS.start_to_configure, row(start, configure)),
        Edge(IDS.configure_to_connector, row(configure, connector)),
        Edge(IDS.connector_to_review, row(connector, review)),
        Edge(IDS.review_to_end, row(review, end)),
    ]
    for i, code in enumerate(error_codes):
        event = Rect(centers[i] - EVENT // 2, connector.bottom - EVENT // 2, EVENT, EVENT)
        shapes.append(Shape(boundary_id(code), event, labels[i]))
        entry_x = review.x + (n - i) * review.width // (n + 1)
        edges.append(
            Edge(
                boundary_flow_id(code),
                ((centers[i], event.bottom), (centers[i], levels[i]), (entry_x, levels[i]), (entry_x, review.bottom)),
            )
        )
    return Diagram(tuple(shapes), tuple(edges))


def text_diagram(configure: str, task: str, review: str) -> str:
    """The README's plain-text picture of the example process.

    The pipe hangs from the connector task and the boundary branch ends under
    the Review task, whatever the names' lengths.
    """
    boxes = ["[Start]", f"[User Task: {configure}]", f"[Service Task: {task}]", f"[User Task: {review}]", "[End]"]
    first = " → ".join(boxes)
    task_col = first.index(boxes[2])
    review_col = first.index(boxes[3])
    pipe_col = task_col + 10
    branch_col = pipe_col - 6
    branch = "[Boundary Error] "
    target = f"[{review}]"
    dashes = max(3, review_col + 1 - branch_col - len(branch) - 2)
    return "\n".join(
        [
            first,
            " " * pipe_col + "|",
            " " * branch_col + branch + "─" * dashes + "→ " + target,
        ]
    )
