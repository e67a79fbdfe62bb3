"""Events from labelled sentences: grouped by event type and day, background left out.

A sentence naming no day takes the day of the sentence before it, else the article's
first day; a sentence dated in an earlier year or month, or pointing back ("since",
"last month"), is background.
"""

from __future__ import annotations

import datetime as dt
import re

from summarizer.extraction._claims import CLAIMABLE, tells_a_claim
from summarizer.extraction._codebook import (
    describes_rioting,
    lexicon_type,
    names_conflict,
    tells_a_disaster,
    tells_an_act,
    tells_arrests,
)
from summarizer.extraction._days import (
    WEEKDAY_KEY,
    are_day_words,
    date_key,
    date_words,
    day_words,
    earlier_date,
    is_background,
    latest_year,
)
from summarizer.extraction._figures import death_figures
from summarizer.extraction._places import fold_name
from summarizer.extraction._sentences import Sentence, headline, is_stamp, undated
from summarizer.extraction._spot import Spot
from summarizer.extraction._steps import LABELS
from summarizer.extraction._where import same_place
from summarizer.schema import Event, EventType

__all__ = [
    "Spot",
    "add_event",
    "background_ids",
    "group_events",
    "lead_ids",
    "names_one_place",
    "reports_toll",
]


def lead_ids(sentences: list[Sentence]) -> set[int]:
    """The title (or first line, every clause of a headline) and the first sentence of
    the story after it (the first of 8 words or more: a byline or a page stamp is not the
    lead)."""
    if not sentences:
        return set()
    title = headline(sentences)
    after = title[-1].id if title else 0
    rest = [s for s in sentences if s.id > after]
    first = next((s.id for s in rest if len(s.text.split()) >= 8 and not is_stamp(s.text)), None)
    return {s.id for s in title} | ({first} if first is not None else set())


# a sentence opening on the event just told: its day words tell when a part of it
# happened, not another event's day
_REFERS_BACK = re.compile(
    r"^(?:The|This|That)\s+(?:\w+\s+)?(?:agreement|deal|truce|ceasefire|attack|strike|raid|"
    r"clashes|fighting|bombing|blast|explosion|ambush|assault|protest|march|demonstration|"
    r"operation|abduction|kidnapping)\b(?!\s+on\b|['’]s)"
)


def background_ids(sentences: list[Sentence], published: dt.date | None) -> set[int]:
    """Sentences that name no day of their own and are dated in an earlier year or month,
    or point back ("since", "last year"): background whatever a model would say."""
    latest = latest_year(sentences)
    return {
        s.id
        for s in sentences
        if date_key(s.text) is None and is_background(s.text, published, latest)
    }


# "In Mombasa, police ...", "Separately, in Kisumu, ...": a sentence that opens on a
# place starts that place's events
_PLACE_OPENER = re.compile(
    r"^(?:(?:Separately|Elsewhere|Meanwhile|Also|Later|Earlier|(?:Hours|Minutes|Moments|"
    r"Shortly) (?:earlier|later|before|after)),?\s+)?(?:[Ii]n|[Aa]t|[Nn]ear|[Oo]utside|"
    r"En|À|Dans|Près de|Cerca de)\s+(?:the\s+)?(?:(?:city|town|village|district|province|region|"
    r"capital|state) of\s+)?"
    r"((?:[A-ZÀ-Ý][\w'’.-]+)(?:[\s-](?:[A-ZÀ-Ý][\w'’.-]+|al|el|de|du)){0,3})\b"
)


def _opening_place(sentence: str) -> str | None:
    match = _PLACE_OPENER.match(undated(sentence).strip())
    if not match:
        return None
    place = match.group(1)
    if are_day_words(place) or place.split()[0].lower() in _MONTH_NAMES:
        return None  # "In March", "On Monday"
    return fold_name(place)


_MONTH_NAMES = frozenset(
    {
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
        "addition",
        "response",
        "total",
        "all",
    }
)


