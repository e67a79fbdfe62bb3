"""The digest: grouping by place, one item per event across outlets, conflicting figures."""

from __future__ import annotations

import datetime as dt

from summarizer.schema import EventType
from summarizer.slack.digest import DigestArticle, FatalityFigure, build_digest, name_key

from .fakes.fake_reports import make_article, make_event

THU = dt.date(2019, 12, 19)
WED = dt.date(2019, 12, 18)


def test_groups_by_country_and_admin1_sorted_by_date_with_totals() -> None:
    digest = build_digest(
        [
            make_article(
                "a",
                [
                    make_event("Maaret al-Numan", date=THU, total=55, reported_by="SOHR"),
                    make_event("Aleppo", admin1="Aleppo", date=THU, total=4, reported_by="SANA"),
                ],
            ),
            make_article(
                "b",
                [
                    make_event(
                        "Idlib city", date=WED, total=19, reported_by="SOHR", sub="air_drone_strike"
                    ),
                    make_event("Kirkuk", admin1="Kirkuk", country="Iraq", date=THU),
                ],
            ),
        ]
    )
    assert [g.title for g in digest.groups] == ["Kirkuk, Iraq", "Aleppo, Syria", "Idlib, Syria"]
    idlib = digest.groups[2]
    # by date inside the group: Wednesday's strike before Thursday's clashes
    assert [i.location for i in idlib.items] == ["Idlib city", "Maaret al-Numan"]
    assert idlib.total.low == idlib.total.high == 74
    assert idlib.total.text() == "74 reported killed"
    assert digest.groups[0].total.text() == "no toll reported"
    assert digest.item_count == 4
    assert [a.article_id for a in digest.articles] == ["a", "b"]


def test_same_event_from_several_outlets_appears_once_listing_every_source() -> None:
    afp = make_article(
        "afp",
        [make_event("Al-Habeet", date=THU, total=27, reported_by="SOHR")],
        outlet="Business Standard",
    )
    reuters = make_article(
        "reuters",
        # same place after folding, same date, same type, same figure
        [make_event("al habeet", date=THU, total=27, reported_by="Syrian Observatory")],
        outlet="Reuters",
    )
    digest = build_digest([afp, reuters])
    [group] = digest.groups
    [item] = group.items
    assert item.article_ids == ("afp", "reuters")
    assert [s.label for s in item.sources] == ["Business Standard", "Reuters"]
    assert [s.url for s in item.sources] == [
        "https://news.example/afp",
        "https://news.example/reuters",
    ]
    assert item.fatalities.text() == "27 according to SOHR and Syrian Observatory"
    # the shared toll is counted once in the group total
    assert group.total.text() == "27 reported killed"


def test_conflicting_figures_show_as_a_range_with_who_reported_which() -> None:
    digest = build_digest(
        [
            make_article("a", [make_event("Aleppo", date=THU, total=4, reported_by="SANA")]),
            make_article("b", [make_event("Aleppo", date=THU, total=19, reported_by="SOHR")]),
        ]
    )
    [item] = digest.groups[0].items
    figure = item.fatalities
    assert figure.conflicting and (figure.low, figure.high) == (4, 19)
    assert figure.text() == "4–19 (19 according to SOHR; 4 according to SANA)"
    total = digest.groups[0].total
    assert (total.low, total.high) == (4, 19)
    assert total.text() == "4–19 reported killed"


def test_date_text_matches_when_dates_are_unresolved() -> None:
    digest = build_digest(
        [
            make_article("a", [make_event("Kafr Zita", date_text="Saturday", total=55)]),
            make_article("b", [make_event("Kafr Zita", date_text="saturday", total=55)]),
            make_article("c", [make_event("Kafr Zita", date_text="Sunday", total=55)]),
        ]
    )
    items = digest.groups[0].items
    assert [i.article_ids for i in items] == [("a", "b"), ("c",)]


def test_different_dates_types_or_places_stay_apart() -> None:
    digest = build_digest(
        [
            make_article("a", [make_event("Aleppo", date=THU)]),
            make_article("b", [make_event("Aleppo", date=WED)]),
            make_article("c", [make_event("Aleppo", date=THU, sub="air_drone_strike")]),
            make_article("d", [make_event("Saraqib", date=THU)]),
        ]
    )
    assert sorted(i.article_ids for i in digest.groups[0].items) == [
        ("a",),
        ("b",),
        ("c",),
        ("d",),
    ]


