"""Unit tests of the render stage (catalyst_gen/render.py): template properties and escaping filters."""

from __future__ import annotations

import dataclasses
import json
from functools import cache

import pytest
from helpers import REPO, gfm_cells
from lxml import etree

from catalyst_gen import contract
from catalyst_gen.build import load_connector, renderer_for
from catalyst_gen.library import Project
from catalyst_gen.model import Connector, FieldSettings
from catalyst_gen.render import (
    Property,
    md_cell,
    md_code,
    md_code_cell,
    md_rich_cell,
    md_text,
    template_properties,
    xml_attr,
)


@cache
def connector(connector_id: str) -> Connector:
    return load_connector(Project(REPO), connector_id)


def with_auth(c: Connector, **changes) -> Connector:
    return dataclasses.replace(c, auth=dataclasses.replace(c.auth, **changes))


def by_name(c: Connector) -> dict[str, Property]:
    return {p.binding_name: p for p in template_properties(c)}


# --------------------------------------------------------------------------
# Template properties
# --------------------------------------------------------------------------


def test_delegate_class_comes_first_then_the_contract_order():
    c = connector("generic-rest")
    properties = template_properties(c)
    assert properties[0] == Property("property", "camunda:class", "Hidden", c.library.runtime_class)
    names = [p.binding_name for p in properties[1:]]
    assert names == [s.name for s in contract.BINDINGS if s.is_present(c)]


@pytest.mark.parametrize("auth_type", contract.AUTH_TYPES)
@pytest.mark.parametrize("editable", [False, True])
def test_auth_properties_per_auth_type_and_editability(auth_type, editable):
    c = with_auth(connector("anthropic"), type=auth_type, types=(auth_type,), editable=editable)
    props = by_name(c)
    has_secret = auth_type != "none" or editable
    assert ("secretSource" in props) == has_secret and ("secretName" in props) == has_secret
    if has_secret:
        assert props["secretSource"].type == "Dropdown"
        assert [value for _, value in props["secretSource"].choices] == list(contract.SECRET_SOURCES)
        assert props["secretName"].not_empty and props["secretName"].value == c.auth.secret_name
    for name in ("authType", "authHeader", "authPrefix"):
        assert (props[name].type == "Hidden") == (not editable), name
    assert props["authType"].value == auth_type
    assert props["authType"].choices == (tuple((a, a) for a in contract.AUTH_TYPES) if editable else ())


def test_a_default_of_none_that_offers_a_key_shows_the_secret_settings():
    """The webhook's case: no auth by default, apiKeyHeader on offer; choosing it needs a secret."""
    c = with_auth(connector("anthropic"), type="none", types=("none", "apiKeyHeader"), editable=False)
    props = by_name(c)
    assert props["secretSource"].type == "Dropdown" and props["secretName"].value == c.auth.secret_name
    assert props["authType"].value == "none"


def test_hidden_settings_keep_their_value_but_lose_choices_and_constraints():
    c = dataclasses.replace(connector("together-ai"), endpoint_editable=False)
    endpoint = by_name(c)["endpointUrl"]
    assert endpoint.type == "Hidden" and endpoint.value == c.endpoint_url
    assert not endpoint.not_empty and endpoint.pattern is None and endpoint.choices == ()
    editable = by_name(dataclasses.replace(c, endpoint_editable=True))["endpointUrl"]
    assert editable.type == "String" and editable.not_empty and editable.pattern == contract.ENDPOINT_URL.pattern


def test_optional_secret_is_a_hidden_true_and_absent_otherwise():
    c = connector("anthropic")
    assert "secretOptional" not in by_name(c)
    optional = by_name(with_auth(c, optional=True))["secretOptional"]
    assert (optional.type, optional.value, optional.label) == ("Hidden", "true", "Secret Optional")


def test_headers_and_query_appear_when_set_or_editable():
    c = dataclasses.replace(connector("anthropic"), endpoint_editable=False, headers={}, query={})
    assert "extraHeaders" not in by_name(c) and "queryParameters" not in by_name(c)
    fixed = by_name(dataclasses.replace(c, headers={"X-Version": "2023-06-01"}, query={"alt": "jsön"}))
    assert fixed["extraHeaders"].type == "Hidden" and json.loads(fixed["extraHeaders"].value) == {
        "X-Version": "2023-06-01"
    }
    assert fixed["queryParameters"].value == '{"alt": "jsön"}'
    editable = by_name(dataclasses.replace(c, endpoint_editable=True))
    assert editable["extraHeaders"].type == "Text" and editable["extraHeaders"].value == "{}"


