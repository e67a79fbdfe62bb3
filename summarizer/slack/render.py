"""Rendering a :class:`~summarizer.slack.digest.Digest`: Slack Block Kit, Markdown, plain text.

Slack (:func:`render_slack`) gets a header, a section per group and per item, and a
context line per item with its sources and links. Slack's limits are respected by
construction, never by cutting text off:

* at most :data:`MAX_BLOCKS` blocks per message, :data:`MAX_SECTION_TEXT` characters per
  section text, :data:`MAX_HEADER_TEXT` per header and :data:`MAX_CONTEXT_ELEMENTS`
  elements per context block;
* a message stays under :data:`MESSAGE_BUDGET` characters of JSON (Slack's practical
  ceiling is about 13,000);
* what does not fit the first message goes into further messages, posted as thread
  replies, each labelled "part 2 of 3"; a group that spills over repeats its heading;
  a text too long for one section is split over several at line or word boundaries;
* every message sets the ``text`` fallback used by notifications and screen readers.

:func:`render_article_details` renders one article (neutral summary, key facts per event,
provenance) for the per-article thread replies. :func:`render_markdown` and
:func:`render_text` render the whole digest for terminals, files and e-mail.

The Block Kit primitives and the packing into messages live in :mod:`._blocks`.
"""

from __future__ import annotations

from typing import Any

from summarizer.errors import redact_url
from summarizer.schema import Event, EventType, SubEventType
from summarizer.slack._blocks import (
    MAX_BLOCKS,
    MAX_CONTEXT_ELEMENTS,
    MAX_FALLBACK_TEXT,
    MAX_HEADER_TEXT,
    MAX_SECTION_TEXT,
    MESSAGE_BUDGET,
    SlackMessage,
    Unit,
    contexts,
    esc,
    finish,
    header,
    link,
    pack,
    sections,
)
from summarizer.slack.digest import Digest, DigestArticle, DigestGroup, DigestItem

__all__ = [
    "MAX_BLOCKS",
    "MAX_CONTEXT_ELEMENTS",
    "MAX_FALLBACK_TEXT",
    "MAX_HEADER_TEXT",
    "MAX_SECTION_TEXT",
    "MESSAGE_BUDGET",
    "SlackMessage",
    "event_label",
    "render_article_details",
    "render_markdown",
    "render_slack",
    "render_text",
]

_EVENT_LABELS = {
    EventType.battles: "Battles",
    EventType.explosions_remote_violence: "Explosions/remote violence",
    EventType.violence_against_civilians: "Violence against civilians",
    EventType.protests: "Protests",
    EventType.riots: "Riots",
    EventType.strategic_developments: "Strategic developments",
}
_SUB_LABELS = {
    SubEventType.non_state_actor_overtakes_territory: "non-state actor overtakes territory",
    SubEventType.air_drone_strike: "air/drone strike",
    SubEventType.shelling_artillery_missile_attack: "shelling/artillery/missile attack",
    SubEventType.remote_explosive_landmine_ied: "remote explosive/landmine/IED",
    SubEventType.abduction_forced_disappearance: "abduction/forced disappearance",
    SubEventType.looting_property_destruction: "looting/property destruction",
}
OTHER_REPORTS = "Other reports (no event recorded)"
_VIOLENT = frozenset(
    {
        EventType.battles,
        EventType.explosions_remote_violence,
        EventType.violence_against_civilians,
        EventType.riots,
    }
)


def event_label(event_type: EventType, sub_event_type: SubEventType) -> str:
    """'Battles: government regains territory'."""
    sub = _SUB_LABELS.get(sub_event_type, sub_event_type.value.replace("_", " "))
    return f"{_EVENT_LABELS[event_type]}: {sub}"


# --- the digest -------------------------------------------------------------------------------


def _group_heading(group: DigestGroup, *, continued: bool = False) -> str:
    count = len(group.items)
    more = " (continued)" if continued else ""
    return (
        f"*{esc(group.title)}*{more} — {count} event{'s' if count != 1 else ''} · "
        f"{group.total.text()}"
    )


def _actors(actor1: str, actor2: str | None) -> str:
    return actor1 + (f" vs {actor2}" if actor2 else "")


def _toll(item: DigestItem) -> str | None:
    """'Killed: …' for violent events and any event with a figure; None otherwise."""
    if item.fatalities.claims or item.event_type in _VIOLENT:
        return f"Killed: {item.fatalities.text()}"
    return None


