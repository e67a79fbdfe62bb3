"""Days in an article's sentences: which words name an event's day ("on Sunday",
"lundi", "14 de julho"), which name a statement's day or a day to come, and which date
a sentence to the background (an earlier year or month, "since", "last year")."""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import re

from summarizer.extraction._places import fold_name
from summarizer.extraction._sentences import Sentence, undated
from summarizer.text.dates import resolve_date

__all__ = [
    "WEEKDAY_KEY",
    "are_day_words",
    "date_key",
    "date_words",
    "day_words",
    "earlier_date",
    "is_background",
    "latest_year",
]


_BACKGROUND_DATE = re.compile(
    r"\b(?:last|past|previous) (?:year|month|decade)\b|\b(?:years?|months?|weeks?) ago\b|"
    r"\bsince\b|\bearlier this (?:year|month)\b|\bin (?:19|20)\d\d\b|\bdepuis\b|\bdesde\b|"
    r"\bpreviously\b|\bin the past\b|"
    # a roundup's summary of its period: "A week of attacks left at least four dead"
    r"\b(?:a|another|one) (?:week|month) of (?:attacks|violence|fighting|clashes|unrest)\b|"
    r"\ba (?:spate|wave|string|series) of (?:\w+ )?(?:attacks|killings|bombings|abductions|"
    r"kidnappings|clashes)\b",
    re.IGNORECASE,
)
# weekdays of other languages (as written, and as ``fold_name`` leaves them in a key)
_FR_DAYS = r"lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
_ES_DAYS = r"lunes|martes|mi[ée]rcoles|jueves|viernes|s[áa]bado|domingo"
_PT_DAYS = r"(?:segunda|ter[çc]a|quarta|quinta|sexta)-feira"
_IT_DAYS = r"luned[iì]|marted[iì]|mercoled[iì]|gioved[iì]|venerd[iì]|sabato|domenica"
_DE_DAYS = r"montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonnabend|sonntag"
_DE_DAY_PART = r"abend|morgen|nachmittag|vormittag|mittag|nacht"
_DATE_WORDS = re.compile(
    r"\b(?:(?:on |late |early )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
    r"(?: (?:morning|afternoon|evening|night))?|yesterday|today|overnight|last night|"
    r"this (?:morning|afternoon|evening|week)|(?:in|over) (?:a|the past|the last|the) week|"
    rf"(?:{_FR_DAYS})(?: soir| matin)?|hier|(?:el )?(?:{_ES_DAYS})|ayer|{_PT_DAYS}|ontem|"
    rf"(?:in der nacht (?:zum|auf) |am )?(?:{_DE_DAYS})(?:{_DE_DAY_PART})?|gestern(?:abend)?|"
    rf"(?:{_IT_DAYS})(?: sera| mattina| notte)?|ieri(?: sera| mattina| pomeriggio| notte)?|"
    r"stamattina|stanotte|questa mattina|nel pomeriggio(?! di)|in serata|in mattinata|"
    r"\d{1,2} (?:gennaio|febbraio|marzo|aprile|maggio|giugno|luglio|agosto|settembre|ottobre|"
    r"novembre|dicembre)|"
    r"\d{1,2} (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*|"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w* (?:19|20)\d\d|"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w* \d{1,2}|"
    r"\d{1,2}(?:er)? (?:janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[ûu]t|septembre|"
    r"octobre|novembre|d[ée]cembre)|\d{1,2} de (?:enero|febrero|marzo|abril|mayo|junio|julio|"
    r"agosto|se?ptiembre|octubre|noviembre|diciembre)|\d{1,2} de (?:janeiro|fevereiro|"
    r"mar[çc]o|abril|maio|junho|julho|agosto|setembro|outubro|novembro|dezembro))\b",
    re.IGNORECASE,
)


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# each month's name in French, Spanish, Portuguese and Italian (as regular expressions)
_OTHER_MONTHS = (
    ("janvier", "enero", "janeiro", "gennaio"),
    ("f[ée]vrier", "febrero", "fevereiro", "febbraio"),
    ("mars", "marzo", "mar[çc]o"),
    ("avril", "abril", "aprile"),
    ("mai", "mayo", "maio", "maggio"),
    ("juin", "junio", "junho", "giugno"),
    ("juillet", "julio", "julho", "luglio"),
    ("ao[ûu]t", "agosto"),
    ("septembre", "se?ptiembre", "setembro", "settembre"),
    ("octobre", "octubre", "outubro", "ottobre"),
    ("novembre", "noviembre", "novembro"),
    ("d[ée]cembre", "diciembre", "dezembro", "dicembre"),
)
# names that are also other words after "de": "Cinco de Mayo", "Plaza de Mayo", "de mars"
_ALSO_NAMES = frozenset({"mars", "mai", "mayo", "maio", "maggio", "ao[ûu]t"})
_ANY_MONTH = "|".join(name for names in _OTHER_MONTHS for name in names)
_MONTH_AFTER_DE = "|".join(
    name for names in _OTHER_MONTHS for name in names if name not in _ALSO_NAMES
)
# "In April, ..." / "in March" / "En avril" / "En abril" / "Em abril" / "Ad aprile" with
# no day: an earlier month is background
_MONTH_ONLY = re.compile(
    r"\b[Ii]n (January|February|March|April|May|June|July|August|September|October|"
    r"November|December)\b(?! \d{1,2}\b)|"
    rf"\b(?:[Ee]n|[Ee]m|[Aa]d|[Aa]|[Nn]el mese di) ({_ANY_MONTH})\b(?! (?:de )?\d{{1,2}}\b)|"
    # "lors des manifestations de juin", "las protestas de marzo": a month with no day
    rf"(?<!\d )\b(?:de|del|d'|di) ({_MONTH_AFTER_DE})\b(?! (?:de |del )?\d)"
)


