"""Which words of a sentence tell an act: what is set aside before a sentence is read for
the event it tells (arms carried, things seized, intentions and charges, tear gas told as a
crowd's dispersal), and which sentences report nothing new (quotes, denials, reactions,
references back, a war's whole toll)."""

from __future__ import annotations

import re

__all__ = ["acts_in", "not_news"]


def _words(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


# words that tell no act of their own: arms carried, things seized or found, intentions
# and charges (each runs to the end of its clause)
_NO_ACT = _words(
    r"\barmed with\b[^,.;]*|"
    r"\b(?:recovered|confiscated|defused|found|seized (?:weapons|arms|explosives|"
    r"ammunition|drugs))\b[^.;]*|"
    r"[^,.;]*\b(?:were|was) (?:seized|recovered|confiscated|found)\b|"
    r"\b(?:[\w-]+\s+){0,3}explosives\s+(?:were\s+)?(?:seized|recovered|found|confiscated)\b|"
    r"\b(?:planning|plotting|plotted|planned|accused of|suspected of|on charges? of|"
    r"acusad[oa]s? (?:de|por)|accus[ée]e?s? d[e']|sospettat[oi] di|accusat[oi] di|"
    r"suspeit[oa]s? de|"
    r"charged with|on suspicion of|pledged to|vowed to|"
    r"agreed to(?! (?:an?|the|its|their|immediate|permanent|lasting)\b)|"
    r"to (?:attack|kill|target|strike|fight))\b[^,.;]*|\bcommits?\b[^.;]*|"
    r"\b(?:opened|launched|began|started) (?:an? |the )?(?:murder |criminal )?"
    r"(?:investigations?|inquir(?:y|ies)|probes?)\b[^.;]*"
)


# tear gas and stun munitions are a crowd's dispersal, not explosive weapons: "bombas de
# gás lacrimogêneo", "granate stordenti", "stun grenades"; petrol bombs a crowd's weapon
_LESS_LETHAL = _words(
    r"\b(?:bombas?|bombes?|grenades?|granadas?|granate|canisters?|cartouches?|candelotti)\s+"
    r"(?:de\s+|of\s+|di\s+)?(?:g[áa]s\s+)?(?:lacrim\w*|lacrymog\w*|tear ?gas|stordenti|"
    r"assourdissantes?|de efeito moral|aturdidoras?|de desorientaci[óo]n|fumig[èe]nes?)|"
    r"\b(?:tear ?gas|stun|smoke|flash-?bang|sound) (?:grenades?|canisters?|shells?|bombs?|"
    r"rounds?)\b|\bbombas? de g[áa]s\b"
)
_FIREBOMB = _words(
    r"\b(?:(?:bombas?|c[óo]cteles?|coquet[ée]is|cocktails?) molotov|molotov cocktails?|"
    r"petrol bombs?|gasoline bombs?)\b"
)


def acts_in(sentence: str) -> str:
    """The sentence without the words that tell no act (see :func:`label_by_words`);
    tear gas and petrol bombs told as such, not as explosive weapons."""
    return _NO_ACT.sub(" ", _FIREBOMB.sub("firebombs", _LESS_LETHAL.sub("tear gas", sentence)))


_QUOTED = re.compile(r"^\s*[\"“«‘]")
# '"Clashes broke out ...," the monitor's head said.': a quote its sentence attributes
_QUOTE_SAID = re.compile(r"[\"”»’],?\s+[^\"“”«»]*\b(?:said|says|told|added|dijo|a dit)\b")
_DENIAL = _words(r"\b(?:den(?:y|ies|ied)|niega\w*|ni[ée]\w*|d[ée]ment\w*)\b")
# "The latest violence came after ...", "The attack comes days after ...", "The latest
# violence, which followed air strikes ...": the sentence points back at an event told
_REFERENCE = _words(
    r"^(?:The|This|These|That|Those|It)\s+(?:latest\s+|recent\s+|new\s+|fresh\s+|renewed\s+)?"
    r"(?:\w+\s+)?(?:came|comes|come|followed|follows|was|is)\s+(?:just\s+)?"
    r"(?:after|as|amid|days|hours|weeks|a day|a week|on the heels)\b|"
    r"^The latest \w+, which followed\b|"
    # a reaction: "issued a statement condemning the racist attacks on families"
    r"\b(?:condemn\w*|denounc\w*|deplor\w*|condamn\w*|conden[óa]\w*|condenando)\s+"
    r"(?:\S+\s+){0,3}?[\"“«]?(?:the|this|these|those|an?|what|los?|las?|el|le|la|les|l['’])\s*"
    r"(?:\S+\s+){0,2}?(?:attacks?|killings?|bombings?|violence|assaults?|ataques?|attaques?|"
    r"attentats?|asesinatos?|violencia|violences?)\b|"
    # who was behind it: "The statement blamed the attack on Islamic State militants"
    r"\bblamed\s+(?:the|this|that|these|those)\s+(?:\w+\s+){0,2}?(?:attacks?|bombings?|"
    r"blasts?|killings?|explosions?|violence|incident|ambush)\s+on\b"
)
# the war's whole toll: "The war has killed more than 150,000 people"
_CUMULATIVE = _words(
    r"\b(?:war|conflict|insurgency|violence|fighting|unrest|crisis|attacks|it)\s+(?:has|have)\s+"
    r"(?:\w+\s+)?"
    r"(?:killed|claimed|left|displaced|uprooted)\b|\b(?:tens|hundreds) of thousands\b"
    r"(?=[^.;]{0,60}\b(?:killed|dead|died|deaths|lives|displaced|fled|refugees|uprooted|"
    r"homeless)\b)|"
    # "O conflito já provocou mais de 6.000 mortos", "le conflit a fait plus de ..."
    r"\b(?:conflito|conflicto|conflit|conflitto|guerra|guerre|insurg[êe]ncia|insurrecci[óo]n|"
    r"insurrection|viol[êe]ncia|violencia|violences?|violenza)\s+(?:\w+\s+)?(?:provocou|causou|"
    r"deixou|matou|ha (?:dejado|causado|provocado|matado|fatto|causato|provocato)|"
    r"a (?:fait|caus[ée]|provoqu[ée]|tu[ée])|hanno (?:fatto|causato))\b"
)


def not_news(sentence: str) -> bool:
    """Whether a sentence reports nothing new: quoted speech, a denial, a reference to an
    event already told, or the war's whole toll."""
    if _QUOTED.search(sentence) and not _QUOTE_SAID.search(sentence):
        return True
    return any(p.search(sentence) for p in (_DENIAL, _REFERENCE, _CUMULATIVE))
