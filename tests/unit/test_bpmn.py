"""catalyst_gen.bpmn: the one hardened parser, the example's ids, the one rectangle; the build parses once."""

from __future__ import annotations

import re

import pytest
from helpers import REPO
from lxml import etree

from catalyst_gen import bpmn
from catalyst_gen.bpmn import IDS, NS, Rect, boundary_flow_id, boundary_id, error_id, parse_xml, read_bounds
from catalyst_gen.build import build_connector
from catalyst_gen.errors import CheckError
from catalyst_gen.library import Project
from catalyst_gen.output import read_tree


def refusal(data: bytes) -> str:
    with pytest.raises(CheckError) as caught:
        parse_xml(data, "doc.xml")
    assert len(caught.value.problems) == 1
    return caught.value.problems[0].message


# ------------------------------------------------------------------ parser


def test_parses_a_document_and_keeps_its_namespaces():
    root = parse_xml(
        b'<bpmn:definitions xmlns:bpmn="%s"><bpmn:process id="P"/></bpmn:definitions>' % NS["bpmn"].encode(), "x"
    )
    assert root.find("bpmn:process", NS).get("id") == "P"


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e "boom">]><a>&e;</a>',
        b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>',
        b'<!DOCTYPE a SYSTEM "http://127.0.0.1:9/a.dtd"><a/>',
        b"<!DOCTYPE a><a/>",
        b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><a>&b;</a>',
    ],
    ids=["internal-entity", "xxe-file", "external-dtd", "bare-doctype", "billion-laughs"],
)
def test_dtds_and_entities_are_refused(data):
    assert refusal(data) == "doc.xml: DTDs and entity declarations are not allowed"


def test_entities_are_never_expanded_even_before_the_refusal():
    """The parser itself does not expand entities: the refusal is a second wall, not the only one."""
    root = etree.fromstring(b'<!DOCTYPE a [<!ENTITY e "EXPANDED">]><a>&e;</a>', bpmn.hardened_parser())
    assert "EXPANDED" not in etree.tostring(root).decode()


def test_no_network_access_for_an_external_dtd_or_entity(listener):
    """A document that names a DTD and an external entity on a local server: the server is never asked."""
    url, requests = listener
    data = f'<!DOCTYPE a SYSTEM "{url}/a.dtd" [<!ENTITY y SYSTEM "{url}/y.txt">]><a>&y;</a>'.encode()
    assert "not allowed" in refusal(data)
    root = etree.fromstring(data, bpmn.hardened_parser())
    assert "fetched" not in etree.tostring(root).decode()
    assert requests == []


@pytest.mark.parametrize(
    "data, line, column",
    [
        (b"<a>\n  <b>\n</a>", 3, 5),
        (b"", 1, 1),
        (b"<svg", 1, 5),
    ],
    ids=["mismatched-tag", "empty", "cut-off"],
)
def test_syntax_errors_are_located_check_errors(data, line, column):
    message = refusal(data)
    assert message.startswith(f"doc.xml: not well-formed XML at line {line}, column {column}: "), message
    assert not re.search(r"line \d+, column \d+$", message), "lxml's own position suffix is not repeated"


def test_syntax_error_carries_a_hint():
    with pytest.raises(CheckError) as caught:
        parse_xml(b"<a>", "doc.xml")
    assert caught.value.problems[0].hint


# --------------------------------------------------------------------- ids


def test_example_ids_are_the_ones_the_committed_example_uses():
    root = parse_xml((REPO / "dist" / "together-ai" / "together-ai-example.bpmn").read_bytes(), "x")
    ids = {el.get("id") for el in root.iter() if isinstance(el.tag, str)}
    assert {IDS.start, IDS.configure, IDS.connector, IDS.review, IDS.end} <= ids
    assert {boundary_id("AUTH_FAILED"), boundary_flow_id("AUTH_FAILED"), error_id("AUTH_FAILED")} <= ids


# ---------------------------------------------------------------- geometry


