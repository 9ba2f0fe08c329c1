"""The problem-code registry: every Problem has a registered code, and the README documents exactly the registry.

Codes are an interface (CI filters and people's notes refer to them), so the
registry in ``catalyst_gen/codes.py``, the code and the README's Diagnostics
table must agree both ways.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from helpers import REPO

from catalyst_gen import codes
from catalyst_gen.errors import CatalystError, Problem, ProblemList

PACKAGE = REPO / "catalyst_gen"
ERROR_CLASSES = {"CatalystError", "SpecError", "CheckError", "CommandFailed"}


def _sources() -> list[tuple[Path, ast.Module]]:
    return [(path, ast.parse(path.read_text("utf-8"))) for path in sorted(PACKAGE.rglob("*.py"))]


def _callee(call: ast.Call) -> str | None:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _problem_sites() -> list[tuple[str, ast.Call]]:
    """Every ``Problem(...)`` and ``<problem list>.add(...)`` call in the package."""
    sites = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _callee(node)
            is_add = name == "add" and "problems" in ast.unparse(node.func).lower()
            if name == "Problem" or is_add:
                sites.append((f"{path.relative_to(REPO)}:{node.lineno}", node))
    return sites


def test_the_scan_finds_the_problem_sites():
    """The AST scan below is only worth something if it sees the sites (there are well over a hundred)."""
    assert len(_problem_sites()) > 120


def test_every_problem_site_passes_a_registered_code():
    missing, unregistered = [], []
    for where, call in _problem_sites():
        code = next((k.value for k in call.keywords if k.arg == "code"), None)
        if code is None:
            missing.append(where)
        elif isinstance(code, ast.Constant) and not codes.is_registered(code.value):
            unregistered.append(f"{where}: {code.value!r}")
    assert not missing, f"Problem sites without code=...: {missing}"
    assert not unregistered, f"codes not in catalyst_gen/codes.py: {unregistered}"


def test_no_error_is_raised_from_a_bare_message():
    """``CatalystError("text")`` would fall back to the generic CG900: give the problem its own code."""
    bare = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _callee(node) in ERROR_CLASSES and node.args:
                if isinstance(node.args[0], ast.Constant | ast.JoinedStr):
                    bare.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert not bare, bare


def test_every_registered_code_is_used():
    """A code no problem can carry is a README row that lies."""
    used = set(codes.SCHEMA_KEYWORDS.values()) | {
        codes.GENERIC,
        codes.ENVIRONMENT,
        codes.INTERNAL,
        codes.schema_code(""),
    }
    for path, tree in _sources():
        if path.name == "codes.py":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.fullmatch(r"CG\d{3}", node.value):
                used.add(node.value)
    assert set(codes.CODES) - used == set()


def test_a_problem_refuses_an_unregistered_code_or_severity():
    with pytest.raises(ValueError, match="CG998"):
        Problem("x", code="CG998")
    with pytest.raises(ValueError, match="not registered"):
        ProblemList().add("x", code="E1")
    with pytest.raises(ValueError, match="severity"):
        Problem("x", code="CG105", severity="fatal")
    with pytest.raises(TypeError):
        Problem("x")  # type: ignore[call-arg]  # the code is required


def test_codes_are_well_formed_and_grouped():
    for code, entry in codes.CODES.items():
        assert re.fullmatch(r"CG[1-69]\d\d", code), code
        assert entry.meaning and entry.fix and "|" not in entry.meaning + entry.fix, code


def test_a_bare_message_gets_the_generic_code_and_warnings_alone_do_not_raise():
    assert CatalystError("x").problems[0].code == codes.GENERIC
    problems = ProblemList()
    problems.add("just so you know", code="CG900", severity="warning")
    problems.raise_if_any()  # no error: nothing raised
    problems.add("wrong", code="CG105")
    with pytest.raises(CatalystError) as raised:
        problems.raise_if_any()
    assert [(p.message, p.severity) for p in raised.value.problems] == [
        ("just so you know", "warning"),
        ("wrong", "error"),
    ]


def test_schema_keywords_map_to_their_own_codes():
    schema_text = (PACKAGE / "schema" / "connector.schema.json").read_text("utf-8")
    for keyword in ("required", "additionalProperties", "enum", "type", "pattern", "minimum", "maximum"):
        assert f'"{keyword}"' in schema_text
        assert codes.schema_code(keyword) != "CG200" and codes.is_registered(codes.schema_code(keyword))
    for keyword in ("minLength", "maxLength", "uniqueItems"):
        assert codes.schema_code(keyword) != "CG200"
    assert codes.schema_code("not") == "CG200"
    assert len({codes.schema_code(k) for k in ("required", "additionalProperties", "enum", "type", "pattern")}) == 5


def _readme_table() -> dict[str, tuple[str, str]]:
    text = (REPO / "README.md").read_text("utf-8")
    section = text.split("\n## Diagnostics\n", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        match = re.fullmatch(r"\| `(CG\d{3})` \| (.*) \| (.*) \|", line)
        if match:
            assert match.group(1) not in rows, f"README lists {match.group(1)} twice"
            rows[match.group(1)] = (match.group(2), match.group(3))
    return rows


def test_readme_documents_exactly_the_registered_codes():
    table = _readme_table()
    assert sorted(set(codes.CODES) - set(table)) == [], "registered but not in the README's Diagnostics table"
    assert sorted(set(table) - set(codes.CODES)) == [], "in the README's table but not registered"
    for code, (meaning, fix) in table.items():
        assert (meaning, fix) == (codes.CODES[code].meaning, codes.CODES[code].fix), code


def test_the_codes_errors_gives_itself_and_the_format_choices_agree():
    from catalyst_gen import cli, diagnostics, errors

    assert (errors.GENERIC_CODE, errors.ENVIRONMENT_CODE) == (codes.GENERIC, codes.ENVIRONMENT)
    assert cli.FORMATS == diagnostics.FORMATS
