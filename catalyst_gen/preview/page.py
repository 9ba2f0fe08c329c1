"""The two HTML pages of the preview: the connector, or the problems that stop it building.

The spec is treated as hostile.  Every value from it is HTML-escaped here;
the README's Markdown is rendered with raw HTML escaped (see
:func:`catalyst_gen.preview.snapshot.render_markdown`); the diagram and the
element template reach the Modeler as data fetched by the bundled script.
:data:`CONTENT_SECURITY_POLICY` then allows scripts only from this server's
own ``/static/`` bundle (no inline script, no ``eval``) and no remote loads.
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from ..bpmn import IDS
from .snapshot import Snapshot

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",  # the Modeler positions its overlays with style attributes
        "img-src 'self' data:",  # element template icons are data: URIs
        "font-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)
"""Sent with every response: nothing inline or remote may run or load."""

SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'"
"""For the logo when opened on its own: an SVG may carry script; it gets to run none."""

_SHELL = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
{icon}<link rel="stylesheet" href="/static/preview.css">
<script src="/static/preview.js" defer></script>
</head>
<body>
{body}
</body>
</html>
"""


def page_html(snapshot: Snapshot) -> str:
    """The page for ``snapshot``: the preview when it built, otherwise its problems."""
    if snapshot.preview is None:
        return _problems_page(snapshot)
    return _preview_page(snapshot)


def _preview_page(snapshot: Snapshot) -> str:
    assert snapshot.preview is not None
    c = snapshot.preview.connector
    url = {role: "/" + quote(name) for role, name in c.file_names.items()}  # served under their dist/ names
    body = f"""<header class="bar">
<img class="logo" src="{url["logo"]}" alt="{escape(c.name)} logo">
<div><h1>{escape(c.name)}</h1><div class="meta">{escape(c.id)} &middot; template version {c.version} &middot; {escape(c.tagline)}</div></div>
<span class="live">catalyst-gen preview &middot; reloads on save</span>
</header>
<main class="preview" data-version="{escape(snapshot.version)}" data-task="{escape(IDS.connector)}"
 data-example="{url["example"]}" data-template="{url["element_template"]}">
<section class="modeler" aria-label="Camunda 7 Modeler">
<div id="modeler-error"></div>
<div class="modeler-panes"><div id="canvas"></div><div id="properties"></div></div>
</section>
<article class="readme" aria-label="README.md">
{snapshot.preview.readme_html}</article>
</main>"""
    icon = f'<link rel="icon" href="{url["logo"]}">\n'
    return _SHELL.format(title=escape(f"{c.name} - catalyst-gen preview"), icon=icon, body=body)


def _problems_page(snapshot: Snapshot) -> str:
    body = f"""<header class="bar">
<div><h1>{escape(snapshot.connector_id)}</h1><div class="meta">the connector does not build</div></div>
<span class="live">catalyst-gen preview &middot; reloads on save</span>
</header>
<main class="problems" data-version="{escape(snapshot.version)}">
<h2>Fix the problems below and save: this page comes back by itself.</h2>
<pre id="problems">{escape(snapshot.problems)}</pre>
</main>"""
    title = escape(f"{snapshot.connector_id} (problems) - catalyst-gen preview")
    return _SHELL.format(title=title, icon='<link rel="icon" href="data:,">\n', body=body)
