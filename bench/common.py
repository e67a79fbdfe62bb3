"""Shared pieces of the benchmarks: the result type, machine facts, timing helpers,
the fixture articles with their recorded cassettes, synthetic batch inputs, settings
that ignore the caller's environment, and the FAKE OpenAI server in a child process.

Nothing here gates on wall-clock time: benchmarks *report*, with every figure a ratio
against a baseline measured in the same run, next to the absolute numbers.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Literal

from summarizer.batch.runner import BatchInput
from summarizer.evaluation.cassettes import deserialize
from summarizer.llm.embedded import _cpu_flags  # private on purpose: the one reader of the flags
from summarizer.settings import Settings

__all__ = [
    "ARTICLES",
    "CASSETTES",
    "FAKE_LATENCY",
    "ROOT",
    "FakeProcess",
    "Fixture",
    "Options",
    "Result",
    "Status",
    "current_load",
    "isolated_settings",
    "load_fixtures",
    "machine_info",
    "median",
    "scrubbed_environment",
    "skipped",
    "synthetic_inputs",
]

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "tests" / "fixtures" / "articles"
CASSETTES = ROOT / "cassettes" / "summarize_fixtures"
#: Latency of every FAKE chat completion in the throughput and cache benchmarks.
FAKE_LATENCY = 0.3

#: A benchmark's verdict: target met, not met, or not run here.
Status = Literal["ok", "short", "skipped"]


@dataclass(frozen=True)
class Options:
    """Command-line options every benchmark sees.

    Attributes:
        quick: shrink every benchmark (smoke runs, CI); figures are noisier.
        articles: fixture articles for ``embedded_overhead`` (each takes minutes).
        slots: the parallel slots N for ``embedded_throughput`` (empty: its default).
    """

    quick: bool = False
    articles: int = 2
    slots: tuple[int, ...] = ()


@dataclass
class Result:
    """One benchmark's outcome.

    Attributes:
        name: the benchmark's name (what ``--only`` takes).
        ratio: the headline figure over its same-run baseline (None when skipped).
        target: the target, as compact text without spaces (``<=0.6``, ``<2ms/article``).
        status: ``ok`` (target met), ``short`` (not met) or ``skipped``.
        summary: one human sentence with the headline absolute numbers.
        figures: named absolute numbers (units in the names), for results.json.
        tables: Markdown tables (title -> lines) for results.md.
        notes: caveats and definitions worth reading next to the numbers.
    """

    name: str
    ratio: float | None
    target: str
    status: Status
    summary: str
    figures: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    extra_lines: list[str] = field(default_factory=list)

    def line(self) -> str:
        """The machine-readable last line: ``name: ratio=… target=… ok|short|skipped``."""
        ratio = "n/a" if self.ratio is None else f"{self.ratio:.3g}"
        return f"{self.name}: ratio={ratio} target={self.target} {self.status}"

    def lines(self) -> list[str]:
        """:meth:`line`, then any further machine-readable lines of this benchmark
        (``name: value=… target=… ok|short|skipped``)."""
        return [self.line(), *self.extra_lines]

    def to_json(self) -> dict[str, Any]:
        """The result as plain JSON data."""
        return {
            "ratio": self.ratio,
            "target": self.target,
            "status": self.status,
            "summary": self.summary,
            "figures": self.figures,
            "notes": self.notes,
            "lines": self.lines(),
        }


def skipped(name: str, target: str, reason: str) -> Result:
    """A result for a benchmark that could not run here."""
    return Result(name, None, target, "skipped", f"skipped: {reason}", notes=[reason])


def median(values: list[float]) -> float:
    """The median (0.0 for no values)."""
    return statistics.median(values) if values else 0.0


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine() or "unknown"


# The instruction-set features that change llama.cpp's and the regex engine's speed here.
_FEATURES = ("avx2", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8")


def _cpu_features() -> list[str]:
    """Which of :data:`_FEATURES` the CPU reports (its ``flags``)."""
    flags = _cpu_flags()
    return [feature for feature in _FEATURES if feature in flags]


def _load() -> list[float] | None:
    with contextlib.suppress(OSError):
        return [round(x, 2) for x in os.getloadavg()]
    return None


def _commit() -> str | None:
    """HEAD's commit (read-only ``git rev-parse``); None outside a checkout."""
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        done = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
        if done.returncode == 0:
            return done.stdout.strip()
    return None


def _version() -> str:
    try:
        return version("summarizer")
    except PackageNotFoundError:
        return "unknown"


def machine_info() -> dict[str, Any]:
    """The machine the figures were taken on: CPU model, cores, Python, date, load."""
    try:
        usable = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        usable = os.cpu_count() or 0
    return {
        "cpu_model": _cpu_model(),
        "cpu_features": _cpu_features(),
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(terse=True),
        "date": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "load_average_at_start": _load(),
        "summarizer_version": _version(),
        "git_commit": _commit(),
    }


def current_load() -> list[float] | None:
    """The 1, 5 and 15 minute load averages now."""
    return _load()


