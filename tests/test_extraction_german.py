"""German copy (dpa style): trigger words, days ("am Freitagabend", "in der Nacht zum
Montag"), statement days, kinds of events, page stamps. Sentences are written for these
tests (none comes from an evaluation article). No LLM is involved."""

from __future__ import annotations

import datetime as dt

from summarizer.extraction._codebook import (
    codebook_kind,
    describes_protest,
    describes_rioting,
    label_by_words,
)
from summarizer.extraction._days import date_key
from summarizer.extraction._harm import armed_targets_only
from summarizer.extraction._triggers import has_trigger
from summarizer.extraction._weapons import explosive_kind
from summarizer.schema import EventType, SubEventType
from summarizer.text.clean import clean_text
from summarizer.text.dates import resolve_date


def test_german_sentences_of_violence_are_event_candidates_and_others_are_not() -> None:
    assert has_trigger("Bei dem Anschlag wurden drei Menschen getötet.")
    assert has_trigger("Die Polizei nahm zwölf Demonstranten fest; es gab mehrere Festnahmen.")
    assert has_trigger("Randalierer setzten Mülltonnen in Brand.")
    assert not has_trigger("Der Stadtrat beschloss am Dienstag den neuen Haushalt.")


def test_german_days_name_the_weekday_whatever_the_part_of_the_day() -> None:
    assert date_key("In Bremen wurden am Freitagabend vier Beamte verletzt.") == "freitag"
    assert date_key("Am Freitagnachmittag zogen 2.000 Menschen durch die Stadt.") == "freitag"
    assert date_key("In der Nacht zum Montag brannte ein Auto.") == "montag"
    # the day of a statement is not the event's
    said = "Die Polizei sei angegriffen worden, teilte ein Sprecher am Sonntag mit."
    assert date_key(said) is None
    assert date_key(said, reported=True) == "sonntag"


def test_german_days_and_dates_resolve_against_the_publication_day() -> None:
    monday = dt.date(2025, 3, 10)
    assert resolve_date("am Samstagabend", monday) == (dt.date(2025, 3, 8), 1)
    assert resolve_date("am Freitagnachmittag", monday) == (dt.date(2025, 3, 7), 1)
    assert resolve_date("am 4. März", monday) == (dt.date(2025, 3, 4), 1)


def test_german_riots_protests_arrests_and_weapons_are_coded_by_their_words() -> None:
    riot = "Vermummte warfen Steine auf Polizisten; bei den Krawallen brannten Barrikaden."
    assert describes_rioting(riot)
    assert describes_protest("Rund 800 Menschen demonstrierten friedlich vor dem Rathaus.")
    assert label_by_words("Nach der Kundgebung wurden neun Personen festgenommen.") == "protest"
    assert label_by_words("Bei Krawallen in der Altstadt wurden sechs Beamte verletzt.") == "riot"
    assert label_by_words("Die Polizei hat in Kassel sieben Verdächtige festgenommen.") == (
        "development"
    )
    struck = codebook_kind(
        EventType.explosions_remote_violence,
        SubEventType.shelling_artillery_missile_attack,
        "Ein Luftangriff traf das Dorf.",
        False,
    )
    assert struck is SubEventType.air_drone_strike
    assert explosive_kind("Ein Sprengsatz explodierte neben dem Konvoi.") is (
        SubEventType.remote_explosive_landmine_ied
    )


def test_soldiers_killed_in_other_languages_make_an_attack_on_armed_people() -> None:
    assert armed_targets_only("Acht Soldaten wurden bei dem Angriff getötet.")
    assert armed_targets_only("Six soldats ont été tués dans une embuscade près de la frontière.")
    assert armed_targets_only("Cuatro militares fueron asesinados en una emboscada.")
    assert not armed_targets_only("Des hommes armés ont tué cinq civils dans le village.")


def test_a_dotted_german_page_stamp_gives_the_publication_day() -> None:
    page = (
        "14.03.2025, 09:12 Uhr\n\nKrawalle in Bremen\n\n"
        "Bremen (dpa) - Bei Ausschreitungen sind vier Beamte verletzt worden."
    )
    cleaned = clean_text(page)
    assert cleaned.published_hint == dt.date(2025, 3, 14)
    assert cleaned.text.startswith("Krawalle in Bremen")


def test_german_tolls_are_figures_and_german_articles_and_the_wounded_are_not() -> None:
    from summarizer.extraction._figures import death_figures

    told = "Bei dem Anschlag in Kassel kamen zwölf Menschen ums Leben, 30 wurden verletzt."
    assert death_figures([told], "de") == [12]
    # "die" is German's article, not the English verb
    march = "Am Nachmittag zogen rund 2.000 Menschen durch die Innenstadt."
    assert death_figures([march], "de") == []
    assert death_figures(["At least 5 people die in clashes in Kano."], "en") == [5]


def test_a_generic_side_named_in_another_language_takes_acleds_name() -> None:
    from summarizer.extraction._names import actor_named
    from summarizer.extraction._places import fold_name
    from summarizer.schema import ActorType

    text = "Die Polizei setzte Wasserwerfer ein. Rund 800 Demonstrierende zogen zum Rathaus."
    folded = fold_name(text)
    police = actor_named("Police", ActorType.state_forces, "Germany", folded, text, {"DE": 2})
    assert police is not None and police.name == "Police Forces of Germany"
    crowd = actor_named("Demonstrators", ActorType.protesters, "Germany", folded, text, {})
    assert crowd is not None and crowd.name == "Protesters (Germany)"
    # a side the article does not name in any language stays out
    assert actor_named("Soldiers", ActorType.state_forces, "Germany", folded, text, {}) is None


def test_a_summary_sentence_that_counts_the_wounded_as_dead_is_removed() -> None:
    from summarizer.extraction._summary import _dead_not_told, _death_figures

    article = "Bei Krawallen wurden 23 Beamte verletzt. Zwei Menschen wurden getötet."
    deaths = _death_figures(article, [])
    assert _dead_not_told("Police clashed with protesters, killing 23 people.", deaths)
    assert _dead_not_told("Two people were killed in the clashes.", deaths) is None
