"""``batch_throughput``: how close the batch engine gets to the ideal request rate.

The FAKE OpenAI server (``tests/fakes/fake_openai.py``, in a child process) answers
every chat completion after a fixed 300 ms, with a grounded answer built mechanically
from the article (one request per article: it never triggers a re-ask). With
``concurrency`` requests in flight the ideal rate is ``concurrency / latency`` requests
per second; the figure is the achieved rate over that ideal, for 500 synthetic
articles (distinct fixture-based texts) at concurrency 32 through
:func:`summarizer.batch.runner.asummarize_many` with the cache disabled, plus the curve for
concurrency 1, 4, 16, 32 and 64 (``max(20, 8 × concurrency)`` articles each).
Target: at least 0.9 of ideal at concurrency 32.

The elapsed time runs from the first input to the last result, so it includes the
client's start (the shared LLM client is made on the first cache miss) and the tail
of the last, partly filled round of requests: with N articles the best possible ratio
is ``N / (concurrency × ceil(N / concurrency))``, reported as "best possible".
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import math
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx2
import instructor
import openai

from bench.common import (
    FAKE_LATENCY,
    FakeProcess,
    Options,
    Result,
    Status,
    completion_body,
    isolated_settings,
    load_fixtures,
    synthetic_inputs,
)
from summarizer.api import prepare
from summarizer.batch.runner import BatchInput, asummarize_many
from summarizer.llm.client import _response_model  # private on purpose: the wrapped model
from summarizer.schema import Extraction
from summarizer.settings import Settings
from summarizer.text.sources import load_source

# The bare-client baseline posts one request per article: both rows use the one-shot
# prompt (the default step pipeline asks several questions an article).
ONE_SHOT = "v1"
NAME = "batch_throughput"
TARGET = 0.9
HEADLINE_CONCURRENCY = 32


@dataclass(frozen=True)
class Point:
    """One measured concurrency."""

    concurrency: int
    articles: int
    seconds: float
    ok: int
    requests: int
    connections: int
    cpu_seconds: float

    @property
    def cpu_ms(self) -> float:
        """The client process's CPU time per article, in milliseconds."""
        return self.cpu_seconds / self.articles * 1000

    @property
    def cpu_ceiling(self) -> float:
        """Articles per second one fully available core could drive at that CPU cost."""
        return 1000 / self.cpu_ms if self.cpu_ms else math.inf

    @property
    def rate(self) -> float:
        """Achieved articles per second."""
        return self.articles / self.seconds

    @property
    def ideal(self) -> float:
        """Ideal requests (= articles) per second: concurrency / latency."""
        return self.concurrency / FAKE_LATENCY

    @property
    def ratio(self) -> float:
        """Achieved over ideal."""
        return self.rate / self.ideal

    @property
    def best(self) -> float:
        """The best ratio possible with whole rounds of ``concurrency`` requests."""
        rounds = math.ceil(self.articles / self.concurrency)
        return self.articles / (self.concurrency * rounds)


async def _drive(inputs: list[BatchInput], concurrency: int, settings: Settings) -> int:
    ok = 0
    stream = asummarize_many(inputs, concurrency=concurrency, settings=settings, cache=False)
    async with contextlib.aclosing(stream) as results:
        async for result in results:
            ok += result.ok
    return ok


def _measure(concurrency: int, articles: int, offset: int) -> Point:
    inputs = synthetic_inputs(articles + offset)[offset:]
    with FakeProcess(FAKE_LATENCY) as fake:
        settings = isolated_settings(
            base_url=fake.base_url, model=fake.model, prompt_version=ONE_SHOT
        )
        cpu = time.process_time()
        started = time.perf_counter()
        ok = asyncio.run(_drive(inputs, concurrency, settings))
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu
    requests = int(fake.stats.get("requests", -1))
    connections = int(fake.stats.get("connections", -1))
    return Point(concurrency, articles, seconds, ok, requests, connections, cpu_seconds)


