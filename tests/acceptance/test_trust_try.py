"""Issue #10, class 4 (in part): `try` never prints the secret in any form.

A fake provider echoes the key back in every form a server might: raw,
JSON-escaped, percent-encoded, base64, cut in half.  None of them may reach
the output.  Secrets with control or non-ASCII characters are refused before
anything is sent, and terminal control characters from the server are escaped.
"""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

import pytest
from fake_provider import FakeProvider, chat_completion
from helpers import run_process

SECRET = "sk-test/+=K3y-0123456789-abcdef/XYZ"

ECHOES = {
    "raw": SECRET,
    "json-escaped-slash": SECRET.replace("/", "\\/"),
    "percent-encoded": quote(SECRET, safe=""),
    "percent-encoded-lower": quote(SECRET, safe="").lower(),
    "base64": base64.b64encode(SECRET.encode()).decode(),
    "first-half": SECRET[: len(SECRET) // 2],
    "last-half": SECRET[len(SECRET) // 2 :],
    "middle": SECRET[5:20],
}


def run_try(fake: FakeProvider, secret: str):
    return run_process(
        "try", "together-ai", "--var", "userMessage=x", "--base-url", fake.base_url, env={"TOGETHER_API_KEY": secret}
    )


@pytest.mark.parametrize("echo", ECHOES.values(), ids=ECHOES.keys())
@pytest.mark.parametrize("status", [200, 401], ids=["reply", "error"])
def test_no_form_of_the_secret_is_printed(echo, status):
    body = chat_completion(f"your key is {echo} ok") if status == 200 else {"error": {"message": f"bad key {echo}"}}
    with FakeProvider() as fake:
        fake.enqueue(status, body)
        result = run_try(fake, SECRET)
    shown = result.stdout + result.stderr
    assert result.returncode in (0, 1), shown
    for form in ECHOES.values():
        assert form not in shown, f"{form!r} was printed:\n{shown}"
    assert "***" in shown


@pytest.mark.parametrize(
    "secret",
    ["sk-abc\r\nX-Injected: 1", "sk-abc\tdef", "sk-caf\u00e9-key", "sk-\u202eevil", "sk-\x1b[31mred"],
    ids=["crlf", "tab", "non-ascii", "bidi", "escape"],
)
def test_a_secret_with_control_or_non_ascii_characters_is_refused_before_sending(secret):
    with FakeProvider() as fake:
        result = run_try(fake, secret)
        assert fake.requests == [], "the request was sent"
    assert result.returncode == 1 and "printable ASCII" in result.stderr, result.stderr
    assert secret not in result.stdout + result.stderr


def test_terminal_control_characters_from_the_server_are_escaped():
    reply = "red \x1b[31mtext\x1b[0m, DEL \x7f, C1 \x9b2J, override \u202egnp.exe"
    with FakeProvider() as fake:
        fake.enqueue(200, chat_completion(reply))
        result = run_try(fake, "k-not-secret-123")
    shown = result.stdout
    assert result.returncode == 0, result.stderr
    for char in ("\x1b", "\x7f", "\x9b", "\u202e"):
        assert char not in shown, repr(shown)
    assert "\\u001b[31m" in shown and "\\u007f" in shown and "\\u202e" in shown


def test_the_outcome_body_is_json_and_masked():
    with FakeProvider() as fake:
        fake.enqueue(200, {"choices": [{"message": {"content": json.dumps({"k": SECRET})}}]})
        result = run_try(fake, SECRET)
    assert SECRET not in result.stdout and SECRET.replace("/", "\\/") not in result.stdout
