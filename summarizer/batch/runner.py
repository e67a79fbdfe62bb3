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
appending; :func:`read_jsonl` skips lines that do not parse. :func:`read_inputs` reads
a directory, a list of paths/URLs, or a JSONL of ``{id, text|url|path, published}``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import json
import os
import queue
import threading
import time
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    Callable,
    Iterable,
    Iterator,
)
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, TypeAlias

from summarizer.api import PreparedArticle, aextract_chunks, prepare_chunks, resolve_endpoint
from summarizer.batch.cache import ResultCache, cache_key
from summarizer.errors import (
    EndpointError,
    ExtractionFailed,
    InputError,
    SummarizerError,
    redact_text,
)
from summarizer.llm.client import LLM
from summarizer.llm.embedded import model_file
from summarizer.schema import SCHEMA_VERSION, ArticleReport
from summarizer.settings import Settings
from summarizer.text.sources import aload_source, aload_text

__all__ = [
    "BatchFailure",
    "BatchInput",
    "BatchResult",
    "CachedSummarizer",
    "JsonlAppender",
    "asummarize_many",
    "read_inputs",
    "read_jsonl",
    "summarize_many",
]

_Source: TypeAlias = str | Path
_DONE = object()


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class BatchInput:
    """One article of a batch: an id and exactly one of ``text``, ``url`` or ``path``.

    Attributes:
        id: unique within the batch; results and failures are keyed by it.
        text: the article itself (plain text or HTML), never read as a path or URL.
        url: an http(s) URL to fetch.
        path: a file to read.
        published: publication date, to resolve "on Sunday" to a date.
        outlet: the outlet the article came from.
    """

    id: str
    text: str | None = None
    url: str | None = None
    path: Path | None = None
    published: dt.date | None = None
    outlet: str | None = None

    def __post_init__(self) -> None:
        if not self.id:
            raise InputError("a batch input needs a non-empty id")
        given = [name for name in ("text", "url", "path") if getattr(self, name) is not None]
        if len(given) != 1:
            raise InputError(
                f"batch input {self.id!r} needs exactly one of text, url or path "
                f"(got {', '.join(given) or 'none'})"
            )

    @property
    def source(self) -> _Source:
        """What :func:`summarizer.text.sources.load_source` loads."""
        if self.path is not None:
            return self.path
        return self.url if self.url is not None else str(self.text)

    def content_sha256(self) -> str:
        """SHA-256 of what this input is: the text, the URL, or the file's bytes, with the
        publication date and outlet. Resume compares it to know an input is unchanged."""
        digest = hashlib.sha256()
        if self.path is not None:
            digest.update(b"path\0")
            try:
                with self.path.open("rb") as file:
                    for block in iter(lambda: file.read(1 << 20), b""):
                        digest.update(block)
            except OSError as error:  # loading reports it; the hash only needs to be stable
                digest.update(f"unreadable {self.path}: {type(error).__name__}".encode())
        elif self.url is not None:
            digest.update(b"url\0" + self.url.encode())
        else:
            digest.update(b"text\0" + str(self.text).encode("utf-8", errors="surrogatepass"))
        extra = f"\0{self.published or ''}\0{self.outlet or ''}"
        digest.update(extra.encode())
        return digest.hexdigest()


@dataclass(frozen=True)
class BatchFailure:
    """Why an input produced no record.

    Attributes:
        error: the error's class name (``InputError``, ``EndpointError``...).
        message: its one-line message.
        attempts: how many times the batch tried this input (each try includes the
            client's transport retries and validation re-asks); 0 if it never reached
            the model.
        exit_code: the exit code the command line would give this error.
        completions: for ``ExtractionFailed``, the model answers requested in the last try.
    """

    error: str
    message: str
    attempts: int
    exit_code: int
    completions: int | None = None

    @classmethod
    def from_exception(cls, error: BaseException, attempts: int) -> BatchFailure:
        """The failure record of an exception."""
        message = redact_text(" ".join(str(error).split())) or type(error).__name__
        exit_code = error.exit_code if isinstance(error, SummarizerError) else 1
        completions = error.attempts if isinstance(error, ExtractionFailed) else None
        return cls(type(error).__name__, message, attempts, exit_code, completions)


