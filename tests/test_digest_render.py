"""Rendering digests: Slack's limits respected by splitting, never by cutting; Markdown, text."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest

from summarizer.slack.digest import build_digest
from summarizer.slack.render import (
    MAX_BLOCKS,
    MAX_HEADER_TEXT,
    MAX_SECTION_TEXT,
    MESSAGE_BUDGET,
    SlackMessage,
    render_article_details,
    render_markdown,
    render_slack,
    render_text,
)

from .fakes.fake_reports import make_article, make_event
from .fakes.fake_slack import payload_error

GENERATED = dt.datetime(2019, 12, 20, 8, 0, tzinfo=dt.UTC)
PROVINCES = ["Idlib", "Aleppo", "Hama", "Latakia", "Daraa", "Deir ez-Zor"]


def _texts(block: dict[str, Any]) -> list[str]:
    """Every text a reader sees in a block."""
    if block["type"] in ("section", "header"):
        return [block["text"]["text"]]
    if block["type"] == "context":
        return [e["text"] for e in block["elements"]]
    return []


def _all_text(message: SlackMessage) -> str:
    return "\n".join(t for b in message.blocks for t in _texts(b))


def _assert_within_limits(message: SlackMessage) -> None:
    assert message.text, "every message sets the text fallback"
    assert len(message.blocks) <= MAX_BLOCKS
    assert message.size <= MESSAGE_BUDGET, message.size
    for block in message.blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= MAX_SECTION_TEXT
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= MAX_HEADER_TEXT
    # and the fake Slack, which refuses what Slack refuses, accepts it
    assert payload_error(message.payload()) is None


def _sixty_articles() -> list[Any]:
    articles = []
    for n in range(60):
        province = PROVINCES[n % len(PROVINCES)]
        event = make_event(
            f"Village number {n:02d} of the {province} countryside",
            admin1=province,
            date=dt.date(2019, 12, 1 + n % 20),
            total=n,
            reported_by="Syrian Observatory for Human Rights",
            actor2="Hayat Tahrir al-Sham and allied rebel factions",
        )
        articles.append(
            make_article(
                f"article-{n:02d}",
                [event],
                headline=f"Clashes kill {n} in village number {n:02d} as the offensive goes on",
                outlet=f"Outlet {n % 7}",
            )
        )
    return articles


def test_sixty_articles_split_into_thread_replies_within_every_limit_nothing_lost() -> None:
    digest = build_digest(_sixty_articles(), generated_at=GENERATED, window="24h")
    messages = render_slack(digest)
    assert len(messages) >= 3, "60 items cannot fit one message"
    for message in messages:
        _assert_within_limits(message)
    # every article appears exactly once across the messages, by its link...
    everything = "\n".join(_all_text(m) for m in messages)
    for n in range(60):
        assert everything.count(f"https://news.example/article-{n:02d}|") == 1, n
    # ... and the messages say which articles they carry
    carried = [a for m in messages for a in m.article_ids]
    assert sorted(carried) == sorted(f"article-{n:02d}" for n in range(60))
    # the parent has the header and says the digest goes on; replies are labelled
    assert messages[0].blocks[0]["type"] == "header"
    assert "Continued in the thread" in _all_text(messages[0])
    assert "Continued in the thread" in messages[0].text
    for number, reply in enumerate(messages[1:], start=2):
        label = reply.blocks[0]["elements"][0]["text"]
        assert label.startswith(f"Part {number} of {len(messages)}")
        assert reply.text.startswith(f"{digest.title} (part {number}/{len(messages)})")
    # a group that spills into the next message repeats its heading there
    assert any("(continued)" in _all_text(m) for m in messages[1:])


def test_group_totals_and_items_read_well() -> None:
    digest = build_digest(
        [
            make_article(
                "a",
                [make_event("Aleppo", admin1="Aleppo", date=dt.date(2019, 12, 19), total=4,
                            reported_by="SANA")],
                outlet="Business Standard",
                headline="Rockets kill four in Aleppo",
            ),
            make_article(
                "b",
                [make_event("Aleppo", admin1="Aleppo", date=dt.date(2019, 12, 19), total=19,
                            reported_by="SOHR")],
                outlet="Reuters",
                headline="Nineteen killed in Aleppo, monitor says",
            ),
        ],
        generated_at=GENERATED,
    )  # fmt: skip
    [message] = render_slack(digest)
    _assert_within_limits(message)
    text = _all_text(message)
    assert "*Aleppo, Syria* — 1 event · 4–19 reported killed" in text
    assert "*Thu 19 Dec 2019 · Aleppo* — Battles: armed clash" in text
    assert "Killed: 4–19 (19 according to SOHR; 4 according to SANA)" in text
    assert "<https://news.example/a|Business Standard — Rockets kill four in Aleppo>" in text
    assert "<https://news.example/b|Reuters — Nineteen killed in Aleppo, monitor says>" in text
    assert message.text == "Conflict digest: 1 event(s) from 2 article(s) in 1 area(s)."


def test_an_item_larger_than_a_section_is_split_not_cut() -> None:
    # one event reported by 40 outlets: a sources line far over one context element
    articles = [
        make_article(
            f"o{n}",
            [make_event("Saraqib", date=dt.date(2019, 12, 19), total=7, reported_by="SOHR")],
            outlet=f"Outlet number {n}",
            headline="A long neutral headline about the fighting around Saraqib " + "x" * 60,
        )
        for n in range(40)
    ]
    messages = render_slack(build_digest(articles, generated_at=GENERATED))
    for message in messages:
        _assert_within_limits(message)
    everything = "\n".join(_all_text(m) for m in messages)
    for n in range(40):
        assert everything.count(f"https://news.example/o{n}|") == 1


def test_long_title_is_shortened_in_the_header_and_given_whole() -> None:
    title = "Conflict digest " + "for the northwestern provinces " * 8
    digest = build_digest([make_article("a", [make_event("Aleppo")])], title=title)
    [message] = render_slack(digest)
    _assert_within_limits(message)
    assert message.blocks[0]["text"]["text"].endswith("…")
    assert " ".join(title.split()) in _all_text(message)


def test_control_characters_are_escaped() -> None:
    article = make_article("a", [make_event("Aleppo <east> & west")], headline="A | B > C")
    text = _all_text(render_slack(build_digest([article]))[0])
    assert "Aleppo &lt;east&gt; &amp; west" in text
    assert "|Example News — A / B &gt; C>" in text


def test_empty_digest_renders_nothing() -> None:
    digest = build_digest([])
    assert render_slack(digest) == []
    assert "Nothing new" in render_markdown(digest)


def test_article_details_show_summary_and_key_facts() -> None:
    article = make_article(
        "a",
        [
            make_event("Maaret al-Numan", date=dt.date(2019, 12, 19), date_text="Thursday",
                       total=55, reported_by="SOHR"),
            make_event("Idlib", sub="agreement", actor2="Military Forces of Turkey"),
        ],
        headline="Dozens killed as offensive presses on",
        published=dt.date(2019, 12, 19),
    )  # fmt: skip
    [message] = render_article_details(article)
    _assert_within_limits(message)
    text = _all_text(message)
    assert "*<https://news.example/a|Dozens killed as offensive presses on>*" in text
    assert article.report.summary.text in text
    assert "2019-12-19 (Thursday) · Maaret al-Numan, Idlib, Syria" in text
    assert "Killed: 55, according to SOHR" in text
    assert "Strategic developments: agreement" in text
    assert "published 2019-12-19 · 2 events" in text
    assert message.article_ids == ("a",)
    assert message.text == "Dozens killed as offensive presses on"


@pytest.mark.parametrize("render", [render_markdown, render_text])
def test_markdown_and_text_list_every_item_source_and_summary(render: Any) -> None:
    articles = [*_sixty_articles()[:6], make_article("quiet", [], headline="Nothing happened")]
    output = render(build_digest(articles, generated_at=GENERATED, window="24h"))
    for article in articles:
        assert article.report.summary.text.replace(".", "") in output.replace("\\", "").replace(
            ".", ""
        )
        assert f"https://news.example/{article.article_id}" in output
    assert "Other reports (no event recorded)" in output
    assert "last 24h" in output


def test_markdown_structure() -> None:
    articles = [
        make_article("a", [make_event("Aleppo", admin1="Aleppo", total=4, reported_by="SANA")],
                     headline="Rockets hit [Aleppo]"),
    ]  # fmt: skip
    markdown = render_markdown(build_digest(articles, generated_at=GENERATED))
    assert markdown.startswith("# Conflict digest\n")
    assert "## Aleppo, Syria — 4 reported killed" in markdown
    assert "[Example News — Rockets hit \\[Aleppo\\]](<https://news.example/a>)" in markdown
    assert re.search(r"^### \[Rockets hit", markdown, re.MULTILINE)
    json.dumps(markdown)  # plain str
