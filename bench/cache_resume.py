"""``cache``: a result-cache hit against a miss, and ``--resume`` of a finished batch.

*Hit vs miss*: distinct synthetic articles go through :func:`summarizer.batch.runner.
asummarize_many` one at a time (concurrency 1) with a :class:`~summarizer.batch.cache.
ResultCache` in a temporary directory and the FAKE OpenAI server answering after
300 ms: the first pass misses (a FAKE call per article, stored), the next passes hit.
Reported: seconds per article of each, their ratio, and the FAKE's request count
during the hits (zero: a hit makes no LLM call). The LLM client is made before the
timing starts, so the miss is the steady-state cost of one call, not the client's start.

*Resume*: ``summarizer batch INPUT.jsonl --out results.jsonl --no-cache`` runs a batch
of 500 synthetic articles to the end (the command line, in this process, against the
FAKE), then the same command with ``--resume`` runs again; the FAKE counts the requests
of each (zero for the resume: it reads the results file and skips every input whose
content hash is unchanged). The resume is timed in this process (the command's own
work) and as a fresh ``python -m summarizer`` process, next to a bare
``python -m summarizer --help`` measured in the same run (the interpreter's and the
imports' start-up, which any command pays). Target: the in-process resume under one
second with zero LLM calls, and no LLM call on cache hits.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from typer.testing import CliRunner

from bench.common import (
    FAKE_LATENCY,
    ROOT,
    Options,
    Result,
    isolated_settings,
    median,
    scrubbed_environment,
    synthetic_inputs,
)
from summarizer.api import resolve_endpoint
from summarizer.batch.cache import ResultCache
from summarizer.batch.runner import BatchInput, asummarize_many
from summarizer.cli import app
from summarizer.llm.client import LLM
from summarizer.settings import Settings
from tests.fakes.fake_openai import FakeOpenAI, Faults

NAME = "cache"
RESUME_TARGET_SECONDS = 1.0
_TARGET_TEXT = "resume<1s&0-LLM-calls"


async def _pass(
    inputs: list[BatchInput], settings: Settings, cache: ResultCache, llm: LLM
) -> tuple[float, int, int]:
    """(seconds, records, cached records) of one sequential pass."""
    ok = cached = 0
    started = time.perf_counter()
    stream = asummarize_many(inputs, concurrency=1, settings=settings, cache=cache, llm=llm)
    async with contextlib.aclosing(stream) as results:
        async for result in results:
            ok += result.ok
            cached += result.cached
    return time.perf_counter() - started, ok, cached


async def _hit_and_miss(
    inputs: list[BatchInput], settings: Settings, cache: ResultCache, rounds: int
) -> tuple[float, list[float], int, int]:
    llm = LLM(settings, resolve_endpoint(settings))
    try:
        miss, ok, cached = await _pass(inputs, settings, cache, llm)
        if ok != len(inputs) or cached:
            raise RuntimeError(f"the miss pass made {ok} records, {cached} from the cache")
        hits = []
        for _ in range(rounds):
            seconds, ok, cached = await _pass(inputs, settings, cache, llm)
            if cached != len(inputs):
                raise RuntimeError(f"a hit pass served {cached} of {len(inputs)} from the cache")
            hits.append(seconds)
    finally:
        await llm.aclose()
    return miss, hits, ok, cached


def _write_inputs(path: Path, inputs: list[BatchInput]) -> None:
    with path.open("w", encoding="utf-8") as file:
        for item in inputs:
            file.write(json.dumps({"id": item.id, "text": item.text}) + "\n")


def _invoke(args: list[str], cache_dir: Path) -> tuple[float, int, str]:
    """(seconds, exit code, stderr) of the command line run in this process."""
    with scrubbed_environment():
        os.environ["SUMMARIZER_CACHE_DIR"] = str(cache_dir)
        try:
            started = time.perf_counter()
            result = CliRunner().invoke(app, args)
            seconds = time.perf_counter() - started
        finally:
            del os.environ["SUMMARIZER_CACHE_DIR"]
    return seconds, result.exit_code, (result.stderr or result.output).strip()


def _subprocess(args: list[str], cache_dir: Path) -> tuple[float, int, str]:
    """(seconds, exit code, last stderr line) of ``python -m summarizer ARGS``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SUMMARIZER_", "OPENAI_"))}
    env["SUMMARIZER_CACHE_DIR"] = str(cache_dir)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "summarizer", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    seconds = time.perf_counter() - started
    lines = done.stderr.strip().splitlines() or [""]
    return seconds, done.returncode, lines[-1]


def _count_lines(path: Path) -> int:
    with path.open(encoding="utf-8") as file:
        return sum(1 for line in file if line.strip())


