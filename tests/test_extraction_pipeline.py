"""The step pipeline's protocol and its rules, driven by SCRIPTED FAKE answers.

Nothing here is a model output: each answer below is written by hand to put one rule
of the pipeline to the test (a summary that fails, a name the article never says, a
background event, a wrongly typed strike). Quality is measured by the live eval.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest

from summarizer.errors import ExtractionFailed
from summarizer.extraction import ArticleInput, Ask, RunInfo, run_steps
from summarizer.extraction._steps import SummaryDraft, load_step_prompts
from summarizer.llm.client import Completion
from summarizer.schema import ArticleReport, SubEventType, Usage

ARTICLE = (
    "Shelling kills 12 in Nyala market\n"
    "NYALA, Sudan (Reuters) - Artillery shells hit the main market of Nyala on Sunday, "
    "killing 12 civilians, the Sudan Doctors Network said.\n"
    "The Rapid Support Forces and the Sudanese army also fought in the city on Sunday.\n"
    "The war has killed tens of thousands of people since April 2023."
)
RUN = RunInfo(model="fake", endpoint_host="fake", summarizer_version="test")


def fake(value: Any) -> Completion[Any]:
    """A FAKE completion carrying a hand-written answer."""
    return Completion(value, attempts=1, usage=Usage(prompt_tokens=10, completion_tokens=5,
                                                     total_tokens=15), latency_seconds=0.1,
                      raw=None)  # fmt: skip


def run(
    text: str, answer: Callable[[Ask], Any], published: dt.date | None = dt.date(2025, 6, 17)
) -> tuple[ArticleReport, list[str]]:
    """Drive the pipeline with ``answer`` (an Ask -> FAKE value or exception)."""
    steps = run_steps(ArticleInput(text=text, published=published), load_step_prompts("v6"), RUN)
    asked: list[str] = []
    try:
        asks = next(steps)
        while True:
            answers = []
            for ask in asks:
                asked.append(ask.step)
                value = answer(ask)
                answers.append(value if isinstance(value, ExtractionFailed) else fake(value))
            asks = steps.send(answers)
    except StopIteration as done:
        return done.value, asked


def question(ask: Ask) -> str:
    """The question part of an ask (after the shared article prefix)."""
    return ask.messages[-1]["content"].split("<<<END ARTICLE>>>")[-1]


def labelling(ask: Ask, labels: dict[int, str]) -> Any:
    """A FAKE classify answer: ``labels`` by sentence number, 'background' for the rest."""
    shown = ask.response_model.model_fields
    return ask.response_model.model_validate(
        {name[1:]: labels.get(int(name[1:]), "background") for name in shown}
    )


def details(ask: Ask, **values: Any) -> Any:
    return ask.response_model.model_validate(values)


def scripted(labels: dict[int, str], **values: Any) -> Callable[[Ask], Any]:
    """FAKE answers: ``labels`` to the classify question, ``values`` as every event's
    details, the standard summary."""

    def answer(ask: Ask) -> Any:
        if ask.step == "classify":
            return labelling(ask, labels)
        if ask.step.startswith("details"):
            return details(ask, **values)
        return standard(ask)

    return answer


def failed() -> ExtractionFailed:
    return ExtractionFailed("FAKE: no valid answer", attempts=3, last_completion=None,
                            usage=Usage())  # fmt: skip


def standard(ask: Ask, summary: Any = None) -> Any:
    if ask.step == "classify":
        # sentence 2 is labelled an attack on civilians: its shells make it an explosion;
        # sentence 4 ('since April 2023') is background by its date
        return labelling(ask, {2: "attack_on_civilians", 3: "battle", 4: "battle"})
    if ask.step.startswith("details"):
        if "explosions_remote_violence event" in question(ask):
            return details(ask, place="main market of Nyala",
                           sub_event_type="shelling_artillery_missile_attack",
                           actor1={"name": "Syrian Observatory for Human Rights",
                                   "type": "rebel_group"},
                           actor2={"name": "civilians", "type": "civilians"},
                           fatalities=12, source="Sudan Doctors Network")  # fmt: skip
        return details(ask, place="Nyala", sub_event_type="armed_clash",
                       actor1={"name": "Rapid Support Forces", "type": "rebel_group"},
                       actor2={"name": "Sudanese army", "type": "state_forces"},
                       source="Reuters")  # fmt: skip
    return (
        summary
        if summary is not None
        else SummaryDraft(
            headline="Market shelled in Nyala",
            text="Artillery fire struck a market in Nyala on Sunday and 12 civilians died, "
            "according to the Sudan Doctors Network. Fighting between the army and the RSF "
            "was also reported in the city.",
        )
    )


def test_rounds_classify_and_summary_then_details_per_event() -> None:
    report, asked = run(ARTICLE, standard)
    assert asked == ["classify", "summary", "details:1", "details:2"]
    assert len(report.events) == 2  # the 'since April 2023' event is background
    assert report.provenance.usage.total_tokens == 15 * 4
    assert report.provenance.prompt.version == "v6"
    assert report.article.wire == "Reuters" and report.article.dateline == "NYALA"


def test_an_explosive_attack_on_civilians_is_coded_as_explosions() -> None:
    report, _ = run(ARTICLE, standard)
    strike = report.events[0]
    assert strike.event_type.value == "explosions_remote_violence"
    assert strike.sub_event_type.value == "shelling_artillery_missile_attack"
    assert strike.fatalities.total == 12
    assert strike.fatalities.reported_by == "Sudan Doctors Network"
    assert strike.evidence == [
        "NYALA, Sudan (Reuters) - Artillery shells hit the main market of Nyala on Sunday, "
        "killing 12 civilians, the Sudan Doctors Network said."
    ]
    assert strike.date == dt.date(2025, 6, 15)
    assert (strike.location.country, strike.location.admin1) == ("Sudan", "South Darfur")


def test_names_the_article_never_says_are_removed_and_noted() -> None:
    report, _ = run(ARTICLE, standard)
    strike = report.events[0]
    # the invented actor1 is removed: the attacker is unnamed, the civilians its victims
    assert strike.actor1.name == "Unidentified Armed Group (Sudan)"
    assert strike.actor2 is not None and strike.actor2.name == "Civilians (Sudan)"
    assert any("Syrian Observatory" in w and "removed" in w for w in report.provenance.warnings)
    clash = report.events[1]
    assert clash.actor2 is not None and clash.actor2.name == "Military Forces of Sudan"


def test_a_place_the_article_does_not_name_drops_the_event() -> None:
    def answer(ask: Ask) -> Any:
        if ask.step == "classify":
            return labelling(ask, {3: "battle"})
        if ask.step.startswith("details"):
            return details(ask, place="Idlib", sub_event_type="armed_clash",
                           actor1={"name": "Rapid Support Forces", "type": "rebel_group"},
                           actor2=None, source=None)  # fmt: skip
        return standard(ask)

    report, asked = run(ARTICLE, answer)
    assert report.events == []
    assert asked == ["classify", "summary", "details:1"]
    assert any("'Idlib'" in w for w in report.provenance.warnings)


def test_a_failed_summary_never_costs_the_record() -> None:
    report, _ = run(ARTICLE, lambda ask: failed() if ask.step == "summary" else standard(ask))
    assert len(report.events) == 2
    assert any("composed from the record" in w for w in report.provenance.warnings)
    assert "Nyala" in report.summary.text and "12" in report.summary.text


def test_a_french_summary_is_replaced_by_an_english_one() -> None:
    french = SummaryDraft(
        headline="Bombardement à Nyala",
        text="Des obus ont frappé le marché de Nyala dimanche. Douze civils sont morts selon "
        "le réseau des médecins.",
    )
    report, _ = run(ARTICLE, lambda ask: standard(ask, french))
    assert "not in English" in " ".join(report.provenance.warnings)
    assert "Nyala" in report.summary.text and "marché" not in report.summary.text


def test_a_summary_leaving_out_the_toll_and_source_is_completed_from_the_record() -> None:
    vague = SummaryDraft(
        headline="Violence in Sudan",
        text="A market was hit in Nyala on Sunday. Fighting went on in the city.",
    )
    report, _ = run(ARTICLE, lambda ask: standard(ask, vague))
    assert "12" in report.summary.text
    assert "Sudan Doctors Network" in report.summary.text


def test_a_copied_or_ungrounded_summary_sentence_is_removed() -> None:
    copied = SummaryDraft(
        headline="Nyala market shelled",
        text="Artillery shells hit the main market of Nyala on Sunday, killing 12 civilians. "
        "Officials said 500 people died in Paris. Fighting was reported in Nyala too.",
    )
    report, _ = run(ARTICLE, lambda ask: standard(ask, copied))
    assert "Paris" not in report.summary.text and "500" not in report.summary.text
    assert "Artillery shells hit the main market" not in report.summary.text


def test_sentences_naming_two_days_become_two_events() -> None:
    text = (
        "Fighting raged in Kharkiv on Saturday, the army said.\n"
        "On Sunday the fighting moved to Izium, officials said."
    )

    def answer(ask: Ask) -> Any:
        if ask.step == "classify":
            return labelling(ask, {1: "battle", 2: "battle"})
        if ask.step.startswith("details"):
            place = "Izium" if "Izium" in question(ask) else "Kharkiv"
            return details(ask, place=place, sub_event_type="armed_clash",
                           actor1={"name": "army", "type": "state_forces"}, actor2=None,
                           source=None)  # fmt: skip
        return standard(ask)

    report, asked = run(text, answer)
    assert asked.count("details:1") == 1 and "details:2" in asked
    assert [(e.location.name, e.date_text) for e in report.events] == [
        ("Kharkiv", "on Saturday"),
        ("Izium", "On Sunday"),
    ]


def test_spotting_that_fails_raises() -> None:
    with pytest.raises(ExtractionFailed):
        run(ARTICLE, lambda ask: failed())


def test_commentary_labelled_as_an_event_is_left_out_unless_anchored() -> None:
    text = (
        "Rebels attacked an army post in Goma on Friday, killing 4 soldiers.\n"
        "Residents fled the town as the army sent reinforcements.\n"
        "Protesters marched in Kinshasa on Friday against the government.\n"
        "Analysts say the bombing campaign has become routine.\n"
        "Diplomats warn that more shelling could follow in the south."
    )

    def answer(ask: Ask) -> Any:
        if ask.step == "classify":  # the FAKE labels the commentary as events too
            return labelling(ask, {1: "battle", 3: "protest", 4: "explosion", 5: "explosion"})
        if ask.step.startswith("details") and "protests event" in question(ask):
            return details(ask, place="Kinshasa", sub_event_type="peaceful_protest",
                           actor1={"name": "Protesters", "type": "protesters"}, actor2=None,
                           source=None)  # fmt: skip
        if ask.step.startswith("details"):
            return details(ask, place="Goma", sub_event_type="armed_clash",
                           actor1={"name": "Rebels", "type": "rebel_group"}, actor2=None,
                           fatalities=4, source=None)  # fmt: skip
        return standard(ask)

    report, asked = run(text, answer)
    # sentences 4 and 5 (an 'explosion' of the same day, by inheritance) name no day,
    # give no toll and do not lead: they make no event
    assert asked == ["classify", "summary", "details:1", "details:2"]
    assert [e.event_type.value for e in report.events] == ["battles", "protests"]
    assert any("[4, 5]" in w and "left out" in w for w in report.provenance.warnings)


def test_force_used_on_protesters_is_a_protest_event() -> None:
    text = (
        "Police shot dead three protesters in Nairobi on Tuesday, a rights group said.\n"
        "The demonstrators were marching against a tax bill."
    )

    def answer(ask: Ask) -> Any:
        if ask.step == "classify":  # the FAKE labels the shooting an attack on civilians
            return labelling(ask, {1: "attack_on_civilians"})
        if ask.step.startswith("details"):
            # code has made it a protest before asking: the schema offers protest kinds
            assert "one protests event" in ask.messages[-1]["content"]
            return details(ask, place="Nairobi", sub_event_type="peaceful_protest",
                           actor1={"name": "Police", "type": "state_forces"},
                           actor2={"name": "protesters", "type": "civilians"},
                           fatalities=3, source=None)  # fmt: skip
        return standard(ask)

    report, _ = run(text, answer)
    (event,) = report.events
    assert (event.event_type.value, event.sub_event_type.value) == (
        "protests",
        "excessive_force_against_protesters",
    )
    assert event.actor1.type.value == "protesters" and event.actor2 is not None
    assert event.actor2.type.value == "state_forces"


def test_an_attack_whose_sides_are_unnamed_codes_civilians_and_an_unidentified_group() -> None:
    text = (
        "Gunmen kill five traders near Bunia\n"
        "BUNIA, Congo (Reuters) - Gunmen killed five traders on a road near Bunia on Monday, "
        "local officials said."
    )

    # the FAKE names no side the article names
    answer = scripted({1: "attack_on_civilians", 2: "attack_on_civilians"}, place="Bunia",
                      sub_event_type="attack",
                      actor1={"name": "unknown", "type": "political_militia"},
                      actor2=None, fatalities=5, source=None)  # fmt: skip
    report, _ = run(text, answer)
    (event,) = report.events
    assert event.actor1.name.startswith("Unidentified Armed Group")
    assert event.actor2 is not None and event.actor2.type.value == "civilians"
    assert any("victims coded as civilians" in w for w in report.provenance.warnings)


def test_the_people_of_a_protest_are_protesters_whatever_the_model_typed() -> None:
    text = (
        "Relatives block highway in Chilpancingo\n"
        "About a hundred relatives of missing miners marched and blocked the highway in "
        "Chilpancingo on Wednesday, police said."
    )

    # the FAKE types the relatives as rebels
    answer = scripted({1: "protest", 2: "protest"}, place="Chilpancingo",
                      sub_event_type="peaceful_protest",
                      actor1={"name": "relatives of missing miners", "type": "rebel_group"},
                      actor2=None, source="police")  # fmt: skip
    report, _ = run(text, answer)
    (event,) = report.events
    assert event.event_type.value == "protests"
    assert event.actor1.type.value == "protesters"


def test_a_lone_surviving_summary_sentence_keeps_its_headline_and_gets_the_records() -> None:
    copying = SummaryDraft(
        headline="Nyala market shelled",
        text="A market in Nyala was hit on Sunday, killing 12, the Sudan Doctors Network said. "
        "Artillery shells hit the main market of Nyala on Sunday, killing 12 civilians.",
    )
    report, _ = run(ARTICLE, lambda ask: standard(ask, copying))
    assert report.summary.headline == "Nyala market shelled"
    assert report.summary.text.startswith("A market in Nyala was hit on Sunday")
    assert "summary completed from the record" in " ".join(report.provenance.warnings)
    assert "composed from the record" not in " ".join(report.provenance.warnings)


def test_an_article_without_events_keeps_its_summary_but_no_violent_figure_of_speech() -> None:
    markets = "Bank shares fell sharply on Monday as investors sold stocks.\nThe index lost 4%."
    draft = SummaryDraft(
        headline="Markets suffer a bloodbath",
        text="Bank shares fell on Monday as investors sold. Traders called it a massacre.",
    )

    def answer(ask: Ask) -> Any:
        return standard(ask, draft)

    report, _ = run(markets, answer)
    assert report.events == []
    assert report.summary.headline == "No political violence event reported"
    assert report.summary.text == (
        "Bank shares fell on Monday as investors sold. "
        "The article reports no incident of political violence or protest."
    )


def test_soldiers_or_police_killed_by_an_unnamed_attacker_keep_their_event() -> None:
    text = (
        "Four officers of the Rural Border Patrol Unit were killed on Monday when their "
        "vehicle hit a roadside bomb near Mandera in Kenya, police said."
    )

    # the FAKE names an attacker the article does not name, so the check removes it
    answer = scripted({1: "explosion"}, place="Mandera",
                      sub_event_type="remote_explosive_landmine_ied",
                      actor1={"name": "al-Shabaab", "type": "rebel_group"},
                      actor2=None, fatalities=4, source="police")  # fmt: skip
    report, _ = run(text, answer)
    assert len(report.events) == 1
    event = report.events[0]
    assert event.actor1.name == "Unidentified Armed Group (Kenya)"
    assert event.actor2 is not None and event.actor2.name == "Police Forces of Kenya"
    assert event.fatalities.total == 4


def test_an_attacks_kind_comes_from_its_body_not_from_a_headline_of_two_events() -> None:
    text = (
        "Rebels kill eight miners in Kivu, abduct three nurses\n\n"
        "Eight gold miners were killed on Monday when rebels attacked the village of "
        "Lubero in Congo, the army said.\n\n"
        "On Tuesday, rebels abducted three nurses from a clinic in Butembo, the army said."
    )
    labels = {1: "attack_on_civilians", 2: "attack_on_civilians", 3: "attack_on_civilians"}

    def answer(ask: Ask) -> Any:
        # the FAKE gives every event the same (wrong) kind; the sentences decide
        if ask.step == "classify":
            return labelling(ask, labels)
        if ask.step.startswith("details"):
            values = {
                "place": "Lubero",
                "sub_event_type": "abduction_forced_disappearance",
                "actor1": {"name": "rebels", "type": "rebel_group"},
                "actor2": {"name": "nurses", "type": "civilians"},
                "source": "army",
            }
            if "fatalities" in ask.response_model.model_fields:
                values["fatalities"] = None
            return details(ask, **values)
        return standard(ask)

    report, _ = run(text, answer)
    kinds = {e.date_text: e.sub_event_type for e in report.events}
    assert kinds.get("on Monday") is SubEventType.attack
    assert kinds.get("On Tuesday") is SubEventType.abduction_forced_disappearance


def test_v9_asks_the_kind_only_where_code_cannot_take_it_from_the_words() -> None:
    """v9's details question lists the kinds (sub_event_type) only for a strategic
    development; for the other types code takes the kind from the words, so neither the
    list nor the answer's field is asked, and the record still gets its kind."""
    text = ARTICLE + "\nPolice arrested 30 people in Nyala on Sunday, the governor said."
    steps = run_steps(ArticleInput(text=text, published=dt.date(2025, 6, 17)),
                      load_step_prompts("v9"), RUN)  # fmt: skip
    asks = next(steps)
    by_type = {
        kind: ask
        for ask in asks
        for kind in ("explosions_remote_violence", "battles", "strategic_developments")
        if ask.step.startswith("details") and f"one {kind} event" in question(ask)
    }
    assert set(by_type) == {"explosions_remote_violence", "battles", "strategic_developments"}
    for kind, ask in by_type.items():
        asked = kind == "strategic_developments"
        assert ("Its kinds (sub_event_type)" in question(ask)) is asked
        assert ("sub_event_type" in ask.response_model.model_fields) is asked
    # v7's questions are unchanged: every event's kinds are listed
    v7 = next(run_steps(ArticleInput(text=text, published=dt.date(2025, 6, 17)),
                        load_step_prompts("v7"), RUN))  # fmt: skip
    assert all("Its kinds" in question(a) for a in v7 if a.step.startswith("details"))

    def answer(ask: Ask) -> Any:
        if ask.step == "summary":
            return SummaryDraft(headline="Shelling hits Nyala market", text="x. y.")
        fields = ask.response_model.model_fields
        values: dict[str, Any] = {
            "place": "Nyala",
            "actor1": {"name": "Rapid Support Forces", "type": "rebel_group"},
            "actor2": None,
            "source": None,
        }
        if "fatalities" in fields:
            values["fatalities"] = None
        if "sub_event_type" in fields:
            values["sub_event_type"] = "arrests"
        return ask.response_model.model_validate(values)

    with pytest.raises(StopIteration) as done:  # v9 asks everything in one round
        steps.send([fake(answer(ask)) for ask in asks])
    report: ArticleReport = done.value.value
    kinds = {e.event_type.value: e.sub_event_type for e in report.events}
    assert kinds["explosions_remote_violence"] is SubEventType.shelling_artillery_missile_attack
    assert kinds["battles"] is SubEventType.armed_clash
    assert kinds["strategic_developments"] is SubEventType.arrests


