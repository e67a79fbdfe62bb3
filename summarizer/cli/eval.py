"""``summarizer eval``: score the records of the gold-annotated fixtures, field by field.

Added to the command line by :mod:`summarizer.cli.root`::

    summarizer eval --replay --baseline tests/eval_baseline.json   # CI: cassettes, no model
    summarizer eval --live [--record]                              # the configured model
    summarizer eval compare eval-out/report.json other/report.json

Writes report.json, report.md, junit.xml, report.html and report.txt to ``--out``, prints
the tables, and exits 1 with one line per failed metric when a gate fails.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from summarizer.cli._common import err, handle_errors, out, settings_from
from summarizer.errors import InputError

__all__ = ["eval_app"]

eval_app = typer.Typer(
    name="eval",
    help="Score the summarizer's records against the gold fixtures (replayed or live) and "
    "gate on a baseline. `summarizer eval compare A.json B.json` compares two runs.",
    no_args_is_help=False,
    pretty_exceptions_enable=False,
)
_OUT = Path("eval-out")


def _default(name: str) -> Path:
    from summarizer.evaluation import runner

    paths: dict[str, Path] = {
        "articles": runner.DEFAULT_ARTICLES_DIR,
        "gold": runner.DEFAULT_GOLD_DIR,
        "cassettes": runner.DEFAULT_CASSETTE_DIR,
    }
    return paths[name]


@eval_app.callback(invoke_without_command=True)
@handle_errors
def eval_command(
    ctx: typer.Context,
    articles: Annotated[
        Path | None,
        typer.Option(help="Directory of articles (default: the repo's tests/fixtures/articles)."),
    ] = None,
    gold: Annotated[
        Path | None,
        typer.Option(
            help="Directory of gold YAML files (default: the repo's tests/fixtures/gold)."
        ),
    ] = None,
    replay: Annotated[
        bool | None,
        typer.Option(
            "--replay/--live",
            help="Replay recorded cassettes (no model, no network) or ask the configured "
            "model (default: replay; live with --record).",
            show_default=False,
        ),
    ] = None,
    record: Annotated[
        bool, typer.Option("--record", help="Live, and write each article's cassette.")
    ] = False,
    cassette_dir: Annotated[
        Path | None,
        typer.Option(help="Cassette directory (default: the repo's cassettes/summarize_fixtures)."),
    ] = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Where to write the reports.")] = _OUT,
    baseline: Annotated[
        Path | None, typer.Option(help="Baseline JSON to compare with (fails on drops).")
    ] = None,
    tolerance: Annotated[
        float, typer.Option(min=0.0, help="Largest drop of any metric the gate allows.")
    ] = 0.02,
    min_f1: Annotated[
        float | None, typer.Option(min=0.0, max=1.0, help="Fail when events F1 is below this.")
    ] = None,
    min_field: Annotated[
        list[str] | None,
        typer.Option(
            help="NAME=VALUE: fail when that field's accuracy (or metric, e.g. "
            "summary.neutrality) is below VALUE. Repeatable."
        ),
    ] = None,
    update_baseline: Annotated[
        bool,
        typer.Option(
            "--update-baseline", help="Write this run as the new --baseline (no comparison)."
        ),
    ] = False,
    model: Annotated[
        str | None, typer.Option(help="Model name, live only [SUMMARIZER_MODEL].")
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(help="OpenAI-compatible endpoint, live only [SUMMARIZER_BASE_URL]."),
    ] = None,
    prompt_version: Annotated[
        str | None, typer.Option(help="Prompt version [SUMMARIZER_PROMPT_VERSION].")
    ] = None,
) -> None:
    """Summarize every gold-annotated article, score the records and write the reports."""
    if ctx.invoked_subcommand is not None:
        return
    from summarizer.api import prompt_info
    from summarizer.evaluation.gating import (
        gate,
        load_document,
        parse_min_field,
        resolve_metric,
        write_baseline,
    )
    from summarizer.evaluation.reports import render_table, report_document, write_reports
    from summarizer.evaluation.runner import EvalProgress, Mode, run_eval
    from summarizer.evaluation.scoring import Counts, metrics

    if record and replay:
        raise InputError("--record writes cassettes from a live model; use --live --record")
    mode: Mode = "live" if (replay is False or record) else "replay"
    if update_baseline and baseline is None:
        raise InputError("--update-baseline needs --baseline FILE (where to write it)")
    thresholds = dict(parse_min_field(spec) for spec in (min_field or []))
    for name in thresholds:  # unknown names fail before the run, not after it
        resolve_metric(name, metrics(Counts()))
    previous = load_document(baseline) if baseline is not None and not update_baseline else None
    if mode == "replay":
        if model or base_url:
            err.print("[yellow]note:[/] --model and --base-url apply to --live only; ignored")
        settings = settings_from(prompt_version=prompt_version)
    else:
        settings = settings_from(model=model, base_url=base_url, prompt_version=prompt_version)
        if record and settings.model not in (None, "local"):
            err.print(
                f"[yellow]note:[/] recording with model {settings.model!r}; `eval --replay` "
                "and the integration test replay with model 'local' (the embedded model)",
                highlight=False,
            )

    prompt_info(settings.prompt_version)  # a missing version fails now, in one line

    with Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task(f"eval ({mode})", total=None)

        def report(event: EvalProgress) -> None:
            if not event.done:
                progress.update(task, total=event.total, description=event.article)
                return
            progress.advance(task)
            outcome = event.outcome
            if outcome is not None and outcome.failed:
                progress.console.print(
                    f"[red]✗[/] {event.article} failed: {outcome.score.error}", highlight=False
                )
            elif outcome is not None:
                progress.console.print(
                    f"[green]✓[/] {event.article} {outcome.seconds:.1f}s", highlight=False
                )

        result = run_eval(
            articles or _default("articles"),
            gold or _default("gold"),
            mode=mode,
            record=record,
            cassette_dir=cassette_dir or _default("cassettes"),
            settings=settings,
            progress=report,
        )

    verdict = gate(
        report_document(result),
        baseline=previous,
        tolerance=tolerance,
        min_f1=min_f1,
        min_fields=thresholds,
    )
    written = write_reports(result, out_dir, verdict)
    render_table(result, out, verdict)
    err.print(f"reports written to {out_dir}/ ({', '.join(written)})", highlight=False)
    if update_baseline and baseline is not None:
        write_baseline(result, baseline)
        err.print(f"baseline written to {baseline}", highlight=False)
    failed = sum(outcome.failed for outcome in result.articles)
    if failed:
        err.print(
            f"[yellow]warning:[/] {failed} of {len(result.articles)} article(s) produced no "
            "record (scored as misses)",
            highlight=False,
        )
    for failure in verdict.failures:
        err.print(f"[bold red]gate failed:[/] {failure}", highlight=False, soft_wrap=True)
    nothing = bool(result.articles) and failed == len(result.articles)
    if nothing:
        err.print("[bold red]error:[/] no article produced a record", highlight=False)
    if nothing or not verdict.passed:
        raise typer.Exit(1)


@eval_app.command("compare")
@handle_errors
def compare_command(
    before: Annotated[Path, typer.Argument(help="report.json or baseline (the reference).")],
    after: Annotated[Path, typer.Argument(help="report.json or baseline to compare with it.")],
) -> None:
    """Per-metric deltas of AFTER against BEFORE (over the articles both evaluated)."""
    from summarizer.evaluation.gating import compare, load_document

    comparison = compare(load_document(before), load_document(after))
    table = Table(title=f"{after} vs {before}", title_justify="left")
    for column in ("metric", "before", "after", "Δ"):
        table.add_column(column, justify="left" if column == "metric" else "right")
    for d in comparison.deltas:
        if d.delta is None:
            change = "n/a"
        elif d.delta > 0:
            change = f"[green]{d.delta:+.3f}[/]"
        elif d.delta < 0:
            change = f"[red]{d.delta:+.3f}[/]"
        else:
            change = "[dim]0.000[/]"
        table.add_row(
            d.name,
            "n/a" if d.before is None else f"{d.before:.3f}",
            "n/a" if d.after is None else f"{d.after:.3f}",
            change,
        )
    out.print(table)
    if comparison.only_before or comparison.only_after:
        out.print(
            f"[dim]compared on {len(comparison.common)} common article(s); only in {before}: "
            f"{', '.join(comparison.only_before) or '—'}; only in {after}: "
            f"{', '.join(comparison.only_after) or '—'}",
            highlight=False,
        )