def test_one_reporter_with_two_tolls_the_same_day_means_two_incidents() -> None:
    same_day = [
        make_article(
            "a", [make_event("Ariha", date=THU, total=3, reported_by="SOHR")], published=THU
        ),
        make_article(
            "b", [make_event("Ariha", date=THU, total=12, reported_by="SOHR")], published=THU
        ),
    ]
    assert len(build_digest(same_day).groups[0].items) == 2
    # ... but a later article with a higher toll from the same monitor is an update: merged
    updated = [
        same_day[0],
        make_article(
            "c",
            [make_event("Ariha", date=THU, total=12, reported_by="SOHR")],
            published=THU + dt.timedelta(days=1),
        ),
    ]
    [item] = build_digest(updated).groups[0].items
    assert item.fatalities.text() == "3–12 (12 according to SOHR; 3 according to SOHR)"


def test_unreported_figure_merges_and_does_not_count() -> None:
    digest = build_digest(
        [
            make_article("a", [make_event("Mayadeen", admin1="Deir ez-Zor", date=THU)]),
            make_article(
                "b",
                [
                    make_event(
                        "Mayadeen", admin1="Deir Ezzor", date=THU, total=4, reported_by="SOHR"
                    )
                ],
            ),
        ]
    )
    # 'Deir ez-Zor' and 'Deir Ezzor' are one admin1 once folded
    [group] = digest.groups
    [item] = group.items
    assert item.article_ids == ("a", "b")
    assert item.fatalities.text() == "4 according to SOHR"
    assert group.total.items_with_figure == 1


def test_articles_without_events_are_kept_and_duplicates_dropped() -> None:
    quiet = make_article("quiet", [])
    loud = make_article("loud", [make_event("Aleppo", admin1="Aleppo")])
    digest = build_digest([quiet, loud, make_article("loud", [])])
    assert [a.article_id for a in digest.articles] == ["quiet", "loud"]
    assert [a.article_id for a in digest.unplaced] == ["quiet"]
    assert digest.groups[0].items[0].article_ids == ("loud",)


def test_labels_fall_back_to_source_name_then_host() -> None:
    report = make_article("x", [], outlet=None).report
    assert DigestArticle("x", report, source_name="Syria feed").label == "Syria feed"
    assert DigestArticle("x", report).label == "news.example"
    assert DigestArticle("x", report, url="file:///tmp/a.txt").link is None


def test_digest_round_trips_through_json() -> None:
    article = make_article("a", [make_event("Aleppo", date=THU, total=4, reported_by="SANA")])
    assert DigestArticle.from_json(article.to_json()) == article


def test_name_key_and_figure_text() -> None:
    assert name_key("Deir ez-Zor") == name_key("deir  EZZOR") == "deirezzor"
    assert FatalityFigure().text() == "not reported"
    event = make_event("Aleppo", sub="agreement", actor2=None)
    assert event.event_type is EventType.strategic_developments


def test_an_admin1_that_repeats_the_country_counts_as_not_given() -> None:
    digest = build_digest(
        [
            make_article("a", [make_event("Idlib", admin1="Syria", total=26, reported_by="SOHR")]),
            make_article("b", [make_event("Homs", admin1=None)]),
        ]
    )
    [group] = digest.groups
    assert group.admin1 is None and group.title == "Syria (province not given)"
    assert [i.location for i in group.items] == ["Idlib", "Homs"]


def test_a_place_that_is_an_admin1_named_elsewhere_joins_that_group() -> None:
    digest = build_digest(
        [
            make_article("a", [make_event("Al-Habeet", admin1="Idlib", total=70)]),
            make_article("b", [make_event("Idlib", admin1=None, date_text="Thursday")]),
            make_article("c", [make_event("Homs", admin1=None)]),
        ]
    )
    idlib, elsewhere = digest.groups
    assert idlib.title == "Idlib, Syria"
    assert [i.location for i in idlib.items] == ["Al-Habeet", "Idlib"]
    assert elsewhere.title == "Syria (province not given)"
    assert [i.location for i in elsewhere.items] == ["Homs"]
