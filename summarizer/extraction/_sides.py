"""The sides of an event as ACLED codes them, from the sides the model named.

* riots: demonstrators are rioters ("Protesters (Haiti)" -> "Rioters (Haiti)"), and so is a
  crowd the model typed as an armed group; rioters act first;
* protests: those who demonstrate are protesters whatever the model typed them (an armed
  group or a state force keeps its type); protesters act first, "Protesters (<country>)"
  when the model named no crowd; a peaceful protest has no second side;
* arrests: the arresting state force acts first, the arrested are the second side (a
  small model often names the arrested as the side that acted);
* violence against civilians: the second side is civilians;
* explosions whose sentences tell civilians hurt, and no armed people or posts hit: the
  second side is civilians;
* associated actors: a foreign force the sentences say took part on a side ("backed by
  Russian warplanes", "led on the ground by Russian forces", "alongside Rwandan troops",
  "a Russian-backed offensive") is "Military Forces of <its country>" beside that side.
  Backing alone ("Iranian-backed militia") is no part in the event and codes nothing.
"""

from __future__ import annotations

import re

from summarizer.extraction._codebook import names_armed_group
from summarizer.extraction._harm import harms_armed, harms_civilians
from summarizer.extraction._names import canonical_actor, derived_actor_country
from summarizer.extraction._places import countries_in, country_name
from summarizer.schema import Actor, ActorType, EventType, SubEventType

__all__ = ["associated_forces", "coded_sides"]

_CROWD_TYPES = frozenset(
    {ActorType.rebel_group, ActorType.political_militia, ActorType.identity_militia,
     ActorType.civilians, ActorType.protesters, ActorType.rioters}
)  # fmt: skip


def coded_sides(
    event_type: EventType,
    sub: SubEventType,
    actors: list[Actor],
    own: str,
    country: str | None,
    where: str,
    warnings: list[str],
) -> list[Actor]:
    """``actors`` (first side first) as ACLED codes them for this event; each change is
    noted in ``warnings``."""
    if len(actors) > 1 and actors[0].name == actors[1].name:
        # an ally named as the other side ("militares ruandeses" beside Mozambique's army)
        warnings.append(f"{where}: both sides are {actors[0].name!r}; the second removed")
        actors = actors[:1]
    if event_type in (EventType.riots, EventType.protests):
        kind = ActorType.rioters if event_type is EventType.riots else ActorType.protesters
        actors = [_as_crowd(a, kind) for a in actors]
        if country and not any(a.type is kind for a in actors):
            # "Kfor" or "police" named as the side that protested: the crowd is unnamed
            crowd = Actor(name=canonical_actor(kind.value, kind, country), type=kind)
            warnings.append(f"{where}: no crowd named; {crowd.name!r} acted")
            actors = [crowd, *(a for a in actors if a.type is ActorType.state_forces)][:2]
        actors.sort(key=lambda a: a.type is not kind)  # the crowd acts first
        if sub is SubEventType.peaceful_protest and len(actors) > 1:
            warnings.append(f"{where}: a peaceful protest has no second side")
            actors = actors[:1]
        return actors
    if sub is SubEventType.arrests and actors and actors[0].type is not ActorType.state_forces:
        actors = _arresting_first(actors, own, country, where, warnings)
    civilians = _civilians(country)
    if civilians is None or len(actors) < 2 or actors[1].type is ActorType.civilians:
        return actors
    if event_type is EventType.violence_against_civilians or (
        event_type is EventType.explosions_remote_violence
        and harms_civilians(own)
        and not harms_armed(own)
    ):
        warnings.append(
            f"{where}: second side {actors[1].name!r} coded as civilians, as the sentences tell"
        )
        return [actors[0], civilians]
    return actors


# who arrests: police, gendarmes, soldiers, security forces (en/fr/es/pt/it/de)
_ARRESTING = re.compile(
    r"\b(?:police\w*|policiers?|gendarm\w*|forces de l'ordre|polic[ií]a\w*|polizia|"
    r"carabinieri|security forces|soldiers|troops|army|militaires|soldats|ej[ée]rcito|"
    r"ex[ée]rcito|polizei\w*|guardia civil)\b",
    re.IGNORECASE,
)


