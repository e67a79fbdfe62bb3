"""Rules for articles from other conflicts and languages: Portuguese words, country names
as other languages write them, headlines that tell two events, accidents that are no
political violence, days in other languages. Sentences are written for these tests (none
comes from an evaluation article). No LLM is involved."""

from __future__ import annotations

import datetime as dt

import pytest

from summarizer.extraction._codebook import (
    codebook_kind,
    describes_rioting,
    explosive_kind,
    label_by_words,
)
from summarizer.extraction._days import date_key
from summarizer.extraction._grouping import group_events, lead_ids
from summarizer.extraction._harm import armed_targets_only
from summarizer.extraction._names import article_spelling
from summarizer.extraction._places import countries_in
from summarizer.extraction._sentences import number_sentences, undated
from summarizer.extraction._where import specific_place
from summarizer.schema import EventType, SubEventType
from summarizer.text.dates import resolve_date


def _group(text: str, published: dt.date | None = None, language: str = "en") -> list:
    sentences = number_sentences(text)
    labels = {s.id: label_by_words(s.text) for s in sentences}
    return group_events(labels, sentences, published, [], language)


def test_country_names_in_other_languages_count_but_first_names_do_not() -> None:
    assert "TD" in countries_in("Le Tchad et le Cameroun ont signé un accord.")
    assert "MZ" in countries_in("O norte de Moçambique voltou a ser atacado.")
    assert "IQ" in countries_in("Die Lage im Irak bleibt angespannt.")
    # "Maurice" is French for Mauritius, and a man's first name
    assert "MU" not in countries_in("Maurice Kamto addressed supporters in Yaoundé.")


def test_a_portuguese_attack_is_told_on_its_weekday() -> None:
    spots = _group(
        "Homens armados atacaram a aldeia de Nangade na terça-feira, matando quatro civis, "
        "segundo a polícia.\n\nA polícia disse que os atacantes fugiram para o mato.",
        language="pt",
    )
    assert [(s.event_type, s.date_text) for s in spots] == [
        (EventType.violence_against_civilians, "terça-feira")
    ]


@pytest.mark.parametrize(
    ("sentence", "label"),
    [
        # accidents and disasters are no political violence, whoever rescues
        ("Twelve people died when a lorry collided with a minibus, police said.", "background"),
        ("Nine passengers drowned when their boat capsized, the army said.", "background"),
        # a landmine is an explosive weapon, a mine explosion too
        ("A bus struck a landmine near the border, killing five passengers.", "explosion"),
        ("Two farmers were killed when an anti-tank mine exploded in their field.", "explosion"),
        ("Une kamikaze s'est fait exploser sur le marché, tuant six personnes.", "explosion"),
        # active voice: the armed men killed the herders
        ("Gunmen killed three herders near the river on Monday.", "attack_on_civilians"),
        # who was blamed is no new act
        ("The governor blamed the attack on bandits from a neighbouring state.", "background"),
        # a ceasefire agreed is an agreement; an arrest over a protest is an arrest
        ("Both factions agreed to a ceasefire on Tuesday.", "development"),
        ("La policía detuvo a un dirigente acusado de convocar la marcha.", "development"),
        ("Hundreds of teachers gathered outside the ministry to demand their pay.", "protest"),
    ],
)
def test_labels_for_the_world(sentence: str, label: str) -> None:
    assert label_by_words(sentence) == label


def test_a_headline_passive_toll_is_armed_harm_but_an_active_killing_is_not() -> None:
    assert armed_targets_only("Three police killed in ambush on highway")
    assert not armed_targets_only("Militants killed two shepherds near the town")


def test_kinds_in_other_languages() -> None:
    assert explosive_kind("Une kamikaze s'est fait exploser au marché.") is (
        SubEventType.suicide_bomb
    )
    assert explosive_kind("Un atentado suicida sacudió la base.") is SubEventType.suicide_bomb
    assert describes_rioting("Los manifestantes quemaron dos patrullas.")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("The Kachin Independence Army said it had captured the town of Hpakant.",
         SubEventType.non_state_actor_overtakes_territory),
        ("Thailand's Karen National Liberation Army seized an outpost.",
         SubEventType.non_state_actor_overtakes_territory),
        ("The Somali National Army recaptured the town from al-Shabaab.",
         SubEventType.government_regains_territory),
    ],
)  # fmt: skip
def test_an_army_named_by_its_own_name_is_an_armed_group(text: str, kind: SubEventType) -> None:
    assert codebook_kind(EventType.battles, SubEventType.armed_clash, text, True) is kind


