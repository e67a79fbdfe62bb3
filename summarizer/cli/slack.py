"""``summarizer digest`` and ``summarizer bot``: the Slack commands of the command line.

Added to the command line by :mod:`summarizer.cli.root`.
Slack, bolt and feedparser are imported only when a command runs, so the rest of the
command line works without the ``slack`` extra.

``summarizer digest`` reads feeds, URL lists, a directory or standard input, keeps what
is recent (``--since``) and not yet posted to the channel, summarizes it (four at a
time, with a progress bar), and posts one digest (or, with ``--dry-run``, prints its
Block Kit JSON and its Markdown). ``--every 6h`` repeats that until Ctrl-C.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from summarizer.cli._common import err, handle_errors, settings_from
from summarizer.errors import ConfigurationError, InputError, SummarizerError, redact_text
from summarizer.settings import Settings

if TYPE_CHECKING:
    from summarizer.batch.inputs import InputSources, ItemFailure
    from summarizer.slack.digest import DigestArticle
    from summarizer.slack.poster import DigestPoster, Ledger

__all__ = ["bot_command", "commands", "digest_command", "run_every"]

commands = typer.Typer()

_NO_EXTRA = (
    "the Slack commands need the 'slack' extra (slack_sdk, slack_bolt, feedparser): "
    "pip install 'summarizer[slack]'"
)

FeedsOption = Annotated[
    Path | None, typer.Option("--feeds", help="File of RSS/Atom feed URLs, one a line.")
]
UrlsOption = Annotated[
    Path | None,
    typer.Option(
        "--urls",
        "--list",
        help="List file: article URLs or file paths (relative to it), one a line; or a "
        "JSONL of {id, text|url|path, published, outlet} (as summarizer batch reads).",
    ),
]
DirOption = Annotated[
    Path | None,
    typer.Option(
        "--dir",
        help="Directory of article files (.txt .text .md .html .htm .xhtml .shtml), walked "
        "recursively, hidden files skipped (as by summarizer batch).",
    ),
]
SlackUrlOption = Annotated[
    str | None,
    typer.Option(
        "--slack-base-url",
        help="Slack Web API base URL, for testing [SUMMARIZER_SLACK_BASE_URL].",
    ),
]
AllowPrivateOption = Annotated[
    bool,
    typer.Option(
        "--allow-private-urls",
        help="Let feeds and article links reach private and loopback addresses (tests, "
        "local use); off, every fetch goes through the fetch guard.",
    ),
]
ModelOption = Annotated[str | None, typer.Option(help="Model name [SUMMARIZER_MODEL].")]
BaseUrlOption = Annotated[
    str | None,
    typer.Option(help="OpenAI-compatible LLM endpoint [SUMMARIZER_BASE_URL]."),
]


def _check_extra() -> None:
    try:
        import feedparser  # noqa: F401
        import slack_bolt  # noqa: F401
        import slack_sdk  # noqa: F401
    except ImportError:
        raise ConfigurationError(_NO_EXTRA) from None


def _sources(
    feeds: Path | None, urls: Path | None, directory: Path | None, stdin: bool
) -> InputSources:
    from summarizer.batch.inputs import InputSources

    stdin_text = None
    if stdin:
        data = sys.stdin.buffer.read()
        try:
            stdin_text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError("standard input is not UTF-8 text") from None
    sources = InputSources(feeds=feeds, urls=urls, directory=directory, stdin_text=stdin_text)
    if sources.empty:
        raise InputError("no source given: use --feeds, --urls, --dir or --stdin")
    return sources


def _report_failures(failures: list[ItemFailure]) -> None:
    for failure in failures:
        err.print(
            f"[yellow]skipped[/] {failure.location}: {failure.error}",
            highlight=False,
            soft_wrap=True,
            markup=True,
        )


def _collect(
    sources: InputSources,
    *,
    settings: Settings,
    since: dt.timedelta | None,
    skip_ids: set[str],
    concurrency: int,
    use_cache: bool = True,
) -> list[DigestArticle]:
    """Select, summarize (with a progress bar) and report what failed."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from summarizer.slack.feeds import digest_articles, select_items, summarize_items

    items, failures = select_items(sources, settings=settings, since=since, skip_ids=skip_ids)
    if not items:
        _report_failures(failures)
        return []
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task("summarizing", total=len(items))

        def advance(*_: Any) -> None:
            progress.advance(task)

        batch = asyncio.run(
            summarize_items(items, settings=settings, concurrency=concurrency, on_result=advance,
                            cache=use_cache)
        )  # fmt: skip
    _report_failures(failures + batch.failures)
    return digest_articles(batch)


