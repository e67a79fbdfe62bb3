"""The Slack bot's HTTP endpoint: ``POST /slack/events`` served by aiohttp to a bolt app.

Slack's requests reach a bolt :class:`~slack_bolt.App` through an aiohttp server (a
maintained HTTP implementation, not :mod:`http.server`), in this order and before any
work is done on them:

1. the request line and headers must arrive within ``header_timeout`` seconds of the
   connection (a connection that sends nothing, or headers byte by byte, is closed);
   malformed requests, ``Content-Length: -1`` or ``abc`` included, get 400 from aiohttp's
   parser;
2. a body without ``Content-Length`` or chunked encoding gets 411; one declared larger
   than ``max_body`` (1 MB) gets 413 at once, and the bytes actually read are counted
   too (chunked bodies, lying lengths): past ``max_body``, 413; a body slower than
   ``body_timeout`` seconds, 408;
3. Slack's signature (``X-Slack-Signature`` over the timestamp and the body, with the
   signing secret, at most five minutes old) is checked: 401 when it does not match;
4. only then is the request dispatched to bolt (in a worker thread: bolt's sync app),
   and bolt's answer turned into aiohttp's with Bolt's aiohttp adapter.

Every connection serves one request and is closed. Nothing about requests (headers,
tokens, bodies) is logged. ``GET /healthz`` answers ``ok``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from slack_bolt import App, BoltRequest
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_sdk.signature import SignatureVerifier

from summarizer.errors import ConfigurationError

__all__ = ["EVENTS_PATH", "MAX_BODY", "BotHTTPServer"]

EVENTS_PATH = "/slack/events"
MAX_BODY = 1_000_000
_READ_CHUNK = 64 * 1024
_log = logging.getLogger(__name__)


class _ClientErrors(logging.Filter):
    """A malformed request is the client's fault: one debug line, never a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, HttpProcessingError):
            _log.debug("refused a malformed request: %s", type(error).__name__)
            return False
        return True


_server_log = logging.getLogger(f"{__name__}.server")
_server_log.addFilter(_ClientErrors())


def _answer(status: int, text: str) -> web.Response:
    response = web.Response(status=status, text=text, content_type="text/plain")
    response.force_close()
    return response