def run(options: Options) -> Result:
    """Measure hit vs miss, then a resumed batch."""
    hit_articles = 5 if options.quick else 20
    rounds = 3 if options.quick else 5
    batch = 64 if options.quick else 500
    with (
        tempfile.TemporaryDirectory(prefix="summarizer-bench-") as tmp,
        FakeOpenAI(Faults(latency=FAKE_LATENCY)) as fake,
    ):
        directory = Path(tmp)
        settings = isolated_settings(base_url=fake.base_url, model=fake.model, cache_dir=tmp)
        inputs = synthetic_inputs(hit_articles, prefix="cache")
        with ResultCache(directory / "results.sqlite3") as cache:
            miss, hits, _, _ = asyncio.run(_hit_and_miss(inputs, settings, cache, rounds))
            misses_made = fake.stats.requests
            fake.reset_stats()
            hit_requests = fake.stats.requests
        miss_each = miss / hit_articles
        hit_each = median(hits) / hit_articles
        print(
            f"   miss {miss_each * 1000:.1f} ms/article ({misses_made} FAKE requests), hit "
            f"{hit_each * 1000:.2f} ms/article ({hit_requests} FAKE requests)",
            flush=True,
        )

        source = directory / "batch.jsonl"
        out = directory / "results.jsonl"
        _write_inputs(source, synthetic_inputs(batch, prefix="resume"))
        args = ["batch", str(source), "--out", str(out), "--concurrency", "32", "--no-cache"]
        args += ["--quiet", "--base-url", fake.base_url, "--model", fake.model]
        fake.reset_stats()
        fill_s, fill_code, fill_err = _invoke(args, directory)
        fill_requests = fake.stats.requests
        written = _count_lines(out) if out.is_file() else 0
        print(
            f"   batch of {batch}: {fill_s:.1f}s, exit {fill_code}, {written} results, "
            f"{fill_requests} FAKE requests",
            flush=True,
        )
        fake.reset_stats()
        resume_s, resume_code, resume_err = _invoke([*args, "--resume"], directory)
        resume_requests = fake.stats.requests
        fake.reset_stats()
        sub_s, sub_code, sub_err = _subprocess([*args, "--resume"], directory)
        sub_requests = fake.stats.requests
        start_s, _, _ = _subprocess(["--help"], directory)
        print(
            f"   resume: {resume_s:.3f}s in process ({resume_requests} FAKE requests), "
            f"{sub_s:.2f}s as a new process ({sub_requests} requests) vs {start_s:.2f}s for "
            "`python -m summarizer --help`",
            flush=True,
        )
    ratio = hit_each / miss_each
    resume_ok = (
        resume_code == 0
        and resume_requests == 0
        and sub_requests == 0
        and hit_requests == 0
        and written == batch
        and resume_s < RESUME_TARGET_SECONDS
    )
    rows = [
        "| measurement | seconds | FAKE (LLM) requests | note |",
        "| --- | ---: | ---: | --- |",
        f"| cache miss, per article | {miss_each:.4f} | {misses_made / hit_articles:.0f} "
        f"| {hit_articles} articles, concurrency 1, {FAKE_LATENCY:g} s FAKE latency |",
        f"| cache hit, per article | {hit_each:.5f} | {hit_requests} | median of {rounds} passes |",
        f"| batch of {batch} (CLI, --no-cache, concurrency 32) | {fill_s:.2f} "
        f"| {fill_requests} | exit {fill_code}, {written} results |",
        f"| --resume of that finished batch, in process | {resume_s:.3f} | {resume_requests} "
        f"| exit {resume_code}: {resume_err.splitlines()[-1] if resume_err else ''} |",
        f"| --resume as a new `python -m summarizer` process | {sub_s:.2f} | {sub_requests} "
        f"| exit {sub_code} |",
        f"| baseline: `python -m summarizer --help` (start-up only) | {start_s:.2f} | 0 | |",
    ]
    return Result(
        NAME,
        ratio,
        _TARGET_TEXT,
        "ok" if resume_ok else "short",
        f"hit {hit_each * 1000:.2f} ms vs miss {miss_each * 1000:.0f} ms per article "
        f"(×{ratio:.4f}, {hit_requests} LLM calls on hits); --resume of {batch} finished: "
        f"{resume_s:.3f} s in process, {sub_s:.2f} s as a new process (start-up alone "
        f"{start_s:.2f} s), {resume_requests + sub_requests} LLM calls",
        figures={
            "miss_seconds_per_article": round(miss_each, 5),
            "hit_seconds_per_article": round(hit_each, 6),
            "hit_over_miss": round(ratio, 6),
            "fake_requests_on_hits": hit_requests,
            "batch_articles": batch,
            "batch_seconds": round(fill_s, 3),
            "batch_fake_requests": fill_requests,
            "batch_results_written": written,
            "resume_seconds_in_process": round(resume_s, 4),
            "resume_fake_requests_in_process": resume_requests,
            "resume_seconds_new_process": round(sub_s, 3),
            "resume_fake_requests_new_process": sub_requests,
            "cli_startup_seconds": round(start_s, 3),
            "resume_exit_code": resume_code,
            "batch_stderr_tail": fill_err.splitlines()[-1] if fill_err else "",
            "resume_stderr_tail": sub_err,
        },
        tables={"cache and resume": rows},
        notes=[
            "the status uses the in-process resume time (the command's own work); a new "
            "process also pays the interpreter's and the imports' start-up, measured "
            "separately as `python -m summarizer --help`",
            "every LLM call is counted by the FAKE server: zero on hits and on both resumes "
            "proves they made none",
            "the FAKE runs in this process here (its counters are read directly)",
        ],
    )
