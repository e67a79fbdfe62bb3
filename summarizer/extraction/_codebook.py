"""ACLED's coding rules that code applies better than a small model: the event type the
codebook gives for what the sentences describe, and the kind of explosive weapon."""

from __future__ import annotations

import re

from summarizer.schema import EventType, SubEventType

__all__ = [
    "codebook_kind",
    "describes_protest",
    "describes_violence_against_civilians",
    "explosive_kind",
    "lexicon_type",
]


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


def _words(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_CAPTURE = _words(
    r"\b(?:seiz\w*|captur\w*|retook|retak\w*|recaptur\w*|took (?:full )?control|"
    r"overr[au]n|fell to|prise? de|pris le contr[ôo]le|tom[óo] el control|"
    r"se apoder\w*)\b"
)
_ABDUCTION = _words(
    r"\b(?:abduct\w*|kidnap\w*|hostages?|disappear\w*|secuestr\w*|enlev\w*|"
    r"otages?|rapt)\b"
)
_SEXUAL = _words(r"\b(?:rap(?:e|ed|ing)|sexual\w*|viol(?:ée?s?)?|violaci[óo]n)\b")
_DEADLY_FORCE = _words(
    r"\b(?:killed|shot dead|live (?:fire|ammunition|rounds)|muert\w*|tu[ée]s?)\b"
)
_INTERVENTION = _words(
    r"\b(?:tear ?gas|dispers\w*|water cannon|arrest\w*|detain\w*|batons?|"
    r"rubber bullets|gaz lacrymog\w*|gases? lacrim\w*|fired (?:shots|warning))\b"
)
_MOB = _words(r"\b(?:mobs?|lynch\w*|vigilantes?|lincha\w*)\b")
_ARREST = _words(r"\b(?:arrest\w*|detain\w*|arr[êe]t\w*|interpell\w*|detenid\w*|captur[óo])\b")
_AGREEMENT = _words(
    r"\b(?:ceasefire|truce|agreement|accords?|deal|signed|acuerdo|tregua|"
    r"cessez-le-feu|peace talks)\b"
)
_DESTRUCTION = _words(
    r"\b(?:loot\w*|torch\w*|set (?:on )?fire|burn(?:ed|t)|destroy\w*|pill\w*|"
    r"saque\w*)\b"
)
_CHEMICAL = _words(r"\b(?:chemical|chlorine|sarin|mustard gas|nerve agent)\b")
_CIVILIAN_HARM = _words(
    r"\b(?:kill\w*|shot|shoot\w*|gunned|abduct\w*|kidnap\w*|massacr\w*|execut\w*|rap(?:e|ed)|"
    r"attack\w*|beat(?:en|ing)?|hacked|stabb\w*|murder\w*|assassin\w*|tortur\w*|burn(?:ed|t) "
    r"alive|slain|hostages?|muert\w*|asesin\w*|secuestr\w*|atac\w*|tu[ée]s?|enlev\w*|"
    r"attaqu\w*|abattu\w*)\b"
)


def describes_violence_against_civilians(text: str) -> bool:
    """Whether sentences describe people killed, hurt, abducted or attacked (a small model
    labels much else "attack on civilians": opinions, quotes, statements)."""
    return _CIVILIAN_HARM.search(text) is not None


def codebook_kind(
    event_type: EventType, model_kind: SubEventType, text: str, actor1_is_state: bool
) -> SubEventType:
    """The sub-event type the codebook gives for what ``text`` describes, where its words
    decide it; the model's choice otherwise."""
    if event_type is EventType.explosions_remote_violence:
        return SubEventType.chemical_weapon if _CHEMICAL.search(text) else explosive_kind(text)
    if event_type is EventType.battles:
        if not _CAPTURE.search(text):
            return SubEventType.armed_clash
        return (
            SubEventType.government_regains_territory
            if actor1_is_state
            else SubEventType.non_state_actor_overtakes_territory
        )
    if event_type is EventType.violence_against_civilians:
        if _SEXUAL.search(text):
            return SubEventType.sexual_violence
        return (
            SubEventType.abduction_forced_disappearance
            if _ABDUCTION.search(text)
            else (SubEventType.attack)
        )
    if event_type is EventType.protests:
        if _DEADLY_FORCE.search(text):
            return SubEventType.excessive_force_against_protesters
        if _INTERVENTION.search(text):
            return SubEventType.protest_with_intervention
        return SubEventType.peaceful_protest
    if event_type is EventType.riots:
        return (
            SubEventType.mob_violence if _MOB.search(text) else SubEventType.violent_demonstration
        )
    for pattern, kind in (
        (_ARREST, SubEventType.arrests),
        (_AGREEMENT, SubEventType.agreement),
        (_DESTRUCTION, SubEventType.looting_property_destruction),
    ):
        if pattern.search(text):
            return kind
    return model_kind


_PROTEST = _words(
    r"\b(?:protest\w*|demonstrat\w*|marchers|rall(?:y|ies|ied)|sit-in|manifest\w*|"
    r"marcha\w*)\b"
)


def describes_protest(text: str) -> bool:
    """Whether sentences are about a protest (the codebook codes force used on
    protesters as a protest event, not as violence against civilians)."""
    return _PROTEST.search(text) is not None
