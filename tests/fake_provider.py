"""A tiny local stand-in for Together AI's ``POST /v1/chat/completions``.

The runtime tests and the engine tests send real HTTP requests (through
httpx, like the JAR sends them through its client) to this server instead of
the provider, so headers, query strings, bodies and retries are exercised for
real without network access or a key.

* Loopback only: binds ``127.0.0.1`` on an ephemeral port.
* Bounded: request bodies over :data:`MAX_BODY_BYTES` are refused with 413,
  at most :data:`MAX_RECORDED` requests are recorded, a scripted delay is
  capped at :data:`MAX_DELAY_SECONDS` and is cut short when the server stops,
  and each connection times out after :data:`SOCKET_TIMEOUT_SECONDS`.
* Scriptable: :meth:`FakeProvider.enqueue` queues responses that are served in
  order; when the queue is empty, a chat request gets a normal completion
  whose content echoes the last user message (``echo: <message>``).
* Hostile on request: ``trickle`` sends the response (status line, headers
  and body) one byte per ``trickle`` seconds, to test that a timeout is a
  deadline and not a gap between bytes; ``body`` may be any bytes (a gzip
  bomb with ``Content-Encoding: gzip``, raw escape sequences).  A trickle
  also stops after :data:`MAX_DELAY_SECONDS` or when the server stops.

Use as a context manager (``with FakeProvider() as fake: ...``) or through
the ``fake_provider`` pytest fixture below.
"""

from __future__ import annotations

import json
import sys
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

CHAT_PATH = "/v1/chat/completions"
DEFAULT_MODEL = "meta-llama/Llama-3.3-70B-Instruct-Turbo"
MAX_BODY_BYTES = 1024 * 1024
MAX_RECORDED = 1000
MAX_DELAY_SECONDS = 10.0
SOCKET_TIMEOUT_SECONDS = 10.0


def chat_completion(
    content: str = "Hello from the fake provider.",
    *,
    model: str = DEFAULT_MODEL,
    finish_reason: str = "stop",
    prompt_tokens: int = 12,
    completion_tokens: int = 7,
) -> dict[str, Any]:
    """An OpenAI-compatible chat completion body as Together AI returns it."""
    return {
        "id": "fake-chatcmpl-0001",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": finish_reason,
                "logprobs": None,
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def error_body(message: str, *, type_: str = "invalid_request_error", code: str | None = None) -> dict[str, Any]:
    """An OpenAI-style error body (``{"error": {...}}``)."""
    return {"error": {"message": message, "type": type_, "param": None, "code": code}}


@dataclass
class ScriptedResponse:
    """One queued answer. ``body`` is JSON-encoded unless it is ``str``/``bytes``."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    trickle: float = 0.0


@dataclass
class RecordedRequest:
    """What the server saw: method, path (with query), headers (lower-case names), body."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        """The body parsed as JSON, or ``None`` when it is empty or not JSON."""
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None


class _QuietServer(ThreadingHTTPServer):
    """Says nothing when a client hangs up early (timeout and size-limit tests do); other errors still print."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class FakeProvider:
    """A threaded HTTP server on 127.0.0.1 answering like Together AI."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self._queue: deque[ScriptedResponse] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- scripting -------------------------------------------------------

    def enqueue(
        self,
        status: int = 200,
        body: Any = None,
        *,
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
        trickle: float = 0.0,
        times: int = 1,
    ) -> FakeProvider:
        """Queue ``times`` copies of a response; ``body=None`` means a default body for the status."""
        if body is None:
            body = chat_completion() if 200 <= status < 300 else error_body(f"fake error {status}")
        with self._lock:
            for _ in range(times):
                self._queue.append(
                    ScriptedResponse(
                        status, body, dict(headers or {}), min(delay, MAX_DELAY_SECONDS), min(trickle, 1.0)
                    )
                )
        return self

    @property
    def pending(self) -> int:
        """How many scripted responses have not been served yet."""
        with self._lock:
            return len(self._queue)

    @property
    def base_url(self) -> str:
        assert self._server is not None, "the fake provider is not running"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def chat_url(self) -> str:
        return self.base_url + CHAT_PATH

    # -- lifecycle -------------------------------------------------------

    def start(self) -> FakeProvider:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            timeout = SOCKET_TIMEOUT_SECONDS
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length > MAX_BODY_BYTES:
                    self._send(ScriptedResponse(413, error_body("request too large")))
                    self.close_connection = True
                    return
                body = self.rfile.read(length) if length else b""
                request = RecordedRequest(
                    self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body
                )
                with provider._lock:
                    if len(provider.requests) < MAX_RECORDED:
                        provider.requests.append(request)
                    scripted = provider._queue.popleft() if provider._queue else None
                if scripted is None:
                    scripted = provider._default_response(request)
                if scripted.delay and provider._stopping.wait(scripted.delay):
                    return
                self._send(scripted)

            def _send(self, scripted: ScriptedResponse) -> None:
                body = scripted.body
                content_type = "application/json"
                if isinstance(body, str):
                    body = body.encode("utf-8")
                    content_type = "text/plain; charset=utf-8"
                elif not isinstance(body, bytes):
                    body = json.dumps(body).encode("utf-8")
                headers = {"Content-Type": content_type, **scripted.headers, "Content-Length": str(len(body))}
                if scripted.trickle:
                    self._trickle(scripted.status, headers, body, scripted.trickle)
                    return
                try:
                    self.send_response(scripted.status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:  # the client gave up (e.g. a timeout test)
                    self.close_connection = True

            def _trickle(self, status: int, headers: dict[str, str], body: bytes, interval: float) -> None:
                """The whole response one byte at a time, for at most MAX_DELAY_SECONDS."""
                head = f"HTTP/1.1 {status} Trickle\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
                data = (head + "\r\n").encode("latin-1") + body
                self.close_connection = True
                for index in range(min(len(data), int(MAX_DELAY_SECONDS / interval))):
                    try:
                        self.wfile.write(data[index : index + 1])
                        self.wfile.flush()
                    except OSError:
                        return
                    if provider._stopping.wait(interval):
                        return

            do_POST = do_GET = do_PUT = do_PATCH = do_DELETE = _handle

        self._server = _QuietServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, name="fake-provider", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> FakeProvider:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # -- default behaviour -------------------------------------------------

    @staticmethod
    def _default_response(request: RecordedRequest) -> ScriptedResponse:
        if request.method != "POST" or request.path.split("?")[0] != CHAT_PATH:
            return ScriptedResponse(404, error_body(f"no route {request.method} {request.path}"))
        payload = request.json
        if not isinstance(payload, dict) or not isinstance(payload.get("messages"), list):
            return ScriptedResponse(400, error_body("'messages' is required"))
        user_messages = [
            m.get("content") for m in payload["messages"] if isinstance(m, dict) and m.get("role") == "user"
        ]
        content = f"echo: {user_messages[-1]}" if user_messages else "echo: (no user message)"
        return ScriptedResponse(200, chat_completion(content, model=payload.get("model") or DEFAULT_MODEL))


@pytest.fixture
def fake_provider():
    """A running :class:`FakeProvider`, stopped after the test."""
    with FakeProvider() as provider:
        yield provider
