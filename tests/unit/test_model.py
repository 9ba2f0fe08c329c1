"""Stage 3: the model fills in every default once and derives what several artifacts share."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalyst_gen.model import Library, build_model

LIBRARY = Library(
    name="Catalyst Connector Library",
    website="https://example.com",
    tagline="Native Camunda 7 integrations",
    runtime_class="com.example.Delegate",
    template_id_prefix="io.catalyst",
    execution_platform_version="7.24.0",
    history_time_to_live="P30D",
)


def spec(**overrides) -> dict:
    """The smallest valid spec data (as validation hands it over), with overrides per top-level key."""
    data = {
        "id": "acme-chat",
        "name": "Acme Chat",
        "version": 3,
        "category": "AI / LLM",
        "tagline": "Chat with Acme",
        "about": "Acme  makes\n  models.",
        "endpoint": {"url": "https://api.acme.test/v1/chat", "method": "POST", "timeout_seconds": 30},
        "auth": {"type": "bearerToken", "header": "Authorization", "prefix": "Bearer", "secret_name": "acme_key"},
        "request": {"payload": {"model": "m1", "messages": [{"role": "user", "content": "${userMessage}"}]}},
        "response_mapping": {"reply": {"path": "choices[0].message.content", "description": "The reply"}},
        "errors": {
            "401": {"code": "AUTH_FAILED", "cause": "Bad key", "action": "Check it"},
            "403": {"code": "AUTH_FAILED", "cause": "Forbidden", "action": "Check scopes"},
            "429": {"code": "RATE_LIMITED", "cause": "Too many", "action": "Wait"},
        },
        "retry": {"statuses": [429], "max_retries": 3, "backoff_ms": 1000},
        "example": {"task_name": "Ask Acme"},
        "logo": {"text": "A", "background": "#000000", "foreground": "#FFFFFF"},
    }
    data.update(overrides)
    return data


def model(**overrides):
    return build_model(spec(**overrides), LIBRARY, Path("/lib/connectors/acme-chat"))


def test_identity_and_file_names_are_derived_from_the_id():
    c = model()
    assert c.template_id == "io.catalyst.acme-chat"
    assert c.template_name == "Catalyst - Acme Chat"
    assert c.file_names == {
        "element_template": "acme-chat.element.json",
        "example": "acme-chat-example.bpmn",
        "diagram": "acme-chat-example.svg",
        "logo": "acme-chat.svg",
        "readme": "README.md",
    }


def test_defaults_are_filled_in_once():
    c = model()
    assert c.headers == {} and c.query == {} and c.endpoint_editable is False
    assert c.auth.default_source == "env" and c.auth.editable is False and c.auth.optional is False
    assert c.retry.max_backoff_ms == 30000
    assert (c.example.configure_name, c.example.review_name) == ("Configure", "Review")
    assert c.tips == () and c.models == () and c.preset is None
    assert model(retry={"statuses": [429], "max_retries": 1, "backoff_ms": 45000}).retry.max_backoff_ms == 45000


@pytest.mark.parametrize(
    ("auth", "header"),
    [
        ({"type": "bearerToken", "secret_name": "k"}, "Authorization"),
        ({"type": "basicAuth", "secret_name": "k"}, "Authorization"),
        ({"type": "apiKeyHeader", "header": "x-api-key", "secret_name": "k"}, "x-api-key"),
        ({"type": "none"}, ""),
    ],
)
def test_the_auth_header_default_follows_the_auth_type(auth, header):
    assert model(auth=auth).auth.header == header


def test_placeholders_come_from_the_payload_in_order_with_labels_and_defaults():
    payload = {"a": "${userMessage}", "b": "${system_prompt}", "c": "${userMessage} again", "d": "${maxTokens}"}
    c = model(request={"payload": payload, "placeholders": {"maxTokens": {"label": "Max", "default": "100"}}})
    assert [(p.name, p.label, p.default) for p in c.placeholders] == [
        ("userMessage", "User Message", ""),
        ("system_prompt", "System Prompt", ""),
        ("maxTokens", "Max", "100"),
    ]


def test_mappings_are_shown_as_json_and_error_codes_are_distinct_in_spec_order():
    c = model()
    assert json.loads(c.response_mapping_json) == {"reply": "choices[0].message.content"}
    assert json.loads(c.error_mapping_json) == {"401": "AUTH_FAILED", "403": "AUTH_FAILED", "429": "RATE_LIMITED"}
    assert c.error_codes == ("AUTH_FAILED", "RATE_LIMITED")
    assert [e.status for e in c.errors] == [401, 403, 429]


def test_the_default_model_and_the_logo_file_path():
    models = [{"id": "m0", "description": "Small"}, {"id": "m1", "description": "Large", "default": True}]
    c = model(models=models, logo={"file": "logo.svg"})
    assert c.default_model is not None and c.default_model.id == "m1"
    assert c.logo.file == Path("/lib/connectors/acme-chat/logo.svg") and c.logo.text is None


def test_about_is_one_paragraph_of_single_spaces():
    assert model().about == "Acme makes models."


def test_the_readme_error_mapping_puts_429_first_then_the_table_order():
    """As every published README writes it: 429 leads; another retried status (anthropic's 529) keeps its place."""
    errors = {
        status: {"code": f"E{status}", "cause": "c", "action": "a"} for status in ("401", "400", "529", "429", "500")
    }
    c = model(errors=errors, retry={"statuses": [429, 529], "max_retries": 3, "backoff_ms": 1000})
    assert list(json.loads(c.readme_error_mapping_json)) == ["429", "401", "400", "529", "500"]
    assert list(json.loads(c.error_mapping_json)) == ["401", "400", "529", "429", "500"]
