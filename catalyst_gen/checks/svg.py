"""The logo rules: a 64x64 SVG that is inert inside Camunda Modeler and renders non-blank.

Used twice: on every built ``<id>.svg`` artifact, and by ``validate`` on a
logo file a connector supplies (so a bad logo is reported at ``logo.file`` in
the spec).  Importing this module loads lxml only; cairosvg and Pillow are
imported when a logo is actually rendered.
"""

from __future__ import annotations

import re

from lxml import etree

from ..bpmn import NS, parse_xml
from ..errors import CheckError, Problem, ProblemList

_EXTERNAL = re.compile(r"^\s*(?!#)(?:[a-z][a-z0-9+.-]*:|//)", re.I)
_LOCAL_HREF = re.compile(r"^\s*(?:#[^\s]*|data:image/(?:png|jpeg|gif|webp)[;,][^\s]*)\s*$", re.I)
FORBIDDEN_ELEMENTS = {"script", "foreignObject", "iframe", "embed", "object", "audio", "video", "handler", "listener"}
ANIMATIONS = {"set", "animate", "animateMotion", "animateTransform", "animateColor"}
_DATA_IMAGE = re.compile(r"^\s*data:image/(png|jpeg|gif|webp)(;base64)?,(.*)$", re.I | re.S)
MAX_IMAGE_PIXELS = 512 * 512
"""Pixels (width x height x frames) a bitmap embedded in a logo may decode to.

A logo is 64x64; a few hundred bytes of PNG, GIF or WebP can declare 50,000 x
50,000 pixels that the Modeler, a browser or cairo would then allocate."""
_URL_ATTRIBUTES = {"href", "src", "values", "from", "to", "by"}
"""Attributes whose value is a URL, or becomes one through an animation; other attributes are text
(a connector named ``javascript: the guide`` puts that in ``aria-label``, harmlessly)."""
MAX_SVG_ELEMENTS = 5_000
"""Elements after expanding ``<use>`` references; a logo needs a few dozen."""


def _expanded_size(root: etree._Element) -> int | None:
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
    image = _bitmap_kind(data)
    if image:
        return [
            Problem(
                f"{name}: this is a {image} image, not an SVG",
                hint="a logo is a 64x64 SVG (vector) file: export or trace the logo as SVG",
                code="CG421",
            )
        ]
    try:
        root = parse_xml(data, name)
    except CheckError as exc:
        return exc.problems
    if root.tag != f"{{{NS['svg']}}}svg":
        hint = (
            f'add xmlns="{NS["svg"]}" to the <svg> element'
            if root.tag == "svg"
            else "the file must be an SVG image: its root element is <svg>"
        )
        return [Problem(f"{name}: the root element is not an SVG <svg> in the SVG namespace", hint=hint, code="CG421")]
    problems = ProblemList()
    _check_size(root, name, problems)
    _check_stylesheet_instructions(root, name, problems)
    for el in root.iter():
        if isinstance(el.tag, str):
            _check_element(el, name, problems)
        elif isinstance(el, etree._ProcessingInstruction) and "stylesheet" in (el.target or ""):
            problems.add(f"{name}: external stylesheet processing instruction", code="CG420")
    _check_use_expansion(root, name, problems)
    if problems or not render:
        return problems.problems
    return _check_render(data, name)


_BITMAP_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"GIF87a": "GIF",
    b"GIF89a": "GIF",
    b"BM": "BMP",
}


