"""Long articles: split by paragraphs, extract per chunk, merge; never truncate."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer import asummarize, summarize
from summarizer.api import prepare_chunks
from summarizer.errors import InputError
from summarizer.schema import ArticleReport
from summarizer.settings import Settings
from summarizer.text.chunking import MAX_CHUNKS, chunk_warning, merge_reports, split_article
from summarizer.text.clean import clean_text
from summarizer.text.sources import SourceDocument

from .fakes.fake_openai import FakeOpenAI, Faults, article_of
from .records import report

pytestmark = pytest.mark.one_shot_prompt  # counts one request per article (see conftest)

texts = st.text(alphabet=st.sampled_from([*"ab .!?\n\t\"'”", "é", "字", "\u200f"]), max_size=400)


@given(texts, st.integers(min_value=1, max_value=60))
@settings(max_examples=300, deadline=None)
def test_split_is_lossless_and_bounded(text: str, limit: int) -> None:
    chunks = split_article(text, limit)
    assert "".join(chunks) == text
    assert all(0 < len(chunk) <= limit for chunk in chunks)
    if text and len(text) <= limit:
        assert chunks == [text]


def test_split_prefers_paragraphs_then_sentences_then_spaces() -> None:
    paragraphs = [f"Paragraph {n} has a few words in it." for n in range(6)]
    text = "\n".join(paragraphs)
    chunks = split_article(text, 80)
    assert all(chunk.endswith("\n") for chunk in chunks[:-1])
    assert [p for chunk in chunks for p in chunk.splitlines()] == paragraphs
    long_paragraph = "One short sentence here. Another one follows it. A third closes it."
    assert split_article(long_paragraph, 30) == [
        "One short sentence here. ",
        "Another one follows it. ",
        "A third closes it.",
    ]
    assert split_article("aaaa bbbb cccc", 8) == ["aaaa ", "bbbb ", "cccc"]
    assert split_article("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]
    with pytest.raises(ValueError, match="positive"):
        split_article("text", 0)


def test_merge_dedupes_events_keeps_first_summary_and_warns() -> None:
    first = report()
    first = first.model_copy(
        update={
            "events": [
                first.events[0].model_copy(
                    update={"fatalities": first.events[0].fatalities.model_copy(
                        update={"total": None, "breakdown": []}
                    )}
                )
            ]
        }
    )  # fmt: skip
    # the same event seen again in chunk 2 (case and spacing differ), with its toll
    repeat = report(date_text="saturday ", evidence=["Fighting on Saturday claimed 55 lives."])
    other = report(date_text="Sunday", evidence=["On Sunday, shelling resumed."])
    second = repeat.model_copy(
        update={
            "events": [repeat.events[0], other.events[0]],
            "summary": repeat.summary.model_copy(update={"headline": "Chunk two headline"}),
        }
    )
    merged = merge_reports([first, second], source_text="whole text")
    assert merged.summary == first.summary
    assert [e.date_text for e in merged.events] == ["Saturday", "Sunday"]
    saturday = merged.events[0]
    assert saturday.fatalities.total == 55, "the toll of the later sighting fills the gap"
    assert "55 killed" in saturday.notes
    assert saturday.evidence == [
        first.events[0].evidence[0],
        "Fighting on Saturday claimed 55 lives.",
    ]
    p = merged.provenance
    assert chunk_warning(2) in p.warnings
    assert any("repeats an earlier chunk's event; merged" in w for w in p.warnings)
    assert p.attempts == 2 and p.usage.total_tokens == 30
    assert p.source_sha256 == hashlib.sha256(b"whole text").hexdigest()
    assert merge_reports([first], source_text="x") is first
    with pytest.raises(ValueError, match="no records"):
        merge_reports([], source_text="")


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(Faults(), keep_bodies=True) as server:
        yield server


def long_article() -> str:
    places = ["Idlib", "Hama", "Aleppo", "Idlib", "Daraa", "Homs", "Raqqa", "Latakia"]
    paragraphs = []
    for number, place in enumerate(places):
        paragraphs.append(
            f"Clashes between troops and rebels near {place} on Saturday were reported by "
            f"residents in part {number}."
        )
        paragraphs.append(
            "Background on the conflict fills this paragraph without any new event at all, "
            "as long stories often do."
        )
    return "\n".join(paragraphs)


def test_summarize_splits_a_long_article_instead_of_refusing(fake: FakeOpenAI) -> None:
    settings = Settings(base_url=fake.base_url, model=fake.model, max_article_chars=400)
    text = long_article()
    cleaned = clean_text(text).text
    expected_chunks = split_article(cleaned, 400)
    assert len(cleaned) > 400 and len(expected_chunks) >= 4
    record = summarize(text, settings=settings)
    assert isinstance(record, ArticleReport)
    assert fake.stats.requests == len(expected_chunks)
    sent = [article_of(body) for body in fake.stats.bodies]
    assert all(len(chunk) <= 400 for chunk in sent)
    assert "".join(sent) == cleaned, "every character is sent: no silent truncation"
    assert chunk_warning(len(expected_chunks)) in record.provenance.warnings
    assert record.provenance.source_sha256 == hashlib.sha256(cleaned.encode()).hexdigest()
    places = [event.location.name for event in record.events]
    assert len(places) == len(set(places)), "Saturday near Idlib seen twice is one event"
    assert places[0] == "Idlib" and len(places) >= 3
    assert record.provenance.attempts == len(expected_chunks)


async def test_asummarize_splits_too(fake: FakeOpenAI) -> None:
    settings = Settings(base_url=fake.base_url, model=fake.model, max_article_chars=400)
    record = await asummarize(long_article(), settings=settings)
    assert any(w.startswith("article split into") for w in record.provenance.warnings)


def test_short_articles_are_one_request_without_warning(fake: FakeOpenAI) -> None:
    settings = Settings(base_url=fake.base_url, model=fake.model)
    record = summarize(
        "Clashes near Idlib on Saturday wounded several people.\n", settings=settings
    )
    assert fake.stats.requests == 1
    assert not any("split" in w for w in record.provenance.warnings)


def test_too_many_chunks_is_an_input_error() -> None:
    settings = Settings(base_url="http://127.0.0.1:9/v1", model="m", max_article_chars=100)
    text = "\n".join(f"Paragraph {n} " + "word " * 15 for n in range(MAX_CHUNKS + 5))
    document = SourceDocument(text=text, kind="text")
    with pytest.raises(InputError, match=f"more than {MAX_CHUNKS}"):
        prepare_chunks(document, published=None, outlet=None, settings=settings)