def test_integer_rect_keeps_whole_pixels():
    r = Rect(152, 102, 36, 35)
    assert (r.right, r.bottom) == (188, 137)
    assert (r.pixel_cx, r.pixel_cy) == (170, 119)
    assert all(type(v) is int for v in (r.right, r.bottom, r.pixel_cx, r.pixel_cy))
    assert f"{r.pixel_cy}" == "119", "the layout writes these numbers into the BPMN as they are"


def test_exact_centre_is_a_float_and_differs_from_the_pixel_centre_on_odd_sizes():
    r = Rect(0, 0, 35, 35)
    assert (r.cx, r.cy) == (17.5, 17.5)
    assert (r.pixel_cx, r.pixel_cy) == (17, 17)
    f = Rect(0.5, 1.0, 2.0, 3.0)
    assert (f.right, f.bottom, f.cx, f.cy) == (2.5, 4.0, 1.5, 2.5)


@pytest.mark.parametrize(
    "other, overlaps",
    [
        (Rect(50, 50, 100, 100), True),
        (Rect(100, 0, 10, 10), False),  # touching edges only
        (Rect(0, 100, 10, 10), False),
        (Rect(20, 20, 10, 10), True),  # inside
        (Rect(200, 200, 1, 1), False),
        (Rect(99.5, 99.5, 1.0, 1.0), True),  # mixed int and float
    ],
)
def test_overlaps_is_symmetric_and_ignores_touching(other, overlaps):
    box = Rect(0, 0, 100, 100)
    assert box.overlaps(other) is overlaps
    assert other.overlaps(box) is overlaps


def test_read_bounds():
    node = etree.fromstring(f'<dc:Bounds xmlns:dc="{NS["dc"]}" x="1" y="2.5" width="3" height="4"/>')
    assert read_bounds(node) == Rect(1.0, 2.5, 3.0, 4.0)
    assert read_bounds(None) is None
    with pytest.raises(ValueError):
        read_bounds(etree.fromstring(f'<dc:Bounds xmlns:dc="{NS["dc"]}" x="one" y="2" width="3" height="4"/>'))
    with pytest.raises(ValueError):
        read_bounds(etree.fromstring(f'<dc:Bounds xmlns:dc="{NS["dc"]}" y="2" width="3" height="4"/>'))


# ------------------------------------------------------ one parse per build


def test_the_build_parses_the_example_once(monkeypatch):
    """Checks, the template/example agreement and the picture all share the one parsed tree.

    Every lxml entry point that could parse a document is wrapped; the calls
    that received the example's bytes are counted, whatever module made them.
    """
    project = Project(REPO)
    expected = read_tree(REPO / "dist" / "together-ai")["together-ai-example.bpmn"]
    parsed: list[str] = []

    def counting(name, real):
        def wrapper(source, *args, **kwargs):
            text = source.encode() if isinstance(source, str) else source
            if isinstance(text, bytes) and text == expected:
                parsed.append(name)
            return real(source, *args, **kwargs)

        return wrapper

    for name in ("fromstring", "XML", "parse"):
        monkeypatch.setattr(etree, name, counting(name, getattr(etree, name)))
    built = build_connector(project, "together-ai")
    assert built.files["together-ai-example.bpmn"] == expected
    assert built.files["together-ai-example.svg"] == read_tree(REPO / "dist" / "together-ai")["together-ai-example.svg"]
    assert parsed == ["fromstring"]


def test_the_build_hands_the_parsed_tree_to_checks_and_picture(monkeypatch):
    """The tree check_artifacts receives is the very tree the picture is drawn from."""
    import catalyst_gen.build as build_module
    from catalyst_gen.render import Renderer

    seen: dict[str, object] = {}
    real_check, real_picture = build_module.check_artifacts, Renderer.picture

    def check(connector, files, example):
        seen["checks"] = example
        return real_check(connector, files, example)

    def picture(example, name):
        seen["picture"] = example
        return real_picture(example, name)

    monkeypatch.setattr(build_module, "check_artifacts", check)
    monkeypatch.setattr(Renderer, "picture", staticmethod(picture))
    build_connector(Project(REPO), "ollama")
    assert seen["checks"] is seen["picture"]
    assert isinstance(seen["checks"], etree._Element)
