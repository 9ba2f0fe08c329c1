"""Issue #10, class 7: every README stays the README.

Whatever text a spec puts in a prose field or a table cell, the generated
README parses (CommonMark + GFM tables, markdown-it-py) into the same
structure as with plain text: the same headings, code blocks, tables, links
and images, and no link or image of the spec's making.
"""

from __future__ import annotations

import json

import pytest
from helpers import SAMPLE, build_refused, table_problems, write_spec
from markdown_it import MarkdownIt

from catalyst_gen.build import build_connector
from catalyst_gen.library import Project

HOSTILE = {
    "heading": "# Pwned heading",
    "heading-indented": "   ## Pwned",
    "fence-backticks": "``` evil",
    "fence-tildes": "~~~",
    "quote": "> quoted",
    "list": "- item",
    "ordered-list": "1. item",
    "thematic-break": "---",
    "thematic-break-underscores": "___",
    "thematic-break-spaced-stars": "* * *",
    "ordered-list-paren": "1) item",
    "list-star": "* item",
    "list-plus": "+ item",
    "setext": "===",
    "javascript-link": "[click](javascript:alert(1))",
    "data-link": "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "remote-image": "![t](https://evil.example/track.png)",
    "reference-image": "![t][r]",
    "autolink": "<https://evil.example/x>",
    "html-image": '<img src="https://evil.example/t.png">',
    "html-script": "<script>alert(1)</script>",
    "escaped-bracket": "\\[x](javascript:alert(1))",
    "pipe": "a | b | c",
    "backslash-pipe": "a \\| b",
    "code-backslash-pipe": "`a\\|b` c",  # GitHub splits a row at this pipe unless it is escaped again
}

# spec text -> where the hostile text goes ({x}), covering prose lines, list items and table cells
FIELDS = {
    "tagline": (
        "tagline: Access 200+ open-source models through Together AI's fast inference platform",
        "tagline: {x}",
    ),
    "about": ("  Together AI hosts 200+", "  {x} Together AI hosts 200+"),
    "tip": ("  - Free credits on signup for development.", "  - {x}"),
    "error-cause": ("cause: Invalid API key", "cause: {x}"),
    "mapping-description": ("description: The model's response text", "description: {x}"),
    "model-description": ("description: Llama 3.3 70B Turbo", "description: {x}"),
    "task-name": ("task_name: Ask Together AI", "task_name: {x}"),
    "console-label": ("  console: https://api.together.ai", "  console: https://api.together.ai\n  console_label: {x}"),
    "models-note": ("models:", "models_note: {x}\nmodels:"),
}


def structure(markdown: str) -> dict[str, object]:
    """What a reader sees the README made of: headings, code blocks, tables, links and images."""
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    inline = [child for token in tokens if token.children for child in token.children]
    return {
        "headings": [t.tag for t in tokens if t.type == "heading_open"],
        "code_blocks": sum(t.type in ("fence", "code_block") for t in tokens),
        "tables": sum(t.type == "table_open" for t in tokens),
        "rows": sum(t.type == "tr_open" for t in tokens),
        "quotes": sum(t.type == "blockquote_open" for t in tokens),
        "lists": sum(t.type in ("bullet_list_open", "ordered_list_open") for t in tokens),
        "hr": sum(t.type == "hr" for t in tokens),
        "links": sorted(str(t.attrs.get("href")) for t in inline if t.type == "link_open"),
        "images": sorted(str(t.attrs.get("src")) for t in inline if t.type == "image"),
        "html": sum(t.type in ("html_block", "html_inline") for t in tokens + inline),
    }


def readme(root, spec_text: str) -> str:
    write_spec(root, spec_text)
    built = build_connector(Project(root), "sample")
    return built.files["README.md"].decode()


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    import shutil

    from helpers import REPO

    root = tmp_path_factory.mktemp("lib")
    for name in ("connectors", "templates"):
        shutil.copytree(REPO / name, root / name)
    return root


@pytest.fixture(scope="module")
def baseline(library):
    return {
        field: structure(readme(library, SAMPLE.replace(old, new.format(x=json.dumps("plain words")), 1)))
        for field, (old, new) in FIELDS.items()
    }


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
@pytest.mark.parametrize("field", FIELDS, ids=FIELDS.keys())
def test_no_spec_text_changes_the_readmes_structure(library, baseline, field, text):
    old, new = FIELDS[field]
    hostile = readme(library, SAMPLE.replace(old, new.format(x=json.dumps(text)), 1))
    assert structure(hostile) == baseline[field], hostile
    assert table_problems(hostile) == [], "a row GitHub (cmark-gfm) splits differently"


@pytest.mark.parametrize(
    "console",
    [
        "https://api.together.ai)![t](https://evil.example/t.png",
        "https://api.together.ai/<x>",
        "https://api.together.ai/`x`",
        "javascript:alert(1)",
        "https://user:pw@api.together.ai",
    ],
    ids=["close-paren", "angle", "backtick", "javascript", "userinfo"],
)
def test_a_console_url_that_would_break_its_link_is_refused(project, cli, console):
    text = SAMPLE.replace("console: https://api.together.ai", f"console: {json.dumps(console)}", 1)
    build_refused(project, cli, text, "console", needle=("console: ", len("console: ")))


BLANK = {"spaces": '"   "', "tab": '"\\t"', "newlines": '"\\n\\n"', "nbsp": '"\\u00a0"'}
"""Values that say nothing: the README would show an empty line, the Modeler a blank label."""


@pytest.mark.parametrize("blank", BLANK.values(), ids=BLANK.keys())
@pytest.mark.parametrize("field", ["tagline", "task-name", "error-cause", "model-description"])
def test_blank_text_is_refused_where_it_is_written(project, cli, field, blank):
    old, new = FIELDS[field]
    prefix = new.split("{x}")[0]
    text = SAMPLE.replace(old, prefix + blank, 1)
    assert text != SAMPLE
    build_refused(project, cli, text, "the value is blank", (prefix + blank, len(prefix)))


@pytest.mark.parametrize("name", ["javascript: the guide", "data:text/html,hi", "vbscript:x"])
def test_a_name_that_reads_like_a_url_is_text_in_the_logo_and_the_readme(project, cli, name):
    """The generated logo carries the name in aria-label: text, not a link, so it is not refused."""
    text = SAMPLE.replace("\nname: Together AI\n", f"\nname: {json.dumps(name)}\n", 1)
    assert text != SAMPLE
    write_spec(project, text)
    result = cli(project, "build", "sample")
    assert result.exit_code == 0, result.output
    readme = (project / "dist" / "sample" / "README.md").read_text()
    assert name in (project / "dist" / "sample" / "sample.svg").read_text()
    assert structure(readme)["links"] == structure(readme.replace(name, "Together AI"))["links"]


def test_a_template_that_forgets_a_filter_fails_the_build(project, cli):
    """Templates are for connector authors to change: one that writes spec text without its md_*
    filter is caught by the build's own README check (CG440), before anything is written."""
    about = project / "templates" / "readme" / "section" / "about.md.j2"
    about.write_text(about.read_text("utf-8").replace('|map("md_text")', ""), "utf-8")
    text = SAMPLE.replace(
        "  Together AI hosts 200+", "  See [this](javascript:alert(1)) <b>now</b>. Together AI hosts 200+"
    )
    result = build_refused(project, cli, text, "README.md line")
    assert "a link to 'javascript:alert(1)'" in result.output and "inline HTML '<b>'" in result.output
    assert "CG440" in cli(project, "build", "--format", "json", "sample").output


def test_a_pipe_in_a_code_span_is_escaped_in_a_cell_and_shown_as_written_in_prose(project, cli):
    """GitHub splits a table row before it reads code spans, so a cell escapes a pipe
    (``md_code_cell``); a sentence has no rows to split, and the backslash would be shown there
    (``md_code``). Slack's success condition is written in both: its error-table row and the
    sentence after the table."""
    spec = project / "connectors" / "slack" / "connector.yaml"
    spec.write_text(spec.read_text("utf-8").replace("    equals: true", '    equals: "ok|done"'), "utf-8")
    result = cli(project, "build", "slack")
    assert result.exit_code == 0, result.output
    readme = (project / "dist" / "slack" / "README.md").read_text("utf-8")
    row = next(line for line in readme.splitlines() if line.startswith("| 2xx,"))
    assert '`"ok\\|done"`' in row and table_problems(readme) == []
    sentence = next(line for line in readme.splitlines() if line.startswith("A 2xx response counts"))
    assert '`"ok|done"`' in sentence, sentence
    html = MarkdownIt("commonmark").render(sentence)
    assert "<code>&quot;ok|done&quot;</code>" in html, html
