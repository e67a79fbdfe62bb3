"""What a case-insensitive regular expression sees of ASCII words in a text.

A cheap substring test on :func:`folded` text can rule out a costly ``re.IGNORECASE``
scan: whenever a pattern matches an ASCII word (any case) in the text, the word in
lowercase occurs in the folded text. Used as a prefilter by :mod:`summarizer.clean`
and :mod:`summarizer.grounding`.
"""

from __future__ import annotations

__all__ = ["folded"]


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
