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
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
import re
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit, urlunsplit

import httpx

from summarizer.errors import (
    ConfigurationError,
    FetchError,
    InputError,
    SummarizerError,
    redact_text,
)
from summarizer.schema import ArticleReport
from summarizer.settings import Settings
from summarizer.text.fetch_guard import GuardedTransport

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

DEFAULT_CONCURRENCY = 4
ARTICLE_SUFFIXES = frozenset({".txt", ".text", ".md", ".html", ".htm", ".xhtml", ".shtml"})
_FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"
)
_MAX_REDIRECTS = 5


@dataclass(frozen=True)
class IngestItem:
    """One article to summarize.

    Attributes:
        id: stable identity: the feed item's guid (else its link), the URL, ``file:`` and
            the absolute path, or ``stdin:`` and a hash of the text.
        location: the http(s) URL or the file path (``<stdin>`` for standard input).
        feed_date: when the feed says the item was published or updated (for files: the
            modification time), timezone-aware; None when unknown.
        fetched_at: when the item was listed (timezone-aware).
        title: the feed item's title, if any.
        source_name: the feed's title (or the directory name), shown when the article
            names no outlet.
        published: the publication date to resolve 'on Sunday' with (feed items only).
        text: the article itself, for standard input.
    """

    id: str
    location: str
    feed_date: dt.datetime | None
    fetched_at: dt.datetime
    title: str | None = None
    source_name: str | None = None
    published: dt.date | None = None
    text: str | None = None

    @property
    def when(self) -> dt.datetime:
        """The item's date for ``--since``: the feed date, else the fetch time."""
        return self.feed_date or self.fetched_at

    @property
    def url(self) -> str | None:
        """The http(s) URL of the item, if it is one."""
        return self.location if _is_http(self.location) else None

    def source(self) -> str | Path:
        """What :func:`summarizer.api.asummarize` is given: a URL, a path or the text."""
        if self.text is not None:
            return self.text
        if self.url is not None:
            return self.location
        return Path(self.location)


@dataclass(frozen=True)
class ItemFailure:
    """An item (or a whole feed) that could not be read or summarized: one line to report."""

    location: str
    error: str
    item_id: str | None = None


@dataclass(frozen=True)
class SummarizedItem:
    """An item and its validated record."""

    item: IngestItem
    report: ArticleReport


@dataclass
class SummaryBatch:
    """What :func:`summarize_items` returns: records in input order, and what failed."""

    summarized: list[SummarizedItem] = field(default_factory=list)
    failures: list[ItemFailure] = field(default_factory=list)


class SummarizeFunction(Protocol):
    """The signature of :func:`summarizer.api.asummarize`, which tests may replace."""

    def __call__(
        self,
        source: str | Path,
        *,
        published: dt.date | None = ...,
        settings: Settings | None = ...,
    ) -> Awaitable[ArticleReport]:
        """Summarize one source."""
        ...


# --- small helpers ---------------------------------------------------------------------


def _is_http(text: str) -> bool:
    return re.fullmatch(r"https?://\S+", text.strip(), re.IGNORECASE) is not None


def _shown(url: str) -> str:
    """A URL for messages: no credentials, no query string (it may hold keys)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<invalid URL>"
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, netloc, parts.path, "?…" if parts.query else "", ""))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _lines(text: str) -> list[tuple[int, str]]:
    """Numbered non-blank lines that are not ``#`` comments."""
    return [
        (number, line.strip())
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]


def _read_list_file(path: Path, what: str) -> str:
    try:
        return path.read_text("utf-8")
    except FileNotFoundError:
        raise InputError(f"no such {what} file: {path}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text") from None
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror or type(error).__name__}") from None


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
    cutoff = (now or _now()) - since
    return [item for item in items if item.when >= cutoff]


# --- feeds -------------------------------------------------------------------------------


def _fetch_feed(url: str, settings: Settings) -> tuple[bytes, str, str | None]:
    """The feed's bytes, final URL and content type: bounded in time and size."""
    shown = _shown(url)
    started = time.monotonic()
    headers = {"User-Agent": settings.user_agent, "Accept": _FEED_ACCEPT}
    try:
        with (
            httpx.Client(
                timeout=httpx.Timeout(settings.fetch_timeout),
                follow_redirects=True,
                max_redirects=_MAX_REDIRECTS,
                headers=headers,
                transport=GuardedTransport() if settings.fetch_guard else None,
            ) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code >= 300:
                raise FetchError(f"HTTP {response.status_code} fetching the feed {shown}")
            length = str(response.headers.get("content-length", ""))
            if length.isdigit() and int(length) > settings.max_fetch_bytes:
                raise FetchError(_feed_too_large(shown, settings))
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > settings.max_fetch_bytes:
                    raise FetchError(_feed_too_large(shown, settings))
                if time.monotonic() - started > settings.fetch_timeout:
                    raise FetchError(
                        f"timed out after {settings.fetch_timeout:g}s fetching the feed {shown}"
                    )
            content_type = response.headers.get("content-type")
            return bytes(body), str(response.url), content_type
    except httpx.TimeoutException:
        raise FetchError(
            f"timed out after {settings.fetch_timeout:g}s fetching the feed {shown}"
        ) from None
    except httpx.TooManyRedirects:
        raise FetchError(f"redirect loop fetching the feed {shown}") from None
    except (httpx.InvalidURL, httpx.UnsupportedProtocol):
        raise FetchError(f"invalid feed URL {shown}") from None
    except httpx.HTTPError as error:
        reason = " ".join(str(error).split())[:200] or type(error).__name__
        raise FetchError(f"could not fetch the feed {shown}: {reason}") from None


def _feed_too_large(shown: str, settings: Settings) -> str:
    return (
        f"the feed {shown} is larger than {settings.max_fetch_bytes} bytes; "
        "raise SUMMARIZER_MAX_FETCH_BYTES"
    )


def _entry_date(entry: Any) -> dt.datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            try:
                year, month, day, hour, minute, second = parsed[:6]
                return dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC)
            except (TypeError, ValueError):
                continue
    return None


