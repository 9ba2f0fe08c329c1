"""The example's labels are drawn by bpmn-js exactly where the layout put them, whole and in the clear.

bpmn-js wraps an imported external label at the width its DI bounds give it,
breaking at spaces and hyphens and cutting a word only when the word alone is
wider than the box.  This module measures every label of every example (the
committed ones in dist/, and layouts for Hypothesis-generated error codes of
many lengths) with its *own* port of that algorithm (diagram-js
``lib/util/Text.js``: ``layoutNext``, ``shortenLine``, ``semanticShorten``),
written here independently of :mod:`catalyst_gen.text_metrics`; only the Arial
advance widths (data, not the algorithm) are shared.  It then checks that no
word is cut, that each box holds its lines, and that no label box intersects
another label, a shape or a flow segment.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import REPO
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

import catalyst_gen.layout as layout
from catalyst_gen.bpmn import IDS, NS, boundary_id
from catalyst_gen.text_metrics import LabelSize, text_width

EXAMPLES = sorted((REPO / "dist").glob("*/*-example.bpmn"))
FONT = 11  # bpmn-js external label font size
LINE = 1.2 * FONT  # bpmn-js line height


# --------------------------------------------------------------------- diagram-js, ported


def js_round(x: float) -> int:
    return math.floor(x + 0.5)


def semantic_shorten(line: str, max_length: float) -> str:
    parts = re.split(r"(\s|-|\u00ad)", line)
    shortened: list[str] = []
    length = 0
    if len(parts) > 1:
        while parts:
            part = parts.pop(0)
            if not part:
                break
            if len(part) + length < max_length:
                shortened.append(part)
                length += len(part)
            else:
                if part in ("-", "\u00ad") and shortened:
                    shortened.pop()
                break
    if shortened and shortened[-1] == "\u00ad":
        shortened[-1] = "-"
    return "".join(shortened)


def shorten_line(line: str, width: float, max_width: float) -> str:
    length = max(len(line) * (max_width / width), 1)
    return semantic_shorten(line, length) or line[: max(js_round(length - 1), 1)]


def measure(line: str) -> float:
    return text_width(re.sub(r"\s+$", "", line), FONT) if line else 0.0


def layout_text(text: str, box_width: float) -> list[str]:
    """diagram-js ``Text.layoutText``: the lines bpmn-js draws in a box ``box_width`` wide (padding 0)."""
    pending = re.split(r"\u00ad?\r?\n", text)
    lines = []
    while pending:
        original = pending.pop(0)
        fit = original
        while not (fit in (" ", "") or measure(fit) <= box_width or len(fit) < 2):
            fit = shorten_line(fit, measure(fit), box_width)
        if len(fit) < len(original):
            pending.insert(0, original[len(fit) :].strip())
        lines.append(fit)
    return lines


def test_the_port_breaks_like_bpmn_js() -> None:
    """The breaks Camunda Modeler showed for the old 7px-a-character boxes (issue 12), and plain cases."""
    assert layout_text("NOT_FOUND", 63) == ["NOT_FOU", "ND"]
    assert layout_text("SERVER_ERROR", 84) == ["SERVER_ERR", "OR"]
    assert layout_text("WEBHOOK_NOT_FOUND", 119) == ["WEBHOOK_NOT_FO", "UND"]
    assert layout_text("NOT_FOUND", 69) == ["NOT_FOUND"]
    assert layout_text("Request received", 60) == ["Request ", "received"]  # breaks at the space
    assert layout_text("one two", 200) == ["one two"]


# --------------------------------------------------------------------- geometry


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    def intersects(self, other: Box) -> bool:
        return (
            self.x < other.x + other.w
            and other.x < self.x + self.w
            and self.y < other.y + other.h
            and other.y < self.y + self.h
        )

    def cut_by(self, a: tuple[float, float], b: tuple[float, float]) -> bool:
        """An axis-parallel segment passes through the inside of the box."""
        (x1, y1), (x2, y2) = a, b
        assert x1 == x2 or y1 == y2, f"the example's flows are orthogonal, not {a}->{b}"
        if y1 == y2:
            return self.y < y1 < self.y + self.h and min(x1, x2) < self.x + self.w and self.x < max(x1, x2)
        return self.x < x1 < self.x + self.w and min(y1, y2) < self.y + self.h and self.y < max(y1, y2)


@dataclass(frozen=True)
class Drawn:
    """A shape as the Modeler gets it: bounds, label bounds, and the name shown in the label."""

    element: str
    bounds: Box
    label: Box | None
    name: str


def label_problems(shapes: list[Drawn], edges: dict[str, list[tuple[float, float]]]) -> list[str]:
    problems = []
    labelled = [s for s in shapes if s.label is not None and s.name]
    for s in labelled:
        assert s.label is not None
        lines = layout_text(s.name, s.label.w)
        words = [word for line in lines for word in line.split()]
        if words != s.name.split():
            problems.append(f"{s.element}: {s.name!r} in a {s.label.w}px box is drawn as {lines}")
        if s.label.h < len(lines) * LINE or any(measure(line) > s.label.w for line in lines):
            problems.append(f"{s.element}: {lines} do not fit the {s.label.w}x{s.label.h} box")
        for other in shapes:
            if other.bounds.intersects(s.label):
                problems.append(f"label of {s.element} overlaps shape {other.element}")
            if other.label is not None and other is not s and other.label.intersects(s.label):
                problems.append(f"label of {s.element} overlaps label of {other.element}")
        for flow, points in edges.items():
            if any(s.label.cut_by(a, b) for a, b in zip(points, points[1:], strict=False)):
                problems.append(f"flow {flow} runs through the label of {s.element}")
    return problems


# --------------------------------------------------------------------- the examples in dist/


def read_example(path: Path) -> tuple[list[Drawn], dict[str, list[tuple[float, float]]]]:
    root = etree.parse(str(path)).getroot()
    names = {el.get("id"): el.get("name", "") for el in root.iter(f"{{{NS['bpmn']}}}*")}

    def box(node: etree._Element | None) -> Box | None:
        return None if node is None else Box(*(float(node.get(k)) for k in ("x", "y", "width", "height")))

    shapes = []
    for shape in root.iter(f"{{{NS['bpmndi']}}}BPMNShape"):
        ref = shape.get("bpmnElement")
        bounds = box(shape.find("dc:Bounds", NS))
        assert bounds is not None
        shapes.append(Drawn(ref, bounds, box(shape.find("bpmndi:BPMNLabel/dc:Bounds", NS)), names[ref]))
    edges = {
        edge.get("bpmnElement"): [(float(p.get("x")), float(p.get("y"))) for p in edge.findall("di:waypoint", NS)]
        for edge in root.iter(f"{{{NS['bpmndi']}}}BPMNEdge")
    }
    return shapes, edges


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.parent.name for p in EXAMPLES])
def test_every_example_label_is_whole_and_in_the_clear(path: Path) -> None:
    shapes, edges = read_example(path)
    assert sum(1 for s in shapes if s.label is not None) >= 3, "Start, End and at least one error label"
    assert label_problems(shapes, edges) == []


def test_the_library_has_examples() -> None:
    assert len(EXAMPLES) >= 7


# --------------------------------------------------------------------- layouts for any codes


def laid_out(codes: tuple[str, ...]) -> tuple[list[Drawn], dict[str, list[tuple[float, float]]]]:
    """The layout's shapes and edges, named as the example template names them."""
    names = {IDS.start: "Start", IDS.end: "End"} | {boundary_id(code): code for code in codes}
    diagram = layout.example_diagram(codes)

    def box(rect):
        return None if rect is None else Box(rect.x, rect.y, rect.width, rect.height)

    shapes = [Drawn(s.element_id, box(s.bounds), box(s.label), names.get(s.element_id, "")) for s in diagram.shapes]
    return shapes, {e.element_id: list(e.waypoints) for e in diagram.edges}


CODE = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,63}", fullmatch=True)
WIDE = st.text(alphabet="MW_", min_size=1, max_size=40).map(lambda s: "W" + s)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(CODE, WIDE), min_size=1, max_size=9, unique=True))
def test_labels_of_any_error_codes_are_whole_and_in_the_clear(codes: list[str]) -> None:
    shapes, edges = laid_out(tuple(codes))
    assert label_problems(shapes, edges) == []


def seven_pixels_a_character(text: str) -> LabelSize:
    """The rule the layout used before label bounds came from font metrics."""
    return LabelSize(max(24, min(len(text) * 7, 140)), 14, (text,))


def test_the_measure_catches_the_old_seven_pixel_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """The check can fail: with 7px a character the Modeler cuts SERVER_ERROR and NOT_FOUND in two."""
    monkeypatch.setattr(layout, "external_label", seven_pixels_a_character)
    problems = label_problems(*laid_out(("SERVER_ERROR", "NOT_FOUND", "RATE_LIMITED")))
    assert any("'SERVER_ERROR' in a 84px box is drawn as ['SERVER_ERR', 'OR']" in p for p in problems), problems
    assert any("'NOT_FOUND' in a 63px box is drawn as ['NOT_FOU', 'ND']" in p for p in problems), problems
