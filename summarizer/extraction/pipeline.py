"""The step pipeline: label the sentences, detail each event, summarize; code does the rest.

:func:`run_steps` is a generator. It yields *rounds* of questions (:class:`Ask`) and
receives, for each round, the answers in the same order (a completion, or the
:class:`~summarizer.errors.ExtractionFailed` of a question that found no valid answer).
One driver sends each round to the LLM one by one, another concurrently, another writes
each round as a Batch API file: the pipeline itself never touches the network, and
given the same answers it asks the same questions (a batch can resume by replaying).

Rounds: (1) a label for each sentence that has a trigger word (an event type, or
background); code groups the labelled sentences into events by type and day; (2) per
event, place, sub-event type, actors, toll (chosen among figures the program found) and
source; (3) the summary, repaired by code, else composed from the record by code.
Names are kept only when they trace to the article (see :mod:`._names`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from summarizer.errors import ExtractionFailed
from summarizer.extraction import _summary
from summarizer.extraction._figures import death_figures
from summarizer.extraction._meta import dateline_of, language_of, title_of, wire_of
from summarizer.extraction._names import canonical_actor, in_article
from summarizer.extraction._places import (
    countries_in,
    country_name,
    fold_name,
    lookup_place,
    subdivision_in,
)
from summarizer.extraction._sentences import Sentence, number_sentences, render_numbered
from summarizer.extraction._steps import (
    LABELS,
    SUB_TYPE_MEANINGS,
    StepPrompts,
    SummaryDraft,
    classify_model,
    details_model,
)
from summarizer.extraction._triggers import candidates
from summarizer.grounding import without_instructions
from summarizer.grounding.notes import event_notes
from summarizer.llm.client import Completion
from summarizer.llm.prompts import fence_metadata
from summarizer.schema import (
    SCHEMA_VERSION,
    SUB_EVENT_TYPES,
    Actor,
    ActorType,
    ArticleInfo,
    ArticleReport,
    Event,
    EventDraft,
    EventType,
    Fatalities,
    Location,
    PromptInfo,
    Provenance,
    SubEventType,
    Summary,
    Usage,
    parent_event_type,
)
from summarizer.text.dates import resolve_date

__all__ = ["Answer", "ArticleInput", "Ask", "RunInfo", "Steps", "run_steps"]


@dataclass(frozen=True)
class Ask:
    """One question to the LLM: its messages and the schema of the answer."""

    step: str
    messages: list[dict[str, str]]
    response_model: type[BaseModel]


Answer = Completion[Any] | ExtractionFailed
Steps = Generator[list[Ask], list[Answer], ArticleReport]


@dataclass(frozen=True)
class ArticleInput:
    """What the pipeline reads: the cleaned article and what is known about it."""

    text: str
    published: dt.date | None = None
    outlet: str | None = None
    title: str | None = None
    url: str | None = None
    removed_chars: int = 0
    source_sha256: str = ""


@dataclass(frozen=True)
class RunInfo:
    """Who answers, for the provenance."""

    model: str
    endpoint_host: str
    summarizer_version: str


@dataclass
class _Tally:
    attempts: int = 0
    usage: Usage = field(default_factory=Usage)
    latency: float = 0.0
    warnings: list[str] = field(default_factory=list)

    def add(self, answer: Answer) -> None:
        if isinstance(answer, ExtractionFailed):
            self.attempts += answer.attempts
            self.usage = self.usage + (answer.usage or Usage())
        else:
            self.attempts += answer.attempts
            self.usage = self.usage + answer.usage
            self.latency += answer.latency_seconds


@dataclass
class _Spot:
    """An event as grouped: its sentences, type and the day's words."""

    ids: list[int]
    event_type: EventType
    date_text: str


