"""``embedded_throughput``: articles an hour from the embedded model at N parallel slots.

For each N (``--n 1,2,4,8`` by default; ``--quick``: N = 1, 2 on 3 articles) the
benchmark starts the embedded llama-server with N slots (``-np N``, continuous batching,
a context per slot; see :class:`summarizer.llm.embedded.EmbeddedServer`), runs the same
10 articles (the 5 in ``tests/fixtures/articles`` and the first 5 of
``tests/fixtures/dev/articles``) through the real pipeline, all at once
(:func:`summarizer.api.aextract_chunks`, as ``summarizer batch`` does: the client's slot
gate keeps N requests in flight), and stops the server. Reported per N:

* **articles/hour** = articles with a record ÷ wall time from the first request to the
  last record (server start-up excluded, reported apart);
* **tokens per article**: prompt (of which the server's prompt cache served some) and
  generated, summed over every request of the article (re-asks included), read from
  each response's ``usage``;
* **the server's own speeds, measured in the same run**: from llama.cpp's ``timings``
  in every response, prompt tokens/s = Σ prompt_n ÷ Σ prompt_ms and generation
  tokens/s = Σ predicted_n ÷ Σ predicted_ms (per sequence; under N slots each sequence
  is slower, the sum faster: ``aggregate`` = generated tokens ÷ wall time);
* **records differing from N=1**: articles whose events (their JSON) differ from the
  N=1 run's (temperature 0: any difference comes from llama.cpp's batched arithmetic).

Per article, ``floor`` = its prompt tokens read (not cached) ÷ the N=1 prompt speed +
its generated tokens ÷ the N=1 generation speed: the time one sequence on this machine
needs at the least. ``floor articles/hour`` is 3600 × articles ÷ Σ floor.

Two lines a script can read::

    embedded_throughput: ratio=<articles/h at best N ÷ articles/h at N=1> target=1.3 ok|short
    embedded_articles_per_hour: value=<articles/h at best N> target=240 ok|short

(``ratio=n/a`` / ``value=n/a`` and ``skipped`` when no model or server is installed.)
Settings come from the environment (``SUMMARIZER_PROMPT_VERSION`` for the pipeline,
``SUMMARIZER_SERVER_CONTEXT``, ``SUMMARIZER_SERVER_THREADS``...), except that the
endpoint is always the embedded server started here at each N. Takes minutes per N on
two cores (the server is started anew for each N; nothing else should run meanwhile).

Run it alone: ``python bench/run.py --only embedded_throughput [--n 1,2,4] [--quick]
[--out DIR]``, or ``python bench/embedded_throughput.py`` with the same options.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: import the package ``bench`` from the root
    _ROOT = Path(__file__).resolve().parent.parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _ROOT / "bench"]
    sys.path.insert(0, str(_ROOT))

import httpx2

from bench.common import ROOT, Options, Result, Status, scrubbed_environment, skipped
from summarizer.api import aextract_chunks, prepare_chunks
from summarizer.errors import EmbeddedModelError
from summarizer.llm.client import LLM, Endpoint
from summarizer.llm.embedded import ALIAS, EmbeddedServer, model_file, server_binary
from summarizer.settings import Settings
from summarizer.text.sources import load_source

__all__ = [
    "NAME",
    "RATE_NAME",
    "ArticleRun",
    "SlotRun",
    "Timing",
    "article_paths",
    "measure",
    "report",
    "run",
    "slot_counts",
    "warm_up_path",
]

NAME = "embedded_throughput"
RATE_NAME = "embedded_articles_per_hour"
RATIO_TARGET = 1.3
RATE_TARGET = 240.0
FULL_N = (1, 2, 4, 8)
QUICK_N = (1, 2)
QUICK_ARTICLES = 3


# --------------------------------------------------------------------------- what is measured


@dataclass(frozen=True)
class Timing:
    """llama.cpp's ``timings`` of one response."""

    prompt_n: int
    prompt_ms: float
    predicted_n: int
    predicted_ms: float


