"""``summarizer eval``: score the records of the gold-annotated fixtures, field by field.

Added to the command line by :mod:`summarizer.cli.root`::

    summarizer eval --replay --baseline tests/eval_baseline.json   # CI: cassettes, no model
    summarizer eval --live [--record]                              # the configured model
    summarizer eval --set all --live                # fixtures and dev set side by side
    summarizer eval compare eval-out/report.json other/report.json

Writes report.json, report.md, junit.xml, report.html and report.txt to ``--out`` (with
``--set all``: to ``--out/<set>/``, plus ``--out/summary.md``), prints the tables, and
exits 1 with one line per failed metric when a gate fails.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
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

if TYPE_CHECKING:
    from summarizer.evaluation.sets import EvalSet

__all__ = ["eval_app"]

eval_app = typer.Typer(
    name="eval",
    help="Score the summarizer's records against the gold fixtures (replayed or live) and "
    "gate on a baseline. `summarizer eval compare A.json B.json` compares two runs.",
    no_args_is_help=False,
    pretty_exceptions_enable=False,
)
_OUT = Path("eval-out")


def _sets(
    set_name: str | None, articles: Path | None, gold: Path | None, cassette_dir: Path | None
) -> list[EvalSet]:
    """The sets to run: ``--set``'s, or the custom one of ``--articles/--gold``."""
    from summarizer.evaluation.runner import (
        DEFAULT_ARTICLES_DIR,
        DEFAULT_CASSETTE_DIR,
        DEFAULT_GOLD_DIR,
    )
    from summarizer.evaluation.sets import EvalSet, eval_sets

    if set_name is not None and (articles is not None or gold is not None):
        raise InputError("--articles/--gold define a set of their own; do not combine with --set")
    if articles is not None or gold is not None:
        return [
            EvalSet(
                "custom",
                articles or DEFAULT_ARTICLES_DIR,
                gold or DEFAULT_GOLD_DIR,
                cassette_dir or DEFAULT_CASSETTE_DIR,
            )
        ]
    sets = eval_sets(set_name or "fixtures")
    if cassette_dir is not None:
        if len(sets) > 1:
            raise InputError(
                "--cassette-dir names one set's cassettes; use it with --set fixtures or --set dev"
            )
        sets = [dataclasses.replace(sets[0], cassette_dir=cassette_dir)]
    return sets


def _baselines(
    sets: list[EvalSet], baseline: Path | None, update: bool
) -> tuple[dict[str, Path], dict[str, dict[str, Any]]]:
    """Each set's baseline path, and the documents to compare with (read before the run,
    so a bad file fails at once). With several sets a missing non-fixtures baseline is a
    note, not an error."""
    from summarizer.evaluation.gating import load_document
    from summarizer.evaluation.sets import set_baseline

    if baseline is None:
        return {}, {}
    several = len(sets) > 1
    paths = {s.name: set_baseline(baseline, s.name) if several else baseline for s in sets}
    documents = {}
    for name, path in paths.items():
        if update:
            continue
        if several and name != "fixtures" and not path.is_file():
            err.print(
                f"[yellow]note:[/] no {name} baseline at {path}; {name} is not compared with one",
                highlight=False,
            )
            continue
        documents[name] = load_document(path)
    return paths, documents


