"""The Batch API scale-out in rounds (prompt v6): write a round, a FAKE provider answers
it, ingest, and so on until every article is done.

The "provider" is the FAKE OpenAI server (tests/fakes/fake_openai.py) answering each
request's exact body, the step questions with the SCRIPTED FAKE answers of
tests/fakes/fake_steps.py; output files are fabricated from those answers in the Batch
API output format. Nothing here is a model output, and nothing talks to OpenAI.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from summarizer import summarize
from summarizer.batch.openai_batch import awrite_requests, import_output, manifest_for
from summarizer.batch.rounds import (
    Ingested,
    PreparedRounds,
    RoundFiles,
    aprepare_rounds,
    ingest,
)
from summarizer.batch.runner import BatchInput, read_jsonl
from summarizer.cli import app
from summarizer.errors import ConfigurationError, InputError
from summarizer.schema import ArticleReport
from summarizer.settings import Settings
from summarizer.text.chunking import chunk_warning

from .fakes.fake_openai import FakeOpenAI, Faults, fabricate_batch_output

CLASH = (
    "Clashes between troops and rebels near Kafr Zita on Saturday killed 4 people, "
    "a monitor said.\nResidents described heavy fighting through the night.\n"
)
PROTEST = (
    "Hundreds of protesters marched in Khartoum on Sunday against the army, witnesses "
    "said.\nThe demonstrators later went home.\n"
)
CALM = "The city council approved a new library budget on Monday after a long debate.\n"
TEXTS = {"clash": CLASH, "protest": PROTEST, "calm": CALM}


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(Faults(), batch_polls=2, keep_bodies=True) as server:
        yield server


def v6(fake: FakeOpenAI, **options: Any) -> Settings:
    return Settings(base_url=fake.base_url, model=fake.model, prompt_version="v6", **options)


def inputs() -> list[BatchInput]:
    return [BatchInput(id=key, text=text) for key, text in TEXTS.items()]


def prepare(path: Path, settings: Settings) -> PreparedRounds:
    return asyncio.run(aprepare_rounds(inputs(), path, settings=settings, concurrency=2))


def provide(round_path: Path, fake: FakeOpenAI) -> Path:
    """The FAKE provider: the round's output file, answers to its exact request bodies."""
    output = round_path.with_name(round_path.name.removesuffix(".jsonl") + ".output.jsonl")
    fabricate_batch_output(round_path, output, fake.base_url)
    return output


def custom_ids(path: Path) -> list[str]:
    return [str(line["custom_id"]) for line in read_jsonl(path)]


def records(path: Path) -> dict[str, ArticleReport]:
    return {
        str(line["id"]): ArticleReport.model_validate(line["report"]) for line in read_jsonl(path)
    }


def comparable(report: ArticleReport) -> dict[str, Any]:
    """The record without what differs between two runs of the same answers: when it
    was made and how long the answers took (a batch answer has no latency)."""
    data = report.model_dump(mode="json")
    del data["provenance"]["created_at"], data["provenance"]["latency_seconds"]
    return data


def run_all(
    first: Path, fake: FakeOpenAI, manifest: Path, results: Path, failures: Path
) -> list[list[str]]:
    """Provide and ingest round after round; the custom_ids of each round."""
    rounds: list[list[str]] = []
    path: Path | None = first
    while path is not None:
        rounds.append(custom_ids(path))
        path = ingest([provide(path, fake)], manifest, results, failures).round_path
        assert len(rounds) < 6, "the rounds never end"
    return rounds


