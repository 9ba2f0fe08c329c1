"""Issue #10, class 6: what the runtime cannot send is refused at build time, located.

Header names that are not HTTP tokens, line breaks in header values, URLs the
runtime cannot send to, decimals where a whole number is meant, NaN/Infinity
in payloads, numbers written in hexadecimal, octal or with leading zeros, and
template versions Camunda cannot store.  The grammar holds each rule once; the
runtime reference applies the same rules to a bound task (bottom of the file).
"""

from __future__ import annotations

import pytest
from helpers import SAMPLE, build_refused

from catalyst_gen import contract, grammar

URL = "url: https://api.together.xyz/v1/chat/completions"
TIMEOUT = "  timeout_seconds: 60"

# (case id, text in the sample spec, replacement, expected message, needle locating the value)
CASES = [
    ("timeout-exponent", TIMEOUT, "  timeout_seconds: 6e1", "expected a whole number, got a decimal number", "6e1"),
    ("timeout-decimal", TIMEOUT, "  timeout_seconds: 60.0", "expected a whole number, got a decimal number", "60.0"),
    ("version-decimal", "version: 1", "version: 1.0", "expected a whole number, got a decimal number", "1.0"),
    ("version-huge", "version: 1", "version: 2147483648", "2147483648 is too large", "2147483648"),
    ("retries-decimal", "  max_retries: 3", "  max_retries: 3.0", "expected a whole number", "3.0"),
    ("backoff-exponent", "  backoff_ms: 1000", "  backoff_ms: 1e3", "expected a whole number", "1e3"),
    ("timeout-hex", TIMEOUT, "  timeout_seconds: 0x3C", "is not written in plain decimal", "0x3C"),
    ("timeout-octal", TIMEOUT, "  timeout_seconds: 0o74", "is not written in plain decimal", "0o74"),
    ("timeout-leading-zero", TIMEOUT, "  timeout_seconds: 060", "is not written in plain decimal", "060"),
    ("status-key-hex", "  401:", "  0x191:", "`0x191` is not written in plain decimal", "0x191"),
    ("status-key-octal", "  401:", "  0o621:", "`0o621` is not written in plain decimal", "0o621"),
    ("status-key-leading-zero", "  401:", "  0401:", "`0401` is not written in plain decimal", "0401"),
    (
        "retry-status-hex",
        "  statuses: [429]",
        "  statuses: [0x1AD]",
        "`0x1AD` is not written in plain decimal",
        "0x1AD",
    ),
    ("payload-nan", "    max_tokens: 1024", "    max_tokens: .nan", "`.nan` is not a number JSON can carry", ".nan"),
    ("payload-inf", "    max_tokens: 1024", "    max_tokens: .inf", "`.inf` is not a number JSON can carry", ".inf"),
    ("payload-minus-inf", "    max_tokens: 1024", "    max_tokens: -.Inf", "is not a number JSON can carry", "-.Inf"),
    ("url-port", URL, "url: https://api.together.xyz:99999/v1", "port that is not a number from 1 to 65535", "https"),
    ("url-port-word", URL, "url: https://api.together.xyz:http/v1", "port that is not a number", "https"),
    ("url-userinfo", URL, "url: https://user:pass@api.together.xyz/v1", "carries credentials", "https"),
    ("url-user", URL, "url: https://token@api.together.xyz/v1", "carries credentials", "https"),
    ("url-no-host", URL, "url: https://:443/v1", "has no host name", "https"),
    ("url-scheme", URL, "url: ftp://api.together.xyz/v1", "is not valid here", "ftp"),
    ("url-space", URL, "url: 'https://api.together.xyz/v1 chat'", "is not valid here", "'https"),
    ("auth-header-space", "header: Authorization", "header: 'Author ization'", "is not valid here", "'Author"),
    ("auth-header-colon", "header: Authorization", "header: 'Authorization:'", "is not valid here", "'Authorization:'"),
    ("auth-header-unicode", "header: Authorization", "header: Äuthorization", "is not valid here", "Äuthorization"),
]

