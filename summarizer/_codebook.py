"""The ACLED codebook as the record uses it: event types, sub-event types, actor types
and which sub-event type belongs to which event type.

Private: :mod:`summarizer.schema` is the public face and re-exports all of it.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "SUB_EVENT_TYPES",
    "ActorType",
    "EventType",
    "SubEventType",
    "parent_event_type",
]


class EventType(StrEnum):
    """ACLED event types."""

    battles = "battles"
    explosions_remote_violence = "explosions_remote_violence"
    violence_against_civilians = "violence_against_civilians"
    protests = "protests"
    riots = "riots"
    strategic_developments = "strategic_developments"


class SubEventType(StrEnum):
    """ACLED sub-event types."""

    government_regains_territory = "government_regains_territory"
    non_state_actor_overtakes_territory = "non_state_actor_overtakes_territory"
    armed_clash = "armed_clash"
    excessive_force_against_protesters = "excessive_force_against_protesters"
    protest_with_intervention = "protest_with_intervention"
    peaceful_protest = "peaceful_protest"
    violent_demonstration = "violent_demonstration"
    mob_violence = "mob_violence"
    chemical_weapon = "chemical_weapon"
    air_drone_strike = "air_drone_strike"
    suicide_bomb = "suicide_bomb"
    shelling_artillery_missile_attack = "shelling_artillery_missile_attack"
    remote_explosive_landmine_ied = "remote_explosive_landmine_ied"
    grenade = "grenade"
    sexual_violence = "sexual_violence"
    attack = "attack"
    abduction_forced_disappearance = "abduction_forced_disappearance"
    agreement = "agreement"
    arrests = "arrests"
    change_to_group_activity = "change_to_group_activity"
    disrupted_weapons_use = "disrupted_weapons_use"
    headquarters_or_base_established = "headquarters_or_base_established"
    looting_property_destruction = "looting_property_destruction"
    non_violent_transfer_of_territory = "non_violent_transfer_of_territory"
    other = "other"


class ActorType(StrEnum):
    """ACLED actor types (the 'inter' codes 1-8)."""

    state_forces = "state_forces"
    rebel_group = "rebel_group"
    political_militia = "political_militia"
    identity_militia = "identity_militia"
    rioters = "rioters"
    protesters = "protesters"
    civilians = "civilians"
    external_other_forces = "external_other_forces"


_S = SubEventType
SUB_EVENT_TYPES: dict[EventType, tuple[SubEventType, ...]] = {
    EventType.battles: (
        _S.government_regains_territory,
        _S.non_state_actor_overtakes_territory,
        _S.armed_clash,
    ),
    EventType.protests: (
        _S.excessive_force_against_protesters,
        _S.protest_with_intervention,
        _S.peaceful_protest,
    ),
    EventType.riots: (_S.violent_demonstration, _S.mob_violence),
    EventType.explosions_remote_violence: (
        _S.chemical_weapon,
        _S.air_drone_strike,
        _S.suicide_bomb,
        _S.shelling_artillery_missile_attack,
        _S.remote_explosive_landmine_ied,
        _S.grenade,
    ),
    EventType.violence_against_civilians: (
        _S.sexual_violence,
        _S.attack,
        _S.abduction_forced_disappearance,
    ),
    EventType.strategic_developments: (
        _S.agreement,
        _S.arrests,
        _S.change_to_group_activity,
        _S.disrupted_weapons_use,
        _S.headquarters_or_base_established,
        _S.looting_property_destruction,
        _S.non_violent_transfer_of_territory,
        _S.other,
    ),
}
_PARENT: dict[SubEventType, EventType] = {
    sub: parent for parent, subs in SUB_EVENT_TYPES.items() for sub in subs
}


def parent_event_type(sub: SubEventType) -> EventType:
    """The event type a sub-event type belongs to (each belongs to exactly one)."""
    return _PARENT[sub]
