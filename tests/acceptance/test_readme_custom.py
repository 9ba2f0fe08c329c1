"""The `readme:` key: authored sections and blocks, order, titles, Quick Start, the error table's
columns; every bad input is one located problem, and hostile text stays text."""

from __future__ import annotations

import re
import sys

import pytest
from helpers import REPO, SAMPLE, assert_refused, build_refused, write_spec

sys.path.insert(0, str(REPO / "tests"))
from readme_structure import structure  # noqa: E402

CUSTOM = """
readme:
  order: [about, quick_start, usage, ---, authentication, request_payload, error_handling, files, footer]
  quick_start:
    - Apply the **Catalyst - Together AI** template
    - Test with [webhook.site](https://webhook.site)
  sections:
    about:
      title: About the API
      after:
        - list: [one, "**two**"]
    usage:
      title: Usage
      blocks:
        - text: |
            First paragraph.

            Second paragraph with [docs](https://docs.example.com/a?b=c).
        - steps: [Do this, Then that]
        - table:
            header: ["", Value]
            rows:
              - ["**Timeout**", 60s]
              - ["**Query**", "`${customerQuery}`"]
        - text: Replace any value with `${yourVariableName}` to pull from your process.
        - code: {language: sh, text: "echo ```not the end```"}
        - json: {event: done, user: "${userMessage}", nested: [1, true, null]}
        - break: true
        - section:
            title: The Payload
            blocks:
              - show: payload
              - show: error_table
    error_handling:
      title: Errors
  error_table:
    titles: {action: What to do, fix: Fix}
"""


def readme_of(project, cli, text: str) -> str:
    write_spec(project, text)
    result = cli(project, "build", "sample")
    assert result.exit_code == 0, result.output
    return (project / "dist" / "sample" / "README.md").read_text("utf-8")


def with_fix(text: str) -> str:
    """Every error of the sample gets a `fix:` (the sample's errors are indented by four)."""
    return text.replace("    action:", "    fix: See [the docs](https://docs.example.com)\n    action:")


def test_authored_sections_blocks_order_and_titles(project, cli):
    lines = structure(readme_of(project, cli, with_fix(SAMPLE) + CUSTOM))
    headings = [line for line in lines if line[:1] == "h" and line[1:2].isdigit()]
    assert headings == [
        "h1: Catalyst Connector: Together AI",
        "h2: About the API",
        "h2: Quick Start",
        "h2: Usage",
        "h3: The Payload",
        "h2: Authentication",
        "h3: Secret Sources",
        "h2: Request Payload (Default)",
        "h2: Errors",
        "h2: Files",
    ]
    assert "item: **two**" in lines
    assert "step: Test with [webhook.site](https://webhook.site)" in lines
    assert "paragraph: Second paragraph with [docs](https://docs.example.com/a?b=c)." in lines
    assert "header:  | Value" in lines and "row: **Timeout** | 60s" in lines
    # a ${name} placeholder inside an inline code span is shown as code (the README only)
    assert "row: **Query** | `${customerQuery}`" in lines
    assert "paragraph: Replace any value with `${yourVariableName}` to pull from your process." in lines
    assert "code sh: echo ```not the end```" in lines  # the fence is longer than any run inside
    assert (
        'code json: {\\n  "event": "done",\\n  "user": "${userMessage}",\\n  "nested": [\\n    1,\\n    true,\\n    null\\n  ]\\n}'
        in lines
    )
    assert lines.count("break") == 3  # the order's ---, the block, the footer's
    assert "header: HTTP Status | BPMN Error | Cause | What to do | Fix" in lines
    assert any(
        line.startswith("row: 401 | `AUTH_FAILED` |") and "[the docs](https://docs.example.com)" in line
        for line in lines
    )


def test_steps_go_on_counting_across_a_code_block_only(project, cli):
    readme = readme_of(
        project,
        cli,
        SAMPLE
        + """readme:
  sections:
    tips:
      after:
        - steps: [one, "two, with this payload:"]
        - json: {model: m}
        - code: {text: more}
        - steps: [three]
        - text: A paragraph ends the list.
        - steps: [again one]
""",
    )
    numbered = re.findall(r"^(\d+)\. (.*)$", readme, re.M)
    assert numbered[-4:] == [("1", "one"), ("2", "two, with this payload:"), ("3", "three"), ("1", "again one")]


