"""Events from labelled sentences: grouped by event type and day, background left out.

A sentence naming no day takes the day of the sentence before it, else the article's
first day; a sentence dated in an earlier year or month, or pointing back ("since",
"last month"), is background.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from summarizer.extraction._codebook import lexicon_type
from summarizer.extraction._places import fold_name
from summarizer.extraction._sentences import Sentence
from summarizer.extraction._steps import LABELS
from summarizer.schema import EventType

__all__ = ["Spot", "group_events"]


@dataclass
class Spot:
    """An event as grouped: its sentences, type and the day's words."""

    ids: list[int]
    event_type: EventType
    date_text: str


_BACKGROUND_DATE = re.compile(
    r"\b(?:last|past|previous) (?:year|month|decade)\b|\b(?:years?|months?|weeks?) ago\b|"
    r"\bsince\b|\bearlier this (?:year|month)\b|\bin (?:19|20)\d\d\b|\bdepuis\b|\bdesde\b",
    re.IGNORECASE,
)
_DATE_WORDS = re.compile(
    r"\b(?:(?:on |late |early )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
    r"(?: (?:morning|afternoon|evening|night))?|yesterday|today|overnight|last night|"
    r"this (?:morning|afternoon|evening|week)|"
    r"(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)(?: soir| matin)?|hier|"
    r"(?:el )?(?:lunes|martes|miércoles|jueves|viernes|sábado|domingo)|ayer|"
    r"\d{1,2} (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*|"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w* \d{1,2})\b",
    re.IGNORECASE,
)


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# "In April, ..." / "in March" with no day: an earlier month is background
_MONTH_ONLY = re.compile(
    r"\b[Ii]n (January|February|March|April|May|June|July|August|September|October|"
    r"November|December)\b(?! \d)"
)


def _month_number(name: str) -> int:
    return _MONTHS.index(name[:3].lower()) + 1


def _date_key(sentence: str) -> str | None:
    match = _DATE_WORDS.search(sentence)
    if not match:
        return None
    words = fold_name(match.group(0)).split()
    return " ".join(w for w in words if w not in {"on", "late", "early", "el", "morning",
                                                   "afternoon", "evening", "night", "soir",
                                                   "matin"}) or None  # fmt: skip


def group_events(
    labels: dict[int, str],
    sentences: list[Sentence],
    published: dt.date | None,
    warnings: list[str],
) -> list[Spot]:
    """Events from labelled sentences: one per (event type, day). A sentence naming no day
    takes the day of the sentence before it, else the article's first day; a sentence
    dated in an earlier year or pointing back ("since", "last month") is background."""
    years = [
        int(y) for y in re.findall(r"\b((?:19|20)\d\d)\b", " ".join(s.text for s in sentences))
    ]
    latest_year = max(years) if years else None
    lead = next((k for s in sentences if (k := _date_key(s.text))), None)
    current_key = lead
    spots: dict[tuple[EventType, str | None], Spot] = {}
    for sentence in sentences:
        key = _date_key(sentence.text)
        if key is not None:
            current_key = key
        label = labels.get(sentence.id)
        event_type = LABELS.get(label) if label else None
        if event_type is None:
            continue
        if _is_background(sentence.text, published, latest_year) and key is None:
            warnings.append(f"sentence {sentence.id} was taken as background")
            continue
        event_type = lexicon_type(event_type, sentence.text)
        spot = spots.get((event_type, current_key))
        if spot is None:
            match = _DATE_WORDS.search(sentence.text)
            spot = spots[(event_type, current_key)] = Spot([], event_type, "")
            if match and key == current_key:
                spot.date_text = match.group(0)
        if not spot.date_text and key is not None and key == current_key:
            match = _DATE_WORDS.search(sentence.text)
            spot.date_text = match.group(0) if match else ""
        if len(spot.ids) < 4:
            spot.ids.append(sentence.id)
    found = list(spots.values())
    for spot in found:
        if not spot.date_text and lead is not None:
            spot.date_text = _day_words(sentences, lead)
    return found[:8]


def _day_words(sentences: list[Sentence], key: str) -> str:
    for sentence in sentences:
        if _date_key(sentence.text) == key and (match := _DATE_WORDS.search(sentence.text)):
            return match.group(0)
    return ""


def _is_background(date_text: str, published: dt.date | None, latest_year: int | None) -> bool:
    """Dated in an earlier year than the article's (its publication year, else the
    latest year it mentions), or with words that point back ("since", "last month").
    ``date_text`` may be a whole sentence."""
    year = re.search(r"\b((?:19|20)\d\d)\b", date_text)
    current = published.year if published else latest_year
    month = _MONTH_ONLY.search(date_text)
    if month and published and not year and _month_number(month.group(1)) != published.month:
        return True
    if year and current and int(year.group(1)) < current:
        return True
    if not _BACKGROUND_DATE.search(date_text):
        return False
    return not (year and current and int(year.group(1)) == current)
