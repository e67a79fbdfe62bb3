"""Who was harmed, by the words of sentences: soldiers, police or fighters (and their
posts), or civilians. These decide ACLED's type of an attack (on armed people it is a
battle, on unarmed people violence against civilians) and the sides code names when
the model names none."""

from __future__ import annotations

import re

__all__ = ["armed_people_hurt", "armed_targets_only", "harms_armed", "harms_civilians"]


def _words(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_ARMED_PEOPLE = (
    r"(?:soldiers?|troops|policem[ae]n|police officers?|officers|security forces|servicem[ae]n|"
    r"guards|fighters|militants|rebels|insurgents|jihadists|combatants|attackers|gunmen|"
    # a side's word for the armed men it killed ("killed six terrorists") tells armed dead
    r"terrorists|terroristes|terroristas|"
    r"militiamen|soldados|militares|polic[ií]as|soldats|militaires|policiers|gendarmes|"
    r"combattants|soldaten|polizisten|beamte)"
)
_POST = (
    r"(?:patrulla|patrouille|patrulha|pattuglia|puesto|poste|posto|cuartel|caserne|quartel|"
    r"convoi|comboio|caserma|base militar|base militaire|base militare|camp militaire|"
    r"campamento militar)"
)
_OBJECT = (
    r"(?:\d+|a|an|the|two|three|four|five|six|seven|eight|nine|ten|several|dozens|scores|"
    r"at|his|her|their|some|many|more)\b"
)
# harm done to armed people or their posts: "attacked a military camp", "killing five
# soldiers", "29 government troops were also killed", "Three police killed"
_ARMED_HARMED = _words(
    r"\b(?:attack\w*|storm\w*|ambush\w*|overr[au]n|struck|hit)\s+(?:the|a|an|two|three|several)?\s*"
    r"(?:[\w'’-]+\s+){0,4}(?:camp|checkpoint|base|post|convoy|station|barracks|garrison|patrol|"
    r"position)s?\b|"
    r"\b(?:camp|checkpoint|base|post|convoy|station|barracks|garrison|patrol|position)s?\b"
    r"[^.;]{0,80}\b(?:was|were)\s+(?:\w+\s+)?(?:attacked|stormed|overrun|ambushed|hit|struck)\b|"
    r"\b(?:killing|killed|wounding|wounded)\s+(?:at least\s+|more than\s+|some\s+|about\s+)?"
    # ("killed on Monday when rebels attacked": the rebels are not the dead)
    rf"(?:(?!when\b|as\b|after\b|by\b|while\b)\S+\s+){{0,3}}{_ARMED_PEOPLE}\b|"
    rf"\b{_ARMED_PEOPLE}\s+(?:\S+\s+){{0,4}}?(?:were|was|have been|had been|also)\s+(?:\S+\s+)?"
    r"(?:killed|wounded|injured|died|dead)\b|"
    # "Dix soldats nigériens ont été tués", "murieron tres militares", "wurden getötet"
    rf"\b{_ARMED_PEOPLE}\s+(?:\S+\s+){{0,3}}?(?:ont été|a été|sont|fueron|resultaron|wurden)\s+"
    r"(?:\S+\s+){0,4}?(?:tu[ée]s|bless[ée]s|muertos|asesinados|heridos|get[öo]tet|verletzt)\b|"
    r"\b(?:embuscade|emboscada|hinterhalt)\b[^.;]{0,60}\b(?:patrouille|patrulla|convoi|convoy|"
    r"militaires|soldats|militares|soldados|soldaten)\b|"
    # "The attack took place on Saturday at a military position"
    r"\battack\w*\b[^.;]{0,60}?\b(?:at|on|against) (?:a|an|the|its|one of its) "
    r"(?:[\w'’-]+\s+){0,2}(?:camp|checkpoint|base|post|convoy|barracks|garrison|patrol|"
    r"position)s?\b|"
    # a post or patrol attacked, in French, Spanish, Portuguese, Italian: "una patrulla del
    # Ejército fue atacada a balazos", "l'attaque d'un poste de l'armée"
    rf"\b{_POST}\b[^.;]{{0,80}}\b(?:fue|fueron|a été|ont été|foi|foram|è stat[ao]|sono stati)\s+"
    r"(?:\w+\s+)?(?:atacad[ao]s?|attaqu[ée]e?s?|attaccat[ao]|emboscad[ao]s?|tirotead[ao]s?)\b|"
    r"\b(?:atac(?:ó|aron|ou|aram)|attaqu(?:é|ée|ait|aient)|attaccat[oi]|attaque|ataque|"
    rf"attacco|assaut|asalto)\s+(?:\S+\s+){{0,3}}?{_POST}\b|"
    # a headline's passive "Three police killed", not "militants killed two shepherds"
    rf"\b(?:{_ARMED_PEOPLE}|police)\s+(?:killed\b(?!\s+{_OBJECT})|dead\b|died\b)"
)
_CIVILIANS = _words(
    r"\b(?:civilians?(?! (?:auxiliar|militia|volunteer|defen[cs]e|joint task))|villagers|"
    r"residents|children|women|worshippers|farmers|herders|shepherds|fishermen|miners|"
    r"passengers|"
    r"students|traders|workers|displaced|famil(?:y|ies)|civiles|civils)\b"
)


def harms_armed(text: str) -> bool:
    """Whether the text tells soldiers, police or fighters (or their posts) hit."""
    return _ARMED_HARMED.search(text) is not None


def armed_people_hurt(text: str) -> bool:
    """Whether the text tells soldiers, police or fighters killed or wounded, however far
    the verb ("Four officers of the Rural Border Patrol Unit were killed")."""
    return harms_armed(text) or _ARMED_HURT.search(text) is not None


_ARMED_HURT = _words(
    rf"\b{_ARMED_PEOPLE}\b[^.;]{{0,60}}?\b(?:were|was|have been|had been)\s+(?:\w+\s+)?"
    r"(?:killed|wounded|injured)\b"
)


def armed_targets_only(text: str) -> bool:
    """Whether the harm a text tells is done to soldiers, police or fighters (their posts,
    camps, convoys), with no civilian named."""
    return harms_armed(text) and _CIVILIANS.search(text) is None


_HURT = _words(
    r"\b(?:kill\w*|dead|died|wound\w*|injur\w*|hurt|tu[ée]s?|bless[ée]s|muert\w*|herid\w*)\b"
)


def harms_civilians(text: str) -> bool:
    """Whether the text tells civilians (villagers, children, residents ...) killed or
    hurt: an explosion's victims, coded as civilians when the model names none."""
    return _CIVILIANS.search(text) is not None and _HURT.search(text) is not None
