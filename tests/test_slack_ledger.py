"""Issue 16 item 6: every Slack message posted exactly once, against the FAKE Slack server
(tests/fakes/fake_slack.py, not Slack): articles reserved in the ledger before the
parent is posted, each message recorded as soon as it is sent, and a reservation left
pending by a crash resolved from the channel's history instead of posting again."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from summarizer.errors import SlackPostError
from summarizer.slack.digest import DigestArticle, build_digest
from summarizer.slack.ledger import Ledger
from summarizer.slack.poster import EVENT_TYPE, DigestPoster, make_client
from summarizer.slack.render import render_article_details, render_slack

from .fakes.fake_reports import make_article, make_event
from .fakes.fake_slack import FakeSlack

CHANNEL = "#syria-watch"
CHANNEL_ID = "C0SYRIA01"
GENERATED = dt.datetime(2019, 12, 20, 8, 0, tzinfo=dt.UTC)


class Crash(BaseException):
    """Stands for the process dying (kill -9) between two statements."""


class CrashingLedger(Ledger):
    """A real ledger on the same file that "dies" after Slack accepted the N-th message
    and before the ledger recorded it: the window a crash leaves a reservation pending."""

    def __init__(self, path: Path, crash_at: int) -> None:
        super().__init__(path)
        self.crash_at = crash_at
        self.marked = 0

    def _mark_posted(self, key: str, ts: str) -> None:
        self.marked += 1
        if self.marked == self.crash_at:
            raise Crash(key)
        super()._mark_posted(key, ts)


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        yield server


def articles(count: int) -> list[DigestArticle]:
    return [
        make_article(
            f"a{n}",
            [make_event(f"Village {n}", admin1="Idlib", date=dt.date(2019, 12, 19), total=n + 1,
                        reported_by="SOHR")],
            headline=f"Fighting in village {n}",
        )
        for n in range(count)
    ]  # fmt: skip


def expected_messages(items: list[DigestArticle]) -> int:
    digest = build_digest(items, generated_at=GENERATED)
    return len(render_slack(digest)) + sum(len(render_article_details(a)) for a in items)


def poster(fake: FakeSlack, ledger: Ledger) -> DigestPoster:
    return DigestPoster(make_client(fake.token, base_url=fake.base_url), ledger, min_interval=0)


def keys(fake: FakeSlack) -> list[str]:
    found = []
    for message in fake.messages(CHANNEL_ID):
        assert message.metadata is not None and message.metadata["event_type"] == EVENT_TYPE
        found.append(message.metadata["event_payload"]["key"])
    return found


@pytest.mark.parametrize("crash_at", [1, 2, 4])  # the parent, a first and a later reply
def test_a_crash_between_post_and_record_does_not_post_again(
    fake: FakeSlack, tmp_path: Path, crash_at: int
) -> None:
    path = tmp_path / "ledger.sqlite3"
    items = articles(5)
    with Ledger(path) as first:  # a first post makes the channel's id known
        poster(fake, first).post(items[:1], CHANNEL, generated_at=GENERATED)
    before = len(fake.messages(CHANNEL_ID))
    with CrashingLedger(path, crash_at) as dying, pytest.raises(Crash):
        poster(fake, dying).post(items[1:], CHANNEL, generated_at=GENERATED)
    assert len(fake.messages(CHANNEL_ID)) == before + crash_at
    with Ledger(path) as ledger:
        next_run = poster(fake, ledger)
        # the crashed run's lease on its digest is stale at once for this test
        next_run.stale_after = 0.0
        next_run.post(items[1:], CHANNEL, generated_at=GENERATED)
        again = len(fake.calls())
        next_run.post(items, CHANNEL, generated_at=GENERATED)
        assert len(fake.calls()) == again, "a finished digest costs no call"
    found = keys(fake)
    assert len(found) == len(set(found)), Counter(found).most_common(3)
    assert len(found) == before + expected_messages(items[1:])
    lookups = fake.calls("conversations.history") + fake.calls("conversations.replies")
    assert lookups, "the pending reservation was resolved by looking it up in Slack"


def test_a_crash_after_the_first_post_to_a_channel_named_by_name_does_not_post_again(
    fake: FakeSlack, tmp_path: Path
) -> None:
    """The very first digest to '#name': Slack accepted the parent, the run died before
    the ledger learnt the channel's id. The next run looks the id up
    (conversations.list) and finds the parent in the history instead of posting it."""
    path = tmp_path / "ledger.sqlite3"
    items = articles(2)
    with CrashingLedger(path, 1) as dying, pytest.raises(Crash):
        poster(fake, dying).post(items, CHANNEL, generated_at=GENERATED)
    assert len(fake.messages(CHANNEL_ID)) == 1
    with Ledger(path) as ledger:
        next_run = poster(fake, ledger)
        next_run.stale_after = 0.0
        next_run.post(items, CHANNEL, generated_at=GENERATED)
        assert ledger.channel_id(CHANNEL) == CHANNEL_ID
    found = keys(fake)
    assert len(found) == len(set(found)), Counter(found).most_common(3)
    assert len(found) == expected_messages(items)
    assert fake.calls("conversations.list"), "the channel's id was looked up"


def test_a_pending_first_post_to_an_unknown_channel_name_is_not_posted_again(
    fake: FakeSlack, tmp_path: Path
) -> None:
    """When the id cannot be looked up (here the app may not list channels), the run stops
    with a clear error rather than risk a second copy."""
    path = tmp_path / "ledger.sqlite3"
    with CrashingLedger(path, 1) as dying, pytest.raises(Crash):
        poster(fake, dying).post(articles(1), CHANNEL, generated_at=GENERATED)
    fake.fail_next(1, method="conversations.list", error="missing_scope")
    with Ledger(path) as ledger:
        next_run = poster(fake, ledger)
        next_run.stale_after = 0.0
        with pytest.raises(SlackPostError, match="not posted again"):
            next_run.post(articles(1), CHANNEL, generated_at=GENERATED)
    assert len(fake.messages(CHANNEL_ID)) == 1


def test_a_live_run_finishing_a_digest_is_left_alone(fake: FakeSlack, tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    items = articles(3)
    with CrashingLedger(path, 2) as dying, pytest.raises(Crash):
        poster(fake, dying).post(items, CHANNEL_ID, generated_at=GENERATED)
    posted = len(fake.messages(CHANNEL_ID))
    with Ledger(path) as ledger:
        # default lease: the digest may still be being posted by a live process
        result = poster(fake, ledger).post(items, CHANNEL_ID, generated_at=GENERATED)
    assert len(fake.messages(CHANNEL_ID)) == posted and result.posted_messages == 0
    assert sorted(result.unchanged_articles) == ["a0", "a1", "a2"]


def test_two_posters_in_threads_on_one_ledger_file_post_each_message_once(
    fake: FakeSlack, tmp_path: Path
) -> None:
    path = tmp_path / "ledger.sqlite3"
    items = articles(6)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def post() -> None:
        with Ledger(path) as ledger:
            one = DigestPoster(make_client(fake.token, base_url=fake.base_url), ledger,
                               min_interval=0.01)  # fmt: skip
            barrier.wait()
            try:
                one.post(items, CHANNEL_ID, generated_at=GENERATED)
            except BaseException as error:
                errors.append(error)

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    found = keys(fake)
    assert len(found) == len(set(found)) == expected_messages(items)
    assert sum(m.thread_ts is None for m in fake.messages(CHANNEL_ID)) == 1, "one parent"


def test_the_ledger_uses_wal_and_unique_message_keys(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    with Ledger(path):
        pass
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        db.execute("INSERT INTO messages VALUES ('k', 1, 'pending', NULL, 0)")
        with pytest.raises(sqlite3.IntegrityError):
            db.execute("INSERT INTO messages VALUES ('k', 1, 'pending', NULL, 0)")
    finally:
        db.close()
