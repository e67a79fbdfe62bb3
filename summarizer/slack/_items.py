"""What digests are made from: :class:`IngestItem` (one article to summarize), the
results of summarizing many, and the small helpers every reader of items shares.
Public through :mod:`summarizer.slack.feeds`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Awaitable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

from summarizer.errors import InputError
from summarizer.schema import ArticleReport
from summarizer.settings import Settings

__all__ = [
    "ARTICLE_SUFFIXES",
    "DEFAULT_CONCURRENCY",
    "IngestItem",
    "ItemFailure",
    "SummarizeFunction",
    "SummarizedItem",
    "SummaryBatch",
    "is_http",
    "listed_lines",
    "read_list_file",
    "shown_url",
    "unique_items",
    "utc_now",
]

DEFAULT_CONCURRENCY = 4
ARTICLE_SUFFIXES = frozenset({".txt", ".text", ".md", ".html", ".htm", ".xhtml", ".shtml"})


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
        return self.location if is_http(self.location) else None

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


def is_http(text: str) -> bool:
    return re.fullmatch(r"https?://\S+", text.strip(), re.IGNORECASE) is not None


def shown_url(url: str) -> str:
    """A URL for messages: no credentials, no query string (it may hold keys)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<invalid URL>"
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, netloc, parts.path, "?…" if parts.query else "", ""))


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def listed_lines(text: str) -> list[tuple[int, str]]:
    """Numbered non-blank lines that are not ``#`` comments."""
    return [
        (number, line.strip())
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]


def read_list_file(path: Path, what: str) -> str:
    try:
        return path.read_text("utf-8")
    except FileNotFoundError:
        raise InputError(f"no such {what} file: {path}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text") from None
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror or type(error).__name__}") from None


def unique_items(items: Iterable[IngestItem]) -> list[IngestItem]:
    seen: set[str] = set()
    kept = []
    for item in items:
        if item.id not in seen:
            seen.add(item.id)
            kept.append(item)
    return kept
