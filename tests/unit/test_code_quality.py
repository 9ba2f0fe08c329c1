"""House rules that a reviewer would otherwise check by hand: lint, format, types, function length.

ruff and mypy read their settings from pyproject.toml; they are test dependencies
(``pip install -e '.[test]'``), so the README's test command runs them.
"""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest
from helpers import REPO

MAX_FUNCTION_LINES = 60
"""No function outside the tests is longer than this (a docstring counts)."""

PYTHON_TREES = ("catalyst_gen", "tests", "bench")


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=REPO, capture_output=True, text=True, timeout=600)


def test_ruff_lint_is_clean():
    result = _run("ruff", "check", "--output-format", "concise", *PYTHON_TREES)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean():
    result = _run("ruff", "format", "--check", *PYTHON_TREES)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_is_clean():
    result = _run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def long_functions(source: str, filename: str) -> list[str]:
    """``file:line name (N lines)`` for every function or method longer than the ceiling."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            length = (node.end_lineno or node.lineno) - first + 1
            if length > MAX_FUNCTION_LINES:
                found.append(f"{filename}:{node.lineno} {node.name} ({length} lines)")
    return found


def test_no_function_is_longer_than_the_ceiling():
    offenders = []
    for path in sorted((REPO / "catalyst_gen").rglob("*.py")):
        offenders += long_functions(path.read_text("utf-8"), str(path.relative_to(REPO)))
    assert not offenders, f"functions over {MAX_FUNCTION_LINES} lines:\n" + "\n".join(offenders)


@pytest.mark.parametrize(
    ("lines", "expected"),
    [(MAX_FUNCTION_LINES - 1, []), (MAX_FUNCTION_LINES + 1, ["x.py:1 f (61 lines)"])],
)
def test_the_ceiling_counts_lines(lines, expected):
    body = "".join("    x = 1\n" for _ in range(lines - 1))
    assert long_functions("def f():\n" + body, "x.py") == expected
