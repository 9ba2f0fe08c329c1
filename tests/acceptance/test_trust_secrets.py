"""Issue #10, class 7 (second half): secrets are looked for in every file that is shipped.

The spec and its presets are scanned as written (validation); the rendered
artifacts are scanned as users receive them (``checks/shipped.py``), which
catches keys that arrive another way: a supplied logo, ``_library.yaml``.
"""

from __future__ import annotations

import json
import re

import pytest
from helpers import SAMPLE, build_refused

KEY = "sk-proj-" + "Q7fZ2mXw9LkP4vTb8NcR1yHd"
HEX = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

SPEC_CASES = {
    "tip-userinfo": (
        "  - Free credits on signup for development.",
        "  - see https://admin:hunter22@internal.corp/docs",
        "credentials in a URL",
    ),
    "tip-hex": ("  - Free credits on signup for development.", f"  - token {HEX}", "long hexadecimal token"),
    "json-escaped-key": (
        "request:\n  payload:\n    model: meta-llama/Llama-3.3-70B-Instruct-Turbo",
        'request:\n  payload: |\n    {"model": "meta-llama/Llama-3.3-70B-Instruct-Turbo", "key": "\\u0073k-proj-Q7fZ2mXw9LkP4vTb8NcR1yHd", "messages": [{"role": "user", "content": "${userMessage}"}]}\n  ignored_payload_tail:\n    model: meta-llama/Llama-3.3-70B-Instruct-Turbo',
        "OpenAI-style key",
    ),
    "authorization-header": (
        "  timeout_seconds: 60",
        "  timeout_seconds: 60\n  headers: {Authorization: Bearer-abc}",
        "carries credentials",
    ),
    "api-key-header": (
        "  timeout_seconds: 60",
        "  timeout_seconds: 60\n  headers: {X-API-Key: abc}",
        "carries credentials",
    ),
    "cookie-header": (
        "  timeout_seconds: 60",
        "  timeout_seconds: 60\n  headers: {Cookie: session=abc}",
        "carries credentials",
    ),
    "token-header": (
        "  timeout_seconds: 60",
        "  timeout_seconds: 60\n  headers: {X-Access-Token: abc}",
        "carries credentials",
    ),
}


@pytest.mark.parametrize(("old", "new", "message"), SPEC_CASES.values(), ids=SPEC_CASES.keys())
def test_credentials_in_the_spec_are_refused(project, cli, old, new, message):
    assert old in SAMPLE, old
    build_refused(project, cli, SAMPLE.replace(old, new, 1), message)


LOGO = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">{}'
    '<rect width="64" height="64" fill="#123456"/><circle cx="32" cy="32" r="9" fill="#ffffff"/></svg>'
)

LOGO_CASES = {
    "comment": LOGO.format(f"<!-- {KEY} -->"),
    "attribute": LOGO.format(f'<desc id="{KEY}">logo</desc>'),
    "text": LOGO.format(f"<title>{KEY}</title>"),
    "entity-encoded": LOGO.format("<title>&#115;k-proj-Q7fZ2mXw9LkP4vTb8NcR1yHd</title>"),
    "hex-in-metadata": LOGO.format(f"<metadata>{HEX}</metadata>"),
}


@pytest.mark.parametrize("svg", LOGO_CASES.values(), ids=LOGO_CASES.keys())
def test_a_supplied_logo_carrying_a_key_is_not_shipped(project, cli, svg):
    spec = SAMPLE[: SAMPLE.index("logo:")] + "logo: {file: logo.svg}\n"
    (project / "connectors" / "sample").mkdir(parents=True)
    (project / "connectors" / "sample" / "logo.svg").write_text(svg)
    result = build_refused(project, cli, spec, "would ship")
    assert "sample.svg would ship" in result.output or "element.json would ship" in result.output
    assert KEY not in result.output and HEX not in result.output


@pytest.mark.parametrize("field", ["library_name", "tagline"])
def test_a_key_in_library_settings_is_not_shipped(project, cli, field):
    settings = project / "connectors" / "_library.yaml"
    lines = settings.read_text().splitlines()
    lines = [f"{field}: {json.dumps('Catalyst ' + KEY)}" if line.startswith(f"{field}:") else line for line in lines]
    settings.write_text("\n".join(lines) + "\n")
    result = cli(project, "build", "--force", "together-ai")
    # refused where it is written (the settings get the spec's checks), before any artifact could ship it
    assert result.exit_code == 1 and "looks like an OpenAI-style key" in result.output, result.output
    assert re.search(rf"connectors/_library.yaml:[0-9]+:[0-9]+: error: {field}:", result.output), result.output


def test_illustrations_and_embedded_images_are_not_secrets(project, cli):
    """A value that says `example` is an illustration; the template's base64 icon is an image, not a key."""
    text = SAMPLE.replace(
        "  - Free credits on signup for development.", '  - "Keys look like sk-example-0000000000000000"', 1
    )
    from helpers import write_spec

    write_spec(project, text)
    result = cli(project, "build", "sample")
    assert result.exit_code == 0, result.output


def test_names_built_from_a_connector_id_are_not_taken_for_tokens(project, cli):
    """The example's `Definitions_Process_<id>` of an id with digits has the letters, digits and
    entropy of a random token; the id was judged in the spec, so what is built from it is not one."""
    from helpers import write_spec

    from catalyst_gen.secrets import find_secret

    cid = "summit-chat-00014"
    assert find_secret(f"Definitions_Process_{cid.replace('-', '_')}") is not None  # the trap this avoids
    write_spec(project, SAMPLE.replace("id: sample", f"id: {cid}"), cid)
    result = cli(project, "build", cid)
    assert result.exit_code == 0, result.output
    assert f'id="Definitions_Process_{cid.replace("-", "_")}"' in (
        project / "dist" / cid / f"{cid}-example.bpmn"
    ).read_text("utf-8")
