"""Smoke test of the benchmarks: ``bench/run.py`` runs and prints its readable line.

No timing is asserted: benchmarks report, they never gate on wall-clock time.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.one_shot_prompt  # counts one request per article (see conftest)

LINE = re.compile(r"^(\w+): ratio=(\S+) target=(\S+) (ok|short|skipped)$")


@pytest.mark.slow
def test_quick_client_overhead_prints_a_readable_line() -> None:
    done = subprocess.run(
        [sys.executable, "bench/run.py", "--quick", "--only", "client_overhead"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if LINE.match(line)]
    assert len(lines) == 1, done.stdout
    match = LINE.match(lines[0])
    assert match is not None
    name, ratio, target, status = match.groups()
    assert name == "client_overhead"
    assert status in ("ok", "short")
    assert float(ratio) > 0
    assert target.startswith("<")
    assert "results files not written" in done.stdout  # a quick run leaves results alone


def test_the_bare_client_baseline_sends_what_summarizer_sends() -> None:
    """batch_throughput's bare httpx2 row claims to post the same requests as the
    client; compare them with the bodies summarizer sent to a FAKE."""
    import json

    from bench.batch_throughput import _bodies
    from bench.common import isolated_settings, synthetic_inputs
    from summarizer.batch.runner import summarize_many

    from .fakes.fake_openai import FakeOpenAI, Faults

    inputs = synthetic_inputs(3)
    with FakeOpenAI(Faults(), keep_bodies=True) as fake:
        settings = isolated_settings(base_url=fake.base_url, model=fake.model, prompt_version="v1")
        assert all(
            r.ok for r in summarize_many(inputs, settings=settings, cache=False, concurrency=1)
        )
        sent = fake.stats.bodies
    assert [json.loads(body) for body in _bodies(inputs, settings)] == sent
