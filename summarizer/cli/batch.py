"""The ``summarizer batch`` and ``summarizer cache`` commands.

``summarizer batch INPUT --out results.jsonl`` summarizes every article INPUT names (a
directory, a file of paths/URLs, or a JSONL of ``{id, text|url|path, published}``)
with bounded concurrency and a live progress bar. Each record is appended to the
results file as soon as it is made (one ``write`` per line, fsync'd), each failure to
the failures file (input id, error class, message, attempts). ``--resume`` skips the
inputs already in either file with unchanged content, so a finished batch run again
makes no LLM call; ``--retry-failed`` tries the failed ones again. SIGTERM or Ctrl-C
stops cleanly: finished lines stay complete, the command prints one line and exits
143 (130 for Ctrl-C). Exit status of a finished batch: 0, or 1 if some input failed.

``--via openai-batch`` writes OpenAI Batch API requests instead (and, with an API key,
submits them, polls and imports the answers); ``summarizer batch import OUTPUT.jsonl``
imports a Batch API (or vLLM batch runner) output file. A step-pipeline prompt (v6)
runs in rounds: ``summarizer batch ingest ROUND.output.jsonl`` takes each round's output
and writes the next round's requests (see :mod:`summarizer.cli._via_batch`).
``summarizer cache stats`` and ``summarizer cache clear`` look after the result cache.

Added to the command line by :mod:`summarizer.cli.root`.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.logging import RichHandler
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from typer.core import TyperGroup

from summarizer.batch.cache import ResultCache, default_cache_path
from summarizer.batch.runner import (
    BatchInput,
    BatchResult,
    JsonlAppender,
    asummarize_many,
    read_inputs,
)
from summarizer.cli._batch_io import (
    Plan,
    check_outputs,
    default_failures,
    output_lock,
    plan_run,
)
from summarizer.cli._common import err, handle_errors, out, settings_from
from summarizer.cli._via_batch import import_command, ingest_command, via_openai_batch
from summarizer.schema import Usage
from summarizer.settings import Settings

__all__ = ["batch_app", "cache_app"]


class _BatchGroup(TyperGroup):
    """``batch INPUT ...`` means ``batch run INPUT ...``; ``batch import ...`` imports."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = ["run", *args]
        return super().parse_args(ctx, args)


batch_app = typer.Typer(
    cls=_BatchGroup,
    help="Summarize many articles: `summarizer batch INPUT --out results.jsonl` "
    "(see `summarizer batch run --help`), or import Batch API output.",
    no_args_is_help=True,
)
cache_app = typer.Typer(help="The result cache (SQLite, in the cache directory).")


class Via(enum.StrEnum):
    """Where the requests go."""

    live = "live"
    openai_batch = "openai-batch"


# --------------------------------------------------------------------------- live runs


@contextlib.contextmanager
def _library_logs(verbose: bool) -> Iterator[None]:
    """Retry chatter of the client goes above the progress bar (--verbose) or nowhere:
    every failure ends up in the failures file anyway."""
    names = ("instructor", "summarizer", "httpx", "httpx2", "openai")
    loggers = [logging.getLogger(name) for name in names]
    saved = [(lg.handlers[:], lg.propagate) for lg in loggers]
    handler: logging.Handler = (
        RichHandler(console=err, show_path=False) if verbose else logging.NullHandler()
    )
    for logger in loggers:
        logger.handlers, logger.propagate = [handler], False
    try:
        yield
    finally:
        for logger, (handlers, propagate) in zip(loggers, saved, strict=True):
            logger.handlers, logger.propagate = handlers, propagate


def _progress(quiet: bool) -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("[green]{task.fields[ok]} done[/]"),
        TextColumn("[red]{task.fields[failed]} failed[/]"),
        TextColumn("{task.fields[rate]}"),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=quiet,
        refresh_per_second=4,
    )


@dataclass
class _Tally:
    ok: int = 0
    cached: int = 0
    failed: int = 0
    signal: int | None = None
    usage: Usage = field(default_factory=Usage)  # of the records made in this run

    def tokens(self) -> str:
        """'; tokens: 4100 prompt (1500 cached) + 620 generated (2050 + 310 an article)'
        over the records this run made ('' when it made none)."""
        made = self.ok - self.cached
        if made <= 0:
            return ""
        u = self.usage
        return (
            f"; tokens: {u.prompt_tokens} prompt ({u.cached_prompt_tokens} cached) + "
            f"{u.completion_tokens} generated ({u.prompt_tokens / made:.0f} + "
            f"{u.completion_tokens / made:.0f} an article)"
        )

    @property
    def finished(self) -> int:
        return self.ok + self.failed


class _Interrupted(Exception):
    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