def _bitmap_kind(data: bytes) -> str | None:
    """The kind of bitmap ``data`` starts like (a renamed ``logo.png``), or None."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WebP"
    return next((kind for magic, kind in _BITMAP_SIGNATURES.items() if data.startswith(magic)), None)


def _check_size(root: etree._Element, name: str, problems: ProblemList) -> None:
    """``width="64" height="64"`` and a square viewBox."""
    view_box = (root.get("viewBox") or "").replace(",", " ").split()
    width, height = root.get("width"), root.get("height")
    if len(view_box) != 4:
        problems.add(f"{name}: the logo has no viewBox", hint='add viewBox="0 0 64 64"', code="CG421")
    else:
        try:
            vb_w, vb_h = float(view_box[2]), float(view_box[3])
        except ValueError:
            vb_w = vb_h = 0
        if vb_w <= 0 or vb_w != vb_h:
            problems.add(
                f"{name}: the viewBox {root.get('viewBox')!r} is not square",
                hint="a logo must scale cleanly to 64x64",
                code="CG421",
            )
    if (width, height) != ("64", "64"):
        size = "has no width and height" if width is None and height is None else f"is {width}x{height}"
        problems.add(
            f"{name}: the logo {size}, not 64x64",
            hint='set width="64" height="64" (keep the viewBox: any square viewBox scales cleanly)',
            code="CG421",
        )


def _check_stylesheet_instructions(root: etree._Element, name: str, problems: ProblemList) -> None:
    """``<?xml-stylesheet?>`` before the root would make a viewer fetch CSS."""
    for sibling in root.itersiblings(preceding=True):
        if isinstance(sibling, etree._ProcessingInstruction) and "stylesheet" in (sibling.target or ""):
            problems.add(
                f"{name}: external stylesheet processing instruction <?{sibling.target!s} ...?>",
                hint="put styles inline in the SVG",
                code="CG420",
            )


def _check_element(el: etree._Element, name: str, problems: ProblemList) -> None:
    """No active content: forbidden elements, link-changing animations, handlers, external resources."""
    local = etree.QName(el).localname
    if local in FORBIDDEN_ELEMENTS:
        problems.add(
            f"{name}: <{local}> is not allowed in a logo",
            hint="logos are rendered inside Camunda Modeler: no active content",
            code="CG420",
        )
    if local in ANIMATIONS and (el.get("attributeName") or "").split(":")[-1].lower() == "href":
        problems.add(
            f"{name}: <{local}> changes a link (attributeName={el.get('attributeName')!r})",
            hint="logos are rendered inside Camunda Modeler: no active content",
            code="CG420",
        )
    for attr, value in el.attrib.items():
        if attr == XML_BASE:
            problems.add(
                f"{name}: xml:base on <{local}> would make relative references load from elsewhere", code="CG420"
            )
            continue
        _check_attribute(etree.QName(attr).localname, str(value), local, name, problems)
    if local == "style" and el.text:
        for what in stylesheet_loads(el.text):
            problems.add(
                f"{name}: <style> would load something from outside the logo: {what}",
                hint="only url(#id) references inside the SVG are allowed; no @-rules, fonts or imports",
                code="CG420",
            )


def _check_attribute(attr_local: str, value: str, local: str, name: str, problems: ProblemList) -> None:
    """Event handlers, ``javascript:`` URLs, and links or ``url()``s that leave the file."""
    if attr_local.lower().startswith("on"):
        problems.add(f"{name}: event handler attribute {attr_local} on <{local}>", code="CG420")
    is_javascript = attr_local in _URL_ATTRIBUTES and "javascript:" in value.lower().replace(" ", "")
    if attr_local == "href" and not _LOCAL_HREF.match(value) and not is_javascript:
        what = (
            "external reference"
            if _EXTERNAL.match(value) or value.strip().startswith("/")
            else "external reference (a file path)"
        )
        problems.add(
            f"{name}: {what} {value[:60]!r} on <{local}>",
            hint="embed everything; only #fragment links and data:image/png|jpeg|gif|webp are allowed",
            code="CG420",
        )
    if is_javascript:
        problems.add(f"{name}: javascript: URL in {attr_local} on <{local}>", code="CG420")
    image = _DATA_IMAGE.match(value) if attr_local == "href" else None
    if image:
        problem = bitmap_problem(image.group(1).lower(), bool(image.group(2)), image.group(3))
        if problem:
            problems.add(f"{name}: inline image on <{local}>: {problem}", hint=_BITMAP_HINT, code="CG421")
    if attr_local != "href":
        loads = declarations_load(value) if attr_local == "style" else value_loads(value)
        for what in loads:
            problems.add(
                f"{name}: {attr_local} on <{local}> would load something from outside the logo: {what}",
                hint="only url(#id) references inside the SVG are allowed",
                code="CG420",
            )


_BITMAP_HINT = (
    f"embed a small base64 PNG/JPEG/GIF/WebP (at most {MAX_IMAGE_PIXELS:,} pixels) or draw the logo as vectors"
)


def bitmap_problem(kind: str, is_base64: bool, payload: str) -> str | None:
    """Why an inline bitmap declared as ``image/<kind>`` is refused, or ``None``.

    Only its header is read (Pillow opens lazily): the data must really be
    that format (gzip or an SVG labelled ``image/png`` is refused), and its
    decoded size, frames included, must stay under :data:`MAX_IMAGE_PIXELS`.
    """
    import base64
    import binascii
    import io
    import warnings

    from PIL import Image

    if not is_base64:
        return "the data is not base64 (write data:image/<type>;base64,...)"
    try:
        raw = base64.b64decode("".join(payload.split()), validate=True)
    except (binascii.Error, ValueError):
        return "the base64 data does not decode"
    expected = {"png": "PNG", "jpeg": "JPEG", "gif": "GIF", "webp": "WEBP"}[kind]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw), formats=[expected]) as picture:
                width, height = picture.size
                frames = getattr(picture, "n_frames", 1) if width * height <= MAX_IMAGE_PIXELS else 1
    except Image.DecompressionBombError:
        return f"the {expected} declares more than {MAX_IMAGE_PIXELS:,} pixels (a decompression bomb)"
    except Exception:  # Pillow raises many types for data that is not the format it claims
        return f"the data is not a {expected} image (it says image/{kind})"
    if width * height * frames > MAX_IMAGE_PIXELS:
        frames_text = f" x {frames} frames" if frames > 1 else ""
        return f"the {expected} is {width}x{height} pixels{frames_text}; the limit is {MAX_IMAGE_PIXELS:,} (a decompression bomb)"
    return None


# ------------------------------------------------------------------ CSS, parsed

XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"

LOADING_FUNCTIONS = {"url", "src", "image", "image-set", "-webkit-image-set", "cross-fade", "element", "paint"}
"""CSS functions that fetch or reference a resource; only ``url(#id)`` stays inside the file."""


def stylesheet_loads(text: str) -> list[str]:
    """What a ``<style>`` sheet would load, from its parsed tokens (escapes and comments resolved).

    Parsing with tinycss2 sees what a renderer sees: ``@\\69mport``, ``\\75 rl(``
    and ``/**/@import`` are the at-rule and the function they spell, not text
    a pattern could miss.  A logo needs no at-rule at all, so every one is refused.
    """
    import tinycss2

    found = []
    for rule in tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True):
        if rule.type == "at-rule":
            found.append(f"@{rule.lower_at_keyword}")
        elif rule.type == "qualified-rule":
            found += _tokens_load(rule.prelude) + declarations_load(tinycss2.serialize(rule.content))
    return found