@dataclass(frozen=True)
class ArticleRun:
    """One article at one N.

    Attributes:
        id: the article file's stem.
        seconds: from its start to its record (waits for a slot included).
        requests: responses received for it.
        prompt_tokens, cached_prompt_tokens, completion_tokens: summed ``usage``.
        events: its record's events as JSON (None when it failed).
        outcome: ``ok`` or the error, one line.
    """

    id: str
    seconds: float
    requests: int
    prompt_tokens: int
    cached_prompt_tokens: int
    completion_tokens: int
    events: str | None
    outcome: str = "ok"


@dataclass(frozen=True)
class SlotRun:
    """The articles at one N: wall time, each article, every response's timings."""

    n: int
    wall_seconds: float
    articles: list[ArticleRun]
    timings: list[Timing]
    missing_timings: int = 0
    startup_seconds: float = 0.0

    @property
    def succeeded(self) -> int:
        """Articles with a record."""
        return sum(1 for a in self.articles if a.events is not None)

    @property
    def articles_per_hour(self) -> float:
        """Records made an hour at this rate."""
        return 3600.0 * self.succeeded / self.wall_seconds if self.wall_seconds > 0 else 0.0

    def speeds(self) -> tuple[float | None, float | None]:
        """The server's (prompt, generation) tokens a second per sequence, or None."""
        prompt_ms = sum(t.prompt_ms for t in self.timings)
        predicted_ms = sum(t.predicted_ms for t in self.timings)
        prompt = sum(t.prompt_n for t in self.timings) / prompt_ms * 1000 if prompt_ms else None
        generated = (
            sum(t.predicted_n for t in self.timings) / predicted_ms * 1000 if predicted_ms else None
        )
        return prompt, generated


def _dev_articles() -> list[Path]:
    folder = ROOT / "tests" / "fixtures" / "dev" / "articles"
    return sorted(p for p in folder.iterdir() if p.is_file())


def article_paths(quick: bool = False) -> list[Path]:
    """The benchmark's articles: the 5 fixtures, then the first 5 of the development set
    (the first 3 of those 10 with ``quick``)."""
    paths = sorted((ROOT / "tests" / "fixtures" / "articles").glob("*.txt"))
    paths += _dev_articles()[:5]
    return paths[:QUICK_ARTICLES] if quick else paths


def warm_up_path() -> Path:
    """The untimed warm-up article: the development set's sixth, none of the ten."""
    return _dev_articles()[5]


def slot_counts(options: Options) -> list[int]:
    """The N to measure: ``--n``, else 1, 2, 4, 8 (1, 2 with ``--quick``); N=1 always
    first, as the baseline of the ratio and of the record comparison."""
    chosen = list(options.slots) or list(QUICK_N if options.quick else FULL_N)
    return sorted({1, *chosen})


# --------------------------------------------------------------------------- measuring


_ARTICLE: ContextVar[str | None] = ContextVar("bench_article", default=None)


@dataclass
class _Collector:
    """Reads ``usage`` and ``timings`` from every raw response, per article (the article
    being the context of the request: each article runs as its own task)."""

    timings: list[Timing] = field(default_factory=list)
    missing: int = 0
    usage: dict[str, list[int]] = field(default_factory=dict)  # id -> [requests, p, c, cached]

    async def on_response(self, response: httpx2.Response) -> None:
        await response.aread()
        try:
            body: Any = response.json()
        except ValueError:
            return
        if not isinstance(body, dict):
            return
        timings = body.get("timings")
        if isinstance(timings, dict) and "predicted_ms" in timings:
            self.timings.append(
                Timing(
                    int(timings.get("prompt_n") or 0),
                    float(timings.get("prompt_ms") or 0.0),
                    int(timings.get("predicted_n") or 0),
                    float(timings.get("predicted_ms") or 0.0),
                )
            )
        elif "choices" in body:
            self.missing += 1
        usage = body.get("usage") or {}
        details = usage.get("prompt_tokens_details") or {}
        tally = self.usage.setdefault(_ARTICLE.get() or "?", [0, 0, 0, 0])
        tally[0] += 1
        tally[1] += int(usage.get("prompt_tokens") or 0)
        tally[2] += int(usage.get("completion_tokens") or 0)
        tally[3] += int(details.get("cached_tokens") or 0)


def _events_json(report: Any) -> str:
    return json.dumps([e.model_dump(mode="json") for e in report.events], sort_keys=True)


