"""Every artifact check passes on the real artifacts and fails on a broken one."""

from __future__ import annotations

import base64
import json
import re

import pytest
from helpers import REPO

from catalyst_gen.bpmn import parse_xml
from catalyst_gen.checks.bpmn import check_bpmn
from catalyst_gen.checks.svg import check_svg
from catalyst_gen.checks.template import check_agreement, check_element_template
from catalyst_gen.errors import CheckError

DIST = REPO / "dist" / "together-ai"
BPMN = (DIST / "together-ai-example.bpmn").read_bytes()
SVG = (DIST / "together-ai.svg").read_bytes()
TEMPLATE = (DIST / "together-ai.element.json").read_bytes()
TEMPLATE_ID = json.loads(TEMPLATE)["id"]
TEMPLATE_VERSION = json.loads(TEMPLATE)["version"]
CODES = ("AUTH_FAILED", "RATE_LIMITED", "INVALID_REQUEST")


def bpmn_problems(data: bytes, version: int = TEMPLATE_VERSION, codes=CODES):
    """Parse the way the build does (once, with bpmn.parse_xml), then run the BPMN checks."""
    try:
        root = parse_xml(data, "x.bpmn")
    except CheckError as exc:
        return [p.message for p in exc.problems]
    return [
        p.message
        for p in check_bpmn(root, "x.bpmn", template_id=TEMPLATE_ID, template_version=version, error_codes=codes)
    ]


def test_real_bpmn_passes():
    assert bpmn_problems(BPMN) == []


def mutate(old: str, new: str, count: int = 1) -> bytes:
    text = BPMN.decode()
    assert old in text, old
    return text.replace(old, new, count).encode()


@pytest.mark.parametrize(
    "data, expected",
    [
        (BPMN[:-30], "not well-formed"),
        (mutate('targetRef="Task_Review" />', 'targetRef="Task_Nowhere" />'), "does not resolve"),
        (
            mutate(
                f'camunda:modelerTemplateVersion="{TEMPLATE_VERSION}"',
                f'camunda:modelerTemplateVersion="{TEMPLATE_VERSION + 1}"',
            ),
            "modelerTemplateVersion",
        ),
        (mutate('camunda:modelerTemplate="com.', 'camunda:modelerTemplate="org.'), "camunda:modelerTemplate is"),
        (mutate('isExecutable="true"', 'isExecutable="false"'), "not executable"),
        (mutate(' camunda:historyTimeToLive="P30D"', ""), "historyTimeToLive"),
        (mutate('<bpmndi:BPMNShape id="Task_Review_di"', '<bpmndi:BPMNShape id="Task_Review_di_gone"'), None),
    ],
    ids=[
        "malformed",
        "dangling-flow",
        "template-version",
        "template-id",
        "not-executable",
        "no-ttl",
        "renamed-shape-id",
    ],
)
def test_broken_bpmn_fails(data, expected):
    problems = bpmn_problems(data)
    if expected is None:  # renaming a DI id alone is harmless: the check must not be fooled either way
        assert problems == []
    else:
        assert any(expected in p for p in problems), problems


def test_missing_boundary_for_a_code_fails():
    assert any(
        "RATE_LIMITED is not caught" in p
        for p in bpmn_problems(BPMN, codes=CODES + ("NEW_CODE",))
        + bpmn_problems(mutate('errorRef="Error_RATE_LIMITED"', 'errorRef="Error_AUTH_FAILED"'))
    )


def test_boundary_that_does_not_reach_review_fails():
    data = mutate(
        'sourceRef="BoundaryEvent_AUTH_FAILED" targetRef="Gateway_Merge"',
        'sourceRef="BoundaryEvent_AUTH_FAILED" targetRef="EndEvent"',
    )
    assert any("BoundaryEvent_AUTH_FAILED does not lead to Task_Review" in p for p in bpmn_problems(data))


