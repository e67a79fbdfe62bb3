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

from summarizer.extraction._meta import is_wire
from summarizer.extraction._places import (
    ELIDED_ARTICLE,
    countries_in,
    country_name,
    country_of_capital,
    fold_name,
    is_country_name,
)
from summarizer.schema import Actor, ActorType

__all__ = [
    "actor_named",
    "actor_type_for",
    "article_spelling",
    "attribution",
    "canonical_actor",
    "derived_actor_country",
    "in_article",
    "named_source",
    "organisation_of",
    "sources_of",
    "state_forces_of",
    "unclosed_cut",
    "unidentified_group",
]

_MILITARY = re.compile(
    r"\b(army|armies|military|militaries|troops?|soldiers?|armed forces|air ?force|navy|"
    r"marines|government forces|regime forces|security forces|forces|defen[cs]e forces|"
    r"arm[ée]e|militaires|soldats|forces arm[ée]es|ej[ée]rcito|militares|soldados|"
    r"fuerzas armadas|for[çc]as armadas|for[çc]as de defesa|ex[ée]rcito|junta)\b",
    re.IGNORECASE,
)
_POLICE = re.compile(
    r"\b(police|policemen|policewomen|officers|gendarm\w*|pol[ií]c[ií]as?|policiers|polizia|"
    r"polizei\w*|riot police|carabineros|carabinieri|guardia nacional|guardia civil|"
    r"forces de l'ordre)\b",
    re.IGNORECASE,
)
_GROUPS = {
    ActorType.civilians: "Civilians",
    ActorType.protesters: "Protesters",
    ActorType.rioters: "Rioters",
}
_DERIVED = re.compile(r"^(?:(?:Military|Police) Forces of (?P<of>.+)|"
                      r"(?:Civilians|Protesters|Rioters) \((?P<paren>.+)\))$")  # fmt: skip


# ACLED's actor types by the words of a name, first match wins; a name with none of
# them keeps the model's type (see actor_type_for).
_TYPE_WORDS: tuple[tuple[ActorType, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        # armed opposition groups known by name, which the codebook codes as rebel
        # groups whatever their name says ("Rapid Support Forces")
        (ActorType.rebel_group, r"\b(?:al-?Shabaa?b|Boko Haram|ISWAP|Islamic State|ISIS|ISIL|"
         r"Daesh|JNIM|Taliban|TTP|Houthis?|Ansar Allah|M23|Hayat Tahrir|HTS|"
         r"Rapid Support Forces|RSF|al-Qaeda|AQAP|ADF|FARC|ELN|New People's Army|NPA|"
         r"Arakan Army|People's Defen[cs]e Forces?|PDF|Fano|TPLF|Tigray Defen[cs]e Forces|"
         r"Hamas|Hezbollah|PKK|SDF|Wagner|SPLA|SPLM|Sudan People['’]s Liberation)\b"),
        # armies, fronts and movements of liberation or independence are armed opposition
        # ("Baloch Liberation Army", "Kachin Independence Army"), not a state's forces;
        # China's People's Liberation Army is
        (ActorType.rebel_group, r"\b(?:(?<!People's )(?<!People’s )Liberation|Independence|"
         r"Resistance|Salvation)\b(?:\s+[\w'’-]+){0,3}?\s+(?:Army|Forces?|Front|Movement|"
         r"Brigades?)\b|\bFree [A-Z]\w+ Army\b"),
        (ActorType.political_militia, r"\b(?:pro-government|pro-regime)\s+(?:militia|fighters|"
         r"groups?)\b|\b(?:gunmen|bandits?|gangs?|gang members|armed men|hommes arm[ée]s|"
         r"hombres armados|pandillas?|sicarios|cartel\w*|bandidos|unidentified)\b"),
        (ActorType.identity_militia, r"\b(?:ethnic|clan|communal|tribal|vigilantes?|"
         r"self-defen[cs]e|herders?|hunters|dozos?|koglweogo)\b"),
        (ActorType.protesters, r"\b(?:protesters?|protestors?|demonstrators?|marchers|"
         r"manifestants?|manifestantes?)\b"),
        (ActorType.rioters, r"\b(?:rioters?|mobs?|[ée]meutiers|looters)\b"),
        (ActorType.civilians, r"\b(?:civilians?|villagers?|residents?|passengers?|"
         r"worshippers?|students?|farmers?|workers?|miners?|children|women|traders?|"
         r"shoppers?|patients|pilgrims|civils?|civiles?|habitants|villageois|mineros|"
         r"trabajadores|pobladores)\b"),
        (ActorType.state_forces, _MILITARY.pattern + "|" + _POLICE.pattern),
        (ActorType.rebel_group, r"\b(?:rebels?|insurgents?|jihadists?|militants?|"
         r"guerrillas?|rebeldes|djihadistes|jihadistes|terroristes?|terrorists?)\b"),
    )
)  # fmt: skip


