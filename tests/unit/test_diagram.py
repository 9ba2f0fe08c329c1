"""Tests for catalyst_gen.diagram: the BPMNDI -> SVG/PNG picture of a process.

The example BPMN in dist/ is the real input; small BPMN documents built here
cover escaping, wrapping and the error paths without depending on dist/.
"""

from __future__ import annotations

import io
import re

import pytest
from helpers import REPO
from lxml import etree
from PIL import Image

from catalyst_gen.bpmn import parse_xml
from catalyst_gen.diagram import (
    FALLBACK_ALLOWANCE,
    TASK_PADDING,
    render_diagram_png,
    render_diagram_svg,
)
from catalyst_gen.errors import CheckError
from catalyst_gen.text_metrics import text_width

EXAMPLE = REPO / "dist" / "together-ai" / "together-ai-example.bpmn"

SVG = "{http://www.w3.org/2000/svg}"
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
BPMNDI = "{http://www.omg.org/spec/BPMN/20100524/DI}"
DC = "{http://www.omg.org/spec/DD/20100524/DC}"
DI = "{http://www.omg.org/spec/DD/20100524/DI}"
TASKS = ("userTask", "serviceTask", "task")


def draw(bpmn: bytes) -> bytes:
    """Parse the way the build does (bpmn.parse_xml), then draw the tree."""
    return render_diagram_svg(parse_xml(bpmn, "test.bpmn"))


def tiny_bpmn(name: str, width: int = 100, height: int = 80, with_di: bool = True) -> bytes:
    """Start event -> one user task named ``name``; ``name`` is XML-escaped here."""
    quoted = etree.tostring(etree.Element("x", name=name), encoding="unicode")[len("<x name=") : -len("/>")]
    di = f"""
  <bpmndi:BPMNDiagram id="Diagram"><bpmndi:BPMNPlane id="Plane" bpmnElement="P">
    <bpmndi:BPMNShape id="S_di" bpmnElement="S"><dc:Bounds x="100" y="122" width="36" height="36" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="T_di" bpmnElement="T"><dc:Bounds x="200" y="100" width="{width}" height="{height}" /></bpmndi:BPMNShape>
    <bpmndi:BPMNEdge id="F_di" bpmnElement="F"><di:waypoint x="136" y="140" /><di:waypoint x="200" y="140" /></bpmndi:BPMNEdge>
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>"""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
    xmlns:di="http://www.omg.org/spec/DD/20100524/DI" id="Defs" targetNamespace="urn:test">
  <bpmn:process id="P" isExecutable="true">
    <bpmn:startEvent id="S" name={quoted} />
    <bpmn:userTask id="T" name={quoted} />
    <bpmn:sequenceFlow id="F" sourceRef="S" targetRef="T" />
  </bpmn:process>{di if with_di else ""}
