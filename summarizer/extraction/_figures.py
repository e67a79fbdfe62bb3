"""Candidate death tolls, found by code: the model chooses among them, never writes one.

A figure is a whole number written near a word of death ("killed 11", "the toll rose
to 70", "two men were shot dead"), as digits ("70", "1,200") or as words in English,
French, Spanish and other languages that ``text2num`` reads ("twenty-seven", "quinze",
"doce", "two"), or a lone victim ("a woman was killed": 1). Years, times, ages, parts
of a toll ("including three children"), vague amounts ("tens of thousands") and figures
of wounded, abducted or displaced people are left out where the words around them say so.
"""

from __future__ import annotations

import functools
import re
from itertools import combinations

from summarizer.extraction._sentences import undated
from summarizer.grounding.numbers import in_digits

__all__ = ["checked_toll", "death_figures", "numbers_written", "speaks_of_deaths"]

_T2N_LANGUAGES = frozenset({"en", "fr", "es", "pt", "de", "it", "nl", "da"})
_DEATH_WORDS = (
    r"\b(kill\w*|dead|death\w*|died|die|dying|bod(?:y|ies)|lives|fatalit\w*|toll|"
    r"massacre\w*|slain|perish\w*|execut\w*|"
    r"tu[ée]e?s?|morts?|mortes|d[ée]c[èe]s|victimes|bilan|"
    r"muert[oa]s?|murieron|falleci\w*|asesinad[oa]s?|mat[óo]|matad[oa]s?|v[íi]ctimas|"
    r"mort[oa]s|morreram|mataram|matou|abatid[oa]s|assassinad[oa]s|get[öo]tet\w*|"
    r"tote[nr]?|tot|starben|ums leben|leichen|"
    # the military's word for enemies killed: "Quatorze terroristes ont été neutralisés"
    r"neutrali[sz]\w*)\b"
)
_DEATH = re.compile(_DEATH_WORDS, re.IGNORECASE)
# German's "die" is an article ("die Innenstadt"), not a death
_DEATH_NOT_EN = re.compile(_DEATH_WORDS.replace("|die|", "|"), re.IGNORECASE)


def _death(language: str) -> re.Pattern[str]:
    return _DEATH if language in ("en", "") else _DEATH_NOT_EN


_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:[,.\u00a0 ]\d{3})+|\d+)(?![\w]|[.,]\d)")
# what may follow a number and show it is not a count of people killed
_NOT_A_TOLL_AFTER = re.compile(
    r"^\s*(?:%|per ?cent|years?\b|year-old|-year|km|kilomet|miles?\b|metres?|meters?|"
    r"hours?\b|minutes?\b|days?\b|weeks?\b|months?\b|am\b|pm\b|a\.m|p\.m|h\b|"
    r"ans\b|heures?|jours?|semaines?|mois\b|años\b|horas?\b|días\b|semanas?\b|meses\b|"
    r"(?:people |civilians |others |persons )?(?:were |have been |had been )?"
    r"(?:wounded|injured|hurt|displaced|missing|arrested|abducted|kidnapped|bless[ée]s|"
    r"heridos|desplazados|secuestrad)|"
    r"(?:\w+\s+){0,2}(?:wurden|sind|waren)\s+(?:\w+\s+){0,2}?(?:verletzt|verwundet|festgenommen|"
    r"vermisst|entf[üu]hrt)|verletzte|verwundete)",
    re.IGNORECASE,
)


def speaks_of_deaths(sentence: str, language: str = "en") -> bool:
    """Whether a sentence speaks of people killed or dead (in en, fr, es and a few more)."""
    return _death(language).search(sentence) is not None


@functools.lru_cache(maxsize=2048)
def numbers_written(sentence: str, language: str = "en") -> tuple[tuple[int, int], ...]:
    """``(value, position)`` of every whole number in the sentence, digits or words
    (number words from three up: "one" and "two" are too often no count).

    Words are read by ``text2num`` in the article's language (English otherwise);
    positions are in the converted text, used only to look at the words after a number.
    """
    return tuple((value, start) for value, start, _ in _numbers(sentence, language, 3.0))


def _converted(sentence: str, language: str, threshold: float) -> str:
    return in_digits(sentence, language if language in _T2N_LANGUAGES else "en", threshold)


