"""Issue 16, data integrity (items 5, 7, 8, 9, 10) against the FAKE LLM server
(tests/fakes/fake_openai.py is a FAKE, not a model): one writer per output, a poison
input is one failure, cache errors are warnings, one-line errors with distinct exit codes
before the model is paid, FIFOs refused and upper-case URL schemes read as URLs."""

from __future__ import annotations

import asyncio
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from summarizer.api import summarize
from summarizer.batch.cache import ResultCache
from summarizer.batch.runner import BatchInput, asummarize_many, read_inputs, read_jsonl
from summarizer.cli import app
from summarizer.cli._batch_io import output_lock
from summarizer.errors import BusyError, InputError, OutputError
from summarizer.settings import Settings
from summarizer.text.limits import OUTLET_MAX, TITLE_MAX, URL_MAX
from summarizer.text.sources import load_source

from .fakes.fake_openai import FakeOpenAI, Faults
from .fakes.fake_web import FakeWeb

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
        "SUMMARIZER_PROMPT_VERSION": "v1",
        "SUMMARIZER_CACHE_DIR": str(tmp_path / "cache"),
        "SUMMARIZER_TRANSPORT_RETRIES": "1",
        "SUMMARIZER_TRANSPORT_MAX_SECONDS": "2",
        "SUMMARIZER_REQUEST_TIMEOUT": "2",
        "SUMMARIZER_API_KEY": None,
        "OPENAI_API_KEY": None,
        "OPENAI_BASE_URL": None,
    }


def settings_for(fake: FakeOpenAI, tmp_path: Path) -> Settings:
    return Settings(
        base_url=fake.base_url,
        model=fake.model,
        prompt_version="v1",
        cache_dir=tmp_path / "cache",
        transport_retries=1,
        transport_max_seconds=2,
    )


def run(env: dict[str, str | None], *args: str) -> Any:
    return runner.invoke(app, list(args), env=env)


def one_line_error(result: Any, code: int, *needles: str) -> None:
    assert result.exit_code == code, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    message = result.stderr.strip()
    assert message.startswith("error:") and message.count("\n") == 0, message
    for needle in needles:
        assert needle in message, message