def _month_number(name: str) -> int:
    folded = fold_name(name)
    if folded[:3] in _MONTHS:
        return _MONTHS.index(folded[:3]) + 1
    return next(
        number
        for number, names in enumerate(_OTHER_MONTHS, 1)
        if any(re.fullmatch(n, folded) for n in names)
    )


# "police said on Sunday", "told AFP on Thursday", "said Monday they had": the day of
# the statement, not of the event
_REPORTED_ON = re.compile(
    r"\b(?:said|says|announced|reported|told|added|stated|confirmed|claimed|declared|dijo|"
    r"inform[óo]|señal[óo]|afirm[óo]|anunci[óo]|report[óo]|indic[óo]|denunci[óo]|"
    r"a d[ée]clar[ée]|a indiqu[ée]|indiqu[ée]|pr[ée]cisant|a pr[ée]cis[ée]|a annonc[ée]|"
    r"annonc[ée]|a affirm[ée]|affirm[ée]|a rapport[ée]|a confirm[ée]|sagte|teilte|"
    r"erkl[äa]rte|berichtete|best[äa]tigte)\b"
    r"(?:\s+(?!that\b|que\b)[\w'’-]+){0,4}?\s*$",
    re.IGNORECASE,
)


# "the march would go ahead on Thursday": a day to come
_FUTURE = re.compile(
    r"\b(?:will|would|is to|are to|due to|planned|scheduled|set to|va|vont|va a|van a)\b"
    r"(?:\s+[\w'’-]+){0,4}?\s*$",
    re.IGNORECASE,
)


# a day in a movement's name is no event's day: "Mouvement du 6 juin (M66)", "the March
# 23 Movement", "Movimiento 26 de Julio"
_IN_A_NAME = re.compile(
    r"\b(?:mouvement|movement|movimiento|movimento|bewegung|front|coalition|"
    r"alliance|collectif|colectivo)\s+(?:du|de|del|do|of|of the)?\s*$",
    re.IGNORECASE,
)
_NAME_AFTER = re.compile(r"\s+(?:Movement|Mouvement|Coalition|Alliance)\b")


# "calm had returned by early Friday", "held until Monday": a limit, not the event's day
_LIMIT = re.compile(r"\b(?:by|until|till)\s*$", re.IGNORECASE)