def test_a_headline_that_tells_two_events_is_read_as_two_clauses() -> None:
    sentences = number_sentences(
        "Rebels seize Kalehe; drone strike kills 5 in Masisi\n\n"
        "GOMA, Congo (Reuters) - Rebels took the town of Kalehe on Monday, residents said."
    )
    assert [s.text for s in sentences[:2]] == [
        "Rebels seize Kalehe",
        "drone strike kills 5 in Masisi",
    ]
    assert lead_ids(sentences) == {1, 2, 3}
    # a sentence's semicolon is no headline's
    assert len(number_sentences("Troops advanced; rebels withdrew.")) == 1


def test_a_roundups_week_in_the_headline_names_no_day() -> None:
    spots = _group(
        "Five killed in attacks across the north in a week\n\n"
        "On Monday, a roadside bomb struck an army truck near Gao.\n\n"
        "On Friday, gunmen killed two farmers near Ansongo."
    )
    by_type = {s.event_type: s for s in spots}
    assert by_type[EventType.violence_against_civilians].ids == [3]


def test_a_sentence_referring_back_keeps_its_event() -> None:
    spots = _group(
        "On Tuesday, the two militias signed a ceasefire agreement in Zawiya.\n\n"
        "The agreement was negotiated overnight by tribal elders, the council said."
    )
    assert [(s.event_type, s.ids) for s in spots] == [(EventType.strategic_developments, [1, 2])]


def test_a_time_limit_names_no_event_day() -> None:
    assert date_key("Calm had returned to the town by early Friday.") is None
    assert date_key("The curfew stays in force until Monday.") is None
    assert date_key("Protesters marched on Friday.") == "friday"


def test_days_and_dates_of_other_languages_resolve() -> None:
    tuesday = dt.date(2025, 4, 8)
    assert resolve_date("mardi matin", tuesday) == (tuesday, 1)  # not March, not a week ago
    assert resolve_date("dimanche", tuesday) == (dt.date(2025, 4, 6), 1)
    assert resolve_date("na quinta-feira", tuesday) == (dt.date(2025, 4, 3), 1)
    assert resolve_date("el lunes", tuesday) == (dt.date(2025, 4, 7), 1)
    assert resolve_date("14 de julho", tuesday) == (dt.date(2024, 7, 14), 1)
    assert resolve_date("en octobre 2024", tuesday) == (dt.date(2024, 10, 1), 3)
    assert resolve_date("Sept. 3", tuesday) == (dt.date(2024, 9, 3), 1)


def test_datelines_with_two_cities_or_portuguese_months_are_no_day() -> None:
    assert undated("KYIV/MOSCOW, June 3 (Reuters) - Drones hit a depot on Monday.").startswith(
        "Drones"
    )
    assert undated("Pemba, Moçambique, 14 jul 2025 (Lusa) - Insurgentes atacaram.").startswith(
        "Insurgentes"
    )


def test_the_dateline_city_stays_when_the_story_names_it_beyond_the_dateline() -> None:
    text = (
        "TBILISI — Police dispersed protesters outside parliament late on Sunday.\n"
        "Those detained were taken to a police station in Tbilisi.\n"
        "Hours earlier, thousands marched in Batumi."
    )
    own = "TBILISI — Police dispersed protesters outside parliament late on Sunday."
    assert specific_place("Tbilisi", own, "TBILISI", "GE", text) == ("Tbilisi", None)


def test_capitals_of_a_dateline_are_no_spelling_of_a_name() -> None:
    assert article_spelling("Tbilisi", "TBILISI — Police said.") is None
    assert article_spelling("Tbilisi", "TBILISI — Police in Tbilissi said.") == "Tbilissi"
    assert article_spelling("UNMISS", "The mission, UNMISS, said.") == "UNMISS"


def test_a_headline_clause_the_body_does_not_tell_is_no_event() -> None:
    spots = _group(
        "Gunmen burn market stalls; three killed in army raid\n\n"
        "On Friday, gunmen stormed the village of Kambi and shot dead two farmers, "
        "residents said."
    )
    assert [(s.event_type, s.ids) for s in spots] == [
        (EventType.violence_against_civilians, [2, 3])
    ]


def test_armed_groups_are_named_in_other_languages_too() -> None:
    from summarizer.extraction._codebook import names_armed_group

    assert names_armed_group("Um grupo de insurgentes atacou a aldeia.")
    assert names_armed_group("Hombres armados dispararon contra la marcha.")
    assert names_armed_group("Des djihadistes ont attaqué le marché.")
    assert not names_armed_group("Des manifestants ont bloqué la route.")


def test_riots_told_without_a_demonstration_are_riots_but_riot_police_are_not() -> None:
    assert label_by_words("Riots broke out in the port city after the verdict.") == "riot"
    assert label_by_words("Youths set fire to a police station in the town.") == "riot"
    assert label_by_words("Des émeutes ont éclaté dans le quartier mardi soir.") == "riot"
    assert label_by_words("Riot police were deployed around the stadium.") == "background"
    assert label_by_words("Anti-riot units patrolled the avenue.") == "background"


