"""The Slack ledger: what was posted where, shared safely by overlapping runs.

A SQLite database (WAL mode; ``SUMMARIZER_LEDGER_PATH``, by default
``<cache_dir>/slack-ledger.sqlite3``) records, per channel, every posted article with a
hash of its record, every digest with the ``ts`` of its messages, and one row per Slack
message under a UNIQUE key. Every change runs in a ``BEGIN IMMEDIATE`` transaction, so
two processes (the README's cron overlapping a manual run) never both take the same
article or the same message:

* new articles are *reserved* for one digest (:meth:`Ledger._reserve_digest`) before
  anything is posted: a second run sees them taken and does not post them again;
* a digest is finished by one run at a time (:meth:`Ledger._claim`, a lease refreshed at
  every message; a lease older than ``stale_after`` seconds is a crashed run's);
* each message is reserved ("pending") before it is posted and marked "posted" with its
  Slack ``ts`` as soon as Slack answers (:meth:`Ledger._reserve_message`,
  :meth:`Ledger._mark_posted`). A reservation still pending on the next run is a crash
  between the post and the record: the poster looks the message up in the channel's
  history by the key in its metadata instead of posting it again.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from summarizer.errors import ConfigurationError
from summarizer.slack.digest import DigestArticle

__all__ = ["LEDGER_FILE", "Ledger", "MessageRow", "record_hash"]

LEDGER_FILE = "slack-ledger.sqlite3"
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{6,}$")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS channels (
    name TEXT PRIMARY KEY,
    channel_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS digests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel_id TEXT NOT NULL,
    title TEXT NOT NULL,
    generated_at TEXT NOT NULL,
    time_window TEXT,
    articles TEXT NOT NULL,
    parts TEXT NOT NULL,
    expected_parts INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS posts (
    channel_id TEXT NOT NULL,
    article_id TEXT NOT NULL,
    digest_id INTEGER NOT NULL REFERENCES digests(id),
    content_hash TEXT NOT NULL,
    details TEXT,
    posted_at TEXT NOT NULL,
    updated_at TEXT,
    PRIMARY KEY (channel_id, article_id)
);
CREATE TABLE IF NOT EXISTS messages (
    key TEXT NOT NULL UNIQUE,
    digest_id INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'posted')),
    ts TEXT,
    reserved_at REAL NOT NULL
);
"""
# Added to ledgers made before messages were reserved one by one.
_DIGEST_COLUMNS = {"done": "INTEGER NOT NULL DEFAULT 0", "owner": "TEXT", "heartbeat": "REAL"}
_Parts = list[list[str]]  # [[ts, payload hash], ...]


