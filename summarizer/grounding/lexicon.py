"""The loaded-language lexicon (``data/loaded_terms.yaml``): terms used outside
quotation marks, and their neutral replacements."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

import yaml

from summarizer.text._memo import MEMO, memoised
from summarizer.text.folding import _QUOTED, strip_quoted
from summarizer.text.folding import folded as _folded

__all__ = ["LoadedTerm", "loaded_terms", "loaded_terms_in", "neutralize"]


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
        :func:`summarizer.text.folding.folded` of it: the first word occurs in it as a substring."""
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


def loaded_terms_in(text: str) -> list[LoadedTerm]:
    """Lexicon terms used in the text outside quotation marks."""
    return list(_loaded_terms_in(text))


@memoised(4 * MEMO)
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


@memoised(4 * MEMO)
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
