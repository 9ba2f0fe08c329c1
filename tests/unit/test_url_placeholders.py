"""The one rule for ``{name}`` placeholders of the endpoint URL and headers (grammar), as the runtime applies it."""

from __future__ import annotations

import json
from urllib.parse import unquote, urlsplit

import httpx
import pytest
from helpers import REPO
from hypothesis import given
from hypothesis import strategies as st
from test_runtime import task_element

from catalyst_gen import contract, grammar
from catalyst_gen import runtime as rt
from catalyst_gen.build import load_connector
from catalyst_gen.library import Project

JIRA_URL = "https://{jiraInstance}.atlassian.net/rest/api/3/issue/{jiraIssueKey}/comment"


def test_the_spec_form_is_bound_as_rfc6570_braces():
    spec = "https://${jiraInstance}.atlassian.net/rest/api/3/issue/${jiraIssueKey}/comment"
    assert grammar.bound_form(spec) == JIRA_URL
    assert grammar.bound_placeholders(JIRA_URL) == ["jiraInstance", "jiraIssueKey"]
    assert grammar.expression_opener(grammar.bound_form(spec)) is None


def test_host_takes_one_label_and_the_path_is_percent_encoded():
    url = grammar.expand_url(JIRA_URL, {"jiraInstance": "acme-1", "jiraIssueKey": "PROJ 1/2?#%ä~._-"})
    assert url == "https://acme-1.atlassian.net/rest/api/3/issue/PROJ%201%2F2%3F%23%25%C3%A4~._-/comment"


def test_numbers_and_booleans_are_written_as_json_writes_them():
    template = "https://x.example.com/items/{id}?flag={flag}"
    assert grammar.expand_url(template, {"id": 42, "flag": True}) == "https://x.example.com/items/42?flag=true"


@pytest.mark.parametrize(
    "variables, message",
    [
        ({"jiraInstance": "evil.example.com", "jiraIssueKey": "K"}, "not a host name label"),
        ({"jiraInstance": "a/b", "jiraIssueKey": "K"}, "not a host name label"),
        ({"jiraInstance": "-acme", "jiraIssueKey": "K"}, "not a host name label"),
        ({"jiraInstance": "a" * 64, "jiraIssueKey": "K"}, "not a host name label"),
        ({"jiraInstance": "acme", "jiraIssueKey": ".."}, "would change the path"),
        ({"jiraInstance": "acme", "jiraIssueKey": "."}, "would change the path"),
        ({"jiraInstance": "acme", "jiraIssueKey": ""}, "is empty"),
        ({"jiraInstance": "acme", "jiraIssueKey": None}, "is null"),
        ({"jiraInstance": "acme", "jiraIssueKey": ["K"]}, "is list"),
        ({"jiraInstance": "acme", "jiraIssueKey": 1.5}, "is float"),
    ],
)
def test_values_the_rule_refuses(variables, message):
    with pytest.raises(ValueError, match=message):
        grammar.expand_url(JIRA_URL, variables)


def test_a_missing_variable_is_named():
    with pytest.raises(KeyError, match="jiraIssueKey"):
        grammar.expand_url(JIRA_URL, {"jiraInstance": "acme"})


@pytest.mark.parametrize(
    "template, reason",
    [
        ("{scheme}://x.example.com/", "in its scheme"),
        ("https://x.example.com:{port}/", "in its port"),
        ("https://user@{host}.example.com/", "after user info"),
        ("https://[::1]:{port}/", "in its port"),
        ("https://x.example.com/a/../b", "path segment"),
        ("https://x.example.com/{a}/./b", "path segment"),
        ("https://x.example.com/{a b}", "outside a placeholder"),
        ("https://x.example.com/}", "outside a placeholder"),
        ("ftp://x.example.com/{a}", "not an absolute http(s) URL"),
    ],
)
def test_templates_the_rule_refuses(template, reason):
    assert reason in (grammar.url_template_problem(template) or "")