def test_flows_joining_outside_a_gateway_fail():
    """A boundary flow straight into Review makes Review an uncontrolled merge (bpmnlint's fake-join)."""
    data = mutate(
        'sourceRef="BoundaryEvent_AUTH_FAILED" targetRef="Gateway_Merge"',
        'sourceRef="BoundaryEvent_AUTH_FAILED" targetRef="Task_Review"',
    )
    assert any("Task_Review has 2 incoming flows" in p for p in bpmn_problems(data))


def test_merge_that_can_route_elsewhere_fails():
    """A second way out of the merge means an error is no longer sure to reach Review."""
    data = mutate(
        '<bpmn:sequenceFlow id="Flow_Merge_Review" sourceRef="Gateway_Merge" targetRef="Task_Review" />',
        '<bpmn:sequenceFlow id="Flow_Merge_Review" sourceRef="Gateway_Merge" targetRef="Task_Review" />'
        '<bpmn:sequenceFlow id="Flow_Merge_End" sourceRef="Gateway_Merge" targetRef="EndEvent" />',
    )
    problems = bpmn_problems(data)
    assert any("merging gateway Gateway_Merge must have one unconditional outgoing flow" in p for p in problems)
    assert any("BoundaryEvent_AUTH_FAILED does not lead to Task_Review" in p for p in problems)
    conditional = mutate(
        '<bpmn:sequenceFlow id="Flow_Merge_Review" sourceRef="Gateway_Merge" targetRef="Task_Review" />',
        '<bpmn:sequenceFlow id="Flow_Merge_Review" sourceRef="Gateway_Merge" targetRef="Task_Review">'
        '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">${ok}</bpmn:conditionExpression>'
        "</bpmn:sequenceFlow>",
    )
    assert any("must have one unconditional outgoing flow" in p for p in bpmn_problems(conditional))


def _label_bounds(text: str, element: str, **changes: str) -> str:
    """``text`` with attributes of ``element``'s DI label bounds replaced."""
    pattern = (
        rf'(<bpmndi:BPMNShape id="{element}_di"[^>]*>\s*<dc:Bounds [^>]*/>\s*<bpmndi:BPMNLabel>\s*<dc:Bounds )([^>]*)/>'
    )
    match = re.search(pattern, text)
    assert match, element
    attrs = match.group(2)
    for key, value in changes.items():
        attrs = re.sub(rf'{key}="[^"]*"', f'{key}="{value}"', attrs)
    return text[: match.start(2)] + attrs + text[match.end(2) :]


def test_label_too_narrow_for_its_word_fails():
    """bpmn-js wraps an imported label at its DI width: 90px (its default box) cuts INVALID_REQUEST (102px) in two."""
    narrow = _label_bounds(BPMN.decode(), "BoundaryEvent_INVALID_REQUEST", width="90")
    problems = bpmn_problems(narrow.encode())
    assert any("label of BoundaryEvent_INVALID_REQUEST is 90px wide" in p and "in two" in p for p in problems)
    short = _label_bounds(BPMN.decode(), "StartEvent", height="9")
    assert any("label of StartEvent is 9px high" in p for p in bpmn_problems(short.encode()))


def test_flow_through_a_label_fails():
    text = BPMN.decode()
    flow = re.search(r'<bpmndi:BPMNEdge id="Flow_AUTH_FAILED_Merge_di".*?</bpmndi:BPMNEdge>', text, flags=re.S)
    assert flow
    y = re.findall(r'<di:waypoint x="\d+" y="(\d+)" />', flow.group(0))[1]
    moved = _label_bounds(text, "BoundaryEvent_AUTH_FAILED", y=str(int(y) - 7))
    assert any(
        "Flow_AUTH_FAILED_Merge runs through the label of BoundaryEvent_AUTH_FAILED" in p
        for p in bpmn_problems(moved.encode())
    )


def test_review_without_end_fails():
    data = mutate('targetRef="EndEvent" />', 'targetRef="Task_Configure" />')
    assert any("does not reach an end event" in p for p in bpmn_problems(data))


