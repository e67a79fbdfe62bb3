"""Scoring of records against gold annotations: pure functions, no I/O.

Four things are scored per article (the rules are those of ``tests/fixtures/README.md``):

* **cleaning**: the last body line (``body_ends_with``) survives cleaning, no body line
  before it is lost (lines holding a ``must_drop`` string excepted), and every
  ``must_drop`` string is gone;
* **events**: predicted events are matched one-to-one to gold events. A pair may match
  only if the event types agree and the location names or the date texts agree. Among
  the possible matchings the one chosen maximises, in order: required gold events
  matched, pairs matched, fields agreeing. Unmatched required gold events are misses
  (false negatives); unmatched predictions are false alarms (false positives); a
  prediction matched to an optional gold event neither helps nor hurts;
* **fields** of pairs matched to required gold events: event type, sub-event type, date
  text, date (only where gold has one), location name, admin1, country, actor types,
  fatalities and sources (recall of the gold sources);
* **summary**: ``must_mention`` recall, loaded words used outside quotation marks, the
  word limit, and numbers the article does not give (sums of two of its numbers allowed).

Names compare after :func:`fold_name` (case, accents, punctuation, hyphens, a leading
"al"/"el"), as whole words: "Al Habit" matches "Al-Habeet, southern Idlib" only through
an accepted spelling "Al Habit". Every failed check becomes a :class:`Mismatch`.
A failed article (no record) scores as every required event missed and every summary
check failed, so an error can never raise a metric.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from summarizer.errors import InputError
from summarizer.evaluation.gold import GoldArticle, GoldEvent, GoldSummary
from summarizer.grounding.numbers import numbers_in
from summarizer.schema import ArticleReport, Event, Summary
from summarizer.text.folding import fold, strip_quoted

__all__ = [
    "FIELDS",
    "ArticleScore",
    "CleaningScore",
    "Counts",
    "EventPair",
    "EventScore",
    "FieldTally",
    "Mismatch",
    "SummaryScore",
    "date_text_agrees",
    "fold_name",
    "fold_text",
    "match_events",
    "metrics",
    "names_agree",
    "per_article_metrics",
    "score_article",
    "score_cleaning",
    "score_events",
    "score_summary",
    "sources_found",
    "total_counts",
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

_PUNCTUATION = re.compile(r"[^\w\s]|_")
_ARTICLES = frozenset({"al", "el"})


# --------------------------------------------------------------------------- folding


def fold_text(text: str) -> str:
    """Fold for comparison: case, accents, quote marks, punctuation and hyphens (as
    spaces) and runs of whitespace. ``"Ma'arrat  al-Nu‘mān"`` → ``"maarrat al numan"``."""
    text = unicodedata.normalize("NFKD", fold(text))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(_PUNCTUATION.sub(" ", text).split())


def fold_name(text: str) -> str:
    """:func:`fold_text` without a leading "al"/"el": ``"Al-Habeet"`` → ``"habeet"``."""
    words = fold_text(text).split()
    if len(words) > 1 and words[0] in _ARTICLES:
        words = words[1:]
    return " ".join(words)


def _contains(haystack: str, needle: str) -> bool:
    """Whole-word containment of folded strings (or equality once spaces are ignored:
    "Deir Ezzor" and "Deir ez-Zor")."""
    if not haystack or not needle:
        return False
    if f" {needle} " in f" {haystack} ":
        return True
    return needle.replace(" ", "") == haystack.replace(" ", "")


def names_agree(predicted: str | None, accepted: Iterable[str]) -> bool:
    """Whether a predicted name matches an accepted one: either occurs in the other after
    :func:`fold_name` ("Al-Habeet, southern Idlib" matches "Al-Habeet")."""
    if not predicted:
        return False
    mine = fold_name(predicted)
    for name in accepted:
        theirs = fold_name(name)
        if _contains(mine, theirs) or _contains(theirs, mine):
            return True
    return False


def date_text_agrees(predicted: str, accepted: Iterable[str]) -> bool:
    """Whether one accepted wording occurs in the predicted date text after folding
    ("on Saturday" matches "Saturday"; "Saturday" does not match "Saturday night")."""
    mine = fold_text(predicted)
    return any(_contains(mine, fold_text(wording)) for wording in accepted)


def sources_found(gold_sources: Iterable[str], predicted: Iterable[str | None]) -> list[str]:
    """The gold sources found among predicted attributions (containment either way)."""
    mine = [fold_text(p) for p in predicted if p]
    found = []
    for source in gold_sources:
        theirs = fold_text(source)
        if any(_contains(m, theirs) or _contains(theirs, m) for m in mine):
            found.append(source)
    return found


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
    counts: Counts


# --------------------------------------------------------------------------- metrics


def _ratio(numerator: float, denominator: float, empty: float | None) -> float | None:
    return round(numerator / denominator, 4) if denominator else empty


def metrics(counts: Counts) -> dict[str, float | None]:
    """Every metric, each in [0, 1] with higher better; None when nothing was scored.

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
    return out


