"""Posting digests to Slack, never twice: a WebClient, a pacer and a ledger.

:class:`DigestPoster` posts a :class:`~summarizer.slack.digest.Digest` as a parent message,
its overflow as thread replies, then one thread reply per article with its details
(see :mod:`summarizer.slack.render`). It goes through a :class:`slack_sdk.WebClient`
(:func:`make_client`; ``base_url`` points it elsewhere, e.g. at a test server) whose
:class:`~slack_sdk.http_retry.builtin_handlers.RateLimitErrorRetryHandler` waits out
429 answers as their ``Retry-After`` says, and paces itself to about one message per
second and channel (``min_interval``).

The :class:`Ledger` (SQLite, ``SUMMARIZER_LEDGER_PATH``, by default
``<cache_dir>/slack-ledger.sqlite3``) records, per channel, every posted article with a
hash of its record, and every message with its ``ts``:

* an article already posted to a channel is not posted there again;
* a corrected record (its hash differs) is edited in place with ``chat.update``: the
  digest messages it appears in are re-rendered from the stored records, and its
  details reply is rewritten;
* progress is saved after every message, so a run that stopped half-way (an error, a
  Ctrl-C) is finished by the next one: missing replies are posted, nothing is repeated.

Tokens are :class:`~pydantic.SecretStr` in :class:`SlackSettings`, sent only in the
Authorization header, and never logged, stored or put in error messages.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from summarizer.errors import ConfigurationError, SlackPostError
from summarizer.settings import Settings
from summarizer.slack.digest import DEFAULT_TITLE, DigestArticle, build_digest
from summarizer.slack.render import (
    SlackMessage,
    render_article_details,
    render_slack,
)

__all__ = [
    "DEFAULT_API_URL",
    "LEDGER_FILE",
    "DigestPoster",
    "Ledger",
    "PostPlan",
    "PostResult",
    "SlackPostError",
    "SlackSettings",
    "make_client",
    "record_hash",
]

DEFAULT_API_URL = "https://slack.com/api/"
LEDGER_FILE = "slack-ledger.sqlite3"
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{6,}$")


class SlackSettings(BaseSettings):
    """Slack credentials and the ledger's path, from the environment.

    ``SLACK_BOT_TOKEN`` (xoxb-…), ``SLACK_SIGNING_SECRET``, ``SLACK_APP_TOKEN`` (xapp-…,
    Socket Mode only), ``SUMMARIZER_LEDGER_PATH`` and ``SUMMARIZER_SLACK_BASE_URL``.
    """

    model_config = SettingsConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    bot_token: SecretStr | None = Field(
        default=None, validation_alias="SLACK_BOT_TOKEN", description="Bot token (xoxb-…)."
    )
    signing_secret: SecretStr | None = Field(
        default=None,
        validation_alias="SLACK_SIGNING_SECRET",
        description="Signing secret that verifies requests from Slack.",
    )
    app_token: SecretStr | None = Field(
        default=None,
        validation_alias="SLACK_APP_TOKEN",
        description="App-level token (xapp-…); set it to run the bot in Socket Mode.",
    )
    ledger_path: Path | None = Field(
        default=None,
        validation_alias="SUMMARIZER_LEDGER_PATH",
        description="SQLite ledger of posted articles (default <cache_dir>/slack-ledger.sqlite3).",
    )
    api_url: str | None = Field(
        default=None,
        validation_alias="SUMMARIZER_SLACK_BASE_URL",
        description="Slack Web API base URL (default https://slack.com/api/); for testing.",
    )

    def require(self, variable: str) -> str:
        """The secret behind ``variable`` (e.g. ``'SLACK_BOT_TOKEN'``), or a
        ConfigurationError that names it (never the value)."""
        fields = {
            "SLACK_BOT_TOKEN": self.bot_token,
            "SLACK_SIGNING_SECRET": self.signing_secret,
            "SLACK_APP_TOKEN": self.app_token,
        }
        secret = fields[variable]
        value = secret.get_secret_value().strip() if secret is not None else ""
        if not value:
            raise ConfigurationError(
                f"{variable} is not set; export it from your Slack app's settings "
                "(Basic Information / OAuth & Permissions)"
            )
        return value

    def ledger_file(self, settings: Settings) -> Path:
        """Where the ledger lives: SUMMARIZER_LEDGER_PATH, else in the cache directory."""
        return self.ledger_path or Path(settings.cache_dir) / LEDGER_FILE


def make_client(
    token: str,
    *,
    base_url: str | None = None,
    rate_limit_retries: int = 5,
    timeout: int = 30,
) -> WebClient:
    """A WebClient that waits out 429 answers (``Retry-After``) up to
    ``rate_limit_retries`` times per call."""
    client = WebClient(token=token, base_url=base_url or DEFAULT_API_URL, timeout=timeout)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=rate_limit_retries))
    return client


def record_hash(article: DigestArticle) -> str:
    """SHA-256 of what a reader sees of an article: link, label and record (provenance
    excluded, so re-running the same extraction is not a correction)."""
    content = {
        "url": article.link,
        "label": article.label,
        "report": article.report.model_dump(mode="json", exclude={"provenance"}),
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def _payload_hash(message: SlackMessage) -> str:
    return hashlib.sha256(json.dumps(message.payload(), sort_keys=True).encode()).hexdigest()


def _now_text() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


# --- the ledger ------------------------------------------------------------------------------

_SCHEMA = """
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
"""
_Parts = list[list[str]]  # [[ts, payload hash], ...]


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

    @property
    def parent_ts(self) -> str:
        return self.parts[0][0]


def _channel_name(channel: str) -> str:
    return channel.strip().lower()


class Ledger:
    """What was posted where: articles (with their record's hash) and messages (with ts).

    Thread-safe (one connection under a lock); a context manager that closes it.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
        except (OSError, sqlite3.Error) as error:
            raise ConfigurationError(
                f"cannot open the Slack ledger {self.path}: {error}; set SUMMARIZER_LEDGER_PATH"
            ) from error
        self._lock = threading.RLock()
        try:
            with self._db:
                self._db.executescript(_SCHEMA)
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
        with self._lock, self._db:
            yield self._db

    # --- channels and posts ---------------------------------------------------------------

    def channel_id(self, channel: str) -> str | None:
        """Slack's id of ``channel`` (an id already, or a '#name' posted to before)."""
        channel = channel.strip()
        if _CHANNEL_ID.match(channel):
            return channel
        with self._tx() as db:
            row = db.execute(
                "SELECT channel_id FROM channels WHERE name = ?", (_channel_name(channel),)
            ).fetchone()
        return str(row[0]) if row else None

    def posted(self, channel: str) -> dict[str, str]:
        """Article id → record hash of everything posted to ``channel``."""
        channel_id = self.channel_id(channel)
        if channel_id is None:
            return {}
        with self._tx() as db:
            rows = db.execute(
                "SELECT article_id, content_hash FROM posts WHERE channel_id = ?", (channel_id,)
            ).fetchall()
        return {str(a): str(h) for a, h in rows}

    def posted_ids(self, channel: str) -> set[str]:
        """The ids of the articles posted to ``channel``."""
        return set(self.posted(channel))

    def posted_articles(self, channel: str) -> list[DigestArticle]:
        """The articles posted to ``channel`` as last posted (corrections applied), in
        posting order."""
        channel_id = self.channel_id(channel)
        if channel_id is None:
            return []
        with self._tx() as db:
            rows = db.execute(
                "SELECT articles FROM digests WHERE channel_id = ? ORDER BY id", (channel_id,)
            ).fetchall()
        return [DigestArticle.from_json(a) for (text,) in rows for a in json.loads(text)]

    def message_ts(self, channel: str, article_id: str) -> list[str]:
        """The ts of the messages showing ``article_id`` in ``channel``: the digest parent
        first, then the article's details replies."""
        channel_id = self.channel_id(channel)
        if channel_id is None:
            return []
        with self._tx() as db:
            row = db.execute(
                "SELECT d.parts, p.details FROM posts p JOIN digests d ON d.id = p.digest_id "
                "WHERE p.channel_id = ? AND p.article_id = ?",
                (channel_id, article_id),
            ).fetchone()
        if row is None:
            return []
        parts = json.loads(row[0])
        details = json.loads(row[1]) if row[1] else []
        return [parts[0][0], *(ts for ts, _ in details)]

    # --- internals for the poster -----------------------------------------------------------

    def _remember_channel(self, db: sqlite3.Connection, channel: str, channel_id: str) -> None:
        if not _CHANNEL_ID.match(channel.strip()):
            db.execute(
                "INSERT OR REPLACE INTO channels (name, channel_id) VALUES (?, ?)",
                (_channel_name(channel), channel_id),
            )

    def _add_digest(
        self,
        *,
        channel: str,
        channel_id: str,
        title: str,
        generated_at: dt.datetime,
        window: str | None,
        articles: Sequence[DigestArticle],
        parent: list[str],
        expected_parts: int,
    ) -> int:
        now = _now_text()
        with self._tx() as db:
            self._remember_channel(db, channel, channel_id)
            cursor = db.execute(
                "INSERT INTO digests (channel_id, title, generated_at, time_window, articles, "
                "parts, expected_parts, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    channel_id,
                    title,
                    generated_at.isoformat(),
                    window,
                    json.dumps([a.to_json() for a in articles]),
                    json.dumps([parent]),
                    expected_parts,
                    now,
                ),
            )
            digest_id = cursor.lastrowid
            assert digest_id is not None
            db.executemany(
                "INSERT OR REPLACE INTO posts (channel_id, article_id, digest_id, content_hash, "
                "details, posted_at) VALUES (?, ?, ?, ?, NULL, ?)",
                [(channel_id, a.article_id, digest_id, record_hash(a), now) for a in articles],
            )
        return digest_id

    def _digest(self, digest_id: int) -> _DigestRow:
        with self._tx() as db:
            row = db.execute(
                "SELECT id, channel_id, title, generated_at, time_window, articles, parts, "
                "expected_parts FROM digests WHERE id = ?",
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
        )

    def _unfinished_digests(self, channel_id: str) -> list[int]:
        with self._tx() as db:
            rows = db.execute(
                "SELECT id, parts, expected_parts FROM digests WHERE channel_id = ? ORDER BY id",
                (channel_id,),
            ).fetchall()
        return [int(i) for i, parts, expected in rows if len(json.loads(parts)) < expected]

    def _missing_details(self, channel_id: str) -> list[tuple[int, str]]:
        with self._tx() as db:
            rows = db.execute(
                "SELECT digest_id, article_id FROM posts WHERE channel_id = ? AND details IS NULL "
                "ORDER BY digest_id, rowid",
                (channel_id,),
            ).fetchall()
        return [(int(d), str(a)) for d, a in rows]

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


