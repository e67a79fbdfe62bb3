"""ACLED's coding rules that code applies better than a small model: the event type the
codebook gives for what the sentences describe, and the kind of explosive weapon."""

from __future__ import annotations

import re

from summarizer.schema import EventType, SubEventType

__all__ = [
    "codebook_kind",
    "describes_mob_violence",
    "describes_protest",
    "describes_rioting",
    "describes_violence_against_civilians",
    "explosive_kind",
    "label_by_words",
    "lexicon_type",
    "names_armed_group",
    "other_domain",
]


# ACLED: explosives of any kind, whoever the victims, make explosions/remote violence.
_EXPLOSIVE = re.compile(
    r"\b(?:shell(?:s|ing|ed)|air ?strikes?|airstrikes?|drones?|bomb(?:s|ing|ed|ings)?|"
    r"missiles?|rockets?|artillery|mortars?|grenades?|IEDs?|explosi\w+|blasts?|air raids?|"
    r"warplanes?|"
    r"bombard\w*|landmines?|obus|frappes? a[ée]riennes?|bombes?|bombardement\w*|roquettes?|"
    r"explosi[óo]n\w*|bombas?|misil\w*|cohetes?|morteros?|bombarde\w*)\b",
    re.IGNORECASE,
)
_FIGHTING = re.compile(
    r"\b(?:fight\w*|fought|clash\w*|battl\w*|gunfight|firefight|seiz\w*|captur\w*|retook|retake\w*|"
    r"overran|repel\w*|assault\w*|combat\w*|affrontements?|combats?|enfrentamientos?|"
    r"advanc(?:e|ed|es|ing)|offensive|(?:fresh|new|territorial) gains|took (?:full )?control|"
    r"combates?)\b",
    re.IGNORECASE,
)


_VIOLENT = frozenset(
    {EventType.battles, EventType.explosions_remote_violence, EventType.violence_against_civilians}
)


def lexicon_type(event_type: EventType, sentence: str) -> EventType | None:
    """The type of a labelled sentence by its words (a small model labels most sentences
    of an article "attack on civilians"); None when it is about another domain.

    * sport, markets or parliamentary politics told in words of war ("United were
      massacred", "bank shares took casualties") is no event;
    * a demonstration (or a riot: code tells the two apart from all of an event's
      sentences) is a protest, whoever used force on it;
    * for a violent label, fighting makes a battle and an explosive weapon
      explosions/remote violence, whichever the sentence names first (the codebook's
      rule, which a small model often breaks for strikes that kill civilians);
    * arrests with no one killed or attacked are a strategic development.
    Otherwise the model's label stands."""
    if other_domain(sentence):
        return None
    if event_type is EventType.riots or (
        event_type in _VIOLENT and describes_protest(sentence) and not _ARMED.search(sentence)
    ):
        return EventType.protests
    if event_type not in _VIOLENT:
        return event_type
    fighting, explosive = _FIGHTING.search(sentence), _EXPLOSIVE.search(sentence)
    if fighting and (not explosive or fighting.start() < explosive.start()):
        return EventType.battles
    if explosive:
        return EventType.explosions_remote_violence
    if _ARREST.search(sentence) and not _HARM_DONE.search(sentence):
        return EventType.strategic_developments
    return event_type


# armed actors: a sentence naming them with a demonstration may tell of an attack on it
_ARMED = re.compile(
    r"\b(?:gunmen|militants?|rebels?|insurgents?|militias?|jihadists?|fighters|"
    r"hommes armés|pistoleros|sicarios)\b",
    re.IGNORECASE,
)
_HARM_DONE = re.compile(
    r"\b(?:kill\w*|shot|shoot\w*|gunned|abduct\w*|kidnap\w*|massacr\w*|attack\w*|beat(?:en)?|"
    r"stabb\w*|hacked|lynch\w*|tu[ée]s?|muert\w*|asesin\w*)\b",
    re.IGNORECASE,
)
_DOMAIN = re.compile(
    r"\b(?:shares?|stocks?|stock markets?|investors?|index|FTSE|Dow|Nasdaq|bonds?|currency|"
    r"sterling|earnings|league|goals?|strikers?|fans?|half-time|kick-off|stadium|"
    r"budget|chancellor|backbench\w*|MPs|welfare|box office|album)\b|\b\d{1,2}-\d{1,2}\b",
    re.IGNORECASE,
)
_CONFLICT = re.compile(
    r"\b(?:troops|soldiers|army|military|police|militants?|rebels?|gunmen|militias?|"
    r"insurgents?|jihadists?|civilians|villagers|protesters|demonstrators|air ?strikes?|"
    r"shelling|bombs?|blasts?|explosions?|IEDs?|grenades?|drones?|refugees|displaced)\b",
    re.IGNORECASE,
)


