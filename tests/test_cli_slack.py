"""``summarizer digest`` and its scheduler, with records hand-built from the gold files
(the batch runner's extraction step ``summarizer.api.aextract_chunks`` is replaced, so
no LLM is involved) and the fake Slack.

The digest summarizes through the batch runner and its result cache
(SUMMARIZER_CACHE_DIR, a temporary directory here)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import summarizer.api
from summarizer.api import PreparedArticle
from summarizer.cli import app
from summarizer.cli.slack import run_every
from summarizer.errors import ConfigurationError, FetchError, InputError
from summarizer.schema import ArticleReport

from .conftest import ARTICLE_IDS, ARTICLES
from .fakes.fake_reports import FIXTURE_SUMMARIES, gold_report
from .fakes.fake_slack import FakeSlack, payload_error

CHANNEL_ID = "C0SYRIA01"


@pytest.fixture(autouse=True)
def _hand_built_records(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    """Replace the LLM: a fixture article's record is built from its gold annotation."""
    seen: list[str] = []

    async def from_gold(chunks: list[PreparedArticle], *, llm: object) -> ArticleReport:
        text = chunks[0].document.text
        by_content = (p.stem for p in ARTICLES.glob("*.txt") if p.read_text("utf-8") == text)
        name = next(by_content, Path(text).stem)
        seen.append(name)
        if name == "broken":
            raise FetchError("HTTP 404 fetching https://news.example/broken")
        return gold_report(name)

    monkeypatch.setattr(summarizer.api, "aextract_chunks", from_gold)
    # a configured endpoint that is never contacted: the extraction step is replaced
    monkeypatch.setenv("SUMMARIZER_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("SUMMARIZER_MODEL", "hand-built-from-gold")
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SUMMARIZER_LEDGER_PATH", str(tmp_path / "ledger.sqlite3"))
    monkeypatch.setenv("SUMMARIZER_CACHE_DIR", str(tmp_path / "cache"))
    return seen


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        yield server


def _split_dry_run(stdout: str) -> tuple[dict[str, Any], str]:
    json_part, _, markdown = stdout.partition("\n\n# ")
    return json.loads(json_part), "# " + markdown


def test_dry_run_over_the_fixture_articles_prints_block_kit_and_markdown(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["digest", "--dir", str(ARTICLES), "--dry-run", "--channel", "#syria-watch"]
    )
    assert result.exit_code == 0, result.output
    document, markdown = _split_dry_run(result.stdout)
    assert document["channel"] == "#syria-watch"
    messages = document["messages"]
    assert messages[0]["post"] == "parent"
    details = [m for m in messages if "article_id" in m]
    assert len(details) == len(ARTICLE_IDS) == 5
    for message in messages:
        assert payload_error(message) is None
        assert message["text"]
    for headline, summary in FIXTURE_SUMMARIES.values():
        assert headline in markdown and summary in markdown
    assert "## Idlib, Syria" in markdown and "## Aleppo, Syria" in markdown
    assert "Killed: 70 according to Syrian Observatory for Human Rights" in markdown
    assert not (tmp_path / "ledger.sqlite3").exists(), "a dry run creates no ledger"


def test_digest_posts_once_and_reports_what_it_skipped(
    fake: FakeSlack, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, _hand_built_records: list[str]
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", fake.token)
    folder = tmp_path / "articles"
    folder.mkdir()
    for article_id in ARTICLE_IDS[:3]:
        (folder / f"{article_id}.txt").write_bytes((ARTICLES / f"{article_id}.txt").read_bytes())
    (folder / "broken.txt").write_text("broken", "utf-8")
    args = ["digest", "--dir", str(folder), "--channel", "#syria-watch", "--min-interval", "0",
            "--slack-base-url", fake.base_url, "--since", "1h"]  # fmt: skip

    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "skipped " in first.output and "broken.txt: HTTP 404 fetching" in first.output
    assert "#syria-watch: posted 4 message(s) for 3 new article(s)" in first.output
    parent, *replies = fake.messages(CHANNEL_ID)
    assert len(replies) == 3
    assert "Government forces take Al-Habeet" in json.dumps(parent.blocks)

    _hand_built_records.clear()
    second = CliRunner().invoke(app, args)
    assert second.exit_code == 0, second.output
    assert "nothing new to post" in second.output
    assert len(fake.messages(CHANNEL_ID)) == 4
    assert _hand_built_records == ["broken"], "posted articles are not summarized again"


def test_digest_reuses_cached_records_and_no_cache_summarizes_anew(
    tmp_path: Path, _hand_built_records: list[str]
) -> None:
    args = ["digest", "--dir", str(ARTICLES), "--dry-run"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    assert sorted(_hand_built_records) == sorted(ARTICLE_IDS)
    assert (tmp_path / "cache" / "results.sqlite3").is_file()

    _hand_built_records.clear()
    second = CliRunner().invoke(app, args)
    assert second.exit_code == 0, second.output
    assert _hand_built_records == [], "cached records are reused: no LLM call"
    assert _split_dry_run(second.stdout) == _split_dry_run(first.stdout)

    third = CliRunner().invoke(app, [*args, "--no-cache"])
    assert third.exit_code == 0, third.output
    assert sorted(_hand_built_records) == sorted(ARTICLE_IDS)


def test_a_list_of_paths_is_read_as_batch_reads_it_and_list_is_an_alias_of_urls(
    tmp_path: Path,
) -> None:
    listing = tmp_path / "lists" / "articles.txt"
    listing.parent.mkdir()
    names = [f"{article_id}.txt" for article_id in ARTICLE_IDS[:2]]
    listing.write_text("# fixture articles\n" + "".join(f"../{n}\n" for n in names), "utf-8")
    for name in names:
        (tmp_path / name).write_bytes((ARTICLES / name).read_bytes())
    for flag in ("--urls", "--list"):
        result = CliRunner().invoke(app, ["digest", flag, str(listing), "--dry-run"])
        assert result.exit_code == 0, result.output
        document, _ = _split_dry_run(result.stdout)
        assert [m["article_id"] for m in document["messages"] if "article_id" in m] == [
            f"file:{(tmp_path / name).resolve()}" for name in names
        ]


def test_digest_errors_are_one_line(fake: FakeSlack) -> None:
    runner = CliRunner()
    missing_token = runner.invoke(app, ["digest", "--dir", str(ARTICLES), "--channel", "#x"])
    assert missing_token.exit_code == 2
    assert missing_token.output.strip().startswith("error: SLACK_BOT_TOKEN is not set")
    assert len(missing_token.output.strip().splitlines()) == 1

    no_channel = runner.invoke(app, ["digest", "--dir", str(ARTICLES)])
    assert no_channel.exit_code == 3 and "--channel is required" in no_channel.output

    bad_since = runner.invoke(app, ["digest", "--dir", str(ARTICLES), "--dry-run", "--since", "x"])
    assert bad_since.exit_code == 3 and "'x' is not a duration" in bad_since.output

    no_source = runner.invoke(app, ["digest", "--dry-run"])
    assert no_source.exit_code == 3 and "no source given" in no_source.output

    stdin_every = runner.invoke(app, ["digest", "--stdin", "--dry-run", "--every", "1h"])
    assert stdin_every.exit_code == 3 and "cannot be combined with --every" in stdin_every.output


def test_stdin_article_dry_run() -> None:
    text = (ARTICLES / f"{ARTICLE_IDS[4]}.txt").read_text("utf-8")
    result = CliRunner().invoke(app, ["digest", "--stdin", "--dry-run"], input=text)
    assert result.exit_code == 0, result.output
    document, markdown = _split_dry_run(result.stdout)
    details = [m for m in document["messages"] if "article_id" in m]
    assert [m["article_id"][:6] for m in details] == ["stdin:"]
    assert "## Deir Ezzor, Syria" in markdown
    assert "Government forces retake four districts of Mayadeen" in markdown


def test_run_every_repeats_reports_failures_and_stops_on_configuration_errors() -> None:
    sleeps: list[float] = []
    runs: list[int] = []

    def once() -> None:
        runs.append(len(runs))
        if len(runs) == 2:
            raise InputError("a feed was down")

    run_every(dt.timedelta(minutes=30), once, sleep=sleeps.append, runs=3)
    assert runs == [0, 1, 2]
    assert len(sleeps) == 2 and all(1790 < s <= 1800 for s in sleeps)

    def broken() -> None:
        raise ConfigurationError("SLACK_BOT_TOKEN is not set")

    with pytest.raises(ConfigurationError):
        run_every(dt.timedelta(minutes=30), broken, sleep=sleeps.append)


def test_bot_without_credentials_is_a_one_line_configuration_error(
    fake: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    no_token = runner.invoke(app, ["bot", "--port", "0", "--slack-base-url", fake.base_url])
    assert no_token.exit_code == 2
    assert no_token.output.startswith("error: SLACK_BOT_TOKEN is not set")
    monkeypatch.setenv("SLACK_BOT_TOKEN", fake.token)
    no_secret = runner.invoke(app, ["bot", "--port", "0", "--slack-base-url", fake.base_url])
    assert no_secret.exit_code == 2
    assert no_secret.output.startswith("error: SLACK_SIGNING_SECRET is not set")
    assert fake.token not in no_secret.output