HEADER_CASES = [  # (case id, headers mapping, expected message, where it is located in the mapping)
    ("header-cr-lf", '{X-A: "a\\r\\nInjected: 1"}', "which would end the header", '"a'),
    ("header-lf", '{X-A: "a\\nb"}', "which would end the header", '"a'),
    ("header-cr", '{X-A: "a\\rb"}', "which would end the header", '"a'),
    ("header-name-space", '{"X A": b}', '"X A" is not valid here', '"X A"'),
    ("header-name-colon", '{"X-A:": b}', '"X-A:" is not valid here', '"X-A:"'),
    ("header-name-empty", '{"": b}', '"" is not valid here', '""'),
    ("header-name-newline", '{"X\\nA": b}', "is not valid here", '"X'),
]


@pytest.mark.parametrize(("old", "new", "message", "needle"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_what_the_runtime_cannot_send_is_refused_where_it_is_written(project, cli, old, new, message, needle):
    assert old in SAMPLE, old
    build_refused(project, cli, SAMPLE.replace(old, new, 1), message, needle=needle)


@pytest.mark.parametrize(("headers", "message", "at"), [c[1:] for c in HEADER_CASES], ids=[c[0] for c in HEADER_CASES])
def test_headers_that_would_break_the_request_are_refused(project, cli, headers, message, at):
    line = f"  headers: {headers}"
    text = SAMPLE.replace(TIMEOUT, f"{TIMEOUT}\n{line}", 1)
    build_refused(project, cli, text, message, needle=(line, line.index(at)))


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("https://api.example.com/v1", True),
        ("http://127.0.0.1:8080/x?y=1", True),
        ("https://[::1]:443/v1", True),
        ("https://api.example.com:0/v1", True),
        ("https://api.example.com:65536/v1", False),
        ("https://u@api.example.com/", False),
        ("https://api.example.com/\n", False),
        ("https://api.example.com)![t](https://x/t.png", False),
        ("https://[not-ipv6]/", False),
        ("https://api.exa\tmple.com/", False),
        ("mailto:a@example.com", False),
        ("//api.example.com/v1", False),
        ("", False),
    ],
)
def test_the_url_rule(text, ok):
    assert (grammar.http_url_problem(text) is None) is ok


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({contract.AUTH_HEADER.name: "Author ization"}, "is not an HTTP header name"),
        ({contract.EXTRA_HEADERS.name: '{"X-A": "a\\r\\nb: c"}'}, "would end the header"),
        ({contract.EXTRA_HEADERS.name: '{"X A": "b"}'}, "is not an HTTP header name"),
        ({contract.ENDPOINT_URL.name: "https://user:pw@api.example.com/v1"}, "carries credentials"),
        ({contract.ENDPOINT_URL.name: "https://api.example.com:70000/v1"}, "port"),
    ],
    ids=["auth-header", "header-value", "header-name", "url-userinfo", "url-port"],
)
def test_the_runtime_reference_applies_the_same_rules_to_a_bound_task(project, cli, inputs, message):
    from lxml import etree

    from catalyst_gen.runtime import RuntimeContractError, read_task_config

    assert cli(project, "build", "together-ai").exit_code == 0
    root = etree.fromstring((project / "dist" / "together-ai" / "together-ai-example.bpmn").read_bytes())
    task = root.find(".//{http://www.omg.org/spec/BPMN/20100524/MODEL}serviceTask")
    io = task.find(".//{http://camunda.org/schema/1.0/bpmn}inputOutput")
    for name, value in inputs.items():
        param = next((p for p in io if p.get("name") == name), None)
        if param is None:
            param = etree.SubElement(io, "{http://camunda.org/schema/1.0/bpmn}inputParameter", name=name)
        param.text = value
    with pytest.raises(RuntimeContractError, match=message):
        read_task_config(task)


def test_a_connector_may_not_be_called_release(project, cli):
    """dist/release/ holds the release packages: a connector of that name is refused, located at its id."""
    from helpers import write_spec

    write_spec(project, SAMPLE.replace("id: sample", "id: release", 1), "release")
    result = cli(project, "build")
    assert result.exit_code == 1 and "'release' is reserved and cannot be a connector id" in result.output
    assert "9 connectors:" in result.output and "1 failed" in result.output  # the others are still built
    assert not (project / "dist" / "release").exists()
