"""Where an event happened: the place the article names for it, and the province and
country a gazetteer gives for that place (else what the article says)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from summarizer.extraction._meta import dateline_of
from summarizer.extraction._names import article_spelling, in_article
from summarizer.extraction._places import (
    Place,
    countries_in,
    country_name,
    fold_name,
    is_country_name,
    is_subdivision,
    lookup_place,
    province_phrases,
    subdivision_in,
)
from summarizer.extraction._sentences import undated
from summarizer.schema import Location

__all__ = ["grounded_place", "locate", "main_country", "same_place", "specific_place"]


def main_country(countries: dict[str, int]) -> str | None:
    """The ISO code of the country the article names most often, if any."""
    return max(countries, key=lambda c: countries[c]) if countries else None


def same_place(a: str, b: str) -> bool:
    fa, fb = fold_name(a), fold_name(b)
    return fa == fb or (bool(fa) and bool(fb) and (fa in fb or fb in fa))


def grounded_place(place: str, own: str, folded_text: str, text: str) -> str | None:
    """The model's place when the article names it (in the article's spelling), else a
    place-like name from the event's sentences (a province it names), else None."""
    cleaned = re.sub(
        r"^(?:in|at|near|the|à|en|dans|cerca de)\s+", "", place.strip(" .,"), flags=re.I
    )
    if cleaned and _adjectival(cleaned, text):
        return next(_places_named(undated(own)), None) or subdivision_in(own, None)
    if cleaned and in_article(cleaned, folded_text):
        return cleaned
    if cleaned and (spelt := article_spelling(cleaned, text)):
        return spelt
    # "Kharkiv's Saltivskyi district" -> try each comma part
    for piece in re.split(r",|\band\b|\bet\b|\by\b", cleaned):
        part = piece.strip()
        if len(part) > 2 and in_article(part, folded_text) and not _adjectival(part, text):
            return part
    return subdivision_in(own, None)


# "Russian and Syrian air strikes", "Syrian troops": a people's name, not a place
_WHOSE = (
    r"(?:\s+and\s+[A-Z][\w'’-]+)?\s+(?:forces|troops|army|air|warplanes|jets|military|"
    r"government|officials|regime|strikes|soldiers|president|leadership|police|authorities|"
    r"media|state|drones?|navy|militias?|fighters|rebels|backer)\b|-(?:backed|led)\b"
)


def _adjectival(name: str, text: str) -> bool:
    """Whether the article uses ``name`` only to qualify forces, strikes or officials
    ("Russian and Syrian air strikes"): a nationality, not where an event happened."""
    named = countries_in(name) if len(name.split()) == 1 else {}
    if named and all(fold_name(country_name(c) or "") != fold_name(name) for c in named):
        return True  # "Russian", "Syrian": a people's word, never a place
    uses = list(re.finditer(rf"\b{re.escape(name)}\b", text))
    return (
        bool(uses)
        and name.endswith(("ian", "ese", "ish", "i"))
        and all(re.match(_WHOSE, text[use.end() :]) for use in uses)
    )


def _gazetteer_part(place: str, countries: dict[str, int]) -> str:
    """The part of a place phrase the gazetteer knows ("the main market of Nyala" ->
    "Nyala"), else the phrase as it is."""
    if lookup_place(place, countries) is not None:
        return place
    for piece in re.split(r",|\bof\b|\bin\b|'s\b", place):
        # "le marché de Nyala", not "Maguindanao del Sur": "de" after a common noun
        parts = re.split(r"\b(?:de|du|del)\b", piece) if piece.strip()[:1].islower() else [piece]
        for part in (p.strip() for p in parts):
            if len(part) > 2 and lookup_place(part, countries) is not None:
                return part
    return place