def are_day_words(text: str) -> bool:
    """Whether the text is only words naming a day ("On Monday", "14 mai")."""
    return _DATE_WORDS.fullmatch(text) is not None


def date_words(sentence: str, reported: bool = False) -> re.Match[str] | None:
    """The first words naming the day of an event (``reported``: of a statement about
    one, "the monitor said Thursday"); never a day to come or a time limit."""
    text = undated(sentence)
    for match in _DATE_WORDS.finditer(text):
        before = text[: match.start()]
        if (
            _LIMIT.search(before)
            or _IN_A_NAME.search(before)
            or _NAME_AFTER.match(text, match.end())
        ):
            continue
        if not _FUTURE.search(before) and bool(_REPORTED_ON.search(before)) is reported:
            return match
    return None


def date_key(sentence: str, reported: bool = False) -> str | None:
    match = date_words(sentence, reported)
    if not match:
        return None
    # "am Samstagabend" is Saturday's, as "Saturday evening" is
    words = re.sub(rf"\b({_DE_DAYS})(?:{_DE_DAY_PART})\b", r"\1", fold_name(match.group(0)))
    return " ".join(w for w in words.split() if w not in _NOT_DAY) or None


_NOT_DAY = frozenset(
    {"on", "late", "early", "el", "morning", "afternoon", "evening", "night", "soir", "matin",
     "am", "in", "der", "nacht", "zum", "auf", "sera", "mattina", "notte", "pomeriggio"}
)  # fmt: skip


def latest_year(sentences: list[Sentence]) -> int | None:
    years = [
        int(y) for y in re.findall(r"\b((?:19|20)\d\d)\b", " ".join(s.text for s in sentences))
    ]
    return max(years) if years else None


WEEKDAY_KEY = re.compile(
    r"^(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|"
    rf"overnight|last night|this \w+|{_FR_DAYS}|hier|{_ES_DAYS}|ayer|{_PT_DAYS}|ontem|"
    rf"{_DE_DAYS}|gestern)\b"
)


def earlier_date(key: str, lead: str | None, published: dt.date | None) -> bool:
    """Whether a calendar date ("September 22") names a day before the article's news.
    News copy names the days of the past week by weekday and older ones by date: with a
    publication date, a date over 7 days before it; without one, any date in an article
    whose news is told by weekday."""
    if not re.search(r"\d", key):
        return False
    if published is not None:
        day = _calendar_day(key, published)
        return day is not None and (published - day).days > 7
    return lead is not None and lead != key and WEEKDAY_KEY.match(lead) is not None


def _calendar_day(key: str, published: dt.date) -> dt.date | None:
    """The day a date key names (text.dates.resolve_date), the last of its month for a
    month alone ("december 2023"), this year's for the day after publication (a time
    zone ahead, not a year ago)."""
    day, precision = resolve_date(key, published)
    if day is None:
        return None
    if precision == 3:
        return day.replace(day=calendar.monthrange(day.year, day.month)[1])
    with contextlib.suppress(ValueError):  # 29 February
        if day.replace(year=day.year + 1) == published + dt.timedelta(days=1):
            return day.replace(year=day.year + 1)
    return day


def day_words(sentences: list[Sentence], key: str) -> str:
    if not key:
        return ""
    for reported in (False, True):
        for sentence in sentences:
            if date_key(sentence.text, reported) == key:
                match = date_words(sentence.text, reported)
                return match.group(0) if match else ""
    return ""


def is_background(date_text: str, published: dt.date | None, latest_year: int | None) -> bool:
    """Dated in an earlier year than the article's (its publication year, else the
    latest year it mentions), or with words that point back ("since", "last month").
    ``date_text`` may be a whole sentence."""
    year = re.search(r"\b((?:19|20)\d\d)\b", date_text)
    current = published.year if published else latest_year
    month = _MONTH_ONLY.search(date_text)
    name = month and (month.group(1) or month.group(2) or month.group(3))
    if name and published and not year and _month_number(name) != published.month:
        return True
    if year and current and int(year.group(1)) < current:
        return True
    if not _BACKGROUND_DATE.search(date_text):
        return False
    return not (year and current and int(year.group(1)) == current)
