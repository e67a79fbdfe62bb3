"""What code reads from an article before it asks the model anything: the label each
sentence's words give, which sentences make one event, the day each event is told on,
and whose voice a source is. Sentences are written for these tests (none comes from an
evaluation article). No LLM is involved."""

from __future__ import annotations

import datetime as dt

import pytest

from summarizer.extraction._codebook import label_by_words
from summarizer.extraction._figures import checked_toll, death_figures
from summarizer.extraction._grouping import group_events
from summarizer.extraction._names import organisation_of
from summarizer.extraction._places import fold_name
from summarizer.extraction._sentences import number_sentences, undated
from summarizer.extraction._where import grounded_place


def _group(text: str, published: dt.date | None = None) -> list:
    sentences = number_sentences(text)
    labels = {s.id: label_by_words(s.text) for s in sentences}
    return group_events(labels, sentences, published, [], "en")


@pytest.mark.parametrize(
    ("sentence", "label"),
    [
        # fighters are people, not fighting
        ("The movement is thought to have about 300 fighters.", "background"),
        # arms carried are no explosion: the gunfight decides
        ("Militants armed with rifles and grenades stormed a police post near Kohat, "
         "sparking a gunfight.", "battle"),
        # things found are no act
        ("Troops recovered two rifles and an explosive device from the hideout.", "background"),
        ("Weapons and a suicide vest were seized, the ministry said.", "background"),
        # the act named first decides between an arrest and harm
        ("Police arrested four men and killed one in a raid in Kano.", "development"),
        ("Nine men were arrested on charges of murder and assault.", "development"),
        ("Police detained three suspects, who were planning attacks on churches.",
         "development"),
        # harm done to soldiers or police is fighting; to villagers, an attack on civilians
        ("Gunmen attacked an army post in Tillaberi, killing seven soldiers.", "battle"),
        ("Three policemen were killed and two wounded.", "battle"),
        ("Gunmen killed seven villagers in Tillaberi.", "attack_on_civilians"),
        ("Two civilians caught in crossfire were killed.", "battle"),
        # explosive weapons make an explosion whoever the victims
        ("Four civilians were killed by rocket fire on the port.", "explosion"),
        ("A fighter jet dropped two bombs on the market.", "explosion"),
        # speech, denials, references back and the war's whole toll report nothing new
        ('"After a slaughter like that, nobody sleeps."', "background"),
        ('"Clashes erupted at dawn," a local official said.', "battle"),
        ("The army denies targeting civilians.", "background"),
        ("The latest violence came after talks collapsed in Geneva.", "background"),
        ("The insurgency has killed more than 30,000 people.", "background"),
        ("The war has uprooted tens of thousands of families.", "background"),
        # deals and offers, where no one was hurt
        ("The two sides signed a ceasefire in Doha on Friday.", "development"),
        ("The army offered the fighters safe passage out of the old city.", "development"),
        ("The accord commits the militia to clearing landmines within a year.", "development"),
        # "de acuerdo con" is "according to", not an agreement
        ("De acuerdo con la policía, tres hombres fueron asesinados.", "attack_on_civilians"),
        ("Cientos de familiares bloquearon la carretera federal.", "protest"),
    ],
)  # fmt: skip
def test_a_sentence_is_labelled_by_the_act_it_tells(sentence: str, label: str) -> None:
    assert label_by_words(sentence) == label


def test_the_day_of_a_statement_is_not_the_day_of_the_event() -> None:
    spots = _group("Police said on Monday that gunmen killed five villagers in Kaduna on Saturday.")
    assert [s.date_text for s in spots] == ["on Saturday"]
    spots = _group(
        "Army units have retaken three villages near Kidal, the ministry said Thursday.\n"
        "Fighting killed 12 rebels, it said."
    )
    # no day of its own: the day the statement was made
    assert [s.date_text for s in spots] == ["Thursday"]


def test_a_title_without_a_day_joins_the_event_the_body_tells() -> None:
    spots = _group(
        "Drone strike kills four in Kherson bus attack\n"
        "A drone hit a bus in Kherson on Tuesday, killing four passengers, officials said."
    )
    assert [(s.ids, s.date_text) for s in spots] == [([1, 2], "on Tuesday")]


