"""Scoring of records against gold annotations: pure functions, no I/O.

Five things are scored per article (the rules are those of ``tests/fixtures/README.md``):

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
  word limit, and numbers the article does not give (sums of two of its numbers allowed);
* **names**: the record's names not traceable to the article
  (:mod:`~summarizer.evaluation.traceability`), counted and listed.

Names compare after :func:`fold_name` (case, accents, punctuation, hyphens, a leading
"al"/"el"), as whole words: "Al Habit" matches "Al-Habeet, southern Idlib" only through
an accepted spelling "Al Habit". Every failed check becomes a :class:`Mismatch`.
A failed article (no record) scores as every required event missed and every summary
check failed, so an error can never raise a metric.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence

from pydantic import JsonValue

from summarizer.errors import InputError
from summarizer.evaluation._scores import (
    FIELDS,
    LOWER_IS_BETTER,
    ArticleScore,
    CleaningScore,
    Counts,
    EventPair,
    EventScore,
    FieldTally,
    Mismatch,
    SummaryScore,
    metrics,
)
from summarizer.evaluation._text_match import (
    date_text_agrees,
    fold_name,
    fold_text,
    names_agree,
    score_summary,
    sources_found,
)
from summarizer.evaluation.gold import GoldArticle, GoldEvent
from summarizer.evaluation.traceability import untraceable_names
from summarizer.schema import ArticleReport, Event

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
    names_checked, untraceable = (
        untraceable_names(report, (cleaned_text, raw_text)) if report is not None else (0, [])
    )
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
        names_checked=names_checked,
        names_untraceable=len(untraceable),
    )
    return ArticleScore(
        article=article_id,
        error=error,
        cleaning=cleaning,
        events=events,
        summary=summary,
        mismatches=mismatches,
        untraceable=untraceable,
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
