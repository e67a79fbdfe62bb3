"""Passwords and tokens in URLs never reach the terminal, the logs, failures.jsonl or Slack.

The endpoint is a closed port on 127.0.0.1 (nothing listens: every request fails to
connect), so the error messages that name the endpoint are the real ones.
"""

from __future__ import annotations

import logging
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer.batch.runner import read_jsonl
from summarizer.cli import app
from summarizer.errors import redact_text, redact_url

PASSWORD = "pw-s3cret-7781"
runner = CliRunner()

ARTICLE = (
    "Clashes between troops and rebels near Kafr Zita on Saturday wounded several people, "
    "a monitor said.\nResidents described heavy fighting through the night.\n"
)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _environment(tmp_path: Path) -> dict[str, str | None]:
    return {
        "SUMMARIZER_BASE_URL": f"http://user:{PASSWORD}@127.0.0.1:{_closed_port()}/v1",
        "SUMMARIZER_MODEL": "fake-model",
        "SUMMARIZER_CACHE_DIR": str(tmp_path / "cache"),
        "SUMMARIZER_TRANSPORT_RETRIES": "0",
        "SUMMARIZER_REQUEST_TIMEOUT": "5",
        "SUMMARIZER_CONNECT_TIMEOUT": "2",
        "SUMMARIZER_API_KEY": None,
        "OPENAI_API_KEY": None,
        "OPENAI_BASE_URL": None,
    }


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://user:pw@host/v1", "http://***@host/v1"),
        ("https://token@host:8443/v1?x=1", "https://***@host:8443/v1?x=1"),
        (
            "https://h/p?key=1&q=war&sig=abc&api_key=k&password=p&token=t&access_token=a",
            "https://h/p?key=***&q=war&sig=***&api_key=***&password=***&token=***&access_token=***",
        ),
        ("https://news.example/a?page=2", "https://news.example/a?page=2"),
        ("http://u:p@[broken/x", "http://***@[broken/x"),
    ],
)
def test_redact_url(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_redact_text_redacts_every_url_in_a_message() -> None:
    message = f"cannot reach http://a:{PASSWORD}@h/v1 (see https://x/y?token=abc): refused"
    assert (
        redact_text(message) == "cannot reach http://***@h/v1 (see https://x/y?token=***): refused"
    )
    assert redact_text("no URL here: pw") == "no URL here: pw"


def test_the_cli_prints_no_password_of_the_base_url(tmp_path: Path) -> None:
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE, "utf-8")
    result = runner.invoke(app, ["summarize", str(article)], env=_environment(tmp_path))
    assert result.exit_code == 4, result.output
    assert "cannot reach the LLM endpoint http://***@127.0.0.1:" in result.stderr
    assert PASSWORD not in result.output and "Traceback" not in result.output


def test_the_cli_logs_no_password_with_debug_logging(tmp_path: Path) -> None:
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE, "utf-8")
    logging.getLogger("summarizer.test").warning("probe")  # handlers exist before the run
    result = runner.invoke(app, ["--debug", "summarize", str(article)], env=_environment(tmp_path))
    assert result.exit_code != 0
    for handler in logging.getLogger().handlers:
        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "endpoint %s", (f"http://u:{PASSWORD}@h/",), None
        )
        assert PASSWORD not in handler.format(record)


def test_the_failures_file_holds_no_password(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text(ARTICLE, "utf-8")
    out = tmp_path / "results.jsonl"
    result = runner.invoke(
        app, ["batch", str(folder), "--out", str(out)], env=_environment(tmp_path)
    )
    assert result.exit_code == 1, result.output
    failures = tmp_path / "results.failures.jsonl"
    [failure] = read_jsonl(failures)
    assert failure["error"] == "EndpointError"
    assert "http://***@127.0.0.1:" in failure["message"]
    assert PASSWORD not in failures.read_text("utf-8")
    assert PASSWORD not in result.output
