"""Issue 16: two writers at once, as real processes. Two ``summarizer batch`` runs on the
same output against the FAKE LLM server (tests/fakes/fake_openai.py, not a model): one
is refused with exit 8 (BusyError) or finds the work done, and every input ends exactly
once in results or failures. Two digest posters on the same ledger against the FAKE
Slack server (tests/fakes/fake_slack.py, not Slack): every message posted exactly once.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from summarizer.batch.runner import read_jsonl
from summarizer.slack.digest import build_digest
from summarizer.slack.render import render_article_details, render_slack

from .fakes.fake_openai import FakeOpenAI, Faults
from .fakes.fake_reports import make_article, make_event
from .fakes.fake_slack import FakeSlack

ROOT = Path(__file__).resolve().parent.parent
GENERATED = dt.datetime(2019, 12, 20, 8, 0, tzinfo=dt.UTC)


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SUMMARIZER_", "OPENAI_"))}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return {**env, **extra}


def test_two_batch_processes_on_one_output_write_each_input_exactly_once(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    for number in range(20):
        (folder / f"a{number:02d}.txt").write_text(
            f"Clashes between troops and rebels near Kafr Zita on Saturday wounded people in "
            f"village {number}, a monitor said.\n",
            "utf-8",
        )
    (folder / "empty.txt").write_text(" \n", "utf-8")
    out = tmp_path / "out.jsonl"
    with FakeOpenAI(Faults(latency=0.3)) as fake:
        env = _env(
            SUMMARIZER_BASE_URL=fake.base_url,
            SUMMARIZER_MODEL=fake.model,
            SUMMARIZER_PROMPT_VERSION="v1",
            SUMMARIZER_CACHE_DIR=str(tmp_path / "cache"),
        )
        command = [sys.executable, "-m", "summarizer", "batch", str(folder), "--out", str(out),
                   "--resume", "--concurrency", "2", "-q"]  # fmt: skip
        runs = [
            subprocess.Popen(command, env=env, cwd=tmp_path, stderr=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        errors = [run.communicate(timeout=120)[1] for run in runs]
        outcomes = [(run.returncode, error) for run, error in zip(runs, errors, strict=True)]
    codes = sorted(code for code, _ in outcomes)
    assert all("Traceback" not in err for _, err in outcomes), outcomes
    assert codes in ([1, 8], [0, 1]), outcomes  # refused while the other ran, or after it
    if codes == [1, 8]:
        (busy,) = [err for code, err in outcomes if code == 8]
        assert "another summarizer batch" in busy and busy.strip().count("\n") == 0
    lines = [line["id"] for line in read_jsonl(out)]
    lines += [line["id"] for line in read_jsonl(tmp_path / "out.failures.jsonl")]
    assert Counter(lines) == Counter([f"a{n:02d}.txt" for n in range(20)] + ["empty.txt"])


POSTER = """
import datetime as dt, sys, time
from pathlib import Path
from summarizer.slack.ledger import Ledger
from summarizer.slack.poster import DigestPoster, make_client
from tests.fakes.fake_reports import make_article, make_event
from tests.test_concurrency import digest_articles, GENERATED

ledger_path, base_url, token, start = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
with Ledger(Path(ledger_path)) as ledger:
    poster = DigestPoster(make_client(token, base_url=base_url), ledger, min_interval=0.02)
    time.sleep(max(start - time.time(), 0))
    result = poster.post(digest_articles(), "#syria-watch", generated_at=GENERATED)
print(result.posted_messages)
"""


def digest_articles() -> list:  # type: ignore[type-arg]
    return [
        make_article(f"a{n}", [make_event(f"Village {n}", admin1="Idlib",
                                          date=dt.date(2019, 12, 19), total=n + 1,
                                          reported_by="SOHR")],
                     headline=f"Fighting in village {n}")
        for n in range(8)
    ]  # fmt: skip


def test_two_digest_posters_on_one_ledger_post_every_message_exactly_once(
    tmp_path: Path,
) -> None:
    ledger = tmp_path / "ledger.sqlite3"
    with FakeSlack() as fake:
        start = time.time() + 4  # both processes imported and waiting: they post together
        runs = [
            subprocess.Popen(
                [sys.executable, "-c", POSTER, str(ledger), fake.base_url, fake.token, str(start)],
                env=_env(),
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        outcomes = [run.communicate(timeout=120) for run in runs]
        assert [run.returncode for run in runs] == [0, 0], outcomes
        messages = fake.messages("C0SYRIA01")
    items = digest_articles()
    expected = len(render_slack(build_digest(items, generated_at=GENERATED))) + sum(
        len(render_article_details(a)) for a in items
    )
    keys = [json.dumps(m.metadata, sort_keys=True) for m in messages]
    assert len(keys) == len(set(keys)) == expected, Counter(keys).most_common(2)
    assert sum(m.thread_ts is None for m in messages) == 1, "one parent, not two"
    assert sum(int(out) for out, _ in outcomes) == expected
