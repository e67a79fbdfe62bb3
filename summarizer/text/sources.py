"""Loading an article from wherever it comes from: text, HTML, a file or an http(s) URL.

:func:`load_source` (and its asyncio twin :func:`aload_source`) turns a source into a
:class:`SourceDocument`: the article's plain text, not yet cleaned (see
:mod:`summarizer.text.clean`), with the title, publication date and site name that HTML
metadata gives. HTML is reduced to its main text with trafilatura; URLs are fetched
with httpx under the size, time and content-type limits of :class:`Settings`.

Every failure is an :class:`~summarizer.errors.InputError` (a
:class:`~summarizer.errors.FetchError` for URLs) with a one-line message that names
the source.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import datetime as dt
import functools
import importlib
import os
import re
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

import httpx

from summarizer.errors import ConfigurationError, FetchError, InputError, redact_url
from summarizer.settings import Settings
from summarizer.text.fetch_guard import AsyncGuardedTransport, GuardedTransport
from summarizer.text.limits import check_url

__all__ = [
    "SourceDocument",
    "SourceKind",
    "aload_source",
    "aload_text",
    "is_url",
    "load_source",
    "load_text",
]

SourceKind = Literal["text", "html", "path", "url"]


@dataclass(frozen=True)
class SourceDocument:
    """An article as loaded, before cleaning.

    Attributes:
        text: the article's plain text (HTML already extracted), not yet cleaned.
        kind: what the source was: literal text, an HTML string, a file or a URL.
        url: the URL the page came from (after redirects), for URL sources.
        title: the page title from HTML metadata, when there is one.
        published: the publication date from HTML metadata, when there is one.
        outlet: the site name from HTML metadata, when there is one.
        warnings: what loading changed (e.g. an over-long page title cut); they end up
            in the record's ``provenance.warnings``.
    """

    text: str
    kind: SourceKind
    url: str | None = None
    title: str | None = None
    published: dt.date | None = None
    outlet: str | None = None
    warnings: tuple[str, ...] = ()


# --- telling sources apart --------------------------------------------------------------

_URL = re.compile(r"https?://\S+", re.IGNORECASE)
# A tag, not a fence such as "<<<ARTICLE>>>" (which would otherwise read as "<article").
# A tag not written as "<<"; the pattern opens with the "<" itself (the look-behind
# follows it) so the regex engine skips to each "<": opening with the look-behind made
# it try every position of the text, 170 µs for a 3.7 kB article against 2 µs.
_HTML_TAG = re.compile(r"<(?<!<<)(?:html|body|article)\b|<(?<!<<)p[\s>]", re.IGNORECASE)
_PATH_LIKE = re.compile(r"[/\\]|\.\w{1,5}$")
_MAX_PATH_CHARS = 4096
_HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".shtml"})


def is_url(source: str) -> bool:
    """True when ``source`` is one http(s) URL (the scheme in any case: ``HTTP://`` too)."""
    return _URL.fullmatch(source.strip()) is not None


_is_url = is_url


def _looks_like_html(text: str) -> bool:
    return text.lstrip().startswith("<") or _HTML_TAG.search(text) is not None


def _existing_path(source: str) -> Path | None:
    """The file a short single-line string names, if it exists."""
    if "\n" in source or len(source) >= _MAX_PATH_CHARS or not source.strip():
        return None
    try:
        path = Path(source.strip()).expanduser()  # "~\0" looks a user up: ValueError
        return path if path.exists() else None
    except (OSError, ValueError, RuntimeError):  # too long, NUL byte, "~\x01": no such user
        return None


def _looks_like_path(source: str) -> bool:
    """A single word with a slash or a file suffix: a path, not an article."""
    stripped = source.strip()
    return (
        bool(stripped)
        and len(stripped) < _MAX_PATH_CHARS
        and not any(c.isspace() for c in stripped)
        and _PATH_LIKE.search(stripped) is not None
    )


# --- decoding -----------------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([\w.:-]{1,40})""", re.I)
_BINARY_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_FALLBACK_ENCODING = "cp1252"  # Windows' Western encoding, also a superset of printable Latin-1


def _not_text(origin: str) -> InputError:
    return InputError(f"{origin} is not a text or HTML file")


def _looks_binary(text: str) -> bool:
    """More than 1% control characters: not text, whatever decoded it."""
    return len(_BINARY_CHARS.findall(text)) > len(text) / 100


def _valid_codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _decode(data: bytes, declared: str | None, origin: str) -> str:
    """Bytes to text: a BOM, the declared charset, UTF-8, a <meta> charset, then cp1252."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise _not_text(origin) from error
    if b"\x00" in data:
        raise _not_text(origin)
    if declared_codec := _valid_codec(declared):
        # The server said so: trust it, replacing the odd bad byte.
        text = data.decode(declared_codec, errors="replace")
        if _looks_binary(text):
            raise _not_text(origin)
        return text
    sniffed = _META_CHARSET.search(data[:4096])
    candidates = ["utf-8-sig", _valid_codec(sniffed.group(1).decode("ascii")) if sniffed else None]
    for encoding in (*candidates, _FALLBACK_ENCODING):
        if encoding is None:
            continue
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_binary(text):
            break
        return text
    raise _not_text(origin)


# --- HTML -----------------------------------------------------------------------------------


@functools.cache
def _trafilatura() -> ModuleType:
    try:
        return importlib.import_module("trafilatura")
    except ImportError as error:
        raise ConfigurationError(
            f"HTML extraction is unavailable: trafilatura cannot be imported ({error}); "
            "reinstall summarizer with its dependencies"
        ) from error


def _meta_text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return " ".join(value.split())
    return None


def _meta_date(value: Any) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _from_html(html: str, *, kind: SourceKind, url: str | None, origin: str) -> SourceDocument:
    """The main text and metadata of an HTML page."""
    trafilatura = _trafilatura()
    try:
        text = trafilatura.extract(
            html,
            url=url,
            include_comments=False,
            include_tables=False,
            favor_precision=True,
            output_format="txt",
        )
        metadata = trafilatura.extract_metadata(html, default_url=url)
    except Exception as error:  # a third-party parser on untrusted input: report, don't crash
        raise InputError(f"could not parse the HTML of {origin}") from error
    if not isinstance(text, str) or not text.strip():
        raise InputError(f"no article text found in {origin}")
    return SourceDocument(
        text=text,
        kind=kind,
        url=url,
        title=_meta_text(getattr(metadata, "title", None)),
        published=_meta_date(getattr(metadata, "date", None)),
        outlet=_meta_text(getattr(metadata, "sitename", None)),
    )


def _from_text(text: str, *, kind: SourceKind, url: str | None, origin: str) -> SourceDocument:
    if not text.strip():
        raise InputError(f"the article is empty: {origin}")
    return SourceDocument(text=text, kind=kind, url=url)


# --- strings and files ------------------------------------------------------------------


def _too_large(what: str, settings: Settings) -> str:
    return (
        f"{what} is larger than {settings.max_fetch_bytes} bytes; raise SUMMARIZER_MAX_FETCH_BYTES"
    )


def _load_string(source: str, settings: Settings) -> SourceDocument:
    is_html = _looks_like_html(source)
    origin = "the given HTML" if is_html else "the given text"
    if len(source.encode("utf-8", errors="replace")) > settings.max_fetch_bytes:
        raise InputError(_too_large(origin, settings))
    if is_html:
        return _from_html(source, kind="html", url=None, origin=origin)
    return _from_text(source, kind="text", url=None, origin=origin)


def _read_file(path: Path, settings: Settings) -> bytes:
    origin = str(path)
    try:
        if path.is_dir():
            raise InputError(f"{origin} is a directory, not a file")
        if not stat.S_ISREG(path.stat().st_mode):  # a FIFO or device would block or never end
            raise InputError(f"{origin} is not a regular file (a pipe, socket or device)")
        with path.open("rb") as file:
            data = file.read(settings.max_fetch_bytes + 1)
    except FileNotFoundError as error:
        raise InputError(f"no such file: {origin}") from error
    except PermissionError as error:
        raise InputError(f"cannot read {origin}: permission denied") from error
    except OSError as error:
        raise InputError(
            f"cannot read {origin}: {error.strerror or type(error).__name__}"
        ) from error
    except ValueError as error:  # a NUL byte or a lone surrogate in the name
        raise InputError(f"cannot read {origin!a}: not a valid file name") from error
    if len(data) > settings.max_fetch_bytes:
        raise InputError(f"{origin}: " + _too_large("file", settings))
    return data


def _load_file(path: Path, settings: Settings) -> SourceDocument:
    origin = str(path)
    text = _decode(_read_file(path, settings), None, origin)
    if path.suffix.lower() in _HTML_SUFFIXES or _looks_like_html(text):
        return _from_html(text, kind="path", url=None, origin=origin)
    return _from_text(text, kind="path", url=None, origin=origin)


# --- URLs ---------------------------------------------------------------------------------

_MAX_REDIRECTS = 5
_ALLOWED_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


def _without_userinfo(url: str) -> str:
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def _display_url(url: str) -> str:
    """The URL for messages: no credentials, no secret-looking query values."""
    try:
        return redact_url(_without_userinfo(url))
    except ValueError:
        return "<invalid URL>"


def _one_line(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _client_options(settings: Settings, *, asynchronous: bool = False) -> dict[str, Any]:
    """httpx client options; with ``settings.fetch_guard`` every hop goes through the
    fetch guard (public addresses only, see :mod:`summarizer.text.fetch_guard`)."""
    guard: dict[str, Any] = {}
    if settings.fetch_guard:
        guard["transport"] = AsyncGuardedTransport() if asynchronous else GuardedTransport()
    return guard | {
        "timeout": httpx.Timeout(settings.fetch_timeout),
        "follow_redirects": True,
        "max_redirects": _MAX_REDIRECTS,
        "headers": {
            "User-Agent": settings.user_agent,
            "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.1",
        },
    }


@dataclass(frozen=True)
class _Page:
    body: bytes
    media_type: str
    charset: str | None
    url: str


def _check_response(response: httpx.Response, shown: str, settings: Settings) -> str:
    """Reject error statuses, disallowed content types and declared oversize bodies."""
    if response.status_code >= 300:
        raise FetchError(f"HTTP {response.status_code} fetching {shown}")
    media_type = str(response.headers.get("content-type", "")).split(";")[0].strip().lower()
    if media_type and media_type not in _ALLOWED_TYPES:
        raise FetchError(
            f"unsupported content type {media_type} at {shown}; expected an HTML or plain-text page"
        )
    length = str(response.headers.get("content-length", ""))
    if length.isdigit() and int(length) > settings.max_fetch_bytes:
        raise FetchError(f"{shown}: " + _too_large("the page", settings))
    return media_type


def _check_progress(received: int, started: float, shown: str, settings: Settings) -> None:
    if received > settings.max_fetch_bytes:
        raise FetchError(f"{shown}: " + _too_large("the page", settings))
    if time.monotonic() - started > settings.fetch_timeout:
        raise FetchError(f"timed out after {settings.fetch_timeout:g}s fetching {shown}")


def _fetch_error(error: Exception, shown: str, settings: Settings) -> FetchError:
    if isinstance(error, httpx.TooManyRedirects):
        return FetchError(f"redirect loop fetching {shown} (more than {_MAX_REDIRECTS} redirects)")
    if isinstance(error, httpx.TimeoutException):
        return FetchError(f"timed out after {settings.fetch_timeout:g}s fetching {shown}")
    if isinstance(error, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return FetchError(f"invalid URL {shown}")
    if isinstance(error, httpx.ConnectError):
        return FetchError(f"could not connect fetching {shown}: {_one_line(str(error))}")
    reason = _one_line(str(error)) or type(error).__name__
    return FetchError(f"could not fetch {shown}: {reason}")


def _page_document(page: _Page, shown: str) -> SourceDocument:
    text = _decode(page.body, page.charset, shown)
    if page.media_type in _HTML_TYPES or (not page.media_type and _looks_like_html(text)):
        return _from_html(text, kind="url", url=page.url, origin=shown)
    return _from_text(text, kind="url", url=page.url, origin=shown)


def _fetch(url: str, settings: Settings) -> _Page:
    shown = _display_url(url)
    started = time.monotonic()
    try:
        with httpx.Client(**_client_options(settings)) as client, client.stream("GET", url) as r:
            media_type = _check_response(r, shown, settings)
            body = bytearray()
            for chunk in r.iter_bytes():
                body += chunk
                _check_progress(len(body), started, shown, settings)
            return _Page(bytes(body), media_type, r.charset_encoding, _without_userinfo(str(r.url)))
    except (httpx.HTTPError, httpx.InvalidURL) as error:
        raise _fetch_error(error, shown, settings) from error
    except ValueError as error:  # a URL httpx cannot even encode (a lone surrogate)
        raise FetchError(f"invalid URL {shown!a}") from error


async def _afetch(url: str, settings: Settings) -> _Page:
    shown = _display_url(url)
    started = time.monotonic()
    try:
        async with (
            httpx.AsyncClient(**_client_options(settings, asynchronous=True)) as client,
            client.stream("GET", url) as r,
        ):
            media_type = _check_response(r, shown, settings)
            body = bytearray()
            async for chunk in r.aiter_bytes():
                body += chunk
                _check_progress(len(body), started, shown, settings)
            return _Page(bytes(body), media_type, r.charset_encoding, _without_userinfo(str(r.url)))
    except (httpx.HTTPError, httpx.InvalidURL) as error:
        raise _fetch_error(error, shown, settings) from error
    except ValueError as error:  # a URL httpx cannot even encode (a lone surrogate)
        raise FetchError(f"invalid URL {shown!a}") from error


# --- the public entry points ----------------------------------------------------------------


def load_source(
    source: str | os.PathLike[str] | SourceDocument, *, settings: Settings
) -> SourceDocument:
    """Load an article from text, HTML, a file path or an http(s) URL.

    A :class:`SourceDocument` (already loaded) is returned as it is.

    A path-like object is a file; a string is a URL when it is one http(s) URL, a file
    when it is a short single line naming an existing file, HTML when it looks like
    HTML, and plain text otherwise. The text is returned as found, not yet cleaned.

    Raises:
        InputError: the source is missing, empty, binary, too large or has no article
            text; FetchError (a subclass) when a URL cannot be fetched.
        ConfigurationError: HTML extraction is unavailable (a broken installation).
    """
    if isinstance(source, SourceDocument):
        return source
    if isinstance(source, os.PathLike):
        given = Path(os.fspath(source))
        with contextlib.suppress(ValueError, RuntimeError):  # "~\0", no home directory
            given = given.expanduser()
        return _load_file(given, settings)
    if not isinstance(source, str):
        raise InputError(
            f"cannot load a {type(source).__name__}: pass text, HTML, a path or an http(s) URL"
        )
    if _is_url(source):
        url = source.strip()
        check_url(url)
        return _page_document(_fetch(url, settings), _display_url(url))
    if (path := _existing_path(source)) is not None:
        return _load_file(path, settings)
    if _looks_like_path(source):
        raise InputError(f"no such file: {source.strip()}")
    return _load_string(source, settings)


async def aload_source(
    source: str | os.PathLike[str] | SourceDocument, *, settings: Settings
) -> SourceDocument:
    """The asyncio twin of :func:`load_source`.

    URLs are fetched with an async client; file reading and HTML extraction run in a
    worker thread so the event loop is never blocked.
    """
    if isinstance(source, SourceDocument):
        return source
    if isinstance(source, str) and _is_url(source):
        url = source.strip()
        check_url(url)
        page = await _afetch(url, settings)
        return await asyncio.to_thread(_page_document, page, _display_url(url))
    return await asyncio.to_thread(load_source, source, settings=settings)


def load_text(text: str, *, settings: Settings) -> SourceDocument:
    """Load ``text`` as an article's plain text or HTML, never as a path or a URL (what
    :func:`load_source` would make of a one-line string naming a file or a URL)."""
    return _load_string(text, settings)


async def aload_text(text: str, *, settings: Settings) -> SourceDocument:
    """The asyncio twin of :func:`load_text`: HTML is extracted in a worker thread,
    plain text needs no thread."""
    if _looks_like_html(text):
        return await asyncio.to_thread(_load_string, text, settings)
    return _load_string(text, settings)
