"""Issue #10, class 5 (in part): bounded work for any input; huge numbers are refused, not crashed on.

Python refuses to convert integers of more than 4,300 digits and JSON nested
thousands deep exhausts its recursion: both used to end as internal errors.
"""

from __future__ import annotations

import pytest
from helpers import SAMPLE, build_refused, write_spec


def json_payload(body: str) -> str:
    return SAMPLE.replace(
        "request:\n  payload:\n    model: meta-llama/Llama-3.3-70B-Instruct-Turbo\n    max_tokens: 1024\n    messages:\n"
        '      - {role: system, content: You are a helpful assistant.}\n      - {role: user, content: "${userMessage}"}',
        "request:\n  payload: |\n    " + body,
        1,
    )


CASES = {
    "huge-int-setting": (
        SAMPLE.replace("  max_retries: 3", "  max_retries: " + "9" * 5000, 1),
        "the number has 5,000 digits; the limit is 18",
    ),
    "huge-int-payload": (
        SAMPLE.replace("    max_tokens: 1024", "    max_tokens: " + "9" * 5000, 1),
        "the number has 5,000 digits",
    ),
    "long-int-19-digits": (
        SAMPLE.replace("  max_retries: 3", "  max_retries: 9223372036854775808", 1),
        "the limit is 18",
    ),
    "huge-float": (SAMPLE.replace("  max_retries: 3", "  max_retries: 1e400", 1), "is not a number JSON can carry"),
    "huge-path-index": (
        SAMPLE.replace("path: choices[0].message.content", "path: choices[99999999999999999999999].message.content", 1),
        "is larger than any array",
    ),
    "json-payload-deep": (json_payload("[" * 5000 + "]" * 5000), "nesting deeper than 32 levels"),
    "json-payload-huge-int": (
        json_payload(
            '{"model": "meta-llama/Llama-3.3-70B-Instruct-Turbo", "n": ' + "9" * 5000 + ', "m": "${userMessage}"}'
        ),
        "larger than a 64-bit integer",
    ),
    "json-payload-nan": (
        json_payload('{"model": "meta-llama/Llama-3.3-70B-Instruct-Turbo", "t": NaN, "m": "${userMessage}"}'),
        "JSON has no NaN or Infinity",
    ),
    "json-payload-infinity": (
        json_payload('{"model": "meta-llama/Llama-3.3-70B-Instruct-Turbo", "t": -Infinity, "m": "${userMessage}"}'),
        "JSON has no NaN or Infinity",
    ),
}


@pytest.mark.parametrize(("text", "message"), CASES.values(), ids=CASES.keys())
def test_huge_and_deep_values_are_refused_with_a_message(project, cli, text, message):
    build_refused(project, cli, text, message)


def test_brackets_inside_json_strings_do_not_count_as_nesting(project, cli):
    body = '{"model": "meta-llama/Llama-3.3-70B-Instruct-Turbo", "s": "' + "[{" * 40 + '\\" }", "m": "${userMessage}"}'
    write_spec(project, json_payload(body))
    result = cli(project, "build", "sample")
    assert result.exit_code == 0, result.output


def test_one_bomb_does_not_stop_the_others(project, cli):
    write_spec(project, CASES["json-payload-deep"][0], "sample")
    result = cli(project, "build", "--force")
    assert result.exit_code == 1 and "9 connectors:" in result.output and "1 failed" in result.output
    assert (project / "dist" / "together-ai" / "README.md").is_file() and not (project / "dist" / "sample").exists()