def test_a_roundup_period_in_the_lead_is_not_an_event_of_its_own() -> None:
    spots = _group(
        "Clashes across the north killed at least 20 people this week, officials said.\n"
        "On Monday, troops and rebels clashed near Gao, killing nine.\n"
        "On Wednesday, an air strike hit a market in Menaka, killing six."
    )
    assert [(s.event_type.value, s.date_text) for s in spots] == [
        ("battles", "On Monday"),
        ("explosions_remote_violence", "On Wednesday"),
    ]


def test_another_incident_of_the_day_is_another_event() -> None:
    text = (
        "Shells hit homes in the Al-Qadisiya district on Sunday, killing six civilians.\n"
        "Hours later, rockets struck the central bus station, killing eleven people.\n"
        "Clashes were also reported in the town of Umm Badda."
    )
    spots = _group(text)
    assert [(s.ids, s.event_type.value) for s in spots] == [
        ([1], "explosions_remote_violence"),
        ([2], "explosions_remote_violence"),
        ([3], "battles"),
    ]
    assert {s.date_text for s in spots} == {"on Sunday"}


def test_a_sentence_that_continues_the_days_news_is_an_event_unless_hedged() -> None:
    text = (
        "DR Congo: fighting near Beni\n"
        "Troops and rebels clashed near Beni on Sunday, killing six.\n"
        "The army also launched air strikes on rebel positions north of the town.\n"
        "Analysts say protests against the army will follow."
    )
    spots = _group(text)
    assert [(s.ids, s.event_type.value) for s in spots] == [
        ([1, 2], "battles"),
        ([3], "explosions_remote_violence"),
    ]


def test_an_event_keeps_the_sentences_that_give_its_day_and_toll() -> None:
    text = (
        "Fighters and troops clashed in the town of Dori on Friday.\n"
        "The fighting spread to the market.\n"
        "The fighting reached the mosque.\n"
        "The fighting closed the road.\n"
        "The army said 14 soldiers were killed in the fighting."
    )
    (spot,) = _group(text)
    assert spot.ids == [1, 2, 3, 5]


def test_page_stamps_and_older_months_name_no_event_day() -> None:
    assert undated("Updated 10:02 AM EDT, May 3, 2025") == ""
    assert undated("KHARTOUM, Sudan — May 3, 2025") == ""
    text = (
        "Gunmen killed nine villagers near Bunia on Thursday, a rights group said.\n"
        "In June 2024, gunmen killed 40 people in the same village."
    )
    spots = _group(text, published=dt.date(2025, 5, 3))
    assert [s.ids for s in spots] == [[1]]


def test_a_source_is_the_organisation_its_spokesman_speaks_for() -> None:
    text = (
        "Pierre Lumbu, head of the Kivu Security Observatory, said 12 died. "
        "Army spokesman Sylvain Ekenge said the rebels withdrew."
    )
    assert organisation_of("Pierre Lumbu", text) == "Kivu Security Observatory"
    assert organisation_of("Sylvain Ekenge", text) == "Army"
    assert organisation_of("Jean Mbala", text) is None


@pytest.mark.parametrize(
    ("sentence", "figures"),
    [
        # a part of a toll given just before is no toll of its own
        ("Officials said 40 fighters were killed, 12 of them commanders.", [40]),
        ("Police raided the hideout, killing four of them.", [4]),
        # an aside between the figure and the word of death
        ("At least nine people, including three children, were killed.", [9]),
        # a lone victim, told actively
        ("A shell hit the courtyard, killing a 12-year-old girl.", [1]),
        # who tells the toll is not who died
        ("A strike killed at least 14 people, three residents and a nurse told Reuters.", [14]),
        ("Five officials were killed, two sources said.", [5]),
    ],
)
def test_candidate_tolls(sentence: str, figures: list[int]) -> None:
    assert death_figures([sentence]) == figures


