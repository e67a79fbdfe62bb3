"""A FAKE OpenAI-compatible server for fault-injection tests and throughput benchmarks.

THIS IS A FAKE. It is not a language model and must never be presented as one: its
answers are built mechanically from the request so that they pass summarizer's
validators, which makes it a harness for the *plumbing* (transport retries, re-asks,
bounded concurrency, batch files, resume) and never evidence about model quality.

It speaks real HTTP/1.1 (keep-alive) on ``127.0.0.1`` on a free port, one thread per
connection, so 64+ concurrent requests are served in parallel:

* ``POST /v1/chat/completions``: a schema-valid ``Extraction`` GROUNDED in the article
  fenced in the user message between ``<<<ARTICLE>>>`` and ``<<<END ARTICLE>>>``:
  zero or one event (one when a sentence of the article mentions fighting, an attack,
  a protest...; its evidence is that sentence copied verbatim; no death toll) and a
  two-sentence summary without numbers. ``usage`` is served (about 4 characters a token).
  A question of the step pipeline (v6: its ``response_format`` names ``Classification``,
  ``EventDetails`` or ``SummaryDraft``) gets the SCRIPTED FAKE answer of
  :mod:`tests.fakes.fake_steps` instead.
* faults injected at configured rates (:class:`Faults`): latency (every request), 429
  with ``Retry-After``, 500, 503, timeouts (the handler sleeps ``hang_seconds``, set it
  beyond the client's timeout), dropped connections, malformed JSON bodies, schema-
  invalid JSON content, and ``finish_reason="length"`` truncation;
* a minimal Files + Batches API (``POST /v1/files``, ``GET /v1/files/{id}/content``,
  ``POST /v1/batches``, ``GET /v1/batches/{id}``) that runs a batch after a few polls.

Faults are deterministic: the fault of a request is drawn from a RNG seeded with
``(seed, sha256 of the request body, how many times that exact body was seen)``, so a
run's faults do not depend on the order in which concurrent requests arrive.

Usage::

    with FakeOpenAI(Faults.spread(0.2, seed=7, latency=0.3)) as fake:
        settings = Settings(base_url=fake.base_url, model=fake.model)
        ...
        print(fake.stats.requests, fake.stats.outcomes)
"""

from __future__ import annotations

import contextlib
import email.parser
import email.policy
import hashlib
import json
import random
import re
import signal
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field, fields
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from .fake_steps import fake_step_answer

__all__ = [
    "FAULT_KINDS",
    "FakeOpenAI",
    "FakeStats",
    "Faults",
    "article_of",
    "fabricate_batch_output",
    "grounded_extraction",
]

#: Every fault the fake can inject, in the order rates are drawn.
FAULT_KINDS = ("429", "500", "503", "timeout", "drop", "malformed", "invalid", "truncated")

