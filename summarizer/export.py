"""Serialising records: JSON, JSON Lines, Markdown and ACLED-style CSV.

The CSV uses ACLED's column names and display labels. ACLED writes 0 for fatalities
that were not reported; records keep ``null`` instead, so the CSV maps null to 0 and
says so in the ``tags`` column ("fatalities not reported").
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from summarizer.schema import ActorType, ArticleReport, Event, EventType, SubEventType

__all__ = ["ACLED_COLUMNS", "acled_rows", "to_csv", "to_json", "to_jsonl", "to_markdown"]

ACLED_COLUMNS = [
    "event_date", "year", "time_precision", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction",
    "civilian_targeting", "country", "admin1", "admin2", "location", "geo_precision",
    "source", "notes", "fatalities", "tags",
]  # fmt: skip

_EVENT_LABELS = {
    EventType.battles: "Battles",
    EventType.explosions_remote_violence: "Explosions/Remote violence",
    EventType.violence_against_civilians: "Violence against civilians",
    EventType.protests: "Protests",
    EventType.riots: "Riots",
    EventType.strategic_developments: "Strategic developments",
}
_SUB_LABELS = {
    SubEventType.government_regains_territory: "Government regains territory",
    SubEventType.non_state_actor_overtakes_territory: "Non-state actor overtakes territory",
    SubEventType.air_drone_strike: "Air/drone strike",
    SubEventType.shelling_artillery_missile_attack: "Shelling/artillery/missile attack",
    SubEventType.remote_explosive_landmine_ied: "Remote explosive/landmine/IED",
    SubEventType.abduction_forced_disappearance: "Abduction/forced disappearance",
    SubEventType.headquarters_or_base_established: "Headquarters or base established",
    SubEventType.looting_property_destruction: "Looting/property destruction",
}
_INTER = {actor: code for code, actor in enumerate(ActorType, start=1)}


def _sub_label(sub: SubEventType) -> str:
    return _SUB_LABELS.get(sub, sub.value.replace("_", " ").capitalize())


def to_json(report: ArticleReport, *, indent: int | None = 2) -> str:
    """The record as JSON (dates ISO 8601)."""
    return report.model_dump_json(indent=indent)


def to_jsonl(reports: Iterable[ArticleReport]) -> str:
    """Records as JSON Lines, one per line."""
    return "".join(report.model_dump_json() + "\n" for report in reports)


def acled_rows(report: ArticleReport) -> list[dict[str, str]]:
    """One ACLED-style row per event."""
    return [_row(event) for event in report.events]


def _row(event: Event) -> dict[str, str]:
    inter1 = _INTER[event.actor1.type]
    inter2 = _INTER[event.actor2.type] if event.actor2 else 0
    low, high = sorted((inter1, inter2))
    interaction = low * 10 + high if low else high * 10
    tags = [] if event.fatalities.total is not None else ["fatalities not reported"]
    civilians_hit = event.event_type is EventType.violence_against_civilians or any(
        a is not None and a.type is ActorType.civilians for a in (event.actor1, event.actor2)
    )
    return {
        "event_date": event.date.isoformat() if event.date else "",
        "year": str(event.date.year) if event.date else "",
        "time_precision": str(event.time_precision),
        "event_type": _EVENT_LABELS[event.event_type],
        "sub_event_type": _sub_label(event.sub_event_type),
        "actor1": event.actor1.name,
        "assoc_actor_1": "; ".join(event.assoc_actor1),
        "inter1": str(inter1),
        "actor2": event.actor2.name if event.actor2 else "",
        "assoc_actor_2": "; ".join(event.assoc_actor2),
        "inter2": str(inter2),
        "interaction": str(interaction),
        "civilian_targeting": "Civilian targeting" if civilians_hit else "",
        "country": event.location.country,
        "admin1": event.location.admin1 or "",
        "admin2": event.location.admin2 or "",
        "location": event.location.name,
        "geo_precision": str(event.location.geo_precision),
        "source": "; ".join(event.sources),
        "notes": event.notes,
        "fatalities": str(event.fatalities.total or 0),
        "tags": "; ".join(tags),
    }


def to_csv(reports: Iterable[ArticleReport]) -> str:
    """ACLED-style CSV with a header row; one row per event of every record."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=ACLED_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for report in reports:
        writer.writerows(acled_rows(report))
    return buffer.getvalue()


def _fatalities_text(event: Event) -> str:
    fat = event.fatalities
    if fat.total is None:
        return "not reported"
    parts = ", ".join(f"{p.count} {p.side}" for p in fat.breakdown)
    by = f" (according to {fat.reported_by})" if fat.reported_by else ""
    return f"{fat.total}{' — ' + parts if parts else ''}{by}"


def to_markdown(report: ArticleReport) -> str:
    """A readable Markdown rendering of one record."""
    article = report.article
    lines = [f"## {report.summary.headline}", "", report.summary.text, ""]
    meta = [x for x in (article.outlet, article.wire, article.dateline) if x]
    if article.published:
        meta.append(article.published.isoformat())
    if meta:
        lines += [f"*{' · '.join(meta)}*", ""]
    if article.url:
        lines += [f"<{article.url}>", ""]
    if not report.events:
        lines += ["No political violence, protest or strategic development reported.", ""]
    for number, event in enumerate(report.events, start=1):
        when = event.date.isoformat() if event.date else event.date_text
        where = ", ".join(x for x in (event.location.name, event.location.admin1) if x)
        lines += [
            f"### {number}. {_EVENT_LABELS[event.event_type]} — {_sub_label(event.sub_event_type)}",
            f"- **When:** {when} ({event.date_text})",
            f"- **Where:** {where}, {event.location.country}",
            f"- **Actors:** {event.actor1.name}"
            + (f" vs {event.actor2.name}" if event.actor2 else ""),
            f"- **Fatalities:** {_fatalities_text(event)}",
            f"- **Sources:** {', '.join(event.sources) or 'unattributed'}",
            f"- **Notes:** {event.notes}",
            "",
        ]
    p = report.provenance
    lines.append(
        f"<sub>{p.model} @ {p.endpoint_host} · prompt {p.prompt.name}/{p.prompt.version} "
        f"({p.prompt.sha256}) · schema v{p.schema_version} · {p.attempts} attempt(s) · "
        f"{p.usage.total_tokens} tokens · {p.latency_seconds:.1f}s</sub>"
    )
    return "\n".join(lines) + "\n"
