"""A FAKE web site on 127.0.0.1 serving hostile pages for URL-source tests.

Routes: ``/article`` (a plain HTML article), ``/404``, ``/slow`` (answers after
``slow_seconds``), ``/pdf`` (``application/pdf``), ``/loop`` (redirects to itself),
``/huge`` (6 MB HTML with its Content-Length), ``/huge-streamed`` (6 MB HTML, no
length) and ``/empty`` (an empty HTML page). Stopping it wakes slow handlers.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

__all__ = ["FakeWeb"]

ARTICLE_HTML = (
    "<html><head><title>Clashes in the north</title></head><body><article>"
    "<p>Clashes between troops and rebels near Kafr Zita on Saturday wounded several "
    "people, a monitor said.</p><p>Residents described heavy fighting through the night, "
    "and shops stayed closed on Sunday.</p></article></body></html>"
)
_HUGE = 6_000_000


class _QuietServer(ThreadingHTTPServer):
    """Clients that give up (timeouts, size caps) are expected: no tracebacks."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet."""


class FakeWeb:
    """The FAKE site; a context manager."""

    def __init__(self, slow_seconds: float = 5.0) -> None:
        self.slow_seconds = slow_seconds
        self.hits: list[str] = []
        self._stopping = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

            def _send(self, status: int, body: bytes, **headers: str) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name.replace("_", "-"), value)
                if "content_length" not in headers and "transfer_encoding" not in headers:
                    self.send_header("content-length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except OSError:
                    self.close_connection = True

            def do_GET(self) -> None:
                fake.hits.append(self.path)
                html = "text/html; charset=utf-8"
                if self.path == "/article":
                    self._send(200, ARTICLE_HTML.encode(), content_type=html)
                elif self.path == "/slow":
                    fake._stopping.wait(fake.slow_seconds)
                    self._send(200, ARTICLE_HTML.encode(), content_type=html)
                elif self.path == "/pdf":
                    self._send(
                        200, b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", content_type="application/pdf"
                    )
                elif self.path == "/loop":
                    self._send(302, b"", location="/loop")
                elif self.path == "/huge":
                    self._send(200, b"<p>" + b"x" * _HUGE + b"</p>", content_type=html)
                elif self.path == "/huge-streamed":
                    self._stream_huge()
                elif self.path == "/empty":
                    self._send(200, b"", content_type=html)
                else:
                    self._send(404, b"<h1>Not found</h1>", content_type=html)

            def _stream_huge(self) -> None:
                self.send_response(200)
                self.send_header("content-type", "text/html")
                self.send_header("connection", "close")
                self.end_headers()
                self.close_connection = True
                block = b"<p>" + b"y" * 65_536 + b"</p>"
                try:
                    for _ in range(_HUGE // len(block) + 2):
                        if fake._stopping.is_set():
                            return
                        self.wfile.write(block)
                except OSError:
                    return

        self._server = _QuietServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FakeWeb:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
