"""Library commands: build all or several, check for drift, list, incremental and parallel builds."""

from __future__ import annotations

import shutil

from helpers import LIBRARY_IDS, snapshot

ALL = LIBRARY_IDS


def break_spec(project, cid: str) -> None:
    spec = project / "connectors" / cid / "connector.yaml"
    spec.write_text(spec.read_text() + "\nbogus_key: 1\n")


def test_build_without_ids_builds_every_connector(project, cli):
    shutil.rmtree(project / "dist")
    result = cli(project, "build")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (project / "dist").iterdir()) == ALL
    assert f"{len(LIBRARY_IDS)} connectors: {len(LIBRARY_IDS)} written, 0 unchanged, 0 failed" in result.output


def test_one_bad_connector_hides_no_failure_and_stops_no_good_one(project, cli):
    break_spec(project, "openai")
    break_spec(project, "ollama")
    shutil.rmtree(project / "dist" / "anthropic")
    before_openai = snapshot(project / "dist" / "openai")
    result = cli(project, "build", "--force")
    assert result.exit_code == 1
    assert "unknown key `bogus_key`" in result.output
    assert "openai/connector.yaml" in result.output and "ollama/connector.yaml" in result.output
    assert "5 written" not in result.output  # only changed folders are written ...
    assert (project / "dist" / "anthropic" / "anthropic.element.json").is_file()  # ... and the good ones are
    assert snapshot(project / "dist" / "openai") == before_openai  # a failed connector keeps its folder
    assert "2 failed" in result.output


def test_several_ids(project, cli):
    result = cli(project, "build", "openai", "anthropic", "openai")
    assert result.exit_code == 0
    assert "2 connectors:" in result.output


def test_check_passes_on_a_clean_tree(project, cli):
    result = cli(project, "check")
    assert result.exit_code == 0, result.output
    assert (
        f"dist/ is up to date and every template version is recorded ({len(LIBRARY_IDS)} connectors)" in result.output
    )


def test_check_fails_with_a_diff_after_a_hand_edit(project, cli):
    readme = project / "dist" / "openai" / "README.md"
    readme.write_text(readme.read_text().replace("## Tips", "## Hints"))
    before = snapshot(project / "dist")
    result = cli(project, "check")
    assert result.exit_code == 1
    assert "--- a/dist/openai/README.md (dist)" in result.output
    assert "-## Hints" in result.output and "+## Tips" in result.output
    assert "dist/openai/README.md is stale" in result.output
    assert snapshot(project / "dist") == before  # check writes nothing


def test_check_reports_missing_and_extra_files(project, cli):
    (project / "dist" / "ollama" / "ollama.svg").unlink()
    (project / "dist" / "ollama" / "notes.txt").write_text("x")
    (project / "dist" / "retired-connector").mkdir()
    result = cli(project, "check")
    assert result.exit_code == 1
    assert "dist/ollama/ollama.svg is missing" in result.output
    assert "dist/ollama/notes.txt is produced by no connector" in result.output
    assert "dist/retired-connector/ is produced by no connector" in result.output


def test_check_fails_on_a_broken_spec(project, cli):
    break_spec(project, "deepseek")
    result = cli(project, "check")
    assert result.exit_code == 1
    assert "unknown key `bogus_key`" in result.output


def test_list_shows_the_connectors(project, cli):
    result = cli(project, "list")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["ID", "NAME", "VERSION", "AUTH", "PRESET"]
    together = next(line for line in lines if line.startswith("together-ai"))
    assert "bearerToken" in together and "openai-chat" in together
    assert "none" in next(line for line in lines if line.startswith("ollama"))


def test_incremental_build_skips_unchanged_and_repairs_hand_edits(project, cli, monkeypatch):
    assert cli(project, "build").exit_code == 0  # primes the cache
    calls = []
    import catalyst_gen.build as build_module

    real = build_module.build_connector
    monkeypatch.setattr(build_module, "build_connector", lambda p, cid: calls.append(cid) or real(p, cid))
    result = cli(project, "build")
    assert result.exit_code == 0 and calls == []
    # a hand edit in dist/ is noticed and repaired
    edited = project / "dist" / "webhook" / "README.md"
    original = edited.read_bytes()
    edited.write_text("hand edit")
    assert cli(project, "build").exit_code == 0
    assert calls == ["webhook"] and edited.read_bytes() == original
    # a preset change rebuilds exactly the connectors that extend it
    calls.clear()
    preset = project / "connectors" / "_presets" / "openai-chat.yaml"
    preset.write_text(preset.read_text() + "\n# touched\n")
    # `--jobs 1`: built in this process, where `calls` sees them (a batch of batch.PARALLEL_THRESHOLD
    # or more connectors would otherwise go to worker processes)
    assert cli(project, "build", "--jobs", "1").exit_code == 0
    extending = sorted(
        cid for cid in ALL if "extends: openai-chat" in (project / "connectors" / cid / "connector.yaml").read_text()
    )
    assert {"deepseek", "openai", "together-ai", "groq"} <= set(extending)
    assert sorted(calls) == extending
    # --force rebuilds everything (in this process: with 16 or more connectors a build forks workers,
    # whose calls the patch above cannot see)
    calls.clear()
    assert cli(project, "build", "--force", "--jobs", "1").exit_code == 0
    assert sorted(calls) == ALL


def test_output_is_identical_across_orders_and_process_counts(project, cli):
    shutil.rmtree(project / "dist")
    assert cli(project, "build", "--jobs", "1", *ALL).exit_code == 0
    serial = snapshot(project / "dist")
    shutil.rmtree(project / "dist")
    shutil.rmtree(project / ".catalyst-gen")
    result = cli(project, "build", "--jobs", "2", *reversed(ALL))
    assert result.exit_code == 0, result.output
    assert snapshot(project / "dist") == serial


def test_the_repository_passes_check():
    """CI's gate: the committed dist/ and version record are exactly what the specs produce."""
    from helpers import run_process

    result = run_process("check")
    assert result.returncode == 0, result.stdout + result.stderr
