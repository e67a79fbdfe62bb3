"""Long articles: split by paragraphs into chunks that fit one request, merge the records.

An article whose cleaned text is longer than ``settings.max_article_chars`` is not
truncated: :func:`split_article` cuts it into consecutive chunks of at most that many
characters, at paragraph breaks where possible, else at sentence ends, else at spaces
(a chunk never ends mid-word unless a single word is longer than the limit). Joined
back, the chunks are the text exactly. Each chunk is extracted on its own (see
:func:`summarizer.api.prepare_chunks`) and :func:`merge_reports` combines the records:

* events are concatenated in article order; an event with the same folded date text,
  location name and event type as an earlier one is the same event seen again (the
  story recapped in a later chunk) and is merged into it: the first keeps its fields,
  takes the later toll when it had none, and gathers up to three evidence quotes;
* **the summary is the first chunk's summary.** News is written as an inverted
  pyramid: the lede and the first paragraphs carry who, what, where and when, later
  paragraphs background and reactions. Summarizing the first chunk therefore gives
  the best whole-article summary available without a second LLM pass over per-chunk
  summaries, and every sentence of it stays grounded in text the model actually saw.
  Later chunks contribute events, never summary text;
* provenance sums attempts, tokens and latency over the chunks, keeps the SHA-256 of
  the whole cleaned text, and warns ``"article split into N chunks"``.

An article needing more than :data:`MAX_CHUNKS` chunks is refused with an
:class:`~summarizer.errors.InputError` rather than sent as dozens of requests.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence

from summarizer.grounding.notes import event_notes
from summarizer.schema import ArticleReport, Event
from summarizer.text.folding import event_key, fold

__all__ = ["MAX_CHUNKS", "chunk_warning", "event_key", "merge_reports", "split_article"]

#: The most chunks one article may be split into (beyond: InputError).
MAX_CHUNKS = 32

_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s+")
_SPACE = re.compile(r"\s+")
_MAX_EVIDENCE = 3


def chunk_warning(count: int) -> str:
    """The provenance warning of a record made from ``count`` chunks."""
    return f"article split into {count} chunks"


def _cuts(text: str, pattern: re.Pattern[str]) -> list[str]:
    """The text cut after every match of ``pattern`` (the match stays with the left part)."""
    pieces, start = [], 0
    for match in pattern.finditer(text):
        if match.end() < len(text):
            pieces.append(text[start : match.end()])
            start = match.end()
    pieces.append(text[start:])
    return [piece for piece in pieces if piece]


def _hard_split(text: str, limit: int) -> list[str]:
    """Cut a piece with no usable sentence end: at the last space before the limit."""
    pieces = []
    while len(text) > limit:
        window = text[: limit + 1]
        spaces = [m.end() for m in _SPACE.finditer(window) if 0 < m.end() <= limit]
        cut = spaces[-1] if spaces else limit
        pieces.append(text[:cut])
        text = text[cut:]
    if text:
        pieces.append(text)
    return pieces


def _units(text: str, limit: int) -> list[str]:
    """Paragraphs (with their newline), each cut into sentences or words if too long."""
    units: list[str] = []
    for paragraph in re.split(r"(?<=\n)", text):
        if not paragraph:
            continue
        if len(paragraph) <= limit:
            units.append(paragraph)
            continue
        for sentence in _cuts(paragraph, _SENTENCE_END):
            units.extend([sentence] if len(sentence) <= limit else _hard_split(sentence, limit))
    return units


def split_article(text: str, limit: int) -> list[str]:
    """Consecutive chunks of at most ``limit`` characters; ``"".join(chunks) == text``.

    Paragraphs are packed greedily; a paragraph longer than the limit is cut at sentence
    ends, and a sentence longer than the limit at the last space that fits.
    """
    if limit <= 0:
        raise ValueError("the chunk limit must be positive")
    chunks: list[str] = []
    current = ""
    for unit in _units(text, limit):
        if current and len(current) + len(unit) > limit:
            chunks.append(current)
            current = ""
        current += unit
    if current:
        chunks.append(current)
    return chunks


def _merge_event(first: Event, later: Event) -> Event:
    evidence = list(first.evidence)
    for quote in later.evidence:
        if len(evidence) < _MAX_EVIDENCE and fold(quote) not in {fold(q) for q in evidence}:
            evidence.append(quote)
    update: dict[str, object] = {"evidence": evidence}
    if first.fatalities.total is None and later.fatalities.total is not None:
        update["fatalities"] = later.fatalities
        update["sources"] = list(dict.fromkeys([*first.sources, *later.sources]))[:4]
    merged = first.model_copy(update=update)
    return merged.model_copy(update={"notes": event_notes(merged)})


def _first_value(reports: Sequence[ArticleReport], name: str) -> str | None:
    values = (getattr(report.article, name) for report in reports)
    return next((value for value in values if value), None)


def merge_reports(reports: Sequence[ArticleReport], *, source_text: str) -> ArticleReport:
    """One record from the records of an article's chunks, in article order.

    ``source_text`` is the whole cleaned article (the chunks joined); its SHA-256 goes
    into the provenance. A single record is returned unchanged.
    """
    if not reports:
        raise ValueError("no records to merge")
    if len(reports) == 1:
        return reports[0]
    count = len(reports)
    first = reports[0]
    warnings = [
        chunk_warning(count),
        f"the summary is that of chunk 1 of {count} (the lede); events come from every chunk",
    ]
    events: list[Event] = []
    where: dict[tuple[str, str, str], int] = {}
    for number, report in enumerate(reports, start=1):
        warnings += [f"chunk {number}/{count}: {w}" for w in report.provenance.warnings]
        for event in report.events:
            key = event_key(event)
            if key in where:
                events[where[key]] = _merge_event(events[where[key]], event)
                warnings.append(
                    f"chunk {number}/{count}: event {event.date_text} / {event.location.name} "
                    "repeats an earlier chunk's event; merged"
                )
            else:
                where[key] = len(events)
                events.append(event)
    article = first.article.model_copy(
        update={name: _first_value(reports, name) for name in ("title", "wire", "dateline")}
    )
    usage = first.provenance.usage
    for report in reports[1:]:
        usage = usage + report.provenance.usage
    provenance = first.provenance.model_copy(
        update={
            "attempts": sum(r.provenance.attempts for r in reports),
            "usage": usage,
            "latency_seconds": round(sum(r.provenance.latency_seconds for r in reports), 3),
            "source_sha256": hashlib.sha256(source_text.encode()).hexdigest(),
            "warnings": sorted(set(warnings)),
            "created_at": dt.datetime.now(dt.UTC).replace(microsecond=0),
        }
    )
    return ArticleReport.model_validate(
        {
            "article": article.model_dump(),
            "events": [e.model_dump() for e in events],
            "summary": first.summary.model_dump(),
            "provenance": provenance.model_dump(),
        }
    )