def actor_type_for(name: str, model_type: ActorType) -> ActorType:
    """The actor type a name's own words give (army -> state forces, villagers ->
    civilians, bandits -> political militia, ...), else the model's; an 'identity
    militia' whose name has no ethnic, clan or communal word is an armed opposition
    group, the codebook's rebel group."""
    for kind, pattern in _TYPE_WORDS:
        if pattern.search(name):
            return kind
    if model_type is ActorType.identity_militia:
        return ActorType.rebel_group
    return model_type


def unclosed_cut(name: str) -> str:
    """``name`` without a parenthesis it opens and does not close, nor what follows it:
    "Agence d'information du Burkina (AIB, publique" -> "Agence d'information du
    Burkina" (a span cut inside the article's "(AIB, publique)")."""
    while name.count("(") > name.count(")"):
        name = name[: name.rfind("(")].rstrip(" ,;:-")
    return name


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


_WORD = re.compile(r"[\w'’-]+")


def article_spelling(name: str, text: str, cutoff: float = 88.0) -> str | None:
    """The article's own spelling of a name the model spelt differently ("Kfar Zita" for
    "Kafr Zita", "Syria Observatory" for "Syrian Observatory"): the run of words of about
    the same length whose folded form is closest (rapidfuzz ratio >= ``cutoff``), or None."""
    from rapidfuzz import fuzz

    target = fold_name(name)
    size = len(target.split())
    if not target or size > 8:
        return None
    words = list(_WORD.finditer(text))
    best: tuple[float, str] | None = None
    for n in {max(1, size - 1), size, size + 1}:
        for i in range(len(words) - n + 1):
            # an elided article is not the name's: "l'Alibori", "dell'Ituri"
            span = text[words[i].start() : words[i + n - 1].end()]
            if elided := ELIDED_ARTICLE.match(span):
                span = span[elided.end() :]
            if span.isupper() and len(span) > 4 and not name.isupper():
                continue  # a dateline's or heading's capitals ("TBILISI") are no spelling
            score = fuzz.ratio(target, fold_name(span))
            if score >= cutoff and (best is None or score > best[0]):
                best = (score, span)
    return (unclosed_cut(best[1]) or None) if best else None


_STATE_WORDS = frozenset(
    {"government", "governments", "regime", "forces", "force", "army", "troops", "military",
     "security", "state", "loyalists", "pro", "the", "national", "armed", "soldiers"}
)  # fmt: skip


def state_forces_of(name: str, countries: dict[str, int]) -> str | None:
    """'Military Forces of X' for a state-forces mention the article does not spell out
    ("Syrian government", "regime forces") when its country is the one the article names
    most; None when the mention has words other than a country and generic state words."""
    if not countries:
        return None
    words = fold_name(name).split()
    named = countries_in(name)
    rest = [w for w in words if w not in _STATE_WORDS]
    code = max(countries, key=lambda c: countries[c])
    if named and code not in named:
        return None
    country = country_name(code)
    if not country or not words or len(rest) > (1 if named else 0):
        return None
    return f"Military Forces of {country}"


