"""Never more than N requests in flight: the slot gate, alone and under a batch.

The server side is a FAKE (tests/fakes/fake_slots.py) that counts the requests it serves
at once; its answers are mechanical schema instances, never model output.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import stat
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from summarizer.batch.runner import BatchInput, asummarize_many, summarize_many
from summarizer.llm import embedded
from summarizer.llm.client import LLM, Endpoint
from summarizer.llm.slots import SlotGate, gate_for
from summarizer.settings import Settings

from .conftest import ROOT
from .fakes.fake_slots import fake_slot_server

FIXTURES = ROOT / "tests" / "fixtures"


def ten_articles() -> list[BatchInput]:
    """The benchmark's ten: the five fixtures and the first five of the development set."""
    paths = sorted((FIXTURES / "articles").glob("*.txt"))
    paths += sorted((FIXTURES / "dev" / "articles").iterdir())[:5]
    assert len(paths) == 10
    return [BatchInput(id=p.stem, path=p) for p in paths]


def step_settings(tmp_path: Path, **values: object) -> Settings:
    """The step pipeline (several requests per article, in rounds), no transport retries."""
    return Settings(
        prompt_version="v6", cache_dir=tmp_path, transport_retries=0, max_reasks=0, **values
    )


# --------------------------------------------------------------------------- the gate alone


