"""Gating: compare an evaluation with a baseline and with minimum thresholds.

A *document* is the JSON form of a run: ``report.json`` (see
:func:`summarizer.evaluation.reports.report_document`) or a baseline written by
:func:`baseline_document`. Both carry the run information, the metrics and, per
article, the additive counts the metrics derive from. Comparisons use the counts of the
articles the two documents share, so a run over a subset of the articles (or a baseline
made before a fixture was added) is compared like for like.

Every metric is in [0, 1] with higher better, except the counts of
:data:`~summarizer.evaluation.scoring.LOWER_IS_BETTER` (``names.untraceable``). The gate
fails when a metric gets worse than the baseline by more than the tolerance (a count:
rises by more), when ``events.f1`` is below ``min_f1``, when a metric named in
``min_fields`` is below its minimum (or was not scored at all), or when
``names.untraceable`` is above ``max_untraceable``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from summarizer.errors import InputError
from summarizer.evaluation.scoring import LOWER_IS_BETTER, Counts, metrics, total_counts

if TYPE_CHECKING:
    from summarizer.evaluation.runner import EvalResult

__all__ = [
    "DOCUMENT_FORMAT",
    "DOCUMENT_VERSION",
    "Comparison",
    "GateResult",
    "MetricDelta",
    "baseline_document",
    "compare",
    "gate",
    "load_document",
    "parse_min_field",
    "resolve_metric",
    "write_baseline",
]

DOCUMENT_FORMAT = "summarizer-eval"
DOCUMENT_VERSION = 1
_EPSILON = 1e-9
_BASELINE_RUN_KEYS = (
    "mode",
    "model",
    "endpoint_host",
    "prompt_name",
    "prompt_version",
    "prompt_sha256",
    "schema_version",
)


def baseline_document(result: EvalResult) -> dict[str, Any]:
    """The baseline of a run: run identity, metrics and per-article counts; nothing that
    changes between two identical replays (no timings, paths or timestamps)."""
    run = result.run.model_dump(mode="json")
    return {
        "format": DOCUMENT_FORMAT,
        "version": DOCUMENT_VERSION,
        "kind": "baseline",
        "run": {key: run[key] for key in _BASELINE_RUN_KEYS},
        "metrics": result.metrics,
        "articles": [
            {
                "article": outcome.article,
                "failed": outcome.failed,
                "metrics": metrics(outcome.score.counts),
                "counts": outcome.score.counts.model_dump(mode="json"),
            }
            for outcome in result.articles
        ],
    }


def write_baseline(result: EvalResult, path: Path) -> Path:
    """Write :func:`baseline_document` as stable, diff-friendly JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(baseline_document(result), indent=2, sort_keys=True, ensure_ascii=False)
    path.write_text(text + "\n", "utf-8")
    return path