def test_two_rounds_give_the_records_the_live_driver_gives(
    fake: FakeOpenAI, tmp_path: Path
) -> None:
    settings = v6(fake)
    prepared = prepare(tmp_path / "jobs.jsonl", settings)
    files = prepared.files
    assert prepared.round_path == tmp_path / "jobs.round1.jsonl"
    assert files.manifest == tmp_path / "jobs.manifest.jsonl"
    results, failures = tmp_path / "jobs.results.jsonl", tmp_path / "jobs.failures.jsonl"
    rounds = run_all(prepared.round_path, fake, files.manifest, results, failures)

    # round 1: a label per candidate sentence (none in "calm") and the summary
    assert sorted(rounds[0]) == ["calm#1#summary", "clash#1#classify", "clash#1#summary",
                                 "protest#1#classify", "protest#1#summary"]  # fmt: skip
    assert sorted(rounds[1]) == ["clash#1#details-1", "protest#1#details-1"]
    assert [files.round(n).is_file() for n in (1, 2, 3)] == [True, True, False]
    assert list(read_jsonl(failures)) == []

    batch = records(results)
    assert sorted(batch) == ["calm", "clash", "protest"]
    (clash,) = batch["clash"].events
    assert clash.location.name == "Kafr Zita" and clash.fatalities.total == 4
    assert batch["protest"].events[0].event_type.value == "protests"
    assert batch["calm"].events == []
    sent = sorted(json.dumps(line["body"], sort_keys=True)
                  for n in (1, 2) for line in read_jsonl(files.round(n)))  # fmt: skip
    fake.reset_stats()
    for key, text in TEXTS.items():
        live = summarize(text, settings=settings)
        assert comparable(batch[key]) == comparable(live), key
    # each request is the body the live client sends for the same question
    assert sent == sorted(json.dumps(body, sort_keys=True) for body in fake.stats.bodies)
    with pytest.raises(InputError, match="batch ingest"):  # not the one-round import
        list(import_output([prepared.round_path], files.manifest))


def test_a_one_round_manifest_is_not_ingested(fake: FakeOpenAI, tmp_path: Path) -> None:
    settings = Settings(base_url=fake.base_url, model=fake.model, prompt_version="v4")
    requests = tmp_path / "req.jsonl"
    asyncio.run(awrite_requests(inputs(), requests, settings=settings))
    manifest = manifest_for(requests)
    with pytest.raises(InputError, match="batch import"):
        ingest([requests], manifest, tmp_path / "r.jsonl", tmp_path / "f.jsonl")
    with pytest.raises(ConfigurationError, match="aprepare_rounds"):  # v6 takes rounds
        asyncio.run(awrite_requests(inputs(), tmp_path / "x.jsonl", settings=v6(fake)))


def test_resume_after_a_crash_between_rounds(fake: FakeOpenAI, tmp_path: Path) -> None:
    prepared = prepare(tmp_path / "jobs.jsonl", v6(fake))
    files = prepared.files
    results, failures = tmp_path / "out.jsonl", tmp_path / "out.failures.jsonl"
    output1 = provide(prepared.round_path, fake)
    first = ingest([output1], files.manifest, results, failures)
    assert (first.answers_stored, first.ok, first.waiting, first.round_number) == (5, 1, 2, 2)
    round2 = files.round(2).read_bytes()

    # the crash: round 2 and the results never written, a torn answer line at the end
    files.round(2).unlink()
    results.unlink()
    with files.answers.open("a", encoding="utf-8") as answers:
        answers.write('{"custom_id": "clash#1#details-1", "respo')
    again = ingest([output1], files.manifest, results, failures)
    assert (again.answers_stored, again.ignored, again.ok) == (0, 5, 1)
    assert again.round_number == 2 and files.round(2).read_bytes() == round2
    # and once more: nothing is stored or written twice
    thrice = ingest([output1], files.manifest, results, failures)
    assert (thrice.answers_stored, thrice.ok, thrice.already_done) == (0, 0, 1)
    assert thrice.round_number == 2 and not files.round(3).exists()
    assert [line["id"] for line in read_jsonl(results)] == ["calm"]

    with pytest.raises(ConfigurationError, match="already started"):  # no fresh round 1
        prepare(tmp_path / "jobs.jsonl", v6(fake))
    rounds = run_all(files.round(2), fake, files.manifest, results, failures)
    assert len(rounds) == 1
    assert sorted(line["id"] for line in read_jsonl(results)) == ["calm", "clash", "protest"]
    stored = custom_ids(files.answers)
    assert len(stored) == len(set(stored)) == 7


def replace_line(path: Path, request_id: str, line: dict[str, Any]) -> None:
    kept = [json.loads(x) for x in path.read_text("utf-8").splitlines()]
    path.write_text(
        "".join(json.dumps(line if x["custom_id"] == request_id else x) + "\n" for x in kept),
        "utf-8",
    )


