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
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from summarizer.errors import redact_url
from summarizer.schema import Event, EventType, SubEventType
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

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_FALLBACK_TEXT = 40_000
MESSAGE_BUDGET = 10_000
_CONTEXT_ELEMENT_TEXT = 2000
_RESERVED_CHARS = 1200  # the part label, the fallback text and the JSON envelope
_RESERVED_BLOCKS = 2  # the part label and a repeated group heading

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


@dataclass(frozen=True)
class SlackMessage:
    """One Slack message: the fallback text, the blocks and the articles it shows."""

    text: str
    blocks: tuple[dict[str, Any], ...]
    article_ids: tuple[str, ...] = ()

    def payload(self) -> dict[str, Any]:
        """The ``text`` and ``blocks`` arguments of chat.postMessage / chat.update."""
        return {"text": self.text, "blocks": list(self.blocks)}

    @property
    def size(self) -> int:
        """Characters of the payload as compact JSON."""
        return _json_size(self.payload())


def _json_size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


# --- mrkdwn -------------------------------------------------------------------------------------


def _esc(text: str) -> str:
    """Escape Slack's control characters in user text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _link(url: str | None, label: str) -> str:
    label = _esc(" ".join(label.split())).replace("|", "/")
    if not url:
        return label
    safe = (
        redact_url(url)
        .replace("&", "&amp;")
        .replace("<", "%3C")
        .replace(">", "%3E")
        .replace("|", "%7C")
    )
    return f"<{safe.replace(' ', '%20')}|{label}>"


def _split(text: str, limit: int) -> list[str]:
    """Pieces of at most ``limit`` characters, cut at a line end, else a space."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit + 1)
        if cut <= 0:
            cut = rest.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
        pieces.append(rest[:cut])
        rest = rest[cut:].lstrip("\n ") if rest[cut : cut + 1] in ("\n", " ") else rest[cut:]
    if rest or not pieces:
        pieces.append(rest)
    return pieces


def _sections(text: str) -> list[dict[str, Any]]:
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": piece}}
        for piece in _split(text, MAX_SECTION_TEXT)
    ]


def _contexts(parts: Sequence[str], *, separator: str = " · ") -> list[dict[str, Any]]:
    """Context blocks holding ``parts`` joined, within the per-element and per-block caps."""
    elements: list[str] = []
    current = ""
    for part in parts:
        for piece in _split(part, _CONTEXT_ELEMENT_TEXT):
            joined = f"{current}{separator}{piece}" if current else piece
            if len(joined) <= _CONTEXT_ELEMENT_TEXT:
                current = joined
            else:
                elements.append(current)
                current = piece
    if current:
        elements.append(current)
    return [
        {
            "type": "context",
            "elements": [
                {"type": "mrkdwn", "text": text}
                for text in elements[start : start + MAX_CONTEXT_ELEMENTS]
            ],
        }
        for start in range(0, len(elements), MAX_CONTEXT_ELEMENTS)
    ]


def _header(text: str) -> dict[str, Any]:
    """A header block; a longer title is shortened here and given whole in the next block."""
    text = " ".join(text.split())
    if len(text) > MAX_HEADER_TEXT:
        text = text[: MAX_HEADER_TEXT - 1].rstrip() + "…"
    return {"type": "header", "text": {"type": "plain_text", "text": text, "emoji": True}}


# --- packing blocks into messages ---------------------------------------------------------------


@dataclass
class _Unit:
    """Blocks that should stay in one message, and what they show."""

    blocks: list[dict[str, Any]]
    article_ids: tuple[str, ...] = ()
    group: str | None = None
    heading: bool = False


@dataclass
class _Draft:
    blocks: list[dict[str, Any]] = field(default_factory=list)
    size: int = 2
    article_ids: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)

    def fits(self, blocks: list[dict[str, Any]]) -> bool:
        extra = sum(_json_size(b) + 1 for b in blocks)
        return (
            len(self.blocks) + len(blocks) <= MAX_BLOCKS - _RESERVED_BLOCKS
            and self.size + extra <= MESSAGE_BUDGET - _RESERVED_CHARS
        )

    def add(self, blocks: list[dict[str, Any]]) -> None:
        self.blocks += blocks
        self.size += sum(_json_size(b) + 1 for b in blocks)


def _pack(units: list[_Unit], continued: dict[str, list[dict[str, Any]]]) -> list[_Draft]:
    """Fill messages in order; a unit that does not fit starts the next message."""
    drafts = [_Draft()]
    for unit in units:
        draft = drafts[-1]
        if not draft.fits(unit.blocks):
            draft = _Draft()
            drafts.append(draft)
            if unit.group is not None and not unit.heading:
                draft.add(continued[unit.group])
        if draft.fits(unit.blocks):
            draft.add(unit.blocks)
        else:  # larger than a whole message: its blocks go one by one
            for block in unit.blocks:
                if not draft.fits([block]):
                    draft = _Draft()
                    drafts.append(draft)
                draft.add([block])
        draft.article_ids += [a for a in unit.article_ids if a not in draft.article_ids]
        if unit.group is not None and unit.group not in draft.groups:
            draft.groups.append(unit.group)
    return [d for d in drafts if d.blocks]


