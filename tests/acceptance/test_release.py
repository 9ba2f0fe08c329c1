"""Release packaging, template versions, and the authoring loop (new, validate, schema)."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile

import pytest
from helpers import LIBRARY_IDS, REPO, snapshot


def commit_library(project):
    """Make the library copy a git repository with one commit, like the real library."""
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    subprocess.run([*git, "-C", str(project), "add", "-A"], check=True)
    subprocess.run([*git, "-C", str(project), "commit", "-qm", "release"], check=True)


def copy_versions_lock(project):
    shutil.copy(REPO / "connectors" / "_versions.lock", project / "connectors" / "_versions.lock")


def test_package_is_reproducible_and_verifiable(project, cli):
    result = cli(project, "package")
    assert result.exit_code == 0, result.output
    release = project / "dist" / "release"
    first = snapshot(release)
    shutil.rmtree(release)
    assert cli(project, "package").exit_code == 0
    assert snapshot(release) == first
    check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=release, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    with zipfile.ZipFile(release / "together-ai-4.zip") as archive:
        names = archive.namelist()
        assert names == sorted(names) and all(n.startswith("together-ai/") for n in names)
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert (
            archive.read("together-ai/together-ai.element.json")
            == (project / "dist/together-ai/together-ai.element.json").read_bytes()
        )


def test_bundle_and_catalog(project, cli):
    assert cli(project, "package").exit_code == 0
    release = project / "dist" / "release"
    bundle = json.loads((release / "catalyst-connectors.element-templates.json").read_text())
    lock = json.loads((project / "connectors" / "_versions.lock").read_text())
    released = {  # every version the lock records: the kept history, then the current one
        f"com.catalystconnector.{cid}": [h["version"] for h in entry.get("history", [])] + [entry["version"]]
        for cid, entry in lock.items()
    }
    assert len(released) == len(LIBRARY_IDS) and sum(map(len, released.values())) > len(LIBRARY_IDS)
    ids = sorted(released)
    assert [(t["id"], t["version"]) for t in bundle] == [(i, v) for i in ids for v in released[i]]
    current = [t for t in bundle if t["version"] == released[t["id"]][-1]]
    assert all(t["$schema"].startswith("https://unpkg.com/@camunda/element-templates-json-schema@") for t in current)
    catalog = json.loads((release / "catalog.json").read_text())["connectors"]
    entry = next(c for c in catalog if c["id"] == "together-ai")
    assert entry["template"] == {
        "id": "com.catalystconnector.together-ai",
        "version": 4,
        "name": "Catalyst - Together AI",
    }
    assert entry["authType"] == "bearerToken" and entry["archive"] == "together-ai-4.zip"
    import hashlib

    readme = (project / "dist/together-ai/README.md").read_bytes()
    assert entry["files"]["README.md"]["sha256"] == hashlib.sha256(readme).hexdigest()


def test_bundle_templates_pass_the_modeler_validator(project, cli, tmp_path, oracle):
    assert cli(project, "package").exit_code == 0
    bundle = json.loads((project / "dist/release/catalyst-connectors.element-templates.json").read_text())
    files = []
    for template in bundle:
        path = tmp_path / f"{template['id']}-{template['version']}.element.json"
        path.write_text(json.dumps(template))
        files.append(path)
    lock = json.loads((project / "connectors" / "_versions.lock").read_text())
    assert len(files) == sum(1 + len(entry.get("history", [])) for entry in lock.values())
    verdict = oracle.run(*files)
    assert verdict.returncode == 0, str(verdict)


def test_package_refuses_a_stale_dist(project, cli):
    readme = project / "dist" / "ollama" / "README.md"
    readme.write_text(readme.read_text() + "edit\n")
    result = cli(project, "package")
    assert result.exit_code == 1
    assert "dist/ollama/README.md is stale" in result.output and "before packaging" in result.output
    assert not (project / "dist" / "release").exists()


def test_changed_template_without_bump_fails_check_and_bump_fixes_it(project, cli):
    commit_library(project)  # bump finds the released template in git HEAD once `build` replaced it
    spec = project / "connectors" / "together-ai" / "connector.yaml"
    text = spec.read_text()
    assert "    model: meta-llama/Llama-3.3-70B-Instruct-Turbo\n" in text
    spec.write_text(
        text.replace(
            "    model: meta-llama/Llama-3.3-70B-Instruct-Turbo\n",
            "    model: meta-llama/Llama-3.3-70B-Instruct-Turbo\n    max_tokens: 2048\n",
        )
    )
    assert cli(project, "build", "together-ai").exit_code == 0
    result = cli(project, "check")
    assert result.exit_code == 1
    assert "together-ai: the element template changed but its version is still 4" in result.output
    assert "run `catalyst-gen bump together-ai`" in result.output
    bumped = cli(project, "bump", "together-ai")
    assert bumped.exit_code == 0, bumped.output
    assert "version 4 -> 5" in bumped.output
    assert "version: 5" in spec.read_text()
    assert cli(project, "check").exit_code == 0
    template = json.loads((project / "dist/together-ai/together-ai.element.json").read_text())
    bpmn = (project / "dist/together-ai/together-ai-example.bpmn").read_text()
    assert template["version"] == 5 and 'camunda:modelerTemplateVersion="5"' in bpmn
    lock = json.loads((project / "connectors/_versions.lock").read_text())
    assert lock["together-ai"]["version"] == 5
    assert "nothing to do" in cli(project, "bump", "together-ai").output


def test_lower_version_than_released_fails(project, cli):
    lock_path = project / "connectors" / "_versions.lock"
    lock = json.loads(lock_path.read_text())
    lock["ollama"]["version"] = 5
    lock_path.write_text(json.dumps(lock))
    result = cli(project, "check")
    assert result.exit_code == 1 and "lower than the released 5" in result.output


@pytest.mark.parametrize("preset", [None] + sorted(p.stem for p in (REPO / "connectors" / "_presets").glob("*.yaml")))
def test_new_then_build(project, cli, preset):
    """`new` passes validate at once with every preset of the library, a family README layout too."""
    args = ["new", "acme-ai", "--name", "Acme & Co AI", "--url", "https://api.acme.example/v1/chat"]
    if preset:
        args += ["--preset", preset]
    result = cli(project, *args)
    assert result.exit_code == 0, result.output
    spec = (project / "connectors" / "acme-ai" / "connector.yaml").read_text()
    assert spec.startswith("# yaml-language-server: $schema=../../catalyst_gen/schema/connector.schema.json\n")
    result = cli(project, "build", "acme-ai")
    assert result.exit_code == 0, result.output
    template = json.loads((project / "dist/acme-ai/acme-ai.element.json").read_text())
    assert template["name"] == "Catalyst - Acme & Co AI"


@pytest.mark.parametrize("bad", ["Acme", "acme_ai", "../acme", "acme--ai", "together-ai"])
def test_new_refuses_bad_or_existing_ids(project, cli, bad):
    before = snapshot(project / "connectors")
    result = cli(project, "new", bad)
    assert result.exit_code == 1
    assert "kebab-case" in result.output or "already exists" in result.output
    assert snapshot(project / "connectors") == before


def test_validate_writes_nothing_and_reports_every_problem(project, cli):
    spec = project / "connectors" / "anthropic" / "connector.yaml"
    text = spec.read_text()
    text = text.replace("type: apiKeyHeader", "type: apiKeyHeadr", 1).replace("stop_reason", "stop_reason[x]", 1)
    spec.write_text(text + "\nrespone_mapping: {}\n")
    shutil.rmtree(project / "dist" / "openai")
    before = snapshot(project / "dist")
    result = cli(project, "validate")
    assert result.exit_code == 1
    assert "3 problems found" in result.output, result.output
    assert "did you mean `apiKeyHeader`?" in result.output
    assert "did you mean `response_mapping`?" in result.output
    assert "does not parse" in result.output
    assert result.output.count("anthropic/connector.yaml:") == 3
    assert snapshot(project / "dist") == before


def test_schema_command_prints_the_shipped_schema(cli):
    from click.testing import CliRunner

    from catalyst_gen.cli import main
    from catalyst_gen.schema_check import spec_schema

    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.output) == spec_schema()


def test_every_connector_spec_declares_the_schema_for_editors():
    for spec in (REPO / "connectors").glob("*/connector.yaml"):
        assert spec.read_text().startswith(
            "# yaml-language-server: $schema=../../catalyst_gen/schema/connector.schema.json"
        ), spec


def test_every_connector_readme_shows_its_process_picture():
    """Under "Example Process" and among the Files; a README whose published form has no such section
    (Microsoft Teams, jira-add-comment: `readme.order` leaves it out) still lists the picture among its
    Files, and the picture is shipped either way."""
    shown = 0
    for readme in (REPO / "dist").glob("*/README.md"):
        cid = readme.parent.name
        text = readme.read_text()
        if "\n## Example Process\n" in text:
            assert f"]({cid}-example.svg)" in text, readme
            shown += 1
        if "\n## Files\n" in text:
            assert f"| `{cid}-example.svg` | Picture of the example process |" in text, readme
        assert (readme.parent / f"{cid}-example.svg").is_file()
    assert shown >= 10


def test_diagram_png(project, cli, tmp_path):
    out = tmp_path / "p.png"
    result = cli(project, "diagram", "ollama", "--png", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"\x89PNG")
