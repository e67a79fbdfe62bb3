"""The Slack bot driven over HTTP with signed requests, against the fake Slack server.

Requests are signed as Slack signs them (HMAC-SHA256 of ``v0:<timestamp>:<body>`` with
the signing secret); bolt verifies them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from pydantic import SecretStr

from summarizer.batch.inputs import ItemFailure
from summarizer.errors import ConfigurationError, FetchError
from summarizer.schema import ArticleReport
from summarizer.settings import Settings
from summarizer.slack.bot import EVENTS_PATH, BotHTTPServer, SummarizerBot
from summarizer.slack.digest import DigestArticle
from summarizer.slack.poster import Ledger, SlackSettings

from .fakes.fake_reports import make_article, make_event, make_report
from .fakes.fake_slack import FakeSlack, payload_error

SECRET = "fake-signing-secret-0123456789abcdef"
CHANNEL_ID = "C0SYRIA01"


def _slack_settings(fake: FakeSlack, **extra: Any) -> SlackSettings:
    values: dict[str, Any] = {
        "bot_token": SecretStr(fake.token),
        "signing_secret": SecretStr(SECRET),
        **extra,
    }
    return SlackSettings(**values)


@dataclass
class Bot:
    bot: SummarizerBot
    server: BotHTTPServer
    http: httpx.Client
    summarized: list[str]
    fake: FakeSlack

    def post(
        self, body: str, *, timestamp: int | None = None, secret: str = SECRET
    ) -> httpx.Response:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        signature = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": "v0=" + signature.hexdigest(),
        }
        return self.http.post(EVENTS_PATH, content=body.encode(), headers=headers)

    def command(
        self, command: str, text: str, response: str = "cmd", **kwargs: Any
    ) -> httpx.Response:
        body = urlencode(
            {
                "token": "unused-verification-token",
                "team_id": "T0FAKE001",
                "team_domain": "fake",
                "channel_id": CHANNEL_ID,
                "channel_name": "syria-watch",
                "user_id": "U0HUMAN01",
                "user_name": "analyst",
                "command": command,
                "text": text,
                "api_app_id": "A0APP0001",
                "response_url": self.fake.response_url(response),
                "trigger_id": "1.2.3",
            }
        )
        return self.post(body, **kwargs)

    def click(self, action_id: str, value: str, response: str) -> httpx.Response:
        payload = {
            "type": "block_actions",
            "user": {"id": "U0HUMAN01", "username": "analyst", "team_id": "T0FAKE001"},
            "api_app_id": "A0APP0001",
            "team": {"id": "T0FAKE001", "domain": "fake"},
            "channel": {"id": CHANNEL_ID, "name": "syria-watch"},
            "container": {"type": "message", "message_ts": "1.2", "is_ephemeral": True},
            "trigger_id": "1.2.3",
            "response_url": self.fake.response_url(response),
            "actions": [
                {
                    "type": "button",
                    "action_id": action_id,
                    "block_id": "b",
                    "value": value,
                    "action_ts": "1700000000.1",
                }
            ],
        }
        return self.post(urlencode({"payload": json.dumps(payload)}))


def _report(url: str) -> ArticleReport:
    return make_report(
        headline="Government forces retake four districts of Mayadeen",
        events=[
            make_event(
                "Mayadeen",
                admin1="Deir ez-Zor",
                date=dt.date(2017, 10, 12),
                date_text="Thursday",
                total=4,
                reported_by="Syrian Observatory for Human Rights",
                actor2="Islamic State",
            )
        ],
        url=url,
        summary="Government forces retook four districts of Mayadeen, a monitor said. "
        "Four soldiers were killed, according to the Syrian Observatory for Human Rights.",
    )


def _articles() -> list[DigestArticle]:
    return [
        make_article("a", [make_event("Aleppo", admin1="Aleppo", total=4, reported_by="SANA")]),
        make_article("b", [make_event("Saraqib", total=9, reported_by="SOHR")]),
    ]


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        yield server


@pytest.fixture
def bot(fake: FakeSlack, tmp_path: Path) -> Iterator[Bot]:
    summarized: list[str] = []
    release = threading.Event()

    def summarize_url(url: str) -> ArticleReport:
        summarized.append(url)
        release.wait(1.5)  # slow, like an LLM: the ack must not wait for it
        if url.endswith("/broken"):
            raise FetchError(f"HTTP 404 fetching {url}")
        return _report(url)

    def collect(window: dt.timedelta, channel_id: str) -> Any:
        assert window == dt.timedelta(hours=6) and channel_id == CHANNEL_ID
        return _articles(), [ItemFailure("https://news.example/bad", "HTTP 500")]

    ledger = Ledger(tmp_path / "ledger.sqlite3")
    summarizer_bot = SummarizerBot(
        slack_settings=_slack_settings(fake),
        settings=Settings(cache_dir=tmp_path),
        api_url=fake.base_url,
        summarize_url=summarize_url,
        collect=collect,
        ledger=ledger,
        min_interval=0,
        default_window="6h",
    )
    server = summarizer_bot.serve_http("127.0.0.1", 0)
    with httpx.Client(base_url=f"http://127.0.0.1:{server.port}", timeout=10) as http:
        yield Bot(summarizer_bot, server, http, summarized, fake)
    release.set()
    server.close()
    summarizer_bot.close()
    ledger.close()


def test_summarize_acks_within_three_seconds_then_responds_with_the_summary(bot: Bot) -> None:
    started = time.monotonic()
    response = bot.command("/summarize", "<https://news.example/mayadeen>")
    acked = time.monotonic() - started
    assert response.status_code == 200
    assert acked < 1.0, f"the ack took {acked:.2f}s"
    assert response.json() == {
        "response_type": "ephemeral",
        "text": "Summarizing https://news.example/mayadeen … the summary follows here in a "
        "minute or two.",
    }
    assert bot.fake.wait_for(lambda: len(bot.fake.responses) == 1, timeout=10)
    [answer] = bot.fake.responses
    assert time.monotonic() - started >= 1.4, "the summary came from the background work"
    assert bot.summarized == ["https://news.example/mayadeen"]
    assert answer["name"] == "cmd" and answer["response_type"] == "in_channel"
    text = json.dumps(answer["blocks"])
    assert "Four soldiers were killed, according to the Syrian Observatory" in text
    assert "Mayadeen, Deir ez-Zor, Syria" in text
    assert "Killed: 4, according to Syrian Observatory for Human Rights" in text
    assert payload_error(answer) is None


def test_summarize_failure_is_reported_to_the_requester_only(bot: Bot) -> None:
    assert bot.command("/summarize", "https://news.example/broken").status_code == 200
    assert bot.fake.wait_for(lambda: len(bot.fake.responses) == 1, timeout=10)
    [answer] = bot.fake.responses
    assert answer["response_type"] == "ephemeral"
    assert answer["text"] == (
        "Could not summarize https://news.example/broken: "
        "HTTP 404 fetching https://news.example/broken"
    )


def test_summarize_without_a_url_answers_with_usage(bot: Bot) -> None:
    response = bot.command("/summarize", "please summarize this")
    assert response.status_code == 200
    assert response.json()["text"] == "Usage: /summarize <http(s) URL of an article>"
    time.sleep(0.3)
    assert bot.summarized == [] and bot.fake.responses == []


def test_badly_signed_and_stale_requests_are_refused(bot: Bot) -> None:
    assert bot.command("/summarize", "https://news.example/x", secret="wrong").status_code == 401
    stale = int(time.time()) - 10 * 60
    assert bot.command("/summarize", "https://news.example/x", timestamp=stale).status_code == 401
    unsigned = bot.http.post(EVENTS_PATH, content=b"command=%2Fsummarize&text=x")
    assert unsigned.status_code == 401
    assert bot.http.post("/elsewhere", content=b"").status_code == 404
    assert bot.http.get("/healthz").text == "ok"
    time.sleep(0.3)
    assert bot.summarized == [], "nothing unsigned reaches the listeners"


def test_digest_previews_ephemerally_and_the_button_posts_once(bot: Bot) -> None:
    response = bot.command("/digest", "")  # the default window: 6h
    assert response.status_code == 200
    assert response.json()["text"] == "Building a digest of the last 6h… a preview follows."
    assert bot.fake.wait_for(lambda: len(bot.fake.ephemeral()) == 1, timeout=10)
    [preview] = bot.fake.ephemeral()
    assert preview["channel"] == CHANNEL_ID and preview["user"] == "U0HUMAN01"
    assert payload_error(preview) is None
    note, actions = preview["blocks"][-2:]
    assert "1 message(s) and 2 article detail(s)" in note["elements"][0]["text"]
    assert "1 item(s) could not be read or summarized" in note["elements"][0]["text"]
    post_button, discard_button = actions["elements"]
    assert post_button["action_id"] == "digest_post" and discard_button["value"]
    assert bot.fake.messages(CHANNEL_ID) == [], "a preview posts nothing"

    assert bot.click("digest_post", post_button["value"], "act1").status_code == 200
    assert bot.fake.wait_for(lambda: any(r["name"] == "act1" for r in bot.fake.responses))
    [done] = [r for r in bot.fake.responses if r["name"] == "act1"]
    assert done["replace_original"] is True and done["text"].startswith("Posted.")
    messages = bot.fake.messages(CHANNEL_ID)
    assert len(messages) == 3  # the digest and two article details
    assert "last 6h" in json.dumps(messages[0].blocks)

    # the same button again: the preview is gone, nothing is posted twice
    assert bot.click("digest_post", post_button["value"], "act2").status_code == 200
    assert bot.fake.wait_for(lambda: any(r["name"] == "act2" for r in bot.fake.responses))
    [again] = [r for r in bot.fake.responses if r["name"] == "act2"]
    assert "expired or was posted already" in again["text"]
    assert len(bot.fake.messages(CHANNEL_ID)) == 3


def test_digest_discard_and_bad_window(bot: Bot) -> None:
    assert bot.command("/digest", "soon").json()["text"] == (
        "Usage: /digest [window], e.g. /digest 6h"
    )
    bot.command("/digest", "6h")
    assert bot.fake.wait_for(lambda: len(bot.fake.ephemeral()) == 1, timeout=10)
    token = bot.fake.ephemeral()[0]["blocks"][-1]["elements"][1]["value"]
    assert bot.click("digest_discard", token, "gone").status_code == 200
    assert bot.fake.wait_for(lambda: any(r["name"] == "gone" for r in bot.fake.responses))
    [gone] = [r for r in bot.fake.responses if r["name"] == "gone"]
    assert gone["delete_original"] is True
    assert bot.click("digest_post", token, "late").status_code == 200
    assert bot.fake.wait_for(lambda: any(r["name"] == "late" for r in bot.fake.responses))
    assert bot.fake.messages(CHANNEL_ID) == []


@pytest.mark.parametrize("missing", ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"])
def test_missing_credentials_are_configuration_errors_naming_the_variable(
    fake: FakeSlack, tmp_path: Path, missing: str
) -> None:
    values: dict[str, Any] = {
        "bot_token": SecretStr(fake.token),
        "signing_secret": SecretStr(SECRET),
    }
    del values["bot_token" if missing == "SLACK_BOT_TOKEN" else "signing_secret"]
    with pytest.raises(ConfigurationError, match=f"^{missing} is not set"):
        SummarizerBot(
            slack_settings=SlackSettings(**values, ledger_path=tmp_path / "l.db"),
            api_url=fake.base_url,
        )


def test_a_refused_token_is_a_configuration_error(fake: FakeSlack, tmp_path: Path) -> None:
    settings = SlackSettings(
        bot_token=SecretStr("xoxb-not-the-right-one"),
        signing_secret=SecretStr(SECRET),
        ledger_path=tmp_path / "l.db",
    )
    with pytest.raises(ConfigurationError, match="Slack refused SLACK_BOT_TOKEN") as raised:
        SummarizerBot(slack_settings=settings, api_url=fake.base_url)
    assert "xoxb-not-the-right-one" not in str(raised.value)


def test_with_an_app_token_the_bot_uses_socket_mode(fake: FakeSlack, tmp_path: Path) -> None:
    settings = _slack_settings(
        fake, app_token=SecretStr("xapp-fake-app-token"), ledger_path=tmp_path / "l.db"
    )
    with (
        SummarizerBot(slack_settings=settings, api_url=fake.base_url) as socket_bot,
        pytest.raises(ConfigurationError, match="Socket Mode connection"),
    ):
        socket_bot.run(port=0)
    # it asked for a WebSocket URL (with the app token) rather than serving HTTP
    [call] = fake.calls("apps.connections.open")
    assert call.headers["Authorization"] == "Bearer xapp-fake-app-token"


def test_summarize_refuses_private_addresses(fake: FakeSlack, tmp_path: Path) -> None:
    with SummarizerBot(
        slack_settings=_slack_settings(fake, ledger_path=tmp_path / "l.db"),
        settings=Settings(cache_dir=tmp_path),
        api_url=fake.base_url,
    ) as plain_bot:
        server = plain_bot.serve_http("127.0.0.1", 0)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{server.port}", timeout=10) as http:
                client = Bot(plain_bot, server, http, [], fake)
                for url in ("http://127.0.0.1:8088/v1/models", "http://169.254.169.254/latest"):
                    assert client.command("/summarize", url, response=url[7:10]).status_code == 200
                assert fake.wait_for(lambda: len(fake.responses) == 2, timeout=10)
        finally:
            server.close()
    texts = sorted(r["text"] for r in fake.responses)
    assert texts == [
        "Could not summarize http://127.0.0.1:8088/v1/models: refusing to fetch "
        "http://127.0.0.1:8088/v1/models: 127.0.0.1 is not a public address",
        "Could not summarize http://169.254.169.254/latest: refusing to fetch "
        "http://169.254.169.254/latest: 169.254.169.254 is not a public address",
    ]
    assert all(r["response_type"] == "ephemeral" for r in fake.responses)