_CAP = r"[A-ZÀ-Ý][\w'’.-]*"
# a lower-case link word, or an elided one ("Agence d'information du Burkina")
_LINK = r"(?:(?:of|for|on|the|and|de|del|des|du|la|le|y|et)\b|[dl]['’][\w-]+)"
_ATTRIBUTED = [
    # "according to the Syrian Observatory for Human Rights", "selon l'ONU", "según la Fiscalía"
    re.compile(rf"\b(?:according to|selon|según)\s+(?:the |le |la |l'|l’|el |los |las )?"
               rf"((?:{_CAP})(?:\s(?:{_CAP}|{_LINK}))*)"),
    # "..., the Sudan Doctors Network said", "..., police said", "..., residents told Reuters"
    re.compile(r"[,;]\s+(?:an? |the )?((?:[A-ZÀ-Ýa-z][\w'’-]*\s){0,5}[\w'’-]+?)\s+"
               r"(?:said|says|told|reported|confirmed|a déclaré|ont déclaré|dijo|informó)\b"),
    # the speaker after the verb: "..., a annoncé vendredi l'état-major des armées",
    # "..., informó la Policía Nacional", "..., said the army"
    re.compile(r"[,;]\s+(?:said|says|a annoncé|ont annoncé|a indiqué|a déclaré|a précisé|"
               r"a affirmé|informó|indicó|señaló|dijo|afirmó|disse|informou|afirmou|"
               r"ha reso noto|ha dichiarato|ha riferito)\s+"
               r"(?:(?:on |el |este |esta )?(?:\w+day|lundi|mardi|mercredi|jeudi|vendredi|samedi|"
               r"dimanche|hier|lunes|martes|miércoles|jueves|viernes|sábado|domingo|ayer)\s+)?"
               r"(?:the |l'|l’|le |la |les |el |los |las |a |o |os |il |lo )?"
               r"((?:[\w'’-]+)(?:\s[\w'’-]+){0,5}?)(?=\s*(?:[.;,(]|$))"),
]  # fmt: skip
_INVERTED = 2  # the index in _ATTRIBUTED of "..., said X"
_NOT_SOURCES = re.compile(r"^(?:he|she|they|it|we|who|which|officials? who|that)$", re.I)


def _attributions(text: str) -> list[tuple[int, int, str]]:
    """(pattern, position, who) of every attribution in the text ("according to X",
    "..., X said"), who as the text writes it."""
    found = []
    for index, pattern in enumerate(_ATTRIBUTED):
        for match in pattern.finditer(text):
            who = re.sub(rf"(?:\s{_LINK})+$", "", match.group(1).strip(" .,"))
            if 2 < len(who) <= 80 and not _NOT_SOURCES.match(who):
                found.append((index, match.start(), who))
    return found


def sources_of(first: str | None, own: str, text: str, limit: int = 4) -> list[str]:
    """Every source the event's sentences ``own`` attribute it to, ``first`` (the one
    chosen) first, then in the order they name them, each as the organisation it speaks
    for when the article gives one ("Observatory chief Rami Abdel Rahman" -> the
    Observatory); only names the article writes, no country, at most ``limit``. ACLED
    lists all of an event's sources."""
    folded = fold_name(text)
    found = [first] if first else []
    for _, _, who in sorted(_attributions(own), key=lambda a: a[1]):
        named = named_source(who, own, text) or who
        if (
            ". " in named
            or "\n" in named
            or not in_article(named, folded)
            or is_country_name(named)
            or any(fold_name(named) == fold_name(f) for f in found)
        ):
            continue
        found.append(named)
    return found[:limit]


def attribution(text: str) -> str | None:
    """Who the sentences say reported what they tell ("according to X" first, then
    "..., X said"), copied from them; None when they attribute nothing."""
    return min(_attributions(text), default=(0, 0, None))[2]


_ROLE = (
    r"(?:head|chief|director|founder|president|leader|spokes(?:man|woman|person)|"
    r"commander|coordinator|secretary[- ]general|chairman|directeur|porte-parole|"
    r"director|portavoz|vocero)"
)
_ORG = rf"((?:{_CAP})(?:\s(?:{_CAP}|{_LINK}))*)"


