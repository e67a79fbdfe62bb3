"""The LLM client against a FAKE OpenAI-compatible server (real HTTP on 127.0.0.1).

Transport retries (429 with Retry-After, 5xx, dropped connections) are separate from
validation re-asks; tokens of every attempt are summed; failures are typed errors.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from summarizer.api import extract, prepare
from summarizer.errors import ConfigurationError, EndpointError, ExtractionFailed
from summarizer.llm.client import LLM, Endpoint
from summarizer.schema import Extraction
from summarizer.settings import Settings
from summarizer.text.sources import SourceDocument

from .records import SOURCE, extraction_data

pytestmark = pytest.mark.one_shot_prompt  # the one-shot prompt v1 (see conftest)

Reply = tuple[int, dict[str, str], bytes]


def completion(content: str, *, finish: str = "stop", tokens: int = 10) -> Reply:
    body = {
        "id": "fake", "object": "chat.completion", "created": 0, "model": "fake",
        "choices": [{"index": 0, "finish_reason": finish,
                     "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": tokens, "completion_tokens": tokens,
                  "total_tokens": 2 * tokens},
    }  # fmt: skip
    return 200, {"content-type": "application/json"}, json.dumps(body).encode()


def error(status: int, **headers: str) -> Reply:
    body = json.dumps({"error": {"message": f"fake error {status}", "type": "fake"}}).encode()
    return status, {"content-type": "application/json", **headers}, body


VALID = json.dumps(extraction_data())
UNGROUNDED = json.dumps(
    extraction_data(text="Fighting killed 61 people, according to a monitor. More followed.")
)


class FakeOpenAI:
    """A scripted FAKE of /v1/chat/completions: each request takes the next reply."""

    def __init__(self, replies: list[Reply | Callable[[], Reply]]) -> None:
        self.replies = list(replies)
        self.requests: list[dict[str, Any]] = []
        self.times: list[float] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                fake.requests.append(json.loads(self.rfile.read(length)))
                fake.times.append(time.monotonic())
                reply = fake.replies.pop(0)
                if callable(reply):
                    reply = reply()
                status, headers, body = reply
                if status == 0:  # drop the connection without answering
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake() -> Iterator[Callable[..., FakeOpenAI]]:
    servers: list[FakeOpenAI] = []

    def start(*replies: Reply | Callable[[], Reply]) -> FakeOpenAI:
        servers.append(FakeOpenAI(list(replies)))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def run(server: FakeOpenAI, **settings: Any) -> Any:
    config = Settings(**{"transport_retries": 3, "max_reasks": 2, **settings})
    prepared = prepare(
        SourceDocument(text=SOURCE, kind="text"), published=None, outlet=None, settings=config
    )
    llm = LLM(config, Endpoint(server.base_url, "fake-model", "sk-fake-key"))
    llm.policy.base_delay = 0.01
    try:
        return extract(prepared, llm=llm)
    finally:
        llm.close()


def test_a_valid_answer_becomes_a_record(fake: Callable[..., FakeOpenAI]) -> None:
    server = fake(completion(VALID))
    report = run(server)
    assert report.events[0].fatalities.total == 55
    assert report.provenance.attempts == 1
    assert report.provenance.usage.total_tokens == 20
    sent = server.requests[0]
    assert sent["temperature"] == 0 and sent["model"] == "fake-model"
    assert sent["response_format"]["type"] == "json_schema"


def test_429_honours_retry_after_then_succeeds(fake: Callable[..., FakeOpenAI]) -> None:
    server = fake(error(429, **{"retry-after": "1"}), completion(VALID))
    report = run(server)
    assert report.provenance.attempts == 1, "a transport retry is not a re-ask"
    assert server.times[1] - server.times[0] >= 0.95


def test_5xx_and_dropped_connections_are_retried(fake: Callable[..., FakeOpenAI]) -> None:
    server = fake(error(503), (0, {}, b""), error(500), completion(VALID))
    assert run(server).events
    assert len(server.requests) == 4


def test_persistent_5xx_is_an_endpoint_error(fake: Callable[..., FakeOpenAI]) -> None:
    server = fake(*[error(500)] * 4)
    with pytest.raises(EndpointError, match="answered HTTP 500 after 3 retries"):
        run(server)
    assert len(server.requests) == 4


def test_bad_key_and_unknown_model_are_configuration_errors(
    fake: Callable[..., FakeOpenAI],
) -> None:
    with pytest.raises(ConfigurationError, match="rejected the API key"):
        run(fake(error(401)))
    with pytest.raises(ConfigurationError, match="check SUMMARIZER_MODEL"):
        run(fake(error(404)))


def test_unreachable_endpoint_is_an_endpoint_error() -> None:
    config = Settings(transport_retries=1, transport_max_seconds=2)
    prepared = prepare(
        SourceDocument(text=SOURCE, kind="text"), published=None, outlet=None, settings=config
    )
    llm = LLM(config, Endpoint("http://127.0.0.1:9/v1", "m", "k"))
    with pytest.raises(EndpointError, match="cannot reach the LLM endpoint"):
        extract(prepared, llm=llm)
    llm.close()


def test_validation_errors_are_sent_back_and_tokens_summed(
    fake: Callable[..., FakeOpenAI],
) -> None:
    server = fake(
        completion("not json at all", tokens=7), completion(UNGROUNDED), completion(VALID)
    )
    report = run(server)
    assert report.provenance.attempts == 3
    assert report.provenance.usage.total_tokens == 14 + 20 + 20
    reask = server.requests[2]["messages"][-1]["content"]
    assert "the summary gives the number 61" in reask


def test_exhausted_reasks_raise_with_attempts_usage_and_raw(
    fake: Callable[..., FakeOpenAI],
) -> None:
    server = fake(*[completion("{broken")] * 3)
    with pytest.raises(ExtractionFailed) as caught:
        run(server)
    assert caught.value.attempts == 3
    assert caught.value.usage.total_tokens == 60
    assert caught.value.last_completion == "{broken"


def test_truncation_at_max_tokens_is_an_extraction_failure(
    fake: Callable[..., FakeOpenAI],
) -> None:
    server = fake(completion('{"article": {', finish="length"))
    with pytest.raises(ExtractionFailed, match="max_tokens"):
        run(server)


async def test_asummarize_takes_the_same_path(fake: Callable[..., FakeOpenAI]) -> None:
    from summarizer import asummarize

    server = fake(error(503), completion(UNGROUNDED), completion(VALID))
    settings = Settings(base_url=server.base_url, model="fake-model", transport_retries=2)
    report = await asummarize(SOURCE, settings=settings, outlet="Example Times")
    assert report.provenance.attempts == 2
    assert report.provenance.endpoint_host == "127.0.0.1"
    assert report.article.outlet == "Example Times"
    assert report.events[0].notes.startswith("Saturday, in Kafr Zita (Hama): Military Forces")


def test_the_schema_is_instructors_and_built_once(fake: Callable[..., FakeOpenAI]) -> None:
    import instructor

    from summarizer.llm.client import _response_model
    from summarizer.schema import Extraction

    server = fake(completion(VALID), completion(VALID))
    run(server)
    run(server)
    expected = instructor.openai_schema(Extraction).model_json_schema()
    for sent in server.requests:
        assert sent["response_format"]["json_schema"]["name"] == "Extraction"
        assert sent["response_format"]["json_schema"]["schema"] == expected
    wrapped = _response_model(Extraction)
    assert wrapped is _response_model(Extraction)
    # The cached schema is an override in a subclass of instructor's wrapper, which is
    # itself left as instructor made it (nothing set on it from outside).
    assert wrapped.__name__ == "Extraction" and issubclass(wrapped, Extraction)
    assert "model_json_schema" in vars(wrapped)
    assert "model_json_schema" not in vars(wrapped.__mro__[1])
    wrapped.model_json_schema()["properties"].clear()
    assert wrapped.model_json_schema() == expected, "each call gets its own copy"


async def test_concurrent_extractions_validate_against_their_own_article(
    fake: Callable[..., FakeOpenAI],
) -> None:
    """Each call's grounding check is found through a context variable: two extractions
    in flight at once must each be checked against their own article."""
    import asyncio

    from summarizer.api import aextract

    def slow() -> Reply:
        time.sleep(0.3)
        return completion(VALID)

    server = fake(slow, slow)
    config = Settings(transport_retries=0, max_reasks=0)
    other = "Floods closed the coastal road on Monday, the regional governor said. " * 3
    llm = LLM(config, Endpoint(server.base_url, "fake-model", "sk-fake-key"))
    try:
        jobs = [
            aextract(
                prepare(SourceDocument(text=text, kind="text"), published=None, outlet=None,
                        settings=config),
                llm=llm,
            )
            for text in (SOURCE, other)
        ]  # fmt: skip
        grounded, ungrounded = await asyncio.gather(*jobs, return_exceptions=True)
    finally:
        await llm.aclose()
    assert server.times[1] - server.times[0] < 0.3, "both requests were in flight together"
    assert not isinstance(grounded, BaseException) and grounded.events
    assert isinstance(ungrounded, ExtractionFailed)
    assert "not grounded" in str(ungrounded) or "not in the article" in str(ungrounded)


def test_a_check_runs_on_each_answer_and_returns_its_warnings(
    fake: Callable[..., FakeOpenAI],
) -> None:
    """The caller's check runs inside the re-ask loop: its ValueError re-asks, it is told
    which attempt is the final one, and the warnings of the accepted answer come back as
    a value on the Completion (none of a rejected answer's)."""
    seen: list[tuple[int, bool]] = []

    def check(value: Extraction, answer: Any, final: bool) -> tuple[Extraction, list[str]]:
        seen.append((len(answer["events"]), final))
        if not final:
            raise ValueError("a fake check that accepts only the final attempt")
        return value, [f"attempt {len(seen)} accepted"]

    server = fake(completion(VALID), completion(VALID), completion(VALID))
    llm = LLM(Settings(transport_retries=0, max_reasks=2), Endpoint(server.base_url, "m", "k"))
    try:
        done = llm.extract([{"role": "user", "content": "x"}], Extraction, check)
    finally:
        llm.close()
    assert seen == [(1, False), (1, False), (1, True)]
    assert done.attempts == 3 and done.warnings == ["attempt 3 accepted"]
    assert "a fake check that accepts only the final attempt" in json.dumps(
        server.requests[1]["messages"]
    )


def test_without_a_check_only_the_shape_is_validated(fake: Callable[..., FakeOpenAI]) -> None:
    """An answer the grounding would reject is accepted when no check is given (the step
    pipeline's questions): the client itself knows nothing of grounding."""
    server = fake(completion(UNGROUNDED))
    llm = LLM(Settings(transport_retries=0, max_reasks=0), Endpoint(server.base_url, "m", "k"))
    try:
        done = llm.extract([{"role": "user", "content": "x"}], Extraction)
    finally:
        llm.close()
    assert done.attempts == 1 and done.warnings == []
    assert "61" in done.value.summary.text


def tool_call(arguments: str, *, tokens: int = 10) -> Reply:
    body = {
        "id": "fake", "object": "chat.completion", "created": 0, "model": "fake",
        "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
            "role": "assistant", "content": None,
            "tool_calls": [{"id": "call_1", "type": "function",
                            "function": {"name": "Extraction", "arguments": arguments}}],
        }}],
        "usage": {"prompt_tokens": tokens, "completion_tokens": tokens,
                  "total_tokens": 2 * tokens},
    }  # fmt: skip
    return 200, {"content-type": "application/json"}, json.dumps(body).encode()