def test_the_dead_another_sentence_adds_count_in_the_toll() -> None:
    own = [
        "At least 14 rebels were killed in the fighting near Kidal.",
        "The army said 6 soldiers were also killed.",
    ]
    warnings: list[str] = []
    assert checked_toll(14, own, "en", "the battle", warnings) == (
        20,
        [(14, "rebels"), (6, "soldiers")],
    )
    assert warnings and "20" in warnings[0]
    # a total already told is not added to
    total = ["Fighting near Kidal killed 20 people.", *own]
    assert checked_toll(20, total, "en", "the battle", []) == (20, [])
    # a figure the sentences do not give as a toll is replaced by the only one they give
    assert checked_toll(3, own[:1], "en", "the battle", []) == (14, [])


def test_a_peoples_name_is_no_place() -> None:
    own = "In the city of Homs, 11 civilians were killed in Russian and Syrian air strikes."
    text = f"{own} Russian warplanes flew low."
    place = grounded_place("Russian", own, fold_name(text), text)
    assert place == "Homs"


def test_a_sentence_that_only_reports_a_toll_joins_the_event_just_told() -> None:
    text = (
        "Gunmen attacked the village of Kpala late on Sunday, killing 19 people.\n"
        "Villagers buried the dead on Monday.\n"
        "A police spokesman said 12 people had been killed and houses burned."
    )
    spots = _group(text)
    assert [(s.ids, s.date_text) for s in spots] == [([1, 3], "on Sunday")]


def test_a_day_to_come_is_no_event_day() -> None:
    text = (
        "Police arrested 14 opposition officials in Kampala on Wednesday.\n"
        "The party said the arrests would not stop the march on Thursday."
    )
    assert [(s.ids, s.date_text) for s in _group(text)] == [([1, 2], "on Wednesday")]


def test_drones_shot_down_are_a_development_not_an_explosion() -> None:
    assert label_by_words("The air force said it shot down 38 of the 56 drones.") == "development"
    assert label_by_words("Drones hit the port, killing a guard.") == "explosion"


def test_a_lead_that_names_two_places_leaves_each_its_own_event() -> None:
    text = (
        "Police fired tear gas at marchers in central Dhaka on Saturday, while protesters "
        "in the nearby city of Gazipur set fire to three buses.\n"
        "The marchers had tried to reach the Secretariat.\n"
        "In Gazipur, protesters blocked the highway and set fire to the buses."
    )
    spots = _group(text)
    assert [s.ids for s in spots] == [[1, 2], [3]]


def test_provinces_within_regions_give_the_region() -> None:
    from summarizer.extraction._places import countries_in, subdivision_in

    assert subdivision_in("near the village of Gaskinde, in Soum province", "BF") == "Sahel"
    # a department's name is a name only when capitalised
    assert subdivision_in("dans le centre d'Haïti, dans l'Artibonite", "HT") == "Artibonite"
    # "Chilpancingo" is no Chilean; "Congolese" is the DR Congo's
    assert countries_in("CHILPANCINGO, Gro. (AP)") == {}
    assert set(countries_in("Congolese troops")) == {"CD"}


def test_who_took_a_town_decides_the_territory_kind() -> None:
    from summarizer.extraction._codebook import codebook_kind
    from summarizer.schema import EventType, SubEventType

    def kind(text: str, first_is_state: bool) -> str:
        return codebook_kind(
            EventType.battles, SubEventType.armed_clash, text, first_is_state
        ).value

    assert kind("M23 rebels seized the town of Kitshanga.", True) == (
        "non_state_actor_overtakes_territory"
    )
    assert kind("Troops backed by allied militias recaptured the town.", False) == (
        "government_regains_territory"
    )
    assert kind("The town was captured on Monday.", True) == "government_regains_territory"


def test_sides_are_named_as_acled_names_them() -> None:
    from summarizer.extraction._names import actor_named
    from summarizer.schema import ActorType

    text = "Regime loyalists fought the militants the army calls terrorists near Hama, Syria."
    folded = fold_name(text)
    countries = {"SY": 2}
    # a state force however the model typed it
    loyalists = actor_named("regime loyalists", ActorType.rebel_group, "Syria", folded, text,
                            countries)  # fmt: skip
    assert loyalists is not None and loyalists.name == "Military Forces of Syria"
    assert loyalists.type is ActorType.state_forces
    # a side's label for its enemy is no name
    labelled = actor_named("terrorists", ActorType.rebel_group, "Syria", folded, text, countries)
    assert labelled is not None and labelled.name == "Unidentified Armed Group (Syria)"