@eval_app.callback(invoke_without_command=True)
@handle_errors
def eval_command(
    ctx: typer.Context,
    set_name: Annotated[
        str | None,
        typer.Option(
            "--set",
            help="Which gold set: fixtures (tests/fixtures, cassettes/summarize_fixtures), "
            "dev (tests/fixtures/dev, cassettes/eval_dev), heldout (tests/fixtures/heldout, "
            "cassettes/eval_heldout: articles never read to write the rules) or all (every "
            "set side by side; each set's reports in --out/<set>/, the table in "
            "--out/summary.md). Default: fixtures.",
            metavar="fixtures|dev|heldout|all",
            show_default=False,
        ),
    ] = None,
    articles: Annotated[
        Path | None,
        typer.Option(help="Directory of articles: a custom set (not with --set)."),
    ] = None,
    gold: Annotated[
        Path | None,
        typer.Option(help="Directory of gold YAML files: a custom set (not with --set)."),
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
        typer.Option(help="Cassette directory (default: the set's; not with --set all)."),
    ] = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Where to write the reports.")] = _OUT,
    baseline: Annotated[
        Path | None,
        typer.Option(
            help="Baseline JSON to compare with (fails on drops). With --set all it is the "
            "fixtures' baseline and the dev set's is its sibling <stem>.dev.json (e.g. "
            "tests/eval_baseline.dev.json; a missing one is noted, not compared)."
        ),
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
    max_untraceable: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="Fail when more than N names of the records (places, actors, sources, "
            "title, wire, dateline) are not traceable to their articles.",
        ),
    ] = None,
    update_baseline: Annotated[
        bool,
        typer.Option(
            "--update-baseline",
            help="Write this run as the new --baseline (no comparison); with --set all, "
            "each set's baseline.",
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
    from summarizer.evaluation.gating import gate, parse_min_field, resolve_metric, write_baseline
    from summarizer.evaluation.reports import (
        render_articles,
        render_table,
        report_document,
        write_reports,
    )
    from summarizer.evaluation.runner import EvalProgress, EvalResult, Mode, run_eval
    from summarizer.evaluation.scoring import Counts, metrics
    from summarizer.evaluation.sets import render_side_by_side, write_summary

    if record and replay:
        raise InputError("--record writes cassettes from a live model; use --live --record")
    mode: Mode = "live" if (replay is False or record) else "replay"
    if update_baseline and baseline is None:
        raise InputError("--update-baseline needs --baseline FILE (where to write it)")
    sets = _sets(set_name, articles, gold, cassette_dir)
    several = len(sets) > 1
    thresholds = dict(parse_min_field(spec) for spec in (min_field or []))
    for name in thresholds:  # unknown names fail before the run, not after it
        resolve_metric(name, metrics(Counts()))
    baseline_paths, previous = _baselines(sets, baseline, update_baseline)
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

    results: dict[str, EvalResult] = {}
    with Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as progress:
        for eval_set in sets:
            prefix = f"{eval_set.name}: " if several else ""
            task = progress.add_task(f"eval {prefix}({mode})", total=None)

            def report(event: EvalProgress, task: Any = task, prefix: str = prefix) -> None:
                if not event.done:
                    progress.update(task, total=event.total, description=prefix + event.article)
                    return
                progress.advance(task)
                outcome = event.outcome
                if outcome is not None and outcome.failed:
                    progress.console.print(
                        f"[red]✗[/] {prefix}{event.article} failed: "
                        + escape(outcome.score.error or ""),
                        highlight=False,
                        soft_wrap=True,
                    )
                elif outcome is not None:
                    progress.console.print(
                        f"[green]✓[/] {prefix}{event.article} {outcome.seconds:.1f}s",
                        highlight=False,
                    )

            results[eval_set.name] = run_eval(
                eval_set.articles_dir,
                eval_set.gold_dir,
                mode=mode,
                record=record,
                cassette_dir=eval_set.cassette_dir,
                settings=settings,
                progress=report,
            )

    verdicts = {
        name: gate(
            report_document(result),
            baseline=previous.get(name),
            tolerance=tolerance,
            min_f1=min_f1,
            min_fields=thresholds,
            max_untraceable=max_untraceable,
        )
        for name, result in results.items()
    }
    if several:
        render_side_by_side(results, out, verdicts)
    for name, result in results.items():
        where = out_dir / name if several else out_dir
        written = write_reports(result, where, verdicts[name])
        if several:
            render_articles(result, out, title=f"Articles: {name}")
            for note in verdicts[name].notes:
                out.print(f"[dim]note ({name}): {note}", highlight=False)
        else:
            render_table(result, out, verdicts[name])
        err.print(f"reports written to {where}/ ({', '.join(written)})", highlight=False)
    if several:
        err.print(f"side-by-side table written to {write_summary(results, out_dir, verdicts)}")
    for name, path in baseline_paths.items():
        if update_baseline:
            write_baseline(results[name], path)
            err.print(f"baseline written to {path}", highlight=False)
    failing = False
    for name, result in results.items():
        label = f"{name}: " if several else ""
        failed = sum(outcome.failed for outcome in result.articles)
        if failed:
            err.print(
                f"[yellow]warning:[/] {label}{failed} of {len(result.articles)} article(s) "
                "produced no record (scored as misses)",
                highlight=False,
            )
        for failure in verdicts[name].failures:
            err.print(
                f"[bold red]gate failed:[/] {label}{failure}", highlight=False, soft_wrap=True
            )
        nothing = bool(result.articles) and failed == len(result.articles)
        if nothing:
            err.print(f"[bold red]error:[/] {label}no article produced a record", highlight=False)
        failing = failing or nothing or not verdicts[name].passed
    if failing:
        raise typer.Exit(1)


@eval_app.command("compare")
@handle_errors
def compare_command(
    before: Annotated[Path, typer.Argument(help="report.json or baseline (the reference).")],
    after: Annotated[Path, typer.Argument(help="report.json or baseline to compare with it.")],
) -> None:
    """Per-metric deltas of AFTER against BEFORE (over the articles both evaluated)."""
    from summarizer.evaluation.gating import compare, load_document
    from summarizer.evaluation.scoring import LOWER_IS_BETTER

    comparison = compare(load_document(before), load_document(after))
    table = Table(title=f"{after} vs {before}", title_justify="left")
    for column in ("metric", "before", "after", "Δ"):
        table.add_column(column, justify="left" if column == "metric" else "right")
    for d in comparison.deltas:
        if d.delta is None:
            change = "n/a"
        elif d.delta != 0:  # a count such as names.untraceable is better lower
            better = (d.delta < 0) == (d.name in LOWER_IS_BETTER)
            change = f"[{'green' if better else 'red'}]{d.delta:+.3f}[/]"
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
