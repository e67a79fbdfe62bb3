"""Reports of an evaluation run, for people and for CI.

* :func:`render_table`: the terminal view (rich); :func:`to_text` is the same as plain
  text (``report.txt``, handy in CI logs);
* :func:`report_document`: ``report.json``, every number and every mismatch;
* :func:`to_markdown`: ``report.md``, ready to post as a PR comment: headline metrics,
  the per-field table, the worst mismatches as "gold said X, model said Y";
* :func:`to_junit`: ``junit.xml``, one test case per article check (summarize,
  cleaning, events recall and precision, fields, fatalities, summary checks), failures
  carrying their message;
* :func:`to_html`: ``report.html``, self-contained (inline CSS and SVG, no scripts, no
  network): a per-field bar chart and the per-article mismatch table.

:func:`write_reports` writes all five files into one directory.
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from summarizer.evaluation._describe import (
    article_checks,
    cut,
    describe_mismatch,
    metric_text,
    num,
    pct,
    run_line,
    short,
    value_text,
    worst_mismatches,
)
from summarizer.evaluation._html import Chart, render_html
from summarizer.evaluation.gating import DOCUMENT_FORMAT, DOCUMENT_VERSION, GateResult
from summarizer.evaluation.runner import EvalResult
from summarizer.evaluation.scoring import FIELDS, LOWER_IS_BETTER, metrics

__all__ = [
    "METRICS_SHOWN",
    "REPORT_FILES",
    "describe_mismatch",
    "render_articles",
    "render_table",
    "report_document",
    "to_html",
    "to_junit",
    "to_markdown",
    "to_text",
    "worst_mismatches",
    "write_reports",
]

REPORT_FILES = ("report.json", "report.md", "junit.xml", "report.html", "report.txt")
"""The files :func:`write_reports` writes."""

_HEADLINE = ("events.precision", "events.recall", "events.f1")
_OTHER = (
    "summary.must_mention",
    "summary.neutrality",
    "summary.word_limit",
    "summary.numbers_grounded",
    "cleaning.score",
    "articles.succeeded",
    "names.untraceable",
)
METRICS_SHOWN = (*_HEADLINE, *(f"fields.{f}" for f in FIELDS), *_OTHER)
"""The metrics of the terminal's metrics table, in order."""
_LABELS = {
    "summary.must_mention": "must-mention recall",
    "summary.neutrality": "neutral summaries",
    "summary.word_limit": "within word limit",
    "summary.numbers_grounded": "numbers grounded",
    "cleaning.score": "cleaning checks",
    "articles.succeeded": "articles summarized",
    "names.untraceable": "names not traceable (count, lower is better)",
}


# --------------------------------------------------------------------------- terminal


def render_table(result: EvalResult, console: Console, gate: GateResult | None = None) -> None:
    """The terminal view: run line, metrics, per-field table, per-article table."""
    m = result.metrics
    deltas = gate.comparison.by_name if gate and gate.comparison else {}

    def delta(name: str) -> str:
        d = deltas.get(name)
        if d is None or d.delta is None:
            return ""
        better = -d.delta if name in LOWER_IS_BETTER else d.delta
        colour = "green" if better > 0 else "red" if better < 0 else "dim"
        return f"[{colour}]{d.delta:+.3f}[/]"

    console.print(f"[dim]{run_line(result)}", highlight=False)
    summary = Table(title="Metrics", title_justify="left")
    for column in ("metric", "value", "Δ baseline"):
        summary.add_column(column, justify="left" if column == "metric" else "right")
    for name in METRICS_SHOWN:
        style = "bold" if name == "events.f1" else None
        summary.add_row(name, metric_text(name, m.get(name)), delta(name), style=style)
    console.print(summary)
    render_articles(result, console)
    if gate is not None:
        for note in gate.notes:
            console.print(f"[dim]note: {note}", highlight=False)
        if gate.passed:
            console.print("[green]gate passed")
        else:
            for failure in gate.failures:
                console.print(f"[red]gate failed:[/] {failure}", highlight=False)


def render_articles(result: EvalResult, console: Console, title: str = "Articles") -> None:
    """The per-article table, then one line per article that produced no record."""
    articles = Table(title=title, title_justify="left")
    for column in ("article", "time", "P", "R", "F1", "fields", "clean", "summary", "names ✗"):
        articles.add_column(
            column, no_wrap=True, justify="left" if column == "article" else "right"
        )
    for outcome in result.articles:
        am = metrics(outcome.score.counts)
        counts = outcome.score.counts
        hits = sum(t.hits for t in counts.fields.values())
        total = sum(t.total for t in counts.fields.values())
        summary_failures = sum(
            1
            for name, failure, _ in article_checks(outcome)
            if name.startswith("summary_") and failure
        )
        articles.add_row(
            outcome.article,
            f"{outcome.seconds:.1f}s",
            *(short(am[f"events.{n}"]) for n in ("precision", "recall", "f1")),
            f"{hits}/{total}",
            "ok" if outcome.score.cleaning.passed else "[red]fail",
            "ok" if not summary_failures else f"[red]{summary_failures} failed",
            str(len(outcome.score.untraceable)) if not outcome.failed else "—",
            style="red" if outcome.failed else None,
        )
    console.print(articles)
    for outcome in result.articles:
        if outcome.failed:
            console.print(
                f"[red]error[/] {outcome.article}: {escape(outcome.score.error or '')}",
                highlight=False,
            )