async def _run_live(
    plan: Plan,
    results: JsonlAppender,
    failures: JsonlAppender,
    *,
    settings: Settings,
    cache: ResultCache | bool,
    concurrency: int,
    quiet: bool,
) -> _Tally:
    tally = _Tally()
    loop = asyncio.get_running_loop()
    main = asyncio.current_task()
    assert main is not None

    def stop(signum: int) -> None:
        if tally.signal is None:
            tally.signal = signum
            main.cancel()

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop, signum)
    started = time.monotonic()
    with _progress(quiet) as progress:
        task = progress.add_task(
            "batch",
            total=len(plan.inputs),
            completed=plan.done + plan.failed_before,
            ok=plan.done,
            failed=plan.failed_before,
            rate="",
        )
        try:
            stream = asummarize_many(
                plan.pending, concurrency=concurrency, settings=settings, cache=cache
            )
            async with contextlib.aclosing(stream) as stream_results:
                async for result in stream_results:
                    _record(result, results, failures, tally)
                    rate = tally.finished / max(time.monotonic() - started, 1e-6)
                    progress.update(
                        task,
                        advance=1,
                        ok=plan.done + tally.ok,
                        failed=plan.failed_before + tally.failed,
                        rate=f"{rate:.1f}/s",
                    )
        except asyncio.CancelledError:
            if tally.signal is None:
                raise
            raise _Interrupted(tally.signal) from None
    return tally


def _record(
    result: BatchResult, results: JsonlAppender, failures: JsonlAppender, tally: _Tally
) -> None:
    if result.ok:
        results.write(result.to_json())
        tally.ok += 1
        tally.cached += result.cached
        if not result.cached and result.report is not None:
            tally.usage = tally.usage + result.report.provenance.usage
    else:
        failures.write(result.to_json())
        tally.failed += 1


def _live(
    inputs: list[BatchInput],
    out_path: Path,
    failures_path: Path,
    *,
    settings: Settings,
    concurrency: int,
    resume: bool,
    retry_failed: bool,
    no_cache: bool,
    quiet: bool,
    verbose: bool,
) -> None:
    plan = plan_run(inputs, out_path, failures_path, resume=resume, retry_failed=retry_failed)
    cache = None if no_cache else ResultCache.for_settings(settings)
    try:
        with (
            JsonlAppender(out_path) as results,
            JsonlAppender(failures_path, truncate=not resume) as failures,
            _library_logs(verbose),
        ):
            try:
                tally = asyncio.run(
                    _run_live(
                        plan,
                        results,
                        failures,
                        settings=settings,
                        cache=cache if cache is not None else False,
                        concurrency=concurrency,
                        quiet=quiet,
                    )
                )
            except _Interrupted as stopped:
                done = plan.done + results.written
                _interrupted(stopped, out_path, f" with {done} of {len(inputs)} inputs done")
        hits = f"; cache {cache.hits} hits, {cache.misses} misses" if cache is not None else ""
    finally:
        if cache is not None:
            cache.close()
    earlier = (
        f", {plan.failed_before} failed earlier (--retry-failed to try them again)"
        if plan.failed_before
        else ""
    )
    err.print(
        f"{tally.ok} succeeded ({tally.cached} from the cache), {tally.failed} failed, "
        f"{plan.done} already done{earlier}{hits}{tally.tokens()}; results: {out_path}, failures: "
        f"{failures_path}",
        highlight=False,
        soft_wrap=True,
    )
    if tally.failed:
        raise typer.Exit(1)


# --------------------------------------------------------------------------- commands


