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

:func:`submit_and_wait` (in :mod:`._submit`) uploads the file (``files.create``), creates the batch
(``batches.create``), polls it with backoff and downloads the output and error files.
:func:`import_output` validates each returned completion like the live path does
(:func:`summarizer.grounding.validate_grounded`, as on the final attempt, so
unsupported claims are removed), assembles the record with
:func:`summarizer.api.build_report`, merges chunks, and yields a
:class:`~summarizer.batch.runner.BatchResult` per input: every input of the manifest yields
exactly one, a failure when its answer is missing, an error, truncated or invalid.

This is the one-round format of the one-shot prompts (v1-v4). A step-pipeline version
(v6) asks several questions in turn: see :mod:`summarizer.batch.rounds`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pydantic

from summarizer.api import PreparedArticle, build_report
from summarizer.batch._shared import (
    OFFLINE_BASE_URL,
    AtomicLines,
    aload_inputs,
    batch_target,
    check_prompts,
    combine,
    failure,
    manifest_entry,
    prepared_of,
    read_reply,
    stem,
)
from summarizer.batch._submit import BATCH_URL, BatchFiles, submit_and_wait
from summarizer.batch.runner import BatchFailure, BatchInput, BatchResult, read_jsonl
from summarizer.errors import (
    ConfigurationError,
    EndpointError,
    ExtractionFailed,
    InputError,
    SummarizerError,
)
from summarizer.extraction._steps import is_steps_version
from summarizer.grounding import validate_grounded
from summarizer.llm.client import Completion, Endpoint
from summarizer.schema import ArticleReport, Extraction
from summarizer.settings import Settings

__all__ = [
    "BATCH_URL",
    "OFFLINE_BASE_URL",
    "BatchFiles",
    "WrittenRequests",
    "ask_body",
    "awrite_requests",
    "batch_target",
    "import_output",
    "line_outcome",
    "manifest_for",
    "request_body",
    "request_line",
    "submit_and_wait",
]


def ask_body(
    messages: list[dict[str, str]],
    response_model: type[pydantic.BaseModel],
    *,
    model: str,
    temperature: float,
    max_tokens: int,
) -> dict[str, Any]:
    """The chat completion body the live client sends in JSON-schema mode for one
    question: ``response_format`` names the answer's model and carries its JSON Schema."""
    return {
        "model": model,
        "messages": messages,
        "response_format": {
            "type": "json_schema",
            "json_schema": {
                "name": response_model.__name__,
                "schema": response_model.model_json_schema(),
            },
        },
        "temperature": temperature,
        "max_tokens": max_tokens,
    }


def request_body(prepared: PreparedArticle, *, model: str, settings: Settings) -> dict[str, Any]:
    """The body of a one-shot prompt's request (the ``Extraction`` answer)."""
    return ask_body(
        prepared.messages,
        Extraction,
        model=model,
        temperature=settings.temperature,
        max_tokens=settings.max_tokens,
    )


def request_line(custom_id: str, body: dict[str, Any]) -> str:
    """One line of a Batch API requests file: ``body`` posted to the chat endpoint."""
    line = {"custom_id": custom_id, "method": "POST", "url": BATCH_URL, "body": body}
    return json.dumps(line, ensure_ascii=False)


def manifest_for(requests: Path) -> Path:
    """``requests.jsonl`` -> ``requests.manifest.jsonl`` (same directory)."""
    return requests.with_name(f"{stem(requests)}.manifest.jsonl")


@dataclass
class WrittenRequests:
    """What :func:`awrite_requests` wrote."""

    requests_path: Path
    manifest_path: Path
    inputs: int = 0
    requests: int = 0
    failures: list[BatchResult] = field(default_factory=list)


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
    if is_steps_version(settings.prompt_version):
        raise ConfigurationError(
            f"prompt {settings.prompt_version} asks its questions in steps: write its first "
            "round with summarizer.batch.rounds.aprepare_rounds (the CLI does so)"
        )
    target = batch_target(settings)
    written = WrittenRequests(requests_path, manifest_for(requests_path))
    requests, manifest = AtomicLines(requests_path), AtomicLines(written.manifest_path)
    try:
        loading = aload_inputs(inputs, settings=settings, concurrency=concurrency, tally=written)
        async for item, digest, chunks in loading:
            for number, chunk in enumerate(chunks, start=1):
                written.requests += 1
                custom_id = f"req-{written.requests:06d}"
                body = request_body(chunk, model=target[0], settings=settings)
                requests.write(request_line(custom_id, body))
                entry = manifest_entry(custom_id, item, digest, chunk, number, len(chunks), target)
                manifest.write(json.dumps(entry, ensure_ascii=False))
    except BaseException:
        requests.abort()
        manifest.abort()
        raise
    requests.commit()
    manifest.commit()
    return written


# --------------------------------------------------------------------------- import


def line_outcome(line: dict[str, Any], entry: dict[str, Any]) -> ArticleReport | BatchFailure:
    """The record (or failure) of one output line, validated like the live path."""
    reply = read_reply(line)
    if reply.error is not None:
        return failure(EndpointError, reply.error, None)
    if reply.finish_reason == "length":
        return failure(ExtractionFailed, "the model stopped at max_tokens before finishing")
    if reply.content is None:
        return failure(ExtractionFailed, "the completion has no content")
    content = reply.content
    prepared = prepared_of(entry)
    try:
        extraction, warnings = validate_grounded(content, prepared.cleaned.text, final=True)
    except pydantic.ValidationError as error:
        first = error.errors()[0] if error.errors() else {"msg": str(error), "loc": ()}
        where = ".".join(str(part) for part in first.get("loc", ()))
        message = " ".join(str(first.get("msg", "")).split())
        return failure(ExtractionFailed, f"invalid answer: {where}: {message}".replace(": :", ":"))
    completion = Completion(
        value=extraction, attempts=1, usage=reply.usage, latency_seconds=0.0, raw=content
    )
    endpoint = Endpoint(str(entry["base_url"]), str(reply.model or entry["model"]), "")
    return build_report(prepared, completion, endpoint, warnings=warnings)


def import_output(outputs: Sequence[Path], manifest: Path) -> Iterator[BatchResult]:
    """One :class:`BatchResult` per input of the manifest, from Batch API output files.

    Lines for unknown ``custom_id`` are ignored; a success wins over an error line for
    the same request; requests with no line at all become failures.
    """
    entries = {str(e["custom_id"]): e for e in read_jsonl(manifest) if "custom_id" in e}
    if not entries:
        raise InputError(f"{manifest} has no requests; is it a manifest written with the requests?")
    check_prompts(entries.values())
    if any(is_steps_version(str(e["prompt"]["version"])) for e in entries.values()):
        raise InputError(
            f"{manifest} is a batch in rounds (a step-pipeline prompt): bring each round's "
            "output with `summarizer batch ingest`"
        )
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
                known[number] = line_outcome(line, match)
            except SummarizerError as error:
                known[number] = BatchFailure.from_exception(error, 1)
    for item_id, item_entries in by_input.items():
        known = outcomes[item_id]
        for entry in item_entries:
            known.setdefault(
                int(entry["chunk"]),
                failure(
                    EndpointError,
                    f"no answer for request {entry['custom_id']} in the output files",
                    None,
                ),
            )
        yield combine(item_entries, known)
