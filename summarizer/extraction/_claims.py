"""Who claimed an attack: the group an article says claimed it is the side that acted.

A claim is a sentence that names the group claiming an attack, in English, French,
Spanish, Portuguese or German ("Al-Shabab claimed responsibility", "in an attack claimed
by the separatist Baloch Liberation Army (BLA)", "le groupe État islamique au Sahel a
revendiqué l'attaque", "O ataque foi reivindicado pelo grupo extremista Estado
Islâmico", "Zu dem Anschlag bekannte sich die Miliz X"). A claim without a name ("No
group claimed responsibility", "an attack claimed by an al-Qaida-linked group", "n'a pas
été revendiquée") names no one and changes nothing.

A claim belongs to the event its sentence is part of, else to the nearest event told
before it. It replaces the event's side the model could not name (an "Unidentified Armed
Group", or a bare "gunmen", "jihadistes", "suicide bomber") and puts the claimant first:
the group that claimed the attack carried it out. ACLED codes a claimed attack the same
way when the claim is credible; the claim stays in the event's sentences for the reader.
"""

from __future__ import annotations

import re

from summarizer.extraction._names import actor_named
from summarizer.extraction._places import fold_name
from summarizer.extraction._sentences import Sentence
from summarizer.extraction._spot import Spot
from summarizer.grounding.notes import event_notes
from summarizer.schema import Actor, ActorType, Event, EventType

__all__ = ["CLAIMABLE", "claimants", "is_unnamed_side", "tells_a_claim", "with_claimant"]

# the events an armed group carries out and claims
CLAIMABLE = frozenset(
    {EventType.battles, EventType.explosions_remote_violence,
     EventType.violence_against_civilians}
)  # fmt: skip

_DEED = (
    r"(?:responsibility|the (?:attacks?|bombings?|ambush(?:es)?|assaults?|killings?|blasts?|"
    r"raids?|strikes?|explosions?|abductions?|kidnappings?)|"
    r"l[’']attaque|l[’']attentat|l[’']embuscade|la responsabilit[ée]|"
    r"el (?:ataque|atentado)|la autor[ií]a|o (?:ataque|atentado)|a autoria)"
)
# the claimant before the verb ("X claimed responsibility", "X a revendiqué l'attaque")
_ACTIVE = re.compile(
    rf"(?:\b(?:has |have |had )?claimed {_DEED}|\ba revendiqu[ée] |\bont revendiqu[ée] |"
    r"\b(?:se )?(?:adjudic[óo]|atribuy[óo]|reivindic[óo]|reivindicou|assumiu) |"
    r"\b(?:hat|haben) sich (?:zu (?:dem|der|den) \w+ )?bekannt)",
    re.IGNORECASE,
)
# the claimant after it ("claimed by X", "revendiquée par X", "reivindicado pelo X",
# "bekannte sich die X")
_PASSIVE = re.compile(
    r"\b(?:claimed by|revendiqu[ée]e?s? par|reivindicad[oa]s? por|reivindicad[oa]s? pel[oa]s?|"
    r"bekannte sich|bekannten sich)\s+(?P<after>.+)",
    re.IGNORECASE,
)
_NAME_WORD = r"(?:[A-ZÀ-Þ][\w'’.-]*|al-[A-Z][\w'’-]*|[A-Z]{2,}\w*)"
_LINK_WORD = r"(?:of|for|the|and|al|de|du|des|la|le|del|do|da|dos|das|au|aux|in|et|y|e|wal)"
_NAME = re.compile(
    rf"{_NAME_WORD}(?:\s+(?:{_LINK_WORD}\s+|[a-zà-ÿ]+\s+(?:{_LINK_WORD}\s+)?)?{_NAME_WORD})*"
    r"(?:\s+\([A-Z][\w-]*\))?"
)
# words before a name that say the group is only linked to one ("grupos ligados ao Estado
# Islâmico", "an al-Qaida-linked group"): that names no claimant
_LINKED = re.compile(
    r"\b(?:linked|affiliated|allied|loyal|close|tied|li[ée]s?|affili[ée]s?|proches?|"
    r"vinculad[oa]s|ligad[oa]s|afiliad[oa]s|nahestehende?)\b|-(?:linked|affiliated|allied)\b",
    re.IGNORECASE,
)
# no name: days, months and other capitalised words that start a clause
_NOT_A_NAME = frozenset(
    {"on", "in", "the", "a", "an", "it", "they", "he", "she", "we", "no", "le", "la", "les",
     "el", "los", "las", "o", "os", "die", "der", "das", "zu", "ein", "eine", "un", "une",
     "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
     "later", "earlier", "meanwhile", "separately", "however", "nadie", "ningun", "ninguno",
     "aucun", "personne", "kein", "keine", "nenhum"}
)  # fmt: skip


def claimants(sentences: list[Sentence], spots: list[Spot]) -> list[str | None]:
    """For each of ``spots``, the name of the group a sentence says claimed it, or None."""
    found: list[str | None] = [None] * len(spots)
    for sentence in sentences:
        name = _claimant(sentence.text)
        if name is None:
            continue
        index = _claimed_spot(sentence.id, spots)
        if index is not None and found[index] is None:
            found[index] = name
    return found


def tells_a_claim(sentence: str) -> bool:
    """Whether the sentence names a group that claimed an attack."""
    return _claimant(sentence) is not None


def _claimed_spot(sentence_id: int, spots: list[Spot]) -> int | None:
    """The spot the claim of sentence ``sentence_id`` belongs to: the one holding the
    sentence (or its claim), else the one told last before it; None when that one is no
    attack."""
    best: tuple[int, int] | None = None
    for index, spot in enumerate(spots):
        if sentence_id in spot.ids or sentence_id in spot.claims:
            best = (sentence_id, index)
            break
        before = [i for i in spot.ids if i < sentence_id]
        if before and (best is None or max(before) > best[0]):
            best = (max(before), index)
    if best is None or spots[best[1]].event_type not in CLAIMABLE:
        return None
    return best[1]


