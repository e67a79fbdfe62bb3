"""Hand-built ArticleReports for digest and Slack tests (no LLM involved).

The records are valid :class:`~summarizer.schema.ArticleReport` s, built field by field,
so tests state exactly what each outlet reported.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from summarizer.grounding.notes import event_notes
from summarizer.schema import (
    Actor,
    ActorType,
    ArticleInfo,
    ArticleReport,
    Event,
    EventDraft,
    Fatalities,
    Location,
    PromptInfo,
    Provenance,
    SubEventType,
    Summary,
    Usage,
    parent_event_type,
)
from summarizer.slack.digest import DigestArticle

__all__ = ["FIXTURE_SUMMARIES", "gold_report", "make_article", "make_event", "make_report"]


def make_event(
    location: str,
    *,
    admin1: str | None = "Idlib",
    country: str = "Syria",
    sub: str = "armed_clash",
    date: dt.date | None = None,
    date_text: str = "Saturday",
    total: int | None = None,
    reported_by: str | None = None,
    actor1: str = "Military Forces of Syria",
    actor2: str | None = "Hayat Tahrir al-Sham",
    sources: tuple[str, ...] = (),
) -> Event:
    """One event as an outlet reported it."""
    sub_type = SubEventType(sub)
    draft = EventDraft(
        event_type=parent_event_type(sub_type),
        sub_event_type=sub_type,
        date_text=date_text,
        location=Location(
            name=location, admin1=admin1, admin2=None, country=country, geo_precision=1
        ),
        actor1=Actor(name=actor1, type=ActorType.state_forces),
        actor2=Actor(name=actor2, type=ActorType.rebel_group) if actor2 else None,
        assoc_actor1=[],
        assoc_actor2=[],
        fatalities=Fatalities(total=total, breakdown=[], civilians=None, reported_by=reported_by),
        sources=list(sources or ((reported_by,) if reported_by else ())),
        evidence=[f"Fighting was reported in {location}."],
    )
    return Event(
        **draft.model_dump(), notes=event_notes(draft), date=date, time_precision=1 if date else 3
    )


def make_report(
    *,
    headline: str,
    events: list[Event],
    outlet: str | None = "Example News",
    url: str | None = None,
    published: dt.date | None = None,
    summary: str | None = None,
) -> ArticleReport:
    """A record with the given events and a two-sentence neutral summary."""
    text = summary or (
        f"{headline}, according to the outlet. The report cites "
        f"{len(events)} event{'s' if len(events) != 1 else ''}."
    )
    return ArticleReport(
        article=ArticleInfo(
            title=headline,
            wire=None,
            dateline=None,
            language="en",
            outlet=outlet,
            published=published,
            url=url,
        ),
        events=events,
        summary=Summary(headline=headline, text=text),
        provenance=Provenance(
            model="hand-built",
            endpoint_host="tests",
            prompt=PromptInfo(name="extract", version="v1", sha256="0" * 16),
            schema_version=1,
            attempts=1,
            usage=Usage(),
            latency_seconds=0.0,
            removed_chars=0,
            source_sha256="0" * 64,
            warnings=[],
            created_at=dt.datetime(2019, 12, 20, tzinfo=dt.UTC),
            summarizer_version="test",
        ),
    )


def make_article(
    article_id: str,
    events: list[Event],
    *,
    headline: str | None = None,
    outlet: str | None = "Example News",
    published: dt.date | None = None,
    url: str | None = None,
    **extra: Any,
) -> DigestArticle:
    """A DigestArticle whose link is ``https://news.example/<article_id>`` by default."""
    link = url if url is not None else f"https://news.example/{article_id}"
    report = make_report(
        headline=headline or f"Report {article_id}",
        events=events,
        outlet=outlet,
        url=link,
        published=published,
        **extra,
    )
    return DigestArticle(article_id=article_id, report=report)


# --- records of the five fixture articles, hand-built from their gold annotations ---------

_ACTOR_NAMES = {
    "state_forces": "Military Forces of Syria",
    "rebel_group": "Rebel groups",
    "external_other_forces": "Foreign forces",
    "civilians": "Civilians (Syria)",
    "political_militia": "Pro-government militias",
    "identity_militia": "Identity militia",
}

#: A neutral headline and summary per fixture article, written by hand from its text.
FIXTURE_SUMMARIES = {
    "000_a7a9f593ff51bdb6": (
        "Government forces take Al-Habeet in southern Idlib, monitor says",
        "Syrian government forces captured the town of Al-Habeet in southern Idlib on "
        "Sunday, according to the Syrian Observatory for Human Rights. The monitor said 70 "
        "combatants were killed in fighting in Idlib and northern Hama on Saturday and 27 "
        "more on Sunday.",
    ),
    "001_cace44e448a3c443": (
        "Clashes in northwest Syria kill 55 combatants, monitor says",
        "Fighting between government forces and jihadist and rebel groups in Hama and Idlib "
        "provinces killed 55 combatants on Saturday, according to the Syrian Observatory for "
        "Human Rights. The monitor said government forces were advancing on Kafr Zita and "
        "Al-Latamneh in northern Hama.",
    ),
    "002_dc80ea5dd638b482": (
        "Dozens killed as government offensive presses on in Idlib",
        "Clashes south of Maaret al-Numan killed 26 anti-government fighters and 29 "
        "government troops and allied militia, according to the Syrian Observatory for Human "
        "Rights. The monitor said air strikes killed 19 civilians in Idlib city on Wednesday, "
        "and state news agency SANA reported that rocket fire killed four civilians in Aleppo.",
    ),
    "003_89f9305643469b58": (
        "Government forces advance in northern Aleppo, state media says",
        "Syrian government forces, backed by Russian air strikes, advanced in the north of "
        "Aleppo city on Sunday, Press TV reported. State news agency SANA said the army also "
        "clashed with armed groups in Daraa province and offered safe passage to fighters "
        "leaving eastern Aleppo.",
    ),
    "004_c689b8858d52ccb0": (
        "Government forces retake four districts of Mayadeen, monitor says",
        "Syrian government forces retook four neighbourhoods of Mayadeen in Deir Ezzor "
        "province, according to the Syrian Observatory for Human Rights. State news agency "
        "SANA confirmed that government forces had re-entered the town, which the Islamic "
        "State group had held.",
    ),
}


def gold_report(article_id: str) -> ArticleReport:
    """A record of fixture article ``article_id`` as its gold annotation describes it
    (its required events, first accepted value of each field)."""
    import yaml

    gold_dir = Path(__file__).resolve().parent.parent / "fixtures" / "gold"
    gold = yaml.safe_load((gold_dir / f"{article_id}.yaml").read_text("utf-8"))
    events = []
    for spec in (e for e in gold["events"] if e["required"]):
        actors = [_ACTOR_NAMES[a] for a in spec["actor_types"]]
        total = spec["fatalities"][0]
        sources = tuple(spec["sources"])
        events.append(
            make_event(
                spec["location"]["name"][0],
                admin1=spec["location"]["admin1"][0],
                country=spec["location"]["country"],
                sub=spec["sub_event_type"][0],
                date_text=spec["date_text"][0],
                total=total,
                reported_by=sources[0] if total is not None and sources else None,
                actor1=actors[0],
                actor2=actors[1] if len(actors) > 1 else None,
                sources=sources,
            )
        )
    headline, summary = FIXTURE_SUMMARIES[article_id]
    report = make_report(headline=headline, events=events, outlet=gold["outlet"], summary=summary)
    article = report.article.model_copy(update={"wire": gold.get("wire")})
    return report.model_copy(update={"article": article})
