"""Placeholders in the endpoint URL and headers, and the auth choices: located errors for bad specs,
and what a good spec puts into the artifacts (never `${` where Camunda evaluates it)."""

from __future__ import annotations

import json

import pytest
from helpers import REPO, SAMPLE, build_refused, write_spec

JIRA = (
    (REPO / "connectors" / "jira-add-comment" / "connector.yaml")
    .read_text("utf-8")
    .replace("id: jira-add-comment", "id: sample")
)
URL = "https://${jiraInstance}.atlassian.net/rest/api/3/issue/${jiraIssueKey}/comment"


def with_url(url: str) -> str:
    return JIRA.replace(URL, url)


def with_headers(lines: str) -> str:
    return JIRA.replace(f"  url: {URL}\n", f"  url: {URL}\n  headers:\n{lines}")


def standard_readme(text: str) -> str:
    """The spec without its authored README (and the preset's): the README shows the standard
    sections, About among them, so the spec gets an `about`."""
    head, sep, _ = text.partition("\nreadme:\n")
    assert sep, "the Jira spec has a readme: key"
    return head + "\nabout: Adds a comment to a Jira issue.\nreadme: null\n"


@pytest.mark.parametrize(
    "text, message, needle, hint",
    [
        (
            with_url("https://${jira-instance}.atlassian.net/x"),
            "the value contains `${`, which starts an expression in Camunda 7",
            "https://${jira-instance}",
            "with a plain variable name",
        ),
        (
            with_url("https://example.atlassian.net:${port}/x"),
            "has the placeholder 'port' in its port",
            "https://example.atlassian.net:${port}",
            "in the host (one DNS label), the path or the query",
        ),
        (
            with_url("https://x.atlassian.net/rest/../${jiraIssueKey}"),
            "has a `.` or `..` path segment",
            "https://x.atlassian.net/rest/..",
            None,
        ),
        (
            with_url("https://x.atlassian.net/rest/{jiraIssueKey}"),
            "contains `{` or `}` outside a `${name}` placeholder",
            "https://x.atlassian.net/rest/{",
            None,
        ),
        (
            with_url("https://x.atlassian.net/rest/\\${jiraIssueKey}"),
            "the value contains `${`, which starts an expression in Camunda 7",
            "https://x.atlassian.net/rest/",
            None,
        ),
        (
            with_url("https://x.atlassian.net/rest/#{jiraIssueKey}"),
            "the value contains `#{`, which starts an expression",
            "https://x.atlassian.net/rest/#{",
            None,
        ),
        (
            with_headers('    X-Issue: "{jiraIssueKey}"\n'),
            "holds `{jiraIssueKey}`, which the runtime would fill in",
            '"{jiraIssueKey}"',
            "write `${jiraIssueKey}` for a placeholder",
        ),
        (
            with_headers('    X-Issue: "${issue.key}"\n'),
            "the value contains `${`, which starts an expression in Camunda 7",
            '"${issue.key}"',
            "with a plain variable name",
        ),
        (
            with_url("https://x.atlassian.net/rest/api/3/issue/${jiraIssueKey}#${jiraInstance}"),
            "the `#` right before `${jiraInstance}` would make `#{jiraInstance}`",
            "https://x.atlassian.net/",
            "a URL's fragment (from `#` on) is never sent to the server",
        ),
        (
            with_url("https://x.atlassian.net/rest/api/3/issue/$${jiraIssueKey}/${jiraInstance}"),
            "the `$` right before `${jiraIssueKey}` would make `${jiraIssueKey}`",
            "https://x.atlassian.net/",
            "percent-encode the `$` as `%24`",
        ),
        (
            with_headers('    X-Channel: "#${jiraIssueKey}"\n'),
            "the `#` right before `${jiraIssueKey}` would make `#{jiraIssueKey}`",
            '"#${jiraIssueKey}"',
            "put the `#` into the process variable's value",
        ),
        (
            SAMPLE.replace("    model: meta-llama/", '    stop: "(${stage"\n    model: meta-llama/'),
            "the value opens a placeholder with `${` and never closes it",
            '"(${stage"',
            "a placeholder is written ${name}",
        ),
        (
            JIRA.replace("    commentText:\n      label:", "    comentText:\n      label:"),
            "`comentText` is not a placeholder of this request",
            "comentText:",
            "did you mean `commentText`?",
        ),
        (
            JIRA.replace("extends: atlassian\n", "extends: atlassian\nauth:\n  type: apiKeyQuery\n"),
            "`type: apiKeyQuery` is not one of `types` (basicAuth, bearerToken)",
            "apiKeyQuery",
            "add it to `types`",
        ),
        (
            JIRA.replace("extends: atlassian\n", "extends: atlassian\nauth:\n  types: null\n"),
            "basicAuth does not use a prefix",
            None,  # the prefix comes from the preset: the error points there (checked below)
            "email:api_token",
        ),
    ],
    ids=[
        "bad-name",
        "port",
        "dot-segment",
        "literal-brace",
        "escaped",
        "hash-expression",
        "header-literal",
        "header-name",
        "hash-before-url-placeholder",
        "dollar-before-url-placeholder",
        "hash-before-header-placeholder",
        "unclosed-payload-placeholder",
        "unused-placeholder-label",
        "type-not-offered",
        "basic-prefix",
    ],
)
def test_bad_request_placeholders_and_auth_choices_are_located(project, cli, text, message, needle, hint):
    result = build_refused(project, cli, text, message, needle=needle, hint=hint)
    if needle is None:
        assert "connectors/_presets/atlassian.yaml:" in result.output


def test_placeholders_reach_the_artifacts_as_data(project, cli):
    write_spec(project, standard_readme(with_headers('    X-Trace: "run-${jiraIssueKey}"\n')))
    result = cli(project, "build", "sample")
    assert result.exit_code == 0, result.output
    dist = project / "dist" / "sample"
    template = json.loads((dist / "sample.element.json").read_text("utf-8"))
    values = {p["binding"]["name"]: p for p in template["properties"]}
    assert values["endpointUrl"]["value"] == URL.replace("${", "{")
    assert "{name} is replaced" in values["endpointUrl"]["description"]
    assert json.loads(values["extraHeaders"]["value"])["X-Trace"] == "run-{jiraIssueKey}"
    assert values["authType"]["type"] == "Dropdown"
    assert values["authType"]["choices"] == [
        {"name": "Basic Auth (user:password)", "value": "basicAuth"},
        {"name": "Bearer Token", "value": "bearerToken"},
    ]
    example = (dist / "sample-example.bpmn").read_text("utf-8")
    for name in ("jiraInstance", "jiraIssueKey", "commentText"):
        assert f'<camunda:formField id="{name}"' in example
    outside_payload = example.split("<camunda:field", 1)[0] + example.split("</camunda:field>", 1)[1]
    assert "${" not in outside_payload
    readme = (dist / "README.md").read_text("utf-8")
    assert "## Process Variables" in readme and "| `jiraIssueKey` | Issue Key | URL, header X-Trace |" in readme
    assert "### Auth Types" in readme and "`email:api_token`" in readme
