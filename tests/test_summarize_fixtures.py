"""Integration: summarize every fixture article, replaying cassettes recorded from the
embedded model (record with `make record`). Assertions are on the validated record."""

from __future__ import annotations

import pytest

from summarizer import ArticleReport, summarize
from summarizer.grounding import loaded_terms_in, numbers_in, quote_in_text
from summarizer.schemafile import report_schema
from summarizer.settings import Settings
from summarizer.text.clean import clean_text

from .conftest import ARTICLE_IDS, ARTICLES, load_gold

jsonschema = pytest.importorskip("jsonschema")


@pytest.mark.vcr
@pytest.mark.parametrize("article_id", ARTICLE_IDS)
def test_fixture_article(article_id: str, llm_settings: Settings) -> None:
    path = ARTICLES / f"{article_id}.txt"
    report = summarize(path, settings=llm_settings)
    assert isinstance(report, ArticleReport)
    jsonschema.validate(report.model_dump(mode="json"), report_schema())
    source = path.read_text("utf-8")
    gold = load_gold(article_id)
    # Grounding holds in the returned record, whatever the model first said.
    for event in report.events:
        assert event.evidence, "every event keeps at least one quote"
        for quote in event.evidence:
            assert quote_in_text(quote, source), quote
        for figure in (event.fatalities.total, *(p.count for p in event.fatalities.breakdown)):
            if figure is not None:
                assert figure in numbers_in(source) or figure == sum(
                    p.count for p in event.fatalities.breakdown
                )
        assert event.location.country == "Syria"
    assert not loaded_terms_in(report.summary.text)
    assert len(report.summary.text.split()) <= gold["summary"]["max_words"]
    # The outlet comes from the page furniture when it names one (not from the model).
    hint = clean_text(source).outlet_hint
    assert report.article.outlet == hint
    assert hint is None or hint == gold["outlet"]
    p = report.provenance
    assert p.attempts >= 1 and p.usage.total_tokens > 0
    assert p.prompt.version == llm_settings.prompt_version and p.schema_version == 1
    assert p.removed_chars >= 0
