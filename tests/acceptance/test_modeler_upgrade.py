"""Upgrading a diagram through template versions in the real Modeler (issue #12, section 3).

A diagram made with version N of together-ai's template, with values a user set on
several properties, is opened in Camunda's own Camunda 7 Modeler (``camunda-bpmn-js``,
``tests/oracle/modeler/``) with versions N and N+1 loaded. N+1 really differs: made in a
temporary library copy by changing a property's label, adding properties (the endpoint
becomes editable), and changing a default (the timeout), then ``catalyst-gen bump``. The
harness clicks the panel's own "Update" entry and reads the task before and after.

Then the other side of the rule: removing those properties again is what ``bump``
refuses, and releasing it anyway with ``--breaking`` really drops the user's values in
the Modeler.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree
from test_modeler import HARNESS, HARNESS_DIR, ensure_chromium, ensure_harness

CID = "together-ai"
TASK = "Task_Connector"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
SPEC_ENDPOINT = "endpoint:\n  url: https://api.together.xyz/v1/chat/completions\n"
EDITABLE_ENDPOINT = SPEC_ENDPOINT + "  timeout_seconds: 90\n  editable: true\n"
OLD_LABEL, NEW_LABEL = "Timeout (seconds)", "Request timeout (seconds)"
LABEL_LINE = '      "label": {{ p.label|tojson }},\n'

# What a user typed into version N's properties panel (binding name -> value).
USER_INPUTS = {
    "secretSource": "file",
    "secretName": "team_together_key",
    "responseMapping": '{\n  "answer": "choices[0].message.content"\n}',
    "timeoutSeconds": "120",
}
USER_PAYLOAD = '{"model": "deepseek-ai/DeepSeek-R1", "messages": [{"role": "user", "content": "${question}"}]}'
# What a user typed into version N+1's new properties, which the breaking version removes.
USER_HEADERS = '{"X-Team": "research"}'
USER_URL = "https://eu.together.example/v1/chat/completions"


# --------------------------------------------------------------------------- the library's versions


def template_of(project: Path) -> dict:
    return json.loads((project / "dist" / CID / f"{CID}.element.json").read_text("utf-8"))


def keep(project: Path, work: Path, version: int) -> tuple[Path, Path]:
    """Copy the current template and example out of dist/ (later bumps overwrite them)."""
    folder = work / f"v{version}"
    folder.mkdir()
    for name in (f"{CID}.element.json", f"{CID}-example.bpmn"):
        shutil.copy(project / "dist" / CID / name, folder / name)
    return folder / f"{CID}.element.json", folder / f"{CID}-example.bpmn"


def change_spec(project: Path, old: str, new: str) -> None:
    spec = project / "connectors" / CID / "connector.yaml"
    text = spec.read_text("utf-8")
    assert text.count(old) == 1, f"the fixture edit no longer applies to {spec}"
    spec.write_text(text.replace(old, new), "utf-8")


def relabel_timeout(project: Path) -> None:
    """Templates are library input: this copy's element template names the timeout differently."""
    path = project / "templates" / "element-template.json.j2"
    text = path.read_text("utf-8")
    assert text.count(LABEL_LINE) == 1, "the label line of the element template moved"
    relabeled = LABEL_LINE.replace("p.label|", f"p.label|replace({OLD_LABEL!r}, {NEW_LABEL!r})|")
    path.write_text(text.replace(LABEL_LINE, relabeled), "utf-8")


# --------------------------------------------------------------------------- diagrams


def user_edited(example: Path, target: Path, inputs: dict[str, str], payload: str | None = None) -> Path:
    """The example as a user left it after typing ``inputs`` (and ``payload``) into the panel."""
    tree = etree.parse(str(example))
    task = tree.find(f".//{{*}}serviceTask[@id='{TASK}']")
    assert task is not None
    params = {p.get("name"): p for p in task.iter(f"{{{CAMUNDA}}}inputParameter")}
    for name, value in inputs.items():
        params[name].text = value
    if payload is not None:
        (field,) = [f for f in task.iter(f"{{{CAMUNDA}}}field") if f.get("name") == "requestPayload"]
        field.find(f"{{{CAMUNDA}}}string").text = payload
    tree.write(str(target), xml_declaration=True, encoding="UTF-8")
    return target


