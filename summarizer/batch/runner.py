"""Many articles at once: bounded concurrency, a result cache, and nothing lost.

:func:`asummarize_many` (async generator) and :func:`summarize_many` (its sync twin,
which runs the event loop on a worker thread) take :class:`BatchInput` objects and
yield one :class:`BatchResult` per input, *as each completes* (not in input order):
the validated :class:`~summarizer.schema.ArticleReport`, or a :class:`BatchFailure`
with the error class, message and attempts. Every input yields exactly one result,
whatever fails: a failure is data, never an exception that ends the batch.

Underneath: ``concurrency`` asyncio workers pull inputs lazily (thousands of inputs
never become thousands of tasks), one shared :class:`~summarizer.llm.client.LLM` client
(created on the first cache miss, so a fully cached batch starts no model), the
transport retries and validation re-asks of that client, and a batch-level retry of
inputs whose endpoint kept failing (``retries``). Articles longer than
``settings.max_article_chars`` are split into chunks (see :mod:`summarizer.text.chunking`).

The JSONL helpers here are what the command line uses for its result files:
:class:`JsonlAppender` writes each line with one ``write`` on an ``O_APPEND`` file
descriptor and fsyncs it, and repairs a torn final line left by a crash before
appending; :func:`read_jsonl` skips lines that do not parse. The inputs are read by
:mod:`summarizer.batch.inputs`. The digest and the Slack bot summarize through
:func:`asummarize_many` too (:func:`summarizer.slack.feeds.summarize_items`).
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
import time
from collections.abc import AsyncGenerator, AsyncIterable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from summarizer import api
from summarizer.api import PreparedArticle, prepare_chunks, resolve_endpoint
from summarizer.batch._files import JsonlAppender, output_error, read_jsonl
from summarizer.batch._inputs import BatchFailure, BatchInput, BatchResult
from summarizer.batch._reader import read_inputs
from summarizer.batch.cache import CACHE_ERRORS, ResultCache, cache_key, with_warnings
from summarizer.errors import EndpointError, InputError
from summarizer.llm.client import LLM
from summarizer.llm.embedded import model_file
from summarizer.schema import SCHEMA_VERSION, ArticleReport
from summarizer.settings import Settings
from summarizer.text.sources import aload_source, aload_text

__all__ = [
    "BatchFailure",
    "BatchInput",
    "BatchResult",
    "JsonlAppender",
    "asummarize_many",
    "output_error",
    "read_inputs",
    "read_jsonl",
    "summarize_many",
]

_DONE = object()


# --------------------------------------------------------------------------- the engine


@dataclass
class _Runner:
    settings: Settings
    cache: ResultCache | None
    llm: LLM | None
    retries: int
    retry_delay: float
    owns_llm: bool = False
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _identity: tuple[str, str] | None = None

    async def client(self) -> LLM:
        async with self._lock:
            if self.llm is None:
                endpoint = await asyncio.to_thread(resolve_endpoint, self.settings)
                self.llm = LLM(self.settings, endpoint)
                self.owns_llm = True
            return self.llm

    def identity(self) -> tuple[str, str]:
        """(model, base URL) for cache keys, without starting the embedded server."""
        if self._identity is None:
            if self.llm is not None:
                endpoint = self.llm.endpoint
                self._identity = (endpoint.model, endpoint.base_url)
            elif self.settings.uses_embedded:
                self._identity = (f"embedded:{model_file(self.settings).name}", "embedded")
            else:
                endpoint = resolve_endpoint(self.settings)
                self._identity = (endpoint.model, endpoint.base_url)
        return self._identity

    def key(self, chunks: list[PreparedArticle]) -> str:
        model, base_url = self.identity()
        prompt = chunks[0].prompt_id
        return cache_key(
            "".join(chunk.cleaned.text for chunk in chunks),
            model=model,
            base_url=base_url,
            prompt_version=prompt.version,
            prompt_sha256=prompt.sha256,
            schema_version=SCHEMA_VERSION,
            chunk_chars=self.settings.max_article_chars if len(chunks) > 1 else None,
            published=chunks[0].published,
            outlet=chunks[0].outlet,
            url=chunks[0].document.url,
        )

    async def once(self, item: BatchInput) -> tuple[ArticleReport, bool]:
        document = await (
            aload_text(item.text, settings=self.settings)
            if item.text is not None
            else aload_source(item.source, settings=self.settings)
        )
        # Cleaning and rendering are pure CPU, about a millisecond for a news article:
        # on the event loop, as a worker thread would add its hand-offs (4-5% of a
        # batch's CPU, profiled) and no parallelism under the GIL.
        chunks = prepare_chunks(
            document, published=item.published, outlet=item.outlet, settings=self.settings
        )
        key = self.key(chunks) if self.cache is not None else None
        warnings: list[str] = []
        if self.cache is not None and key is not None:
            hit = await _cache_get(self.cache, key, warnings)
            if hit is not None:
                return hit, True
        # looked up at call time: tests of the digest replace it with records built from
        # gold annotations
        report = await api.aextract_chunks(chunks, llm=await self.client())
        if self.cache is not None and key is not None:
            await _cache_put(self.cache, key, report, warnings)
        return with_warnings(report, warnings), False

    async def run(self, item: BatchInput) -> BatchResult:
        started = time.perf_counter()
        # only a file input makes hashing do I/O
        digest = (
            await asyncio.to_thread(item.content_sha256)
            if item.path is not None
            else item.content_sha256()
        )
        tries = 0
        while True:
            tries += 1
            try:
                item.check_unicode()
                report, cached = await self.once(item)
            except EndpointError as error:
                if tries <= self.retries:
                    await asyncio.sleep(self.retry_delay * 2 ** (tries - 1))
                    continue
                outcome: ArticleReport | BatchFailure = BatchFailure.from_exception(error, tries)
            except InputError as error:
                outcome = BatchFailure.from_exception(error, 0)
            except Exception as error:  # one input must never end a batch of thousands
                outcome = BatchFailure.from_exception(error, tries)
            else:
                return BatchResult(item.id, digest, report, cached, _since(started))
            return BatchResult(item.id, digest, outcome, False, _since(started))


async def _cache_get(cache: ResultCache, key: str, warnings: list[str]) -> ArticleReport | None:
    """A cache lookup in a worker thread; an error is a miss and a warning."""
    try:
        return await asyncio.to_thread(cache.get, key)
    except CACHE_ERRORS as error:
        warnings.append(f"the result cache could not be read ({_one_line(error)})")
        return None


async def _cache_put(
    cache: ResultCache, key: str, report: ArticleReport, warnings: list[str]
) -> None:
    """Store a record in a worker thread; an error is a warning, the record stands."""
    try:
        await asyncio.to_thread(cache.put, key, report)
    except CACHE_ERRORS as error:
        warnings.append(f"the record could not be stored in the result cache ({_one_line(error)})")


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())[:300] or type(error).__name__


def _since(started: float) -> float:
    return round(time.perf_counter() - started, 3)


async def _inputs(
    inputs: Iterable[BatchInput] | AsyncIterable[BatchInput],
) -> AsyncGenerator[BatchInput, None]:
    if isinstance(inputs, AsyncIterable):
        async for item in inputs:
            yield item
    else:
        for item in inputs:
            yield item


async def asummarize_many(
    inputs: Iterable[BatchInput] | AsyncIterable[BatchInput],
    *,
    concurrency: int = 8,
    settings: Settings | None = None,
    cache: ResultCache | bool = True,
    llm: LLM | None = None,
    retries: int = 1,
    retry_delay: float = 2.0,
) -> AsyncGenerator[BatchResult, None]:
    """Summarize many articles, yielding a :class:`BatchResult` for each as it completes.

    Args:
        inputs: the articles (an iterable or async iterable, consumed lazily).
        concurrency: how many inputs are in flight at once.
        settings: endpoint and limits (default: from the environment).
        cache: ``True`` for the default SQLite cache of ``settings``, ``False`` for none,
            or a :class:`~summarizer.batch.cache.ResultCache` (the caller closes it).
        llm: a client to share (the caller closes it); default: one made on the first
            cache miss and closed at the end.
        retries: further tries of an input whose endpoint failed after the client's
            own transport retries (``EndpointError``).
        retry_delay: seconds before the first such retry, doubling each time.

    Close the generator early with ``contextlib.aclosing`` to cancel what is in flight.
    """
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    settings = settings or Settings()
    own_cache = ResultCache.for_settings(settings) if cache is True else None
    runner = _Runner(
        settings,
        own_cache if own_cache is not None else (cache if isinstance(cache, ResultCache) else None),
        llm,
        retries,
        retry_delay,
    )
    source = _inputs(inputs)
    take = asyncio.Lock()
    results: asyncio.Queue[object] = asyncio.Queue(maxsize=concurrency * 2)

    async def next_input() -> BatchInput | None:
        async with take:
            return await anext(source, None)

    async def worker() -> None:
        while (item := await next_input()) is not None:
            await results.put(await runner.run(item))

    async def supervise(workers: list[asyncio.Task[None]]) -> None:
        try:
            await asyncio.gather(*workers)
        except Exception as error:  # an input iterator that raised: hand it to the consumer
            await results.put(error)
        else:
            await results.put(_DONE)

    workers = [asyncio.create_task(worker()) for _ in range(concurrency)]
    supervisor = asyncio.create_task(supervise(workers))
    try:
        while (result := await results.get()) is not _DONE:
            if isinstance(result, BaseException):
                raise result
            assert isinstance(result, BatchResult)
            yield result
    finally:
        for task in (*workers, supervisor):
            task.cancel()
        await asyncio.gather(*workers, supervisor, return_exceptions=True)
        with contextlib.suppress(Exception):
            await source.aclose()
        if runner.owns_llm and runner.llm is not None:
            await runner.llm.aclose()
        if own_cache is not None:
            own_cache.close()


def summarize_many(
    inputs: Iterable[BatchInput],
    *,
    concurrency: int = 8,
    settings: Settings | None = None,
    cache: ResultCache | bool = True,
    llm: LLM | None = None,
    retries: int = 1,
    retry_delay: float = 2.0,
) -> Iterator[BatchResult]:
    """The sync twin of :func:`asummarize_many`: a generator for code without asyncio.

    The batch runs in an event loop on a worker thread; results come back through a
    bounded queue. Closing the generator early cancels what is in flight.
    """
    options: dict[str, Any] = {
        "concurrency": concurrency,
        "settings": settings,
        "cache": cache,
        "llm": llm,
        "retries": retries,
        "retry_delay": retry_delay,
    }
    handoff: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=concurrency * 2)
    stop = threading.Event()
    started = threading.Event()
    running: dict[str, Any] = {}

    def offer(kind: str, value: Any) -> None:
        while not stop.is_set():
            try:
                handoff.put((kind, value), timeout=0.05)
            except queue.Full:
                continue
            return

    async def main() -> None:
        running["loop"] = asyncio.get_running_loop()
        running["task"] = asyncio.current_task()
        started.set()
        async with contextlib.aclosing(asummarize_many(inputs, **options)) as results:
            async for result in results:
                while True:
                    try:
                        handoff.put_nowait(("result", result))
                        break
                    except queue.Full:
                        if stop.is_set():
                            return
                        await asyncio.sleep(0.01)

    def thread_main() -> None:
        try:
            asyncio.run(main())
        except BaseException as error:  # handed to the consumer, which re-raises it
            offer("error", error)
        else:
            offer("done", None)
        finally:
            started.set()

    thread = threading.Thread(target=thread_main, name="summarize-many", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = handoff.get()
            if kind == "done":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()
        started.wait()
        loop, task = running.get("loop"), running.get("task")
        if loop is not None and task is not None:
            with contextlib.suppress(RuntimeError):  # the loop already finished
                loop.call_soon_threadsafe(task.cancel)
        thread.join()
