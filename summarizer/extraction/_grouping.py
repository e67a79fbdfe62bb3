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
from summarizer.extraction._figures import death_figures
from summarizer.extraction._places import fold_name
from summarizer.extraction._sentences import Sentence, undated
from summarizer.extraction._steps import LABELS
from summarizer.schema import EventType

__all__ = ["Spot", "background_ids", "group_events"]

_LEAD = 2  # the title (when the text has one) and the first sentence


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


def _date_words(sentence: str) -> re.Match[str] | None:
    return _DATE_WORDS.search(undated(sentence))


def _date_key(sentence: str) -> str | None:
    match = _date_words(sentence)
    if not match:
        return None
    words = fold_name(match.group(0)).split()
    return " ".join(w for w in words if w not in {"on", "late", "early", "el", "morning",
                                                   "afternoon", "evening", "night", "soir",
                                                   "matin"}) or None  # fmt: skip


def _latest_year(sentences: list[Sentence]) -> int | None:
    years = [
        int(y) for y in re.findall(r"\b((?:19|20)\d\d)\b", " ".join(s.text for s in sentences))
    ]
    return max(years) if years else None


def background_ids(sentences: list[Sentence], published: dt.date | None) -> set[int]:
    """Sentences that name no day of their own and are dated in an earlier year or month,
    or point back ("since", "last year"): background whatever a model would say."""
    latest = _latest_year(sentences)
    return {
        s.id
        for s in sentences
        if _date_key(s.text) is None and _is_background(s.text, published, latest)
    }


# "In Mombasa, police ...", "Separately, in Kisumu, ...": a sentence that opens on a
# place starts that place's events
_PLACE_OPENER = re.compile(
    r"^(?:(?:Separately|Elsewhere|Meanwhile|Also|Later),?\s+)?(?:[Ii]n|[Aa]t|[Nn]ear|[Oo]utside|"
    r"En|À|Dans|Près de|Cerca de)\s+(?:the\s+)?"
    r"((?:[A-ZÀ-Ý][\w'’.-]+)(?:[\s-](?:[A-ZÀ-Ý][\w'’.-]+|al|el|de|du)){0,3})\b"
)


def _opening_place(sentence: str) -> str | None:
    match = _PLACE_OPENER.match(undated(sentence).strip())
    if not match:
        return None
    place = match.group(1)
    if _DATE_WORDS.fullmatch(place) or place.split()[0].lower() in _MONTH_NAMES:
        return None  # "In March", "On Monday"
    return fold_name(place)


_MONTH_NAMES = frozenset(
    {
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
        "addition",
        "response",
        "total",
        "all",
    }
)


def group_events(
    labels: dict[int, str],
    sentences: list[Sentence],
    published: dt.date | None,
    warnings: list[str],
    language: str = "en",
) -> list[Spot]:
    """Events from labelled sentences: one per (event type, day). A sentence naming no day
    takes the day of the sentence before it, else the article's first day; a sentence
    dated in an earlier year or pointing back ("since", "last month") is background. An
    event must be anchored: one of its sentences names its day, gives a death toll, or
    leads the article or opens on a place of its own ("In Mombasa, police ..."); otherwise
    its sentences are commentary and it is left out. A sentence opening on a place not
    yet told starts that place's events."""
    latest_year = _latest_year(sentences)
    lead = next((k for s in sentences if (k := _date_key(s.text))), None)
    current_key = lead
    current_place: str | None = None  # set by a sentence that opens on a new place
    told = ""  # the folded text told since the place was last set
    spots: dict[tuple[EventType, str | None, str | None], Spot] = {}
    anchored: set[int] = set()
    for sentence in sentences:
        key = _date_key(sentence.text)
        if key is not None and key != current_key:
            current_key, current_place, told = key, None, ""
        opening = _opening_place(sentence.text)
        opens = bool(opening) and f" {opening} " not in f" {told} "
        if opens:
            current_place, told = opening, ""
        told += " " + fold_name(sentence.text)
        label = labels.get(sentence.id)
        event_type = LABELS.get(label) if label else None
        if event_type is None:
            continue
        if current_key is not None and _earlier_date(current_key, lead, published):
            warnings.append(f"sentence {sentence.id} is dated {current_key!r}: background")
            continue
        if _is_background(sentence.text, published, latest_year) and key is None:
            warnings.append(f"sentence {sentence.id} was taken as background")
            continue
        event_type = lexicon_type(event_type, sentence.text)
        if event_type is None:
            warnings.append(f"sentence {sentence.id} is about another domain than conflict")
            continue
        spot = spots.get((event_type, current_key, current_place))
        if spot is None:
            match = _date_words(sentence.text)
            spot = spots[(event_type, current_key, current_place)] = Spot([], event_type, "")
            if match and key == current_key:
                spot.date_text = match.group(0)
        if not spot.date_text and key is not None and key == current_key:
            match = _date_words(sentence.text)
            spot.date_text = match.group(0) if match else ""
        if len(spot.ids) < 4:
            spot.ids.append(sentence.id)
        if (
            key is not None
            or opens
            or sentence.id <= _LEAD
            or death_figures([sentence.text], language)
        ):
            anchored.add(id(spot))
    found = []
    for spot in spots.values():
        if id(spot) in anchored:
            found.append(spot)
        else:
            warnings.append(
                f"sentences {spot.ids} ({spot.event_type.value}) were left out: none names a "
                "day, gives a toll or leads the article"
            )
    for spot in found:
        if not spot.date_text and lead is not None:
            spot.date_text = _day_words(sentences, lead)
    return found[:8]


_WEEKDAY_KEY = re.compile(
    r"^(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|"
    r"overnight|last night|this \w+|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|"
    r"hier|lunes|martes|miercoles|jueves|viernes|sabado|domingo|ayer)\b"
)


def _earlier_date(key: str, lead: str | None, published: dt.date | None) -> bool:
    """Whether a calendar date ("September 22") names a day before the article's news.
    News copy names the days of the past week by weekday and older ones by date: with a
    publication date, a date over 7 days before it; without one, any date in an article
    whose news is told by weekday."""
    if not re.search(r"\d", key):
        return False
    if published is not None:
        day = _calendar_day(key, published)
        return day is not None and (published - day).days > 7
    return lead is not None and lead != key and _WEEKDAY_KEY.match(lead) is not None


def _calendar_day(key: str, published: dt.date) -> dt.date | None:
    month = re.search(r"[a-z]+", key)
    number = re.search(r"\d{1,2}", key)
    if not month or not number or month.group(0)[:3] not in _MONTHS:
        return None
    try:
        day = dt.date(published.year, _month_number(month.group(0)), int(number.group(0)))
    except ValueError:
        return None
    return day.replace(year=day.year - 1) if day > published + dt.timedelta(days=1) else day


def _day_words(sentences: list[Sentence], key: str) -> str:
    for sentence in sentences:
        if _date_key(sentence.text) == key and (match := _date_words(sentence.text)):
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
