"""Posting digests against the fake Slack server: never twice, corrections edited in
place, 429s waited out, half-posted digests finished, tokens kept secret."""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from summarizer.errors import ConfigurationError
from summarizer.settings import Settings
from summarizer.slack.digest import DigestArticle
from summarizer.slack.poster import (
    DigestPoster,
    Ledger,
    SlackPostError,
    SlackSettings,
    make_client,
    record_hash,
)

from .fakes.fake_reports import make_article, make_event
from .fakes.fake_slack import FakeMessage, FakeSlack, payload_error

CHANNEL = "#syria-watch"
CHANNEL_ID = "C0SYRIA01"
THU = dt.date(2019, 12, 19)
GENERATED = dt.datetime(2019, 12, 20, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        yield server


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    with Ledger(tmp_path / "ledger.sqlite3") as opened:
        yield opened


def _poster(fake: FakeSlack, ledger: Ledger, *, min_interval: float = 0.0) -> DigestPoster:
    client = make_client(fake.token, base_url=fake.base_url)
    return DigestPoster(client, ledger, min_interval=min_interval)


def _articles(count: int = 5) -> list[DigestArticle]:
    provinces = ["Idlib", "Aleppo", "Hama"]
    return [
        make_article(
            f"a{n}",
            [
                make_event(
                    f"Village {n}",
                    admin1=provinces[n % 3],
                    date=THU,
                    total=n + 1,
                    reported_by="SOHR",
                )
            ],
            headline=f"Fighting in village {n}",
        )
        for n in range(count)
    ]


def _text(message: FakeMessage) -> str:
    parts = []
    for block in message.blocks:
        if block["type"] in ("section", "header"):
            parts.append(block["text"]["text"])
        elif block["type"] == "context":
            parts += [e["text"] for e in block["elements"]]
    return "\n".join(parts)


def _digest_messages(fake: FakeSlack) -> list[FakeMessage]:
    """The digest parts (parent and its overflow), not the per-article details."""
    messages = fake.messages(CHANNEL_ID)
    parent = messages[0]
    return [parent] + [
        m
        for m in messages[1:]
        if m.thread_ts == parent.ts and _text(m).startswith("Part ")
    ]  # fmt: skip


def test_posts_parent_replies_and_details_and_a_second_run_posts_nothing(
    fake: FakeSlack, ledger: Ledger
) -> None:
    poster = _poster(fake, ledger)
    articles = _articles(5)
    result = poster.post(articles, CHANNEL, window="24h", generated_at=GENERATED)

    messages = fake.messages(CHANNEL_ID)
    parent, *replies = messages
    assert parent.thread_ts is None and parent.text.startswith("Conflict digest: 5 event(s)")
    assert len(replies) == 5, "one details reply per article"
    assert all(r.thread_ts == parent.ts for r in replies)
    for article, reply in zip(articles, replies, strict=True):
        assert article.report.summary.text in _text(reply)
    assert sorted(result.posted_articles) == [f"a{n}" for n in range(5)]
    assert (result.channel_id, result.parent_ts) == (CHANNEL_ID, parent.ts)
    assert result.posted_messages == 6 and result.updated_messages == 0
    assert ledger.posted_ids(CHANNEL) == {f"a{n}" for n in range(5)}
    assert ledger.message_ts(CHANNEL, "a3") == [parent.ts, replies[3].ts]
    # every request carried the bot token, and every payload is within Slack's limits
    for call in fake.calls("chat.postMessage"):
        assert call.headers["Authorization"] == f"Bearer {fake.token}"
        assert payload_error(call.params) is None
        assert call.params["unfurl_links"] is False

    calls_before = len(fake.calls())
    again = poster.post(articles, CHANNEL, window="24h")
    assert len(fake.calls()) == calls_before, "a re-run calls Slack for nothing"
    assert again.posted_messages == again.updated_messages == 0
    assert sorted(again.unchanged_articles) == [f"a{n}" for n in range(5)]
    assert "posted 0 message(s)" in again.summary()

    # a fresh poster (another process) reading the same ledger agrees, by name or by id
    _poster(fake, ledger).post(articles, CHANNEL_ID)
    assert len(fake.calls()) == calls_before


def test_new_articles_later_make_a_new_digest_of_only_them(fake: FakeSlack, ledger: Ledger) -> None:
    poster = _poster(fake, ledger)
    first, later = _articles(5)[:3], _articles(5)[3:]
    poster.post(first, CHANNEL)
    result = poster.post(first + later, CHANNEL)
    assert result.posted_articles == ["a3", "a4"]
    assert sorted(result.unchanged_articles) == ["a0", "a1", "a2"]
    parents = [m for m in fake.messages(CHANNEL_ID) if m.thread_ts is None]
    assert len(parents) == 2
    assert "2 event(s) from 2 article(s)" in parents[1].text


def test_a_corrected_record_is_edited_in_place(fake: FakeSlack, ledger: Ledger) -> None:
    poster = _poster(fake, ledger)
    articles = _articles(5)
    poster.post(articles, CHANNEL, generated_at=GENERATED)
    parent, *details = fake.messages(CHANNEL_ID)
    posted = len(fake.calls("chat.postMessage"))
    assert "Killed: 3 according to SOHR" in _text(parent)

    fixed = make_article(
        "a2",
        [make_event("Village 2", admin1="Hama", date=THU, total=30, reported_by="SOHR")],
        headline="Fighting in village 2",
    )
    assert record_hash(fixed) != record_hash(articles[2])
    corrected = [*articles[:2], fixed, *articles[3:]]
    result = poster.post(corrected, CHANNEL)

    assert len(fake.calls("chat.postMessage")) == posted, "nothing new is posted"
    updates = fake.calls("chat.update")
    assert {u.params["ts"] for u in updates} == {parent.ts, details[2].ts}
    assert all(u.params["channel"] == CHANNEL_ID for u in updates)
    parent_now, *details_now = fake.messages(CHANNEL_ID)
    assert "Killed: 30 according to SOHR" in _text(parent_now)
    assert "Killed: 3 according to SOHR" not in _text(parent_now)
    assert "3 reported killed" not in _text(parent_now)
    assert parent_now.edits == 1 and details_now[2].edits == 1
    assert "Killed: 30, according to SOHR" in _text(details_now[2])
    assert [d.edits for d in details_now] == [0, 0, 1, 0, 0]
    assert result.corrected_articles == ["a2"] and result.updated_messages == 2
    # the correction is recorded: the next run does nothing
    calls = len(fake.calls())
    poster.post(corrected, CHANNEL)
    assert len(fake.calls()) == calls


def test_a_429_mid_digest_is_waited_out_without_loss_or_duplicates(
    fake: FakeSlack, ledger: Ledger
) -> None:
    poster = _poster(fake, ledger)
    articles = _articles(40)
    fake.rate_limit_next(2, retry_after=1, method="chat.postMessage", after=3)
    started = time.monotonic()
    result = poster.post(articles, CHANNEL, generated_at=GENERATED)
    elapsed = time.monotonic() - started

    limited = [c for c in fake.calls("chat.postMessage") if c.status == 429]
    assert len(limited) == 2
    assert elapsed >= 2.0, "Retry-After: 1 was honoured twice"
    messages = fake.messages(CHANNEL_ID)
    assert len(messages) == result.posted_messages == len(_digest_messages(fake)) + 40
    # nothing lost, nothing twice: each article linked once in the digest parts and has
    # exactly one details reply
    digest_text = "\n".join(_text(m) for m in _digest_messages(fake))
    for article in articles:
        assert digest_text.count(f"https://news.example/{article.article_id}|") == 1
        details = [m for m in messages if f"|{article.headline}>*" in _text(m)]
        assert len(details) == 1, article.article_id
    assert len({m.ts for m in messages}) == len(messages)


def test_pacing_keeps_about_the_interval_between_messages(fake: FakeSlack, ledger: Ledger) -> None:
    poster = _poster(fake, ledger, min_interval=0.15)
    poster.post(_articles(3), CHANNEL)
    times = [c.at for c in fake.calls("chat.postMessage")]
    assert len(times) == 4
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 0.14, gaps


def test_a_digest_interrupted_by_an_error_is_finished_by_the_next_run(
    fake: FakeSlack, ledger: Ledger
) -> None:
    poster = _poster(fake, ledger)
    articles = _articles(40)
    fake.fail_next(1, error="internal_error", method="chat.postMessage", after=6)
    with pytest.raises(SlackPostError, match=r"chat\.postMessage in C0SYRIA01: internal_error"):
        poster.post(articles, CHANNEL, generated_at=GENERATED)
    posted_before = len(fake.messages(CHANNEL_ID))
    assert posted_before == 6

    result = poster.post(articles, CHANNEL)
    messages = fake.messages(CHANNEL_ID)
    assert result.posted_articles == [], "no article is posted as new twice"
    assert len(messages) == len(_digest_messages(fake)) + 40
    digest_text = "\n".join(_text(m) for m in _digest_messages(fake))
    for article in articles:
        assert digest_text.count(f"https://news.example/{article.article_id}|") == 1
        assert sum(f"|{article.headline}>*" in _text(m) for m in messages) == 1
    calls = len(fake.calls())
    poster.post(articles, CHANNEL)
    assert len(fake.calls()) == calls


def test_a_bad_token_is_one_line_that_never_shows_the_token(
    fake: FakeSlack, ledger: Ledger, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "xoxb-wrong-secret-value"
    caplog.set_level(logging.DEBUG)
    poster = DigestPoster(make_client(secret, base_url=fake.base_url), ledger, min_interval=0)
    with pytest.raises(SlackPostError) as raised:
        poster.post(_articles(1), CHANNEL)
    assert str(raised.value) == "Slack refused chat.postMessage in #syria-watch: invalid_auth"
    assert raised.value.exit_code == 6
    assert secret not in caplog.text
    assert fake.calls()[0].headers["Authorization"] == f"Bearer {secret}"  # it was sent
    assert ledger.posted_ids(CHANNEL) == set()


def test_unknown_channel_is_reported(fake: FakeSlack, ledger: Ledger) -> None:
    with pytest.raises(SlackPostError, match="#nowhere: channel_not_found"):
        _poster(fake, ledger).post(_articles(1), "#nowhere")


def test_slack_settings_read_the_environment_and_name_what_is_missing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("SUMMARIZER_LEDGER_PATH", raising=False)
    empty = SlackSettings()
    with pytest.raises(ConfigurationError, match="SLACK_BOT_TOKEN is not set"):
        empty.require("SLACK_BOT_TOKEN")
    with pytest.raises(ConfigurationError, match="SLACK_SIGNING_SECRET is not set"):
        empty.require("SLACK_SIGNING_SECRET")
    settings = Settings(cache_dir=tmp_path)
    assert empty.ledger_file(settings) == tmp_path / "slack-ledger.sqlite3"

    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-from-env")
    monkeypatch.setenv("SUMMARIZER_LEDGER_PATH", str(tmp_path / "elsewhere.db"))
    loaded = SlackSettings()
    assert loaded.require("SLACK_BOT_TOKEN") == "xoxb-from-env"
    assert loaded.ledger_file(settings) == tmp_path / "elsewhere.db"
    assert "xoxb-from-env" not in repr(loaded)
    assert isinstance(loaded.bot_token, SecretStr)


def test_ledger_rejects_a_file_that_is_not_a_ledger(tmp_path: Path) -> None:
    bogus = tmp_path / "not-a-db.sqlite3"
    bogus.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(ConfigurationError, match="not a Slack ledger"):
        Ledger(bogus)
