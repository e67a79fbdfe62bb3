"""The Slack bot (``summarizer bot``): ``/summarize <url>`` and ``/digest [window]``.

A :mod:`slack_bolt` app, run in Socket Mode when ``SLACK_APP_TOKEN`` is set and as an
HTTP endpoint (``POST /slack/events``, an aiohttp server: see
:mod:`summarizer.slack.http_server`, which caps bodies at 1 MB, times out slow clients
and checks every request's signature with ``SLACK_SIGNING_SECRET`` before any work:
stale or badly signed requests get 401) otherwise. Both
``SLACK_BOT_TOKEN`` and ``SLACK_SIGNING_SECRET`` are required, and a missing one is a
:class:`~summarizer.errors.ConfigurationError` naming it.

* ``/summarize <url>`` is acknowledged at once (Slack wants an answer within 3 s); the
  article is summarized in a background thread (a bolt *lazy listener*) and the record's
  neutral summary and key facts are posted back through the command's ``response_url``.
* ``/digest [window]`` (default: the bot's ``--since``, 24h) collects the configured
  sources' new articles, summarizes them, and shows the requester an ephemeral preview
  with a *Post to channel* button; the button posts the digest through
  :class:`~summarizer.slack.poster.DigestPoster`, so the ledger keeps it from being posted twice.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from slack_bolt import App
from slack_bolt.error import BoltError
from slack_sdk.errors import SlackApiError, SlackClientError

from summarizer.batch.inputs import BatchInput, InputSources, ItemFailure
from summarizer.errors import (
    ConfigurationError,
    InputError,
    SummarizerError,
    redact_text,
    redact_url,
)
from summarizer.schema import ArticleReport
from summarizer.settings import Settings
from summarizer.slack.digest import DigestArticle, build_digest
from summarizer.slack.feeds import (
    SummaryBatch,
    digest_articles,
    parse_duration,
    select_items,
    summarize_items,
)
from summarizer.slack.http_server import EVENTS_PATH, BotHTTPServer
from summarizer.slack.poster import DigestPoster, Ledger, SlackPostError, SlackSettings, make_client
from summarizer.slack.render import MAX_BLOCKS, render_article_details, render_slack

__all__ = [
    "EVENTS_PATH",
    "BotHTTPServer",
    "CollectFunction",
    "SummarizeURL",
    "SummarizerBot",
]

_log = logging.getLogger(__name__)

#: (window, channel id) -> the new articles of the window, and what failed.
CollectFunction = Callable[[dt.timedelta, str], tuple[list[DigestArticle], list[ItemFailure]]]
#: an article URL -> its record.
SummarizeURL = Callable[[str], ArticleReport]

_URL_IN_TEXT = re.compile(r"<?(https?://[^\s|>]+)(?:\|[^>]*)?>?", re.IGNORECASE)


def _command_url(text: str) -> str | None:
    """The URL of '/summarize <url>' (Slack may send it as '<https://…|label>')."""
    words = text.strip().split()
    if len(words) != 1:
        return None
    match = _URL_IN_TEXT.fullmatch(words[0])
    return match.group(1) if match else None


@dataclass(frozen=True)
class _Pending:
    articles: list[DigestArticle]
    window: str
    channel_id: str
    created: float


class _PendingDigests:
    """Previews waiting for their button, by an unguessable token; they expire."""

    def __init__(self, ttl: float, limit: int = 100) -> None:
        self._ttl = ttl
        self._limit = limit
        self._items: dict[str, _Pending] = {}
        self._lock = threading.Lock()

    def add(self, pending: _Pending) -> str:
        token = secrets.token_urlsafe(16)
        with self._lock:
            self._expire()
            while len(self._items) >= self._limit:
                self._items.pop(next(iter(self._items)))
            self._items[token] = pending
        return token

    def pop(self, token: str) -> _Pending | None:
        with self._lock:
            self._expire()
            return self._items.pop(token, None)

    def _expire(self) -> None:
        now = time.monotonic()
        for token in [t for t, p in self._items.items() if now - p.created > self._ttl]:
            del self._items[token]


class SummarizerBot:
    """The bolt app, its Web API client, its ledger and its worker threads.

    Args:
        slack_settings: tokens, signing secret, ledger path, API URL.
        settings: the summarizer's settings (LLM endpoint, fetching limits).
        sources: where ``/digest`` finds articles.
        default_window: ``/digest`` without an argument covers this much time.
        api_url: the Slack Web API base URL (tests point it at a fake server).
        summarize_url: how ``/summarize`` turns a URL into a record (default: the API).
        collect: how ``/digest`` finds new articles (default: ``sources`` summarized).
        ledger: the ledger to use (default: opened from ``slack_settings``).
        min_interval: seconds between messages to one channel.
        workers: threads for acknowledged work; preview_ttl: seconds a preview lives.
        allow_private_urls: let /summarize and /digest fetch private and loopback
            addresses (off: anyone in the workspace could otherwise probe the bot's
            network; every fetch then goes through :mod:`summarizer.text.fetch_guard`).

    Raises:
        ConfigurationError: SLACK_BOT_TOKEN or SLACK_SIGNING_SECRET is missing, or Slack
            refuses the token.
    """

    def __init__(
        self,
        *,
        slack_settings: SlackSettings,
        settings: Settings | None = None,
        sources: InputSources | None = None,
        default_window: str = "24h",
        api_url: str | None = None,
        summarize_url: SummarizeURL | None = None,
        collect: CollectFunction | None = None,
        ledger: Ledger | None = None,
        min_interval: float = 1.0,
        workers: int = 4,
        preview_ttl: float = 3600.0,
        allow_private_urls: bool = False,
    ) -> None:
        token = slack_settings.require("SLACK_BOT_TOKEN")
        signing_secret = slack_settings.require("SLACK_SIGNING_SECRET")
        parse_duration(default_window)
        settings = settings or Settings()
        # /summarize and /digest fetch what anyone in the workspace names: through the
        # fetch guard (public addresses only, on every redirect hop), unless told otherwise.
        self.settings = settings.model_copy(update={"fetch_guard": not allow_private_urls})
        self._signing_secret = signing_secret
        self.slack_settings = slack_settings
        self.sources = sources
        self.default_window = default_window
        self.allow_private_urls = allow_private_urls
        self._summarize_url = summarize_url or self._summarize_with_api
        self._collect = collect or (self._collect_from_sources if sources else None)
        self.client = make_client(token, base_url=api_url or slack_settings.api_url)
        self._owns_ledger = ledger is None
        self.ledger = ledger or Ledger(slack_settings.ledger_file(self.settings))
        self.poster = DigestPoster(self.client, self.ledger, min_interval=min_interval)
        self._pending = _PendingDigests(preview_ttl)
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="summarizer-bot")
        try:
            self.app = App(
                client=self.client,
                signing_secret=signing_secret,
                listener_executor=self.executor,
                process_before_response=False,
                logger=_log,
            )
        except BoltError:
            self.close()
            raise ConfigurationError(
                "Slack refused SLACK_BOT_TOKEN (auth.test failed); check the bot token"
            ) from None
        except (SlackClientError, OSError) as error:
            self.close()
            raise ConfigurationError(
                f"could not reach Slack to check SLACK_BOT_TOKEN: {type(error).__name__}"
            ) from None
        self._register()

    # --- lifecycle ------------------------------------------------------------------------

    def close(self) -> None:
        """Wait for running work, then close the ledger (if the bot opened it)."""
        self.executor.shutdown(wait=True)
        if self._owns_ledger:
            self.ledger.close()

    def __enter__(self) -> SummarizerBot:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def serve_http(self, host: str = "127.0.0.1", port: int = 3000) -> BotHTTPServer:
        """Serve ``POST /slack/events`` (and ``GET /healthz``) in a background thread."""
        return BotHTTPServer(self.app, host, port, signing_secret=self._signing_secret).start()

    def run(self, *, host: str = "127.0.0.1", port: int = 3000) -> str:
        """Run until interrupted: Socket Mode with SLACK_APP_TOKEN, else HTTP.

        Returns the mode it ran in (``'socket'`` or ``'http'``) when it stops.
        """
        if self.slack_settings.app_token is not None:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            app_token = self.slack_settings.require("SLACK_APP_TOKEN")
            handler = SocketModeHandler(self.app, app_token, web_client=self.client)
            try:
                handler.start()  # type: ignore[no-untyped-call]  # untyped in slack_bolt
            except SlackApiError as error:
                code = error.response.get("error", "unknown_error") if error.response else "unknown"
                raise ConfigurationError(
                    f"Slack refused to open a Socket Mode connection ({code}); check "
                    "SLACK_APP_TOKEN (an app-level token with connections:write)"
                ) from None
            finally:
                handler.close()  # type: ignore[no-untyped-call]
            return "socket"
        server = BotHTTPServer(self.app, host, port, signing_secret=self._signing_secret)
        try:
            server.serve_forever()
        finally:
            server.close()
        return "http"

    # --- listeners --------------------------------------------------------------------------

    def _register(self) -> None:
        self.app.command("/summarize")(ack=self._ack_summarize, lazy=[self._run_summarize])
        self.app.command("/digest")(ack=self._ack_digest, lazy=[self._run_digest])
        self.app.action("digest_post")(ack=self._ack_action, lazy=[self._run_post])
        self.app.action("digest_discard")(ack=self._ack_action, lazy=[self._run_discard])

    def _ack_summarize(self, ack: Any, command: dict[str, Any]) -> None:
        url = _command_url(command.get("text", ""))
        if url is None:
            ack(response_type="ephemeral", text="Usage: /summarize <http(s) URL of an article>")
        else:
            ack(
                response_type="ephemeral",
                text=f"Summarizing {redact_url(url)} … the summary follows here in a minute "
                "or two.",
            )

    def _run_summarize(self, command: dict[str, Any], respond: Any) -> None:
        url = _command_url(command.get("text", ""))
        if url is None:
            return
        try:
            report = self._summarize_url(url)
        except SummarizerError as error:
            failed = redact_text(f"Could not summarize {url}: {error}")
            respond(response_type="ephemeral", text=failed)
            return
        except Exception:  # a bug must not kill the worker silently
            _log.exception("summarizing %s failed", redact_url(url))
            failed = f"Could not summarize {redact_url(url)}: internal error"
            respond(response_type="ephemeral", text=failed)
            return
        article = DigestArticle(article_id=url, report=report, url=url)
        for message in render_article_details(article):
            respond(response_type="in_channel", text=message.text, blocks=list(message.blocks))

    def _window(self, command: dict[str, Any]) -> str | None:
        text = command.get("text", "").strip() or self.default_window
        try:
            parse_duration(text)
        except InputError:
            return None
        return text

    def _ack_digest(self, ack: Any, command: dict[str, Any]) -> None:
        window = self._window(command)
        if window is None:
            ack(response_type="ephemeral", text="Usage: /digest [window], e.g. /digest 6h")
        elif self._collect is None:
            ack(
                response_type="ephemeral",
                text="No sources configured: start the bot with --feeds, --urls or --dir.",
            )
        else:
            ack(
                response_type="ephemeral",
                text=f"Building a digest of the last {window}… a preview follows.",
            )

    def _run_digest(self, command: dict[str, Any], client: Any, respond: Any) -> None:
        window = self._window(command)
        if window is None or self._collect is None:
            return
        channel_id = str(command.get("channel_id", ""))
        try:
            articles, failures = self._collect(parse_duration(window), channel_id)
        except SummarizerError as error:
            failed = redact_text(f"Could not build the digest: {error}")
            respond(response_type="ephemeral", text=failed)
            return
        failed = f" {len(failures)} item(s) could not be read or summarized." if failures else ""
        if not articles:
            respond(
                response_type="ephemeral",
                text=f"Nothing new to post from the last {window}.{failed}",
            )
            return
        digest = build_digest(articles, title=self.poster.title, window=window)
        messages = render_slack(digest)
        token = self._pending.add(_Pending(articles, window, channel_id, time.monotonic()))
        blocks = list(messages[0].blocks)
        if len(blocks) > MAX_BLOCKS - 2:
            blocks = blocks[: MAX_BLOCKS - 3]
            failed += " The preview shows the start of the first message only."
        blocks += [
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": f"Preview: {len(messages)} message(s) and {len(articles)} "
                        f"article detail(s) will be posted in this channel.{failed}",
                    }
                ],
            },
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": "digest_post",
                        "style": "primary",
                        "text": {"type": "plain_text", "text": "Post to channel"},
                        "value": token,
                    },
                    {
                        "type": "button",
                        "action_id": "digest_discard",
                        "text": {"type": "plain_text", "text": "Discard"},
                        "value": token,
                    },
                ],
            },
        ]
        text = f"Preview: {messages[0].text}"
        try:
            client.chat_postEphemeral(
                channel=channel_id, user=command.get("user_id"), text=text, blocks=blocks
            )
        except SlackApiError:  # not in the channel: the response_url still works
            respond(response_type="ephemeral", text=text, blocks=blocks)

    def _ack_action(self, ack: Any) -> None:
        ack()

    def _run_post(self, body: dict[str, Any], respond: Any) -> None:
        token = str(body.get("actions", [{}])[0].get("value", ""))
        pending = self._pending.pop(token)
        if pending is None:
            respond(
                replace_original=True,
                text="This preview has expired or was posted already; run /digest again.",
            )
            return
        try:
            result = self.poster.post(pending.articles, pending.channel_id, window=pending.window)
        except SlackPostError as error:
            respond(replace_original=True, text=redact_text(f"Could not post the digest: {error}"))
            return
        respond(replace_original=True, text=f"Posted. {result.summary()}")

    def _run_discard(self, body: dict[str, Any], respond: Any) -> None:
        token = str(body.get("actions", [{}])[0].get("value", ""))
        self._pending.pop(token)
        respond(delete_original=True)

    # --- defaults -------------------------------------------------------------------------

    def _summarize_with_api(self, url: str) -> ArticleReport:
        from summarizer.api import summarize

        return summarize(url, settings=self.settings)

    def _collect_from_sources(
        self, window: dt.timedelta, channel_id: str
    ) -> tuple[list[DigestArticle], list[ItemFailure]]:
        assert self.sources is not None
        items, failures = select_items(
            self.sources,
            settings=self.settings,
            since=window,
            skip_ids=self.ledger.posted_ids(channel_id),
        )
        batch = asyncio.run(self._summarize_cached(items))
        return digest_articles(batch), failures + batch.failures

    async def _summarize_cached(self, items: list[BatchInput]) -> SummaryBatch:
        """Summarize through the result cache: what a batch or digest did is reused."""
        return await summarize_items(items, settings=self.settings)