def locate(place: str, own: str, text: str, countries: dict[str, int]) -> Location:
    """Where: the place as the article names it; province, district and country from the
    gazetteer for a place it holds, else from what the article says (never from a
    dateline: the place the copy was filed from)."""
    dateline = dateline_of(text)
    own = _without_dateline(undated(own), dateline)
    body = _story(text, dateline)
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
        stated = stated and (article_spelling(stated, text) or stated)
        gazetteer = found.admin1 and (article_spelling(found.admin1, text) or found.admin1)
        return Location(
            name=place,
            admin1=stated or gazetteer,
            admin2=found.admin2,
            country=found.country,
            geo_precision=1,
        )
    # the country of another place the event's sentences name ("near the subdistrict ...
    # taken to hospital in Duhok": Iraq, though the article names Turkey more often)
    beside = _place_near(place, own, countries) if countries else None
    code = beside.country_code if beside else main_country(countries)
    near = None if code else _dateline_place(text, countries)
    if near is not None:  # "Residency Road" in an article filed from Srinagar
        code = near.country_code
    admin1 = (
        subdivision_in(own, code)
        or (_admin1_near(place, own, {code: 1}) if code else None)
        or subdivision_in(body, code)
    )
    if admin1 is None and near is not None:
        admin1 = near.admin1
    is_province = admin1 is not None and same_place(admin1, place)
    return Location(
        name=place,
        admin1=admin1,
        admin2=None,
        country=(country_name(code) if code else None) or "",
        geo_precision=3 if is_province else 1,
    )


def _admin1_near(place: str, own: str, countries: dict[str, int]) -> str | None:
    """The province of the other place the event's sentences name that the gazetteer
    holds in ``countries`` ("the town of Yadouda in the countryside of Dara'a" -> Dara'a's
    province), in the article's spelling when it gives one."""
    found = _place_near(place, own, countries, with_admin1=True)
    if found is not None and found.admin1:
        return article_spelling(found.admin1, own) or found.admin1
    return None


def _place_near(
    place: str, own: str, countries: dict[str, int], *, with_admin1: bool = False
) -> Place | None:
    """The other place the event's sentences name nearest to ``place`` (the first, when
    they do not name it) that the gazetteer holds in ``countries`` (with a province, if
    ``with_admin1``): "the town of Abu Qalqal south-east of Manbij", not a place of the
    headline's other clause."""
    folded = f" {fold_name(own)} "
    at = folded.find(f" {fold_name(place)} ")
    named_places = list(_places_named(own))
    if at >= 0:
        named_places.sort(key=lambda n: abs(max(folded.find(f" {fold_name(n)} "), 0) - at))
    for named in named_places:
        found = None if same_place(named, place) else lookup_place(named, countries)
        if found is not None and (found.admin1 or not with_admin1):
            return found
    return None


def _dateline_place(text: str, countries: dict[str, int]) -> Place | None:
    """The dateline's city as the gazetteer knows it ("SRINAGAR, Nov 3:"): what places an
    event in a country when the article names none."""
    dateline = dateline_of(text)
    if not dateline:
        return None
    return lookup_place(dateline.split(",")[0].strip().title(), countries)


_GENERIC = re.compile(r"^(.*?)\s+(?:town|village|city|area|region|district|province)$", re.I)
# a name of up to four words; a link word only between two of them ("Santa Rosa del Sur",
# never "Santa Rosa de")
_NAME = (
    r"[A-ZÀ-Ý][\w'’-]+(?:[ -](?:[A-ZÀ-Ý][\w'’-]+|"
    r"(?:al|el|de|del|do|da|dos|das|du|des|la|e)\b(?=[ -][A-ZÀ-Ý]))){0,3}"
)
_NAMED_PLACES = [
    re.compile(rf"\b(?:town|village|city|district|camp|neighbou?rhood|commune|locality|"
               rf"barangay|municipality) of ({_NAME})"),
    re.compile(rf"\b(?:[Bb]arangay|[Vv]illage|[Tt]own) ({_NAME})"),
    re.compile(
        rf"\b(?:in|near|at|outside|around|en|à|près de|cerca de|perto de|em|bei)\s+"
        rf"(?:the\s+)?(?:[a-z]+\s+of\s+(?:the\s+)?)?({_NAME})"
    ),
]  # fmt: skip
_NOT_PLACES = re.compile(
    r"^(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|"
    r"april|may|june|july|august|september|october|november|december|the|a|an)\b",
    re.IGNORECASE,
)