_BACKGROUND_DATE = re.compile(
    r"\b(?:last|past|previous) (?:year|month|decade)\b|\b(?:years?|months?|weeks?) ago\b|"
    r"\bsince\b|\bearlier this (?:year|month)\b|\bin (?:19|20)\d\d\b|\bdepuis\b|\bdesde\b",
    re.IGNORECASE,
)
_DATE_WORDS = re.compile(
    r"\b(?:(?:on |late |early )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
    r"(?: (?:morning|afternoon|evening|night))?|yesterday|today|overnight|last night|"
    r"this (?:morning|afternoon|evening|week)|"
    r"(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)(?: soir| matin)?|hier|"
    r"(?:el )?(?:lunes|martes|miércoles|jueves|viernes|sábado|domingo)|ayer|"
    r"\d{1,2} (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*|"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w* \d{1,2})\b",
    re.IGNORECASE,
)


# ACLED: explosives of any kind, whoever the victims, make explosions/remote violence.
_EXPLOSIVE = re.compile(
    r"\b(?:shell(?:s|ing|ed)|air ?strikes?|airstrikes?|drones?|bomb(?:s|ing|ed|ings)?|"
    r"missiles?|rockets?|artillery|mortars?|grenades?|IEDs?|explosi\w+|blasts?|air raids?|"
    r"bombard\w*|landmines?|obus|frappes? a[ée]riennes?|bombes?|bombardement\w*|roquettes?|"
    r"explosi[óo]n\w*|bombas?|misil\w*|cohetes?|morteros?|bombarde\w*)\b",
    re.IGNORECASE,
)
_FIGHTING = re.compile(
    r"\b(?:fight\w*|clash\w*|battl\w*|gunfight|firefight|seiz\w*|captur\w*|retook|retake\w*|"
    r"overran|repel\w*|assault\w*|combat\w*|affrontements?|combats?|enfrentamientos?|"
    r"combates?)\b",
    re.IGNORECASE,
)


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# "In April, ..." / "in March" with no day: an earlier month is background
_MONTH_ONLY = re.compile(
    r"\b[Ii]n (January|February|March|April|May|June|July|August|September|October|"
    r"November|December)\b(?! \d)"
)


def _month_number(name: str) -> int:
    return _MONTHS.index(name[:3].lower()) + 1


def _codebook_type(event_type: EventType, own: list[str]) -> EventType:
    """The event type the codebook gives when the model's contradicts the sentences:
    an attack on civilians with explosives is explosions/remote violence; "explosions"
    with no explosive named and fighting described is a battle."""
    lead = own[0] if own else ""
    text = " ".join(own)
    if event_type is EventType.violence_against_civilians and _EXPLOSIVE.search(lead):
        return EventType.explosions_remote_violence
    if event_type is EventType.explosions_remote_violence and not _EXPLOSIVE.search(text):
        if _FIGHTING.search(text):
            return EventType.battles
    return event_type


def _date_key(sentence: str) -> str | None:
    match = _DATE_WORDS.search(sentence)
    if not match:
        return None
    words = fold_name(match.group(0)).split()
    return " ".join(w for w in words if w not in {"on", "late", "early", "el", "morning",
                                                   "afternoon", "evening", "night", "soir",
                                                   "matin"}) or None  # fmt: skip


