"""Running an evaluation: summarize every gold-annotated article and score the records.

Two modes:

* ``replay``: every article's LLM traffic is replayed from its cassette
  (``<cassette_dir>/test_fixture_article[<article id>].yaml``, the same files the
  integration test ``tests/test_summarize_fixtures.py`` uses), with a dummy endpoint that
  is never contacted. No model, no network; a changed prompt, schema or setting no
  longer matches the recorded requests and the article fails loudly;
* ``live``: the configured endpoint (the embedded model by default) answers; with
  ``record=True`` its traffic is written to the cassettes for later replays. Live on
  the embedded server (not recording), ``SUMMARIZER_SERVER_PARALLEL`` articles run at
  once, one per slot; the scores and their order do not depend on it.

Articles are summarized as a feed would hand them over: ``summarize(path,
published=<the gold's publication date>)`` (the fixtures' gold has none, so they run
exactly as the integration test does and one recording serves both). A
:class:`~summarizer.errors.SummarizerError` (or a cassette that does not match) fails
only its article, which then scores as every gold event missed; the run goes on.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Collection, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from summarizer.api import prompt_info, summarize
from summarizer.errors import InputError, SummarizerError
from summarizer.evaluation.cassettes import (
    MISS_HINT,
    CassetteMismatch,
    is_cassette_miss,
    require_vcr,
    use_cassette,
)
from summarizer.evaluation.gold import GoldArticle, load_gold_dir
from summarizer.evaluation.scoring import ArticleScore, Counts, metrics, score_article, total_counts
from summarizer.schema import SCHEMA_VERSION, ArticleReport
from summarizer.settings import Settings
from summarizer.text.clean import clean_text
from summarizer.text.sources import load_source

__all__ = [
    "DEFAULT_ARTICLES_DIR",
    "DEFAULT_CASSETTE_DIR",
    "DEFAULT_GOLD_DIR",
    "DEV_ARTICLES_DIR",
    "DEV_CASSETTE_DIR",
    "DEV_GOLD_DIR",
    "HELDOUT_ARTICLES_DIR",
    "HELDOUT_CASSETTE_DIR",
    "HELDOUT_GOLD_DIR",
    "REPLAY_BASE_URL",
    "ArticleOutcome",
    "EvalProgress",
    "EvalResult",
    "Mode",
    "ProgressCallback",
    "RunInfo",
    "cassette_path",
    "replay_settings",
    "run_eval",
]

Mode = Literal["replay", "live"]

_REPO = Path(__file__).resolve().parent.parent.parent
DEFAULT_ARTICLES_DIR = _REPO / "tests" / "fixtures" / "articles"
"""The fixture articles of a source checkout."""
DEFAULT_GOLD_DIR = _REPO / "tests" / "fixtures" / "gold"
"""The gold annotations of a source checkout."""
DEFAULT_CASSETTE_DIR = _REPO / "cassettes" / "summarize_fixtures"
"""The cassettes shared with ``tests/test_summarize_fixtures.py``."""
DEV_ARTICLES_DIR = _REPO / "tests" / "fixtures" / "dev" / "articles"
"""The development set's articles (``summarizer eval --set dev``)."""
DEV_GOLD_DIR = _REPO / "tests" / "fixtures" / "dev" / "gold"
"""The development set's gold annotations."""
DEV_CASSETTE_DIR = _REPO / "cassettes" / "eval_dev"
"""The development set's cassettes; until they are recorded, each article fails in replay
with the re-record message (the directory may not exist yet)."""
HELDOUT_ARTICLES_DIR = _REPO / "tests" / "fixtures" / "heldout" / "articles"
"""The held-out set's articles (``summarizer eval --set heldout``): written apart from
the extraction rules and never read to write them, to show how the rules generalise."""
HELDOUT_GOLD_DIR = _REPO / "tests" / "fixtures" / "heldout" / "gold"
"""The held-out set's gold annotations."""
HELDOUT_CASSETTE_DIR = _REPO / "cassettes" / "eval_heldout"
"""The held-out set's cassettes."""
REPLAY_BASE_URL = "http://127.0.0.1:9/v1"
"""The endpoint named in replay: never contacted, the cassette answers."""

try:
    _VERSION = version("summarizer")
except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
    _VERSION = "0+unknown"


def cassette_path(cassette_dir: Path, article_id: str) -> Path:
    """The cassette of one article (named like the integration test's parametrised id)."""
    return cassette_dir / f"test_fixture_article[{article_id}].yaml"


def replay_settings(settings: Settings | None = None) -> Settings:
    """Settings for replay: the recorded endpoint's model name at a dummy local URL, no
    transport retries, no key; every other setting (prompt version…) kept."""
    base = settings or Settings()
    return base.model_copy(
        update={
            "base_url": REPLAY_BASE_URL,
            "model": "local",
            "transport_retries": 0,
            "api_key": None,
        }
    )