def example_bindings(example: Path) -> dict[str, dict[str, str]]:
    """The connector task's input parameters and fields, spelled as the harness reads exported XML."""
    task = etree.parse(str(example)).find(f".//{{*}}serviceTask[@id='{TASK}']")
    assert task is not None
    return {
        "inputParameters": {p.get("name"): p.text or "" for p in task.iter(f"{{{CAMUNDA}}}inputParameter")},
        "fields": {
            f.get("name"): "string:" + (f.findtext(f"{{{CAMUNDA}}}string") or "")
            for f in task.iter(f"{{{CAMUNDA}}}field")
        },
    }


def defaults(template: dict) -> dict[str, str]:
    """Input parameter name -> the template's default value."""
    return {
        p["binding"]["name"]: p.get("value", "")
        for p in template["properties"]
        if p["binding"]["type"] == "camunda:inputParameter"
    }


# --------------------------------------------------------------------------- the run


def run_upgrades(work: Path, upgrades: list[dict]) -> dict[str, dict]:
    chromium = ensure_chromium()
    node = ensure_harness()
    screenshots = work / "screenshots"
    job = work / "upgrades.json"
    job.write_text(
        json.dumps(
            {
                "chromium": str(chromium),
                "workDir": str(work / "harness"),
                "upgrades": [{**u, "taskId": TASK, "screenshotDir": str(screenshots)} for u in upgrades],
            }
        ),
        "utf-8",
    )
    proc = subprocess.run([node, str(HARNESS), str(job)], cwd=HARNESS_DIR, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        pytest.fail(f"the Modeler harness did not run (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    results = {}
    for line in proc.stdout.splitlines():
        if line.startswith("UPGRADE "):
            result = json.loads(line[len("UPGRADE ") :])
            results[result["name"]] = result
    assert sorted(results) == sorted(u["name"] for u in upgrades), proc.stdout + proc.stderr
    return results


@pytest.fixture(scope="module")
def upgrade(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Versions N, N+1 (compatible) and N+2 (breaking, released with --breaking), and the Modeler's updates."""
    from click.testing import CliRunner

    from catalyst_gen.cli import main

    def cli(*args: str):
        return CliRunner().invoke(main, [*args, "--project-dir", str(project)], catch_exceptions=False)

    root = tmp_path_factory.mktemp("upgrade")
    project, work = root / "lib", root / "work"
    work.mkdir()
    for name in ("connectors", "templates", "dist"):
        shutil.copytree(
            Path(__file__).resolve().parents[2] / name, project / name, ignore=shutil.ignore_patterns("release")
        )
    n = template_of(project)["version"]
    template_n, example_n = keep(project, work, n)

    change_spec(project, SPEC_ENDPOINT, EDITABLE_ENDPOINT)
    relabel_timeout(project)
    compatible = cli("bump", CID)
    template_n1, example_n1 = keep(project, work, n + 1)

    change_spec(project, EDITABLE_ENDPOINT, SPEC_ENDPOINT + "  timeout_seconds: 90\n")
    before_refusal = (project / "connectors" / CID / "connector.yaml").read_bytes()
    refused = cli("bump", CID)
    after_refusal = (project / "connectors" / CID / "connector.yaml").read_bytes()
    released = cli("bump", CID, "--breaking")
    template_n2, _ = keep(project, work, n + 2)

    edited_n = user_edited(example_n, work / "edited-n.bpmn", USER_INPUTS, USER_PAYLOAD)
    edited_n1 = user_edited(
        example_n1, work / "edited-n1.bpmn", {"extraHeaders": USER_HEADERS, "endpointUrl": USER_URL}
    )
    results = run_upgrades(
        work,
        [
            {"name": "edited", "templates": [str(template_n), str(template_n1)], "bpmn": str(edited_n)},
            {"name": "as-shipped", "templates": [str(template_n), str(template_n1)], "bpmn": str(example_n)},
            {"name": "breaking", "templates": [str(template_n1), str(template_n2)], "bpmn": str(edited_n1)},
        ],
    )
    return {
        "n": n,
        "templates": [json.loads(p.read_text("utf-8")) for p in (template_n, template_n1, template_n2)],
        "example_n1": example_n1,
        "bumps": {"compatible": compatible, "refused": refused, "released": released},
        "refusal_left_the_spec": before_refusal == after_refusal,
        "kept_n1": (project / "connectors" / CID / "versions" / f"{CID}-{n + 1}.element.json").is_file(),
        "results": results,
    }


# --------------------------------------------------------------------------- tests


def test_version_n_plus_1_really_differs_and_bump_accepts_it(upgrade):
    result = upgrade["bumps"]["compatible"]
    n = upgrade["n"]
    assert result.exit_code == 0, result.output
    assert f"{CID}: version {n} -> {n + 1}" in result.output
    for change in (
        'camunda:inputParameter "extraHeaders": added',
        'camunda:inputParameter "queryParameters": added',
        'camunda:inputParameter "timeoutSeconds": label changed',
        'camunda:inputParameter "timeoutSeconds": default value changed',
    ):
        assert change in result.output, result.output
    assert "BREAKING" not in result.output
    old, new, _ = upgrade["templates"]
    assert (old["version"], new["version"]) == (n, n + 1)


def test_the_modeler_offers_the_update_then_knows_the_new_version(upgrade):
    n = upgrade["n"]
    for name in ("edited", "as-shipped"):
        result = upgrade["results"][name]
        assert result["problems"] == [], result["problems"]
        before, after = result["before"], result["after"]
        assert before["panelHeader"] == "Update available", before["panelHeader"]
        assert before["task"]["status"] == "outdated"
        assert before["task"]["resolved"]["version"] == n and sorted(before["task"]["available"]) == [n, n + 1]
        assert after["panelHeader"] == "Applied", after["panelHeader"]
        assert after["task"]["status"] == "known"
        assert after["task"]["resolved"]["version"] == n + 1 and str(after["task"]["templateVersion"]) == str(n + 1)


def test_the_users_values_are_kept_and_new_properties_get_their_defaults(upgrade):
    after = upgrade["results"]["edited"]["after"]
    _, new, _ = upgrade["templates"]
    inputs = after["bindings"]["inputParameters"]
    for name, value in USER_INPUTS.items():
        assert inputs[name] == value, name
    assert after["bindings"]["fields"]["requestPayload"] == "string:" + USER_PAYLOAD
    assert after["panel"][NEW_LABEL] == USER_INPUTS["timeoutSeconds"]  # relabeled, the user's value kept
    assert OLD_LABEL not in after["panel"]
    assert after["panel"]["API Key / Secret Name"] == USER_INPUTS["secretName"]
    new_defaults = defaults(new)
    for name in ("extraHeaders", "queryParameters"):
        assert inputs[name] == new_defaults[name], name
    untouched = set(new_defaults) - set(USER_INPUTS)
    assert {"errorMapping", "authType", "endpointUrl", "httpMethod"} <= untouched
    for name in untouched:
        assert inputs[name] == new_defaults[name], name


def test_an_untouched_diagram_updates_to_exactly_what_the_new_version_creates(upgrade):
    after = upgrade["results"]["as-shipped"]["after"]
    fresh = example_bindings(upgrade["example_n1"])
    assert after["bindings"]["inputParameters"] == fresh["inputParameters"]
    assert after["bindings"]["fields"] == fresh["fields"]
    assert after["bindings"]["inputParameters"]["timeoutSeconds"] == "90"  # the changed default


def test_removing_properties_users_filled_in_is_what_bump_refuses(upgrade):
    refused = upgrade["bumps"]["refused"]
    assert refused.exit_code == 1, refused.output
    for finding in (
        'breaking change: camunda:inputParameter "extraHeaders": removed',
        'breaking change: camunda:inputParameter "queryParameters": removed',
        'breaking change: camunda:inputParameter "endpointUrl": type String -> Hidden',
    ):
        assert finding in refused.output, refused.output
    assert "pass --breaking" in refused.output
    assert upgrade["refusal_left_the_spec"] and upgrade["kept_n1"]


def test_released_anyway_the_breaking_version_drops_the_users_values_in_the_modeler(upgrade):
    released = upgrade["bumps"]["released"]
    assert released.exit_code == 0, released.output
    assert "BREAKING" in released.output
    result = upgrade["results"]["breaking"]
    assert result["problems"] == [], result["problems"]
    before, after = result["before"], result["after"]
    assert before["bindings"]["inputParameters"]["extraHeaders"] == USER_HEADERS
    assert before["panelHeader"] == "Update available" and after["panelHeader"] == "Applied"
    assert "extraHeaders" not in after["bindings"]["inputParameters"]  # the user's headers are gone
    assert "Headers" not in after["panel"]
    # made Hidden: the Camunda 7 Modeler keeps the changed URL in the diagram, out of the user's reach
    assert before["panel"]["Endpoint URL"] == USER_URL
    assert after["bindings"]["inputParameters"]["endpointUrl"] == USER_URL
    assert "Endpoint URL" not in after["panel"]