# "Hours later, artillery fire hit the market": another incident of the same day
_LATER = re.compile(
    r"^(?:(?:Hours|Minutes|Moments) (?:later|earlier)|"
    r"Later (?:that|the same) (?:day|night|morning|evening)|"
    r"Later|Earlier|Horas (?:más tarde|después)|Plus tard|Quelques heures plus tard)\b"
)
# "Clashes were also reported in the town of Yadouda": another place's event
_ANOTHER_PLACE = re.compile(
    r"\b(?:also|separately|elsewhere|meanwhile|in another (?:development|incident|attack))\b"
    r".*?\b(?:in|near|at)\s+(?:the\s+)?(?:(?:town|village|city|district|neighbou?rhood|province|"
    r"region|area|camp)\s+of\s+)((?:[A-ZÀ-Ý][\w'’-]+)(?:[\s-][A-ZÀ-Ý][\w'’-]+){0,2})",
    re.IGNORECASE,
)
# what may not be the news itself: "will", "often", "aim to"
_HEDGED = re.compile(
    r"\b(?:will|would|could|may|might|often|frequently|usually|routine(?:ly)?|aims?|plans?|"
    r"expected|threaten\w*|says?|warns?|believes?|analysts?|experts?|ha(?:s|ve) become)\b",
    re.IGNORECASE,
)
_CROWD_EVENTS = frozenset({EventType.protests, EventType.riots})


def _vague(key: str | None) -> bool:
    """Whether a day key is a roundup's period, not an event's day ("this week", "Seven
    killed in attacks ... in a week"): of the day words, only those end in "week"."""
    return key is not None and key.endswith("week")


def reports_toll(sentence: str, language: str = "en") -> bool:
    """Whether a sentence only reports a toll ("Police said 14 civilians had been
    killed"): figures of the dead, and no fighting, weapon or arrest of its own."""
    return (
        bool(death_figures([sentence], language))
        and not tells_an_act(sentence)
        and not _HARM_ACT.search(sentence)
    )


# harm done, beyond dying: "gang members attacked the town, killing eight"
_HARM_ACT = re.compile(
    r"\b(?:attack\w*|abduct\w*|kidnap\w*|shot|shoot\w*|storm\w*|raid\w*|ambush\w*|"
    r"burn\w* (?:alive|to death)|"
    r"torch\w*|beat(?:en|ing)?|stabb\w*|hack\w*|massacr\w*|execut\w*|gunned|opened fire|"
    r"attaqu\w*|atac\w*|secuestr\w*|enlev\w*|incendi\w*)\b",
    re.IGNORECASE,
)


_IN_A_PLACE = re.compile(
    r"\b(?:in|near|at|outside)\s+(?:the\s+)?(?:[a-z-]+\s+){0,3}?(?:(?:city|town|village|district|"
    r"province|region) of\s+)?[A-ZÀ-Ý][\w'’-]+"
)


def names_one_place(sentence: str) -> bool:
    """Whether a sentence names at most one place ("in X"): a lead naming several sums up
    several events."""
    return len(_IN_A_PLACE.findall(sentence)) < 2


def _new_place(sentence: str, told: str) -> str | None:
    """The place a sentence opens on, or names as another's ("also ... in the town of
    X"), when the events told so far did not name it."""
    place = _opening_place(sentence)
    if place is None and (match := _ANOTHER_PLACE.search(undated(sentence))):
        place = fold_name(match.group(1))
    if place is None or f" {place} " in f" {told} ":
        return None
    return place