# --------------------------------------------------------------------------- settings


@contextlib.contextmanager
def scrubbed_environment(keep: tuple[str, ...] = ()) -> Iterator[None]:
    """Hide the caller's ``SUMMARIZER_*``/``OPENAI_*`` variables (except ``keep``), so an
    offline benchmark measures the defaults, not whatever the shell had configured."""
    saved = {
        name: value
        for name, value in os.environ.items()
        if name.startswith(("SUMMARIZER_", "OPENAI_")) and name not in keep
    }
    for name in saved:
        del os.environ[name]
    try:
        yield
    finally:
        os.environ.update(saved)


def isolated_settings(**values: Any) -> Settings:
    """Settings with the given values and defaults for the rest, whatever the environment."""
    with scrubbed_environment():
        return Settings(**values)


# --------------------------------------------------------------------------- fixtures


@dataclass(frozen=True)
class Fixture:
    """A fixture article and what its cassette recorded from the embedded model.

    Attributes:
        id: the article's file stem.
        path: the article file (raw page text, boilerplate included).
        text: its content.
        completions: the model's answer of each recorded attempt, in order.
        usages: the server's ``usage`` of each attempt.
        timings: llama.cpp's ``timings`` of each attempt (empty dicts if absent).
        requests: each attempt's request body.
    """

    id: str
    path: Path
    text: str
    completions: list[str]
    usages: list[dict[str, Any]]
    timings: list[dict[str, Any]]
    requests: list[dict[str, Any]]

    @property
    def attempts(self) -> int:
        """Recorded completions: the first try plus re-asks."""
        return len(self.completions)


def load_fixtures() -> list[Fixture]:
    """The fixture articles that have a recorded cassette, in name order."""
    fixtures = []
    for path in sorted(ARTICLES.glob("*.txt")):
        cassette = CASSETTES / f"test_fixture_article[{path.stem}].yaml"
        if not cassette.is_file():
            continue
        data = deserialize(cassette.read_text("utf-8"))
        completions, usages, timings, requests = [], [], [], []
        for interaction in data["interactions"]:
            body = json.loads(interaction["response"]["body"]["string"])
            completions.append(str(body["choices"][0]["message"]["content"]))
            usages.append(dict(body.get("usage") or {}))
            timings.append(dict(body.get("timings") or {}))
            requests.append(json.loads(interaction["request"]["body"]))
        fixtures.append(
            Fixture(
                path.stem, path, path.read_text("utf-8"), completions, usages, timings, requests
            )
        )
    return fixtures


def completion_body(
    content: str, usage: dict[str, Any] | None = None, *, id: str = "bench"
) -> dict[str, Any]:
    """An OpenAI chat completion whose answer is ``content`` (a recorded completion),
    for the in-memory endpoints that replay recordings without a socket."""
    return {
        "id": id,
        "object": "chat.completion",
        "created": 0,
        "model": "local",
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": content},
            }
        ],
        "usage": usage or {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }


def synthetic_inputs(count: int, *, prefix: str = "synth") -> list[BatchInput]:
    """``count`` distinct articles made from the fixtures: each is a fixture's text with
    a unique first line, so no two share a cache key or an input hash."""
    texts = [path.read_text("utf-8") for path in sorted(ARTICLES.glob("*.txt"))]
    return [
        BatchInput(
            id=f"{prefix}-{index:05d}",
            text=f"Bulletin {index} of the monitoring digest.\n{texts[index % len(texts)]}",
        )
        for index in range(count)
    ]


# --------------------------------------------------------------------------- the FAKE


_URL = re.compile(r"SUMMARIZER_BASE_URL=(\S+) SUMMARIZER_MODEL=(\S+)")


class FakeProcess:
    """The FAKE OpenAI server (``tests/fakes/fake_openai.py``) in a child process, so its
    CPU does not compete with the client for one interpreter's GIL (a real endpoint
    would not either). Its request counters arrive when it stops (:attr:`stats`)."""

    def __init__(self, latency: float) -> None:
        self.latency = latency
        self.base_url = ""
        self.model = ""
        self.stats: dict[str, Any] = {}
        self._process: subprocess.Popen[str] | None = None

    def __enter__(self) -> FakeProcess:
        command = [sys.executable, "-u", "-m", "tests.fakes.fake_openai"]
        command += ["--latency", f"{self.latency}"]
        self._process = subprocess.Popen(
            command,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self._process.stdout is not None
        first = self._process.stdout.readline()
        match = _URL.search(first)
        if match is None:
            self._stop()
            raise RuntimeError(f"the FAKE server did not start: {first!r}")
        self.base_url, self.model = match.group(1), match.group(2)
        return self

    def _stop(self) -> str:
        process, self._process = self._process, None
        if process is None:
            return ""
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # it prints its counters and exits
        try:
            output, _ = process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        return output or ""

    def __exit__(self, *exc: object) -> None:
        for line in reversed(self._stop().splitlines()):
            with contextlib.suppress(ValueError):
                data = json.loads(line)
                if isinstance(data, dict):
                    self.stats = data
                    break
