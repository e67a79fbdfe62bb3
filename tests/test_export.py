"""JSON, JSONL, CSV (ACLED columns) and Markdown export."""

from __future__ import annotations

import csv
import io
import json

from summarizer.export import ACLED_COLUMNS, to_csv, to_json, to_jsonl, to_markdown

from .records import report


def test_json_and_jsonl() -> None:
    record = report()
    assert json.loads(to_json(record))["events"][0]["fatalities"]["total"] == 55
    lines = to_jsonl([record, record]).splitlines()
    assert len(lines) == 2 and json.loads(lines[1])["schema_version"] == 1


def test_csv_uses_acled_columns_and_labels() -> None:
    rows = list(csv.DictReader(io.StringIO(to_csv([report()]))))
    assert list(rows[0]) == ACLED_COLUMNS
    row = rows[0]
    assert row["event_type"] == "Battles" and row["sub_event_type"] == "Armed clash"
    assert (row["inter1"], row["inter2"], row["interaction"]) == ("1", "2", "12")
    assert row["fatalities"] == "55" and row["tags"] == ""
    assert row["event_date"] == "2019-08-03" and row["year"] == "2019"


def test_csv_exports_unreported_fatalities_as_zero_with_a_tag() -> None:
    fat = {"total": None, "breakdown": [], "civilians": None, "reported_by": None}
    row = next(csv.DictReader(io.StringIO(to_csv([report(fatalities=fat)]))))
    assert row["fatalities"] == "0"
    assert row["tags"] == "fatalities not reported"


def test_markdown_is_readable() -> None:
    text = to_markdown(report())
    assert text.startswith("## Clashes kill dozens in northwest Syria")
    assert "- **Fatalities:** 55 — 23 pro-government forces, 32 jihadists and allied rebels" in text
    assert "according to Syrian Observatory for Human Rights" in text
