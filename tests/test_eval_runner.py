"""Tests of summarizer.evaluation.runner against a FAKE local endpoint: live mode,
recording cassettes, replaying them, and per-article failures that never stop a run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from summarizer.errors import InputError
from summarizer.evaluation import EvalProgress, baseline_document, run_eval
from summarizer.evaluation.runner import (
    DEV_ARTICLES_DIR,
    DEV_CASSETTE_DIR,
    DEV_GOLD_DIR,
    REPLAY_BASE_URL,
    cassette_path,
    replay_settings,
)
from summarizer.settings import Settings

from .conftest import ARTICLES, GOLD
from .eval_fake_llm import ARTICLE_004, fake_llm

ARTICLE_000 = "000_a7a9f593ff51bdb6"


def fixture_dirs(tmp_path: Path, *article_ids: str) -> tuple[Path, Path]:
    """Copies of some fixture articles and their gold files."""
    articles, gold = tmp_path / "articles", tmp_path / "gold"
    articles.mkdir()
    gold.mkdir()
    for article_id in article_ids:
        shutil.copy(ARTICLES / f"{article_id}.txt", articles)
        shutil.copy(GOLD / f"{article_id}.yaml", gold)
    return articles, gold


@pytest.mark.one_shot_prompt  # counts one request per article (see conftest)
def test_live_record_then_replay(tmp_path: Path) -> None:
    articles, gold = fixture_dirs(tmp_path, ARTICLE_004)
    cassettes = tmp_path / "cassettes"
    events: list[EvalProgress] = []
    with fake_llm() as fake:
        settings = Settings(base_url=fake.base_url, model="local", transport_retries=0)
        live = run_eval(articles, gold, mode="live", record=True, cassette_dir=cassettes,
                        settings=settings, progress=events.append)  # fmt: skip
        assert len(fake.requests) == 1
        replayed = run_eval(articles, gold, mode="replay", cassette_dir=cassettes)
        assert len(fake.requests) == 1, "replay must not contact the endpoint"
    # The hand-written answer matches the gold of article 004 on every scored check.
    assert [o.score.error for o in live.articles] == [None]
    scored = {k: v for k, v in live.metrics.items() if v is not None}
    # every name of the answer occurs in article 004 or is a canonical actor name
    assert scored.pop("names.untraceable") == 0.0 and live.counts.names_checked > 0
    assert scored and set(scored.values()) == {1.0}, live.metrics
    assert live.articles[0].score.mismatches == []
    assert cassette_path(cassettes, ARTICLE_004).is_file()
    assert (live.run.mode, live.run.record, live.run.endpoint_host) == ("live", True, "127.0.0.1")
    assert live.run.model == "local" and live.run.from_records
    assert live.articles[0].tokens == 150 and live.articles[0].attempts == 1
    assert [(e.index, e.total, e.article, e.done) for e in events] == [
        (1, 1, ARTICLE_004, False),
        (1, 1, ARTICLE_004, True),
    ]
    assert events[1].outcome is not None and events[1].outcome.seconds >= 0
    # One recording serves replay: the same records, the same scores.
    assert replayed.run.mode == "replay" and replayed.run.endpoint_host == "127.0.0.1"
    live_doc, replay_doc = baseline_document(live), baseline_document(replayed)
    assert live_doc["articles"] == replay_doc["articles"]
    assert live_doc["metrics"] == replay_doc["metrics"]


def test_live_without_record_writes_no_cassette(tmp_path: Path) -> None:
    articles, gold = fixture_dirs(tmp_path, ARTICLE_004)
    cassettes = tmp_path / "cassettes"
    with fake_llm() as fake:
        settings = Settings(base_url=fake.base_url, model="other-model", transport_retries=0)
        result = run_eval(articles, gold, mode="live", cassette_dir=cassettes, settings=settings)
    assert not cassettes.exists()
    assert result.run.model == "other-model" and result.run.cassette_dir is None
    assert fake.requests[0]["model"] == "other-model"


@pytest.mark.one_shot_prompt  # counts one request per article (see conftest)
def test_a_failing_article_is_scored_and_the_run_goes_on(tmp_path: Path) -> None:
    articles, gold = fixture_dirs(tmp_path, ARTICLE_000, ARTICLE_004)
    with fake_llm(status=500) as fake:
        settings = Settings(base_url=fake.base_url, model="local", transport_retries=0)
        result = run_eval(articles, gold, mode="live", settings=settings)
    assert [o.article for o in result.articles] == [ARTICLE_000, ARTICLE_004]
    for outcome in result.articles:
        error = outcome.score.error
        assert error is not None and error.startswith("EndpointError: ")
        assert "\n" not in error and "Traceback" not in error
        assert outcome.score.counts.true_positives == 0
        assert outcome.score.counts.false_negatives == len(
            [e for e in outcome.score.mismatches if e.field == "event"]
        )
    assert result.metrics["articles.succeeded"] == 0.0
    assert result.metrics["events.recall"] == 0.0
    assert result.metrics["cleaning.score"] == 1.0  # cleaning does not need the model
    # No record was made: model and prompt come from the settings.
    assert not result.run.from_records
    assert (result.run.model, result.run.prompt_version) == ("local", "v1")


def test_replay_of_a_stale_or_missing_cassette_fails_the_article_only(tmp_path: Path) -> None:
    articles, gold = fixture_dirs(tmp_path, ARTICLE_000, ARTICLE_004)
    cassettes = tmp_path / "cassettes"
    with fake_llm() as fake:
        settings = Settings(base_url=fake.base_url, model="local", transport_retries=0)
        run_eval(articles, gold, mode="live", record=True, cassette_dir=cassettes,
                 settings=settings, article_ids=[ARTICLE_004])  # fmt: skip
    # A changed setting changes the request body: the recorded answer no longer matches.
    stale = run_eval(articles, gold, mode="replay", cassette_dir=cassettes,
                     settings=Settings(max_tokens=1000))  # fmt: skip
    errors = {o.article: o.score.error or "" for o in stale.articles}
    assert errors[ARTICLE_000].startswith("CassetteMismatch: no cassette at")
    assert "does not match the recorded cassette" in errors[ARTICLE_004]
    assert all("\n" not in e for e in errors.values())
    fresh = run_eval(articles, gold, mode="replay", cassette_dir=cassettes)
    assert [o.failed for o in fresh.articles] == [True, False]


def test_replay_settings_keep_everything_but_the_endpoint() -> None:
    settings = replay_settings(Settings(base_url="https://api.example/v1", model="big",
                                        prompt_version="v1", max_tokens=999))  # fmt: skip
    assert (settings.base_url, settings.model) == (REPLAY_BASE_URL, "local")
    assert settings.transport_retries == 0 and settings.api_key is None
    assert settings.max_tokens == 999


def test_input_errors(tmp_path: Path) -> None:
    articles, gold = fixture_dirs(tmp_path, ARTICLE_004)
    with pytest.raises(InputError, match="live mode"):
        run_eval(articles, gold, mode="replay", record=True)
    with pytest.raises(InputError, match="no gold directory"):
        run_eval(articles, tmp_path / "nowhere")
    with pytest.raises(InputError, match="no articles directory"):
        run_eval(tmp_path / "nowhere", gold)
    with pytest.raises(InputError, match="no gold annotation for article"):
        run_eval(articles, gold, article_ids=["999_unknown"])
    (articles / f"{ARTICLE_004}.txt").unlink()
    with pytest.raises(InputError, match="gold names article"):
        run_eval(articles, gold)


def test_defaults_missing_from_an_installed_package_name_the_options(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An installed wheel has no tests/fixtures or cassettes: the default directories
    are missing, and the message says which options to pass instead."""
    from summarizer.evaluation import runner

    nowhere = tmp_path / "not-a-checkout"
    monkeypatch.setattr(runner, "DEFAULT_GOLD_DIR", nowhere / "gold")
    with pytest.raises(InputError, match="installed package") as caught:
        run_eval(runner.DEFAULT_ARTICLES_DIR, runner.DEFAULT_GOLD_DIR)
    assert "--articles DIR and --gold DIR" in str(caught.value)
    articles, gold = fixture_dirs(tmp_path, ARTICLE_004)
    with pytest.raises(InputError, match=r"no cassette directory .* --cassette-dir DIR"):
        run_eval(articles, gold, mode="replay", cassette_dir=tmp_path / "none")


