"""The preview's web server: Starlette routes, a file watcher, server-sent events, uvicorn.

One :class:`LivePreview` holds the current :class:`Snapshot`.  A background
task watches the library with ``watchfiles``; after each batch of changes it
takes a new snapshot (in a worker thread: building is blocking work) and, when
the version changed, tells every open ``/events`` stream, whose page then
reloads itself.  The server binds 127.0.0.1 only and answers only to the
loopback host names (so a web page elsewhere cannot reach it by DNS rebinding).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path

import anyio.to_thread
import uvicorn
import watchfiles
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import STATIC_DIR
from .page import CONTENT_SECURITY_POLICY, SVG_POLICY, page_html
from .snapshot import Snapshot

HOST = "127.0.0.1"
HEARTBEAT_SECONDS = 10.0
"""A comment on every idle event stream this often, so a closed tab is noticed."""

MEDIA_TYPES = {
    ".json": "application/json",
    ".bpmn": "application/xml",
    ".svg": "image/svg+xml",
    ".md": "text/markdown; charset=utf-8",
}
"""The artifacts are served under their ``dist/<id>/`` names, so the README's relative links work."""


class LivePreview:
    """The current snapshot of one connector and the browsers waiting to hear of the next."""

    def __init__(self, take: Callable[[], Snapshot], watch_paths: Sequence[Path]):
        self.take = take
        self.watch_paths = [p for p in watch_paths if p.exists()]
        self.snapshot: Snapshot | None = None
        self.listeners: set[asyncio.Queue[str | None]] = set()
        self.closing = False

    async def refresh(self) -> None:
        """Take a new snapshot; announce its version when it differs from the one shown."""
        snapshot = await anyio.to_thread.run_sync(self.take)
        if self.snapshot is not None and snapshot.version == self.snapshot.version:
            return
        self.snapshot = snapshot
        for queue in self.listeners:
            queue.put_nowait(snapshot.version)

    async def watch(self, stop: anyio.Event) -> None:
        """Refresh after every batch of file changes until ``stop`` is set."""
        async for _changes in watchfiles.awatch(*self.watch_paths, stop_event=stop, debounce=150, step=50):
            await self.refresh()

    def close_streams(self) -> None:
        """End every event stream (the server is shutting down: it would otherwise wait for them)."""
        self.closing = True
        for queue in self.listeners:
            queue.put_nowait(None)

    def current(self) -> Snapshot:
        assert self.snapshot is not None, "the lifespan takes the first snapshot before serving"
        return self.snapshot

    async def page(self, request: Request) -> Response:
        return HTMLResponse(page_html(self.current()))

    async def artifact(self, request: Request) -> Response:
        """One artifact of the connector by its file name (503 while the spec is broken)."""
        name = request.path_params["name"]
        preview = self.current().preview
        if preview is None:
            return PlainTextResponse("the connector does not build; see the page for its problems", status_code=503)
        if name not in preview.files:
            return PlainTextResponse(f"{name}: no such artifact", status_code=404)
        media_type = MEDIA_TYPES.get(Path(name).suffix, "application/octet-stream")
        headers = {"Content-Security-Policy": SVG_POLICY} if media_type == "image/svg+xml" else None
        return Response(preview.files[name], media_type=media_type, headers=headers)

    async def events(self, request: Request) -> Response:
        """Server-sent events: the current version at once, then every new one."""
        queue: asyncio.Queue[str | None] = asyncio.Queue()
        self.listeners.add(queue)

        async def stream() -> AsyncIterator[str]:
            try:
                yield f"retry: 500\nevent: version\ndata: {self.current().version}\n\n"
                while not self.closing:
                    try:
                        version = await asyncio.wait_for(queue.get(), HEARTBEAT_SECONDS)
                    except TimeoutError:
                        yield ": still here\n\n"
                        continue
                    if version is None:
                        return
                    yield f"event: version\ndata: {version}\n\n"
            finally:
                self.listeners.discard(queue)

        return StreamingResponse(stream(), media_type="text/event-stream")


class SecurityHeaders:
    """Adds the Content-Security-Policy and friends to every response (a plain ASGI middleware)."""

    HEADERS = [
        (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"cache-control", b"no-store"),
    ]

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(name, value) for name, value in self.HEADERS if name not in names]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers if scope["type"] == "http" else send)


def create_app(live: LivePreview) -> Starlette:
    """The preview's routes, with the first snapshot taken and the watcher running while it serves."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await live.refresh()
        stop = anyio.Event()
        watcher = asyncio.create_task(live.watch(stop))
        try:
            yield
        finally:
            stop.set()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(watcher, 2)

    routes = [
        Route("/", live.page),
        Route("/events", live.events),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
        Route("/{name}", live.artifact),
    ]
    middleware = [
        Middleware(TrustedHostMiddleware, allowed_hosts=[HOST, "localhost"]),
        Middleware(SecurityHeaders),
    ]
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)


def bind(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1 (``port`` 0: any free port); ``OSError`` when taken."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a port in TIME_WAIT is free; one in use is not
    try:
        sock.bind((HOST, port))
        sock.listen(64)
    except OSError:
        sock.close()
        raise
    return sock


class _Server(uvicorn.Server):
    """uvicorn's server, which ends the preview's event streams first when it shuts down."""

    def __init__(self, config: uvicorn.Config, live: LivePreview):
        super().__init__(config)
        self.live = live

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self.live.close_streams()
        await super().shutdown(sockets)


def serve(live: LivePreview, sock: socket.socket) -> None:
    """Serve ``live`` on ``sock`` until Ctrl-C (uvicorn shuts down, then raises ``KeyboardInterrupt`` here)."""
    config = uvicorn.Config(
        create_app(live), log_level="warning", lifespan="on", timeout_graceful_shutdown=2, access_log=False
    )
    _Server(config, live).run(sockets=[sock])
