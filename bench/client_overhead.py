"""``client_overhead``: what the client costs per article, apart from the LLM.

Per fixture article, the timed operation is everything summarizer does around the
model calls: clean the page text and render the prompts (:func:`summarizer.api.prepare`),
run the step pipeline (:func:`summarizer.api.steps_of`: number and label the sentences,
group them into events, then validate each answer the cassette recorded with its
question's response model, as the client does, and code the record: places, actors,
tolls, sources, the summary's checks), then serialise the
:class:`~summarizer.schema.ArticleReport` (``model_dump_json``). The baseline, timed in
the same loop, is plain pydantic validation of the same record's JSON
(``ArticleReport.model_validate_json``).

Each is repeated many times with ``time.perf_counter`` (garbage collection paused,
as ``timeit`` does; the two alternate so that noise from the shared cores hits both);
the median per article is reported. Target: under 2 ms per article.

An informational extra times the same articles through the real client stack
(instructor and the openai client over an in-memory HTTP transport that answers with
the recorded responses): what :func:`summarizer.api.extract` costs without a network.
"""

from __future__ import annotations

import gc
import json
import time
from collections.abc import Callable
from typing import Any, cast

import httpx2
from pydantic import BaseModel, ValidationError

from bench.common import (
    Fixture,
    Options,
    Result,
    Status,
    completion_body,
    isolated_settings,
    load_fixtures,
    median,
)
from summarizer.api import PreparedArticle, extract, prepare, steps_of
from summarizer.extraction import load_step_prompts
from summarizer.extraction.drive import drive
from summarizer.llm.client import LLM, Completion, Endpoint
from summarizer.llm.transport import RetryTransport
from summarizer.schema import ArticleReport, Usage
from summarizer.settings import Settings
from summarizer.text._memo import clear_memo as _clear_memo  # only benchmarks need it
from summarizer.text.sources import SourceDocument, load_source

NAME = "client_overhead"
TARGET_MS = 2.0


class _Recorded:
    """Stands in for the LLM in :func:`summarizer.extraction.drive`: each question gets
    the next recorded completion, validated with its response model (one the model was
    re-asked for is skipped, as in the recording)."""

    def __init__(self, pending: list[tuple[str, dict[str, object]]]) -> None:
        self.pending = pending

    def extract(self, messages: object, response_model: type[BaseModel]) -> Completion[Any]:
        while self.pending:
            content, usage = self.pending.pop(0)
            try:
                value = response_model.model_validate_json(content)
            except ValidationError:
                continue  # re-asked in the recording: the next completion answers it
            tokens = Usage(
                prompt_tokens=int(str(usage.get("prompt_tokens") or 0)),
                completion_tokens=int(str(usage.get("completion_tokens") or 0)),
                total_tokens=int(str(usage.get("total_tokens") or 0)),
            )
            return Completion(value, 1, tokens, 0.0, content)
        raise RuntimeError(f"no recorded completion answers a {response_model.__name__}")


def _ours(
    fixture: Fixture, document: SourceDocument, settings: Settings, endpoint: Endpoint
) -> Callable[[], tuple[str, float, float]]:
    """The client's work on one article given the recorded completions; returns the
    record's JSON and the ``perf_counter`` instants at which preparing and coding the
    record ended (to split the time into steps)."""
    steps_prompts = load_step_prompts(settings.prompt_version)

    def run() -> tuple[str, float, float]:
        prepared = prepare(document, published=None, outlet=None, settings=settings)
        prepared_at = time.perf_counter()
        recorded = _Recorded(list(zip(fixture.completions, fixture.usages, strict=True)))
        steps = steps_of(prepared, endpoint, steps_prompts)
        report = drive(steps, cast(LLM, recorded))  # the LLM's one method, replayed
        validated_at = time.perf_counter()
        return report.model_dump_json(), prepared_at, validated_at

    return run


