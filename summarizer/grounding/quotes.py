"""Quotes against their source: whether a quote occurs in the text, the sentence it most
likely came from, and a passage copied word for word."""

from __future__ import annotations

import re

from summarizer.text._memo import MEMO, memoised
from summarizer.text.folding import fold, strip_quoted
from summarizer.text.sentences import _sentences

__all__ = ["copied_passage", "nearest_sentence", "quote_in_text"]


_ELLIPSIS = re.compile(r"\.\.\.|…|\[\.\.\.\]")


_WORD = re.compile(r"[\w']+")


@memoised(4 * MEMO)
def quote_in_text(quote: str, text: str) -> bool:
    """Whether a quote occurs in the text; '...' or '…' may join fragments that each occur."""
    folded_text = fold(text)
    parts = _ELLIPSIS.split(quote) if "..." in quote or "…" in quote else [quote]
    fragments = [fold(part).strip(" .,;:") for part in parts]
    fragments = [part for part in fragments if part]
    return bool(fragments) and all(part in folded_text for part in fragments)


def _tokens(text: str) -> list[str]:
    return _WORD.findall(fold(text))


@memoised(MEMO)
def nearest_sentence(quote: str, source_text: str, threshold: float = 0.75) -> str | None:
    """The article sentence that contains most of the quote's words (at least
    ``threshold`` of them, in a sentence no more than twice as long), else None."""
    words = _tokens(quote)
    if len(words) < 4:
        return None
    best, best_score = None, 0.0
    for sentence in _sentences(source_text):
        sentence_words = _tokens(sentence)
        if not sentence_words or len(sentence_words) > 2 * len(words) + 10:
            continue
        pool = set(sentence_words)
        score = sum(word in pool for word in words) / len(words)
        if score > best_score:
            best, best_score = sentence.strip(), score
    return best if best_score >= threshold else None


_COPY_WORDS = 10


@memoised(MEMO)
def _folded_words(source_text: str) -> str:
    """The folded text's words joined by single spaces, with a space at each end."""
    return f" {' '.join(fold(source_text).split())} "


@memoised(MEMO)
def copied_passage(text: str, source_text: str, words: int = _COPY_WORDS) -> str | None:
    """The first run of ``words`` words of ``text`` (outside quotes) found verbatim in the
    source, or None. A summary should paraphrase, not copy."""
    source = _folded_words(source_text)
    own = fold(strip_quoted(text)).split()
    for i in range(len(own) - words + 1):
        candidate = " ".join(own[i : i + words])
        if f" {candidate} " in source:  # whole words: both sides are space-delimited
            return candidate
    return None
