"""The summary's checks, its re-ask, and the summary code composes when both fail.

A summary is kept when it is English, 2 to 4 sentences, copies no run of 10 words from
the article outside quotation marks, gives only numbers the article gives, and names
the main event's place, toll and source. Loaded terms outside quotation marks are
replaced by neutral wording (a repair, noted in the warnings).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pydantic import ValidationError

from summarizer.extraction._figures import death_figures, numbers_written
from summarizer.extraction._meta import language_of
from summarizer.extraction._names import attribution
from summarizer.extraction._places import fold_name
from summarizer.grounding import copied_passage, loaded_terms_in, neutralize, numbers_in
from summarizer.schema import Event, Summary, fit_summary
from summarizer.text.folding import strip_quoted

if TYPE_CHECKING:
    from summarizer.extraction._steps import SummaryDraft

__all__ = ["checked", "composed", "main_event"]

_SENTENCE = re.compile(r"(?<=[.!?])[\"”’]?\s+")


def main_event(events: list[Event]) -> Event | None:
    """The event a summary must name: the deadliest, else the first."""
    if not events:
        return None
    return max(events, key=lambda e: (e.fatalities.total or 0, -events.index(e)))


def checked(
    draft: SummaryDraft,
    source_text: str,
    events: list[Event],
    warnings: list[str],
    title: str | None = None,
) -> tuple[Summary | None, list[str]]:
    """The summary, repaired where code can, and what is still wrong with it.

    Repairs, each noted in ``warnings``: loaded terms outside quotation marks replaced by
    neutral wording; a sentence that copies 10 words of the article, or gives a number
    the article does not, removed; each of the first three events (the main one first)
    whose place, toll or source the summary leaves out, told in a sentence composed from
    the record after the summary's first sentence. When the record holds no event, a
    sentence (or headline) using words of killing as figures of speech ("a bloodbath on
    the markets") is removed too.
    """
    headline, replaced_h = neutralize(draft.headline.strip())
    text, replaced_t = neutralize(" ".join(draft.text.split()))
    if replaced_h or replaced_t:
        warnings.append(
            "loaded terms replaced in the summary: " + ", ".join(sorted({*replaced_h, *replaced_t}))
        )
    problems: list[str] = []
    if language_of(f"{headline}. {text}") != "en":
        return None, ["the summary is not in English"]
    if (language := language_of(source_text)) != "en" and language_of(headline) == language:
        # the article's own title, copied: a short English text may pass the check above
        warnings.append(f"summary headline in the article's language replaced: {headline[:80]!r}")
        headline = ""
    allowed = _article_numbers(source_text)
    deaths = _death_figures(source_text, events)
    kept = []
    for sentence in (s for s in _SENTENCE.split(text) if s.strip()):
        why = _sentence_problem(sentence, source_text, allowed, figures=not events)
        why = why or _dead_not_told(sentence, deaths)
        if not why and not re.search(r"[.!?][\"”’)]*$", sentence.strip()):
            why = "not a whole sentence"
        if why:
            warnings.append(f"summary sentence removed ({why}): {sentence[:120]!r}")
        else:
            kept.append(sentence.strip())
    if _sentence_problem(
        headline, source_text, allowed, copying=False, figures=not events
    ) or _dead_not_told(headline, deaths):
        headline = ""
    text = _with_events(kept, headline, events, warnings, title)
    main = main_event(events)
    if not headline:
        headline = _headline(main) if main else _NO_EVENT_HEADLINE
    for term in loaded_terms_in(f"{headline}\n{text}"):
        problems.append(f"the word '{term.term}' outside quotation marks")
    try:
        # cut here, not by the schema: its length limit rejects a text before its
        # validator could cut it, and the cut is noted
        text, cut = fit_summary(text)
        summary = Summary(headline=headline[:140], text=text)
    except (ValueError, ValidationError):
        sentences = len([s for s in _SENTENCE.split(text) if s.strip()])
        problems.append(f"{sentences} sentence(s) left after the checks, fewer than 2")
        return None, problems
    if cut:
        warnings.append(cut)
    return summary, problems


# words of killing used as figures of speech ("a bloodbath on the markets", "United were
# massacred"): in the summary of an article that reports no violence they would tell, in
# the summary's own voice, of a violence that did not happen
_VIOLENT_FIGURES = re.compile(
    r"\b(?:bloodbath|carnage|massacr\w*|slaughter\w*|annihilat\w*|obliterat\w*|decimat\w*|"
    r"bombshell|execution|executed|onslaught|butcher\w*)\b",
    re.IGNORECASE,
)


def _sentence_problem(
    sentence: str,
    source_text: str,
    allowed: set[int],
    *,
    copying: bool = True,
    figures: bool = False,
) -> str | None:
    if figures and (word := _VIOLENT_FIGURES.search(strip_quoted(sentence))):
        return f"'{word.group(0)}' tells of violence the article does not report"
    if copying and (copied := copied_passage(sentence, source_text)):
        return f"copies the article: '{copied} …'"
    for value in sorted(numbers_in(sentence, include_small_words=False)):
        if value not in allowed:
            return f"gives the number {value}, which the article does not"
    return None


def _with_events(
    kept: list[str], headline: str, events: list[Event], warnings: list[str], title: str | None
) -> str:
    """The summary's sentences with, after its first, a sentence from the record for each
    of the first three events (the main one first) it does not tell in full (place,
    toll, source), the deadliest next: the summary's later sentences give way first to
    the length limit. A lone sentence that tells everything gets the main event's."""
    main = main_event(events)
    others = sorted((e for e in events if e is not main), key=lambda e: -(e.fatalities.total or 0))
    ordered = [main, *others][:3] if main else []
    first, rest = kept[:1], kept[1:]
    added: list[str] = []
    for event in ordered:
        told = " ".join([headline, *first, *added, *rest])
        if _tells_in_full(told, event):
            continue
        warnings.append(f"summary completed from the record: {event.notes!r}")
        added.append(event.notes)
    if first and not added and not rest:
        # one sentence survived and tells it all: the record's sentence makes it a summary
        last = main.notes if main else _no_event(title)
        warnings.append(f"summary completed from the record: {last!r}")
        added.append(last)
    return " ".join([*first, *added, *rest])


def _tells_in_full(text: str, event: Event) -> bool:
    """Whether the text gives the event's place, toll and source."""
    folded = f" {fold_name(text)} "
    total = event.fatalities.total
    source = event.fatalities.reported_by or (event.sources[0] if event.sources else None)
    return (
        f" {fold_name(event.location.name)} " in folded
        and (total is None or total in numbers_in(text))
        and (not source or _names_source(source, folded))
        and all(_names_source(name, folded) for name in _named_sides(event))
    )


# names code derives ("Military Forces of Mali", "Civilians (Niger)") or gives a side
# no one named: a summary may tell these in its own words
_GENERIC_SIDE = re.compile(
    r"^(?:Military Forces of|Police Forces of|Unidentified Armed Group)\b|"
    r"^(?:Civilians|Protesters|Rioters) \("
)


def _named_sides(event: Event) -> list[str]:
    """The sides of an event that the article names by their own name ("JNIM", "Los
    Lobos"): a summary that leaves them out does not say who acted."""
    return [
        actor.name
        for actor in (event.actor1, event.actor2)
        if actor is not None and not _GENERIC_SIDE.search(actor.name)
    ]


def _dead(total: int) -> str:
    """ "one person dead", "3 people dead": a lone victim in words, as articles tell it."""
    return "one person dead" if total == 1 else f"{total} people dead"


def _headline(event: Event) -> str:
    kind = event.event_type.value.replace("_", " ").capitalize()
    headline = f"{kind} in {event.location.name}"
    if event.fatalities.total is not None:
        headline += f", {_dead(event.fatalities.total)}"
    return headline


# a toll the summary tells in its own voice: "23 people were killed", "killing 23"
_TOLL_TOLD = re.compile(
    r"\b(\d[\d,]*)\s+(?:[\w-]+\s+){0,3}?(?:(?:were|have been|had been|was)\s+)?"
    r"(?:killed|dead|died|deaths)\b|"
    r"\b(?:killing|killed|kills|death toll (?:of|to|at|rose to)|toll of)\s+"
    r"(?:at least\s+|more than\s+|some\s+|about\s+|around\s+|nearly\s+)?(\d[\d,]*)\b",
    re.IGNORECASE,
)
# words of death in the languages the article may be in
_DEATH_WORDS = re.compile(
    r"\b(?:kill\w*|dead|death\w*|died|bodies|tu[ée]e?s?|morts?|d[ée]c[ée]d\w*|muert\w*|"
    r"falleci\w*|asesinad\w*|mortos?|morreram|mat(?:ou|aram)|get[öo]tet\w*|tote?n?|starben|"
    r"ums leben)\b",
    re.IGNORECASE,
)


def _death_figures(source_text: str, events: list[Event]) -> set[int]:
    """Tolls the summary may tell: the record's, and the numbers of the article's lines
    that speak of death (not "23 officers were injured"), with sums of two."""
    found: set[int] = set()
    for event in events:
        fat = event.fatalities
        found.update(v for v in (fat.total, fat.civilians) if v is not None)
        found.update(part.count for part in fat.breakdown)
    language = language_of(source_text)
    for line in re.split(r"(?<=[.!?])\s+|\n", source_text):
        if _DEATH_WORDS.search(line):
            found.update(numbers_in(line))
            found.update(value for value, _ in numbers_written(line, language))
    return found | {a + b for a in found for b in found if a < 1000 and b < 1000}


def _dead_not_told(sentence: str, deaths: set[int]) -> str | None:
    """Why a sentence's toll is not the article's: it counts as dead people the article
    counts otherwise (the wounded, the arrested)."""
    for match in _TOLL_TOLD.finditer(sentence):
        value = int((match.group(1) or match.group(2)).replace(",", ""))
        if value not in deaths:
            return f"tells {value} dead, which the article does not"
    return None


def _article_numbers(source_text: str) -> set[int]:
    found = set(numbers_in(source_text))
    for line in source_text.split("\n"):
        found.update(value for value, _ in numbers_written(line, language_of(source_text)))
    return found | {a + b for a in found for b in found if a < 1000 and b < 1000}


def _names_source(source: str, folded_summary: str) -> bool:
    """The summary names the source: its full name, or its distinctive words."""
    words = [w for w in fold_name(source).split() if len(w) > 3]
    if f" {fold_name(source)} " in folded_summary:
        return True
    return bool(words) and sum(f" {w} " in folded_summary for w in words) >= max(1, len(words) // 2)


def _no_event(title: str | None) -> str:
    about = f" '{title}'" if title else ""
    return f"The article{about} reports no incident of political violence or protest."


_NO_EVENT_HEADLINE = "No political violence event reported"


def _other_toll(event: Event) -> str | None:
    """Another toll of the event: "The article also gives a toll of 7." when a sentence
    of the event that credits someone gives a figure other than the record's (a
    disputed toll: "12 militants, the air force said, but residents said seven
    fishermen"), else None. Who gave it is not said: a sentence may credit several."""
    if event.fatalities.total is None:
        return None
    for sentence in event.evidence:
        if not attribution(sentence):
            continue
        others = [n for n in death_figures([sentence]) if n != event.fatalities.total]
        if others:
            return f"The article also gives a toll of {others[0]}."
    return None


def composed(events: list[Event], title: str | None) -> Summary:
    """A summary written by code from the validated record: always English, neutral,
    grounded and attributed, since every part of it is."""
    if not events:
        return Summary(
            headline=_NO_EVENT_HEADLINE, text=f"{_no_event(title)} No event was coded from it."
        )
    shown = events[:3]
    sentences = [e.notes for e in shown]
    if len(sentences) == 1:
        sentences.append(_other_toll(shown[0]) or "The article reports no other coded incident.")
    headline = _headline(main_event(events) or events[0])
    return Summary(headline=headline[:140], text=" ".join(sentences)[:900])