# "tens of thousands", "des centaines de", "decenas de miles": no figure to choose
_VAGUE = re.compile(
    r"\b(?:(?:tens|hundreds|dozens|scores|thousands|millions)(?: of (?:thousands|millions))?"
    r"(?= of\b)|(?:des )?(?:dizaines|centaines|milliers)(?: de milliers)?(?= d)|"
    r"(?:decenas|centenares|cientos|miles)(?: de miles)?(?= de\b))",
    re.IGNORECASE,
)


@functools.lru_cache(maxsize=2048)
def _numbers(sentence: str, language: str, threshold: float) -> tuple[tuple[int, int, str], ...]:
    """``(value, position, converted text)`` of the sentence's whole numbers."""
    converted = _converted(_VAGUE.sub("many", sentence), language, threshold)
    found: list[tuple[int, int, str]] = []
    for match in _NUMBER.finditer(converted):
        digits = re.sub(r"[,.\u00a0 ]", "", match.group(1))
        value = int(digits)
        if len(digits) == 4 and 1900 <= value <= 2100:
            continue  # a year
        if _NOT_A_TOLL_AFTER.match(converted[match.end() :]):
            continue
        found.append((value, match.start(), converted))
    return tuple(found)


# what may come just before a number and show it is not a toll: wounded, abducted or
# arrested people; a part of a toll; an age (vague amounts are gone already: _VAGUE)
_NOT_A_TOLL_BEFORE = re.compile(
    r"(?:wound\w*|injur\w*|hurt|abduct\w*|kidnap\w*|seiz\w*|arrest\w*|detain\w*|displac\w*|"
    r"rescu\w*|freed|released|blessant|bless[ée]s|herid\w*|secuestr\w*|enlev\w*)"
    r"(?:\s+(?:as|at|to|some|about|around|nearly|at least|more than))?\s*$"
    r"|(?:including|among them|of whom|among|dont|entre ellos|incluidos?)\s*$"
    r"|\b(?:aged?|age of|âgée?s? de)\s*$",
    re.IGNORECASE,
)
_NEAR = 55  # characters between a figure and a word of death, within one clause
_ASIDE = re.compile(r"^([^,;:.]{0,25}),[^,;:.]{1,80},")
_LONE_VICTIM = re.compile(
    r"\b(?:killing|killed|shot dead|shooting dead)\s+(?:an?|one|its|the)\s+(?:[\w-]+\s+){0,3}?"
    r"(?:man|woman|boy|girl|child|person|civilian|soldier|officer|policeman|policewoman|"
    r"student|farmer|journalist|worker|resident|vendor|teacher|driver|trader|shopkeeper|"
    r"fisherman|herder|villager|protester|pedestrian|passer-by|guard|security guard|priest|"
    r"pastor|imam|chief|official|doctor|nurse|rider|motorcyclist|employee|commander)\b|"
    r"\b(?:an?|one)\s+(?:[\w-]+\s+){0,3}?(?:man|woman|boy|girl|child|person|civilian|"
    r"soldier|officer|policeman|policewoman|student|farmer|journalist|worker|resident|"
    r"vendor|teacher|driver|trader|shopkeeper|fisherman|herder|villager|protester|"
    r"pedestrian|passer-by|guard|priest|pastor|imam|chief|official|doctor|nurse|rider|"
    r"motorcyclist|employee|commander)\b(?:\s+[\w-]+){0,5}?\s+(?:was|has been|had been)\s+"
    r"(?:killed|shot dead|beaten to death|stabbed to death|hacked to death|lynched)",
    re.IGNORECASE,
)


def _near_death(converted: str, start: int, end: int, language: str) -> bool:
    """Whether a word of death lies within ``_NEAR`` characters of the figure, with no
    clause break (';' or a full stop) between them."""
    before = re.split(r"[;:]|\.\s", converted[max(0, start - _NEAR) : start])[-1]
    # "eight people, including two civilians, were killed": an aside does not count
    following = _ASIDE.sub(r"\1", converted[end : end + 2 * _NEAR + 30], count=1)
    after = re.split(r"[;:]|\.\s", following[:_NEAR])[0]
    death = _death(language)
    return bool(death.search(before) or death.search(after))


