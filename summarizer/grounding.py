"""Grounding and neutrality checks of an extraction against its source text.

Each check returns human-readable problems phrased as instructions, because they are
sent back to the model as the re-ask message. :func:`check_extraction` runs them all;
the pydantic validator of :class:`summarizer.schema.Extraction` calls it when a
validation context carries ``source_text``.

What is checked:

* every evidence quote occurs in the cleaned text (after folding case, whitespace,
  quote marks and dashes; an ellipsis may join fragments);
* every fatality figure occurs in a sentence about deaths, or is the sum of an
  event's breakdown; 0 needs the text to say nobody died;
* breakdowns do not exceed totals; subtotals are not turned into events of their own;
  no two events share date, location and type;
* every number in the summary occurs in the text, as digits or words, or is the sum
  of two such numbers; casualty figures in the summary are attributed;
* the summary, notes and actor names use no term of the loaded-language lexicon
  (``data/loaded_terms.yaml``) outside quotation marks.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

import yaml

from summarizer._ignorecase import folded as _folded
from summarizer.schema import Summary

if TYPE_CHECKING:
    from summarizer.schema import EventDraft, Extraction

__all__ = [
    "LoadedTerm",
    "Problem",
    "check_events",
    "check_extraction",
    "check_summary",
    "copied_passage",
    "fold",
    "loaded_terms",
    "loaded_terms_in",
    "nearest_sentence",
    "neutralize",
    "numbers_in",
    "quote_in_text",
    "repair_extraction",
    "strip_quoted",
    "without_instructions",
]

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
_DEATH = re.compile(
    r"\b(?=[bcdefklmpst])(kill\w*|dead|death\w*|died|die|dying|lives|life|bodies|corpses|"
    r"toll|fatalit\w*|slain|executed|massacre\w*|perished|casualt\w*)\b",
    re.IGNORECASE,
)
_NOBODY_DIED = re.compile(
    r"\b(?=[nw])(?:(no one|nobody|no-one)\s+(was|were)\s+(killed|hurt|injured)|no\s+"
    r"(casualties|deaths|fatalities|one died)\b|without\s+(casualties|loss of life)\b)",
    re.IGNORECASE,
)
_ATTRIBUTION = re.compile(
    r"\b(?=[acenprst])(according to|said|says|say|reported|reports|report|told|claimed|"
    r"claims|cited|citing|per|stated|announced|estimate[sd]?|tally)\b",
    re.IGNORECASE,
)
# A sentence ends at . ! or ? (kept, with a closing quote mark dropped) before white
# space, or at a line break: [.!?]["”’']?\s+|\n+ written to open with one character
# set (the look-behinds then tell the two cases apart), which lets the regex engine skip
# ahead to candidate characters; the plain alternation tried both cases at every
# position (3 times slower; tests/test_grounding.py compares the two).
_SENTENCE_END = re.compile(r"[.!?\n](?:(?<=[.!?])[\"”’']?\s+|(?<=\n)\n*)")
_QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”|‘[^’]*’|«[^»]*»|(?<![\w])'[^'\n]*'(?![\w])")
# fold's one pass over characters: dashes become '-', quote marks go.
_FOLD_CHARS = str.maketrans({**dict.fromkeys("‐‑‒–—―", "-"), **dict.fromkeys("\"'“”‘’«»`´")})
# A paragraph that addresses the summarizer (a prompt injection) is data the model saw, but
# never grounds a claim: no toll, number or evidence quote may come from it.
_INSTRUCTION = re.compile(
    r"\b(?=[acdfilosy])(?:(ignore|disregard|forget|override)\b[^.\n]{0,40}\b"
    r"(instructions?|rules|prompt)\b|(summari[sz]er|language model|ai (assistant|model)|"
    r"chatbot|llm)\b|system (notice|prompt|message|instruction)\b|"
    r"your (summary|record|output)\b)",
    re.IGNORECASE,
)


# Each match of _INSTRUCTION contains one of these in _ignorecase.folded text: a cheap test
# that skips the scan for almost every article (tests/test_grounding.py checks it).
_INSTRUCTION_WORDS = (
    "ignore", "disregard", "forget", "override", "summariser", "summarizer",
    "language model", "ai assistant", "ai model", "chatbot", "llm", "system notice",
    "system prompt", "system message", "system instruction", "your summary",
    "your record", "your output",
)  # fmt: skip


def without_instructions(text: str) -> tuple[str, list[str]]:
    """The text without paragraphs addressed to the summarizer, and those paragraphs."""
    kept, dropped = _without_instructions(text)
    return kept, list(dropped)


# The grounding checks run many times over the same source text (every attempt, every
# event, every summary sentence), and a re-ask at temperature 0 often gets the same answer
# back: the pure functions of a text, the article's and the answer's, are memoised.
_MEMO = 512


@functools.lru_cache(maxsize=_MEMO)
def _without_instructions(text: str) -> tuple[str, tuple[str, ...]]:
    folded = _folded(text)
    if not any(word in folded for word in _INSTRUCTION_WORDS) or not _INSTRUCTION.search(text):
        return "\n".join(text.splitlines()), ()  # the usual case: no line can match
    kept: list[str] = []
    dropped: list[str] = []
    for line in text.splitlines():
        (dropped if _INSTRUCTION.search(line) else kept).append(line)
    return "\n".join(kept), tuple(dropped)


@functools.lru_cache(maxsize=4 * _MEMO)
def fold(text: str) -> str:
    """Fold for comparison: NFKC, no quote marks, dashes as '-', collapsed space, casefold."""
    text = unicodedata.normalize("NFKC", text).replace("--", "-").translate(_FOLD_CHARS)
    return " ".join(text.split()).casefold()


_ELLIPSIS = re.compile(r"\.\.\.|…|\[\.\.\.\]")
_WORD_GAP = re.compile(r"[\s-]+")
_WORD = re.compile(r"[\w']+")


@functools.lru_cache(maxsize=4 * _MEMO)
def quote_in_text(quote: str, text: str) -> bool:
    """Whether a quote occurs in the text; '...' or '…' may join fragments that each occur."""
    folded_text = fold(text)
    parts = _ELLIPSIS.split(quote) if "..." in quote or "…" in quote else [quote]
    fragments = [fold(part).strip(" .,;:") for part in parts]
    fragments = [part for part in fragments if part]
    return bool(fragments) and all(part in folded_text for part in fragments)


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


def numbers_in(text: str, *, include_small_words: bool = True) -> set[int]:
    """Whole numbers written in the text, as digits ('1,000', '3 million') or words."""
    return set(_numbers_in(text, include_small_words))


@functools.lru_cache(maxsize=4 * _MEMO)
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


def _sentences(text: str) -> list[str]:
    return list(_sentences_of(text))


@functools.lru_cache(maxsize=_MEMO)
def _sentences_of(text: str) -> tuple[str, ...]:
    sentences: list[str] = []
    start = 0
    for end in _SENTENCE_END.finditer(text):
        cut = end.start() + 1 if text[end.start()] in ".!?" else end.start()
        sentences.append(text[start:cut])
        start = end.end()
    sentences.append(text[start:])
    return tuple(s for s in sentences if s.strip())


@functools.lru_cache(maxsize=_MEMO)
def _about_deaths(text: str) -> tuple[bool, ...]:
    """For each sentence of the text: whether it is about deaths."""
    return tuple(_DEATH.search(sentence) is not None for sentence in _sentences_of(text))


@functools.lru_cache(maxsize=_MEMO)
def _fatality_numbers(text: str) -> frozenset[int]:
    """Numbers in sentences about deaths and in the sentence right after each of them
    ('70 were killed, 32 of them soldiers. The remaining 38 were rebels.')."""
    numbers: set[int] = set()
    previous_about_deaths = False
    for sentence, about_deaths in zip(_sentences_of(text), _about_deaths(text), strict=True):
        if about_deaths or previous_about_deaths:
            numbers |= _numbers_in(sentence, True)
        previous_about_deaths = about_deaths
    return frozenset(numbers)


@dataclass(frozen=True)
class LoadedTerm:
    """A loaded term of the lexicon and a neutral alternative."""

    term: str
    instead: str
    pattern: re.Pattern[str]
    replace: str | None = None
    first: str = ""  # the term's first word, lowercase ASCII ('' when it is not)

    def may_occur(self, folded: str) -> bool:
        """A quick necessary condition for :attr:`pattern` to match a text, given
        :func:`summarizer._ignorecase.folded` of it: the first word occurs in it as a substring."""
        return self.first in folded


@functools.cache
def loaded_terms() -> tuple[LoadedTerm, ...]:
    """The loaded-language lexicon shipped in ``summarizer/data/loaded_terms.yaml``."""
    raw = resources.files("summarizer").joinpath("data/loaded_terms.yaml").read_text("utf-8")
    entries = yaml.safe_load(raw)["terms"]
    terms = []
    for entry in entries:
        term = str(entry["term"])
        body = r"[\s-]+".join(re.escape(part) for part in re.split(r"[\s-]+", term))
        pattern = re.compile(rf"\b{body}\b", re.IGNORECASE)
        replace = entry.get("replace")
        first = re.split(r"[\s-]+", term)[0].lower()
        terms.append(
            LoadedTerm(
                term,
                str(entry["instead"]),
                pattern,
                None if replace is None else str(replace),
                first if first.isascii() else "",
            )
        )
    return tuple(terms)


def strip_quoted(text: str) -> str:
    """The text with quoted passages blanked out (they are attributed speech, not our voice)."""
    return _QUOTED.sub(" ", text)


def loaded_terms_in(text: str) -> list[LoadedTerm]:
    """Lexicon terms used in the text outside quotation marks."""
    return list(_loaded_terms_in(text))


@functools.lru_cache(maxsize=4 * _MEMO)
def _loaded_terms_in(text: str) -> tuple[LoadedTerm, ...]:
    if not _any_loaded_term().search(text):  # none anywhere: none outside quotes
        return ()
    own_voice = strip_quoted(text)
    if not _any_loaded_term().search(own_voice):
        return ()
    folded = _folded(own_voice)
    return tuple(
        term for term in loaded_terms() if term.may_occur(folded) and term.pattern.search(own_voice)
    )


@functools.cache
def _any_loaded_term() -> re.Pattern[str]:
    """One scan for any lexicon term: most texts have none. Behind a lookahead of the
    terms' first letters, as the word patterns above."""
    terms = loaded_terms()
    anyone = "|".join(f"(?:{t.pattern.pattern})" for t in terms)
    firsts = {t.term[0].lower() for t in terms}
    if all(first.isalpha() and first.isascii() for first in firsts):
        anyone = f"(?=[{''.join(sorted(firsts))}])(?:{anyone})"
    return re.compile(anyone, re.I)


