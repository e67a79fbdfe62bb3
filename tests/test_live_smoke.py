"""Live smoke test: the embedded llama.cpp server, started by the library itself,
summarizes a fixture article end to end. Part of `make test`, so the main path cannot rot.

It needs the embedded server and model (`make setup-local`); it fails, rather than skips,
when they are missing. Set SUMMARIZER_SKIP_LIVE=1 to skip it deliberately.
"""

from __future__ import annotations

import os

import pytest

from summarizer import summarize
from summarizer.grounding import quote_in_text
from summarizer.llm.embedded import shared_server
from summarizer.settings import Settings

from .conftest import ARTICLES

SKIP = os.environ.get("SUMMARIZER_SKIP_LIVE") == "1"


@pytest.mark.live
@pytest.mark.skipif(SKIP, reason="SUMMARIZER_SKIP_LIVE=1")
def test_embedded_model_end_to_end() -> None:
    article = ARTICLES / "004_c689b8858d52ccb0.txt"
    report = summarize(article, settings=Settings())  # no endpoint: the embedded server
    assert report.provenance.endpoint_host == "embedded"
    assert report.provenance.model == "local"
    server = shared_server(Settings())
    assert server.process is not None and server.process.poll() is None
    text = article.read_text("utf-8")
    assert report.summary.text
    for event in report.events:
        assert all(quote_in_text(q, text) for q in event.evidence)
