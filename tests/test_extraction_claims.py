"""Claims of responsibility, sides the model could not name, and the names of armed
groups that are no state's forces. Sentences are written for these tests (none comes from
an evaluation article). No LLM is involved."""

from __future__ import annotations

import pytest

from summarizer.extraction._claims import claimants, is_unnamed_side, with_claimant
from summarizer.extraction._grouping import Spot
from summarizer.extraction._names import actor_type_for
from summarizer.extraction._places import countries_in, fold_name
from summarizer.extraction._sentences import number_sentences
from summarizer.extraction._sides import coded_sides
from summarizer.schema import Actor, ActorType, EventType, SubEventType
from tests.fakes.fake_reports import make_event


def _claim(sentence: str) -> str | None:
    """The claimant of a one-sentence story whose sentence is an attack's."""
    sentences = number_sentences(sentence)
    spots = [Spot(ids=[s.id for s in sentences], event_type=EventType.battles, date_text="")]
    return claimants(sentences, spots)[0]


@pytest.mark.parametrize(
    ("sentence", "claimant"),
    [
        ("The Harakat Example Front claimed responsibility in an online statement.",
         "Harakat Example Front"),
        ("On Monday, Al-Example claimed the bombing.", "Al-Example"),
        ("The Lakeside-linked Union for the Defence of the North (UDN) claimed the ambush.",
         "Union for the Defence of the North (UDN)"),
        ("The Northern Liberation Army, the armed wing of the Northern Movement, claimed "
         "responsibility.", "Northern Liberation Army"),
        ("Five guards were shot dead at the depot, police said, in an attack claimed by the "
         "separatist Coastal Liberation Front (CLF).", "Coastal Liberation Front (CLF)"),
        ("Police said the Example Brigades claimed the attack.", "Example Brigades"),
        ("Dans un communiqué, le groupe Front islamique du Nord (FIN, ex-FNI) a revendiqué "
         "l'attaque.", "Front islamique du Nord"),
        ("El atentado fue reivindicado por el Frente Popular del Sur (FPS).",
         "Frente Popular del Sur (FPS)"),
        ("O ataque foi reivindicado pelo grupo armado Frente Costeira nas redes sociais.",
         "Frente Costeira"),
        ("Zu dem Anschlag bekannte sich die Terrormiliz Nordfront.", "Nordfront"),
    ],
)  # fmt: skip
def test_the_group_that_claimed_an_attack_is_read_in_five_languages(
    sentence: str, claimant: str
) -> None:
    assert _claim(sentence) == claimant


@pytest.mark.parametrize(
    "sentence",
    [
        "No group claimed responsibility for the attack.",
        "No group has claimed the bombing.",
        "Seven soldiers died in the latest attack claimed by an Example-linked group.",
        "The region has seen attacks claimed by groups linked to the Example Front.",
        "L'attaque n'a pas été revendiquée.",
        "Nadie reivindicó el ataque.",
        "The assailants claimed to have killed 30 soldiers.",
        "The Example Front's armed wing, the Example Brigades, claimed responsibility.",
    ],
)
def test_a_claim_without_a_name_names_no_one(sentence: str) -> None:
    assert _claim(sentence) is None


def test_a_claim_belongs_to_the_event_told_last_before_it() -> None:
    sentences = number_sentences(
        "Gunmen killed four farmers in Alpha on Monday. "
        "On Tuesday a bomb hit an army truck near Beta, killing two soldiers. "
        "The Example Front claimed responsibility for the bombing."
    )
    spots = [
        Spot(ids=[1], event_type=EventType.violence_against_civilians, date_text="on Monday"),
        Spot(ids=[2], event_type=EventType.explosions_remote_violence, date_text="On Tuesday"),
    ]
    assert claimants(sentences, spots) == [None, "Example Front"]
    # a protest or an arrest is claimed by no armed group
    spots[1] = Spot(ids=[2], event_type=EventType.strategic_developments, date_text="")
    assert claimants(sentences, spots) == [None, None]


def test_the_claimant_replaces_the_unnamed_side_and_acts_first() -> None:
    text = "A roadside bomb hit an army truck. The Example Front claimed responsibility."
    event = make_event("Beta", actor1="Military Forces of Somalia",
                       actor2="Unidentified Armed Group (Somalia)",
                       sub="remote_explosive_landmine_ied", country="Somalia",
                       admin1=None)  # fmt: skip
    warnings: list[str] = []
    claimed = with_claimant(event, "Example Front", fold_name(text), text, countries_in(text),
                            warnings)  # fmt: skip
    assert claimed.actor1 is not None and claimed.actor1.name == "Example Front"
    assert claimed.actor2 is not None and claimed.actor2.name == "Military Forces of Somalia"
    assert claimed.notes.count("Example Front") == 1 and "Unidentified" not in claimed.notes
    assert warnings and "who claimed it" in warnings[0]
    # a claimant the article does not name, or no unnamed side: nothing changes
    assert with_claimant(event, "Other Front", fold_name(text), text, {}, []) is event
    named = make_event("Beta", actor2="Example Front", country="Somalia", admin1=None)
    assert with_claimant(named, "Example Front", fold_name(text), text, {}, []) is named