def test_a_source_is_named_where_the_article_names_it() -> None:
    from summarizer.extraction._names import named_source

    text = (
        "Clashes killed 55 fighters on Saturday, a war monitor said.\n"
        "Air strikes hit Idlib, the Syrian Observatory for Human Rights said."
    )
    assert named_source("war monitor", text.split("\n", maxsplit=1)[0], text) == (
        "Syrian Observatory for Human Rights"
    )
    own = "Nineteen civilians were killed in air strikes, the Observatory said."
    assert named_source("AFP", own, text) == "Observatory"  # the wire filed it
    assert named_source("Observatory", own, text) is None  # named already


def test_a_wire_stays_unless_the_events_own_sentences_name_a_source() -> None:
    from summarizer.extraction._names import named_source

    text = (
        "OUAGADOUGOU (AFP) - Gunmen killed six villagers on Monday, AFP learned from local "
        "sources.\nOn Tuesday the army struck nearby, according to the Agence "
        "d'information du Burkina (AIB, public)."
    )
    first, second = text.split("\n")
    # another event's attribution is not this event's source
    assert named_source("AFP", first, text) is None
    # an elided link word stays inside the name
    assert named_source("AFP", second, text) == "Agence d'information du Burkina"
    # a clause's first word is no speaker's
    told = "Two soldiers died in the clash, while the main opposition party said ten died."
    assert named_source("AFP", told, told) is None
    told = "Two soldiers died in the clash, local officials said."
    assert named_source("AFP", told, told) == "local officials"


def test_a_peoples_word_is_never_the_place() -> None:
    from summarizer.extraction._where import specific_place

    own = "In the city of Idlib itself, 19 civilians were killed in Russian air strikes."
    assert specific_place("Idlib", own, None, "SY") == ("Idlib", None)


def test_an_aim_to_take_a_town_takes_nothing() -> None:
    from summarizer.extraction._codebook import codebook_kind
    from summarizer.schema import EventType, SubEventType

    text = (
        "Troops clashed with rebels; they aim to capture Kafr Nabl, after capturing two villages."
    )
    kind = codebook_kind(EventType.battles, SubEventType.armed_clash, text, True)
    assert kind is SubEventType.armed_clash
    offer = "The army offered the fighters safe passage out of the city."
    assert codebook_kind(EventType.strategic_developments, SubEventType.disrupted_weapons_use,
                         offer, True) is SubEventType.other  # fmt: skip


def test_a_side_given_by_its_type_or_a_label_is_coded_as_acled_does() -> None:
    from summarizer.extraction._names import actor_named
    from summarizer.schema import ActorType

    text = "Jihadists ambushed a convoy near Djibo, in Burkina Faso; Hezbollah fighters fled."
    folded, countries = fold_name(text), {"BF": 2}
    state = actor_named("state_forces", ActorType.state_forces, "Burkina Faso", folded, text,
                        countries)  # fmt: skip
    assert state is not None and state.name == "Military Forces of Burkina Faso"
    group = actor_named("rebel_group", ActorType.rebel_group, "Burkina Faso", folded, text,
                        countries)  # fmt: skip
    assert group is not None and group.name == "Unidentified Armed Group (Burkina Faso)"
    named = actor_named("Hezbollah terrorist", ActorType.rebel_group, "Lebanon", folded, text,
                        countries)  # fmt: skip
    assert named is not None and named.name == "Hezbollah"