@pytest.mark.parametrize("method, required", [("POST", True), ("PUT", True), ("PATCH", True), ("GET", False)])
def test_payload_is_required_in_the_modeler_only_for_methods_with_a_body(method, required):
    payload = by_name(dataclasses.replace(connector("together-ai"), method=method))[contract.PAYLOAD_FIELD]
    assert payload.binding_type == "camunda:field" and payload.not_empty is required


@pytest.mark.parametrize("editable, shown, required", [(True, None, False), (False, True, False), (True, False, True)])
def test_a_payload_may_be_cleared_when_the_user_picks_the_method(editable, shown, required):
    """With the HTTP Method shown a GET is one choice away, and the runtime sends an empty payload as no body."""
    c = dataclasses.replace(connector("together-ai"), endpoint_editable=editable)
    if shown is not None:
        c = dataclasses.replace(c, fields={**c.fields, "http_method": FieldSettings(visible=shown)})
    assert c.method == "POST" and by_name(c)[contract.PAYLOAD_FIELD].not_empty is required


def test_secret_name_description_names_the_connectors_variable_and_file():
    description = by_name(connector("together-ai"))["secretName"].description or ""
    assert "TOGETHER_API_KEY" in description and "/run/secrets/together_api_key" in description


def test_example_service_task_binds_exactly_the_template_inputs():
    c = connector("webhook")
    root = etree.fromstring(renderer_for(REPO / "templates").example(c))
    ns = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "camunda": "http://camunda.org/schema/1.0/bpmn"}
    bound = [(p.get("name"), p.text or "") for p in root.iterfind(".//camunda:inputParameter", ns)]
    inputs = [p for p in template_properties(c) if p.binding_type == "camunda:inputParameter"]
    assert bound == [(p.binding_name, p.value) for p in inputs]
    assert root.findtext(".//camunda:field/camunda:string", namespaces=ns) == c.payload_text


# --------------------------------------------------------------------------
# Escaping filters
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ('a "quoted" <b> & c', "a &#34;quoted&#34; &lt;b&gt; &amp; c"),
        ("line 1\nline 2\r\tend", "line 1&#10;line 2&#13;&#9;end"),
        (42, "42"),
    ],
)
def test_xml_attr_escapes_and_keeps_whitespace_a_parser_would_fold(value, expected):
    assert xml_attr(value) == expected
    parsed = etree.fromstring(f'<x a="{xml_attr(value)}"/>'.encode()).get("a")
    assert parsed == str(value)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("a | b", "a \\| b"),
        ("C:\\path", "C:\\\\path"),
        ("two\n  lines", "two lines"),
        ("<script>&", "&lt;script&gt;&amp;"),
        # inside a code span Markdown shows every character as written: nothing is escaped there
        ("`choices[0].text` [x]", "`choices[0].text` \\[x\\]"),
        ("`a<b>&c` <b>", "`a<b>&c` &lt;b&gt;"),
        ("`` x` `` and `open [y]", "`` x` `` and &#96;open \\[y\\]"),  # an unclosed run is text
        ("`a|b`", "`a\\|b`"),  # GFM reads \| inside a cell's code span as a pipe
        ("\\`[x](javascript:1)`", "\\\\`[x](javascript:1)`"),  # a doubled backslash escapes no backtick
    ],
)
def test_md_cell_is_safe_inside_a_table_cell(value, expected):
    assert md_cell(value) == expected


def test_md_text_shows_html_as_written():
    assert md_text("<b>bold</b> & co") == "&lt;b&gt;bold&lt;/b&gt; &amp; co"


@pytest.mark.parametrize(
    "value, expected",
    [
        ("plain", "`plain`"),
        ("a`b", "``a`b``"),
        ("`edge`", "`` `edge` ``"),
        ("x|y", "`x|y`"),
        ("multi\nline", "`multi line`"),
    ],
)
def test_md_code_survives_backticks(value, expected):
    assert md_code(value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [("x|y", "`x\\|y`"), ("a`b|", "``a`b\\|``"), ("plain", "`plain`")],
)
def test_md_code_cell_escapes_pipes_for_the_row_splitter(value, expected):
    assert md_code_cell(value) == expected


@pytest.mark.parametrize("value", ["a|b", "a\\|b", "x\\", "C:\\tmp | D:\\"])
def test_md_code_in_prose_shows_every_character_as_written(value):
    """Outside a table nothing splits the line, so a code span needs no escape: the backslash a
    cell filter puts before a pipe would be shown."""
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").render(f"The value {md_code(value)} here.")
    code = html.split("<code>")[1].split("</code>")[0]
    assert code == value.replace("&", "&amp;").replace("<", "&lt;"), html