def _loaded_problem(where: str, text: str) -> list[str]:
    return [
        f"{where} uses the loaded term '{t.term}' in its own voice; use a neutral word "
        f"({t.instead}) or put the source's words in quotation marks with attribution"
        for t in loaded_terms_in(text)
    ]


def neutralize(text: str) -> tuple[str, list[str]]:
    """Replace lexicon terms that have a neutral ``replace`` wording, outside quotation
    marks; return the new text and the terms replaced."""
    new, replaced = _neutralize(text)
    return new, list(replaced)


@functools.lru_cache(maxsize=4 * _MEMO)
def _neutralize(text: str) -> tuple[str, tuple[str, ...]]:
    if not _any_loaded_term().search(text):  # no term anywhere: none outside quotes
        return text, ()
    replaced: list[str] = []
    pieces: list[str] = []
    last = 0
    for match in [*_QUOTED.finditer(text), None]:
        end = match.start() if match else len(text)
        segment = text[last:end]
        if _any_loaded_term().search(segment):
            segment = _neutral_segment(segment, replaced)
        pieces.append(segment)
        if match:
            pieces.append(match.group(0))
            last = match.end()
    new = "".join(pieces)
    if replaced:
        new = _BLANKS.sub(" ", new)
        new = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", new).strip()
        new = _SENTENCE_START.sub(lambda m: m.group(1) + m.group(2).upper(), new)
    return new, tuple(replaced)


