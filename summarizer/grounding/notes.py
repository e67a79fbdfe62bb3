"""Compose an event's ``notes``: one neutral sentence built from validated fields only.

The model never writes notes, so they cannot carry a side's vocabulary: names come from
the (lexicon-checked) actor fields, figures from the (grounded) fatalities.
"""

from __future__ import annotations

import datetime as dt
import re

from summarizer.schema import EventDraft, SubEventType

__all__ = ["event_notes"]

_WHAT = {
    SubEventType.government_regains_territory: "regained territory from",
    SubEventType.non_state_actor_overtakes_territory: "took territory from",
    SubEventType.armed_clash: "clashed with",
    SubEventType.air_drone_strike: "carried out air or drone strikes against",
    SubEventType.shelling_artillery_missile_attack: "shelled or fired missiles at",
    SubEventType.attack: "attacked",
    SubEventType.abduction_forced_disappearance: "abducted",
    SubEventType.arrests: "arrested",
    SubEventType.agreement: "reached an agreement with",
    SubEventType.chemical_weapon: "used chemical weapons against",
    SubEventType.suicide_bomb: "carried out a suicide bombing against",
    SubEventType.remote_explosive_landmine_ied: "set off an explosive device against",
    SubEventType.grenade: "threw a grenade at",
    SubEventType.sexual_violence: "committed sexual violence against",
    SubEventType.peaceful_protest: "demonstrated peacefully",
    SubEventType.protest_with_intervention: "demonstrated and were dispersed by",
    SubEventType.excessive_force_against_protesters: "demonstrated and met lethal force from",
    SubEventType.violent_demonstration: "demonstrated violently against",
    SubEventType.mob_violence: "attacked",
    SubEventType.change_to_group_activity: "changed its activity concerning",
    SubEventType.disrupted_weapons_use: "disrupted weapons use by",
    SubEventType.headquarters_or_base_established: "set up a base",
    SubEventType.looting_property_destruction: "looted or destroyed property of",
    SubEventType.non_violent_transfer_of_territory: "took over territory without fighting from",
    SubEventType.other: "took a non-violent step concerning",
}


# tear gas in the languages the extraction reads: how a crowd was dispersed
_TEAR_GAS = re.compile(
    r"\btear ?gas|\bgaz lacrymog|\bgas(?:es)? lacrim|\bg[áa]s lacrim|\bbombas? lacrim|"
    r"\btr[äa]nengas|\bgas lacrimogen|\blacrimog[èe]n",
    re.IGNORECASE,
)
_DISPERSED = frozenset(
    {SubEventType.protest_with_intervention, SubEventType.excessive_force_against_protesters}
)


_JOINS = (" from", " with", " against", " at", " by", " of", " concerning")


# words of time an English sentence can open with as the article puts them
_ENGLISH_TIME = re.compile(
    r"\b(?:on|in|at|late|early|last|this|mon|tues|wednes|thurs|fri|satur|sun)day\b|"
    r"\b(?:yesterday|today|tonight|overnight|nights?|mornings?|afternoons?|evenings?|weeks?|"
    r"weekend|jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b",
    re.IGNORECASE,
)


def _when(date_text: str, date: dt.date | None) -> str:
    """The day as the notes tell it: the article's words when they are English, else the
    resolved date in English, with only the numbers the article gave ("am Mittwoch" ->
    "On Wednesday", "le 14 mai" -> "On 14 May"), else the words."""
    if date is not None and date_text and not _ENGLISH_TIME.search(date_text):
        if re.search(r"\d", date_text):
            return f"On {date.day} {date:%B}"
        return f"On {date:%A}"
    return f"{date_text[:1].upper()}{date_text[1:]}"


def event_notes(event: EventDraft, date: dt.date | None = None) -> str:
    """'On Saturday in Kafr Zita (Hama), A clashed with B; 55 killed according to X.'
    With the resolved ``date``, a day in another language is told as that date."""
    where = event.location.name
    if event.location.admin1 and event.location.admin1 != where:
        where += f" ({event.location.admin1})"
    verb = _WHAT[event.sub_event_type]
    other = event.actor2.name if event.actor2 else None
    if other is None and verb.endswith(_JOINS):
        verb = verb.rsplit(" ", 1)[0]
    if other and event.assoc_actor2:
        other += " (with " + " and ".join(event.assoc_actor2) + ")"
    first = event.actor1.name
    if event.assoc_actor1:
        first += ", with " + " and ".join(event.assoc_actor1) + ","
    action = f"{first} {verb}" + (f" {other}" if other else "")
    if event.sub_event_type in _DISPERSED and _TEAR_GAS.search(" ".join(event.evidence)):
        action += " with tear gas"  # the evidence says so, in the article's language
    day = f"{_when(event.date_text, date)}, in" if event.date_text else "In"
    sentence = f"{day} {where}: {action}"
    fat = event.fatalities
    if fat.total is not None:
        sentence += "; one killed" if fat.total == 1 else f"; {fat.total} killed"
        if fat.breakdown:
            sentence += " (" + ", ".join(f"{p.count} {p.side}" for p in fat.breakdown) + ")"
        if fat.reported_by:
            sentence += f", according to {fat.reported_by}"
    else:
        source = event.sources[0] if event.sources else None
        sentence += f", according to {source}" if source else ""
        sentence += "; no death toll reported"
    return sentence.replace("  ", " ").rstrip(".") + "."