def test_the_lead_stands_under_the_tagline_before_the_first_section(project, cli):
    lead = (
        "readme:\n  lead:\n    - text: |\n        **API:** `POST /v1/chat/completions`\n"
        "        **Docs:** [reference](https://docs.example.com)\n    - list: [one]\n"
    )
    lines = structure(readme_of(project, cli, SAMPLE + lead))
    start = lines.index("h1: Catalyst Connector: Together AI")
    assert lines[start + 2 : start + 5] == [
        "paragraph: **API:** `POST /v1/chat/completions` **Docs:** [reference](https://docs.example.com)",
        "item: one",
        "h2: About Together AI",
    ]


def test_the_error_table_can_list_its_rows_by_status(project, cli):
    """The sample's errors are 401, 429, 400: by default in that order, with `sort: status` by status."""

    def statuses(text: str) -> list[str]:
        return [line.split(" | ")[0] for line in structure(readme_of(project, cli, text)) if line.startswith("row: 4")]

    assert statuses(SAMPLE) == ["row: 401", "row: 429", "row: 400"]
    assert statuses(SAMPLE + "readme:\n  error_table: {sort: status}\n") == ["row: 400", "row: 401", "row: 429"]
    listed = SAMPLE + "readme:\n  error_table: {order: [429, 400, 401]}\n"
    assert statuses(listed) == ["row: 429", "row: 400", "row: 401"]
    readme = (project / "dist" / "sample" / "README.md").read_text("utf-8")
    mapping = '"429": "RATE_LIMITED",\n  "401": "AUTH_FAILED",\n  "400": "INVALID_REQUEST"'
    assert mapping in readme, "`order` orders the table's rows only, not the Error Mapping"


SUITE = """
readme:
  suite:
    name: Acme Suite
    members:
      - {id: other-one, title: Other One}
      - {id: sample, title: This One}
      - {title: "Lifecycle <b>Example</b>"}
"""


def test_a_suite_footer_links_the_other_connectors_and_names_the_rest_as_text(project, cli):
    write_spec(project, SAMPLE.replace("id: sample", "id: other-one"), "other-one")
    readme = readme_of(project, cli, SAMPLE + SUITE)
    lines = structure(readme)
    footer = "paragraph: *Part of the Acme Suite. See also: [Other One](../other-one/), Lifecycle <b>Example</b>*"
    assert lines[-2:] == ["break", footer]
    assert "This One" not in readme and "<b>" not in readme
    assert readme.split("\n---\n")[-1].count("](") == 1
    assert links_of(readme)[-1] == "../other-one/"