def declarations_load(text: str) -> list[str]:
    """What a ``style=""`` attribute (a declaration list) would load."""
    import tinycss2

    found = []
    for item in tinycss2.parse_declaration_list(text, skip_comments=True, skip_whitespace=True):
        if item.type == "at-rule":
            found.append(f"@{item.lower_at_keyword}")
        elif item.type == "declaration":
            found += _tokens_load(item.value)
    return found


def value_loads(text: str) -> list[str]:
    """What a presentation attribute (``fill``, ``filter``, ``mask``...) would load: it is a CSS value."""
    if "(" not in text and "\\" not in text and "@" not in text:
        return []  # no function, escape or at-keyword: nothing can load (the common case, kept cheap)
    import tinycss2

    return _tokens_load(tinycss2.parse_component_value_list(text, skip_comments=True))


def _tokens_load(tokens: list) -> list[str]:
    found = []
    for token in tokens:
        kind = getattr(token, "type", "")
        if kind == "url" and not token.value.strip().startswith("#"):
            found.append(f"url({token.value[:60]})")
        elif kind == "function":
            found += _function_loads(token)
        elif kind == "at-keyword":
            found.append(f"@{token.lower_value}")
        elif kind in ("() block", "[] block", "{} block"):
            found += _tokens_load(token.content)
    return found


def _function_loads(token) -> list[str]:
    name = token.lower_name
    if name in LOADING_FUNCTIONS:
        strings = [t.value for t in token.arguments if getattr(t, "type", "") in ("string", "url", "ident")]
        if name not in ("url", "src") or not strings or not all(s.strip().startswith("#") for s in strings):
            return [f"{name}({', '.join(s[:40] for s in strings)})"]
    return _tokens_load(token.arguments)


def _check_use_expansion(root: etree._Element, name: str, problems: ProblemList) -> None:
    """``<use>`` neither loops nor multiplies into a 'billion laughs'."""
    size = _expanded_size(root)
    if size is None:
        problems.add(
            f"{name}: <use> references form a cycle",
            hint="a <use> must not refer to itself or to a group containing it",
            code="CG420",
        )
    elif size > MAX_SVG_ELEMENTS:
        problems.add(
            f"{name}: the logo expands to more than {MAX_SVG_ELEMENTS:,} elements through <use> references",
            hint="draw the logo without nesting <use> of <use> (this is how SVG 'billion laughs' hang renderers)",
            code="CG420",
        )


def _rendered_pixels(data: bytes) -> tuple[int, int, set[int]]:
    """Draw the SVG at 64x64 with cairosvg and return its size and the distinct ARGB32 pixels.

    The pixels are read from cairo's image surface directly: no PNG is encoded
    and decoded again just to count colours (that round trip was most of the
    cost of this check).  Values are cairo's premultiplied ARGB32; alpha is the
    top byte, and a fully transparent pixel is 0 whatever its colour.
    """
    from cairosvg.parser import Tree
    from cairosvg.surface import PNGSurface

    surface = PNGSurface(Tree(bytestring=data, unsafe=False), None, 96, output_width=64, output_height=64)
    image = surface.cairo
    image.flush()
    width, height, stride = image.get_width(), image.get_height(), image.get_stride()
    buffer = bytes(image.get_data())
    rows = (memoryview(buffer[row * stride : row * stride + width * 4]).cast("I") for row in range(height))
    return width, height, {pixel for row in rows for pixel in row}


def _check_render(data: bytes, name: str) -> list[Problem]:
    try:
        width, height, pixels = _rendered_pixels(data)
    except Exception as exc:  # cairosvg raises many types for bad input
        return [Problem(f"{name}: the logo does not render: {exc}", code="CG422")]
    if (width, height) != (64, 64):
        return [Problem(f"{name}: renders at {(width, height)}, not 64x64", code="CG422")]
    if not any(pixel >> 24 for pixel in pixels):
        return [
            Problem(f"{name}: the logo renders blank (fully transparent)", hint="draw something visible", code="CG422")
        ]
    if len(pixels) < 2:
        return [
            Problem(
                f"{name}: the logo renders blank (one flat colour, nothing drawn on it)",
                hint="draw something visible",
                code="CG422",
            )
        ]
    return []