</bpmn:definitions>""".encode()


@pytest.fixture(scope="module")
def example_bpmn() -> bytes:
    return EXAMPLE.read_bytes()


@pytest.fixture(scope="module")
def example_svg(example_bpmn: bytes) -> bytes:
    return draw(example_bpmn)


def parse(svg: bytes) -> etree._Element:
    return etree.fromstring(svg, parser=etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))


def shape_groups(root: etree._Element) -> dict[str, etree._Element]:
    groups = root.findall(f".//{SVG}g[@data-element-id]")
    return {g.get("data-element-id"): g for g in groups if "shape" in g.get("class", "").split()}


def text_lines(node: etree._Element) -> list[str]:
    return ["".join(t.itertext()) for t in node.iter(f"{SVG}tspan")]


# --------------------------------------------------------------------------- example


def test_example_svg_has_a_shape_for_every_bpmn_shape(example_bpmn: bytes, example_svg: bytes) -> None:
    bpmn = etree.fromstring(example_bpmn)
    by_id = {el.get("id"): etree.QName(el).localname for el in bpmn.iter(f"{BPMN}*")}
    di_refs = [s.get("bpmnElement") for s in bpmn.iter(f"{BPMNDI}BPMNShape")]
    groups = shape_groups(parse(example_svg))

    assert sorted(groups) == sorted(di_refs)
    for ref in di_refs:
        g, kind = groups[ref], by_id[ref]
        assert f"bpmn-{kind}" in g.get("class").split()
        rects, circles = g.findall(f"{SVG}rect"), g.findall(f"{SVG}circle")
        if kind in TASKS:
            assert (len(rects), len(circles)) == (1, 0), ref
            assert rects[0].get("rx") == "10", "tasks have bpmn-js's rounded corners"
            assert len(g.findall(f"{SVG}path")) == 1, "user/service tasks carry their type glyph"
        elif kind == "boundaryEvent":
            assert (len(rects), len(circles)) == (0, 2), "boundary events are double circles"
            assert g.find(f"{SVG}path") is not None, "error boundary events carry the error glyph"
        elif kind == "exclusiveGateway":
            assert len(g.findall(f"{SVG}polygon")) == 1, "gateways are diamonds"
            assert g.find(f"{SVG}path") is not None, "the merge's DI asks for the X marker"
        else:
            assert (len(rects), len(circles)) == (0, 1), ref
    widths = {groups[r].find(f"{SVG}circle").get("stroke-width") for r in di_refs if by_id[r] == "endEvent"}
    assert widths == {"4"}, "end events have the thick ring"


def test_example_svg_contains_every_name(example_bpmn: bytes, example_svg: bytes) -> None:
    bpmn = etree.fromstring(example_bpmn)
    groups = shape_groups(parse(example_svg))
    drawn = text_lines(parse(example_svg))
    for shape in bpmn.iter(f"{BPMNDI}BPMNShape"):
        element = bpmn.find(f".//*[@id='{shape.get('bpmnElement')}']")
        name = element.get("name")
        if etree.QName(element).localname == "exclusiveGateway":  # the merge before Review: a join needs no name
            assert name is None and shape.find(f"{BPMNDI}BPMNLabel") is None
            continue
        assert name and name in drawn, name
        if etree.QName(element).localname in TASKS:  # task names are drawn inside the task
            assert text_lines(groups[element.get("id")]) == [name]


def test_example_view_box_is_union_of_bounds_plus_margin(example_bpmn: bytes, example_svg: bytes) -> None:
    bpmn = etree.fromstring(example_bpmn)
    xs, ys = [], []
    for b in bpmn.iter(f"{DC}Bounds"):
        x, y, w, h = (float(b.get(k)) for k in ("x", "y", "width", "height"))
        xs += [x, x + w]
        ys += [y, y + h]
    for p in bpmn.iter(f"{DI}waypoint"):
        xs.append(float(p.get("x")))
        ys.append(float(p.get("y")))
    expected = [min(xs) - 20, min(ys) - 20, max(xs) - min(xs) + 40, max(ys) - min(ys) + 40]

    root = parse(example_svg)
    assert [float(v) for v in root.get("viewBox").split()] == expected
    assert (float(root.get("width")), float(root.get("height"))) == (expected[2], expected[3])
    background = root.find(f"{SVG}rect")
    assert background.get("fill") == "#ffffff"
    assert [float(background.get(k)) for k in ("x", "y", "width", "height")] == expected


def test_example_flows_end_in_an_arrowhead(example_bpmn: bytes, example_svg: bytes) -> None:
    root = parse(example_svg)
    markers = {m.get("id"): m for m in root.iter(f"{SVG}marker")}
    lines = root.findall(f".//{SVG}g[@class='edge bpmn-sequenceFlow']/{SVG}polyline")
    assert len(lines) == len(etree.fromstring(example_bpmn).findall(f".//{BPMNDI}BPMNEdge"))
    for line in lines:
        ref = re.fullmatch(r"url\(#(.+)\)", line.get("marker-end") or "")
        assert ref and ref.group(1) in markers
        marker = markers[ref.group(1)]
        # The arrow's tip is the marker's reference point, so it lands on the last waypoint.
        tip = marker.find(f"{SVG}path").get("d").split("L")[1].split()
        assert (marker.get("refX"), marker.get("refY")) == (tip[0], tip[1])


def test_example_svg_is_self_contained(example_svg: bytes) -> None:
    root = parse(example_svg)
    assert root.getroottree().docinfo.doctype == "", "no DTD, so no entities"
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        assert etree.QName(el).localname not in ("script", "foreignObject", "image", "a", "style", "use"), el.tag
        for attr, value in el.attrib.items():
            local = etree.QName(attr).localname
            assert not local.lower().startswith("on"), f"event handler {attr}"
            if local == "href":
                assert value.startswith("#"), value
            for url in re.findall(r"url\(([^)]*)\)", value):
                assert url.startswith("#"), value
            assert "javascript:" not in value.lower()
    assert b"@import" not in example_svg and b"http://" not in example_svg.replace(b"http://www.w3.org/2000/svg", b"")
    assert {t.get("font-family") for t in root.iter(f"{SVG}text")} == {"Arial, Helvetica, sans-serif"}


def test_example_png_renders_at_view_box_size(example_svg: bytes) -> None:
    root = parse(example_svg)
    png = render_diagram_png(example_svg)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(png)).convert("L")
    assert image.size == (int(root.get("width")), int(root.get("height")))
    assert image.getpixel((0, 0)) == 255, "white background, not transparent/black"
    dark = sum(image.histogram()[:128])
    assert dark > 0.01 * image.size[0] * image.size[1], "the diagram is drawn, not blank"
    assert render_diagram_png(example_svg, scale=2)[:24] != png[:24]  # header carries the size
    assert Image.open(io.BytesIO(render_diagram_png(example_svg, scale=2))).size == (
        image.size[0] * 2,
        image.size[1] * 2,
    )


def test_rendering_is_deterministic(example_bpmn: bytes, example_svg: bytes) -> None:
    again = draw(bytes(example_bpmn))
    assert again == example_svg
    # Pretty-printing the input (different whitespace, same model) changes nothing.
    reformatted = etree.tostring(etree.fromstring(example_bpmn), pretty_print=True)
    assert draw(reformatted) == example_svg
    assert render_diagram_png(example_svg) == render_diagram_png(again)
    # Coordinates are rounded: no float noise such as 120.00000000001.
    assert not re.search(rb"\d\.\d{3,}", example_svg)


# --------------------------------------------------------------------------- text


def test_names_are_escaped_and_read_back_identical() -> None:
    name = 'A & <B> "C" 🚀 שלום'
    svg = draw(tiny_bpmn(name, width=300))
    assert b"<B>" not in svg, "markup in names must be escaped"
    root = parse(svg)
    groups = shape_groups(root)
    assert text_lines(groups["T"]) == [name], "task label, one line in a wide box"
    event_label = text_lines(root.find(f".//{SVG}g[@class='labels']"))
    assert " ".join(event_label) == name, "event label, wrapped at bpmn-js's 90px"


def test_wrapped_names_read_back_identical() -> None:
    name = 'A & <B> "C" 🚀 שלום'
    root = parse(draw(tiny_bpmn(name)))
    task = shape_groups(root)["T"]
    lines = text_lines(task)
    assert len(lines) > 1, "a 100px task wraps this name"
    assert " ".join(lines) == name
    # Nothing between the <tspan>s: indentation there would be drawn as text.
    assert "".join(task.find(f"{SVG}text").itertext()) == "".join(lines)


def test_long_task_names_stay_inside_the_box() -> None:
    name = "Supercalifragilisticexpialidocious " + "very long words in a task name " * 6
    root = parse(draw(tiny_bpmn(name)))
    task = shape_groups(root)["T"]
    rect = task.find(f"{SVG}rect")
    x, y, w, h = (float(rect.get(k)) for k in ("x", "y", "width", "height"))
    tspans = list(task.iter(f"{SVG}tspan"))
    assert 1 < len(tspans) <= 5
    assert tspans[-1].text.endswith("\u2026"), "text that does not fit is cut with an ellipsis"
    for tspan in tspans:
        assert text_width(tspan.text, 12) * FALLBACK_ALLOWANCE <= w - 2 * TASK_PADDING, tspan.text
        assert float(tspan.get("x")) == x + w / 2
        assert y + TASK_PADDING + 12 <= float(tspan.get("y")) <= y + h - TASK_PADDING, "baseline inside the box"


# --------------------------------------------------------------------------- errors


def test_bpmn_without_bpmndi_is_a_clear_value_error() -> None:
    with pytest.raises(ValueError, match="no BPMNDI"):
        draw(tiny_bpmn("Task", with_di=False))


def test_broken_input_is_a_value_error() -> None:
    with pytest.raises(CheckError, match="not well-formed"):  # the build's one parse refuses it
        draw(b"<bpmn:definitions")
    dangling = tiny_bpmn("Task").replace(b'bpmnElement="T"', b'bpmnElement="Nope"')
    with pytest.raises(ValueError, match="unknown bpmnElement 'Nope'"):
        draw(dangling)
