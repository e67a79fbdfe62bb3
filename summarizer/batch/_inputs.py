"""The one input model of "many articles" and its outcomes: :class:`BatchInput` (what
``summarizer batch``, the digest and the bot summarize), :class:`BatchFailure`,
:class:`BatchResult`, and :class:`ItemFailure` (a source that could not be read)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

from summarizer.errors import ExtractionFailed, InputError, SummarizerError
from summarizer.schema import ArticleReport

__all__ = ["BatchFailure", "BatchInput", "BatchResult", "ItemFailure"]

_Source: TypeAlias = str | Path


@dataclass(frozen=True)
class BatchInput:
    """One article of a batch: an id and exactly one of ``text``, ``url`` or ``path``.

    Attributes:
        id: unique within the batch; results and failures are keyed by it.
        text: the article itself (plain text or HTML), never read as a path or URL.
        url: an http(s) URL to fetch.
        path: a file to read.
        published: publication date, to resolve "on Sunday" to a date.
        outlet: the outlet the article came from.
        feed_date: when the feed says the item was published or updated (for files: the
            modification time), timezone-aware; None when unknown. Used by ``--since``.
        fetched_at: when the item was listed (timezone-aware), if known.
        title: the feed item's title (for files: the file name without its suffix).
        source_name: the feed's title, shown when the article names no outlet.
    """

    id: str
    text: str | None = None
    url: str | None = None
    path: Path | None = None
    published: dt.date | None = None
    outlet: str | None = None
    feed_date: dt.datetime | None = None
    fetched_at: dt.datetime | None = None
    title: str | None = None
    source_name: str | None = None

    def __post_init__(self) -> None:
        if not self.id:
            raise InputError("a batch input needs a non-empty id")
        given = [name for name in ("text", "url", "path") if getattr(self, name) is not None]
        if len(given) != 1:
            raise InputError(
                f"batch input {self.id!r} needs exactly one of text, url or path "
                f"(got {', '.join(given) or 'none'})"
            )

    @property
    def source(self) -> _Source:
        """What :func:`summarizer.text.sources.load_source` loads."""
        if self.path is not None:
            return self.path
        return self.url if self.url is not None else str(self.text)

    @property
    def key(self) -> str:
        """The identity across runs and directories, which the Slack ledger records:
        ``file:`` and the absolute path for a file, else :attr:`id` (a feed item's guid,
        a URL, ``stdin:`` and a hash of the text)."""
        return f"file:{self.path}" if self.path is not None else self.id

    @property
    def location(self) -> str:
        """The URL or file path for messages (``<stdin>`` for text)."""
        if self.path is not None:
            return str(self.path)
        return self.url if self.url is not None else "<stdin>"

    def content_sha256(self) -> str:
        """SHA-256 of what this input is: the text, the URL, or the file's bytes, with the
        publication date and outlet. Resume compares it to know an input is unchanged."""
        digest = hashlib.sha256()
        if self.path is not None:
            digest.update(b"path\0")
            try:
                with self.path.open("rb") as file:
                    for block in iter(lambda: file.read(1 << 20), b""):
                        digest.update(block)
            except OSError as error:  # loading reports it; the hash only needs to be stable
                digest.update(f"unreadable {self.path}: {type(error).__name__}".encode())
        elif self.url is not None:
            digest.update(b"url\0" + self.url.encode("utf-8", errors="surrogatepass"))
        else:
            digest.update(b"text\0" + str(self.text).encode("utf-8", errors="surrogatepass"))
        extra = f"\0{self.published or ''}\0{self.outlet or ''}"
        digest.update(extra.encode("utf-8", errors="surrogatepass"))
        return digest.hexdigest()

    def check_unicode(self) -> None:
        """Raise InputError when a field holds a lone surrogate (``"bad\\ud800"`` from a
        JSONL escape): such text cannot be sent, stored or printed as UTF-8."""
        for name in ("id", "text", "url", "outlet"):
            value = getattr(self, name)
            try:
                (value or "").encode("utf-8")
            except UnicodeEncodeError:
                raise InputError(
                    f"the input's {name} is not valid Unicode (it holds a lone surrogate "
                    "such as \\ud800)"
                ) from None
        if self.path is not None:
            try:
                os.fsencode(self.path)
            except UnicodeEncodeError:
                raise InputError("the input's path is not valid Unicode") from None


@dataclass(frozen=True)
class ItemFailure:
    """A line of a list, a feed or a feed item that yields no input: one line to report
    (the input errors of a batch's own input file are raised instead)."""

    location: str
    error: str
    item_id: str | None = None


@dataclass(frozen=True)
class BatchFailure:
    """Why an input produced no record.

    Attributes:
        error: the error's class name (``InputError``, ``EndpointError``...).
        message: its one-line message.
        attempts: how many times the batch tried this input (each try includes the
            client's transport retries and validation re-asks); 0 if it never reached
            the model.
        exit_code: the exit code the command line would give this error.
        completions: for ``ExtractionFailed``, the model answers requested in the last try.
    """

    error: str
    message: str
    attempts: int
    exit_code: int
    completions: int | None = None

    @classmethod
    def from_exception(cls, error: BaseException, attempts: int) -> BatchFailure:
        """The failure record of an exception."""
        message = " ".join(str(error).split()) or type(error).__name__
        exit_code = error.exit_code if isinstance(error, SummarizerError) else 1
        completions = error.attempts if isinstance(error, ExtractionFailed) else None
        return cls(type(error).__name__, message, attempts, exit_code, completions)


@dataclass(frozen=True)
class BatchResult:
    """The outcome of one input: a record or a failure.

    Attributes:
        id: the input's id.
        input_sha256: :meth:`BatchInput.content_sha256` of the input.
        outcome: the validated record, or why there is none.
        cached: the record came from the result cache (no LLM call).
        seconds: wall time spent on this input.
    """

    id: str
    input_sha256: str
    outcome: ArticleReport | BatchFailure
    cached: bool = False
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when there is a record."""
        return isinstance(self.outcome, ArticleReport)

    @property
    def report(self) -> ArticleReport | None:
        """The record, if any."""
        return self.outcome if isinstance(self.outcome, ArticleReport) else None

    @property
    def failure(self) -> BatchFailure | None:
        """The failure, if any."""
        return self.outcome if isinstance(self.outcome, BatchFailure) else None

    def to_json(self) -> dict[str, Any]:
        """The line written to the results file (a record) or the failures file."""
        line: dict[str, Any] = {"id": self.id, "input_sha256": self.input_sha256}
        if isinstance(self.outcome, ArticleReport):
            line["cached"] = self.cached
            line["report"] = self.outcome.model_dump(mode="json")
        else:
            failure = self.outcome
            line |= {
                "error": failure.error,
                "message": failure.message,
                "attempts": failure.attempts,
                "exit_code": failure.exit_code,
                "completions": failure.completions,
            }
        return line