def record_hash(article: DigestArticle) -> str:
    """SHA-256 of what a reader sees of an article: link, label and record (provenance
    excluded, so re-running the same extraction is not a correction)."""
    import hashlib

    content = {
        "url": article.link,
        "label": article.label,
        "report": article.report.model_dump(mode="json", exclude={"provenance"}),
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def _now_text() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _channel_name(channel: str) -> str:
    return channel.strip().lower()


def _name_key(channel: str) -> str:
    """The key of a channel whose Slack id is not known yet."""
    return "#" + _channel_name(channel).lstrip("#")


@dataclass
class _DigestRow:
    id: int
    channel_id: str
    title: str
    generated_at: dt.datetime
    window: str | None
    articles: list[DigestArticle]
    parts: _Parts
    expected_parts: int
    done: bool = False

    @property
    def parent_ts(self) -> str:
        return self.parts[0][0]


@dataclass(frozen=True)
class MessageRow:
    """A reserved message: ``state`` is ``pending`` (reserved, maybe posted by a run that
    stopped before recording it) or ``posted`` (with Slack's ``ts``)."""

    key: str
    state: str
    ts: str | None
    reserved_at: float


def _wal(db: sqlite3.Connection, tries: int = 50) -> None:
    """Put the file in WAL mode. Changing the journal mode takes the file's exclusive lock
    and SQLite does not wait for it (no busy handler), so a second opener of a new ledger
    at the same moment retries here instead of failing with "database is locked"."""
    for attempt in range(tries):
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or attempt == tries - 1:
                raise
            time.sleep(0.05 * (attempt + 1))


class Ledger:
    """What was posted where: articles (with their record's hash), digests and messages
    (with ts). Safe to share between threads and processes; a context manager."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                self.path, check_same_thread=False, timeout=30, isolation_level=None
            )
        except (OSError, sqlite3.Error) as error:
            raise ConfigurationError(
                f"cannot open the Slack ledger {self.path}: {error}; set SUMMARIZER_LEDGER_PATH"
            ) from error
        self._lock = threading.RLock()
        try:
            _wal(self._db)
            with self._tx() as db:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
                have = {row[1] for row in db.execute("PRAGMA table_info(digests)")}
                for name, kind in _DIGEST_COLUMNS.items():
                    if name not in have:
                        db.execute(f"ALTER TABLE digests ADD COLUMN {name} {kind}")
                db.execute("INSERT OR IGNORE INTO meta VALUES ('id', ?)", (uuid.uuid4().hex,))
                (self.ledger_id,) = db.execute(
                    "SELECT value FROM meta WHERE name = 'id'"
                ).fetchone()
        except sqlite3.DatabaseError as error:
            self._db.close()
            raise ConfigurationError(
                f"{self.path} is not a Slack ledger ({error}); set SUMMARIZER_LEDGER_PATH"
            ) from error

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE`` transaction: no other process writes in between."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # --- channels and posts ---------------------------------------------------------------

    def _key_in(self, db: sqlite3.Connection, channel: str) -> str:
        channel = channel.strip()
        if _CHANNEL_ID.match(channel):
            return channel
        row = db.execute(
            "SELECT channel_id FROM channels WHERE name = ?", (_channel_name(channel),)
        ).fetchone()
        return str(row[0]) if row else _name_key(channel)

    def channel_key(self, channel: str) -> str:
        """The channel's Slack id when known, else a key made of its name."""
        with self._tx() as db:
            return self._key_in(db, channel)

    def channel_id(self, channel: str) -> str | None:
        """Slack's id of ``channel`` (an id already, or a '#name' posted to before)."""
        key = self.channel_key(channel)
        return key if _CHANNEL_ID.match(key) else None

    def posted(self, channel: str) -> dict[str, str]:
        """Article id → record hash of everything posted (or being posted) to ``channel``."""
        with self._tx() as db:
            rows = db.execute(
                "SELECT article_id, content_hash FROM posts WHERE channel_id = ?",
                (self._key_in(db, channel),),
            ).fetchall()
        return {str(a): str(h) for a, h in rows}

    def posted_ids(self, channel: str) -> set[str]:
        """The ids of the articles posted to ``channel``."""
        return set(self.posted(channel))

    def posted_articles(self, channel: str) -> list[DigestArticle]:
        """The articles posted to ``channel`` as last posted (corrections applied), in
        posting order."""
        with self._tx() as db:
            rows = db.execute(
                "SELECT articles FROM digests WHERE channel_id = ? ORDER BY id",
                (self._key_in(db, channel),),
            ).fetchall()
        return [DigestArticle.from_json(a) for (text,) in rows for a in json.loads(text)]

    def message_ts(self, channel: str, article_id: str) -> list[str]:
        """The ts of the messages showing ``article_id`` in ``channel``: the digest parent
        first, then the article's details replies."""
        with self._tx() as db:
            row = db.execute(
                "SELECT d.parts, p.details FROM posts p JOIN digests d ON d.id = p.digest_id "
                "WHERE p.channel_id = ? AND p.article_id = ?",
                (self._key_in(db, channel), article_id),
            ).fetchone()
        if row is None or not json.loads(row[0]):
            return []
        parts = json.loads(row[0])
        details = json.loads(row[1]) if row[1] else []
        return [parts[0][0], *(ts for ts, _ in details)]

    # --- reservations (for the poster) ------------------------------------------------------

    def _remember_channel(self, channel: str, channel_id: str) -> None:
        """Record a channel's id and move what was reserved under its name to it."""
        if _CHANNEL_ID.match(channel.strip()):
            return
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO channels (name, channel_id) VALUES (?, ?)",
                (_channel_name(channel), channel_id),
            )
            old = _name_key(channel)
            db.execute("UPDATE digests SET channel_id = ? WHERE channel_id = ?", (channel_id, old))
            db.execute("UPDATE posts SET channel_id = ? WHERE channel_id = ?", (channel_id, old))

    def _reserve_digest(
        self,
        channel: str,
        articles: Sequence[DigestArticle],
        shape: Callable[[list[DigestArticle]], tuple[str, dt.datetime, list[DigestArticle], int]],
        *,
        window: str | None,
        owner: str,
    ) -> int | None:
        """Take the ``articles`` no run has taken for ``channel`` into a new digest owned
        by ``owner``; ``shape(free)`` gives (title, generated_at, ordered articles,
        message count). None when every article is taken already."""
        now = _now_text()
        with self._tx() as db:
            key = self._key_in(db, channel)
            taken = {
                str(a)
                for (a,) in db.execute("SELECT article_id FROM posts WHERE channel_id = ?", (key,))
            }
            free = [a for a in articles if a.article_id not in taken]
            if not free:
                return None
            title, generated_at, ordered, expected = shape(free)
            cursor = db.execute(
                "INSERT INTO digests (channel_id, title, generated_at, time_window, articles, "
                "parts, expected_parts, created_at, done, owner, heartbeat) "
                "VALUES (?, ?, ?, ?, ?, '[]', ?, ?, 0, ?, ?)",
                (key, title, generated_at.isoformat(), window,
                 json.dumps([a.to_json() for a in ordered]), expected, now, owner, time.time()),
            )  # fmt: skip
            digest_id = cursor.lastrowid
            assert digest_id is not None
            db.executemany(
                "INSERT INTO posts (channel_id, article_id, digest_id, content_hash, details, "
                "posted_at) VALUES (?, ?, ?, ?, NULL, ?)",
                [(key, a.article_id, digest_id, record_hash(a), now) for a in ordered],
            )
        return int(digest_id)

    def _claim(self, digest_id: int, owner: str, stale_after: float) -> bool:
        """Make ``owner`` the one run finishing this digest, unless a live run is."""
        with self._tx() as db:
            cursor = db.execute(
                "UPDATE digests SET owner = ?, heartbeat = ? WHERE id = ? AND done = 0 AND "
                "(owner IS NULL OR owner = ? OR heartbeat IS NULL OR heartbeat < ?)",
                (owner, time.time(), digest_id, owner, time.time() - stale_after),
            )
            return cursor.rowcount == 1

    def _release(self, digest_id: int, owner: str, *, done: bool) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE digests SET owner = NULL, done = MAX(done, ?) WHERE id = ? AND owner = ?",
                (int(done), digest_id, owner),
            )

    def _unfinished_digests(self, channel: str) -> list[int]:
        with self._tx() as db:
            rows = db.execute(
                "SELECT id FROM digests WHERE channel_id = ? AND done = 0 ORDER BY id",
                (self._key_in(db, channel),),
            ).fetchall()
        return [int(i) for (i,) in rows]

    def _message(self, key: str) -> MessageRow | None:
        with self._tx() as db:
            row = db.execute(
                "SELECT key, state, ts, reserved_at FROM messages WHERE key = ?", (key,)
            ).fetchone()
        return None if row is None else MessageRow(str(row[0]), str(row[1]), row[2], row[3])

    def _reserve_message(self, key: str, digest_id: int, owner: str) -> None:
        """Mark ``key`` as about to be posted (and refresh the digest's lease)."""
        with self._tx() as db:
            db.execute(
                "INSERT INTO messages (key, digest_id, state, reserved_at) "
                "VALUES (?, ?, 'pending', ?) ON CONFLICT (key) DO NOTHING",
                (key, digest_id, time.time()),
            )
            db.execute(
                "UPDATE digests SET heartbeat = ? WHERE id = ? AND owner = ?",
                (time.time(), digest_id, owner),
            )

    def _unreserve(self, key: str, digest_id: int, *, parent: bool) -> None:
        """Slack refused the message: drop its reservation; for a digest's parent, drop
        the digest and give its articles back (nothing of it was posted)."""
        with self._tx() as db:
            db.execute("DELETE FROM messages WHERE key = ? AND state = 'pending'", (key,))
            if parent:
                cursor = db.execute(
                    "DELETE FROM digests WHERE id = ? AND parts = '[]'", (digest_id,)
                )
                if cursor.rowcount:
                    db.execute("DELETE FROM posts WHERE digest_id = ?", (digest_id,))

    def _mark_posted(self, key: str, ts: str) -> None:
        with self._tx() as db:
            db.execute("UPDATE messages SET state = 'posted', ts = ? WHERE key = ?", (ts, key))

    # --- digests, parts and details ----------------------------------------------------------

    def _digest(self, digest_id: int) -> _DigestRow:
        with self._tx() as db:
            row = db.execute(
                "SELECT id, channel_id, title, generated_at, time_window, articles, parts, "
                "expected_parts, done FROM digests WHERE id = ?",
                (digest_id,),
            ).fetchone()
        return _DigestRow(
            id=int(row[0]),
            channel_id=str(row[1]),
            title=str(row[2]),
            generated_at=dt.datetime.fromisoformat(row[3]),
            window=row[4],
            articles=[DigestArticle.from_json(a) for a in json.loads(row[5])],
            parts=json.loads(row[6]),
            expected_parts=int(row[7]),
            done=bool(row[8]),
        )

    def _post_row(self, channel_id: str, article_id: str) -> tuple[int, _Parts | None]:
        with self._tx() as db:
            row = db.execute(
                "SELECT digest_id, details FROM posts WHERE channel_id = ? AND article_id = ?",
                (channel_id, article_id),
            ).fetchone()
        return int(row[0]), (json.loads(row[1]) if row[1] else None)

    def _save_parts(
        self, digest_id: int, parts: _Parts, articles: Sequence[DigestArticle] | None = None
    ) -> None:
        with self._tx() as db:
            db.execute("UPDATE digests SET parts = ? WHERE id = ?", (json.dumps(parts), digest_id))
            if articles is not None:
                db.execute(
                    "UPDATE digests SET articles = ?, expected_parts = MAX(expected_parts, ?) "
                    "WHERE id = ?",
                    (json.dumps([a.to_json() for a in articles]), len(parts), digest_id),
                )

    def _save_details(self, channel_id: str, article_id: str, details: _Parts) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE posts SET details = ? WHERE channel_id = ? AND article_id = ?",
                (json.dumps(details), channel_id, article_id),
            )

    def _save_hash(self, channel_id: str, article: DigestArticle) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE posts SET content_hash = ?, updated_at = ? "
                "WHERE channel_id = ? AND article_id = ?",
                (record_hash(article), _now_text(), channel_id, article.article_id),
            )
