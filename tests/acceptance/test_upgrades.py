"""Template versions users can upgrade through: bump keeps every released version, refuses
changes that drop users' values, the release ships every version, and check guards the history."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from helpers import REPO, snapshot

ALL = ["anthropic", "deepseek", "generic-rest", "ollama", "openai", "together-ai", "webhook"]
"""The connectors released before the documentation link (versions 1 and 2 kept); slack starts at 1."""
CURRENT = dict.fromkeys(ALL, 4)
"""Their current versions: every template was grouped as published, and webhook and ollama corrected to their
published READMEs, in one release (issue #11)."""
EDITABLE_ENDPOINT = "    endpoint_url: {label: Webhook URL, description: Target URL}\n"
"""The webhook's shown URL field (its `template.fields` entry; the endpoint is editable)."""


def versions_dir(project: Path, cid: str) -> Path:
    return project / "connectors" / cid / "versions"


def library_files(project: Path) -> dict[str, str]:
    return {**snapshot(project / "connectors"), **snapshot(project / "dist")}


def lock(project: Path) -> dict:
    return json.loads((project / "connectors" / "_versions.lock").read_text())


def freeze_webhook_endpoint(project: Path) -> None:
    """A breaking spec edit: the endpoint settings users could edit become Hidden."""
    spec = project / "connectors" / "webhook" / "connector.yaml"
    text = spec.read_text()
    assert EDITABLE_ENDPOINT in text
    frozen = "    endpoint_url: {label: Webhook URL, description: Target URL, visible: false}\n    http_method: {visible: false}\n"
    spec.write_text(text.replace(EDITABLE_ENDPOINT, frozen))


def test_the_library_keeps_every_released_version_of_every_template(project, cli):
    for cid in ALL:
        entry = lock(project)[cid]
        released = list(range(1, CURRENT[cid]))
        kept = [versions_dir(project, cid) / f"{cid}-{v}.element.json" for v in released]
        assert entry["version"] == CURRENT[cid]
        assert entry["history"] == [
            {"version": v, "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
            for v, path in zip(released, kept, strict=True)
        ]
        assert [json.loads(path.read_text())["version"] for path in kept] == released
    assert lock(project)["slack"]["version"] == 2 and [h["version"] for h in lock(project)["slack"]["history"]] == [1]
    assert cli(project, "check").exit_code == 0


def test_bump_refuses_a_change_that_drops_users_values(project, cli):
    freeze_webhook_endpoint(project)
    before = library_files(project)
    result = cli(project, "bump", "webhook")
    assert result.exit_code == 1
    findings = [line for line in result.output.splitlines() if "error: webhook:" in line]
    assert len(findings) >= 2, result.output
    line = line_of(project / "connectors/webhook/connector.yaml", "version:")  # where the release is decided
    version_line = (
        f"/connectors/webhook/connector.yaml:{line}:{len('version: ') + 1}: error: webhook: breaking change: "
        "camunda:inputParameter"
    )
    assert all(version_line in line for line in findings), result.output
    assert 'camunda:inputParameter "endpointUrl": type String -> Hidden' in result.output
    assert result.output.count("pass --breaking") == len(findings)
    assert "Traceback" not in result.output
    assert library_files(project) == before  # nothing written: no version, no versions/ file, no dist/


def test_bump_breaking_releases_it_and_lists_what_changed(project, cli):
    released = (project / "dist/webhook/webhook.element.json").read_bytes()
    freeze_webhook_endpoint(project)
    result = cli(project, "bump", "webhook", "--breaking")
    assert result.exit_code == 0, result.output
    assert "webhook: version 4 -> 5" in result.output
    assert "kept the superseded template as" in result.output and "webhook-4.element.json" in result.output
    assert '  BREAKING camunda:inputParameter "endpointUrl": type String -> Hidden' in result.output
    assert (versions_dir(project, "webhook") / "webhook-4.element.json").read_bytes() == released
    assert [h["version"] for h in lock(project)["webhook"]["history"]] == [1, 2, 3, 4]
    assert cli(project, "check").exit_code == 0


def test_an_additive_change_is_bumped_without_breaking(project, cli):
    spec = project / "connectors" / "together-ai" / "connector.yaml"
    spec.write_text(spec.read_text().replace("  payload:\n", "  payload:\n    max_tokens: 2048\n", 1))
    result = cli(project, "bump", "together-ai")
    assert result.exit_code == 0, result.output
    assert 'camunda:field "requestPayload": default value changed' in result.output
    assert "BREAKING" not in result.output


def test_package_ships_every_version(project, cli):
    spec = project / "connectors" / "together-ai" / "connector.yaml"
    spec.write_text(spec.read_text().replace("  payload:\n", "  payload:\n    max_tokens: 2048\n", 1))
    assert cli(project, "bump", "together-ai").exit_code == 0
    result = cli(project, "package")
    assert result.exit_code == 0, result.output
    release = project / "dist" / "release"
    bundle = json.loads((release / "catalyst-connectors.element-templates.json").read_text())
    together = [t for t in bundle if t["id"] == "com.catalystconnector.together-ai"]
    assert [t["version"] for t in together] == [1, 2, 3, 4, 5]
    kept = versions_dir(project, "together-ai")
    assert together[1] == json.loads((kept / "together-ai-2.element.json").read_text())
    assert together[2] == json.loads((kept / "together-ai-3.element.json").read_text())
    assert together[3] == json.loads((kept / "together-ai-4.element.json").read_text())
    assert together[4] == json.loads((project / "dist/together-ai/together-ai.element.json").read_text())
    entry = next(
        c for c in json.loads((release / "catalog.json").read_text())["connectors"] if c["id"] == "together-ai"
    )
    assert [v["version"] for v in entry["versions"]] == [1, 2, 3, 4, 5]
    assert (
        entry["versions"][0]["sha256"] == hashlib.sha256((kept / "together-ai-1.element.json").read_bytes()).hexdigest()
    )
    with zipfile.ZipFile(release / "together-ai-5.zip") as archive:
        assert (
            archive.read("together-ai/versions/together-ai-1.element.json")
            == (kept / "together-ai-1.element.json").read_bytes()
        )
        assert "together-ai/versions/together-ai-2.element.json" in archive.namelist()
        assert "together-ai/versions/together-ai-3.element.json" in archive.namelist()
        assert "together-ai/versions/together-ai-4.element.json" in archive.namelist()
    assert "versions/together-ai-1.element.json" in entry["files"]
    check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=release, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_bump_after_a_build_without_git_asks_for_the_released_file(project, cli, tmp_path):
    released = tmp_path / "released.element.json"
    released.write_bytes((project / "dist/together-ai/together-ai.element.json").read_bytes())
    spec = project / "connectors" / "together-ai" / "connector.yaml"
    spec.write_text(spec.read_text().replace("  payload:\n", "  payload:\n    max_tokens: 2048\n", 1))
    assert cli(project, "build", "together-ai").exit_code == 0  # dist/ no longer holds version 4
    result = cli(project, "bump", "together-ai")
    assert result.exit_code == 1
    assert "dist/together-ai/together-ai.element.json:1:1: error: together-ai: the template released as version 4" in (
        result.output
    )
    assert "--released FILE" in result.output
    wrong = cli(
        project, "bump", "together-ai", "--released", str(versions_dir(project, "ollama") / "ollama-1.element.json")
    )
    assert wrong.exit_code == 1 and "is not the released template of together-ai version 4" in wrong.output
    result = cli(project, "bump", "together-ai", "--released", str(released))
    assert result.exit_code == 0, result.output
    assert (versions_dir(project, "together-ai") / "together-ai-4.element.json").read_bytes() == released.read_bytes()
    assert cli(project, "check").exit_code == 0


# ------------------------------------------------------------------ hostile history files

KEPT = "connectors/ollama/versions/ollama-1.element.json"


def line_of(path: Path, start: str) -> int:
    """The line (from 1) of ``path`` that starts with ``start``."""
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if line.startswith(start))


def edit_description(project: Path) -> str:
    path = project / KEPT
    path.write_text(path.read_text().replace('"description": "Run', '"description": "Really run', 1))
    return f"{KEPT}:1:1: error: version 1 was changed after its release"


def broken_json(project: Path) -> str:
    (project / KEPT).write_text('{\n  "id": "com.catalystconnector.ollama",\n  "version": 1,\n  oops\n}\n')
    return f"{KEPT}:4:3: error: not valid JSON: Expecting property name enclosed in double quotes"


def other_connectors_template(project: Path) -> str:
    shutil.copy(project / "connectors/deepseek/versions/deepseek-1.element.json", project / KEPT)
    line = line_of(project / KEPT, '  "id"')
    return f"{KEPT}:{line}:3: error: template id is 'com.catalystconnector.deepseek', expected 'com.catalystconnector.ollama'"


def misnamed_version(project: Path) -> str:
    (project / KEPT).rename(project / "connectors/ollama/versions/ollama-7.element.json")
    line = line_of(project / "connectors/ollama/versions/ollama-7.element.json", '  "version"')
    return f"ollama-7.element.json:{line}:3: error: template version is 1 but the file name says 7"


def stray_file(project: Path) -> str:
    (project / "connectors/ollama/versions/notes.txt").write_text("hello")
    return "error: unexpected file 'notes.txt' in versions/"


def symlinked_file(project: Path) -> str:
    (project / KEPT).unlink()
    os.symlink("/etc/passwd", project / KEPT)
    return f"{KEPT}:1:1: error: versions/ollama-1.element.json is a symbolic link"


def symlinked_folder(project: Path, tmp_path: Path) -> str:
    outside = tmp_path / "outside"
    shutil.copytree(project / "connectors/ollama/versions", outside)
    shutil.rmtree(project / "connectors/ollama/versions")
    os.symlink(outside, project / "connectors/ollama/versions")
    return "connectors/ollama/versions is a symbolic link"


def oversized(project: Path) -> str:
    (project / KEPT).write_bytes(b" " * (1024 * 1024 + 1))
    return f"{KEPT}:1:1: error: versions/ollama-1.element.json is larger than 1048576 bytes"


def not_utf8(project: Path) -> str:
    (project / KEPT).write_bytes(b'{"id": "\xff"}')
    return f"{KEPT}:1:1: error: not UTF-8 text (byte 8)"


def missing(project: Path) -> str:
    (project / KEPT).unlink()
    line = line_of(project / "connectors" / "_versions.lock", '  "ollama"')
    return f"connectors/_versions.lock:{line}:3: error: ollama: released version 1 is recorded but versions/ollama-1.element.json is missing"


def unrecorded(project: Path) -> str:
    path = project / "connectors" / "_versions.lock"
    data = json.loads(path.read_text())
    del data["ollama"]["history"]
    path.write_text(json.dumps(data, indent=2))
    return f"{KEPT}:1:1: error: version 1 is not recorded in _versions.lock"


def not_older(project: Path) -> str:
    current = CURRENT["ollama"]
    shutil.copy(
        project / "dist/ollama/ollama.element.json",
        project / f"connectors/ollama/versions/ollama-{current}.element.json",
    )
    return (
        f"ollama-{current}.element.json:1:1: error: version {current} is not older than the current version {current}"
    )


def malformed_lock(project: Path) -> str:
    path = project / "connectors" / "_versions.lock"
    data = json.loads(path.read_text())
    data["ollama"]["history"] = [{"version": "1", "sha256": "abc"}]
    path.write_text(json.dumps(data, indent=2))
    line = line_of(path, '  "ollama"')
    return f"connectors/_versions.lock:{line}:3: error: _versions.lock: malformed entry for 'ollama'"


HOSTILE = {
    f.__name__: f
    for f in (
        edit_description,
        broken_json,
        other_connectors_template,
        misnamed_version,
        stray_file,
        symlinked_file,
        oversized,
        not_utf8,
        missing,
        unrecorded,
        not_older,
        malformed_lock,
    )
}


@pytest.mark.parametrize("name", HOSTILE)
def test_check_refuses_a_tampered_history_with_a_located_message(project, cli, name, monkeypatch):
    monkeypatch.chdir(project)  # locations are shown relative to the working directory
    expected = HOSTILE[name](project)
    result = cli(project, "check")
    assert result.exit_code == 1
    assert expected in result.output, result.output
    assert "hint:" in result.output and "Traceback" not in result.output and "internal error" not in result.output


def test_a_symlinked_versions_folder_is_refused(project, cli, tmp_path):
    expected = symlinked_folder(project, tmp_path)
    result = cli(project, "validate", "ollama")
    assert result.exit_code == 1 and expected in result.output


def test_bump_and_package_refuse_a_tampered_history(project, cli):
    edit_description(project)
    before = library_files(project)
    for args in (("bump", "ollama", "--force"), ("package",)):
        result = cli(project, *args)
        assert result.exit_code == 1 and "was changed after its release" in result.output, result.output
        assert "git checkout -- " in result.output
    assert library_files(project) == before


def test_the_oracle_validates_against_the_pinned_schema(oracle):
    from catalyst_gen.render import ELEMENT_TEMPLATES_SCHEMA, ELEMENT_TEMPLATES_SCHEMA_VERSION

    template = REPO / "dist" / "ollama" / "ollama.element.json"
    assert json.loads(template.read_text())["$schema"] == ELEMENT_TEMPLATES_SCHEMA
    verdict = oracle.run(template)
    assert verdict.returncode == 0, str(verdict)
    assert (
        verdict.summary["templateSchema"]
        == f"@camunda/element-templates-json-schema@{ELEMENT_TEMPLATES_SCHEMA_VERSION}"
    )