# "70 combatants were killed, 32 of them government forces": a part of a toll
_PART_AFTER = re.compile(
    r"^\s*(?:of them|of whom|among them|d'entre eux|de ellos)\b", re.IGNORECASE
)
# "three residents and a health worker told Reuters": who tells, not who died
_SOURCES_AFTER = re.compile(
    r"^\s+(?:\w+\s+)?(?:residents?|witnesses|officials|sources|medics|doctors|nurses|"
    r"health workers|aid workers|villagers|survivors)\b"
    r"(?:(?!kill|dead|died|death|bod(?:y|ies))[^.;]){0,40}?\b(?:told|said|say|reported)\b",
    re.IGNORECASE,
)
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DATE_BEFORE = re.compile(rf"\b{_MONTH}\s*$", re.IGNORECASE)
_DATE_AFTER = re.compile(rf"^(?:st|nd|rd|th)?\s+{_MONTH}(?:\s|$|[,.])", re.IGNORECASE)


def death_figures(sentences: list[str], language: str = "en") -> list[int]:
    """Distinct candidate tolls in these sentences, in order of appearance: figures near
    a word of death (number words from one up), and 1 for a lone victim killed. Days of
    a date ("Aug 10", "10 August", a dateline's) are no toll."""
    figures: list[int] = []
    for told in sentences:
        sentence = undated(told)
        if not speaks_of_deaths(sentence, language):
            continue
        found: list[tuple[int, int]] = []
        for value, start, converted in _numbers(sentence, language, 0.0):
            end = start + len(str(value))
            if _NOT_A_TOLL_BEFORE.search(converted[max(0, start - 40) : start]):
                continue
            if (
                _DATE_BEFORE.search(converted[max(0, start - 12) : start])
                or _DATE_AFTER.match(converted[end:])
                or _SOURCES_AFTER.match(converted[end:])
                or (found and _PART_AFTER.match(converted[end:]))
            ):
                continue
            text_end = re.match(r"[\d,.\u00a0 ]*\d", converted[start:])
            end = start + (text_end.end() if text_end else len(str(value)))
            if _near_death(converted, start, end, language):
                found.append((start, value))
        if language == "en" and (lone := _LONE_VICTIM.search(sentence)):
            found.append((lone.start(), 1))
        for _, value in sorted(found):
            if 0 < value <= 100_000 and value not in figures:
                figures.append(value)
    return figures


def checked_toll(
    chosen: int | None, own: list[str], language: str, where: str, warnings: list[str]
) -> tuple[int | None, list[tuple[int, str]]]:
    """The toll a model chose for an event, checked against the event's sentences ``own``:
    kept when it is a figure near a word of death there (not a day of a date), else the
    only such figure they give, or None. The dead another sentence adds ("29 troops were
    also killed") count too, unless the toll is already a total (the sum of other
    figures given). Each change is noted in ``warnings``, about ``where``. Returns the toll
    and, for a sum, its parts as (count, who died as the sentences say it)."""
    if chosen is None:
        return None, []
    tolls = death_figures(own, language)
    if chosen not in tolls:
        replaced = tolls[0] if len(tolls) == 1 else None
        warnings.append(
            f"{where}: toll {chosen} is no count of the dead in its sentences; "
            + (f"{replaced}, the only one they give" if replaced is not None else "removed")
        )
        return replaced, []
    also = [
        (figures[0], sentence)
        for sentence in own
        if _ALSO.search(sentence)
        and (figures := death_figures([sentence], language))
        and chosen not in figures
    ]
    added = [figure for figure, _ in also]
    others = [f for f in tolls if f != chosen]
    is_total = any(
        sum(part) == chosen for n in range(2, len(others) + 1) for part in combinations(others, n)
    )
    if added and not is_total:
        total = chosen + sum(added)
        warnings.append(f"{where}: toll {total}: {chosen} and {added} also killed")
        first = next((s for s in own if chosen in death_figures([s], language)), "")
        parts = [(chosen, _who(first, chosen)), *((n, _who(s, n)) for n, s in also)]
        return total, parts
    return chosen, []


def _who(sentence: str, figure: int) -> str:
    """Who the sentence says died, in the words after the figure ("26 anti-government
    fighters were killed" -> "anti-government fighters")."""
    match = re.search(
        rf"\b{figure}\s+((?:[\w'’-]+\s+){{0,5}}?)(?:were|was|have|had|killed|died|also)\b", sentence
    )
    who = match.group(1).strip() if match else ""
    return who[:80] or "others"


_ALSO = re.compile(r"\b(?:also|as well|too)\b", re.IGNORECASE)
