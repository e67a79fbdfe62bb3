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

import html
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import JsonValue
from rich.console import Console
from rich.table import Table

from summarizer.evaluation.gating import DOCUMENT_FORMAT, DOCUMENT_VERSION, GateResult
from summarizer.evaluation.runner import ArticleOutcome, EvalResult
from summarizer.evaluation.scoring import FIELDS, Mismatch, metrics

__all__ = [
    "REPORT_FILES",
    "describe_mismatch",
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
)
_LABELS = {
    "summary.must_mention": "must-mention recall",
    "summary.neutrality": "neutral summaries",
    "summary.word_limit": "within word limit",
    "summary.numbers_grounded": "numbers grounded",
    "cleaning.score": "cleaning checks",
    "articles.succeeded": "articles summarized",
}
# Lower rank = worse; used to pick the mismatches a PR comment shows first.
_SEVERITY = {
    "error": 0,
    "event": 1,
    "fatalities": 2,
    "cleaning.body_end": 3,
    "cleaning.body_line": 3,
    "location": 4,
    "date_text": 5,
    "sub_event_type": 6,
    "actor_types": 7,
    "summary.forbidden_unquoted": 8,
    "summary.numbers": 8,
    "date": 9,
    "admin1": 10,
    "sources": 11,
    "country": 12,
    "summary.must_mention": 13,
    "summary.max_words": 14,
    "cleaning.must_drop": 15,
}


# --------------------------------------------------------------------------- helpers


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _short(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _value(value: JsonValue) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, list):
        return " / ".join("not reported" if v is None else str(v) for v in value) or "nothing"
    return str(value)