def _item_text(item: DigestItem) -> str:
    where = item.location + (f" ({item.admin2})" if item.admin2 else "")
    label = event_label(item.event_type, item.sub_event_type)
    lines = [
        f"*{esc(item.when)} · {esc(where)}* — {label}",
        esc(_actors(item.actor1, item.actor2)),
    ]
    toll = _toll(item)
    if toll:
        lines.append(esc(toll))
    return "\n".join(lines)


def _source_links(item: DigestItem) -> list[str]:
    prefix = "Source: " if len(item.sources) == 1 else "Sources: "
    links = [link(s.url, f"{s.label} — {s.headline}") for s in item.sources]
    return [prefix + links[0], *links[1:]]


def _intro(digest: Digest) -> str:
    parts = [f"{digest.generated_at:%d %b %Y %H:%M} UTC"]
    if digest.window:
        parts.append(f"last {digest.window}")
    parts += [
        f"{len(digest.articles)} article{'s' if len(digest.articles) != 1 else ''}",
        f"{digest.item_count} event{'s' if digest.item_count != 1 else ''}",
        f"{len(digest.groups)} area{'s' if len(digest.groups) != 1 else ''}",
    ]
    return " · ".join(parts)


def _digest_units(digest: Digest) -> tuple[list[Unit], dict[str, list[dict[str, Any]]]]:
    intro: list[dict[str, Any]] = [header(digest.title)]
    if len(" ".join(digest.title.split())) > MAX_HEADER_TEXT:
        intro += sections(f"*{esc(digest.title)}*")
    intro += contexts([esc(_intro(digest))])
    units = [Unit(intro)]
    continued: dict[str, list[dict[str, Any]]] = {}
    for group in digest.groups:
        continued[group.title] = sections(_group_heading(group, continued=True))
        heading = [{"type": "divider"}, *sections(_group_heading(group))]
        units.append(Unit(heading, group=group.title, heading=True))
        for item in group.items:
            blocks = sections(_item_text(item)) + contexts(_source_links(item))
            units.append(Unit(blocks, item.article_ids, group=group.title))
    if digest.unplaced:
        continued[OTHER_REPORTS] = sections(f"*{OTHER_REPORTS}* (continued)")
        heading = [{"type": "divider"}, *sections(f"*{OTHER_REPORTS}*")]
        units.append(Unit(heading, group=OTHER_REPORTS, heading=True))
        for article in digest.unplaced:
            text = (
                f"*{link(article.link, article.headline)}* — {esc(article.label)}\n"
                f"{esc(article.report.summary.text)}"
            )
            units.append(Unit(sections(text), (article.article_id,), group=OTHER_REPORTS))
    return units, continued


def render_slack(digest: Digest) -> list[SlackMessage]:
    """The digest as Slack messages: the first is the parent, the rest thread replies.

    An empty digest renders as no message at all.
    """
    if digest.empty:
        return []
    units, continued = _digest_units(digest)
    first = (
        f"{digest.title}: {digest.item_count} event(s) from {len(digest.articles)} article(s) "
        f"in {len(digest.groups)} area(s)."
    )
    return finish(pack(units, continued), title=digest.title, first_text=first)


# --- one article ------------------------------------------------------------------------------


def _fatalities_text(event: Event) -> str:
    fat = event.fatalities
    if fat.total is None:
        return "not reported"
    text = str(fat.total)
    if fat.breakdown:
        text += " (" + ", ".join(f"{p.count} {p.side}" for p in fat.breakdown) + ")"
    if fat.civilians is not None:
        text += f"; {fat.civilians} civilians"
    if fat.reported_by:
        text += f", according to {fat.reported_by}"
    return text


def _event_text(event: Event) -> str:
    when = event.date.isoformat() + f" ({event.date_text})" if event.date else event.date_text
    place = ", ".join(
        x for x in (event.location.name, event.location.admin1, event.location.country) if x
    )
    lines = [
        f"*{event_label(event.event_type, event.sub_event_type)}* · {esc(when)} · {esc(place)}",
        esc(_actors(event.actor1.name, event.actor2.name if event.actor2 else None)),
        f"Killed: {esc(_fatalities_text(event))}",
    ]
    if event.sources:
        lines.append(f"Sources: {esc(', '.join(event.sources))}")
    return "\n".join(lines)