def test_threads_and_coroutines_of_two_loops_share_the_n_slots() -> None:
    gate = SlotGate(3)
    lock = threading.Lock()
    holding = [0]
    seen: list[int] = []

    def hold() -> None:
        with lock:
            holding[0] += 1
            seen.append(holding[0])
        time.sleep(0.01)
        with lock:
            holding[0] -= 1

    def thread_work() -> None:
        for _ in range(5):
            with gate.slot():
                hold()

    async def one() -> None:
        async with gate.aslot():
            await asyncio.to_thread(hold)

    async def loop_work() -> None:
        await asyncio.gather(*(one() for _ in range(10)))

    threads = [threading.Thread(target=thread_work) for _ in range(4)]
    threads += [threading.Thread(target=asyncio.run, args=(loop_work(),)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(seen) == 4 * 5 + 2 * 10
    assert max(seen) == 3 and gate.peak == 3
    assert gate.busy == 0


async def test_a_cancelled_waiter_leaves_the_queue_and_the_slot_count_right() -> None:
    gate = SlotGate(1)
    entered = asyncio.Event()
    release = asyncio.Event()

    async def holder() -> None:
        async with gate.aslot():
            entered.set()
            await release.wait()

    async def waiter() -> None:
        async with gate.aslot():
            pass

    first = asyncio.create_task(holder())
    await entered.wait()
    second = asyncio.create_task(waiter())
    await asyncio.sleep(0.01)
    assert gate.busy == 1
    second.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await second
    release.set()
    await first
    assert gate.busy == 0
    async with gate.aslot():  # the slot is free again, nobody stale ahead of us
        assert gate.busy == 1


def test_clients_of_one_server_share_one_gate() -> None:
    a = Endpoint("http://127.0.0.1:1/v1", "local", "k", embedded=True, slots=2)
    b = Endpoint("http://127.0.0.1:1/v1/", "local", "k", embedded=True, slots=2)
    assert a.gate is b.gate is gate_for("http://127.0.0.1:1/v1", 2)
    assert Endpoint("http://127.0.0.1:1/v1", "m", "k").gate is None  # no slots named: no bound
    with pytest.raises(ValueError, match="at least 1"):
        SlotGate(0)


# --------------------------------------------------------------------------- under a batch


async def _batch(tmp_path: Path, slots: int | None) -> tuple[int, int, int, list[object]]:
    """Ten articles, all in flight at once, against the FAKE; (max in flight at the
    server, requests, the gate's peak, results)."""
    with fake_slot_server(latency=0.05) as fake:
        settings = step_settings(tmp_path, base_url=fake.base_url, model=fake.model)
        llm = LLM(settings, Endpoint(fake.base_url, fake.model, "no-key", slots=slots))
        try:
            stream = asummarize_many(
                ten_articles(), concurrency=10, settings=settings, cache=False, llm=llm
            )
            async with contextlib.aclosing(stream) as results:
                done = [result async for result in results]
        finally:
            await llm.aclose()
        peak = llm.gate.peak if llm.gate is not None else 0
        return fake.max_in_flight, fake.requests, peak, list(done)


async def test_ten_articles_with_three_slots_keep_exactly_three_requests_in_flight(
    tmp_path: Path,
) -> None:
    server_max, requests, peak, results = await _batch(tmp_path, slots=3)
    assert all(r.ok for r in results), [r.failure for r in results if not r.ok]  # type: ignore[attr-defined]
    assert len(results) == 10
    assert requests > 20  # several questions an article, in rounds, ten articles at once
    assert server_max == 3  # the slots were kept full, and never overfilled
    assert peak == 3


async def test_without_the_gate_the_same_batch_overfills_three_slots(tmp_path: Path) -> None:
    """The check above can fail: the same batch with no slots named sends more."""
    server_max, _, _, results = await _batch(tmp_path, slots=None)
    assert len(results) == 10
    assert server_max > 3


async def test_tokens_of_every_request_of_an_article_are_in_its_provenance(
    tmp_path: Path,
) -> None:
    _, _, _, results = await _batch(tmp_path, slots=2)
    for result in results:
        report = result.report  # type: ignore[attr-defined]
        usage = report.provenance.usage
        # each request of the FAKE reports ≥1 completion token and half its prompt cached
        assert usage.completion_tokens >= report.provenance.attempts >= 2
        assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
        assert 0 < usage.cached_prompt_tokens < usage.prompt_tokens


# --------------------------------------------------------------------------- embedded


FAKE_LLAMA_SERVER = f"""#!{sys.executable}
# FAKE llama-server for tests: lists -cb in --help, then serves tests/fakes/fake_slots.py.
import sys
if "--help" in sys.argv:
    print("-np, --parallel N   number of parallel sequences")
    print("-cb, --cont-batching   enable continuous batching (default: enabled)")
    sys.exit(0)
sys.path.insert(0, {str(ROOT)!r})
from tests.fakes.fake_slots import main
main()
"""


def test_batch_on_the_embedded_server_starts_n_slots_and_keeps_n_in_flight(
    tmp_path: Path,
) -> None:
    binary = tmp_path / "llama-server"
    binary.write_text(FAKE_LLAMA_SERVER)
    binary.chmod(binary.stat().st_mode | stat.S_IEXEC)
    model = tmp_path / "model.gguf"
    model.write_bytes(b"GGUF fake")
    settings = step_settings(
        tmp_path, model_path=model, server_binary=binary, server_parallel=3, server_context=2048
    )
    try:
        results = list(
            summarize_many(ten_articles(), concurrency=10, settings=settings, cache=False)
        )
        server = embedded.shared_server(settings)
        command = server.command()
        with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/stats") as answer:
            stats = json.load(answer)
    finally:
        embedded._stop_shared()
    assert all(r.ok for r in results), [r.failure for r in results if not r.ok]
    assert command[command.index("-np") + 1] == "3"
    assert command[command.index("-c") + 1] == str(2048 * 3)  # a context per slot
    assert "-cb" in command
    assert stats["max_in_flight"] == 3
    assert {r.report.provenance.endpoint_host for r in results if r.report} == {"embedded"}


def test_eval_live_on_the_embedded_server_runs_n_articles_at_once(tmp_path: Path) -> None:
    """eval --live on the embedded server: N articles at once (never more than N
    requests), the outcomes in gold order as in a one-by-one run."""
    from summarizer.evaluation import run_eval

    from .conftest import ARTICLE_IDS, ARTICLES, GOLD

    binary = tmp_path / "llama-server"
    binary.write_text(FAKE_LLAMA_SERVER)
    binary.chmod(binary.stat().st_mode | stat.S_IEXEC)
    model = tmp_path / "model.gguf"
    model.write_bytes(b"GGUF fake")
    settings = step_settings(tmp_path, model_path=model, server_binary=binary, server_parallel=3)
    try:
        result = run_eval(ARTICLES, GOLD, mode="live", settings=settings)
        server = embedded.shared_server(settings)
        with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/stats") as answer:
            stats = json.load(answer)
    finally:
        embedded._stop_shared()
    assert [outcome.article for outcome in result.articles] == ARTICLE_IDS
    assert all(outcome.score.error is None for outcome in result.articles)
    assert stats["requests"] > len(ARTICLE_IDS)
    assert 1 < stats["max_in_flight"] <= 3  # articles side by side, within the slots