def _response_format() -> dict[str, Any]:
    """The response format summarizer's requests carry (instructor's JSON_SCHEMA mode)."""
    schema = _response_model(Extraction).model_json_schema()
    return {"type": "json_schema", "json_schema": {"name": "Extraction", "schema": schema}}


def _bodies(inputs: list[BatchInput], settings: Settings) -> list[bytes]:
    """The chat completion requests summarizer sends for ``inputs`` (a test holds them
    to what the client sends): the rendered messages and the record's response format."""
    response_format = _response_format()
    bodies = []
    for item in inputs:
        document = load_source(item.source, settings=settings)
        prepared = prepare(document, published=None, outlet=None, settings=settings)
        body = {
            "model": settings.model,
            "messages": prepared.messages,
            "temperature": settings.temperature,
            "max_tokens": settings.max_tokens,
            "response_format": response_format,
        }
        bodies.append(json.dumps(body).encode())
    return bodies


async def _post_all(base_url: str, bodies: list[bytes], concurrency: int) -> int:
    limits = httpx2.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    headers = {"content-type": "application/json"}
    slots = asyncio.Semaphore(concurrency)
    ok = 0
    async with httpx2.AsyncClient(limits=limits, timeout=60) as client:

        async def one(body: bytes) -> None:
            nonlocal ok
            async with slots:
                response = await client.post(
                    f"{base_url}/chat/completions", content=body, headers=headers
                )
                ok += response.status_code == 200 and bool(response.json()["choices"])

        await asyncio.gather(*(one(body) for body in bodies))
    return ok


def _floor(concurrency: int, articles: int, offset: int) -> Point:
    """The same requests from a bare httpx2 client (no cleaning, instructor, openai
    client or validation): what the FAKE and the sockets allow, measured in this run."""
    inputs = synthetic_inputs(articles + offset)[offset:]
    with FakeProcess(FAKE_LATENCY) as fake:
        bodies = _bodies(
            inputs,
            isolated_settings(base_url=fake.base_url, model=fake.model, prompt_version=ONE_SHOT),
        )
        cpu = time.process_time()
        started = time.perf_counter()
        ok = asyncio.run(_post_all(fake.base_url, bodies, concurrency))
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu
    requests = int(fake.stats.get("requests", -1))
    connections = int(fake.stats.get("connections", -1))
    return Point(concurrency, articles, seconds, ok, requests, connections, cpu_seconds)


async def _cpu_ms(call: Callable[[], Awaitable[object]], repetitions: int) -> float:
    for _ in range(10):
        await call()
    gc.disable()
    started = time.process_time()
    try:
        for _ in range(repetitions):
            await call()
    finally:
        gc.enable()
    return (time.process_time() - started) / repetitions * 1000


async def _stack_costs(repetitions: int) -> dict[str, float]:
    """CPU ms per request of the libraries under the client, without sockets: the
    openai client with plain validation of the answer, the same call through
    instructor, and instructor's async-validator scan of the response model alone."""
    from instructor.v2.validation.async_validators import reject_async_validators

    fixture = load_fixtures()[0]
    body = json.dumps(completion_body(fixture.completions[-1])).encode()
    headers = {"content-type": "application/json"}
    answer = httpx2.MockTransport(lambda _: httpx2.Response(200, content=body, headers=headers))
    client = openai.AsyncOpenAI(
        base_url="http://in-memory/v1",
        api_key="no-key",
        max_retries=0,
        http_client=httpx2.AsyncClient(transport=answer),
    )
    patched = instructor.from_openai(client, mode=instructor.Mode.JSON_SCHEMA)
    model = _response_model(Extraction)
    messages: list[Any] = [{"role": "user", "content": fixture.text}]
    response_format: Any = _response_format()

    async def plain() -> object:
        answer = await client.chat.completions.create(
            model="local",
            messages=messages,
            temperature=0,
            response_format=response_format,
        )
        return Extraction.model_validate_json(answer.choices[0].message.content or "")

    async def through_instructor() -> object:
        return await patched.chat.completions.create(
            model="local", messages=messages, response_model=model, max_retries=0, temperature=0
        )

    async def scan() -> None:
        reject_async_validators(model)

    scans = 0

    def count(frame: Any, event: str, _: Any) -> None:
        nonlocal scans
        if event == "call" and frame.f_code is reject_async_validators.__code__:
            scans += 1

    try:
        sys.setprofile(count)  # how many scans one call makes (counted, not assumed)
        try:
            await through_instructor()
        finally:
            sys.setprofile(None)
        return {
            "openai_ms": await _cpu_ms(plain, repetitions),
            "instructor_ms": await _cpu_ms(through_instructor, repetitions),
            "scan_ms": await _cpu_ms(scan, repetitions),
            "scans_per_call": scans,
        }
    finally:
        await client.close()