_BLANKS = re.compile(r"[ \t]{2,}")
_SPACE_BEFORE_PUNCTUATION = re.compile(r" +([,.;:])")
_SENTENCE_START = re.compile(r"(^|[.!?]\s+)([a-z])")


def _neutral_segment(segment: str, replaced: list[str]) -> str:
    """``segment`` (text outside quotation marks) with each term that has a ``replace``
    wording replaced, in lexicon order; the terms replaced are added to ``replaced``."""
    folded = _folded(segment)
    for term in loaded_terms():
        if term.replace is None or not term.may_occur(folded):
            continue
        if term.pattern.search(segment):
            replaced.append(term.term)
            segment = term.pattern.sub(_replacer(term.replace), segment)
            folded = _folded(segment)
    return segment


def _replacer(replacement: str) -> Callable[[re.Match[str]], str]:
    return lambda match: _same_case(match.group(0), replacement)


def _same_case(original: str, replacement: str | None) -> str:
    if not replacement:
        return ""
    return replacement[0].upper() + replacement[1:] if original[:1].isupper() else replacement


def _tokens(text: str) -> list[str]:
    return _WORD.findall(fold(text))


@functools.lru_cache(maxsize=_MEMO)
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


def repair_extraction(extraction: Extraction, source_text: str, repairs: list[str]) -> None:
    """Mechanical repairs that need no guessing, in place, each noted in ``repairs``:

    * an evidence quote not in the article but closely matching one of its sentences is
      replaced by that sentence (so evidence stays verbatim);
    * lexicon terms with a neutral ``replace`` wording are replaced in the summary,
      headline and actor names (outside quotation marks);
    * an unattributed casualty sentence in the summary gets 'according to X' when every
      figure of the record was reported by the same single source X.
    """
    for event in extraction.events:
        fixed: list[str] = []
        for proposed in event.evidence:
            quotes = [proposed]
            if not quote_in_text(proposed, source_text):
                parts = [s.strip() for s in _sentences(proposed)]
                if len(parts) > 1 and all(quote_in_text(part, source_text) for part in parts):
                    repairs.append(f"evidence {proposed[:60]!r}… split into article sentences")
                    quotes = parts
                elif (nearest := nearest_sentence(proposed, source_text)) is not None:
                    repairs.append(f"evidence {proposed!r} replaced by the article's sentence")
                    quotes = [nearest]
            fixed += [quote for quote in quotes if quote not in fixed]
        event.evidence = fixed[:3]
        for actor in (event.actor1, event.actor2):
            if actor is not None:
                actor.name, replaced = neutralize(actor.name)
                repairs += [f"actor name: '{t}' replaced" for t in replaced]
    summary = extraction.summary
    summary.headline, replaced = neutralize(summary.headline)
    repairs += [f"headline: '{t}' replaced" for t in replaced]
    summary.text, replaced = neutralize(summary.text)
    repairs += [f"summary: '{t}' replaced" for t in replaced]
    reporters = {
        e.fatalities.reported_by or (e.sources[0] if e.sources else "")
        for e in extraction.events
        if e.fatalities.total is not None
    }
    if len(reporters) == 1 and (reporter := reporters.pop()):
        sentences = _sentences(summary.text)
        for i, sentence in enumerate(sentences):
            if _unattributed_casualty(sentence):
                body = sentence.rstrip().rstrip(".")
                sentences[i] = (
                    f"{body}, according to the {reporter}."
                    if not reporter.lower().startswith("the ")
                    else f"{body}, according to {reporter}."
                )
                repairs.append(f"summary: attributed a casualty figure to {reporter}")
        summary.text = " ".join(s.strip() for s in sentences)


