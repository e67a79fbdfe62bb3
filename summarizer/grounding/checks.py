"""Grounding and neutrality checks of an extraction against its source text.

Each check returns human-readable problems phrased as instructions, because they are
sent back to the model as the re-ask message. :func:`check_extraction` runs them all;
:func:`summarizer.grounding.grounded.ground` calls it on each one-shot answer.

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

import re
from collections.abc import Callable
from dataclasses import dataclass

from summarizer.grounding.injection import without_instructions
from summarizer.grounding.lexicon import _loaded_problem, neutralize
from summarizer.grounding.numbers import _numbers_in, numbers_in
from summarizer.grounding.quotes import copied_passage, nearest_sentence, quote_in_text
from summarizer.schema import EventDraft, Extraction, Summary
from summarizer.text._memo import MEMO, memoised
from summarizer.text.folding import event_key, fold
from summarizer.text.folding import folded as _folded
from summarizer.text.sentences import _sentences, _sentences_of

__all__ = [
    "Problem",
    "check_events",
    "check_extraction",
    "check_summary",
    "repair_extraction",
]


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


@memoised(MEMO)
def _about_deaths(text: str) -> tuple[bool, ...]:
    """For each sentence of the text: whether it is about deaths."""
    return tuple(_DEATH.search(sentence) is not None for sentence in _sentences_of(text))


@memoised(MEMO)
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


@memoised(4 * MEMO)
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


@memoised(MEMO)
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


@memoised(MEMO)
def _says_nobody_died(source_text: str) -> bool:
    folded = _folded(source_text)
    if not any(word in folded for word in _NOBODY_WORDS):
        return False
    return bool(_NOBODY_DIED.search(source_text))


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
        key = event_key(event)
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


@memoised(MEMO)
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