def load_document(path: Path) -> dict[str, Any]:
    """Read a report.json or baseline; InputError if it is not one."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise InputError(f"{path} is not JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("metrics"), dict):
        raise InputError(f"{path} is not an evaluation report or baseline (no 'metrics')")
    if data.get("format", DOCUMENT_FORMAT) != DOCUMENT_FORMAT:
        raise InputError(f"{path} has format {data.get('format')!r}, not {DOCUMENT_FORMAT!r}")
    return data


@dataclass(frozen=True)
class MetricDelta:
    """One metric in two documents."""

    name: str
    before: float | None
    after: float | None

    @property
    def delta(self) -> float | None:
        """after - before, or None when either is missing."""
        if self.before is None or self.after is None:
            return None
        return round(self.after - self.before, 4)


@dataclass(frozen=True)
class Comparison:
    """Per-metric deltas of document B against document A."""

    deltas: list[MetricDelta]
    common: list[str] = field(default_factory=list)
    only_before: list[str] = field(default_factory=list)
    only_after: list[str] = field(default_factory=list)

    @property
    def by_name(self) -> dict[str, MetricDelta]:
        """The deltas keyed by metric name."""
        return {d.name: d for d in self.deltas}


def _article_counts(document: Mapping[str, Any]) -> dict[str, Counts] | None:
    articles = document.get("articles")
    if not isinstance(articles, list):
        return None
    counts: dict[str, Counts] = {}
    for entry in articles:
        if not isinstance(entry, dict) or "article" not in entry:
            return None
        raw = entry.get("counts")
        if raw is None and isinstance(entry.get("score"), dict):
            raw = entry["score"].get("counts")
        if raw is None:
            return None
        try:
            counts[str(entry["article"])] = Counts.model_validate(raw)
        except ValidationError:
            return None
    return counts


def _metric_values(raw: Mapping[str, Any]) -> dict[str, float | None]:
    return {str(k): (float(v) if isinstance(v, int | float) else None) for k, v in raw.items()}


def compare(before: Mapping[str, Any], after: Mapping[str, Any]) -> Comparison:
    """Per-metric deltas of ``after`` against ``before`` (report.json or baseline
    documents), over the articles both evaluated when both list per-article counts."""
    counts_a, counts_b = _article_counts(before), _article_counts(after)
    if counts_a is not None and counts_b is not None:
        common = [a for a in counts_b if a in counts_a]
        only_a = [a for a in counts_a if a not in counts_b]
        only_b = [a for a in counts_b if a not in counts_a]
        if only_a or only_b:
            metrics_a = metrics(total_counts(counts_a[a] for a in common))
            metrics_b = metrics(total_counts(counts_b[a] for a in common))
        else:
            metrics_a, metrics_b = (
                metrics(total_counts(counts_a.values())),
                metrics(total_counts(counts_b.values())),
            )
    else:
        common, only_a, only_b = [], [], []
        metrics_a = _metric_values(before["metrics"])
        metrics_b = _metric_values(after["metrics"])
    names = list(dict.fromkeys([*metrics_a, *metrics_b]))
    deltas = [MetricDelta(n, metrics_a.get(n), metrics_b.get(n)) for n in names]
    return Comparison(deltas, common, only_a, only_b)


def resolve_metric(name: str, available: Mapping[str, Any]) -> str:
    """A metric name as given on the command line: a full name (``summary.neutrality``)
    or a field name (``fatalities`` → ``fields.fatalities``)."""
    for candidate in (name, f"fields.{name}"):
        if candidate in LOWER_IS_BETTER:
            raise InputError(
                f"{candidate} is a count, lower better: gate it with --max-untraceable"
            )
        if candidate in available:
            return candidate
    known = ", ".join(sorted(available))
    raise InputError(f"unknown metric {name!r}; known metrics: {known}")


def parse_min_field(spec: str) -> tuple[str, float]:
    """``'fatalities=0.8'`` → ``('fatalities', 0.8)``; InputError if malformed."""
    name, sep, value = spec.partition("=")
    try:
        threshold = float(value)
    except ValueError:
        threshold = -1.0
    if not sep or not name.strip() or not 0.0 <= threshold <= 1.0:
        raise InputError(f"--min-field takes NAME=VALUE with VALUE in [0, 1], not {spec!r}")
    return name.strip(), threshold


@dataclass
class GateResult:
    """The verdict: one line per failed metric, notes that do not fail the gate, and
    the baseline comparison (if any)."""

    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    comparison: Comparison | None = None

    @property
    def passed(self) -> bool:
        """No metric failed."""
        return not self.failures


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _baseline_notes(baseline: Mapping[str, Any], current: Mapping[str, Any]) -> list[str]:
    notes = []
    run_a, run_b = baseline.get("run") or {}, current.get("run") or {}
    for key in ("model", "prompt_version", "prompt_sha256", "schema_version"):
        if key in run_a and key in run_b and run_a[key] != run_b[key]:
            notes.append(f"baseline {key} is {run_a[key]}, this run's is {run_b[key]}")
    return notes


def gate(
    current: Mapping[str, Any],
    *,
    baseline: Mapping[str, Any] | None = None,
    tolerance: float = 0.02,
    min_f1: float | None = None,
    min_fields: Mapping[str, float] | None = None,
    max_untraceable: int | None = None,
) -> GateResult:
    """Apply the gates to a run's document (report.json or :func:`baseline_document`)."""
    if tolerance < 0:
        raise InputError(f"--tolerance must be >= 0, not {tolerance}")
    result = GateResult()
    values = _metric_values(current["metrics"])
    if baseline is not None:
        comparison = compare(baseline, current)
        result.comparison = comparison
        result.notes += _baseline_notes(baseline, current)
        if comparison.only_before or comparison.only_after:
            result.notes.append(
                f"compared on the {len(comparison.common)} article(s) both evaluated"
                + (f"; only in the baseline: {', '.join(comparison.only_before)}"
                   if comparison.only_before else "")
                + (f"; new: {', '.join(comparison.only_after)}" if comparison.only_after else "")
            )  # fmt: skip
        for d in comparison.deltas:
            if d.before is not None and d.after is None:
                result.notes.append(f"{d.name} was {_fmt(d.before)}, not scored in this run")
            elif d.delta is not None and d.name in LOWER_IS_BETTER:
                if d.delta > tolerance + _EPSILON:
                    result.failures.append(
                        f"{d.name} rose from {d.before:g} to {d.after:g} "
                        f"({d.delta:+g}, tolerance {tolerance:g})"
                    )
            elif d.delta is not None and d.delta < -tolerance - _EPSILON:
                result.failures.append(
                    f"{d.name} dropped from {_fmt(d.before)} to {_fmt(d.after)} "
                    f"({d.delta:+.3f}, tolerance {tolerance:g})"
                )
    if min_f1 is not None:
        f1 = values.get("events.f1")
        if f1 is None or f1 < min_f1 - _EPSILON:
            result.failures.append(f"events.f1 is {_fmt(f1)}, below --min-f1 {min_f1:g}")
    for name, threshold in (min_fields or {}).items():
        metric = resolve_metric(name, values)
        value = values[metric]
        if value is None:
            result.failures.append(f"{metric} was not scored (needs >= {threshold:g})")
        elif value < threshold - _EPSILON:
            result.failures.append(f"{metric} is {_fmt(value)}, below --min-field {threshold:g}")
    if max_untraceable is not None:
        untraceable = values.get("names.untraceable")
        if untraceable is not None and untraceable > max_untraceable + _EPSILON:
            result.failures.append(
                f"names.untraceable is {untraceable:g}, above --max-untraceable {max_untraceable}"
            )
    return result