def _cut(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe_mismatch(m: Mismatch) -> str:
    """One mismatch as a sentence: "gold said X, model said Y"."""
    if m.field == "error":
        return f"summarizing failed: {_value(m.predicted)}"
    if m.field == "event" and m.predicted is None:
        return f"gold said there is an event ({_value(m.gold)}), model said nothing matching"
    if m.field == "event":
        return f"gold said no such event, model said {_value(m.predicted)}"
    if m.field == "fatalities":
        gold = _value(m.gold)
        predicted = "not reported" if m.predicted is None else _value(m.predicted)
        return f"gold said {gold} killed, model said {predicted}"
    if m.field == "sources":
        return f"gold said sources {_value(m.gold)}, model said {_value(m.predicted)}"
    if m.field == "summary.must_mention":
        return f"gold said the summary mentions {_value(m.gold)}, model said none of them"
    if m.field == "summary.forbidden_unquoted":
        return f"gold said '{m.predicted}' only inside quotation marks, model used it unquoted"
    if m.field == "summary.max_words":
        return f"gold said at most {m.gold} words, model wrote {m.predicted}"
    if m.field == "summary.numbers":
        return f"gold said only numbers the article gives, model wrote {m.predicted}"
    if m.field == "cleaning.body_end":
        return f"gold said the body ends with '{_cut(_value(m.gold), 80)}', cleaning cut it"
    if m.field == "cleaning.body_line":
        return f"gold said body line '{_cut(_value(m.gold), 80)}' stays, cleaning lost it"
    if m.field == "cleaning.must_drop":
        return f"gold said '{m.predicted}' is dropped, cleaning kept it"
    return f"gold said {m.field} {_value(m.gold)}, model said {_value(m.predicted)}"


def worst_mismatches(result: EvalResult, limit: int | None = None) -> list[Mismatch]:
    """Every mismatch of the run, worst first (errors, missed events, tolls, …)."""
    ranked = sorted(
        (m for outcome in result.articles for m in outcome.score.mismatches),
        key=lambda m: (_SEVERITY.get(m.field, 99), m.article, m.event or ""),
    )
    return ranked if limit is None else ranked[:limit]


def _run_line(result: EvalResult) -> str:
    run = result.run
    failed = sum(o.failed for o in result.articles)
    return (
        f"model {run.model} @ {run.endpoint_host} · prompt {run.prompt_name}/"
        f"{run.prompt_version} ({run.prompt_sha256}) · schema v{run.schema_version} · "
        f"{run.mode}{' + record' if run.record else ''} · {len(result.articles)} articles"
        f"{f' ({failed} failed)' if failed else ''} · {run.seconds:.1f}s"
    )


def _article_checks(outcome: ArticleOutcome) -> list[tuple[str, str | None, str]]:
    """(check name, failure message or None, detail) per check of one article."""
    score = outcome.score
    by_field: dict[str, list[Mismatch]] = {}
    for m in score.mismatches:
        by_field.setdefault(m.field, []).append(m)

    def message(fields: Iterable[str]) -> str | None:
        found = [m for f in fields for m in by_field.get(f, [])]
        if not found:
            return None
        head = describe_mismatch(found[0])
        return head if len(found) == 1 else f"{head} (and {len(found) - 1} more)"

    no_record = f"no record: {score.error}" if score.error else None
    event_fields = [f for f in FIELDS if f != "fatalities"]
    counts = score.counts
    checks: list[tuple[str, str | None, str]] = [
        ("summarize", score.error, f"{outcome.seconds:.2f}s"),
        (
            "cleaning",
            message(["cleaning.body_end", "cleaning.body_line", "cleaning.must_drop"]),
            f"{score.cleaning.body_lines} body lines",
        ),
    ]
    missed = [m for m in by_field.get("event", []) if m.predicted is None]
    alarms = [m for m in by_field.get("event", []) if m.predicted is not None]
    checks.append(
        (
            "events_recall",
            no_record
            or (
                f"{len(missed)} required event(s) missed: " + describe_mismatch(missed[0])
                if missed
                else None
            ),
            f"{counts.true_positives} found, {counts.false_negatives} missed",
        )
    )
    checks.append(
        (
            "events_precision",
            no_record
            or (
                f"{len(alarms)} false alarm(s): " + describe_mismatch(alarms[0]) if alarms else None
            ),
            f"{counts.false_positives} false alarms, {counts.optional_matched} optional",
        )
    )
    checks.append(("fields", no_record or message(event_fields), "fields of matched events"))
    checks.append(("fatalities", no_record or message(["fatalities"]), "fatality totals"))
    for name, fields in (
        ("summary_must_mention", ["summary.must_mention"]),
        ("summary_neutrality", ["summary.forbidden_unquoted"]),
        ("summary_word_limit", ["summary.max_words"]),
        ("summary_numbers", ["summary.numbers"]),
    ):
        checks.append((name, no_record or message(fields), name.replace("_", " ")))
    return checks


# --------------------------------------------------------------------------- terminal


def render_table(result: EvalResult, console: Console, gate: GateResult | None = None) -> None:
    """The terminal view: run line, metrics, per-field table, per-article table."""
    m = result.metrics
    deltas = gate.comparison.by_name if gate and gate.comparison else {}

    def delta(name: str) -> str:
        d = deltas.get(name)
        if d is None or d.delta is None:
            return ""
        colour = "green" if d.delta > 0 else "red" if d.delta < 0 else "dim"
        return f"[{colour}]{d.delta:+.3f}[/]"

    console.print(f"[dim]{_run_line(result)}", highlight=False)
    summary = Table(title="Metrics", title_justify="left")
    for column in ("metric", "value", "Δ baseline"):
        summary.add_column(column, justify="left" if column == "metric" else "right")
    for name in (*_HEADLINE, *(f"fields.{f}" for f in FIELDS), *_OTHER):
        style = "bold" if name == "events.f1" else None
        summary.add_row(name, _num(m.get(name)), delta(name), style=style)
    console.print(summary)
    articles = Table(title="Articles", title_justify="left")
    for column in ("article", "time", "P", "R", "F1", "fields", "clean", "summary"):
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
            for name, failure, _ in _article_checks(outcome)
            if name.startswith("summary_") and failure
        )
        articles.add_row(
            outcome.article,
            f"{outcome.seconds:.1f}s",
            *(_short(am[f"events.{n}"]) for n in ("precision", "recall", "f1")),
            f"{hits}/{total}",
            "ok" if outcome.score.cleaning.passed else "[red]fail",
            "ok" if not summary_failures else f"[red]{summary_failures} failed",
            style="red" if outcome.failed else None,
        )
    console.print(articles)
    for outcome in result.articles:
        if outcome.failed:
            console.print(
                f"[red]error[/] {outcome.article}: {outcome.score.error}", highlight=False
            )
    if gate is not None:
        for note in gate.notes:
            console.print(f"[dim]note: {note}", highlight=False)
        if gate.passed:
            console.print("[green]gate passed")
        else:
            for failure in gate.failures:
                console.print(f"[red]gate failed:[/] {failure}", highlight=False)


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
    text = _cut(text, 200)
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
        f"## summarizer eval: F1 {_num(m['events.f1'])} "
        f"(precision {_num(m['events.precision'])}, recall {_num(m['events.recall'])})",
        "",
        _md(_run_line(result)),
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
            f"| {label} | {_num(m.get(name))} |" + (f" {delta(name)} |" if has_delta else "")
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
            f"| {name} | {_pct(m.get(f'fields.{name}'))} | {scored} |"
            + (f" {delta(f'fields.{name}')} |" if has_delta else "")
        )
    lines += [
        "",
        "### Articles",
        "",
        "| article | time | P | R | F1 | failed checks |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for outcome in result.articles:
        am = metrics(outcome.score.counts)
        failed = [name for name, failure, _ in _article_checks(outcome) if failure]
        lines.append(
            f"| `{outcome.article}` | {outcome.seconds:.1f}s | {_num(am['events.precision'])} | "
            f"{_num(am['events.recall'])} | {_num(am['events.f1'])} | "
            f"{', '.join(failed) or '—'} |"
        )
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
        for name, failure, detail in _article_checks(outcome):
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

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;
max-width:1100px;padding:0 1rem;color:#1f2328;background:#fff}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:2rem}
.run{color:#57606a}.cards{display:flex;gap:1rem;margin:1rem 0;flex-wrap:wrap}
.card{border:1px solid #d0d7de;border-radius:8px;padding:.6rem 1rem;min-width:8rem}
.card b{display:block;font-size:1.6rem}.ok{color:#1a7f37}.bad{color:#cf222e}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td code{white-space:nowrap}td.t{overflow-wrap:anywhere;min-width:12rem}
code{font-size:.9em}svg text{font:12px system-ui,sans-serif;fill:#1f2328}
"""


def _bar_colour(value: float) -> str:
    if value >= 0.9:
        return "#2da44e"
    if value >= 0.6:
        return "#d4a72c"
    return "#cf222e"


def _svg_chart(rows: list[tuple[str, float | None]]) -> str:
    """A horizontal bar chart, one bar per (label, value in [0, 1]); None: 'not scored'."""
    label_w, bar_w, row_h, top = 190, 420, 24, 24
    width, height = label_w + bar_w + 70, top + row_h * len(rows) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="Accuracy per field">',
        "<title>Accuracy per field</title>",
    ]
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        x = label_w + tick * bar_w
        parts.append(
            f'<line x1="{x:.0f}" y1="{top - 6}" x2="{x:.0f}" y2="{height - 10}" '
            'stroke="#d0d7de" stroke-width="1"/>'
            f'<text x="{x:.0f}" y="{top - 10}" text-anchor="middle">{tick:.0%}</text>'
        )
    for i, (label, value) in enumerate(rows):
        y = top + i * row_h
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end">{html.escape(label)}</text>'
        )
        if value is None:
            parts.append(
                f'<rect x="{label_w}" y="{y + 4}" width="{bar_w}" height="{row_h - 8}" '
                'fill="#f6f8fa" stroke="#d0d7de"/>'
                f'<text x="{label_w + 8}" y="{y + 16}" fill="#57606a">not scored</text>'
            )
            continue
        w = max(value * bar_w, 1.0)
        parts.append(
            f'<rect class="bar" x="{label_w}" y="{y + 4}" width="{w:.1f}" '
            f'height="{row_h - 8}" fill="{_bar_colour(value)}">'
            f"<title>{html.escape(label)}: {value:.1%}</title></rect>"
            f'<text x="{label_w + bar_w + 8}" y="{y + 16}">{value:.1%}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _esc(value: Any) -> str:
    return html.escape(str(value))


def to_html(result: EvalResult, gate: GateResult | None = None) -> str:
    """``report.html``: one self-contained page (inline CSS and SVG, no scripts)."""
    m = result.metrics
    cards = "".join(
        f'<div class="card">{_esc(name.split(".")[1])}<b>{_num(m.get(name))}</b></div>'
        for name in _HEADLINE
    )
    gate_html = ""
    if gate is not None:
        if gate.passed:
            gate_html = '<p class="ok"><b>Gate passed</b></p>'
        else:
            items = "".join(f"<li>{_esc(f)}</li>" for f in gate.failures)
            gate_html = f'<p class="bad"><b>Gate failed</b></p><ul>{items}</ul>'
        gate_html += "".join(f'<p class="run">note: {_esc(n)}</p>' for n in gate.notes)
    chart = _svg_chart(
        [(f, m.get(f"fields.{f}")) for f in FIELDS]
        + [(_LABELS[name], m.get(name)) for name in _OTHER]
    )
    article_rows = []
    for outcome in result.articles:
        am = metrics(outcome.score.counts)
        failed = [name for name, failure, _ in _article_checks(outcome) if failure]
        article_rows.append(
            f"<tr><td><code>{_esc(outcome.article)}</code></td>"
            f'<td class="n">{outcome.seconds:.2f}s</td>'
            f'<td class="n">{_num(am["events.precision"])}</td>'
            f'<td class="n">{_num(am["events.recall"])}</td>'
            f'<td class="n">{_num(am["events.f1"])}</td>'
            f"<td>{_esc(', '.join(failed) or '—')}</td>"
            f'<td class="t">{_esc(outcome.score.error or "")}</td></tr>'
        )
    mismatch_rows = []
    for outcome in result.articles:
        for mm in outcome.score.mismatches:
            mismatch_rows.append(
                f"<tr><td><code>{_esc(mm.article)}</code></td><td>{_esc(mm.event or '')}</td>"
                f'<td>{_esc(mm.field)}</td><td class="t">{_esc(_cut(_value(mm.gold), 200))}</td>'
                f'<td class="t">{_esc(_cut(_value(mm.predicted), 200))}</td></tr>'
            )
    if not mismatch_rows:
        mismatch_rows.append('<tr><td colspan="5">None: every check passed.</td></tr>')
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>summarizer eval: F1 {_num(m["events.f1"])}</title>
<style>{_CSS}</style></head>
<body>
<h1>summarizer eval</h1>
<p class="run">{_esc(_run_line(result))}</p>
<div class="cards">{cards}</div>
{gate_html}
<h2>Accuracy per field (matched required events) and summary checks</h2>
{chart}
<h2>Articles</h2>
<table><thead><tr><th>article</th><th>time</th><th>P</th><th>R</th><th>F1</th>
<th>failed checks</th><th>error</th></tr></thead>
<tbody>{"".join(article_rows)}</tbody></table>
<h2>Mismatches</h2>
<table><thead><tr><th>article</th><th>gold event</th><th>field</th><th>gold said</th>
<th>model said</th></tr></thead>
<tbody>{"".join(mismatch_rows)}</tbody></table>
</body></html>
"""


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
