"""Tests of summarizer.text.sources against files and a real local HTTP server."""

from __future__ import annotations

import contextlib
import datetime as dt
import inspect
import socket
import sys
import threading
from collections.abc import Awaitable, Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from summarizer.errors import ConfigurationError, FetchError, InputError
from summarizer.settings import Settings
from summarizer.text import sources
from summarizer.text.sources import SourceDocument, aload_source, load_source

FIXTURES = Path(__file__).parent / "fixtures"
HTML_FIXTURE = FIXTURES / "html" / "004_mayadeen.html"
PLAIN_FIXTURE = FIXTURES / "articles" / "003_89f9305643469b58.txt"
HTML_BODY_LINE = "Observatory chief Rami Abdel Rahman said."
HTML_LAST_LINE = 'which was once the de facto Syrian capital of its "caliphate".'
NAV_ONLY = (
    "<!DOCTYPE html><html><head><title>Sections</title></head><body>"
    "<nav><ul><li><a href='/'>Home</a></li><li><a href='/world'>World</a></li>"
    "<li><a href='/sport'>Sport</a></li></ul></nav>"
    "<footer><a href='/about'>About us</a></footer></body></html>"
)
LATIN1_TEXT = "Clashes near Maaret al-Numan killed 12 people, the café owner said."


# --- the local HTTP server ------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    release: threading.Event

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients that hang up early (size cap, timeout) are expected here."""


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""

    def _send(self, status: int, body: bytes, content_type: str, length: bool = True) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        with contextlib.suppress(OSError):  # the client went away (cap reached, timed out)
            self._route(path)

    def _route(self, path: str) -> None:
        html = "text/html; charset=utf-8"
        if path == "/article.html":
            self._send(200, HTML_FIXTURE.read_bytes(), html)
        elif path == "/nav.html":
            self._send(200, NAV_ONLY.encode(), html)
        elif path == "/plain.txt":
            self._send(200, PLAIN_FIXTURE.read_bytes(), "text/plain; charset=utf-8")
        elif path == "/latin1.txt":
            self._send(200, LATIN1_TEXT.encode("latin-1"), "text/plain; charset=iso-8859-1")
        elif path == "/empty.txt":
            self._send(200, b"  \n\n ", "text/plain")
        elif path == "/user-agent":
            self._send(200, self.headers.get("User-Agent", "").encode(), "text/plain")
        elif path == "/slow":
            self.server.release.wait(3)
            self._send(200, b"too late", "text/plain")
        elif path == "/loop":
            self._redirect("/loop")
        elif path == "/moved":
            self._redirect("/article.html")
        elif path == "/report.pdf":
            self._send(200, b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "application/pdf")
        elif path == "/big.txt":
            self._send(200, b"Clashes killed 12 people. " * 200, "text/plain")
        elif path == "/big-stream.txt":  # no Content-Length: the cap must apply while reading
            self._send(200, b"Clashes killed 12 people. " * 2000, "text/plain", length=False)
        else:
            self._send(404, b"not found", "text/plain")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.release = threading.Event()
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.release.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture(autouse=True)
def _no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)


Loader = Callable[[str | Path, Settings], Awaitable[SourceDocument]]


@pytest.fixture(params=["sync", "async"])
def load(request: pytest.FixtureRequest) -> Loader:
    """load_source or aload_source behind one awaitable signature."""

    async def _sync(source: str | Path, settings: Settings) -> SourceDocument:
        return load_source(source, settings=settings)

    async def _async(source: str | Path, settings: Settings) -> SourceDocument:
        return await aload_source(source, settings=settings)

    return _sync if request.param == "sync" else _async


async def _error(load: Loader, source: str | Path, settings: Settings) -> InputError:
    with pytest.raises(InputError) as info:
        await load(source, settings)
    message = str(info.value)
    assert "\n" not in message
    assert "Traceback" not in message
    return info.value


# --- URLs -------------------------------------------------------------------------------------


async def test_html_article_page(load: Loader, server: str) -> None:
    document = await load(f"{server}/article.html", Settings())
    assert document.kind == "url"
    assert document.url == f"{server}/article.html"
    assert HTML_BODY_LINE in document.text
    assert document.text.rstrip().endswith(HTML_LAST_LINE)
    for furniture in ("E-Paper", "Share this article", "Privacy Policy", "Iraqi forces enter"):
        assert furniture not in document.text
    assert document.title == "Syrian forces retake part of eastern IS bastion"
    assert document.outlet == "The New Indian Express"
    assert document.published == dt.date(2017, 10, 12)


async def test_redirect_is_followed(load: Loader, server: str) -> None:
    document = await load(f"{server}/moved", Settings())
    assert document.url == f"{server}/article.html"
    assert HTML_BODY_LINE in document.text


async def test_navigation_only_page(load: Loader, server: str) -> None:
    error = await _error(load, f"{server}/nav.html", Settings())
    assert str(error) == f"no article text found in {server}/nav.html"


async def test_plain_text_page(load: Loader, server: str) -> None:
    document = await load(f"{server}/plain.txt", Settings())
    assert document.kind == "url"
    assert document.text == PLAIN_FIXTURE.read_text("utf-8")
    assert document.title is None
    assert document.published is None


async def test_page_is_decoded_with_its_charset(load: Loader, server: str) -> None:
    document = await load(f"{server}/latin1.txt", Settings())
    assert document.text == LATIN1_TEXT


async def test_polite_user_agent_is_sent(load: Loader, server: str) -> None:
    settings = Settings(user_agent="summarizer-test/1.0 (+https://example.org/bot)")
    document = await load(f"{server}/user-agent", settings)
    assert document.text == "summarizer-test/1.0 (+https://example.org/bot)"


async def test_http_404(load: Loader, server: str) -> None:
    error = await _error(load, f"{server}/missing", Settings())
    assert isinstance(error, FetchError)
    assert str(error) == f"HTTP 404 fetching {server}/missing"


async def test_timeout(load: Loader, server: str) -> None:
    error = await _error(load, f"{server}/slow", Settings(fetch_timeout=0.5))
    assert isinstance(error, FetchError)
    assert str(error) == f"timed out after 0.5s fetching {server}/slow"


async def test_redirect_loop(load: Loader, server: str) -> None:
    error = await _error(load, f"{server}/loop", Settings())
    assert isinstance(error, FetchError)
    assert "redirect loop" in str(error)
    assert f"{server}/loop" in str(error)


async def test_unsupported_content_type(load: Loader, server: str) -> None:
    error = await _error(load, f"{server}/report.pdf", Settings())
    assert isinstance(error, FetchError)
    assert str(error).startswith(f"unsupported content type application/pdf at {server}")


@pytest.mark.parametrize("path", ["/big.txt", "/big-stream.txt"])
async def test_oversized_page(load: Loader, server: str, path: str) -> None:
    error = await _error(load, server + path, Settings(max_fetch_bytes=1000))
    assert isinstance(error, FetchError)
    assert "larger than 1000 bytes; raise SUMMARIZER_MAX_FETCH_BYTES" in str(error)
    assert server + path in str(error)


async def test_empty_page(load: Loader, server: str) -> None:
    error = await _error(load, f"{server}/empty.txt", Settings())
    assert str(error) == f"the article is empty: {server}/empty.txt"


async def test_connection_refused(load: Loader) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    error = await _error(load, f"http://127.0.0.1:{port}/article", Settings())
    assert isinstance(error, FetchError)
    assert str(error).startswith(f"could not connect fetching http://127.0.0.1:{port}/article")


async def test_secrets_stay_out_of_messages(load: Loader, server: str) -> None:
    host = server.removeprefix("http://")
    url = f"http://reader:hunter2@{host}/missing?id=7&api_token=s3cr3t"
    error = await _error(load, url, Settings())
    assert "hunter2" not in str(error)
    assert "s3cr3t" not in str(error)
    assert str(error) == f"HTTP 404 fetching http://{host}/missing?id=7&api_token=***"


# --- files ----------------------------------------------------------------------------------


async def test_missing_file(load: Loader, tmp_path: Path) -> None:
    missing = tmp_path / "article.txt"
    error = await _error(load, missing, Settings())
    assert str(error) == f"no such file: {missing}"
    error = await _error(load, str(missing), Settings())
    assert str(error) == f"no such file: {missing}"


async def test_directory(load: Loader, tmp_path: Path) -> None:
    error = await _error(load, tmp_path, Settings())
    assert str(error) == f"{tmp_path} is a directory, not a file"


async def test_plain_text_file(load: Loader) -> None:
    document = await load(PLAIN_FIXTURE, Settings())
    assert document == SourceDocument(text=PLAIN_FIXTURE.read_text("utf-8"), kind="path")


async def test_string_naming_a_file(load: Loader) -> None:
    document = await load(str(PLAIN_FIXTURE), Settings())
    assert document.kind == "path"
    assert document.text == PLAIN_FIXTURE.read_text("utf-8")


async def test_empty_file(load: Loader, tmp_path: Path) -> None:
    for content in (b"", b" \n\t\n"):
        path = tmp_path / "empty.txt"
        path.write_bytes(content)
        error = await _error(load, path, Settings())
        assert str(error) == f"the article is empty: {path}"


async def test_binary_file(load: Loader, tmp_path: Path) -> None:
    path = tmp_path / "photo.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00")
    error = await _error(load, path, Settings())
    assert str(error) == f"{path} is not a text or HTML file"


async def test_undecodable_file(load: Loader, tmp_path: Path) -> None:
    path = tmp_path / "garbage.txt"
    path.write_bytes(bytes([0x81, 0x8D, 0x8F, 0x90, 0x9D, 0xC3, 0x28]) * 50)
    error = await _error(load, path, Settings())
    assert str(error) == f"{path} is not a text or HTML file"


async def test_control_character_soup_is_not_text(load: Loader, tmp_path: Path) -> None:
    path = tmp_path / "data.bin"
    path.write_bytes(bytes(range(1, 32)) * 40)
    error = await _error(load, path, Settings())
    assert str(error) == f"{path} is not a text or HTML file"


async def test_invalid_utf8_falls_back_to_windows_1252(load: Loader, tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes("Rebels shelled the café – 3 killed, the “Observatory” said.".encode("cp1252"))
    document = await load(path, Settings())
    assert document.text == "Rebels shelled the café – 3 killed, the “Observatory” said."


async def test_byte_order_marks(load: Loader, tmp_path: Path) -> None:
    text = "Clashes killed 12 people in Idlib on Sunday, a monitor said."
    encoded = {"utf8.txt": b"\xef\xbb\xbf" + text.encode(), "utf16.txt": text.encode("utf-16")}
    for name, data in encoded.items():
        path = tmp_path / name
        path.write_bytes(data)
        assert (await load(path, Settings())).text == text


async def test_oversized_file(load: Loader, tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text("Clashes killed 12 people. " * 100)
    error = await _error(load, path, Settings(max_fetch_bytes=1000))
    assert str(error) == (
        f"{path}: file is larger than 1000 bytes; raise SUMMARIZER_MAX_FETCH_BYTES"
    )


async def test_html_file(load: Loader) -> None:
    document = await load(HTML_FIXTURE, Settings())
    assert document.kind == "path"
    assert document.url is None
    assert HTML_BODY_LINE in document.text
    assert "Share this article" not in document.text
    assert document.title == "Syrian forces retake part of eastern IS bastion"
    assert document.outlet == "The New Indian Express"
    assert document.published == dt.date(2017, 10, 12)


async def test_html_content_in_a_txt_file(load: Loader, tmp_path: Path) -> None:
    path = tmp_path / "saved-page.txt"
    path.write_bytes(HTML_FIXTURE.read_bytes())
    document = await load(path, Settings())
    assert HTML_BODY_LINE in document.text
    assert "<p>" not in document.text


# --- strings ----------------------------------------------------------------------------------


async def test_plain_text_string(load: Loader) -> None:
    text = "Clashes killed 12 people in Idlib on Sunday, a monitor said.\nResidents fled."
    assert await load(text, Settings()) == SourceDocument(text=text, kind="text")


async def test_single_line_text_is_not_mistaken_for_a_path(load: Loader) -> None:
    text = "Clashes killed 12 people in Idlib/Hama on Sunday, a monitor said."
    document = await load(text, Settings())
    assert document.kind == "text"


async def test_html_string(load: Loader) -> None:
    html = HTML_FIXTURE.read_text("utf-8")
    document = await load(html, Settings())
    assert document.kind == "html"
    assert HTML_BODY_LINE in document.text
    assert "Facebook" not in document.text
    assert document.title == "Syrian forces retake part of eastern IS bastion"


async def test_navigation_only_html_string(load: Loader) -> None:
    error = await _error(load, NAV_ONLY, Settings())
    assert str(error) == "no article text found in the given HTML"


@pytest.mark.parametrize("text", ["", "   ", "\n\n\t"])
async def test_empty_string(load: Loader, text: str) -> None:
    error = await _error(load, text, Settings())
    assert str(error) == "the article is empty: the given text"


async def test_oversized_string(load: Loader) -> None:
    error = await _error(load, "Clashes killed 12 people. " * 100, Settings(max_fetch_bytes=1000))
    assert "larger than 1000 bytes; raise SUMMARIZER_MAX_FETCH_BYTES" in str(error)


async def test_unsupported_source_type(load: Loader) -> None:
    error = await _error(load, b"Clashes killed 12 people.", Settings())  # type: ignore[arg-type]
    assert "pass text, HTML, a path or an http(s) URL" in str(error)


def test_broken_trafilatura_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    sources._trafilatura.cache_clear()
    monkeypatch.setitem(sys.modules, "trafilatura", None)  # makes the import fail
    try:
        with pytest.raises(ConfigurationError, match="HTML extraction is unavailable"):
            load_source("<html><body><p>Clashes in Idlib.</p></body></html>", settings=Settings())
    finally:
        sources._trafilatura.cache_clear()


async def test_load_text_takes_a_string_as_the_article_itself(tmp_path: Path) -> None:
    from summarizer.text.sources import aload_text, load_text

    settings = Settings()
    named = tmp_path / "article.txt"
    named.write_text("The file's own text.\n", "utf-8")
    html = (
        "<html><body><article><p>"
        + "Troops shelled the town on Monday, a monitor said. " * 8
        + "</p></article></body></html>"
    )
    for load in (load_text, aload_text):
        for text, kind in ((str(named), "text"), ("https://example.org/a", "text"), (html, "html")):
            loaded = load(text, settings=settings)
            document = await loaded if inspect.isawaitable(loaded) else loaded
            assert document.kind == kind
            assert document.url is None
            assert "file's own text" not in document.text
        assert "Troops shelled the town" in document.text


_TAG_PIECES = st.sampled_from(
    ["<", "<<", "p", "P", " ", ">", "\n", "html", "HTML", "body", "article", "Article", "x", "-"]
)


@given(st.lists(_TAG_PIECES, max_size=24).map("".join))
@hypothesis_settings(max_examples=400, deadline=None)
def test_html_detection_is_the_plain_look_behind_pattern(text: str) -> None:
    """The tag pattern opens with "<" so the engine can skip ahead; it finds what the
    plainly written one (look-behind first) finds, at the same place."""
    import re

    plain = re.compile(r"(?<!<)<(?:html|body|article)\b|(?<!<)<p[\s>]", re.IGNORECASE)
    found, expected = sources._HTML_TAG.search(text), plain.search(text)
    assert (found and found.span()) == (expected and expected.span())


def test_text_that_starts_like_a_home_directory_is_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hypothesis found "~\\x01" on stdin: pathlib looks the user "\\x01" up and raises
    RuntimeError; it is text, not a path (found by tests/test_properties_cli.py)."""
    from summarizer.text.sources import _existing_path

    monkeypatch.delenv("HOME", raising=False)
    assert _existing_path("~\x01") is None
