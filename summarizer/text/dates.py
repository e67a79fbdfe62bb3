"""Resolve an event's ``date_text`` ("on Sunday", "last week", "September 22") to a date.

News copy dates events relative to publication: "Sunday" in a story published on a
Tuesday means the Sunday before. Resolution needs the publication date; without it a
relative wording stays unresolved (``None``) while its precision is still known.
ACLED time precision: 1 = the day is known, 2 = the week, 3 = the month or vaguer.
"""

from __future__ import annotations

import datetime as dt
import re

__all__ = ["resolve_date"]

_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MONTHS = [
    "january", "february", "march", "april", "may", "june", "july", "august",
    "september", "october", "november", "december",
]  # fmt: skip
# a month's English name or its abbreviation ("Sept."), never the start of another
# language's word ("mardi", "julho")
_MONTH_RE = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:tember|t)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b"
)
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH_RE})\.?(?:,?\s+(\d{{4}}))?\b")
_MONTH_DAY = re.compile(rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?\b")
_MONTH_ONLY = re.compile(rf"\b({_MONTH_RE})\b(?:\s+(\d{{4}}))?")
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def _month(name: str) -> int:
    return next(i for i, m in enumerate(_MONTHS, start=1) if name.lower().startswith(m[:3]))


def _year_for(month: int, day: int, year: str | None, published: dt.date | None) -> int | None:
    if year:
        return int(year)
    if published is None:
        return None
    # A date later in the year than publication belongs to the previous year.
    candidate = (month, day)
    return published.year if candidate <= (published.month, published.day) else published.year - 1


def _safe_date(year: int | None, month: int, day: int) -> dt.date | None:
    if year is None:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def resolve_date(date_text: str, published: dt.date | None) -> tuple[dt.date | None, int]:
    """The calendar date (or None) and ACLED time precision of a wording like 'on Sunday'."""
    text = date_text.lower()
    if match := _ISO.search(text):
        parsed = _safe_date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        return parsed, 1
    if match := _DAY_MONTH.search(text):
        day, month = int(match.group(1)), _month(match.group(2))
        return _safe_date(_year_for(month, day, match.group(3), published), month, day), 1
    if match := _MONTH_DAY.search(text):
        day, month = int(match.group(2)), _month(match.group(1))
        return _safe_date(_year_for(month, day, match.group(3), published), month, day), 1
    for index, name in enumerate(_WEEKDAYS):
        if re.search(rf"\b{name}\b", text):
            if published is None:
                return None, 1
            back = (published.weekday() - index) % 7
            if "last" in text.split() and back == 0:
                back = 7
            return published - dt.timedelta(days=back), 1
    if re.search(
        r"\b(today|this morning|this afternoon|this evening|tonight|stamattina|questa mattina|"
        r"oggi|ce matin|esta mañana|hoje|nel pomeriggio|in serata|in mattinata)\b",
        text,
    ):
        return published, 1
    if re.search(r"\b(yesterday|last night|overnight)\b", text):
        return (published - dt.timedelta(days=1) if published else None), 1
    if re.search(r"\b(last|past|this) (week|weekend)\b|\bweekend\b", text):
        if published is None:
            return None, 2
        return published - dt.timedelta(days=7 if "last" in text or "past" in text else 0), 2
    if match := _MONTH_ONLY.search(text):
        month = _month(match.group(1))
        year = int(match.group(2)) if match.group(2) else _year_for(month, 1, None, published)
        return _safe_date(year, month, 1), 3
    return _other_languages(date_text, published)


# languages whose day and date words ``dateparser`` reads here ("lundi", "na quinta-feira",
# "el 14 de mayo"); English is read above
_LANGUAGES = ["fr", "es", "pt", "de", "it"]
_DE_DAY_PART = re.compile(
    r"\b(montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonnabend|sonntag)"
    r"(abend|morgen|nachmittag|vormittag|mittag|nacht)\b",
    re.IGNORECASE,
)


def _other_languages(date_text: str, published: dt.date | None) -> tuple[dt.date | None, int]:
    """A day or date in another language, by ``dateparser``'s search (its first find), with
    the news convention of the English rules: a weekday means the latest such day up to
    the publication day ("mardi" in Tuesday's paper is that Tuesday; dateparser's own
    "past" preference gives the Tuesday before)."""
    if published is None:
        return None, 3
    from dateparser.search import search_dates  # type: ignore[import-untyped]

    base = dt.datetime(published.year, published.month, published.day, 12)
    settings = {"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past"}
    # German compounds and ordinals dateparser does not split ("Samstagabend", "3. Mai")
    text = _DE_DAY_PART.sub(r"\1 \2", date_text)
    text = re.sub(r"\b(\d{1,2})\.(?=\s+[A-ZÄÖÜa-zäöü])", r"\1", text)
    found = search_dates(text, languages=_LANGUAGES, settings=settings)
    if not found:
        return None, 3
    words, when = found[0]
    day = when.date()
    if not re.search(r"\d", words):  # a weekday or "hier", "ayer", "ontem"
        if 0 <= (published - day).days <= 7:
            return published - dt.timedelta(days=(published.weekday() - day.weekday()) % 7), 1
        return None, 3
    if re.search(r"\b\d{1,2}\b", words):  # a day of a month
        year = re.search(r"\b(?:19|20)\d\d\b", words)
        year_of = int(year.group(0)) if year else _year_for(day.month, day.day, None, published)
        return _safe_date(year_of, day.month, day.day), 1
    return dt.date(day.year, day.month, 1), 3  # a month ("en octobre 2024")
