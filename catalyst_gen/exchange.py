"""One HTTP exchange with a server that may be hostile: a deadline, a size cap, bounded inflation.

The runtime reference (:mod:`catalyst_gen.runtime`, used by ``catalyst-gen
try``) talks to whatever URL a spec or ``--base-url`` names.  Whatever that
server does, one attempt ends within ``timeoutSeconds`` and reads at most
:data:`MAX_RESPONSE_BYTES`:

* ``timeoutSeconds`` is a deadline for the whole attempt (connect, TLS, send,
  the headers and every byte of the body), not the gap between two bytes that
  httpx's own timeouts measure: a server trickling a byte every 0.2 s is cut
  off on time.  :class:`DeadlineTransport` gives every socket operation only
  the time that is left.
* The body is streamed and counted on the wire; a gzip or deflate body is
  inflated in small steps and counted again, so a "zip bomb" stops one step
  past the limit instead of filling memory.  Other encodings are refused.

Kept apart from the runtime because this is transport plumbing (httpcore's
network-backend extension point), while the runtime says what the JAR does.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

MAX_RESPONSE_BYTES = 1024 * 1024
"""Most bytes of one response body read, on the wire and again once decompressed.

A chat completion is a few KiB; a larger body fails the call instead of filling memory."""

ACCEPT_ENCODING = "gzip, deflate"
"""What the runtime asks servers for; any other ``Content-Encoding`` (``br``, ``zstd``) fails the call."""

_INFLATE_STEP = 64 * 1024
"""Most bytes one decompression step may produce, so a bomb is stopped one step past the limit."""


class ExchangeFailed(Exception):
    """The response could not be read within the limits (size, encoding); the message says why."""


@dataclass
class Deadline:
    """The moment the current attempt must be over; :meth:`start` begins each attempt."""

    seconds: float
    at: float = 0.0

    def start(self) -> None:
        self.at = time.monotonic() + self.seconds

    def left(self, timeout: float | None, timeout_error: type[Exception]) -> float:
        """The time an operation may take: its own timeout, but never past the deadline."""
        remaining = self.at - time.monotonic()
        if remaining <= 0:
            raise timeout_error(f"the deadline of {self.seconds:g} s passed")
        return remaining if timeout is None else min(timeout, remaining)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket whose every read and write ends by the attempt's deadline."""

    def __init__(self, inner: httpcore.NetworkStream, deadline: Deadline) -> None:
        self._inner, self._deadline = inner, deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._deadline.left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._deadline.left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None) -> Any:
        left = self._deadline.left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, left), self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's own blocking sockets, each one bounded by a :class:`Deadline`."""

    def __init__(self, deadline: Deadline) -> None:
        self._inner, self._deadline = httpcore.SyncBackend(), deadline

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        left = self._deadline.left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.connect_tcp(host, port, left, local_address, socket_options), self._deadline)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        left = self._deadline.left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.connect_unix_socket(path, left, socket_options), self._deadline)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class DeadlineTransport(httpx.HTTPTransport):
    """httpx's HTTP transport on sockets bounded by ``deadline`` (the runtime's default transport)."""

    def __init__(self, deadline: Deadline) -> None:
        super().__init__()
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(), retries=0, network_backend=_DeadlineBackend(deadline)
        )


def _is_zlib_header(first: bytes) -> bool:
    """RFC 1950: compression method 8 and a header checksum that is a multiple of 31."""
    return len(first) >= 2 and first[0] & 0x0F == 8 and (first[0] << 8 | first[1]) % 31 == 0


