"""Issue #10, class 9: `bump` edits only the version value, YAML-aware, and never leaves a spec that does not build.

The edit goes where the YAML parser located the ``version`` key of the spec
(not where a pattern finds the text ``version:``), changes only the digits,
keeps comments, layout and a byte-order mark, and puts the file back as it was
when the raised version would not build.
"""

from __future__ import annotations

import difflib

import pytest
from helpers import SAMPLE, write_spec

SPEC = "connectors/sample/connector.yaml"


def raise_version(project, cli, text: str | bytes):
    path = write_spec(project, text)
    first = cli(project, "bump", "sample")  # a new connector: its version is recorded
    assert first.exit_code == 0, first.output
    before = path.read_bytes()
    result = cli(project, "bump", "sample", "--force")
    return result, before, path.read_bytes()


def changed_lines(before: bytes, after: bytes) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.decode().splitlines(), after.decode().splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "version: 1",
            "version: 1   # raise with catalyst-gen bump",
            ["-version: 1   # raise with catalyst-gen bump", "+version: 2   # raise with catalyst-gen bump"],
        ),
        ("version: 1", '"version": 1', ['-"version": 1', '+"version": 2']),
        ("version: 1", "version:     1", ["-version:     1", "+version:     2"]),
    ],
    ids=["comment-kept", "quoted-key", "spacing-kept"],
)
def test_only_the_digits_of_the_version_change(project, cli, old, new, expected):
    result, before, after = raise_version(project, cli, SAMPLE.replace(old, new, 1))
    assert result.exit_code == 0, result.output
    assert changed_lines(before, after) == expected


def test_a_spec_that_does_not_build_is_not_edited(project, cli):
    path = write_spec(project, SAMPLE.replace("version: 1", "version: 1\nnot_a_key: 0", 1))
    before = path.read_bytes()
    result = cli(project, "bump", "sample", "--force")
    assert result.exit_code == 1 and "unknown key" in result.output
    assert path.read_bytes() == before


def test_a_version_line_inside_a_block_of_text_is_not_the_version(project, cli):
    text = SAMPLE.replace("about: >-\n", "about: >-\n  version: 7 is mentioned in this text\n", 1)
    text = text.replace("version: 1\n", "", 1) + "version: 1\n"  # the real key comes last
    result, before, after = raise_version(project, cli, text)
    assert result.exit_code == 0, result.output
    assert changed_lines(before, after) == ["-version: 1", "+version: 2"]
    assert "version: 7 is mentioned" in after.decode()


def test_an_inherited_version_is_written_after_the_id(project, cli):
    spec = project / "connectors" / "together-ai" / "connector.yaml"
    preset = project / "connectors" / "_presets" / "openai-chat.yaml"
    # together-ai states its version since it was bumped; inherit the released version 4 again
    spec.write_text(spec.read_text().replace("\nversion: 4\n", "\n", 1))
    preset.write_text(preset.read_text().replace("\nversion: 1\n", "\nversion: 4\n", 1))
    before = spec.read_bytes()
    assert b"\nversion:" not in before
    result = cli(project, "bump", "together-ai", "--force")
    assert result.exit_code == 0, result.output
    assert changed_lines(before, spec.read_bytes()) == ["+version: 5"]
    lines = spec.read_text().splitlines()
    assert lines[lines.index("id: together-ai") + 1] == "version: 5"


def test_a_byte_order_mark_is_kept(project, cli):
    result, before, after = raise_version(project, cli, b"\xef\xbb\xbf" + SAMPLE.encode())
    assert result.exit_code == 0, result.output
    assert after.startswith(b"\xef\xbb\xbf") and changed_lines(before[3:], after[3:]) == ["-version: 1", "+version: 2"]


def test_a_version_that_would_not_build_leaves_the_spec_as_it_was(project, cli):
    text = SAMPLE.replace("version: 1", "version: 2147483647", 1)
    path = write_spec(project, text)
    assert cli(project, "bump", "sample").exit_code == 0
    before = path.read_bytes()
    result = cli(project, "bump", "sample", "--force")
    assert result.exit_code == 1 and "would break its spec; it was left as it was" in result.output, result.output
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    "written",
    ["version: &v 1", "version: !!int 1"],
    ids=["anchor", "explicit-tag"],
)
def test_a_version_not_written_as_a_plain_number_is_refused_not_guessed(project, cli, written):
    path = write_spec(project, SAMPLE.replace("version: 1", written, 1))
    first = cli(project, "bump", "sample")
    if first.exit_code != 0:  # refused already as a spec (e.g. anchors are fine, tags may not be)
        assert "internal error" not in first.output
        return
    before = path.read_bytes()
    result = cli(project, "bump", "sample", "--force")
    assert "internal error" not in result.output
    if result.exit_code == 0:
        assert changed_lines(before, path.read_bytes())[-1].endswith("2")
    else:
        assert "plain number" in result.output and path.read_bytes() == before