def render_article_details(article: DigestArticle) -> list[SlackMessage]:
    """One article for a thread reply: neutral summary, key facts per event, provenance.

    Normally one message; a record too large for one is split like a digest.
    """
    report = article.report
    info = report.article
    meta = [article.label, *(x for x in (info.wire, info.dateline) if x)]
    if info.published:
        meta.append(f"published {info.published.isoformat()}")
    meta.append(f"{len(report.events)} event{'s' if len(report.events) != 1 else ''}")
    units = [
        Unit(
            sections(f"*{link(article.link, article.headline)}*\n{esc(report.summary.text)}")
            + contexts([esc(" · ".join(meta))]),
            (article.article_id,),
        )
    ]
    units += [Unit(sections(_event_text(event))) for event in report.events]
    p = report.provenance
    units.append(
        Unit(
            contexts(
                [
                    esc(
                        f"Record: {p.model} @ {p.endpoint_host} · prompt {p.prompt.name}/"
                        f"{p.prompt.version} · {p.attempts} attempt(s) · "
                        f"{len(p.warnings)} warning(s)"
                    )
                ]
            )
        )
    )
    drafts = pack(units, {})
    return finish(drafts, title=article.headline, first_text=article.headline)


# --- Markdown and plain text --------------------------------------------------------------------


def _md(text: str) -> str:
    """Escape Markdown's emphasis and link characters in user text."""
    for char in "\\`*_[]<>":
        text = text.replace(char, "\\" + char)
    return text


def _md_link(url: str | None, label: str) -> str:
    if not url:
        return _md(label)
    return f"[{_md(label)}](<{redact_url(url).replace('>', '%3E').replace(' ', '%20')}>)"


def render_markdown(digest: Digest) -> str:
    """The digest as Markdown: groups, items with sources, then every article's summary."""
    if digest.empty:
        return f"# {_md(digest.title)}\n\nNothing new to report.\n"
    lines = [f"# {_md(digest.title)}", "", f"*{_md(_intro(digest))}*", ""]
    for group in digest.groups:
        lines += [f"## {_md(group.title)} — {group.total.text()}", ""]
        for item in group.items:
            where = item.location + (f" ({item.admin2})" if item.admin2 else "")
            links = "; ".join(_md_link(s.url, f"{s.label} — {s.headline}") for s in item.sources)
            sources = ("Source: " if len(item.sources) == 1 else "Sources: ") + links
            toll = _toll(item)
            lines += [
                f"- **{_md(item.when)} · {_md(where)}** — "
                f"{event_label(item.event_type, item.sub_event_type)}. "
                f"{_md(_actors(item.actor1, item.actor2))}." + (f" {_md(toll)}." if toll else ""),
                f"  {sources}",
            ]
        lines.append("")
    if digest.unplaced:
        lines += [f"## {OTHER_REPORTS}", ""]
        lines += [f"- {_md_link(a.link, a.headline)} — {_md(a.label)}" for a in digest.unplaced]
        lines.append("")
    lines += ["## Articles", ""]
    for article in digest.articles:
        info = article.report.article
        meta = [article.label, *(x for x in (info.wire,) if x)]
        if info.published:
            meta.append(info.published.isoformat())
        lines += [
            f"### {_md_link(article.link, article.headline)}",
            f"*{_md(' · '.join(meta))}*",
            "",
            _md(article.report.summary.text),
            "",
        ]
    return "\n".join(lines).rstrip() + "\n"


def render_text(digest: Digest) -> str:
    """The digest as plain text (links in parentheses)."""
    if digest.empty:
        return f"{digest.title}\n\nNothing new to report.\n"
    lines = [digest.title, "=" * min(len(digest.title), 78), _intro(digest), ""]
    for group in digest.groups:
        lines += [f"{group.title} — {group.total.text()}", "-" * min(len(group.title), 78)]
        for item in group.items:
            where = item.location + (f" ({item.admin2})" if item.admin2 else "")
            toll = _toll(item)
            lines += [
                f"* {item.when} · {where} — {event_label(item.event_type, item.sub_event_type)}",
                f"  {_actors(item.actor1, item.actor2)}." + (f" {toll}." if toll else ""),
            ]
            lines += [
                f"  - {s.label}: {s.headline}" + (f" ({redact_url(s.url)})" if s.url else "")
                for s in item.sources
            ]
        lines.append("")
    if digest.unplaced:
        lines += [OTHER_REPORTS, "-" * len(OTHER_REPORTS)]
        lines += [
            f"* {a.label}: {a.headline}" + (f" ({a.link})" if a.link else "")
            for a in digest.unplaced
        ]
        lines.append("")
    lines += ["Articles", "--------"]
    for article in digest.articles:
        lines += [
            f"* {article.headline} — {article.label}"
            + (f" ({article.link})" if article.link else ""),
            f"  {article.report.summary.text}",
        ]
    return "\n".join(lines).rstrip() + "\n"