def group_events(
    labels: dict[int, str],
    sentences: list[Sentence],
    published: dt.date | None,
    warnings: list[str],
    language: str = "en",
) -> list[Spot]:
    """Events from labelled sentences: one per (event type, day, place). A sentence naming
    no day takes the day of the sentence before it, else the article's first day; a
    sentence dated in an earlier year or pointing back ("since", "last month") is
    background; "police said on Sunday" names the day of the statement, not of the event.

    An event must be anchored: one of its sentences names its day, gives a death toll,
    opens on a place of its own ("In Mombasa, police ..."), or directly continues a
    sentence that names the day, unhedged ("will", "often"); otherwise its sentences are
    commentary and it is left out. A sentence opening on a place not yet told, or naming
    one as another event's ("also ... in the town of X"), starts that place's events;
    "Hours later, ..." starts another incident of the day.

    A sentence that only reports a toll ("the army said 14 civilians had been killed")
    joins the event told just before it, whatever its words' label; so do arrests told
    right after a demonstration or a riot ("14 people were detained").

    The title and first sentence summarise what the body tells: without a day of their
    own (or with a roundup's "this week") they join the first event of their type the
    body tells, and stand as an event of their own only when the body tells none.

    A claim of responsibility that would start an event of its own (it names the day of
    the claim) is kept with the attack it claims instead (``Spot.claims``); a crowd's
    violence told right after its demonstration, in words no label reads, joins it; in
    a story headlined on a natural hazard, a death that names no armed side is the
    hazard's."""
    latest = latest_year(sentences)
    keys = {s.id: date_key(s.text) for s in sentences}
    said = {s.id: date_key(s.text, reported=True) for s in sentences}
    # the first day an event is told on; in an article that tells none ("forces have
    # retaken ..., the monitor said Thursday"), the first day a statement was made
    lead = next((k for k in keys.values() if k and not _vague(k)), None) or next(
        (k for k in said.values() if k), None
    )
    current_key = lead
    current_place: str | None = None  # set by a sentence that opens on a new place
    told = ""  # the folded text told since the place was last set
    spots: dict[tuple[EventType, str | None, str | None], Spot] = {}
    anchored: set[int] = set()
    deferred: list[tuple[Sentence, EventType, str | None]] = []
    leads = lead_ids(sentences)
    by_id = {s.id: s for s in sentences}
    # a headline's clauses are read together: "X in Dhaka; buses torched in Gazipur"
    title = headline(sentences)
    title_text = " ".join(s.text for s in title)
    disaster = tells_a_disaster(title_text)
    dated_before = False  # the sentence before names the current day
    last: Spot | None = None  # the event a sentence was last added to
    for sentence in sentences:
        label = labels.get(sentence.id)
        key = keys[sentence.id]
        claimed = _claimed_by_then(sentence, label, spots)
        before_claim = (current_key, current_place, told)  # restored if it is a claim
        if (
            LABELS.get(label or "") is None
            and key is None
            and last is not None
            and last.event_type in _CROWD_EVENTS
            and sentence.id == max(last.ids) + 1
            and describes_rioting(sentence.text)
            and _opening_place(sentence.text) is None
        ):
            # "A bus was set on fire; police fired tear gas" right after a demonstration:
            # what its crowd did, which makes it a riot
            last.ids.append(sentence.id)
            continue
        if (
            key is not None
            and last is not None
            and LABELS.get(label or "") is last.event_type
            and _REFERS_BACK.match(sentence.text)
            and WEEKDAY_KEY.match(key)  # a relative day; a dated past stays background
        ):
            key = None  # "The agreement was negotiated overnight": the deal just told
        new_day = key is not None and key != current_key and not _vague(key)
        opens_on_day = (
            new_day
            and (day_match := date_words(sentence.text)) is not None
            and (
                day_match.start() <= 15  # a sentence that opens on its day tells that day's event
            )
        )
        if new_day:
            current_key, current_place, told = key, None, ""
        place = _new_place(sentence.text, told)
        if place is None and _LATER.match(undated(sentence.text).strip()):
            place = f"later {sentence.id}"
        if place is not None:
            current_place, told = place, ""
        if sentence.id not in leads or names_one_place(
            title_text if sentence in title else sentence.text
        ):
            # a lead that names several places names those the story will tell apart
            told += " " + fold_name(sentence.text)
        continues, dated_before = dated_before, key is not None and key == current_key
        event_type = LABELS.get(label) if label else None
        if event_type is None:
            continue
        if current_key is not None and earlier_date(current_key, lead, published):
            warnings.append(f"sentence {sentence.id} is dated {current_key!r}: background")
            continue
        if is_background(sentence.text, published, latest) and key is None:
            warnings.append(f"sentence {sentence.id} was taken as background")
            continue
        event_type = lexicon_type(event_type, sentence.text)
        if event_type is None:
            warnings.append(f"sentence {sentence.id} is about another domain than conflict")
            continue
        if (
            disaster
            and event_type is EventType.violence_against_civilians
            and not names_conflict(sentence.text)
        ):
            # "a hillside collapsed onto the houses, killing fourteen": the hazard's dead
            warnings.append(f"sentence {sentence.id} tells the dead of a natural hazard")
            continue
        if (
            last is not None
            and place is None
            and not opens_on_day  # "On Friday, IS militants killed two shepherds"
            and reports_toll(sentence.text, language)
        ):
            # "The army gave a lower toll: 14 civilians killed": the event just told
            last.ids.append(sentence.id)
            continue
        if (
            last is not None
            and place is None
            and key is None
            and event_type is EventType.strategic_developments
            and last.event_type in _CROWD_EVENTS
            and tells_arrests(sentence.text)
        ):
            # "14 people were detained" after a demonstration: ACLED's arrests at a
            # protest are part of it (an intervention), not an event of their own
            last.ids.append(sentence.id)
            continue
        if sentence.id in leads and (key is None or _vague(key)) and place is None:
            deferred.append((sentence, event_type, key))
            continue
        if claimed is not None and (event_type, current_key, current_place) not in spots:
            # "In a statement on Wednesday, Islamic State claimed the bombing": the day of
            # the claim, and a claimed toll, are no event of their own
            claimed.claims.append(sentence.id)
            current_key, current_place, told = before_claim
            warnings.append(f"sentence {sentence.id} tells who claimed an event told before")
            continue
        spot = spots.get((event_type, current_key, current_place))
        if spot is None:
            spot = spots[(event_type, current_key, current_place)] = Spot([], event_type, "")
            spot.date_text = day_words(sentences, current_key) if current_key else ""
        spot.ids.append(sentence.id)
        last = spot
        if (
            key is not None
            or said[sentence.id] is not None
            or place is not None
            or sentence.id in leads
            or (continues and not _HEDGED.search(sentence.text))
            or death_figures([sentence.text], language)
        ):
            anchored.add(id(spot))
    found = []
    for spot in spots.values():
        if id(spot) in anchored:
            found.append(spot)
        else:
            warnings.append(
                f"sentences {spot.ids} ({spot.event_type.value}) were left out: none names a "
                "day, gives a toll or leads the article"
            )
    for sentence, event_type, key in deferred:
        told_by_body = next((s for s in found if s.event_type is event_type), None)
        if told_by_body is None and len(title) > 1 and sentence in title:
            # one clause of a headline that sums up several events ("Settlers torch
            # cars; 2 killed in raid") is no event of its own: only the body tells one
            warnings.append(f"headline clause {sentence.id} tells no event the body tells")
            continue
        if told_by_body is None:
            spot = Spot([sentence.id], event_type, day_words(sentences, key or lead or ""))
            found.insert(0, spot)
        elif key is None and sentence.id not in told_by_body.ids:
            told_by_body.ids.insert(0, sentence.id)  # its toll may be the event's only one
            told_by_body.ids.sort()
    for spot in found:
        spot.ids[:] = _told_best(spot.ids, keys, by_id, language)
        if not spot.date_text and lead is not None:
            spot.date_text = day_words(sentences, lead)
    return found[:8]


