"""Posting digests to Slack, never twice: a WebClient, a pacer and a ledger.

:class:`DigestPoster` posts a :class:`~summarizer.slack.digest.Digest` as a parent message,
its overflow as thread replies, then one thread reply per article with its details
(see :mod:`summarizer.slack.render`). It goes through a :class:`slack_sdk.WebClient`
(:func:`make_client`; ``base_url`` points it elsewhere, e.g. at a test server) whose
:class:`~slack_sdk.http_retry.builtin_handlers.RateLimitErrorRetryHandler` waits out
429 answers as their ``Retry-After`` says, and paces itself to about one message per
second and channel (``min_interval``).

The :class:`~summarizer.slack.ledger.Ledger` (SQLite, ``SUMMARIZER_LEDGER_PATH``, by
default ``<cache_dir>/slack-ledger.sqlite3``) records, per channel, every posted article
with a hash of its record, and every message with its ``ts``; overlapping runs (other
processes too) post each message exactly once:

* an article already posted to a channel, or taken by a run posting it now, is not
  posted there again (articles are reserved in the ledger before the parent is posted);
* every message is reserved before it is posted and recorded with its ``ts`` as soon as
  Slack answers; it carries its ledger key in its message metadata, so a reservation a
  crashed run left pending is resolved from the channel's history
  (``conversations.history`` / ``conversations.replies``) instead of posting again;
* a corrected record (its hash differs) is edited in place with ``chat.update``: the
  digest messages it appears in are re-rendered from the stored records, and its
  details reply is rewritten;
* progress is saved after every message, so a run that stopped half-way (an error, a
  Ctrl-C, a kill) is finished by the next one: missing replies are posted, nothing is
  repeated. One run at a time finishes a digest (a lease in the ledger).

Tokens are :class:`~pydantic.SecretStr` in :class:`SlackSettings`, sent only in the
Authorization header, and never logged, stored or put in error messages.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from summarizer.errors import SlackPostError
from summarizer.slack._calls import lookup_channel_id, post_error
from summarizer.slack._client import DEFAULT_API_URL, SlackSettings, make_client
from summarizer.slack.digest import DEFAULT_TITLE, DigestArticle, build_digest
from summarizer.slack.ledger import _CHANNEL_ID, LEDGER_FILE, Ledger, _Parts, record_hash
from summarizer.slack.render import SlackMessage, render_article_details, render_slack

__all__ = [
    "DEFAULT_API_URL",
    "EVENT_TYPE",
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

#: ``event_type`` of the metadata every posted message carries (with its ledger key).
EVENT_TYPE = "summarizer_digest_message"


def _payload_hash(message: SlackMessage) -> str:
    return hashlib.sha256(json.dumps(message.payload(), sort_keys=True).encode()).hexdigest()


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
        stale_after: seconds after which a digest another run was finishing, without
            posting anything since, is taken over (that run crashed).
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
        stale_after: float = 600.0,
    ) -> None:
        self.client = client
        self.ledger = ledger
        self.stale_after = stale_after
        self._owner = uuid.uuid4().hex  # this poster's name on the digests it is finishing
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

    def _call(
        self,
        method: str,
        channel: str,
        *,
        on_refusal: Callable[[], None] | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """One Web API call; ``on_refusal`` runs when Slack answered no (so nothing was
        posted), not when Slack could not be reached (it may have been)."""  # fmt: skip
        self._pace(channel)
        try:
            if method == "chat.postMessage":
                response = self.client.chat_postMessage(
                    channel=channel, unfurl_links=False, unfurl_media=False, **kwargs
                )
            else:
                response = self.client.chat_update(channel=channel, **kwargs)
        except SlackApiError as error:
            if on_refusal is not None:
                on_refusal()
            raise post_error(error, method, channel) from None
        except (SlackClientError, OSError) as error:
            raise post_error(error, method, channel) from None
        data = response.data
        if not isinstance(data, dict):  # pragma: no cover - the Web API always answers JSON
            raise SlackPostError(f"Slack answered {method} in {channel} with no JSON")
        return data

    def _post(
        self,
        channel: str,
        message: SlackMessage,
        thread_ts: str | None = None,
        key: str = "",
        on_refusal: Callable[[], None] | None = None,
    ) -> dict[str, Any]:
        extra: dict[str, Any] = {"thread_ts": thread_ts} if thread_ts else {}
        if key:
            extra["metadata"] = {"event_type": EVENT_TYPE, "event_payload": {"key": key}}
        return self._call(
            "chat.postMessage", channel, on_refusal=on_refusal, **message.payload(), **extra
        )

    def _lookup_id(self, channel: str) -> str:
        found = lookup_channel_id(self.client, channel)
        self.ledger._remember_channel(channel, found)
        return found

    def _find(self, channel: str, key: str, thread_ts: str | None) -> tuple[str, str] | None:
        """(ts, channel id) of the message carrying ``key`` in its metadata, if Slack has
        it (a '#name' channel is looked up by id first)."""
        if not _CHANNEL_ID.match(channel):
            channel = self.ledger.channel_id(channel) or self._lookup_id(channel)
        method = "conversations.replies" if thread_ts else "conversations.history"
        try:
            if thread_ts:
                response = self.client.conversations_replies(
                    channel=channel, ts=thread_ts, include_all_metadata=True, limit=1000
                )
            else:
                response = self.client.conversations_history(
                    channel=channel, include_all_metadata=True, limit=1000
                )
        except (SlackClientError, OSError) as error:
            raise post_error(error, method, channel) from None
        for found in response.get("messages") or []:
            metadata = found.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if metadata.get("event_type") == EVENT_TYPE and payload.get("key") == key:
                return str(found["ts"]), channel
        return None

    def _send(
        self,
        key: str,
        digest_id: int,
        channel: str,
        message: SlackMessage,
        thread_ts: str | None,
        result: PostResult,
    ) -> tuple[str, str]:
        """Post one message exactly once: reserved in the ledger first, recorded with its
        ts as soon as Slack answers; a reservation left pending by a crashed run is
        looked up in Slack by its key. Returns (ts, channel id)."""
        key = f"{self.ledger.ledger_id}:{key}"
        row = self.ledger._message(key)
        if row is not None and row.state == "posted" and row.ts:
            return row.ts, channel
        if row is not None and (found := self._find(channel, key, thread_ts)) is not None:
            self.ledger._mark_posted(key, found[0])
            return found
        self.ledger._reserve_message(key, digest_id, self._owner)
        # refused: nothing was posted, so the reservation goes (with the digest's own
        # reservation of its articles when this was its parent)
        refused = functools.partial(
            self.ledger._unreserve, key, digest_id, parent=thread_ts is None
        )
        answer = self._post(channel, message, thread_ts, key, on_refusal=refused)
        ts = str(answer["ts"])
        self.ledger._mark_posted(key, ts)
        result.posted_messages += 1
        return ts, str(answer.get("channel") or channel)

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
        key: tuple[int, str],
    ) -> _Parts:
        """Make the posted messages ``old`` show ``messages``: edit what changed, post what
        is new as thread replies (reserved under ``key`` = (digest id, key prefix) + index,
        like every post), mark what is left over as moved. Saves after each call."""
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
                digest_id, prefix = key
                ts, _ = self._send(
                    f"{prefix}{index}", digest_id, channel_id, message, thread_ts, result
                )
                parts.append([ts, digest])
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
            result.channel_id = self.ledger.channel_id(channel)
            self._resume(channel, result)
            if result.channel_id is not None:
                self._correct(result.channel_id, plan.corrected, result)
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
        def shape(free: list[DigestArticle]) -> tuple[str, dt.datetime, list[DigestArticle], int]:
            digest = build_digest(free, title=self.title, generated_at=generated_at, window=window)
            count = len(render_slack(digest))
            return digest.title, digest.generated_at, list(digest.articles), count

        digest_id = self.ledger._reserve_digest(
            channel, articles, shape, window=window, owner=self._owner
        )
        if digest_id is None:  # another run took every one of them meanwhile
            return
        taken = self.ledger._digest(digest_id).articles
        result.posted_articles += [a.article_id for a in taken]
        result.unchanged_articles += [
            a.article_id for a in articles if a.article_id not in result.posted_articles
        ]
        self._finish_claimed(digest_id, channel, result, new=True)

    def _finish_claimed(
        self, digest_id: int, channel: str, result: PostResult, *, new: bool = False
    ) -> None:
        try:
            parent_ts, channel_id = self._finish_digest(digest_id, channel, result)
        except (Exception, KeyboardInterrupt, SystemExit):
            # a clean stop hands the digest to the next run at once; a killed process
            # holds it until its lease is stale (stale_after)
            self.ledger._release(digest_id, self._owner, done=False)
            raise
        self.ledger._release(digest_id, self._owner, done=True)
        if new:
            result.channel_id, result.parent_ts = channel_id, parent_ts

    def _finish_digest(self, digest_id: int, channel: str, result: PostResult) -> tuple[str, str]:
        """Post what a digest still misses (parent, thread replies, article details), each
        message exactly once; returns (parent ts, channel id)."""
        row = self.ledger._digest(digest_id)
        target = row.channel_id if _CHANNEL_ID.match(row.channel_id) else channel
        messages = render_slack(
            build_digest(
                row.articles, title=row.title, generated_at=row.generated_at, window=row.window
            )
        )
        parts = [list(p) for p in row.parts]
        for index in range(len(parts), len(messages)):
            thread = parts[0][0] if parts else None
            ts, channel_id = self._send(
                f"{digest_id}:part:{index}", digest_id, target, messages[index], thread, result
            )
            if index == 0 and channel_id != target:
                self.ledger._remember_channel(channel, channel_id)
                self._last_sent[channel_id] = self._last_sent.get(target, self._clock())
                target = channel_id
            parts.append([ts, _payload_hash(messages[index])])
            self.ledger._save_parts(digest_id, parts)
        if not _CHANNEL_ID.match(target):
            raise SlackPostError(f"Slack did not say which channel {channel} is")
        parent_ts = parts[0][0]
        for article in row.articles:
            _, saved = self.ledger._post_row(target, article.article_id)
            details = [list(d) for d in saved or []]
            for index, message in enumerate(render_article_details(article)):
                if index < len(details):
                    continue
                key = f"{digest_id}:details:{article.article_id}:{index}"
                ts, _ = self._send(key, digest_id, target, message, parent_ts, result)
                details.append([ts, _payload_hash(message)])
                self.ledger._save_details(target, article.article_id, details)
        return parent_ts, target

    def _resume(self, channel: str, result: PostResult) -> None:
        for digest_id in self.ledger._unfinished_digests(channel):
            if self.ledger._claim(digest_id, self._owner, self.stale_after):
                self._finish_claimed(digest_id, channel, result)

    def _correct(
        self, channel_id: str, corrected: Sequence[DigestArticle], result: PostResult
    ) -> None:
        by_digest: dict[int, list[DigestArticle]] = {}
        for article in corrected:
            digest_id, _ = self.ledger._post_row(channel_id, article.article_id)
            by_digest.setdefault(digest_id, []).append(article)
        for digest_id, changed in by_digest.items():
            row = self.ledger._digest(digest_id)
            if not row.done:  # another run is posting it: corrected once it is finished
                continue
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
                (digest_id, f"{digest_id}:part:"),
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
                    (digest_id, f"{digest_id}:details:{article.article_id}:"),
                )
                self.ledger._save_hash(channel_id, article)
                result.corrected_articles.append(article.article_id)
