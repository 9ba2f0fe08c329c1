"""Draw a picture of a BPMN process from its own BPMNDI (no browser, no bpmn-js).

The README of every connector wants a picture of its example process, and the
only faithful source of that picture is the BPMNDI inside the ``.bpmn`` file:
it is what Camunda Modeler shows. So this module reads the shapes and edges of
the first ``bpmndi:BPMNPlane`` and draws them the way bpmn-js does (same
sizes, stroke widths, 10px task corners, 12px task labels, 11px external
labels), into a standalone SVG.

Design choices, and why:

* The SVG is the canonical artifact. It is built with lxml (so every name is
  escaped by the serializer, never by hand), contains no scripts, no external
  references and no web fonts, and is byte-identical for identical input:
  elements are emitted in document order and every number goes through
  :func:`_num`. :func:`render_diagram_png` rasterises it with cairosvg; PNG
  bytes are stable on one machine but may differ between cairo/freetype
  versions, which is why nothing should pin PNG bytes across machines.
* Text is measured with :mod:`catalyst_gen.text_metrics` (a built-in table
  of Arial advance widths rather than a font file, so wrapping never depends
  on the fonts installed where the build runs). Task names are wrapped by
  words into the task box (over-long words are split, lines that do not fit
  are cut with an ellipsis) so a label can never spill out of its box.
  External labels are broken into lines exactly as bpmn-js breaks them, at
  the width their DI gives them, so the picture shows what the Modeler shows.
* Glyphs (user, gear, error) are small hand-written path strings in a local
  coordinate box, placed with ``translate``; they only need to be recognisable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from lxml import etree

from .bpmn import BPMN_NS, BPMNDI_NS, DC_NS, DI_NS, SVG_NS, Rect, read_bounds
from .text_metrics import (
    EXTERNAL_LABEL_WIDTH,
    LABEL_FONT_SIZE,
    LINE_HEIGHT,
    TASK_FONT_SIZE,
    bpmnjs_lines,
    text_width,
    wrap_text,
)

__all__ = ["render_diagram_svg", "render_diagram_png"]

FONT_FAMILY = "Arial, Helvetica, sans-serif"
TASK_PADDING = 5  # bpmn-js padding between task border and its label
TASK_RADIUS = 10  # bpmn-js task corner radius
# Where Arial is missing (most Linux build hosts) text falls back to a wider
# sans such as DejaVu Sans (~12% wider); task labels are wrapped to the box
# width divided by this, so they stay inside the box with either font.
FALLBACK_ALLOWANCE = 1.15
MARGIN = 20
STROKE = "#000000"  # bpmn-js default stroke (black on white)
FLOW_MARKER_ID = "sequenceflow-end"

# Glyphs, each drawn in a small local box and positioned with translate().
# Person: head and shoulders, 16x16 box.
USER_GLYPH = "M 11 4.5 A 3 3 0 1 1 5 4.5 A 3 3 0 1 1 11 4.5 Z M 2 15.5 C 2 11 4.5 8.5 8 8.5 C 11.5 8.5 14 11 14 15.5 Z"
# Gear: eight teeth around an axle hole, 16x16 box.
GEAR_GLYPH = (
    "M 13.3 6.3 L 15.4 6.5 L 15.4 9.5 L 13.3 9.7 L 13 10.5 L 14.2 12.2 L 12.2 14.2 L 10.5 13 "
    "L 9.7 13.3 L 9.5 15.4 L 6.5 15.4 L 6.3 13.3 L 5.5 13 L 3.8 14.2 L 1.8 12.2 L 3 10.5 "
    "L 2.7 9.7 L 0.6 9.5 L 0.6 6.5 L 2.7 6.3 L 3 5.5 L 1.8 3.8 L 3.8 1.8 L 5.5 3 "
    "L 6.3 2.7 L 6.5 0.6 L 9.5 0.6 L 9.7 2.7 L 10.5 3 L 12.2 1.8 L 14.2 3.8 L 13 5.5 Z "
    "M 10.5 8 A 2.5 2.5 0 1 0 5.5 8 A 2.5 2.5 0 1 0 10.5 8 Z"
)
# Error: the BPMN lightning zig-zag, drawn in the 36x36 box of a default event.
ERROR_GLYPH = "M 9 26 L 13.5 11 L 19 19 L 27 10 L 22.5 25 L 17 17.5 Z"
GLYPH_BOX = 16
EVENT_GLYPH_BOX = 36
# Sequence-flow arrowhead (bpmn-js proportions), tip at (10, 5).
ARROW_PATH = "M 0 0 L 10 5 L 0 10 Z"

TASK_TYPES = (
    "task", "userTask", "serviceTask", "sendTask", "receiveTask", "manualTask",
    "businessRuleTask", "scriptTask", "callActivity", "subProcess", "transaction",
)  # fmt: skip
EVENT_TYPES = ("startEvent", "endEvent", "boundaryEvent", "intermediateCatchEvent", "intermediateThrowEvent")
GATEWAY_TYPES = ("exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway")
# Pools and lanes are outlined only: their names belong in a rotated header
# band, which our single-process examples never need.
CONTAINER_TYPES = ("participant", "lane")


# --------------------------------------------------------------------------- geometry


@dataclass(frozen=True)
class Shape:
    di_id: str
    kind: str  # local name of the BPMN element, e.g. "userTask"
    element: etree._Element
    bounds: Rect[float]
    label: Rect[float] | None
    marker_visible: bool = False  # DI flag: draw the X inside an exclusive gateway


@dataclass(frozen=True)
class Edge:
    di_id: str
    kind: str
    element: etree._Element
    waypoints: tuple[tuple[float, float], ...]
    label: Rect[float] | None


def _num(value: float) -> str:
    """Format a coordinate: at most two decimals, no trailing zeros, never ``-0``.

    Every number in the SVG goes through here so output is byte-stable.
    """
    text = f"{round(value, 2):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _union(boxes: list[Rect], points: list[tuple[float, float]]) -> Rect:
    """Smallest integer-aligned box containing all boxes and points."""
    xs = [b.x for b in boxes] + [b.right for b in boxes] + [p[0] for p in points]
    ys = [b.y for b in boxes] + [b.bottom for b in boxes] + [p[1] for p in points]
    x0, y0 = math.floor(min(xs)), math.floor(min(ys))
    return Rect(x0, y0, math.ceil(max(xs)) - x0, math.ceil(max(ys)) - y0)


# --------------------------------------------------------------------------- text


def _fit_lines(lines: list[str], max_lines: int, max_width: float, font_size: float) -> list[str]:
    """Keep at most ``max_lines`` lines; mark the cut with an ellipsis that fits."""
    if len(lines) <= max_lines:
        return lines
    if max_lines <= 0:
        return []
    last = lines[max_lines - 1]
    while last and text_width(last + "\u2026", font_size) > max_width:
        last = last[:-1]
    return lines[: max_lines - 1] + [last.rstrip() + "\u2026"]


# --------------------------------------------------------------------------- parsing


def _bounds(node: etree._Element | None, what: str) -> Rect[float] | None:
    try:
        return read_bounds(node)
    except ValueError:
        raise ValueError(f"BPMNDI {what} has dc:Bounds without numeric x/y/width/height") from None


def _read_diagram(root: etree._Element) -> tuple[list[Shape], list[Edge]]:
    plane = root.find(f".//{{{BPMNDI_NS}}}BPMNPlane")
    if plane is None:
        raise ValueError("BPMN has no BPMNDI (no bpmndi:BPMNPlane), so there is no layout to draw")

    by_id = {el.get("id"): el for el in root.iter(f"{{{BPMN_NS}}}*") if el.get("id")}

    def element_of(di: etree._Element) -> tuple[etree._Element, str]:
        ref = di.get("bpmnElement")
        element = by_id.get(ref)
        if element is None:
            raise ValueError(f"BPMNDI element {di.get('id')!r} refers to unknown bpmnElement {ref!r}")
        return element, etree.QName(element).localname

    shapes, edges = [], []
    for di in plane:
        if di.tag == f"{{{BPMNDI_NS}}}BPMNShape":
            element, kind = element_of(di)
            bounds = _bounds(di.find(f"{{{DC_NS}}}Bounds"), f"shape {di.get('id')!r}")
            if bounds is None:
                raise ValueError(f"BPMNDI shape {di.get('id')!r} has no dc:Bounds")
            label = _bounds(di.find(f"{{{BPMNDI_NS}}}BPMNLabel/{{{DC_NS}}}Bounds"), f"label of {di.get('id')!r}")
            marker = di.get("isMarkerVisible") == "true"
            shapes.append(Shape(di.get("id", ""), kind, element, bounds, label, marker))
        elif di.tag == f"{{{BPMNDI_NS}}}BPMNEdge":
            element, kind = element_of(di)
            try:
                points = tuple((float(p.get("x", "")), float(p.get("y", ""))) for p in di.iter(f"{{{DI_NS}}}waypoint"))
            except ValueError:
                raise ValueError(f"BPMNDI edge {di.get('id')!r} has a non-numeric di:waypoint") from None
            if len(points) < 2:
                raise ValueError(f"BPMNDI edge {di.get('id')!r} needs at least two di:waypoint")
            label = _bounds(di.find(f"{{{BPMNDI_NS}}}BPMNLabel/{{{DC_NS}}}Bounds"), f"label of {di.get('id')!r}")
            edges.append(Edge(di.get("id", ""), kind, element, points, label))
    if not shapes:
        raise ValueError("BPMNDI plane has no bpmndi:BPMNShape, so there is nothing to draw")
    return shapes, edges


# --------------------------------------------------------------------------- drawing


def _sub(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
    """Append an SVG child; ``stroke_width`` means ``stroke-width``, ``class_`` means ``class``."""
    names = {k: k.rstrip("_").replace("_", "-") for k in attrs}
    return etree.SubElement(parent, f"{{{SVG_NS}}}{tag}", {names[k]: v for k, v in attrs.items()})


def _text_lines(parent: etree._Element, lines: list[str], cx: float, top: float, font_size: float) -> None:
    """Centred lines starting at ``top``; baselines sit where bpmn-js puts them."""
    if not lines:
        return
    line_height = font_size * LINE_HEIGHT
    text = _sub(parent, "text", font_family=FONT_FAMILY, font_size=_num(font_size), text_anchor="middle", fill=STROKE)
    for i, line in enumerate(lines):
        # Centre the cap height (~0.72 em for Arial) inside each line box.
        baseline = top + i * line_height + (line_height + 0.72 * font_size) / 2
        _sub(text, "tspan", x=_num(cx), y=_num(baseline)).text = line


def _glyph(parent: etree._Element, d: str, x: float, y: float, **attrs: str) -> None:
    _sub(parent, "path", d=d, transform=f"translate({_num(x)} {_num(y)})", **attrs)


def _draw_task(g: etree._Element, shape: Shape) -> None:
    b = shape.bounds
    _sub(g, "rect", x=_num(b.x), y=_num(b.y), width=_num(b.width), height=_num(b.height),
         rx=_num(TASK_RADIUS), ry=_num(TASK_RADIUS), fill="#ffffff", stroke=STROKE, stroke_width="2")  # fmt: skip
    glyph = {"userTask": USER_GLYPH, "serviceTask": GEAR_GLYPH}.get(shape.kind)
    has_glyph = glyph is not None
    if glyph is not None:
        _glyph(g, glyph, b.x + 6, b.y + 6, fill="#ffffff", stroke=STROKE, stroke_width="1", fill_rule="evenodd")
    inner_w = (b.width - 2 * TASK_PADDING) / FALLBACK_ALLOWANCE
    line_height = TASK_FONT_SIZE * LINE_HEIGHT
    # Leave the glyph's strip free so wrapped text never runs into it.
    top_free = GLYPH_BOX + 6 if has_glyph else TASK_PADDING
    available_h = b.height - top_free - TASK_PADDING
    lines = wrap_text(shape.element.get("name", ""), inner_w, TASK_FONT_SIZE)
    lines = _fit_lines(lines, int(available_h // line_height), inner_w, TASK_FONT_SIZE)
    block_h = len(lines) * line_height
    # Centred in the box like bpmn-js, pushed down only if it would hit the glyph.
    top = max(b.cy - block_h / 2, b.y + top_free)
    _text_lines(g, lines, b.cx, top, TASK_FONT_SIZE)


def _event_definitions(shape: Shape) -> set[str]:
    return {etree.QName(c).localname for c in shape.element if etree.QName(c).localname.endswith("EventDefinition")}


def _circle(g: etree._Element, b: Rect, inset: float, width: str, **attrs: str) -> None:
    radius = (b.width + b.height) / 4 - inset
    _sub(g, "circle", cx=_num(b.cx), cy=_num(b.cy), r=_num(radius), stroke=STROKE, stroke_width=width, **attrs)


def _draw_event(g: etree._Element, shape: Shape) -> None:
    b = shape.bounds
    definitions = _event_definitions(shape)
    dashed = {}
    if shape.kind == "boundaryEvent" and shape.element.get("cancelActivity") == "false":
        dashed = {"stroke_dasharray": "6"}  # bpmn-js dashes both rings of a non-interrupting event
    if shape.kind == "startEvent":
        _circle(g, b, 0, "2", fill="#ffffff")
    elif shape.kind == "endEvent":
        _circle(g, b, 0, "4", fill="#ffffff")
    else:  # boundary / intermediate: double ring
        _circle(g, b, 0, "1.5", fill="#ffffff", **dashed)
        _circle(g, b, 3, "1.5", fill="none", **dashed)
    if "errorEventDefinition" in definitions:
        scale = b.width / EVENT_GLYPH_BOX
        fill = "#000000" if shape.kind == "endEvent" else "none"  # throwing errors are filled
        place = f"translate({_num(b.x)} {_num(b.y)})" + (f" scale({_num(scale)})" if scale != 1 else "")
        _sub(g, "path", d=ERROR_GLYPH, transform=place,
             fill=fill, stroke=STROKE, stroke_width="1", stroke_linejoin="round")  # fmt: skip


def _draw_gateway(g: etree._Element, shape: Shape) -> None:
    b = shape.bounds
    points = [(b.cx, b.y), (b.right, b.cy), (b.cx, b.bottom), (b.x, b.cy)]
    _sub(g, "polygon", points=" ".join(f"{_num(x)},{_num(y)}" for x, y in points),
         fill="#ffffff", stroke=STROKE, stroke_width="2", stroke_linejoin="round")  # fmt: skip
    arm = min(b.width, b.height) * 0.22
    if shape.kind == "exclusiveGateway" and shape.marker_visible:  # X, only if DI asks for it
        _cross(g, b.cx, b.cy, arm, arm)
    elif shape.kind == "parallelGateway":  # +
        _cross(g, b.cx, b.cy, arm * 1.3, 0)


def _cross(g: etree._Element, cx: float, cy: float, reach: float, slant: float) -> None:
    """Two thick strokes through (cx, cy): an X when ``slant == reach``, a + when 0."""
    a = (cx - slant, cy - reach, cx + slant, cy + reach)
    b = (cx + reach, cy - slant, cx - reach, cy + slant)
    d = " ".join(f"M {_num(x1)} {_num(y1)} L {_num(x2)} {_num(y2)}" for x1, y1, x2, y2 in (a, b))
    _sub(g, "path", d=d, stroke=STROKE, stroke_width="3.5", fill="none")


def _draw_external_label(parent: etree._Element, name: str, anchor: Rect, label: Rect | None) -> None:
    """Event/gateway/flow names: broken into lines like bpmn-js, centred on the DI label bounds.

    bpmn-js wraps an imported label at its DI width (a word wider than that is
    cut, and so it is here); without label bounds it lays the label out 90px
    wide, centred just below the element.
    """
    if not name.strip():
        return
    # bpmn-js keeps the space a line was broken at; SVG would not show it anyway.
    lines = [line.rstrip() for line in bpmnjs_lines(name, label.width if label else EXTERNAL_LABEL_WIDTH)]
    if label is not None:
        top = label.cy - len(lines) * LABEL_FONT_SIZE * LINE_HEIGHT / 2
        cx = label.cx
    else:
        top, cx = anchor.bottom + 5, anchor.cx
    _text_lines(parent, lines, cx, top, LABEL_FONT_SIZE)


def _draw_edge(parent: etree._Element, edge: Edge) -> None:
    points = " ".join(f"{_num(x)},{_num(y)}" for x, y in edge.waypoints)
    g = _sub(parent, "g", class_=f"edge bpmn-{edge.kind}", data_element_id=edge.element.get("id", ""))
    attrs = {"fill": "none", "stroke": STROKE, "stroke_width": "1.5", "stroke_linejoin": "round"}
    if edge.kind == "sequenceFlow":
        attrs["marker_end"] = f"url(#{FLOW_MARKER_ID})"
    elif edge.kind == "messageFlow":
        attrs["stroke_dasharray"] = "10, 11"
    else:  # associations and data associations are dotted
        attrs["stroke_dasharray"] = "0.5, 5"
        attrs["stroke_linecap"] = "round"
    _sub(g, "polyline", points=points, **attrs)


def _shape_box(parent: etree._Element, shape: Shape) -> etree._Element:
    return _sub(parent, "g", class_=f"shape bpmn-{shape.kind}", data_element_id=shape.element.get("id", ""))


def render_diagram_svg(bpmn: etree._Element) -> bytes:
    """Render the first BPMNPlane of a parsed BPMN document as a standalone, deterministic SVG.

    Takes the tree (parse it with :func:`catalyst_gen.bpmn.parse_xml`) so a
    build parses its example once for the checks and the picture. Raises
    ``ValueError`` if it has no BPMNDI, or its DI is broken (dangling
    ``bpmnElement``, missing bounds or waypoints).
    """
    shapes, edges = _read_diagram(bpmn)
    svg = _svg_canvas(_view_box(shapes, edges))
    # Modeler's stacking: hosts, then boundary events on top of them, then
    # flows, then external labels so nothing hides a name.
    ordered = [s for s in shapes if s.kind != "boundaryEvent"] + [s for s in shapes if s.kind == "boundaryEvent"]
    _draw_shapes(_sub(svg, "g", class_="shapes"), ordered)
    layer_edges = _sub(svg, "g", class_="edges")
    for edge in edges:
        _draw_edge(layer_edges, edge)
    _draw_labels(_sub(svg, "g", class_="labels"), ordered, edges)
    return _serialize(svg)


def _view_box(shapes: list[Shape], edges: list[Edge]) -> Rect:
    """Everything drawn (shapes, labels, waypoints) plus a margin, on whole pixels."""
    view = _union(
        [s.bounds for s in shapes] + [s.label for s in shapes if s.label] + [e.label for e in edges if e.label],
        [p for e in edges for p in e.waypoints],
    )
    return Rect(view.x - MARGIN, view.y - MARGIN, view.width + 2 * MARGIN, view.height + 2 * MARGIN)


def _svg_canvas(view: Rect) -> etree._Element:
    """The ``<svg>`` root sized to ``view``, with the arrowhead marker and a white background."""
    svg = etree.Element(f"{{{SVG_NS}}}svg", nsmap={None: SVG_NS})  # type: ignore[dict-item]  # lxml-stubs: default namespace
    for key, value in (
        ("version", "1.1"),
        ("width", _num(view.width)),
        ("height", _num(view.height)),
        ("viewBox", f"{_num(view.x)} {_num(view.y)} {_num(view.width)} {_num(view.height)}"),
    ):
        svg.set(key, value)
    defs = _sub(svg, "defs")
    marker = _sub(defs, "marker", id=FLOW_MARKER_ID, viewBox="0 0 10 10", refX="10", refY="5",
                  markerWidth="10", markerHeight="10", markerUnits="userSpaceOnUse", orient="auto")  # fmt: skip
    _sub(marker, "path", d=ARROW_PATH, fill=STROKE, stroke="none")
    _sub(svg, "rect", x=_num(view.x), y=_num(view.y), width=_num(view.width), height=_num(view.height), fill="#ffffff")
    return svg


def _draw_shapes(layer: etree._Element, shapes: list[Shape]) -> None:
    """One ``<g>`` per shape, drawn by kind."""
    for shape in shapes:
        g = _shape_box(layer, shape)
        if shape.kind in TASK_TYPES:
            _draw_task(g, shape)
        elif shape.kind in EVENT_TYPES:
            _draw_event(g, shape)
        elif shape.kind in GATEWAY_TYPES:
            _draw_gateway(g, shape)
        else:  # pools, lanes, data objects, annotations, ...: a plain outline
            b = shape.bounds
            width = "1.5" if shape.kind == "participant" else "1"
            _sub(g, "rect", x=_num(b.x), y=_num(b.y), width=_num(b.width), height=_num(b.height),
                 fill="none", stroke=STROKE, stroke_width=width)  # fmt: skip


def _draw_labels(layer: etree._Element, shapes: list[Shape], edges: list[Edge]) -> None:
    """External labels: every named non-task shape, and flows where DI placed a label."""
    for shape in shapes:
        if shape.kind not in TASK_TYPES + CONTAINER_TYPES:
            _draw_external_label(layer, shape.element.get("name", ""), shape.bounds, shape.label)
    for edge in edges:
        if edge.label is not None:  # flows only show a name where DI placed one
            _draw_external_label(layer, edge.element.get("name", ""), edge.label, edge.label)


def _serialize(svg: etree._Element) -> bytes:
    """Indent for readable diffs, but keep ``<text>`` content exactly as written.

    Whitespace between ``<tspan>``s would be rendered (and read back) as text.
    """
    etree.indent(svg, space="  ")
    for text in svg.iter(f"{{{SVG_NS}}}text"):
        text.text = None
        for tspan in text:
            tspan.tail = None
    return etree.tostring(svg, xml_declaration=True, encoding="UTF-8") + b"\n"


def render_diagram_png(svg: bytes, *, scale: float = 1.0) -> bytes:
    """Rasterise an SVG from :func:`render_diagram_svg` with cairosvg.

    At ``scale=1`` the PNG is exactly the viewBox size. The result is stable on
    one machine, but cairo/freetype versions change anti-aliasing, so the SVG,
    not the PNG, is the artifact to compare. cairosvg draws text with cairo's
    simple text API: no bidi reordering (Hebrew/Arabic come out reversed) and
    no colour emoji, both of which browsers render correctly from the SVG.
    cairosvg is imported here so the
    SVG renderer works where libcairo is missing. ``unsafe=False`` (cairosvg's
    default, spelled out) forbids entities and fetching external files, in
    case someone feeds this an SVG that did not come from us.
    """
    import cairosvg  # noqa: PLC0415 - optional native dependency, see docstring

    return cairosvg.svg2png(bytestring=svg, scale=scale, unsafe=False)
