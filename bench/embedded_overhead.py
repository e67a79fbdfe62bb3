"""``embedded_overhead``: end-to-end seconds per article against the model's own time.

For each of the first ``--articles N`` fixture articles (default 2; 1-3 minutes each
on two CPU cores), the timed operation is the whole public path: load the file, clean
it and render the prompt, call the model through instructor and the openai client
(re-asks included), validate with grounding, assemble and serialise the record. The
baseline is what llama.cpp's server reports for the same requests: the ``timings``
object of each response (``prompt_ms + predicted_ms``), read from the raw HTTP response
by an event hook on the client's HTTP client (the openai client does not expose it).
Target: the ratio end-to-end / server time at most 1.10 (our overhead under 10%).

The difference is split in two: *client* (end-to-end minus the HTTP round trips: our
code, instructor, openai) and *HTTP + server non-compute* (round trips minus the
reported compute: queueing behind other clients of a shared server, HTTP, grammar
set-up, tokenisation). Before each article the benchmark waits until the server's
``/slots`` shows it idle, so that another client's request does not count as ours.

Endpoint: ``SUMMARIZER_BASE_URL`` / ``SUMMARIZER_MODEL`` when set, else the embedded
server (:class:`summarizer.llm.embedded.EmbeddedServer`, started for the run, its start-up
reported separately). Skipped with "no model" when neither is available.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import httpx2

from bench.common import Options, Result, load_fixtures, skipped
from summarizer.api import extract_chunks, prepare_chunks, resolve_endpoint
from summarizer.errors import EmbeddedModelError, SummarizerError
from summarizer.llm.client import LLM, Endpoint
from summarizer.llm.embedded import ALIAS, EmbeddedServer, model_file, server_binary
from summarizer.settings import Settings
from summarizer.text.sources import load_source

NAME = "embedded_overhead"
TARGET = 1.10
_TARGET_TEXT = f"<={TARGET:.2f}"
_IDLE_WAIT_SECONDS = 1200.0


@dataclass
class _Probe:
    """Event hooks that time each HTTP exchange and keep llama.cpp's ``timings``."""

    started: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    server_ms: list[float] = field(default_factory=list)
    completion_tokens: list[int] = field(default_factory=list)
    prompt_tokens: list[int] = field(default_factory=list)
    missing_timings: int = 0

    def on_request(self, request: httpx2.Request) -> None:
        self.started.append(time.perf_counter())

    def on_response(self, response: httpx2.Response) -> None:
        response.read()
        ended = time.perf_counter()
        self.seconds.append(ended - (self.started[-1] if self.started else ended))
        try:
            body: Any = response.json()
        except ValueError:
            body = {}
        timings = body.get("timings") if isinstance(body, dict) else None
        usage = (body.get("usage") if isinstance(body, dict) else None) or {}
        if isinstance(timings, dict) and "predicted_ms" in timings:
            self.server_ms.append(
                float(timings.get("prompt_ms") or 0) + float(timings.get("predicted_ms") or 0)
            )
        else:
            self.missing_timings += 1
        self.completion_tokens.append(int(usage.get("completion_tokens") or 0))
        self.prompt_tokens.append(int(usage.get("prompt_tokens") or 0))


@dataclass(frozen=True)
class _Article:
    id: str
    seconds: float
    http_seconds: float
    server_seconds: float | None
    requests: int
    prompt_tokens: int
    completion_tokens: int
    outcome: str


@contextlib.contextmanager
def _endpoint() -> Iterator[tuple[Settings, Endpoint, str, float]]:
    """(settings, endpoint, description, start-up seconds); raises LookupError to skip."""
    if os.environ.get("SUMMARIZER_BASE_URL"):
        settings = Settings()
        if not settings.model:
            raise LookupError("SUMMARIZER_BASE_URL is set but SUMMARIZER_MODEL is not")
        endpoint = resolve_endpoint(settings)
        yield settings, endpoint, f"SUMMARIZER_BASE_URL={endpoint.base_url}", 0.0
        return
    settings = Settings(base_url=None, api_key=None)
    if not model_file(settings).is_file():
        raise LookupError(
            f"no model (no SUMMARIZER_BASE_URL, and no embedded model at "
            f"{model_file(settings)}: run `summarizer setup-local`)"
        )
    try:
        server_binary(settings)
    except EmbeddedModelError as error:
        raise LookupError(f"no model server: {error}") from None
    started = time.perf_counter()
    with EmbeddedServer(settings) as server:
        startup = time.perf_counter() - started
        endpoint = Endpoint(server.base_url, ALIAS, "no-key", embedded=True)
        command = server.command()
        options = " ".join(command[command.index("-c") :])  # the flags after host and port
        description = f"embedded llama-server ({model_file(settings).name}; `{options}`)"
        yield settings, endpoint, description, startup


def _wait_idle(base_url: str) -> float:
    """Wait until a llama.cpp server's ``/slots`` shows no request in progress (a shared
    server serves one request at a time); returns the seconds waited. Best effort."""
    url = base_url.rstrip("/").removesuffix("/v1") + "/slots"
    started = time.perf_counter()
    told = False
    with httpx.Client(timeout=5) as client:
        while time.perf_counter() - started < _IDLE_WAIT_SECONDS:
            try:
                response = client.get(url)
                slots = response.json() if response.status_code == 200 else None
            except (httpx.HTTPError, ValueError):
                slots = None
            if not isinstance(slots, list):
                break  # not llama.cpp, or /slots disabled: nothing to wait for
            if not any(isinstance(s, dict) and s.get("is_processing") for s in slots):
                break
            if not told:
                print("   waiting for the shared server to finish another request…", flush=True)
                told = True
            time.sleep(2)
    return time.perf_counter() - started


