"""``--format json`` and ``--format github`` on ``build``, ``check`` and ``validate``, run as CI runs them.

stdout must be pure data (CI pipes it): JSON valid against
``catalyst_gen/schema/diagnostics.schema.json``, or lines that follow GitHub's
annotation grammar and parse back to the same file, position and message.
Everything for people goes to stderr, and the exit status is the text format's.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import SAMPLE, diagnostics, line_col, parse_annotations, run_process, write_spec

SPEC = "connectors/sample/connector.yaml"


def _run(project: Path, *args: str):
    return run_process(*args, cwd=project)


def _located(document: dict) -> dict[str, dict]:
    return {p["code"]: p for p in document["problems"]}


def _same_as_json(annotations: list[dict], document: dict) -> None:
    """The GitHub lines carry what the JSON carries: file, position, code and message (path and hint added)."""
    assert len(annotations) == len(document["problems"])
    for note, item in zip(annotations, document["problems"], strict=True):
        assert (note["severity"], note["title"], note.get("file")) == (item["severity"], item["code"], item["file"])
        if item["line"] is not None:
            position = (item["line"], item["column"], item["end"]["line"], item["end"]["column"])
            assert (note["line"], note["col"], note["endLine"], note["endColumn"]) == tuple(map(str, position))
        else:
            assert "line" not in note and "col" not in note
        message = f"{item['path']}: {item['message']}" if item["path"] else item["message"]
        assert note["message"] == message + (f"\nhint: {item['hint']}" if item["hint"] else "")


def _both(project: Path, *args: str):
    """The command in JSON and in GitHub format; the two agree; the human text is on stderr."""
    as_json, as_github = _run(project, *args, "--format", "json"), _run(project, *args, "--format", "github")
    assert as_json.returncode == as_github.returncode
    for result in (as_json, as_github):
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    document = diagnostics(as_json.stdout)
    _same_as_json(parse_annotations(as_github.stdout), document)
    return as_json, document


def test_several_problems_at_once(project: Path):
    text = (
        SAMPLE.replace("name: Together AI\n", "")
        .replace("method: POST", "method: FETCH   # typo")
        .replace("timeout_seconds: 60", "timeout_seconds: soon\n  retries: 3")
    )
    write_spec(project, text)
    result, document = _both(project, "validate", "sample")
    assert result.returncode == 1
    problems = _located(document)
    assert {"CG201", "CG202", "CG203", "CG204"} <= set(problems), document
    for code in ("CG202", "CG203", "CG204"):
        assert problems[code]["file"] == SPEC and problems[code]["severity"] == "error"
    line, column = line_col(text, "FETCH")
    assert (problems["CG203"]["line"], problems["CG203"]["column"]) == (line, column)
    assert problems["CG203"]["end"] == {"line": line, "column": column + len("FETCH")}
    assert problems["CG203"]["path"] == "endpoint.method"
    line, column = line_col(text, "retries")
    assert (problems["CG202"]["line"], problems["CG202"]["column"]) == (line, column)
    assert problems["CG202"]["end"] == {"line": line, "column": column + len("retries")}
    assert f"{SPEC}:{line}:{column}: error:" in result.stderr  # the located text, for people, on stderr


def test_yaml_syntax_error(project: Path):
    text = SAMPLE.replace("category: AI / LLM", "category: AI: LLM")
    write_spec(project, text)
    result, document = _both(project, "build", "sample")
    assert result.returncode == 1
    [problem] = document["problems"]
    assert problem["code"] == "CG105" and problem["file"] == SPEC
    assert (problem["line"], problem["column"]) == line_col(text, ": LLM")
    assert "FAILED    sample" in result.stderr and not (project / "dist" / "sample").exists()


def test_a_missing_preset(project: Path):
    text = "extends: openai-chatt\n" + SAMPLE
    write_spec(project, text)
    result, document = _both(project, "validate", "sample")
    assert result.returncode == 1
    [problem] = document["problems"]
    assert problem["code"] == "CG122" and problem["file"] == SPEC
    assert (problem["line"], problem["column"]) == line_col(text, "openai-chatt")
    assert problem["end"] == {"line": 1, "column": line_col(text, "openai-chatt")[1] + len("openai-chatt")}
    assert "openai-chat" in problem["hint"]


def test_a_bad_preset_is_located_in_the_preset(project: Path):
    preset = project / "connectors" / "_presets" / "broken.yaml"
    preset.write_text("colour: red\nendpoint:\n  timeout_seconds: 0.5\n", "utf-8")
    write_spec(project, "extends: broken\n" + SAMPLE.replace("  timeout_seconds: 60\n", ""))
    result, document = _both(project, "build", "sample")
    assert result.returncode == 1
    problems = _located(document)
    assert problems["CG202"]["file"] == "connectors/_presets/broken.yaml"
    assert (problems["CG202"]["line"], problems["CG202"]["column"]) == (1, 1)
    assert problems["CG202"]["end"] == {"line": 1, "column": 7}
    timeout = [p for p in document["problems"] if p["path"] == "endpoint.timeout_seconds"]
    assert timeout and timeout[0]["file"] == "connectors/_presets/broken.yaml" and timeout[0]["line"] == 3


def test_check_names_the_stale_file(project: Path):
    readme = project / "dist" / "together-ai" / "README.md"
    readme.write_text(readme.read_text("utf-8") + "edited by hand\n", "utf-8")
    result, document = _both(project, "check")
    assert result.returncode == 1
    [problem] = document["problems"]
    assert problem["code"] == "CG501" and problem["file"] == "dist/together-ai/README.md"
    assert problem["line"] is None and problem["end"] is None
    assert "+++ b/dist/together-ai/README.md (generated)" in result.stderr  # the diff, for people


def test_an_environment_failure_has_no_location(project: Path):
    dist = project / "dist"
    for child in sorted(dist.rglob("*"), reverse=True):
        child.unlink() if child.is_file() else child.rmdir()
    dist.rmdir()
    dist.write_text("not a folder\n", "utf-8")
    result, document = _both(project, "build", "together-ai")
    assert result.returncode == 1
    [problem] = document["problems"]
    assert problem["code"] == "CG901" and problem["severity"] == "error"
    assert (problem["file"], problem["line"], problem["column"], problem["end"]) == (None, None, None, None)
    assert problem["hint"]


@pytest.mark.parametrize("command", [("check",), ("validate", "together-ai"), ("build", "together-ai")])
def test_success_prints_an_empty_problem_list(project: Path, command: tuple[str, ...]):
    result, document = _both(project, *command)
    assert result.returncode == 0, result.stderr
    assert document == {"version": 1, "problems": []}
    assert _run(project, *command, "--format", "github").stdout == ""
    assert result.stderr  # the progress and summary lines moved to stderr


def test_text_stays_the_default(project: Path):
    write_spec(project, SAMPLE.replace("method: POST", "method: FETCH"))
    default, text = _run(project, "build", "sample"), _run(project, "build", "sample", "--format", "text")
    assert (default.returncode, default.stdout, default.stderr) == (text.returncode, text.stdout, text.stderr)
    assert default.stdout == "1 connector: 0 written, 0 unchanged, 1 failed\n"
    assert f"{SPEC}:13:11: error: endpoint.method:" in default.stderr and "CG203" not in default.stderr


def test_usage_errors(project: Path):
    assert _run(project, "build", "--format", "yaml").returncode == 2
    assert _run(project, "build", "--watch", "--format", "json").returncode == 2


def test_warnings_print_and_the_build_succeeds(project: Path, cli, monkeypatch):
    """The warning path: a connector that builds with a warning is written, the warning is shown, exit 0."""
    import dataclasses

    from catalyst_gen import build
    from catalyst_gen.errors import Location, Problem

    original = build.build_connector
    spec = project / "connectors" / "together-ai" / "connector.yaml"

    def with_warning(proj, connector_id):
        built = original(proj, connector_id)
        warning = Problem("a TODO is left in the spec", Location(spec, 5, 1), code="CG900", severity="warning")
        return dataclasses.replace(built, warnings=(warning,))

    monkeypatch.setattr(build, "build_connector", with_warning)
    monkeypatch.chdir(project)
    text = cli(project, "build", "together-ai", "--force")
    assert text.exit_code == 0, text.output
    assert "connectors/together-ai/connector.yaml:5:1: warning: a TODO is left in the spec" in text.stderr
    as_json = cli(project, "build", "together-ai", "--force", "--format", "json")
    assert as_json.exit_code == 0
    [problem] = diagnostics(as_json.stdout)["problems"]
    assert (problem["severity"], problem["code"], problem["line"]) == ("warning", "CG900", 5)
    github = cli(project, "validate", "together-ai", "--format", "github")
    assert github.exit_code == 0
    [note] = parse_annotations(github.stdout)
    assert (note["severity"], note["file"], note["line"]) == ("warning", "connectors/together-ai/connector.yaml", "5")
    check = cli(project, "check", "--format", "json")
    assert check.exit_code == 0 and diagnostics(check.stdout)["problems"][0]["severity"] == "warning"
