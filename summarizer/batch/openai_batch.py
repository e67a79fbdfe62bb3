"""Scale beyond one machine: OpenAI Batch API request files, submission, and import.

:func:`awrite_requests` turns inputs into a Batch API requests file, one JSON line per
request, ``{custom_id, method: "POST", url: "/v1/chat/completions", body}``, where
``body`` is exactly what :class:`~summarizer.llm.client.LLM` sends in JSON-schema mode (model,
messages, ``response_format`` with the ``Extraction`` JSON Schema, temperature,
max_tokens; see :func:`request_body`). The same file runs on OpenAI's Batch API or
vLLM's batch runner (``python -m vllm.entrypoints.openai.run_batch``). Long articles
become one request per chunk. Next to it, a *manifest* (``<name>.manifest.jsonl``)
keeps, per request, the input id and hash, chunk number and the cleaned text: what
validating the answers needs.

:func:`submit_and_wait` uploads the file (``files.create``), creates the batch
(``batches.create``), polls it with backoff and downloads the output and error files.
:func:`import_output` validates each returned completion like the live path does
(``Extraction.model_validate_json`` with the grounding context, final attempt, so
unsupported claims are removed), assembles the record with
:func:`summarizer.api.build_report`, merges chunks, and yields a
:class:`~summarizer.batch.runner.BatchResult` per input: every input of the manifest yields
exactly one, a failure when its answer is missing, an error, truncated or invalid.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import openai
import pydantic

from summarizer.api import (
    PreparedArticle,
    build_report,
    prepare_chunks,
    resolve_endpoint,
)
from summarizer.batch.runner import BatchFailure, BatchInput, BatchResult, read_jsonl
from summarizer.errors import (
    ConfigurationError,
    EndpointError,
    ExtractionFailed,
    InputError,
    SummarizerError,
)
from summarizer.llm.client import Completion, Endpoint
from summarizer.llm.prompts import load_prompt
from summarizer.schema import ArticleReport, Extraction, Usage
from summarizer.settings import Settings
from summarizer.text.chunking import merge_reports
from summarizer.text.clean import CleanResult
from summarizer.text.sources import SourceDocument, aload_source

__all__ = [
    "BATCH_URL",
    "OFFLINE_BASE_URL",
    "BatchFiles",
    "WrittenRequests",
    "awrite_requests",
    "batch_target",
    "import_output",
    "manifest_for",
    "request_body",
    "submit_and_wait",
]

#: The ``url`` of every request line.
BATCH_URL: Final = "/v1/chat/completions"
#: The base URL recorded when requests target no configured endpoint (e.g. vLLM offline).
OFFLINE_BASE_URL = "offline-batch"
_TERMINAL = frozenset({"completed", "failed", "expired", "cancelled"})


def batch_target(settings: Settings) -> tuple[str, str]:
    """(model, base URL) the requests are written for, without starting any server:
    the configured endpoint, OpenAI with a bare key, else ``SUMMARIZER_MODEL`` offline."""
    if settings.base_url or settings.api_key:
        endpoint = resolve_endpoint(settings)
        return endpoint.model, endpoint.base_url
    if not settings.model:
        raise ConfigurationError(
            "writing batch requests needs the model name they are for: pass --model or set "
            "SUMMARIZER_MODEL (e.g. the model your vLLM batch runner serves)"
        )
    return settings.model, OFFLINE_BASE_URL


def request_body(prepared: PreparedArticle, *, model: str, settings: Settings) -> dict[str, Any]:
    """The chat completion body the live client sends in JSON-schema mode."""
    return {
        "model": model,
        "messages": prepared.messages,
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": Extraction.__name__, "schema": Extraction.model_json_schema()},
        },
        "temperature": settings.temperature,
        "max_tokens": settings.max_tokens,
    }


def manifest_for(requests: Path) -> Path:
    """``requests.jsonl`` -> ``requests.manifest.jsonl`` (same directory)."""
    return requests.with_name(f"{_stem(requests)}.manifest.jsonl")


def _stem(path: Path) -> str:
    name = path.name
    for suffix in (".output.jsonl", ".errors.jsonl", ".jsonl"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


@dataclass
class WrittenRequests:
    """What :func:`awrite_requests` wrote."""

    requests_path: Path
    manifest_path: Path
    inputs: int = 0
    requests: int = 0
    failures: list[BatchResult] = field(default_factory=list)


def _manifest_entry(
    custom_id: str,
    item: BatchInput,
    digest: str,
    chunk: PreparedArticle,
    number: int,
    count: int,
    target: tuple[str, str],
) -> dict[str, Any]:
    document = chunk.document
    return {
        "custom_id": custom_id,
        "id": item.id,
        "input_sha256": digest,
        "chunk": number,
        "chunks": count,
        "text": chunk.cleaned.text,
        "removed_chars": chunk.cleaned.removed_chars,
        "kind": document.kind,
        "url": document.url,
        "title": document.title,
        "published": chunk.published.isoformat() if chunk.published else None,
        "outlet": chunk.outlet,
        "prompt": chunk.prompt_id.model_dump(),
        "model": target[0],
        "base_url": target[1],
    }


class _AtomicLines:
    """Lines written to a temporary file, renamed over the target on success."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        self.temp = Path(name)
        self.file = os.fdopen(fd, "w", encoding="utf-8")

    def write(self, line: str) -> None:
        self.file.write(line + "\n")

    def commit(self) -> None:
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
        self.temp.replace(self.path)

    def abort(self) -> None:
        self.file.close()
        self.temp.unlink(missing_ok=True)