def specific_place(
    place: str, own: str, dateline: str | None, country_code: str | None, text: str = ""
) -> tuple[str, str | None]:
    """A more specific place than the model's, where its answer is too broad: the
    dateline's city when the event's sentences name it only in the dateline, a province
    or country, a region's adjective ("Amhara town"), or a place the event's sentences do
    not name (copied from another event's sentence). The first place the sentences
    name ("the village of X", "Barangay X", "in/near/at X") that is none of those; for
    the dateline's city that the article names nowhere else, else the first the article
    ``text`` names (the copy was filed from the capital, the event is elsewhere); the
    model's place otherwise. Returns (place, why it was replaced or None)."""
    folded = fold_name(place)
    body = _without_dateline(undated(own), dateline)
    reason = None
    generic = _GENERIC.match(place)
    if dateline and folded == fold_name(dateline) and f" {folded} " not in f" {fold_name(body)} ":
        reason = "the dateline's city"
    elif generic and (
        is_country_name(generic.group(1))
        or _adjectival(generic.group(1), body)
        or (country_code and is_subdivision(generic.group(1), country_code, fuzzy=True))
    ):
        reason = "a region's name"  # "Amhara town", not "Mambelenga village"
    elif is_country_name(place):
        reason = "a country"
    elif country_code and (
        is_subdivision(place, country_code, fuzzy=True) or _part_of_province(place, body)
    ):
        reason = "a province"
    elif f" {folded} " not in f" {fold_name(body)} ":
        reason = "not named in its sentences"  # copied from another event's sentence
    if reason is None:
        return place, None
    broad = {folded, fold_name(dateline or ""), fold_name(generic.group(1)) if generic else ""}
    texts = [body]
    if reason == "a province" and text and _UNNAMED_TOWN.search(body):
        # "stormed a town in North Kordofan state": the story names the town further on
        texts.append(_story(text, dateline))
    if reason == "the dateline's city" and text:
        story = _story(text, dateline)
        if f" {folded} " in f" {fold_name(story)} ":
            # the story names the city beyond its dateline ("detained in Tbilisi"): the
            # event is there, and a place told further down is another event's
            return place, None
        texts.append(story)
    for number, told in enumerate(texts):
        # the event's sentences by pattern; the rest of the story in order of telling
        for found in _places_named(told, in_order=number > 0):
            if fold_name(found) in broad or (
                country_code
                and (
                    subdivision_in(found, country_code)
                    or is_subdivision(found, country_code, fuzzy=True)
                )
            ):
                continue
            return found, reason
    return place, None


_UNNAMED_TOWN = re.compile(r"\ba (?:town|village|city|camp|locality)\b", re.IGNORECASE)


def _part_of_province(place: str, body: str) -> bool:
    """Whether the place is a word of a province the sentences name with its unit word
    ("Kordofan" of "a town in North Kordofan state"), a spelling the ISO list lacks."""
    folded = fold_name(place)
    return any(f" {folded} " in f" {fold_name(name)} " for name in province_phrases(body))


def _story(text: str, dateline: str | None) -> str:
    """The article without its dateline and date stamps, line by line."""
    return "\n".join(_without_dateline(undated(line), dateline) for line in text.split("\n"))


def _without_dateline(text: str, dateline: str | None) -> str:
    """The text without its dateline's opening ("BAMAKO, Mali (AP) — ")."""
    if not dateline:
        return text
    return re.sub(
        rf"^\s*{re.escape(dateline)}\b[^—–\n]{{0,40}}?(?:\s[—–-]\s|\)\s*[-—–:]\s*|:\s)",
        "",
        text,
        flags=re.IGNORECASE,
    )


def _places_named(body: str, *, in_order: bool = False) -> Iterator[str]:
    """The places sentences name ("the village of X", "Barangay X", "in/near/at X"), by
    pattern then in order (``in_order``: in the order told); no weekday, month, country
    or people's word ("Russian")."""
    matches = [m for pattern in _NAMED_PLACES for m in pattern.finditer(body)]
    if in_order:
        matches.sort(key=lambda m: m.start(1))
    for match in matches:
        # "Libya's Zawiya", "Papua New Guinea's Enga": the place after the possessive
        found = re.sub(r"^(?:[\w-]+\s){0,3}?[\w-]+['’]s(?:\s+|$)", "", match.group(1).strip())
        if (
            fold_name(found)
            and not _NOT_PLACES.match(found)
            and not is_country_name(found)
            and not _adjectival(found, body)
        ):
            yield found
