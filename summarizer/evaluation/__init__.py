"""Evaluation harness: score records against gold annotations, field by field::

    from pathlib import Path
    from summarizer.evaluation import run_eval, write_reports

    result = run_eval(mode="replay")  # the repository's fixtures and cassettes
    print(result.metrics["events.f1"])
    write_reports(result, Path("eval-out"))

Modules, one job each: :mod:`~summarizer.evaluation.gold` (the gold YAML format),
:mod:`~summarizer.evaluation.scoring` (pure scoring functions),
:mod:`~summarizer.evaluation.runner` (summarize and score, replay or live),
:mod:`~summarizer.evaluation.reports` (terminal, JSON, Markdown, JUnit, HTML) and
:mod:`~summarizer.evaluation.gating` (baselines and thresholds). The command line is
``summarizer eval`` (:mod:`summarizer.cli.eval`).
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

__all__ = [
    "DEFAULT_ARTICLES_DIR",
    "DEFAULT_CASSETTE_DIR",
    "DEFAULT_GOLD_DIR",
    "FIELDS",
    "REPLAY_BASE_URL",
    "REPORT_FILES",
    "ArticleOutcome",
    "ArticleScore",
    "Comparison",
    "EvalProgress",
    "EvalResult",
    "GateResult",
    "GoldArticle",
    "GoldEvent",
    "MetricDelta",
    "Mismatch",
    "baseline_document",
    "compare",
    "gate",
    "load_document",
    "load_gold",
    "load_gold_dir",
    "metrics",
    "report_document",
    "run_eval",
    "score_article",
    "write_baseline",
    "write_reports",
]