def _full_stack(
    fixtures: list[Fixture], documents: list[SourceDocument], settings: Settings, reps: int
) -> dict[str, float] | None:
    """Median ms per article of prepare + :func:`extract` over an in-memory transport
    (None if the client's internals moved and the transport cannot be swapped in)."""
    endpoint = Endpoint(str(settings.base_url), str(settings.model), "no-key")
    llm = LLM(settings, endpoint)
    bodies: list[bytes] = []  # the recorded responses still to be served, in order
    headers = {"content-type": "application/json"}
    replay = httpx2.MockTransport(
        lambda _: httpx2.Response(200, content=bodies.pop(0), headers=headers)
    )
    try:
        client = llm._sync_openai._client  # internal: swap the socket for the replay
        client._transport = RetryTransport(llm.policy, inner=replay)
        client._mounts = {}
    except AttributeError:
        llm.close()
        return None
    responses = {
        fixture.id: [
            json.dumps(
                completion_body(content, fixture.usages[n], id=f"chatcmpl-{fixture.id}-{n}")
            ).encode()
            for n, content in enumerate(fixture.completions)
        ]
        for fixture in fixtures
    }

    def one(fixture: Fixture, document: SourceDocument) -> None:
        bodies[:] = responses[fixture.id]
        prepared: PreparedArticle = prepare(
            document, published=None, outlet=None, settings=settings
        )
        extract(prepared, llm=llm).model_dump_json()

    times: dict[str, list[float]] = {fixture.id: [] for fixture in fixtures}
    try:
        for fixture, document in zip(fixtures, documents, strict=True):
            one(fixture, document)  # warm-up
        gc.disable()
        for _ in range(reps):
            for fixture, document in zip(fixtures, documents, strict=True):
                _clear_memo()  # cold, as the 'ours' column
                started = time.perf_counter()
                one(fixture, document)
                times[fixture.id].append(time.perf_counter() - started)
    finally:
        gc.enable()
        llm.close()
    return {key: median(values) * 1000 for key, values in times.items()}