def run(options: Options) -> Result:
    """Measure the curve and the headline point."""
    headline_articles = 96 if options.quick else 500
    curve: list[Point] = []
    offset = 0
    for concurrency in (1, 4, 16, HEADLINE_CONCURRENCY, 64):
        if concurrency == HEADLINE_CONCURRENCY:
            articles = headline_articles
        elif options.quick:
            articles = max(6, 2 * concurrency)
        else:
            articles = max(20, 8 * concurrency)
        point = _measure(concurrency, articles, offset)
        offset += articles
        print(
            f"   concurrency {concurrency:>2}: {articles} articles in {point.seconds:.2f}s = "
            f"{point.rate:.1f}/s, ideal {point.ideal:.1f}/s, ratio {point.ratio:.3f} "
            f"({point.ok} ok, {point.requests} requests on {point.connections} connections, "
            f"client CPU {point.cpu_ms:.1f} ms/article)",
            flush=True,
        )
        curve.append(point)
    head = next(p for p in curve if p.concurrency == HEADLINE_CONCURRENCY)
    floor = _floor(HEADLINE_CONCURRENCY, head.articles, offset)
    print(
        f"   bare httpx2 client, same requests, concurrency {floor.concurrency}: "
        f"{floor.seconds:.2f}s = {floor.rate:.1f}/s, ratio {floor.ratio:.3f} "
        f"(client CPU {floor.cpu_ms:.1f} ms/request)",
        flush=True,
    )
    stack = asyncio.run(_stack_costs(50 if options.quick else 300))
    scans = int(stack["scans_per_call"])
    print(
        f"   per request, no sockets: openai client + validation {stack['openai_ms']:.2f} ms CPU, "
        f"through instructor {stack['instructor_ms']:.2f} ms; instructor's async-validator "
        f"scan {stack['scan_ms']:.2f} ms x {scans}",
        flush=True,
    )
    stack_rows = [
        "| per request, in-memory endpoint | CPU ms |",
        "| --- | ---: |",
        f"| openai client + plain validation of the answer | {stack['openai_ms']:.2f} |",
        f"| the same call through instructor (no re-ask) | {stack['instructor_ms']:.2f} |",
        f"| instructor's added cost | {stack['instructor_ms'] - stack['openai_ms']:.2f} |",
        f"| of which its async-validator scan ({scans} per call, "
        f"{stack['scan_ms']:.2f} each) | {scans * stack['scan_ms']:.2f} |",
        f"| client CPU per article in the batch at concurrency {head.concurrency} "
        f"| {head.cpu_ms:.1f} |",
    ]
    rows = [
        "| concurrency | articles | seconds | articles/s | ideal/s | ratio | best possible "
        "| ok | FAKE requests | connections | client CPU ms/article | CPU-bound ceiling/s |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    rows += [
        f"| {p.concurrency} | {p.articles} | {p.seconds:.2f} | {p.rate:.1f} | {p.ideal:.1f} "
        f"| {p.ratio:.3f} | {p.best:.3f} | {p.ok} | {p.requests} | {p.connections} "
        f"| {p.cpu_ms:.1f} "
        f"| {p.cpu_ceiling:.0f} |"
        for p in curve
    ]
    rows.append(
        f"| {floor.concurrency}, bare httpx2 client | {floor.articles} | {floor.seconds:.2f} "
        f"| {floor.rate:.1f} | {floor.ideal:.1f} | {floor.ratio:.3f} | {floor.best:.3f} "
        f"| {floor.ok} | {floor.requests} | {floor.connections} | {floor.cpu_ms:.1f} "
        f"| {floor.cpu_ceiling:.0f} |"
    )
    status: Status = "ok" if head.ratio >= TARGET and head.ok == head.articles else "short"
    return Result(
        NAME,
        head.ratio,
        f">={TARGET:g}",
        status,
        f"{head.rate:.1f} articles/s at concurrency {head.concurrency} over {head.articles} "
        f"articles vs ideal {head.ideal:.1f}/s ({head.concurrency} / {FAKE_LATENCY:g} s "
        f"latency); {head.ok}/{head.articles} records",
        figures={
            "latency_seconds": FAKE_LATENCY,
            "headline": {
                "concurrency": head.concurrency,
                "articles": head.articles,
                "seconds": round(head.seconds, 3),
                "articles_per_second": round(head.rate, 2),
                "ideal_per_second": round(head.ideal, 2),
                "best_possible_ratio": round(head.best, 4),
                "ok": head.ok,
                "fake_requests": head.requests,
                "connections": head.connections,
                "client_cpu_ms_per_article": round(head.cpu_ms, 2),
                "cpu_bound_ceiling_per_second": round(head.cpu_ceiling, 1),
            },
            "bare_client": {
                "concurrency": floor.concurrency,
                "requests": floor.articles,
                "seconds": round(floor.seconds, 3),
                "ratio": round(floor.ratio, 4),
                "ok": floor.ok,
                "connections": floor.connections,
                "client_cpu_ms_per_request": round(floor.cpu_ms, 2),
            },
            "stack_cpu_ms_per_request": {k: round(v, 3) for k, v in stack.items()},
            "curve": [
                {
                    "concurrency": p.concurrency,
                    "articles": p.articles,
                    "seconds": round(p.seconds, 3),
                    "articles_per_second": round(p.rate, 2),
                    "ideal_per_second": round(p.ideal, 2),
                    "ratio": round(p.ratio, 4),
                    "best_possible_ratio": round(p.best, 4),
                    "ok": p.ok,
                    "fake_requests": p.requests,
                    "connections": p.connections,
                    "client_cpu_ms_per_article": round(p.cpu_ms, 2),
                }
                for p in curve
            ],
        },
        tables={
            "throughput curve (FAKE server, 300 ms per request, cache off)": rows,
            "where the client's CPU goes (informational)": stack_rows,
        },
        notes=[
            "the FAKE server is not a model: it measures the plumbing (batch engine, "
            "client, validation) at a fixed latency; it runs in a child process",
            "ideal = concurrency / latency; 'best possible' accounts for the last partly "
            "filled round of requests",
            "bare httpx2 client: the same request bodies (rendered by summarizer "
            "beforehand, outside the timing) posted by a plain httpx2 client with no "
            "cleaning, instructor, openai client or validation; what the FAKE, the sockets "
            "and the shared cores allow, so the gap between it and the headline row is the "
            "client's",
            "connections: TCP connections the FAKE accepted; at most the concurrency when "
            "the client's pool keeps every connection alive between requests",
            "client CPU ms/article: the benchmark process's CPU time (all threads) over the "
            "articles; the CPU-bound ceiling 1000 / that is the most one core could drive, "
            "whatever the concurrency (the event loop and the GIL make the client one core)",
            "client and FAKE share the machine's cores with whatever else runs (see the load "
            "average above)",
            "where the CPU goes: the same recorded answer served from memory, so the figures "
            "are the libraries' own work per request; instructor's scan walks every model "
            "class of the response model looking for async validators, on every call",
        ],
    )
