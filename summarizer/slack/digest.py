"""A digest of many records: events grouped by place, the same event reported once.

:func:`build_digest` turns :class:`DigestArticle` s (a record, its id and its link) into
a :class:`Digest`:

* events are grouped by country and first-level admin unit (admin1; an admin1 that
  only repeats the country counts as not given, and an event whose place *is* an admin1
  named elsewhere in the digest, "Idlib" without a province, joins that group), sorted by
  date inside each group (events without a resolved date last, in the order reported);
  each group carries the total of reported fatalities;
* the same event reported by several outlets appears once, listing every source. Two
  events are the same when they share the date (the resolved date, else the wording
  of ``date_text``), the location name and the event type (names compared after
  :func:`summarizer.grounding.checks.fold`, ignoring spaces and punctuation), come from
  different articles, and their figures are compatible;
* figures are compatible unless one reporter gives two different tolls on the same
  publication day (then they are taken to be two incidents). Differing tolls from
  different reporters, or from one reporter on different days (an updated toll), are
  one event whose figure is a range with who reported which: "19 according to SOHR;
  4 according to SANA";
* articles without events still appear, under "other reports", so nothing is lost.

Rendering is :mod:`summarizer.slack.render`'s business; this module only decides.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from summarizer.schema import ArticleReport, Event, EventType, SubEventType
from summarizer.text.folding import fold

__all__ = [
    "DEFAULT_TITLE",
    "Claim",
    "Digest",
    "DigestArticle",
    "DigestGroup",
    "DigestItem",
    "FatalityFigure",
    "GroupTotal",
    "ItemSource",
    "build_digest",
    "name_key",
]

DEFAULT_TITLE = "Conflict digest"


def name_key(text: str | None) -> str:
    """A name for comparison: folded, without spaces or punctuation ('Deir ez-Zor' ==
    'Deir Ezzor')."""
    return re.sub(r"[\W_]+", "", fold(text or ""))


@dataclass(frozen=True)
class DigestArticle:
    """One summarized article entering a digest.

    Attributes:
        article_id: stable identity of the article (the feed guid, URL or file id); the
            posting ledger is keyed on it.
        report: the validated record.
        url: the link to show; defaults to the record's own URL.
        source_name: a label for the source when the record names no outlet (the feed
            title, say).
    """

    article_id: str
    report: ArticleReport
    url: str | None = None
    source_name: str | None = None

    @property
    def link(self) -> str | None:
        """The article's http(s) link, if it has one."""
        link = self.url or self.report.article.url
        if link and urlsplit(link).scheme in ("http", "https"):
            return link
        return None

    @property
    def label(self) -> str:
        """Who published it: the outlet, else the source name, else the link's host."""
        article = self.report.article
        if article.outlet:
            return article.outlet
        if self.source_name:
            return self.source_name
        if self.link:
            return urlsplit(self.link).hostname or self.link
        return "unknown outlet"

    @property
    def headline(self) -> str:
        """The neutral headline of the summary."""
        return self.report.summary.headline

    def to_json(self) -> dict[str, Any]:
        """A JSON-able dict (for the posting ledger)."""
        return {
            "article_id": self.article_id,
            "url": self.url,
            "source_name": self.source_name,
            "report": self.report.model_dump(mode="json"),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DigestArticle:
        """The inverse of :meth:`to_json`."""
        return cls(
            article_id=str(data["article_id"]),
            report=ArticleReport.model_validate(data["report"]),
            url=data.get("url"),
            source_name=data.get("source_name"),
        )


@dataclass(frozen=True)
class ItemSource:
    """One article reporting an item, with what it said."""

    article_id: str
    label: str
    url: str | None
    headline: str
    fatalities: int | None
    reporter: str
    published: dt.date | None


@dataclass(frozen=True)
class Claim:
    """A toll and who gave it."""

    count: int
    reporters: tuple[str, ...]

    def text(self) -> str:
        """'19 according to SOHR and SANA'."""
        if not self.reporters:
            return str(self.count)
        return f"{self.count} according to {_and(self.reporters)}"


def _and(names: tuple[str, ...]) -> str:
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


@dataclass(frozen=True)
class FatalityFigure:
    """The toll of one item: every distinct figure with its reporters, highest first."""

    claims: tuple[Claim, ...] = ()

    @property
    def low(self) -> int | None:
        """The lowest figure, None when no source gives one."""
        return min((c.count for c in self.claims), default=None)

    @property
    def high(self) -> int | None:
        """The highest figure, None when no source gives one."""
        return max((c.count for c in self.claims), default=None)

    @property
    def conflicting(self) -> bool:
        """True when sources give different figures."""
        return len(self.claims) > 1

    def text(self) -> str:
        """'not reported', '27 according to SOHR' or '4–19 (19 according to SOHR; 4
        according to SANA)'."""
        if not self.claims:
            return "not reported"
        if not self.conflicting:
            return self.claims[0].text()
        return f"{self.low}–{self.high} ({'; '.join(c.text() for c in self.claims)})"


@dataclass(frozen=True)
class DigestItem:
    """One event, once, with every source that reported it."""

    date: dt.date | None
    date_text: str
    location: str
    admin2: str | None
    event_type: EventType
    sub_event_type: SubEventType
    actor1: str
    actor2: str | None
    fatalities: FatalityFigure
    sources: tuple[ItemSource, ...]

    @property
    def article_ids(self) -> tuple[str, ...]:
        """The ids of the articles reporting it."""
        return tuple(s.article_id for s in self.sources)

    @property
    def when(self) -> str:
        """'Thu 12 Oct 2017' when resolved, else the article's words ('Saturday')."""
        if self.date is not None:
            return f"{self.date:%a} {self.date.day} {self.date:%b %Y}"
        return self.date_text[:1].upper() + self.date_text[1:]


@dataclass(frozen=True)
class GroupTotal:
    """Reported fatalities of a group: a range when its items' figures are ranges."""

    low: int
    high: int
    items_with_figure: int
    items_without_figure: int

    def text(self) -> str:
        """'23–46 reported killed', '70 reported killed' or 'no toll reported'."""
        if self.items_with_figure == 0:
            return "no toll reported"
        figure = str(self.low) if self.low == self.high else f"{self.low}–{self.high}"
        return f"{figure} reported killed"


@dataclass(frozen=True)
class DigestGroup:
    """The items of one country and admin1, by date."""

    country: str
    admin1: str | None
    items: tuple[DigestItem, ...]

    @property
    def title(self) -> str:
        """'Idlib, Syria' (or 'Syria (province not given)')."""
        if self.admin1:
            return f"{self.admin1}, {self.country}"
        return f"{self.country} (province not given)"

    @property
    def total(self) -> GroupTotal:
        """The sum of the items' reported fatalities."""
        with_figure = [item.fatalities for item in self.items if item.fatalities.claims]
        return GroupTotal(
            low=sum(f.low or 0 for f in with_figure),
            high=sum(f.high or 0 for f in with_figure),
            items_with_figure=len(with_figure),
            items_without_figure=len(self.items) - len(with_figure),
        )


@dataclass(frozen=True)
class Digest:
    """Events grouped by place, the articles they came from, and articles without events."""

    title: str
    generated_at: dt.datetime
    groups: tuple[DigestGroup, ...]
    articles: tuple[DigestArticle, ...]
    window: str | None = None

    @property
    def unplaced(self) -> tuple[DigestArticle, ...]:
        """Articles that report no event (shown as 'other reports')."""
        return tuple(a for a in self.articles if not a.report.events)

    @property
    def item_count(self) -> int:
        """Distinct events in the digest."""
        return sum(len(group.items) for group in self.groups)

    @property
    def empty(self) -> bool:
        """True when the digest has no article."""
        return not self.articles


# --- building ---------------------------------------------------------------------------------


@dataclass
class _Cluster:
    """An item being built: the events (with their article) found to be the same."""

    members: list[tuple[DigestArticle, Event]] = field(default_factory=list)
    order: int = 0

    @property
    def first(self) -> Event:
        return self.members[0][1]

    def accepts(self, article: DigestArticle, event: Event) -> bool:
        first = self.first
        return (
            event.event_type is first.event_type
            and name_key(event.location.name) == name_key(first.location.name)
            and _same_when(event, first)
            and all(other.article_id != article.article_id for other, _ in self.members)
            and all(_compatible(article, event, other, seen) for other, seen in self.members)
        )


def _same_when(a: Event, b: Event) -> bool:
    if a.date is not None and b.date is not None:
        return a.date == b.date
    return name_key(a.date_text) == name_key(b.date_text)


def _reporter(article: DigestArticle, event: Event) -> str:
    """Who gave the event's figure: the record's reporter, its first source, the outlet."""
    fat = event.fatalities
    return fat.reported_by or (event.sources[0] if event.sources else None) or article.label


def _compatible(a: DigestArticle, ev_a: Event, b: DigestArticle, ev_b: Event) -> bool:
    """False when one reporter gives two different tolls on the same publication day."""
    total_a, total_b = ev_a.fatalities.total, ev_b.fatalities.total
    if total_a is None or total_b is None or total_a == total_b:
        return True
    same_reporter = name_key(_reporter(a, ev_a)) == name_key(_reporter(b, ev_b))
    return not (same_reporter and a.report.article.published == b.report.article.published)


def _figure(members: list[tuple[DigestArticle, Event]]) -> FatalityFigure:
    by_count: dict[int, list[str]] = {}
    for article, event in members:
        total = event.fatalities.total
        if total is None:
            continue
        reporters = by_count.setdefault(total, [])
        reporter = _reporter(article, event)
        if name_key(reporter) not in {name_key(r) for r in reporters}:
            reporters.append(reporter)
    claims = tuple(
        Claim(count, tuple(reporters))
        for count, reporters in sorted(by_count.items(), key=lambda kv: -kv[0])
    )
    return FatalityFigure(claims)


def _item(cluster: _Cluster) -> DigestItem:
    first = cluster.first
    sources = tuple(
        ItemSource(
            article_id=article.article_id,
            label=article.label,
            url=article.link,
            headline=article.headline,
            fatalities=event.fatalities.total,
            reporter=_reporter(article, event),
            published=article.report.article.published,
        )
        for article, event in cluster.members
    )
    date = next((event.date for _, event in cluster.members if event.date), None)
    return DigestItem(
        date=date,
        date_text=first.date_text,
        location=first.location.name,
        admin2=first.location.admin2,
        event_type=first.event_type,
        sub_event_type=first.sub_event_type,
        actor1=first.actor1.name,
        actor2=first.actor2.name if first.actor2 else None,
        fatalities=_figure(cluster.members),
        sources=sources,
    )


def _admin1(admin1: str | None, country: str) -> str | None:
    """The admin1 to group by: none when missing or merely the country again."""
    if not admin1 or name_key(admin1) == name_key(country):
        return None
    return admin1


def _known_admin1(articles: list[DigestArticle]) -> dict[tuple[str, str], str]:
    """Every admin1 the digest's events name, by (country, admin1) key."""
    known: dict[tuple[str, str], str] = {}
    for article in articles:
        for event in article.report.events:
            admin1 = _admin1(event.location.admin1, event.location.country)
            if admin1 is not None:
                known.setdefault((name_key(event.location.country), name_key(admin1)), admin1)
    return known


def _cluster_order(cluster: _Cluster) -> tuple[bool, dt.date, int]:
    """By date; events without a resolved date last, in the order they were reported."""
    date = next((event.date for _, event in cluster.members if event.date), None)
    return (date is None, date or dt.date.max, cluster.order)


def build_digest(
    articles: Iterable[DigestArticle],
    *,
    title: str = DEFAULT_TITLE,
    generated_at: dt.datetime | None = None,
    window: str | None = None,
) -> Digest:
    """Group, deduplicate and total the events of ``articles`` (see the module docstring).

    Deterministic: the same articles in the same order give the same digest. An article
    id seen twice keeps its first record.
    """
    unique: list[DigestArticle] = []
    seen: set[str] = set()
    for article in articles:
        if article.article_id not in seen:
            seen.add(article.article_id)
            unique.append(article)
    places: dict[tuple[str, str], tuple[str, str | None, list[_Cluster]]] = {}
    counter = itertools.count()
    known = _known_admin1(unique)
    for article in unique:
        for event in article.report.events:
            location = event.location
            admin1 = _admin1(location.admin1, location.country) or known.get(
                (name_key(location.country), name_key(location.name))
            )
            key = (name_key(location.country), name_key(admin1))
            _, _, clusters = places.setdefault(key, (location.country, admin1, []))
            home = next((c for c in clusters if c.accepts(article, event)), None)
            if home is None:
                clusters.append(_Cluster([(article, event)], order=next(counter)))
            else:
                home.members.append((article, event))
    groups = [
        DigestGroup(country, admin1, tuple(map(_item, sorted(clusters, key=_cluster_order))))
        for country, admin1, clusters in places.values()
    ]
    groups.sort(key=lambda g: (name_key(g.country), g.admin1 is None, name_key(g.admin1)))
    return Digest(
        title=title,
        generated_at=generated_at or dt.datetime.now(dt.UTC).replace(microsecond=0),
        groups=tuple(groups),
        articles=tuple(unique),
        window=window,
    )
