"""The README's layout (catalyst_gen/readme.py), its link rule (grammar) and its Markdown writers (render)."""

from __future__ import annotations

import pytest

from catalyst_gen import grammar
from catalyst_gen.readme import STANDARD_SECTIONS, build_readme, paragraphs
from catalyst_gen.render import md_fence, md_link, md_rich, md_rich_cell


def test_without_a_readme_key_the_sections_are_the_standard_ones_in_order():
    readme = build_readme(None, "Acme")
    assert [s.name for s in readme.sections] == list(STANDARD_SECTIONS)
    assert readme.sections[0].title == "About Acme" and not any(s.replaced for s in readme.sections)
    assert [key for key, _ in readme.error_columns] == ["status", "code", "cause", "action"]
    assert [key for key, _ in build_readme(None, "Acme", has_fix=True).error_columns][-1] == "fix"


def test_order_titles_and_blocks_come_from_the_key():
    readme = build_readme(
        {
            "order": ["files", "---", "extra"],
            "sections": {
                "files": {"title": "Files!", "blocks": [{"show": "files"}]},
                "extra": {"title": "X", "blocks": [{"json": {"a": [1]}}]},
            },
        },
        "Acme",
    )
    assert [(s.name, s.partial, s.title) for s in readme.sections] == [
        ("files", "files", "Files!"),
        ("---", "break", ""),
        ("extra", "custom", "X"),
    ]
    assert readme.sections[0].replaced
    assert readme.sections[2].blocks[0].code == '{\n  "a": [\n    1\n  ]\n}'


def test_paragraphs_split_at_blank_lines_and_fold_each():
    assert paragraphs("one\ntwo\n\n\nthree  four\n") == ("one two", "three four")


@pytest.mark.parametrize(
    "url, ok",
    [
        ("https://webhook.site", True),
        ("https://docs.example.com/a?b=c#d", True),
        ("http://webhook.site", False),
        ("javascript:alert(1)", False),
        ("data:text/html,x", False),
        ("/relative", False),
        ("https://user:pw@host.example", False),
        ("https://a.example/x'y", False),
        ("../jira-create-issue/", True),
        ("../jira-create-issue", False),
        ("../../etc/", False),
        ("../", False),
        ("./jira-create-issue/", False),
        ("../jira-create-issue/README.md", False),
        ("../Jira/", False),
        ("../a--b/", False),
        ("..\\x/", False),
    ],
)
def test_the_link_rule(url, ok):
    assert (grammar.readme_link_problem(url) is None) == ok


def test_links_to_other_connectors_are_found_once_each_in_order():
    text = "[B](../b/) then [A](../a/), [B again](../b/), [web](https://x.example/), [up](../../c/)"
    assert grammar.linked_connectors(text) == ["b", "a"]
    assert grammar.connector_link("a") == "../a/" and grammar.linked_connector(grammar.connector_link("a")) == "a"


def test_a_link_that_breaks_the_rule_is_shown_as_text_by_the_renderer():
    assert md_rich("see [a](https://a.example)") == "see [a](https://a.example)"
    assert md_rich("see [a](http://a.example)") == "see \\[a\\](http://a.example)"
    assert md_rich("![a](https://a.example)") == "\\![a](https://a.example)"
    assert md_rich("# [a](https://a.example)") == "\\# [a](https://a.example)"
    assert md_rich_cell("a | [b](https://b.example)") == "a \\| [b](https://b.example)"
    assert md_rich("<b>[x</b>](https://x.example)") == "&lt;b&gt;[x&lt;/b&gt;](https://x.example)"  # label as text


@pytest.mark.parametrize("code", ["plain", "a ``` b", "````\nx", "`"])
def test_a_code_block_fence_is_longer_than_any_backtick_run_inside(code):
    text = md_fence(code, "sh")
    fence = text.split("\n", 1)[0][: -len("sh")]
    assert set(fence) == {"`"} and len(fence) >= 3
    assert all(len(run) < len(fence) for run in code.split("\n") if set(run) == {"`"})
    assert text == f"{fence}sh\n{code}\n{fence}"


def _block_and_inline_tokens(markdown: str) -> list[str]:
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    return [t.type for t in tokens] + [child.type for t in tokens if t.children for child in t.children]


def test_a_code_span_shows_what_it_holds_without_escapes():
    assert md_rich("use `items[0]` or `a<b & c`") == "use `items[0]` or `a<b & c`"
    assert md_rich("`[0]` and [0]") == "`[0]` and \\[0\\]"
    assert md_rich_cell("`a|b` [c](https://c.example)") == "`a\\|b` [c](https://c.example)"
    assert md_rich("``a ` b`` x") == "``a ` b`` x"  # a double-backtick span holds a single backtick


@pytest.mark.parametrize(
    "text, spans, links",
    [
        ("`[x](javascript:alert(1))`", 1, 0),
        ("a ` [x](https://x.example) <b> ` b", 1, 0),
        ("`unclosed [x](https://x.example) <b>", 0, 1),
        ("```\n[x](https://x.example)\n```", 0, 1),
        ("``` [x](https://x.example) ```", 0, 1),
        ("` one ``two`` [x](https://x.example) `", 1, 0),
        ("`a` [x](https://x.example) `b` <i>", 2, 1),
    ],
)
def test_only_the_backticks_of_a_code_span_reach_the_readme(text, spans, links):
    """Every backtick that does not pair into a span is `&#96;`: the parser pairs what the writer paired,
    so nothing written as it is (inside a span) is read as Markdown, and no run of three makes a fence."""
    out = md_rich(text)
    kinds = _block_and_inline_tokens(out)
    assert "html_inline" not in kinds and "fence" not in kinds and "html_block" not in kinds
    assert (kinds.count("code_inline"), kinds.count("link_open")) == (spans, links)
    assert "```" not in out


def test_a_suite_lists_the_other_members_and_the_lead_and_sort_are_read():
    suite = {"name": "S", "members": [{"id": "a", "title": "A"}, {"id": "b", "title": "B"}, {"title": "C"}]}
    readme = build_readme(
        {"suite": suite, "lead": [{"text": "x"}], "error_table": {"sort": "status"}}, "Acme", connector_id="b"
    )
    assert readme.suite is not None
    assert [(m.title, m.link) for m in readme.suite.others] == [("A", "../a/"), ("C", "")]
    assert [md_link(m) for m in readme.suite.others] == ["[A](../a/)", "C"]
    assert [b.kind for b in readme.lead] == ["text"] and readme.errors_by_status
    plain = build_readme(None, "Acme", connector_id="b")
    assert plain.suite is None and plain.lead == () and not plain.errors_by_status and plain.error_order == ()
    listed = build_readme({"error_table": {"order": [404, 401]}}, "Acme")
    assert listed.error_order == (404, 401) and not listed.errors_by_status