def _print_dry_run(articles: list[DigestArticle], *, channel: str | None, title: str,
                   window: str | None) -> None:  # fmt: skip
    from summarizer.slack.digest import build_digest
    from summarizer.slack.render import render_article_details, render_markdown, render_slack

    digest = build_digest(articles, title=title, window=window)
    messages: list[dict[str, Any]] = [
        {"post": "parent" if n == 0 else "thread reply", **m.payload()}
        for n, m in enumerate(render_slack(digest))
    ]
    for article in digest.articles:
        messages += [
            {"post": "thread reply", "article_id": article.article_id, **m.payload()}
            for m in render_article_details(article)
        ]
    document = {"channel": channel, "messages": messages}
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n\n")
    sys.stdout.write(render_markdown(digest))


def run_every(
    interval: dt.timedelta,
    run_once: Callable[[], None],
    *,
    sleep: Callable[[float], None] = time.sleep,
    runs: int | None = None,
) -> None:
    """Run ``run_once`` now and then every ``interval`` until interrupted (or ``runs``
    times). A run that fails with a SummarizerError is reported and the schedule goes
    on; a ConfigurationError stops it."""
    done = 0
    while runs is None or done < runs:
        started = time.monotonic()
        try:
            run_once()
        except ConfigurationError:
            raise
        except SummarizerError as error:
            err.print(
                f"[bold red]error:[/] {redact_text(str(error))}", highlight=False, soft_wrap=True
            )
        done += 1
        if runs is not None and done >= runs:
            return
        wait = max(0.0, interval.total_seconds() - (time.monotonic() - started))
        next_run = dt.datetime.now().astimezone() + dt.timedelta(seconds=wait)
        err.print(f"next run at {next_run:%Y-%m-%d %H:%M} (Ctrl-C to stop)")
        sleep(wait)