@pytest.mark.parametrize(
    ("name", "unnamed"),
    [("Unidentified Armed Group (Niger)", True), ("gunmen", True), ("jihadistes", True),
     ("hombres armados", True), ("suicide bomber", True), ("Example Front", False),
     ("Civilians (Niger)", False)],
)  # fmt: skip
def test_sides_the_article_does_not_name(name: str, unnamed: bool) -> None:
    kind = ActorType.civilians if name.startswith("Civilians") else ActorType.rebel_group
    assert is_unnamed_side(Actor(name=name, type=kind)) is unnamed


@pytest.mark.parametrize(
    ("name", "kind"),
    [("Coastal Liberation Army", ActorType.rebel_group),
     ("Hill Independence Army (HIA)", ActorType.rebel_group),
     ("Free Example Army", ActorType.rebel_group),
     ("People's Liberation Army", ActorType.state_forces),
     ("Forças Armadas de Defesa", ActorType.state_forces),
     ("the national army", ActorType.state_forces)],
)  # fmt: skip
def test_liberation_armies_are_armed_groups_not_state_forces(name: str, kind: ActorType) -> None:
    assert actor_type_for(name, ActorType.state_forces) is kind


def test_an_ally_named_as_the_other_side_is_removed() -> None:
    army = Actor(name="Military Forces of Mozambique", type=ActorType.state_forces)
    warnings: list[str] = []
    sides = coded_sides(EventType.battles, SubEventType.government_regains_territory,
                        [army, army.model_copy()], "", "Mozambique", "here", warnings)  # fmt: skip
    assert sides == [army] and "both sides" in warnings[0]


def test_a_headline_in_the_articles_own_language_is_replaced() -> None:
    from summarizer.extraction._steps import SummaryDraft
    from summarizer.extraction._summary import checked

    source = (
        "Insurgentes atacaram a aldeia de Mazeze, no distrito de Chiúre, na quinta-feira, "
        "e mataram três civis, disseram moradores à agência. As forças armadas "
        "enviaram tropas para a zona e a população fugiu para a sede do distrito."
    )
    draft = SummaryDraft(
        headline="Insurgentes atacam aldeia de Mazeze no distrito de Chiúre",
        text="Insurgents attacked the village of Mazeze in Chiure district on Thursday, "
        "residents said; three civilians died.",
    )
    warnings: list[str] = []
    summary, _ = checked(draft, source, [], warnings)
    assert summary is not None and "Insurgentes" not in summary.headline
    assert any("headline in the article's language replaced" in w for w in warnings)


def test_a_long_summary_completed_from_the_record_is_cut_not_discarded() -> None:
    """The record's sentences added to a model's long summary can pass the schema's 900
    characters: the summary is cut back to whole sentences, never dropped for it."""
    from summarizer.extraction._steps import SummaryDraft
    from summarizer.extraction._summary import checked

    source = (
        "Government forces and Hayat Tahrir al-Sham fighters clashed near Kafr Zita and "
        "Khan Shaykhun on Saturday, a monitoring group said. The fighting killed 21 people "
        "around Kafr Zita, the Syrian Observatory for Human Rights said, and 17 around Khan "
        "Shaykhun, according to local medics. Residents of both towns described heavy "
        "shelling through the night and said many families had left for camps in the north."
    )
    draft = SummaryDraft(
        headline="Fighting near two towns in Idlib province",
        text="Government troops and opposition fighters fought around towns in the "
        "north-west of the country at the weekend, with heavy exchanges of fire reported "
        "through the night by people living in the area. Many families living in those towns "
        "were reported to have moved north towards displacement camps near the border, "
        "according to residents who spoke by telephone. Aid groups working in the region "
        "said that they were preparing for more arrivals in the coming days and weeks.",
    )
    events = [
        make_event("Kafr Zita", total=21, reported_by="Syrian Observatory for Human Rights"),
        make_event("Khan Shaykhun", total=17, reported_by="local medics"),
    ]
    warnings: list[str] = []
    summary, problems = checked(draft, source, events, warnings)
    assert problems == []
    assert summary is not None
    assert len(summary.text) <= 900 and len(summary.text.split()) <= 120
    assert "Kafr Zita" in summary.text  # the main event's sentence stays, right after the first
    assert any(w.startswith("summary cut") for w in warnings), (warnings, summary.text)