def _inflate(chunks: Iterator[bytes], encoding: str) -> Iterator[bytes]:
    """Decompress a gzip or deflate stream in steps of at most :data:`_INFLATE_STEP` bytes.

    "deflate" is zlib-wrapped by the standard but sent raw by some servers:
    the first two bytes say which (read before choosing, whatever the chunking).
    """
    gzip = encoding in ("gzip", "x-gzip")
    decoder = zlib.decompressobj(16 + zlib.MAX_WBITS) if gzip else None
    first = b""
    for data in chunks:
        if decoder is None:
            first += data
            if len(first) < 2:
                continue
            decoder = zlib.decompressobj(zlib.MAX_WBITS if _is_zlib_header(first) else -zlib.MAX_WBITS)
            data = first
        yield from _inflate_chunk(decoder, data, encoding)
    if decoder is None:  # fewer than two bytes in all
        decoder = zlib.decompressobj(-zlib.MAX_WBITS)
        yield from _inflate_chunk(decoder, first, encoding)
    while out := _decompress(decoder, decoder.unconsumed_tail, encoding):
        yield out


def _inflate_chunk(decoder: Any, data: bytes, encoding: str) -> Iterator[bytes]:
    while data and not decoder.eof:
        out = _decompress(decoder, data, encoding)
        data = decoder.unconsumed_tail
        if out:
            yield out


def _decompress(decoder: Any, data: bytes, encoding: str) -> bytes:
    try:
        return decoder.decompress(data, _INFLATE_STEP)
    except zlib.error as exc:
        raise ExchangeFailed(f"the response body is not valid {encoding} ({exc})") from None


def _encodings(response: httpx.Response) -> list[str]:
    """The response's content codings, each one the runtime can undo (else :class:`ExchangeFailed`)."""
    encodings = [e.strip().lower() for e in response.headers.get("Content-Encoding", "").split(",")]
    encodings = [e for e in encodings if e and e != "identity"]
    for encoding in encodings:
        if encoding not in ("gzip", "x-gzip", "deflate"):
            raise ExchangeFailed(
                f"the response uses Content-Encoding {encoding[:20]!r}, which the runtime does not decode "
                f"(it asks for {ACCEPT_ENCODING})"
            )
    return encodings


def read_body(response: httpx.Response, deadline: Deadline) -> bytes:
    """The response body, decompressed, within :data:`MAX_RESPONSE_BYTES` and the deadline."""
    too_large = f"the response is larger than {MAX_RESPONSE_BYTES:,} bytes; reading stopped"
    if response.is_stream_consumed:  # built in memory (an httpx.MockTransport's): already decoded by httpx
        if len(response.content) > MAX_RESPONSE_BYTES:
            raise ExchangeFailed(too_large)
        return response.content
    encodings = _encodings(response)

    def wire() -> Iterator[bytes]:
        received = 0
        for chunk in response.iter_raw():
            received += len(chunk)
            if received > MAX_RESPONSE_BYTES:
                raise ExchangeFailed(too_large)
            deadline.left(None, httpx.ReadTimeout)  # an injected client has no deadline sockets
            yield chunk

    chunks = wire()
    for encoding in reversed(encodings):
        chunks = _inflate(chunks, encoding)
    body = bytearray()
    for piece in chunks:
        body += piece
        if len(body) > MAX_RESPONSE_BYTES:
            raise ExchangeFailed(
                f"the response inflates to more than {MAX_RESPONSE_BYTES:,} bytes "
                f"(Content-Encoding {', '.join(encodings)}); reading stopped"
            )
    return bytes(body)


@dataclass(frozen=True)
class Answer:
    """A response's status and headers, and its body when it was read (``None`` for a retried status)."""

    status: int
    headers: httpx.Headers
    body: bytes | None
    charset: str | None

    @property
    def text(self) -> str:
        try:
            return (self.body or b"").decode(self.charset or "utf-8", errors="replace")
        except LookupError:  # a charset Python does not know
            return (self.body or b"").decode("utf-8", errors="replace")


def exchange(http: httpx.Client, deadline: Deadline, retry: frozenset[int], **request: Any) -> Answer:
    """Send one request within ``deadline``; the body of a status in ``retry`` is not read at all."""
    deadline.start()
    request["headers"] = {"Accept-Encoding": ACCEPT_ENCODING, **request.get("headers", {})}
    with http.stream(**request) as response:
        status = response.status_code
        body = None if status in retry else read_body(response, deadline)
        return Answer(status, response.headers, body, response.charset_encoding)
