"""`summarizer digest` fetches every article link through the fetch guard unless
``--allow-private-urls`` is given (the FAKE site is on 127.0.0.1, a private address).
The LLM endpoint is a closed port: nothing gets summarized, the test is about fetching."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer.cli import app

from .fakes.fake_web import FakeWeb

runner = CliRunner()


@pytest.fixture
def site() -> Iterator[FakeWeb]:
    with FakeWeb() as web:
        yield web


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _digest(urls: Path, tmp_path: Path, *extra: str) -> str:
    env = {
        "SUMMARIZER_BASE_URL": f"http://127.0.0.1:{_closed_port()}/v1",
        "SUMMARIZER_MODEL": "fake-model",
        "SUMMARIZER_TRANSPORT_RETRIES": "0",
        "SUMMARIZER_CACHE_DIR": str(tmp_path / "cache"),
    }
    result = runner.invoke(app, ["digest", "--urls", str(urls), "--dry-run", *extra], env=env)
    assert "Traceback" not in result.output
    return result.output


def test_digest_links_go_through_the_guard_unless_allowed(site: FakeWeb, tmp_path: Path) -> None:
    urls = tmp_path / "urls.txt"
    urls.write_text(f"{site.base_url}/article\n", "utf-8")
    guarded = _digest(urls, tmp_path)
    assert "127.0.0.1 is not a public address" in guarded
    assert site.hits == []
    _digest(urls, tmp_path, "--allow-private-urls")
    assert site.hits == ["/article"], "with the flag the same link is fetched"