def organisation_of(person: str, text: str) -> str | None:
    """The organisation the article gives a person as the voice of ("Rami Abdel Rahman,
    head of the Syrian Observatory for Human Rights", "Observatory chief Rami Abdel
    Rahman"): ACLED names the organisation as the source; None when it gives none."""
    name = re.escape(person.strip())
    if not name:
        return None
    for pattern in (
        rf"{name},\s+(?:the\s+)?{_ROLE}\s+(?:of|for|at|de|du|del)\s+(?:the\s+|la\s+|le\s+|el\s+)?{_ORG}",
        rf"{_ORG}\s+{_ROLE}\s+{name}\b",
    ):
        match = re.search(pattern, text)
        if match:
            found = re.sub(rf"(?:\s{_LINK})+$", "", match.group(1).strip(" .,"))
            if 2 < len(found) <= 80 and found.split()[0].lower() not in {"the", "a", "an"}:
                return found
    return None


def unidentified_group(country: str | None) -> Actor:
    """ACLED's actor for an armed side the article does not name: "Unidentified Armed
    Group (<country>)"."""
    name = f"Unidentified Armed Group ({country})" if country else "Unidentified Armed Group"
    return Actor(name=name, type=ActorType.political_militia)


def actor_named(
    name: str,
    actor_type: ActorType,
    country: str | None,
    folded_text: str,
    text: str,
    countries: dict[str, int],
) -> Actor | None:
    """The side as the article names it (in its spelling), or the ACLED name derived from
    a state-forces mention ("regime loyalists" -> "Military Forces of Syria", whatever
    type the model gave it); None when the article does not name it. A side named only
    by a loaded word ("terrorists") or by its type ("rebel_group") is an Unidentified
    Armed Group, as ACLED names it; loaded words are dropped from a name ("Hezbollah
    terrorist" -> "Hezbollah")."""
    name = _LOADED_WORD.sub(" ", name).strip(" .,")
    name = " ".join(name.split())
    if not name or name.lower() in _TYPE_NAMES:  # "terrorists", or the type for a name
        if actor_type is ActorType.state_forces:
            name = "state forces"  # derived below, from the country the article names
        elif actor_type in _ARMED_TYPES:
            return unidentified_group(country)
        else:
            return None
    derived = state_forces_of(name, countries) or _regime_of(name)
    if derived is not None:
        return Actor(name=derived, type=ActorType.state_forces)
    if not in_article(name, folded_text):
        spelt = article_spelling(name, text)
        if spelt is None:
            role = _role_told(name, folded_text)
            if role is None or not country:
                return None
            # "Police" for an article that says "Polizei": ACLED's name from the role
            return Actor(name=canonical_actor(role[0], role[1], country), type=role[1])
        name = spelt
    actor_type = actor_type_for(name, actor_type)
    return Actor(name=canonical_actor(name, actor_type, country)[:80], type=actor_type)


# generic sides an English answer names, and the words other languages give them: the
# model often answers "Police" for "Polizei" or "Protesters" for "manifestantes"
_ROLES: tuple[tuple[str, ActorType, frozenset[str], frozenset[str]], ...] = (
    ("police", ActorType.state_forces,
     frozenset({"police", "police officers", "policemen", "officers"}),
     frozenset({"polizei", "polizisten", "beamte", "policia", "policias", "policiers",
                "gendarmes", "gendarmerie", "carabineros"})),
    ("army", ActorType.state_forces,
     frozenset({"army", "soldiers", "troops", "military", "armed forces"}),
     frozenset({"armee", "soldaten", "bundeswehr", "militar", "soldats", "militaires",
                "ejercito", "soldados", "militares", "exercito", "forces armees",
                "fuerzas armadas"})),
    ("protesters", ActorType.protesters,
     frozenset({"protesters", "demonstrators", "protestors", "marchers"}),
     frozenset({"demonstranten", "demonstrierende", "manifestants", "manifestantes",
                "protestierende", "teilnehmende"})),
    ("rioters", ActorType.rioters,
     frozenset({"rioters", "masked rioters", "masked people"}),
     frozenset({"randalierer", "vermummte", "emeutiers", "alborotadores", "encapuchados"})),
    ("civilians", ActorType.civilians,
     frozenset({"civilians", "villagers", "residents"}),
     frozenset({"zivilisten", "civils", "civiles", "civis", "habitants", "villageois",
                "pobladores", "bewohner", "dorfbewohner", "moradores"})),
)  # fmt: skip