def _text_or_none(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return " ".join(value.split())
    return None


def parse_feed(
    data: bytes,
    *,
    url: str,
    content_type: str | None = None,
    now: dt.datetime | None = None,
) -> tuple[list[IngestItem], list[ItemFailure]]:
    """The items of RSS/Atom bytes fetched from ``url`` (relative links resolve against it).

    Raises:
        InputError: the bytes are not an RSS or Atom feed.
    """
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    try:
        import feedparser
    except ImportError:
        raise ConfigurationError(
            "reading feeds needs feedparser: pip install 'summarizer[slack]'"
        ) from None
    # A stream, never bytes or str: feedparser treats a string as a URL or a file name.
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers)
    if not parsed.get("version") and not parsed.entries:
        raise InputError(f"{_shown(url)} is not an RSS or Atom feed")
    fetched_at = now or _now()
    feed_title = _text_or_none(parsed.feed.get("title"))
    items: list[IngestItem] = []
    failures: list[ItemFailure] = []
    seen: set[str] = set()
    for entry in parsed.entries:
        link = _text_or_none(entry.get("link"))
        item_id = _text_or_none(entry.get("id")) or link
        if link is None or not _is_http(link):
            failures.append(
                ItemFailure(
                    _shown(url),
                    f"feed item {entry.get('title', '')!r} has no http(s) link",
                    item_id,
                )
            )
            continue
        if item_id is None or item_id in seen:
            continue
        seen.add(item_id)
        feed_date = _entry_date(entry)
        items.append(
            IngestItem(
                id=item_id,
                location=link,
                feed_date=feed_date,
                fetched_at=fetched_at,
                title=_text_or_none(entry.get("title")),
                source_name=feed_title,
                published=feed_date.date() if feed_date else None,
            )
        )
    return items, failures


def read_feed(
    url: str, *, settings: Settings, now: dt.datetime | None = None
) -> tuple[list[IngestItem], list[ItemFailure]]:
    """Fetch an RSS/Atom feed and list its items (and the items without a usable link).

    Raises:
        FetchError: the feed cannot be fetched; InputError: it is not a feed.
    """
    if not _is_http(url):
        raise InputError(f"{url!r} is not an http(s) feed URL")
    data, final_url, content_type = _fetch_feed(url.strip(), settings)
    return parse_feed(data, url=final_url, content_type=content_type, now=now)


def read_feed_list(
    path: Path, *, settings: Settings, now: dt.datetime | None = None
) -> tuple[list[IngestItem], list[ItemFailure]]:
    """Every item of every feed listed in ``path`` (one feed URL a line, ``#`` comments).

    A feed that cannot be read is a failure of its own; the other feeds still count.
    """
    items: list[IngestItem] = []
    failures: list[ItemFailure] = []
    for number, line in _lines(_read_list_file(path, "feeds")):
        if not _is_http(line):
            failures.append(ItemFailure(f"{path}:{number}", f"not an http(s) URL: {line!r}"))
            continue
        try:
            feed_items, feed_failures = read_feed(line, settings=settings, now=now)
        except SummarizerError as error:
            failures.append(ItemFailure(_shown(line), redact_text(str(error))))
            continue
        items += feed_items
        failures += feed_failures
    return _unique(items), failures


def _unique(items: Iterable[IngestItem]) -> list[IngestItem]:
    seen: set[str] = set()
    kept = []
    for item in items:
        if item.id not in seen:
            seen.add(item.id)
            kept.append(item)
    return kept


# --- URL lists, directories, standard input -----------------------------------------------


def _url_items(
    text: str, origin: str, now: dt.datetime
) -> tuple[list[IngestItem], list[ItemFailure]]:
    items: list[IngestItem] = []
    failures: list[ItemFailure] = []
    for number, line in _lines(text):
        if _is_http(line):
            items.append(IngestItem(id=line, location=line, feed_date=None, fetched_at=now))
        else:
            failures.append(ItemFailure(f"{origin}:{number}", f"not an http(s) URL: {line!r}"))
    return _unique(items), failures


def read_url_list(
    path: Path, *, now: dt.datetime | None = None
) -> tuple[list[IngestItem], list[ItemFailure]]:
    """The URLs listed in ``path``, one a line (blank lines and ``#`` comments skipped)."""
    return _url_items(_read_list_file(path, "URL list"), str(path), now or _now())


def read_directory(path: Path, *, now: dt.datetime | None = None) -> list[IngestItem]:
    """The article files (``.txt``, ``.md``, ``.html``…) directly in ``path``, by name.

    The modification time stands for the feed date. Hidden files are skipped.

    Raises:
        InputError: ``path`` is not a directory.
    """
    if not path.is_dir():
        raise InputError(f"{path} is not a directory")
    fetched_at = now or _now()
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
    fetched_at = now or _now()
    lines = _lines(text)
    if lines and all(_is_http(line) for _, line in lines):
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
        now = now or _now()
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
        return _unique(items), failures


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
    return _shown(item.location) if item.url else item.location


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
    now = now or _now()
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
