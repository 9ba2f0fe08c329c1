"""Hostile and broken input: one clear located message, exit 1, no traceback, dist/ untouched.

Every table row is a protection: removing it makes that row fail (the message,
the location or the unchanged dist/ would be wrong).
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import REPO, SAMPLE, assert_refused, build_refused, line_col, snapshot, table_problems, tree, write_spec
from lxml import etree

SPEC = "connectors/sample/connector.yaml"


# ------------------------------------------------------------------ helpers


# --------------------------------------------------------------------- YAML

LAUGHS = "".join(
    f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n"
    if i
    else "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    for i in range(9)
)

YAML_CASES = [
    # id, file bytes, message, needle (line/col of the report), hint
    ("syntax", "id: sample\nname: [unclosed\nversion: 1\n", "invalid YAML", None, "fix the YAML syntax"),
    ("tab", "id: sample\n\tname: x\n", "invalid YAML", "\tname", "spaces, not tabs"),
    (
        "duplicate-key",
        SAMPLE.replace("version: 1\n", "version: 1\nversion: 2\n"),
        "duplicate key 'version'",
        "version: 2",
        "each key may appear once",
    ),
    (
        "duplicate-status",
        SAMPLE.replace("  429:\n", '  "401":\n'),
        "duplicate key '401' (401 and '401' are the same key)",
        '"401":',
        "each key may appear once",
    ),
    ("list", "- id: sample\n- name: x\n", "the document is a list", None, "catalyst-gen new"),
    ("scalar", "sample\n", "the document is a single value", None, "catalyst-gen new"),
    ("empty", "", "the file is empty", None, "catalyst-gen new"),
    ("comments-only", "# nothing here\n", "the file is empty", None, "catalyst-gen new"),
    (
        "non-utf8",
        SAMPLE.encode("utf-8").replace(b"AI's", b"AI\xe9s"),
        "byte 0xe9 is not valid UTF-8",
        "\ufffds",
        "save the file as UTF-8",
    ),
    (
        "control-char",
        SAMPLE.replace("name: Together AI", "name: Together\x01AI"),
        "the file contains the character U+0001",
        "\x01",
        "control characters",
    ),
    ("billion-laughs", LAUGHS + SAMPLE, "the document expands to more than 20,000 values", None, "anchors/aliases"),
    ("too-large", SAMPLE + "# " + "x" * 300_000 + "\n", "the limit is 262,144", None, "move large text out"),
    (
        "deep-flow",
        SAMPLE.replace("  - Free credits on signup for development.\n", "  - " + "[" * 5000 + "]" * 5000 + "\n"),
        "nesting deeper than 32 levels",
        ("[[[", 30),
        "flatten",
    ),
    (
        "deep-block",
        SAMPLE + "\n" + "".join("  " * i + f"k{i}:\n" for i in range(40)) + "  " * 40 + "v: 1\n",
        "nesting deeper than 32 levels",
        "k32:",
        "flatten",
    ),
]


@pytest.mark.parametrize("text, message, needle, hint", [c[1:] for c in YAML_CASES], ids=[c[0] for c in YAML_CASES])
def test_broken_yaml(project, cli, text, message, needle, hint):
    result = build_refused(project, cli, text, message, needle=needle, hint=hint)
    if needle is None:
        assert re.search(rf"{re.escape(SPEC)}:\d+:\d+: error", result.output), result.output


def test_byte_order_mark_is_accepted(project, cli):
    write_spec(project, b"\xef\xbb\xbf" + SAMPLE.encode("utf-8"))
    result = cli(project, "build", "sample")
    assert result.exit_code == 0, result.output
    assert (project / "dist" / "sample" / "sample.element.json").is_file()


def test_byte_order_mark_keeps_columns(project, cli):
    """Locations in a file with a BOM count characters after the mark."""
    text = SAMPLE.replace("timeout_seconds: 60", "timeout_seconds: sixty")
    write_spec(project, b"\xef\xbb\xbf" + text.encode("utf-8"))
    result = cli(project, "build", "sample")
    line, col = line_col(text, "sixty")
    assert_refused(result, "expected a whole number", where=(SPEC, line, col))


# -------------------------------------------------------------- spec values

VALUE_CASES = [
    # id, old, new, message, needle, hint
    ("wrong-type", "timeout_seconds: 60", "timeout_seconds: [60]", "expected a whole number, got a list", "[60]", None),
    ("unknown-auth", "type: bearerToken", "type: oauth2", "`oauth2` is not one of: bearerToken", "oauth2", None),
    (
        "unknown-source",
        "default_source: env",
        "default_source: vault",
        "`vault` is not one of: env, file",
        "vault",
        None,
    ),
    ("status-low", "  401:\n", "  99:\n", "HTTP status 99 is outside 100-599", "99:", "real HTTP status"),
    ("status-high", "  401:\n", "  600:\n", "HTTP status 600 is outside 100-599", "600:", "real HTTP status"),
    (
        "status-leading-zero",
        "  401:\n",
        '  "0401":\n',
        "HTTP status '0401' has a leading zero",
        '"0401"',
        "write it as 401",
    ),
    (
        "status-not-number",
        "  401:\n",
        "  unauthorized:\n",
        '"unauthorized" is not valid here',
        "unauthorized",
        "HTTP statuses",
    ),
    ("status-superscript", "  401:\n", '  "4²":\n', '"4²" is not valid here', '"4²"', "HTTP statuses"),
    ("retry-status", "statuses: [429]", "statuses: [429, 1000]", "HTTP status 1000 is outside 100-599", "1000", None),
    (
        "bpmn-code",
        "code: AUTH_FAILED",
        "code: 401-AUTH",
        "BPMN error code `401-AUTH` is not a valid identifier",
        "401-AUTH",
        "letters, digits",
    ),
    (
        "json-path",
        "path: choices[0].message.content",
        "path: $.choices[0]",
        "does not parse",
        "$.choices",
        "choices[0].message.content",
    ),
    (
        "placeholder-name",
        '"${userMessage}"',
        '"${user-message}"',
        "placeholder `${user-message}` is not a valid process variable name",
        '"${user-message}"',
        None,
    ),
    (
        "placeholder-empty",
        '"${userMessage}"',
        '"${}"',
        "placeholder `${}` is not a valid process variable name",
        '"${}"',
        None,
    ),
    (
        "model-not-listed",
        "    model: meta-llama/Llama-3.3-70B-Instruct-Turbo",
        "    model: gpt-4o",
        "the payload uses model `gpt-4o`, which is not in `models`",
        "gpt-4o",
        None,
    ),
    (
        "model-not-default",
        "    model: meta-llama/Llama-3.3-70B-Instruct-Turbo",
        "    model: deepseek-ai/DeepSeek-R1",
        "but the default model is",
        ("    model: deepseek", 11),
        "default: true",
    ),
    (
        "id-dotdot",
        "id: sample",
        "id: ../sample",
        '"../sample" is not valid here',
        "../sample",
        "no slashes, dots or `..`",
    ),
    ("id-slash", "id: sample", "id: a/b", '"a/b" is not valid here', "a/b", "no slashes"),
    (
        "reserved-variable",
        "  aiReply:\n",
        "  catalyst_success:\n",
        "reserved for the runtime",
        "catalyst_success",
        None,
    ),
    (
        "newline-in-name",
        "name: Together AI",
        'name: "Together\\nAI"',
        "is not valid here",
        '"Together',
        "one line of text",
    ),
    (
        "control-escape",
        "name: Together AI",
        'name: "Together\\x07AI"',
        "the value contains the invisible character U+0007",
        '"Together',
        "remove it",
    ),
    # YAML itself forbids lone surrogates: the parser refuses the escape where it stands
    (
        "surrogate",
        "name: Together AI",
        'name: "Together\\uD800AI"',
        "invalid Unicode character escape code",
        "D800",
        "fix the YAML syntax",
    ),
    (
        "bidi-override",
        "name: Together AI",
        'name: "Together\\u202EIA"',
        "U+202E (right-to-left override)",
        '"Together',
        "right-to-left text is fine",
    ),
    (
        "control-in-key",
        "  timeout_seconds: 60",
        '  timeout_seconds: 60\n  headers: {"X-A\\x01": b}',
        "the key contains the invisible character U+0001",
        '"X-A',
        None,
    ),
    (
        "control-in-payload",
        "max_tokens: 1024",
        'max_tokens: 1024\n    stop: "\\x1b[0m"',
        "the value contains the invisible character U+001B",
        '"\\x1b',
        None,
    ),
]


@pytest.mark.parametrize(
    "old, new, message, needle, hint", [c[1:] for c in VALUE_CASES], ids=[c[0] for c in VALUE_CASES]
)
def test_broken_values(project, cli, old, new, message, needle, hint):
    assert old in SAMPLE
    text = SAMPLE.replace(old, new, 1)
    result = build_refused(project, cli, text, message, needle=needle, hint=hint)
    assert result.output.count(": error: ") == 1, f"one mistake, one message:\n{result.output}"


def test_json_text_payload_not_json(project, cli):
    text = re.sub(
        r"  payload:\n(    .*\n)+",
        '  payload: |\n    {"model": "meta-llama/Llama-3.3-70B-Instruct-Turbo",\n     "messages": [${msgs}]\n     "stream": false}\n',
        SAMPLE,
    )
    build_refused(
        project,
        cli,
        text,
        "the payload is not valid JSON once placeholders are filled in",
        needle='"stream"',
        hint="missing commas",
    )


def test_extends_loop_and_missing_preset(project, cli):
    presets = project / "connectors" / "_presets"
    (presets / "loop-a.yaml").write_text("extends: loop-b\n", "utf-8")
    (presets / "loop-b.yaml").write_text("tips: [x]\nextends: loop-a\n", "utf-8")
    text = SAMPLE.replace("id: sample\n", "id: sample\nextends: loop-a\n")
    result = build_refused(
        project, cli, text, "extends loop: connector -> loop-a -> loop-b -> loop-a", hint="remove one of the extends"
    )
    assert "_presets/loop-b.yaml:2:10: error" in result.output, result.output
    text = SAMPLE.replace("id: sample\n", "id: sample\nextends: openai-chatt\n")
    build_refused(
        project, cli, text, "preset 'openai-chatt' not found", needle="openai-chatt", hint="did you mean `openai-chat`?"
    )


# ------------------------------------------------------- ids on the command line


@pytest.mark.parametrize("arg", ["../sample", "a/b", "..", "sample/..", "./sample", "/tmp/sample", "sample\\x"])
def test_cli_id_with_path_is_refused_and_writes_nothing(project, cli, arg):
    """`build ../x`: a clear message and no file written anywhere (dist/ or outside it)."""
    write_spec(project, SAMPLE)
    # a spec the path would reach if it were followed: lib/sample/connector.yaml, lib/connectors/a/b/connector.yaml
    (project / "sample").mkdir()
    (project / "sample" / "connector.yaml").write_text(SAMPLE, "utf-8")
    write_spec(project, SAMPLE.replace("id: sample", "id: b"), cid="a/b")
    outside = snapshot(project.parent)
    result = cli(project, "build", arg)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert re.search(r"(is not a connector id|no connector)", result.output), result.output
    assert {k: v for k, v in snapshot(project.parent).items() if "/.catalyst-gen/" not in k} == {
        k: v for k, v in outside.items() if "/.catalyst-gen/" not in k
    }


def test_cli_id_escaping_connectors_is_named_as_such(project, cli):
    """`build ../sample` reaching a real spec: the id itself is refused (not "rename the folder to ../sample")."""
    (project / "sample").mkdir()
    (project / "sample" / "connector.yaml").write_text(SAMPLE, "utf-8")
    before = tree(project)
    result = cli(project, "build", "../sample")
    assert_refused(result, "'../sample' is not a connector id", hint="paths, slashes and `..` are not accepted")
    assert "rename the folder" not in result.output
    assert tree(project) == before


def test_cli_id_is_refused_before_any_file_is_read(project, cli):
    (project / "sample").mkdir()
    (project / "sample" / "connector.yaml").write_text("id: [broken\n", "utf-8")
    result = cli(project, "build", "../sample")
    assert result.exit_code == 1
    assert "is not a connector id" in result.output, result.output


def test_writer_refuses_paths_as_ids(tmp_path):
    from catalyst_gen.errors import CatalystError
    from catalyst_gen.output import write_connectors

    dist, state = tmp_path / "lib" / "dist", tmp_path / "lib" / ".catalyst-gen"
    dist.mkdir(parents=True)
    try:
        with pytest.raises(CatalystError):
            write_connectors(dist, state, {"../escaped": {"x.txt": b"x"}})
    finally:
        assert not (tmp_path / "lib" / "escaped").exists()


# ------------------------------------------------------------------ secrets

FAKE = {
    "openai": "sk-proj-" + "Ab3dEf6hIj9kLm2nOp5q",
    "groq": "gsk_" + "Ab3dEf6hIj9kLm2nOp5qRs8t",
    "google": "AIza" + "SyAb3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z",
    "slack": "xoxb-" + "123456789012-Ab3dEf6hIj9k",
    "perplexity": "pplx-" + "Ab3dEf6hIj9kLm2nOp5qRs8t",
    "entropy": "Zq8" + "vR2mK9xL4pW7nT1cY6bH3jF5dG0sA8eU",
    "teams": "https://acme.webhook.office.com/webhookb2/"
    + "1a2b3c4d-1a2b-1a2b-1a2b-1a2b3c4d5e6f@1a2b3c4d-1a2b-1a2b-1a2b-1a2b3c4d5e6f/IncomingWebhook/ab12/cd34",
}

SECRET_CASES = [
    # id, old, new (with {key}), message, needle
    (
        "openai-in-key-prefix",
        'key_prefix: "..."',
        'key_prefix: "{openai}"',
        "looks like an OpenAI-style key",
        '"{openai}"',
    ),
    (
        "groq-in-tip",
        "  - Free credits on signup for development.",
        "  - try {groq} first",
        "looks like a Groq key",
        "try {groq}",
    ),
    (
        "google-in-query",
        "  timeout_seconds: 60",
        "  timeout_seconds: 60\n  query: {{key: {google}}}",
        "looks like a Google API key",
        "{google}",
    ),
    (
        "slack-in-payload",
        "max_tokens: 1024",
        "max_tokens: 1024\n    user: {slack}",
        "looks like a Slack token",
        "{slack}",
    ),
    (
        "perplexity-in-header",
        "  timeout_seconds: 60",
        "  timeout_seconds: 60\n  headers: {{Authorization: Bearer {perplexity}}}",
        "looks like a Perplexity key",
        "Bearer {perplexity}",
    ),
    (
        "entropy-in-tagline",
        "tagline: Access",
        "tagline: Token {entropy} gives access",
        "looks like a long random token",
        "Token {entropy}",
    ),
    (
        "entropy-in-folded-about",
        "They offer fast",
        "Token {entropy} offers fast",
        "looks like a long random token",
        ">-",
    ),
    (
        "openai-as-key",
        "  timeout_seconds: 60",
        "  timeout_seconds: 60\n  headers: {{{openai}: x}}",
        "this key looks like an OpenAI-style key",
        "{openai}: x",
    ),
    (
        "google-in-comment",
        "  timeout_seconds: 60",
        "  timeout_seconds: 60  # old key {google}",
        "this comment contains a Google API key",
        "{google}",
    ),
    (
        "teams-webhook-as-endpoint",
        "  url: https://api.together.xyz/v1/chat/completions",
        "  url: {teams}",
        "looks like a Microsoft Teams webhook URL",
        "{teams}",
    ),
    ("json-text-payload", "  payload:\n    model:", "  payload_old:\n    model:", None, None),
]


@pytest.mark.parametrize(
    "old, new, message, needle", [c[1:] for c in SECRET_CASES if c[3]], ids=[c[0] for c in SECRET_CASES if c[3]]
)
def test_secret_in_spec_is_refused(project, cli, old, new, message, needle):
    assert old in SAMPLE
    new, needle = new.format(**FAKE), needle.format(**FAKE)
    text = SAMPLE.replace(old, new, 1)
    build_refused(
        project, cli, text, message, needle=needle, hint="word `example`" if "comment" not in message else "revoke it"
    )
    assert not (project / "dist" / "sample").exists()


def test_secret_in_a_preset_is_refused_even_when_overridden(project, cli):
    preset = project / "connectors" / "_presets" / "leaky.yaml"
    preset.write_text(f"tips:\n  - use {FAKE['openai']}\n", "utf-8")
    text = SAMPLE.replace("id: sample\n", "id: sample\nextends: leaky\n")  # the connector's tips replace the preset's
    write_spec(project, text)
    result = cli(project, "build", "sample")
    assert_refused(result, "looks like an OpenAI-style key", where=("connectors/_presets/leaky.yaml", 2, 5))


def test_example_values_are_accepted(project, cli):
    text = SAMPLE.replace('key_prefix: "..."', 'key_prefix: "sk-example-Ab3dEf6hIj9kLm2nOp5q"')
    text = text.replace(
        "  - Free credits on signup for development.", f"  - e.g. {FAKE['groq']}-example  # example {FAKE['google']}"
    )
    write_spec(project, text)
    result = cli(project, "build", "sample")
    assert result.exit_code == 0, result.output


def test_artifacts_never_contain_a_secret(project, cli):
    """Every artifact of every connector, scanned with the same detector as specs."""
    from catalyst_gen.secrets import find_secret

    result = cli(project, "build", "--force")
    assert result.exit_code == 0, result.output
    found = []
    for path in sorted((project / "dist").rglob("*")):
        if path.is_file() and path.suffix in (".json", ".bpmn", ".md", ".svg"):
            for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
                if "base64," in line:
                    continue  # the embedded icon (its SVG is scanned as a file)
                hit = find_secret(line)
                if hit:
                    found.append(f"{path.relative_to(project)}:{number}: {hit}")
    assert found == []


# -------------------------------------------------------------------- logos

GOOD_SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="64" height="64" viewBox="0 0 64 64"><rect width="64" height="64" fill="#123456"/><circle cx="32" cy="32" r="16" fill="#fff"/>{}</svg>'
USE_BOMB = (
    '<defs><g id="u0"><rect width="1" height="1"/></g>'
    + "".join(f'<g id="u{i}">' + f'<use href="#u{i - 1}"/>' * 10 + "</g>" for i in range(1, 9))
    + '</defs><use href="#u8"/>'
)

LOGO_CASES = [
    # id, svg text, message
    ("script", GOOD_SVG.format("<script>alert(1)</script>"), "<script> is not allowed in a logo"),
    ("onload", GOOD_SVG.format('<rect width="1" height="1" onload="alert(1)"/>'), "event handler attribute onload"),
    (
        "javascript",
        GOOD_SVG.format('<a xlink:href="javascript:alert(1)"><rect width="1" height="1"/></a>'),
        "javascript: URL",
    ),
    (
        "external-href",
        GOOD_SVG.format('<image href="https://evil.example/x.png" width="1" height="1"/>'),
        "external reference 'https://evil.example/x.png'",
    ),
    (
        "file-href",
        GOOD_SVG.format('<image href="../../secret.png" width="1" height="1"/>'),
        "external reference (a file path)",
    ),
    (
        "foreignObject",
        GOOD_SVG.format("<foreignObject><div xmlns='http://www.w3.org/1999/xhtml'>x</div></foreignObject>"),
        "<foreignObject> is not allowed",
    ),
    (
        "style-import",
        GOOD_SVG.format("<style>@import url(https://evil.example/a.css);</style>"),
        "<style> would load something from outside the logo: @import",
    ),
    (
        "font-face",
        GOOD_SVG.format("<style>@font-face {{ font-family: x; src: url(https://evil.example/f.woff) }}</style>"),
        "<style> would load something from outside the logo: @font-face",
    ),
    (
        "fill-url",
        GOOD_SVG.format('<rect width="5" height="5" fill="url(https://evil.example/p.svg#g)"/>'),
        "fill on <rect> would load something from outside the logo",
    ),
    (
        "stylesheet-pi",
        '<?xml-stylesheet href="https://evil.example/a.css"?>' + GOOD_SVG.format(""),
        "external stylesheet processing instruction",
    ),
    (
        "animate-href",
        GOOD_SVG.format('<a><set attributeName="href" to="https://evil.example"/><rect width="1" height="1"/></a>'),
        "<set> changes a link",
    ),
    (
        "xxe",
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        + GOOD_SVG.format("<text>&x;</text>"),
        "DTDs and entity declarations are not allowed",
    ),
    (
        "billion-laughs",
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        + GOOD_SVG.format("<text>&c;</text>"),
        "DTDs and entity declarations are not allowed",
    ),
    (
        "external-dtd",
        '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">'
        + GOOD_SVG.format(""),
        "DTDs and entity declarations are not allowed",
    ),
    ("use-bomb", GOOD_SVG.format(USE_BOMB), "the logo expands to more than 5,000 elements through <use>"),
    ("use-cycle", GOOD_SVG.format('<g id="a"><use href="#a"/></g>'), "<use> references form a cycle"),
    (
        "size-128",
        GOOD_SVG.format("").replace(
            'width="64" height="64" viewBox="0 0 64 64"', 'width="128" height="128" viewBox="0 0 128 128"'
        ),
        "the logo is 128x128, not 64x64",
    ),
    (
        "no-size",
        GOOD_SVG.format("").replace('width="64" height="64" ', ""),
        "the logo has no width and height, not 64x64",
    ),
    (
        "not-square",
        GOOD_SVG.format("").replace('viewBox="0 0 64 64"', 'viewBox="0 0 64 32"'),
        "the viewBox '0 0 64 32' is not square",
    ),
    (
        "blank",
        GOOD_SVG.replace(
            '<rect width="64" height="64" fill="#123456"/><circle cx="32" cy="32" r="16" fill="#fff"/>', ""
        ).format(""),
        "the logo renders blank (fully transparent)",
    ),
    ("not-svg", "<html><body>logo</body></html>", "the root element is not an SVG <svg>"),
    ("not-xml", "PNG\x89 not xml", "not well-formed XML"),
]


def logo_spec() -> str:
    return re.sub(r"logo:\n(  .*\n)+", "logo:\n  file: logo.svg\n", SAMPLE)


@pytest.mark.parametrize("svg, message", [c[1:] for c in LOGO_CASES], ids=[c[0] for c in LOGO_CASES])
def test_hostile_logo_is_refused_at_logo_file(project, cli, svg, message):
    text = logo_spec()
    (project / "connectors" / "sample").mkdir(parents=True)
    (project / "connectors" / "sample" / "logo.svg").write_text(svg, "utf-8")
    result = build_refused(project, cli, text, message, needle="logo.svg", hint="")
    assert f"error: logo.file: logo file 'logo.svg': {message}" in result.output, result.output


def test_logo_with_square_viewbox_of_any_size_is_accepted(project, cli):
    """Decision: width/height must be 64; the viewBox may be any square (it scales cleanly)."""
    (project / "connectors" / "sample").mkdir(parents=True)
    svg = GOOD_SVG.format("").replace('viewBox="0 0 64 64"', 'viewBox="0 0 128 128"').replace('r="16"', 'r="40"')
    (project / "connectors" / "sample" / "logo.svg").write_text(svg, "utf-8")
    write_spec(project, logo_spec())
    result = cli(project, "build", "sample")
    assert result.exit_code == 0, result.output
    assert (project / "dist" / "sample" / "sample.svg").read_text("utf-8") == svg


def test_logo_link_outside_the_connector_is_refused(project, cli):
    (project / "connectors" / "sample").mkdir(parents=True)
    (project / "elsewhere.svg").write_text(GOOD_SVG.format(""), "utf-8")
    (project / "connectors" / "sample" / "logo.svg").symlink_to(project / "elsewhere.svg")
    build_refused(project, cli, logo_spec(), "is a link to a file outside the connector's folder", needle="logo.svg")


def test_oversized_logo_is_refused(project, cli):
    (project / "connectors" / "sample").mkdir(parents=True)
    (project / "connectors" / "sample" / "logo.svg").write_text(GOOD_SVG.format("<!--" + "x" * 70_000 + "-->"), "utf-8")
    build_refused(project, cli, logo_spec(), "the limit is 65,536", needle="logo.svg")


def test_logo_is_checked_without_network_access(project, cli, listener):
    base, hits = listener
    svgs = [
        f'<!DOCTYPE svg SYSTEM "{base}/dtd">' + GOOD_SVG.format(""),
        f'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY % r SYSTEM "{base}/param"> %r;]>' + GOOD_SVG.format(""),
        f'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "{base}/entity">]>'
        + GOOD_SVG.format("<text>&x;</text>"),
        GOOD_SVG.format(f'<image href="{base}/image.png" width="10" height="10"/>'),
        GOOD_SVG.format(f"<style>@import url({base}/css);</style>"),
    ]
    (project / "connectors" / "sample").mkdir(parents=True)
    write_spec(project, logo_spec())
    for svg in svgs:
        (project / "connectors" / "sample" / "logo.svg").write_text(svg, "utf-8")
        result = cli(project, "build", "sample")
        assert result.exit_code == 1, result.output
        assert "error: logo.file:" in result.output
    assert hits == []


# ----------------------------------------------------------------- escaping

HOSTILE = 'A & B <b>"q"</b> \'s | `tick` ``two`` <!-- x --> ]]> 😀 שלום عربي'
LOGO_TEXT = '<&"'


def hostile_spec(text: str = HOSTILE) -> str:
    def q(value: str) -> str:
        return json.dumps(value, ensure_ascii=False)

    spec = SAMPLE.replace("name: Together AI", f"name: {q(text[:80])}")
    spec = spec.replace(
        "tagline: Access 200+ open-source models through Together AI's fast inference platform",
        f"tagline: {q(text + ' Access 200+')}",
    )
    spec = spec.replace(
        "task_name: Ask Together AI",
        f"task_name: {q(text[:60])}\n  configure_name: {q(text[::-1][:60])}\n  review_name: {q(text[5:65])}",
    )
    spec = spec.replace("cause: Invalid API key", f"cause: {q(text)}").replace(
        "action: Check key at api.together.ai", f"action: {q(text)}"
    )
    spec = spec.replace("description: The model's response text", f"description: {q(text)}")
    spec = spec.replace("description: Llama 3.3 70B Turbo", f"description: {q(text)}")
    spec = spec.replace("  - Free credits on signup for development.", f"  - {q(text)}")
    spec = spec.replace(
        "response_mapping:",
        f"  placeholders:\n    userMessage: {{label: {q(text)}, default: {q(text + chr(10) + 'line 2')}}}\n\nresponse_mapping:",
    )
    spec = spec.replace("  text: T", f"  text: {q(LOGO_TEXT)}")
    return spec


def test_hostile_text_is_escaped_for_every_target(project, cli):
    spec = hostile_spec()
    write_spec(project, spec)
    result = cli(project, "build", "sample")
    assert result.exit_code == 0, result.output
    dist = project / "dist" / "sample"
    name, task = HOSTILE[:80], HOSTILE[:60]

    template = json.loads((dist / "sample.element.json").read_text("utf-8"))
    assert template["name"] == f"Catalyst - {name}"
    assert template["description"].startswith(HOSTILE)

    bpmn = etree.fromstring((dist / "sample-example.bpmn").read_bytes())
    by_id = {el.get("id"): el for el in bpmn.iter() if isinstance(el.tag, str) and el.get("id")}
    assert by_id["Task_Connector"].get("name") == task
    assert by_id["Task_Configure"].get("name") == HOSTILE[::-1][:60]
    assert by_id["Task_Review"].get("name") == HOSTILE[5:65]
    process = bpmn.find("{http://www.omg.org/spec/BPMN/20100524/MODEL}process")
    assert process.get("name") == f"{name} example"
    field = next(
        el for el in bpmn.iter("{http://camunda.org/schema/1.0/bpmn}formField") if el.get("id") == "userMessage"
    )
    assert field.get("label") == HOSTILE
    assert field.get("defaultValue") == HOSTILE + "\nline 2"

    logo = etree.fromstring((dist / "sample.svg").read_bytes())
    assert logo.get("aria-label") == name
    assert logo.findtext("{http://www.w3.org/2000/svg}title") == name
    assert logo.findtext("{http://www.w3.org/2000/svg}text") == LOGO_TEXT

    readme = (dist / "README.md").read_text("utf-8")
    assert table_problems(readme) == []
    assert "😀 שלום عربي" in readme


def test_backslash_before_pipe_stays_in_its_cell(project, cli):
    write_spec(project, hostile_spec("path C:\\| end"))
    result = cli(project, "build", "sample")
    assert result.exit_code == 0, result.output
    assert table_problems((project / "dist" / "sample" / "README.md").read_text("utf-8")) == []


def test_readme_shows_html_in_names_as_text(project, cli):
    write_spec(project, hostile_spec('<img src=x onerror="alert(1)">'))
    result = cli(project, "build", "sample")
    assert result.exit_code == 0, result.output
    readme = (project / "dist" / "sample" / "README.md").read_text("utf-8")
    outside_code = re.sub(r"```.*?```", "", readme, flags=re.S)
    assert "<img" not in outside_code, [line for line in outside_code.splitlines() if "<img" in line]


# ------------------------------------------------------ interrupted and concurrent


def big_library(root: Path, copies: int = 40) -> list[str]:
    for name in ("connectors", "templates"):
        shutil.copytree(REPO / name, root / name)
    source = (REPO / "connectors" / "together-ai" / "connector.yaml").read_text("utf-8")
    ids = []
    for index in range(copies):
        cid = f"copy-{index:02d}"
        (root / "connectors" / cid).mkdir()
        (root / "connectors" / cid / "connector.yaml").write_text(
            source.replace("id: together-ai", f"id: {cid}"), "utf-8"
        )
        ids.append(cid)
    return ids


def retag(root: Path, tag: str) -> None:
    """Change every connector's artifacts (their tagline) so a build rewrites all of dist/."""
    for spec in (root / "connectors").glob("*/connector.yaml"):
        text = spec.read_text("utf-8")
        text = re.sub(
            r"^tagline: .*$", f"tagline: Round {tag} of the interrupted-build test", text, count=1, flags=re.M
        )
        spec.write_text(text, "utf-8")


