"""What the Batch API file formats share: atomic files, loading inputs into chunks, the
manifest, reading an output line, and turning a chunk's outcomes into one result.

Used by :mod:`summarizer.batch.openai_batch` (one-shot prompts, one request per chunk)
and :mod:`summarizer.batch.rounds` (the step pipeline, rounds of requests).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import tempfile
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from summarizer.api import PreparedArticle, prepare_chunks, resolve_endpoint
from summarizer.batch.runner import BatchFailure, BatchInput, BatchResult
from summarizer.errors import ConfigurationError, SummarizerError
from summarizer.extraction._steps import is_steps_version, load_step_prompts
from summarizer.llm.prompts import load_prompt
from summarizer.schema import Usage
from summarizer.settings import Settings
from summarizer.text.chunking import merge_reports
from summarizer.text.clean import CleanResult
from summarizer.text.sources import SourceDocument, aload_source

__all__ = [
    "OFFLINE_BASE_URL",
    "AtomicLines",
    "Reply",
    "Tally",
    "aload_inputs",
    "batch_target",
    "check_prompts",
    "combine",
    "failure",
    "manifest_entry",
    "prepared_of",
    "prompt_sha256",
    "read_reply",
    "stem",
]


#: The base URL recorded when requests target no configured endpoint (e.g. vLLM offline).
OFFLINE_BASE_URL = "offline-batch"


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


def stem(path: Path) -> str:
    """``jobs.jsonl``, ``jobs.output.jsonl``, ``jobs.errors.jsonl`` -> ``jobs``."""
    name = path.name
    for suffix in (".output.jsonl", ".errors.jsonl", ".jsonl"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


class AtomicLines:
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


Loaded = tuple[BatchInput, str, list[PreparedArticle] | SummarizerError]


class Tally(Protocol):
    """What a step that writes requests counts: inputs read, and those that failed."""

    inputs: int
    failures: list[BatchResult]


async def aload_inputs(
    inputs: Iterable[BatchInput], *, settings: Settings, concurrency: int, tally: Tally
) -> AsyncIterator[tuple[BatchInput, str, list[PreparedArticle]]]:
    """(input, its hash, its prepared chunks), ``concurrency`` sources loaded (URLs
    fetched) at a time, in the order they finish. Every input is counted in ``tally``;
    one that cannot be loaded is added to its failures instead of yielded."""
    gate = asyncio.Semaphore(concurrency)

    async def load(item: BatchInput) -> Loaded:
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

    for loading in asyncio.as_completed([load(item) for item in inputs]):
        item, digest, chunks = await loading
        tally.inputs += 1
        if isinstance(chunks, SummarizerError):
            failed = BatchFailure.from_exception(chunks, 0)
            tally.failures.append(BatchResult(item.id, digest, failed))
            continue
        yield item, digest, chunks


def prompt_sha256(version: str) -> str:
    """The hash of the extract prompt ``version`` (one-shot or step pipeline)."""
    if is_steps_version(version):
        return load_step_prompts(version).sha256
    return load_prompt("extract", version).sha256


def manifest_entry(
    custom_id: str,
    item: BatchInput,
    digest: str,
    chunk: PreparedArticle,
    number: int,
    count: int,
    target: tuple[str, str],
) -> dict[str, Any]:
    """The manifest line of one chunk: what validating its answers needs."""
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


def prepared_of(entry: dict[str, Any]) -> PreparedArticle:
    """The prepared chunk a manifest line describes (prompt None for a step pipeline)."""
    text = str(entry["text"])
    published = entry.get("published")
    date = dt.date.fromisoformat(published) if published else None
    document = SourceDocument(
        text=text, kind=entry.get("kind") or "text", url=entry.get("url"), title=entry.get("title")
    )
    cleaned = CleanResult(text, int(entry.get("removed_chars") or 0), (), None, None)
    version = str(entry["prompt"]["version"])
    if is_steps_version(version):
        steps = load_step_prompts(version)
        return PreparedArticle(document, cleaned, date, entry.get("outlet"), None, [], steps)
    prompt = load_prompt(entry["prompt"]["name"], version)
    return PreparedArticle(document, cleaned, date, entry.get("outlet"), prompt, [])


def check_prompts(entries: Iterable[dict[str, Any]]) -> None:
    """ConfigurationError if a prompt changed since the requests were written."""
    seen: set[tuple[str, str]] = set()
    for entry in entries:
        prompt = entry["prompt"]
        key = (prompt["version"], prompt["sha256"])
        if key in seen:
            continue
        seen.add(key)
        current = prompt_sha256(prompt["version"])
        if current != prompt["sha256"]:
            raise ConfigurationError(
                f"prompt {prompt['name']}/{prompt['version']} changed since the requests were "
                f"written ({prompt['sha256']} then, {current} now); write and run them again"
            )


def failure(
    error: type[SummarizerError], message: str, completions: int | None = 1
) -> BatchFailure:
    """A failure of one answer (one attempt)."""
    return BatchFailure(error.__name__, message, 1, error.exit_code, completions)


@dataclass(frozen=True)
class Reply:
    """What one Batch API output line says: an answer, or why there is none.

    ``error`` is set when the request itself failed (batch error, HTTP status);
    otherwise ``content`` is the completion text (None if it has none) and
    ``finish_reason`` why the model stopped.
    """

    error: str | None
    content: str | None = None
    finish_reason: str | None = None
    usage: Usage = field(default_factory=Usage)
    model: str | None = None


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


def read_reply(line: dict[str, Any]) -> Reply:
    """The :class:`Reply` of an output line ``{custom_id, response, error}``."""
    if line.get("error"):
        error = line["error"]
        message = error.get("message") if isinstance(error, dict) else str(error)
        return Reply(f"the batch reported an error: {message}")
    response = line.get("response") or {}
    status = response.get("status_code")
    body = response.get("body")
    if status != 200 or not isinstance(body, dict):
        detail = body.get("error", {}).get("message") if isinstance(body, dict) else body
        return Reply(f"the request got HTTP {status}: {detail}")
    content, finish = _content(body)
    usage = body.get("usage") or {}
    return Reply(
        None,
        content if isinstance(content, str) else None,
        finish,
        Usage(
            prompt_tokens=int(usage.get("prompt_tokens") or 0),
            completion_tokens=int(usage.get("completion_tokens") or 0),
            total_tokens=int(usage.get("total_tokens") or 0),
        ),
        body.get("model"),
    )


def combine(item_entries: list[dict[str, Any]], outcomes: dict[int, Any]) -> BatchResult:
    """One input's result from its chunks' outcomes (record or failure, by chunk number):
    the first failing chunk's failure, else the chunks' records merged."""
    first = item_entries[0]
    count = int(first["chunks"])
    failures = [
        (number, outcome)
        for number, outcome in sorted(outcomes.items())
        if isinstance(outcome, BatchFailure)
    ]
    if failures:
        number, failed = failures[0]
        if count > 1:
            failed = BatchFailure(
                failed.error,
                f"chunk {number}/{count}: {failed.message}",
                failed.attempts,
                failed.exit_code,
                failed.completions,
            )
        return BatchResult(first["id"], first["input_sha256"], failed)
    reports = [outcomes[number] for number in range(1, count + 1)]
    text = "".join(str(e["text"]) for e in sorted(item_entries, key=lambda e: int(e["chunk"])))
    return BatchResult(first["id"], first["input_sha256"], merge_reports(reports, source_text=text))
