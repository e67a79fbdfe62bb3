"""ACLED's coding rules that code applies better than a small model: the event type the
codebook gives for what the sentences describe, and the kind of explosive weapon."""

from __future__ import annotations

import re

from summarizer.extraction._acts import acts_in, not_news
from summarizer.extraction._harm import armed_targets_only
from summarizer.extraction._places import countries_in
from summarizer.extraction._weapons import explosive_kind
from summarizer.schema import EventType, SubEventType
from summarizer.text.folding import strip_quoted

__all__ = [
    "KIND_BY_WORDS",
    "codebook_kind",
    "describes_mob_violence",
    "describes_protest",
    "describes_rioting",
    "describes_violence_against_civilians",
    "explosive_kind",
    "label_by_words",
    "lexicon_type",
    "names_armed_group",
    "names_conflict",
    "other_domain",
    "tells_a_disaster",
    "tells_an_act",
    "tells_arrests",
]


# ACLED: explosives of any kind, whoever the victims, make explosions/remote violence.
# (Read on ``acts_in`` text, where petrol bombs and tear gas canisters are no bombs.)
_EXPLOSIVE = re.compile(
    r"\b(?:shell(?:s|ing|ed)|air ?strikes?|airstrikes?|drones?|bomb(?:s|ing|ed|ings)?|"
    r"missiles?|rockets?|artillery|mortars?|grenades?|IEDs?|explosi\w+|blasts?|air raids?|"
    r"warplanes?|(?:fighter )?jets?|strikes|tank (?:fire|shells?|rounds?)|"
    r"bombard\w*|landmines?|obus|frappes? a[ée]riennes?|bombes?|bombardement\w*|roquettes?|"
    r"explosi[óo]n\w*|bombas?|misil\w*|cohetes?|morteros?|bombarde\w*|explod\w*|"
    r"anti-(?:tank|personnel) mines?|kamikazes?|attentats?-suicides?|atentados? suicidas?|"
    r"luftangriff\w*|drohne\w*|bombe\w*|raketen?\w*|granate\w*|sprengs[äa]tz\w*|beschuss|"
    r"beschossen|artillerie\w*|selbstmordanschl[äa]g\w*)\b",
    re.IGNORECASE,
)
_FIGHTING = re.compile(
    r"\b(?:fight(?:s|ing)?|fought|crossfire|cross-fire|fuego cruzado|tirs crois[ée]s|"
    r"exchange of fire|exchanged fire|shootout|gun ?battle|tirote\w*|balacera|troca de tiros|"
    r"confrontos?|scontr[io]|combattiment\w*|conflitto a fuoco|sparatori\w*|[ée]change de tirs|"
    r"clash\w*|battl\w*|gunfight|firefight|seiz\w*|captur(?:e|ed|es|ing)\b|recaptur\w*|retook|retake\w*|"
    r"overran|repel\w*|assault(?!\s+rifles?)\w*|combat\w*|affrontements?|combats?|enfrentamientos?|"
    r"advanc(?:e|ed|es|ing)|offensive|(?:fresh|new|territorial) gains|took (?:full )?control|"
    r"combates?|repris|reprise|pris le contr[ôo]le|empar[ée]\w*|retom\w*|recuper(?:ó|aron) el "
    r"control|tom(?:ó|aron) el control|gefecht\w*|k[äa]mpfe\w*|schusswechsel|erobert\w*|"
    r"eingenommen)\b",
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
    acts = acts_in(sentence)
    fighting, explosive = _FIGHTING.search(acts), _EXPLOSIVE.search(acts)
    if fighting and (not explosive or fighting.start() < explosive.start()):
        return EventType.battles
    if explosive:
        return EventType.explosions_remote_violence
    if _ARREST.search(acts) and not _HARM_DONE.search(acts):
        return EventType.strategic_developments
    if event_type is EventType.violence_against_civilians and armed_targets_only(acts):
        return EventType.battles
    return event_type


# who destroys property in ACLED's strategic developments: armed men, not a fire or a storm
_ARMED_GROUPS = (
    r"gunmen|militants?|rebels?|insurgents?|militias?|jihadists?|fighters|hommes arm[ée]s|"
    r"rebelles|pistoleros|sicarios"
)
_ARMED_ACTOR = re.compile(
    rf"\b(?:{_ARMED_GROUPS}|soldiers|troops|attackers|assailants|raiders|gangs?|bandits|"
    r"armed men|settlers)\b",
    re.IGNORECASE,
)
# armed actors: a sentence naming them with a demonstration may tell of an attack on it
_ARMED = re.compile(
    rf"\b(?:{_ARMED_GROUPS}|insurgentes|rebeldes|d?jihadistes|yihadistas|jihadistas|"
    r"homens armados|hombres armados|bewaffnete|rebellen|milizen|d?schihadisten|"
    r"aufst[äa]ndische)\b",
    re.IGNORECASE,
)
_HARM_DONE = re.compile(
    r"\b(?:kill\w*|shot|shoot\w*|gunned|abduct\w*|kidnap\w*|massacr\w*|attack\w*|beat(?:en)?|"
    r"stabb\w*|hacked|lynch\w*|tu[ée]s?|muert\w*|asesin\w*|get[öo]tet|erschossen|ermordet|"
    r"entf[üu]hrt|morreram|morreu|mort[oa]s|baleados?|uccis[oi])\b",
    re.IGNORECASE,
)
_DOMAIN = re.compile(
    r"\b(?:shares?|stocks?|stock markets?|investors?|index|FTSE|Dow|Nasdaq|bonds?|currency|"
    r"sterling|earnings|(?<!youth )(?<!women's )(?<!party )league|goals?|strikers?|fans?|"
    r"half-time|kick-off|stadium|"
    r"budget|chancellor|backbench\w*|MPs|welfare|box office|album)\b|\b\d{1,2}-\d{1,2}\b",
    re.IGNORECASE,
)
# accidents and disasters ("14 killed as bus plunges off road"): each counts twice, as
# the police or the army named beside them are rescuers or sources, not sides
_ACCIDENT = re.compile(
    r"\b(?:accidents?|crash(?:ed|es)?|collisions?|collided|plunged?|plunges|veered|skidded|"
    r"overturned|capsized|derailed|landslides?|floods?|earthquakes?|drowned)\b",
    re.IGNORECASE,
)
_CONFLICT = re.compile(
    r"\b(?:troops|soldiers|army|military|police|militants?|rebels?|gunmen|militias?|"
    r"insurgents?|jihadists?|civilians|villagers|protesters|demonstrators|air ?strikes?|"
    r"shelling|bombs?|blasts?|explosions?|IEDs?|grenades?|drones?|landmines?|mines?|"
    r"refugees|displaced|soldaten|armee|milit[äa]r|polizei|milizen?|rebellen|zivilisten|"
    r"demonstranten|demonstrierende)\b",
    re.IGNORECASE,
)


# natural hazards: a story headlined on one tells its dead as the hazard's, not an attack's
_DISASTER = re.compile(
    r"\b(?:landslides?|mudslides?|floods?|flooding|earthquakes?|quakes?|cyclones?|typhoons?|"
    r"hurricanes?|(?:tropical|severe|winter) storms?|storm surges?|"
    r"(?:thunder|rain|snow|sand)storms?|torrential|heavy rains?|tsunamis?|avalanches?|"
    r"wildfires?|heatwaves?|"
    r"droughts?|volcan\w*|glissements? de terrain|inondations?|s[ée]ismes?|tremblements? de "
    r"terre|deslizamientos?|inundaciones|terremotos?|sismos?|huracanes?|deslizamentos?|"
    r"enchentes?|alagamentos?|frane?|alluvion\w*|terremoto)\b",
    re.IGNORECASE,
)


def tells_a_disaster(headline: str) -> bool:
    """Whether a headline tells a natural hazard (floods, a landslide, an earthquake) and
    no armed conflict: its story's dead are the hazard's."""
    return _DISASTER.search(headline) is not None and _CONFLICT.search(headline) is None


def names_conflict(text: str) -> bool:
    """Whether the text names an armed side, a weapon or conflict's people."""
    return _CONFLICT.search(text) is not None or _ARMED.search(text) is not None


def names_armed_group(text: str) -> bool:
    """Whether the text names gunmen, militants, rebels or a militia (an attack by them on
    a demonstration is violence against civilians, not a protest event)."""
    return _ARMED.search(text) is not None


def other_domain(sentence: str) -> bool:
    """Whether a sentence is about sport, markets, parliamentary politics or an accident
    rather than conflict: it has more words of those domains than words of armed conflict."""
    other = len(_DOMAIN.findall(sentence)) + 2 * len(_ACCIDENT.findall(sentence))
    return other > len(_CONFLICT.findall(sentence))


def _words(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_STATE_SIDE = _words(
    r"\b(?:army|troops|soldiers|military|government forces|regime forces|security forces|"
    r"police|forces loyal|defen[cs]e forces?|arm[ée]es?|forces arm[ée]es|ej[ée]rcito|"
    r"militares|soldados|soldats|guardia nacional|armee|soldaten|polizei\w*|streitkr[äa]fte|"
    r"sicherheitskr[äa]fte|einsatzkr[äa]fte|beamte)\b"
)
# an army named by capitalised words: "Arakan Army" and "Kachin Independence Army" are
# armed groups; "Sudanese Army" and "Somali National Army", a state's
_NAMED_ARMY = re.compile(r"\b((?:[A-Z][\w'’]+\s+){1,4})Army\b")


def _armed_unless_national(match: re.Match[str]) -> str:
    # a possessive is the army's country, not its name: "Myanmar's Arakan Army"
    name = " ".join(w for w in match.group(1).split() if not w.endswith(("'s", "’s")))
    return match.group(0) if countries_in(name) else " rebels "


_INTENT = _words(
    r"\b(?:aims?|aimed|seeks?|sought|trying|tries|tried|attempts?|attempted|want\w*|plans?|"
    r"planned|push(?:ed|ing)? towards|expected) to\b[^,.;]*|"
    r"\bafter (?:capturing|seizing|taking|recapturing|retaking)\b[^,.;]*"
)
_BACKERS = _words(r"\b(?:backed|supported|aided|assisted|helped) by\b[^,.;]*")
_CAPTURE = _words(
    r"\b(?:seiz\w*|captur\w*|retook|retak\w*|recaptur\w*|took (?:full )?control|"
    r"overr[au]n|fell to|prise? de|pris le contr[ôo]le|tom[óo] el control|"
    r"se apoder\w*|repris|reprise|s'empar\w*|empar[ée]\w*|retom\w*|recuper(?:ó|aron))\b"
)
_ABDUCTION = _words(
    r"\b(?:abduct\w*|kidnap\w*|hostages?|disappear\w*|secuestr\w*|enlev\w*|"
    r"otages?|rapt|entf[üu]hr\w*|verschlepp\w*|geiseln?)\b"
)
_SEXUAL = _words(r"\b(?:rap(?:e|ed|ing)|sexual\w*|viol(?:ée?s?)?|violaci[óo]n)\b")
_DEADLY_FORCE = _words(
    r"\b(?:killed|shot dead|live (?:fire|ammunition|rounds)|muert\w*|muri[óo]|tu[ée]s?|"
    r"abrieron fuego|ouvert le feu|opened fire|erschossen|get[öo]tet|scharfe munition)\b"
)
_INTERVENTION = _words(
    r"\b(?:tear ?gas|dispers\w*|water cannon|arrest\w*|detain\w*|batons?|"
    r"rubber bullets|gaz lacrymog\w*|gases? lacrim\w*|fired (?:shots|warning)|tr[äa]nengas|"
    r"wasserwerfer\w*|pfefferspray|schlagst[öo]ck\w*|festgenommen|festnahme\w*)\b"
)
_MOB = _words(r"\b(?:mobs?|lynch\w*|vigilantes?|lincha\w*)\b")
_ARREST = _words(
    r"\b(?:arrest\w*|detain\w*|arr[êe]t\w*|interpell\w*|detenid\w*|captur(?:[óo]|aron|ou|aram)|"
    r"aprehend\w*|"
    r"detuv\w*|detid[oa]s|(?:foram|foi|ficaram|s[ãa]o) pres[oa]s?|arrestat\w*|fermat[oi]|"
    r"festgenommen|festnahme\w*|verhaft\w*|vorl[äa]ufig fest)\b"
)
_AGREEMENT = _words(
    r"\b(?:ceasefire|truce|agreement|accords?|deal|signed|(?<![Dd]e )acuerdo|tregua|"
    r"cessez-le-feu|waffenruhe|waffenstillstand\w*|abkommen)\b"
)
# air defences that stop drones or missiles: "shot down 38 of the 56 drones"
_INTERCEPTED = _words(
    r"\b(?:shot down|intercepted|downed|destroyed|neutrali[sz]ed)\s+(?:\S+\s+){0,5}?"
    r"(?:drones?|missiles?|rockets?|shaheds?)\b|\bair defen[cs]es?\b"
)
# an offer to the other side: "guarantee them safe passage", "an ultimatum to leave"
# explosives made safe: ACLED's disrupted weapons use (read on the whole sentence: the
# act-less words set "defused" aside)
_DEFUSED = _words(
    r"\b(?:defused|rendered (?:it|them|the (?:device|bomb|charge)s?) safe|disarmed (?:the|a|an) "
    r"(?:bomb|device|IED|explosive)s?|d[ée]samorc[ée]\w*|desactivad[oa]s?)\b"
)
_CONCESSION = _words(r"\b(?:safe passage|ultimatum|sauf-conduit|salvoconducto)\b")
_DESTRUCTION = _words(
    r"\b(?:loot\w*|torch\w*|set (?:on )?fire|burn(?:ed|t)|destroy\w*|pill\w*|"
    r"saque\w*|in brand|brannten|angez[üu]ndet|zerst[öo]rt|gepl[üu]ndert)\b"
)
# a chemical weapon, not "a chemical plant" the drone hit
_CHEMICAL = _words(
    r"\b(?:chemical (?:weapons?|attacks?|agents?|munitions?|arms|gas|strikes?)|chlorine|sarin|"
    r"mustard gas|nerve agents?|toxic gas)\b"
)
_CIVILIAN_HARM = _words(
    r"\b(?:kill\w*|shot|shoot\w*|gunned|abduct\w*|kidnap\w*|massacr\w*|execut\w*|rap(?:e|ed)|"
    r"attack\w*|beat(?:en|ing)?|hacked|stabb\w*|murder\w*|assassin\w*|tortur\w*|burn(?:ed|t) "
    r"alive|slain|hostages?|muert\w*|asesin\w*|secuestr\w*|atac\w*|tu[ée]s?|enlev\w*|"
    r"attaqu\w*|abattu\w*|abrieron fuego|dispar(?:aron|ó)|ouvert le feu|get[öo]tet|"
    r"erschossen|ermordet|angegriffen|entf[üu]hrt|sexual\w* "
    r"(?:violence|assault\w*|abuse)|raped|viol[ée]e?s?|violad[ao]s?|"
    # Portuguese and Italian
    r"mort[oa]s?|morreram|morreu|baleado\w*|assassinad\w*|executad\w*|sequestrad\w*|"
    r"uccis[oi]|ammazzat\w*|rapit[oi]|sequestrat\w*|aggredit\w*|picchiat\w*)\b"
)


def describes_violence_against_civilians(text: str) -> bool:
    """Whether sentences describe people killed, hurt, abducted or attacked (a small model
    labels much else "attack on civilians": opinions, quotes, statements)."""
    return _CIVILIAN_HARM.search(text) is not None


# the event types whose sub-event type codebook_kind always takes from the event's words,
# never from the model's choice (the details question need not ask it: prompt v9 on)
KIND_BY_WORDS = frozenset(
    {
        EventType.battles,
        EventType.explosions_remote_violence,
        EventType.violence_against_civilians,
        EventType.protests,
        EventType.riots,
    }
)


def codebook_kind(
    event_type: EventType, model_kind: SubEventType, text: str, actor1_is_state: bool
) -> SubEventType:
    """The sub-event type the codebook gives for what ``text`` describes, where its words
    decide it; the model's choice otherwise."""
    if event_type is EventType.explosions_remote_violence:
        return SubEventType.chemical_weapon if _CHEMICAL.search(text) else explosive_kind(text)
    if event_type is EventType.battles:
        text = _INTENT.sub(" ", acts_in(text))  # "they aim to capture" takes nothing yet
        capture = _CAPTURE.search(text)
        if not capture:
            return SubEventType.armed_clash
        # who took it: the side named just before the verb ("M23 rebels seized ..."),
        # else the record's first side
        before = _BACKERS.sub(" ", text[max(0, capture.start() - 80) : capture.start()])
        before = _NAMED_ARMY.sub(_armed_unless_national, before)
        sides = [(m.start(), True) for m in _STATE_SIDE.finditer(before)] + [
            (m.start(), False) for m in _ARMED.finditer(before)
        ]
        by_state = max(sides)[1] if sides else actor1_is_state
        return (
            SubEventType.government_regains_territory
            if by_state
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
        (_INTERCEPTED, SubEventType.disrupted_weapons_use),
        (_ARREST, SubEventType.arrests),
        (_AGREEMENT, SubEventType.agreement),
        (_DESTRUCTION, SubEventType.looting_property_destruction),
        (_CONCESSION, SubEventType.other),
    ):
        if pattern.search(text):
            return kind
    if model_kind is SubEventType.disrupted_weapons_use:
        return SubEventType.other  # no drone or missile was stopped
    return model_kind


_PROTEST = _words(
    r"\b(?:protest\w*|demonstrat\w*|marchers|marched|marching|bloquearon|bloqueo|rall(?:y|ies|ied)|sit-in|manifest\w*|"
    r"marcha\w*|concentraci[óo]n de (?:trabajadores|manifestantes|estudiantes|vecinos|"
    r"jubilados)|rassemblement\w*|protestas?|demonstri\w*|demonstration\w*|kundgebung\w*|"
    r"(?:ont|a|avaient)(?: \w+){0,2} d[ée]fil[ée]|d[ée]fil[ée] (?:dans|en|jusqu)|"
    r"se sont rassembl[ée]s|"
    r"manifestazion\w*|protesta\w*|corteo|fiaccolata|sfilat[oi]|marcia|sciopero|"
    r"paralisa[çc][ãa]o|greve|huelga|paro de (?:transporte|labores)|"
    # "several hundred people gathered outside the governorate building"
    r"(?:gathered|assembled|converged) (?:outside|in front of|at|on)|sit-ins?)\b"
)


def tells_arrests(text: str) -> bool:
    """Whether the text tells people arrested or detained."""
    return _ARREST.search(text) is not None


def describes_protest(text: str) -> bool:
    """Whether sentences are about a protest (the codebook codes force used on
    protesters as a protest event, not as violence against civilians)."""
    return _PROTEST.search(text) is not None


# "Petrol bombs and bricks were thrown at police lines": a crowd's violence, whoever threw
_THROWN_AT_FORCES = (
    r"(?:petrol bombs?|firebombs?|molotov\w*|bottiglie incendiarie|stones|rocks|bricks|"
    r"bottles|fireworks|masonry|missiles)[^.;]{0,50}\b(?:thrown|hurled) at (?:the )?"
    r"(?:police|officers|security|troops|soldiers|riot police)"
)
_RIOTING = _words(
    r"\b(?:torch(?:ed|ing)|ston(?:ed|ing)|(?:threw|throwing|hurl\w*|pelt\w*) (?:stones|rocks)|"
    r"pelt\w* (?:\S+ ){1,8}?with (?:stones|rocks)|set (?:\S+ ){0,3}?on fire|"
    r"set (?:fire|ablaze)|loot\w*|vandali[sz]\w*|ransack\w*|broke into|stormed|"
    r"clash(?:ed|es) with (?:the )?(?:police|security)|incendi\w*|saque\w*|pill(?:é|age)\w*|"
    r"jet(?:é|aient) des pierres|lanzaron piedras|quem(?:ó|aron)|queimar\w*|queimad[oa]s?|"
    r"incendiad[oa]s?|apedre\w*|"
    r"krawall\w*|ausschreitung\w*|randalier\w*|barrikaden|in brand gesetzt|pl[üu]nder\w*|"
    # petrol bombs and missiles thrown at the police are a crowd's weapons, not explosives
    r"petrol bombs?|firebombs?|molotov\w*|bottiglie incendiarie|lancia\w* (?:di )?pietre|"
    rf"{_THROWN_AT_FORCES})\b"
)
_MOB_HARM = _words(
    r"\b(?:beat(?:en|ing)?|lynch\w*|kill\w*|hacked|stabb\w*|assault\w*|burn(?:ed|t) alive|"
    r"lincha\w*|golpe\w*)\b"
)


# a riot told by its own name, or a crowd's violence with no demonstration named
_RIOT = _words(
    r"(?<!anti-)\b(?:riot(?:s|ing|ers)?(?!\s+(?:police|gear|squads?|control|officers|units?|"
    r"shields?|act))|rioted|[ée]meutes?|[ée]meutiers|disturbios|mot[íi]n(?:es)?|"
    r"krawall\w*|ausschreitung\w*|randalier\w*|disordini|tumultos?|"
    r"(?:violent|public|serious|street|sectarian|racist|racially motivated) disorder|"
    r"nights? of (?:disorder|rioting|unrest|violence))\b|"
    rf"\b{_THROWN_AT_FORCES}\b|"
    r"\b(?:youths|crowds?|mobs?|jeunes|j[óo]venes|multitud|vermummte)\b[^.;]{0,60}"
    rf"(?:{_RIOTING.pattern})"
)


def describes_rioting(text: str) -> bool:
    """Whether a demonstration's sentences describe its participants' violence (fire set,
    stones thrown, looting, storming a building): ACLED's violent demonstration, a riot."""
    return _RIOTING.search(text) is not None


# an exchange between armed sides (vigilantes in a gunfight are in a battle), not a mob
# assaulting its victim
_EXCHANGE = _words(
    r"\b(?:fight(?:s|ing)?|fought|crossfire|cross-fire|exchange of fire|exchanged fire|shootout|"
    r"gun ?battle|gunfight|firefight|clash\w*|battl\w*|combat\w*|affrontements?|"
    r"enfrentamientos?|gefecht\w*|k[äa]mpfe\w*|schusswechsel|zusammenst[öo]\w*)\b"
)


def describes_mob_violence(text: str) -> bool:
    """Whether sentences describe a mob (a lynching, a crowd beating someone): ACLED codes
    it as a riot (mob violence), whoever the victim. Vigilantes in an exchange of fire
    are in a battle, not a mob."""
    return (
        _MOB.search(text) is not None
        and _MOB_HARM.search(text) is not None
        and _EXCHANGE.search(text) is None
    )


def label_by_words(sentence: str) -> str:
    """A sentence's label (see ``_steps.LABELS``) from its words alone, for prompt versions
    where code labels the sentences: on the embedded 1.5B model the classify question
    came back "attack on civilians" for 8 sentences in 10, whatever they said
    (docs/eval/2026-12-03b), so words decide and the model answers only what needs
    reading (places, sides, tolls, sources, the summary).

    Quoted speech, denials and references back to an event already told ("The latest
    violence came after ...") report nothing new. Words that tell no act are set aside
    first: arms carried ("armed with rifles and grenades"), things seized or found
    ("recovered explosives"), intentions and charges ("planning attacks", "on charges
    of murder"). A mob or a demonstration decides first; then, of fighting, an explosive
    weapon and an arrest, the one the sentence names first; then harm done (an attack
    on civilians, unless the harmed are soldiers, police or fighters: ACLED's violence
    against civilians is against unarmed people); then a deal or an offer to the other
    side where no one was hurt."""
    if other_domain(sentence) or not_news(sentence):
        return "background"
    if describes_mob_violence(sentence):
        return "riot"
    acts = acts_in(sentence)
    if describes_protest(acts):  # not "arrested ... accused of calling the blockade"
        return "protest"
    # (a side's word in quotation marks, '"rioters" set fire', is its label, not the news)
    if _RIOT.search(strip_quoted(acts)) and not (_FIGHTING.search(acts) or _EXPLOSIVE.search(acts)):
        return "riot"  # "Riots broke out ...", "youths set fire to a police station"
    if _INTERCEPTED.search(acts) or (_DEFUSED.search(sentence) and not _HARM_DONE.search(acts)):
        return "development"  # ACLED: disrupted weapons use
    found = [
        (match.start(), label)
        for pattern, label in (
            (_FIGHTING, "battle"),
            (_EXPLOSIVE, "explosion"),
            (_ARREST, "development"),
        )
        if (match := pattern.search(acts))
    ]
    if not found and _CIVILIAN_HARM.search(acts):
        found.append((0, "attack_on_civilians"))
    if (_AGREEMENT.search(acts) or _CONCESSION.search(acts)) and not _HARM_DONE.search(acts):
        found.append((len(acts), "development"))  # a deal or an offer, where no one was hurt
    if not found and _DESTRUCTION.search(acts) and _ARMED_ACTOR.search(acts):
        found.append((0, "development"))  # armed men burn or loot: property destruction
    if not found:
        return "background"
    harm = _HARM_DONE.search(acts)
    if harm and (arrest := _ARREST.search(acts)) and harm.start() < arrest.start():
        # "Eight suspects died and four were arrested during the operation": the deaths,
        # told first, are the news; the arrests part of it
        found.append((harm.start(), "attack_on_civilians"))
    label = min(found)[1]
    if label == "attack_on_civilians" and armed_targets_only(acts):
        return "battle"
    return label


def tells_an_act(sentence: str) -> bool:
    """Whether a sentence tells fighting, an explosive weapon used or an arrest (not only
    that people died)."""
    acts = acts_in(sentence)
    return any(p.search(acts) for p in (_FIGHTING, _EXPLOSIVE, _ARREST))