def test_a_country_named_in_full_is_not_also_the_countries_its_words_name() -> None:
    from summarizer.extraction._places import countries_of_provinces

    text = "Clan fighting in Papua New Guinea's Hela province left six dead."
    assert countries_in(text) == {"PG": 2}
    # Indonesia's province of Papua is no evidence of Indonesia here
    assert "ID" not in countries_of_provinces(text)
    assert countries_in("Troops from Guinea-Bissau and Guinea met.") == {"GW": 2, "GN": 2}


def test_provinces_iso_writes_in_french_or_spanish_are_found_by_their_english_names() -> None:
    from summarizer.extraction._places import subdivision_in

    assert subdivision_in("the town of Uvira, in South Kivu province's south", "CD") == (
        "South Kivu"
    )
    # the capital's name is its government's: "Kinshasa rejected the claim" places nothing
    told = "Kinshasa rejected the claim; the rebels hold towns across North Kivu."
    assert subdivision_in(told, "CD") == "Nord-Kivu"


def test_a_place_that_is_a_word_of_a_named_province_gives_way_to_a_town() -> None:
    own = (
        "Gunmen stormed a town in South Darfur state on Monday. "
        "They arrived on motorbikes in Kubum and burned the market."
    )
    assert specific_place("Darfur", own, None, "SD") == ("Kubum", "a province")


def test_a_place_the_gazetteer_lacks_takes_the_country_of_a_town_its_sentences_name() -> None:
    from summarizer.extraction._where import locate

    text = (
        "Turkey said its jets struck militants. Turkey's ministry and Turkish officials said "
        "Turkey would go on.\nA drone hit a car near the Sidakan subdistrict on Monday, "
        "killing a farmer who was later taken to hospital in Erbil."
    )
    own = text.split("\n")[1]
    located = locate("Sidakan subdistrict", own, text, {"TR": 6, "IQ": 0})
    assert located.country == "Iraq"


def test_a_wire_date_with_no_place_is_a_dateline_not_the_events_day() -> None:
    assert undated("May 9 (Reuters) - A drone hit a bus in the town on 8 May.") == (
        "A drone hit a bus in the town on 8 May."
    )
    assert date_key("May 9 (Reuters) - A drone hit a bus in the town on 8 May.") == "8 may"


def test_a_chemical_plant_is_no_chemical_weapon() -> None:
    plant = "A drone struck a bus at the gates of a chemical plant."
    assert (
        codebook_kind(
            EventType.explosions_remote_violence, SubEventType.air_drone_strike, plant, False
        )
        is SubEventType.air_drone_strike
    )
    gas = "Rockets carrying chlorine gas hit the district."
    assert (
        codebook_kind(
            EventType.explosions_remote_violence, SubEventType.air_drone_strike, gas, False
        )
        is SubEventType.chemical_weapon
    )


def test_a_sides_label_for_its_enemy_becomes_acleds_name() -> None:
    from summarizer.extraction._names import actor_named
    from summarizer.extraction._places import fold_name
    from summarizer.schema import ActorType

    said = "The ministry said the Kyiv regime attacked a village; Fitna al-Hindustan fled."
    folded = fold_name(said)
    regime = actor_named("Kyiv regime", ActorType.state_forces, "Russia", folded, said, {"RU": 2})
    assert regime is not None and regime.name == "Military Forces of Ukraine"
    label = actor_named("Fitna al-Hindustan", ActorType.rebel_group, "Pakistan", folded, said, {})
    assert label is not None and label.name == "Unidentified Armed Group (Pakistan)"


def test_an_unnamed_town_in_a_province_is_the_town_the_story_names_first() -> None:
    own = "Fighters stormed a town in South Darfur state on Monday, a monitor said."
    story = (
        "NYALA, Sudan (AFP) - " + own + "\nThe fighters arrived in Kubum at dawn. "
        "In June, a camp near the town of Mershing was attacked."
    )
    assert specific_place("Darfur", own, "NYALA", "SD", story) == ("Kubum", "a province")


def test_places_named_after_french_spanish_or_german_prepositions_are_places() -> None:
    own = "Un manifestante murió en Ayaviri durante el paro regional en Puno."
    assert specific_place("Puno", own, None, "PE") == ("Ayaviri", "a province")


def test_a_headline_joined_to_its_events_sentences_ends_before_the_next_name() -> None:
    from summarizer.extraction._sentences import joined
    from summarizer.extraction._where import _places_named

    own = joined(
        ["Drone kills three near Hasakah", "The Kurdish-led SDF said the dead were farmers."]
    )
    assert own.startswith("Drone kills three near Hasakah. The")
    assert list(_places_named(own)) == ["Hasakah"]
    assert joined(["One.", "Two"]) == "One. Two"
