"""The kind of explosive weapon an event's sentences name (ACLED's sub-event types of
explosions/remote violence), in English, French, Spanish, Portuguese and German."""

from __future__ import annotations

import re

from summarizer.schema import SubEventType

__all__ = ["explosive_kind"]


_EXPLOSIVE_KIND = [
    (re.compile(r"\b(?:air ?strikes?|airstrikes?|drones?|air raids?|warplanes?|aircraft|"
                r"air force|(?:fighter )?jets?|helicopters?|quadcopters?|"
                r"frappes? a[ée]riennes?|drones?|bombardeo a[ée]reo|luftangriff\w*|drohne\w*|"
                r"kampfflugzeug\w*)\b", re.I),
     SubEventType.air_drone_strike),
    (re.compile(r"\b(?:suicide (?:bomb\w*|attack\w*|car)|kamikazes?|attentats?-suicides?|"
                r"atentados? suicidas?|s'est fait exploser|selbstmord\w*)\b", re.I),
     SubEventType.suicide_bomb),
    (re.compile(r"\b(?:grenades?|granadas?|handgranate\w*)\b", re.I), SubEventType.grenade),
    (re.compile(r"\b(?:IEDs?|roadside|landmines?|car bombs?|explosive devices?|mines?|"
                r"(?:coche|carro|auto)s?[- ]bombas?|artefactos? explosivos?|engins? explosifs?|"
                r"voitures?[- ]pi[ée]g[ée]es?|mines? antipersonnel|minas?|sprengs[äa]tz\w*|"
                r"autobombe\w*|landmine\w*|artef[aá]ctos? explosivos?)\b", re.I),
     SubEventType.remote_explosive_landmine_ied),
]  # fmt: skip


_SHELLING = re.compile(
    r"\b(?:missiles?|rockets?|shells?|shelling|artillery|mortars?|ballistic|obus|roquettes?|"
    r"misil\w*|cohetes?|morteros?|raketen?\w*|artillerie\w*|m[öo]rser\w*|beschuss)\b",
    re.IGNORECASE,
)


def explosive_kind(text: str) -> SubEventType:
    """The kind of explosive weapon the text names first (a suicide attack, a grenade or
    a planted device before an air strike named in the same breath); shelling, artillery
    or missiles when none is named."""
    found = [
        (match.start(), rank, kind)
        for rank, (pattern, kind) in enumerate(
            [*_EXPLOSIVE_KIND, (_SHELLING, SubEventType.shelling_artillery_missile_attack)]
        )
        if (match := pattern.search(text))
    ]
    if not found:
        return SubEventType.shelling_artillery_missile_attack
    specific = [f for f in found if f[2] in _SPECIFIC_KINDS]
    return min(specific or found)[2]


# named anywhere in an event's sentences, these decide: a suicide bombing stays one
# whatever else the sentences name
_SPECIFIC_KINDS = frozenset(
    {SubEventType.suicide_bomb, SubEventType.grenade, SubEventType.remote_explosive_landmine_ied}
)