def run_steps(article: ArticleInput, prompts: StepPrompts, run: RunInfo) -> Steps:
    """The pipeline for one article (see the module docstring for the protocol)."""
    tally = _Tally()
    text, injected = without_instructions(article.text)
    if injected:
        tally.warnings.append(
            f"{len(injected)} paragraph(s) addressed to the summarizer were not sent to the model"
        )
    sentences = number_sentences(text)
    language = language_of(text)
    folded_text = fold_name(text)
    countries = countries_in(text)
    system = prompts.render("system")
    title = title_of(article.text, article.title)
    block = prompts.render(
        "article",
        title=fence_metadata(article.title),  # page metadata is article data: in the fence
        outlet=fence_metadata(article.outlet),
        published=article.published.isoformat() if article.published else None,
        sentences=render_numbered(sentences),
    )

    def ask(step: str, question: str, model: type[BaseModel]) -> Ask:
        messages = [
            {"role": "system", "content": system},
            {"role": "user", "content": f"{block}\n\n{question}"},
        ]
        return Ask(step, messages, model)

    # Round 1: a label for each sentence that may report an event.
    by_id = {s.id: s for s in sentences}
    spots: list[_Spot] = []
    shown = candidates(sentences)
    if shown:
        question = prompts.render("classify", candidates=[(s.id, s.text[:240]) for s in shown])
        model = classify_model(tuple(s.id for s in shown))
        (labelled,) = yield [ask("classify", question, model)]
        tally.add(labelled)
        if isinstance(labelled, ExtractionFailed):
            raise labelled
        labels = {s.id: getattr(labelled.value, f"s{s.id}") for s in shown}
        spots = _group(labels, sentences, article.published, tally)

    # Round 2: the details of each event.
    questions = []
    for index, spot in enumerate(spots, start=1):
        own = [by_id[i].text for i in spot.ids]
        figures = tuple(death_figures(own, language))
        question = prompts.render(
            "details",
            sentence_ids=", ".join(f"[{i}]" for i in spot.ids),
            date_text=spot.date_text,
            sub_types=_SUB_TYPE_MENU,
            figures=list(figures),
        )
        questions.append(ask(f"details:{index}", question, details_model(figures)))
    answers = (yield questions) if questions else []
    events: list[Event] = []
    for spot, answer in zip(spots, answers, strict=True):
        tally.add(answer)
        if isinstance(answer, ExtractionFailed):
            tally.warnings.append(
                f"the {spot.event_type.value} event of sentences {spot.ids} was dropped: no "
                f"valid details ({answer})"
            )
            continue
        event = _event(spot, answer.value, by_id, folded_text, text, countries, article, tally)
        if event is not None:
            _add(events, event)

    # Round 3: the summary, repaired by code where it can be, else composed from the record.
    facts = [e.notes for e in events[:4]]
    (answer,) = yield [ask("summary", prompts.render("summary", facts=facts), SummaryDraft)]
    tally.add(answer)
    summary: Summary | None = None
    if isinstance(answer, ExtractionFailed):
        problems = [str(answer)]
    else:
        summary, problems = _summary.checked(answer.value, text, events, tally.warnings)
    if problems or summary is None:
        tally.warnings.append(
            "the model's summary failed its checks (" + "; ".join(problems)[:300] + "); the "
            "summary was composed from the record"
        )
        summary = _summary.composed(events, title)

    info = ArticleInfo(
        title=title,
        wire=wire_of(article.text),
        dateline=dateline_of(article.text),
        language=language if re.fullmatch(r"[a-z]{2}", language) else "en",
        outlet=article.outlet,
        published=article.published,
        url=article.url,
    )
    provenance = Provenance(
        model=run.model,
        endpoint_host=run.endpoint_host,
        prompt=PromptInfo(name="extract", version=prompts.version, sha256=prompts.sha256),
        schema_version=SCHEMA_VERSION,
        attempts=max(tally.attempts, 1),
        usage=tally.usage,
        latency_seconds=round(tally.latency, 3),
        removed_chars=article.removed_chars,
        source_sha256=article.source_sha256,
        warnings=sorted(set(tally.warnings)),
        created_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
        summarizer_version=run.summarizer_version,
    )
    return ArticleReport(article=info, events=events, summary=summary, provenance=provenance)


_SUB_TYPE_MENU = [
    (event_type.value, [(s.value, SUB_TYPE_MEANINGS[s]) for s in subs])
    for event_type, subs in SUB_EVENT_TYPES.items()
]
_EXPLOSIVE_KIND = [
    (re.compile(r"\b(?:air ?strikes?|airstrikes?|drones?|air raids?|warplanes?|aircraft|"
                r"frappes? a[ée]riennes?|drones?|bombardeo a[ée]reo)\b", re.I),
     SubEventType.air_drone_strike),
    (re.compile(r"\b(?:IEDs?|roadside|landmines?|car bombs?|explosive devices?|mines?)\b", re.I),
     SubEventType.remote_explosive_landmine_ied),
    (re.compile(r"\bgrenades?\b", re.I), SubEventType.grenade),
    (re.compile(r"\bsuicide\b", re.I), SubEventType.suicide_bomb),
]  # fmt: skip


def _explosive_kind(text: str) -> SubEventType:
    for pattern, kind in _EXPLOSIVE_KIND:
        if pattern.search(text):
            return kind
    return SubEventType.shelling_artillery_missile_attack