@dataclass(frozen=True)
class BatchResult:
    """The outcome of one input: a record or a failure.

    Attributes:
        id: the input's id.
        input_sha256: :meth:`BatchInput.content_sha256` of the input.
        outcome: the validated record, or why there is none.
        cached: the record came from the result cache (no LLM call).
        seconds: wall time spent on this input.
    """

    id: str
    input_sha256: str
    outcome: ArticleReport | BatchFailure
    cached: bool = False
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when there is a record."""
        return isinstance(self.outcome, ArticleReport)

    @property
    def report(self) -> ArticleReport | None:
        """The record, if any."""
        return self.outcome if isinstance(self.outcome, ArticleReport) else None

    @property
    def failure(self) -> BatchFailure | None:
        """The failure, if any."""
        return self.outcome if isinstance(self.outcome, BatchFailure) else None

    def to_json(self) -> dict[str, Any]:
        """The line written to the results file (a record) or the failures file."""
        line: dict[str, Any] = {"id": self.id, "input_sha256": self.input_sha256}
        if isinstance(self.outcome, ArticleReport):
            line["cached"] = self.cached
            line["report"] = self.outcome.model_dump(mode="json")
        else:
            failure = self.outcome
            line |= {
                "error": failure.error,
                "message": redact_text(failure.message),
                "attempts": failure.attempts,
                "exit_code": failure.exit_code,
                "completions": failure.completions,
            }
        return line


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
        if self.cache is not None and key is not None:
            hit = self.cache.get(key)
            if hit is not None:
                return hit, True
        report = await aextract_chunks(chunks, llm=await self.client())
        if self.cache is not None and key is not None:
            self.cache.put(key, report)
        return report, False

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


class CachedSummarizer:
    """:func:`summarizer.api.asummarize` with the result cache in front of the LLM.

    What the Slack digest and bot summarize with, so that an article already summarized
    (by ``summarizer batch``, an earlier digest, another channel) costs no LLM call. The
    source is loaded and cleaned once; on a miss the loaded document goes to
    :func:`~summarizer.api.asummarize` (a URL is never fetched twice) and the record is
    stored. ``hits`` and ``misses`` count the calls. Use it as an async context manager
    (or call :meth:`aclose`) to close the cache when this object opened it.
    """

    def __init__(self, settings: Settings, cache: ResultCache | None = None) -> None:
        self.settings = settings
        self._own_cache = cache is None
        self.cache = ResultCache.for_settings(settings) if cache is None else cache
        self._keys = _Runner(settings, self.cache, None, retries=0, retry_delay=0.0)
        self.hits = 0
        self.misses = 0

    async def __call__(
        self,
        source: str | Path,
        *,
        published: dt.date | None = None,
        settings: Settings | None = None,
    ) -> ArticleReport:
        """Summarize ``source`` (text, URL or path); ``settings`` must be this object's."""
        from summarizer import api  # looked up at call time: tests may replace asummarize

        if settings is not None and settings is not self.settings:
            raise ValueError("CachedSummarizer was created with other settings")
        document = await aload_source(source, settings=self.settings)
        chunks = await asyncio.to_thread(
            prepare_chunks, document, published=published, outlet=None, settings=self.settings
        )
        key = self._keys.key(chunks)
        if (hit := self.cache.get(key)) is not None:
            self.hits += 1
            return hit
        report = await api.asummarize(document, published=published, settings=self.settings)
        self.cache.put(key, report)
        self.misses += 1
        return report

    async def aclose(self) -> None:
        """Close the cache if this object opened it."""
        if self._own_cache:
            self.cache.close()

    async def __aenter__(self) -> CachedSummarizer:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


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


# --------------------------------------------------------------------------- JSONL files


