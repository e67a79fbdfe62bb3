"""The evaluation harness end to end on the recorded fixture cassettes (replay, offline).

The cassettes are those of ``tests/test_summarize_fixtures.py``. The replayed records
are gated against the committed baseline ``tests/eval_baseline.json`` with tolerance
0.02: a change that degrades the records fails CI. Regenerate the baseline after
re-recording (or after an intended change) with

    summarizer eval --replay --update-baseline --baseline tests/eval_baseline.json
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from summarizer.api import prompt_info
from summarizer.evaluation import (
    REPORT_FILES,
    EvalResult,
    baseline_document,
    gate,
    load_document,
    report_document,
    run_eval,
    write_reports,
)
from summarizer.evaluation.runner import DEFAULT_CASSETTE_DIR, cassette_path
from summarizer.evaluation.scoring import LOWER_IS_BETTER
from summarizer.schema import SCHEMA_VERSION
from summarizer.settings import Settings

from .conftest import ARTICLE_IDS, ARTICLES, GOLD, ROOT

CASSETTES = ROOT / "cassettes" / "summarize_fixtures"
BASELINE = Path(__file__).parent / "eval_baseline.json"
WITH_CASSETTE = [a for a in ARTICLE_IDS if cassette_path(CASSETTES, a).is_file()]
CHECKS_PER_ARTICLE = 11  # summarize, cleaning, events x2, fields, fatalities, summary x4, names


@pytest.fixture(scope="module")
def replayed() -> EvalResult:
    if not WITH_CASSETTE:
        pytest.fail(f"no fixture cassette in {CASSETTES}; record them with `make record`")
    return run_eval(ARTICLES, GOLD, mode="replay", cassette_dir=CASSETTES,
                    article_ids=WITH_CASSETTE)  # fmt: skip


def test_every_fixture_article_has_a_cassette() -> None:
    # PENDING CASSETTES: fails (on purpose, never skips) until every fixture article's
    # cassette is recorded (`make record`); the replay tests below cover those that are.
    assert DEFAULT_CASSETTE_DIR == CASSETTES
    assert len(ARTICLE_IDS) == 5
    missing = [a for a in ARTICLE_IDS if a not in WITH_CASSETTE]
    if missing:
        pytest.fail(
            f"{len(missing)} of {len(ARTICLE_IDS)} fixture articles have no cassette in "
            f"{CASSETTES}: {', '.join(missing)}; record them with `make record`, then "
            "regenerate the baseline (see this module's docstring)"
        )


def test_every_cassette_replays(replayed: EvalResult) -> None:
    assert [o.article for o in replayed.articles] == WITH_CASSETTE
    failures = {o.article: o.score.error for o in replayed.articles if o.failed}
    assert not failures, f"replay failed (stale cassette? re-record): {failures}"
    for outcome in replayed.articles:
        assert outcome.seconds >= 0
        assert outcome.attempts is not None and outcome.attempts >= 1
        assert outcome.tokens is not None and outcome.tokens > 0


def test_replay_is_no_worse_than_the_committed_baseline(replayed: EvalResult) -> None:
    baseline = load_document(BASELINE)
    verdict = gate(report_document(replayed), baseline=baseline, tolerance=0.02)
    assert verdict.comparison is not None
    baseline_articles = [a["article"] for a in baseline["articles"]]
    assert verdict.comparison.common == [a for a in WITH_CASSETTE if a in baseline_articles]
    assert verdict.comparison.common, "the baseline covers none of the replayed articles"
    assert verdict.passed, "records got worse than the baseline:\n" + "\n".join(verdict.failures)


def test_replay_is_deterministic(replayed: EvalResult) -> None:
    again = run_eval(ARTICLES, GOLD, mode="replay", cassette_dir=CASSETTES,
                     article_ids=WITH_CASSETTE)  # fmt: skip
    assert baseline_document(again) == baseline_document(replayed)


def test_the_run_names_model_endpoint_prompt_and_schema(replayed: EvalResult) -> None:
    run = replayed.run
    prompt = prompt_info(Settings().prompt_version)
    assert run.from_records
    assert (run.mode, run.model, run.endpoint_host) == ("replay", "local", "127.0.0.1")
    assert (run.prompt_name, run.prompt_version, run.prompt_sha256) == (
        "extract",
        prompt.version,
        prompt.sha256,
    )
    assert run.schema_version == SCHEMA_VERSION
    assert run.cassette_dir == str(CASSETTES)


def test_metrics_are_consistent_with_the_articles(replayed: EvalResult) -> None:
    m = replayed.metrics
    counts = replayed.counts
    assert counts.articles == len(WITH_CASSETTE)
    assert counts.true_positives == sum(o.score.events.true_positives for o in replayed.articles)
    found = counts.true_positives
    assert m["events.recall"] == round(found / (found + counts.false_negatives), 4)
    for name, value in m.items():
        if name not in LOWER_IS_BETTER:  # names.untraceable is a count
            assert value is None or 0.0 <= value <= 1.0, name
    assert m["names.untraceable"] == sum(len(o.score.untraceable) for o in replayed.articles)
    assert m["cleaning.score"] == 1.0  # the cleaner keeps every gold body intact


def test_the_five_reports_are_written_and_parse(replayed: EvalResult, tmp_path: Path) -> None:
    verdict = gate(report_document(replayed), baseline=load_document(BASELINE))
    written = write_reports(replayed, tmp_path, verdict)
    assert sorted(written) == sorted(REPORT_FILES)
    assert all(path.is_file() and path.stat().st_size > 0 for path in written.values())

    document = json.loads(written["report.json"].read_text("utf-8"))
    assert document["metrics"] == replayed.metrics
    assert document["run"]["prompt_sha256"] == replayed.run.prompt_sha256
    every_mismatch = [m for o in replayed.articles for m in o.score.mismatches]
    assert len(document["mismatches"]) == len(every_mismatch)
    assert document["gate"]["passed"] is verdict.passed
    assert [a["article"] for a in document["articles"]] == WITH_CASSETTE

    root = ET.parse(written["junit.xml"]).getroot()
    assert root.tag == "testsuites"
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == CHECKS_PER_ARTICLE * len(WITH_CASSETTE)
    failed = [c for c in cases if c.find("failure") is not None]
    assert int(root.attrib["failures"]) == len(failed)
    assert int(root.attrib["tests"]) == len(cases)
    for case in failed:
        failure = case.find("failure")
        assert failure is not None and failure.attrib["message"]
    properties = {p.attrib["name"]: p.attrib["value"] for p in root.iter("property")}
    assert properties["model"] == "local" and properties["schema_version"] == "1"

    markdown = written["report.md"].read_text("utf-8")
    assert f"F1 {replayed.metrics['events.f1']:.3f}" in markdown
    assert "| fatalities |" in markdown
    if every_mismatch:
        assert "gold said" in markdown and "model said" in markdown

    page = written["report.html"].read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page
    assert "<script" not in page and "<link" not in page
    assert "https://" not in page  # self-contained: nothing fetched at view time
    text = written["report.txt"].read_text("utf-8")
    assert all(article in text for article in WITH_CASSETTE)