class BotHTTPServer:
    """An aiohttp server handing signed ``POST /slack/events`` requests to a bolt app.

    Args:
        app: the bolt app (its listeners run in its own executor).
        host, port: where to listen (port 0: any free port, see :attr:`port`).
        signing_secret: Slack's signing secret, to verify requests before any work.
        max_body: the largest request body read, in bytes.
        header_timeout: seconds a connection has to send its request line and headers.
        body_timeout: seconds to receive the body once the headers are in.

    Raises:
        ConfigurationError: the address cannot be listened on (in use, not local...).
    """

    def __init__(
        self,
        app: App,
        host: str = "127.0.0.1",
        port: int = 3000,
        *,
        signing_secret: str,
        max_body: int = MAX_BODY,
        header_timeout: float = 10.0,
        body_timeout: float = 10.0,
    ) -> None:
        self._app = app
        self._verifier = SignatureVerifier(signing_secret)
        self._max_body = max_body
        self._header_timeout = header_timeout
        self._body_timeout = body_timeout
        try:
            self._socket = socket.create_server((host, port))
        except OSError as error:
            raise ConfigurationError(
                f"cannot listen on {host}:{port}: {error.strerror or error}; choose --host/--port"
            ) from None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._started: set[int] = set()  # connections whose request headers have arrived
        self._stop: asyncio.Event | None = None
        self._failure: Exception | None = None

    @property
    def port(self) -> int:
        """The port served on (useful with port 0)."""
        return int(self._socket.getsockname()[1])

    @property
    def url(self) -> str:
        """The events URL to give Slack (behind your HTTPS proxy or tunnel)."""
        host = str(self._socket.getsockname()[0])
        return f"http://{host}:{self.port}{EVENTS_PATH}"

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> BotHTTPServer:
        """Serve in a background thread (returns once the server accepts connections)."""
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()
        self._ready.wait(timeout=10)
        if self._failure is not None:
            raise self._failure
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until :meth:`close` (from another thread) or Ctrl-C."""
        try:
            asyncio.run(self._serve())
        except BaseException as error:
            self._failure = error if isinstance(error, Exception) else None
            raise
        finally:
            self._ready.set()

    async def _serve(self) -> None:
        loop = self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        runner = web.ServerRunner(
            web.Server(
                self._handle,
                access_log=None,
                logger=_server_log,
                keepalive_timeout=self._header_timeout,
                max_line_size=8190,
                max_field_size=8190,
                lingering_time=2.0,  # drain what a refused client still sends, briefly
            ),
            handle_signals=False,
        )
        await runner.setup()
        try:
            server = await loop.create_server(lambda: self._connection(runner), sock=self._socket)
            try:
                self._ready.set()
                await self._stop.wait()
            finally:
                server.close()
        finally:
            await runner.cleanup()

    def close(self) -> None:
        """Stop serving and release the port."""
        if self._thread is not None and self._loop is not None and self._stop is not None:
            with contextlib.suppress(RuntimeError):  # the loop has ended already
                self._loop.call_soon_threadsafe(self._stop.set)
            self._thread.join(timeout=10)
            self._thread = None
        self._socket.close()

    def __enter__(self) -> BotHTTPServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- connections and requests ------------------------------------------------------------

    def _connection(self, runner: web.ServerRunner) -> asyncio.BaseProtocol:
        """aiohttp's protocol for a new connection, closed if its headers are too slow."""
        assert runner.server is not None and self._loop is not None
        protocol = runner.server()
        key = id(protocol)

        def too_slow() -> None:
            if key in self._started:
                self._started.discard(key)
            elif protocol.transport is not None:
                protocol.transport.close()

        self._loop.call_later(self._header_timeout, too_slow)
        return protocol

    async def _handle(self, request: web.BaseRequest) -> web.StreamResponse:
        self._started.add(id(request.protocol))
        if request.path == "/healthz" and request.method == "GET":
            return _answer(200, "ok")
        if request.path != EVENTS_PATH:
            return _answer(404, "not found")
        if request.method != "POST":
            return _answer(405, "method not allowed")
        body = await self._body(request)
        if isinstance(body, web.Response):
            return body
        if not self._signed(request, body):
            return _answer(401, "invalid request signature")
        headers: dict[str, list[str]] = {}
        for name, value in request.headers.items():
            headers.setdefault(name.lower(), []).append(value)
        bolt_request = BoltRequest(
            body=body.decode("utf-8", errors="replace"),
            query=request.query_string,
            headers=headers,  # type: ignore[arg-type]  # bolt takes Dict[str, Sequence[str]]
        )
        loop = asyncio.get_running_loop()
        bolt_response = await loop.run_in_executor(None, self._app.dispatch, bolt_request)
        response = await to_aiohttp_response(bolt_response)
        response.force_close()
        return response

    async def _body(self, request: web.BaseRequest) -> bytes | web.Response:
        """The body, read up to the cap and within the timeout, or the 4xx answer."""
        declared = request.headers.get("Content-Length")
        chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
        if declared is None and not chunked:
            return _answer(411, "Content-Length required")
        if declared is not None and (not declared.isdigit() or len(declared) > 18):
            return _answer(400, "bad Content-Length")
        if declared is not None and int(declared) > self._max_body:
            return _answer(413, "request too large")
        data = bytearray()
        try:
            async with asyncio.timeout(self._body_timeout):
                while chunk := await request.content.read(_READ_CHUNK):
                    data += chunk
                    if len(data) > self._max_body:
                        return _answer(413, "request too large")
        except TimeoutError:
            return _answer(408, "request body too slow")
        except Exception as error:  # a broken chunked body, a reset: the client's fault
            _log.debug("unreadable request body: %s", type(error).__name__)
            return _answer(400, "unreadable request body")
        return bytes(data)

    def _signed(self, request: web.BaseRequest, body: bytes) -> bool:
        """True when Slack's signature of ``body`` is valid and recent."""
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signature = request.headers.get("X-Slack-Signature", "")
        if not timestamp.isdigit() or len(timestamp) > 12 or not signature:
            return False
        return bool(self._verifier.is_valid(body=body, timestamp=timestamp, signature=signature))

    def __repr__(self) -> str:
        return f"BotHTTPServer({self.url})"