async def _measure(
    settings: Settings, endpoint: Endpoint, paths: Sequence[Path], n: int
) -> SlotRun:
    collector = _Collector()
    llm = LLM(settings, endpoint, event_hooks={"response": [collector.on_response]})
    seconds: dict[str, float] = {}
    outcomes: dict[str, tuple[str | None, str]] = {}

    async def one(path: Path) -> None:
        _ARTICLE.set(path.stem)
        started = time.perf_counter()
        try:
            document = load_source(path, settings=settings)
            chunks = prepare_chunks(document, published=None, outlet=None, settings=settings)
            record = await aextract_chunks(chunks, llm=llm)
            outcomes[path.stem] = (_events_json(record), "ok")
        except Exception as error:  # one article's failure is a row, not the end of the run
            outcomes[path.stem] = (None, f"{type(error).__name__}: {str(error)[:100]}")
        seconds[path.stem] = time.perf_counter() - started
        print(f"   N={n} {path.stem}: {seconds[path.stem]:.1f} s, {outcomes[path.stem][1]}",
              flush=True)  # fmt: skip

    started = time.perf_counter()
    try:
        await asyncio.gather(*(one(path) for path in paths))
    finally:
        await llm.aclose()
    wall = time.perf_counter() - started
    articles = []
    for path in paths:
        requests, prompt, completion, cached = collector.usage.get(path.stem, [0, 0, 0, 0])
        events, outcome = outcomes[path.stem]
        articles.append(
            ArticleRun(
                id=path.stem,
                seconds=round(seconds[path.stem], 3),
                requests=requests,
                prompt_tokens=prompt,
                cached_prompt_tokens=cached,
                completion_tokens=completion,
                events=events,
                outcome=outcome,
            )
        )
    return SlotRun(n, wall, articles, collector.timings, collector.missing)


Serve = Callable[[int], contextlib.AbstractContextManager[tuple[Endpoint, str]]]


def measure(
    settings: Settings,
    serve: Serve,
    paths: Sequence[Path],
    counts: Sequence[int],
    *,
    warm_up: Path | None = None,
) -> list[SlotRun]:
    """Run ``paths`` at each N of ``counts`` on the server ``serve(N)`` yields (an
    endpoint with N slots and its description). ``warm_up``: an article outside
    ``paths`` run once, untimed, before the first N, so that the one-time loading of
    our own code (gazetteers, schemas, HTTP clients) is not charged to N=1."""
    runs = []
    for n in counts:
        began = time.perf_counter()
        with serve(n) as (endpoint, description):
            startup = time.perf_counter() - began
            print(f"   N={n}: {description} (started in {startup:.1f} s)", flush=True)
            if warm_up is not None and not runs:
                print(f"   warm-up on {warm_up.stem} (not timed)", flush=True)
                asyncio.run(_measure(settings, endpoint, [warm_up], n))
            measured = asyncio.run(_measure(settings, endpoint, paths, n))
        measured = dataclasses.replace(measured, startup_seconds=round(startup, 2))
        runs.append(measured)
        print(f"   N={n}: {measured.articles_per_hour:.1f} articles/h", flush=True)
    return runs


@contextlib.contextmanager
def _embedded(settings: Settings, n: int) -> Iterator[tuple[Endpoint, str]]:
    with EmbeddedServer(settings, parallel=n) as server:
        command = server.command()
        flags = " ".join(command[command.index("-c") :])
        endpoint = Endpoint(server.base_url, ALIAS, "no-key", embedded=True, slots=server.slots)
        yield endpoint, f"embedded llama-server ({model_file(settings).name}; `{flags}`)"


def _settings() -> Settings:
    """The environment's settings with the endpoint forced to the embedded server."""
    with scrubbed_environment(keep=_KEPT):
        return Settings(base_url=None, api_key=None)


_KEPT = (
    "SUMMARIZER_PROMPT_VERSION", "SUMMARIZER_SERVER_CONTEXT", "SUMMARIZER_SERVER_THREADS",
    "SUMMARIZER_SERVER_BINARY", "SUMMARIZER_MODEL_PATH", "SUMMARIZER_CACHE_DIR",
    "SUMMARIZER_MAX_TOKENS", "SUMMARIZER_MAX_REASKS", "SUMMARIZER_REQUEST_TIMEOUT",
    "SUMMARIZER_SERVER_STARTUP_TIMEOUT",
)  # fmt: skip