async def awrite_requests(
    inputs: Iterable[BatchInput],
    requests_path: Path,
    *,
    settings: Settings,
    concurrency: int = 8,
) -> WrittenRequests:
    """Write the Batch API requests file and its manifest for these inputs.

    Sources are loaded (URLs fetched) ``concurrency`` at a time; inputs that cannot be
    loaded are returned as failures. Both files are replaced atomically at the end.
    """
    target = batch_target(settings)
    written = WrittenRequests(requests_path, manifest_for(requests_path))
    gate = asyncio.Semaphore(concurrency)

    async def load(item: BatchInput) -> tuple[BatchInput, str, list[PreparedArticle] | Exception]:
        async with gate:
            digest = await asyncio.to_thread(item.content_sha256)
            try:
                document = await aload_source(item.source, settings=settings)
                chunks = await asyncio.to_thread(
                    prepare_chunks,
                    document,
                    published=item.published,
                    outlet=item.outlet,
                    settings=settings,
                )
            except SummarizerError as error:
                return item, digest, error
            return item, digest, chunks

    requests, manifest = _AtomicLines(requests_path), _AtomicLines(written.manifest_path)
    try:
        for loaded in asyncio.as_completed([load(item) for item in inputs]):
            item, digest, chunks = await loaded
            written.inputs += 1
            if isinstance(chunks, Exception):
                failure = BatchFailure.from_exception(chunks, 0)
                written.failures.append(BatchResult(item.id, digest, failure))
                continue
            for number, chunk in enumerate(chunks, start=1):
                written.requests += 1
                custom_id = f"req-{written.requests:06d}"
                line = {
                    "custom_id": custom_id,
                    "method": "POST",
                    "url": BATCH_URL,
                    "body": request_body(chunk, model=target[0], settings=settings),
                }
                requests.write(json.dumps(line, ensure_ascii=False))
                entry = _manifest_entry(custom_id, item, digest, chunk, number, len(chunks), target)
                manifest.write(json.dumps(entry, ensure_ascii=False))
    except BaseException:
        requests.abort()
        manifest.abort()
        raise
    requests.commit()
    manifest.commit()
    return written


# --------------------------------------------------------------------------- submission


@dataclass
class BatchFiles:
    """A finished batch: its id, final status and the files downloaded."""

    batch_id: str
    status: str
    output: Path | None
    errors: Path | None

    @property
    def paths(self) -> list[Path]:
        """The downloaded files (output first)."""
        return [p for p in (self.output, self.errors) if p is not None]


def _api_error(error: openai.OpenAIError, host: str) -> SummarizerError:
    if isinstance(error, openai.AuthenticationError | openai.PermissionDeniedError):
        return ConfigurationError(
            f"{host} rejected the API key (HTTP {error.status_code}); set SUMMARIZER_API_KEY "
            "or OPENAI_API_KEY"
        )
    if isinstance(error, openai.APIStatusError):
        return EndpointError(f"{host} answered HTTP {error.status_code} to a Batch API call")
    return EndpointError(f"Batch API call to {host} failed: {type(error).__name__}: {error}")