def _finish(
    drafts: list[_Draft], *, title: str, first_text: str, reply_word: str = "part"
) -> list[SlackMessage]:
    """Label the parts and set every message's fallback text."""
    total = len(drafts)
    messages = []
    for number, draft in enumerate(drafts, start=1):
        blocks = list(draft.blocks)
        if number == 1:
            text = first_text
            if total > 1:
                more = total - 1
                blocks.append(
                    _contexts([f"Continued in the thread: {more} more {reply_word}(s)."])[0]
                )
                text += f" Continued in the thread ({more} more {reply_word}(s))."
        else:
            label = f"{reply_word.capitalize()} {number} of {total} · {_esc(title)}"
            blocks.insert(0, _contexts([label])[0])
            text = f"{title} ({reply_word} {number}/{total})"
            if draft.groups:
                text += ": " + "; ".join(draft.groups)
        messages.append(
            SlackMessage(text[:MAX_FALLBACK_TEXT], tuple(blocks), tuple(draft.article_ids))
        )
    return messages


# --- the digest -------------------------------------------------------------------------------


def _group_heading(group: DigestGroup, *, continued: bool = False) -> str:
    count = len(group.items)
    more = " (continued)" if continued else ""
    return (
        f"*{_esc(group.title)}*{more} — {count} event{'s' if count != 1 else ''} · "
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
        f"*{_esc(item.when)} · {_esc(where)}* — {label}",
        _esc(_actors(item.actor1, item.actor2)),
    ]
    toll = _toll(item)
    if toll:
        lines.append(_esc(toll))
    return "\n".join(lines)


def _source_links(item: DigestItem) -> list[str]:
    prefix = "Source: " if len(item.sources) == 1 else "Sources: "
    links = [_link(s.url, f"{s.label} — {s.headline}") for s in item.sources]
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


def _digest_units(digest: Digest) -> tuple[list[_Unit], dict[str, list[dict[str, Any]]]]:
    intro: list[dict[str, Any]] = [_header(digest.title)]
    if len(" ".join(digest.title.split())) > MAX_HEADER_TEXT:
        intro += _sections(f"*{_esc(digest.title)}*")
    intro += _contexts([_esc(_intro(digest))])
    units = [_Unit(intro)]
    continued: dict[str, list[dict[str, Any]]] = {}
    for group in digest.groups:
        continued[group.title] = _sections(_group_heading(group, continued=True))
        heading = [{"type": "divider"}, *_sections(_group_heading(group))]
        units.append(_Unit(heading, group=group.title, heading=True))
        for item in group.items:
            blocks = _sections(_item_text(item)) + _contexts(_source_links(item))
            units.append(_Unit(blocks, item.article_ids, group=group.title))
    if digest.unplaced:
        continued[OTHER_REPORTS] = _sections(f"*{OTHER_REPORTS}* (continued)")
        heading = [{"type": "divider"}, *_sections(f"*{OTHER_REPORTS}*")]
        units.append(_Unit(heading, group=OTHER_REPORTS, heading=True))
        for article in digest.unplaced:
            text = (
                f"*{_link(article.link, article.headline)}* — {_esc(article.label)}\n"
                f"{_esc(article.report.summary.text)}"
            )
            units.append(_Unit(_sections(text), (article.article_id,), group=OTHER_REPORTS))
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
    return _finish(_pack(units, continued), title=digest.title, first_text=first)


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
        f"*{event_label(event.event_type, event.sub_event_type)}* · {_esc(when)} · {_esc(place)}",
        _esc(_actors(event.actor1.name, event.actor2.name if event.actor2 else None)),
        f"Killed: {_esc(_fatalities_text(event))}",
    ]
    if event.sources:
        lines.append(f"Sources: {_esc(', '.join(event.sources))}")
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
        _Unit(
            _sections(f"*{_link(article.link, article.headline)}*\n{_esc(report.summary.text)}")
            + _contexts([_esc(" · ".join(meta))]),
            (article.article_id,),
        )
    ]
    units += [_Unit(_sections(_event_text(event))) for event in report.events]
    p = report.provenance
    units.append(
        _Unit(
            _contexts(
                [
                    _esc(
                        f"Record: {p.model} @ {p.endpoint_host} · prompt {p.prompt.name}/"
                        f"{p.prompt.version} · {p.attempts} attempt(s) · "
                        f"{len(p.warnings)} warning(s)"
                    )
                ]
            )
        )
    )
    drafts = _pack(units, {})
    return _finish(drafts, title=article.headline, first_text=article.headline)


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
