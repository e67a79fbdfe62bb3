"""Candidate death tolls, found by code: the model chooses among them, never writes one.

A figure is a whole number written in a sentence that speaks of deaths, as digits
("70", "1,200") or as words in English, French, Spanish and other languages that
``text2num`` reads ("twenty-seven", "quinze", "doce"). Years, times, ages and figures
of wounded or displaced people are left out where the words around them say so.
"""

from __future__ import annotations

import functools
import re

from text_to_num import alpha2digit

__all__ = ["death_figures", "numbers_written", "speaks_of_deaths"]

_T2N_LANGUAGES = frozenset({"en", "fr", "es", "pt", "de", "it", "nl", "da"})
_DEATH = re.compile(
    r"\b(kill\w*|dead|death\w*|died|die|dying|bod(?:y|ies)|lives|fatalit\w*|toll|"
    r"massacre\w*|slain|perish\w*|execut\w*|"
    r"tu[ée]e?s?|morts?|mortes|d[ée]c[èe]s|victimes|bilan|"
    r"muert[oa]s?|murieron|falleci\w*|asesinad[oa]s?|mat[óo]|matad[oa]s?|v[íi]ctimas|"
    r"mortos|morreram|getötet|tote)\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:[,.\u00a0 ]\d{3})+|\d+)(?![\w]|[.,]\d)")
# what may follow a number and show it is not a count of people killed
_NOT_A_TOLL_AFTER = re.compile(
    r"^\s*(?:%|per ?cent|years?\b|year-old|-year|km|kilomet|miles?\b|metres?|meters?|"
    r"hours?\b|minutes?\b|days?\b|weeks?\b|months?\b|am\b|pm\b|a\.m|p\.m|h\b|"
    r"ans\b|heures?|jours?|semaines?|mois\b|años\b|horas?\b|días\b|semanas?\b|meses\b|"
    r"(?:people |civilians |others |persons )?(?:were |have been |had been )?"
    r"(?:wounded|injured|hurt|displaced|missing|arrested|abducted|kidnapped|bless[ée]s|"
    r"heridos|desplazados|secuestrad))",
    re.IGNORECASE,
)


def speaks_of_deaths(sentence: str) -> bool:
    """Whether a sentence speaks of people killed or dead (in en, fr, es and a few more)."""
    return _DEATH.search(sentence) is not None


@functools.lru_cache(maxsize=2048)
def numbers_written(sentence: str, language: str = "en") -> tuple[tuple[int, int], ...]:
    """``(value, position)`` of every whole number in the sentence, digits or words.

    Words are read by ``text2num`` in the article's language (English otherwise);
    positions are in the converted text, used only to look at the words after a number.
    """
    lang = language if language in _T2N_LANGUAGES else "en"
    try:
        converted = alpha2digit(sentence, lang)
    except Exception:  # text2num is a parser of free text; never let it stop a record
        converted = sentence
    found: list[tuple[int, int]] = []
    for match in _NUMBER.finditer(converted):
        digits = re.sub(r"[,.\u00a0 ]", "", match.group(1))
        value = int(digits)
        if len(digits) == 4 and 1900 <= value <= 2100:
            continue  # a year
        if _NOT_A_TOLL_AFTER.match(converted[match.end() :]):
            continue
        found.append((value, match.start()))
    return tuple(found)


def death_figures(sentences: list[str], language: str = "en") -> list[int]:
    """Distinct candidate tolls in these sentences, in order of appearance."""
    figures: list[int] = []
    for sentence in sentences:
        if not speaks_of_deaths(sentence):
            continue
        for value, _ in numbers_written(sentence, language):
            if 0 < value <= 100_000 and value not in figures:
                figures.append(value)
    return figures