@functools.lru_cache(maxsize=4 * _MEMO)
def _unattributed_casualty(sentence: str) -> bool:
    return bool(
        _DEATH.search(sentence)
        and numbers_in(sentence, include_small_words=False)
        and not _ATTRIBUTION.search(sentence)
    )


_WEEKDAY = re.compile(
    r"\b(?=[fmstw])(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", re.I
)


def _days_of_figure(value: int, source_text: str) -> set[str]:
    """Weekdays named in the death sentences that state ``value``."""
    days: set[str] = set()
    for numbers, named in _death_sentence_days(source_text):
        if value in numbers:
            days |= named
    return days


@functools.lru_cache(maxsize=_MEMO)
def _death_sentence_days(source_text: str) -> tuple[tuple[frozenset[int], frozenset[str]], ...]:
    """For each sentence about deaths: the numbers it gives and the weekdays it names."""
    return tuple(
        (_numbers_in(sentence, True), frozenset(d.lower() for d in _WEEKDAY.findall(sentence)))
        for sentence, about_deaths in zip(
            _sentences_of(source_text), _about_deaths(source_text), strict=True
        )
        if about_deaths
    )


# Each match of _NOBODY_DIED contains one of these in _ignorecase.folded text (tested).
_NOBODY_WORDS = (
    "no one", "nobody", "no-one", "casualties", "deaths", "fatalities", "one died",
    "loss of life",
)  # fmt: skip


