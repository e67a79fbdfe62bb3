"""Coding rules applied by code after the model answers, and what code finds before it
asks: datelines are no event day, a sentence opening on a new place starts new events,
demonstrators' violence and mobs make riots, tolls are figures near a word of death,
provinces are checked against the country's subdivisions. No LLM is involved."""

from __future__ import annotations

import datetime as dt

import pytest

from summarizer.extraction._codebook import describes_mob_violence, describes_rioting, lexicon_type
from summarizer.extraction._figures import death_figures
from summarizer.extraction._grouping import background_ids, group_events
from summarizer.extraction._places import subdivision_in
from summarizer.extraction._sentences import number_sentences
from summarizer.extraction._steps import load_step_prompts
from summarizer.schema import EventType


def _group(text: str, labels: dict[int, str], published: dt.date | None = None) -> list:
    return group_events(labels, number_sentences(text), published, [], "en")


@pytest.mark.parametrize(
    "lead",
    [
        "MAIDUGURI, Nigeria, Feb 11 (Reuters) - An air strike killed 12 fishermen on Tuesday.",
        "Ramgarh (Jharkhand), Aug 10 (PTI) An air strike killed 12 fishermen on Tuesday.",
        "SRINAGAR, Nov 3: An air strike killed 12 fishermen on Tuesday.",
    ],
)
def test_a_datelines_filing_date_is_not_the_day_of_the_event(lead: str) -> None:
    text = f"{lead}\nResidents said the strike hit the shore on Tuesday."
    spots = _group(text, {1: "explosion", 2: "explosion"})
    assert len(spots) == 1
    assert spots[0].ids == [1, 2]
    assert spots[0].date_text == "on Tuesday"


def test_a_date_in_the_body_still_names_the_day() -> None:
    spots = _group("Troops killed 5 rebels on Feb 11, officials said.", {1: "battle"})
    assert spots[0].date_text == "Feb 11"


def test_a_sentence_opening_on_another_place_starts_another_event() -> None:
    text = (
        "Police fired on protesters in Nairobi on Tuesday, killing three.\n"
        "Protesters had marched towards parliament.\n"
        "In Mombasa, police fired tear gas to disperse several hundred protesters.\n"
        "In Kisumu, hundreds marched peacefully."
    )
    spots = _group(text, {1: "protest", 2: "protest", 3: "protest", 4: "protest"})
    assert [s.ids for s in spots] == [[1, 2], [3], [4]]
    assert all(s.event_type is EventType.protests for s in spots)


def test_a_place_already_told_does_not_split_its_event() -> None:
    text = (
        "Gunmen killed eight villagers in Mirebalais on Sunday.\n"
        "In Mirebalais, residents said the attackers burned houses."
    )
    spots = _group(text, {1: "attack_on_civilians", 2: "attack_on_civilians"})
    assert [s.ids for s in spots] == [[1, 2]]


def test_background_sentences_are_not_asked_about() -> None:
    sentences = number_sentences(
        "Fighters seized the town on Monday.\n"
        "Last year's protests left more than 60 people dead.\n"
        "The conflict erupted in 2023 and has killed thousands."
    )
    assert background_ids(sentences, dt.date(2025, 6, 1)) == {2, 3}


def test_demonstrators_violence_and_mobs_are_riots() -> None:
    assert describes_rioting("demonstrators torched tyres and stoned police vehicles")
    assert describes_rioting("a crowd stormed the governor's office")
    assert not describes_rioting("hundreds marched peacefully to hand over a petition")
    assert describes_mob_violence("a man was beaten to death by a mob")
    assert describes_mob_violence("villagers lynched two suspected thieves")
    assert not describes_mob_violence("a mob gathered outside the court")


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("A woman was killed and 11 people were injured when militants lobbed a grenade", [1]),
        ("Gunmen abduct 43 villagers, kill two in Nigeria's Zamfara state", [2]),
        ("kidnapping 43 people, most of them women and children, and killing two men", [2]),
        ("An air strike killed 11 civilians, including three children, on Monday", [11]),
        ("Tens of thousands of people have been killed since 2023.", []),
        ("He gave the number of people abducted as 43 and said two men were shot dead.", [2]),
        ("The toll rose to 70 on Saturday, the monitor said.", [70]),
    ],
)
def test_tolls_are_figures_near_a_word_of_death(sentence: str, expected: list[int]) -> None:
    assert death_figures([sentence], "en") == expected


def test_provinces_are_checked_against_the_countrys_subdivisions() -> None:
    assert subdivision_in("la Fiscalía General del Estado de Guerrero", "MX") == "Guerrero"
    assert subdivision_in("Nyanzale in Rutshuru territory, North Kivu province", "CD") == (
        "North Kivu"
    )
    assert subdivision_in("fighters of the Islamic State group", "IQ") is None
    assert subdivision_in("Militancy in the region has risen", "IN") is None
    assert subdivision_in("in the Amhara region", "ET") == "Amhara"