def submit_and_wait(
    requests_path: Path,
    *,
    settings: Settings,
    batch_id: str | None = None,
    poll_interval: float = 10.0,
    max_interval: float = 300.0,
    on_status: Callable[[str, str, dict[str, int]], None] | None = None,
) -> BatchFiles:
    """Upload and start the batch (or resume polling ``batch_id``), poll until it ends
    (the interval grows by half each poll up to ``max_interval``), download its files
    next to the requests: ``<name>.output.jsonl`` and ``<name>.errors.jsonl``.

    ``on_status(batch_id, status, request_counts)`` hears of every poll.
    """
    if settings.api_key is None:
        raise ConfigurationError("submitting a batch needs an API key: set SUMMARIZER_API_KEY")
    _, base_url = batch_target(settings)
    endpoint = Endpoint(base_url, "", settings.api_key.get_secret_value())
    client = openai.OpenAI(base_url=base_url, api_key=endpoint.api_key, max_retries=3)
    try:
        if batch_id is None:
            with requests_path.open("rb") as file:
                uploaded = client.files.create(file=file, purpose="batch")
            created = client.batches.create(
                input_file_id=uploaded.id, endpoint=BATCH_URL, completion_window="24h"
            )
            batch_id = created.id
        interval = poll_interval
        while True:
            batch = client.batches.retrieve(batch_id)
            counts = batch.request_counts
            if on_status is not None:
                on_status(
                    batch.id,
                    batch.status,
                    {
                        "total": counts.total if counts else 0,
                        "completed": counts.completed if counts else 0,
                        "failed": counts.failed if counts else 0,
                    },
                )
            if batch.status in _TERMINAL:
                break
            time.sleep(interval)
            interval = min(interval * 1.5, max_interval)
        stem = _stem(requests_path)
        files: dict[str, Path | None] = {"output": None, "errors": None}
        for kind, file_id in (("output", batch.output_file_id), ("errors", batch.error_file_id)):
            if file_id:
                path = requests_path.with_name(f"{stem}.{kind}.jsonl")
                path.write_bytes(client.files.content(file_id).content)
                files[kind] = path
    except openai.OpenAIError as error:
        raise _api_error(error, endpoint.host) from error
    finally:
        client.close()
    return BatchFiles(batch_id, batch.status, files["output"], files["errors"])


# --------------------------------------------------------------------------- import


def _failure(
    error: type[SummarizerError], message: str, completions: int | None = 1
) -> BatchFailure:
    return BatchFailure(error.__name__, message, 1, error.exit_code, completions)


def _content(body: dict[str, Any]) -> tuple[str | None, str | None]:
    """The completion text and finish reason of a chat completion body."""
    choices = body.get("choices") or []
    if not choices or not isinstance(choices[0], dict):
        return None, None
    message = choices[0].get("message") or {}
    calls = message.get("tool_calls") or []
    if calls:
        return calls[0].get("function", {}).get("arguments"), choices[0].get("finish_reason")
    return message.get("content"), choices[0].get("finish_reason")


def _prepared(entry: dict[str, Any]) -> PreparedArticle:
    text = str(entry["text"])
    published = entry.get("published")
    date = dt.date.fromisoformat(published) if published else None
    document = SourceDocument(
        text=text, kind=entry.get("kind") or "text", url=entry.get("url"), title=entry.get("title")
    )
    cleaned = CleanResult(text, int(entry.get("removed_chars") or 0), (), None, None)
    prompt = load_prompt(entry["prompt"]["name"], entry["prompt"]["version"])
    return PreparedArticle(document, cleaned, date, entry.get("outlet"), prompt, [])