def test_a_failed_answer_fails_its_article_only(fake: FakeOpenAI, tmp_path: Path) -> None:
    prepared = prepare(tmp_path / "jobs.jsonl", v6(fake))
    files = prepared.files
    results, failures = tmp_path / "r.jsonl", tmp_path / "f.jsonl"
    output1 = provide(prepared.round_path, fake)
    replace_line(output1, "clash#1#classify", {
        "custom_id": "clash#1#classify", "error": None,
        "response": {"status_code": 500, "body": {"error": {"message": "FAKE outage"}}},
    })  # fmt: skip
    replace_line(output1, "protest#1#summary", {
        "custom_id": "protest#1#summary", "error": None,
        "response": {"status_code": 200, "body": {"model": fake.model, "choices": [
            {"index": 0, "finish_reason": "stop",
             "message": {"role": "assistant", "content": '{"headline": 3}'}}]}},
    })  # FAKE invalid answer  # fmt: skip
    done = ingest([output1], files.manifest, results, failures)
    (failed,) = read_jsonl(failures)
    assert failed["id"] == "clash" and failed["error"] == "EndpointError"
    assert "clash#1#classify" in failed["message"] and "FAKE outage" in failed["message"]
    assert (done.failed, done.ok, done.waiting) == (1, 1, 1)
    assert custom_ids(files.round(2)) == ["protest#1#details-1"]

    # the invalid summary (round 1, above): composed by code, the record is kept
    output2 = provide(files.round(2), fake)
    last = ingest([output2], files.manifest, results, failures)
    assert last.round_path is None and last.ok == 1
    kept = records(results)
    assert sorted(kept) == ["calm", "protest"]
    warnings = " ".join(kept["protest"].provenance.warnings)
    assert (
        "protest#1#summary: invalid answer" in warnings and "composed from the record" in warnings
    )
    assert [line["id"] for line in read_jsonl(failures)] == ["clash"]


def test_an_invalid_label_answer_is_a_failure_with_its_reason(
    fake: FakeOpenAI, tmp_path: Path
) -> None:
    prepared = prepare(tmp_path / "jobs.jsonl", v6(fake))
    files = prepared.files
    output1 = provide(prepared.round_path, fake)
    lines = {line["custom_id"]: line for line in read_jsonl(output1)}
    truncated = lines["protest#1#classify"]
    truncated["response"]["body"]["choices"][0]["finish_reason"] = "length"
    replace_line(output1, "protest#1#classify", truncated)
    done = ingest([output1], files.manifest, tmp_path / "r.jsonl", tmp_path / "f.jsonl")
    (failed,) = read_jsonl(tmp_path / "f.jsonl")
    assert failed["id"] == "protest" and failed["error"] == "ExtractionFailed"
    assert "max_tokens" in failed["message"]
    assert done.waiting == 1 and custom_ids(files.round(2)) == ["clash#1#details-1"]


def test_a_missing_answer_is_asked_again_in_the_next_round(
    fake: FakeOpenAI, tmp_path: Path
) -> None:
    prepared = prepare(tmp_path / "jobs.jsonl", v6(fake))
    files = prepared.files
    output1 = provide(prepared.round_path, fake)
    kept = [x for x in output1.read_text("utf-8").splitlines() if "calm#1#summary" not in x]
    output1.write_text("\n".join(kept) + "\n", "utf-8")
    done = ingest([output1], files.manifest, tmp_path / "r.jsonl", tmp_path / "f.jsonl")
    assert done.ok == 0 and done.waiting == 3
    assert sorted(custom_ids(files.round(2))) == [
        "calm#1#summary", "clash#1#details-1", "protest#1#details-1"
    ]  # fmt: skip


def test_v4_still_takes_one_round(fake: FakeOpenAI, tmp_path: Path) -> None:
    settings = Settings(base_url=fake.base_url, model=fake.model, prompt_version="v4")
    prepared = prepare(tmp_path / "jobs.jsonl", settings)
    assert sorted(custom_ids(prepared.round_path)) == [
        "calm#1#extract", "clash#1#extract", "protest#1#extract"
    ]  # fmt: skip
    results = tmp_path / "r.jsonl"
    done: Ingested = ingest(
        [provide(prepared.round_path, fake)], prepared.files.manifest, results, tmp_path / "f.jsonl"
    )
    assert done.round_path is None and done.ok == 3
    assert prepared.files.rounds() == [1]
    batch = records(results)
    for key, text in TEXTS.items():
        assert comparable(batch[key]) == comparable(summarize(text, settings=settings)), key