@functools.lru_cache(maxsize=_MEMO)
def _says_nobody_died(source_text: str) -> bool:
    folded = _folded(source_text)
    if not any(word in folded for word in _NOBODY_WORDS):
        return False
    return bool(_NOBODY_DIED.search(source_text))


def _event_key(event: EventDraft) -> tuple[str, str, str]:
    return (fold(event.date_text), fold(event.location.name), event.event_type.value)


_COPY_WORDS = 10


@functools.lru_cache(maxsize=_MEMO)
def _folded_words(source_text: str) -> str:
    """The folded text's words joined by single spaces, with a space at each end."""
    return f" {' '.join(fold(source_text).split())} "


@functools.lru_cache(maxsize=_MEMO)
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


@dataclass
class Problem:
    """A grounding problem: the re-ask message, and how to remove the unsupported claim
    on the final attempt (``drop``: what it does, as a warning), if it can be removed."""

    message: str
    drop: Callable[[], str] | None = None


def _null_fatalities(event: EventDraft, why: str) -> Callable[[], str]:
    def drop() -> str:
        event.fatalities.total = None
        event.fatalities.breakdown = []
        event.fatalities.civilians = None
        return f"fatalities of {event.date_text} / {event.location.name} set to not reported: {why}"

    return drop


def _drop_event(removed: set[int], event: EventDraft, why: str) -> Callable[[], str]:
    def drop() -> str:
        removed.add(id(event))
        return f"event {event.date_text} / {event.location.name} removed: {why}"

    return drop