def test_a_village_is_a_place_and_the_province_named_first_is_its_province() -> None:
    from summarizer.extraction._places import subdivision_in
    from summarizer.extraction._where import specific_place

    own = "Rebels attacked Mambelenga village, in Lubero territory, late on Sunday."
    assert specific_place("Mambelenga village", own, None, "CD") == ("Mambelenga village", None)
    took = "Fighters took the town of Merawi, in the Amhara region."
    assert specific_place("Amhara town", took, None, "ET")[0] == "Merawi"
    text = (
        "The army retook Bechati in the Southwest region on Saturday.\n"
        "Separatists abducted five workers in the Northwest region on Sunday."
    )
    assert subdivision_in(text, "CM") == "Southwest"
    assert subdivision_in("in Congo's North Kivu province", "CD") == "North Kivu"


def test_an_explosions_unnamed_civilian_victims_are_coded_as_civilians() -> None:
    from summarizer.extraction._harm import harms_civilians

    assert harms_civilians("In the city, 19 civilians were killed in air strikes.")
    assert harms_civilians("A shell hit the school, wounding six children.")
    assert not harms_civilians("Air strikes hit rebel positions, killing 12 fighters.")


def test_the_weapon_named_first_decides_the_explosives_kind() -> None:
    from summarizer.extraction._codebook import explosive_kind
    from summarizer.schema import SubEventType

    missile = "A ballistic missile struck the city, hours after a drone attack on the port."
    assert explosive_kind(missile) is SubEventType.shelling_artillery_missile_attack
    assert explosive_kind("Air force strikes hit the convoy.") is SubEventType.air_drone_strike
    # a suicide bombing stays one, whatever the sentences name first
    bomber = "Drones filmed the scene after a suicide bomber blew himself up at the gate."
    assert explosive_kind(bomber) is SubEventType.suicide_bomb


def test_sides_follow_acled_conventions() -> None:
    from summarizer.extraction._sides import coded_sides
    from summarizer.schema import Actor, ActorType, EventType, SubEventType

    rebels = Actor(name="ADF", type=ActorType.rebel_group)
    army = Actor(name="Military Forces of Uganda", type=ActorType.state_forces)
    warnings: list[str] = []
    # the victims of violence against civilians are civilians
    sides = coded_sides(EventType.violence_against_civilians, SubEventType.attack,
                        [rebels, army], "Rebels killed 9 villagers.", "Uganda", "x",
                        warnings)  # fmt: skip
    assert [a.name for a in sides] == ["ADF", "Civilians (Uganda)"]
    # a peaceful march has one side, the marchers, however the model typed them
    crowd = Actor(name="residents", type=ActorType.rebel_group)
    sides = coded_sides(EventType.protests, SubEventType.peaceful_protest, [army, crowd],
                        "Residents marched peacefully.", "Uganda", "x", warnings)  # fmt: skip
    assert [(a.name, a.type.value) for a in sides] == [("residents", "protesters")]
    # a riot's crowd are rioters
    sides = coded_sides(EventType.riots, SubEventType.violent_demonstration,
                        [army, Actor(name="Protesters (Uganda)", type=ActorType.protesters)],
                        "Protesters torched buses.", "Uganda", "x", warnings)  # fmt: skip
    assert [a.name for a in sides] == ["Rioters (Uganda)", "Military Forces of Uganda"]
    # an explosion that hurt soldiers keeps its sides
    sides = coded_sides(EventType.explosions_remote_violence, SubEventType.grenade,
                        [rebels, army], "A grenade killed two soldiers and a child.", "Uganda",
                        "x", warnings)  # fmt: skip
    assert sides == [rebels, army]


def test_an_events_notes_read_as_a_sentence_without_a_day() -> None:
    from tests.fakes.fake_reports import make_event

    dated = make_event("Kafr Zita", date_text="on Saturday", sources=("SOHR",))
    assert dated.notes.startswith("On Saturday, in Kafr Zita (Idlib): ")
    undated_event = make_event("Kafr Zita", date_text="", sources=("SOHR",))
    assert undated_event.notes.startswith("In Kafr Zita (Idlib): ")
    assert "according to SOHR; no death toll reported" in undated_event.notes