def test_v10_names_the_event_sentences_by_number_instead_of_quoting_them() -> None:
    """v10's details question points at the event's sentences by their numbers in the
    article above it (the cached prefix) instead of quoting them again, and asks the kind
    as v9 does; v9's question quotes them."""
    text = ARTICLE + "\nPolice arrested 30 people in Nyala on Sunday, the governor said."
    article = ArticleInput(text=text, published=dt.date(2025, 6, 17))
    v10 = [a for a in next(run_steps(article, load_step_prompts("v10"), RUN))
           if a.step.startswith("details")]  # fmt: skip
    v9 = [a for a in next(run_steps(article, load_step_prompts("v9"), RUN))
          if a.step.startswith("details")]  # fmt: skip
    assert len(v10) == len(v9) == 3
    arrest = "Police arrested 30 people in Nyala"
    for new, old in zip(v10, v9, strict=True):
        ids = re.findall(r"\[(\d+)\]", question(old))
        assert ids and all(f"[{i}]" in question(new) for i in ids)
        assert "reported in the article's sentence" in question(new)
        # the sentences are in the article above the question, not in the question
        assert not any(line.startswith("[") for line in question(new).splitlines())
        assert len(question(new)) < len(question(old))
        assert ("Its kinds" in question(new)) is ("Its kinds" in question(old))
    assert arrest in v10[0].messages[-1]["content"]
    assert not any(arrest in question(a) for a in v10)
    assert any(arrest in question(a) for a in v9)


