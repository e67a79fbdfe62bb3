"""A FAKE llama-server-like chat endpoint that counts the requests it serves at once.

THIS IS A FAKE. It is not a language model, and its answers are no recording: each is
the smallest JSON instance of the schema the request carries in ``response_format``
(first enum member, null where null is allowed, empty strings), made mechanically so
that the step pipeline's questions (classify, details, summary) all get a valid answer
and every article goes through its rounds. It exists to test *plumbing*: how many
requests are in flight (:attr:`FakeSlotServer.max_in_flight`), token accounting
(``usage`` with ``prompt_tokens_details.cached_tokens``, as llama-server sends) and the
reading of llama.cpp's ``timings`` object, whose figures here are synthetic.

A request counts as in flight from its arrival until its answer is ready, as a
llama-server slot is busy until the answer is generated; the count drops before the
answer is written, so a client that sends its next request as soon as it has read an
answer is never counted twice.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["FakeSlotServer", "fake_slot_server", "minimal_instance"]

#: Synthetic server speeds the FAKE reports in its ``timings`` (tokens a second).
PROMPT_PER_SECOND = 100.0
PREDICTED_PER_SECOND = 20.0


def minimal_instance(schema: dict[str, Any], defs: dict[str, Any] | None = None) -> Any:
    """The smallest value valid for a (pydantic-made) JSON Schema."""
    defs = defs if defs is not None else schema.get("$defs", {})
    if "$ref" in schema:
        return minimal_instance(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = schema[key]
            if any(option.get("type") == "null" for option in options):
                return None
            return minimal_instance(options[0], defs)
    kind = schema.get("type")
    if kind == "object":
        properties = schema.get("properties", {})
        return {name: minimal_instance(sub, defs) for name, sub in properties.items()}
    if kind == "array":
        return [minimal_instance(schema.get("items", {}), defs)] * int(schema.get("minItems", 0))
    if kind == "string":
        return "x" * int(schema.get("minLength", 0))
    if kind == "integer":
        return int(schema.get("minimum", 0))
    if kind == "number":
        return float(schema.get("minimum", 0))
    if kind == "boolean":
        return False
    return None


def _schema_of(body: dict[str, Any]) -> dict[str, Any]:
    response_format = body.get("response_format") or {}
    if "json_schema" in response_format:
        schema: dict[str, Any] = response_format["json_schema"].get("schema", {})
        return schema
    return dict(response_format.get("schema") or {})


@dataclass
class FakeSlotServer:
    """The running FAKE: its base URL and what it counted (read under :attr:`lock`)."""

    base_url: str = ""
    model: str = "fake-slots"
    latency: float = 0.0
    requests: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, body: dict[str, Any]) -> dict[str, Any]:
        """The chat completion for a request body (counted in flight by the caller)."""
        content = json.dumps(minimal_instance(_schema_of(body)))
        prompt = sum(len(str(m.get("content", ""))) for m in body.get("messages", [])) // 4
        cached = prompt // 2  # a synthetic share, as if the prefix were in the cache
        completion = max(len(content) // 4, 1)
        read = prompt - cached
        return {
            "id": "chatcmpl-fake-slots",
            "object": "chat.completion",
            "created": 0,
            "model": self.model,
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {"role": "assistant", "content": content},
                }
            ],
            "usage": {
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
                "prompt_tokens_details": {"cached_tokens": cached},
            },
            "timings": {
                "cache_n": cached,
                "prompt_n": read,
                "prompt_ms": read / PROMPT_PER_SECOND * 1000,
                "predicted_n": completion,
                "predicted_ms": completion / PREDICTED_PER_SECOND * 1000,
            },
        }


@contextmanager
def fake_slot_server(latency: float = 0.02, port: int = 0) -> Iterator[FakeSlotServer]:
    """Start the FAKE on 127.0.0.1 (``port``, 0: a free one); each answer takes
    ``latency`` s. ``GET /health`` answers ok, ``GET /stats`` the counters."""
    fake = FakeSlotServer(latency=latency)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            with fake.lock:
                stats = {"requests": fake.requests, "max_in_flight": fake.max_in_flight}
            payload = json.dumps(stats if self.path == "/stats" else {"status": "ok"}).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)))
            with fake.lock:
                fake.requests += 1
                fake.in_flight += 1
                fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
            try:
                time.sleep(fake.latency)
                payload = json.dumps(fake.answer(body)).encode()
            finally:
                with fake.lock:
                    fake.in_flight -= 1
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, daemon=True, name="fake-slots")
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    """Run as a FAKE ``llama-server`` binary: ``--port P`` (other flags ignored)."""
    import sys

    port = int(sys.argv[sys.argv.index("--port") + 1])
    with fake_slot_server(port=port):
        threading.Event().wait()


if __name__ == "__main__":
    main()