def test_notes_tell_a_day_in_another_language_as_its_resolved_date() -> None:
    import datetime as dt

    from summarizer.grounding.notes import event_notes
    from tests.fakes.fake_reports import make_event

    german = make_event("Kassel", date_text="am Mittwoch", sources=("Polizei",))
    assert event_notes(german, dt.date(2025, 10, 29)).startswith("On Wednesday, in Kassel")
    french = make_event("Kassel", date_text="le 14 mai", sources=("police",))
    assert event_notes(french, dt.date(2025, 5, 14)).startswith("On 14 May, in Kassel")
    english = make_event("Kassel", date_text="on Wednesday", sources=("police",))
    assert event_notes(english, dt.date(2025, 10, 29)).startswith("On Wednesday, in Kassel")
    # with no resolved day the article's words stay
    assert event_notes(german).startswith("Am Mittwoch, in Kassel")
    # a day whose first letters spell an English month is not English ("Mardi", "martes")
    for tuesday in ("Mardi", "martes", "mayo"):
        told = make_event("Dablo", date_text=tuesday, sources=("AIB",))
        assert event_notes(told, dt.date(2025, 3, 4)).startswith("On Tuesday, in Dablo")
    march = make_event("Dablo", date_text="March 4", sources=("AIB",))
    assert event_notes(march, dt.date(2025, 3, 4)).startswith("March 4, in Dablo")


def test_a_foreign_force_that_took_part_is_an_associated_actor() -> None:
    from summarizer.extraction._sides import associated_forces
    from summarizer.schema import Actor, ActorType

    army = Actor(name="Military Forces of Syria", type=ActorType.state_forces)
    m23 = Actor(name="M23", type=ActorType.rebel_group)
    congo = Actor(name="Military Forces of Democratic Republic of the Congo",
                  type=ActorType.state_forces)  # fmt: skip
    russia = ["Military Forces of Russia"]
    assert associated_forces("Troops, backed by Russian aerial cover, advanced.", [army]) == (
        russia, [])  # fmt: skip
    assert associated_forces("The latest Russian-backed regime push cut the road.", [army]) == (
        russia, [])  # fmt: skip
    assert associated_forces("Forces, led on the ground by Russian forces, took it.", [army])[0]
    # the side named last before the phrase is the one backed
    assert associated_forces("The army fought M23 rebels backed by Rwandan troops.",
                             [congo, m23]) == ([], ["Military Forces of Rwanda"])  # fmt: skip
    # backing alone, a fight with a foreign army, or the side's own country: nothing
    assert associated_forces("Iranian-backed militias hold the town.", [army]) == ([], [])
    assert associated_forces("Rebels clashed with Chadian soldiers.", [m23]) == ([], [])
    assert associated_forces("Troops backed by Syrian warplanes advanced.", [army]) == ([], [])


def test_notes_tell_every_kind_in_words_with_the_associated_actors() -> None:
    from summarizer.grounding.notes import event_notes
    from summarizer.schema import SubEventType
    from tests.fakes.fake_reports import make_event

    for sub in SubEventType:
        event = make_event("Aleppo", sub=sub.value, actor2=None)
        assert "—" not in event.notes and "_" not in event.notes, event.notes
    event = make_event("Aleppo", sub="government_regains_territory", actor2="Islamic State")
    allied = event.model_copy(update={"assoc_actor1": ["Military Forces of Russia"]})
    assert event_notes(allied).startswith(
        "Saturday, in Aleppo (Idlib): Military Forces of Syria, with Military Forces of "
        "Russia, regained territory from Islamic State"
    )


def test_a_village_unknown_to_the_gazetteer_takes_the_province_of_the_town_named_with_it() -> None:
    from summarizer.extraction._where import locate

    sentence = "Clashes were also reported in the town of Yadouda in the countryside of Dara'a."
    where = locate("Yadouda", sentence, sentence, {"SY": 2})
    assert (where.name, where.admin1, where.country) == ("Yadouda", "Dara'a", "Syria")


def test_the_gazetteer_gives_no_province_across_a_border() -> None:
    from summarizer.extraction._places import lookup_place

    # reverse_geocoder's nearest place to Rutshuru (DR Congo) is a Ugandan town
    rutshuru = lookup_place("Rutshuru", {"CD": 1})
    assert rutshuru is not None and rutshuru.country_code == "CD"
    assert rutshuru.admin1 not in {"Western Region"} and rutshuru.admin2 != "Kisoro District"


