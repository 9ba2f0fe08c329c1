"""The public Python API without click: results carry the connector, failures raise CatalystError."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import LIBRARY_IDS, REPO, snapshot

from catalyst_gen import api
from catalyst_gen.errors import CatalystError, SpecError

ALL = LIBRARY_IDS
MAX_TOKENS = "    model: meta-llama/Llama-3.3-70B-Instruct-Turbo\n"


def change_together_template(project: Path) -> None:
    """A spec edit that changes the element template (so its version must be bumped)."""
    spec = project / "connectors" / "together-ai" / "connector.yaml"
    spec.write_text(spec.read_text().replace(MAX_TOKENS, MAX_TOKENS + "    max_tokens: 2048\n"))


def break_spec(project: Path, connector_id: str) -> Path:
    spec = project / "connectors" / connector_id / "connector.yaml"
    spec.write_text(spec.read_text().replace("response_mapping:", "response_mapinng:", 1))
    return spec


def test_build_library_reports_every_connector_with_its_model(project):
    report = api.build_library(project, ["ollama", "webhook", "ollama"], force=True, jobs=1)
    assert [r.connector_id for r in report.results] == ["ollama", "webhook"]
    assert all(r.state == "unchanged" and r.connector is not None for r in report.results)
    ollama = report.results[0].connector
    assert ollama is not None and ollama.id == "ollama" and ollama.file_names["logo"] == "ollama.svg"
    again = api.build_library(project, ["ollama"])  # the cache skips it: no model was loaded
    assert again.results[0].state == "unchanged" and again.results[0].connector is None


def test_build_library_writes_what_changed_and_reports_progress(project):
    api.build_library(project)  # primes the cache
    (project / "dist" / "webhook" / "README.md").write_text("hand edit")
    seen = []
    report = api.build_library(project, on_progress=lambda cid, done, total: seen.append((cid, done, total)))
    assert report.ids("written") == ["webhook"] and len(report.ids("unchanged")) == len(ALL) - 1
    assert seen == [("webhook", 1, 1)]


def test_build_library_failure_raises_with_located_problems_and_the_partial_report(project):
    spec = break_spec(project, "ollama")
    before = snapshot(project / "dist")
    with pytest.raises(api.CommandFailed) as caught:
        api.build_library(project, force=True, jobs=1)
    failure = caught.value
    assert isinstance(failure, CatalystError)
    assert failure.report.ids("failed") == ["ollama"] and len(failure.report.ids("unchanged")) == len(ALL) - 1
    assert any(
        p.location and p.location.file == spec and "response_mapping" in (p.hint or "") for p in failure.problems
    )
    assert snapshot(project / "dist") == before


def test_build_library_refuses_a_path_as_an_id(project):
    with pytest.raises(api.CommandFailed) as caught:
        api.build_library(project, ["../connectors"])
    assert "is not a connector id" in caught.value.problems[0].message


def test_an_empty_library_is_an_error_not_an_empty_report(tmp_path):
    (tmp_path / "connectors").mkdir()
    (tmp_path / "connectors" / "_library.yaml").write_text("library_name: Empty\n")
    with pytest.raises(CatalystError, match="no connectors found"):
        api.build_library(tmp_path)


def test_a_folder_that_is_not_a_library_is_an_error_and_nothing_is_written(tmp_path):
    with pytest.raises(CatalystError, match="is not a connector library") as caught:
        api.build_library(tmp_path)
    assert "catalyst-gen init" in caught.value.format()
    assert list(tmp_path.iterdir()) == []


def test_check_passes_and_carries_the_connectors(project):
    report = api.check(project, jobs=1)
    assert sorted(c.id for c in report.connectors) == ALL and not report.drift and report.problems == ()


def test_check_failure_carries_the_diffs(project):
    readme = project / "dist" / "ollama" / "README.md"
    readme.write_text(readme.read_text() + "edit\n")
    with pytest.raises(api.CommandFailed) as caught:
        api.check(project, ["ollama"])
    report = caught.value.report
    assert report.drift.stale == ["dist/ollama/README.md"] and "\n-edit\n" in report.drift.diffs[0]
    assert [p.message for p in caught.value.problems] == ["dist/ollama/README.md is stale"]


def test_validate_returns_the_valid_connectors_and_raises_spec_errors(project):
    assert [c.id for c in api.validate(project, ["webhook"]).connectors] == ["webhook"]
    break_spec(project, "webhook")
    with pytest.raises(CatalystError) as caught:
        api.validate(project, ["webhook"])
    assert "response_mapinng" in caught.value.format()


def test_bump_raises_a_changed_template_then_has_nothing_to_do(project):
    released = (project / "dist" / "together-ai" / "together-ai.element.json").read_bytes()
    change_together_template(project)
    with pytest.raises(api.CommandFailed, match="changed but its version is still 4"):
        api.check(project, ["together-ai"])
    report = api.bump(project, "together-ai")
    assert (report.action, report.previous_version, report.connector.version) == ("raised", 4, 5)
    assert report.saved == project / "connectors/together-ai/versions/together-ai-4.element.json"
    assert report.saved.read_bytes() == released
    assert [str(c) for c in report.changes] == ['camunda:field "requestPayload": default value changed']
    assert json.loads((project / "connectors" / "_versions.lock").read_text())["together-ai"]["version"] == 5
    assert api.check(project, ["together-ai"]).problems == ()
    again = api.bump(project, "together-ai")
    assert (again.action, again.connector.version) == ("current", 5)
    assert api.bump(project, "together-ai", force=True).connector.version == 6
    kept = sorted(p.name for p in (project / "connectors/together-ai/versions").iterdir())
    assert kept == [f"together-ai-{v}.element.json" for v in (1, 2, 3, 4, 5)]


def test_bump_records_a_new_connector_without_raising_it(project):
    lock_path = project / "connectors" / "_versions.lock"
    lock = json.loads(lock_path.read_text())
    released = lock.pop("ollama")
    lock_path.write_text(json.dumps(lock))
    shutil.rmtree(project / "connectors" / "ollama" / "versions")  # a new connector has no history
    report = api.bump(project, "ollama")
    assert (report.action, report.connector.version) == ("recorded", released["version"])
    assert (report.changes, report.saved) == ((), None)
    assert json.loads(lock_path.read_text())["ollama"] == {"version": released["version"], "sha256": released["sha256"]}


def test_package_release_writes_the_verified_bytes(project):
    report = api.package_release(project, jobs=1)
    assert report.folder == (project / "dist" / "release").resolve()
    assert "SHA256SUMS" in report.files and "together-ai-4.zip" in report.files
    assert sorted(c.id for c in report.connectors) == ALL
    assert sorted(p.name for p in report.folder.iterdir()) == sorted(report.files)


def test_package_release_refuses_a_stale_dist_and_writes_nothing(project):
    change_together_template(project)
    with pytest.raises(CatalystError) as caught:
        api.package_release(project)
    assert "dist/together-ai/together-ai.element.json is stale" in caught.value.format()
    assert not (project / "dist" / "release").exists()


def test_create_connector_returns_the_model_and_the_spec(project):
    report = api.create_connector(project, "acme-ai", name="Acme AI", preset="openai-chat")
    assert report.connector.id == "acme-ai" and report.connector.name == "Acme AI"
    assert report.connector.preset == "openai-chat"
    assert report.spec_path == (project / "connectors" / "acme-ai" / "connector.yaml").resolve()
    assert report.spec_path.is_file()


@pytest.mark.parametrize(
    ("connector_id", "kwargs", "message"),
    [
        ("Acme", {}, "is not a connector id"),
        ("release", {}, "is reserved and cannot be a connector id"),
        ("ollama", {}, "already exists"),
        ("acme-ai", {"preset": "openai-chatt"}, "preset 'openai-chatt' not found"),
    ],
)
def test_create_connector_refuses_bad_input_and_leaves_no_folder(project, connector_id, kwargs, message):
    before = snapshot(project / "connectors")
    with pytest.raises(CatalystError, match=message):
        api.create_connector(project, connector_id, **kwargs)
    assert snapshot(project / "connectors") == before


def test_create_connector_rolls_back_a_scaffold_that_does_not_build(project):
    scaffold = project / "templates" / "scaffold" / "connector.yaml.j2"
    scaffold.write_text(scaffold.read_text() + "\nnot_a_key: 1\n")
    with pytest.raises(CatalystError, match="the scaffold does not build"):
        api.create_connector(project, "acme-ai")
    assert not (project / "connectors" / "acme-ai").exists()


def test_try_connector_names_the_missing_variables(project):
    with pytest.raises(api.MissingVariables) as caught:
        api.try_connector(project, "together-ai", {})
    assert caught.value.names == ["userMessage"]


def test_try_connector_returns_the_outcome_with_the_connector(project, fake_provider, monkeypatch):
    monkeypatch.setenv("TOGETHER_API_KEY", "test-key")
    report = api.try_connector(project, "together-ai", {"userMessage": "hi"}, base_url=fake_provider.base_url)
    assert report.success and report.connector.id == "together-ai"
    assert "aiReply" in report.outcome.variables


def test_try_connector_without_a_secret_raises(project, monkeypatch):
    monkeypatch.delenv("TOGETHER_API_KEY", raising=False)
    with pytest.raises(CatalystError, match="TOGETHER_API_KEY"):
        api.try_connector(project, "together-ai", {"userMessage": "hi"}, base_url="http://127.0.0.1:9")


def test_render_diagram_writes_a_png(project, tmp_path):
    report = api.render_diagram(project, "ollama", tmp_path / "p.png", scale=1)
    assert report.connector.id == "ollama" and report.png_path.read_bytes().startswith(b"\x89PNG")


def test_list_connectors_and_spec_schema(project):
    assert [c.id for c in api.list_connectors(project).connectors] == ALL
    schema = api.spec_schema()
    assert json.loads(schema.text) == schema.schema and schema.schema["type"] == "object"


def test_an_unknown_connector_is_a_located_spec_error_with_a_suggestion(project):
    with pytest.raises(SpecError) as caught:
        api.bump(project, "olama")
    assert "did you mean" in caught.value.format()


def test_the_api_imports_no_click_and_loads_lazily():
    probe = (
        "import sys, catalyst_gen.api as api\n"
        "assert 'catalyst_gen.commands.build' not in sys.modules, 'the API module imported a command eagerly'\n"
        "assert callable(api.build_library) and callable(api.check) and callable(api.try_connector)\n"
        "import catalyst_gen.commands.verify, catalyst_gen.commands.release, catalyst_gen.commands.connector\n"
        "import catalyst_gen.commands.info\n"
        "assert 'click' not in sys.modules, 'the commands layer imported click'\n"
        "assert dir(api) == sorted(api.__all__)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_every_exported_name_resolves():
    for name in api.__all__:
        assert getattr(api, name) is not None, name
    with pytest.raises(AttributeError):
        api.no_such_function  # noqa: B018


@pytest.mark.parametrize(
    "message, hint",
    [
        ("secret source 'env': no secret found (SLACK_BOT_TOKEN is missing or empty)", "set the secret"),
        ("process variable 'tenant' = 'a.b' is not a host name label", "--var name=value"),
        ("base URL 'x' must be an absolute http(s) URL", "--base-url"),
        ("required input parameter 'endpointUrl' is missing", "fix the connector's spec"),
    ],
)
def test_try_hints_at_what_the_refusal_is_about(message, hint):
    from catalyst_gen.commands.connector import _try_hint

    assert hint in _try_hint(message)