def _arresting_first(
    actors: list[Actor], own: str, country: str | None, where: str, warnings: list[str]
) -> list[Actor]:
    """An arrest's sides with the arresting state force first: a small model often names
    the arrested person as the side that acted ("Komlan Dossou arrested")."""
    state = [a for a in actors if a.type is ActorType.state_forces]
    if state:
        return [state[0], *(a for a in actors if a is not state[0])][:2]
    found = _ARRESTING.search(own)
    if not found or not country:
        return actors
    force = Actor(
        name=canonical_actor(found.group(0), ActorType.state_forces, country),
        type=ActorType.state_forces,
    )
    warnings.append(
        f"{where}: {actors[0].name!r} was arrested, not arresting; {force.name!r} acted"
    )
    return [force, actors[0]]


def _as_crowd(actor: Actor, kind: ActorType) -> Actor:
    if actor.type not in _CROWD_TYPES or names_armed_group(actor.name):
        return actor
    name = re.sub(r"^(?:Protesters|Rioters) \(", f"{kind.value.capitalize()} (", actor.name)
    return actor.model_copy(update={"type": kind, "name": name})


def _civilians(country: str | None) -> Actor | None:
    if not country:
        return None
    return Actor(
        name=canonical_actor("civilians", ActorType.civilians, country), type=ActorType.civilians
    )


_FORCE = (
    r"(?:forces|troops|soldiers|special forces|army|military|air ?force|warplanes|"
    r"fighter jets|jets|aircraft|helicopters|drones|air|aerial|air ?strikes|artillery|"
    r"advisers|advisors|paratroopers|marines|contingent)\b"
)
_DEMONYM = r"(?:the )?(?P<who>[A-Z][\w'’]+(?: [A-Z][\w'’]+)?)"
_TOOK_PART = tuple(
    re.compile(pattern)
    for pattern in (
        rf"\b(?:backed|supported|assisted|aided|accompanied|helped|led(?: on the ground)?|"
        rf"joined) by {_DEMONYM} {_FORCE}",
        rf"\b(?:alongside|together with|with the (?:help|support|backing) of|with support "
        rf"from|with help from) {_DEMONYM} {_FORCE}",
        rf"\b{_DEMONYM}-(?:backed|led|supported|assisted) (?:[a-z]+ ){{0,2}}?(?:push|"
        rf"offensive|assault|operation|advance|counter-?offensive|campaign|attack|raid)s?\b",
    )
)
_KIND_WORDS = {
    ActorType.state_forces: r"army|military|troops|soldiers|forces|police|government|regime|junta",
    ActorType.rebel_group: r"rebels?|militants?|insurgents?|jihadists?|fighters|group|guerrillas?",
    ActorType.political_militia: r"militias?|gunmen|fighters|gangs?|group",
    ActorType.identity_militia: r"militias?|fighters|vigilantes|group",
}


def associated_forces(own: str, actors: list[Actor]) -> tuple[list[str], list[str]]:
    """The foreign forces the sentences ``own`` say took part beside the first side and
    beside the second: ACLED's associated actors, each "Military Forces of <country>".

    A force joins the side named last before the phrase (by its name or its kind's
    words: army, troops, ...; rebels, militants, ...), the first side when neither is.
    The sides' own countries are left out (a country's army is no ally of itself)."""
    own_countries = {derived_actor_country(a.name) for a in actors} - {None}
    beside: tuple[list[str], list[str]] = ([], [])
    for pattern in _TOOK_PART:
        for match in pattern.finditer(own):
            codes = countries_in(match.group("who"))
            name = country_name(next(iter(codes))) if len(codes) == 1 else None
            if not name or name in own_countries:
                continue
            side = beside[_side_backed(own[max(0, match.start() - 80) : match.start()], actors)]
            forces = f"Military Forces of {name}"
            if forces not in beside[0] + beside[1]:
                side.append(forces)
    return beside


def _side_backed(before: str, actors: list[Actor]) -> int:
    """0 for the first side, 1 for the second: the side named last in ``before``."""
    last = [-1, -1]
    for index, actor in enumerate(actors[:2]):
        words = [re.escape(actor.name)]
        if actor.type in _KIND_WORDS:
            words.append(_KIND_WORDS[actor.type])
        for found in re.finditer(rf"\b(?:{'|'.join(words)})\b", before, re.IGNORECASE):
            last[index] = found.start()
    return 1 if last[1] > last[0] else 0
