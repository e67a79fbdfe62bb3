"""Hand-built records for unit tests (never presented as model output)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from summarizer.grounding import validate_grounded
from summarizer.schema import ArticleReport, EventDraft, Extraction


def event_data(**overrides: Any) -> dict[str, Any]:
    """A valid event draft as a dict; override any key."""
    data: dict[str, Any] = {
        "event_type": "battles",
        "sub_event_type": "armed_clash",
        "date_text": "Saturday",
        "location": {
            "name": "Kafr Zita",
            "admin1": "Hama",
            "admin2": None,
            "country": "Syria",
            "geo_precision": 1,
        },
        "actor1": {"name": "Military Forces of Syria", "type": "state_forces"},
        "actor2": {"name": "Hayat Tahrir al-Sham", "type": "rebel_group"},
        "assoc_actor1": [],
        "assoc_actor2": [],
        "fatalities": {
            "total": 55,
            "breakdown": [
                {"side": "pro-government forces", "count": 23},
                {"side": "jihadists and allied rebels", "count": 32},
            ],
            "civilians": None,
            "reported_by": "Syrian Observatory for Human Rights",
        },
        "sources": ["Syrian Observatory for Human Rights"],
        "evidence": ["Clashes between loyalists and insurgents killed 55 combatants on Saturday"],
    }
    data.update(overrides)
    return data


SOURCE = (
    "Clashes between loyalists and insurgents killed 55 combatants on Saturday, a monitor "
    "said.\nFighting on Saturday claimed the lives of 23 pro-government forces as well as 32 "
    "jihadists and allied rebels, the Syrian Observatory for Human Rights said.\nThe "
    "regime also launched dozens of air strikes, the monitor added.\n"
)


def extraction_data(events: list[dict[str, Any]] | None = None, **summary: str) -> dict[str, Any]:
    """A valid extraction as a dict, grounded in :data:`SOURCE`."""
    return {
        "article": {"title": None, "wire": None, "dateline": None, "language": "en"},
        "events": [event_data()] if events is None else events,
        "summary": {
            "headline": summary.get("headline", "Clashes kill dozens in northwest Syria"),
            "text": summary.get(
                "text",
                "Fighting between government forces and armed groups in Hama killed 55 "
                "combatants on Saturday, according to the Syrian Observatory for Human Rights. "
                "The monitor also reported air strikes.",
            ),
        },
    }


def validate(data: dict[str, Any], *, final: bool = False) -> tuple[Extraction, list[str]]:
    """Validate with grounding against SOURCE; returns the extraction and its warnings."""
    return validate_grounded(data, SOURCE, final=final)


def report(**event_overrides: Any) -> ArticleReport:
    """A complete ArticleReport with one event (for export and rendering tests)."""
    draft = EventDraft.model_validate(event_data(**event_overrides))
    return ArticleReport.model_validate(
        {
            "article": {
                "title": None, "wire": "AFP", "dateline": None, "language": "en",
                "outlet": "Business Standard", "published": "2019-08-04", "url": None,
            },
            "events": [
                {**draft.model_dump(mode="json"), "date": "2019-08-03", "time_precision": 1,
                 "notes": "On Saturday, in Kafr Zita (Hama): clashes."}
            ],
            "summary": extraction_data()["summary"],
            "provenance": {
                "model": "local", "endpoint_host": "embedded",
                "prompt": {"name": "extract", "version": "v1", "sha256": "0" * 16},
                "schema_version": 1, "attempts": 1,
                "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
                "latency_seconds": 1.0, "removed_chars": 0, "source_sha256": "0" * 64,
                "warnings": [], "created_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC).isoformat(),
                "summarizer_version": "0.1.0",
            },
        }
    )  # fmt: skip