def jsonl_input(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "in.jsonl"
    path.write_text("".join(line + "\n" for line in lines), "utf-8")
    return path


# --------------------------------------------------------------------------- 5. one writer


def test_a_second_writer_of_the_same_output_is_refused_with_exit_8(
    fake: FakeOpenAI, tmp_path: Path
) -> None:
    env = environment(fake, tmp_path)
    source = jsonl_input(tmp_path, [json.dumps({"id": "a", "text": article(1)})])
    out = tmp_path / "out.jsonl"
    with output_lock(out):  # what a running `summarizer batch --out out.jsonl` holds
        result = run(env, "batch", str(source), "--out", str(out), "-q")
        with pytest.raises(BusyError), output_lock(out):
            pass
    one_line_error(result, 8, "another summarizer batch", str(out))
    assert not out.exists() and fake.stats.requests == 0
    assert BusyError.exit_code == 8
    after = run(env, "batch", str(source), "--out", str(out), "-q")
    assert after.exit_code == 0, after.output  # the lock goes with the process holding it


@pytest.mark.parametrize("resume", [False, True])
def test_out_equal_to_the_input_is_refused_before_anything_is_written(
    fake: FakeOpenAI, tmp_path: Path, resume: bool
) -> None:
    env = environment(fake, tmp_path)
    source = jsonl_input(
        tmp_path, [json.dumps({"id": f"a{n}", "text": article(n)}) for n in range(3)]
    )
    before = source.read_bytes()
    alias = tmp_path / "alias.jsonl"
    alias.symlink_to(source)
    for out in (source, alias):
        extra = ["--resume"] if resume else []
        result = run(env, "batch", str(source), "--out", str(out), *extra)
        one_line_error(result, 3, "is the input")
        assert source.read_bytes() == before, "the input was rewritten"
    same = run(env, "batch", str(source), "--out", str(tmp_path / "o.jsonl"),
               "--failures", str(tmp_path / "o.jsonl"))  # fmt: skip
    one_line_error(same, 3, "same file")
    assert fake.stats.requests == 0


# --------------------------------------------------------------------------- 7. poison input


def test_a_lone_surrogate_id_is_one_failure_line_not_a_stopped_batch(
    fake: FakeOpenAI, tmp_path: Path
) -> None:
    env = environment(fake, tmp_path)
    lines = [
        json.dumps({"id": "good1", "text": article(1)}),
        '{"id": "bad\\ud800", "text": "' + article(2).replace("\n", " ") + '"}',
        json.dumps({"id": "good2", "text": article(3)}),
    ]
    source = jsonl_input(tmp_path, lines)
    out = tmp_path / "out.jsonl"
    first = run(env, "batch", str(source), "--out", str(out), "-q")
    assert first.exit_code == 1, (first.output, first.exception)
    assert isinstance(first.exception, SystemExit)
    assert sorted(line["id"] for line in read_jsonl(out)) == ["good1", "good2"]
    failures = tmp_path / "out.failures.jsonl"
    raw = failures.read_bytes()
    raw.decode("utf-8")  # the file stays valid UTF-8: the surrogate is escaped
    assert b"bad\\ud800" in raw
    (failure,) = read_jsonl(failures)
    assert failure["id"] == "bad\ud800" and failure["error"] == "InputError"
    assert "not valid Unicode" in failure["message"]

    resumed = run(env, "batch", str(source), "--out", str(out), "--resume", "-q")
    assert resumed.exit_code == 0, (resumed.output, resumed.exception)
    assert "1 failed earlier" in resumed.stderr
    retried = run(env, "batch", str(source), "--out", str(out), "--resume", "--retry-failed")
    assert retried.exit_code == 1 and len(list(read_jsonl(failures))) == 1


# --------------------------------------------------------------------------- 8. cache errors


async def _collect(items: list[BatchInput], settings: Settings, cache: ResultCache) -> list[Any]:
    return [r async for r in asummarize_many(items, settings=settings, cache=cache, retries=0)]


def test_a_failed_cache_write_is_a_warning_on_a_valid_record(
    fake: FakeOpenAI, tmp_path: Path
) -> None:
    settings = settings_for(fake, tmp_path)
    with ResultCache(tmp_path / "cache.sqlite3") as cache:
        # a real SQLite refusal of the write ("attempt to write a readonly database")
        cache._db.execute("PRAGMA query_only = ON")
        (result,) = asyncio.run(_collect([BatchInput("a", text=article(1))], settings, cache))
    assert result.ok, result.failure
    assert any("could not be stored in the result cache" in w
               for w in result.report.provenance.warnings)  # fmt: skip


def test_a_failed_cache_read_is_a_miss_and_a_warning(fake: FakeOpenAI, tmp_path: Path) -> None:
    settings = settings_for(fake, tmp_path)
    cache = ResultCache(tmp_path / "cache.sqlite3")
    cache.close()  # every read and write now fails inside SQLite
    (result,) = asyncio.run(_collect([BatchInput("a", text=article(1))], settings, cache))
    assert result.ok, result.failure
    warnings = result.report.provenance.warnings
    assert any("could not be read" in w for w in warnings), warnings
    assert fake.stats.requests == 1


class ThreadRecordingCache(ResultCache):
    """A real ResultCache that notes which thread each lookup and store ran on."""

    threads: list[int]

    def get(self, key: str) -> Any:
        self.threads.append(threading.get_ident())
        return super().get(key)

    def put(self, key: str, report: Any) -> None:
        self.threads.append(threading.get_ident())
        super().put(key, report)


def test_cache_calls_run_off_the_event_loop(fake: FakeOpenAI, tmp_path: Path) -> None:
    settings = settings_for(fake, tmp_path)
    loop_threads: list[int] = []

    async def main(cache: ResultCache) -> list[Any]:
        loop_threads.append(threading.get_ident())
        return await _collect([BatchInput("a", text=article(1))], settings, cache)

    cache = ThreadRecordingCache(tmp_path / "cache.sqlite3")
    cache.threads = []
    try:
        (result,) = asyncio.run(main(cache))
    finally:
        cache.close()
    assert result.ok and len(cache.threads) == 2  # one get, one put
    assert loop_threads[0] not in cache.threads


# --------------------------------------------------------------------------- 9. one-line errors


def test_an_overlong_page_title_is_cut_with_a_warning(fake: FakeOpenAI, tmp_path: Path) -> None:
    title = "Clashes in the north " * 30
    html = (
        f"<html><head><title>{title}</title></head><body><article><p>{article(1)}</p>"
        "<p>Residents described heavy fighting through the night, and shops stayed closed "
        "on Sunday.</p></article></body></html>"
    )
    assert len(title.strip()) > TITLE_MAX
    report = summarize(html, settings=settings_for(fake, tmp_path))
    assert report.article.title is not None and len(report.article.title) <= TITLE_MAX
    assert any("title" in w and "cut" in w for w in report.provenance.warnings)


def test_overlong_outlet_and_url_are_refused_before_the_model(
    fake: FakeOpenAI, tmp_path: Path
) -> None:
    env = environment(fake, tmp_path)
    path = tmp_path / "a.txt"
    path.write_text(article(1), "utf-8")
    outlet = run(env, "summarize", str(path), "--outlet", "x" * (OUTLET_MAX + 1))
    one_line_error(outlet, 3, "outlet", str(OUTLET_MAX))
    url = "http://127.0.0.1:9/" + "a" * URL_MAX
    long_url = run(env, "summarize", url)
    one_line_error(long_url, 3, "URL", str(URL_MAX))
    with pytest.raises(InputError):
        summarize(path.read_text(), outlet="y" * 500, settings=settings_for(fake, tmp_path))
    assert fake.stats.requests == 0


def test_save_to_a_missing_directory_is_refused_before_the_model(
    fake: FakeOpenAI, tmp_path: Path
) -> None:
    env = environment(fake, tmp_path)
    path = tmp_path / "a.txt"
    path.write_text(article(1), "utf-8")
    result = run(env, "summarize", str(path), "--save", str(tmp_path / "nowhere" / "x.json"))
    one_line_error(result, 7, "no such directory")
    assert fake.stats.requests == 0 and OutputError.exit_code == 7


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_failures_on_a_full_disk_is_an_output_error_not_exit_1(
    fake: FakeOpenAI, tmp_path: Path
) -> None:
    env = environment(fake, tmp_path)
    source = jsonl_input(tmp_path, [json.dumps({"id": "empty", "text": "   "})])
    out = tmp_path / "out.jsonl"
    result = run(env, "batch", str(source), "--out", str(out), "--failures", "/dev/full", "-q")
    one_line_error(result, 7, "/dev/full", "No space left")


# --------------------------------------------------------------------------- 10. odd inputs


def test_a_fifo_is_refused_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    outcome: list[BaseException] = []

    def load() -> None:
        try:
            load_source(fifo, settings=Settings())
        except BaseException as error:
            outcome.append(error)

    thread = threading.Thread(target=load, daemon=True)
    thread.start()
    thread.join(timeout=5)
    if thread.is_alive():  # unblock the reader so the thread ends, then fail
        with fifo.open("w"):
            pass
        pytest.fail("loading a FIFO hung")
    assert isinstance(outcome[0], InputError) and "not a regular file" in str(outcome[0])
    listing = tmp_path / "list-pipe"
    os.mkfifo(listing)
    with pytest.raises(InputError, match="not a regular file"):
        read_inputs(listing)


def test_an_upper_case_scheme_is_a_url(fake: FakeOpenAI, tmp_path: Path) -> None:
    env = environment(fake, tmp_path)
    with FakeWeb() as web:
        url = (web.base_url.rstrip("/") + "/article").replace("http://", "HTTP://")
        result = run(env, "summarize", url, "--json")
        assert result.exit_code == 0, (result.output, result.exception)
        assert json.loads(result.stdout)["article"]["url"].lower().startswith("http://")
        listing = tmp_path / "list.txt"
        listing.write_text(url + "\n", "utf-8")
        (item,) = read_inputs(listing)
        assert item.url == url and item.path is None
