"""`catalyst-gen try` runs a connector once against a local fake of the provider."""

from __future__ import annotations

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
