"""The build command end to end: committed dist/ is current, output is deterministic, failures write nothing."""

from __future__ import annotations

import shutil

from helpers import REPO, run_process, snapshot

from catalyst_gen.build import build_connector
from catalyst_gen.library import Project
from catalyst_gen.output import read_tree


def test_committed_dist_is_what_the_build_produces():
    project = Project(REPO)
    for cid in project.connector_ids():
        assert build_connector(project, cid).files == read_tree(REPO / "dist" / cid), (
            f"dist/{cid} is stale: run catalyst-gen build"
        )


def test_build_writes_the_four_files_and_the_process_picture(project, cli):
    shutil.rmtree(project / "dist")
    result = cli(project, "build", "together-ai")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (project / "dist" / "together-ai").iterdir()) == [
        "README.md",
        "together-ai-example.bpmn",
        "together-ai-example.svg",
        "together-ai.element.json",
        "together-ai.svg",
    ]


def test_two_builds_are_byte_identical(project, cli):
    shutil.rmtree(project / "dist")
    assert cli(project, "build", "together-ai").exit_code == 0
    first = snapshot(project / "dist")
    shutil.rmtree(project / "dist")
    assert cli(project, "build", "together-ai").exit_code == 0
    assert snapshot(project / "dist") == first


def test_a_failing_connector_leaves_dist_as_it_was(project, cli):
    spec = project / "connectors" / "together-ai" / "connector.yaml"
    stale = project / "dist" / "together-ai" / "README.md"
    stale.write_text("hand edit\n")
    before = snapshot(project / "dist")
    spec.write_text(spec.read_text() + "\nunknown_key: 1\n")
    result = cli(project, "build", "together-ai")
    assert result.exit_code == 1
    assert snapshot(project / "dist") == before


def test_broken_template_fails_the_build_without_writing(project, cli):
    template = project / "templates" / "example.bpmn.j2"
    template.write_text(
        template.read_text().replace(
            '<bpmn:endEvent id="{{ ids.end }}" name="End">', '<bpmn:endEvent id="Other" name="End">'
        )
    )
    before = snapshot(project / "dist")
    result = cli(project, "build", "together-ai")
    assert result.exit_code == 1
    assert "does not resolve" in result.output or "does not reach an end event" in result.output
    assert snapshot(project / "dist") == before


def test_help_version_and_usage_errors():
    assert run_process("--help").returncode == 0
    version = run_process("--version")
    assert version.returncode == 0 and "catalyst-gen" in version.stdout
    usage = run_process("build", "--no-such-flag")
    assert usage.returncode == 2
    assert "Traceback" not in usage.stderr


def test_spec_error_in_a_real_process_has_no_traceback(project):
    spec = project / "connectors" / "together-ai" / "connector.yaml"
    spec.write_text(spec.read_text().replace("id: together-ai", "id: together-ai\nnmae: x", 1))
    result = run_process("build", "together-ai", "--project-dir", str(project))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "unknown key `nmae`" in result.stderr and "did you mean `name`?" in result.stderr