def _event_problems(
    events: list[EventDraft], source_text: str, warnings: list[str], removed: set[int]
) -> list[Problem]:
    problems: list[Problem] = []
    fatal = _fatality_numbers(source_text)
    nobody_died = _says_nobody_died(source_text)
    seen: dict[tuple[str, str, str], int] = {}
    for index, event in enumerate(events, start=1):
        label = f"events[{index}] ({event.date_text}, {event.location.name})"
        grounded = [quote for quote in event.evidence if quote_in_text(quote, source_text)]
        if not grounded:
            problems.append(
                Problem(
                    f"{label}: none of the evidence quotes is in the article "
                    f"({event.evidence[0]!r} is not); copy a sentence of the article word "
                    "for word",
                    _drop_event(removed, event, "no evidence in the article"),
                )
            )
        elif len(grounded) < len(event.evidence):
            warnings.extend(
                f"{label}: dropped evidence not found in the article: {quote!r}"
                for quote in event.evidence
                if quote not in grounded
            )
            event.evidence = grounded
        fat = event.fatalities
        counts = [part.count for part in fat.breakdown]
        breakdown_sum = sum(counts)
        figures = [("total", fat.total), ("civilians", fat.civilians)]
        figures += [(f"breakdown '{part.side}'", part.count) for part in fat.breakdown]
        for name, value in figures:
            if value is None or value in fatal:
                continue
            if name == "total" and counts and value == breakdown_sum:
                continue
            if value == 0:
                if not nobody_died:
                    problems.append(
                        Problem(
                            f"{label}: fatalities {name} is 0 but the article does not say "
                            "nobody died; use null when no figure is given",
                            _null_fatalities(event, "0 without the article saying so"),
                        )
                    )
                continue
            problems.append(
                Problem(
                    f"{label}: fatalities {name} = {value} is not a death toll written in the "
                    "article; use the figure the article gives for this event, or null",
                    _null_fatalities(event, f"{value} is not a toll the article gives"),
                )
            )
        if fat.total is not None and breakdown_sum > fat.total:
            problems.append(
                Problem(
                    f"{label}: the breakdown adds up to {breakdown_sum}, more than the total "
                    f"{fat.total}; the total must include every side",
                    _null_fatalities(event, "breakdown larger than total"),
                )
            )
        event_days = {d.lower() for d in _WEEKDAY.findall(event.date_text)}
        if fat.total and event_days:
            figure_days = _days_of_figure(fat.total, source_text)
            if figure_days and not figure_days & event_days:
                day = " and ".join(sorted(figure_days)).title()
                problems.append(
                    Problem(
                        f"{label}: the article gives {fat.total} killed for {day}, not for "
                        f"{event.date_text}; put that toll on an event of that day, and give "
                        "this event its own toll or null",
                        _null_fatalities(event, f"the article gives {fat.total} for {day}"),
                    )
                )
        if fat.total is None and counts:
            problems.append(
                Problem(
                    f"{label}: a breakdown is given but total is null; set total to the "
                    "event's overall toll",
                    _null_fatalities(event, "breakdown without a total"),
                )
            )
        key = _event_key(event)
        if key in seen:
            problems.append(
                Problem(
                    f"{label}: same date, location and event type as events[{seen[key]}]; "
                    "merge them into one event (per-side deaths go in fatalities.breakdown)",
                    _drop_event(removed, event, f"duplicate of events[{seen[key]}]"),
                )
            )
        else:
            seen[key] = index
        for actor in (event.actor1, event.actor2):
            if actor is not None:
                problems += [
                    Problem(m)
                    for m in _loaded_problem(f"{label}: actor {actor.name!r}", actor.name)
                ]
    problems += _subtotal_events(events, removed)
    return problems


def _subtotal_events(events: list[EventDraft], removed: set[int]) -> list[Problem]:
    problems = []
    for i, event in enumerate(events, start=1):
        total = event.fatalities.total
        if not total:
            continue
        for j, other in enumerate(events, start=1):
            if i == j or fold(other.date_text) != fold(event.date_text):
                continue
            if total in {part.count for part in other.fatalities.breakdown}:
                problems.append(
                    Problem(
                        f"events[{i}] has total {total}, a subtotal of events[{j}]; a per-side "
                        f"count is not an event of its own: remove events[{i}]",
                        _drop_event(removed, event, f"a subtotal of events[{j}]"),
                    )
                )
    return problems


def check_events(
    events: list[EventDraft], source_text: str, warnings: list[str] | None = None
) -> list[str]:
    """Grounding problems of the events, phrased as instructions to the model.

    Evidence quotes that are not in the article are removed (noted in ``warnings``);
    an event left with none is a problem.
    """
    problems = _event_problems(events, source_text, [] if warnings is None else warnings, set())
    return [p.message for p in problems]


