"""Tests of summarizer.evaluation.scoring with hand-built records (never model output)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from summarizer.evaluation.gold import GoldEvent, load_gold, load_gold_dir
from summarizer.evaluation.scoring import (
    FIELDS,
    date_text_agrees,
    fold_name,
    fold_text,
    match_events,
    metrics,
    names_agree,
    score_article,
    score_cleaning,
    total_counts,
)
from summarizer.schema import Event
from summarizer.text.clean import clean_text

from .eval_records import (
    ARTICLE,
    CLEANED,
    FIXTURES,
    GOOD_SUMMARY,
    RAW,
    al_habeet,
    event,
    gold_000,
    report,
    saturday,
    score,
)

# --------------------------------------------------------------------------- gold


def test_every_gold_file_loads_and_is_consistent() -> None:
    golds = load_gold_dir(FIXTURES / "gold")
    assert len(golds) >= 5
    for gold in golds:
        assert (FIXTURES / "articles" / gold.article).is_file()
        assert gold.required_events, f"{gold.article_id} has no required event"
        assert all(g.sub_event_type and g.date_text and g.location.name for g in gold.events)
    first = golds[0]
    assert first.article_id == ARTICLE
    assert first.events[0].fatalities == (27, None)
    assert first.summary.must_mention[2] == ("70",)


def test_malformed_gold_names_the_file_and_key(tmp_path: Path) -> None:
    from summarizer.errors import InputError

    text = (
        "article: a.txt\nbody_ends_with: x\nevents:\n  - id: e\n    event_type: battles\n"
        "    sub_event_type: [air_drone_strike]\n    date_text: [Sunday]\n"
        "    location: {name: [Idlib], country: Syria}\n    fatalities: [null]\n"
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, "utf-8")
    with pytest.raises(InputError, match="air_drone_strike does not belong to battles"):
        load_gold(bad)
    bad.write_text(text.replace("air_drone_strike", "armed_clash") + "    colour: red\n", "utf-8")
    with pytest.raises(InputError) as info:
        load_gold(bad)
    assert "bad.yaml" in str(info.value) and "events.0.colour" in str(info.value)


# --------------------------------------------------------------------------- folding


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Al-Habeet", "habeet"),
        ("al Habeet", "habeet"),
        ("El-Mayadin", "mayadin"),
        ("Maaret al-Numan", "maaret al numan"),
        ("Ma‘arrat al-Nu‘mān", "maarrat al numan"),
        ("Dara'a", "daraa"),
        ("Kafr–Zita", "kafr zita"),
        ("Al", "al"),
    ],
)
def test_fold_name(text: str, folded: str) -> None:
    assert fold_name(text) == folded


def test_fold_text_keeps_a_leading_al_and_folds_accents() -> None:
    assert fold_text("Al-Habeet, southern Idlib!") == "al habeet southern idlib"
    assert fold_text("Ḥalab  Çity") == "halab city"


def test_names_agree_by_containment_either_way() -> None:
    assert names_agree("Al-Habeet, southern Idlib", ["Al-Habeet"])
    assert names_agree("Habeet", ["Al-Habeet"])
    assert names_agree("el-Habeet", ["Al Habeet"])
    assert names_agree("Syria", ["northwestern Syria"])
    assert names_agree("Deir Ezzor", ["Deir ez-Zor"])
    assert names_agree("Ma'arrat al-Nu'man", ["Maarrat al-Numan"])
    # A different spelling only matches through an accepted alias.
    assert not names_agree("Al Habit", ["Al-Habeet"])
    assert names_agree("Al Habit", ["Al-Habeet", "Al Habit"])
    # Whole words only: Hama is not in Hamadan, Idlib is not 'Idlibi'.
    assert not names_agree("Hamadan", ["Hama"])
    assert not names_agree("Idlibi", ["Idlib"])
    assert not names_agree(None, ["Idlib"])
    assert not names_agree("", ["Idlib"])


def test_date_text_agrees_when_a_wording_occurs_in_the_prediction() -> None:
    assert date_text_agrees("on Saturday", ["Saturday"])
    assert date_text_agrees("at dawn on Sunday", ["Sunday at dawn", "dawn"])
    assert date_text_agrees("Over the past week", ["past week"])
    assert not date_text_agrees("Saturday", ["Saturday night"])
    assert not date_text_agrees("Sundays", ["Sunday"])


# --------------------------------------------------------------------------- events


def test_perfect_prediction_scores_one_everywhere() -> None:
    result = score([al_habeet(), saturday()])
    m = metrics(result.counts)
    assert result.mismatches == []
    assert result.events.missed == [] and result.events.false_alarms == []
    assert {p.gold for p in result.events.pairs} == {"al-habeet-captured", "saturday-clashes"}
    scored = {name: value for name, value in m.items() if value is not None}
    # a count, not a share: the hand-built actors "Side 1"/"Side 2" and "northern Hama"
    # are not words of the article (tests/test_eval_traceability.py covers the metric)
    assert scored.pop("names.untraceable") == 5.0
    assert scored and all(value == 1.0 for value in scored.values()), m
    # No gold date in this file: the date field is not scored, everything else is.
    assert m["fields.date"] is None
    assert set(scored) >= {f"fields.{f}" for f in FIELDS if f != "date"}
    assert result.counts.fields["sources"].total == 2


def test_a_missing_required_event_lowers_recall_only() -> None:
    perfect = metrics(score([al_habeet(), saturday()]).counts)
    missing = score([al_habeet()])
    m = metrics(missing.counts)
    assert m["events.recall"] == 0.5
    assert m["events.precision"] == 1.0
    assert m["events.f1"] == pytest.approx(2 / 3, abs=1e-4)
    for name in FIELDS:
        assert m[f"fields.{name}"] == perfect[f"fields.{name}"]
    [mismatch] = missing.mismatches
    assert (mismatch.event, mismatch.field, mismatch.predicted) == (
        "saturday-clashes",
        "event",
        None,
    )
    assert "Saturday" in str(mismatch.gold)


def test_an_extra_unmatched_event_lowers_precision_only() -> None:
    extra = event("protests", "peaceful_protest", "Friday", "Damascus", "Damascus",
                  actors=("protesters",))  # fmt: skip
    result = score([al_habeet(), saturday(), extra])
    m = metrics(result.counts)
    assert m["events.recall"] == 1.0
    assert m["events.precision"] == pytest.approx(2 / 3, abs=1e-4)
    assert result.events.false_alarms == [2]
    [mismatch] = result.mismatches
    assert mismatch.event is None and mismatch.gold is None
    assert mismatch.predicted == "protests · Friday · Damascus"


def test_an_alias_spelling_matches() -> None:
    result = score([al_habeet(name="Al Habit"), saturday()])
    pair = next(p for p in result.events.pairs if p.gold == "al-habeet-captured")
    assert pair.fields["location"].hits == 1
    assert metrics(result.counts)["fields.location"] == 1.0
    # Spelled in a way gold does not list, the location field fails (the pair still
    # matches through the date text) and the mismatch names both values.
    wrong = score([al_habeet(name="Hbeet"), saturday()])
    [mismatch] = wrong.mismatches
    assert (mismatch.event, mismatch.field, mismatch.predicted) == (
        "al-habeet-captured",
        "location",
        "Hbeet",
    )
    assert mismatch.gold == ["Al-Habeet", "Habeet", "Al Habit", "Hbeit"]


def test_an_optional_gold_event_neither_helps_nor_hurts() -> None:
    base = score([al_habeet(), saturday()])
    air = event("explosions_remote_violence", "air_drone_strike", "since late April",
                "Idlib", actors=("state_forces",))  # fmt: skip
    sunday = event(date_text="Sunday", name="southern Idlib", total=27)
    with_optional = score([al_habeet(), saturday(), air, sunday])
    assert with_optional.counts.optional_matched == 2
    assert with_optional.events.false_alarms == []
    # every scored metric is the same; the optional events' names are still checked
    untraceable = "names.untraceable"
    assert {k: v for k, v in metrics(with_optional.counts).items() if k != untraceable} == {
        k: v for k, v in metrics(base.counts).items() if k != untraceable
    }
    assert with_optional.counts.names_untraceable > base.counts.names_untraceable
    assert with_optional.mismatches == []
    # Without the required events, an optional match does not make up for them either.
    only_optional = score([air])
    m = metrics(only_optional.counts)
    assert m["events.recall"] == 0.0 and m["events.precision"] is None
    assert only_optional.counts.optional_matched == 1


def test_the_required_event_wins_a_prediction_both_could_take() -> None:
    # "Sunday, Al-Habeet, armed clash, 27" fits the required capture and the optional
    # Sunday clashes equally well; it must count for the required one.
    result = score([al_habeet(sub_event_type="armed_clash"), saturday()])
    assert {p.gold for p in result.events.pairs} == {"al-habeet-captured", "saturday-clashes"}
    assert metrics(result.counts)["events.recall"] == 1.0


def test_matching_is_optimal_not_greedy() -> None:
    gold = [
        GoldEvent.model_validate(
            {"id": "a", "event_type": "battles", "sub_event_type": ["armed_clash"],
             "date_text": ["Saturday"], "location": {"name": ["Hama"], "country": "Syria"}}
        ),
        GoldEvent.model_validate(
            {"id": "b", "event_type": "battles", "sub_event_type": ["armed_clash"],
             "date_text": ["Sunday"], "location": {"name": ["Idlib"], "country": "Syria"}}
        ),
    ]  # fmt: skip
    predicted = [
        Event.model_validate(event(date_text="Saturday", name="Idlib")),  # fits a and b
        Event.model_validate(event(date_text="Saturday", name="Hama")),  # fits a only
    ]
    assert sorted(match_events(predicted, gold)) == [(0, 1), (1, 0)]
    # Different event types never match, whatever else agrees.
    strike = Event.model_validate(
        event("explosions_remote_violence", "air_drone_strike", "Saturday", "Hama")
    )
    assert match_events([strike], gold) == []


def test_fatalities_null_is_accepted_only_where_gold_lists_null() -> None:
    accepted = score([al_habeet(total=None), saturday()])  # gold: [27, null]
    assert metrics(accepted.counts)["fields.fatalities"] == 1.0
    rejected = score([al_habeet(), saturday(total=None)])  # gold: [70]
    assert metrics(rejected.counts)["fields.fatalities"] == 0.5
    [mismatch] = rejected.mismatches
    assert (mismatch.event, mismatch.field, mismatch.gold, mismatch.predicted) == (
        "saturday-clashes",
        "fatalities",
        [70],
        None,
    )
    wrong = score([al_habeet(total=32), saturday()])
    assert [m.predicted for m in wrong.mismatches] == [32]


def test_field_checks_on_a_matched_pair() -> None:
    bad = al_habeet(
        sub_event_type="armed_clash",  # accepted too
        admin1="Hama",
        country="Lebanon",
        actors=("state_forces", "civilians"),
        sources=(),
        reported_by="the Syrian Observatory for Human Rights (SOHR)",
    )
    result = score([bad, saturday()])
    by_field = {m.field: m for m in result.mismatches}
    assert set(by_field) == {"admin1", "country", "actor_types"}
    assert by_field["admin1"].gold == ["Idlib"] and by_field["admin1"].predicted == "Hama"
    assert by_field["actor_types"].predicted == ["state_forces", "civilians"]
    assert by_field["country"].gold == "Syria"
    # The gold source name occurs in the predicted reporter: the source is found.
    assert metrics(result.counts)["fields.sources"] == 1.0


def test_sources_score_recall_of_gold_sources() -> None:
    unattributed = score([al_habeet(sources=()), saturday(reported_by=None)])
    m = metrics(unattributed.counts)
    assert m["fields.sources"] == 0.0
    assert {m.event for m in unattributed.mismatches if m.field == "sources"} == {
        "al-habeet-captured",
        "saturday-clashes",
    }


def test_date_is_scored_only_where_gold_has_one() -> None:
    gold = gold_000().model_copy(
        update={
            "events": (
                gold_000().events[0].model_copy(update={"date": dt.date(2019, 8, 11)}),
                *gold_000().events[1:],
            )
        }
    )
    right = score_article(
        gold,
        report([al_habeet(date=dt.date(2019, 8, 11)), saturday()]),
        raw_text=RAW,
        cleaned_text=CLEANED,
    )
    assert metrics(right.counts)["fields.date"] == 1.0
    wrong = score_article(gold, report([al_habeet(), saturday()]), raw_text=RAW,
                          cleaned_text=CLEANED)  # fmt: skip
    assert metrics(wrong.counts)["fields.date"] == 0.0
    [mismatch] = wrong.mismatches
    assert (mismatch.field, mismatch.gold, mismatch.predicted) == ("date", "2019-08-11", None)


# --------------------------------------------------------------------------- summary


def test_a_quoted_loaded_word_is_no_violation_an_unquoted_one_is() -> None:
    quoted = score(
        [al_habeet(), saturday()],
        text=GOOD_SUMMARY + ' Officials called the fighters "terrorists".',
    )
    assert quoted.summary is not None and quoted.summary.forbidden_used == []
    assert metrics(quoted.counts)["summary.neutrality"] == 1.0
    unquoted = score(
        [al_habeet(), saturday()],
        text=GOOD_SUMMARY + " Officials blamed terrorists for the fighting.",
    )
    assert unquoted.summary is not None and unquoted.summary.forbidden_used == ["terrorists"]
    assert metrics(unquoted.counts)["summary.neutrality"] == 0.0
    [mismatch] = unquoted.mismatches
    assert (mismatch.field, mismatch.predicted) == ("summary.forbidden_unquoted", "terrorists")


def test_must_mention_recall_and_acronyms() -> None:
    text = (
        "Government forces took a town in the north on Sunday, a monitor said. It is "
        "the first advance in months, the Observatory said."
    )
    result = score([al_habeet(), saturday()], text=text, headline="Forces take a town")
    assert result.summary is not None
    # Observatory is mentioned; Al-Habeet, Idlib and 70 are not.
    assert result.summary.mentions_missing == [["Al-Habeet", "Habeet"], ["Idlib"], ["70"]]
    assert metrics(result.counts)["summary.must_mention"] == 0.25
    # An acronym matches case-sensitively: "IS" is not found in "is".
    gold = load_gold(FIXTURES / "gold" / "004_c689b8858d52ccb0.yaml")
    raw = (FIXTURES / "articles" / gold.article).read_text("utf-8")
    plain = score_article(
        gold,
        report([], text="This is a town. It is in the east of Syria."),
        raw_text=raw,
        cleaned_text=clean_text(raw).text,
    )
    assert plain.summary is not None
    assert ["Islamic State", "IS", "ISIS"] in plain.summary.mentions_missing
    named = score_article(
        gold,
        report([], text="IS lost ground in the town. Russian forces took part."),
        raw_text=raw,
        cleaned_text=clean_text(raw).text,
    )
    assert named.summary is not None
    assert ["Islamic State", "IS", "ISIS"] not in named.summary.mentions_missing


def test_numbers_not_in_the_article_and_the_word_limit() -> None:
    # 97 = 70 + 27, both in the article, is allowed; 555 is not in it.
    ok = score([al_habeet(), saturday()], text=GOOD_SUMMARY + " In all 97 died, it said.")
    assert ok.summary is not None and ok.summary.numbers_unsupported == []
    assert ok.summary.numbers_total == 2
    bad = score([al_habeet(), saturday()], text=GOOD_SUMMARY.replace("70", "555"))
    assert bad.summary is not None and bad.summary.numbers_unsupported == [555]
    assert metrics(bad.counts)["summary.numbers_grounded"] == 0.0
    assert any(m.field == "summary.numbers" and m.predicted == 555 for m in bad.mismatches)
    # The schema caps summaries at 120 words; a gold file may ask for fewer.
    gold = gold_000()
    strict = gold.model_copy(update={"summary": gold.summary.model_copy(update={"max_words": 50})})
    long = score_article(strict, report([al_habeet(), saturday()]), raw_text=RAW,
                         cleaned_text=CLEANED)  # fmt: skip
    assert long.summary is not None and not long.summary.within_limit
    assert metrics(long.counts)["summary.word_limit"] == 0.0
    [mismatch] = long.mismatches
    assert (mismatch.field, mismatch.gold, mismatch.predicted) == (
        "summary.max_words",
        50,
        len(GOOD_SUMMARY.split()),
    )


# --------------------------------------------------------------------------- cleaning


def test_cleaning_scores_the_real_cleaner_on_every_fixture() -> None:
    for gold in load_gold_dir(FIXTURES / "gold"):
        raw = (FIXTURES / "articles" / gold.article).read_text("utf-8")
        cleaning = score_cleaning(gold, raw, clean_text(raw).text)
        assert cleaning.passed, (gold.article_id, cleaning)
        assert cleaning.body_lines > 3


def test_cleaning_notices_lost_lines_and_kept_furniture() -> None:
    gold = gold_000()
    lost_line = "The regime's latest gains were in the north of Hama province, which lies to"
    damaged = "\n".join(line for line in CLEANED.split("\n") if lost_line not in line)
    damaged += "\nSubscribe now for unlimited access."
    cleaning = score_cleaning(gold, RAW, damaged)
    assert cleaning.body_end_kept
    assert [line[:75] for line in cleaning.lines_lost] == [lost_line]
    assert cleaning.must_drop_left == ["Subscribe"]
    assert not cleaning.passed
    cut = score_cleaning(gold, RAW, CLEANED.rsplit("\n", 1)[0])
    assert not cut.body_end_kept
    result = score_article(gold, report([al_habeet(), saturday()]), raw_text=RAW,
                           cleaned_text=damaged)  # fmt: skip
    assert {m.field for m in result.mismatches} == {"cleaning.body_line", "cleaning.must_drop"}
    assert metrics(result.counts)["cleaning.score"] == pytest.approx(1 / 3, abs=1e-4)


# --------------------------------------------------------------------------- failures


def test_a_failed_article_misses_everything_and_raises_no_metric() -> None:
    failed = score_article(gold_000(), None, raw_text=RAW, cleaned_text=CLEANED,
                           error="EndpointError: unreachable")  # fmt: skip
    m = metrics(failed.counts)
    assert failed.counts.failed == 1
    assert m["events.recall"] == 0.0 and m["events.f1"] == 0.0
    assert m["articles.succeeded"] == 0.0
    assert m["summary.neutrality"] == 0.0 and m["summary.must_mention"] == 0.0
    assert failed.mismatches[0].field == "error"
    assert failed.mismatches[0].predicted == "EndpointError: unreachable"
    assert {x.event for x in failed.mismatches if x.field == "event"} == {
        "al-habeet-captured",
        "saturday-clashes",
    }
    # Micro-averaging: one perfect and one failed article.
    both = metrics(total_counts([score([al_habeet(), saturday()]), failed]))
    assert both["events.recall"] == 0.5 and both["events.precision"] == 1.0
    assert both["articles.succeeded"] == 0.5
