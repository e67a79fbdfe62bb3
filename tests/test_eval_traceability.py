"""The ``names.untraceable`` metric: names of a record that the article does not say.

The records are hand-built about fixture article 000 (see :mod:`tests.eval_records`).
"""

from __future__ import annotations

from typing import Any

import pytest

from summarizer.errors import InputError
from summarizer.evaluation.gating import gate, resolve_metric
from summarizer.evaluation.reports import report_document, to_junit, to_markdown
from summarizer.evaluation.traceability import is_canonical_actor, is_country, untraceable_names

from .eval_records import CLEANED, RAW, al_habeet, report, result, saturday, score


def with_actors(event: dict[str, Any], actor1: str, actor2: str, *assoc: str) -> dict[str, Any]:
    event["actor1"] = {"name": actor1, "type": "state_forces"}
    event["actor2"] = {"name": actor2, "type": "rebel_group"}
    event["assoc_actor1"] = list(assoc)
    return event


def traced(event: dict[str, Any]) -> dict[str, Any]:
    """An event every name of which occurs in article 000 or is canonical (the article
    says "the north of Hama province", so the place is "Hama", not "northern Hama")."""
    if event["location"]["name"] == "northern Hama":
        event["location"]["name"] = "Hama"
    return with_actors(event, "Military Forces of Syria", "Hayat Tahrir al-Sham")


def test_a_place_the_article_words_otherwise_counts() -> None:
    _, untraceable = untraceable_names(report([saturday()]), (CLEANED, RAW))
    assert ("events[0].location.name", "northern Hama") in [(u.field, u.name) for u in untraceable]


def test_names_of_the_article_and_canonical_actor_names_are_traceable() -> None:
    record = report([traced(al_habeet()), traced(saturday())])
    checked, untraceable = untraceable_names(record, (CLEANED, RAW))
    # per event: location, two actors, and the source (Al-Habeet) or reported_by (Saturday)
    assert (checked, untraceable) == (8, [])
    scored = score([traced(al_habeet()), traced(saturday())])
    assert scored.untraceable == [] and scored.counts.names_untraceable == 0
    assert result(scored).metrics["names.untraceable"] == 0.0


def test_an_invented_source_and_actor_count_with_where_they_are() -> None:
    invented = with_actors(
        al_habeet(sources=("Syrian Observatory for Human Rights", "Sudan Tribune")),
        "Military Forces of Syria",
        "Rapid Support Forces",
        "Police Forces of Syria",  # canonical: derived, not counted
    )
    invented["fatalities"]["reported_by"] = "Reuters"
    scored = score([invented, traced(saturday())])
    assert [(u.field, u.name) for u in scored.untraceable] == [
        ("events[0].actor2.name", "Rapid Support Forces"),
        ("events[0].fatalities.reported_by", "Reuters"),
        ("events[0].sources[1]", "Sudan Tribune"),
    ]
    assert scored.counts.names_untraceable == 3
    assert result(scored).metrics["names.untraceable"] == 3.0


def test_title_wire_and_dateline_are_checked() -> None:
    record = report([traced(al_habeet())])
    record.article.title = "Syrian regime forces seized a town on the edge of Idlib province"
    record.article.wire = "Reuters"
    record.article.dateline = "BEIRUT"
    _, untraceable = untraceable_names(record, (CLEANED, RAW))
    assert [(u.field, u.name) for u in untraceable] == [
        ("article.wire", "Reuters"),
        ("article.dateline", "BEIRUT"),
    ]


def test_the_canonical_forms_need_a_country() -> None:
    for name in (
        "Military Forces of Sudan",
        "Police Forces of Kenya",
        "Civilians (Nigeria)",
        "Protesters (Kenya)",
        "Rioters (Haiti)",
        "Unidentified Armed Group (Mali)",
        "Unidentified Armed Group",
        "Military Forces of Democratic Republic of the Congo",
    ):
        assert is_canonical_actor(name), name
    for name in (
        "Military Forces of Sudanese",  # an adjective, not a country
        "Military Forces of Idlib",
        "Civilians",
        "Protesters (students)",
        "Armed Forces of Syria",
    ):
        assert not is_canonical_actor(name), name
    assert is_country("Syria") and is_country("Côte d'Ivoire") and not is_country("Syrian")
    # a canonical name is accepted for actors only, not as a source
    record = report([traced(al_habeet(sources=("Military Forces of Sudan",)))])
    _, untraceable = untraceable_names(record, (CLEANED, RAW))
    assert [u.field for u in untraceable] == ["events[0].sources[0]"]


def test_a_failed_article_checks_no_name() -> None:
    failed = result(score([]).model_copy(update={"untraceable": []}))
    assert failed.counts.names_checked == 0
    assert failed.metrics["names.untraceable"] is None


def test_the_reports_and_the_gate_show_the_count() -> None:
    invented = with_actors(al_habeet(), "Military Forces of Syria", "Rapid Support Forces")
    run = result(score([invented, traced(saturday())]))
    document = report_document(run)
    assert document["metrics"]["names.untraceable"] == 1.0
    assert document["articles"][0]["score"]["untraceable"] == [
        {"field": "events[0].actor2.name", "name": "Rapid Support Forces"}
    ]
    markdown = to_markdown(run)
    assert "| names not traceable (count, lower is better) | 1 |" in markdown
    assert "events[0].actor2.name: Rapid Support Forces" in markdown
    assert 'name="names_traceable"' in to_junit(run)
    assert gate(document, max_untraceable=0).failures == [
        "names.untraceable is 1, above --max-untraceable 0"
    ]
    assert gate(document, max_untraceable=1).passed
    # against a baseline, a count fails when it rises (by more than the tolerance)
    before = report_document(result(score([traced(al_habeet()), traced(saturday())])))
    assert gate(document, baseline=before).failures == [
        "names.untraceable rose from 0 to 1 (+1, tolerance 0.02)"
    ]
    assert gate(before, baseline=document).passed
    with pytest.raises(InputError, match="--max-untraceable"):
        resolve_metric("names.untraceable", document["metrics"])


def test_a_country_known_by_the_name_before_its_comma_is_a_country() -> None:
    # pycountry: "Palestine, State of", "Iran, Islamic Republic of"
    assert is_country("Palestine") and is_country("Iran")
    assert is_canonical_actor("Civilians (Palestine)")
    assert not is_country("Palestinian")
