"""The project README states the truth: its test command is CI's, its contract table is the code's."""

from __future__ import annotations

import re

from helpers import REPO

from catalyst_gen import contract

README = (REPO / "README.md").read_text("utf-8")


def shell_blocks():
    return re.findall(r"```sh\n(.*?)\n```", README, re.S)


def test_ci_runs_the_readme_test_command():
    test_command = next(b for b in shell_blocks() if "pytest" in b)
    ci = (REPO / ".ci" / "run").read_text("utf-8").strip().splitlines()[-1]
    assert ci == test_command


def test_readme_build_command_builds_together_ai():
    assert any(b.endswith("build together-ai") for b in shell_blocks())


def test_contract_table_lists_every_input_the_runtime_reads():
    table = re.search(r"\| Input parameter \| Meaning \|\n\|[-|]+\|\n((?:\|.*\n)+)", README).group(1)
    rows = re.findall(r"^\| `(\w+)` \| (.*) \|$", table, re.M)
    assert [name for name, _ in rows] == list(contract.INPUT_NAMES)
    assert dict(rows) == {i.name: i.meaning for i in contract.INPUTS}