def test_v11_asks_a_non_english_articles_summary_in_english_and_is_v7_otherwise() -> None:
    """v11 is v7 with one change: the summary question of an article not in English names
    its language ("written in English (not in French)"); an English article's questions
    are v7's, word for word, so v7's recordings of them still serve."""
    english = ArticleInput(text=ARTICLE, published=dt.date(2025, 6, 17))
    v11 = next(run_steps(english, load_step_prompts("v11"), RUN))
    v7 = next(run_steps(english, load_step_prompts("v7"), RUN))
    assert [a.messages for a in v11] == [a.messages for a in v7]
    french = ArticleInput(
        text=(
            "Des bombardements font 12 morts au marché de Nyala\n"
            "Des obus d'artillerie ont frappé le marché principal de Nyala dimanche, tuant 12 "
            "civils, selon le Réseau des médecins du Soudan.\n"
            "Les Forces de soutien rapide et l'armée soudanaise se sont aussi affrontées "
            "dimanche dans la ville."
        ),
        published=dt.date(2025, 6, 17),
    )
    asked = {a.step: question(a) for a in next(run_steps(french, load_step_prompts("v11"), RUN))}
    assert asked["summary"].strip().endswith("written in English (not in French).")
    before = {a.step: question(a) for a in next(run_steps(french, load_step_prompts("v7"), RUN))}
    assert before["summary"].strip() == "Question: summary."
    assert {k: v for k, v in asked.items() if k != "summary"} == {
        k: v for k, v in before.items() if k != "summary"
    }