def _claimant(sentence: str) -> str | None:
    """The name of the group ``sentence`` says claimed an attack, or None."""
    if passive := _PASSIVE.search(sentence):
        after = passive.group("after")
        # "by the separatist Baloch Liberation Army", "pelo grupo extremista Estado Islâmico"
        lead = re.match(r"(?:(?:the|an?|le|la|l'|les|el|los|o|a|die|der|das)\s+)?", after, re.I)
        words = after[lead.end() if lead else 0 :].split(" ")
        for skip in range(3):
            if skip and (not re.fullmatch(r"[a-zà-ÿ-]+", words[skip - 1]) or
                         _LINKED.search(words[skip - 1])):  # fmt: skip
                return None
            if name := _name_at_start(" ".join(words[skip:])):
                return name
        return None
    if active := _ACTIVE.search(sentence):
        before = _subject(sentence[: active.start()])
        names = [m for m in _NAME.finditer(before) if _is_name(m.group(0))]
        if names and _subject_tail(before[names[-1].end() :]):
            return _cleaned(names[-1].group(0))
    return None


def _subject(before: str) -> str:
    """The words before a claim's verb that may name its subject: after the last verb
    of saying ("Police said Hamas claimed"), less a closing parenthesis ("(EIS, ex-EIGS)")
    and an apposition ("X, the armed wing of Y, claimed")."""
    before = _SAID.split(before)[-1]
    before = re.sub(r"\s*\([^()]*[,\s][^()]*\)\s*$", "", before)
    if before.rstrip().endswith(","):
        parts = [p for p in before.split(",") if p.strip()]
        if len(parts) > 1:
            before = ",".join(parts[:-1])
    return before


_SAID = re.compile(
    r"\b(?:said|says|say|told|reported|according to|added|dit|a dit|selon|affirme|dijo|"
    r"seg[úu]n|afirm[óo]|disse|segundo|sagte|sagten|laut)\b",
    re.IGNORECASE,
)


def _subject_tail(tail: str) -> bool:
    """Whether the words between a name and its verb keep the name the subject ("group",
    "in a statement", "militants" — not "said the attack")."""
    tail = tail.strip(" ,)")
    return not tail or bool(re.fullmatch(r"(?:group|groupe|grupo|militants?|movement|miliz|"
                             r"(?:in|on|via) [\w ,'’-]{0,60})", tail, re.IGNORECASE))  # fmt: skip


def _name_at_start(text: str) -> str | None:
    match = _NAME.match(text)
    if match is None or not _is_name(match.group(0)):
        return None
    return _cleaned(match.group(0))


def _is_name(found: str) -> bool:
    words = [w for w in re.split(r"[\s()]+", found) if w]
    return (
        bool(words)
        and any(fold_name(w) not in _NOT_A_NAME for w in words)
        and not (_LINKED.search(found) and len(words) == 1)
    )


def _cleaned(name: str) -> str:
    """The name without a leading article or an adjective of links ("Al-Qaeda-linked")."""
    name = re.sub(r"^(?:The|Le|La|El|O|A|Die|Der|Das)\s+", "", name.strip())
    name = re.sub(r"^[\w-]+-(?:linked|backed|allied|affiliated)\s+", "", name)
    name = re.sub(r"^(?:Terrormiliz|Terrorgruppe|Miliz|Gruppe)\s+", "", name)
    return name.strip(" ,.")


# a side the model could not name: ACLED's unidentified group, or only what it was
_UNNAMED = re.compile(
    r"^(?:unidentified armed group\b.*|(?:suspected |armed |masked |unknown |unidentified )?"
    r"(?:gunmen|gunman|attackers?|assailants?|militants?|jihadists?|insurgents?|fighters|"
    r"suicide bombers?|bombers?|armed men|assaillants|hommes armes|jihadistes|djihadistes|"
    r"insurges|kamikazes?|hombres armados|atacantes|insurgentes|pistoleros|sicarios|"
    r"homens armados|extremistas|angreifer|bewaffnete|tater|militantes))$"
)


def is_unnamed_side(actor: Actor) -> bool:
    """Whether ``actor`` is a side the article does not name (an unidentified group)."""
    return actor.type not in (ActorType.state_forces, ActorType.civilians) and bool(
        _UNNAMED.match(fold_name(actor.name))
    )


def with_claimant(
    event: Event,
    claimant: str | None,
    folded_text: str,
    text: str,
    countries: dict[str, int],
    warnings: list[str],
) -> Event:
    """``event`` with its unnamed side replaced by ``claimant``, who acted first; the
    event unchanged when there is no claimant, no unnamed side, or the claimant is not
    named in the article."""
    sides = [a for a in (event.actor1, event.actor2) if a is not None]
    unnamed = [a for a in sides if is_unnamed_side(a)]
    if claimant is None or not unnamed:
        return event
    actor = actor_named(claimant, ActorType.rebel_group, event.location.country or None,
                        folded_text, text, countries)  # fmt: skip
    if actor is None or is_unnamed_side(actor) or actor.type is ActorType.state_forces:
        return event
    other = next((a for a in sides if a is not unnamed[0]), None)
    warnings.append(
        f"the {event.event_type.value} event at {event.location.name}: {unnamed[0].name!r} "
        f"is {actor.name!r}, who claimed it, as the article says"
    )
    claimed = event.model_copy(update={"actor1": actor, "actor2": other})
    day = event.date if event.time_precision == 1 else None
    return claimed.model_copy(update={"notes": event_notes(claimed, day)})