class JsonlAppender:
    """Appends JSON lines durably: one ``os.write`` per line on an ``O_APPEND`` descriptor,
    then ``fsync``. A kill can at worst leave a torn *last* line, which opening the file
    again truncates away (see :meth:`repair`) before anything is appended."""

    def __init__(self, path: Path, *, truncate: bool = False) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | (os.O_TRUNC if truncate else 0)
        self._fd: int | None = os.open(self.path, flags, 0o644)
        self.repaired = self.repair()
        self.written = 0

    def repair(self) -> int:
        """Cut a torn final line (no trailing newline); returns the bytes removed."""
        assert self._fd is not None
        size = os.fstat(self._fd).st_size
        if size == 0:
            return 0
        with self.path.open("rb") as file:
            file.seek(size - 1)
            if file.read(1) == b"\n":
                return 0
            keep, position, block = 0, size, 1 << 16
            while position > 0:
                start = max(position - block, 0)
                file.seek(start)
                chunk = file.read(position - start)
                newline = chunk.rfind(b"\n")
                if newline >= 0:
                    keep = start + newline + 1
                    break
                position = start
        os.ftruncate(self._fd, keep)
        os.fsync(self._fd)
        return size - keep

    def write(self, data: dict[str, Any]) -> None:
        """Append one JSON object as a line, flushed to disk before returning."""
        if self._fd is None:
            raise ValueError(f"{self.path} is closed")
        line = (json.dumps(data, ensure_ascii=False) + "\n").encode()
        view = memoryview(line)
        while view:  # a regular file takes it in one write; loop only on a short write
            view = view[os.write(self._fd, view) :]
        os.fsync(self._fd)
        self.written += 1

    def close(self) -> None:
        """Close the file descriptor."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> JsonlAppender:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def read_jsonl(
    path: Path, on_bad: Callable[[int, str], None] | None = None
) -> Iterator[dict[str, Any]]:
    """The JSON objects of a JSONL file, skipping blank lines and lines that do not parse
    (a torn last line after a crash); ``on_bad(line_number, line)`` hears of each."""
    path = Path(path)
    if not path.is_file():
        return
    with path.open(encoding="utf-8", errors="replace") as file:
        for number, line in enumerate(file, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except ValueError:
                data = None
            if isinstance(data, dict):
                yield data
            elif on_bad is not None:
                on_bad(number, line)


def _date(value: Any, where: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InputError(
            f"{where}: published must be a date like 2019-08-11, not {value!r}"
        ) from None


def _from_json_line(data: Any, number: int, origin: Path) -> BatchInput:
    where = f"line {number} of {origin}"
    if not isinstance(data, dict):
        raise InputError(f"{where} is not a JSON object")
    unknown = set(data) - {"id", "text", "url", "path", "published", "outlet"}
    if unknown:
        raise InputError(f"{where} has unknown keys: {', '.join(sorted(unknown))}")
    path = data.get("path")
    return BatchInput(
        id=str(data.get("id") or f"line-{number}"),
        text=data.get("text"),
        url=data.get("url"),
        path=(origin.parent / str(path)).resolve() if path is not None else None,
        published=_date(data.get("published"), where),
        outlet=data.get("outlet"),
    )


def _is_jsonl(path: Path, first: str) -> bool:
    return path.suffix.lower() in (".jsonl", ".ndjson") or first.lstrip().startswith("{")


def _list_line(line: str, directory: Path) -> BatchInput:
    if line.startswith(("http://", "https://")):
        return BatchInput(id=line, url=line)
    return BatchInput(id=line, path=(directory / line).expanduser().resolve())


def _read_text(path: Path) -> str:
    try:
        return path.read_text("utf-8")
    except FileNotFoundError:
        raise InputError(f"no such file or directory: {path}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read the input list {path}: {error}") from None


def read_inputs(path: Path) -> list[BatchInput]:
    """The inputs a path names: every non-hidden file under a directory (id: the path
    relative to it); a JSONL file of ``{id, text|url|path, published, outlet}`` (paths
    relative to the file); or a text file of paths and URLs, one a line (``#`` comments).

    Raises InputError on a missing path, a malformed line or a duplicate id.
    """
    path = Path(path).expanduser()
    inputs: list[BatchInput] = []
    if path.is_dir():
        for file in sorted(path.rglob("*")):
            relative = file.relative_to(path)
            if file.is_file() and not any(part.startswith(".") for part in relative.parts):
                inputs.append(BatchInput(id=relative.as_posix(), path=file.resolve()))
    else:
        text = _read_text(path)
        lines = text.splitlines()
        first = next((line for line in lines if line.strip()), "")
        for number, line in enumerate(lines, start=1):
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            if _is_jsonl(path, first):
                try:
                    data = json.loads(stripped)
                except ValueError:
                    raise InputError(f"line {number} of {path} is not JSON") from None
                inputs.append(_from_json_line(data, number, path))
            else:
                inputs.append(_list_line(stripped, path.parent))
    seen: set[str] = set()
    for item in inputs:
        if item.id in seen:
            raise InputError(f"duplicate input id {item.id!r} in {path}; ids must be unique")
        seen.add(item.id)
    return inputs