def _summary_problems(summary: Summary, source_text: str, warnings: list[str]) -> list[Problem]:
    problems: list[Problem] = []
    if copied := copied_passage(summary.text, source_text):
        warnings.append(f"the summary repeats the article word for word: '{copied} …'")
    problems += [Problem(m) for m in _loaded_problem("the headline", summary.headline)]
    source_numbers = _numbers_in(source_text, True)
    sums = _sums_of_two(source_numbers)
    for value in sorted(numbers_in(summary.headline, include_small_words=False)):
        if value not in source_numbers and value not in sums:
            problems.append(
                Problem(f"the headline gives the number {value}, which the article does not")
            )
    for sentence in _sentences(summary.text):
        messages = _loaded_problem(f"the summary sentence {sentence.strip()!r}", sentence)
        for value in sorted(numbers_in(sentence, include_small_words=False)):
            if value not in source_numbers and value not in sums:
                messages.append(
                    f"the summary gives the number {value}, which the article does not; use "
                    "only figures the article states"
                )
        if _unattributed_casualty(sentence):
            messages.append(
                f"the summary sentence {sentence.strip()!r} gives a casualty figure without "
                "saying who reported it; add 'according to <source>'"
            )
        problems += [Problem(m, _drop_sentence(summary, sentence, m)) for m in messages]
    return problems


@functools.lru_cache(maxsize=_MEMO)
def _sums_of_two(numbers: frozenset[int]) -> frozenset[int]:
    return frozenset(a + b for a in numbers for b in numbers)


def _drop_sentence(summary: Summary, sentence: str, why: str) -> Callable[[], str]:
    def drop() -> str:
        kept = [s for s in _sentences(summary.text) if s.strip() != sentence.strip()]
        summary.text = " ".join(s.strip() for s in kept)
        return f"summary sentence removed ({why.split(';', maxsplit=1)[0]})"

    return drop


def check_summary(
    headline: str, text: str, source_text: str, warnings: list[str] | None = None
) -> list[str]:
    """Neutrality and grounding problems of the summary (copying is only a warning)."""
    summary = Summary.model_construct(headline=headline, text=text)
    problems = _summary_problems(summary, source_text, [] if warnings is None else warnings)
    return [p.message for p in problems]


def check_extraction(
    extraction: Extraction,
    source_text: str,
    warnings: list[str] | None = None,
    *,
    final: bool = False,
) -> list[str]:
    """Repair, then list every grounding and neutrality problem; empty when sound.

    Repairs (see :func:`repair_extraction`) and other observations go to ``warnings``.
    With ``final`` (the last attempt), claims that cannot be supported are removed
    instead of reported: a toll set to not reported, an event or a summary sentence
    dropped, each noted in ``warnings``; what cannot be removed is still a problem, and
    a summary left with fewer than two sentences is one too.
    """
    warnings = [] if warnings is None else warnings
    source_text, injected = without_instructions(source_text)
    if injected:
        warnings.append(
            f"{len(injected)} paragraph(s) addressed to the summarizer were not used as "
            f"grounding: {injected[0][:80]!r}"
        )
    repair_extraction(extraction, source_text, warnings)
    removed: set[int] = set()
    problems = _event_problems(list(extraction.events), source_text, warnings, removed)
    problems += _summary_problems(extraction.summary, source_text, warnings)
    if not final or not problems:
        return [p.message for p in problems]
    remaining = [p.message for p in problems if p.drop is None]
    done: set[str] = set()
    for problem in problems:
        if problem.drop is not None:
            note = problem.drop()
            if note not in done:
                warnings.append(note)
                done.add(note)
    extraction.events = [e for e in extraction.events if id(e) not in removed]
    if len(_sentences(extraction.summary.text)) < 2:
        remaining.append(
            "the summary has fewer than two sentences left once unsupported ones are removed"
        )
    if remaining:
        return remaining
    return check_extraction(extraction, source_text, [], final=False)


def _clear_memo() -> None:
    """Forget the memoised text functions (benchmarks time each article cold)."""
    for memoised in (
        _without_instructions,
        fold,
        _numbers_in,
        _sentences_of,
        _fatality_numbers,
        _folded_words,
        _death_sentence_days,
        _sums_of_two,
        _says_nobody_died,
        _about_deaths,
        quote_in_text,
        _loaded_terms_in,
        _neutralize,
        nearest_sentence,
        _unattributed_casualty,
        copied_passage,
    ):
        memoised.cache_clear()