class _Result(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RunInfo(_Result):
    """What was evaluated, with what. Model, host and prompt come from the records'
    provenance (several values joined by ', '); from the settings if no record was made."""

    mode: Mode
    record: bool = False
    model: str
    endpoint_host: str
    prompt_name: str
    prompt_version: str
    prompt_sha256: str
    schema_version: int
    summarizer_version: str
    from_records: bool = Field(description="Whether model/prompt come from records.")
    articles_dir: str
    gold_dir: str
    cassette_dir: str | None
    started_at: dt.datetime
    seconds: float = Field(description="Wall time of the whole run.")


class ArticleOutcome(_Result):
    """One article: how long it took, what it cost, and its score."""

    article: str
    seconds: float = Field(description="Wall time of summarizing the article.")
    attempts: int | None = None
    tokens: int | None = None
    warnings: list[str] = Field(default_factory=list)
    score: ArticleScore

    @property
    def failed(self) -> bool:
        """No record was produced."""
        return self.score.error is not None


class EvalResult(_Result):
    """A whole evaluation run: run information, per-article outcomes, totals, metrics."""

    run: RunInfo
    articles: list[ArticleOutcome]
    counts: Counts
    metrics: dict[str, float | None]

    @classmethod
    def build(cls, run: RunInfo, articles: list[ArticleOutcome]) -> EvalResult:
        """Totals and metrics computed from the articles' counts."""
        counts = total_counts(a.score for a in articles)
        return cls(run=run, articles=articles, counts=counts, metrics=metrics(counts))


@dataclass(frozen=True)
class EvalProgress:
    """A progress report: sent before (``done=False``) and after each article."""

    index: int
    total: int
    article: str
    done: bool
    outcome: ArticleOutcome | None = None


ProgressCallback = Callable[[EvalProgress], None]


def _one_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    text = f"{type(exc).__name__}: {lines[0] if lines else ''}".rstrip(": ")
    if is_cassette_miss(exc) and MISS_HINT not in text:
        text += f" ({MISS_HINT})"
    return text


@contextmanager
def _timer() -> Iterator[list[float]]:
    box = [0.0]
    started = time.perf_counter()
    try:
        yield box
    finally:
        box[0] = round(time.perf_counter() - started, 3)


_INSTALLED_HINT = (
    "the defaults are the source checkout's tests/fixtures and cassettes, which an "
    "installed package does not have; pass --articles DIR and --gold DIR (and "
    "--cassette-dir DIR to replay)"
)


def _require_dirs(articles_dir: Path, gold_dir: Path, cassette_dir: Path | None) -> None:
    """Fail with one message naming the options when a directory is missing."""
    for path, what, option, default in (
        (gold_dir, "gold", "--gold", DEFAULT_GOLD_DIR),
        (articles_dir, "articles", "--articles", DEFAULT_ARTICLES_DIR),
        (cassette_dir, "cassette", "--cassette-dir", DEFAULT_CASSETTE_DIR),
    ):
        if path is None or path.is_dir() or path == DEV_CASSETTE_DIR:
            continue
        if path == default:
            raise InputError(f"no {what} directory at {path}: {_INSTALLED_HINT}")
        raise InputError(f"no {what} directory at {path}; pass {option} DIR")


def _summarize_one(
    path: Path,
    mode: Mode,
    record: bool,
    cassette: Path,
    settings: Settings,
    published: dt.date | None = None,
) -> tuple[ArticleReport | None, str | None, float]:
    report: ArticleReport | None = None
    error: str | None = None
    with _timer() as elapsed:
        context: Any = (
            use_cassette(cassette, record=record) if mode == "replay" or record else nullcontext()
        )
        try:
            with context:
                report = summarize(path, published=published, settings=settings)
        except (SummarizerError, CassetteMismatch) as exc:
            report, error = None, _one_line(exc)
    return report, error, elapsed[0]


def _page_text(path: Path, raw: str, settings: Settings) -> str:
    """The article's text as the summarizer reads it: a page's text extracted from its
    HTML, as ``summarize`` does. Cleaning is scored on it; names are traced in it and in
    the file as it is (a page's title and site name are in its markup)."""
    try:
        return load_source(path, settings=settings).text
    except SummarizerError:
        return raw


def _live_pool(mode: Mode, record: bool, settings: Settings) -> ThreadPoolExecutor | None:
    """Live on the embedded server, without recording: its N slots answer N articles at
    once (the endpoint's slot gate keeps N requests in flight). Otherwise one at a time:
    cassettes are recorded one article after another, and another endpoint is left
    alone."""
    if mode != "live" or record or not settings.uses_embedded or settings.server_parallel < 2:
        return None
    return ThreadPoolExecutor(settings.server_parallel, thread_name_prefix="eval-live")


def _select(golds: list[GoldArticle], article_ids: Collection[str] | None) -> list[GoldArticle]:
    if article_ids is None:
        return golds
    known = {g.article_id for g in golds}
    unknown = sorted(set(article_ids) - known)
    if unknown:
        raise InputError(f"no gold annotation for article(s) {', '.join(unknown)}")
    return [g for g in golds if g.article_id in article_ids]


def _joined(values: list[str]) -> str:
    return ", ".join(dict.fromkeys(values))


def _run_info(
    reports: list[ArticleReport],
    settings: Settings,
    **fields: Any,
) -> RunInfo:
    if reports:
        provenance = [r.provenance for r in reports]
        return RunInfo(
            model=_joined([p.model for p in provenance]),
            endpoint_host=_joined([p.endpoint_host for p in provenance]),
            prompt_name=_joined([p.prompt.name for p in provenance]),
            prompt_version=_joined([p.prompt.version for p in provenance]),
            prompt_sha256=_joined([p.prompt.sha256 for p in provenance]),
            schema_version=max(p.schema_version for p in provenance),
            summarizer_version=_joined([p.summarizer_version for p in provenance]),
            from_records=True,
            **fields,
        )
    try:
        prompt = prompt_info(settings.prompt_version)
        name, prompt_version, sha = prompt.name, prompt.version, prompt.sha256
    except SummarizerError:
        name, prompt_version, sha = "extract", settings.prompt_version, "unknown"
    return RunInfo(
        model=settings.model or ("local" if settings.uses_embedded else "unknown"),
        endpoint_host=settings.endpoint_host,
        prompt_name=name,
        prompt_version=prompt_version,
        prompt_sha256=sha,
        schema_version=SCHEMA_VERSION,
        summarizer_version=_VERSION,
        from_records=False,
        **fields,
    )


def run_eval(
    articles_dir: Path = DEFAULT_ARTICLES_DIR,
    gold_dir: Path = DEFAULT_GOLD_DIR,
    *,
    mode: Mode = "replay",
    record: bool = False,
    cassette_dir: Path = DEFAULT_CASSETTE_DIR,
    settings: Settings | None = None,
    progress: ProgressCallback | None = None,
    article_ids: Collection[str] | None = None,
) -> EvalResult:
    """Summarize and score every gold-annotated article (or those in ``article_ids``).

    In replay mode ``settings`` supplies everything but the endpoint (see
    :func:`replay_settings`); ``record`` needs live mode. Raises
    :class:`~summarizer.errors.InputError` for missing directories, gold files or
    articles; an article that fails to summarize is scored, not raised.
    """
    if record and mode != "live":
        raise InputError("recording cassettes needs live mode (--live --record)")
    _require_dirs(articles_dir, gold_dir, cassette_dir if mode == "replay" else None)
    if mode == "replay" or record:
        require_vcr()
    golds = _select(load_gold_dir(gold_dir), article_ids)
    missing = [g.article for g in golds if not (articles_dir / g.article).is_file()]
    if missing:
        raise InputError(f"gold names article(s) not in {articles_dir}: {', '.join(missing)}")
    run_settings = replay_settings(settings) if mode == "replay" else (settings or Settings())
    started_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    started = time.perf_counter()
    outcomes: list[ArticleOutcome] = []
    reports: list[ArticleReport] = []
    pool = _live_pool(mode, record, run_settings)
    futures = [
        pool.submit(_summarize_one, articles_dir / gold.article, mode, record,
                    cassette_path(cassette_dir, gold.article_id), run_settings, gold.published)
        for gold in golds
    ] if pool is not None else []  # fmt: skip
    for index, gold in enumerate(golds, start=1):
        if progress is not None:
            progress(EvalProgress(index, len(golds), gold.article_id, done=False))
        path = articles_dir / gold.article
        raw = path.read_text("utf-8")
        report, error, seconds = (
            futures[index - 1].result()
            if futures
            else _summarize_one(
                path,
                mode,
                record,
                cassette_path(cassette_dir, gold.article_id),
                run_settings,
                gold.published,
            )
        )
        text = _page_text(path, raw, run_settings)
        score = score_article(
            gold,
            report,
            raw_text=raw if text == raw else f"{text}\n{raw}",
            cleaned_text=clean_text(text).text,
            error=error,
        )
        outcome = ArticleOutcome(
            article=gold.article_id,
            seconds=seconds,
            attempts=report.provenance.attempts if report else None,
            tokens=report.provenance.usage.total_tokens if report else None,
            warnings=list(report.provenance.warnings) if report else [],
            score=score,
        )
        outcomes.append(outcome)
        if report is not None:
            reports.append(report)
        if progress is not None:
            progress(EvalProgress(index, len(golds), gold.article_id, done=True, outcome=outcome))
    if pool is not None:
        pool.shutdown()
    run = _run_info(
        reports,
        run_settings,
        mode=mode,
        record=record,
        articles_dir=str(articles_dir),
        gold_dir=str(gold_dir),
        cassette_dir=str(cassette_dir) if mode == "replay" or record else None,
        started_at=started_at,
        seconds=round(time.perf_counter() - started, 3),
    )
    return EvalResult.build(run, outcomes)
