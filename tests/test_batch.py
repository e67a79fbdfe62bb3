"""The batch API against the FAKE OpenAI server: bounded concurrency, cache, no loss.

The FAKE (tests/fakes/fake_openai.py) is not a model; it answers mechanically with
grounded records and injects faults, so these tests exercise the plumbing only.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from summarizer.batch.cache import ResultCache
from summarizer.batch.runner import (
    BatchInput,
    BatchResult,
    JsonlAppender,
    asummarize_many,
    read_inputs,
    read_jsonl,
    summarize_many,
)
from summarizer.errors import InputError
from summarizer.grounding import quote_in_text
from summarizer.schema import ArticleReport
from summarizer.settings import Settings

from .fakes.fake_openai import FAULT_KINDS, FakeOpenAI, Faults

pytestmark = pytest.mark.one_shot_prompt  # counts one request per article (see conftest)


def article(number: int) -> str:
    return (
        f"Report {number} from the province.\n"
        f"Clashes between troops and rebels near Kafr Zita on Saturday wounded people in "
        f"village {number}, a monitor said.\n"
        "Residents described heavy fighting through the night.\n"
    )


def inputs(count: int) -> list[BatchInput]:
    return [BatchInput(id=f"article-{n:03d}", text=article(n)) for n in range(count)]


def fast_settings(fake: FakeOpenAI, tmp_path: Path, **overrides: object) -> Settings:
    options: dict[str, object] = {
        "base_url": fake.base_url,
        "model": fake.model,
        "transport_retries": 3,
        "transport_max_seconds": 1.5,
        "request_timeout": 0.5,
        "connect_timeout": 1.0,
        "max_reasks": 1,
        "cache_dir": tmp_path / "cache",
    }
    options.update(overrides)
    return Settings(**options)


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(Faults()) as server:
        yield server


def assert_grounded(result: BatchResult, source: str) -> ArticleReport:
    report = result.report
    assert isinstance(report, ArticleReport)
    # a real, schema-valid record that survives a JSON round trip
    assert ArticleReport.model_validate_json(report.model_dump_json()) == report
    for event in report.events:
        assert all(quote_in_text(quote, source) for quote in event.evidence)
    return report


@pytest.mark.slow
def test_200_inputs_at_20_percent_faults_none_lost_none_duplicated(tmp_path: Path) -> None:
    faults = Faults.spread(0.2, seed=11, hang_seconds=1.5)
    with FakeOpenAI(faults) as fake:
        settings = fast_settings(fake, tmp_path)
        batch = inputs(200)
        results = list(
            summarize_many(batch, concurrency=16, settings=settings, cache=False, retry_delay=0.05)
        )
        outcomes = dict(fake.stats.outcomes)
    ids = Counter(result.id for result in results)
    succeeded = [r for r in results if r.ok]
    failed = [r for r in results if not r.ok]
    lost = {item.id for item in batch} - set(ids)
    duplicated = {key for key, count in ids.items() if count > 1}
    print(
        f"\nfault run: inputs={len(batch)} succeeded={len(succeeded)} failed={len(failed)} "
        f"lost={len(lost)} duplicated={len(duplicated)} fake_outcomes={outcomes}"
    )
    assert not lost and not duplicated
    assert len(succeeded) + len(failed) == 200
    texts = {item.id: str(item.text) for item in batch}
    for result in succeeded:
        assert_grounded(result, texts[result.id])
    for result in failed:
        assert result.failure is not None
        assert result.failure.error in {"ExtractionFailed", "EndpointError"}, result.failure
        assert result.failure.message and result.failure.attempts >= 1
    injected = sum(outcomes.get(kind, 0) for kind in FAULT_KINDS)
    assert injected >= 25, outcomes
    assert sum(1 for kind in FAULT_KINDS if outcomes.get(kind)) >= 6, outcomes
    # transport faults are retried away; only answers that cannot validate may fail
    assert len(succeeded) >= 170


async def test_async_generator_yields_as_completed_with_bounded_concurrency(
    tmp_path: Path,
) -> None:
    with FakeOpenAI(Faults(latency=0.05, jitter=0.1, seed=3)) as fake:
        settings = fast_settings(fake, tmp_path, request_timeout=5)
        batch = inputs(24)
        seen: list[str] = []
        async with contextlib.aclosing(
            asummarize_many(batch, concurrency=4, settings=settings, cache=False)
        ) as stream:
            async for result in stream:
                assert result.ok, result.failure
                seen.append(result.id)
        assert sorted(seen) == [item.id for item in batch]
        assert seen != [item.id for item in batch], "results come as they complete"
        assert fake.stats.max_in_flight <= 4
        assert fake.stats.requests == 24


async def test_connections_are_reused_above_twenty_in_flight(tmp_path: Path) -> None:
    """At concurrency 32 every request after the first round reuses a kept-alive
    connection (httpx's default pool keeps only 20, which reopened 12 per round).
    The latency leaves a slow or busy machine time to put more than 20 in flight."""
    with FakeOpenAI(Faults(latency=0.5)) as fake:
        settings = fast_settings(fake, tmp_path, request_timeout=10)
        async with contextlib.aclosing(
            asummarize_many(inputs(96), concurrency=32, settings=settings, cache=False)
        ) as stream:
            results = [result async for result in stream]
        assert all(result.ok for result in results)
        assert fake.stats.requests == 96
        assert fake.stats.max_in_flight > 20
        assert fake.stats.connections <= 32, fake.stats.connections


async def test_async_input_iterables_are_consumed_lazily(fake: FakeOpenAI, tmp_path: Path) -> None:
    produced: list[int] = []

    async def source() -> object:
        for number in range(6):
            produced.append(number)
            yield BatchInput(id=str(number), text=article(number))

    settings = fast_settings(fake, tmp_path)
    results = [
        r
        async for r in asummarize_many(
            source(),
            concurrency=2,
            settings=settings,
            cache=False,
        )
    ]
    assert sorted(r.id for r in results) == [str(n) for n in range(6)]
    assert produced == list(range(6))


def test_cache_hit_returns_the_stored_record_without_llm_calls(
    fake: FakeOpenAI, tmp_path: Path
) -> None:
    settings = fast_settings(fake, tmp_path)
    batch = inputs(5)
    with ResultCache.for_settings(settings) as cache:
        first = {r.id: r for r in summarize_many(batch, settings=settings, cache=cache)}
        assert fake.stats.requests == 5 and (cache.hits, cache.misses) == (0, 5)
        again = {r.id: r for r in summarize_many(batch, settings=settings, cache=cache)}
        assert fake.stats.requests == 5, "a cache hit makes no LLM call"
        assert (cache.hits, cache.misses) == (5, 5)
        assert all(r.cached for r in again.values())
        assert {k: r.report for k, r in again.items()} == {k: r.report for k, r in first.items()}
        assert cache.stats().entries == 5
    # another model is another key: a miss
    other = fast_settings(fake, tmp_path, model="other-model")
    list(summarize_many(batch[:1], settings=other, cache=True))
    assert fake.stats.requests == 6
    # cache=False neither reads nor writes
    list(summarize_many(batch[:1], settings=settings, cache=False))
    assert fake.stats.requests == 7


def test_input_errors_are_failures_not_exceptions(fake: FakeOpenAI, tmp_path: Path) -> None:
    settings = fast_settings(fake, tmp_path)
    batch = [
        BatchInput(id="empty", text="   \n "),
        BatchInput(id="missing", path=tmp_path / "nope.txt"),
        BatchInput(id="fine", text=article(1)),
    ]
    results = {r.id: r for r in summarize_many(batch, settings=settings, cache=False)}
    assert results["fine"].ok
    for key in ("empty", "missing"):
        failure = results[key].failure
        assert failure is not None
        assert (failure.error, failure.exit_code, failure.attempts) == ("InputError", 3, 0)
    assert fake.stats.requests == 1


def test_a_text_input_is_the_article_even_when_it_names_a_file_or_url(tmp_path: Path) -> None:
    """``text=`` is the article itself: a one-line text that happens to name an existing
    file is not read, and one that is a URL is not fetched (a bare URL is no article)."""
    named = tmp_path / "secret.txt"
    named.write_text("This file's content must not reach the model.\n", "utf-8")
    batch = [
        BatchInput(id="file", text=str(named)),
        BatchInput(id="url", text="http://127.0.0.1:9/never-fetched"),
    ]
    with FakeOpenAI(Faults(), keep_bodies=True) as server:
        settings = fast_settings(server, tmp_path)
        results = {r.id: r for r in summarize_many(batch, settings=settings, cache=False)}
        sent = json.dumps(server.stats.bodies)
    assert results["file"].ok and str(named) in sent
    assert "must not reach the model" not in sent
    failure = results["url"].failure
    assert failure is not None and failure.error == "InputError"
    assert failure.message == "the article is empty once page furniture is removed"


def test_endpoint_failures_are_retried_by_the_batch_then_recorded(tmp_path: Path) -> None:
    with FakeOpenAI(Faults(rate_503=1.0)) as fake:
        settings = fast_settings(fake, tmp_path, transport_retries=1, transport_max_seconds=0.5)
        (result,) = summarize_many(
            inputs(1), settings=settings, cache=False, retries=2, retry_delay=0.01
        )
        failure = result.failure
        assert failure is not None and failure.error == "EndpointError"
        assert failure.attempts == 3 and failure.exit_code == 4
        assert "503" in failure.message
        assert fake.stats.requests == 3 * 2  # 3 batch tries x (1 + 1 transport retry)


def test_closing_the_sync_generator_early_cancels_cleanly(tmp_path: Path) -> None:
    with FakeOpenAI(Faults(latency=0.2)) as fake:
        settings = fast_settings(fake, tmp_path, request_timeout=5)
        stream = summarize_many(inputs(40), concurrency=2, settings=settings, cache=False)
        first = next(stream)
        stream.close()
        assert first.ok
        assert fake.stats.requests < 10


def test_to_json_lines(fake: FakeOpenAI, tmp_path: Path) -> None:
    settings = fast_settings(fake, tmp_path)
    batch = [BatchInput(id="ok", text=article(1)), BatchInput(id="bad", text="")]
    lines = {r.id: r.to_json() for r in summarize_many(batch, settings=settings, cache=False)}
    assert set(lines["ok"]) == {"id", "input_sha256", "cached", "report"}
    ArticleReport.model_validate(lines["ok"]["report"])
    assert lines["bad"]["error"] == "InputError" and lines["bad"]["attempts"] == 0
    assert {"message", "exit_code", "completions"} <= set(lines["bad"])


def test_batch_input_needs_exactly_one_source(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="exactly one"):
        BatchInput(id="x")
    with pytest.raises(InputError, match="exactly one"):
        BatchInput(id="x", text="a", url="https://example.org")
    with pytest.raises(InputError, match="non-empty id"):
        BatchInput(id="", text="a")
    file = tmp_path / "a.txt"
    file.write_text("one", "utf-8")
    item = BatchInput(id="f", path=file)
    before = item.content_sha256()
    file.write_text("two", "utf-8")
    assert item.content_sha256() != before, "the hash follows the file's content"
    dated = BatchInput(id="t", text="x", published=dt.date(2020, 1, 1))
    assert BatchInput(id="t", text="x").content_sha256() != dated.content_sha256()


def test_read_inputs_directory_list_and_jsonl(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("A", "utf-8")
    (folder / "sub" / "b.html").write_text("<p>B</p>", "utf-8")
    (folder / ".hidden").write_text("no", "utf-8")
    found = read_inputs(folder)
    assert [i.id for i in found] == ["a.txt", "sub/b.html"]
    assert found[0].path == (folder / "a.txt").resolve()

    listing = tmp_path / "list.txt"
    listing.write_text("# comment\narticles/a.txt\n\nhttps://example.org/x\n", "utf-8")
    found = read_inputs(listing)
    assert [(i.id, i.path, i.url) for i in found] == [
        ("articles/a.txt", (folder / "a.txt").resolve(), None),
        ("https://example.org/x", None, "https://example.org/x"),
    ]

    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text(
        '{"id": "one", "text": "T", "published": "2019-08-11"}\n'
        '{"url": "https://example.org/y", "outlet": "X"}\n'
        '{"id": "three", "path": "articles/a.txt"}\n',
        "utf-8",
    )
    found = read_inputs(jsonl)
    assert [i.id for i in found] == ["one", "line-2", "three"]
    assert str(found[0].published) == "2019-08-11" and found[1].outlet == "X"
    assert found[2].path == (folder / "a.txt").resolve()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"id": "a", "text": "x"}\n{"id": "a", "text": "y"}\n', "duplicate input id 'a'"),
        ('{"id": "a", "text": "x"}\n{"id": \n', "line 2 of .* is not JSON"),
        ('{"id": "a", "text": "x", "extra": 1}\n', "unknown keys: extra"),
        ('{"id": "a", "text": "x", "published": "May"}\n', "published must be a date"),
        ('{"id": "a"}\n', "exactly one of text, url or path"),
        ("[1, 2]\n", "line 1 of .* is not JSON|not a JSON object"),
    ],
)
def test_read_inputs_rejects_bad_jsonl(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(content, "utf-8")
    with pytest.raises(InputError, match=message):
        read_inputs(path)


def test_read_inputs_missing_path(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_inputs(tmp_path / "missing.jsonl")


def test_appender_writes_whole_lines_and_repairs_a_torn_tail(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    with JsonlAppender(path) as out:
        out.write({"id": "a", "n": 1})
        out.write({"id": "b", "text": "ünïcode ✓"})
    assert path.read_bytes().endswith(b"\n")
    with path.open("ab") as raw:  # what a kill in the middle of a line would leave
        raw.write(b'{"id": "c", "report": {"trunc')
    bad: list[int] = []
    assert [d["id"] for d in read_jsonl(path, on_bad=lambda n, _: bad.append(n))] == ["a", "b"]
    assert bad == [3]
    with JsonlAppender(path) as out:
        assert out.repaired == len(b'{"id": "c", "report": {"trunc')
        out.write({"id": "c"})
    assert [json.loads(line)["id"] for line in path.read_text("utf-8").splitlines()] == [
        "a",
        "b",
        "c",
    ]
    # a file that is nothing but a torn line is emptied
    torn = tmp_path / "torn.jsonl"
    torn.write_bytes(b'{"id": "x"')
    with JsonlAppender(torn) as out:
        assert out.repaired == 10
    assert torn.read_bytes() == b""


def test_appender_truncate_and_closed(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    path.write_text('{"id": "old"}\n', "utf-8")
    out = JsonlAppender(path, truncate=True)
    out.write({"id": "new"})
    out.close()
    out.close()
    assert [d["id"] for d in read_jsonl(path)] == ["new"]
    with pytest.raises(ValueError, match="closed"):
        out.write({"id": "late"})
    assert list(read_jsonl(tmp_path / "absent.jsonl")) == []


def test_concurrency_must_be_positive(tmp_path: Path) -> None:
    async def consume() -> None:
        async for _ in asummarize_many([], concurrency=0, cache=False):
            pass

    with pytest.raises(ValueError, match="concurrency"):
        asyncio.run(consume())


def test_a_step_pipeline_batch_is_cached_under_its_templates(
    fake: FakeOpenAI, tmp_path: Path
) -> None:
    """Prompt v6 has no one prompt: the cache key takes the hash of its templates (the
    FAKE server answers its questions with SCRIPTED FAKE answers)."""
    settings = fast_settings(fake, tmp_path, prompt_version="v6")
    batch = inputs(2)
    with ResultCache.for_settings(settings) as cache:
        first = list(summarize_many(batch, settings=settings, cache=cache))
        assert all(r.ok for r in first), [r.failure for r in first]
        asked = fake.stats.requests
        again = list(summarize_many(batch, settings=settings, cache=cache))
        assert all(r.cached for r in again) and fake.stats.requests == asked
    assert all(r.report and r.report.provenance.prompt.version == "v6" for r in first)
