"""How an evaluation run reads in words: numbers formatted, mismatches as sentences
("gold said X, model said Y"), ranked worst first, and each article's checks (the
JUnit test cases). Shared by every report format of :mod:`.reports`.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import JsonValue

from summarizer.evaluation.runner import ArticleOutcome, EvalResult
from summarizer.evaluation.scoring import FIELDS, LOWER_IS_BETTER, Mismatch

__all__ = [
    "article_checks",
    "cut",
    "describe_mismatch",
    "metric_text",
    "num",
    "pct",
    "run_line",
    "short",
    "value_text",
    "worst_mismatches",
]

# Lower rank = worse; used to pick the mismatches a PR comment shows first.
_SEVERITY = {
    "error": 0,
    "event": 1,
    "fatalities": 2,
    "cleaning.body_end": 3,
    "cleaning.body_line": 3,
    "location": 4,
    "date_text": 5,
    "sub_event_type": 6,
    "actor_types": 7,
    "summary.forbidden_unquoted": 8,
    "summary.numbers": 8,
    "date": 9,
    "admin1": 10,
    "sources": 11,
    "country": 12,
    "summary.must_mention": 13,
    "summary.max_words": 14,
    "cleaning.must_drop": 15,
}


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def metric_text(name: str, value: float | None) -> str:
    """A metric as shown: a count as a whole number, a share with three decimals."""
    if name in LOWER_IS_BETTER and value is not None:
        return f"{value:.0f}"
    return num(value)


def short(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def value_text(value: JsonValue) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, list):
        return " / ".join("not reported" if v is None else str(v) for v in value) or "nothing"
    return str(value)


def cut(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe_mismatch(m: Mismatch) -> str:
    """One mismatch as a sentence: "gold said X, model said Y"."""
    if m.field == "error":
        return f"summarizing failed: {value_text(m.predicted)}"
    if m.field == "event" and m.predicted is None:
        return f"gold said there is an event ({value_text(m.gold)}), model said nothing matching"
    if m.field == "event":
        return f"gold said no such event, model said {value_text(m.predicted)}"
    if m.field == "fatalities":
        gold = value_text(m.gold)
        predicted = "not reported" if m.predicted is None else value_text(m.predicted)
        return f"gold said {gold} killed, model said {predicted}"
    if m.field == "sources":
        return f"gold said sources {value_text(m.gold)}, model said {value_text(m.predicted)}"
    if m.field == "summary.must_mention":
        return f"gold said the summary mentions {value_text(m.gold)}, model said none of them"
    if m.field == "summary.forbidden_unquoted":
        return f"gold said '{m.predicted}' only inside quotation marks, model used it unquoted"
    if m.field == "summary.max_words":
        return f"gold said at most {m.gold} words, model wrote {m.predicted}"
    if m.field == "summary.numbers":
        return f"gold said only numbers the article gives, model wrote {m.predicted}"
    if m.field == "cleaning.body_end":
        return f"gold said the body ends with '{cut(value_text(m.gold), 80)}', cleaning cut it"
    if m.field == "cleaning.body_line":
        return f"gold said body line '{cut(value_text(m.gold), 80)}' stays, cleaning lost it"
    if m.field == "cleaning.must_drop":
        return f"gold said '{m.predicted}' is dropped, cleaning kept it"
    return f"gold said {m.field} {value_text(m.gold)}, model said {value_text(m.predicted)}"


def worst_mismatches(result: EvalResult, limit: int | None = None) -> list[Mismatch]:
    """Every mismatch of the run, worst first (errors, missed events, tolls, …)."""
    ranked = sorted(
        (m for outcome in result.articles for m in outcome.score.mismatches),
        key=lambda m: (_SEVERITY.get(m.field, 99), m.article, m.event or ""),
    )
    return ranked if limit is None else ranked[:limit]


def run_line(result: EvalResult) -> str:
    run = result.run
    failed = sum(o.failed for o in result.articles)
    return (
        f"model {run.model} @ {run.endpoint_host} · prompt {run.prompt_name}/"
        f"{run.prompt_version} ({run.prompt_sha256}) · schema v{run.schema_version} · "
        f"{run.mode}{' + record' if run.record else ''} · {len(result.articles)} articles"
        f"{f' ({failed} failed)' if failed else ''} · {run.seconds:.1f}s"
    )


def article_checks(outcome: ArticleOutcome) -> list[tuple[str, str | None, str]]:
    """(check name, failure message or None, detail) per check of one article."""
    score = outcome.score
    by_field: dict[str, list[Mismatch]] = {}
    for m in score.mismatches:
        by_field.setdefault(m.field, []).append(m)

    def message(fields: Iterable[str]) -> str | None:
        found = [m for f in fields for m in by_field.get(f, [])]
        if not found:
            return None
        head = describe_mismatch(found[0])
        return head if len(found) == 1 else f"{head} (and {len(found) - 1} more)"

    no_record = f"no record: {score.error}" if score.error else None
    event_fields = [f for f in FIELDS if f != "fatalities"]
    counts = score.counts
    checks: list[tuple[str, str | None, str]] = [
        ("summarize", score.error, f"{outcome.seconds:.2f}s"),
        (
            "cleaning",
            message(["cleaning.body_end", "cleaning.body_line", "cleaning.must_drop"]),
            f"{score.cleaning.body_lines} body lines",
        ),
    ]
    missed = [m for m in by_field.get("event", []) if m.predicted is None]
    alarms = [m for m in by_field.get("event", []) if m.predicted is not None]
    checks.append(
        (
            "events_recall",
            no_record
            or (
                f"{len(missed)} required event(s) missed: " + describe_mismatch(missed[0])
                if missed
                else None
            ),
            f"{counts.true_positives} found, {counts.false_negatives} missed",
        )
    )
    checks.append(
        (
            "events_precision",
            no_record
            or (
                f"{len(alarms)} false alarm(s): " + describe_mismatch(alarms[0]) if alarms else None
            ),
            f"{counts.false_positives} false alarms, {counts.optional_matched} optional",
        )
    )
    checks.append(("fields", no_record or message(event_fields), "fields of matched events"))
    checks.append(("fatalities", no_record or message(["fatalities"]), "fatality totals"))
    for name, fields in (
        ("summary_must_mention", ["summary.must_mention"]),
        ("summary_neutrality", ["summary.forbidden_unquoted"]),
        ("summary_word_limit", ["summary.max_words"]),
        ("summary_numbers", ["summary.numbers"]),
    ):
        checks.append((name, no_record or message(fields), name.replace("_", " ")))
    untraceable = ", ".join(f"{u.name!r} ({u.field})" for u in score.untraceable)
    checks.append(
        (
            "names_traceable",
            no_record or (f"names not in the article: {untraceable}" if untraceable else None),
            f"{counts.names_checked} names checked",
        )
    )
    return checks
