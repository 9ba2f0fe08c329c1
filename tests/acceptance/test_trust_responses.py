"""Issue #10, class 4 (the rest): `try` holds against a server that sends too much, or too slowly.

The server is the local fake provider (127.0.0.1, bounded).  A response over
1 MiB on the wire or once inflated, an encoding the runtime cannot decode,
JSON nested past the limit and a server that trickles bytes each end the call
with a clear message and ``catalyst_success = false`` (or map nothing), never
with a traceback, a full memory or a hang.
"""

from __future__ import annotations

import gzip
import json
import re
import zlib

import pytest
from fake_provider import FakeProvider, chat_completion

MIB = 1024 * 1024


@pytest.fixture
def env(monkeypatch):
    monkeypatch.setenv("TOGETHER_API_KEY", "tk-Q9x-Zr8-Lm2-Vb7-Np4")


def try_against(cli, project, fake: FakeProvider):
    return cli(project, "try", "together-ai", "--var", "userMessage=hi", "--base-url", fake.base_url)


def bomb(encoding: str, size: int = 20 * MIB) -> bytes:
    zeros = b"\0" * size
    if encoding == "gzip":
        return gzip.compress(zeros, 9)
    if encoding == "deflate":
        return zlib.compress(zeros, 9)
    raw_deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return raw_deflate.compress(zeros) + raw_deflate.flush()


LIMITS = {
    # id: (status, body, headers, message)
    "identity-2mib": (200, b"x" * (2 * MIB), {}, "the response is larger than 1,048,576 bytes; reading stopped"),
    "error-2mib": (401, b"e" * (2 * MIB), {}, "the response is larger than 1,048,576 bytes"),
    "json-2mib": (200, json.dumps({"pad": "p" * 2 * MIB}).encode(), {}, "larger than 1,048,576 bytes"),
    "gzip-bomb": (
        200,
        bomb("gzip"),
        {"Content-Encoding": "gzip"},
        "the response inflates to more than 1,048,576 bytes (Content-Encoding gzip)",
    ),
    "x-gzip-bomb": (200, bomb("gzip"), {"Content-Encoding": "x-gzip"}, "inflates to more than 1,048,576 bytes"),
    "deflate-bomb": (200, bomb("deflate"), {"Content-Encoding": "deflate"}, "inflates to more than 1,048,576 bytes"),
    "raw-deflate-bomb": (200, bomb("raw"), {"Content-Encoding": "deflate"}, "inflates to more than 1,048,576 bytes"),
    "double-gzip-bomb": (
        200,
        gzip.compress(bomb("gzip", 50 * MIB)),
        {"Content-Encoding": "gzip, gzip"},
        "inflates to more than 1,048,576 bytes (Content-Encoding gzip, gzip)",
    ),
    "error-status-bomb": (500, bomb("gzip"), {"Content-Encoding": "gzip"}, "inflates to more than 1,048,576 bytes"),
    "brotli": (200, b"\x1b\x00\x00", {"Content-Encoding": "br"}, "Content-Encoding 'br', which the runtime does not"),
    "zstd": (200, b"(\xb5/\xfd", {"Content-Encoding": "zstd"}, "Content-Encoding 'zstd'"),
    "unknown-coding": (200, b"{}", {"Content-Encoding": "x-evil"}, "Content-Encoding 'x-evil'"),
    "broken-gzip": (200, b"\x1f\x8bnot gzip at all", {"Content-Encoding": "gzip"}, "is not valid gzip"),
    "broken-deflate": (200, b"\x00\x01not deflate", {"Content-Encoding": "deflate"}, "is not valid deflate"),
}


@pytest.mark.parametrize("case", sorted(LIMITS))
def test_oversized_or_undecodable_responses_fail_the_call_clearly(project, cli, env, case):
    status, body, headers, message = LIMITS[case]
    with FakeProvider() as fake:
        fake.enqueue(status, body, headers=headers)
        result = try_against(cli, project, fake)
    out = result.output
    assert result.exit_code == 1, out[-2000:]
    assert "Traceback" not in out and "internal error" not in out, out[-2000:]
    assert message in out, out[-2000:]
    assert re.search(r"catalyst_success\s+= false", out), out[-2000:]
    assert len(out) < 20_000, "the output shows the whole response"