# --------------------------------------------------------------------------- cleaning


def _squash(text: str) -> str:
    return " ".join(text.split())


def score_cleaning(gold: GoldArticle, raw_text: str, cleaned_text: str) -> CleaningScore:
    """Score the cleaned text of an article against its gold body and furniture."""
    lines = [_squash(line) for line in raw_text.split("\n")]
    end = next((i for i, line in enumerate(lines) if gold.body_ends_with in line), None)
    if end is None:
        raise InputError(
            f"gold of {gold.article_id}: body_ends_with {gold.body_ends_with!r} is not in "
            "the article"
        )
    body = [
        line
        for line in lines[: end + 1]
        if line and not any(fragment in line for fragment in gold.must_drop)
    ]
    cleaned = _squash(cleaned_text)
    return CleaningScore(
        body_end_kept=_squash(gold.body_ends_with) in cleaned,
        body_lines=len(body),
        lines_lost=[line for line in body if line not in cleaned],
        must_drop_left=[fragment for fragment in gold.must_drop if fragment in cleaned_text],
    )


# --------------------------------------------------------------------------- events


def _tally(ok: bool) -> FieldTally:
    return FieldTally(hits=int(ok), total=1)


def _field_checks(
    predicted: Event, gold: GoldEvent
) -> dict[str, tuple[FieldTally, JsonValue, JsonValue]]:
    """Per field: (tally, gold value(s), predicted value). Unscored fields are left out."""
    location = predicted.location
    actor_types = [a.type.value for a in (predicted.actor1, predicted.actor2) if a is not None]
    total = predicted.fatalities.total
    attributions = [*predicted.sources, predicted.fatalities.reported_by]
    checks: dict[str, tuple[FieldTally, JsonValue, JsonValue]] = {
        "event_type": (
            _tally(predicted.event_type is gold.event_type),
            gold.event_type.value,
            predicted.event_type.value,
        ),
        "sub_event_type": (
            _tally(predicted.sub_event_type in gold.sub_event_type),
            [s.value for s in gold.sub_event_type],
            predicted.sub_event_type.value,
        ),
        "date_text": (
            _tally(date_text_agrees(predicted.date_text, gold.date_text)),
            list(gold.date_text),
            predicted.date_text,
        ),
        "location": (
            _tally(names_agree(location.name, gold.location.name)),
            list(gold.location.name),
            location.name,
        ),
        "country": (
            _tally(names_agree(location.country, [gold.location.country])),
            gold.location.country,
            location.country,
        ),
    }
    if gold.date is not None:
        checks["date"] = (
            _tally(predicted.date == gold.date),
            gold.date.isoformat(),
            predicted.date.isoformat() if predicted.date else None,
        )
    if gold.location.admin1:
        checks["admin1"] = (
            _tally(names_agree(location.admin1, gold.location.admin1)),
            list(gold.location.admin1),
            location.admin1,
        )
    if gold.actor_types:
        accepted = {a.value for a in gold.actor_types}
        gold_types: list[JsonValue] = [*sorted(accepted)]
        given_types: list[JsonValue] = list(actor_types)
        checks["actor_types"] = (
            _tally(all(t in accepted for t in actor_types)),
            gold_types,
            given_types,
        )
    if gold.fatalities:
        checks["fatalities"] = (
            _tally(total in gold.fatalities),
            list(gold.fatalities),
            total,
        )
    if gold.sources:
        found = sources_found(gold.sources, attributions)
        given: list[JsonValue] = [a for a in attributions if a]
        checks["sources"] = (
            FieldTally(hits=len(found), total=len(gold.sources)),
            list[JsonValue](gold.sources),
            given,
        )
    return {name: checks[name] for name in FIELDS if name in checks}


def _agreement(tallies: Iterable[FieldTally]) -> float:
    return sum(t.hits / t.total for t in tallies if t.total)


def _compatible(predicted: Event, gold: GoldEvent) -> bool:
    return predicted.event_type is gold.event_type and (
        names_agree(predicted.location.name, gold.location.name)
        or date_text_agrees(predicted.date_text, gold.date_text)
    )


_Key = tuple[int, int, float]