@batch_app.command("run")
@handle_errors
def run_command(
    source: Annotated[
        Path,
        typer.Argument(
            metavar="INPUT",
            help="A directory of articles (.txt .text .md .html .htm .xhtml .shtml, walked "
            "recursively, hidden files skipped), a file of paths/URLs (one a line), or a "
            'JSONL of {"id", "text" | "url" | "path", "published", "outlet"}.',
        ),
    ],
    out_path: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            help="Results JSONL (appended line by line); with --via openai-batch, the "
            "requests file to write.",
        ),
    ],
    concurrency: Annotated[
        int, typer.Option(min=1, max=512, help="Articles in flight at once.")
    ] = 8,
    resume: Annotated[
        bool, typer.Option(help="Skip inputs already in the results or failures files.")
    ] = False,
    retry_failed: Annotated[
        bool, typer.Option(help="With --resume, try the inputs that failed before again.")
    ] = False,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Neither read nor write the result cache.")
    ] = False,
    failures: Annotated[
        Path | None,
        typer.Option(help="Failures JSONL [default: <out>.failures.jsonl]."),
    ] = None,
    via: Annotated[
        Via,
        typer.Option(help="live: call the endpoint now; openai-batch: write Batch API requests."),
    ] = Via.live,
    results: Annotated[
        Path | None,
        typer.Option(
            help="With --via openai-batch: where imported records go [<out>.results.jsonl]."
        ),
    ] = None,
    submit: Annotated[
        bool,
        typer.Option(help="With --via openai-batch and an API key: submit, wait and import."),
    ] = True,
    batch_id: Annotated[
        str | None,
        typer.Option(help="With --via openai-batch: poll and import this submitted batch."),
    ] = None,
    poll_interval: Annotated[
        float, typer.Option(min=0.0, help="First Batch API poll interval, in seconds.")
    ] = 10.0,
    model: Annotated[str | None, typer.Option(help="Model name [SUMMARIZER_MODEL].")] = None,
    base_url: Annotated[
        str | None, typer.Option(help="OpenAI-compatible endpoint [SUMMARIZER_BASE_URL].")
    ] = None,
    prompt_version: Annotated[
        str | None, typer.Option(help="Prompt version [SUMMARIZER_PROMPT_VERSION].")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show the client's retries and re-asks.")
    ] = False,
) -> None:
    """Summarize every article INPUT names into a results JSONL."""
    previous = signal.signal(signal.SIGTERM, _raise_interrupted)
    try:
        _run(
            source, out_path, failures, via, results, settings_from(
                model=model, base_url=base_url, prompt_version=prompt_version
            ),
            concurrency=concurrency, resume=resume, retry_failed=retry_failed,
            no_cache=no_cache, submit=submit, batch_id=batch_id,
            poll_interval=poll_interval, quiet=quiet, verbose=verbose,
        )  # fmt: skip
    except _Interrupted as stopped:
        _interrupted(stopped, out_path)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _raise_interrupted(signum: int, frame: object) -> None:
    raise _Interrupted(signum)


def _interrupted(stopped: _Interrupted, out_path: Path, detail: str = "") -> None:
    err.print(
        f"[bold red]error:[/] interrupted by {stopped}{detail}; finished results are in "
        f"{out_path}; run the same command with --resume to continue",
        highlight=False,
        soft_wrap=True,
    )
    raise typer.Exit(128 + stopped.signum)


def _run(
    source: Path,
    out_path: Path,
    failures: Path | None,
    via: Via,
    results: Path | None,
    settings: Settings,
    *,
    concurrency: int,
    resume: bool,
    retry_failed: bool,
    no_cache: bool,
    submit: bool,
    batch_id: str | None,
    poll_interval: float,
    quiet: bool,
    verbose: bool,
) -> None:
    inputs = read_inputs(source)
    failures_path = failures or default_failures(out_path)
    if via is Via.openai_batch:
        stem = out_path.name.removesuffix(".jsonl")
        results_path = results or out_path.with_name(f"{stem}.results.jsonl")
        outputs = {"--out": out_path, "--failures": failures_path, "--results": results_path}
        check_outputs(source, inputs, outputs)
        with output_lock(out_path):
            via_openai_batch(
                inputs,
                out_path,
                failures_path,
                results_path,
                settings=settings,
                concurrency=concurrency,
                submit=submit,
                batch_id=batch_id,
                poll_interval=poll_interval,
            )
        return
    # one writer per output, and never an input as an output: before anything is written
    check_outputs(source, inputs, {"--out": out_path, "--failures": failures_path})
    with output_lock(out_path):
        _live(
            inputs,
            out_path,
            failures_path,
            settings=settings,
            concurrency=concurrency,
            resume=resume,
            retry_failed=retry_failed,
            no_cache=no_cache,
            quiet=quiet,
            verbose=verbose,
        )


batch_app.command("import")(import_command)
batch_app.command("ingest")(ingest_command)


@cache_app.command("stats")
@handle_errors
def cache_stats_command() -> None:
    """Entries and size of the result cache."""
    path = default_cache_path(Settings())
    if not path.exists():
        out.print(f"no result cache yet at {path}", highlight=False)
        return
    with ResultCache(path) as cache:
        stats = cache.stats()
    out.print(
        f"{stats.path}: {stats.entries} entries, {stats.size_bytes / 1_000_000:.1f} MB",
        highlight=False,
    )


@cache_app.command("clear")
@handle_errors
def cache_clear_command() -> None:
    """Delete every cached record."""
    path = default_cache_path(Settings())
    if not path.exists():
        out.print(f"no result cache at {path}; nothing to clear", highlight=False)
        return
    with ResultCache(path) as cache:
        removed = cache.clear()
    out.print(f"removed {removed} cached records from {path}", highlight=False)
