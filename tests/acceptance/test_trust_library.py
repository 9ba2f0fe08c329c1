"""Issue #10, class 7: ``_library.yaml`` is checked and escaped like a spec.

The library settings arrive in pull requests like any spec, and every README
(footer), template and example carries them.  A hostile value is refused at
its place in ``_library.yaml``; prose that is merely odd is shown as text.
"""

from __future__ import annotations

import pytest
from helpers import assert_refused, line_col, tree
from markdown_it import MarkdownIt

SETTINGS = "connectors/_library.yaml"

# key -> hostile value (YAML scalar as written) -> message the build gives
REFUSED = {
    "name-expression": ("library_name", "\"Lib ${execution.getVariable('x')}\"", "`${`"),
    "name-deferred-expression": ("library_name", '"#{bean.run()}"', "`#{`"),
    "tagline-expression": ("tagline", '"Native ${x}"', "`${`"),
    "name-two-lines": ("library_name", '"Catalyst\\nLibrary"', "spans several lines"),
    "tagline-two-lines": ("tagline", '"one\\r\\n## two"', "spans several lines"),
    "tagline-blank": ("tagline", '"   "', "the text is blank"),
    "name-blank": ("library_name", '" \\t "', "the text is blank"),
    "name-bidi-override": ("library_name", '"Lib\\u202Eyrarbil"', "U+202E"),
    "tagline-nul": ("tagline", '"a\\0b"', "U+0000"),
    "website-javascript": ("website", '"javascript:alert(1)"', "website"),
    "website-breaks-link": ("website", '"https://lib.test/a)![x](https://evil.test/t.png"', "end the README's link"),
    "website-space": ("website", '"https://a.example/x y"', "website URL"),
    "website-userinfo": ("website", '"https://user:pass@a.example/"', "website URL"),
    "website-no-host": ("website", '"https:///path"', "website URL"),
    "tagline-secret": ("tagline", '"sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"', "secrets must not"),
    "website-secret-query": (
        "website",
        '"https://lib.test/?key=sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWx"',
        "secrets must not",
    ),
}

# prose the README shows as written text: no link, image, heading or HTML of its making
SHOWN_AS_TEXT = {
    "link": "[click](javascript:alert(1))",
    "image": "![t](https://evil.example/t.png)",
    "html": '<img src="https://evil.example/t.png">',
    "heading-start": "## Pwned",
    "list-start": "- item",
    "backslash": "ends with \\",
}


def _set(root, key: str, value: str) -> str:
    path = root / SETTINGS
    lines = [line for line in path.read_text().splitlines() if not line.startswith(f"{key}:")]
    text = "\n".join(lines) + f"\n{key}: {value}\n"
    path.write_text(text)
    return text


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_hostile_library_settings_are_refused_where_they_are(project, cli, case):
    key, value, message = REFUSED[case]
    text = _set(project, key, value)
    before = tree(project)
    result = cli(project, "build", "together-ai", "--force")
    line, _ = line_col(text, f"{key}: ")
    assert_refused(result, message, where=(SETTINGS, line, None))
    assert tree(project) == before, "a refused build changed files"


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_check_refuses_the_same_settings(project, cli, case):
    key, value, message = REFUSED[case]
    _set(project, key, value)
    result = cli(project, "check")
    assert result.exit_code == 1, result.output
    assert message in result.output and "Traceback" not in result.output


def _footer_tokens(readme: str) -> list:
    footer = [line for line in readme.splitlines() if line.startswith("*Part of the ")]
    assert len(footer) == 1, readme[-400:]
    tokens = MarkdownIt("commonmark").parse(footer[0])
    return [child for token in tokens if token.children for child in token.children]


@pytest.mark.parametrize("field", ["library_name", "tagline"])
@pytest.mark.parametrize("case", sorted(SHOWN_AS_TEXT))
def test_library_prose_adds_no_markdown_to_any_readme(project, cli, field, case):
    value = SHOWN_AS_TEXT[case].replace("\\", "\\\\").replace('"', '\\"')
    _set(project, field, f'"{value}"')
    result = cli(project, "build", "together-ai", "--force")
    assert result.exit_code == 0, result.output
    readme = (project / "dist" / "together-ai" / "README.md").read_text()
    tokens = _footer_tokens(readme)
    links = [t.attrs.get("href") for t in tokens if t.type == "link_open"]
    assert links == ["https://catalyst-connector.com"], links
    assert not [t for t in tokens if t.type in ("image", "html_inline")]
    shown = "".join(t.content for t in tokens if t.type == "text")
    assert SHOWN_AS_TEXT[case] in shown, shown
    assert readme.splitlines()[-1].startswith("*Part of the "), "the footer stays the README's last paragraph"