def to_text(result: EvalResult, gate: GateResult | None = None) -> str:
    """The terminal view as plain text (no colours), 120 columns wide."""
    console = Console(file=io.StringIO(), width=120, record=True, color_system=None)
    render_table(result, console, gate)
    return console.export_text()


# --------------------------------------------------------------------------- JSON


def _gate_json(gate: GateResult | None) -> dict[str, Any] | None:
    if gate is None:
        return None
    comparison = gate.comparison
    return {
        "passed": gate.passed,
        "failures": gate.failures,
        "notes": gate.notes,
        "deltas": (
            {d.name: {"baseline": d.before, "current": d.after, "delta": d.delta}
             for d in comparison.deltas}
            if comparison else None
        ),
    }  # fmt: skip


def report_document(result: EvalResult, gate: GateResult | None = None) -> dict[str, Any]:
    """``report.json``: run, metrics, totals, every article's scores and counts, every
    mismatch (also as one flat list, worst first) and the gate verdict."""
    articles = []
    for outcome in result.articles:
        entry = outcome.model_dump(mode="json", exclude={"score": {"mismatches"}})
        entry["metrics"] = metrics(outcome.score.counts)
        entry["counts"] = entry["score"].pop("counts")
        articles.append(entry)
    return {
        "format": DOCUMENT_FORMAT,
        "version": DOCUMENT_VERSION,
        "kind": "report",
        "run": result.run.model_dump(mode="json"),
        "metrics": result.metrics,
        "counts": result.counts.model_dump(mode="json"),
        "articles": articles,
        "mismatches": [m.model_dump(mode="json") for m in worst_mismatches(result)],
        "gate": _gate_json(gate),
    }


# --------------------------------------------------------------------------- Markdown


def _md(text: str) -> str:
    """Text safe inside a Markdown table cell (model output is untrusted)."""
    text = cut(text, 200)
    for ch in "\\`*_[]<>|#":
        text = text.replace(ch, "\\" + ch)
    return text


