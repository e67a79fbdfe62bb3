"""Cassette hygiene: no secrets, readable round trip, and a changed prompt fails loudly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from summarizer import summarize
from summarizer.errors import EndpointError
from summarizer.evaluation import cassettes
from summarizer.extraction import StepPrompts
from summarizer.settings import Settings

from .conftest import ARTICLES, REPLAY_BASE_URL, ROOT

CASSETTES = sorted((ROOT / "cassettes").rglob("*.yaml"))
SECRET = re.compile(
    r"sk-[A-Za-z0-9_-]{16,}|xox[abpr]-[A-Za-z0-9-]{10,}|authorization|bearer\s+\S{8,}"
    r"|openai-organization|api[_-]?key\s*[:=]",
    re.IGNORECASE,
)


def test_there_are_cassettes() -> None:
    assert len(CASSETTES) >= 6


@pytest.mark.parametrize("path", CASSETTES, ids=lambda p: p.name)
def test_no_cassette_holds_a_secret_or_unlisted_header(path: Path) -> None:
    text = path.read_text("utf-8")
    assert not SECRET.search(text), f"{path} looks like it holds a secret"
    data = cassettes.deserialize(text)
    for interaction in data["interactions"]:
        assert set(interaction["request"]["headers"]) <= cassettes.REQUEST_HEADERS
        assert set(interaction["response"]["headers"]) <= cassettes.RESPONSE_HEADERS


@pytest.mark.parametrize("path", CASSETTES[:3], ids=lambda p: p.name)
def test_serialization_round_trips(path: Path) -> None:
    once = cassettes.deserialize(path.read_text("utf-8"))
    twice = cassettes.deserialize(cassettes.serialize(_as_recorded(once)))
    assert twice == once


def _as_recorded(data: dict[str, object]) -> dict[str, object]:
    return data  # deserialize() yields what vcrpy hands to serialize()


def test_an_edited_prompt_no_longer_matches_its_cassette(monkeypatch: pytest.MonkeyPatch) -> None:
    article = ARTICLES / "004_c689b8858d52ccb0.txt"
    cassette = (
        ROOT / "cassettes" / "summarize_fixtures" / f"test_fixture_article[{article.stem}].yaml"
    )
    original = StepPrompts.render

    def edited(self: StepPrompts, part: str, **values: object) -> str:
        text = original(self, part, **values)
        return text + "\nBe brief." if part == "system" else text

    monkeypatch.setattr(StepPrompts, "render", edited)
    settings = Settings(base_url=REPLAY_BASE_URL, model="local", transport_retries=0)
    with pytest.raises(EndpointError) as caught, cassettes.use_cassette(cassette, record=False):
        summarize(article, settings=settings)
    assert cassettes.is_cassette_miss(caught.value)
