"""Unit tests for one bounded HTTP exchange: inflation in small steps, the deadline, the size cap."""

from __future__ import annotations

import gzip
import zlib

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalyst_gen import exchange


@given(st.binary(max_size=5000), st.sampled_from(["gzip", "deflate", "raw"]), st.integers(1, 700))
def test_inflate_undoes_every_coding_whatever_the_chunking(data, coding, chunk):
    if coding == "gzip":
        packed = gzip.compress(data)
    elif coding == "deflate":
        packed = zlib.compress(data)
    else:
        raw = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
        packed = raw.compress(data) + raw.flush()
    chunks = iter([packed[i : i + chunk] for i in range(0, len(packed), chunk)])
    assert b"".join(exchange._inflate(chunks, "gzip" if coding == "gzip" else "deflate")) == data


def test_a_bomb_is_inflated_in_bounded_steps():
    packed = gzip.compress(b"\0" * (50 * 1024 * 1024), 9)
    steps = exchange._inflate(iter([packed]), "gzip")
    sizes = [len(next(steps)) for _ in range(20)]
    assert max(sizes) <= exchange._INFLATE_STEP


def test_a_passed_deadline_refuses_any_more_time():
    deadline = exchange.Deadline(0.0)
    deadline.start()
    with pytest.raises(httpx.ReadTimeout, match="deadline of 0 s passed"):
        deadline.left(5.0, httpx.ReadTimeout)


def test_time_left_is_never_more_than_the_operation_asked_for():
    deadline = exchange.Deadline(60.0)
    deadline.start()
    assert deadline.left(2.0, httpx.ReadTimeout) == 2.0
    assert 59.0 < deadline.left(None, httpx.ReadTimeout) <= 60.0


def test_an_in_memory_response_is_capped_too():
    big = httpx.Response(200, content=b"x" * (exchange.MAX_RESPONSE_BYTES + 1))
    deadline = exchange.Deadline(5.0)
    deadline.start()
    with pytest.raises(exchange.ExchangeFailed, match="larger than 1,048,576 bytes"):
        exchange.read_body(big, deadline)