@pytest.mark.parametrize(
    "template",
    [
        JIRA_URL,
        "https://api-{region}.example.com/v1?q={query}#{frag}",
        "http://[::1]:8080/{a}",
        "https://x.example.com",
    ],
)
def test_templates_the_rule_accepts(template):
    assert grammar.url_template_problem(template) is None


@given(st.text(min_size=1).filter(lambda t: t not in (".", "..")))
def test_a_path_value_stays_one_segment_and_decodes_back(value):
    url = grammar.expand_url("https://x.example.com/a/{v}/b", {"v": value})
    path = urlsplit(url).path
    assert path.count("/") == 3 and path.startswith("/a/") and path.endswith("/b")
    assert unquote(path.split("/")[2], errors="surrogatepass") == value
    assert all(c.isascii() and (c.isalnum() or c in "-._~%") for c in path.split("/")[2])


def test_header_values_are_inserted_as_they_are_but_stay_one_line():
    assert grammar.expand_header("X-Issue", "key {k}/{n}", {"k": "A B", "n": 3}) == "key A B/3"
    with pytest.raises(ValueError, match="would end the header"):
        grammar.expand_header("X-Issue", "{k}", {"k": "a\r\nX-Evil: 1"})


# ------------------------------------------------------------------ runtime


def _jira_inputs(**overrides) -> dict:
    example = REPO / "dist" / "jira-add-comment" / "jira-add-comment-example.bpmn"
    [task] = rt.find_connector_tasks(rt.parse_xml(example.read_bytes(), example.name))
    return {**rt.read_task_config(task).raw, **overrides}


def _sent(inputs: dict, variables: dict, secret: str) -> httpx.Request:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json={"id": "1", "self": "s"})

    cfg = rt.read_task_config(task_element(inputs, payload='{"body": "${commentText}"}'))
    outcome = rt.execute(cfg, variables, secret=secret, client=httpx.MockTransport(answer))
    assert outcome.success, outcome.variables
    [request] = seen
    return request


VARIABLES = {"jiraInstance": "acme", "jiraIssueKey": "PROJ 9", "commentText": 'a "quote"'}


def test_the_runtime_fills_the_host_and_the_path_and_sends_basic_auth():
    request = _sent(_jira_inputs(), VARIABLES, "me@example.com:token-example")
    assert str(request.url) == "https://acme.atlassian.net/rest/api/3/issue/PROJ%209/comment"
    assert request.headers["authorization"] == "Basic bWVAZXhhbXBsZS5jb206dG9rZW4tZXhhbXBsZQ=="
    assert json.loads(request.content) == {"body": 'a "quote"'}


def test_the_data_center_choice_sends_the_token_as_bearer():
    inputs = _jira_inputs(**{contract.AUTH_TYPE.name: "bearerToken"})
    request = _sent(inputs, VARIABLES, "pat-example-0000")
    assert request.headers["authorization"] == "Bearer pat-example-0000"


def test_header_placeholders_are_filled_and_auth_still_wins():
    headers = {"X-Issue": "{jiraIssueKey}", "Authorization": "{jiraIssueKey}"}
    inputs = _jira_inputs(**{contract.EXTRA_HEADERS.name: json.dumps(headers)})
    request = _sent(inputs, VARIABLES, "me@example.com:token-example")
    assert request.headers["x-issue"] == "PROJ 9"
    assert request.headers["authorization"].startswith("Basic ")


def test_a_missing_url_variable_is_a_contract_error_naming_it():
    cfg = rt.read_task_config(task_element(_jira_inputs(), payload="{}"))
    with pytest.raises(rt.RuntimeContractError, match="placeholder {jiraIssueKey} has no process variable"):
        rt.execute(cfg, {"jiraInstance": "acme"}, secret="a:b", client=httpx.MockTransport(lambda r: None))


def test_a_bound_url_with_a_misplaced_placeholder_is_refused_when_read():
    with pytest.raises(rt.RuntimeContractError, match="in its port"):
        rt.read_task_config(task_element(_jira_inputs(**{contract.ENDPOINT_URL.name: "https://x.example.com:{p}/"})))


