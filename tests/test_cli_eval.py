"""Tests of ``summarizer eval`` and ``summarizer eval compare`` (typer's CliRunner)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer.cli import app
from summarizer.evaluation import REPORT_FILES

from .conftest import ARTICLE_IDS, ARTICLES, GOLD
from .eval_fake_llm import ARTICLE_004, fake_llm

runner = CliRunner()


def gate_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("gate failed:")]


def one_article(tmp_path: Path, article_id: str = ARTICLE_004) -> list[str]:
    articles, gold = tmp_path / "articles", tmp_path / "gold"
    articles.mkdir()
    gold.mkdir()
    shutil.copy(ARTICLES / f"{article_id}.txt", articles)
    shutil.copy(GOLD / f"{article_id}.yaml", gold)
    return ["--articles", str(articles), "--gold", str(gold)]


def test_eval_replay_writes_the_reports(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["eval", "--replay", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(REPORT_FILES)
    document = json.loads((out / "report.json").read_text("utf-8"))
    assert document["run"]["mode"] == "replay"
    assert [a["article"] for a in document["articles"]] == ARTICLE_IDS
    assert document["gate"] == {"passed": True, "failures": [], "notes": [], "deltas": None}
    assert "events.f1" in result.stdout and "Articles" in result.stdout
    assert f"{document['metrics']['events.f1']:.3f}" in result.stdout
    assert "reports written to" in result.stderr
    # One progress line per article: a tick, or a cross with the one-line error.
    progress = [line for line in result.stderr.splitlines() if line and line[0] in "✓✗"]
    assert len(progress) == len(ARTICLE_IDS)


def test_a_gate_failure_exits_non_zero_with_one_line_per_metric(tmp_path: Path) -> None:
    empty = tmp_path / "no-cassettes"
    empty.mkdir()
    result = runner.invoke(
        app,
        ["eval", *one_article(tmp_path), "--cassette-dir", str(empty), "--out",
         str(tmp_path / "out"), "--min-f1", "0.5", "--min-field", "fatalities=0.9"],
    )  # fmt: skip
    assert result.exit_code == 1
    assert gate_lines(result.stderr) == [
        "gate failed: events.f1 is 0.000, below --min-f1 0.5",
        "gate failed: fields.fatalities was not scored (needs >= 0.9)",
    ]
    assert "Traceback" not in result.output
    assert "warning: 1 of 1 article(s) produced no record" in result.stderr
    assert "error: no article produced a record" in result.stderr
    # The reports are still written, with the verdict.
    document = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    assert document["gate"]["passed"] is False
    assert len(document["gate"]["failures"]) == 2
    assert "**Gate: failed**" in (tmp_path / "out" / "report.md").read_text("utf-8")


@pytest.mark.one_shot_prompt  # counts one request per article (see conftest)
def test_a_drop_below_the_baseline_fails(tmp_path: Path) -> None:
    args = one_article(tmp_path)
    cassettes, baseline = tmp_path / "cassettes", tmp_path / "baseline.json"
    with fake_llm() as fake:
        recorded = runner.invoke(
            app,
            ["eval", *args, "--live", "--record", "--base-url", fake.base_url, "--model",
             "local", "--cassette-dir", str(cassettes), "--out", str(tmp_path / "live")],
        )  # fmt: skip
        assert recorded.exit_code == 0, recorded.output
        assert len(fake.requests) == 1
    assert (cassettes / f"test_fixture_article[{ARTICLE_004}].yaml").is_file()
    update = runner.invoke(
        app,
        ["eval", *args, "--cassette-dir", str(cassettes), "--baseline", str(baseline),
         "--update-baseline", "--out", str(tmp_path / "a")],
    )  # fmt: skip
    assert update.exit_code == 0, update.output
    assert json.loads(baseline.read_text("utf-8"))["metrics"]["events.f1"] == 1.0
    same = runner.invoke(
        app,
        ["eval", *args, "--cassette-dir", str(cassettes), "--baseline", str(baseline),
         "--out", str(tmp_path / "b")],
    )  # fmt: skip
    assert same.exit_code == 0, same.output
    assert "gate passed" in same.stdout
    empty = tmp_path / "no-cassettes"
    empty.mkdir()
    worse = runner.invoke(
        app,
        ["eval", *args, "--cassette-dir", str(empty), "--baseline", str(baseline),
         "--tolerance", "0.02", "--out", str(tmp_path / "c")],
    )  # fmt: skip
    assert worse.exit_code == 1
    lines = gate_lines(worse.stderr)
    assert "gate failed: events.f1 dropped from 1.000 to 0.000 (-1.000, tolerance 0.02)" in lines
    assert (
        "gate failed: articles.succeeded dropped from 1.000 to 0.000 (-1.000, tolerance 0.02)"
        in (lines)
    )
    # compare: per-metric deltas between the two runs.
    compared = runner.invoke(
        app,
        ["eval", "compare", str(tmp_path / "b" / "report.json"),
         str(tmp_path / "c" / "report.json")],
    )  # fmt: skip
    assert compared.exit_code == 0, compared.output
    rows = {line.split()[1]: line for line in compared.stdout.splitlines() if "│ " in line}
    assert "-1.000" in rows["events.f1"] and "1.000" in rows["events.f1"]
    assert "0.000" in rows["cleaning.score"]
    assert "-1.000" not in rows["cleaning.score"]


def test_compare_prints_deltas_of_two_documents(tmp_path: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps({"metrics": {"events.f1": 0.5, "fields.fatalities": 0.8}}), "utf-8")
    b.write_text(json.dumps({"metrics": {"events.f1": 0.75, "fields.fatalities": 0.6}}), "utf-8")
    result = runner.invoke(app, ["eval", "compare", str(a), str(b)])
    assert result.exit_code == 0, result.output
    rows = {line.split()[1]: line.split() for line in result.stdout.splitlines() if "│ " in line}
    assert rows["events.f1"][3:8:2] == ["0.500", "0.750", "+0.250"]
    assert rows["fields.fatalities"][3:8:2] == ["0.800", "0.600", "-0.200"]


def test_usage_errors_are_one_line(tmp_path: Path) -> None:
    for args, message in (
        (["eval", "--replay", "--record"], "use --live --record"),
        (["eval", "--update-baseline"], "--update-baseline needs --baseline"),
        (["eval", "--min-field", "fatalities"], "--min-field takes NAME=VALUE"),
        (["eval", "--min-field", "fatality=0.5"], "unknown metric 'fatality'"),
        (["eval", "--gold", str(tmp_path)], "no *.yaml gold files"),
        (["eval", "compare", str(tmp_path / "x.json"), str(tmp_path / "y.json")], "cannot read"),
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 3, (args, result.output)
        assert result.stderr.strip().startswith("error: ") and message in result.stderr
        assert "Traceback" not in result.output


def test_a_run_in_which_no_article_produced_a_record_fails_without_gates(
    tmp_path: Path,
) -> None:
    empty = tmp_path / "no-cassettes"
    empty.mkdir()
    result = runner.invoke(
        app,
        ["eval", *one_article(tmp_path), "--cassette-dir", str(empty), "--out",
         str(tmp_path / "out")],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "error: no article produced a record" in result.stderr
    assert (tmp_path / "out" / "report.json").is_file()


DEV_IDS = sorted(p.stem for p in (ARTICLES.parent / "dev" / "gold").glob("*.yaml"))
HELDOUT_IDS = sorted(p.stem for p in (ARTICLES.parent / "heldout" / "gold").glob("*.yaml"))


def test_set_all_runs_every_set_side_by_side(tmp_path: Path) -> None:
    out, baseline = tmp_path / "out", tmp_path / "baseline.json"
    live = ["eval", "--set", "all", "--live", "--model", "local", "--max-untraceable", "0"]
    with fake_llm() as fake:  # live mode against the FAKE endpoint, no model
        first = runner.invoke(
            app,
            [*live, "--base-url", fake.base_url, "--out", str(tmp_path / "first"),
             "--baseline", str(baseline), "--update-baseline"],
        )  # fmt: skip
        assert first.exit_code == 0, first.output
        result = runner.invoke(
            app,
            [*live, "--base-url", fake.base_url, "--out", str(out), "--baseline", str(baseline)],
        )
        assert len(fake.requests) >= 2 * (len(ARTICLE_IDS) + len(DEV_IDS) + len(HELDOUT_IDS))
    assert result.exit_code == 0, result.output
    # one baseline per set: the named one for the fixtures, its .<set> sibling for others
    assert json.loads(baseline.read_text("utf-8"))["articles"][0]["article"] == ARTICLE_IDS[0]
    for name, ids in (("dev", DEV_IDS), ("heldout", HELDOUT_IDS)):
        sibling = json.loads((tmp_path / f"baseline.{name}.json").read_text("utf-8"))
        assert [a["article"] for a in sibling["articles"]] == ids
    # ONE side-by-side metrics table (a column per set), then each set's articles
    header = next(line for line in result.stdout.splitlines() if "metric" in line)
    assert [c.strip() for c in header.split("┃")[1:5]] == ["metric", "fixtures", "dev", "heldout"]
    assert result.stdout.count("Metrics") == 1
    assert "names.untraceable" in result.stdout
    for name in ("fixtures", "dev", "heldout"):
        assert f"Articles: {name}" in result.stdout
    # each set's five reports under --out/<set>/, the table in --out/summary.md
    for name, ids in (("fixtures", ARTICLE_IDS), ("dev", DEV_IDS), ("heldout", HELDOUT_IDS)):
        assert sorted(p.name for p in (out / name).iterdir()) == sorted(REPORT_FILES)
        document = json.loads((out / name / "report.json").read_text("utf-8"))
        assert [a["article"] for a in document["articles"]] == ids
        assert document["gate"]["passed"] is True and document["gate"]["deltas"] is not None
    summary = (out / "summary.md").read_text("utf-8")
    assert "| metric | fixtures | dev | heldout |" in summary
    assert "| names.untraceable |" in summary and "| gate | passed | passed | passed |" in summary


def test_set_is_refused_with_articles_gold_or_several_cassette_dirs(tmp_path: Path) -> None:
    for args, message in (
        (["--set", "dev", "--articles", str(tmp_path)], "do not combine with --set"),
        (["--set", "fixtures", "--gold", str(tmp_path)], "do not combine with --set"),
        (["--set", "all", "--cassette-dir", str(tmp_path)], "names one set's cassettes"),
        (["--set", "nope"], "--set takes one of fixtures, dev, heldout, all"),
    ):
        result = runner.invoke(app, ["eval", *args, "--out", str(tmp_path / "out")])
        assert result.exit_code == 3, (args, result.output)
        assert result.stderr.strip().startswith("error: ") and message in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_dev_replay_without_cassettes_fails_per_article_with_the_record_hint(
    tmp_path: Path,
) -> None:
    empty = tmp_path / "no-cassettes"
    empty.mkdir()
    result = runner.invoke(
        app, ["eval", "--set", "dev", "--cassette-dir", str(empty), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 1
    crosses = [line for line in result.stderr.splitlines() if line.startswith("✗")]
    assert len(crosses) == len(DEV_IDS)
    for article, line in zip(DEV_IDS, crosses, strict=True):
        assert line.startswith(f"✗ {article} failed: CassetteMismatch: no cassette at ")
        assert f"test_fixture_article[{article}].yaml; record it with" in line
    assert "error: no article produced a record" in result.stderr
    document = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    assert [a["article"] for a in document["articles"]] == DEV_IDS
