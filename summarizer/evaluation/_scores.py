"""The scores of an evaluation: what was compared (:data:`FIELDS`), the pydantic
models of a score and its mismatches, and the metrics computed from the counts.
Public through :mod:`summarizer.evaluation.scoring`.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from summarizer.evaluation.traceability import UntraceableName

__all__ = [
    "FIELDS",
    "LOWER_IS_BETTER",
    "ArticleScore",
    "CleaningScore",
    "Counts",
    "EventPair",
    "EventScore",
    "FieldTally",
    "Mismatch",
    "SummaryScore",
    "metrics",
]

FIELDS: tuple[str, ...] = (
    "event_type",
    "sub_event_type",
    "date_text",
    "date",
    "location",
    "admin1",
    "country",
    "actor_types",
    "fatalities",
    "sources",
)
"""Fields scored on matched pairs, in report order."""

LOWER_IS_BETTER: frozenset[str] = frozenset({"names.untraceable"})
"""Metrics that are counts, lower better (every other metric is a share, higher better)."""

# --------------------------------------------------------------------------- models


class _Score(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Mismatch(_Score):
    """One failed check: where, and what gold said against what the model said."""

    article: str = Field(description="Article id.")
    event: str | None = Field(default=None, description="Gold event id, if about an event.")
    field: str = Field(description="What was checked, e.g. 'fatalities', 'summary.numbers'.")
    gold: JsonValue = Field(description="What gold accepts.")
    predicted: JsonValue = Field(description="What the model gave.")


class FieldTally(_Score):
    """Correct over scored, for one field (for sources: gold sources found over given)."""

    hits: int = 0
    total: int = 0

    @property
    def accuracy(self) -> float | None:
        """hits / total, or None when nothing was scored."""
        return self.hits / self.total if self.total else None

    def __add__(self, other: FieldTally) -> FieldTally:
        return FieldTally(hits=self.hits + other.hits, total=self.total + other.total)


class EventPair(_Score):
    """A predicted event matched to a gold event."""

    gold: str = Field(description="Gold event id.")
    predicted: int = Field(description="Index of the predicted event in the record.")
    required: bool = Field(description="Whether the gold event is required.")
    agreement: float = Field(description="Fields agreeing (sources count their recall).")
    fields: dict[str, FieldTally] = Field(description="Per-field result of this pair.")


class EventScore(_Score):
    """The matching of one article's events."""

    pairs: list[EventPair] = Field(default_factory=list)
    missed: list[str] = Field(default_factory=list, description="Required gold ids missed.")
    false_alarms: list[int] = Field(
        default_factory=list, description="Indexes of predictions matching no gold event."
    )

    @property
    def true_positives(self) -> int:
        """Required gold events found."""
        return sum(pair.required for pair in self.pairs)

    @property
    def optional_matched(self) -> int:
        """Predictions matched to optional gold events (neutral)."""
        return sum(not pair.required for pair in self.pairs)


class CleaningScore(_Score):
    """Whether cleaning kept the whole body and dropped the furniture."""

    body_end_kept: bool
    body_lines: int = Field(description="Body lines checked.")
    lines_lost: list[str] = Field(default_factory=list)
    must_drop_left: list[str] = Field(default_factory=list)

    @property
    def checks(self) -> tuple[bool, bool, bool]:
        """(body end kept, no body line lost, every must_drop string gone)."""
        return self.body_end_kept, not self.lines_lost, not self.must_drop_left

    @property
    def passed(self) -> bool:
        """All three checks pass."""
        return all(self.checks)


class SummaryScore(_Score):
    """The summary against the gold's expectations."""

    mentions_total: int
    mentions_missing: list[list[str]] = Field(default_factory=list)
    forbidden_used: list[str] = Field(default_factory=list)
    words: int
    max_words: int
    numbers_total: int = 0
    numbers_unsupported: list[int] = Field(default_factory=list)

    @property
    def within_limit(self) -> bool:
        """At most ``max_words`` words."""
        return self.words <= self.max_words


class Counts(_Score):
    """Additive tallies of one or more articles; every metric derives from them."""

    articles: int = 0
    failed: int = 0
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    optional_matched: int = 0
    fields: dict[str, FieldTally] = Field(default_factory=dict)
    cleaning_passed: int = 0
    cleaning_checks: int = 0
    mentions_found: int = 0
    mentions_total: int = 0
    summaries_neutral: int = 0
    summaries_within_limit: int = 0
    summaries_numbers_grounded: int = 0
    numbers_total: int = 0
    numbers_unsupported: int = 0
    names_checked: int = Field(default=0, description="Names of records checked.")
    names_untraceable: int = Field(
        default=0, description="Names neither in the article nor a canonical form."
    )

    def __add__(self, other: Counts) -> Counts:
        merged = self.model_dump(exclude={"fields"})
        for key, value in other.model_dump(exclude={"fields"}).items():
            merged[key] += value
        fields = {
            name: self.fields.get(name, FieldTally()) + other.fields.get(name, FieldTally())
            for name in FIELDS
            if name in self.fields or name in other.fields
        }
        return Counts(**merged, fields=fields)


class ArticleScore(_Score):
    """Everything scored for one article."""

    article: str
    error: str | None = None
    cleaning: CleaningScore
    events: EventScore
    summary: SummaryScore | None
    mismatches: list[Mismatch] = Field(default_factory=list)
    untraceable: list[UntraceableName] = Field(
        default_factory=list, description="Names of the record not traceable to the article."
    )
    counts: Counts


# --------------------------------------------------------------------------- metrics


def _ratio(numerator: float, denominator: float, empty: float | None) -> float | None:
    return round(numerator / denominator, 4) if denominator else empty


def metrics(counts: Counts) -> dict[str, float | None]:
    """Every metric; None when nothing was scored. Each is in [0, 1] with higher better,
    except those in :data:`LOWER_IS_BETTER`: ``names.untraceable`` counts the names of
    the records not traceable to their articles (None when no record had a name).

    ``events.*`` are micro-averaged over the articles' events (precision is None without
    predictions, recall None without required gold events; F1 is 2TP / (2TP + FP + FN),
    the harmonic mean of the two where both exist); ``fields.*`` are accuracies
    over pairs matched to required gold events; ``summary.*`` and ``articles.succeeded``
    are shares of articles (a failed article fails every summary check).
    """
    c = counts
    tp, fp, fn = c.true_positives, c.false_positives, c.false_negatives
    out: dict[str, float | None] = {
        "events.precision": _ratio(tp, tp + fp, None),
        "events.recall": _ratio(tp, tp + fn, None),
        "events.f1": _ratio(2 * tp, 2 * tp + fp + fn, None),
    }
    for name in FIELDS:
        tally = c.fields.get(name, FieldTally())
        out[f"fields.{name}"] = _ratio(tally.hits, tally.total, None)
    out["cleaning.score"] = _ratio(c.cleaning_passed, c.cleaning_checks, None)
    out["summary.must_mention"] = _ratio(c.mentions_found, c.mentions_total, None)
    out["summary.neutrality"] = _ratio(c.summaries_neutral, c.articles, None)
    out["summary.word_limit"] = _ratio(c.summaries_within_limit, c.articles, None)
    out["summary.numbers_grounded"] = _ratio(c.summaries_numbers_grounded, c.articles, None)
    out["articles.succeeded"] = _ratio(c.articles - c.failed, c.articles, None)
    out["names.untraceable"] = float(c.names_untraceable) if c.names_checked else None
    return out
