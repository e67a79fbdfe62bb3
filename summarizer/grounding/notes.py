"""Compose an event's ``notes``: one neutral sentence built from validated fields only.

The model never writes notes, so they cannot carry a side's vocabulary: names come from
the (lexicon-checked) actor fields, figures from the (grounded) fatalities.
"""

from __future__ import annotations

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
}


def event_notes(event: EventDraft) -> str:
    """'On Saturday in Kafr Zita (Hama), A clashed with B; 55 killed according to X.'"""
    where = event.location.name
    if event.location.admin1 and event.location.admin1 != where:
        where += f" ({event.location.admin1})"
    verb = _WHAT.get(event.sub_event_type, f"— {event.sub_event_type.value.replace('_', ' ')} —")
    other = event.actor2.name if event.actor2 else None
    if other is None and verb.endswith((" from", " with", " against", " at")):
        verb = verb.rsplit(" ", 1)[0]
    action = f"{event.actor1.name} {verb}" + (f" {other}" if other else "")
    day = f"{event.date_text[:1].upper()}{event.date_text[1:]}, in" if event.date_text else "In"
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
