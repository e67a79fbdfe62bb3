"""The Batch API scale-out in rounds: the step pipeline as a series of request files.

A step-pipeline prompt asks its questions in turn (:func:`summarizer.extraction.run_steps`):
v6 asks (1) a label per candidate sentence and the summary, (2) the details of each event
found; v7 (code labels the sentences) asks the details and the summary in one round.
Each round's questions depend on the answers to the one before, so a batch runs as
rounds of files, every file a plain Batch API (or vLLM ``run_batch``) requests file:

* :func:`aprepare_rounds` writes the manifest (``jobs.manifest.jsonl``: per chunk, the
  cleaned text and what validating needs) and ``jobs.round1.jsonl``, the first question
  of every chunk. ``custom_id`` is ``<article id>#<chunk>#<step>``: ``a1#1#classify``,
  ``a1#1#details-2``, ``a1#1#summary`` (``#extract`` for a one-shot prompt).
* :func:`ingest` takes the output of a round, appends each answer to the answers file
  (``jobs.answers.jsonl``, keyed by ``custom_id``; one fsync'd write per line, a success
  is never replaced), then *replays* every unfinished chunk's generator from the answers
  gathered so far. Given the same answers the pipeline asks the same questions, so no
  other state is kept: a crash anywhere is recovered by running :func:`ingest` again.
  Articles whose every chunk has finished go to the results (merged chunks) or failures
  file; the questions still unanswered make the next round's file, ``jobs.roundN.jsonl``
  (a question whose answer never came back is asked again there).

Answers are checked like the live path's final attempt, without re-asks: an invalid or
truncated answer is that question's ``ExtractionFailed`` (the pipeline decides what it
costs: a failed label fails the article, a failed event is dropped, a failed summary is
composed by code); an HTTP or batch error fails the article, as an endpoint error does
live. One-shot prompts (v1-v4) take one round: their answers are validated as
:func:`summarizer.batch.openai_batch.import_output` does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pydantic

from summarizer.api import steps_of
from summarizer.batch._shared import (
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
from summarizer.batch.openai_batch import ask_body, line_outcome, request_line
from summarizer.batch.runner import (
    BatchFailure,
    BatchInput,
    BatchResult,
    JsonlAppender,
    read_jsonl,
)
from summarizer.errors import (
    ConfigurationError,
    EndpointError,
    ExtractionFailed,
    InputError,
    SummarizerError,
)
from summarizer.extraction import Answer, Ask
from summarizer.llm.client import Completion, Endpoint
from summarizer.schema import ArticleReport, Extraction
from summarizer.settings import Settings

__all__ = ["Ingested", "PreparedRounds", "RoundFiles", "aprepare_rounds", "custom_id", "ingest"]

_ROUND = re.compile(r"\.round(\d+)\.jsonl$")


def custom_id(key: str, step: str) -> str:
    """``<article id>#<chunk>`` and the pipeline's step (``details:2``) -> the request's
    ``custom_id`` (``a1#1#details-2``)."""
    return f"{key}#{step.replace(':', '-')}"


@dataclass(frozen=True)
class RoundFiles:
    """The files of one batch in rounds, all beside the manifest, named by its stem:
    ``jobs.manifest.jsonl``, ``jobs.answers.jsonl``, ``jobs.round1.jsonl``, ..."""

    directory: Path
    name: str

    @classmethod
    def for_requests(cls, requests: Path) -> RoundFiles:
        """The files of ``--out jobs.jsonl`` (or ``jobs.round1.jsonl``)."""
        return cls(requests.parent, re.sub(r"\.round\d+$", "", stem(requests)))

    @classmethod
    def for_manifest(cls, manifest: Path) -> RoundFiles:
        """The files of a manifest ``jobs.manifest.jsonl``."""
        return cls(manifest.parent, manifest.name.removesuffix(".jsonl").removesuffix(".manifest"))

    @property
    def manifest(self) -> Path:
        """Per chunk: input id and hash, cleaned text, prompt, model (``<name>.manifest.jsonl``)."""
        return self.directory / f"{self.name}.manifest.jsonl"

    @property
    def answers(self) -> Path:
        """Every answer received, by ``custom_id`` (``<name>.answers.jsonl``)."""
        return self.directory / f"{self.name}.answers.jsonl"

    def round(self, number: int) -> Path:
        """The requests file of round ``number`` (``<name>.round<number>.jsonl``)."""
        return self.directory / f"{self.name}.round{number}.jsonl"

    def rounds(self) -> list[int]:
        """The numbers of the round files written so far, in order."""
        found = []
        for path in self.directory.glob(f"{self.name}.round*.jsonl"):
            match = _ROUND.search(path.name)
            if match and path.name == f"{self.name}.round{match.group(1)}.jsonl":
                found.append(int(match.group(1)))
        return sorted(found)


Request = tuple[str, dict[str, Any]]  # custom_id, body
_Outcome = ArticleReport | BatchFailure | list[Request]


def _is_success(line: dict[str, Any]) -> bool:
    return read_reply(line).error is None


def _load_answers(path: Path) -> dict[str, dict[str, Any]]:
    """custom_id -> output line; a success wins, else the last line."""
    answers: dict[str, dict[str, Any]] = {}
    for line in read_jsonl(path):
        key = str(line.get("custom_id"))
        known = answers.get(key)
        if known is None or not _is_success(known):
            answers[key] = line
    return answers


def _answer(line: dict[str, Any], ask: Ask) -> Answer | BatchFailure:
    """The pipeline's answer to ``ask`` from its output line (no re-asks: an invalid
    answer is the question's ExtractionFailed), or the article's failure."""
    reply = read_reply(line)
    if reply.error is not None:
        return failure(EndpointError, f"{line.get('custom_id')}: {reply.error}", None)

    def failed(message: str, errors: list[str] | None = None) -> ExtractionFailed:
        return ExtractionFailed(
            f"{line.get('custom_id')}: {message}",
            attempts=1,
            last_completion=reply.content,
            usage=reply.usage,
            errors=errors,
        )

    if reply.finish_reason == "length":
        return failed("the model stopped at max_tokens before finishing its answer")
    if reply.content is None:
        return failed("the completion has no content")
    try:
        value = ask.response_model.model_validate_json(reply.content)
    except pydantic.ValidationError as error:
        errors = [
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {' '.join(str(e['msg']).split())}"
            for e in error.errors()
        ]
        return failed(f"invalid answer: {errors[0] if errors else error}", errors)
    return Completion(value, 1, reply.usage, 0.0, reply.content)


def _body(
    entry: dict[str, Any], messages: list[dict[str, str]], answer: type[pydantic.BaseModel]
) -> dict[str, Any]:
    """The request body of a question about this chunk, as the live client sends it."""
    return ask_body(
        messages,
        answer,
        model=str(entry["model"]),
        temperature=float(entry["temperature"]),
        max_tokens=int(entry["max_tokens"]),
    )


def _advance(entry: dict[str, Any], answers: dict[str, dict[str, Any]]) -> _Outcome:
    """Replay one chunk from the answers so far: its record, its failure, or the
    requests it waits for (those of its current round with no answer yet)."""
    key = str(entry["custom_id"])
    prepared = prepared_of(entry)
    if prepared.prompt is not None:  # a one-shot prompt: one request, one round
        request_id = custom_id(key, "extract")
        line = answers.get(request_id)
        if line is None:
            return [(request_id, _body(entry, entry["messages"], Extraction))]
        return line_outcome(line, entry)
    assert prepared.steps is not None  # prepared_of: a step-pipeline version
    endpoint = Endpoint(str(entry["base_url"]), str(entry["model"]), "")
    steps = steps_of(prepared, endpoint, prepared.steps)
    try:
        asks = next(steps)
        while True:
            ids = [custom_id(key, ask.step) for ask in asks]
            waiting = [
                (request_id, _body(entry, ask.messages, ask.response_model))
                for request_id, ask in zip(ids, asks, strict=True)
                if request_id not in answers
            ]
            if waiting:
                steps.close()
                return waiting
            replies: list[Answer] = []
            for request_id, ask in zip(ids, asks, strict=True):
                answer = _answer(answers[request_id], ask)
                if isinstance(answer, BatchFailure):
                    steps.close()
                    return answer
                replies.append(answer)
            asks = steps.send(replies)
    except StopIteration as done:
        report: ArticleReport = done.value
        return report
    except SummarizerError as error:
        return BatchFailure.from_exception(error, 1)


def _write_round(path: Path, requests: Sequence[Request]) -> None:
    lines = AtomicLines(path)
    try:
        for request_id, body in requests:
            lines.write(request_line(request_id, body))
    except BaseException:
        lines.abort()
        raise
    lines.commit()


def _round_ids(path: Path) -> set[str]:
    return {str(line.get("custom_id")) for line in read_jsonl(path)}


@dataclass
class PreparedRounds:
    """What :func:`aprepare_rounds` wrote."""

    files: RoundFiles
    round_path: Path
    inputs: int = 0
    requests: int = 0
    failures: list[BatchResult] = field(default_factory=list)


async def aprepare_rounds(
    inputs: Iterable[BatchInput],
    requests_path: Path,
    *,
    settings: Settings,
    concurrency: int = 8,
) -> PreparedRounds:
    """Write the manifest and round 1 for these inputs (``--out jobs.jsonl`` writes
    ``jobs.manifest.jsonl`` and ``jobs.round1.jsonl``); inputs that cannot be loaded are
    returned as failures. Refuses to start over a batch that has answers already."""
    files = RoundFiles.for_requests(requests_path)
    if files.answers.is_file() and files.answers.stat().st_size:
        raise ConfigurationError(
            f"{files.answers} holds answers of a batch already started: bring its next "
            "output with `summarizer batch ingest`, or choose another --out"
        )
    target = batch_target(settings)
    prepared = PreparedRounds(files, files.round(1))
    entries: list[dict[str, Any]] = []
    manifest = AtomicLines(files.manifest)
    try:
        loading = aload_inputs(inputs, settings=settings, concurrency=concurrency, tally=prepared)
        async for item, digest, chunks in loading:
            for number, chunk in enumerate(chunks, start=1):
                key = f"{item.id}#{number}"
                entry = manifest_entry(key, item, digest, chunk, number, len(chunks), target)
                entry |= {"temperature": settings.temperature, "max_tokens": settings.max_tokens}
                if chunk.prompt is not None:  # a one-shot prompt: its one request's messages
                    entry["messages"] = chunk.messages
                manifest.write(json.dumps(entry, ensure_ascii=False))
                entries.append(entry)
    except BaseException:
        manifest.abort()
        raise
    requests: list[Request] = []
    for entry in entries:
        outcome = _advance(entry, {})
        if isinstance(outcome, list):
            requests += outcome
        elif isinstance(outcome, BatchFailure):  # ingest finds it again and records it
            prepared.failures.append(BatchResult(str(entry["id"]), entry["input_sha256"], outcome))
    for number in files.rounds():  # an earlier attempt's rounds are not this batch's
        files.round(number).unlink()
    _write_round(prepared.round_path, requests)
    manifest.commit()
    prepared.requests = len(requests)
    return prepared


@dataclass
class Ingested:
    """What :func:`ingest` did.

    Attributes:
        answers_stored: output lines added to the answers file.
        ignored: output lines not of this batch, or already answered.
        ok, failed: articles finished now, into the results / failures file.
        already_done: articles in the results or failures file before.
        waiting: articles that need another round.
        round_path: the next round's requests file, or None when every article is done.
        round_number: its number (0 when there is none).
        requests: the requests in it.
    """

    answers_stored: int = 0
    ignored: int = 0
    ok: int = 0
    failed: int = 0
    already_done: int = 0
    waiting: int = 0
    round_path: Path | None = None
    round_number: int = 0
    requests: int = 0


def _ledger(*paths: Path) -> dict[str, str]:
    return {
        str(line["id"]): str(line.get("input_sha256", ""))
        for path in paths
        for line in read_jsonl(path)
        if "id" in line
    }


def ingest(
    outputs: Sequence[Path], manifest: Path, results_path: Path, failures_path: Path
) -> Ingested:
    """Take a round's Batch API output (and error) files: store the answers, write the
    articles now finished to the results or failures file, and the next round's
    requests file for the rest (see the module docstring). Running it again with the
    same files changes nothing but what a crash left unwritten."""
    files = RoundFiles.for_manifest(manifest)
    entries = [e for e in read_jsonl(manifest) if "custom_id" in e]
    if not entries:
        raise InputError(f"{manifest} has no requests; is it a manifest written with round 1?")
    if any("max_tokens" not in e for e in entries):
        raise InputError(
            f"{manifest} was written for a single round: bring its output with "
            "`summarizer batch import`"
        )
    check_prompts(entries)
    keys = {str(e["custom_id"]) for e in entries}
    answers = _load_answers(files.answers)
    done = Ingested()
    with JsonlAppender(files.answers) as store:
        for path in outputs:
            if not path.is_file():
                raise InputError(f"no such file: {path}")
            for line in read_jsonl(path):
                request_id = str(line.get("custom_id"))
                known = answers.get(request_id)
                if request_id.rpartition("#")[0] not in keys or (
                    known is not None and (_is_success(known) or known == line)
                ):
                    done.ignored += 1
                    continue
                store.write(line)
                answers[request_id] = line
                done.answers_stored += 1
    finished = _ledger(results_path, failures_path)
    by_input: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        by_input.setdefault(str(entry["id"]), []).append(entry)
    requests: list[Request] = []
    with JsonlAppender(results_path) as results, JsonlAppender(failures_path) as failures:
        for item_id, item_entries in by_input.items():
            if finished.get(item_id) == str(item_entries[0]["input_sha256"]):
                done.already_done += 1
                continue
            outcomes: dict[int, ArticleReport | BatchFailure] = {}
            waiting: list[Request] = []
            for entry in item_entries:
                outcome = _advance(entry, answers)
                if isinstance(outcome, list):
                    waiting += outcome
                else:
                    outcomes[int(entry["chunk"])] = outcome
            if waiting and not any(isinstance(o, BatchFailure) for o in outcomes.values()):
                requests += waiting
                done.waiting += 1
                continue
            # a failed chunk fails the article: its other chunks wait no more
            result = combine(item_entries, outcomes)
            if result.ok:
                results.write(result.to_json())
                done.ok += 1
            else:
                failures.write(result.to_json())
                done.failed += 1
    if requests:
        done.round_number = _next_round(files, {request_id for request_id, _ in requests})
        done.round_path = files.round(done.round_number)
        done.requests = len(requests)
        _write_round(done.round_path, requests)
    return done


def _next_round(files: RoundFiles, ids: set[str]) -> int:
    """The number of the round holding ``ids``: the last one written if it asks exactly
    these (an ingest run again after a crash), else the one after it."""
    numbers = files.rounds()
    if numbers and _round_ids(files.round(numbers[-1])) == ids:
        return numbers[-1]
    return (numbers[-1] if numbers else 0) + 1