def _line_outcome(line: dict[str, Any], entry: dict[str, Any]) -> ArticleReport | BatchFailure:
    """The record (or failure) of one output line, validated like the live path."""
    if line.get("error"):
        error = line["error"]
        message = error.get("message") if isinstance(error, dict) else str(error)
        return _failure(EndpointError, f"the batch reported an error: {message}", None)
    response = line.get("response") or {}
    status = response.get("status_code")
    body = response.get("body")
    if status != 200 or not isinstance(body, dict):
        detail = body.get("error", {}).get("message") if isinstance(body, dict) else body
        return _failure(EndpointError, f"the request got HTTP {status}: {detail}", None)
    content, finish = _content(body)
    if finish == "length":
        return _failure(ExtractionFailed, "the model stopped at max_tokens before finishing")
    if not isinstance(content, str):
        return _failure(ExtractionFailed, "the completion has no content")
    prepared = _prepared(entry)
    context: dict[str, Any] = {
        "source_text": prepared.cleaned.text,
        "warnings": [],
        "attempt": 1,
        "final_attempt": 1,
    }
    try:
        extraction = Extraction.model_validate_json(content, context=context)
    except pydantic.ValidationError as error:
        first = error.errors()[0] if error.errors() else {"msg": str(error), "loc": ()}
        where = ".".join(str(part) for part in first.get("loc", ()))
        message = " ".join(str(first.get("msg", "")).split())
        return _failure(ExtractionFailed, f"invalid answer: {where}: {message}".replace(": :", ":"))
    usage = body.get("usage") or {}
    completion = Completion(
        value=extraction,
        attempts=1,
        usage=Usage(
            prompt_tokens=int(usage.get("prompt_tokens") or 0),
            completion_tokens=int(usage.get("completion_tokens") or 0),
            total_tokens=int(usage.get("total_tokens") or 0),
        ),
        latency_seconds=0.0,
        raw=content,
    )
    endpoint = Endpoint(str(entry["base_url"]), str(body.get("model") or entry["model"]), "")
    return build_report(prepared, completion, endpoint, warnings=context["warnings"])


def _check_prompts(entries: Iterable[dict[str, Any]]) -> None:
    seen: set[tuple[str, str, str]] = set()
    for entry in entries:
        prompt = entry["prompt"]
        key = (prompt["name"], prompt["version"], prompt["sha256"])
        if key in seen:
            continue
        seen.add(key)
        current = load_prompt(prompt["name"], prompt["version"]).sha256
        if current != prompt["sha256"]:
            raise ConfigurationError(
                f"prompt {prompt['name']}/{prompt['version']} changed since the requests were "
                f"written ({prompt['sha256']} then, {current} now); write and run them again"
            )


def _combine(item_entries: list[dict[str, Any]], outcomes: dict[int, Any]) -> BatchResult:
    first = item_entries[0]
    count = int(first["chunks"])
    failures = [
        (number, outcome)
        for number, outcome in sorted(outcomes.items())
        if isinstance(outcome, BatchFailure)
    ]
    if failures:
        number, failure = failures[0]
        if count > 1:
            failure = BatchFailure(
                failure.error,
                f"chunk {number}/{count}: {failure.message}",
                failure.attempts,
                failure.exit_code,
                failure.completions,
            )
        return BatchResult(first["id"], first["input_sha256"], failure)
    reports = [outcomes[number] for number in range(1, count + 1)]
    text = "".join(str(e["text"]) for e in sorted(item_entries, key=lambda e: int(e["chunk"])))
    return BatchResult(first["id"], first["input_sha256"], merge_reports(reports, source_text=text))


def import_output(outputs: Sequence[Path], manifest: Path) -> Iterator[BatchResult]:
    """One :class:`BatchResult` per input of the manifest, from Batch API output files.

    Lines for unknown ``custom_id`` are ignored; a success wins over an error line for
    the same request; requests with no line at all become failures.
    """
    entries = {str(e["custom_id"]): e for e in read_jsonl(manifest) if "custom_id" in e}
    if not entries:
        raise InputError(f"{manifest} has no requests; is it a manifest written with the requests?")
    _check_prompts(entries.values())
    by_input: dict[str, list[dict[str, Any]]] = {}
    for entry in entries.values():
        by_input.setdefault(str(entry["id"]), []).append(entry)
    outcomes: dict[str, dict[int, ArticleReport | BatchFailure]] = {key: {} for key in by_input}
    for path in outputs:
        if not path.is_file():
            raise InputError(f"no such file: {path}")
        for line in read_jsonl(path):
            match = entries.get(str(line.get("custom_id")))
            if match is None:
                continue
            known = outcomes[str(match["id"])]
            number = int(match["chunk"])
            if isinstance(known.get(number), ArticleReport):
                continue
            try:
                known[number] = _line_outcome(line, match)
            except SummarizerError as error:
                known[number] = BatchFailure.from_exception(error, 1)
    for item_id, item_entries in by_input.items():
        known = outcomes[item_id]
        for entry in item_entries:
            known.setdefault(
                int(entry["chunk"]),
                _failure(
                    EndpointError,
                    f"no answer for request {entry['custom_id']} in the output files",
                    None,
                ),
            )
        yield _combine(item_entries, known)