def names_armed_group(text: str) -> bool:
    """Whether the text names gunmen, militants, rebels or a militia (an attack by them on
    a demonstration is violence against civilians, not a protest event)."""
    return _ARMED.search(text) is not None


def other_domain(sentence: str) -> bool:
    """Whether a sentence is about sport, markets or parliamentary politics rather than
    conflict: it has more words of those domains than words of armed conflict."""
    return len(_DOMAIN.findall(sentence)) > len(_CONFLICT.findall(sentence))


_EXPLOSIVE_KIND = [
    (re.compile(r"\b(?:air ?strikes?|airstrikes?|drones?|air raids?|warplanes?|aircraft|"
                r"frappes? a[ée]riennes?|drones?|bombardeo a[ée]reo)\b", re.I),
     SubEventType.air_drone_strike),
    (re.compile(r"\bsuicide (?:bomb\w*|attack\w*|car)\b", re.I), SubEventType.suicide_bomb),
    (re.compile(r"\bgrenades?\b", re.I), SubEventType.grenade),
    (re.compile(r"\b(?:IEDs?|roadside|landmines?|car bombs?|explosive devices?|mines?)\b", re.I),
     SubEventType.remote_explosive_landmine_ied),
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


_RIOTING = _words(
    r"\b(?:torch(?:ed|ing)|ston(?:ed|ing)|(?:threw|throwing|hurl\w*|pelt\w*) (?:stones|rocks)|"
    r"set (?:fire|ablaze)|loot\w*|vandali[sz]\w*|ransack\w*|broke into|stormed|"
    r"clash(?:ed|es) with (?:the )?(?:police|security)|incendi\w*|saque\w*|pill(?:é|age)\w*|"
    r"jet(?:é|aient) des pierres|lanzaron piedras)\b"
)
_MOB_HARM = _words(
    r"\b(?:beat(?:en|ing)?|lynch\w*|kill\w*|hacked|stabb\w*|assault\w*|burn(?:ed|t) alive|"
    r"lincha\w*|golpe\w*)\b"
)


def describes_rioting(text: str) -> bool:
    """Whether a demonstration's sentences describe its participants' violence (fire set,
    stones thrown, looting, storming a building): ACLED's violent demonstration, a riot."""
    return _RIOTING.search(text) is not None


def describes_mob_violence(text: str) -> bool:
    """Whether sentences describe a mob (a lynching, a crowd beating someone): ACLED codes
    it as a riot (mob violence), whoever the victim."""
    return _MOB.search(text) is not None and _MOB_HARM.search(text) is not None


def label_by_words(sentence: str) -> str:
    """A sentence's label (see ``_steps.LABELS``) from its words alone, for prompt versions
    where code labels the sentences: on the embedded 1.5B model the classify question
    came back "attack on civilians" for 8 sentences in 10, whatever they said
    (docs/eval/2026-12-03b), so words decide and the model answers only what needs
    reading (places, sides, tolls, sources, the summary)."""
    if other_domain(sentence):
        return "background"
    if describes_mob_violence(sentence):
        return "riot"
    if describes_protest(sentence):
        return "protest"
    fighting, explosive = _FIGHTING.search(sentence), _EXPLOSIVE.search(sentence)
    if fighting and (not explosive or fighting.start() < explosive.start()):
        return "battle"
    if explosive:
        return "explosion"
    if (_ARREST.search(sentence) or _AGREEMENT.search(sentence)) and not _HARM_DONE.search(
        sentence
    ):
        return "development"
    if _CIVILIAN_HARM.search(sentence):
        return "attack_on_civilians"
    return "background"