def _measure(settings: Settings, endpoint: Endpoint, articles: int) -> tuple[list[_Article], float]:
    llm = LLM(settings, endpoint)
    probe = _Probe()
    waited = 0.0
    try:
        client = llm._sync_openai._client  # internal: the HTTP client the requests go through
        client.event_hooks = {"request": [probe.on_request], "response": [probe.on_response]}
    except AttributeError:
        pass  # timings stay missing: reported, not guessed
    measured: list[_Article] = []
    try:
        for fixture in load_fixtures()[:articles]:
            waited += _wait_idle(endpoint.base_url)
            first = len(probe.seconds)
            first_ms = len(probe.server_ms)
            outcome = "ok"
            started = time.perf_counter()
            try:
                document = load_source(fixture.path, settings=settings)
                chunks = prepare_chunks(document, published=None, outlet=None, settings=settings)
                extract_chunks(chunks, llm=llm).model_dump_json()
            except SummarizerError as error:
                outcome = f"{type(error).__name__}: {str(error)[:120]}"
            seconds = time.perf_counter() - started
            server = probe.server_ms[first_ms:]
            requests = len(probe.seconds) - first
            article = _Article(
                fixture.id,
                seconds,
                sum(probe.seconds[first:]),
                sum(server) / 1000 if server and len(server) == requests else None,
                requests,
                sum(probe.prompt_tokens[first:]),
                sum(probe.completion_tokens[first:]),
                outcome,
            )
            print(
                f"   {fixture.id}: {seconds:.1f} s end to end, {article.http_seconds:.1f} s HTTP, "
                f"server compute {_fmt(article.server_seconds)} s, {requests} request(s), "
                f"{article.completion_tokens} output tokens, {outcome}",
                flush=True,
            )
            measured.append(article)
    finally:
        llm.close()
    return measured, waited


def _fmt(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def run(options: Options) -> Result:
    """Time whole articles against the server's reported compute time."""
    try:
        with _endpoint() as (settings, endpoint, description, startup):
            articles, waited = _measure(settings, endpoint, options.articles)
    except LookupError as reason:
        print(f"{NAME}: skipped: {reason}", flush=True)
        return skipped(NAME, _TARGET_TEXT, str(reason))
    n = len(articles)
    if n == 0:
        return skipped(NAME, _TARGET_TEXT, "no fixture articles with cassettes")
    total = sum(a.seconds for a in articles)
    http = sum(a.http_seconds for a in articles)
    have_server = all(a.server_seconds is not None for a in articles)
    server = sum(a.server_seconds or 0.0 for a in articles)
    ratio = total / server if have_server and server > 0 else None
    output_tokens = sum(a.completion_tokens for a in articles) / n
    rows = [
        "| article | end to end s | HTTP s | server compute s | client s | HTTP + server "
        "non-compute s | requests | prompt tokens | output tokens | outcome |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for a in articles:
        non_compute = None if a.server_seconds is None else a.http_seconds - a.server_seconds
        rows.append(
            f"| {a.id} | {a.seconds:.2f} | {a.http_seconds:.2f} | {_fmt(a.server_seconds, 2)} "
            f"| {a.seconds - a.http_seconds:.3f} | {_fmt(non_compute, 3)} | {a.requests} "
            f"| {a.prompt_tokens} | {a.completion_tokens} | {a.outcome} |"
        )
    figures: dict[str, Any] = {
        "endpoint": description,
        "articles": n,
        "seconds_per_article": round(total / n, 3),
        "server_compute_seconds_per_article": round(server / n, 3) if have_server else None,
        "client_seconds_per_article": round((total - http) / n, 4),
        "http_and_server_non_compute_seconds_per_article": (
            round((http - server) / n, 4) if have_server else None
        ),
        "output_tokens_per_article": round(output_tokens, 1),
        "requests_per_article": round(sum(a.requests for a in articles) / n, 2),
        "server_startup_seconds": round(startup, 2),
        "seconds_waiting_for_idle_server": round(waited, 1),
    }
    if ratio is None:
        return Result(
            NAME,
            None,
            _TARGET_TEXT,
            "skipped",
            f"skipped: {description} reports no llama.cpp timings; {total / n:.1f} s/article, "
            f"{output_tokens:.0f} output tokens/article",
            figures=figures,
            tables={"per article": rows},
            notes=["the endpoint's responses carry no `timings`: no baseline to compare to"],
        )
    overhead = ratio - 1
    return Result(
        NAME,
        ratio,
        _TARGET_TEXT,
        "ok" if ratio <= TARGET else "short",
        f"{total / n:.1f} s/article end to end vs {server / n:.1f} s of server compute "
        f"(overhead {overhead:.1%}: client {(total - http) / n:.2f} s, HTTP + server "
        f"non-compute {(http - server) / n:.2f} s); {output_tokens:.0f} output tokens/article",
        figures=figures,
        tables={"per article": rows},
        notes=[
            f"endpoint: {description}; {n} article(s) (`--articles N` for more)",
            "server compute = the sum of llama.cpp's reported prompt_ms + predicted_ms over "
            "every request of the article (re-asks included)",
            "client = end to end minus the HTTP round trips; HTTP + server non-compute = the "
            "round trips minus the reported compute",
        ],
    )
