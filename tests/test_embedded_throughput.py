"""The ``embedded_throughput`` benchmark without a model: its report logic on synthetic
timings, and its measuring loop against the FAKE slot server (plumbing only: the FAKE's
answers and timings are synthetic, never model output). No timing is asserted."""

from __future__ import annotations

import contextlib
import re
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench import embedded_throughput as bench
from bench.common import Options
from bench.embedded_throughput import ArticleRun, SlotRun, Timing
from summarizer.llm.client import Endpoint
from summarizer.settings import Settings

from .fakes.fake_slots import PREDICTED_PER_SECOND, PROMPT_PER_SECOND, fake_slot_server

RATIO_LINE = re.compile(r"^embedded_throughput: ratio=(\S+) target=1\.3 (ok|short|skipped)$")
RATE_LINE = re.compile(r"^embedded_articles_per_hour: value=(\S+) target=240 (ok|short|skipped)$")


def article(id: str, seconds: float, events: str | None = "[]") -> ArticleRun:
    return ArticleRun(id, seconds, 3, 1000, 400, 200, events, "ok" if events else "failed")


def slot_run(n: int, wall: float, events: list[str | None]) -> SlotRun:
    articles = [article(f"a{i}", wall / 2, e) for i, e in enumerate(events)]
    # per sequence: 600 prompt tokens in 4 s (150/s), 200 generated in 10 s (20/s)
    timings = [Timing(600, 4000.0, 200, 10000.0) for _ in articles]
    return SlotRun(n, wall, articles, timings, startup_seconds=1.5)


def test_the_report_gives_ratio_rate_floor_and_records_that_differ() -> None:
    events = ['[{"e": 1}]', '[{"e": 2}]', None, "[]"]
    runs = [
        slot_run(1, 120.0, events),  # 3 records in 120 s: 90 articles/h
        slot_run(2, 60.0, ['[{"e": 1}]', '[{"e": 9}]', "[]", "[]"]),  # 4 in 60 s: 240/h
        slot_run(4, 80.0, events),  # 3 in 80 s: 135/h
    ]
    result = bench.report(runs, endpoint="FAKE", prompt_version="v6")
    ratio_line, rate_line = result.lines()
    assert RATIO_LINE.match(ratio_line) and RATE_LINE.match(rate_line)
    assert result.ratio is not None and abs(result.ratio - 240 / 90) < 1e-9
    assert ratio_line == "embedded_throughput: ratio=2.67 target=1.3 ok"
    assert rate_line == "embedded_articles_per_hour: value=240.0 target=240 ok"
    figures = result.figures
    assert figures["best_n"] == 2
    # floor = (1000 - 400) / 150 + 200 / 20 = 14 s an article: 3600 / 14 articles an hour
    assert figures["floor_articles_per_hour"] == round(3600 / 14, 1)
    assert figures["n1"]["server_prompt_tokens_per_second"] == 150.0
    assert figures["n1"]["server_generation_tokens_per_second"] == 20.0
    # N=2 differs from N=1 on a1 only (a2 failed at N=1: not compared)
    assert figures["n2"]["records_differing_from_n1"] == 1
    assert figures["n2"]["records_compared_with_n1"] == 3
    assert figures["n4"]["records_differing_from_n1"] == 0
    per_n = "\n".join(result.tables["per N"])
    assert "| 2 | 4/4 | 60.0 | 240.0 | 2.67 |" in per_n
    assert "| 1 of 3 |" in per_n
    per_article = "\n".join(result.tables["per article (tokens and floor at N=1)"])
    assert "| a0 | 1000 | 400 | 200 | 14.0 | 60.0 | 30.0 | ok |" in per_article


def test_short_of_both_targets_says_short() -> None:
    runs = [slot_run(1, 100.0, ["[]"] * 4), slot_run(2, 90.0, ["[]"] * 4)]
    ratio_line, rate_line = bench.report(runs).lines()
    assert ratio_line == "embedded_throughput: ratio=1.11 target=1.3 short"
    assert rate_line == "embedded_articles_per_hour: value=160.0 target=240 short"


def test_when_n1_is_best_the_article_table_shows_the_next_n_beside_it() -> None:
    runs = [slot_run(1, 60.0, ["[]"] * 4), slot_run(2, 90.0, ["[]"] * 4)]
    per_article = bench.report(runs).tables["per article (tokens and floor at N=1)"]
    assert "| s at N=1 | s at N=2 |" in per_article[0]
    assert "| a0 | 1000 | 400 | 200 | 14.0 | 30.0 | 45.0 | ok |" in per_article


