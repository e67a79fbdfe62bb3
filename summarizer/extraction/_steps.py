"""The questions of the step pipeline: their templates and the answers' schemas.

Every question shares one prefix, the system rules and the numbered article, so the
server's prompt cache reads the article once per article; the question comes last.
Answers are short and mostly choices: sentence ids, enumerations, and figures chosen
from a list the program found (a JSON Schema ``enum``), never free numbers.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from typing import Any, Literal

import jinja2
from pydantic import BaseModel, ConfigDict, Field, create_model

from summarizer.errors import ConfigurationError
from summarizer.extraction._codebook import KIND_BY_WORDS
from summarizer.llm.prompts import prompts_dir, template_environment
from summarizer.schema import SUB_EVENT_TYPES, ActorType, EventType, SubEventType

__all__ = [
    "LABELS",
    "SUB_TYPE_MEANINGS",
    "ActorMention",
    "StepPrompts",
    "SummaryDraft",
    "classify_model",
    "defused",
    "details_model",
    "is_steps_version",
    "load_step_prompts",
]

FENCE = "<<<ARTICLE>>>"
FENCE_END = "<<<END ARTICLE>>>"
_PARTS = ("system", "article", "classify", "details", "summary")

SUB_TYPE_MEANINGS: dict[SubEventType, str] = {
    SubEventType.government_regains_territory: "state forces take back a place",
    SubEventType.non_state_actor_overtakes_territory: "a non-state group takes a place",
    SubEventType.armed_clash: "fighting without a change of control",
    SubEventType.chemical_weapon: "chemical weapons",
    SubEventType.air_drone_strike: "from aircraft or drones",
    SubEventType.suicide_bomb: "a suicide bomber",
    SubEventType.shelling_artillery_missile_attack: "shells, artillery, mortars, rockets or "
    "missiles",
    SubEventType.remote_explosive_landmine_ied: "roadside bombs, IEDs, car bombs, landmines",
    SubEventType.grenade: "a grenade",
    SubEventType.sexual_violence: "rape or sexual assault",
    SubEventType.attack: "civilians killed, shot, beaten or hurt",
    SubEventType.abduction_forced_disappearance: "people abducted, kidnapped or disappeared",
    SubEventType.excessive_force_against_protesters: "protesters killed or shot with live fire",
    SubEventType.protest_with_intervention: "dispersed with tear gas, batons or arrests",
    SubEventType.peaceful_protest: "no one intervened",
    SubEventType.violent_demonstration: "demonstrators burn, loot or fight",
    SubEventType.mob_violence: "a crowd attacks people",
    SubEventType.agreement: "an agreement, deal or ceasefire",
    SubEventType.arrests: "people arrested or detained",
    SubEventType.change_to_group_activity: "a group changes its activity",
    SubEventType.disrupted_weapons_use: "weapons seized, defused or shot down",
    SubEventType.headquarters_or_base_established: "a base set up",
    SubEventType.looting_property_destruction: "looting or destruction of property",
    SubEventType.non_violent_transfer_of_territory: "a place handed over without fighting",
    SubEventType.other: "anything else",
}


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


LABELS: dict[str, EventType | None] = {
    "battle": EventType.battles,
    "explosion": EventType.explosions_remote_violence,
    "attack_on_civilians": EventType.violence_against_civilians,
    "protest": EventType.protests,
    "riot": EventType.riots,
    "development": EventType.strategic_developments,
    "background": None,
}


@functools.cache
def classify_model(ids: tuple[int, ...]) -> type[BaseModel]:
    """The answer schema of the classify question: one label per candidate sentence,
    keyed by its number."""
    labels = tuple(LABELS)
    fields: dict[str, Any] = {
        f"s{i}": (Literal[labels], Field(alias=str(i), description=f"Label of sentence {i}."))
        for i in ids
    }
    return create_model(
        "Classification", __base__=_Answer, __doc__="A label per sentence.", **fields
    )


class ActorMention(_Answer):
    """One side of an event, as the article names it."""

    name: str = Field(max_length=60, description="The side, named as the article names it.")
    type: ActorType = Field(description="ACLED actor type.")


class SummaryDraft(_Answer):
    """A neutral summary in English."""

    headline: str = Field(max_length=120, description="At most 12 words.")
    text: str = Field(max_length=700, description="2 or 3 sentences, at most 70 words.")


@functools.cache
def details_model(
    event_type: EventType, figures: tuple[int, ...], *, kind: bool = True
) -> type[BaseModel]:
    """The answer schema for one event of ``event_type`` whose sentences give ``figures``:
    its sub-event type (when ``kind``) one of that type's in the codebook, its toll one
    of the figures (or null)."""
    subs = tuple(s.value for s in SUB_EVENT_TYPES[event_type])
    fields: dict[str, Any] = {
        "place": (str, Field(max_length=60, description="Where, as the article names it.")),
    }
    if kind:
        fields["sub_event_type"] = (Literal[subs], Field(description="ACLED sub-event type."))
    fields |= {
        "actor1": (ActorMention, Field(description="The side that acted.")),
        "actor2": (ActorMention | None, Field(description="The other side, or null.")),
    }
    if figures:
        fields["fatalities"] = (
            Literal[figures] | None,
            Field(description="Killed in this event: one of the figures, or null."),
        )
    fields["source"] = (
        str | None,
        Field(max_length=80, description="Who reported it, as the article says; or null."),
    )
    return create_model("EventDetails", __base__=_Answer, __doc__="Details of one event.", **fields)


def is_steps_version(version: str) -> bool:
    """Whether prompt ``version`` of the extract task is a step pipeline."""
    return (prompts_dir() / "extract" / f"{version}.details.j2").is_file()


_MARKER = re.compile(r"<<<\s*(?:END\s+)?ARTICLE\s*>>>", re.IGNORECASE)


def defused(text: str) -> tuple[str, int]:
    """``text`` with anything that looks like the article fence's markers neutralised (an
    article cannot close its own fence), and how many there were."""
    return _MARKER.subn("[fence marker removed]", text)


# the versions whose details question asks every event's sub-event type (v11 is v7 with
# a summary question that names a non-English article's language)
_ASKS_EVERY_KIND = frozenset({"v6", "v7", "v11"})


@dataclass(frozen=True)
class StepPrompts:
    """The templates of one step-pipeline version (``prompts/extract/<version>.*.j2``)."""

    version: str
    sources: tuple[str, ...]  # in the order of _PARTS

    @property
    def labels_by_code(self) -> bool:
        """Whether code labels the sentences (v7 on: the version has no classify
        question) rather than the model (v6)."""
        return not self.sources[_PARTS.index("classify")]

    def asks_kind(self, event_type: EventType) -> bool:
        """Whether the details question asks the model for the event's sub-event type:
        v6, v7 and v11 ask it of every event; v9 and v10 only where code does not take it
        from the event's words (:data:`~._codebook.KIND_BY_WORDS`), to save the kinds' list
        and the answer's tokens."""
        return self.version in _ASKS_EVERY_KIND or event_type not in KIND_BY_WORDS

    @property
    def sha256(self) -> str:
        """First 16 hex digits of the SHA-256 of all its templates."""
        return hashlib.sha256("\0".join(self.sources).encode()).hexdigest()[:16]

    @functools.cached_property
    def _templates(self) -> dict[str, jinja2.Template]:
        env = template_environment(prompts_dir())
        return {part: env.from_string(src) for part, src in zip(_PARTS, self.sources, strict=True)}

    def render(self, part: str, **values: Any) -> str:
        """Render one template (``system``, ``article``, ``spot``, ``details``, ``summary``)."""
        return self._templates[part].render(fence=FENCE, fence_end=FENCE_END, **values).strip()


@functools.cache
def load_step_prompts(version: str) -> StepPrompts:
    """The step templates of ``version``; ConfigurationError if one is missing (the
    classify question is optional: without it code labels the sentences)."""
    root = prompts_dir() / "extract"
    sources = []
    for part in _PARTS:
        path = root / f"{version}.{part}.j2"
        if part == "classify" and not path.is_file():
            sources.append("")
            continue
        if not path.is_file():
            raise ConfigurationError(f"prompt template {path} is missing")
        sources.append(path.read_text(encoding="utf-8"))
    return StepPrompts(version, tuple(sources))
