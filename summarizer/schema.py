"""The record: pydantic models of an ArticleReport (schema version 1).

Two layers share one set of field definitions:

* the *draft* models (:class:`Extraction` and what it holds) are what the LLM fills in.
  Their field descriptions are rendered into the prompt, and their JSON Schema
  constrains generation, so every list and string is bounded: an unbounded field
  lets a small model loop until ``max_tokens``;
* the *record* models (:class:`ArticleReport`, :class:`Event`, :class:`ArticleInfo`)
  add what the program computes itself: resolved dates, outlet, publication date
  and provenance.

Enumerations follow the ACLED codebook, written in snake_case. Every model forbids
extra keys. The models validate shape only, so stored records load anywhere; the
grounding checks that need the source text attach outside this module (see
:mod:`summarizer.grounding.grounded`) and return their repairs and warnings as values.
The codebook tables live in :mod:`summarizer._codebook` and are re-exported here.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from summarizer._codebook import (
    SUB_EVENT_TYPES,
    ActorType,
    EventType,
    SubEventType,
    parent_event_type,
)

__all__ = [
    "SCHEMA_VERSION",
    "SUB_EVENT_TYPES",
    "Actor",
    "ActorType",
    "ArticleInfo",
    "ArticleMeta",
    "ArticleReport",
    "CasualtyCount",
    "Event",
    "EventDraft",
    "EventType",
    "Extraction",
    "Fatalities",
    "Location",
    "PromptInfo",
    "Provenance",
    "SubEventType",
    "Summary",
    "Usage",
    "fit_summary",
    "parent_event_type",
]

SCHEMA_VERSION = 1


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=False)


# --------------------------------------------------------------------------- drafts


_SUMMARY_MAX_CHARS = 900


class Summary(_Model):
    """The neutral summary."""

    headline: str = Field(
        max_length=140,
        description="A neutral headline of at most 15 words, in your own words; no loaded "
        "terms such as 'regime' or 'terrorists'.",
    )
    text: str = Field(
        max_length=_SUMMARY_MAX_CHARS,
        description="2 to 4 sentences, at most 120 words, in your own words (never copy a "
        "sentence). Attribute every figure and claim ('according to the Syrian Observatory "
        "for Human Rights', 'state news agency SANA said'). Neutral words ('government "
        "forces'); a side's labels only inside quotation marks.",
    )

    @field_validator("text")
    @classmethod
    def _length(cls, text: str) -> str:
        """2-4 sentences and at most 120 words: see :func:`fit_summary`."""
        return fit_summary(text)[0]


def fit_summary(text: str) -> tuple[str, str | None]:
    """``text`` cut back to its leading whole sentences, never mid-sentence, to fit 2-4
    sentences, 120 words and the field's 900 characters, and a note of the cut (None when
    nothing was cut).

    Raises ValueError when fewer than two whole sentences fit.
    """
    sentences = [s for s in re.split(r"(?<=[.!?])[\"”’]?\s+", text.strip()) if s]
    kept: list[str] = []
    by_chars = False
    for sentence in sentences[:4]:
        joined = " ".join([*kept, sentence])
        by_chars = len(joined) > _SUMMARY_MAX_CHARS
        if len(joined.split()) > 120 or by_chars:
            break
        kept.append(sentence)
    if len(kept) < 2:
        raise ValueError(
            f"the summary must be 2 to 4 sentences of at most 120 words in all; it has "
            f"{len(sentences)} sentences and {len(text.split())} words"
        )
    if len(kept) < len(sentences):
        note = (
            f"summary cut from {len(sentences)} to {len(kept)} sentences "
            f"({len(text.split())} words) to fit 4 sentences / 120 words"
            + (f" / {_SUMMARY_MAX_CHARS} characters" if by_chars else "")
        )
        return " ".join(kept), note
    return text, None


class ArticleMeta(_Model):
    """What the article says about itself."""

    title: str | None = Field(
        max_length=200,
        description="The article's headline if the text contains one, else null.",
    )
    wire: str | None = Field(
        max_length=40,
        description="News agency that wrote the story if the text names it as author "
        "(AFP, Reuters, AP), else null.",
    )
    dateline: str | None = Field(
        max_length=40,
        description="Dateline place at the start of the body (e.g. 'BEIRUT'), else null.",
    )
    language: str = Field(
        pattern=r"^[a-z]{2}$", description="ISO 639-1 code of the article's language."
    )


class Location(_Model):
    """Where an event happened."""

    name: str = Field(
        max_length=80,
        description="The most specific place named for this event: town, village, city "
        "district; the province only if no smaller place is named.",
    )
    admin1: str | None = Field(
        max_length=60,
        description="Province or governorate, e.g. 'Idlib', 'Aleppo'.",
    )
    admin2: str | None = Field(
        max_length=60, description="Second-level unit (district) if known, else null."
    )
    country: str = Field(max_length=60, description="Country name, e.g. 'Syria'.")
    geo_precision: int = Field(
        ge=1,
        le=3,
        description="1 town or village named; 2 near a town or part of a region; 3 only a "
        "province or larger.",
    )


class Actor(_Model):
    """One side of an event."""

    name: str = Field(
        max_length=80,
        description="Neutral name as ACLED writes it: 'Military Forces of Syria', 'Hayat "
        "Tahrir al-Sham', 'Islamic State', 'Civilians (Syria)'; never 'regime' or 'terrorists'.",
    )
    type: ActorType = Field(
        description="state_forces (a government's forces), rebel_group (armed opposition, "
        "jihadist groups), external_other_forces (foreign militaries, coalitions), or another "
        "ACLED actor type."
    )


class CasualtyCount(_Model):
    """Deaths on one side of an event."""

    side: str = Field(
        max_length=80,
        description="Who died, e.g. 'pro-government forces', 'Hayat Tahrir al-Sham and "
        "allied rebels', 'civilians'.",
    )
    count: int = Field(ge=0, le=100_000, description="Number killed on that side.")


class Fatalities(_Model):
    """Deaths in one event, as reported."""

    total: int | None = Field(
        ge=0,
        le=100_000,
        description="Total killed in THIS event, a number written in the article. null when "
        "the article gives no figure; 0 only when it says nobody died. With conflicting "
        "reports, the lowest. Injured are not fatalities.",
    )
    breakdown: list[CasualtyCount] = Field(
        max_length=4,
        description="Per-side subtotals of the total ('12 killed, 5 of them soldiers' -> one "
        "event, total 12, breakdown 5 soldiers and 7 others). Empty if not given.",
    )
    civilians: int | None = Field(
        ge=0, le=100_000, description="Civilians among the dead, if stated, else null."
    )
    reported_by: str | None = Field(
        max_length=80,
        description="Who gave the figure (e.g. 'Syrian Observatory for Human Rights'), else null.",
    )


class EventDraft(_Model):
    """One event: one date, one location, one event type."""

    event_type: EventType = Field(description="ACLED event type.")
    sub_event_type: SubEventType = Field(description="ACLED sub-event type of that event type.")
    date_text: str = Field(
        max_length=60,
        description="When, in the article's words: 'Saturday', 'at dawn on Sunday', 'last week'.",
    )
    location: Location = Field(description="Where the event happened.")
    actor1: Actor = Field(description="One side (not necessarily the aggressor).")
    actor2: Actor | None = Field(
        description="The other side, or null (e.g. a unilateral announcement)."
    )
    assoc_actor1: list[str] = Field(
        max_length=3,
        description="Allies fighting with actor1 (e.g. 'Military Forces of "
        "Russia'); empty if none.",
    )
    assoc_actor2: list[str] = Field(
        max_length=3, description="Allies fighting with actor2; empty if none."
    )
    fatalities: Fatalities = Field(description="Deaths reported for this event.")
    sources: list[str] = Field(
        max_length=4,
        description="Who the article attributes this event to (a monitor, agency, "
        "spokesperson); empty if unattributed.",
    )
    evidence: list[Annotated[str, StringConstraints(max_length=400)]] = Field(
        min_length=1,
        max_length=3,
        description="1 to 3 sentences of the article, copied word for word, that report "
        "this event.",
    )

    @model_validator(mode="after")
    def _sub_type_belongs(self) -> EventDraft:
        if parent_event_type(self.sub_event_type) is not self.event_type:
            raise ValueError(
                f"sub_event_type {self.sub_event_type.value} belongs to event_type "
                f"{parent_event_type(self.sub_event_type).value}, not {self.event_type.value}"
            )
        return self


class Extraction(_Model):
    """What the LLM returns for one article: summary first, then metadata, then events."""

    article: ArticleMeta = Field(description="The article itself.")
    events: list[EventDraft] = Field(
        max_length=8,
        description="New events the article reports, one per (date, location, event type); "
        "empty if none.",
    )
    summary: Summary = Field(description="The neutral summary.")


# --------------------------------------------------------------------------- record


class ArticleInfo(ArticleMeta):
    """The article: what it says about itself plus what the caller or page told us."""

    outlet: str | None = Field(
        max_length=120, description="Site or paper the text came from, if known."
    )
    published: dt.date | None = Field(
        description="Publication date: given by the caller, the page metadata or the text."
    )
    url: str | None = Field(max_length=2000, description="Where the article was fetched from.")


class Event(EventDraft):
    """An event of the record: the draft plus what the program derives from it."""

    notes: str = Field(
        max_length=600,
        description="One neutral sentence composed from the validated fields: who, what, "
        "where, when, and the reported toll with its source.",
    )

    date: dt.date | None = Field(
        description="Calendar date resolved from date_text and the publication date; null "
        "when it cannot be resolved."
    )
    time_precision: int = Field(
        ge=1, le=3, description="ACLED time precision: 1 day, 2 week, 3 month or vaguer."
    )


class Usage(_Model):
    """Tokens used, summed over every attempt."""

    prompt_tokens: int = Field(default=0, ge=0, description="Prompt tokens.")
    completion_tokens: int = Field(default=0, ge=0, description="Completion tokens.")
    total_tokens: int = Field(default=0, ge=0, description="Prompt plus completion tokens.")
    cached_prompt_tokens: int = Field(
        default=0,
        ge=0,
        description="Of the prompt tokens, those the server took from its prompt cache "
        "instead of reading them (0 where the endpoint does not say).",
    )

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            total_tokens=self.total_tokens + other.total_tokens,
            cached_prompt_tokens=self.cached_prompt_tokens + other.cached_prompt_tokens,
        )


class PromptInfo(_Model):
    """Which prompt produced the record."""

    name: str = Field(description="Prompt task name, e.g. 'extract'.")
    version: str = Field(description="Prompt version, e.g. 'v1'.")
    sha256: str = Field(description="First 16 hex digits of the templates' SHA-256.")


class Provenance(_Model):
    """How the record was made."""

    model: str = Field(description="Model name at the endpoint.")
    endpoint_host: str = Field(description="Endpoint host ('embedded' for the local server).")
    prompt: PromptInfo = Field(description="Prompt name, version and hash.")
    schema_version: int = Field(description="Schema version of the record.")
    attempts: int = Field(ge=1, description="Completions requested (first try plus re-asks).")
    usage: Usage = Field(
        description="Tokens summed over every request made for the article: each question, "
        "re-asks and failed answers included."
    )
    latency_seconds: float = Field(ge=0, description="Wall time of the LLM calls.")
    removed_chars: int = Field(ge=0, description="Characters removed by cleaning.")
    source_sha256: str = Field(description="SHA-256 of the cleaned text sent to the model.")
    warnings: list[str] = Field(description="Non-fatal observations made while processing.")
    created_at: dt.datetime = Field(description="When the record was made (UTC).")
    summarizer_version: str = Field(description="Version of summarizer that made it.")


class ArticleReport(_Model):
    """A validated event record and neutral summary of one article."""

    schema_version: Literal[1] = Field(default=1, description="Version of this schema.")
    article: ArticleInfo = Field(description="The article.")
    events: list[Event] = Field(description="Events reported as new in the article.")
    summary: Summary = Field(description="Headline and 2-4 sentence neutral, attributed summary.")
    provenance: Provenance = Field(
        description="Model, prompt, attempts, tokens and timing behind this record."
    )