# --- posting -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PostPlan:
    """What posting ``articles`` to a channel would do."""

    channel: str
    new: tuple[DigestArticle, ...]
    corrected: tuple[DigestArticle, ...]
    unchanged: tuple[str, ...]

    @property
    def nothing_to_do(self) -> bool:
        """True when every article is already posted, unchanged."""
        return not self.new and not self.corrected


@dataclass
class PostResult:
    """What a call of :meth:`DigestPoster.post` did."""

    channel: str
    channel_id: str | None = None
    parent_ts: str | None = None
    posted_messages: int = 0
    updated_messages: int = 0
    posted_articles: list[str] = field(default_factory=list)
    corrected_articles: list[str] = field(default_factory=list)
    unchanged_articles: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the terminal."""
        return (
            f"{self.channel}: posted {self.posted_messages} message(s) for "
            f"{len(self.posted_articles)} new article(s); updated {self.updated_messages} "
            f"message(s) for {len(self.corrected_articles)} corrected article(s); "
            f"{len(self.unchanged_articles)} already posted"
        )


_MOVED = SlackMessage(
    text="(This part of the digest was merged into the messages above after a correction.)",
    blocks=(
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": "_This part of the digest was merged into the messages above "
                    "after a correction._",
                }
            ],
        },
    ),
)


class DigestPoster:
    """Posts digests to Slack channels through ``client``, recording them in ``ledger``.

    Args:
        client: a WebClient, normally from :func:`make_client`.
        ledger: the ledger of what was posted.
        min_interval: seconds between two messages to one channel (Slack allows about
            one per second).
        title: the digest title.
        sleep, clock: injected for tests.
    """

    def __init__(
        self,
        client: WebClient,
        ledger: Ledger,
        *,
        min_interval: float = 1.0,
        title: str = DEFAULT_TITLE,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.ledger = ledger
        self.min_interval = min_interval
        self.title = title
        self._sleep = sleep
        self._clock = clock
        self._last_sent: dict[str, float] = {}
        self._lock = threading.Lock()

    # --- Slack calls -----------------------------------------------------------------------

    def _pace(self, channel: str) -> None:
        last = self._last_sent.get(channel)
        if last is not None:
            wait = self.min_interval - (self._clock() - last)
            if wait > 0:
                self._sleep(wait)
        self._last_sent[channel] = self._clock()

    def _call(self, method: str, channel: str, **kwargs: Any) -> dict[str, Any]:
        self._pace(channel)
        try:
            if method == "chat.postMessage":
                response = self.client.chat_postMessage(
                    channel=channel, unfurl_links=False, unfurl_media=False, **kwargs
                )
            else:
                response = self.client.chat_update(channel=channel, **kwargs)
        except SlackApiError as error:
            code = error.response.get("error", "unknown_error") if error.response else "unknown"
            raise SlackPostError(f"Slack refused {method} in {channel}: {code}") from None
        except (SlackClientError, OSError) as error:
            reason = type(error).__name__
            raise SlackPostError(
                f"could not reach Slack for {method} in {channel}: {reason}"
            ) from None
        data = response.data
        if not isinstance(data, dict):  # pragma: no cover - the Web API always answers JSON
            raise SlackPostError(f"Slack answered {method} in {channel} with no JSON")
        return data

    def _post(
        self, channel: str, message: SlackMessage, thread_ts: str | None = None
    ) -> dict[str, Any]:
        extra: dict[str, Any] = {"thread_ts": thread_ts} if thread_ts else {}
        return self._call("chat.postMessage", channel, **message.payload(), **extra)

    def _update(self, channel_id: str, ts: str, message: SlackMessage) -> None:
        self._call("chat.update", channel_id, ts=ts, **message.payload())

    def _sync(
        self,
        channel_id: str,
        thread_ts: str,
        old: _Parts,
        messages: Sequence[SlackMessage],
        save: Callable[[_Parts], None],
        result: PostResult,
    ) -> _Parts:
        """Make the posted messages ``old`` show ``messages``: edit what changed, post what
        is new as thread replies, mark what is left over as moved. Saves after each call."""
        parts = [list(p) for p in old]
        for index, message in enumerate(messages):
            digest = _payload_hash(message)
            if index < len(parts):
                ts, before = parts[index]
                if before != digest:
                    self._update(channel_id, ts, message)
                    parts[index] = [ts, digest]
                    result.updated_messages += 1
                    save(parts)
            else:
                answer = self._post(channel_id, message, thread_ts)
                parts.append([str(answer["ts"]), digest])
                result.posted_messages += 1
                save(parts)
        moved = _payload_hash(_MOVED)
        for index in range(len(messages), len(parts)):
            ts, before = parts[index]
            if before != moved:
                self._update(channel_id, ts, _MOVED)
                parts[index] = [ts, moved]
                result.updated_messages += 1
                save(parts)
        return parts

    # --- planning and posting ------------------------------------------------------------------

    def plan(self, articles: Sequence[DigestArticle], channel: str) -> PostPlan:
        """Sort ``articles`` into new, corrected (posted, record changed) and unchanged."""
        posted = self.ledger.posted(channel)
        new, corrected, unchanged = [], [], []
        seen: set[str] = set()
        for article in articles:
            if article.article_id in seen:
                continue
            seen.add(article.article_id)
            before = posted.get(article.article_id)
            if before is None:
                new.append(article)
            elif before != record_hash(article):
                corrected.append(article)
            else:
                unchanged.append(article.article_id)
        return PostPlan(channel, tuple(new), tuple(corrected), tuple(unchanged))

    def post(
        self,
        articles: Sequence[DigestArticle],
        channel: str,
        *,
        window: str | None = None,
        generated_at: dt.datetime | None = None,
    ) -> PostResult:
        """Post what is new in ``articles`` as one digest, edit corrected records in place,
        and finish any digest a previous run left half-posted.

        Raises:
            SlackPostError: Slack refused a call (progress so far is in the ledger).
        """
        with self._lock:
            plan = self.plan(articles, channel)
            result = PostResult(channel, unchanged_articles=list(plan.unchanged))
            channel_id = self.ledger.channel_id(channel)
            if channel_id is not None:
                result.channel_id = channel_id
                self._resume(channel_id, result)
                self._correct(channel_id, plan.corrected, result)
            if plan.new:
                self._post_new(channel, plan.new, window, generated_at, result)
            return result

    def _post_new(
        self,
        channel: str,
        articles: Sequence[DigestArticle],
        window: str | None,
        generated_at: dt.datetime | None,
        result: PostResult,
    ) -> None:
        digest = build_digest(articles, title=self.title, generated_at=generated_at, window=window)
        messages = render_slack(digest)
        parent = self._post(result.channel_id or channel, messages[0])
        result.posted_messages += 1
        channel_id = str(parent["channel"])
        parent_ts = str(parent["ts"])
        self._last_sent[channel_id] = self._last_sent[result.channel_id or channel]
        result.channel_id, result.parent_ts = channel_id, parent_ts
        digest_id = self.ledger._add_digest(
            channel=channel,
            channel_id=channel_id,
            title=digest.title,
            generated_at=digest.generated_at,
            window=window,
            articles=digest.articles,
            parent=[parent_ts, _payload_hash(messages[0])],
            expected_parts=len(messages),
        )
        result.posted_articles += [a.article_id for a in digest.articles]
        self._finish_digest(digest_id, result)

    def _finish_digest(self, digest_id: int, result: PostResult) -> None:
        """Post a digest's missing thread replies, then its missing article details."""
        row = self.ledger._digest(digest_id)
        if len(row.parts) < row.expected_parts:
            messages = render_slack(
                build_digest(
                    row.articles,
                    title=row.title,
                    generated_at=row.generated_at,
                    window=row.window,
                )
            )
            parts = [list(p) for p in row.parts]
            for message in messages[len(parts) :]:
                answer = self._post(row.channel_id, message, row.parent_ts)
                parts.append([str(answer["ts"]), _payload_hash(message)])
                result.posted_messages += 1
                self.ledger._save_parts(digest_id, parts)
        missing = {a for d, a in self.ledger._missing_details(row.channel_id) if d == digest_id}
        for article in row.articles:
            if article.article_id in missing:
                self._post_details(row.channel_id, row.parent_ts, article, result)

    def _post_details(
        self, channel_id: str, parent_ts: str, article: DigestArticle, result: PostResult
    ) -> None:
        details: _Parts = []
        for message in render_article_details(article):
            answer = self._post(channel_id, message, parent_ts)
            details.append([str(answer["ts"]), _payload_hash(message)])
            result.posted_messages += 1
        self.ledger._save_details(channel_id, article.article_id, details)

    def _resume(self, channel_id: str, result: PostResult) -> None:
        digests = set(self.ledger._unfinished_digests(channel_id))
        digests |= {d for d, _ in self.ledger._missing_details(channel_id)}
        for digest_id in sorted(digests):
            self._finish_digest(digest_id, result)

    def _correct(
        self, channel_id: str, corrected: Sequence[DigestArticle], result: PostResult
    ) -> None:
        by_digest: dict[int, list[DigestArticle]] = {}
        for article in corrected:
            digest_id, _ = self.ledger._post_row(channel_id, article.article_id)
            by_digest.setdefault(digest_id, []).append(article)
        for digest_id, changed in by_digest.items():
            row = self.ledger._digest(digest_id)
            replacements = {a.article_id: a for a in changed}
            articles = [replacements.get(a.article_id, a) for a in row.articles]
            messages = render_slack(
                build_digest(
                    articles, title=row.title, generated_at=row.generated_at, window=row.window
                )
            )
            self._sync(
                channel_id,
                row.parent_ts,
                row.parts,
                messages,
                functools.partial(self.ledger._save_parts, digest_id, articles=articles),
                result,
            )
            for article in changed:
                _, details = self.ledger._post_row(channel_id, article.article_id)
                self._sync(
                    channel_id,
                    row.parent_ts,
                    details or [],
                    render_article_details(article),
                    functools.partial(self.ledger._save_details, channel_id, article.article_id),
                    result,
                )
                self.ledger._save_hash(channel_id, article)
                result.corrected_articles.append(article.article_id)
