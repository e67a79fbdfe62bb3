"""Where an event happened: the place the article names for it, and the province and
country a gazetteer gives for that place (else what the article says)."""

from __future__ import annotations

import re

from summarizer.extraction._names import article_spelling, in_article
from summarizer.extraction._places import (
    countries_in,
    country_name,
    fold_name,
    lookup_place,
    subdivision_in,
)
from summarizer.schema import Location

__all__ = ["grounded_place", "locate", "same_place"]


def same_place(a: str, b: str) -> bool:
    fa, fb = fold_name(a), fold_name(b)
    return fa == fb or (bool(fa) and bool(fb) and (fa in fb or fb in fa))


def grounded_place(place: str, own: str, folded_text: str, text: str) -> str | None:
    """The model's place when the article names it (in the article's spelling), else a
    place-like name from the event's sentences (a province it names), else None."""
    cleaned = re.sub(
        r"^(?:in|at|near|the|à|en|dans|cerca de)\s+", "", place.strip(" .,"), flags=re.I
    )
    if cleaned and in_article(cleaned, folded_text):
        return cleaned
    if cleaned and (spelt := article_spelling(cleaned, text)):
        return spelt
    # "Kharkiv's Saltivskyi district" -> try each comma part
    for piece in re.split(r",|\band\b|\bet\b|\by\b", cleaned):
        part = piece.strip()
        if len(part) > 2 and in_article(part, folded_text):
            return part
    return subdivision_in(own, None)


def _gazetteer_part(place: str, countries: dict[str, int]) -> str:
    """The part of a place phrase the gazetteer knows ("the main market of Nyala" ->
    "Nyala"), else the phrase as it is."""
    if lookup_place(place, countries) is not None:
        return place
    for piece in re.split(r",|\bof\b|\bin\b|'s\b|\bde\b|\bdu\b|\bdel\b", place):
        part = piece.strip()
        if len(part) > 2 and lookup_place(part, countries) is not None:
            return part
    return place


def locate(place: str, own: str, text: str, countries: dict[str, int]) -> Location:
    """Where: the place as the article names it; province, district and country from the
    gazetteer for a place it holds, else from what the article says."""
    place = _gazetteer_part(place, countries)
    found = lookup_place(place, countries)
    named = countries_in(place)
    if named and fold_name(place) in {fold_name(country_name(c) or "") for c in named}:
        only = next(iter(named))
        return Location(name=place, admin1=None, admin2=None, country=country_name(only) or place,
                        geo_precision=3)  # fmt: skip
    if found is not None:
        # the province the event's sentences name, else the gazetteer's in the article's
        # spelling ("Amhara", not ISO's "Amara")
        stated = subdivision_in(own, found.country_code)
        gazetteer = found.admin1 and (article_spelling(found.admin1, text) or found.admin1)
        return Location(
            name=place,
            admin1=stated or gazetteer,
            admin2=found.admin2,
            country=found.country,
            geo_precision=1,
        )
    code = max(countries, key=lambda c: countries[c]) if countries else None
    admin1 = subdivision_in(own, code) or subdivision_in(text, code)
    is_province = admin1 is not None and same_place(admin1, place)
    return Location(
        name=place,
        admin1=admin1,
        admin2=None,
        country=(country_name(code) if code else None) or "",
        geo_precision=3 if is_province else 1,
    )