def _add(events: list[Event], event: Event) -> None:
    """Add an event, merged into one of the same type, day and place if there is one."""
    for kept in events:
        if (
            kept.event_type is event.event_type
            and fold_name(kept.date_text) == fold_name(event.date_text)
            and _same_place(kept.location.name, event.location.name)
        ):
            evidence = [*kept.evidence, *(e for e in event.evidence if e not in kept.evidence)]
            kept.evidence[:] = evidence[:3]
            if kept.fatalities.total is None and event.fatalities.total is not None:
                kept.fatalities = event.fatalities
            return
    events.append(event)


def _group(
    labels: dict[int, str], sentences: list[Sentence], published: dt.date | None, tally: _Tally
) -> list[_Spot]:
    """Events from labelled sentences: one per (event type, day). A sentence naming no day
    takes the day of the sentence before it, else the article's first day; a sentence
    dated in an earlier year or pointing back ("since", "last month") is background."""
    years = [int(y) for y in re.findall(r"\b((?:19|20)\d\d)\b", " ".join(s.text for s in sentences))]
    latest_year = max(years) if years else None
    lead = next((k for s in sentences if (k := _date_key(s.text))), None)
    current_key = lead
    spots: dict[tuple[EventType, str | None], _Spot] = {}
    for sentence in sentences:
        key = _date_key(sentence.text)
        if key is not None:
            current_key = key
        label = labels.get(sentence.id)
        event_type = LABELS.get(label) if label else None
        if event_type is None:
            continue
        if _is_background(sentence.text, published, latest_year) and key is None:
            tally.warnings.append(f"sentence {sentence.id} was taken as background")
            continue
        event_type = _codebook_type(event_type, [sentence.text])
        spot = spots.get((event_type, current_key))
        if spot is None:
            match = _DATE_WORDS.search(sentence.text)
            spot = spots[(event_type, current_key)] = _Spot([], event_type, "")
            if match and key == current_key:
                spot.date_text = match.group(0)
        if not spot.date_text and key is not None and key == current_key:
            match = _DATE_WORDS.search(sentence.text)
            spot.date_text = match.group(0) if match else ""
        if len(spot.ids) < 4:
            spot.ids.append(sentence.id)
    found = list(spots.values())
    for spot in found:
        if not spot.date_text and lead is not None:
            spot.date_text = _day_words(sentences, lead)
    return found[:8]


def _day_words(sentences: list[Sentence], key: str) -> str:
    for sentence in sentences:
        if _date_key(sentence.text) == key and (match := _DATE_WORDS.search(sentence.text)):
            return match.group(0)
    return ""


def _same_place(a: str, b: str) -> bool:
    fa, fb = fold_name(a), fold_name(b)
    return fa == fb or (bool(fa) and bool(fb) and (fa in fb or fb in fa))


def _is_background(date_text: str, published: dt.date | None, latest_year: int | None) -> bool:
    """Dated in an earlier year than the article's (its publication year, else the
    latest year it mentions), or with words that point back ("since", "last month").
    ``date_text`` may be a whole sentence."""
    year = re.search(r"\b((?:19|20)\d\d)\b", date_text)
    current = published.year if published else latest_year
    month = _MONTH_ONLY.search(date_text)
    if month and published and not year and _month_number(month.group(1)) != published.month:
        return True
    if year and current and int(year.group(1)) < current:
        return True
    if not _BACKGROUND_DATE.search(date_text):
        return False
    return not (year and current and int(year.group(1)) == current)


def _grounded_place(place: str, own: str, folded_text: str) -> str | None:
    """The model's place when the article names it, else a place-like name from the
    event's sentences (a province it names), else None."""
    cleaned = re.sub(r"^(?:in|at|near|the|à|en|dans|cerca de)\s+", "", place.strip(" .,"), flags=re.I)
    if cleaned and in_article(cleaned, folded_text):
        return cleaned
    # "Kharkiv's Saltivskyi district" -> try each comma part
    for part in re.split(r",|\band\b|\bet\b|\by\b", cleaned):
        part = part.strip()
        if len(part) > 2 and in_article(part, folded_text):
            return part
    return subdivision_in(own, None)