@commands.command("digest")
@handle_errors
def digest_command(
    feeds: FeedsOption = None,
    urls: UrlsOption = None,
    directory: DirOption = None,
    stdin: Annotated[
        bool, typer.Option("--stdin", help="Read URLs (one a line) or one article from stdin.")
    ] = False,
    since: Annotated[
        str | None,
        typer.Option(help="Only items from the last 30m, 24h, 7d… (feed date, else now)."),
    ] = None,
    channel: Annotated[
        str | None, typer.Option(help="Channel to post to: '#name' or an id like C0123456.")
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Print the Block Kit JSON and the Markdown; post nothing."),
    ] = False,
    every: Annotated[
        str | None, typer.Option(help="Run again every 6h, 30m… until Ctrl-C.")
    ] = None,
    slack_base_url: SlackUrlOption = None,
    title: Annotated[str, typer.Option(help="Title of the digest.")] = "Conflict digest",
    concurrency: Annotated[
        int, typer.Option(min=1, max=16, help="Articles summarized at once.")
    ] = 4,
    min_interval: Annotated[
        float, typer.Option(min=0.0, help="Seconds between two messages to the channel.")
    ] = 1.0,
    no_cache: Annotated[
        bool,
        typer.Option("--no-cache", help="Summarize every article anew (skip the result cache)."),
    ] = False,
    model: ModelOption = None,
    base_url: BaseUrlOption = None,
    allow_private_urls: AllowPrivateOption = False,
) -> None:
    """Summarize new articles and post them to Slack as one digest, never twice.

    Records already in the result cache (from `summarizer batch`, or an earlier digest)
    are reused without asking the model.
    """
    _check_extra()
    from summarizer.slack.feeds import parse_duration
    from summarizer.slack.poster import DigestPoster, Ledger, SlackSettings, make_client

    settings = settings_from(model=model, base_url=base_url, fetch_guard=not allow_private_urls)
    slack_settings = SlackSettings()
    window = parse_duration(since) if since else None
    interval = parse_duration(every) if every else None
    if stdin and interval is not None:
        raise InputError("--stdin can be read once only; it cannot be combined with --every")
    if not dry_run and not channel:
        raise InputError("--channel is required (or use --dry-run)")
    sources = _sources(feeds, urls, directory, stdin)
    ledger_file = slack_settings.ledger_file(settings)

    with contextlib.ExitStack() as stack:
        ledger: Ledger | None = None
        poster: DigestPoster | None = None
        if not dry_run:
            token = slack_settings.require("SLACK_BOT_TOKEN")
            ledger = stack.enter_context(Ledger(ledger_file))
            client = make_client(token, base_url=slack_base_url or slack_settings.api_url)
            poster = DigestPoster(client, ledger, min_interval=min_interval, title=title)
        elif channel and ledger_file.is_file():
            ledger = stack.enter_context(Ledger(ledger_file))

        def run_once() -> None:
            skip = ledger.posted_ids(channel) if ledger is not None and channel else set()
            articles = _collect(
                sources,
                settings=settings,
                since=window,
                skip_ids=skip,
                concurrency=concurrency,
                use_cache=not no_cache,
            )
            if poster is None:
                _print_dry_run(articles, channel=channel, title=title, window=since)
                return
            assert channel is not None
            if not articles:
                err.print("nothing new to post")
            result = poster.post(articles, channel, window=since)
            err.print(result.summary(), highlight=False)

        if interval is None:
            run_once()
        else:
            run_every(interval, run_once)


@commands.command("bot")
@handle_errors
def bot_command(
    port: Annotated[int, typer.Option(help="HTTP port for Slack's requests.")] = 3000,
    host: Annotated[
        str, typer.Option(help="Address to listen on (put an HTTPS proxy in front).")
    ] = "127.0.0.1",
    feeds: FeedsOption = None,
    urls: UrlsOption = None,
    directory: DirOption = None,
    since: Annotated[str, typer.Option(help="Default window of /digest.")] = "24h",
    slack_base_url: SlackUrlOption = None,
    model: ModelOption = None,
    base_url: BaseUrlOption = None,
    allow_private_urls: AllowPrivateOption = False,
) -> None:
    """Run the Slack bot: /summarize URL and /digest (with an optional window, e.g. 6h).

    Socket Mode when SLACK_APP_TOKEN is set, else HTTP on --host/--port at /slack/events.
    Needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET.
    """
    _check_extra()
    from summarizer.batch.inputs import InputSources
    from summarizer.slack.bot import EVENTS_PATH, SummarizerBot
    from summarizer.slack.poster import SlackSettings

    settings = settings_from(model=model, base_url=base_url)
    slack_settings = SlackSettings()
    sources = InputSources(feeds=feeds, urls=urls, directory=directory)
    with SummarizerBot(
        slack_settings=slack_settings,
        settings=settings,
        sources=None if sources.empty else sources,
        default_window=since,
        api_url=slack_base_url,
        allow_private_urls=allow_private_urls,
    ) as bot:
        if slack_settings.app_token is not None:
            err.print("summarizer bot: Socket Mode (Ctrl-C to stop)")
        else:
            err.print(f"summarizer bot: HTTP on http://{host}:{port}{EVENTS_PATH} (Ctrl-C to stop)")
        bot.run(host=host, port=port)
