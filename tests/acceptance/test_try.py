"""`catalyst-gen try` runs a connector once against a local fake of the provider."""

from __future__ import annotations

import json

from fake_provider import FakeProvider
from helpers import run_process


def test_try_together_ai_against_a_local_fake():
    with FakeProvider() as fake:
        result = run_process(
            "try",
            "together-ai",
            "--var",
            'userMessage=Say "hi"',
            "--base-url",
            fake.base_url,
            env={"TOGETHER_API_KEY": "test-key-not-secret"},
        )
        assert result.returncode == 0, result.stderr
        assert "aiReply" in result.stdout and "catalyst_success" in result.stdout
        assert "test-key-not-secret" not in result.stdout + result.stderr
        request = fake.requests[-1]
        assert request.headers["authorization"] == "Bearer test-key-not-secret"
        assert request.json["messages"][-1]["content"] == 'Say "hi"'


def test_try_reports_a_mapped_error_with_exit_1():
    with FakeProvider() as fake:
        fake.enqueue(401)
        result = run_process(
            "try", "together-ai", "--var", "userMessage=x", "--base-url", fake.base_url, env={"TOGETHER_API_KEY": "k"}
        )
        assert result.returncode == 1
        assert "AUTH_FAILED" in result.stdout


def test_try_without_a_secret_says_where_it_looked():
    result = run_process(
        "try", "together-ai", "--var", "userMessage=x", "--base-url", "http://127.0.0.1:9", env={"TOGETHER_API_KEY": ""}
    )
    assert result.returncode == 1
    assert "TOGETHER_API_KEY" in result.stderr and "Traceback" not in result.stderr


def test_try_requires_every_placeholder():
    result = run_process("try", "together-ai")
    assert result.returncode == 2
    assert "--var userMessage=" in result.stderr


JIRA_SECRET = "you@example.com:jira-api-token-example-0000"
JIRA_VARS = ("--var", "jiraInstance=acme", "--var", "commentText=Done")


def test_try_jira_fills_the_url_from_var_and_sends_basic_auth():
    with FakeProvider() as fake:
        fake.enqueue(201, {"id": "10501", "self": "https://acme.atlassian.net/rest/api/3/issue/1/comment/10501"})
        result = run_process(
            "try",
            "jira-add-comment",
            *JIRA_VARS,
            "--var",
            "jiraIssueKey=PROJ 7/b",
            "--base-url",
            fake.base_url,
            env={"JIRA_AUTH": JIRA_SECRET},
        )
        assert result.returncode == 0, result.stderr
        assert '"10501"' in result.stdout and "jiraCommentId" in result.stdout
        assert "jira-api-token" not in result.stdout + result.stderr
        [request] = fake.requests
        assert request.path == "/rest/api/3/issue/PROJ%207%2Fb/comment"
        assert request.headers["authorization"].startswith("Basic ")


def test_try_reports_missing_url_placeholders_like_payload_ones():
    result = run_process("try", "jira-add-comment", "--var", "commentText=x")
    assert result.returncode == 2
    assert "--var jiraInstance=" in result.stderr and "--var jiraIssueKey=" in result.stderr
    assert "commentText" not in result.stderr.split("missing", 1)[-1]


def test_try_refuses_a_host_value_that_is_not_one_label():
    result = run_process(
        "try",
        "jira-add-comment",
        *JIRA_VARS,
        "--var",
        "jiraIssueKey=PROJ-1",
        "--var",
        "jiraInstance=evil.example.com#",
        "--base-url",
        "http://127.0.0.1:9",
        env={"JIRA_AUTH": JIRA_SECRET},
    )
    assert result.returncode == 1
    assert "'jiraInstance'" in result.stderr and "not a host name label" in result.stderr
    assert "Traceback" not in result.stderr


def test_try_refuses_a_basic_auth_secret_without_a_colon():
    result = run_process(
        "try",
        "jira-add-comment",
        *JIRA_VARS,
        "--var",
        "jiraIssueKey=PROJ-1",
        "--base-url",
        "http://127.0.0.1:9",
        env={"JIRA_AUTH": "only-a-token-example"},
    )
    assert result.returncode == 1
    assert "user:password" in result.stderr and "only-a-token-example" not in result.stderr