# --------------------------------------------------------------------------- the report


def _fmt(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _floor(article: ArticleRun, prompt_tps: float | None, gen_tps: float | None) -> float | None:
    if not prompt_tps or not gen_tps:
        return None
    read = article.prompt_tokens - article.cached_prompt_tokens
    return read / prompt_tps + article.completion_tokens / gen_tps


def _differing(run: SlotRun, baseline: SlotRun) -> tuple[int, int]:
    """(articles whose events differ from the baseline's, articles compared)."""
    base = {a.id: a.events for a in baseline.articles}
    compared = [a for a in run.articles if a.events is not None and base.get(a.id) is not None]
    return sum(1 for a in compared if a.events != base[a.id]), len(compared)


def _skipped_pair(reason: str) -> Result:
    result = skipped(NAME, f"{RATIO_TARGET:g}", reason)
    result.extra_lines.append(f"{RATE_NAME}: value=n/a target={RATE_TARGET:g} skipped")
    return result


def report(runs: list[SlotRun], *, endpoint: str = "", prompt_version: str = "") -> Result:
    """The result of measured runs (N=1 among them): ratio, rate, tables, two lines."""
    by_n = {r.n: r for r in runs}
    base = by_n.get(1)
    if base is None or base.articles_per_hour <= 0:
        return _skipped_pair("no record was made at N=1: nothing to compare with")
    best = max(runs, key=lambda r: (r.articles_per_hour, -r.n))
    ratio = best.articles_per_hour / base.articles_per_hour
    rate = best.articles_per_hour
    prompt_tps, gen_tps = base.speeds()
    floors = [_floor(a, prompt_tps, gen_tps) for a in base.articles]
    known = [f for f in floors if f is not None]
    floor_rate = 3600.0 * len(known) / sum(known) if known and sum(known) > 0 else None
    rows = [
        "| N | articles ok | wall s | articles/h | × N=1 | requests | prompt tokens/article "
        "(cached) | generated tokens/article | server prompt tok/s | server generation tok/s "
        "| aggregate generation tok/s | records differing from N=1 | start-up s |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
        "| ---: |",
    ]
    figures: dict[str, Any] = {"endpoint": endpoint, "prompt_version": prompt_version}
    for r in runs:
        count = max(len(r.articles), 1)
        p, g = r.speeds()
        differ, compared = _differing(r, base)
        generated = sum(a.completion_tokens for a in r.articles)
        prompt = sum(a.prompt_tokens for a in r.articles) / count
        cached = sum(a.cached_prompt_tokens for a in r.articles) / count
        rows.append(
            f"| {r.n} | {r.succeeded}/{len(r.articles)} | {r.wall_seconds:.1f} "
            f"| {r.articles_per_hour:.1f} | {r.articles_per_hour / base.articles_per_hour:.2f} "
            f"| {sum(a.requests for a in r.articles)} | {prompt:.0f} ({cached:.0f}) "
            f"| {generated / count:.0f} | {_fmt(p)} | {_fmt(g)} "
            f"| {generated / r.wall_seconds if r.wall_seconds else 0:.1f} "
            f"| {differ} of {compared} | {r.startup_seconds:.1f} |"
        )
        figures[f"n{r.n}"] = {
            "articles_per_hour": round(r.articles_per_hour, 2),
            "wall_seconds": round(r.wall_seconds, 2),
            "succeeded": r.succeeded,
            "articles": len(r.articles),
            "prompt_tokens_per_article": round(prompt, 1),
            "cached_prompt_tokens_per_article": round(cached, 1),
            "generated_tokens_per_article": round(generated / count, 1),
            "server_prompt_tokens_per_second": None if p is None else round(p, 2),
            "server_generation_tokens_per_second": None if g is None else round(g, 2),
            "responses_without_timings": r.missing_timings,
            "records_differing_from_n1": differ,
            "records_compared_with_n1": compared,
        }
    # the best N's times beside N=1's; when N=1 is best, the next N's
    other = best if best is not base else next((r for r in runs if r is not base), base)
    best_seconds = {a.id: a.seconds for a in other.articles}
    article_rows = [
        f"| article | prompt tokens | cached | generated | floor s | s at N=1 | s at N={other.n} "
        "| outcome at N=1 |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for a, floor in zip(base.articles, floors, strict=True):
        article_rows.append(
            f"| {a.id} | {a.prompt_tokens} | {a.cached_prompt_tokens} | {a.completion_tokens} "
            f"| {_fmt(floor)} | {a.seconds:.1f} | {best_seconds.get(a.id, 0.0):.1f} "
            f"| {a.outcome} |"
        )
    figures |= {
        "best_n": best.n,
        "ratio_best_to_n1": round(ratio, 3),
        "articles_per_hour_best": round(rate, 2),
        "floor_articles_per_hour": None if floor_rate is None else round(floor_rate, 1),
        "floor_seconds_median": round(statistics.median(known), 2) if known else None,
    }
    status: Status = "ok" if ratio >= RATIO_TARGET else "short"
    result = Result(
        NAME,
        ratio,
        f"{RATIO_TARGET:g}",
        status,
        f"best N={best.n}: {rate:.1f} articles/h, ×{ratio:.2f} N=1 ({base.articles_per_hour:.1f}"
        f"/h); single-sequence floor {_fmt(floor_rate)} articles/h at the N=1 speeds "
        f"(prompt {_fmt(prompt_tps)} tok/s, generation {_fmt(gen_tps)} tok/s)",
        figures=figures,
        tables={"per N": rows, "per article (tokens and floor at N=1)": article_rows},
        notes=[
            f"endpoint: {endpoint or 'n/a'}; prompt version {prompt_version or 'n/a'}; the "
            "server is started anew at each N (start-up not in the wall time)",
            "articles/h = articles with a record ÷ wall time, all articles submitted at once; "
            "the client's slot gate keeps at most N requests in flight",
            "server speeds: Σ prompt_n ÷ Σ prompt_ms and Σ predicted_n ÷ Σ predicted_ms of "
            "llama.cpp's `timings` in every response (per sequence); aggregate = generated "
            "tokens ÷ wall time",
            "floor = (prompt tokens − cached) ÷ N=1 prompt speed + generated ÷ N=1 "
            "generation speed; floor articles/h = 3600 × articles ÷ Σ floor",
            "records differing from N=1: articles whose events JSON differs from the N=1 "
            "run's, among those with a record in both (temperature "
            "0: a difference comes from llama.cpp's batched arithmetic)",
        ],
    )
    rate_status = "ok" if rate >= RATE_TARGET else "short"
    result.extra_lines.append(f"{RATE_NAME}: value={rate:.1f} target={RATE_TARGET:g} {rate_status}")
    return result


def run(options: Options) -> Result:
    """Measure on the embedded server at each N, or skip when it is not installed."""
    settings = _settings()
    if not model_file(settings).is_file():
        reason = (
            f"no model: no embedded model at {model_file(settings)} (run `summarizer "
            "setup-local`); this benchmark starts the embedded server itself"
        )
        print(f"{NAME}: skipped: {reason}", flush=True)
        return _skipped_pair(reason)
    try:
        server_binary(settings)
    except EmbeddedModelError as error:
        print(f"{NAME}: skipped: no model server: {error}", flush=True)
        return _skipped_pair(f"no model server: {error}")
    counts = slot_counts(options)
    paths = article_paths(options.quick)
    print(f"   {len(paths)} articles at N = {', '.join(map(str, counts))}", flush=True)
    descriptions: list[str] = []

    @contextlib.contextmanager
    def serve(n: int) -> Iterator[tuple[Endpoint, str]]:
        with _embedded(settings, n) as (endpoint, description):
            descriptions.append(description)
            yield endpoint, description

    runs = measure(settings, serve, paths, counts, warm_up=warm_up_path())
    return report(runs, endpoint=descriptions[0], prompt_version=settings.prompt_version)


if __name__ == "__main__":
    from bench.run import main

    sys.exit(main(["--only", NAME, *sys.argv[1:]]))
