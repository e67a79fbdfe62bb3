"""A FAKE Slack Web API server for tests. It is not Slack and talks to no Slack workspace.

:class:`FakeSlack` runs a real :class:`http.server.ThreadingHTTPServer` on 127.0.0.1
(a free port) in a thread. Point a ``slack_sdk.WebClient`` at it with
``base_url=fake.base_url``. It implements the few Web API methods summarizer uses,
checking them the way Slack does:

* ``auth.test``;
* ``chat.postMessage``, ``chat.update``, ``chat.postEphemeral``: a bot token is
  required (``not_authed`` / ``invalid_auth``), the channel must exist
  (``channel_not_found``; ``chat.update`` wants the channel id), over-limit payloads are
  refused: ``msg_too_long`` (text over 40,000 characters, or blocks over
  ``max_blocks_json`` characters of JSON), ``invalid_blocks`` (more than 50 blocks, a
  section text over 3,000 characters, a header over 150, a context with more than 10
  elements, an unknown block type);
* ``conversations.history`` and ``conversations.replies`` (channel id only, as Slack):
  newest first / thread order, with each message's ``metadata`` when asked
  (``include_all_metadata``): what the poster looks a message up by after a crash;
* ``conversations.list``: the channels (id and name, without '#'), one page of
  ``limit`` (default 100) with a ``next_cursor``;
* ``POST /response/<name>``: a ``response_url`` target (what slash commands and
  interactive payloads carry), recording what the app sends back.

Every request is recorded (:attr:`FakeSlack.requests`), posted messages are kept per
channel (:meth:`FakeSlack.messages`), :meth:`FakeSlack.rate_limit_next` makes N Web
API calls (now, or after some more) answer 429 with a ``Retry-After`` header, and
:meth:`FakeSlack.fail_next` makes them fail with a Slack error code.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = ["FakeMessage", "FakeSlack", "RecordedRequest", "payload_error"]

MAX_TEXT = 40_000
MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_BLOCKS_JSON = 13_000
_BLOCK_TYPES = {"section", "header", "context", "divider", "actions", "image", "rich_text"}


@dataclass
class RecordedRequest:
    """One request the fake received, and what it answered."""

    http_method: str
    path: str
    api_method: str | None
    headers: dict[str, str]
    params: dict[str, Any]
    status: int
    response: Any
    at: float


@dataclass
class _Fault:
    count: int
    method: str | None
    after: int
    retry_after: int = 1
    error: str | None = None


@dataclass
class FakeMessage:
    """A message as the fake stores it."""

    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]
    thread_ts: str | None = None
    metadata: dict[str, Any] | None = None
    edits: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)


class FakeSlack:
    """The fake server. Use as a context manager, or call :meth:`start` / :meth:`close`.

    Args:
        token: the only bot token accepted.
        channels: channel names (with '#') and their ids.
        max_blocks_json: JSON characters of ``blocks`` above which ``msg_too_long``.
    """

    def __init__(
        self,
        token: str = "xoxb-fake-bot-token",
        *,
        channels: dict[str, str] | None = None,
        max_blocks_json: int = MAX_BLOCKS_JSON,
    ) -> None:
        self.token = token
        self.channels = dict(channels or {"#syria-watch": "C0SYRIA01", "#general": "C0GENERAL"})
        self.max_blocks_json = max_blocks_json
        self.requests: list[RecordedRequest] = []
        self.responses: list[dict[str, Any]] = []
        self._messages: dict[str, list[FakeMessage]] = {}
        self._ephemeral: list[dict[str, Any]] = []
        self._faults: list[_Fault] = []
        self._lock = threading.Lock()
        self._ts = 1_700_000_000_000100
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> FakeSlack:
        """Start serving on 127.0.0.1 and a free port."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, headers, payload = fake._handle(self.path, dict(self.headers), body)
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                content_type = "text/plain" if isinstance(payload, bytes) else "application/json"
                self.send_header("Content-Type", f"{content_type}; charset=utf-8")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self.do_POST()

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop the server and join its thread."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def port(self) -> int:
        """The port served on."""
        assert self._server is not None, "the fake is not started"
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """The Web API base URL to give ``WebClient(base_url=...)``."""
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str = "r1") -> str:
        """A response_url the app can post back to."""
        return f"http://127.0.0.1:{self.port}/response/{name}"

    # --- test controls and views -----------------------------------------------------------

    def rate_limit_next(
        self, count: int, *, retry_after: int = 1, method: str | None = None, after: int = 0
    ) -> None:
        """Answer ``count`` Web API calls (of ``method``, if given) with 429 and
        ``Retry-After: retry_after``, starting after ``after`` more such calls succeed."""
        with self._lock:
            self._faults.append(_Fault(count, method, after, retry_after=retry_after))

    def fail_next(
        self,
        count: int,
        *,
        error: str = "internal_error",
        method: str | None = None,
        after: int = 0,
    ) -> None:
        """Answer ``count`` Web API calls with ``{"ok": false, "error": error}``, starting
        after ``after`` more calls (of ``method``, if given) succeed."""
        with self._lock:
            self._faults.append(_Fault(count, method, after, error=error))

    def calls(self, api_method: str | None = None) -> list[RecordedRequest]:
        """Recorded Web API calls, of one method if given (429 answers included)."""
        with self._lock:
            return [
                r
                for r in self.requests
                if r.api_method is not None and api_method in (None, r.api_method)
            ]

    def messages(self, channel_id: str) -> list[FakeMessage]:
        """Messages in a channel (thread replies included), in posting order."""
        with self._lock:
            return list(self._messages.get(channel_id, []))

    def ephemeral(self) -> list[dict[str, Any]]:
        """Ephemeral messages posted with chat.postEphemeral."""
        with self._lock:
            return list(self._ephemeral)

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
        """Poll until ``predicate()`` is true (or ``timeout`` seconds pass)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.02)
        return predicate()

    # --- the server side -----------------------------------------------------------------

    def _record(
        self,
        path: str,
        api_method: str | None,
        headers: dict[str, str],
        params: dict[str, Any],
        status: int,
        response: Any,
    ) -> None:
        self.requests.append(
            RecordedRequest(
                "POST", path, api_method, headers, params, status, response, time.monotonic()
            )
        )

    def _handle(
        self, raw_path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], Any]:
        parts = urlsplit(raw_path)
        path = parts.path
        # a GET (conversations.history) carries its arguments in the query string
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        params = {**query, **_parse_body(headers, body)}
        with self._lock:
            if path.startswith("/response/"):
                self.responses.append({"name": path.rsplit("/", 1)[-1], **params})
                self._record(path, None, headers, params, 200, "ok")
                return 200, {}, b"ok"
            if not path.startswith("/api/"):
                self._record(path, None, headers, params, 404, "not found")
                return 404, {}, b"not found"
            api_method = path.removeprefix("/api/")
            fault = self._fault(api_method)
            if fault is not None and fault.error is None:
                answer = {"ok": False, "error": "ratelimited"}
                self._record(path, api_method, headers, params, 429, answer)
                return 429, {"Retry-After": str(fault.retry_after)}, answer
            if fault is not None:
                answer = {"ok": False, "error": fault.error}
                self._record(path, api_method, headers, params, 200, answer)
                return 200, {}, answer
            answer = self._api(api_method, headers, params)
            self._record(path, api_method, headers, params, 200, answer)
            return 200, {}, answer

    def _fault(self, api_method: str) -> _Fault | None:
        """The fault this call meets, if any (faults count calls of their method)."""
        for fault in self._faults:
            if fault.method not in (None, api_method):
                continue
            if fault.after > 0:
                fault.after -= 1
                continue
            fault.count -= 1
            if fault.count <= 0:
                self._faults.remove(fault)
            return fault
        return None

    def _next_ts(self) -> str:
        self._ts += 100
        whole, frac = divmod(self._ts, 1_000_000)
        return f"{whole}.{frac:06d}"

    def _channel_id(self, channel: Any, *, ids_only: bool = False) -> str | None:
        if not isinstance(channel, str) or not channel:
            return None
        if channel in self.channels.values():
            return channel
        if ids_only:
            return None
        name = channel if channel.startswith("#") else f"#{channel}"
        return self.channels.get(name)

    def _auth(self, headers: dict[str, str], params: dict[str, Any]) -> str | None:
        authorization = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        token = authorization.removeprefix("Bearer ").strip() or params.get("token")
        if not token:
            return "not_authed"
        if token != self.token or not str(token).startswith("xoxb-"):
            return "invalid_auth"
        return None

    def _api(self, method: str, headers: dict[str, str], params: dict[str, Any]) -> dict[str, Any]:
        error = self._auth(headers, params)
        if error:
            return {"ok": False, "error": error}
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://fake-workspace.slack.invalid/",
                "team": "Fake Workspace",
                "user": "summarizer",
                "team_id": "T0FAKE001",
                "user_id": "U0BOT0001",
                "bot_id": "B0BOT0001",
                "is_enterprise_install": False,
            }
        if method == "chat.postMessage":
            return self._post_message(params)
        if method == "chat.update":
            return self._update(params)
        if method == "chat.postEphemeral":
            return self._post_ephemeral(params)
        if method in ("conversations.history", "conversations.replies"):
            return self._history(params, replies=method == "conversations.replies")
        if method == "conversations.list":
            return self._list(params)
        return {"ok": False, "error": "unknown_method"}

    def _list(self, params: dict[str, Any]) -> dict[str, Any]:
        channels = [
            {"id": cid, "name": name.lstrip("#")} for name, cid in sorted(self.channels.items())
        ]
        start = int(params.get("cursor") or 0)
        limit = int(params.get("limit") or 100)
        page = channels[start : start + limit]
        following = start + limit if start + limit < len(channels) else ""
        return {
            "ok": True,
            "channels": page,
            "response_metadata": {"next_cursor": str(following)},
        }

    def _history(self, params: dict[str, Any], *, replies: bool) -> dict[str, Any]:
        channel = self._channel_id(params.get("channel"), ids_only=True)
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        stored = self._messages.get(channel, [])
        if replies:
            ts = params.get("ts")
            chosen = [m for m in stored if ts in (m.ts, m.thread_ts)]
            if not any(m.ts == ts for m in chosen):
                return {"ok": False, "error": "thread_not_found"}
        else:
            chosen = [m for m in reversed(stored) if m.thread_ts is None]
        limit = int(params.get("limit") or 100)
        with_metadata = str(params.get("include_all_metadata")).lower() in ("true", "1")
        found = []
        for message in chosen[:limit]:
            item: dict[str, Any] = {"type": "message", "ts": message.ts, "text": message.text}
            if message.thread_ts:
                item["thread_ts"] = message.thread_ts
            if with_metadata and message.metadata:
                item["metadata"] = message.metadata
            found.append(item)
        return {"ok": True, "messages": found, "has_more": len(chosen) > limit}

    def _content_error(self, params: dict[str, Any]) -> str | None:
        return payload_error(params, max_blocks_json=self.max_blocks_json)

    def _post_message(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_id(params.get("channel"))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        error = self._content_error(params)
        if error:
            return {"ok": False, "error": error}
        thread_ts = params.get("thread_ts")
        stored = self._messages.setdefault(channel, [])
        if thread_ts and not any(m.ts == thread_ts and m.thread_ts is None for m in stored):
            return {"ok": False, "error": "thread_not_found"}
        message = FakeMessage(
            channel=channel,
            ts=self._next_ts(),
            text=params.get("text") or "",
            blocks=list(params.get("blocks") or []),
            thread_ts=thread_ts or None,
            metadata=_metadata(params.get("metadata")),
        )
        stored.append(message)
        return {
            "ok": True,
            "channel": channel,
            "ts": message.ts,
            "message": {"text": message.text, "blocks": message.blocks, "ts": message.ts},
        }

    def _update(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_id(params.get("channel"), ids_only=True)
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        error = self._content_error(params)
        if error:
            return {"ok": False, "error": error}
        ts = params.get("ts")
        message = next((m for m in self._messages.get(channel, []) if m.ts == ts), None)
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        message.history.append({"text": message.text, "blocks": message.blocks})
        message.text = params.get("text") or ""
        message.blocks = list(params.get("blocks") or [])
        message.edits += 1
        return {"ok": True, "channel": channel, "ts": ts, "text": message.text}

    def _post_ephemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_id(params.get("channel"))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        if not params.get("user"):
            return {"ok": False, "error": "user_not_in_channel"}
        error = self._content_error(params)
        if error:
            return {"ok": False, "error": error}
        ts = self._next_ts()
        self._ephemeral.append({**params, "channel": channel, "message_ts": ts})
        return {"ok": True, "message_ts": ts}


def payload_error(params: dict[str, Any], *, max_blocks_json: int = MAX_BLOCKS_JSON) -> str | None:
    """Slack's error code for a message payload over a limit, None when it is acceptable."""
    text = params.get("text")
    blocks = params.get("blocks")
    if not text and not blocks:
        return "no_text"
    if isinstance(text, str) and len(text) > MAX_TEXT:
        return "msg_too_long"
    if blocks is None:
        return None
    if not isinstance(blocks, list) or len(blocks) > MAX_BLOCKS:
        return "invalid_blocks"
    if len(json.dumps(blocks, ensure_ascii=False, separators=(",", ":"))) > max_blocks_json:
        return "msg_too_long"
    for block in blocks:
        if not isinstance(block, dict) or block.get("type") not in _BLOCK_TYPES:
            return "invalid_blocks"
        kind = block["type"]
        if kind == "section":
            section_text = (block.get("text") or {}).get("text", "")
            if not section_text and not block.get("fields"):
                return "invalid_blocks"
            if len(section_text) > MAX_SECTION_TEXT:
                return "invalid_blocks"
        elif kind == "header":
            header = block.get("text") or {}
            if header.get("type") != "plain_text" or not header.get("text"):
                return "invalid_blocks"
            if len(header["text"]) > MAX_HEADER_TEXT:
                return "invalid_blocks"
        elif kind == "context":
            elements = block.get("elements") or []
            if not elements or len(elements) > MAX_CONTEXT_ELEMENTS:
                return "invalid_blocks"
            if any(len(e.get("text", "")) > MAX_SECTION_TEXT for e in elements):
                return "invalid_blocks"
        elif kind == "actions":
            elements = block.get("elements") or []
            if not elements or len(elements) > 25:
                return "invalid_blocks"
    return None


def _metadata(value: Any) -> dict[str, Any] | None:
    """Message metadata as Slack keeps it: an object with event_type and event_payload."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    if isinstance(value, dict) and isinstance(value.get("event_type"), str):
        return {"event_type": value["event_type"], "event_payload": value.get("event_payload")}
    return None


def _parse_body(headers: dict[str, str], body: bytes) -> dict[str, Any]:
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    text = body.decode("utf-8", errors="replace")
    if not text:
        return {}
    if "json" in content_type:
        try:
            parsed = json.loads(text)
        except ValueError:
            return {"_invalid_json": text}
        return parsed if isinstance(parsed, dict) else {"_json": parsed}
    params: dict[str, Any] = {k: v[0] for k, v in parse_qs(text).items()}
    for key in ("blocks", "attachments"):
        if isinstance(params.get(key), str):
            try:
                params[key] = json.loads(params[key])
            except ValueError:
                params[key] = "invalid"
    return params