def _try_slack(fake: FakeProvider):
    return run_process(
        "try",
        "slack",
        "--var",
        "slackChannel=C0123456789",
        "--var",
        "slackMessage=Deploy finished",
        "--base-url",
        fake.base_url,
        env={"SLACK_BOT_TOKEN": "test-token-not-secret"},
    )


def test_try_slack_ok_false_with_http_200_fails_with_the_body_error():
    with FakeProvider() as fake:
        fake.enqueue(200, {"ok": False, "error": "channel_not_found"})
        result = _try_slack(fake)
        assert result.returncode == 1, result.stdout + result.stderr
        assert "BPMN error thrown: SLACK_API_ERROR (channel_not_found)" in result.stdout
        assert "catalyst_success      = false" in result.stdout
        assert 'catalyst_error        = "channel_not_found"' in result.stdout
        assert "slackOk               = false" in result.stdout
        assert "test-token-not-secret" not in result.stdout + result.stderr
        assert fake.requests[-1].json == {"channel": "C0123456789", "text": "Deploy finished"}


def test_try_slack_ok_true_succeeds():
    with FakeProvider() as fake:
        fake.enqueue(200, {"ok": True, "channel": "C0123456789", "ts": "1503435956.000247"})
        result = _try_slack(fake)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "No BPMN error" in result.stdout and 'slackTs               = "1503435956.000247"' in result.stdout


# --------------------------------------------------------------------------
# SendGrid: 202 Accepted with an empty body; Ollama: auth type none
# --------------------------------------------------------------------------

SENDGRID_VARS = (
    *("--var", "recipientEmail=ada@example.com", "--var", "senderEmail=ops@example.com"),
    *("--var", 'emailSubject=Order "1042"', "--var", "emailBody=Approved.\nThanks"),
)


def _try_sendgrid(fake: FakeProvider):
    return run_process(
        "try", "sendgrid", *SENDGRID_VARS, "--base-url", fake.base_url, env={"SENDGRID_API_KEY": "test-key-not-secret"}
    )


def test_try_sendgrid_202_with_an_empty_body_succeeds():
    with FakeProvider() as fake:
        fake.enqueue(202, b"", headers={"Content-Type": "application/json"})
        result = _try_sendgrid(fake)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "catalyst_statusCode   = 202" in result.stdout and "catalyst_success      = true" in result.stdout
        assert 'catalyst_responseBody = ""' in result.stdout and "catalyst_error        = null" in result.stdout
        assert "No BPMN error" in result.stdout and "test-key-not-secret" not in result.stdout + result.stderr
        [request] = fake.requests
        assert (request.method, request.path) == ("POST", "/v3/mail/send")
        assert request.headers["authorization"] == "Bearer test-key-not-secret"
        assert request.json == {
            "personalizations": [{"to": [{"email": "ada@example.com"}]}],
            "from": {"email": "ops@example.com"},
            "subject": 'Order "1042"',
            "content": [{"type": "text/plain", "value": "Approved.\nThanks"}],
        }


def test_try_sendgrid_unverified_sender_throws_its_error():
    with FakeProvider() as fake:
        fake.enqueue(403, {"errors": [{"message": "The from address does not match a verified Sender Identity."}]})
        result = _try_sendgrid(fake)
        assert result.returncode == 1
        assert "BPMN error thrown: SENDER_NOT_VERIFIED" in result.stdout


def test_try_ollama_sends_no_credential_although_its_readme_shows_the_key_settings():
    with FakeProvider() as fake:
        result = run_process(
            "try", "ollama", "--var", "userMessage=hi", "--base-url", fake.base_url, env={"NOT_REQUIRED": "leak-me"}
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert 'aiReply               = "echo: hi"' in result.stdout
        [request] = fake.requests
        assert request.path == "/v1/chat/completions" and "authorization" not in request.headers
        assert "leak-me" not in json.dumps(request.headers) + request.body.decode()
