"""The sides of an event as ACLED codes them, from the sides the model named.

* riots: demonstrators are rioters ("Protesters (Haiti)" -> "Rioters (Haiti)"), and so is a
  crowd the model typed as an armed group; rioters act first;
* protests: those who demonstrate are protesters whatever the model typed them (an armed
  group or a state force keeps its type); protesters act first; a peaceful protest has
  no second side;
* violence against civilians: the second side is civilians;
* explosions whose sentences tell civilians hurt, and no armed people or posts hit: the
  second side is civilians.
"""

from __future__ import annotations

import re

from summarizer.extraction._codebook import harms_armed, harms_civilians, names_armed_group
from summarizer.extraction._names import canonical_actor
from summarizer.schema import Actor, ActorType, EventType, SubEventType

__all__ = ["coded_sides"]

_CROWD_TYPES = frozenset(
    {ActorType.rebel_group, ActorType.political_militia, ActorType.identity_militia,
     ActorType.civilians, ActorType.protesters}
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
    if event_type in (EventType.riots, EventType.protests):
        kind = ActorType.rioters if event_type is EventType.riots else ActorType.protesters
        actors = [_as_crowd(a, kind) for a in actors]
        actors.sort(key=lambda a: a.type is not kind)  # the crowd acts first
        if sub is SubEventType.peaceful_protest and len(actors) > 1:
            warnings.append(f"{where}: a peaceful protest has no second side")
            actors = actors[:1]
        return actors
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
