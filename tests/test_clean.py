"""Tests of summarizer.text.clean: furniture goes, body text always stays."""

from __future__ import annotations

import datetime as dt
import re
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.text.clean import CleanResult, clean_text

FIXTURES = Path(__file__).parent / "fixtures"
GOLD_FILES = sorted((FIXTURES / "gold").glob("*.yaml"))
CAPTION = "Image for representational purpose only."


def _gold(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def _article(gold: dict[str, Any]) -> str:
    return (FIXTURES / "articles" / str(gold["article"])).read_text("utf-8")


def _norm(line: str) -> str:
    return line.replace("\xa0", " ").strip()


def _split(text: str, gold: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The article's body lines (up to body_ends_with) and its furniture lines."""
    lines = [_norm(line) for line in text.split("\n")]
    end = next(i for i, line in enumerate(lines) if gold["body_ends_with"] in line)
    body = [line for line in lines[: end + 1] if line]
    furniture = [line for line in lines[end + 1 :] if line]
    return body, furniture


def _fold(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


@pytest.fixture(params=GOLD_FILES, ids=[p.stem for p in GOLD_FILES])
def case(request: pytest.FixtureRequest) -> tuple[dict[str, Any], str, CleanResult]:
    gold = _gold(request.param)
    text = _article(gold)
    return gold, text, clean_text(text)


def test_every_fixture_has_gold() -> None:
    articles = sorted(p.name for p in (FIXTURES / "articles").glob("*.txt"))
    assert articles == sorted(_gold(p)["article"] for p in GOLD_FILES)
    assert len(GOLD_FILES) >= 5


# --- acceptance on the fixture articles -------------------------------------------------


def test_body_end_is_kept(case: tuple[dict[str, Any], str, CleanResult]) -> None:
    gold, _, result = case
    assert gold["body_ends_with"] in result.text
    assert result.text.endswith(gold["body_ends_with"])


def test_every_body_line_is_kept_in_order(case: tuple[dict[str, Any], str, CleanResult]) -> None:
    gold, text, result = case
    body, _ = _split(text, gold)
    expected = [
        line
        for line in body
        if line != CAPTION and not any(drop in line for drop in gold["must_drop"])
    ]
    kept = result.text.split("\n")
    assert expected, "a fixture with no body?"
    for line in expected:
        assert line in kept, f"body line lost: {line!r}"
    positions = [kept.index(line) for line in expected]
    assert positions == sorted(positions), "body paragraphs out of order"


def test_must_drop_strings_are_gone(case: tuple[dict[str, Any], str, CleanResult]) -> None:
    gold, _, result = case
    for fragment in gold["must_drop"]:
        assert fragment not in result.text
        assert any(fragment in dropped for dropped in result.dropped)
    assert CAPTION not in result.text


def test_nothing_after_the_body_survives(case: tuple[dict[str, Any], str, CleanResult]) -> None:
    gold, text, result = case
    _, furniture = _split(text, gold)
    kept = set(result.text.split("\n"))
    assert not kept & set(furniture)
    for line in furniture:
        assert line in result.dropped


def test_removed_chars_and_dropped_provenance(
    case: tuple[dict[str, Any], str, CleanResult],
) -> None:
    _, text, result = case
    assert result.removed_chars == len(text) - len(result.text)
    assert result.removed_chars >= sum(len(d) for d in result.dropped)
    for dropped in result.dropped:
        assert dropped in text.replace("\xa0", " ")


def test_outlet_hint_where_furniture_reveals_it(
    case: tuple[dict[str, Any], str, CleanResult],
) -> None:
    gold, text, result = case
    _, furniture = _split(text, gold)
    if _fold(gold["outlet"]) in _fold(" ".join(furniture)):
        assert result.outlet_hint == gold["outlet"]
    else:
        assert result.outlet_hint is None


def test_published_hint_matches_gold(case: tuple[dict[str, Any], str, CleanResult]) -> None:
    gold, _, result = case
    assert result.published_hint == gold["published"]


def test_cleaning_is_idempotent_on_fixtures(case: tuple[dict[str, Any], str, CleanResult]) -> None:
    _, _, result = case
    again = clean_text(result.text)
    assert again.text == result.text
    assert again.dropped == ()


def test_outlet_hints_of_the_fixtures() -> None:
    hints = {p.stem[:3]: clean_text(_article(_gold(p))).outlet_hint for p in GOLD_FILES}
    assert hints == {
        "000": "Business Standard",
        "001": "Business Standard",
        "002": "Business Standard",
        "003": None,
        "004": "The New Indian Express",
    }


def test_article_without_furniture_is_untouched() -> None:
    text = _article(_gold(FIXTURES / "gold" / "003_89f9305643469b58.yaml"))
    result = clean_text(text)
    assert result.text == text.strip()
    assert result.dropped == ()
    assert result.removed_chars == 0


def test_repeated_lead_is_kept() -> None:
    text = _article(_gold(FIXTURES / "gold" / "004_c689b8858d52ccb0.yaml"))
    lead = "Syria regime forces have retaken four neighbourhoods of Mayadeen"
    assert clean_text(text).text.count(lead) == 2


# --- unit tests ---------------------------------------------------------------------------

BODY = [
    "Clashes killed 12 people in Idlib on Sunday, a monitor said.",
    "Government forces shelled the town of Maaret al-Numan overnight, residents said.",
    "The Observatory said air strikes hit a market in Aleppo.",
]


def test_empty_input() -> None:
    for text in ("", "   ", "\n\n\t\n", "\x00\x01"):
        result = clean_text(text)
        assert result.text == ""
        assert result.removed_chars == len(text)
        assert result.outlet_hint is None
        assert result.published_hint is None


def test_cookie_banner_lines_are_dropped() -> None:
    banner = (
        "We use cookies to give you the best experience on our website. By continuing "
        "to browse, you agree to our use of cookies."
    )
    text = "\n".join([banner, "Accept all cookies", *BODY, "Cookie settings", "Accept"])
    result = clean_text(text)
    assert result.text.split("\n") == BODY
    assert result.dropped == (banner, "Accept all cookies", "Cookie settings", "Accept")


def test_sentences_mentioning_furniture_words_are_kept() -> None:
    body = [
        "Rebels said they would not subscribe to the ceasefire, a spokesman said.",
        "We use cookies, the baker told AFP, but the market was shelled on Sunday.",
        "Read more than 40 statements, the monitor said the toll was rising.",
        "Related stories of abductions emerged from Deir Ezzor on Monday.",
        "Share this article with the world, the protesters chanted in Daraa.",
    ]
    assert clean_text("\n".join(body)).text.split("\n") == body


def test_bare_url_and_domain_lines_are_dropped() -> None:
    urls = ["https://example.com/world/syria-idlib-12345", "www.newindianexpress.com", "aa.com.tr"]
    result = clean_text("\n".join([BODY[0], urls[0], BODY[1], urls[1], urls[2]]))
    assert result.text.split("\n") == BODY[:2]
    assert result.dropped == tuple(urls)


def test_placeholders_are_dropped_as_lines_and_fragments() -> None:
    text = "\n".join(["{{headline}}", BODY[0] + " {{ad_slot}}", "{% include 'share.html' %}"])
    result = clean_text(text)
    assert result.text == BODY[0]
    assert result.dropped == ("{{headline}}", "{{ad_slot}}", "{% include 'share.html' %}")


def test_line_that_is_furniture_once_its_placeholder_goes_is_dropped() -> None:
    result = clean_text("\n".join([BODY[0], "{{ad_slot}} Advertisement", BODY[1]]))
    assert result.text.split("\n") == BODY[:2]
    assert result.dropped == ("{{ad_slot}}", "Advertisement")


def test_control_characters_and_whitespace_are_normalised() -> None:
    text = (
        "\ufeff  Clashes\x00 killed\xa012 people\x07 in Idlib.  \r\n\r\n\r\n"
        "\tA monitor\u200b said so.\x1b\n\n\n\nResidents\u202ffled.   "
    )
    result = clean_text(text)
    assert result.text == "Clashes killed 12 people in Idlib.\nA monitor said so.\nResidents fled."
    assert result.removed_chars == len(text) - len(result.text)
    assert result.dropped == ()


@pytest.mark.parametrize("separator", ["\r\n", "\r", "\u2028", "\u2029", "\n"])
def test_every_kind_of_line_break_separates_paragraphs(separator: str) -> None:
    text = separator.join(["Clashes killed 12 people in Idlib.", "A monitor said so."])
    assert clean_text(text).text == "Clashes killed 12 people in Idlib.\nA monitor said so."


def test_tabs_inside_lines_are_kept() -> None:
    assert clean_text("Toll:\t12 killed in Idlib.").text == "Toll:\t12 killed in Idlib."


def test_share_bar_and_social_lines_are_dropped() -> None:
    furniture = [
        "Share this article",
        "Facebook | Twitter | WhatsApp | Email",
        "Follow us on Twitter and Facebook",
        "Advertisement",
        "Story continues below advertisement",
        "Read more: Syria war latest",
        "Sign up for our daily newsletter",
        "X",
    ]
    text = "\n".join([furniture[0], BODY[0], *furniture[1:4], BODY[1], *furniture[4:], BODY[2]])
    result = clean_text(text)
    assert result.text.split("\n") == BODY
    assert list(result.dropped) == furniture


def test_copyright_line_is_dropped_and_names_the_outlet() -> None:
    result = clean_text("\n".join([*BODY, "© 2019 The Hindu. All rights reserved."]))
    assert result.text.split("\n") == BODY
    assert result.outlet_hint == "The Hindu"


def test_wire_credit_is_not_an_outlet() -> None:
    result = clean_text("\n".join([*BODY, "© 2019 AFP. All rights reserved.", "AFP"]))
    assert result.text.split("\n") == [*BODY, "AFP"]
    assert result.outlet_hint is None


def test_outlet_named_in_the_body_is_not_a_hint() -> None:
    body = "An official told Business Standard that 12 people were killed in Idlib."
    assert clean_text(body).outlet_hint is None


def test_trailing_site_name_is_dropped_only_at_the_end() -> None:
    middle = clean_text("\n".join([BODY[0], "The New Indian Express", BODY[1]]))
    assert "The New Indian Express" in middle.text.split("\n")
    end = clean_text("\n".join([*BODY, "The New Indian Express"]))
    assert end.text.split("\n") == BODY
    assert end.outlet_hint == "The New Indian Express"


def test_tail_trigger_at_the_top_does_not_cut_the_body() -> None:
    text = "\n".join(["Related Stories", *BODY])
    assert clean_text(text).text.split("\n") == ["Related Stories", *BODY]


def test_tail_trigger_at_the_end_cuts_everything_after_it() -> None:
    related = ["Related Stories", "Turkey warns of new offensive.", "Idlib truce collapses"]
    result = clean_text("\n".join([*BODY, *related]))
    assert result.text.split("\n") == BODY
    assert list(result.dropped) == related


def test_a_wire_pages_standards_link_and_topic_list_are_cut() -> None:
    tail = ["Our Standards: The Thomson Reuters Trust Principles., opens new tab",
            "Suggested Topics:", "Middle East", "Syria"]  # fmt: skip
    assert clean_text("\n".join([*BODY, *tail])).text.split("\n") == BODY


def test_unmistakable_trigger_with_no_body_before_only_drops_itself() -> None:
    line = "You’ve reached your limit of 5 free articles this month."
    result = clean_text("\n".join([line, *BODY]))
    assert result.text.split("\n") == BODY
    assert result.dropped == (line,)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Published: 12 May 2019", dt.date(2019, 5, 12)),
        ("May 12, 2019 10:30 IST", dt.date(2019, 5, 12)),
        ("Sunday, 12th May 2019, 10:30 a.m.", dt.date(2019, 5, 12)),
        ("Updated: 2019-05-13 08:00 GMT", dt.date(2019, 5, 13)),
        ("Published on Sep 3, 2016 | Updated: Sep 4, 2016 09:15 AM", dt.date(2016, 9, 3)),
        ("Published: 31 February 2019", None),
    ],
)
def test_published_hint_from_header_lines(header: str, expected: dt.date | None) -> None:
    result = clean_text("\n".join(["Syrian forces retake Mayadeen", header, *BODY]))
    assert result.published_hint == expected
    assert header in result.dropped
    assert result.text.split("\n") == ["Syrian forces retake Mayadeen", *BODY]


def test_published_line_wins_over_updated_line() -> None:
    text = "\n".join(["Updated: 14 May 2019", "Published: 12 May 2019", *BODY])
    assert clean_text(text).published_hint == dt.date(2019, 5, 12)


def test_dates_inside_sentences_are_not_headers() -> None:
    text = "The offensive began on May 12, 2019, the Observatory said."
    result = clean_text(text)
    assert result.text == text
    assert result.published_hint is None


def test_rules_ship_with_the_package() -> None:
    rules = resources.files("summarizer").joinpath("data/cleaning_rules.yaml")
    assert rules.is_file()
    data = yaml.safe_load(rules.read_text("utf-8"))
    for section in ("cut_from", "drop_lines", "outlets", "published_patterns"):
        assert data[section]


# --- properties ----------------------------------------------------------------------------

SUBJECTS = [
    "Clashes", "Government forces", "Rebels", "The Observatory", "A war monitor",
    "Air strikes", "Residents", "Turkish troops", "Jihadists", "The United Nations",
]  # fmt: skip
PHRASES = [
    "killed 12 people in Idlib on Sunday, a monitor said",
    "shelled the town of Maaret al-Numan",
    "reported air strikes hit village near Aleppo",
    "more than 30 civilians were wounded according to state media",
    # words that furniture rules also use: inside a sentence they must not matter
    "share read follow related stories image cookies subscribe advertisement",
    "published updated May 2019 X www copyright rights",
]
WORDS = [word for phrase in PHRASES for word in phrase.split()]
FURNITURE = [
    "Image for representational purpose only.",
    "Share this article",
    "Facebook | Twitter | WhatsApp",
    "Advertisement",
    "We use cookies to give you the best experience. By continuing you agree to our policy.",
    "Subscribe now for unlimited access.",
    "₹300/Month",
    "3 Months",
    "Follow us on Twitter",
    "Read more: Syria war latest",
    "Sign up for our daily newsletter",
    "{{free_limit}}",
    "https://example.com/syria",
    "© 2024 Example News. All rights reserved.",
    "X",
]
TRAILERS = [
    ["Disclaimer: No Business Standard Journalist was involved in creation of this content",
     "Subscribe to read the full story →", "Smart Quarterly", "₹900", "Over 30 premium stories daily, handpicked by our editors."],  # noqa: E501
    ["Related Stories", "No stories found.", "X", "The New Indian Express"],
    ["X", "The New Indian Express", "www.newindianexpress.com"],
    [],
]  # fmt: skip

sentences = st.builds(
    lambda subject, words: f"{subject} {' '.join(words)}.",
    st.sampled_from(SUBJECTS),
    st.lists(st.sampled_from(WORDS), min_size=3, max_size=25),
)


@settings(deadline=None)
@given(st.text())
def test_never_raises_on_arbitrary_text(text: str) -> None:
    result = clean_text(text)
    assert result.removed_chars == len(text) - len(result.text)
    assert "\n\n" not in result.text
    assert result.text == result.text.strip()
    for line in result.text.split("\n"):
        assert line == line.strip()
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", line)


@settings(deadline=None)
@given(
    body=st.lists(sentences, min_size=1, max_size=12),
    furniture=st.lists(st.tuples(st.integers(0, 12), st.sampled_from(FURNITURE)), max_size=8),
    trailer=st.sampled_from(TRAILERS),
)
def test_body_sentences_always_survive(
    body: list[str], furniture: list[tuple[int, str]], trailer: list[str]
) -> None:
    lines = list(body)
    for position, line in sorted(furniture, reverse=True):
        lines.insert(min(position, len(lines)), line)
    result = clean_text("\n\n".join([*lines, *trailer]))
    assert result.text.split("\n") == body


def _lines_for_rules() -> list[str]:
    texts = [p.read_text("utf-8") for p in sorted((FIXTURES / "articles").glob("*.txt"))]
    texts += [p.read_text("utf-8", "replace") for p in sorted((FIXTURES / "bad").glob("*.txt"))]
    texts += [p.read_text("utf-8", "replace") for p in sorted((FIXTURES / "html").glob("*.html"))]
    lines = [line.strip() for text in texts for line in text.splitlines()]
    lines += [
        "Get the day's top stories delivered to your inbox.",
        "Sent straight to your INBOX every morning!",
        "The newsletter, delivered to your İnbox",
        "© 2019 The Hindu. All rights reserved.",
        "ALL RIGHTS RESERVED",
        "Copyright 2024 Example News, all rights reſerved worldwide",
        "The army said it was delivered to your inbox of options, a source said.",
    ]
    return [line for line in lines if line]


def test_gated_line_rules_match_as_every_rule_tried_in_turn() -> None:
    """Some rules are tried only on lines holding a word they must contain; every rule
    set must still match exactly the lines one of its rules matches."""
    from summarizer.text.clean import _rules

    rules = _rules()
    sets = [rules.cut_always, rules.cut_tail, rules.drop_lines, rules.trailing_drop_lines]
    assert any(line_rules.gated for line_rules in sets)
    matched = 0
    for line in _lines_for_rules():
        for line_rules in [*sets, rules.published]:
            expected = any(p.fullmatch(line) for p in line_rules.patterns)
            assert line_rules.match(line) is expected, (line, line_rules.patterns)
            matched += expected
    assert matched > 20


def test_the_word_a_rule_must_contain_is_read_from_its_pattern() -> None:
    from summarizer.text.clean import _required_word

    def word(pattern: str) -> str | None:
        return _required_word(re.compile(pattern, re.I))

    assert word(r"[^.!?]{0,100}\bsent\s+to\s+your\s+INBOX\b.*") == "inbox"
    assert word(r"[^.!?]{0,120}\ball\s+rights\s+reserved\b") == "reserved"
    assert word(r"[^.]{0,50}(?:inbox|mail)") is None  # only inside an alternative
    assert word(r"[^.]{0,50}\bfoo(?:bar)?") is None  # too short
    assert word(r"subscribe\s+now") is None  # opens with a literal: fails fast anyway
    assert word(r"\d{1,3}\s*min\s+read") is None  # a short opening repetition


@given(st.text(alphabet="ab .!?…\"'”’»)]\t\u00a0", max_size=30))
@settings(max_examples=500, deadline=None)
def test_prose_lines_are_found_as_by_the_plain_pattern(line: str) -> None:
    from summarizer.text.clean import _is_prose

    plain = re.compile(r"[.!?…][\"'”’»)\]]*$")
    assert _is_prose(line) is (len(line.split()) >= 4 and plain.search(line) is not None)


def test_rules_that_cannot_be_joined_are_tried_one_by_one() -> None:
    from summarizer.text.clean import _LineRules

    patterns = tuple(
        re.compile(p, re.I)
        for p in [r"(?P<x>share) this", r"(?P<x>print) this", r"[^.]{0,50}\bsent\s+to\s+inbox"]
    )
    rules = _LineRules.of(patterns)  # the same group name twice: no joined expression
    assert rules.joined is None
    for line in ["Share this", "PRINT THIS", "news sent to INBOX", "share this story", ""]:
        assert rules.match(line) is any(p.fullmatch(line) for p in patterns), line
    assert rules.match("Share this") and not rules.match("share this story")


def test_a_wires_newsletter_promotion_inside_the_body_is_dropped() -> None:
    promo = "Get daily news and analysis on the Sahel in our newsletter, Sahel Brief. Sign up here."
    result = clean_text("\n".join([BODY[0], promo, *BODY[1:]]))
    assert result.text.split("\n") == BODY
    kept = "Fighters get their orders in our newsletter, the commander told Reuters on Monday."
    assert kept in clean_text("\n".join([*BODY, kept])).text
