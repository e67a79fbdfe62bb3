"""--via openai-batch: request files, the offline round trip, import, and submission.

Output files are fabricated from the FAKE OpenAI server's answers to the exact request
bodies written (tests/fakes/fake_openai.py); nothing here talks to OpenAI.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from summarizer import summarize
from summarizer.batch.openai_batch import (
    BATCH_URL,
    OFFLINE_BASE_URL,
    awrite_requests,
    batch_target,
    import_output,
    manifest_for,
    submit_and_wait,
)
from summarizer.batch.runner import BatchInput
from summarizer.errors import ConfigurationError, InputError
from summarizer.grounding import quote_in_text
from summarizer.schema import ArticleReport, Extraction
from summarizer.settings import Settings
from summarizer.text.chunking import chunk_warning

from .fakes.fake_openai import FakeOpenAI, Faults, fabricate_batch_output, grounded_extraction

pytestmark = pytest.mark.one_shot_prompt  # the one-shot prompt v1 (see conftest)

ARTICLE = (
    "Clashes between troops and rebels near Kafr Zita on Saturday wounded several people, "
    "a monitor said.\nResidents described heavy fighting through the night.\n"
)


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(Faults(), keep_bodies=True, batch_polls=3) as server:
        yield server


def long_text() -> str:
    places = ["Idlib", "Hama", "Aleppo", "Daraa", "Homs", "Raqqa", "Latakia", "Tartus"]
    return "\n".join(
        f"Clashes between troops and rebels near {place} on Saturday were "
        f"reported in part {n}. Background fills the rest of this paragraph."
        for n, place in enumerate(places)
    )


def batch_inputs(tmp_path: Path) -> list[BatchInput]:
    missing = tmp_path / "missing.txt"
    return [
        BatchInput(id=f"a{n}", text=ARTICLE.replace("Saturday", day))
        for n, day in enumerate(["Saturday", "Sunday", "Monday"])
    ] + [
        BatchInput(id="calm", text="The city council approved a new library budget.\n"),
        BatchInput(id="long", text=long_text()),
        BatchInput(id="missing", path=missing),
    ]


def write(inputs: list[BatchInput], path: Path, settings: Settings) -> Any:
    return asyncio.run(awrite_requests(inputs, path, settings=settings, concurrency=3))


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_request_body_is_what_the_live_client_sends(fake: FakeOpenAI, tmp_path: Path) -> None:
    settings = Settings(base_url=fake.base_url, model=fake.model, max_tokens=1500)
    summarize(ARTICLE, settings=settings)
    (live,) = fake.stats.bodies
    requests = tmp_path / "requests.jsonl"
    write([BatchInput(id="x", text=ARTICLE)], requests, settings)
    (line,) = lines(requests)
    assert line["method"] == "POST" and line["url"] == BATCH_URL == "/v1/chat/completions"
    assert line["body"] == live
    body = line["body"]
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["schema"] == Extraction.model_json_schema()
    assert (body["temperature"], body["max_tokens"], body["model"]) == (0.0, 1500, fake.model)


def test_offline_round_trip(fake: FakeOpenAI, tmp_path: Path) -> None:
    settings = Settings(base_url=fake.base_url, model=fake.model, max_article_chars=300)
    requests = tmp_path / "requests.jsonl"
    written = write(batch_inputs(tmp_path), requests, settings)
    assert written.inputs == 6
    assert [f.id for f in written.failures] == ["missing"]
    assert written.failures[0].failure.error == "InputError"
    manifest = manifest_for(requests)
    assert manifest == tmp_path / "requests.manifest.jsonl"
    entries = lines(manifest)
    chunks_of_long = [e for e in entries if e["id"] == "long"]
    assert len(chunks_of_long) == written.requests - 4 >= 3
    assert len({line["custom_id"] for line in lines(requests)}) == written.requests

    output = tmp_path / "requests.output.jsonl"
    assert fabricate_batch_output(requests, output, fake.base_url) == written.requests
    results = {r.id: r for r in import_output([output], manifest)}
    assert set(results) == {"a0", "a1", "a2", "calm", "long"}
    for key, day in (("a0", "Saturday"), ("a1", "Sunday"), ("a2", "Monday")):
        record = results[key].report
        assert isinstance(record, ArticleReport)
        source = ARTICLE.replace("Saturday", day)
        assert record.events and quote_in_text(record.events[0].evidence[0], source)
        assert record.events[0].date_text == day
        assert record.provenance.endpoint_host == "127.0.0.1"
        assert record.provenance.usage.total_tokens > 0
    assert results["calm"].report and results["calm"].report.events == []
    merged = results["long"].report
    assert merged is not None
    assert chunk_warning(len(chunks_of_long)) in merged.provenance.warnings
    assert len(merged.events) == len(chunks_of_long)
    assert results["a0"].input_sha256 == BatchInput(id="a0", text=ARTICLE).content_sha256()


def completion_line(custom_id: str, content: str, *, finish: str = "stop") -> dict[str, Any]:
    body = {
        "id": "c",
        "object": "chat.completion",
        "model": "gpt-test",
        "choices": [{"index": 0, "finish_reason": finish,
                     "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7},
    }  # fmt: skip
    return {"custom_id": custom_id, "response": {"status_code": 200, "body": body}, "error": None}


def test_invalid_answers_become_failures_with_reasons(tmp_path: Path) -> None:
    settings = Settings(model="served-model")  # offline: no endpoint configured
    assert batch_target(settings) == ("served-model", OFFLINE_BASE_URL)
    inputs = [BatchInput(id=f"i{n}", text=ARTICLE) for n in range(7)]
    requests = tmp_path / "req.jsonl"
    write(inputs, requests, settings)
    by_id = {e["id"]: e["custom_id"] for e in lines(manifest_for(requests))}
    good = json.dumps(grounded_extraction(ARTICLE))
    one_sentence = grounded_extraction(ARTICLE)
    one_sentence["summary"]["text"] = "Only one sentence here."
    output = [
        completion_line(by_id["i0"], good),
        completion_line(by_id["i1"], '{"article": {}, "events": "none"}'),
        completion_line(by_id["i2"], good[:100], finish="length"),
        {"custom_id": by_id["i3"], "response": {"status_code": 500,
         "body": {"error": {"message": "server exploded"}}}, "error": None},
        {"custom_id": by_id["i4"], "response": None,
         "error": {"code": "batch_expired", "message": "not run in time"}},
        completion_line(by_id["i6"], json.dumps(one_sentence)),
        completion_line("someone-else", good),
    ]  # fmt: skip
    path = tmp_path / "req.output.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in output) + '{"torn', "utf-8")
    results = {r.id: r for r in import_output([path], manifest_for(requests))}
    assert set(results) == {f"i{n}" for n in range(7)}
    record = results["i0"].report
    assert record is not None and record.provenance.model == "gpt-test"
    assert record.provenance.endpoint_host == OFFLINE_BASE_URL
    reasons = {key: r.failure for key, r in results.items() if r.failure}
    assert reasons["i1"] and reasons["i1"].error == "ExtractionFailed"
    assert "invalid answer" in reasons["i1"].message
    assert reasons["i2"] and "max_tokens" in reasons["i2"].message
    assert reasons["i3"] and reasons["i3"].error == "EndpointError"
    assert "HTTP 500" in reasons["i3"].message and "server exploded" in reasons["i3"].message
    assert reasons["i4"] and "not run in time" in reasons["i4"].message
    assert reasons["i5"] and "no answer for request" in reasons["i5"].message
    assert reasons["i6"] and "2 to 4 sentences" in reasons["i6"].message


def test_ungrounded_claims_are_removed_like_on_the_final_live_attempt(tmp_path: Path) -> None:
    settings = Settings(model="m")
    requests = tmp_path / "req.jsonl"
    write([BatchInput(id="x", text=ARTICLE)], requests, settings)
    (entry,) = lines(manifest_for(requests))
    answer = grounded_extraction(ARTICLE)
    answer["events"][0]["fatalities"]["total"] = 61  # no such toll in the article
    answer["events"].append({**answer["events"][0], "date_text": "Friday",
                             "evidence": ["Rebels seized the airport on Friday."]})  # fmt: skip
    path = tmp_path / "out.jsonl"
    path.write_text(json.dumps(completion_line(entry["custom_id"], json.dumps(answer))), "utf-8")
    (result,) = import_output([path], manifest_for(requests))
    record = result.report
    assert record is not None
    assert [e.date_text for e in record.events] == ["Saturday"]
    assert record.events[0].fatalities.total is None
    assert any("61 is not a toll" in w for w in record.provenance.warnings)
    assert any("removed: no evidence" in w for w in record.provenance.warnings)


def test_a_changed_prompt_refuses_the_import(tmp_path: Path) -> None:
    requests = tmp_path / "req.jsonl"
    write([BatchInput(id="x", text=ARTICLE)], requests, Settings(model="m"))
    manifest = manifest_for(requests)
    entry = lines(manifest)[0]
    entry["prompt"]["sha256"] = "0" * 16
    manifest.write_text(json.dumps(entry) + "\n", "utf-8")
    with pytest.raises(ConfigurationError, match="changed since the requests were written"):
        list(import_output([requests], manifest))
    manifest.write_text("", "utf-8")
    with pytest.raises(InputError, match="has no requests"):
        list(import_output([requests], manifest))


def test_offline_requests_need_a_model() -> None:
    with pytest.raises(ConfigurationError, match="--model"):
        batch_target(Settings(base_url=None, api_key=None, model=None))


def test_submit_poll_download_import_against_the_fake_batch_api(
    fake: FakeOpenAI, tmp_path: Path
) -> None:
    settings = Settings(base_url=fake.base_url, model=fake.model, api_key="sk-fake")
    requests = tmp_path / "jobs.jsonl"
    inputs = [BatchInput(id=f"a{n}", text=ARTICLE) for n in range(4)]
    write(inputs, requests, settings)
    fake.faults = Faults(rate_500=0.5, seed=4)
    statuses: list[str] = []
    files = submit_and_wait(
        requests,
        settings=settings,
        poll_interval=0.01,
        on_status=lambda _id, status, _counts: statuses.append(status),
    )
    assert statuses == ["in_progress", "in_progress", "completed"]
    assert files.status == "completed" and files.output == tmp_path / "jobs.output.jsonl"
    results = list(import_output(files.paths, manifest_for(requests)))
    assert sorted(r.id for r in results) == ["a0", "a1", "a2", "a3"]
    failed = [r for r in results if not r.ok]
    assert (files.errors is not None) == bool(failed)
    assert all(r.failure and "HTTP 500" in r.failure.message for r in failed)
    assert any(r.ok for r in results)
