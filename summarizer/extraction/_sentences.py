"""Number an article's sentences, so the model can answer with sentence ids.

The model is asked *which* sentences report an event, never to copy them: evidence is
rendered by the program from the ids, verbatim. Sentences are split on paragraph
breaks and on sentence-final punctuation followed by an upper-case start, except after
common abbreviations ("Gen.", "Mr.", "U.S.") and initials.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import dropwhile

__all__ = [
    "Sentence",
    "headline",
    "is_stamp",
    "joined",
    "number_sentences",
    "render_numbered",
    "undated",
]

_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "gen",
        "lt",
        "col",
        "maj",
        "capt",
        "sgt",
        "st",
        "no",
        "vs",
        "jr",
        "sr",
        "prof",
        "gov",
        "sen",
        "rep",
        "rev",
        "mt",
        "ft",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "inc",
        "corp",
        "co",
        "ltd",
        "etc",
        "approx",
        "est",
        "m",
        "mme",
        "mlle",
        "sr",
        "sra",
        "dra",
        "av",
    ]
)
# A candidate end: . ! ? (optionally closed by a quote or bracket), then space, then
# something that can open a sentence.
_END = re.compile(r"[.!?…][\"”’'»)\]]*\s+(?=[\"“‘'«(\[¿¡]?[A-ZÀ-ÖØ-Þ0-9])")
_LAST_WORD = re.compile(r"([\w.'’-]+)[.!?…]?[\"”’'»)\]]*$")
_MAX_CHARS = 600


@dataclass(frozen=True)
class Sentence:
    """One numbered sentence of the cleaned article: ``text[start:end]``."""

    id: int
    text: str
    start: int
    end: int
    paragraph: int


def _is_abbreviation(chunk: str) -> bool:
    match = _LAST_WORD.search(chunk.rstrip())
    if not match:
        return False
    word = match.group(1).rstrip(".").lower()
    if word in _ABBREVIATIONS:
        return True
    # initials and dotted acronyms: "J.", "U.S", "U.N"
    return len(word) == 1 or bool(re.fullmatch(r"(?:\w\.)+\w", word))


def _split_paragraph(paragraph: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _END.finditer(paragraph):
        end = match.end()
        piece = paragraph[start:end].rstrip()
        if _is_abbreviation(piece):
            continue
        spans.append((start, start + len(piece)))
        start = end
    if paragraph[start:].strip():
        spans.append((start, len(paragraph.rstrip())))
    if not paragraph.rstrip().endswith(_SENTENCE_END):
        spans = [part for span in spans for part in _headline_clauses(paragraph, span)]
    return spans


_SENTENCE_END = (".", "!", "?", "…", '"', "”", "»")


def headline(sentences: list[Sentence]) -> list[Sentence]:
    """The article's first line: every clause of a headline ("X captures Gwa; air strike
    kills 14 on Ramree"), or the first sentence when the text opens on prose."""
    # a page's stamp above its headline ("09 settembre 2025 18:32") is not the headline
    sentences = list(dropwhile(lambda s: is_stamp(s.text), sentences))
    if not sentences:
        return []
    if sentences[0].text.endswith(_SENTENCE_END):
        return sentences[:1]
    return [s for s in sentences if s.paragraph == sentences[0].paragraph]


def _headline_clauses(paragraph: str, span: tuple[int, int]) -> list[tuple[int, int]]:
    """A headline's clauses: "X captures Gwa; air strike kills 14 on Ramree" tells two
    events, each with its own place and toll."""
    parts: list[tuple[int, int]] = []
    start = span[0]
    while (cut := paragraph.find("; ", start, span[1])) != -1:
        parts.append((start, cut))
        start = cut + 2
    return [*parts, (start, span[1])]


def number_sentences(text: str) -> list[Sentence]:
    """The article's sentences, numbered from 1, with their offsets in ``text``.

    A run-on "sentence" longer than 600 characters is cut at its last ';' or ',' before
    that length, so no single id covers a whole page of text.
    """
    sentences: list[Sentence] = []
    offset = 0
    for index, paragraph in enumerate(text.split("\n")):
        for first, end in _split_paragraph(paragraph):
            start = first
            while end - start > _MAX_CHARS:
                window = paragraph[start : start + _MAX_CHARS]
                cut = max(window.rfind("; "), window.rfind(", "))
                cut = start + (cut + 1 if cut > 100 else _MAX_CHARS)
                sentences.append(
                    _sentence(len(sentences) + 1, paragraph, start, cut, offset, index)
                )
                start = cut
                while start < end and paragraph[start] == " ":
                    start += 1
            if paragraph[start:end].strip():
                sentences.append(
                    _sentence(len(sentences) + 1, paragraph, start, end, offset, index)
                )
        offset += len(paragraph) + 1
    return sentences


