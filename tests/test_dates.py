"""Resolving date_text against the publication date."""

from __future__ import annotations

import datetime as dt

import pytest

from summarizer.text.dates import resolve_date

TUESDAY = dt.date(2019, 8, 13)


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        ("Sunday", TUESDAY, (dt.date(2019, 8, 11), 1)),
        ("at dawn on Sunday", TUESDAY, (dt.date(2019, 8, 11), 1)),
        ("on Tuesday", TUESDAY, (TUESDAY, 1)),
        ("last Tuesday", TUESDAY, (dt.date(2019, 8, 6), 1)),
        ("yesterday", TUESDAY, (dt.date(2019, 8, 12), 1)),
        ("overnight", TUESDAY, (dt.date(2019, 8, 12), 1)),
        ("today", TUESDAY, (TUESDAY, 1)),
        ("last week", TUESDAY, (dt.date(2019, 8, 6), 2)),
        ("September 22", dt.date(2016, 10, 2), (dt.date(2016, 9, 22), 1)),
        ("22 September 2016", None, (dt.date(2016, 9, 22), 1)),
        ("December 30", dt.date(2017, 1, 3), (dt.date(2016, 12, 30), 1)),
        ("2019-08-11", None, (dt.date(2019, 8, 11), 1)),
        ("since late April", dt.date(2019, 8, 13), (dt.date(2019, 4, 1), 3)),
        ("Sunday", None, (None, 1)),
        ("last week", None, (None, 2)),
        ("recently", TUESDAY, (None, 3)),
        ("February 30", TUESDAY, (None, 1)),
    ],
)
def test_resolve_date(
    text: str, published: dt.date | None, expected: tuple[dt.date | None, int]
) -> None:
    assert resolve_date(text, published) == expected