def test_missing_shape_and_edge_fail():
    text = BPMN.decode()
    no_shape = re.sub(r'<bpmndi:BPMNShape id="Task_Review_di".*?</bpmndi:BPMNShape>', "", text, flags=re.S).encode()
    assert any("Task_Review has no diagram shape" in p for p in bpmn_problems(no_shape))
    no_edge = re.sub(r'<bpmndi:BPMNEdge id="Flow_Review_End_di".*?</bpmndi:BPMNEdge>', "", text, flags=re.S).encode()
    assert any("Flow_Review_End has no diagram edge" in p for p in bpmn_problems(no_edge))


def test_overlapping_shapes_fail():
    text = BPMN.decode()
    moved = re.sub(
        r'(<bpmndi:BPMNShape id="Task_Review_di" bpmnElement="Task_Review">\s*<dc:Bounds )x="\d+"',
        lambda m: m.group(1) + 'x="250"',
        text,
    )
    assert moved != text
    assert any("overlap" in p for p in bpmn_problems(moved.encode()))


def test_xsd_violation_fails():
    data = mutate("<bpmn:startEvent ", '<bpmn:startEvent bogus="1" ')
    assert any("BPMN 2.0 XSD" in p for p in bpmn_problems(data))
    data = mutate("<bpmn:outgoing>Flow_Start_Configure</bpmn:outgoing>\n    </bpmn:startEvent>", "</bpmn:startEvent>")
    data = data.replace(
        b'<bpmn:startEvent id="StartEvent" name="Start">',
        b'<bpmn:startEvent id="StartEvent" name="Start"><bpmn:outgoing>Flow_Start_Configure</bpmn:outgoing><bpmn:documentation>late</bpmn:documentation>',
    )
    assert any("BPMN 2.0 XSD" in p for p in bpmn_problems(data))


def test_entities_are_refused():
    data = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]>' + BPMN.split(b"?>", 1)[1]
    assert any("entity" in p or "DTD" in p for p in bpmn_problems(data))


# ---------------------------------------------------------------- SVG


def svg_problems(data: bytes):
    return [p.message for p in check_svg(data, "logo.svg")]


def test_real_svg_passes():
    assert svg_problems(SVG) == []


def svg(body: str, attrs: str = 'width="64" height="64" viewBox="0 0 64 64"') -> bytes:
    return f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" {attrs}>{body}</svg>'.encode()


RECT = '<rect width="64" height="64" fill="#123456"/>'


@pytest.mark.parametrize(
    "data, expected",
    [
        (svg(RECT + "<script>alert(1)</script>"), "<script> is not allowed"),
        (svg('<rect width="64" height="64" fill="#123" onload="x()"/>'), "event handler"),
        (svg(RECT + '<image href="https://evil.example/x.png" width="10" height="10"/>'), "external reference"),
        (svg(RECT + '<a xlink:href="javascript:alert(1)"><rect width="1" height="1"/></a>'), "javascript:"),
        (svg(RECT + "<foreignObject><div/></foreignObject>"), "<foreignObject> is not allowed"),
        (
            svg(RECT + "<style>@import url(https://x/y.css);</style>"),
            "would load something from outside the logo: @import",
        ),
        (svg(RECT, 'width="128" height="128" viewBox="0 0 128 128"'), "not 64x64"),
        (svg(RECT, 'width="64" height="64"'), "no viewBox"),
        (svg(""), "renders blank"),
        (b"<svg", "not well-formed"),
        (
            b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64"><text>&b;</text></svg>',
            "not allowed",
        ),
    ],
    ids=[
        "script",
        "onload",
        "external-href",
        "javascript",
        "foreignObject",
        "import",
        "size",
        "viewbox",
        "blank",
        "malformed",
        "entities",
    ],
)
def test_bad_svg_fails(data, expected):
    problems = svg_problems(data)
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize(
    "data, message, hint",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "this is a PNG image, not an SVG", "export or trace the logo as SVG"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "this is a JPEG image, not an SVG", "as SVG"),
        (
            b'<svg width="64" height="64" viewBox="0 0 64 64">' + RECT.encode() + b"</svg>",
            "not an SVG <svg> in the SVG namespace",
            'add xmlns="http://www.w3.org/2000/svg"',
        ),
        (svg(RECT, 'viewBox="0 0 64 64"'), "the logo has no width and height, not 64x64", 'set width="64"'),
    ],
    ids=["png", "jpeg", "no-xmlns", "no-size"],
)
def test_a_logo_that_is_not_what_it_should_be_says_what_it_is(data, message, hint):
    (problem,) = check_svg(data, "logo.svg")
    assert message in problem.message and hint in (problem.hint or ""), problem.format()
    assert "None" not in problem.message


