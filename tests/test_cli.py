"""The command line: one-line errors with exit codes, never a traceback; --help explains."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.one_shot_prompt  # counts one request per article (see conftest)


def run(
    *args: str, stdin: bytes | None = None, **extra_env: str
) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(ROOT), "SUMMARIZER_BASE_URL": "http://127.0.0.1:9/v1",
           "SUMMARIZER_MODEL": "local", "SUMMARIZER_TRANSPORT_RETRIES": "0"}  # fmt: skip
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, "-m", "summarizer", *args],
        input=stdin.decode("latin-1") if stdin else None,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], code: int, text: str) -> None:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and text in lines[0]


def test_help_explains_every_command() -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in ("summarize", "setup-local", "serve", "schema"):
        assert command in result.stdout
    result = run("summarize", "--help")
    for option in ("--published", "--json", "--csv", "--model", "--base-url", "--prompt-version"):
        assert option in result.stdout


def test_missing_file(tmp_path: Path) -> None:
    assert_one_line_error(run("summarize", str(tmp_path / "nope.txt")), 3, "no such file")


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    assert_one_line_error(run("summarize", str(empty)), 3, "empty")


def test_binary_file(tmp_path: Path) -> None:
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert_one_line_error(run("summarize", str(binary)), 3, "not a text or HTML file")


def test_unreachable_endpoint_is_one_line() -> None:
    article = ROOT / "tests" / "fixtures" / "articles" / "004_c689b8858d52ccb0.txt"
    assert_one_line_error(run("summarize", str(article)), 4, "cannot reach the LLM endpoint")


def test_bad_published_date_and_conflicting_formats(tmp_path: Path) -> None:
    article = ROOT / "tests" / "fixtures" / "articles" / "004_c689b8858d52ccb0.txt"
    assert_one_line_error(run("summarize", str(article), "--published", "Sunday"), 3, "--published")
    assert_one_line_error(run("summarize", str(article), "--json", "--csv"), 3, "choose one")


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    result = run("--debug", "summarize", str(tmp_path / "nope.txt"))
    assert result.returncode != 0 and "Traceback" in result.stderr


@pytest.mark.parametrize("command", ["schema"])
def test_schema_command_prints_the_published_schema(command: str) -> None:
    result = run(command)
    assert result.returncode == 0 and '"title": "ArticleReport"' in result.stdout


def test_a_bad_setting_is_one_line_naming_the_variable() -> None:
    article = str(ROOT / "tests/fixtures/articles/000_a7a9f593ff51bdb6.txt")
    result = run("summarize", article, SUMMARIZER_MAX_REASKS="abc")
    assert_one_line_error(result, 2, "SUMMARIZER_MAX_REASKS='abc'")
    result = run("eval", "--out", "/nonexistent/never-written", SUMMARIZER_PROMPT_VERSION="x")
    assert_one_line_error(result, 2, "SUMMARIZER_PROMPT_VERSION='x'")


def test_eval_with_a_prompt_version_that_does_not_exist_stops_before_the_run() -> None:
    result = run("eval", "--prompt-version", "99", "--out", "/nonexistent/never-written")
    assert_one_line_error(result, 2, "no prompt extract/v99")
    assert "available versions: v1, v2" in result.stderr


def test_check_is_a_subcommand_and_the_module_entry_still_works(tmp_path: Path) -> None:
    record = tmp_path / "record.json"
    record.write_text('{"schema_version": "nonsense"}', "utf-8")
    article = ROOT / "tests" / "fixtures" / "articles" / "000_a7a9f593ff51bdb6.txt"
    via_command = run("check", str(record), str(article))
    via_module = subprocess.run(
        [sys.executable, "-m", "summarizer.check", str(record), str(article)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    for result in (via_command, via_module):
        assert result.returncode == 1, result.stderr
        assert result.stdout.startswith("FAIL schema: ")
    assert via_command.stdout == via_module.stdout
    assert "check" in run("--help").stdout


def test_serve_parallel_starts_the_server_with_n_slots(tmp_path: Path) -> None:
    """`serve --parallel 3` with a FAKE llama-server that answers /health for a second,
    writes the flags it got, and exits (so serve ends, with a one-line error)."""
    argv = tmp_path / "argv.txt"
    binary = tmp_path / "llama-server"
    binary.write_text(
        f"#!{sys.executable}\n"
        "# FAKE llama-server for tests\n"
        "import http.server, sys, threading\n"
        "if '--help' in sys.argv: sys.exit(0)\n"
        f"open({str(argv)!r}, 'w').write(' '.join(sys.argv[1:]))\n"
        "port = int(sys.argv[sys.argv.index('--port') + 1])\n"
        "class H(http.server.BaseHTTPRequestHandler):\n"
        "    def do_GET(self):\n"
        "        self.send_response(200); self.end_headers(); self.wfile.write(b'{}')\n"
        "    def log_message(self, *a): pass\n"
        "server = http.server.HTTPServer(('127.0.0.1', port), H)\n"
        "threading.Timer(1.5, server.shutdown).start()\n"
        "server.serve_forever()\n"
    )
    binary.chmod(0o755)
    model = tmp_path / "model.gguf"
    model.write_bytes(b"GGUF fake")
    result = run(
        "serve", "--parallel", "3",
        SUMMARIZER_SERVER_BINARY=str(binary), SUMMARIZER_MODEL_PATH=str(model),
        SUMMARIZER_CACHE_DIR=str(tmp_path / "cache"),
    )  # fmt: skip
    assert "with 3 parallel slot(s)" in result.stderr, result.stderr
    assert "export SUMMARIZER_BASE_URL=" in result.stdout
    flags = argv.read_text().split()
    assert flags[flags.index("-np") + 1] == "3"
    assert flags[flags.index("-c") + 1] == str(3 * 8192)
    assert result.returncode != 0 and "llama-server exited" in result.stderr
    assert "Traceback" not in result.stderr
