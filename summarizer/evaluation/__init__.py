"""Evaluation harness: score records against gold annotations, field by field::

    from pathlib import Path
    from summarizer.evaluation import run_eval, write_reports

    result = run_eval(mode="replay")  # the repository's fixtures and cassettes
    print(result.metrics["events.f1"])
    write_reports(result, Path("eval-out"))

Modules, one job each: :mod:`~summarizer.evaluation.gold` (the gold YAML format),
:mod:`~summarizer.evaluation.scoring` (pure scoring functions),
:mod:`~summarizer.evaluation.runner` (summarize and score, replay or live),
:mod:`~summarizer.evaluation.reports` (terminal, JSON, Markdown, JUnit, HTML),
:mod:`~summarizer.evaluation.gating` (baselines and thresholds),
:mod:`~summarizer.evaluation.sets` (the fixtures and the development set, side by side) and
:mod:`~summarizer.evaluation.traceability` (names a record has that its article has not).
The command line is ``summarizer eval`` (:mod:`summarizer.cli.eval`).
"""

from summarizer.evaluation.gating import (
    Comparison,
    GateResult,
    MetricDelta,
    baseline_document,
    compare,
    gate,
    load_document,
    write_baseline,
)
from summarizer.evaluation.gold import GoldArticle, GoldEvent, load_gold, load_gold_dir
from summarizer.evaluation.reports import REPORT_FILES, report_document, write_reports
from summarizer.evaluation.runner import (
    DEFAULT_ARTICLES_DIR,
    DEFAULT_CASSETTE_DIR,
    DEFAULT_GOLD_DIR,
    REPLAY_BASE_URL,
    ArticleOutcome,
    EvalProgress,
    EvalResult,
    run_eval,
)
from summarizer.evaluation.scoring import FIELDS, ArticleScore, Mismatch, metrics, score_article
from summarizer.evaluation.sets import SETS, EvalSet, eval_sets
from summarizer.evaluation.traceability import UntraceableName, untraceable_names

__all__ = [
    "DEFAULT_ARTICLES_DIR",
    "DEFAULT_CASSETTE_DIR",
    "DEFAULT_GOLD_DIR",
    "FIELDS",
    "REPLAY_BASE_URL",
    "REPORT_FILES",
    "SETS",
    "ArticleOutcome",
    "ArticleScore",
    "Comparison",
    "EvalProgress",
    "EvalResult",
    "EvalSet",
    "GateResult",
    "GoldArticle",
    "GoldEvent",
    "MetricDelta",
    "Mismatch",
    "UntraceableName",
    "baseline_document",
    "compare",
    "eval_sets",
    "gate",
    "load_document",
    "load_gold",
    "load_gold_dir",
    "metrics",
    "report_document",
    "run_eval",
    "score_article",
    "untraceable_names",
    "write_baseline",
    "write_reports",
]