def _claimed_by_then(
    sentence: Sentence,
    label: str | None,
    spots: dict[tuple[EventType, str | None, str | None], Spot],
) -> Spot | None:
    """The event told before that a sentence claiming an attack claims: the last of the
    sentence's own type, else the last violent one; None when it is no claim or tells
    the attack itself (it names its own place) or no attack was told before."""
    event_type = LABELS.get(label or "")
    if event_type not in CLAIMABLE or not tells_a_claim(sentence.text):
        return None
    if _opening_place(sentence.text) is not None:
        return None
    told = [s for s in spots.values() if s.event_type in CLAIMABLE]
    same = [s for s in told if s.event_type is event_type]
    return (same or told)[-1] if told else None


def _told_best(
    ids: list[int], keys: dict[int, str | None], by_id: dict[int, Sentence], language: str
) -> list[int]:
    """At most 4 of an event's sentences, in order: its first, then those that name its
    day or give a toll, then the rest."""
    rest = ids[1:]
    telling = [i for i in rest if keys[i] or death_figures([by_id[i].text], language)]
    chosen = ids[:1] + telling[:3]
    chosen += [i for i in rest if i not in chosen][: 4 - len(chosen)]
    return sorted(chosen)


def add_event(events: list[Event], event: Event) -> None:
    """Add an event, merged into one of the same type, day and place if there is one."""
    for kept in events:
        if (
            kept.event_type is event.event_type
            and fold_name(kept.date_text) == fold_name(event.date_text)
            and same_place(kept.location.name, event.location.name)
        ):
            evidence = [*kept.evidence, *(e for e in event.evidence if e not in kept.evidence)]
            kept.evidence[:] = evidence[:3]
            if kept.fatalities.total is None and event.fatalities.total is not None:
                kept.fatalities = event.fatalities
            return
    events.append(event)