_ATTACK = EventType.violence_against_civilians


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # words of war about sport, markets or parliament: no event
        ("Bank shares took the heaviest casualties.", None),
        ("Manchester United were massacred 5-0 by a rampant Newcastle.", None),
        ("In Westminster, the battle over the spring budget rumbled on.", None),
        # a bombing at a market is an event whatever the market
        ("A blast at a market in Mogadishu killed 5 people.", EventType.explosions_remote_violence),
        # the weapon named first decides between explosions and a battle
        ("Shelling killed 9 civilians as fighting raged in the south.",
         EventType.explosions_remote_violence),
        ("Troops clashed with rebels after a roadside bomb hit a convoy.", EventType.battles),
        # force used on a demonstration is a protest; gunmen attacking one are not
        ("Police fired live bullets at thousands of protesters, killing three.",
         EventType.protests),
        ("Gunmen opened fire on protesters in the square.", _ATTACK),
        # arrests with no one hurt are a strategic development
        ("Six people were arrested on Sunday on charges of murder and rioting.",
         EventType.strategic_developments),
    ],
)  # fmt: skip
def test_a_labelled_sentence_takes_the_type_its_words_give(
    sentence: str, expected: EventType | None
) -> None:
    assert lexicon_type(_ATTACK, sentence) is expected


def test_an_older_calendar_date_is_background() -> None:
    text = (
        "Troops retook the district on Sunday, the army said.\n"
        "The army began a major offensive on September 22 to take the east.\n"
        "A ceasefire expired on September 19 after a week."
    )
    labels = {1: "battle", 2: "battle", 3: "development"}
    spots = _group(text, labels)  # no publication date: the news is told by weekday
    assert [s.ids for s in spots] == [[1]]
    spots = _group(text, labels, published=dt.date(2016, 10, 17))
    assert [s.ids for s in spots] == [[1]]
    # within the week, a date is the news
    recent = "Troops killed 5 rebels on October 15, officials said."
    assert _group(recent, {1: "battle"}, published=dt.date(2016, 10, 17))[0].ids == [1]


def test_prompt_v7_labels_by_code_and_asks_everything_in_one_round() -> None:
    """v7 has no classify question: code labels the sentences, so the details of every
    event and the summary are asked at once (one round of a Batch API scale-out)."""
    from summarizer.extraction import ArticleInput, RunInfo, run_steps

    article = ArticleInput(
        text=(
            "Shelling kills 12 in Nyala market\n"
            "NYALA, Sudan (Reuters) - Artillery shells hit the main market of Nyala on "
            "Sunday, killing 12 civilians, the Sudan Doctors Network said.\n"
            "The Rapid Support Forces and the Sudanese army also fought in the city on "
            "Monday.\n"
            "The war has killed tens of thousands of people since April 2023."
        ),
        published=dt.date(2025, 6, 17),
    )
    prompts = load_step_prompts("v7")
    assert prompts.labels_by_code and not load_step_prompts("v6").labels_by_code
    steps = run_steps(article, prompts, RunInfo("fake", "fake", "test"))
    asks = next(steps)
    assert [a.step for a in asks] == ["details:1", "details:2", "summary"]
    questions = [a.messages[-1]["content"].rpartition("<<<END ARTICLE>>>")[2] for a in asks]
    assert "explosions_remote_violence" in questions[0] and "Figures" in questions[0]
    assert "battles" in questions[1]
    # the fixed instructions are in the system prompt, the same for every article
    assert len({a.messages[0]["content"] for a in asks}) == 1


def test_a_too_broad_place_gives_way_to_the_one_its_sentences_name() -> None:
    from summarizer.extraction._where import specific_place

    lead = (
        "MAIDUGURI, Nigeria, Feb 11 (Reuters) - An air strike near the shores of Lake Chad "
        "killed 12 militants on Tuesday"
    )
    assert specific_place("MAIDUGURI", lead, "MAIDUGURI", "NG")[0] == "Lake Chad"
    merawi = "Fano fighters took control of the town of Merawi in the Amhara region on Monday"
    assert specific_place("Amhara town", merawi, None, "ET")[0] == "Merawi"
    clash = "Soldiers clashed with rebels in Barangay Carabalan, Negros Occidental, on Wednesday"
    assert specific_place("Negros Occidental", clash, None, "PH")[0] == "Carabalan"
    # a specific answer stays
    assert specific_place("Aleppo", "Troops advanced in Aleppo on Sunday", None, "SY") == (
        "Aleppo",
        None,
    )


def test_sources_are_read_from_attributions() -> None:
    from summarizer.extraction._names import attribution

    assert attribution("12 were killed, according to the Syrian Observatory for Human Rights.") == (
        "Syrian Observatory for Human Rights"
    )
    assert attribution("Shells hit the market, the Sudan Doctors Network said.") == (
        "Sudan Doctors Network"
    )
    assert attribution("Doce fueron secuestrados, según la Fiscalía General del Estado.") == (
        "Fiscalía General del Estado"
    )
    assert attribution("He said the attack was planned.") is None


def test_a_day_of_a_date_is_no_toll() -> None:
    dated = "Ramgarh (Jharkhand), Aug 10 (PTI) A 32-year-old man was beaten to death by a mob"
    assert death_figures([dated]) == [1]
    assert death_figures(["On 12 March, 5 people were killed"]) == [5]