def links_of(readme: str) -> list[str]:
    """The targets of every link a CommonMark reader finds in ``readme``."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("table").parse(readme)
    inline = [child for token in tokens if token.children for child in token.children]
    return [str(token.attrs["href"]) for token in inline if token.type == "link_open"]


def test_text_links_to_another_connector_of_the_library(project, cli):
    write_spec(project, SAMPLE.replace("id: sample", "id: other-one"), "other-one")
    blocks = "  sections:\n    tips:\n      after:\n        - text: 'Use [Other One](../other-one/) next.'\n"
    readme = readme_of(project, cli, spec_with(blocks))
    assert "paragraph: Use [Other One](../other-one/) next." in structure(readme)
    assert "../other-one/" in links_of(readme)


def test_removing_a_linked_connector_fails_the_next_build_of_the_one_that_links_to_it(project, cli):
    """The linked spec is an input of the build: the cache must not answer "unchanged"."""
    other = write_spec(project, SAMPLE.replace("id: sample", "id: other-one"), "other-one")
    readme_of(project, cli, SAMPLE + SUITE)
    assert "unchanged sample" in cli(project, "build", "sample").output
    other.unlink()
    other.parent.rmdir()
    result = cli(project, "build", "sample")
    assert_refused(result, "the README links to the connector `other-one`, which is not in the library")


def test_omitted_standard_sections_are_left_out(project, cli):
    text = readme_of(project, cli, SAMPLE + "readme:\n  order: [about, files]\n")
    assert "## Quick Start" not in text and "## Error Handling" not in text and "Part of the" not in text
    assert "## About Together AI" in text and "## Files" in text


def test_a_multi_paragraph_about_keeps_its_paragraphs(project, cli):
    about = "about: |\n  First line\n  still the first.\n\n  Second one.\n"
    spec = re.sub(r"^about:.*\n(?:  .*\n)*", about, SAMPLE, count=1, flags=re.M)
    lines = structure(readme_of(project, cli, spec))
    assert "paragraph: First line still the first." in lines and "paragraph: Second one." in lines


HOSTILE = [
    "# heading",
    "- list",
    "<script>alert(1)</script>",
    "![img](https://evil.example/x.png)",
    "[x](javascript:alert(1))",
    "text ![i](https://evil.example/i.png) more",
]


@pytest.mark.parametrize("text", HOSTILE[:3])
def test_block_text_cannot_add_structure(project, cli, text):
    readme = readme_of(
        project,
        cli,
        SAMPLE
        + f"readme:\n  sections:\n    tips:\n      after:\n        - text: {text!r}\n        - list: [{text!r}]\n",
    )
    lines = structure(readme)
    assert "<script>" not in readme
    assert not any(line.startswith(("h1: #", "h2: heading")) for line in lines)
    assert f"paragraph: {text}" in lines and f"item: {text}" in lines


def test_no_image_is_made_from_a_valid_link(project, cli):
    readme = readme_of(
        project,
        cli,
        SAMPLE
        + "readme:\n  sections:\n    tips:\n      after:\n        - text: 'see ![i](https://evil.example/i.png)'\n",
    )
    assert "paragraph: see \\![i](https://evil.example/i.png)" in structure(readme)  # a "!", then a link
    assert "see \\![i](https://evil.example/i.png)" in readme


def spec_with(readme: str) -> str:
    return SAMPLE + "readme:\n" + readme


BAD = [
    (
        "unknown section",
        "  order: [about, quik_start]\n",
        "quik_start",
        "no README section `quik_start`",
        "did you mean `quick_start`?",
    ),
    ("listed twice", "  order: [about, files, about]\n", "about]", "README section `about` is listed twice", "once"),
    (
        "not placed",
        "  order: [about]\n  sections:\n    extra: {title: X, blocks: [{text: a}]}\n",
        "extra",
        "the README section `extra` is not placed",
        "readme.order",
    ),
    (
        "bad link",
        "  quick_start: ['[a](http://insecure.example)']\n",
        "'[a]",
        "is neither a plain https:// address nor ../<id>/",
        "[text](https://",
    ),
    (
        "javascript link",
        "  quick_start: ['[a](javascript:alert(1))']\n",
        "'[a]",
        "is not written [text](https://...)",
        "[text](https://",
    ),
    (
        "unknown block kind",
        "  sections:\n    tips:\n      after: [{txt: a}]\n",
        "txt",
        "unknown key `txt`",
        "did you mean `text`?",
    ),
    (
        "two kinds",
        "  sections:\n    tips:\n      after: [{text: a, list: [b]}]\n",
        "{text",
        "exactly one kind",
        "one of text",
    ),
    ("empty block", "  sections:\n    tips:\n      after: [{}]\n", "{}", "exactly one kind, this one has none", None),
    (
        "row width",
        "  sections:\n    tips:\n      after:\n        - table: {header: [a, b], rows: [[x]]}\n",
        "[x]",
        "the table row has 1 cells, its header 2",
        "one cell per column",
    ),
    (
        "empty section",
        "  order: [about, extra]\n  sections:\n    extra: {title: X, blocks: []}\n",
        "[]",
        "should be non-empty",
        None,
    ),
    (
        "no title",
        "  order: [about, extra]\n  sections:\n    extra: {blocks: [{text: a}]}\n",
        "extra: {blocks",
        "has no `title`",
        "heading",
    ),
    (
        "footer title",
        "  sections:\n    footer: {title: End}\n",
        "title",
        "the `footer` section has no heading",
        "remove `title`",
    ),
    (
        "nested subsection",
        "  sections:\n    tips:\n      after: [{section: {title: A, blocks: [{section: {title: B, blocks: [{text: c}]}}]}}]\n",
        "section: {title: B",
        "cannot hold another subsection",
        None,
    ),
    (
        "expression in code",
        "  sections:\n    tips:\n      after: [{code: {text: '${now()}'}}]\n",
        "'${now",
        "starts an expression",
        None,
    ),
    (
        "expression in inline code",
        "  sections:\n    tips:\n      after: [{text: 'use `${now()}` here'}]\n",
        "'use `${now",
        "starts an expression",
        None,
    ),
    (
        "placeholder outside inline code",
        "  sections:\n    tips:\n      after: [{list: ['displays ${aiReply} in a form']}]\n",
        "'displays ${",
        "starts an expression",
        "to show a payload placeholder in README text, write it in backticks",
    ),
    (
        "fix without column",
        "  error_table: {columns: [status, code, cause, action]}\n",
        None,
        "shows no Fix column",
        "columns",
    ),
    ("unknown show", "  sections:\n    tips:\n      after: [{show: secrets}]\n", "secrets", "is not one of", None),
    ("unknown group", "  sections:\n    tips:\n      after: [{fields: auth}]\n", "auth}", "is not one of", None),
    (
        "group without visible fields",
        "  sections:\n    tips:\n      after: [{fields: connection}]\n",
        "connection}",
        "the template shows no field in group `connection`",
        "authentication, request, response",
    ),
    (
        "bad link in the lead",
        "  lead: [{text: '[a](http://insecure.example)'}]\n",
        "'[a]",
        "is neither a plain https:// address nor ../<id>/",
        "[text](https://",
    ),
    ("two kinds in the lead", "  lead: [{text: a, list: [b]}]\n", "{text", "exactly one kind", "one of text"),
    ("empty lead", "  lead: []\n", "[]", "should be non-empty", None),
    ("expression in the lead", "  lead: [{text: 'at ${now()}'}]\n", "'at ${now", "starts an expression", None),
    ("error table sort", "  error_table: {sort: code}\n", "code}", "`code` is not one of: status", None),
    (
        "error table order: a status errors lacks",
        "  error_table: {order: [401, 429, 400, 403]}\n",
        "403]",
        "lists HTTP status 403, which `errors` does not have",
        "list only the statuses of `errors`: 401, 429, 400",
    ),
    (
        "error table order: an error left out",
        "  error_table: {order: [401, 429]}\n",
        "order:",
        "the error for HTTP status 400 is missing from `readme.error_table.order`",
        "add 400 where its row goes",
    ),
    (
        "error table order and sort",
        "  error_table: {sort: status, order: [401, 429, 400]}\n",
        "sort:",
        "has both `sort` and `order`",
        "keep one",
    ),
    ("error table order repeats", "  error_table: {order: [401, 401, 429, 400]}\n", "[401", "non-unique", None),
    ("error table order not statuses", "  error_table: {order: [x]}\n", "x]", "expected a whole number", None),
    (
        "suite member not in the library",
        "  suite:\n    name: Acme\n    members: [{id: sample, title: A}, {id: sampel-two, title: B}]\n",
        "sampel-two",
        "the README links to the connector `sampel-two`, which is not in the library",
        "did you mean `sample`? Otherwise create it (`catalyst-gen new sampel-two`) or remove the link",
    ),
    (
        "link to a connector not in the library",
        "  sections:\n    tips:\n      after: [{list: ['see [it](../zzz/)']}]\n",
        "'see [it]",
        "the README links to the connector `zzz`, which is not in the library",
        ". Otherwise create it (`catalyst-gen new zzz`) or remove the link",
    ),
    (
        "link that leaves the library",
        "  quick_start: ['[up](../../etc/)']\n",
        "'[up]",
        "is neither a plain https:// address nor ../<id>/",
        "[text](../<id>/)",
    ),
    (
        "not a suite member",
        "  suite:\n    name: Acme\n    members: [{id: one, title: One}, {id: two, title: Two}]\n",
        "members",
        "this connector (`sample`) is not a member of its suite 'Acme'",
        "add `{id: sample, title: ...}`",
    ),
    (
        "suite member twice",
        "  suite:\n    name: Acme\n    members: [{id: sample, title: A}, {id: sample, title: B}]\n",
        ("sample, title: B", 0),
        "suite member `sample` is listed twice",
        "once",
    ),
    (
        "suite member id",
        "  suite:\n    name: Acme\n    members: [{id: sample, title: A}, {id: ../x, title: B}]\n",
        "../x",
        '"../x" is not valid here',
        "kebab-case",
    ),
    (
        "suite without name",
        "  suite:\n    members: [{id: sample, title: A}, {title: B}]\n",
        "suite:",
        "missing required key `name`",
        None,
    ),
]


@pytest.mark.parametrize("name, readme, needle, message, hint", BAD, ids=[case[0] for case in BAD])
def test_bad_readme_settings_are_located(project, cli, name, readme, needle, message, hint):
    spec = with_fix(SAMPLE) if name == "fix without column" else SAMPLE
    if name == "group without visible fields":  # the timeout, the Connection group's one field, hidden
        spec += "template:\n  fields:\n    timeout_seconds: {visible: false}\n"
    text = spec + "readme:\n" + readme
    build_refused(project, cli, text, message, needle=needle, hint=hint)


def test_about_is_required_where_the_readme_shows_it_and_refused_where_it_does_not(project, cli):
    import re

    without_about = re.sub(r"^about:.*\n(?:  .*\n)*", "", SAMPLE, count=1, flags=re.M)
    build_refused(
        project,
        cli,
        without_about,
        "the README shows the About section, and the spec has no `about`",
        hint="write `about:`",
    )
    build_refused(
        project,
        cli,
        without_about + "readme:\n  order: [about, files]\n",
        "the README shows the About section, and the spec has no `about`",
        needle="order:",
    )
    build_refused(
        project,
        cli,
        SAMPLE + "readme:\n  order: [quick_start, files]\n",
        "the README does not show the About section (`readme.order` leaves it out), so `about` is shown nowhere",
        needle="about:",
        hint="remove `about`",
    )
    replaced = "readme:\n  sections:\n    about: {blocks: [{text: Other words.}]}\n"
    build_refused(project, cli, SAMPLE + replaced, "(`readme.sections.about.blocks` replaces it)", needle="about:")
    readme = readme_of(project, cli, without_about + replaced)
    assert "## About Together AI\n\nOther words.\n" in readme
    readme = readme_of(project, cli, without_about + "readme:\n  order: [quick_start, files]\n")
    assert "## About" not in readme


def test_a_fix_column_needs_a_fix_on_every_error(project, cli):
    text = SAMPLE.replace("    action:", "    fix: Do it\n    action:", 1)
    build_refused(project, cli, text, "this error has no `fix`", hint="add `fix:`")


def test_a_fields_block_shows_one_group_as_the_modeler_shows_it(project, cli):
    """`fields: <group>` is the group's visible properties of the element template, in the Modeler's order."""
    import json

    spec = SAMPLE + (
        "template:\n  fields:\n    secret_name: {label: Together Key, description: Where the key is}\n"
        "readme:\n  sections:\n    tips:\n      after:\n"
        "        - section: {title: Auth, blocks: [{fields: authentication}]}\n"
        "        - section: {title: Conn, blocks: [{fields: connection}]}\n"
    )
    lines = structure(readme_of(project, cli, spec))
    template = json.loads((project / "dist" / "sample" / "sample.element.json").read_text("utf-8"))
    shown = {
        group: [p["label"] for p in template["properties"] if p.get("group") == group and p["type"] != "Hidden"]
        for group in ("authentication", "connection")
    }
    auth = lines[lines.index("h3: Auth") + 2 : lines.index("h3: Conn")]
    assert [row.split(" | ")[0].removeprefix("row: ") for row in auth] == shown["authentication"]
    assert "row: Together Key | String | `together_api_key` | Where the key is" in auth
    conn = lines[lines.index("h3: Conn") + 1 : lines.index("h3: Conn") + 3]
    assert conn == [
        "header: Field | Type | Default | Description",
        "row: Timeout (seconds) | String | `60` | "
        + next(p["description"] for p in template["properties"] if p.get("label") == "Timeout (seconds)"),
    ]
    assert shown["connection"] == ["Timeout (seconds)"]
