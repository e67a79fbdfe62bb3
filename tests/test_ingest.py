"""Ingestion: feeds served by a local HTTP server, URL lists, directories, stdin, --since,
and summarizing many items with bounded concurrency where one failure skips one item."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

import summarizer.api
from summarizer.api import PreparedArticle
from summarizer.batch.inputs import (
    BatchInput,
    InputSources,
    read_directory,
    read_feed,
    read_feed_list,
    read_file,
    read_stdin,
)
from summarizer.errors import ExtractionFailed, FetchError, InputError
from summarizer.schema import ArticleReport, Usage
from summarizer.settings import Settings
from summarizer.slack.feeds import (
    digest_articles,
    filter_since,
    parse_duration,
    select_items,
    summarize_items,
)
from summarizer.text.sources import load_source

from .fakes.fake_reports import make_event, make_report
from .fakes.fake_site import FEED_DIR, FakeSite, Route, rss

NOW = dt.datetime(2019, 12, 20, 12, 0, tzinfo=dt.UTC)
SETTINGS = Settings(fetch_timeout=5, user_agent="summarizer-tests/1.0 (+https://example.org)")
RSS = "application/rss+xml; charset=utf-8"


def _feed_items() -> list[dict[str, str]]:
    return [
        {
            "title": "Dozens killed in Idlib",
            "link": "/articles/002.html",  # relative: resolved against the feed's URL
            "guid": "bs-002",
            "pubDate": "Thu, 19 Dec 2019 15:00:00 GMT",
        },
        {
            "title": "Syrian forces retake part of eastern IS bastion",
            "link": "/articles/004.html",
            "guid": "nie-004",
            "pubDate": "Fri, 20 Dec 2019 06:00:00 GMT",
        },
        {"title": "A local file", "link": "file:///etc/passwd", "guid": "evil"},
    ]


@pytest.fixture
def site() -> Iterator[FakeSite]:
    routes = {
        "/feed.xml": Route(rss("Syria news", _feed_items()), RSS),
        "/articles/002.html": Route((FEED_DIR / "002_idlib.html").read_bytes()),
        "/articles/004.html": Route((FEED_DIR / "004_mayadeen.html").read_bytes()),
        "/not-a-feed.xml": Route(b"<html><body><p>Hello</p></body></html>"),
        "/huge.xml": Route(rss("Huge", [*_feed_items()] * 400), RSS),
    }
    with FakeSite(routes) as server:
        yield server


def test_a_feed_becomes_items_with_ids_links_and_dates(site: FakeSite) -> None:
    items, failures = read_feed(site.url("/feed.xml"), settings=SETTINGS, now=NOW)
    assert [i.id for i in items] == ["bs-002", "nie-004"]
    assert [i.location for i in items] == [
        site.url("/articles/002.html"),
        site.url("/articles/004.html"),
    ]
    assert items[0].feed_date == dt.datetime(2019, 12, 19, 15, 0, tzinfo=dt.UTC)
    assert items[0].published == dt.date(2019, 12, 19)
    assert items[0].source_name == "Syria news" and items[0].title == "Dozens killed in Idlib"
    assert items[0].fetched_at == NOW and items[0].url == items[0].location
    # a non-http link is never fetched nor read as a local file
    assert [f.item_id for f in failures] == ["evil"]
    assert "has no http(s) link" in failures[0].error
    # fetched politely, by us (feedparser never touches the network)
    path, headers = site.requests[0]
    assert path == "/feed.xml"
    assert headers["User-Agent"] == SETTINGS.user_agent
    assert "application/rss+xml" in headers["Accept"]
    assert site.paths() == ["/feed.xml"]


def test_feed_items_lead_to_article_pages_that_extract_cleanly(site: FakeSite) -> None:
    items, _ = read_feed(site.url("/feed.xml"), settings=SETTINGS, now=NOW)
    document = load_source(items[1].location, settings=SETTINGS)
    body = (FEED_DIR.parent.parent / "articles" / "004_c689b8858d52ccb0.txt").read_text("utf-8")
    paragraphs = [line.strip() for line in body.splitlines() if line.strip()]
    start = next(i for i, p in enumerate(paragraphs) if p.startswith("BEIRUT:"))
    end = next(i for i, p in enumerate(paragraphs) if p.startswith("The group is battling"))
    assert document.text == "\n".join(paragraphs[start : end + 1])
    assert document.outlet == "The New Indian Express"


def test_feed_errors_are_one_line(site: FakeSite) -> None:
    with pytest.raises(
        FetchError, match=r"^HTTP 404 fetching the feed http://127\.0\.0\.1:\d+/no$"
    ):
        read_feed(site.url("/no"), settings=SETTINGS)
    with pytest.raises(InputError, match="is not an RSS or Atom feed"):
        read_feed(site.url("/not-a-feed.xml"), settings=SETTINGS)
    small = Settings(max_fetch_bytes=10_000)
    with pytest.raises(FetchError, match="larger than 10000 bytes; raise SUMMARIZER_MAX_FETCH"):
        read_feed(site.url("/huge.xml"), settings=small)
    with pytest.raises(InputError, match="not an http"):
        read_feed("ftp://example.org/feed", settings=SETTINGS)


def test_a_feed_list_reports_a_broken_feed_and_keeps_the_others(
    site: FakeSite, tmp_path: Path
) -> None:
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(
        f"# Syria\n{site.url('/feed.xml')}\n\n{site.url('/gone.xml')}\nnot a url\n"
        f"{site.url('/feed.xml')}\n",
        "utf-8",
    )
    items, failures = read_feed_list(feeds, settings=SETTINGS, now=NOW)
    assert [i.id for i in items] == ["bs-002", "nie-004"], "duplicates dropped"
    errors = [f.error for f in failures]
    assert any(e.startswith("HTTP 404 fetching the feed") for e in errors)
    assert f"{feeds}:5" in [f.location for f in failures]
    with pytest.raises(InputError, match="no such feeds file"):
        read_feed_list(tmp_path / "missing.txt", settings=SETTINGS)


def test_since_keeps_recent_items_by_feed_date_else_fetch_time(site: FakeSite) -> None:
    items, _ = read_feed(site.url("/feed.xml"), settings=SETTINGS, now=NOW)
    undated = BatchInput(id="u", url="https://x.example/u", fetched_at=NOW)
    recent = filter_since([*items, undated], parse_duration("12h"), now=NOW)
    assert [i.id for i in recent] == ["nie-004", "u"]
    everything = filter_since([*items, undated], parse_duration("2d"), now=NOW)
    assert [i.id for i in everything] == ["bs-002", "nie-004", "u"]
    # through select_items, with what was posted already left out
    sources = InputSources(urls=None, feeds=None)
    with pytest.raises(InputError, match="no source given"):
        select_items(sources, settings=SETTINGS)


def test_select_items_combines_sources_filters_and_skips(site: FakeSite, tmp_path: Path) -> None:
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(site.url("/feed.xml") + "\n", "utf-8")
    items, failures = select_items(
        InputSources(feeds=feeds),
        settings=SETTINGS,
        since=dt.timedelta(days=2),
        skip_ids={"bs-002"},
        now=NOW,
    )
    assert [i.id for i in items] == ["nie-004"]
    assert len(failures) == 1


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30m", 1800), ("24h", 86400), ("7d", 604800), ("1h30m", 5400), (" 2w ", 1209600),
     ("90s", 90), ("1.5h", 5400)],
)  # fmt: skip
def test_parse_duration(text: str, seconds: int) -> None:
    assert parse_duration(text) == dt.timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "24", "h", "24x", "1 day", "-3h", "0h", "3h and 2m"])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(InputError):
        parse_duration(text)


def test_url_lists_directories_and_stdin(tmp_path: Path) -> None:
    urls = tmp_path / "urls.txt"
    urls.write_text("https://a.example/1\n# comment\n\nhttps://a.example/2\nsub/c.txt\n")
    items = read_file(urls, now=NOW)
    assert [(i.id, i.url, i.path) for i in items] == [
        ("https://a.example/1", "https://a.example/1", None),
        ("https://a.example/2", "https://a.example/2", None),
        ("sub/c.txt", None, (tmp_path / "sub" / "c.txt").resolve()),
    ], "a list file holds URLs and paths relative to it, as for summarizer batch"
    jsonl = tmp_path / "urls.jsonl"
    jsonl.write_text('{"id": "one", "url": "https://a.example/3", "published": "2019-12-01"}\n')
    [listed] = read_file(jsonl, now=NOW)
    assert (listed.id, listed.url, listed.published) == (
        "one",
        "https://a.example/3",
        dt.date(2019, 12, 1),
    )
    assert listed.fetched_at == NOW
    with pytest.raises(InputError, match="no such file or directory"):
        read_file(tmp_path / "missing.txt")

    folder = tmp_path / "articles"
    (folder / "sub").mkdir(parents=True)
    (folder / ".hidden").mkdir()
    (folder / "b.txt").write_text("Second article.")
    (folder / "a.html").write_text("<p>First</p>")
    (folder / "sub" / "c.MD").write_text("Nested article.")
    (folder / ".hidden.txt").write_text("no")
    (folder / ".hidden" / "d.txt").write_text("no")
    (folder / "image.png").write_bytes(b"\x89PNG")
    old = dt.datetime(2019, 1, 1, tzinfo=dt.UTC).timestamp()
    os.utime(folder / "a.html", (old, old))
    found = read_directory(folder, now=NOW)
    assert [i.id for i in found] == ["a.html", "b.txt", "sub/c.MD"]
    assert found[0].key == f"file:{(folder / 'a.html').resolve()}"
    assert found[0].feed_date == dt.datetime(2019, 1, 1, tzinfo=dt.UTC)
    assert found[0].source == (folder / "a.html").resolve() and found[0].title == "a"
    with pytest.raises(InputError, match="is not a directory"):
        read_directory(folder / "b.txt")

    listed = read_stdin("https://a.example/1\nhttps://a.example/2\n", now=NOW)
    assert [i.location for i in listed] == ["https://a.example/1", "https://a.example/2"]
    [article] = read_stdin("Clashes erupted on Sunday.\nhttps://a.example/1\n", now=NOW)
    assert article.id.startswith("stdin:") and str(article.source).startswith("Clashes")
    assert article.location == "<stdin>"
    with pytest.raises(InputError, match="standard input is empty"):
        read_stdin("  \n", now=NOW)


def _report(name: str) -> ArticleReport:
    return make_report(headline=f"About {name}", events=[make_event(name)])


async def test_summarize_items_runs_on_the_batch_runner_bounded_and_skipping_failures(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The digest's summarizing is the batch runner's: its extraction step (replaced here
    by hand-built records, no LLM) sees at most four articles at once, in any order."""
    items = [
        BatchInput(id=f"i{n}", text=f"Article {n}.", published=dt.date(2019, 12, n + 1))
        for n in range(10)
    ]
    running = 0
    peak = 0
    seen: list[tuple[str, dt.date | None]] = []

    async def hand_built(chunks: list[PreparedArticle], *, llm: object) -> ArticleReport:
        nonlocal running, peak
        text = chunks[0].document.text
        running += 1
        peak = max(peak, running)
        seen.append((text, chunks[0].published))
        await asyncio.sleep(0.05)
        running -= 1
        if text == "Article 3.":
            raise ExtractionFailed(
                "no valid answer", attempts=3, last_completion=None, usage=Usage()
            )
        if text == "Article 7.":
            raise RuntimeError("unexpected\nbug")
        return _report(text)

    monkeypatch.setattr(summarizer.api, "aextract_chunks", hand_built)
    # a configured endpoint that is never contacted: the extraction step is replaced
    settings = Settings(base_url="http://127.0.0.1:9/v1", model="hand-built", cache_dir=tmp_path)
    progress: list[tuple[str, bool]] = []
    batch = await summarize_items(
        items,
        settings=settings,
        cache=False,
        on_result=lambda item, report, error: progress.append((item.id, report is not None)),
    )
    assert peak == 4, "at most four at a time, and four are used"
    assert [s.item.id for s in batch.summarized] == [f"i{n}" for n in range(10) if n not in (3, 7)]
    assert [(f.item_id, f.error) for f in batch.failures] == [
        ("i3", "no valid answer"),
        ("i7", "RuntimeError: unexpected bug"),
    ]
    assert len(progress) == 10 and sorted(progress)[3] == ("i3", False)
    assert ("Article 0.", dt.date(2019, 12, 1)) in seen
    articles = digest_articles(batch)
    assert articles[0].article_id == "i0" and articles[0].report.summary.headline == (
        "About Article 0."
    )