def test_the_dev_set_replays_from_its_own_cassettes_or_fails_per_article() -> None:
    # cassettes/eval_dev is filled by live recordings; a missing directory or cassette
    # fails each article with the re-record message, never the whole run
    article = "dev04_somalia_mogadishu_ied"
    result = run_eval(DEV_ARTICLES_DIR, DEV_GOLD_DIR, mode="replay",
                      cassette_dir=DEV_CASSETTE_DIR, article_ids=[article])  # fmt: skip
    assert [o.article for o in result.articles] == [article]
    error = result.articles[0].score.error
    if cassette_path(DEV_CASSETTE_DIR, article).is_file():
        assert error is None
    else:
        assert error is not None and "no cassette at" in error and "record it with" in error


def test_a_pages_cleaning_is_scored_on_the_text_the_summarizer_reads(tmp_path: Path) -> None:
    from summarizer.evaluation.runner import _page_text
    from summarizer.settings import Settings

    page = tmp_path / "page.html"
    raw = (
        "<html><head><title>Clashes in Zawiya</title></head><body>"
        "<div class='cookie'>Accept all cookies</div>"
        "<article><p>Fighting broke out in Zawiya on Monday, residents said.</p></article>"
        "</body></html>"
    )
    page.write_text(raw, "utf-8")
    text = _page_text(page, raw, Settings())
    assert "Fighting broke out in Zawiya on Monday" in text
    assert "<p>" not in text
    plain = tmp_path / "plain.txt"
    plain.write_text("Fighting broke out.", "utf-8")
    assert _page_text(plain, "Fighting broke out.", Settings()) == "Fighting broke out."
