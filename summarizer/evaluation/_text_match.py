"""Comparing names, wordings and summaries with gold after folding (case, accents,
quote marks, punctuation, a leading "al"/"el"). Public through
:mod:`summarizer.evaluation.scoring`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from summarizer.evaluation._scores import Mismatch, SummaryScore
from summarizer.evaluation.gold import GoldSummary
from summarizer.grounding.numbers import numbers_in
from summarizer.schema import Summary
from summarizer.text.folding import fold, strip_quoted

__all__ = [
    "date_text_agrees",
    "fold_name",
    "fold_text",
    "names_agree",
    "score_summary",
    "sources_found",
]

_PUNCTUATION = re.compile(r"[^\w\s]|_")
_ARTICLES = frozenset({"al", "el"})


# --------------------------------------------------------------------------- folding


def fold_text(text: str) -> str:
    """Fold for comparison: case, accents, quote marks, punctuation and hyphens (as
    spaces) and runs of whitespace. ``"Ma'arrat  al-Nu‘mān"`` → ``"maarrat al numan"``."""
    text = unicodedata.normalize("NFKD", fold(text))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(_PUNCTUATION.sub(" ", text).split())


def fold_name(text: str) -> str:
    """:func:`fold_text` without a leading "al"/"el": ``"Al-Habeet"`` → ``"habeet"``."""
    words = fold_text(text).split()
    if len(words) > 1 and words[0] in _ARTICLES:
        words = words[1:]
    return " ".join(words)


def _contains(haystack: str, needle: str) -> bool:
    """Whole-word containment of folded strings (or equality once spaces are ignored:
    "Deir Ezzor" and "Deir ez-Zor")."""
    if not haystack or not needle:
        return False
    if f" {needle} " in f" {haystack} ":
        return True
    return needle.replace(" ", "") == haystack.replace(" ", "")


def names_agree(predicted: str | None, accepted: Iterable[str]) -> bool:
    """Whether a predicted name matches an accepted one: either occurs in the other after
    :func:`fold_name` ("Al-Habeet, southern Idlib" matches "Al-Habeet")."""
    if not predicted:
        return False
    mine = fold_name(predicted)
    for name in accepted:
        theirs = fold_name(name)
        if _contains(mine, theirs) or _contains(theirs, mine):
            return True
    return False


def date_text_agrees(predicted: str, accepted: Iterable[str]) -> bool:
    """Whether one accepted wording occurs in the predicted date text after folding
    ("on Saturday" matches "Saturday"; "Saturday" does not match "Saturday night")."""
    mine = fold_text(predicted)
    return any(_contains(mine, fold_text(wording)) for wording in accepted)


def sources_found(gold_sources: Iterable[str], predicted: Iterable[str | None]) -> list[str]:
    """The gold sources found among predicted attributions (containment either way)."""
    mine = [fold_text(p) for p in predicted if p]
    found = []
    for source in gold_sources:
        theirs = fold_text(source)
        if any(_contains(m, theirs) or _contains(theirs, m) for m in mine):
            found.append(source)
    return found


# --------------------------------------------------------------------------- summary


def _is_acronym(word: str) -> bool:
    return word.isalpha() and word.isupper() and len(word) <= 5


def _mentions(alternative: str, text: str, folded: str) -> bool:
    """Whether the text mentions the alternative. Acronyms ("IS", "SANA") match as
    case-sensitive whole words, so "IS" is not found in "is"; other wordings match after
    :func:`fold_name`, as whole words."""
    if _is_acronym(alternative):
        return re.search(rf"(?<!\w){re.escape(alternative)}(?!\w)", text) is not None
    return _contains(folded, fold_name(alternative))


def _term_pattern(term: str) -> re.Pattern[str]:
    body = r"[\s-]+".join(re.escape(part) for part in re.split(r"[\s-]+", term.strip()))
    return re.compile(rf"\b{body}\b", re.IGNORECASE)


def score_summary(
    article_id: str, summary: Summary, expected: GoldSummary, source_text: str
) -> tuple[SummaryScore, list[Mismatch]]:
    """Score a summary (headline and text) against the gold expectations and the
    cleaned article text it must be grounded in."""
    both = f"{summary.headline}\n{summary.text}"
    folded = fold_text(both)
    missing = [
        list(entry)
        for entry in expected.must_mention
        if not any(_mentions(alternative, both, folded) for alternative in entry)
    ]
    own_voice = f"{strip_quoted(summary.headline)}\n{strip_quoted(summary.text)}"
    forbidden = [t for t in expected.forbidden_unquoted if _term_pattern(t).search(own_voice)]
    source_numbers = numbers_in(source_text, languages=("fr", "es", "pt", "de", "it"))
    sums = {a + b for a in source_numbers for b in source_numbers}
    numbers = numbers_in(both, include_small_words=False)
    unsupported = sorted(n for n in numbers if n not in source_numbers and n not in sums)
    score = SummaryScore(
        mentions_total=len(expected.must_mention),
        mentions_missing=missing,
        forbidden_used=forbidden,
        words=len(summary.text.split()),
        max_words=expected.max_words,
        numbers_total=len(numbers),
        numbers_unsupported=unsupported,
    )
    mismatches = [
        Mismatch(article=article_id, field="summary.must_mention", gold=entry, predicted=None)
        for entry in missing
    ]
    mismatches += [
        Mismatch(
            article=article_id,
            field="summary.forbidden_unquoted",
            gold="only inside quotation marks",
            predicted=term,
        )
        for term in forbidden
    ]
    if not score.within_limit:
        mismatches.append(
            Mismatch(
                article=article_id,
                field="summary.max_words",
                gold=expected.max_words,
                predicted=score.words,
            )
        )
    mismatches += [
        Mismatch(
            article=article_id,
            field="summary.numbers",
            gold="a number the article gives",
            predicted=number,
        )
        for number in unsupported
    ]
    return score, mismatches