ACCEPTED = {
    # id: (body, headers): within the limits, decoded and mapped
    "gzip": (gzip.compress(json.dumps(chat_completion("zipped")).encode()), {"Content-Encoding": "gzip"}),
    "zlib-deflate": (zlib.compress(json.dumps(chat_completion("zipped")).encode()), {"Content-Encoding": "deflate"}),
    "identity": (json.dumps(chat_completion("zipped")).encode(), {"Content-Encoding": "identity"}),
}


@pytest.mark.parametrize("case", sorted(ACCEPTED))
def test_compressed_responses_within_the_limit_are_read(project, cli, env, case):
    body, headers = ACCEPTED[case]
    with FakeProvider() as fake:
        fake.enqueue(200, body, headers=headers)
        result = try_against(cli, project, fake)
        sent = fake.requests[-1].headers.get("accept-encoding")
    assert result.exit_code == 0, result.output
    assert re.search(r'aiReply\s+= "zipped"', result.output), result.output
    assert sent == "gzip, deflate", "the runtime asks only for what it decodes"


JSON_LIMITS = {
    "deep-json": json.dumps(chat_completion("x"))[:-1] + ', "deep": ' + "[" * 100_000 + "]" * 100_000 + "}",
    "33-levels": json.dumps(chat_completion("x"))[:-1] + ', "deep": ' + "[" * 33 + "]" * 33 + "}",
    "5000-digit-integer": '{"usage": {"prompt_tokens": ' + "9" * 5000 + '}, "choices": []}',
    "nan": '{"choices": [{"message": {"content": NaN}}]}',
}


@pytest.mark.parametrize("case", sorted(JSON_LIMITS))
def test_a_response_beyond_the_json_limits_maps_nothing_and_crashes_nothing(project, cli, env, case):
    with FakeProvider() as fake:
        fake.enqueue(200, JSON_LIMITS[case].encode())
        result = try_against(cli, project, fake)
    out = result.output
    assert result.exit_code == 0, out[-2000:]
    assert "Traceback" not in out and "internal error" not in out, out[-2000:]
    assert re.search(r"aiReply\s+= null", out), out[-2000:]


def test_32_levels_of_json_still_map(project, cli, env):
    body = json.dumps(chat_completion("kept"))[:-1] + ', "deep": ' + "[" * 30 + "]" * 30 + "}"
    with FakeProvider() as fake:
        fake.enqueue(200, body.encode())
        result = try_against(cli, project, fake)
    assert re.search(r'aiReply\s+= "kept"', result.output), result.output


def test_a_huge_retry_after_is_capped_not_crashed_on(project, cli, env):
    with FakeProvider() as fake:
        fake.enqueue(429, headers={"Retry-After": "9" * 5000})
        fake.enqueue(200)
        result = cli(project, "try", "together-ai", "--var", "userMessage=hi", "--base-url", fake.base_url)
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output
    assert "Request sent 2 times" in result.output, result.output


def one_second_spec(project) -> None:
    spec = project / "connectors" / "together-ai" / "connector.yaml"
    text = spec.read_text("utf-8")
    url = "  url: https://api.together.xyz/v1/chat/completions\n"
    assert url in text
    spec.write_text(text.replace(url, url + "  timeout_seconds: 1\n"), "utf-8")


@pytest.mark.parametrize("body_size", [40, 4000], ids=["trickled-headers", "trickled-body"])
def test_timeout_is_a_deadline_for_the_whole_exchange(project, cli, env, body_size):
    """One byte per 0.2 s never leaves a 1 s gap between bytes, yet the call is cut off as timed out.

    Without a deadline the fake would send everything (headers) or stop after
    its own 10 s bound (body) and the call would end in another way.
    """
    one_second_spec(project)
    with FakeProvider() as fake:
        fake.enqueue(200, b"x" * body_size, trickle=0.2)
        result = try_against(cli, project, fake)
    out = result.output
    assert result.exit_code == 1, out
    assert "Request timed out after 1 s" in out, out
