"""The step pipeline: label the sentences, detail each event, summarize; code does the rest.

:func:`run_steps` is a generator. It yields *rounds* of questions (:class:`Ask`) and
receives, for each round, the answers in the same order (a completion, or the
:class:`~summarizer.errors.ExtractionFailed` of a question that found no valid answer).
One driver sends each round to the LLM one by one, another concurrently, another writes
each round as a Batch API file: the pipeline itself never touches the network, and
given the same answers it asks the same questions (a batch can resume by replaying).

Rounds: v7 on, code labels the sentences and groups them into events by type, day and
place, and one round asks each event's details (place, sides, toll among figures code
found, source; its sub-event type too in v7, and from v9 only for a strategic development,
the one type whose kind code cannot always take from its words) and the summary; v6 asks
the labels first. The summary is
checked against the article and the events and repaired, else composed, by code.
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
from summarizer.extraction._claims import claimants, with_claimant
from summarizer.extraction._codebook import (
    codebook_kind,
    describes_mob_violence,
    describes_protest,
    describes_rioting,
    describes_violence_against_civilians,
    label_by_words,
    names_armed_group,
)
from summarizer.extraction._figures import checked_toll, death_figures
from summarizer.extraction._grouping import (
    Spot,
    add_event,
    background_ids,
    group_events,
    lead_ids,
    names_one_place,
)
from summarizer.extraction._harm import armed_people_hurt, harms_civilians
from summarizer.extraction._meta import dateline_of, language_name, language_of, title_of, wire_of
from summarizer.extraction._names import (
    actor_named,
    article_spelling,
    attribution,
    canonical_actor,
    in_article,
    named_source,
    sources_of,
    unclosed_cut,
    unidentified_group,
)
from summarizer.extraction._places import (
    countries_in,
    countries_of_provinces,
    country_name,
    fold_name,
)
from summarizer.extraction._sentences import (
    Sentence,
    headline,
    joined,
    number_sentences,
    render_numbered,
    undated,
)
from summarizer.extraction._sides import associated_forces, coded_sides
from summarizer.extraction._steps import (
    SUB_TYPE_MEANINGS,
    StepPrompts,
    SummaryDraft,
    classify_model,
    defused,
    details_model,
)
from summarizer.extraction._triggers import candidates
from summarizer.extraction._where import (
    grounded_place,
    locate,
    main_country,
    specific_place,
)
from summarizer.grounding import without_instructions
from summarizer.grounding.notes import event_notes
from summarizer.llm.client import Completion
from summarizer.schema import (
    SCHEMA_VERSION,
    SUB_EVENT_TYPES,
    Actor,
    ActorType,
    ArticleInfo,
    ArticleReport,
    CasualtyCount,
    Event,
    EventDraft,
    EventType,
    Fatalities,
    PromptInfo,
    Provenance,
    SubEventType,
    Summary,
    Usage,
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


def run_steps(article: ArticleInput, prompts: StepPrompts, run: RunInfo) -> Steps:
    """The pipeline for one article (see the module docstring for the protocol)."""
    tally = _Tally()
    text, injected = without_instructions(article.text)
    if injected:
        tally.warnings.append(
            f"{len(injected)} paragraph(s) addressed to the summarizer were not sent to the model"
        )
    text, markers = defused(text)
    if markers:
        tally.warnings.append(f"{markers} copy(ies) of the prompt's fence markers were removed")
    sentences = number_sentences(text)
    language = language_of(text)
    folded_text = fold_name(text)
    countries = countries_in(text)
    for code, weight in countries_of_provinces(text).items():
        # the provinces the text names tell the country too, as much as its name
        countries[code] = countries.get(code, 0) + 2 * weight
    system = prompts.render("system")
    title = title_of(article.text, article.title)
    block = prompts.render(
        "article",
        title=defused(article.title)[0] if article.title else None,
        outlet=defused(article.outlet)[0] if article.outlet else None,
        published=article.published.isoformat() if article.published else None,
        sentences=render_numbered(sentences),
    )

    def ask(step: str, question: str, model: type[BaseModel]) -> Ask:
        messages = [
            {"role": "system", "content": system},
            {"role": "user", "content": f"{block}\n\n{question}"},
        ]
        return Ask(step, messages, model)

    by_id = {s.id: s for s in sentences}

    def details(spots: list[Spot]) -> list[Ask]:
        questions = []
        for index, spot in enumerate(spots, start=1):
            own = [by_id[i].text for i in spot.ids]
            figures = tuple(death_figures(own, language))
            kind = prompts.asks_kind(spot.event_type)
            kinds = SUB_EVENT_TYPES[spot.event_type] if kind else ()
            question = prompts.render(
                "details",
                event_type=spot.event_type.value,
                sentences=[(i, by_id[i].text[:300]) for i in spot.ids],
                date_text=spot.date_text,
                sub_types=[(s.value, SUB_TYPE_MEANINGS[s]) for s in kinds],
                figures=list(figures),
            )
            model = details_model(spot.event_type, figures, kind=kind)
            questions.append(ask(f"details:{index}", question, model))
        return questions

    # Sentences that may report an event: those with a trigger word, less background told
    # by its dates (the rounds: see the module docstring).
    spots: list[Spot] = []
    background = background_ids(sentences, article.published)
    shown = [s for s in candidates(sentences) if s.id not in background]
    # v11 on: a summary question that names the article's language when it is not English
    summary_ask = ask(
        "summary", prompts.render("summary", language=language_name(language)), SummaryDraft
    )
    if prompts.labels_by_code:
        labels = {s.id: label_by_words(s.text) for s in shown}
        spots = group_events(labels, sentences, article.published, tally.warnings, language)
        *answers, drafted = yield [*details(spots), summary_ask]
    else:
        first = [summary_ask]
        if shown:
            question = prompts.render("classify", candidates=[(s.id, s.text[:240]) for s in shown])
            first.insert(0, ask("classify", question, classify_model(tuple(s.id for s in shown))))
        *labelling, drafted = yield first
        for labelled in labelling:
            tally.add(labelled)
            if isinstance(labelled, ExtractionFailed):
                raise labelled
            labels = {s.id: getattr(labelled.value, f"s{s.id}") for s in shown}
            spots = group_events(labels, sentences, article.published, tally.warnings, language)
        questions = details(spots)
        answers = (yield questions) if questions else []

    events: list[Event] = []
    leads = lead_ids(sentences)
    claimed = claimants(sentences, spots)
    for spot, answer, claimant in zip(spots, answers, claimed, strict=True):
        tally.add(answer)
        if isinstance(answer, ExtractionFailed):
            why = f"sentences {spot.ids} was dropped: no valid details ({answer})"
            tally.warnings.append(f"the {spot.event_type.value} event of {why}")
            continue
        event = _event(spot, answer.value, by_id, folded_text, text, countries, article, tally,
                       leads)  # fmt: skip
        if event is not None:
            event = with_claimant(event, claimant, folded_text, text, countries, tally.warnings)
            add_event(events, event)

    # The summary, repaired by code where it can be, else composed from the record.
    tally.add(drafted)
    summary: Summary | None = None
    if isinstance(drafted, ExtractionFailed):
        problems = [str(drafted)]
    else:
        summary, problems = _summary.checked(drafted.value, text, events, tally.warnings, title)
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


# events whose victims alone may be named: the side that acted is then unnamed
_VICTIMS_ONLY = frozenset(
    {EventType.explosions_remote_violence, EventType.violence_against_civilians}
)


def _event(
    spot: Spot,
    details: BaseModel,
    by_id: dict[int, Sentence],
    folded_text: str,
    text: str,
    countries: dict[str, int],
    article: ArticleInput,
    tally: _Tally,
    leads: set[int],
) -> Event | None:
    own = [by_id[i].text for i in spot.ids]
    own_text = joined(own)
    # what the story tells of this event (a lead may sum up several)
    told = " ".join(by_id[i].text for i in spot.ids if i not in leads) or own_text
    if spot.event_type is EventType.violence_against_civilians and not (
        describes_violence_against_civilians(own_text)
    ):
        tally.warnings.append(
            f"sentences {spot.ids} were labelled an attack on civilians but describe none; left out"
        )
        return None
    place = grounded_place(details.place, own_text, folded_text, text)  # type: ignore[attr-defined]
    if place is None:
        tally.warnings.append(
            f"the {spot.event_type.value} event of sentences {spot.ids} was dropped: its place "
            f"{details.place!r} is not named in the article"  # type: ignore[attr-defined]
        )
        return None
    code = main_country(countries)
    broad = place
    place, why = specific_place(place, own_text, dateline_of(article.text), code, text)
    if why:
        tally.warnings.append(
            f"the {spot.event_type.value} event of sentences {spot.ids}: place {broad!r} is "
            f"{why}; {place!r} as its sentences name it"
        )
    location = locate(place, own_text, text, countries)
    country = location.country or None
    where = f"the {spot.event_type.value} event at {place}"
    actors: list[Actor] = []
    for role in ("actor1", "actor2"):
        mention = getattr(details, role)
        if mention is None:
            continue
        actor = actor_named(mention.name, mention.type, country, folded_text, text, countries)
        if actor is None:
            tally.warnings.append(
                f"{where}: {role} {mention.name!r} is not named in the article; removed"
            )
            continue
        actors.append(actor)
    if (
        (
            spot.event_type is EventType.violence_against_civilians
            or (spot.event_type in _VICTIMS_ONLY and harms_civilians(own_text))
        )
        and country
        and len(actors) < 2
        and not any(a.type is ActorType.civilians for a in actors)
    ):
        # the harmed, unnamed: its sentences tell harm done to civilians
        actors.append(Actor(name=canonical_actor("civilians", ActorType.civilians, country),
                            type=ActorType.civilians))  # fmt: skip
        tally.warnings.append(f"{where}: the victims coded as civilians")
    unnamed_attacker = False
    if not actors and spot.event_type in _VICTIMS_ONLY and country and armed_people_hurt(own_text):
        # the harmed, unnamed: "four officers were killed when their vehicle hit a bomb"
        kind = "police" if re.search(r"\b(?:police|officers)\b", own_text, re.I) else "army"
        actors.append(Actor(name=canonical_actor(kind, ActorType.state_forces, country),
                            type=ActorType.state_forces))  # fmt: skip
        unnamed_attacker = True
    if not actors and spot.event_type is EventType.explosions_remote_violence and country:
        # "Two rockets were launched from Lebanon toward Kiryat Shmona", no one named or
        # hurt: ACLED's convention for an unnamed armed group
        actors.append(unidentified_group(country))
        tally.warnings.append(f"{where}: no side is named; coded as {actors[0].name!r}")
    if not actors:
        tally.warnings.append(f"{where} was dropped: no side of it is named in the article")
        return None
    if (actors[0].type is ActorType.civilians or unnamed_attacker) and (
        spot.event_type in _VICTIMS_ONLY
    ):
        # the attacker is not named: ACLED's convention for an unnamed armed group
        actors = [unidentified_group(country), actors[0]]
        tally.warnings.append(f"{where}: the attacker is not named; coded as {actors[0].name!r}")
    figures_total, parts = checked_toll(
        getattr(details, "fatalities", None), own, language_of(article.text), where, tally.warnings
    )
    source = unclosed_cut(getattr(details, "source", None) or "") or None
    if source and not in_article(source, folded_text):
        spelt = article_spelling(source, text)
        if spelt is None:
            tally.warnings.append(f"{where}: source {source!r} is not in the article; removed")
        source = spelt
    if source and fold_name(source) in {fold_name(country_name(c) or "") for c in countries}:
        tally.warnings.append(f"{where}: source {source!r} is a country, not a source; removed")
        source = None
    said = next((found for s in own if (found := attribution(undated(s)))), None)
    if source is None and said:
        source = said
        tally.warnings.append(f"{where}: source {said!r}, as its sentences attribute it")
    if source and (body := named_source(source, own_text, text)):
        tally.warnings.append(f"{where}: source {body!r}, for {source!r}")
        source = body
    event_type = spot.event_type
    if (
        event_type is EventType.violence_against_civilians
        and (describes_protest(own_text) or any(a.type is ActorType.protesters for a in actors))
        and not names_armed_group(own_text)
    ):
        event_type = EventType.protests
        tally.warnings.append(f"{where}: coded as a protest (force used on protesters)")
    # a lead that names this event's place, and no other, tells of it too (what its crowd did)
    at_place = [by_id[i].text for i in spot.ids if i in leads and names_one_place(by_id[i].text)
                and in_article(location.name, fold_name(by_id[i].text))]  # fmt: skip
    event_type = _riot_or(event_type, " ".join([told, *at_place]), where, tally)
    # not asked where code takes the kind from the words (codebook_kind ignores it there)
    model_kind = SubEventType(getattr(details, "sub_event_type", SubEventType.other))
    # a headline sums up every event ("kill nine workers ..., abduct two teachers"): the
    # body's sentences tell an attack's kind
    title = {s.id for s in headline(list(by_id.values()))}
    body_told = " ".join(by_id[i].text for i in spot.ids if i not in title)
    kind_text = own_text
    if event_type is EventType.violence_against_civilians and body_told:
        kind_text = body_told
    sub = codebook_kind(event_type, model_kind, kind_text, actors[0].type is ActorType.state_forces)
    if sub is not model_kind:
        tally.warnings.append(
            f"{where}: sub-event type {sub.value}, as its sentences describe it (the model "
            f"said {model_kind.value})"
        )
    actors = coded_sides(event_type, sub, actors, own_text, country, where, tally.warnings)
    allies = ([], []) if event_type in _CROWDS else associated_forces(own_text, actors)
    if allies[0] or allies[1]:
        tally.warnings.append(f"{where}: associated actors {[*allies[0], *allies[1]]}, as its "
                              "sentences tell them taking part")  # fmt: skip
    if event_type is EventType.strategic_developments and figures_total is not None:
        tally.warnings.append(f"{where}: a strategic development carries no toll")
        figures_total, parts = None, []
    draft = EventDraft(
        event_type=event_type,
        sub_event_type=sub,
        date_text=spot.date_text,
        location=location,
        actor1=actors[0],
        actor2=actors[1] if len(actors) > 1 else None,
        assoc_actor1=allies[0],
        assoc_actor2=allies[1],
        fatalities=Fatalities(
            total=figures_total,
            breakdown=[CasualtyCount(count=n, side=who) for n, who in parts],
            civilians=None,
            reported_by=source if figures_total is not None else None,
        ),
        sources=sources_of(source, undated(own_text), text),
        evidence=[s[:400] for s in own[:3]],
    )
    date, precision = resolve_date(spot.date_text, article.published)
    if date is None and spot.date_text and article.published is None:
        tally.warnings.append(
            f"date of {spot.date_text!r} not resolved: no publication date (pass published=)"
        )
    notes = event_notes(draft, date if precision == 1 else None)
    return Event(**draft.model_dump(), date=date, time_precision=precision, notes=notes)


def _riot_or(event_type: EventType, own: str, where: str, tally: _Tally) -> EventType:
    """ACLED's riots: a mob's violence whoever its victims, and a demonstration whose
    participants turn violent; the event's type otherwise."""
    if event_type in _MOB_TYPES and describes_mob_violence(own):
        tally.warnings.append(f"{where}: coded as a riot (mob violence)")
        return EventType.riots
    if event_type is EventType.protests and describes_rioting(own):
        tally.warnings.append(f"{where}: coded as a riot (the demonstrators used violence)")
        return EventType.riots
    return event_type


_CROWDS = frozenset({EventType.protests, EventType.riots})
_MOB_TYPES = frozenset(
    {EventType.protests, EventType.violence_against_civilians, EventType.riots, EventType.battles}
)
