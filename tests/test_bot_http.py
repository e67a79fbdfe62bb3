"""The bot's HTTP endpoint (summarizer/slack/http_server.py) over a real local socket.

Requests are written by hand on a socket, so that they can be malformed: negative or
garbage Content-Length, no length, chunked, oversized, slow. A bolt app talking to the
FAKE Slack Web API counts what reaches it.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest
from slack_bolt import App, BoltRequest, BoltResponse

from summarizer.slack.http_server import EVENTS_PATH, MAX_BODY, BotHTTPServer
from summarizer.slack.poster import make_client

from .fakes.fake_slack import FakeSlack

SECRET = "fake-signing-secret-0123456789abcdef"


class CountingApp(App):
    """A bolt app that counts the requests handed to it (any work at all)."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.dispatched = 0

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        self.dispatched += 1
        return super().dispatch(req)


@dataclass
class Endpoint:
    server: BotHTTPServer
    app: CountingApp
    commands: list[str] = field(default_factory=list)

    def raw(self, data: bytes, *, wait: float = 5.0) -> bytes:
        """Send ``data`` and return everything the server answers before closing."""
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=wait) as sock:
            with contextlib.suppress(OSError):  # the server may answer and close early
                sock.sendall(data)
            return _read_all(sock)


def _read_all(sock: socket.socket) -> bytes:
    answer = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return answer
        if not chunk:
            return answer
        answer += chunk


def _status(answer: bytes) -> int:
    assert answer.startswith((b"HTTP/1.1 ", b"HTTP/1.0 ")), answer[:200]
    return int(answer.split(b" ", 2)[1])


def _signed_headers(body: bytes, *, secret: str = SECRET) -> str:
    ts = str(int(time.time()))
    signature = hmac.new(secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256)
    return f"X-Slack-Request-Timestamp: {ts}\r\nX-Slack-Signature: v0={signature.hexdigest()}\r\n"


def _command_body() -> bytes:
    return urlencode(
        {
            "command": "/ping",
            "text": "hello",
            "team_id": "T0FAKE001",
            "channel_id": "C0FAKE001",
            "user_id": "U0FAKE001",
            "response_url": "http://127.0.0.1:9/unused",
            "trigger_id": "1.2.3",
        }
    ).encode()


def _post(body: bytes, headers: str) -> bytes:
    return (
        f"POST {EVENTS_PATH} HTTP/1.1\r\nHost: bot\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"{headers}\r\n"
    ).encode() + body


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        yield server


@pytest.fixture
def endpoint(fake: FakeSlack) -> Iterator[Endpoint]:
    app = CountingApp(
        client=make_client(fake.token, base_url=fake.base_url),
        signing_secret=SECRET,
        process_before_response=True,
    )
    server = BotHTTPServer(
        app, "127.0.0.1", 0, signing_secret=SECRET, header_timeout=0.5, body_timeout=0.5
    )
    result = Endpoint(server, app)

    @app.command("/ping")
    def ping(ack: Any, command: dict[str, Any]) -> None:
        result.commands.append(command["text"])
        ack(text="pong")

    server.start()
    yield result
    server.close()


def test_a_valid_signed_request_reaches_the_handler(endpoint: Endpoint) -> None:
    body = _command_body()
    answer = endpoint.raw(_post(body, f"Content-Length: {len(body)}\r\n" + _signed_headers(body)))
    assert _status(answer) == 200
    assert b"pong" in answer
    assert endpoint.commands == ["hello"]


@pytest.mark.parametrize("length", ["-1", "abc", "1e3", "+5", " 99999999999999999999999"])
def test_negative_or_garbage_content_length_is_400(
    endpoint: Endpoint, length: str, caplog: pytest.LogCaptureFixture
) -> None:
    body = _command_body()
    with caplog.at_level(logging.DEBUG):
        answer = endpoint.raw(_post(body, f"Content-Length: {length}\r\n" + _signed_headers(body)))
    assert _status(answer) == 400
    assert endpoint.app.dispatched == 0 and endpoint.commands == []
    assert [r for r in caplog.records if r.exc_info or r.levelno >= logging.WARNING] == []


def test_a_body_over_1_mb_is_413(endpoint: Endpoint) -> None:
    body = b"x" * (MAX_BODY + 1)
    answer = endpoint.raw(_post(body, f"Content-Length: {len(body)}\r\n" + _signed_headers(body)))
    assert _status(answer) == 413
    assert endpoint.app.dispatched == 0


def test_a_chunked_body_over_1_mb_is_413_on_the_bytes_read(endpoint: Endpoint) -> None:
    chunk = b"y" * 100_000
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(12)) + b"0\r\n\r\n"
    answer = endpoint.raw(_post(chunks, "Transfer-Encoding: chunked\r\n"))
    assert _status(answer) == 413
    assert endpoint.app.dispatched == 0


def test_a_post_without_a_length_is_4xx(endpoint: Endpoint) -> None:
    body = _command_body()
    assert _status(endpoint.raw(_post(b"", _signed_headers(b"")))) == 411
    # the body's bytes then read as a second, malformed request: aiohttp's 400
    assert _status(endpoint.raw(_post(body, _signed_headers(body)))) in {400, 411}
    assert endpoint.app.dispatched == 0


def test_a_bad_signature_is_401_before_any_work(endpoint: Endpoint) -> None:
    body = _command_body()
    for headers in (
        _signed_headers(body, secret="wrong-secret"),
        "X-Slack-Request-Timestamp: abc\r\nX-Slack-Signature: v0=00\r\n",
        "",
    ):
        answer = endpoint.raw(_post(body, f"Content-Length: {len(body)}\r\n{headers}"))
        assert _status(answer) == 401
    assert endpoint.app.dispatched == 0 and endpoint.commands == []


def test_other_paths_and_health(endpoint: Endpoint) -> None:
    assert _status(endpoint.raw(b"GET /healthz HTTP/1.1\r\nHost: bot\r\n\r\n")) == 200
    assert _status(endpoint.raw(b"GET /elsewhere HTTP/1.1\r\nHost: bot\r\n\r\n")) == 404
    assert _status(endpoint.raw(f"GET {EVENTS_PATH} HTTP/1.1\r\nHost: b\r\n\r\n".encode())) == 405
    assert endpoint.app.dispatched == 0


def test_slow_headers_are_cut_off(endpoint: Endpoint) -> None:
    """A client that sends half a request line and waits: the server closes on it."""
    with socket.create_connection(("127.0.0.1", endpoint.server.port), timeout=10) as sock:
        sock.sendall(b"POST /slack/ev")
        closed = threading.Event()

        def wait_for_close() -> None:
            _read_all(sock)
            closed.set()

        threading.Thread(target=wait_for_close, daemon=True).start()
        assert closed.wait(8), "the server kept a connection without headers open"
    assert endpoint.app.dispatched == 0


def test_a_slow_body_is_408(endpoint: Endpoint) -> None:
    with socket.create_connection(("127.0.0.1", endpoint.server.port), timeout=10) as sock:
        sock.sendall(_post(b"command=%2Fping", "Content-Length: 500\r\n"))
        assert _status(sock.recv(65536)) == 408
    assert endpoint.app.dispatched == 0