def test_tools_mode_as_used_for_openai(fake: Callable[..., FakeOpenAI]) -> None:
    """OpenAI and Azure get tool calls (the default mode for those hosts): the schema
    goes out as the function's parameters, a re-ask follows an ungrounded answer, and
    the grounding check runs on the answer the same way."""
    server = fake(tool_call(UNGROUNDED), tool_call(VALID))
    report = run(server, mode="tools")
    assert report.provenance.attempts == 2
    assert report.events[0].fatalities.total == 55
    sent = server.requests[0]
    assert "response_format" not in sent
    function = sent["tools"][0]["function"]
    assert function["name"] == "Extraction"
    assert set(function["parameters"]["properties"]) == {"article", "events", "summary"}
    assert "the summary gives the number 61" in json.dumps(server.requests[1]["messages"])


def test_http_clients_are_made_on_first_use_and_share_one_tls_context(
    fake: Callable[..., FakeOpenAI], monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    from summarizer.llm.transport import AsyncRetryTransport, RetryPolicy, RetryTransport

    server = fake(completion(VALID))
    config = Settings()
    llm = LLM(config, Endpoint(server.base_url, "fake-model", "sk-fake-key"))
    assert llm._made == {}
    llm.close()  # closing what was never made is fine
    prepared = prepare(
        SourceDocument(text=SOURCE, kind="text"), published=None, outlet=None, settings=config
    )
    assert extract(prepared, llm=llm).events
    assert set(llm._made) == {"sync_openai", "sync"}
    llm.close()
    made = []
    threads = [threading.Thread(target=lambda: made.append(llm._async_openai)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made) == 8 and all(client is made[0] for client in made), "one client, shared"
    asyncio.run(llm.aclose())

    def context(transport: RetryTransport | AsyncRetryTransport) -> object:
        return transport.inner._pool._ssl_context  # type: ignore[union-attr]

    policy = RetryPolicy()
    shared = context(RetryTransport(policy))
    assert shared is context(AsyncRetryTransport(policy)) is context(RetryTransport(policy))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))  # httpx2 reads it: another context
    assert context(RetryTransport(policy)) is not shared


@pytest.mark.parametrize("hint", ["soon", "nan", "inf", "-nan", "Thu, 99 Foo 2026 xx", ""])
def test_an_unparsable_retry_after_falls_back_to_backoff(
    fake: Callable[..., FakeOpenAI], hint: str
) -> None:
    server = fake(error(429, **{"retry-after": hint}), completion(VALID))
    assert run(server).events
    assert len(server.requests) == 2, "the 429 was retried once, then the answer came"


def test_a_huge_retry_after_is_capped_and_the_message_counts_real_retries(
    fake: Callable[..., FakeOpenAI],
) -> None:
    server = fake(*[error(429, **{"retry-after": "1e308"})] * 4)
    started = time.monotonic()
    with pytest.raises(EndpointError, match=r"answered HTTP 429 after 1 retry:"):
        run(server, transport_max_seconds=1)
    assert time.monotonic() - started < 10
    assert len(server.requests) == 2