def test_a_long_article_runs_its_chunks_side_by_side(fake: FakeOpenAI, tmp_path: Path) -> None:
    settings = v6(fake, max_article_chars=300)
    places = ["Idlib", "Hama", "Aleppo", "Daraa"]
    text = "\n".join(
        f"Clashes between troops and rebels near {place} on Saturday killed {n + 2} people, "
        "a monitor said. Background fills the rest of this paragraph."
        for n, place in enumerate(places)
    )
    prepared = asyncio.run(
        aprepare_rounds([BatchInput(id="long", text=text)], tmp_path / "j.jsonl", settings=settings)
    )
    first = custom_ids(prepared.round_path)
    classify = [i for i in first if i.endswith("#classify")]
    assert len(classify) >= 2 and all(i.startswith("long#") for i in first)
    results = tmp_path / "r.jsonl"
    rounds = run_all(
        prepared.round_path, fake, prepared.files.manifest, results, tmp_path / "f.jsonl"
    )
    assert len(rounds) == 2
    (merged,) = records(results).values()
    assert comparable(merged) == comparable(summarize(text, settings=settings))
    assert merged.events and chunk_warning(len(classify)) in merged.provenance.warnings


def test_round_files_are_named_from_the_requests_path(tmp_path: Path) -> None:
    files = RoundFiles.for_requests(tmp_path / "jobs.round2.output.jsonl")
    assert files == RoundFiles.for_requests(tmp_path / "jobs.jsonl")
    assert files == RoundFiles.for_manifest(tmp_path / "jobs.manifest.jsonl")
    assert files.round(3) == tmp_path / "jobs.round3.jsonl"
    assert files.answers == tmp_path / "jobs.answers.jsonl"


# --------------------------------------------------------------------------- command line

runner = CliRunner()


def environment(fake: FakeOpenAI, tmp_path: Path, key: str | None = None) -> dict[str, str | None]:
    return {
        "SUMMARIZER_BASE_URL": fake.base_url,
        "SUMMARIZER_MODEL": fake.model,
        "SUMMARIZER_PROMPT_VERSION": "v6",
        "SUMMARIZER_CACHE_DIR": str(tmp_path / "cache"),
        "SUMMARIZER_API_KEY": key,
        "OPENAI_API_KEY": None,
        "OPENAI_BASE_URL": None,
    }


def inputs_file(tmp_path: Path) -> Path:
    path = tmp_path / "inputs.jsonl"
    path.write_text("".join(json.dumps({"id": k, "text": t}) + "\n" for k, t in TEXTS.items()))
    return path


def test_cli_says_what_to_run_after_each_round(fake: FakeOpenAI, tmp_path: Path) -> None:
    env = environment(fake, tmp_path)
    jobs = tmp_path / "jobs.jsonl"
    first = runner.invoke(
        app, ["batch", str(inputs_file(tmp_path)), "--via", "openai-batch", "--out", str(jobs)],
        env=env,
    )  # fmt: skip
    assert first.exit_code == 0, first.output
    assert "wrote 5 round 1 requests for 3 inputs" in first.stderr
    assert f"upload {tmp_path / 'jobs.round1.jsonl'}" in first.stderr
    assert "summarizer batch ingest" in first.stderr and fake.stats.requests == 0
    number = 1
    while True:
        output = provide(tmp_path / f"jobs.round{number}.jsonl", fake)
        step = runner.invoke(app, ["batch", "ingest", str(output)], env=env)
        assert step.exit_code == 0, step.output
        number += 1
        if "every article is done" in step.stderr:
            break
        assert f"upload {tmp_path / f'jobs.round{number}.jsonl'}" in step.stderr
        assert f"summarizer batch ingest {tmp_path / f'jobs.round{number}.output.jsonl'}" in (
            step.stderr.replace("\n", "")
        )
    assert number == 3
    assert sorted(records(tmp_path / "jobs.results.jsonl")) == ["calm", "clash", "protest"]


def test_cli_with_a_key_submits_every_round(fake: FakeOpenAI, tmp_path: Path) -> None:
    env = environment(fake, tmp_path, key="sk-fake")
    jobs = tmp_path / "jobs.jsonl"
    result = runner.invoke(
        app, ["batch", str(inputs_file(tmp_path)), "--via", "openai-batch", "--out", str(jobs),
              "--poll-interval", "0.01"],
        env=env,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    for number in (1, 2):
        assert f"batch batch_fake{number} completed (jobs.round{number}.jsonl)" in result.stderr
    assert "jobs.round3.jsonl" not in result.stderr
    assert "every article is done" in result.stderr
    assert sorted(records(tmp_path / "jobs.results.jsonl")) == ["calm", "clash", "protest"]
