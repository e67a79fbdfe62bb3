"""Digest input: where a digest's articles come from and summarizing them.

The items are :class:`~summarizer.batch.inputs.BatchInput` s read by the one reader of
:mod:`summarizer.batch.inputs` (feeds, list files, a directory, standard input: the same
rules as ``summarizer batch``) and summarized by the one runner,
:func:`summarizer.batch.runner.asummarize_many` (bounded concurrency, the result cache).

:func:`filter_since` keeps recent items (``--since 24h``, parsed by :func:`parse_duration`)
by feed date, else by fetch time. :func:`summarize_items` summarizes items, at most four
at a time; an item that fails is reported in :attr:`SummaryBatch.failures` and skipped,
never aborting the rest.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from summarizer.batch.cache import ResultCache
from summarizer.batch.inputs import (
    BatchInput,
    BatchResult,
    InputSources,
    ItemFailure,
    shown_url,
    utc_now,
)
from summarizer.batch.runner import asummarize_many
from summarizer.errors import InputError, redact_text
from summarizer.schema import ArticleReport
from summarizer.settings import Settings

if TYPE_CHECKING:
    from summarizer.slack.digest import DigestArticle

__all__ = [
    "DEFAULT_CONCURRENCY",
    "SummarizedItem",
    "SummaryBatch",
    "digest_articles",
    "filter_since",
    "parse_duration",
    "select_items",
    "summarize_items",
]

DEFAULT_CONCURRENCY = 4


@dataclass(frozen=True)
class SummarizedItem:
    """An item and its validated record."""

    item: BatchInput
    report: ArticleReport


@dataclass
class SummaryBatch:
    """What :func:`summarize_items` returns: records in input order, and what failed."""

    summarized: list[SummarizedItem] = field(default_factory=list)
    failures: list[ItemFailure] = field(default_factory=list)


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
    items: Iterable[BatchInput], since: dt.timedelta, *, now: dt.datetime | None = None
) -> list[BatchInput]:
    """The items whose feed date (else fetch time) is within ``since`` of ``now``."""
    now = now or utc_now()
    cutoff = now - since
    return [item for item in items if (item.feed_date or item.fetched_at or now) >= cutoff]


# --- summarizing ----------------------------------------------------------------------------


def _failure_text(result: BatchResult) -> str:
    failure = result.failure
    assert failure is not None
    if failure.exit_code != 1:  # one of summarizer's errors: its message says it all
        return redact_text(failure.message)
    return redact_text(f"{failure.error}: {failure.message[:300]}")


def _shown_location(item: BatchInput) -> str:
    return shown_url(item.url) if item.url is not None else item.location


async def summarize_items(
    items: Sequence[BatchInput],
    *,
    settings: Settings,
    concurrency: int = DEFAULT_CONCURRENCY,
    cache: ResultCache | bool = True,
    on_result: Callable[[BatchInput, ArticleReport | None, str | None], None] | None = None,
) -> SummaryBatch:
    """Summarize every item with :func:`~summarizer.batch.runner.asummarize_many`, at most
    ``concurrency`` at once, through the result cache (``cache``: as there).

    An item that fails (fetch error, no valid answer, even an unexpected exception) is
    recorded in :attr:`SummaryBatch.failures` and skipped; the others go on. An endpoint
    failure is not retried beyond the client's own retries.
    ``on_result(item, report, error)`` is called as each item finishes (for progress).
    Results come back in input order.
    """
    if concurrency < 1:
        raise InputError("concurrency must be at least 1")
    # the runner keys its results by id: the position, as items from several sources
    # (a directory's relative paths, a list's lines) may share an id
    numbered = [dataclasses.replace(item, id=str(n)) for n, item in enumerate(items)]
    outcomes: dict[int, BatchResult] = {}
    async for result in asummarize_many(
        numbered, concurrency=concurrency, settings=settings, cache=cache, retries=0
    ):
        index = int(result.id)
        outcomes[index] = result
        if on_result is not None:
            error = None if result.ok else _failure_text(result)
            on_result(items[index], result.report, error)
    batch = SummaryBatch()
    for index, item in enumerate(items):
        result = outcomes[index]
        if result.report is not None:
            batch.summarized.append(SummarizedItem(item, result.report))
        else:
            batch.failures.append(
                ItemFailure(_shown_location(item), _failure_text(result), item.key)
            )
    return batch


def select_items(
    sources: InputSources,
    *,
    settings: Settings,
    since: dt.timedelta | None = None,
    skip_ids: Iterable[str] = (),
    now: dt.datetime | None = None,
) -> tuple[list[BatchInput], list[ItemFailure]]:
    """The items to summarize: every source's, recent ones only with ``since``, minus
    ``skip_ids`` (e.g. what the ledger says was posted already)."""
    now = now or utc_now()
    items, failures = sources.collect(settings=settings, now=now)
    if since is not None:
        items = filter_since(items, since, now=now)
    skipped = set(skip_ids)
    return [item for item in items if item.key not in skipped], failures


def digest_articles(batch: SummaryBatch) -> list[DigestArticle]:
    """The summarized items as digest input (id, record, link, feed title)."""
    from summarizer.slack.digest import DigestArticle

    return [
        DigestArticle(
            article_id=done.item.key,
            report=done.report,
            url=done.item.url,
            source_name=done.item.source_name,
        )
        for done in batch.summarized
    ]
