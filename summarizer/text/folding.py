"""Text folded for comparison: :func:`fold` (grounding, chunk merging, the digest's
names, scoring), :func:`folded` (what a case-insensitive regex sees of ASCII words),
:func:`strip_quoted` and :func:`event_key`.

:func:`folded`:

A cheap substring test on :func:`folded` text can rule out a costly ``re.IGNORECASE``
scan: whenever a pattern matches an ASCII word (any case) in the text, the word in
lowercase occurs in the folded text. Used as a prefilter by :mod:`summarizer.text.clean`
and :mod:`summarizer.grounding`.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

from summarizer.text._memo import MEMO, memoised

if TYPE_CHECKING:
    from summarizer.schema import EventDraft

__all__ = ["event_key", "fold", "folded", "strip_quoted"]


def folded(text: str) -> str:
    """The text lowercased, with every character that IGNORECASE matches to an ASCII
    letter made that letter.

    Outside ASCII those are (a search of every code point, repeated in
    tests/test_grounding.py) the dotted capital I, which lowercases to 'i' and a
    combining dot, the dotless i, the Kelvin sign, which lowercases to 'k', and the
    long s. Removing the combining dot can only make more words occur, never fewer.
    """
    low = text.lower()
    if low.isascii():
        return low
    return low.replace("\u0307", "").replace("ı", "i").replace("ſ", "s")


_QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”|‘[^’]*’|«[^»]*»|(?<![\w])'[^'\n]*'(?![\w])")


# fold's one pass over characters: dashes become '-', quote marks go.
_FOLD_CHARS = str.maketrans({**dict.fromkeys("‐‑‒–—―", "-"), **dict.fromkeys("\"'“”‘’«»`´")})


@memoised(4 * MEMO)
def fold(text: str) -> str:
    """Fold for comparison: NFKC, no quote marks, dashes as '-', collapsed space, casefold."""
    text = unicodedata.normalize("NFKC", text).replace("--", "-").translate(_FOLD_CHARS)
    return " ".join(text.split()).casefold()


def strip_quoted(text: str) -> str:
    """The text with quoted passages blanked out (they are attributed speech, not our voice)."""
    return _QUOTED.sub(" ", text)


def event_key(event: EventDraft) -> tuple[str, str, str]:
    """What makes two events the same: folded date text and location name, event type."""
    return (fold(event.date_text), fold(event.location.name), event.event_type.value)
