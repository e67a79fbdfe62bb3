"""`summarizer batch`, `summarizer batch import` and `summarizer cache` against the FAKE.

The kill test runs the real command in a subprocess, stops it with SIGTERM and later
SIGKILL, and resumes: the union of results and failures is complete and duplicate-free
and the results file always reads. tests/fakes/fake_openai.py is a FAKE, not a model.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from summarizer.batch.runner import read_jsonl
from summarizer.cli import app
from summarizer.schema import ArticleReport

from .fakes.fake_openai import FakeOpenAI, Faults, fabricate_batch_output

pytestmark = pytest.mark.one_shot_prompt  # counts one request per article (see conftest)

runner = CliRunner()


def article(number: int) -> str:
    return (
        f"Clashes between troops and rebels near Kafr Zita on Saturday wounded people in "
        f"village {number}, a monitor said.\nResidents described heavy fighting.\n"
    )


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(Faults()) as server:
        yield server


def environment(fake: FakeOpenAI, tmp_path: Path) -> dict[str, str | None]:
    return {
        "SUMMARIZER_BASE_URL": fake.base_url,
        "SUMMARIZER_MODEL": fake.model,
        "SUMMARIZER_CACHE_DIR": str(tmp_path / "cache"),
        "SUMMARIZER_TRANSPORT_RETRIES": "3",
        "SUMMARIZER_TRANSPORT_MAX_SECONDS": "2",
        "SUMMARIZER_REQUEST_TIMEOUT": "2",
        "SUMMARIZER_API_KEY": None,
        "OPENAI_API_KEY": None,
        "OPENAI_BASE_URL": None,
    }


def articles_dir(tmp_path: Path, count: int) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    for number in range(count):
        (folder / f"a{number:02d}.txt").write_text(article(number), "utf-8")
    (folder / "empty.txt").write_text("  \n", "utf-8")
    return folder


def run(env: dict[str, str | None], *args: str) -> Any:
    return runner.invoke(app, list(args), env=env)


def ids(path: Path) -> list[str]:
    return [line["id"] for line in read_jsonl(path)]


def test_batch_resume_cache_and_failures(fake: FakeOpenAI, tmp_path: Path) -> None:
    env = environment(fake, tmp_path)
    folder = articles_dir(tmp_path, 10)
    out = tmp_path / "results.jsonl"
    failures = tmp_path / "results.failures.jsonl"

    first = run(env, "batch", str(folder), "--out", str(out), "--concurrency", "4")
    assert first.exit_code == 1, first.output  # one input failed
    assert "10 succeeded (0 from the cache), 1 failed" in first.stderr
    assert "Traceback" not in first.output
    assert sorted(ids(out)) == [f"a{n:02d}.txt" for n in range(10)]
    (failure,) = read_jsonl(failures)
    assert failure["id"] == "empty.txt" and failure["error"] == "InputError"
    assert failure["attempts"] == 0 and "empty" in failure["message"]
    for line in read_jsonl(out):
        ArticleReport.model_validate(line["report"])
        assert len(line["input_sha256"]) == 64 and line["cached"] is False
    assert fake.stats.requests == 10

    again = run(env, "batch", str(folder), "--out", str(out))
    assert again.exit_code == 2
    assert again.stderr.strip().count("\n") == 0 and "pass --resume" in again.stderr

    resumed = run(env, "batch", str(folder), "--out", str(out), "--resume")
    assert resumed.exit_code == 0, resumed.output
    assert "0 succeeded" in resumed.stderr and "10 already done" in resumed.stderr
    assert "1 failed earlier" in resumed.stderr
    assert fake.stats.requests == 10, "a finished batch run again makes no LLM call"

    retried = run(env, "batch", str(folder), "--out", str(out), "--resume", "--retry-failed")
    assert retried.exit_code == 1
    assert ids(failures) == ["empty.txt"], "retried failures are replaced, not duplicated"

    (folder / "a03.txt").write_text(article(103), "utf-8")
    changed = run(env, "batch", str(folder), "--out", str(out), "--resume")
    assert changed.exit_code == 0, changed.output
    assert fake.stats.requests == 11, "only the changed article is redone"
    assert Counter(ids(out))["a03.txt"] == 1 and len(ids(out)) == 10

    other = tmp_path / "other.jsonl"
    cached = run(env, "batch", str(folder), "--out", str(other), "-q")
    assert "10 succeeded (10 from the cache)" in cached.stderr
    assert fake.stats.requests == 11
    uncached = run(env, "batch", str(folder), "--out", str(tmp_path / "x.jsonl"), "--no-cache")
    assert uncached.exit_code == 1 and fake.stats.requests == 21

    stats = run(env, "cache", "stats")
    assert stats.exit_code == 0 and "11 entries" in stats.stdout
    cleared = run(env, "cache", "clear")
    assert "removed 11 cached records" in cleared.stdout
    assert "0 entries" in run(env, "cache", "stats").stdout


def test_batch_inputs_as_jsonl_and_list(fake: FakeOpenAI, tmp_path: Path) -> None:
    env = environment(fake, tmp_path)
    (tmp_path / "one.txt").write_text(article(1), "utf-8")
    listing = tmp_path / "list.txt"
    listing.write_text("one.txt\nmissing.txt\n", "utf-8")
    result = run(env, "batch", str(listing), "--out", str(tmp_path / "r.jsonl"), "-q")
    assert result.exit_code == 1
    assert ids(tmp_path / "r.jsonl") == ["one.txt"]
    assert ids(tmp_path / "r.failures.jsonl") == ["missing.txt"]

    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text(
        json.dumps({"id": "j1", "text": article(5), "published": "2019-08-12"}) + "\n",
        "utf-8",
    )
    failures = tmp_path / "f.jsonl"
    result = run(
        env, "batch", "--out", str(tmp_path / "j.jsonl"), str(jsonl), "--failures", str(failures)
    )
    assert result.exit_code == 0, result.output
    (line,) = read_jsonl(tmp_path / "j.jsonl")
    assert line["report"]["article"]["published"] == "2019-08-12"
    assert line["report"]["events"][0]["date"] == "2019-08-10", "Saturday before publication"
    assert failures.read_text("utf-8") == ""

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x"}\n', "utf-8")
    result = run(env, "batch", str(bad), "--out", str(tmp_path / "b.jsonl"))
    assert result.exit_code == 3 and "exactly one of text, url or path" in result.stderr
    assert "Traceback" not in result.output


def test_via_openai_batch_write_then_import(fake: FakeOpenAI, tmp_path: Path) -> None:
    env = environment(fake, tmp_path)
    folder = articles_dir(tmp_path, 3)
    requests = tmp_path / "requests.jsonl"
    result = run(env, "batch", str(folder), "--via", "openai-batch", "--out", str(requests))
    assert result.exit_code == 0, result.output
    assert "wrote 3 requests for 3 inputs" in result.stderr
    assert "not submitted" in result.stderr and "vllm.entrypoints.openai.run_batch" in result.stderr
    assert fake.stats.requests == 0
    assert ids(tmp_path / "requests.failures.jsonl") == ["empty.txt"]

    output = tmp_path / "requests.output.jsonl"
    fabricate_batch_output(requests, output, fake.base_url)
    out = tmp_path / "results.jsonl"
    imported = run(env, "batch", "import", str(output), "--out", str(out))
    assert imported.exit_code == 0, imported.output
    assert "imported 3 records" in imported.stderr
    assert sorted(ids(out)) == ["a00.txt", "a01.txt", "a02.txt"]
    twice = run(env, "batch", "import", str(output), "--out", str(out))
    assert "imported 0 records" in twice.stderr and "3 already there" in twice.stderr
    assert len(ids(out)) == 3

    stray = tmp_path / "elsewhere" / "out.jsonl"
    stray.parent.mkdir()
    stray.write_text(output.read_text("utf-8"), "utf-8")
    (stray.parent / "a.manifest.jsonl").write_text("", "utf-8")
    (stray.parent / "b.manifest.jsonl").write_text("", "utf-8")
    unknown = run(env, "batch", "import", str(stray), "--out", str(tmp_path / "z.jsonl"))
    assert unknown.exit_code == 3 and "pass --manifest" in unknown.stderr
    explicit = run(
        env,
        "batch",
        "import",
        str(stray),
        "--manifest",
        str(tmp_path / "requests.manifest.jsonl"),
        "--out",
        str(tmp_path / "z.jsonl"),
    )
    assert explicit.exit_code == 0 and len(ids(tmp_path / "z.jsonl")) == 3


def test_via_openai_batch_submits_with_a_key(fake: FakeOpenAI, tmp_path: Path) -> None:
    env = {**environment(fake, tmp_path), "SUMMARIZER_API_KEY": "sk-fake"}
    folder = articles_dir(tmp_path, 3)
    requests = tmp_path / "jobs.jsonl"
    result = run(
        env,
        "batch",
        str(folder),
        "--via",
        "openai-batch",
        "--out",
        str(requests),
        "--poll-interval",
        "0.01",
    )
    assert result.exit_code == 0, result.output
    assert "batch batch_fake1: completed" in result.stderr
    assert sorted(ids(tmp_path / "jobs.results.jsonl")) == ["a00.txt", "a01.txt", "a02.txt"]
    assert ids(tmp_path / "jobs.failures.jsonl") == ["empty.txt"]
    again = run(
        env,
        "batch",
        str(folder),
        "--via",
        "openai-batch",
        "--out",
        str(requests),
        "--batch-id",
        "batch_fake1",
        "--poll-interval",
        "0.01",
    )
    assert again.exit_code == 0 and "3 already there" in again.stderr


# --------------------------------------------------------------------------- kill & resume


def summarizer_command() -> list[str]:
    script = Path(sys.executable).with_name("summarizer")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from summarizer.cli import main; main()"]


def wait_for_lines(path: Path, count: int, process: subprocess.Popen[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if path.exists() and path.read_bytes().count(b"\n") >= count:
            return
        time.sleep(0.02)
    raise AssertionError(f"{path} never reached {count} lines (exit {process.poll()})")


def all_lines_parse(path: Path) -> list[dict[str, Any]]:
    """Every line of the file is a complete JSON object (no torn last line)."""
    data = path.read_bytes()
    assert not data or data.endswith(b"\n"), "the file ends with a complete line"
    return [json.loads(line) for line in data.decode().splitlines()]


@pytest.mark.slow
def test_kill_midway_and_resume(tmp_path: Path) -> None:
    total = 60
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text(
        "".join(json.dumps({"id": f"k{n:02d}", "text": article(n)}) + "\n" for n in range(total)),
        "utf-8",
    )
    out = tmp_path / "results.jsonl"
    failures = tmp_path / "results.failures.jsonl"
    with FakeOpenAI(Faults.spread(0.1, latency=0.08, seed=5, hang_seconds=3)) as fake:
        env = {
            **os.environ,
            **{k: v for k, v in environment(fake, tmp_path).items() if v is not None},
        }
        for name in ("SUMMARIZER_API_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL"):
            env.pop(name, None)
        command = [*summarizer_command(), "batch", str(jsonl), "--out", str(out), "-q"]
        command += ["--concurrency", "3"]

        first = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
        wait_for_lines(out, 8, first, timeout=60)
        first.send_signal(signal.SIGTERM)
        _, stderr = first.communicate(timeout=30)
        assert first.returncode == 143, stderr
        message = stderr.strip().splitlines()
        assert len(message) == 1 and "interrupted by SIGTERM" in message[0], stderr
        assert "--resume" in message[0] and "Traceback" not in stderr
        after_term = all_lines_parse(out)
        assert 8 <= len(after_term) < total

        second = subprocess.Popen(
            [*command, "--resume"], env=env, stderr=subprocess.PIPE, text=True
        )
        wait_for_lines(out, len(after_term) + 10, second, timeout=60)
        second.kill()
        second.communicate(timeout=30)
        assert second.returncode == -signal.SIGKILL
        after_kill = list(read_jsonl(out))  # readers skip a torn line, should there be one
        assert len(after_kill) >= len(after_term) + 10
        with out.open("ab") as raw:  # and a torn line left by a kill mid-write is repaired
            raw.write(b'{"id": "k59", "input_sha256": "ab", "report": {"summ')

        third = subprocess.run(
            [*command, "--resume"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert third.returncode in (0, 1), third.stderr
        results, failed = all_lines_parse(out), all_lines_parse(failures)
        union = Counter([line["id"] for line in results] + [line["id"] for line in failed])
        lost = {f"k{n:02d}" for n in range(total)} - set(union)
        duplicated = [key for key, count in union.items() if count > 1]
        print(
            f"\nkill/resume: inputs={total} succeeded={len(results)} failed={len(failed)} "
            f"lost={len(lost)} duplicated={len(duplicated)} fake_requests={fake.stats.requests}"
        )
        assert not lost and not duplicated and len(union) == total
        for line in results:
            ArticleReport.model_validate(line["report"])
        for line in failed:
            assert {"id", "error", "message", "attempts"} <= set(line)

        requests = fake.stats.requests
        fourth = subprocess.run(
            [*command, "--resume"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert fourth.returncode == 0, fourth.stderr
        assert f"{len(results)} already done" in fourth.stderr
        assert fake.stats.requests == requests, "a finished batch makes no LLM call"


def test_the_summary_line_gives_the_tokens_of_the_records_made(
    fake: FakeOpenAI, tmp_path: Path
) -> None:
    env = environment(fake, tmp_path)
    folder = articles_dir(tmp_path, 4)
    (folder / "empty.txt").unlink()
    done = run(env, "batch", str(folder), "--out", str(tmp_path / "r.jsonl"), "-q")
    assert done.exit_code == 0, done.output
    prompt, completion = fake.stats.prompt_tokens, fake.stats.completion_tokens
    assert prompt > 0 and completion > 0
    assert (
        f"; tokens: {prompt} prompt (0 cached) + {completion} generated "
        f"({prompt / 4:.0f} + {completion / 4:.0f} an article);" in done.stderr
    ), done.stderr
    records = [line["report"]["provenance"]["usage"] for line in read_jsonl(tmp_path / "r.jsonl")]
    assert sum(u["prompt_tokens"] for u in records) == prompt
    cached = run(env, "batch", str(folder), "--out", str(tmp_path / "again.jsonl"), "-q")
    assert "4 succeeded (4 from the cache)" in cached.stderr
    assert "tokens:" not in cached.stderr  # no record made in this run, no tokens spent
