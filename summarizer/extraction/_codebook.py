"""ACLED's coding rules that code applies better than a small model: the event type the
codebook gives for what the sentences describe, and the kind of explosive weapon."""

from __future__ import annotations

import re

from summarizer.schema import EventType, SubEventType

__all__ = ["codebook_type", "explosive_kind", "lexicon_type"]


# ACLED: explosives of any kind, whoever the victims, make explosions/remote violence.
_EXPLOSIVE = re.compile(
    r"\b(?:shell(?:s|ing|ed)|air ?strikes?|airstrikes?|drones?|bomb(?:s|ing|ed|ings)?|"
    r"missiles?|rockets?|artillery|mortars?|grenades?|IEDs?|explosi\w+|blasts?|air raids?|"
    r"bombard\w*|landmines?|obus|frappes? a[ée]riennes?|bombes?|bombardement\w*|roquettes?|"
    r"explosi[óo]n\w*|bombas?|misil\w*|cohetes?|morteros?|bombarde\w*)\b",
    re.IGNORECASE,
)
_FIGHTING = re.compile(
    r"\b(?:fight\w*|fought|clash\w*|battl\w*|gunfight|firefight|seiz\w*|captur\w*|retook|retake\w*|"
    r"overran|repel\w*|assault\w*|combat\w*|affrontements?|combats?|enfrentamientos?|"
    r"combates?)\b",
    re.IGNORECASE,
)


_VIOLENT = frozenset(
    {EventType.battles, EventType.explosions_remote_violence, EventType.violence_against_civilians}
)


def lexicon_type(event_type: EventType, sentence: str) -> EventType:
    """The type of a sentence the model labelled as violent, by its words: fighting makes
    a battle, an explosive weapon explosions/remote violence (the codebook's rule, which
    a small model often breaks for strikes that kill civilians); otherwise the model's."""
    if event_type not in _VIOLENT:
        return event_type
    if _FIGHTING.search(sentence):
        return EventType.battles
    if _EXPLOSIVE.search(sentence):
        return EventType.explosions_remote_violence
    return event_type


def codebook_type(event_type: EventType, own: list[str]) -> EventType:
    """The event type the codebook gives when the model's contradicts the sentences:
    an attack on civilians with explosives is explosions/remote violence; "explosions"
    with no explosive named and fighting described is a battle."""
    lead = own[0] if own else ""
    text = " ".join(own)
    if event_type is EventType.violence_against_civilians and _EXPLOSIVE.search(lead):
        return EventType.explosions_remote_violence
    if (
        event_type is EventType.explosions_remote_violence
        and not _EXPLOSIVE.search(text)
        and _FIGHTING.search(text)
    ):
        return EventType.battles
    return event_type


_EXPLOSIVE_KIND = [
    (re.compile(r"\b(?:air ?strikes?|airstrikes?|drones?|air raids?|warplanes?|aircraft|"
                r"frappes? a[ée]riennes?|drones?|bombardeo a[ée]reo)\b", re.I),
     SubEventType.air_drone_strike),
    (re.compile(r"\b(?:IEDs?|roadside|landmines?|car bombs?|explosive devices?|mines?)\b", re.I),
     SubEventType.remote_explosive_landmine_ied),
    (re.compile(r"\bgrenades?\b", re.I), SubEventType.grenade),
    (re.compile(r"\bsuicide\b", re.I), SubEventType.suicide_bomb),
]  # fmt: skip


def explosive_kind(text: str) -> SubEventType:
    for pattern, kind in _EXPLOSIVE_KIND:
        if pattern.search(text):
            return kind
    return SubEventType.shelling_artillery_missile_attack
