"""RSS/Atom feeds: fetched with httpx under the time and size limits and the
User-Agent of :class:`~summarizer.settings.Settings`, then parsed from bytes by
feedparser (which never touches the network or the disk itself). Only http(s) item
links are kept. Each item is a :class:`~summarizer.batch.inputs.BatchInput` whose id is
the item's guid (else its link). Public through :mod:`summarizer.batch.inputs`.
"""

from __future__ import annotations

import datetime as dt
import io
import time
from pathlib import Path
from typing import Any

import httpx

from summarizer.batch._inputs import BatchInput, ItemFailure
from summarizer.batch._reader import (
    listed_lines,
    read_list_file,
    shown_url,
    unique_items,
    utc_now,
)
from summarizer.errors import (
    ConfigurationError,
    FetchError,
    InputError,
    SummarizerError,
    redact_text,
)
from summarizer.settings import Settings
from summarizer.text.fetch_guard import GuardedTransport
from summarizer.text.sources import is_url

__all__ = ["parse_feed", "read_feed", "read_feed_list"]

_FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"
)
_MAX_REDIRECTS = 5


def _fetch_feed(url: str, settings: Settings) -> tuple[bytes, str, str | None]:
    """The feed's bytes, final URL and content type: bounded in time and size."""
    shown = shown_url(url)
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
) -> tuple[list[BatchInput], list[ItemFailure]]:
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
        raise InputError(f"{shown_url(url)} is not an RSS or Atom feed")
    fetched_at = now or utc_now()
    feed_title = _text_or_none(parsed.feed.get("title"))
    items: list[BatchInput] = []
    failures: list[ItemFailure] = []
    seen: set[str] = set()
    for entry in parsed.entries:
        link = _text_or_none(entry.get("link"))
        item_id = _text_or_none(entry.get("id")) or link
        if link is None or not is_url(link):
            failures.append(
                ItemFailure(
                    shown_url(url),
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
            BatchInput(
                id=item_id,
                url=link,
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
) -> tuple[list[BatchInput], list[ItemFailure]]:
    """Fetch an RSS/Atom feed and list its items (and the items without a usable link).

    Raises:
        FetchError: the feed cannot be fetched; InputError: it is not a feed.
    """
    if not is_url(url):
        raise InputError(f"{url!r} is not an http(s) feed URL")
    data, final_url, content_type = _fetch_feed(url.strip(), settings)
    return parse_feed(data, url=final_url, content_type=content_type, now=now)


def read_feed_list(
    path: Path, *, settings: Settings, now: dt.datetime | None = None
) -> tuple[list[BatchInput], list[ItemFailure]]:
    """Every item of every feed listed in ``path`` (one feed URL a line, ``#`` comments).

    A feed that cannot be read is a failure of its own; the other feeds still count.
    """
    items: list[BatchInput] = []
    failures: list[ItemFailure] = []
    for number, line in listed_lines(read_list_file(path, "feeds")):
        if not is_url(line):
            failures.append(ItemFailure(f"{path}:{number}", f"not an http(s) URL: {line!r}"))
            continue
        try:
            feed_items, feed_failures = read_feed(line, settings=settings, now=now)
        except SummarizerError as error:
            failures.append(ItemFailure(shown_url(line), redact_text(str(error))))
            continue
        items += feed_items
        failures += feed_failures
    return unique_items(items), failures
