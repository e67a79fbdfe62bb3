"""Where many articles come from: one input model, :class:`BatchInput`, and one reader,
with one set of rules for ``summarizer batch``, ``summarizer digest`` and the Slack bot.

* **directory** (:func:`read_directory`): a recursive walk keeping the files whose suffix
  is one of ``.txt .text .md .html .htm .xhtml .shtml`` (any case), skipping hidden
  files and everything under hidden directories, sorted by path; the id is the path
  relative to the directory, the modification time the feed date;
* **list file** (:func:`read_file`): one http(s) URL or file path a line (a path is
  relative to the list's directory), blank lines and ``#`` comments skipped; the id is
  the line;
* **JSONL** (:func:`read_file` too, for ``.jsonl``/``.ndjson`` or a first line starting
  with ``{``): one ``{id, text|url|path, published, outlet}`` a line. ``batch INPUT`` and
  ``digest --urls`` (alias ``--list``) take either;
* **feeds** (:func:`read_feed_list`, :func:`read_feed`, :func:`parse_feed`): RSS/Atom
  items with an http(s) link; the id is the item's guid, else its link;
* **standard input** (:func:`read_stdin`): URLs one a line when every line is one, else
  one article.

:func:`read_inputs` is what ``summarizer batch`` reads (a directory, a JSONL or a list
file; ids must be unique). :attr:`BatchInput.key` is an item's identity across runs
(``file:`` and the absolute path for a file), which the Slack ledger records.
:class:`InputSources` reads any combination of feeds, a list, a directory and standard
input (``summarizer digest``, the bot). What reads no input is an :class:`ItemFailure`
(feeds) or an ``InputError``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from summarizer.batch._feeds import parse_feed, read_feed, read_feed_list
from summarizer.batch._inputs import BatchFailure, BatchInput, BatchResult, ItemFailure
from summarizer.batch._reader import (
    ARTICLE_SUFFIXES,
    read_directory,
    read_file,
    read_inputs,
    read_stdin,
    shown_url,
    unique_items,
    utc_now,
)
from summarizer.errors import InputError
from summarizer.settings import Settings

__all__ = [
    "ARTICLE_SUFFIXES",
    "BatchFailure",
    "BatchInput",
    "BatchResult",
    "InputSources",
    "ItemFailure",
    "parse_feed",
    "read_directory",
    "read_feed",
    "read_feed_list",
    "read_file",
    "read_inputs",
    "read_stdin",
    "shown_url",
    "unique_items",
    "utc_now",
]


@dataclass(frozen=True)
class InputSources:
    """Where the articles of a digest (or the bot) come from; any combination of the
    four kinds, each read by this module's reader."""

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
    ) -> tuple[list[BatchInput], list[ItemFailure]]:
        """Every item of every source (the first of each key wins), and the failures."""
        if self.empty:
            raise InputError("no source given: use --feeds, --urls, --dir or --stdin")
        now = now or utc_now()
        items: list[BatchInput] = []
        failures: list[ItemFailure] = []
        if self.feeds is not None:
            found, failed = read_feed_list(self.feeds, settings=settings, now=now)
            items += found
            failures += failed
        if self.urls is not None:
            items += read_file(self.urls, now=now)
        if self.directory is not None:
            items += read_directory(self.directory, now=now)
        if self.stdin_text is not None:
            items += read_stdin(self.stdin_text, now=now)
        return unique_items(items), failures