def match_events(predicted: Sequence[Event], gold: Sequence[GoldEvent]) -> list[tuple[int, int]]:
    """The optimal one-to-one matching as (predicted index, gold index) pairs.

    Only compatible pairs may match (same event type, and location names or date texts
    agree). The matching maximises required gold events matched, then pairs matched,
    then fields agreeing: an exact search over gold subsets (memoised on the set of gold
    events used), fast for the event counts of a news article.
    """
    weights: dict[tuple[int, int], _Key] = {}
    for i, p in enumerate(predicted):
        for j, g in enumerate(gold):
            if _compatible(p, g):
                agreement = _agreement(t for t, _, _ in _field_checks(p, g).values())
                weights[i, j] = (int(g.required), 1, agreement)

    @functools.cache
    def best(i: int, used: int) -> tuple[_Key, tuple[tuple[int, int], ...]]:
        if i == len(predicted):
            return (0, 0, 0.0), ()
        choice = best(i + 1, used)  # leave predicted[i] unmatched
        for j in range(len(gold)):
            weight = weights.get((i, j))
            if weight is None or used & (1 << j):
                continue
            key, pairs = best(i + 1, used | (1 << j))
            total = (key[0] + weight[0], key[1] + weight[1], key[2] + weight[2])
            if total > choice[0]:
                choice = total, ((i, j), *pairs)
        return choice

    return list(best(0, 0)[1])


def _describe(event: Event | GoldEvent) -> str:
    if isinstance(event, GoldEvent):
        return (
            f"{event.event_type.value} · {' / '.join(event.date_text)} · "
            f"{' / '.join(event.location.name)}"
        )
    return f"{event.event_type.value} · {event.date_text} · {event.location.name}"


def score_events(
    article_id: str, predicted: Sequence[Event], gold: Sequence[GoldEvent]
) -> tuple[EventScore, list[Mismatch]]:
    """Match the predicted events to gold and score the fields of matched pairs."""
    pairs: list[EventPair] = []
    mismatches: list[Mismatch] = []
    matched = match_events(predicted, gold)
    for i, j in matched:
        checks = _field_checks(predicted[i], gold[j])
        g = gold[j]
        pairs.append(
            EventPair(
                gold=g.id,
                predicted=i,
                required=g.required,
                agreement=round(_agreement(t for t, _, _ in checks.values()), 4),
                fields={name: tally for name, (tally, _, _) in checks.items()},
            )
        )
        if not g.required:
            continue
        for name, (tally, gold_value, predicted_value) in checks.items():
            if tally.hits < tally.total:
                mismatches.append(
                    Mismatch(
                        article=article_id,
                        event=g.id,
                        field=name,
                        gold=gold_value,
                        predicted=predicted_value,
                    )
                )
    gold_matched = {j for _, j in matched}
    predicted_matched = {i for i, _ in matched}
    missed = [g for j, g in enumerate(gold) if g.required and j not in gold_matched]
    false_alarms = [i for i in range(len(predicted)) if i not in predicted_matched]
    mismatches += [
        Mismatch(article=article_id, event=g.id, field="event", gold=_describe(g), predicted=None)
        for g in missed
    ]
    mismatches += [
        Mismatch(
            article=article_id,
            event=None,
            field="event",
            gold=None,
            predicted=_describe(predicted[i]),
        )
        for i in false_alarms
    ]
    score = EventScore(pairs=pairs, missed=[g.id for g in missed], false_alarms=false_alarms)
    return score, mismatches


# --------------------------------------------------------------------------- summary


def _is_acronym(word: str) -> bool:
    return word.isalpha() and word.isupper() and len(word) <= 5


def _mentions(alternative: str, text: str, folded: str) -> bool:
    """Whether the text mentions the alternative. Acronyms ("IS", "SANA") match as
    case-sensitive whole words, so "IS" is not found in "is"; other wordings match after
    :func:`fold_name`, as whole words."""
    if _is_acronym(alternative):
        return re.search(rf"(?<!\w){re.escape(alternative)}(?!\w)", text) is not None
    return _contains(folded, fold_name(alternative))


def _term_pattern(term: str) -> re.Pattern[str]:
    body = r"[\s-]+".join(re.escape(part) for part in re.split(r"[\s-]+", term.strip()))
    return re.compile(rf"\b{body}\b", re.IGNORECASE)