def test_no_record_at_n1_is_skipped_with_both_lines() -> None:
    result = bench.report([slot_run(1, 10.0, [None, None]), slot_run(2, 10.0, ["[]", "[]"])])
    ratio_line, rate_line = result.lines()
    assert ratio_line == "embedded_throughput: ratio=n/a target=1.3 skipped"
    assert rate_line == "embedded_articles_per_hour: value=n/a target=240 skipped"


def test_without_a_model_the_benchmark_skips_and_prints_both_lines() -> None:
    # the test environment's SUMMARIZER_CACHE_DIR is an empty directory: no model there
    result = bench.run(Options(quick=True))
    assert result.status == "skipped" and "no model" in result.summary
    assert [RATIO_LINE.match(line) is not None or RATE_LINE.match(line) is not None
            for line in result.lines()] == [True, True]  # fmt: skip


def test_the_slot_counts_always_start_with_the_n1_baseline() -> None:
    assert bench.slot_counts(Options()) == [1, 2, 4, 8]
    assert bench.slot_counts(Options(quick=True)) == [1, 2]
    assert bench.slot_counts(Options(slots=(4, 2))) == [1, 2, 4]
    assert len(bench.article_paths()) == 10 and len(bench.article_paths(quick=True)) == 3
    assert [p.parent.name for p in bench.article_paths()].count("articles") == 10


def test_the_measuring_loop_reads_tokens_and_timings_per_article(tmp_path: Path) -> None:
    paths = bench.article_paths(quick=True)
    with fake_slot_server(latency=0.01) as fake:
        settings = Settings(
            base_url=fake.base_url, model=fake.model, prompt_version="v6", cache_dir=tmp_path
        )
        seen: list[int] = []

        @contextlib.contextmanager
        def serve(n: int) -> Iterator[tuple[Endpoint, str]]:
            seen.append(n)
            yield Endpoint(fake.base_url, fake.model, "no-key", slots=n), f"FAKE with {n} slots"

        runs = bench.measure(settings, serve, paths, [1, 2])
        requests = fake.requests
    assert seen == [1, 2]
    assert [r.n for r in runs] == [1, 2]
    for run in runs:
        assert [a.id for a in run.articles] == [p.stem for p in paths]
        assert all(a.events is not None for a in run.articles), [a.outcome for a in run.articles]
        assert all(a.requests >= 2 and a.completion_tokens > 0 for a in run.articles)
        assert all(0 < a.cached_prompt_tokens < a.prompt_tokens for a in run.articles)
        assert len(run.timings) == sum(a.requests for a in run.articles)
        prompt, generated = run.speeds()
        assert prompt is not None and abs(prompt - PROMPT_PER_SECOND) < 1
        assert generated is not None and abs(generated - PREDICTED_PER_SECOND) < 1
    assert requests == sum(a.requests for r in runs for a in r.articles)
    result = bench.report(runs, endpoint="FAKE", prompt_version="v6")
    assert result.figures["n2"]["records_differing_from_n1"] == 0  # the FAKE is deterministic
    assert RATE_LINE.match(result.lines()[1])


def test_the_benchmark_runs_end_to_end_on_a_fake_llama_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """run() as the lead runs it, with a FAKE llama-server binary in place of the real
    one: a server started per N with -np N, a warm-up, the tables and both lines."""
    from .test_slots import FAKE_LLAMA_SERVER

    binary = tmp_path / "llama-server"
    binary.write_text(FAKE_LLAMA_SERVER)
    binary.chmod(binary.stat().st_mode | stat.S_IEXEC)
    model = tmp_path / "model.gguf"
    model.write_bytes(b"GGUF fake")
    for name, value in {
        "SUMMARIZER_PROMPT_VERSION": "v6",
        "SUMMARIZER_MODEL_PATH": str(model),
        "SUMMARIZER_SERVER_BINARY": str(binary),
        "SUMMARIZER_BASE_URL": "http://127.0.0.1:9/v1",  # ignored: the server is started here
    }.items():
        monkeypatch.setenv(name, value)
    result = bench.run(Options(quick=True))
    ratio_line, rate_line = result.lines()
    assert RATIO_LINE.match(ratio_line) and RATE_LINE.match(rate_line)
    assert result.status in ("ok", "short")
    assert result.figures["n1"]["succeeded"] == result.figures["n2"]["succeeded"] == 3
    assert "-np 1 -cb" in result.figures["endpoint"]
    assert result.figures["n2"]["records_differing_from_n1"] == 0
