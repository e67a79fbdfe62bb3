"""Evaluation sets: the gold fixtures, the development set, or both side by side.

* ``fixtures``: ``tests/fixtures/{articles,gold}`` with ``cassettes/summarize_fixtures``
  (the default, shared with the integration test);
* ``dev``: ``tests/fixtures/dev/{articles,gold}`` with ``cassettes/eval_dev``;
* ``heldout``: ``tests/fixtures/heldout/{articles,gold}`` with ``cassettes/eval_heldout``,
  articles written apart from the extraction rules and never read to write them;
* ``all``: every set, reported side by side: :func:`render_side_by_side` (terminal) and
  :func:`side_by_side_markdown` (``summary.md``), each set's five reports under
  ``<out>/<set>/``.

A gate applies to each set on its own; with several sets, the baseline named for the run
is the fixtures' and each other set's is its sibling :func:`set_baseline`
(``tests/eval_baseline.json`` -> ``tests/eval_baseline.dev.json``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from summarizer.errors import InputError
from summarizer.evaluation._describe import metric_text, run_line
from summarizer.evaluation.gating import GateResult
from summarizer.evaluation.reports import METRICS_SHOWN
from summarizer.evaluation.runner import (
    DEFAULT_ARTICLES_DIR,
    DEFAULT_CASSETTE_DIR,
    DEFAULT_GOLD_DIR,
    DEV_ARTICLES_DIR,
    DEV_CASSETTE_DIR,
    DEV_GOLD_DIR,
    HELDOUT_ARTICLES_DIR,
    HELDOUT_CASSETTE_DIR,
    HELDOUT_GOLD_DIR,
    EvalResult,
)

__all__ = [
    "SETS",
    "SET_CHOICES",
    "SUMMARY_FILE",
    "EvalSet",
    "eval_sets",
    "render_side_by_side",
    "set_baseline",
    "side_by_side_markdown",
    "write_summary",
]


@dataclass(frozen=True)
class EvalSet:
    """A named set of gold-annotated articles and the cassettes that replay it."""

    name: str
    articles_dir: Path
    gold_dir: Path
    cassette_dir: Path


SETS: dict[str, EvalSet] = {
    "fixtures": EvalSet("fixtures", DEFAULT_ARTICLES_DIR, DEFAULT_GOLD_DIR, DEFAULT_CASSETTE_DIR),
    "dev": EvalSet("dev", DEV_ARTICLES_DIR, DEV_GOLD_DIR, DEV_CASSETTE_DIR),
    "heldout": EvalSet("heldout", HELDOUT_ARTICLES_DIR, HELDOUT_GOLD_DIR, HELDOUT_CASSETTE_DIR),
}
"""The repository's sets, by name."""
SET_CHOICES = (*SETS, "all")
"""What ``--set`` accepts."""
SUMMARY_FILE = "summary.md"
"""The side-by-side table of a run over several sets, in ``--out``."""


def eval_sets(name: str) -> list[EvalSet]:
    """The sets a ``--set`` value names (``all``: every set, fixtures first)."""
    if name == "all":
        return list(SETS.values())
    if name not in SETS:
        raise InputError(f"--set takes one of {', '.join(SET_CHOICES)}, not {name!r}")
    return [SETS[name]]


def set_baseline(baseline: Path, set_name: str) -> Path:
    """The baseline of one set in a run over several: ``baseline`` itself for the
    fixtures, its sibling ``<stem>.<set>.json`` for another set."""
    if set_name == "fixtures":
        return baseline
    return baseline.with_name(f"{baseline.stem}.{set_name}{baseline.suffix}")


def _gate_text(verdict: GateResult | None) -> str:
    if verdict is None:
        return "—"
    return "passed" if verdict.passed else f"failed ({len(verdict.failures)})"


def render_side_by_side(
    results: Mapping[str, EvalResult],
    console: Console,
    verdicts: Mapping[str, GateResult] | None = None,
) -> None:
    """One metrics table with a column per set."""
    for name, result in results.items():
        console.print(f"[dim]{name}: {run_line(result)}", highlight=False)
    table = Table(title="Metrics", title_justify="left")
    table.add_column("metric")
    for name in results:
        table.add_column(name, justify="right")
    for metric in METRICS_SHOWN:
        style = "bold" if metric == "events.f1" else None
        table.add_row(
            metric,
            *(metric_text(metric, r.metrics.get(metric)) for r in results.values()),
            style=style,
        )
    if verdicts is not None:
        table.add_row("gate", *(_gate_text(verdicts.get(name)) for name in results))
    console.print(table)


def side_by_side_markdown(
    results: Mapping[str, EvalResult], verdicts: Mapping[str, GateResult] | None = None
) -> str:
    """``summary.md``: the side-by-side metrics table, each set's run line and gate."""
    names = list(results)
    lines = [
        f"## summarizer eval: {' · '.join(names)}",
        "",
        "| metric | " + " | ".join(names) + " |",
        "|---|" + "---:|" * len(names),
    ]
    for metric in METRICS_SHOWN:
        values = [metric_text(metric, r.metrics.get(metric)) for r in results.values()]
        lines.append(f"| {metric} | " + " | ".join(values) + " |")
    if verdicts is not None:
        gates = [_gate_text(verdicts.get(name)) for name in names]
        lines.append("| gate | " + " | ".join(gates) + " |")
    lines.append("")
    for name, result in results.items():
        lines.append(f"- **{name}** ([report]({name}/report.md)): {run_line(result)}")
        for failure in verdicts.get(name, GateResult()).failures if verdicts else []:
            lines.append(f"  - gate failed: {failure}")
    lines.append("")
    return "\n".join(lines)


def write_summary(
    results: Mapping[str, EvalResult],
    out_dir: Path,
    verdicts: Mapping[str, GateResult] | None = None,
) -> Path:
    """Write ``summary.md`` into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / SUMMARY_FILE
    path.write_text(side_by_side_markdown(results, verdicts), "utf-8")
    return path