def score_summary(
    article_id: str, summary: Summary, expected: GoldSummary, source_text: str
) -> tuple[SummaryScore, list[Mismatch]]:
    """Score a summary (headline and text) against the gold expectations and the
    cleaned article text it must be grounded in."""
    both = f"{summary.headline}\n{summary.text}"
    folded = fold_text(both)
    missing = [
        list(entry)
        for entry in expected.must_mention
        if not any(_mentions(alternative, both, folded) for alternative in entry)
    ]
    own_voice = f"{strip_quoted(summary.headline)}\n{strip_quoted(summary.text)}"
    forbidden = [t for t in expected.forbidden_unquoted if _term_pattern(t).search(own_voice)]
    source_numbers = numbers_in(source_text)
    sums = {a + b for a in source_numbers for b in source_numbers}
    numbers = numbers_in(both, include_small_words=False)
    unsupported = sorted(n for n in numbers if n not in source_numbers and n not in sums)
    score = SummaryScore(
        mentions_total=len(expected.must_mention),
        mentions_missing=missing,
        forbidden_used=forbidden,
        words=len(summary.text.split()),
        max_words=expected.max_words,
        numbers_total=len(numbers),
        numbers_unsupported=unsupported,
    )
    mismatches = [
        Mismatch(article=article_id, field="summary.must_mention", gold=entry, predicted=None)
        for entry in missing
    ]
    mismatches += [
        Mismatch(
            article=article_id,
            field="summary.forbidden_unquoted",
            gold="only inside quotation marks",
            predicted=term,
        )
        for term in forbidden
    ]
    if not score.within_limit:
        mismatches.append(
            Mismatch(
                article=article_id,
                field="summary.max_words",
                gold=expected.max_words,
                predicted=score.words,
            )
        )
    mismatches += [
        Mismatch(
            article=article_id,
            field="summary.numbers",
            gold="a number the article gives",
            predicted=number,
        )
        for number in unsupported
    ]
    return score, mismatches


# --------------------------------------------------------------------------- article


def _cleaning_mismatches(
    article_id: str, gold: GoldArticle, score: CleaningScore
) -> list[Mismatch]:
    out = []
    if not score.body_end_kept:
        out.append(
            Mismatch(
                article=article_id,
                field="cleaning.body_end",
                gold=gold.body_ends_with,
                predicted="cut from the cleaned text",
            )
        )
    out += [
        Mismatch(
            article=article_id,
            field="cleaning.body_line",
            gold=line,
            predicted="lost in cleaning",
        )
        for line in score.lines_lost
    ]
    out += [
        Mismatch(
            article=article_id,
            field="cleaning.must_drop",
            gold="dropped",
            predicted=fragment,
        )
        for fragment in score.must_drop_left
    ]
    return out


def score_article(
    gold: GoldArticle,
    report: ArticleReport | None,
    *,
    raw_text: str,
    cleaned_text: str,
    error: str | None = None,
) -> ArticleScore:
    """Score one article. ``report`` is None when summarizing failed (``error`` says why):
    every required gold event is then missed and every summary check fails."""
    article_id = gold.article_id
    cleaning = score_cleaning(gold, raw_text, cleaned_text)
    mismatches = _cleaning_mismatches(article_id, gold, cleaning)
    if error is not None:
        mismatches.insert(
            0, Mismatch(article=article_id, field="error", gold=None, predicted=error)
        )
    predicted = report.events if report is not None else []
    events, event_mismatches = score_events(article_id, predicted, gold.events)
    mismatches += event_mismatches
    summary: SummaryScore | None = None
    if report is not None:
        summary, summary_mismatches = score_summary(
            article_id, report.summary, gold.summary, cleaned_text
        )
        mismatches += summary_mismatches
    fields: dict[str, FieldTally] = {}
    for pair in events.pairs:
        if pair.required:
            for name, tally in pair.fields.items():
                fields[name] = fields.get(name, FieldTally()) + tally
    mentions_total = len(gold.summary.must_mention)
    counts = Counts(
        articles=1,
        failed=int(report is None),
        true_positives=events.true_positives,
        false_positives=len(events.false_alarms),
        false_negatives=len(events.missed),
        optional_matched=events.optional_matched,
        fields={name: fields[name] for name in FIELDS if name in fields},
        cleaning_passed=sum(cleaning.checks),
        cleaning_checks=len(cleaning.checks),
        mentions_found=(summary.mentions_total - len(summary.mentions_missing)) if summary else 0,
        mentions_total=summary.mentions_total if summary else mentions_total,
        summaries_neutral=int(summary is not None and not summary.forbidden_used),
        summaries_within_limit=int(summary is not None and summary.within_limit),
        summaries_numbers_grounded=int(summary is not None and not summary.numbers_unsupported),
        numbers_total=summary.numbers_total if summary else 0,
        numbers_unsupported=len(summary.numbers_unsupported) if summary else 0,
    )
    return ArticleScore(
        article=article_id,
        error=error,
        cleaning=cleaning,
        events=events,
        summary=summary,
        mismatches=mismatches,
        counts=counts,
    )


def total_counts(scores: Iterable[ArticleScore | Counts]) -> Counts:
    """The sum of the counts of several articles."""
    total = Counts()
    for score in scores:
        total = total + (score.counts if isinstance(score, ArticleScore) else score)
    return total


def per_article_metrics(scores: Mapping[str, Counts]) -> dict[str, dict[str, float | None]]:
    """Metrics of each article on its own."""
    return {article: metrics(counts) for article, counts in scores.items()}
