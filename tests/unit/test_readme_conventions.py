"""Issue #11, generator conventions that hold across every published README.

* the Console row's link text is the host alone, unless the spec gives a label;
* the text picture under "Example Process" is one fixed block: only the task's
  name changes, the boundary-error arrow keeps its length;
* a models table needs no payload model and no default, and may come with a note.
"""

from __future__ import annotations

import json
import re

import pytest
from helpers import SAMPLE, write_spec

from catalyst_gen.build import build_connector
from catalyst_gen.layout import TEXT_DIAGRAM_BRANCH, text_diagram
from catalyst_gen.library import Project


def readme(project, text: str) -> str:
    write_spec(project, text)
    return build_connector(Project(project), "sample").files["README.md"].decode()


@pytest.mark.parametrize(
    "console, label, shown",
    [
        ("https://api.slack.com/apps", None, "api.slack.com"),
        ("https://platform.openai.com/api-keys", None, "platform.openai.com"),
        ("https://console.groq.com:443/keys", None, "console.groq.com"),
        ("https://api.slack.com/apps", "Slack apps", "Slack apps"),
        ("https://api.slack.com/apps", "a | b", "a \\| b"),
    ],
)
def test_the_console_row_shows_the_host_or_the_label(project, console, label, shown):
    text = SAMPLE.replace("  console: https://api.together.ai", f"  console: {console}", 1)
    if label:
        text = text.replace(f"  console: {console}", f'  console: {console}\n  console_label: "{label}"', 1)
    row = next(line for line in readme(project, text).splitlines() if line.startswith("| Console |"))
    assert row == f"| Console | [{shown}]({console}) |"


@pytest.mark.parametrize("task", ["Ask Slack", "Ask Together AI", "Post a very long message to a Teams channel", "X"])
def test_the_text_picture_is_one_fixed_block(task):
    lines = text_diagram("Configure", task, "Review").splitlines()
    assert lines[0] == f"[Start] → [User Task: Configure] → [Service Task: {task}] → [User Task: Review] → [End]"
    assert lines[1] == " " * 45 + "|"
    assert lines[2] == " " * 39 + "[Boundary Error] " + "─" * 12 + "→ [Review]"
    assert "\n".join(lines[1:]).startswith(TEXT_DIAGRAM_BRANCH)


def test_the_seed_readmes_picture_is_reproduced(project):
    from helpers import REPO

    seed = (REPO.parent / "shared" / "seed" / "together-ai.README.md").read_text("utf-8")
    ours = (REPO / "dist" / "together-ai" / "README.md").read_text("utf-8")
    block = re.compile(r"```\n\[Start\].*?```", re.S)
    assert block.search(ours).group() == block.search(seed).group()


def _models_section(markdown: str) -> str:
    match = re.search(r"## Available Models\n(.*?)\n## ", markdown, re.S)
    return match.group(1) if match else ""


def test_models_without_a_default_are_a_list_of_choices(project):
    text = SAMPLE.replace(", default: true}", "}").replace("    default: true\n", "")
    text = text.replace("    model: meta-llama/Llama-3.3-70B-Instruct-Turbo", "    model: any-other-model", 1)
    section = _models_section(readme(project, text))
    assert "| Model | Description |" in section and "(default)" not in section


def test_a_payload_without_a_model_still_lists_models(project):
    text = SAMPLE.replace("    model: meta-llama/Llama-3.3-70B-Instruct-Turbo\n", "", 1)
    assert "| Model | Description |" in _models_section(readme(project, text))


def test_a_models_note_is_shown_with_or_without_a_table(project):
    with_table = _models_section(
        readme(project, SAMPLE.replace("models:", "models_note: Models vary by provider.\nmodels:", 1))
    )
    assert with_table.lstrip().startswith("Models vary by provider.") and "| Model |" in with_table
    no_table = re.sub(r"models:\n(  - .*\n(    .*\n)*)+", "models_note: Models vary by provider.\n", SAMPLE, count=1)
    no_table = no_table.replace("    model: meta-llama/Llama-3.3-70B-Instruct-Turbo\n", "", 1)
    section = _models_section(readme(project, no_table))
    assert section.strip() == "Models vary by provider.", section


def test_two_defaults_are_still_refused(project, cli):
    from helpers import build_refused

    text = SAMPLE.replace(
        "    description: DeepSeek R1 — reasoning (US-hosted)",
        "    description: DeepSeek R1 — reasoning (US-hosted)\n    default: true",
        1,
    )
    assert text != SAMPLE
    build_refused(project, cli, text, "more than one model is marked default")


@pytest.mark.parametrize(
    "tip", ["**Groq is FAST**", "**EU-based**", "*Fast* and cheap", "-1 means no limit", "+1 for speed"]
)
def test_a_tip_that_starts_with_emphasis_stays_as_written(project, tip):
    """Published tips start with bold text; only a real list, heading or break marker is escaped."""
    from markdown_it import MarkdownIt

    text = SAMPLE.replace("  - Free credits on signup for development.", f"  - {json.dumps(tip)}", 1)
    markdown = readme(project, text)
    assert f"- {tip}" in markdown.splitlines()
    tokens = MarkdownIt("commonmark").parse(markdown)
    items = [t for t in tokens if t.type == "list_item_open"]
    assert len(items) == 4 + 4, "every tip is one list item (4 tips, 4 quick-start steps)"


def test_the_readmes_error_mapping_puts_retried_statuses_first(project):
    """Published READMEs write 429 first in the JSON block and keep the spec's order in the table."""
    markdown = readme(project, SAMPLE)
    block = re.search(r"## Error Handling\n\n```json\n(.*?)```", markdown, re.S).group(1)
    assert list(json.loads(block)) == ["429", "401", "400"]
    rows = re.findall(r"^\| (\d{3}) \|", markdown, re.M)
    assert rows == ["401", "429", "400"]
