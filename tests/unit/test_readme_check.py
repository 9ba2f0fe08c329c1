"""The build's README check (:mod:`catalyst_gen.checks.readme`): what a Markdown reader would
see that the templates must not make is refused; every README of the library passes."""

from __future__ import annotations

import pytest
from helpers import REPO

from catalyst_gen.checks.readme import check_readme, gfm_cells

CLEAN = """# Catalyst Connector: X

See [the console](https://console.example.com) and [Other](../other-one/).

![Example process](x-example.svg)

| a | b |
|---|---|
| `p\\|q` | `x\\\\\\|y` |

```sh
| a line of code that starts with a pipe
<b>not html inside a fence</b>
```
"""


def messages(text: str) -> list[str]:
    return [p.message for p in check_readme(text, "README.md", "x-example.svg")]


def test_a_readme_the_templates_would_write_passes():
    assert messages(CLEAN) == []


@pytest.mark.parametrize(
    "text, found",
    [
        ("<div>block</div>\n", "line 1: an HTML block"),
        ("text <b>bold\n", "line 1: inline HTML '<b>'"),
        ("\n![t](https://evil.example/t.png)\n", "line 2: an image of 'https://evil.example/t.png'"),
        ("[x](javascript:alert(1))\n", "a link to 'javascript:alert(1)'"),
        ("[x](../../etc/)\n", "a link to '../../etc/', whose address is neither"),
        ("[x](http://plain.example)\n", "a link to 'http://plain.example'"),
        ("| a | b |\n|---|---|\n| `p\\\\|q` | r |\n", "line 3: a table row of 3 cells under a header of 2"),
    ],
)
def test_what_the_templates_must_not_make_is_found(text, found):
    got = messages(text)
    assert len(got) == 1 and found in got[0] and got[0].startswith("README.md line"), got


@pytest.mark.parametrize(
    "row, cells",
    [("| a | b |", 2), ("a | b", 2), ("| a \\| b |", 1), ("| `a\\|b` | c |", 2), ("| `a\\\\|b` | c |", 3), ("|x|", 1)],
)
def test_rows_are_split_as_github_splits_them(row, cells):
    assert gfm_cells(row) == cells


def test_every_readme_of_the_library_passes():
    for readme in sorted((REPO / "dist").glob("*/README.md")):
        picture = f"{readme.parent.name}-example.svg"
        assert check_readme(readme.read_text("utf-8"), readme.parent.name, picture) == [], readme
