"""More names of countries than pycountry's English ones: their names in the languages an
article may be written in ("Tchad", "Moçambique"), and provinces whose name holds another
country's ("Northern Ireland" is in the United Kingdom, "New Mexico" in the United
States)."""

from __future__ import annotations

from collections.abc import Callable

__all__ = [
    "NOT_COUNTRY_WORDS",
    "add_subdivisions_named_like_countries",
    "add_translated_names",
]

Names = dict[str, tuple[str, str]]


# Languages whose country names (pycountry's ISO 3166-1 translations) an article may use:
# "Tchad", "Moçambique", "Camerún", "Irak".
_NAME_LANGUAGES = ("fr", "es", "pt", "de", "it")


# words a country's name in another language is, or resembles, that name no country: first
# names, French "Maurice" (Mauritius) and "Dominique" (Dominica); English words, German
# "Island" and French "Islande" (Iceland: "Long Island")
NOT_COUNTRY_WORDS = frozenset({"maurice", "dominique", "island", "islands"})


def add_translated_names(
    names: Names, display: dict[str, str], fold_name: Callable[[str], str]
) -> None:
    """Add the country names of ``_NAME_LANGUAGES`` that no English name already has. A
    translation with a comma ("Bolivie, état plurinational de") counts by its first part,
    unless two countries share that part ("Corée, ...")."""
    import gettext

    import pycountry

    for language in _NAME_LANGUAGES:
        try:
            translate = gettext.translation(
                "iso3166-1", pycountry.LOCALES_DIR, languages=[language]
            ).gettext
        except OSError:  # a pycountry build without this language's catalogue
            continue
        found: dict[str, set[str]] = {}
        for country in pycountry.countries:
            for attr in ("name", "common_name"):
                if value := getattr(country, attr, None):
                    found.setdefault(fold_name(translate(value).split(",")[0]), set()).add(
                        country.alpha_2
                    )
        for folded, codes in found.items():
            if len(codes) == 1 and len(folded) > 3 and folded not in NOT_COUNTRY_WORDS:
                code = next(iter(codes))
                names.setdefault(folded, (code, display.get(code, folded)))


def add_subdivisions_named_like_countries(
    names: Names, display: dict[str, str], fold_name: Callable[[str], str]
) -> None:
    """A province whose name holds another country's ("Northern Ireland", "New Mexico",
    "Nueva Guinea"...) names its own country: ISO 3166-2 subdivisions of two or more words
    that contain a country's name, mapped to the country they are in."""
    import pycountry

    english = {
        fold_name(value)
        for country in pycountry.countries
        for attr in ("name", "common_name")
        if (value := getattr(country, attr, None))
    }
    # English names only: German "Island" (Iceland) is no country inside "Long Island"
    countries = {folded: code for folded, (code, _) in names.items() if folded in english}
    for sub in pycountry.subdivisions:
        folded = fold_name(sub.name)
        words = folded.split()
        if len(words) < 2 or folded in names:
            continue
        inner = {
            countries[" ".join(words[i:j])]
            for i in range(len(words))
            for j in range(i + 1, len(words) + 1)
            if " ".join(words[i:j]) in countries and (j - i) < len(words)
        }
        if inner and sub.country_code not in inner:
            names[folded] = (sub.country_code, display.get(sub.country_code, sub.country_code))