def folders(dist: Path) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for path, digest in snapshot(dist).items():
        cid, _, name = path.partition("/")
        out.setdefault(cid, {})[name] = digest
    return out


def start_build(root: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "catalyst_gen", "build", "--force", *extra, "--project-dir", str(root)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def finish(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "catalyst_gen", "build", "--project-dir", str(root)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_killed_builds_leave_dist_old_or_new(tmp_path):
    """SIGKILL at random points: each connector folder is old or new, never a mix; after recovery all of dist/ is."""
    from catalyst_gen.output import exclusive

    root = tmp_path / "lib"
    big_library(root)
    assert finish(root).returncode == 0
    rng = random.Random(int(os.environ.get("CATALYST_KILL_SEED", "7")))
    for round_ in range(6):
        old = folders(root / "dist")
        retag(root, str(round_))
        process = start_build(root)
        time.sleep(rng.uniform(0.05, 1.4))
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        after_kill = folders(root / "dist")
        journal = (root / ".catalyst-gen" / "journal.json").exists()
        with exclusive(root / ".catalyst-gen"):
            pass  # what the next command does first: roll a half-done swap forward
        recovered = folders(root / "dist")
        done = finish(root)
        assert done.returncode == 0, done.stderr
        new = folders(root / "dist")
        assert old != new
        for cid in old:
            if cid in after_kill:
                assert after_kill[cid] in (old[cid], new[cid]), f"round {round_}: {cid} is a mix of two builds"
            else:
                assert journal, f"round {round_}: {cid} vanished without a journal to restore it"
        assert recovered in (old, new), f"round {round_}: dist/ after recovery is neither the old nor the new result"
        assert not list((root / ".catalyst-gen").glob("staging-*")) and not list((root / ".catalyst-gen").glob("old-*"))


@pytest.mark.slow
def test_two_builds_at_once_both_end_correctly(tmp_path):
    root = tmp_path / "lib"
    big_library(root, copies=20)
    assert finish(root).returncode == 0
    retag(root, "concurrent")
    first, second = start_build(root), start_build(root, "-j", "1")
    outputs = [p.communicate(timeout=180) for p in (first, second)]
    for process, (_out, err) in zip((first, second), outputs, strict=True):
        assert "Traceback" not in err
        assert process.returncode == 0 or (process.returncode == 1 and "another catalyst-gen is writing" in err), err
    assert 0 in (first.returncode, second.returncode)
    expected = folders(root / "dist")
    again = finish(root)
    assert again.returncode == 0 and "0 written" in again.stdout, again.stdout + again.stderr
    assert folders(root / "dist") == expected
    assert all("Round concurrent" in (root / "dist" / cid / "README.md").read_text("utf-8") for cid in expected)