def run(options: Options) -> Result:
    """Time the client's per-article work against plain validation of the record."""
    reps = 40 if options.quick else 300
    settings = isolated_settings(base_url="http://127.0.0.1:9/v1", model="local")
    endpoint = Endpoint(str(settings.base_url), "local", "no-key")
    fixtures = load_fixtures()
    if not fixtures:
        return Result(NAME, None, f"<{TARGET_MS:g}ms/article", "skipped", "no cassettes")
    documents = [load_source(f.path, settings=settings) for f in fixtures]
    ours = [_ours(f, d, settings, endpoint) for f, d in zip(fixtures, documents, strict=True)]
    records = [run_once()[0] for run_once in ours]  # warm-up; also the baseline's input
    for record in records:
        ArticleReport.model_validate_json(record)
    ours_s: list[list[float]] = [[] for _ in fixtures]
    base_s: list[list[float]] = [[] for _ in fixtures]
    ours_cpu: list[list[float]] = [[] for _ in fixtures]
    steps: list[list[tuple[float, float, float]]] = [[] for _ in fixtures]
    gc.collect()
    gc.disable()
    try:
        for rep in range(reps):
            for index, (work, record) in enumerate(zip(ours, records, strict=True)):
                order = (0, 1) if rep % 2 == 0 else (1, 0)
                for which in order:
                    _clear_memo()  # each repetition sees the article cold, as a real run does
                    cpu = time.process_time()
                    started = time.perf_counter()
                    if which == 0:
                        _, prepared_at, validated_at = work()
                    else:
                        ArticleReport.model_validate_json(record)
                    ended = time.perf_counter()
                    elapsed = ended - started
                    if which == 0:
                        ours_s[index].append(elapsed)
                        ours_cpu[index].append(time.process_time() - cpu)
                        steps[index].append(
                            (
                                prepared_at - started,
                                validated_at - prepared_at,
                                ended - validated_at,
                            )
                        )
                    else:
                        base_s[index].append(elapsed)
    finally:
        gc.enable()
    ours_ms = [median(values) * 1000 for values in ours_s]
    base_ms = [median(values) * 1000 for values in base_s]
    cpu_ms = [median(values) * 1000 for values in ours_cpu]
    step_ms = [tuple(median([s[k] for s in article]) * 1000 for k in range(3)) for article in steps]
    full = _full_stack(fixtures, documents, settings, max(reps // 10, 10))
    per_article = sum(ours_ms) / len(ours_ms)
    baseline = sum(base_ms) / len(base_ms)
    ratio = per_article / baseline
    cpu_mean = sum(cpu_ms) / len(cpu_ms)
    step_mean = [sum(step[k] for step in step_ms) / len(step_ms) for k in range(3)]
    rows = [
        "| article | answers | cleaned chars | ours ms | clean + render | steps: "
        "validate answers, code the record | serialise | plain validation ms | ratio | ours CPU ms "
        "| with instructor + openai ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for fixture, document, o, b, c, step in zip(
        fixtures, documents, ours_ms, base_ms, cpu_ms, step_ms, strict=True
    ):
        cleaned = len(
            prepare(document, published=None, outlet=None, settings=settings).cleaned.text
        )
        extra = f"{full[fixture.id]:.2f}" if full else "n/a"
        rows.append(
            f"| {fixture.id} | {len(fixture.completions)} | {cleaned} | {o:.3f} | {step[0]:.3f} "
            f"| {step[1]:.3f} | {step[2]:.3f} | {b:.3f} | {o / b:.1f} | {c:.3f} | {extra} |"
        )
    full_mean = sum(full.values()) / len(full) if full else None
    rows.append(
        f"| **mean** | | | **{per_article:.3f}** | {step_mean[0]:.3f} | {step_mean[1]:.3f} "
        f"| {step_mean[2]:.3f} | **{baseline:.3f}** | **{ratio:.1f}** | {cpu_mean:.3f} "
        f"| {f'{full_mean:.2f}' if full_mean is not None else 'n/a'} |"
    )
    status: Status = "ok" if per_article < TARGET_MS else "short"
    return Result(
        NAME,
        ratio,
        f"<{TARGET_MS:g}ms/article",
        status,
        f"{per_article:.3f} ms/article of client work (clean, render, the step pipeline "
        f"over every recorded answer, serialise) vs {baseline:.3f} ms of plain "
        f"ArticleReport validation: ×{ratio:.1f}",
        figures={
            "ms_per_article": round(per_article, 4),
            "baseline_plain_validation_ms_per_article": round(baseline, 4),
            "ms_per_article_by_fixture": dict(
                zip([f.id for f in fixtures], [round(x, 4) for x in ours_ms], strict=True)
            ),
            "baseline_ms_by_fixture": dict(
                zip([f.id for f in fixtures], [round(x, 4) for x in base_ms], strict=True)
            ),
            "with_instructor_and_openai_ms_per_article": (
                round(full_mean, 3) if full_mean is not None else None
            ),
            "cpu_ms_per_article": round(cpu_mean, 4),
            "steps_ms_per_article": {
                "clean_and_render": round(step_mean[0], 4),
                "steps_validate_and_code": round(step_mean[1], 4),
                "serialise": round(step_mean[2], 4),
            },
            "repetitions": reps,
        },
        tables={"per article (median of repetitions)": rows},
        notes=[
            f"median of {reps} repetitions per article, garbage collection paused, ours and "
            "the baseline alternating in the same loop",
            "'answers': the completions recorded for the article (one per question, "
            "more where the model was re-asked); each is validated as the client did",
            "the step columns split 'ours ms' (medians of each step, so they need not add "
            "up exactly)",
            "'ours CPU ms': the same work in process CPU time (time.process_time), less "
            "sensitive to other processes on shared cores than wall time",
            "'with instructor + openai': prepare + extract() through the real client over an "
            "in-memory transport replaying the recorded responses (informational)",
        ],
    )
