"""The result cache: validated records keyed by everything that determines them.

A SQLite database (``<settings.cache_dir>/results.sqlite3`` by default, WAL mode) maps
a key to a stored :class:`~summarizer.schema.ArticleReport`. The key is the SHA-256 of
the cleaned article text, the model, the endpoint's base URL, the prompt version and
template hash, and the schema version (plus the chunk size for articles split into
chunks), so a changed prompt, model or schema never serves a stale record. A hit
returns the stored record without any LLM call; its provenance is that of the call
that made it.

One :class:`ResultCache` may be shared by many asyncio tasks (each operation is one
short statement under a lock) and by several processes (WAL mode and a busy timeout).
Counters of hits and misses are kept per instance, i.e. per run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from pydantic import ValidationError

from summarizer.errors import ConfigurationError
from summarizer.schema import SCHEMA_VERSION, ArticleReport
from summarizer.settings import Settings

__all__ = [
    "CACHE_ERRORS",
    "CACHE_FILE",
    "CacheStats",
    "ResultCache",
    "cache_key",
    "default_cache_path",
    "with_warnings",
]

#: What a cache read or write may raise. The cache is an optimisation: callers turn these
#: into a warning on the record, never into a failed input.
CACHE_ERRORS: tuple[type[Exception], ...] = (ConfigurationError, sqlite3.Error, OSError)


def with_warnings(report: ArticleReport, warnings: list[str]) -> ArticleReport:
    """``report`` with ``warnings`` added to its ``provenance.warnings``."""
    if not warnings:
        return report
    provenance = report.provenance.model_copy(
        update={"warnings": sorted({*report.provenance.warnings, *warnings})}
    )
    return report.model_copy(update={"provenance": provenance})


#: File name of the result cache inside ``settings.cache_dir``.
CACHE_FILE = "results.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    key TEXT PRIMARY KEY,
    report TEXT NOT NULL,
    model TEXT NOT NULL,
    created_at TEXT NOT NULL
)
"""


def default_cache_path(settings: Settings) -> Path:
    """``<settings.cache_dir>/results.sqlite3``."""
    return Path(settings.cache_dir) / CACHE_FILE


def cache_key(
    cleaned_text: str,
    *,
    model: str,
    base_url: str,
    prompt_version: str,
    prompt_sha256: str,
    schema_version: int = SCHEMA_VERSION,
    chunk_chars: int | None = None,
    published: dt.date | None = None,
    outlet: str | None = None,
    url: str | None = None,
) -> str:
    """The cache key: SHA-256 over every input that determines the record.

    ``chunk_chars`` is the chunk size for an article split into chunks (the chunks, and
    so the record, depend on it); None for an article sent in one request. The
    publication date (dates are resolved against it), outlet and URL are in the record
    too: the same text published elsewhere or on another day is another record.
    """
    material = [
        cleaned_text,
        model,
        base_url.rstrip("/"),
        prompt_version,
        prompt_sha256,
        schema_version,
        chunk_chars,
        None if published is None else published.isoformat(),
        outlet,
        url,
    ]
    return hashlib.sha256(json.dumps(material, ensure_ascii=False).encode()).hexdigest()


@dataclass(frozen=True)
class CacheStats:
    """Size of the cache and how this run used it."""

    path: Path
    entries: int
    size_bytes: int
    hits: int
    misses: int

    @property
    def hit_rate(self) -> float:
        """Hits over lookups of this run (0 when there were none)."""
        lookups = self.hits + self.misses
        return self.hits / lookups if lookups else 0.0


class ResultCache:
    """A SQLite cache of validated records; use as a context manager or :meth:`close`."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.hits = 0
        self.misses = 0
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                self.path, timeout=30, isolation_level=None, check_same_thread=False
            )
        except (OSError, sqlite3.Error) as error:
            raise ConfigurationError(
                f"cannot open the result cache {self.path}: {error}; set SUMMARIZER_CACHE_DIR"
            ) from error
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(_SCHEMA)
        except sqlite3.Error as error:
            self._db.close()
            raise ConfigurationError(
                f"the result cache {self.path} is not usable ({error}); remove it or run "
                "`summarizer cache clear`"
            ) from error

    @classmethod
    def for_settings(cls, settings: Settings) -> ResultCache:
        """The default cache of these settings (``<cache_dir>/results.sqlite3``)."""
        return cls(default_cache_path(settings))

    @contextlib.contextmanager
    def _locked(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                yield self._db
            except sqlite3.Error as error:
                raise ConfigurationError(f"result cache {self.path}: {error}") from error

    def get(self, key: str) -> ArticleReport | None:
        """The stored record for ``key`` (a hit), or None (a miss)."""
        with self._locked() as db:
            row = db.execute("SELECT report FROM results WHERE key = ?", (key,)).fetchone()
        report = None
        if row is not None:
            with contextlib.suppress(ValidationError, ValueError):
                report = ArticleReport.model_validate_json(row[0])
        with self._lock:  # callers run this in worker threads
            if report is None:
                self.misses += 1
            else:
                self.hits += 1
        return report

    def put(self, key: str, report: ArticleReport) -> None:
        """Store a record under ``key`` (replacing any older one)."""
        created = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self._locked() as db:
            db.execute(
                "INSERT OR REPLACE INTO results (key, report, model, created_at) "
                "VALUES (?, ?, ?, ?)",
                (key, report.model_dump_json(), report.provenance.model, created),
            )

    def __bool__(self) -> bool:
        return True  # an open cache is truthy even when it is empty (it has a __len__)

    def __len__(self) -> int:
        with self._locked() as db:
            (count,) = db.execute("SELECT COUNT(*) FROM results").fetchone()
        return int(count)

    def stats(self) -> CacheStats:
        """Entries, size on disk (database plus WAL) and this run's hits and misses."""
        size = sum(
            p.stat().st_size
            for p in (self.path, self.path.with_name(self.path.name + "-wal"))
            if p.exists()
        )
        return CacheStats(self.path, len(self), size, self.hits, self.misses)

    def clear(self) -> int:
        """Delete every entry and give the space back; returns how many were deleted."""
        with self._locked() as db:
            (count,) = db.execute("SELECT COUNT(*) FROM results").fetchone()
            db.execute("DELETE FROM results")
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            db.execute("VACUUM")
        return int(count)

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> ResultCache:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
