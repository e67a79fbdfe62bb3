"""Ingestion for digests: where articles come from, and summarizing many of them at once.

Four kinds of source each yield :class:`IngestItem` s (an id, a URL or path, a feed date):

* RSS/Atom feeds (:func:`read_feed`, :func:`read_feed_list`): the feed XML is fetched
  with httpx under the time and size limits and the User-Agent of
  :class:`~summarizer.settings.Settings`, then parsed from bytes by feedparser (which
  never touches the network or the disk itself). Only http(s) item links are kept;
* a file of URLs, one per line (:func:`read_url_list`);
* a directory of article files (:func:`read_directory`);
* standard input (:func:`read_stdin`): URLs one per line, or else one article.

:func:`filter_since` keeps recent items (``--since 24h``, parsed by :func:`parse_duration`)
by feed date, else by fetch time. :func:`summarize_items` summarizes items with
:func:`summarizer.api.asummarize`, at most four at a time; an item that fails is
reported in :attr:`SummaryBatch.failures` and skipped, never aborting the rest.
The result cache plugs in as ``summarize`` (:class:`summarizer.batch.runner.CachedSummarizer`).

The item types live in :mod:`._items` and the feed reader in :mod:`._rss`; this module
is their public face.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from summarizer.errors import InputError, SummarizerError, redact_text
from summarizer.schema import ArticleReport
from summarizer.settings import Settings
from summarizer.slack._items import (
    ARTICLE_SUFFIXES,
    DEFAULT_CONCURRENCY,
    IngestItem,
    ItemFailure,
    SummarizedItem,
    SummarizeFunction,
    SummaryBatch,
    is_http,
    listed_lines,
    read_list_file,
    shown_url,
    unique_items,
    utc_now,
)
from summarizer.slack._rss import parse_feed, read_feed, read_feed_list

if TYPE_CHECKING:
    from summarizer.slack.digest import DigestArticle

__all__ = [
    "ARTICLE_SUFFIXES",
    "DEFAULT_CONCURRENCY",
    "DigestSources",
    "IngestItem",
    "ItemFailure",
    "SummarizeFunction",
    "SummarizedItem",
    "SummaryBatch",
    "digest_articles",
    "filter_since",
    "parse_duration",
    "parse_feed",
    "read_directory",
    "read_feed",
    "read_feed_list",
    "read_stdin",
    "read_url_list",
    "select_items",
    "summarize_items",
]

# --- durations and --since ---------------------------------------------------------------

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> dt.timedelta:
    """``'30m'``, ``'24h'``, ``'7d'``, ``'1h30m'``, ``'2w'`` as a positive timedelta.

    Raises:
        InputError: the text is not such a duration, or is zero.
    """
    compact = re.sub(r"\s+", "", text or "")
    parts = _DURATION_PART.findall(compact)
    if not compact or "".join(n + u for n, u in parts) != compact:
        raise InputError(
            f"{text!r} is not a duration: use a number and a unit (s, m, h, d, w), "
            "like 30m, 24h or 7d"
        )
    seconds = sum(float(number) * _UNIT_SECONDS[unit.lower()] for number, unit in parts)
    if seconds <= 0:
        raise InputError(f"the duration {text!r} must be longer than zero")
    return dt.timedelta(seconds=seconds)


def filter_since(
    items: Iterable[IngestItem], since: dt.timedelta, *, now: dt.datetime | None = None
) -> list[IngestItem]:
    """The items whose feed date (else fetch time) is within ``since`` of ``now``."""
    cutoff = (now or utc_now()) - since
    return [item for item in items if item.when >= cutoff]


# --- URL lists, directories, standard input -----------------------------------------------


def _url_items(
    text: str, origin: str, now: dt.datetime
) -> tuple[list[IngestItem], list[ItemFailure]]:
    items: list[IngestItem] = []
    failures: list[ItemFailure] = []
    for number, line in listed_lines(text):
        if is_http(line):
            items.append(IngestItem(id=line, location=line, feed_date=None, fetched_at=now))
        else:
            failures.append(ItemFailure(f"{origin}:{number}", f"not an http(s) URL: {line!r}"))
    return unique_items(items), failures


def read_url_list(
    path: Path, *, now: dt.datetime | None = None
) -> tuple[list[IngestItem], list[ItemFailure]]:
    """The URLs listed in ``path``, one a line (blank lines and ``#`` comments skipped)."""
    return _url_items(read_list_file(path, "URL list"), str(path), now or utc_now())


def read_directory(path: Path, *, now: dt.datetime | None = None) -> list[IngestItem]:
    """The article files (``.txt``, ``.md``, ``.html``…) directly in ``path``, by name.

    The modification time stands for the feed date. Hidden files are skipped.

    Raises:
        InputError: ``path`` is not a directory.
    """
    if not path.is_dir():
        raise InputError(f"{path} is not a directory")
    fetched_at = now or utc_now()
    items = []
    for file in sorted(path.iterdir()):
        if file.name.startswith(".") or file.suffix.lower() not in ARTICLE_SUFFIXES:
            continue
        if not file.is_file():
            continue
        resolved = file.resolve()
        mtime = dt.datetime.fromtimestamp(resolved.stat().st_mtime, dt.UTC)
        items.append(
            IngestItem(
                id=f"file:{resolved}",
                location=str(resolved),
                feed_date=mtime,
                fetched_at=fetched_at,
                title=file.stem,
                source_name=None,
            )
        )
    return items


def read_stdin(
    text: str, *, now: dt.datetime | None = None
) -> tuple[list[IngestItem], list[ItemFailure]]:
    """Standard input: URLs one per line when every line is one, else one article."""
    fetched_at = now or utc_now()
    lines = listed_lines(text)
    if lines and all(is_http(line) for _, line in lines):
        return _url_items(text, "<stdin>", fetched_at)
    if not text.strip():
        raise InputError("standard input is empty")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    item = IngestItem(
        id=f"stdin:{digest}", location="<stdin>", feed_date=None, fetched_at=fetched_at, text=text
    )
    return [item], []


@dataclass(frozen=True)
class DigestSources:
    """Where a digest's articles come from; any combination of the four kinds."""

    feeds: Path | None = None
    urls: Path | None = None
    directory: Path | None = None
    stdin_text: str | None = None

    @property
    def empty(self) -> bool:
        """True when no source is given."""
        return (self.feeds, self.urls, self.directory, self.stdin_text) == (None,) * 4

    def collect(
        self, *, settings: Settings, now: dt.datetime | None = None
    ) -> tuple[list[IngestItem], list[ItemFailure]]:
        """Every item of every source (first occurrence of an id wins), and the failures."""
        if self.empty:
            raise InputError("no source given: use --feeds, --urls, --dir or --stdin")
        now = now or utc_now()
        items: list[IngestItem] = []
        failures: list[ItemFailure] = []
        if self.feeds is not None:
            found, failed = read_feed_list(self.feeds, settings=settings, now=now)
            items += found
            failures += failed
        if self.urls is not None:
            found, failed = read_url_list(self.urls, now=now)
            items += found
            failures += failed
        if self.directory is not None:
            items += read_directory(self.directory, now=now)
        if self.stdin_text is not None:
            found, failed = read_stdin(self.stdin_text, now=now)
            items += found
            failures += failed
        return unique_items(items), failures


# --- summarizing ----------------------------------------------------------------------------


def _failure_text(error: Exception) -> str:
    if isinstance(error, SummarizerError):
        return redact_text(str(error))
    return redact_text(f"{type(error).__name__}: {' '.join(str(error).split())[:300]}")


async def summarize_items(
    items: Sequence[IngestItem],
    *,
    settings: Settings,
    concurrency: int = DEFAULT_CONCURRENCY,
    summarize: SummarizeFunction | None = None,
    on_result: Callable[[IngestItem, ArticleReport | None, str | None], None] | None = None,
) -> SummaryBatch:
    """Summarize every item, at most ``concurrency`` at once.

    An item that fails (fetch error, no valid answer, even an unexpected exception) is
    recorded in :attr:`SummaryBatch.failures` and skipped; the others go on.
    ``on_result(item, report, error)`` is called as each item finishes (for progress).
    Results come back in input order.
    """
    if concurrency < 1:
        raise InputError("concurrency must be at least 1")
    if summarize is None:
        from summarizer.api import asummarize

        summarize = asummarize
    run = summarize
    semaphore = asyncio.Semaphore(concurrency)

    async def one(item: IngestItem) -> ArticleReport | str:
        async with semaphore:
            try:
                report = await run(item.source(), published=item.published, settings=settings)
            except Exception as error:  # one item never aborts the digest
                message = _failure_text(error)
                if on_result is not None:
                    on_result(item, None, message)
                return message
            if on_result is not None:
                on_result(item, report, None)
            return report

    outcomes = await asyncio.gather(*(one(item) for item in items))
    batch = SummaryBatch()
    for item, outcome in zip(items, outcomes, strict=True):
        if isinstance(outcome, str):
            batch.failures.append(ItemFailure(_shown_location(item), outcome, item.id))
        else:
            batch.summarized.append(SummarizedItem(item, outcome))
    return batch


def _shown_location(item: IngestItem) -> str:
    return shown_url(item.location) if item.url else item.location


def select_items(
    sources: DigestSources,
    *,
    settings: Settings,
    since: dt.timedelta | None = None,
    skip_ids: Iterable[str] = (),
    now: dt.datetime | None = None,
) -> tuple[list[IngestItem], list[ItemFailure]]:
    """The items to summarize: every source's, recent ones only with ``since``, minus
    ``skip_ids`` (e.g. what the ledger says was posted already)."""
    now = now or utc_now()
    items, failures = sources.collect(settings=settings, now=now)
    if since is not None:
        items = filter_since(items, since, now=now)
    skipped = set(skip_ids)
    return [item for item in items if item.id not in skipped], failures


def digest_articles(batch: SummaryBatch) -> list[DigestArticle]:
    """The summarized items as digest input (id, record, link, feed title)."""
    from summarizer.slack.digest import DigestArticle

    return [
        DigestArticle(
            article_id=done.item.id,
            report=done.report,
            url=done.item.url,
            source_name=done.item.source_name,
        )
        for done in batch.summarized
    ]