# ---------------------------------------------------- element template


def template_problems(data: bytes, svg_bytes: bytes = SVG):
    return [p.message for p in check_element_template(data, "t.json", svg=svg_bytes)]


def test_real_template_passes():
    assert template_problems(TEMPLATE) == []


def test_template_without_label_or_wrong_icon_fails():
    doc = json.loads(TEMPLATE)
    visible = next(p for p in doc["properties"] if p["type"] != "Hidden")
    del visible["label"]
    assert any("has no label" in p for p in template_problems(json.dumps(doc).encode()))
    assert any("icon.contents" in p for p in template_problems(TEMPLATE, svg_bytes=SVG + b" "))


def test_template_and_example_must_agree():
    assert check_agreement(TEMPLATE, parse_xml(BPMN, "x"), "x") == []
    doc = json.loads(TEMPLATE)
    timeout = next(p for p in doc["properties"] if p["binding"]["name"] == "timeoutSeconds")
    timeout["value"] = "61"
    problems = [p.message for p in check_agreement(json.dumps(doc).encode(), parse_xml(BPMN, "x"), "x")]
    assert any("timeoutSeconds" in p for p in problems), problems
    icon = base64.b64decode(json.loads(TEMPLATE)["icon"]["contents"].split(",", 1)[1])
    assert icon == SVG


def test_non_numeric_or_missing_bounds_are_reported_not_raised():
    text = BPMN.decode()
    broken = re.sub(
        r'(<bpmndi:BPMNShape id="Task_Review_di" bpmnElement="Task_Review">\s*<dc:Bounds )x="\d+"',
        lambda m: m.group(1) + 'x="wide"',
        text,
    )
    assert broken != text
    assert any("Task_Review has dc:Bounds without numeric" in p for p in bpmn_problems(broken.encode()))
    no_bounds = re.sub(
        r'(<bpmndi:BPMNShape id="Task_Review_di" bpmnElement="Task_Review">)\s*<dc:Bounds [^>]*/>', r"\1", text
    )
    assert no_bounds != text
    assert any("shape of Task_Review has no bounds" in p for p in bpmn_problems(no_bounds.encode()))


def test_validation_reuses_the_svg_rules_without_the_artifact_stage():
    """validate imports checks.svg; that must not load the BPMN/template checks, the XSD or cairosvg."""
    import subprocess
    import sys

    code = (
        "import sys, catalyst_gen.validate, catalyst_gen.checks\n"
        "from catalyst_gen.checks.svg import check_svg\n"
        "heavy = {'catalyst_gen.checks.bpmn', 'catalyst_gen.checks.template', 'SpiffWorkflow', 'cairosvg'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]", result.stdout


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("", "fully transparent"),
        ('<rect width="64" height="64" fill="#336699"/>', "one flat colour"),
        ('<rect width="64" height="64" fill="#336699" fill-opacity="0"/>', "fully transparent"),
        ('<rect width="64" height="64" fill="#336699"/><circle cx="32" cy="32" r="16" fill="#ffffff"/>', None),
        ('<circle cx="32" cy="32" r="16" fill="#ffffff"/>', None),  # drawn on transparency: two colours
    ],
    ids=["empty", "flat", "invisible", "drawn", "drawn-on-transparent"],
)
def test_the_render_check_reads_the_drawn_pixels(body, expected):
    from catalyst_gen.checks.svg import _check_render

    problems = _check_render(svg(body), "logo.svg")
    if expected is None:
        assert problems == []
    else:
        assert len(problems) == 1 and expected in problems[0].message
