"""A FAKE news site for tests: a real HTTP server on 127.0.0.1 serving fixed pages.

:class:`FakeSite` serves a feed and article pages from a dict of routes, in a thread,
and records each request's path and headers (to check the User-Agent, say).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

__all__ = ["FEED_DIR", "FakeSite", "Route", "rss"]

FEED_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "html" / "feed"


@dataclass(frozen=True)
class Route:
    """What one path answers."""

    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200


def rss(title: str, items: list[dict[str, str]]) -> bytes:
    """A small RSS 2.0 feed; each item has title, link, guid and pubDate (RFC 822)."""
    entries = "".join(
        "<item>"
        f"<title>{item['title']}</title><link>{item['link']}</link>"
        f'<guid isPermaLink="false">{item["guid"]}</guid>'
        + (f"<pubDate>{item['pubDate']}</pubDate>" if "pubDate" in item else "")
        + "</item>"
        for item in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<rss version="2.0"><channel><title>{title}</title><link>/</link>'
        f"<description>test feed</description>{entries}</channel></rss>"
    ).encode()


class FakeSite:
    """Serve ``routes`` (path → :class:`Route`) on 127.0.0.1; a context manager."""

    def __init__(self, routes: dict[str, Route]) -> None:
        self.routes = dict(routes)
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                with site._lock:
                    site.requests.append((self.path, dict(self.headers)))
                route = site.routes.get(self.path.partition("?")[0])
                if route is None:
                    route = Route(b"not found", "text/plain", 404)
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> FakeSite:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def url(self, path: str) -> str:
        """The absolute URL of ``path``."""
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def paths(self) -> list[str]:
        """The paths requested so far."""
        with self._lock:
            return [path for path, _ in self.requests]
