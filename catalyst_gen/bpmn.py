"""The BPMN/XML vocabulary every stage shares: namespaces, the one safe parser, element ids, rectangles.

Before this module the hardened parser was set up in four places and the
namespaces declared in three; a parser option forgotten in one of them is a
hole (XXE, billion laughs). So:

* :func:`parse_xml` is the only way the tool reads XML it did not build
  itself: no DTD, no entity expansion, no network, no huge trees, and a syntax
  error becomes a located :class:`~catalyst_gen.errors.CheckError`, never a
  traceback.
* :class:`ExampleIds` names the elements of the example process once; the
  BPMN template, the layout and the checks all read them from here.
* :class:`Rect` is the one rectangle (a ``dc:Bounds``).  The layout computes
  in whole pixels and writes its numbers into the BPMN, the picture reads the
  BPMN back as floats: both use ``Rect``, and the two ways of taking a centre
  are two explicitly named properties (:attr:`Rect.pixel_cx` rounds down to a
  whole pixel, :attr:`Rect.cx` is exact), so a layout never writes
  ``x="152.5"`` and a picture never loses half a pixel.

lxml is imported only when something is parsed, so the ids and the geometry
cost nothing to import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from .errors import CheckError, Problem

if TYPE_CHECKING:
    from lxml import etree

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DI_NS = "http://www.omg.org/spec/DD/20100524/DI"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"

NS = {
    "bpmn": BPMN_NS,
    "bpmndi": BPMNDI_NS,
    "dc": DC_NS,
    "di": DI_NS,
    "camunda": CAMUNDA_NS,
    "svg": SVG_NS,
    "xlink": XLINK_NS,
}
"""Prefix -> namespace, for ``find``/``findall``/``iterfind`` paths such as ``bpmn:process``."""


def qname(prefix: str, local: str) -> str:
    """Clark notation for lxml: ``qname("camunda", "class")`` -> ``{http://camunda.org/...}class``."""
    return f"{{{NS[prefix]}}}{local}"


# --------------------------------------------------------------------- parsing


def hardened_parser() -> etree.XMLParser:
    """No DTD loading, no entity expansion, no network, no huge trees: hostile XML stays inert.

    A new parser per call: lxml parsers keep state and must not be shared
    between threads.
    """
    from lxml import etree

    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )


_LXML_POSITION = re.compile(r",? line \d+, column \d+$")


def parse_xml(data: bytes, name: str) -> etree._Element:
    """Parse ``data`` (called ``name`` in messages) or raise one located :class:`CheckError`.

    Refuses documents with a DTD or entity declarations outright, even though
    the parser would not expand them: an artifact or logo that needs them is
    either broken or an attack, and both deserve a clear message.
    """
    from lxml import etree

    try:
        root = etree.fromstring(data, hardened_parser())
    except etree.XMLSyntaxError as exc:
        line, column = exc.position
        reason = _LXML_POSITION.sub("", exc.msg or str(exc))
        raise CheckError(
            Problem(
                f"{name}: not well-formed XML at line {line}, column {column}: {reason}",
                hint="look near that line for a cut-off end, an unclosed tag or an unescaped & or <",
                code="CG410",
            )
        ) from None
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.doctype or docinfo.system_url or b"<!ENTITY" in data:
        raise CheckError(
            Problem(
                f"{name}: DTDs and entity declarations are not allowed",
                hint="remove the <!DOCTYPE ...> line: entities are how XML files read local files (XXE) or expand to gigabytes",
                code="CG410",
            )
        )
    return root


# ------------------------------------------------------------ the example's ids


@dataclass(frozen=True)
class ExampleIds:
    """Element ids of the example process, shared by the BPMN template, the layout and the checks.

    ``merge`` is the exclusive gateway every path into Review goes through (the
    connector's normal flow and each boundary error flow): a task with several
    incoming flows is an uncontrolled merge, which bpmnlint reports as a
    "fake join".
    """

    start: str = "StartEvent"
    configure: str = "Task_Configure"
    connector: str = "Task_Connector"
    merge: str = "Gateway_Merge"
    review: str = "Task_Review"
    end: str = "EndEvent"
    start_to_configure: str = "Flow_Start_Configure"
    configure_to_connector: str = "Flow_Configure_Connector"
    connector_to_merge: str = "Flow_Connector_Merge"
    merge_to_review: str = "Flow_Merge_Review"
    review_to_end: str = "Flow_Review_End"


IDS = ExampleIds()


def boundary_id(code: str) -> str:
    """The boundary error event on the connector task that catches ``code``."""
    return f"BoundaryEvent_{code}"


def boundary_flow_id(code: str) -> str:
    """The sequence flow from that boundary event to the merging gateway before the review task."""
    return f"Flow_{code}_Merge"


def error_id(code: str) -> str:
    """The ``bpmn:error`` that declares ``code``."""
    return f"Error_{code}"


# -------------------------------------------------------------------- geometry

Number = TypeVar("Number", int, float)


@dataclass(frozen=True)
class Rect(Generic[Number]):
    """An axis-aligned rectangle in diagram coordinates (a ``dc:Bounds``).

    ``Rect[int]`` is what the layout computes (whole pixels, so the BPMN it
    writes says ``x="152"``); ``Rect[float]`` is what a ``dc:Bounds`` read
    back from any BPMN holds.  Edges and :meth:`overlaps` keep the number
    type; the centre comes in two explicit flavours, see :attr:`cx` and
    :attr:`pixel_cx`.
    """

    x: Number
    y: Number
    width: Number
    height: Number

    @property
    def right(self) -> Number:
        return self.x + self.width

    @property
    def bottom(self) -> Number:
        return self.y + self.height

    @property
    def cx(self) -> float:
        """The exact horizontal centre (what a drawing needs)."""
        return self.x + self.width / 2

    @property
    def cy(self) -> float:
        """The exact vertical centre."""
        return self.y + self.height / 2

    @property
    def pixel_cx(self) -> Number:
        """The horizontal centre rounded down to a whole pixel (what the layout writes into the BPMN)."""
        return self.x + self.width // 2

    @property
    def pixel_cy(self) -> Number:
        """The vertical centre rounded down to a whole pixel."""
        return self.y + self.height // 2

    def overlaps(self, other: Rect) -> bool:
        """The interiors intersect; rectangles that only touch do not overlap."""
        return self.x < other.right and other.x < self.right and self.y < other.bottom and other.y < self.bottom


def read_bounds(node: etree._Element | None) -> Rect[float] | None:
    """The ``Rect`` of a ``dc:Bounds`` element (``None`` for no element).

    Raises ``ValueError`` when an attribute is missing or not a number; the
    caller knows which shape it was reading and says so.
    """
    if node is None:
        return None
    x, y, width, height = (float(node.get(attr, "")) for attr in ("x", "y", "width", "height"))
    return Rect(x, y, width, height)