CELL_VALUES = ["a|b", "a\\|b", "a\\\\|b", "`a\\|b`", "`a\\\\|b` c", "x\\", "`x\\`", "``a|`b``", "\\`|`", "|"]


@pytest.mark.parametrize("value", CELL_VALUES)
@pytest.mark.parametrize("writer", [md_cell, md_code_cell, md_rich_cell])
def test_a_cell_stays_one_cell_for_github_and_markdown_it(writer, value):
    """GitHub (cmark-gfm) reads a backslash as escaping the next character before it splits a row,
    code spans included: a pipe after a code span's own backslash would start a new cell."""
    from markdown_it import MarkdownIt

    row = f"| {writer(value)} | next |"
    assert gfm_cells(row) == 2, row
    html = MarkdownIt("commonmark").enable("table").render(f"| a | b |\n|---|---|\n{row}\n")
    assert html.count("<td>") == 2 and html.count("<td>next</td>") == 1, (row, html)


def test_a_backslash_in_a_code_span_is_shown_once():
    assert md_code("C:\\tmp\\x") == "`C:\\tmp\\x`"


# --------------------------------------------------------------------------
# Help texts fit the connector (issue #12, section 1)
# --------------------------------------------------------------------------


def response_mapping_help(c: Connector) -> str:
    return by_name(c)[contract.RESPONSE_MAPPING.name].description or ""


@pytest.mark.parametrize("connector_id", ["anthropic", "together-ai", "ollama", "openai"])
def test_the_response_mapping_help_shows_the_connectors_own_first_mapping(connector_id):
    c = connector(connector_id)
    first = c.response_fields[0]
    assert json.dumps({first.variable: first.path}) in response_mapping_help(c)


def test_a_connector_that_maps_nothing_shows_a_neutral_example_not_an_llm_path():
    """The contract's own help (the webhook's spec words its field as published: without `template.fields`)."""
    webhook = dataclasses.replace(connector("webhook"), fields={})
    assert webhook.response_fields == ()
    text = response_mapping_help(webhook)
    assert "choices" not in text and "message" not in text
    assert json.dumps(contract.NEUTRAL_RESPONSE_EXAMPLE) in text and "{} maps nothing" in text


def test_the_response_mapping_help_follows_an_edited_mapping():
    c = connector("together-ai")
    edited = dataclasses.replace(c, response_fields=(dataclasses.replace(c.response_fields[0], variable="answer"),))
    assert json.dumps({"answer": c.response_fields[0].path}) in response_mapping_help(edited)
    assert "choices[0].message.content" not in response_mapping_help(connector("generic-rest"))


# --------------------------------------------------------------------------
# Auth type none with key settings shown (issue #11: the published Ollama README)
# --------------------------------------------------------------------------


def readme_text(c: Connector) -> str:
    return renderer_for(Project(REPO).templates_dir).readme(c).decode("utf-8")


def test_none_binds_no_key_settings_even_when_its_readme_shows_them():
    """What the README shows for auth type none never reaches the task: the runtime sends nothing."""
    c = connector("ollama")
    assert (c.auth.type, c.auth.show_key_settings, c.auth.header, c.auth.prefix) == (
        "none",
        True,
        "Authorization",
        "Bearer",
    )
    props = by_name(c)
    assert (props["authType"].value, props["authHeader"].value, props["authPrefix"].value) == ("none", "", "")
    assert "secretSource" not in props and "secretName" not in props
    editable = by_name(with_auth(c, editable=True))  # a user may switch the type: the declared settings are kept
    assert (editable["authHeader"].value, editable["authPrefix"].value) == ("Authorization", "Bearer")
    assert editable["secretName"].value == "not_required"


def test_the_readme_of_none_shows_the_full_table_and_quick_start_only_when_asked():
    c = connector("ollama")
    shown = readme_text(c)
    for row in (
        "| Auth Type | `none` |",
        "| Auth Header | `Authorization` |",
        "| Auth Prefix | `Bearer` |",
        "| Console | [ollama.com](https://ollama.com/download) |",
        "| Key Prefix | `(none)` |",
        "| Default Secret Name | `not_required` |",
        "| Environment Variable | `env` | `not_required` → env `NOT_REQUIRED` |",
        "2. Set your API key (or secret reference)\n3. Edit the Request Payload for your use case\n4. Deploy and run",
    ):
        assert row in shown, row
    assert "No API key is needed." not in shown
    short = readme_text(with_auth(c, show_key_settings=False))
    assert "| Auth Type | `none` |\n\nNo API key is needed." in short
    assert "Auth Header" not in short and "### Secret Sources" not in short and "Set your API key" not in short
    assert "2. Edit the Request Payload for your use case\n3. Deploy and run" in short
