"""Whole numbers written in a text, as digits ('1,000', '3 million') or words
('two hundred and five')."""

from __future__ import annotations

import re

from summarizer.text._memo import MEMO, memoised

__all__ = ["in_digits", "numbers_in"]


_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}  # fmt: skip


_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip


_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}


def _by_first_letter(words: list[str]) -> str:
    """An alternation of words grouped by their first letter ('t(?:wo|hree|en)|…'):
    the regex engine compares the first letter once per group instead of once per word.
    It matches what the plain alternation matches (tests/test_grounding.py checks)."""
    groups: dict[str, list[str]] = {}
    for word in words:
        groups.setdefault(word[0], []).append(word[1:])
    return "|".join(
        f"{first}(?:{'|'.join(rests)})" if any(rests) else first for first, rests in groups.items()
    )


_NUMBER_WORDS = [*_UNITS, *_TENS, *_SCALES]


_NUMBER_WORD = _by_first_letter([*_NUMBER_WORDS, "a"])


# A phrase may start with 'a' only as the multiplier of a scale ('a hundred'): 'a
# two-day truce' is 2, not 1 + 2.
_FIRST_NUMBER_WORD = f"{_by_first_letter(_NUMBER_WORDS)}|a(?=[\\s-]+(?:{'|'.join(_SCALES)})\\b)"


# A number in digits: (?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:\s+(hundred|…))?,
# written to open with a digit (the lookbehind then checks the character before it), so
# that the regex engine skips ahead to digits instead of trying every position.
_DIGITS = re.compile(
    r"(\d(?<![\w.]\d)(?:\d{0,2}(?:,\d{3})+|\d*))(?:\.\d+)?(?:\s+(hundred|thousand|million))?"
)


# The word patterns below start with a one-character lookahead of the letters their
# alternatives begin with: Python's regex engine then tries the alternatives only where
# a word starts with one of them, which makes a scan of an article 2 to 4 times faster
# and changes no match (tests/test_grounding.py compares each with its plain form).
_FIRST_NUMBER_LETTERS = "".join(sorted({word[0] for word in [*_NUMBER_WORDS, "a"]}))


# Applied to lowercased text (numbers_in lowercases), which is faster than IGNORECASE.
_WORDS = re.compile(
    rf"\b(?=[{_FIRST_NUMBER_LETTERS}])(?:{_FIRST_NUMBER_WORD})"
    rf"(?:[\s-]+(?:and[\s-]+)?(?:{_NUMBER_WORD}))*\b"
)


_WORD_GAP = re.compile(r"[\s-]+")


def _words_value(phrase: str) -> int | None:
    total, current, seen = 0, 0, False
    for token in _WORD_GAP.split(phrase.lower()):
        if token in ("and", ""):
            continue
        if token == "a":
            current = current or 1
            continue
        if token in _UNITS:
            current += _UNITS[token]
        elif token in _TENS:
            current += _TENS[token]
        elif token in _SCALES:
            scale = _SCALES[token]
            if scale == 100:
                current = (current or 1) * 100
            else:
                total += (current or 1) * scale
                current = 0
        seen = True
    return total + current if seen else None


def numbers_in(
    text: str, *, include_small_words: bool = True, languages: tuple[str, ...] = ()
) -> set[int]:
    """Whole numbers written in the text, as digits ('1,000', '3 million') or English
    words; with ``languages`` ("fr", "es", ...), also number words of those languages as
    ``text2num`` reads them ("quinze", "doce", and with ``include_small_words`` "deux",
    "dos": from two up, as "un"/"una" is mostly an article)."""
    found = set(_numbers_in(text, include_small_words))
    threshold = 2.0 if include_small_words else 3.0
    for language in languages:
        found |= _numbers_in(in_digits(text, language, threshold), include_small_words)
    return found


def in_digits(text: str, language: str, threshold: float = 3.0) -> str:
    """The text with its number words in ``language`` written as digits (``text2num``;
    words below ``threshold``, "one" and "two" by default, stay words); the text as it
    is when the parser fails on it."""
    from text_to_num import alpha2digit

    try:
        return str(alpha2digit(text, language, threshold=threshold))
    except Exception:  # a parser of free text; a failure only means no more numbers
        return text


@memoised(4 * MEMO)
def _numbers_in(text: str, include_small_words: bool) -> frozenset[int]:
    found: set[int] = set()
    for match in _DIGITS.finditer(text):
        value = int(match.group(1).replace(",", ""))
        if match.group(2):
            value *= _SCALES[match.group(2).lower()]
        found.add(value)
    for match in _WORDS.finditer(text.lower()):
        phrase = match.group(0)
        word_value = _words_value(phrase)
        if word_value is None or (not include_small_words and word_value <= 1):
            continue
        found.add(word_value)
    return frozenset(found)