def to_markdown(result: EvalResult, gate: GateResult | None = None, *, worst: int = 15) -> str:
    """``report.md``: a PR comment with the headline, the gate, per-field and per-article
    tables and the worst mismatches."""
    m = result.metrics
    deltas = gate.comparison.by_name if gate and gate.comparison else {}

    def delta(name: str) -> str:
        d = deltas.get(name)
        return "" if d is None or d.delta is None else f"{d.delta:+.3f}"

    lines = [
        f"## summarizer eval: F1 {num(m['events.f1'])} "
        f"(precision {num(m['events.precision'])}, recall {num(m['events.recall'])})",
        "",
        _md(run_line(result)),
        "",
    ]
    if gate is not None:
        if gate.passed:
            lines.append("**Gate: passed** ✅")
        else:
            lines.append("**Gate: failed** ❌")
            lines += [f"- {_md(failure)}" for failure in gate.failures]
        lines += [f"- _note:_ {_md(note)}" for note in gate.notes]
        lines.append("")
    has_delta = bool(deltas)
    header = "| metric | value |" + (" Δ baseline |" if has_delta else "")
    rule = "|---|---:|" + ("---:|" if has_delta else "")
    lines += ["### Events and summaries", "", header, rule]
    for name in (*_HEADLINE, *_OTHER):
        label = _LABELS.get(name, name)
        lines.append(
            f"| {label} | {metric_text(name, m.get(name))} |"
            + (f" {delta(name)} |" if has_delta else "")
        )
    lines += [
        "",
        "### Fields of matched events",
        "",
        "| field | accuracy | correct / scored |" + (" Δ baseline |" if has_delta else ""),
        "|---|---:|---:|" + ("---:|" if has_delta else ""),
    ]
    for name in FIELDS:
        tally = result.counts.fields.get(name)
        scored = f"{tally.hits} / {tally.total}" if tally and tally.total else "not scored"
        lines.append(
            f"| {name} | {pct(m.get(f'fields.{name}'))} | {scored} |"
            + (f" {delta(f'fields.{name}')} |" if has_delta else "")
        )
    lines += [
        "",
        "### Articles",
        "",
        "| article | time | P | R | F1 | untraceable names | failed checks |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for outcome in result.articles:
        am = metrics(outcome.score.counts)
        failed = [name for name, failure, _ in article_checks(outcome) if failure]
        lines.append(
            f"| `{outcome.article}` | {outcome.seconds:.1f}s | {num(am['events.precision'])} | "
            f"{num(am['events.recall'])} | {num(am['events.f1'])} | "
            f"{len(outcome.score.untraceable)} | {', '.join(failed) or '—'} |"
        )
    untraceable = [(o.article, u) for o in result.articles for u in o.score.untraceable]
    lines += ["", f"### Names not traceable to the article ({len(untraceable)})", ""]
    lines += [f"- `{article}` · {u.field}: {_md(u.name)}" for article, u in untraceable]
    if not untraceable:
        lines.append("None: every name occurs in its article or is a canonical actor name.")
    top = worst_mismatches(result, worst)
    total = sum(len(o.score.mismatches) for o in result.articles)
    lines += ["", f"### Worst mismatches ({len(top)} of {total})", ""]
    if not top:
        lines.append("None: every check passed.")
    for i, mismatch in enumerate(top, start=1):
        where = f"`{mismatch.article}`" + (f" · `{mismatch.event}`" if mismatch.event else "")
        lines.append(f"{i}. {where} · **{mismatch.field}**: {_md(describe_mismatch(mismatch))}")
    lines += ["", "<sub>Full details: report.json · report.html · junit.xml</sub>", ""]
    return "\n".join(lines)


# --------------------------------------------------------------------------- JUnit


def to_junit(result: EvalResult) -> str:
    """``junit.xml``: one test case per article check; failures carry the message."""
    suite = ET.Element(
        "testsuite",
        name="summarizer-eval",
        timestamp=result.run.started_at.isoformat(),
        time=f"{result.run.seconds:.3f}",
    )
    properties = ET.SubElement(suite, "properties")
    for key in ("mode", "model", "endpoint_host", "prompt_version", "prompt_sha256"):
        ET.SubElement(properties, "property", name=key, value=str(getattr(result.run, key)))
    ET.SubElement(properties, "property", name="schema_version",
                  value=str(result.run.schema_version))  # fmt: skip
    tests = failures = errors = 0
    for outcome in result.articles:
        for name, failure, detail in article_checks(outcome):
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"summarizer_eval.{outcome.article}",
                name=name,
                time=f"{outcome.seconds:.3f}" if name == "summarize" else "0",
            )
            tests += 1
            if failure is None:
                continue
            if name == "summarize":
                errors += 1
                node = ET.SubElement(case, "error", message=failure, type="SummarizerError")
            else:
                failures += 1
                node = ET.SubElement(case, "failure", message=failure, type=name)
            node.text = f"{outcome.article}: {failure} ({detail})"
    suite.set("tests", str(tests))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    root = ET.Element(
        "testsuites",
        name="summarizer eval",
        tests=str(tests),
        failures=str(failures),
        errors=str(errors),
        time=f"{result.run.seconds:.3f}",
    )
    root.append(suite)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


# --------------------------------------------------------------------------- HTML


def to_html(result: EvalResult, gate: GateResult | None = None) -> str:
    """``report.html``: one self-contained page (inline CSS and SVG, no scripts),
    rendered from ``templates/report.html.j2`` with autoescape on."""
    m = result.metrics
    articles = []
    for outcome in result.articles:
        am = metrics(outcome.score.counts)
        failed = [name for name, failure, _ in article_checks(outcome) if failure]
        articles.append(
            {
                "article": outcome.article,
                "seconds": f"{outcome.seconds:.2f}s",
                "precision": num(am["events.precision"]),
                "recall": num(am["events.recall"]),
                "f1": num(am["events.f1"]),
                "failed": ", ".join(failed) or "—",
                "error": outcome.score.error or "",
            }
        )
    mismatches = [
        {
            "article": mm.article,
            "event": mm.event or "",
            "field": mm.field,
            "gold": cut(value_text(mm.gold), 200),
            "predicted": cut(value_text(mm.predicted), 200),
        }
        for outcome in result.articles
        for mm in outcome.score.mismatches
    ]
    chart = Chart.of(
        [(f, m.get(f"fields.{f}")) for f in FIELDS]
        + [(_LABELS[name], m.get(name)) for name in _OTHER if name not in LOWER_IS_BETTER]
    )
    return render_html(
        f1=num(m["events.f1"]),
        run_line=run_line(result),
        cards=[(name.split(".")[1], num(m.get(name))) for name in _HEADLINE],
        gate=gate,
        chart=chart,
        articles=articles,
        mismatches=mismatches,
    )


# --------------------------------------------------------------------------- files


def write_reports(
    result: EvalResult, out_dir: Path, gate: GateResult | None = None
) -> dict[str, Path]:
    """Write report.json, report.md, junit.xml, report.html and report.txt."""
    out_dir.mkdir(parents=True, exist_ok=True)
    contents = {
        "report.json": json.dumps(report_document(result, gate), indent=2, ensure_ascii=False)
        + "\n",
        "report.md": to_markdown(result, gate),
        "junit.xml": to_junit(result),
        "report.html": to_html(result, gate),
        "report.txt": to_text(result, gate),
    }
    written = {}
    for name, text in contents.items():
        path = out_dir / name
        path.write_text(text, "utf-8")
        written[name] = path
    return written