def _sentence(
    number: int, paragraph: str, start: int, end: int, offset: int, index: int
) -> Sentence:
    return Sentence(number, paragraph[start:end].strip(), offset + start, offset + end, index)


def render_numbered(sentences: list[Sentence]) -> str:
    """``[1] First sentence.`` one per line, a blank line between paragraphs."""
    lines: list[str] = []
    paragraph = None
    for sentence in sentences:
        if paragraph is not None and sentence.paragraph != paragraph:
            lines.append("")
        lines.append(f"[{sentence.id}] {sentence.text}")
        paragraph = sentence.paragraph
    return "\n".join(lines)


# "Feb 11", "10 August": a day of a month in English
_EN_DAY = (
    r"(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}|"
    r"\d{1,2} (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?)"
)
# "MAIDUGURI, Nigeria, Feb 11 (Reuters) -", "Ramgarh (Jharkhand), Aug 10 (PTI)",
# "SRINAGAR, Nov 3:": the day the copy was filed, not the day of its events
_DATELINE = re.compile(
    r"^\s*[A-ZÀ-Ý][\w'’./\- ]{1,40}(?:\([^)]{1,40}\))?(?:,\s*[A-ZÀ-Ý][\w'’.\- ]{1,30})*,\s*"
    rf"(?:{_EN_DAY}|"
    # "PORT-AU-PRINCE, 9 avril (AFP) -", "Chilpancingo, 14 de mayo (EFE).-",
    # "Pemba, Moçambique, 14 jul 2025 (Lusa) -"
    r"\d{1,2}(?:er)? (?:janv|f[ée]vr|mars|avr|mai|juin|juil|ao[ûu]t|sept|oct|nov|d[ée]c)"
    r"[a-zé]*\.?|\d{1,2} (?:de )?(?:ene|jan|feb|fev|mar|abr|may|mai|jun|jul|ago|sep|set|oct|out|"
    r"nov|dic|dez)[a-zç]*\.?)"
    r"(?:,? \d{4})?(?:\s*\([^)]{1,40}\)\s*\.?[-—–:]?|\s*[-—–:])\s*",
    re.IGNORECASE,
)


# "Updated 2:14 PM EDT, March 20, 2025", "Publicado: 14/05/2025": when the page was
# written; a full date alone on its line, after a dateline ("PORT-AU-PRINCE, Haiti —
# April 1, 2025") or a masthead ("FRONTIER WEEKLY | Saturday, June 21, 2025")
_STAMP = re.compile(
    r"^\s*(?:(?:Last )?[Uu]pdated|Published|Posted|Mis à jour|Publié|Actualizado|Publicado)\b.*$|"
    r"^\s*(?:[A-ZÀ-Ý][\w'’.\- ]{1,40}(?:,\s*[A-ZÀ-Ý][\w'’.\- ]{1,30})*\s*[—–-]\s*|"
    r"[^.!?|]{0,50}\|\s*)?(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"
    rf"{_EN_DAY},? \d{{4}}\s*$",
    re.IGNORECASE,
)


# "09 settembre 2025 18:32", "03/12/2025 14h22 - Atualizado há 2 horas", "October 16,
# 2025 10:52 AM GMT+6": a short line with a clock time or an all-digit date and no
# sentence's end, in any language, is the page's stamp
_CLOCK_OR_DIGITS = re.compile(
    r"\b\d{1,2}[:h]\d{2}\b|\b\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})\b", re.IGNORECASE
)


def is_stamp(sentence: str) -> bool:
    """Whether a line only says when the page was written, updated or filed."""
    if _STAMP.match(sentence):
        return True
    words = sentence.split()
    return (
        len(words) <= 12
        and not sentence.rstrip().endswith(_SENTENCE_END)
        and _CLOCK_OR_DIGITS.search(sentence) is not None
        and sum(w[:1].isdigit() for w in words) * 3 >= len(words)
    )


def undated(sentence: str) -> str:
    """The sentence without a dateline's filing date at its start; nothing of a line that
    only says when the page was written or filed."""
    if is_stamp(sentence):
        return ""
    return _BARE_DATELINE.sub("", _DATELINE.sub("", sentence, count=1), count=1)


# a wire's date with no place before it: "June 4 (Reuters) - "
_BARE_DATELINE = re.compile(rf"^\s*{_EN_DAY}\s*\([^)]{{1,40}}\)\s*[-—–:]\s*", re.IGNORECASE)


def joined(texts: list[str]) -> str:
    """Sentences as one text, a headline or caption without its full stop given one, so
    that no name runs on into the next sentence ("... near Qamishli. The Syrian ...")."""
    return " ".join(
        t if re.search(r"[.!?:;…][\"”’»)]*\s*$", t) or i == len(texts) - 1 else f"{t.rstrip()}."
        for i, t in enumerate(texts)
    )
