"""A FAKE OpenAI-compatible chat endpoint on 127.0.0.1 for the evaluation tests.

It answers every chat completion with one hand-written extraction (or an HTTP error), so
live mode and cassette recording can be tested without a model. The extraction below is
written by hand for fixture article 004 and grounded in it (quotes copied verbatim,
figures the article gives); it is not model output.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .fakes.fake_steps import fake_step_answer

ARTICLE_004 = "004_c689b8858d52ccb0"

EXTRACTION_004: dict[str, Any] = {
    "article": {
        "title": "Syrian forces retake part of eastern IS bastion",
        "wire": None,
        "dateline": "BEIRUT",
        "language": "en",
    },
    "events": [
        {
            "event_type": "battles",
            "sub_event_type": "government_regains_territory",
            "date_text": "Thursday",
            "location": {
                "name": "Mayadeen",
                "admin1": "Deir Ezzor",
                "admin2": None,
                "country": "Syria",
                "geo_precision": 1,
            },
            "actor1": {"name": "Military Forces of Syria", "type": "state_forces"},
            "actor2": {"name": "Islamic State", "type": "rebel_group"},
            "assoc_actor1": ["Military Forces of Russia"],
            "assoc_actor2": [],
            "fatalities": {"total": None, "breakdown": [], "civilians": None, "reported_by": None},
            "sources": ["Syrian Observatory for Human Rights", "SANA"],
            "evidence": [
                "The state news agency SANA confirmed that regime forces had re-entered Mayadeen."
            ],
        }
    ],
    "summary": {
        "headline": "Syrian government forces retake part of Mayadeen",
        "text": (
            "Syrian government forces took control of four neighbourhoods of Mayadeen in Deir "
            "Ezzor province, according to the Syrian Observatory for Human Rights. The state "
            "news agency SANA said the forces had re-entered the town, one of the main "
            "remaining bastions of the Islamic State group. Russian forces took part in the "
            "fighting, the Observatory said."
        ),
    },
}


@dataclass
class FakeLLM:
    """The running fake: its base URL and the request bodies it received."""

    base_url: str
    requests: list[dict[str, Any]] = field(default_factory=list)


def _completion(content: dict[str, Any], model: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": json.dumps(content)},
            }
        ],
        "usage": {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150},
    }


@contextmanager
def fake_llm(answer: dict[str, Any] | None = None, *, status: int = 200) -> Iterator[FakeLLM]:
    """Serve ``answer`` (default :data:`EXTRACTION_004`, and to a step-pipeline question
    the SCRIPTED FAKE answer of :mod:`tests.fakes.fake_steps`) to every chat completion,
    or ``status`` as an error, on 127.0.0.1 for the duration of the block."""
    content = EXTRACTION_004 if answer is None else answer

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", 0))
            body = json.loads(self.rfile.read(length) or b"{}")
            fake.requests.append(body)
            # a step-pipeline question (v6) gets its SCRIPTED FAKE answer, unless the
            # test chose the answer
            step = fake_step_answer(body) if answer is None else None
            if status == 200:
                payload = _completion(content if step is None else step, str(body.get("model", "")))
            else:
                payload = {"error": {"message": "fake failure", "type": "server_error"}}
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # silence the test log
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake = FakeLLM(base_url=f"http://127.0.0.1:{server.server_address[1]}/v1")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