def _event(
    spot: _Spot,
    details: BaseModel,
    by_id: dict[int, Sentence],
    folded_text: str,
    text: str,
    countries: dict[str, int],
    article: ArticleInput,
    tally: _Tally,
) -> Event | None:
    own = [by_id[i].text for i in spot.ids]
    place = _grounded_place(details.place, " ".join(own), folded_text)  # type: ignore[attr-defined]
    if place is None:
        tally.warnings.append(
            f"the {spot.event_type.value} event of sentences {spot.ids} was dropped: its place "
            f"{details.place!r} is not named in the article"  # type: ignore[attr-defined]
        )
        return None
    location = _location(place, " ".join(own), text, countries)
    country = location.country or None
    where = f"the {spot.event_type.value} event at {place}"
    actors: list[Actor] = []
    for role in ("actor1", "actor2"):
        mention = getattr(details, role)
        if mention is None:
            continue
        actor = _actor(mention.name, mention.type, country, folded_text)
        if actor is None:
            tally.warnings.append(
                f"{where}: {role} {mention.name!r} is not named in the article; removed"
            )
            continue
        actors.append(actor)
    if not actors:
        tally.warnings.append(f"{where} was dropped: no side of it is named in the article")
        return None
    figures_total: int | None = getattr(details, "fatalities", None)
    source = getattr(details, "source", None)
    if source and not in_article(source, folded_text):
        tally.warnings.append(f"{where}: source {source!r} is not in the article; removed")
        source = None
    sub = SubEventType(details.sub_event_type)  # type: ignore[attr-defined]
    event_type = parent_event_type(sub)
    coded = _codebook_type(event_type, own)
    if coded is not event_type:
        tally.warnings.append(f"{where}: coded {coded.value} (the codebook's rule for "
                              f"{event_type.value} described this way)")  # fmt: skip
        sub = _explosive_kind(" ".join(own)) if coded is EventType.explosions_remote_violence else (
            SubEventType.armed_clash
        )
        event_type = coded
    draft = EventDraft(
        event_type=event_type,
        sub_event_type=sub,
        date_text=spot.date_text,
        location=location,
        actor1=actors[0],
        actor2=actors[1] if len(actors) > 1 else None,
        assoc_actor1=[],
        assoc_actor2=[],
        fatalities=Fatalities(
            total=figures_total,
            breakdown=[],
            civilians=None,
            reported_by=source if figures_total is not None else None,
        ),
        sources=[source] if source else [],
        evidence=[s[:400] for s in own[:3]],
    )
    date, precision = resolve_date(spot.date_text, article.published)
    if date is None and spot.date_text and article.published is None:
        tally.warnings.append(
            f"date of {spot.date_text!r} not resolved: no publication date (pass published=)"
        )
    return Event(
        **draft.model_dump(), date=date, time_precision=precision, notes=event_notes(draft)
    )


def _actor(name: str, actor_type: ActorType, country: str | None, folded_text: str) -> Actor | None:
    name = name.strip(" .,")
    if not name or not in_article(name, folded_text):
        return None
    return Actor(name=canonical_actor(name, actor_type, country)[:80], type=actor_type)


def _location(place: str, own: str, text: str, countries: dict[str, int]) -> Location:
    """Where: the place as the article names it; province, district and country from the
    gazetteer for a place it holds, else from what the article says."""
    found = lookup_place(place, countries)
    named = countries_in(place)
    if named and fold_name(place) in {fold_name(country_name(c) or "") for c in named}:
        code = next(iter(named))
        return Location(name=place, admin1=None, admin2=None, country=country_name(code) or place,
                        geo_precision=3)  # fmt: skip
    if found is not None:
        return Location(
            name=place,
            admin1=found.admin1,
            admin2=found.admin2,
            country=found.country,
            geo_precision=1,
        )
    code = max(countries, key=lambda c: countries[c]) if countries else None
    admin1 = subdivision_in(own, code) or subdivision_in(text, code)
    is_province = admin1 is not None and _same_place(admin1, place)
    return Location(
        name=place,
        admin1=admin1,
        admin2=None,
        country=(country_name(code) if code else None) or "",
        geo_precision=3 if is_province else 1,
    )
