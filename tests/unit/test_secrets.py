"""The credential detector (:func:`catalyst_gen.secrets.find_secret`) on the key shapes of the
library's providers: each real-looking one is found, the illustrations the specs write are not."""

from __future__ import annotations

import pytest

from catalyst_gen.secrets import find_secret

# Built from pieces so that no scanner reads this file as holding credentials.
REAL = {
    "xai": ("xai-" + "Ab3dEf6hIj9kLm2nOp5qRs8tUv1w", "an xAI key"),
    "fireworks": ("fw_" + "Ab3dEf6hIj9kLm2nOp5qRs8t", "a Fireworks AI key"),
    "sendgrid": ("SG." + "Ab3dEf6hIj9kLm2nOp5q" + "." + "Rs8tUv1wXy4zAb3dEf6hIj9k", "a SendGrid key"),
    "atlassian": ("ATATT" + "3xFfGF0Ab3dEf6hIj9kLm2nOp5q", "an Atlassian API token"),
    "slack-webhook": (
        "https://hooks.slack.com/services/" + "T0ABCDEF1/B0ABCDEF2/" + "Ab3dEf6hIj9kLm2nOp5qRs8t",
        "a Slack incoming webhook URL",
    ),
    "teams-webhook": (
        "https://acme.webhook.office.com/webhookb2/"
        + "1a2b3c4d-1a2b-1a2b-1a2b-1a2b3c4d5e6f@1a2b3c4d-1a2b-1a2b-1a2b-1a2b3c4d5e6f/IncomingWebhook/x",
        "a Microsoft Teams webhook URL",
    ),
    "signed-url": (
        "https://prod-01.westus.logic.azure.com/workflows/x/triggers/manual/paths/invoke?sv=1.0&sig="
        + "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z",
        "a signed URL's signature",
    ),
}


@pytest.mark.parametrize("value, kind", REAL.values(), ids=REAL.keys())
def test_a_real_looking_credential_is_found(value, kind):
    found = find_secret(f"use {value} here")
    assert found is not None and found[0].startswith(kind), found


@pytest.mark.parametrize(
    "text",
    [
        "https://yourcompany.webhook.office.com/webhookb2/your-webhook-id",  # the Teams spec's default URL
        "TEAMS_WEBHOOK_URL=https://xxxxx.webhook.office.com/webhookb2/xxxxxxxx",
        "Literal key, e.g. `xai-abc123`",
        "key prefix SG.... or fw_...",
        "https://hooks.slack.com/services/" + "T00000000/B00000000/" + "XXXXXXXXXXXXXXXXXXXXXXXX",  # Slack's docs
    ],
)
def test_an_illustration_is_not_a_credential(text):
    assert find_secret(text) is None
