"""The one reader of "many articles": directories, list files, JSONL and standard input
as :class:`~summarizer.batch._inputs.BatchInput` s, under one set of rules (see
:mod:`summarizer.batch.inputs`, their public face; feeds are in :mod:`._feeds`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from summarizer.batch._inputs import BatchInput
from summarizer.errors import InputError
from summarizer.text.sources import is_url

__all__ = [
    "ARTICLE_SUFFIXES",
    "listed_lines",
    "read_directory",
    "read_file",
    "read_inputs",
    "read_list_file",
    "read_stdin",
    "shown_url",
    "unique_items",
    "utc_now",
]

#: The files a directory contributes (any case); every other file is skipped.
ARTICLE_SUFFIXES = frozenset({".txt", ".text", ".md", ".html", ".htm", ".xhtml", ".shtml"})


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


def read_list_file(path: Path, what: str | None = None) -> str:
    """The UTF-8 text of a list file (URLs, paths, feeds or JSONL).

    Raises:
        InputError: missing, not a regular file, unreadable or not UTF-8.
    """
    try:
        if path.exists() and not path.is_file():  # a FIFO would block, a device not end
            raise InputError(f"{path} is not a regular file (a pipe, socket or device)")
        return path.read_text("utf-8")
    except FileNotFoundError:
        missing = f"no such {what} file" if what else "no such file or directory"
        raise InputError(f"{missing}: {path}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text") from None
    except (OSError, ValueError) as error:  # also a name with a lone surrogate
        reason = getattr(error, "strerror", None) or error
        raise InputError(f"cannot read the {what or 'input list'} {path}: {reason}") from None


def unique_items(items: Iterable[BatchInput]) -> list[BatchInput]:
    """The items in order, the first of each :attr:`~BatchInput.key` only."""
    seen: set[str] = set()
    kept = []
    for item in items:
        if item.key not in seen:
            seen.add(item.key)
            kept.append(item)
    return kept


def _resolved(path: Path) -> Path:
    """``path`` made absolute; as it is when it cannot be (loading it reports why)."""
    try:
        return path.resolve()
    except (OSError, ValueError):
        return path.absolute()


def read_directory(path: Path, *, now: dt.datetime | None = None) -> list[BatchInput]:
    """The article files under ``path``: a recursive walk keeping the files whose suffix
    is in :data:`ARTICLE_SUFFIXES`, skipping hidden files and hidden directories, sorted
    by path. The id is the path relative to ``path`` (``sub/a.txt``); the modification
    time stands for the feed date.

    Raises:
        InputError: ``path`` is not a directory.
    """
    if not path.is_dir():
        raise InputError(f"{path} is not a directory")
    fetched_at = now or utc_now()
    items = []
    for file in sorted(path.rglob("*")):
        relative = file.relative_to(path)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if file.suffix.lower() not in ARTICLE_SUFFIXES or not file.is_file():
            continue
        resolved = file.resolve()
        mtime = dt.datetime.fromtimestamp(resolved.stat().st_mtime, dt.UTC)
        items.append(
            BatchInput(
                id=relative.as_posix(),
                path=resolved,
                feed_date=mtime,
                fetched_at=fetched_at,
                title=file.stem,
            )
        )
    return items


def _list_line(line: str, directory: Path, now: dt.datetime | None) -> BatchInput:
    if is_url(line):
        return BatchInput(id=line, url=line, fetched_at=now)
    return BatchInput(id=line, path=_resolved((directory / line).expanduser()), fetched_at=now)


def read_stdin(text: str, *, now: dt.datetime | None = None) -> list[BatchInput]:
    """Standard input: URLs one a line when every listed line is one, else one article
    (id ``stdin:`` and a hash of the text)."""
    fetched_at = now or utc_now()
    lines = listed_lines(text)
    if lines and all(is_url(line) for _, line in lines):
        return unique_items(
            BatchInput(id=line, url=line, fetched_at=fetched_at) for _, line in lines
        )
    if not text.strip():
        raise InputError("standard input is empty")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return [BatchInput(id=f"stdin:{digest}", text=text, fetched_at=fetched_at)]


def _date(value: Any, where: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InputError(
            f"{where}: published must be a date like 2019-08-11, not {value!r}"
        ) from None


def _from_json_line(data: Any, number: int, origin: Path) -> BatchInput:
    where = f"line {number} of {origin}"
    if not isinstance(data, dict):
        raise InputError(f"{where} is not a JSON object")
    unknown = set(data) - {"id", "text", "url", "path", "published", "outlet"}
    if unknown:
        raise InputError(f"{where} has unknown keys: {', '.join(sorted(unknown))}")
    path = data.get("path")
    return BatchInput(
        id=str(data.get("id") or f"line-{number}"),
        text=data.get("text"),
        url=data.get("url"),
        path=_resolved(origin.parent / str(path)) if path is not None else None,
        published=_date(data.get("published"), where),
        outlet=data.get("outlet"),
    )


def _is_jsonl(path: Path, first: str) -> bool:
    return path.suffix.lower() in (".jsonl", ".ndjson") or first.lstrip().startswith("{")


def read_file(path: Path, *, now: dt.datetime | None = None) -> list[BatchInput]:
    """A JSONL file of ``{id, text|url|path, published, outlet}`` (``.jsonl``/``.ndjson``
    or a first line starting with ``{``; paths relative to the file), else a list file
    (one http(s) URL or file path a line,
    relative to the list's directory; blank lines and ``#`` comments skipped; the id is the
    line).

    Raises InputError on a missing file or a malformed line.
    """
    text = read_list_file(path)
    first = next((line for line in text.splitlines() if line.strip()), "")
    if not _is_jsonl(path, first):
        return [_list_line(line, path.parent, now) for _, line in listed_lines(text)]
    inputs = []
    for number, line in listed_lines(text):
        try:
            data = json.loads(line)
        except ValueError:
            raise InputError(f"line {number} of {path} is not JSON") from None
        inputs.append(dataclasses.replace(_from_json_line(data, number, path), fetched_at=now))
    return inputs


def read_inputs(path: Path) -> list[BatchInput]:
    """What ``summarizer batch`` reads: a directory (:func:`read_directory`) or a JSONL or
    list file (:func:`read_file`).

    Raises InputError on a missing path, a malformed line or a duplicate id.
    """
    path = Path(path).expanduser()
    inputs = read_directory(path) if path.is_dir() else read_file(path)
    seen: set[str] = set()
    for item in inputs:
        if item.id in seen:
            raise InputError(f"duplicate input id {item.id!r} in {path}; ids must be unique")
        seen.add(item.id)
    return inputs
