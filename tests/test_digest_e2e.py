"""End to end: a feed on a local HTTP server → article pages → records (LLM traffic
replayed from a cassette) → a digest posted to the fake Slack → a second run posts nothing.

Everything runs through ``summarizer digest``. Only the LLM's requests are recorded:
the fake news site and the fake Slack server are live on 127.0.0.1 in every run (their
port changes; matching is on method, path and body, and the body is the prompt).
Record once against a real endpoint:

    SUMMARIZER_BASE_URL=http://127.0.0.1:8088/v1 SUMMARIZER_MODEL=local \\
        .venv/bin/pytest tests/test_digest_e2e.py --record-mode=once
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from typer.testing import CliRunner

from summarizer.cli import app
from summarizer.evaluation import cassettes
from summarizer.settings import Settings
from summarizer.slack.poster import Ledger

from .fakes.fake_site import FEED_DIR, FakeSite, Route, rss
from .fakes.fake_slack import FakeMessage, FakeSlack, payload_error

CHANNEL = "#syria-watch"
CHANNEL_ID = "C0SYRIA01"
PAGES = {
    "/world/idlib-offensive.html": "002_idlib.html",
    "/world/mayadeen.html": "004_mayadeen.html",
}


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    """The project's cassette settings, recording only the LLM's requests (``/v1/…``)."""
    config = cassettes.vcr_config()
    scrub = config["before_record_request"]

    def only_llm_traffic(request: Any) -> Any:
        return scrub(request) if urlsplit(request.uri).path.startswith("/v1/") else None

    return {**config, "before_record_request": only_llm_traffic}


@pytest.fixture
def site() -> Iterator[FakeSite]:
    feed = rss(
        "Syria conflict news",
        [
            {
                "title": "Dozens killed in Idlib as government presses offensive",
                "link": "/world/idlib-offensive.html",
                "guid": "urn:test:idlib-offensive",
                "pubDate": "Thu, 19 Dec 2019 15:00:00 GMT",
            },
            {
                "title": "Syrian forces retake part of eastern IS bastion",
                "link": "/world/mayadeen.html",
                "guid": "urn:test:mayadeen",
                "pubDate": "Thu, 12 Oct 2017 12:35:00 GMT",
            },
        ],
    )
    routes = {"/feed.xml": Route(feed, "application/rss+xml; charset=utf-8")}
    routes |= {path: Route((FEED_DIR / name).read_bytes()) for path, name in PAGES.items()}
    with FakeSite(routes) as server:
        yield server


def _text(message: FakeMessage) -> str:
    parts = []
    for block in message.blocks:
        if block["type"] in ("section", "header"):
            parts.append(block["text"]["text"])
        elif block["type"] == "context":
            parts += [e["text"] for e in block["elements"]]
    return "\n".join(parts)


@pytest.mark.vcr
@pytest.mark.slow
def test_feed_to_slack_digest_and_a_second_run_posts_nothing(
    llm_settings: Settings,
    site: FakeSite,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(site.url("/feed.xml") + "\n", "utf-8")
    ledger_path = tmp_path / "ledger.sqlite3"
    monkeypatch.setenv("SUMMARIZER_LEDGER_PATH", str(ledger_path))
    monkeypatch.setenv("SUMMARIZER_TRANSPORT_RETRIES", "0")
    monkeypatch.setenv("SUMMARIZER_REQUEST_TIMEOUT", "900")  # a shared server may queue us
    runner = CliRunner()

    with FakeSlack() as fake:
        monkeypatch.setenv("SLACK_BOT_TOKEN", fake.token)
        args = [
            "digest",
            "--feeds", str(feeds),
            "--channel", CHANNEL,
            "--slack-base-url", fake.base_url,
            "--base-url", str(llm_settings.base_url),
            "--model", str(llm_settings.model),
            "--concurrency", "1",
            "--min-interval", "0",
            "--allow-private-urls",  # the FAKE site is on 127.0.0.1
        ]  # fmt: skip
        first = runner.invoke(app, args)
        assert first.exit_code == 0, first.output
        assert "skipped" not in first.output, first.output
        assert "#syria-watch: posted" in first.output

        messages = fake.messages(CHANNEL_ID)
        parent, *replies = messages
        assert parent.thread_ts is None
        assert all(r.thread_ts == parent.ts for r in replies)
        for call in fake.calls("chat.postMessage"):
            assert payload_error(call.params) is None
        # what the records say is what was posted
        with Ledger(ledger_path) as ledger:
            stored = ledger.posted_articles(CHANNEL)
        assert {a.article_id for a in stored} == {"urn:test:idlib-offensive", "urn:test:mayadeen"}
        digest_text = "\n".join(
            _text(m) for m in [parent, *replies] if m is parent or _text(m).startswith("Part ")
        )
        for article in stored:
            report = article.report
            assert article.url == report.article.url
            assert urlsplit(article.url or "").path in PAGES
            assert report.article.published is not None
            assert report.article.published.isoformat() in ("2019-12-19", "2017-10-12")
            details = [r for r in replies if report.summary.text[:60] in _text(r)]
            assert len(details) == 1, "one details reply per article, with its summary"
            assert f"{article.url}|" in digest_text, "each item links to its article"
            for event in report.events:
                assert event.location.name.replace("&", "&amp;") in digest_text
                assert event.location.country == "Syria"
        assert {a.report.article.outlet for a in stored} == {
            "Business Standard",
            "The New Indian Express",
        }
        calls = len(fake.calls())
        fetched = len(site.paths())

        second = runner.invoke(app, args)
        assert second.exit_code == 0, second.output
        assert "nothing new to post" in second.output
        assert len(fake.calls()) == calls, "a second run posts nothing"
        assert site.paths()[fetched:] == ["/feed.xml"], "nor fetches the posted articles"
