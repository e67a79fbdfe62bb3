"""Tests of summarizer.evaluation.gating: baselines, tolerances, thresholds, comparisons."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from summarizer.errors import InputError
from summarizer.evaluation.gating import (
    baseline_document,
    compare,
    gate,
    load_document,
    parse_min_field,
    write_baseline,
)
from summarizer.evaluation.gold import load_gold
from summarizer.evaluation.reports import report_document
from summarizer.evaluation.scoring import score_article

from .eval_records import FIXTURES, al_habeet, result, saturday, score


def perfect_document() -> dict[str, Any]:
    return report_document(result(score([al_habeet(), saturday()])))


def test_a_baseline_with_a_higher_f1_fails_the_gate() -> None:
    current = report_document(result(score([al_habeet(), saturday(total=None)])))
    assert current["metrics"]["events.f1"] == 1.0
    # Same F1 as the baseline: passes; a baseline above by more than the tolerance: fails.
    assert gate(current, baseline={"metrics": {"events.f1": 1.0}}).passed
    verdict = gate(current, baseline={"metrics": {"events.f1": 1.0, "fields.fatalities": 0.9}})
    assert verdict.failures == [
        "fields.fatalities dropped from 0.900 to 0.500 (-0.400, tolerance 0.02)"
    ]


def test_deleting_an_event_lowers_recall_and_fails_the_gate() -> None:
    baseline = baseline_document(result(score([al_habeet(), saturday()])))
    worse = result(score([al_habeet()]))
    assert worse.metrics["events.recall"] == 0.5
    verdict = gate(report_document(worse), baseline=baseline, tolerance=0.02)
    assert not verdict.passed
    assert verdict.failures == [
        "events.recall dropped from 1.000 to 0.500 (-0.500, tolerance 0.02)",
        "events.f1 dropped from 1.000 to 0.667 (-0.333, tolerance 0.02)",
    ]
    assert verdict.comparison is not None
    assert verdict.comparison.by_name["events.precision"].delta == 0.0
    # The same run against itself passes.
    assert gate(report_document(worse), baseline=baseline_document(worse)).passed


def test_tolerance_bounds_the_allowed_drop() -> None:
    current = perfect_document()
    assert gate(current, baseline={"metrics": {"events.f1": 1.0}}, tolerance=0.0).passed
    # Baselines cannot exceed 1.0, so gate a lower current against a synthetic baseline.
    lower = report_document(result(score([al_habeet()])))  # F1 0.6667
    assert gate(lower, baseline={"metrics": {"events.f1": 0.68}}, tolerance=0.02).passed
    failed = gate(lower, baseline={"metrics": {"events.f1": 0.69}}, tolerance=0.02)
    assert failed.failures == ["events.f1 dropped from 0.690 to 0.667 (-0.023, tolerance 0.02)"]
    assert gate(lower, baseline={"metrics": {"events.f1": 0.69}}, tolerance=0.05).passed
    with pytest.raises(InputError, match="tolerance"):
        gate(lower, tolerance=-0.1)


def test_improvements_and_unscored_metrics_never_fail() -> None:
    current = perfect_document()
    verdict = gate(
        current, baseline={"metrics": {"events.f1": 0.2, "fields.date": 0.9, "other.metric": 1}}
    )
    assert verdict.passed
    assert "fields.date was 0.900, not scored in this run" in verdict.notes


def test_min_f1_and_min_field() -> None:
    lower = report_document(result(score([al_habeet(), saturday(total=None)])))
    assert gate(lower, min_f1=1.0).passed
    assert gate(lower, min_fields={"fatalities": 0.5}).passed
    verdict = gate(lower, min_fields={"fatalities": 0.8, "summary.neutrality": 1.0, "date": 0.5})
    assert verdict.failures == [
        "fields.fatalities is 0.500, below --min-field 0.8",
        "fields.date was not scored (needs >= 0.5)",
    ]
    missed = report_document(result(score([al_habeet()])))
    assert gate(missed, min_f1=0.7).failures == ["events.f1 is 0.667, below --min-f1 0.7"]
    with pytest.raises(InputError, match=r"unknown metric 'fatality'.*fields\.fatalities"):
        gate(lower, min_fields={"fatality": 0.5})


@pytest.mark.parametrize("spec", ["fatalities", "fatalities=", "=0.5", "x=high", "x=1.5"])
def test_malformed_min_field_is_an_input_error(spec: str) -> None:
    with pytest.raises(InputError, match="NAME=VALUE"):
        parse_min_field(spec)


def test_parse_min_field() -> None:
    assert parse_min_field("fatalities=0.8") == ("fatalities", 0.8)
    assert parse_min_field(" summary.neutrality = 1 ") == ("summary.neutrality", 1.0)


def test_compare_gives_per_field_deltas_over_common_articles() -> None:
    before = baseline_document(result(score([al_habeet(), saturday()])))
    worse = score([al_habeet(total=3), saturday(admin1=None)])
    other_gold = load_gold(FIXTURES / "gold" / "004_c689b8858d52ccb0.yaml")
    other_raw = (FIXTURES / "articles" / other_gold.article).read_text("utf-8")
    other = score_article(other_gold, None, raw_text=other_raw, cleaned_text=other_raw,
                          error="EndpointError: down")  # fmt: skip
    after = report_document(result(worse, other))
    comparison = compare(before, after)
    assert comparison.common == ["000_a7a9f593ff51bdb6"]
    assert comparison.only_after == ["004_c689b8858d52ccb0"]
    deltas = comparison.by_name
    assert deltas["fields.fatalities"].delta == -0.5
    assert deltas["fields.admin1"].delta == -0.5
    assert deltas["fields.location"].delta == 0.0
    # The failed new article is not compared: recall over the common article is unchanged.
    assert deltas["events.recall"].delta == 0.0
    assert deltas["fields.date"].delta is None
    verdict = gate(after, baseline=before)
    assert verdict.failures == [
        "fields.admin1 dropped from 1.000 to 0.500 (-0.500, tolerance 0.02)",
        "fields.fatalities dropped from 1.000 to 0.500 (-0.500, tolerance 0.02)",
    ]
    assert any("compared on the 1 article(s)" in note for note in verdict.notes)


def test_baseline_file_round_trip_is_stable(tmp_path: Path) -> None:
    run = result(score([al_habeet(), saturday()]))
    path = write_baseline(run, tmp_path / "sub" / "baseline.json")
    text = path.read_text("utf-8")
    assert "seconds" not in text and "started_at" not in text and "gold_dir" not in text
    document = load_document(path)
    assert document["metrics"] == run.metrics
    assert document["run"]["prompt_sha256"] == "0" * 16
    assert write_baseline(run, path).read_text("utf-8") == text
    assert gate(report_document(run), baseline=document, tolerance=0.0).passed


def test_load_document_rejects_what_is_not_a_report(tmp_path: Path) -> None:
    for content, message in (
        ("{not json", "is not JSON"),
        ("[1, 2]", "no 'metrics'"),
        (json.dumps({"format": "other", "metrics": {}}), "has format 'other'"),
    ):
        path = tmp_path / "doc.json"
        path.write_text(content, "utf-8")
        with pytest.raises(InputError, match=message):
            load_document(path)
    with pytest.raises(InputError, match="cannot read"):
        load_document(tmp_path / "missing.json")