@pytest.mark.parametrize(
    ("sentence", "label"),
    [
        # French and Spanish words of taking a place
        (
            "Les Forces armées ont repris le 14 mai le contrôle de Sam Ouandja, a annoncé "
            "vendredi l'état-major.",
            "battle",
        ),
        ("El ejército retomó el control del pueblo el martes.", "battle"),
        # tank fire is shelling, an explosive weapon
        ("On Thursday, tank fire killed three people near Khan Younis.", "explosion"),
        # explosives made safe: disrupted weapons use
        (
            "A farmer reported a container on Wednesday night, and a bomb disposal team "
            "rendered it safe before dawn.",
            "development",
        ),
        # armed men burning property, no one hurt: property destruction
        ("Militants torched a communications mast at Fino on Wednesday night.", "development"),
        ("Firefighters put out the blaze before it spread.", "background"),
    ],
)
def test_more_acts_the_words_tell(sentence: str, label: str) -> None:
    assert label_by_words(sentence) == label


def test_arrests_told_after_a_demonstration_are_part_of_it() -> None:
    sentences = number_sentences(
        "Police fired tear gas in Novi Sad late on Thursday after protesters pelted the "
        "party office with stones and set its entrance on fire.\n"
        "Fourteen people were detained, the ministry said in a statement."
    )
    labels = {s.id: label_by_words(s.text) for s in sentences}
    assert labels == {1: "protest", 2: "development"}
    spots = group_events(labels, sentences, None, [])
    assert [(spot.event_type.value, spot.ids) for spot in spots] == [("protests", [1, 2])]


def test_the_provinces_a_text_names_tell_its_country() -> None:
    from summarizer.extraction._places import countries_in, countries_of_provinces, country_name

    text = (
        "A roadside bomb killed two rangers in Rangae district of Narathiwat on Tuesday. "
        "Gunmen later shot a village headman in Bannang Sata, Yala, near the Malaysian border."
    )
    assert countries_in(text) == {"MY": 1}
    assert countries_of_provinces(text) == {"TH": 1}  # "Yala": too short to tell
    # a people's word is no province ("Somali" is also a region of Ethiopia)
    assert countries_of_provinces("Somali forces retook the town.") == {}
    # ACLED's Palestine, as news names it
    assert "PS" in countries_in("An air strike hit a school in the Gaza Strip.")
    assert country_name("PS") == "Palestine"


def test_a_place_name_with_de_or_del_stays_whole() -> None:
    from summarizer.extraction._where import _gazetteer_part

    assert _gazetteer_part("Maguindanao del Sur", {"PH": 2}) == "Maguindanao del Sur"
    assert _gazetteer_part("le marché de Nyala", {"SD": 2}) == "Nyala"


def test_an_event_lists_every_source_its_sentences_name() -> None:
    from summarizer.extraction._names import sources_of

    own = (
        "A strike killed 17 people, the civil defence agency said. Staff at Al-Ahli "
        "hospital said they had received 15 bodies, according to Dr Fadel Naim."
    )
    text = own + " Gaza City is in Palestine, Palestine said."
    found = sources_of("civil defence agency", own, text)
    assert found[0] == "civil defence agency"
    assert "Dr Fadel Naim" in found and len(found) == len(set(found))
    assert sources_of(None, "Fighting went on.", "Fighting went on.") == []


@pytest.mark.parametrize(
    ("sentence", "label"),
    [
        # a crowd's size is no war's toll
        (
            "Hours earlier in Belgrade, tens of thousands of students marched to parliament.",
            "protest",
        ),
        ("The conflict has displaced tens of thousands of people.", "background"),
        # the rifles carried are no assault (nor a battle)
        (
            "Witnesses said two men on a motorcycle opened fire with assault rifles.",
            "background",
        ),
        # a rally in Spanish; sexual violence
        (
            "Un obrero murió tras recibir un disparo cuando agentes abrieron fuego contra una "
            "concentración de trabajadores.",
            "protest",
        ),
        (
            "The mission said soldiers had raped three women near Kajo-Keji on Thursday.",
            "attack_on_civilians",
        ),
        # police investigating is no act
        (
            "Police arrived after the men had died and said they had opened murder investigations.",
            "background",
        ),
    ],
)
def test_acts_told_in_other_words(sentence: str, label: str) -> None:
    assert label_by_words(sentence) == label


