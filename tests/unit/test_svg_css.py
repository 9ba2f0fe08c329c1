"""Issue #10, class 8: logos fetch nothing, judged on the parsed CSS (tinycss2), not on its text.

Every case is a way a stylesheet, a ``style`` attribute or a presentation
attribute can make a renderer fetch something: escapes, comments, at-rules,
image functions.  The harmless ones (``url(#id)``, plain colours) must pass.
"""

from __future__ import annotations

import pytest

from catalyst_gen.checks.svg import check_svg

HEAD = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="64" height="64" viewBox="0 0 64 64">'
DRAWN = '<rect width="64" height="64" fill="#123456"/><circle cx="32" cy="32" r="9" fill="#ffffff"/>'


def svg(body: str) -> bytes:
    return (HEAD + DRAWN + body + "</svg>").encode()


def loads(body: str) -> list[str]:
    return [
        p.message
        for p in check_svg(svg(body), "logo.svg", render=False)
        if "outside" in p.message or "xml:base" in p.message
    ]


HOSTILE = {
    "import": "<style>@import url(https://evil.example/a.css);</style>",
    "import-string": '<style>@import "https://evil.example/a.css";</style>',
    "import-escaped": "<style>@\\69mport url(https://evil.example/a.css);</style>",
    "import-uppercase": "<style>@IMPORT url(https://evil.example/a.css);</style>",
    "import-after-comment": "<style>/* hi */@import url(//evil.example/a.css);</style>",
    "import-comment-inside": "<style>@import/**/url(https://evil.example/a.css);</style>",
    "font-face": "<style>@font-face { font-family: x; src: url(https://evil.example/f.woff) }</style>",
    "namespace": '<style>@namespace x url("https://evil.example/ns");</style>',
    "media-nested": "<style>@media all { rect { fill: url(https://evil.example/p.svg#g) } }</style>",
    "rule-url": "<style>rect { fill: url(https://evil.example/p.svg#g) }</style>",
    "rule-url-escaped": "<style>rect { fill: \\75 rl(https://evil.example/p.svg#g) }</style>",
    "rule-url-escaped-2": "<style>rect { fill: u\\72l(https://evil.example/p.svg#g) }</style>",
    "rule-url-quoted": "<style>rect { fill: url('https://evil.example/p.svg#g') }</style>",
    "rule-url-protocol-relative": "<style>rect { fill: url(//evil.example/p.svg#g) }</style>",
    "rule-url-relative-file": "<style>rect { fill: url(other.svg#g) }</style>",
    "rule-image-set": '<style>rect { fill: image-set("https://evil.example/a.png" 1x) }</style>',
    "rule-webkit-image-set": '<style>rect { fill: -webkit-image-set("https://evil.example/a.png" 1x) }</style>',
    "rule-cross-fade": "<style>rect { fill: cross-fade(url(a.png), url(b.png)) }</style>",
    "rule-selector-url": "<style>rect[x=url(https://evil.example/a)] { fill: red }</style>",
    "style-attribute": '<rect width="1" height="1" style="fill: url(https://evil.example/p.svg#g)"/>',
    "style-attribute-escaped": '<rect width="1" height="1" style="fill: \\75 rl(https://evil.example/p.svg#g)"/>',
    "style-attribute-import": '<rect width="1" height="1" style="@import url(https://evil.example/a.css)"/>',
    "fill-attribute": '<rect width="1" height="1" fill="url(https://evil.example/p.svg#g)"/>',
    "fill-attribute-escaped": '<rect width="1" height="1" fill="\\75 rl(https://evil.example/p.svg#g)"/>',
    "filter-attribute": '<rect width="1" height="1" filter="url(https://evil.example/f.svg#blur)"/>',
    "mask-attribute": '<rect width="1" height="1" mask="url(other.svg#m)"/>',
    "cursor-attribute": '<rect width="1" height="1" cursor="url(https://evil.example/c.cur), auto"/>',
    "xml-base": '<g xml:base="https://evil.example/"><use href="#a"/></g>',
}

INERT = {
    "local-url": "<style>rect { fill: url(#g) }</style>",
    "local-url-quoted": '<style>rect { fill: url("#g") }</style>',
    "colours": "<style>rect { fill: #fff; stroke: rgb(1, 2, 3) }</style>",
    "fill-local": '<rect width="1" height="1" fill="url(#g)"/>',
    "style-attribute-colour": '<rect width="1" height="1" style="fill: red; opacity: 0.5"/>',
    "text-with-parentheses": '<text font-family="Arial (bold)">T</text>',
}


@pytest.mark.parametrize("body", HOSTILE.values(), ids=HOSTILE.keys())
def test_css_that_would_load_something_is_refused(body):
    assert loads(body), f"not refused: {body}"


@pytest.mark.parametrize("body", INERT.values(), ids=INERT.keys())
def test_inert_css_passes(body):
    assert loads(body) == []