def _role_told(name: str, folded_text: str) -> tuple[str, ActorType] | None:
    """The generic side (its English word and type) that ``name`` is, when the article
    names that side in another language."""
    folded = fold_name(name)
    for english, kind, answers, words in _ROLES:
        if folded in answers and any(f" {w} " in f" {folded_text} " for w in words):
            return english, kind
    return None


_REGIME = re.compile(r"^(?:the\s+)?(.+?)\s+regime(?:\s+forces)?$", re.IGNORECASE)


def _regime_of(name: str) -> str | None:
    """'Military Forces of Ukraine' for "Kyiv regime" or "Ukrainian regime": a side's word
    for its enemy's state, which ACLED names as that state's forces."""
    match = _REGIME.match(name.strip())
    if not match:
        return None
    place = match.group(1)
    named = countries_in(place)
    code = next(iter(named)) if len(named) == 1 else country_of_capital(place)
    country = country_name(code) if code else None
    return f"Military Forces of {country}" if country else None


# a side's label for its enemy, not a name: "terrorists", "the bandits", "Khawarij"
_LOADED_WORD = re.compile(
    r"\b(?:the\s+)?(?:terrorists?|terrorist groups?|bandits|criminals|thugs|extremists|"
    r"khawarij|miscreants|mercenaries|takfiris?|terroristes|terroristas|bandidos|"
    # Pakistan's official labels for armed groups
    r"fitna al-(?:hindustan|khawarij))\b",
    re.IGNORECASE,
)
# a type given for a name ("rebel_group"): civilians, protesters and rioters are names too
_TYPE_NAMES = frozenset(
    {"state_forces", "rebel_group", "political_militia", "identity_militia",
     "external_other_forces", "state forces", "rebel group", "political militia",
     "identity militia", "external other forces", "unknown", "none", "n/a",
     "jihadist_group", "armed group"}
)  # fmt: skip
_ARMED_TYPES = frozenset(
    {ActorType.rebel_group, ActorType.political_militia, ActorType.identity_militia}
)


# a clause's first word is no speaker's: "..., while the main opposition party said"
_CLAUSE = re.compile(
    r"(?:and|but|or|while|whereas|as|when|after|because|since|though|although|so|which)\s"
)


def named_source(source: str, own: str, text: str) -> str | None:
    """The organisation a source stands for, when the article gives one: the body a
    person speaks for (see :func:`organisation_of`), or, for a source the sentences only
    describe ("a war monitor", "officials"), the first named source their sentences,
    else the article, attribute something to ("..., the Syrian Observatory for Human
    Rights said"). None when there is nothing better."""
    if body := organisation_of(source, text):
        return body
    wire = is_wire(source)
    if re.search(r"[A-ZÀ-Ý]", source) and not wire:
        return None
    # a name the sentences, else the article, attribute something to; for a wire, else
    # what its own sentences attribute ("..., the health ministry said")
    passes = ((own, False), (own, True)) if wire else ((own, False), (text, False))
    for told, any_case in passes:
        for index, _, found in sorted(_attributions(told), key=lambda a: a[1]):  # in order
            named = found[:1].isupper() or (any_case and not _CLAUSE.match(found))
            if (
                not named
                or (index == _INVERTED and told is text)  # another event's speaker
                or is_wire(found)
                or ". " in found
                or "\n" in found  # the words of one sentence
                or not in_article(found, fold_name(text))
            ):
                continue
            return organisation_of(found, text) or found
    return None