@pytest.mark.parametrize("secret", ["no-colon-example", ":token-only-example"])
def test_basic_auth_needs_a_user_and_a_colon(secret):
    cfg = rt.read_task_config(task_element(_jira_inputs(), payload="{}"))
    with pytest.raises(rt.RuntimeContractError, match="user:password"):
        rt.execute(cfg, VARIABLES, secret=secret, client=httpx.MockTransport(lambda r: None))


# ------------------------------------------------------------------ model


def test_the_model_lists_url_placeholders_first_and_where_they_are_used():
    c = load_connector(Project(REPO), "jira-add-comment")
    assert c.endpoint_url == JIRA_URL
    assert [(p.name, p.used_in) for p in c.placeholders] == [
        ("jiraInstance", ("URL",)),
        ("jiraIssueKey", ("URL",)),
        ("commentText", ("payload",)),
    ]
    assert [p.name for p in c.request_placeholders] == ["jiraInstance", "jiraIssueKey"]
    assert c.auth.types == ("basicAuth", "bearerToken")


def test_connectors_without_choices_or_url_placeholders_are_unchanged():
    c = load_connector(Project(REPO), "together-ai")
    assert c.auth.types == ("bearerToken",) and c.request_placeholders == ()


# ------------------------------------------------------------------ the rest of the Jira suite


def _example_config(connector_id: str) -> rt.TaskConfig:
    example = REPO / "dist" / connector_id / f"{connector_id}-example.bpmn"
    [task] = rt.find_connector_tasks(rt.parse_xml(example.read_bytes(), example.name))
    return rt.read_task_config(task)


@pytest.mark.parametrize(
    ("connector_id", "variables", "method", "url", "body"),
    [
        (
            "jira-update-issue",
            {"jiraInstance": "acme", "jiraIssueKey": "PROJ/7", "updatedSummary": "New \"title\"",
             "updatedPriority": "High", "updatedLabels": "catalyst"},
            "PUT",
            "https://acme.atlassian.net/rest/api/3/issue/PROJ%2F7",
            {"fields": {"summary": 'New "title"', "priority": {"name": "High"}, "labels": ["catalyst"]}},
        ),
        (
            "jira-transition-issue",
            {"jiraInstance": "acme", "jiraIssueKey": "PROJ-7", "transitionId": 31},
            "POST",
            "https://acme.atlassian.net/rest/api/3/issue/PROJ-7/transitions",
            {"transition": {"id": "31"}},
        ),
    ],
)  # fmt: skip
def test_the_204_jira_connectors_fill_their_urls_and_succeed_without_a_body(connector_id, variables, method, url, body):
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    outcome = rt.execute(
        _example_config(connector_id), variables, secret="me@example.com:t", client=httpx.MockTransport(answer)
    )
    assert outcome.success, outcome.variables
    [request] = seen
    assert (request.method, str(request.url), json.loads(request.content)) == (method, url, body)
    assert request.headers["authorization"].startswith("Basic ")
    assert outcome.variables["catalyst_statusCode"] == 204


def test_jira_create_issue_fills_only_the_instance_and_maps_the_new_issue():
    cfg = _example_config("jira-create-issue")
    variables = {"jiraInstance": "acme", "jiraProjectKey": "PROJ", "jiraIssueType": "Bug", "issueSummary": "s",
                 "issueDescription": "d", "jiraPriority": "Low"}  # fmt: skip
    answer = {"id": "10042", "key": "PROJ-123", "self": "https://acme.atlassian.net/rest/api/3/issue/10042"}
    outcome = rt.execute(cfg, variables, secret="me@example.com:t", client=httpx.MockTransport(
        lambda r: httpx.Response(201, json=answer)))  # fmt: skip
    assert outcome.success, outcome.variables
    assert (outcome.variables["jiraIssueKey"], outcome.variables["jiraIssueId"]) == ("PROJ-123", "10042")
    with pytest.raises(rt.RuntimeContractError, match="is not a host name label"):
        rt.execute(cfg, {**variables, "jiraInstance": "evil.example.com"}, secret="a:b",
                   client=httpx.MockTransport(lambda r: httpx.Response(201)))  # fmt: skip