def test_days_in_french_statements_and_mastheads() -> None:
    from summarizer.extraction._days import date_key as _date_key
    from summarizer.extraction._sentences import undated

    # the event's date, not the day the staff announced it
    french = ("Les forces armées ont repris le 14 mai le contrôle de Sam Ouandja, a annoncé "
              "vendredi l'état-major.")  # fmt: skip
    assert _date_key(french) == "14 mai"
    assert _date_key(french, reported=True) == "vendredi"
    # a masthead's date line names no event day
    assert undated("FRONTIER WEEKLY | Saturday, June 21, 2025") == ""
    assert undated("Friday, July 18, 2025") == ""
    assert undated("Fighting resumed on Saturday, June 21.") != ""


def test_another_place_earlier_the_same_day_is_another_event() -> None:
    sentences = number_sentences(
        "Police fired tear gas in Novi Sad late on Thursday after protesters pelted the "
        "party office with stones.\n"
        "Hours earlier in Belgrade, tens of thousands of students marched peacefully.\n"
        "A week of attacks left at least four police officers dead."
    )
    labels = {s.id: label_by_words(s.text) for s in sentences}
    spots = group_events(labels, sentences, None, [])
    assert [(spot.event_type.value, spot.ids) for spot in spots] == [
        ("protests", [1]),
        ("protests", [2]),
    ]


def test_a_region_gives_way_to_the_town_its_sentences_name() -> None:
    from summarizer.extraction._where import specific_place

    own = (
        "A drone strike on a market in Ethiopia's Amhara region killed 14 people on Tuesday. "
        "A nurse at the Bichena health centre said it had received 14 bodies."
    )
    # the model's "Amhara region" or "Amhara" (ISO 3166-2: "Amara"): the region, not a place
    assert specific_place("Amhara region", own, None, "ET")[0] == "Bichena"
    assert specific_place("Amhara", own, None, "ET")[0] == "Bichena"
    assert specific_place("Bichena", own, None, "ET") == ("Bichena", None)


def test_the_dateline_city_gives_way_to_the_place_the_article_names() -> None:
    from summarizer.extraction._where import specific_place

    own = (
        "BAMAKO, Mali (AP) — At least eight soldiers were killed when a suicide bomber drove "
        "a truck into the gate of a military camp in central Mali on Sunday, the army said."
    )
    text = own + "\nA second vehicle was stopped near the camp in Niono, in the Ségou region."
    assert specific_place("BAMAKO", own, "BAMAKO", "ML", text) == ("Niono", "the dateline's city")
    # without an article to look in, the model's answer stays
    assert specific_place("BAMAKO", own, "BAMAKO", "ML") == ("BAMAKO", None)


def test_a_crowds_violence_told_in_the_lead_makes_its_event_a_riot() -> None:
    from summarizer.extraction._codebook import codebook_kind
    from summarizer.extraction._grouping import names_one_place
    from summarizer.schema import EventType, SubEventType

    lead = ("One man was killed in Cap-Haitien on Monday when demonstrators torched tyres and "
            "stoned police vehicles.")  # fmt: skip
    both = "Police dispersed a march in Dhaka as protesters torched buses in Gazipur."
    assert names_one_place(lead) and not names_one_place(both)
    # French and Spanish words of retaking, and of deadly force on a demonstration
    retook = "Les Forces armées centrafricaines ont repris le contrôle de Sam Ouandja."
    assert codebook_kind(EventType.battles, SubEventType.armed_clash, retook, True) is (
        SubEventType.government_regains_territory
    )
    shot = "Un obrero murió cuando agentes abrieron fuego contra una concentración."
    assert codebook_kind(EventType.protests, SubEventType.peaceful_protest, shot, False) is (
        SubEventType.excessive_force_against_protesters
    )
