"""Microsoft Teams (issue #11): the example task, run by the runtime reference against a fake Teams.

Teams' incoming webhook answers HTTP 200 with the text ``1`` (not JSON); the card is posted without
credentials; the task-local "Message Format" Dropdown reaches the payload through ``${messageFormat}``
(Camunda 7 element templates have no conditional properties, so it cannot swap the payload).
"""

from __future__ import annotations

import json

import httpx
from helpers import REPO

from catalyst_gen import runtime as rt

EXAMPLE = (REPO / "dist" / "microsoft-teams" / "microsoft-teams-example.bpmn").read_bytes()
URL = "https://yourcompany.webhook.office.com/webhookb2/your-webhook-id"


def run(bpmn: bytes, *answers: httpx.Response) -> tuple[rt.Outcome, list[httpx.Request]]:
    sent: list[httpx.Request] = []
    queue = list(answers)

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return queue.pop(0)

    outcome = rt.try_connector(
        bpmn, {"userMessage": "Order 7 shipped"}, environ={}, client=httpx.MockTransport(answer), sleep=lambda s: None
    )
    return outcome, sent


def test_the_card_is_posted_without_credentials_and_teams_1_is_a_success():
    outcome, [request] = run(EXAMPLE, httpx.Response(200, text="1"))
    assert (request.method, str(request.url)) == ("POST", URL)
    assert request.headers["content-type"] == "application/json"
    assert "authorization" not in request.headers
    body = json.loads(request.content)
    assert body["format"] == "card"  # the Message Format Dropdown's default, a task-local variable
    card = body["attachments"][0]["content"]
    assert card["type"] == "AdaptiveCard" and card["body"][1]["text"] == "Order 7 shipped"
    assert outcome.success and outcome.bpmn_error is None
    assert outcome.variables["catalyst_responseBody"] == "1" and outcome.variables["catalyst_statusCode"] == 200


def test_the_message_format_choice_is_what_the_payload_sends():
    assert b'<camunda:inputParameter name="messageFormat">card</camunda:inputParameter>' in EXAMPLE
    text = EXAMPLE.replace(b'name="messageFormat">card<', b'name="messageFormat">text<')
    _, [request] = run(text, httpx.Response(200, text="1"))
    assert json.loads(request.content)["format"] == "text"


def test_a_card_too_large_throws_its_bpmn_error():
    outcome, _ = run(EXAMPLE, httpx.Response(413, text="Payload too large"))
    assert not outcome.success and outcome.bpmn_error is not None
    assert outcome.bpmn_error.code == "PAYLOAD_TOO_LARGE"


def test_the_rate_limit_is_retried_then_the_message_is_accepted():
    outcome, sent = run(EXAMPLE, httpx.Response(429, text="slow down"), httpx.Response(200, text="1"))
    assert len(sent) == 2 and outcome.success
    off = EXAMPLE.replace(b'name="retryOn429">true<', b'name="retryOn429">false<')
    outcome, sent = run(off, httpx.Response(429, text="slow down"))
    assert len(sent) == 1 and outcome.bpmn_error is not None and outcome.bpmn_error.code == "RATE_LIMITED"
