"""Every name in a record traces to the article, or is derived from it by these rules.

A name is *traceable* when its folded words occur in the folded article text (case,
accents, punctuation and a leading "al-" ignored). A few names are *derived*, by
explicit rules tested in ``tests/test_extraction_names.py``:

* ACLED-style actor names from a mention and a country the article names or implies:
  "Sudanese army" -> "Military Forces of Sudan", "police" -> "Police Forces of Kenya",
  civilians, protesters and rioters -> "Civilians (Nigeria)", "Protesters (Kenya)", …;
* a province, district or country from a gazetteer lookup of a traceable place name
  (see :mod:`summarizer.extraction._places`).
"""

from __future__ import annotations

import re

from summarizer.extraction._places import countries_in, country_name, fold_name
from summarizer.schema import ActorType

__all__ = ["canonical_actor", "derived_actor_country", "in_article"]

_MILITARY = re.compile(
    r"\b(army|armies|military|militaries|troops?|soldiers?|armed forces|air ?force|navy|"
    r"marines|government forces|regime forces|security forces|forces|defen[cs]e forces|"
    r"arm[ée]e|militaires|soldats|forces arm[ée]es|ej[ée]rcito|militares|soldados|"
    r"fuerzas armadas|junta)\b",
    re.IGNORECASE,
)
_POLICE = re.compile(
    r"\b(police|policemen|policewomen|officers|gendarm\w*|polic[ií]a|policiers|"
    r"riot police|carabineros|guardia nacional)\b",
    re.IGNORECASE,
)
_GROUPS = {
    ActorType.civilians: "Civilians",
    ActorType.protesters: "Protesters",
    ActorType.rioters: "Rioters",
}
_DERIVED = re.compile(r"^(?:(?:Military|Police) Forces of (?P<of>.+)|"
                      r"(?:Civilians|Protesters|Rioters) \((?P<paren>.+)\))$")  # fmt: skip


def in_article(name: str, folded_text: str) -> bool:
    """Whether ``name``'s folded words occur, as whole words, in ``folded_text``
    (the article folded with :func:`~summarizer.extraction._places.fold_name`)."""
    folded = fold_name(name)
    return bool(folded) and f" {folded} " in f" {folded_text} "


def canonical_actor(mention: str, actor_type: ActorType, country: str | None) -> str:
    """The ACLED-style name for an actor as the article mentions it, when a rule covers
    it; the mention itself otherwise."""
    named = [country_name(code) for code in countries_in(mention)]
    country = next((c for c in named if c), None) or country
    if not country:
        return mention
    if actor_type is ActorType.state_forces:
        if _POLICE.search(mention):
            return f"Police Forces of {country}"
        if _MILITARY.search(mention):
            return f"Military Forces of {country}"
    if actor_type in _GROUPS and not re.search(r"[A-Z]{2,}", mention):
        return f"{_GROUPS[actor_type]} ({country})"
    return mention


def derived_actor_country(name: str) -> str | None:
    """The country inside a derived actor name ("Military Forces of Sudan" -> "Sudan")."""
    match = _DERIVED.match(name)
    if not match:
        return None
    return match.group("of") or match.group("paren")