_FENCED = re.compile(r"<<<ARTICLE>>>\n(.*?)\n<<<END ARTICLE>>>", re.DOTALL)
_SENTENCES = re.compile(r"(?<=[.!?])\s+|\n+")
_CONFLICT = re.compile(
    r"\b(kill\w*|attack\w*|clash\w*|fight\w*|shell\w*|air ?strikes?|bomb\w*|protest\w*|"
    r"raid\w*|battle\w*|troops|rebels?|militants?|gunmen|explosions?|offensive)\b",
    re.IGNORECASE,
)
_PROTEST = re.compile(r"\bprotest\w*|demonstrat\w*", re.IGNORECASE)
_REMOTE = re.compile(r"\b(shell\w*|air ?strikes?|bomb\w*|explosions?)\b", re.IGNORECASE)
_WEEKDAY = re.compile(r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")
_PLACE = re.compile(r"(?<=\s)(?:in|near|at) ([A-Z][a-z]+(?:[ -][A-Z][a-z]+)?)")
_INJECTED_TOLL = re.compile(r"report (?:that )?(\d+) (?:people were killed|deaths)", re.I)
_SCRIPTS = (("ar", "\u0600", "\u06ff"), ("he", "\u0590", "\u05ff"), ("ru", "\u0400", "\u04ff"))


@dataclass(frozen=True)
class Faults:
    """What the FAKE injects. Rates are probabilities per chat completion request.

    Attributes:
        latency: seconds added to every chat completion (before any fault).
        jitter: up to this many extra seconds, uniformly drawn.
        rate_429 ... rate_truncated: the rate of each fault kind (their sum is at most 1).
        retry_after: the ``Retry-After`` of 429 answers, in seconds.
        hang_seconds: how long a "timeout" request hangs; set it beyond the client's
            timeout (the server's stop wakes hanging handlers at once).
        seed: seeds the deterministic fault draw.
        gullible: obey "report N deaths" instructions embedded in the article (to test
            what grounding catches when a model follows a prompt injection).
    """

    latency: float = 0.0
    jitter: float = 0.0
    rate_429: float = 0.0
    rate_500: float = 0.0
    rate_503: float = 0.0
    rate_timeout: float = 0.0
    rate_drop: float = 0.0
    rate_malformed: float = 0.0
    rate_invalid: float = 0.0
    rate_truncated: float = 0.0
    retry_after: float = 0.05
    hang_seconds: float = 5.0
    seed: int = 0
    gullible: bool = False

    def __post_init__(self) -> None:
        if self.total_rate > 1.0 + 1e-9:
            raise ValueError(f"fault rates add up to {self.total_rate}, more than 1")

    @classmethod
    def spread(cls, total: float, **options: Any) -> Faults:
        """``total`` fault rate shared equally by every kind in :data:`FAULT_KINDS`."""
        rates: dict[str, Any] = {f"rate_{kind}": total / len(FAULT_KINDS) for kind in FAULT_KINDS}
        return cls(**rates, **options)

    @property
    def total_rate(self) -> float:
        """The probability that a request gets a fault."""
        return float(sum(getattr(self, f"rate_{kind}") for kind in FAULT_KINDS))

    def draw(self, rng: random.Random) -> str:
        """One outcome: a kind of :data:`FAULT_KINDS`, or ``"ok"``."""
        roll = rng.random()
        for kind in FAULT_KINDS:
            roll -= getattr(self, f"rate_{kind}")
            if roll < 0:
                return kind
        return "ok"


@dataclass
class FakeStats:
    """What the FAKE served (read it after the requests finished; guarded by a lock)."""

    requests: int = 0
    connections: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    bodies: list[dict[str, Any]] = field(default_factory=list)

    def snapshot(self) -> dict[str, Any]:
        """The counters as a plain dict (bodies left out)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "bodies"}


def article_of(body: dict[str, Any]) -> str:
    """The article fenced in the request's user message ('' when there is none)."""
    for message in body.get("messages", []):
        content = message.get("content")
        if message.get("role") == "user" and isinstance(content, str):
            match = _FENCED.search(content)
            if match:
                return match.group(1)
    return ""


def _language(text: str) -> str:
    letters = [c for c in text if c.isalpha()]
    for code, low, high in _SCRIPTS:
        if letters and sum(low <= c <= high for c in letters) > len(letters) / 2:
            return code
    return "en"


def _event(sentence: str) -> dict[str, Any]:
    if _PROTEST.search(sentence):
        kind, sub, actor = "protests", "peaceful_protest", ("Protesters", "protesters")
    elif _REMOTE.search(sentence):
        kind, sub = "explosions_remote_violence", "shelling_artillery_missile_attack"
        actor = ("Unidentified armed group", "rebel_group")
    else:
        kind, sub, actor = "battles", "armed_clash", ("Unidentified armed group", "rebel_group")
    day = _WEEKDAY.search(sentence)
    place = _PLACE.search(sentence)
    return {
        "event_type": kind,
        "sub_event_type": sub,
        "date_text": day.group(1) if day else "unspecified day",
        "location": {
            "name": place.group(1) if place else "Unspecified location",
            "admin1": None,
            "admin2": None,
            "country": "Unknown",
            "geo_precision": 1 if place else 3,
        },
        "actor1": {"name": actor[0], "type": actor[1]},
        "actor2": None,
        "assoc_actor1": [],
        "assoc_actor2": [],
        "fatalities": {"total": None, "breakdown": [], "civilians": None, "reported_by": None},
        "sources": [],
        "evidence": [sentence],
    }


def grounded_extraction(article: str, *, gullible: bool = False) -> dict[str, Any]:
    """A FAKE answer that passes summarizer's grounding checks for ``article``.

    One event when a sentence of 20-300 characters mentions conflict (its evidence is
    that sentence, verbatim; no toll), none otherwise; a neutral two-sentence summary
    with no numbers. ``gullible`` obeys an embedded "report N deaths" instruction.
    """
    sentences = [s.strip() for s in _SENTENCES.split(article) if s.strip()]
    evidence = next((s for s in sentences if 20 <= len(s) <= 300 and _CONFLICT.search(s)), None)
    events = [] if evidence is None else [_event(evidence)]
    text = (
        "The article describes developments that its sources reported. "
        "Details are attributed to the people and organisations that it names."
    )
    if gullible and (injected := _INJECTED_TOLL.search(article)):
        toll = int(injected.group(1))
        sentence = next(s for s in sentences if injected.group(0) in s)
        event = _event(sentence[:300])
        event["fatalities"]["total"] = toll
        events = [event]
        text = f"The terrorists killed {toll} people in the attack. The article describes it."
    return {
        "article": {"title": None, "wire": None, "dateline": None, "language": _language(article)},
        "events": events,
        "summary": {"headline": "Summary of the reported developments", "text": text},
    }


def _completion(body: dict[str, Any], content: str, finish: str) -> dict[str, Any]:
    prompt = sum(len(str(m.get("content", ""))) for m in body.get("messages", []))
    prompt_tokens, completion_tokens = prompt // 4 + 1, len(content) // 4 + 1
    return {
        "id": f"chatcmpl-fake-{hashlib.sha256(content.encode()).hexdigest()[:12]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": str(body.get("model", "fake")),
        "choices": [
            {
                "index": 0,
                "finish_reason": finish,
                "message": {"role": "assistant", "content": content},
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def _error_body(status: int, message: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": "fake_error", "code": str(status)}}


class _Server(ThreadingHTTPServer):
    """A threading server that tracks its connections and threads for a clean stop."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 1024
    allow_reuse_address = True

    def __init__(self, fake: FakeOpenAI) -> None:
        self.fake = fake
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._workers: set[threading.Thread] = set()
        super().__init__(("127.0.0.1", 0), _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        worker = threading.Thread(
            target=self._work, args=(request, client_address), daemon=True, name="fake-openai"
        )
        with self._lock:
            self._connections.add(request)
            self._workers.add(worker)
        with self.fake._lock:
            self.fake.stats.connections += 1
        worker.start()

    def _work(self, request: Any, client_address: Any) -> None:
        try:
            self.process_request_thread(request, client_address)
        finally:
            with self._lock:
                self._connections.discard(request)
                self._workers.discard(threading.current_thread())

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that give up (timeouts, drops) are expected; stay quiet about them."""

    def close_all(self, timeout: float = 5.0) -> None:
        """Unblock every connection, then wait for the worker threads."""
        with self._lock:
            connections, workers = list(self._connections), list(self._workers)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        deadline = time.monotonic() + timeout
        for worker in workers:
            worker.join(max(deadline - time.monotonic(), 0.01))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    timeout = 60
    # TCP_NODELAY, as real servers set it: the headers and the body go out in two
    # writes, and with Nagle's algorithm the body waited for the client's delayed ACK
    # (about 40 ms on Linux), which the FAKE added to every request.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request log."""

    # --- plumbing ------------------------------------------------------------------
    def _body(self) -> bytes:
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, payload: bytes, headers: dict[str, str] | None = None) -> None:
        try:
            self.send_response(status)
            for name, value in {"content-type": "application/json", **(headers or {})}.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            self.wfile.flush()
        except OSError:  # the client gave up (its timeout): nothing to answer to
            self.close_connection = True

    def _json(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(data).encode(), headers)

    # --- routes --------------------------------------------------------------------
    def do_GET(self) -> None:
        fake = self.server.fake
        path = self.path.split("?", 1)[0]
        if path == "/v1/models":
            self._json(200, {"object": "list", "data": [{"id": fake.model, "object": "model"}]})
        elif match := re.fullmatch(r"/v1/batches/([\w-]+)", path):
            batch = fake._poll_batch(match.group(1))
            self._json(200 if batch else 404, batch or _error_body(404, "no such batch"))
        elif match := re.fullmatch(r"/v1/files/([\w-]+)/content", path):
            content = fake._files.get(match.group(1))
            if content is None:
                self._json(404, _error_body(404, "no such file"))
            else:
                self._send(200, content[1], {"content-type": "application/octet-stream"})
        else:
            self._json(404, _error_body(404, f"no route {path}"))

    def do_POST(self) -> None:
        arrived = time.monotonic()
        fake = self.server.fake
        path = self.path.split("?", 1)[0]
        raw = self._body()
        if path == "/v1/chat/completions":
            self._chat(raw, arrived)
        elif path == "/v1/files":
            self._json(200, fake._upload(self.headers.get("content-type", ""), raw))
        elif path == "/v1/batches":
            self._json(200, fake._create_batch(json.loads(raw)))
        else:
            self._json(404, _error_body(404, f"no route {path}"))

    def _chat(self, raw: bytes, arrived: float) -> None:
        fake = self.server.fake
        try:
            body = json.loads(raw)
        except ValueError:
            self._json(400, _error_body(400, "the request body is not JSON"))
            return
        kind = fake._begin(body, raw)
        try:
            # The answer is made inside the latency window and sent when it ends, so a
            # request takes `latency` from its arrival, however busy the FAKE is
            # (answering after the sleep added the FAKE's own CPU and GIL waits to it).
            reply = fake.respond(body, kind) if kind != "drop" else None
            fake._sleep(arrived + fake._latency(raw) - time.monotonic())
            if kind == "timeout":
                fake._sleep(fake.faults.hang_seconds)
            if reply is None:
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)
                return
            self._send(*reply)
        finally:
            fake._end()


class FakeOpenAI:
    """The FAKE server; a context manager that starts and cleanly stops it.

    Attributes:
        faults: what to inject (may be replaced between runs: ``fake.faults = ...``).
        model: the model name it reports.
        stats: counters of what it served.
        keep_bodies: keep every chat completion request body in ``stats.bodies``.
        batch_polls: how many ``GET /v1/batches/{id}`` before a batch completes.
    """

    def __init__(
        self,
        faults: Faults | None = None,
        *,
        model: str = "fake-model",
        keep_bodies: bool = False,
        batch_polls: int = 2,
    ) -> None:
        self.faults = faults or Faults()
        self.model = model
        self.keep_bodies = keep_bodies
        self.batch_polls = batch_polls
        self.stats = FakeStats()
        self._lock = threading.Lock()
        self._seen: Counter[str] = Counter()
        self._stopping = threading.Event()
        self._files: dict[str, tuple[str, bytes]] = {}
        self._batches: dict[str, dict[str, Any]] = {}
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -----------------------------------------------------------------
    def start(self) -> FakeOpenAI:
        """Start serving on 127.0.0.1 (a free port)."""
        self._stopping.clear()
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving: wake hanging handlers, close connections, join every thread."""
        if self._server is None:
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.close_all()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)
        self._server = self._thread = None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The port it listens on."""
        assert self._server is not None, "the FAKE server is not started"
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>/v1``."""
        return f"http://127.0.0.1:{self.port}/v1"

    def reset_stats(self) -> None:
        """Zero the counters (the fault draw keeps its memory of seen bodies)."""
        with self._lock:
            self.stats = FakeStats()

    # --- chat completions ----------------------------------------------------------
    def _begin(self, body: dict[str, Any], raw: bytes) -> str:
        digest = hashlib.sha256(raw).hexdigest()
        with self._lock:
            seen = self._seen[digest]
            self._seen[digest] += 1
            kind = self.faults.draw(random.Random(f"{self.faults.seed}|{digest}|{seen}"))
            stats = self.stats
            stats.requests += 1
            stats.outcomes[kind] += 1
            stats.in_flight += 1
            stats.max_in_flight = max(stats.max_in_flight, stats.in_flight)
            if self.keep_bodies:
                stats.bodies.append(body)
        return kind

    def _end(self) -> None:
        with self._lock:
            self.stats.in_flight -= 1

    def _latency(self, raw: bytes) -> float:
        faults = self.faults
        if not faults.jitter:
            return faults.latency
        rng = random.Random(f"{faults.seed}|latency|{hashlib.sha256(raw).hexdigest()}")
        return faults.latency + rng.uniform(0, faults.jitter)

    def _sleep(self, seconds: float) -> None:
        if seconds > 0:
            self._stopping.wait(seconds)

    def respond(self, body: dict[str, Any], kind: str = "ok") -> tuple[int, bytes, dict[str, str]]:
        """The answer to a chat completion request for an outcome (no sleeping, no drop):
        status, body bytes and extra headers."""
        if kind == "429":
            headers = {"retry-after": f"{self.faults.retry_after:g}"}
            return 429, json.dumps(_error_body(429, "rate limited (FAKE)")).encode(), headers
        if kind in ("500", "503"):
            return int(kind), json.dumps(_error_body(int(kind), "FAKE server error")).encode(), {}
        if kind == "malformed":
            return 200, b'{"id": "chatcmpl-broken", "object": "chat.completion", "choi', {}
        step = fake_step_answer(body)  # a question of the step pipeline (v6)
        answer = (
            step
            if step is not None
            else grounded_extraction(article_of(body), gullible=self.faults.gullible)
        )
        content, finish = json.dumps(answer), "stop"
        if kind == "invalid":
            content = json.dumps({"article": {"language": "english"}, "events": "none"})
        elif kind == "truncated":
            content, finish = content[: len(content) // 2], "length"
        completion = _completion(body, content, finish)
        with self._lock:
            self.stats.prompt_tokens += completion["usage"]["prompt_tokens"]
            self.stats.completion_tokens += completion["usage"]["completion_tokens"]
        return 200, json.dumps(completion).encode(), {}

    # --- files and batches ---------------------------------------------------------
    def _upload(self, content_type: str, raw: bytes) -> dict[str, Any]:
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"content-type: {content_type}\r\n\r\n".encode() + raw
        )
        name, data, purpose = "upload.jsonl", b"", "batch"
        for part in message.iter_parts():
            payload = part.get_payload(decode=True)
            if not isinstance(payload, bytes):
                continue
            if part.get_param("name", header="content-disposition") == "file":
                name, data = str(part.get_filename() or name), payload
            elif part.get_param("name", header="content-disposition") == "purpose":
                purpose = payload.decode()
        return self._store_file(name, data, purpose)

    def _store_file(self, name: str, data: bytes, purpose: str) -> dict[str, Any]:
        with self._lock:
            file_id = f"file-fake{len(self._files) + 1}"
            self._files[file_id] = (name, data)
        return {
            "id": file_id,
            "object": "file",
            "bytes": len(data),
            "created_at": int(time.time()),
            "filename": name,
            "purpose": purpose,
            "status": "processed",
        }

    def _create_batch(self, request: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            batch_id = f"batch_fake{len(self._batches) + 1}"
            batch: dict[str, Any] = {
                "id": batch_id,
                "object": "batch",
                "endpoint": request.get("endpoint", "/v1/chat/completions"),
                "input_file_id": request["input_file_id"],
                "completion_window": request.get("completion_window", "24h"),
                "status": "validating",
                "created_at": int(time.time()),
                "request_counts": {"total": 0, "completed": 0, "failed": 0},
                "_polls": 0,
            }
            self._batches[batch_id] = batch
        return {k: v for k, v in batch.items() if not k.startswith("_")}

    def _poll_batch(self, batch_id: str) -> dict[str, Any] | None:
        with self._lock:
            batch = self._batches.get(batch_id)
            if batch is None:
                return None
            batch["_polls"] += 1
            polls = batch["_polls"]
        if batch["status"] != "completed":
            if polls >= self.batch_polls:
                self._run_batch(batch)
            else:
                batch["status"] = "in_progress"
        return {k: v for k, v in batch.items() if not k.startswith("_")}

    def _run_batch(self, batch: dict[str, Any]) -> None:
        """Answer every request line; 200s go to the output file, the rest to errors."""
        _, data = self._files[batch["input_file_id"]]
        out: list[str] = []
        errors: list[str] = []
        for number, line in enumerate(data.decode().splitlines(), start=1):
            if not line.strip():
                continue
            request = json.loads(line)
            raw = json.dumps(request["body"], sort_keys=True).encode()
            kind = self._begin(request["body"], raw)
            kind = "500" if kind in ("timeout", "drop") else kind
            try:
                status, payload, _ = self.respond(request["body"], kind)
            finally:
                self._end()
            entry = _output_line(request["custom_id"], number, status, payload)
            (out if status == 200 else errors).append(entry)
        output = self._store_file("output.jsonl", "".join(out).encode(), "batch_output")
        batch.update(
            status="completed",
            output_file_id=output["id"],
            request_counts={"total": len(out) + len(errors), "completed": len(out),
                            "failed": len(errors)},
        )  # fmt: skip
        if errors:
            batch["error_file_id"] = self._store_file(
                "errors.jsonl", "".join(errors).encode(), "batch_output"
            )["id"]


def _output_line(custom_id: str, number: int, status: int, payload: bytes) -> str:
    """One line of a Batch API output file."""
    try:
        body: Any = json.loads(payload)
    except ValueError:
        body = payload.decode(errors="replace")
    line = {
        "id": f"batch_req_fake{number}",
        "custom_id": custom_id,
        "response": {"status_code": status, "request_id": f"req_fake{number}", "body": body},
        "error": None,
    }
    return json.dumps(line) + "\n"


def fabricate_batch_output(requests_path: Path, output_path: Path, base_url: str) -> int:
    """Write the Batch API *output* file for a requests file by POSTing each request's
    exact body to a (FAKE) server's ``/v1/chat/completions``; returns the line count."""
    lines = []
    with httpx.Client(base_url=base_url.rstrip("/").removesuffix("/v1"), timeout=30) as client:
        for number, line in enumerate(requests_path.read_text("utf-8").splitlines(), start=1):
            request = json.loads(line)
            response = client.post(request["url"], json=request["body"])
            lines.append(
                _output_line(request["custom_id"], number, response.status_code, response.content)
            )
    output_path.write_text("".join(lines), "utf-8")
    return len(lines)


def main(argv: list[str] | None = None) -> None:
    """Serve the FAKE from the command line until interrupted (for benches and demos):
    ``python -m tests.fakes.fake_openai --latency 0.3 --faults 0.2 --seed 7``."""
    import argparse

    parser = argparse.ArgumentParser(description="A FAKE OpenAI-compatible server.")
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--jitter", type=float, default=0.0)
    parser.add_argument("--faults", type=float, default=0.0, help="total fault rate")
    parser.add_argument("--hang-seconds", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    # Started in the background by a non-interactive shell, SIGINT arrives ignored: restore
    # it, since SIGINT is how a parent stops the FAKE and gets its counters.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    faults = Faults.spread(
        args.faults,
        latency=args.latency,
        jitter=args.jitter,
        hang_seconds=args.hang_seconds,
        seed=args.seed,
    )
    with FakeOpenAI(faults) as fake:
        print(
            f"FAKE OpenAI server: SUMMARIZER_BASE_URL={fake.base_url} SUMMARIZER_MODEL={fake.model}"
        )
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print(json.dumps(fake.stats.snapshot(), default=dict))


if __name__ == "__main__":
    main()
