"""Shared test configuration: cassettes, LLM settings for replay or recording, fixtures."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from summarizer.evaluation import cassettes
from summarizer.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
ARTICLES = FIXTURES / "articles"
GOLD = FIXTURES / "gold"
ARTICLE_IDS = sorted(p.stem for p in ARTICLES.glob("*.txt"))
REPLAY_BASE_URL = "http://127.0.0.1:9/v1"  # never contacted: vcrpy answers in replay


def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
    cassettes.configure(vcr)


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    return cassettes.vcr_config()


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    module = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    return str(ROOT / "cassettes" / module)


@pytest.fixture(autouse=True)
def _clean_environment(
    monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Tests never depend on the caller's SUMMARIZER_*, OPENAI_* or SLACK_* variables
    (session fixtures such as ``llm_settings`` have read them already), and never read or
    write the user's cache: SUMMARIZER_CACHE_DIR is a fresh directory (live tests keep
    the default, where ``summarizer setup-local`` put the model)."""
    for name in list(os.environ):
        if name.startswith(("SUMMARIZER_", "OPENAI_", "SLACK_")):
            monkeypatch.delenv(name)
    if request.node.get_closest_marker("live") is None:
        monkeypatch.setenv("SUMMARIZER_CACHE_DIR", str(tmp_path / "summarizer-cache"))
    if request.node.get_closest_marker("one_shot_prompt") is not None:
        # these tests count requests, faults and bodies one request per article: they run
        # the one-shot prompt v1; the default step pipeline (v6) is tested on its own
        # (test_extraction_*, test_batch_rounds, test_slots, test_inputs, the replays)
        monkeypatch.setenv("SUMMARIZER_PROMPT_VERSION", "v1")


@pytest.fixture(autouse=True)
def _every_interaction_used(request: pytest.FixtureRequest, record_mode: str) -> Iterator[None]:
    """A replayed cassette with interactions the test never asked for fails the test."""
    yield
    if record_mode != "none" or request.node.get_closest_marker("vcr") is None:
        return
    cassette = request.getfixturevalue("vcr")
    if cassette is not None and not cassette.all_played:
        pytest.fail(f"cassette {cassette._path} has unused interactions; {cassettes.MISS_HINT}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if call.excinfo is not None and cassettes.is_cassette_miss(call.excinfo.value):
        report.sections.append(("cassette", cassettes.MISS_HINT))


@pytest.fixture(scope="session")
def llm_settings(pytestconfig: pytest.Config) -> Iterator[Settings]:
    """Settings for LLM-backed tests: a dummy URL in replay, a real endpoint when recording.

    Recording uses SUMMARIZER_BASE_URL/SUMMARIZER_MODEL if set, else starts the embedded
    llama.cpp server for the session.
    """
    mode = pytestconfig.getoption("--record-mode")
    if mode == "none":
        yield Settings(base_url=REPLAY_BASE_URL, model="local", transport_retries=0)
        return
    if os.environ.get("SUMMARIZER_BASE_URL"):
        yield Settings(transport_retries=0)
        return
    from summarizer.llm.embedded import EmbeddedServer

    with EmbeddedServer(Settings()) as server:
        yield Settings(base_url=server.base_url, model="local", transport_retries=0)


def load_gold(article_id: str) -> dict[str, Any]:
    """The gold annotation of a fixture article."""
    data: dict[str, Any] = yaml.safe_load((GOLD / f"{article_id}.yaml").read_text("utf-8"))
    return data
