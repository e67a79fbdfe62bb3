"""Hand-built records and scores for the evaluation tests (never presented as model output).

The records are about fixture article 000 (the capture of Al-Habeet): :func:`al_habeet`
and :func:`saturday` are its two required gold events, predicted perfectly unless
overridden; :func:`score` scores a record of such events against the real gold file.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from summarizer.evaluation.gold import GoldArticle, load_gold
from summarizer.evaluation.runner import ArticleOutcome, EvalResult, RunInfo
from summarizer.evaluation.scoring import ArticleScore, score_article
from summarizer.schema import ArticleReport
from summarizer.text.clean import clean_text

FIXTURES = Path(__file__).parent / "fixtures"
ARTICLE = "000_a7a9f593ff51bdb6"
RAW = (FIXTURES / "articles" / f"{ARTICLE}.txt").read_text("utf-8")
CLEANED = clean_text(RAW).text
GOOD_SUMMARY = (
    "Syrian government forces took the town of Al-Habeet in southern Idlib province at dawn "
    "on Sunday, according to the Syrian Observatory for Human Rights. The monitor said 70 "
    "combatants were killed on Saturday in fighting on the edge of Idlib and Hama provinces. "
    'Its head described the town as "the first town in southern Idlib to be taken by the '
    'regime since the start of the escalation".'
)


def gold_000() -> GoldArticle:
    return load_gold(FIXTURES / "gold" / f"{ARTICLE}.yaml")


def event(
    event_type: str = "battles",
    sub_event_type: str = "armed_clash",
    date_text: str = "Saturday",
    name: str = "Idlib",
    admin1: str | None = "Idlib",
    country: str = "Syria",
    actors: tuple[str, ...] = ("state_forces", "rebel_group"),
    total: int | None = None,
    sources: tuple[str, ...] = (),
    reported_by: str | None = None,
    date: dt.date | None = None,
) -> dict[str, Any]:
    """One record event as a dict (hand-built)."""
    actor_dicts = [{"name": f"Side {i}", "type": t} for i, t in enumerate(actors, start=1)]
    return {
        "event_type": event_type,
        "sub_event_type": sub_event_type,
        "date_text": date_text,
        "location": {
            "name": name,
            "admin1": admin1,
            "admin2": None,
            "country": country,
            "geo_precision": 1,
        },
        "actor1": actor_dicts[0],
        "actor2": actor_dicts[1] if len(actor_dicts) > 1 else None,
        "assoc_actor1": [],
        "assoc_actor2": [],
        "fatalities": {
            "total": total,
            "breakdown": [],
            "civilians": None,
            "reported_by": reported_by,
        },
        "sources": list(sources),
        "evidence": ["A sentence of the article."],
        "notes": "A note.",
        "date": date,
        "time_precision": 1,
    }


def report(
    events: list[dict[str, Any]],
    *,
    text: str = GOOD_SUMMARY,
    headline: str = "Government forces take a town in Idlib",
) -> ArticleReport:
    """A hand-built ArticleReport holding these events and this summary."""
    return ArticleReport.model_validate(
        {
            "article": {
                "title": None,
                "wire": None,
                "dateline": None,
                "language": "en",
                "outlet": None,
                "published": None,
                "url": None,
            },
            "events": events,
            "summary": {"headline": headline, "text": text},
            "provenance": {
                "model": "hand-built",
                "endpoint_host": "nowhere",
                "prompt": {"name": "extract", "version": "v1", "sha256": "0" * 16},
                "schema_version": 1,
                "attempts": 1,
                "usage": {},
                "latency_seconds": 0.0,
                "removed_chars": 0,
                "source_sha256": "0" * 64,
                "warnings": [],
                "created_at": "2024-01-01T00:00:00Z",
                "summarizer_version": "test",
            },
        }
    )


def al_habeet(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "sub_event_type": "government_regains_territory",
        "date_text": "at dawn on Sunday",
        "name": "Al-Habeet",
        "total": 27,
        "sources": ("Syrian Observatory for Human Rights",),
    }
    values.update(overrides)
    return event(**values)


def saturday(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": "northern Hama",
        "admin1": "Hama",
        "total": 70,
        "reported_by": "Syrian Observatory for Human Rights",
    }
    values.update(overrides)
    return event(**values)


def score(events: list[dict[str, Any]], **summary: str) -> ArticleScore:
    """Score a hand-built record of article 000 against its gold file."""
    return score_article(gold_000(), report(events, **summary), raw_text=RAW, cleaned_text=CLEANED)


def result(*scores: ArticleScore) -> EvalResult:
    """An evaluation result made of these article scores (as if run in replay)."""
    run = RunInfo(
        mode="replay",
        model="hand-built",
        endpoint_host="nowhere",
        prompt_name="extract",
        prompt_version="v1",
        prompt_sha256="0" * 16,
        schema_version=1,
        summarizer_version="test",
        from_records=True,
        articles_dir="articles",
        gold_dir="gold",
        cassette_dir=None,
        started_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        seconds=0.5,
    )
    outcomes = [ArticleOutcome(article=s.article, seconds=0.1, score=s) for s in scores]
    return EvalResult.build(run, outcomes)
